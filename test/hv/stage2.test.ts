// Stage 2 as the guest sees it through the Mmu: user_mem_abort's rules (sanitise, -EFAULT for
// memory that cannot hold tags, Device/Normal-NC for uncached device memory), MMIO holes,
// read-only slots, dirty logging with write protection, and TLB invalidation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE } from '../../emulator/memory';
import { HvEventBus, KVM_ARM_TAGS_TO_GUEST, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE, KVM_MEM_LOG_DIRTY_PAGES, type Vmm } from '../../emulator/hv';
import { expectErr, expectOk, fault, guestView, MiB, PROT, RAM, tagged, vmmFrom } from './helpers';

const VA = 0x10_0000;

test('first stage-2 mapping sanitises tags (PG_mte_tagged clear -> zeroed, flag set)', () => {
  const events = new HvEventBus(100);
  const vmm = vmmFrom({}, { events });
  const { mmu, map } = guestView(vmm);
  map(VA / PAGE_SIZE, RAM);
  // Stale tags in a host page that was never PG_mte_tagged (e.g. recycled memory).
  const hp = vmm.mm.faultIn(vmm.region('ram')!.hva, true);
  assert.ok(hp.ok);
  hp.hp.page.setTag(0, 9);
  assert.equal(hp.hp.page.mteTagged, false);
  assert.equal(mmu.loadTag(BigInt(VA)), 0, 'LDG sees the sanitised tag');
  assert.equal(hp.hp.page.mteTagged, true);
  assert.equal(hp.hp.page.getTag(0), 0);
  const s = events.recent.find(e => e.kind === 'sanitise')!;
  assert.equal(s.gpa, RAM);
  assert.equal(s.pc, 0x1000);
  assert.match(s.reason, /sanitise_mte_tags/);
  // The host PTE is already writable (the VMM touched the page), so even a read fault maps it
  // writable (__kvm_faultin_pfn reports writable); exec because the host has CTR_EL0.DIC.
  assert.deepEqual(vmm.vm.stage2(RAM / PAGE_SIZE), { writable: true, tagCapable: true, memType: 'normal', exec: true, private: false });
});

test('pages already PG_mte_tagged keep their tags at the first stage-2 fault (COPY_TAGS TO_GUEST)', () => {
  const vmm = vmmFrom();
  const buf = new Uint8Array(256).fill(0);
  buf[0] = 7; buf[255] = 3;
  assert.equal(expectOk(vmm.vm.copyMteTags({ guestIpa: RAM, length: PAGE_SIZE, buffer: buf, flags: KVM_ARM_TAGS_TO_GUEST })), PAGE_SIZE);
  const { mmu, map } = guestView(vmm);
  map(VA / PAGE_SIZE, RAM);
  assert.equal(mmu.loadTag(BigInt(VA)), 7);
  assert.equal(mmu.loadTag(BigInt(VA + 4080)), 3);
  assert.equal(vmm.vm.stats.sanitised, 0);
  // Tag-checked access with the right and the wrong logical tag.
  mmu.write64(tagged(VA, 7), 1n, true);
  const f = fault(() => mmu.write64(tagged(VA, 6), 1n, true));
  assert.equal(f.kind, 'tagcheck');
  assert.equal(f.allocationTag, 7);
});

test('a VM without MTE maps RAM without tag access: STG dropped, LDG 0, nothing checked', () => {
  const vmm = vmmFrom({ mte: false });
  const { mmu, map } = guestView(vmm);
  map(VA / PAGE_SIZE, RAM);
  mmu.storeTags(tagged(VA, 5), 1, 5, false);
  assert.equal(mmu.loadTag(BigInt(VA)), 0);
  mmu.write64(tagged(VA, 9), 42n, true);
  assert.equal(mmu.read64(BigInt(VA), true), 42n);
  assert.equal(vmm.vm.stage2(RAM / PAGE_SIZE)!.tagCapable, false);
  assert.equal(vmm.vm.stats.sanitised, 0);
});

function lateRemap(backing: string, extra: Record<string, unknown> = {}, host: Record<string, unknown> = {}): Vmm {
  return vmmFrom({
    host,
    memory: [
      { name: 'ram', gpa: RAM, size: MiB, backing: 'anon' },
      { name: 'dev', gpa: RAM + MiB, size: MiB, backing: 'anon', ram: false, replacedBy: { backing, ...extra } },
    ],
  });
}

