// Data processing (immediate), the rest of it: logical immediate (and/orr/eor/ands with bitmask
// immediates: mov, tst), bitfield (sbfm/bfm/ubfm and every alias: asr, lsl, lsr, sxt*, uxt*,
// sbfiz, sbfx, ubfiz, ubfx, bfi, bfxil, bfc) and extract (extr, ror).
// Move wide, add/sub immediate and adr/adrp are in base.ts.
import { OperandError } from '../../asm/types';
import { customImm, derivedImm, gpr, hex } from '../operands';
import {
  encodeLogicalImm, isWideConstant, logicalImmValue, M32, M64, nz32, nz64, POW2, rd31, SIGN32, SIGN64, wr31,
} from '../semantics';
import type { AliasSpec, Fields, InsnSpec, Operand, Step } from '../spec';

const DP = 'Data processing (immediate)';
const size = (f: Fields): 32 | 64 => (f.sf ? 64 : 32);
const maskOf = (f: Fields): bigint => (f.sf ? M64 : M32);

// ---- logical (immediate) -------------------------------------------------------------------------

const immValue = (f: Fields): bigint => logicalImmValue(f.N, f.immr, f.imms, size(f)) ?? 0n;

/** The bitmask immediate operand: printed in hex, parsed (GNU as rules) into N:immr:imms. */
function bitmaskImm(opts: { soft?: boolean } = {}): Operand {
  return customImm('#<bimm>', f => '#' + hex(immValue(f)), (v, f) => {
    const w = size(f);
    const lo = -(1n << BigInt(w - 1)), hi = (1n << BigInt(w)) - 1n;
    if (v < lo || v > hi) {
      if (opts.soft) return false;
      throw new OperandError(`immediate 0x${BigInt.asUintN(64, v).toString(16)} out of range for a ${w}-bit register`);
    }
    const e = encodeLogicalImm(BigInt.asUintN(w, v), w);
    if (!e) {
      if (opts.soft) throw new OperandError('immediate cannot be moved by a single instruction');
      throw new OperandError(`immediate 0x${BigInt.asUintN(w, v).toString(16)} is not a valid bitmask immediate`);
    }
    f.N = e.n; f.immr = e.immr; f.imms = e.imms;
    return true;
  });
}

/** objdump's rule for showing ORR-immediate as `mov`: always for Rd = SP, else only when MOVZ/MOVN cannot make it. */
function orrIsMov(f: Fields): boolean {
  if (f.Rn !== 31) return false;
  if (f.Rd === 31) return true;
  const v = immValue(f), is32 = f.sf === 0;
  return !(isWideConstant(v, is32) || isWideConstant(BigInt.asUintN(64, ~v), is32));
}

function logicalImm(id: string, opc: number, mnemonic: string, hover: string): InsnSpec {
  const setf = opc === 3;
  const aliases: AliasSpec[] = [];
  if (opc === 1) {
    aliases.push({
      mnemonic: 'mov', when: orrIsMov, fixed: { Rn: 31 },
      operands: [gpr('Rd', { sp: true }), { ...bitmaskImm({ soft: true }), comment: f => '#' + BigInt.asIntN(size(f), immValue(f)).toString() }],
    });
  }
  if (setf) {
    aliases.push({ mnemonic: 'tst', when: f => f.Rd === 31, fixed: { Rd: 31 }, operands: [gpr('Rn'), bitmaskImm()] });
  }
  return {
    id, mnemonic, group: DP, hover,
    pattern: `sf:1 ${opc >> 1}${opc & 1} 100100 N:1 immr:6 imms:6 Rn:5 Rd:5`,
    valid: f => logicalImmValue(f.N, f.immr, f.imms, size(f)) !== undefined,
    operands: [gpr('Rd', { sp: !setf }), gpr('Rn'), bitmaskImm()],
    aliases,
    exec: f => {
      const k = immValue(f), d = wr31(f.Rd, !setf), n = rd31(f.Rn, false), x64 = f.sf === 1;
      switch (opc) {
        case 0: return c => { c.x[d] = c.x[n] & k; };
        case 1:
          if (f.Rn === 31) return c => { c.x[d] = k; };
          return x64 ? c => { c.x[d] = c.x[n] | k; } : c => { c.x[d] = BigInt.asUintN(32, c.x[n] | k); };
        case 2: return x64 ? c => { c.x[d] = c.x[n] ^ k; } : c => { c.x[d] = BigInt.asUintN(32, c.x[n] ^ k); };
        default: return x64 ? c => { c.x[d] = nz64(c, c.x[n] & k); } : c => { c.x[d] = nz32(c, c.x[n] & k); };
      }
    },
  };
}

// ---- bitfield --------------------------------------------------------------------------------------

