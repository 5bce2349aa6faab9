// The vCPU: architectural state + the MMU + the step loop over per-page decode caches.
import { Mmu } from '../memory/mmu';
import { GuestFault } from '../memory/fault';
import { PhysPage, PAGE_SIZE } from '../memory/page';
import { CpuState } from './state';
import type { Step } from '../isa/spec';

/** Why `run` returned. */
export const enum Stop {
  /** Ran the requested number of instructions. */
  Limit = 0,
  /** SVC executed: pc is past it, the immediate is in `svcImm`. */
  Svc = 1,
  /** A synchronous exception: `fault` says which; pc is at the faulting instruction. */
  Fault = 2,
  /** An undefined / unallocated instruction at pc (`undefinedWord`). */
  Undefined = 3,
  /** A breakpoint at pc (not executed). */
  Breakpoint = 4,
  /** Something asked the loop to stop (pause, watchpoint, async-fault stop...) after an instruction. */
  Requested = 5,
  /** An instruction that must trap to the kernel (MRS of an emulated register, BRK...). */
  Trap = 6,
}

export interface Decoder { compile(word: number): Step | undefined }

/** Thrown by instruction semantics to enter the kernel (undefined instructions, BRK, traps). */
export class CpuTrap extends Error {
  constructor(readonly stop: Stop, readonly detail: string, readonly imm = 0) { super(detail); }
}

const INSNS_PER_PAGE = PAGE_SIZE / 4;

export class Cpu extends CpuState {
  /** Stop reason requested by an instruction or by the host (`Stop.Requested`), 0 = none. */
  stop = 0;
  svcImm = 0;
  fault: GuestFault | null = null;
  trap: CpuTrap | null = null;
  undefinedWord = 0;
  /** Virtual addresses with breakpoints: their decode-cache entries stop before executing. */
  readonly breakpoints = new Set<number>();
  /** The pc whose breakpoint is skipped once (resuming from it). */
  skipBreakpointAt = -1;
  readonly mmu: Mmu;

  constructor(readonly decoder: Decoder, makeMmu: (cpu: Cpu) => Mmu) {
    super();
    this.mmu = makeMmu(this);
  }

  /** Decodes the word at `pc` in `page` (slot `idx`) into the page's decode cache. */
  private decodeAt(page: PhysPage, idx: number, pc: number): Step {
    const word = page.view.getUint32(idx * 4, true);
    let s = this.decoder.compile(word);
    if (s === undefined) {
      s = (c) => { c.undefinedWord = word; throw new CpuTrap(Stop.Undefined, `undefined instruction 0x${word.toString(16).padStart(8, '0')}`); };
    }
    if (this.breakpoints.has(pc)) {
      const inner = s;
      s = (c) => {
        if (c.skipBreakpointAt === c.pc) { c.skipBreakpointAt = -1; inner(c); return; }
        c.npc = c.pc;
        c.stop = Stop.Breakpoint;
      };
    }
    (page.decoded as (Step | undefined)[])[idx] = s;
    return s;
  }

  /** Adds or removes a breakpoint; the decode cache of its page is rebuilt lazily. */
  setBreakpoint(pc: number, on: boolean): void {
    if (on) this.breakpoints.add(pc); else this.breakpoints.delete(pc);
    try { this.mmu.fetchPage(pc).decoded = null; } catch { /* not mapped yet: decoded fresh later */ }
  }

  /**
   * Runs at most `limit` instructions. Returns the reason it stopped. Never throws for guest
   * behaviour: faults and traps are reported through the return value and `fault` / `trap`.
   */
  run(limit: number): Stop {
    const mmu = this.mmu;
    let page: PhysPage | null = null;
    let codes: (Step | undefined)[] | null = null;
    let base = -1;
    let n = 0;
    this.stop = 0;
    this.fault = null;
    this.trap = null;
    try {
      while (n < limit) {
        const pc = this.pc;
        const off = pc - base;
        if (off < 0 || off >= PAGE_SIZE || page!.decoded !== codes) {
          if (pc % 4 !== 0) throw new GuestFault('alignment', BigInt(pc), false, true, 'pc not 4-byte aligned');
          page = mmu.fetchPage(pc);
          base = pc - (pc % PAGE_SIZE);
          if (page.decoded === null) page.decoded = new Array<Step | undefined>(INSNS_PER_PAGE);
          codes = page.decoded as (Step | undefined)[];
        }
        const idx = (pc - base) >>> 2;
        const s = codes![idx] ?? this.decodeAt(page!, idx, pc);
        this.npc = pc + 4;
        s(this);
        if (this.stop !== 0) {
          if (this.stop === Stop.Breakpoint) { this.steps += n; return Stop.Breakpoint; }
          this.pc = this.npc;
          this.steps += n + 1;
          return this.stop;
        }
        this.pc = this.npc;
        n++;
      }
      this.steps += n;
      return Stop.Limit;
    } catch (e) {
      this.steps += n;
      if (e instanceof GuestFault) { this.fault = e; return Stop.Fault; }
      if (e instanceof CpuTrap) { this.trap = e; return e.stop; }
      throw e;
    }
  }
}
