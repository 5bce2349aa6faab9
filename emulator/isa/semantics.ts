// Shared helpers for instruction semantics (flags, masks, register-index mapping, bitmask
// immediates).
//
// Speed notes (measured in a closure-dispatch loop on node 20, see bench/isa-decode.ts): V8 compiles
// `BigInt.asUintN(64, a op b)` / `BigInt.asUintN(32, ...)` with typed-array operands to machine
// integer ops without allocating, for + - * / & | ^ ~ comparisons and shifts by a *literal*
// amount. Conversions between bigint and number (`Number(v)`, `BigInt(n)`) and shifts by a
// variable amount allocate and are 3-5x slower, so closures avoid them on hot paths: shifts by a
// decode-time constant are multiplications / divisions by a captured power of two (`POW2[s]`),
// and sign tests use `BigInt.asIntN(64, v) < 0n`.
import type { Cpu } from '../cpu/cpu';
import { SINK, SP, XZR } from '../cpu/state';

export const M64 = 0xffff_ffff_ffff_ffffn;
export const M32 = 0xffff_ffffn;
export const SIGN64 = 0x8000_0000_0000_0000n;
export const SIGN32 = 0x8000_0000n;

/** 2^i as bigint for i in [0, 64]. */
export const POW2: readonly bigint[] = Array.from({ length: 65 }, (_, i) => 1n << BigInt(i));

/** Register index to read for a field value: 31 reads XZR (0) or SP. */
export const rd31 = (n: number, sp: boolean): number => (n === 31 ? (sp ? SP : XZR) : n);
/** Register index to write for a field value: 31 writes SP or the sink. */
export const wr31 = (n: number, sp: boolean): number => (n === 31 ? (sp ? SP : SINK) : n);

// ---- flags ---------------------------------------------------------------------------------------

/** AddWithCarry for 64-bit operands, setting NZCV; returns the 64-bit result. */
export function addc64(c: Cpu, a: bigint, b: bigint, carry: number): bigint {
  return carry ? adcs64(c, a, b, 1) : adds64(c, a, b);
}

/** AddWithCarry for 32-bit operands (given as numbers in [0, 2^32)), setting NZCV. */
export function addc32(c: Cpu, a: number, b: number, carry: number): number {
  const full = a + b + carry;
  const r = full >>> 0;
  c.nf = r >>> 31;
  c.zf = r === 0 ? 1 : 0;
  c.cf = full > 0xffffffff ? 1 : 0;
  c.vf = ((a ^ r) & (b ^ r)) >>> 31;
  return r;
}

/** a + b (64-bit), setting NZCV. */
export function adds64(c: Cpu, a: bigint, b: bigint): bigint {
  const r = BigInt.asUintN(64, a + b);
  c.nf = BigInt.asIntN(64, r) < 0n ? 1 : 0;
  c.zf = r === 0n ? 1 : 0;
  c.cf = r < a ? 1 : 0;
  c.vf = BigInt.asIntN(64, (a ^ r) & (b ^ r)) < 0n ? 1 : 0;
  return r;
}

/** a - b (64-bit), setting NZCV (C = no borrow). */
export function subs64(c: Cpu, a: bigint, b: bigint): bigint {
  const r = BigInt.asUintN(64, a - b);
  c.nf = BigInt.asIntN(64, r) < 0n ? 1 : 0;
  c.zf = r === 0n ? 1 : 0;
  c.cf = a >= b ? 1 : 0;
  c.vf = BigInt.asIntN(64, (a ^ b) & (a ^ r)) < 0n ? 1 : 0;
  return r;
}

/** a + b + carry (64-bit), setting NZCV. */
export function adcs64(c: Cpu, a: bigint, b: bigint, carry: number): bigint {
  if (carry === 0) return adds64(c, a, b);
  const r = BigInt.asUintN(64, a + b + 1n);
  c.nf = BigInt.asIntN(64, r) < 0n ? 1 : 0;
  c.zf = r === 0n ? 1 : 0;
  c.cf = r <= a ? 1 : 0;
  c.vf = BigInt.asIntN(64, (a ^ r) & (b ^ r)) < 0n ? 1 : 0;
  return r;
}

