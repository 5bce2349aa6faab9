// Call stack from the AArch64 frame-record chain (AAPCS64: x29 points at {previous x29, x30}).
// Without CFI the innermost frame needs care: before a function has made its frame record (at its
// entry, in a leaf that never makes one, or at its final `ret`) the caller is in x30 and x29 still
// belongs to the caller. That is decided by looking at the function's code from its symbol's start
// to pc for the instruction that sets x29 from sp (`mov x29, sp` / `add x29, sp, #n`).
// x30 is only the caller when it was set by the call into this function: after a call this
// function made has returned (or in `_start`, which has no caller and makes no frame record), x30
// is left over and points back into this same function, so it is not taken for a caller frame.

export interface UnwindInput {
  pc: number;
  sp: bigint;
  fp: bigint;
  lr: bigint;
  /** Start address of the function containing pc (from the symbol table), if known. */
  functionStart(pc: number): number | undefined;
  /** The instruction word at an address, or undefined if unreadable. */
  readWord(addr: number): number | undefined;
  /** A 64-bit little-endian value at an address, or undefined if unreadable. */
  readU64(addr: bigint): bigint | undefined;
  /** Maximum frames (default 64). */
  maxFrames?: number;
}

export interface UnwoundFrame {
  /** For frame 0 the pc; for callers the return address. */
  pc: number;
  /** The frame pointer value for this frame (0n when unknown). */
  fp: bigint;
  /** True for caller frames: pc is a return address (the call is at pc - 4). */
  isReturnAddress: boolean;
}

const RET = 0xd65f03c0;
/** `add x29, sp, #imm` (mov x29, sp is imm 0), any 12-bit immediate, no shift. */
const isSetFp = (w: number): boolean => ((w & 0xffc003ff) >>> 0) === 0x910003fd;
const USER_TOP = 2n ** 48n;
const untag = (v: bigint): bigint => v & 0x00ff_ffff_ffff_ffffn;

function frameRecordMade(inp: UnwindInput): boolean {
  const w = inp.readWord(inp.pc);
  if (w === RET) return false;
  const start = inp.functionStart(inp.pc);
  if (start === undefined || start > inp.pc || inp.pc - start > 64 * 1024) return true;
  for (let a = start; a < inp.pc; a += 4) {
    const x = inp.readWord(a);
    if (x === undefined) return true;
    if (isSetFp(x)) return true;
  }
  return false;
}

/** BL's target, or undefined for any other word. */
function blTarget(w: number, at: number): number | undefined {
  if (((w & 0xfc000000) >>> 0) !== 0x94000000) return undefined;
  const imm26 = w & 0x03ffffff;
  return at + (imm26 & 0x02000000 ? imm26 - 0x04000000 : imm26) * 4;
}

/**
 * Whether x30 (lr, untagged) is the return address into the caller of pc's function. A return
 * address into that same function is left over from a call it made, unless the call before it is
 * a BL to the function itself (a recursive call that has not made its frame record yet).
 */
function lrIsCaller(inp: UnwindInput, lr: bigint): boolean {
  const here = inp.functionStart(inp.pc);
  if (here === undefined) return true;
  // The call site (lr - 4) decides the function: a call can be a function's last instruction.
  const site = Number(lr) - 4;
  if (inp.functionStart(site) !== here) return true;
  const w = inp.readWord(site);
  return w !== undefined && blTarget(w, site) === here;
}

export function unwind(inp: UnwindInput): UnwoundFrame[] {
  const max = inp.maxFrames ?? 64;
  const frames: UnwoundFrame[] = [{ pc: inp.pc, fp: inp.fp, isReturnAddress: false }];
  let fp = untag(inp.fp);
  if (!frameRecordMade(inp)) {
    const lr = untag(inp.lr);
    if (lr === 0n || lr >= USER_TOP || lr % 4n !== 0n || !lrIsCaller(inp, lr)) return frames;
    frames.push({ pc: Number(lr), fp, isReturnAddress: true });
  }
  const sp = untag(inp.sp);
  while (frames.length < max) {
    if (fp === 0n || fp % 8n !== 0n || fp >= USER_TOP || fp < sp) break;
    const prev = inp.readU64(fp);
    const ret = inp.readU64(fp + 8n);
    if (prev === undefined || ret === undefined) break;
    const r = untag(ret);
    if (r === 0n || r >= USER_TOP || r % 4n !== 0n) break;
    frames.push({ pc: Number(r), fp: untag(prev), isReturnAddress: true });
    const next = untag(prev);
    if (next !== 0n && next <= fp) break;
    fp = next;
  }
  return frames;
}
