// The Linux EL0 personality: one single-threaded process on one vCPU. It owns the stage-1
// AddressSpace, drives the CPU, and implements what the kernel does at every kernel entry:
// system calls, page faults (demand paging), signal generation and delivery, and the MTE
// user-space ABI (prctl, PROT_MTE, SEGV_MTESERR/MTEAERR). Library code: it never prints; the
// CLI and the debugger listen to its events.
import { Cpu, CpuTrap, Stop, type Decoder } from '../cpu/cpu';
import { SP } from '../cpu/state';
import { parseElf, type ElfFile } from '../elf';
import { A64 } from '../isa/table';
import { GuestFault } from '../memory/fault';
import { AddressSpace, Mmu, type TagMismatch } from '../memory/mmu';
import { PAGE_SIZE } from '../memory/page';
import { PhysAccessError, RamPhysicalMemory, type GuestPhysicalMemory } from '../memory/physical';
import * as C from './constants';
import { Emitter } from './emitter';
import {
  NodeHostFs, openHost, resolvePath, stdioStat, syntheticStat,
  type FdEntry, type HostFs, type OpenFile, type StatInfo, type StdioKind,
} from './files';
import { FrameAllocator, OutOfFramesError } from './frames';
import { hwcapsFromIdRegisters, idRegistersFor, type Hwcaps } from './hwcaps';
import { buildStack, LoadError, mapElf, type InitialStack, type LoadedImage } from './loader';
import { SeededRandom } from './rng';
import {
  ESR, ESR_MAGIC, ESR_SIZE, F, FPSIMD_MAGIC, FPSIMD_SIZE, FRAME, FRAME_RECORD_SIZE, PSR_DAIF_MASK, PSR_MODE_MASK,
  PSR_TCO, SC, SI, UC, esrValue,
} from './sigframe';
import { syscallName } from './syscall-names';
import { MemoryMap, type Vma } from './vma';

const U64 = (1n << 64n) - 1n;
const neg = (errno: number): bigint => BigInt.asUintN(64, BigInt(-errno));
const toSigned = (v: bigint): bigint => BigInt.asIntN(64, v);
const bit = (sig: number): bigint => 1n << BigInt(sig - 1);
/** An auxv value as the loader takes it (a number: exact below 2^53, where every hwcap bit lies). */
const auxvNumber = (v: bigint): number => {
  if (v >= 1n << 53n) throw new Error(`auxv value 0x${v.toString(16)} is not exact as a number`);
  return Number(v);
};
const UNBLOCKABLE = bit(C.SIGKILL) | bit(C.SIGSTOP);
const SYNCHRONOUS = [C.SIGSEGV, C.SIGBUS, C.SIGILL, C.SIGTRAP, C.SIGFPE, C.SIGSYS];
const enc = new TextEncoder();

export type MtePreference = 'async' | 'sync' | 'asymm';

export interface ProcessOptions {
  /** Guest-visible absolute path of the program (argv[0] default, AT_EXECFN, /proc/self/exe). */
  path: string;
  /** argv (default [path]). */
  argv?: string[];
  /** Environment as NAME=VALUE strings (default empty). */
  env?: string[];
  /** Seeds AT_RANDOM, getrandom, /dev/urandom and the IRG generator (default 0). */
  seed?: number | bigint;
  /** /sys/devices/system/cpu/cpu0/mte_tcf_preferred (default 'async', as Linux). */
  mtePreferred?: MtePreference;
  /** FEAT_MTE2 present (default true) and FEAT_MTE3 asymmetric mode (default true). */
  mte?: boolean;
  mte3?: boolean;
  /** The guest-physical memory (default: a RamPhysicalMemory). */
  phys?: GuestPhysicalMemory;
  decoder?: Decoder;
  /** Host file system view (default: read-only, the program's directory); null = no host files. */
  hostFs?: HostFs | null;
  /** Directories readable by the guest when hostFs is not given (default: the program's directory). */
  readRoots?: string[];
  cwd?: string;
  /** Supplies stdin bytes (at most `max`); null = end of file. Default: always EOF. */
  stdin?: (max: number) => Uint8Array | null;
  /** What fds 0, 1, 2 look like to fstat/ioctl (default: pipes). */
  stdio?: [StdioKind, StdioKind, StdioKind];
  pid?: number;
  uid?: number;
  gid?: number;
  hwcap?: number;
  hwcap2?: number;
  /** A timer interrupt (a kernel entry, where pending async tag faults are delivered) every N instructions; 0 = never. */
  tickInterval?: number;
  /** CLOCK_REALTIME at instruction 0, in seconds since the epoch. */
  epochSeconds?: number;
  /** Nanoseconds of virtual time per instruction (default 1: a 1 GHz machine). */
  nsPerInsn?: number;
  /** sysctl abi.tagged_addr_disabled. */
  taggedAddrDisabled?: boolean;
}

/** A signal as the kernel queues it (kernel_siginfo). */
export interface SigInfo {
  signo: number;
  code: number;
  errno?: number;
  /** si_addr for fault signals (as generated, tag bits included). */
  addr?: bigint;
  pid?: number;
  uid?: number;
  /** force_sig: cannot be blocked or ignored (synchronous faults). */
  forced?: boolean;
  /** The fault behind it, for reports. */
  fault?: FaultRecord;
  /** Async tag-check mismatches behind a SEGV_MTEAERR. */
  mismatches?: TagMismatch[];
}

export interface FaultRecord {
  kind: 'translation' | 'permission' | 'alignment' | 'tagcheck' | 'external' | 'undefined' | 'breakpoint' | 'pc-alignment' | 'trap';
  pc: number;
  /** Fault address (FAR), tag bits included. */
  va: bigint;
  write: boolean;
  exec: boolean;
  size: number;
  logicalTag: number;
  allocationTag: number;
  /** The instruction word at pc, when readable. */
  word?: number;
  detail?: string;
}

export interface ExitStatus {
  /** Exit code (0..255) for a normal exit, null when killed by a signal. */
  code: number | null;
  signal: number | null;
  core: boolean;
  /** The fatal signal's info. */
  info?: SigInfo;
  /** Registers at the time of death (x0..x30, sp, pc, pstate). */
  regs?: bigint[];
}

export interface SyscallEvent { nr: number; name: string; args: bigint[]; result: bigint; pc: number }
export interface SignalEvent {
  signo: number; code: number; addr?: bigint; pc: number;
  action: 'handler' | 'ignored' | 'terminate' | 'core' | 'stop';
  handler?: bigint;
  info: SigInfo;
}

/**
 * A signal the kernel has just dequeued for delivery (get_signal), offered to `signalTracer` before
 * anything is done with it: no handler frame built, no default action taken.
 */
export interface SignalDelivery {
  info: SigInfo;
  /** What delivering it will do with the handler table as it is now. */
  action: SignalEvent['action'];
  /** The handler's address when `action` is 'handler'. */
  handler?: bigint;
  /** Where user space resumes (the interrupted pc; the faulting instruction for a fault). */
  pc: number;
}

export interface ProcessEvents {
  stdout: Uint8Array;
  stderr: Uint8Array;
  syscall: SyscallEvent;
  unsupportedSyscall: { nr: number; name: string; args: bigint[]; pc: number };
  signal: SignalEvent;
  exit: ExitStatus;
  /** An asynchronous (or asymmetric-store) tag mismatch, at the access that caused it. */
  tagMismatch: TagMismatch;
  /** A synchronous exception that becomes a signal (not demand paging). */
  fault: FaultRecord;
}

export type RunResult =
  | { reason: 'exit'; status: ExitStatus }
  | { reason: 'limit' }
  | { reason: 'breakpoint'; pc: number }
  | { reason: 'stopped' }
  | { reason: 'blocked'; syscall: string };

interface SigAction { handler: bigint; flags: number; restorer: bigint; mask: bigint }

/** Per-thread MTE control (thread.mte_ctrl). */
interface MteCtrl { sync: boolean; async: boolean; asymm: boolean; include: number }

/** Plain-data state of the whole process (registers, memory map, heap, signals, files). */
export interface ProcessSnapshot {
  regs: bigint[]; vregs: bigint[]; pc: number; nzcv: number; tco: number; fpcr: number; fpsr: number;
  tpidr: bigint; tpidrro: bigint; tcf0: number; gcrExclude: number; gcrRrnd: number; rgsr: number; tfsre0: number;
  steps: number;
  mm: ReturnType<MemoryMap['snapshot']>;
  frames: ReturnType<FrameAllocator['snapshot']>;
  /** Contents of every present page: gpn -> data and tags. */
  pages: { gpn: number; data: Uint8Array; tags: Uint8Array | null; mteTagged: boolean }[];
  brk: number; brkStart: number;
  sig: { actions: SigAction[]; blocked: bigint; pending: SigInfo[]; altstack: { sp: bigint; size: bigint; flags: number } };
  thread: { faultAddress: bigint; faultCode: number; taggedAddr: boolean; mteCtrl: MteCtrl; clearChildTid: bigint; name: string };
  fds: { fd: number; file: number; cloexec: boolean }[];
  files: OpenFile[];
  rng: bigint;
  sleepNs: bigint;
  exited: ExitStatus | null;
  asyncPending: boolean;
  mismatches: TagMismatch[];
  /** Later additions (optional so older snapshots still load). */
  cwd?: string;
  limits?: [number, bigint, bigint][];
  savedSigmask?: bigint | null;
  asyncFaultMismatches?: TagMismatch[];
  mtePreferred?: MtePreference;
  /** A signal held in delivery by the tracer (null or absent: none). */
  heldSignal?: SigInfo | null;
}

export class LinuxProcess extends Emitter<ProcessEvents> {
  readonly cpu: Cpu;
  readonly mmu: Mmu;
  readonly space = new AddressSpace();
  readonly phys: GuestPhysicalMemory;
  readonly frames: FrameAllocator;
  readonly mm: MemoryMap;
  readonly image: LoadedImage;
  readonly stack: InitialStack;
  readonly path: string;
  readonly argv: string[];
  readonly env: string[];
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
  readonly mte: boolean;
  readonly mte3: boolean;
  /** AT_HWCAP / AT_HWCAP2 as derived from the ID registers (hwcaps.ts); options may override the auxv values. */
  readonly hwcaps: Hwcaps;
  mtePreferred: MtePreference;
  /** Address of the sigreturn trampoline page ([vdso]). */
  readonly sigtramp: number;

  // kernel state
  brk: number;
  readonly brkStart: number;
  private readonly actions: SigAction[] = Array.from({ length: C.NSIG + 1 }, () => ({ handler: 0n, flags: 0, restorer: 0n, mask: 0n }));
  blocked = 0n;
  private pending: SigInfo[] = [];
  altstack = { sp: 0n, size: 0n, flags: C.SS_DISABLE };
  faultAddress = 0n;
  faultCode = 0;
  taggedAddr = false;
  mteCtrl: MteCtrl = { sync: false, async: false, asymm: false, include: 0 };
  clearChildTid = 0n;
  name: string;
  private fds = new Map<number, FdEntry>();
  private readonly rng: SeededRandom;
  private sleepNs = 0n;
  exited: ExitStatus | null = null;
  /** TIF_MTE_ASYNC_FAULT: TFSRE0 was found set at a kernel entry; SIGSEGV/MTEAERR at exit. */
  private asyncPending = false;
  /** TIF_RESTORE_SIGMASK: the mask rt_sigsuspend replaced, recorded in the next frame. */
  private savedSigmask: bigint | null = null;
  /** Async mismatches since the last kernel entry (at most 16 kept). */
  private mismatches: TagMismatch[] = [];
  private asyncFaultMismatches: TagMismatch[] = [];
  private readonly opts: ProcessOptions;
  private readonly host: HostFs | null;
  readonly cwd: string;
  private readonly tick: number;
  private readonly nsPerInsn: number;
  private readonly epochNs: bigint;
  /** The last synchronous fault (for reports). */
  lastFault: FaultRecord | null = null;
  /**
   * The tracer's signal-delivery-stop (ptrace's): called with each signal dequeued for delivery
   * (never SIGKILL, which kills without being dequeued), before its handler frame is built or its
   * default action taken. Returning true holds it there: `run`/`step` return `{reason: 'stopped'}`
   * with the process exactly as at that kernel exit (registers, pc where user space resumes,
   * `heldSignal` set, the signal no longer pending), and the next `run`/`step` delivers it first
   * without asking again, then carries on with whatever else is deliverable.
   */
  signalTracer: ((d: SignalDelivery) => boolean) | null = null;
  private held: SigInfo | null = null;

  /** Loads an ELF image (bytes) as a new process. Throws ElfError / LoadError for bad input. */
  static fromBytes(bytes: Uint8Array, opts: ProcessOptions): LinuxProcess {
    return new LinuxProcess(parseElf(bytes, opts.path), opts);
  }

