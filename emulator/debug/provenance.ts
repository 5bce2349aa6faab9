// Who set each granule's allocation tag: every tag write an instruction (or the debugger) makes is
// recorded per physical granule, with the pc, the instruction number (step), the previous and new
// tag and the virtual address used. A bounded number of writes is kept per granule (its tag history).
// Writes the kernel makes without going through the Mmu (zeroing tags of a fresh page, swap-in) are
// not seen here; readers compare the recorded tag with the current one to notice them.
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

export class TagProvenance {
  private readonly pages = new WeakMap<PhysPage, (TagWrite[] | undefined)[]>();
  /** Writes kept per granule. */
  constructor(readonly perGranule = 16) {}

  record(page: PhysPage, granule: number, w: TagWrite): void {
    let slots = this.pages.get(page);
    if (!slots) { slots = new Array(GRANULES_PER_PAGE); this.pages.set(page, slots); }
    let l = slots[granule];
    if (!l) l = slots[granule] = [];
    l.push(w);
    if (l.length > this.perGranule) l.shift();
  }

  /** The most recent write to a granule, if any was seen. */
  last(page: PhysPage | undefined, granule: number): TagWrite | undefined {
    if (!page) return undefined;
    const l = this.pages.get(page)?.[granule];
    return l ? l[l.length - 1] : undefined;
  }

  /** All writes kept for a granule, oldest first. */
  history(page: PhysPage | undefined, granule: number): readonly TagWrite[] {
    if (!page) return [];
    return this.pages.get(page)?.[granule] ?? [];
  }

  /** Forgets writes made at or after `step` to this granule (reverse execution undid them). */
  undo(page: PhysPage, granule: number, step: number): void {
    const l = this.pages.get(page)?.[granule];
    if (!l) return;
    while (l.length && l[l.length - 1].step >= step && l[l.length - 1].by === 'instruction') l.pop();
  }
}
