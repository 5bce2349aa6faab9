// Memslot admission (kvm_set_memory_region + kvm_arch_prepare_memory_region), capabilities,
// VM creation and the VMM's mmap rules, each with the exact errno and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Host, Kvm, KVM_CAP_ARM_MTE, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED, KVM_MEM_GUEST_MEMFD, KVM_MEM_LOG_DIRTY_PAGES,
  KVM_MEM_READONLY, type KvmVm, type HostProcess,
} from '../../emulator/hv';
import { expectErr, expectOk, MiB, RAM } from './helpers';

function setup(caps: Partial<import('../../emulator/hv').HostCaps> = {}, vmOpts: Parameters<Kvm['createVm']>[0] = {}) {
  const host = new Host(caps);
  const mm = host.createProcess();
  const kvm = new Kvm(host, mm);
  const vm = expectOk(kvm.createVm(vmOpts));
  return { host, mm, kvm, vm };
}

const anon = (mm: HostProcess, size = MiB, mte = false) => expectOk(mm.mmap({ length: size, prot: { mte }, backing: { kind: 'anon' } }));

function slot(vm: KvmVm, id: number, gpa: number, size: number, hva: number, flags = 0) {
  return vm.setUserMemoryRegion2({ slot: id, flags, guestPhysAddr: gpa, memorySize: size, userspaceAddr: hva });
}

test('KVM_CREATE_VM: IPA size must be within [32, host limit]', () => {
  const host = new Host({ ipaLimit: 44 });
  const kvm = new Kvm(host, host.createProcess());
  expectErr(kvm.createVm({ ipaBits: 31 }), 'EINVAL', /ipa_bits: 31 is outside \[32, 44\]/);
  expectErr(kvm.createVm({ ipaBits: 45 }), 'EINVAL', /ipa_bits/);
  assert.equal(expectOk(kvm.createVm({ ipaBits: 44 })).ipaBits, 44);
  assert.equal(expectOk(kvm.createVm()).ipaBits, 40, 'KVM default IPA size');
});

test('KVM_CAP_ARM_MTE: refused once a vCPU exists, on hosts without MTE, and on protected VMs', () => {
  const { vm } = setup();
  expectOk(vm.enableCap(KVM_CAP_ARM_MTE));
  assert.equal(vm.mteEnabled, true);
  const b = setup().vm;
  expectOk(b.createVcpu());
  const e = expectErr(b.enableCap(KVM_CAP_ARM_MTE), 'EINVAL', /before any vCPU is created \(1 exist\)/);
  assert.equal(e.code, -22);
  assert.equal(b.mteEnabled, false);
  expectErr(setup({ mte: false }).vm.enableCap(KVM_CAP_ARM_MTE), 'EINVAL', /host does not support MTE/);
  expectErr(setup({}, { protected: true }).vm.enableCap(KVM_CAP_ARM_MTE), 'EINVAL', /MTE together with private memory/);
  expectErr(setup().vm.enableCap(KVM_CAP_ARM_MTE, [], 1), 'EINVAL', /flags: must be 0/);
});

test('KVM_CHECK_EXTENSION reflects host and VM type', () => {
  const { kvm, vm } = setup({ fwb: false });
  assert.equal(kvm.checkExtension(KVM_CAP_ARM_MTE), 1);
  assert.equal(kvm.checkExtension(KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED), 0);
  const p = expectOk(kvm.createVm({ protected: true }));
  assert.equal(kvm.checkExtension(KVM_CAP_ARM_MTE, p), 0);
  assert.equal(kvm.checkExtension(KVM_CAP_ARM_MTE, vm), 1);
});

test('memslot general checks: alignment, overflow, slot id (kvm_set_memory_region)', () => {
  const { mm, vm } = setup();
  const hva = anon(mm);
  expectErr(slot(vm, 0, RAM, MiB + 1, hva), 'EINVAL', /memory_size: 1048577 is not a multiple of the page size/);
  expectErr(slot(vm, 0, RAM + 8, MiB, hva), 'EINVAL', /guest_phys_addr: 0x40000008 is not page aligned/);
  expectErr(slot(vm, 0, RAM, MiB, hva + 1), 'EINVAL', /userspace_addr/);
  expectErr(slot(vm, 0, RAM, MiB, 2 ** 48 - 4096), 'EINVAL', /userspace_addr/);
  expectErr(slot(vm, 40000, RAM, MiB, hva), 'EINVAL', /slot: 40000 is not a user memslot id/);
  expectErr(slot(vm, 0x10000, RAM, MiB, hva), 'EINVAL', /address space 1 does not exist/);
  expectErr(slot(vm, 0, RAM, MiB, hva, 1 << 5), 'EINVAL', /flags: unknown flags 0x20/);
  expectErr(slot(vm, 3, RAM, 0, hva), 'EINVAL', /slot 3 does not exist/);
});

