// The machine as a debugger sees it: one Linux process (on plain RAM, or inside a VM) plus the
// debugger's instruments — breakpoints in the CPU's decode cache (free when not hit), data
// watchpoints through the Mmu's watched pages, allocation-tag watchpoints and tag provenance
// through the Mmu's tag-write hook, stops before a fault's signal is generated (at the faulting
// instruction) and before any other signal is delivered (like ptrace's signal-delivery-stop), and a
// bounded execution history for reverse execution.
//
// Execution is driven in slices (`runFor`) so a host event loop stays responsive (pause). Every
// stop is described by a `StopInfo`; the debug adapter turns it into DAP events.
import { dirname } from 'node:path';
import { A64 } from '../isa/table';
import { SP } from '../cpu/state';
import type { AsmResult } from '../asm';
import type { ElfFile } from '../elf';
import { LinuxProcess, type ExitStatus, type FaultRecord, type ProcessOptions, type ProcessSnapshot, type SigInfo, type SignalDelivery, type SignalEvent } from '../linux/process';
import { Emitter } from '../linux/emitter';
import { signalName, siCodeName, SEGV_MTEAERR, SIGKILL, SIGSEGV } from '../linux/constants';
import type { TagMismatch } from '../memory/mmu';
import { GRANULE_SIZE, PAGE_SIZE, type PhysPage } from '../memory/page';
import { ExecutionHistory, LiveCounter } from './history';
import { GuestDebugMemory, RamDebugPath, VmmDebugPath, untagged, type PhysDebugPath, type Stage1View } from './memory';
import { HvEventBus, type HvEvent } from '../hv/events';
import type { VmConfig } from '../hv/description';
import { createVmFromDescription } from '../hv/setup';
import type { Vmm } from '../hv/vmm';
import { migrateInProcess, type MigrationReport } from '../hv/migration';
import type { GuestSliceResult, HvGuest } from '../hv/kvm';
import * as v8 from 'node:v8';
import { TagProvenance, type TagWrite } from './provenance';
import { sourceMapFor, type SourceLocation, type SourceMap } from './source-map';
import { ProgramSymbols } from './symbols';
import { unwind, type UnwoundFrame } from './unwind';

export type ExceptionFilter = 'tag-check-sync' | 'tag-check-async' | 'tag-check-asymm' | 'signal' | 'hypervisor';
export const EXCEPTION_FILTERS: readonly ExceptionFilter[] = ['tag-check-sync', 'tag-check-async', 'tag-check-asymm', 'signal', 'hypervisor'];

/** A tag check or other exception the debugger stopped for. */
export interface ExceptionStop {
  filter: ExceptionFilter;
  /** pc of the instruction that caused it. */
  pc: number;
  /** A synchronous fault (not yet delivered as a signal when we stop). */
  fault?: FaultRecord;
  /**
   * The signal Linux sends (or sent) for it. `action` is what delivering it does (or did); `handler`
   * the handler's address when that is 'handler'.
   */
  signal?: { signo: number; code: number; name: string; codeName: string; addr?: bigint; delivered: boolean; action?: SignalEvent['action']; handler?: bigint };
  /**
   * A signal-delivery-stop: the kernel dequeued the signal at a kernel exit and holds it (nothing
   * done with it yet; pc is where user space resumes). Resuming delivers it, once.
   */
  atDelivery?: boolean;
  /** An asynchronous / asymmetric-store mismatch (at its stop, the access is not performed yet). */
  mismatch?: TagMismatch;
  /** For async mismatches: at most this many instructions until the next timer kernel entry. */
  deliveryWithin?: number;
  /** A hypervisor event. */
  hv?: { kind: string; reason: string; gpa: number; detail?: Record<string, string | number | boolean> };
  /** The TCF mode when it happened (0 none, 1 sync, 2 async, 3 asymm). */
  tcf: number;
  /** Async: stopped at the mismatching access before it was performed (pc is the access). */
  rewound?: boolean;
}

export interface WatchHit { id: number; va: bigint; size: number; write: boolean; pc: number; kind: 'data' | 'tag'; oldTag?: number; newTag?: number }

export type StopInfo =
  | { reason: 'entry' }
  | { reason: 'step' }
  | { reason: 'pause' }
  | { reason: 'goto' }
  | { reason: 'breakpoint'; pc: number }
  | { reason: 'data breakpoint'; hit: WatchHit }
  | { reason: 'exception'; exception: ExceptionStop }
  | { reason: 'exited'; status: ExitStatus }
  | { reason: 'blocked'; syscall: string }
  | { reason: 'history start'; message: string };

export type ResumeMode =
  | { kind: 'continue' }
  /**
   * `target`: one call ahead on the current line (a step-in target): that call is entered, others are
   * stepped over; instructions in [from, call] are on the way to it whatever their line (line 0...).
   */
  | { kind: 'stepIn'; granularity: 'line' | 'instruction'; target?: { call: number; from: number } }
  | { kind: 'next'; granularity: 'line' | 'instruction' }
  | { kind: 'stepOut' };

export interface Watchpoint {
  id: number;
  /** Untagged start address and length in bytes. */
  start: number;
  length: number;
  access: 'read' | 'write' | 'readWrite' | 'tag';
}

/** A loaded program (emulator/cli/program.ts `loadProgram` returns one). */
export interface ProgramImage {
  /** Absolute path (the guest sees it as argv[0] and /proc/self/exe). */
  path: string;
  elf: ElfFile;
  /** Present when Tagvisor assembled the program: its line map is used for source lines. */
  asm?: AsmResult;
}

/** The process's page table and frame allocator (cheap to copy): what demand paging changes. */
interface PageTableState { mm: ReturnType<LinuxProcess['mm']['snapshot']>; frames: ReturnType<LinuxProcess['frames']['snapshot']> }

/** Instructions between timer interrupts (kernel entries where pending async tag faults are delivered). */
export const TICK_INTERVAL = 1_000_000;

export interface DebuggeeOptions {
  program: ProgramImage;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  seed: number;
  historySize: number;
  /** Run inside a VM built from this description (emulator/hv); absent = plain RAM. */
  vm?: VmConfig;
  /** Extra LinuxProcess options (tests). */
  process?: Partial<ProcessOptions>;
}

/** Hypervisor event kinds the `hypervisor` exception filter stops on when it has no condition. */
export const HV_STOP_KINDS = ['refused', 'memory-fault-exit', 'run-error', 'abort-injected', 'swap-in', 'migration-complete'];

