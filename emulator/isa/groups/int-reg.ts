// Data processing (register): add/sub (shifted and extended register) with neg/negs/cmp/cmn,
// adc/sbc(s) with ngc/ngcs, logical (shifted register) with mov/mvn/tst, variable shifts,
// multiply (madd family, smulh/umulh), divide, one-source ops (rbit/rev*/clz/cls), conditional
// select (csel family and cset/csetm/cinc/cinv/cneg), conditional compare, crc32, and the FlagM
// flag manipulation ops rmif/setf8/setf16.
import { OperandError } from '../../asm/types';
import { CpuTrap, Stop, type Cpu } from '../../cpu/cpu';
import { cond, EXTEND_NAMES, evalImm, gpr, imm, parseGpr, shiftOpt, type Width } from '../operands';
import {
  adcs32, adcs64, adds32, adds64, M32, M64, nz32, nz64, POW2, rd31, SIGN32, SIGN64, subs32, subs64, wr31,
} from '../semantics';
import { compilePattern, insertFields, type AliasSpec, type Fields, type InsnSpec, type Operand, type Step } from '../spec';

const DPR = 'Data processing (register)';

/** Truth table of a condition over the 16 NZCV states (index N<<3|Z<<2|C<<1|V). */
export function condTable(cond: number): number {
  let t = 0;
  for (let i = 0; i < 16; i++) {
    const n = (i >> 3) & 1, z = (i >> 2) & 1, cf = (i >> 1) & 1, v = i & 1;
    let r: boolean;
    switch (cond >> 1) {
      case 0: r = z === 1; break;
      case 1: r = cf === 1; break;
      case 2: r = n === 1; break;
      case 3: r = v === 1; break;
      case 4: r = cf === 1 && z === 0; break;
      case 5: r = n === v; break;
      case 6: r = n === v && z === 0; break;
      default: r = true;
    }
    if ((cond & 1) === 1 && cond !== 15) r = !r;
    if (r) t |= 1 << i;
  }
  return t;
}

/** Index of the current NZCV state into a condTable. */
export const nzcvIndex = (c: Cpu): number => (c.nf << 3) | (c.zf << 2) | (c.cf << 1) | c.vf;

// ---- specialised closures for shifted / extended second operands -------------------------------------
//
// A second operand computed by a separate getter closure costs a call that V8 cannot inline (every
// instruction has its own getter) and a heap bigint for its result. Instead, each combination of
// operation x operand form x width gets its own closure factory, generated once from a template,
// so the whole computation is one function the compiler lowers to machine integers.

/** The operation applied to `a` (Rn, already width-masked) and `b` (the shifted/extended Rm). */
export type BinOp = 'add' | 'sub' | 'adds' | 'subs' | 'and' | 'bic' | 'orr' | 'orn' | 'eor' | 'eon' | 'ands' | 'bics';

const OP_EXPR: Record<BinOp, (w: 32 | 64) => string> = {
  add: w => `BigInt.asUintN(${w}, a + b)`,
  sub: w => `BigInt.asUintN(${w}, a - b)`,
  adds: w => `adds${w}(c, a, b)`,
  subs: w => `subs${w}(c, a, b)`,
  and: () => 'a & b',
  bic: w => `a & (M${w} ^ b)`,
  orr: () => 'a | b',
  orn: w => `a | (M${w} ^ b)`,
  eor: () => 'a ^ b',
  eon: w => `a ^ (M${w} ^ b)`,
  ands: w => `nz${w}(c, a & b)`,
  bics: w => `nz${w}(c, a & (M${w} ^ b))`,
};

/** Rm shifted by a constant (P = 2^amount, Q = 2^(width - amount)), as an expression of v = Rm (masked). */
const SHIFT_EXPR: ((w: 32 | 64) => string)[] = [
  w => `BigInt.asUintN(${w}, v * P)`,
  () => 'v / P',
  w => `(v >= SIGN${w} ? M${w} - (M${w} - v) / P : v / P)`,
  w => `((v / P) | BigInt.asUintN(${w}, v * Q))`,
];
/** Rm extended (option uxtb..sxtx) then shifted left (P = 2^amount). */
const EXTEND_EXPR: ((w: 32 | 64) => string)[] = [
  w => `BigInt.asUintN(${w}, (v & 0xffn) * P)`,
  w => `BigInt.asUintN(${w}, (v & 0xffffn) * P)`,
  w => `BigInt.asUintN(${w}, (v & M32) * P)`,
  w => `BigInt.asUintN(${w}, v * P)`,
  w => `BigInt.asUintN(${w}, BigInt.asIntN(8, v) * P)`,
  w => `BigInt.asUintN(${w}, BigInt.asIntN(16, v) * P)`,
  w => `BigInt.asUintN(${w}, BigInt.asIntN(32, v) * P)`,
  w => `BigInt.asUintN(${w}, v * P)`,
];

type Factory = (d: number, n: number, m: number, P: bigint, Q: bigint) => Step;
const FACTORIES = new Map<string, Factory>();
const HELPERS = { M32, M64, SIGN32, SIGN64, adds32, adds64, subs32, subs64, nz32, nz64 };

/** The specialised closure for `Rd = op(Rn, form(Rm))`; `form` is 'shift' (type 0-3) or 'extend' (option 0-7). */
function binOpStep(op: BinOp, form: 'shift' | 'extend', kind: number, x64: boolean, d: number, n: number, m: number, amount: number): Step {
  const w = x64 ? 64 : 32;
  const key = `${op}/${form}/${kind}/${w}`;
  let fac = FACTORIES.get(key);
  if (!fac) {
    const operand = form === 'shift' ? SHIFT_EXPR[kind](w) : EXTEND_EXPR[kind](w);
    // Rn of a 32-bit op is read masked; Rm too for shifts (extends pick their own bits).
    const a = x64 ? 'c.x[n]' : 'c.x[n] & M32';
    const v = x64 || form === 'extend' ? 'c.x[m]' : 'c.x[m] & M32';
    const body = `return (d, n, m, P, Q) => c => { const v = ${v}; const a = ${a}; const b = ${operand}; c.x[d] = ${OP_EXPR[op](w)}; };`;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    fac = new Function(...Object.keys(HELPERS), body)(...Object.values(HELPERS)) as Factory;
    FACTORIES.set(key, fac);
  }
  return fac(d, n, m, POW2[amount], POW2[w - amount]);
}

// ---- add/sub (shifted register) ------------------------------------------------------------------