  constructor(readonly elf: ElfFile, opts: ProcessOptions) {
    super();
    this.opts = opts;
    // /proc/self/exe is absolute (glibc's _dl_get_origin relies on it): a relative program path is
    // resolved against the process's working directory, as execve resolves it.
    this.path = absolutePath(opts.cwd ?? '/', opts.path);
    this.argv = opts.argv ?? [opts.path];
    this.env = opts.env ?? [];
    this.pid = opts.pid ?? 1000;
    this.uid = opts.uid ?? 1000;
    this.gid = opts.gid ?? 1000;
    this.mte = opts.mte ?? true;
    this.mte3 = this.mte && (opts.mte3 ?? true);
    this.mtePreferred = opts.mtePreferred ?? 'async';
    if (this.mtePreferred === 'asymm' && !this.mte3) throw new LoadError(`mte_tcf_preferred 'asymm' needs FEAT_MTE3`);
    const idRegisters = idRegistersFor({ mte: this.mte, mte3: this.mte3 });
    this.hwcaps = hwcapsFromIdRegisters(idRegisters);
    this.tick = opts.tickInterval ?? 1_000_000;
    this.nsPerInsn = opts.nsPerInsn ?? 1;
    this.epochNs = BigInt(opts.epochSeconds ?? 1_735_689_600) * 1_000_000_000n;
    this.cwd = opts.cwd ?? '/';
    this.name = basename(this.path).slice(0, 15);
    this.rng = new SeededRandom(BigInt(opts.seed ?? 0) ^ 0x7461677669736f72n);
    this.phys = opts.phys ?? new RamPhysicalMemory();
    this.frames = new FrameAllocator(this.phys);
    this.mm = new MemoryMap(this.space, this.frames, this.phys);
    this.cpu = new Cpu(opts.decoder ?? A64, cpu => new Mmu(this.space, this.phys, cpu));
    this.cpu.idRegisters = idRegisters;
    this.mmu = this.cpu.mmu;
    this.mmu.hooks.asyncMismatch = m => {
      if (this.mismatches.length < 16) this.mismatches.push(m);
      this.emit('tagMismatch', m);
    };
    if (opts.hostFs !== undefined) this.host = opts.hostFs;
    else this.host = new NodeHostFs(opts.readRoots ?? [dirname(this.path)]);

    // execve
    this.image = mapElf(this.mm, elf, this.path);
    this.brkStart = this.brk = this.image.brk;
    this.sigtramp = this.mapSigtramp();
    const random16 = this.rng.bytes(16);
    this.stack = buildStack(this.mm, {
      argv: this.argv, envp: this.env, execfn: opts.path, // AT_EXECFN: the name as passed to execve
      hwcap: opts.hwcap ?? auxvNumber(this.hwcaps.hwcap),
      hwcap2: opts.hwcap2 ?? auxvNumber(this.hwcaps.hwcap2),
      uid: this.uid, euid: this.uid, gid: this.gid, egid: this.gid, random16, image: this.image,
    }, (addr, bytes) => { if (!this.copyOutRaw(addr, bytes)) throw new LoadError('cannot write the initial stack'); });

    // start_thread: all registers 0, PSTATE EL0t with NZCV 0, TCO 0.
    const c = this.cpu;
    c.pc = this.image.entry;
    c.x[SP] = BigInt(this.stack.sp);
    c.tpidr = 0n;
    c.tco = 0;
    c.nzcv = 0;
    // MTE thread state after exec: no checking, include mask 0 (GCR exclude all), RRND=1 as Linux
    // programs it; the generator is seeded from --seed so IRG is reproducible.
    c.tcf0 = 0;
    c.gcrExclude = 0xffff;
    c.gcrRrnd = 1;
    const seed16 = Number(this.rng.next64() & 0xffffn) || 1;
    c.rgsr = (seed16 << 8) | 0;
    c.ata = this.mte;

    const kinds = opts.stdio ?? ['pipe', 'pipe', 'pipe'];
    const std: ('stdin' | 'stdout' | 'stderr')[] = ['stdin', 'stdout', 'stderr'];
    std.forEach((kind, fd) => {
      this.fds.set(fd, {
        cloexec: false,
        file: { kind, path: kinds[fd] === 'tty' ? '/dev/pts/0' : `pipe:[${1000 + fd}]`, flags: fd === 0 ? C.O_RDONLY : C.O_WRONLY, pos: 0, stat: stdioStat(kinds[fd], fd, this.uid, this.gid), stdio: kinds[fd] },
      });
    });
  }

  // ---- running ---------------------------------------------------------------------------------

  /** Instructions retired so far. */
  get steps(): number { return this.cpu.steps; }

  /** The signal the tracer holds in delivery (see `signalTracer`), or null. */
  get heldSignal(): SigInfo | null { return this.held; }

  /**
   * Runs until the process exits, `limit` instructions have retired, a breakpoint is hit, the host
   * requested a stop, or the guest blocks forever. System calls, page faults and signals are handled
   * inside.
   */
  run(limit = Number.POSITIVE_INFINITY): RunResult {
    const c = this.cpu;
    const end = c.steps + limit;
    if (this.held && !this.exited) {
      const r = this.resumeDelivery();
      if (r) return r;
    }
    while (!this.exited) {
      const left = end - c.steps;
      if (left <= 0) return { reason: 'limit' };
      let chunk = left;
      if (this.tick > 0) chunk = Math.min(chunk, this.tick - (c.steps % this.tick));
      const r = this.handleStop(c.run(Math.min(chunk, 0x3fff_ffff)));
      if (r) return r;
      if (this.held) return { reason: 'stopped' };
    }
    return { reason: 'exit', status: this.exited };
  }

  /** Delivers the held signal (and whatever else is deliverable), as the interrupted kernel exit would have. */
  private resumeDelivery(): RunResult | null {
    const info = this.held!;
    this.held = null;
    this.guardKernel(this.cpu.pc, () => this.deliverSignals(info));
    if (this.exited) return { reason: 'exit', status: this.exited };
    return this.held ? { reason: 'stopped' } : null;
  }

  /**
   * Executes one instruction, or takes the exception it raises (then nothing retired and the
   * CPU is wherever the kernel left it, e.g. in a signal handler). `pc` is where it started.
   */
  step(): { pc: number; retired: boolean; result: RunResult | null } {
    const c = this.cpu;
    const pc = c.pc, before = c.steps;
    if (this.exited) return { pc, retired: false, result: { reason: 'exit', status: this.exited } };
    if (this.held) {
      const r = this.resumeDelivery();
      if (r) return { pc, retired: false, result: r };
    }
    // Page faults the kernel resolves (demand paging) are invisible: retry the instruction.
    for (let tries = 0; ; tries++) {
      const stop = c.run(1);
      const r = this.handleStop(stop) ?? (this.held ? { reason: 'stopped' } as const : null);
      const retired = c.steps > before;
      if (retired || r || this.exited || stop !== Stop.Fault || c.pc !== pc || tries >= 4) {
        return { pc, retired, result: r ?? (this.exited ? { reason: 'exit', status: this.exited } : null) };
      }
    }
  }

  /**
   * After a refused guest-physical access: did the physical layer (the hypervisor's stage 2) leave
   * an exit for the VMM (a KVM_RUN error, an unhandled memory-fault exit) rather than inject an
   * external abort into the guest? Then `run` returns 'stopped' and the VMM takes the exit.
   */
  private vmmMustAct(): boolean {
    return (this.phys.peekPendingExit?.() ?? null) !== null;
  }

  /** What the kernel does when the CPU loop returns; a RunResult when `run` must return. */
  private handleStop(stop: Stop): RunResult | null {
    return this.guardKernel(stop === Stop.Svc ? this.cpu.pc - 4 : this.cpu.pc, () => this.kernelWork(stop));
  }

  /**
   * Runs kernel work entered from the instruction at `pcBefore`; a refused guest-physical access
   * becomes SIGBUS, or a 'stopped' return when the VMM must act.
   */
  private guardKernel(pcBefore: number, work: () => RunResult | null | void): RunResult | null {
    try {
      return work() ?? null;
    } catch (e) {
      if (!(e instanceof PhysAccessError)) throw e;
      // The kernel itself touched guest-physical memory the physical layer refused. Left for the
      // VMM: KVM_RUN returns to it, and retrying restarts the system call. Otherwise like a
      // synchronous external abort at the instruction that entered.
      this.cpu.pc = pcBefore;
      if (this.vmmMustAct()) return { reason: 'stopped' };
      const fr: FaultRecord = { kind: 'external', pc: pcBefore, va: BigInt(e.gpn * PAGE_SIZE), write: e.write, exec: false, size: 0, logicalTag: 0, allocationTag: 0, word: this.peekWord(pcBefore), detail: e.reason };
      this.lastFault = fr;
      this.emit('fault', fr);
      this.sendSignal({ signo: C.SIGBUS, code: C.BUS_OBJERR, addr: 0n, forced: true, fault: fr });
      this.kernelExit();
      return this.exited ? { reason: 'exit', status: this.exited } : null;
    }
  }

  private kernelWork(stop: Stop): RunResult | null {
    const c = this.cpu;
    switch (stop) {
      case Stop.Limit:
        if (this.tick > 0 && c.steps % this.tick === 0) { this.kernelEntry(); this.kernelExit(); }
        return null;
      case Stop.Svc: {
        const blocked = this.syscall();
        return blocked ? { reason: 'blocked', syscall: blocked } : null;
      }
      case Stop.Fault:
        // Stage 2 left this access to the VMM (KVM_RUN fails): the guest sees nothing, the vCPU
        // stays at the faulting instruction for the VMM to decide.
        if (c.fault!.kind === 'external' && this.vmmMustAct()) return { reason: 'stopped' };
        this.onFault(c.fault!);
        return null;
      case Stop.Undefined: this.onUndefined(c.undefinedWord); return null;
      case Stop.Trap: this.onTrap(c.trap!); return null;
      case Stop.Breakpoint: return { reason: 'breakpoint', pc: c.pc };
      case Stop.Requested: return { reason: 'stopped' };
      default: throw new Error(`unexpected CPU stop ${stop}`);
    }
  }

  /** Asks a running `run` to return after the current instruction (from a hook or another context). */
  requestStop(): void { this.cpu.stop = Stop.Requested; }

  // ---- kernel entry / exit ---------------------------------------------------------------------

  /** Every EL0 exception: a pending async tag fault (TFSRE0_EL1.TF0) becomes TIF_MTE_ASYNC_FAULT. */
  private kernelEntry(): void {
    if (this.cpu.tfsre0 & 1) {
      this.cpu.tfsre0 &= ~1;
      this.asyncPending = true;
      this.asyncFaultMismatches = this.mismatches;
      this.mismatches = [];
    }
  }

  /**
   * Return to user: the async tag fault is sent, then pending signals are delivered. The exception
   * return clears the local exclusive monitor, so a store exclusive after any kernel entry (system
   * call, fault, timer tick) fails, as on hardware.
   */
  private kernelExit(): void {
    this.cpu.exclusiveAddr = -1;
    if (this.exited) return;
    if (this.asyncPending) {
      this.asyncPending = false;
      this.sendSignal({ signo: C.SIGSEGV, code: C.SEGV_MTEAERR, addr: 0n, mismatches: this.asyncFaultMismatches });
      this.asyncFaultMismatches = [];
    }
    this.deliverSignals();
  }

  // ---- faults ----------------------------------------------------------------------------------

  private onFault(f: GuestFault): void {
    const c = this.cpu;
    this.kernelEntry();
    const a = untag(f.va);
    const rec = (kind: FaultRecord['kind']): FaultRecord => ({
      kind, pc: c.pc, va: f.va, write: f.write, exec: f.exec, size: f.size, logicalTag: f.logicalTag,
      allocationTag: f.allocationTag, word: this.peekWord(c.pc), detail: f.detail || undefined,
    });
    const ec = f.exec ? ESR.EC_IABT_LOW : ESR.EC_DABT_LOW;
    const wnr = f.write ? ESR.WNR : 0;
    let info: SigInfo;
    switch (f.kind) {
      case 'translation': {
        if (a < C.TASK_SIZE) {
          let r;
          try { r = this.mm.fault(a, f.write, f.exec, c.pc); } catch (e) {
            if (e instanceof OutOfFramesError) { this.die({ signo: C.SIGKILL, code: C.SI_KERNEL }, false); return; }
            throw e;
          }
          if (r === 'ok') { this.kernelExit(); return; }
          const fr = rec('translation');
          this.setThreadFault(a, esrValue(ec, wnr | (r === 'maperr' ? ESR.DFSC_TRANSLATION_L3 : ESR.DFSC_PERMISSION_L3)));
          info = { signo: C.SIGSEGV, code: r === 'maperr' ? C.SEGV_MAPERR : C.SEGV_ACCERR, addr: f.va, forced: true, fault: fr };
        } else {
          this.setThreadFault(0n, esrValue(ec, wnr | 0x04));
          info = { signo: C.SIGSEGV, code: C.SEGV_MAPERR, addr: f.va, forced: true, fault: rec('translation') };
        }
        break;
      }
      case 'permission':
        this.setThreadFault(a, esrValue(ec, wnr | ESR.DFSC_PERMISSION_L3));
        info = { signo: C.SIGSEGV, code: C.SEGV_ACCERR, addr: f.va, forced: true, fault: rec('permission') };
        break;
      case 'alignment':
        if (f.exec) {
          this.faultAddress = 0n; this.faultCode = esrValue(ESR.EC_PC_ALIGN, 0);
          info = { signo: C.SIGBUS, code: C.BUS_ADRALN, addr: f.va, forced: true, fault: rec('pc-alignment') };
        } else {
          this.setThreadFault(a, esrValue(ec, wnr | ESR.DFSC_ALIGNMENT));
          info = { signo: C.SIGBUS, code: C.BUS_ADRALN, addr: f.va, forced: true, fault: rec('alignment') };
        }
        break;
      case 'tagcheck': {
        // FAR[63:60] are UNKNOWN for tag check faults: Linux copies them from the untagged address.
        const far = BigInt(a) | (f.va & (0xfn << 56n));
        this.setThreadFault(a, esrValue(ec, wnr | ESR.DFSC_TAG_CHECK));
        info = { signo: C.SIGSEGV, code: C.SEGV_MTESERR, addr: far, forced: true, fault: rec('tagcheck') };
        break;
      }
      case 'external':
        this.faultAddress = 0n; this.faultCode = esrValue(ec, wnr | ESR.DFSC_SEA);
        info = { signo: C.SIGBUS, code: C.BUS_OBJERR, addr: f.va, forced: true, fault: rec('external') };
        break;
    }
    this.lastFault = info.fault!;
    this.emit('fault', info.fault!);
    this.sendSignal(info);
    this.kernelExit();
  }

  private setThreadFault(addr: number | bigint, esr: number): void {
    this.faultAddress = BigInt(addr);
    this.faultCode = esr;
  }

  private onUndefined(word: number): void {
    const c = this.cpu;
    this.kernelEntry();
    const fr: FaultRecord = { kind: 'undefined', pc: c.pc, va: BigInt(c.pc), write: false, exec: false, size: 4, logicalTag: 0, allocationTag: 0, word };
    this.faultAddress = 0n;
    this.faultCode = esrValue(ESR.EC_UNKNOWN, 0);
    this.lastFault = fr;
    this.emit('fault', fr);
    this.sendSignal({ signo: C.SIGILL, code: C.ILL_ILLOPC, addr: BigInt(c.pc), forced: true, fault: fr });
    this.kernelExit();
  }

  private onTrap(t: CpuTrap): void {
    const c = this.cpu;
    this.kernelEntry();
    const word = this.peekWord(c.pc);
    // BRK (0xd4200000 | imm16 << 5): SIGTRAP/TRAP_BRKPT at the BRK; anything else trapped at EL0 is SIGILL.
    const isBrk = word !== undefined && (word & 0xffe0001f) === 0xd4200000;
    if (isBrk || /^brk/i.test(t.detail)) {
      const fr: FaultRecord = { kind: 'breakpoint', pc: c.pc, va: BigInt(c.pc), write: false, exec: false, size: 4, logicalTag: 0, allocationTag: 0, word, detail: t.detail };
      this.lastFault = fr;
      this.emit('fault', fr);
      this.sendSignal({ signo: C.SIGTRAP, code: C.TRAP_BRKPT, addr: BigInt(c.pc), forced: true, fault: fr });
    } else {
      const fr: FaultRecord = { kind: 'trap', pc: c.pc, va: BigInt(c.pc), write: false, exec: false, size: 4, logicalTag: 0, allocationTag: 0, word, detail: t.detail };
      this.faultAddress = 0n;
      this.faultCode = esrValue(ESR.EC_UNKNOWN, 0);
      this.lastFault = fr;
      this.emit('fault', fr);
      this.sendSignal({ signo: C.SIGILL, code: C.ILL_ILLOPC, addr: BigInt(c.pc), forced: true, fault: fr });
    }
    this.kernelExit();
  }

