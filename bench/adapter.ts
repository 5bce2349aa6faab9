// Debug adapter figures for `npm run bench` (issue: the debug adapter):
//  - next -> stopped -> stackTrace + scopes + variables round trip over DAP (target p95 <= 5 ms)
//  - tagvisor/readTags of 1 MiB = 65,536 granules with provenance (target <= 10 ms)
//  - launch request -> stopped on entry (target <= 200 ms)
//  - guest MIPS under the debugger with 10 breakpoints + 1 data breakpoint vs none (target: within 10%)
// Everything runs against the shipped bundle dist/adapter.js (built by `npm run bench`), except the
// MIPS figure, which drives emulator/debug's Debuggee in-process (what the adapter runs per slice).
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { loadProgram } from '../emulator/cli/program';
import { Debuggee } from '../emulator/debug/debuggee';
import { decodeReadTags, type ReadTagsBody } from '../adapter/tags';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ADAPTER = join(REPO, 'dist', 'adapter.js');
const INIT = { adapterID: 'tagvisor', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true } as DebugProtocol.InitializeRequestArguments;

export interface AdapterBench {
  stepRoundTrip: { p50: number; p95: number; n: number };
  readTags1MiB: { median: number; min: number; n: number; bytes: number };
  launchToEntry: { median: number; min: number; n: number };
  mips: { none: number; breakpoints: number; ratio: number; withHistory: number; bare: number; instructions: number };
}

const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

async function session(): Promise<DebugClient> {
  const dc = new DebugClient(process.execPath, ADAPTER, 'tagvisor');
  await dc.start();
  await dc.initializeRequest(INIT);
  return dc;
}

async function launchStopped(dc: DebugClient, args: object, setup?: () => Promise<unknown>): Promise<void> {
  await Promise.all([dc.launchRequest(args as DebugProtocol.LaunchRequestArguments), dc.waitForEvent('initialized')]);
  if (setup) await setup();
  const st = dc.waitForEvent('stopped', 60_000);
  await dc.configurationDoneRequest();
  await st;
}

async function stepRoundTrip(n: number): Promise<AdapterBench['stepRoundTrip']> {
  const dc = await session();
  try {
    await launchStopped(dc, { program: join(REPO, 'test', 'adapter', 'programs', 'loop.s'), stopOnEntry: true });
    const times: number[] = [];
    for (let i = 0; i < n + 20; i++) {
      const t0 = performance.now();
      const st = dc.waitForEvent('stopped');
      await dc.nextRequest({ threadId: 1 });
      await st;
      const tr = await dc.stackTraceRequest({ threadId: 1 });
      const sc = await dc.scopesRequest({ frameId: tr.body.stackFrames[0].id });
      await dc.variablesRequest({ variablesReference: sc.body.scopes[0].variablesReference });
      if (i >= 20) times.push(performance.now() - t0);
    }
    return { p50: pct(times, 0.5), p95: pct(times, 0.95), n };
  } finally { await dc.stop(); }
}

async function readTags(n: number): Promise<AdapterBench['readTags1MiB']> {
  const dc = await session();
  try {
    await launchStopped(dc, { program: join(REPO, 'bench', 'programs', 'adapter-tags.s'), historySize: 0 },
      () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'done' }] }));
    const ev = await dc.evaluateRequest({ expression: 'x19', context: 'watch' });
    const base = ev.body.result.split(' ')[0];
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < n + 3; i++) {
      const t0 = performance.now();
      const r = await dc.customRequest('tagvisor/readTags', { address: base, count: 65536 });
      const dt = performance.now() - t0;
      const g = decodeReadTags(r.body as ReadTagsBody);
      if (g.length !== 65536 || g.some(x => x.tag === null || !x.set)) throw new Error('readTags returned the wrong granules');
      bytes = JSON.stringify(r.body).length;
      if (i >= 3) times.push(dt);
    }
    return { median: pct(times, 0.5), min: Math.min(...times), n, bytes };
  } finally { await dc.stop(); }
}

async function launchToEntry(n: number): Promise<AdapterBench['launchToEntry']> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const dc = await session();
    try {
      const t0 = performance.now();
      await launchStopped(dc, { program: join(REPO, 'examples', 'use-after-free.s'), stopOnEntry: true });
      times.push(performance.now() - t0);
    } finally { await dc.stop(); }
  }
  return { median: pct(times, 0.5), min: Math.min(...times), n };
}

