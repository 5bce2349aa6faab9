// Reverse execution: a bounded history of the guest's register, memory and allocation-tag writes.
//
// How it works (undo log + checkpoints + deterministic replay):
//  - The number of the instruction being executed (`counter.seq`, 1-based, cpu.retired() + 1 while
//    it runs; in the kernel, the number of the instruction that entered it) is known inside memory
//    hooks from the CPU's live count, also inside compiled blocks.
//  - The Mmu's beforeWrite / beforeTagWrite hooks append the old bytes / old tag to a journal,
//    stamped with that number. Kernel writes to user memory (copy_to_user, signal frames) go through
//    the same Mmu paths and are stamped with the number of the instruction that entered the kernel.
//  - Checkpoints hold the whole CPU state every few thousand instructions, and the process state
//    (LinuxProcess.snapshot(): kernel state and memory map; no page contents, the journal has them)
//    after every system call and signal delivery, so going back across a kernel entry restores what
//    the kernel changed too.
//  - Going to position s (the state after s instructions retired): undo the journal back to the last
//    checkpoint at or before s, restore that checkpoint, then re-execute forward to s. Between two
//    checkpoints there is no kernel entry except demand paging, which is invisible to the program, so
//    re-execution is exact. Going back to a CPU checkpoint across later kernel entries also restores
//    the kernel state of the process checkpoint before it (with the page table recorded at the CPU
//    checkpoint). A frame the kernel hands out again (munmap, then a new mapping) is journaled whole
//    before it is zeroed. The emulated machine is deterministic (seeded randomness, virtual time), so
//    executing forward again after going back reproduces the same future.
// The history keeps at most `capacity` instructions; older entries are dropped.
import type { Cpu } from '../cpu/cpu';
import { GRANULE_SIZE, PAGE_SIZE, type PhysPage } from '../memory/page';

/** The number of the instruction being executed (see the file comment). */
export interface InstructionCounter { readonly seq: number }

/**
 * The live counter of a CPU: inside an instruction's semantics (a memory hook) the 1-based number
 * of that instruction; in the kernel (between runs) the number of the instruction that entered it.
 * `cpu` is replaced when the process is (migration).
 */
export class LiveCounter implements InstructionCounter {
  constructor(public cpu: Cpu) {}
  get seq(): number { const c = this.cpu; return c.inRun ? c.retired() + 1 : c.steps; }
}

/** Everything in the CPU that a checkpoint restores. */
export interface CpuCheckpoint {
  x: BigUint64Array; v: BigUint64Array;
  pc: number; nzcv: number; tco: number; fpcr: number; fpsr: number; tpidr: bigint; tpidrro: bigint;
  tcf0: number; gcrExclude: number; gcrRrnd: number; rgsr: number; tfsre0: number; ata: boolean;
  exclusiveAddr: number; exclusiveSize: number; steps: number;
}

export function saveCpu(c: Cpu): CpuCheckpoint {
  return {
    x: c.x.slice(), v: c.v.slice(), pc: c.pc, nzcv: c.nzcv, tco: c.tco, fpcr: c.fpcr, fpsr: c.fpsr, tpidr: c.tpidr,
    tpidrro: c.tpidrro, tcf0: c.tcf0, gcrExclude: c.gcrExclude, gcrRrnd: c.gcrRrnd, rgsr: c.rgsr, tfsre0: c.tfsre0,
    ata: c.ata, exclusiveAddr: c.exclusiveAddr, exclusiveSize: c.exclusiveSize, steps: c.steps,
  };
}

export function loadCpu(c: Cpu, s: CpuCheckpoint): void {
  c.x.set(s.x); c.v.set(s.v);
  c.pc = s.pc; c.nzcv = s.nzcv; c.tco = s.tco; c.fpcr = s.fpcr; c.fpsr = s.fpsr; c.tpidr = s.tpidr; c.tpidrro = s.tpidrro;
  c.tcf0 = s.tcf0; c.gcrExclude = s.gcrExclude; c.gcrRrnd = s.gcrRrnd; c.rgsr = s.rgsr; c.tfsre0 = s.tfsre0; c.ata = s.ata;
  c.exclusiveAddr = s.exclusiveAddr; c.exclusiveSize = s.exclusiveSize; c.steps = s.steps;
}

