// Operand kinds for the FP/SIMD instructions: vector registers with arrangements (`v0.16b`),
// vector elements (`v1.s[3]`), register lists (`{v0.16b-v3.16b}`, `{v2.s, v3.s}[1]`), scalar
// FP/SIMD registers (`b0 h0 s0 d0 q0`) and FP immediates. They print the way GNU objdump does and
// read what GNU as accepts.
import { OperandError, type EncodeContext } from '../../asm/types';
import { immText, looksImm } from '../operands';
import type { Fields, Operand } from '../spec';

// ---- arrangements ------------------------------------------------------------------------------

/** One arrangement an operand can have, with the field values that select it. */
export interface ArrOption { name: string; fields: Fields }
/** The arrangements of an operand: the first option whose fields all match is printed. */
export type ArrSpec = ArrOption[];

const fieldsMatch = (want: Fields, f: Fields): boolean => {
  for (const k in want) if (f[k] !== want[k]) return false;
  return true;
};
const fieldsCompatible = (want: Fields, f: Fields): boolean => {
  for (const k in want) if (f[k] !== undefined && f[k] !== want[k]) return false;
  return true;
};

export function arrName(spec: ArrSpec, f: Fields): string | undefined {
  for (const o of spec) if (fieldsMatch(o.fields, f)) return o.name;
  return undefined;
}

/** Binds an arrangement name read by the assembler: sets the fields it implies (or checks them). */
export function bindArr(spec: ArrSpec, f: Fields, name: string): boolean {
  const n = name.toLowerCase();
  for (const o of spec) {
    if (o.name !== n || !fieldsCompatible(o.fields, f)) continue;
    Object.assign(f, o.fields);
    return true;
  }
  return false;
}

const SQ_NAMES = [['8b', '16b'], ['4h', '8h'], ['2s', '4s'], ['1d', '2d']];

/** size:Q arrangements; `sizes` lists the allowed sizes (0 = b ... 3 = d); 1d is never allowed. */
export function arrSQ(sizes: number[] = [0, 1, 2, 3], sizeField = 'size', qField = 'Q'): ArrSpec {
  const out: ArrSpec = [];
  for (const s of sizes) for (const q of [0, 1]) {
    if (s === 3 && q === 0) continue;
    out.push({ name: SQ_NAMES[s][q], fields: { [sizeField]: s, [qField]: q } });
  }
  return out;
}
/** Like arrSQ but with 1d allowed (size 3, Q 0). */
export function arrSQ1d(sizes: number[] = [0, 1, 2, 3], sizeField = 'size', qField = 'Q'): ArrSpec {
  const out: ArrSpec = [];
  for (const s of sizes) for (const q of [0, 1]) out.push({ name: SQ_NAMES[s][q], fields: { [sizeField]: s, [qField]: q } });
  return out;
}
/** Q only, with a fixed element size (e.g. the byte-only logical ops: 8b/16b). */
export function arrQ(size: number, qField = 'Q'): ArrSpec {
  return [0, 1].filter(q => size !== 3 || q === 1).map(q => ({ name: SQ_NAMES[size][q], fields: { [qField]: q } }));
}
/** FP vectors: sz:Q -> 2s, 4s, 2d. */
export function arrFP(szField = 'sz', qField = 'Q'): ArrSpec {
  return [
    { name: '2s', fields: { [szField]: 0, [qField]: 0 } },
    { name: '4s', fields: { [szField]: 0, [qField]: 1 } },
    { name: '2d', fields: { [szField]: 1, [qField]: 1 } },
  ];
}
/** The wide (2x element) arrangement of a size field: size 0 -> 8h, 1 -> 4s, 2 -> 2d. */
export function arrWide(sizes: number[] = [0, 1, 2], sizeField = 'size'): ArrSpec {
  return sizes.map(s => ({ name: ['8h', '4s', '2d', '1q'][s], fields: { [sizeField]: s } }));
}
/** A fixed arrangement. */
export const arrFixed = (name: string): ArrSpec => [{ name, fields: {} }];
/** Arrangement options from an explicit table. */
export const arrTable = (rows: [string, Fields][]): ArrSpec => rows.map(([name, fields]) => ({ name, fields }));

// ---- vector registers ----------------------------------------------------------------------------

const VREG_RE = /^v(\d{1,2})\.(\d{0,2}[bhsdq])$/i;

function parseVNum(s: string): number | undefined {
  const n = Number(s);
  return n <= 31 ? n : undefined;
}

