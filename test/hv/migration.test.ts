// Live migration: pre-copy rounds from the dirty log, tags with KVM_ARM_MTE_COPY_TAGS, the vCPU
// state, the destination continuing; in process, through the byte stream (memory, file, socket);
// the verification pass; the broken "without tags" VMM; stream format errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CpuState } from '../../emulator/cpu/state';
import { PAGE_SIZE } from '../../emulator/memory';
import {
  ByteReader, ByteWriter, HvEventBus, MigrationTarget, StreamFormatError, StreamWriter, decodeMigrationStream,
  incomingFromFile, loadCpuRegisters, migrateInProcess, migrateToFile, migrateViaFile, migrateViaMemoryStream,
  migrateViaSocket, peekGuestPage, precopy, saveCpuRegisters, syntheticGuestFactory, completeMigration,
  type SyntheticGuest, type Vmm, type MigrationSink,
} from '../../emulator/hv';
import { expectErr, expectOk, MiB, RAM, vmmFrom } from './helpers';

const OPTS = { iterations: 5000, heapPages: 8, seed: 1234 };
const factory = syntheticGuestFactory(OPTS);

/** Boots a guest and runs it for n instructions. */
function started(n: number, desc: Record<string, unknown> = {}, events?: HvEventBus) {
  const vmm = vmmFrom(desc, events ? { events } : {});
  const guest = factory(vmm.vm, 'boot');
  vmm.vcpu.attach(guest);
  const e = vmm.vcpu.run(n);
  assert.equal(e.reason, 'intr');
  return { vmm, guest };
}

/** The reference: the same guest without migration. */
function reference(): { status: number; regs: bigint[]; heap: (Uint8Array | null)[]; gpns: number[] } {
  const vmm = vmmFrom();
  const r = vmm.run(factory);
  assert.deepEqual(r.exit, { reason: 'shutdown', status: 0 });
  const g = r.guest as SyntheticGuest;
  return { status: 0, regs: [...g.cpu.x.slice(0, 6)], heap: g.gpns.map(p => peekGuestPage(vmm, p).data), gpns: g.gpns };
}
const REF = reference();

function finishAndCompare(vmm: Vmm, guest: SyntheticGuest) {
  const r = vmm.resume(guest, factory);
  assert.deepEqual(r.exit, { reason: 'shutdown', status: 0 }, (r.guest as SyntheticGuest).lastError);
  const g = r.guest as SyntheticGuest;
  assert.deepEqual([...g.cpu.x.slice(0, 6)], REF.regs, 'registers as without migration');
  assert.deepEqual(g.gpns, REF.gpns);
  g.gpns.forEach((p, i) => assert.deepEqual(peekGuestPage(r.vmm, p).data, REF.heap[i], `page ${p.toString(16)}`));
}

test('in-process live migration: pre-copy rounds, stop-and-copy, verification, guest continues', () => {
  const events = new HvEventBus(10000);
  const { vmm, guest } = started(1500, {}, events);
  const res = migrateInProcess(vmm, guest, factory, { roundInsns: 200, maxRounds: 3, stopPages: 0 });
  const m = expectOk(res);
  assert.notEqual(m.vmm, vmm);
  assert.notEqual(m.vmm.host, vmm.host, 'a different host');
  assert.equal(vmm.vm.destroyed, true);
  assert.equal(m.report.rounds.length, 5, 'round 0, 3 pre-copy rounds, stop-and-copy');
  assert.equal(m.report.rounds[0].pages, 9, 'code + 8 heap pages');
  assert.ok(m.report.rounds[1].pages > 0 && m.report.rounds[1].pages <= 8, 'dirty pages only');
  assert.ok(m.report.rounds.slice(1).every(r => r.taggedPages <= r.pages));
  assert.deepEqual(m.report.verify, { pages: 9, dataMismatches: 0, tagMismatches: 0, first: [] });
  const kinds = events.recent.map(e => e.kind);
  assert.equal(kinds.filter(k => k === 'migration-round').length, 5);
  assert.ok(kinds.includes('migration-complete') && kinds.includes('migration-verify'));
  assert.ok(events.recent.some(e => e.kind === 'copy-tags' && /TO_GUEST/.test(e.reason) && e.vm === m.vmm.vm.name));
  assert.equal(m.guest.pc, guest.pc);
  assert.equal(m.guest.insns, guest.insns);
  finishAndCompare(m.vmm, m.guest as SyntheticGuest);
});

test('writes by the VMM during pre-copy (DMA) are resent from its own dirty bitmap', () => {
  const { vmm, guest } = started(800);
  let n = 0;
  const m = expectOk(migrateInProcess(vmm, guest, factory, {
    maxRounds: 2, stopPages: 0, roundInsns: 100,
    step: k => { if (n++ === 0) expectOk(vmm.dmaWrite(RAM + 64 * PAGE_SIZE, new Uint8Array([5, 6, 7]))); return vmm.vcpu.run(k); },
  }));
  assert.deepEqual([...expectOk(m.vmm.dmaRead(RAM + 64 * PAGE_SIZE, 3))], [5, 6, 7]);
  assert.equal(m.report.verify!.dataMismatches, 0);
});

