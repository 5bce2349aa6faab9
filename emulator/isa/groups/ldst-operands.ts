// Operand kinds used by the load/store and MTE groups: FP/SIMD scalar registers, register-offset
// memory operands, bare-base memory operands, prefetch operations and consecutive register pairs.
// Each formats like GNU objdump and parses like GNU as.
import { OperandError } from '../../asm/types';
import { evalImm, gprName, label, looksImm, parseGpr, splitMem, type Width } from '../operands';
import type { Fields, Operand } from '../spec';

// ---- FP/SIMD scalar registers -------------------------------------------------------------------

/** Scalar FP/SIMD register views by log2 of their size in bytes: b h s d q. */
export const FP_LETTERS = ['b', 'h', 's', 'd', 'q'] as const;

/** An FP/SIMD scalar register `<b|h|s|d|q>n` of a fixed size (log2 bytes 0..4). */
export function fpreg(field: string, log2: number): Operand {
  const letter = FP_LETTERS[log2];
  return {
    syntax: `<${letter.toUpperCase()}${field.replace(/^R/, '').toLowerCase()}>`,
    format: f => letter + f[field],
    parse: (text, f) => {
      const m = /^([bhsdq])(\d{1,2})$/i.exec(text.trim());
      if (!m || m[1].toLowerCase() !== letter) return false;
      const n = Number(m[2]);
      if (n > 31) return false;
      f[field] = n;
      return true;
    },
  };
}

// ---- memory operands ------------------------------------------------------------------------------

/**
 * `[Xn|SP]`, for exclusives, acquire/release, atomics and the EL1 tag instructions. GNU as also
 * accepts an explicit `#0` offset.
 */
export function memBase(baseField: string): Operand {
  return {
    syntax: '[<Xn|SP>{, #0}]',
    format: f => `[${gprName(f[baseField], 'x', true)}]`,
    parse: (text, f, ctx) => {
      const m = splitMem(text);
      if (!m || m.writeback || m.parts.length < 1 || m.parts.length > 2) return false;
      const r = parseGpr(m.parts[0], true);
      if (!r || r.w !== 'x') return false;
      if (m.parts.length === 2) {
        if (!looksImm(m.parts[1])) return false;
        if (evalImm(m.parts[1], ctx) !== 0n) throw new OperandError('offset must be 0 here');
      }
      f[baseField] = r.n;
      return true;
    },
  };
}

/** Extend/shift names of the register-offset forms by `option` (only 010, 011, 110, 111 are allocated). */
const REGOFF_EXTEND: Record<number, string> = { 2: 'uxtw', 3: 'lsl', 6: 'sxtw', 7: 'sxtx' };

/** The register-offset `option` field is allocated only with option[1] = 1. */
export const regOffValid = (f: Fields): boolean => (f.option & 2) !== 0;

/**
 * `[Xn|SP, <Wm|Xm>{, <extend> {#amount}}]`: fields Rn, Rm, option, S; amount = S ? log2 : 0.
 * objdump omits `lsl` with no amount, and prints `#0` only for byte accesses with S = 1.
 */
