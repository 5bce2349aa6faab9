// emulator/debug in-process: reverse execution must land on exactly the state a fresh run reaches at
// the same instruction count (registers, every present page's data and allocation tags), across
// system calls, signals and tag writes; plus the expression language and the readTags encoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadProgram } from '../../emulator/cli/program';
import { Debuggee, TICK_INTERVAL, type StopInfo } from '../../emulator/debug/debuggee';
import { parseVmDescriptionText } from '../../emulator/hv/description';
import { GuestDebugMemory, RamDebugPath, untagged } from '../../emulator/debug/memory';
import { Cpu } from '../../emulator/cpu/cpu';
import { LinuxProcess } from '../../emulator/linux/process';
import { A64 } from '../../emulator/isa/table';
import { SP } from '../../emulator/cpu/state';
import { evaluateExpression, runTagCommand, EvalError, type TagCommandContext } from '../../adapter/evaluate';
import { decodeReadTags } from '../../adapter/tags';
import { parseHitCondition } from '../../adapter/session';
import { PROGRAMS, REPO } from './harness';
import { missingTools, run, tmpDir } from '../tools';

function digestOf(c: Debuggee['cpu'], space: Debuggee['proc']['space'], memory: GuestDebugMemory): string {
  const h = createHash('sha1');
  h.update(Buffer.from(c.x.buffer.slice(0, 33 * 8)));
  h.update(Buffer.from(c.v.buffer));
  h.update(`${c.pc} ${c.nzcv} ${c.tco} ${c.tfsre0} ${c.rgsr} ${c.gcrExclude} ${c.tcf0} ${c.steps}`);
  const vpns = [...space.entries.keys()].sort((a, b) => a - b);
  for (const vpn of vpns) {
    const r = memory.read(BigInt(vpn * 4096), 4096);
    h.update(`${vpn}:`);
    h.update(r.bytes);
    h.update(Buffer.from(memory.readTags(BigInt(vpn * 4096), 256).buffer));
  }
  return h.digest('hex');
}
const digest = (d: Debuggee): string => digestOf(d.cpu, d.proc.space, d.memory);

function debuggee(path: string, historySize: number): Debuggee {
  return new Debuggee({ program: loadProgram(path), args: ['a1'], env: { E: 'v' }, cwd: REPO, seed: 3, historySize });
}

/** State after exactly `n` instructions, from a fresh run of the bare runtime (no debugger). */
function reference(path: string, n: number): string {
  const model = debuggee(path, 0);
  const program = model.program;
  const proc = new LinuxProcess(program.elf, {
    path: program.path, argv: [program.path, 'a1'], env: ['E=v'], seed: 3, cwd: REPO,
    readRoots: [...new Set([REPO, dirname(program.path)])], stdio: ['pipe', 'pipe', 'pipe'], tickInterval: TICK_INTERVAL,
  });
  while (proc.steps < n) {
    const r = proc.run(n - proc.steps);
    if (r.reason === 'exit' || r.reason === 'blocked') break;
  }
  const memory = new GuestDebugMemory({ space: proc.space, vmaAt: a => proc.mm.find(a), populate: () => false }, new RamDebugPath(proc.phys));
  return digestOf(proc.cpu, proc.space, memory);
}

function checkHistory(path: string, samples: number, seed: number, historySize = 10_000_000): void {
  const d = debuggee(path, historySize);
  const runToEnd = () => {
    d.resume({ kind: 'continue' });
    let s;
    while (!(s = d.runFor(1000)));
    assert.equal(s.reason, 'exited');
  };
  runToEnd();
  const end = d.position;
  assert.ok(end > 10, `${path} ran ${end} instructions`);
  let x = seed;
  const rand = () => { x = (x * 1103515245 + 12345) & 0x7fffffff; return x / 0x7fffffff; };
  // Going back discards the recorded future (it is re-executed when going forward again), so each
  // sweep goes backwards from the end; between sweeps the program runs to its end again.
  for (let sweep = 0; sweep < 2; sweep++) {
    const first = d.history!.start;
    if (historySize < end) assert.ok(first > 0 && first >= end - historySize - 2 * d.history!.interval, `history starts at ${first} of ${end}`);
    const span = end - first;
    const positions = [...new Set([end - 1, first + Math.floor(span / 2), first + 1, first, ...Array.from({ length: samples / 2 }, () => first + Math.floor(rand() * span))])].sort((a, b) => b - a);
    for (const p of positions) {
      const err = d.goToPosition(p);
      assert.equal(err, undefined, `goTo ${p}: ${err}`);
      assert.equal(d.position, p);
      assert.equal(digest(d), reference(path, p), `${path}: state at instruction ${p} differs from a fresh run`);
    }
    runToEnd();
    assert.equal(d.position, end);
  }
}

test('reverse execution reproduces the exact machine state (use-after-free.s: tag writes, syscalls, the fault and death)', () => {
  checkHistory(join(REPO, 'examples', 'use-after-free.s'), 12, 1);
});

test('reverse execution reproduces the exact machine state (calls.s and async.s: stack writes, async tag fault delivery)', () => {
  checkHistory(join(PROGRAMS, 'calls.s'), 12, 2);
  checkHistory(join(PROGRAMS, 'async.s'), 12, 3);
});

test('reverse execution over a page frame freed and handed out again (munmap, mmap: the reused frame is zeroed)', () => {
  checkHistory(join(PROGRAMS, 'reuse.s'), 16, 10);
});

