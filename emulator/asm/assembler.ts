// The assembler front end: reads GNU as syntax for AArch64 (statements, labels, directives,
// macros, conditionals, includes, literal pools), lays the sections out and asks the instruction
// encoder for each instruction's word.
//
// How it works:
//  1. Pass 1 reads the source once, top to bottom, with GNU as semantics for everything that is
//     decided while reading (.if, .rept counts, macro expansion, which symbols exist). It produces
//     a flat list of items (instruction, data, alignment, label, assignment...) with tentative
//     offsets.
//  2. Layout passes walk the item list again with every symbol known, recomputing variable sizes
//     (alignment, .skip/.fill counts, .org, LEB128) and section addresses until nothing moves.
//     Every A64 instruction is 4 bytes, so usually one pass settles it.
//  3. The final pass writes bytes: data values, pool entries, and the encoder's instruction words
//     (with `final: true`), and builds the line map.

import { AsmError, OperandError, type EncodeContext, type SourcePos } from './types';
import { posAt, splitLines, LineBuilder, type SrcLine } from './source';
import {
  Ch, isDigit, isSpace, isSymChar, isSymStart, parseString, scanSymbol, skipSpaces, splitArgs,
  splitMacroArgs, splitStatements, stripComments, StringError, type Arg, type CommentState,
} from './lex';
import { ABS, ExprError, LINKED, UndefinedSymbol, evaluate, isConstant, constValue, parseExpr, type EvalEnv, type Node, type Value } from './expr';
import { preprocess } from './cpp';
import type {
  AsmDiagnostic, AsmOptions, AsmResult, AsmSection, AsmSymbol, LineMapEntry, SectionType, SymbolBinding, SymbolType,
} from './result';

const NOP = 0xd503201f;
const DEFAULT_TEXT_BASE = 0x401000n;
const PAGE = 0x1000n;
const MAX_PASSES = 20;
const MAX_SECTION = 1 << 30;
const MAX_LINES = 2_000_000;

// ---------------------------------------------------------------------------------------------
// Items

const enum K { Insn, Data, Bytes, Fill, Align, Label, Set, Size, Org, Leb, PoolEntry }

interface ItemBase {
  sec: number;
  /** Offset in the section (this pass). */
  off: number;
  /** Size in bytes (this pass). */
  len: number;
  line: SrcLine;
  /** Offset of the directive / mnemonic in line.text (for positions). */
  at: number;
  /** Numeric local labels defined before this item (resolves `1b` / `1f`). */
  nl: number;
  /** Instructions: word-align first (decided in pass 1, see `push`). */
  autoAlign: boolean;
}
interface InsnItem extends ItemBase {
  t: K.Insn;
  mnem: string;
  ops: string;
  /** Offset of `ops` in line.text. */
  opsAt: number;
  /** Literal-pool rewrite: offsets >= poolFrom (when >= 0) in `ops` map to poolTo in the original operands. */
  poolFrom: number; poolTo: number;
}
interface DataItem extends ItemBase { t: K.Data; size: number; args: Array<{ node: Node; at: number }>; inst: boolean }
interface BytesItem extends ItemBase { t: K.Bytes; bytes: Uint8Array }
interface FillItem extends ItemBase { t: K.Fill; count: Node; countAt: number; size: number; value: bigint }
interface AlignItem extends ItemBase { t: K.Align; align: number; fill: bigint | null; fillSize: number; max: number }
interface LabelItem extends ItemBase { t: K.Label; sym: Sym }
interface SetItem extends ItemBase { t: K.Set; sym: Sym; node: Node; exprAt: number; lastSec: number; lastV: bigint; lastPending: boolean }
interface SizeItem extends ItemBase { t: K.Size; sym: Sym; node: Node; exprAt: number }
interface OrgItem extends ItemBase { t: K.Org; node: Node; exprAt: number; fill: number }
interface LebItem extends ItemBase { t: K.Leb; signed: boolean; node: Node; exprAt: number; value: bigint }
interface PoolEntryItem extends ItemBase { t: K.PoolEntry; size: number; node: Node; exprAt: number; ref: InsnItem }
/** The one runtime shape of every item (fields unused by a kind keep their defaults). */
class ItemImpl {
  off = 0; len = 0;
  mnem = ''; ops = ''; opsAt = 0; poolFrom = -1; poolTo = 0;
  size = 0; args: DataItem['args'] | null = null; inst = false; bytes: Uint8Array | null = null;
  count: Node | null = null; countAt = 0; value = 0n;
  align = 1; fill: bigint | null = null; fillSize = 1; max = -1;
  sym: Sym | null = null; node: Node | null = null; exprAt = 0;
  lastSec = -99; lastV = 0n; lastPending = false;
  ref: InsnItem | null = null; signed = false; autoAlign = false;
  constructor(public t: K, public sec: number, public line: SrcLine, public at: number, public nl: number) {}
}

type Item = InsnItem | DataItem | BytesItem | FillItem | AlignItem | LabelItem | SetItem | SizeItem | OrgItem | LebItem | PoolEntryItem;

// ---------------------------------------------------------------------------------------------
// Sections and symbols

interface Section {
  idx: number;
  name: string;
  flags: string;
  type: SectionType;
  align: number;
  /** Location counter during a walk. */
  pos: number;
  size: number;
  base: bigint;
  code: boolean;
  nobits: boolean;
  alloc: boolean;
  bytes: Uint8Array;
  /** Pass 1: what was emitted last (MAP_*), to decide instruction alignment like GNU as. */
  mapState: number;
}

const MAP_NONE = 0, MAP_INSN = 1, MAP_DATA = 2;

interface Sym {
  name: string;
  sec: number;
  v: bigint;
  defined: boolean;
  /** How it was defined. */
  how: 'label' | 'set' | 'equiv' | 'common' | null;
  binding: SymbolBinding | null;
  type: SymbolType;
  size?: bigint;
  internal: boolean;
  defPos?: SourcePos;
  /** A `.set` whose value depends on something not yet known (pass 1). */
  pending: boolean;
}

interface Macro {
  name: string;
  params: Array<{ name: string; def: string; req: boolean; vararg: boolean }>;
  body: SrcLine[];
  pos: SourcePos;
}

interface Frame {
  kind: 'file' | 'macro' | 'rept';
  lines: SrcLine[];
  idx: number;
  /** Conditional depth when the frame was entered. */
  condDepth: number;
  /** .rept/.irp: iterations left and how to make the next one. */
  left?: number;
  next?: () => SrcLine[];
  file?: string;
}

interface Cond { parentSkip: boolean; cur: boolean; taken: boolean; sawElse: boolean; pos: SourcePos }

interface Collect {
  kind: 'macro' | 'rept';
  depth: number;
  body: SrcLine[];
  pos: SourcePos;
  frameDepth: number;
  done: (body: SrcLine[]) => void;
  what: string;
}

interface PoolEntryDef { size: number; node: Node; exprAt: number; ref: InsnItem; line: SrcLine; sym: Sym }
interface Pool { entries: PoolEntryDef[]; keys: Map<string, Sym> }

// ---------------------------------------------------------------------------------------------

/** Thrown inside a statement with an offset into the current line. */
class StmtError extends Error {
  constructor(message: string, public offset: number) { super(message); }
}

const SECTION_DEFAULTS: Array<[RegExp, string, SectionType]> = [
  [/^\.text(\..*)?$|^\.init$|^\.fini$/, 'ax', 'progbits'],
  [/^\.bss(\..*)?$|^\.sbss(\..*)?$/, 'aw', 'nobits'],
  [/^\.tbss(\..*)?$/, 'awT', 'nobits'],
  [/^\.tdata(\..*)?$/, 'awT', 'progbits'],
  [/^\.(data|data1|sdata)(\..*)?$/, 'aw', 'progbits'],
  [/^\.init_array(\..*)?$/, 'aw', 'init_array'],
  [/^\.fini_array(\..*)?$/, 'aw', 'fini_array'],
  [/^\.preinit_array(\..*)?$/, 'aw', 'preinit_array'],
  [/^\.(rodata|rodata1)(\..*)?$/, 'a', 'progbits'],
  [/^\.note(\..*)?$/, '', 'note'],
];

function hex(v: bigint): string { return '0x' + BigInt.asUintN(64, v).toString(16); }

export class Assembler {
  private readonly opts: AsmOptions;
  private readonly collect: boolean;
  readonly errors: AsmError[] = [];
  readonly diagnostics: AsmDiagnostic[] = [];
  readonly files: string[] = [];

  private sections: Section[] = [];
  private secByName = new Map<string, Section>();
  private cur!: Section;
  private prev: Section | null = null;
  private secStack: Array<[Section, Section | null]> = [];

  private items: Item[] = [];
  private symbols = new Map<string, Sym>();
  private macros = new Map<string, Macro>();
  private aliases = new Map<string, string>();
  private conds: Cond[] = [];
  private frames: Frame[] = [];
  private collecting: Collect | null = null;
  private macroCounter = 0;
  private linesRead = 0;
  private ended = false;

  /** Numeric local labels: n -> definitions in order (global sequence numbers and symbols). */
  private nlDefs = new Map<number, { seq: number[]; syms: Sym[] }>();
  private nlCount = 0;
  private pools = new Map<number, Pool>();
  private poolCount = 0;
  private commons: Array<{ sym: Sym; size: number; align: number; line: SrcLine; at: number }> = [];

  private pass1 = true;
  private finalPass = false;
  private textBase: bigint;
  private exprCache = new Map<string, Node | ExprError>();
  private changed = false;
  /** First item that moved or changed size in the current layout walk. */
  private changedAt: Item | null = null;


  constructor(opts: AsmOptions) {
    this.opts = opts;
    this.collect = !!opts.collectErrors;
    this.textBase = opts.textBase ?? DEFAULT_TEXT_BASE;
    this.cur = this.section('.text', null, null);
  }

  // ---- errors --------------------------------------------------------------------------------

  private fail(e: AsmError): void {
    if (!this.collect) throw e;
    this.errors.push(e);
    this.diagnostics.push({ severity: 'error', message: e.bare, pos: e.pos });
  }

  private errorAt(line: SrcLine, offset: number, message: string): AsmError {
    return new AsmError(message, posAt(line, offset), line.from);
  }

  private warn(line: SrcLine, offset: number, message: string): void {
    this.diagnostics.push({ severity: 'warning', message, pos: posAt(line, offset) });
  }

  /** Converts anything thrown while handling a statement into an AsmError at the right place. */
  private toAsmError(e: unknown, line: SrcLine, fallback: number): AsmError {
    if (e instanceof AsmError) return e;
    if (e instanceof StmtError || e instanceof ExprError || e instanceof StringError) return this.errorAt(line, e.offset, e.message);
    if (e instanceof OperandError) return this.errorAt(line, fallback + e.offset, e.message);
    const msg = e instanceof Error ? e.message : String(e);
    return this.errorAt(line, fallback, `internal error: ${msg}`);
  }

