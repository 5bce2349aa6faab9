// The block compiler on glibc's SIMD string/memory routines and scalar double arithmetic:
// bench/programs/simd-strings.c (memset, memcpy, strlen, strchr, memchr, memcmp, strcmp, strcpy,
// memmove on buffers of 3..4000 bytes, plus a double-precision loop), built with
// aarch64-linux-gnu-gcc -O2 -static, run to its exit with compiled blocks on (the default
// threshold) and off (Cpu.blockThreshold = 0), alternately. Guest MIPS by this process's CPU time.
// Prints figures; never asserts on time.
//   npm run bench -- simd [-- --iterations=N]   (N = rounds of the program, default 400)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cpu } from '../emulator/cpu/cpu';
import { parseElf } from '../emulator/elf';
import { LinuxProcess } from '../emulator/linux';
import { whichTool } from './cpu';

const PROGRAMS = existsSync(join(__dirname, 'programs')) ? join(__dirname, 'programs') : join(process.cwd(), 'bench', 'programs');
const GCC = 'aarch64-linux-gnu-gcc';

export interface SimdRun { insns: number; seconds: number; mips: number; output: string }
export interface SimdFigures { rounds: number; on: SimdRun[]; off: SimdRun[]; ratio: number }

function runOnce(path: string, bytes: Uint8Array, rounds: number, threshold: number): SimdRun {
  const saved = Cpu.blockThreshold;
  Cpu.blockThreshold = threshold;
  try {
    const p = new LinuxProcess(parseElf(bytes, path), { path, argv: [path, String(rounds)], env: [], seed: 0 });
    let output = '';
    p.on('stdout', d => { output += Buffer.from(d).toString('latin1'); });
    const c0 = process.cpuUsage();
    const r = p.run();
    const c1 = process.cpuUsage(c0);
    if (r.reason !== 'exit' || r.status.code !== 0) throw new Error(`${path}: ended with ${r.reason}, expected exit 0`);
    const seconds = (c1.user + c1.system) / 1e6;
    return { insns: p.steps, seconds, mips: p.steps / seconds / 1e6, output };
  } finally { Cpu.blockThreshold = saved; }
}

/** Builds and runs the program `runs` times each way; a string (the skip reason) when gcc is missing. */
export function benchSimd(opts: { rounds?: number; runs?: number } = {}): SimdFigures | string {
  if (!whichTool(GCC)) return `skipped (${GCC} not installed)`;
  const rounds = opts.rounds ?? 400, runs = opts.runs ?? 3;
  const dir = join(tmpdir(), `tagvisor-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'simd-strings');
  const cc = spawnSync(GCC, ['-O2', '-static', join(PROGRAMS, 'simd-strings.c'), '-o', exe], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`${GCC} bench/programs/simd-strings.c: ${cc.stderr || cc.error}`);
  const bytes = new Uint8Array(readFileSync(exe));
  const on: SimdRun[] = [], off: SimdRun[] = [];
  const threshold = Cpu.blockThreshold > 0 ? Cpu.blockThreshold : 2000;
  for (let k = 0; k < runs; k++) {
    on.push(runOnce(exe, bytes, rounds, threshold));
    off.push(runOnce(exe, bytes, rounds, 0));
  }
  if (on.some(r => r.output !== off[0].output || r.insns !== off[0].insns) || off.some(r => r.output !== off[0].output)) {
    throw new Error(`simd-strings: runs differ (blocks on: ${JSON.stringify(on[0].output)}, off: ${JSON.stringify(off[0].output)})`);
  }
  const best = (rs: SimdRun[]): number => Math.max(...rs.map(r => r.mips));
  return { rounds, on, off, ratio: best(on) / best(off) };
}

export function formatSimdBench(f: SimdFigures | string): string[] {
  if (typeof f === 'string') return [`simd: ${f}`];
  const list = (rs: SimdRun[]): string => rs.map(r => r.mips.toFixed(1)).join(' / ');
  return [
    `simd: simd-strings.c (${f.rounds} rounds, ${f.on[0].insns} insns): blocks on ${list(f.on)} MIPS, off ${list(f.off)} MIPS, best on/off ${f.ratio.toFixed(2)}`,
  ];
}

if (require.main === module) {
  const arg = process.argv.find(a => a.startsWith('--iterations='));
  for (const l of formatSimdBench(benchSimd({ rounds: arg ? Number(arg.slice(13)) : undefined }))) console.log(l);
}