test('reverse execution in a VM goes on through host swap and live migration (states match a fresh run)', () => {
  const dir = tmpDir('tv-hist-vm');
  const src = readFileSync(join(REPO, 'examples', 'hv-tag-churn.s'), 'utf8').replace(/\.equ\s+ROUNDS,\s*[0-9]+/, '.equ ROUNDS, 1200');
  assert.ok(src.includes('ROUNDS, 1200'));
  const path = join(dir, 'churn.s');
  writeFileSync(path, src);
  const vm = parseVmDescriptionText(readFileSync(join(REPO, 'examples', 'vm-swap.json'), 'utf8'));
  const make = (historySize: number) => new Debuggee({ program: loadProgram(path), args: [], env: {}, cwd: dir, seed: 3, historySize, vm });
  const d = make(10_000_000);
  const events: Record<string, number> = {};
  d.hvEvents!.subscribe(e => { events[e.kind] = (events[e.kind] ?? 0) + 1; });
  const finish = (): StopInfo => { let s; while (!(s = d.runFor(1000))); return s; };
  // Stop in the middle (the 600th round), migrate, then run to the end.
  let hits = 0;
  d.setBreakpoints([d.program.elf.symbol('round')!.value]);
  d.breakpointFilter = () => ++hits === 600;
  d.resume({ kind: 'continue' });
  assert.equal(finish().reason, 'breakpoint');
  const migratedAt = d.position;
  const m = d.migrate();
  assert.ok(m.ok, m.ok ? '' : m.message);
  d.setBreakpoints([]);
  d.resume({ kind: 'continue' });
  const end = finish();
  assert.equal(end.reason, 'exited');
  assert.ok((events['swap-out'] ?? 0) > 50 && (events['swap-in'] ?? 0) > 50, `swap traffic: ${JSON.stringify(events)}`);
  assert.equal(d.history!.start, 0, 'the history was cut');
  // The reference: a fresh VM without the debugger's history, run to the same position.
  const reference = (n: number): string => {
    const r = make(0);
    while (r.proc.steps < n) {
      const x = r.proc.run(n - r.proc.steps);
      if (x.reason === 'exit' || x.reason === 'blocked') break;
    }
    return digest(r);
  };
  const last = d.position;
  for (const p of [last - 1, migratedAt + 7, migratedAt, migratedAt - 3, Math.floor(migratedAt / 2), 1]) {
    assert.equal(d.goToPosition(p), undefined);
    assert.equal(digest(d), reference(p), `state at instruction ${p} (migrated at ${migratedAt}, end ${last}) differs from a fresh run`);
  }
});

test('reverse execution between system calls: 8,192 STGs + stores and a store/load loop restored from the journal, not a snapshot', () => {
  const dir = tmpDir('tv-hist-loop');
  // The benchmark's tagging program on 8,192 granules (about 49,000 instructions, no system call in the loop).
  const tags = readFileSync(join(REPO, 'bench', 'programs', 'adapter-tags.s'), 'utf8').replace('mov     x21, #65536', 'mov     x21, #8192');
  assert.ok(tags.includes('#8192'));
  writeFileSync(join(dir, 'tags.s'), tags);
  checkHistory(join(dir, 'tags.s'), 10, 5);
  const src = readFileSync(join(REPO, 'bench', 'programs', 'mte-loop.s'), 'utf8').replace(/\.equ\s+ITERATIONS,\s*[0-9]+/, '.equ ITERATIONS, 3000');
  writeFileSync(join(dir, 'loop.s'), src);
  checkHistory(join(dir, 'loop.s'), 10, 6);
  // A bounded history (the oldest entries dropped and the journal compacted many times over).
  checkHistory(join(dir, 'tags.s'), 10, 8, 6_000);
  checkHistory(join(dir, 'loop.s'), 10, 9, 5_000);
});

test('the debugger runs compiled blocks: instruction numbers seen by hooks inside them match single steps (provenance, history, untagged)', () => {
  assert.equal(untagged(0x0b00_ffff_f7ff_e008n), 0xffff_f7ff_e008);
  assert.equal(untagged(-1n), -1);
  assert.equal(untagged(0x0080_0000_0000_0000n), -1); // bit 55
  assert.equal(untagged(0x0001_0000_0000_0000n), -1); // above the 48-bit user range
  assert.equal(untagged((1n << 64n) + 0x1234n), 0x1234);
  const dir = tmpDir('tv-blocks-dbg');
  const src = readFileSync(join(REPO, 'bench', 'programs', 'mte-loop.s'), 'utf8').replace(/\.equ\s+ITERATIONS,\s*[0-9]+/, '.equ ITERATIONS, 3000');
  writeFileSync(join(dir, 'loop.s'), src);
  const path = join(dir, 'loop.s');
  // Who set each tag (instruction number and pc) with every instruction dispatched alone, then with
  // blocks compiled at the first visit: identical.
  const provenanceWith = (threshold: number): string => {
    const saved = Cpu.blockThreshold;
    Cpu.blockThreshold = threshold;
    try {
      const d = debuggee(path, 0);
      d.resume({ kind: 'continue' });
      let s;
      while (!(s = d.runFor(1000)));
      assert.equal(s.reason, 'exited');
      const h = createHash('sha1');
      let writes = 0;
      for (const vpn of [...d.proc.space.entries.keys()].sort((a, b) => a - b)) {
        const last = d.provenance.lastArrays(d.memory.gpnOf(vpn * 4096));
        if (!last) continue;
        for (let g = 0; g < 256; g++) if (last.step[g] >= 0) { writes++; h.update(`${vpn}:${g}:${last.step[g]}:${last.pc[g]}:${last.prev[g]};`); }
      }
      assert.ok(writes > 100, `only ${writes} tagged granules recorded`);
      return h.digest('hex');
    } finally { Cpu.blockThreshold = saved; }
  };
  assert.equal(provenanceWith(1), provenanceWith(0));
  // The history's journal stamps inside blocks: going back lands on the states of a fresh run.
  const saved = Cpu.blockThreshold;
  Cpu.blockThreshold = 1;
  try { checkHistory(path, 8, 7); } finally { Cpu.blockThreshold = saved; }
});

