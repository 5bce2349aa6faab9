// Integer expressions as GNU as reads them: parsing into a small tree and evaluating it with
// section-relative values (so `b - a` of two labels is a constant) in 64-bit two's complement.
//
// Operator ranks follow GNU as (highest first): unary - ~ ! +; * / % << >>; | & ^ ! (binary !
// is "or not"); + -; == != <> < <= > >= (true is -1); &&; ||. Shifts right are logical.

import { Ch, isDigit, isSpace, isSymChar, isSymStart } from './lex';

export class ExprError extends Error {
  /** `offset` is the 0-based offset inside the text that was parsed. */
  constructor(message: string, public offset: number) { super(message); this.name = 'ExprError'; }
}

export type Node =
  | { k: 'num'; v: bigint }
  | { k: 'sym'; name: string; at: number }
  | { k: 'dot'; at: number }
  | { k: 'local'; n: number; fwd: boolean; at: number }
  | { k: 'un'; op: string; a: Node; at: number }
  | { k: 'bin'; op: string; a: Node; b: Node; at: number }
  | { k: 'reloc'; op: string; a: Node; at: number };

/** Relocation operators a static link resolves; see `applyReloc`. */
const RELOCS = new Set([
  'lo12', 'pg_hi21', 'pg_hi21_nc',
  'abs_g0', 'abs_g0_nc', 'abs_g0_s', 'abs_g1', 'abs_g1_nc', 'abs_g1_s', 'abs_g2', 'abs_g2_nc', 'abs_g2_s', 'abs_g3',
  'prel_g0', 'prel_g0_nc', 'prel_g1', 'prel_g1_nc', 'prel_g2', 'prel_g2_nc', 'prel_g3',
]);
const UNSUPPORTED_RELOCS = new Set([
  'got', 'got_lo12', 'gotpage_lo15', 'gotoff_lo15', 'gotoff_g0_nc', 'gotoff_g1', 'ld64_gotpage_lo15',
  'tlsgd', 'tlsgd_lo12', 'tlsdesc', 'tlsdesc_lo12', 'tlsldm', 'tlsldm_lo12_nc', 'gottprel', 'gottprel_lo12',
  'gottprel_g0_nc', 'gottprel_g1', 'tprel_g0', 'tprel_g0_nc', 'tprel_g1', 'tprel_g1_nc', 'tprel_g2',
  'tprel_hi12', 'tprel_lo12', 'tprel_lo12_nc', 'dtprel_g0', 'dtprel_g0_nc', 'dtprel_g1', 'dtprel_g1_nc',
  'dtprel_g2', 'dtprel_hi12', 'dtprel_lo12', 'dtprel_lo12_nc',
]);

// Binary operator ranks (GNU as expr.c).
function rankOf(op: string): number {
  switch (op) {
    case '*': case '/': case '%': case '<<': case '>>': return 8;
    case '|': case '&': case '^': case '!': return 7;
    case '+': case '-': return 5;
    case '==': case '!=': case '<>': case '<': case '<=': case '>': case '>=': return 4;
    case '&&': return 3;
    case '||': return 2;
  }
  return 0;
}

/** Reads a binary operator at i; returns it or '' (does not consume). */
function peekOp(s: string, i: number, end: number): string {
  if (i >= end) return '';
  const c = s[i];
  const d = i + 1 < end ? s[i + 1] : '';
  switch (c) {
    case '*': case '/': case '%': case '^': case '+': case '-': return c;
    case '<': return d === '<' ? '<<' : d === '=' ? '<=' : d === '>' ? '<>' : '<';
    case '>': return d === '>' ? '>>' : d === '=' ? '>=' : '>';
    case '=': return d === '=' ? '==' : '';
    case '!': return d === '=' ? '!=' : '!';
    case '&': return d === '&' ? '&&' : '&';
    case '|': return d === '|' ? '||' : '|';
  }
  return '';
}

export class Parser {
  i: number;
  constructor(public s: string, start: number, public end: number) { this.i = start; }

  private ws(): void { while (this.i < this.end && isSpace(this.s.charCodeAt(this.i))) this.i++; }