test('through the byte stream in memory, a file and a loopback socket', async () => {
  const a = started(900);
  const m1 = expectOk(migrateViaMemoryStream(a.vmm, a.guest, factory, { roundInsns: 150 }));
  assert.equal(m1.report.verify!.dataMismatches + m1.report.verify!.tagMismatches, 0);
  assert.ok(m1.streamBytes > 9 * PAGE_SIZE);
  finishAndCompare(m1.vmm, m1.guest as SyntheticGuest);

  const dir = mkdtempSync(join(tmpdir(), 'tagvisor-mig-'));
  try {
    const b = started(700);
    const file = join(dir, 'vm.mig');
    const m2 = expectOk(migrateViaFile(b.vmm, b.guest, factory, file, { roundInsns: 150 }));
    assert.equal(readFileSync(file).length, m2.streamBytes);
    assert.equal(m2.report.verify!.tagMismatches, 0);
    finishAndCompare(m2.vmm, m2.guest as SyntheticGuest);
  } finally { rmSync(dir, { recursive: true, force: true }); }

  const c = started(1100);
  const m3 = expectOk(await migrateViaSocket(c.vmm, c.guest, factory, { roundInsns: 150 }));
  assert.equal(m3.report.verify!.dataMismatches + m3.report.verify!.tagMismatches, 0);
  finishAndCompare(m3.vmm, m3.guest as SyntheticGuest);
});

test('"migrate without tags": data arrives, tags do not, and the guest takes tag check faults on the destination', () => {
  const { vmm, guest } = started(2500);
  const m = expectOk(migrateInProcess(vmm, guest, factory, { withoutTags: true }));
  assert.equal(m.report.withoutTags, true);
  assert.equal(m.report.verify!.dataMismatches, 0);
  assert.ok(m.report.verify!.tagMismatches > 0, 'tags differ on the destination');
  assert.ok(m.report.rounds.every(r => r.taggedPages === 0));
  const r = m.vmm.resume(m.guest, factory);
  assert.deepEqual(r.exit, { reason: 'shutdown', status: 139 });
  assert.match((r.guest as SyntheticGuest).lastError, /SEGV_MTESERR.*allocation tag 0/);
  assert.ok(m.vmm.vm.stats.sanitised > 0, 'pages without tags were sanitised to 0 at their first fault');
});

test('--migrate-every in the VMM loop (byte stream and direct), with and without tags', () => {
  for (const via of ['stream', 'direct'] as const) {
    const r = vmmFrom().run(factory, { migrateEvery: 3000, migrateVia: via });
    assert.deepEqual(r.exit, { reason: 'shutdown', status: 0 }, (r.guest as SyntheticGuest).lastError);
    assert.ok(r.migrations >= 4, `${via}: ${r.migrations} migrations`);
    assert.deepEqual([...(r.guest as SyntheticGuest).cpu.x.slice(0, 6)], REF.regs);
  }
  const bad = vmmFrom().run(factory, { migrateEvery: 3000, migrateWithoutTags: true });
  // The first tag-dependent operation after the migration fails: an LDG that reads 0 (status 99)
  // or a tag-checked access that faults (139).
  assert.equal(bad.exit.reason, 'shutdown');
  assert.ok([99, 139].includes((bad.exit as { status: number }).status));
  assert.match((bad.guest as SyntheticGuest).lastError, /LDG .* returned 0|allocation tag 0/);
});

test('swapped-out pages are migrated (read back through swap) with their tags', () => {
  const { vmm, guest } = started(1500);
  assert.ok(vmm.swapOutAll() >= 9);
  const m = expectOk(migrateInProcess(vmm, guest, factory));
  assert.deepEqual(m.report.verify, { pages: 9, dataMismatches: 0, tagMismatches: 0, first: [] });
  finishAndCompare(m.vmm, m.guest as SyntheticGuest);
});

test('the destination turns on dirty logging only after tags are in (TO_GUEST would be -EBUSY)', () => {
  const { vmm, guest } = started(1000, { memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'anon', dirtyLog: true }] });
  const m = expectOk(migrateInProcess(vmm, guest, factory));
  assert.equal(m.vmm.vm.nrMemslotsDirtyLogging, 1);
  expectErr(m.vmm.vm.copyMteTags({ guestIpa: RAM, length: PAGE_SIZE, buffer: new Uint8Array(256), flags: 0 }), 'EBUSY');
  finishAndCompare(m.vmm, m.guest as SyntheticGuest);
});

