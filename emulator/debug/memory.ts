// The debugger's only way into guest memory: a debug path that ignores allocation tags and never
// faults. Two layers:
//  - `PhysDebugPath` works on guest-physical addresses. `RamDebugPath` is the plain-RAM one (no
//    hypervisor: it reads and writes the RamPhysicalMemory pages directly); when the guest runs in
//    a VM the hypervisor's VMM debug path (Vmm.debugRead/...) is used instead (`VmmDebugPath`),
//    which applies the VM's policies (private memory refused unless debug is allowed, dirty marking).
//  - `GuestDebugMemory` adds the guest's stage 1 (the process's page table and VMAs) on top, so the
//    debugger can use the virtual addresses the program uses (tag bits in [59:56] are ignored).
// Errors are `DebugAccessError`s with a message meant for the user.
import { PAGE_SIZE, GRANULE_SIZE, type PhysPage } from '../memory/page';
import type { AddressSpace } from '../memory/mmu';
import { PhysAccessError, type GuestPhysicalMemory, RamPhysicalMemory } from '../memory/physical';

export class DebugAccessError extends Error {
  constructor(message: string, readonly address?: bigint) { super(message); this.name = 'DebugAccessError'; }
}

const hex = (v: number | bigint): string => '0x' + v.toString(16);

/** Guest-physical debug access. Addresses are byte addresses (gpa = gpn * 4096 + offset). */
export interface PhysDebugPath {
  /** Human name for messages ("RAM debug path", "hypervisor debug path"). */
  readonly name: string;
  read(gpa: number, len: number): Uint8Array;
  write(gpa: number, bytes: Uint8Array): void;
  /** `count` allocation tags (one per byte) from the 16-byte aligned gpa. */
  readTags(gpa: number, count: number): Uint8Array;
  /**
   * The same tags written into `out` from index `at` (bulk readers: no allocation per page). Throws
   * as readTags does, before writing anything when the granules are within one page.
   */
  readTagsInto(gpa: number, count: number, out: Uint8Array | Int8Array, at: number): void;
  writeTags(gpa: number, tags: Uint8Array): void;
  /** The page object behind a gpa if it exists now (for provenance keys), without side effects. */
  pageAt?(gpa: number): PhysPage | undefined;
}

/**
 * The debug path over plain RAM (no hypervisor): data and tags are read and written directly in
 * the physical pages; never-touched pages read as zeros; nothing is tag-checked and nothing faults
 * except addresses that are not RAM at all.
 */
export class RamDebugPath implements PhysDebugPath {
  readonly name = 'RAM debug path';
  constructor(private readonly phys: GuestPhysicalMemory) {}

  private isRam(gpn: number): boolean {
    return this.phys.ramRanges().some(r => gpn >= r.firstGpn && gpn < r.firstGpn + r.count);
  }

  pageAt(gpa: number): PhysPage | undefined {
    const gpn = Math.floor(gpa / PAGE_SIZE);
    if (this.phys instanceof RamPhysicalMemory) return this.phys.peek(gpn);
    if (!this.isRam(gpn)) return undefined;
    try { return this.phys.resolve(gpn, false, -1).page; } catch (e) { if (e instanceof PhysAccessError) return undefined; throw e; }
  }

  private page(gpa: number, write: boolean): PhysPage | undefined {
    const gpn = Math.floor(gpa / PAGE_SIZE);
    if (!this.isRam(gpn)) throw new DebugAccessError(`guest-physical address ${hex(gpa)} is not RAM`);
    if (!write) return this.pageAt(gpa);
    try { return this.phys.resolve(gpn, true, -1).page; } catch (e) {
      if (e instanceof PhysAccessError) throw new DebugAccessError(`guest-physical address ${hex(gpa)}: ${e.reason}`);
      throw e;
    }
  }

