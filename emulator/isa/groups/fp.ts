// Scalar floating point (Arm ARM C4.1.96, "Data Processing -- Scalar Floating-Point"):
// FMOV (register, general, immediate), 1-source (FABS FNEG FSQRT FCVT FRINT*), 2-source
// (FMUL FDIV FADD FSUB FMAX FMIN FMAXNM FMINNM FNMUL), 3-source (FMADD FMSUB FNMADD FNMSUB),
// compares (FCMP FCMPE FCCMP FCCMPE), FCSEL, and the FP <-> integer / fixed-point conversions.
// Single and double precision; half precision only where base FP has it (FCVT to/from h).
import { OperandError } from '../../asm/types';
import type { Cpu } from '../../cpu/cpu';
import { cond, gpr } from '../operands';
import { condHolds, M32, rd31, wr31 } from '../semantics';
import type { Fields, InsnSpec, Operand, Step } from '../spec';
import {
  arithD, arithS, compareSlow, convertSlow, fmaD, fmaS, FD, FH, fpcrRounding, FPCR_FZ, fromFixedSlow, FS, IXC,
  maxMinSlow, mulSlow, addSlow, divSlow, sqrtSlow, fmaSlow, OP_ADD, OP_DIV, OP_MUL, OP_SUB, RA, RM, RN, RP, RZ, roundIntBoundedSlow, roundIntSlow,
  sqrtD, sqrtS, toFixedSlow, type Fmt,
} from './fp-soft';
import { computedImm, condWithComment, fpImm, fpZero, freg, widthFtype } from './simd-operands';
import { vregs, type VViews } from './simd-regs';

const G = 'Data processing (scalar floating point)';
const GC = 'Conversion between floating-point and integer or fixed-point';

// ---- register access ---------------------------------------------------------------------------------

/** Clears bits [127:32] of Vd after a 32-bit scalar write. */
export function zeroAbove32(V: VViews, d: number): void { const o = d * 4; V.u32[o + 1] = 0; V.u32[o + 2] = 0; V.u32[o + 3] = 0; }
/** Clears bits [127:64]. */
export function zeroAbove64(V: VViews, d: number): void { const o = d * 4; V.u32[o + 2] = 0; V.u32[o + 3] = 0; }
/** Clears bits [127:16]. */
export function zeroAbove16(V: VViews, d: number): void { const o = d * 8; V.u16[o + 1] = 0; zeroAbove32(V, d); }

/** Clears the bits above a scalar of format F in Vd. */
export function zeroAbove(V: VViews, F: Fmt, d: number): void {
  if (F === FD) zeroAbove64(V, d); else if (F === FS) zeroAbove32(V, d); else zeroAbove16(V, d);
}

/** ftype field -> format (0 S, 1 D, 3 H). */
export const fmtOf = (ftype: number): Fmt => (ftype === 0 ? FS : ftype === 1 ? FD : FH);

/** Reads the raw bits of scalar register n in format F as a BigInt. */
export function rawOf(V: VViews, F: Fmt, n: number): bigint {
  return F === FD ? V.u64[n * 2] : F === FS ? BigInt(V.u32[n * 4]) : BigInt(V.u16[n * 8]);
}
/** Writes a scalar result (raw BigInt) to register d, zeroing the rest of the vector. */
export function writeRaw(V: VViews, F: Fmt, d: number, r: bigint): void {
  if (F === FD) { V.u64[d * 2] = r; zeroAbove64(V, d); }
  else if (F === FS) { V.u32[d * 4] = Number(r); zeroAbove32(V, d); }
  else { V.u16[d * 8] = Number(r); zeroAbove16(V, d); }
}

/** Raw bits of lane i (an index into the format's own view) as a BigInt. */
export const laneRaw = (V: VViews, F: Fmt, i: number): bigint => (F === FD ? V.u64[i] : F === FS ? BigInt(V.u32[i]) : BigInt(V.u16[i]));

// ---- number rounding helpers (fast paths) ----------------------------------------------------------------

/** Rounds a double to an integral double with a rounding mode (RN ties-to-even, RA ties-away). */
export function roundNum(x: number, rnd: number): number {
  switch (rnd) {
    case RZ: return Math.trunc(x);
    case RM: return Math.floor(x);
    case RP: return Math.ceil(x);
    default: {
      const t = Math.trunc(x);
      const fr = Math.abs(x - t);
      if (fr > 0.5 || (fr === 0.5 && (rnd === RA || t % 2 !== 0))) return x < 0 ? t - 1 : t + 1;
      return t;
    }
  }
}