/** `v<n>.<T>`: a vector register with an arrangement. */
export function vreg(field: string, arr: ArrSpec): Operand {
  return {
    syntax: `<V${field.replace(/^R/, '').toLowerCase()}>.<T>`,
    format: f => `v${f[field]}.${arrName(arr, f) ?? '?'}`,
    parse: (text, f) => {
      const m = VREG_RE.exec(text.trim());
      if (!m) return false;
      const n = parseVNum(m[1]);
      if (n === undefined) return false;
      if (f[field] !== undefined && f[field] !== n) return false;
      if (!bindArr(arr, f, m[2])) return false;
      f[field] = n;
      return true;
    },
  };
}

/** The same register as another field, for aliases that print it once (`mov v0.16b, v1.16b` = orr v0, v1, v1). */
export function vregSame(field: string, other: string, arr: ArrSpec): Operand {
  const v = vreg(field, arr);
  return { ...v, parse: (t, f, ctx) => { if (!v.parse(t, f, ctx)) return false; f[other] = f[field]; return true; } };
}

// ---- scalar FP/SIMD registers --------------------------------------------------------------------

export type FpWidth = 'b' | 'h' | 's' | 'd' | 'q';
export type FpWidthSpec = FpWidth | ArrSpec;

const fpWidthOf = (w: FpWidthSpec, f: Fields): string | undefined => (typeof w === 'string' ? w : arrName(w, f));

/** A scalar FP/SIMD register `b0`, `h0`, `s0`, `d0` or `q0`; the width is fixed or chosen by fields. */
export function freg(field: string, width: FpWidthSpec): Operand {
  return {
    syntax: typeof width === 'string' ? `<${width.toUpperCase()}${field.replace(/^R/, '').toLowerCase()}>` : `<V${field.replace(/^R/, '').toLowerCase()}>`,
    format: f => `${fpWidthOf(width, f) ?? '?'}${f[field]}`,
    parse: (text, f) => {
      const m = /^([bhsdq])(\d{1,2})$/i.exec(text.trim());
      if (!m) return false;
      const n = parseVNum(m[2]);
      if (n === undefined) return false;
      if (typeof width === 'string') { if (m[1].toLowerCase() !== width) return false; }
      else if (!bindArr(width, f, m[1])) return false;
      if (f[field] !== undefined && f[field] !== n) return false;
      f[field] = n;
      return true;
    },
  };
}

/** Scalar widths chosen by a size field: 0 b, 1 h, 2 s, 3 d (restricted to `sizes`). */
export function widthBySize(sizes: number[] = [0, 1, 2, 3], sizeField = 'size', names: string[] = ['b', 'h', 's', 'd']): ArrSpec {
  return sizes.map(s => ({ name: names[s], fields: { [sizeField]: s } }));
}
/** Scalar FP widths by a one-bit sz field: 0 s, 1 d. */
export const widthSz = (szField = 'sz'): ArrSpec => [{ name: 's', fields: { [szField]: 0 } }, { name: 'd', fields: { [szField]: 1 } }];
/** Scalar FP widths by the `ftype` field of the FP data-processing groups: 0 s, 1 d, 3 h. */
export const widthFtype = (field = 'ftype', allowH = true): ArrSpec =>
  [{ name: 's', fields: { [field]: 0 } }, { name: 'd', fields: { [field]: 1 } }, ...(allowH ? [{ name: 'h', fields: { [field]: 3 } }] : [])];

// ---- vector elements -------------------------------------------------------------------------------

/** How an element index is stored: read returns {T, index} or undefined (unallocated); write sets fields. */
export interface ElemCodec {
  read(f: Fields): { T: string; index: number } | undefined;
  write(f: Fields, T: string, index: number): boolean;
}

const ELEM_T = ['b', 'h', 's', 'd'];
export const lowestSetBit = (v: number): number => { for (let i = 0; i < 5; i++) if (v & (1 << i)) return i; return -1; };

/** The imm5 encoding of DUP/INS/UMOV/SMOV: size = lowest set bit, index = the bits above it. */
export function imm5Codec(field = 'imm5', allowed: number[] = [0, 1, 2, 3]): ElemCodec {
  return {
    read: f => {
      const s = lowestSetBit(f[field]);
      if (s < 0 || s > 3 || !allowed.includes(s)) return undefined;
      return { T: ELEM_T[s], index: f[field] >> (s + 1) };
    },
    write: (f, T, index) => {
      const s = ELEM_T.indexOf(T);
      if (s < 0 || !allowed.includes(s)) return false;
      if (index < 0 || index >= 16 >> s) throw new OperandError(`element index ${index} out of range [0, ${(16 >> s) - 1}]`);
      const v = ((index << 1) | 1) << s;
      if (f[field] !== undefined && f[field] !== v) {
        // The size was already chosen by an earlier operand (e.g. the INS destination).
        if (lowestSetBit(f[field]) !== s) return false;
      }
      f[field] = v;
      return true;
    },
  };
}

