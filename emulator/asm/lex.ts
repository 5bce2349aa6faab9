// Character-level helpers shared by the preprocessor, the expression parser and the directives:
// comment removal, statement splitting, string literals and argument lists.

export const enum Ch {
  TAB = 9, SPACE = 32, BANG = 33, DQUOTE = 34, HASH = 35, DOLLAR = 36, SQUOTE = 39, LPAREN = 40,
  RPAREN = 41, STAR = 42, COMMA = 44, DOT = 46, SLASH = 47, D0 = 48, D9 = 57, COLON = 58,
  SEMI = 59, EQ = 61, AT = 64, UA = 65, UZ = 90, LBRACK = 91, BACKSLASH = 92, RBRACK = 93,
  UNDERSCORE = 95, LA = 97, LZ = 122, LBRACE = 123, RBRACE = 125,
}

/** Characters that may start a symbol name. */
export function isSymStart(c: number): boolean {
  return (c >= Ch.LA && c <= Ch.LZ) || (c >= Ch.UA && c <= Ch.UZ) || c === Ch.UNDERSCORE || c === Ch.DOT || c === Ch.DOLLAR;
}
/** Characters that may continue a symbol name. */
export function isSymChar(c: number): boolean {
  return isSymStart(c) || (c >= Ch.D0 && c <= Ch.D9);
}
export function isDigit(c: number): boolean { return c >= Ch.D0 && c <= Ch.D9; }
export function isSpace(c: number): boolean { return c === Ch.SPACE || c === Ch.TAB || c === 12 || c === 11; }

export function skipSpaces(s: string, i: number, end = s.length): number {
  while (i < end && isSpace(s.charCodeAt(i))) i++;
  return i;
}
/** End of the symbol starting at i (i itself when there is none). */
export function scanSymbol(s: string, i: number, end = s.length): number {
  if (i >= end || !isSymStart(s.charCodeAt(i))) return i;
  i++;
  while (i < end && isSymChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Skips a character constant starting at the quote at i: GNU as writes `'c` (the closing quote is
 * optional) with backslash escapes. Returns the index after it.
 */
export function skipCharConst(s: string, i: number): number {
  let j = i + 1;
  if (j >= s.length) return j;
  if (s.charCodeAt(j) === Ch.BACKSLASH) {
    j += 2;
    // \x.., \ooo
    while (j < s.length && /[0-9a-fA-F]/.test(s[j]) && (s[i + 2] === 'x' || s[i + 2] === 'X' || /[0-7]/.test(s[j])) && j < i + 6) j++;
  } else j++;
  if (j < s.length && s.charCodeAt(j) === Ch.SQUOTE) j++;
  return j;
}

/** Index after the string literal whose opening quote is at i (or the end of the text). */
export function skipString(s: string, i: number, end = s.length): number {
  let j = i + 1;
  while (j < end) {
    const c = s.charCodeAt(j);
    if (c === Ch.BACKSLASH) j += 2;
    else if (c === Ch.DQUOTE) return j + 1;
    else j++;
  }
  return end;
}

export interface CommentState { inBlock: boolean }

/**
 * Removes comments from one physical line: `/* ... *\/` (which may span lines; `state` carries
 * that across calls) is replaced by spaces so offsets stay valid, `//` ends the line, and with
 * `hashLine` a `#` that is the first non-blank character makes the whole line a comment.
 */
export function stripComments(text: string, state: CommentState, hashLine: boolean): string {
  if (!state.inBlock && text.indexOf('/') < 0 && text.indexOf('#') < 0) return text;
  let out = '';
  let from = 0;
  let i = 0;
  const n = text.length;
  if (state.inBlock) {
    const e = text.indexOf('*/');
    if (e < 0) return '';
    out = ' '.repeat(e + 2);
    from = i = e + 2;
    state.inBlock = false;
  } else if (hashLine) {
    const j = skipSpaces(text, 0);
    if (j < n && text.charCodeAt(j) === Ch.HASH) return '';
  }
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === Ch.DQUOTE) { i = skipString(text, i); continue; }
    if (c === Ch.SQUOTE) { i = skipCharConst(text, i); continue; }
    if (c === Ch.SLASH && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d === Ch.SLASH) { return out + text.slice(from, i); }
      if (d === Ch.STAR) {
        const e = text.indexOf('*/', i + 2);
        out += text.slice(from, i);
        if (e < 0) { state.inBlock = true; return out; }
        out += ' '.repeat(e + 2 - i);
        from = i = e + 2;
        continue;
      }
    }
    i++;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Splits a line into statements at `;` outside strings and character constants: [start, end) pairs. */
export function splitStatements(text: string): number[] {
  if (text.indexOf(';') < 0) return [0, text.length];
  const out: number[] = [];
  let start = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === Ch.DQUOTE) { i = skipString(text, i); continue; }
    if (c === Ch.SQUOTE) { i = skipCharConst(text, i); continue; }
    if (c === Ch.SEMI) { out.push(start, i); start = i + 1; }
    i++;
  }
  out.push(start, n);
  return out;
}

export interface Arg { text: string; offset: number }

/**
 * Splits directive operands at commas that are outside parentheses, brackets, strings and
 * character constants. Each argument is trimmed; `offset` is where it starts in `s`. An empty
 * operand list gives no arguments.
 */