/** The process-level operations the history needs (implemented over LinuxProcess by the debuggee). */
export interface HistoryHost<S, K = unknown> {
  readonly cpu: Cpu;
  /** Full process state (registers, kernel state, memory). */
  snapshot(): S;
  restore(s: S): void;
  /** The cheap part of kernel state that can change without a system call: the page table (demand paging). */
  pageTable(): K;
  /**
   * Kernel state of snapshot `s` (signals, files, memory map...) but with page table `k`, leaving
   * page contents and registers alone (they come from the journal and a CPU checkpoint).
   */
  restoreKernel(s: S, k: K): void;
  /** Just the page table (pages made present after a CPU checkpoint become absent again). */
  restorePageTable(k: K): void;
  /** Approximate bytes a snapshot holds (for the memory budget). */
  snapshotBytes(s: S): number;
  /**
   * The page now at the guest-physical address of a journaled page: the host may have replaced it
   * since (swapped out and in again, migrated to another VM). Absent: pages never move.
   */
  livePage?(page: PhysPage): PhysPage;
  /** The snapshot without page contents (only its kernel state is used; see `kernelBase`). */
  kernelOnly(s: S): S;
  /**
   * Re-executes exactly `n` instructions from the current state, ignoring breakpoints and muting
   * every debugger event; returns false if that was impossible (the guest exited or blocked).
   */
  replay(n: number): boolean;
}

interface Checkpoint<S, K> {
  step: number;
  /** Absolute journal index at the time of the checkpoint. */
  journal: number;
  cpu?: CpuCheckpoint;
  /** With a CPU checkpoint: the page table then. */
  pages?: K;
  proc?: S;
  bytes: number;
}

/** A journal entry as reported to listeners (for tag provenance and data breakpoints in reverse). */
export interface JournalTagWrite { seq: number; page: PhysPage; granule: number; oldTag: number; newTag: number; pc: number; va: bigint }

export interface HistoryOptions {
  /** Instructions of history to keep. */
  capacity: number;
  /** A CPU checkpoint at least every this many instructions (default 4096). */
  interval?: number;
  /** Bytes of process snapshots to keep at most (default 256 MiB). */
  snapshotBudget?: number;
}

export class ExecutionHistory<S, K = unknown> {
  readonly capacity: number;
  readonly interval: number;
  private readonly budget: number;
  private readonly journal = new Journal();
  private cps: Checkpoint<S, K>[] = [];
  /** Kernel state before the first checkpoint (kept when older process checkpoints are dropped). */
  private kernelBase: S | undefined;
  private snapBytes = 0;
  /** Called for every tag entry undone (so provenance can forget it). */
  onUndoTag: ((page: PhysPage, granule: number, seq: number) => void) | null = null;
  /** True while restoring / replaying (writes are still journaled; listeners should stay quiet). */
  busy = false;
  /** Set when something outside the guest changed state (debugger writes) and history was cut. */
  private lastCut = -1;

  constructor(private readonly host: HistoryHost<S, K>, readonly counter: InstructionCounter, opts: HistoryOptions) {
    this.capacity = opts.capacity;
    this.interval = opts.interval ?? 4096;
    this.budget = opts.snapshotBudget ?? 256 * 2 ** 20;
  }

  get enabled(): boolean { return this.capacity > 0; }

  /** Current position: instructions retired. */
  get position(): number { return this.host.cpu.steps; }

  /** The earliest position that can be reached. */
  get start(): number { return this.cps.length ? this.cps[0].step : this.position; }

  private get journalEnd(): number { return this.journal.end; }

  // ---- recording (Mmu hooks call these) ------------------------------------------------------

  recordWrite(page: PhysPage, off: number, size: number): void { this.journal.pushData(this.counter.seq, page, off, size); }

