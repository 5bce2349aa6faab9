// Operand kinds for the instruction table. Each kind knows how to print itself the way GNU
// objdump does and how to read itself the way GNU as does, from and into instruction fields.
import { OperandError, type EncodeContext } from '../asm/types';
import type { DisasmContext, Fields, Operand } from './spec';

export type Width = 'x' | 'w';
/** A register width: fixed, or read from a field (1 = x, 0 = w), or computed. */
export type WidthSpec = Width | { field: string; one?: Width } | ((f: Fields) => Width);

export function widthOf(w: WidthSpec, f: Fields): Width {
  if (typeof w === 'string') return w;
  if (typeof w === 'function') return w(f);
  const v = f[w.field];
  const one = w.one ?? 'x';
  return v === 1 ? one : one === 'x' ? 'w' : 'x';
}

/** Sets a width field from the register letter the assembler saw, or checks it against an earlier operand. */
function bindWidth(w: WidthSpec, f: Fields, seen: Width): boolean {
  if (typeof w === 'string') return w === seen;
  if (typeof w === 'function') return w(f) === seen;
  const one = w.one ?? 'x';
  const v = seen === one ? 1 : 0;
  if (f[w.field] === undefined) { f[w.field] = v; return true; }
  return f[w.field] === v;
}

export const hex = (v: number | bigint): string => '0x' + v.toString(16);
const trim = (s: string): string => s.trim();

// ---- general-purpose registers ---------------------------------------------------------------

export interface GprOpts { sp?: boolean; width?: WidthSpec }

export function gprName(n: number, w: Width, sp: boolean): string {
  if (n === 31) return sp ? (w === 'x' ? 'sp' : 'wsp') : (w === 'x' ? 'xzr' : 'wzr');
  return w + n;
}

/** Parses a GP register name; returns {n, w} or undefined. */
export function parseGpr(text: string, sp: boolean): { n: number; w: Width } | undefined {
  const t = text.trim().toLowerCase();
  let m = /^([xw])(\d{1,2})$/.exec(t);
  if (m) {
    const n = Number(m[2]);
    if (n > 30) return undefined;
    return { n, w: m[1] as Width };
  }
  if (sp && (t === 'sp' || t === 'wsp')) return { n: 31, w: t === 'sp' ? 'x' : 'w' };
  if (!sp && (t === 'xzr' || t === 'wzr')) return { n: 31, w: t === 'xzr' ? 'x' : 'w' };
  m = /^(?:ip0|ip1|fp|lr)$/.exec(t);
  if (m) return { n: { ip0: 16, ip1: 17, fp: 29, lr: 30 }[t]!, w: 'x' };
  return undefined;
}

/** A general-purpose register operand in field `field` (SP or ZR for 31 per `sp`). */
export function gpr(field: string, opts: GprOpts = {}): Operand {
  const width = opts.width ?? { field: 'sf' };
  const sp = opts.sp ?? false;
  const w0 = typeof width === 'string' ? (width === 'x' ? 'X' : 'W') : 'R';
  return {
    syntax: `<${w0}${field.replace(/^R/, '').toLowerCase()}${sp ? '|SP' : ''}>`,
    format: (f) => gprName(f[field], widthOf(width, f), sp),
    parse: (text, f) => {
      const r = parseGpr(text, sp);
      if (!r || !bindWidth(width, f, r.w)) return false;
      f[field] = r.n;
      return true;
    },
  };
}

/** Same register printed again / required equal (e.g. `mul` vs `madd ... xzr`); used by aliases. */
export function sameAs(field: string, other: string, opts: GprOpts = {}): Operand {
  const g = gpr(field, opts);
  return { ...g, parse: (text, f, ctx) => g.parse(text, f, ctx) && (f[other] === undefined || f[other] === f[field]) };
}

// ---- immediates ------------------------------------------------------------------------------

