// Advanced SIMD floating point (single and double precision elements), vector and scalar forms:
// three same (FADD FSUB FMUL FDIV FMULX FMLA FMLS FMAX FMIN FMAXNM FMINNM FABD FRECPS FRSQRTS, the
// compares FCMEQ/FCMGE/FCMGT/FACGE/FACGT and the pairwise forms), two-register miscellaneous
// (FABS FNEG FSQRT FRINT* FCVT*S/U SCVTF UCVTF FRECPE FRSQRTE FRECPX URECPE URSQRTE, compares with
// zero, FCVTN/FCVTL/FCVTXN), across lanes (FMAXV...), scalar pairwise (FADDP... and integer ADDP),
// fixed-point conversions by immediate, and FMLA/FMLS/FMUL/FMULX by element.
import { OperandError } from '../../asm/types';
import type { Cpu } from '../../cpu/cpu';
import type { Fields, InsnSpec, Operand, Step } from '../spec';
import {
  arithD, arithS, cmpPredSlow, convertSlow, FD, fmaD, fmaS, FPCR_FZ, fpcrRounding, FS, FH, mulSlow, OP_ADD, OP_DIV, OP_MUL, OP_SUB,
  RA, RM, RN, RO, RP, RZ, recipEstimate, recipEstimateFP, recipSqrtEstimate, recipStepSlow, recpxFP, roundIntBoundedSlow,
  rsqrtEstimateFP, rsqrtStepSlow, sqrtD, sqrtS, type Fmt,
} from './fp-soft';
import { cvtFromInt, cvtToInt, frint, laneRaw, maxMinLanes } from './fp';
import { commit, commitScalar } from './simd-lanes';
import { arrFP, arrTable, computedImm, fpZero, freg, hlmCodec, velemSplit, vreg, widthSz, type ArrSpec } from './simd-operands';
import { T, vregs, type VViews } from './simd-regs';

const G3 = 'Advanced SIMD three same (floating point)';
const G2 = 'Advanced SIMD two-register miscellaneous (floating point)';
const GS3 = 'Advanced SIMD scalar three same (floating point)';
const GS2 = 'Advanced SIMD scalar two-register miscellaneous (floating point)';

/** A lane operation: reads lanes ia (of A) and ib (of B), writes lane ir of R (indexes in F's element view). */
type FpLaneOp = (c: Cpu, F: Fmt, A: VViews, ia: number, B: VViews, ib: number, R: VViews, ir: number) => void;

const per = (F: Fmt): number => (F === FD ? 2 : F === FS ? 4 : 8);
const sOf = (F: Fmt): number => (F === FD ? 3 : F === FS ? 2 : 1);
const fmtSz = (sz: number): Fmt => (sz ? FD : FS);
const M64 = 0xffff_ffff_ffff_ffffn;

function writeLaneRaw(F: Fmt, R: VViews, i: number, r: bigint): void {
  if (F === FD) R.u64[i] = r; else if (F === FS) R.u32[i] = Number(r); else R.u16[i] = Number(r);
}
function writeMask(F: Fmt, R: VViews, i: number, on: boolean): void {
  if (F === FD) R.u64[i] = on ? M64 : 0n; else R.u32[i] = on ? 0xffffffff : 0;
}

// ---- lane operations ----------------------------------------------------------------------------------

const arith = (op: number): FpLaneOp => (c, F, A, ia, B, ib, R, ir) => { if (F === FD) arithD(c, op, A, ia, B, ib, R, ir); else arithS(c, op, A, ia, B, ib, R, ir); };
const ADD = arith(OP_ADD), SUB = arith(OP_SUB), MUL = arith(OP_MUL), DIV = arith(OP_DIV);
const MULX: FpLaneOp = (c, F, A, ia, B, ib, R, ir) => {
  const a = F === FD ? A.f64[ia] : A.f32[ia], b = F === FD ? B.f64[ib] : B.f32[ib];
  if (Number.isFinite(a) && Number.isFinite(b)) { MUL(c, F, A, ia, B, ib, R, ir); return; }
  writeLaneRaw(F, R, ir, mulSlow(c, F, laneRaw(A, F, ia), laneRaw(B, F, ib), true));
};
const ABD: FpLaneOp = (c, F, A, ia, B, ib, R, ir) => {
  SUB(c, F, A, ia, B, ib, R, ir);
  if (F === FD) R.u32[ir * 2 + 1] &= 0x7fffffff; else R.u32[ir] &= 0x7fffffff;
};
const maxMin = (max: boolean, num: boolean): FpLaneOp => (c, F, A, ia, B, ib, R, ir) => maxMinLanes(c, F, A, ia, B, ib, R, ir, max, num);
const step = (rsqrt: boolean): FpLaneOp => (c, F, A, ia, B, ib, R, ir) =>
  writeLaneRaw(F, R, ir, (rsqrt ? rsqrtStepSlow : recipStepSlow)(c, F, laneRaw(A, F, ia), laneRaw(B, F, ib)));
