import { DebugClient } from '@vscode/debugadapter-testsupport';
const dc = new DebugClient('node', '/work/main/dist/adapter.js', 'tagvisor');
const j = (v: unknown) => JSON.stringify(v);
(async () => {
  await dc.start();
  dc.on('output', e => process.stdout.write('OUT ' + j(e.body) + '\n'));
  const init = await dc.initializeRequest({ adapterID: 'tagvisor', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
  console.log('caps', Object.keys(init.body!).length);
  try { await dc.launchRequest({ program: 5 } as any); } catch (e) { console.log('bad launch:', (e as Error).message); }
  const prog = '/work/main/examples/use-after-free.s';
  await Promise.all([dc.launchRequest({ program: prog, stopOnEntry: true } as any), dc.waitForEvent('initialized')]);
  const bps = await dc.setBreakpointsRequest({ source: { path: prog }, breakpoints: [{ line: 62 }, { line: 200 }] });
  console.log('bps', j(bps.body));
  await dc.setExceptionBreakpointsRequest({ filters: ['tag-check-sync'] });
  const st = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  console.log('stopped', j((await st).body));
  let s2 = dc.waitForEvent('stopped'); await dc.continueRequest({ threadId: 1 }); console.log('stopped', j((await s2).body));
  const tr = await dc.stackTraceRequest({ threadId: 1 }); console.log('stack', j(tr.body));
  const sc = await dc.scopesRequest({ frameId: 0 }); console.log('scopes', j(sc.body));
  const vars = await dc.variablesRequest({ variablesReference: sc.body.scopes[0].variablesReference }); console.log('regs', j(vars.body.variables.slice(19, 22)));
  s2 = dc.waitForEvent('stopped'); await dc.nextRequest({ threadId: 1 }); console.log('stopped', j((await s2).body));
  s2 = dc.waitForEvent('stopped'); await dc.continueRequest({ threadId: 1 }); console.log('stopped', j((await s2).body));
  const ei = await dc.exceptionInfoRequest({ threadId: 1 }); console.log('exc', j(ei.body));
  const sc2 = await dc.scopesRequest({ frameId: 0 });
  for (const s of sc2.body.scopes.slice(1)) { const v = await dc.variablesRequest({ variablesReference: s.variablesReference }); console.log(s.name, j(v.body.variables).slice(0, 800)); }
  for (const e of ['x20', 'tag(x20)', '*(u64*)x20', 'memory-tag check x20', 'memory-tag print-allocation-tag x20', 'memory tag read x20 x20+48', 'x0 +']) {
    try { const r = await dc.evaluateRequest({ expression: e, context: 'repl' }); console.log('eval', e, '=>', j(r.body.result)); } catch (err) { console.log('eval err', e, (err as Error).message); }
  }
  const rt = await dc.customRequest('tagvisor/readTags', { address: '0xfffff7ffe000', count: 4 }); console.log('readTags', j(rt.body));
  const dis = await dc.disassembleRequest({ memoryReference: '0x401080', instructionOffset: -2, instructionCount: 5 }); console.log('dis', j(dis.body));
  s2 = dc.waitForEvent('stopped'); await dc.stepBackRequest({ threadId: 1 }); console.log('back', j((await s2).body));
  const rm = await dc.customRequest('readMemory', { memoryReference: '0x401000', count: 16 }); console.log('mem', j(rm.body));
  try { await dc.customRequest('readMemory', { memoryReference: '0x401000', count: 2 ** 40 }); } catch (e) { console.log('big read', (e as Error).message); }
  const term = dc.waitForEvent('terminated');
  s2 = dc.waitForEvent('stopped'); await dc.continueRequest({ threadId: 1 }); console.log('stopped', j((await s2).body));
  await dc.continueRequest({ threadId: 1 });
  console.log('terminated', j((await term).body));
  await dc.stop();
})().catch(e => { console.error('FAIL', e); process.exit(1); });