/** BFXPreferred (Arm ARM shared pseudocode): ubfx/sbfx/bfxil is the preferred disassembly. */
function bfxPreferred(sf: number, uns: number, imms: number, immr: number): boolean {
  if (imms < immr) return false;
  if (imms === (sf ? 63 : 31)) return false;
  if (immr === 0) {
    if (sf === 0 && (imms === 7 || imms === 15)) return false;
    if (sf === 1 && uns === 0 && (imms === 7 || imms === 15 || imms === 31)) return false;
  }
  return true;
}

const bits = (f: Fields): number => (f.sf ? 64 : 32);
/** Checks and sets immr/imms for `<lsb>, <width>` insert forms (sbfiz/ubfiz/bfi/bfc). */
function setInsert(f: Fields): boolean {
  const n = bits(f), lsb = f.lsb, w = f.width;
  if (lsb < 0 || lsb >= n) throw new OperandError(`lsb ${lsb} out of range [0, ${n - 1}]`);
  if (w < 1 || w > n - lsb) throw new OperandError(`width ${w} out of range [1, ${n - lsb}]`);
  f.immr = (n - lsb) % n; f.imms = w - 1;
  return true;
}
/** Checks and sets immr/imms for `<lsb>, <width>` extract forms (sbfx/ubfx/bfxil). */
function setExtract(f: Fields): boolean {
  const n = bits(f), lsb = f.lsb, w = f.width;
  if (lsb < 0 || lsb >= n) throw new OperandError(`lsb ${lsb} out of range [0, ${n - 1}]`);
  if (w < 1 || w > n - lsb) throw new OperandError(`width ${w} out of range [1, ${n - lsb}]`);
  f.immr = lsb; f.imms = lsb + w - 1;
  return true;
}
function checkShift(f: Fields): number {
  const n = bits(f);
  if (f.shift < 0 || f.shift >= n) throw new OperandError(`shift amount ${f.shift} out of range [0, ${n - 1}]`);
  return n;
}

const lsbInsert = derivedImm('#<lsb>', 'lsb', f => (bits(f) - f.immr) % bits(f));
const widthInsert = derivedImm('#<width>', 'width', f => f.imms + 1);
const lsbExtract = derivedImm('#<lsb>', 'lsb', f => f.immr);
const widthExtract = derivedImm('#<width>', 'width', f => f.imms - f.immr + 1);
const rd = gpr('Rd'), rn = gpr('Rn');
const rnW = gpr('Rn', { width: 'w' });

function extendAlias(mnemonic: string, imms: number, sfs: number[]): AliasSpec {
  return {
    mnemonic, fixed: { immr: 0, imms },
    when: f => f.immr === 0 && f.imms === imms && sfs.includes(f.sf),
    operands: [rd, rnW],
    complete: f => sfs.includes(f.sf) && (f.N = f.sf, true),
  };
}

function bitfield(id: string, opc: number, mnemonic: string, hover: string, aliases: AliasSpec[]): InsnSpec {
  return {
    id, mnemonic, group: DP, hover,
    pattern: `sf:1 ${opc >> 1}${opc & 1} 100110 N:1 immr:6 imms:6 Rn:5 Rd:5`,
    valid: f => f.N === f.sf && (f.sf === 1 || (f.immr < 32 && f.imms < 32)),
    operands: [rd, rn, derivedImm('#<immr>', 'immr', f => f.immr), derivedImm('#<imms>', 'imms', f => f.imms)],
    aliases: aliases.map(a => ({ ...a, complete: (f: Fields, ctx) => { f.N = f.sf; return a.complete ? a.complete(f, ctx) : true; } })),
    defaults: {},
    exec: f => bitfieldExec(opc, f),
  };
}