/** FP (S or D lane at index i of V) -> integer of `bits` bits, as an unsigned BigInt, with FPToFixed's flags. */
export function cvtToInt(c: Cpu, F: Fmt, V: VViews, i: number, fbits: number, unsigned: boolean, bits: number, rnd: number): bigint {
  if ((c.fpcr & FPCR_FZ) === 0 && F !== FH) {
    const x0 = F === FD ? V.f64[i] : V.f32[i];
    if (x0 === x0) {
      const x = fbits === 0 ? x0 : x0 * 2 ** fbits;
      const r = roundNum(x, rnd);
      const ok = unsigned ? r >= 0 && r < 2 ** bits : r >= -(2 ** (bits - 1)) && r < 2 ** (bits - 1);
      if (ok) {
        if (r !== x) c.fpsr |= IXC;
        return bits === 32 ? BigInt(r >>> 0) : BigInt.asUintN(64, BigInt(r));
      }
    }
  }
  const raw = F === FD ? V.u64[i] : F === FS ? BigInt(V.u32[i]) : BigInt(V.u16[i]);
  return toFixedSlow(c, F, raw, fbits, unsigned, bits, rnd);
}

/** Integer (a signed BigInt value) / 2^fbits -> FP format F, written to lane i of R. */
export function cvtFromInt(c: Cpu, F: Fmt, v: bigint, fbits: number, R: VViews, i: number): void {
  if ((c.fpcr & (FPCR_FZ | (3 << 22))) === 0 && F !== FH && v <= 9007199254740992n && v >= -9007199254740992n) {
    const d = Number(v) / 2 ** fbits;
    if (F === FD) { R.f64[i] = d; return; }
    const r = Math.fround(d);
    if (r !== d) c.fpsr |= IXC;
    R.f32[i] = r;
    return;
  }
  const raw = fromFixedSlow(c, F, v, fbits);
  if (F === FD) R.u64[i] = raw; else if (F === FS) R.u32[i] = Number(raw); else R.u16[i] = Number(raw);
}

/** FPRoundInt on lane i of V into lane j of R (FRINT*). */
export function frint(c: Cpu, F: Fmt, V: VViews, i: number, R: VViews, j: number, rnd: number, exact: boolean): void {
  if ((c.fpcr & FPCR_FZ) === 0 && F !== FH) {
    const x = F === FD ? V.f64[i] : V.f32[i];
    if (x === x) {
      let r = roundNum(x, rnd);
      if (r === 0) r = x < 0 || Object.is(x, -0) ? -0 : 0;
      if (exact && r !== x) c.fpsr |= IXC;
      if (F === FD) R.f64[j] = r; else R.f32[j] = r;
      return;
    }
  }
  const raw = F === FD ? V.u64[i] : F === FS ? BigInt(V.u32[i]) : BigInt(V.u16[i]);
  const r = roundIntSlow(c, F, raw, rnd, exact);
  if (F === FD) R.u64[j] = r; else if (F === FS) R.u32[j] = Number(r); else R.u16[j] = Number(r);
}

/** FPCompare of lanes (as NZCV bits 3..0). */
export function fcmpLanes(c: Cpu, F: Fmt, V: VViews, i: number, j: number, zero: boolean, signalAll: boolean): number {
  if ((c.fpcr & FPCR_FZ) === 0 && F !== FH) {
    const a = F === FD ? V.f64[i] : V.f32[i];
    const b = zero ? 0 : F === FD ? V.f64[j] : V.f32[j];
    if (a === a && b === b) return a === b ? 0b0110 : a < b ? 0b1000 : 0b0010;
  }
  return compareSlow(c, F, laneRaw(V, F, i), zero ? 0n : laneRaw(V, F, j), signalAll);
}

const setNzcv = (c: Cpu, v: number): void => { c.nf = (v >> 3) & 1; c.zf = (v >> 2) & 1; c.cf = (v >> 1) & 1; c.vf = v & 1; };

// ---- operands ------------------------------------------------------------------------------------------------

const ft = widthFtype('ftype', true);
const ftH = ft;
/** ftype 10 is unallocated; 11 is half precision (FEAT_FP16). */
const ftOk = (f: Fields): boolean => f.ftype !== 2;
const fd = freg('Rd', ft), fn = freg('Rn', ft), fm = freg('Rm', ft), fa = freg('Ra', ft);
const condOp = (field: string): Operand => condWithComment(cond(field), field);
const nzcvImm = (): Operand => computedImm('#<nzcv>', f => f.nzcv, (f, v) => {
  if (v < 0 || v > 15) throw new OperandError(`nzcv ${v} out of range [0, 15]`);
  f.nzcv = v; return true;
}, { hex: true });

const lane = (F: Fmt, n: number): number => n * (F === FD ? 2 : F === FS ? 4 : 8);

// ---- 1-source -----------------------------------------------------------------------------------------------

function oneSource(id: string, mnemonic: string, opcode: string, hover: string, exec: (f: Fields, F: Fmt) => Step,
  opts: { validFt?: (ftype: number) => boolean; operands?: Operand[] } = {}): InsnSpec {
  return {
    id, mnemonic, group: G, hover,
    pattern: `000 11110 ftype:2 1 ${opcode} 10000 Rn:5 Rd:5`,
    valid: f => (opts.validFt ?? (t => t !== 2))(f.ftype),
    operands: opts.operands ?? [fd, fn],
    exec: f => exec(f, fmtOf(f.ftype)),
  };
}