/** The imm4 source index of INS (element), whose size comes from imm5 (parsed first). */
export function imm4Codec(sizeFrom = 'imm5', field = 'imm4'): ElemCodec {
  return {
    read: f => {
      const s = lowestSetBit(f[sizeFrom]);
      if (s < 0 || s > 3) return undefined;
      return { T: ELEM_T[s], index: f[field] >> s };
    },
    write: (f, T, index) => {
      const s = lowestSetBit(f[sizeFrom]);
      if (ELEM_T.indexOf(T) !== s) return false;
      if (index < 0 || index >= 16 >> s) throw new OperandError(`element index ${index} out of range [0, ${(16 >> s) - 1}]`);
      f[field] = index << s;
      return true;
    },
  };
}

/**
 * The by-element index of the "vector x indexed element" group: h uses H:L:M (register 0-15),
 * s uses H:L, d uses H (L must be 0). `sizeOf(f)` gives 1 (h), 2 (s) or 3 (d); `T` names it.
 */
export function hlmCodec(sizeOf: (f: Fields) => number, setSize: (f: Fields, s: number) => boolean, mField = 'M'): ElemCodec {
  return {
    read: f => {
      const s = sizeOf(f);
      if (s === 1) return { T: 'h', index: (f.H << 2) | (f.L << 1) | f[mField] };
      if (s === 2) return { T: 's', index: (f.H << 1) | f.L };
      if (s === 3) return f.L === 0 ? { T: 'd', index: f.H } : undefined;
      return undefined;
    },
    write: (f, T, index) => {
      const s = ELEM_T.indexOf(T);
      if (s < 1 || !setSize(f, s)) return false;
      const max = s === 1 ? 7 : s === 2 ? 3 : 1;
      if (index < 0 || index > max) throw new OperandError(`element index ${index} out of range [0, ${max}]`);
      if (s === 1) { f.H = index >> 2; f.L = (index >> 1) & 1; f[mField] = index & 1; }
      else if (s === 2) { f.H = index >> 1; f.L = index & 1; }
      else { f.H = index; f.L = 0; }
      return true;
    },
  };
}

/** A fixed element type with the index in one field. */
export function fieldCodec(T: string, field: string | null, max: number): ElemCodec {
  return {
    read: f => ({ T, index: field === null ? 0 : f[field] }),
    write: (f, t, index) => {
      if (t !== T) return false;
      if (index < 0 || index > max) throw new OperandError(`element index ${index} out of range [0, ${max}]`);
      if (field !== null) f[field] = index; else if (index !== 0) return false;
      return true;
    },
  };
}

const ELEM_RE = /^v(\d{1,2})\.(\d?[bhsd])\s*\[\s*([^\]]+)\s*\]$/i;

function evalIndex(s: string, ctx: EncodeContext): number {
  const v = Number(ctx.evaluate(s.trim()));
  if (!Number.isInteger(v)) throw new OperandError('bad element index');
  return v;
}

/**
 * `v<n>.<T>[<index>]`. `regMax` limits the register number (15 for the h by-element forms, where
 * the field holding it is 4 bits); `tPrefix` is printed before T (`4b` in sdot's `v2.4b[1]`).
 */
export function velem(field: string, codec: ElemCodec, opts: { tPrefix?: string } = {}): Operand {
  const pre = opts.tPrefix ?? '';
  return {
    syntax: `<V${field.replace(/^R/, '').toLowerCase()}>.<T>[<index>]`,
    format: f => {
      const e = codec.read(f);
      return e ? `v${f[field]}.${pre}${e.T}[${e.index}]` : '?';
    },
    parse: (text, f, ctx) => {
      const m = ELEM_RE.exec(text.trim());
      if (!m) return false;
      const n = parseVNum(m[1]);
      if (n === undefined) return false;
      let t = m[2].toLowerCase();
      if (pre) { if (!t.startsWith(pre)) return false; t = t.slice(pre.length); } else if (/^\d/.test(t)) return false;
      if (!codec.write(f, t, evalIndex(m[3], ctx))) return false;
      if (f[field] !== undefined && f[field] !== n) return false;
      f[field] = n;
      return true;
    },
  };
}

