// The extension's reading of the real debug adapter: the adapter session runs in this process over
// in-memory streams (as it does inline in VS Code), and the inspector's functions interpret its
// answers on the use-after-free example: registers with tags, the fault, tags with provenance,
// reverse to the tag write, editing a tag.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { TagvisorSession } from '../../adapter/index';
import { faultFromExceptionInfo, granulesFromReadTags, pointerRegisters } from '../../extension/inspector/dap';
import { granuleIndex, hex, untag, windowAround, CHUNK_GRANULES } from '../../extension/inspector/layout';
import { migrateSummary, snapshotToNodes, swapSummary } from '../../extension/hypervisor/tree';

const PROGRAM = join(import.meta.dirname, '..', '..', 'examples', 'use-after-free.s');

class Dap {
  private seq = 1;
  private buf = Buffer.alloc(0);
  private readonly waiting = new Map<number, (m: any) => void>();
  readonly events: any[] = [];
  private eventWaiters: { name: string; resolve: (e: any) => void }[] = [];
  constructor(private readonly toAdapter: PassThrough, fromAdapter: PassThrough) {
    fromAdapter.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.drain(); });
  }
  private drain(): void {
    for (;;) {
      const sep = this.buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, sep).toString())![1]);
      if (this.buf.length < sep + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(sep + 4, sep + 4 + len).toString());
      this.buf = this.buf.subarray(sep + 4 + len);
      if (process.env.DAP_TRACE) console.error('<-', msg.type, msg.command ?? msg.event, JSON.stringify(msg.body ?? msg.message ?? '').slice(0, 200));
      if (msg.type === 'response') this.waiting.get(msg.request_seq)?.(msg);
      else if (msg.type === 'event') {
        const w = this.eventWaiters.findIndex(x => x.name === msg.event);
        if (w >= 0) this.eventWaiters.splice(w, 1)[0].resolve(msg);
        else this.events.push(msg);
      }
    }
  }
  request(command: string, args: unknown = {}): Promise<any> {
    if (process.env.DAP_TRACE) console.error('->', command);
    const seq = this.seq++;
    const text = JSON.stringify({ seq, type: 'request', command, arguments: args });
    // the adapter may answer synchronously inside write(): register the waiter first
    const p = new Promise((resolve, reject) => this.waiting.set(seq, m => (m.success ? resolve(m.body ?? {}) : reject(new Error(m.message)))));
    this.toAdapter.write(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    return p;
  }
  event(name: string): Promise<any> {
    const i = this.events.findIndex(e => e.event === name);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0]);
    return new Promise(resolve => this.eventWaiters.push({ name, resolve }));
  }
}

const sessions: { dap: Dap; end: () => void }[] = [];
function startSession(): Dap {
  const toAdapter = new PassThrough();
  const fromAdapter = new PassThrough();
  new TagvisorSession().start(toAdapter, fromAdapter);
  const d = new Dap(toAdapter, fromAdapter);
  sessions.push({ dap: d, end: () => toAdapter.end() });
  return d;
}
after(async () => {
  for (const s of sessions) { await s.dap.request('disconnect', {}).catch(() => undefined); s.end(); }
});
let dap = startSession();

