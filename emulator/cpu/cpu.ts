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
  /**
   * Internal, never returned by `run`: a write hit a page with decoded instructions (set through
   * Mmu.onCodeWrite), so the loop must look the code up again before the next instruction.
   */
  CodeChanged = 7,
}

export interface Decoder {
  compile(word: number): Step | undefined;
  /**
   * Optional: JavaScript source of the instruction's fast path (the contract is in isa/jit.ts),
   * used when compiling blocks; `$SLOW` in it stands for running the instruction's closure.
   */
  jitSource?(word: number, pc: number): string | undefined;
  /** Names in scope of that source (helpers it calls). */
  readonly jitHelpers?: Record<string, unknown>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Thrown by instruction semantics to enter the kernel (undefined instructions, BRK, traps). */
export class CpuTrap extends Error {
  constructor(readonly stop: Stop, readonly detail: string, readonly imm = 0) { super(detail); }
}

const INSNS_PER_PAGE = PAGE_SIZE / 4;

// ---- blocks ----------------------------------------------------------------------------------------
//
// A page's decode cache (`PhysPage.decoded`, dropped on any write to the page) has two halves:
// slots [0, 1024) hold each instruction's closure, slots [1024, 2048) the block entry of a pc that
// the loop reached at its top: a visit count (number) until it is hot, then a Block. A block is the
// run of instructions from that pc to the first unconditional branch (included), the end of the
// page, a breakpoint or MAX_BLOCK; conditional branches inside it are side exits (it goes on along
// the fall-through path). It is compiled into one function: instructions with a JIT template
// (isa/jit.ts) become inline code on the registers' 32-bit halves and the TLB, the others calls of
// their closures (each call site sees one closure, so V8 can inline it). Before a closure runs (an
// instruction without template, or a template's slow path) the block sets `pc` (exact for faults,
// hooks and `retired()`) and afterwards checks `stop` (an SVC, a hook's stop request, a write that
// changed code). When the block branches back to its own start it loops inside the function while
// the instruction budget allows a whole pass; the CPU loop single-steps when fewer than `len`
// instructions remain, so `run(limit)` stops exactly at the limit.

/**
 * Only branches write `npc`. B.cond / BC.cond, CBZ / CBNZ, TBZ / TBNZ (A64 "Conditional branch
 * (immediate)", "Compare and branch", "Test and branch") are side exits: a block goes on along the
 * fall-through path. B, BL (immediate) and every "Unconditional branch (register)" encoding end it.
 * Everything else (exception generation, system instructions, hints, barriers) leaves npc alone:
 * SVC and friends stop the block through `stop` or an exception.
 */
const isConditionalBranch = (w: number): boolean =>
  (w >>> 24) === 0x54 || ((w >>> 25) & 0x3f) === 0x1a || ((w >>> 25) & 0x3f) === 0x1b;
const isUnconditionalBranch = (w: number): boolean => ((w >>> 26) & 0x1f) === 0x05 || (w >>> 25) === 0x6b;

/** Where the block entries start in a page's decode cache. */
const BLOCK_SLOT = INSNS_PER_PAGE;
/** Longest block (instructions). */
const MAX_BLOCK = 64;
/** Block-entry value of a pc that never gets a block (a breakpoint sits there). */
const NO_BLOCK = -Infinity;

interface Block {
  /**
   * Runs the block, again and again while it branches back to its own start and `budget` allows
   * another pass; adds what retired to c.steps and returns that count. Returns early (after the
   * instruction) when one sets `stop`.
   */
  readonly run: (c: Cpu, budget: number) => number;
  readonly len: number;
}

/** How many times the loop must reach a pc before its block is compiled (1 = at once). */
function defaultThreshold(): number {
  const env = typeof process !== 'undefined' ? process.env?.TAGVISOR_BLOCK_THRESHOLD : undefined;
  const v = env !== undefined ? Number(env) : NaN;
  return Number.isInteger(v) && v >= 0 ? v : 2000;
}

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
  /** Visits of a pc before its block is compiled; 0 disables blocks (every instruction dispatched alone). */
  static blockThreshold = defaultThreshold();
  /** pc of the first instruction of the block (or single instruction) being run; see `retired()`. */
  private blockPc = 0;

  constructor(readonly decoder: Decoder, makeMmu: (cpu: Cpu) => Mmu) {
    super();
    this.mmu = makeMmu(this);
    this.mmu.onCodeWrite = () => { if (this.stop === 0) this.stop = Stop.CodeChanged; };
  }

  /**
   * Instructions retired, live: inside an instruction's semantics it counts the instructions before
   * it (whatever chunks `run` is called with); between runs it equals `steps`.
   */
  retired(): number {
    return this.running ? this.steps + (this.pc - this.blockPc) / 4 : this.steps;
  }
  private running = false;

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

