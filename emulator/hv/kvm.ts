// The KVM model: /dev/kvm (Kvm), a VM (KvmVm) and its vCPUs (KvmVcpu), with the arm64 rules of
// mainline Linux. KvmVm is the guest's GuestPhysicalMemory: stage 2, filled lazily on guest
// faults the way user_mem_abort / gmem_abort do, and invalidated through MMU notifiers.
import * as pageConsts from '../memory/page';
// Local copies: an imported binding is a getter call per use under the CJS test/bench loader.
const { PAGE_SIZE, GRANULES_PER_PAGE } = pageConsts;
import { type GuestPhysicalMemory, type PhysMapping, PhysAccessError } from '../memory/physical';
import {
  GUEST_MEMFD_FLAG_INIT_SHARED, GUEST_MEMFD_FLAG_MMAP, INT_MAX, KVM_ARM_TAGS_FROM_GUEST,
  KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED, KVM_CAP_ARM_MTE, KVM_CAP_GUEST_MEMFD, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
  KVM_CAP_MEMORY_ATTRIBUTES, KVM_CAP_MEMORY_FAULT_INFO, KVM_CAP_USER_MEMORY2, KVM_CAP_VM_TYPES,
  KVM_DIRTY_LOG_INITIALLY_SET, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE, KVM_EXIT_MEMORY_FAULT, KVM_MEM_GUEST_MEMFD,
  KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_MAX_NR_PAGES, KVM_MEM_READONLY, KVM_MEMORY_ATTRIBUTE_PRIVATE,
  KVM_MEMORY_EXIT_FLAG_PRIVATE, KVM_PHYS_SHIFT_DEFAULT, KVM_PHYS_SHIFT_MIN, KVM_USER_MEM_SLOTS,
} from './constants';
import { type Errno, type HvResult, ERRNO, fail, hex, ok } from './errors';
import { HvEventBus, type HvEventKind } from './events';
import { GuestMemfd, type Host, type HostPage, type HostProcess, type InvalidateReason, packTags, unpackTags } from './host';
import { RangeSet } from './ranges';

// ---- the run-loop contract with the guest runtime -------------------------------------------------

/** What the guest runtime reports after running for a while (see HvGuest.runSlice). */
export type GuestSliceResult =
  /** Ran the instruction budget. */
  | { kind: 'limit' }
  /** The guest is done (its init process exited): PSCI SYSTEM_OFF. */
  | { kind: 'exit'; status: number }
  /** A stage-2 access needs the VMM: the runtime saw a GuestFault 'external' and vm.peekPendingExit() returned an exit. */
  | { kind: 'hv-exit' }
  /** Stopped for the debugger (breakpoint, pause...). */
  | { kind: 'stop'; reason: string };

/** The vCPU/process state of a guest that can be migrated (implemented by the runtime). */
export interface MigratableGuest {
  /** Everything needed to continue elsewhere: registers (incl. PSTATE.TCO, GCR_EL1, RGSR_EL1, TFSR/TFSRE0_EL1, SCTLR_EL1.TCF0), prctl state, stage-1 tables, kernel state. */
  saveState(): Uint8Array;
  /** Restores a state produced by saveState on a guest created for the destination VM. */
  loadState(state: Uint8Array): void;
}

/** A guest (the Linux runtime or a synthetic workload) running inside a KvmVm. */
export interface HvGuest extends MigratableGuest {
  /** Runs at most `maxInsns` guest instructions. Must not throw for guest behaviour. */
  runSlice(maxInsns: number): GuestSliceResult;
  /** Current guest pc (for events). */
  readonly pc: number;
  /** Guest instructions retired so far (all vCPUs). */
  readonly insns: number;
}

/** Why KVM_RUN returned to the VMM. */
export type VmExit =
  /** The VMM's budget ran out (its timer signal: KVM_RUN -EINTR / KVM_EXIT_INTR). */
  | { reason: 'intr' }
  /** KVM_EXIT_SYSTEM_EVENT / SHUTDOWN: the guest finished with this status. */
  | { reason: 'shutdown'; status: number }
  /**
   * KVM_EXIT_MEMORY_FAULT (39): KVM_RUN returned -1 with errno EFAULT; the access kind (private
   * or shared) disagreed with the gfn's attribute. flags has KVM_MEMORY_EXIT_FLAG_PRIVATE iff the
   * access was private. The faulting instruction has not executed.
   */
  | MemoryFaultExit
  /** KVM_RUN returned -errno (e.g. -EFAULT when memory cannot hold tags in an MTE VM). */
  | { reason: 'error'; ret: number; errno: Errno; message: string; gpa: number; pc: number }
  /** The guest stopped for the debugger. */
  | { reason: 'debug'; detail: string };

/** KVM_EXIT_MEMORY_FAULT as the VMM sees it (run->memory_fault plus the -EFAULT return). */
export interface MemoryFaultExit {
  reason: 'memory_fault'; exitReason: typeof KVM_EXIT_MEMORY_FAULT; ret: -14;
  gpa: number; size: number; flags: number; private: boolean; pc: number;
}

/** A VMM's synchronous exit handler: 'retry' re-enters KVM_RUN at once (the access is redone). */
export type ExitHandler = (exit: VmExit) => 'retry' | 'stop';

// ---- memslots -------------------------------------------------------------------------------------

/** struct kvm_userspace_memory_region2 (the guest_memfd is passed as an object). */
export interface UserMemoryRegion2 {
  slot: number;
  flags: number;
  guestPhysAddr: number;
  memorySize: number;
  userspaceAddr: number;
  guestMemfd?: GuestMemfd | null;
  guestMemfdOffset?: number;
}

export interface Memslot {
  readonly id: number;
  baseGfn: number;
  readonly npages: number;
  flags: number;
  readonly userspaceAddr: number;
  readonly gmem: GuestMemfd | null;
  /** guest_memfd offset in pages. */
  readonly gmemPgoff: number;
  /** Dirty bitmap (bit i = page i, little-endian bit order), when KVM_MEM_LOG_DIRTY_PAGES. */
  dirty: Uint8Array | null;
}

export type MemslotChange = 'create' | 'delete' | 'move' | 'flags-only' | 'none';

/** A stage-2 translation table entry. */
interface S2Entry {
  mapping: PhysMapping;
  host: HostPage;
  slot: Memslot;
  gfn: number;
  exec: boolean;
  memType: 'normal' | 'normal-nc' | 'device';
  private: boolean;
}

export interface CreateVmOptions {
  /** Name used in events. */
  name?: string;
  /** KVM_VM_TYPE_ARM_IPA_SIZE: guest-physical address bits (default 40). */
  ipaBits?: number;
  /**
   * A VM type with private memory (like a CCA realm / KVM_X86_SW_PROTECTED_VM): guest_memfd slots
   * and KVM_MEMORY_ATTRIBUTE_PRIVATE are supported, MTE is not.
   */
  protected?: boolean;
  /** Debug policy of a protected VM: the VMM may read/write private memory for debugging. */
  debugAllowed?: boolean;
  /** Event bus shared with the host/VMM. */
  events?: HvEventBus;
}

/** What the VMM tells the guest about its physical memory (a device tree, in effect). */
export interface GuestMemoryMap {
  ram: { firstGpn: number; count: number }[];
  devices: { name: string; firstGpn: number; count: number; kind: string }[];
}