async function launch(d: Dap, args: Record<string, unknown>, filters: string[]): Promise<void> {
  await d.request('initialize', { adapterID: 'tagvisor', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  // like VS Code: launch, then configure after `initialized`; the launch answer may wait for configurationDone
  const launched = d.request('launch', args);
  await d.event('initialized');
  await d.request('setExceptionBreakpoints', { filters });
  await d.request('configurationDone');
  await launched;
}

async function registers(): Promise<{ name: string; value: string }[]> {
  const st = await dap.request('stackTrace', { threadId: 1, startFrame: 0, levels: 1 });
  const sc = await dap.request('scopes', { frameId: st.stackFrames[0].id });
  const regs = sc.scopes.find((s: any) => s.name === 'Registers');
  return (await dap.request('variables', { variablesReference: regs.variablesReference })).variables;
}

test('the inspector reads the real adapter on the use-after-free example', async () => {
  await launch(dap, { program: PROGRAM, stopOnEntry: true }, ['tag-check-sync']);
  const entry = await dap.event('stopped');
  assert.equal(entry.body.reason, 'entry');

  await dap.request('continue', { threadId: 1 });
  const stop = await dap.event('stopped');
  assert.equal(stop.body.reason, 'exception', JSON.stringify(stop.body));
  const info = await dap.request('exceptionInfo', { threadId: 1 });
  const fault = faultFromExceptionInfo(info);
  assert.ok(fault, JSON.stringify(info));
  assert.match(fault!.text, /Tag check fault \(sync, load\)/);

  const regs = pointerRegisters(await registers());
  const x20 = regs.find(r => r.name === 'x20');
  const x21 = regs.find(r => r.name === 'x21');
  assert.ok(x20 && x21, JSON.stringify(regs));
  assert.equal(untag(BigInt(fault!.address)), untag(BigInt(x20!.value)) + 8n);
  assert.equal(fault!.logicalTag, Number((BigInt(x20!.value) >> 56n) & 0xfn));

  // tags of the chunk around the fault, as the webview asks for them
  const w = windowAround(BigInt(fault!.address));
  const gi = granuleIndex(w, BigInt(fault!.address))!;
  const chunkStart = gi - (gi % CHUNK_GRANULES);
  const body = await dap.request('tagvisor/readTags', { address: hex(w + BigInt(chunkStart * 16)), count: CHUNK_GRANULES });
  const granules = granulesFromReadTags(body, CHUNK_GRANULES);
  const g = granules[gi - chunkStart];
  assert.equal(g.tag, fault!.allocationTag);
  assert.notEqual(g.tag, fault!.logicalTag);
  assert.equal(g.tag, Number((BigInt(x21!.value) >> 56n) & 0xfn), 'the block was retagged with x21\'s tag');
  assert.ok(g.provenance, 'the retagging st2g is recorded');
  assert.match(g.provenance!.instruction, /^st2g x21, \[x21\]/);
  assert.equal(g.provenance!.previous, Number((BigInt(x20!.value) >> 56n) & 0xfn));
  // the other granule of the 32-byte block too; the granule after it was never tagged
  assert.equal(granules[gi - chunkStart + 1].tag, g.tag);
  assert.equal(granules[gi - chunkStart + 2].tag, 0);

  // "reverse-continue to this write": the st2g is the next instruction again, the old tag is back
  await dap.request('tagvisor/goToStep', { step: g.provenance!.step, before: true });
  const back = await dap.event('stopped');
  assert.equal(back.body.reason, 'goto');
  const again = granulesFromReadTags(await dap.request('tagvisor/readTags', { address: hex(untag(BigInt(fault!.address)) & ~15n), count: 1 }), 1);
  assert.equal(again[0].tag, g.provenance!.previous);

  // editing a tag goes through the debug path and is read back
  await dap.request('tagvisor/writeTags', { address: hex(untag(BigInt(fault!.address)) & ~15n), tags: [7] });
  const edited = granulesFromReadTags(await dap.request('tagvisor/readTags', { address: hex(untag(BigInt(fault!.address)) & ~15n), count: 1 }), 1);
  assert.equal(edited[0].tag, 7);
  assert.equal(edited[0].provenance?.by, 'debugger');
});

test('the Hypervisor view reads the adapter\'s VM snapshot, and swap-out works through hypervisorAction', async () => {
  dap = startSession();
  const vm = { name: 'e2e-vm', mte: true, memory: [{ name: 'ram', gpa: '0x40000000', size: '64M', backing: 'anon' }] };
  await launch(dap, { program: PROGRAM, stopOnEntry: true, vm }, ['tag-check-sync', 'tag-check-async', 'tag-check-asymm', 'signal']);
  assert.equal((await dap.event('stopped')).body.reason, 'entry');
  const nodes = snapshotToNodes(await dap.request('tagvisor/hypervisor', {}));
  const labels = nodes.map(n => n.label);
  assert.equal(labels[0], 'VM');
  assert.match(nodes[0].description!, /name e2e-vm/);
  const slots = nodes.find(n => n.label === 'Memslots')!;
  assert.ok(slots, JSON.stringify(labels));
  assert.equal(slots.children![0].label, 'ram');
  assert.deepEqual(slots.children![0].range, { address: '0x40000000', size: 64 * 2 ** 20 });
  assert.match(slots.children![0].description!, /0x40000000 · 64 MiB · anon/);
  assert.ok(labels.includes('Stage 2 (KVM)') && labels.includes('Host memory and swap') && labels.includes('Dirty log'), JSON.stringify(labels));
  // swap out the stack page (guest virtual) as the command does
  const sp = BigInt((await registers()).find(r => r.name === 'sp')!.value.split(' ')[0]);
  const res = await dap.request('tagvisor/hypervisorAction', { action: 'swapOut', address: hex(sp & ~0xfffn), length: 4096 });
  assert.match(swapSummary(res), /^1 page swapped$/);
  const after = snapshotToNodes(await dap.request('tagvisor/hypervisor', {}));
  const host = after.find(n => n.label === 'Host memory and swap')!;
  assert.ok(host.children!.some(c => c.label === 'swapSlotsUsed' && c.description === '1'), JSON.stringify(host.children));
  // the guest keeps running correctly after its stack page comes back from swap: it still hits the UAF
  await dap.request('continue', { threadId: 1 });
  const stop = await dap.event('stopped');
  assert.equal(stop.body.reason, 'exception');
  // in the VM too, the inspector sees the registers, the fault and the tags (through the hypervisor's debug path)
  const fault = faultFromExceptionInfo(await dap.request('exceptionInfo', { threadId: 1 }));
  assert.ok(fault);
  const regs = pointerRegisters(await registers());
  assert.ok(regs.some(r => r.name === 'x20'), JSON.stringify(regs));
  const g = granulesFromReadTags(await dap.request('tagvisor/readTags', { address: hex(untag(BigInt(fault!.address)) & ~15n), count: 2 }), 2);
  assert.equal(g[0].tag, fault!.allocationTag, JSON.stringify(g));
});

test('convert private/shared as the Hypervisor commands send it, shown under Private ranges', async () => {
  dap = startSession();
  const vm = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'vm-private.json'), 'utf8'));
  await launch(dap, { program: join(import.meta.dirname, '..', '..', 'examples', 'hv-touch.s'), stopOnEntry: true, vm }, []);
  assert.equal((await dap.event('stopped')).body.reason, 'entry');
  // what HypervisorView.convert() sends
  await dap.request('tagvisor/hypervisorAction', { action: 'convert', gpa: '0x43000000', size: 8192, private: true });
  let nodes = snapshotToNodes(await dap.request('tagvisor/hypervisor', {}));
  assert.match(nodes[0].description!, /protected true/);
  const priv = nodes.find(n => n.label === 'Private ranges')!;
  const range = priv.children!.find(c => c.range?.address === '0x43000000');
  assert.ok(range, JSON.stringify(priv.children));
  assert.equal(range!.range!.size, 8192);
  assert.equal(range!.contextValue, 'privateRange');
  await dap.request('tagvisor/hypervisorAction', { action: 'convert', gpa: '0x43000000', size: 8192, private: false });
  nodes = snapshotToNodes(await dap.request('tagvisor/hypervisor', {}));
  const after = nodes.find(n => n.label === 'Private ranges')!;
  assert.ok(!after.children!.some(c => c.range?.address === '0x43000000'), JSON.stringify(after.children));
});

