// The host: physical frames of distinct kinds, the VMM's address space (VMAs with flags), host
// page faults (demand zero, the shared zero page, swap-in), reclaim to a swap device with the
// arm64 MTE tag-saving rules (arch/arm64/mm/mteswap.c) and MMU notifiers that tell KVM when a
// host page stops backing guest memory.
//
// Everything here is in "host virtual addresses" (hva, plain numbers, page aligned) and page
// offsets within backing objects. KVM (kvm.ts) turns guest-physical pages into hvas through its
// memslots and calls `faultIn` like get_user_pages does.
import { PhysPage } from '../memory/page';
import * as pageConsts from '../memory/page';
// Local copies: an imported binding is a getter call per use under the CJS test/bench loader.
const { PAGE_SIZE, TAG_BYTES_PER_PAGE } = pageConsts;
import { type Errno, type HvResult, fail, ok, hex } from './errors';
import type { HvEventBus, HvEventKind } from './events';

// ---- frames -------------------------------------------------------------------------------------

/**
 * What kind of host memory a frame is:
 * - 'ram': ordinary struct-page RAM (anonymous, shmem/memfd, guest_memfd): can hold tags and
 *   has PG_mte_tagged (PhysPage.mteTagged).
 * - 'zone_device': ZONE_DEVICE memory such as fs-DAX: struct pages, cacheable, no tag storage.
 * - 'pfn': device memory behind a VM_PFNMAP mapping (a VFIO BAR): no struct page at all.
 */
export type FrameKind = 'ram' | 'zone_device' | 'pfn';

/** A host frame (struct page / folio, or a bare PFN for 'pfn') and its VMM page-table state. */
export class HostPage {
  /** Swap slot the page still belongs to (anonymous page in the swap cache, clean), or -1. */
  swapSlot = -1;
  /** The VMM's PTE is writable (false for the zero page and for a read swap-in, see do_swap_page). */
  writable = true;
  /** Reclaim order: larger = used more recently (stage-2 faults and VMM accesses bump it). */
  lru = 0;
  constructor(readonly page: PhysPage, readonly kind: FrameKind, readonly obj: MemObject | null, readonly pgoff: number) {}
  get canHoldTags(): boolean { return this.kind === 'ram'; }
}

/** The shared zero page: mapped read-only on read faults of untouched anonymous memory. */
function makeZeroPage(): HostPage {
  const p = new PhysPage(-1);
  // arm64 clears the zero page's tags and marks it PG_mte_tagged at boot (cpu_enable_mte).
  p.mteTagged = true;
  const hp = new HostPage(p, 'ram', null, -1);
  hp.writable = false;
  return hp;
}

// ---- backing objects ------------------------------------------------------------------------------

export type BackingKind = 'anon' | 'memfd' | 'dax' | 'pfnmap' | 'gmem';

/** A page entry in a backing object: a resident frame, or a swap slot number. */
type Entry = HostPage | number;

/** Something pages can come from: anonymous memory, a memfd, a DAX file, a device BAR, a guest_memfd. */
export abstract class MemObject {
  abstract readonly kind: BackingKind;
  /** pgoff -> resident frame or swap slot. Sparse: only touched pages exist. */
  readonly pages = new Map<number, Entry>();
  /** VMAs mapping this object (reverse map, for MMU notifiers). */
  readonly vmas = new Set<Vma>();
  constructor(readonly name: string, public sizePages: number) {}
  /** Frames of this object can be reclaimed to swap. */
  abstract readonly swappable: boolean;
  abstract readonly frameKind: FrameKind;
}

/** Private anonymous memory of one VMA (MAP_ANONYMOUS|MAP_PRIVATE). VM_MTE_ALLOWED. */
export class AnonMemory extends MemObject {
  readonly kind = 'anon' as const;
  readonly swappable = true;
  readonly frameKind = 'ram' as const;
}

/** A memfd / shmem file (memfd_create). shmem_mmap sets VM_MTE_ALLOWED. */
export class ShmemFile extends MemObject {
  readonly kind = 'memfd' as const;
  readonly swappable = true;
  readonly frameKind = 'ram' as const;
}

/** An fs-DAX file: ZONE_DEVICE pages, cacheable, no VM_MTE_ALLOWED, never swapped. */
export class DaxFile extends MemObject {
  readonly kind = 'dax' as const;
  readonly swappable = false;
  readonly frameKind = 'zone_device' as const;
}

/**
 * A device BAR as VFIO maps it: VM_PFNMAP | VM_IO, no struct pages. `cacheable` is the memory
 * type of the user mapping (vfio-pci BARs are Device-nGnRnE; a coherent GPU memory driver such as
 * nvgrace-gpu maps cacheable); `allowAnyUncached` is VM_ALLOW_ANY_UNCACHED (KVM may then use
 * Normal-NC instead of Device at stage 2).
 */
