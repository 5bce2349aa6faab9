// stepInTargets / stepIn with a targetId and modules on C programs with DWARF line tables, built
// with gcc and clang (skipped with the reason when a compiler is missing). Segment ranges and the
// entry point are read with binutils' readelf, not with our own ELF reader.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { INIT, PROGRAMS, Session, buildAdapter } from './harness';
import { missingTools, run, runOk, tmpDir } from '../tools';

const SRC = join(PROGRAMS, 'targets.c');
const text = readFileSync(SRC, 'utf8').split('\n');
const lineOf = (needle: string): number => text.findIndex(l => l.includes(needle)) + 1;
const CALLS = lineOf('/* CALLS');
const INDIRECT = lineOf('/* INDIRECT');
const ADD = lineOf('static int add(');
const READELF = 'aarch64-linux-gnu-readelf';

before(() => buildAdapter());

/** [lowest PT_LOAD address, highest PT_LOAD end) and e_entry, from readelf. */
function readelfLayout(exe: string): { low: bigint; high: bigint; entry: bigint } {
  const out = runOk(READELF, ['-lhW', exe]).stdout;
  const entry = BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(out)![1]);
  let low: bigint | undefined, high: bigint | undefined;
  for (const m of out.matchAll(/^\s*LOAD\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)/gm)) {
    const v = BigInt(m[1]), end = v + BigInt(m[2]);
    if (BigInt(m[2]) === 0n) continue;
    if (low === undefined || v < low) low = v;
    if (high === undefined || end > high) high = end;
  }
  assert.ok(low !== undefined && high !== undefined, `no PT_LOAD in readelf output:\n${out}`);
  return { low, high, entry };
}

const hex = (v: bigint): string => '0x' + v.toString(16);

async function session(program: string, body: (s: Session) => Promise<void>, setup?: (s: Session) => Promise<void>, launchArgs: object = {}): Promise<void> {
  const s = new Session();
  await s.start();
  try {
    await s.ok('initialize', INIT);
    await s.ok('launch', { program, historySize: 0, ...launchArgs });
    await s.until('initialized');
    if (setup) await setup(s);
    await s.ok('configurationDone');
    await body(s);
  } finally {
    await s.stop().catch(() => undefined);
  }
}

const CC = [
  { name: 'gcc', cc: 'aarch64-linux-gnu-gcc', flags: ['-gdwarf-5'] },
  { name: 'clang-14', cc: 'clang-14', flags: ['--target=aarch64-linux-gnu', '-fuse-ld=lld', '-gdwarf-5'] },
];

