// Small helpers for tests that drive external tools (cross compilers, binutils, qemu).
// Tests that need a tool skip with a printed reason when it is missing:
//   test('...', { skip: missingTools('aarch64-linux-gnu-gcc') }, () => { ... })

import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const toolCache = new Map<string, string | null>();

/** Absolute path of an executable found on PATH, or null. */
export function whichTool(name: string): string | null {
  let hit = toolCache.get(name);
  if (hit !== undefined) return hit;
  hit = null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try { accessSync(p, constants.X_OK); hit = p; break; } catch { /* not here */ }
  }
  toolCache.set(name, hit);
  return hit;
}

/** True if `name` is an executable on PATH. */
export function haveTool(name: string): boolean {
  return whichTool(name) !== null;
}

/**
 * A skip reason naming the tools that are not installed, or false when all are present; meant for
 * node:test's `skip` option (the reason is printed by the reporter).
 */
export function missingTools(...names: string[]): string | false {
  const missing = names.filter(n => !haveTool(n));
  return missing.length ? `not installed: ${missing.join(', ')}` : false;
}

export interface RunResult {
  /** Exit status, or null when killed by a signal (see `signal`) or when the tool could not start. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  input?: string | Uint8Array;
  /** Kill the process after this many milliseconds (default 60 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a program synchronously and captures its output (UTF-8). Never throws for a failing program. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd, input: opts.input, env: opts.env, encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000, maxBuffer: 256 * 1024 * 1024,
  });
  return {
    status: r.status, signal: r.signal,
    stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : ''),
  };
}

/** Like run(), but throws with the command line and stderr when the exit status is not 0. */
export function runOk(cmd: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  const r = run(cmd, args, opts);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}${r.signal ? `, signal ${r.signal}` : ''}):\n${r.stderr}${r.stdout}`);
  }
  return r;
}

const tmpDirs: string[] = [];
let cleanupRegistered = false;

/** A fresh temporary directory, removed when the process exits. */
export function tmpDir(prefix = 'tagvisor-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(d);
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.on('exit', () => { for (const x of tmpDirs) rmSync(x, { recursive: true, force: true }); });
  }
  return d;
}
