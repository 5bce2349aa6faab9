// Stage 1 (the guest's virtual memory) composed with the guest-physical interface (stage 2),
// cached in a direct-mapped software TLB, plus MTE tag checking in the architectural order of
// reference section 1.3: translation/permission/alignment first, then the tag check.
import { GuestFault } from './fault';
import { PhysPage, PAGE_SIZE, GRANULE_SIZE } from './page';
import { GuestPhysicalMemory, PhysAccessError } from './physical';

export const PROT_R = 1;
export const PROT_W = 2;
export const PROT_X = 4;

/** One stage-1 page-table entry: where a virtual page goes and what it allows. */
export interface Stage1Entry {
  gpn: number;
  prot: number;
  /** MAIR attribute 0xF0 (Normal, Tagged): the page was mapped with PROT_MTE. */
  tagged: boolean;
}

/** The MTE control state the checks need; the CPU state implements it. */
export interface TagCheckControl {
  /** Effective SCTLR_EL1.TCF0: 0 none, 1 sync, 2 async, 3 asymmetric (loads sync, stores async). */
  tcf0: number;
  /** PSTATE.TCO. */
  tco: number;
  /** TFSRE0_EL1: TF0 bit 0, TF1 bit 1. */
  tfsre0: number;
  /** Allocation tag access enabled (SCTLR_EL1.ATA0 and, in a VM, HCR_EL2.ATA). */
  ata: boolean;
  /** Current pc, for events and provenance. */
  pc: number;
}

/** Details of an asynchronous (or asymmetric-store) tag-check mismatch, which does not fault. */
export interface TagMismatch {
  va: bigint; size: number; write: boolean; logicalTag: number; allocationTag: number; pc: number; faultVa: bigint;
}

export interface MemoryHooks {
  /** Before a data write to [off, off+size) of page (reverse-execution journal, watchpoints). */
  beforeWrite?: (page: PhysPage, off: number, size: number, va: bigint) => void;
  /** Before a granule's allocation tag changes. */
  beforeTagWrite?: (page: PhysPage, granule: number, oldTag: number, newTag: number, va: bigint) => void;
  /** A mismatch that did not fault (async / asymmetric stores). */
  asyncMismatch?: (m: TagMismatch) => void;
  /** A read or write of a watched virtual page (only called for pages in `watchedVpns`). */
  watch?: (va: bigint, size: number, write: boolean) => void;
}

/** Stage-1 page table of one process. */
export class AddressSpace {
  readonly entries = new Map<number, Stage1Entry>();
  private readonly listeners: ((vpn: number) => void)[] = [];

  get(vpn: number): Stage1Entry | undefined { return this.entries.get(vpn); }
  set(vpn: number, e: Stage1Entry): void { this.entries.set(vpn, e); this.changed(vpn); }
  delete(vpn: number): void { if (this.entries.delete(vpn)) this.changed(vpn); }
  onChange(fn: (vpn: number) => void): void { this.listeners.push(fn); }
  private changed(vpn: number): void { for (const l of this.listeners) l(vpn); }
}

