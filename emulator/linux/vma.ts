// The process's virtual memory areas (what /proc/self/maps lists) and demand paging into the stage-1
// AddressSpace: a VMA only reserves addresses; a page gets a guest-physical frame (zeroed, tags
// cleared, or filled from its file) the first time it is touched, like Linux.
import { AddressSpace, PROT_R, PROT_W, PROT_X, type Stage1Entry } from '../memory/mmu';
import { PAGE_SIZE } from '../memory/page';
import type { GuestPhysicalMemory } from '../memory/physical';
import { EACCES, EINVAL, ENOMEM, MMAP_MIN_ADDR, PROT_EXEC, PROT_READ, PROT_WRITE, TASK_SIZE } from './constants';
import { FrameAllocator } from './frames';

export type VmaKind = 'elf' | 'anon' | 'file' | 'heap' | 'stack' | 'vdso';

export interface FileBacking {
  /** Path shown in the memory map. */
  path: string;
  data: Uint8Array;
  /** File offset of the VMA's first byte. */
  offset: number;
  /** Bytes from the VMA's start that come from the file; the rest of the VMA reads as zero. */
  limit: number;
}

export interface Vma {
  start: number;
  end: number;
  /** PROT_READ | PROT_WRITE | PROT_EXEC. */
  prot: number;
  /** VM_MTE: mapped with PROT_MTE (pages are Tagged). Never cleared by mprotect. */
  mte: boolean;
  /** VM_MTE_ALLOWED: anonymous, brk heap, stack (not regular files). */
  mteAllowed: boolean;
  shared: boolean;
  /** VM_MAYWRITE: false for shared mappings of files opened read-only. */
  mayWrite: boolean;
  kind: VmaKind;
  /** `[heap]`, `[stack]`, `[vdso]`, a path, or '' for anonymous memory. */
  name: string;
  file?: FileBacking;
}

export type FaultResult = 'ok' | 'maperr' | 'accerr';

/** Page-table permission bits for a VMA's prot: arm64 cannot express write-only or exec-only. */
export function pageProt(prot: number): number {
  let p = 0;
  if (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) p |= PROT_R;
  if (prot & PROT_WRITE) p |= PROT_W;
  if (prot & PROT_EXEC) p |= PROT_X;
  return p;
}

/** Whether the VMA allows an access (Linux's access check at page-fault time). */
export function vmaAllows(v: Vma, write: boolean, exec: boolean): boolean {
  if (exec) return (v.prot & PROT_EXEC) !== 0;
  if (write) return (v.prot & PROT_WRITE) !== 0;
  return (v.prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) !== 0;
}

const pageUp = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

export interface MemoryMapState {
  vmas: Vma[];
  /** Present pages: [vpn, gpn, prot, tagged(0/1)] flattened in fours. */
  pages: number[];
}

export class MemoryMap {
  /** Sorted, non-overlapping. */
  vmas: Vma[] = [];

  constructor(readonly space: AddressSpace, readonly frames: FrameAllocator, readonly phys: GuestPhysicalMemory) {}

  // ---- lookup --------------------------------------------------------------------------------

  private indexAfter(addr: number): number {
    // First VMA whose end > addr (binary search).
    let lo = 0, hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vmas[mid].end <= addr) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** The VMA containing addr. */
  find(addr: number): Vma | undefined {
    const i = this.indexAfter(addr);
    const v = this.vmas[i];
    return v && v.start <= addr ? v : undefined;
  }

  /** VMAs intersecting [start, end). */
  overlapping(start: number, end: number): Vma[] {
    const out: Vma[] = [];
    for (let i = this.indexAfter(start); i < this.vmas.length && this.vmas[i].start < end; i++) out.push(this.vmas[i]);
    return out;
  }

  isFree(start: number, end: number): boolean {
    return this.overlapping(start, end).length === 0;
  }

  /** Highest free range of len bytes whose end is at most `top` (Linux's top-down search). */
  findFreeTopDown(len: number, top: number, bottom = MMAP_MIN_ADDR): number {
    let hi = top;
    for (let k = Math.min(this.indexAfter(top - 1), this.vmas.length - 1); k >= 0; k--) {
      const v = this.vmas[k];
      if (v.start >= hi) continue;
      if (v.end < hi && hi - Math.max(v.end, bottom) >= len) return hi - len;
      hi = Math.min(hi, v.start);
      if (hi - bottom < len) return -1;
    }
    return hi - bottom >= len ? hi - len : -1;
  }

  /** Lowest free range of len bytes at or above `from` (for hints that do not fit). */
  findFreeBottomUp(len: number, from: number, top = TASK_SIZE): number {
    let lo = Math.max(from, MMAP_MIN_ADDR);
    for (let i = this.indexAfter(lo); i < this.vmas.length; i++) {
      const v = this.vmas[i];
      if (v.start >= lo + len) break;
      lo = Math.max(lo, v.end);
    }
    return lo + len <= top ? lo : -1;
  }