  recordTag(page: PhysPage, granule: number, oldTag: number): void { this.journal.pushTag(this.counter.seq, page, granule, oldTag); }

  /** A whole page (data, tags, PG_mte_tagged) before the kernel reinitialises it (a frame handed out again). */
  recordPage(page: PhysPage): void { this.journal.pushPage(this.counter.seq, page); }

  /** A CPU checkpoint if the last one is `interval` or more instructions old (cheap; call at slice ends). */
  tick(): void {
    const last = this.cps[this.cps.length - 1];
    if (!last || this.position - last.step >= this.interval) this.checkpointCpu();
  }

  checkpointCpu(): void {
    this.push({ step: this.position, journal: this.journalEnd, cpu: saveCpu(this.host.cpu), pages: this.host.pageTable(), bytes: 0 });
  }

  /** A full process checkpoint (after a system call or a signal delivery). */
  checkpointProcess(): void {
    const proc = this.host.snapshot();
    const bytes = this.host.snapshotBytes(proc);
    this.snapBytes += bytes;
    this.push({ step: this.position, journal: this.journalEnd, proc, bytes });
  }

  private push(cp: Checkpoint<S, K>): void {
    // Checkpoints at the same position: the later one describes the later state (after kernel work).
    this.cps.push(cp);
    this.trim();
  }

  /** Drops history older than `capacity` instructions and snapshots over the budget. */
  private trim(): void {
    const pos = this.position;
    let drop = 0;
    while (drop + 1 < this.cps.length && (this.cps[drop + 1].step <= pos - this.capacity || this.snapBytes > this.budget)) {
      this.snapBytes -= this.cps[drop].bytes;
      drop++;
    }
    if (drop === 0) return;
    // The kernel state in force at the new first checkpoint, if that is a CPU checkpoint: the last
    // process checkpoint before it (kernel state changes only where process checkpoints are taken).
    if (this.cps[drop].proc === undefined) {
      for (let k = drop - 1; k >= 0; k--) {
        const p = this.cps[k].proc;
        if (p !== undefined) { this.kernelBase = this.host.kernelOnly(p); break; }
      }
    }
    this.cps.splice(0, drop);
    this.journal.dropBefore(this.cps[0].journal);
  }

  /** Forgets everything (e.g. after the debugger changed memory or registers): the past starts now. */
  reset(): void {
    this.journal.clear();
    this.cps = []; this.snapBytes = 0; this.kernelBase = undefined;
    this.lastCut = this.position;
    if (this.enabled) this.checkpointProcess();
  }

  /** Position where the history was last cut by an outside change (-1 if never). */
  get cutAt(): number { return this.lastCut; }

  // ---- going back ------------------------------------------------------------------------------

  /** Undoes journal entries down to absolute index `abs` (newest first). */
  private undoTo(abs: number): void {
    this.journal.undoTo(abs, this.onUndoTag, this.host.livePage ? p => this.host.livePage!(p) : null);
  }