// ---- /dev/kvm -------------------------------------------------------------------------------------

export class Kvm {
  private vmCount = 0;
  constructor(readonly host: Host, readonly process: HostProcess) {}

  /** KVM_CHECK_EXTENSION (on /dev/kvm, or on a VM for VM-dependent answers). */
  checkExtension(cap: number, vm?: KvmVm): number {
    switch (cap) {
      case KVM_CAP_ARM_MTE: return this.host.caps.mte && !(vm?.isProtected ?? false) ? 1 : 0;
      case KVM_CAP_USER_MEMORY2: return 1;
      case KVM_CAP_MEMORY_FAULT_INFO: return 1;
      case KVM_CAP_MEMORY_ATTRIBUTES: return vm === undefined || vm.isProtected ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
      case KVM_CAP_GUEST_MEMFD: return vm === undefined || vm.isProtected ? 1 : 0;
      case KVM_CAP_VM_TYPES: return 0b11; // default and protected
      case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: return KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET;
      case KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED: return this.host.supportsCacheablePfnmap ? 1 : 0;
      default: return 0;
    }
  }

  /** KVM_CREATE_VM with an IPA size (kvm_init_stage2_mmu / kvm_arm_setup_stage2 rules). */
  createVm(opts: CreateVmOptions = {}): HvResult<KvmVm> {
    const ipa = opts.ipaBits ?? KVM_PHYS_SHIFT_DEFAULT;
    if (!Number.isInteger(ipa) || ipa < KVM_PHYS_SHIFT_MIN || ipa > this.host.caps.ipaLimit) {
      return fail('EINVAL', 'KVM_CREATE_VM', 'ipa_bits', `${ipa} is outside [${KVM_PHYS_SHIFT_MIN}, ${this.host.caps.ipaLimit}] (host IPA limit)`, 'kvm_init_stage2_mmu');
    }
    const vm = new KvmVm(this, opts.name ?? `vm${this.vmCount++}`, ipa, opts.protected === true, opts.debugAllowed === true, opts.events ?? this.host.events ?? new HvEventBus());
    return ok(vm);
  }
}

// ---- the VM ---------------------------------------------------------------------------------------

export class KvmVm implements GuestPhysicalMemory {
  readonly host: Host;
  readonly mm: HostProcess;
  /** KVM_ARCH_FLAG_MTE_ENABLED. */
  mteEnabled = false;
  manualDirtyLogProtect = false;
  dirtyLogInitiallySet = false;
  readonly slots = new Map<number, Memslot>();
  private sortedSlots: Memslot[] = [];
  /** gfns with KVM_MEMORY_ATTRIBUTE_PRIVATE. */
  readonly privateGfns = new RangeSet();
  private readonly s2 = new Map<number, S2Entry>();
  private readonly listeners: ((gpn: number) => void)[] = [];
  readonly vcpus: KvmVcpu[] = [];
  nrMemslotsDirtyLogging = 0;
  /** Set by stage 2 before it throws a PhysAccessError that the VMM must handle. */
  private pendingExit: VmExit | null = null;
  /** The VMM's synchronous exit handler (e.g. QEMU-style automatic private/shared conversion). */
  exitHandler: ExitHandler | null = null;
  /** Last guest pc seen by stage 2 (for events raised outside guest accesses). */
  lastPc = -1;
  /** The VM was torn down (e.g. after migrating away): KVM_RUN fails. */
  destroyed = false;
  /** Filled by the VMM: the guest's memory map. */
  memoryMap: GuestMemoryMap = { ram: [], devices: [] };
  /** Stage-2 fault counters. */
  readonly stats = { faults: 0, sanitised: 0, dirtied: 0, memoryFaultExits: 0, runErrors: 0, abortsInjected: 0 };

  constructor(
    readonly kvm: Kvm,
    readonly name: string,
    /** IPA size in bits. */
    readonly ipaBits: number,
    readonly isProtected: boolean,
    readonly debugAllowed: boolean,
    readonly events: HvEventBus,
  ) {
    this.host = kvm.host;
    this.mm = kvm.process;
    // kvm_mmu_notifier_invalidate_range_start: the host is changing what backs these hvas.
    this.mm.notifiers.push(this.notifier);
  }

  private readonly notifier = (a: number, z: number, why: InvalidateReason) => this.hvaInvalidated(a, z, why);
  private readonly tagAlloc = () => this.host.allocTags();

  /** Guest-physical pages in the IPA space. */
  get ipaPages(): number { return 2 ** (this.ipaBits - 12); }

  /**
   * The "shared" bit of a protected VM, as a guest-physical page-number bit (0 when the VM has no
   * private memory). Like a CCA realm's top IPA bit: an access to gpn | sharedGpnBit is a shared
   * access to gfn gpn; an access without it is a private access. Memslots live below it.
   */
  get sharedGpnBit(): number { return this.isProtected ? 2 ** (this.ipaBits - 1 - 12) : 0; }

  // ---- events ---------------------------------------------------------------------------------------

  private ev(kind: HvEventKind, gpn: number, reason: string, detail?: Record<string, string | number | boolean>): void {
    if (this.events.active) this.events.emit(kind, this.name, gpn >= 0 ? gpn * PAGE_SIZE : -1, this.lastPc, reason, detail);
  }

  // ---- capabilities ---------------------------------------------------------------------------------

  /** KVM_ENABLE_CAP on the VM. */
  enableCap(cap: number, args: number[] = [], flags = 0): HvResult<void> {
    const where = 'KVM_ENABLE_CAP';
    if (flags !== 0) return fail('EINVAL', where, 'flags', `must be 0, got ${flags}`, 'kvm_vm_ioctl_enable_cap');
    switch (cap) {
      case KVM_CAP_ARM_MTE:
        if (this.isProtected) {
          return fail('EINVAL', where, 'KVM_CAP_ARM_MTE', 'MTE together with private memory (guest_memfd) is not supported: protected VMs cannot enable MTE', 'kvm_vm_ioctl_enable_cap / kvm_pvm_ext_allowed');
        }
        if (!this.host.caps.mte) return fail('EINVAL', where, 'KVM_CAP_ARM_MTE', 'the host does not support MTE (system_supports_mte)', 'kvm_vm_ioctl_enable_cap');
        if (this.vcpus.length > 0) {
          return fail('EINVAL', where, 'KVM_CAP_ARM_MTE', `must be enabled before any vCPU is created (${this.vcpus.length} exist)`, 'kvm_vm_ioctl_enable_cap');
        }
        this.mteEnabled = true;
        this.ev('cap', -1, 'KVM_CAP_ARM_MTE enabled: stage-2 faults now sanitise tags; memslots need VM_MTE_ALLOWED');
        return ok(undefined);
      case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: {
        const a = args[0] ?? 0;
        if ((a & ~(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET)) !== 0) {
          return fail('EINVAL', where, 'args[0]', `unknown bits ${hex(a)}`, 'kvm_vm_ioctl_enable_cap_generic');
        }
        this.manualDirtyLogProtect = (a & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE) !== 0;
        this.dirtyLogInitiallySet = this.manualDirtyLogProtect && (a & KVM_DIRTY_LOG_INITIALLY_SET) !== 0;
        return ok(undefined);
      }
      default:
        return fail('EINVAL', where, 'cap', `capability ${cap} cannot be enabled on this VM`, 'kvm_vm_ioctl_enable_cap');
    }
  }