  // ---- entry point -----------------------------------------------------------------------------

  run(source: string): AsmResult {
    const file = this.opts.file;
    this.files.push(file);
    const cpp = this.opts.preprocess ?? /\.(S|sx)$/.test(file);
    let lines: SrcLine[];
    if (cpp) {
      lines = preprocess(file, source, {
        readInclude: (p, from) => {
          const r = this.opts.readInclude?.(p, from);
          if (r !== undefined) this.files.push(typeof r === 'string' ? p : r.file);
          return r;
        },
        defines: this.opts.defines,
        error: e => this.fail(e),
        warning: (message, pos) => this.diagnostics.push({ severity: 'warning', message, pos }),
        maxIncludeDepth: this.opts.maxIncludeDepth,
      });
      const st: CommentState = { inBlock: false };
      for (const l of lines) {
        const t = stripComments(l.text, st, true);
        if (t !== l.text) l.text = t;
      }
    } else {
      lines = this.readLines(file, source);
    }
    this.frames.push({ kind: 'file', lines, idx: 0, condDepth: 0, file });
    this.readAll();
    this.finishPass1();
    this.layout();
    return this.finish();
  }

  private readLines(file: string, text: string): SrcLine[] {
    const phys = splitLines(text);
    const st: CommentState = { inBlock: false };
    const out: SrcLine[] = [];
    for (let i = 0; i < phys.length; i++) {
      const t = stripComments(phys[i], st, true);
      if (t.length === 0) continue;
      out.push({ text: t, file, line: i + 1 });
    }
    return out;
  }

  // ---- pass 1: reading -----------------------------------------------------------------------

  private readAll(): void {
    while (this.frames.length && !this.ended) {
      const f = this.frames[this.frames.length - 1];
      if (f.idx >= f.lines.length) {
        if (f.left !== undefined && f.left > 0 && f.next) {
          f.left--;
          f.lines = f.next();
          f.idx = 0;
          continue;
        }
        this.popFrame();
        continue;
      }
      const line = f.lines[f.idx++];
      if (++this.linesRead > MAX_LINES) {
        this.fail(this.errorAt(line, 0, `too many lines to assemble (over ${MAX_LINES}; runaway .rept or macro?)`));
        this.frames.length = 0;
        return;
      }
      this.processLine(line);
    }
  }

  private popFrame(): void {
    const f = this.frames.pop()!;
    if (f.kind === 'file') {
      if (this.collecting && this.collecting.frameDepth > this.frames.length) {
        const c = this.collecting;
        this.collecting = null;
        this.fail(new AsmError(`unterminated ${c.what} (no ${c.kind === 'macro' ? '.endm' : '.endr'} before the end of the file)`, c.pos));
      }
      while (this.conds.length > f.condDepth) {
        const c = this.conds.pop()!;
        this.fail(new AsmError('unterminated .if (no .endif before the end of the file)', c.pos));
      }
    }
  }

  private processLine(line: SrcLine): void {
    const text = line.text;
    if (this.collecting) { this.collectLine(line); return; }
    const st = splitStatements(text);
    for (let k = 0; k < st.length; k += 2) {
      if (this.collecting) {
        // A .macro/.rept opened earlier on this line: the rest of the line is body text.
        if (st[k] < st[k + 1] && text.slice(st[k], st[k + 1]).trim()) this.fail(this.errorAt(line, st[k], 'text after a block opener on the same line is not supported'));
        return;
      }
      try {
        this.statement(line, st[k], st[k + 1]);
      } catch (e) {
        this.fail(this.toAsmError(e, line, st[k]));
      }
      if (this.ended) return;
    }
  }

  /** First word of a line after any labels (for block nesting while collecting). */
  private firstWord(text: string): string {
    let i = skipSpaces(text, 0);
    for (;;) {
      const j = scanSymbol(text, i);
      let e = j;
      if (j === i) { while (e < text.length && isDigit(text.charCodeAt(e))) e++; }
      if (e > i && text.charCodeAt(e) === Ch.COLON) { i = skipSpaces(text, e + 1); continue; }
      return text.slice(i, j).toLowerCase();
    }
  }

  private collectLine(line: SrcLine): void {
    const c = this.collecting!;
    const w = this.firstWord(line.text);
    if (c.kind === 'macro') {
      if (w === '.macro') c.depth++;
      else if (w === '.endm' || w === '.endmacro') c.depth--;
    } else {
      if (w === '.rept' || w === '.irp' || w === '.irpc') c.depth++;
      else if (w === '.endr') c.depth--;
    }
    if (c.depth === 0) {
      this.collecting = null;
      try { c.done(c.body); } catch (e) { this.fail(this.toAsmError(e, line, 0)); }
      return;
    }
    c.body.push(line);
  }

  private skipping(): boolean {
    const c = this.conds[this.conds.length - 1];
    return c !== undefined && (c.parentSkip || !c.cur);
  }

  private statement(line: SrcLine, start: number, end: number): void {
    const s = line.text;
    let i = skipSpaces(s, start, end);
    if (i >= end) return;
    const skipping = this.conds.length > 0 && this.skipping();

    // Labels (any number), `sym = expr`, `name .req reg`.
    for (;;) {
      let j = scanSymbol(s, i, end);
      let numeric = false;
      if (j === i) {
        while (j < end && isDigit(s.charCodeAt(j))) j++;
        numeric = j > i;
      }
      if (j === i) break;
      const c = j < end ? s.charCodeAt(j) : 0;
      if (c === Ch.COLON && !(j + 1 < end && s.charCodeAt(j + 1) === Ch.COLON)) {
        if (!skipping) this.defineLabel(s.slice(i, j), numeric, line, i);
        i = skipSpaces(s, j + 1, end);
        if (i >= end) return;
        continue;
      }
      if (numeric) break;
      const k = skipSpaces(s, j, end);
      if (k < end && s.charCodeAt(k) === Ch.EQ && !(k + 1 < end && s.charCodeAt(k + 1) === Ch.EQ)) {
        if (!skipping) this.assign(s.slice(i, j), line, i, k + 1, end, 'set');
        return;
      }
      if (k > j && k < end && s.charCodeAt(k) === Ch.DOT) {
        const w = s.slice(k, scanSymbol(s, k, end)).toLowerCase();
        if (w === '.req') {
          if (!skipping) {
            const reg = s.slice(k + 4, end).trim();
            if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(reg)) throw new StmtError(`.req needs a register name`, k);
            this.aliases.set(s.slice(i, j), this.aliases.get(reg) ?? reg);
          }
          return;
        }
      }
      break;
    }

