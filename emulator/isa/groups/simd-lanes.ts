// Lane drivers for the Advanced SIMD integer instructions: they read elements of the vector
// registers (as numbers for elements up to 32 bits, as BigInt when an element of 64 bits is
// involved), apply an element function and write the results through the scratch register (so a
// destination that is also a source is read before it is written). A 64-bit result clears bits
// [127:64] of the destination; scalar forms clear everything above the element.
import type { Cpu } from '../../cpu/cpu';
import type { Step } from '../spec';
import { QC, T, vregs, type VViews } from './simd-regs';

/** Element function on numbers: a, b (already signed or unsigned as the op wants), element bits e, accumulator d. */
export type NumFn = (a: number, b: number, e: number, c: Cpu, d: number) => number;
/** The same on BigInt (used whenever an element is 64 bits wide). */
export type BigFn = (a: bigint, b: bigint, e: number, c: Cpu, d: bigint) => bigint;

export interface ElemOp {
  /** Inputs read as signed values. */
  signed: boolean;
  n: NumFn;
  b: BigFn;
  /** The accumulator (destination element) is an input. */
  acc?: boolean;
  /**
   * Optional whole-vector kernel for elements up to 32 bits (same results as `n`, no flags): a
   * function literal of its own, so its element loop stays monomorphic in the JIT. Used by the
   * hot ops of string functions and vectorised loops.
   */
  k?: Kernel;
  /** The same for the pairwise form. */
  kp?: Kernel;
}

/** R[i] = f(A[bn + i], A[bm + i]) for i < cnt (pairwise kernels read A[bn + 2i], A[bn + 2i + 1], then Vm). */
export type Kernel = (A: NumArr, bn: number, bm: number, R: NumArr, cnt: number) => void;

// ---- element access ----------------------------------------------------------------------------------

export type NumArr = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

export function numView(V: VViews, s: number, signed: boolean): NumArr {
  switch (s) {
    case 0: return signed ? V.i8 : V.u8;
    case 1: return signed ? V.i16 : V.u16;
    default: return signed ? V.i32 : V.u32;
  }
}
export function bigView(V: VViews, signed: boolean): BigUint64Array | BigInt64Array { return signed ? V.i64 : V.u64; }
/** The unsigned view of the scratch register for element size s. */
export function outView(s: number): NumArr { return s === 0 ? T.u8 : s === 1 ? T.u16 : T.u32; }

/** Element i of register r (size s) as a BigInt, signed or not. */
export function readBig(V: VViews, s: number, signed: boolean, r: number, i: number): bigint {
  if (s === 3) return (signed ? V.i64 : V.u64)[r * 2 + i];
  return BigInt(numView(V, s, signed)[(r << (4 - s)) + i]);
}
export function writeBigT(s: number, i: number, v: bigint): void {
  if (s === 3) T.u64[i] = v;
  else outView(s)[i] = Number(BigInt.asUintN(8 << s, v));
}

/** Copies scratch register 0 to Vd: 16 bytes, or 8 with the upper half cleared. */
export function commit(V: VViews, d: number, bytes: number): void {
  const o = d * 4;
  V.u32[o] = T.u32[0]; V.u32[o + 1] = T.u32[1];
  if (bytes === 16) { V.u32[o + 2] = T.u32[2]; V.u32[o + 3] = T.u32[3]; } else { V.u32[o + 2] = 0; V.u32[o + 3] = 0; }
}
/** Writes scratch element 0 of size s as a scalar: Vd = zero-extended element. */
export function commitScalar(V: VViews, d: number, s: number): void {
  const o = d * 4;
  const lo = s === 3 ? T.u32[0] : s === 2 ? T.u32[0] : s === 1 ? T.u16[0] : T.u8[0];
  V.u32[o] = lo; V.u32[o + 1] = s === 3 ? T.u32[1] : 0; V.u32[o + 2] = 0; V.u32[o + 3] = 0;
}

// ---- saturation --------------------------------------------------------------------------------------

export function satS(v: number, e: number, c: Cpu): number {
  const hi = 2 ** (e - 1) - 1, lo = -(2 ** (e - 1));
  if (v > hi) { c.fpsr |= QC; return hi; }
  if (v < lo) { c.fpsr |= QC; return lo; }
  return v;
}
export function satU(v: number, e: number, c: Cpu): number {
  const hi = 2 ** e - 1;
  if (v > hi) { c.fpsr |= QC; return hi; }
  if (v < 0) { c.fpsr |= QC; return 0; }
  return v;
}
export function satSB(v: bigint, e: number, c: Cpu): bigint {
  const hi = (1n << BigInt(e - 1)) - 1n, lo = -(1n << BigInt(e - 1));
  if (v > hi) { c.fpsr |= QC; return hi; }
  if (v < lo) { c.fpsr |= QC; return lo; }
  return v;
}
export function satUB(v: bigint, e: number, c: Cpu): bigint {
  const hi = (1n << BigInt(e)) - 1n;
  if (v > hi) { c.fpsr |= QC; return hi; }
  if (v < 0n) { c.fpsr |= QC; return 0n; }
  return v;
}

// ---- drivers -------------------------------------------------------------------------------------------