/** Strips an optional leading '#'. */
export function immText(text: string): string {
  const t = text.trim();
  return t.startsWith('#') ? t.slice(1).trim() : t;
}

export function evalImm(text: string, ctx: EncodeContext): bigint {
  const t = immText(text);
  if (t === '') throw new OperandError('expected an immediate');
  return ctx.evaluate(t);
}

// GNU as reads a bare name as a register wherever a register fits and as a symbol elsewhere:
// `adrp x0, s1`, `b d0` or `ldr x1, x2` refer to labels called s1, d0, x2, and `add x0, x1, s1`
// adds the value of a symbol s1. The engine therefore tries every form of a mnemonic twice: first
// with register-like names taken as registers only; then, when no form accepted the operands, with
// such names also taken as symbols (see `withNamesAsSymbols`): any name in a label operand, an
// FP/SIMD register name (`s1`, `d0`, `q2`, `v3`, `b1`, `h4`) in an immediate expression. A
// general-purpose register or shift/extend name is never an immediate (GNU as neither).
let namesAsSymbols = false;

/** Runs `fn` with register-like names accepted as symbols in label and immediate operands. */
export function withNamesAsSymbols<T>(fn: () => T): T {
  const saved = namesAsSymbols;
  namesAsSymbols = true;
  try { return fn(); } finally { namesAsSymbols = saved; }
}

/** True when the operand text looks like an immediate (not a register or memory operand). */
export function looksImm(text: string): boolean {
  const t = text.trim();
  if (t === '' || t.startsWith('[') || t.startsWith('{')) return false;
  if (parseGpr(t, true) || parseGpr(t, false)) return false;
  if (/^[vqdshb]\d{1,2}(\.|$)/i.test(t)) return namesAsSymbols && !t.includes('.');
  if (/^(lsl|lsr|asr|ror|msl|[us]xt[bhwx])\b/i.test(t)) return false;
  return true;
}

/** True when the operand text can be a pc-relative target (a label expression). */
export function looksLabel(text: string): boolean {
  if (!namesAsSymbols) return looksImm(text);
  const t = text.trim();
  return t !== '' && !t.startsWith('[') && !t.startsWith('{');
}

export interface ImmOpts {
  /** Value printed = field * scale (+ offset). */
  scale?: number;
  offset?: number;
  signed?: boolean;
  /** objdump prints it in hex (`#0x10`) rather than decimal (`#16`). */
  hex?: boolean;
  /** Print without '#'. */
  bare?: boolean;
  optional?: boolean;
  /** Value to omit when optional. */
  omitWhen?: number;
}

/** An immediate stored (possibly scaled/signed) in one field. */
export function imm(field: string, len: number, opts: ImmOpts = {}): Operand {
  const scale = opts.scale ?? 1, off = opts.offset ?? 0;
  return {
    syntax: `#<${field}>`,
    optional: opts.optional,
    format: (f) => {
      let v = f[field];
      if (opts.signed && v >= 2 ** (len - 1)) v -= 2 ** len;
      const val = v * scale + off;
      if (opts.optional && val === (opts.omitWhen ?? 0)) return null;
      const s = opts.hex ? (val < 0 ? '-' + hex(-val) : hex(val)) : String(val);
      return opts.bare ? s : '#' + s;
    },
    parse: (text, f, ctx) => {
      if (text.trim() === '') {
        if (!opts.optional) return false;
        f[field] = ((opts.omitWhen ?? 0) - off) / scale;
        return true;
      }
      if (!looksImm(text)) return false;
      const v = Number(evalImm(text, ctx)) - off;
      if (v % scale !== 0) throw new OperandError(`immediate must be a multiple of ${scale}`);
      const q = v / scale;
      const lo = opts.signed ? -(2 ** (len - 1)) : 0;
      const hi = opts.signed ? 2 ** (len - 1) - 1 : 2 ** len - 1;
      if (q < lo || q > hi) {
        if (!ctx.final) { f[field] = 0; return true; }
        throw new OperandError(`immediate ${v + off} out of range [${lo * scale + off}, ${hi * scale + off}]`);
      }
      f[field] = q < 0 ? q + 2 ** len : q;
      return true;
    },
  };
}

