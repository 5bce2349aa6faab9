// The VMM (QEMU's role): builds the VM from a VmConfig through the KVM API, owns the host memory
// it hands to the guest, handles exits (private/shared conversion like kvm_convert_memory),
// drives host swap policies, and offers the three access paths to guest memory the seeds
// distinguish: DMA (no tag checks, no tag changes), debug (ignores tags, reads/writes them
// explicitly) and migration (data + tags, in migration.ts).
import * as pageConsts from '../memory/page';
// Local copies: an imported binding is a getter call per use under the CJS test/bench loader.
const { PAGE_SIZE, GRANULE_SIZE, GRANULES_PER_PAGE } = pageConsts;
import {
  KVM_ARM_TAGS_FROM_GUEST, KVM_ARM_TAGS_TO_GUEST, KVM_CAP_ARM_MTE, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
  KVM_DIRTY_LOG_INITIALLY_SET, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE, KVM_MEM_GUEST_MEMFD, KVM_MEM_LOG_DIRTY_PAGES,
  KVM_MEM_READONLY, KVM_MEMORY_ATTRIBUTE_PRIVATE,
} from './constants';
import type { RegionConfig, SlotBacking, VmConfig } from './description';
import { type HvResult, HvError, fail, hex, ok, unwrap } from './errors';
import { HvEventBus, formatHvEvent } from './events';
import { type GuestMemfd, Host, type HostPage, type HostProcess, type MemObject, type MmapBacking } from './host';
import { Kvm, type HvGuest, type KvmVcpu, type KvmVm, type Memslot, type VmExit } from './kvm';

/**
 * Creates the guest that runs in a VM. 'boot': a guest that starts from the beginning. 'incoming':
 * the destination of a migration, built before any migrated page arrives (it may load its image
 * into RAM, which the pages then overwrite, like QEMU -incoming); loadState follows, then it runs.
 */
export type HvGuestFactory = (vm: KvmVm, mode: 'boot' | 'incoming') => HvGuest;

/** A region of the description as set up on the host. */
export interface VmmRegion {
  cfg: RegionConfig;
  index: number;
  /** Memslot id, or -1 for an MMIO hole. */
  slot: number;
  /** Where the VMM mapped the (shared) backing, or -1. */
  hva: number;
  obj: MemObject | null;
  gmem: GuestMemfd | null;
}

export interface VmmOptions {
  /** Event bus (shared with a migration destination). Default: a new one. */
  events?: HvEventBus;
  /** Use this host instead of creating one from cfg.host (e.g. two VMs on one host). */
  host?: Host;
  /** Receives one formatted line per hypervisor event (the CLI's --trace-hv). */
  trace?: (line: string) => void;
  /** Convert private/shared on KVM_EXIT_MEMORY_FAULT automatically, as QEMU does (default true). */
  autoConvert?: boolean;
}

/** Stress and run options (the CLI flags map onto these). */
export interface VmmRunOptions {
  /** Guest instructions per KVM_RUN (default 20000). */
  sliceInsns?: number;
  /** Stop after this many guest instructions (default: run to completion). */
  maxInsns?: number;
  /** --swap-every N: swap out every resident guest page every N guest instructions. */
  swapEvery?: number;
  /** --migrate-every N: live-migrate through a byte stream every N guest instructions. */
  migrateEvery?: number;
  /** --migrate-without-tags: the broken-VMM variant (tags are not transferred). */
  migrateWithoutTags?: boolean;
  /** How --migrate-every transfers: 'stream' (the binary format, in memory; default) or 'direct'. */
  migrateVia?: 'stream' | 'direct';
  /** Called after each completed migration with the new VMM and guest. */
  onMigrated?: (to: Vmm, guest: HvGuest, report: import('./migration').MigrationReport) => void;
}