/** FCMEQ (0), FCMGE (1), FCMGT (2); `abs` for FACGE/FACGT. */
const cmp = (pred: number, abs: boolean): FpLaneOp => (c, F, A, ia, B, ib, R, ir) => {
  if ((c.fpcr & FPCR_FZ) === 0) {
    let a = F === FD ? A.f64[ia] : A.f32[ia], b = F === FD ? B.f64[ib] : B.f32[ib];
    if (a === a && b === b) {
      if (abs) { a = Math.abs(a); b = Math.abs(b); }
      writeMask(F, R, ir, pred === 0 ? a === b : pred === 1 ? a >= b : a > b);
      return;
    }
  }
  writeMask(F, R, ir, cmpPredSlow(c, F, laneRaw(A, F, ia), laneRaw(B, F, ib), pred, abs));
};
/** Compare with zero: GT, GE, EQ, LE, LT (LE/LT are GE/GT with the operands swapped). */
const cmpZero = (kind: 'gt' | 'ge' | 'eq' | 'le' | 'lt'): FpLaneOp => (c, F, A, ia, _B, _ib, R, ir) => {
  const zero = Z;
  if (kind === 'le') cmp(1, false)(c, F, zero, 0, A, ia, R, ir);
  else if (kind === 'lt') cmp(2, false)(c, F, zero, 0, A, ia, R, ir);
  else cmp(kind === 'eq' ? 0 : kind === 'ge' ? 1 : 2, false)(c, F, A, ia, zero, 0, R, ir);
};
/** A register file of zeros (for the compare-with-zero forms). */
const Z: VViews = (() => { const b = new ArrayBuffer(16); return { u8: new Uint8Array(b), i8: new Int8Array(b), u16: new Uint16Array(b), i16: new Int16Array(b), u32: new Uint32Array(b), i32: new Int32Array(b), f32: new Float32Array(b), f64: new Float64Array(b), u64: new BigUint64Array(b), i64: new BigInt64Array(b) }; })();

// ---- drivers ----------------------------------------------------------------------------------------------

function vecStep(op: FpLaneOp, F: Fmt, d: number, n: number, m: number, bytes: number): Step {
  const p = per(F), cnt = bytes / (16 / p);
  return c => {
    const V = vregs(c);
    for (let i = 0; i < cnt; i++) op(c, F, V, n * p + i, V, m * p + i, T, i);
    commit(V, d, bytes);
  };
}
function pairVecStep(op: FpLaneOp, F: Fmt, d: number, n: number, m: number, bytes: number): Step {
  const p = per(F), cnt = bytes / (16 / p), half = cnt >> 1;
  return c => {
    const V = vregs(c);
    for (let i = 0; i < half; i++) op(c, F, V, n * p + 2 * i, V, n * p + 2 * i + 1, T, i);
    for (let i = 0; i < half; i++) op(c, F, V, m * p + 2 * i, V, m * p + 2 * i + 1, T, half + i);
    commit(V, d, bytes);
  };
}
function scalarStep(op: FpLaneOp, F: Fmt, d: number, n: number, m: number): Step {
  const p = per(F);
  return c => { const V = vregs(c); op(c, F, V, n * p, V, m * p, T, 0); commitScalar(V, d, sOf(F)); };
}
function fmaVecStep(F: Fmt, d: number, n: number, m: number, bytes: number, neg: boolean, mi: number): Step {
  const p = per(F), cnt = bytes / (16 / p);
  return c => {
    const V = vregs(c);
    for (let i = 0; i < cnt; i++) {
      const im = mi < 0 ? m * p + i : m * p + mi;
      if (F === FD) fmaD(c, V, d * p + i, n * p + i, im, T, i, false, neg);
      else fmaS(c, V, d * p + i, n * p + i, im, T, i, false, neg);
    }
    commit(V, d, bytes);
  };
}

// ---- three same ----------------------------------------------------------------------------------------------

interface Fp3 { id: string; m: string; U: number; a: number; opc: string; op?: FpLaneOp; kind?: 'pair' | 'fma'; neg?: boolean; scalar?: boolean; hover: string }

const FP3: Fp3[] = [
  { id: 'FMAXNM', m: 'fmaxnm', U: 0, a: 0, opc: '11000', op: maxMin(true, true), hover: 'Maximum number (a single quiet NaN is ignored).' },
  { id: 'FMLA', m: 'fmla', U: 0, a: 0, opc: '11001', kind: 'fma', neg: false, hover: 'Fused multiply-add to accumulator: d = d + n*m, one rounding.' },
  { id: 'FADD', m: 'fadd', U: 0, a: 0, opc: '11010', op: ADD, hover: 'Add.' },
  { id: 'FMULX', m: 'fmulx', U: 0, a: 0, opc: '11011', op: MULX, scalar: true, hover: 'Multiply extended: like FMUL but infinity * 0 gives ±2.0.' },
  { id: 'FCMEQ', m: 'fcmeq', U: 0, a: 0, opc: '11100', op: cmp(0, false), scalar: true, hover: 'Compare equal: all ones where a == b.' },
  { id: 'FMAX', m: 'fmax', U: 0, a: 0, opc: '11110', op: maxMin(true, false), hover: 'Maximum.' },
  { id: 'FRECPS', m: 'frecps', U: 0, a: 0, opc: '11111', op: step(false), scalar: true, hover: 'Reciprocal step: 2 - a*b (fused), the Newton-Raphson step for 1/x.' },
  { id: 'FMINNM', m: 'fminnm', U: 0, a: 1, opc: '11000', op: maxMin(false, true), hover: 'Minimum number (a single quiet NaN is ignored).' },
  { id: 'FMLS', m: 'fmls', U: 0, a: 1, opc: '11001', kind: 'fma', neg: true, hover: 'Fused multiply-subtract from accumulator: d = d - n*m, one rounding.' },
  { id: 'FSUB', m: 'fsub', U: 0, a: 1, opc: '11010', op: SUB, hover: 'Subtract.' },
  { id: 'FMIN', m: 'fmin', U: 0, a: 1, opc: '11110', op: maxMin(false, false), hover: 'Minimum.' },
  { id: 'FRSQRTS', m: 'frsqrts', U: 0, a: 1, opc: '11111', op: step(true), scalar: true, hover: 'Reciprocal square root step: (3 - a*b) / 2 (fused).' },
  { id: 'FMAXNMP', m: 'fmaxnmp', U: 1, a: 0, opc: '11000', op: maxMin(true, true), kind: 'pair', hover: 'Maximum number of adjacent pairs of Vn:Vm.' },
  { id: 'FADDP', m: 'faddp', U: 1, a: 0, opc: '11010', op: ADD, kind: 'pair', hover: 'Add adjacent pairs of Vn:Vm.' },
  { id: 'FMUL', m: 'fmul', U: 1, a: 0, opc: '11011', op: MUL, hover: 'Multiply.' },
  { id: 'FCMGE', m: 'fcmge', U: 1, a: 0, opc: '11100', op: cmp(1, false), scalar: true, hover: 'Compare greater than or equal: all ones where a >= b.' },
  { id: 'FACGE', m: 'facge', U: 1, a: 0, opc: '11101', op: cmp(1, true), scalar: true, hover: 'Absolute compare greater than or equal: all ones where |a| >= |b|.' },
  { id: 'FMAXP', m: 'fmaxp', U: 1, a: 0, opc: '11110', op: maxMin(true, false), kind: 'pair', hover: 'Maximum of adjacent pairs of Vn:Vm.' },
  { id: 'FDIV', m: 'fdiv', U: 1, a: 0, opc: '11111', op: DIV, hover: 'Divide.' },
  { id: 'FMINNMP', m: 'fminnmp', U: 1, a: 1, opc: '11000', op: maxMin(false, true), kind: 'pair', hover: 'Minimum number of adjacent pairs of Vn:Vm.' },
  { id: 'FABD', m: 'fabd', U: 1, a: 1, opc: '11010', op: ABD, scalar: true, hover: 'Absolute difference |a - b|.' },
  { id: 'FCMGT', m: 'fcmgt', U: 1, a: 1, opc: '11100', op: cmp(2, false), scalar: true, hover: 'Compare greater than: all ones where a > b.' },
  { id: 'FACGT', m: 'facgt', U: 1, a: 1, opc: '11101', op: cmp(2, true), scalar: true, hover: 'Absolute compare greater than: all ones where |a| > |b|.' },
  { id: 'FMINP', m: 'fminp', U: 1, a: 1, opc: '11110', op: maxMin(false, false), kind: 'pair', hover: 'Minimum of adjacent pairs of Vn:Vm.' },
];