  // ---- structure -----------------------------------------------------------------------------

  /** Inserts a VMA into a free range (caller guarantees it is free), merging with neighbours. */
  insert(v: Vma): void {
    const i = this.indexAfter(v.start);
    this.vmas.splice(i, 0, v);
    this.mergeAround(i);
  }

  private static mergeable(a: Vma, b: Vma): boolean {
    return a.end === b.start && !a.file && !b.file && a.kind === b.kind && a.prot === b.prot && a.mte === b.mte &&
      a.mteAllowed === b.mteAllowed && a.shared === b.shared && a.mayWrite === b.mayWrite && a.name === b.name &&
      (a.kind === 'anon' || a.kind === 'heap' || a.kind === 'stack');
  }

  private mergeAround(i: number): void {
    if (i + 1 < this.vmas.length && MemoryMap.mergeable(this.vmas[i], this.vmas[i + 1])) {
      this.vmas[i].end = this.vmas[i + 1].end;
      this.vmas.splice(i + 1, 1);
    }
    if (i > 0 && MemoryMap.mergeable(this.vmas[i - 1], this.vmas[i])) {
      this.vmas[i - 1].end = this.vmas[i].end;
      this.vmas.splice(i, 1);
    }
  }

  private static slice(v: Vma, start: number, end: number): Vma {
    const out: Vma = { ...v, start, end };
    if (v.file) {
      const d = start - v.start;
      out.file = { ...v.file, offset: v.file.offset + d, limit: Math.max(0, Math.min(v.file.limit - d, end - start)) };
    }
    return out;
  }

  /** Splits VMAs so that `addr` is a boundary. */
  private splitAt(addr: number): void {
    const i = this.indexAfter(addr);
    const v = this.vmas[i];
    if (!v || v.start >= addr) return;
    this.vmas.splice(i, 1, MemoryMap.slice(v, v.start, addr), MemoryMap.slice(v, addr, v.end));
  }

  /** Removes every mapping in [start, end) and frees its frames. */
  unmap(start: number, end: number): void {
    if (end <= start) return;
    this.splitAt(start);
    this.splitAt(end);
    const i = this.indexAfter(start);
    let j = i;
    while (j < this.vmas.length && this.vmas[j].start < end) j++;
    for (const v of this.vmas.splice(i, j - i)) this.dropPages(v.start, v.end);
  }

  /** Frees the frames of present pages in [start, end) (the VMAs stay). */
  dropPages(start: number, end: number): void {
    const first = start / PAGE_SIZE, last = end / PAGE_SIZE;
    if (last - first > this.space.entries.size) {
      for (const [vpn, e] of [...this.space.entries]) {
        if (vpn >= first && vpn < last) { this.space.delete(vpn); this.frames.release(e.gpn); }
      }
      return;
    }
    for (let vpn = first; vpn < last; vpn++) {
      const e = this.space.get(vpn);
      if (e) { this.space.delete(vpn); this.frames.release(e.gpn); }
    }
  }

  /**
   * mprotect over [start, end): Linux's loop, applied VMA by VMA (an error part-way leaves earlier
   * VMAs changed, as in Linux). Returns 0 or -errno.
   */
  protect(start: number, end: number, prot: number, mte: boolean): number {
    let v = this.find(start);
    if (!v) return -ENOMEM;
    let pos = start;
    for (;;) {
      if ((prot & PROT_WRITE) && !v.mayWrite) return -EACCES;
      const newMte = v.mte || mte;
      if (newMte && !v.mteAllowed) return -EINVAL;
      const segEnd = Math.min(end, v.end);
      this.splitAt(pos);
      this.splitAt(segEnd);
      const w = this.find(pos)!;
      w.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
      w.mte = newMte;
      this.updatePages(w);
      const idx = this.indexAfter(pos);
      this.mergeAround(idx);
      pos = segEnd;
      if (pos >= end) return 0;
      const next = this.find(pos);
      if (!next) return -ENOMEM;
      v = next;
    }
  }

  /** Rewrites the stage-1 entries of a VMA's present pages after a protection change. */
  updatePages(v: Vma): void {
    const p = pageProt(v.prot);
    for (let vpn = v.start / PAGE_SIZE; vpn < v.end / PAGE_SIZE; vpn++) {
      const e = this.space.get(vpn);
      if (!e) continue;
      if (v.mte && !e.tagged) this.sanitise(e.gpn);
      this.space.set(vpn, { gpn: e.gpn, prot: p, tagged: v.mte });
    }
  }

  /** A page mapped Tagged for the first time starts with all tags 0 (PG_mte_tagged). */
  private sanitise(gpn: number): void {
    const page = this.phys.resolve(gpn, true, 0).page;
    if (!page.mteTagged) {
      if (this.frames.beforeReset !== null) this.frames.beforeReset(page);
      page.clearTags();
      page.mteTagged = true;
    }
  }

  // ---- demand paging -------------------------------------------------------------------------