/** A vector element register whose number lives in a 4-bit field plus an extra high bit (by-element Rm). */
export function velemSplit(lowField: string, highField: string, codec: ElemCodec, highUsed: (f: Fields) => boolean): Operand {
  return {
    syntax: '<Vm>.<Ts>[<index>]',
    format: f => {
      const e = codec.read(f);
      const n = highUsed(f) ? (f[highField] << 4) | f[lowField] : f[lowField];
      return e ? `v${n}.${e.T}[${e.index}]` : '?';
    },
    parse: (text, f, ctx) => {
      const m = ELEM_RE.exec(text.trim());
      if (!m) return false;
      const n = parseVNum(m[1]);
      if (n === undefined) return false;
      const t = m[2].toLowerCase();
      if (/^\d/.test(t)) return false;
      if (!codec.write(f, t, evalIndex(m[3], ctx))) return false;
      if (highUsed(f)) { f[highField] = n >> 4; f[lowField] = n & 15; }
      else {
        if (n > 15) throw new OperandError(`register v${n} out of range: only v0-v15 are allowed with .h elements`);
        f[lowField] = n;
      }
      return true;
    },
  };
}

// ---- register lists --------------------------------------------------------------------------------

/** Splits `{a, b, c}` or `{a-b}` into register numbers and a common suffix (`.16b`); undefined if not a list. */
function parseList(text: string): { regs: number[]; suffix: string; rest: string } | undefined {
  const t = text.trim();
  const m = /^\{([^}]*)\}\s*(.*)$/s.exec(t);
  if (!m) return undefined;
  const inner = m[1].trim();
  const regs: number[] = [];
  let suffix: string | undefined;
  const take = (s: string): number | undefined => {
    const r = /^v(\d{1,2})\.(\d{0,2}[bhsdq])$/i.exec(s.trim());
    if (!r) return undefined;
    const n = parseVNum(r[1]);
    const sfx = r[2].toLowerCase();
    if (n === undefined || (suffix !== undefined && suffix !== sfx)) return undefined;
    suffix = sfx;
    return n;
  };
  const range = /^(.*?)\s*-\s*(.*)$/.exec(inner);
  if (range && !inner.includes(',')) {
    const a = take(range[1]), b = take(range[2]);
    if (a === undefined || b === undefined) return undefined;
    const count = ((b - a + 32) % 32) + 1;
    for (let i = 0; i < count; i++) regs.push((a + i) % 32);
  } else {
    for (const part of inner.split(',')) {
      const n = take(part);
      if (n === undefined) return undefined;
      regs.push(n);
    }
  }
  if (suffix === undefined || regs.length === 0) return undefined;
  return { regs, suffix, rest: m[2].trim() };
}

function formatList(first: number, count: number, suffix: string): string {
  if (count > 2 && first + count - 1 <= 31) return `{v${first}.${suffix}-v${first + count - 1}.${suffix}}`;
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`v${(first + i) % 32}.${suffix}`);
  return `{${parts.join(', ')}}`;
}

function checkConsecutive(regs: number[]): void {
  for (let i = 1; i < regs.length; i++) {
    if (regs[i] !== (regs[0] + i) % 32) throw new OperandError('registers in a list must be consecutive');
  }
}

/** `{v<t>.<T>, ...}`: `count` consecutive registers starting at field (count fixed or from fields). */
export function vlist(field: string, count: number | ((f: Fields) => number), arr: ArrSpec,
  setCount?: (f: Fields, n: number) => boolean): Operand {
  const cnt = (f: Fields): number => (typeof count === 'number' ? count : count(f));
  return {
    syntax: `{<Vt>.<T>${typeof count === 'number' && count === 1 ? '' : ', ...'}}`,
    format: f => formatList(f[field], cnt(f), arrName(arr, f) ?? '?'),
    parse: (text, f) => {
      const l = parseList(text);
      if (!l || l.rest !== '') return false;
      if (typeof count === 'number') { if (l.regs.length !== count) return false; }
      else if (!setCount || !setCount(f, l.regs.length)) return false;
      checkConsecutive(l.regs);
      if (!bindArr(arr, f, l.suffix)) return false;
      f[field] = l.regs[0];
      return true;
    },
  };
}

/** `{v<t>.<T>, ...}[<index>]`: single-structure load/store lane lists. */
export function vlistElem(field: string, count: number, codec: ElemCodec): Operand {
  return {
    syntax: `{<Vt>.<T>${count === 1 ? '' : ', ...'}}[<index>]`,
    format: f => {
      const e = codec.read(f);
      return e ? `${formatList(f[field], count, e.T)}[${e.index}]` : '?';
    },
    parse: (text, f, ctx) => {
      const l = parseList(text);
      if (!l || l.regs.length !== count) return false;
      const m = /^\[\s*([^\]]+)\s*\]$/.exec(l.rest);
      if (!m || /^\d/.test(l.suffix)) return false;
      checkConsecutive(l.regs);
      if (!codec.write(f, l.suffix, evalIndex(m[1], ctx))) return false;
      f[field] = l.regs[0];
      return true;
    },
  };
}

