// The C preprocessor subset run on `.S` files before assembly (as `gcc -x assembler-with-cpp`
// would): `\` line splicing, C comments, #include, #define (object-like and function-like, with
// `#` stringizing, `##` pasting, variadic arguments), #undef, #if/#ifdef/#ifndef/#elif/#else/
// #endif with defined() and integer expressions, #error/#warning, __LINE__/__FILE__/__COUNTER__.
//
// Output is a list of SrcLines, each naming the file and line it came from, so errors and the line
// map point into the original files. As in assembler-with-cpp mode, `#` followed by something
// that is not a directive is passed through (the assembler treats it as a comment), and `#` in a
// function-like macro body only stringizes when a parameter follows it.

import { AsmError, type SourcePos } from './types';
import { LineBuilder, splitLines, type SrcLine } from './source';
import { stripComments, type CommentState } from './lex';

export type IncludeReader = (path: string, fromFile: string) => string | { file: string; text: string } | undefined;

export interface CppOptions {
  readInclude?: IncludeReader;
  defines?: Record<string, string>;
  /** Receives every error; may throw to stop at the first one. */
  error(e: AsmError): void;
  warning(message: string, pos: SourcePos): void;
  maxIncludeDepth?: number;
}

/** Macros every `.S` file sees (as gcc targeting aarch64-linux-gnu with +memtag defines them). */
export const PREDEFINED: Record<string, string> = {
  __ASSEMBLER__: '1', __aarch64__: '1', __AARCH64EL__: '1', __ELF__: '1', __linux__: '1',
  __gnu_linux__: '1', __LP64__: '1', _LP64: '1', __ARM_ARCH: '8', __ARM_64BIT_STATE: '1',
  __ARM_FEATURE_MEMORY_TAGGING: '1', __CHAR_BIT__: '8', __SIZEOF_POINTER__: '8', __SIZEOF_LONG__: '8',
};

type TokKind = 'id' | 'num' | 'str' | 'chr' | 'ws' | 'punct' | 'pm';
interface Tok {
  k: TokKind;
  s: string;
  /** Offset in the logical line the token's text (or the text it replaced) is attributed to. */
  src: number;
  /** True when the token is the source text itself; false when produced by substitution. */
  lit: boolean;
  hide?: Set<string>;
}

interface Macro {
  name: string;
  params: string[] | null;
  variadic: boolean;
  body: Tok[];
  text: string;
}

class CppFail extends Error {
  constructor(message: string, public offset: number) { super(message); }
}

const ID_START = /[A-Za-z_$]/;
const ID_CHAR = /[A-Za-z0-9_$]/;

function tokenize(s: string, base = 0, lit = true): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s[i];
    const start = i;
    let k: TokKind;
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      while (i < n && (s[i] === ' ' || s[i] === '\t' || s[i] === '\f' || s[i] === '\v')) i++;
      k = 'ws';
    } else if (ID_START.test(c)) {
      i++;
      while (i < n && ID_CHAR.test(s[i])) i++;
      k = 'id';
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      i++;
      while (i < n) {
        if ((s[i] === '+' || s[i] === '-') && /[eEpP]/.test(s[i - 1])) i++;
        else if (/[A-Za-z0-9_.$]/.test(s[i])) i++;
        else break;
      }
      k = 'num';
    } else if (c === '"') {
      i++;
      while (i < n && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
      i = Math.min(n, i + 1);
      k = 'str';
    } else if (c === '\'') {
      // A character constant only when it closes nearby; a lone quote is ordinary text in assembly.
      let j = i + 1;
      if (s[j] === '\\') { j += 2; while (j < n && j < i + 6 && s[j] !== '\'') j++; } else j++;
      if (j < n && s[j] === '\'') { i = j + 1; k = 'chr'; } else { i++; k = 'punct'; }
    } else if (c === '#' && s[i + 1] === '#') { i += 2; k = 'punct'; }
    else { i++; k = 'punct'; }
    out.push({ k, s: s.slice(start, i), src: base + start, lit });
  }
  return out;
}