  // ---- signals ---------------------------------------------------------------------------------

  private defaultAction(sig: number): 'ignore' | 'terminate' | 'core' | 'stop' {
    switch (sig) {
      case C.SIGCHLD: case C.SIGURG: case C.SIGWINCH: case C.SIGCONT: return 'ignore';
      case C.SIGSTOP: case C.SIGTSTP: case C.SIGTTIN: case C.SIGTTOU: return 'stop';
      case C.SIGQUIT: case C.SIGILL: case C.SIGTRAP: case C.SIGABRT: case C.SIGBUS: case C.SIGFPE:
      case C.SIGSEGV: case C.SIGXCPU: case C.SIGXFSZ: case C.SIGSYS: return 'core';
      default: return 'terminate';
    }
  }

  private isIgnored(sig: number): boolean {
    const h = this.actions[sig].handler;
    return h === C.SIG_IGN || (h === C.SIG_DFL && this.defaultAction(sig) === 'ignore');
  }

  /** Queues a signal for this process (send_signal / force_sig_info). */
  sendSignal(info: SigInfo): void {
    const sig = info.signo;
    if (sig === C.SIGKILL) { this.die(info, false); return; }
    const act = this.actions[sig];
    if (info.forced) {
      const blocked = (this.blocked & bit(sig)) !== 0n;
      if (blocked || act.handler === C.SIG_IGN) {
        act.handler = C.SIG_DFL;
        if (blocked) this.blocked &= ~bit(sig);
      }
    }
    // Ignored signals are dropped unless blocked (the handler may change before they are unblocked).
    if ((this.blocked & bit(sig)) === 0n && this.isIgnored(sig)) return;
    if (sig < 32 && this.pending.some(p => p.signo === sig)) return;
    this.pending.push(info);
  }

  /** Pending signals (sigpending). */
  get pendingMask(): bigint {
    let m = 0n;
    for (const p of this.pending) m |= bit(p.signo);
    return m;
  }

