// IEEE 754 arithmetic as AArch64 defines it (the Arm ARM's FPUnpack / FPRound / FPProcessNaNs
// pseudocode): all four FPCR rounding modes plus ties-away and round-to-odd, FPCR.FZ (flush
// denormal inputs with IDC, tiny outputs with UFC), FPCR.DN (default NaN), FPCR.AHP for half
// precision conversions, AArch64 NaN propagation (first signalling NaN, else first quiet NaN, quietened;
// IOC for signalling ones) and the cumulative FPSR flags IOC DZC OFC UFC IXC IDC (tininess is detected
// before rounding, as Arm does).
//
// Values are raw encodings. The general path works on BigInt (exact: every operation is computed
// exactly and rounded once). Hot operations (add, sub, mul, div, sqrt, fma, conversions) have fast
// paths on JS doubles used only when the result is provably the same, including the flags: default
// FPCR (round to nearest, FZ off), no NaN/infinity inputs, results far from the denormal and
// overflow ranges, with the inexact flag computed by error-free transformations.
//
// Not modelled: trapped FP exceptions (the FPCR enable bits are RAZ/WI, as on QEMU and most cores,
// so feenableexcept() fails and exceptions only set FPSR flags) and FEAT_AFP (FPCR.AH/FIZ/NEP).
// Half precision is complete for conversions and the scalar FEAT_FP16 instructions; the Advanced
// SIMD half-precision arithmetic forms are not implemented (ID_AA64PFR0.FP/AdvSIMD stay 0).
import type { Cpu } from '../../cpu/cpu';
import type { VViews } from './simd-regs';

// ---- FPSR / FPCR bits ---------------------------------------------------------------------------------
export const IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 16, IDC = 128;
export const FPCR_AHP = 1 << 26, FPCR_DN = 1 << 25, FPCR_FZ = 1 << 24, FPCR_FZ16 = 1 << 19;
/** FPCR bits that disable the fast paths: RMode and FZ (DN only matters for NaNs, which are slow anyway). */
const FAST_MASK = FPCR_FZ | (3 << 22);

// ---- rounding modes ----------------------------------------------------------------------------------
/** FPCR.RMode values, then the two modes only instructions select. */
export const RN = 0, RP = 1, RM = 2, RZ = 3, RA = 4, RO = 5;
export const fpcrRounding = (fpcr: number): number => (fpcr >>> 22) & 3;

// ---- formats -----------------------------------------------------------------------------------------
export interface Fmt {
  /** Total bits, exponent bits, fraction bits. */
  w: number; e: number; f: number;
  bias: number; emin: number;
  signBit: bigint; expMask: bigint; fracMask: bigint; qbit: bigint; defaultNaN: bigint; inf: bigint; maxNormal: bigint;
  name: 'h' | 's' | 'd';
}
function fmt(name: 'h' | 's' | 'd', w: number, e: number): Fmt {
  const f = w - 1 - e, bias = 2 ** (e - 1) - 1;
  const fracMask = (1n << BigInt(f)) - 1n, expMask = ((1n << BigInt(e)) - 1n) << BigInt(f);
  return {
    name, w, e, f, bias, emin: 1 - bias,
    signBit: 1n << BigInt(w - 1), expMask, fracMask, qbit: 1n << BigInt(f - 1),
    defaultNaN: expMask | (1n << BigInt(f - 1)), inf: expMask, maxNormal: (expMask - (1n << BigInt(f))) | fracMask,
  };
}
export const FH = fmt('h', 16, 5);
export const FS = fmt('s', 32, 8);
export const FD = fmt('d', 64, 11);

// ---- unpacking -----------------------------------------------------------------------------------------
export const ZERO = 0, NUM = 1, INF = 2, QNAN = 3, SNAN = 4;

/** An unpacked value: type, sign, and for NUM the exact value m * 2^e (m > 0). */
export interface Unpacked { t: number; s: number; m: bigint; e: number }

/** FPUnpack: flushes denormal inputs to zero (setting IDC) when `fz`. */
export function unpack(c: Cpu, F: Fmt, raw: bigint, fz: boolean): Unpacked {
  const s = (raw & F.signBit) !== 0n ? 1 : 0;
  const ex = Number((raw & F.expMask) >> BigInt(F.f));
  const fr = raw & F.fracMask;
  if (ex === 0) {
    if (fr === 0n) return { t: ZERO, s, m: 0n, e: 0 };
    // FZ16 flushes half-precision denormals without raising Input Denormal.
    if (fz) { if (F !== FH) c.fpsr |= IDC; return { t: ZERO, s, m: 0n, e: 0 }; }
    return { t: NUM, s, m: fr, e: F.emin - F.f };
  }
  if (ex === 2 ** F.e - 1) {
    if (fr === 0n) return { t: INF, s, m: 0n, e: 0 };
    return { t: (fr & F.qbit) !== 0n ? QNAN : SNAN, s, m: 0n, e: 0 };
  }
  return { t: NUM, s, m: fr | (1n << BigInt(F.f)), e: ex - F.bias - F.f };
}

const fzOf = (c: Cpu, F: Fmt): boolean => (F === FH ? (c.fpcr & FPCR_FZ16) !== 0 : (c.fpcr & FPCR_FZ) !== 0);

export const zeroOf = (F: Fmt, s: number): bigint => (s ? F.signBit : 0n);
export const infOf = (F: Fmt, s: number): bigint => (s ? F.signBit | F.inf : F.inf);
export const isNaNRaw = (F: Fmt, raw: bigint): boolean => (raw & F.expMask) === F.expMask && (raw & F.fracMask) !== 0n;

/** FPProcessNaN: quietens (IOC for a signalling NaN) or gives the default NaN under FPCR.DN. */
export function processNaN(c: Cpu, F: Fmt, t: number, raw: bigint): bigint {
  if (t === SNAN) c.fpsr |= IOC;
  return (c.fpcr & FPCR_DN) !== 0 ? F.defaultNaN : raw | F.qbit;
}

