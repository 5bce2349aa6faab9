// Golden DAP transcripts: whole debug sessions against the shipped bundle (dist/adapter.js, built
// with build.mjs first), compared with test/adapter/golden/*.txt. UPDATE_GOLDEN=1 rewrites them;
// read the diff before committing: the transcripts are the adapter's observable behaviour.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { INIT, PROGRAMS, REPO, Session, buildAdapter, checkGolden } from './harness';

const UAF = join(REPO, 'examples', 'use-after-free.s');
const CALLS = join(PROGRAMS, 'calls.s');
const ASYNC = join(PROGRAMS, 'async.s');
const SEGV = join(PROGRAMS, 'segv.s');
const TARGETS = join(PROGRAMS, 'targets.s');

before(() => buildAdapter());

async function scenario(name: string, body: (s: Session) => Promise<void>): Promise<void> {
  const s = new Session();
  await s.start();
  try {
    await body(s);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- transcript so far ---\n${s.transcript().split('\n').slice(-12).join('\n')}`);
  } finally {
    await s.stop().catch(() => undefined);
  }
  const r = checkGolden(name, s.transcript());
  assert.ok(r.ok, r.ok ? '' : r.diff);
}

/** initialize, launch, breakpoints (optional), configurationDone: resolves after the first stop or exit. */
async function launch(s: Session, args: object, setup?: () => Promise<void>): Promise<void> {
  await s.ok('initialize', INIT);
  await s.ok('launch', args);
  await s.until('initialized');
  if (setup) await setup();
  await s.ok('configurationDone');
}

test('launch configuration errors name the field and never crash the adapter', async () => {
  await scenario('launch-errors', async s => {
    await s.ok('initialize', INIT);
    for (const bad of [
      {},
      { program: 5 },
      { program: '' },
      { program: UAF, args: 5 },
      { program: UAF, args: ['a', 7] },
      { program: UAF, env: ['X=1'] },
      { program: UAF, env: { X: 1 } },
      { program: UAF, cwd: 3 },
      { program: UAF, cwd: join(REPO, 'no-such-dir') },
      { program: UAF, stopOnEntry: 'yes' },
      { program: UAF, seed: -1 },
      { program: UAF, seed: 1.5 },
      { program: UAF, historySize: 1e12 },
      { program: UAF, vm: [] },
      { program: join(REPO, 'no-such-program.s') },
      { program: join(PROGRAMS) },
      { program: join(REPO, 'package.json') },
      { program: join(PROGRAMS, 'bad-asm.s') },
    ]) await s.req('launch', bad);
    await s.req('attach', { program: UAF });
    await s.req('threads');
    await s.req('stackTrace', { threadId: 1 });
    await s.req('noSuchRequest', {});
    // After all that, a good launch still works.
    await s.ok('launch', { program: UAF, stopOnEntry: true, args: ['one', 'two'], env: { A: 'b' }, seed: 7, historySize: 1000, extra: true });
    await s.until('initialized');
    await s.ok('configurationDone');
    await s.until('stopped');
    await s.ok('threads');
    await s.ok('terminate');
    await s.until('terminated');
  });
});

test('use-after-free.s: breakpoints, stepping, registers with tags, the sync tag check fault and its report', async () => {
  await scenario('uaf-sync', async s => {
    await launch(s, { program: UAF, stopOnEntry: true }, async () => {
      await s.ok('setBreakpoints', { source: { path: UAF }, breakpoints: [{ line: 62 }, { line: 3 }, { line: 500 }] });
      await s.ok('setExceptionBreakpoints', { filters: ['tag-check-sync', 'signal'] });
      await s.req('setExceptionBreakpoints', { filters: ['no-such-filter'] });
    });
    await s.until('stopped');
    await s.ok('threads');
    await s.ok('stackTrace', { threadId: 1, startFrame: 0, levels: 20 });
    await s.ok('breakpointLocations', { source: { path: UAF }, line: 55, endLine: 64 });
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    const sc = await s.ok('scopes', { frameId: 0 });
    const scopes = (sc.body as { scopes: { variablesReference: number }[] }).scopes;
    const regs = await s.ok('variables', { variablesReference: scopes[0].variablesReference });
    const x20 = (regs.body as { variables: { name: string; variablesReference: number }[] }).variables.find(v => v.name === 'x20')!;
    await s.ok('variables', { variablesReference: x20.variablesReference });
    await s.ok('variables', { variablesReference: scopes[1].variablesReference });
    // Step over the st2g line: the allocation tags change.
    await s.ok('next', { threadId: 1 });
    await s.until('stopped');
    await s.ok('evaluate', { expression: 'memory-tag check x20', context: 'repl' });
    await s.ok('stepIn', { threadId: 1, granularity: 'instruction' });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('exceptionInfo', { threadId: 1 });
    const sc2 = await s.ok('scopes', { frameId: 0 });
    const scopes2 = (sc2.body as { scopes: { variablesReference: number }[] }).scopes;
    const mt = await s.ok('variables', { variablesReference: scopes2[2].variablesReference });
    for (const v of (mt.body as { variables: { variablesReference: number }[] }).variables.slice(0, 2)) {
      if (v.variablesReference) await s.ok('variables', { variablesReference: v.variablesReference });
    }
    for (const expression of [
      'x20', 'tag(x20)', 'ltag(x20)', '*(u64*)(x20 & ~(0xf << 56))', 'x1 + 8 * 2', '(u8)0x1ff', '(i8)0xff', 'sp', '_start',
      'memory-tag print-logical-tag x20', 'memory-tag print-allocation-tag x20', 'memory-tag with-logical-tag x20 0c',
      'memory-tag check x21', 'memory-tag check x20', 'memory-tag print-allocation-tag 0x401000',
      'memory tag read x20', 'memory tag read x20 x20+64', 'memory tag read 0x401000',
      'x0 +', 'nosuchname', '1/0', 'memory-tag', 'memory-tag frob',
    ]) await s.req('evaluate', { expression, context: 'repl', frameId: 0 });
    await s.req('evaluate', { expression: 'x20', context: 'hover', frameId: 0 });
    await s.ok('completions', { text: 'memory-t', column: 9 });
    await s.ok('completions', { text: 'tag(x2', column: 7 });
    await s.ok('tagvisor/readTags', { address: '0xfffff7ffe000', count: 4 });
    await s.ok('tagvisor/tagHistory', { address: '0xb00fffff7ffe008' });
    await s.ok('disassemble', { memoryReference: '0x40108c', instructionOffset: -3, instructionCount: 6, resolveSymbols: true });
    await s.ok('disassemble', { memoryReference: '0x400ff8', instructionOffset: 0, instructionCount: 4 });
    await s.ok('readMemory', { memoryReference: '0x401000', count: 16 });
    await s.req('readMemory', { memoryReference: '0x10', count: 16 });
    await s.req('readMemory', { memoryReference: '0x401000', count: 2 ** 40 });
    await s.ok('continue', { threadId: 1 });
    await s.until('terminated');
  });
});

test('reverse execution: stepBack, reverseContinue to the instruction that set a tag, goToStep', async () => {
  await scenario('uaf-reverse', async s => {
    await launch(s, { program: UAF }, async () => {
      await s.ok('setExceptionBreakpoints', { filters: ['tag-check-sync'] });
    });
    await s.until('stopped');
    await s.ok('stepBack', { threadId: 1, granularity: 'instruction' });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('stepBack', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    const info = await s.ok('dataBreakpointInfo', { name: '0xb00fffff7ffe008', asAddress: true, mode: 'tags' });
    await s.ok('setDataBreakpoints', { breakpoints: [{ dataId: (info.body as { dataId: string }).dataId }] });
    await s.ok('reverseContinue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('evaluate', { expression: 'memory tag read 0xfffff7ffe000 0xfffff7ffe020', context: 'repl' });
    await s.ok('reverseContinue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('reverseContinue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('setDataBreakpoints', { breakpoints: [] });
    await s.req('tagvisor/goToStep', { step: 30 });
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    // Back to just before the st2g that retagged the block (step 30), as the tag inspector does.
    await s.ok('tagvisor/goToStep', { step: 30 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('tagvisor/goToStep', { step: 31 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('continue', { threadId: 1 });
    await s.until('terminated');
  });
});

test('calls.s: stack from frame records, next/stepIn/stepOut, function, instruction, conditional, hit-count, log and data breakpoints', async () => {
  await scenario('calls', async s => {
    await launch(s, { program: CALLS, stopOnEntry: true }, async () => {
      await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'inner' }, { name: 'nosuch' }] });
    });
    await s.until('stopped');
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    const sc = await s.ok('scopes', { frameId: 1 });
    await s.ok('variables', { variablesReference: (sc.body as { scopes: { variablesReference: number }[] }).scopes[0].variablesReference });
    await s.ok('stepOut', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('stepOut', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('setFunctionBreakpoints', { breakpoints: [] });
    // A hit count: line 15 is reached again in rounds 2 and 3; stop on the second hit.
    await s.req('setBreakpoints', { source: { path: CALLS }, breakpoints: [{ line: 15, hitCondition: 'often' }] });
    await s.ok('setBreakpoints', { source: { path: CALLS }, breakpoints: [{ line: 15, hitCondition: '2' }] });
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('evaluate', { expression: 'x19', context: 'watch' });
    await s.ok('next', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stepIn', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('next', { threadId: 1 });
    await s.until('stopped');
    await s.ok('next', { threadId: 1, granularity: 'instruction' });
    await s.until('stopped');
    await s.ok('next', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('setBreakpoints', { source: { path: CALLS }, breakpoints: [] });
    // A log point and a conditional breakpoint in inner (called once more, with x0 == 1).
    await s.ok('setBreakpoints', { source: { path: CALLS }, breakpoints: [{ line: 41, logMessage: 'counter before: {x2}, x0 = {x0}' }, { line: 42, condition: 'x0 == 1' }, { line: 40, condition: 'x0 == 99' }] });
    await s.ok('stepOut', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('setBreakpoints', { source: { path: CALLS }, breakpoints: [] });
    // A write watchpoint on `counter`, then an instruction breakpoint at `adrp x1, counter` in _start.
    const info = await s.ok('dataBreakpointInfo', { name: 'counter', bytes: 8 });
    await s.ok('setDataBreakpoints', { breakpoints: [{ dataId: (info.body as { dataId: string }).dataId, accessType: 'write' }, { dataId: 'bogus' }] });
    await s.ok('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x401000', offset: 20 }, { instructionReference: '0x401002' }, { instructionReference: '0x10' }] });
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('evaluate', { expression: '*(u64*)counter', context: 'repl' });
    await s.ok('setDataBreakpoints', { breakpoints: [] });
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('setInstructionBreakpoints', { breakpoints: [] });
    await s.ok('continue', { threadId: 1 });
    await s.until('terminated');
  });
});

test('calls.s: setVariable on registers and flags, writeMemory with memory events, goto, restart, disconnect', async () => {
  await scenario('edits', async s => {
    await launch(s, { program: CALLS, stopOnEntry: true });
    await s.until('stopped');
    const sc = await s.ok('scopes', { frameId: 0 });
    const [regs, pstate] = (sc.body as { scopes: { variablesReference: number }[] }).scopes;
    await s.ok('setVariable', { variablesReference: regs.variablesReference, name: 'x19', value: '1' });
    await s.req('setVariable', { variablesReference: regs.variablesReference, name: 'pc', value: '0x401001' });
    await s.ok('setVariable', { variablesReference: pstate.variablesReference, name: 'Z', value: '1' });
    await s.req('setVariable', { variablesReference: pstate.variablesReference, name: 'Z', value: '2' });
    await s.req('setVariable', { variablesReference: 999999, name: 'x0', value: '1' });
    await s.ok('writeMemory', { memoryReference: '0x402000', data: Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]).toString('base64') });
    await s.req('writeMemory', { memoryReference: '0x10', data: 'AAAA' });
    await s.req('writeMemory', { memoryReference: '0x402000', data: '!!notbase64' });
    await s.ok('readMemory', { memoryReference: '0x402000', count: 8 });
    await s.ok('gotoTargets', { source: { path: CALLS }, line: 19 });
    await s.ok('goto', { threadId: 1, targetId: 0x40100c });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('stepIn', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('restart', {});
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('loadedSources');
    await s.ok('continue', { threadId: 1 });
    await s.until('terminated');
    await s.ok('disconnect', {});
  });
});

test('targets.s: modules (paging), stepInTargets and stepIn with a targetId (into code without lines too), setExpression on registers, flags, memory and tags', async () => {
  await scenario('targets', async s => {
    await launch(s, { program: TARGETS, stopOnEntry: true }, async () => {
      await s.ok('setBreakpoints', { source: { path: TARGETS }, breakpoints: [{ line: 32 }] });
    });
    await s.until('stopped');
    await s.ok('modules', {});
    await s.ok('modules', { startModule: 0, moduleCount: 1 });
    await s.ok('modules', { startModule: 1, moduleCount: 5 });
    await s.req('modules', { startModule: -1 });
    await s.req('modules', { moduleCount: 'all' });
    // No call on the entry line.
    await s.ok('stepInTargets', { frameId: 0 });
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    // `both twice, add_one`: two calls on one line.
    await s.ok('stepInTargets', { frameId: 0 });
    await s.req('stepInTargets', {});
    await s.req('stepInTargets', { frameId: 'top' });
    await s.req('stepInTargets', { frameId: 7 });
    await s.req('stepIn', { threadId: 1, targetId: 0x401038 });
    await s.req('stepIn', { threadId: 1, targetId: '0x40102c' });
    // Into the second call: twice runs (stepped over), the stop is add_one's first instruction.
    await s.ok('stepIn', { threadId: 1, targetId: 0x40102c });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('evaluate', { expression: 'x0', context: 'watch' });
    await s.ok('stepInTargets', { frameId: 1 });
    // Back in _start at the `adr` line (the macro's calls are done).
    await s.ok('stepOut', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stepInTargets', { frameId: 0 });
    await s.ok('next', { threadId: 1 });
    await s.until('stopped');
    // `blr x16` into noline, which has no line information: plain stepIn would step over it.
    await s.ok('stepInTargets', { frameId: 0 });
    await s.ok('stepIn', { threadId: 1, targetId: 0x401034, granularity: 'instruction' });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('stepInTargets', { frameId: 0 });
    await s.ok('stepOut', { threadId: 1 });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('evaluate', { expression: 'x0', context: 'watch' });
    // setExpression: registers and flags.
    await s.ok('setExpression', { expression: 'x0', value: '0x10' });
    await s.ok('setExpression', { expression: 'w1', value: '-1' });
    await s.ok('evaluate', { expression: 'x1', context: 'watch' });
    await s.req('setExpression', { expression: 'w1', value: '0x100000000' });
    await s.ok('setExpression', { expression: '$x2', value: '-2', format: { hex: false } });
    await s.ok('setExpression', { expression: 'N', value: '1' });
    await s.ok('setExpression', { expression: 'nzcv', value: '0x60000000' });
    await s.ok('evaluate', { expression: 'n', context: 'watch' });
    await s.req('setExpression', { expression: 'nzcv', value: '0x1' });
    await s.req('setExpression', { expression: 'z', value: '2' });
    await s.req('setExpression', { expression: 'pc', value: '0x401001' });
    // Memory through the debug path (memory events), then allocation and logical tags.
    await s.ok('setExpression', { expression: '*(u64*)value', value: '0x42' });
    await s.ok('setExpression', { expression: '*(u32*)(value + 4)', value: '-1' });
    await s.ok('setExpression', { expression: '*(u8*)value', value: '0xab' });
    await s.ok('setExpression', { expression: '*(i16*)(value + 2)', value: '-0x8000' });
    await s.req('setExpression', { expression: '*(u8*)value', value: '0x1ff' });
    await s.req('setExpression', { expression: '*(i8*)value', value: '-0x81' });
    await s.ok('readMemory', { memoryReference: '0x402000', count: 8 });
    await s.ok('setExpression', { expression: 'tag(x20 + 16)', value: '5' });
    await s.ok('setExpression', { expression: 'ltag(x20)', value: '5' });
    await s.ok('evaluate', { expression: 'memory tag read x20 x20+48', context: 'repl' });
    await s.ok('setExpression', { expression: '*(u64*)(x20 + 16)', value: '7' });
    await s.req('setExpression', { expression: 'tag(x20)', value: '16' });
    await s.req('setExpression', { expression: 'tag(value)', value: '1' });
    await s.req('setExpression', { expression: '*(u64*)0x10', value: '1' });
    // What cannot be assigned, and malformed arguments.
    for (const expression of ['x0 + 1', 'value', 'untag(x20)', '5', 'xzr', 'steps', 'tcf0', 'ltag(w1)', 'ltag(5)', 'nosuch', '(u8)x0', '*(u64*)x20 + 8', 'x0 +', '']) {
      await s.req('setExpression', { expression, value: '1' });
    }
    await s.req('setExpression', { expression: 5, value: '1' });
    await s.req('setExpression', { expression: 'x0' });
    await s.req('setExpression', { expression: 'x0', value: 'x0 +' });
    await s.req('setExpression', { expression: 'x0', value: '1', frameId: 'f' });
    await s.req('setExpression', { expression: 'x0', value: '1', frameId: 9 });
    await s.req('setExpression', { expression: 'x0', value: '1', format: 3 });
    // x0 = 16 now; `bl add_one` makes it 17, the exit status.
    await s.ok('setExpression', { expression: '(x0)', value: '16', frameId: 0 });
    await s.ok('continue', { threadId: 1 });
    await s.until('terminated');
  });
});

test('async.s: the async tag check stops at the mismatching store and says where Linux delivers it', async () => {
  await scenario('async', async s => {
    await launch(s, { program: ASYNC }, async () => {
      await s.ok('setExceptionBreakpoints', { filters: ['tag-check-async', 'signal'] });
    });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('exceptionInfo', { threadId: 1 });
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('exceptionInfo', { threadId: 1 });
    await s.ok('continue', { threadId: 1 });
    await s.until('terminated');
  });
});

test('segv.s: signal filter with a condition, SIGSEGV stops before delivery', async () => {
  await scenario('segv', async s => {
    await launch(s, { program: SEGV }, async () => {
      await s.ok('setExceptionBreakpoints', { filters: [], filterOptions: [{ filterId: 'signal', condition: 'SIGSEGV' }] });
      await s.req('setExceptionBreakpoints', { filters: [], filterOptions: [{ filterId: 'tag-check-sync', condition: 'x0 +' }] });
    });
    await s.until('stopped');
    await s.ok('exceptionInfo', { threadId: 1 });
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('continue', { threadId: 1 });
    await s.until('terminated');
  });
});

test('hv-tag-churn.s in a VM with host swap: hypervisor exception filter, Hypervisor scope, snapshot, swapOut action, debug-path reads', async () => {
  const CHURN = join(REPO, 'examples', 'hv-tag-churn.s');
  const vm = JSON.parse(readFileSync(join(REPO, 'examples', 'vm-swap.json'), 'utf8'));
  let hvEvents = 0;
  await scenario('vm-swap', async s => {
    s.ignoreEvents.add('tagvisor/hypervisorChanged');
    s.ignoreEvents.add('tagvisor/tagsChanged');
    await s.ok('initialize', INIT);
    await s.req('launch', { program: CHURN, vm: { ...vm, memory: [{ name: 'ram', gpa: '0x40000000', size: '64M', backing: 'floppy' }] } });
    await s.req('launch', { program: CHURN, vm: { ...vm, mte: true, memory: [{ name: 'bar', gpa: '0x40000000', size: '64M', backing: 'pfnmap' }] } });
    await s.ok('launch', { program: CHURN, vm });
    await s.until('initialized');
    await s.ok('setExceptionBreakpoints', { filters: ['tag-check-sync'], filterOptions: [{ filterId: 'hypervisor', condition: 'swap-in' }] });
    await s.ok('configurationDone');
    await s.until('stopped');
    await s.ok('exceptionInfo', { threadId: 1 });
    const sc = await s.ok('scopes', { frameId: 0 });
    const hv = (sc.body as { scopes: { name: string; variablesReference: number }[] }).scopes.find(x => x.name === 'Hypervisor')!;
    const vars = await s.ok('variables', { variablesReference: hv.variablesReference });
    const slots = (vars.body as { variables: { name: string; variablesReference: number }[] }).variables.find(v => v.name === 'memslots')!;
    await s.ok('variables', { variablesReference: slots.variablesReference });
    const snap = await s.ok('tagvisor/hypervisor');
    assert.equal((snap.body as { vm: boolean }).vm, true);
    const x19 = await s.ok('evaluate', { expression: 'x19', context: 'clipboard' });
    const base = (x19.body as { result: string }).result;
    await s.ok('tagvisor/hypervisorAction', { action: 'swapOut', address: base, length: 8192 });
    await s.req('tagvisor/hypervisorAction', { action: 'convert', gpa: '0x40000000', size: 4096, private: true });
    await s.req('tagvisor/hypervisorAction', { action: 'teleport' });
    // Migrate the stopped guest to a fresh VM; the breakpoint-free run then finishes there.
    const mig = await s.ok('tagvisor/hypervisorAction', { action: 'migrate' });
    const mv = (mig.body as { verify: { dataMismatches: number; tagMismatches: number } }).verify;
    assert.deepEqual([mv.dataMismatches, mv.tagMismatches], [0, 0]);
    await s.ok('tagvisor/hypervisor');
    await s.ok('tagvisor/readTags', { address: base, count: 4, provenance: false });
    await s.ok('readMemory', { memoryReference: base, count: 16 });
    await s.ok('setExceptionBreakpoints', { filters: ['tag-check-sync'] });
    await s.ok('continue', { threadId: 1 });
    await s.until('terminated');
    hvEvents = s.messages.filter(m => m.type === 'event' && (m as { event?: string }).event === 'tagvisor/hypervisorChanged').length;
  });
  assert.ok(hvEvents > 0, 'tagvisor/hypervisorChanged events were sent');
});

/** hv-touch.s launched in examples/vm-private.json (guest_memfd private memory, debug denied), stopped on entry. */
async function startInPrivateVm(s: Session): Promise<void> {
  const vm = JSON.parse(readFileSync(join(REPO, 'examples', 'vm-private.json'), 'utf8'));
  s.ignoreEvents.add('tagvisor/hypervisorChanged');
  s.ignoreEvents.add('tagvisor/tagsChanged');
  await s.ok('initialize', INIT);
  await s.ok('launch', { program: join(REPO, 'examples', 'hv-touch.s'), vm, stopOnEntry: true });
  await s.until('initialized');
  await s.ok('configurationDone');
  await s.until('stopped');
}

test('hv-touch.s in a protected VM: the debug path refuses private memory with the policy named', async () => {
  await scenario('vm-private', async s => {
    await startInPrivateVm(s);
    await s.req('readMemory', { memoryReference: '0x401000', count: 16 });
    const sp = ((await s.ok('evaluate', { expression: 'sp', context: 'clipboard' })).body as { result: string }).result;
    await s.req('readMemory', { memoryReference: sp, count: 16 });
    await s.req('evaluate', { expression: '*(u64*)sp', context: 'repl' });
    await s.req('disassemble', { memoryReference: '0x401000', instructionCount: 2 });
    await s.req('stackTrace', { threadId: 1 });
    await s.req('writeMemory', { memoryReference: '0x401000', data: 'AAAAAA==' });
    await s.req('tagvisor/readTags', { address: '0x401000', count: 1 });
    await s.ok('tagvisor/hypervisor');
    await s.ok('terminate');
    await s.until('terminated');
  });
});

test('hv-touch.s in a protected VM: setExpression stores go through the debug path, which refuses private memory (no memory event); registers still change', async () => {
  await scenario('vm-private-set', async s => {
    await startInPrivateVm(s);
    await s.ok('modules');
    await s.req('setExpression', { expression: '*(u64*)sp', value: '1' });
    await s.req('setExpression', { expression: '*(u32*)0x401000', value: '0xd503201f' });
    await s.req('setExpression', { expression: 'tag(sp)', value: '1' });
    await s.ok('setExpression', { expression: 'x7', value: '0x1234' });
    await s.ok('terminate');
    await s.until('terminated');
  });
});

test('migrate without tags from the debugger: the guest faults on the destination (the broken VMM the seeds argue about)', async () => {
  const CHURN = join(REPO, 'examples', 'hv-tag-churn.s');
  const vm = JSON.parse(readFileSync(join(REPO, 'examples', 'vm-swap.json'), 'utf8'));
  await scenario('vm-migrate-without-tags', async s => {
    s.ignoreEvents.add('tagvisor/hypervisorChanged');
    s.ignoreEvents.add('tagvisor/tagsChanged');
    await s.ok('initialize', INIT);
    await s.ok('launch', { program: CHURN, vm });
    await s.until('initialized');
    await s.ok('setExceptionBreakpoints', { filters: ['tag-check-sync'], filterOptions: [{ filterId: 'hypervisor', condition: 'swap-in' }] });
    await s.ok('configurationDone');
    await s.until('stopped');
    await s.ok('setExceptionBreakpoints', { filters: ['tag-check-sync'] });
    await s.ok('tagvisor/hypervisorAction', { action: 'migrate', withoutTags: true });
    await s.ok('continue', { threadId: 1 });
    await s.until('stopped');
    await s.ok('exceptionInfo', { threadId: 1 });
    await s.ok('continue', { threadId: 1 });
    await s.until('terminated');
  });
});

test('sigusr1.s: the signal filter stops before SIGUSR1 is delivered (handler named), stepIn enters the handler, continue delivers nothing twice', async () => {
  const SIGUSR1 = join(PROGRAMS, 'sigusr1.s');
  let texts: string[] = [];
  await scenario('signal-handler', async s => {
    await launch(s, { program: SIGUSR1 }, async () => {
      await s.ok('setExceptionBreakpoints', { filters: [], filterOptions: [{ filterId: 'signal', condition: 'SIGUSR1, SIGABRT' }] });
    });
    await s.until('stopped');
    await s.ok('exceptionInfo', { threadId: 1 });
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('evaluate', { expression: 'x8', context: 'repl' });
    await s.ok('stepIn', { threadId: 1, granularity: 'instruction' });
    await s.until('stopped');
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('evaluate', { expression: 'x0', context: 'repl' });
    await s.ok('continue', { threadId: 1 });
    await s.until('terminated');
    texts = s.messages.filter(m => m.type === 'event' && (m as { event?: string }).event === 'stopped').map(m => (m as unknown as { body: { reason: string; text?: string } }).body.text ?? (m as unknown as { body: { reason: string } }).body.reason);
    const exit = s.messages.find(m => m.type === 'event' && (m as { event?: string }).event === 'exited') as unknown as { body: { exitCode: number } };
    assert.equal(exit.body.exitCode, 10);
  });
  assert.equal(texts.length, 2, 'the delivery stop and the step: no second stop for the signal');
  assert.match(texts[0], /^SIGUSR1 \(SI_USER\) about to be delivered: handler at 0x[0-9a-f]+$/);
  assert.equal(texts[1], 'step');
});

test('abort.s: SIGABRT stops before delivery with the process alive ("default action terminates with core"), then exits 134', async () => {
  const ABORT = join(PROGRAMS, 'abort.s');
  await scenario('signal-abort', async s => {
    await launch(s, { program: ABORT }, async () => {
      await s.ok('setExceptionBreakpoints', { filters: ['signal'] });
    });
    const st = await s.until('stopped');
    assert.equal(st.body.text, 'SIGABRT (SI_TKILL) about to be delivered: default action terminates with core');
    await s.ok('exceptionInfo', { threadId: 1 });
    await s.ok('stackTrace', { threadId: 1 });
    await s.ok('evaluate', { expression: 'x20', context: 'repl' });
    await s.ok('continue', { threadId: 1 });
    const ex = await s.until('exited');
    assert.equal(ex.body.exitCode, 134);
    await s.until('terminated');
  });
});