const fpArr = arrFP();
const fpValid = (f: Fields): boolean => !(f.sz === 1 && f.Q === 0);

function fp3Specs(def: Fp3): InsnSpec[] {
  const out: InsnSpec[] = [{
    id: `${def.id}_v`, mnemonic: def.m, group: G3, hover: def.hover,
    pattern: `0 Q:1 ${def.U} 01110 ${def.a} sz:1 1 Rm:5 ${def.opc} 1 Rn:5 Rd:5`,
    valid: fpValid,
    operands: [vreg('Rd', fpArr), vreg('Rn', fpArr), vreg('Rm', fpArr)],
    exec: f => {
      const F = fmtSz(f.sz), bytes = f.Q ? 16 : 8;
      if (def.kind === 'fma') return fmaVecStep(F, f.Rd, f.Rn, f.Rm, bytes, !!def.neg, -1);
      if (def.kind === 'pair') return pairVecStep(def.op!, F, f.Rd, f.Rn, f.Rm, bytes);
      return vecStep(def.op!, F, f.Rd, f.Rn, f.Rm, bytes);
    },
  }];
  if (def.scalar) {
    const w = widthSz();
    out.push({
      id: `${def.id}_s`, mnemonic: def.m, group: GS3, hover: def.hover,
      pattern: `01 ${def.U} 11110 ${def.a} sz:1 1 Rm:5 ${def.opc} 1 Rn:5 Rd:5`,
      operands: [freg('Rd', w), freg('Rn', w), freg('Rm', w)],
      exec: f => scalarStep(def.op!, fmtSz(f.sz), f.Rd, f.Rn, f.Rm),
    });
  }
  return out;
}

// ---- two-register miscellaneous -------------------------------------------------------------------------------

type FpUnary = (c: Cpu, F: Fmt, A: VViews, ia: number, R: VViews, ir: number) => void;

const u2 = (op: FpLaneOp): FpUnary => (c, F, A, ia, R, ir) => op(c, F, A, ia, Z, 0, R, ir);
const FABS: FpUnary = (_c, F, A, ia, R, ir) => { if (F === FD) { R.u32[ir * 2] = A.u32[ia * 2]; R.u32[ir * 2 + 1] = A.u32[ia * 2 + 1] & 0x7fffffff; } else R.u32[ir] = A.u32[ia] & 0x7fffffff; };
const FNEG: FpUnary = (_c, F, A, ia, R, ir) => { if (F === FD) { R.u32[ir * 2] = A.u32[ia * 2]; R.u32[ir * 2 + 1] = A.u32[ia * 2 + 1] ^ 0x80000000; } else R.u32[ir] = A.u32[ia] ^ 0x80000000; };
const FSQRT: FpUnary = (c, F, A, ia, R, ir) => { if (F === FD) sqrtD(c, A, ia, R, ir); else sqrtS(c, A, ia, R, ir); };
const FRINT = (rnd: number | null, exact: boolean): FpUnary => (c, F, A, ia, R, ir) => frint(c, F, A, ia, R, ir, rnd ?? fpcrRounding(c.fpcr), exact);
const FRINTB = (bits: number, z: boolean): FpUnary => (c, F, A, ia, R, ir) =>
  writeLaneRaw(F, R, ir, roundIntBoundedSlow(c, F, laneRaw(A, F, ia), z ? RZ : fpcrRounding(c.fpcr), bits));