test('MTE VM, DAX swapped in behind a live slot: the fault fails -EFAULT and KVM_RUN returns an error', () => {
  const vmm = lateRemap('dax');
  const { mmu, map } = guestView(vmm);
  map(VA / PAGE_SIZE, RAM + MiB);
  const f = fault(() => mmu.read64(BigInt(VA), false));
  assert.equal(f.kind, 'external');
  assert.match(f.detail, /KVM_RUN failed with -EFAULT/);
  const exit = vmm.vm.takePendingExit();
  assert.ok(exit && exit.reason === 'error');
  assert.equal(exit.errno, 'EFAULT');
  assert.equal(exit.ret, -14);
  assert.equal(exit.gpa, RAM + MiB);
  assert.match(exit.message, /lacks VM_MTE_ALLOWED \(ZONE_DEVICE memory cannot hold tags\)/);
  assert.equal(vmm.vm.stage2((RAM + MiB) / PAGE_SIZE), undefined);
});

test('MTE VM, cacheable PFNMAP behind a live slot: -EFAULT (with FWB+DIC: no VM_MTE_ALLOWED; without: no cacheable PFNMAP)', () => {
  for (const [host, re] of [[{}, /lacks VM_MTE_ALLOWED \(device memory cannot hold tags\)/], [{ dic: false }, /cacheable VM_PFNMAP .* without stage-2 FWB and CTR_EL0.DIC/]] as const) {
    const vmm = lateRemap('pfnmap', { cacheable: true }, host);
    const { mmu, map } = guestView(vmm);
    map(VA / PAGE_SIZE, RAM + MiB);
    assert.equal(fault(() => mmu.write8(BigInt(VA), 1, false)).kind, 'external');
    const exit = vmm.vm.takePendingExit();
    assert.ok(exit && exit.reason === 'error' && exit.errno === 'EFAULT');
    assert.match(exit.message, re);
  }
});

test('MTE VM, uncached device memory: Device or Normal-NC, tag accesses unchecked, LDG 0, STG dropped', () => {
  for (const [anyUc, memType] of [[false, 'device'], [true, 'normal-nc']] as const) {
    const vmm = lateRemap('pfnmap', { cacheable: false, allowAnyUncached: anyUc });
    const { mmu, map } = guestView(vmm);
    map(VA / PAGE_SIZE, RAM + MiB, true);
    mmu.storeTags(tagged(VA, 5), 1, 5, false);
    assert.equal(mmu.loadTag(tagged(VA, 5)), 0);
    mmu.write64(tagged(VA, 11), 0x1234n, true); // no tag check fault
    assert.equal(mmu.read64(tagged(VA, 3), true), 0x1234n);
    const s2 = vmm.vm.stage2((RAM + MiB) / PAGE_SIZE)!;
    assert.equal(s2.memType, memType);
    assert.equal(s2.tagCapable, false);
    assert.equal(s2.exec, false);
    assert.equal(vmm.vm.stats.sanitised, 0, 'sanitise never runs for forced non-cacheable mappings');
    // Executing from it: -ENOEXEC, an abort injected into the guest (no VMM exit).
    assert.throws(() => vmm.vm.resolve((RAM + MiB) / PAGE_SIZE, false, 0x2000, true), /external abort: execute from non-cacheable device memory/);
    assert.equal(vmm.vm.takePendingExit(), null);
  }
});

test('MMIO holes and read-only slots: the access exits (no syndrome: KVM_EXIT_ARM_NISV) and an abort is injected', () => {
  const events = new HvEventBus(50);
  const vmm = vmmFrom({
    memory: [
      { name: 'ram', gpa: RAM, size: MiB, backing: 'anon' },
      { name: 'uart', gpa: 0x0900_0000, size: 4096, backing: 'mmio' },
      { name: 'rom', gpa: RAM + MiB, size: MiB, backing: 'anon', readonly: true, ram: false },
    ],
  }, { events });
  const { mmu, map } = guestView(vmm);
  map(1, 0x0900_0000, false);
  map(2, RAM + MiB, false);
  const f = fault(() => mmu.read32(0x1000n, false));
  assert.equal(f.kind, 'external');
  assert.match(f.detail, /MMIO 0x9000000 \(uart\)/);
  assert.equal(vmm.vm.takePendingExit(), null, 'not a VMM exit: the guest gets the abort');
  const ev = events.recent.find(e => e.kind === 'mmio-exit')!;
  assert.equal(ev.gpa, 0x0900_0000);
  assert.match(ev.reason, /mmio region "uart".*KVM_EXIT_ARM_NISV/);
  assert.equal(mmu.read32(0x2000n, false), 0, 'reads of a read-only slot are RAM');
  assert.match(fault(() => mmu.write32(0x2000n, 1, false)).detail, /write .*MMIO/);
  assert.equal(vmm.vm.stats.abortsInjected, 2);
});

