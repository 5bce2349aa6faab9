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
// slots [0, 1024) hold each instruction's closure, slots [1024, 2048) the entry of a pc where
// control arrives from elsewhere (run start, after a block, a taken branch): a visit count (number)
// until it is hot, then a compiled Block. A block is the run of instructions from that pc to the
// first unconditional branch, exception-generating instruction (SVC, BRK...) or undefined word
// (included), the end of the page, a breakpoint or MAX_BLOCK; conditional branches inside it are side exits (it goes on along the fall-through
// path). The compiled function holds that block and the hot blocks of the same page it leads to
// (a region: they hand over through a switch on the next pc; a lone block loops on itself).
// Instructions with a JIT template (isa/jit.ts) become inline code on the registers' 32-bit halves
// and the TLB, the others calls of their closures (each call site sees one closure, so V8 can
// inline it). Before a closure runs (an instruction without template, or a template's slow path)
// the block sets `pc` (exact for faults, hooks and `retired()`) and afterwards checks `stop` (an
// SVC, a hook's stop request, a write that changed code). A region goes on from block to block
// only while the instruction budget allows the longest of them; the CPU loop single-steps when
// fewer than `len` instructions remain, so `run(limit)` stops exactly at the limit.

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
/** SVC, HVC, SMC, BRK, HLT, DCPS ("Exception generation") and UDF (the permanently undefined encodings). */
const isExceptionGenerating = (w: number): boolean => (w >>> 24) === 0xd4 || (w >>> 16) === 0;

/** Where the block entries start in a page's decode cache. */
const BLOCK_SLOT = INSNS_PER_PAGE;
/** Longest block (instructions). */
const MAX_BLOCK = 64;
/** Block-entry value of a pc that never gets a block (a breakpoint sits there). */
const NO_BLOCK = -Infinity;

interface Block {
  /**
   * Runs the region from its first block, block after block while control stays in it and `budget`
   * allows `len` more instructions; adds what retired to c.steps and returns that count, with c.npc
   * the next pc. Returns early (after the instruction) when one sets `stop`.
   */
  readonly run: (c: Cpu, budget: number) => number;
  /** The longest block of the region (instructions). */
  readonly len: number;
}

/** How many times the loop must reach a pc before its block is compiled (1 = at once). */
function defaultThreshold(): number {
  const env = typeof process !== 'undefined' ? process.env?.TAGVISOR_BLOCK_THRESHOLD : undefined;
  const v = env !== undefined ? Number(env) : NaN;
  return Number.isInteger(v) && v >= 0 ? v : 2000;
}

/** Closures of words that are not instructions (they raise SIGILL): a block ends there. */
const UNDEFINED_STEPS = new WeakSet<Step>();

/**
 * Longest region (instructions), most blocks in one, and the most source it may have: V8 does not
 * optimize functions with too much bytecode (--max-optimized-bytecode-size, 60 KiB), and a big
 * region left to the interpreter is much slower than several small ones.
 */
const MAX_REGION = 256;
const MAX_REGION_BLOCKS = 32;
const MAX_REGION_SOURCE = 12_000;

/** A block of a region: its first pc, where its closures start in the region's list, per instruction its template and whether it is a side exit. */
interface RegionBlock { pc: number; first: number; srcs: (string | undefined)[]; sideExit: boolean[] }

/** Offset in instructions of a direct branch's target (B/BL imm26, B.cond/CBZ/CBNZ imm19, TBZ/TBNZ imm14). */
function branchOffset(w: number): number {
  if (((w >>> 26) & 0x1f) === 0x05) return (w << 6) >> 6;
  if (((w >>> 25) & 0x3f) === 0x1b) return (w << 13) >> 18;
  return (w << 8) >> 13;
}

/**
 * The code of one block. `exit(k)` is the statement leaving it after its instruction k (0-based;
 * the instruction retired, c.npc is the next pc) when a branch went elsewhere than the fall-through.
 */
function blockBody(b: RegionBlock, exit: (k: number) => string): string[] {
  const body: string[] = [];
  const len = b.srcs.length;
  for (let k = 0; k < len; k++) {
    const at = b.pc + 4 * k, s = b.first + k;
    const last = k === len - 1;
    const side = !last && b.sideExit[k];
    const stopped = `{ ${side ? '' : `c.npc = ${at + 4}; `}c.steps += ${k + 1}; return n + ${k + 1}; }`;
    const slow = last ? `{ c.pc = ${at}; s${s}(c); }` : `{ c.pc = ${at}; s${s}(c); if (c.stop !== 0) ${stopped} }`;
    // npc is preset where a branch may change it (the last instruction, side exits).
    if (last || side) body.push(`c.npc = ${at + 4};`);
    const src = b.srcs[k];
    body.push(src === undefined ? slow : `{ ${src.split('$SLOW').join(slow)} }`);
    if (side) body.push(`if (c.npc !== ${at + 4}) ${exit(k)}`);
  }
  return body;
}

