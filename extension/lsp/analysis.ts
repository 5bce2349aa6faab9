// One analysed version of a document: the assembler's result (errors, symbols, layout) with the
// lexical scan, so every editor feature reads from one place. Pure: no LSP connection, no vscode.
import { assemble, AsmError, type AsmResult, type AsmSymbol, type ReadInclude } from '../../emulator/asm';
import { A64 } from '../../emulator/isa/table';
import { scanDocument, type Scan, type Tok } from './scan';

export interface Range { start: { line: number; character: number }; end: { line: number; character: number } }

export interface Problem {
  range: Range;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** For errors inside macro expansions / included files: where it came from (file path, 0-based range). */
  related: { file: string; range: Range; message: string }[];
}

export interface SymbolDef {
  name: string;
  /** File the definition is in (the document's own `file` when local). */
  file: string;
  range: Range;
  kind: 'label' | 'function' | 'object' | 'constant' | 'macro' | 'define';
  symbol?: AsmSymbol;
}

export interface Analysis {
  file: string;
  scan: Scan;
  result?: AsmResult;
  problems: Problem[];
  /** Definitions by symbol name (case-sensitive), for this document and its includes. */
  defs: Map<string, SymbolDef>;
  /** The assembler's symbols by name. */
  symbols: Map<string, AsmSymbol>;
}

export interface AnalyzeOptions {
  /** The file path used in positions (`.S`/`.sx` selects the C preprocessor). */
  file: string;
  readInclude?: ReadInclude;
}

const encode = A64.encode.bind(A64);

const rangeOf = (line: number, start: number, end: number): Range => ({ start: { line, character: start }, end: { line, character: end } });

/** Analyses a document. Never throws: an assembler crash becomes a problem on line 1. */
export function analyze(text: string, opts: AnalyzeOptions): Analysis {
  const preprocessed = /\.(S|sx)$/.test(opts.file);
  const scan = scanDocument(text, { preprocessed });
  const problems: Problem[] = [];
  let result: AsmResult | undefined;
  try {
    result = assemble(text, { file: opts.file, encode, collectErrors: true, readInclude: opts.readInclude });
  } catch (e) {
    // collectErrors reports errors in the result; anything thrown is a limit or an internal error.
    const msg = e instanceof AsmError ? e.bare : e instanceof Error ? e.message : String(e);
    const pos = e instanceof AsmError ? e.pos : undefined;
    problems.push({
      range: pos && pos.file === opts.file ? tokenRange(scan, text, pos.line - 1, pos.column - 1) : rangeOf(0, 0, 0),
      severity: 'error', message: e instanceof AsmError ? msg : `assembler failed: ${msg}`, related: [],
    });
  }
  if (result) {
    for (const d of result.diagnostics) {
      const related: Problem['related'] = [];
      let range: Range;
      if (!d.pos) range = rangeOf(0, 0, 0);
      else if (d.pos.file === opts.file) range = tokenRange(scan, text, d.pos.line - 1, d.pos.column - 1);
      else {
        // in an included file: show it at the include line, with the real place as related information
        range = includeLineRange(scan, text, d.pos.file);
        related.push({ file: d.pos.file, range: rangeOf(d.pos.line - 1, d.pos.column - 1, d.pos.column - 1), message: d.message });
      }
      const err = result.errors.find(e => e.pos === d.pos && e.bare === d.message);
      for (const f of err?.from ?? []) {
        related.push({ file: f.file, range: rangeOf(f.line - 1, f.column - 1, f.column - 1), message: 'in this macro invocation' });
      }
      const message = d.pos && d.pos.file !== opts.file ? `${d.pos.file}:${d.pos.line}:${d.pos.column}: ${d.message}` : d.message;
      problems.push({ range, severity: d.severity, message, related });
    }
  }
  const symbols = new Map<string, AsmSymbol>();
  for (const s of result?.symbols ?? []) symbols.set(s.name, s);
  const defs = new Map<string, SymbolDef>();
  // 1. what the scan sees in this document (exact ranges)
  for (const t of scan.tokens) {
    if (t.kind !== 'labelDef' && t.kind !== 'symbolDef' && t.kind !== 'macroDef') continue;
    if (/^\d+$/.test(t.text)) continue; // numeric local labels are resolved per reference
    const key = t.kind === 'macroDef' ? t.text.toLowerCase() : t.text;
    if (defs.has(key)) continue;
    const sym = symbols.get(t.text);
    const kind: SymbolDef['kind'] = t.kind === 'macroDef' ? 'macro'
      : t.kind === 'symbolDef' ? (isDefineLine(scan, t) ? 'define' : 'constant')
      : sym?.type === 'func' ? 'function' : sym?.type === 'object' ? 'object' : 'label';
    defs.set(key, { name: t.text, file: opts.file, range: rangeOf(t.line, t.start, t.end), kind, symbol: sym });
  }
  // 2. symbols the assembler defined elsewhere (included files)
  for (const s of symbols.values()) {
    if (defs.has(s.name) || !s.pos || s.pos.file === opts.file) continue;
    defs.set(s.name, {
      name: s.name, file: s.pos.file, range: rangeOf(s.pos.line - 1, s.pos.column - 1, s.pos.column - 1 + s.name.length),
      kind: s.section === null ? 'constant' : s.type === 'func' ? 'function' : s.type === 'object' ? 'object' : 'label', symbol: s,
    });
  }
  return { file: opts.file, scan, result, problems, defs, symbols };
}