test('a KVM_RUN error stops the debugger at the faulting instruction (filters or not); the guest gets no SIGBUS; continuing meets it again', () => {
  const vm = parseVmDescriptionText(readFileSync(join(REPO, 'examples', 'vm-device-dax.json'), 'utf8'));
  const d = new Debuggee({ program: loadProgram(join(REPO, 'test', 'cli', 'fixtures', 'bus-handler.s')), args: [], env: {}, cwd: REPO, seed: 1, historySize: 0, vm });
  const signals: number[] = [];
  d.proc.on('signal', e => signals.push(e.signo));
  let at = -1;
  for (let k = 0; k < 3; k++) {
    const s = go(d);
    assert.equal(s.reason, 'exception', JSON.stringify(s.reason));
    if (s.reason !== 'exception') return;
    assert.equal(s.exception.filter, 'hypervisor');
    assert.equal(s.exception.hv?.kind, 'run-error');
    assert.match(s.exception.hv?.reason ?? '', /^KVM_RUN returns -14: -EFAULT: user_mem_abort: MTE VM and the VMA .* lacks VM_MTE_ALLOWED/);
    assert.equal(A64.disassemble(d.readWord(d.pc)!, { pc: d.pc }).text, 'str\tx2, [x0, x2]', 'at the store that touched DAX memory');
    if (at < 0) at = d.position; else assert.equal(d.position, at, 'nothing ran: the VM cannot go on');
    assert.equal(d.exited, null);
  }
  assert.deepEqual(signals, [], 'no SIGBUS reached the guest');
});

test('data and tag watchpoints inside compiled blocks stop exactly where single-stepped code does', () => {
  const dir = tmpDir('tv-watch-blocks');
  const src = readFileSync(join(REPO, 'bench', 'programs', 'mte-loop.s'), 'utf8').replace(/\.equ\s+ITERATIONS,\s*[0-9]+/, '.equ ITERATIONS, 3000');
  writeFileSync(join(dir, 'loop.s'), src);
  const hits = (threshold: number, access: 'write' | 'read' | 'tag'): string[] => {
    const saved = Cpu.blockThreshold;
    Cpu.blockThreshold = threshold;
    try {
      const d = debuggee(join(dir, 'loop.s'), 0);
      const loop = d.program.elf.symbol('loop')!.value;
      d.setBreakpoints([loop]);
      let s = go(d);
      assert.equal(s.reason, 'breakpoint');
      d.setBreakpoints([]);
      const base = Number(d.cpu.x[5] & ~0xfffn);
      d.setWatchpoints([{ id: 1, start: base + 200 * 16, length: 8, access }]);
      const out: string[] = [];
      for (let k = 0; k < 6; k++) {
        s = go(d);
        assert.equal(s.reason, 'data breakpoint', JSON.stringify(s.reason));
        if (s.reason === 'data breakpoint') out.push(`${d.position} ${d.pc.toString(16)} ${s.hit.kind} ${s.hit.write} ${s.hit.pc.toString(16)}`);
      }
      return out;
    } finally { Cpu.blockThreshold = saved; }
  };
  for (const access of ['write', 'read', 'tag'] as const) {
    const single = hits(0, access);
    assert.equal(new Set(single).size, 6, `${access}: six different hits`);
    assert.deepEqual(hits(1, access), single, access);
  }
});

test('reverse execution over a static glibc C program (many system calls, malloc, printf)', { skip: missingTools('aarch64-linux-gnu-gcc') }, () => {
  const dir = tmpDir('tv-hist-c');
  const exe = join(dir, 'uaf');
  const r = run('aarch64-linux-gnu-gcc', ['-O1', '-g', '-static', '-march=armv8.5-a+memtag', join(REPO, 'examples', 'uaf-malloc.c'), '-o', exe]);
  assert.equal(r.status, 0, r.stderr);
  checkHistory(exe, 8, 4);
});

test('reverse execution over C programs that mprotect memory to PROT_MTE, munmap, and take signals', { skip: missingTools('aarch64-linux-gnu-gcc') }, () => {
  const dir = tmpDir('tv-hist-c2');
  for (const [name, seed] of [['mte-prctl', 11], ['signals', 12]] as const) {
    const exe = join(dir, name);
    const r = run('aarch64-linux-gnu-gcc', ['-O2', '-g', '-static', '-march=armv8.5-a+memtag', join(REPO, 'test', 'corpus', 'c', `${name}.c`), '-o', exe]);
    assert.equal(r.status, 0, r.stderr);
    checkHistory(exe, 10, seed);
  }
});

test('stepBack by line steps back over a call made on the previous line (it does not land inside the callee)', () => {
  const d = debuggee(join(PROGRAMS, 'calls.s'), 100_000);
  const start = d.program.elf.symbol('_start')!.value;
  // _start: mov x19, #3 / 1: mov x0, x19 / bl outer / subs x19, x19, #1
  assert.equal(A64.disassemble(d.readWord(start + 8)!, { pc: start + 8 }).text.split('\t')[0], 'bl');
  d.setBreakpoints([start + 12]);
  d.resume({ kind: 'continue' });
  let s;
  while (!(s = d.runFor(1000)));
  assert.equal(s.reason, 'breakpoint');
  d.setBreakpoints([]);
  assert.equal(d.stepBack('line').reason, 'step');
  assert.equal(d.pc, start + 8, 'back on the line of the call, before it');
  assert.equal(d.stepBack('line').reason, 'step');
  assert.equal(d.pc, start + 4);
});

test('stepBack then continue re-executes silently and reaches the same stop', () => {
  const d = debuggee(join(REPO, 'examples', 'use-after-free.s'), 100_000);
  const out: string[] = [];
  d.on('output', o => out.push(o.text));
  d.exceptionFilters.set('tag-check-sync', null);
  d.resume({ kind: 'continue' });
  let s;
  while (!(s = d.runFor(1000)));
  assert.equal(s.reason, 'exception');
  const at = d.position, dig = digest(d);
  for (let i = 0; i < 10; i++) assert.equal(d.stepBack('instruction').reason, 'step');
  assert.equal(d.position, at - 10);
  d.resume({ kind: 'continue' });
  while (!(s = d.runFor(1000)));
  assert.equal(s.reason, 'exception');
  assert.equal(d.position, at);
  assert.equal(digest(d), dig);
  assert.equal(out.length, 2, 'the two lines of output were not repeated');
});

