// Differential test against QEMU for the FP/SIMD groups: programs of random encodings of every
// FP/SIMD data-processing spec (scalar FP, vector and scalar SIMD integer and FP, moves, permutes,
// tables, immediates) on registers loaded with random data rich in edge values (±0, ±inf, quiet and
// signalling NaNs with payloads, denormals, ties, values at integer-conversion limits), under random
// FPCR settings (all four rounding modes, FZ, DN, AHP, FZ16), plus random LD1-LD4/ST1-ST4 structure
// loads and stores. After every block the GPRs, NZCV, all 32 vector registers, FPSR and FPCR (and
// for the load/store programs a data buffer) are written to stdout; the program runs under
// `qemu-aarch64 -cpu max` and on our CPU, and the outputs must be identical byte for byte.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fpSpecs } from '../../emulator/isa/groups/fp';
import { simdFpSpecs } from '../../emulator/isa/groups/simd-fp';
import { simdIntSpecs } from '../../emulator/isa/groups/simd-int';
import { simdLdstSpecs } from '../../emulator/isa/groups/simd-ldst';
import { simdMoveSpecs } from '../../emulator/isa/groups/simd-move';
import { A64 } from '../../emulator/isa/table';
import type { InsnSpec } from '../../emulator/isa/spec';
import { missingTools, runOk, tmpDir } from '../tools';
import { TestMachine } from './cpu-harness';
import { rng, specWords } from './sweep';

const AS = 'aarch64-linux-gnu-as', LD = 'aarch64-linux-gnu-ld', QEMU = 'qemu-aarch64';
const hex8 = (w: number): string => '0x' + (w >>> 0).toString(16).padStart(8, '0');
const dis = (w: number): string => A64.disassemble(w, { pc: 0 }).text.replace(/\s+/g, ' ');

// ---- random data ---------------------------------------------------------------------------------------

const S_EDGES = [
  0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00001, 0xff812345, 0x7fd23456, 0x7f800001,
  0x00000001, 0x80000001, 0x007fffff, 0x00400000, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000,
  0x3f000000, 0xbf000000, 0x40200000, 0xc0200000, 0x3fc00000, 0x40600000, 0x4f000000, 0xcf000000, 0x4f800000, 0x5f000000,
  0xdf000000, 0x5f800000, 0x4b000001, 0x4b7fffff, 0x3eaaaaab, 0x33800000, 0x0c000000, 0x72000000, 0x4effffff, 0xcf000001,
  0x40490fdb, 0x3f7fffff, 0x00800001, 0x7effffff, 0x1f800000, 0x5effffff,
];
const D_EDGES = [
  0x0000000000000000n, 0x8000000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n, 0xfff8000000000000n,
  0x7ff4000000000001n, 0xfff0000012345678n, 0x7ffc0000deadbeefn, 0x0000000000000001n, 0x8000000000000001n, 0x000fffffffffffffn,
  0x0010000000000000n, 0x7fefffffffffffffn, 0xffefffffffffffffn, 0x3ff0000000000000n, 0xbff0000000000000n, 0x3fe0000000000000n,
  0x4004000000000000n, 0xc004000000000000n, 0x3ff8000000000000n, 0x41e0000000000000n, 0xc1e0000000000000n, 0x41dfffffffc00000n,
  0x41efffffffe00000n, 0x43e0000000000000n, 0xc3e0000000000000n, 0x43f0000000000000n, 0x4330000000000001n, 0x3fd5555555555555n,
  0x36a0000000000000n, 0x3810000000000000n, 0x380fffffffffffffn, 0x47efffffe0000000n, 0x47efffff00000000n, 0x3e70000000000000n,
  0x400921fb54442d18n, 0x3fefffffffffffffn, 0x0010000000000001n, 0x7fe0000000000000n, 0x4340000000000000n, 0x3ff0000010000000n,
  0x3ff0000020000000n, 0x3ff0000030000000n, 0x7e37e43c8800759cn, 0x01a56e1fc2f8f359n,
];
const H_EDGES = [0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7d01, 0x7c01, 0x0001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x3c00, 0xbc00, 0x3800, 0x4100, 0x3555, 0x5bff, 0x0200];
const INT_EDGES = [0n, 1n, 0xffn, 0x7fn, 0x80n, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn];

