// Private guest memory: guest_memfd slots, KVM_SET_MEMORY_ATTRIBUTES, the shared bit, memory-fault
// exits, the VMM's conversion (kvm_convert_memory) and its access policy for private pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE } from '../../emulator/memory';
import {
  HvError, HvEventBus, KVM_EXIT_MEMORY_FAULT, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_MEMORY_EXIT_FLAG_PRIVATE, migrateInProcess,
  syntheticGuestFactory, type SyntheticGuest,
} from '../../emulator/hv';
import { expectErr, expectOk, fault, guestView, MiB, RAM, vmmFrom } from './helpers';

const protectedVm = (extra: Record<string, unknown> = {}, opts = {}) => vmmFrom({
  type: 'protected', mte: false,
  memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'anon', guestMemfd: true }, { name: 'plain', gpa: RAM + MiB, size: MiB, backing: 'anon' }],
  private: [{ gpa: RAM, size: '64K' }],
  ...extra,
}, opts);

test('private and shared views of the same gfn are different memory; the shared bit is the top IPA bit', () => {
  const vmm = protectedVm();
  const sb = vmm.vm.sharedGpnBit;
  assert.equal(sb * PAGE_SIZE, 2 ** 39, 'ipaBits 40 -> bit 39');
  const { mmu, map } = guestView(vmm);
  map(16, RAM);                         // private access to a private gfn
  map(17, RAM + 32 * PAGE_SIZE);        // private gfn (inside the 64K range)
  mmu.write64(BigInt(16 * PAGE_SIZE), 0xabcn, false);
  assert.deepEqual(vmm.vm.stage2(RAM / PAGE_SIZE), { writable: true, tagCapable: false, memType: 'normal', exec: true, private: true });
  // The page is in guest_memfd, not in the VMM's mapping.
  const hva = vmm.region('ram')!.hva;
  assert.equal(vmm.mm.peek(hva)!.entry, undefined);
  // Shared gfn through the shared alias: the VMM's memory.
  map(18, (RAM / PAGE_SIZE + 100 + sb) * PAGE_SIZE);
  mmu.write64(BigInt(18 * PAGE_SIZE), 7n, false);
  assert.equal(expectOk(vmm.dmaRead(RAM + 100 * PAGE_SIZE, 8))[0], 7);
});

test('wrong-kind accesses exit with KVM_EXIT_MEMORY_FAULT (gpa, size, PRIVATE flag) when the VMM handles exits itself', () => {
  const events = new HvEventBus(100);
  const vmm = protectedVm({}, { autoConvert: false, events });
  const sb = vmm.vm.sharedGpnBit;
  const { mmu, map, ctl } = guestView(vmm);
  ctl.pc = 0x4242;
  map(16, (RAM / PAGE_SIZE + 3 + sb) * PAGE_SIZE);   // shared access to private gfn 3
  map(17, RAM + 200 * PAGE_SIZE);                      // private access to shared gfn 200
  const f = fault(() => mmu.read8(BigInt(16 * PAGE_SIZE), false));
  assert.equal(f.kind, 'external');
  assert.match(f.detail, /KVM_EXIT_MEMORY_FAULT: shared access to a gfn whose attribute is private/);
  assert.deepEqual(vmm.vm.takePendingExit(), {
    reason: 'memory_fault', exitReason: KVM_EXIT_MEMORY_FAULT, ret: -14, gpa: RAM + 3 * PAGE_SIZE, size: PAGE_SIZE, flags: 0, private: false, pc: 0x4242,
  });
  fault(() => mmu.write8(BigInt(17 * PAGE_SIZE), 1, false));
  const e2 = vmm.vm.takePendingExit();
  assert.ok(e2 && e2.reason === 'memory_fault');
  assert.equal(e2.flags, KVM_MEMORY_EXIT_FLAG_PRIVATE);
  assert.equal(e2.gpa, RAM + 200 * PAGE_SIZE);
  const ev = events.recent.filter(e => e.kind === 'memory-fault-exit');
  assert.equal(ev.length, 2);
  assert.equal(ev[0].pc, 0x4242);
  // The VMM converts and the access succeeds on retry.
  expectOk(vmm.convert(e2.gpa, e2.size, e2.private));
  mmu.write8(BigInt(17 * PAGE_SIZE), 1, false);
  assert.equal(vmm.vm.isPrivate(RAM / PAGE_SIZE + 200), true);
});