test('asymmetric mode: the store stops as tag-check-asymm at the access (not performed yet), the load as a held sync fault', () => {
  const d = new Debuggee({ program: loadProgram(join(PROGRAMS, 'asymm.s')), args: [], env: {}, cwd: REPO, seed: 3, historySize: 1000, process: { mtePreferred: 'asymm' } });
  d.exceptionFilters.set('tag-check-asymm', null);
  const go = () => { d.resume({ kind: 'continue' }); let s; while (!(s = d.runFor(1000))); return s; };
  let s = go();
  assert.equal(s.reason, 'exception');
  if (s.reason !== 'exception') return;
  assert.equal(s.exception.filter, 'tag-check-asymm');
  assert.equal(d.cpu.tcf0, 3);
  assert.ok(s.exception.mismatch?.write);
  assert.equal(s.exception.rewound, true);
  assert.equal(d.pc, s.exception.pc, 'stopped at the store');
  assert.equal(A64.disassemble(d.readWord(d.pc)!, { pc: d.pc }).text, 'str\tx1, [x21]');
  s = go();
  assert.equal(s.reason, 'exception');
  if (s.reason !== 'exception') return;
  assert.equal(s.exception.filter, 'tag-check-asymm');
  assert.equal(s.exception.fault?.kind, 'tagcheck');
  assert.equal(s.exception.fault?.write, false);
  assert.equal(s.exception.signal?.delivered, false);
  s = go();
  assert.equal(s.reason, 'exited');
  if (s.reason === 'exited') assert.equal(s.status.signal, 11);
});

test('expressions: arithmetic, casts, memory and tags through the context', () => {
  const mem = new Map<bigint, number>([[0x1000n, 0x11], [0x1001n, 0x22], [0x1002n, 0x33], [0x1003n, 0x44]]);
  const ctx: TagCommandContext = {
    register: n => ({ x0: 5n, x1: 0x0500_0000_0000_1000n, sp: 0x1000n } as Record<string, bigint>)[n],
    symbol: n => (n === 'main' ? 0x400100n : undefined),
    read: (a, size) => { let v = 0n; for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(mem.get(a + BigInt(i)) ?? 0); return v; },
    allocationTag: a => ((a & 0xffffn) === 0x1000n ? 3 : -1),
    setAllocationTags: () => true,
    nextValueNumber: (() => { let n = 0; return () => ++n; })(),
  };
  const ev = (s: string) => evaluateExpression(s, ctx);
  assert.equal(ev('1 + 2 * 3'), 7n);
  assert.equal(ev('(1 + 2) * 3'), 9n);
  assert.equal(ev('-1'), 0xffff_ffff_ffff_ffffn);
  assert.equal(ev('x0 << 4 | 1'), 0x51n);
  assert.equal(ev('*(u32*)sp'), 0x44332211n);
  assert.equal(ev('*(u8*)(sp + 2)'), 0x33n);
  assert.equal(ev('(i8)0x80'), 0xffff_ffff_ffff_ff80n);
  assert.equal(ev('(u16)0x12345'), 0x2345n);
  assert.equal(ev('tag(x1)'), 3n);
  assert.equal(ev('ltag(x1)'), 5n);
  assert.equal(ev('untag(x1)'), 0x1000n);
  assert.equal(ev('withtag(x1, 9)'), 0x0900_0000_0000_1000n);
  assert.equal(ev('main + 4'), 0x400104n);
  assert.equal(ev('x0 == 5 && !(x0 > 9)'), 1n);
  assert.equal(ev('0b101 + 0o7 + 0x1_0'), 28n);
  for (const bad of ['', '1 +', '(1', 'nosuch', 'tag(0x2000)', '1/0', '5 % 0', 'tag(1, 2)', '1 $', '08x']) {
    assert.throws(() => ev(bad), EvalError, bad);
  }
  assert.equal(runTagCommand('memory-tag print-logical-tag x1', ctx), '$1 = 0x5');
  assert.equal(runTagCommand('memory-tag print-allocation-tag x1', ctx), '$2 = 0x3');
  assert.equal(runTagCommand('memory-tag with-logical-tag x1 0a', ctx), '$3 = (void *) 0xa00000000001000');
  assert.equal(runTagCommand('memory-tag check x1', ctx), 'Logical tag (0x5) does not match the allocation tag (0x3) for address 0x500000000001000.');
  assert.equal(runTagCommand('memory-tag check untag(x1) | (3 << 56)', ctx), 'Memory tags for address 0x300000000001000 match (0x3).');
  assert.throws(() => runTagCommand('memory-tag print-allocation-tag 0x2000', ctx), /^EvalError: Address 0x2000 not in a region mapped with a memory tagging flag\.$|Address 0x2000 not in a region mapped with a memory tagging flag\./);
  assert.equal(runTagCommand('memory-tag set-allocation-tag x1 32 0304', ctx), 'Allocation tag(s) updated successfully.');
  assert.throws(() => runTagCommand('memory-tag set-allocation-tag x1 0 03', ctx), /Invalid zero or negative length\./);
  assert.throws(() => runTagCommand('memory-tag set-allocation-tag x1 16 3', ctx), /Tags should be 2 digits per byte\./);
  assert.equal(runTagCommand('memory tag read x1', ctx), 'Logical tag: 0x5\nAllocation tags:\n[0x1000, 0x1010): 0x3 (mismatch)');
  assert.equal(runTagCommand('memory tag write x1 3', ctx), '');
  assert.equal(runTagCommand('print x0', ctx), undefined);
});