const rdR = gpr('Rd'), rnR = gpr('Rn'), rmR = gpr('Rm');

function addSubShifted(sub: boolean, setf: boolean): InsnSpec {
  const name = (sub ? 'SUB' : 'ADD') + (setf ? 'S' : '');
  const sh = shiftOpt('shift', 'imm6', { widthField: 'sf' });
  const aliases: AliasSpec[] = [];
  if (setf) aliases.push({ mnemonic: sub ? 'cmp' : 'cmn', when: f => f.Rd === 31, fixed: { Rd: 31 }, operands: [rnR, rmR, sh] });
  if (sub) aliases.push({ mnemonic: setf ? 'negs' : 'neg', when: f => f.Rn === 31, fixed: { Rn: 31 }, operands: [rdR, rmR, sh] });
  return {
    id: `${name}_sreg`, mnemonic: name.toLowerCase(), group: DPR,
    hover: `${sub ? 'Subtract' : 'Add'} (shifted register)${setf ? ', setting NZCV' : ''}: Rd = Rn ${sub ? '-' : '+'} (Rm shifted by a constant).`,
    pattern: `sf:1 ${sub ? 1 : 0} ${setf ? 1 : 0} 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5`,
    valid: f => f.shift !== 3 && (f.sf === 1 || f.imm6 < 32),
    operands: [rdR, rnR, rmR, sh],
    aliases,
    exec: f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false), x64 = f.sf === 1;
      if (f.imm6 === 0) {
        if (x64) {
          if (!setf) return sub ? c => { c.x[d] = BigInt.asUintN(64, c.x[n] - c.x[m]); } : c => { c.x[d] = BigInt.asUintN(64, c.x[n] + c.x[m]); };
          return sub ? c => { c.x[d] = subs64(c, c.x[n], c.x[m]); } : c => { c.x[d] = adds64(c, c.x[n], c.x[m]); };
        }
        if (!setf) return sub ? c => { c.x[d] = BigInt.asUintN(32, c.x[n] - c.x[m]); } : c => { c.x[d] = BigInt.asUintN(32, c.x[n] + c.x[m]); };
        return sub ? c => { c.x[d] = subs32(c, c.x[n] & M32, c.x[m] & M32); } : c => { c.x[d] = adds32(c, c.x[n] & M32, c.x[m] & M32); };
      }
      return binOpStep(((sub ? 'sub' : 'add') + (setf ? 's' : '')) as BinOp, 'shift', f.shift, x64, d, n, m, f.imm6);
    },
  };
}

// ---- add/sub (extended register) -----------------------------------------------------------------

/** Rm of an extended-register form: its width follows the option (X only for uxtx/sxtx on 64-bit). */
function extRm(): Operand {
  return {
    syntax: '<R><m>',
    format: f => {
      const w: Width = f.sf === 1 && (f.option & 3) === 3 ? 'x' : 'w';
      return f.Rm === 31 ? (w === 'x' ? 'xzr' : 'wzr') : w + f.Rm;
    },
    parse: (text, f) => {
      const r = parseGpr(text, false);
      if (!r) return false;
      f.Rm = r.n; f.rmX = r.w === 'x' ? 1 : 0;
      return true;
    },
  };
}

/** `{, <extend> {#<amount>}}` of add/sub (extended register); `lsl` when an SP operand makes it the default. */
function extendOpt(setf: boolean): Operand {
  const spLike = (f: Fields): boolean => f.Rn === 31 || (!setf && f.Rd === 31);
  const check = (f: Fields): boolean => {
    // The register width must follow the option.
    const wantX = f.sf === 1 && (f.option & 3) === 3;
    if (f.rmX !== undefined && (f.rmX === 1) !== wantX) return false;
    if (f.imm3 > 4) throw new OperandError(`shift amount ${f.imm3} out of range [0, 4]`);
    return true;
  };
  return {
    syntax: '{, <extend> {#<amount>}}', optional: true,
    format: f => {
      if (spLike(f) && f.option === (f.sf ? 3 : 2)) return f.imm3 === 0 ? null : `lsl #${f.imm3}`;
      return EXTEND_NAMES[f.option] + (f.imm3 ? ` #${f.imm3}` : '');
    },
    parse: (text, f, ctx) => {
      const t = text.trim();
      if (t === '') {
        if (!spLike(f)) return false;
        f.option = f.sf ? 3 : 2; f.imm3 = 0;
        return check(f);
      }
      const m = /^(lsl|[us]xt[bhwx])\b\s*(.*)$/i.exec(t);
      if (!m) return false;
      const name = m[1].toLowerCase();
      const amt = m[2].trim() === '' ? 0 : Number(evalImm(m[2], ctx));
      if (name === 'lsl') {
        if (!spLike(f) || m[2].trim() === '') return false;
        f.option = f.sf ? 3 : 2;
      } else f.option = EXTEND_NAMES.indexOf(name);
      if (amt < 0 || amt > 4) throw new OperandError(`shift amount ${amt} out of range [0, 4]`);
      f.imm3 = amt;
      return check(f);
    },
  };
}

function addSubExtended(sub: boolean, setf: boolean): InsnSpec {
  const name = (sub ? 'SUB' : 'ADD') + (setf ? 'S' : '');
  const ext = extendOpt(setf);
  const aliases: AliasSpec[] = [];
  if (setf) aliases.push({ mnemonic: sub ? 'cmp' : 'cmn', when: f => f.Rd === 31, fixed: { Rd: 31 }, operands: [gpr('Rn', { sp: true }), extRm(), ext] });
  return {
    id: `${name}_ereg`, mnemonic: name.toLowerCase(), group: DPR,
    hover: `${sub ? 'Subtract' : 'Add'} (extended register)${setf ? ', setting NZCV' : ''}: Rd = Rn ${sub ? '-' : '+'} (Rm zero/sign-extended from a byte, halfword or word, shifted left 0-4).`,
    pattern: `sf:1 ${sub ? 1 : 0} ${setf ? 1 : 0} 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5`,
    valid: f => f.imm3 <= 4,
    operands: [gpr('Rd', { sp: !setf }), gpr('Rn', { sp: true }), extRm(), ext],
    aliases,
    exec: f => {
      const d = wr31(f.Rd, !setf), n = rd31(f.Rn, true), m = rd31(f.Rm, false), x64 = f.sf === 1;
      return binOpStep(((sub ? 'sub' : 'add') + (setf ? 's' : '')) as BinOp, 'extend', f.option, x64, d, n, m, f.imm3);
    },
  };
}

