// A lexical scan of one assembly document for the editor features (semantic tokens, references,
// completion context). The assembler (emulator/asm) is the authority on meaning and errors; this scan
// only finds where things are on each line: labels, the mnemonic or directive of each statement,
// registers, system registers, symbol references, numbers and strings, with exact columns.
// It uses the assembler's own comment and statement splitting (emulator/asm/lex) so that both agree
// on what is code.
import { stripComments, splitStatements, scanSymbol, skipString, skipCharConst, isSpace, isDigit, type CommentState } from '../../emulator/asm/lex';
import { A64 } from '../../emulator/isa/table';
import { SYSREG_NAMES, SYSREG_MSR_NAMES } from '../../emulator/isa/groups/branch-sys-names';

export type TokKind =
  | 'labelDef'     // `name:` or `1:`
  | 'symbolDef'    // `.equ name, ...`, `name = ...`, `.set`, `.comm name`, `.macro` parameters are 'param'
  | 'mnemonic'     // an instruction the table knows
  | 'unknownOp'    // first word of a statement that is neither instruction, directive nor macro
  | 'directive'    // `.word`, `.macro`, ...; also `#define` etc. in .S files
  | 'macroDef'     // the name after `.macro`
  | 'macroCall'    // a statement invoking a user macro
  | 'param'        // a `.macro` parameter (definition) or `\param` (use)
  | 'register'
  | 'sysreg'       // system register or PSTATE field (after mrs/msr)
  | 'keyword'      // shift/extend/condition/barrier/prefetch/cache-op names, `%function`, section names
  | 'symbol'       // a reference to a symbol (label, constant)
  | 'localRef'     // `1b` / `1f`
  | 'number'
  | 'string';

export interface Tok {
  kind: TokKind;
  /** 0-based line and UTF-16 columns [start, end). */
  line: number;
  start: number;
  end: number;
  text: string;
}

export interface Statement {
  line: number;
  /** Columns of the statement text (comments removed) in the line. */
  start: number;
  end: number;
  /** The mnemonic / directive / macro word, if any. */
  op?: Tok;
  /** Index of the first token after `op` in the document's token list. */
  firstOperandTok: number;
  /** Index after the statement's last token. */
  endTok: number;
}

export interface MacroInfo { name: string; line: number; start: number; end: number; params: string[]; endLine: number }

export interface Scan {
  tokens: Tok[];
  statements: Statement[];
  macros: Map<string, MacroInfo>;
  /** Lines (0-based) that are comment-only or blank, for folding/outline (unused lines are absent). */
  lineCount: number;
  /** For each line: the text with comments blanked out (same length up to where code ends). */
  code: string[];
}

