// Turning what the user names on the command line into an ELF image: AArch64 ELF files are read as
// they are; `.s` / `.S` sources are assembled with our assembler and linked into a static ELF (the
// same bytes `tagvisor asm` writes).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { assemble, AsmError, type AsmResult } from '../asm';
import { parseElf, writeElf, ElfError, type ElfFile, type WriteSegment, type WriteSymbol, type WriteLine } from '../elf';
import { A64 } from '../isa/table';

/** A user-facing error: one line, no stack trace; `exit` is the process status to use. */
export class CliError extends Error {
  constructor(message: string, readonly exit = 1) { super(message); this.name = 'CliError'; }
}

export function isAssembly(path: string): boolean {
  return /\.(s|S|sx|asm)$/.test(path);
}

export function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${path}: no such file`, 127);
    if (code === 'EISDIR') throw new CliError(`${path}: is a directory`, 126);
    if (code === 'EACCES') throw new CliError(`${path}: permission denied`, 126);
    throw new CliError(`${path}: cannot read: ${(e as Error).message}`, 126);
  }
}

/** Assembles a source file (includes resolved next to the including file). Throws CliError with file:line:column. */
export function assembleFile(path: string): AsmResult {
  const text = new TextDecoder().decode(readInput(path));
  try {
    return assemble(text, {
      file: path,
      encode: (m, ops, ctx) => A64.encode(m, ops, ctx),
      readInclude: (p, from) => {
        const full = isAbsolute(p) ? p : join(dirname(from), p);
        try { return { file: full, text: readFileSync(full, 'utf8') }; } catch { return undefined; }
      },
    });
  } catch (e) {
    if (e instanceof AsmError) throw new CliError(e.message, 126);
    throw e;
  }
}

/** Lays the assembled sections out as ELF segments (one per page-aligned group) and writes the image. */
export function linkAssembly(r: AsmResult, sourcePath: string): Uint8Array {
  const alloc = r.sections.filter(s => s.address !== 0n || s.flags.includes('a'));
  type Group = { flags: 'rx' | 'r' | 'rw'; nobits: boolean; sections: typeof alloc };
  const groups: Group[] = [];
  const groupOf = new Map<string, Group>();
  for (const s of [...alloc].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))) {
    if (!s.flags.includes('a')) continue;
    const flags = s.flags.includes('x') ? 'rx' : s.flags.includes('w') ? 'rw' : 'r';
    const nobits = s.type === 'nobits';
    const last = groups[groups.length - 1];
    const lastEnd = last ? last.sections[last.sections.length - 1].address + BigInt(last.sections[last.sections.length - 1].size) : 0n;
    const samePage = last && last.flags === flags && last.nobits === nobits && s.address >= lastEnd && s.address - lastEnd < 4096n;
    if (samePage) { last.sections.push(s); groupOf.set(s.name, last); continue; }
    const g: Group = { flags, nobits, sections: [s] };
    groups.push(g);
    groupOf.set(s.name, g);
  }
  const segments: WriteSegment[] = groups.filter(g => g.sections.some(s => s.size > 0)).map(g => {
    const start = g.sections[0].address;
    const end = g.sections.reduce((m, s) => (s.address + BigInt(s.size) > m ? s.address + BigInt(s.size) : m), start);
    if (g.nobits) return { vaddr: start, data: new Uint8Array(0), memsz: end - start, flags: g.flags, name: g.sections[0].name };
    const data = new Uint8Array(Number(end - start));
    for (const s of g.sections) data.set(s.bytes, Number(s.address - start));
    return { vaddr: start, data, flags: g.flags, name: g.sections[0].name };
  });
  const segName = (section: string | null): string => {
    if (section === null) return 'ABS';
    const g = groupOf.get(section);
    return g ? g.sections[0].name : section;
  };
  const names = new Set(segments.map(s => s.name));
  const symbols: WriteSymbol[] = r.symbols
    .filter(s => !s.temporary && (s.section === null || names.has(segName(s.section))))
    .map(s => ({ name: s.name, value: s.value, size: s.size !== undefined ? Number(s.size) : 0, type: s.type, global: s.global, section: segName(s.section) }));
  const lines: WriteLine[] = r.lineMap.filter(l => l.kind === 'insn').map(l => ({ address: l.address, file: resolve(l.file), line: l.line, column: l.column }));
  if (segments.length === 0 || !segments.some(s => s.flags === 'rx')) throw new CliError(`${sourcePath}: no code to run (the .text section is empty)`, 126);
  try {
    return writeElf({
      entry: r.entry, segments, symbols, lines, sourceFiles: [resolve(sourcePath), ...r.files.slice(1).map(f => resolve(f))],
      name: sourcePath,
    });
  } catch (e) {
    if (e instanceof ElfError) throw new CliError(e.message, 126);
    throw e;
  }
}

export interface Program {
  /** Absolute path of what the user named. */
  path: string;
  bytes: Uint8Array;
  elf: ElfFile;
  /** Set when the program was assembled from source. */
  asm?: AsmResult;
}

/** Reads an ELF or assembles a source file. Every failure is a CliError naming the place. */
export function loadProgram(path: string): Program {
  const abs = resolve(path);
  if (isAssembly(path)) {
    const asm = assembleFile(path);
    const bytes = linkAssembly(asm, path);
    return { path: abs, bytes, elf: parseElfOrThrow(bytes, path), asm };
  }
  const bytes = readInput(path);
  return { path: abs, bytes, elf: parseElfOrThrow(bytes, path) };
}

export function parseElfOrThrow(bytes: Uint8Array, name: string): ElfFile {
  try {
    return parseElf(bytes, name);
  } catch (e) {
    if (e instanceof ElfError) throw new CliError(e.message, 126);
    throw e;
  }
}