  /**
   * Handles a translation fault at untagged address `a`: if a VMA allows the access, the page is
   * populated and 'ok' is returned; otherwise SEGV_MAPERR / SEGV_ACCERR.
   */
  fault(a: number, write: boolean, exec: boolean, pc = 0): FaultResult {
    const v = this.find(a);
    if (!v) return 'maperr';
    if (!vmaAllows(v, write, exec)) return 'accerr';
    const vpn = Math.floor(a / PAGE_SIZE);
    if (this.space.get(vpn)) return 'accerr';
    this.populate(v, vpn, pc);
    return 'ok';
  }

  /** Gives page vpn of VMA v a frame (zero or file contents). */
  populate(v: Vma, vpn: number, pc = 0): Stage1Entry {
    const { gpn, page } = this.frames.alloc(pc);
    if (v.file) {
      const off = vpn * PAGE_SIZE - v.start;
      const n = Math.min(PAGE_SIZE, v.file.limit - off, v.file.data.length - (v.file.offset + off));
      if (n > 0) page.data.set(v.file.data.subarray(v.file.offset + off, v.file.offset + off + n), 0);
    }
    if (v.mte) page.mteTagged = true;
    const e: Stage1Entry = { gpn, prot: pageProt(v.prot), tagged: v.mte };
    this.space.set(vpn, e);
    return e;
  }

  /** Makes every page of [start, end) present if its VMA allows the access; false if one cannot be. */
  ensure(start: number, end: number, write: boolean): boolean {
    for (let vpn = Math.floor(start / PAGE_SIZE); vpn * PAGE_SIZE < end; vpn++) {
      const e = this.space.get(vpn);
      if (e) {
        if (write ? (e.prot & PROT_W) === 0 : (e.prot & PROT_R) === 0) return false;
        continue;
      }
      const v = this.find(vpn * PAGE_SIZE);
      if (!v || !vmaAllows(v, write, false)) return false;
      this.populate(v, vpn);
    }
    return true;
  }

  /** Moves [from, from+len) to [to, to+len) (mremap): the VMA attributes and the present frames. */
  move(from: number, len: number, to: number): void {
    const src = this.overlapping(from, from + len);
    const moved: Vma[] = src.map(v => {
      const s = Math.max(v.start, from), e = Math.min(v.end, from + len);
      const part = MemoryMap.slice(v, s, e);
      part.start = s - from + to; part.end = e - from + to;
      return part;
    });
    const pages: [number, Stage1Entry][] = [];
    for (let vpn = from / PAGE_SIZE; vpn < (from + len) / PAGE_SIZE; vpn++) {
      const e = this.space.get(vpn);
      if (e) { pages.push([vpn - from / PAGE_SIZE + to / PAGE_SIZE, e]); this.space.delete(vpn); }
    }
    // Remove the old VMAs without freeing the moved frames.
    this.splitAt(from); this.splitAt(from + len);
    const i = this.indexAfter(from);
    let j = i;
    while (j < this.vmas.length && this.vmas[j].start < from + len) j++;
    this.vmas.splice(i, j - i);
    for (const m of moved) this.insert(m);
    for (const [vpn, e] of pages) this.space.set(vpn, e);
  }

  /** Grows VMA v in place to newEnd (caller checked the range is free). */
  grow(v: Vma, newEnd: number): void {
    v.end = newEnd;
    this.mergeAround(this.vmas.indexOf(v));
  }

  /** Page-aligned length; NaN-safe helper for callers. */
  static pageUp = pageUp;

  // ---- reporting / state ---------------------------------------------------------------------

  /** /proc/self/maps lines (show_map_vma's layout: the name starts at column 74). */
  describe(): string[] {
    const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
    return this.vmas.map(v => {
      const perms = `${v.prot & PROT_READ ? 'r' : '-'}${v.prot & PROT_WRITE ? 'w' : '-'}${v.prot & PROT_EXEC ? 'x' : '-'}${v.shared ? 's' : 'p'}`;
      const off = v.file ? v.file.offset : 0;
      const head = `${h(v.start, 8)}-${h(v.end, 8)} ${perms} ${h(off, 8)} 00:00 0 `;
      return v.name ? head.padEnd(73) + v.name : head.trimEnd();
    });
  }

  snapshot(): MemoryMapState {
    const pages: number[] = [];
    for (const [vpn, e] of this.space.entries) pages.push(vpn, e.gpn, e.prot, e.tagged ? 1 : 0);
    return { vmas: this.vmas.map(v => ({ ...v, file: v.file ? { ...v.file } : undefined })), pages };
  }

  restore(s: MemoryMapState): void {
    this.vmas = s.vmas.map(v => ({ ...v, file: v.file ? { ...v.file } : undefined }));
    for (const vpn of [...this.space.entries.keys()]) this.space.delete(vpn);
    for (let i = 0; i < s.pages.length; i += 4) {
      this.space.set(s.pages[i], { gpn: s.pages[i + 1], prot: s.pages[i + 2], tagged: s.pages[i + 3] === 1 });
    }
  }
}