test('hit conditions', () => {
  assert.deepEqual([1, 2, 3, 4].map(parseHitCondition('3')), [false, false, true, true]);
  assert.deepEqual([1, 2, 3, 4].map(parseHitCondition('== 2')), [false, true, false, false]);
  assert.deepEqual([1, 2, 3, 4].map(parseHitCondition('%2')), [false, true, false, true]);
  assert.deepEqual([1, 2, 3, 4].map(parseHitCondition('<3')), [true, true, false, false]);
  assert.throws(() => parseHitCondition('sometimes'), /hit condition/);
});

test('readTags encoding decodes to one entry per granule', () => {
  const setBy = new Int32Array([0, -1, 1]);
  const steps = new Float64Array([7, 0, 123456789]);
  const g = decodeReadTags({
    address: '0x1000', count: 3, granuleSize: 16, logicalTag: 0, tags: 'a-3',
    writers: [{ pc: '0x400000', instruction: 'stg x0, [x0]', by: 'instruction' }, { pc: '0x400010', instruction: '(debugger)', by: 'debugger' }],
    setBy: Buffer.from(setBy.buffer).toString('base64'), setByBits: 32, steps: Buffer.from(steps.buffer).toString('base64'), stepBits: 64, previous: '0-2',
  });
  assert.deepEqual(g.map(x => [x.address, x.tag, x.set?.step, x.set?.previous, x.set?.instruction]), [
    [0x1000n, 10, 7, 0, 'stg x0, [x0]'], [0x1010n, null, undefined, undefined, undefined], [0x1020n, 3, 123456789, 2, '(debugger)'],
  ]);
  const narrow = decodeReadTags({
    address: '0x0', count: 2, granuleSize: 16, logicalTag: 0, tags: '12', writers: [{ pc: '0x4', instruction: 'stg', by: 'instruction' }],
    setBy: Buffer.from(new Int16Array([0, -1]).buffer).toString('base64'), setByBits: 16,
    steps: Buffer.from(new Uint32Array([4000000000, 0]).buffer).toString('base64'), stepBits: 32, previous: '0-',
  });
  assert.deepEqual(narrow.map(x => x.set?.step), [4000000000, undefined]);
});

// ---- signal-delivery-stops (signals other than faults stop before they are delivered) ----------

const SIGUSR1_S = join(PROGRAMS, 'sigusr1.s');
const ABORT_S = join(PROGRAMS, 'abort.s');
const ASYNC_S = join(PROGRAMS, 'async.s');

/** Continues until the next stop. */
function go(d: Debuggee, mode: Parameters<Debuggee['resume']>[0] = { kind: 'continue' }) {
  d.resume(mode);
  let s;
  while (!(s = d.runFor(1000)));
  return s;
}

/** The bare runtime's output and exit status for a program (no debugger). */
function bareRun(path: string): { out: string; status: string } {
  const model = debuggee(path, 0);
  const proc = new LinuxProcess(model.program.elf, {
    path: model.program.path, argv: [model.program.path, 'a1'], env: ['E=v'], seed: 3, cwd: REPO,
    readRoots: [...new Set([REPO, dirname(model.program.path)])], stdio: ['pipe', 'pipe', 'pipe'], tickInterval: TICK_INTERVAL,
  });
  let out = '';
  proc.on('stdout', b => { out += Buffer.from(b).toString('utf8'); });
  const r = proc.run(10_000_000);
  assert.equal(r.reason, 'exit');
  return { out, status: r.reason === 'exit' ? JSON.stringify([r.status.code, r.status.signal, r.status.core]) : '' };
}

const statusOf = (s: ReturnType<typeof go>): string => (s.reason === 'exited' ? JSON.stringify([s.status.code, s.status.signal, s.status.core]) : `not exited: ${s.reason}`);

/** A history-recording debuggee that stops for signals, and the guest output so far. */
function stoppingOnSignals(path: string): { d: Debuggee; out: () => string } {
  const d = debuggee(path, 100_000);
  let text = '';
  d.on('output', o => { text += o.text; });
  d.exceptionFilters.set('signal', null);
  return { d, out: () => text };
}

function symbolAddress(d: Debuggee, name: string): number {
  const s = d.program.elf.symbols.find(x => x.name === name);
  assert.ok(s, `symbol ${name}`);
  return Number(s.value);
}

test('signal-delivery-stop: kill(getpid(), SIGUSR1) stops before the handler frame is built; continuing delivers it exactly once', () => {
  const d = debuggee(SIGUSR1_S, 100_000);
  let out = '';
  d.on('output', o => { out += o.text; });
  const delivered: string[] = [];
  d.proc.on('signal', e => delivered.push(`${e.signo}:${e.action}`));
  d.exceptionFilters.set('signal', null);
  const s = go(d);
  assert.equal(s.reason, 'exception');
  if (s.reason !== 'exception') return;
  const e = s.exception;
  assert.equal(e.filter, 'signal');
  assert.equal(e.atDelivery, true);
  assert.deepEqual({ ...e.signal, addr: undefined }, { signo: 10, code: 0, name: 'SIGUSR1', codeName: 'SI_USER', addr: undefined, delivered: false, action: 'handler', handler: BigInt(symbolAddress(d, 'on_usr1')) });
  // The process as at the kill system call's return: pc after the SVC, x0 = kill's result, no frame.
  assert.equal(A64.disassemble(d.readWord(d.pc - 4)!, { pc: d.pc - 4 }).text, 'svc\t#0x0');
  assert.equal(d.cpu.x[8], 129n, 'x8 still holds __NR_kill');
  assert.equal(d.cpu.x[0], 0n);
  assert.equal(e.pc, d.pc);
  assert.equal(d.proc.exited, null);
  assert.equal(out, '', 'the handler has not run');
  assert.deepEqual(delivered, []);
  assert.equal(d.proc.heldSignal?.signo, 10);
  assert.equal(d.proc.pendingMask, 0n, 'dequeued: no longer pending');
  assert.equal(d.cpu.x[SP], BigInt(d.proc.stack.sp), 'sp as _start left it: no signal frame pushed');
  const frames = d.frames();
  assert.equal(frames[0].pc, d.pc);
  // Continue: delivered once, no second stop, same output and status as without the debugger.
  const end = go(d);
  assert.equal(end.reason, 'exited');
  assert.deepEqual(delivered, ['10:handler']);
  const bare = bareRun(SIGUSR1_S);
  assert.equal(out, bare.out);
  assert.equal(out, 'in handler\nback in _start\n');
  assert.equal(statusOf(end), bare.status);
  assert.equal(statusOf(end), '[10,null,false]');
});