const TOINT = (rnd: number, uns: boolean, fbits = 0): FpUnary => (c, F, A, ia, R, ir) => {
  const r = cvtToInt(c, F, A, ia, fbits, uns, F.w, rnd);
  writeLaneRaw(F, R, ir, r);
};
const FROMINT = (uns: boolean, fbits = 0): FpUnary => (c, F, A, ia, R, ir) => {
  const v = F === FD ? (uns ? A.u64[ia] : A.i64[ia]) : F === FS ? BigInt(uns ? A.u32[ia] : A.i32[ia]) : BigInt(uns ? A.u16[ia] : A.i16[ia]);
  cvtFromInt(c, F, v, fbits, R, ir);
};
const RECPE: FpUnary = (c, F, A, ia, R, ir) => writeLaneRaw(F, R, ir, recipEstimateFP(c, F, laneRaw(A, F, ia)));
const RSQRTE: FpUnary = (c, F, A, ia, R, ir) => writeLaneRaw(F, R, ir, rsqrtEstimateFP(c, F, laneRaw(A, F, ia)));
const RECPX: FpUnary = (c, F, A, ia, R, ir) => writeLaneRaw(F, R, ir, recpxFP(c, F, laneRaw(A, F, ia)));
const URECPE: FpUnary = (_c, _F, A, ia, R, ir) => { const x = A.u32[ia]; R.u32[ir] = x < 0x80000000 ? 0xffffffff : (recipEstimate(x >>> 23) << 23) >>> 0; };
const URSQRTE: FpUnary = (_c, _F, A, ia, R, ir) => { const x = A.u32[ia]; R.u32[ir] = x < 0x40000000 ? 0xffffffff : (recipSqrtEstimate(x >>> 23) << 23) >>> 0; };

interface Fp2 { id: string; m: string; U: number; a: number; opc: string; op: FpUnary; zero?: boolean; scalar?: boolean; vector?: boolean; sOnly?: boolean; hover: string }

const FP2: Fp2[] = [
  { id: 'FRINTN', m: 'frintn', U: 0, a: 0, opc: '11000', op: FRINT(RN, false), hover: 'Round to integral, to nearest with ties to even.' },
  { id: 'FRINTM', m: 'frintm', U: 0, a: 0, opc: '11001', op: FRINT(RM, false), hover: 'Round to integral, toward -infinity.' },
  { id: 'FCVTNS', m: 'fcvtns', U: 0, a: 0, opc: '11010', op: TOINT(RN, false), scalar: true, hover: 'Convert to signed integer, to nearest with ties to even.' },
  { id: 'FCVTMS', m: 'fcvtms', U: 0, a: 0, opc: '11011', op: TOINT(RM, false), scalar: true, hover: 'Convert to signed integer, toward -infinity.' },
  { id: 'FCVTAS', m: 'fcvtas', U: 0, a: 0, opc: '11100', op: TOINT(RA, false), scalar: true, hover: 'Convert to signed integer, to nearest with ties away from zero.' },
  { id: 'SCVTF', m: 'scvtf', U: 0, a: 0, opc: '11101', op: FROMINT(false), scalar: true, hover: 'Convert signed integer elements to floating point (FPCR rounding).' },
  { id: 'FRINT32Z', m: 'frint32z', U: 0, a: 0, opc: '11110', op: FRINTB(32, true), hover: 'Round toward zero to an integral value that fits 32 bits.' },
  { id: 'FRINT64Z', m: 'frint64z', U: 0, a: 0, opc: '11111', op: FRINTB(64, true), hover: 'Round toward zero to an integral value that fits 64 bits.' },
  { id: 'FCMGT_zero', m: 'fcmgt', U: 0, a: 1, opc: '01100', op: u2(cmpZero('gt')), zero: true, scalar: true, hover: 'Compare greater than zero.' },
  { id: 'FCMEQ_zero', m: 'fcmeq', U: 0, a: 1, opc: '01101', op: u2(cmpZero('eq')), zero: true, scalar: true, hover: 'Compare equal to zero.' },
  { id: 'FCMLT_zero', m: 'fcmlt', U: 0, a: 1, opc: '01110', op: u2(cmpZero('lt')), zero: true, scalar: true, hover: 'Compare less than zero.' },
  { id: 'FABS', m: 'fabs', U: 0, a: 1, opc: '01111', op: FABS, hover: 'Absolute value (clears the sign bits).' },
  { id: 'FRINTP', m: 'frintp', U: 0, a: 1, opc: '11000', op: FRINT(RP, false), hover: 'Round to integral, toward +infinity.' },
  { id: 'FRINTZ', m: 'frintz', U: 0, a: 1, opc: '11001', op: FRINT(RZ, false), hover: 'Round to integral, toward zero.' },
  { id: 'FCVTPS', m: 'fcvtps', U: 0, a: 1, opc: '11010', op: TOINT(RP, false), scalar: true, hover: 'Convert to signed integer, toward +infinity.' },
  { id: 'FCVTZS', m: 'fcvtzs', U: 0, a: 1, opc: '11011', op: TOINT(RZ, false), scalar: true, hover: 'Convert to signed integer, toward zero.' },
  { id: 'URECPE', m: 'urecpe', U: 0, a: 1, opc: '11100', op: URECPE, sOnly: true, hover: 'Unsigned reciprocal estimate of 32-bit fixed-point elements.' },
  { id: 'FRECPE', m: 'frecpe', U: 0, a: 1, opc: '11101', op: RECPE, scalar: true, hover: 'Reciprocal estimate (8 bits).' },
  { id: 'FRECPX', m: 'frecpx', U: 0, a: 1, opc: '11111', op: RECPX, scalar: true, vector: false, hover: 'Reciprocal exponent: inverts the exponent, clears the fraction.' },
  { id: 'FRINTA', m: 'frinta', U: 1, a: 0, opc: '11000', op: FRINT(RA, false), hover: 'Round to integral, to nearest with ties away from zero.' },
  { id: 'FRINTX', m: 'frintx', U: 1, a: 0, opc: '11001', op: FRINT(null, true), hover: 'Round to integral with the FPCR mode, raising Inexact when the value changes.' },
  { id: 'FCVTNU', m: 'fcvtnu', U: 1, a: 0, opc: '11010', op: TOINT(RN, true), scalar: true, hover: 'Convert to unsigned integer, to nearest with ties to even.' },
  { id: 'FCVTMU', m: 'fcvtmu', U: 1, a: 0, opc: '11011', op: TOINT(RM, true), scalar: true, hover: 'Convert to unsigned integer, toward -infinity.' },
  { id: 'FCVTAU', m: 'fcvtau', U: 1, a: 0, opc: '11100', op: TOINT(RA, true), scalar: true, hover: 'Convert to unsigned integer, to nearest with ties away from zero.' },
  { id: 'UCVTF', m: 'ucvtf', U: 1, a: 0, opc: '11101', op: FROMINT(true), scalar: true, hover: 'Convert unsigned integer elements to floating point (FPCR rounding).' },
  { id: 'FRINT32X', m: 'frint32x', U: 1, a: 0, opc: '11110', op: FRINTB(32, false), hover: 'Round with the FPCR mode to an integral value that fits 32 bits.' },
  { id: 'FRINT64X', m: 'frint64x', U: 1, a: 0, opc: '11111', op: FRINTB(64, false), hover: 'Round with the FPCR mode to an integral value that fits 64 bits.' },
  { id: 'FCMGE_zero', m: 'fcmge', U: 1, a: 1, opc: '01100', op: u2(cmpZero('ge')), zero: true, scalar: true, hover: 'Compare greater than or equal to zero.' },
  { id: 'FCMLE_zero', m: 'fcmle', U: 1, a: 1, opc: '01101', op: u2(cmpZero('le')), zero: true, scalar: true, hover: 'Compare less than or equal to zero.' },
  { id: 'FNEG', m: 'fneg', U: 1, a: 1, opc: '01111', op: FNEG, hover: 'Negate (flips the sign bits).' },
  { id: 'FRINTI', m: 'frinti', U: 1, a: 1, opc: '11001', op: FRINT(null, false), hover: 'Round to integral with the FPCR rounding mode.' },
  { id: 'FCVTPU', m: 'fcvtpu', U: 1, a: 1, opc: '11010', op: TOINT(RP, true), scalar: true, hover: 'Convert to unsigned integer, toward +infinity.' },
  { id: 'FCVTZU', m: 'fcvtzu', U: 1, a: 1, opc: '11011', op: TOINT(RZ, true), scalar: true, hover: 'Convert to unsigned integer, toward zero.' },
  { id: 'URSQRTE', m: 'ursqrte', U: 1, a: 1, opc: '11100', op: URSQRTE, sOnly: true, hover: 'Unsigned reciprocal square root estimate of 32-bit fixed-point elements.' },
  { id: 'FRSQRTE', m: 'frsqrte', U: 1, a: 1, opc: '11101', op: RSQRTE, scalar: true, hover: 'Reciprocal square root estimate (8 bits).' },
  { id: 'FSQRT', m: 'fsqrt', U: 1, a: 1, opc: '11111', op: FSQRT, hover: 'Square root.' },
];