/** A "nice" random float near 1 (so arithmetic rounds in interesting ways and stays finite). */
function niceS(next: () => number): number {
  const sign = next() & 1, exp = 127 + (next() % 16) - 8, frac = next() & 0x7fffff;
  return ((sign << 31) | (exp << 23) | (next() % 3 === 0 ? frac & 0x7f0000 : frac)) >>> 0;
}
function niceD(next: () => number): bigint {
  const sign = BigInt(next() & 1), exp = BigInt(1023 + (next() % 40) - 20);
  const frac = ((BigInt(next()) << 20n) | BigInt(next() & 0xfffff)) & 0xfffffffffffffn;
  return (sign << 63n) | (exp << 52n) | (next() % 3 === 0 ? frac & 0xff00000000000n : frac);
}

function randomVector(next: () => number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  const mode = next() % 8;
  for (let i = 0; i < 16; i++) b[i] = next() & 0xff;
  switch (mode) {
    case 0: case 1: for (let i = 0; i < 4; i++) v.setUint32(i * 4, next() % 2 ? S_EDGES[next() % S_EDGES.length] : niceS(next), true); break;
    case 2: case 3: for (let i = 0; i < 2; i++) v.setBigUint64(i * 8, next() % 2 ? D_EDGES[next() % D_EDGES.length] : niceD(next), true); break;
    case 4: for (let i = 0; i < 8; i++) v.setUint16(i * 2, H_EDGES[next() % H_EDGES.length], true); break;
    case 5: {
      const es = 1 << (next() % 4);
      for (let i = 0; i < 16; i += es) {
        const e = INT_EDGES[next() % INT_EDGES.length];
        for (let k = 0; k < es; k++) b[i + k] = Number((e >> BigInt(8 * k)) & 0xffn);
      }
      break;
    }
    case 6: for (let i = 0; i < 16; i++) b[i] = next() % 4 === 0 ? 0 : next() % 3 === 0 ? 0x20 : next() & 0x7f; break; // string-like bytes
    default: break; // random bits
  }
  return b;
}

function randomGpr(next: () => number): bigint {
  const r = next() % 6;
  if (r === 0) return INT_EDGES[next() % INT_EDGES.length];
  if (r === 1) return BigInt(S_EDGES[next() % S_EDGES.length]);
  if (r === 2) return D_EDGES[next() % D_EDGES.length];
  if (r === 3) return BigInt(next() % 1000) - 500n & 0xffffffffffffffffn;
  return (BigInt(next()) << 32n) | BigInt(next());
}

function movImm(reg: number, v: bigint): string[] {
  const out = [`movz x${reg}, #0x${(v & 0xffffn).toString(16)}`];
  for (let s = 16; s < 64; s += 16) out.push(`movk x${reg}, #0x${((v >> BigInt(s)) & 0xffffn).toString(16)}, lsl #${s}`);
  return out;
}

function randomFpcr(next: () => number): number {
  let v = (next() % 4) << 22;
  if (next() % 4 === 0) v |= 1 << 24; // FZ
  if (next() % 4 === 0) v |= 1 << 25; // DN
  if (next() % 8 === 0) v |= 1 << 26; // AHP
  if (next() % 5 === 0) v |= 1 << 19; // FZ16
  return v;
}

// ---- program generation ----------------------------------------------------------------------------------

/** Registers, NZCV, vectors, FPSR, FPCR, then the FPSR after each instruction of the block. */
const PER_BLOCK_MAX = 16;
const DUMP = 784 + 8 * PER_BLOCK_MAX;
/** x28 holds the dump area; every GPR and flag is saved there, the vectors after it. */
function dump(extraBuffer = 0): string[] {
  const l: string[] = [];
  for (let r = 0; r < 28; r += 2) l.push(`stp x${r}, x${r + 1}, [x28, #${r * 8}]`);
  l.push('stp x28, x29, [x28, #224]', 'mrs x0, nzcv', 'stp x30, x0, [x28, #240]', 'add x0, x28, #256');
  for (let r = 0; r < 32; r += 4) l.push(`st1 {v${r}.16b-v${r + 3}.16b}, [x0], #64`);
  l.push('mrs x1, fpsr', 'mrs x2, fpcr', 'str x1, [x28, #768]', 'str x2, [x28, #776]');
  l.push('mov x0, #1', 'mov x1, x28', `mov x2, #${DUMP}`, 'mov x8, #64', 'svc #0');
  if (extraBuffer) l.push('mov x0, #1', 'adrp x1, buf', 'add x1, x1, :lo12:buf', `mov x2, #${extraBuffer}`, 'mov x8, #64', 'svc #0');
  l.push('ldp x0, x1, [x28]', 'ldr x2, [x28, #16]', 'ldr x8, [x28, #64]', 'msr fpsr, xzr');
  return l;
}

