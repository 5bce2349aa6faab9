// Advanced SIMD integer instructions, vector and scalar: three same (arithmetic, compares,
// shifts by register, saturating ops, pairwise, logical with the `mov`/`mvn` aliases), three
// different (widening / narrowing), two-register miscellaneous, across lanes, shift by immediate
// (with the sxtl/uxtl aliases) and vector x indexed element, plus SDOT/UDOT (FEAT_DotProd) and
// SQRDMLAH/SQRDMLSH (FEAT_RDM). Not implemented (undefined instruction): the crypto extensions
// (AES, SHA1/2/3/512, SM3/4; PMULL .1q is implemented), I8MM, BF16, FCMA, FHM, SVE/SME.
import { OperandError } from '../../asm/types';
import type { Cpu } from '../../cpu/cpu';
import type { Fields, InsnSpec, Operand, Step } from '../spec';
import {
  byElemStep, commit, commitScalar, mixedStep, numView, outView, pairStep, readBig, sameStep, satS, satSB, satU, satUB,
  writeBigT, type ElemOp, type Kernel,
} from './simd-lanes';
import {
  arrQ, arrSQ, arrSQ1d, arrTable, arrWide, computedImm, freg, hlmCodec, intZero, velem, velemSplit, vreg, vregSame, widthBySize,
  type ArrSpec,
} from './simd-operands';
import { T, vregs } from './simd-regs';

const G3 = 'Advanced SIMD three same';
const G3D = 'Advanced SIMD three different';
const G2 = 'Advanced SIMD two-register miscellaneous';
const GAL = 'Advanced SIMD across lanes';
const GSH = 'Advanced SIMD shift by immediate';
const GEL = 'Advanced SIMD vector x indexed element';

// ---- element operations ------------------------------------------------------------------------------

const mk = (signed: boolean, n: ElemOp['n'], b: ElemOp['b'], acc = false): ElemOp => ({ signed, n, b, acc });
/** Adds whole-vector kernels (each a separate function literal: see ElemOp.k). */
const withK = (op: ElemOp, k: Kernel, kp?: Kernel): ElemOp => ({ ...op, k, kp });
const toS = (v: number, e: number): number => (v >= 2 ** (e - 1) ? v - 2 ** e : v);
const ALL = -1;

const ADD = withK(mk(false, (a, b) => a + b, (a, b) => a + b),
  (A, bn, bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = A[bn + i] + A[bm + i]; },
  (A, bn, bm, R, cnt) => { const h = cnt >> 1; for (let i = 0; i < h; i++) { R[i] = A[bn + 2 * i] + A[bn + 2 * i + 1]; R[h + i] = A[bm + 2 * i] + A[bm + 2 * i + 1]; } });
const SUB = withK(mk(false, (a, b) => a - b, (a, b) => a - b),
  (A, bn, bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = A[bn + i] - A[bm + i]; });
const MUL = mk(false, (a, b, e) => (e === 32 ? Math.imul(a, b) : a * b), (a, b) => a * b);
const MLA = mk(false, (a, b, e, _c, d) => d + (e === 32 ? Math.imul(a, b) : a * b), (a, b, _e, _c, d) => d + a * b, true);
const MLS = mk(false, (a, b, e, _c, d) => d - (e === 32 ? Math.imul(a, b) : a * b), (a, b, _e, _c, d) => d - a * b, true);
function clmul(a: number, b: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) if ((b >> i) & 1) r ^= a << i;
  return r;
}
const PMUL = mk(false, (a, b) => clmul(a, b, 8) & 0xff, (a, b) => BigInt(clmul(Number(a), Number(b), 8) & 0xff));
const PMULL = mk(false, (a, b) => clmul(a, b, 8), (a, b) => BigInt(clmul(Number(a), Number(b), 8)));
const HADD = (s: boolean) => mk(s, (a, b) => Math.floor((a + b) / 2), (a, b) => (a + b) >> 1n);
const RHADD = (s: boolean) => mk(s, (a, b) => Math.floor((a + b + 1) / 2), (a, b) => (a + b + 1n) >> 1n);
const HSUB = (s: boolean) => mk(s, (a, b) => Math.floor((a - b) / 2), (a, b) => (a - b) >> 1n);
const QADD = (s: boolean) => mk(s, s ? (a, b, e, c) => satS(a + b, e, c) : (a, b, e, c) => satU(a + b, e, c),
  s ? (a, b, e, c) => satSB(a + b, e, c) : (a, b, e, c) => satUB(a + b, e, c));
const QSUB = (s: boolean) => mk(s, s ? (a, b, e, c) => satS(a - b, e, c) : (a, b, e, c) => satU(a - b, e, c),
  s ? (a, b, e, c) => satSB(a - b, e, c) : (a, b, e, c) => satUB(a - b, e, c));
const CMGT = (s: boolean) => withK(mk(s, (a, b) => (a > b ? ALL : 0), (a, b) => (a > b ? -1n : 0n)),
  (A, bn, bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = A[bn + i] > A[bm + i] ? ALL : 0; });
const CMGE = (s: boolean) => withK(mk(s, (a, b) => (a >= b ? ALL : 0), (a, b) => (a >= b ? -1n : 0n)),
  (A, bn, bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = A[bn + i] >= A[bm + i] ? ALL : 0; });
const CMEQ = withK(mk(false, (a, b) => (a === b ? ALL : 0), (a, b) => (a === b ? -1n : 0n)),
  (A, bn, bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = A[bn + i] === A[bm + i] ? ALL : 0; });
const CMTST = withK(mk(false, (a, b) => ((a & b) !== 0 ? ALL : 0), (a, b) => ((a & b) !== 0n ? -1n : 0n)),
  (A, bn, bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = (A[bn + i] & A[bm + i]) !== 0 ? ALL : 0; });
const MAX = (s: boolean) => withK(mk(s, (a, b) => (a > b ? a : b), (a, b) => (a > b ? a : b)),
  (A, bn, bm, R, cnt) => { for (let i = 0; i < cnt; i++) { const x = A[bn + i], y = A[bm + i]; R[i] = x > y ? x : y; } },
  (A, bn, bm, R, cnt) => {
    const h = cnt >> 1;
    for (let i = 0; i < h; i++) {
      const x = A[bn + 2 * i], y = A[bn + 2 * i + 1], u = A[bm + 2 * i], v = A[bm + 2 * i + 1];
      R[i] = x > y ? x : y; R[h + i] = u > v ? u : v;
    }
  });
const MIN = (s: boolean) => withK(mk(s, (a, b) => (a < b ? a : b), (a, b) => (a < b ? a : b)),
  (A, bn, bm, R, cnt) => { for (let i = 0; i < cnt; i++) { const x = A[bn + i], y = A[bm + i]; R[i] = x < y ? x : y; } },
  (A, bn, bm, R, cnt) => {
    const h = cnt >> 1;
    for (let i = 0; i < h; i++) {
      const x = A[bn + 2 * i], y = A[bn + 2 * i + 1], u = A[bm + 2 * i], v = A[bm + 2 * i + 1];
      R[i] = x < y ? x : y; R[h + i] = u < v ? u : v;
    }
  });
const ABD = (s: boolean) => mk(s, (a, b) => Math.abs(a - b), (a, b) => (a > b ? a - b : b - a));
const ABA = (s: boolean) => mk(s, (a, b, _e, _c, d) => d + Math.abs(a - b), (a, b, _e, _c, d) => d + (a > b ? a - b : b - a), true);
const SQDMULH = (round: boolean) => mk(true,
  (a, b, e, c) => (e === 32 ? Number(satSB((2n * BigInt(a) * BigInt(b) + (round ? 1n << 31n : 0n)) >> 32n, 32, c))
    : satS(Math.floor((2 * a * b + (round ? 2 ** (e - 1) : 0)) / 2 ** e), e, c)),
  (a, b, e, c) => satSB((2n * a * b + (round ? 1n << BigInt(e - 1) : 0n)) >> BigInt(e), e, c));
/** SQRDMLAH / SQRDMLSH: saturate((d << e) ± 2ab + round) >> e). */
const SQRDMLXH = (sub: boolean) => mk(true,
  (a, b, e, c, d) => Number(satSB(((BigInt(d) << BigInt(e)) + (sub ? -2n : 2n) * BigInt(a) * BigInt(b) + (1n << BigInt(e - 1))) >> BigInt(e), e, c)),
  (a, b, e, c, d) => satSB(((d << BigInt(e)) + (sub ? -2n : 2n) * a * b + (1n << BigInt(e - 1))) >> BigInt(e), e, c), true);

/** SSHL / USHL / SRSHL / URSHL / SQSHL / UQSHL / SQRSHL / UQRSHL (shift by the signed low byte of b). */
function shlReg(signed: boolean, round: boolean, sat: boolean): ElemOp {
  return mk(signed, (a, b, e, c) => {
    const sh = ((b & 0xff) << 24) >> 24;
    if (sh >= 0) {
      if (!sat) return sh >= 32 ? 0 : a << sh;
      if (a === 0) return 0;
      const v = sh >= e ? (a > 0 ? Infinity : -Infinity) : a * 2 ** sh;
      return signed ? satS(v, e, c) : satU(v, e, c);
    }
    const s = -sh;
    const v = Math.floor((a + (round ? 2 ** (s - 1) : 0)) / 2 ** s);
    return sat ? (signed ? satS(v, e, c) : satU(v, e, c)) : v;
  }, (a, b, e, c) => {
    const sh = Number(BigInt.asIntN(8, b & 0xffn));
    if (sh >= 0) {
      const v = a << BigInt(sh);
      return sat ? (signed ? satSB(v, e, c) : satUB(v, e, c)) : v;
    }
    const s = BigInt(-sh);
    const v = (a + (round ? 1n << (s - 1n) : 0n)) >> s;
    return sat ? (signed ? satSB(v, e, c) : satUB(v, e, c)) : v;
  });
}

// ---- operand helpers --------------------------------------------------------------------------------------