/** FPProcessNaNs: the first signalling NaN, else the first quiet NaN; undefined if neither is a NaN. */
export function processNaNs(c: Cpu, F: Fmt, a: Unpacked, ra: bigint, b: Unpacked, rb: bigint): bigint | undefined {
  if (a.t === SNAN) return processNaN(c, F, SNAN, ra);
  if (b.t === SNAN) return processNaN(c, F, SNAN, rb);
  if (a.t === QNAN) return processNaN(c, F, QNAN, ra);
  if (b.t === QNAN) return processNaN(c, F, QNAN, rb);
  return undefined;
}

function processNaNs3(c: Cpu, F: Fmt, a: Unpacked, ra: bigint, b: Unpacked, rb: bigint, d: Unpacked, rd: bigint): bigint | undefined {
  if (a.t === SNAN) return processNaN(c, F, SNAN, ra);
  if (b.t === SNAN) return processNaN(c, F, SNAN, rb);
  if (d.t === SNAN) return processNaN(c, F, SNAN, rd);
  if (a.t === QNAN) return processNaN(c, F, QNAN, ra);
  if (b.t === QNAN) return processNaN(c, F, QNAN, rb);
  if (d.t === QNAN) return processNaN(c, F, QNAN, rd);
  return undefined;
}

export function defaultNaN(c: Cpu, F: Fmt): bigint { c.fpsr |= IOC; return F.defaultNaN; }

// ---- rounding ---------------------------------------------------------------------------------------------

export function bitLength(m: bigint): number {
  // Number of bits of a positive BigInt.
  let n = 0;
  let x = m;
  while (x >= 0x1_0000_0000n) { x >>= 32n; n += 32; }
  let v = Number(x);
  while (v > 0) { v = Math.floor(v / 2); n++; }
  return n;
}

/**
 * FPRound: rounds sign * m * 2^e (m > 0) to format F with rounding mode `rnd`, flushing tiny results
 * to zero when `fz`, and accumulates OFC/UFC/IXC. Returns the raw encoding.
 */
export function roundTo(c: Cpu, F: Fmt, s: number, m: bigint, e: number, rnd: number, fz: boolean): bigint {
  const nb = bitLength(m);
  const E = e + nb - 1; // value in [2^E, 2^(E+1))
  if (E < F.emin && fz) { c.fpsr |= UFC; return zeroOf(F, s); }
  let q = Math.max(E, F.emin) - F.f; // exponent of the result's unit in the last place
  const shift = q - e;
  let int: bigint;
  let inexact = false;
  if (shift <= 0) int = m << BigInt(-shift);
  else {
    const sh = BigInt(shift);
    int = m >> sh;
    const rem = m - (int << sh);
    if (rem !== 0n) {
      inexact = true;
      const half = 1n << (sh - 1n);
      let up = false;
      switch (rnd) {
        case RN: up = rem > half || (rem === half && (int & 1n) === 1n); break;
        case RA: up = rem >= half; break;
        case RP: up = s === 0; break;
        case RM: up = s === 1; break;
        case RO: int |= 1n; break;
        default: break;
      }
      if (up) {
        int += 1n;
        if (int === 1n << BigInt(F.f + 1)) { int >>= 1n; q += 1; }
      }
    }
  }
  const normal = int >= 1n << BigInt(F.f);
  const biased = normal ? q + F.f + F.bias : 0;
  if (biased >= 2 ** F.e - 1) {
    c.fpsr |= OFC | IXC;
    const toInf = rnd === RN || rnd === RA || (rnd === RP && s === 0) || (rnd === RM && s === 1);
    return (s ? F.signBit : 0n) | (toInf ? F.inf : F.maxNormal);
  }
  if (inexact) {
    c.fpsr |= IXC;
    if (E < F.emin) c.fpsr |= UFC;
  }
  return (s ? F.signBit : 0n) | (BigInt(biased) << BigInt(F.f)) | (int & F.fracMask);
}

/** The sign of an exact zero sum of two operands with different signs: -0 only when rounding down. */
const zeroSumSign = (rnd: number): number => (rnd === RM ? 1 : 0);

// ---- the general (exact, BigInt) operations ------------------------------------------------------------------

function addExact(as: number, am: bigint, ae: number, bs: number, bm: bigint, be: number): { s: number; m: bigint; e: number } {
  const e = Math.min(ae, be);
  const x = am << BigInt(ae - e), y = bm << BigInt(be - e);
  const v = (as ? -x : x) + (bs ? -y : y);
  return v < 0n ? { s: 1, m: -v, e } : { s: 0, m: v, e };
}

/** FPAdd / FPSub. */
export function addSlow(c: Cpu, F: Fmt, ra: bigint, rb: bigint, sub: boolean): bigint {
  const fz = fzOf(c, F);
  const a = unpack(c, F, ra, fz), b = unpack(c, F, rb, fz);
  const n = processNaNs(c, F, a, ra, b, rb);
  if (n !== undefined) return n;
  const bs = sub ? b.s ^ 1 : b.s;
  const rnd = fpcrRounding(c.fpcr);
  if (a.t === INF && b.t === INF && a.s !== bs) return defaultNaN(c, F);
  if (a.t === INF) return infOf(F, a.s);
  if (b.t === INF) return infOf(F, bs);
  if (a.t === ZERO && b.t === ZERO) return zeroOf(F, a.s === bs ? a.s : zeroSumSign(rnd));
  const r = addExact(a.s, a.m, a.e, bs, b.m, b.e);
  if (r.m === 0n) return zeroOf(F, zeroSumSign(rnd));
  return roundTo(c, F, r.s, r.m, r.e, rnd, fz);
}

/** FPMul, or FPMulX (infinity * 0 = ±2.0 without IOC) when `mulx`. */
export function mulSlow(c: Cpu, F: Fmt, ra: bigint, rb: bigint, mulx = false): bigint {
  const fz = fzOf(c, F);
  const a = unpack(c, F, ra, fz), b = unpack(c, F, rb, fz);
  const n = processNaNs(c, F, a, ra, b, rb);
  if (n !== undefined) return n;
  const s = a.s ^ b.s;
  if ((a.t === INF && b.t === ZERO) || (a.t === ZERO && b.t === INF)) {
    if (mulx) return (s ? F.signBit : 0n) | (BigInt(F.bias + 1) << BigInt(F.f));
    return defaultNaN(c, F);
  }
  if (a.t === INF || b.t === INF) return infOf(F, s);
  if (a.t === ZERO || b.t === ZERO) return zeroOf(F, s);
  return roundTo(c, F, s, a.m * b.m, a.e + b.e, fpcrRounding(c.fpcr), fz);
}