test('conversion discards the other backing (shared pages dropped; guest_memfd hole punched)', () => {
  const events = new HvEventBus(100);
  const vmm = protectedVm({}, { events });
  const sb = vmm.vm.sharedGpnBit;
  const gfn = RAM / PAGE_SIZE + 150;
  expectOk(vmm.dmaWrite(gfn * PAGE_SIZE, new Uint8Array([9, 9, 9])));   // shared data
  const { mmu, map } = guestView(vmm);
  map(16, gfn * PAGE_SIZE);               // private access: converts (QEMU converts automatically)
  assert.equal(mmu.read8(BigInt(16 * PAGE_SIZE), false), 0, 'private page starts empty');
  assert.equal(vmm.vm.isPrivate(gfn), true);
  expectErr(vmm.dmaRead(gfn * PAGE_SIZE, 3), 'EACCES');
  const conv = events.recent.filter(e => e.kind === 'conversion');
  assert.ok(conv.some(e => e.detail?.private === true));
  const disc = events.recent.find(e => e.kind === 'discard')!;
  assert.equal(disc.detail?.discarded, 1, 'the shared page was dropped');
  mmu.write8(BigInt(16 * PAGE_SIZE), 5, false);
  // Back to shared through the shared alias: the private page is punched out, shared starts at zero.
  map(17, (gfn + sb) * PAGE_SIZE);
  assert.equal(mmu.read8(BigInt(17 * PAGE_SIZE), false), 0);
  assert.equal(vmm.vm.isPrivate(gfn), false);
  assert.equal(events.recent.filter(e => e.kind === 'discard').at(-1)!.detail?.discarded, 1);
  // And private again: the old private data (5) is gone.
  assert.equal(mmu.read8(BigInt(16 * PAGE_SIZE), false), 0);
});

test('converting memory without guest_memfd to private is refused and the exit reaches the VMM loop', () => {
  const vmm = protectedVm();
  const { mmu, map } = guestView(vmm);
  map(16, RAM + MiB);   // private access to the plain (non-guest_memfd) slot
  fault(() => mmu.read8(BigInt(16 * PAGE_SIZE), false));
  const e = vmm.vm.takePendingExit();
  assert.ok(e && e.reason === 'memory_fault' && e.private);
  expectErr(vmm.convert(RAM + MiB, PAGE_SIZE, true), 'EINVAL', /Cannot convert non guest_memfd backed memory region to private/);
});