// ---- floating-point immediates ----------------------------------------------------------------------

/** The value of an 8-bit FP immediate (VFPExpandImm): ±(16+m)/16 * 2^(e), e in [-3, 4]. */
export function fpImm8Value(imm8: number): number {
  const sign = imm8 >> 7, b = (imm8 >> 6) & 1, c = (imm8 >> 4) & 3, m = imm8 & 15;
  // Exponent bits NOT(b):b...b:c -> unbiased exponent c + 1 (b = 0) or c - 3 (b = 1).
  const e = b ? c - 3 : c + 1;
  const v = (16 + m) / 16 * 2 ** e;
  return sign ? -v : v;
}

/** imm8 for a value, or -1 if not representable. */
export function fpImm8Encode(v: number): number {
  for (let i = 0; i < 256; i++) if (Object.is(fpImm8Value(i), v)) return i;
  return -1;
}

/** objdump prints FP immediates with printf's %.18e. */
export function formatFpE18(v: number): string {
  const s = v.toExponential(18);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s)!;
  return `${m[1]}e${m[2]}${m[3].padStart(2, '0')}`;
}

/** Parses an FP literal the way GNU as does for fmov: decimal/float syntax, optional '#'. */
export function parseFpLiteral(text: string): number | undefined {
  const t = immText(text);
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/.test(t)) return undefined;
  return Number(t);
}

/** An 8-bit FP immediate in `field` (fmov scalar/vector). */
export function fpImm(field: string): Operand {
  return {
    syntax: '#<fpimm>',
    format: f => '#' + formatFpE18(fpImm8Value(f[field])),
    parse: (text, f) => {
      if (!looksImm(text)) return false;
      const v = parseFpLiteral(text);
      if (v === undefined) {
        // GNU as also takes the raw IEEE encoding as an integer (e.g. #0x70) for fmov; not needed here.
        return false;
      }
      const e = fpImm8Encode(v);
      if (e < 0) throw new OperandError(`floating-point immediate ${immText(text)} cannot be encoded in 8 bits`);
      f[field] = e;
      return true;
    },
  };
}

/** `#0.0` of the FP compare-with-zero forms (GNU as also accepts `#0`). */
export function fpZero(): Operand {
  return {
    syntax: '#0.0',
    format: () => '#0.0',
    parse: text => {
      const t = immText(text);
      return /^0(\.0*)?([eE][+-]?\d+)?$/.test(t);
    },
  };
}

/** `#0` of the integer compare-with-zero forms. */
export function intZero(): Operand {
  return {
    syntax: '#0',
    format: () => '#0',
    parse: text => /^#?\s*0+$/.test(text.trim()),
  };
}

/** An immediate printed as `#<value>` computed from fields, parsed back through `set`. */
export function computedImm(syntax: string, get: (f: Fields) => number, set: (f: Fields, v: number) => boolean,
  opts: { hex?: boolean; check?: (v: number, f: Fields) => string | undefined } = {}): Operand {
  return {
    syntax,
    format: f => { const v = get(f); return '#' + (opts.hex ? '0x' + v.toString(16) : String(v)); },
    parse: (text, f, ctx) => {
      if (!looksImm(text)) return false;
      const t = immText(text);
      if (t === '') return false;
      const v = Number(ctx.evaluate(t));
      const err = opts.check?.(v, f);
      if (err) throw new OperandError(err);
      return set(f, v);
    },
  };
}

// ---- conditions with objdump's comment -------------------------------------------------------------

/** objdump's comment for a condition that has SVE alternative names (`// eq = none`). */
const COND_COMMENT: Record<number, string> = {
  0: 'eq = none', 1: 'ne = any', 2: 'cs = hs, nlast', 3: 'cc = lo, ul, last', 4: 'mi = first', 5: 'pl = nfrst',
  8: 'hi = pmore', 9: 'ls = plast', 10: 'ge = tcont', 11: 'lt = tstop',
};
/** A condition operand that also produces objdump's alternative-name comment. */
export function condWithComment(base: Operand, field: string): Operand {
  return { ...base, comment: f => COND_COMMENT[f[field]] ?? null };
}
