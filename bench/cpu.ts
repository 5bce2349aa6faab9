// The machine's speed on the two loops of bench/programs (issue 2, section 8): each loop is built
// as a static ELF (GNU as + ld when installed, else our own assembler), run to completion on our
// CPU (Linux runtime over plain RAM) and, when qemu-aarch64 is installed, by `qemu-aarch64 -cpu max`
// on the same file. Guest MIPS = retired instructions / seconds of the run (see Timing); QEMU is
// credited with the instruction count our run retired (the programs are deterministic).
// Prints figures; never asserts on time.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { assembleFile, linkAssembly } from '../emulator/cli/program';
import { LinuxProcess, type ProcessOptions } from '../emulator/linux';
import { parseElf } from '../emulator/elf';

export const LOOPS = ['mte-loop', 'plain-loop'] as const;
export type LoopName = typeof LOOPS[number];

/** bench/programs: next to this file, or (when bundled elsewhere) under the working directory. */
const PROGRAMS = existsSync(join(__dirname, 'programs')) ? join(__dirname, 'programs') : join(process.cwd(), 'bench', 'programs');

export function whichTool(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try { accessSync(p, constants.X_OK); return p; } catch { /* not here */ }
  }
  return null;
}

export interface BuiltProgram { name: LoopName; path: string; bytes: Uint8Array; builtWith: 'gnu' | 'tagvisor'; iterations: number }

/**
 * Builds bench/programs/NAME.s into a static ELF under the system temp directory. `iterations`
 * replaces the loop count of the source (`.equ ITERATIONS, ...`); default: the source's own (50M).
 */