export interface DebuggeeEvents {
  output: { category: 'stdout' | 'stderr' | 'console'; text: string };
  /** Allocation tags changed while running (aggregated per run slice). */
  tagsChanged: { count: number; low: number; high: number };
  /** Hypervisor events since the last report (aggregated; at most once per tagEventMs while running). */
  hypervisor: { counts: Record<string, number>; recent: HvEvent[] };
}

/** Thrown out of LinuxProcess.run by the tracer to stop before a fault's signal is delivered. */
class SignalStop extends Error {
  constructor(readonly info: SigInfo) { super('signal stop'); }
}

/**
 * Thrown out of an instruction by the Mmu's async-mismatch hook to stop at a mismatching access
 * before it is performed (registers, memory and TFSRE0 untouched; resuming re-executes it).
 */
class MismatchStop extends Error {
  constructor() { super('mismatch stop'); }
}

/**
 * LinuxProcess with a tracer hook on signal generation: a synchronous fault's signal can be held
 * back so the debugger stops at the faulting instruction with the process intact. The faulting
 * instruction has not executed; resuming re-executes it, it faults again and the signal is then
 * delivered normally.
 */
export class TracedProcess extends LinuxProcess {
  tracer: ((info: SigInfo) => boolean) | null = null;
  override sendSignal(info: SigInfo): void {
    // Only faults raised by an instruction (onFault / onUndefined / onTrap call sendSignal and then
    // return to user space; nothing else happens in between), so leaving here is safe.
    if (this.tracer !== null && info.forced && info.fault !== undefined && this.tracer(info)) throw new SignalStop(info);
    super.sendSignal(info);
  }
}

/**
 * The traced process as the hypervisor's guest (HvGuest), for migration: its migratable state is
 * the process snapshot without page contents (guest memory travels in the migration stream), in
 * the same format as emulator/hv/linux-guest.ts.
 */
class DebugGuest implements HvGuest {
  constructor(readonly proc: TracedProcess) {}
  get pc(): number { return this.proc.cpu.pc; }
  get insns(): number { return this.proc.cpu.steps; }
  runSlice(maxInsns: number): GuestSliceResult {
    const r = this.proc.run(maxInsns);
    if (r.reason === 'limit') return { kind: 'limit' };
    if (r.reason === 'exit') return { kind: 'exit', status: r.status.signal !== null ? 128 + r.status.signal : r.status.code ?? 0 };
    return { kind: 'stop', reason: r.reason };
  }
  saveState(): Uint8Array {
    return new Uint8Array(v8.serialize({ format: 'tagvisor-linux-guest/1', state: this.proc.snapshot({ pages: false }) }));
  }
  loadState(bytes: Uint8Array): void {
    const o = v8.deserialize(bytes) as { format?: string; state?: ProcessSnapshot };
    if (o?.format !== 'tagvisor-linux-guest/1' || !o.state) throw new Error('debug guest state: unknown format');
    this.proc.restore(o.state);
  }
}

const BL_MASK = 0xfc000000, BL = 0x94000000;
/** RET (to any register). */
const isRet = (w: number | undefined): boolean => w !== undefined && ((w & 0xfffffc1f) >>> 0) === 0xd65f0000;
const isCall = (w: number | undefined): boolean => w !== undefined && ((((w & BL_MASK) >>> 0) === BL) || (((w & 0xfffffc1f) >>> 0) === 0xd63f0000));
/** pc is between where a step-in-target step started and its call. */
const onTheWay = (m: ResumeMode, pc: number): boolean => m.kind === 'stepIn' && m.target !== undefined && pc >= m.target.from && pc <= m.target.call;

interface StepPlan {
  mode: ResumeMode;
  /** Line stepping: where we started. */
  from?: SourceLocation;
  /** Instructions executed so far in this plan. */
  done: number;
  /**
   * Running until a return: temp breakpoint address and the sp the caller must have. `handler`: the
   * return is a signal handler's to the interrupted instruction, which the step has yet to execute.
   */
  until?: { pc: number; sp: bigint; handler?: boolean };
}

export class Debuggee extends Emitter<DebuggeeEvents> {
  /** The guest process (replaced when the VM migrates). */
  proc: TracedProcess;
  readonly program: ProgramImage;
  /** Source lines at run-time addresses (the load bias of a static-pie applied). */
  readonly source: SourceMap;
  /** Symbols at run-time addresses (the load bias of a static-pie applied). */
  readonly symbols: ProgramSymbols;
  memory: GuestDebugMemory;
  readonly provenance = new TagProvenance();
  readonly history: ExecutionHistory<ProcessSnapshot, PageTableState> | null;
  readonly counter: LiveCounter;
  /** The VMM when running in a VM. */
  vmm: Vmm | null = null;
  readonly hvEvents: HvEventBus | null = null;
  private hvCounts: Record<string, number> = {};
  private hvRecent: HvEvent[] = [];
  /** Guest memory moved under the history (swap, conversion): the past is cut at the next stop. */
  private historyInvalid = false;
  private nextSwap = Infinity;
  private lastHvEvent = 0;
  /** The exit status once the process is gone. */
  exited: ExitStatus | null = null;
  /** Why the machine last stopped. */
  lastStop: StopInfo = { reason: 'entry' };
  /** The last exception the debugger stopped for (kept for the Memory tags scope). */
  lastException: ExceptionStop | null = null;

  /** User breakpoints (instruction addresses). */
  private userBps = new Set<number>();
  private tempBps = new Set<number>();
  /** Decides whether a user breakpoint hit stops (conditions, hit counts, logpoints). */
  breakpointFilter: (pc: number) => boolean = () => true;
  /** Enabled exception filters with an optional decision function (conditions). */
  readonly exceptionFilters = new Map<ExceptionFilter, ((e: ExceptionStop) => boolean) | null>();
  private watchpoints: Watchpoint[] = [];
  private tagWatchpoints: Watchpoint[] = [];

  private plan: StepPlan | null = null;
  private pauseRequested = false;
  private pendingStop: StopInfo | null = null;
  /** After an async stop at the mismatching access: that access does not stop again when resumed. */
  private passMismatch: { pc: number; position: number } | null = null;
  /** A held-back fault signal: the next identical fault at this pc is delivered. */
  private passFault: { pc: number; signo: number } | null = null;
  /** While replaying history: no events, no stops. */
  private muted = false;
  /** While reverseContinue scans the history: breakpoints and watchpoints count, nothing else. */
  scanning = false;
  /** Highest position reached: output produced at or below it was already shown. */
  private highWater = 0;
  private tagChanges = { count: 0, low: Infinity, high: -Infinity };