  /**
   * Moves the machine to position `target` (instructions retired), which must be within
   * [start, position]. Returns an error message when it cannot.
   */
  goTo(target: number): string | undefined {
    if (!this.enabled) return 'reverse execution is off (historySize is 0)';
    if (!Number.isInteger(target) || target > this.position) return `position ${target} is in the future (now at ${this.position})`;
    if (target < this.start) return `position ${target} is older than the recorded history (it starts at ${this.start})`;
    let i = this.cps.length - 1;
    while (i > 0 && this.cps[i].step > target) i--;
    const cp = this.cps[i];
    // A CPU checkpoint restores registers, and the journal restores memory. If the kernel was entered
    // after it (a later process checkpoint exists), kernel state comes from the last process
    // checkpoint before it, with the page table as it was at the CPU checkpoint.
    // (Or, when older checkpoints were dropped, the kernel state kept from before the first one.)
    let kernel: S | undefined;
    if (cp.proc === undefined && this.cps.slice(i + 1).some(c => c.proc !== undefined)) {
      kernel = this.kernelBase;
      for (let k = i - 1; k >= 0; k--) if (this.cps[k].proc !== undefined) { kernel = this.cps[k].proc; break; }
    }
    this.busy = true;
    try {
      this.undoTo(cp.journal);
      for (let k = i + 1; k < this.cps.length; k++) this.snapBytes -= this.cps[k].bytes;
      this.cps.length = i + 1;
      if (cp.proc !== undefined) this.host.restore(cp.proc);
      else {
        if (kernel !== undefined) this.host.restoreKernel(kernel, cp.pages!);
        else this.host.restorePageTable(cp.pages!);
        loadCpu(this.host.cpu, cp.cpu!);
      }
      const n = target - cp.step;
      if (n > 0 && !this.host.replay(n)) return `could not re-execute ${n} instruction(s) from position ${cp.step}`;
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /** Positions of the checkpoints (for tests and the reverse-continue scan). */
  get checkpointSteps(): number[] { return this.cps.map(c => c.step); }

  /** Tag writes of instructions after `step` still in the journal, oldest first. */
  *tagWritesSince(step: number): Generator<{ seq: number; page: PhysPage; granule: number; oldTag: number }> {
    const j = this.journal;
    for (let i = j.head; i < j.len; i++) {
      if (j.seq[i] <= step || j.off[i] >= 0 || j.off[i] === PAGE_ENTRY) continue;
      yield { seq: j.seq[i], page: j.pages[i]!, granule: -1 - j.off[i], oldTag: j.aux[i] };
    }
  }

  /** Number of journal entries held (for tests and the bench). */
  get journalLength(): number { return this.journal.len - this.journal.head; }
}

/** `off` of a whole-page entry (arena: 4096 data bytes, then the packed tags when `aux` & 1; `aux` & 2 = PG_mte_tagged). */
const PAGE_ENTRY = -0x10000;
const TAG_BYTES = PAGE_SIZE / GRANULE_SIZE / 2;

/**
 * The undo journal: struct-of-typed-arrays, entries [head, len) live (absolute index = base + i -
 * head), old data bytes in one byte arena. Nothing is allocated per entry (the hooks run for every
 * store of the guest); the arrays grow by doubling and are compacted when half is dead.
 */
class Journal {
  seq = new Float64Array(4096);
  pages: (PhysPage | undefined)[] = Array.from({ length: 4096 }, () => undefined);
  /** Byte offset in the page for data entries, -1 - granule for tag entries, PAGE_ENTRY for whole pages. */
  off = new Int32Array(4096);
  /** Data entries: size in bytes; tag entries: the old tag; whole pages: flags (see PAGE_ENTRY). */
  aux = new Int32Array(4096);
  /** Where the entry's old bytes start in the arena (for tag entries: the arena's end then). */
  at = new Float64Array(4096);
  bytes = new Uint8Array(1 << 16);
  bLen = 0;
  len = 0;
  head = 0;
  base = 0;

  get end(): number { return this.base + this.len - this.head; }

  private room(): void {
    if (this.len < this.seq.length) return;
    if (this.head * 2 >= this.len) { this.compact(); return; }
    const n = this.seq.length * 2;
    const grow = <T extends Float64Array | Int32Array>(a: T, b: T): T => { b.set(a); return b; };
    this.seq = grow(this.seq, new Float64Array(n));
    this.off = grow(this.off, new Int32Array(n));
    this.aux = grow(this.aux, new Int32Array(n));
    this.at = grow(this.at, new Float64Array(n));
    for (let i = this.pages.length; i < n; i++) this.pages.push(undefined);
  }

  /** Moves the live entries (and their bytes) to the front. */
  private compact(): void {
    const h = this.head, n = this.len - h;
    const shift = h < this.len ? this.at[h] : this.bLen;
    this.seq.copyWithin(0, h, this.len);
    this.off.copyWithin(0, h, this.len);
    this.aux.copyWithin(0, h, this.len);
    this.at.copyWithin(0, h, this.len);
    const pages = this.pages, at = this.at;
    for (let i = 0; i < n; i++) { pages[i] = pages[h + i]; at[i] -= shift; }
    for (let i = n; i < this.len; i++) pages[i] = undefined;
    this.bytes.copyWithin(0, shift, this.bLen);
    this.bLen -= shift;
    this.len = n;
    this.head = 0;
  }

  /** Room for one more entry and `size` arena bytes; returns the arena. */
  private reserve(size: number): Uint8Array {
    this.room();
    if (this.bLen + size > this.bytes.length) {
      if (this.head > 0) this.compact();
      if (this.bLen + size > this.bytes.length) {
        const b = new Uint8Array(Math.max(this.bytes.length * 2, this.bLen + size));
        b.set(this.bytes.subarray(0, this.bLen));
        this.bytes = b;
      }
    }
    return this.bytes;
  }

  pushData(seq: number, page: PhysPage, off: number, size: number): void {
    const b = this.reserve(size);
    const i = this.len++;
    this.seq[i] = seq; this.pages[i] = page; this.off[i] = off; this.aux[i] = size; this.at[i] = this.bLen;
    const d = page.data;
    if (size <= 16) { for (let k = 0; k < size; k++) b[this.bLen + k] = d[off + k]; }
    else b.set(d.subarray(off, off + size), this.bLen);
    this.bLen += size;
  }

  pushTag(seq: number, page: PhysPage, granule: number, oldTag: number): void {
    this.room();
    const i = this.len++;
    this.seq[i] = seq; this.pages[i] = page; this.off[i] = -1 - granule; this.aux[i] = oldTag; this.at[i] = this.bLen;
  }

  pushPage(seq: number, page: PhysPage): void {
    const d = this.reserve(PAGE_SIZE + TAG_BYTES);
    const i = this.len++;
    const tags = page.tags;
    this.seq[i] = seq; this.pages[i] = page; this.off[i] = PAGE_ENTRY; this.aux[i] = (tags ? 1 : 0) | (page.mteTagged ? 2 : 0); this.at[i] = this.bLen;
    d.set(page.data, this.bLen);
    if (tags) d.set(tags, this.bLen + PAGE_SIZE);
    this.bLen += PAGE_SIZE + TAG_BYTES;
  }

  /** Undoes entries down to absolute index `abs` (newest first) and forgets them. */
  undoTo(abs: number, onUndoTag: ((page: PhysPage, granule: number, seq: number) => void) | null, live: ((page: PhysPage) => PhysPage) | null): void {
    const stop = Math.max(this.head, abs - this.base + this.head);
    for (let i = this.len - 1; i >= stop; i--) {
      const page = live !== null ? live(this.pages[i]!) : this.pages[i]!;
      const off = this.off[i];
      if (off >= 0) {
        const at = this.at[i], size = this.aux[i];
        page.data.set(this.bytes.subarray(at, at + size), off);
        page.decoded = null;
      } else if (off === PAGE_ENTRY) {
        const at = this.at[i], flags = this.aux[i];
        page.data.set(this.bytes.subarray(at, at + PAGE_SIZE));
        page.tags = (flags & 1) !== 0 ? this.bytes.slice(at + PAGE_SIZE, at + PAGE_SIZE + TAG_BYTES) : null;
        page.mteTagged = (flags & 2) !== 0;
        page.decoded = null;
      } else {
        const g = -1 - off;
        page.setTag(g, this.aux[i]);
        if (onUndoTag) onUndoTag(page, g, this.seq[i]);
      }
      this.pages[i] = undefined;
    }
    if (stop < this.len) this.bLen = this.at[stop];
    this.len = stop;
  }

  /** Forgets entries before absolute index `abs`. */
  dropBefore(abs: number): void {
    const n = abs - this.base;
    if (n <= 0) return;
    this.head = Math.min(this.len, this.head + n);
    this.base = abs;
    if (this.head > 4096 && this.head * 2 > this.len) this.compact();
  }

  clear(): void {
    this.pages.fill(undefined, 0, this.len);
    this.len = 0; this.head = 0; this.base = 0; this.bLen = 0;
  }
}