interface Program { source: string; blocks: number[][] }

function loadVectors(label: string): string[] {
  const l = [`adrp x0, ${label}`, `add x0, x0, :lo12:${label}`];
  for (let r = 0; r < 32; r += 4) l.push(`ld1 {v${r}.16b-v${r + 3}.16b}, [x0], #64`);
  return l;
}

function dataBlock(label: string, next: () => number): string[] {
  const l = ['.balign 16', `${label}:`];
  for (let r = 0; r < 32; r++) l.push('.byte ' + [...randomVector(next)].join(', '));
  return l;
}

const DP_POOL: InsnSpec[] = [...fpSpecs, ...simdMoveSpecs, ...simdIntSpecs, ...simdFpSpecs];

/** Words of a random DP instruction that does not touch x28 (the dump pointer). */
function randomDp(next: () => number, pool: InsnSpec[]): number {
  for (;;) {
    const spec = pool[next() % pool.length];
    const { valid } = specWords(spec, 1, 0, next);
    if (!valid.length) continue;
    const t = dis(valid[0]);
    if (/\b[xw]2[78]\b/.test(t)) continue;
    // QEMU 7.2 sign-extends the 16-bit result of scalar FCVTZS/FCVTZU (fixed-point) from half
    // precision into bits [31:16]; the architecture zero-extends (we do). Not compared.
    if (/^fcvtz[su] h\d+, h\d+, #/.test(t)) continue;
    return valid[0];
  }
}

function generateDp(seed: number, blocks: number, perBlock: number, pool: InsnSpec[]): Program {
  const next = rng(seed * 7919 + 13);
  const nData = 4;
  const lines = ['.text', '.global _start', '_start:', 'adrp x28, dumparea', 'add x28, x28, :lo12:dumparea', 'msr fpsr, xzr', 'msr fpcr, xzr', 'msr nzcv, xzr'];
  for (let r = 0; r < 28; r++) lines.push(...movImm(r, randomGpr(next)));
  lines.push(...movImm(29, randomGpr(next)), ...movImm(30, randomGpr(next)));
  lines.push(...loadVectors('vdata0'));
  lines.push(...movImm(0, randomGpr(next)));
  lines.push(...dump());
  const out: number[][] = [];
  for (let b = 0; b < blocks; b++) {
    const pre: string[] = [];
    if (b > 0 && b % 6 === 0) {
      pre.push(...loadVectors(`vdata${(b / 6) % nData}`));
      for (const r of [0, 1, 2, 3]) pre.push(...movImm(r, randomGpr(next)));
    }
    if (next() % 3 === 0) pre.push(...movImm(27, BigInt(next() % 4 === 0 ? 0 : randomFpcr(next))), 'msr fpcr, x27');
    if (next() % 4 === 0) pre.push(...movImm(26, BigInt(next() % 16) << 28n), 'msr nzcv, x26');
    const words: number[] = [];
    for (let i = 0; i < perBlock; i++) words.push(randomDp(next, pool));
    out.push(words);
    lines.push(...pre);
    // FPSR after each instruction (x27 is reserved for this), cleared for the next one.
    words.forEach((w, i) => lines.push(`.inst ${hex8(w)}  // ${dis(w)}`, 'mrs x27, fpsr', `str x27, [x28, #${784 + 8 * i}]`, 'msr fpsr, xzr'));
    lines.push(...dump());
  }
  lines.push('mov x0, #0', 'mov x8, #93', 'svc #0', '.data');
  for (let k = 0; k < nData; k++) lines.push(...dataBlock(`vdata${k}`, next));
  lines.push('.bss', '.balign 16', `dumparea: .skip ${DUMP}`);
  return { source: lines.join('\n') + '\n', blocks: out };
}

/** Random structure loads/stores with base x20 -> buf (+ a random offset) and post-index register x21. */
function generateLdst(seed: number, blocks: number, perBlock: number): Program {
  const next = rng(seed * 104729 + 7);
  const BUF = 512;
  const lines = ['.text', '.global _start', '_start:', 'adrp x28, dumparea', 'add x28, x28, :lo12:dumparea', 'msr fpsr, xzr', 'msr nzcv, xzr'];
  for (let r = 0; r < 28; r++) lines.push(...movImm(r, randomGpr(next)));
  lines.push(...loadVectors('vdata0'), ...dump(BUF));
  const out: number[][] = [];
  for (let b = 0; b < blocks; b++) {
    const words: number[] = [];
    const pre: string[] = [];
    for (let i = 0; i < perBlock; i++) {
      const spec = simdLdstSpecs[next() % simdLdstSpecs.length];
      const { valid } = specWords(spec, 1, 0, next);
      if (!valid.length) { i--; continue; }
      // Base register x20, post-index register x21 (if any).
      let w = (valid[0] & ~(31 << 5)) | (20 << 5);
      if (/\], x\d+$/.test(dis(valid[0]))) w = (w & ~(31 << 16)) | (21 << 16);
      w >>>= 0;
      // Rt lists must not include v-registers beyond what we dump: all 32 are dumped, fine.
      pre.push(`adrp x20, buf`, `add x20, x20, :lo12:buf`, `add x20, x20, #${(next() % 16) * 8 + (next() % 2 ? 0 : next() % 8)}`, `mov x21, #${(next() % 8) * 4}`);
      pre.push(`.inst ${hex8(w)}  // ${dis(w)}`);
      words.push(w);
    }
    out.push(words);
    lines.push(...pre, ...dump(BUF));
  }
  lines.push('mov x0, #0', 'mov x8, #93', 'svc #0', '.data');
  lines.push(...dataBlock('vdata0', next));
  lines.push('.balign 16', 'buf:');
  for (let k = 0; k < BUF; k += 16) lines.push('.byte ' + [...randomVector(next)].join(', '));
  lines.push('.bss', '.balign 16', `dumparea: .skip ${DUMP}`);
  return { source: lines.join('\n') + '\n', blocks: out };
}