for (const c of CC) {
  test(`C with ${c.name}: step-in targets of a line with three calls, into libc code without lines, through a function pointer; the module`, { skip: missingTools(c.cc, READELF, ...(c.cc === 'clang-14' ? ['ld.lld'] : [])) }, async () => {
    const exe = join(tmpDir('tv-targets'), 'targets');
    const r = run(c.cc, [...c.flags, '-O0', '-static', SRC, '-o', exe]);
    assert.equal(r.status, 0, `${c.cc} failed: ${r.stderr}`);
    const layout = readelfLayout(exe);
    await session(exe, async s => {
      const ev = s.messages.find(m => m.type === 'event' && (m as { event?: string }).event === 'module') as unknown as DebugProtocol.ModuleEvent;
      assert.equal(ev?.body.reason, 'new', 'a module event on launch');
      const mods = (await s.ok('modules', {})).body as { modules: (DebugProtocol.Module & { lineInfo: string })[]; totalModules: number };
      assert.equal(mods.totalModules, 1);
      assert.deepEqual(mods.modules[0], ev.body.module);
      const m = mods.modules[0];
      assert.equal(m.name, 'targets');
      assert.equal(m.path, exe);
      assert.equal(m.symbolStatus, 'symbols loaded');
      assert.equal(m.lineInfo, 'DWARF .debug_line');
      assert.equal(m.addressRange, `${hex(layout.low)}-${hex(layout.high)}`);

      let st = await s.until('stopped');
      assert.equal(st.body.reason, 'breakpoint');
      const top = async () => ((await s.ok('stackTrace', { threadId: 1 })).body as { stackFrames: DebugProtocol.StackFrame[] }).stackFrames;
      const targets = async () => ((await s.ok('stepInTargets', { frameId: 0 })).body as { targets: DebugProtocol.StepInTarget[] }).targets;
      let t = await targets();
      assert.deepEqual(t.map(x => x.label).sort(), ['add', 'atoi', 'twice'], JSON.stringify(t));
      for (const x of t) {
        assert.equal(x.line, CALLS, JSON.stringify(x));
        assert.equal(typeof x.column, 'number');
      }
      assert.equal(new Set(t.map(x => x.id)).size, 3, 'distinct ids');
      // Into atoi: libc, no line information (plain stepIn steps over it), stops at its first instruction.
      await s.ok('stepIn', { threadId: 1, targetId: t.find(x => x.label === 'atoi')!.id });
      st = await s.until('stopped');
      assert.equal(st.body.reason, 'step');
      let frames = await top();
      assert.equal(frames[0].name, 'atoi');
      assert.equal(frames[0].source, undefined);
      assert.equal(frames[1].name, 'main');
      assert.equal(frames[1].line, CALLS);
      assert.match(((await s.ok('evaluate', { expression: 'pc == atoi', context: 'watch' })).body as { result: string }).result, /^0x1 /);
      await s.ok('stepOut', { threadId: 1 });
      await s.until('stopped');
      frames = await top();
      assert.equal(frames[0].name, 'main');
      assert.equal(frames[0].line, CALLS);
      // Calls already made are no longer targets; add is still ahead.
      t = await targets();
      const labels = t.map(x => x.label);
      assert.ok(labels.includes('add') && !labels.includes('atoi') && labels.every(l => l === 'add' || l === 'twice'), JSON.stringify(t));
      await s.ok('stepIn', { threadId: 1, targetId: t.find(x => x.label === 'add')!.id });
      await s.until('stopped');
      frames = await top();
      assert.equal(frames[0].name, 'add');
      assert.equal(frames[0].line, ADD);
      assert.equal(frames[1].name, 'main');
      await s.ok('stepOut', { threadId: 1 });
      await s.until('stopped');
      // (A breakpoint: straight to the line, whatever lies between; lines.test.ts covers `next` there.)
      await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [{ line: INDIRECT }] });
      await s.ok('continue', { threadId: 1 });
      await s.until('stopped');
      await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [] });
      frames = await top();
      assert.equal(frames[0].line, INDIRECT);
      // The function pointer is loaded on this line: its register's value now is not the target yet.
      t = await targets();
      assert.equal(t.length, 1, JSON.stringify(t));
      assert.match(t[0].label, /^blr (x[0-9]+) -> \? \(\1 changes before the call\)$/);
      const site = t[0].id;
      // Instruction by instruction up to the blr: then the register holds the target.
      for (let i = 0; i < 16 && frames[0].instructionPointerReference !== `0x${site.toString(16)}`; i++) {
        await s.ok('next', { threadId: 1, granularity: 'instruction' });
        await s.until('stopped');
        frames = await top();
      }
      assert.equal(frames[0].instructionPointerReference, `0x${site.toString(16)}`);
      t = await targets();
      assert.equal(t.length, 1, JSON.stringify(t));
      assert.equal(t[0].id, site);
      assert.match(t[0].label, /^blr x([0-9]|[12][0-9]|30) -> twice$/);
      await s.ok('stepIn', { threadId: 1, targetId: t[0].id });
      await s.until('stopped');
      frames = await top();
      assert.equal(frames[0].name, 'twice');
      assert.equal(frames[1].name, 'main');
      assert.equal(frames[1].line, INDIRECT);
      await s.ok('continue', { threadId: 1 });
      const ex = await s.until('exited');
      assert.equal(ex.body.exitCode, 0);
    }, async s => {
      const bp = await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [{ line: CALLS }] });
      assert.equal((bp.body as { breakpoints: DebugProtocol.Breakpoint[] }).breakpoints[0].verified, true);
    });
  });
}

test('modules: a stripped program has no symbols and no line information', { skip: missingTools('aarch64-linux-gnu-gcc', 'aarch64-linux-gnu-strip', READELF) }, async () => {
  const dir = tmpDir('tv-targets');
  const exe = join(dir, 'targets');
  runOk('aarch64-linux-gnu-gcc', ['-O0', '-g', '-static', SRC, '-o', exe]);
  const stripped = join(dir, 'targets-stripped');
  copyFileSync(exe, stripped);
  runOk('aarch64-linux-gnu-strip', ['--strip-all', stripped]);
  const layout = readelfLayout(stripped);
  await session(stripped, async s => {
    await s.until('stopped');
    const m = ((await s.ok('modules', {})).body as { modules: (DebugProtocol.Module & { lineInfo: string })[] }).modules[0];
    assert.equal(m.name, 'targets-stripped');
    assert.equal(m.symbolStatus, 'no symbols');
    assert.equal(m.symbolFilePath, undefined);
    assert.equal(m.lineInfo, 'none');
    assert.equal(m.addressRange, `${hex(layout.low)}-${hex(layout.high)}`);
    await s.ok('terminate');
  }, undefined, { stopOnEntry: true });
});

test('modules: a static-pie program\'s address range has the load bias applied', { skip: missingTools('aarch64-linux-gnu-gcc', READELF) }, async () => {
  const exe = join(tmpDir('tv-targets'), 'targets-pie');
  runOk('aarch64-linux-gnu-gcc', ['-O0', '-g', '-static-pie', SRC, '-o', exe]);
  const layout = readelfLayout(exe);
  await session(exe, async s => {
    const st = await s.until('stopped');
    assert.equal(st.body.reason, 'entry');
    // Stopped on entry: pc is e_entry plus the load bias.
    const pc = BigInt(((await s.ok('evaluate', { expression: 'pc', context: 'clipboard' })).body as { result: string }).result);
    const bias = pc - layout.entry;
    assert.ok(bias > 0n && bias % 4096n === 0n, `load bias ${hex(bias)}`);
    const mods = (await s.ok('modules', { startModule: 0, moduleCount: 1 })).body as { modules: DebugProtocol.Module[]; totalModules: number };
    assert.equal(mods.modules[0].addressRange, `${hex(layout.low + bias)}-${hex(layout.high + bias)}`);
    assert.deepEqual(((await s.ok('modules', { startModule: 1 })).body as { modules: unknown[] }).modules, []);
    await s.ok('terminate');
  }, undefined, { stopOnEntry: true });
});