const vd = (arr: ArrSpec): Operand => vreg('Rd', arr);
const vn = (arr: ArrSpec): Operand => vreg('Rn', arr);
const vm = (arr: ArrSpec): Operand => vreg('Rm', arr);
const bytesOf = (f: Fields): number => (f.Q ? 16 : 8);
const qValid = (sizes: number[]) => (f: Fields): boolean => sizes.includes(f.size) && !(f.size === 3 && f.Q === 0);

// ---- three same --------------------------------------------------------------------------------------------

interface SameDef { id: string; m: string; U: number; opc: string; sizes: number[]; ssizes?: number[]; op: ElemOp; hover: string; pair?: boolean }

const SAME: SameDef[] = [
  { id: 'SHADD', m: 'shadd', U: 0, opc: '00000', sizes: [0, 1, 2], op: HADD(true), hover: 'Signed halving add: (a + b) >> 1.' },
  { id: 'UHADD', m: 'uhadd', U: 1, opc: '00000', sizes: [0, 1, 2], op: HADD(false), hover: 'Unsigned halving add: (a + b) >> 1.' },
  { id: 'SQADD', m: 'sqadd', U: 0, opc: '00001', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: QADD(true), hover: 'Signed saturating add (sets FPSR.QC when saturating).' },
  { id: 'UQADD', m: 'uqadd', U: 1, opc: '00001', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: QADD(false), hover: 'Unsigned saturating add (sets FPSR.QC when saturating).' },
  { id: 'SRHADD', m: 'srhadd', U: 0, opc: '00010', sizes: [0, 1, 2], op: RHADD(true), hover: 'Signed rounding halving add: (a + b + 1) >> 1.' },
  { id: 'URHADD', m: 'urhadd', U: 1, opc: '00010', sizes: [0, 1, 2], op: RHADD(false), hover: 'Unsigned rounding halving add: (a + b + 1) >> 1.' },
  { id: 'SHSUB', m: 'shsub', U: 0, opc: '00100', sizes: [0, 1, 2], op: HSUB(true), hover: 'Signed halving subtract: (a - b) >> 1.' },
  { id: 'UHSUB', m: 'uhsub', U: 1, opc: '00100', sizes: [0, 1, 2], op: HSUB(false), hover: 'Unsigned halving subtract: (a - b) >> 1.' },
  { id: 'SQSUB', m: 'sqsub', U: 0, opc: '00101', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: QSUB(true), hover: 'Signed saturating subtract.' },
  { id: 'UQSUB', m: 'uqsub', U: 1, opc: '00101', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: QSUB(false), hover: 'Unsigned saturating subtract.' },
  { id: 'CMGT', m: 'cmgt', U: 0, opc: '00110', sizes: [0, 1, 2, 3], ssizes: [3], op: CMGT(true), hover: 'Compare signed greater than: all ones where a > b, else zero.' },
  { id: 'CMHI', m: 'cmhi', U: 1, opc: '00110', sizes: [0, 1, 2, 3], ssizes: [3], op: CMGT(false), hover: 'Compare unsigned higher: all ones where a > b (unsigned), else zero.' },
  { id: 'CMGE', m: 'cmge', U: 0, opc: '00111', sizes: [0, 1, 2, 3], ssizes: [3], op: CMGE(true), hover: 'Compare signed greater than or equal: all ones where a >= b, else zero.' },
  { id: 'CMHS', m: 'cmhs', U: 1, opc: '00111', sizes: [0, 1, 2, 3], ssizes: [3], op: CMGE(false), hover: 'Compare unsigned higher or same: all ones where a >= b (unsigned), else zero.' },
  { id: 'SSHL', m: 'sshl', U: 0, opc: '01000', sizes: [0, 1, 2, 3], ssizes: [3], op: shlReg(true, false, false), hover: 'Signed shift left by register (negative amounts shift right arithmetically).' },
  { id: 'USHL', m: 'ushl', U: 1, opc: '01000', sizes: [0, 1, 2, 3], ssizes: [3], op: shlReg(false, false, false), hover: 'Unsigned shift left by register (negative amounts shift right logically).' },
  { id: 'SQSHL', m: 'sqshl', U: 0, opc: '01001', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: shlReg(true, false, true), hover: 'Signed saturating shift left by register.' },
  { id: 'UQSHL', m: 'uqshl', U: 1, opc: '01001', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: shlReg(false, false, true), hover: 'Unsigned saturating shift left by register.' },
  { id: 'SRSHL', m: 'srshl', U: 0, opc: '01010', sizes: [0, 1, 2, 3], ssizes: [3], op: shlReg(true, true, false), hover: 'Signed rounding shift left by register.' },
  { id: 'URSHL', m: 'urshl', U: 1, opc: '01010', sizes: [0, 1, 2, 3], ssizes: [3], op: shlReg(false, true, false), hover: 'Unsigned rounding shift left by register.' },
  { id: 'SQRSHL', m: 'sqrshl', U: 0, opc: '01011', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: shlReg(true, true, true), hover: 'Signed saturating rounding shift left by register.' },
  { id: 'UQRSHL', m: 'uqrshl', U: 1, opc: '01011', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: shlReg(false, true, true), hover: 'Unsigned saturating rounding shift left by register.' },
  { id: 'SMAX', m: 'smax', U: 0, opc: '01100', sizes: [0, 1, 2], op: MAX(true), hover: 'Signed maximum.' },
  { id: 'UMAX', m: 'umax', U: 1, opc: '01100', sizes: [0, 1, 2], op: MAX(false), hover: 'Unsigned maximum.' },
  { id: 'SMIN', m: 'smin', U: 0, opc: '01101', sizes: [0, 1, 2], op: MIN(true), hover: 'Signed minimum.' },
  { id: 'UMIN', m: 'umin', U: 1, opc: '01101', sizes: [0, 1, 2], op: MIN(false), hover: 'Unsigned minimum.' },
  { id: 'SABD', m: 'sabd', U: 0, opc: '01110', sizes: [0, 1, 2], op: ABD(true), hover: 'Signed absolute difference |a - b|.' },
  { id: 'UABD', m: 'uabd', U: 1, opc: '01110', sizes: [0, 1, 2], op: ABD(false), hover: 'Unsigned absolute difference |a - b|.' },
  { id: 'SABA', m: 'saba', U: 0, opc: '01111', sizes: [0, 1, 2], op: ABA(true), hover: 'Signed absolute difference and accumulate: d += |a - b|.' },
  { id: 'UABA', m: 'uaba', U: 1, opc: '01111', sizes: [0, 1, 2], op: ABA(false), hover: 'Unsigned absolute difference and accumulate: d += |a - b|.' },
  { id: 'ADD', m: 'add', U: 0, opc: '10000', sizes: [0, 1, 2, 3], ssizes: [3], op: ADD, hover: 'Add (modulo the element size).' },
  { id: 'SUB', m: 'sub', U: 1, opc: '10000', sizes: [0, 1, 2, 3], ssizes: [3], op: SUB, hover: 'Subtract (modulo the element size).' },
  { id: 'CMTST', m: 'cmtst', U: 0, opc: '10001', sizes: [0, 1, 2, 3], ssizes: [3], op: CMTST, hover: 'Compare bitwise test: all ones where (a & b) != 0, else zero.' },
  { id: 'CMEQ', m: 'cmeq', U: 1, opc: '10001', sizes: [0, 1, 2, 3], ssizes: [3], op: CMEQ, hover: 'Compare equal: all ones where a == b, else zero.' },
  { id: 'MLA', m: 'mla', U: 0, opc: '10010', sizes: [0, 1, 2], op: MLA, hover: 'Multiply-accumulate: d += a * b.' },
  { id: 'MLS', m: 'mls', U: 1, opc: '10010', sizes: [0, 1, 2], op: MLS, hover: 'Multiply-subtract: d -= a * b.' },
  { id: 'MUL', m: 'mul', U: 0, opc: '10011', sizes: [0, 1, 2], op: MUL, hover: 'Multiply (low half of the product).' },
  { id: 'PMUL', m: 'pmul', U: 1, opc: '10011', sizes: [0], op: PMUL, hover: 'Polynomial (carry-less) multiply of bytes, low 8 bits.' },
  { id: 'SMAXP', m: 'smaxp', U: 0, opc: '10100', sizes: [0, 1, 2], op: MAX(true), pair: true, hover: 'Signed maximum of adjacent pairs of Vn:Vm.' },
  { id: 'UMAXP', m: 'umaxp', U: 1, opc: '10100', sizes: [0, 1, 2], op: MAX(false), pair: true, hover: 'Unsigned maximum of adjacent pairs of Vn:Vm.' },
  { id: 'SMINP', m: 'sminp', U: 0, opc: '10101', sizes: [0, 1, 2], op: MIN(true), pair: true, hover: 'Signed minimum of adjacent pairs of Vn:Vm.' },
  { id: 'UMINP', m: 'uminp', U: 1, opc: '10101', sizes: [0, 1, 2], op: MIN(false), pair: true, hover: 'Unsigned minimum of adjacent pairs of Vn:Vm.' },
  { id: 'SQDMULH', m: 'sqdmulh', U: 0, opc: '10110', sizes: [1, 2], ssizes: [1, 2], op: SQDMULH(false), hover: 'Signed saturating doubling multiply, high half: sat((2ab) >> esize).' },
  { id: 'SQRDMULH', m: 'sqrdmulh', U: 1, opc: '10110', sizes: [1, 2], ssizes: [1, 2], op: SQDMULH(true), hover: 'Signed saturating rounding doubling multiply, high half.' },
  { id: 'ADDP', m: 'addp', U: 0, opc: '10111', sizes: [0, 1, 2, 3], op: ADD, pair: true, hover: 'Add adjacent pairs of elements of Vn:Vm.' },
];