const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;
const F_R = 1, F_W = 2, F_X = 4, F_TAGGED = 8;
/** Bits [55:0]: the tag byte is ignored by translation (TBI). */
const VA_MASK = 0x00ff_ffff_ffff_ffffn;
/** User space is a 48-bit VA space. */
const VA_LIMIT = 2 ** 48;
const PAGE_MASK = PAGE_SIZE - 1;
/** Scratch for splitting a 64-bit address into 32-bit halves without bigint arithmetic. */
const SCRATCH64 = new BigUint64Array(1);
const SCRATCH32 = new Uint32Array(SCRATCH64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1, HI = LITTLE_ENDIAN ? 1 : 0;

export class Mmu {
  // The TLB, direct-mapped by the low bits of the virtual page number (bits 55:12 of the address):
  // public for the fast paths of the CPU's compiled blocks (isa/jit.ts), which only read it.
  readonly tlbVpn = new Float64Array(TLB_SIZE).fill(-1);
  /** F_R 1, F_W 2, F_X 4, F_TAGGED 8 (checked accesses are tag-checked on the page). */
  readonly tlbFlags = new Uint8Array(TLB_SIZE);
  readonly tlbPage: (PhysPage | null)[] = new Array<PhysPage | null>(TLB_SIZE).fill(null);
  /** High half of the last read128. */
  hi128 = 0n;
  hooks: MemoryHooks = {};
  /** Called when a data write drops a page's decoded instructions (the CPU must look its code up again). */
  onCodeWrite: (() => void) | null = null;
  /** Virtual pages with watchpoints: never cached in the TLB, so only the slow path sees them. */
  readonly watchedVpns = new Set<number>();

  constructor(readonly space: AddressSpace, readonly phys: GuestPhysicalMemory, readonly ctl: TagCheckControl) {
    space.onChange(vpn => this.flushVpn(vpn));
    phys.addInvalidationListener(() => this.flushAll());
  }

  flushAll(): void { this.tlbVpn.fill(-1); this.tlbPage.fill(null); }
  flushVpn(vpn: number): void {
    const i = vpn & TLB_MASK;
    if (this.tlbVpn[i] === vpn) { this.tlbVpn[i] = -1; this.tlbPage[i] = null; }
  }

  // ---- translation -------------------------------------------------------------------------

  /**
   * Translates the page of untagged address `a` for an access, filling the TLB. Throws GuestFault
   * for translation/permission faults and for refusals by the physical layer.
   */
  private fill(va: bigint, a: number, write: boolean, exec: boolean): number {
    if (a >= VA_LIMIT) throw new GuestFault('translation', va, write, exec);
    const vpn = Math.floor(a / PAGE_SIZE);
    const e = this.space.get(vpn);
    if (e === undefined) throw new GuestFault('translation', va, write, exec);
    const need = exec ? PROT_X : write ? PROT_W : PROT_R;
    if ((e.prot & need) === 0) throw new GuestFault('permission', va, write, exec);
    let m;
    try {
      m = this.phys.resolve(e.gpn, write, this.ctl.pc, exec);
    } catch (err) {
      if (err instanceof PhysAccessError) throw new GuestFault('external', va, write, exec, err.reason);
      throw err;
    }
    let flags = 0;
    if (e.prot & PROT_R) flags |= F_R;
    if ((e.prot & PROT_W) && m.writable) flags |= F_W;
    // X only where stage 2 allows fetches too: a later fetch through a page mapped for data takes
    // the stage-2 exec fault (KVM maps X lazily, and never for non-cacheable memory: -ENOEXEC).
    if ((e.prot & PROT_X) && m.executable !== false) flags |= F_X;
    if (e.tagged && m.tagCapable) flags |= F_TAGGED;
    const i = vpn & TLB_MASK;
    if (!this.watchedVpns.has(vpn)) {
      this.tlbVpn[i] = vpn;
      this.tlbPage[i] = m.page;
      this.tlbFlags[i] = flags;
    }
    this.slowPage = m.page;
    return flags;
  }
  private slowPage: PhysPage | null = null;

  /** Full translation without side effects on guest state, for the kernel and the debugger. */
  translate(va: bigint): { entry: Stage1Entry; offset: number; vpn: number } | undefined {
    const a = Number(va & VA_MASK);
    if (a >= VA_LIMIT) return undefined;
    const vpn = Math.floor(a / PAGE_SIZE);
    const entry = this.space.get(vpn);
    return entry ? { entry, offset: a % PAGE_SIZE, vpn } : undefined;
  }

  /** The page holding the instruction at pc (exec permission). */
  fetchPage(pc: number): PhysPage {
    const vpn = Math.floor(pc / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    if (this.tlbVpn[i] === vpn && (this.tlbFlags[i] & F_X) !== 0) return this.tlbPage[i]!;
    const va = BigInt(pc);
    const flags = this.fill(va, pc, false, true);
    if ((flags & F_X) === 0) throw new GuestFault('permission', va, false, true);
    return this.slowPage!;
  }

  // ---- tag checks --------------------------------------------------------------------------

  /**
   * Checks every granule of [off, off+size) of page against the logical tag of va (bits 59:56, `hi`
   * is va's high word). Returns normally on match or on an async mismatch (recorded in TFSRE0);
   * throws for a sync mismatch.
   */
  private checkTags(va: bigint, hi: number, size: number, write: boolean, page: PhysPage, off: number): void {
    const logical = (hi >>> 24) & 0xf;
    const tags = page.tags;
    const first = off >> 4, last = (off + size - 1) >> 4;
    for (let g = first; g <= last; g++) {
      const alloc = tags === null ? 0 : (g & 1) === 0 ? tags[g >> 1] & 0xf : tags[g >> 1] >> 4;
      if (alloc === logical) continue;
      this.tagMismatch(va, hi, size, write, off, g, logical, alloc);
      return;
    }
  }

  /** A failed granule g (of an access at page offset off): sync fault, or async record. */
  private tagMismatch(va: bigint, hi: number, size: number, write: boolean, off: number, g: number, logical: number, alloc: number): void {
    const first = off >> 4;
    // FAR: the first accessed byte if the first granule failed, else the start of the failing granule.
    const a = Number(va & VA_MASK);
    const faultVa = g === first ? va : (va & ~VA_MASK) | BigInt(a - off + g * GRANULE_SIZE);
    const tcf = this.ctl.tcf0;
    if (tcf === 1 || (tcf === 3 && !write)) {
      const f = new GuestFault('tagcheck', faultVa, write);
      f.logicalTag = logical; f.allocationTag = alloc; f.size = size;
      throw f;
    }
    // Async: the access is performed; TFSRE0_EL1.TF0 (VA[55] = 0 for user addresses). The hook
    // runs first: a debugger may abandon the instruction there (nothing of the access done yet).
    const h = this.hooks.asyncMismatch;
    if (h) h({ va, size, write, logicalTag: logical, allocationTag: alloc, pc: this.ctl.pc, faultVa });
    this.ctl.tfsre0 |= (hi & 0x0080_0000) !== 0 ? 2 : 1;
  }

  // ---- data access: fast paths for in-page accesses, one general slow path -------------------

  /** Page offset of the last `lookup`. */
  private off = 0;
  /**
   * Resolves an access of `size` bytes at va: returns the page and sets this.off, or returns null
   * (having done nothing) when the access crosses into the next page.
   * The address is split into 32-bit halves through a scratch typed array (no bigint arithmetic):
   * page offset, virtual page number (bits 55:12; >= 2^36 is never in the TLB and faults in `fill`)
   * and the logical tag all come from `lo` and `hi`.
   */
  private lookup(va: bigint, size: number, write: boolean, checked: boolean): PhysPage | null {
    SCRATCH64[0] = va;
    const lo = SCRATCH32[LO], hi = SCRATCH32[HI];
    const off = lo & PAGE_MASK;
    if (off + size > PAGE_SIZE) return null;
    this.off = off;
    const vpn = (hi & 0xff_ffff) * 0x10_0000 + (lo >>> 12);
    const i = (lo >>> 12) & TLB_MASK;
    let flags = this.tlbFlags[i];
    let page: PhysPage;
    if (this.tlbVpn[i] === vpn && (flags & (write ? F_W : F_R)) !== 0) {
      page = this.tlbPage[i]!;
    } else {
      flags = this.fill(va, (hi & 0xff_ffff) * 0x1_0000_0000 + lo, write, false);
      if ((flags & (write ? F_W : F_R)) === 0) throw new GuestFault('permission', va, write);
      page = this.slowPage!;
      if (this.watchedVpns.has(vpn) && this.hooks.watch) this.hooks.watch(va, size, write);
    }
    if (checked && (flags & F_TAGGED) !== 0 && this.ctl.tcf0 !== 0 && this.ctl.tco === 0) this.checkTags(va, hi, size, write, page, off);
    if (write) {
      if (this.hooks.beforeWrite) this.hooks.beforeWrite(page, off, size, va);
      if (page.decoded !== null) { page.decoded = null; if (this.onCodeWrite !== null) this.onCodeWrite(); }
    }
    return page;
  }

  /** `lookup` of an access known to stay within its page. */
  private lookupIn(va: bigint, size: number, write: boolean, checked: boolean): PhysPage {
    return this.lookup(va, size, write, checked)!;
  }

  /** Adds n to a tagged address keeping the tag byte. */
  private static addVa(va: bigint, n: number): bigint {
    return (va & ~VA_MASK) | ((va + BigInt(n)) & VA_MASK);
  }

  /**
   * Splits an access that crosses a page: both pages are translated and checked before any byte
   * is written (so a fault leaves memory unchanged), then bytes are moved one at a time.
   */
  private crossAccess(va: bigint, size: number, write: boolean, checked: boolean, bytes: Uint8Array): void {
    const a = Number(va & VA_MASK);
    const firstLen = PAGE_SIZE - (a % PAGE_SIZE);
    const va2 = Mmu.addVa(va, firstLen);
    const p1 = this.lookupIn(va, firstLen, write, checked); const o1 = this.off;
    const p2 = this.lookupIn(va2, size - firstLen, write, checked);
    for (let k = 0; k < size; k++) {
      const p = k < firstLen ? p1 : p2;
      const o = k < firstLen ? o1 + k : k - firstLen;
      if (write) p.data[o] = bytes[k]; else bytes[k] = p.data[o];
    }
  }
  private readonly crossBuf = new Uint8Array(16);
  private readonly crossView = new DataView(this.crossBuf.buffer);

  read8(va: bigint, checked: boolean): number {
    const p = this.lookupIn(va, 1, false, checked);
    return p.data[this.off];
  }
  read16(va: bigint, checked: boolean): number {
    const p = this.lookup(va, 2, false, checked);
    if (p === null) { this.crossAccess(va, 2, false, checked, this.crossBuf); return this.crossView.getUint16(0, true); }
    return p.view.getUint16(this.off, true);
  }
  read32(va: bigint, checked: boolean): number {
    const p = this.lookup(va, 4, false, checked);
    if (p === null) { this.crossAccess(va, 4, false, checked, this.crossBuf); return this.crossView.getUint32(0, true); }
    return p.view.getUint32(this.off, true);
  }
  read64(va: bigint, checked: boolean): bigint {
    const p = this.lookup(va, 8, false, checked);
    if (p === null) { this.crossAccess(va, 8, false, checked, this.crossBuf); return this.crossView.getBigUint64(0, true); }
    // Two 32-bit reads through the scratch: DataView's bigint accessors allocate, these do not.
    const v = p.view, o = this.off;
    SCRATCH32[LO] = v.getUint32(o, true);
    SCRATCH32[HI] = v.getUint32(o + 4, true);
    return SCRATCH64[0];
  }
  /** Returns the low 64 bits; the high 64 bits are left in `hi128`. One access: all granules checked first. */
  read128(va: bigint, checked: boolean): bigint {
    const p = this.lookup(va, 16, false, checked);
    if (p === null) {
      this.crossAccess(va, 16, false, checked, this.crossBuf);
      this.hi128 = this.crossView.getBigUint64(8, true);
      return this.crossView.getBigUint64(0, true);
    }
    this.hi128 = p.view.getBigUint64(this.off + 8, true);
    return p.view.getBigUint64(this.off, true);
  }

  write8(va: bigint, v: number, checked: boolean): void {
    const p = this.lookupIn(va, 1, true, checked);
    p.data[this.off] = v;
  }
  write16(va: bigint, v: number, checked: boolean): void {
    const p = this.lookup(va, 2, true, checked);
    if (p === null) { this.crossView.setUint16(0, v, true); this.crossAccess(va, 2, true, checked, this.crossBuf); return; }
    p.view.setUint16(this.off, v, true);
  }
  write32(va: bigint, v: number, checked: boolean): void {
    const p = this.lookup(va, 4, true, checked);
    if (p === null) { this.crossView.setUint32(0, v, true); this.crossAccess(va, 4, true, checked, this.crossBuf); return; }
    p.view.setUint32(this.off, v, true);
  }
  write64(va: bigint, v: bigint, checked: boolean): void {
    const p = this.lookup(va, 8, true, checked);
    if (p === null) { this.crossView.setBigUint64(0, v, true); this.crossAccess(va, 8, true, checked, this.crossBuf); return; }
    SCRATCH64[0] = v;
    const w = p.view, o = this.off;
    w.setUint32(o, SCRATCH32[LO], true);
    w.setUint32(o + 4, SCRATCH32[HI], true);
  }
  write128(va: bigint, lo: bigint, hi: bigint, checked: boolean): void {
    const p = this.lookup(va, 16, true, checked);
    if (p === null) {
      this.crossView.setBigUint64(0, lo, true); this.crossView.setBigUint64(8, hi, true);
      this.crossAccess(va, 16, true, checked, this.crossBuf);
      return;
    }
    p.view.setBigUint64(this.off, lo, true);
    p.view.setBigUint64(this.off + 8, hi, true);
  }

  /**
   * Checks and translates a whole access before any part of it is performed (for pair stores,
   * which must not be half done when their second half faults).
   */
  probe(va: bigint, size: number, write: boolean, checked: boolean): void {
    if ((Number(BigInt.asUintN(12, va)) + size) > PAGE_SIZE) {
      const a = Number(va & VA_MASK);
      const firstLen = PAGE_SIZE - (a % PAGE_SIZE);
      this.probeOne(va, firstLen, write, checked);
      this.probeOne(Mmu.addVa(va, firstLen), size - firstLen, write, checked);
    } else this.probeOne(va, size, write, checked);
  }
  private probeOne(va: bigint, size: number, write: boolean, checked: boolean): void {
    const a = Number(va & VA_MASK);
    const vpn = Math.floor(a / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    let flags: number, page: PhysPage;
    if (this.tlbVpn[i] === vpn && (this.tlbFlags[i] & (write ? F_W : F_R)) !== 0) { flags = this.tlbFlags[i]; page = this.tlbPage[i]!; }
    else {
      flags = this.fill(va, a, write, false);
      if ((flags & (write ? F_W : F_R)) === 0) throw new GuestFault('permission', va, write);
      page = this.slowPage!;
    }
    if (checked && (flags & F_TAGGED) !== 0 && this.ctl.tcf0 !== 0 && this.ctl.tco === 0) {
      SCRATCH64[0] = va;
      this.checkTags(va, SCRATCH32[HI], size, write, page, a % PAGE_SIZE);
    }
  }

  // ---- allocation tags (the tag instructions; never tag-checked themselves) -----------------

  /** LDG: the allocation tag of the granule containing va; 0 on untagged memory or without tag access. */
  loadTag(va: bigint): number {
    const a = Number(va & VA_MASK);
    const p = this.lookupIn(va, 1, false, false);
    if (!this.ctl.ata || !this.pageTagged(a)) return 0;
    return p.getTag(this.off >> 4);
  }

  /** Whether the page of untagged address a is Tagged at both stages (fills the TLB). */
  pageTagged(a: number): boolean {
    const vpn = Math.floor(a / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    if (this.tlbVpn[i] === vpn) return (this.tlbFlags[i] & F_TAGGED) !== 0;
    return (this.fill(BigInt(a), a, false, false) & F_TAGGED) !== 0;
  }

  /**
   * STG/STZG/ST2G/STZ2G (and the tag part of STGP, DC GVA/GZVA): sets `granules` allocation tags
   * starting at va (16-byte aligned, else alignment fault) to `tag`; zeroes the data when `zero`.
   * Permission-checked as a write; on untagged memory the tag write is silently dropped.
   */
  storeTags(va: bigint, granules: number, tag: number, zero: boolean): void {
    const a = Number(va & VA_MASK);
    if (a % GRANULE_SIZE !== 0) throw new GuestFault('alignment', va, true);
    const size = granules * GRANULE_SIZE;
    // Translate every page first so a fault leaves nothing half done.
    this.probe(va, size, true, false);
    for (let k = 0; k < granules; k++) {
      const gva = Mmu.addVa(va, k * GRANULE_SIZE);
      const ga = a + k * GRANULE_SIZE;
      const p = this.lookupIn(gva, GRANULE_SIZE, zero, false);
      const off = this.off;
      if (zero) p.data.fill(0, off, off + GRANULE_SIZE);
      if (!this.ctl.ata || !this.pageTagged(ga)) continue;
      const g = off >> 4;
      const old = p.getTag(g);
      if (this.hooks.beforeTagWrite) this.hooks.beforeTagWrite(p, g, old, tag, gva);
      p.setTag(g, tag);
    }
  }

  /**
   * One-granule `storeTags` (STG, STZG, STGP's tag part) with a fast path for a TLB hit (hooks
   * included, called in storeTags' order); otherwise, and for every fault, it is exactly
   * `storeTags(va, 1, tag, zero)`. (Added by the load/store + MTE instructions work; separate so
   * storeTags stays the reference.)
   */
  storeTagGranule(va: bigint, tag: number, zero: boolean): void {
    SCRATCH64[0] = va;
    const lo = SCRATCH32[LO], hi = SCRATCH32[HI];
    const vpn = (hi & 0xff_ffff) * 0x10_0000 + (lo >>> 12);
    const i = (lo >>> 12) & TLB_MASK;
    const flags = this.tlbFlags[i];
    // A granule never crosses a page; a read-only or unreadable hit takes the reference path.
    if ((lo & (GRANULE_SIZE - 1)) !== 0 || this.tlbVpn[i] !== vpn || (flags & (F_W | F_R)) !== (F_W | F_R)) {
      this.storeTags(va, 1, tag, zero);
      return;
    }
    const page = this.tlbPage[i]!;
    const off = lo & PAGE_MASK;
    const h = this.hooks;
    if (zero) {
      if (h.beforeWrite) h.beforeWrite(page, off, GRANULE_SIZE, va);
      if (page.decoded !== null) { page.decoded = null; if (this.onCodeWrite !== null) this.onCodeWrite(); }
      page.data.fill(0, off, off + GRANULE_SIZE);
    }
    if (this.ctl.ata && (flags & F_TAGGED) !== 0) {
      const g = off >> 4;
      if (h.beforeTagWrite) h.beforeTagWrite(page, g, page.getTag(g), tag, va);
      page.setTag(g, tag);
    }
  }



  // ---- kernel (uaccess) helpers ---------------------------------------------------------------

  /** copy_from_user: reads len bytes; tag-checked (sync mode only, as Linux does) when `checked`. */
  readBytes(va: bigint, len: number, checked = false): Uint8Array {
    const out = new Uint8Array(len);
    let k = 0;
    while (k < len) {
      const cva = Mmu.addVa(va, k);
      const a = Number(cva & VA_MASK);
      const n = Math.min(len - k, PAGE_SIZE - (a % PAGE_SIZE));
      const p = this.lookupIn(cva, Math.min(n, 16), false, false);
      if (checked && this.ctl.tcf0 === 1) this.probe(cva, n, false, true);
      out.set(p.data.subarray(this.off, this.off + n), k);
      k += n;
    }
    return out;
  }

  /** copy_to_user. */
  writeBytes(va: bigint, bytes: Uint8Array, checked = false): void {
    let k = 0;
    while (k < bytes.length) {
      const cva = Mmu.addVa(va, k);
      const a = Number(cva & VA_MASK);
      const n = Math.min(bytes.length - k, PAGE_SIZE - (a % PAGE_SIZE));
      if (checked && this.ctl.tcf0 === 1) this.probe(cva, n, true, true);
      const p = this.lookupIn(cva, n, true, false);
      p.data.set(bytes.subarray(k, k + n), this.off);
      k += n;
    }
  }

  /** Reads a NUL-terminated string (at most max bytes). */
  readCString(va: bigint, max = 4096): string {
    const bytes: number[] = [];
    for (let k = 0; k < max; k++) {
      const b = this.read8(Mmu.addVa(va, k), false);
      if (b === 0) return Buffer.from(bytes).toString('utf8');
      bytes.push(b);
    }
    throw new GuestFault('translation', va, false, false, 'string too long');
  }
}
