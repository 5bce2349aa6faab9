// Fuzz: 100,000 random and malformed DAP requests against the shipped adapter (dist/adapter.js).
// Every request must get exactly one response (success or an error with a message), no response may
// be an "internal error" (a bug: bad input must get a clear message), and the adapter must still
// answer at the end. Raw malformed frames (bad JSON, non-objects) are mixed in; they get no response
// but must not kill the adapter. Deterministic: the generator is seeded (FUZZ_SEED to change it).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { INIT, PROGRAMS, REPO, Session, buildAdapter } from './harness';

const COUNT = Number(process.env.FUZZ_COUNT ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const UAF = join(REPO, 'examples', 'use-after-free.s');
const CALLS = join(PROGRAMS, 'calls.s');

before(() => buildAdapter());

/** xorshift32: small, seeded, good enough for picking cases. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; };
}

const COMMANDS = [
  'initialize', 'launch', 'attach', 'configurationDone', 'terminate', 'restart', 'threads', 'setBreakpoints',
  'setFunctionBreakpoints', 'setInstructionBreakpoints', 'setExceptionBreakpoints', 'breakpointLocations',
  'dataBreakpointInfo', 'setDataBreakpoints', 'continue', 'next', 'stepIn', 'stepOut', 'pause', 'stepBack',
  'reverseContinue', 'goto', 'gotoTargets', 'stackTrace', 'scopes', 'variables', 'setVariable', 'source',
  'loadedSources', 'evaluate', 'completions', 'exceptionInfo', 'readMemory', 'writeMemory', 'disassemble', 'cancel',
  'tagvisor/readTags', 'tagvisor/tagHistory', 'tagvisor/writeTags', 'tagvisor/goToStep', 'tagvisor/toggleHex',
  'tagvisor/status', 'tagvisor/hypervisor', 'tagvisor/hypervisorAction', 'modules', 'stepInTargets', 'setExpression',
  'terminateThreads', 'restartFrame', '', 'tagvisor/', '__proto__', 'constructor', 'toString', 'hasOwnProperty',
  'pause', 'pause', 'pause', 'pause', 'stackTrace', 'variables', 'evaluate', 'readMemory', 'tagvisor/readTags', 'scopes',
];

function gen(r: () => number) {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const int = (): number => pick([0, 1, -1, 2, 3, 7, 16, 1000, 1001, 1002, 1003, 1005, 999999, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53, -(2 ** 40), 0x401000, 0x401004, 0x40108c, 0xfffff7ffe000]);
  const addr = (): unknown => pick(['0x401000', '0x40108c', '0x0', '0x10', '0xfffff7ffe000', '0xb00fffff7ffe008', '0xffffffffffffffff', '0x1' + '0'.repeat(20), 'zz', '', '-5', 12, -1, 2 ** 40, null, {}, []]);
  const scalar = (): unknown => pick([0, -1, 1.5, 2 ** 40, 2 ** 64, '', 'x', 'x0', '0x401000', 'line', true, false, null, '\u0000', 'a'.repeat(5000)]);
  const value = (depth = 0): unknown => {
    const k = r();
    if (depth > 3 || k < 0.6) return scalar();
    if (k < 0.8) return Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(r() * 4); i > 0; i--) o[pick(['line', 'name', 'path', 'source', 'breakpoints', 'count', 'memoryReference', 'expression', 'variablesReference', 'dataId', 'filters', 'threadId', 'frameId', 'value', 'data', 'address'])] = value(depth + 1);
    return o;
  };
  const expr = (): string => {
    const toks = ['x0', 'x20', 'sp', 'pc', 'tag(', 'ltag(', '*(u64*)', '(u8)', '(', ')', '+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '~', '!', '==', '0x401000', '16', '0', 'counter', '_start', ',', 'memory-tag check ', 'memory tag read ', 'memory-tag set-allocation-tag x20 16 0a ', '"', '$1', 'nosuch'];
    return Array.from({ length: 1 + Math.floor(r() * 6) }, () => pick(toks)).join(r() < 0.5 ? ' ' : '');
  };
  /** Plausible arguments for a command, often with one field broken. */
  const plausible = (cmd: string): Record<string, unknown> => {
    const src = { path: pick([UAF, CALLS, '/nonexistent.s', '', 'use-after-free.s']) };
    switch (cmd) {
      case 'setBreakpoints': return { source: src, breakpoints: Array.from({ length: Math.floor(r() * 4) }, () => ({ line: int(), condition: r() < 0.3 ? expr() : undefined, hitCondition: r() < 0.2 ? pick(['2', '>= 1', '%2', 'bad']) : undefined, logMessage: r() < 0.2 ? '{x0} {' + expr() + '}' : undefined })) };
      case 'setFunctionBreakpoints': return { breakpoints: [{ name: pick(['_start', 'inner', 'outer', 'nosuch', '']), condition: r() < 0.3 ? expr() : undefined }] };
      case 'setInstructionBreakpoints': return { breakpoints: [{ instructionReference: addr(), offset: int() }] };
      case 'setExceptionBreakpoints': return { filters: [pick(['tag-check-sync', 'tag-check-async', 'signal', 'hypervisor', 'bogus'])], filterOptions: r() < 0.5 ? [{ filterId: pick(['signal', 'tag-check-sync']), condition: r() < 0.5 ? expr() : 'SIGSEGV' }] : undefined };
      case 'breakpointLocations': return { source: src, line: int(), endLine: int() };
      case 'dataBreakpointInfo': return { name: pick(['x20', 'counter', '0x402000', expr()]), variablesReference: int(), asAddress: r() < 0.5, bytes: int(), mode: pick([undefined, 'tags', 'data'] as const) };
      case 'setDataBreakpoints': return { breakpoints: [{ dataId: pick(['mem:0x402000:8', 'tags:0xfffff7ffe000:16', 'mem:0x10:99999999', 'bogus']), accessType: pick(['read', 'write', 'readWrite', 'all']) }] };
      case 'stackTrace': return { threadId: pick([1, 2, -1]), startFrame: int(), levels: int() };
      case 'scopes': return { frameId: int() };
      case 'variables': return { variablesReference: int(), start: r() < 0.2 ? int() : undefined, count: r() < 0.2 ? int() : undefined, format: r() < 0.2 ? { hex: r() < 0.5 } : undefined };
      case 'stepIn': return { threadId: 1, targetId: pick([0x401000, 0x40108c, 0x401090, 4198544, 0, -1, 2 ** 53, 1.5, 'x', null, undefined] as const), granularity: pick([undefined, 'instruction', 'line', 'bogus'] as const) };
      case 'stepInTargets': return { frameId: pick([0, 0, 1, int(), 'x', null] as const) };
      case 'modules': return { startModule: r() < 0.8 ? int() : pick(['0', null, 1.5] as const), moduleCount: r() < 0.8 ? int() : pick(['1', null, -1] as const) };
      case 'setExpression': return {
        expression: r() < 0.6 ? pick(['x0', 'w1', 'X2', 'sp', 'pc', 'lr', 'fp', 'xzr', 'nzcv', 'N', 'z', 'tco', 'steps', 'tcf0', 'x20', '$x3', '(x4)', '*(u64*)x20', '*(u32*)sp', '*(u8*)(sp + 3)', '*(i16*)0x401000', '*sp', '*(u64)sp', 'tag(x20)', 'tag(sp)', 'tag(0x401000)', 'ltag(x20)', 'ltag(w1)', 'ltag(5)', 'ltag(', 'tag(', '*(', '_start', 'counter', 'x0 + 1', '(x0', 'untag(x20)', '5', ''] as const) : expr(),
        value: pick(['0', '1', '-1', '0x1ff', '15', '16', '0x401000', '0x401001', '-0x81', 'x0', expr()]),
        frameId: r() < 0.3 ? int() : undefined,
        format: r() < 0.2 ? pick([{ hex: r() < 0.5 }, 5, { hex: 'yes' }] as const) : undefined,
      };
      case 'setVariable': return { variablesReference: int(), name: pick(['x0', 'x20', 'pc', 'sp', 'N', 'TCO', '[0xfffff7ffe000, 0xfffff7ffe010)', 'bogus']), value: pick(['0', '1', '5', '0x401000', expr()]) };
      case 'evaluate': return { expression: expr(), context: pick(['repl', 'watch', 'hover', 'clipboard', 'variables']), frameId: int() };
      case 'completions': { const text = expr(); return { text, column: Math.floor(r() * (text.length + 3)) }; }
      case 'readMemory': return { memoryReference: addr(), offset: int(), count: int() };
      case 'writeMemory': return { memoryReference: addr(), offset: int(), data: pick(['AAAA', 'AQIDBA==', '!!', '', 'A'.repeat(9)]) };
      case 'disassemble': return { memoryReference: addr(), instructionOffset: int(), instructionCount: pick([0, 1, 10, 200, 100001, -1]) };
      case 'goto': return { threadId: 1, targetId: int() };
      case 'gotoTargets': return { source: src, line: int() };
      case 'tagvisor/readTags': return { address: addr(), count: int() };
      case 'tagvisor/tagHistory': return { address: addr() };
      case 'tagvisor/writeTags': return { address: addr(), tags: [int(), 1, 2] };
      case 'tagvisor/goToStep': return { step: int() };
      case 'restart': return r() < 0.5 ? {} : { arguments: { program: pick([UAF, CALLS, 5]), stopOnEntry: true } };
      case 'launch': return { program: pick([UAF, 5, '']), stopOnEntry: true };
      default: return { threadId: pick([1, 1, 1, 2]), granularity: pick([undefined, 'instruction', 'line', 'bogus'] as const) };
    }
  };
  return () => {
    const cmd = r() < 0.97 ? pick(COMMANDS) : Math.random().toString(36).slice(2);
    const k = r();
    const args = k < 0.55 ? plausible(cmd) : k < 0.85 ? value() : k < 0.92 ? undefined : scalar();
    return { cmd, args };
  };
}