/** Same-size binary (or unary with b ignored): count elements of size s; `scalar` writes one element. */
export function sameStep(op: ElemOp, s: number, count: number, d: number, n: number, m: number, bytes: number, scalar = false): Step {
  const e = 8 << s;
  if (s === 3) {
    return c => {
      const V = vregs(c), A = bigView(V, op.signed);
      for (let i = 0; i < count; i++) T.u64[i] = op.b(A[n * 2 + i], A[m * 2 + i], 64, c, op.acc ? A[d * 2 + i] : 0n);
      if (scalar) commitScalar(V, d, 3); else commit(V, d, bytes);
    };
  }
  const per = 16 >> s;
  const k = op.k;
  if (k && !scalar) {
    return c => {
      const V = vregs(c);
      k(numView(V, s, op.signed), n * per, m * per, outView(s), count);
      commit(V, d, bytes);
    };
  }
  return c => {
    const V = vregs(c), A = numView(V, s, op.signed), R = outView(s);
    const bn = n * per, bm = m * per, bd = d * per;
    for (let i = 0; i < count; i++) R[i] = op.n(A[bn + i], A[bm + i], e, c, op.acc ? A[bd + i] : 0);
    if (scalar) commitScalar(V, d, s); else commit(V, d, bytes);
  };
}

/** Pairwise: element i = op(x[2i], x[2i+1]) over the concatenation Vn:Vm (count elements). */
export function pairStep(op: ElemOp, s: number, count: number, d: number, n: number, m: number, bytes: number): Step {
  const e = 8 << s;
  if (s === 3) {
    return c => {
      const V = vregs(c), A = bigView(V, op.signed);
      T.u64[0] = op.b(A[n * 2], A[n * 2 + 1], 64, c, 0n);
      T.u64[1] = op.b(A[m * 2], A[m * 2 + 1], 64, c, 0n);
      commit(V, d, 16);
    };
  }
  const per = 16 >> s, half = count >> 1;
  const kp = op.kp;
  if (kp) {
    return c => {
      const V = vregs(c);
      kp(numView(V, s, op.signed), n * per, m * per, outView(s), count);
      commit(V, d, bytes);
    };
  }
  return c => {
    const V = vregs(c), A = numView(V, s, op.signed), R = outView(s);
    for (let i = 0; i < half; i++) R[i] = op.n(A[n * per + 2 * i], A[n * per + 2 * i + 1], e, c, 0);
    for (let i = 0; i < half; i++) R[half + i] = op.n(A[m * per + 2 * i], A[m * per + 2 * i + 1], e, c, 0);
    commit(V, d, bytes);
  };
}

/**
 * Mixed widths: result element i (size sd) = op(x, y, ed, c, acc) with x from Vn (size sn, element
 * offset on), y from Vm (size sm, offset om). For `narrow` results, `upper` writes the upper half of
 * Vd keeping the lower (the "2" forms). `count` results.
 */
export function mixedStep(op: ElemOp, sd: number, sn: number, on: number, sm: number, om: number, count: number,
  d: number, n: number, m: number, opts: { upper?: boolean; bytes?: number; scalar?: boolean; eOp?: number } = {}): Step {
  const big = sd === 3 || sn === 3 || sm === 3;
  const ed = opts.eOp ?? 8 << sd;
  const upper = !!opts.upper;
  const bytes = opts.bytes ?? 16;
  if (big) {
    return c => {
      const V = vregs(c);
      if (upper) { T.u32[0] = V.u32[d * 4]; T.u32[1] = V.u32[d * 4 + 1]; }
      const base = upper ? count : 0;
      for (let i = 0; i < count; i++) {
        const x = readBig(V, sn, op.signed, n, on + i), y = readBig(V, sm, op.signed, m, om + i);
        const acc = op.acc ? readBig(V, sd, op.signed, d, i) : 0n;
        writeBigT(sd, base + i, op.b(x, y, ed, c, acc));
      }
      if (opts.scalar) commitScalar(V, d, sd); else commit(V, d, upper ? 16 : bytes);
    };
  }
  return c => {
    const V = vregs(c), X = numView(V, sn, op.signed), Y = numView(V, sm, op.signed), R = outView(sd);
    const D = numView(V, sd, op.signed);
    if (upper) { T.u32[0] = V.u32[d * 4]; T.u32[1] = V.u32[d * 4 + 1]; }
    const base = upper ? count : 0;
    const bn = (n << (4 - sn)) + on, bm = (m << (4 - sm)) + om, bd = d << (4 - sd);
    for (let i = 0; i < count; i++) R[base + i] = op.n(X[bn + i], Y[bm + i], ed, c, op.acc ? D[bd + i] : 0);
    if (opts.scalar) commitScalar(V, d, sd); else commit(V, d, upper ? 16 : bytes);
  };
}

/** By element: x from Vn (size sn, offset on, count), y = the fixed element `mi` of Vm (size sm). */
export function byElemStep(op: ElemOp, sd: number, sn: number, on: number, sm: number, count: number,
  d: number, n: number, m: number, mi: number, opts: { bytes?: number; scalar?: boolean } = {}): Step {
  const big = sd === 3;
  const ed = 8 << sd;
  const bytes = opts.bytes ?? 16;
  if (big) {
    return c => {
      const V = vregs(c);
      const y = readBig(V, sm, op.signed, m, mi);
      for (let i = 0; i < count; i++) {
        const x = readBig(V, sn, op.signed, n, on + i);
        const acc = op.acc ? readBig(V, sd, op.signed, d, i) : 0n;
        writeBigT(sd, i, op.b(x, y, ed, c, acc));
      }
      if (opts.scalar) commitScalar(V, d, sd); else commit(V, d, bytes);
    };
  }
  return c => {
    const V = vregs(c), X = numView(V, sn, op.signed), R = outView(sd), D = numView(V, sd, op.signed);
    const y = numView(V, sm, op.signed)[(m << (4 - sm)) + mi];
    const bn = (n << (4 - sn)) + on, bd = d << (4 - sd);
    for (let i = 0; i < count; i++) R[i] = op.n(X[bn + i], y, ed, c, op.acc ? D[bd + i] : 0);
    if (opts.scalar) commitScalar(V, d, sd); else commit(V, d, bytes);
  };
}