  read(gpa: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let k = 0; k < len;) {
      const off = (gpa + k) % PAGE_SIZE;
      const n = Math.min(len - k, PAGE_SIZE - off);
      const p = this.page(gpa + k, false);
      if (p) out.set(p.data.subarray(off, off + n), k);
      k += n;
    }
    return out;
  }

  write(gpa: number, bytes: Uint8Array): void {
    for (let k = 0; k < bytes.length;) {
      const off = (gpa + k) % PAGE_SIZE;
      const n = Math.min(bytes.length - k, PAGE_SIZE - off);
      const p = this.page(gpa + k, true)!;
      p.data.set(bytes.subarray(k, k + n), off);
      p.dataWritten();
      k += n;
    }
  }

  readTags(gpa: number, count: number): Uint8Array {
    const out = new Uint8Array(count);
    this.readTagsInto(gpa, count, out, 0);
    return out;
  }

  readTagsInto(gpa: number, count: number, out: Uint8Array | Int8Array, at: number): void {
    if (gpa % GRANULE_SIZE !== 0) throw new DebugAccessError(`tag address ${hex(gpa)} is not 16-byte aligned`);
    for (let i = 0; i < count;) {
      const a = gpa + i * GRANULE_SIZE;
      const g0 = (a % PAGE_SIZE) / GRANULE_SIZE;
      const n = Math.min(count - i, PAGE_SIZE / GRANULE_SIZE - g0);
      const t = this.page(a, false)?.tags;
      const o = at + i;
      if (!t) out.fill(0, o, o + n); // never touched, or no tag storage yet: all tags 0
      else {
        // Straight from the packed array (granule g: byte g >> 1, low nibble when g is even).
        let k = 0;
        if (g0 & 1) { out[o] = t[g0 >> 1] >> 4; k = 1; }
        for (; k + 1 < n; k += 2) { const b = t[(g0 + k) >> 1]; out[o + k] = b & 0xf; out[o + k + 1] = b >> 4; }
        if (k < n) out[o + k] = t[(g0 + k) >> 1] & 0xf;
      }
      i += n;
    }
  }

  writeTags(gpa: number, tags: Uint8Array): void {
    if (gpa % GRANULE_SIZE !== 0) throw new DebugAccessError(`tag address ${hex(gpa)} is not 16-byte aligned`);
    for (let i = 0; i < tags.length;) {
      const a = gpa + i * GRANULE_SIZE;
      const g0 = (a % PAGE_SIZE) / GRANULE_SIZE;
      const n = Math.min(tags.length - i, PAGE_SIZE / GRANULE_SIZE - g0);
      const p = this.page(a, true)!;
      for (let k = 0; k < n; k++) p.setTag(g0 + k, tags[i + k] & 0xf);
      i += n;
    }
  }
}

/** The subset of the hypervisor's VMM the debug path needs (emulator/hv/vmm.ts `Vmm`). */
export interface VmmDebugAccess {
  debugRead(gpa: number, len: number): { ok: true; value: Uint8Array } | { ok: false; message: string };
  debugWrite(gpa: number, bytes: Uint8Array): { ok: true; value: void } | { ok: false; message: string };
  debugReadTags(gpa: number, count: number): { ok: true; value: Uint8Array } | { ok: false; message: string };
  debugWriteTags(gpa: number, tags: Uint8Array): { ok: true; value: void } | { ok: false; message: string };
}

/** The hypervisor's debug path (VMM side): every refusal comes back with the VMM's reason. */
export class VmmDebugPath implements PhysDebugPath {
  readonly name = 'hypervisor debug path';
  constructor(private readonly vmm: () => VmmDebugAccess) {}
  private unwrap<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
    if (r.ok) return r.value;
    throw new DebugAccessError(r.message);
  }
  read(gpa: number, len: number): Uint8Array { return this.unwrap(this.vmm().debugRead(gpa, len)); }
  write(gpa: number, bytes: Uint8Array): void { this.unwrap(this.vmm().debugWrite(gpa, bytes)); }
  readTags(gpa: number, count: number): Uint8Array { return this.unwrap(this.vmm().debugReadTags(gpa, count)); }
  readTagsInto(gpa: number, count: number, out: Uint8Array | Int8Array, at: number): void { out.set(this.readTags(gpa, count), at); }
  writeTags(gpa: number, tags: Uint8Array): void { this.unwrap(this.vmm().debugWriteTags(gpa, tags)); }
}

/** What stage 1 looks like to the debugger: the process's page table and its VMAs. */
export interface Stage1View {
  space: AddressSpace;
  /** The VMA containing an untagged user address: its protection, PROT_MTE, and file contents for not-yet-present pages. */
  vmaAt(a: number): { start: number; end: number; prot: number; mte: boolean; name: string; file?: { data: Uint8Array; offset: number; limit: number } } | undefined;
  /** Makes a page present (demand paging, as ptrace's access_process_vm does); false if impossible. */
  populate(a: number): boolean;
}

export const USER_VA_LIMIT = 2 ** 48;