export class PfnDevice extends MemObject {
  readonly kind = 'pfnmap' as const;
  readonly swappable = false;
  readonly frameKind = 'pfn' as const;
  constructor(name: string, sizePages: number, readonly cacheable: boolean, readonly allowAnyUncached: boolean) {
    super(name, sizePages);
  }
}

/**
 * A guest_memfd (KVM_CREATE_GUEST_MEMFD): anonymous RAM bound to one VM, unevictable, not
 * readable/writable by user space and (without GUEST_MEMFD_FLAG_MMAP) not mmap-able.
 */
export class GuestMemfd extends MemObject {
  readonly kind = 'gmem' as const;
  readonly swappable = false;
  readonly frameKind = 'ram' as const;
  /** Set by kvm_gmem_bind: called when pages are punched out (kvm_gmem_invalidate_begin). */
  onInvalidate: ((firstPgoff: number, count: number) => void) | null = null;
  bound = false;
  /** The VM that created it (kvm_gmem_create binds the file to one VM). */
  owner: object | null = null;
  constructor(name: string, sizePages: number, readonly flags: number, readonly fd: number) { super(name, sizePages); }

  /** fallocate(FALLOC_FL_PUNCH_HOLE): frees pages; KVM unmaps them first (kvm_gmem_punch_hole). */
  punchHole(firstPgoff: number, count: number): number {
    if (this.onInvalidate) this.onInvalidate(firstPgoff, count);
    let n = 0;
    for (let p = firstPgoff; p < firstPgoff + count; p++) if (this.pages.delete(p)) n++;
    return n;
  }
}

// ---- VMAs -----------------------------------------------------------------------------------------

/** vm_flags that matter to KVM, as named booleans (several live above bit 31 in Linux). */
export interface VmaFlags {
  read: boolean;
  write: boolean;
  /** VM_SHARED (MAP_SHARED). */
  shared: boolean;
  /** VM_MTE: mapped with PROT_MTE, so the VMM's own accesses through it are tag-checked. */
  mte: boolean;
  /** VM_MTE_ALLOWED: set by arch_calc_vm_flag_bits for MAP_ANONYMOUS and by shmem_mmap. */
  mteAllowed: boolean;
  /** VM_PFNMAP (and VM_IO): device memory without struct pages. */
  pfnmap: boolean;
  /** VM_ALLOW_ANY_UNCACHED (VFIO). */
  allowAnyUncached: boolean;
  /** The user mapping's memory type is cacheable (kvm_vma_is_cacheable). */
  cacheable: boolean;
}

export class Vma {
  constructor(
    public start: number,
    public end: number,
    readonly obj: MemObject,
    /** Page offset in obj of `start`. */
    public pgoff: number,
    readonly flags: VmaFlags,
  ) {}
  contains(hva: number): boolean { return hva >= this.start && hva < this.end; }
  pgoffOf(hva: number): number { return this.pgoff + Math.floor((hva - this.start) / PAGE_SIZE); }
  hvaOf(pgoff: number): number { return this.start + (pgoff - this.pgoff) * PAGE_SIZE; }
  describe(): string {
    const f = this.flags;
    const bits = [f.read ? 'r' : '-', f.write ? 'w' : '-', f.shared ? 's' : 'p'].join('');
    const extra = [f.mte && 'mt', f.mteAllowed && 'VM_MTE_ALLOWED', f.pfnmap && 'VM_PFNMAP', f.allowAnyUncached && 'VM_ALLOW_ANY_UNCACHED', !f.cacheable && 'uncached']
      .filter(Boolean).join(' ');
    return `${hex(this.start)}-${hex(this.end)} ${bits} ${this.obj.kind}:${this.obj.name}${extra ? ' ' + extra : ''}`;
  }
}

/** Where an mmap'd range comes from. */
export type MmapBacking =
  | { kind: 'anon' }
  | { kind: 'file'; file: ShmemFile | DaxFile | PfnDevice | GuestMemfd; offset?: number };

export interface MmapRequest {
  length: number;
  prot: { read?: boolean; write?: boolean; mte?: boolean };
  backing: MmapBacking;
  /** MAP_FIXED at this hva (replaces whatever is mapped there, like the seeds' "mischievous VMM"). */
  fixed?: number;
  name?: string;
}

/** Why an MMU notifier fired (mmu_notifier_range event). */
export type InvalidateReason = 'swap-out' | 'unmap' | 'discard' | 'remap' | 'protect';

export type MmuNotifier = (start: number, end: number, reason: InvalidateReason) => void;

/** A host fault result: the frame, or an errno (EFAULT: no VMA / beyond EOF; EACCES-like: not writable). */
export type FaultResult = { ok: true; hp: HostPage; vma: Vma } | { ok: false; errno: Errno; why: string };

// ---- swap -----------------------------------------------------------------------------------------

/**
 * A swap device plus the arm64 MTE tag store of mteswap.c: tags of a PG_mte_tagged page are saved
 * at write-out in a 128-byte buffer keyed by the swap slot (an xarray in Linux), restored on
 * swap-in when the new page is not already tagged, and freed only when the slot itself is freed
 * (arch_swap_invalidate_page / arch_swap_invalidate_area), never at restore time.
 */