const frintSpec = (suffix: string, opcode: string, rnd: number | null, exact: boolean, what: string): InsnSpec =>
  oneSource(`FRINT${suffix.toUpperCase()}`, `frint${suffix}`, opcode, `Round to an integral value in floating-point format, ${what}.`, (f, F) => {
    const d = f.Rd, n = f.Rn;
    return c => {
      const V = vregs(c);
      frint(c, F, V, lane(F, n), V, lane(F, d), rnd ?? fpcrRounding(c.fpcr), exact);
      zeroAbove(V, F, d);
    };
  });

const frintBounded = (bits: number, z: boolean, opcode: string): InsnSpec =>
  oneSource(`FRINT${bits}${z ? 'Z' : 'X'}`, `frint${bits}${z ? 'z' : 'x'}`, opcode,
    `Round to an integral value that fits a ${bits}-bit integer, ${z ? 'toward zero' : 'with the FPCR rounding mode'}; out of range gives -2^${bits - 1} and IOC.`,
    (f, F) => {
      const d = f.Rd, n = f.Rn;
      return c => { const V = vregs(c); writeRaw(V, F, d, roundIntBoundedSlow(c, F, rawOf(V, F, n), z ? RZ : fpcrRounding(c.fpcr), bits)); };
    }, { validFt: t => t < 2 });

const fcvtSpecs: InsnSpec[] = [0, 1, 3].map(opc => ({
  id: `FCVT_${['s', 'd', '', 'h'][opc]}`, mnemonic: 'fcvt', group: G,
  hover: 'Convert between half, single and double precision (rounding with the FPCR mode when narrowing).',
  pattern: `000 11110 ftype:2 1 0001 ${opc.toString(2).padStart(2, '0')} 10000 Rn:5 Rd:5`,
  valid: (f: Fields) => f.ftype !== 2 && f.ftype !== opc,
  operands: [freg('Rd', ['s', 'd', '', 'h'][opc] as 's'), freg('Rn', ftH)],
  exec: (f: Fields): Step => {
    const Fi = fmtOf(f.ftype), Fo = fmtOf(opc), d = f.Rd, n = f.Rn;
    if (Fi === FS && Fo === FD) {
      return c => {
        const V = vregs(c);
        const u = V.u32[n * 4];
        const ex = u & 0x7f800000;
        if (ex !== 0x7f800000 && (ex !== 0 || (c.fpcr & FPCR_FZ) === 0)) { V.f64[d * 2] = V.f32[n * 4]; zeroAbove64(V, d); return; }
        writeRaw(V, FD, d, convertSlow(c, FS, FD, BigInt(u)));
      };
    }
    if (Fi === FD && Fo === FS) {
      return c => {
        const V = vregs(c);
        const x = V.f64[n * 2];
        if ((c.fpcr & (FPCR_FZ | (3 << 22))) === 0 && x === x) {
          const r = Math.fround(x);
          if ((Math.abs(r) > 2 ** -126 && Math.abs(r) !== Infinity) || x === 0 || Math.abs(x) === Infinity) {
            if (r !== x) c.fpsr |= IXC;
            V.f32[d * 4] = r; zeroAbove32(V, d); return;
          }
        }
        writeRaw(V, FS, d, convertSlow(c, FD, FS, V.u64[n * 2]));
      };
    }
    return c => { const V = vregs(c); writeRaw(V, Fo, d, convertSlow(c, Fi, Fo, rawOf(V, Fi, n))); };
  },
}));