test('VMM access policy: DMA never reaches private memory; debug only with the debug policy', () => {
  const deny = protectedVm();
  const { mmu, map } = guestView(deny);
  map(16, RAM);
  mmu.write32(BigInt(16 * PAGE_SIZE), 0x11223344, false);
  expectErr(deny.dmaRead(RAM, 4), 'EACCES', /is private: its contents live in guest_memfd/);
  expectErr(deny.dmaWrite(RAM, new Uint8Array(4)), 'EACCES');
  expectErr(deny.debugRead(RAM, 4), 'EPERM', /debug policy does not allow .*"debug": "allow"/);
  expectErr(deny.debugWrite(RAM, new Uint8Array(4)), 'EPERM');
  // Shared pages of the same slot are fine.
  assert.equal(expectOk(deny.debugRead(RAM + 100 * PAGE_SIZE, 4)).length, 4);
  const allow = protectedVm({ debug: 'allow' });
  const g2 = guestView(allow);
  g2.map(16, RAM);
  g2.mmu.write32(BigInt(16 * PAGE_SIZE), 0x11223344, false);
  assert.deepEqual([...expectOk(allow.debugRead(RAM, 4))], [0x44, 0x33, 0x22, 0x11]);
  expectOk(allow.debugWrite(RAM + 1, new Uint8Array([0xaa])));
  assert.equal(g2.mmu.read32(BigInt(16 * PAGE_SIZE), false), 0x1122aa44);
  expectErr(allow.dmaRead(RAM, 4), 'EACCES', /DMA'd/);
});

test('KVM_SET_MEMORY_ATTRIBUTES validation', () => {
  const vmm = protectedVm();
  const vm = vmm.vm;
  expectErr(vm.setMemoryAttributes(RAM, PAGE_SIZE, KVM_MEMORY_ATTRIBUTE_PRIVATE, 1), 'EINVAL', /flags: must be 0/);
  expectErr(vm.setMemoryAttributes(RAM, PAGE_SIZE, 1), 'EINVAL', /attributes: 0x1 not supported/);
  expectErr(vm.setMemoryAttributes(RAM + 1, PAGE_SIZE, 0), 'EINVAL', /address: 0x40000001 is not page aligned/);
  expectErr(vm.setMemoryAttributes(RAM, 100, 0), 'EINVAL', /size: 0x64 is not page aligned/);
  expectErr(vm.setMemoryAttributes(RAM, 0, 0), 'EINVAL', /size/);
  expectErr(vmmFrom().vm.setMemoryAttributes(RAM, PAGE_SIZE, KVM_MEMORY_ATTRIBUTE_PRIVATE), 'EINVAL', /not supported by this VM \(supported: 0x0\)/);
  // Attributes are per gfn, independent of memslots (a hole can be marked private).
  expectOk(vm.setMemoryAttributes(0x1000_0000, PAGE_SIZE, KVM_MEMORY_ATTRIBUTE_PRIVATE));
  assert.equal(vm.isPrivate(0x1000_0000 / PAGE_SIZE), true);
});

test('private pages are unevictable, and a VM with private pages cannot be migrated', () => {
  const vmm = protectedVm();
  const { mmu, map } = guestView(vmm);
  map(16, RAM);
  mmu.write8(BigInt(16 * PAGE_SIZE), 1, false);
  expectErr(vmm.swapOut(RAM), 'EINVAL', /guest_memfd pages are unevictable/);
  const r = migrateInProcess(vmm, syntheticGuestFactory()(vmm.vm, 'boot'), syntheticGuestFactory());
  assert.equal(r.ok, false);
  if (!r.ok) { assert.equal(r.errno, 'EBUSY'); assert.match(r.message, /private page\(s\): guest_memfd contents cannot be read/); }
});

test('MTE together with private memory is refused with a clear error naming the field', () => {
  assert.throws(() => protectedVm({ mte: true }), (e: unknown) => e instanceof HvError && /^vm\.mte: KVM_ENABLE_CAP: KVM_CAP_ARM_MTE: MTE together with private memory \(guest_memfd\) is not supported/.test(e.message));
});

test('a guest running from private memory: implicit conversions on first touch, status 0', () => {
  const events = new HvEventBus(10000);
  const vmm = protectedVm({ private: [] }, { events });
  const r = vmm.run(syntheticGuestFactory({ iterations: 300, heapPages: 4, seed: 3, sharedHeap: false }));
  assert.deepEqual(r.exit, { reason: 'shutdown', status: 0 }, (r.guest as SyntheticGuest).lastError);
  assert.equal(vmm.vm.stats.memoryFaultExits, 5, 'code page + 4 heap pages converted once each');
  assert.equal(events.recent.filter(e => e.kind === 'conversion').length, 5);
  assert.equal(vmm.vm.privateGfns.size, 5);
  // Without automatic conversion, KVM_RUN hands the exit to the caller; convert and resume.
  const manual = protectedVm({ private: [] }, { autoConvert: false });
  const factory = syntheticGuestFactory({ iterations: 300, heapPages: 4, seed: 3 });
  let res = manual.run(factory);
  let exits = 0;
  while (res.exit.reason === 'memory_fault') {
    exits++;
    expectOk(manual.convert(res.exit.gpa, res.exit.size, res.exit.private));
    res = manual.resume(res.guest, factory);
  }
  assert.equal(exits, 5);
  assert.deepEqual(res.exit, { reason: 'shutdown', status: 0 });
});