  /** Compiles the block starting at slot idx (pc) of page; null when a breakpoint is at pc. */
  private buildBlock(page: PhysPage, codes: unknown[], idx: number, pc: number): Block | null {
    if (this.breakpoints.has(pc)) return null;
    const dec = this.decoder;
    // Templates work on the registers' 32-bit halves and read the TLB: little-endian hosts, and an
    // MMU whose tag-check control is this CPU (always, with makeMmu as every caller uses it).
    const jit = LITTLE_ENDIAN && dec.jitSource !== undefined && this.mmu.ctl === this;
    const steps: Step[] = [];
    const srcs: (string | undefined)[] = [];
    const sideExit: boolean[] = [];
    for (let i = idx; i < INSNS_PER_PAGE && steps.length < MAX_BLOCK; i++) {
      const at = pc + (i - idx) * 4;
      if (i > idx && this.breakpoints.has(at)) break;
      const word = page.view.getUint32(i * 4, true);
      steps.push((codes[i] as Step | undefined) ?? this.decodeAt(page, i, at));
      srcs.push(jit ? dec.jitSource!(word, at) : undefined);
      sideExit.push(isConditionalBranch(word));
      if (isUnconditionalBranch(word)) break;
    }
    const len = steps.length;
    // The source names this block's pcs, so each block is its own function with its own type
    // feedback (V8 shares feedback between functions compiled from the same source).
    const body: string[] = [];
    for (let k = 0; k < len; k++) {
      const at = pc + 4 * k;
      const last = k === len - 1;
      // A conditional branch inside the block is a side exit: npc is preset, the branch changes it when taken.
      const exit = !last && sideExit[k];
      const stopped = `{ ${exit ? '' : `c.npc = ${at + 4}; `}c.steps += ${k + 1}; return n + ${k + 1}; }`;
      const slow = last ? `{ c.pc = ${at}; s${k}(c); }` : `{ c.pc = ${at}; s${k}(c); if (c.stop !== 0) ${stopped} }`;
      if (last || exit) body.push(`c.npc = ${at + 4};`);
      const src = srcs[k];
      body.push(src === undefined ? slow : `{ ${src.split('$SLOW').join(slow)} }`);
      // Taken: back to the block's start goes round the loop again (if the budget allows another
      // full pass), anywhere else leaves the block.
      if (exit) body.push(`if (c.npc !== ${at + 4}) { n += ${k + 1}; c.steps += ${k + 1}; if (c.npc !== ${pc} || n + ${len} > budget) return n; continue; }`);
    }
    const helpers = jit ? Object.keys(dec.jitHelpers ?? {}) : [];
    const source = `return function block_${pc.toString(16)}(c, budget) {
const x = c.x, w = c.x32, m = c.mmu, tv = m.tlbVpn, tf = m.tlbFlags, tp = m.tlbPage;
let n = 0;
for (;;) {
${body.join('\n')}
n += ${len}; c.steps += ${len};
if (c.stop !== 0 || c.npc !== ${pc} || n + ${len} > budget) return n;
}
};`;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function(...steps.map((_, k) => 's' + k), ...helpers, source) as (...a: unknown[]) => Block['run'];
    return { run: make(...steps, ...helpers.map(h => dec.jitHelpers![h])), len };
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
    const threshold = Cpu.blockThreshold;
    let page: PhysPage | null = null;
    let codes: unknown[] | null = null;
    let base = -1;
    let n = 0;
    let inBlock = false;
    this.stop = 0;
    this.fault = null;
    this.trap = null;
    this.running = true;
    try {
      while (n < limit) {
        const pc = this.pc;
        if (pc - base < 0 || pc - base >= PAGE_SIZE || page!.decoded !== codes) {
          if (pc % 4 !== 0) throw new GuestFault('alignment', BigInt(pc), false, true, 'pc not 4-byte aligned');
          page = mmu.fetchPage(pc);
          base = pc - (pc % PAGE_SIZE);
          if (page.decoded === null) page.decoded = new Array<unknown>(2 * INSNS_PER_PAGE);
          codes = page.decoded;
        }
        const idx = (pc - base) >>> 2;
        this.blockPc = pc;
        if (threshold > 0) {
          const b = codes![BLOCK_SLOT + idx] as Block | number | undefined;
          if (typeof b === 'object') {
            if (b.len <= limit - n) {
              inBlock = true;
              n += b.run(this, limit - n);
              inBlock = false;
              if (this.stop !== 0) {
                if (this.stop !== Stop.CodeChanged) { this.pc = this.npc; this.running = false; return this.stop; }
                this.stop = 0;
              }
              this.pc = this.npc;
              continue;
            }
          } else {
            const visits = (b ?? 0) + 1;
            if (visits >= threshold) {
              const blk = this.buildBlock(page!, codes!, idx, pc);
              codes![BLOCK_SLOT + idx] = blk ?? NO_BLOCK;
              if (blk !== null) continue;
            } else codes![BLOCK_SLOT + idx] = visits;
          }
        }
        const s = (codes![idx] as Step | undefined) ?? this.decodeAt(page!, idx, pc);
        this.npc = pc + 4;
        s(this);
        if (this.stop !== 0) {
          if (this.stop === Stop.Breakpoint) { this.running = false; return Stop.Breakpoint; }
          this.steps++;
          n++;
          if (this.stop !== Stop.CodeChanged) { this.pc = this.npc; this.running = false; return this.stop; }
          this.stop = 0;
        } else {
          this.steps++;
          n++;
        }
        this.pc = this.npc;
      }
      this.running = false;
      return Stop.Limit;
    } catch (e) {
      // Inside a block, the instructions of the current pass before the one that threw (at pc) retired.
      if (inBlock) this.steps += (this.pc - this.blockPc) / 4;
      this.running = false;
      if (e instanceof GuestFault) { this.fault = e; return Stop.Fault; }
      if (e instanceof CpuTrap) { this.trap = e; return e.stop; }
      throw e;
    }
  }
}