export interface VmmRunResult {
  /** Why the run ended: shutdown (with the guest's status), an error, a refused exit, or intr (maxInsns). */
  exit: VmExit;
  /** The VMM the guest ended on (differs from the starting one after migrations). */
  vmm: Vmm;
  guest: HvGuest;
  insns: number;
  migrations: number;
  swapOuts: number;
}

export class Vmm {
  readonly host: Host;
  readonly mm: HostProcess;
  readonly kvm: Kvm;
  readonly vm: KvmVm;
  readonly vcpu: KvmVcpu;
  readonly events: HvEventBus;
  readonly regions: VmmRegion[] = [];
  /** QEMU-style dirty tracking of the VMM's own writes into guest RAM (gfns), merged into migration rounds. */
  dirtyTracking = false;
  readonly vmmDirty = new Set<number>();
  autoConvert: boolean;
  private untrace: (() => void) | null = null;

  /** Builds host memory, the VM, its memslots, attributes and vCPU 0 from a config. Throws HvError naming the description field. */
  constructor(readonly cfg: VmConfig, opts: VmmOptions = {}) {
    this.events = opts.events ?? new HvEventBus();
    if (opts.trace) {
      const t = opts.trace;
      this.untrace = this.events.subscribe(e => t(formatHvEvent(e)));
    }
    this.host = opts.host ?? new Host({ mte: cfg.host.mte, fwb: cfg.host.fwb, dic: cfg.host.dic, ipaLimit: cfg.host.ipaLimit }, this.events, cfg.host.swapSlots);
    this.host.swap.freeTagsOnRestore = cfg.swap.freeTagsOnRestore;
    this.mm = this.host.createProcess(`vmm:${cfg.name}`);
    this.kvm = new Kvm(this.host, this.mm);
    this.autoConvert = opts.autoConvert !== false;
    const P = 'vm';
    this.vm = unwrap(this.kvm.createVm({ name: cfg.name, ipaBits: cfg.ipaBits, protected: cfg.type === 'protected', debugAllowed: cfg.debug === 'allow', events: this.events }), `${P}.ipaBits`);
    const vm = this.vm;
    this.mm.resolver = hva => {
      const g = vm.hvaToGfn(hva);
      return g < 0 ? null : { vm: vm.name, gpa: g * PAGE_SIZE, pc: vm.lastPc };
    };
    if (cfg.mte) unwrap(vm.enableCap(KVM_CAP_ARM_MTE), `${P}.mte`);
    if (cfg.dirtyLog.manualProtect) {
      unwrap(vm.enableCap(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, [KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | (cfg.dirtyLog.initiallySet ? KVM_DIRTY_LOG_INITIALLY_SET : 0)]), `${P}.dirtyLog`);
    }
    cfg.memory.forEach((r, i) => this.regions.push(this.setupRegion(r, i)));
    cfg.private.forEach((p, i) => unwrap(vm.setMemoryAttributes(p.gpa, p.size, KVM_MEMORY_ATTRIBUTE_PRIVATE), `${P}.private[${i}]`));
    this.vcpu = unwrap(vm.createVcpu(0), `${P}`);
    // The VMM changes memory behind live slots where asked (after admission, as the seeds warn).
    this.regions.forEach(r => { if (r.cfg.replacedBy) this.replaceBacking(r, r.cfg.replacedBy); });
    vm.memoryMap = {
      ram: this.regions.filter(r => r.cfg.ram && r.cfg.backing !== 'mmio').map(r => ({ firstGpn: r.cfg.gpa / PAGE_SIZE, count: r.cfg.size / PAGE_SIZE })),
      devices: this.regions.filter(r => !r.cfg.ram || r.cfg.backing === 'mmio').map(r => ({ name: r.cfg.name, firstGpn: r.cfg.gpa / PAGE_SIZE, count: r.cfg.size / PAGE_SIZE, kind: r.cfg.backing })),
    };
    if (this.autoConvert) vm.exitHandler = exit => this.handleExit(exit);
  }

  /** Stops printing trace lines (the bus stays). */
  dispose(): void { if (this.untrace) { this.untrace(); this.untrace = null; } }