/** A region of one block: it loops on itself while it branches back to its start and a whole pass fits the budget. */
function loopingBlock(b: RegionBlock): string {
  const len = b.srcs.length;
  const body = blockBody(b, k => `{ n += ${k + 1}; c.steps += ${k + 1}; if (c.npc !== ${b.pc} || n + ${len} > budget) return n; continue; }`);
  return `for (;;) {
${body.join('\n')}
n += ${len}; c.steps += ${len};
if (c.stop !== 0 || c.npc !== ${b.pc} || n + ${len} > budget) return n;
}`;
}

/**
 * Several blocks: a loop over a switch on the next pc (anything else returns to the CPU loop).
 * A block that branches back to its own start loops inside its case, as a lone block does.
 */
function regionSwitch(blocks: RegionBlock[], maxLen: number): string {
  const cases = blocks.map(b => {
    const len = b.srcs.length;
    const again = `if (pc === ${b.pc} && c.stop === 0 && n + ${maxLen} <= budget) continue; break;`;
    const body = blockBody(b, k => `{ n += ${k + 1}; c.steps += ${k + 1}; pc = c.npc; ${again} }`);
    return `case ${b.pc}: {
c.blockPc = ${b.pc};
for (;;) {
${body.join('\n')}
n += ${len}; c.steps += ${len}; pc = c.npc; ${again}
}
break;
}`;
  });
  return `let pc = ${blocks[0].pc};
for (;;) {
switch (pc) {
${cases.join('\n')}
default: return n;
}
if (c.stop !== 0 || n + ${maxLen} > budget) return n;
}`;
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
  /**
   * pc of the first instruction of the block (or single instruction) being run; see `retired()`.
   * Internal: set by the CPU loop and by compiled regions as they go from block to block.
   */
  blockPc = 0;

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
  /** True while `run` executes instructions (hooks called from then are inside an instruction). */
  get inRun(): boolean { return this.running; }
  /** Where the last `run` stopped at its limit (often inside a block), else -1. */
  private limitPc = -1;

  /** Decodes the word at `pc` in `page` (slot `idx`) into the page's decode cache. */
  private decodeAt(page: PhysPage, idx: number, pc: number): Step {
    const word = page.view.getUint32(idx * 4, true);
    let s = this.decoder.compile(word);
    if (s === undefined) {
      s = (c) => { c.undefinedWord = word; throw new CpuTrap(Stop.Undefined, `undefined instruction 0x${word.toString(16).padStart(8, '0')}`); };
      UNDEFINED_STEPS.add(s);
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

  /**
   * Compiles the region starting at slot idx (pc) of page; null when a breakpoint is at pc. A region
   * is the block at pc plus the hot blocks of the same page its direct branches (and calls, with their
   * return points) lead to, breadth first, up to MAX_REGION instructions: one function whose blocks
   * hand over to each other through a `switch` on the next pc instead of returning to the CPU loop.
   */
  private buildBlock(page: PhysPage, codes: unknown[], idx: number, pc: number): Block | null {
    if (this.breakpoints.has(pc)) return null;
    const dec = this.decoder;
    // Templates work on the registers' 32-bit halves and read the TLB: little-endian hosts, and an
    // MMU whose tag-check control is this CPU (always, with makeMmu as every caller uses it).
    const jit = LITTLE_ENDIAN && dec.jitSource !== undefined && this.mmu.ctl === this;
    const base = pc - idx * 4;
    const blocks: RegionBlock[] = [];
    const steps: Step[] = [];
    const seen = new Set<number>();
    const work = [idx];
    let total = 0, size = 0;
    while (work.length > 0 && total < MAX_REGION && blocks.length < MAX_REGION_BLOCKS && size < MAX_REGION_SOURCE) {
      const start = work.shift()!;
      if (seen.has(start)) continue;
      seen.add(start);
      const b: RegionBlock = { pc: base + start * 4, first: steps.length, srcs: [], sideExit: [] };
      const next: number[] = [];
      let i = start;
      for (; i < INSNS_PER_PAGE && i - start < MAX_BLOCK; i++) {
        const at = base + i * 4;
        if (i > start && this.breakpoints.has(at)) break;
        const word = page.view.getUint32(i * 4, true);
        const step = (codes[i] as Step | undefined) ?? this.decodeAt(page, i, at);
        steps.push(step);
        b.srcs.push(jit ? dec.jitSource!(word, at) : undefined);
        const cond = isConditionalBranch(word);
        b.sideExit.push(cond);
        // Nothing runs on sequentially past an undefined instruction (often data after the code), and
        // the block never goes on past an exception-generating one (SVC, BRK, UDF... stop or throw).
        if (UNDEFINED_STEPS.has(step) || isExceptionGenerating(word)) { i = -1; break; }
        if (cond) next.push(i + branchOffset(word));
        if (isUnconditionalBranch(word)) {
          if (((word >>> 26) & 0x1f) === 0x05) next.push(i + branchOffset(word));
          if ((word >>> 26) === 0x25) next.push(i + 1);   // BL: where its RET comes back
          i = -1;
          break;
        }
      }
      if (i >= 0) next.push(i);                            // ran into the page end, MAX_BLOCK or a breakpoint
      blocks.push(b);
      total += b.srcs.length;
      for (const src of b.srcs) size += src === undefined ? 100 : src.length + 100;
      // Only successors that are hot themselves (a compiled block, or about as many visits as it
      // takes to compile one): cold paths leave the region instead of costing compile time.
      for (const t of next) {
        if (t < 0 || t >= INSNS_PER_PAGE || seen.has(t) || this.breakpoints.has(base + t * 4)) continue;
        const e = codes[BLOCK_SLOT + t];
        if (typeof e === 'object' || (typeof e === 'number' && e * 2 >= Cpu.blockThreshold)) work.push(t);
      }
    }
    const helpers = jit ? Object.keys(dec.jitHelpers ?? {}) : [];
    const maxLen = Math.max(...blocks.map(b => b.srcs.length));
    const code = blocks.length === 1 ? loopingBlock(blocks[0]) : regionSwitch(blocks, maxLen);
    // The source names the region's pcs, so each region is its own function with its own type
    // feedback (V8 shares feedback between functions compiled from the same source).
    const source = `return function block_${pc.toString(16)}(c, budget) {
const x = c.x, w = c.x32, vb = c.v8, vh = c.v16, vw = c.v32, vd = c.vf64, m = c.mmu, tv = m.tlbVpn, tf = m.tlbFlags, tp = m.tlbPage;
let n = 0;
${code}
};`;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function(...steps.map((_, k) => 's' + k), ...helpers, source) as (...a: unknown[]) => Block['run'];
    return { run: make(...steps, ...helpers.map(h => dec.jitHelpers![h])), len: maxLen };
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
    // Block entries are looked up (and visits counted) only where control arrives from elsewhere:
    // at the start, after a block, after a taken branch. Straight-line single steps (e.g. the end of
    // a chunk whose budget is too small for a block) do not make the pcs they pass through hot, nor
    // does resuming where the previous run stopped at its limit (often inside a block).
    let leader = true;
    let counted = this.pc !== this.limitPc;
    this.stop = 0;
    this.fault = null;
    this.trap = null;
    this.running = true;
    this.limitPc = -1;
    try {
      while (n < limit) {
        const pc = this.pc;
        if (pc - base < 0 || pc - base >= PAGE_SIZE || page!.decoded !== codes) {
          // Bit operations, not %: pc may be held as a double (a register branch target), and a
          // floating-point remainder is a library call. pc is an integer below 2^49, so its low bits are exact.
          if ((pc & 3) !== 0) throw new GuestFault('alignment', BigInt(pc), false, true, 'pc not 4-byte aligned');
          page = mmu.fetchPage(pc);
          // A hook asked to stop while the fetch was resolved (a stage-2 fault's event): stop before this instruction.
          if (this.stop === Stop.Requested) { this.running = false; return Stop.Requested; }
          base = pc - (pc & (PAGE_SIZE - 1));
          if (page.decoded === null) page.decoded = new Array<unknown>(2 * INSNS_PER_PAGE);
          codes = page.decoded;
        }
        const idx = (pc - base) >>> 2;
        this.blockPc = pc;
        if (threshold > 0 && leader) {
          const b = codes![BLOCK_SLOT + idx] as Block | number | undefined;
          if (typeof b === 'object') {
            if (b.len <= limit - n) {
              inBlock = true;
              n += b.run(this, limit - n);
              inBlock = false;
              leader = true;
              counted = true;
              if (this.stop !== 0) {
                if (this.stop !== Stop.CodeChanged) { this.pc = this.npc; this.running = false; return this.stop; }
                this.stop = 0;
              }
              this.pc = this.npc;
              continue;
            }
          } else if (counted) {
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
        leader = this.npc !== pc + 4;
        counted = true;
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
      this.limitPc = this.pc;
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