export function divSlow(c: Cpu, F: Fmt, ra: bigint, rb: bigint): bigint {
  const fz = fzOf(c, F);
  const a = unpack(c, F, ra, fz), b = unpack(c, F, rb, fz);
  const n = processNaNs(c, F, a, ra, b, rb);
  if (n !== undefined) return n;
  const s = a.s ^ b.s;
  if ((a.t === INF && b.t === INF) || (a.t === ZERO && b.t === ZERO)) return defaultNaN(c, F);
  if (a.t === INF || b.t === ZERO) {
    if (b.t === ZERO && a.t !== INF) c.fpsr |= DZC;
    return infOf(F, s);
  }
  if (a.t === ZERO || b.t === INF) return zeroOf(F, s);
  // Enough quotient bits for rounding (F.f + 3 significant bits), plus a sticky bit.
  const k = Math.max(0, F.f + 3 + bitLength(b.m) - bitLength(a.m));
  const num = a.m << BigInt(k);
  const q = num / b.m, r = num - q * b.m;
  const m = (q << 1n) | (r !== 0n ? 1n : 0n);
  return roundTo(c, F, s, m, a.e - b.e - k - 1, fpcrRounding(c.fpcr), fz);
}

export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  if (x === 0n) x = 1n;
  // Newton from an estimate; then fix up by one.
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

export function sqrtSlow(c: Cpu, F: Fmt, ra: bigint): bigint {
  const fz = fzOf(c, F);
  const a = unpack(c, F, ra, fz);
  if (a.t === SNAN || a.t === QNAN) return processNaN(c, F, a.t, ra);
  if (a.t === ZERO) return zeroOf(F, a.s);
  if (a.s === 1) return defaultNaN(c, F);
  if (a.t === INF) return F.inf;
  let m = a.m, e = a.e;
  // 2*(F.f+3) significant bits under the root gives F.f+3 bits of root.
  let k = Math.max(0, 2 * (F.f + 3) - bitLength(m));
  if ((e - k) % 2 !== 0) k++;
  m <<= BigInt(k); e -= k;
  const r = isqrt(m);
  const sticky = r * r !== m ? 1n : 0n;
  return roundTo(c, F, 0, (r << 1n) | sticky, e / 2 - 1, fpcrRounding(c.fpcr), fz);
}

/** FPMulAdd: addend + op1 * op2 with one rounding (negations are applied by the caller to the raw operands). */
export function fmaSlow(c: Cpu, F: Fmt, rAdd: bigint, r1: bigint, r2: bigint): bigint {
  const fz = fzOf(c, F);
  const a = unpack(c, F, rAdd, fz), x = unpack(c, F, r1, fz), y = unpack(c, F, r2, fz);
  const infZero = (x.t === INF && y.t === ZERO) || (x.t === ZERO && y.t === INF);
  const n = processNaNs3(c, F, a, rAdd, x, r1, y, r2);
  if (a.t === QNAN && infZero) return defaultNaN(c, F);
  if (n !== undefined) return n;
  const ps = x.s ^ y.s;
  const pInf = x.t === INF || y.t === INF, pZero = x.t === ZERO || y.t === ZERO;
  if (infZero || (a.t === INF && pInf && a.s !== ps)) return defaultNaN(c, F);
  const rnd = fpcrRounding(c.fpcr);
  if (a.t === INF) return infOf(F, a.s);
  if (pInf) return infOf(F, ps);
  if (a.t === ZERO && pZero) return zeroOf(F, a.s === ps ? a.s : zeroSumSign(rnd));
  if (pZero) return roundTo(c, F, a.s, a.m, a.e, rnd, fz);
  if (a.t === ZERO) return roundTo(c, F, ps, x.m * y.m, x.e + y.e, rnd, fz);
  const r = addExact(a.s, a.m, a.e, ps, x.m * y.m, x.e + y.e);
  if (r.m === 0n) return zeroOf(F, zeroSumSign(rnd));
  return roundTo(c, F, r.s, r.m, r.e, rnd, fz);
}

/** Compares two unpacked non-NaN values: -1, 0, 1. */
function cmpUnpacked(a: Unpacked, b: Unpacked): number {
  // Order of classes: -inf < negative numbers < zeros < positive numbers < +inf.
  const ka = a.t === ZERO ? 0 : a.t === INF ? (a.s ? -2 : 2) : (a.s ? -1 : 1);
  const kb = b.t === ZERO ? 0 : b.t === INF ? (b.s ? -2 : 2) : (b.s ? -1 : 1);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.t !== NUM) return 0;
  // Same sign: compare magnitudes exactly.
  const e = Math.min(a.e, b.e);
  const x = a.m << BigInt(a.e - e), y = b.m << BigInt(b.e - e);
  const mag = x < y ? -1 : x > y ? 1 : 0;
  return a.s ? -mag : mag;
}

/** FPMax / FPMin / FPMaxNum / FPMinNum. */
export function maxMinSlow(c: Cpu, F: Fmt, ra: bigint, rb: bigint, max: boolean, num: boolean): bigint {
  const fz = fzOf(c, F);
  let a = unpack(c, F, ra, fz), b = unpack(c, F, rb, fz);
  if (num) {
    // A single quiet NaN is replaced by the infinity that loses.
    const lose: Unpacked = { t: INF, s: max ? 1 : 0, m: 0n, e: 0 };
    if (a.t === QNAN && b.t !== QNAN) { a = lose; ra = infOf(F, lose.s); }
    else if (a.t !== QNAN && b.t === QNAN) { b = lose; rb = infOf(F, lose.s); }
  }
  const n = processNaNs(c, F, a, ra, b, rb);
  if (n !== undefined) return n;
  const cmp = cmpUnpacked(a, b);
  if (a.t === ZERO && b.t === ZERO) return zeroOf(F, max ? a.s & b.s : a.s | b.s);
  const takeA = max ? cmp > 0 : cmp < 0;
  const w = takeA ? a : b;
  const rw = takeA ? ra : rb;
  if (w.t === ZERO) return zeroOf(F, w.s);
  if (w.t === INF) return infOf(F, w.s);
  // A number: returned as is (it is exactly representable), or flushed when it was a denormal under FZ.
  return rw;
}