  private mapBacking(backing: SlotBacking, size: number, name: string, protMte: boolean, cacheable: boolean, anyUc: boolean, fixed?: number): HvResult<{ hva: number; obj: MemObject | null }> {
    let b: MmapBacking;
    switch (backing) {
      case 'anon': b = { kind: 'anon' }; break;
      case 'memfd': b = { kind: 'file', file: this.host.memfdCreate(name, size) }; break;
      case 'dax': b = { kind: 'file', file: this.host.daxFile(name, size) }; break;
      case 'pfnmap': b = { kind: 'file', file: this.host.vfioBar(name, size, cacheable, anyUc) }; break;
    }
    const r = this.mm.mmap({ length: size, prot: { read: true, write: true, mte: protMte }, backing: b, fixed, name });
    if (!r.ok) return r;
    return ok({ hva: r.value, obj: this.mm.findVma(r.value)?.obj ?? null });
  }

  private setupRegion(r: RegionConfig, i: number): VmmRegion {
    const P = `vm.memory[${i}]`;
    if (r.backing === 'mmio') return { cfg: r, index: i, slot: -1, hva: -1, obj: null, gmem: null };
    const m = this.mapBacking(r.backing, r.size, r.name, r.protMte, r.cacheable, r.allowAnyUncached);
    const { hva, obj } = unwrap(m, r.protMte ? `${P}.prot_mte` : P);
    let gmem: GuestMemfd | null = null;
    let flags = 0;
    if (r.readonly) flags |= KVM_MEM_READONLY;
    if (r.dirtyLog) flags |= KVM_MEM_LOG_DIRTY_PAGES;
    if (r.guestMemfd) {
      gmem = unwrap(this.vm.createGuestMemfd(r.size), `${P}.guestMemfd`);
      flags |= KVM_MEM_GUEST_MEMFD;
    }
    unwrap(this.vm.setUserMemoryRegion2({ slot: i, flags, guestPhysAddr: r.gpa, memorySize: r.size, userspaceAddr: hva, guestMemfd: gmem, guestMemfdOffset: 0 }), P);
    return { cfg: r, index: i, slot: i, hva, obj, gmem };
  }

  /** mmap(MAP_FIXED) a different kind of memory over a region's hva range (the slot stays). */
  replaceBacking(r: VmmRegion, by: NonNullable<RegionConfig['replacedBy']>): void {
    const m = unwrap(this.mapBacking(by.backing, r.cfg.size, `${r.cfg.name}:${by.backing}`, by.protMte, by.cacheable, by.allowAnyUncached, r.hva), `vm.memory[${r.index}].replacedBy`);
    r.obj = m.obj;
    this.events.emit('remap', this.vm.name, r.cfg.gpa, this.vm.lastPc, `the VMM mmap(MAP_FIXED)s ${by.backing}${by.backing === 'pfnmap' ? (by.cacheable ? ' (cacheable)' : ' (uncached)') : ''} over slot ${r.slot} ("${r.cfg.name}"); the MMU notifier unmaps stage 2 and KVM re-checks the VMA at the next fault`,
      { slot: r.slot, hva: r.hva });
  }

  region(name: string): VmmRegion | undefined { return this.regions.find(r => r.cfg.name === name); }

  // ---- guest-physical helpers -------------------------------------------------------------------

  /** Strips a protected VM's shared bit: the canonical gfn. */
  canonicalGfn(gpa: number): number {
    const gfn = Math.floor(gpa / PAGE_SIZE);
    const sb = this.vm.sharedGpnBit;
    return sb !== 0 && Math.floor(gfn / sb) % 2 === 1 ? gfn - sb : gfn;
  }