/** A computed immediate with custom conversions (bitmask immediates, lsl aliases, fp8...). */
export function customImm(syntax: string, format: (f: Fields, ctx: DisasmContext) => string | null,
  parse: (value: bigint, f: Fields, ctx: EncodeContext, text: string) => boolean, opts: { optional?: boolean } = {}): Operand {
  return {
    syntax, optional: opts.optional, format,
    parse: (text, f, ctx) => {
      if (text.trim() === '') return !!opts.optional && parse(-1n, f, ctx, '');
      if (!looksImm(text)) return false;
      return parse(evalImm(text, ctx), f, ctx, text);
    },
  };
}

// ---- shifts and extends ----------------------------------------------------------------------

const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'];

/** Optional `, <shift> #amount` for shifted-register forms. */
export function shiftOpt(typeField: string, amountField: string, opts: { ror?: boolean; widthField?: string } = {}): Operand {
  return {
    syntax: '{, <shift> #<amount>}',
    optional: true,
    format: (f) => (f[typeField] === 0 && f[amountField] === 0) ? null : `${SHIFT_NAMES[f[typeField]]} #${f[amountField]}`,
    parse: (text, f, ctx) => {
      const t = text.trim();
      if (t === '') { f[typeField] = 0; f[amountField] = 0; return true; }
      const m = /^(lsl|lsr|asr|ror)\s*(.*)$/i.exec(t);
      if (!m) return false;
      const type = SHIFT_NAMES.indexOf(m[1].toLowerCase());
      if (type === 3 && !opts.ror) throw new OperandError('ror is not allowed here');
      const amt = Number(evalImm(m[2], ctx));
      const max = opts.widthField !== undefined && f[opts.widthField] === 0 ? 31 : 63;
      if (amt < 0 || amt > max) throw new OperandError(`shift amount ${amt} out of range [0, ${max}]`);
      f[typeField] = type; f[amountField] = amt;
      return true;
    },
  };
}

const EXTEND_NAMES = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];
export { EXTEND_NAMES };

// ---- pc-relative labels -----------------------------------------------------------------------

/** A pc-relative target: field holds (target - base) / scale as a signed `len`-bit value. */
export function label(field: string, len: number, opts: { scale?: number; page?: boolean; lowField?: string; lowLen?: number } = {}): Operand {
  const scale = opts.scale ?? 4;
  const getOff = (f: Fields): number => {
    let v = f[field];
    let total = len;
    if (opts.lowField) { v = v * 2 ** opts.lowLen! + f[opts.lowField]; total += opts.lowLen!; }
    if (v >= 2 ** (total - 1)) v -= 2 ** total;
    return v;
  };
  return {
    syntax: '<label>',
    format: (f, ctx) => {
      const base = opts.page ? Math.floor(ctx.pc / 4096) * 4096 : ctx.pc;
      const target = base + getOff(f) * scale;
      // A target below 0 wraps (objdump prints it as a 64-bit address); the symbolizer gets the
      // negative number and may ignore it.
      const sym = ctx.symbolize?.(target);
      return BigInt.asUintN(64, BigInt(target)).toString(16) + (sym ? ` <${sym}>` : '');
    },
    parse: (text, f, ctx) => {
      if (!looksLabel(text)) return false;
      const target = evalImm(text, ctx);
      const base = opts.page ? ctx.pc & ~0xfffn : ctx.pc;
      let delta = (opts.page ? target & ~0xfffn : target) - base;
      const total = len + (opts.lowLen ?? 0);
      if (delta % BigInt(scale) !== 0n) {
        if (!ctx.final) delta = 0n; else throw new OperandError(`target is not ${scale}-byte aligned`);
      }
      let q = Number(delta / BigInt(scale));
      if (q < -(2 ** (total - 1)) || q >= 2 ** (total - 1)) {
        if (!ctx.final) q = 0; else throw new OperandError('target out of range');
      }
      const u = q < 0 ? q + 2 ** total : q;
      if (opts.lowField) { f[opts.lowField] = u % 2 ** opts.lowLen!; f[field] = Math.floor(u / 2 ** opts.lowLen!); }
      else f[field] = u;
      return true;
    },
  };
}