/** The untagged user address of a pointer, or -1 when it is not a user address (bit 55 set, >= 2^48). */
export function untagged(va: bigint): number {
  // Through 32-bit halves, not bigint arithmetic: the tag-write hook calls this for every STG.
  // (A BigUint64Array element takes the value modulo 2^64, as BigInt.asUintN(64, va).)
  SCRATCH64[0] = va;
  const hi = SCRATCH32[HI];
  if ((hi & 0x0080_0000) !== 0) return -1; // bit 55: the upper (kernel) half
  const a = (hi & 0x00ff_ffff) * 2 ** 32 + SCRATCH32[LO];
  return a < USER_VA_LIMIT ? a : -1;
}
const SCRATCH64 = new BigUint64Array(1);
const SCRATCH32 = new Uint32Array(SCRATCH64.buffer);
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1, HI = LITTLE ? 1 : 0;

export interface ReadResult {
  /** The bytes that could be read (a prefix of the request). */
  bytes: Uint8Array;
  /** Requested bytes that could not be read (after the prefix). */
  unreadable: number;
  /** Why the first unreadable byte could not be read. */
  reason?: string;
}

/** Virtual-address debug access for one process. */
export class GuestDebugMemory {
  constructor(readonly stage1: Stage1View, readonly path: PhysDebugPath) {}

  /** Guest-physical address of an untagged user address if its page is present. */
  gpaOf(a: number): number | undefined {
    const e = this.stage1.space.get(Math.floor(a / PAGE_SIZE));
    return e === undefined ? undefined : e.gpn * PAGE_SIZE + (a % PAGE_SIZE);
  }

  private userAddress(va: bigint, len: number): number {
    const a = untagged(va);
    if (a < 0) throw new DebugAccessError(`${hex(BigInt.asUintN(64, va))} is not a user-space address (user addresses are below 2^48; bits 59:56 may hold a tag)`, va);
    if (a + len > USER_VA_LIMIT) throw new DebugAccessError(`${hex(a)}+${len} runs past the end of user space (2^48)`, va);
    return a;
  }

  /**
   * Reads up to `len` bytes; stops at the first byte that is not mapped and reports how many were
   * left unread. Pages of a VMA that were never touched read as zero (or as their file contents).
   */
  read(va: bigint, len: number): ReadResult {
    const a0 = untagged(va);
    if (a0 < 0) return { bytes: new Uint8Array(0), unreadable: len, reason: `${hex(BigInt.asUintN(64, va))} is not a user-space address` };
    const out: Uint8Array[] = [];
    let k = 0;
    let reason: string | undefined;
    while (k < len) {
      const a = a0 + k;
      if (a >= USER_VA_LIMIT) { reason = 'end of user space'; break; }
      const off = a % PAGE_SIZE;
      const n = Math.min(len - k, PAGE_SIZE - off);
      const gpa = this.gpaOf(a);
      if (gpa !== undefined) {
        try { out.push(this.path.read(gpa, n)); } catch (e) {
          if (e instanceof DebugAccessError) { reason = e.message; break; }
          throw e;
        }
      } else {
        const v = this.stage1.vmaAt(a);
        if (!v) { reason = `${hex(a)} is not mapped`; break; }
        const b = new Uint8Array(n);
        if (v.file) {
          const rel = a - v.start;
          for (let i = 0; i < n; i++) {
            const o = rel + i;
            b[i] = o < v.file.limit && v.file.offset + o < v.file.data.length ? v.file.data[v.file.offset + o] : 0;
          }
        }
        out.push(b);
      }
      k += n;
    }
    const bytes = new Uint8Array(k);
    let at = 0;
    for (const b of out) { bytes.set(b, at); at += b.length; }
    return { bytes, unreadable: len - k, reason };
  }

  /** Reads exactly `len` bytes or throws DebugAccessError. */
  readExact(va: bigint, len: number): Uint8Array {
    const r = this.read(va, len);
    if (r.unreadable > 0) throw new DebugAccessError(`cannot read ${len} byte(s) at ${hex(BigInt.asUintN(64, va))}: ${r.reason}`, va);
    return r.bytes;
  }