  // ---- vCPUs ----------------------------------------------------------------------------------------

  /** KVM_CREATE_VCPU. */
  createVcpu(id = this.vcpus.length): HvResult<KvmVcpu> {
    if (this.vcpus.some(v => v.id === id)) return fail('EEXIST', 'KVM_CREATE_VCPU', 'id', `vCPU ${id} already exists`, 'kvm_vm_ioctl_create_vcpu');
    if (!Number.isInteger(id) || id < 0 || id >= 512) return fail('EINVAL', 'KVM_CREATE_VCPU', 'id', `${id} is not a valid vCPU id`, 'kvm_vm_ioctl_create_vcpu');
    const v = new KvmVcpu(this, id);
    this.vcpus.push(v);
    this.ev('vcpu', -1, `KVM_CREATE_VCPU ${id}${this.mteEnabled ? ' (MTE: HCR_EL2.ATA set, GCR/RGSR/TFSR per vCPU)' : ''}`);
    return ok(v);
  }

  // ---- guest_memfd and memory attributes --------------------------------------------------------------

  /** KVM_CREATE_GUEST_MEMFD. */
  createGuestMemfd(size: number, flags = 0): HvResult<GuestMemfd> {
    const where = 'KVM_CREATE_GUEST_MEMFD';
    if (!this.isProtected) return fail('EINVAL', where, 'vm', 'this VM type has no private memory (kvm_arch_has_private_mem is false)', 'kvm_gmem_create');
    if ((flags & ~(GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)) !== 0) return fail('EINVAL', where, 'flags', `unknown flags ${hex(flags)}`, 'kvm_gmem_create');
    if (!Number.isSafeInteger(size) || size <= 0 || size % PAGE_SIZE !== 0) return fail('EINVAL', where, 'size', `${size} is not a positive multiple of the page size`, 'kvm_gmem_create');
    const g = this.host.guestMemfd(size, flags);
    g.owner = this;
    this.host.extraObjects.add(g);
    return ok(g);
  }

  /** KVM_SET_MEMORY_ATTRIBUTES (kvm_vm_ioctl_set_mem_attributes). Unmaps stage 2 in the range. */
  setMemoryAttributes(address: number, size: number, attributes: number, flags = 0): HvResult<void> {
    const where = 'KVM_SET_MEMORY_ATTRIBUTES';
    const rule = 'kvm_vm_ioctl_set_mem_attributes';
    if (flags !== 0) return fail('EINVAL', where, 'flags', 'must be 0', rule);
    const supported = this.isProtected ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
    if ((attributes & ~supported) !== 0) return fail('EINVAL', where, 'attributes', `${hex(attributes)} not supported by this VM (supported: ${hex(supported)})`, rule);
    if (size === 0 || address + size > 2 ** 64) return fail('EINVAL', where, 'size', `${size} is zero or overflows`, rule);
    if (address % PAGE_SIZE !== 0) return fail('EINVAL', where, 'address', `${hex(address)} is not page aligned`, rule);
    if (size % PAGE_SIZE !== 0) return fail('EINVAL', where, 'size', `${hex(size)} is not page aligned`, rule);
    const start = address / PAGE_SIZE, end = start + size / PAGE_SIZE;
    const toPrivate = (attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) !== 0;
    if (toPrivate) this.privateGfns.add(start, end); else this.privateGfns.remove(start, end);
    // kvm_arch_pre_set_memory_attributes -> kvm_unmap_gfn_range: both aliases of the range.
    this.unmapGfnRange(start, end - start, 'attributes');
    this.ev('conversion', start, `KVM_SET_MEMORY_ATTRIBUTES: ${end - start} page(s) now ${toPrivate ? 'private' : 'shared'}; stage 2 unmapped`, { pages: end - start, private: toPrivate });
    return ok(undefined);
  }

  isPrivate(gfn: number): boolean { return this.privateGfns.has(gfn); }

  // ---- memslots -------------------------------------------------------------------------------------

