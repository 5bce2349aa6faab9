// Differential test against QEMU: blocks of random load/store encodings (every addressing mode,
// size, extension, pair, FP/SIMD form, ordered and atomic access, tag stores on untagged memory,
// literal loads) over a 256 KiB buffer of pseudo-random data, with a dump of X0-X27 and V0-V31
// after every block and of the whole buffer at the end, built with GNU as/ld and run under
// `qemu-aarch64 -cpu max` and under our CPU (the Linux runtime). The outputs must be identical.
//
// Register roles keep the random programs inside the buffer: x0-x15 data (any Rt/Rt2/Rs),
// x17-x19 small indexes (Rm), x20-x25 bases that may be written back by any amount, x26-x27
// 16-byte aligned bases for the aligned-only forms (atomics, ordered, exclusives, tag stores; only
// tag stores write them back, by multiples of 16), x28 = middle of the buffer, x29 = dump area.
// Store-exclusive forms are left to the directed tests (QEMU's monitor compares values).
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
import { rng } from './sweep';

const AS = 'aarch64-linux-gnu-as', LD = 'aarch64-linux-gnu-ld', QEMU = 'qemu-aarch64';
const BUF = 256 * 1024;
const REG_DUMP = 28 * 8 + 32 * 16;

const isLiteral = (s: InsnSpec): boolean => /_lit$/.test(s.id);
const ALIGNED = new Set(ldstAtomicSpecs.map(s => s.id));
const TAG_STORES = mteSpecs.filter(s => /^(STG|STZG|ST2G|STZ2G|STGP)_/.test(s.id));
const POOL: InsnSpec[] = [
  ...ldstSpecs.filter(s => !/^LDRA/.test(s.id)),
  ...ldstAtomicSpecs.filter(s => !/^ST(L)?X(R|P)/.test(s.id)),
  ...TAG_STORES,
  ...mteSpecs.filter(s => s.id === 'LDG'),
];
for (const s of TAG_STORES) ALIGNED.add(s.id);

const hex8 = (w: number): string => '0x' + (w >>> 0).toString(16).padStart(8, '0');

function movImm(reg: number, v: bigint): string[] {
  const out = [`movz x${reg}, #0x${(v & 0xffffn).toString(16)}`];
  for (let s = 16; s < 64; s += 16) out.push(`movk x${reg}, #0x${((v >> BigInt(s)) & 0xffffn).toString(16)}, lsl #${s}`);
  return out;
}

/** A random encoding of `spec` with registers assigned by role; undefined if it cannot be made safe. */
function randomWord(spec: InsnSpec, next: () => number): number | undefined {
  const p = compilePattern(spec.id, spec.pattern);
  for (let attempt = 0; attempt < 50; attempt++) {
    let word = (p.value | (next() & ~p.mask)) >>> 0;
    const f = extractFields(p, word);
    const fp = spec.id.includes('_b') || spec.id.includes('_h') || spec.id.includes('_s') || spec.id.includes('_d') || spec.id.includes('_q');
    const pick = (pool: number[]) => pool[next() % pool.length];
    const data = Array.from({ length: 16 }, (_, i) => i).concat([31]);
    const even = [0, 2, 4, 6, 8, 10, 12, 14];
    const aligned = ALIGNED.has(spec.id);
    const wb = /_(pre|post)$/.test(spec.id);
    if ('Rn' in f) f.Rn = aligned ? pick([26, 27]) : wb ? pick([20, 21, 22, 23, 24, 25]) : pick([20, 21, 22, 23, 24, 25, 26, 27]);
    if ('Rm' in f) f.Rm = pick([17, 18, 19, 31]);
    const isCasp = spec.id.startsWith('CASP');
    if ('Rs' in f) f.Rs = isCasp ? pick(even) : pick(data);
    if ('Rt' in f && !spec.id.startsWith('PRFM') && !fp) f.Rt = isCasp ? pick(even) : /^(STG|STZG|ST2G|STZ2G)_/.test(spec.id) ? pick(data.slice(0, 16)) : pick(data);
    if ('Rt2' in f && !fp) f.Rt2 = pick(data);
    // Loads into the same register twice are CONSTRAINED UNPREDICTABLE.
    if ('Rt2' in f && f.Rt === f.Rt2 && /^LD/.test(spec.id)) continue;
    if (spec.id.startsWith('LDAPUR') || spec.id.startsWith('STLUR')) {
      const size = 1 << (word >>> 30);
      const v = f.imm9 >= 256 ? f.imm9 - 512 : f.imm9;
      if (v % size !== 0) continue;
    }
    word = insertFields(spec.id, p, f);
    const d = A64.decode(word);
    if (d && d.spec === spec) return word;
  }
  return undefined;
}