  readU64(va: bigint): bigint {
    const b = this.readExact(va, 8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  /** Writes all bytes (pages of the VMA are made present first) or throws before writing anything unmapped. */
  write(va: bigint, bytes: Uint8Array): void {
    const a0 = this.userAddress(va, bytes.length);
    // Check (and populate) every page before writing anything.
    for (let a = a0 - (a0 % PAGE_SIZE); a < a0 + bytes.length; a += PAGE_SIZE) {
      const start = Math.max(a, a0);
      if (this.gpaOf(start) !== undefined) continue;
      if (!this.stage1.vmaAt(start)) throw new DebugAccessError(`cannot write at ${hex(start)}: not mapped`, va);
      if (!this.stage1.populate(start)) throw new DebugAccessError(`cannot write at ${hex(start)}: the page cannot be made present`, va);
    }
    for (let k = 0; k < bytes.length;) {
      const a = a0 + k;
      const n = Math.min(bytes.length - k, PAGE_SIZE - (a % PAGE_SIZE));
      this.path.write(this.gpaOf(a)!, bytes.subarray(k, k + n));
      k += n;
    }
  }

  /** Whether the granule at va is in a PROT_MTE mapping (so it has an allocation tag). */
  isTagged(va: bigint): boolean {
    const a = untagged(va);
    if (a < 0) return false;
    const e = this.stage1.space.get(Math.floor(a / PAGE_SIZE));
    if (e) return e.tagged;
    return this.stage1.vmaAt(a)?.mte ?? false;
  }

  /**
   * Allocation tags of `count` granules from the granule containing va: a number per granule, or
   * -1 where the memory is not PROT_MTE (no tags) or not mapped.
   */
  readTags(va: bigint, count: number): Int8Array {
    return this.readTagsInto(va, count, new Int8Array(count));
  }

  /** readTags into `out` (its first `count` entries; bulk readers can reuse it): returns `out`. */
  readTagsInto(va: bigint, count: number, out: Int8Array): Int8Array {
    out.fill(-1, 0, count);
    const a = untagged(va);
    if (a < 0) return out;
    const g0 = a - (a % GRANULE_SIZE);
    let i = 0;
    while (i < count) {
      const ga = g0 + i * GRANULE_SIZE;
      if (ga >= USER_VA_LIMIT) break;
      const n = Math.min(count - i, (PAGE_SIZE - (ga % PAGE_SIZE)) / GRANULE_SIZE);
      const vpn = Math.floor(ga / PAGE_SIZE);
      const e = this.stage1.space.get(vpn);
      if (e) {
        if (e.tagged) {
          try {
            this.path.readTagsInto(e.gpn * PAGE_SIZE + (ga % PAGE_SIZE), n, out, i);
          } catch (err) {
            if (!(err instanceof DebugAccessError)) throw err;
            out.fill(-1, i, i + n);
          }
        }
      } else if (this.stage1.vmaAt(ga)?.mte) {
        // Not yet touched: Linux gives a PROT_MTE page zeroed tags when it is first mapped.
        out.fill(0, i, i + n);
      }
      i += n;
    }
    return out;
  }

  /** Sets allocation tags of consecutive granules from the one containing va (PROT_MTE memory only). */
  writeTags(va: bigint, tags: ArrayLike<number>): void {
    const a = this.userAddress(va, tags.length * GRANULE_SIZE);
    const g0 = a - (a % GRANULE_SIZE);
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i];
      if (!Number.isInteger(t) || t < 0 || t > 15) throw new DebugAccessError(`allocation tag ${t} is out of range (0..15)`);
    }
    for (let ga = g0 - (g0 % PAGE_SIZE); ga < g0 + tags.length * GRANULE_SIZE; ga += PAGE_SIZE) {
      const at = Math.max(ga, g0);
      if (!this.isTagged(BigInt(at))) {
        throw new DebugAccessError(`address ${hex(at)} is not in a region mapped with PROT_MTE, so it has no allocation tags`, BigInt(at));
      }
      if (this.gpaOf(at) === undefined && !this.stage1.populate(at)) throw new DebugAccessError(`cannot make the page at ${hex(at)} present`);
    }
    let i = 0;
    while (i < tags.length) {
      const ga = g0 + i * GRANULE_SIZE;
      const n = Math.min(tags.length - i, (PAGE_SIZE - (ga % PAGE_SIZE)) / GRANULE_SIZE);
      const buf = new Uint8Array(n);
      for (let k = 0; k < n; k++) buf[k] = tags[i + k];
      this.path.writeTags(this.gpaOf(ga)!, buf);
      i += n;
    }
  }

  /** The physical page behind a user address right now, if present (for provenance lookups). */
  pageOf(a: number): PhysPage | undefined {
    const gpa = this.gpaOf(a);
    return gpa === undefined ? undefined : this.path.pageAt?.(gpa);
  }
}
