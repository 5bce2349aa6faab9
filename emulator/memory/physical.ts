// The guest-physical memory interface: stage 2 of the access path. The MMU composes the guest's
// stage 1 (AddressSpace) with this and caches the result in its TLB.
import { PhysPage } from './page';

/** What a guest-physical page is, as the stage-2 translation says. */
export interface PhysMapping {
  page: PhysPage;
  /** Stage 2 is Normal write-back and the backing can hold tags: a stage-1 Tagged page is checked. */
  tagCapable: boolean;
  /** Stage 2 allows writes now (false while write-protected, e.g. for dirty logging or swap-in RO). */
  writable: boolean;
  /** Stage 2 allows instruction fetches now (absent = yes). KVM maps X only on an exec fault (or with DIC). */
  executable?: boolean;
}

/** A refusal by the physical layer (no memslot, stage-2 refusal, private/shared mismatch...). */
export class PhysAccessError extends Error {
  constructor(readonly gpn: number, readonly reason: string, readonly write: boolean) {
    super(`guest-physical page 0x${(gpn * 4096).toString(16)}: ${reason}`);
    this.name = 'PhysAccessError';
  }
}

export interface GuestPhysicalMemory {
  /**
   * Returns the page backing guest-physical page `gpn` for a read (write=false) or a write
   * (write=true), or throws PhysAccessError. A write resolution may change state (dirty log).
   * `pc` is the guest pc, for events. `exec`: an instruction fetch (the mapping must allow it).
   */
  resolve(gpn: number, write: boolean, pc: number, exec?: boolean): PhysMapping;
  /**
   * Registers a listener the physical layer calls when mappings it returned earlier are no longer
   * valid (unmapped at stage 2, write-protected, swapped out...). `gpn` = -1 means all pages.
   */
  addInvalidationListener(fn: (gpn: number) => void): void;
  /**
   * The guest's view of its RAM (what a device tree /memory node would say): ranges of
   * guest-physical page numbers the guest kernel may hand out as page frames.
   */
  ramRanges(): { firstGpn: number; count: number }[];
  /**
   * After a refusal (PhysAccessError): the exit left for the VMM, if the access needs the VMM to
   * act (KVM_RUN fails) rather than an abort injected into the guest. Not consumed. Absent: never.
   */
  peekPendingExit?(): unknown;
}

/** Plain RAM: a sparse array of pages, every page tag-capable and writable. */
export class RamPhysicalMemory implements GuestPhysicalMemory {
  private readonly pages = new Map<number, PhysPage>();
  private readonly listeners: ((gpn: number) => void)[] = [];
  private readonly mappings = new Map<number, PhysMapping>();

  /** Default: 4 GiB of RAM at guest-physical 1 GiB, where QEMU's virt machine puts it. */
  constructor(private readonly ranges = [{ firstGpn: 0x40000, count: 0x100000 }]) {}

  resolve(gpn: number, _write: boolean, _pc: number): PhysMapping {
    let m = this.mappings.get(gpn);
    if (m === undefined) {
      if (!this.ranges.some(r => gpn >= r.firstGpn && gpn < r.firstGpn + r.count)) {
        throw new PhysAccessError(gpn, 'no RAM at this guest-physical address', _write);
      }
      let p = this.pages.get(gpn);
      if (p === undefined) { p = new PhysPage(gpn); this.pages.set(gpn, p); }
      m = { page: p, tagCapable: true, writable: true };
      this.mappings.set(gpn, m);
    }
    return m;
  }

  ramRanges(): { firstGpn: number; count: number }[] { return this.ranges.map(r => ({ ...r })); }

  /** Returns the page if it has been touched. */
  peek(gpn: number): PhysPage | undefined { return this.pages.get(gpn); }

  addInvalidationListener(fn: (gpn: number) => void): void { this.listeners.push(fn); }

  get residentPages(): number { return this.pages.size; }
}