const oneSourceSpecs: InsnSpec[] = [
  oneSource('FMOV_reg', 'fmov', '000000', 'Copy a floating-point register (no exceptions, NaNs unchanged).', (f, F) => {
    const d = f.Rd, n = f.Rn;
    if (F === FH) return c => { const V = vregs(c); V.u16[d * 8] = V.u16[n * 8]; zeroAbove16(V, d); };
    return F === FD
      ? c => { const V = vregs(c); V.u64[d * 2] = V.u64[n * 2]; zeroAbove64(V, d); }
      : c => { const V = vregs(c); V.u32[d * 4] = V.u32[n * 4]; zeroAbove32(V, d); };
  }),
  oneSource('FABS', 'fabs', '000001', 'Absolute value: clears the sign bit (no exceptions, NaNs included).', (f, F) => {
    const d = f.Rd, n = f.Rn;
    if (F === FH) return c => { const V = vregs(c); V.u16[d * 8] = V.u16[n * 8] & 0x7fff; zeroAbove16(V, d); };
    return F === FD
      ? c => { const V = vregs(c); V.u32[d * 4] = V.u32[n * 4]; V.u32[d * 4 + 1] = V.u32[n * 4 + 1] & 0x7fffffff; zeroAbove64(V, d); }
      : c => { const V = vregs(c); V.u32[d * 4] = V.u32[n * 4] & 0x7fffffff; zeroAbove32(V, d); };
  }),
  oneSource('FNEG', 'fneg', '000010', 'Negate: flips the sign bit (no exceptions, NaNs included).', (f, F) => {
    const d = f.Rd, n = f.Rn;
    if (F === FH) return c => { const V = vregs(c); V.u16[d * 8] = V.u16[n * 8] ^ 0x8000; zeroAbove16(V, d); };
    return F === FD
      ? c => { const V = vregs(c); V.u32[d * 4] = V.u32[n * 4]; V.u32[d * 4 + 1] = V.u32[n * 4 + 1] ^ 0x80000000; zeroAbove64(V, d); }
      : c => { const V = vregs(c); V.u32[d * 4] = V.u32[n * 4] ^ 0x80000000; zeroAbove32(V, d); };
  }),
  oneSource('FSQRT', 'fsqrt', '000011', 'Square root, correctly rounded with the FPCR rounding mode.', (f, F) => {
    const d = f.Rd, n = f.Rn;
    if (F === FH) return c => { const V = vregs(c); writeRaw(V, FH, d, sqrtSlow(c, FH, rawOf(V, FH, n))); };
    return F === FD
      ? c => { const V = vregs(c); sqrtD(c, V, n * 2, V, d * 2); zeroAbove64(V, d); }
      : c => { const V = vregs(c); sqrtS(c, V, n * 4, V, d * 4); zeroAbove32(V, d); };
  }),
  ...fcvtSpecs,
  frintSpec('n', '001000', RN, false, 'to nearest with ties to even'),
  frintSpec('p', '001001', RP, false, 'toward +infinity'),
  frintSpec('m', '001010', RM, false, 'toward -infinity'),
  frintSpec('z', '001011', RZ, false, 'toward zero'),
  frintSpec('a', '001100', RA, false, 'to nearest with ties away from zero'),
  frintSpec('x', '001110', null, true, 'with the FPCR rounding mode, raising Inexact when the value changes'),
  frintSpec('i', '001111', null, false, 'with the FPCR rounding mode'),
  frintBounded(32, true, '010000'), frintBounded(32, false, '010001'),
  frintBounded(64, true, '010010'), frintBounded(64, false, '010011'),
];

// ---- 2-source ---------------------------------------------------------------------------------------------------

function twoSource(id: string, mnemonic: string, opcode: string, hover: string, exec: (f: Fields, F: Fmt) => Step): InsnSpec {
  return {
    id, mnemonic, group: G, hover,
    pattern: `000 11110 ftype:2 1 Rm:5 ${opcode} 10 Rn:5 Rd:5`,
    valid: ftOk,
    operands: [fd, fn, fm],
    exec: f => exec(f, fmtOf(f.ftype)),
  };
}

const arith = (op: number, neg = false) => (f: Fields, F: Fmt): Step => {
  const d = f.Rd, n = f.Rn, m = f.Rm;
  if (F === FH) {
    return c => {
      const V = vregs(c), a = rawOf(V, FH, n), b = rawOf(V, FH, m);
      const r = op === OP_MUL ? mulSlow(c, FH, a, b) : op === OP_DIV ? divSlow(c, FH, a, b) : addSlow(c, FH, a, b, op === OP_SUB);
      writeRaw(V, FH, d, neg ? r ^ 0x8000n : r);
    };
  }
  if (F === FD) {
    return neg
      ? c => { const V = vregs(c); arithD(c, op, V, n * 2, V, m * 2, V, d * 2); V.u32[d * 4 + 1] ^= 0x80000000; zeroAbove64(V, d); }
      : c => { const V = vregs(c); arithD(c, op, V, n * 2, V, m * 2, V, d * 2); zeroAbove64(V, d); };
  }
  return neg
    ? c => { const V = vregs(c); arithS(c, op, V, n * 4, V, m * 4, V, d * 4); V.u32[d * 4] ^= 0x80000000; zeroAbove32(V, d); }
    : c => { const V = vregs(c); arithS(c, op, V, n * 4, V, m * 4, V, d * 4); zeroAbove32(V, d); };
};

/** FMAX/FMIN/FMAXNM/FMINNM on raw lanes (fast path for ordinary numbers without FZ). */
export function maxMinLanes(c: Cpu, F: Fmt, A: VViews, ia: number, B: VViews, ib: number, R: VViews, ir: number, max: boolean, num: boolean): void {
  if ((c.fpcr & FPCR_FZ) === 0 && F !== FH) {
    const a = F === FD ? A.f64[ia] : A.f32[ia], b = F === FD ? B.f64[ib] : B.f32[ib];
    if (a === a && b === b) {
      let takeA: boolean;
      if (a === b) takeA = max ? !Object.is(a, -0) : Object.is(a, -0); // only ±0 differ when equal
      else takeA = max ? a > b : a < b;
      if (F === FD) R.u64[ir] = takeA ? A.u64[ia] : B.u64[ib];
      else R.u32[ir] = takeA ? A.u32[ia] : B.u32[ib];
      return;
    }
  }
  const ra = F === FD ? A.u64[ia] : F === FS ? BigInt(A.u32[ia]) : BigInt(A.u16[ia]);
  const rb = F === FD ? B.u64[ib] : F === FS ? BigInt(B.u32[ib]) : BigInt(B.u16[ib]);
  const r = maxMinSlow(c, F, ra, rb, max, num);
  if (F === FD) R.u64[ir] = r; else if (F === FS) R.u32[ir] = Number(r); else R.u16[ir] = Number(r);
}