  /** Parses a full expression (possibly with a leading relocation operator). */
  parseTop(): Node {
    this.ws();
    const s = this.s;
    if (this.i < this.end && s.charCodeAt(this.i) === Ch.COLON) {
      const at = this.i;
      const close = s.indexOf(':', at + 1);
      const name = close > 0 && close < this.end ? s.slice(at + 1, close).toLowerCase() : '';
      if (!/^[a-z0-9_]+$/.test(name)) throw new ExprError('bad relocation operator', at);
      if (UNSUPPORTED_RELOCS.has(name)) throw new ExprError(`relocation operator ':${name}:' is not supported (no GOT or TLS in a static image)`, at);
      if (!RELOCS.has(name)) throw new ExprError(`unknown relocation operator ':${name}:'`, at);
      this.i = close + 1;
      return { k: 'reloc', op: name, a: this.parseBinary(1), at };
    }
    return this.parseBinary(1);
  }

  parseBinary(minRank: number): Node {
    let left = this.parseUnary();
    for (;;) {
      this.ws();
      const op = peekOp(this.s, this.i, this.end);
      if (!op) return left;
      const r = rankOf(op);
      if (r < minRank) return left;
      const at = this.i;
      this.i += op.length;
      const right = this.parseBinary(r + 1);
      left = { k: 'bin', op, a: left, b: right, at };
    }
  }

  parseUnary(): Node {
    this.ws();
    const s = this.s;
    if (this.i >= this.end) throw new ExprError('missing operand', this.i);
    const c = s.charCodeAt(this.i);
    const at = this.i;
    if (c === 45 /* - */ || c === 126 /* ~ */ || c === Ch.BANG || c === 43 /* + */) {
      this.i++;
      const a = this.parseUnary();
      if (c === 43) return a;
      if (a.k === 'num') return { k: 'num', v: foldUnary(String.fromCharCode(c), a.v) };
      return { k: 'un', op: String.fromCharCode(c), a, at };
    }
    if (c === Ch.LPAREN) {
      this.i++;
      const e = this.parseBinary(1);
      this.ws();
      if (this.i >= this.end || s.charCodeAt(this.i) !== Ch.RPAREN) throw new ExprError("missing ')'", this.i);
      this.i++;
      return e;
    }
    if (isDigit(c)) return this.parseNumber();
    if (c === Ch.SQUOTE) return this.parseChar();
    if (c === Ch.DOT && !(this.i + 1 < this.end && isSymChar(s.charCodeAt(this.i + 1)))) { this.i++; return { k: 'dot', at }; }
    if (isSymStart(c)) {
      let j = this.i + 1;
      while (j < this.end && isSymChar(s.charCodeAt(j))) j++;
      const name = s.slice(this.i, j);
      this.i = j;
      return { k: 'sym', name, at };
    }
    if (c === Ch.DQUOTE) {
      // "quoted symbol name"
      const close = s.indexOf('"', this.i + 1);
      if (close < 0 || close >= this.end) throw new ExprError('unterminated quoted symbol name', this.i);
      const name = s.slice(this.i + 1, close);
      this.i = close + 1;
      return { k: 'sym', name, at };
    }
    throw new ExprError(`bad expression: unexpected '${s[this.i]}'`, this.i);
  }

  private parseChar(): Node {
    const s = this.s;
    const at = this.i;
    let j = this.i + 1;
    if (j >= this.end) throw new ExprError('missing character after quote', at);
    let v: number;
    if (s[j] === '\\') {
      const e = s[j + 1];
      j += 2;
      const simple: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, a: 7, '\\': 92, '\'': 39, '"': 34 };
      if (e === undefined) throw new ExprError('missing character after backslash', at);
      if (e in simple) v = simple[e];
      else if (e === 'x' || e === 'X') {
        v = 0; let k = 0;
        while (j < this.end && /[0-9a-fA-F]/.test(s[j])) { v = (v * 16 + parseInt(s[j], 16)) & 0xff; j++; k++; }
        if (!k) throw new ExprError('\\x used with no following hex digits', at);
      } else if (e >= '0' && e <= '7') {
        v = e.charCodeAt(0) - 48; let k = 1;
        while (k < 3 && j < this.end && s[j] >= '0' && s[j] <= '7') { v = v * 8 + s.charCodeAt(j) - 48; j++; k++; }
        v &= 0xff;
      } else v = e.charCodeAt(0);
    } else {
      v = s.codePointAt(j)!;
      j += v > 0xffff ? 2 : 1;
    }
    if (j < this.end && s[j] === '\'') j++;
    this.i = j;
    return { k: 'num', v: BigInt(v) };
  }

  private parseNumber(): Node {
    const s = this.s;
    const at = this.i;
    let j = this.i;
    while (j < this.end && isSymChar(s.charCodeAt(j))) j++;
    const tok = s.slice(this.i, j);
    // Local label references: 1b, 23f
    const m = /^(\d+)([bf])$/i.exec(tok);
    if (m && !/^0b[01]+$/i.test(tok)) {
      this.i = j;
      return { k: 'local', n: Number(m[1]), fwd: m[2].toLowerCase() === 'f', at };
    }
    let v: bigint;
    if (/^0[xX][0-9a-fA-F]+$/.test(tok)) v = BigInt(tok);
    else if (/^0[bB][01]+$/.test(tok)) v = BigInt(tok);
    else if (/^0[0-7]*$/.test(tok)) v = tok.length > 1 ? BigInt('0o' + tok.slice(1)) : 0n;
    else if (/^[1-9]\d*$/.test(tok)) v = BigInt(tok);
    else throw new ExprError(`bad number '${tok}'`, at);
    if (v >= 1n << 64n) throw new ExprError(`number '${tok}' does not fit in 64 bits`, at);
    this.i = j;
    return { k: 'num', v: BigInt.asIntN(64, v) };
  }
}

