// Address <-> source line for the program being debugged: the assembler's line map for programs
// Tagvisor assembled (.s / .S), the DWARF .debug_line table (via emulator/elf) for ELF files built
// with -g. Both answer the same questions: which line is this pc on, where does a breakpoint on
// file:line go, and which lines of a file can hold breakpoints.
// The maps read link-time addresses (the ELF file's); `sourceMapFor` wraps them for a program loaded
// with a load bias (static-pie), so everything above this file speaks run-time addresses only.
import type { AsmResult, LineMapEntry } from '../asm';
import type { ElfFile } from '../elf';

export interface SourceLocation { file: string; line: number; column: number }

export interface BreakpointPlacement {
  /** The line the breakpoint moved to (the first line at or after the requested one with code). */
  line: number;
  file: string;
  addresses: number[];
}

export interface SourceMap {
  /** Source position of the instruction at addr, if known (undefined for DWARF line-0 code too). */
  lineAt(addr: number): SourceLocation | undefined;
  /**
   * True when the map covers addr but gives it no source line: DWARF line 0, code the compiler made
   * up (constants, spills, jumps between a line's parts). Line steps go through such code.
   */
  lineZero(addr: number): boolean;
  /** Where a breakpoint on file:line goes (undefined when the file has no code at or after that line). */
  place(file: string, line: number): BreakpointPlacement | undefined;
  /** Lines of `file` in [fromLine, toLine] that have code (for breakpointLocations). */
  linesWithCode(file: string, fromLine: number, toLine: number): { line: number; column: number }[];
  /** The source files this map knows (full paths). */
  files(): string[];
  /** The full path this map uses for a path the client sent (exact, else by basename), or undefined. */
  match(file: string): string | undefined;
}

const norm = (p: string): string => p.replace(/\\/g, '/');
const base = (p: string): string => { const n = norm(p); return n.slice(n.lastIndexOf('/') + 1); };

/** Picks the known file for a client path: exact match, else the longest common path suffix. */
function matchPath(known: Iterable<string>, file: string): string | undefined {
  const q = norm(file);
  let best: string | undefined, bestScore = -1;
  for (const k of known) {
    if (norm(k) === q) return k;
    if (base(k) !== base(q)) continue;
    const a = norm(k).split('/'), b = q.split('/');
    let n = 0;
    while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
    if (n > bestScore) { best = k; bestScore = n; }
  }
  return best;
}

/** The assembler's line map (one entry per instruction and data directive). */
export class AsmSourceMap implements SourceMap {
  private readonly insns: LineMapEntry[];
  private readonly byFile = new Map<string, Map<number, { address: number; column: number }[]>>();

  constructor(asm: AsmResult, private readonly resolvePath: (p: string) => string = p => p) {
    this.insns = asm.lineMap.filter(e => e.kind === 'insn').slice().sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    for (const e of this.insns) {
      const f = this.resolvePath(e.file);
      let m = this.byFile.get(f);
      if (!m) this.byFile.set(f, m = new Map());
      const l = m.get(e.line);
      const rec = { address: Number(e.address), column: e.column };
      if (l) l.push(rec); else m.set(e.line, [rec]);
    }
  }

  lineAt(addr: number): SourceLocation | undefined {
    let lo = 0, hi = this.insns.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (Number(this.insns[mid].address) <= addr) lo = mid + 1; else hi = mid; }
    const e = this.insns[lo - 1];
    if (!e || addr >= Number(e.address) + e.size) return undefined;
    return { file: this.resolvePath(e.file), line: e.line, column: e.column };
  }

  lineZero(_addr: number): boolean { return false; }

  place(file: string, line: number): BreakpointPlacement | undefined {
    const f = this.match(file);
    if (!f) return undefined;
    const m = this.byFile.get(f)!;
    let best = Infinity;
    for (const l of m.keys()) if (l >= line && l < best) best = l;
    if (best === Infinity) return undefined;
    // A line that expands to several instructions (a macro invocation) breaks at its first one.
    const addrs = m.get(best)!.map(r => r.address).sort((a, b) => a - b);
    return { file: f, line: best, addresses: [addrs[0]] };
  }

  linesWithCode(file: string, fromLine: number, toLine: number): { line: number; column: number }[] {
    const f = this.match(file);
    if (!f) return [];
    const out: { line: number; column: number }[] = [];
    for (const [l, recs] of this.byFile.get(f)!) if (l >= fromLine && l <= toLine) out.push({ line: l, column: Math.min(...recs.map(r => r.column)) });
    return out.sort((a, b) => a.line - b.line);
  }

  files(): string[] { return [...this.byFile.keys()].sort(); }
  match(file: string): string | undefined { return matchPath(this.byFile.keys(), file); }
}