// ---- conditions ---------------------------------------------------------------------------------

export const COND_NAMES = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
/** Other names of each condition (the SVE ones included), as objdump lists them in comments. */
export const COND_OTHER_NAMES: readonly (readonly string[])[] = [
  ['none'], ['any'], ['hs', 'nlast'], ['lo', 'ul', 'last'], ['first'], ['nfrst'], [], [],
  ['pmore'], ['plast'], ['tcont'], ['tstop'], [], [], [], [],
];
const COND_ALIASES: Record<string, number> = {};
COND_OTHER_NAMES.forEach((names, i) => { for (const n of names) COND_ALIASES[n] = i; });

/** objdump's comment for a condition operand: `eq = none`, `cs = hs, nlast` (null when it has no other name). */
export function condComment(c: number): string | null {
  const o = COND_OTHER_NAMES[c];
  return o.length ? `${COND_NAMES[c]} = ${o.join(', ')}` : null;
}

export function parseCond(t: string): number | undefined {
  const s = t.trim().toLowerCase();
  const i = COND_NAMES.indexOf(s);
  if (i >= 0) return i;
  return COND_ALIASES[s];
}

/** A condition operand; `invert` prints/reads the inverse (for cset/cinc aliases). */
export function cond(field: string, opts: { invert?: boolean } = {}): Operand {
  const x = opts.invert ? 1 : 0;
  return {
    syntax: '<cond>',
    format: (f) => COND_NAMES[f[field] ^ x],
    comment: (f) => condComment(f[field] ^ x),
    parse: (text, f) => {
      const c = parseCond(text);
      if (c === undefined) return false;
      if (opts.invert && c >= 14) throw new OperandError('al/nv are not allowed here');
      f[field] = c ^ x;
      return true;
    },
  };
}

// ---- memory operands --------------------------------------------------------------------------

/** Splits "[x0, #8]!" into {inner: ['x0', '#8'], wb: true}; undefined if not a bracketed operand. */
export function splitMem(text: string): { parts: string[]; writeback: boolean } | undefined {
  const t = text.trim();
  const m = /^\[(.*)\](!?)$/s.exec(t);
  if (!m) return undefined;
  return { parts: splitTopLevel(m[1]).map(trim), writeback: m[2] === '!' };
}

/** Splits on commas that are not inside brackets, braces or parentheses. */
export function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = '', quote = false;
  for (const ch of s) {
    if (ch === '"') quote = !quote;
    if (!quote) {
      if (ch === '[' || ch === '{' || ch === '(') depth++;
      else if (ch === ']' || ch === '}' || ch === ')') depth--;
      else if (ch === ',' && depth === 0) { out.push(cur); cur = ''; continue; }
    }
    cur += ch;
  }
  if (cur.trim() !== '' || out.length > 0) out.push(cur);
  return out;
}

export type MemMode = 'offset' | 'pre' | 'post';

/**
 * Base + signed/unsigned immediate memory operand: `[Xn|SP{, #imm}]`, `[Xn|SP, #imm]!` (pre) or
 * `[Xn|SP]` followed by a separate `#imm` operand (post; use `postImm`).
 */