/** FPCompare: NZCV (as a 4-bit number). `signalAll` (FCMPE) raises IOC for quiet NaNs too. */
export function compareSlow(c: Cpu, F: Fmt, ra: bigint, rb: bigint, signalAll: boolean): number {
  const fz = fzOf(c, F);
  const a = unpack(c, F, ra, fz), b = unpack(c, F, rb, fz);
  if (a.t >= QNAN || b.t >= QNAN) {
    if (signalAll || a.t === SNAN || b.t === SNAN) c.fpsr |= IOC;
    return 0b0011;
  }
  const r = cmpUnpacked(a, b);
  return r === 0 ? 0b0110 : r < 0 ? 0b1000 : 0b0010;
}

/** The vector compares: 0 EQ, 1 GE, 2 GT (absolute for FACGE/FACGT when `abs`). */
export function cmpPredSlow(c: Cpu, F: Fmt, ra: bigint, rb: bigint, pred: number, abs: boolean): boolean {
  const fz = fzOf(c, F);
  if (abs) { ra &= ~F.signBit; rb &= ~F.signBit; }
  const a = unpack(c, F, ra, fz), b = unpack(c, F, rb, fz);
  if (a.t >= QNAN || b.t >= QNAN) {
    if (pred !== 0 || a.t === SNAN || b.t === SNAN) c.fpsr |= IOC;
    return false;
  }
  const r = cmpUnpacked(a, b);
  return pred === 0 ? r === 0 : pred === 1 ? r >= 0 : r > 0;
}

// ---- conversions ------------------------------------------------------------------------------------------------

/** FPConvert between formats (FCVT, FCVTL/N, FCVTXN with rnd = RO). */
export function convertSlow(c: Cpu, Fi: Fmt, Fo: Fmt, raw: bigint, rnd = fpcrRounding(c.fpcr)): bigint {
  const ahp = (c.fpcr & FPCR_AHP) !== 0;
  const ahpIn = Fi === FH && ahp, ahpOut = Fo === FH && ahp;
  // Half-precision inputs are never flushed by conversions; single/double follow FPCR.FZ.
  const a = ahpIn ? unpackAHP(raw) : unpack(c, Fi, raw, Fi !== FH && (c.fpcr & FPCR_FZ) !== 0);
  if (a.t === SNAN || a.t === QNAN) {
    if (ahpOut) { c.fpsr |= IOC; return zeroOf(Fo, a.s); }
    if (a.t === SNAN) c.fpsr |= IOC;
    if ((c.fpcr & FPCR_DN) !== 0) return Fo.defaultNaN;
    // Keep the top fraction bits of the payload.
    const frac = raw & Fi.fracMask;
    const payload = Fo.f >= Fi.f ? frac << BigInt(Fo.f - Fi.f) : frac >> BigInt(Fi.f - Fo.f);
    return (a.s ? Fo.signBit : 0n) | Fo.expMask | Fo.qbit | payload;
  }
  if (a.t === INF) {
    if (ahpOut) { c.fpsr |= IOC; return (a.s ? Fo.signBit : 0n) | 0x7fffn; }
    return infOf(Fo, a.s);
  }
  if (a.t === ZERO) return zeroOf(Fo, a.s);
  const fz = Fo !== FH && (c.fpcr & FPCR_FZ) !== 0;
  if (ahpOut) return roundAHP(c, a.s, a.m, a.e, rnd, fz);
  return roundTo(c, Fo, a.s, a.m, a.e, rnd, fz);
}

/** Arm's alternative half precision: no infinities or NaNs, exponent 31 is a normal exponent. */
function unpackAHP(raw: bigint): Unpacked {
  const s = (raw & 0x8000n) !== 0n ? 1 : 0;
  const ex = Number((raw >> 10n) & 31n), fr = raw & 0x3ffn;
  if (ex === 0) return fr === 0n ? { t: ZERO, s, m: 0n, e: 0 } : { t: NUM, s, m: fr, e: -14 - 10 };
  return { t: NUM, s, m: fr | 0x400n, e: ex - 15 - 10 };
}
function roundAHP(c: Cpu, s: number, m: bigint, e: number, rnd: number, fz: boolean): bigint {
  // Like roundTo for a 5-bit exponent whose top value is a normal exponent; overflow saturates with IOC.
  const F = FH;
  const nb = bitLength(m);
  const E = e + nb - 1;
  if (E < F.emin && fz) { c.fpsr |= UFC; return zeroOf(F, s); }
  let q = Math.max(E, F.emin) - F.f;
  const shift = q - e;
  let int = shift <= 0 ? m << BigInt(-shift) : m >> BigInt(shift);
  let inexact = false;
  if (shift > 0) {
    const sh = BigInt(shift), rem = m - (int << sh), half = 1n << (sh - 1n);
    if (rem !== 0n) {
      inexact = true;
      const up = rnd === RN ? rem > half || (rem === half && (int & 1n) === 1n) : rnd === RA ? rem >= half : rnd === RP ? s === 0 : rnd === RM ? s === 1 : false;
      if (rnd === RO) int |= 1n;
      if (up) { int += 1n; if (int === 1n << 11n) { int >>= 1n; q += 1; } }
    }
  }
  const normal = int >= 1n << 10n;
  const biased = normal ? q + F.f + F.bias : 0;
  if (biased > 31) { c.fpsr |= IOC; return (s ? 0x8000n : 0n) | 0x7fffn; }
  if (inexact) { c.fpsr |= IXC; if (E < F.emin) c.fpsr |= UFC; }
  return (s ? 0x8000n : 0n) | (BigInt(biased) << 10n) | (int & 0x3ffn);
}