interface Program { source: string; blocks: number[][] }

function generate(seed: number, blocks: number, perBlock: number): Program {
  const next = rng(seed);
  const lines = [
    '.text', '.global _start', '_start:',
    'adrp x28, buf', 'add x28, x28, :lo12:buf', `add x28, x28, #${BUF / 2 / 4096}, lsl #12`,
    'adrp x29, dumparea', 'add x29, x29, :lo12:dumparea',
    // Fill the buffer with an LCG sequence.
    `sub x0, x28, #${BUF / 2 / 4096}, lsl #12`, ...movImm(1, BigInt(seed) * 0x9e3779b97f4a7c15n & 0xffff_ffff_ffff_ffffn),
    ...movImm(2, 6364136223846793005n), ...movImm(3, 1442695040888963407n), `mov x4, #${BUF / 8}`,
    '0: madd x1, x1, x2, x3', 'str x1, [x0], #8', 'subs x4, x4, #1', 'b.ne 0b',
  ];
  const literals: string[] = [];
  const out: number[][] = [];
  for (let b = 0; b < blocks; b++) {
    for (let r = 0; r < 16; r++) lines.push(...movImm(r, (BigInt(next()) << 32n) | BigInt(next())));
    for (const r of [17, 18, 19]) lines.push(`mov x${r}, #${next() % 256}`);
    for (const r of [20, 21, 22, 23, 24, 25]) {
      const off = (next() % 8192) - 4096;
      lines.push(off < 0 ? `sub x${r}, x28, #${-off}` : `add x${r}, x28, #${off}`);
    }
    for (const r of [26, 27]) {
      const off = ((next() % 512) - 256) * 16;
      lines.push(off < 0 ? `sub x${r}, x28, #${-off}` : `add x${r}, x28, #${off}`);
    }
    for (let q = 0; q < 32; q += 2) lines.push(`ldp q${q}, q${q + 1}, [x28, #${(next() % 32) * 32 - 512}]`);
    const words: number[] = [];
    for (let i = 0; i < perBlock; i++) {
      const spec = POOL[next() % POOL.length];
      if (isLiteral(spec)) {
        const k = literals.length;
        literals.push(`lit${k}: .quad 0x${next().toString(16)}${next().toString(16).padStart(8, '0')}, 0x${next().toString(16)}`);
        const text = A64.disassemble(randomWord(spec, next) ?? 0, { pc: 0 }).text.replace(/\t/, ' ').replace(/, [0-9a-f]+$/, `, lit${k}`);
        lines.push(text);
        words.push(0);
        continue;
      }
      const w = randomWord(spec, next);
      if (w === undefined) continue;
      words.push(w);
      lines.push(`.inst ${hex8(w)}  // ${A64.disassemble(w, { pc: 0 }).text.replace(/\s+/g, ' ')}`);
    }
    out.push(words);
    // Dump x0..x27 and v0..v31, then write(1, dumparea, REG_DUMP).
    for (let r = 0; r < 28; r += 2) lines.push(`stp x${r}, x${r + 1}, [x29, #${r * 8}]`);
    for (let q = 0; q < 32; q += 2) lines.push(`stp q${q}, q${q + 1}, [x29, #${224 + q * 16}]`);
    lines.push('mov x0, #1', 'mov x1, x29', `mov x2, #${REG_DUMP}`, 'mov x8, #64', 'svc #0');
  }
  lines.push(
    'mov x0, #1', `sub x1, x28, #${BUF / 2 / 4096}, lsl #12`, `mov x2, #${BUF / 4096}`, 'lsl x2, x2, #12', 'mov x8, #64', 'svc #0',
    'mov x0, #0', 'mov x8, #93', 'svc #0',
    '.balign 16', ...literals,
    '.bss', '.balign 4096', `buf: .skip ${BUF}`, 'dumparea: .skip 1024',
  );
  return { source: lines.join('\n') + '\n', blocks: out };
}