function unaryVecStep(op: FpUnary, F: Fmt, d: number, n: number, bytes: number): Step {
  const p = per(F), cnt = bytes / (16 / p);
  return c => { const V = vregs(c); for (let i = 0; i < cnt; i++) op(c, F, V, n * p + i, T, i); commit(V, d, bytes); };
}

function fp2Specs(def: Fp2): InsnSpec[] {
  const extra: Operand[] = def.zero ? [fpZero()] : [];
  const out: InsnSpec[] = [];
  if (def.vector !== false) {
    const arr: ArrSpec = def.sOnly ? arrTable([['2s', { Q: 0 }], ['4s', { Q: 1 }]]) : fpArr;
    out.push({
      id: `${def.id}_v`, mnemonic: def.m, group: G2, hover: def.hover,
      pattern: `0 Q:1 ${def.U} 01110 ${def.a} ${def.sOnly ? '0' : 'sz:1'} 10000 ${def.opc} 10 Rn:5 Rd:5`,
      valid: def.sOnly ? undefined : fpValid,
      operands: [vreg('Rd', arr), vreg('Rn', arr), ...extra],
      exec: f => unaryVecStep(def.op, fmtSz(def.sOnly ? 0 : f.sz), f.Rd, f.Rn, f.Q ? 16 : 8),
    });
  }
  if (def.scalar) {
    const w = widthSz();
    out.push({
      id: `${def.id}_s`, mnemonic: def.m, group: GS2, hover: def.hover,
      pattern: `01 ${def.U} 11110 ${def.a} sz:1 10000 ${def.opc} 10 Rn:5 Rd:5`,
      operands: [freg('Rd', w), freg('Rn', w), ...extra],
      exec: f => {
        const F = fmtSz(f.sz), p = per(F), d = f.Rd, n = f.Rn;
        return c => { const V = vregs(c); def.op(c, F, V, n * p, T, 0); commitScalar(V, d, sOf(F)); };
      },
    });
  }
  return out;
}