function sameSpecs(def: SameDef): InsnSpec[] {
  const arr = arrSQ(def.sizes);
  const out: InsnSpec[] = [{
    id: `${def.id}_v`, mnemonic: def.m, group: G3, hover: def.hover,
    pattern: `0 Q:1 ${def.U} 01110 size:2 1 Rm:5 ${def.opc} 1 Rn:5 Rd:5`,
    valid: qValid(def.sizes),
    operands: [vd(arr), vn(arr), vm(arr)],
    exec: f => {
      const bytes = bytesOf(f), count = bytes >> f.size;
      return def.pair ? pairStep(def.op, f.size, count, f.Rd, f.Rn, f.Rm, bytes) : sameStep(def.op, f.size, count, f.Rd, f.Rn, f.Rm, bytes);
    },
  }];
  if (def.ssizes) {
    const w = widthBySize(def.ssizes);
    out.push({
      id: `${def.id}_s`, mnemonic: def.m, group: 'Advanced SIMD scalar three same', hover: def.hover,
      pattern: `01 ${def.U} 11110 size:2 1 Rm:5 ${def.opc} 1 Rn:5 Rd:5`,
      valid: f => def.ssizes!.includes(f.size),
      operands: [freg('Rd', w), freg('Rn', w), freg('Rm', w)],
      exec: f => sameStep(def.op, f.size, 1, f.Rd, f.Rn, f.Rm, 8, true),
    });
  }
  return out;
}

// Logical (three same, opcode 00011): size selects the operation.
const LOGIC = [
  ['AND', 'and', 0, 0, 'Bitwise AND.'], ['BIC', 'bic', 0, 1, 'Bitwise bit clear: a AND NOT b.'],
  ['ORR', 'orr', 0, 2, 'Bitwise OR.'], ['ORN', 'orn', 0, 3, 'Bitwise OR NOT: a OR NOT b.'],
  ['EOR', 'eor', 1, 0, 'Bitwise exclusive OR.'], ['BSL', 'bsl', 1, 1, 'Bitwise select: each bit from Vn where Vd is 1, else from Vm.'],
  ['BIT', 'bit', 1, 2, 'Bitwise insert if true: bits of Vn where Vm is 1 replace those of Vd.'],
  ['BIF', 'bif', 1, 3, 'Bitwise insert if false: bits of Vn where Vm is 0 replace those of Vd.'],
] as const;

const logicSpecs: InsnSpec[] = LOGIC.map(([id, m, U, size, hover]): InsnSpec => {
  const arr = arrQ(0);
  const fn: (d: number, a: number, b: number) => number = [
    [(_d: number, a: number, b: number) => a & b, (_d: number, a: number, b: number) => a & ~b, (_d: number, a: number, b: number) => a | b, (_d: number, a: number, b: number) => a | ~b],
    [(_d: number, a: number, b: number) => a ^ b, (d: number, a: number, b: number) => (a & d) | (b & ~d), (d: number, a: number, b: number) => (d & ~b) | (a & b), (d: number, a: number, b: number) => (d & b) | (a & ~b)],
  ][U][size];
  return {
    id: `${id}_v`, mnemonic: m, group: G3, hover,
    pattern: `0 Q:1 ${U} 01110 ${size.toString(2).padStart(2, '0')} 1 Rm:5 00011 1 Rn:5 Rd:5`,
    operands: [vd(arr), vn(arr), vm(arr)],
    aliases: id === 'ORR' ? [{ mnemonic: 'mov', when: f => f.Rn === f.Rm, operands: [vd(arr), vregSame('Rn', 'Rm', arr)] }] : undefined,
    exec: f => {
      const d = f.Rd, n = f.Rn, mm = f.Rm, words = f.Q ? 4 : 2;
      return c => {
        const V = vregs(c), U32 = V.u32;
        for (let i = 0; i < words; i++) T.u32[i] = fn(U32[d * 4 + i], U32[n * 4 + i], U32[mm * 4 + i]);
        commit(V, d, words * 4);
      };
    },
  };
});

// ---- three same extra: SDOT, UDOT, SQRDMLAH, SQRDMLSH ----------------------------------------------------------

function dotStep(signed: boolean, d: number, n: number, m: number, bytes: number, mi: number): Step {
  return c => {
    const V = vregs(c), A = signed ? V.i8 : V.u8;
    const words = bytes >> 2;
    for (let i = 0; i < words; i++) {
      let s = V.u32[d * 4 + i];
      for (let k = 0; k < 4; k++) s += A[n * 16 + i * 4 + k] * A[m * 16 + (mi < 0 ? i : mi) * 4 + k];
      T.u32[i] = s;
    }
    commit(V, d, bytes);
  };
}

const extraSpecs: InsnSpec[] = [
  ...([['SDOT', 'sdot', 0], ['UDOT', 'udot', 1]] as const).map(([id, m, U]): InsnSpec => ({
    id: `${id}_v`, mnemonic: m, group: 'Advanced SIMD three same (extra)',
    hover: `Dot product of ${U ? 'unsigned' : 'signed'} bytes: each 32-bit element of Vd += the sum of four byte products.`,
    pattern: `0 Q:1 ${U} 01110 10 0 Rm:5 1 0010 1 Rn:5 Rd:5`,
    operands: [vd(arrTable([['2s', { Q: 0 }], ['4s', { Q: 1 }]])), vn(arrQ(0)), vm(arrQ(0))],
    exec: f => dotStep(U === 0, f.Rd, f.Rn, f.Rm, bytesOf(f), -1),
  })),
  ...([['SQRDMLAH', 'sqrdmlah', '0000', false], ['SQRDMLSH', 'sqrdmlsh', '0001', true]] as const).flatMap(([id, m, opc, sub]): InsnSpec[] => {
    const arr = arrSQ([1, 2]);
    const w = widthBySize([1, 2]);
    return [{
      id: `${id}_v`, mnemonic: m, group: 'Advanced SIMD three same (extra)',
      hover: `Signed saturating rounding doubling multiply ${sub ? 'subtract' : 'accumulate'} returning high half.`,
      pattern: `0 Q:1 1 01110 size:2 0 Rm:5 1 ${opc} 1 Rn:5 Rd:5`,
      valid: qValid([1, 2]),
      operands: [vd(arr), vn(arr), vm(arr)],
      exec: f => sameStep(SQRDMLXH(sub), f.size, bytesOf(f) >> f.size, f.Rd, f.Rn, f.Rm, bytesOf(f)),
    }, {
      id: `${id}_s`, mnemonic: m, group: 'Advanced SIMD scalar three same extra',
      hover: `Signed saturating rounding doubling multiply ${sub ? 'subtract' : 'accumulate'} returning high half (scalar).`,
      pattern: `01 1 11110 size:2 0 Rm:5 1 ${opc} 1 Rn:5 Rd:5`,
      valid: f => f.size === 1 || f.size === 2,
      operands: [freg('Rd', w), freg('Rn', w), freg('Rm', w)],
      exec: f => sameStep(SQRDMLXH(sub), f.size, 1, f.Rd, f.Rn, f.Rm, 8, true),
    }];
  }),
];

// ---- three different -----------------------------------------------------------------------------------------------

const SQDMULL = mk(true, (a, b, e, c) => satS(2 * a * b, e, c), (a, b, e, c) => satSB(2n * a * b, e, c));
const SQDMLAL = (sub: boolean) => mk(true,
  (a, b, e, c, d) => { const p = satS(2 * a * b, e, c); return satS(sub ? d - p : d + p, e, c); },
  (a, b, e, c, d) => { const p = satSB(2n * a * b, e, c); return satSB(sub ? d - p : d + p, e, c); }, true);
const HN = (sub: boolean, round: boolean) => mk(false,
  (a, b, e) => Math.floor(((sub ? a - b : a + b) + (round ? 2 ** (e - 1) : 0)) / 2 ** e),
  (a, b, e) => ((sub ? a - b : a + b) + (round ? 1n << BigInt(e - 1) : 0n)) >> BigInt(e));

interface DiffDef { id: string; m: string; U: number; opc: string; kind: 'L' | 'W' | 'N'; op: ElemOp; sizes: number[]; hover: string; scalar?: boolean }