function foldUnary(op: string, v: bigint): bigint {
  switch (op) {
    case '-': return BigInt.asIntN(64, -v);
    case '~': return BigInt.asIntN(64, ~v);
    case '!': return v === 0n ? 1n : 0n;
  }
  return v;
}

/**
 * Parses `s[start, end)` as one whole expression. Throws ExprError (offsets relative to `s`) for
 * malformed input or trailing junk.
 */
export function parseExpr(s: string, start = 0, end = s.length): Node {
  const p = new Parser(s, start, end);
  const n = p.parseTop();
  let i = p.i;
  while (i < end && isSpace(s.charCodeAt(i))) i++;
  if (i < end) {
    if (s[i] === ')') throw new ExprError("unbalanced ')'", i);
    throw new ExprError(`junk at end of expression: '${s.slice(i, end)}'`, i);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Section index of an absolute value. */
export const ABS = -1;
/** Section index of a value computed from final addresses (known, but not an assembly-time constant). */
export const LINKED = -2;

/** A value: `v` is the offset from the start of section `sec`, or the value itself for ABS/LINKED. */
export interface Value { sec: number; v: bigint }

export class UndefinedSymbol extends ExprError {
  constructor(public symbol: string, offset: number) { super(`undefined symbol '${symbol}'`, offset); this.name = 'UndefinedSymbol'; }
}

export interface EvalEnv {
  /** Location counter. */
  dot(): Value;
  /** A symbol's value; throws UndefinedSymbol (or returns a placeholder in a non-final pass). */
  symbol(name: string, at: number): Value;
  /** A numeric local label reference (`1b`, `1f`). */
  local(n: number, fwd: boolean, at: number): Value;
  /** Address of a section. */
  base(sec: number): bigint;
  /** Whether range checks of relocation operators apply. */
  final: boolean;
}

function absolute(x: Value, env: EvalEnv): bigint {
  return x.sec >= 0 ? BigInt.asIntN(64, env.base(x.sec) + x.v) : x.v;
}
function kind(a: Value, b: Value): number {
  return a.sec === LINKED || b.sec === LINKED || a.sec >= 0 || b.sec >= 0 ? LINKED : ABS;
}

/** Evaluates a tree. Section-relative values survive `rel ± abs` and `rel - rel` (same section). */
export function evaluate(n: Node, env: EvalEnv): Value {
  switch (n.k) {
    case 'num': return { sec: ABS, v: n.v };
    case 'sym': return env.symbol(n.name, n.at);
    case 'dot': return env.dot();
    case 'local': return env.local(n.n, n.fwd, n.at);
    case 'un': {
      const a = evaluate(n.a, env);
      const v = absolute(a, env);
      return { sec: a.sec === ABS ? ABS : LINKED, v: foldUnary(n.op, v) };
    }
    case 'reloc': {
      const a = evaluate(n.a, env);
      return { sec: ABS, v: applyReloc(n.op, absolute(a, env), env, n.at) };
    }
    case 'bin': {
      const a = evaluate(n.a, env);
      const b = evaluate(n.b, env);
      if (n.op === '+') {
        if (a.sec >= 0 && b.sec === ABS) return { sec: a.sec, v: BigInt.asIntN(64, a.v + b.v) };
        if (b.sec >= 0 && a.sec === ABS) return { sec: b.sec, v: BigInt.asIntN(64, a.v + b.v) };
      } else if (n.op === '-') {
        if (a.sec >= 0 && b.sec === ABS) return { sec: a.sec, v: BigInt.asIntN(64, a.v - b.v) };
        if (a.sec >= 0 && a.sec === b.sec) return { sec: ABS, v: BigInt.asIntN(64, a.v - b.v) };
      }
      const x = absolute(a, env);
      const y = absolute(b, env);
      return { sec: kind(a, b), v: binop(n.op, x, y, n.at) };
    }
  }
}

function binop(op: string, x: bigint, y: bigint, at: number): bigint {
  let r: bigint;
  switch (op) {
    case '+': r = x + y; break;
    case '-': r = x - y; break;
    case '*': r = x * y; break;
    case '/': if (y === 0n) throw new ExprError('division by zero', at); r = x / y; break;
    case '%': if (y === 0n) throw new ExprError('division by zero', at); r = x % y; break;
    case '<<': r = y < 0n || y >= 64n ? 0n : x << y; break;
    case '>>': r = y < 0n || y >= 64n ? 0n : BigInt.asUintN(64, x) >> y; break;
    case '|': r = x | y; break;
    case '&': r = x & y; break;
    case '^': r = x ^ y; break;
    case '!': r = x | ~y; break;
    case '==': r = x === y ? -1n : 0n; break;
    case '!=': case '<>': r = x !== y ? -1n : 0n; break;
    case '<': r = x < y ? -1n : 0n; break;
    case '<=': r = x <= y ? -1n : 0n; break;
    case '>': r = x > y ? -1n : 0n; break;
    case '>=': r = x >= y ? -1n : 0n; break;
    case '&&': r = x !== 0n && y !== 0n ? 1n : 0n; break;
    case '||': r = x !== 0n || y !== 0n ? 1n : 0n; break;
    default: throw new ExprError(`unknown operator '${op}'`, at);
  }
  return BigInt.asIntN(64, r);
}

/**
 * Resolves a relocation operator for a static image: `:lo12:` keeps bits 11:0, `:abs_gN:` /
 * `:abs_gN_nc:` give bits [16N+15:16N] (the checked forms require the value to fit in 16(N+1)
 * bits unsigned), `:abs_gN_s:` gives the value shifted right by 16N (arithmetically; signed
 * 16(N+1)-bit range check) so the encoder can pick MOVZ or MOVN, `:pg_hi21:` is the address itself
 * (ADRP computes the page difference). `:prel_gN:` forms are like abs but relative to the
 * instruction (`.`).
 */
function applyReloc(op: string, v: bigint, env: EvalEnv, at: number): bigint {
  if (op === 'lo12') return v & 0xfffn;
  if (op === 'pg_hi21' || op === 'pg_hi21_nc') return v;
  const m = /^(abs|prel)_g([0-3])(_nc|_s)?$/.exec(op)!;
  let x = v;
  if (m[1] === 'prel') { const d = env.dot(); x = BigInt.asIntN(64, v - absolute(d, env)); }
  const n = Number(m[2]);
  const shift = BigInt(16 * n);
  const bits = BigInt(16 * (n + 1));
  const signed = m[3] === '_s' || m[1] === 'prel';
  if (signed) {
    if (m[3] !== '_nc' && env.final && n < 3 && (x < -(1n << bits) || x >= (1n << bits))) {
      throw new ExprError(`value ${x} out of range for ':${op}:' (signed ${bits + 1n}-bit)`, at);
    }
    return m[3] === '_nc' ? (x >> shift) & 0xffffn : x >> shift;
  }
  if (m[3] !== '_nc' && env.final && n < 3 && (x < 0n || x >= (1n << bits))) {
    throw new ExprError(`value 0x${BigInt.asUintN(64, x).toString(16)} out of range for ':${op}:' (unsigned ${bits}-bit)`, at);
  }
  return (BigInt.asUintN(64, x) >> shift) & 0xffffn;
}

/** Whether the tree has no symbols, numeric labels or `.`. */
export function isConstant(n: Node): boolean {
  switch (n.k) {
    case 'num': return true;
    case 'un': return isConstant(n.a);
    case 'bin': return isConstant(n.a) && isConstant(n.b);
    default: return false;
  }
}

/** Evaluates a tree known to be constant. */
export function constValue(n: Node): bigint {
  return evaluate(n, NO_ENV).v;
}
const NO_ENV: EvalEnv = {
  dot() { throw new Error('not constant'); },
  symbol() { throw new Error('not constant'); },
  local() { throw new Error('not constant'); },
  base() { return 0n; },
  final: true,
};
