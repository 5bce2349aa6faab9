import { TagvisorSession } from '../../../adapter/session';
const s = new TagvisorSession();
const out: any[] = [];
s.onDidSendMessage(m => out.push(m));
let seq = 1;
const send = async (command: string, args?: object) => { const q = seq++; s.handleMessage({ type: 'request', seq: q, command, arguments: args } as any); for (;;) { const r = out.find(m => m.type === 'response' && m.request_seq === q); if (r) return r; await new Promise(r => setTimeout(r, 1)); } };
(async () => {
  await send('initialize', { adapterID: 'x', pathFormat: 'path' });
  await send('launch', { program: '/work/main/bench/programs/adapter-tags.s', historySize: 0 });
  await send('setFunctionBreakpoints', { breakpoints: [{ name: 'done' }] });
  await send('configurationDone');
  while (!out.some(m => m.event === 'stopped')) await new Promise(r => setTimeout(r, 5));
  const x19 = (await send('evaluate', { expression: 'x19', context: 'watch' })).body.result.split(' ')[0];
  for (let i = 0; i < 40; i++) {
    let t0 = performance.now();
    s.handleMessage({ type: 'request', seq: 9000 + i, command: 'tagvisor/readTags', arguments: { address: x19, count: 65536 } } as any);
    const t1 = performance.now();
    const r = out.find(m => m.request_seq === 9000 + i);
    const js = JSON.stringify(r);
    const t2 = performance.now();
    JSON.parse(js);
    const t3 = performance.now();
    s.handleMessage({ type: 'request', seq: 9100 + i, command: 'tagvisor/readTags', arguments: { address: x19, count: 65536, provenance: false } } as any);
    const t4 = performance.now();
    if (i % 8 === 7) console.log(`handler ${(t1 - t0).toFixed(1)} stringify ${(t2 - t1).toFixed(1)} parse ${(t3 - t2).toFixed(1)} noprov ${(t4 - t3).toFixed(1)} size ${js.length}`);
  }
  process.exit(0);
})();