export function memRegOff(log2: number): Operand {
  return {
    syntax: `[<Xn|SP>, <R><m>{, <extend> {#${log2}}}]`,
    format: f => {
      const base = gprName(f.Rn, 'x', true);
      const idx = gprName(f.Rm, (f.option & 1) ? 'x' : 'w', false);
      const ext = REGOFF_EXTEND[f.option];
      const amount = f.S ? log2 : 0;
      if (amount === 0 && !(log2 === 0 && f.S === 1)) {
        return f.option === 3 ? `[${base}, ${idx}]` : `[${base}, ${idx}, ${ext}]`;
      }
      return `[${base}, ${idx}, ${ext} #${amount}]`;
    },
    parse: (text, f, ctx) => {
      const m = splitMem(text);
      if (!m || m.writeback || m.parts.length < 2 || m.parts.length > 3) return false;
      const b = parseGpr(m.parts[0], true);
      if (!b || b.w !== 'x') return false;
      const r = parseGpr(m.parts[1], false);
      if (!r) return false;
      f.Rn = b.n; f.Rm = r.n;
      if (m.parts.length === 2) {
        if (r.w !== 'x') throw new OperandError('a 32-bit index register needs an extend (uxtw or sxtw)');
        f.option = 3; f.S = 0;
        return true;
      }
      const e = /^(lsl|uxtw|sxtw|sxtx)(?:\s+(.*))?$/i.exec(m.parts[2].trim());
      if (!e) return false;
      const name = e[1].toLowerCase();
      const option = Number(Object.keys(REGOFF_EXTEND).find(k => REGOFF_EXTEND[Number(k)] === name));
      const wantX = (option & 1) === 1;
      if ((r.w === 'x') !== wantX) throw new OperandError(`${name} needs a ${wantX ? '64' : '32'}-bit index register`);
      f.option = option;
      if (e[2] === undefined || e[2].trim() === '') {
        if (name === 'lsl') throw new OperandError('lsl needs a shift amount');
        f.S = 0;
        return true;
      }
      const amt = Number(evalImm(e[2], ctx));
      if (amt === log2 && amt !== 0) f.S = 1;
      else if (amt === 0) f.S = log2 === 0 ? 1 : 0;
      else throw new OperandError(`shift amount must be ${log2 === 0 ? '0' : `0 or ${log2}`}`);
      return true;
    },
  };
}

// ---- prefetch operations --------------------------------------------------------------------------

const PRF_TYPES = ['pld', 'pli', 'pst'];
const PRF_TARGETS = ['l1', 'l2', 'l3'];
const PRF_POLICIES = ['keep', 'strm'];

/** Name of a prefetch operation (bits type[4:3] target[2:1] policy[0]) or undefined if unnamed. */
export function prfopName(v: number): string | undefined {
  const type = v >> 3, target = (v >> 1) & 3, policy = v & 1;
  if (type > 2 || target > 2) return undefined;
  return PRF_TYPES[type] + PRF_TARGETS[target] + PRF_POLICIES[policy];
}

/** `<prfop>|#imm5` in field Rt. */
export function prfop(field: string): Operand {
  return {
    syntax: '<prfop>',
    format: f => prfopName(f[field]) ?? '#0x' + f[field].toString(16).padStart(2, '0'),
    parse: (text, f, ctx) => {
      const t = text.trim().toLowerCase();
      for (let v = 0; v < 32; v++) if (prfopName(v) === t) { f[field] = v; return true; }
      if (!t.startsWith('#') && !/^\d/.test(t)) return false;
      const v = Number(evalImm(t, ctx));
      if (!Number.isInteger(v) || v < 0 || v > 31) throw new OperandError(`prefetch operation ${v} out of range [0, 31]`);
      f[field] = v;
      return true;
    },
  };
}

// ---- register pairs (CASP) ------------------------------------------------------------------------

/** The register after the one in `field` (`<R>(n+1)`, printed as ZR after 30); the assembler requires it. */
export function nextReg(field: string, width: Width | { field: string }): Operand {
  const w = (f: Fields): Width => (typeof width === 'string' ? width : f[width.field] ? 'x' : 'w');
  return {
    syntax: `<R${field.replace(/^R/, '').toLowerCase()}+1>`,
    format: f => gprName(f[field] + 1, w(f), false),
    parse: (text, f) => {
      const r = parseGpr(text, false);
      if (!r || r.w !== w(f)) return false;
      if (f[field] === undefined) return false;
      if (r.n !== f[field] + 1) throw new OperandError(`expected ${gprName(f[field] + 1, w(f), false)} (the register after the first of the pair)`);
      return true;
    },
  };
}

// ---- pc-relative literal addresses ---------------------------------------------------------------

/**
 * A pc-relative target `(target - pc) / 4` in a signed `len`-bit field, printed as objdump does:
 * the 64-bit hex address (exact also below 0, which wraps) and `<sym>` from the symbolizer.
 */
export function pcLabel(field: string, len: number): Operand {
  const base = label(field, len);
  return {
    ...base,
    format: (f, ctx) => {
      let v = f[field];
      if (v >= 2 ** (len - 1)) v -= 2 ** len;
      const target = ctx.pc + v * 4;
      const t = BigInt.asUintN(64, BigInt(target));
      const sym = ctx.symbolize?.(target);
      return t.toString(16) + (sym ? ` <${sym}>` : '');
    },
  };
}