  /** Finds the page for a VMM access. `path` decides the private-memory policy. */
  private pageFor(where: string, gfn: number, write: boolean, path: 'dma' | 'debug'): HvResult<{ hp: HostPage | null; slot: Memslot; mte: boolean }> {
    const vm = this.vm;
    const slot = vm.findSlot(gfn);
    if (slot === undefined) {
      const dev = vm.memoryMap.devices.find(d => gfn >= d.firstGpn && gfn < d.firstGpn + d.count);
      return this.refuse(fail('EFAULT', where, 'gpa', `${hex(gfn * PAGE_SIZE)} is not RAM${dev ? ` (MMIO region "${dev.name}")` : ' (no memslot)'}`), gfn);
    }
    if (vm.isPrivate(gfn)) {
      if (path === 'dma') {
        return this.refuse(fail('EACCES', where, 'gpa', `${hex(gfn * PAGE_SIZE)} is private: its contents live in guest_memfd, which devices and the VMM cannot reach (only shared memory can be DMA'd)`), gfn);
      }
      if (!vm.debugAllowed) {
        return this.refuse(fail('EPERM', where, 'gpa', `${hex(gfn * PAGE_SIZE)} is private and the VM's debug policy does not allow the VMM to access private memory (create it with "debug": "allow")`), gfn);
      }
      // Debug-allowed protected VM: the debug path (like SEV DEBUG_DECRYPT / TDX debug SEAMCALLs) reads guest_memfd.
      const g = slot.gmem!;
      const pg = slot.gmemPgoff + (gfn - slot.baseGfn);
      let e = g.pages.get(pg);
      if ((e === undefined || typeof e === 'number') && write) {
        e = this.host.allocFrame(g, pg, gfn);
        g.pages.set(pg, e);
      }
      return ok({ hp: e === undefined || typeof e === 'number' ? null : e, slot, mte: false });
    }
    const hva = slot.userspaceAddr + (gfn - slot.baseGfn) * PAGE_SIZE;
    const f = this.mm.faultIn(hva, write, gfn);
    if (!f.ok) return this.refuse(fail('EFAULT', where, 'gpa', `${hex(gfn * PAGE_SIZE)}: ${f.why}`), gfn);
    return ok({ hp: f.hp, slot, mte: f.vma.flags.mte });
  }

  private refuse<T>(e: HvResult<T> & { ok: false }, gfn: number): HvResult<T> {
    this.events.emit('refused', this.vm.name, gfn * PAGE_SIZE, this.vm.lastPc, e.message, { errno: e.errno });
    return e;
  }

  private markVmmDirty(gfn: number): void {
    if (this.dirtyTracking) this.vmmDirty.add(gfn);
  }

  /** Walks [gpa, gpa+len) page by page. */
  private walk(where: string, gpa: number, len: number, write: boolean, path: 'dma' | 'debug',
    fn: (hp: HostPage | null, off: number, n: number, done: number, gfn: number, mte: boolean) => void): HvResult<void> {
    if (!Number.isSafeInteger(gpa) || gpa < 0 || !Number.isSafeInteger(len) || len < 0) return fail('EINVAL', where, 'gpa', `bad range ${gpa}+${len}`);
    let done = 0;
    while (done < len) {
      const a = gpa + done;
      const gfn = this.canonicalGfn(a);
      const off = a % PAGE_SIZE;
      const n = Math.min(len - done, PAGE_SIZE - off);
      const r = this.pageFor(where, gfn, write, path);
      if (!r.ok) return r;
      fn(r.value.hp, off, n, done, gfn, r.value.mte);
      if (write) this.markVmmDirty(gfn);
      done += n;
    }
    return ok(undefined);
  }

  // ---- DMA path --------------------------------------------------------------------------------

  /**
   * Device DMA (virtio, emulated devices): reads guest memory with no tag checks (the VMM sets
   * PSTATE.TCO around accesses through a PROT_MTE mapping) and no tag changes. Private pages are
   * refused.
   */
  dmaRead(gpa: number, len: number): HvResult<Uint8Array> {
    const out = new Uint8Array(len);
    const r = this.walk('dma read', gpa, len, false, 'dma', (hp, off, n, done) => { if (hp) out.set(hp.page.data.subarray(off, off + n), done); });
    return r.ok ? ok(out) : r;
  }