  private nextSignal(): SigInfo | undefined {
    const ok = (p: SigInfo) => (this.blocked & bit(p.signo)) === 0n;
    let best = -1;
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i];
      if (!ok(p)) continue;
      if (best < 0) { best = i; continue; }
      const b = this.pending[best];
      const ps = SYNCHRONOUS.includes(p.signo), bs = SYNCHRONOUS.includes(b.signo);
      if ((ps && !bs) || (ps === bs && p.signo < b.signo)) best = i;
    }
    return best < 0 ? undefined : this.pending.splice(best, 1)[0];
  }

  /**
   * do_signal, repeated while something is deliverable (handlers nest like in Linux). `resumed` is a
   * signal the tracer held (see `signalTracer`): it is delivered first, without asking again.
   */
  private deliverSignals(resumed?: SigInfo): void {
    for (let guard = 0; guard < 128 && !this.exited; guard++) {
      const info = resumed ?? this.nextSignal();
      if (!info) break;
      const sig = info.signo;
      const act = this.actions[sig];
      const pc = this.cpu.pc;
      if (resumed) resumed = undefined;
      else if (this.signalTracer) {
        const action: SignalEvent['action'] = act.handler === C.SIG_IGN ? 'ignored'
          : act.handler === C.SIG_DFL ? ({ ignore: 'ignored', stop: 'stop', terminate: 'terminate', core: 'core' } as const)[this.defaultAction(sig)]
          : 'handler';
        if (this.signalTracer({ info, action, handler: action === 'handler' ? act.handler : undefined, pc })) {
          // Held: nothing else happens until the tracer resumes (TIF_RESTORE_SIGMASK stays set too).
          this.held = info;
          return;
        }
      }
      if (act.handler === C.SIG_IGN) { this.emit('signal', { signo: sig, code: info.code, addr: info.addr, pc, action: 'ignored', info }); continue; }
      if (act.handler === C.SIG_DFL) {
        const d = this.defaultAction(sig);
        if (d === 'ignore' || d === 'stop') {
          this.emit('signal', { signo: sig, code: info.code, addr: info.addr, pc, action: d === 'stop' ? 'stop' : 'ignored', info });
          continue;
        }
        this.die(info, d === 'core');
        return;
      }
      // A handler: SA_RESETHAND resets before delivery; tag bits of si_addr are hidden unless exposed.
      const a = { ...act };
      if (act.flags & C.SA_RESETHAND) act.handler = C.SIG_DFL;
      const shown = { ...info };
      if (info.code > 0 && info.addr !== undefined && !(a.flags & C.SA_EXPOSE_TAGBITS) &&
        [C.SIGSEGV, C.SIGBUS, C.SIGILL, C.SIGTRAP, C.SIGFPE].includes(sig) && !(sig === C.SIGTRAP && info.code === C.TRAP_BRKPT)) {
        shown.addr = BigInt(untagU(info.addr));
      }
      if (!this.setupFrame(shown, a)) {
        // force_sigsegv: the handler could not be entered.
        if (sig === C.SIGSEGV) this.actions[C.SIGSEGV].handler = C.SIG_DFL;
        this.sendSignal({ signo: C.SIGSEGV, code: C.SI_KERNEL, forced: true });
        continue;
      }
      this.emit('signal', { signo: sig, code: info.code, addr: shown.addr, pc, action: 'handler', handler: a.handler, info: shown });
      let add = a.mask;
      if (!(a.flags & C.SA_NODEFER)) add |= bit(sig);
      this.blocked = (this.blocked | add) & ~UNBLOCKABLE;
    }
    if (this.savedSigmask !== null) { this.blocked = this.savedSigmask; this.savedSigmask = null; }
  }

  /** Writes the rt_sigframe and points the CPU at the handler. False when the frame cannot be written. */
  private setupFrame(info: SigInfo, act: SigAction): boolean {
    const c = this.cpu;
    const sp0 = c.x[SP];
    let spTop = sp0;
    if ((act.flags & C.SA_ONSTACK) && this.sasFlags(sp0) === 0) spTop = (this.altstack.sp + this.altstack.size) & U64;
    const nextFrame = (spTop - BigInt(FRAME_RECORD_SIZE)) & ~15n;
    const frame = (nextFrame & ~15n) - BigInt(FRAME.size);
    if (frame < 0n || spTop > BigInt(C.TASK_SIZE)) return false;
    const buf = new Uint8Array(FRAME.size);
    const dv = new DataView(buf.buffer);
    // siginfo
    dv.setInt32(SI.signo, info.signo, true);
    dv.setInt32(SI.errno, info.errno ?? 0, true);
    dv.setInt32(SI.code, info.code, true);
    if (info.code <= 0) { dv.setInt32(SI.pid, info.pid ?? 0, true); dv.setUint32(SI.uid, info.uid ?? 0, true); }
    else if (info.addr !== undefined) dv.setBigUint64(SI.addr, info.addr, true);
    // ucontext
    const uc = FRAME.uc;
    dv.setBigUint64(uc + UC.flags, 0n, true);
    dv.setBigUint64(uc + UC.link, 0n, true);
    dv.setBigUint64(uc + UC.stackSp, this.altstack.sp, true);
    dv.setInt32(uc + UC.stackFlags, this.sasFlags(sp0), true);
    dv.setBigUint64(uc + UC.stackSize, this.altstack.size, true);
    if (this.altstack.flags & C.SS_AUTODISARM) this.altstack = { sp: 0n, size: 0n, flags: C.SS_DISABLE };
    dv.setBigUint64(uc + UC.sigmask, this.savedSigmask ?? this.blocked, true);
    const mc = F.mcontext;
    dv.setBigUint64(mc + SC.faultAddress, this.faultAddress, true);
    for (let i = 0; i < 31; i++) dv.setBigUint64(mc + SC.regs + i * 8, c.x[i], true);
    dv.setBigUint64(mc + SC.sp, sp0, true);
    dv.setBigUint64(mc + SC.pc, BigInt(c.pc), true);
    dv.setBigUint64(mc + SC.pstate, BigInt(this.pstate()), true);
    let r = F.reserved;
    dv.setUint32(r, FPSIMD_MAGIC, true);
    dv.setUint32(r + 4, FPSIMD_SIZE, true);
    dv.setUint32(r + 8, c.fpsr >>> 0, true);
    dv.setUint32(r + 12, c.fpcr >>> 0, true);
    for (let i = 0; i < 64; i++) dv.setBigUint64(r + 16 + i * 8, c.v[i], true);
    r += FPSIMD_SIZE;
    if (this.faultCode !== 0) {
      dv.setUint32(r, ESR_MAGIC, true);
      dv.setUint32(r + 4, ESR_SIZE, true);
      dv.setBigUint64(r + 8, BigInt(this.faultCode), true);
      r += ESR_SIZE;
    }
    // The terminator (magic 0, size 0) is already zero.
    const rec = new Uint8Array(16);
    const rdv = new DataView(rec.buffer);
    rdv.setBigUint64(0, c.x[29], true);
    rdv.setBigUint64(8, c.x[30], true);
    if (!this.copyOutRaw(Number(frame), buf) || !this.copyOutRaw(Number(nextFrame), rec)) return false;
    // setup_return
    c.x[0] = BigInt(info.signo);
    if (act.flags & C.SA_SIGINFO) {
      c.x[1] = frame + BigInt(FRAME.info);
      c.x[2] = frame + BigInt(FRAME.uc);
    }
    c.x[SP] = frame;
    c.x[29] = nextFrame;
    c.x[30] = (act.flags & C.SA_RESTORER) ? act.restorer : BigInt(this.sigtramp);
    c.pc = pcOf(act.handler);
    c.tco = 0;
    this.savedSigmask = null;
    return true;
  }

  /** PSTATE as saved in sigcontext: NZCV and TCO; EL0t. */
  pstate(): number {
    const c = this.cpu;
    return (c.nzcv | (c.tco ? PSR_TCO : 0)) >>> 0;
  }

  private sasFlags(sp: bigint): number {
    if (this.altstack.size === 0n) return C.SS_DISABLE;
    if (this.altstack.flags & C.SS_AUTODISARM) return 0;
    return sp > this.altstack.sp && sp - this.altstack.sp <= this.altstack.size ? C.SS_ONSTACK : 0;
  }

  private sysRtSigreturn(): bigint {
    const c = this.cpu;
    const sp = c.x[SP];
    const bad = (): bigint => {
      // arm64_notify_segfault(sp)
      const a = untag(sp);
      const v = a < C.TASK_SIZE ? this.mm.find(a) : undefined;
      this.sendSignal({ signo: C.SIGSEGV, code: v ? C.SEGV_ACCERR : C.SEGV_MAPERR, addr: sp, forced: true });
      return c.x[0];
    };
    if (sp & 15n) return bad();
    const buf = this.copyIn(sp, FRAME.size, false);
    if (!buf) return bad();
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const uc = FRAME.uc, mc = F.mcontext;
    this.blocked = dv.getBigUint64(uc + UC.sigmask, true) & ~UNBLOCKABLE;
    const pstate = dv.getBigUint64(mc + SC.pstate, true);
    for (let i = 0; i < 31; i++) c.x[i] = dv.getBigUint64(mc + SC.regs + i * 8, true);
    c.x[SP] = dv.getBigUint64(mc + SC.sp, true);
    c.pc = pcOf(dv.getBigUint64(mc + SC.pc, true));
    const ps = Number(pstate & 0xffff_ffffn);
    c.nzcv = ps & 0xf000_0000;
    c.tco = (ps & PSR_TCO) ? 1 : 0;
    if ((ps & (PSR_MODE_MASK | PSR_DAIF_MASK)) !== 0 || (pstate >> 32n) !== 0n) { c.tco = 0; return bad(); }
    // The context records: exactly one fpsimd_context, optional esr_context, then the terminator.
    let off = F.reserved;
    const limit = F.reserved + SC.reservedSize;
    let fp = -1;
    for (;;) {
      if (limit - off < 8 || (off - F.reserved) % 16 !== 0) return bad();
      const magic = dv.getUint32(off, true), size = dv.getUint32(off + 4, true);
      if (magic === 0) { if (size !== 0) return bad(); break; }
      if (magic === FPSIMD_MAGIC) { if (fp >= 0 || size !== FPSIMD_SIZE) return bad(); fp = off; }
      else if (magic !== ESR_MAGIC) return bad();
      if (size < 8 || limit - off < size) return bad();
      off += size;
    }
    if (fp < 0) return bad();
    c.fpsr = dv.getUint32(fp + 8, true);
    c.fpcr = dv.getUint32(fp + 12, true);
    for (let i = 0; i < 64; i++) c.v[i] = dv.getBigUint64(fp + 16 + i * 8, true);
    // restore_altstack (errors other than EFAULT are ignored)
    this.doSigaltstack(dv.getBigUint64(uc + UC.stackSp, true), dv.getInt32(uc + UC.stackFlags, true) >>> 0, dv.getBigUint64(uc + UC.stackSize, true), c.x[SP]);
    return c.x[0];
  }

  private die(info: SigInfo, core: boolean): void {
    if (this.exited) return;
    const c = this.cpu;
    const regs: bigint[] = [];
    for (let i = 0; i < 31; i++) regs.push(c.x[i]);
    regs.push(c.x[SP], BigInt(c.pc), BigInt(this.pstate()));
    this.emit('signal', { signo: info.signo, code: info.code, addr: info.addr, pc: c.pc, action: core ? 'core' : 'terminate', info });
    this.exited = { code: null, signal: info.signo, core, info, regs };
    this.emit('exit', this.exited);
  }

  private exitWith(code: number): void {
    if (this.exited) return;
    this.exited = { code: code & 0xff, signal: null, core: false };
    this.emit('exit', this.exited);
  }

  // ---- user memory (uaccess) -------------------------------------------------------------------

  /**
   * access_ok: the untagged address of a user pointer, or -1. With the tagged-address ABI off, a
   * pointer with a non-zero top byte is not a user address (-EFAULT).
   */
  userAddr(va: bigint, len: number): number {
    let a = va & U64;
    if (this.taggedAddr) {
      if (a & (1n << 55n)) return -1;
      a &= (1n << 56n) - 1n;
    }
    if (a >= BigInt(C.TASK_SIZE)) return -1;
    const n = Number(a);
    if (len < 0 || n + len > C.TASK_SIZE) return -1;
    return n;
  }

  /** Whether kernel accesses to user memory are tag-checked now (sync, or reads under asymmetric). */
  private uaccessChecked(write: boolean): boolean {
    const t = this.cpu.tcf0;
    return t === 1 || (t === 3 && !write);
  }

  /** Tag-checks [va, va+len) as the kernel's user accessors would; false on a mismatch. */
  private uaccessTags(va: bigint, a: number, len: number, write: boolean): boolean {
    if (len === 0 || !this.uaccessChecked(write) || (va >> 56n) === 0n && !this.anyTagged(a, len)) return true;
    const c = this.cpu;
    const saveTco = c.tco;
    c.tco = 0;
    try {
      let k = 0;
      while (k < len) {
        const n = Math.min(len - k, PAGE_SIZE - ((a + k) % PAGE_SIZE));
        this.mmu.probe(va + BigInt(k), n, write, true);
        k += n;
      }
      return true;
    } catch (e) {
      if (e instanceof GuestFault) return false;
      throw e;
    } finally { c.tco = saveTco; }
  }

  private anyTagged(a: number, len: number): boolean {
    for (let vpn = Math.floor(a / PAGE_SIZE); vpn * PAGE_SIZE < a + len; vpn++) if (this.space.get(vpn)?.tagged) return true;
    return false;
  }

  /** copy_from_user: null on -EFAULT. */
  copyIn(va: bigint, len: number, checked = true): Uint8Array | null {
    const a = this.userAddr(va, len);
    if (a < 0) return null;
    if (len === 0) return new Uint8Array(0);
    if (!this.mm.ensure(a, a + len, false)) return null;
    if (checked && !this.uaccessTags(va, a, len, false)) return null;
    try { return this.mmu.readBytes(BigInt(a), len, false); } catch (e) { if (e instanceof GuestFault) return null; throw e; }
  }

  /** copy_to_user: false on -EFAULT. */
  copyOut(va: bigint, bytes: Uint8Array, checked = true): boolean {
    const a = this.userAddr(va, bytes.length);
    if (a < 0) return false;
    if (bytes.length === 0) return true;
    if (!this.mm.ensure(a, a + bytes.length, true)) return false;
    if (checked && !this.uaccessTags(va, a, bytes.length, true)) return false;
    try { this.mmu.writeBytes(BigInt(a), bytes, false); return true; } catch (e) { if (e instanceof GuestFault) return false; throw e; }
  }

  /** A kernel write to an untagged address that never tag-checks (initial stack, signal frames). */
  private copyOutRaw(a: number, bytes: Uint8Array): boolean {
    if (a < 0 || a + bytes.length > C.TASK_SIZE) return false;
    if (!this.mm.ensure(a, a + bytes.length, true)) return false;
    try { this.mmu.writeBytes(BigInt(a), bytes, false); return true; } catch (e) { if (e instanceof GuestFault) return false; throw e; }
  }

  private readU64(va: bigint): bigint | null {
    const b = this.copyIn(va, 8);
    return b ? new DataView(b.buffer, b.byteOffset).getBigUint64(0, true) : null;
  }

  private writeU64s(va: bigint, vals: (bigint | number)[]): boolean {
    const b = new Uint8Array(vals.length * 8);
    const dv = new DataView(b.buffer);
    vals.forEach((v, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(v)), true));
    return this.copyOut(va, b);
  }

  /** strncpy_from_user for paths: the string, or an errno. */
  private readPath(va: bigint, max = 4096): string | number {
    const a = this.userAddr(va, 1);
    if (a < 0) return C.EFAULT;
    const out: number[] = [];
    for (let k = 0; k < max; k++) {
      if ((a + k) % PAGE_SIZE === 0 || k === 0) {
        if (!this.mm.ensure(a + k, a + k + 1, false)) return C.EFAULT;
      }
      let b: number;
      try { b = this.mmu.read8(BigInt(a + k), false); } catch (e) { if (e instanceof GuestFault) return C.EFAULT; throw e; }
      if (b === 0) return new TextDecoder().decode(new Uint8Array(out));
      out.push(b);
    }
    return C.ENAMETOOLONG;
  }

  // ---- inspection without side effects (debugger, reports) -------------------------------------

  /** Reads guest memory without faulting pages in; undefined where nothing is mapped. */
  peekBytes(va: bigint, len: number): Uint8Array | undefined {
    const out = new Uint8Array(len);
    const a = untag(va);
    for (let k = 0; k < len;) {
      if (a + k >= C.TASK_SIZE) return undefined;
      const vpn = Math.floor((a + k) / PAGE_SIZE), off = (a + k) % PAGE_SIZE;
      const n = Math.min(len - k, PAGE_SIZE - off);
      const e = this.space.get(vpn);
      if (e) {
        let p;
        try { p = this.phys.resolve(e.gpn, false, this.cpu.pc).page; } catch (err) { if (err instanceof PhysAccessError) return undefined; throw err; }
        out.set(p.data.subarray(off, off + n), k);
      } else {
        const v = this.mm.find(vpn * PAGE_SIZE);
        if (!v) return undefined;
        if (v.file) {
          const base = vpn * PAGE_SIZE - v.start + off;
          for (let i = 0; i < n; i++) {
            const o = base + i;
            out[k + i] = o < v.file.limit && v.file.offset + o < v.file.data.length ? v.file.data[v.file.offset + o] : 0;
          }
        }
      }
      k += n;
    }
    return out;
  }

  peekWord(pc: number): number | undefined {
    const b = this.peekBytes(BigInt(pc), 4);
    return b ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : undefined;
  }

  /**
   * The allocation tag of the granule at va as ptrace(PTRACE_PEEKMTETAGS) would read it: -1 when the
   * address is not in a PROT_MTE mapping.
   */
  peekTag(va: bigint): number {
    const a = untag(va);
    if (a >= C.TASK_SIZE) return -1;
    const v = this.mm.find(a);
    if (!v || !v.mte) return -1;
    const e = this.space.get(Math.floor(a / PAGE_SIZE));
    if (!e) return 0;
    try {
      return this.phys.resolve(e.gpn, false, this.cpu.pc).page.getTag((a % PAGE_SIZE) >> 4);
    } catch (err) {
      if (err instanceof PhysAccessError) return -1;
      throw err;
    }
  }

  /** prctl(PR_GET_TAGGED_ADDR_CTRL) value. */
  get taggedAddrCtrl(): number {
    let r = this.taggedAddr ? C.PR_TAGGED_ADDR_ENABLE : 0;
    if (this.mte) {
      r |= this.mteCtrl.include << C.PR_MTE_TAG_SHIFT;
      if (this.mteCtrl.async) r |= C.PR_MTE_TCF_ASYNC;
      if (this.mteCtrl.sync) r |= C.PR_MTE_TCF_SYNC;
    }
    return r;
  }

  /** The signal handler table entry (for the debugger). */
  sigaction(sig: number): Readonly<SigAction> { return this.actions[sig]; }

  // ---- system calls ----------------------------------------------------------------------------

  /** Handles the SVC the CPU stopped at. Returns a syscall name when the guest blocks forever. */
  private syscall(): string | undefined {
    const c = this.cpu;
    this.kernelEntry();
    const nr = Number(c.x[8] & 0xffff_ffffn);
    const args = [c.x[0], c.x[1], c.x[2], c.x[3], c.x[4], c.x[5]];
    const pc = c.pc - 4;
    let result: bigint | 'blocked' | 'noreturn';
    // Linux ignores the SVC immediate.
    try {
      result = this.dispatch(nr, args);
    } catch (e) {
      if (e instanceof OutOfFramesError) { this.die({ signo: C.SIGKILL, code: C.SI_KERNEL }, false); return undefined; }
      throw e;
    }
    if (result === 'blocked') {
      c.pc = pc;
      return syscallName(nr);
    }
    if (result !== 'noreturn') c.x[0] = result & U64;
    if (this.has('syscall')) this.emit('syscall', { nr, name: syscallName(nr), args, result: result === 'noreturn' ? c.x[0] : result & U64, pc });
    this.kernelExit();
    return undefined;
  }

  /** The number of virtual nanoseconds since boot. */
  monotonicNs(): bigint { return BigInt(this.cpu.steps) * BigInt(this.nsPerInsn) + this.sleepNs; }

  private dispatch(nr: number, a: bigint[]): bigint | 'blocked' | 'noreturn' {
    const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
    switch (nr) {
      case 63: return this.sysRead(i32(a[0]), a[1], a[2]);
      case 64: return this.sysWrite(i32(a[0]), a[1], a[2]);
      case 65: return this.sysReadv(i32(a[0]), a[1], a[2], false);
      case 66: return this.sysReadv(i32(a[0]), a[1], a[2], true);
      case 67: return this.sysPread(i32(a[0]), a[1], a[2], a[3]);
      case 56: return this.sysOpenat(i32(a[0]), a[1], Number(a[2] & 0xffff_ffffn));
      case 57: return this.sysClose(i32(a[0]));
      case 23: return this.sysDup(i32(a[0]), -1, 0);
      case 24: return this.sysDup(i32(a[0]), i32(a[1]), Number(a[2] & 0xffff_ffffn));
      case 25: return this.sysFcntl(i32(a[0]), i32(a[1]), a[2]);
      case 29: return this.sysIoctl(i32(a[0]), Number(a[1] & 0xffff_ffffn), a[2]);
      case 62: return this.sysLseek(i32(a[0]), toSigned(a[1]), i32(a[2]));
      case 80: return this.sysFstat(i32(a[0]), a[1]);
      case 79: return this.sysNewfstatat(i32(a[0]), a[1], a[2], i32(a[3]));
      case 48: case 439: return this.sysFaccessat(i32(a[0]), a[1], i32(a[2]));
      case 61: return this.sysGetdents(i32(a[0]), a[1], a[2]);
      case 78: return this.sysReadlinkat(i32(a[0]), a[1], a[2], a[3]);
      case 17: return this.sysGetcwd(a[0], a[1]);
      case 49: return this.sysChdir(a[0]);
      case 93: this.exitWith(Number(a[0] & 0xffn)); return 'noreturn';
      case 94: this.exitWith(Number(a[0] & 0xffn)); return 'noreturn';
      case 172: return BigInt(this.pid);
      case 178: return BigInt(this.pid);
      case 173: return 1n;
      case 174: case 175: return BigInt(this.uid);
      case 176: case 177: return BigInt(this.gid);
      case 148: case 150: {
        const id = nr === 148 ? this.uid : this.gid;
        for (const p of [a[0], a[1], a[2]]) {
          const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, id, true);
          if (!this.copyOut(p, b)) return neg(C.EFAULT);
        }
        return 0n;
      }
      case 154: case 155: case 156: return nr === 154 ? 0n : BigInt(this.pid);
      case 96: this.clearChildTid = a[0]; return BigInt(this.pid);
      case 99: return a[1] === 24n ? 0n : neg(C.EINVAL);
      case 100: return neg(C.ENOSYS);
      case 293: return neg(C.ENOSYS);
      case 261: return this.sysPrlimit(i32(a[0]), i32(a[1]), a[2], a[3]);
      case 163: return this.sysPrlimit(0, i32(a[0]), 0n, a[1]);
      case 278: return this.sysGetrandom(a[0], a[1], Number(a[2] & 0xffff_ffffn));
      case 160: return this.sysUname(a[0]);
      case 113: return this.sysClockGettime(i32(a[0]), a[1]);
      case 114: return this.sysClockGetres(i32(a[0]), a[1]);
      case 169: return this.sysGettimeofday(a[0], a[1]);
      case 101: return this.sysNanosleep(a[0], a[1], 0, false);
      case 115: return this.sysNanosleep(a[2], a[3], i32(a[0]), (Number(a[1]) & 1) === 1);
      case 214: return this.sysBrk(a[0]);
      case 222: return this.sysMmap(a[0], a[1], Number(a[2] & 0xffff_ffffn), Number(a[3] & 0xffff_ffffn), i32(a[4]), a[5]);
      case 215: return this.sysMunmap(a[0], a[1]);
      case 226: return this.sysMprotect(a[0], a[1], Number(a[2] & 0xffff_ffffn) | (a[2] > 0xffff_ffffn ? 0x4000_0000 : 0));
      case 216: return this.sysMremap(a[0], a[1], a[2], Number(a[3] & 0xffff_ffffn), a[4]);
      case 233: return this.sysMadvise(a[0], a[1], i32(a[2]));
      case 232: return this.sysMincore(a[0], a[1], a[2]);
      case 228: case 229: case 230: case 231: case 227: return 0n;
      case 167: return this.sysPrctl(i32(a[0]), a[1], a[2], a[3], a[4]);
      case 134: return this.sysRtSigaction(i32(a[0]), a[1], a[2], a[3]);
      case 135: return this.sysRtSigprocmask(i32(a[0]), a[1], a[2], a[3]);
      case 136: return this.sysRtSigpending(a[0], a[1]);
      case 133: return this.sysRtSigsuspend(a[0], a[1]);
      case 139: return this.sysRtSigreturn();
      case 132: return this.sysSigaltstack(a[0], a[1]);
      case 129: return this.sysKill(i32(a[0]), i32(a[1]), C.SI_USER);
      case 130: return this.sysTgkill(this.pid, i32(a[0]), i32(a[1]), false);
      case 131: return this.sysTgkill(i32(a[0]), i32(a[1]), i32(a[2]), true);
      case 98: return this.sysFutex(a[0], Number(a[1] & 0xffff_ffffn), a[2], a[3]);
      case 122: return 0n;
      case 123: return this.sysSchedGetaffinity(i32(a[0]), a[1], a[2]);
      case 124: return 0n;
      case 168: return this.sysGetcpu(a[0], a[1]);
      case 166: return 0o022n;
      case 179: return this.sysSysinfo(a[0]);
      case 165: return this.sysGetrusage(i32(a[0]), a[1]);
      case 153: return this.sysTimes(a[0]);
      case 82: case 83: case 81: return 0n;
      case 283: return neg(C.ENOSYS);
      default: {
        const name = syscallName(nr);
        this.emit('unsupportedSyscall', { nr, name, args: a, pc: this.cpu.pc - 4 });
        return neg(C.ENOSYS);
      }
    }
  }

  // -- files --

  private fd(n: number): FdEntry | undefined { return this.fds.get(n); }

  private readFrom(f: OpenFile, len: number, at?: number): Uint8Array | number {
    switch (f.kind) {
      case 'stdin': {
        if (!this.opts.stdin) return new Uint8Array(0);
        return this.opts.stdin(len) ?? new Uint8Array(0);
      }
      case 'stdout': case 'stderr':
        // Reading a write-only descriptor.
        return C.EBADF;
      case 'null': return new Uint8Array(0);
      case 'zero': return new Uint8Array(len);
      case 'random': return this.rng.bytes(len);
      case 'dir': return C.EISDIR;
      case 'file': case 'generated': {
        const d = f.data!;
        const pos = at ?? f.pos;
        const out = d.subarray(Math.min(pos, d.length), Math.min(pos + len, d.length));
        if (at === undefined) f.pos = pos + out.length;
        return out;
      }
    }
  }

  private sysRead(fd: number, buf: bigint, count: bigint): bigint {
    const e = this.fd(fd);
    if (!e || (e.file.flags & C.O_ACCMODE) === C.O_WRONLY) return neg(C.EBADF);
    const len = Number(count > 0x7fff_f000n ? 0x7fff_f000n : count);
    if (this.userAddr(buf, len) < 0) return neg(C.EFAULT);
    const data = this.readFrom(e.file, len);
    if (typeof data === 'number') return neg(data);
    if (!this.copyOut(buf, data)) return neg(C.EFAULT);
    return BigInt(data.length);
  }

  private sysPread(fd: number, buf: bigint, count: bigint, off: bigint): bigint {
    const e = this.fd(fd);
    if (!e || (e.file.flags & C.O_ACCMODE) === C.O_WRONLY) return neg(C.EBADF);
    if (e.file.kind !== 'file' && e.file.kind !== 'generated') return neg(C.ESPIPE);
    if (toSigned(off) < 0n) return neg(C.EINVAL);
    const len = Number(count > 0x7fff_f000n ? 0x7fff_f000n : count);
    const data = this.readFrom(e.file, len, Number(off));
    if (typeof data === 'number') return neg(data);
    if (!this.copyOut(buf, data)) return neg(C.EFAULT);
    return BigInt(data.length);
  }

  private writeTo(f: OpenFile, data: Uint8Array): bigint {
    switch (f.kind) {
      case 'stdout': this.emit('stdout', data); return BigInt(data.length);
      case 'stderr': this.emit('stderr', data); return BigInt(data.length);
      case 'null': case 'zero': case 'random': return BigInt(data.length);
      default: return neg(C.EBADF);
    }
  }

  private sysWrite(fd: number, buf: bigint, count: bigint): bigint {
    const e = this.fd(fd);
    if (!e || (e.file.flags & C.O_ACCMODE) === C.O_RDONLY) return neg(C.EBADF);
    const len = Number(count > 0x7fff_f000n ? 0x7fff_f000n : count);
    const data = this.copyIn(buf, len);
    if (!data) return neg(C.EFAULT);
    return this.writeTo(e.file, data.slice());
  }

  private sysReadv(fd: number, iov: bigint, cnt: bigint, write: boolean): bigint {
    const e = this.fd(fd);
    if (!e) return neg(C.EBADF);
    const acc = e.file.flags & C.O_ACCMODE;
    if (write ? acc === C.O_RDONLY : acc === C.O_WRONLY) return neg(C.EBADF);
    if (cnt > 1024n) return neg(C.EINVAL);
    const n = Number(cnt);
    const raw = this.copyIn(iov, n * 16);
    if (!raw) return neg(C.EFAULT);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const vecs: [bigint, number][] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const base = dv.getBigUint64(i * 16, true), len = dv.getBigUint64(i * 16 + 8, true);
      if (toSigned(len) < 0n) return neg(C.EINVAL);
      total += Number(len);
      if (total > 0x7fff_f000) return neg(C.EINVAL);
      vecs.push([base, Number(len)]);
    }
    if (write) {
      const parts: Uint8Array[] = [];
      for (const [b, l] of vecs) {
        const d = this.copyIn(b, l);
        if (!d) { if (parts.length === 0) return neg(C.EFAULT); break; }
        parts.push(d);
      }
      const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      return this.writeTo(e.file, all);
    }
    // One read of the total, scattered (what a pipe or file read does for readv).
    for (const [b, l] of vecs) if (l && this.userAddr(b, l) < 0) return neg(C.EFAULT);
    const d = this.readFrom(e.file, total);
    if (typeof d === 'number') return neg(d);
    let got = 0;
    for (const [b, l] of vecs) {
      if (got >= d.length) break;
      const part = d.subarray(got, Math.min(d.length, got + l));
      if (!this.copyOut(b, part)) return got ? BigInt(got) : neg(C.EFAULT);
      got += part.length;
    }
    return BigInt(got);
  }

  private allocFd(min = 0): number {
    let n = min;
    while (this.fds.has(n)) n++;
    return n;
  }

  /** The guest-visible absolute path for (dirfd, path). */
  private guestPath(dirfd: number, p: string): string | number {
    if (p.startsWith('/')) return resolvePath('/', p);
    if (dirfd === C.AT_FDCWD) return resolvePath(this.cwd, p);
    const e = this.fd(dirfd);
    if (!e) return C.EBADF;
    if (e.file.kind !== 'dir') return C.ENOTDIR;
    return resolvePath(e.file.path, p);
  }

  /** Opens a guest path (virtual files first, then the host view). */
  private openPath(path: string, flags: number): OpenFile | number {
    const acc = flags & C.O_ACCMODE;
    const dev = (kind: OpenFile['kind'], rdev: number, ino: number): OpenFile =>
      ({ kind, path, flags, pos: 0, stat: { ...syntheticStat(C.S_IFCHR | 0o666, 0, ino, rdev), dev: 5 } });
    switch (path) {
      case '/dev/null': return dev('null', (1 << 8) | 3, 4);
      case '/dev/zero': return dev('zero', (1 << 8) | 5, 5);
      case '/dev/urandom': return dev('random', (1 << 8) | 9, 9);
      case '/dev/random': return dev('random', (1 << 8) | 8, 8);
      case '/dev/stdin': case '/dev/stdout': case '/dev/stderr': {
        const e = this.fd(['/dev/stdin', '/dev/stdout', '/dev/stderr'].indexOf(path));
        return e ? { ...e.file, pos: 0 } : C.ENOENT;
      }
      case '/proc/self/exe': case `/proc/${this.pid}/exe`:
        if (acc !== C.O_RDONLY) return C.EACCES;
        return { kind: 'file', path, flags, pos: 0, data: this.elf.bytes, stat: syntheticStat(C.S_IFREG | 0o755, this.elf.bytes.length, 77) };
      case '/proc/self/maps': case `/proc/${this.pid}/maps`: {
        if (acc !== C.O_RDONLY) return C.EACCES;
        const data = enc.encode(this.mm.describe().join('\n') + '\n');
        return { kind: 'generated', path, flags, pos: 0, data, stat: syntheticStat(C.S_IFREG | 0o444, 0, 78) };
      }
    }
    if (!this.host) return C.ENOENT;
    const r = openHost(this.host as HostFs & { allowed?(p: string): boolean }, path, flags);
    return r.file ?? r.errno!;
  }

  private sysOpenat(dirfd: number, pathPtr: bigint, flags: number): bigint {
    const p = this.readPath(pathPtr);
    if (typeof p === 'number') return neg(p);
    if (p === '') return neg(C.ENOENT);
    const gp = this.guestPath(dirfd, p);
    if (typeof gp === 'number') return neg(gp);
    const f = this.openPath(gp, flags);
    if (typeof f === 'number') return neg(f);
    if ((flags & C.O_DIRECTORY) && f.kind !== 'dir') return neg(C.ENOTDIR);
    const fd = this.allocFd();
    this.fds.set(fd, { file: f, cloexec: (flags & C.O_CLOEXEC) !== 0 });
    return BigInt(fd);
  }

  private sysClose(fd: number): bigint {
    if (!this.fds.delete(fd)) return neg(C.EBADF);
    return 0n;
  }

  private sysDup(old: number, nu: number, flags: number): bigint {
    const e = this.fd(old);
    if (!e) return neg(C.EBADF);
    if (nu < 0) { const fd = this.allocFd(); this.fds.set(fd, { file: e.file, cloexec: false }); return BigInt(fd); }
    if (flags & ~C.O_CLOEXEC) return neg(C.EINVAL);
    if (old === nu) return neg(C.EINVAL);
    if (nu >= 1024) return neg(C.EBADF);
    this.fds.set(nu, { file: e.file, cloexec: (flags & C.O_CLOEXEC) !== 0 });
    return BigInt(nu);
  }

  private sysFcntl(fd: number, cmd: number, arg: bigint): bigint {
    const e = this.fd(fd);
    if (!e) return neg(C.EBADF);
    switch (cmd) {
      case C.F_DUPFD: case C.F_DUPFD_CLOEXEC: {
        const min = Number(arg & 0xffff_ffffn);
        if (min >= 1024) return neg(C.EINVAL);
        const n = this.allocFd(min);
        this.fds.set(n, { file: e.file, cloexec: cmd === C.F_DUPFD_CLOEXEC });
        return BigInt(n);
      }
      case C.F_GETFD: return e.cloexec ? 1n : 0n;
      case C.F_SETFD: e.cloexec = (arg & 1n) !== 0n; return 0n;
      case C.F_GETFL: return BigInt(e.file.flags | C.O_LARGEFILE);
      case C.F_SETFL: {
        const changeable = C.O_APPEND | C.O_NONBLOCK;
        e.file.flags = (e.file.flags & ~changeable) | (Number(arg & 0xffff_ffffn) & changeable);
        return 0n;
      }
      default: return neg(C.EINVAL);
    }
  }

  private sysIoctl(fd: number, req: number, arg: bigint): bigint {
    const e = this.fd(fd);
    if (!e) return neg(C.EBADF);
    const tty = e.file.stdio === 'tty';
    switch (req) {
      case C.TCGETS: {
        if (!tty) return neg(C.ENOTTY);
        // struct termios (36 bytes): a cooked terminal's defaults.
        const b = new Uint8Array(36);
        const dv = new DataView(b.buffer);
        dv.setUint32(0, 0o2400 | 0o400, true); // ICRNL | IXON... (iflag)
        dv.setUint32(4, 0o5, true);            // OPOST | ONLCR
        dv.setUint32(8, 0o277, true);          // B38400 | CS8 | CREAD
        dv.setUint32(12, 0o105073, true);      // ISIG | ICANON | ECHO... (lflag)
        const cc = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0];
        cc.forEach((v, i) => { b[17 + i] = v; });
        return this.copyOut(arg, b) ? 0n : neg(C.EFAULT);
      }
      case C.TIOCGWINSZ: {
        if (!tty) return neg(C.ENOTTY);
        const b = new Uint8Array(8);
        const dv = new DataView(b.buffer);
        dv.setUint16(0, 24, true); dv.setUint16(2, 80, true);
        return this.copyOut(arg, b) ? 0n : neg(C.EFAULT);
      }
      case C.TIOCGPGRP: {
        if (!tty) return neg(C.ENOTTY);
        const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, this.pid, true);
        return this.copyOut(arg, b) ? 0n : neg(C.EFAULT);
      }
      case C.FIONREAD: {
        const f = e.file;
        const n = f.data ? Math.max(0, f.data.length - f.pos) : 0;
        const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, n, true);
        return this.copyOut(arg, b) ? 0n : neg(C.EFAULT);
      }
      default:
        return neg(C.ENOTTY);
    }
  }

  private sysLseek(fd: number, off: bigint, whence: number): bigint {
    const e = this.fd(fd);
    if (!e) return neg(C.EBADF);
    const f = e.file;
    if (f.kind === 'null' || f.kind === 'zero' || f.kind === 'random') return 0n;
    if (f.kind === 'stdin' || f.kind === 'stdout' || f.kind === 'stderr') {
      if (f.stdio !== 'file') return neg(C.ESPIPE);
      return 0n;
    }
    const size = f.kind === 'dir' ? (f.entries?.length ?? 0) : f.data!.length;
    let base: bigint;
    switch (whence) {
      case C.SEEK_SET: base = 0n; break;
      case C.SEEK_CUR: base = BigInt(f.pos); break;
      case C.SEEK_END: base = BigInt(size); break;
      default: return neg(C.EINVAL);
    }
    const np = base + off;
    if (np < 0n) return neg(C.EINVAL);
    f.pos = Number(np);
    return np;
  }

  private writeStat(st: StatInfo, buf: bigint): bigint {
    const b = new Uint8Array(128);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(st.dev), true);
    dv.setBigUint64(8, BigInt(st.ino), true);
    dv.setUint32(16, st.mode, true);
    dv.setUint32(20, st.nlink, true);
    dv.setUint32(24, st.uid, true);
    dv.setUint32(28, st.gid, true);
    dv.setBigUint64(32, BigInt(st.rdev), true);
    dv.setBigInt64(48, BigInt(st.size), true);
    dv.setInt32(56, st.blksize, true);
    dv.setBigInt64(64, BigInt(st.blocks), true);
    const ts = (o: number, ns: bigint) => { dv.setBigInt64(o, ns / 1_000_000_000n, true); dv.setBigUint64(o + 8, ns % 1_000_000_000n, true); };
    ts(72, st.atimeNs); ts(88, st.mtimeNs); ts(104, st.ctimeNs);
    return this.copyOut(buf, b) ? 0n : neg(C.EFAULT);
  }

  private fileStat(f: OpenFile): StatInfo {
    if (f.kind === 'file' || f.kind === 'generated') return { ...f.stat, size: f.kind === 'generated' ? 0 : f.data!.length };
    return f.stat;
  }

  private sysFstat(fd: number, buf: bigint): bigint {
    const e = this.fd(fd);
    if (!e) return neg(C.EBADF);
    return this.writeStat(this.fileStat(e.file), buf);
  }

  private statPath(path: string, follow: boolean): StatInfo | number {
    const f = this.openPath(path, C.O_RDONLY);
    if (typeof f !== 'number') {
      if (!follow && this.host && f.kind !== 'null' && f.kind !== 'zero' && f.kind !== 'random' && !path.startsWith('/proc/')) {
        const l = this.host.lstat(path);
        if (l) return l;
      }
      return this.fileStat(f);
    }
    return f;
  }

  private sysNewfstatat(dirfd: number, pathPtr: bigint, buf: bigint, flags: number): bigint {
    if (flags & ~(C.AT_SYMLINK_NOFOLLOW | C.AT_NO_AUTOMOUNT | C.AT_EMPTY_PATH)) return neg(C.EINVAL);
    const p = this.readPath(pathPtr);
    if (typeof p === 'number') return neg(p);
    if (p === '') {
      if (!(flags & C.AT_EMPTY_PATH)) return neg(C.ENOENT);
      if (dirfd === C.AT_FDCWD) { const st = this.statPath(this.cwd, true); return typeof st === 'number' ? neg(st) : this.writeStat(st, buf); }
      return this.sysFstat(dirfd, buf);
    }
    const gp = this.guestPath(dirfd, p);
    if (typeof gp === 'number') return neg(gp);
    const st = this.statPath(gp, (flags & C.AT_SYMLINK_NOFOLLOW) === 0);
    return typeof st === 'number' ? neg(st) : this.writeStat(st, buf);
  }

  private sysFaccessat(dirfd: number, pathPtr: bigint, mode: number): bigint {
    if (mode & ~7) return neg(C.EINVAL);
    const p = this.readPath(pathPtr);
    if (typeof p === 'number') return neg(p);
    const gp = this.guestPath(dirfd, p);
    if (typeof gp === 'number') return neg(gp);
    const st = this.statPath(gp, true);
    if (typeof st === 'number') return neg(st);
    if (mode & 2) {
      const dev = gp === '/dev/null' || gp === '/dev/zero' || gp === '/dev/urandom' || gp === '/dev/random';
      if (!dev) return neg(C.EROFS);
    }
    if ((mode & 1) && (st.mode & 0o111) === 0) return neg(C.EACCES);
    return 0n;
  }

  private sysGetdents(fd: number, buf: bigint, count: bigint): bigint {
    const e = this.fd(fd);
    if (!e) return neg(C.EBADF);
    const f = e.file;
    if (f.kind !== 'dir') return neg(C.ENOTDIR);
    const all = [{ name: '.', type: 4, ino: f.stat.ino }, { name: '..', type: 4, ino: 1 }, ...(f.entries ?? [])];
    const max = Number(count > 0x10000000n ? 0x10000000n : count);
    const chunks: Uint8Array[] = [];
    let used = 0;
    while (f.pos < all.length) {
      const d = all[f.pos];
      const name = enc.encode(d.name);
      const reclen = (19 + name.length + 1 + 7) & ~7;
      if (used + reclen > max) { if (used === 0) return neg(C.EINVAL); break; }
      const rec = new Uint8Array(reclen);
      const dv = new DataView(rec.buffer);
      dv.setBigUint64(0, BigInt(d.ino), true);
      dv.setBigInt64(8, BigInt(f.pos + 1), true);
      dv.setUint16(16, reclen, true);
      rec[18] = d.type;
      rec.set(name, 19);
      chunks.push(rec);
      used += reclen;
      f.pos++;
    }
    const out = new Uint8Array(used);
    let o = 0;
    for (const ch of chunks) { out.set(ch, o); o += ch.length; }
    return this.copyOut(buf, out) ? BigInt(used) : neg(C.EFAULT);
  }

  private sysReadlinkat(dirfd: number, pathPtr: bigint, buf: bigint, size: bigint): bigint {
    if (toSigned(size) <= 0n) return neg(C.EINVAL);
    const p = this.readPath(pathPtr);
    if (typeof p === 'number') return neg(p);
    const gp = this.guestPath(dirfd, p);
    if (typeof gp === 'number') return neg(gp);
    let target: string | undefined;
    if (gp === '/proc/self/exe' || gp === `/proc/${this.pid}/exe`) target = this.path;
    else if (gp === '/proc/self/cwd') target = this.cwd;
    else if (this.host) {
      const h = this.host as HostFs & { allowed?(p: string): boolean };
      if (h.allowed && !h.allowed(gp)) return neg(C.EACCES);
      const st = this.host.lstat(gp);
      if (!st) return neg(C.ENOENT);
      if ((st.mode & C.S_IFMT) !== C.S_IFLNK) return neg(C.EINVAL);
      target = this.host.readlink(gp);
    }
    if (target === undefined) return neg(C.ENOENT);
    const b = enc.encode(target).subarray(0, Number(size > 4096n ? 4096n : size));
    return this.copyOut(buf, b) ? BigInt(b.length) : neg(C.EFAULT);
  }

  private sysGetcwd(buf: bigint, size: bigint): bigint {
    const b = enc.encode(this.cwd + '\0');
    if (BigInt(b.length) > size) return neg(C.ERANGE);
    return this.copyOut(buf, b) ? BigInt(b.length) : neg(C.EFAULT);
  }

  private sysChdir(pathPtr: bigint): bigint {
    const p = this.readPath(pathPtr);
    if (typeof p === 'number') return neg(p);
    const gp = resolvePath(this.cwd, p);
    const st = this.statPath(gp, true);
    if (typeof st === 'number') return neg(st);
    if ((st.mode & C.S_IFMT) !== C.S_IFDIR) return neg(C.ENOTDIR);
    (this as { cwd: string }).cwd = gp;
    return 0n;
  }

  // -- process / time --

  private limits = new Map<number, [bigint, bigint]>([
    [C.RLIMIT_STACK, [BigInt(C.STACK_SIZE), C.RLIM_INFINITY]],
    [C.RLIMIT_NOFILE, [1024n, 4096n]],
    [C.RLIMIT_CORE, [0n, C.RLIM_INFINITY]],
    [C.RLIMIT_NPROC, [63379n, 63379n]],
    [C.RLIMIT_MEMLOCK, [8388608n, 8388608n]],
    [13, [0n, 0n]], [14, [0n, 0n]], [15, [C.RLIM_INFINITY, C.RLIM_INFINITY]], [11, [63379n, 63379n]], [12, [819200n, 819200n]],
  ]);

  private sysPrlimit(pid: number, res: number, nu: bigint, old: bigint): bigint {
    if (pid !== 0 && pid !== this.pid) return neg(C.ESRCH);
    if (res < 0 || res >= C.RLIM_NLIMITS) return neg(C.EINVAL);
    const cur = this.limits.get(res) ?? [C.RLIM_INFINITY, C.RLIM_INFINITY];
    let next: [bigint, bigint] | undefined;
    if (nu !== 0n) {
      const b = this.copyIn(nu, 16);
      if (!b) return neg(C.EFAULT);
      const dv = new DataView(b.buffer, b.byteOffset);
      next = [dv.getBigUint64(0, true), dv.getBigUint64(8, true)];
      if (next[0] > next[1]) return neg(C.EINVAL);
      if (next[1] > cur[1]) return neg(C.EPERM);
    }
    if (old !== 0n && !this.writeU64s(old, cur)) return neg(C.EFAULT);
    if (next) this.limits.set(res, next);
    return 0n;
  }

  private sysGetrandom(buf: bigint, len: bigint, flags: number): bigint {
    if (flags & ~(C.GRND_NONBLOCK | C.GRND_RANDOM | C.GRND_INSECURE)) return neg(C.EINVAL);
    if ((flags & C.GRND_INSECURE) && (flags & C.GRND_RANDOM)) return neg(C.EINVAL);
    const n = Number(len > 0x1ff_ffffn ? 0x1ff_ffffn : len);
    if (this.userAddr(buf, n) < 0) return neg(C.EFAULT);
    return this.copyOut(buf, this.rng.bytes(n)) ? BigInt(n) : neg(C.EFAULT);
  }

  private sysUname(buf: bigint): bigint {
    const fields = ['Linux', 'tagvisor', '6.12.0-tagvisor', '#1 SMP PREEMPT', 'aarch64', '(none)'];
    const b = new Uint8Array(65 * 6);
    fields.forEach((s, i) => b.set(enc.encode(s), i * 65));
    return this.copyOut(buf, b) ? 0n : neg(C.EFAULT);
  }

  private clockNs(clk: number): bigint | undefined {
    const mono = this.monotonicNs();
    switch (clk) {
      case C.CLOCK_REALTIME: case C.CLOCK_REALTIME_COARSE: case 11: return this.epochNs + mono;
      case C.CLOCK_MONOTONIC: case C.CLOCK_MONOTONIC_RAW: case C.CLOCK_MONOTONIC_COARSE: case C.CLOCK_BOOTTIME: return mono + 1_000_000_000n;
      case C.CLOCK_PROCESS_CPUTIME_ID: case C.CLOCK_THREAD_CPUTIME_ID: return BigInt(this.cpu.steps) * BigInt(this.nsPerInsn);
      default:
        // CPU-time clocks of a pid/tid (negative ids) of this process.
        if (clk < 0) return BigInt(this.cpu.steps) * BigInt(this.nsPerInsn);
        return undefined;
    }
  }

  private sysClockGettime(clk: number, tp: bigint): bigint {
    const ns = this.clockNs(clk);
    if (ns === undefined) return neg(C.EINVAL);
    return this.writeU64s(tp, [ns / 1_000_000_000n, ns % 1_000_000_000n]) ? 0n : neg(C.EFAULT);
  }

  private sysClockGetres(clk: number, tp: bigint): bigint {
    if (this.clockNs(clk) === undefined) return neg(C.EINVAL);
    if (tp === 0n) return 0n;
    const coarse = clk === C.CLOCK_REALTIME_COARSE || clk === C.CLOCK_MONOTONIC_COARSE;
    return this.writeU64s(tp, [0, coarse ? 4_000_000 : 1]) ? 0n : neg(C.EFAULT);
  }

  private sysGettimeofday(tv: bigint, tz: bigint): bigint {
    const ns = this.clockNs(C.CLOCK_REALTIME)!;
    if (tv !== 0n && !this.writeU64s(tv, [ns / 1_000_000_000n, (ns % 1_000_000_000n) / 1000n])) return neg(C.EFAULT);
    if (tz !== 0n && !this.copyOut(tz, new Uint8Array(8))) return neg(C.EFAULT);
    return 0n;
  }

  private sysNanosleep(req: bigint, rem: bigint, clk: number, abs: boolean): bigint {
    const b = this.copyIn(req, 16);
    if (!b) return neg(C.EFAULT);
    const dv = new DataView(b.buffer, b.byteOffset);
    const s = dv.getBigInt64(0, true), ns = dv.getBigInt64(8, true);
    if (s < 0n || ns < 0n || ns >= 1_000_000_000n) return neg(C.EINVAL);
    let d = s * 1_000_000_000n + ns;
    if (abs) {
      const now = this.clockNs(clk);
      if (now === undefined) return neg(C.EINVAL);
      d = d > now ? d - now : 0n;
    } else if (clk !== 0 && this.clockNs(clk) === undefined) return neg(C.EINVAL);
    this.sleepNs += d;
    void rem;
    return 0n;
  }

  private sysSchedGetaffinity(pid: number, len: bigint, mask: bigint): bigint {
    if (pid !== 0 && pid !== this.pid) return neg(C.ESRCH);
    if (len * 8n < 1n || (len & 7n) !== 0n) return neg(C.EINVAL);
    const b = new Uint8Array(8); b[0] = 1;
    return this.copyOut(mask, b) ? 8n : neg(C.EFAULT);
  }

  private sysGetcpu(cpu: bigint, node: bigint): bigint {
    if (cpu !== 0n && !this.copyOut(cpu, new Uint8Array(4))) return neg(C.EFAULT);
    if (node !== 0n && !this.copyOut(node, new Uint8Array(4))) return neg(C.EFAULT);
    return 0n;
  }

  private sysSysinfo(buf: bigint): bigint {
    const b = new Uint8Array(112);
    const dv = new DataView(b.buffer);
    dv.setBigInt64(0, this.monotonicNs() / 1_000_000_000n + 1n, true);
    const ram = BigInt(this.frames.totalFrames) * 4096n;
    dv.setBigUint64(32, ram, true);
    dv.setBigUint64(40, ram - BigInt(this.frames.usedFrames) * 4096n, true);
    dv.setUint16(80, 1, true);
    dv.setUint32(104, 1, true);
    return this.copyOut(buf, b) ? 0n : neg(C.EFAULT);
  }

  private sysGetrusage(who: number, buf: bigint): bigint {
    if (who !== 0 && who !== -1 && who !== 1) return neg(C.EINVAL);
    const b = new Uint8Array(144);
    const dv = new DataView(b.buffer);
    const us = who === -1 ? 0n : BigInt(this.cpu.steps) * BigInt(this.nsPerInsn) / 1000n;
    dv.setBigInt64(0, us / 1_000_000n, true);
    dv.setBigInt64(8, us % 1_000_000n, true);
    return this.copyOut(buf, b) ? 0n : neg(C.EFAULT);
  }

  private sysTimes(buf: bigint): bigint {
    const ticks = BigInt(this.cpu.steps) * BigInt(this.nsPerInsn) / 10_000_000n;
    if (buf !== 0n && !this.writeU64s(buf, [ticks, 0, 0, 0])) return neg(C.EFAULT);
    return this.monotonicNs() / 10_000_000n + 100n;
  }

  private sysFutex(uaddr: bigint, op: number, val: bigint, timeout: bigint): bigint | 'blocked' {
    const cmd = op & ~(C.FUTEX_PRIVATE_FLAG | C.FUTEX_CLOCK_REALTIME);
    switch (cmd) {
      case C.FUTEX_WAIT: case C.FUTEX_WAIT_BITSET: {
        if (uaddr & 3n) return neg(C.EINVAL);
        const b = this.copyIn(uaddr, 4);
        if (!b) return neg(C.EFAULT);
        const cur = new DataView(b.buffer, b.byteOffset).getUint32(0, true);
        if (cur !== Number(val & 0xffff_ffffn)) return neg(C.EAGAIN);
        if (timeout !== 0n) {
          const t = this.copyIn(timeout, 16);
          if (!t) return neg(C.EFAULT);
          const dv = new DataView(t.buffer, t.byteOffset);
          const s = dv.getBigInt64(0, true), ns = dv.getBigInt64(8, true);
          if (s < 0n || ns < 0n || ns >= 1_000_000_000n) return neg(C.EINVAL);
          let d = s * 1_000_000_000n + ns;
          if (cmd === C.FUTEX_WAIT_BITSET) {
            const now = this.clockNs((op & C.FUTEX_CLOCK_REALTIME) ? C.CLOCK_REALTIME : C.CLOCK_MONOTONIC)!;
            d = d > now ? d - now : 0n;
          }
          this.sleepNs += d;
          return neg(C.ETIMEDOUT);
        }
        // Single thread: nobody can wake us.
        return 'blocked';
      }
      case C.FUTEX_WAKE: case C.FUTEX_WAKE_BITSET: return 0n;
      case C.FUTEX_REQUEUE: case C.FUTEX_CMP_REQUEUE: case C.FUTEX_WAKE_OP: return 0n;
      default: return neg(C.ENOSYS);
    }
  }

  // -- memory --

  private sysBrk(req: bigint): bigint {
    // brk() does not untag: a tagged value is simply out of range.
    const cur = BigInt(this.brk);
    if (req < BigInt(this.brkStart) || req >= BigInt(C.TASK_SIZE)) return cur;
    const nb = Number(req);
    const newEnd = MemoryMap.pageUp(nb), oldEnd = MemoryMap.pageUp(this.brk);
    if (newEnd === oldEnd) { this.brk = nb; return req; }
    if (nb <= this.brk) {
      this.mm.unmap(newEnd, oldEnd);
      this.brk = nb;
      return req;
    }
    // Growing: the new range plus a guard page must be free.
    if (!this.mm.isFree(oldEnd, newEnd + PAGE_SIZE)) return cur;
    const heap = this.mm.find(oldEnd - 1);
    if (heap && heap.kind === 'heap' && heap.end === oldEnd) this.mm.grow(heap, newEnd);
    else {
      this.mm.insert({ start: oldEnd, end: newEnd, prot: C.PROT_READ | C.PROT_WRITE, mte: false, mteAllowed: true, shared: false, mayWrite: true, kind: 'heap', name: '[heap]' });
    }
    this.brk = nb;
    return req;
  }

  private sysMmap(addrArg: bigint, lenArg: bigint, prot: number, flags: number, fd: number, off: bigint): bigint {
    let file: OpenFile | undefined;
    const anon = (flags & C.MAP_ANONYMOUS) !== 0;
    if (!anon) {
      const e = this.fd(fd);
      if (!e) return neg(C.EBADF);
      file = e.file;
    }
    if (off & BigInt(PAGE_SIZE - 1)) return neg(C.EINVAL);
    if (lenArg === 0n) return neg(C.EINVAL);
    if (lenArg > BigInt(C.TASK_SIZE)) return neg(C.ENOMEM);
    const len = MemoryMap.pageUp(Number(lenArg));
    const type = flags & C.MAP_TYPE;
    if (type !== C.MAP_SHARED && type !== C.MAP_PRIVATE && type !== C.MAP_SHARED_VALIDATE) return neg(C.EINVAL);
    if (type === C.MAP_SHARED_VALIDATE && (flags & ~(C.LEGACY_MAP_MASK | C.MAP_FIXED_NOREPLACE | C.MAP_SYNC))) return neg(C.EOPNOTSUPP);
    if (flags & C.MAP_HUGETLB) return neg(C.EINVAL);
    const shared = type !== C.MAP_PRIVATE;
    // What the mapping is backed by.
    let kind: Vma['kind'] = 'anon';
    let mteAllowed = true;
    let mayWrite = true;
    let backing: Vma['file'];
    let name = '';
    if (file) {
      if (file.kind === 'zero') { kind = 'anon'; name = shared ? '/dev/zero (deleted)' : ''; }
      else if (file.kind === 'file') {
        if ((file.flags & C.O_ACCMODE) === C.O_WRONLY) return neg(C.EACCES);
        if (shared && (prot & C.PROT_WRITE)) return neg(C.EACCES);
        kind = 'file'; mteAllowed = false; mayWrite = !shared; name = file.path;
        backing = { path: file.path, data: file.data!, offset: Number(off), limit: Math.max(0, Math.min(len, file.data!.length - Number(off))) };
      } else return neg(C.ENODEV);
    }
    const mte = this.mte && (prot & C.PROT_MTE) !== 0;
    if (mte && !mteAllowed) return neg(C.EINVAL);
    // Placement.
    let addr: number;
    const fixed = (flags & (C.MAP_FIXED | C.MAP_FIXED_NOREPLACE)) !== 0;
    if (fixed) {
      if (addrArg & BigInt(PAGE_SIZE - 1)) return neg(C.EINVAL);
      if (addrArg > BigInt(C.TASK_SIZE - len)) return neg(C.ENOMEM);
      addr = Number(addrArg);
      if (addr < C.MMAP_MIN_ADDR) return neg(C.EPERM);
      if ((flags & C.MAP_FIXED_NOREPLACE) && !(flags & C.MAP_FIXED) && !this.mm.isFree(addr, addr + len)) return neg(C.EEXIST);
      this.mm.unmap(addr, addr + len);
    } else {
      let hint = addrArg < BigInt(C.TASK_SIZE) ? Number(addrArg) - (Number(addrArg) % PAGE_SIZE) : 0;
      if (hint !== 0 && hint < C.MMAP_MIN_ADDR) hint = MemoryMap.pageUp(C.MMAP_MIN_ADDR);
      if (hint !== 0 && hint + len <= C.TASK_SIZE && this.mm.isFree(hint, hint + len)) addr = hint;
      else {
        addr = this.mm.findFreeTopDown(len, C.MMAP_BASE);
        if (addr < 0) addr = this.mm.findFreeBottomUp(len, C.MMAP_BASE, C.TASK_SIZE - C.STACK_SIZE);
        if (addr < 0) return neg(C.ENOMEM);
      }
    }
    this.mm.insert({
      start: addr, end: addr + len, prot: prot & (C.PROT_READ | C.PROT_WRITE | C.PROT_EXEC), mte, mteAllowed,
      shared, mayWrite, kind, name, file: backing,
    });
    return BigInt(addr);
  }

  private sysMunmap(addrArg: bigint, lenArg: bigint): bigint {
    const a = untag(addrArg);
    if (a % PAGE_SIZE !== 0 || a > C.TASK_SIZE || lenArg > BigInt(C.TASK_SIZE - a)) return neg(C.EINVAL);
    const len = MemoryMap.pageUp(Number(lenArg));
    if (len === 0) return neg(C.EINVAL);
    this.mm.unmap(a, a + len);
    return 0n;
  }

  private sysMprotect(addrArg: bigint, lenArg: bigint, prot: number): bigint {
    const a = untag(addrArg);
    if (a % PAGE_SIZE !== 0) return neg(C.EINVAL);
    if (lenArg === 0n) return 0n;
    if (lenArg > BigInt(C.TASK_SIZE)) return neg(C.ENOMEM);
    const len = MemoryMap.pageUp(Number(lenArg));
    const end = a + len;
    if (end <= a || end > C.TASK_SIZE) return neg(C.ENOMEM);
    // arch_validate_prot: PROT_MTE only with MTE; PROT_BTI only with BTI (not emulated).
    let valid = C.PROT_READ | C.PROT_WRITE | C.PROT_EXEC | C.PROT_SEM;
    if (this.mte) valid |= C.PROT_MTE;
    if (prot & ~(valid | C.PROT_GROWSDOWN | C.PROT_GROWSUP)) return neg(C.EINVAL);
    if ((prot & C.PROT_GROWSDOWN) && (prot & C.PROT_GROWSUP)) return neg(C.EINVAL);
    const r = this.mm.protect(a, end, prot & (C.PROT_READ | C.PROT_WRITE | C.PROT_EXEC), (prot & C.PROT_MTE) !== 0);
    return r === 0 ? 0n : neg(-r);
  }

  private sysMremap(oldArg: bigint, oldLenArg: bigint, newLenArg: bigint, flags: number, newAddrArg: bigint): bigint {
    const a = untag(oldArg);
    if (flags & ~(C.MREMAP_FIXED | C.MREMAP_MAYMOVE | C.MREMAP_DONTUNMAP)) return neg(C.EINVAL);
    if ((flags & C.MREMAP_FIXED) && !(flags & C.MREMAP_MAYMOVE)) return neg(C.EINVAL);
    if ((flags & C.MREMAP_DONTUNMAP) && (!(flags & C.MREMAP_MAYMOVE) || oldLenArg !== newLenArg)) return neg(C.EINVAL);
    if (a % PAGE_SIZE !== 0) return neg(C.EINVAL);
    if (oldLenArg > BigInt(C.TASK_SIZE) || newLenArg > BigInt(C.TASK_SIZE)) return neg(C.ENOMEM);
    const oldLen = MemoryMap.pageUp(Number(oldLenArg)), newLen = MemoryMap.pageUp(Number(newLenArg));
    if (newLen === 0) return neg(C.EINVAL);
    if (flags & C.MREMAP_DONTUNMAP) return neg(C.EINVAL);
    if (flags & C.MREMAP_FIXED) {
      // The new address is not untagged (tagged-address ABI exception).
      if (newAddrArg & BigInt(PAGE_SIZE - 1)) return neg(C.EINVAL);
      if (newAddrArg > BigInt(C.TASK_SIZE - newLen)) return neg(C.EINVAL);
      const na = Number(newAddrArg);
      if (na < a + oldLen && a < na + newLen) return neg(C.EINVAL);
      const v = this.mm.find(a);
      if (!v || oldLen > v.end - a) return neg(C.EFAULT);
      this.mm.unmap(na, na + newLen);
      if (oldLen > newLen) { this.mm.unmap(a + newLen, a + oldLen); }
      const moveLen = Math.min(oldLen, newLen);
      this.mm.move(a, moveLen, na);
      if (newLen > moveLen) this.mm.insert({ ...this.mm.find(na)!, start: na + moveLen, end: na + newLen, file: undefined });
      return BigInt(na);
    }
    if (oldLen >= newLen) {
      this.mm.unmap(a + newLen, a + oldLen);
      return BigInt(a);
    }
    const v = this.mm.find(a);
    if (!v || oldLen > v.end - a) return neg(C.EFAULT);
    if (oldLen === v.end - a && !v.file && this.mm.isFree(v.end, a + newLen) && a + newLen <= C.TASK_SIZE) {
      this.mm.grow(v, a + newLen);
      return BigInt(a);
    }
    if (!(flags & C.MREMAP_MAYMOVE)) return neg(C.ENOMEM);
    const na = this.mm.findFreeTopDown(newLen, C.MMAP_BASE);
    if (na < 0) return neg(C.ENOMEM);
    const attrs = { ...v };
    this.mm.move(a, oldLen, na);
    if (!attrs.file) this.mm.insert({ ...attrs, start: na + oldLen, end: na + newLen, file: undefined });
    return BigInt(na);
  }

  private sysMadvise(addrArg: bigint, lenArg: bigint, advice: number): bigint {
    const a = untag(addrArg);
    const known = advice >= 0 && advice <= 4 || advice >= 8 && advice <= 23;
    if (!known) return neg(C.EINVAL);
    if (a % PAGE_SIZE !== 0) return neg(C.EINVAL);
    const len = MemoryMap.pageUp(Number(lenArg > BigInt(C.TASK_SIZE) ? BigInt(C.TASK_SIZE) : lenArg));
    if (lenArg !== 0n && len === 0) return neg(C.EINVAL);
    if (lenArg > BigInt(C.TASK_SIZE) || a + len > C.TASK_SIZE) return neg(C.EINVAL);
    if (len === 0) return 0n;
    const end = a + len;
    const vmas = this.mm.overlapping(a, end);
    let hole = vmas.length === 0 || vmas[0].start > a;
    for (let i = 1; i < vmas.length; i++) if (vmas[i].start !== vmas[i - 1].end) hole = true;
    if (vmas.length && vmas[vmas.length - 1].end < end) hole = true;
    if (advice === C.MADV_DONTNEED || advice === C.MADV_REMOVE) {
      for (const v of vmas) {
        // Private mappings lose their pages (zero, or the file's contents, on the next touch, tags
        // cleared); shared anonymous memory keeps its contents in the shared object.
        if (v.shared && !v.file) continue;
        this.mm.dropPages(Math.max(a, v.start), Math.min(end, v.end));
      }
    }
    return hole ? neg(C.ENOMEM) : 0n;
  }

  private sysMincore(addrArg: bigint, lenArg: bigint, vec: bigint): bigint {
    const a = untag(addrArg);
    if (a % PAGE_SIZE !== 0) return neg(C.EINVAL);
    const pages = Math.ceil(Number(lenArg > BigInt(C.TASK_SIZE) ? BigInt(C.TASK_SIZE) : lenArg) / PAGE_SIZE);
    const out = new Uint8Array(pages);
    for (let i = 0; i < pages; i++) {
      const p = a + i * PAGE_SIZE;
      if (!this.mm.find(p)) return neg(C.ENOMEM);
      out[i] = this.space.get(p / PAGE_SIZE) ? 1 : 0;
    }
    return this.copyOut(vec, out) ? 0n : neg(C.EFAULT);
  }

  // -- prctl --

  private sysPrctl(option: number, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint {
    switch (option) {
      case C.PR_SET_TAGGED_ADDR_CTRL:
        if (a3 || a4 || a5) return neg(C.EINVAL);
        return this.setTaggedAddrCtrl(a2);
      case C.PR_GET_TAGGED_ADDR_CTRL:
        if (a2 || a3 || a4 || a5) return neg(C.EINVAL);
        return BigInt(this.taggedAddrCtrl);
      case C.PR_SET_NAME: {
        const b = this.copyIn(a2, 16);
        if (!b) {
          // strncpy_from_user may stop at the NUL before an unmapped page.
          const s = this.readPath(a2, 16);
          if (typeof s === 'number') return s === C.ENAMETOOLONG ? 0n : neg(s);
          this.name = s;
          return 0n;
        }
        const z = b.indexOf(0);
        this.name = new TextDecoder().decode(b.subarray(0, z < 0 ? 15 : Math.min(z, 15)));
        return 0n;
      }
      case C.PR_GET_NAME: {
        const b = new Uint8Array(16);
        b.set(enc.encode(this.name).subarray(0, 15));
        return this.copyOut(a2, b) ? 0n : neg(C.EFAULT);
      }
      case C.PR_GET_DUMPABLE: return 1n;
      case C.PR_SET_DUMPABLE: return a2 === 0n || a2 === 1n ? 0n : neg(C.EINVAL);
      case C.PR_SET_NO_NEW_PRIVS: return a2 === 1n && !a3 && !a4 && !a5 ? 0n : neg(C.EINVAL);
      case C.PR_GET_NO_NEW_PRIVS: return a2 || a3 || a4 || a5 ? neg(C.EINVAL) : 0n;
      case C.PR_GET_THP_DISABLE: return a2 || a3 || a4 || a5 ? neg(C.EINVAL) : 0n;
      case C.PR_SET_THP_DISABLE: return a3 || a4 || a5 ? neg(C.EINVAL) : 0n;
      case C.PR_SET_PDEATHSIG: return a2 > 64n ? neg(C.EINVAL) : 0n;
      case C.PR_GET_PDEATHSIG: return this.copyOut(a2, new Uint8Array(4)) ? 0n : neg(C.EFAULT);
      case C.PR_CAPBSET_READ: return a2 > 40n ? neg(C.EINVAL) : 1n;
      case C.PR_SET_VMA: return neg(C.EINVAL);
      default: return neg(C.EINVAL);
    }
  }

  /** set_tagged_addr_ctrl + set_mte_ctrl (arch/arm64/kernel/process.c, mte.c). */
  private setTaggedAddrCtrl(arg: bigint): bigint {
    let valid = BigInt(C.PR_TAGGED_ADDR_ENABLE);
    if (this.mte) valid |= BigInt(C.PR_MTE_TCF_SYNC | C.PR_MTE_TCF_ASYNC | C.PR_MTE_TAG_MASK);
    if (arg & ~valid) return neg(C.EINVAL);
    const v = Number(arg);
    if ((v & C.PR_TAGGED_ADDR_ENABLE) && this.opts.taggedAddrDisabled) return neg(C.EINVAL);
    if (this.mte) {
      const sync = (v & C.PR_MTE_TCF_SYNC) !== 0, async = (v & C.PR_MTE_TCF_ASYNC) !== 0;
      this.mteCtrl = { sync, async, asymm: sync && async && this.mte3, include: (v >>> C.PR_MTE_TAG_SHIFT) & 0xffff };
      this.applyMteCtrl();
    }
    this.taggedAddr = (v & C.PR_TAGGED_ADDR_ENABLE) !== 0;
    return 0n;
  }

  /** mte_update_sctlr_user + mte_update_gcr_excl: resolve the requested modes against the CPU preference. */
  applyMteCtrl(): void {
    const m = this.mteCtrl;
    const SYNC = 1, ASYNC = 2, ASYMM = 4;
    const ctrl = (m.sync ? SYNC : 0) | (m.async ? ASYNC : 0) | (m.asymm ? ASYMM : 0);
    const pref = this.mtePreferred === 'sync' ? SYNC : this.mtePreferred === 'asymm' ? ASYMM : ASYNC;
    const resolved = (ctrl & pref) ? pref : ctrl;
    this.cpu.tcf0 = resolved & ASYMM ? 3 : resolved & ASYNC ? 2 : resolved & SYNC ? 1 : 0;
    this.cpu.gcrExclude = ~m.include & 0xffff;
  }

  // -- signals syscalls --

  private sysRtSigaction(sig: number, act: bigint, oact: bigint, size: bigint): bigint {
    if (size !== 8n) return neg(C.EINVAL);
    if (sig < 1 || sig > C.NSIG) return neg(C.EINVAL);
    let nu: SigAction | undefined;
    if (act !== 0n) {
      const b = this.copyIn(act, 32);
      if (!b) return neg(C.EFAULT);
      const dv = new DataView(b.buffer, b.byteOffset);
      nu = { handler: dv.getBigUint64(0, true), flags: Number(dv.getBigUint64(8, true) & 0xffff_ffffn), restorer: dv.getBigUint64(16, true), mask: dv.getBigUint64(24, true) };
      if (sig === C.SIGKILL || sig === C.SIGSTOP) return neg(C.EINVAL);
      nu.flags = (nu.flags & C.UAPI_SA_FLAGS) >>> 0;
      nu.mask &= ~UNBLOCKABLE;
    }
    const old = this.actions[sig];
    if (oact !== 0n && !this.writeU64s(oact, [old.handler, (old.flags & C.UAPI_SA_FLAGS) >>> 0, old.restorer, old.mask])) return neg(C.EFAULT);
    if (nu) {
      this.actions[sig] = nu;
      // Setting a signal to be ignored discards it if pending.
      if (this.isIgnored(sig)) this.pending = this.pending.filter(p => p.signo !== sig);
    }
    return 0n;
  }

  private sysRtSigprocmask(how: number, set: bigint, oset: bigint, size: bigint): bigint {
    if (size !== 8n) return neg(C.EINVAL);
    const old = this.blocked;
    if (set !== 0n) {
      const m = this.readU64(set);
      if (m === null) return neg(C.EFAULT);
      const mm = m & ~UNBLOCKABLE;
      switch (how) {
        case C.SIG_BLOCK: this.blocked = old | mm; break;
        case C.SIG_UNBLOCK: this.blocked = old & ~mm; break;
        case C.SIG_SETMASK: this.blocked = mm; break;
        default: return neg(C.EINVAL);
      }
    }
    if (oset !== 0n && !this.writeU64s(oset, [old])) { return neg(C.EFAULT); }
    return 0n;
  }

  private sysRtSigpending(set: bigint, size: bigint): bigint {
    if (size > 8n) return neg(C.EINVAL);
    const m = this.pendingMask & this.blocked;
    const b = new Uint8Array(Number(size));
    for (let i = 0; i < b.length; i++) b[i] = Number((m >> BigInt(8 * i)) & 0xffn);
    return this.copyOut(set, b) ? 0n : neg(C.EFAULT);
  }

  private sysRtSigsuspend(set: bigint, size: bigint): bigint | 'blocked' {
    if (size !== 8n) return neg(C.EINVAL);
    const m = this.readU64(set);
    if (m === null) return neg(C.EFAULT);
    const tmp = m & ~UNBLOCKABLE;
    const wakes = this.pending.some(p => (tmp & bit(p.signo)) === 0n) || (this.asyncPending && (tmp & bit(C.SIGSEGV)) === 0n);
    // Single thread, no timers: nothing else can ever arrive.
    if (!wakes) return 'blocked';
    this.savedSigmask = this.blocked;
    this.blocked = tmp;
    return neg(C.EINTR);
  }

  private doSigaltstack(sp: bigint, flags: number, size: bigint, curSp: bigint): number {
    if (this.sasFlags(curSp) === C.SS_ONSTACK) return C.EPERM;
    const mode = flags & ~C.SS_AUTODISARM;
    if (mode !== C.SS_DISABLE && mode !== C.SS_ONSTACK && mode !== 0) return C.EINVAL;
    if (mode === C.SS_DISABLE) { this.altstack = { sp: 0n, size: 0n, flags: C.SS_DISABLE }; return 0; }
    if (size < BigInt(C.MINSIGSTKSZ)) return C.ENOMEM;
    this.altstack = { sp, size, flags: flags & C.SS_AUTODISARM ? C.SS_AUTODISARM : 0 };
    return 0;
  }

  private sysSigaltstack(ss: bigint, oss: bigint): bigint {
    const sp = this.cpu.x[SP];
    const old = { ...this.altstack };
    const oldFlags = this.sasFlags(sp) | (old.flags & C.SS_AUTODISARM);
    if (ss !== 0n) {
      const b = this.copyIn(ss, 24);
      if (!b) return neg(C.EFAULT);
      const dv = new DataView(b.buffer, b.byteOffset);
      const r = this.doSigaltstack(dv.getBigUint64(0, true), dv.getInt32(8, true) >>> 0, dv.getBigUint64(16, true), sp);
      if (r) return neg(r);
    }
    if (oss !== 0n) {
      const b = new Uint8Array(24);
      const dv = new DataView(b.buffer);
      dv.setBigUint64(0, old.sp, true);
      dv.setInt32(8, oldFlags | 0, true);
      dv.setBigUint64(16, old.size, true);
      if (!this.copyOut(oss, b)) return neg(C.EFAULT);
    }
    return 0n;
  }

  private sysKill(pid: number, sig: number, code: number): bigint {
    if (sig < 0 || sig > C.NSIG) return neg(C.EINVAL);
    if (!(pid === this.pid || pid === 0 || pid === -1 || pid === -this.pid)) return neg(C.ESRCH);
    if (sig === 0) return 0n;
    this.sendSignal({ signo: sig, code, pid: this.pid, uid: this.uid });
    return 0n;
  }

  private sysTgkill(tgid: number, tid: number, sig: number, isTg: boolean): bigint {
    if (tid <= 0 || (isTg && tgid <= 0)) return neg(C.EINVAL);
    if (sig < 0 || sig > C.NSIG) return neg(C.EINVAL);
    if (tid !== this.pid || tgid !== this.pid) return neg(C.ESRCH);
    if (sig === 0) return 0n;
    this.sendSignal({ signo: sig, code: C.SI_TKILL, pid: this.pid, uid: this.uid });
    return 0n;
  }

  // ---- the sigreturn trampoline ([vdso]) -------------------------------------------------------

  private mapSigtramp(): number {
    const addr = this.mm.findFreeTopDown(PAGE_SIZE, C.MMAP_BASE);
    this.mm.insert({ start: addr, end: addr + PAGE_SIZE, prot: C.PROT_READ | C.PROT_EXEC, mte: false, mteAllowed: false, shared: false, mayWrite: false, kind: 'vdso', name: '[vdso]' });
    const v = this.mm.find(addr)!;
    const e = this.mm.populate(v, addr / PAGE_SIZE);
    const page = this.phys.resolve(e.gpn, true, 0).page;
    // __kernel_rt_sigreturn: mov x8, #139 (__NR_rt_sigreturn); svc #0
    page.view.setUint32(0, 0xd2801168, true);
    page.view.setUint32(4, 0xd4000001, true);
    return addr;
  }

  // ---- snapshots -------------------------------------------------------------------------------

  /**
   * All process state as plain data (typed arrays and bigints included). `pages: false` leaves out
   * the contents of guest memory (a migration stream or the debugger's journal carries them).
   */
  snapshot(opts: { pages?: boolean } = {}): ProcessSnapshot {
    const c = this.cpu;
    const mm = this.mm.snapshot();
    const pages: ProcessSnapshot['pages'] = [];
    if (opts.pages !== false) for (const [, e] of this.space.entries) {
      const p = this.phys.resolve(e.gpn, false, c.pc).page;
      pages.push({ gpn: e.gpn, data: p.data.slice(), tags: p.tags ? p.tags.slice() : null, mteTagged: p.mteTagged });
    }
    const files: OpenFile[] = [];
    const fds: ProcessSnapshot['fds'] = [];
    for (const [fd, e] of this.fds) {
      let i = files.indexOf(e.file);
      if (i < 0) { i = files.length; files.push(e.file); }
      fds.push({ fd, file: i, cloexec: e.cloexec });
    }
    return {
      regs: Array.from(c.x), vregs: Array.from(c.v), pc: c.pc, nzcv: c.nzcv, tco: c.tco, fpcr: c.fpcr, fpsr: c.fpsr,
      tpidr: c.tpidr, tpidrro: c.tpidrro, tcf0: c.tcf0, gcrExclude: c.gcrExclude, gcrRrnd: c.gcrRrnd, rgsr: c.rgsr, tfsre0: c.tfsre0,
      steps: c.steps, mm, frames: this.frames.snapshot(), pages,
      brk: this.brk, brkStart: this.brkStart,
      sig: { actions: this.actions.map(a => ({ ...a })), blocked: this.blocked, pending: this.pending.map(p => ({ ...p })), altstack: { ...this.altstack } },
      thread: { faultAddress: this.faultAddress, faultCode: this.faultCode, taggedAddr: this.taggedAddr, mteCtrl: { ...this.mteCtrl }, clearChildTid: this.clearChildTid, name: this.name },
      fds, files: files.map(f => ({ ...f, stat: { ...f.stat } })),
      rng: this.rng.seedState, sleepNs: this.sleepNs, exited: this.exited ? { ...this.exited } : null,
      asyncPending: this.asyncPending, mismatches: [...this.mismatches],
      cwd: this.cwd, limits: [...this.limits].map(([k, [a, b]]) => [k, a, b]), savedSigmask: this.savedSigmask,
      asyncFaultMismatches: [...this.asyncFaultMismatches], mtePreferred: this.mtePreferred,
      heldSignal: this.held ? { ...this.held } : null,
    };
  }

  /** Restores a snapshot taken from this process (same physical memory). */
  restore(s: ProcessSnapshot): void {
    const c = this.cpu;
    s.regs.forEach((v, i) => { c.x[i] = v; });
    s.vregs.forEach((v, i) => { c.v[i] = v; });
    c.pc = s.pc; c.nzcv = s.nzcv; c.tco = s.tco; c.fpcr = s.fpcr; c.fpsr = s.fpsr; c.tpidr = s.tpidr; c.tpidrro = s.tpidrro;
    c.tcf0 = s.tcf0; c.gcrExclude = s.gcrExclude; c.gcrRrnd = s.gcrRrnd; c.rgsr = s.rgsr; c.tfsre0 = s.tfsre0; c.steps = s.steps;
    this.mm.restore(s.mm);
    this.frames.restore(s.frames);
    for (const p of s.pages) {
      const page = this.phys.resolve(p.gpn, true, c.pc).page;
      page.data.set(p.data);
      page.tags = p.tags ? p.tags.slice() : null;
      page.mteTagged = p.mteTagged;
      page.decoded = null;
    }
    this.mmu.flushAll();
    this.brk = s.brk;
    s.sig.actions.forEach((a, i) => { this.actions[i] = { ...a }; });
    this.blocked = s.sig.blocked;
    this.pending = s.sig.pending.map(p => ({ ...p }));
    this.altstack = { ...s.sig.altstack };
    this.faultAddress = s.thread.faultAddress; this.faultCode = s.thread.faultCode; this.taggedAddr = s.thread.taggedAddr;
    this.mteCtrl = { ...s.thread.mteCtrl }; this.clearChildTid = s.thread.clearChildTid; this.name = s.thread.name;
    const files = s.files.map(f => ({ ...f, stat: { ...f.stat } }));
    this.fds = new Map(s.fds.map(d => [d.fd, { file: files[d.file], cloexec: d.cloexec }]));
    this.rng.seedState = s.rng;
    this.sleepNs = s.sleepNs;
    this.exited = s.exited ? { ...s.exited } : null;
    this.asyncPending = s.asyncPending;
    this.mismatches = [...s.mismatches];
    if (s.cwd !== undefined) (this as { cwd: string }).cwd = s.cwd;
    if (s.limits) this.limits = new Map(s.limits.map(([k, a, b]) => [k, [a, b]]));
    if (s.savedSigmask !== undefined) this.savedSigmask = s.savedSigmask;
    if (s.asyncFaultMismatches) this.asyncFaultMismatches = [...s.asyncFaultMismatches];
    if (s.mtePreferred) this.mtePreferred = s.mtePreferred;
    this.held = s.heldSignal ? { ...s.heldSignal } : null;
  }
}

