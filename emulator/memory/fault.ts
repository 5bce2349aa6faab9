// Exceptions raised by memory accesses. Thrown (they are rare) and caught by the CPU step loop.

export type FaultKind = 'translation' | 'permission' | 'alignment' | 'tagcheck' | 'external';

export class GuestFault extends Error {
  /** For tag checks: the logical tag of the pointer and the allocation tag found. */
  logicalTag = 0;
  allocationTag = 0;
  /** Access size in bytes (0 if not a data access). */
  size = 0;
  constructor(
    readonly kind: FaultKind,
    /** Fault address as the architecture reports it (FAR): tag bits included for tag checks. */
    readonly va: bigint,
    readonly write: boolean,
    readonly exec = false,
    /** For 'external': why the physical layer refused (e.g. the hypervisor's reason). */
    readonly detail = '',
  ) {
    super(`${kind} fault ${write ? 'writing' : exec ? 'fetching' : 'reading'} 0x${va.toString(16)}${detail ? ': ' + detail : ''}`);
    this.name = 'GuestFault';
  }
}