function isWs(t: Tok | undefined): boolean { return t !== undefined && t.k === 'ws'; }

/** A logical line: physical lines joined by `\` continuations. */
interface Logical {
  text: string;
  /** [offset in text, physical line, column of that offset] per physical piece. */
  pieces: number[];
}

export function preprocess(file: string, text: string, opts: CppOptions): SrcLine[] {
  return new Cpp(opts).run(file, text);
}

class Cpp {
  macros = new Map<string, Macro>();
  out: SrcLine[] = [];
  counter = 0;
  depth = 0;
  constructor(private opts: CppOptions) {
    for (const [k, v] of Object.entries(PREDEFINED)) this.define(k, null, false, v);
    for (const [k, v] of Object.entries(opts.defines ?? {})) {
      const m = /^([A-Za-z_$][\w$]*)(?:\(([^)]*)\))?$/.exec(k);
      if (!m) { this.opts.error(new AsmError(`bad macro name '${k}' in defines`)); continue; }
      const params = m[2] !== undefined ? m[2].split(',').map(p => p.trim()).filter(p => p) : null;
      this.define(m[1], params, false, v);
    }
  }

  private define(name: string, params: string[] | null, variadic: boolean, body: string, base = 0): void {
    const toks = tokenize(body.trim(), base);
    // collapse whitespace runs to one space (they only matter as separators)
    for (const t of toks) if (t.k === 'ws') t.s = ' ';
    this.macros.set(name, { name, params, variadic, body: toks, text: body.trim() });
  }

  run(file: string, text: string): SrcLine[] {
    this.file(file, text);
    return this.out;
  }

  private posIn(file: string, lg: Logical, offset: number): SourcePos {
    const p = lg.pieces;
    let i = 0;
    for (let k = 0; k < p.length; k += 3) { if (p[k] <= offset) i = k; else break; }
    return { file, line: p[i + 1], column: p[i + 2] + (offset - p[i]) };
  }

  private file(file: string, text: string): void {
    const phys = splitLines(text);
    const comments: CommentState = { inBlock: false };
    interface Cond { active: boolean; taken: boolean; sawElse: boolean; parentActive: boolean; pos: SourcePos }
    const conds: Cond[] = [];
    const active = (): boolean => conds.length === 0 || conds[conds.length - 1].active;
    let ln = 0;
    while (ln < phys.length) {
      // Splice continuation lines.
      const first = ln;
      let joined = phys[ln];
      const pieces = [0, ln + 1, 1];
      while (joined.endsWith('\\') && ln + 1 < phys.length) {
        joined = joined.slice(0, -1);
        ln++;
        pieces.push(joined.length, ln + 1, 1);
        joined += phys[ln];
      }
      if (joined.endsWith('\\') && ln + 1 >= phys.length) joined = joined.slice(0, -1);
      ln++;
      const stripped = stripComments(joined, comments, false);
      const lg: Logical = { text: stripped, pieces };
      const at = (off: number): SourcePos => this.posIn(file, lg, off);
      try {
        const m = /^\s*#\s*([A-Za-z_]\w*)?/.exec(stripped);
        if (m) {
          const name = m[1] ?? '';
          const restAt = m[0].length;
          const rest = stripped.slice(restAt);
          const dirCol = stripped.indexOf('#');
          switch (name) {
            case 'if': case 'ifdef': case 'ifndef': {
              let v = false;
              let failed: unknown = null;
              if (active()) {
                try {
                  if (name === 'if') v = this.ifExpr(stripped, restAt, file, first + 1);
                  else {
                    const id = /^\s*([A-Za-z_$][\w$]*)/.exec(rest);
                    if (!id) throw new CppFail(`#${name} with no macro name`, restAt);
                    v = this.macros.has(id[1]) === (name === 'ifdef');
                  }
                } catch (e) { failed = e; }
              }
              // A condition that cannot be evaluated counts as false (its #endif still matches).
              conds.push({ active: active() && v, taken: v, sawElse: false, parentActive: active(), pos: at(dirCol) });
              if (failed) throw failed;
              continue;
            }
            case 'elif': case 'elifdef': case 'elifndef': {
              const c = conds[conds.length - 1];
              if (!c) throw new CppFail(`#${name} without #if`, dirCol);
              if (c.sawElse) throw new CppFail(`#${name} after #else`, dirCol);
              if (c.taken || !c.parentActive) { c.active = false; continue; }
              let v: boolean;
              if (name === 'elif') v = this.ifExpr(stripped, restAt, file, first + 1);
              else {
                const id = /^\s*([A-Za-z_$][\w$]*)/.exec(rest);
                if (!id) throw new CppFail(`#${name} with no macro name`, restAt);
                v = this.macros.has(id[1]) === (name === 'elifdef');
              }
              c.active = v; c.taken = v;
              continue;
            }
            case 'else': {
              const c = conds[conds.length - 1];
              if (!c) throw new CppFail('#else without #if', dirCol);
              if (c.sawElse) throw new CppFail('#else after #else', dirCol);
              c.sawElse = true;
              c.active = c.parentActive && !c.taken;
              c.taken = true;
              continue;
            }
            case 'endif':
              if (!conds.pop()) throw new CppFail('#endif without #if', dirCol);
              continue;
          }
          if (!active()) continue;
          switch (name) {
            case 'define': this.directiveDefine(stripped, restAt, at); continue;
            case 'undef': {
              const id = /^\s*([A-Za-z_$][\w$]*)/.exec(rest);
              if (!id) throw new CppFail('no macro name given in #undef directive', restAt);
              this.macros.delete(id[1]);
              continue;
            }
            case 'include': case 'include_next': this.directiveInclude(lg, restAt, file, first + 1, at); continue;
            case 'error': throw new CppFail(`#error ${rest.trim()}`, dirCol);
            case 'warning': this.opts.warning(`#warning ${rest.trim()}`, at(dirCol)); continue;
            case 'line': case 'pragma': case 'ident': case 'sccs': case 'assert': case 'unassert': case '':
              continue;
            default:
              // Not a directive: assembler text (GNU as reads a leading '#' as a comment).
              break;
          }
        }
        if (!active()) continue;
        this.emit(file, lg, first + 1);
      } catch (e) {
        if (e instanceof CppFail) this.opts.error(new AsmError(e.message, at(e.offset)));
        else throw e;
      }
    }
    for (const c of conds) this.opts.error(new AsmError('unterminated #if', c.pos));
  }

  private directiveDefine(s: string, restAt: number, at: (o: number) => SourcePos): void {
    const m = /^\s*([A-Za-z_$][\w$]*)/.exec(s.slice(restAt));
    if (!m) throw new CppFail('macro names must be identifiers', restAt);
    const name = m[1];
    let i = restAt + m[0].length;
    let params: string[] | null = null;
    let variadic = false;
    if (s[i] === '(') {
      const close = s.indexOf(')', i);
      if (close < 0) throw new CppFail("missing ')' in macro parameter list", i);
      params = [];
      const list = s.slice(i + 1, close).trim();
      if (list) {
        for (const raw of list.split(',')) {
          const p = raw.trim();
          if (p === '...') { params.push('__VA_ARGS__'); variadic = true; continue; }
          const vm = /^([A-Za-z_$][\w$]*)\s*\.\.\.$/.exec(p);
          if (vm) { params.push(vm[1]); variadic = true; continue; }
          if (!/^[A-Za-z_$][\w$]*$/.test(p)) throw new CppFail(`bad macro parameter '${p}'`, i + 1);
          if (variadic) throw new CppFail('the variadic parameter must be last', i + 1);
          params.push(p);
        }
      }
      i = close + 1;
    }
    const body = s.slice(i);
    const old = this.macros.get(name);
    if (old && (old.text !== body.trim() || JSON.stringify(old.params) !== JSON.stringify(params))) {
      this.opts.warning(`'${name}' redefined`, at(restAt));
    }
    this.define(name, params, variadic, body, i);
  }

  private directiveInclude(lg: Logical, restAt: number, file: string, line: number, at: (o: number) => SourcePos): void {
    restAt += lg.text.slice(restAt).length - lg.text.slice(restAt).trimStart().length;
    let rest = lg.text.slice(restAt).trim();
    if (!/^["<]/.test(rest)) rest = this.expandText(lg.text.slice(restAt), file, line).trim();
    const m = /^"([^"]*)"|^<([^>]*)>/.exec(rest);
    if (!m) throw new CppFail('#include expects "FILENAME" or <FILENAME>', restAt);
    const path = m[1] ?? m[2];
    const limit = this.opts.maxIncludeDepth ?? 64;
    if (this.depth >= limit) throw new CppFail(`#include nested too deeply (limit ${limit})`, restAt);
    const got = this.opts.readInclude?.(path, file);
    if (got === undefined) throw new CppFail(`cannot open include file '${path}'`, restAt);
    const inc = typeof got === 'string' ? { file: path, text: got } : got;
    this.depth++;
    try { this.file(inc.file, inc.text); } finally { this.depth--; }
    void at;
  }

  /** Macro-expands an assembly line and appends it to the output. */
  private emit(file: string, lg: Logical, line: number): void {
    const text = lg.text;
    if (!this.mayExpand(text)) {
      if (lg.pieces.length === 3) { if (text.trim()) this.out.push({ text, file, line }); return; }
      const b = new LineBuilder();
      this.appendLiteral(b, lg, text, 0);
      if (text.trim()) this.out.push(b.finish(file, line));
      return;
    }
    const toks = this.expand(tokenize(text), file, line);
    const b = new LineBuilder();
    for (const t of toks) {
      if (t.k === 'pm') continue;
      if (t.lit) this.appendLiteral(b, lg, t.s, t.src);
      else { const p = this.posIn(file, lg, t.src); b.substituted(t.s, p.line, p.column); }
    }
    if (b.text.trim()) this.out.push(b.finish(file, line));
  }

  private appendLiteral(b: LineBuilder, lg: Logical, s: string, src: number): void {
    // split across physical pieces
    const p = lg.pieces;
    let off = 0;
    while (off < s.length) {
      const o = src + off;
      let i = 0;
      for (let k = 0; k < p.length; k += 3) { if (p[k] <= o) i = k; else break; }
      const pieceEnd = i + 3 < p.length ? p[i + 3] : Infinity;
      const len = Math.min(s.length - off, pieceEnd - o);
      b.literal(s.slice(off, off + len), p[i + 1], p[i + 2] + (o - p[i]));
      off += len;
    }
  }

  private mayExpand(text: string): boolean {
    const re = /[A-Za-z_$][\w$]*/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      const id = m[0];
      if (this.macros.has(id) || id === '__LINE__' || id === '__FILE__' || id === '__COUNTER__') return true;
    }
    return false;
  }

  private expandText(s: string, file: string, line: number): string {
    return this.expand(tokenize(s), file, line).filter(t => t.k !== 'pm').map(t => t.s).join('');
  }

  private budget = 0;

  /** Fully macro-expands a token list (rescanning, with hide sets against recursion). */
  private expand(input: Tok[], file: string, line: number): Tok[] {
    this.budget = 0;
    return this.expandList(input, file, line);
  }

  private expandList(input: Tok[], file: string, line: number): Tok[] {
    const out: Tok[] = [];
    // Work list in reverse so that replacements can be pushed for rescanning cheaply.
    const work = input.slice().reverse();
    while (work.length) {
      const t = work.pop()!;
      if (t.k !== 'id') { out.push(t); continue; }
      if (t.s === '__LINE__') { out.push({ k: 'num', s: String(line), src: t.src, lit: false }); continue; }
      if (t.s === '__FILE__') { out.push({ k: 'str', s: JSON.stringify(file), src: t.src, lit: false }); continue; }
      if (t.s === '__COUNTER__') { out.push({ k: 'num', s: String(this.counter++), src: t.src, lit: false }); continue; }
      const m = this.macros.get(t.s);
      if (!m || t.hide?.has(t.s)) { out.push(t); continue; }
      if ((this.budget += m.body.length + 1) > 1_000_000) throw new CppFail(`macro expansion of '${t.s}' is too large`, t.src);
      if (m.params === null) {
        const hide = new Set(t.hide ?? []); hide.add(m.name);
        const repl = this.substitute(m, null, t, hide, file, line);
        for (let i = repl.length - 1; i >= 0; i--) work.push(repl[i]);
        continue;
      }
      // Function-like: needs '(' next (whitespace allowed).
      let j = work.length - 1;
      while (j >= 0 && isWs(work[j])) j--;
      if (j < 0 || work[j].s !== '(') { out.push(t); continue; }
      // Collect arguments.
      work.length = j; // drop whitespace and '('
      const args: Tok[][] = [[]];
      let depth = 0;
      let closed = false;
      while (work.length) {
        const a = work.pop()!;
        if (a.s === '(') depth++;
        else if (a.s === ')') { if (depth === 0) { closed = true; break; } depth--; }
        else if (a.s === ',' && depth === 0 && !(m.variadic && args.length === m.params.length)) { args.push([]); continue; }
        args[args.length - 1].push(a);
      }
      if (!closed) throw new CppFail(`unterminated argument list invoking macro '${m.name}'`, t.src);
      const trimmed = args.map(trimWs);
      const np = m.params.length;
      if (np === 0 && trimmed.length === 1 && trimmed[0].length === 0) trimmed.length = 0;
      if (m.variadic && trimmed.length === np - 1) trimmed.push([]);
      if (trimmed.length !== np) {
        if (!(np === 1 && trimmed.length === 0)) {
          throw new CppFail(`macro '${m.name}' requires ${np} argument${np === 1 ? '' : 's'}, but ${trimmed.length} given`, t.src);
        }
        trimmed.push([]);
      }
      const hide = new Set(t.hide ?? []); hide.add(m.name);
      const repl = this.substitute(m, trimmed, t, hide, file, line);
      for (let i = repl.length - 1; i >= 0; i--) work.push(repl[i]);
    }
    return out;
  }

  private substitute(m: Macro, args: Tok[][] | null, at: Tok, hide: Set<string>, file: string, line: number): Tok[] {
    const body = m.body;
    const sub = (t: Tok): Tok => ({ k: t.k, s: t.s, src: at.src, lit: false, hide });
    if (!args) return body.map(sub);
    const params = m.params!;
    const argOf = (t: Tok): number => (t.k === 'id' ? params.indexOf(t.s) : -1);
    const expanded = new Map<number, Tok[]>();
    const res: Tok[] = [];
    const nextNonWs = (j: number): number => { while (j < body.length && body[j].k === 'ws') j++; return j; };
    for (let j = 0; j < body.length; j++) {
      const t = body[j];
      if (t.s === '#' && t.k === 'punct') {
        const nj = nextNonWs(j + 1);
        const p = nj < body.length ? argOf(body[nj]) : -1;
        if (p >= 0) {
          res.push({ k: 'str', s: stringize(args[p]), src: at.src, lit: false, hide });
          j = nj;
          continue;
        }
        res.push(sub(t));
        continue;
      }
      if (t.s === '##' && t.k === 'punct') {
        while (res.length && res[res.length - 1].k === 'ws') res.pop();
        const nj = nextNonWs(j + 1);
        if (nj >= body.length || res.length === 0) throw new CppFail("'##' cannot appear at either end of a macro expansion", at.src);
        const rhsTok = body[nj];
        const p = argOf(rhsTok);
        let rhs: Tok[] = p >= 0 ? args[p].map(a => ({ ...a })) : [sub(rhsTok)];
        j = nj;
        const lhs = res.pop()!;
        // GNU comma elision: `, ## __VA_ARGS__` with no variadic arguments drops the comma.
        if (lhs.s === ',' && p === params.length - 1 && m.variadic && rhs.length === 0) continue;
        if (rhs.length === 0) { res.push(lhs); continue; }
        if (lhs.k === 'pm') { res.push(...rhs); continue; }
        const glued = tokenize(lhs.s + rhs[0].s);
        for (const g of glued) { g.src = at.src; g.lit = false; g.hide = hide; }
        res.push(...glued);
        rhs = rhs.slice(1);
        res.push(...rhs);
        continue;
      }
      const p = argOf(t);
      if (p >= 0) {
        const nj = nextNonWs(j + 1);
        const pasted = nj < body.length && body[nj].s === '##';
        if (pasted) {
          if (args[p].length === 0) res.push({ k: 'pm', s: '', src: at.src, lit: false });
          else res.push(...args[p].map(a => ({ ...a })));
        } else {
          let e = expanded.get(p);
          if (!e) { e = this.expandList(args[p], file, line); expanded.set(p, e); }
          res.push(...e.map(a => ({ ...a, hide: a.hide ? new Set([...a.hide, ...hide]) : a.hide })));
        }
        continue;
      }
      res.push(sub(t));
    }
    return res;
  }

  /** Evaluates a #if / #elif condition. */
  private ifExpr(s: string, restAt: number, file: string, line: number): boolean {
    let toks = tokenize(s.slice(restAt), restAt);
    // defined X / defined(X) before expansion
    const replaced: Tok[] = [];
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.k === 'id' && t.s === 'defined') {
        let j = i + 1;
        while (isWs(toks[j])) j++;
        let paren = false;
        if (toks[j]?.s === '(') { paren = true; j++; while (isWs(toks[j])) j++; }
        const id = toks[j];
        if (!id || id.k !== 'id') throw new CppFail("operator 'defined' requires an identifier", t.src);
        if (paren) { j++; while (isWs(toks[j])) j++; if (toks[j]?.s !== ')') throw new CppFail("missing ')' after 'defined'", id.src); }
        replaced.push({ k: 'num', s: this.macros.has(id.s) ? '1' : '0', src: t.src, lit: true });
        i = j;
        continue;
      }
      replaced.push(t);
    }
    toks = this.expand(replaced, file, line).filter(t => t.k !== 'ws' && t.k !== 'pm');
    if (toks.length === 0) throw new CppFail('#if with no expression', restAt);
    return new CondExpr(toks).run() !== 0n;
  }
}

