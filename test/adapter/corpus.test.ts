// The differential corpus under the debugger: every corpus program (C from gcc and clang at -O0/-O2,
// assembly) runs in a Debuggee with every exception filter on (so it stops at each tag check fault,
// before each signal is delivered, at each async mismatch) and is continued after every stop; its
// output and exit status must be those of the same program on the bare runtime, which test/diff
// checks against qemu-aarch64. Also with the reverse-execution history on, and inside a VM under
// swap pressure. What the debugger does to stop must never change what the program does.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { buildCorpus, listCorpus, type CorpusEntry } from '../corpus/build.mjs';
import { loadProgram } from '../../emulator/cli/program';
import { Debuggee, EXCEPTION_FILTERS, TICK_INTERVAL, type StopInfo } from '../../emulator/debug/debuggee';
import { LinuxProcess } from '../../emulator/linux/process';
import { parseVmDescription } from '../../emulator/hv/description';

const entries = listCorpus([]).filter(e => e.group !== 'bench');
let built: CorpusEntry[] = [];
before(async () => { built = await buildCorpus({ filters: entries.map(e => e.id) }); });

interface Outcome { stdout: string; stderr: string; status: string }
const CWD = '/tmp';
const statusText = (code: number | null, signal: number | null) => signal !== null ? `signal ${signal}` : `exit ${code}`;

/** The program on the bare runtime, with the options the Debuggee gives its process. */
function bare(e: CorpusEntry): Outcome {
  const program = loadProgram(e.out);
  const proc = new LinuxProcess(program.elf, {
    path: program.path, argv: [program.path, ...e.args], env: Object.entries(e.env).map(([k, v]) => `${k}=${v}`), seed: 1, cwd: CWD,
    readRoots: [...new Set([CWD, dirname(program.path)])], stdio: ['pipe', 'pipe', 'pipe'], tickInterval: TICK_INTERVAL,
  });
  let stdout = '', stderr = '';
  proc.on('stdout', b => { stdout += Buffer.from(b).toString('latin1'); });
  proc.on('stderr', b => { stderr += Buffer.from(b).toString('latin1'); });
  const r = proc.run(50_000_000);
  if (r.reason !== 'exit') throw new Error(`${e.id}: bare run did not exit`);
  return { stdout, stderr, status: statusText(r.status.code, r.status.signal) };
}

const SWAP_VM = parseVmDescription({
  name: 'corpus', mte: true, memory: [{ name: 'ram', gpa: '0x40000000', size: '256M', backing: 'anon' }], swap: { limit: '256K', every: 3000 },
});

/** The program under the debugger, continued after every stop; the number of exception stops. */
function debugged(e: CorpusEntry, historySize: number, vm: boolean): Outcome & { stops: number } {
  const program = loadProgram(e.out);
  const d = new Debuggee({ program, args: e.args, env: e.env, cwd: CWD, seed: 1, historySize, ...(vm ? { vm: SWAP_VM } : {}) });
  for (const f of EXCEPTION_FILTERS) if (f !== 'hypervisor') d.exceptionFilters.set(f, null);
  let stdout = '', stderr = '';
  d.on('output', o => { if (o.category === 'stdout') stdout += o.text; else if (o.category === 'stderr') stderr += o.text; });
  let stops = 0;
  for (;;) {
    d.resume({ kind: 'continue' });
    let s: StopInfo | null;
    while (!(s = d.runFor(5000)));
    if (s.reason === 'exited') return { stdout, stderr, status: statusText(s.status.code, s.status.signal), stops };
    assert.equal(s.reason, 'exception', `${e.id}: unexpected stop ${JSON.stringify(s, (_k, v) => typeof v === 'bigint' ? `0x${v.toString(16)}` : v)}`);
    assert.ok(++stops < 200, `${e.id}: more than 200 stops`);
  }
}

const usable = (e: CorpusEntry | undefined): e is CorpusEntry => !!e && (e.build?.status === 'built' || e.build?.status === 'cached');

describe('corpus under the debugger (every exception filter on, continued after each stop) = bare runtime', () => {
  for (const [label, historySize, vm] of [['no history', 0, false], ['history', 200_000, false], ['history, in a VM with swap', 200_000, true]] as const) {
    test(label, t => {
      const list = entries.map(x => built.find(b => b.id === x.id)).filter(usable);
      if (list.length === 0) return t.skip('no corpus binary could be built (toolchains missing)');
      // The VM run with history is the slowest: every program of one variant per source is enough there.
      const chosen = vm ? list.filter(e => e.variant === 'gcc-O2' || e.variant === 'gas' || e.variant === 'gcc-S') : list;
      let stops = 0;
      const faulting: string[] = [];
      for (const e of chosen) {
        const want = bare(e);
        const got = debugged(e, historySize, vm);
        assert.deepEqual({ stdout: got.stdout, stderr: got.stderr, status: got.status }, want, `${e.id} (${label})`);
        stops += got.stops;
        if (want.status === 'signal 11' || want.status === 'signal 7' || want.status === 'signal 4' || want.status === 'signal 6') faulting.push(e.id);
      }
      t.diagnostic(`${chosen.length} programs, ${stops} exception stops, ${faulting.length} end by a signal`);
      // The stops really happen: at least one per program that dies of a fault or abort.
      assert.ok(stops >= faulting.length, `${stops} stops for ${faulting.length} programs that die of a signal`);
      assert.ok(stops > 0);
    });
  }
});