  /** Device DMA write: data only, tags untouched; marks the pages dirty in the VMM's bitmap. */
  dmaWrite(gpa: number, bytes: Uint8Array): HvResult<void> {
    const r = this.walk('dma write', gpa, bytes.length, true, 'dma', (hp, off, n, done) => {
      hp!.page.data.set(bytes.subarray(done, done + n), off);
      hp!.page.dataWritten();
    });
    if (r.ok) this.events.emit('vmm-access', this.vm.name, gpa - gpa % PAGE_SIZE, this.vm.lastPc, `DMA write of ${bytes.length} byte(s): no tag check, tags unchanged${this.dirtyTracking ? ', page(s) marked dirty for migration' : ''}`, { size: bytes.length });
    return r;
  }

  // ---- debug path -------------------------------------------------------------------------------

  /** Debugger read: ignores tags entirely. Private memory only with the debug policy. */
  debugRead(gpa: number, len: number): HvResult<Uint8Array> {
    const out = new Uint8Array(len);
    const r = this.walk('debug read', gpa, len, false, 'debug', (hp, off, n, done) => { if (hp) out.set(hp.page.data.subarray(off, off + n), done); });
    return r.ok ? ok(out) : r;
  }

  /** Debugger write: ignores tags, marks dirty (for a migration in progress). */
  debugWrite(gpa: number, bytes: Uint8Array): HvResult<void> {
    const r = this.walk('debug write', gpa, bytes.length, true, 'debug', (hp, off, n, done) => {
      hp!.page.data.set(bytes.subarray(done, done + n), off);
      hp!.page.dataWritten();
    });
    if (r.ok) this.events.emit('vmm-access', this.vm.name, gpa - gpa % PAGE_SIZE, this.vm.lastPc, `debug write of ${bytes.length} byte(s) (tags ignored)`, { size: bytes.length });
    return r;
  }

  /**
   * Reads `count` allocation tags (one per byte) from the 16-byte aligned `gpa`. Through a PROT_MTE
   * mapping the VMM reads them directly (LDG); otherwise with KVM_ARM_MTE_COPY_TAGS FROM_GUEST.
   */
  debugReadTags(gpa: number, count: number): HvResult<Uint8Array> {
    const where = 'debug read tags';
    if (!this.vm.mteEnabled) return fail('EINVAL', where, 'vm', 'the VM does not have MTE enabled (KVM_CAP_ARM_MTE)');
    if (gpa % GRANULE_SIZE !== 0) return fail('EINVAL', where, 'gpa', `${hex(gpa)} is not 16-byte aligned`);
    const out = new Uint8Array(count);
    const buf = new Uint8Array(GRANULES_PER_PAGE);
    let i = 0;
    while (i < count) {
      const a = gpa + i * GRANULE_SIZE;
      const gfn = this.canonicalGfn(a);
      const g0 = (a % PAGE_SIZE) / GRANULE_SIZE;
      const n = Math.min(count - i, GRANULES_PER_PAGE - g0);
      const pr = this.pageFor(where, gfn, false, 'debug');
      if (!pr.ok) return pr;
      if (pr.value.mte && pr.value.hp) {
        for (let k = 0; k < n; k++) out[i + k] = pr.value.hp.page.getTag(g0 + k);
      } else {
        const r = this.vm.copyMteTags({ guestIpa: gfn * PAGE_SIZE, length: PAGE_SIZE, buffer: buf, flags: KVM_ARM_TAGS_FROM_GUEST });
        if (!r.ok) return r;
        out.set(buf.subarray(g0, g0 + n), i);
      }
      i += n;
    }
    return ok(out);
  }

