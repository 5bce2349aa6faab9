// The VMM's access paths: DMA (no tag checks, no tag changes, dirty for migration) and debug
// (ignores tags; reads/writes tags explicitly, through PROT_MTE or KVM_ARM_MTE_COPY_TAGS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE } from '../../emulator/memory';
import { HvEventBus, KVM_MEM_LOG_DIRTY_PAGES } from '../../emulator/hv';
import { expectErr, expectOk, guestView, MiB, RAM, tagged, vmmFrom } from './helpers';

test('DMA writes data without checking or changing tags, and is seen by the guest', () => {
  const vmm = vmmFrom();
  const { mmu, map } = guestView(vmm);
  map(16, RAM);
  mmu.storeTags(tagged(16 * PAGE_SIZE, 6), 4, 6, false);
  mmu.write64(tagged(16 * PAGE_SIZE, 6), 1n, true);
  expectOk(vmm.dmaWrite(RAM + 8, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])));   // "wrong" pointer tag is irrelevant
  assert.equal(mmu.read64(tagged(16 * PAGE_SIZE + 8, 6), true), 0x0807060504030201n);
  assert.equal(mmu.loadTag(BigInt(16 * PAGE_SIZE)), 6, 'tags untouched');
  assert.deepEqual([...expectOk(vmm.dmaRead(RAM, 9))], [1, 0, 0, 0, 0, 0, 0, 0, 1]);
  // Across a page boundary and into a never-touched page (read: zeros without allocating).
  const before = vmm.host.stats().residentPages;
  assert.equal(expectOk(vmm.dmaRead(RAM + PAGE_SIZE - 2, 8)).length, 8);
  assert.equal(vmm.host.stats().residentPages, before);
});

test('DMA through a PROT_MTE VMM mapping is still unchecked (the VMM runs it with TCO set)', () => {
  const vmm = vmmFrom({ memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'memfd', prot_mte: true }] });
  const { mmu, map } = guestView(vmm);
  map(16, RAM);
  mmu.storeTags(tagged(16 * PAGE_SIZE, 3), 1, 3, false);
  expectOk(vmm.dmaWrite(RAM, new Uint8Array([42])));
  assert.equal(mmu.read8(tagged(16 * PAGE_SIZE, 3), true), 42);
  assert.equal(mmu.loadTag(BigInt(16 * PAGE_SIZE)), 3);
});

test('the VMM\'s first touch through a PROT_MTE mapping initialises tags (mte_sync_tags); KVM then keeps them', () => {
  const events = new HvEventBus(100);
  const vmm = vmmFrom({ memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'anon', prot_mte: true }] }, { events });
  expectOk(vmm.debugWriteTags(RAM, new Uint8Array([9, 8])));     // STG through the VMM's mapping
  const { mmu, map } = guestView(vmm);
  map(16, RAM);
  assert.equal(mmu.loadTag(BigInt(16 * PAGE_SIZE)), 9);
  assert.equal(mmu.loadTag(BigInt(16 * PAGE_SIZE + 16)), 8);
  const s = events.recent.filter(e => e.kind === 'sanitise');
  assert.equal(s.length, 1);
  assert.match(s[0].reason, /mte_sync_tags/);
});