const X_REG = /^(?:[xw](?:[12]?[0-9]|30)|sp|wsp|xzr|wzr|lr|fp|ip0|ip1)$/i;
const V_REG = /^(?:[vbhsdqz](?:[12]?[0-9]|3[01])|p(?:1[0-5]|[0-9]))(?:\.(?:\d*[bhsdq]))?$/i;
const SHIFT_EXTEND = new Set(['lsl', 'lsr', 'asr', 'ror', 'msl', 'uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx', 'mul', 'vl']);
export const CONDITIONS = ['eq', 'ne', 'cs', 'hs', 'cc', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
const COND_SET = new Set(CONDITIONS);
/** Mnemonics whose first operand is a named operation, not a symbol. */
const NAMED_FIRST_OPERAND = new Set(['dc', 'ic', 'at', 'tlbi', 'prfm', 'prfum', 'dmb', 'dsb', 'isb', 'bti', 'cfp', 'dvp', 'cpp', 'psb', 'tsb']);

function namesOf(list: string): string[] {
  const out: string[] = [];
  for (const tok of list.split(/\s+/)) if (tok) out.push(tok.slice(0, tok.indexOf(':')));
  return out;
}
/** System register names the assembler accepts (objdump's spellings). */
export const SYSTEM_REGISTERS: readonly string[] = [...new Set([...namesOf(SYSREG_NAMES), ...namesOf(SYSREG_MSR_NAMES)])];
const SYSREG_SET = new Set(SYSTEM_REGISTERS);
/** PSTATE fields `msr <field>, #imm` accepts. */
export const PSTATE_FIELDS = ['tco', 'daifset', 'daifclr', 'spsel', 'pan', 'uao', 'dit', 'ssbs', 'allint'];
const PSTATE_SET = new Set(PSTATE_FIELDS);
const GENERIC_SYSREG = /^s[0-3]_[0-7]_c\d{1,2}_c\d{1,2}_[0-7]$/i;

export function isRegisterName(s: string): boolean { return X_REG.test(s) || V_REG.test(s); }
export function isSystemRegisterName(s: string): boolean {
  const l = s.toLowerCase();
  return SYSREG_SET.has(l) || PSTATE_SET.has(l) || GENERIC_SYSREG.test(l);
}

/** Directives that define the symbol named by their first operand. */
const DEFINING_DIRECTIVES = new Set(['.equ', '.set', '.equiv', '.eqv', '.comm', '.lcomm']);
/** Directives whose operands are symbol names (references). */
const SECTION_DIRECTIVES = new Set(['.section', '.pushsection']);

export interface ScanOptions {
  /** `.S` files go through the C preprocessor: `#` lines are preprocessor directives, not comments. */
  preprocessed: boolean;
}

/** Scans a document. Never throws. */
export function scanDocument(text: string, opts: ScanOptions): Scan {
  const lines = text.split(/\r\n|\r|\n/);
  const tokens: Tok[] = [];
  const statements: Statement[] = [];
  const macros = new Map<string, MacroInfo>();
  const code: string[] = [];
  const state: CommentState = { inBlock: false };
  let openMacro: MacroInfo | undefined;
  const push = (kind: TokKind, line: number, start: number, end: number, s: string): Tok => {
    const t: Tok = { kind, line, start, end, text: s.slice(start, end) };
    tokens.push(t);
    return t;
  };

  for (let ln = 0; ln < lines.length; ln++) {
    const raw = lines[ln];
    if (opts.preprocessed && !state.inBlock) {
      const j = skipSp(raw, 0);
      if (raw.charCodeAt(j) === 35 /* # */) {
        const stripped = stripComments(raw, state, false);
        code.push(stripped);
        scanPreprocessorLine(stripped, ln, j, push, tokens.length);
        continue;
      }
    }
    const s = stripComments(raw, state, !opts.preprocessed);
    code.push(s);
    const parts = splitStatements(s);
    for (let p = 0; p < parts.length; p += 2) {
      const st = scanStatement(s, ln, parts[p], parts[p + 1], push, tokens, macros);
      if (!st) continue;
      statements.push(st);
      const op = st.op;
      if (!op) continue;
      const name = op.text.toLowerCase();
      if (name === '.macro') {
        const nameTok = tokens.slice(st.firstOperandTok, st.endTok).find(t => t.kind === 'macroDef');
        if (nameTok) {
          openMacro = {
            name: nameTok.text, line: ln, start: nameTok.start, end: nameTok.end, endLine: ln,
            params: tokens.slice(st.firstOperandTok, st.endTok).filter(t => t.kind === 'param').map(t => t.text),
          };
          macros.set(nameTok.text.toLowerCase(), openMacro);
        }
      } else if ((name === '.endm' || name === '.endmacro') && openMacro) {
        openMacro.endLine = ln;
        openMacro = undefined;
      }
    }
  }
  // A macro may be used before the scan saw its definition only if defined later (an error for the
  // assembler); re-classify unknown first words that name a macro defined anywhere.
  for (const st of statements) {
    if (st.op && st.op.kind === 'unknownOp' && macros.has(st.op.text.toLowerCase())) st.op.kind = 'macroCall';
  }
  return { tokens, statements, macros, lineCount: lines.length, code };
}

function skipSp(s: string, i: number, end = s.length): number {
  while (i < end && isSpace(s.charCodeAt(i))) i++;
  return i;
}

function scanPreprocessorLine(s: string, ln: number, hashAt: number, push: (k: TokKind, l: number, a: number, b: number, s: string) => Tok, _n: number): void {
  let i = skipSp(s, hashAt + 1);
  const wEnd = scanSymbol(s, i);
  push('directive', ln, hashAt, wEnd, s);
  const word = s.slice(i, wEnd);
  i = skipSp(s, wEnd);
  if (word === 'define' || word === 'undef' || word === 'ifdef' || word === 'ifndef') {
    const e = scanSymbol(s, i);
    if (e > i) push(word === 'define' ? 'symbolDef' : 'symbol', ln, i, e, s);
    i = e;
  }
  if (word === 'include') {
    if (s[i] === '"' || s[i] === '<') {
      const close = s.indexOf(s[i] === '"' ? '"' : '>', i + 1);
      push('string', ln, i, close < 0 ? s.length : close + 1, s);
    }
    return;
  }
  scanOperands(s, ln, i, s.length, push, '', false);
}

function scanStatement(
  s: string, ln: number, start: number, end: number,
  push: (k: TokKind, l: number, a: number, b: number, s: string) => Tok, tokens: Tok[], macros: Map<string, MacroInfo>,
): Statement | undefined {
  let i = skipSp(s, start, end);
  if (i >= end) return undefined;
  const first = tokens.length;
  // labels: `name:` (several may precede a statement) and numeric `1:`
  for (;;) {
    i = skipSp(s, i, end);
    const c = s.charCodeAt(i);
    let e = i;
    if (isDigit(c)) { while (e < end && isDigit(s.charCodeAt(e))) e++; }
    else if (c === 34 /* " */) { break; }
    else e = scanSymbol(s, i, end);
    if (e > i && s.charCodeAt(e) === 58 /* : */ && s.charCodeAt(e + 1) !== 58) {
      push('labelDef', ln, i, e, s);
      i = e + 1;
      continue;
    }
    break;
  }
  i = skipSp(s, i, end);
  if (i >= end) return { line: ln, start, end, firstOperandTok: tokens.length, endTok: tokens.length };
  const wEnd = scanSymbol(s, i, end);
  if (wEnd === i) {
    // not a word: scan whatever is there as operands
    scanOperands(s, ln, i, end, push, '', false);
    return { line: ln, start, end, firstOperandTok: first, endTok: tokens.length };
  }
  const word = s.slice(i, wEnd);
  const lower = word.toLowerCase();
  // `name = expr` / `name == expr` (assignment)
  const afterWord = skipSp(s, wEnd, end);
  if (s.charCodeAt(afterWord) === 61 /* = */) {
    push('symbolDef', ln, i, wEnd, s);
    const opsFrom = tokens.length;
    scanOperands(s, ln, afterWord + 1 + (s.charCodeAt(afterWord + 1) === 61 ? 1 : 0), end, push, '', false);
    return { line: ln, start, end, firstOperandTok: opsFrom, endTok: tokens.length };
  }
  let kind: TokKind;
  if (lower.startsWith('.')) kind = 'directive';
  else if (macros.has(lower)) kind = 'macroCall';
  else if (A64.hasMnemonic(lower)) kind = 'mnemonic';
  else kind = 'unknownOp';
  const op = push(kind, ln, i, wEnd, s);
  const opsFrom = tokens.length;
  if (kind === 'directive') scanDirectiveOperands(s, ln, wEnd, end, push, lower);
  else scanOperands(s, ln, wEnd, end, push, kind === 'mnemonic' ? lower : '', kind === 'macroCall');
  return { line: ln, start, end, op, firstOperandTok: opsFrom, endTok: tokens.length };
}

function scanDirectiveOperands(s: string, ln: number, i: number, end: number, push: (k: TokKind, l: number, a: number, b: number, s: string) => Tok, dir: string): void {
  i = skipSp(s, i, end);
  if (dir === '.macro') {
    const e = scanSymbol(s, i, end);
    if (e > i) push('macroDef', ln, i, e, s);
    i = e;
    // parameters: `name`, `name=default`, `name:req`, `name:vararg`, separated by commas or blanks
    while (i < end) {
      i = skipSp(s, i, end);
      const c = s.charCodeAt(i);
      if (c === 44 /* , */) { i++; continue; }
      const pe = scanSymbol(s, i, end);
      if (pe === i) { i++; continue; }
      push('param', ln, i, pe, s);
      i = pe;
      if (s.charCodeAt(i) === 58 /* : */) { const qe = scanSymbol(s, i + 1, end); push('keyword', ln, i + 1, qe, s); i = qe; }
      if (s.charCodeAt(i) === 61 /* = */) {
        // default value up to the next comma
        let j = i + 1;
        while (j < end && s.charCodeAt(j) !== 44) j++;
        scanOperands(s, ln, i + 1, j, push, '', false);
        i = j;
      }
    }
    return;
  }
  if (DEFINING_DIRECTIVES.has(dir)) {
    const e = scanSymbol(s, i, end);
    if (e > i) push('symbolDef', ln, i, e, s);
    scanOperands(s, ln, e, end, push, '', false);
    return;
  }
  if (SECTION_DIRECTIVES.has(dir)) {
    // section name (may start with '.') then flags string and @type
    const e = s.charCodeAt(i) === 34 ? skipString(s, i, end) : scanSectionName(s, i, end);
    if (e > i) push('keyword', ln, i, e, s);
    scanOperands(s, ln, e, end, push, '', false);
    return;
  }
  if (dir === '.type') {
    const e = scanSymbol(s, i, end);
    if (e > i) push('symbol', ln, i, e, s);
    scanOperands(s, ln, e, end, push, '', false);
    return;
  }
  if (dir === '.arch' || dir === '.cpu' || dir === '.arch_extension') {
    const e = scanSectionName(s, i, end);
    if (e > i) push('keyword', ln, i, e, s);
    return;
  }
  scanOperands(s, ln, i, end, push, '', false);
}

function scanSectionName(s: string, i: number, end: number): number {
  let e = i;
  while (e < end && !isSpace(s.charCodeAt(e)) && s.charCodeAt(e) !== 44) e++;
  return e;
}

/** Operand text of an instruction (`mnemonic` lower-case), macro call or directive. */
function scanOperands(
  s: string, ln: number, i: number, end: number,
  push: (k: TokKind, l: number, a: number, b: number, s: string) => Tok, mnemonic: string, macroArgs: boolean,
): void {
  let operandIndex = 0;
  const sysregOperand = mnemonic === 'mrs' ? 1 : mnemonic === 'msr' ? 0 : -1;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) { i++; continue; }
    if (c === 44 /* , */) { operandIndex++; i++; continue; }
    if (c === 34 /* " */) { const e = skipString(s, i, end); push('string', ln, i, e, s); i = e; continue; }
    if (c === 39 /* ' */) { const e = Math.min(end, skipCharConst(s, i)); push('number', ln, i, e, s); i = e; continue; }
    if (c === 92 /* \ */) {
      // macro parameter use: \name, \() separator, \@ counter
      const e = scanSymbol(s, i + 1, end);
      if (e > i + 1) { push('param', ln, i, e, s); i = e; } else i += 2;
      continue;
    }
    if (c === 37 /* % */ || c === 64 /* @ */) {
      const e = scanSymbol(s, i + 1, end);
      if (e > i + 1) { push('keyword', ln, i, e, s); i = e; } else i++;
      continue;
    }
    if (c === 58 /* : */) {
      // relocation operator :lo12: :abs_g0_nc: ...
      const e = scanSymbol(s, i + 1, end);
      if (e > i + 1 && s.charCodeAt(e) === 58) { push('keyword', ln, i, e + 1, s); i = e + 1; } else i++;
      continue;
    }
    if (isDigit(c)) {
      let e = i + 1;
      if (c === 48 && (s[e] === 'x' || s[e] === 'X')) { e++; while (e < end && /[0-9a-fA-F_]/.test(s[e])) e++; }
      else if (c === 48 && (s[e] === 'b' || s[e] === 'B') && /[01]/.test(s[e + 1] ?? '')) { e++; while (e < end && /[01]/.test(s[e])) e++; }
      else {
        while (e < end && /[0-9_]/.test(s[e])) e++;
        // local label reference 1b / 1f
        if ((s[e] === 'b' || s[e] === 'f') && !/[A-Za-z0-9_.$]/.test(s[e + 1] ?? '')) { push('localRef', ln, i, e + 1, s); i = e + 1; continue; }
        // floating-point literal
        if (s[e] === '.' && isDigit(s.charCodeAt(e + 1))) { e++; while (e < end && isDigit(s.charCodeAt(e))) e++; }
        if ((s[e] === 'e' || s[e] === 'E') && /[-+0-9]/.test(s[e + 1] ?? '')) { e += 2; while (e < end && isDigit(s.charCodeAt(e))) e++; }
      }
      push('number', ln, i, e, s);
      i = e;
      continue;
    }
    const e = scanSymbol(s, i, end);
    if (e === i) { i++; continue; }
    const w = s.slice(i, e);
    const lw = w.toLowerCase();
    let kind: TokKind;
    if (w === '.') kind = 'keyword';
    else if (macroArgs) kind = isRegisterName(w) ? 'register' : 'symbol';
    else if (operandIndex === sysregOperand && isSystemRegisterName(w)) kind = 'sysreg';
    else if (isRegisterName(w)) kind = 'register';
    else if (SHIFT_EXTEND.has(lw) && mnemonic !== '') kind = 'keyword';
    else if (COND_SET.has(lw) && mnemonic !== '' && operandIndex > 0) kind = 'keyword';
    else if (operandIndex === 0 && NAMED_FIRST_OPERAND.has(mnemonic)) kind = 'keyword';
    else kind = 'symbol';
    // vector element `v0.s[1]` / arrangement handled by V_REG; `{v0.16b, v1.16b}` lists too
    push(kind, ln, i, e, s);
    i = e;
  }
}

/** The token at (line, character), if any; `character` may be at the token's end (cursor after it). */
export function tokenAt(scan: Scan, line: number, character: number): Tok | undefined {
  // binary search for the first token on the line
  const toks = scan.tokens;
  let lo = 0, hi = toks.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (toks[m].line < line) lo = m + 1; else hi = m; }
  let best: Tok | undefined;
  for (let k = lo; k < toks.length && toks[k].line === line; k++) {
    const t = toks[k];
    if (character >= t.start && character < t.end) return t;
    if (character === t.end) best = t;
  }
  return best;
}

/** The statement containing (line, character). */
export function statementAt(scan: Scan, line: number, character: number): Statement | undefined {
  const sts = scan.statements;
  let lo = 0, hi = sts.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (sts[m].line < line) lo = m + 1; else hi = m; }
  let last: Statement | undefined;
  for (let k = lo; k < sts.length && sts[k].line === line; k++) {
    if (character >= sts[k].start && character <= sts[k].end) return sts[k];
    last = sts[k];
  }
  return last && character >= last.start ? last : undefined;
}