  /**
   * Writes allocation tags (one per byte, low nibble) from the 16-byte aligned `gpa`. Through a
   * PROT_MTE mapping the VMM stores them directly (STG with TCO set) and marks the page in its own
   * dirty bitmap; otherwise it must use KVM_ARM_MTE_COPY_TAGS TO_GUEST, which KVM refuses with
   * -EBUSY while dirty logging is on.
   */
  debugWriteTags(gpa: number, tags: Uint8Array): HvResult<void> {
    const where = 'debug write tags';
    if (!this.vm.mteEnabled) return fail('EINVAL', where, 'vm', 'the VM does not have MTE enabled (KVM_CAP_ARM_MTE)');
    if (gpa % GRANULE_SIZE !== 0) return fail('EINVAL', where, 'gpa', `${hex(gpa)} is not 16-byte aligned`);
    const buf = new Uint8Array(GRANULES_PER_PAGE);
    let i = 0;
    while (i < tags.length) {
      const a = gpa + i * GRANULE_SIZE;
      const gfn = this.canonicalGfn(a);
      const g0 = (a % PAGE_SIZE) / GRANULE_SIZE;
      const n = Math.min(tags.length - i, GRANULES_PER_PAGE - g0);
      const pr = this.pageFor(where, gfn, true, 'debug');
      if (!pr.ok) return pr;
      if (pr.value.mte && pr.value.hp) {
        for (let k = 0; k < n; k++) pr.value.hp.page.setTag(g0 + k, tags[i + k] & 0xf);
      } else {
        const rd = this.vm.copyMteTags({ guestIpa: gfn * PAGE_SIZE, length: PAGE_SIZE, buffer: buf, flags: KVM_ARM_TAGS_FROM_GUEST });
        if (!rd.ok) return rd;
        for (let k = 0; k < n; k++) buf[g0 + k] = tags[i + k] & 0xf;
        const wr = this.vm.copyMteTags({ guestIpa: gfn * PAGE_SIZE, length: PAGE_SIZE, buffer: buf, flags: KVM_ARM_TAGS_TO_GUEST });
        if (!wr.ok) {
          return this.refuse(fail(wr.errno, where, 'gpa', `${wr.message}${wr.errno === 'EBUSY' ? '; map the RAM with "prot_mte": true to write tags during migration' : ''}`), gfn);
        }
      }
      this.markVmmDirty(gfn);
      i += n;
    }
    this.events.emit('vmm-access', this.vm.name, gpa - gpa % PAGE_SIZE, this.vm.lastPc, `debug write of ${tags.length} allocation tag(s)`, { count: tags.length });
    return ok(undefined);
  }

  /** What backs a guest-physical page right now (for the debugger's hypervisor view). */
  describePage(gpa: number): Record<string, string | number | boolean> {
    const gfn = this.canonicalGfn(gpa);
    const vm = this.vm;
    const slot = vm.findSlot(gfn);
    const out: Record<string, string | number | boolean> = { gpa: gfn * PAGE_SIZE };
    const dev = vm.memoryMap.devices.find(d => gfn >= d.firstGpn && gfn < d.firstGpn + d.count);
    if (!slot) { out.backing = dev ? `mmio (${dev.name})` : 'none'; return out; }
    const reg = this.regions.find(r => r.slot === slot.id);
    out.slot = slot.id;
    out.region = reg?.cfg.name ?? '';
    out.private = vm.isPrivate(gfn);
    const s2 = vm.stage2(gfn) ?? (vm.sharedGpnBit ? vm.stage2(gfn + vm.sharedGpnBit) : undefined);
    out.stage2 = s2 ? `${s2.memType}${s2.writable ? ' rw' : ' ro'}${s2.tagCapable ? ' tagged' : ''}` : 'unmapped';
    const hva = slot.userspaceAddr + (gfn - slot.baseGfn) * PAGE_SIZE;
    const pk = this.mm.peek(hva);
    if (pk) {
      out.backing = pk.vma.obj.kind;
      const e = pk.entry;
      if (e === undefined) out.state = 'not populated';
      else if (typeof e === 'number') { out.state = 'swapped'; out.swapSlot = e; out.savedTags = this.host.swap.tagStore.has(e); }
      else {
        out.state = e === this.host.zeroPage ? 'zero page' : e.swapSlot >= 0 ? 'resident (swap cache)' : 'resident';
        out.pgMteTagged = e.page.mteTagged;
        if (e.swapSlot >= 0) out.swapSlot = e.swapSlot;
      }
    }
    return out;
  }