/**
 * FPToFixed: the value * 2^fbits rounded to an integer of `bits` bits (signed unless `unsigned`),
 * saturating with IOC; IXC when inexact. Returns the integer as an unsigned `bits`-bit BigInt.
 */
export function toFixedSlow(c: Cpu, F: Fmt, raw: bigint, fbits: number, unsigned: boolean, bits: number, rnd: number): bigint {
  const a = unpack(c, F, raw, fzOf(c, F));
  const mask = (1n << BigInt(bits)) - 1n;
  const max = unsigned ? mask : (1n << BigInt(bits - 1)) - 1n;
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  if (a.t === SNAN || a.t === QNAN) { c.fpsr |= IOC; return 0n; }
  if (a.t === INF) { c.fpsr |= IOC; return (a.s ? min : max) & mask; }
  if (a.t === ZERO) return 0n;
  const { int, inexact } = roundToInteger(a.s, a.m, a.e + fbits, rnd);
  if (int > max || int < min) { c.fpsr |= IOC; return (int > max ? max : min) & mask; }
  if (inexact) c.fpsr |= IXC;
  return int & mask;
}

/** Rounds ±m * 2^e to an integer (a signed BigInt) with the rounding mode. */
export function roundToInteger(s: number, m: bigint, e: number, rnd: number): { int: bigint; inexact: boolean } {
  if (e >= 0) { const v = m << BigInt(e); return { int: s ? -v : v, inexact: false }; }
  if (-e > bitLength(m) + 1) {
    // |value| < 1/4: rounds to 0 or ±1.
    const up = rnd === RP ? s === 0 : rnd === RM ? s === 1 : rnd === RO;
    return { int: up ? (s ? -1n : 1n) : 0n, inexact: true };
  }
  const sh = BigInt(-e);
  let int = m >> sh;
  const rem = m - (int << sh);
  const half = 1n << (sh - 1n);
  let up = false;
  if (rem !== 0n) {
    switch (rnd) {
      case RN: up = rem > half || (rem === half && (int & 1n) === 1n); break;
      case RA: up = rem >= half; break;
      case RP: up = s === 0; break;
      case RM: up = s === 1; break;
      case RO: int |= 1n; break;
      default: break;
    }
  }
  if (up) int += 1n;
  return { int: s ? -int : int, inexact: rem !== 0n };
}

/** FixedToFP: a signed (or unsigned) integer / 2^fbits, rounded with the FPCR mode (or `rnd`). */
export function fromFixedSlow(c: Cpu, F: Fmt, v: bigint, fbits: number, rnd = fpcrRounding(c.fpcr)): bigint {
  if (v === 0n) return 0n;
  const s = v < 0n ? 1 : 0;
  return roundTo(c, F, s, s ? -v : v, -fbits, rnd, fzOf(c, F));
}

/** FPRoundInt (FRINT*): `exact` raises IXC when the value changes (FRINTX). */
export function roundIntSlow(c: Cpu, F: Fmt, raw: bigint, rnd: number, exact: boolean): bigint {
  const fz = fzOf(c, F);
  const a = unpack(c, F, raw, fz);
  if (a.t === SNAN || a.t === QNAN) return processNaN(c, F, a.t, raw);
  if (a.t === INF) return infOf(F, a.s);
  if (a.t === ZERO) return zeroOf(F, a.s);
  const { int, inexact } = roundToInteger(a.s, a.m, a.e, rnd);
  if (inexact && exact) c.fpsr |= IXC;
  if (int === 0n) return zeroOf(F, a.s);
  const mag = int < 0n ? -int : int;
  // Integral values of the format's own precision are exact.
  return roundTo(c, F, a.s, mag, 0, RZ, false);
}

/** FRINT32X/Z, FRINT64X/Z: round to an integral value that fits `bits`, else the most negative one with IOC. */
export function roundIntBoundedSlow(c: Cpu, F: Fmt, raw: bigint, rnd: number, bits: number): bigint {
  const fz = fzOf(c, F);
  const a = unpack(c, F, raw, fz);
  const minVal = (): bigint => roundTo(c, F, 1, 1n, bits - 1, RZ, false);
  if (a.t === SNAN || a.t === QNAN || a.t === INF) { c.fpsr |= IOC; return minVal(); }
  if (a.t === ZERO) return zeroOf(F, a.s);
  const { int, inexact } = roundToInteger(a.s, a.m, a.e, rnd);
  const lim = 1n << BigInt(bits - 1);
  if (int >= lim || int < -lim) { c.fpsr |= IOC; return minVal(); }
  if (inexact) c.fpsr |= IXC;
  if (int === 0n) return zeroOf(F, a.s);
  return roundTo(c, F, a.s, int < 0n ? -int : int, 0, RZ, false);
}

// ---- estimates (FRECPE, FRSQRTE, FRECPX, FRECPS, FRSQRTS, URECPE, URSQRTE) -------------------------------------

/** RecipEstimate: 9-bit input (256..511) -> 8-bit result (256..511). */
export function recipEstimate(a: number): number {
  const aa = a * 2 + 1;
  const b = Math.floor(2 ** 19 / aa);
  return Math.floor((b + 1) / 2);
}
/** RecipSqrtEstimate: 9-bit input (128..511) -> 9-bit result. */
const rsqrtTable: number[] = [];
export function recipSqrtEstimate(a0: number): number {
  const hit = rsqrtTable[a0];
  if (hit !== undefined) return hit;
  let a = a0;
  if (a < 256) a = a * 2 + 1; else { a = (a >> 1) << 1; a = (a + 1) * 2; }
  let b = 512;
  while (a * (b + 1) * (b + 1) < 2 ** 28) b++;
  return (rsqrtTable[a0] = Math.floor((b + 1) / 2));
}