// ---- add/sub with carry --------------------------------------------------------------------------

function addSubCarry(sub: boolean, setf: boolean): InsnSpec {
  const name = (sub ? 'SBC' : 'ADC') + (setf ? 'S' : '');
  const aliases: AliasSpec[] = sub ? [{ mnemonic: setf ? 'ngcs' : 'ngc', when: f => f.Rn === 31, fixed: { Rn: 31 }, operands: [rdR, rmR] }] : [];
  return {
    id: name, mnemonic: name.toLowerCase(), group: DPR,
    hover: sub ? `Subtract with carry${setf ? ', setting NZCV' : ''}: Rd = Rn - Rm - (1 - C) = Rn + NOT(Rm) + C.`
      : `Add with carry${setf ? ', setting NZCV' : ''}: Rd = Rn + Rm + C.`,
    pattern: `sf:1 ${sub ? 1 : 0} ${setf ? 1 : 0} 11010000 Rm:5 000000 Rn:5 Rd:5`,
    operands: [rdR, rnR, rmR],
    aliases,
    exec: f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false);
      if (f.sf) {
        if (sub) return setf ? c => { c.x[d] = adcs64(c, c.x[n], M64 ^ c.x[m], c.cf); } : c => { c.x[d] = BigInt.asUintN(64, c.x[n] + (M64 ^ c.x[m]) + (c.cf ? 1n : 0n)); };
        return setf ? c => { c.x[d] = adcs64(c, c.x[n], c.x[m], c.cf); } : c => { c.x[d] = BigInt.asUintN(64, c.x[n] + c.x[m] + (c.cf ? 1n : 0n)); };
      }
      if (sub) return setf ? c => { c.x[d] = adcs32(c, c.x[n] & M32, M32 ^ (c.x[m] & M32), c.cf); } : c => { c.x[d] = BigInt.asUintN(32, c.x[n] + (M32 ^ (c.x[m] & M32)) + (c.cf ? 1n : 0n)); };
      return setf ? c => { c.x[d] = adcs32(c, c.x[n] & M32, c.x[m] & M32, c.cf); } : c => { c.x[d] = BigInt.asUintN(32, c.x[n] + c.x[m] + (c.cf ? 1n : 0n)); };
    },
  };
}

// ---- logical (shifted register) --------------------------------------------------------------------

const LOGICAL = [
  { id: 'AND', opc: 0, N: 0, hover: 'Bitwise AND: Rd = Rn AND (Rm shifted).' },
  { id: 'BIC', opc: 0, N: 1, hover: 'Bitwise bit clear: Rd = Rn AND NOT(Rm shifted).' },
  { id: 'ORR', opc: 1, N: 0, hover: 'Bitwise OR: Rd = Rn OR (Rm shifted).' },
  { id: 'ORN', opc: 1, N: 1, hover: 'Bitwise OR NOT: Rd = Rn OR NOT(Rm shifted).' },
  { id: 'EOR', opc: 2, N: 0, hover: 'Bitwise exclusive OR: Rd = Rn EOR (Rm shifted).' },
  { id: 'EON', opc: 2, N: 1, hover: 'Bitwise exclusive OR NOT: Rd = Rn EOR NOT(Rm shifted).' },
  { id: 'ANDS', opc: 3, N: 0, hover: 'Bitwise AND, setting N and Z from the result and clearing C and V.' },
  { id: 'BICS', opc: 3, N: 1, hover: 'Bitwise bit clear, setting N and Z from the result and clearing C and V.' },
];

function logicalShifted(l: typeof LOGICAL[number]): InsnSpec {
  const sh = shiftOpt('shift', 'imm6', { ror: true, widthField: 'sf' });
  const aliases: AliasSpec[] = [];
  if (l.id === 'ORR') aliases.push({ mnemonic: 'mov', when: f => f.Rn === 31 && f.shift === 0 && f.imm6 === 0, fixed: { Rn: 31, shift: 0, imm6: 0 }, operands: [rdR, rmR] });
  if (l.id === 'ORN') aliases.push({ mnemonic: 'mvn', when: f => f.Rn === 31, fixed: { Rn: 31 }, operands: [rdR, rmR, sh] });
  if (l.id === 'ANDS') aliases.push({ mnemonic: 'tst', when: f => f.Rd === 31, fixed: { Rd: 31 }, operands: [rnR, rmR, sh] });
  return {
    id: `${l.id}_sreg`, mnemonic: l.id.toLowerCase(), group: DPR, hover: l.hover,
    pattern: `sf:1 ${l.opc >> 1}${l.opc & 1} 01010 shift:2 ${l.N} Rm:5 imm6:6 Rn:5 Rd:5`,
    valid: f => f.sf === 1 || f.imm6 < 32,
    operands: [rdR, rnR, rmR, sh],
    aliases,
    exec: f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false), x64 = f.sf === 1;
      const M = x64 ? M64 : M32;
      const plain = f.imm6 === 0 && f.shift === 0;
      const key = l.opc * 2 + l.N;
      if (plain) {
        switch (key) {
          case 0: return x64 ? c => { c.x[d] = c.x[n] & c.x[m]; } : c => { c.x[d] = c.x[n] & c.x[m] & M32; };
          case 1: return c => { c.x[d] = (c.x[n] & M) & (M ^ c.x[m]); };
          case 2:
            if (f.Rn === 31) return x64 ? c => { c.x[d] = c.x[m]; } : c => { c.x[d] = c.x[m] & M32; };
            return x64 ? c => { c.x[d] = c.x[n] | c.x[m]; } : c => { c.x[d] = (c.x[n] | c.x[m]) & M32; };
          case 3: return c => { c.x[d] = (c.x[n] | (M ^ c.x[m])) & M; };
          case 4: return x64 ? c => { c.x[d] = c.x[n] ^ c.x[m]; } : c => { c.x[d] = (c.x[n] ^ c.x[m]) & M32; };
          case 5: return c => { c.x[d] = (c.x[n] ^ (M ^ c.x[m])) & M; };
          case 6: return x64 ? c => { c.x[d] = nz64(c, c.x[n] & c.x[m]); } : c => { c.x[d] = nz32(c, c.x[n] & c.x[m] & M32); };
          default: return x64 ? c => { c.x[d] = nz64(c, c.x[n] & (M64 ^ c.x[m])); } : c => { c.x[d] = nz32(c, c.x[n] & (M32 ^ (c.x[m] & M32))); };
        }
      }
      const ops: BinOp[] = ['and', 'bic', 'orr', 'orn', 'eor', 'eon', 'ands', 'bics'];
      return binOpStep(ops[key], 'shift', f.shift, x64, d, n, m, f.imm6);
    },
  };
}