  constructor(readonly opts: DebuggeeOptions) {
    super();
    const p = opts.program;
    this.program = p;
    let vmOpts: Partial<ProcessOptions> = {};
    if (opts.vm) {
      this.hvEvents = new HvEventBus(200);
      this.vmm = createVmFromDescription(opts.vm, { events: this.hvEvents });
      vmOpts = { phys: this.vmm.vm, mte: this.vmm.vm.mteEnabled };
      if (opts.vm.swap.every !== null) this.nextSwap = opts.vm.swap.every;
    }
    this.proc = this.makeProcess(vmOpts);
    // Where the loader put the image (static-pie): the one place addresses meet the ELF file's.
    this.source = sourceMapFor(p.elf, p.asm, undefined, this.proc.image.loadBias);
    this.symbols = new ProgramSymbols(p.elf, this.proc.image.loadBias);
    this.counter = new LiveCounter(this.proc.cpu);
    this.memory = this.makeMemory();

    // The host reads this.proc each time: the process object changes when the VM migrates.
    const self = this;
    this.history = opts.historySize > 0 ? new ExecutionHistory<ProcessSnapshot, PageTableState>({
      get cpu() { return self.proc.cpu; },
      // Memory contents come from the journal (complete since the history's start), not snapshots.
      snapshot: () => self.proc.snapshot({ pages: false }),
      restore: s => self.proc.restore(s),
      pageTable: () => ({ mm: self.proc.mm.snapshot(), frames: self.proc.frames.snapshot() }),
      restoreKernel: (s, k) => {
        self.proc.restore({ ...s, pages: [] });
        self.proc.mm.restore(k.mm);
        self.proc.frames.restore(k.frames);
      },
      restorePageTable: k => {
        self.proc.mm.restore(k.mm);
        self.proc.frames.restore(k.frames);
      },
      kernelOnly: s => ({ ...s, pages: [] }),
      // In a VM the host replaces pages (swap-in, migration): the journal writes into the page now
      // at the same guest-physical address (faulting it in through stage 2 if it is swapped out).
      livePage: opts.vm ? page => self.proc.phys.resolve(page.gpn, true, self.proc.cpu.pc).page : undefined,
      snapshotBytes: s => s.pages.reduce((n, pg) => n + pg.data.length + (pg.tags ? pg.tags.length : 0), 0) + 4096,
      replay: n => this.replay(n),
    }, this.counter, { capacity: opts.historySize }) : null;
    if (this.history) this.history.onUndoTag = (page, g, seq) => this.provenance.undo(page.gpn, g, seq);

    this.installHooks();
    this.history?.checkpointProcess();
  }