/** FPRecipEstimate (FRECPE). */
export function recipEstimateFP(c: Cpu, F: Fmt, raw: bigint): bigint {
  const fz = fzOf(c, F);
  const a = unpack(c, F, raw, fz);
  if (a.t === SNAN || a.t === QNAN) return processNaN(c, F, a.t, raw);
  if (a.t === INF) return zeroOf(F, a.s);
  if (a.t === ZERO) { c.fpsr |= DZC; return infOf(F, a.s); }
  // Values so small that 1/x overflows.
  const fr0 = raw & F.fracMask;
  let ex = Number((raw & F.expMask) >> BigInt(F.f));
  const tooSmall = ex === 0 ? (fr0 >> BigInt(F.f - 2)) === 0n : false;
  if (tooSmall) {
    const rnd = fpcrRounding(c.fpcr);
    const toInf = rnd === RN || (rnd === RP && a.s === 0) || (rnd === RM && a.s === 1);
    c.fpsr |= OFC | IXC;
    return toInf ? infOf(F, a.s) : (a.s ? F.signBit : 0n) | F.maxNormal;
  }
  // Under FZ, results that would be denormal (very large inputs) are flushed with UFC.
  if ((F === FS && ex >= 253 && fz) || (F === FD && ex >= 2045 && fz) || (F === FH && ex >= 29 && fz)) {
    c.fpsr |= UFC;
    return zeroOf(F, a.s);
  }
  // Normalise a denormal's fraction.
  let fr = fr0 << BigInt(52 - F.f); // as a 52-bit fraction
  if (ex === 0) {
    if (((fr >> 51n) & 1n) === 0n) { ex = -1; fr = (fr & ((1n << 50n) - 1n)) << 2n; }
    else { fr = (fr & ((1n << 51n) - 1n)) << 1n; }
  }
  const scaled = Number((1n << 8n) | (fr >> 44n));
  const resExp0 = F === FH ? 29 - ex : F === FS ? 253 - ex : 2045 - ex;
  const est = recipEstimate(scaled);
  let frOut = BigInt(est & 0xff) << 44n;
  let resExp = resExp0;
  if (resExp === 0) frOut = (1n << 51n) | (frOut >> 1n);
  else if (resExp === -1) { frOut = (1n << 50n) | (frOut >> 2n); resExp = 0; }
  const outFrac = frOut >> BigInt(52 - F.f);
  return (a.s ? F.signBit : 0n) | (BigInt(resExp) << BigInt(F.f)) | outFrac;
}

/** FPRSqrtEstimate (FRSQRTE). */
export function rsqrtEstimateFP(c: Cpu, F: Fmt, raw: bigint): bigint {
  const fz = fzOf(c, F);
  const a = unpack(c, F, raw, fz);
  if (a.t === SNAN || a.t === QNAN) return processNaN(c, F, a.t, raw);
  if (a.t === ZERO) { c.fpsr |= DZC; return infOf(F, a.s); }
  if (a.s === 1) return defaultNaN(c, F);
  if (a.t === INF) return 0n;
  let ex = Number((raw & F.expMask) >> BigInt(F.f));
  let fr = (raw & F.fracMask) << BigInt(52 - F.f);
  if (ex === 0) {
    while (((fr >> 51n) & 1n) === 0n) { fr = (fr << 1n) & ((1n << 52n) - 1n); ex--; }
    fr = (fr << 1n) & ((1n << 52n) - 1n);
  }
  const scaled = (ex & 1) === 0 ? Number((1n << 8n) | (fr >> 44n)) : Number((1n << 7n) | (fr >> 45n));
  const resExp = F === FH ? Math.floor((44 - ex) / 2) : F === FS ? Math.floor((380 - ex) / 2) : Math.floor((3068 - ex) / 2);
  const est = recipSqrtEstimate(scaled);
  const outFrac = (BigInt(est & 0xff) << 44n) >> BigInt(52 - F.f);
  return (BigInt(resExp) << BigInt(F.f)) | outFrac;
}

/** FPRecpX (FRECPX): exponent inverted, fraction zero. */
export function recpxFP(c: Cpu, F: Fmt, raw: bigint): bigint {
  const fz = fzOf(c, F);
  const a = unpack(c, F, raw, fz);
  if (a.t === SNAN || a.t === QNAN) return processNaN(c, F, a.t, raw);
  const ex = Number((raw & F.expMask) >> BigInt(F.f));
  const maxExp = 2 ** F.e - 1;
  const sign = a.s ? F.signBit : 0n;
  if (ex === 0 || a.t === ZERO) return sign | (BigInt(maxExp - 1) << BigInt(F.f));
  return sign | (BigInt((~ex) & maxExp) << BigInt(F.f));
}

/** FPRecipStepFused (FRECPS): 2 - a*b with one rounding; inf*0 gives 2.0. */
export function recipStepSlow(c: Cpu, F: Fmt, ra: bigint, rb: bigint): bigint {
  const two = BigInt(F.bias + 1) << BigInt(F.f);
  return fusedStep(c, F, ra, rb, two, two);
}
/** FPRSqrtStepFused (FRSQRTS): (3 - a*b) / 2 with one rounding; inf*0 gives 1.5. */
export function rsqrtStepSlow(c: Cpu, F: Fmt, ra: bigint, rb: bigint): bigint {
  const threeHalves = (BigInt(F.bias) << BigInt(F.f)) | (1n << BigInt(F.f - 1));
  const three = (BigInt(F.bias + 1) << BigInt(F.f)) | (1n << BigInt(F.f - 1));
  return fusedStep(c, F, ra, rb, three, threeHalves, true);
}
function fusedStep(c: Cpu, F: Fmt, ra0: bigint, rb: bigint, k: bigint, infZeroResult: bigint, halve = false): bigint {
  const fz = fzOf(c, F);
  // op1 is negated first (a NaN in it propagates with its sign flipped): k + (-a) * b.
  const ra = ra0 ^ F.signBit;
  const a0 = unpack(c, F, ra, fz), b = unpack(c, F, rb, fz);
  const n = processNaNs(c, F, a0, ra, b, rb);
  if (n !== undefined) return n;
  const as = a0.s;
  if ((a0.t === INF && b.t === ZERO) || (a0.t === ZERO && b.t === INF)) return infZeroResult;
  if (a0.t === INF || b.t === INF) return infOf(F, as ^ b.s);
  const rnd = fpcrRounding(c.fpcr);
  const K = unpack(c, F, k, false);
  if (a0.t === ZERO || b.t === ZERO) return infZeroResult; // exact k (or k/2)
  const r = addExact(K.s, K.m, K.e, as ^ b.s, a0.m * b.m, a0.e + b.e);
  if (r.m === 0n) return zeroOf(F, zeroSumSign(rnd));
  return roundTo(c, F, r.s, r.m, halve ? r.e - 1 : r.e, rnd, fz);
}