/** The benchmark's MTE loop with fewer iterations (same instructions). */
function loopProgram(iterations: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'tv-bench-'));
  const src = readFileSync(join(REPO, 'bench', 'programs', 'mte-loop.s'), 'utf8').replace(/\.equ\s+ITERATIONS,\s*[0-9]+/, `.equ    ITERATIONS, ${iterations}`);
  const p = join(dir, 'mte-loop.s');
  writeFileSync(p, src);
  return p;
}

function runMips(path: string, historySize: number, instrument: boolean): { mips: number; steps: number } {
  const program = loadProgram(path);
  const d = new Debuggee({ program, args: [], env: {}, cwd: dirname(path), seed: 1, historySize });
  if (instrument) {
    // Ten breakpoints on code the loop never reaches (after it) and one write watchpoint on a page it never touches.
    const exit = program.elf.symbol('fail')?.value ?? program.elf.symbol('_start')!.value + 0x200;
    d.setBreakpoints(Array.from({ length: 10 }, (_, i) => exit + 4 * i));
    d.setWatchpoints([{ id: 1, start: 0x7000_0000_0000 % 2 ** 47, length: 8, access: 'write' }]);
  }
  d.resume({ kind: 'continue' });
  const t0 = performance.now();
  let s;
  while (!(s = d.runFor(1000)));
  const dt = performance.now() - t0;
  if (s.reason !== 'exited') throw new Error(`loop stopped: ${s.reason}`);
  return { mips: d.position / dt / 1000, steps: d.position };
}

function mips(iterations: number): AdapterBench['mips'] {
  const path = loopProgram(iterations);
  runMips(path, 0, false); // warm up
  // Interleaved, best of four each: the machine is shared, so single runs are noisy.
  let none = 0, bps = 0;
  for (let k = 0; k < 4; k++) {
    none = Math.max(none, runMips(path, 0, false).mips);
    bps = Math.max(bps, runMips(path, 0, true).mips);
  }
  const hist = runMips(path, 200_000, true);
  // The same program on the bare runtime, no debugger.
  const program = loadProgram(path);
  const { LinuxProcess } = require('../emulator/linux/process') as typeof import('../emulator/linux/process');
  const p = new LinuxProcess(program.elf, { path, seed: 1 });
  const t0 = performance.now();
  p.run();
  const bare = p.steps / (performance.now() - t0) / 1000;
  return { none, breakpoints: bps, ratio: bps / none, withHistory: hist.mips, bare, instructions: hist.steps };
}

/** The figures as lines (what `npm run bench` prints under "adapter:"). */
export async function benchAdapter(opts: { quick?: boolean } = {}): Promise<string[]> {
  return formatAdapterBench(await measureAdapter(opts));
}

export async function measureAdapter(opts: { quick?: boolean } = {}): Promise<AdapterBench> {
  const q = opts.quick ?? false;
  return {
    stepRoundTrip: await stepRoundTrip(q ? 50 : 300),
    readTags1MiB: await readTags(q ? 5 : 20),
    launchToEntry: await launchToEntry(q ? 3 : 10),
    mips: mips(q ? 300_000 : 2_000_000),
  };
}

export function formatAdapterBench(r: AdapterBench): string[] {
  const f = (x: number) => x.toFixed(2);
  return [
    `next->stopped->stackTrace+scopes+variables: p50 ${f(r.stepRoundTrip.p50)} ms, p95 ${f(r.stepRoundTrip.p95)} ms (n=${r.stepRoundTrip.n}; target p95 <= 5 ms)`,
    `tagvisor/readTags 1 MiB (65,536 granules, ${(r.readTags1MiB.bytes / 1024).toFixed(0)} KiB of JSON): median ${f(r.readTags1MiB.median)} ms, min ${f(r.readTags1MiB.min)} ms (target <= 10 ms)`,
    `launch -> stopped on entry: median ${f(r.launchToEntry.median)} ms, min ${f(r.launchToEntry.min)} ms (target <= 200 ms)`,
    `guest MIPS under the debugger: none ${f(r.mips.none)}, 10 breakpoints + 1 data breakpoint ${f(r.mips.breakpoints)} (ratio ${f(r.mips.ratio)}; target >= 0.90), with history ${f(r.mips.withHistory)}, bare runtime ${f(r.mips.bare)} (${r.mips.instructions} instructions, MTE loop)`,
  ];
}

if (process.argv[1] && /bench[\\/]adapter\.ts$/.test(process.argv[1])) {
  benchAdapter({ quick: process.argv.includes('--quick') }).then(r => { for (const l of r) console.log(`adapter: ${l}`); }).catch(e => { console.error(e); process.exit(1); });
}