  /** A traced Linux process for this program (on plain RAM, or over a VM's stage 2). */
  private makeProcess(extra: Partial<ProcessOptions>): TracedProcess {
    const p = this.program, opts = this.opts;
    return new TracedProcess(p.elf, {
      path: p.path,
      argv: [p.path, ...opts.args],
      env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`),
      seed: opts.seed,
      cwd: opts.cwd,
      readRoots: [...new Set([opts.cwd, dirname(p.path)])],
      decoder: A64,
      stdio: ['pipe', 'pipe', 'pipe'],
      tickInterval: TICK_INTERVAL,
      ...extra,
      ...opts.process,
    });
  }

  private makeMemory(): GuestDebugMemory {
    const proc = this.proc;
    const stage1: Stage1View = {
      space: proc.space,
      vmaAt: a => proc.mm.find(a),
      populate: a => proc.mm.ensure(a - (a % PAGE_SIZE), a - (a % PAGE_SIZE) + PAGE_SIZE, false),
    };
    const path: PhysDebugPath = this.vmm ? new VmmDebugPath(() => this.vmm!) : new RamDebugPath(proc.phys);
    return new GuestDebugMemory(stage1, path);
  }

  /**
   * Live-migrates the VM now (the debugger's "migrate now"): pre-copy with the guest held stopped,
   * stop-and-copy, verification, then the guest continues on the destination VM. Breakpoints,
   * watchpoints, tag provenance and the execution history move along (they know guest pages by
   * guest-physical address); a migration without tags cuts the history.
   */
  migrate(withoutTags = false): { ok: true; report: MigrationReport; from: string; to: string } | { ok: false; message: string } {
    const src = this.vmm;
    if (!src) return { ok: false, message: 'the program does not run in a VM' };
    if (this.running) return { ok: false, message: 'the program is running' };
    if (this.exited) return { ok: false, message: 'the program has exited' };
    const make = (vm: Vmm['vm']): DebugGuest => new DebugGuest(this.makeProcess({ phys: vm, mte: vm.mteEnabled }));
    const guest = new DebugGuest(this.proc);
    src.vcpu.attach(guest);
    const r = migrateInProcess(src, guest, vm => make(vm), { withoutTags, step: () => ({ reason: 'intr' }) });
    if (!r.ok) return { ok: false, message: r.message };
    const { vmm: dst, guest: g, report } = r.value;
    const bps = [...this.userBps];
    this.vmm = dst;
    this.proc = (g as DebugGuest).proc;
    this.counter.cpu = this.proc.cpu;
    this.memory = this.makeMemory();
    this.installHooks();
    this.userBps = new Set();
    this.setBreakpoints(bps);
    this.setWatchpoints([...this.watchpoints, ...this.tagWatchpoints]);
    // The guest's memory arrived unchanged: its past still holds (the journal finds pages by
    // guest-physical address in the new VM). Without tags it did not: the past starts here.
    if (withoutTags && this.history) {
      this.history.reset();
      this.emit('output', { category: 'console', text: 'Reverse-execution history restarts here: the VM was migrated without its allocation tags.\n' });
    }
    return { ok: true, report, from: src.vm.name, to: dst.vm.name };
  }

  // ---- wiring ------------------------------------------------------------------------------------

  private installHooks(): void {
    const proc = this.proc, mmu = proc.mmu, cpu = proc.cpu;
    const hist = this.history;
    if (hist) {
      mmu.hooks.beforeWrite = (page, off, size) => hist.recordWrite(page, off, size);
      // A frame handed out again is zeroed by the kernel, not through the Mmu: journal what it held.
      proc.frames.beforeReset = page => hist.recordPage(page);
    }
    mmu.hooks.beforeTagWrite = (page, g, oldTag, newTag, va) => {
      hist?.recordTag(page, g, oldTag);
      this.provenance.note(page.gpn, g, this.counter.seq, cpu.pc, oldTag, newTag, va, 0);
      if (this.muted) return;
      const a = untagged(va);
      if (!this.scanning) {
        const t = this.tagChanges;
        t.count++;
        if (a < t.low) t.low = a;
        if (a > t.high) t.high = a;
      }
      if (oldTag !== newTag) {
        for (const w of this.tagWatchpoints) {
          if (a + GRANULE_SIZE > w.start && a < w.start + w.length) {
            this.requestStop({ reason: 'data breakpoint', hit: { id: w.id, va, size: GRANULE_SIZE, write: true, pc: cpu.pc, kind: 'tag', oldTag, newTag } });
            break;
          }
        }
      }
    };
    mmu.hooks.watch = (va, size, write) => {
      if (this.muted) return;
      const a = untagged(va);
      for (const w of this.watchpoints) {
        if (a + size <= w.start || a >= w.start + w.length) continue;
        if (w.access === 'write' && !write) continue;
        if (w.access === 'read' && write) continue;
        this.requestStop({ reason: 'data breakpoint', hit: { id: w.id, va, size, write, pc: cpu.pc, kind: 'data' } });
        return;
      }
    };
    proc.on('syscall', () => {
      if (hist && !hist.busy) hist.checkpointProcess();
    });
    proc.on('signal', e => this.onSignal(e));
    proc.on('stdout', b => this.output('stdout', b));
    proc.on('stderr', b => this.output('stderr', b));
    proc.on('exit', s => { this.exited = s; });
    // Async mismatches: offered to the debugger before the runtime records them (see MismatchStop).
    const recordMismatch = mmu.hooks.asyncMismatch;
    mmu.hooks.asyncMismatch = m => {
      if (this.onMismatch(m)) throw new MismatchStop();
      if (recordMismatch) recordMismatch(m);
    };
    proc.tracer = info => this.onFaultSignal(info);
    proc.signalTracer = d => this.onDelivery(d);
    if (!this.hvSubscribed) { this.hvSubscribed = true; this.hvEvents?.subscribe(e => this.onHvEvent(e)); }
  }
  private hvSubscribed = false;

  private onHvEvent(e: HvEvent): void {
    // The host changed what the guest sees at some address (a conversion's fresh backing, a discarded
    // or replaced mapping): the recorded past no longer describes it. Swap and migration keep
    // contents, so the history goes on through them.
    if (e.kind === 'discard' || e.kind === 'remap' || e.kind === 'conversion') this.historyInvalid = true;
    if (this.muted || this.scanning) return;
    this.hvCounts[e.kind] = (this.hvCounts[e.kind] ?? 0) + 1;
    this.hvRecent.push(e);
    if (this.hvRecent.length > 50) this.hvRecent.shift();
    if (e.kind === 'vmm-access' && e.reason.startsWith('debug')) return;
    const x: ExceptionStop = { filter: 'hypervisor', pc: this.proc.cpu.pc, tcf: this.tcf(), hv: { kind: e.kind, reason: e.reason, gpa: e.gpa, detail: e.detail } };
    if (!this.exceptionFilters.has('hypervisor')) return;
    const cond = this.exceptionFilters.get('hypervisor');
    if (cond ? cond(x) : HV_STOP_KINDS.includes(e.kind)) this.requestStop({ reason: 'exception', exception: x });
  }

  private flushHvEvent(): void {
    if (this.hvRecent.length === 0) return;
    this.emit('hypervisor', { counts: this.hvCounts, recent: this.hvRecent });
    this.hvCounts = {};
    this.hvRecent = [];
  }

  private output(category: 'stdout' | 'stderr', b: Uint8Array): void {
    if (this.muted || this.scanning || this.proc.cpu.steps <= this.highWater) return;
    this.emit('output', { category, text: Buffer.from(b).toString('utf8') });
  }

  /** Stops as soon as possible: after the current instruction, or before the next one when in the kernel. */
  private requestStop(s: StopInfo): void {
    if (this.pendingStop === null) this.pendingStop = s;
    this.proc.requestStop();
    // In the kernel (the instruction that entered it has retired), cpu.stop would be cleared by
    // the next CPU loop: a temporary breakpoint at the resume address stops it instead.
    if (!this.proc.cpu.inRun) this.addTemp(this.proc.cpu.pc);
  }

  private tcf(): number { return this.proc.cpu.tcf0; }

  /**
   * The stop for `e` under the first of `filters` that wants it (a tag check fault's signal is a
   * SIGSEGV too, so `signal` comes after its tag-check filter), or null.
   */
  private firstWanted(e: Omit<ExceptionStop, 'filter'>, filters: ExceptionFilter[]): ExceptionStop | null {
    for (const filter of filters) {
      const x: ExceptionStop = { ...e, filter };
      if (this.wants(filter, x)) return x;
    }
    return null;
  }

  private wants(filter: ExceptionFilter, e: ExceptionStop): boolean {
    if (!this.exceptionFilters.has(filter)) return false;
    const cond = this.exceptionFilters.get(filter);
    return cond ? cond(e) : true;
  }

  /** Tracer: a synchronous fault is about to become a signal. True = stop before delivering it. */
  private onFaultSignal(info: SigInfo): boolean {
    if (this.muted || this.scanning) return false;
    const f = info.fault!;
    if (this.passFault && this.passFault.pc === f.pc && this.passFault.signo === info.signo) { this.passFault = null; return false; }
    const filters: ExceptionFilter[] = f.kind === 'tagcheck' ? [this.tcf() === 3 ? 'tag-check-asymm' : 'tag-check-sync', 'signal'] : ['signal'];
    this.heldFault = this.firstWanted({
      pc: f.pc, fault: f, tcf: this.tcf(),
      signal: { signo: info.signo, code: info.code, name: signalName(info.signo), codeName: siCodeName(info.signo, info.code), addr: info.addr, delivered: false },
    }, filters);
    return this.heldFault !== null;
  }
  private heldFault: ExceptionStop | null = null;

  /**
   * Signal tracer: a signal is about to be delivered (dequeued at a kernel exit). True = stop here
   * (signal-delivery-stop); the runtime delivers it when execution resumes. Fault signals were
   * already offered at the faulting instruction (onFaultSignal); ignored signals never stop.
   */
  private onDelivery(d: SignalDelivery): boolean {
    if (this.muted || this.scanning) return false;
    const info = d.info;
    if (info.fault || d.action === 'ignored' || d.action === 'stop') return false;
    const e: Omit<ExceptionStop, 'filter'> = {
      pc: d.pc, tcf: this.tcf(), atDelivery: true,
      signal: {
        signo: info.signo, code: info.code, name: signalName(info.signo), codeName: siCodeName(info.signo, info.code), addr: info.addr,
        delivered: false, action: d.action, handler: d.handler,
      },
    };
    // The asynchronous tag check fault's signal: the tag-check filter of the mode, else the signal filter.
    const mteaerr = info.signo === SIGSEGV && info.code === SEGV_MTEAERR;
    if (mteaerr && info.mismatches?.length) e.mismatch = info.mismatches[0];
    this.heldDelivery = this.firstWanted(e, mteaerr ? [this.tcf() === 3 ? 'tag-check-asymm' : 'tag-check-async', 'signal'] : ['signal']);
    return this.heldDelivery !== null;
  }
  private heldDelivery: ExceptionStop | null = null;

  /**
   * An async (or asymmetric-store) mismatch, inside the instruction, before the access is performed.
   * True = stop at that instruction (the hook abandons it; resuming performs it without stopping again).
   */
  private onMismatch(m: TagMismatch): boolean {
    if (this.muted || this.scanning) return false;
    if (this.passMismatch && this.passMismatch.pc === m.pc && this.passMismatch.position === this.counter.seq - 1) return false;
    const filter: ExceptionFilter = this.tcf() === 3 ? 'tag-check-asymm' : 'tag-check-async';
    const e: ExceptionStop = { filter, pc: m.pc, mismatch: m, tcf: this.tcf(), rewound: true };
    const tick = this.opts.process?.tickInterval ?? TICK_INTERVAL;
    if (tick > 0) e.deliveryWithin = tick - (this.counter.seq % tick);
    if (!this.wants(filter, e)) return false;
    this.heldMismatch = e;
    return true;
  }
  private heldMismatch: ExceptionStop | null = null;

  /**
   * A signal was delivered (handler entered, ignored, or the process was killed). Every signal but
   * SIGKILL was offered before delivery (onFaultSignal, onDelivery); SIGKILL kills without being
   * dequeued, so it can only be reported afterwards.
   */
  private onSignal(ev: SignalEvent): void {
    if (this.history && !this.history.busy) this.history.checkpointProcess();
    if (this.muted || this.scanning) return;
    if (ev.signo !== SIGKILL) return;
    const e: ExceptionStop = {
      filter: 'signal', pc: ev.pc, tcf: this.tcf(),
      signal: { signo: ev.signo, code: ev.code, name: signalName(ev.signo), codeName: siCodeName(ev.signo, ev.code), addr: ev.addr, delivered: true, action: ev.action },
    };
    if (this.wants('signal', e)) this.requestStop({ reason: 'exception', exception: e });
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  private syncCpuBp(pc: number): void {
    const on = this.userBps.has(pc) || this.tempBps.has(pc);
    if (on !== this.proc.cpu.breakpoints.has(pc)) this.proc.cpu.setBreakpoint(pc, on);
  }
  private addTemp(pc: number): void { this.tempBps.add(pc); this.syncCpuBp(pc); }
  private clearTemps(): void {
    const t = [...this.tempBps];
    this.tempBps.clear();
    for (const pc of t) this.syncCpuBp(pc);
  }

  /** Replaces the set of instruction addresses with user breakpoints. */
  setBreakpoints(addrs: Iterable<number>): void {
    const next = new Set(addrs);
    const old = this.userBps;
    this.userBps = next;
    for (const pc of old) if (!next.has(pc)) this.syncCpuBp(pc);
    for (const pc of next) if (!old.has(pc)) this.syncCpuBp(pc);
  }

  get breakpointAddresses(): ReadonlySet<number> { return this.userBps; }

  /** Data watchpoints (read/write/readWrite) and allocation-tag watchpoints. */
  setWatchpoints(list: Watchpoint[]): void {
    const mmu = this.proc.mmu;
    for (const vpn of mmu.watchedVpns) mmu.flushVpn(vpn);
    mmu.watchedVpns.clear();
    this.watchpoints = list.filter(w => w.access !== 'tag');
    this.tagWatchpoints = list.filter(w => w.access === 'tag');
    for (const w of this.watchpoints) {
      for (let vpn = Math.floor(w.start / PAGE_SIZE); vpn * PAGE_SIZE < w.start + w.length; vpn++) {
        mmu.watchedVpns.add(vpn);
        mmu.flushVpn(vpn);
      }
    }
  }

  // ---- state -------------------------------------------------------------------------------------

  get cpu() { return this.proc.cpu; }
  get pc(): number { return this.proc.cpu.pc; }
  get position(): number { return this.proc.cpu.steps; }

  /** The instruction word at an address through the debug path. */
  readWord(addr: number): number | undefined {
    const r = this.memory.read(BigInt(addr), 4);
    if (r.unreadable) return undefined;
    return (r.bytes[0] | (r.bytes[1] << 8) | (r.bytes[2] << 16) | (r.bytes[3] << 24)) >>> 0;
  }

  /** Call stack from the frame-record chain. */
  frames(max = 64): UnwoundFrame[] {
    const c = this.proc.cpu;
    return unwind({
      pc: c.pc, sp: c.x[SP], fp: c.x[29], lr: c.x[30], maxFrames: max,
      functionStart: pc => this.symbols.functionStart(pc),
      readWord: a => this.readWord(a),
      readU64: a => { const r = this.memory.read(a, 8); return r.unreadable ? undefined : new DataView(r.bytes.buffer, r.bytes.byteOffset, 8).getBigUint64(0, true); },
    });
  }

  /** Provenance of the tag of the granule containing an untagged user address. */
  tagProvenance(a: number): { last?: TagWrite; history: TagWrite[]; gpn?: number; granule: number } {
    const gpn = this.memory.gpnOf(a);
    const granule = (a % PAGE_SIZE) >> 4;
    return { last: this.provenance.last(gpn, granule), history: this.provenance.history(gpn, granule), gpn, granule };
  }

  /** Records a tag the debugger wrote (so provenance says so) and cuts the history. */
  noteDebuggerTagWrite(a: number, prev: number, tag: number): void {
    const gpn = this.memory.gpnOf(a);
    if (gpn !== undefined) this.provenance.record(gpn, (a % PAGE_SIZE) >> 4, { step: this.position, pc: this.pc, prev, tag, va: BigInt(a), by: 'debugger' });
  }

  /** The debugger changed machine state (registers, memory, pc): the recorded past no longer leads here. */
  stateEdited(): void { this.history?.reset(); }

  // ---- running -----------------------------------------------------------------------------------

  /** Starts a resume; call `runFor` until it returns a stop. */
  resume(mode: ResumeMode): void {
    this.pauseRequested = false;
    this.pendingStop = null;
    this.clearTemps();
    const from = mode.kind === 'stepIn' || mode.kind === 'next' ? (mode.granularity === 'line' ? this.source.lineAt(this.pc) : undefined) : undefined;
    this.plan = { mode, from, done: 0 };
    // At a signal-delivery-stop the instruction at pc has not been reached as a breakpoint yet (the
    // kernel exit comes first): a breakpoint there still stops when the handler returns to it.
    this.proc.cpu.skipBreakpointAt = this.proc.heldSignal ? -1 : this.pc;
    if (mode.kind === 'stepOut') {
      const f = this.frames(2);
      if (f.length > 1) {
        this.plan.until = { pc: f[1].pc, sp: this.proc.cpu.x[SP] };
        this.addTemp(f[1].pc);
      } else this.plan.mode = { kind: 'continue' };
    }
    // Resuming from a held fault delivers its signal: the instruction re-executes and faults again.
    // (A signal-delivery-stop needs nothing: the runtime delivers the signal it holds when it resumes.)
    if (this.lastStop.reason === 'exception' && this.lastStop.exception.fault && !this.lastStop.exception.atDelivery && !this.lastStop.exception.signal?.delivered) {
      this.passFault = { pc: this.lastStop.exception.pc, signo: this.lastStop.exception.signal!.signo };
    }
  }

  pause(): void { this.pauseRequested = true; }

  get running(): boolean { return this.plan !== null; }

  private stop(s: StopInfo): StopInfo {
    this.plan = null;
    this.clearTemps();
    this.pendingStop = null;
    this.lastStop = s;
    if (s.reason === 'exception') this.lastException = s.exception;
    if (s.reason !== 'exception' || !s.exception.fault || s.exception.atDelivery || s.exception.signal?.delivered !== false) this.passFault = null;
    this.passMismatch = s.reason === 'exception' && s.exception.rewound ? { pc: this.pc, position: this.position } : null;
    if (this.position > this.highWater) this.highWater = this.position;
    if (this.historyInvalid && this.history) {
      // The hypervisor changed what the guest sees (conversion, discard, remap): the past no longer leads here.
      this.history.reset();
      this.historyInvalid = false;
      this.emit('output', { category: 'console', text: `Reverse-execution history restarts here: the hypervisor changed guest memory contents (conversion, discard or remap).\n` });
    }
    return s;
  }

  /** Tag-change events: at most one per `tagEventMs` while running, and one when execution stops. */
  tagEventMs = 250;
  private lastTagEvent = 0;
  private flushTagEvent(force: boolean): void {
    const t = this.tagChanges;
    if (t.count === 0) return;
    const now = performance.now();
    if (!force && now - this.lastTagEvent < this.tagEventMs) return;
    this.lastTagEvent = now;
    this.emit('tagsChanged', { count: t.count, low: t.low, high: t.high });
    this.tagChanges = { count: 0, low: Infinity, high: -Infinity };
  }

  /**
   * Executes at most `limit` instructions (or to the next event). Returns what happened:
   * 'limit', a breakpoint address (not executed), or a stop.
   */
  private execute(limit: number): { kind: 'limit' } | { kind: 'bp'; pc: number } | { kind: 'stop'; stop: StopInfo } {
    const proc = this.proc;
    if (this.exited) return { kind: 'stop', stop: { reason: 'exited', status: this.exited } };
    let r;
    try {
      // Resuming from a breakpoint whose instruction page-faults: the skip is used up by the
      // faulting attempt, so the retry after demand paging would stop again. Skip it again.
      const skip = proc.cpu.skipBreakpointAt;
      const before = proc.cpu.steps;
      if (this.vmm && limit > 0 && this.position + limit > this.nextSwap) limit = Math.max(1, this.nextSwap - this.position);
      r = proc.run(limit);
      for (let k = 0; k < 4 && skip >= 0 && r.reason === 'breakpoint' && r.pc === skip && proc.cpu.steps === before; k++) {
        proc.cpu.skipBreakpointAt = skip;
        r = proc.run(limit);
      }
    } catch (e) {
      if (e instanceof MismatchStop) {
        const ex = this.heldMismatch!;
        this.heldMismatch = null;
        return { kind: 'stop', stop: { reason: 'exception', exception: ex } };
      }
      if (e instanceof SignalStop) {
        const ex = this.heldFault!;
        this.heldFault = null;
        this.proc.cpu.pc = ex.pc;
        return { kind: 'stop', stop: { reason: 'exception', exception: ex } };
      }
      throw e;
    } finally {
      if (this.history && !this.muted) this.history.tick();
    }
    if (this.vmm) {
      // What the VMM does whenever control returns to it (emulator/hv runLoop): the memory limit
      // and the swap-every policy.
      this.vmm.enforceMemoryLimit();
      if (this.position >= this.nextSwap) {
        this.vmm.swapOutAll();
        this.nextSwap = this.position + (this.opts.vm!.swap.every ?? Infinity);
      }
    }
    if (r.reason === 'stopped' && this.proc.heldSignal && this.heldDelivery) {
      // A signal-delivery-stop. Recorded as a process checkpoint so that going to this position
      // again lands here (signal still held) rather than on the system call's earlier checkpoint.
      const exception = this.heldDelivery;
      this.heldDelivery = null;
      if (this.history && !this.history.busy) this.history.checkpointProcess();
      return { kind: 'stop', stop: { reason: 'exception', exception } };
    }
    const vmExit = r.reason === 'stopped' && this.vmm ? this.vmm.vm.takePendingExit() : null;
    if (this.pendingStop) return { kind: 'stop', stop: this.pendingStop };
    if (vmExit) {
      // KVM_RUN failed (stage 2 left the access to the VMM): the guest saw nothing and cannot go on
      // until the VMM acts, so this stops whatever the filters say (continuing tries again).
      const hv: ExceptionStop['hv'] = vmExit.reason === 'error'
        ? { kind: 'run-error', reason: `KVM_RUN returns ${vmExit.ret}: -${vmExit.errno}: ${vmExit.message}`, gpa: vmExit.gpa }
        : vmExit.reason === 'memory_fault'
          ? { kind: 'memory-fault-exit', reason: `KVM_EXIT_MEMORY_FAULT: ${vmExit.private ? 'private' : 'shared'} access the VMM did not resolve`, gpa: vmExit.gpa }
          : { kind: vmExit.reason, reason: `KVM_RUN exit ${vmExit.reason}`, gpa: -1 };
      return { kind: 'stop', stop: { reason: 'exception', exception: { filter: 'hypervisor', pc: this.pc, tcf: this.tcf(), hv } } };
    }
    switch (r.reason) {
      case 'limit': return { kind: 'limit' };
      case 'exit': return { kind: 'stop', stop: { reason: 'exited', status: r.status } };
      case 'blocked': return { kind: 'stop', stop: { reason: 'blocked', syscall: r.syscall } };
      case 'stopped': return { kind: 'limit' };
      case 'breakpoint': return { kind: 'bp', pc: r.pc };
    }
  }

  /** Handles a breakpoint the CPU stopped at; returns a stop, or null to carry on (skipping it). */
  private atBreakpoint(pc: number, plan: StepPlan): StopInfo | null {
    const c = this.proc.cpu;
    if (plan.until && pc === plan.until.pc && c.x[SP] >= plan.until.sp && this.tempBps.has(pc)) {
      const handler = plan.until.handler;
      plan.until = undefined;
      this.tempBps.delete(pc);
      this.syncCpuBp(pc);
      // Back from the handler at the interrupted instruction: a breakpoint there is reached now.
      if (handler) return this.userBps.has(pc) && this.breakpointFilter(pc) ? { reason: 'breakpoint', pc } : null;
      // Back in the caller: stepOut ends here; line steps go on checking lines.
      if (plan.mode.kind === 'stepOut' || plan.mode.kind === 'next' && plan.mode.granularity === 'instruction') return { reason: 'step' };
      if (onTheWay(plan.mode, pc)) return null;
      const loc = this.source.lineAt(pc);
      if (!loc && this.source.lineZero(pc)) return null;
      if (!plan.from || !loc || loc.file !== plan.from.file || loc.line !== plan.from.line) return { reason: 'step' };
      return null;
    }
    if (this.userBps.has(pc) && this.breakpointFilter(pc)) return { reason: 'breakpoint', pc };
    c.skipBreakpointAt = pc;
    return null;
  }

  /**
   * Runs for about `budgetMs` milliseconds. Returns the stop, or null if still running (call
   * again). Tag-change events are emitted at the end of each call.
   */
  runFor(budgetMs: number): StopInfo | null {
    const plan = this.plan;
    if (!plan) return this.lastStop;
    const t0 = performance.now();
    try {
      for (;;) {
        if (this.pauseRequested) return this.stop({ reason: 'pause' });
        const single = !plan.until && plan.mode.kind !== 'continue';
        if (single) {
          const s = this.stepOne(plan);
          if (s) return this.stop(s);
          if (performance.now() - t0 > budgetMs) return null;
          continue;
        }
        const slice = this.history ? this.history.interval : 100_000;
        const r = this.execute(slice);
        if (r.kind === 'stop') return this.stop(r.stop);
        if (r.kind === 'bp') {
          const s = this.atBreakpoint(r.pc, plan);
          if (s) return this.stop(s);
        }
        if (performance.now() - t0 > budgetMs) return null;
      }
    } finally {
      this.flushTagEvent(this.plan === null);
      if (this.plan === null || performance.now() - this.lastHvEvent >= this.tagEventMs) { this.lastHvEvent = performance.now(); this.flushHvEvent(); }
    }
  }

  /** One instruction of a step plan; a stop when the step is over. */
  private stepOne(plan: StepPlan): StopInfo | null {
    const c = this.proc.cpu;
    if (this.proc.heldSignal) {
      // Stepping from a signal-delivery-stop: deliver first (no instruction runs). Into a handler,
      // stepIn stops at its first instruction; next and stepOut run it and come back here.
      const pc0 = c.pc, sp0 = c.x[SP];
      const r = this.execute(0);
      if (r.kind === 'stop') return r.stop;
      if (c.pc !== pc0) {
        if (plan.mode.kind === 'stepIn') return { reason: 'step' };
        plan.until = { pc: pc0, sp: sp0, handler: true };
        this.addTemp(pc0);
        return null;
      }
    }
    const pc = c.pc;
    const word = this.readWord(pc);
    const sp = c.x[SP];
    if (plan.done === 0) c.skipBreakpointAt = pc;
    const r = this.execute(1);
    if (r.kind === 'stop') return r.stop;
    if (r.kind === 'bp') {
      const s = this.atBreakpoint(r.pc, plan);
      if (s) return s;
      return null;
    }
    plan.done++;
    const m = plan.mode;
    const npc = c.pc;
    // The step-in target's call has run: stop at the callee's first instruction, line info or not.
    if (m.kind === 'stepIn' && m.target?.call === pc && isCall(word)) return { reason: 'step' };
    // A call: step over it (next, or any call but the step-in target), or into it only when it has
    // line information (stepIn by line).
    if (isCall(word) && npc !== pc + 4) {
      const into = m.kind === 'stepIn' && m.target === undefined && (m.granularity === 'instruction' || this.source.lineAt(npc) !== undefined);
      if (!into) {
        plan.until = { pc: pc + 4, sp };
        this.addTemp(pc + 4);
        return null;
      }
    }
    if (m.kind === 'stepOut' || m.kind === 'continue' || onTheWay(m, npc)) return null;
    if (m.granularity === 'instruction') return { reason: 'step' };
    const loc = this.source.lineAt(npc);
    // DWARF line 0 (code the compiler made up) belongs to no line: a line step goes on through it.
    if (!loc && this.source.lineZero(npc)) return null;
    if (!loc || !plan.from) return { reason: 'step' };
    if (loc.file !== plan.from.file || loc.line !== plan.from.line) return { reason: 'step' };
    return null;
  }

  // ---- reverse execution -------------------------------------------------------------------------

  /** Re-executes n instructions for the history: breakpoints skipped, events muted. */
  private replay(n: number): boolean {
    const target = this.position + n;
    const wasMuted = this.muted;
    this.muted = true;
    const savedPending = this.pendingStop;
    try {
      while (this.position < target) {
        let r;
        try { r = this.proc.run(target - this.position); } catch (e) { if (e instanceof SignalStop) return false; throw e; }
        if (r.reason === 'breakpoint') { this.proc.cpu.skipBreakpointAt = r.pc; continue; }
        if (r.reason === 'exit' || r.reason === 'blocked') return this.position === target;
      }
      return true;
    } finally {
      this.muted = wasMuted;
      this.pendingStop = savedPending;
      this.exited = this.proc.exited;
    }
  }

  /** Moves to an earlier (or equal) position; a message when impossible. */
  goToPosition(pos: number): string | undefined {
    const err = this.moveTo(pos);
    if (!err) { this.lastStop = { reason: 'goto' }; this.passFault = null; this.passMismatch = null; }
    return err;
  }

  private moveTo(pos: number): string | undefined {
    if (!this.history) return 'reverse execution is off (set "historySize" in launch.json)';
    if (pos > this.position) {
      // Forward, within what was already executed once: re-execute quietly.
      if (pos > this.highWater) return `step ${pos} has not been executed yet (the furthest point reached is ${this.highWater}); use continue`;
      const ok = this.replay(pos - this.position);
      this.clearTemps();
      return ok ? undefined : `could not re-execute up to ${pos}`;
    }
    // Going back may fault swapped-out pages in (the journal writes into them): not the guest's doing.
    const wasMuted = this.muted;
    this.muted = true;
    let err: string | undefined;
    try { err = this.history.goTo(pos); } finally { this.muted = wasMuted; }
    this.exited = this.proc.exited;
    this.clearTemps();
    return err;
  }

  /** stepBack: one instruction, or back to the start of the previous source line. */
  stepBack(granularity: 'line' | 'instruction'): StopInfo {
    const h = this.history;
    if (!h) return this.stop({ reason: 'history start', message: 'reverse execution is off (set "historySize" in launch.json)' });
    if (this.position <= h.start) return this.stop({ reason: 'history start', message: `no earlier history (it starts at instruction ${h.start})` });
    if (granularity === 'instruction') {
      const err = this.moveTo(this.position - 1);
      return this.stop(err ? { reason: 'history start', message: err } : { reason: 'step' });
    }
    // Line: the pcs of the recent past, then back to the first instruction of the previous line run.
    const trace = this.tracePcs(Math.max(h.start, this.position - 100_000), this.position);
    if (!trace) return this.stop({ reason: 'history start', message: 'could not read the history' });
    const here = this.source.lineAt(this.pc);
    const pcs = trace.pcs;
    let i = pcs.length - 1;
    const same = (pc: number, l: SourceLocation | undefined) => { const x = this.source.lineAt(pc); return l && x && x.file === l.file && x.line === l.line; };
    // Calls made on the way are stepped back over, as `next` steps over them: the call depth before
    // each traced instruction, from the calls and returns in the trace; deeper ones are passed over.
    const words = new Map<number, number | undefined>();
    const wordAt = (pc: number) => { if (!words.has(pc)) words.set(pc, this.readWord(pc)); return words.get(pc); };
    const depth = new Int32Array(pcs.length + 1);
    for (let k = 0; k < pcs.length; k++) {
      const w = wordAt(pcs[k]), next = k + 1 < pcs.length ? pcs[k + 1] : this.pc;
      depth[k + 1] = depth[k] + (isCall(w) && next !== pcs[k] + 4 ? 1 : isRet(w) ? -1 : 0);
    }
    const now = depth[pcs.length];
    // Line-0 instructions belong to no line: they are passed over, and never where the step ends.
    const skip = (k: number) => depth[k] > now || this.source.lineZero(pcs[k]);
    // Skip instructions of the current line, then take the whole run of the previous line.
    while (i >= 0 && (skip(i) || here && same(pcs[i], here))) i--;
    if (i < 0) { this.moveTo(trace.start); return this.stop({ reason: 'step' }); }
    const prev = this.source.lineAt(pcs[i]);
    for (let j = i; j > 0 && prev && (skip(j - 1) || same(pcs[j - 1], prev));) if (!skip(--j)) i = j;
    const err = this.moveTo(trace.start + i);
    return this.stop(err ? { reason: 'history start', message: err } : { reason: 'step' });
  }

  /**
   * The pc before each instruction in [from, to) (re-executing that stretch), leaving the machine
   * at `to`. pcs[k] is the pc at position from + k.
   */
  private tracePcs(from: number, to: number): { start: number; pcs: number[] } | null {
    if (this.moveTo(from) !== undefined) return null;
    const pcs: number[] = [];
    this.muted = true;
    try {
      while (this.position < to) {
        pcs.push(this.proc.cpu.pc);
        this.proc.cpu.skipBreakpointAt = this.proc.cpu.pc;
        const before = this.position;
        let r;
        try { r = this.proc.run(1); } catch (e) { if (e instanceof SignalStop) break; throw e; }
        if (r.reason === 'exit' || r.reason === 'blocked') break;
        if (this.position === before) pcs.pop();
      }
    } finally {
      this.muted = false;
    }
    return { start: from, pcs };
  }

  /**
   * reverseContinue: back to the most recent point where a breakpoint (or data / tag watchpoint)
   * would have stopped, or to the start of the history.
   */
  reverseContinue(): StopInfo {
    const h = this.history;
    if (!h) return this.stop({ reason: 'history start', message: 'reverse execution is off (set "historySize" in launch.json)' });
    const now = this.position;
    const start = h.start;
    if (now <= start) return this.stop({ reason: 'history start', message: `no earlier history (it starts at instruction ${start})` });
    // Replay [start, now) looking for hits; remember the last one.
    let found: { pos: number; stop: StopInfo } | null = null;
    if (this.moveTo(start) !== undefined) return this.stop({ reason: 'history start', message: 'could not rewind' });
    const saveFilter = this.breakpointFilter;
    this.scanning = true;
    try {
      while (this.position < now) {
        this.pendingStop = null;
        const before = this.position;
        const r = (() => { try { return this.proc.run(now - this.position); } catch (e) { if (e instanceof SignalStop) return null; throw e; } })();
        if (r === null) break;
        const ps = this.pendingStop as StopInfo | null;
        if (ps && ps.reason === 'data breakpoint') {
          // The instruction that made the access has just retired: the stop is before it.
          const pos = ps.hit.kind === 'tag' || this.position > before ? this.position - 1 : this.position;
          if (pos >= start && pos < now) found = { pos, stop: ps };
          this.clearTemps();
          continue;
        }
        if (r.reason === 'breakpoint') {
          if (this.userBps.has(r.pc) && this.position < now && saveFilter(r.pc)) found = { pos: this.position, stop: { reason: 'breakpoint', pc: r.pc } };
          this.proc.cpu.skipBreakpointAt = r.pc;
          continue;
        }
        if (r.reason === 'exit' || r.reason === 'blocked') break;
      }
    } finally {
      this.scanning = false;
      this.pendingStop = null;
      this.clearTemps();
    }
    const target = found ? found.pos : start;
    const err = this.moveTo(target);
    if (err) return this.stop({ reason: 'history start', message: err });
    return this.stop(found ? found.stop : { reason: 'history start', message: `reached the start of the recorded history (instruction ${start})` });
  }

  /** Sets pc (the `goto` request). */
  setPc(pc: number): void {
    this.proc.cpu.pc = pc;
    this.stateEdited();
    this.lastStop = { reason: 'goto' };
  }
}