test('"Migrate VM Now" reports the real adapter\'s verification: verified with tags, FAILED without them', async () => {
  for (const withoutTags of [false, true]) {
    dap = startSession();
    const vm = { name: 'e2e-vm', mte: true, memory: [{ name: 'ram', gpa: '0x40000000', size: '64M', backing: 'anon' }] };
    await launch(dap, { program: PROGRAM, stopOnEntry: true, vm }, ['tag-check-sync']);
    assert.equal((await dap.event('stopped')).body.reason, 'entry');
    await dap.request('continue', { threadId: 1 });
    assert.equal((await dap.event('stopped')).body.reason, 'exception'); // the arena's granules are tagged by now
    // what HypervisorView.migrate() sends (withoutTags: the broken-VMM variant)
    const res = await dap.request('tagvisor/hypervisorAction', { action: 'migrate', withoutTags });
    const m = migrateSummary(res);
    assert.equal(m.verified, !withoutTags, JSON.stringify(res.verify));
    assert.match(m.text, new RegExp(`^e2e-vm -> ${res.to}, ${res.rounds.length} rounds?, ${res.pagesSent} pages? sent${withoutTags ? ' WITHOUT tags' : ''}; verification: 0 data and ${res.verify.tagMismatches} tag mismatch(es)? in ${res.verify.pages} pages?$`));
    if (withoutTags) assert.ok(res.verify.tagMismatches > 0, JSON.stringify(res.verify));
    assert.notEqual(res.to, 'e2e-vm');
  }
  assert.deepEqual(migrateSummary({ pages: 3 }), { text: 'pages 3', verified: undefined });
});