/** DWARF .debug_line of an ELF file. A malformed table reads as "no line information". */
export class DwarfSourceMap implements SourceMap {
  constructor(private readonly elf: ElfFile) {}

  private table() {
    try { return this.elf.lineTable; } catch { return undefined; }
  }

  lineAt(addr: number): SourceLocation | undefined {
    const r = this.table()?.addressToLine(addr);
    if (!r || r.line === 0) return undefined;
    return { file: r.file, line: r.line, column: r.column || 1 };
  }

  lineZero(addr: number): boolean { return this.table()?.addressToLine(addr)?.line === 0; }

  place(file: string, line: number): BreakpointPlacement | undefined {
    let r;
    try { r = this.elf.breakpointLocations(file, line); } catch { return undefined; }
    return r && r.addresses.length ? { file: r.file, line: r.line, addresses: r.addresses } : undefined;
  }

  linesWithCode(file: string, fromLine: number, toLine: number): { line: number; column: number }[] {
    const t = this.table();
    if (!t) return [];
    const files = new Set(t.matchFiles(file));
    const seen = new Map<number, number>();
    for (const seq of t.sequences) {
      for (const r of seq.rows) {
        if (r.endSequence || !files.has(r.file) || r.line < fromLine || r.line > toLine || r.line === 0) continue;
        const col = r.column || 1;
        const old = seen.get(r.line);
        if (old === undefined || col < old) seen.set(r.line, col);
      }
    }
    return [...seen].map(([line, column]) => ({ line, column })).sort((a, b) => a.line - b.line);
  }

  files(): string[] { return this.table()?.files ?? []; }
  match(file: string): string | undefined { return this.table()?.matchFiles(file)[0]; }
}

/**
 * A map over link-time addresses seen from a program loaded `bias` bytes away from them (a
 * static-pie's load bias): run-time addresses in and out.
 */
export class LoadedSourceMap implements SourceMap {
  constructor(private readonly inner: SourceMap, readonly bias: number) {}
  lineAt(addr: number): SourceLocation | undefined { return this.inner.lineAt(addr - this.bias); }
  lineZero(addr: number): boolean { return this.inner.lineZero(addr - this.bias); }
  place(file: string, line: number): BreakpointPlacement | undefined {
    const p = this.inner.place(file, line);
    return p && { ...p, addresses: p.addresses.map(a => a + this.bias) };
  }
  linesWithCode(file: string, fromLine: number, toLine: number): { line: number; column: number }[] { return this.inner.linesWithCode(file, fromLine, toLine); }
  files(): string[] { return this.inner.files(); }
  match(file: string): string | undefined { return this.inner.match(file); }
}

/**
 * The source map for a loaded program: the assembler's when it was assembled, else DWARF; over
 * run-time addresses when the program was loaded with a load bias (`emulator/linux`'s
 * `image.loadBias`, non-zero for static-pie).
 */
export function sourceMapFor(elf: ElfFile, asm?: AsmResult, resolvePath?: (p: string) => string, loadBias = 0): SourceMap {
  const m = asm ? new AsmSourceMap(asm, resolvePath) : new DwarfSourceMap(elf);
  return loadBias === 0 ? m : new LoadedSourceMap(m, loadBias);
}