test(`fuzz: ${COUNT} random and malformed requests all get an answer and the adapter survives`, { timeout: 240_000 }, async () => {
  const s = new Session();
  await s.start();
  const dc = s.dc as unknown as {
    doSend(c: string, a: unknown, cb: (r: DebugProtocol.Response) => void): void;
    outputStream: NodeJS.WritableStream;
    _adapterProcess: { exitCode: number | null; signalCode: string | null };
  };
  try {
    await s.ok('initialize', INIT);
    await s.ok('launch', { program: UAF, stopOnEntry: true, historySize: 10000 });
    await s.ok('configurationDone');
    const next = gen(rng(SEED));
    const r = rng(SEED ^ 0x5a5a5a5a);
    let answered = 0, failed = 0;
    const internal = new Map<string, number>();
    const stats = new Map<string, number>();
    const BATCH = 500;
    const t0 = Date.now();
    for (let sent = 0; sent < COUNT;) {
      const n = Math.min(BATCH, COUNT - sent);
      const waits: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        const { cmd, args } = next();
        if (cmd === 'disconnect') continue;
        waits.push(new Promise<void>(res => dc.doSend(cmd, args, resp => {
          answered++;
          if (!resp.success) {
            failed++;
            if (process.env.FUZZ_STATS) { const k = `${cmd}: ${String(resp.message).replace(/[0-9]+/g, 'N').slice(0, 90)}`; stats.set(k, (stats.get(k) ?? 0) + 1); }
            if (typeof resp.message !== 'string' || resp.message.length === 0) internal.set(`(no message) ${cmd}`, (internal.get(`(no message) ${cmd}`) ?? 0) + 1);
            else if (resp.message.startsWith('internal error')) internal.set(`${cmd}: ${resp.message.split('\n')[0]}`, (internal.get(`${cmd}: ${resp.message.split('\n')[0]}`) ?? 0) + 1);
          }
          res();
        })));
        sent++;
        // Now and then a raw malformed frame (no answer expected).
        if (r() < 0.01) {
          const body = [`{"type":"request","seq":`, 'null', '42', '[]', '"str"', '{"type":"request","seq":1,"command":5}', '{"type":"request","seq":2,"command":"threads","arguments":7}', '{"type":"response","request_seq":99999}'][Math.floor(r() * 8)];
          dc.outputStream.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        }
      }
      await Promise.all(waits);
    }
    const dt = (Date.now() - t0) / 1000;
    if (process.env.FUZZ_STATS) console.log([...stats].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${v}\t${k}`).join('\n'));
    console.log(`fuzz: ${answered} requests answered (${failed} errors) in ${dt.toFixed(1)} s`);
    assert.equal(dc._adapterProcess.exitCode, null, 'the adapter process exited');
    const alive = await s.req('threads');
    assert.ok(alive.success, 'threads after the fuzz');
    assert.deepEqual([...internal.entries()], [], 'requests answered with an internal error (bugs):\n' + [...internal.entries()].map(([m, c]) => `${c}x ${m}`).join('\n'));
    assert.ok(answered >= COUNT * 0.99, `answered ${answered} of ${COUNT}`);
  } finally {
    await s.stop().catch(() => undefined);
  }
});