  // ---- private memory -----------------------------------------------------------------------------

  /**
   * kvm_convert_memory (QEMU accel/kvm): KVM_SET_MEMORY_ATTRIBUTES on the page-aligned range, then
   * discard the backing that is no longer used (shared -> private: drop the shared pages;
   * private -> shared: punch the guest_memfd range).
   */
  convert(gpa: number, size: number, toPrivate: boolean): HvResult<void> {
    const where = 'convert memory';
    const gfn = this.canonicalGfn(gpa);
    const start = gfn * PAGE_SIZE;
    const len = Math.ceil((gpa % PAGE_SIZE + size) / PAGE_SIZE) * PAGE_SIZE;
    const slot = this.vm.findSlot(gfn);
    if (slot === undefined) return this.refuse(fail('EINVAL', where, 'gpa', `${hex(start)} is not in a memslot`), gfn);
    if (toPrivate && slot.gmem === null) {
      return this.refuse(fail('EINVAL', where, 'gpa', `Cannot convert non guest_memfd backed memory region to private (slot ${slot.id})`), gfn);
    }
    const r = this.vm.setMemoryAttributes(start, len, toPrivate ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0);
    if (!r.ok) return this.refuse(r, gfn);
    let discarded = 0;
    if (toPrivate) {
      const hva = slot.userspaceAddr + (gfn - slot.baseGfn) * PAGE_SIZE;
      const d = this.mm.discard(hva, len);
      if (d.ok) discarded = d.value;
    } else if (slot.gmem) {
      discarded = slot.gmem.punchHole(slot.gmemPgoff + (gfn - slot.baseGfn), len / PAGE_SIZE);
    }
    this.events.emit('discard', this.vm.name, start, this.vm.lastPc,
      `${toPrivate ? 'ram_block_discard_range: shared backing dropped (MADV_DONTNEED / PUNCH_HOLE)' : 'guest_memfd PUNCH_HOLE: private backing dropped'}; ${discarded} populated page(s) discarded`,
      { pages: len / PAGE_SIZE, discarded });
    return ok(undefined);
  }

  /** The VMM's exit handler (QEMU's kvm_cpu_exec): converts on memory-fault exits. */
  handleExit(exit: VmExit): 'retry' | 'stop' {
    if (exit.reason !== 'memory_fault') return 'stop';
    return this.convert(exit.gpa, exit.size, exit.private).ok ? 'retry' : 'stop';
  }

  // ---- swap ---------------------------------------------------------------------------------------

  /** Swaps out the page backing `gpa` (by command). */
  swapOut(gpa: number, keepInSwapCache = false): HvResult<'swapped' | 'discarded'> {
    const gfn = this.canonicalGfn(gpa);
    const slot = this.vm.findSlot(gfn);
    if (slot === undefined) return fail('EFAULT', 'swap out', 'gpa', `${hex(gpa)} is not in a memslot`);
    if (this.vm.isPrivate(gfn)) {
      return this.refuse(fail('EINVAL', 'swap out', 'gpa', `${hex(gpa)} is private: guest_memfd pages are unevictable`), gfn);
    }
    return this.mm.reclaim(slot.userspaceAddr + (gfn - slot.baseGfn) * PAGE_SIZE, keepInSwapCache);
  }

  /** --swap-every: swaps out every resident, swappable guest page. Returns how many. */
  swapOutAll(): number {
    let n = 0;
    for (const [hva] of [...this.mm.residentPages()]) if (this.mm.reclaim(hva).ok) n++;
    return n;
  }