export class SwapDevice {
  private readonly data = new Map<number, Uint8Array>();
  /** mteswap.c's xarray: slot -> packed tags (two per byte). */
  readonly tagStore = new Map<number, Uint8Array>();
  /** Folios unmapped by reclaim but still in the swap cache (found again by a fault). */
  readonly swapCache = new Map<number, HostPage>();
  private readonly freeSlots: number[] = [];
  private next = 1; // slot 0 is the header page of a real swap area
  /**
   * The design Steven Price first considered and Catalin Marinas rejected (seed 001): free the
   * saved tags as soon as they are restored. Off by default; turning it on shows the bug.
   */
  freeTagsOnRestore = false;
  constructor(readonly capacitySlots = 1 << 20) {}

  get usedSlots(): number { return this.data.size; }

  /** get_swap_pages: a free slot or -1 (ENOSPC). */
  alloc(): number {
    const s = this.freeSlots.pop();
    if (s !== undefined) return s;
    if (this.next > this.capacitySlots) return -1;
    return this.next++;
  }

  write(slot: number, data: Uint8Array): void { this.data.set(slot, data.slice()); }
  read(slot: number): Uint8Array | undefined { return this.data.get(slot); }
  has(slot: number): boolean { return this.data.has(slot); }

  /** swap_range_free -> arch_swap_invalidate_page: the slot and its saved tags go away together. */
  free(slot: number): boolean {
    if (!this.data.delete(slot)) return false;
    const hadTags = this.tagStore.delete(slot);
    this.swapCache.delete(slot);
    this.freeSlots.push(slot);
    return hadTags;
  }
}

// ---- the host -------------------------------------------------------------------------------------

export interface HostCaps {
  /** The host CPUs implement MTE (system_supports_mte). */
  mte: boolean;
  /** Stage-2 FWB (forced write-back). */
  fwb: boolean;
  /** CTR_EL0.DIC (no I-cache invalidation needed). */
  dic: boolean;
  /** kvm_ipa_limit: the largest IPA size a VM may ask for. */
  ipaLimit: number;
}

export const DEFAULT_HOST_CAPS: HostCaps = { mte: true, fwb: true, dic: true, ipaLimit: 48 };

/** Who to blame in events: the VMM installs a translator from hva to (vm, gpa, pc). */
export type HvaResolver = (hva: number) => { vm: string; gpa: number; pc: number } | null;

export interface HostStats {
  /** Resident RAM frames (anonymous + memfd + guest_memfd), excluding the shared zero page. */
  residentPages: number;
  /** Resident frames that have tag storage allocated (PhysPage.tags !== null). */
  taggedPages: number;
  /** Host RAM used for guest memory: 4 KiB per resident frame + 128 bytes per tag array. */
  ramBytes: number;
  /** Device memory touched (DAX / BAR pages), not host RAM. */
  devicePages: number;
  swapSlotsUsed: number;
  /** mteswap buffers alive (128 bytes each). */
  swapTagBuffers: number;
}

const SLAB_PAGES = 64;
const TAG_SLAB_PAGES = 1024;

/** A host machine: capabilities, one swap device, the VMM process(es) and event plumbing. */
export class Host {
  readonly caps: HostCaps;
  readonly swap: SwapDevice;
  readonly processes: HostProcess[] = [];
  readonly zeroPage = makeZeroPage();
  /** Reclaim clock (HostPage.lru). */
  tick = 0;
  private nextFd = 3;
  constructor(caps: Partial<HostCaps> = {}, readonly events: HvEventBus | null = null, swapSlots?: number) {
    this.caps = { ...DEFAULT_HOST_CAPS, ...caps };
    this.swap = new SwapDevice(swapSlots);
  }

  /** kvm_supports_cacheable_pfnmap(): needs stage-2 FWB and CTR_EL0.DIC. */
  get supportsCacheablePfnmap(): boolean { return this.caps.fwb && this.caps.dic; }

  createProcess(name = 'vmm'): HostProcess {
    const p = new HostProcess(this, name);
    this.processes.push(p);
    return p;
  }

  /** memfd_create + ftruncate. */
  memfdCreate(name: string, size: number): ShmemFile { return new ShmemFile(name, Math.ceil(size / PAGE_SIZE)); }
  /** An fs-DAX file on a pmem device. */
  daxFile(name: string, size: number): DaxFile { return new DaxFile(name, Math.ceil(size / PAGE_SIZE)); }
  /** A VFIO device region (BAR). */
  vfioBar(name: string, size: number, cacheable: boolean, allowAnyUncached: boolean): PfnDevice {
    return new PfnDevice(name, Math.ceil(size / PAGE_SIZE), cacheable, allowAnyUncached);
  }
  /** The backing object of KVM_CREATE_GUEST_MEMFD (validation is KVM's). */
  guestMemfd(size: number, flags: number): GuestMemfd {
    const fd = this.nextFd++;
    return new GuestMemfd(`guest_memfd:${fd}`, Math.ceil(size / PAGE_SIZE), flags, fd);
  }