export function memImm(baseField: string, immField: string | null, len: number, opts: { mode: MemMode; scale?: number; signed?: boolean } = { mode: 'offset' }): Operand {
  const scale = opts.scale ?? 1;
  return {
    syntax: opts.mode === 'pre' ? '[<Xn|SP>, #<imm>]!' : opts.mode === 'post' ? '[<Xn|SP>]' : '[<Xn|SP>{, #<imm>}]',
    format: (f) => {
      const base = gprName(f[baseField], 'x', true);
      if (opts.mode === 'post' || immField === null) return `[${base}]`;
      let v = f[immField];
      if (opts.signed && v >= 2 ** (len - 1)) v -= 2 ** len;
      v *= scale;
      if (opts.mode === 'pre') return `[${base}, #${v}]!`;
      return v === 0 ? `[${base}]` : `[${base}, #${v}]`;
    },
    parse: (text, f, ctx) => {
      const m = splitMem(text);
      if (!m) return false;
      if (m.writeback !== (opts.mode === 'pre')) return false;
      if (opts.mode === 'post' && m.parts.length !== 1) return false;
      if (m.parts.length < 1 || m.parts.length > 2) return false;
      const r = parseGpr(m.parts[0], true);
      if (!r || r.w !== 'x') return false;
      f[baseField] = r.n;
      if (immField === null || opts.mode === 'post') return m.parts.length === 1;
      let v = 0n;
      if (m.parts.length === 2) {
        if (!looksImm(m.parts[1])) return false;
        v = evalImm(m.parts[1], ctx);
      } else if (opts.mode === 'pre') return false;
      const n = Number(v);
      if (n % scale !== 0) {
        if (!ctx.final) { f[immField] = 0; return true; }
        throw new OperandError(`offset ${n} is not a multiple of ${scale}`);
      }
      const q = n / scale;
      const lo = opts.signed ? -(2 ** (len - 1)) : 0, hi = opts.signed ? 2 ** (len - 1) - 1 : 2 ** len - 1;
      if (q < lo || q > hi) {
        if (!ctx.final) { f[immField] = 0; return true; }
        throw new OperandError(`offset ${n} out of range [${lo * scale}, ${hi * scale}]`);
      }
      f[immField] = q < 0 ? q + 2 ** len : q;
      return true;
    },
  };
}

/** The `#imm` after a post-indexed `[Xn]`. */
export function postImm(immField: string, len: number, opts: { scale?: number; signed?: boolean } = {}): Operand {
  return imm(immField, len, { scale: opts.scale, signed: opts.signed ?? true });
}

// ---- misc ---------------------------------------------------------------------------------------

/** A fixed keyword operand (e.g. `csync`, `#0` printed literally). */
export function literal(text: string, opts: { optional?: boolean } = {}): Operand {
  return {
    syntax: text, optional: opts.optional,
    format: () => (opts.optional ? null : text),
    parse: (t) => (t.trim() === '' ? !!opts.optional : t.trim().toLowerCase() === text.toLowerCase()),
  };
}

/**
 * An immediate whose printed value is computed from fields (bitfield aliases' lsb/width, shift
 * amounts...). `show(f)` gives the value to print; parsing stores the value in the pseudo field
 * `into` (an alias's `complete` then derives the real fields and checks ranges).
 */
export function derivedImm(syntax: string, into: string, show: (f: Fields) => number | bigint, opts: { hex?: boolean; optional?: boolean; omit?: (f: Fields) => boolean } = {}): Operand {
  return {
    syntax, optional: opts.optional,
    format: f => {
      if (opts.omit?.(f)) return null;
      const v = show(f);
      if (!opts.hex) return '#' + v.toString();
      return typeof v === 'bigint' ? '#' + hex(v) : '#' + (v < 0 ? '-' + hex(-v) : hex(v));
    },
    parse: (text, f, ctx) => {
      if (text.trim() === '') return !!opts.optional;
      if (!looksImm(text)) return false;
      const v = evalImm(text, ctx);
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new OperandError(`immediate ${v} out of range`);
      f[into] = Number(v);
      return true;
    },
  };
}