const DIFF: DiffDef[] = [
  { id: 'SADDL', m: 'saddl', U: 0, opc: '0000', kind: 'L', op: mk(true, ADD.n, ADD.b), sizes: [0, 1, 2], hover: 'Signed add long: wide = a + b.' },
  { id: 'UADDL', m: 'uaddl', U: 1, opc: '0000', kind: 'L', op: ADD, sizes: [0, 1, 2], hover: 'Unsigned add long: wide = a + b.' },
  { id: 'SADDW', m: 'saddw', U: 0, opc: '0001', kind: 'W', op: mk(true, ADD.n, ADD.b), sizes: [0, 1, 2], hover: 'Signed add wide: wide = wide + sign-extended narrow.' },
  { id: 'UADDW', m: 'uaddw', U: 1, opc: '0001', kind: 'W', op: ADD, sizes: [0, 1, 2], hover: 'Unsigned add wide: wide = wide + zero-extended narrow.' },
  { id: 'SSUBL', m: 'ssubl', U: 0, opc: '0010', kind: 'L', op: mk(true, SUB.n, SUB.b), sizes: [0, 1, 2], hover: 'Signed subtract long.' },
  { id: 'USUBL', m: 'usubl', U: 1, opc: '0010', kind: 'L', op: SUB, sizes: [0, 1, 2], hover: 'Unsigned subtract long.' },
  { id: 'SSUBW', m: 'ssubw', U: 0, opc: '0011', kind: 'W', op: mk(true, SUB.n, SUB.b), sizes: [0, 1, 2], hover: 'Signed subtract wide.' },
  { id: 'USUBW', m: 'usubw', U: 1, opc: '0011', kind: 'W', op: SUB, sizes: [0, 1, 2], hover: 'Unsigned subtract wide.' },
  { id: 'ADDHN', m: 'addhn', U: 0, opc: '0100', kind: 'N', op: HN(false, false), sizes: [0, 1, 2], hover: 'Add and narrow, high half: narrow = (a + b) >> esize.' },
  { id: 'RADDHN', m: 'raddhn', U: 1, opc: '0100', kind: 'N', op: HN(false, true), sizes: [0, 1, 2], hover: 'Rounding add and narrow, high half.' },
  { id: 'SABAL', m: 'sabal', U: 0, opc: '0101', kind: 'L', op: ABA(true), sizes: [0, 1, 2], hover: 'Signed absolute difference and accumulate long.' },
  { id: 'UABAL', m: 'uabal', U: 1, opc: '0101', kind: 'L', op: ABA(false), sizes: [0, 1, 2], hover: 'Unsigned absolute difference and accumulate long.' },
  { id: 'SUBHN', m: 'subhn', U: 0, opc: '0110', kind: 'N', op: HN(true, false), sizes: [0, 1, 2], hover: 'Subtract and narrow, high half.' },
  { id: 'RSUBHN', m: 'rsubhn', U: 1, opc: '0110', kind: 'N', op: HN(true, true), sizes: [0, 1, 2], hover: 'Rounding subtract and narrow, high half.' },
  { id: 'SABDL', m: 'sabdl', U: 0, opc: '0111', kind: 'L', op: ABD(true), sizes: [0, 1, 2], hover: 'Signed absolute difference long.' },
  { id: 'UABDL', m: 'uabdl', U: 1, opc: '0111', kind: 'L', op: ABD(false), sizes: [0, 1, 2], hover: 'Unsigned absolute difference long.' },
  { id: 'SMLAL', m: 'smlal', U: 0, opc: '1000', kind: 'L', op: mk(true, (a, b, _e, _c, d) => d + a * b, MLA.b, true), sizes: [0, 1, 2], hover: 'Signed multiply-accumulate long.' },
  { id: 'UMLAL', m: 'umlal', U: 1, opc: '1000', kind: 'L', op: mk(false, (a, b, _e, _c, d) => d + a * b, MLA.b, true), sizes: [0, 1, 2], hover: 'Unsigned multiply-accumulate long.' },
  { id: 'SQDMLAL', m: 'sqdmlal', U: 0, opc: '1001', kind: 'L', op: SQDMLAL(false), sizes: [1, 2], scalar: true, hover: 'Signed saturating doubling multiply-accumulate long.' },
  { id: 'SMLSL', m: 'smlsl', U: 0, opc: '1010', kind: 'L', op: mk(true, (a, b, _e, _c, d) => d - a * b, MLS.b, true), sizes: [0, 1, 2], hover: 'Signed multiply-subtract long.' },
  { id: 'UMLSL', m: 'umlsl', U: 1, opc: '1010', kind: 'L', op: mk(false, (a, b, _e, _c, d) => d - a * b, MLS.b, true), sizes: [0, 1, 2], hover: 'Unsigned multiply-subtract long.' },
  { id: 'SQDMLSL', m: 'sqdmlsl', U: 0, opc: '1011', kind: 'L', op: SQDMLAL(true), sizes: [1, 2], scalar: true, hover: 'Signed saturating doubling multiply-subtract long.' },
  { id: 'SMULL', m: 'smull', U: 0, opc: '1100', kind: 'L', op: mk(true, (a, b) => a * b, (a, b) => a * b), sizes: [0, 1, 2], hover: 'Signed multiply long.' },
  { id: 'UMULL', m: 'umull', U: 1, opc: '1100', kind: 'L', op: mk(false, (a, b) => a * b, (a, b) => a * b), sizes: [0, 1, 2], hover: 'Unsigned multiply long.' },
  { id: 'SQDMULL', m: 'sqdmull', U: 0, opc: '1101', kind: 'L', op: SQDMULL, sizes: [1, 2], scalar: true, hover: 'Signed saturating doubling multiply long.' },
  { id: 'PMULL', m: 'pmull', U: 0, opc: '1110', kind: 'L', op: PMULL, sizes: [0, 3], hover: 'Polynomial (carry-less) multiply long: bytes to halfwords, or 64 x 64 -> 128 bits (1q).' },
];

function diffSpecs(def: DiffDef): InsnSpec[] {
  const narrowArr = def.id === 'PMULL' ? arrSQ1d(def.sizes) : arrSQ(def.sizes);
  const wideArr = arrWide(def.sizes);
  const out: InsnSpec[] = [{
    id: `${def.id}_v`, mnemonic: f => def.m + (f.Q ? '2' : ''), group: G3D, hover: def.hover,
    pattern: `0 Q:1 ${def.U} 01110 size:2 1 Rm:5 ${def.opc} 00 Rn:5 Rd:5`,
    valid: f => def.sizes.includes(f.size),
    operands: def.kind === 'L' ? [vd(wideArr), vn(narrowArr), vm(narrowArr)]
      : def.kind === 'W' ? [vd(wideArr), vn(wideArr), vm(narrowArr)] : [vd(narrowArr), vn(wideArr), vm(wideArr)],
    aliases: [0, 1].map(q => ({
      mnemonic: def.m + (q ? '2' : ''), when: () => false, asmOnly: true, fixed: { Q: q },
      operands: def.kind === 'L' ? [vd(wideArr), vn(narrowArr), vm(narrowArr)]
        : def.kind === 'W' ? [vd(wideArr), vn(wideArr), vm(narrowArr)] : [vd(narrowArr), vn(wideArr), vm(wideArr)],
      complete: (f: Fields) => f.Q === q,
    })),
    exec: f => {
      const s = f.size, count = 8 >> s, off = f.Q ? count : 0;
      if (s === 3) return pmull64(f.Rd, f.Rn, f.Rm, f.Q);
      if (def.kind === 'L') return mixedStep(def.op, s + 1, s, off, s, off, count, f.Rd, f.Rn, f.Rm);
      if (def.kind === 'W') return mixedStep(def.op, s + 1, s + 1, 0, s, off, count, f.Rd, f.Rn, f.Rm);
      return mixedStep(def.op, s, s + 1, 0, s + 1, 0, count, f.Rd, f.Rn, f.Rm, { upper: f.Q === 1, bytes: 8 });
    },
  }];
  if (def.scalar) {
    const wn = widthBySize([1, 2]), wd = widthBySize([1, 2], 'size', ['b', 's', 'd']);
    out.push({
      id: `${def.id}_s`, mnemonic: def.m, group: 'Advanced SIMD scalar three different', hover: def.hover,
      pattern: `01 ${def.U} 11110 size:2 1 Rm:5 ${def.opc} 00 Rn:5 Rd:5`,
      valid: f => f.size === 1 || f.size === 2,
      operands: [freg('Rd', wd), freg('Rn', wn), freg('Rm', wn)],
      exec: f => mixedStep(def.op, f.size + 1, f.size, 0, f.size, 0, 1, f.Rd, f.Rn, f.Rm, { scalar: true }),
    });
  }
  return out;
}

/** PMULL{2} .1q: carry-less product of 64-bit elements (lower or upper) into 128 bits. */
function pmull64(d: number, n: number, m: number, q: number): Step {
  return c => {
    const V = vregs(c);
    const a = V.u64[n * 2 + q], b = V.u64[m * 2 + q];
    let r = 0n;
    for (let i = 0n; i < 64n; i++) if ((b >> i) & 1n) r ^= a << i;
    V.u64[d * 2] = BigInt.asUintN(64, r); V.u64[d * 2 + 1] = r >> 64n;
  };
}

// ---- two-register miscellaneous (integer) ------------------------------------------------------------------------------

const clz = (a: number, e: number): number => (a === 0 ? e : Math.clz32(a) - (32 - e));
const cls = (a: number, e: number): number => clz(a < 0 ? ~a & (2 ** e - 1) : a, e) - 1;
const bitrev8 = (x: number): number => {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((x >> i) & 1) << (7 - i);
  return r;
};
const popcnt = (x: number): number => { let n = 0; while (x) { n += x & 1; x >>>= 1; } return n; };

const unary = (signed: boolean, n: (a: number, e: number, c: Cpu, d: number) => number, b: (a: bigint, e: number, c: Cpu, d: bigint) => bigint, acc = false): ElemOp =>
  mk(signed, (a, _b, e, c, d) => n(a, e, c, d), (a, _b, e, c, d) => b(a, e, c, d), acc);

const ABS = unary(true, a => Math.abs(a), a => (a < 0n ? -a : a));
const NEG = unary(true, a => -a, a => -a);
const SQABS = unary(true, (a, e, c) => satS(Math.abs(a), e, c), (a, e, c) => satSB(a < 0n ? -a : a, e, c));
const SQNEG = unary(true, (a, e, c) => satS(-a, e, c), (a, e, c) => satSB(-a, e, c));
const CMZ = (cmp: (a: number) => boolean, cmpb: (a: bigint) => boolean, k: Kernel) => withK(unary(true, a => (cmp(a) ? ALL : 0), a => (cmpb(a) ? -1n : 0n)), k);
const SUQADD = unary(false, (a, e, c, d) => satS(toS(d, e) + a, e, c), (a, e, c, d) => satSB(BigInt.asIntN(e, d) + a, e, c), true);
const USQADD = unary(false, (a, e, c, d) => satU(d + toS(a, e), e, c), (a, e, c, d) => satUB(d + BigInt.asIntN(e, a), e, c), true);

interface MiscDef { id: string; m: string; U: number; opc: string; sizes: number[]; ssizes?: number[]; op: ElemOp; hover: string; zero?: boolean; arr?: ArrSpec; sizeFixed?: number }

