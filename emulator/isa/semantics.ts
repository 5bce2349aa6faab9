// Shared helpers for instruction semantics (flags, masks, register-index mapping).
import type { Cpu } from '../cpu/cpu';
import { SINK, SP, XZR } from '../cpu/state';

export const M64 = 0xffff_ffff_ffff_ffffn;
export const M32 = 0xffff_ffffn;

/** Register index to read for a field value: 31 reads XZR (0) or SP. */
export const rd31 = (n: number, sp: boolean): number => (n === 31 ? (sp ? SP : XZR) : n);
/** Register index to write for a field value: 31 writes SP or the sink. */
export const wr31 = (n: number, sp: boolean): number => (n === 31 ? (sp ? SP : SINK) : n);

/** AddWithCarry for 64-bit operands, setting NZCV; returns the 64-bit result. */
export function addc64(c: Cpu, a: bigint, b: bigint, carry: number): bigint {
  const full = a + b + BigInt(carry);
  const r = full & M64;
  c.nf = Number(r >> 63n);
  c.zf = r === 0n ? 1 : 0;
  c.cf = full > M64 ? 1 : 0;
  const sa = a >> 63n, sb = b >> 63n;
  c.vf = sa === sb && (r >> 63n) !== sa ? 1 : 0;
  return r;
}

/** AddWithCarry for 32-bit operands (given as numbers in [0, 2^32)), setting NZCV. */
export function addc32(c: Cpu, a: number, b: number, carry: number): number {
  const full = a + b + carry;
  const r = full >>> 0;
  c.nf = r >>> 31;
  c.zf = r === 0 ? 1 : 0;
  c.cf = full > 0xffffffff ? 1 : 0;
  const sa = a >>> 31, sb = b >>> 31;
  c.vf = sa === sb && (r >>> 31) !== sa ? 1 : 0;
  return r;
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

/** Sign-extends the low `bits` of v (a bigint) to 64 bits (result unsigned). */
export const sext64 = (v: bigint, bits: number): bigint => BigInt.asUintN(64, BigInt.asIntN(bits, v));
/** Signed value of a field. */
export const sfield = (v: number, bits: number): number => (v >= 2 ** (bits - 1) ? v - 2 ** bits : v);