function isDefineLine(scan: Scan, t: Tok): boolean {
  const i = scan.tokens.indexOf(t);
  const prev = i > 0 ? scan.tokens[i - 1] : undefined;
  return !!prev && prev.line === t.line && prev.kind === 'directive' && prev.text.startsWith('#');
}

/** The range of the token starting at or containing (line, col); else the rest of the word there. */
function tokenRange(scan: Scan, text: string, line: number, col: number): Range {
  for (const t of scan.tokens) {
    if (t.line > line) break;
    if (t.line === line && col >= t.start && col < t.end) return rangeOf(line, t.start, t.end);
  }
  const lineText = text.split(/\r\n|\r|\n/, line + 1)[line] ?? '';
  let e = col;
  while (e < lineText.length && /[^\s,\]]/.test(lineText[e])) e++;
  if (e === col) {
    // nothing at the column (e.g. a missing operand at the end): mark up to the end of the statement
    e = Math.max(col + 1, (scan.code[line] ?? lineText).trimEnd().length);
  }
  return rangeOf(line, col, e);
}

function includeLineRange(scan: Scan, text: string, file: string): Range {
  const base = file.replace(/^.*[\\/]/, '');
  for (const st of scan.statements) {
    if (!st.op || st.op.text.toLowerCase() !== '.include') continue;
    const arg = scan.tokens.slice(st.firstOperandTok, st.endTok).find(t => t.kind === 'string');
    if (arg && arg.text.includes(base)) return rangeOf(st.line, st.op.start, arg.end);
  }
  // `#include` lines in .S files
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*#\s*include\b/.test(lines[i]) && lines[i].includes(base)) return rangeOf(i, 0, lines[i].length);
  }
  return rangeOf(0, 0, 0);
}

/** All references (and definitions) of `name` in the document, in order. Numeric labels excluded. */
export function occurrences(a: Analysis, name: string, includeDefinition: boolean): Tok[] {
  const macro = a.scan.macros.has(name.toLowerCase()) && !a.symbols.has(name);
  return a.scan.tokens.filter(t => {
    if (macro) {
      if (t.kind === 'macroCall') return t.text.toLowerCase() === name.toLowerCase();
      if (t.kind === 'macroDef') return includeDefinition && t.text.toLowerCase() === name.toLowerCase();
      return false;
    }
    if (t.text !== name) return false;
    if (t.kind === 'symbol') return true;
    return includeDefinition && (t.kind === 'labelDef' || t.kind === 'symbolDef');
  });
}

/** Resolves a `1b`/`1f` reference (or a `1:` definition itself) to the defining `N:` token. */
export function resolveLocalLabel(a: Analysis, ref: Tok): Tok | undefined {
  const toks = a.scan.tokens;
  if (ref.kind === 'labelDef') return ref;
  const n = ref.text.slice(0, -1);
  const back = ref.text.endsWith('b');
  const idx = toks.indexOf(ref);
  if (back) {
    for (let k = idx - 1; k >= 0; k--) if (toks[k].kind === 'labelDef' && toks[k].text === n) return toks[k];
  } else {
    for (let k = idx + 1; k < toks.length; k++) if (toks[k].kind === 'labelDef' && toks[k].text === n) return toks[k];
  }
  return undefined;
}

/** References to one numeric local label definition (`1:`): the `1b` after it and the `1f` before it. */
export function localLabelReferences(a: Analysis, def: Tok): Tok[] {
  return a.scan.tokens.filter(t => t.kind === 'localRef' && t.text.slice(0, -1) === def.text && resolveLocalLabel(a, t) === def);
}