const MISC: MiscDef[] = [
  { id: 'SQABS', m: 'sqabs', U: 0, opc: '00111', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: SQABS, hover: 'Signed saturating absolute value.' },
  { id: 'SQNEG', m: 'sqneg', U: 1, opc: '00111', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: SQNEG, hover: 'Signed saturating negate.' },
  { id: 'CMGT_zero', m: 'cmgt', U: 0, opc: '01000', sizes: [0, 1, 2, 3], ssizes: [3], op: CMZ(a => a > 0, a => a > 0n, (A, bn, _bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = A[bn + i] > 0 ? ALL : 0; }), zero: true, hover: 'Compare signed greater than zero.' },
  { id: 'CMGE_zero', m: 'cmge', U: 1, opc: '01000', sizes: [0, 1, 2, 3], ssizes: [3], op: CMZ(a => a >= 0, a => a >= 0n, (A, bn, _bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = A[bn + i] >= 0 ? ALL : 0; }), zero: true, hover: 'Compare signed greater than or equal to zero.' },
  { id: 'CMEQ_zero', m: 'cmeq', U: 0, opc: '01001', sizes: [0, 1, 2, 3], ssizes: [3], op: CMZ(a => a === 0, a => a === 0n, (A, bn, _bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = A[bn + i] === 0 ? ALL : 0; }), zero: true, hover: 'Compare equal to zero.' },
  { id: 'CMLE_zero', m: 'cmle', U: 1, opc: '01001', sizes: [0, 1, 2, 3], ssizes: [3], op: CMZ(a => a <= 0, a => a <= 0n, (A, bn, _bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = A[bn + i] <= 0 ? ALL : 0; }), zero: true, hover: 'Compare signed less than or equal to zero.' },
  { id: 'CMLT_zero', m: 'cmlt', U: 0, opc: '01010', sizes: [0, 1, 2, 3], ssizes: [3], op: CMZ(a => a < 0, a => a < 0n, (A, bn, _bm, R, cnt) => { for (let i = 0; i < cnt; i++) R[i] = A[bn + i] < 0 ? ALL : 0; }), zero: true, hover: 'Compare signed less than zero.' },
  { id: 'ABS', m: 'abs', U: 0, opc: '01011', sizes: [0, 1, 2, 3], ssizes: [3], op: ABS, hover: 'Absolute value (the most negative value stays).' },
  { id: 'NEG', m: 'neg', U: 1, opc: '01011', sizes: [0, 1, 2, 3], ssizes: [3], op: NEG, hover: 'Negate (modulo the element size).' },
  { id: 'SUQADD', m: 'suqadd', U: 0, opc: '00011', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: SUQADD, hover: 'Signed saturating accumulate of unsigned value: d = sat(d + unsigned n).' },
  { id: 'USQADD', m: 'usqadd', U: 1, opc: '00011', sizes: [0, 1, 2, 3], ssizes: [0, 1, 2, 3], op: USQADD, hover: 'Unsigned saturating accumulate of signed value: d = sat(d + signed n).' },
  { id: 'CLS', m: 'cls', U: 0, opc: '00100', sizes: [0, 1, 2], op: unary(true, (a, e) => cls(a, e), () => 0n), hover: 'Count leading sign bits (not counting the sign bit itself).' },
  { id: 'CLZ', m: 'clz', U: 1, opc: '00100', sizes: [0, 1, 2], op: unary(false, (a, e) => clz(a, e), () => 0n), hover: 'Count leading zero bits.' },
  { id: 'CNT', m: 'cnt', U: 0, opc: '00101', sizes: [0], sizeFixed: 0, op: unary(false, a => popcnt(a), () => 0n), hover: 'Population count of each byte.' },
  { id: 'NOT', m: 'not', U: 1, opc: '00101', sizes: [0], sizeFixed: 0, op: unary(false, a => ~a, () => 0n), hover: 'Bitwise NOT (preferred disassembly: mvn).' },
  { id: 'RBIT', m: 'rbit', U: 1, opc: '00101', sizes: [0], sizeFixed: 1, op: unary(false, a => bitrev8(a), () => 0n), hover: 'Reverse the bits of each byte.' },
];

function miscSpecs(def: MiscDef): InsnSpec[] {
  const arr = def.sizeFixed !== undefined ? arrQ(0) : arrSQ(def.sizes);
  const sizeBits = def.sizeFixed !== undefined ? def.sizeFixed.toString(2).padStart(2, '0') : 'size:2';
  const extra = def.zero ? [intZero()] : [];
  const ops = [vd(arr), vn(arr), ...extra];
  const out: InsnSpec[] = [{
    id: `${def.id}_v`, mnemonic: def.m, group: G2, hover: def.hover,
    pattern: `0 Q:1 ${def.U} 01110 ${sizeBits} 10000 ${def.opc} 10 Rn:5 Rd:5`,
    valid: def.sizeFixed !== undefined ? undefined : qValid(def.sizes),
    operands: ops,
    aliases: def.id === 'NOT' ? [{ mnemonic: 'mvn', when: () => true, operands: [vd(arr), vn(arr)] }] : undefined,
    exec: f => {
      const s = def.sizeFixed !== undefined ? 0 : f.size, bytes = bytesOf(f);
      return sameStep(def.op, s, bytes >> s, f.Rd, f.Rn, f.Rn, bytes);
    },
  }];
  if (def.ssizes) {
    const w = widthBySize(def.ssizes);
    out.push({
      id: `${def.id}_s`, mnemonic: def.m, group: 'Advanced SIMD scalar two-register miscellaneous', hover: def.hover,
      pattern: `01 ${def.U} 11110 size:2 10000 ${def.opc} 10 Rn:5 Rd:5`,
      valid: f => def.ssizes!.includes(f.size),
      operands: [freg('Rd', w), freg('Rn', w), ...extra],
      exec: f => sameStep(def.op, f.size, 1, f.Rd, f.Rn, f.Rn, 8, true),
    });
  }
  return out;
}

/** REV16 / REV32 / REV64: reverse the elements within each 16/32/64-bit container. */
const revSpecs: InsnSpec[] = ([['REV64', 'rev64', 0, '00000', 3], ['REV16', 'rev16', 0, '00001', 1], ['REV32', 'rev32', 1, '00000', 2]] as const).map(([id, m, U, opc, cont]): InsnSpec => {
  const sizes = [0, 1, 2].filter(s => s < cont);
  const arr = arrSQ(sizes);
  return {
    id, mnemonic: m, group: G2, hover: `Reverse the order of the elements in each ${8 << cont}-bit container.`,
    pattern: `0 Q:1 ${U} 01110 size:2 10000 ${opc} 10 Rn:5 Rd:5`,
    valid: f => sizes.includes(f.size),
    operands: [vd(arr), vn(arr)],
    exec: f => {
      const eb = 1 << f.size, cb = 1 << cont, bytes = bytesOf(f), d = f.Rd, n = f.Rn;
      return c => {
        const V = vregs(c);
        for (let i = 0; i < bytes; i += eb) {
          const base = i - (i % cb), j = base + (cb - eb) - (i - base);
          for (let k = 0; k < eb; k++) T.u8[j + k] = V.u8[n * 16 + i + k];
        }
        commit(V, d, bytes);
      };
    },
  };
});

/** SADDLP / UADDLP / SADALP / UADALP: add adjacent pairs into double-width elements (optionally accumulating). */
const addlpSpecs: InsnSpec[] = ([['SADDLP', 'saddlp', 0, '00010', false], ['UADDLP', 'uaddlp', 1, '00010', false], ['SADALP', 'sadalp', 0, '00110', true], ['UADALP', 'uadalp', 1, '00110', true]] as const).map(([id, m, U, opc, acc]): InsnSpec => {
  const src = arrSQ([0, 1, 2]);
  const dst = arrTable([['4h', { size: 0, Q: 0 }], ['8h', { size: 0, Q: 1 }], ['2s', { size: 1, Q: 0 }], ['4s', { size: 1, Q: 1 }], ['1d', { size: 2, Q: 0 }], ['2d', { size: 2, Q: 1 }]]);
  return {
    id, mnemonic: m, group: G2, hover: `${U ? 'Unsigned' : 'Signed'} add long pairwise${acc ? ' and accumulate' : ''}.`,
    pattern: `0 Q:1 ${U} 01110 size:2 10000 ${opc} 10 Rn:5 Rd:5`,
    valid: f => f.size < 3,
    operands: [vd(dst), vn(src)],
    exec: f => {
      const s = f.size, bytes = bytesOf(f), cnt = bytes >> (s + 1), d = f.Rd, n = f.Rn, signed = U === 0;
      return c => {
        const V = vregs(c);
        for (let i = 0; i < cnt; i++) {
          const v = readBig(V, s, signed, n, 2 * i) + readBig(V, s, signed, n, 2 * i + 1) + (acc ? readBig(V, s + 1, false, d, i) : 0n);
          writeBigT(s + 1, i, v);
        }
        commit(V, d, bytes);
      };
    },
  };
});

/** XTN / SQXTN / UQXTN / SQXTUN (vector, "2" upper forms; scalar saturating forms). */
const XTN_OPS: [string, string, number, string, ElemOp, boolean][] = [
  ['XTN', 'xtn', 0, '10010', mk(false, a => a, a => a), false],
  ['SQXTN', 'sqxtn', 0, '10100', mk(true, (a, _b, e, c) => satS(a, e, c), (a, _b, e, c) => satSB(a, e, c)), true],
  ['UQXTN', 'uqxtn', 1, '10100', mk(false, (a, _b, e, c) => satU(a, e, c), (a, _b, e, c) => satUB(a, e, c)), true],
  ['SQXTUN', 'sqxtun', 1, '10010', mk(true, (a, _b, e, c) => satU(a, e, c), (a, _b, e, c) => satUB(a, e, c)), true],
];
const xtnSpecs: InsnSpec[] = XTN_OPS.flatMap(([id, m, U, opc, op, scalar]): InsnSpec[] => {
  const narrow = arrSQ([0, 1, 2]), wide = arrWide([0, 1, 2]);
  const out: InsnSpec[] = [{
    id: `${id}_v`, mnemonic: f => m + (f.Q ? '2' : ''), group: G2,
    hover: id === 'XTN' ? 'Extract narrow: the low half of each element.' : `Saturating extract narrow (${id === 'SQXTUN' ? 'signed to unsigned' : id === 'SQXTN' ? 'signed' : 'unsigned'}).`,
    pattern: `0 Q:1 ${U} 01110 size:2 10000 ${opc} 10 Rn:5 Rd:5`,
    valid: f => f.size < 3,
    operands: [vd(narrow), vn(wide)],
    aliases: [0, 1].map(q => ({ mnemonic: m + (q ? '2' : ''), when: () => false, asmOnly: true, fixed: { Q: q }, operands: [vd(narrow), vn(wide)], complete: (f: Fields) => f.Q === q })),
    exec: f => mixedStep(op, f.size, f.size + 1, 0, f.size + 1, 0, 8 >> f.size, f.Rd, f.Rn, f.Rn, { upper: f.Q === 1, bytes: 8 }),
  }];
  if (scalar) {
    const wd = widthBySize([0, 1, 2]), wn = widthBySize([0, 1, 2], 'size', ['h', 's', 'd']);
    out.push({
      id: `${id}_s`, mnemonic: m, group: 'Advanced SIMD scalar two-register miscellaneous', hover: `Saturating extract narrow (scalar).`,
      pattern: `01 ${U} 11110 size:2 10000 ${opc} 10 Rn:5 Rd:5`,
      valid: f => f.size < 3,
      operands: [freg('Rd', wd), freg('Rn', wn)],
      exec: f => mixedStep(op, f.size, f.size + 1, 0, f.size + 1, 0, 1, f.Rd, f.Rn, f.Rn, { scalar: true }),
    });
  }
  return out;
});

