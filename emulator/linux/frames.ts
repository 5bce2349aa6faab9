// Guest-physical page-frame allocator over the RAM the physical layer reports (`ramRanges()`), the
// way a guest kernel's page allocator hands out frames. Only the GuestPhysicalMemory interface is
// used, so the same allocator works over plain RAM and over the hypervisor's stage 2.
import type { GuestPhysicalMemory } from '../memory/physical';
import type { PhysPage } from '../memory/page';

export class OutOfFramesError extends Error {
  constructor(readonly total: number) {
    super(`out of guest-physical memory (${total} pages of RAM)`);
    this.name = 'OutOfFramesError';
  }
}

export interface FrameAllocatorState {
  /** Index of the range the bump pointer is in and the next never-used gpn there. */
  range: number;
  next: number;
  free: number[];
}

export class FrameAllocator {
  private readonly ranges: { firstGpn: number; count: number }[];
  private range = 0;
  private next: number;
  private free: number[] = [];
  private inUse = 0;
  /**
   * Called with a frame's page before the kernel reinitialises it outside the MMU (zeroed when handed
   * out, tags sanitised when first mapped Tagged): the debugger's history journals it.
   */
  beforeReset: ((page: PhysPage) => void) | null = null;

  constructor(private readonly phys: GuestPhysicalMemory) {
    this.ranges = phys.ramRanges().filter(r => r.count > 0);
    this.next = this.ranges.length ? this.ranges[0].firstGpn : 0;
  }

  get totalFrames(): number { return this.ranges.reduce((s, r) => s + r.count, 0); }
  get usedFrames(): number { return this.inUse; }

  /** A fresh frame: data zeroed, allocation tags cleared, decode cache dropped. */
  alloc(pc = 0): { gpn: number; page: PhysPage } {
    let gpn: number;
    if (this.free.length) gpn = this.free.pop()!;
    else {
      while (this.range < this.ranges.length && this.next >= this.ranges[this.range].firstGpn + this.ranges[this.range].count) {
        this.range++;
        if (this.range < this.ranges.length) this.next = this.ranges[this.range].firstGpn;
      }
      if (this.range >= this.ranges.length) throw new OutOfFramesError(this.totalFrames);
      gpn = this.next++;
    }
    const page = this.phys.resolve(gpn, true, pc).page;
    if (this.beforeReset !== null) this.beforeReset(page);
    page.data.fill(0);
    page.clearTags();
    page.mteTagged = false;
    page.decoded = null;
    this.inUse++;
    return { gpn, page };
  }

  release(gpn: number): void {
    this.free.push(gpn);
    this.inUse--;
  }

  snapshot(): FrameAllocatorState & { inUse: number } {
    return { range: this.range, next: this.next, free: [...this.free], inUse: this.inUse };
  }

  restore(s: FrameAllocatorState & { inUse: number }): void {
    this.range = s.range; this.next = s.next; this.free = [...s.free]; this.inUse = s.inUse;
  }
}
