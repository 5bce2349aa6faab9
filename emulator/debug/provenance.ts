// Who set each granule's allocation tag: every tag write an instruction (or the debugger) makes is
// recorded with the pc, the instruction number (step), the previous and new tag and the virtual
// address used. Storage is allocation-free on the hot path (STG in a loop): the latest write of each
// granule lives in typed arrays per physical page, and every write is appended to a bounded ring
// that answers "tag history of one granule" (newest writes kept). Writes the kernel makes without
// going through the Mmu (zeroing a fresh page's tags, swap-in) are not seen here; readers compare
// the recorded tag with the current one to notice them.
import type { PhysPage } from '../memory/page';
import { GRANULES_PER_PAGE } from '../memory/page';

export interface TagWrite {
  /** Instruction number (1-based count of instructions executed; the debugger's writes use the current position). */
  step: number;
  pc: number;
  /** Tag before and after. */
  prev: number;
  tag: number;
  /** Virtual address the instruction used (tag bits included). */
  va: bigint;
  /** Who wrote it. */
  by: 'instruction' | 'debugger';
}

/** Latest write per granule of one page. step = -1: none recorded. */
interface PageLast { step: Float64Array; pc: Float64Array; prev: Uint8Array; tag: Uint8Array; by: Uint8Array; va: BigUint64Array }

const BY = ['instruction', 'debugger'] as const;

export class TagProvenance {
  // Keyed by guest-physical page number, not by the PhysPage object: a page swapped out and back in
  // by the host, or migrated to another VM, is a new object at the same guest-physical address.
  private readonly pages = new Map<number, PageLast>();
  private lastGpn = NaN;
  private lastRec: PageLast | null = null;
  // Ring of all writes, oldest overwritten first.
  private readonly cap: number;
  private n = 0;
  private head = 0; // next slot
  /** Guest-physical page number of each write (NaN = slot dropped). */
  private readonly rGpn: Float64Array;
  private readonly rGranule: Uint16Array;
  private readonly rStep: Float64Array;
  private readonly rPc: Float64Array;
  private readonly rPrev: Uint8Array;
  private readonly rTag: Uint8Array;
  private readonly rBy: Uint8Array;
  private readonly rVa: BigUint64Array;

  /** `ring` = how many writes are kept for tag histories. */
  constructor(ring = 1 << 18) {
    this.cap = ring;
    this.rGpn = new Float64Array(ring).fill(NaN);
    this.rGranule = new Uint16Array(ring);
    this.rStep = new Float64Array(ring);
    this.rPc = new Float64Array(ring);
    this.rPrev = new Uint8Array(ring);
    this.rTag = new Uint8Array(ring);
    this.rBy = new Uint8Array(ring);
    this.rVa = new BigUint64Array(ring);
  }

  private recOf(page: PhysPage, create: boolean): PageLast | undefined {
    const gpn = page.gpn;
    if (gpn === this.lastGpn) return this.lastRec!;
    let r = this.pages.get(gpn);
    if (!r) {
      if (!create) return undefined;
      r = {
        step: new Float64Array(GRANULES_PER_PAGE).fill(-1), pc: new Float64Array(GRANULES_PER_PAGE), prev: new Uint8Array(GRANULES_PER_PAGE),
        tag: new Uint8Array(GRANULES_PER_PAGE), by: new Uint8Array(GRANULES_PER_PAGE), va: new BigUint64Array(GRANULES_PER_PAGE),
      };
      this.pages.set(gpn, r);
    }
    this.lastGpn = gpn;
    this.lastRec = r;
    return r;
  }

  /** Records a write (no allocation unless the page is new). */
  note(page: PhysPage, granule: number, step: number, pc: number, prev: number, tag: number, va: bigint, by: 0 | 1): void {
    const r = this.recOf(page, true)!;
    r.step[granule] = step; r.pc[granule] = pc; r.prev[granule] = prev; r.tag[granule] = tag; r.by[granule] = by; r.va[granule] = va;
    const i = this.head;
    this.rGpn[i] = page.gpn; this.rGranule[i] = granule; this.rStep[i] = step; this.rPc[i] = pc;
    this.rPrev[i] = prev; this.rTag[i] = tag; this.rBy[i] = by; this.rVa[i] = va;
    this.head = i + 1 === this.cap ? 0 : i + 1;
    if (this.n < this.cap) this.n++;
  }

  record(page: PhysPage, granule: number, w: TagWrite): void {
    this.note(page, granule, w.step, w.pc, w.prev, w.tag, BigInt.asUintN(64, w.va), w.by === 'debugger' ? 1 : 0);
  }

  /** The most recent write to a granule, if any was seen. */
  last(page: PhysPage | undefined, granule: number): TagWrite | undefined {
    if (!page) return undefined;
    const r = this.recOf(page, false);
    if (!r || r.step[granule] < 0) return undefined;
    return { step: r.step[granule], pc: r.pc[granule], prev: r.prev[granule], tag: r.tag[granule], va: r.va[granule], by: BY[r.by[granule]] };
  }

  /** Raw access for bulk readers: the page's latest-write arrays (step -1 = none). */
  lastArrays(page: PhysPage | undefined): Readonly<PageLast> | undefined {
    return page ? this.recOf(page, false) : undefined;
  }

  /** The writes kept for a granule, oldest first (at most `max`). */
  history(page: PhysPage | undefined, granule: number, max = 64): TagWrite[] {
    if (!page) return [];
    const out: TagWrite[] = [];
    const gpn = page.gpn;
    for (let k = 0, i = this.head; k < this.n && out.length < max; k++) {
      i = i === 0 ? this.cap - 1 : i - 1;
      if (this.rGpn[i] !== gpn || this.rGranule[i] !== granule) continue;
      out.push({ step: this.rStep[i], pc: this.rPc[i], prev: this.rPrev[i], tag: this.rTag[i], va: this.rVa[i], by: BY[this.rBy[i]] });
    }
    return out.reverse();
  }

  /**
   * Forgets a write made at `step` (or later) to this granule: reverse execution undid it. Undo comes
   * newest first, so the matching entries are at the end of the ring.
   */
  undo(page: PhysPage, granule: number, step: number): void {
    while (this.n > 0) {
      const i = this.head === 0 ? this.cap - 1 : this.head - 1;
      if (this.rStep[i] < step || this.rBy[i] !== 0) break;
      this.rGpn[i] = NaN;
      this.head = i;
      this.n--;
    }
    const r = this.recOf(page, false);
    if (!r || r.step[granule] < step) return;
    // The latest remaining write to this granule, if the ring still has it.
    const gpn = page.gpn;
    for (let k = 0, i = this.head; k < this.n; k++) {
      i = i === 0 ? this.cap - 1 : i - 1;
      if (this.rGpn[i] === gpn && this.rGranule[i] === granule) {
        r.step[granule] = this.rStep[i]; r.pc[granule] = this.rPc[i]; r.prev[granule] = this.rPrev[i];
        r.tag[granule] = this.rTag[i]; r.by[granule] = this.rBy[i]; r.va[granule] = this.rVa[i];
        return;
      }
    }
    r.step[granule] = -1;
  }
}
