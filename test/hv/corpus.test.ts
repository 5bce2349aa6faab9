// The whole differential corpus under the hypervisor: every program runs as a LinuxProcess whose
// guest-physical memory is a KVM-like VM's stage 2, with host swap of every resident page
// (--swap-every) and live migration through the byte stream (--migrate-every), and must print
// exactly what it prints, and exit exactly as it exits, on plain RAM without a hypervisor.
// TV_DIFF_FILTER=a,b limits the entries (as for test/diff).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildCorpus, listCorpus, type CorpusEntry } from '../corpus/build.mjs';
import { parseElf } from '../../emulator/elf';
import { LinuxProcess, type ProcessOptions } from '../../emulator/linux';
import { createVmFromDescription, defaultVmConfig, linuxGuestFactory, shellStatus, type VmmRunOptions } from '../../emulator/hv';

const filters = (process.env.TV_DIFF_FILTER ?? '').split(',').map(s => s.trim()).filter(Boolean);
const entries = listCorpus(filters).filter(e => e.group !== 'bench');
let built: CorpusEntry[] = [];
before(async () => { built = await buildCorpus({ filters: entries.map(e => e.id) }); });

const LIMIT = 50_000_000;

interface Outcome { status: number | string; stdout: string; stderr: string }

function options(e: CorpusEntry): ProcessOptions {
  return { path: e.out, argv: [e.out, ...e.args], env: Object.entries(e.env).map(([k, v]) => `${k}=${v}`), readRoots: [dirname(e.out)], seed: 0 };
}

function plain(e: CorpusEntry): Outcome {
  const p = new LinuxProcess(parseElf(readFileSync(e.out), e.out), options(e));
  const o: Outcome = { status: 0, stdout: '', stderr: '' };
  p.on('stdout', d => { o.stdout += Buffer.from(d).toString('latin1'); });
  p.on('stderr', d => { o.stderr += Buffer.from(d).toString('latin1'); });
  const r = p.run(LIMIT);
  o.status = r.reason === 'exit' ? shellStatus(r.status) : r.reason;
  return o;
}

function underHv(e: CorpusEntry, run: VmmRunOptions): Outcome & { migrations: number; swapOuts: number } {
  const o = { status: 0 as number | string, stdout: '', stderr: '', migrations: 0, swapOuts: 0 };
  const vmm = createVmFromDescription(defaultVmConfig(2 ** 30));
  const r = vmm.run(linuxGuestFactory(parseElf(readFileSync(e.out), e.out), options(e), {
    stdout: d => { o.stdout += Buffer.from(d).toString('latin1'); },
    stderr: d => { o.stderr += Buffer.from(d).toString('latin1'); },
  }), { ...run, maxInsns: LIMIT });
  o.status = r.exit.reason === 'shutdown' ? r.exit.status : JSON.stringify(r.exit);
  o.migrations = r.migrations;
  o.swapOuts = r.swapOuts;
  return o;
}

describe('corpus under the hypervisor: same output and status with --swap-every and --migrate-every', () => {
  for (const entry of entries) {
    test(entry.id, (t) => {
      const e = built.find(b => b.id === entry.id)!;
      if (e.build?.status !== 'built' && e.build?.status !== 'cached') return t.skip(`not built: ${e.build?.reason ?? '?'}`);
      const ref = plain(e);
      // Small programs get tighter intervals so that they, too, are swapped and migrated.
      const stress: VmmRunOptions = e.group === 'asm' || e.group === 'trace'
        ? { swapEvery: 700, migrateEvery: 3000 }
        : { swapEvery: 10_000, migrateEvery: 30_000 };
      const hv = underHv(e, stress);
      assert.deepEqual({ status: hv.status, stdout: hv.stdout, stderr: hv.stderr }, ref);
    });
  }
});