function explain(p: Program, ours: Buffer, theirs: Buffer): string {
  for (let b = 0; b * REG_DUMP < Math.min(ours.length, theirs.length); b++) {
    const off = b * REG_DUMP;
    if (b >= p.blocks.length) {
      for (let i = off; i < Math.min(ours.length, theirs.length); i++) {
        if (ours[i] !== theirs[i]) return `final buffer differs at byte 0x${(i - off).toString(16)}: ours ${ours[i]}, qemu ${theirs[i]}`;
      }
      break;
    }
    const a = ours.subarray(off, off + REG_DUMP), q = theirs.subarray(off, off + REG_DUMP);
    if (a.equals(q)) continue;
    const diffs: string[] = [];
    for (let r = 0; r < 28; r++) if (!a.subarray(r * 8, r * 8 + 8).equals(q.subarray(r * 8, r * 8 + 8))) diffs.push(`x${r}: ours ${a.readBigUInt64LE(r * 8).toString(16)} qemu ${q.readBigUInt64LE(r * 8).toString(16)}`);
    for (let v = 0; v < 32; v++) {
      const o = 224 + v * 16;
      if (!a.subarray(o, o + 16).equals(q.subarray(o, o + 16))) diffs.push(`v${v}: ours ${a.subarray(o, o + 16).toString('hex')} qemu ${q.subarray(o, o + 16).toString('hex')}`);
    }
    const insns = p.blocks[b].map(w => `  ${w === 0 ? '(literal load)' : `${hex8(w)} ${A64.disassemble(w, { pc: 0 }).text.replace(/\s+/g, ' ')}`}`);
    return `block ${b} differs:\n  ${diffs.join('\n  ')}\nblock:\n${insns.join('\n')}`;
  }
  return `output lengths differ: ours ${ours.length}, qemu ${theirs.length}`;
}

describe('random load/store programs: our CPU vs qemu-aarch64 -cpu max', () => {
  const missing = missingTools(AS, LD, QEMU);
  for (const seed of (process.env.LDST_RANDOM_SEEDS ?? "1,2,3,4").split(",").map(Number)) {
    it(`seed ${seed}: 60 blocks of 10`, { skip: missing }, () => {
      const p = generate(seed, 60, 10);
      const dir = tmpDir('tagvisor-ldstdiff-');
      const s = join(dir, 'p.s'), o = join(dir, 'p.o'), x = join(dir, 'p');
      writeFileSync(s, p.source);
      runOk(AS, ['-march=armv8.5-a+memtag+lse+rcpc', s, '-o', o]);
      runOk(LD, ['-static', '-Ttext=0x400000', o, '-o', x]);
      const q = spawnSync(QEMU, ['-cpu', 'max', x], { timeout: 60_000, maxBuffer: 64 << 20 });
      assert.equal(q.status, 0, `qemu: status ${q.status} signal ${q.signal}`);
      const proc = LinuxProcess.fromBytes(new Uint8Array(readFileSync(x)), { path: x, hostFs: null });
      const chunks: Buffer[] = [];
      proc.on('stdout', d => chunks.push(Buffer.from(d)));
      const r = proc.run(50_000_000);
      const ours = Buffer.concat(chunks);
      assert.ok(r.reason === 'exit' && r.status.code === 0, `ours: ${JSON.stringify(r.reason === 'exit' ? { ...r.status, regs: undefined } : r)}`);
      const theirs = Buffer.from(q.stdout);
      assert.equal(theirs.length, p.blocks.length * REG_DUMP + BUF);
      if (!ours.equals(theirs)) assert.fail(explain(p, ours, theirs));
    });
  }
});
