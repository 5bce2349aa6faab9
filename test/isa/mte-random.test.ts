// Differential test against QEMU for tag checking by every load/store form and for the tag
// instructions: blocks of random encodings over a 128 KiB PROT_MTE mapping (MAP_FIXED, so both
// sides use the same addresses) whose first 32 KiB get a fresh tag pattern before every block;
// base registers carry the right tag half of the time. Synchronous mode: every access that faults
// reports signo, si_code and FAR through the handler of mte-prelude.ts and the program resumes at
// the next instruction. Registers are dumped after each block; data and every allocation tag at
// the end. Run under `qemu-aarch64 -cpu max` and our CPU (Linux runtime); outputs must be equal.
//
// Register roles: x0-x7, x11-x15 data; x16, x17 small indexes; x18, x22-x24 bases (writeback by
// any amount); x25, x28 16-byte aligned bases (for the aligned-only forms, written back only by
// multiples of 16); x8-x10, x19, x20 scratch (the handler uses them); x21 mapping base; signal
// delivery sets x29 and x30, so they are not used.
// Left out: SP bases, literal loads (unchecked, covered elsewhere), store exclusives (QEMU's
// monitor compares values), DC GVA/GZVA (QEMU's block is 512 bytes), LDAPUR/STLUR (QEMU 7.2 does
// not tag-check them; the architecture, and we, do: see mte-checks.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ldstSpecs } from '../../emulator/isa/groups/ldst';
import { ldstAtomicSpecs } from '../../emulator/isa/groups/ldst-atomic';
import { mteSpecs } from '../../emulator/isa/groups/mte';
import { LinuxProcess } from '../../emulator/linux/index';
import { compilePattern, extractFields, insertFields, type InsnSpec } from '../../emulator/isa/spec';
import { A64 } from '../../emulator/isa/table';
import { missingTools, runOk, tmpDir } from '../tools';
import { PRELUDE } from './mte-prelude';
import { rng } from './sweep';

const AS = 'aarch64-linux-gnu-as', LD = 'aarch64-linux-gnu-ld', QEMU = 'qemu-aarch64';
const MAP = 0x2_0000_0000, MAP_LEN = 0x20000, PATTERN_GRANULES = 4096;
const DUMPED = [0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 16, 17, 18, 22, 23, 24, 25, 28];

const ALIGNED = new Set([...ldstAtomicSpecs.map(s => s.id), 'STG_post', 'STG_off', 'STG_pre', 'STZG_post', 'STZG_off', 'STZG_pre',
  'ST2G_post', 'ST2G_off', 'ST2G_pre', 'STZ2G_post', 'STZ2G_off', 'STZ2G_pre', 'STGP_post', 'STGP_off', 'STGP_pre']);
const POOL: InsnSpec[] = [
  ...ldstSpecs.filter(s => !/^LDRA|_lit$/.test(s.id)),
  ...ldstAtomicSpecs.filter(s => !/^ST(L)?X(R|P)|^LDAPUR|^STLUR/.test(s.id)),
  ...mteSpecs.filter(s => ALIGNED.has(s.id) || ['LDG', 'ADDG', 'SUBG', 'GMI', 'SUBP', 'SUBPS'].includes(s.id)),
];
const hex8 = (w: number): string => '0x' + (w >>> 0).toString(16).padStart(8, '0');

function randomWord(spec: InsnSpec, next: () => number): number | undefined {
  const p = compilePattern(spec.id, spec.pattern);
  const pick = (pool: number[]) => pool[next() % pool.length];
  const data = [0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 31];
  const even = [0, 2, 4, 6, 12, 14];
  const bases = [18, 22, 23, 24, 25, 28], wbBases = [18, 22, 23, 24], aligned = [25, 28];
  const fp = /_[bhsdq](_|$)/.test(spec.id);
  for (let attempt = 0; attempt < 50; attempt++) {
    const f = extractFields(p, (p.value | (next() & ~p.mask)) >>> 0);
    const wb = /_(pre|post)$/.test(spec.id);
    if (spec.id === 'ADDG' || spec.id === 'SUBG') { const cls = next() % 2 ? aligned : wbBases; f.Rd = pick(cls); f.Rn = pick(cls); }
    else if (spec.id === 'GMI') { f.Rd = pick(data); f.Rn = pick(bases); f.Rm = pick(data); }
    else if (spec.id === 'SUBP' || spec.id === 'SUBPS') { f.Rd = pick(data); f.Rn = pick(bases); f.Rm = pick(bases); }
    else {
      if ('Rn' in f) f.Rn = ALIGNED.has(spec.id) ? pick(aligned) : wb ? pick(wbBases) : pick(bases);
      if ('Rm' in f) f.Rm = pick([16, 17, 31]);
      const casp = spec.id.startsWith('CASP');
      if ('Rs' in f) f.Rs = casp ? pick(even) : pick(data);
      if ('Rt' in f && !spec.id.startsWith('PRFM') && !fp) f.Rt = casp ? pick(even) : pick(data.slice(0, -1));
      if ('Rt2' in f && !fp) f.Rt2 = pick(data);
      if ('Rt2' in f && f.Rt === f.Rt2 && /^LD/.test(spec.id)) continue;
      // Bounded writeback keeps the bases inside the mapping (at most 12 x 1 KiB per block).
      if (wb && /^(STG|STZG|ST2G|STZ2G)_/.test(spec.id) && Math.abs(f.imm9 >= 256 ? f.imm9 - 512 : f.imm9) > 64) continue;
      if (spec.id.startsWith('LDAPUR') || spec.id.startsWith('STLUR')) {
        const v = f.imm9 >= 256 ? f.imm9 - 512 : f.imm9;
        if (v % (1 << (p.value >>> 30)) !== 0) continue;
      }
    }
    const word = insertFields(spec.id, p, f);
    const d = A64.decode(word);
    if (d && d.spec === spec) return word;
  }
  return undefined;
}