/** a + b (32-bit; operands are bigints < 2^32), setting NZCV. */
export function adds32(c: Cpu, a: bigint, b: bigint): bigint {
  const r = BigInt.asUintN(32, a + b);
  c.nf = r >= SIGN32 ? 1 : 0;
  c.zf = r === 0n ? 1 : 0;
  c.cf = r < a ? 1 : 0;
  c.vf = ((a ^ r) & (b ^ r)) >= SIGN32 ? 1 : 0;
  return r;
}

/** a - b (32-bit; operands are bigints < 2^32), setting NZCV. */
export function subs32(c: Cpu, a: bigint, b: bigint): bigint {
  const r = BigInt.asUintN(32, a - b);
  c.nf = r >= SIGN32 ? 1 : 0;
  c.zf = r === 0n ? 1 : 0;
  c.cf = a >= b ? 1 : 0;
  c.vf = ((a ^ b) & (a ^ r)) >= SIGN32 ? 1 : 0;
  return r;
}

/** a + b + carry (32-bit; operands are bigints < 2^32), setting NZCV. */
export function adcs32(c: Cpu, a: bigint, b: bigint, carry: number): bigint {
  if (carry === 0) return adds32(c, a, b);
  const r = BigInt.asUintN(32, a + b + 1n);
  c.nf = r >= SIGN32 ? 1 : 0;
  c.zf = r === 0n ? 1 : 0;
  c.cf = r <= a ? 1 : 0;
  c.vf = ((a ^ r) & (b ^ r)) >= SIGN32 ? 1 : 0;
  return r;
}

/** N and Z from a 64-bit result, C = V = 0 (logical ops that set flags). */
export function nz64(c: Cpu, r: bigint): bigint {
  c.nf = BigInt.asIntN(64, r) < 0n ? 1 : 0;
  c.zf = r === 0n ? 1 : 0;
  c.cf = 0; c.vf = 0;
  return r;
}

/** N and Z from a 32-bit result (bigint < 2^32), C = V = 0. */
export function nz32(c: Cpu, r: bigint): bigint {
  c.nf = r >= SIGN32 ? 1 : 0;
  c.zf = r === 0n ? 1 : 0;
  c.cf = 0; c.vf = 0;
  return r;
}

/** Sets NZCV from a 4-bit value (N = bit 3). */
export function setNzcv(c: Cpu, nzcv: number): void {
  c.nf = (nzcv >> 3) & 1; c.zf = (nzcv >> 2) & 1; c.cf = (nzcv >> 1) & 1; c.vf = nzcv & 1;
}

/** ConditionHolds for a 4-bit condition code. */
export function condHolds(c: Cpu, cond: number): boolean {
  let r: boolean;
  switch (cond >> 1) {
    case 0: r = c.zf === 1; break;
    case 1: r = c.cf === 1; break;
    case 2: r = c.nf === 1; break;
    case 3: r = c.vf === 1; break;
    case 4: r = c.cf === 1 && c.zf === 0; break;
    case 5: r = c.nf === c.vf; break;
    case 6: r = c.nf === c.vf && c.zf === 0; break;
    default: return true;
  }
  return (cond & 1) === 1 && cond !== 15 ? !r : r;
}

/** A closure testing one condition, specialised at decode time (no switch at run time). */
export function condTest(cond: number): (c: Cpu) => boolean {
  switch (cond) {
    case 0: return c => c.zf === 1;
    case 1: return c => c.zf === 0;
    case 2: return c => c.cf === 1;
    case 3: return c => c.cf === 0;
    case 4: return c => c.nf === 1;
    case 5: return c => c.nf === 0;
    case 6: return c => c.vf === 1;
    case 7: return c => c.vf === 0;
    case 8: return c => c.cf === 1 && c.zf === 0;
    case 9: return c => !(c.cf === 1 && c.zf === 0);
    case 10: return c => c.nf === c.vf;
    case 11: return c => c.nf !== c.vf;
    case 12: return c => c.zf === 0 && c.nf === c.vf;
    case 13: return c => !(c.zf === 0 && c.nf === c.vf);
    default: return () => true;
  }
}

// ---- values --------------------------------------------------------------------------------------