// ---- running --------------------------------------------------------------------------------------------------

function build(p: Program, dir: string): Uint8Array {
  const s = join(dir, 'p.s'), o = join(dir, 'p.o'), x = join(dir, 'p');
  writeFileSync(s, p.source);
  runOk(AS, ['-march=all', s, '-o', o]);
  runOk(LD, ['-static', '-Ttext=0x400000', o, '-o', x]);
  return new Uint8Array(readFileSync(x));
}

function runQemu(dir: string): Uint8Array {
  const q = spawnSync(QEMU, ['-cpu', 'max', join(dir, 'p')], { timeout: 120_000, maxBuffer: 256 << 20 });
  assert.equal(q.status, 0, `qemu failed: ${q.stderr?.toString()}`);
  return new Uint8Array(q.stdout);
}

function runOurs(elf: Uint8Array): Uint8Array {
  const m = new TestMachine({ stack: false });
  m.loadElf(elf);
  const end = m.run(2_000_000);
  assert.deepEqual(end, { kind: 'exit', code: 0 });
  return new Uint8Array(m.out);
}

const FPSR_BITS = ['IOC', 'DZC', 'OFC', 'UFC', 'IXC', '', '', 'IDC'];
function fpsrText(v: bigint): string {
  const n = Number(v);
  const f = FPSR_BITS.filter((name, i) => name && (n >> i) & 1);
  if ((n >> 27) & 1) f.push('QC');
  return `0x${n.toString(16)} [${f.join(' ')}]`;
}