  /** KVM_SET_USER_MEMORY_REGION2: kvm_vm_ioctl_set_memory_region -> kvm_set_memory_region. */
  setUserMemoryRegion2(m: UserMemoryRegion2): HvResult<MemslotChange> {
    const W = 'KVM_SET_USER_MEMORY_REGION2';
    const R = 'kvm_set_memory_region';
    const id = m.slot & 0xffff, asId = Math.floor(m.slot / 0x10000);
    if (!Number.isInteger(m.slot) || m.slot < 0 || id >= KVM_USER_MEM_SLOTS) return fail('EINVAL', W, 'slot', `${m.slot} is not a user memslot id (< ${KVM_USER_MEM_SLOTS})`, 'kvm_vm_ioctl_set_memory_region');
    // check_memory_region_flags
    let valid = KVM_MEM_LOG_DIRTY_PAGES;
    if (this.isProtected) valid |= KVM_MEM_GUEST_MEMFD;
    if (m.flags & KVM_MEM_GUEST_MEMFD) valid &= ~KVM_MEM_LOG_DIRTY_PAGES;
    else valid |= KVM_MEM_READONLY;
    if ((m.flags & ~valid) !== 0) {
      const why = (m.flags & KVM_MEM_GUEST_MEMFD) && !this.isProtected ? 'KVM_MEM_GUEST_MEMFD needs a VM type with private memory'
        : (m.flags & KVM_MEM_GUEST_MEMFD) && (m.flags & KVM_MEM_LOG_DIRTY_PAGES) ? 'dirty logging of private memory is not supported'
        : (m.flags & KVM_MEM_GUEST_MEMFD) && (m.flags & KVM_MEM_READONLY) ? 'guest_memfd slots cannot be read-only'
        : `unknown flags ${hex(m.flags & ~valid)}`;
      return fail('EINVAL', W, 'flags', why, 'check_memory_region_flags');
    }
    const size = m.memorySize, gpa = m.guestPhysAddr, ua = m.userspaceAddr;
    if (!Number.isSafeInteger(size) || size < 0 || size % PAGE_SIZE !== 0) return fail('EINVAL', W, 'memory_size', `${size} is not a multiple of the page size`, R);
    if (!Number.isSafeInteger(gpa) || gpa < 0 || gpa % PAGE_SIZE !== 0) return fail('EINVAL', W, 'guest_phys_addr', `${hex(gpa)} is not page aligned`, R);
    if (!Number.isSafeInteger(ua) || ua < 0 || ua % PAGE_SIZE !== 0 || ua + size > 2 ** 48) return fail('EINVAL', W, 'userspace_addr', `${hex(ua)} is not a page-aligned user address (access_ok)`, R);
    const gmemOff = m.guestMemfdOffset ?? 0;
    if ((m.flags & KVM_MEM_GUEST_MEMFD) && (gmemOff % PAGE_SIZE !== 0 || gmemOff < 0)) return fail('EINVAL', W, 'guest_memfd_offset', `${hex(gmemOff)} is not page aligned`, R);
    if (asId >= 1) return fail('EINVAL', W, 'slot', `address space ${asId} does not exist on arm64`, R);
    if (gpa + size > 2 ** 64) return fail('EINVAL', W, 'guest_phys_addr', 'guest_phys_addr + memory_size overflows', R);
    const npages = size / PAGE_SIZE;
    if (npages > KVM_MEM_MAX_NR_PAGES) return fail('EINVAL', W, 'memory_size', `${npages} pages exceed KVM_MEM_MAX_NR_PAGES`, R);
    const old = this.slots.get(id);
    if (size === 0) {
      if (old === undefined) return fail('EINVAL', W, 'slot', `slot ${id} does not exist (memory_size 0 deletes a slot)`, R);
      return this.commitSlot(old, null, 'delete');
    }
    const baseGfn = gpa / PAGE_SIZE;
    let change: MemslotChange;
    if (old === undefined) change = 'create';
    else {
      if (m.flags & KVM_MEM_GUEST_MEMFD) return fail('EINVAL', W, 'flags', `slot ${id}: private (guest_memfd) memslots are immutable, they can only be deleted`, R);
      if (ua !== old.userspaceAddr) return fail('EINVAL', W, 'userspace_addr', `slot ${id}: cannot change an existing slot's userspace_addr (${hex(old.userspaceAddr)})`, R);
      if (npages !== old.npages) return fail('EINVAL', W, 'memory_size', `slot ${id}: cannot resize an existing slot (${old.npages} pages)`, R);
      if (((m.flags ^ old.flags) & KVM_MEM_READONLY) !== 0) return fail('EINVAL', W, 'flags', `slot ${id}: KVM_MEM_READONLY cannot change`, R);
      if (old.gmem !== null && (m.flags & KVM_MEM_GUEST_MEMFD) === 0) return fail('EINVAL', W, 'flags', `slot ${id}: private (guest_memfd) memslots are immutable, they can only be deleted`, R);
      if (baseGfn !== old.baseGfn) change = 'move';
      else if (m.flags !== old.flags) change = 'flags-only';
      else return ok('none');
    }
    if (change === 'create' || change === 'move') {
      const clash = this.sortedSlots.find(s => s.id !== id && s.baseGfn < baseGfn + npages && baseGfn < s.baseGfn + s.npages);
      if (clash) return fail('EEXIST', W, 'guest_phys_addr', `[${hex(gpa)}, ${hex(gpa + size)}) overlaps slot ${clash.id} at ${hex(clash.baseGfn * PAGE_SIZE)}`, 'kvm_check_memslot_overlap');
    }
    let gmem: GuestMemfd | null = null;
    if (m.flags & KVM_MEM_GUEST_MEMFD) {
      // kvm_gmem_bind
      const g = m.guestMemfd;
      if (!(g instanceof GuestMemfd)) return fail('EINVAL', W, 'guest_memfd', 'is not a guest_memfd', 'kvm_gmem_bind');
      if (g.owner !== this) return fail('EINVAL', W, 'guest_memfd', 'belongs to another VM', 'kvm_gmem_bind');
      if (gmemOff / PAGE_SIZE + npages > g.sizePages) return fail('EINVAL', W, 'guest_memfd_offset', `offset + size exceed the guest_memfd (${g.sizePages} pages)`, 'kvm_gmem_bind');
      if (g.bound) return fail('EEXIST', W, 'guest_memfd', 'already bound to a memslot', 'kvm_gmem_bind');
      gmem = g;
    }
    const slot: Memslot = {
      id, baseGfn, npages, flags: m.flags, userspaceAddr: ua, gmem, gmemPgoff: gmemOff / PAGE_SIZE,
      dirty: old?.dirty ?? null,
    };
    // kvm_arch_prepare_memory_region (CREATE / MOVE / FLAGS_ONLY)
    const arch = this.archPrepare(slot);
    if (!arch.ok) return arch;
    // kvm_prepare_memory_region: the dirty bitmap
    if ((m.flags & KVM_MEM_LOG_DIRTY_PAGES) === 0) slot.dirty = null;
    else if (slot.dirty === null) {
      slot.dirty = new Uint8Array(Math.ceil(npages / 64) * 8);
      if (this.dirtyLogInitiallySet) { for (let i = 0; i < npages; i++) slot.dirty[i >> 3] |= 1 << (i & 7); }
    }
    if (gmem) {
      gmem.bound = true;
      gmem.onInvalidate = (pg, n) => this.gmemInvalidated(slot, pg, n);
    }
    return this.commitSlot(old ?? null, slot, change);
  }

  /** kvm_arch_prepare_memory_region (arch/arm64/kvm/mmu.c). */
  private archPrepare(s: Memslot): HvResult<void> {
    const W = 'KVM_SET_USER_MEMORY_REGION2';
    const R = 'kvm_arch_prepare_memory_region';
    const limit = this.isProtected ? this.sharedGpnBit : this.ipaPages;
    if (s.baseGfn + s.npages > limit) {
      return fail('EFAULT', W, 'guest_phys_addr', `slot ${s.id} ends at ${hex((s.baseGfn + s.npages) * PAGE_SIZE)}, beyond the VM's ${this.isProtected ? 'protected IPA range' : 'IPA size'} (${hex(limit * PAGE_SIZE)})`, R);
    }
    const start = s.userspaceAddr, end = start + s.npages * PAGE_SIZE;
    for (const vma of this.mm.vmasIn(start, end)) {
      if (this.mteEnabled && !vma.flags.mteAllowed) {
        return fail('EINVAL', W, 'userspace_addr', `slot ${s.id}: MTE VM and the VMA ${vma.describe()} lacks VM_MTE_ALLOWED`, R + ' / kvm_vma_mte_allowed');
      }
      if (vma.flags.pfnmap) {
        if (s.flags & KVM_MEM_LOG_DIRTY_PAGES) return fail('EINVAL', W, 'flags', `slot ${s.id}: dirty logging of a VM_PFNMAP region (${vma.obj.name}) is not allowed`, R);
        if (vma.flags.cacheable && !this.host.supportsCacheablePfnmap) {
          return fail('EINVAL', W, 'userspace_addr', `slot ${s.id}: cacheable VM_PFNMAP (${vma.obj.name}) needs stage-2 FWB and CTR_EL0.DIC`, R + ' / kvm_supports_cacheable_pfnmap');
        }
      }
    }
    return ok(undefined);
  }