const shllSpec: InsnSpec = {
  id: 'SHLL', mnemonic: f => 'shll' + (f.Q ? '2' : ''), group: G2, hover: 'Shift left long by the element size.',
  pattern: '0 Q:1 1 01110 size:2 10000 10011 10 Rn:5 Rd:5',
  valid: f => f.size < 3,
  operands: [vd(arrWide([0, 1, 2])), vn(arrSQ([0, 1, 2])), computedImm('#<shift>', f => 8 << f.size, (f, v) => v === 8 << f.size)],
  aliases: [0, 1].map(q => ({ mnemonic: 'shll' + (q ? '2' : ''), when: () => false, asmOnly: true, fixed: { Q: q },
    operands: [vd(arrWide([0, 1, 2])), vn(arrSQ([0, 1, 2])), computedImm('#<shift>', (f: Fields) => 8 << f.size, (f: Fields, v: number) => v === 8 << f.size)], complete: (f: Fields) => f.Q === q })),
  exec: f => {
    const s = f.size, count = 8 >> s, sh = 8 << s;
    return mixedStep(mk(false, a => a * 2 ** sh, a => a << BigInt(sh)), s + 1, s, f.Q ? count : 0, s, 0, count, f.Rd, f.Rn, f.Rn);
  },
};

// ---- across lanes -----------------------------------------------------------------------------------------------------

const acrossSpecs: InsnSpec[] = ([
  ['SADDLV', 'saddlv', 0, '00011', 'long', true], ['UADDLV', 'uaddlv', 1, '00011', 'long', false],
  ['SMAXV', 'smaxv', 0, '01010', 'max', true], ['UMAXV', 'umaxv', 1, '01010', 'max', false],
  ['SMINV', 'sminv', 0, '11010', 'min', true], ['UMINV', 'uminv', 1, '11010', 'min', false],
  ['ADDV', 'addv', 0, '11011', 'add', false],
] as const).map(([id, m, U, opc, kind, signed]): InsnSpec => {
  const arr = arrTable([['8b', { size: 0, Q: 0 }], ['16b', { size: 0, Q: 1 }], ['4h', { size: 1, Q: 0 }], ['8h', { size: 1, Q: 1 }], ['4s', { size: 2, Q: 1 }]]);
  const w = kind === 'long' ? widthBySize([0, 1, 2], 'size', ['h', 's', 'd']) : widthBySize([0, 1, 2]);
  return {
    id, mnemonic: m, group: GAL,
    hover: kind === 'long' ? `${signed ? 'Signed' : 'Unsigned'} add long across the vector (double-width result).`
      : kind === 'add' ? 'Add all elements (modulo the element size).' : `${signed ? 'Signed' : 'Unsigned'} ${kind === 'max' ? 'maximum' : 'minimum'} across the vector.`,
    pattern: `0 Q:1 ${U} 01110 size:2 11000 ${opc} 10 Rn:5 Rd:5`,
    valid: f => f.size < 2 || (f.size === 2 && f.Q === 1),
    operands: [freg('Rd', w), vn(arr)],
    exec: f => {
      const s = f.size, cnt = bytesOf(f) >> s, d = f.Rd, n = f.Rn, e = 8 << s;
      return c => {
        const V = vregs(c), A = numView(V, s, signed);
        let r = A[n * (16 >> s)];
        for (let i = 1; i < cnt; i++) {
          const x = A[n * (16 >> s) + i];
          if (kind === 'max') { if (x > r) r = x; } else if (kind === 'min') { if (x < r) r = x; } else r += x;
        }
        const sd = kind === 'long' ? s + 1 : s;
        if (sd === 3) T.u64[0] = BigInt.asUintN(64, BigInt(r)); else outView(sd)[0] = kind === 'add' ? r % 2 ** e : r;
        commitScalar(V, d, sd);
      };
    },
  };
});

// ---- shift by immediate --------------------------------------------------------------------------------------------------

/** Element size (0..3) from the highest set bit of immh. */
const hsb = (immh: number): number => (immh >= 8 ? 3 : immh >= 4 ? 2 : immh >= 2 ? 1 : immh >= 1 ? 0 : -1);

/** Arrangements chosen by immh (+ Q); `wide` gives the double-width arrangement for the narrowing/long forms. */
function arrImmh(sizes: number[], wide = false): ArrSpec {
  const rows: [string, Fields][] = [];
  for (let immh = 1; immh < 16; immh++) {
    const s = hsb(immh);
    if (!sizes.includes(s)) continue;
    for (const q of wide ? [-1] : [0, 1]) {
      if (wide) { rows.push([['8h', '4s', '2d'][s], { immh }]); continue; }
      if (s === 3 && q === 0) continue;
      rows.push([[['8b', '16b'], ['4h', '8h'], ['2s', '4s'], ['1d', '2d']][s][q], { immh, Q: q }]);
    }
  }
  return arrTable(rows);
}
function widthImmh(sizes: number[], names = ['b', 'h', 's', 'd']): ArrSpec {
  const rows: [string, Fields][] = [];
  for (let immh = 1; immh < 16; immh++) { const s = hsb(immh); if (sizes.includes(s)) rows.push([names[s], { immh }]); }
  return arrTable(rows);
}

/** The shift amount operand: right shifts are 2*esize - immh:immb (1..esize), left shifts immh:immb - esize (0..esize-1). */
function shiftImm(right: boolean): Operand {
  const esize = (f: Fields): number => 8 << hsb(f.immh);
  return computedImm('#<shift>',
    f => { const v = (f.immh << 3) | f.immb; return right ? 2 * esize(f) - v : v - esize(f); },
    (f, v) => {
      const e = esize(f);
      const lo = right ? 1 : 0, hi = right ? e : e - 1;
      if (v < lo || v > hi) throw new OperandError(`shift amount ${v} out of range [${lo}, ${hi}]`);
      const enc = right ? 2 * e - v : v + e;
      f.immh = enc >> 3; f.immb = enc & 7;
      return true;
    });
}

interface ShDef { id: string; m: string; U: number; opc: string; kind: 'R' | 'L' | 'N' | 'W'; op: (sh: number) => ElemOp; sizes?: number[]; scalar?: number[]; hover: string }

const shr = (signed: boolean, round: boolean, acc: boolean) => (sh: number): ElemOp => mk(signed,
  (a, _b, _e, _c, d) => d + Math.floor((a + (round ? 2 ** (sh - 1) : 0)) / 2 ** sh),
  (a, _b, _e, _c, d) => d + ((a + (round ? 1n << BigInt(sh - 1) : 0n)) >> BigInt(sh)), acc);