// ---- two-source: shifts by register, divide, crc32 -------------------------------------------------

function twoSource(id: string, mnemonic: string, opcode: number, hover: string, exec: (f: Fields) => Step, alias?: string): InsnSpec {
  return {
    id, mnemonic, group: DPR, hover,
    pattern: `sf:1 0 0 11010110 Rm:5 ${opcode.toString(2).padStart(6, '0')} Rn:5 Rd:5`,
    operands: [rdR, rnR, rmR],
    aliases: alias ? [{ mnemonic: alias, when: () => true, operands: [rdR, rnR, rmR] }] : undefined,
    exec,
  };
}

/** Variable shifts: the amount is Rm modulo the register size. */
function shiftVar(type: number) {
  return (f: Fields): Step => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false);
    if (f.sf) {
      switch (type) {
        case 0: return c => { c.x[d] = BigInt.asUintN(64, c.x[n] * POW2[Number(c.x[m] & 63n)]); };
        case 1: return c => { c.x[d] = c.x[n] / POW2[Number(c.x[m] & 63n)]; };
        case 2: return c => { const v = c.x[n], P = POW2[Number(c.x[m] & 63n)]; c.x[d] = v >= SIGN64 ? M64 - (M64 - v) / P : v / P; };
        default: return c => {
          const s = Number(c.x[m] & 63n), v = c.x[n];
          c.x[d] = s === 0 ? v : (v / POW2[s]) | BigInt.asUintN(64, v * POW2[64 - s]);
        };
      }
    }
    switch (type) {
      case 0: return c => { c.x[d] = BigInt.asUintN(32, c.x[n] * POW2[Number(c.x[m] & 31n)]); };
      case 1: return c => { c.x[d] = (c.x[n] & M32) / POW2[Number(c.x[m] & 31n)]; };
      case 2: return c => { const v = c.x[n] & M32, P = POW2[Number(c.x[m] & 31n)]; c.x[d] = v >= SIGN32 ? M32 - (M32 - v) / P : v / P; };
      default: return c => {
        const s = Number(c.x[m] & 31n), v = c.x[n] & M32;
        c.x[d] = s === 0 ? v : (v / POW2[s]) | BigInt.asUintN(32, v * POW2[32 - s]);
      };
    }
  };
}

function divide(signed: boolean) {
  return (f: Fields): Step => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false);
    if (f.sf) {
      if (!signed) return c => { const b = c.x[m]; c.x[d] = b === 0n ? 0n : c.x[n] / b; };
      return c => { const b = c.x[m]; c.x[d] = b === 0n ? 0n : BigInt.asUintN(64, BigInt.asIntN(64, c.x[n]) / BigInt.asIntN(64, b)); };
    }
    if (!signed) return c => { const b = c.x[m] & M32; c.x[d] = b === 0n ? 0n : (c.x[n] & M32) / b; };
    return c => { const b = c.x[m] & M32; c.x[d] = b === 0n ? 0n : BigInt.asUintN(32, BigInt.asIntN(32, c.x[n]) / BigInt.asIntN(32, b)); };
  };
}

const CRC_TABLES = new Map<number, Uint32Array>();
function crcTable(poly: number): Uint32Array {
  let t = CRC_TABLES.get(poly);
  if (!t) {
    t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
      t[i] = c >>> 0;
    }
    CRC_TABLES.set(poly, t);
  }
  return t;
}

function crc32(id: string, cSel: number, sz: number): InsnSpec {
  const suffix = ['b', 'h', 'w', 'x'][sz];
  const mnemonic = `crc32${cSel ? 'c' : ''}${suffix}`;
  return {
    id, mnemonic, group: DPR,
    hover: `CRC-32${cSel ? 'C (Castagnoli polynomial 0x1EDC6F41)' : ' (polynomial 0x04C11DB7)'} of the low ${8 << sz} bits of Rm accumulated into Wn, bit-reflected, no pre/post inversion.`,
    pattern: `${sz === 3 ? 1 : 0} 0 0 11010110 Rm:5 010 ${cSel} ${(sz >> 1) & 1}${sz & 1} Rn:5 Rd:5`,
    operands: [gpr('Rd', { width: 'w' }), gpr('Rn', { width: 'w' }), gpr('Rm', { width: sz === 3 ? 'x' : 'w' })],
    exec: f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false);
      const t = crcTable(cSel ? 0x82f63b78 : 0xedb88320);
      const bytes = 1 << sz;
      return c => {
        let acc = Number(c.x[n] & M32);
        const v = c.x[m];
        let lo = Number(v & M32), hi = Number(v >> 32n);
        for (let i = 0; i < bytes; i++) {
          acc = (acc >>> 8) ^ t[(acc ^ lo) & 0xff];
          lo = (lo >>> 8) | ((hi & 0xff) << 24);
          hi >>>= 8;
        }
        c.x[d] = BigInt(acc >>> 0);
      };
    },
  };
}

// ---- one-source ------------------------------------------------------------------------------------