// FCVTN{2}, FCVTL{2}, FCVTXN{2} (vector) and FCVTXN (scalar).
const cvtNarrowSpecs: InsnSpec[] = [
  {
    id: 'FCVTN', mnemonic: f => 'fcvtn' + (f.Q ? '2' : ''), group: G2,
    hover: 'Convert to the next narrower precision (double to single, single to half), FPCR rounding; the "2" form writes the upper half.',
    pattern: '0 Q:1 0 01110 0 sz:1 10000 10110 10 Rn:5 Rd:5',
    operands: [vreg('Rd', arrTable([['4h', { sz: 0, Q: 0 }], ['8h', { sz: 0, Q: 1 }], ['2s', { sz: 1, Q: 0 }], ['4s', { sz: 1, Q: 1 }]])),
      vreg('Rn', arrTable([['4s', { sz: 0 }], ['2d', { sz: 1 }]]))],
    aliases: [0, 1].map(q => ({
      mnemonic: 'fcvtn' + (q ? '2' : ''), when: () => false, asmOnly: true, fixed: { Q: q },
      operands: [vreg('Rd', arrTable([['4h', { sz: 0, Q: 0 }], ['8h', { sz: 0, Q: 1 }], ['2s', { sz: 1, Q: 0 }], ['4s', { sz: 1, Q: 1 }]])), vreg('Rn', arrTable([['4s', { sz: 0 }], ['2d', { sz: 1 }]]))],
      complete: (f: Fields) => f.Q === q,
    })),
    exec: f => narrowStep(f.sz ? FD : FS, f.sz ? FS : FH, f.Rd, f.Rn, f.Q === 1, null),
  },
  {
    id: 'FCVTXN_v', mnemonic: f => 'fcvtxn' + (f.Q ? '2' : ''), group: G2,
    hover: 'Convert double to single precision rounding to odd (for exact double rounding later).',
    pattern: '0 Q:1 1 01110 0 1 10000 10110 10 Rn:5 Rd:5',
    operands: [vreg('Rd', arrTable([['2s', { Q: 0 }], ['4s', { Q: 1 }]])), vreg('Rn', arrTable([['2d', {}]]))],
    aliases: [0, 1].map(q => ({
      mnemonic: 'fcvtxn' + (q ? '2' : ''), when: () => false, asmOnly: true, fixed: { Q: q },
      operands: [vreg('Rd', arrTable([['2s', { Q: 0 }], ['4s', { Q: 1 }]])), vreg('Rn', arrTable([['2d', {}]]))], complete: (f: Fields) => f.Q === q,
    })),
    exec: f => narrowStep(FD, FS, f.Rd, f.Rn, f.Q === 1, RO),
  },
  {
    id: 'FCVTXN_s', mnemonic: 'fcvtxn', group: GS2, hover: 'Convert double to single precision rounding to odd.',
    pattern: '01 1 11110 0 1 10000 10110 10 Rn:5 Rd:5',
    operands: [freg('Rd', 's'), freg('Rn', 'd')],
    exec: f => {
      const d = f.Rd, n = f.Rn;
      return c => { const V = vregs(c); T.u32[0] = Number(convertSlow(c, FD, FS, V.u64[n * 2], RO)); commitScalar(V, d, 2); };
    },
  },
  {
    id: 'FCVTL', mnemonic: f => 'fcvtl' + (f.Q ? '2' : ''), group: G2,
    hover: 'Convert to the next wider precision (half to single, single to double), exact; the "2" form reads the upper half.',
    pattern: '0 Q:1 0 01110 0 sz:1 10000 10111 10 Rn:5 Rd:5',
    operands: [vreg('Rd', arrTable([['4s', { sz: 0 }], ['2d', { sz: 1 }]])),
      vreg('Rn', arrTable([['4h', { sz: 0, Q: 0 }], ['8h', { sz: 0, Q: 1 }], ['2s', { sz: 1, Q: 0 }], ['4s', { sz: 1, Q: 1 }]]))],
    aliases: [0, 1].map(q => ({
      mnemonic: 'fcvtl' + (q ? '2' : ''), when: () => false, asmOnly: true, fixed: { Q: q },
      operands: [vreg('Rd', arrTable([['4s', { sz: 0 }], ['2d', { sz: 1 }]])), vreg('Rn', arrTable([['4h', { sz: 0, Q: 0 }], ['8h', { sz: 0, Q: 1 }], ['2s', { sz: 1, Q: 0 }], ['4s', { sz: 1, Q: 1 }]]))],
      complete: (f: Fields) => f.Q === q,
    })),
    exec: f => {
      const Fi = f.sz ? FS : FH, Fo = f.sz ? FD : FS, d = f.Rd, n = f.Rn, cnt = f.sz ? 2 : 4, off = f.Q ? cnt : 0;
      return c => {
        const V = vregs(c);
        for (let i = 0; i < cnt; i++) {
          const ii = n * per(Fi) + off + i;
          if (Fi === FS) {
            const u = V.u32[ii], ex = u & 0x7f800000;
            if (ex !== 0x7f800000 && (ex !== 0 || (c.fpcr & FPCR_FZ) === 0)) { T.f64[i] = V.f32[ii]; continue; }
          }
          writeLaneRaw(Fo, T, i, convertSlow(c, Fi, Fo, laneRaw(V, Fi, ii)));
        }
        commit(V, d, 16);
      };
    },
  },
];

function narrowStep(Fi: Fmt, Fo: Fmt, d: number, n: number, upper: boolean, rnd: number | null): Step {
  const cnt = Fi === FD ? 2 : 4;
  return c => {
    const V = vregs(c);
    if (upper) { T.u32[0] = V.u32[d * 4]; T.u32[1] = V.u32[d * 4 + 1]; }
    const base = upper ? cnt : 0;
    for (let i = 0; i < cnt; i++) {
      const ii = n * per(Fi) + i;
      writeLaneRaw(Fo, T, base + i, convertSlow(c, Fi, Fo, laneRaw(V, Fi, ii), rnd ?? fpcrRounding(c.fpcr)));
    }
    commit(V, d, upper ? 16 : 8);
  };
}

// ---- across lanes and scalar pairwise --------------------------------------------------------------------------