const maxMin = (max: boolean, num: boolean) => (f: Fields, F: Fmt): Step => {
  const d = f.Rd, n = f.Rn, m = f.Rm;
  return c => {
    const V = vregs(c);
    maxMinLanes(c, F, V, lane(F, n), V, lane(F, m), V, lane(F, d), max, num);
    zeroAbove(V, F, d);
  };
};

const twoSourceSpecs: InsnSpec[] = [
  twoSource('FMUL', 'fmul', '0000', 'Multiply, rounded with the FPCR mode.', arith(OP_MUL)),
  twoSource('FDIV', 'fdiv', '0001', 'Divide, rounded with the FPCR mode (division by zero raises DZC).', arith(OP_DIV)),
  twoSource('FADD', 'fadd', '0010', 'Add, rounded with the FPCR mode.', arith(OP_ADD)),
  twoSource('FSUB', 'fsub', '0011', 'Subtract, rounded with the FPCR mode.', arith(OP_SUB)),
  twoSource('FMAX', 'fmax', '0100', 'Maximum (a NaN operand gives a NaN; +0 > -0).', maxMin(true, false)),
  twoSource('FMIN', 'fmin', '0101', 'Minimum (a NaN operand gives a NaN; -0 < +0).', maxMin(false, false)),
  twoSource('FMAXNM', 'fmaxnm', '0110', 'Maximum number: a single quiet NaN operand is ignored (IEEE 754-2008 maxNum).', maxMin(true, true)),
  twoSource('FMINNM', 'fminnm', '0111', 'Minimum number: a single quiet NaN operand is ignored (IEEE 754-2008 minNum).', maxMin(false, true)),
  twoSource('FNMUL', 'fnmul', '1000', 'Multiply and negate the result.', arith(OP_MUL, true)),
];

// ---- 3-source -----------------------------------------------------------------------------------------------------

const threeSourceSpecs: InsnSpec[] = ([
  ['FMADD', 'fmadd', 0, 0, 'Fused multiply-add: Rd = Ra + Rn*Rm, one rounding.'],
  ['FMSUB', 'fmsub', 0, 1, 'Fused multiply-subtract: Rd = Ra - Rn*Rm, one rounding.'],
  ['FNMADD', 'fnmadd', 1, 0, 'Negated fused multiply-add: Rd = -Ra - Rn*Rm, one rounding.'],
  ['FNMSUB', 'fnmsub', 1, 1, 'Negated fused multiply-subtract: Rd = -Ra + Rn*Rm, one rounding.'],
] as const).map(([id, m, o1, o0, hover]): InsnSpec => ({
  id, mnemonic: m, group: G, hover,
  pattern: `000 11111 ftype:2 ${o1} Rm:5 ${o0} Ra:5 Rn:5 Rd:5`,
  valid: ftOk,
  operands: [fd, fn, fm, fa],
  exec: f => {
    const d = f.Rd, n = f.Rn, m = f.Rm, a = f.Ra, na = o1 === 1, n1 = o0 !== o1;
    if (f.ftype === 3) {
      return c => {
        const V = vregs(c);
        writeRaw(V, FH, d, fmaSlow(c, FH, rawOf(V, FH, a) ^ (na ? 0x8000n : 0n), rawOf(V, FH, n) ^ (n1 ? 0x8000n : 0n), rawOf(V, FH, m)));
      };
    }
    return f.ftype === 1
      ? c => { const V = vregs(c); fmaD(c, V, a * 2, n * 2, m * 2, V, d * 2, na, n1); zeroAbove64(V, d); }
      : c => { const V = vregs(c); fmaS(c, V, a * 4, n * 4, m * 4, V, d * 4, na, n1); zeroAbove32(V, d); };
  },
}));

// ---- compares and selects ------------------------------------------------------------------------------------------