// ---- raw <-> number helpers and fast paths ----------------------------------------------------------------------

const cv = new DataView(new ArrayBuffer(8));
/** A non-NaN double's raw bits. */
export function f64bits(x: number): bigint { cv.setFloat64(0, x, true); return cv.getBigUint64(0, true); }
export function bitsF64(b: bigint): number { cv.setBigUint64(0, b, true); return cv.getFloat64(0, true); }
export function f32bits(x: number): number { cv.setFloat32(0, x, true); return cv.getUint32(0, true); }
export function bitsF32(b: number): number { cv.setUint32(0, b, true); return cv.getFloat32(0, true); }

const MIN_NORMAL_D = 2 ** -1022;
const MIN_NORMAL_S = 2 ** -126;
/** Magnitudes inside which Dekker's product and its error are exact in doubles. */
const SPLIT_MAX = 2 ** 995, PROD_MIN = 2 ** -968;
const SPLITTER = 134217729; // 2^27 + 1
/** Below this, TwoSum's intermediate differences cannot overflow. */
const BIG = 2 ** 1022;

/** The rounding error of the double product p = fl(a*b) (Dekker), valid inside the limits above. */
export function prodErr(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}
const oddF = new Float64Array(1), oddU = new Uint32Array(oddF.buffer);
/** Round to odd from a round-to-nearest result v whose exact value is v + err (err != 0, v normal). */
export function toOdd(v: number, err: number): number {
  oddF[0] = v;
  const lo = oddU[0];
  if ((lo & 1) === 1) return v;
  // The odd neighbour on the side of the exact value: magnitude up when err has v's sign.
  if ((err > 0) === (v > 0)) oddU[0] = lo + 1;
  else if (lo !== 0) oddU[0] = lo - 1;
  else { oddU[0] = 0xffffffff; oddU[1] -= 1; }
  return oddF[0];
}

/** The rounding error of s = fl(a+b) (Knuth's TwoSum). */
export function sumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

// S lanes: raw bits in u32, values in f32, of the same views. Each op reads its inputs before it writes.