const movImm = (reg: number, v: bigint): string[] => {
  const out = [`movz x${reg}, #0x${(v & 0xffffn).toString(16)}`];
  for (let s = 16; s < 64; s += 16) out.push(`movk x${reg}, #0x${((v >> BigInt(s)) & 0xffffn).toString(16)}, lsl #${s}`);
  return out;
};

interface Program { source: string; blocks: number[][] }

function generate(seed: number, nBlocks: number, perBlock: number): Program {
  const next = rng(seed);
  const L: string[] = ['main:', 'prctl_mte 0x7fffb', // ENABLE | SYNC | include all tags (GCR exclude 0)
    ...movImm(0, BigInt(MAP)), `mov x1, #${MAP_LEN}`, 'mov x2, #0x23', 'mov x3, #0x32', 'mov x4, #-1', 'mov x5, #0', 'mov x8, #222', 'svc #0',
    'add x21, x0, #0', 'out x21',
    // Data: an LCG over the whole mapping (through tag 0: tags are still 0 here).
    'add x9, x21, #0', ...movImm(10, BigInt(seed) * 0x9e3779b97f4a7c15n & 0xffff_ffff_ffff_ffffn),
    ...movImm(19, 6364136223846793005n), ...movImm(20, 1442695040888963407n), `mov x8, #${MAP_LEN / 8}`,
    '0: madd x10, x10, x19, x20', 'str x10, [x9], #8', 'subs x8, x8, #1', 'b.ne 0b'];
  const blocks: number[][] = [];
  for (let b = 0; b < nBlocks; b++) {
    // Tag pattern: granule i of the first 64 KiB gets (b + 7 i) & 15.
    L.push('add x9, x21, #0', `mov x10, #${PATTERN_GRANULES}`, `mov x19, #${b}`,
      '3: and x20, x19, #15', 'lsl x20, x20, #56', 'orr x20, x20, x9', 'stg x20, [x20]', 'add x9, x9, #16', 'add x19, x19, #7', 'subs x10, x10, #1', 'b.ne 3b');
    for (const r of [0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) L.push(...movImm(r, (BigInt(next()) << 32n) | BigInt(next())));
    for (const r of [16, 17]) L.push(`mov x${r}, #${next() % 64}`);
    for (const r of [18, 22, 23, 24, 25, 28]) {
      const off = r === 25 || r === 28 ? 16384 + (next() % 2048) * 16 : 16384 + next() % 32768;
      const right = (b + 7 * (off >> 4)) & 15;
      const tag = next() % 2 ? right : next() % 16;
      L.push(...movImm(r, (BigInt(tag) << 56n) | BigInt(MAP + off)));
    }
    for (let q = 0; q < 32; q += 2) L.push(`movi v${q}.2d, #0xff00ff00ff00ff00`, `movi v${q + 1}.2d, #0x00ff00ff00ff00ff`);
    const words: number[] = [];
    for (let i = 0; i < perBlock; i++) {
      const w = randomWord(POOL[next() % POOL.length], next);
      if (w === undefined) continue;
      words.push(w);
      L.push('catch 1f', `.inst ${hex8(w)}  // ${A64.disassemble(w, { pc: 0 }).text.replace(/\s+/g, ' ')}`, '1:');
    }
    blocks.push(words);
    L.push('adrp x9, dumparea', 'add x9, x9, :lo12:dumparea');
    DUMPED.forEach((r, i) => L.push(`str x${r}, [x9, #${i * 8}]`));
    L.push('str q0, [x9, #256]', 'str q31, [x9, #272]');
    L.push('mov x0, #1', 'add x1, x9, #0', 'mov x2, #288', 'mov x8, #64', 'svc #0');
  }
  // Every allocation tag, one per byte, then the data.
  L.push('adrp x9, tagarea', 'add x9, x9, :lo12:tagarea', 'add x10, x21, #0', `mov x8, #${MAP_LEN / 16}`,
    '4: ldg x19, [x10]', 'lsr x19, x19, #56', 'and x19, x19, #15', 'strb w19, [x9], #1', 'add x10, x10, #16', 'subs x8, x8, #1', 'b.ne 4b',
    'mov x0, #1', 'adrp x1, tagarea', 'add x1, x1, :lo12:tagarea', `mov x2, #${MAP_LEN / 16}`, 'mov x8, #64', 'svc #0',
    // The data, copied granule by granule through the matching tag to untagged memory first.
    'adrp x9, copyarea', 'add x9, x9, :lo12:copyarea', 'add x10, x21, #0', `mov x8, #${MAP_LEN / 16}`,
    '5: ldg x10, [x10]', 'ldp x19, x20, [x10], #16', 'stp x19, x20, [x9], #16', 'subs x8, x8, #1', 'b.ne 5b',
    'mov x0, #1', 'adrp x1, copyarea', 'add x1, x1, :lo12:copyarea', `mov x2, #${MAP_LEN}`, 'mov x8, #64', 'svc #0',
    'done', '.bss', '.balign 16', 'dumparea: .skip 512', `tagarea: .skip ${MAP_LEN / 16}`, `copyarea: .skip ${MAP_LEN}`);
  return { source: PRELUDE + L.join('\n') + '\n', blocks };
}

function explain(p: Program, ours: Buffer, theirs: Buffer): string {
  // Faults make the stream irregular: report the first differing 8-byte word and the block around it.
  let i = 0;
  while (i < Math.min(ours.length, theirs.length) && ours[i] === theirs[i]) i++;
  const w = i - (i % 8);
  const show = (b: Buffer) => Array.from({ length: 6 }, (_, k) => (w + 8 * k + 8 <= b.length ? b.readBigUInt64LE(w + 8 * k).toString(16) : '-')).join(' ');
  return `first difference at output byte ${i} (of ours ${ours.length}, qemu ${theirs.length}):\n  ours ${show(ours)}\n  qemu ${show(theirs)}`;
}

describe('random MTE-checked programs: our CPU vs qemu-aarch64 -cpu max', () => {
  const missing = missingTools(AS, LD, QEMU);
  for (const seed of (process.env.MTE_RANDOM_SEEDS ?? "1,2,3").split(",").map(Number)) {
    it(`seed ${seed}: 40 blocks of 12`, { skip: missing }, () => {
      const p = generate(seed, 40, 12);
      const dir = tmpDir('tagvisor-mterand-');
      const s = join(dir, 'p.s'), o = join(dir, 'p.o'), x = join(dir, 'p');
      writeFileSync(s, p.source);
      runOk(AS, ['-march=armv8.5-a+memtag+lse+rcpc', s, '-o', o]);
      runOk(LD, ['-static', '-Ttext=0x400000', o, '-o', x]);
      const q = spawnSync(QEMU, ['-cpu', 'max', x], { timeout: 60_000, maxBuffer: 64 << 20 });
      assert.equal(q.status, 0, `qemu: status ${q.status} signal ${q.signal}`);
      const theirs = Buffer.from(q.stdout);
      assert.equal(theirs.readBigUInt64LE(8), BigInt(MAP), 'MAP_FIXED honoured by qemu');
      const proc = LinuxProcess.fromBytes(new Uint8Array(readFileSync(x)), { path: x, hostFs: null });
      const chunks: Buffer[] = [];
      proc.on('stdout', d => chunks.push(Buffer.from(d)));
      const r = proc.run(100_000_000);
      const ours = Buffer.concat(chunks);
      assert.ok(r.reason === 'exit' && r.status.code === 0, `ours: ${JSON.stringify(r.reason === 'exit' ? { ...r.status, regs: undefined } : r)}`);
      if (!ours.equals(theirs)) {
        const faults = (theirs.length - 16 - 40 * 288 - MAP_LEN / 16 - MAP_LEN - 8) / 32;
        assert.fail(`${explain(p, ours, theirs)}\n(qemu reported about ${faults} faults)`);
      }
    });
  }
});