/** Arm's Reduce: op(Reduce(lower half), Reduce(upper half)), recursively. */
function reduceLanes(c: Cpu, op: FpLaneOp, F: Fmt, V: VViews, base: number, cnt: number, out: number): void {
  if (cnt === 2) { op(c, F, V, base, V, base + 1, T, out); return; }
  // cnt == 4 (the only other case): reduce both halves into scratch lanes 2 and 3, then combine.
  op(c, F, V, base, V, base + 1, T, 2);
  op(c, F, V, base + 2, V, base + 3, T, 3);
  op(c, F, T, 2, T, 3, T, out);
}

const acrossSpecs: InsnSpec[] = ([
  ['FMAXNMV', 'fmaxnmv', 0, '01100', maxMin(true, true)], ['FMAXV', 'fmaxv', 0, '01111', maxMin(true, false)],
  ['FMINNMV', 'fminnmv', 1, '01100', maxMin(false, true)], ['FMINV', 'fminv', 1, '01111', maxMin(false, false)],
] as const).map(([id, m, a, opc, op]): InsnSpec => ({
  id, mnemonic: m, group: 'Advanced SIMD across lanes', hover: `${m.includes('max') ? 'Maximum' : 'Minimum'}${m.includes('nm') ? ' number' : ''} across the four single-precision elements.`,
  pattern: `0 1 1 01110 ${a} 0 11000 ${opc} 10 Rn:5 Rd:5`,
  operands: [freg('Rd', 's'), vreg('Rn', arrTable([['4s', {}]]))],
  exec: f => {
    const d = f.Rd, n = f.Rn;
    return c => { const V = vregs(c); reduceLanes(c, op, FS, V, n * 4, 4, 0); commitScalar(V, d, 2); };
  },
}));

const scalarPairSpecs: InsnSpec[] = [
  ...([
    ['FMAXNMP_s', 'fmaxnmp', 0, '01100', maxMin(true, true)], ['FADDP_s', 'faddp', 0, '01101', ADD], ['FMAXP_s', 'fmaxp', 0, '01111', maxMin(true, false)],
    ['FMINNMP_s', 'fminnmp', 1, '01100', maxMin(false, true)], ['FMINP_s', 'fminp', 1, '01111', maxMin(false, false)],
  ] as const).map(([id, m, a, opc, op]): InsnSpec => ({
    id, mnemonic: m, group: 'Advanced SIMD scalar pairwise', hover: `Pairwise ${m.slice(1, -1)} of the two elements of Vn.`,
    pattern: `01 1 11110 ${a} sz:1 11000 ${opc} 10 Rn:5 Rd:5`,
    operands: [freg('Rd', widthSz()), vreg('Rn', arrTable([['2s', { sz: 0 }], ['2d', { sz: 1 }]]))],
    exec: f => {
      const F = fmtSz(f.sz), p = per(F), d = f.Rd, n = f.Rn;
      return c => { const V = vregs(c); op(c, F, V, n * p, V, n * p + 1, T, 0); commitScalar(V, d, sOf(F)); };
    },
  })),
  {
    id: 'ADDP_s', mnemonic: 'addp', group: 'Advanced SIMD scalar pairwise', hover: 'Add the two 64-bit elements of Vn.',
    pattern: '01 0 11110 11 11000 11011 10 Rn:5 Rd:5',
    operands: [freg('Rd', 'd'), vreg('Rn', arrTable([['2d', {}]]))],
    exec: f => { const d = f.Rd, n = f.Rn; return c => { const V = vregs(c); T.u64[0] = V.u64[n * 2] + V.u64[n * 2 + 1]; commitScalar(V, d, 3); }; },
  },
];

// ---- fixed-point conversions by immediate -------------------------------------------------------------------------

const hsbFp = (immh: number): number => (immh >= 8 ? 3 : immh >= 4 ? 2 : immh >= 2 ? 1 : -1);
const fmtS = (s: number): Fmt => (s === 3 ? FD : s === 2 ? FS : FH);
function fbitsImm(): Operand {
  const esize = (f: Fields): number => 8 << hsbFp(f.immh);
  return computedImm('#<fbits>', f => 2 * esize(f) - ((f.immh << 3) | f.immb), (f, v) => {
    const e = esize(f);
    if (v < 1 || v > e) throw new OperandError(`fraction bits ${v} out of range [1, ${e}]`);
    const enc = 2 * e - v;
    f.immh = enc >> 3; f.immb = enc & 7;
    return true;
  });
}
function arrImmhFp(): ArrSpec {
  const rows: [string, Fields][] = [];
  for (let immh = 2; immh < 16; immh++) for (const q of [0, 1]) {
    const s = hsbFp(immh);
    if (s === 3 && q === 0) continue;
    rows.push([s === 3 ? '2d' : s === 2 ? (q ? '4s' : '2s') : (q ? '8h' : '4h'), { immh, Q: q }]);
  }
  return arrTable(rows);
}
function widthImmhFp(): ArrSpec {
  const rows: [string, Fields][] = [];
  for (let immh = 2; immh < 16; immh++) rows.push([['', 'h', 's', 'd'][hsbFp(immh)], { immh }]);
  return arrTable(rows);
}