function trimWs(a: Tok[]): Tok[] {
  let s = 0, e = a.length;
  while (s < e && a[s].k === 'ws') s++;
  while (e > s && a[e - 1].k === 'ws') e--;
  return a.slice(s, e);
}

function stringize(a: Tok[]): string {
  let s = '';
  for (const t of a) {
    if (t.k === 'ws') { s += ' '; continue; }
    if (t.k === 'str' || t.k === 'chr') s += t.s.replace(/[\\"]/g, c => '\\' + c);
    else s += t.s;
  }
  return '"' + s + '"';
}

/** C integer expression over preprocessed tokens (intmax_t arithmetic). */
class CondExpr {
  private i = 0;
  private toks: Tok[];
  constructor(raw: Tok[]) {
    // merge punctuation into C operators
    const out: Tok[] = [];
    const two = new Set(['<<', '>>', '<=', '>=', '==', '!=', '&&', '||']);
    for (let i = 0; i < raw.length; i++) {
      const t = raw[i];
      const n = raw[i + 1];
      if (t.k === 'punct' && n && n.k === 'punct' && two.has(t.s + n.s) && n.src === t.src + 1) {
        out.push({ ...t, s: t.s + n.s }); i++;
      } else out.push(t);
    }
    this.toks = out;
  }
  run(): bigint {
    const v = this.cond();
    if (this.i < this.toks.length) {
      const t = this.toks[this.i];
      throw new CppFail(`missing binary operator before token '${t.s}'`, t.src);
    }
    return v;
  }
  private peek(): string { return this.toks[this.i]?.s ?? ''; }
  private cond(): bigint {
    const c = this.bin(0);
    if (this.peek() === '?') {
      this.i++;
      const a = this.cond();
      if (this.peek() !== ':') throw new CppFail("expected ':' in conditional expression", this.toks[this.i]?.src ?? 0);
      this.i++;
      const b = this.cond();
      return c !== 0n ? a : b;
    }
    return c;
  }
  private static levels: string[][] = [
    ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
  ];
  private bin(level: number): bigint {
    if (level >= CondExpr.levels.length) return this.unary();
    let a = this.bin(level + 1);
    for (;;) {
      const op = this.peek();
      if (!CondExpr.levels[level].includes(op)) return a;
      const at = this.toks[this.i].src;
      this.i++;
      const b = this.bin(level + 1);
      let r: bigint;
      switch (op) {
        case '||': r = a !== 0n || b !== 0n ? 1n : 0n; break;
        case '&&': r = a !== 0n && b !== 0n ? 1n : 0n; break;
        case '|': r = a | b; break;
        case '^': r = a ^ b; break;
        case '&': r = a & b; break;
        case '==': r = a === b ? 1n : 0n; break;
        case '!=': r = a !== b ? 1n : 0n; break;
        case '<': r = a < b ? 1n : 0n; break;
        case '>': r = a > b ? 1n : 0n; break;
        case '<=': r = a <= b ? 1n : 0n; break;
        case '>=': r = a >= b ? 1n : 0n; break;
        case '<<': r = b >= 64n || b < 0n ? 0n : a << b; break;
        case '>>': r = b >= 64n || b < 0n ? (a < 0n ? -1n : 0n) : a >> b; break;
        case '+': r = a + b; break;
        case '-': r = a - b; break;
        case '*': r = a * b; break;
        case '/': if (b === 0n) throw new CppFail('division by zero in #if', at); r = a / b; break;
        default: if (b === 0n) throw new CppFail('division by zero in #if', at); r = a % b; break;
      }
      a = BigInt.asIntN(64, r);
    }
  }
  private unary(): bigint {
    const t = this.toks[this.i];
    if (!t) throw new CppFail('#if expression ends unexpectedly', this.toks[this.toks.length - 1]?.src ?? 0);
    this.i++;
    switch (t.s) {
      case '-': return BigInt.asIntN(64, -this.unary());
      case '+': return this.unary();
      case '~': return BigInt.asIntN(64, ~this.unary());
      case '!': return this.unary() === 0n ? 1n : 0n;
      case '(': {
        const v = this.cond();
        if (this.peek() !== ')') throw new CppFail("missing ')' in expression", this.toks[this.i]?.src ?? t.src);
        this.i++;
        return v;
      }
    }
    if (t.k === 'num') {
      const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(t.s);
      if (!m || !/^(u?l{0,2}|l{0,2}u?)$/i.test(m[2])) throw new CppFail(`invalid integer '${t.s}' in #if`, t.src);
      const d = m[1];
      const v = /^0[0-7]+$/.test(d) ? BigInt('0o' + d.slice(1)) : BigInt(d);
      return BigInt.asIntN(64, v);
    }
    if (t.k === 'chr') {
      const body = t.s.slice(1, -1);
      if (body.startsWith('\\')) {
        const e = body[1];
        const map: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, '\'': 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
        if (e === 'x') return BigInt(parseInt(body.slice(2), 16) || 0);
        if (/[0-7]/.test(e)) return BigInt(parseInt(body.slice(1), 8));
        return BigInt(map[e] ?? e.charCodeAt(0));
      }
      return BigInt(body.codePointAt(0) ?? 0);
    }
    if (t.k === 'id') return 0n; // identifiers that are not macros evaluate to 0
    throw new CppFail(`token '${t.s}' is not valid in preprocessor expressions`, t.src);
  }
}