/** Sign-extends the low `bits` of v (a bigint) to 64 bits (result unsigned). */
export const sext64 = (v: bigint, bits: number): bigint => BigInt.asUintN(64, BigInt.asIntN(bits, v));
/** Signed value of a field. */
export const sfield = (v: number, bits: number): number => (v >= 2 ** (bits - 1) ? v - 2 ** bits : v);

/** Rotate right of a `size`-bit value (bigint < 2^size) by `r` (0 <= r < size). */
export function rorN(v: bigint, r: number, size: number): bigint {
  if (r === 0) return v;
  return ((v >> BigInt(r)) | (v << BigInt(size - r))) & (POW2[size] - 1n);
}

/** Replicates a `size`-bit element across 64 bits. */
export function replicate(v: bigint, size: number): bigint {
  let r = 0n;
  for (let i = 0; i < 64; i += size) r |= v << BigInt(i);
  return r;
}

/**
 * DecodeBitMasks (Arm ARM): the wmask and tmask of a logical immediate or bitfield instruction,
 * for a register of `dataSize` bits; undefined when the encoding is reserved.
 */
export function decodeBitMasks(n: number, imms: number, immr: number, immediate: boolean, dataSize: 32 | 64): { wmask: bigint; tmask: bigint } | undefined {
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return undefined;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return undefined;
  const esize = 1 << len;
  if (esize > dataSize) return undefined;
  const levels = esize - 1;
  if (immediate && (imms & levels) === levels) return undefined;
  const s = imms & levels, r = immr & levels;
  const d = (s - r) & levels;
  const welem = POW2[s + 1] - 1n;
  const telem = POW2[d + 1] - 1n;
  const wm = replicate(rorN(welem, r, esize), esize);
  const tm = replicate(telem, esize);
  const mask = dataSize === 64 ? M64 : M32;
  return { wmask: wm & mask, tmask: tm & mask };
}

/** The value of a logical immediate (N:immr:imms) for a `dataSize`-bit register, or undefined if reserved. */
export function logicalImmValue(n: number, immr: number, imms: number, dataSize: 32 | 64): bigint | undefined {
  if (dataSize === 32 && n !== 0) return undefined;
  return decodeBitMasks(n, imms, immr, true, dataSize)?.wmask;
}

/** Encodes a value as a logical immediate for a `dataSize`-bit register: {n, immr, imms} or undefined. */
export function encodeLogicalImm(value: bigint, dataSize: 32 | 64): { n: number; immr: number; imms: number } | undefined {
  const mask = dataSize === 64 ? M64 : M32;
  let v = value & mask;
  if (v === 0n || v === mask) return undefined;
  if (dataSize === 32) v = v | (v << 32n);
  // Smallest element size whose replication gives v.
  let size = 64;
  while (size > 2) {
    const half = size / 2;
    const m = POW2[half] - 1n;
    if ((v & m) !== ((v >> BigInt(half)) & m)) break;
    size = half;
  }
  const emask = POW2[size] - 1n;
  const elem = v & emask;
  // elem must be a rotated run of ones: find rotation r such that rotating left by r gives 0..01..1.
  const ones = popcount64(elem);
  const run = POW2[ones] - 1n;
  for (let r = 0; r < size; r++) {
    // ROR(run, r) === elem ?
    if (rorN(run, r, size) === elem) {
      const immsHigh = size === 64 ? 0 : (~(size * 2 - 1) & 0x3f) & 0x3f;
      const imms = (immsHigh | (ones - 1)) & 0x3f;
      return { n: size === 64 ? 1 : 0, immr: r, imms };
    }
  }
  return undefined;
}

export function popcount64(v: bigint): number {
  let n = 0;
  let lo = Number(v & M32), hi = Number((v >> 32n) & M32);
  while (lo) { lo &= lo - 1; n++; }
  while (hi) { hi &= hi - 1; n++; }
  return n;
}

/** True when v (within the width) can be made by one MOVZ (binutils' aarch64_wide_constant_p). */
export function isWideConstant(v: bigint, is32: boolean): boolean {
  let x = BigInt.asUintN(64, v);
  if (is32) {
    const hi = x >> 32n;
    if (hi !== 0n && hi !== M32) return false;
    x &= M32;
  }
  const shifts = is32 ? [0n, 16n] : [0n, 16n, 32n, 48n];
  return shifts.some(s => (x & (0xffffn << s)) === x);
}