test('migration blockers and a guest that stops during pre-copy', () => {
  const dev = vmmFrom({ mte: false, memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'anon' }, { name: 'bar', gpa: 0x1000_0000, size: MiB, backing: 'pfnmap', ram: false }] });
  const g = syntheticGuestFactory()(dev.vm, 'boot');
  expectErr(migrateInProcess(dev, g, factory), 'EBUSY', /VM_PFNMAP device memory \(bar\) cannot be dirty-logged/);
  // The guest finishes while pre-copy runs: migration is cancelled, the source keeps the VM.
  const { vmm, guest } = started(10);
  const r = migrateInProcess(vmm, guest, syntheticGuestFactory(OPTS), { roundInsns: 1e9 });
  assert.equal(r.ok, false);
  assert.deepEqual((r as { exit?: unknown }).exit, { reason: 'shutdown', status: 0 });
  assert.equal(vmm.vm.destroyed, false);
  assert.equal(vmm.vm.nrMemslotsDirtyLogging, 0, 'dirty logging switched off again');
});

function streamOf(n = 500): Uint8Array {
  const { vmm, guest } = started(n);
  const chunks: Uint8Array[] = [];
  const w = new StreamWriter(c => chunks.push(c), 4096);
  const r = precopy(vmm, guest, w, { maxRounds: 1 });
  assert.ok(r.ok);
  return new Uint8Array(Buffer.concat(chunks)); // a real copy: Buffer#slice would share memory
}

test('stream format: records decode back; corruptions are errors naming the offset', () => {
  const bytes = streamOf();
  assert.equal(Buffer.from(bytes.subarray(0, 8)).toString(), 'TGVMIG01');
  const seen: string[] = [];
  const spy: MigrationSink = {
    header: h => seen.push(`header tags=${h.withTags}`), page: g => seen.push(`page ${g}`), zero: g => seen.push(`zero ${g}`),
    roundEnd: r => seen.push(`round ${r}`), vcpu: s => seen.push(`vcpu ${s.length > 0}`), end: () => seen.push('end'),
  };
  decodeMigrationStream(bytes, spy);
  assert.equal(seen[0], 'header tags=true');
  assert.equal(seen.at(-1), 'end');
  assert.equal(seen.filter(s => s.startsWith('round')).length, 2, 'round 0 and the stop-and-copy');
  const sink = () => new MigrationTarget(factory);
  const bad = (mut: (b: Uint8Array) => Uint8Array, re: RegExp) => {
    assert.throws(() => decodeMigrationStream(mut(bytes.slice()), sink()), (e: unknown) => e instanceof StreamFormatError && re.test(e.message));
  };
  bad(b => { b[0] = 0x58; return b; }, /offset 0 \(0x0\): bad magic "XGVMIG01"/);
  bad(b => { b[8] = 2; return b; }, /offset 8 .*unsupported version 2/);
  bad(b => b.subarray(0, b.length - 2), /stream truncated \(before the CRC\)/);
  bad(b => b.subarray(0, 5000), /stream truncated \(before the END record\)/);
  bad(b => { b[b.length - 100] ^= 1; return b; }, /CRC-32 mismatch/);
  const hdrLen = 24 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(20, true);
  bad(b => { b[hdrLen] = 0x7f; return b; }, new RegExp(`offset ${hdrLen} .*unknown record type 0x7f`));
  bad(b => { b[30] = 0x21; return b; }, /offset 24 .*(header config is not JSON|migration stream header\.config)/);
});

test('file transport in two halves (the destination could be another process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tagvisor-mig-'));
  try {
    const { vmm, guest } = started(1200);
    const file = join(dir, 'x.mig');
    const w = expectOk(migrateToFile(vmm, guest, file));
    const target = incomingFromFile(file, factory);
    const m = completeMigration(vmm, target, w.report);
    assert.equal(m.report.verify!.tagMismatches, 0);
    finishAndCompare(m.vmm, m.guest as SyntheticGuest);
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    assert.throws(() => incomingFromFile(file, factory), StreamFormatError);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('vCPU register image: every MTE register round-trips; truncation is an error with the offset', () => {
  const a = new CpuState();
  a.x[0] = 0xdeadbeefn; a.x[30] = 0x1234n; a.sp = 0x7fff_0000n; a.pc = 0x400abc;
  a.nzcv = 0x6000_0000; a.tco = 1; a.fpcr = 0x0300_0000; a.fpsr = 0x10; a.v[5] = 99n; a.tpidr = 0xaan;
  a.tcf0 = 3; a.gcrExclude = 0x8001; a.gcrRrnd = 1; a.rgsr = 0x12_3405; a.tfsre0 = 1; a.ata = false; a.steps = 12345;
  const w = new ByteWriter();
  saveCpuRegisters(a, w);
  const b = new CpuState();
  loadCpuRegisters(b, new ByteReader(w.done()));
  for (const k of ['pc', 'nzcv', 'tco', 'fpcr', 'fpsr', 'tpidr', 'tcf0', 'gcrExclude', 'gcrRrnd', 'rgsr', 'tfsre0', 'ata', 'steps'] as const) assert.equal(b[k], a[k], k);
  assert.deepEqual([...b.x], [...a.x]);
  assert.deepEqual([...b.v], [...a.v]);
  assert.throws(() => loadCpuRegisters(new CpuState(), new ByteReader(w.done().subarray(0, 50), 'regs')), /regs: truncated at offset 48/);
});