/** Closures for SBFM/BFM/UBFM, with the common aliases specialised. */
function bitfieldExec(opc: number, f: Fields): Step {
  const d = wr31(f.Rd, false), n = rd31(f.Rn, false);
  const sz = bits(f), x64 = sz === 64, R = f.immr, S = f.imms;
  const M = x64 ? M64 : M32, SIGN = x64 ? SIGN64 : SIGN32;
  if (opc !== 1) {
    if (S >= R) {
      // Extract field [S:R] to the bottom: ubfx / sbfx / lsr / asr / uxt* / sxt*.
      const w = S - R + 1, P = POW2[R], fm = POW2[w] - 1n;
      if (opc === 2) {
        if (R === 0) return x64 && w === 64 ? c => { c.x[d] = c.x[n]; } : c => { c.x[d] = c.x[n] & fm; };
        if (S === sz - 1) return x64 ? c => { c.x[d] = c.x[n] / P; } : c => { c.x[d] = (c.x[n] & M32) / P; };
        return c => { c.x[d] = (c.x[n] / P) & fm; };
      }
      if (S === sz - 1) {
        // asr: floor division of the signed value.
        return x64
          ? c => { const v = c.x[n]; c.x[d] = v >= SIGN64 ? M64 - (M64 - v) / P : v / P; }
          : c => { const v = c.x[n] & M32; c.x[d] = v >= SIGN32 ? M32 - (M32 - v) / P : v / P; };
      }
      const sb = POW2[w - 1];
      return c => { c.x[d] = ((((c.x[n] / P) & fm) ^ sb) - sb) & M; };
    }
    // Insert the low S+1 bits at position sz-R: lsl / ubfiz / sbfiz.
    const w = S + 1, fm = POW2[w] - 1n, Q = POW2[sz - R];
    if (opc === 2) {
      if (S + 1 + (sz - R) >= sz) return x64 ? c => { c.x[d] = BigInt.asUintN(64, c.x[n] * Q); } : c => { c.x[d] = BigInt.asUintN(32, c.x[n] * Q); };
      return c => { c.x[d] = (c.x[n] & fm) * Q; };
    }
    const sb = POW2[w - 1];
    return c => { c.x[d] = ((((c.x[n] & fm) ^ sb) - sb) * Q) & M; };
  }
  // BFM: general form (dst bits outside the field are kept).
  const wmask = ((): bigint => {
    // DecodeBitMasks without the immediate restriction, for the two cases.
    if (S >= R) return (POW2[S - R + 1] - 1n);                 // bfxil: field lands at bit 0
    return ((POW2[S + 1] - 1n) * POW2[sz - R]) & M;            // bfi: field lands at sz-R
  })();
  const keep = M ^ wmask;
  if (S >= R) {
    const P = POW2[R];
    return c => { c.x[d] = (c.x[d] & keep) | ((c.x[n] / P) & wmask); };
  }
  const Q = POW2[sz - R], fm = POW2[S + 1] - 1n;
  return c => { c.x[d] = (c.x[d] & keep) | ((c.x[n] & fm) * Q); };
}

const shiftImm = (show: (f: Fields) => number) => derivedImm('#<shift>', 'shift', show);

const SBFM_ALIASES: AliasSpec[] = [
  { mnemonic: 'asr', when: f => f.imms === bits(f) - 1, operands: [rd, rn, shiftImm(f => f.immr)],
    complete: f => { const s = checkShift(f); f.immr = f.shift; f.imms = s - 1; return true; } },
  { mnemonic: 'sbfiz', when: f => f.imms < f.immr, operands: [rd, rn, lsbInsert, widthInsert], complete: setInsert },
  extendAlias('sxtb', 7, [0, 1]), extendAlias('sxth', 15, [0, 1]), extendAlias('sxtw', 31, [1]),
  { mnemonic: 'sbfx', when: f => bfxPreferred(f.sf, 0, f.imms, f.immr), operands: [rd, rn, lsbExtract, widthExtract], complete: setExtract },
];

const UBFM_ALIASES: AliasSpec[] = [
  { mnemonic: 'lsl', when: f => f.imms !== bits(f) - 1 && f.imms + 1 === f.immr, operands: [rd, rn, shiftImm(f => bits(f) - 1 - f.imms)],
    complete: f => { const s = checkShift(f); f.immr = (s - f.shift) % s; f.imms = s - 1 - f.shift; return true; } },
  { mnemonic: 'lsr', when: f => f.imms === bits(f) - 1, operands: [rd, rn, shiftImm(f => f.immr)],
    complete: f => { const s = checkShift(f); f.immr = f.shift; f.imms = s - 1; return true; } },
  { mnemonic: 'ubfiz', when: f => f.imms < f.immr, operands: [rd, rn, lsbInsert, widthInsert], complete: setInsert },
  extendAlias('uxtb', 7, [0]), extendAlias('uxth', 15, [0]),
  // GNU as also takes `uxtb x0, w1` / `uxth x0, w1` and encodes the 32-bit form (which zero-extends anyway).
  ...([['uxtb', 7], ['uxth', 15]] as const).map(([m, imms]): AliasSpec => ({
    mnemonic: m, asmOnly: true, when: () => true, fixed: { sf: 0, immr: 0, imms },
    operands: [gpr('Rd', { width: 'x' }), rnW], complete: () => true,
  })),
  { mnemonic: 'ubfx', when: f => bfxPreferred(f.sf, 1, f.imms, f.immr), operands: [rd, rn, lsbExtract, widthExtract], complete: setExtract },
];

const BFM_ALIASES: AliasSpec[] = [
  { mnemonic: 'bfc', when: f => f.Rn === 31 && f.imms < f.immr, fixed: { Rn: 31 }, operands: [rd, lsbInsert, widthInsert], complete: setInsert },
  { mnemonic: 'bfi', when: f => f.Rn !== 31 && f.imms < f.immr, operands: [rd, rn, lsbInsert, widthInsert], complete: f => f.Rn !== 31 && setInsert(f) },
  { mnemonic: 'bfxil', when: f => f.imms >= f.immr, operands: [rd, rn, lsbExtract, widthExtract], complete: setExtract },
];