  /**
   * Allocates a frame for an object (alloc_page / the device's own memory). Frames are carved from
   * 64-page slabs: one ArrayBuffer allocation per 256 KiB instead of one per page. A freed frame is
   * never handed out again (a stale reference to it can only ever write into dead memory); a slab
   * is reclaimed by the garbage collector once none of its pages is referenced.
   */
  allocFrame(obj: MemObject, pgoff: number, gpn: number): HostPage {
    if (this.slab === null || this.slabNext === SLAB_PAGES) {
      this.slab = new ArrayBuffer(SLAB_PAGES * PAGE_SIZE);
      this.slabNext = 0;
    }
    const data = new Uint8Array(this.slab, this.slabNext++ * PAGE_SIZE, PAGE_SIZE);
    const hp = new HostPage(new PhysPage(gpn, data), obj.frameKind, obj, pgoff);
    hp.lru = ++this.tick;
    return hp;
  }
  private slab: ArrayBuffer | null = null;
  private slabNext = 0;

  /** A zeroed 128-byte tag array for a page, carved from a slab (no backing-store allocation each). */
  allocTags(): Uint8Array {
    if (this.tagSlab === null || this.tagSlabNext === TAG_SLAB_PAGES) {
      this.tagSlab = new ArrayBuffer(TAG_SLAB_PAGES * TAG_BYTES_PER_PAGE);
      this.tagSlabNext = 0;
    }
    return new Uint8Array(this.tagSlab, this.tagSlabNext++ * TAG_BYTES_PER_PAGE, TAG_BYTES_PER_PAGE);
  }
  private tagSlab: ArrayBuffer | null = null;
  private tagSlabNext = 0;

  stats(): HostStats {
    let resident = 0, tagged = 0, device = 0;
    const seen = new Set<MemObject>();
    const visit = (o: MemObject) => {
      if (seen.has(o)) return;
      seen.add(o);
      for (const e of o.pages.values()) {
        if (typeof e === 'number') continue;
        if (e.kind === 'ram') { resident++; if (e.page.tags !== null) tagged++; } else device++;
      }
    };
    for (const p of this.processes) for (const v of p.vmas) visit(v.obj);
    for (const o of this.extraObjects) visit(o);
    return {
      residentPages: resident, taggedPages: tagged,
      ramBytes: resident * PAGE_SIZE + tagged * TAG_BYTES_PER_PAGE,
      devicePages: device,
      swapSlotsUsed: this.swap.usedSlots, swapTagBuffers: this.swap.tagStore.size,
    };
  }
  /** Objects not mapped by any process (guest_memfd) but still holding memory. */
  readonly extraObjects = new Set<MemObject>();

  /** True when events are wanted (so hot paths can skip building them). */
  get tracing(): boolean { return this.events !== null && this.events.active; }

  emit(kind: HvEventKind, hva: number, reason: string, resolver: HvaResolver | null, detail?: Record<string, string | number | boolean>): void {
    const ev = this.events;
    if (ev === null || !ev.active) return;
    const g = resolver && hva >= 0 ? resolver(hva) : null;
    ev.emit(kind, g ? g.vm : 'host', g ? g.gpa : -1, g ? g.pc : -1, reason, hva >= 0 ? { hva, ...detail } : detail);
  }
}

/** A process on the host (the VMM): its VMAs, page faults, madvise/fallocate, reclaim. */
export class HostProcess {
  readonly vmas: Vma[] = [];
  readonly notifiers: MmuNotifier[] = [];
  resolver: HvaResolver | null = null;
  private nextHva = 0x10_0000_0000;

  constructor(readonly host: Host, readonly name: string) {}

  // ---- address space ------------------------------------------------------------------------------

  findVma(hva: number): Vma | undefined {
    // VMAs are few (one per memslot region); a linear scan with a one-entry cache is enough.
    const c = this.lastVma;
    if (c !== undefined && c.contains(hva)) return c;
    for (const v of this.vmas) if (v.contains(hva)) { this.lastVma = v; return v; }
    return undefined;
  }
  private lastVma: Vma | undefined;

  /** VMAs intersecting [start, end), in address order (find_vma_intersection in a loop). */
  vmasIn(start: number, end: number): Vma[] {
    return this.vmas.filter(v => v.start < end && v.end > start).sort((a, b) => a.start - b.start);
  }