const isNaNS = (u: number): boolean => (u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0;

export const OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3;

/** A binary operation on S lanes A[ia], B[ib] into R[ir]. */
export function arithS(c: Cpu, op: number, A: VViews, ia: number, B: VViews, ib: number, R: VViews, ir: number): void {
  if ((c.fpcr & FAST_MASK) === 0 && !isNaNS(A.u32[ia]) && !isNaNS(B.u32[ib])) {
    const a = A.f32[ia], b = B.f32[ib];
    let d: number, r: number;
    switch (op) {
      case OP_ADD: case OP_SUB: {
        const bb = op === OP_ADD ? b : -b;
        d = a + bb; r = Math.fround(d);
        if ((Math.abs(r) > MIN_NORMAL_S && r !== Infinity && r !== -Infinity) || (r === 0 && d === 0)) {
          if (r !== d || sumErr(a, bb, d) !== 0) c.fpsr |= IXC;
          R.f32[ir] = r; return;
        }
        break;
      }
      case OP_MUL:
        d = a * b; r = Math.fround(d);
        if ((Math.abs(d) > MIN_NORMAL_S && r !== Infinity && r !== -Infinity) || d === 0) {
          if (d !== d) break; // inf * 0
          if (r !== d) c.fpsr |= IXC;
          R.f32[ir] = r; return;
        }
        break;
      default: // OP_DIV
        if (b !== 0 && b === b && Math.abs(b) !== Infinity && Math.abs(a) !== Infinity) {
          d = a / b; r = Math.fround(d);
          if (Math.abs(r) > MIN_NORMAL_S && r !== Infinity && r !== -Infinity) {
            if (r * b !== a) c.fpsr |= IXC;
            R.f32[ir] = r; return;
          }
          if (a === 0) { R.f32[ir] = d; return; }
        }
        break;
    }
  }
  const ra = BigInt(A.u32[ia]), rb = BigInt(B.u32[ib]);
  R.u32[ir] = Number(op === OP_MUL ? mulSlow(c, FS, ra, rb) : op === OP_DIV ? divSlow(c, FS, ra, rb) : addSlow(c, FS, ra, rb, op === OP_SUB));
}

/** A binary operation on D lanes. */
export function arithD(c: Cpu, op: number, A: VViews, ia: number, B: VViews, ib: number, R: VViews, ir: number): void {
  if ((c.fpcr & FAST_MASK) === 0) {
    const a = A.f64[ia], b = B.f64[ib];
    if (a === a && b === b) {
      switch (op) {
        case OP_ADD: case OP_SUB: {
          const bb = op === OP_ADD ? b : -b;
          const s = a + bb;
          if (((Math.abs(s) > MIN_NORMAL_D && s !== Infinity && s !== -Infinity) || s === 0) && Math.abs(a) < BIG && Math.abs(b) < BIG) {
            if (sumErr(a, bb, s) !== 0) c.fpsr |= IXC;
            R.f64[ir] = s; return;
          }
          break;
        }
        case OP_MUL: {
          const p = a * b;
          if (p === 0 && a === a && Math.abs(a) !== Infinity && Math.abs(b) !== Infinity) {
            if (a === 0 || b === 0) { R.f64[ir] = p; return; }
            break; // underflow to zero: slow
          }
          const ap = Math.abs(p);
          if (ap >= PROD_MIN && ap !== Infinity && Math.abs(a) < SPLIT_MAX && Math.abs(b) < SPLIT_MAX) {
            if (prodErr(a, b, p) !== 0) c.fpsr |= IXC;
            R.f64[ir] = p; return;
          }
          break;
        }
        default: { // OP_DIV
          if (b === 0 || Math.abs(b) === Infinity || Math.abs(a) === Infinity) break;
          const q = a / b;
          if (a === 0) { R.f64[ir] = q; return; }
          const aq = Math.abs(q);
          if (aq >= PROD_MIN && aq < SPLIT_MAX && Math.abs(b) < SPLIT_MAX && Math.abs(a) >= PROD_MIN) {
            const p = q * b;
            if (p !== a || prodErr(q, b, p) !== 0) c.fpsr |= IXC;
            R.f64[ir] = q; return;
          }
          break;
        }
      }
    }
  }
  const ra = A.u64[ia], rb = B.u64[ib];
  R.u64[ir] = op === OP_MUL ? mulSlow(c, FD, ra, rb) : op === OP_DIV ? divSlow(c, FD, ra, rb) : addSlow(c, FD, ra, rb, op === OP_SUB);
}

export function sqrtS(c: Cpu, A: VViews, ia: number, R: VViews, ir: number): void {
  const u = A.u32[ia];
  if ((c.fpcr & FAST_MASK) === 0 && u > 0 && u < 0x7f800000 && u >= 0x00800000) {
    const a = A.f32[ia];
    const r = Math.fround(Math.sqrt(a));
    if (r * r !== a) c.fpsr |= IXC;
    R.f32[ir] = r; return;
  }
  R.u32[ir] = Number(sqrtSlow(c, FS, BigInt(u)));
}

export function sqrtD(c: Cpu, A: VViews, ia: number, R: VViews, ir: number): void {
  const a = A.f64[ia];
  if ((c.fpcr & FAST_MASK) === 0 && a >= PROD_MIN && a < Infinity) {
    const r = Math.sqrt(a);
    const p = r * r;
    if (p !== a || prodErr(r, r, p) !== 0) c.fpsr |= IXC;
    R.f64[ir] = r; return;
  }
  R.u64[ir] = sqrtSlow(c, FD, A.u64[ia]);
}

/** Fused multiply-add on S lanes: add + (n1 ? -x : x) * y, negating the addend when na. */
export function fmaS(c: Cpu, A: VViews, iadd: number, ix: number, iy: number, R: VViews, ir: number, na: boolean, n1: boolean): void {
  const ua = A.u32[iadd], ux = A.u32[ix], uy = A.u32[iy];
  if ((c.fpcr & FAST_MASK) === 0 && !isNaNS(ua) && !isNaNS(ux) && !isNaNS(uy)) {
    const a = na ? -A.f32[iadd] : A.f32[iadd];
    const x = n1 ? -A.f32[ix] : A.f32[ix], y = A.f32[iy];
    const p = x * y; // exact in double
    const s = p + a;
    if (s === s && Math.abs(s) !== Infinity && Math.abs(p) !== Infinity && Math.abs(a) !== Infinity) {
      const err = sumErr(p, a, s);
      const r = Math.fround(s);
      if (err === 0 && ((Math.abs(r) > MIN_NORMAL_S && Math.abs(r) !== Infinity) || s === 0)) {
        if (r !== s) c.fpsr |= IXC;
        R.f32[ir] = r; return;
      }
    }
  }
  const neg = (u: number, n: boolean): bigint => BigInt(n ? (u ^ 0x80000000) >>> 0 : u);
  R.u32[ir] = Number(fmaSlow(c, FS, neg(ua, na), neg(ux, n1), BigInt(uy)));
}

/** Fused multiply-add on D lanes (exact BigInt path unless the addend or the product is zero). */
export function fmaD(c: Cpu, A: VViews, iadd: number, ix: number, iy: number, R: VViews, ir: number, na: boolean, n1: boolean): void {
  if ((c.fpcr & FAST_MASK) === 0) {
    const a0 = A.f64[iadd], x0 = A.f64[ix], y = A.f64[iy];
    if (a0 === a0 && x0 === x0 && y === y) {
      const a = na ? -a0 : a0, x = n1 ? -x0 : x0;
      const p = x * y;
      const ap = Math.abs(p);
      if (ap >= PROD_MIN && ap !== Infinity && Math.abs(x) < SPLIT_MAX && Math.abs(y) < SPLIT_MAX && Math.abs(a) !== Infinity) {
        const e = prodErr(x, y, p);
        if (e === 0) {
          // The product is exact: fma = fl(p + a), one rounding.
          const s = p + a;
          if (((Math.abs(s) > MIN_NORMAL_D && Math.abs(s) !== Infinity) || s === 0) && Math.abs(p) < BIG && Math.abs(a) < BIG) {
            if (sumErr(p, a, s) !== 0) c.fpsr |= IXC;
            R.f64[ir] = s; return;
          }
        } else if (a === 0) {
          c.fpsr |= IXC;
          R.f64[ir] = p; return;
        } else if (Math.abs(p) < BIG && Math.abs(a) < BIG) {
          // Emulated FMA (Boldo & Melquiond): p + e = x*y exactly, th + tl = a + p exactly,
          // v = tl + e rounded to odd, result = round-to-nearest(th + v).
          const th = a + p, tl = sumErr(a, p, th);
          let v = tl + e;
          const ve = sumErr(tl, e, v);
          if (ve === 0 || Math.abs(v) >= MIN_NORMAL_D) {
            if (ve !== 0) v = toOdd(v, ve);
            const r = th + v;
            if (Math.abs(r) > MIN_NORMAL_D && Math.abs(r) !== Infinity) {
              if (ve !== 0 || sumErr(th, v, r) !== 0) c.fpsr |= IXC;
              R.f64[ir] = r; return;
            }
          }
        }
      }
    }
  }
  const M = 0x8000000000000000n;
  const ra = A.u64[iadd], rx = A.u64[ix];
  R.u64[ir] = fmaSlow(c, FD, na ? ra ^ M : ra, n1 ? rx ^ M : rx, A.u64[iy]);
}

/** Any binary op on a format given raw BigInts (the vector groups' generic path). */
export type SlowBin = (c: Cpu, F: Fmt, a: bigint, b: bigint) => bigint;