const compareSpecs: InsnSpec[] = ([['FCMP', 'fcmp', 0], ['FCMPE', 'fcmpe', 1]] as const).flatMap(([id, m, e]): InsnSpec[] => [
  {
    id, mnemonic: m, group: G,
    hover: e ? 'Compare, setting NZCV; any NaN operand raises Invalid Operation.' : 'Compare, setting NZCV (unordered: 0011); only signalling NaNs raise Invalid Operation.',
    pattern: `000 11110 ftype:2 1 Rm:5 00 1000 Rn:5 ${e}0 000`,
    valid: ftOk,
    operands: [fn, fm],
    exec: f => {
      const F = fmtOf(f.ftype), n = lane(F, f.Rn), m = lane(F, f.Rm);
      return c => setNzcv(c, fcmpLanes(c, F, vregs(c), n, m, false, e === 1));
    },
  },
  {
    id: `${id}_zero`, mnemonic: m, group: G,
    hover: `Compare with +0.0, setting NZCV${e ? '; any NaN raises Invalid Operation' : ''}.`,
    pattern: `000 11110 ftype:2 1 00000 00 1000 Rn:5 ${e}1 000`,
    valid: ftOk,
    operands: [fn, fpZero()],
    exec: f => {
      const F = fmtOf(f.ftype), n = lane(F, f.Rn);
      return c => setNzcv(c, fcmpLanes(c, F, vregs(c), n, 0, true, e === 1));
    },
  },
]);

const ccmpSpecs: InsnSpec[] = ([['FCCMP', 'fccmp', 0], ['FCCMPE', 'fccmpe', 1]] as const).map(([id, m, e]): InsnSpec => ({
  id, mnemonic: m, group: G,
  hover: `Conditional compare: if the condition holds, NZCV = compare(Rn, Rm)${e ? ' (any NaN raises Invalid Operation)' : ''}, else NZCV = #nzcv.`,
  pattern: `000 11110 ftype:2 1 Rm:5 cond:4 01 Rn:5 ${e} nzcv:4`,
  valid: ftOk,
  operands: [fn, fm, nzcvImm(), condOp('cond')],
  exec: f => {
    const F = fmtOf(f.ftype), n = lane(F, f.Rn), mm = lane(F, f.Rm), cc = f.cond, k = f.nzcv;
    return c => setNzcv(c, condHolds(c, cc) ? fcmpLanes(c, F, vregs(c), n, mm, false, e === 1) : k);
  },
}));

const fcselSpec: InsnSpec = {
  id: 'FCSEL', mnemonic: 'fcsel', group: G, hover: 'Conditional select: Rd = cond ? Rn : Rm (bit copy).',
  pattern: '000 11110 ftype:2 1 Rm:5 cond:4 11 Rn:5 Rd:5',
  valid: ftOk,
  operands: [fd, fn, fm, condOp('cond')],
  exec: f => {
    const d = f.Rd, n = f.Rn, m = f.Rm, cc = f.cond;
    if (f.ftype === 3) return c => { const V = vregs(c); V.u16[d * 8] = V.u16[(condHolds(c, cc) ? n : m) * 8]; zeroAbove16(V, d); };
    return f.ftype === 1
      ? c => { const V = vregs(c); V.u64[d * 2] = V.u64[(condHolds(c, cc) ? n : m) * 2]; zeroAbove64(V, d); }
      : c => { const V = vregs(c); V.u32[d * 4] = V.u32[(condHolds(c, cc) ? n : m) * 4]; zeroAbove32(V, d); };
  },
};

const fmovImmSpec: InsnSpec = {
  id: 'FMOV_imm', mnemonic: 'fmov', group: G, hover: 'Move an 8-bit floating-point immediate (±n/16 * 2^r, n 16..31, r -3..4).',
  pattern: '000 11110 ftype:2 1 imm8:8 100 00000 Rd:5',
  valid: ftOk,
  operands: [fd, fpImm('imm8')],
  exec: f => {
    const d = f.Rd, i = f.imm8;
    const sign = i >> 7, b = (i >> 6) & 1, cc = (i >> 4) & 3, frac = i & 15;
    if (f.ftype === 3) {
      const raw = (sign << 15) | ((b ? 0xc | cc : 0x10 | cc) << 10) | (frac << 6);
      return c => { const V = vregs(c); V.u16[d * 8] = raw; zeroAbove16(V, d); };
    }
    if (f.ftype === 1) {
      const exp = b ? 0x3fc | cc : 0x400 | cc;
      const raw = (BigInt(sign) << 63n) | (BigInt(exp) << 52n) | (BigInt(frac) << 48n);
      return c => { const V = vregs(c); V.u64[d * 2] = raw; zeroAbove64(V, d); };
    }
    const exp = b ? 0x7c | cc : 0x80 | cc;
    const raw = ((sign << 31) | (exp << 23) | (frac << 19)) >>> 0;
    return c => { const V = vregs(c); V.u32[d * 4] = raw; zeroAbove32(V, d); };
  },
};

// ---- conversions ---------------------------------------------------------------------------------------------------

const gd = gpr('Rd'), gn = gpr('Rn');