  /**
   * mmap(). Validates like Linux: PROT_MTE needs VM_MTE_ALLOWED (arch_validate_flags -> -EINVAL);
   * device files cannot be mapped beyond their size; guest_memfd needs GUEST_MEMFD_FLAG_MMAP.
   */
  mmap(req: MmapRequest): HvResult<number> {
    const where = 'mmap';
    const length = req.length;
    if (!Number.isSafeInteger(length) || length <= 0 || length % PAGE_SIZE !== 0) {
      return fail('EINVAL', where, 'length', `${length} is not a positive multiple of the page size`);
    }
    const pages = length / PAGE_SIZE;
    let obj: MemObject;
    let pgoff = 0;
    const b = req.backing;
    let mteAllowed: boolean, pfnmap = false, cacheable = true, anyUc = false, shared = false;
    if (b.kind === 'anon') {
      obj = new AnonMemory(req.name ?? 'anon', pages);
      mteAllowed = true; // arch_calc_vm_flag_bits: MAP_ANONYMOUS
    } else {
      const f = b.file;
      const off = b.offset ?? 0;
      if (off % PAGE_SIZE !== 0) return fail('EINVAL', where, 'offset', `${hex(off)} is not page aligned`);
      pgoff = off / PAGE_SIZE;
      obj = f;
      shared = true;
      if (f instanceof GuestMemfd && (f.flags & 1) === 0) {
        return fail('ENODEV', where, f.name, 'guest_memfd was not created with GUEST_MEMFD_FLAG_MMAP', 'kvm_gmem_mmap');
      }
      if ((f instanceof DaxFile || f instanceof PfnDevice || f instanceof GuestMemfd) && pgoff + pages > f.sizePages) {
        return fail('EINVAL', where, 'length', `mapping ends past the end of ${f.name} (${f.sizePages} pages)`);
      }
      mteAllowed = f instanceof ShmemFile; // shmem_mmap sets VM_MTE_ALLOWED; DAX/VFIO do not
      if (f instanceof PfnDevice) { pfnmap = true; cacheable = f.cacheable; anyUc = f.allowAnyUncached; }
    }
    if (req.prot.mte && !mteAllowed) {
      return fail('EINVAL', where, 'prot', `PROT_MTE on a ${obj.kind} mapping without VM_MTE_ALLOWED`, 'arch_validate_flags');
    }
    let start: number;
    if (req.fixed !== undefined) {
      if (req.fixed % PAGE_SIZE !== 0) return fail('EINVAL', where, 'addr', `${hex(req.fixed)} is not page aligned`);
      start = req.fixed;
      this.unmapRange(start, start + length, 'remap');
    } else {
      start = this.nextHva;
      this.nextHva += length + PAGE_SIZE * 16; // leave a guard gap
    }
    const vma = new Vma(start, start + length, obj, pgoff, {
      read: req.prot.read !== false, write: req.prot.write !== false, shared,
      mte: req.prot.mte === true, mteAllowed, pfnmap, allowAnyUncached: anyUc, cacheable,
    });
    obj.vmas.add(vma);
    this.vmas.push(vma);
    this.vmas.sort((a, c) => a.start - c.start);
    return ok(start);
  }

  /** munmap() (and the unmap half of MAP_FIXED): splits VMAs, frees private anonymous pages. */
  munmap(start: number, length: number): HvResult<void> {
    if (start % PAGE_SIZE !== 0 || length % PAGE_SIZE !== 0) return fail('EINVAL', 'munmap', 'addr', 'not page aligned');
    this.unmapRange(start, start + length, 'unmap');
    return ok(undefined);
  }

  private unmapRange(start: number, end: number, reason: InvalidateReason): void {
    const hit = this.vmasIn(start, end);
    if (hit.length === 0) return;
    this.notify(start, end, reason);
    for (const v of hit) {
      const a = Math.max(start, v.start), z = Math.min(end, v.end);
      if (v.obj instanceof AnonMemory) {
        // Private anonymous pages die with the mapping; so do their swap slots (and saved tags).
        for (let h = a; h < z; h += PAGE_SIZE) this.dropEntry(v.obj, v.pgoffOf(h));
      }
      const idx = this.vmas.indexOf(v);
      this.vmas.splice(idx, 1);
      v.obj.vmas.delete(v);
      if (v.start < a) { const left = new Vma(v.start, a, v.obj, v.pgoff, v.flags); this.vmas.push(left); v.obj.vmas.add(left); }
      if (z < v.end) { const right = new Vma(z, v.end, v.obj, v.pgoffOf(z), v.flags); this.vmas.push(right); v.obj.vmas.add(right); }
    }
    this.vmas.sort((x, y) => x.start - y.start);
    this.lastVma = undefined;
  }

  /** Frees one page entry of an object (and its swap slot). */
  private dropEntry(obj: MemObject, pgoff: number): void {
    const e = obj.pages.get(pgoff);
    if (e === undefined) return;
    obj.pages.delete(pgoff);
    const slot = typeof e === 'number' ? e : e.swapSlot;
    if (slot >= 0) this.freeSlot(slot, obj, pgoff);
  }

  private freeSlot(slot: number, obj: MemObject, pgoff: number): void {
    const hadTags = this.host.swap.free(slot);
    if (this.host.tracing) this.host.emit('swap-free', this.anyHva(obj, pgoff), 'swap slot freed; arch_swap_invalidate_page drops its saved tags', this.resolver, { slot, tagsDropped: hadTags });
  }