    // Directive / macro / instruction name.
    let j = scanSymbol(s, i, end);
    if (j === i) {
      if (skipping) return;
      throw new StmtError(`unexpected character '${s[i]}' at the start of a statement`, i);
    }
    const name = s.slice(i, j).toLowerCase();
    const restAt = j;
    if (CONDITIONALS.has(name)) { this.conditional(name, line, i, restAt, end); return; }
    if (skipping) return;
    if (name.charCodeAt(0) === Ch.DOT) {
      const h = DIRECTIVES.get(name);
      if (h) { h.call(this, name, line, i, restAt, end); return; }
      if (name.startsWith('.cfi_')) return;
      const m = this.macros.get(name);
      if (m) { this.invokeMacro(m, line, i, restAt, end); return; }
      throw new StmtError(`unknown directive '${s.slice(i, j)}'`, i);
    }
    if (this.macros.size) {
      const m = this.macros.get(name);
      if (m) { this.invokeMacro(m, line, i, restAt, end); return; }
    }
    this.instruction(name, line, i, restAt, end);
  }

  // ---- labels and symbols --------------------------------------------------------------------

  private sym(name: string): Sym {
    let s = this.symbols.get(name);
    if (!s) {
      s = { name, sec: ABS, v: 0n, defined: false, how: null, binding: null, type: 'notype', internal: false, pending: false };
      this.symbols.set(name, s);
    }
    return s;
  }

  /** Makes an item in the current section. All items share one class so that the walk stays fast. */
  private mk<k extends K>(t: k, line: SrcLine, at: number, fields: Omit<Partial<Extract<Item, { t: k }>>, 't'>): Extract<Item, { t: k }> {
    const it = new ItemImpl(t, this.cur.idx, line, at, this.nlCount);
    return Object.assign(it, fields) as unknown as Extract<Item, { t: k }>;
  }

  private push(it: Item): void {
    // GNU as word-aligns an instruction in a code section only when it follows data (a change of
    // "mapping state"); alignment directives there count as code.
    const sec = this.sections[it.sec];
    switch (it.t) {
      case K.Insn: it.autoAlign = sec.code && sec.mapState === MAP_DATA; sec.mapState = MAP_INSN; break;
      case K.Data:
        if (it.inst) { it.autoAlign = sec.code && sec.mapState === MAP_DATA; sec.mapState = MAP_INSN; } else sec.mapState = MAP_DATA;
        break;
      case K.Bytes: case K.Fill: case K.Leb: case K.PoolEntry: case K.Org: sec.mapState = MAP_DATA; break;
      case K.Align: if (it.align > 1) sec.mapState = MAP_INSN; break;
    }
    this.items.push(it);
    this.step(it);
  }

  private defineLabel(name: string, numeric: boolean, line: SrcLine, at: number): void {
    let sym: Sym;
    if (numeric) {
      const n = Number(name);
      let d = this.nlDefs.get(n);
      if (!d) { d = { seq: [], syms: [] }; this.nlDefs.set(n, d); }
      sym = { name: `${n}:${d.syms.length}`, sec: ABS, v: 0n, defined: false, how: null, binding: 'local', type: 'notype', internal: true, pending: false };
      d.seq.push(this.nlCount++);
      d.syms.push(sym);
    } else {
      sym = this.sym(name);
      if (sym.defined) throw new StmtError(`symbol '${name}' is already defined${sym.defPos ? ` (at ${fmtPos(sym.defPos)})` : ''}`, at);
    }
    sym.defined = true;
    sym.how = 'label';
    sym.defPos = posAt(line, at);
    this.push(this.mk(K.Label, line, at, { sym }));
  }

  private assign(name: string, line: SrcLine, at: number, exprStart: number, end: number, how: 'set' | 'equiv'): void {
    if (!/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(name)) throw new StmtError(`bad symbol name '${name}'`, at);
    const sym = this.sym(name);
    if (sym.defined && (sym.how === 'label' || sym.how === 'common' || how === 'equiv' || sym.how === 'equiv')) {
      throw new StmtError(`symbol '${name}' is already defined${sym.defPos ? ` (at ${fmtPos(sym.defPos)})` : ''}`, at);
    }
    const e0 = skipSpaces(line.text, exprStart, end);
    if (e0 >= end) throw new StmtError(`missing expression for '${name}'`, exprStart);
    const node = parseExpr(line.text, e0, end);
    sym.defined = true;
    sym.how = how;
    sym.defPos = posAt(line, at);
    this.push(this.mk(K.Set, line, at, { sym, node, exprAt: e0 }));
  }

  // ---- expressions ------------------------------------------------------------------------------

  /** Evaluation environment; its fields are set for the item being evaluated. */
  private env = new (class implements EvalEnv {
    sec = 0; off = 0; nl = 0; final = false;
    /** In a non-final pass: an undefined symbol evaluates to `.` (instruction operands) or 0. */
    dotForUndefined = false;
    unresolved = false;
    constructor(private a: Assembler) {}
    dot(): Value { return { sec: this.sec, v: BigInt(this.off) }; }
    symbol(name: string, at: number): Value {
      const s = this.a.symbols.get(name);
      if (s && s.defined) {
        if (s.pending) this.unresolved = true;
        return { sec: s.sec, v: s.v };
      }
      if (s && s.binding === 'weak' && !this.a.pass1) return { sec: ABS, v: 0n };
      if (!this.final) { this.unresolved = true; return this.dotForUndefined ? this.dot() : { sec: ABS, v: 0n }; }
      throw new UndefinedSymbol(name, at);
    }
    local(n: number, fwd: boolean, at: number): Value {
      const d = this.a.nlDefs.get(n);
      let sym: Sym | undefined;
      if (d) {
        // first definition with seq >= nl (forward) or last with seq < nl (backward)
        let lo = 0, hi = d.seq.length;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (d.seq[mid] < this.nl) lo = mid + 1; else hi = mid; }
        sym = fwd ? d.syms[lo] : d.syms[lo - 1];
      }
      if (sym && (sym.defined || !this.a.pass1)) return { sec: sym.sec, v: sym.v };
      if (!this.final) { this.unresolved = true; return this.dotForUndefined ? this.dot() : { sec: ABS, v: 0n }; }
      throw new ExprError(fwd ? `no local label '${n}:' after this reference ('${n}f')` : `no local label '${n}:' before this reference ('${n}b')`, at);
    }
    base(sec: number): bigint { return this.a.sections[sec].base; }
  })(this);

  private setEnv(it: ItemBase): void {
    const e = this.env;
    e.sec = it.sec; e.off = it.off; e.nl = it.nl; e.final = this.finalPass; e.unresolved = false; e.dotForUndefined = false;
  }

  private absolute(v: Value): bigint {
    return v.sec >= 0 ? BigInt.asIntN(64, this.sections[v.sec].base + v.v) : v.v;
  }

  /** Evaluates now (pass 1) an expression that must be an assembly-time constant. */
  private constExpr(line: SrcLine, arg: Arg, what: string): bigint {
    if (!arg.text) throw new StmtError(`missing expression in ${what}`, arg.offset);
    const node = parseExpr(line.text, arg.offset, arg.offset + arg.text.length);
    if (isConstant(node)) return constValue(node);
    const e = this.env;
    e.sec = this.cur.idx; e.off = this.cur.pos; e.nl = this.nlCount; e.final = false; e.unresolved = false; e.dotForUndefined = false;
    const v = evaluate(node, e);
    if (e.unresolved || v.sec !== ABS) throw new StmtError(`non-constant expression in ${what}`, arg.offset);
    return v.v;
  }

  // ---- sections -----------------------------------------------------------------------------

  private section(name: string, flags: string | null, type: SectionType | null, line?: SrcLine, at = 0): Section {
    let s = this.secByName.get(name);
    if (s) {
      if (flags !== null && line && normFlags(flags) !== s.flags) this.warn(line, at, `ignoring changed section attributes for ${name}`);
      return s;
    }
    let f = flags;
    let t = type;
    if (f === null || t === null) {
      for (const [re, df, dt] of SECTION_DEFAULTS) {
        if (re.test(name)) { if (f === null) f = df; if (t === null) t = dt; break; }
      }
    }
    f = normFlags(f ?? '');
    t = t ?? 'progbits';
    s = {
      idx: this.sections.length, name, flags: f, type: t, align: 1, pos: 0, size: 0, base: this.textBase,
      code: f.includes('x'), nobits: t === 'nobits', alloc: f.includes('a'), bytes: new Uint8Array(0), mapState: MAP_NONE,
    };
    this.sections.push(s);
    this.secByName.set(name, s);
    return s;
  }

  private switchTo(s: Section): void {
    if (s !== this.cur) { this.prev = this.cur; this.cur = s; }
  }

  // ---- instructions ---------------------------------------------------------------------------

  private instruction(mnem: string, line: SrcLine, at: number, restAt: number, end: number): void {
    const s = line.text;
    let a = skipSpaces(s, restAt, end);
    let e = end;
    while (e > a && isSpace(s.charCodeAt(e - 1))) e--;
    if (restAt < end && a === restAt && a < e) {
      // e.g. `nop+1`: the mnemonic must be followed by a blank
      throw new StmtError(`unknown mnemonic or junk after '${s.slice(at, restAt)}'`, restAt);
    }
    if (this.cur.nobits) throw new StmtError(`instructions are not allowed in ${this.cur.name} (a section without contents)`, at);
    let ops = s.slice(a, e);
    const it: InsnItem = this.mk(K.Insn, line, at, { mnem, ops, opsAt: a });
    if (this.aliases.size) it.ops = ops = this.applyAliases(ops);
    if (mnem === 'ldr' && ops.indexOf('=') > 0) this.literalLoad(it);
    this.push(it);
  }

  private applyAliases(ops: string): string {
    return ops.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (w, off: number) => {
      if (off > 0 && isSymChar(ops.charCodeAt(off - 1))) return w;
      return this.aliases.get(w) ?? w;
    });
  }

  /** `ldr Rt, =expr`: puts expr in the section's literal pool and points the load at it. */
  private literalLoad(it: InsnItem): void {
    const m = /^([A-Za-z]+[0-9]*|[xw]zr)\s*,\s*=/.exec(it.ops);
    if (!m) return;
    const reg = m[1].toLowerCase();
    let size: number;
    if (/^x([0-9]|[12][0-9]|30)$|^xzr$/.test(reg) || /^d([0-9]|[12][0-9]|3[01])$/.test(reg)) size = 8;
    else if (/^w([0-9]|[12][0-9]|30)$|^wzr$/.test(reg) || /^s([0-9]|[12][0-9]|3[01])$/.test(reg)) size = 4;
    else throw new StmtError(`'ldr ${m[1]}, =...' is not supported: use an X, W, D or S register`, it.opsAt);
    const eqAt = m[0].length - 1;
    const exprStart = it.opsAt + m[0].length;
    const exprEnd = it.opsAt + it.ops.length;
    if (skipSpaces(it.line.text, exprStart, exprEnd) >= exprEnd) throw new StmtError('missing expression after =', exprStart);
    const node = parseExpr(it.line.text, exprStart, exprEnd);
    let pool = this.pools.get(it.sec);
    if (!pool) { pool = { entries: [], keys: new Map() }; this.pools.set(it.sec, pool); }
    let key: string | null;
    if (isConstant(node)) key = `${size}:c:${BigInt.asUintN(size * 8, constValue(node))}`;
    else if (/(^|[^A-Za-z0-9_.$])\.($|[^A-Za-z0-9_.$])|\b\d+[bf]\b/.test(it.ops.slice(eqAt + 1))) key = null; // `.` / 1f depend on the place
    else key = `${size}:e:${it.ops.slice(eqAt + 1).replace(/\s+/g, '')}`;
    let sym = key !== null ? pool.keys.get(key) : undefined;
    if (!sym) {
      let name: string;
      do name = `.L__pool_${this.poolCount++}`; while (this.symbols.has(name));
      sym = { name, sec: it.sec, v: 0n, defined: true, how: 'label', binding: 'local', type: 'notype', internal: true, pending: false };
      this.symbols.set(name, sym);
      pool.entries.push({ size, node, exprAt: exprStart, ref: it, line: it.line, sym });
      if (key !== null) pool.keys.set(key, sym);
    }
    const head = it.ops.slice(0, eqAt);
    it.ops = head + sym.name;
    it.poolFrom = head.length;
    it.poolTo = exprStart - it.opsAt;
  }

  /** Emits the pending literal pool of the current section (`.ltorg`, end of assembly). */
  private dumpPool(sec: Section, line: SrcLine, at: number): void {
    const pool = this.pools.get(sec.idx);
    if (!pool || pool.entries.length === 0) return;
    const saved = this.cur;
    this.cur = sec;
    for (const size of [4, 8]) {
      const list = pool.entries.filter(e => e.size === size);
      if (!list.length) continue;
      this.push(this.mk(K.Align, line, at, { align: size, fill: 0n, fillSize: 1, max: -1 }));
      for (const e of list) {
        this.push(this.mk(K.Label, e.line, at, { sym: e.sym }));
        this.push(this.mk(K.PoolEntry, e.line, e.exprAt, { size, node: e.node, exprAt: e.exprAt, ref: e.ref }));
      }
    }
    pool.entries = [];
    pool.keys.clear();
    this.cur = saved;
  }

  // ---- macros and repetition -------------------------------------------------------------------

  private macroDepth(): number {
    let n = 0;
    for (const f of this.frames) if (f.kind === 'macro') n++;
    return n;
  }

  private defineMacro(line: SrcLine, at: number, restAt: number, end: number): void {
    const s = line.text;
    const n0 = skipSpaces(s, restAt, end);
    const n1 = scanSymbol(s, n0, end);
    if (n1 === n0) throw new StmtError('expected a macro name after .macro', n0);
    const name = s.slice(n0, n1);
    const params: Macro['params'] = [];
    let p = n1;
    if (p < end && s.charCodeAt(p) === Ch.COMMA) p++;
    for (const a of splitMacroArgs(s, p, end)) {
      if (!a.text) continue;
      const m = /^([A-Za-z_.$][A-Za-z0-9_.$]*)(?::(req|vararg))?(?:=([\s\S]*))?$/.exec(a.text);
      if (!m) throw new StmtError(`bad macro parameter '${a.text}'`, a.offset);
      if (params.some(q => q.name === m[1])) throw new StmtError(`duplicate macro parameter '${m[1]}'`, a.offset);
      if (params.length && params[params.length - 1].vararg) throw new StmtError(':vararg must be the last parameter', a.offset);
      params.push({ name: m[1], def: m[3] ?? '', req: m[2] === 'req', vararg: m[2] === 'vararg' });
    }
    const key = name.toLowerCase();
    const pos = posAt(line, at);
    if (this.macros.has(key)) throw new StmtError(`macro '${name}' is already defined (at ${fmtPos(this.macros.get(key)!.pos)})`, n0);
    this.collecting = {
      kind: 'macro', depth: 1, body: [], pos, frameDepth: this.frames.length, what: `.macro ${name}`,
      done: body => { this.macros.set(key, { name, params, body, pos }); },
    };
  }

  private invokeMacro(m: Macro, line: SrcLine, at: number, restAt: number, end: number): void {
    const limit = this.opts.maxMacroDepth ?? 100;
    if (this.macroDepth() >= limit) throw new StmtError(`macros nested too deeply (limit ${limit}) expanding '${m.name}'`, at);
    const s = line.text;
    if (restAt < end && !isSpace(s.charCodeAt(restAt)) && s.charCodeAt(restAt) !== Ch.COMMA) {
      throw new StmtError(`junk after macro name '${m.name}'`, restAt);
    }
    const values = new Map<string, string>();
    const args = splitMacroArgs(s, restAt, end);
    let pi = 0;
    for (let k = 0; k < args.length; k++) {
      const a = args[k];
      const kw = /^([A-Za-z_.$][A-Za-z0-9_.$]*)=([\s\S]*)$/.exec(a.text);
      if (kw && m.params.some(p => p.name === kw[1])) {
        if (values.has(kw[1])) this.warn(line, a.offset, `value for parameter '${kw[1]}' of macro '${m.name}' was already specified`);
        values.set(kw[1], kw[2]);
        continue;
      }
      while (pi < m.params.length && values.has(m.params[pi].name)) pi++;
      if (pi >= m.params.length) throw new StmtError(`too many positional arguments for macro '${m.name}'`, a.offset);
      const p = m.params[pi++];
      if (p.vararg) {
        // the rest of the line, as written
        values.set(p.name, s.slice(a.offset, end).trim());
        break;
      }
      values.set(p.name, a.text);
    }
    for (const p of m.params) {
      const v = values.get(p.name);
      if (v === undefined || v === '') {
        if (p.req) throw new StmtError(`missing value for required parameter '${p.name}' of macro '${m.name}'`, at);
        values.set(p.name, p.def);
      }
    }
    const counter = String(this.macroCounter++);
    const inv = posAt(line, at);
    const mapTo = line.mapTo ?? inv;
    const from = [inv, ...(line.from ?? [])];
    const lines = m.body.map(b => substitute(b, values, counter, mapTo, from));
    this.frames.push({ kind: 'macro', lines, idx: 0, condDepth: this.conds.length });
  }

  private startRept(kind: '.rept' | '.irp' | '.irpc', line: SrcLine, at: number, restAt: number, end: number): void {
    const s = line.text;
    let make: (body: SrcLine[]) => void;
    if (kind === '.rept') {
      const args = splitArgs(s, restAt, end);
      if (args.length !== 1) throw new StmtError('.rept needs one count', restAt);
      const n = this.constExpr(line, args[0], '.rept');
      if (n < 0n) throw new StmtError(`negative .rept count ${n}`, args[0].offset);
      if (n > 10_000_000n) throw new StmtError(`.rept count ${n} is too large`, args[0].offset);
      const count = Number(n);
      make = body => {
        if (count === 0 || body.length === 0) return;
        this.frames.push({ kind: 'rept', lines: body, idx: 0, condDepth: this.conds.length, left: count - 1, next: () => body });
      };
    } else {
      const p0 = skipSpaces(s, restAt, end);
      const p1 = scanSymbol(s, p0, end);
      if (p1 === p0) throw new StmtError(`expected a parameter name after ${kind}`, p0);
      const pname = s.slice(p0, p1);
      let q = skipSpaces(s, p1, end);
      if (q < end && s.charCodeAt(q) === Ch.COMMA) q++;
      let values: string[];
      if (kind === '.irp') {
        values = splitMacroArgs(s, q, end).map(a => a.text);
        if (values.length === 0) values = [''];
      } else {
        const a = splitMacroArgs(s, q, end).map(x => x.text).join('');
        values = a.length ? [...a] : [''];
      }
      make = body => {
        if (body.length === 0) return;
        let k = 0;
        const next = (): SrcLine[] => {
          const vals = new Map([[pname, values[k++]]]);
          return body.map(b => substitute(b, vals, null, b.mapTo, b.from));
        };
        this.frames.push({ kind: 'rept', lines: next(), idx: 0, condDepth: this.conds.length, left: values.length - 1, next });
      };
    }
    this.collecting = { kind: 'rept', depth: 1, body: [], pos: posAt(line, at), frameDepth: this.frames.length, done: make, what: kind };
  }

  // ---- conditionals ----------------------------------------------------------------------------

  private conditional(name: string, line: SrcLine, at: number, restAt: number, end: number): void {
    const s = line.text;
    const top = this.conds[this.conds.length - 1];
    if (name === '.endif') {
      if (!top) throw new StmtError('.endif without .if', at);
      this.conds.pop();
      return;
    }
    if (name === '.else') {
      if (!top) throw new StmtError('.else without .if', at);
      if (top.sawElse) throw new StmtError('duplicate .else', at);
      top.sawElse = true;
      top.cur = !top.taken;
      top.taken = true;
      return;
    }
    if (name === '.elseif') {
      if (!top) throw new StmtError('.elseif without .if', at);
      if (top.sawElse) throw new StmtError('.elseif after .else', at);
      if (top.taken || top.parentSkip) { top.cur = false; return; }
      top.cur = false; top.taken = true; // in case the condition cannot be evaluated
      const a0 = skipSpaces(s, restAt, end);
      const v = this.constExpr(line, { text: s.slice(a0, end).trim(), offset: a0 }, '.elseif') !== 0n;
      top.cur = v; top.taken = v;
      return;
    }
    const parentSkip = this.skipping();
    const pos = posAt(line, at);
    if (parentSkip) { this.conds.push({ parentSkip: true, cur: false, taken: true, sawElse: false, pos }); return; }
    // Pushed first so that a condition that cannot be evaluated still pairs with its .endif.
    const c: Cond = { parentSkip: false, cur: false, taken: false, sawElse: false, pos };
    this.conds.push(c);
    const v = this.condValue(name, line, at, restAt, end);
    c.cur = v; c.taken = v;
  }

  private condValue(name: string, line: SrcLine, at: number, restAt: number, end: number): boolean {
    const s = line.text;
    const rest = s.slice(restAt, end).trim();
    const a0 = skipSpaces(s, restAt, end);
    const expr = (): bigint => this.constExpr(line, { text: rest, offset: a0 }, name);
    switch (name) {
      case '.if': case '.ifne': return expr() !== 0n;
      case '.ifeq': return expr() === 0n;
      case '.ifge': return expr() >= 0n;
      case '.ifgt': return expr() > 0n;
      case '.ifle': return expr() <= 0n;
      case '.iflt': return expr() < 0n;
      case '.ifdef': case '.ifndef': case '.ifnotdef': {
        if (!/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(rest)) throw new StmtError(`${name} needs a symbol name`, a0);
        const d = this.symbols.get(rest)?.defined ?? false;
        return name === '.ifdef' ? d : !d;
      }
      case '.ifb': return rest === '';
      case '.ifnb': return rest !== '';
      case '.ifc': case '.ifnc': {
        const [x, y] = this.ifcOperands(s, a0, end, false);
        return (x === y) === (name === '.ifc');
      }
      case '.ifeqs': case '.ifnes': {
        const [x, y] = this.ifcOperands(s, a0, end, true);
        return (x === y) === (name === '.ifeqs');
      }
    }
    throw new StmtError(`unknown directive '${name}'`, at);
  }

  /** The two strings of .ifc (quoted with ' or ", or bare up to the comma) or .ifeqs (quoted). */
  private ifcOperands(s: string, i: number, end: number, quoted: boolean): [string, string] {
    const one = (p: number, stopAtComma: boolean): [string, number] => {
      p = skipSpaces(s, p, end);
      const q = s[p];
      if (q === '"' || q === '\'') {
        const close = s.indexOf(q, p + 1);
        if (close < 0 || close >= end) throw new StmtError('unterminated string', p);
        return [s.slice(p + 1, close), close + 1];
      }
      if (quoted) throw new StmtError('expected a quoted string', p);
      let e = p;
      while (e < end && !(stopAtComma && s.charCodeAt(e) === Ch.COMMA)) e++;
      return [s.slice(p, e).trim(), e];
    };
    const [x, after] = one(i, true);
    let p = skipSpaces(s, after, end);
    if (p >= end || s.charCodeAt(p) !== Ch.COMMA) throw new StmtError('expected a comma between the two strings', p);
    p++;
    const [y, after2] = one(p, false);
    if (skipSpaces(s, after2, end) < end) throw new StmtError('junk after the second string', skipSpaces(s, after2, end));
    return [x, y];
  }

  // ---- includes --------------------------------------------------------------------------------

  private include(line: SrcLine, at: number, restAt: number, end: number): void {
    const s = line.text;
    const p = skipSpaces(s, restAt, end);
    let path: string;
    if (s[p] === '"') {
      const r = parseString(s, p);
      path = new TextDecoder().decode(new Uint8Array(r.bytes));
    } else {
      path = s.slice(p, end).trim();
      if (!path) throw new StmtError('.include needs a file name', p);
    }
    let depth = 0;
    for (const f of this.frames) if (f.kind === 'file') depth++;
    const limit = this.opts.maxIncludeDepth ?? 64;
    if (depth > limit) throw new StmtError(`.include nested too deeply (limit ${limit})`, at);
    const got = this.opts.readInclude?.(path, line.file);
    if (got === undefined) throw new StmtError(`cannot open include file '${path}'`, p);
    const inc = typeof got === 'string' ? { file: path, text: got } : got;
    this.files.push(inc.file);
    const lines = this.readLines(inc.file, inc.text);
    if (line.mapTo) for (const l of lines) { l.mapTo = line.mapTo; l.from = line.from; }
    this.frames.push({ kind: 'file', lines, idx: 0, condDepth: this.conds.length, file: inc.file });
  }

  // ---- data directives ---------------------------------------------------------------------------

  private dataDirective(size: number, line: SrcLine, at: number, restAt: number, end: number, inst = false): void {
    const args = splitArgs(line.text, restAt, end);
    if (args.length === 0) { if (inst) throw new StmtError('.inst needs at least one value', restAt); return; }
    const list: DataItem['args'] = [];
    for (const a of args) {
      if (!a.text) throw new StmtError('missing value', a.offset);
      list.push({ node: parseExpr(line.text, a.offset, a.offset + a.text.length), at: a.offset });
    }
    if (this.cur.nobits) {
      for (const a of list) {
        if (!isConstant(a.node) || constValue(a.node) !== 0n) throw new StmtError(`attempt to store a non-zero value in ${this.cur.name}`, a.at);
      }
    }
    if (inst && this.cur.nobits) throw new StmtError(`instructions are not allowed in ${this.cur.name}`, at);
    if (inst) {
      // one item per word so that each gets its own line-map entry and alignment
      for (const a of list) this.push(this.mk(K.Data, line, at, { size: 4, args: [a], inst: true }));
      return;
    }
    this.push(this.mk(K.Data, line, at, { size, args: list, inst: false }));
  }

  private stringDirective(zero: boolean, line: SrcLine, at: number, restAt: number, end: number): void {
    const s = line.text;
    const out: number[] = [];
    for (const a of splitArgs(s, restAt, end)) {
      let p = a.offset;
      const e = a.offset + a.text.length;
      if (p >= e) throw new StmtError('expected a string', p);
      while (p < e) {
        if (s[p] !== '"') throw new StmtError('expected a string', p);
        const r = parseString(s, p);
        for (const b of r.bytes) out.push(b);
        if (zero) out.push(0);
        p = skipSpaces(s, r.end, e);
      }
    }
    this.bytesItem(new Uint8Array(out), line, at);
  }

  private bytesItem(bytes: Uint8Array, line: SrcLine, at: number): void {
    if (this.cur.nobits && bytes.some(b => b !== 0)) throw new StmtError(`attempt to store a non-zero value in ${this.cur.name}`, at);
    this.push(this.mk(K.Bytes, line, at, { bytes }));
  }

  private floatDirective(size: 4 | 8, line: SrcLine, at: number, restAt: number, end: number): void {
    const args = splitArgs(line.text, restAt, end);
    const out = new Uint8Array(size * args.length);
    const dv = new DataView(out.buffer);
    args.forEach((a, k) => {
      const t = a.text.replace(/^0[fFdDeErR]/, '').replace(/_/g, '');
      let v: number;
      if (/^[+-]?(inf|infinity)$/i.test(t)) v = t.startsWith('-') ? -Infinity : Infinity;
      else if (/^[+-]?nan$/i.test(t)) v = NaN;
      else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) v = Number(t);
      else if (/^[+-]?0x[0-9a-f]+$/i.test(t)) v = Number(BigInt(t.replace(/^[+-]/, ''))) * (t.startsWith('-') ? -1 : 1);
      else throw new StmtError(`bad floating-point number '${a.text}'`, a.offset);
      if (size === 4) dv.setFloat32(k * 4, v, true); else dv.setFloat64(k * 8, v, true);
    });
    this.bytesItem(out, line, at);
  }

  private fillDirective(kind: 'skip' | 'fill' | 'zero', line: SrcLine, at: number, restAt: number, end: number): void {
    const args = splitArgs(line.text, restAt, end);
    if (args.length === 0 || !args[0].text) throw new StmtError(`.${kind} needs a size`, restAt);
    const count = parseExpr(line.text, args[0].offset, args[0].offset + args[0].text.length);
    let size = 1;
    let value = 0n;
    if (kind === 'zero') {
      if (args.length > 1) throw new StmtError('.zero takes one argument', args[1].offset);
    } else if (kind === 'skip') {
      if (args.length > 2) throw new StmtError('too many arguments', args[2].offset);
      if (args[1]?.text) {
        value = this.constExpr(line, args[1], '.skip fill value');
        if (value < -128n || value > 255n) throw new StmtError(`fill value ${value} does not fit in a byte`, args[1].offset);
        value &= 0xffn;
      }
    } else {
      if (args.length > 3) throw new StmtError('too many arguments', args[3].offset);
      if (args[1]?.text) {
        const sz = this.constExpr(line, args[1], '.fill size');
        if (sz < 0n) throw new StmtError('.fill size cannot be negative', args[1].offset);
        size = sz > 8n ? 8 : Number(sz);
        if (sz > 8n) this.warn(line, args[1].offset, '.fill size clamped to 8');
      }
      if (args[2]?.text) value = this.constExpr(line, args[2], '.fill value');
      // Only the low four bytes of the value are used; the rest of each repeat is zero.
      value &= 0xffffffffn;
    }
    if (this.cur.nobits && value !== 0n) throw new StmtError(`attempt to store a non-zero value in ${this.cur.name}`, args[kind === 'fill' ? 2 : 1]?.offset ?? at);
    this.push(this.mk(K.Fill, line, at, { count, countAt: args[0].offset, size, value }));
  }

  private alignDirective(name: string, line: SrcLine, at: number, restAt: number, end: number): void {
    const args = splitArgs(line.text, restAt, end);
    const pow2 = name.startsWith('.p2align') || name === '.align';
    const fillSize = name.endsWith('w') ? 2 : name.endsWith('l') ? 4 : 1;
    if (args.length === 0 || !args[0].text) throw new StmtError(`${name} needs an alignment`, restAt);
    if (args.length > 3) throw new StmtError('too many arguments', args[3].offset);
    const v = this.constExpr(line, args[0], name);
    let align: number;
    if (pow2) {
      if (v < 0n || v > 28n) throw new StmtError(`alignment 2^${v} is out of range (0..28)`, args[0].offset);
      align = 1 << Number(v);
    } else {
      if (v === 0n) align = 1;
      else if (v < 0n || v > 1n << 28n || (v & (v - 1n)) !== 0n) throw new StmtError(`alignment ${v} is not a power of 2 (up to 2^28)`, args[0].offset);
      else align = Number(v);
    }
    let fill: bigint | null = null;
    if (args[1]?.text) {
      fill = this.constExpr(line, args[1], `${name} fill`);
      const bits = BigInt(fillSize * 8);
      if (fill < -(1n << bits) || fill >= 1n << bits) throw new StmtError(`fill value ${fill} does not fit in ${fillSize} byte${fillSize > 1 ? 's' : ''}`, args[1].offset);
      fill = BigInt.asUintN(fillSize * 8, fill);
    }
    let max = -1;
    if (args[2]?.text) {
      const m = this.constExpr(line, args[2], `${name} maximum`);
      if (m < 0n) throw new StmtError('negative maximum skip', args[2].offset);
      max = m === 0n ? -1 : Number(m); // GNU as: 0 means no limit
    }
    if (this.cur.nobits && fill !== null && fill !== 0n) throw new StmtError(`attempt to store a non-zero value in ${this.cur.name}`, args[1].offset);
    this.push(this.mk(K.Align, line, at, { align, fill, fillSize, max }));
  }

  // ---- the walk (pass 1 placement, layout passes, final pass) ------------------------------------

  /** Places one item at its section's location counter; in the final pass also emits it. */
  private step(it: Item): void {
    const sec = this.sections[it.sec];
    let pos = sec.pos;
    const prevLen = it.len;
    switch (it.t) {
      case K.Insn:
        if (it.autoAlign) pos = (pos + 3) & ~3;
        it.off = pos; it.len = 4;
        if (sec.align < 4 && sec.code) sec.align = 4;
        if (this.finalPass) this.emitInsn(it, sec);
        break;
      case K.Data:
        if (it.autoAlign) pos = (pos + 3) & ~3;
        it.off = pos; it.len = it.size * it.args.length;
        if (this.finalPass) this.emitData(it, sec);
        break;
      case K.PoolEntry:
        it.off = pos; it.len = it.size;
        if (this.finalPass) this.emitPoolEntry(it, sec);
        break;
      case K.Bytes:
        it.off = pos; it.len = it.bytes.length;
        if (this.finalPass && !sec.nobits) sec.bytes.set(it.bytes, pos);
        break;
      case K.Fill: {
        it.off = pos;
        let n = 0n;
        this.setEnv(it);
        try {
          const v = evaluate(it.count, this.env);
          if (this.env.unresolved) n = 0n;
          else if (v.sec !== ABS) throw new ExprError('the repeat count must be a constant (not an address)', it.countAt);
          else n = v.v;
          if (n < 0n) { if (this.finalPass) throw new ExprError(`negative repeat count ${n}`, it.countAt); n = 0n; }
          if (n * BigInt(it.size) > BigInt(MAX_SECTION)) throw new ExprError(`repeat count ${n} is too large`, it.countAt);
        } catch (e) {
          if (this.finalPass) this.fail(this.toAsmError(e, it.line, it.countAt));
          n = 0n;
        }
        it.len = Number(n) * it.size;
        if (this.finalPass && !sec.nobits && it.value !== 0n) {
          const dv = new DataView(sec.bytes.buffer, sec.bytes.byteOffset);
          for (let k = 0; k < Number(n); k++) {
            const o = pos + k * it.size;
            for (let b = 0; b < it.size; b++) sec.bytes[o + b] = b < 4 ? Number((it.value >> BigInt(8 * b)) & 0xffn) : 0;
          }
          void dv;
        }
        break;
      }
      case K.Align: {
        if (it.align > sec.align) sec.align = it.align;
        const r = pos % it.align;
        let pad = r === 0 ? 0 : it.align - r;
        if (it.max >= 0 && pad > it.max) pad = 0;
        it.off = pos; it.len = pad;
        if (this.finalPass && pad && !sec.nobits) this.emitPadding(it, sec);
        break;
      }
      case K.Label: {
        const v = BigInt(pos);
        if (it.sym.sec !== it.sec || it.sym.v !== v) { it.sym.sec = it.sec; it.sym.v = v; this.changed = true; }
        it.off = pos; it.len = 0;
        break;
      }
      case K.Set: {
        it.off = pos; it.len = 0;
        this.setEnv(it);
        let v: Value;
        try {
          v = evaluate(it.node, this.env);
        } catch (e) {
          if (this.finalPass) this.fail(this.toAsmError(e, it.line, it.exprAt));
          else { it.sym.pending = true; if (!it.lastPending) { it.lastPending = true; this.changed = true; } }
          break;
        }
        const pending = this.env.unresolved;
        // Compare with what this assignment gave last time (a symbol may be .set several times).
        if (it.lastSec !== v.sec || it.lastV !== v.v || it.lastPending !== pending) {
          it.lastSec = v.sec; it.lastV = v.v; it.lastPending = pending; this.changed = true;
        }
        it.sym.sec = v.sec; it.sym.v = v.v; it.sym.pending = pending;
        break;
      }
      case K.Size:
        it.off = pos; it.len = 0;
        if (this.finalPass) {
          this.setEnv(it);
          try {
            const v = evaluate(it.node, this.env);
            if (v.sec !== ABS) throw new ExprError(`.size expression for '${it.sym.name}' does not evaluate to a constant`, it.exprAt);
            it.sym.size = v.v;
          } catch (e) { this.fail(this.toAsmError(e, it.line, it.exprAt)); }
        }
        break;
      case K.Org: {
        it.off = pos;
        let pad = 0;
        this.setEnv(it);
        try {
          const v = evaluate(it.node, this.env);
          if (!this.env.unresolved) {
            if (v.sec !== ABS && v.sec !== it.sec) throw new ExprError('.org target must be in the current section or absolute', it.exprAt);
            const target = v.v;
            if (target < BigInt(pos)) { if (this.finalPass) throw new ExprError(`attempt to move .org backwards (from ${hex(BigInt(pos))} to ${hex(target)})`, it.exprAt); }
            else if (target - BigInt(pos) > BigInt(MAX_SECTION)) throw new ExprError('.org target is too far away', it.exprAt);
            else pad = Number(target - BigInt(pos));
          }
        } catch (e) {
          if (this.finalPass) this.fail(this.toAsmError(e, it.line, it.exprAt));
        }
        it.len = pad;
        if (this.finalPass && pad && it.fill && !sec.nobits) sec.bytes.fill(it.fill, pos, pos + pad);
        break;
      }
      case K.Leb: {
        it.off = pos;
        this.setEnv(it);
        let v = 0n;
        try {
          const r = evaluate(it.node, this.env);
          v = this.absolute(r);
        } catch (e) {
          if (this.finalPass) this.fail(this.toAsmError(e, it.line, it.exprAt));
        }
        const bytes = leb(v, it.signed);
        it.len = bytes.length;
        if (it.value !== v) { it.value = v; this.changed = true; }
        if (this.finalPass && !sec.nobits) sec.bytes.set(bytes, pos);
        break;
      }
    }
    if (it.len !== prevLen) this.changed = true;
    if (this.changed && !this.changedAt) this.changedAt = it;
    sec.pos = pos + it.len;
  }

  private emitPadding(it: AlignItem, sec: Section): void {
    const b = sec.bytes;
    const start = it.off, end = it.off + it.len;
    if (it.fill === null) {
      if (sec.code) {
        let p = start;
        while (p < end && (p & 3)) b[p++] = 0;
        for (; p + 4 <= end; p += 4) { b[p] = 0x1f; b[p + 1] = 0x20; b[p + 2] = 0x03; b[p + 3] = 0xd5; }
        while (p < end) b[p++] = 0;
      }
      return;
    }
    for (let p = start; p < end; p++) {
      const k = (p - start) % it.fillSize;
      b[p] = Number((it.fill >> BigInt(8 * k)) & 0xffn);
    }
  }

  private writeValue(sec: Section, off: number, size: number, v: bigint): void {
    const b = sec.bytes;
    let x = BigInt.asUintN(size * 8, v);
    for (let k = 0; k < size; k++) { b[off + k] = Number(x & 0xffn); x >>= 8n; }
  }

  /** GNU as accepts a value for an N-byte field when the bits above are all 0 or all 1. */
  private checkFits(v: bigint, size: number, line: SrcLine, at: number, what: string): void {
    if (size >= 8) return;
    const bits = BigInt(size * 8);
    if (v >= 1n << bits || v < -(1n << bits)) {
      throw this.errorAt(line, at, `value ${hex(v)} (${v}) does not fit in ${size} byte${size > 1 ? 's' : ''} (${what})`);
    }
  }

  private emitData(it: DataItem, sec: Section): void {
    for (let k = 0; k < it.args.length; k++) {
      const a = it.args[k];
      try {
        this.setEnv(it);
        this.env.off = it.off + k * it.size; // `.` is where this value goes
        const v = this.absolute(evaluate(a.node, this.env));
        this.checkFits(v, it.size, it.line, a.at, it.inst ? '.inst' : dataName(it.size));
        if (sec.nobits) { if (v !== 0n) throw this.errorAt(it.line, a.at, `attempt to store a non-zero value in ${sec.name}`); continue; }
        this.writeValue(sec, it.off + k * it.size, it.size, v);
      } catch (e) {
        this.fail(this.toAsmError(e, it.line, a.at));
      }
    }
  }

  private emitPoolEntry(it: PoolEntryItem, sec: Section): void {
    try {
      this.setEnv(it.ref);
      const v = this.absolute(evaluate(it.node, this.env));
      this.checkFits(v, it.size, it.line, it.exprAt, `${it.size * 8}-bit literal`);
      this.writeValue(sec, it.off, it.size, v);
    } catch (e) {
      this.fail(this.toAsmError(e, it.line, it.exprAt));
    }
  }

  private emitInsn(it: InsnItem, sec: Section): void {
    const pc = sec.base + BigInt(it.off);
    const self = this;
    const ops = it.ops;
    const opsCol = (k: number): number => {
      if (it.poolFrom >= 0 && k >= it.poolFrom) return it.opsAt + it.poolTo;
      return it.opsAt + Math.min(k, ops.length);
    };
    // The last expression error raised through ctx.evaluate, with its exact place in `ops`: the
    // encoder may rethrow it with a different offset, the message identifies it.
    let evalErr: { message: string; offset: number } | null = null;
    const ctx: EncodeContext = {
      pc,
      final: true,
      evaluate(expr: string): bigint {
        let base = ops.indexOf(expr);
        if (base < 0) base = 0;
        let node = self.exprCache.get(expr);
        if (node === undefined) {
          try {
            let start = skipSpaces(expr, 0);
            if (expr.charCodeAt(start) === Ch.HASH) start++;
            node = parseExpr(expr, start);
          } catch (e) {
            node = e instanceof ExprError ? e : new ExprError(String(e), 0);
          }
          if (self.exprCache.size > 100_000) self.exprCache.clear();
          self.exprCache.set(expr, node);
        }
        if (node instanceof ExprError) {
          evalErr = { message: node.message, offset: base + node.offset };
          throw new OperandError(node.message, node.offset);
        }
        self.setEnv(it);
        self.env.dotForUndefined = true;
        try {
          return self.absolute(evaluate(node, self.env));
        } catch (e) {
          if (e instanceof ExprError) {
            evalErr = { message: e.message, offset: base + e.offset };
            throw new OperandError(e.message, e.offset);
          }
          throw e;
        }
      },
    };
    let word: number;
    try {
      word = this.opts.encode(it.mnem, ops, ctx);
      if (typeof word !== 'number' || !Number.isInteger(word) || word < -0x80000000 || word > 0xffffffff) {
        throw new AsmError(`encoder returned ${String(word)} for '${it.mnem}' (not a 32-bit word)`);
      }
    } catch (e) {
      let err: AsmError;
      const ee = evalErr as { message: string; offset: number } | null;
      if (e instanceof Error && ee && e.message === ee.message) err = this.errorAt(it.line, opsCol(ee.offset), e.message);
      else if (e instanceof OperandError) err = e.offset < 0 ? this.errorAt(it.line, it.at, e.message) : this.errorAt(it.line, opsCol(e.offset), e.message);
      else if (e instanceof AsmError) err = e.pos ? e : this.errorAt(it.line, it.at, e.message);
      else err = this.toAsmError(e, it.line, it.at);
      this.fail(err);
      return;
    }
    const b = sec.bytes;
    const o = it.off;
    b[o] = word & 0xff; b[o + 1] = (word >>> 8) & 0xff; b[o + 2] = (word >>> 16) & 0xff; b[o + 3] = (word >>> 24) & 0xff;
  }

  // ---- end of pass 1, layout, final ----------------------------------------------------------

  private finishPass1(): void {
    if (this.collecting) {
      const c = this.collecting;
      this.collecting = null;
      this.fail(new AsmError(`unterminated ${c.what} (no ${c.kind === 'macro' ? '.endm' : '.endr'} before the end of the input)`, c.pos));
    }
    for (const c of this.conds) this.fail(new AsmError('unterminated .if (no .endif before the end of the input)', c.pos));
    this.conds = [];
    // Literal pools still pending go at the end of their sections.
    for (const sec of this.sections) {
      const pool = this.pools.get(sec.idx);
      if (pool && pool.entries.length) this.dumpPool(sec, pool.entries[0].line, pool.entries[0].exprAt);
    }
    // Common symbols are allocated at the end of .bss, like a linker would.
    if (this.commons.length) {
      const bss = this.section('.bss', null, null);
      const saved = this.cur;
      this.cur = bss;
      for (const c of this.commons) {
        if (c.sym.defined) continue;
        this.push(this.mk(K.Align, c.line, c.at, { align: c.align, fill: null, fillSize: 1, max: -1 }));
        c.sym.defined = true; c.sym.how = 'common';
        this.push(this.mk(K.Label, c.line, c.at, { sym: c.sym }));
        this.push(this.mk(K.Fill, c.line, c.at, { count: { k: 'num', v: BigInt(c.size) }, countAt: c.at, size: 1, value: 0n }));
      }
      this.cur = saved;
    }
    this.pass1 = false;
  }

  /** Assigns addresses: executable, read-only, writable and zero-initialised groups, each page aligned. */
  private assignBases(): boolean {
    let changed = false;
    const groups: Section[][] = [[], [], [], []];
    const firstOf = ['.text', '.rodata', '.data', '.bss'];
    for (const s of this.sections) {
      if (!s.alloc) { if (s.base !== 0n) { s.base = 0n; changed = true; } continue; }
      const g = s.code ? 0 : s.nobits ? 3 : s.flags.includes('w') ? 2 : 1;
      if (s.name === firstOf[g]) groups[g].unshift(s); else groups[g].push(s);
    }
    let addr = this.textBase;
    let firstGroup = true;
    for (const g of groups) {
      if (!g.length) continue;
      if (!firstGroup) addr = (addr + PAGE - 1n) & ~(PAGE - 1n);
      firstGroup = false;
      for (const s of g) {
        const al = BigInt(s.align);
        addr = (addr + al - 1n) & ~(al - 1n);
        if (s.base !== addr) { s.base = addr; changed = true; }
        addr += BigInt(s.size);
      }
    }
    return changed;
  }

  private walk(): void {
    for (const s of this.sections) s.pos = 0;
    for (const it of this.items) this.step(it);
    for (const s of this.sections) {
      if (s.pos > MAX_SECTION) throw new AsmError(`section ${s.name} is too large (${s.pos} bytes)`);
      if (s.size !== s.pos) { s.size = s.pos; this.changed = true; }
    }
  }

  private layout(): void {
    for (const s of this.sections) s.size = s.pos;
    this.assignBases();
    let pass = 0;
    for (;;) {
      this.changed = false;
      this.changedAt = null;
      this.walk();
      if (this.assignBases()) this.changed = true;
      if (!this.changed) break;
      if (++pass >= MAX_PASSES) {
        const msg = `layout did not settle after ${MAX_PASSES} passes (sizes depend on each other)`;
        const at = this.changedAt as Item | null;
        this.fail(at ? this.errorAt(at.line, at.at, msg) : new AsmError(msg));
        break;
      }
    }
  }

  private finish(): AsmResult {
    this.finalPass = true;
    for (const s of this.sections) s.bytes = new Uint8Array(s.nobits ? 0 : s.size);
    for (const s of this.sections) s.pos = 0;
    for (const it of this.items) this.step(it);

    const lineMap: LineMapEntry[] = [];
    for (const it of this.items) {
      let kind: 'insn' | 'data';
      if (it.t === K.Insn || (it.t === K.Data && it.inst)) kind = 'insn';
      else if ((it.t === K.Data || it.t === K.Bytes || it.t === K.Fill || it.t === K.Leb || it.t === K.PoolEntry) && it.len > 0) kind = 'data';
      else continue;
      const sec = this.sections[it.sec];
      if (!sec.alloc) continue;
      const p = it.line.mapTo ?? posAt(it.line, it.at);
      lineMap.push({ address: sec.base + BigInt(it.off), file: p.file, line: p.line, column: p.column, size: it.len, kind });
    }
    lineMap.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));

    const sections: AsmSection[] = this.sections.map(s => ({
      name: s.name, flags: s.flags, type: s.type, address: s.alloc ? s.base : 0n, size: s.size, align: s.align, bytes: s.bytes,
    }));
    const symbols: AsmSymbol[] = [];
    for (const s of this.symbols.values()) {
      if (!s.defined || s.internal) continue;
      const binding: SymbolBinding = s.binding ?? (s.how === 'common' ? 'global' : 'local');
      const sec = s.sec >= 0 ? this.sections[s.sec] : null;
      const out: AsmSymbol = {
        name: s.name,
        value: sec ? BigInt.asUintN(64, (sec.alloc ? sec.base : 0n) + s.v) : BigInt.asUintN(64, s.v),
        section: sec ? sec.name : null,
        binding, global: binding !== 'local', type: s.type,
      };
      if (s.size !== undefined) out.size = s.size;
      if (s.name.startsWith('.L')) out.temporary = true;
      if (s.defPos) out.pos = s.defPos;
      symbols.push(out);
    }
    const start = this.symbols.get('_start');
    let entry = this.secByName.get('.text')!.base;
    if (start && start.defined && start.sec >= 0) entry = this.sections[start.sec].base + start.v;
    return { sections, symbols, entry, lineMap, errors: this.errors, diagnostics: this.diagnostics, files: this.files };
  }

  // ---- directive table -------------------------------------------------------------------------

  /** Parses `sym[, sym...]` names for .global and friends. */
  private names(line: SrcLine, restAt: number, end: number, what: string): Array<{ name: string; at: number }> {
    const out: Array<{ name: string; at: number }> = [];
    for (const a of splitArgs(line.text, restAt, end)) {
      if (!/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(a.text)) throw new StmtError(`${what} needs symbol names`, a.offset);
      out.push({ name: a.text, at: a.offset });
    }
    if (!out.length) throw new StmtError(`${what} needs symbol names`, restAt);
    return out;
  }

  /** Handlers, bound by name below. */
  static handlers: Record<string, (this: Assembler, name: string, line: SrcLine, at: number, restAt: number, end: number) => void> = {
    // sections
    '.text'(n, l, at, r, e) { this.subsectionCheck(l, r, e); this.switchTo(this.section('.text', null, null)); },
    '.data'(n, l, at, r, e) { this.subsectionCheck(l, r, e); this.switchTo(this.section('.data', null, null)); },
    '.bss'(n, l, at, r, e) { this.subsectionCheck(l, r, e); this.switchTo(this.section('.bss', null, null)); },
    '.rodata'(n, l, at, r, e) { this.subsectionCheck(l, r, e); this.switchTo(this.section('.rodata', null, null)); },
    '.section'(n, l, at, r, e) { this.switchTo(this.sectionDirective(l, r, e)); },
    '.pushsection'(n, l, at, r, e) {
      const s = this.sectionDirective(l, r, e);
      this.secStack.push([this.cur, this.prev]);
      this.switchTo(s);
    },
    '.popsection'(n, l, at) {
      const top = this.secStack.pop();
      if (!top) throw new StmtError('.popsection without .pushsection', at);
      [this.cur, this.prev] = top;
    },
    '.previous'(n, l, at) {
      if (!this.prev) throw new StmtError('.previous without a previous section', at);
      const p = this.prev; this.prev = this.cur; this.cur = p;
    },
    // data
    '.byte'(n, l, at, r, e) { this.dataDirective(1, l, at, r, e); },
    '.hword'(n, l, at, r, e) { this.dataDirective(2, l, at, r, e); },
    '.short'(n, l, at, r, e) { this.dataDirective(2, l, at, r, e); },
    '.2byte'(n, l, at, r, e) { this.dataDirective(2, l, at, r, e); },
    '.word'(n, l, at, r, e) { this.dataDirective(4, l, at, r, e); },
    '.long'(n, l, at, r, e) { this.dataDirective(4, l, at, r, e); },
    '.int'(n, l, at, r, e) { this.dataDirective(4, l, at, r, e); },
    '.4byte'(n, l, at, r, e) { this.dataDirective(4, l, at, r, e); },
    '.quad'(n, l, at, r, e) { this.dataDirective(8, l, at, r, e); },
    '.xword'(n, l, at, r, e) { this.dataDirective(8, l, at, r, e); },
    '.8byte'(n, l, at, r, e) { this.dataDirective(8, l, at, r, e); },
    '.dword'(n, l, at, r, e) { this.dataDirective(8, l, at, r, e); },
    '.inst'(n, l, at, r, e) { this.dataDirective(4, l, at, r, e, true); },
    '.ascii'(n, l, at, r, e) { this.stringDirective(false, l, at, r, e); },
    '.asciz'(n, l, at, r, e) { this.stringDirective(true, l, at, r, e); },
    '.string'(n, l, at, r, e) { this.stringDirective(true, l, at, r, e); },
    '.float'(n, l, at, r, e) { this.floatDirective(4, l, at, r, e); },
    '.single'(n, l, at, r, e) { this.floatDirective(4, l, at, r, e); },
    '.double'(n, l, at, r, e) { this.floatDirective(8, l, at, r, e); },
    '.zero'(n, l, at, r, e) { this.fillDirective('zero', l, at, r, e); },
    '.skip'(n, l, at, r, e) { this.fillDirective('skip', l, at, r, e); },
    '.space'(n, l, at, r, e) { this.fillDirective('skip', l, at, r, e); },
    '.fill'(n, l, at, r, e) { this.fillDirective('fill', l, at, r, e); },
    '.sleb128'(n, l, at, r, e) { this.lebDirective(true, l, at, r, e); },
    '.uleb128'(n, l, at, r, e) { this.lebDirective(false, l, at, r, e); },
    '.octa'(n, l, at, r, e) {
      const out: number[] = [];
      for (const a of splitArgs(l.text, r, e)) {
        // plain numbers may be wider than 64 bits here
        const big = /^(0[xX][0-9a-fA-F]+|[1-9][0-9]*|0)$/.test(a.text) ? BigInt(a.text) : null;
        if (big !== null && big >= 1n << 128n) throw new StmtError(`number '${a.text}' does not fit in 128 bits`, a.offset);
        let v = BigInt.asUintN(128, big ?? this.constExpr(l, a, '.octa'));
        for (let k = 0; k < 16; k++) { out.push(Number(v & 0xffn)); v >>= 8n; }
      }
      this.bytesItem(new Uint8Array(out), l, at);
    },
    '.balign'(n, l, at, r, e) { this.alignDirective(n, l, at, r, e); },
    '.balignw'(n, l, at, r, e) { this.alignDirective(n, l, at, r, e); },
    '.balignl'(n, l, at, r, e) { this.alignDirective(n, l, at, r, e); },
    '.p2align'(n, l, at, r, e) { this.alignDirective(n, l, at, r, e); },
    '.p2alignw'(n, l, at, r, e) { this.alignDirective(n, l, at, r, e); },
    '.p2alignl'(n, l, at, r, e) { this.alignDirective(n, l, at, r, e); },
    '.align'(n, l, at, r, e) { this.alignDirective(n, l, at, r, e); },
    '.org'(n, l, at, r, e) {
      const args = splitArgs(l.text, r, e);
      if (!args.length || !args[0].text) throw new StmtError('.org needs an address', r);
      const node = parseExpr(l.text, args[0].offset, args[0].offset + args[0].text.length);
      let fill = 0;
      if (args[1]?.text) fill = Number(this.constExpr(l, args[1], '.org fill') & 0xffn);
      this.push(this.mk(K.Org, l, at, { node, exprAt: args[0].offset, fill }));
    },
    '.ltorg'(n, l, at) { this.dumpPool(this.cur, l, at); },
    '.pool'(n, l, at) { this.dumpPool(this.cur, l, at); },
    // symbols
    '.global'(n, l, at, r, e) { for (const x of this.names(l, r, e, n)) this.bind(x.name, 'global', l, x.at); },
    '.globl'(n, l, at, r, e) { for (const x of this.names(l, r, e, n)) this.bind(x.name, 'global', l, x.at); },
    '.weak'(n, l, at, r, e) { for (const x of this.names(l, r, e, n)) this.bind(x.name, 'weak', l, x.at); },
    '.local'(n, l, at, r, e) { for (const x of this.names(l, r, e, n)) this.bind(x.name, 'local', l, x.at); },
    '.hidden'(n, l, at, r, e) { for (const x of this.names(l, r, e, n)) this.sym(x.name); },
    '.protected'(n, l, at, r, e) { for (const x of this.names(l, r, e, n)) this.sym(x.name); },
    '.internal'(n, l, at, r, e) { for (const x of this.names(l, r, e, n)) this.sym(x.name); },
    '.type'(n, l, at, r, e) {
      const args = splitArgs(l.text, r, e);
      if (args.length !== 2 || !/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(args[0].text)) throw new StmtError('expected .type symbol, type', r);
      const t = args[1].text.replace(/^[%@#]/, '').replace(/^"(.*)"$/, '$1').toLowerCase();
      let type: SymbolType;
      if (t === 'function' || t === 'stt_func' || t === 'gnu_indirect_function' || t === 'stt_gnu_ifunc') type = 'func';
      else if (t === 'object' || t === 'stt_object' || t === 'tls_object' || t === 'stt_tls' || t === 'common' || t === 'stt_common' || t === 'gnu_unique_object') type = 'object';
      else if (t === 'notype' || t === 'stt_notype') type = 'notype';
      else throw new StmtError(`unknown symbol type '${args[1].text}'`, args[1].offset);
      this.sym(args[0].text).type = type;
    },
    '.size'(n, l, at, r, e) {
      const args = splitArgs(l.text, r, e);
      if (args.length !== 2 || !/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(args[0].text)) throw new StmtError('expected .size symbol, expression', r);
      const node = parseExpr(l.text, args[1].offset, args[1].offset + args[1].text.length);
      this.push(this.mk(K.Size, l, at, { sym: this.sym(args[0].text), node, exprAt: args[1].offset }));
    },
    '.set'(n, l, at, r, e) { this.equDirective('set', l, r, e); },
    '.equ'(n, l, at, r, e) { this.equDirective('set', l, r, e); },
    '.equiv'(n, l, at, r, e) { this.equDirective('equiv', l, r, e); },
    '.comm'(n, l, at, r, e) { this.commDirective(false, l, at, r, e); },
    '.lcomm'(n, l, at, r, e) { this.commDirective(true, l, at, r, e); },
    '.unreq'(n, l, at, r, e) {
      const name = l.text.slice(r, e).trim();
      if (!this.aliases.delete(name)) throw new StmtError(`unknown register alias '${name}'`, skipSpaces(l.text, r, e));
    },
    // macros, repetition, conditionals, includes
    '.macro'(n, l, at, r, e) { this.defineMacro(l, at, r, e); },
    '.endm'(n, l, at) { throw new StmtError('.endm without .macro', at); },
    '.endmacro'(n, l, at) { throw new StmtError('.endm without .macro', at); },
    '.endr'(n, l, at) { throw new StmtError('.endr without .rept, .irp or .irpc', at); },
    '.exitm'(n, l, at) {
      let k = this.frames.length - 1;
      while (k >= 0 && this.frames[k].kind !== 'macro') k--;
      if (k < 0) throw new StmtError('.exitm outside a macro', at);
      const f = this.frames[k];
      this.frames.length = k;
      this.conds.length = Math.min(this.conds.length, f.condDepth);
    },
    '.purgem'(n, l, at, r, e) {
      for (const x of this.names(l, r, e, n)) {
        if (!this.macros.delete(x.name.toLowerCase())) throw new StmtError(`macro '${x.name}' is not defined`, x.at);
      }
    },
    '.rept'(n, l, at, r, e) { this.startRept('.rept', l, at, r, e); },
    '.irp'(n, l, at, r, e) { this.startRept('.irp', l, at, r, e); },
    '.irpc'(n, l, at, r, e) { this.startRept('.irpc', l, at, r, e); },
    '.include'(n, l, at, r, e) { this.include(l, at, r, e); },
    '.incbin'(n, l, at) { throw new StmtError('.incbin is not supported', at); },
    '.end'() { this.ended = true; },
    // messages
    '.err'(n, l, at) { throw new StmtError('.err encountered', at); },
    '.error'(n, l, at, r, e) { throw new StmtError(this.message(l, r, e, '.error directive invoked in source file'), at); },
    '.warning'(n, l, at, r, e) { this.warn(l, at, this.message(l, r, e, '.warning directive invoked in source file')); },
    '.print'(n, l, at, r, e) { this.diagnostics.push({ severity: 'info', message: this.message(l, r, e, ''), pos: posAt(l, at) }); },
    // accepted and ignored
    '.arch'() {}, '.arch_extension'() {}, '.cpu'() {}, '.file'() {}, '.loc'() {}, '.loc_mark_labels'() {},
    '.ident'() {}, '.variant_pcs'() {}, '.addrsig'() {}, '.addrsig_sym'() {}, '.note'() {}, '.nops'(n, l, at) {
      throw new StmtError('.nops is not supported', at);
    },
    '.altmacro'(n, l, at) { throw new StmtError('.altmacro is not supported', at); },
    '.noaltmacro'() {},
    '.tlsdesccall'(n, l, at) { throw new StmtError('TLS descriptors are not supported', at); },
  };

  private subsectionCheck(line: SrcLine, restAt: number, end: number): void {
    const a = splitArgs(line.text, restAt, end);
    if (a.length && this.constExpr(line, a[0], 'subsection') !== 0n) throw new StmtError('subsections are not supported', a[0].offset);
  }

  private sectionDirective(line: SrcLine, restAt: number, end: number): Section {
    const s = line.text;
    const args = splitArgs(s, restAt, end);
    if (!args.length || !args[0].text) throw new StmtError('expected a section name', restAt);
    let name = args[0].text;
    if (name.startsWith('"')) name = new TextDecoder().decode(new Uint8Array(parseString(name, 0).bytes));
    let flags: string | null = null;
    let type: SectionType | null = null;
    if (args[1]) {
      const f = args[1].text;
      if (/^-?\d+$/.test(f)) {
        if (Number(f) !== 0) throw new StmtError('subsections are not supported', args[1].offset);
      } else {
        if (!/^"[^"]*"$/.test(f)) throw new StmtError('expected section flags in quotes', args[1].offset);
        flags = f.slice(1, -1);
        const bad = /[^awxMSGTRoedy?]/.exec(flags);
        if (bad) throw new StmtError(`unknown section flag '${bad[0]}'`, args[1].offset + 1 + bad.index);
      }
    }
    if (args[2]) {
      const t = args[2].text.replace(/^[@%]/, '').toLowerCase();
      const types: Record<string, SectionType> = {
        progbits: 'progbits', nobits: 'nobits', note: 'note', init_array: 'init_array', fini_array: 'fini_array', preinit_array: 'preinit_array',
      };
      if (!(t in types)) throw new StmtError(`unknown section type '${args[2].text}'`, args[2].offset);
      type = types[t];
    }
    return this.section(name, flags, type, line, args[0].offset);
  }

  private bind(name: string, binding: SymbolBinding, line: SrcLine, at: number): void {
    const s = this.sym(name);
    if (s.binding && s.binding !== binding && !(s.binding === 'global' && binding === 'weak')) {
      this.warn(line, at, `symbol '${name}' was already declared ${s.binding}`);
    }
    s.binding = binding;
  }

  private equDirective(how: 'set' | 'equiv', line: SrcLine, restAt: number, end: number): void {
    const s = line.text;
    const n0 = skipSpaces(s, restAt, end);
    const n1 = scanSymbol(s, n0, end);
    if (n1 === n0) throw new StmtError('expected a symbol name', n0);
    const c = skipSpaces(s, n1, end);
    if (c >= end || s.charCodeAt(c) !== Ch.COMMA) throw new StmtError('expected a comma after the symbol name', c);
    this.assign(s.slice(n0, n1), line, n0, c + 1, end, how);
  }

  private commDirective(local: boolean, line: SrcLine, at: number, restAt: number, end: number): void {
    const args = splitArgs(line.text, restAt, end);
    const what = local ? '.lcomm' : '.comm';
    if (args.length < 2 || !/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(args[0].text)) throw new StmtError(`expected ${what} symbol, size[, align]`, restAt);
    const size = this.constExpr(line, args[1], what);
    if (size < 0n || size > BigInt(MAX_SECTION)) throw new StmtError(`bad size ${size} in ${what}`, args[1].offset);
    let align: number;
    if (args[2]?.text) {
      const a = this.constExpr(line, args[2], what);
      if (a < 0n || a > 1n << 28n || (a !== 0n && (a & (a - 1n)) !== 0n)) throw new StmtError(`alignment ${a} is not a power of 2`, args[2].offset);
      align = Math.max(1, Number(a));
    } else if (local) {
      // GNU as: 8 for objects of 8 bytes or more, else the largest power of two not above the size
      const n = Number(size);
      align = n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1;
    } else {
      // GNU as records the next power of two up to 16 for commons
      align = 1;
      while (align < 16 && align < Number(size)) align *= 2;
    }
    const sym = this.sym(args[0].text);
    if (sym.defined) throw new StmtError(`symbol '${sym.name}' is already defined${sym.defPos ? ` (at ${fmtPos(sym.defPos)})` : ''}`, args[0].offset);
    sym.type = 'object';
    sym.size = size;
    sym.defPos = posAt(line, args[0].offset);
    if (!local) {
      if (!sym.binding) sym.binding = 'global';
      this.commons.push({ sym, size: Number(size), align, line, at });
      return;
    }
    const bss = this.section('.bss', null, null);
    const saved = this.cur;
    this.cur = bss;
    this.push(this.mk(K.Align, line, at, { align, fill: null, fillSize: 1, max: -1 }));
    sym.defined = true; sym.how = 'label';
    this.push(this.mk(K.Label, line, at, { sym }));
    this.push(this.mk(K.Fill, line, at, { count: { k: 'num', v: size }, countAt: args[1].offset, size: 1, value: 0n }));
    this.cur = saved;
  }

  private lebDirective(signed: boolean, line: SrcLine, at: number, restAt: number, end: number): void {
    for (const a of splitArgs(line.text, restAt, end)) {
      if (!a.text) throw new StmtError('missing value', a.offset);
      const node = parseExpr(line.text, a.offset, a.offset + a.text.length);
      if (this.cur.nobits) throw new StmtError(`attempt to store a value in ${this.cur.name}`, a.offset);
      this.push(this.mk(K.Leb, line, at, { signed, node, exprAt: a.offset, value: 0n }));
    }
  }

  /** The text of .error/.warning/.print: a string literal, or the default. */
  private message(line: SrcLine, restAt: number, end: number, dflt: string): string {
    const s = line.text;
    const p = skipSpaces(s, restAt, end);
    if (p >= end) return dflt;
    if (s[p] !== '"') throw new StmtError('expected a string', p);
    const r = parseString(s, p);
    return new TextDecoder().decode(new Uint8Array(r.bytes));
  }
}

const DIRECTIVES = new Map(Object.entries(Assembler.handlers));
const CONDITIONALS = new Set(['.if', '.ifdef', '.ifndef', '.ifnotdef', '.ifc', '.ifnc', '.ifeq', '.ifne', '.ifge', '.ifgt', '.ifle',
  '.iflt', '.ifb', '.ifnb', '.ifeqs', '.ifnes', '.else', '.elseif', '.endif']);

function dataName(size: number): string {
  return size === 1 ? '.byte' : size === 2 ? '.hword' : size === 4 ? '.word' : '.quad';
}

function fmtPos(p: SourcePos): string { return `${p.file}:${p.line}:${p.column}`; }

function normFlags(f: string): string {
  const order = 'awxMSGTRoedy?';
  return [...new Set(f)].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join('');
}

function leb(v: bigint, signed: boolean): Uint8Array {
  const out: number[] = [];
  let x = signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    const done = signed ? (x === 0n && !(b & 0x40)) || (x === -1n && (b & 0x40) !== 0) : x === 0n;
    out.push(done ? b : b | 0x80);
    if (done) break;
  }
  return new Uint8Array(out);
}