// ---- helpers ------------------------------------------------------------------------------------

/** The untagged user address of a pointer (bits 63:56 cleared) as a number; >= TASK_SIZE if not user. */
export function untag(va: bigint): number {
  const v = va & U64;
  if (v & (1n << 55n)) return C.TASK_SIZE + 1;
  return Number(v & ((1n << 56n) - 1n));
}

/** Linux untagged_addr(): sign-extends bit 55 over the top byte. */
function untagU(va: bigint): bigint {
  const v = va & U64;
  return (v & (1n << 55n)) ? v : v & ((1n << 56n) - 1n);
}

function pcOf(v: bigint): number {
  const a = v & U64;
  return a >= BigInt(C.TASK_SIZE) ? C.TASK_SIZE : Number(a);
}

function basename(p: string): string { const i = p.lastIndexOf('/'); return i >= 0 ? p.slice(i + 1) : p; }

/** `p` made absolute against `cwd`, with `.`, `..` and repeated slashes removed (no symlinks followed). */
export function absolutePath(cwd: string, p: string): string {
  const parts: string[] = [];
  for (const seg of (p.startsWith('/') ? p : `${cwd}/${p}`).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop(); else parts.push(seg);
  }
  return '/' + parts.join('/');
}
function dirname(p: string): string { const i = p.lastIndexOf('/'); return i > 0 ? p.slice(0, i) : '/'; }