  /** The hva of (obj, pgoff) in this process, or -1 (for events). */
  anyHva(obj: MemObject, pgoff: number): number {
    for (const v of obj.vmas) {
      const h = v.hvaOf(pgoff);
      if (h >= v.start && h < v.end && this.vmas.includes(v)) return h;
    }
    return -1;
  }

  /** mmu_notifier_invalidate_range_start: KVM drops stage-2 mappings of these hvas. */
  notify(start: number, end: number, reason: InvalidateReason): void {
    for (const n of this.notifiers) n(start, end, reason);
  }

  /** Calls the notifiers for every mapping of (obj, pgoff) in this process. */
  private notifyObjPage(obj: MemObject, pgoff: number, count: number, reason: InvalidateReason): void {
    for (const v of [...obj.vmas]) {
      if (!this.vmas.includes(v)) continue;
      const a = Math.max(v.start, v.hvaOf(pgoff)), z = Math.min(v.end, v.hvaOf(pgoff + count));
      if (a < z) this.notify(a, z, reason);
    }
  }

  // ---- faults ---------------------------------------------------------------------------------------

  /**
   * A host page fault on `hva` as get_user_pages / handle_mm_fault would take it: demand-zero
   * (anonymous reads map the shared zero page), swap-in (do_swap_page / shmem_swapin_folio with
   * arch_swap_restore), and write faults that break the zero page or a read-only swap-cache page
   * (do_wp_page frees the swap slot). `gpn` only labels new frames.
   */
  faultIn(hva: number, write: boolean, gpn = -1): FaultResult {
    const hp = this.faultInPage(hva, write, gpn);
    return hp === null ? { ok: false, errno: this.faultErrno, why: this.faultWhy } : { ok: true, hp, vma: this.faultVma! };
  }

  /** Why the last faultInPage returned null. */
  faultErrno: Errno = 'EFAULT';
  faultWhy = '';
  /** The VMA of the last successful faultInPage. */
  faultVma: Vma | null = null;

  private faultFail(errno: Errno, why: string): null { this.faultErrno = errno; this.faultWhy = why; return null; }

  /** faultIn without allocating a result: the frame, or null (see faultErrno / faultWhy). */
  faultInPage(hva: number, write: boolean, gpn = -1): HostPage | null {
    const vma = this.findVma(hva);
    if (vma === undefined) return this.faultFail('EFAULT', `no VMA at hva ${hex(hva)}`);
    if (write && !vma.flags.write) return this.faultFail('EFAULT', `VMA at ${hex(hva)} is not writable`);
    if (!write && !vma.flags.read) return this.faultFail('EFAULT', `VMA at ${hex(hva)} is not readable`);
    this.faultVma = vma;
    const obj = vma.obj;
    const pgoff = vma.pgoffOf(hva);
    if (pgoff >= obj.sizePages && !(obj instanceof AnonMemory)) {
      return this.faultFail('EFAULT', `hva ${hex(hva)} is beyond the end of ${obj.name} (SIGBUS)`);
    }
    const e = obj.pages.get(pgoff);
    let hp: HostPage;
    if (e === undefined) {
      if (obj instanceof AnonMemory && !write) {
        hp = this.host.zeroPage; // do_anonymous_page: read fault maps the zero page
      } else {
        hp = this.host.allocFrame(obj, pgoff, gpn);
        obj.pages.set(pgoff, hp);
      }
    } else if (typeof e === 'number') {
      hp = this.swapIn(obj, pgoff, e, write, gpn, hva);
    } else {
      hp = e;
    }
    if (write && !hp.writable) {
      if (hp === this.host.zeroPage) {
        // do_wp_page on the zero page: a new zeroed, untagged page replaces it.
        hp = this.host.allocFrame(obj, pgoff, gpn);
        obj.pages.set(pgoff, hp);
        this.notify(hva, hva + PAGE_SIZE, 'protect');
      } else {
        // do_wp_page -> wp_can_reuse_anon_folio -> folio_free_swap: the page is exclusively ours,
        // reuse it writable and free the swap slot (which drops the saved tags).
        const slot = hp.swapSlot;
        hp.swapSlot = -1;
        hp.writable = true;
        if (slot >= 0) this.freeSlot(slot, obj, pgoff);
      }
    }
    // A PROT_MTE mapping initialises tags when a page is first mapped (set_ptes -> mte_sync_tags).
    if (vma.flags.mte && hp.kind === 'ram' && !hp.page.mteTagged) {
      hp.page.clearTags();
      hp.page.mteTagged = true;
      if (this.host.tracing) this.host.emit('sanitise', hva, 'mte_sync_tags: page first mapped through the VMM\'s PROT_MTE mapping, tags zeroed, PG_mte_tagged set', this.resolver);
    }
    hp.lru = ++this.host.tick;
    return hp;
  }