const toIntSpecs: InsnSpec[] = ([
  ['FCVTNS', '00', '000', RN, false, 'to nearest with ties to even'], ['FCVTNU', '00', '001', RN, true, 'to nearest with ties to even'],
  ['FCVTAS', '00', '100', RA, false, 'to nearest with ties away from zero'], ['FCVTAU', '00', '101', RA, true, 'to nearest with ties away from zero'],
  ['FCVTPS', '01', '000', RP, false, 'toward +infinity'], ['FCVTPU', '01', '001', RP, true, 'toward +infinity'],
  ['FCVTMS', '10', '000', RM, false, 'toward -infinity'], ['FCVTMU', '10', '001', RM, true, 'toward -infinity'],
  ['FCVTZS', '11', '000', RZ, false, 'toward zero'], ['FCVTZU', '11', '001', RZ, true, 'toward zero'],
] as const).map(([id, rmode, opcode, rnd, uns, what]): InsnSpec => ({
  id, mnemonic: id.toLowerCase(), group: GC,
  hover: `Convert to a ${uns ? 'unsigned' : 'signed'} integer, rounding ${what}; saturates (IOC) when out of range, NaN gives 0 (IOC).`,
  pattern: `sf:1 00 11110 ftype:2 1 ${rmode} ${opcode} 000000 Rn:5 Rd:5`,
  valid: ftOk,
  operands: [gd, fn],
  exec: f => {
    const F = fmtOf(f.ftype), d = wr31(f.Rd, false), n = lane(F, f.Rn), bits = f.sf ? 64 : 32;
    return c => { c.x[d] = cvtToInt(c, F, vregs(c), n, 0, uns, bits, rnd); };
  },
}));

const fromIntSpecs: InsnSpec[] = ([['SCVTF', '010', false], ['UCVTF', '011', true]] as const).map(([id, opcode, uns]): InsnSpec => ({
  id, mnemonic: id.toLowerCase(), group: GC,
  hover: `Convert a ${uns ? 'unsigned' : 'signed'} integer to floating point, rounding with the FPCR mode.`,
  pattern: `sf:1 00 11110 ftype:2 1 00 ${opcode} 000000 Rn:5 Rd:5`,
  valid: ftOk,
  operands: [fd, gn],
  exec: f => {
    const F = fmtOf(f.ftype), d = f.Rd, n = rd31(f.Rn, false), sf = f.sf;
    return c => {
      const x = c.x[n];
      const v = sf ? (uns ? x : BigInt.asIntN(64, x)) : (uns ? x & M32 : BigInt.asIntN(32, x));
      const V = vregs(c);
      cvtFromInt(c, F, v, 0, V, lane(F, d));
      zeroAbove(V, F, d);
    };
  },
}));

const fbitsOp: Operand = computedImm('#<fbits>', f => 64 - f.scale, (f, v) => {
  const max = f.sf === 0 ? 32 : 64;
  if (v < 1 || v > max) throw new OperandError(`fraction bits ${v} out of range [1, ${max}]`);
  f.scale = 64 - v;
  return true;
});

const fixedSpecs: InsnSpec[] = [
  ...([['FCVTZS_fixed', 'fcvtzs', '000', false], ['FCVTZU_fixed', 'fcvtzu', '001', true]] as const).map(([id, m, opcode, uns]): InsnSpec => ({
    id, mnemonic: m, group: GC,
    hover: `Convert to a ${uns ? 'unsigned' : 'signed'} fixed-point number with #fbits fraction bits, rounding toward zero (saturating).`,
    pattern: `sf:1 00 11110 ftype:2 0 11 ${opcode} scale:6 Rn:5 Rd:5`,
    valid: f => f.ftype !== 2 && (f.sf === 1 || f.scale >= 32),
    operands: [gd, fn, fbitsOp],
    exec: f => {
      const F = fmtOf(f.ftype), d = wr31(f.Rd, false), n = lane(F, f.Rn), bits = f.sf ? 64 : 32, fb = 64 - f.scale;
      return c => { c.x[d] = cvtToInt(c, F, vregs(c), n, fb, uns, bits, RZ); };
    },
  })),
  ...([['SCVTF_fixed', 'scvtf', '010', false], ['UCVTF_fixed', 'ucvtf', '011', true]] as const).map(([id, m, opcode, uns]): InsnSpec => ({
    id, mnemonic: m, group: GC,
    hover: `Convert a ${uns ? 'unsigned' : 'signed'} fixed-point number with #fbits fraction bits to floating point (FPCR rounding).`,
    pattern: `sf:1 00 11110 ftype:2 0 00 ${opcode} scale:6 Rn:5 Rd:5`,
    valid: f => f.ftype !== 2 && (f.sf === 1 || f.scale >= 32),
    operands: [fd, gn, fbitsOp],
    exec: f => {
      const F = fmtOf(f.ftype), d = f.Rd, n = rd31(f.Rn, false), sf = f.sf, fb = 64 - f.scale;
      return c => {
        const x = c.x[n];
        const v = sf ? (uns ? x : BigInt.asIntN(64, x)) : (uns ? x & M32 : BigInt.asIntN(32, x));
        const V = vregs(c);
        cvtFromInt(c, F, v, fb, V, lane(F, d));
        zeroAbove(V, F, d);
      };
    },
  })),
];

