// Types for build.mjs (the corpus builder/runner shared by test/diff/*.test.ts).
export declare const REPO: string;
export declare const CACHE: string;
export declare const CLI: string;
export declare const TOOLS: { gcc: string; clang: string; as: string; ld: string; qemu: string };
export declare const GROUPS: { group: string; dir: string; exts: string[] }[];

export interface Directives { args: string[]; env: Record<string, string>; variants: string[] | null }
export interface BuildResult { status: 'built' | 'cached' | 'failed' | 'skipped'; reason?: string }
export interface CorpusEntry {
  /** "group/name@variant", e.g. "c/arith@gcc-O2", "asm/mte@gas", "trace/alu@gas". */
  id: string;
  group: string;
  name: string;
  /** gcc-O0 | gcc-O2 | clang-O0 | clang-O2 (C), gas (.s), gcc-S (.S) */
  variant: string;
  source: string;
  out: string;
  args: string[];
  env: Record<string, string>;
  build?: BuildResult;
}
export interface RunOutcome {
  stdout: string;
  stderr: string;
  /** Exit code, or 128+N when the process died by signal N. */
  status: number | null;
  timedOut: boolean;
  rawSignal: string | null;
}

export declare function toolVersion(tool: string): string | null;
export declare function haveTool(tool: string): boolean;
export declare function parseDirectives(text: string, file?: string): Directives;
export declare function listCorpus(filters?: string[]): CorpusEntry[];
export declare function buildCommands(e: CorpusEntry): string[][];
export declare function buildEntry(e: CorpusEntry): Promise<BuildResult>;
export declare function buildCorpus(opts?: { filters?: string[]; jobs?: number; onResult?: (e: CorpusEntry) => void }): Promise<CorpusEntry[]>;
export declare function signalNumber(name: string): number;
export declare function shellStatus(r: { status: number | null; signal: string | null }): number | null;
export declare function runQemu(elf: string, args?: string[], env?: Record<string, string>, opts?: { timeout?: number; extra?: string[] }): RunOutcome;
export declare function runCli(elf: string, args?: string[], env?: Record<string, string>, opts?: { timeout?: number; options?: string[] }): RunOutcome;
export declare function checkDeterminism(e: CorpusEntry, runs?: number): string | null;
export declare function firstDifference(a: string, b: string): string;