  /** Looks at a page without faulting it in: frame, swap slot, or absent. */
  peek(hva: number): { vma: Vma; entry: HostPage | number | undefined } | undefined {
    const vma = this.findVma(hva);
    if (vma === undefined) return undefined;
    return { vma, entry: vma.obj.pages.get(vma.pgoffOf(hva)) };
  }

  private swapIn(obj: MemObject, pgoff: number, slot: number, write: boolean, gpn: number, hva: number): HostPage {
    const swap = this.host.swap;
    let hp = swap.swapCache.get(slot);
    if (hp !== undefined) {
      swap.swapCache.delete(slot); // still in the swap cache: the same folio, its tags in memory
    } else {
      const data = swap.read(slot);
      hp = this.host.allocFrame(obj, pgoff, gpn); // a new page: PG_mte_tagged clear
      if (data) hp.page.data.set(data);
    }
    // do_swap_page calls arch_swap_restore for whichever folio it got.
    const restored = this.archSwapRestore(slot, hp);
    hp.swapSlot = slot;
    obj.pages.set(pgoff, hp);
    const shmem = obj instanceof ShmemFile;
    if (this.host.tracing) this.host.emit('swap-in', hva, shmem ? 'shmem_swapin_folio read the page back' : `do_swap_page (${write ? 'write' : 'read'} fault) read the page back`, this.resolver,
      { slot, tagsRestored: restored, tagged: hp.page.mteTagged });
    if (shmem || write) {
      // shmem_swapin_folio: delete_from_swap_cache + swap_free right away; anonymous write fault:
      // should_try_to_free_swap -> folio_free_swap. Either way the slot (and its tags) go.
      hp.swapSlot = -1;
      hp.writable = true;
      this.freeSlot(slot, obj, pgoff);
    } else {
      // Read fault: mapped read-only, the folio stays in the swap cache and the slot stays valid.
      hp.writable = false;
    }
    return hp;
  }

  /**
   * arch_swap_restore (mteswap.c): if the slot has saved tags and the page is not yet tagged,
   * restore them and set PG_mte_tagged. The saved buffer is NOT freed here.
   */
  private archSwapRestore(slot: number, hp: HostPage): boolean {
    const swap = this.host.swap;
    const saved = swap.tagStore.get(slot);
    if (saved === undefined || hp.page.mteTagged) return false;
    if (saved.some(b => b !== 0)) { const t = this.host.allocTags(); t.set(saved); hp.page.tags = t; } else hp.page.tags = null;
    hp.page.mteTagged = true;
    if (swap.freeTagsOnRestore) swap.tagStore.delete(slot); // the rejected design (see SwapDevice)
    return true;
  }

  // ---- reclaim --------------------------------------------------------------------------------------

  /**
   * Reclaims the page at `hva` (shrink_folio_list for one folio). A clean swap-cache page is
   * discarded without write-out (its slot, data and saved tags stay valid); otherwise a slot is
   * allocated, arch_prepare_to_swap saves the tags of a PG_mte_tagged page, the data is written
   * and the mapping is replaced by the swap entry. MMU notifiers unmap stage 2 first.
   * `keepInSwapCache` leaves the folio in the swap cache after unmapping (a later fault finds it).
   */
  reclaim(hva: number, keepInSwapCache = false): HvResult<'swapped' | 'discarded'> {
    const where = 'reclaim';
    const vma = this.findVma(hva);
    if (vma === undefined) return fail('EFAULT', where, 'hva', `${hex(hva)} is not mapped`);
    const obj = vma.obj;
    const pgoff = vma.pgoffOf(hva);
    const e = obj.pages.get(pgoff);
    if (e === undefined || typeof e === 'number' || e === this.host.zeroPage) {
      return fail('ENOENT', where, 'hva', `${hex(hva)} has no resident page`);
    }
    if (!obj.swappable) {
      const why = obj.kind === 'gmem' ? 'guest_memfd pages are unevictable' : `${obj.kind} memory is not on the LRU (${e.kind})`;
      if (this.host.tracing) this.host.emit('refused', hva, `swap-out refused: ${why}`, this.resolver);
      return fail('EINVAL', where, obj.name, why);
    }
    const swap = this.host.swap;
    if (e.swapSlot >= 0 && swap.has(e.swapSlot)) {
      const slot = e.swapSlot;
      this.notifyObjPage(obj, pgoff, 1, 'swap-out');
      obj.pages.set(pgoff, slot);
      if (keepInSwapCache) swap.swapCache.set(slot, e);
      if (this.host.tracing) this.host.emit('swap-discard', hva, 'clean swap-cache page dropped without write-out; slot, data and saved tags stay valid', this.resolver, { slot });
      return ok('discarded');
    }
    const slot = swap.alloc();
    if (slot < 0) {
      if (this.host.tracing) this.host.emit('refused', hva, 'swap-out refused: swap device full', this.resolver);
      return fail('ENOSPC', where, 'swap', 'no free swap slot');
    }
    // arch_prepare_to_swap -> mte_save_tags: only PG_mte_tagged pages have tags worth saving.
    let saved = false;
    if (e.page.mteTagged) {
      const buf = e.page.tags === null ? new Uint8Array(TAG_BYTES_PER_PAGE) : e.page.tags.slice();
      swap.tagStore.set(slot, buf); // xa_store replaces (and frees) any previous buffer
      saved = true;
    }
    this.notifyObjPage(obj, pgoff, 1, 'swap-out');
    swap.write(slot, e.page.data);
    obj.pages.set(pgoff, slot);
    e.swapSlot = slot;
    if (keepInSwapCache) swap.swapCache.set(slot, e);
    // The folio left our page tables: stop the CPU's decode cache pointing at it.
    e.page.decoded = null;
    if (this.host.tracing) this.host.emit('swap-out', hva, `written to swap slot ${slot}; arch_prepare_to_swap ${saved ? 'saved its tags' : 'had no tags to save (not PG_mte_tagged)'}`, this.resolver,
      { slot, tagsSaved: saved });
    return ok('swapped');
  }