function clz64(v: bigint): number {
  const hi = Number(v >> 32n);
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(Number(v & M32));
}
/** The bits of a 32-bit word in reverse order (also a JIT helper). */
export function rbit32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}
const bswap32 = (x: number): number => (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
const bswap16x2 = (x: number): number => (((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff)) >>> 0;
const join64 = (hi: number, lo: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

function oneSource(id: string, mnemonic: string, sf: number, opcode: number, hover: string, exec: (d: number, n: number) => Step, asmOnly?: string): InsnSpec {
  return {
    id, mnemonic, group: DPR, hover,
    pattern: `${sf} 1 0 11010110 00000 ${opcode.toString(2).padStart(6, '0')} Rn:5 Rd:5`,
    operands: [gpr('Rd', { width: sf ? 'x' : 'w' }), gpr('Rn', { width: sf ? 'x' : 'w' })],
    aliases: asmOnly ? [{ mnemonic: asmOnly, when: () => true, asmOnly: true, operands: [gpr('Rd', { width: 'x' }), gpr('Rn', { width: 'x' })] }] : undefined,
    exec: f => exec(wr31(f.Rd, false), rd31(f.Rn, false)),
  };
}

const ONE_SOURCE: InsnSpec[] = [
  oneSource('RBIT_w', 'rbit', 0, 0, 'Reverse the bit order of Wn.', (d, n) => c => { c.x[d] = BigInt(rbit32(Number(c.x[n] & M32))); }),
  oneSource('RBIT_x', 'rbit', 1, 0, 'Reverse the bit order of Xn.', (d, n) => c => { const v = c.x[n]; c.x[d] = join64(rbit32(Number(v & M32)), rbit32(Number(v >> 32n))); }),
  oneSource('REV16_w', 'rev16', 0, 1, 'Reverse the bytes in each 16-bit halfword of Wn.', (d, n) => c => { c.x[d] = BigInt(bswap16x2(Number(c.x[n] & M32))); }),
  oneSource('REV16_x', 'rev16', 1, 1, 'Reverse the bytes in each 16-bit halfword of Xn.', (d, n) => c => { const v = c.x[n]; c.x[d] = join64(bswap16x2(Number(v >> 32n)), bswap16x2(Number(v & M32))); }),
  oneSource('REV_w', 'rev', 0, 2, 'Reverse the byte order of Wn.', (d, n) => c => { c.x[d] = BigInt(bswap32(Number(c.x[n] & M32))); }),
  oneSource('REV32_x', 'rev32', 1, 2, 'Reverse the bytes in each 32-bit word of Xn.', (d, n) => c => { const v = c.x[n]; c.x[d] = join64(bswap32(Number(v >> 32n)), bswap32(Number(v & M32))); }),
  oneSource('REV_x', 'rev', 1, 3, 'Reverse the byte order of Xn (also spelled rev64).', (d, n) => c => { const v = c.x[n]; c.x[d] = join64(bswap32(Number(v & M32)), bswap32(Number(v >> 32n))); }, 'rev64'),
  oneSource('CLZ_w', 'clz', 0, 4, 'Count leading zero bits of Wn (32 for zero).', (d, n) => c => { c.x[d] = BigInt(Math.clz32(Number(c.x[n] & M32))); }),
  oneSource('CLZ_x', 'clz', 1, 4, 'Count leading zero bits of Xn (64 for zero).', (d, n) => c => { c.x[d] = BigInt(clz64(c.x[n])); }),
  oneSource('CLS_w', 'cls', 0, 5, 'Count leading sign bits of Wn: how many bits after the top one are equal to it.', (d, n) => c => {
    const v = Number(c.x[n] & M32); c.x[d] = BigInt(Math.clz32(((v ^ (v << 1)) | 1) >>> 0));
  }),
  oneSource('CLS_x', 'cls', 1, 5, 'Count leading sign bits of Xn: how many bits after the top one are equal to it.', (d, n) => c => {
    const v = c.x[n]; c.x[d] = BigInt(clz64(BigInt.asUintN(64, (v ^ (v * 2n)) | 1n)));
  }),
];

// ---- three-source: multiply ------------------------------------------------------------------------

interface MulDef { id: string; op31: number; o0: number; alias?: string; hover: string; kind: 'madd' | 'long' | 'high'; signed?: boolean; sub?: boolean }
const MULS: MulDef[] = [
  { id: 'MADD', op31: 0, o0: 0, alias: 'mul', kind: 'madd', hover: 'Multiply-add: Rd = Ra + Rn * Rm (low bits).' },
  { id: 'MSUB', op31: 0, o0: 1, alias: 'mneg', kind: 'madd', sub: true, hover: 'Multiply-subtract: Rd = Ra - Rn * Rm (low bits).' },
  { id: 'SMADDL', op31: 1, o0: 0, alias: 'smull', kind: 'long', signed: true, hover: 'Signed multiply-add long: Xd = Xa + Wn * Wm (32x32 -> 64, signed).' },
  { id: 'SMSUBL', op31: 1, o0: 1, alias: 'smnegl', kind: 'long', signed: true, sub: true, hover: 'Signed multiply-subtract long: Xd = Xa - Wn * Wm (signed).' },
  { id: 'SMULH', op31: 2, o0: 0, kind: 'high', signed: true, hover: 'Signed multiply high: Xd = bits [127:64] of Xn * Xm (signed).' },
  { id: 'UMADDL', op31: 5, o0: 0, alias: 'umull', kind: 'long', hover: 'Unsigned multiply-add long: Xd = Xa + Wn * Wm (32x32 -> 64, unsigned).' },
  { id: 'UMSUBL', op31: 5, o0: 1, alias: 'umnegl', kind: 'long', sub: true, hover: 'Unsigned multiply-subtract long: Xd = Xa - Wn * Wm (unsigned).' },
  { id: 'UMULH', op31: 6, o0: 0, kind: 'high', hover: 'Unsigned multiply high: Xd = bits [127:64] of Xn * Xm (unsigned).' },
];

function multiply(m: MulDef): InsnSpec {
  const op31 = m.op31.toString(2).padStart(3, '0');
  const srcW: Width | undefined = m.kind === 'long' ? 'w' : undefined;
  const rd = m.kind === 'madd' ? rdR : gpr('Rd', { width: 'x' });
  const rn = srcW ? gpr('Rn', { width: srcW }) : m.kind === 'madd' ? rnR : gpr('Rn', { width: 'x' });
  const rm = srcW ? gpr('Rm', { width: srcW }) : m.kind === 'madd' ? rmR : gpr('Rm', { width: 'x' });
  const ra = m.kind === 'madd' ? gpr('Ra') : gpr('Ra', { width: 'x' });
  return {
    id: m.id, mnemonic: m.id.toLowerCase(), group: DPR, hover: m.hover,
    pattern: m.kind === 'madd' ? `sf:1 00 11011 ${op31} Rm:5 ${m.o0} Ra:5 Rn:5 Rd:5`
      : m.kind === 'long' ? `1 00 11011 ${op31} Rm:5 ${m.o0} Ra:5 Rn:5 Rd:5`
        : `1 00 11011 ${op31} Rm:5 0 Ra:5 Rn:5 Rd:5`,
    operands: m.kind === 'high' ? [rd, rn, rm] : [rd, rn, rm, ra],
    defaults: m.kind === 'high' ? { Ra: 31 } : {},
    aliases: m.alias ? [{ mnemonic: m.alias, when: f => f.Ra === 31, fixed: { Ra: 31 }, operands: [rd, rn, rm] }] : undefined,
    exec: f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, false), mm = rd31(f.Rm, false);
      const a = m.kind === 'high' ? 31 : rd31(f.Ra, false);
      if (m.kind === 'madd') {
        if (f.sf) {
          if (f.Ra === 31) return m.sub ? c => { c.x[d] = BigInt.asUintN(64, -(c.x[n] * c.x[mm])); } : c => { c.x[d] = BigInt.asUintN(64, c.x[n] * c.x[mm]); };
          return m.sub ? c => { c.x[d] = BigInt.asUintN(64, c.x[a] - c.x[n] * c.x[mm]); } : c => { c.x[d] = BigInt.asUintN(64, c.x[a] + c.x[n] * c.x[mm]); };
        }
        return m.sub ? c => { c.x[d] = BigInt.asUintN(32, c.x[a] - (c.x[n] & M32) * (c.x[mm] & M32)); }
          : c => { c.x[d] = BigInt.asUintN(32, c.x[a] + (c.x[n] & M32) * (c.x[mm] & M32)); };
      }
      if (m.kind === 'long') {
        if (m.signed) {
          return m.sub ? c => { c.x[d] = BigInt.asUintN(64, c.x[a] - BigInt.asIntN(32, c.x[n]) * BigInt.asIntN(32, c.x[mm])); }
            : c => { c.x[d] = BigInt.asUintN(64, c.x[a] + BigInt.asIntN(32, c.x[n]) * BigInt.asIntN(32, c.x[mm])); };
        }
        return m.sub ? c => { c.x[d] = BigInt.asUintN(64, c.x[a] - (c.x[n] & M32) * (c.x[mm] & M32)); }
          : c => { c.x[d] = BigInt.asUintN(64, c.x[a] + (c.x[n] & M32) * (c.x[mm] & M32)); };
      }
      return m.signed ? c => { c.x[d] = BigInt.asUintN(64, (BigInt.asIntN(64, c.x[n]) * BigInt.asIntN(64, c.x[mm])) >> 64n); }
        : c => { c.x[d] = (c.x[n] * c.x[mm]) >> 64n; };
    },
  };
}

// ---- conditional select ----------------------------------------------------------------------------

function condSelect(id: string, op: number, o2: number, hover: string): InsnSpec {
  const key = op * 2 + o2; // 0 csel, 1 csinc, 2 csinv, 3 csneg
  const aliases: AliasSpec[] = [];
  const cInv = cond('cond', { invert: true });
  const notAlNv = (f: Fields): boolean => (f.cond >> 1) !== 7;
  if (key === 1) {
    aliases.push({ mnemonic: 'cinc', when: f => f.Rm === f.Rn && f.Rn !== 31 && notAlNv(f), operands: [rdR, rnR, cInv], complete: f => { f.Rm = f.Rn; return f.Rn !== 31; } });
    aliases.push({ mnemonic: 'cset', when: f => f.Rm === 31 && f.Rn === 31 && notAlNv(f), fixed: { Rn: 31, Rm: 31 }, operands: [rdR, cInv] });
  }
  if (key === 2) {
    aliases.push({ mnemonic: 'cinv', when: f => f.Rm === f.Rn && f.Rn !== 31 && notAlNv(f), operands: [rdR, rnR, cInv], complete: f => { f.Rm = f.Rn; return f.Rn !== 31; } });
    aliases.push({ mnemonic: 'csetm', when: f => f.Rm === 31 && f.Rn === 31 && notAlNv(f), fixed: { Rn: 31, Rm: 31 }, operands: [rdR, cInv] });
  }
  if (key === 3) {
    aliases.push({ mnemonic: 'cneg', when: f => f.Rm === f.Rn && notAlNv(f), operands: [rdR, rnR, cInv], complete: f => { f.Rm = f.Rn; return true; } });
  }
  return {
    id, mnemonic: id.toLowerCase(), group: DPR, hover,
    pattern: `sf:1 ${op} 0 11010100 Rm:5 cond:4 0${o2} Rn:5 Rd:5`,
    operands: [rdR, rnR, rmR, cond('cond')],
    aliases,
    exec: f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false), T = condTable(f.cond);
      const x64 = f.sf === 1;
      switch (key) {
        case 0: return x64 ? c => { c.x[d] = (T >>> nzcvIndex(c)) & 1 ? c.x[n] : c.x[m]; } : c => { c.x[d] = ((T >>> nzcvIndex(c)) & 1 ? c.x[n] : c.x[m]) & M32; };
        case 1: return x64 ? c => { c.x[d] = (T >>> nzcvIndex(c)) & 1 ? c.x[n] : BigInt.asUintN(64, c.x[m] + 1n); }
          : c => { c.x[d] = (T >>> nzcvIndex(c)) & 1 ? c.x[n] & M32 : BigInt.asUintN(32, c.x[m] + 1n); };
        case 2: return x64 ? c => { c.x[d] = (T >>> nzcvIndex(c)) & 1 ? c.x[n] : M64 ^ c.x[m]; }
          : c => { c.x[d] = (T >>> nzcvIndex(c)) & 1 ? c.x[n] & M32 : M32 ^ (c.x[m] & M32); };
        default: return x64 ? c => { c.x[d] = (T >>> nzcvIndex(c)) & 1 ? c.x[n] : BigInt.asUintN(64, -c.x[m]); }
          : c => { c.x[d] = (T >>> nzcvIndex(c)) & 1 ? c.x[n] & M32 : BigInt.asUintN(32, -c.x[m]); };
      }
    },
  };
}