  /** Applies the memory limit policy (called whenever control returns to the VMM). */
  enforceMemoryLimit(): number {
    const lim = this.cfg.swap.limitPages;
    return lim === null ? 0 : this.mm.reclaimTo(lim);
  }

  // ---- running ------------------------------------------------------------------------------------

  /**
   * The VMM main loop: KVM_RUN in slices, handling exits, applying the swap policies and, with
   * migrateEvery, live-migrating to a fresh VMM (another host) every N instructions and carrying
   * on there. Returns when the guest shuts down, an exit cannot be handled, or maxInsns is reached.
   */
  run(factory: HvGuestFactory, opts: VmmRunOptions = {}): VmmRunResult {
    const guest = factory(this.vm, 'boot');
    this.vcpu.attach(guest);
    return runLoop(this, guest, factory, opts);
  }

  /** Continues a loop with an already attached guest (e.g. after an incoming migration). */
  resume(guest: HvGuest, factory: HvGuestFactory, opts: VmmRunOptions = {}): VmmRunResult {
    this.vcpu.attach(guest);
    return runLoop(this, guest, factory, opts);
  }
}

// Set by migration.ts (which imports this module) to avoid an import cycle at load time.
let migrateHook: ((src: Vmm, guest: HvGuest, factory: HvGuestFactory, opts: VmmRunOptions) => { vmm: Vmm; guest: HvGuest; report: import('./migration').MigrationReport } | { cancelled: VmExit }) | null = null;
export function registerMigrateHook(fn: NonNullable<typeof migrateHook>): void { migrateHook = fn; }

function runLoop(start: Vmm, startGuest: HvGuest, factory: HvGuestFactory, opts: VmmRunOptions): VmmRunResult {
  let vmm = start;
  let guest = startGuest;
  const slice = opts.sliceInsns ?? 20000;
  const max = opts.maxInsns ?? Infinity;
  const swapEvery = opts.swapEvery ?? vmm.cfg.swap.every ?? Infinity;
  const migEvery = opts.migrateEvery ?? vmm.cfg.migration.every ?? Infinity;
  if (opts.migrateWithoutTags === undefined && vmm.cfg.migration.withoutTags) opts = { ...opts, migrateWithoutTags: true };
  if (opts.migrateVia === undefined) opts = { ...opts, migrateVia: vmm.cfg.migration.via };
  if (!(swapEvery > 0) || !(migEvery > 0) || !(slice > 0)) throw new HvError(fail('EINVAL', 'vmm run', 'options', 'swapEvery, migrateEvery and sliceInsns must be positive'));
  let nextSwap = guest.insns + swapEvery;
  let nextMig = guest.insns + migEvery;
  let migrations = 0, swapOuts = 0;
  for (;;) {
    const now = guest.insns;
    const budget = Math.max(1, Math.min(slice, nextSwap - now, nextMig - now, max - now));
    let exit = vmm.vcpu.run(budget);
    vmm.enforceMemoryLimit();
    // A memory-fault exit here was not resolved synchronously (autoConvert off, or the conversion
    // was refused): it goes back to the caller, like any other exit but 'intr'.
    if (exit.reason !== 'intr') return { exit, vmm, guest, insns: guest.insns, migrations, swapOuts };
    if (guest.insns >= nextSwap) {
      swapOuts += vmm.swapOutAll();
      nextSwap = guest.insns + swapEvery;
    }
    if (guest.insns >= nextMig) {
      if (migrateHook === null) throw new Error('migration module not loaded (import emulator/hv/index)');
      const r = migrateHook(vmm, guest, factory, opts);
      if ('cancelled' in r) { exit = r.cancelled; return { exit, vmm, guest, insns: guest.insns, migrations, swapOuts }; }
      vmm = r.vmm;
      guest = r.guest;
      migrations++;
      opts.onMigrated?.(vmm, guest, r.report);
      nextMig = guest.insns + migEvery;
    }
    if (guest.insns >= max) return { exit, vmm, guest, insns: guest.insns, migrations, swapOuts };
  }
}