// ---- extract ---------------------------------------------------------------------------------------

const EXTR: InsnSpec = {
  id: 'EXTR', mnemonic: 'extr', group: DP,
  hover: 'Extract register: Rd = bits [lsb+size-1:lsb] of the concatenation Rn:Rm.',
  pattern: 'sf:1 00 100111 N:1 0 Rm:5 imms:6 Rn:5 Rd:5',
  valid: f => f.N === f.sf && (f.sf === 1 || f.imms < 32),
  operands: [rd, rn, gpr('Rm'), derivedImm('#<lsb>', 'lsb', f => f.imms)],
  aliases: [{
    mnemonic: 'ror', when: f => f.Rn === f.Rm, operands: [rd, rn, derivedImm('#<shift>', 'lsb', f => f.imms)],
    complete: f => { f.Rm = f.Rn; return true; },
  }],
  exec: f => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false), sz = f.sf ? 64 : 32, lsb = f.imms;
    if (lsb === 0) return sz === 64 ? c => { c.x[d] = c.x[m]; } : c => { c.x[d] = c.x[m] & M32; };
    const P = POW2[lsb], Q = POW2[sz - lsb];
    return sz === 64
      ? c => { c.x[d] = (c.x[m] / P) | BigInt.asUintN(64, c.x[n] * Q); }
      : c => { c.x[d] = ((c.x[m] & M32) / P) | BigInt.asUintN(32, c.x[n] * Q); };
  },
};

/** Checks a parsed extr/ror lsb against the register width and stores it in imms. */
function finishExtr(spec: InsnSpec): InsnSpec {
  const fix = (f: Fields): boolean => {
    const n = f.sf ? 64 : 32;
    if (f.lsb < 0 || f.lsb >= n) throw new OperandError(`lsb ${f.lsb} out of range [0, ${n - 1}]`);
    f.imms = f.lsb; f.N = f.sf;
    return true;
  };
  return {
    ...spec,
    operands: spec.operands.map((o, i) => (i === 3 ? { ...o, parse: (t: string, f: Fields, ctx: Parameters<Operand['parse']>[2]) => o.parse(t, f, ctx) && fix(f) } : o)),
    aliases: spec.aliases!.map(a => ({ ...a, complete: (f: Fields, ctx: Parameters<Operand['parse']>[2]) => a.complete!(f, ctx) && fix(f) })),
  };
}

/** Plain sbfm/bfm/ubfm immr/imms operands need range checks against the width. */
function finishBitfield(spec: InsnSpec): InsnSpec {
  const check = (f: Fields): boolean => {
    const n = f.sf ? 64 : 32;
    for (const k of ['immr', 'imms']) if (f[k] < 0 || f[k] >= n) throw new OperandError(`${k} ${f[k]} out of range [0, ${n - 1}]`);
    f.N = f.sf;
    return true;
  };
  return { ...spec, operands: spec.operands.map((o, i) => (i === 3 ? { ...o, parse: (t: string, f: Fields, ctx: Parameters<Operand['parse']>[2]) => o.parse(t, f, ctx) && check(f) } : o)) };
}

export const intImmSpecs: InsnSpec[] = [
  logicalImm('AND_imm', 0, 'and', 'Bitwise AND (immediate): Rd = Rn AND bimm, a bitmask immediate (a rotated, replicated run of ones).'),
  logicalImm('ORR_imm', 1, 'orr', 'Bitwise OR (immediate): Rd = Rn OR bimm, a bitmask immediate.'),
  logicalImm('EOR_imm', 2, 'eor', 'Bitwise exclusive OR (immediate): Rd = Rn EOR bimm, a bitmask immediate.'),
  logicalImm('ANDS_imm', 3, 'ands', 'Bitwise AND (immediate), setting N and Z from the result and clearing C and V.'),
  finishBitfield(bitfield('SBFM', 0, 'sbfm', 'Signed bitfield move: copies a bitfield of Rn into Rd, sign-extending it and zeroing the bits below it.', SBFM_ALIASES)),
  finishBitfield(bitfield('BFM', 1, 'bfm', 'Bitfield move: copies a bitfield of Rn into Rd, leaving the other bits of Rd unchanged.', BFM_ALIASES)),
  finishBitfield(bitfield('UBFM', 2, 'ubfm', 'Unsigned bitfield move: copies a bitfield of Rn into Rd, zeroing the bits above and below it.', UBFM_ALIASES)),
  finishExtr(EXTR),
];