  /** Drops folios left in the swap cache (the rest of reclaim: __remove_mapping). */
  dropSwapCache(): number {
    const n = this.host.swap.swapCache.size;
    this.host.swap.swapCache.clear();
    return n;
  }

  /**
   * Discards backing for [hva, hva+length): MADV_DONTNEED for private anonymous memory,
   * fallocate(PUNCH_HOLE) for a memfd (what QEMU's ram_block_discard_range does). The data and
   * tags are gone; swap slots are freed.
   */
  discard(hva: number, length: number): HvResult<number> {
    let freed = 0;
    for (const v of this.vmasIn(hva, hva + length)) {
      const a = Math.max(hva, v.start), z = Math.min(hva + length, v.end);
      if (v.obj instanceof AnonMemory || v.obj instanceof ShmemFile) {
        this.notifyObjPage(v.obj, v.pgoffOf(a), (z - a) / PAGE_SIZE, 'discard');
        for (let h = a; h < z; h += PAGE_SIZE) {
          const pg = v.pgoffOf(h);
          if (v.obj.pages.has(pg)) { freed++; this.dropEntry(v.obj, pg); }
        }
      } else {
        return fail('EINVAL', 'discard', v.obj.name, `${v.obj.kind} memory cannot be discarded`);
      }
    }
    return ok(freed);
  }

  /** Every resident, swappable page: [hva, frame] (for --swap-every and the memory limit policy). */
  *residentPages(): Generator<[number, HostPage]> {
    for (const v of [...this.vmas]) {
      if (!v.obj.swappable) continue;
      for (const [pg, e] of v.obj.pages) {
        if (typeof e === 'number' || e === this.host.zeroPage) continue;
        const h = v.hvaOf(pg);
        if (h >= v.start && h < v.end) yield [h, e];
      }
    }
  }

  /** Number of resident swappable RAM frames mapped by this process. */
  residentCount(): number {
    let n = 0;
    for (const _ of this.residentPages()) n++;
    return n;
  }

  /**
   * Memory-limit reclaim (memory.high semantics: enforced when control returns to the VMM loop,
   * like mem_cgroup_handle_over_high on return to user space): evicts least recently used pages
   * until at most `target` remain. Returns how many pages were reclaimed.
   */
  reclaimTo(target: number): number {
    const all = [...this.residentPages()];
    if (all.length <= target) return 0;
    all.sort((a, b) => a[1].lru - b[1].lru);
    let n = 0;
    for (const [h] of all) {
      if (all.length - n <= target) break;
      if (this.reclaim(h).ok) n++;
    }
    return n;
  }
}

/** Pack helpers: one tag per byte (ptrace / KVM_ARM_MTE_COPY_TAGS format) <-> two per byte. */
export function unpackTags(packed: Uint8Array | null, out: Uint8Array, outOff: number): void {
  if (packed === null) { out.fill(0, outOff, outOff + TAG_BYTES_PER_PAGE * 2); return; }
  for (let i = 0, j = outOff; i < TAG_BYTES_PER_PAGE; i++, j += 2) {
    const b = packed[i];
    out[j] = b & 0xf;
    out[j + 1] = b >> 4;
  }
}

/**
 * Packs 256 one-per-byte tags (low nibbles) into 128 bytes; returns null when all are zero. Packs
 * into `into` when given (a scratch buffer the caller consumes at once), else into `alloc()` or a
 * new array.
 */
export function packTags(src: Uint8Array, srcOff: number, into?: Uint8Array, alloc?: () => Uint8Array): Uint8Array | null {
  let any = 0;
  for (let j = srcOff, e = srcOff + TAG_BYTES_PER_PAGE * 2; j < e; j++) any |= src[j];
  if ((any & 0xf) === 0) return null;
  const out = into ?? (alloc ? alloc() : new Uint8Array(TAG_BYTES_PER_PAGE));
  for (let i = 0, j = srcOff; i < TAG_BYTES_PER_PAGE; i++, j += 2) out[i] = (src[j] & 0xf) | ((src[j + 1] & 0xf) << 4);
  return out;
}
