// Hypervisor events: every action the host, KVM or the VMM takes on guest memory is reported with
// the page, the reason (naming the Linux function or ioctl it mirrors) and the guest pc, so the
// debugger can show and stop on them and the CLI can print them (--trace-hv).

export type HvEventKind =
  | 'cap'                // KVM_ENABLE_CAP accepted
  | 'memslot'            // memslot created / moved / deleted / flags changed
  | 'vcpu'               // KVM_CREATE_VCPU
  | 'stage2-map'         // user_mem_abort / gmem_abort installed a stage-2 mapping
  | 'stage2-unmap'       // MMU notifier / memslot change / attribute change removed mappings
  | 'sanitise'           // sanitise_mte_tags cleared a page's tags and set PG_mte_tagged
  | 'dirty'              // mark_page_dirty_in_slot (or the VMM's own dirty bitmap)
  | 'write-protect'      // dirty logging write-protected stage 2
  | 'swap-out'           // page written to a swap slot (arch_prepare_to_swap saved its tags)
  | 'swap-discard'       // clean swap-cache page dropped without write-out (slot still valid)
  | 'swap-in'            // do_swap_page / shmem_swapin_folio read the page back
  | 'tags-restored'      // arch_swap_restore put the saved tags back
  | 'swap-free'          // swap slot freed (arch_swap_invalidate_page dropped the saved tags)
  | 'memory-fault-exit'  // KVM_EXIT_MEMORY_FAULT to the VMM (private/shared mismatch)
  | 'mmio-exit'          // access outside RAM memslots: KVM_EXIT_MMIO / KVM_EXIT_ARM_NISV
  | 'abort-injected'     // KVM injected an external abort into the guest
  | 'run-error'          // KVM_RUN returned an error to the VMM (e.g. -EFAULT)
  | 'conversion'         // KVM_SET_MEMORY_ATTRIBUTES private <-> shared
  | 'discard'            // the VMM discarded the now-unused backing after a conversion
  | 'refused'            // an access or request was refused (errno in detail)
  | 'copy-tags'          // KVM_ARM_MTE_COPY_TAGS
  | 'vmm-access'         // a VMM access path (DMA / debug / migration) touched guest memory
  | 'migration-round'    // one pre-copy round (or the final stop-and-copy)
  | 'migration-complete' // the guest now runs on the destination
  | 'migration-verify'   // verification pass result
  | 'remap';             // the VMM replaced the memory behind a slot (mmap MAP_FIXED)

export interface HvEvent {
  /** Monotonic sequence number within the bus. */
  seq: number;
  kind: HvEventKind;
  /** Name of the VM ("vm0", "vm1" after a migration...). */
  vm: string;
  /** Guest-physical byte address of the page concerned, or -1. */
  gpa: number;
  /** Guest pc when it happened (the last known pc of the vCPU), or -1 before any vCPU ran. */
  pc: number;
  /** Why, naming the Linux function / ioctl mirrored. */
  reason: string;
  /** Optional structured details (errno, slot, counts...). */
  detail?: Record<string, string | number | boolean>;
}

export type HvEventListener = (e: HvEvent) => void;

/**
 * Fan-out of hypervisor events. `active` is false while nobody listens, so hot paths can skip
 * building events entirely. A bounded ring keeps the most recent events for the debugger.
 */
export class HvEventBus {
  private readonly listeners: HvEventListener[] = [];
  private seq = 0;
  readonly recent: HvEvent[] = [];
  /** Keep at most this many events in `recent` (0 = keep none). */
  constructor(public keep = 0) {}

  get active(): boolean { return this.listeners.length > 0 || this.keep > 0; }

  subscribe(fn: HvEventListener): () => void {
    this.listeners.push(fn);
    return () => { const i = this.listeners.indexOf(fn); if (i >= 0) this.listeners.splice(i, 1); };
  }

  emit(kind: HvEventKind, vm: string, gpa: number, pc: number, reason: string, detail?: HvEvent['detail']): void {
    if (!this.active) return;
    const e: HvEvent = { seq: ++this.seq, kind, vm, gpa, pc, reason };
    if (detail) e.detail = detail;
    if (this.keep > 0) {
      this.recent.push(e);
      if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
    }
    for (const l of this.listeners) l(e);
  }
}

const HEX_KEYS = new Set(['hva', 'gpa', 'ipa', 'addr', 'size', 'length']);

/** One line for --trace-hv: `hv[vm0] swap-out gpa=0x40001000 pc=0x400120: <reason> {detail}`. */
export function formatHvEvent(e: HvEvent): string {
  const gpa = e.gpa >= 0 ? ` gpa=0x${e.gpa.toString(16)}` : '';
  const pc = e.pc >= 0 ? ` pc=0x${e.pc.toString(16)}` : '';
  let d = '';
  if (e.detail) {
    d = ' ' + Object.entries(e.detail)
      .map(([k, v]) => `${k}=${typeof v === 'number' && HEX_KEYS.has(k) ? '0x' + v.toString(16) : String(v)}`)
      .join(' ');
  }
  return `hv[${e.vm}] ${e.kind}${gpa}${pc}: ${e.reason}${d}`;
}