test('memslot beyond the IPA size is -EFAULT (kvm_arch_prepare_memory_region)', () => {
  const { mm, vm } = setup({}, { ipaBits: 32 });
  const hva = anon(mm);
  const e = expectErr(slot(vm, 0, 2 ** 32 - MiB / 2, MiB, hva), 'EFAULT', /beyond the VM's IPA size \(0x100000000\)/);
  assert.equal(e.field, 'guest_phys_addr');
  expectOk(slot(vm, 0, 2 ** 32 - MiB, MiB, hva));
});

test('create, overlap (-EEXIST), move, flags-only, delete and immutable fields', () => {
  const { mm, vm } = setup();
  const a = anon(mm), b = anon(mm);
  assert.equal(expectOk(slot(vm, 0, RAM, MiB, a)), 'create');
  expectErr(slot(vm, 1, RAM + MiB / 2, MiB, b), 'EEXIST', /overlaps slot 0/);
  assert.equal(expectOk(slot(vm, 1, RAM + MiB, MiB, b)), 'create');
  assert.equal(expectOk(slot(vm, 1, RAM + MiB, MiB, b)), 'none');
  expectErr(slot(vm, 1, RAM + MiB, MiB, a), 'EINVAL', /cannot change an existing slot's userspace_addr/);
  expectErr(slot(vm, 1, RAM + MiB, MiB / 2, b), 'EINVAL', /cannot resize/);
  expectErr(slot(vm, 1, RAM + MiB, MiB, b, KVM_MEM_READONLY), 'EINVAL', /KVM_MEM_READONLY cannot change/);
  expectErr(slot(vm, 1, RAM, MiB, b), 'EEXIST', /overlaps slot 0/, );
  assert.equal(expectOk(slot(vm, 1, RAM + 4 * MiB, MiB, b)), 'move');
  assert.equal(vm.findSlot((RAM + 4 * MiB) / 4096)?.id, 1);
  assert.equal(vm.findSlot((RAM + MiB) / 4096), undefined);
  assert.equal(expectOk(slot(vm, 1, RAM + 4 * MiB, MiB, b, KVM_MEM_LOG_DIRTY_PAGES)), 'flags-only');
  assert.equal(vm.nrMemslotsDirtyLogging, 1);
  assert.equal(expectOk(slot(vm, 1, RAM + 4 * MiB, 0, b)), 'delete');
  assert.equal(vm.nrMemslotsDirtyLogging, 0);
  assert.equal(vm.slots.size, 1);
});

test('MTE VM: every VMA of the slot needs VM_MTE_ALLOWED (anon and memfd yes; DAX and VFIO no)', () => {
  const { host, mm, vm } = setup();
  expectOk(vm.enableCap(KVM_CAP_ARM_MTE));
  expectOk(slot(vm, 0, RAM, MiB, anon(mm)));
  const memfd = expectOk(mm.mmap({ length: MiB, prot: {}, backing: { kind: 'file', file: host.memfdCreate('m', MiB) } }));
  expectOk(slot(vm, 1, RAM + MiB, MiB, memfd));
  const dax = expectOk(mm.mmap({ length: MiB, prot: {}, backing: { kind: 'file', file: host.daxFile('pmem0', MiB) } }));
  const e = expectErr(slot(vm, 2, RAM + 2 * MiB, MiB, dax), 'EINVAL', /slot 2: MTE VM and the VMA .* dax:pmem0 lacks VM_MTE_ALLOWED/);
  assert.match(e.message, /kvm_arch_prepare_memory_region/);
  const bar = expectOk(mm.mmap({ length: MiB, prot: {}, backing: { kind: 'file', file: host.vfioBar('bar0', MiB, false, true) } }));
  expectErr(slot(vm, 3, RAM + 3 * MiB, MiB, bar), 'EINVAL', /lacks VM_MTE_ALLOWED/);
  // A slot spanning an anon VMA and a DAX VMA: the second VMA is checked too.
  const two = anon(mm, 2 * MiB);
  expectOk(mm.mmap({ length: MiB, prot: {}, backing: { kind: 'file', file: host.daxFile('pmem1', MiB) }, fixed: two + MiB }));
  expectErr(slot(vm, 4, RAM + 8 * MiB, 2 * MiB, two), 'EINVAL', /pmem1/);
  // The same DAX mapping is fine in a VM without MTE.
  const plain = setup();
  const d2 = expectOk(plain.mm.mmap({ length: MiB, prot: {}, backing: { kind: 'file', file: plain.host.daxFile('pmem', MiB) } }));
  expectOk(slot(plain.vm, 0, RAM, MiB, d2));
});

test('VM_PFNMAP: dirty logging refused; cacheable PFNMAP needs FWB and DIC', () => {
  const { host, mm, vm } = setup({ fwb: false });
  const nc = expectOk(mm.mmap({ length: MiB, prot: {}, backing: { kind: 'file', file: host.vfioBar('bar0', MiB, false, true) } }));
  expectErr(slot(vm, 0, RAM, MiB, nc, KVM_MEM_LOG_DIRTY_PAGES), 'EINVAL', /dirty logging of a VM_PFNMAP region \(bar0\) is not allowed/);
  expectOk(slot(vm, 0, RAM, MiB, nc));
  expectErr(slot(vm, 0, RAM, MiB, nc, KVM_MEM_LOG_DIRTY_PAGES), 'EINVAL', /VM_PFNMAP/); // FLAGS_ONLY is checked too
  const c = expectOk(mm.mmap({ length: MiB, prot: {}, backing: { kind: 'file', file: host.vfioBar('gpu', MiB, true, false) } }));
  expectErr(slot(vm, 1, RAM + MiB, MiB, c), 'EINVAL', /cacheable VM_PFNMAP \(gpu\) needs stage-2 FWB and CTR_EL0.DIC/);
  const ok2 = setup();
  const c2 = expectOk(ok2.mm.mmap({ length: MiB, prot: {}, backing: { kind: 'file', file: ok2.host.vfioBar('gpu', MiB, true, false) } }));
  expectOk(slot(ok2.vm, 1, RAM, MiB, c2));
});

test('guest_memfd slots: only with private memory, no dirty log, no read-only, immutable, one binding', () => {
  const plain = setup();
  const h = anon(plain.mm);
  expectErr(slot(plain.vm, 0, RAM, MiB, h, KVM_MEM_GUEST_MEMFD), 'EINVAL', /needs a VM type with private memory/);
  expectErr(plain.vm.createGuestMemfd(MiB), 'EINVAL', /no private memory/);
  const { mm, vm, kvm } = setup({}, { protected: true });
  const g = expectOk(vm.createGuestMemfd(MiB));
  expectErr(vm.createGuestMemfd(MiB + 1), 'EINVAL', /size/);
  const hva = anon(mm);
  const r2 = (id: number, flags: number, gm = g, off = 0, gpa = RAM) => vm.setUserMemoryRegion2({ slot: id, flags, guestPhysAddr: gpa, memorySize: MiB, userspaceAddr: hva, guestMemfd: gm, guestMemfdOffset: off });
  expectErr(r2(0, KVM_MEM_GUEST_MEMFD | KVM_MEM_LOG_DIRTY_PAGES), 'EINVAL', /dirty logging of private memory/);
  expectErr(r2(0, KVM_MEM_GUEST_MEMFD | KVM_MEM_READONLY), 'EINVAL', /cannot be read-only/);
  expectErr(r2(0, KVM_MEM_GUEST_MEMFD, g, 4096), 'EINVAL', /offset \+ size exceed the guest_memfd/);
  expectErr(r2(0, KVM_MEM_GUEST_MEMFD, g, 100), 'EINVAL', /guest_memfd_offset: 0x64 is not page aligned/);
  const other = expectOk(kvm.createVm({ protected: true }));
  expectErr(r2(0, KVM_MEM_GUEST_MEMFD, expectOk(other.createGuestMemfd(MiB))), 'EINVAL', /belongs to another VM/);
  expectOk(r2(0, KVM_MEM_GUEST_MEMFD));
  expectErr(r2(0, KVM_MEM_GUEST_MEMFD), 'EINVAL', /immutable, they can only be deleted/);
  expectErr(r2(1, KVM_MEM_GUEST_MEMFD, g, 0, RAM + 8 * MiB), 'EEXIST', /already bound/);
  // Protected VMs keep memslots below the shared bit (the top IPA bit).
  const top = vm.sharedGpnBit * 4096;
  assert.equal(top, 2 ** 39);
  expectErr(slot(vm, 2, top - MiB / 2, MiB, anon(mm)), 'EFAULT', /protected IPA range/);
});

test('VMM mmap: PROT_MTE needs VM_MTE_ALLOWED (arch_validate_flags)', () => {
  const { host, mm } = setup();
  expectOk(mm.mmap({ length: MiB, prot: { mte: true }, backing: { kind: 'anon' } }));
  expectOk(mm.mmap({ length: MiB, prot: { mte: true }, backing: { kind: 'file', file: host.memfdCreate('m', MiB) } }));
  expectErr(mm.mmap({ length: MiB, prot: { mte: true }, backing: { kind: 'file', file: host.daxFile('d', MiB) } }), 'EINVAL', /PROT_MTE on a dax mapping without VM_MTE_ALLOWED/);
  expectErr(mm.mmap({ length: MiB, prot: { mte: true }, backing: { kind: 'file', file: host.vfioBar('b', MiB, false, true) } }), 'EINVAL', /PROT_MTE on a pfnmap/);
  expectErr(mm.mmap({ length: 2 * MiB, prot: {}, backing: { kind: 'file', file: host.vfioBar('b', MiB, false, true) } }), 'EINVAL', /past the end of b/);
  expectErr(mm.mmap({ length: 100, prot: {}, backing: { kind: 'anon' } }), 'EINVAL', /length/);
});

test('KVM_CREATE_VCPU ids', () => {
  const { vm } = setup();
  expectOk(vm.createVcpu(0));
  expectErr(vm.createVcpu(0), 'EEXIST');
  expectErr(vm.createVcpu(-1), 'EINVAL');
});