test('signal-delivery-stop: tgkill SIGABRT with the default action stops with the process alive; continuing kills it (134)', () => {
  const { d, out } = stoppingOnSignals(ABORT_S);
  const s = go(d);
  assert.equal(s.reason, 'exception');
  if (s.reason !== 'exception') return;
  assert.equal(s.exception.filter, 'signal');
  assert.equal(s.exception.signal?.name, 'SIGABRT');
  assert.equal(s.exception.signal?.codeName, 'SI_TKILL');
  assert.equal(s.exception.signal?.delivered, false);
  assert.equal(s.exception.signal?.action, 'core');
  assert.equal(d.exited, null, 'still alive at the stop');
  assert.equal(d.proc.exited, null);
  assert.equal(d.cpu.x[20], 0xabn, 'registers as at the kernel exit');
  assert.equal(d.cpu.x[8], 131n);
  assert.equal(out(), 'about to abort\n');
  // Memory and registers can be read at the stop (the state a core dump would have).
  assert.notEqual(d.readWord(d.pc), undefined);
  const end = go(d);
  assert.equal(end.reason, 'exited');
  assert.equal(statusOf(end), '[null,6,true]');
  if (end.reason === 'exited') assert.equal(128 + end.status.signal!, 134);
  const bare = bareRun(ABORT_S);
  assert.equal(statusOf(end), bare.status);
  assert.equal(out(), bare.out);
});

test('async tag faults stop at the mismatching access before it is performed, without history too, and inside compiled blocks', () => {
  for (const [historySize, threshold] of [[0, 0], [0, 1], [100_000, 1]]) {
    const saved = Cpu.blockThreshold;
    Cpu.blockThreshold = threshold;
    try {
      const d = debuggee(ASYNC_S, historySize);
      let out = '';
      d.on('output', o => { out += o.text; });
      d.exceptionFilters.set('tag-check-async', null);
      let s = go(d);
      assert.equal(s.reason, 'exception');
      if (s.reason !== 'exception') return;
      const e = s.exception;
      assert.equal(e.filter, 'tag-check-async');
      assert.equal(e.rewound, true);
      assert.equal(d.pc, e.pc, `history ${historySize}, threshold ${threshold}: stopped at the access`);
      assert.equal(A64.disassemble(d.readWord(d.pc)!, { pc: d.pc }).text, 'str\tx1, [x21]');
      // Nothing of the store happened yet: memory, TFSRE0_EL1.TF0 and the runtime's record.
      const target = d.memory.read(d.cpu.x[21], 8);
      assert.deepEqual([...target.bytes], [0, 0, 0, 0, 0, 0, 0, 0]);
      assert.equal(d.cpu.tfsre0, 0);
      const at = d.position;
      // Resuming performs it (no second stop at it) and Linux delivers SEGV_MTEAERR at the write.
      s = go(d);
      assert.equal(s.reason, 'exception');
      if (s.reason === 'exception') assert.equal(s.exception.atDelivery, true);
      assert.ok(d.position > at);
      const end = go(d);
      assert.equal(statusOf(end), bareRun(ASYNC_S).status);
      assert.equal(out, bareRun(ASYNC_S).out);
    } finally { Cpu.blockThreshold = saved; }
  }
});

test('signal-delivery-stop: the async tag fault stops at the access (history) and again before SEGV_MTEAERR is delivered', () => {
  const d = debuggee(ASYNC_S, 100_000);
  let out = '';
  d.on('output', o => { out += o.text; });
  d.exceptionFilters.set('tag-check-async', null);
  let s = go(d);
  assert.equal(s.reason, 'exception');
  if (s.reason !== 'exception') return;
  assert.equal(s.exception.rewound, true, 'the stop at the mismatching access is kept');
  assert.equal(s.exception.signal, undefined);
  const access = s.exception.pc;
  s = go(d);
  assert.equal(s.reason, 'exception');
  if (s.reason !== 'exception') return;
  const e = s.exception;
  assert.equal(e.filter, 'tag-check-async');
  assert.equal(e.atDelivery, true);
  assert.equal(e.rewound, undefined, 'not moved away from the delivery');
  assert.equal(e.signal?.name, 'SIGSEGV');
  assert.equal(e.signal?.codeName, 'SEGV_MTEAERR');
  assert.equal(e.signal?.addr, 0n);
  assert.equal(e.signal?.delivered, false);
  assert.equal(e.signal?.action, 'core');
  assert.equal(e.mismatch?.pc, access, 'the mismatch behind it');
  assert.equal(d.cpu.x[8], 64n, 'at the write system call that entered the kernel');
  assert.equal(e.pc, d.pc);
  assert.equal(out, 'after the async store\n', 'the write completed; the signal comes at its return');
  assert.equal(d.exited, null);
  const end = go(d);
  assert.equal(statusOf(end), '[null,11,true]');
  assert.equal(statusOf(end), bareRun(ASYNC_S).status);

  // The signal filter alone stops there too (filter 'signal'); a condition naming another signal does not.
  const d2 = debuggee(ASYNC_S, 0);
  d2.exceptionFilters.set('signal', null);
  s = go(d2);
  assert.equal(s.reason, 'exception');
  if (s.reason === 'exception') {
    assert.equal(s.exception.filter, 'signal');
    assert.equal(s.exception.signal?.codeName, 'SEGV_MTEAERR');
    assert.equal(s.exception.atDelivery, true);
  }
  const d3 = debuggee(ASYNC_S, 0);
  d3.exceptionFilters.set('signal', e => e.signal?.name === 'SIGUSR1');
  assert.equal(statusOf(go(d3)), '[null,11,true]');
});

