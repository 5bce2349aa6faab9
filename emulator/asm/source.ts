// Source lines as the assembler front end sees them, with the way back to the original text.
//
// Every line handed to the statement processor is a `SrcLine`. A line read straight from a file
// has no `map`: offset k in `text` is column k+1 of `file:line`. A line produced by substitution
// (C preprocessor macros, `\` continuation, assembler macro arguments) carries `map`, a flat list
// of quadruples [outStart, srcLine, srcColumn, literal]: output offsets from outStart up to the
// next quadruple come from srcLine; when `literal` is 1 they advance column by column from
// srcColumn, when 0 (substituted text) they all map to srcColumn (the macro name or argument).

import type { SourcePos } from './types';

export interface SrcLine {
  text: string;
  file: string;
  line: number;
  map?: number[];
  /**
   * Where the line map should attribute code produced by this line. Lines produced by expanding a
   * `.macro` are attributed to the invocation (as GNU as does); everything else to itself.
   */
  mapTo?: SourcePos;
  /** Invocation sites (innermost first) when this line comes from a `.macro` expansion. */
  from?: SourcePos[];
}

/** The source position of character `offset` of `line.text` (the end of line is allowed). */
export function posAt(line: SrcLine, offset: number): SourcePos {
  const m = line.map;
  if (!m) return { file: line.file, line: line.line, column: offset + 1 };
  let i = 0;
  // Segments are few; a linear scan is fine.
  for (let k = 0; k < m.length; k += 4) { if (m[k] <= offset) i = k; else break; }
  if (m.length === 0) return { file: line.file, line: line.line, column: offset + 1 };
  const col = m[i + 3] ? m[i + 2] + (offset - m[i]) : m[i + 2];
  return { file: line.file, line: m[i + 1], column: Math.max(1, col) };
}

/**
 * Builds a line out of pieces while recording where each piece came from. Used by the C
 * preprocessor and by macro expansion.
 */
export class LineBuilder {
  text = '';
  map: number[] = [];
  private lastLine = -1; private lastCol = -1; private lastLit = -1; private lastOut = -1;

  /** Appends text copied from the source: its first character is at (line, column). */
  literal(s: string, line: number, column: number): void {
    if (s.length === 0) return;
    // Extend the previous literal segment when this piece continues it exactly.
    if (!(this.lastLit === 1 && this.lastLine === line && this.lastCol + (this.text.length - this.lastOut) === column)) {
      this.map.push(this.text.length, line, column, 1);
      this.lastLine = line; this.lastCol = column; this.lastLit = 1; this.lastOut = this.text.length;
    }
    this.text += s;
  }

  /** Appends text that replaced something written at (line, column). */
  substituted(s: string, line: number, column: number): void {
    if (s.length === 0) return;
    if (!(this.lastLit === 0 && this.lastLine === line && this.lastCol === column)) {
      this.map.push(this.text.length, line, column, 0);
      this.lastLine = line; this.lastCol = column; this.lastLit = 0; this.lastOut = this.text.length;
    }
    this.text += s;
  }

  /** Appends a piece of another SrcLine (offsets [start, end) of `from.text`), keeping its mapping. */
  copy(from: SrcLine, start: number, end: number): void {
    if (end <= start) return;
    if (!from.map) { this.literal(from.text.slice(start, end), from.line, start + 1); return; }
    const m = from.map;
    let pos = start;
    while (pos < end) {
      // find the segment holding pos and where it ends
      let i = 0;
      for (let k = 0; k < m.length; k += 4) { if (m[k] <= pos) i = k; else break; }
      const segEnd = i + 4 < m.length ? Math.min(m[i + 4], end) : end;
      const piece = from.text.slice(pos, segEnd);
      if (m[i + 3]) this.literal(piece, m[i + 1], m[i + 2] + (pos - m[i]));
      else this.substituted(piece, m[i + 1], m[i + 2]);
      pos = segEnd;
    }
  }

  /** The finished line; `map` is dropped when it is the identity on `line`. */
  finish(file: string, line: number): SrcLine {
    const m = this.map;
    if (m.length === 0 || (m.length === 4 && m[0] === 0 && m[1] === line && m[2] === 1 && m[3] === 1)) {
      return { text: this.text, file, line };
    }
    return { text: this.text, file, line, map: m };
  }
}

/** Splits a file into physical lines (LF, CRLF or CR). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  // A trailing newline does not start another line.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
