// The editor features computed from an Analysis (pure functions returning LSP data types):
// hover, completion, definition, references, highlights, rename, document symbols, semantic tokens.
import {
  CompletionItemKind, DocumentHighlightKind, InsertTextFormat, MarkupKind, SymbolKind,
  type CompletionItem, type DocumentHighlight, type DocumentSymbol, type Hover, type Position, type Range, type SemanticTokensLegend,
} from 'vscode-languageserver';
import { A64 } from '../../emulator/isa/table';
import { type Analysis, occurrences, resolveLocalLabel, localLabelReferences, type SymbolDef } from './analysis';
import { directiveDoc, DIRECTIVES, mnemonicHover, numberDoc, registerDoc, symbolDoc, sysregDoc, describeMnemonic } from './docs';
import { CONDITIONS, PSTATE_FIELDS, statementAt, SYSTEM_REGISTERS, tokenAt, type Tok } from './scan';

const range = (t: Tok): Range => ({ start: { line: t.line, character: t.start }, end: { line: t.line, character: t.end } });
const md = (value: string, t?: Tok): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, range: t ? range(t) : undefined });

// ---- hover ----------------------------------------------------------------------------------------

export function hover(a: Analysis, pos: Position): Hover | null {
  const t = tokenAt(a.scan, pos.line, pos.character);
  if (!t) return null;
  switch (t.kind) {
    case 'mnemonic': { const h = mnemonicHover(t.text); return h ? md(h, t) : null; }
    case 'directive': {
      if (t.text.startsWith('#')) return md(`**${t.text.replace(/\s+/g, '')}** — C preprocessor directive (\`.S\` files)`, t);
      const h = directiveDoc(t.text); return h ? md(h, t) : null;
    }
    case 'sysreg': { const h = sysregDoc(t.text); return h ? md(h, t) : null; }
    case 'register': { const h = registerDoc(t.text); return h ? md(h, t) : null; }
    case 'number': { const h = numberDoc(t.text); return h ? md(h, t) : null; }
    case 'macroCall': case 'macroDef': {
      const m = a.scan.macros.get(t.text.toLowerCase());
      return m ? md('```tagvisor-asm\n.macro ' + m.name + (m.params.length ? ' ' + m.params.join(', ') : '') + '\n```\nmacro defined on line ' + (m.line + 1), t) : null;
    }
    case 'localRef': case 'labelDef': {
      if (/^\d+$/.test(t.text) || t.kind === 'localRef') {
        const def = resolveLocalLabel(a, t);
        return md(def ? `local label \`${def.text}\` on line ${def.line + 1}` : `local label \`${t.text.slice(0, -1)}\`: no ${t.text.endsWith('b') ? 'earlier' : 'later'} definition`, t);
      }
      return symbolHover(a, t);
    }
    case 'symbol': case 'symbolDef': return symbolHover(a, t);
    case 'keyword': {
      if (t.text.startsWith(':')) return md(`relocation operator \`${t.text}\`: ${RELOC_DOCS[t.text.slice(1, -1).toLowerCase()] ?? 'part of an address'}`, t);
      return null;
    }
    default: return null;
  }
}

const RELOC_DOCS: Record<string, string> = {
  lo12: 'the low 12 bits of the address (pairs with `adrp`)',
  pg_hi21: 'the page of the address (what `adrp` takes)',
};

function symbolHover(a: Analysis, t: Tok): Hover | null {
  const s = a.symbols.get(t.text);
  if (s) return md(symbolDoc(s), t);
  const d = a.defs.get(t.text);
  if (d?.kind === 'define') return md(`\`#define ${t.text}\` (C preprocessor)`, t);
  if (d) return md(`**${t.text}** — ${d.kind}`, t);
  return null;
}

// ---- completion -----------------------------------------------------------------------------------

export interface CompletionData { k: 'mnemonic' | 'directive' | 'sysreg' | 'register'; name: string }