const fmovGenSpecs: InsnSpec[] = [
  {
    id: 'FMOV_r_h', mnemonic: 'fmov', group: GC, hover: 'Copy the 16 bits of Hn to Wd/Xd (zero-extended).',
    pattern: 'sf:1 00 11110 11 1 00 110 000000 Rn:5 Rd:5', operands: [gd, freg('Rn', 'h')],
    exec: f => { const d = wr31(f.Rd, false), n = f.Rn; return c => { c.x[d] = BigInt(vregs(c).u16[n * 8]); }; },
  },
  {
    id: 'FMOV_h_r', mnemonic: 'fmov', group: GC, hover: 'Copy the low 16 bits of Wn/Xn to Hd (clearing the rest of the vector register).',
    pattern: 'sf:1 00 11110 11 1 00 111 000000 Rn:5 Rd:5', operands: [freg('Rd', 'h'), gn],
    exec: f => { const d = f.Rd, n = rd31(f.Rn, false); return c => { const V = vregs(c); V.u16[d * 8] = Number(c.x[n] & 0xffffn); zeroAbove16(V, d); }; },
  },
  {
    id: 'FMOV_w_s', mnemonic: 'fmov', group: GC, hover: 'Copy the bits of Sn to Wd.',
    pattern: '0 00 11110 00 1 00 110 000000 Rn:5 Rd:5', operands: [gpr('Rd', { width: 'w' }), freg('Rn', 's')],
    exec: f => { const d = wr31(f.Rd, false), n = f.Rn; return c => { c.x[d] = BigInt(vregs(c).u32[n * 4]); }; },
  },
  {
    id: 'FMOV_s_w', mnemonic: 'fmov', group: GC, hover: 'Copy the bits of Wn to Sd (clearing the rest of the vector register).',
    pattern: '0 00 11110 00 1 00 111 000000 Rn:5 Rd:5', operands: [freg('Rd', 's'), gpr('Rn', { width: 'w' })],
    exec: f => { const d = f.Rd, n = rd31(f.Rn, false); return c => { const V = vregs(c); V.u32[d * 4] = Number(c.x[n] & M32); zeroAbove32(V, d); }; },
  },
  {
    id: 'FMOV_x_d', mnemonic: 'fmov', group: GC, hover: 'Copy the bits of Dn to Xd.',
    pattern: '1 00 11110 01 1 00 110 000000 Rn:5 Rd:5', operands: [gpr('Rd', { width: 'x' }), freg('Rn', 'd')],
    exec: f => { const d = wr31(f.Rd, false), n = f.Rn; return c => { c.x[d] = c.v[n * 2]; }; },
  },
  {
    id: 'FMOV_d_x', mnemonic: 'fmov', group: GC, hover: 'Copy the bits of Xn to Dd (clearing the upper half of the vector register).',
    pattern: '1 00 11110 01 1 00 111 000000 Rn:5 Rd:5', operands: [freg('Rd', 'd'), gpr('Rn', { width: 'x' })],
    exec: f => { const d = f.Rd, n = rd31(f.Rn, false); return c => { c.v[d * 2] = c.x[n]; c.v[d * 2 + 1] = 0n; }; },
  },
  {
    id: 'FMOV_x_v1', mnemonic: 'fmov', group: GC, hover: 'Copy the upper 64 bits of Vn to Xd.',
    pattern: '1 00 11110 10 1 01 110 000000 Rn:5 Rd:5', operands: [gpr('Rd', { width: 'x' }), fixedElem('Rn')],
    exec: f => { const d = wr31(f.Rd, false), n = f.Rn; return c => { c.x[d] = c.v[n * 2 + 1]; }; },
  },
  {
    id: 'FMOV_v1_x', mnemonic: 'fmov', group: GC, hover: 'Copy Xn to the upper 64 bits of Vd (the lower half is unchanged).',
    pattern: '1 00 11110 10 1 01 111 000000 Rn:5 Rd:5', operands: [fixedElem('Rd'), gpr('Rn', { width: 'x' })],
    exec: f => { const d = f.Rd, n = rd31(f.Rn, false); return c => { c.v[d * 2 + 1] = c.x[n]; }; },
  },
];

/** `v<n>.d[1]` of the FMOV top-half forms. */
function fixedElem(field: string): Operand {
  return {
    syntax: '<Vn>.D[1]',
    format: f => `v${f[field]}.d[1]`,
    parse: (text, f) => {
      const m = /^v(\d{1,2})\.d\s*\[\s*1\s*\]$/i.exec(text.trim());
      if (!m || Number(m[1]) > 31) return false;
      f[field] = Number(m[1]);
      return true;
    },
  };
}

export const fpSpecs: InsnSpec[] = [
  ...oneSourceSpecs, ...twoSourceSpecs, ...threeSourceSpecs, ...compareSpecs, ...ccmpSpecs, fcselSpec, fmovImmSpec,
  ...toIntSpecs, ...fromIntSpecs, ...fixedSpecs, ...fmovGenSpecs,
];