export function buildLoop(name: LoopName, iterations?: number): BuiltProgram {
  let src = readFileSync(join(PROGRAMS, `${name}.s`), 'utf8');
  const m = /\.equ\s+ITERATIONS,\s*(\d+)/.exec(src);
  if (!m) throw new Error(`bench/programs/${name}.s: no '.equ ITERATIONS, N' line`);
  let n = Number(m[1]);
  if (iterations !== undefined) {
    if (!Number.isInteger(iterations) || iterations < 1 || iterations >= 2 ** 32) throw new Error(`iterations: ${iterations} is not an integer in [1, 2^32)`);
    n = iterations;
    src = src.replace(m[0], `.equ    ITERATIONS, ${n}`);
  }
  const dir = join(tmpdir(), `tagvisor-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const s = join(dir, `${name}-${n}.s`), o = join(dir, `${name}-${n}.o`), exe = join(dir, `${name}-${n}`);
  writeFileSync(s, src);
  if (whichTool('aarch64-linux-gnu-as') && whichTool('aarch64-linux-gnu-ld')) {
    const as = spawnSync('aarch64-linux-gnu-as', ['-march=armv8.5-a+memtag', s, '-o', o], { encoding: 'utf8' });
    if (as.status !== 0) throw new Error(`aarch64-linux-gnu-as ${s}: ${as.stderr || as.error}`);
    const ld = spawnSync('aarch64-linux-gnu-ld', ['-static', o, '-o', exe], { encoding: 'utf8' });
    if (ld.status !== 0) throw new Error(`aarch64-linux-gnu-ld ${o}: ${ld.stderr || ld.error}`);
    return { name, path: exe, bytes: new Uint8Array(readFileSync(exe)), builtWith: 'gnu', iterations: n };
  }
  const bytes = linkAssembly(assembleFile(s), s);
  writeFileSync(exe, bytes, { mode: 0o755 });
  return { name, path: exe, bytes, builtWith: 'tagvisor', iterations: n };
}

/**
 * Timing: the machine is shared, so wall-clock time mostly measures the other tenants. Each run is
 * timed both ways; `cpu` seconds are the process's own user+system CPU time (ours: this process,
 * process.cpuUsage; QEMU: the child's, from /proc/self/stat cutime+cstime, 10 ms resolution),
 * which is what the figures use when available.
 */
export interface Timing { wall: number; cpu: number | null }

const seconds = (t: Timing): number => t.cpu ?? t.wall;

/** Children's user+system CPU seconds so far (Linux /proc), or null. */
function childCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state(3) ... cutime is field 16, cstime 17 (1-based in proc(5)).
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch { return null; }
}

export interface OurRun { insns: number; time: Timing; mips: number; status: number | null }

/** Runs a built program to its exit on our machine; times only the run (not loading). */
export function runOurs(p: BuiltProgram, opts: Partial<ProcessOptions> = {}): OurRun {
  const proc = new LinuxProcess(parseElf(p.bytes, p.path), { path: p.path, argv: [p.path], ...opts });
  const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
  const r = proc.run();
  const c1 = process.cpuUsage(c0);
  const time: Timing = { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c1.user + c1.system) / 1e6 };
  const status = r.reason === 'exit' ? (r.status.signal !== null ? 128 + r.status.signal : r.status.code ?? 0) : null;
  if (status !== 0) throw new Error(`${p.name}: our run ended with ${r.reason}${status !== null ? ` status ${status}` : ''}, expected exit 0`);
  return { insns: proc.steps, time, mips: proc.steps / seconds(time) / 1e6, status };
}

export interface QemuRun { time: Timing; mips: number }

/** `qemu-aarch64 -cpu max PATH`, wall-clock timed; null when QEMU is not installed. */
export function runQemu(p: BuiltProgram, insns: number): QemuRun | null {
  if (!whichTool('qemu-aarch64')) return null;
  const c0 = childCpuSeconds(), t0 = process.hrtime.bigint();
  const r = spawnSync('qemu-aarch64', ['-cpu', 'max', p.path], { encoding: 'utf8', timeout: 600_000 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9, c1 = childCpuSeconds();
  if (r.status !== 0) throw new Error(`qemu-aarch64 ${p.path}: status ${r.status} ${r.signal ?? ''} ${r.stderr ?? ''}`);
  const time: Timing = { wall, cpu: c0 !== null && c1 !== null && c1 > c0 ? c1 - c0 : null };
  return { time, mips: insns / seconds(time) / 1e6 };
}

export interface LoopFigures {
  name: LoopName; builtWith: string; iterations: number; insns: number;
  /** Guest MIPS by CPU time (wall time when CPU time is unavailable), and by wall time. */
  ours: number; oursWall: number;
  qemu: number | null; qemuWall: number | null;
  /** ours / qemu (CPU-time figures). */
  ratio: number | null;
}

/** Both loops, ours then QEMU on the same file; `iterations` overrides the 50M of the sources. */
export function benchCpu(opts: { iterations?: number; loops?: readonly LoopName[] } = {}): LoopFigures[] {
  const out: LoopFigures[] = [];
  for (const name of opts.loops ?? LOOPS) {
    const p = buildLoop(name, opts.iterations);
    const ours = runOurs(p);
    const q = runQemu(p, ours.insns);
    out.push({
      name, builtWith: p.builtWith, iterations: p.iterations, insns: ours.insns,
      ours: ours.mips, oursWall: ours.insns / ours.time.wall / 1e6,
      qemu: q ? q.mips : null, qemuWall: q ? ours.insns / q.time.wall / 1e6 : null,
      ratio: q ? ours.mips / q.mips : null,
    });
  }
  return out;
}

export function formatLoop(f: LoopFigures): string {
  const q = f.qemu === null ? 'QEMU: not installed' : `QEMU ${f.qemu.toFixed(1)} MIPS (wall ${f.qemuWall!.toFixed(1)}), ours/QEMU ${f.ratio!.toFixed(2)}`;
  return `cpu: ${f.name} (${f.iterations} iterations, ${f.insns} insns, built with ${f.builtWith === 'gnu' ? 'GNU as/ld' : 'tagvisor asm'}): ours ${f.ours.toFixed(1)} MIPS (wall ${f.oursWall.toFixed(1)}), ${q}`;
}

if (require.main === module) {
  const arg = process.argv.find(a => a.startsWith('--iterations='));
  for (const f of benchCpu({ iterations: arg ? Number(arg.slice(13)) : undefined })) console.log(formatLoop(f));
}
