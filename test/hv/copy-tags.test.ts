// KVM_ARM_MTE_COPY_TAGS (kvm_vm_ioctl_mte_copy_tags): validation order, -EBUSY while dirty
// logging, one tag per byte, zeros for never-tagged pages, partial results in bytes, -EFAULT for
// holes and ZONE_DEVICE memory, PG_mte_tagged set by TO_GUEST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE } from '../../emulator/memory';
import { KVM_ARM_TAGS_FROM_GUEST as FROM, KVM_ARM_TAGS_TO_GUEST as TO, KVM_MEM_LOG_DIRTY_PAGES } from '../../emulator/hv';
import { expectErr, expectOk, guestView, MiB, RAM, tagged, vmmFrom } from './helpers';

const buf = (pages: number) => new Uint8Array(pages * 256);

test('argument checks: MTE, reserved, flags, alignment, INT_MAX', () => {
  expectErr(vmmFrom({ mte: false }).vm.copyMteTags({ guestIpa: RAM, length: PAGE_SIZE, buffer: buf(1), flags: FROM }), 'EINVAL', /MTE is not enabled/);
  const vm = vmmFrom().vm;
  expectErr(vm.copyMteTags({ guestIpa: RAM, length: PAGE_SIZE, buffer: buf(1), flags: FROM, reserved: [0, 1] }), 'EINVAL', /reserved: must be zero/);
  expectErr(vm.copyMteTags({ guestIpa: RAM, length: PAGE_SIZE, buffer: buf(1), flags: 2 }), 'EINVAL', /flags: 0x2/);
  expectErr(vm.copyMteTags({ guestIpa: RAM, length: 16, buffer: buf(1), flags: FROM }), 'EINVAL', /length: 0x10 is not page aligned/);
  expectErr(vm.copyMteTags({ guestIpa: RAM + 16, length: PAGE_SIZE, buffer: buf(1), flags: FROM }), 'EINVAL', /guest_ipa: 0x40000010 is not page aligned/);
  expectErr(vm.copyMteTags({ guestIpa: RAM, length: 2 ** 31, buffer: buf(1), flags: FROM }), 'EINVAL', /exceeds INT_MAX/);
});

test('FROM_GUEST: one tag per byte; a never-tagged page gives zeros; returns bytes of guest memory', () => {
  const vmm = vmmFrom();
  const { mmu, map } = guestView(vmm);
  map(16, RAM);
  mmu.storeTags(tagged(16 * PAGE_SIZE + 32, 0xa), 2, 0xa, false);
  const b = buf(3).fill(0xff);
  assert.equal(expectOk(vmm.vm.copyMteTags({ guestIpa: RAM, length: 3 * PAGE_SIZE, buffer: b, flags: FROM })), 3 * PAGE_SIZE);
  assert.deepEqual([...b.subarray(0, 5)], [0, 0, 0xa, 0xa, 0]);
  assert.ok(b.subarray(256).every(x => x === 0), 'untouched pages read as zeros');
});

test('TO_GUEST sets PG_mte_tagged so the later stage-2 fault keeps the tags', () => {
  const vmm = vmmFrom();
  const b = buf(1);
  b.forEach((_, i) => { b[i] = i & 0xf; });
  assert.equal(expectOk(vmm.vm.copyMteTags({ guestIpa: RAM + PAGE_SIZE, length: PAGE_SIZE, buffer: b, flags: TO })), PAGE_SIZE);
  const { mmu, map } = guestView(vmm);
  map(16, RAM + PAGE_SIZE);
  for (const g of [0, 1, 15, 200, 255]) assert.equal(mmu.loadTag(BigInt(16 * PAGE_SIZE + g * 16)), g & 0xf);
  assert.equal(vmm.vm.stats.sanitised, 0);
});

test('TO_GUEST is -EBUSY while any memslot logs dirty pages; FROM_GUEST still works', () => {
  const vmm = vmmFrom({ memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'anon' }, { name: 'b', gpa: RAM + MiB, size: MiB, backing: 'anon', dirtyLog: true }] });
  const e = expectErr(vmm.vm.copyMteTags({ guestIpa: RAM, length: PAGE_SIZE, buffer: buf(1), flags: TO }), 'EBUSY', /1 memslot\(s\) have dirty logging enabled/);
  assert.equal(e.code, -16);
  expectOk(vmm.vm.copyMteTags({ guestIpa: RAM, length: PAGE_SIZE, buffer: buf(1), flags: FROM }));
  const s = vmm.vm.slots.get(1)!;
  expectOk(vmm.vm.setUserMemoryRegion2({ slot: 1, flags: s.flags & ~KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: RAM + MiB, memorySize: MiB, userspaceAddr: s.userspaceAddr }));
  expectOk(vmm.vm.copyMteTags({ guestIpa: RAM, length: PAGE_SIZE, buffer: buf(1), flags: TO }));
});

test('holes: -EFAULT when nothing was processed, else the bytes done', () => {
  const vmm = vmmFrom();
  expectErr(vmm.vm.copyMteTags({ guestIpa: RAM - PAGE_SIZE, length: 2 * PAGE_SIZE, buffer: buf(2), flags: FROM }), 'EFAULT', /no memslot/);
  // Last page of the slot, then the hole after it.
  assert.equal(expectOk(vmm.vm.copyMteTags({ guestIpa: RAM + MiB - PAGE_SIZE, length: 2 * PAGE_SIZE, buffer: buf(2), flags: FROM })), PAGE_SIZE);
});

test('a short user buffer: partial copy; TO_GUEST clears the short page\'s tags (no stale tags)', () => {
  const vmm = vmmFrom();
  const full = buf(2).fill(5);
  expectOk(vmm.vm.copyMteTags({ guestIpa: RAM, length: 2 * PAGE_SIZE, buffer: full, flags: TO }));
  const short = new Uint8Array(256 + 100).fill(7);
  assert.equal(expectOk(vmm.vm.copyMteTags({ guestIpa: RAM, length: 2 * PAGE_SIZE, buffer: short, flags: TO })), PAGE_SIZE);
  const back = buf(2);
  expectOk(vmm.vm.copyMteTags({ guestIpa: RAM, length: 2 * PAGE_SIZE, buffer: back, flags: FROM }));
  assert.ok(back.subarray(0, 256).every(x => x === 7));
  assert.ok(back.subarray(256).every(x => x === 0), 'second page cleared, not left at 5');
  expectErr(vmm.vm.copyMteTags({ guestIpa: RAM, length: PAGE_SIZE, buffer: new Uint8Array(10), flags: FROM }), 'EFAULT', /user buffer ends after 10 tag bytes/);
});

test('ZONE_DEVICE (DAX) pages have no tags: -EFAULT (pfn_to_online_page)', () => {
  const vmm = vmmFrom({ memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'anon' }, { name: 'pmem', gpa: RAM + MiB, size: MiB, backing: 'anon', ram: false, replacedBy: { backing: 'dax' } }] });
  expectErr(vmm.vm.copyMteTags({ guestIpa: RAM + MiB, length: PAGE_SIZE, buffer: buf(1), flags: FROM }), 'EFAULT', /ZONE_DEVICE memory has no tags/);
});