const SHDEFS: ShDef[] = [
  { id: 'SSHR', m: 'sshr', U: 0, opc: '00000', kind: 'R', op: shr(true, false, false), scalar: [3], hover: 'Signed shift right (arithmetic).' },
  { id: 'USHR', m: 'ushr', U: 1, opc: '00000', kind: 'R', op: shr(false, false, false), scalar: [3], hover: 'Unsigned shift right (logical).' },
  { id: 'SSRA', m: 'ssra', U: 0, opc: '00010', kind: 'R', op: shr(true, false, true), scalar: [3], hover: 'Signed shift right and accumulate.' },
  { id: 'USRA', m: 'usra', U: 1, opc: '00010', kind: 'R', op: shr(false, false, true), scalar: [3], hover: 'Unsigned shift right and accumulate.' },
  { id: 'SRSHR', m: 'srshr', U: 0, opc: '00100', kind: 'R', op: shr(true, true, false), scalar: [3], hover: 'Signed rounding shift right.' },
  { id: 'URSHR', m: 'urshr', U: 1, opc: '00100', kind: 'R', op: shr(false, true, false), scalar: [3], hover: 'Unsigned rounding shift right.' },
  { id: 'SRSRA', m: 'srsra', U: 0, opc: '00110', kind: 'R', op: shr(true, true, true), scalar: [3], hover: 'Signed rounding shift right and accumulate.' },
  { id: 'URSRA', m: 'ursra', U: 1, opc: '00110', kind: 'R', op: shr(false, true, true), scalar: [3], hover: 'Unsigned rounding shift right and accumulate.' },
  {
    id: 'SRI', m: 'sri', U: 1, opc: '01000', kind: 'R', scalar: [3], hover: 'Shift right and insert: the shifted bits replace those of Vd, the top sh bits of Vd are kept.',
    op: sh => mk(false, (a, _b, e, _c, d) => (sh >= e ? d : (d - (d % 2 ** (e - sh))) + Math.floor(a / 2 ** sh)), (a, _b, e, _c, d) => {
      if (sh >= e) return d;
      const mask = ((1n << BigInt(e)) - 1n) >> BigInt(sh);
      return (d & ~mask) | (a >> BigInt(sh));
    }, true),
  },
  { id: 'SHL', m: 'shl', U: 0, opc: '01010', kind: 'L', op: sh => mk(false, a => a << sh, a => a << BigInt(sh)), scalar: [3], hover: 'Shift left.' },
  {
    id: 'SLI', m: 'sli', U: 1, opc: '01010', kind: 'L', scalar: [3], hover: 'Shift left and insert: the shifted bits replace those of Vd, the low sh bits of Vd are kept.',
    op: sh => mk(false, (a, _b, e, _c, d) => (((a << sh) >>> 0) % 2 ** e) + (d % 2 ** sh),
      (a, _b, e, _c, d) => ((a << BigInt(sh)) & ((1n << BigInt(e)) - 1n)) | (d & ((1n << BigInt(sh)) - 1n)), true),
  },
  { id: 'SQSHLU', m: 'sqshlu', U: 1, opc: '01100', kind: 'L', op: sh => mk(true, (a, _b, e, c) => satU(a * 2 ** sh, e, c), (a, _b, e, c) => satUB(a << BigInt(sh), e, c)), scalar: [0, 1, 2, 3], hover: 'Signed saturating shift left, unsigned result.' },
  { id: 'SQSHL_imm', m: 'sqshl', U: 0, opc: '01110', kind: 'L', op: sh => mk(true, (a, _b, e, c) => satS(a * 2 ** sh, e, c), (a, _b, e, c) => satSB(a << BigInt(sh), e, c)), scalar: [0, 1, 2, 3], hover: 'Signed saturating shift left by immediate.' },
  { id: 'UQSHL_imm', m: 'uqshl', U: 1, opc: '01110', kind: 'L', op: sh => mk(false, (a, _b, e, c) => satU(a * 2 ** sh, e, c), (a, _b, e, c) => satUB(a << BigInt(sh), e, c)), scalar: [0, 1, 2, 3], hover: 'Unsigned saturating shift left by immediate.' },
  { id: 'SHRN', m: 'shrn', U: 0, opc: '10000', kind: 'N', op: sh => shr(false, false, false)(sh), hover: 'Shift right narrow (truncating).' },
  { id: 'RSHRN', m: 'rshrn', U: 0, opc: '10001', kind: 'N', op: sh => shr(false, true, false)(sh), hover: 'Rounding shift right narrow.' },
  { id: 'SQSHRN', m: 'sqshrn', U: 0, opc: '10010', kind: 'N', op: sh => satOf(shr(true, false, false)(sh), true, true), scalar: [0, 1, 2], hover: 'Signed saturating shift right narrow.' },
  { id: 'SQRSHRN', m: 'sqrshrn', U: 0, opc: '10011', kind: 'N', op: sh => satOf(shr(true, true, false)(sh), true, true), scalar: [0, 1, 2], hover: 'Signed saturating rounding shift right narrow.' },
  { id: 'SQSHRUN', m: 'sqshrun', U: 1, opc: '10000', kind: 'N', op: sh => satOf(shr(true, false, false)(sh), true, false), scalar: [0, 1, 2], hover: 'Signed saturating shift right unsigned narrow.' },
  { id: 'SQRSHRUN', m: 'sqrshrun', U: 1, opc: '10001', kind: 'N', op: sh => satOf(shr(true, true, false)(sh), true, false), scalar: [0, 1, 2], hover: 'Signed saturating rounding shift right unsigned narrow.' },
  { id: 'UQSHRN', m: 'uqshrn', U: 1, opc: '10010', kind: 'N', op: sh => satOf(shr(false, false, false)(sh), false, false), scalar: [0, 1, 2], hover: 'Unsigned saturating shift right narrow.' },
  { id: 'UQRSHRN', m: 'uqrshrn', U: 1, opc: '10011', kind: 'N', op: sh => satOf(shr(false, true, false)(sh), false, false), scalar: [0, 1, 2], hover: 'Unsigned saturating rounding shift right narrow.' },
  { id: 'SSHLL', m: 'sshll', U: 0, opc: '10100', kind: 'W', op: sh => mk(true, a => a * 2 ** sh, a => a << BigInt(sh)), hover: 'Signed shift left long (sxtl when the shift is 0).' },
  { id: 'USHLL', m: 'ushll', U: 1, opc: '10100', kind: 'W', op: sh => mk(false, a => a * 2 ** sh, a => a << BigInt(sh)), hover: 'Unsigned shift left long (uxtl when the shift is 0).' },
];

/** SHRN{2} with 16- or 32-bit source elements (glibc's string functions use `shrn v.8b, v.8h, #4`). */
function shrnStep(s: number, sh: number, d: number, n: number, upper: boolean): Step {
  const cnt = 8 >> s, base = upper ? cnt : 0, per = 8 >> s;
  return c => {
    const V = vregs(c), X = s === 0 ? V.u16 : V.u32, R = outView(s);
    if (upper) { T.u32[0] = V.u32[d * 4]; T.u32[1] = V.u32[d * 4 + 1]; }
    for (let i = 0; i < cnt; i++) R[base + i] = X[n * per + i] >>> sh;
    commit(V, d, upper ? 16 : 8);
  };
}

/** Wraps a shift op with a saturation to the (narrow) result width. */
function satOf(op: ElemOp, signedIn: boolean, signedOut: boolean): ElemOp {
  return mk(signedIn,
    (a, b, e, c, d) => (signedOut ? satS : satU)(op.n(a, b, e, c, d), e, c),
    (a, b, e, c, d) => (signedOut ? satSB : satUB)(op.b(a, b, e, c, d), e, c));
}

function shiftSpecs(def: ShDef): InsnSpec[] {
  const right = def.kind === 'R' || def.kind === 'N';
  const out: InsnSpec[] = [];
  const shiftOf = (f: Fields): number => { const e = 8 << hsb(f.immh), v = (f.immh << 3) | f.immb; return right ? 2 * e - v : v - e; };
  if (def.kind === 'R' || def.kind === 'L') {
    const arr = arrImmh([0, 1, 2, 3]);
    out.push({
      id: `${def.id}_v`, mnemonic: def.m, group: GSH, hover: def.hover,
      pattern: `0 Q:1 ${def.U} 011110 immh:4 immb:3 ${def.opc} 1 Rn:5 Rd:5`,
      valid: f => f.immh !== 0 && !(hsb(f.immh) === 3 && f.Q === 0),
      operands: [vd(arr), vn(arr), shiftImm(right)],
      exec: f => { const s = hsb(f.immh), bytes = bytesOf(f); return sameStep(def.op(shiftOf(f)), s, bytes >> s, f.Rd, f.Rn, f.Rn, bytes); },
    });
  } else if (def.kind === 'N') {
    const narrow = arrImmh([0, 1, 2]), wide = arrImmh([0, 1, 2], true);
    out.push({
      id: `${def.id}_v`, mnemonic: f => def.m + (f.Q ? '2' : ''), group: GSH, hover: def.hover,
      pattern: `0 Q:1 ${def.U} 011110 immh:4 immb:3 ${def.opc} 1 Rn:5 Rd:5`,
      valid: f => f.immh !== 0 && hsb(f.immh) < 3,
      operands: [vd(narrow), vn(wide), shiftImm(true)],
      aliases: [0, 1].map(q => ({ mnemonic: def.m + (q ? '2' : ''), when: () => false, asmOnly: true, fixed: { Q: q }, operands: [vd(narrow), vn(wide), shiftImm(true)], complete: (f: Fields) => f.Q === q })),
      exec: f => {
        const s = hsb(f.immh);
        if (def.id === 'SHRN' && s < 2) return shrnStep(s, shiftOf(f), f.Rd, f.Rn, f.Q === 1);
        return mixedStep(def.op(shiftOf(f)), s, s + 1, 0, s + 1, 0, 8 >> s, f.Rd, f.Rn, f.Rn, { upper: f.Q === 1, bytes: 8 });
      },
    });
  } else {
    const narrow = arrImmh([0, 1, 2]), wide = arrImmh([0, 1, 2], true);
    const alias = def.m === 'sshll' ? 'sxtl' : 'uxtl';
    out.push({
      id: `${def.id}_v`, mnemonic: f => def.m + (f.Q ? '2' : ''), group: GSH, hover: def.hover,
      pattern: `0 Q:1 ${def.U} 011110 immh:4 immb:3 ${def.opc} 1 Rn:5 Rd:5`,
      valid: f => f.immh !== 0 && hsb(f.immh) < 3,
      operands: [vd(wide), vn(narrow), shiftImm(false)],
      aliases: [
        { mnemonic: f => alias + (f.Q ? '2' : ''), when: f => f.immb === 0 && (f.immh & ~(1 << hsb(f.immh))) === 0, operands: [vd(wide), vn(narrow)] },
        ...[0, 1].map(q => ({ mnemonic: alias + (q ? '2' : ''), when: () => false, asmOnly: true, fixed: { Q: q, immb: 0 }, operands: [vd(wide), vn(narrow)],
          complete: (f: Fields) => { f.immh = 1 << hsb(f.immh); return f.Q === q; } })),
        ...[0, 1].map(q => ({ mnemonic: def.m + (q ? '2' : ''), when: () => false, asmOnly: true, fixed: { Q: q }, operands: [vd(wide), vn(narrow), shiftImm(false)], complete: (f: Fields) => f.Q === q })),
      ],
      exec: f => { const s = hsb(f.immh), count = 8 >> s; return mixedStep(def.op(shiftOf(f)), s + 1, s, f.Q ? count : 0, s, 0, count, f.Rd, f.Rn, f.Rn); },
    });
  }
  if (def.scalar) {
    const sizes = def.scalar;
    const wd = widthImmh(sizes), wn = def.kind === 'N' ? widthImmh(sizes, ['h', 's', 'd']) : wd;
    out.push({
      id: `${def.id}_s`, mnemonic: def.m, group: 'Advanced SIMD scalar shift by immediate', hover: def.hover,
      pattern: `01 ${def.U} 111110 immh:4 immb:3 ${def.opc} 1 Rn:5 Rd:5`,
      valid: f => f.immh !== 0 && sizes.includes(hsb(f.immh)),
      operands: [freg('Rd', wd), freg('Rn', wn), shiftImm(right)],
      exec: f => {
        const s = hsb(f.immh);
        if (def.kind === 'N') return mixedStep(def.op(shiftOf(f)), s, s + 1, 0, s + 1, 0, 1, f.Rd, f.Rn, f.Rn, { scalar: true });
        return sameStep(def.op(shiftOf(f)), s, 1, f.Rd, f.Rn, f.Rn, 8, true);
      },
    });
  }
  return out;
}