test('a debug read that swaps a page back in refreshes the Hypervisor scope and view (invalidated, hypervisorChanged), once', async () => {
  dap = startSession();
  const vm = { name: 'e2e-vm', mte: true, memory: [{ name: 'ram', gpa: '0x40000000', size: '64M', backing: 'anon' }] };
  await launch(dap, { program: PROGRAM, stopOnEntry: true, vm }, []);
  assert.equal((await dap.event('stopped')).body.reason, 'entry');
  const st = await dap.request('stackTrace', { threadId: 1, startFrame: 0, levels: 1 });
  const scopes = (await dap.request('scopes', { frameId: st.stackFrames[0].id })).scopes;
  const hvScope = async (): Promise<Record<string, string>> => {
    const sc = (await dap.request('scopes', { frameId: st.stackFrames[0].id })).scopes.find((s: any) => s.name === 'Hypervisor');
    return Object.fromEntries((await dap.request('variables', { variablesReference: sc.variablesReference })).variables.map((v: any) => [v.name, v.value]));
  };
  const regs = (await dap.request('variables', { variablesReference: scopes.find((s: any) => s.name === 'Registers').variablesReference })).variables;
  const sp = regs.find((r: any) => r.name === 'sp');
  const resident = async (): Promise<number> => Number(/^(\d+) \//.exec((await hvScope())['host resident pages / with tags'])![1]);
  const before = await resident();
  await dap.request('tagvisor/hypervisorAction', { action: 'swapOut', address: hex(BigInt(sp.value.split(' ')[0]) & ~0xfffn), length: 4096 });
  await dap.event('invalidated'); // the action's own
  await dap.event('tagvisor/hypervisorChanged');
  assert.equal(await resident(), before - 1);
  // expanding sp in the Variables view reads *(u64*)sp through the VMM's debug path: the page comes back
  const kids = (await dap.request('variables', { variablesReference: sp.variablesReference })).variables;
  assert.ok(kids.some((k: any) => k.name === '*(u64*)sp'), JSON.stringify(kids));
  const changed = await dap.event('tagvisor/hypervisorChanged');
  assert.ok(changed.body.recent.some((e: any) => e.kind === 'swap-in'), JSON.stringify(changed.body));
  assert.deepEqual((await dap.event('invalidated')).body.areas, ['variables']);
  assert.equal(await resident(), before);
  // the refresh that follows reads the page again: nothing changes, nothing more is sent
  await dap.request('variables', { variablesReference: sp.variablesReference });
  await dap.request('readMemory', { memoryReference: sp.value.split(' ')[0], count: 8 });
  await new Promise(r => setTimeout(r, 20));
  assert.deepEqual(dap.events.filter(e => e.event === 'invalidated' || e.event === 'tagvisor/hypervisorChanged').map(e => e.event), []);
});