test('debug reads and writes ignore tags; debug tag access uses COPY_TAGS without PROT_MTE', () => {
  const vmm = vmmFrom();
  const { mmu, map } = guestView(vmm);
  map(16, RAM);
  mmu.storeTags(tagged(16 * PAGE_SIZE, 2), 2, 2, false);
  expectOk(vmm.debugWrite(RAM + 4, new Uint8Array([0xde, 0xad])));
  assert.equal(mmu.read16(tagged(16 * PAGE_SIZE + 4, 2), true), 0xadde);
  assert.deepEqual([...expectOk(vmm.debugReadTags(RAM, 4))], [2, 2, 0, 0]);
  expectOk(vmm.debugWriteTags(RAM + 16, new Uint8Array([0xf, 0x1, 0x2])));
  assert.deepEqual([...expectOk(vmm.debugReadTags(RAM, 4))], [2, 0xf, 1, 2]);
  assert.equal(mmu.loadTag(BigInt(16 * PAGE_SIZE + 16)), 0xf);
  expectErr(vmm.debugReadTags(RAM + 8, 1), 'EINVAL', /not 16-byte aligned/);
  // Across pages: the second page has never been tagged: zeros.
  assert.deepEqual([...expectOk(vmm.debugReadTags(RAM + PAGE_SIZE - 32, 4))], [0, 0, 0, 0]);
  expectErr(vmmFrom({ mte: false }).debugReadTags(RAM, 1), 'EINVAL', /does not have MTE/);
});

test('while dirty logging, tag writes need PROT_MTE (COPY_TAGS TO_GUEST is -EBUSY); every VMM write is marked dirty', () => {
  const vmm = vmmFrom();
  const hva = vmm.region('ram')!.hva;
  expectOk(vmm.vm.setUserMemoryRegion2({ slot: 0, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: RAM, memorySize: MiB, userspaceAddr: hva }));
  expectErr(vmm.debugWriteTags(RAM, new Uint8Array([1])), 'EBUSY', /KVM_ARM_TAGS_TO_GUEST while 1 memslot.*map the RAM with "prot_mte": true/);
  vmm.dirtyTracking = true;
  expectOk(vmm.dmaWrite(RAM + 5 * PAGE_SIZE, new Uint8Array([1])));
  expectOk(vmm.debugWrite(RAM + 7 * PAGE_SIZE, new Uint8Array([1])));
  assert.deepEqual([...vmm.vmmDirty].sort(), [RAM / PAGE_SIZE + 5, RAM / PAGE_SIZE + 7]);
  // KVM's own log does not see VMM writes (they do not go through stage 2).
  assert.ok(expectOk(vmm.vm.getDirtyLog(0)).every(b => b === 0));
  const p = vmmFrom({ memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'anon', prot_mte: true, dirtyLog: true }] });
  p.dirtyTracking = true;
  expectOk(p.debugWriteTags(RAM + 2 * PAGE_SIZE, new Uint8Array([4])));
  assert.deepEqual([...p.vmmDirty], [RAM / PAGE_SIZE + 2]);
});

test('VMM accesses outside RAM are refused with the region named', () => {
  const events = new HvEventBus(10);
  const vmm = vmmFrom({ memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'anon' }, { name: 'uart', gpa: 0x0900_0000, size: 4096, backing: 'mmio' }] }, { events });
  expectErr(vmm.dmaRead(0x0900_0000, 4), 'EFAULT', /0x9000000 is not RAM \(MMIO region "uart"\)/);
  expectErr(vmm.debugRead(0x10, 4), 'EFAULT', /no memslot/);
  assert.equal(events.recent.filter(e => e.kind === 'refused').length, 2);
  expectErr(vmm.dmaRead(-1, 4), 'EINVAL');
});

test('describePage reports what backs a guest page', () => {
  const vmm = vmmFrom();
  assert.deepEqual(vmm.describePage(RAM), { gpa: RAM, slot: 0, region: 'ram', private: false, stage2: 'unmapped', backing: 'anon', state: 'not populated' });
  const { mmu, map } = guestView(vmm);
  map(16, RAM);
  mmu.storeTags(tagged(16 * PAGE_SIZE, 1), 1, 1, false);
  assert.deepEqual(vmm.describePage(RAM + 100), { gpa: RAM, slot: 0, region: 'ram', private: false, stage2: 'normal rw tagged', backing: 'anon', state: 'resident', pgMteTagged: true });
  expectOk(vmm.swapOut(RAM));
  const d = vmm.describePage(RAM);
  assert.equal(d.state, 'swapped');
  assert.equal(d.savedTags, true);
});