// ---- vector x indexed element --------------------------------------------------------------------------------------------

/** Size of the by-element forms' size field (1 = h, 2 = s). */
const elemCodec = (): ReturnType<typeof hlmCodec> => hlmCodec(f => f.size, (f, s) => { if (f.size === undefined) f.size = s; return f.size === s; });
const rmHigh = (f: Fields): boolean => f.size !== 1;

interface ElDef { id: string; m: string; U: number; opc: string; kind: 'same' | 'long'; op: ElemOp; scalar?: boolean; hover: string }

const ELDEFS: ElDef[] = [
  { id: 'MUL_elem', m: 'mul', U: 0, opc: '1000', kind: 'same', op: MUL, hover: 'Multiply by an element.' },
  { id: 'MLA_elem', m: 'mla', U: 1, opc: '0000', kind: 'same', op: MLA, hover: 'Multiply-accumulate by an element.' },
  { id: 'MLS_elem', m: 'mls', U: 1, opc: '0100', kind: 'same', op: MLS, hover: 'Multiply-subtract by an element.' },
  { id: 'SQDMULH_elem', m: 'sqdmulh', U: 0, opc: '1100', kind: 'same', op: SQDMULH(false), scalar: true, hover: 'Signed saturating doubling multiply high by an element.' },
  { id: 'SQRDMULH_elem', m: 'sqrdmulh', U: 0, opc: '1101', kind: 'same', op: SQDMULH(true), scalar: true, hover: 'Signed saturating rounding doubling multiply high by an element.' },
  { id: 'SQRDMLAH_elem', m: 'sqrdmlah', U: 1, opc: '1101', kind: 'same', op: SQRDMLXH(false), scalar: true, hover: 'Signed saturating rounding doubling multiply-accumulate high by an element.' },
  { id: 'SQRDMLSH_elem', m: 'sqrdmlsh', U: 1, opc: '1111', kind: 'same', op: SQRDMLXH(true), scalar: true, hover: 'Signed saturating rounding doubling multiply-subtract high by an element.' },
  { id: 'SMULL_elem', m: 'smull', U: 0, opc: '1010', kind: 'long', op: mk(true, (a, b) => a * b, (a, b) => a * b), hover: 'Signed multiply long by an element.' },
  { id: 'UMULL_elem', m: 'umull', U: 1, opc: '1010', kind: 'long', op: mk(false, (a, b) => a * b, (a, b) => a * b), hover: 'Unsigned multiply long by an element.' },
  { id: 'SMLAL_elem', m: 'smlal', U: 0, opc: '0010', kind: 'long', op: mk(true, (a, b, _e, _c, d) => d + a * b, MLA.b, true), hover: 'Signed multiply-accumulate long by an element.' },
  { id: 'UMLAL_elem', m: 'umlal', U: 1, opc: '0010', kind: 'long', op: mk(false, (a, b, _e, _c, d) => d + a * b, MLA.b, true), hover: 'Unsigned multiply-accumulate long by an element.' },
  { id: 'SMLSL_elem', m: 'smlsl', U: 0, opc: '0110', kind: 'long', op: mk(true, (a, b, _e, _c, d) => d - a * b, MLS.b, true), hover: 'Signed multiply-subtract long by an element.' },
  { id: 'UMLSL_elem', m: 'umlsl', U: 1, opc: '0110', kind: 'long', op: mk(false, (a, b, _e, _c, d) => d - a * b, MLS.b, true), hover: 'Unsigned multiply-subtract long by an element.' },
  { id: 'SQDMULL_elem', m: 'sqdmull', U: 0, opc: '1011', kind: 'long', op: SQDMULL, scalar: true, hover: 'Signed saturating doubling multiply long by an element.' },
  { id: 'SQDMLAL_elem', m: 'sqdmlal', U: 0, opc: '0011', kind: 'long', op: SQDMLAL(false), scalar: true, hover: 'Signed saturating doubling multiply-accumulate long by an element.' },
  { id: 'SQDMLSL_elem', m: 'sqdmlsl', U: 0, opc: '0111', kind: 'long', op: SQDMLAL(true), scalar: true, hover: 'Signed saturating doubling multiply-subtract long by an element.' },
];

const idxOf = (f: Fields): number => (f.size === 1 ? (f.H << 2) | (f.L << 1) | f.M : (f.H << 1) | f.L);
const rmOf = (f: Fields): number => (f.size === 1 ? f.Rm : (f.M << 4) | f.Rm);

function elemSpecs(def: ElDef): InsnSpec[] {
  const arr = arrSQ([1, 2]);
  const out: InsnSpec[] = [];
  const em = velemSplit('Rm', 'M', elemCodec(), rmHigh);
  if (def.kind === 'same') {
    out.push({
      id: `${def.id}_v`, mnemonic: def.m, group: GEL, hover: def.hover,
      pattern: `0 Q:1 ${def.U} 01111 size:2 L:1 M:1 Rm:4 ${def.opc} H:1 0 Rn:5 Rd:5`,
      valid: f => f.size === 1 || f.size === 2,
      operands: [vd(arr), vn(arr), em],
      exec: f => { const bytes = bytesOf(f); return byElemStep(def.op, f.size, f.size, 0, f.size, bytes >> f.size, f.Rd, f.Rn, rmOf(f), idxOf(f), { bytes }); },
    });
  } else {
    out.push({
      id: `${def.id}_v`, mnemonic: f => def.m + (f.Q ? '2' : ''), group: GEL, hover: def.hover,
      pattern: `0 Q:1 ${def.U} 01111 size:2 L:1 M:1 Rm:4 ${def.opc} H:1 0 Rn:5 Rd:5`,
      valid: f => f.size === 1 || f.size === 2,
      operands: [vd(arrWide([1, 2])), vn(arr), em],
      aliases: [0, 1].map(q => ({ mnemonic: def.m + (q ? '2' : ''), when: () => false, asmOnly: true, fixed: { Q: q }, operands: [vd(arrWide([1, 2])), vn(arr), em], complete: (f: Fields) => f.Q === q })),
      exec: f => { const count = 8 >> f.size; return byElemStep(def.op, f.size + 1, f.size, f.Q ? count : 0, f.size, count, f.Rd, f.Rn, rmOf(f), idxOf(f)); },
    });
  }
  if (def.scalar) {
    const wn = widthBySize([1, 2]);
    const wd = def.kind === 'long' ? widthBySize([1, 2], 'size', ['b', 's', 'd']) : wn;
    out.push({
      id: `${def.id}_s`, mnemonic: def.m, group: 'Advanced SIMD scalar x indexed element', hover: def.hover,
      pattern: `01 ${def.U} 11111 size:2 L:1 M:1 Rm:4 ${def.opc} H:1 0 Rn:5 Rd:5`,
      valid: f => f.size === 1 || f.size === 2,
      operands: [freg('Rd', wd), freg('Rn', wn), em],
      exec: f => byElemStep(def.op, def.kind === 'long' ? f.size + 1 : f.size, f.size, 0, f.size, 1, f.Rd, f.Rn, rmOf(f), idxOf(f), { scalar: true }),
    });
  }
  return out;
}

const dotElemSpecs: InsnSpec[] = ([['SDOT_elem', 'sdot', 0], ['UDOT_elem', 'udot', 1]] as const).map(([id, m, U]): InsnSpec => ({
  id, mnemonic: m, group: GEL, hover: `Dot product of ${U ? 'unsigned' : 'signed'} bytes with a 4-byte element of Vm.`,
  pattern: `0 Q:1 ${U} 01111 10 L:1 M:1 Rm:4 1110 H:1 0 Rn:5 Rd:5`,
  operands: [vd(arrTable([['2s', { Q: 0 }], ['4s', { Q: 1 }]])), vn(arrQ(0)),
    velem('Rm', {
      read: f => ({ T: 'b', index: (f.H << 1) | f.L }),
      write: (f, t, index) => { if (t !== 'b') return false; if (index < 0 || index > 3) throw new OperandError(`element index ${index} out of range [0, 3]`); f.H = index >> 1; f.L = index & 1; return true; },
    }, { tPrefix: '4' })],
  exec: f => dotStep(U === 0, f.Rd, f.Rn, (f.M << 4) | f.Rm, bytesOf(f), (f.H << 1) | f.L),
}));

// velem for sdot stores the register in Rm only: split M out of it.
for (const s of dotElemSpecs) {
  const op = s.operands[2];
  s.operands[2] = {
    ...op,
    format: f => op.format({ ...f, Rm: (f.M << 4) | f.Rm }, { pc: 0 }),
    parse: (t, f, ctx) => { const g: Fields = { ...f }; if (!op.parse(t, g, ctx)) return false; Object.assign(f, g); f.M = g.Rm >> 4; f.Rm = g.Rm & 15; return true; },
  };
}

export const simdIntSpecs: InsnSpec[] = [
  ...SAME.flatMap(sameSpecs), ...logicSpecs, ...extraSpecs, ...DIFF.flatMap(diffSpecs),
  ...MISC.flatMap(miscSpecs), ...revSpecs, ...addlpSpecs, ...xtnSpecs, shllSpec, ...acrossSpecs,
  ...SHDEFS.flatMap(shiftSpecs), ...ELDEFS.flatMap(elemSpecs), ...dotElemSpecs,
];