test('accesses beyond the IPA size inject an abort', () => {
  const vmm = vmmFrom({ ipaBits: 32 });
  assert.throws(() => vmm.vm.resolve(2 ** 20, false, 0), /beyond the VM's 32-bit IPA space/);
});

test('anonymous reads map the shared zero page (no host memory), the first write allocates', () => {
  const vmm = vmmFrom();
  const { mmu, map } = guestView(vmm);
  for (let i = 0; i < 8; i++) map(16 + i, RAM + i * PAGE_SIZE);
  for (let i = 0; i < 8; i++) assert.equal(mmu.read64(BigInt((16 + i) * PAGE_SIZE), true), 0n);
  assert.equal(vmm.host.stats().residentPages, 0);
  assert.equal(vmm.vm.stage2(RAM / PAGE_SIZE)!.writable, false);
  mmu.write8(BigInt(16 * PAGE_SIZE), 1, true);
  assert.equal(vmm.host.stats().residentPages, 1);
  assert.equal(vmm.vm.stage2(RAM / PAGE_SIZE)!.writable, true);
  assert.equal(mmu.read8(BigInt(16 * PAGE_SIZE), true), 1);
});

function dirtyBits(bm: Uint8Array): number[] {
  const out: number[] = [];
  bm.forEach((b, i) => { for (let k = 0; k < 8; k++) if (b & (1 << k)) out.push(i * 8 + k); });
  return out;
}

test('dirty logging: write-protect, writes and tag writes mark pages, GET_DIRTY_LOG re-protects', () => {
  const vmm = vmmFrom();
  const vm = vmm.vm;
  const { mmu, map } = guestView(vmm);
  for (let i = 0; i < 4; i++) map(16 + i, RAM + i * PAGE_SIZE);
  mmu.write8(BigInt(16 * PAGE_SIZE), 1, true);          // page 0 writable before logging
  let flushes = 0;
  vm.addInvalidationListener(() => flushes++);
  const hva = vmm.region('ram')!.hva;
  expectOk(vm.setUserMemoryRegion2({ slot: 0, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: RAM, memorySize: MiB, userspaceAddr: hva }));
  assert.equal(vm.stage2(RAM / PAGE_SIZE)!.writable, false, 'kvm_mmu_wp_memory_region');
  assert.ok(flushes > 0, 'the TLB was told');
  mmu.read8(BigInt(17 * PAGE_SIZE), true);                // read fault under logging: mapped read-only, not dirty
  assert.equal(vm.stage2(RAM / PAGE_SIZE + 1)!.writable, false);
  mmu.write8(BigInt(16 * PAGE_SIZE), 2, true);            // permission fault -> dirty
  mmu.storeTags(tagged(18 * PAGE_SIZE, 4), 1, 4, false);  // a tag write is a write
  assert.deepEqual(dirtyBits(expectOk(vm.getDirtyLog(0))), [0, 2]);
  assert.equal(vm.stage2(RAM / PAGE_SIZE)!.writable, false, 're-protected by GET_DIRTY_LOG');
  assert.deepEqual(dirtyBits(expectOk(vm.getDirtyLog(0))), []);
  mmu.write8(BigInt(16 * PAGE_SIZE), 3, true);
  mmu.write8(BigInt(16 * PAGE_SIZE + 1), 3, true);        // TLB hit now: no second fault
  assert.deepEqual(dirtyBits(expectOk(vm.getDirtyLog(0))), [0]);
  assert.equal(mmu.loadTag(tagged(18 * PAGE_SIZE, 4)), 4);
  expectErr(vm.getDirtyLog(5), 'ENOENT', /slot 5 does not exist/);
  expectOk(vm.setUserMemoryRegion2({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: MiB, userspaceAddr: hva }));
  expectErr(vm.getDirtyLog(0), 'ENOENT', /does not have KVM_MEM_LOG_DIRTY_PAGES/);
});

test('manual dirty-log protect: GET leaves bits, CLEAR_DIRTY_LOG clears and re-protects (64-page rules)', () => {
  const vmm = vmmFrom({ dirtyLog: { manualProtect: true } });
  const vm = vmm.vm;
  assert.equal(vm.manualDirtyLogProtect, true);
  expectErr(vm.enableCap(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, [8]), 'EINVAL', /unknown bits/);
  expectOk(vm.enableCap(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, [KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE]));
  const { mmu, map } = guestView(vmm);
  map(16, RAM + 3 * PAGE_SIZE);
  const hva = vmm.region('ram')!.hva;
  expectOk(vm.setUserMemoryRegion2({ slot: 0, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: RAM, memorySize: MiB, userspaceAddr: hva }));
  mmu.write8(BigInt(16 * PAGE_SIZE), 1, true);
  const bm = expectOk(vm.getDirtyLog(0));
  assert.deepEqual(dirtyBits(bm), [3]);
  assert.deepEqual(dirtyBits(expectOk(vm.getDirtyLog(0))), [3], 'manual protect: GET does not clear');
  assert.equal(vm.stage2(RAM / PAGE_SIZE + 3)!.writable, true);
  expectErr(vm.clearDirtyLog(0, 3, 64, bm), 'EINVAL', /first_page: 3 is not a multiple of 64/);
  expectErr(vm.clearDirtyLog(0, 0, 100, bm), 'EINVAL', /num_pages/);
  expectErr(vm.clearDirtyLog(0, 0, 256, new Uint8Array(1)), 'EFAULT', /buffer holds 8 bits/);
  expectOk(vm.clearDirtyLog(0, 0, 256, bm));
  assert.deepEqual(dirtyBits(expectOk(vm.getDirtyLog(0))), []);
  assert.equal(vm.stage2(RAM / PAGE_SIZE + 3)!.writable, false);
  mmu.write8(BigInt(16 * PAGE_SIZE), 2, true);
  assert.deepEqual(dirtyBits(expectOk(vm.getDirtyLog(0))), [3]);
});

test('initially-set dirty bitmaps start full and write protection is left to CLEAR', () => {
  const vmm = vmmFrom({ dirtyLog: { manualProtect: true, initiallySet: true }, memory: [{ name: 'ram', gpa: RAM, size: 64 * PAGE_SIZE, backing: 'anon', dirtyLog: true }] });
  assert.equal(dirtyBits(expectOk(vmm.vm.getDirtyLog(0))).length, 64);
});

test('moving and deleting a slot unmaps its stage-2 entries', () => {
  const vmm = vmmFrom();
  const { mmu, map } = guestView(vmm);
  map(16, RAM);
  mmu.write64(BigInt(16 * PAGE_SIZE), 77n, true);
  const hva = vmm.region('ram')!.hva;
  expectOk(vmm.vm.setUserMemoryRegion2({ slot: 0, flags: 0, guestPhysAddr: RAM + 16 * MiB, memorySize: MiB, userspaceAddr: hva }));
  assert.equal(vmm.vm.stage2Size, 0);
  assert.equal(fault(() => mmu.read64(BigInt(16 * PAGE_SIZE), false)).kind, 'external', 'old IPA is now a hole');
  map(17, RAM + 16 * MiB);
  assert.equal(mmu.read64(BigInt(17 * PAGE_SIZE), false), 77n, 'same host memory at the new IPA');
  expectOk(vmm.vm.setUserMemoryRegion2({ slot: 0, flags: 0, guestPhysAddr: RAM + 16 * MiB, memorySize: 0, userspaceAddr: hva }));
  assert.equal(fault(() => mmu.read64(BigInt(17 * PAGE_SIZE), false)).kind, 'external');
});

test('a write to a read-only VMM mapping fails the fault with -EFAULT', () => {
  const vmm = vmmFrom();
  const hva = vmm.region('ram')!.hva;
  // The VMM remaps the slot's memory read-only (mprotect-like) behind KVM's back.
  expectOk(vmm.mm.mmap({ length: MiB, prot: { write: false }, backing: { kind: 'anon' }, fixed: hva }));
  const { mmu, map } = guestView(vmm);
  map(16, RAM);
  assert.equal(mmu.read8(BigInt(16 * PAGE_SIZE), false), 0);
  fault(() => mmu.write8(BigInt(16 * PAGE_SIZE), 1, false));
  const e = vmm.vm.takePendingExit();
  assert.ok(e && e.reason === 'error');
  assert.match(e.message, /not writable/);
});

void PROT;