function explain(p: Program, ours: Uint8Array, theirs: Uint8Array, dumpBytes: number): string {
  const n = Math.min(ours.length, theirs.length);
  for (let off = 0; off < n; off += dumpBytes) {
    const a = ours.subarray(off, off + dumpBytes), b = theirs.subarray(off, off + dumpBytes);
    if (Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0) continue;
    const idx = off / dumpBytes;
    const va = new DataView(a.buffer, a.byteOffset, a.byteLength), vb = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const diffs: string[] = [];
    for (let r = 0; r < 32; r++) {
      const x = va.getBigUint64(r * 8, true), y = vb.getBigUint64(r * 8, true);
      if (x !== y) diffs.push(`${r === 31 ? 'nzcv' : 'x' + r}: ours 0x${x.toString(16)} qemu 0x${y.toString(16)}`);
    }
    for (let r = 0; r < 32; r++) {
      const o = 256 + r * 16;
      const x = Buffer.from(a.subarray(o, o + 16)).toString('hex'), y = Buffer.from(b.subarray(o, o + 16)).toString('hex');
      if (x !== y) diffs.push(`v${r} (bytes, lane 0 first): ours ${x} qemu ${y}`);
    }
    const fx = va.getBigUint64(768, true), fy = vb.getBigUint64(768, true);
    if (fx !== fy) diffs.push(`fpsr: ours ${fpsrText(fx)} qemu ${fpsrText(fy)}`);
    for (let i = 0; i < PER_BLOCK_MAX; i++) {
      const x = va.getBigUint64(784 + 8 * i, true), y = vb.getBigUint64(784 + 8 * i, true);
      if (x !== y) diffs.push(`fpsr after instruction ${i + 1}: ours ${fpsrText(x)} qemu ${fpsrText(y)}`);
    }
    if (va.getBigUint64(776, true) !== vb.getBigUint64(776, true)) diffs.push('fpcr differs');
    for (let k = DUMP; k < dumpBytes; k++) if (a[k] !== b[k]) { diffs.push(`buffer byte ${k - DUMP}: ours ${a[k]} qemu ${b[k]}`); break; }
    const fpcr = Number(vb.getBigUint64(776, true));
    const block = idx === 0 ? [] : p.blocks[idx - 1];
    return `dump ${idx} differs (fpcr 0x${fpcr.toString(16)}):\n  ${diffs.join('\n  ')}\nafter:\n${block.map(w => `  ${hex8(w)} ${dis(w)}`).join('\n')}`;
  }
  return `output lengths differ: ours ${ours.length}, qemu ${theirs.length}`;
}

const missing = missingTools(AS, LD, QEMU);
/** More seeds with TAGVISOR_SIMD_SEEDS=n (the default run stays short). */
const SEEDS = Array.from({ length: Number(process.env.TAGVISOR_SIMD_SEEDS ?? 3) }, (_, i) => i + 1);

describe('random FP/SIMD programs: our CPU vs qemu-aarch64 -cpu max', () => {
  const groups: { name: string; pool: InsnSpec[] }[] = [
    { name: 'scalar FP', pool: fpSpecs },
    { name: 'SIMD moves/permutes/immediates', pool: simdMoveSpecs },
    { name: 'SIMD integer', pool: simdIntSpecs },
    { name: 'SIMD floating point', pool: simdFpSpecs },
    { name: 'all FP/SIMD', pool: DP_POOL },
  ];
  for (const g of groups) {
    for (const seed of SEEDS) {
      it(`${g.name}, seed ${seed}: 60 blocks of 8`, { skip: missing }, () => {
        const p = generateDp(seed + g.name.length * 100, 60, 8, g.pool);
        const dir = tmpDir('tagvisor-simddiff-');
        const elf = build(p, dir);
        const theirs = runQemu(dir), ours = runOurs(elf);
        assert.equal(theirs.length, (p.blocks.length + 1) * DUMP, 'qemu output length');
        assert.ok(Buffer.compare(Buffer.from(ours), Buffer.from(theirs)) === 0, explain(p, ours, theirs, DUMP));
      });
    }
  }
  for (const seed of SEEDS) {
    it(`structure loads/stores, seed ${seed}: 40 blocks of 4`, { skip: missing }, () => {
      const p = generateLdst(seed, 40, 4);
      const dir = tmpDir('tagvisor-simddiff-');
      const elf = build(p, dir);
      const theirs = runQemu(dir), ours = runOurs(elf);
      assert.ok(Buffer.compare(Buffer.from(ours), Buffer.from(theirs)) === 0, explain(p, ours, theirs, DUMP + 512));
    });
  }
});