const GPRS = [...Array.from({ length: 31 }, (_, i) => `x${i}`), ...Array.from({ length: 31 }, (_, i) => `w${i}`), 'sp', 'wsp', 'xzr', 'wzr', 'lr', 'fp'];
const VREGS = [...Array.from({ length: 32 }, (_, i) => `v${i}`), ...['q', 'd', 's', 'h', 'b'].flatMap(p => Array.from({ length: 32 }, (_, i) => `${p}${i}`))];
const SHIFTS = ['lsl', 'lsr', 'asr', 'ror', 'uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];
const SECTION_NAMES = ['.text', '.data', '.rodata', '.bss', '.init_array', '.fini_array', '.note.GNU-stack'];
let mnemonicItems: CompletionItem[] | undefined;

function allMnemonicItems(): CompletionItem[] {
  if (!mnemonicItems) {
    mnemonicItems = A64.mnemonics().map(m => {
      const d = describeMnemonic(m)[0];
      return {
        label: m, kind: CompletionItemKind.Keyword, detail: d ? d.syntax : undefined,
        data: { k: 'mnemonic', name: m } satisfies CompletionData,
      };
    });
  }
  return mnemonicItems;
}

export function completion(a: Analysis, pos: Position, lineText: string): CompletionItem[] {
  const code = a.scan.code[pos.line] ?? '';
  if (pos.character > code.length && code.length < lineText.length) return []; // in a comment
  const before = lineText.slice(0, pos.character);
  const prefixMatch = /[A-Za-z0-9_.$\\]*$/.exec(before);
  const prefix = prefixMatch ? prefixMatch[0] : '';
  const wordStart = pos.character - prefix.length;
  if (/^\s*#/.test(lineText) && /\.(S|sx)$/.test(a.file)) return preprocessorItems();
  const st = statementAt(a.scan, pos.line, wordStart);
  const opTok = st?.op;
  const inOpSlot = !opTok || (wordStart <= opTok.start) || (opTok.start === wordStart);
  if (inOpSlot) {
    // Only labels may precede the op slot; anything else before the word means we are in operands.
    const lead = before.slice(0, wordStart).replace(/[A-Za-z0-9_.$]+:\s*/g, '').trim();
    if (lead === '' || lead.endsWith(';')) {
      const items: CompletionItem[] = [];
      if (!prefix.startsWith('.')) items.push(...allMnemonicItems());
      for (const d of DIRECTIVES) items.push({ label: d, kind: CompletionItemKind.Keyword, detail: 'directive', data: { k: 'directive', name: d } satisfies CompletionData });
      for (const m of a.scan.macros.values()) {
        items.push({
          label: m.name, kind: CompletionItemKind.Function, detail: `macro ${m.params.join(', ')}`.trim(),
          insertText: m.params.length ? `${m.name} ${m.params.map((p, i) => `\${${i + 1}:${p}}`).join(', ')}` : m.name,
          insertTextFormat: InsertTextFormat.Snippet,
        });
      }
      return items;
    }
  }
  // operands
  const op = opTok ? opTok.text.toLowerCase() : '';
  const operandIndex = st ? countTopLevelCommas(lineText.slice(opTok ? opTok.end : st.start, wordStart)) : 0;
  const items: CompletionItem[] = [];
  if (prefix.startsWith('\\')) {
    const mac = enclosingMacro(a, pos.line);
    for (const p of mac?.params ?? []) items.push({ label: `\\${p}`, kind: CompletionItemKind.Variable, detail: `parameter of macro ${mac!.name}` });
    return items;
  }
  if (opTok?.kind === 'directive') {
    if (op === '.section' || op === '.pushsection') return SECTION_NAMES.map(s => ({ label: s, kind: CompletionItemKind.Module }));
    if (op === '.type' && operandIndex === 1) return ['%function', '%object'].map(s => ({ label: s, kind: CompletionItemKind.Keyword }));
    if (op === '.include') return [];
  }
  if ((op === 'mrs' && operandIndex === 1) || (op === 'msr' && operandIndex === 0)) {
    const names = op === 'msr' ? [...PSTATE_FIELDS, ...SYSTEM_REGISTERS] : SYSTEM_REGISTERS;
    for (const n of names) items.push({ label: n, kind: CompletionItemKind.Property, detail: 'system register', data: { k: 'sysreg', name: n } satisfies CompletionData });
    return items;
  }
  if (opTok?.kind === 'mnemonic' || opTok?.kind === 'unknownOp') {
    for (const r of GPRS) items.push({ label: r, kind: CompletionItemKind.Variable, detail: 'register', sortText: `1${r.padStart(4, ' ')}`, data: { k: 'register', name: r } satisfies CompletionData });
    for (const r of VREGS) items.push({ label: r, kind: CompletionItemKind.Variable, detail: 'SIMD&FP register', sortText: `3${r}`, data: { k: 'register', name: r } satisfies CompletionData });
    if (operandIndex > 0) {
      for (const s of SHIFTS) items.push({ label: s, kind: CompletionItemKind.Keyword, sortText: `4${s}` });
      if (/^(csel|csinc|csinv|csneg|cset|csetm|cinc|cinv|cneg|ccmp|ccmn|fcsel|fccmp|fccmpe)$/.test(op)) {
        for (const c of CONDITIONS) items.push({ label: c, kind: CompletionItemKind.EnumMember, detail: 'condition', sortText: `0${c}` });
      }
    }
  }
  for (const d of a.defs.values()) {
    if (d.kind === 'macro') continue;
    items.push({ label: d.name, kind: symbolCompletionKind(d), detail: defDetail(d), sortText: `2${d.name}` });
  }
  return items;
}

function preprocessorItems(): CompletionItem[] {
  return ['include', 'define', 'undef', 'if', 'ifdef', 'ifndef', 'elif', 'else', 'endif', 'error'].map(d => ({ label: d, kind: CompletionItemKind.Keyword, detail: 'preprocessor' }));
}

function countTopLevelCommas(s: string): number {
  let n = 0, depth = 0;
  for (const ch of s) {
    if (ch === '[' || ch === '(' || ch === '{') depth++;
    else if ((ch === ']' || ch === ')' || ch === '}') && depth > 0) depth--;
    else if (ch === ',' && depth === 0) n++;
  }
  return n;
}

function enclosingMacro(a: Analysis, line: number): { name: string; params: string[] } | undefined {
  for (const m of a.scan.macros.values()) if (line >= m.line && line <= m.endLine) return m;
  // an unterminated macro being typed: the nearest definition above
  let best: { name: string; params: string[]; line: number } | undefined;
  for (const m of a.scan.macros.values()) if (m.line <= line && (!best || m.line > best.line)) best = m;
  return best;
}

function symbolCompletionKind(d: SymbolDef): CompletionItemKind {
  switch (d.kind) {
    case 'function': return CompletionItemKind.Function;
    case 'constant': case 'define': return CompletionItemKind.Constant;
    case 'object': return CompletionItemKind.Variable;
    default: return CompletionItemKind.Reference;
  }
}

function defDetail(d: SymbolDef): string {
  const s = d.symbol;
  if (!s) return d.kind;
  if (s.section === null) return `constant = ${BigInt.asIntN(64, s.value)}`;
  return `${d.kind} in ${s.section} @ 0x${s.value.toString(16)}`;
}

export function resolveCompletion(item: CompletionItem): CompletionItem {
  const data = item.data as CompletionData | undefined;
  if (!data) return item;
  let doc: string | undefined;
  if (data.k === 'mnemonic') doc = mnemonicHover(data.name, 4);
  else if (data.k === 'directive') doc = directiveDoc(data.name);
  else if (data.k === 'sysreg') doc = sysregDoc(data.name);
  else if (data.k === 'register') doc = registerDoc(data.name);
  if (doc) item.documentation = { kind: MarkupKind.Markdown, value: doc };
  return item;
}

// ---- navigation -----------------------------------------------------------------------------------

export interface FileRange { file: string; range: Range }

export function definition(a: Analysis, pos: Position): FileRange[] {
  const t = tokenAt(a.scan, pos.line, pos.character);
  if (!t) return [];
  if (t.kind === 'localRef' || (t.kind === 'labelDef' && /^\d+$/.test(t.text))) {
    const d = resolveLocalLabel(a, t);
    return d ? [{ file: a.file, range: range(d) }] : [];
  }
  if (t.kind === 'macroCall' || t.kind === 'macroDef') {
    const m = a.scan.macros.get(t.text.toLowerCase());
    return m ? [{ file: a.file, range: { start: { line: m.line, character: m.start }, end: { line: m.line, character: m.end } } }] : [];
  }
  if (t.kind === 'param') {
    const name = t.text.replace(/^\\/, '');
    const mac = enclosingMacro(a, t.line) as { name: string; line: number } | undefined;
    if (!mac) return [];
    const p = a.scan.tokens.find(x => x.line === mac.line && x.kind === 'param' && x.text === name);
    return p ? [{ file: a.file, range: range(p) }] : [];
  }
  if (t.kind !== 'symbol' && t.kind !== 'labelDef' && t.kind !== 'symbolDef') return [];
  const d = a.defs.get(t.text);
  return d ? [{ file: d.file, range: d.range }] : [];
}

export function references(a: Analysis, pos: Position, includeDeclaration: boolean): FileRange[] {
  const t = tokenAt(a.scan, pos.line, pos.character);
  if (!t) return [];
  if (t.kind === 'localRef' || (t.kind === 'labelDef' && /^\d+$/.test(t.text))) {
    const d = resolveLocalLabel(a, t);
    if (!d) return [];
    const refs = localLabelReferences(a, d);
    return [...(includeDeclaration ? [d] : []), ...refs].map(x => ({ file: a.file, range: range(x) }));
  }
  if (!['symbol', 'labelDef', 'symbolDef', 'macroCall', 'macroDef'].includes(t.kind)) return [];
  const out = occurrences(a, t.text, includeDeclaration).map(x => ({ file: a.file, range: range(x) }));
  const d = a.defs.get(t.text);
  if (includeDeclaration && d && d.file !== a.file) out.unshift({ file: d.file, range: d.range });
  return out;
}

export function highlights(a: Analysis, pos: Position): DocumentHighlight[] {
  const t = tokenAt(a.scan, pos.line, pos.character);
  if (!t) return [];
  if (t.kind === 'register') {
    const canon = canonicalRegister(t.text);
    return a.scan.tokens.filter(x => x.kind === 'register' && canonicalRegister(x.text) === canon).map(x => ({ range: range(x), kind: DocumentHighlightKind.Text }));
  }
  return references(a, pos, true).filter(r => r.file === a.file).map(r => {
    const def = tokenAt(a.scan, r.range.start.line, r.range.start.character);
    const write = def && (def.kind === 'labelDef' || def.kind === 'symbolDef' || def.kind === 'macroDef');
    return { range: r.range, kind: write ? DocumentHighlightKind.Write : DocumentHighlightKind.Read };
  });
}

/** x3 and w3 are the same register; so are v3/q3/d3/s3/h3/b3. */
function canonicalRegister(r: string): string {
  const l = r.toLowerCase().replace(/\..*$/, '');
  let m: RegExpExecArray | null;
  if ((m = /^[xw](\d+)$/.exec(l))) return `x${m[1]}`;
  if ((m = /^[vqdshb](\d+)$/.exec(l))) return `v${m[1]}`;
  if (l === 'lr') return 'x30';
  if (l === 'fp') return 'x29';
  if (l === 'wsp') return 'sp';
  if (l === 'wzr') return 'xzr';
  return l;
}

/** Edits for renaming the symbol at pos; an error message when it cannot be renamed. */
export function rename(a: Analysis, pos: Position, newName: string): { edits: Range[] } | { error: string } {
  const t = tokenAt(a.scan, pos.line, pos.character);
  if (!t || !['symbol', 'labelDef', 'symbolDef', 'macroCall', 'macroDef'].includes(t.kind)) return { error: 'Only labels, constants and macros can be renamed.' };
  if (!/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(newName)) return { error: `'${newName}' is not a valid symbol name.` };
  const d = a.defs.get(t.text) ?? (t.kind.startsWith('macro') ? a.defs.get(t.text.toLowerCase()) : undefined);
  if (!d) return { error: `'${t.text}' is not defined in this file.` };
  if (d.file !== a.file) return { error: `'${t.text}' is defined in ${d.file}; rename it there.` };
  return { edits: occurrences(a, t.text, true).map(range) };
}

export function prepareRename(a: Analysis, pos: Position): Range | null {
  const t = tokenAt(a.scan, pos.line, pos.character);
  if (!t || !['symbol', 'labelDef', 'symbolDef', 'macroCall', 'macroDef'].includes(t.kind)) return null;
  const d = a.defs.get(t.text) ?? a.defs.get(t.text.toLowerCase());
  return d && d.file === a.file ? range(t) : null;
}

// ---- document symbols -------------------------------------------------------------------------------

export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const bySection = new Map<string, DocumentSymbol>();
  const localDefs = [...a.defs.values()].filter(d => d.file === a.file).sort((x, y) => x.range.start.line - y.range.start.line);
  const labels = localDefs.filter(d => d.kind === 'label' || d.kind === 'function' || d.kind === 'object');
  for (const d of localDefs) {
    if (d.kind === 'macro') {
      const m = a.scan.macros.get(d.name.toLowerCase())!;
      out.push({
        name: m.name, detail: `macro ${m.params.join(', ')}`.trim(), kind: SymbolKind.Method,
        range: { start: { line: m.line, character: 0 }, end: { line: m.endLine, character: (a.scan.code[m.endLine] ?? '').length } },
        selectionRange: d.range,
      });
      continue;
    }
    if (d.kind === 'constant' || d.kind === 'define') {
      const v = d.symbol && d.symbol.section === null ? ` = ${BigInt.asIntN(64, d.symbol.value)}` : '';
      out.push({ name: d.name, detail: `${d.kind === 'define' ? '#define' : 'constant'}${v}`, kind: SymbolKind.Constant, range: d.range, selectionRange: d.range });
      continue;
    }
    // a label spans to the line before the next label of the file (or the end)
    const i = labels.indexOf(d);
    const next = labels[i + 1];
    const endLine = next ? Math.max(d.range.start.line, next.range.start.line - 1) : a.scan.lineCount - 1;
    const sym = d.symbol;
    const kind = d.kind === 'function' ? SymbolKind.Function : d.kind === 'object' ? SymbolKind.Variable : SymbolKind.Field;
    const entry: DocumentSymbol = {
      name: d.name, kind, detail: sym ? `0x${sym.value.toString(16)}` : undefined,
      range: { start: d.range.start, end: { line: endLine, character: (a.scan.code[endLine] ?? '').length } }, selectionRange: d.range,
    };
    const secName = sym?.section ?? '(unplaced)';
    let sec = bySection.get(secName);
    if (!sec) {
      sec = { name: secName, kind: SymbolKind.Namespace, detail: 'section', range: entry.range, selectionRange: entry.selectionRange, children: [] };
      bySection.set(secName, sec);
      out.push(sec);
    }
    sec.children!.push(entry);
    if (comparePos(entry.range.end, sec.range.end) > 0) sec.range = { start: sec.range.start, end: entry.range.end };
  }
  return out;
}

function comparePos(a: Position, b: Position): number { return a.line - b.line || a.character - b.character; }

// ---- semantic tokens ------------------------------------------------------------------------------

export const TOKEN_TYPES = ['keyword', 'macro', 'function', 'label', 'variable', 'property', 'parameter', 'number', 'string', 'operator', 'namespace'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;
export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

const T = (n: typeof TOKEN_TYPES[number]): number => TOKEN_TYPES.indexOf(n);
const M = (...n: (typeof TOKEN_MODIFIERS[number])[]): number => n.reduce((acc, x) => acc | (1 << TOKEN_MODIFIERS.indexOf(x)), 0);

/** The semantic token of one scanned token, or undefined to leave it to the grammar. */
export function classify(a: Analysis, t: Tok): [number, number] | undefined {
  switch (t.kind) {
    case 'mnemonic': return [T('keyword'), 0];
    case 'directive': return [T('macro'), M('defaultLibrary')];
    case 'macroDef': return [T('function'), M('declaration')];
    case 'macroCall': return [T('function'), 0];
    case 'param': return [T('parameter'), 0];
    case 'register': return [T('variable'), M('defaultLibrary')];
    case 'sysreg': return [T('property'), M('defaultLibrary')];
    case 'number': return [T('number'), 0];
    case 'string': return [T('string'), 0];
    case 'keyword': return t.text === '.' ? [T('operator'), 0] : [T('keyword'), 0];
    case 'localRef': return [T('label'), 0];
    case 'labelDef': case 'symbolDef': case 'symbol': {
      const d = a.defs.get(t.text);
      const decl = t.kind !== 'symbol' ? M('declaration') : 0;
      if (!d) return t.kind === 'labelDef' ? [T('label'), decl] : undefined;
      if (d.kind === 'function') return [T('function'), decl];
      if (d.kind === 'constant' || d.kind === 'define') return [T('variable'), decl | M('readonly')];
      if (d.kind === 'macro') return [T('function'), 0];
      return [T('label'), decl];
    }
    default: return undefined;
  }
}

/** LSP's relative encoding: [deltaLine, deltaStart, length, type, modifiers] per token. */
export function semanticTokens(a: Analysis): number[] {
  const data: number[] = [];
  let prevLine = 0, prevStart = 0;
  for (const t of a.scan.tokens) {
    const c = classify(a, t);
    if (!c || t.end <= t.start) continue;
    const dl = t.line - prevLine;
    data.push(dl, dl === 0 ? t.start - prevStart : t.start, t.end - t.start, c[0], c[1]);
    prevLine = t.line; prevStart = t.start;
  }
  return data;
}