/**
 * Expands one macro (or .irp) body line: `\name` for each parameter, `\()` (nothing), `\@` (the
 * expansion counter). Other backslashes are kept.
 */
function substitute(body: SrcLine, values: Map<string, string>, counter: string | null, mapTo: SourcePos | undefined, from: SourcePos[] | undefined): SrcLine {
  const s = body.text;
  if (s.indexOf('\\') < 0) return { text: s, file: body.file, line: body.line, map: body.map, mapTo, from };
  const b = new LineBuilder();
  let last = 0;
  let i = s.indexOf('\\');
  while (i >= 0 && i < s.length) {
    const c = s.charCodeAt(i + 1);
    let repl: string | null = null;
    let len = 0;
    if (c === Ch.LPAREN && s.charCodeAt(i + 2) === Ch.RPAREN) { repl = ''; len = 3; }
    else if (c === Ch.AT && counter !== null) { repl = counter; len = 2; }
    else if (isSymStart(c) || isDigit(c)) {
      let j = i + 2;
      while (j < s.length && isSymChar(s.charCodeAt(j))) j++;
      const v = values.get(s.slice(i + 1, j));
      if (v !== undefined) { repl = v; len = j - i; }
    }
    if (repl !== null) {
      b.copy(body, last, i);
      const p = posAt(body, i);
      b.substituted(repl, p.line, p.column);
      last = i + len;
      i = s.indexOf('\\', last);
    } else {
      i = s.indexOf('\\', i + 2 > s.length ? s.length : i + 1 + (c === Ch.BACKSLASH ? 1 : 0));
    }
  }
  b.copy(body, last, s.length);
  const out = b.finish(body.file, body.line);
  out.mapTo = mapTo;
  out.from = from;
  return out;
}

/** Assembles a GNU-as-syntax AArch64 source file. See AsmOptions / AsmResult. */
export function assemble(source: string, options: AsmOptions): AsmResult {
  return new Assembler(options).run(source);
}