export function splitArgs(s: string, start: number, end = s.length): Arg[] {
  const out: Arg[] = [];
  let i = skipSpaces(s, start, end);
  if (i >= end) return out;
  let argStart = i;
  let depth = 0;
  const push = (a: number, b: number): void => {
    while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
    out.push({ text: s.slice(a, b), offset: a });
  };
  for (;;) {
    if (i >= end) { push(argStart, end); return out; }
    const c = s.charCodeAt(i);
    if (c === Ch.DQUOTE) { i = skipString(s, i, end); continue; }
    if (c === Ch.SQUOTE) { i = Math.min(end, skipCharConst(s, i)); continue; }
    if (c === Ch.LPAREN || c === Ch.LBRACK || c === Ch.LBRACE) depth++;
    else if ((c === Ch.RPAREN || c === Ch.RBRACK || c === Ch.RBRACE) && depth > 0) depth--;
    else if (c === Ch.COMMA && depth === 0) {
      push(argStart, i);
      argStart = i = skipSpaces(s, i + 1, end);
      continue;
    }
    i++;
  }
}

export class StringError extends Error {
  constructor(message: string, public offset: number) { super(message); }
}

const utf8 = new TextEncoder();

/**
 * Parses the string literal whose opening quote is at `i` into bytes (GNU as escapes: \b \f \n
 * \r \t \v \\ \" \' \ooo \xhh...). Returns the bytes and the index after the closing quote.
 */
export function parseString(s: string, i: number): { bytes: number[]; end: number } {
  const bytes: number[] = [];
  let j = i + 1;
  const n = s.length;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === Ch.DQUOTE) return { bytes, end: j + 1 };
    if (c === Ch.BACKSLASH) {
      const e = s[j + 1];
      j += 2;
      switch (e) {
        case 'b': bytes.push(8); break;
        case 'f': bytes.push(12); break;
        case 'n': bytes.push(10); break;
        case 'r': bytes.push(13); break;
        case 't': bytes.push(9); break;
        case 'v': bytes.push(11); break;
        case 'a': bytes.push(7); break;
        case '\\': bytes.push(92); break;
        case '"': bytes.push(34); break;
        case '\'': bytes.push(39); break;
        case 'x': case 'X': {
          let v = 0; let k = 0;
          while (j < n && /[0-9a-fA-F]/.test(s[j])) { v = (v * 16 + parseInt(s[j], 16)) & 0xff; j++; k++; }
          if (k === 0) throw new StringError('\\x used with no following hex digits', j - 2);
          bytes.push(v);
          break;
        }
        case undefined: throw new StringError('unterminated string', i);
        default:
          if (e >= '0' && e <= '7') {
            let v = e.charCodeAt(0) - 48; let k = 1;
            while (k < 3 && j < n && s[j] >= '0' && s[j] <= '7') { v = v * 8 + (s.charCodeAt(j) - 48); j++; k++; }
            bytes.push(v & 0xff);
          } else {
            // Unknown escapes stand for the character itself, as in GNU as.
            for (const b of utf8.encode(e)) bytes.push(b);
          }
      }
      continue;
    }
    if (c < 0x80) { bytes.push(c); j++; continue; }
    const cp = s.codePointAt(j)!;
    const ch = String.fromCodePoint(cp);
    for (const b of utf8.encode(ch)) bytes.push(b);
    j += ch.length;
  }
  throw new StringError('unterminated string', i);
}

/**
 * Splits `.macro` invocation arguments the way GNU as sees them after its whitespace scrubber:
 * blanks next to punctuation vanish (`1 + 2` is one argument `1+2`), remaining blanks and commas
 * separate arguments, and double-quoted arguments lose their quotes. Returns each argument's text
 * and its offset in `s`.
 */
export function splitMacroArgs(s: string, start: number, end = s.length): Arg[] {
  const out: Arg[] = [];
  let i = skipSpaces(s, start, end);
  let cur: string | null = null;
  let curOff = i;
  let pendingSpace = false; // blank seen inside an argument
  let afterComma = false;
  let lastWord = false; // the argument so far ends with a word character or a string
  const push = (): void => { out.push({ text: cur ?? '', offset: curOff }); cur = null; lastWord = false; };
  while (i < end) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) { pendingSpace = cur !== null; i++; continue; }
    if (c === Ch.COMMA) {
      if (cur !== null) push();
      else if (afterComma || out.length === 0) out.push({ text: '', offset: i });
      afterComma = true; pendingSpace = false; i++;
      continue;
    }
    if (pendingSpace && cur !== null) {
      // The scrubber keeps a blank only between two "word" characters.
      if (lastWord && (isSymChar(c) || c === Ch.DQUOTE || c === Ch.SQUOTE)) push();
    }
    pendingSpace = false;
    afterComma = false;
    if (cur === null) { cur = ''; curOff = i; }
    if (c === Ch.DQUOTE) {
      const e = skipString(s, i, end);
      cur += s.slice(i + 1, e > i + 1 && s.charCodeAt(e - 1) === Ch.DQUOTE ? e - 1 : e);
      i = e;
      lastWord = true;
      continue;
    }
    if (c === Ch.SQUOTE) { const e = Math.min(end, skipCharConst(s, i)); cur += s.slice(i, e); i = e; lastWord = true; continue; }
    cur += s[i];
    lastWord = isSymChar(c);
    i++;
  }
  if (cur !== null) push();
  else if (afterComma) out.push({ text: '', offset: end });
  return out;
}
