// The assembler's options and result (the public API next to `assemble`).

import type { AsmError, EncodeInstruction, SourcePos } from './types';

/**
 * Reads an included file (`.include "x"`, `#include "x"` / `<x>`), `fromFile` being the file that
 * asks. Return its text (it is then known by `path`), `{ file, text }` to name it by its resolved
 * path, or undefined when it cannot be found.
 */
export type ReadInclude = (path: string, fromFile: string) => string | { file: string; text: string } | undefined;

export interface AsmOptions {
  /** Name of the source file (used in positions; `.S` / `.sx` selects the C preprocessor). */
  file: string;
  /** The instruction encoder (emulator/isa). */
  encode: EncodeInstruction;
  readInclude?: ReadInclude;
  /** Preprocessor macros (`-D`) for `.S` files; `'F(a,b)'` keys define function-like macros. */
  defines?: Record<string, string>;
  /** Address of .text (default 0x401000: one page above 0x400000 for the ELF headers). */
  textBase?: bigint;
  /** Report every error in `errors` instead of throwing the first one (for the language server). */
  collectErrors?: boolean;
  /** Run the C preprocessor; default: when `file` ends in `.S` or `.sx`. */
  preprocess?: boolean;
  /** Limit for nested `.macro` expansions and includes (default 100 and 64). */
  maxMacroDepth?: number;
  maxIncludeDepth?: number;
}

export type SectionType = 'progbits' | 'nobits' | 'note' | 'init_array' | 'fini_array' | 'preinit_array';

export interface AsmSection {
  name: string;
  /** ELF-style flag letters: a (alloc), w (write), x (exec), plus M S T G o R when given. */
  flags: string;
  type: SectionType;
  /** Load address (0 for sections without the `a` flag). */
  address: bigint;
  size: number;
  /** Largest alignment requested inside the section (bytes). */
  align: number;
  /** Contents; empty for nobits sections (.bss). */
  bytes: Uint8Array;
}

export type SymbolType = 'func' | 'object' | 'notype';
export type SymbolBinding = 'local' | 'global' | 'weak';

export interface AsmSymbol {
  name: string;
  /** Absolute value (for labels: the address). */
  value: bigint;
  /** Section name, or null for absolute symbols (`.equ x, 5`). */
  section: string | null;
  binding: SymbolBinding;
  global: boolean;
  type: SymbolType;
  /** From `.size` (or `.comm`/`.lcomm`). */
  size?: bigint;
  /** Assembler-local names (`.L...`) that an object file would not keep. */
  temporary?: boolean;
  /** Where it was defined (label, `.set`, `.comm`...). */
  pos?: SourcePos;
}

export interface LineMapEntry {
  address: bigint;
  file: string;
  line: number;
  column: number;
  /** Bytes covered. */
  size: number;
  /** An instruction (including `.inst`) or data. */
  kind: 'insn' | 'data';
}

export interface AsmDiagnostic {
  severity: 'error' | 'warning' | 'info';
  message: string;
  pos?: SourcePos;
}

export interface AsmResult {
  sections: AsmSection[];
  symbols: AsmSymbol[];
  /** `_start` when defined, else the start of .text. */
  entry: bigint;
  /** One entry per instruction and per data directive, sorted by address. */
  lineMap: LineMapEntry[];
  /** Errors (only with collectErrors; otherwise the first one is thrown). */
  errors: AsmError[];
  /** Everything reported: errors (with collectErrors), warnings, and `.print` output. */
  diagnostics: AsmDiagnostic[];
  /** Every file read (the main file first, then includes). */
  files: string[];
}