// ---- conditional compare ---------------------------------------------------------------------------

function condCompare(neg: boolean, immForm: boolean): InsnSpec {
  const name = neg ? 'CCMN' : 'CCMP';
  return {
    id: `${name}_${immForm ? 'imm' : 'reg'}`, mnemonic: name.toLowerCase(), group: DPR,
    hover: `Conditional compare${neg ? ' negative' : ''} (${immForm ? 'immediate' : 'register'}): if the condition holds, set NZCV from Rn ${neg ? '+' : '-'} ${immForm ? '#imm5' : 'Rm'}, else set NZCV to #nzcv.`,
    pattern: `sf:1 ${neg ? 0 : 1} 1 11010010 ${immForm ? 'imm5:5' : 'Rm:5'} cond:4 ${immForm ? 1 : 0} 0 Rn:5 0 nzcv:4`,
    operands: [rnR, immForm ? imm('imm5', 5, { hex: true }) : rmR, imm('nzcv', 4, { hex: true }), cond('cond')],
    exec: f => {
      const n = rd31(f.Rn, false), m = rd31(f.Rm ?? 31, false), T = condTable(f.cond), nzcv = f.nzcv;
      const fn = (nzcv >> 3) & 1, fz = (nzcv >> 2) & 1, fc = (nzcv >> 1) & 1, fv = nzcv & 1;
      const k = BigInt(f.imm5 ?? 0);
      const x64 = f.sf === 1;
      let cmp: Step;
      if (immForm) {
        if (x64) cmp = neg ? c => { adds64(c, c.x[n], k); } : c => { subs64(c, c.x[n], k); };
        else cmp = neg ? c => { adds32(c, c.x[n] & M32, k); } : c => { subs32(c, c.x[n] & M32, k); };
      } else if (x64) cmp = neg ? c => { adds64(c, c.x[n], c.x[m]); } : c => { subs64(c, c.x[n], c.x[m]); };
      else cmp = neg ? c => { adds32(c, c.x[n] & M32, c.x[m] & M32); } : c => { subs32(c, c.x[n] & M32, c.x[m] & M32); };
      return c => {
        if ((T >>> nzcvIndex(c)) & 1) cmp(c);
        else { c.nf = fn; c.zf = fz; c.cf = fc; c.vf = fv; }
      };
    },
  };
}