test('signal-delivery-stop: a condition on the signal filter decides; ignored signals never stop', () => {
  const seen: string[] = [];
  const d = debuggee(SIGUSR1_S, 0);
  d.exceptionFilters.set('signal', e => { seen.push(e.signal!.name); return e.signal!.name === 'SIGABRT'; });
  const s = go(d);
  assert.equal(statusOf(s), '[10,null,false]');
  assert.deepEqual(seen, ['SIGUSR1'], 'asked once, before delivery');

  // SIGUSR1 set to SIG_IGN and SIGCHLD (ignored by default), both blocked, sent, then unblocked:
  // dequeued at rt_sigprocmask's return with the action "ignored". No stop.
  const dir = tmpDir('tv-sig-ignored');
  const src = readFileSync(SIGUSR1_S, 'utf8')
    .replace('adr     x9, on_usr1', 'mov     x9, #1')                       // SIG_IGN
    .replace(/(\s+add\s+sp, sp, #32\n)/, `$1        mov     x9, #(1 << 9)               // SIGUSR1 (bit 10 - 1)
        orr     x9, x9, #(1 << 16)          // SIGCHLD (bit 17 - 1)
        str     x9, [sp, #-16]!
        mov     x0, #0
        mov     x1, sp
        mov     x2, #0
        mov     x3, #8
        mov     x8, #135
        svc     #0                      // block SIGUSR1, SIGCHLD
        mov     x8, #SYS_getpid
        svc     #0
        mov     x1, #17
        mov     x8, #SYS_kill
        svc     #0                      // SIGCHLD: pending (blocked)
`)
    .replace(/(svc\s+#0\s+\/\/ SIGUSR1 is delivered when this returns\n)/, `$1        mov     x0, #1
        mov     x1, sp
        mov     x2, #0
        mov     x3, #8
        mov     x8, #135
        svc     #0                      // unblock: both dequeued here, both ignored
        add     sp, sp, #16
`);
  assert.ok(src.includes('#135') && src.includes('mov     x9, #1'));
  writeFileSync(join(dir, 'ignored.s'), src);
  const di = debuggee(join(dir, 'ignored.s'), 1000);
  const actions: string[] = [];
  di.proc.on('signal', e => actions.push(`${e.signo}:${e.action}`));
  di.exceptionFilters.set('signal', null);
  const end = go(di);
  assert.equal(end.reason, 'exited', JSON.stringify(end));
  assert.deepEqual(actions, ['10:ignored', '17:ignored'], 'both went through delivery');
  assert.equal(statusOf(end), '[0,null,false]');
});

test('signal-delivery-stop: stepIn enters the handler at its first instruction; next runs the handler and steps over the instruction', () => {
  const { d, out } = stoppingOnSignals(SIGUSR1_S);
  assert.equal(go(d).reason, 'exception');
  const at = d.position, pc0 = d.pc, sp0 = d.cpu.x[SP];
  assert.equal(go(d, { kind: 'stepIn', granularity: 'instruction' }).reason, 'step');
  assert.equal(d.pc, symbolAddress(d, 'on_usr1'), 'at the handler, not past its first instruction');
  assert.equal(d.position, at, 'no instruction ran');
  assert.equal(d.cpu.x[0], 10n);
  assert.ok(d.cpu.x[SP] < sp0, 'the signal frame is on the stack');
  assert.equal(d.proc.heldSignal, null);

  const d2 = debuggee(SIGUSR1_S, 100_000);
  let out2 = '';
  d2.on('output', o => { out2 += o.text; });
  d2.exceptionFilters.set('signal', null);
  assert.equal(go(d2).reason, 'exception');
  assert.equal(go(d2, { kind: 'next', granularity: 'instruction' }).reason, 'step');
  assert.equal(d2.pc, pc0 + 4, 'the handler ran, then the interrupted instruction');
  assert.equal(d2.cpu.x[SP], sp0, 'back on the interrupted stack');
  assert.equal(out2, 'in handler\n');
  assert.equal(statusOf(go(d2)), '[10,null,false]');
  assert.equal(statusOf(go(d)), '[10,null,false]');
  assert.equal(out(), 'in handler\nback in _start\n');
});

test('signal-delivery-stop with reverse execution: back and forward again stops at the same delivery, replay delivers without stopping', () => {
  const d = debuggee(SIGUSR1_S, 100_000);
  let out = '';
  d.on('output', o => { out += o.text; });
  // The filter's condition is asked only when execution really reaches the delivery, never while
  // the history re-executes (replay, the reverseContinue scan).
  let asked = 0;
  d.exceptionFilters.set('signal', () => { asked++; return true; });
  let s = go(d);
  assert.equal(s.reason, 'exception');
  assert.equal(asked, 1);
  const at = d.position, dig = digest(d);
  // Back a few instructions, then forward: the same stop, the same state.
  for (let i = 0; i < 3; i++) assert.equal(d.stepBack('instruction').reason, 'step');
  assert.equal(d.position, at - 3);
  assert.equal(d.proc.heldSignal, null);
  s = go(d);
  assert.equal(s.reason, 'exception');
  if (s.reason === 'exception') assert.equal(s.exception.signal?.name, 'SIGUSR1');
  assert.equal(d.position, at);
  assert.equal(digest(d), dig);
  // Going to the stop's own position keeps the signal held (the checkpoint taken at the stop).
  assert.equal(d.goToPosition(at), undefined);
  assert.equal((d.proc as LinuxProcess).heldSignal?.signo, 10);
  assert.equal(digest(d), dig);
  const end = go(d);
  assert.equal(statusOf(end), '[10,null,false]');
  assert.equal(out, 'in handler\nback in _start\n', 'nothing repeated, nothing lost');
  const last = d.position;
  // Replaying across the delivery (going to positions inside the handler and after it) is silent and
  // reaches exactly the states of a run without the debugger.
  for (const p of [last - 1, at + 3, at + 1, at - 1, 2]) {
    assert.equal(d.goToPosition(p), undefined);
    assert.equal(d.position, p);
    assert.equal(digest(d), reference(SIGUSR1_S, p), `state at ${p}`);
  }
  // Forward across the delivery by re-execution (goTo within what was executed): silent.
  assert.equal(d.goToPosition(at + 2), undefined);
  assert.equal(digest(d), reference(SIGUSR1_S, at + 2));
  assert.equal(d.goToPosition(at - 1), undefined);
  assert.equal(asked, 2, 'replay did not ask');
  // From before the delivery, continuing stops there again (not muted any more).
  s = go(d);
  assert.equal(s.reason, 'exception');
  assert.equal(asked, 3);
  assert.equal(d.position, at);
  assert.equal(digest(d), dig);
  assert.equal(statusOf(go(d)), '[10,null,false]');
  assert.equal(out, 'in handler\nback in _start\n');
  // reverseContinue from the end with no breakpoints: back to the start of the history (the scan
  // re-executes the delivery without asking); then continuing stops at the delivery once more.
  assert.equal(d.reverseContinue().reason, 'history start');
  assert.equal(asked, 3);
  assert.equal(go(d).reason, 'exception');
  assert.equal(asked, 4);
  assert.equal(d.position, at);
  assert.equal(statusOf(go(d)), '[10,null,false]');
  assert.equal(out, 'in handler\nback in _start\n');
});

test('reverse execution reproduces the exact machine state across signal deliveries (sigusr1.s handler and return, abort.s death)', () => {
  checkHistory(SIGUSR1_S, 12, 7);
  checkHistory(ABORT_S, 8, 8);
});

test('LinuxProcess.signalTracer: a held signal stays dequeued, survives snapshot/restore, and the next run/step delivers it without asking again', () => {
  const program = debuggee(SIGUSR1_S, 0).program;
  const p = new LinuxProcess(program.elf, { path: program.path, argv: [program.path], seed: 3, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.on('stdout', b => { out += Buffer.from(b).toString('utf8'); });
  const offers: string[] = [];
  p.signalTracer = d => { offers.push(`${d.info.signo} ${d.action} ${d.handler?.toString(16)} ${d.pc.toString(16)}`); return true; };
  const handler = Number(program.elf.symbols.find(s => s.name === 'on_usr1')!.value);
  assert.deepEqual(p.run(), { reason: 'stopped' });
  assert.deepEqual(offers, [`10 handler ${handler.toString(16)} ${p.cpu.pc.toString(16)}`]);
  assert.equal(p.heldSignal?.signo, 10);
  assert.equal(p.pendingMask, 0n);
  assert.equal(out, '');
  const snap = p.snapshot();
  const exit = (r: ReturnType<LinuxProcess['run']>) => (r.reason === 'exit' ? r.status.code : r.reason);
  assert.equal(exit(p.run()), 10);
  assert.equal(out, 'in handler\nback in _start\n');
  assert.equal(offers.length, 1, 'not offered twice');
  // A snapshot taken at the stop holds the signal too.
  p.restore(snap);
  assert.equal(p.heldSignal?.signo, 10);
  assert.deepEqual(p.run(0), { reason: 'limit' }, 'run(0) only delivers');
  assert.equal(p.cpu.pc, handler);
  assert.equal(p.heldSignal, null);
  p.restore(snap);
  const st = p.step();
  assert.equal(st.retired, true);
  assert.equal(p.cpu.pc, handler + 4, 'delivered, then the handler\'s first instruction');
  out = '';
  assert.equal(exit(p.run()), 10);
  assert.equal(out, 'in handler\nback in _start\n');
  assert.equal(offers.length, 1);
});

test('the signal filter alone: a sync tag check fault stops at the faulting instruction (not after delivery), SIGKILL is reported after the fact', () => {
  const d = debuggee(join(REPO, 'examples', 'use-after-free.s'), 1000);
  d.exceptionFilters.set('signal', null);
  let s = go(d);
  assert.equal(s.reason, 'exception');
  if (s.reason !== 'exception') return;
  assert.equal(s.exception.filter, 'signal');
  assert.equal(s.exception.fault?.kind, 'tagcheck');
  assert.equal(s.exception.signal?.codeName, 'SEGV_MTESERR');
  assert.equal(s.exception.signal?.delivered, false);
  assert.equal(d.pc, s.exception.pc, 'at the faulting instruction');
  assert.equal(d.exited, null);
  s = go(d);
  assert.equal(statusOf(s), '[null,11,true]', 'delivered once: no second stop');

  // kill(getpid(), SIGKILL) is never dequeued (no delivery stop): reported once the process is gone.
  const dir = tmpDir('tv-sig-kill');
  const src = readFileSync(ABORT_S, 'utf8').replace('mov     x2, #SIGABRT', 'mov     x2, #9');
  assert.ok(src.includes('#9'));
  writeFileSync(join(dir, 'kill.s'), src);
  const dk = debuggee(join(dir, 'kill.s'), 1000);
  dk.exceptionFilters.set('signal', null);
  s = go(dk);
  assert.equal(s.reason, 'exception');
  if (s.reason === 'exception') {
    assert.equal(s.exception.signal?.name, 'SIGKILL');
    assert.equal(s.exception.signal?.delivered, true);
    assert.equal(s.exception.atDelivery, undefined);
  }
  assert.notEqual(dk.exited, null);
  assert.equal(statusOf(go(dk)), '[null,9,false]');
});