  private commitSlot(old: Memslot | null, slot: Memslot | null, change: MemslotChange): HvResult<MemslotChange> {
    if (change === 'delete' || change === 'move') {
      // kvm_invalidate_memslot -> kvm_arch_flush_shadow_memslot
      this.unmapSlot(old!, change === 'delete' ? 'memslot deleted' : 'memslot moved');
    }
    const wasLogging = old !== null && (old.flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0;
    const nowLogging = slot !== null && (slot.flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0;
    if (old) this.slots.delete(old.id);
    if (change === 'delete' && old!.gmem) { old!.gmem.bound = false; old!.gmem.onInvalidate = null; }
    if (slot) this.slots.set(slot.id, slot);
    if (change === 'flags-only') for (const e of this.s2.values()) if (e.slot === old) e.slot = slot!;
    this.sortedSlots = [...this.slots.values()].sort((a, b) => a.baseGfn - b.baseGfn);
    if (wasLogging !== nowLogging) this.nrMemslotsDirtyLogging += nowLogging ? 1 : -1;
    // kvm_arch_commit_memory_region: enabling dirty logging write-protects the whole slot (unless
    // manual-protect with initially-set, where KVM_CLEAR_DIRTY_LOG protects gradually).
    if (nowLogging && !wasLogging && change !== 'delete' && !this.dirtyLogInitiallySet) this.writeProtectSlot(slot!);
    const s = slot ?? old!;
    this.ev('memslot', s.baseGfn, `${change}: slot ${s.id} [${hex(s.baseGfn * PAGE_SIZE)}, ${hex((s.baseGfn + s.npages) * PAGE_SIZE)}) hva ${hex(s.userspaceAddr)}${s.gmem ? ' guest_memfd' : ''}`,
      { slot: s.id, pages: s.npages, dirtyLog: nowLogging, readonly: (s.flags & KVM_MEM_READONLY) !== 0 });
    return ok(change);
  }

  /** gfn -> memslot (search_memslots). */
  findSlot(gfn: number): Memslot | undefined {
    const a = this.sortedSlots;
    let lo = 0, hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = a[mid];
      if (gfn < s.baseGfn) hi = mid - 1;
      else if (gfn >= s.baseGfn + s.npages) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  /** gfn -> hva of its shared backing (gfn_to_hva_memslot). */
  gfnToHva(gfn: number): number {
    const s = this.findSlot(gfn);
    return s === undefined ? -1 : s.userspaceAddr + (gfn - s.baseGfn) * PAGE_SIZE;
  }

  /** hva -> gfn through the memslots, or -1 (for events and notifiers). */
  hvaToGfn(hva: number): number {
    for (const s of this.sortedSlots) {
      if (hva >= s.userspaceAddr && hva < s.userspaceAddr + s.npages * PAGE_SIZE) return s.baseGfn + Math.floor((hva - s.userspaceAddr) / PAGE_SIZE);
    }
    return -1;
  }

  // ---- stage 2 --------------------------------------------------------------------------------------

  addInvalidationListener(fn: (gpn: number) => void): void { this.listeners.push(fn); }

  private invalidated(gpn: number): void { for (const l of this.listeners) l(gpn); }

  ramRanges(): { firstGpn: number; count: number }[] { return this.memoryMap.ram.map(r => ({ ...r })); }

  /** The stage-2 entry for a guest-physical page, if mapped (for tests and the debugger). */
  stage2(gpn: number): Readonly<{ writable: boolean; tagCapable: boolean; memType: string; exec: boolean; private: boolean }> | undefined {
    const e = this.s2.get(gpn);
    return e && { writable: e.mapping.writable, tagCapable: e.mapping.tagCapable, memType: e.memType, exec: e.exec, private: e.private };
  }

  get stage2Size(): number { return this.s2.size; }

  /**
   * The runtime's question after a GuestFault 'external': does the VMM have to act (non-null:
   * return { kind: 'hv-exit' } from runSlice and leave the vCPU as it is), or did KVM inject an
   * external abort (null: deliver SIGBUS to the guest process)? Does not consume the exit.
   */
  peekPendingExit(): VmExit | null { return this.pendingExit; }

  /** Takes the exit stage 2 left for the VMM (KVM_RUN does this when the guest reports 'hv-exit'). */
  takePendingExit(): VmExit | null {
    const e = this.pendingExit;
    this.pendingExit = null;
    return e;
  }

  /**
   * GuestPhysicalMemory.resolve: the stage-2 walk. A hit returns the cached mapping; a miss, a
   * write to a read-only entry or an exec of a non-executable entry is a stage-2 fault handled
   * like kvm_handle_guest_abort. `exec` is optional (instruction fetches).
   */
  resolve(gpn: number, write: boolean, pc: number, exec = false): PhysMapping {
    this.lastPc = pc;
    const e = this.s2.get(gpn);
    if (e !== undefined && (!write || e.mapping.writable) && (!exec || e.exec)) return e.mapping;
    return this.guestAbort(gpn, write, exec, 0);
  }

  private guestAbort(gpn: number, write: boolean, exec: boolean, depth: number): PhysMapping {
    this.stats.faults++;
    const r = this.handleGuestAbort(gpn, write, exec);
    if (r instanceof PhysAccessError) {
      const exit = this.pendingExit;
      if (exit !== null && this.exitHandler !== null && depth === 0 && exit.reason === 'memory_fault') {
        this.pendingExit = null;
        if (this.exitHandler(exit) === 'retry') return this.guestAbort(gpn, write, exec, 1);
        this.pendingExit = exit;
      }
      throw r;
    }
    return r;
  }

  /** kvm_handle_guest_abort: returns the new mapping or the error to throw (pendingExit set if the VMM must act). */
  private handleGuestAbort(gpn: number, write: boolean, exec: boolean): PhysMapping | PhysAccessError {
    const sb = this.sharedGpnBit;
    const shared = sb !== 0 && Math.floor(gpn / sb) % 2 === 1;
    const gfn = shared ? gpn - sb : gpn;
    if (gpn >= this.ipaPages) {
      // Beyond the IPA size: kvm_inject_size_fault / kvm_inject_sea.
      return this.injectAbort(gpn, write, `IPA ${hex(gpn * PAGE_SIZE)} is beyond the VM's ${this.ipaBits}-bit IPA space`);
    }
    const slot = this.findSlot(gfn);
    if (this.isProtected) {
      const privAccess = !shared;
      const privAttr = this.privateGfns.has(gfn);
      // kvm_mmu_prepare_memory_fault_exit: the access kind must match the gfn's attribute, and a
      // private gfn must be backed by a guest_memfd slot (no emulated MMIO for private memory).
      if (privAccess !== privAttr || (privAttr && (slot === undefined || slot.gmem === null))) {
        return this.memoryFaultExit(gfn, write, privAccess, privAccess !== privAttr
          ? `${privAccess ? 'private' : 'shared'} access to a gfn whose attribute is ${privAttr ? 'private' : 'shared'}`
          : 'private gfn without a guest_memfd memslot');
      }
    }
    if (slot === undefined) return this.mmio(gpn, write, 'no memslot (KVM_EXIT_MMIO)');
    if (write && (slot.flags & KVM_MEM_READONLY)) return this.mmio(gpn, write, `write to read-only memslot ${slot.id} (KVM_EXIT_MMIO)`);
    if (this.isProtected && !shared) return this.gmemAbort(gpn, gfn, slot, write, exec);
    return this.userMemAbort(gpn, gfn, slot, write, exec);
  }

  /** user_mem_abort (arch/arm64/kvm/mmu.c), for memory backed by the VMM's address space. */
  private userMemAbort(gpn: number, gfn: number, slot: Memslot, write: boolean, exec: boolean): PhysMapping | PhysAccessError {
    const hva = slot.userspaceAddr + (gfn - slot.baseGfn) * PAGE_SIZE;
    const vma = this.mm.findVma(hva);
    if (vma === undefined) return this.runError(gpn, 'EFAULT', `user_mem_abort: Failed to find VMA for hva ${hex(hva)} (slot ${slot.id})`);
    const logging = slot.dirty !== null;
    const mteAllowed = vma.flags.mteAllowed;
    const cacheable = vma.flags.cacheable;
    const anyUc = vma.flags.allowAnyUncached;
    const old = this.s2.get(gpn);
    // __kvm_faultin_pfn: get_user_pages with FOLL_WRITE on write faults.
    const hp = this.mm.faultInPage(hva, write, gpn);
    if (hp === null) return this.runError(gpn, this.mm.faultErrno, `user_mem_abort: __kvm_faultin_pfn failed: ${this.mm.faultWhy}`);
    let writable = hp.writable && vma.flags.write;
    let forceNC = false;
    if (vma.flags.pfnmap && hp.kind === 'pfn') {
      if (cacheable) {
        if (!this.host.supportsCacheablePfnmap) return this.runError(gpn, 'EFAULT', `user_mem_abort: cacheable VM_PFNMAP (${vma.obj.name}) without stage-2 FWB and CTR_EL0.DIC`);
      } else {
        forceNC = true; // s2_force_noncacheable
      }
    } else if (logging && !write) {
      writable = false; // "Only actually map the page as writable if this was a write fault."
    }
    if (exec && forceNC) return this.injectAbort(gpn, write, 'execute from non-cacheable device memory (-ENOEXEC: kvm_inject_sea_iabt)');
    // A permission fault only relaxes the existing entry (same frame); otherwise it is a new mapping.
    const permFault = old !== undefined && old.host === hp;
    let sanitised = false;
    if (!permFault && !forceNC && this.mteEnabled) {
      if (!mteAllowed) {
        return this.runError(gpn, 'EFAULT', `user_mem_abort: MTE VM and the VMA ${vma.describe()} lacks VM_MTE_ALLOWED (${hp.kind === 'zone_device' ? 'ZONE_DEVICE memory cannot hold tags' : hp.kind === 'pfn' ? 'device memory cannot hold tags' : 'memory not known to hold tags'}); the VMM changed the memory behind slot ${slot.id}`);
      }
      sanitised = this.sanitiseMteTags(hp, gpn);
    }
    const memType: S2Entry['memType'] = forceNC ? (anyUc ? 'normal-nc' : 'device') : 'normal';
    const tagCapable = memType === 'normal' && this.mteEnabled && hp.kind === 'ram';
    const execOk = exec || (!forceNC && this.host.caps.dic) || (permFault && old!.exec);
    const mapping: PhysMapping = { page: hp.page, tagCapable, writable, executable: execOk };
    const entry: S2Entry = { mapping, host: hp, slot, gfn, exec: execOk, memType, private: false };
    this.s2.set(gpn, entry);
    if (old !== undefined && old.mapping !== mapping) this.invalidated(gpn); // TLBs may cache the old entry
    if (this.events.active) {
      this.ev('stage2-map', gpn, permFault ? `user_mem_abort: permission fault, ${write ? 'write' : 'exec'} allowed now` : `user_mem_abort: ${write ? 'write' : exec ? 'exec' : 'read'} fault mapped ${vma.obj.kind} memory as ${memType === 'normal' ? 'Normal cacheable' : memType === 'normal-nc' ? 'Normal-NC (VM_ALLOW_ANY_UNCACHED)' : 'Device-nGnRE'}`,
        { slot: slot.id, hva, writable, tagCapable, ...(sanitised ? { sanitised } : {}) });
    }
    if (writable) this.markDirty(slot, gfn);
    return mapping;
  }

  /**
   * sanitise_mte_tags: the page becomes Normal Cacheable at stage 2, so the guest can read its
   * tags; if PG_mte_tagged is clear (try_page_mte_tagging), zero them and set the flag.
   */
  private sanitiseMteTags(hp: HostPage, gpn: number): boolean {
    const p = hp.page;
    if (p.mteTagged) return false;
    p.clearTags();
    p.mteTagged = true;
    this.stats.sanitised++;
    if (this.events.active) this.ev('sanitise', gpn, 'sanitise_mte_tags: PG_mte_tagged was clear, tags zeroed and the flag set');
    return true;
  }

  /** gmem_abort / kvm_gmem_get_pfn: private memory comes from the slot's guest_memfd. */
  private gmemAbort(gpn: number, gfn: number, slot: Memslot, write: boolean, exec: boolean): PhysMapping {
    const g = slot.gmem!;
    const pg = slot.gmemPgoff + (gfn - slot.baseGfn);
    let e = g.pages.get(pg);
    let hp: HostPage;
    if (e === undefined || typeof e === 'number') {
      hp = this.host.allocFrame(g, pg, gpn); // kvm_gmem_get_folio: zeroed ("prepared") page
      g.pages.set(pg, hp);
      e = hp;
    } else hp = e;
    const mapping: PhysMapping = { page: hp.page, tagCapable: false, writable: true };
    this.s2.set(gpn, { mapping, host: hp, slot, gfn, exec: true, memType: 'normal', private: true });
    if (this.events.active) this.ev('stage2-map', gpn, `gmem_abort: ${write ? 'write' : exec ? 'exec' : 'read'} fault mapped private guest_memfd page ${pg}`, { slot: slot.id, private: true });
    return mapping;
  }

  /** mark_page_dirty_in_slot. */
  private markDirty(slot: Memslot, gfn: number): void {
    const d = slot.dirty;
    if (d === null) return;
    const i = gfn - slot.baseGfn;
    const bit = 1 << (i & 7);
    if ((d[i >> 3] & bit) === 0) {
      d[i >> 3] |= bit;
      this.stats.dirtied++;
      if (this.events.active) this.ev('dirty', gfn, 'mark_page_dirty_in_slot: writable stage-2 mapping installed', { slot: slot.id });
    }
  }

  private memoryFaultExit(gfn: number, write: boolean, privAccess: boolean, why: string): PhysAccessError {
    this.stats.memoryFaultExits++;
    const exit: MemoryFaultExit = {
      reason: 'memory_fault', exitReason: KVM_EXIT_MEMORY_FAULT, ret: -14, gpa: gfn * PAGE_SIZE, size: PAGE_SIZE,
      flags: privAccess ? KVM_MEMORY_EXIT_FLAG_PRIVATE : 0, private: privAccess, pc: this.lastPc,
    };
    this.pendingExit = exit;
    this.ev('memory-fault-exit', gfn, `KVM_EXIT_MEMORY_FAULT: ${why}; KVM_RUN returns -EFAULT to the VMM`, { flags: exit.flags, size: PAGE_SIZE, write });
    return new PhysAccessError(gfn, `KVM_EXIT_MEMORY_FAULT: ${why}`, write);
  }

  private runError(gpn: number, errno: Errno, message: string): PhysAccessError {
    this.stats.runErrors++;
    this.pendingExit = { reason: 'error', ret: -ERRNO[errno], errno, message, gpa: gpn * PAGE_SIZE, pc: this.lastPc };
    this.ev('run-error', gpn, `KVM_RUN returns -${errno}: ${message}`, { code: -ERRNO[errno] });
    return new PhysAccessError(gpn, `KVM_RUN failed with -${errno}: ${message}`, false);
  }

  private injectAbort(gpn: number, write: boolean, why: string): PhysAccessError {
    this.stats.abortsInjected++;
    this.pendingExit = null;
    this.ev('abort-injected', gpn, `external abort injected into the guest: ${why}`);
    return new PhysAccessError(gpn, `external abort: ${why}`, write);
  }

  /**
   * An access outside RAM memslots: io_mem_abort would return KVM_EXIT_MMIO with the instruction
   * syndrome; this emulated CPU reports no syndrome (ESR_EL2.ISV = 0), which is KVM_EXIT_ARM_NISV,
   * and the VMM (like QEMU's kvm_arm_handle_dabt_nisv) injects an external data abort.
   */
  private mmio(gpn: number, write: boolean, why: string): PhysAccessError {
    const dev = this.memoryMap.devices.find(d => gpn >= d.firstGpn && gpn < d.firstGpn + d.count);
    this.ev('mmio-exit', gpn, `${why}${dev ? ` in ${dev.kind} region "${dev.name}"` : ''}: no instruction syndrome (KVM_EXIT_ARM_NISV), the VMM injects an external data abort`, { write });
    return this.injectAbort(gpn, write, `${write ? 'write' : 'read'} of MMIO ${hex(gpn * PAGE_SIZE)}${dev ? ` (${dev.name})` : ''}`);
  }

  // ---- invalidation -----------------------------------------------------------------------------------

  /** MMU notifier: the host stops backing [start, end) of the VMM's address space. */
  private hvaInvalidated(start: number, end: number, why: InvalidateReason): void {
    for (const s of this.sortedSlots) {
      const a = Math.max(start, s.userspaceAddr), z = Math.min(end, s.userspaceAddr + s.npages * PAGE_SIZE);
      if (a >= z) continue;
      const g0 = s.baseGfn + (a - s.userspaceAddr) / PAGE_SIZE;
      this.unmapGfnRange(g0, (z - a) / PAGE_SIZE, why, true);
    }
  }

  /** kvm_gmem_invalidate_begin: guest_memfd pages were punched out. */
  private gmemInvalidated(slot: Memslot, firstPgoff: number, count: number): void {
    const a = Math.max(firstPgoff, slot.gmemPgoff), z = Math.min(firstPgoff + count, slot.gmemPgoff + slot.npages);
    if (a < z) this.unmapGfnRange(slot.baseGfn + (a - slot.gmemPgoff), z - a, 'discard');
  }

  /** kvm_unmap_gfn_range for both the private and the shared alias of [gfn, gfn+count). */
  unmapGfnRange(gfn: number, count: number, why: string, sharedOnly = false): number {
    const sb = this.sharedGpnBit;
    let n = 0;
    const drop = (gpn: number) => {
      const e = this.s2.get(gpn);
      if (e === undefined) return;
      if (sharedOnly && e.private) return;
      this.s2.delete(gpn);
      n++;
    };
    if (count <= 256) {
      for (let g = gfn; g < gfn + count; g++) { drop(g); if (sb) drop(g + sb); }
    } else {
      for (const [gpn, e] of [...this.s2]) if (e.gfn >= gfn && e.gfn < gfn + count) drop(gpn);
    }
    if (n > 0) {
      this.invalidated(count === 1 ? gfn : -1);
      if (this.events.active) this.ev('stage2-unmap', gfn, `kvm_unmap_gfn_range: ${n} stage-2 mapping(s) removed (${why})`, { pages: n });
    }
    return n;
  }

  private unmapSlot(s: Memslot, why: string): void { this.unmapGfnRange(s.baseGfn, s.npages, why); }

  /** kvm_mmu_wp_memory_region. */
  private writeProtectSlot(s: Memslot): void {
    let n = 0;
    for (const e of this.s2.values()) {
      if (e.slot === s && e.mapping.writable) {
        e.mapping = { page: e.mapping.page, tagCapable: e.mapping.tagCapable, writable: false, executable: e.exec };
        n++;
      }
    }
    if (n > 0) {
      this.invalidated(-1);
      this.ev('write-protect', s.baseGfn, `kvm_mmu_wp_memory_region: dirty logging on, ${n} page(s) of slot ${s.id} write-protected`, { slot: s.id, pages: n });
    }
  }

  /** kvm_arch_mmu_enable_log_dirty_pt_masked for a list of slot-relative pages. */
  private writeProtectPages(s: Memslot, rel: number[]): void {
    let n = 0;
    const sb = this.sharedGpnBit;
    for (const i of rel) {
      for (const gpn of sb ? [s.baseGfn + i, s.baseGfn + i + sb] : [s.baseGfn + i]) {
        const e = this.s2.get(gpn);
        if (e !== undefined && e.mapping.writable) {
          e.mapping = { page: e.mapping.page, tagCapable: e.mapping.tagCapable, writable: false, executable: e.exec };
          n++;
        }
      }
    }
    if (n > 0) this.invalidated(-1);
  }

  // ---- dirty log --------------------------------------------------------------------------------------

  private slotForLog(where: string, slotId: number): HvResult<Memslot> {
    if (!Number.isInteger(slotId) || slotId < 0 || (slotId & 0xffff) >= KVM_USER_MEM_SLOTS || slotId >= 0x10000) return fail('EINVAL', where, 'slot', `${slotId} is not a user memslot`, 'kvm_get_dirty_log_protect');
    const s = this.slots.get(slotId);
    if (s === undefined || s.dirty === null) return fail('ENOENT', where, 'slot', `slot ${slotId} ${s ? 'does not have KVM_MEM_LOG_DIRTY_PAGES' : 'does not exist'}`, 'kvm_get_dirty_log_protect');
    return ok(s);
  }

  /**
   * KVM_GET_DIRTY_LOG (kvm_get_dirty_log_protect): a copy of the slot's bitmap (bit i = page i).
   * Without manual protect, the bits are cleared and those pages write-protected again.
   */
  getDirtyLog(slotId: number): HvResult<Uint8Array> {
    const r = this.slotForLog('KVM_GET_DIRTY_LOG', slotId);
    if (!r.ok) return r;
    const s = r.value;
    const d = s.dirty!;
    const copy = d.slice();
    if (!this.manualDirtyLogProtect) {
      const rel: number[] = [];
      for (let i = 0; i < d.length; i++) {
        const b = d[i];
        if (b === 0) continue;
        for (let k = 0; k < 8; k++) if (b & (1 << k)) rel.push(i * 8 + k);
        d[i] = 0;
      }
      this.writeProtectPages(s, rel);
    }
    return ok(copy);
  }

  /** KVM_CLEAR_DIRTY_LOG (kvm_clear_dirty_log_protect). */
  clearDirtyLog(slotId: number, firstPage: number, numPages: number, bitmap: Uint8Array): HvResult<void> {
    const W = 'KVM_CLEAR_DIRTY_LOG';
    const R = 'kvm_clear_dirty_log_protect';
    if ((firstPage & 63) !== 0) return fail('EINVAL', W, 'first_page', `${firstPage} is not a multiple of 64`, R);
    const r = this.slotForLog(W, slotId);
    if (!r.ok) return r;
    const s = r.value;
    if (firstPage > s.npages || numPages > s.npages - firstPage || (numPages < s.npages - firstPage && (numPages & 63) !== 0)) {
      return fail('EINVAL', W, 'num_pages', `[${firstPage}, ${firstPage + numPages}) does not fit slot ${slotId} (${s.npages} pages) in 64-page units`, R);
    }
    if (bitmap.length * 8 < numPages) return fail('EFAULT', W, 'dirty_bitmap', `buffer holds ${bitmap.length * 8} bits, ${numPages} needed`, R);
    const d = s.dirty!;
    const rel: number[] = [];
    for (let k = 0; k < numPages; k++) {
      if ((bitmap[k >> 3] & (1 << (k & 7))) === 0) continue;
      const i = firstPage + k;
      const bit = 1 << (i & 7);
      if (d[i >> 3] & bit) { d[i >> 3] &= ~bit; rel.push(i); }
    }
    this.writeProtectPages(s, rel);
    return ok(undefined);
  }

  // ---- KVM_ARM_MTE_COPY_TAGS --------------------------------------------------------------------------

  /**
   * KVM_ARM_MTE_COPY_TAGS (kvm_vm_ioctl_mte_copy_tags, arch/arm64/kvm/guest.c). `buffer` holds one
   * tag per byte (length/16 bytes). Returns the number of guest-memory bytes covered (length on
   * full success; less if a page failed after others were processed) or a negative errno.
   */
  copyMteTags(req: { guestIpa: number; length: number; buffer: Uint8Array; flags: number; reserved?: [number, number] }): HvResult<number> {
    const W = 'KVM_ARM_MTE_COPY_TAGS';
    const R = 'kvm_vm_ioctl_mte_copy_tags';
    if (!this.mteEnabled) return fail('EINVAL', W, 'vm', 'MTE is not enabled on this VM', R);
    const res = req.reserved ?? [0, 0];
    if (res[0] !== 0 || res[1] !== 0) return fail('EINVAL', W, 'reserved', 'must be zero', R);
    if ((req.flags & ~KVM_ARM_TAGS_FROM_GUEST) !== 0) return fail('EINVAL', W, 'flags', `${hex(req.flags)} has bits other than KVM_ARM_TAGS_FROM_GUEST`, R);
    if (req.length % PAGE_SIZE !== 0 || req.length < 0) return fail('EINVAL', W, 'length', `${hex(req.length)} is not page aligned`, R);
    if (req.guestIpa % PAGE_SIZE !== 0 || req.guestIpa < 0) return fail('EINVAL', W, 'guest_ipa', `${hex(req.guestIpa)} is not page aligned`, R);
    if (req.length > INT_MAX) return fail('EINVAL', W, 'length', `${hex(req.length)} exceeds INT_MAX (the return value could not represent it)`, R);
    const write = (req.flags & KVM_ARM_TAGS_FROM_GUEST) === 0;
    if (write && this.nrMemslotsDirtyLogging > 0) {
      return fail('EBUSY', W, 'flags', `KVM_ARM_TAGS_TO_GUEST while ${this.nrMemslotsDirtyLogging} memslot(s) have dirty logging enabled (the write would not be logged)`, R);
    }
    const buf = req.buffer;
    let gfn = req.guestIpa / PAGE_SIZE;
    let length = req.length;
    let off = 0;
    let err: ReturnType<typeof fail> | null = null;
    while (length > 0) {
      const slot = this.findSlot(gfn);
      // gfn_to_pfn_prot: faults the page in through the VMM's mapping.
      const hp = slot ? this.mm.faultInPage(slot.userspaceAddr + (gfn - slot.baseGfn) * PAGE_SIZE, write, gfn) : null;
      if (hp === null) { err = fail('EFAULT', W, 'guest_ipa', `${hex(gfn * PAGE_SIZE)}: ${slot ? this.mm.faultWhy : 'no memslot'}`, R); break; }
      if (hp.kind !== 'ram') { err = fail('EFAULT', W, 'guest_ipa', `${hex(gfn * PAGE_SIZE)}: ${hp.kind === 'zone_device' ? 'ZONE_DEVICE' : 'device (no struct page)'} memory has no tags (pfn_to_online_page)`, R); break; }
      const avail = Math.max(0, Math.min(GRANULES_PER_PAGE, buf.length - off));
      const p = hp.page;
      if (!write) {
        if (avail === GRANULES_PER_PAGE) {
          if (p.mteTagged) unpackTags(p.tags, buf, off); else buf.fill(0, off, off + GRANULES_PER_PAGE); // "No tags in memory, so write zeros"
        } else {
          for (let g = 0; g < avail; g++) buf[off + g] = p.mteTagged ? p.getTag(g) : 0;
        }
      } else {
        // try_page_mte_tagging; copy in; on a short copy clear the tags; set_page_mte_tagged.
        if (avail === GRANULES_PER_PAGE) p.tags = packTags(buf, off, undefined, this.tagAlloc);
        else p.clearTags();
        p.mteTagged = true;
      }
      if (avail !== GRANULES_PER_PAGE) { err = fail('EFAULT', W, 'addr', `user buffer ends after ${off + avail} tag bytes`, R); break; }
      gfn++;
      off += GRANULES_PER_PAGE;
      length -= PAGE_SIZE;
    }
    const done = req.length - length;
    if (this.events.active) this.ev('copy-tags', req.guestIpa / PAGE_SIZE, `KVM_ARM_MTE_COPY_TAGS ${write ? 'TO_GUEST' : 'FROM_GUEST'}: ${done / PAGE_SIZE} page(s)${err ? ' then ' + err.errno : ''}`, { length: req.length, done });
    // "If some data has been copied report the number of bytes copied"
    if (done !== 0) return ok(done);
    return err ?? ok(0);
  }

  // ---- teardown -----------------------------------------------------------------------------------

  /** Drops every stage-2 mapping and marks the VM destroyed (close(vm_fd) after migration). */
  destroy(): void {
    this.s2.clear();
    this.invalidated(-1);
    this.destroyed = true;
    const i = this.mm.notifiers.indexOf(this.notifier);
    if (i >= 0) this.mm.notifiers.splice(i, 1);
    for (const s of this.slots.values()) if (s.gmem) { s.gmem.bound = false; s.gmem.onInvalidate = null; }
  }

  /** Number of tag bytes a COPY_TAGS buffer needs for `length` guest bytes. */
  static tagBufferBytes(length: number): number { return length / PAGE_SIZE * GRANULES_PER_PAGE; }
}

// ---- vCPU -----------------------------------------------------------------------------------------

export class KvmVcpu {
  guest: HvGuest | null = null;
  constructor(readonly vm: KvmVm, readonly id: number) {}

  /** Binds the guest code that runs on this vCPU (the runtime's Cpu + kernel). */
  attach(guest: HvGuest): void { this.guest = guest; }

  /**
   * KVM_RUN: runs the guest for at most `maxInsns` instructions and returns why it stopped. A
   * stage-2 refusal that needs the VMM comes back as its VmExit; aborts KVM injected into the
   * guest never come here (the guest handles them).
   */
  run(maxInsns: number): VmExit {
    const vm = this.vm;
    if (vm.destroyed) return { reason: 'error', ret: -ERRNO.EIO, errno: 'EIO', message: `KVM_RUN on ${vm.name}: the VM was destroyed`, gpa: -1, pc: vm.lastPc };
    const g = this.guest;
    vm.takePendingExit(); // nothing stale from an earlier entry
    if (g === null) return { reason: 'error', ret: -ERRNO.ENOEXEC, errno: 'ENOEXEC', message: `KVM_RUN on ${vm.name}: vCPU ${this.id} has no guest attached (KVM_ARM_VCPU_INIT)`, gpa: -1, pc: -1 };
    const r = g.runSlice(maxInsns);
    vm.lastPc = g.pc;
    switch (r.kind) {
      case 'limit': return { reason: 'intr' };
      case 'exit': return { reason: 'shutdown', status: r.status };
      case 'stop': return { reason: 'debug', detail: r.reason };
      case 'hv-exit': {
        const e = vm.takePendingExit();
        return e ?? { reason: 'error', ret: -ERRNO.EFAULT, errno: 'EFAULT', message: 'guest reported a hypervisor exit but none was pending', gpa: -1, pc: g.pc };
      }
    }
  }
}