// ---- flag manipulation (FEAT_FlagM) ----------------------------------------------------------------

const RMIF: InsnSpec = {
  id: 'RMIF', mnemonic: 'rmif', group: DPR,
  hover: 'Rotate Xn right by #shift and insert its low 4 bits into the flags selected by #mask (N=8, Z=4, C=2, V=1).',
  pattern: '1 0 1 11010000 imm6:6 00001 Rn:5 0 mask:4',
  operands: [gpr('Rn', { width: 'x' }), imm('imm6', 6), imm('mask', 4)],
  exec: f => {
    const n = rd31(f.Rn, false), s = f.imm6, mask = f.mask;
    return c => {
      const v = c.x[n];
      const r = s === 0 ? v : (v >> BigInt(s)) | ((v << BigInt(64 - s)) & M64);
      const b = Number(r & 15n);
      if (mask & 8) c.nf = (b >> 3) & 1;
      if (mask & 4) c.zf = (b >> 2) & 1;
      if (mask & 2) c.cf = (b >> 1) & 1;
      if (mask & 1) c.vf = b & 1;
    };
  },
};

function setf(sz: number): InsnSpec {
  const bitsN = sz ? 16 : 8;
  return {
    id: `SETF${bitsN}`, mnemonic: `setf${bitsN}`, group: DPR,
    hover: `Set N and Z from the low ${bitsN} bits of Wn as a signed value, and V from the overflow out of them (bit ${bitsN} EOR bit ${bitsN - 1}); C is unchanged.`,
    pattern: `0 0 1 11010000 000000 ${sz} 0010 Rn:5 0 1101`,
    operands: [gpr('Rn', { width: 'w' })],
    exec: f => {
      const n = rd31(f.Rn, false);
      return c => {
        const v = Number(c.x[n] & M32);
        c.nf = (v >>> (bitsN - 1)) & 1;
        c.zf = (v & ((1 << bitsN) - 1)) === 0 ? 1 : 0;
        c.vf = ((v >>> bitsN) ^ (v >>> (bitsN - 1))) & 1;
      };
    },
  };
}

// ---- FEAT_CSSC: min/max (immediate and register), abs, cnt, ctz --------------------------------------

const MINMAX = [
  { name: 'smax', signed: true, max: true }, { name: 'umax', signed: false, max: true },
  { name: 'smin', signed: true, max: false }, { name: 'umin', signed: false, max: false },
] as const;

/** Signed or unsigned min/max of two values of a width, as a closure over two getters' results. */
function minMaxOf(signed: boolean, max: boolean, x64: boolean): (a: bigint, b: bigint) => bigint {
  const w = x64 ? 64 : 32;
  if (signed) {
    return max ? (a, b) => (BigInt.asIntN(w, a) >= BigInt.asIntN(w, b) ? a : b) : (a, b) => (BigInt.asIntN(w, a) <= BigInt.asIntN(w, b) ? a : b);
  }
  return max ? (a, b) => (a >= b ? a : b) : (a, b) => (a <= b ? a : b);
}

const CSSC: InsnSpec[] = [
  ...MINMAX.map((mm, opc): InsnSpec => ({
    id: `${mm.name.toUpperCase()}_imm`, mnemonic: mm.name, group: DPR,
    hover: `${mm.signed ? 'Signed' : 'Unsigned'} ${mm.max ? 'maximum' : 'minimum'} (immediate, FEAT_CSSC): Rd = ${mm.max ? 'max' : 'min'}(Rn, #imm8${mm.signed ? ' sign-extended' : ''}).`,
    pattern: `sf:1 0 0 100011 1 00${opc >> 1}${opc & 1} imm8:8 Rn:5 Rd:5`,
    operands: [rdR, rnR, imm('imm8', 8, { signed: mm.signed })],
    exec: f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, false), x64 = f.sf === 1, M = x64 ? M64 : M32;
      const k = (mm.signed ? BigInt.asUintN(64, BigInt.asIntN(8, BigInt(f.imm8))) : BigInt(f.imm8)) & M;
      const pick = minMaxOf(mm.signed, mm.max, x64);
      return c => { c.x[d] = pick(c.x[n] & M, k); };
    },
  })),
  ...MINMAX.map((mm, i): InsnSpec => twoSource(`${mm.name.toUpperCase()}_reg`, mm.name, 0b011000 | i,
    `${mm.signed ? 'Signed' : 'Unsigned'} ${mm.max ? 'maximum' : 'minimum'} (register, FEAT_CSSC): Rd = ${mm.max ? 'max' : 'min'}(Rn, Rm).`,
    f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false), x64 = f.sf === 1, M = x64 ? M64 : M32;
      const pick = minMaxOf(mm.signed, mm.max, x64);
      return c => { c.x[d] = pick(c.x[n] & M, c.x[m] & M); };
    })),
  ...[0, 1].flatMap(sf => [
    oneSource(`CTZ_${sf ? 'x' : 'w'}`, 'ctz', sf, 0b000110, 'Count trailing zero bits (FEAT_CSSC); the register width for zero.', (d, n) => c => {
      const v = c.x[n] & (sf ? M64 : M32);
      if (v === 0n) { c.x[d] = sf ? 64n : 32n; return; }
      let k = 0, lo = Number(v & M32);
      if (lo === 0) { k = 32; lo = Number(v >> 32n); }
      c.x[d] = BigInt(k + 31 - Math.clz32((lo & -lo) >>> 0));
    }),
    oneSource(`CNT_${sf ? 'x' : 'w'}`, 'cnt', sf, 0b000111, 'Population count: the number of set bits (FEAT_CSSC).', (d, n) => c => {
      const v = c.x[n];
      c.x[d] = BigInt(popcount32(Number(v & M32)) + (sf ? popcount32(Number(v >> 32n)) : 0));
    }),
    oneSource(`ABS_${sf ? 'x' : 'w'}`, 'abs', sf, 0b001000, 'Absolute value (FEAT_CSSC); the most negative value stays as it is.', (d, n) => sf
      ? c => { const v = c.x[n]; c.x[d] = v >= SIGN64 ? BigInt.asUintN(64, -v) : v; }
      : c => { const v = c.x[n] & M32; c.x[d] = v >= SIGN32 ? BigInt.asUintN(32, -v) : v; }),
  ]),
];

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