const fixedSpecs: InsnSpec[] = ([
  ['SCVTF', 'scvtf', 0, '11100', (fb: number) => FROMINT(false, fb)], ['UCVTF', 'ucvtf', 1, '11100', (fb: number) => FROMINT(true, fb)],
  ['FCVTZS', 'fcvtzs', 0, '11111', (fb: number) => TOINT(RZ, false, fb)], ['FCVTZU', 'fcvtzu', 1, '11111', (fb: number) => TOINT(RZ, true, fb)],
] as const).flatMap(([id, m, U, opc, mkOp]): InsnSpec[] => {
  const hover = id.endsWith('CVTF') ? `Convert ${U ? 'unsigned' : 'signed'} fixed-point elements with #fbits fraction bits to floating point.`
    : `Convert to ${U ? 'unsigned' : 'signed'} fixed point with #fbits fraction bits, rounding toward zero (saturating).`;
  const fbOf = (f: Fields): number => 2 * (8 << hsbFp(f.immh)) - ((f.immh << 3) | f.immb);
  return [{
    id: `${id}_fixed_v`, mnemonic: m, group: 'Advanced SIMD shift by immediate', hover,
    pattern: `0 Q:1 ${U} 011110 immh:4 immb:3 ${opc} 1 Rn:5 Rd:5`,
    valid: f => hsbFp(f.immh) >= 1 && !(hsbFp(f.immh) === 3 && f.Q === 0),
    operands: [vreg('Rd', arrImmhFp()), vreg('Rn', arrImmhFp()), fbitsImm()],
    exec: f => unaryVecStep(mkOp(fbOf(f)), fmtS(hsbFp(f.immh)), f.Rd, f.Rn, f.Q ? 16 : 8),
  }, {
    id: `${id}_fixed_s`, mnemonic: m, group: 'Advanced SIMD scalar shift by immediate', hover,
    pattern: `01 ${U} 111110 immh:4 immb:3 ${opc} 1 Rn:5 Rd:5`,
    valid: f => hsbFp(f.immh) >= 1,
    operands: [freg('Rd', widthImmhFp()), freg('Rn', widthImmhFp()), fbitsImm()],
    exec: f => {
      const F = fmtS(hsbFp(f.immh)), p = per(F), d = f.Rd, n = f.Rn, op = mkOp(fbOf(f));
      return c => { const V = vregs(c); op(c, F, V, n * p, T, 0); commitScalar(V, d, sOf(F)); };
    },
  }];
});

// ---- by element ---------------------------------------------------------------------------------------------------

const fpElemCodec = () => hlmCodec(f => (f.sz === undefined ? -1 : f.sz + 2), (f, s) => {
  if (s < 2) return false;
  if (f.sz === undefined) f.sz = s - 2;
  return f.sz === s - 2;
});
const fpIdx = (f: Fields): number => (f.sz ? f.H : (f.H << 1) | f.L);

const elemSpecs: InsnSpec[] = ([
  ['FMLA_elem', 'fmla', 0, '0001', 'fma'], ['FMLS_elem', 'fmls', 0, '0101', 'fms'], ['FMUL_elem', 'fmul', 0, '1001', 'mul'], ['FMULX_elem', 'fmulx', 1, '1001', 'mulx'],
] as const).flatMap(([id, m, U, opc, kind]): InsnSpec[] => {
  const hover = kind === 'fma' ? 'Fused multiply-add by element.' : kind === 'fms' ? 'Fused multiply-subtract by element.' : kind === 'mul' ? 'Multiply by element.' : 'Multiply extended by element.';
  const em = velemSplit('Rm', 'M', fpElemCodec(), () => true);
  const valid = (f: Fields): boolean => !(f.sz === 1 && f.L === 1);
  const laneOp = kind === 'mul' ? MUL : MULX;
  return [{
    id: `${id}_v`, mnemonic: m, group: 'Advanced SIMD vector x indexed element', hover,
    pattern: `0 Q:1 ${U} 01111 1 sz:1 L:1 M:1 Rm:4 ${opc} H:1 0 Rn:5 Rd:5`,
    valid: f => valid(f) && fpValid(f),
    operands: [vreg('Rd', fpArr), vreg('Rn', fpArr), em],
    exec: f => {
      const F = fmtSz(f.sz), bytes = f.Q ? 16 : 8, mreg = (f.M << 4) | f.Rm, mi = fpIdx(f);
      if (kind === 'fma' || kind === 'fms') return fmaVecStep(F, f.Rd, f.Rn, mreg, bytes, kind === 'fms', mi);
      const p = per(F), cnt = bytes / (16 / p), d = f.Rd, n = f.Rn;
      return c => { const V = vregs(c); for (let i = 0; i < cnt; i++) laneOp(c, F, V, n * p + i, V, mreg * p + mi, T, i); commit(V, d, bytes); };
    },
  }, {
    id: `${id}_s`, mnemonic: m, group: 'Advanced SIMD scalar x indexed element', hover,
    pattern: `01 ${U} 11111 1 sz:1 L:1 M:1 Rm:4 ${opc} H:1 0 Rn:5 Rd:5`,
    valid,
    operands: [freg('Rd', widthSz()), freg('Rn', widthSz()), em],
    exec: f => {
      const F = fmtSz(f.sz), p = per(F), mreg = (f.M << 4) | f.Rm, mi = fpIdx(f), d = f.Rd, n = f.Rn;
      if (kind === 'fma' || kind === 'fms') {
        const neg = kind === 'fms';
        return c => {
          const V = vregs(c);
          if (F === FD) fmaD(c, V, d * p, n * p, mreg * p + mi, T, 0, false, neg); else fmaS(c, V, d * p, n * p, mreg * p + mi, T, 0, false, neg);
          commitScalar(V, d, sOf(F));
        };
      }
      return c => { const V = vregs(c); laneOp(c, F, V, n * p, V, mreg * p + mi, T, 0); commitScalar(V, d, sOf(F)); };
    },
  }];
});

export const simdFpSpecs: InsnSpec[] = [
  ...FP3.flatMap(fp3Specs), ...FP2.flatMap(fp2Specs), ...cvtNarrowSpecs, ...acrossSpecs, ...scalarPairSpecs, ...fixedSpecs, ...elemSpecs,
];