// ---- pointer authentication (FEAT_PAuth is not implemented: these are undefined) --------------------

const PAUTH_NOTE = 'Pointer authentication (FEAT_PAuth) is not implemented here, so this encoding is undefined (SIGILL); the hint-space forms (paciasp, autiasp...) are NOPs.';

function undefinedPattern(id: string, pattern: string): (f: Fields) => Step {
  return f => {
    const p = compilePattern(id, pattern), word = insertFields(id, p, f);
    return c => { c.undefinedWord = word; throw new CpuTrap(Stop.Undefined, `${id.toLowerCase()} is undefined (no FEAT_PAuth) (0x${word.toString(16).padStart(8, '0')})`); };
  };
}

const PAUTH: InsnSpec[] = [
  ...['pacia', 'pacib', 'pacda', 'pacdb', 'autia', 'autib', 'autda', 'autdb'].map((m, op): InsnSpec => {
    const pattern = `1 1 0 11010110 00001 000 ${op.toString(2).padStart(3, '0')} Rn:5 Rd:5`;
    return { id: m.toUpperCase(), mnemonic: m, group: DPR, hover: `${m}: sign or authenticate Xd with modifier Xn|SP. ${PAUTH_NOTE}`, pattern,
      operands: [gpr('Rd', { width: 'x' }), gpr('Rn', { width: 'x', sp: true })], exec: undefinedPattern(m.toUpperCase(), pattern) };
  }),
  ...['paciza', 'pacizb', 'pacdza', 'pacdzb', 'autiza', 'autizb', 'autdza', 'autdzb'].map((m, op): InsnSpec => {
    const pattern = `1 1 0 11010110 00001 001 ${op.toString(2).padStart(3, '0')} 11111 Rd:5`;
    return { id: m.toUpperCase(), mnemonic: m, group: DPR, hover: `${m}: sign or authenticate Xd with modifier zero. ${PAUTH_NOTE}`, pattern,
      operands: [gpr('Rd', { width: 'x' })], exec: undefinedPattern(m.toUpperCase(), pattern) };
  }),
  ...['xpaci', 'xpacd'].map((m, d): InsnSpec => {
    const pattern = `1 1 0 11010110 00001 01000 ${d} 11111 Rd:5`;
    return { id: m.toUpperCase(), mnemonic: m, group: DPR, hover: `${m}: strip the pointer authentication code from Xd. ${PAUTH_NOTE}`, pattern,
      operands: [gpr('Rd', { width: 'x' })], exec: undefinedPattern(m.toUpperCase(), pattern) };
  }),
  {
    id: 'PACGA', mnemonic: 'pacga', group: DPR, hover: `pacga: generic authentication code of Xn with modifier Xm|SP into the top half of Xd. ${PAUTH_NOTE}`,
    pattern: '1 0 0 11010110 Rm:5 001100 Rn:5 Rd:5',
    operands: [gpr('Rd', { width: 'x' }), gpr('Rn', { width: 'x' }), gpr('Rm', { width: 'x', sp: true })],
    exec: undefinedPattern('PACGA', '1 0 0 11010110 Rm:5 001100 Rn:5 Rd:5'),
  },
];

// ---- the list ----------------------------------------------------------------------------------------

export const intRegSpecs: InsnSpec[] = [
  addSubShifted(false, false), addSubShifted(false, true), addSubShifted(true, false), addSubShifted(true, true),
  addSubExtended(false, false), addSubExtended(false, true), addSubExtended(true, false), addSubExtended(true, true),
  addSubCarry(false, false), addSubCarry(false, true), addSubCarry(true, false), addSubCarry(true, true),
  ...LOGICAL.map(logicalShifted),
  twoSource('LSLV', 'lslv', 8, 'Logical shift left by register: Rd = Rn << (Rm mod size).', shiftVar(0), 'lsl'),
  twoSource('LSRV', 'lsrv', 9, 'Logical shift right by register: Rd = Rn >> (Rm mod size), zero-filling.', shiftVar(1), 'lsr'),
  twoSource('ASRV', 'asrv', 10, 'Arithmetic shift right by register: Rd = Rn >> (Rm mod size), sign-filling.', shiftVar(2), 'asr'),
  twoSource('RORV', 'rorv', 11, 'Rotate right by register: Rd = Rn rotated right by (Rm mod size).', shiftVar(3), 'ror'),
  twoSource('UDIV', 'udiv', 2, 'Unsigned divide: Rd = Rn / Rm rounded toward zero; division by zero gives 0.', divide(false)),
  twoSource('SDIV', 'sdiv', 3, 'Signed divide: Rd = Rn / Rm rounded toward zero; division by zero gives 0 and INT_MIN / -1 gives INT_MIN.', divide(true)),
  ...[0, 1].flatMap(cs => [0, 1, 2, 3].map(sz => crc32(`CRC32${cs ? 'C' : ''}${'BHWX'[sz]}`, cs, sz))),
  ...ONE_SOURCE,
  ...MULS.map(multiply),
  condSelect('CSEL', 0, 0, 'Conditional select: Rd = cond ? Rn : Rm.'),
  condSelect('CSINC', 0, 1, 'Conditional select increment: Rd = cond ? Rn : Rm + 1.'),
  condSelect('CSINV', 1, 0, 'Conditional select invert: Rd = cond ? Rn : NOT Rm.'),
  condSelect('CSNEG', 1, 1, 'Conditional select negate: Rd = cond ? Rn : -Rm.'),
  condCompare(false, false), condCompare(false, true), condCompare(true, false), condCompare(true, true),
  RMIF, setf(0), setf(1),
  ...CSSC,
  ...PAUTH,
];

