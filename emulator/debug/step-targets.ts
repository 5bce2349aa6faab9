// Step-in targets: the calls a step from the current pc can enter. With line information that is
// every call instruction from pc to the end of the current line (the run of consecutive
// instructions on the same file:line, across instructions with no line between two of its own);
// without it, the instruction at pc if it is a call.
// Only BL and BLR are calls here, the same instructions the debuggee's stepping treats as calls.
//
// A BLR's target is its register's value now. When an instruction between pc and the call may
// change that register first (it names it as Rd, Rt, Rt2 or Rs, or as the base of a load/store
// that may write it back; a call clobbers x0-x18 and x30; svc sets x0), the target is not known
// yet and is left out rather than guessed.
import { A64 } from '../isa/table';
import type { SourceLocation } from './source-map';

export interface CallSite {
  /** Address of the call instruction (the step-in target's identity). */
  site: number;
  kind: 'bl' | 'blr';
  /** BLR: the register number (31 = xzr). */
  register?: number;
  /**
   * Where the call goes: BL's fixed target; BLR's register value now with the top byte cleared, or
   * undefined when an instruction before the call may change the register.
   */
  target?: number;
  /** BLR: the register's whole value now (when `target` is known). */
  value?: bigint;
  /** Source position of the call instruction, when known. */
  location?: SourceLocation;
}

export interface StepTargetInput {
  pc: number;
  readWord(addr: number): number | undefined;
  lineAt(addr: number): SourceLocation | undefined;
  /** x0..x30 (31 reads as xzr = 0). */
  register(n: number): bigint;
  /** Upper bound on instructions scanned (default 10,000). */
  maxInstructions?: number;
}

const USER_TOP = 2 ** 48;

/** Decodes BL imm26 / BLR Xn; undefined for any other word. */
export function decodeCall(w: number, pc: number): { kind: 'bl'; target: number } | { kind: 'blr'; register: number } | undefined {
  if (((w & 0xfc000000) >>> 0) === 0x94000000) {
    const imm26 = w & 0x03ffffff;
    const off = (imm26 & 0x02000000 ? imm26 - 0x04000000 : imm26) * 4;
    return { kind: 'bl', target: pc + off };
  }
  if (((w & 0xfffffc1f) >>> 0) === 0xd63f0000) return { kind: 'blr', register: (w >>> 5) & 31 };
  return undefined;
}

const CALL_CLOBBERED = [...Array.from({ length: 19 }, (_, i) => i), 30];
const SVC_MASK = 0xffe0001f, SVC = 0xd4000001;

/** Adds the general registers `w` may write to `out`; false when that is not known (not decodable). */
function mayWrite(w: number, out: Set<number>): boolean {
  if (decodeCall(w, 0)) { for (const r of CALL_CLOBBERED) out.add(r); return true; }
  if (((w & SVC_MASK) >>> 0) === SVC) { out.add(0); return true; }
  const d = A64.decode(w);
  if (!d) return false;
  const f = d.fields;
  for (const k of ['Rd', 'Rt', 'Rt2', 'Rs']) if (f[k] !== undefined) out.add(f[k]);
  // Loads and stores may write their base register back (pre/post-index).
  if (f.Rt !== undefined && f.Rn !== undefined) out.add(f.Rn);
  return true;
}

/** The calls on the rest of the current line (or at pc when it has no line), in address order. */
export function callsFrom(inp: StepTargetInput): { line?: SourceLocation; calls: CallSite[] } {
  const here = inp.lineAt(inp.pc);
  const max = inp.maxInstructions ?? 10_000;
  const calls: CallSite[] = [];
  /** Registers an instruction already scanned may have changed; null = any of them. */
  let changed: Set<number> | null = new Set();
  const onLine = (l: SourceLocation | undefined): boolean => l !== undefined && here !== undefined && l.file === here.file && l.line === here.line;
  /** Instructions without a line (DWARF line 0: compilers emit them for constants) inside the line. */
  const gapInLine = (a: number): boolean => {
    for (let k = 1; k <= 16 && a + 4 * k < USER_TOP; k++) {
      const l = inp.lineAt(a + 4 * k);
      if (l) return onLine(l);
    }
    return false;
  };
  for (let k = 0, a = inp.pc; k < max && a < USER_TOP; k++, a += 4) {
    if (k > 0) {
      if (!here) break;
      const l = inp.lineAt(a);
      if (l ? !onLine(l) : !gapInLine(a)) break;
    }
    const w = inp.readWord(a);
    if (w === undefined) break;
    const c = decodeCall(w, a);
    if (c) {
      const location = k === 0 ? here : inp.lineAt(a);
      if (c.kind === 'bl') calls.push({ site: a, kind: 'bl', target: c.target, location });
      else if (c.register === 31) calls.push({ site: a, kind: 'blr', register: 31, target: 0, value: 0n, location });
      else if (changed === null || changed.has(c.register)) calls.push({ site: a, kind: 'blr', register: c.register, location });
      else {
        const v = inp.register(c.register);
        calls.push({ site: a, kind: 'blr', register: c.register, target: Number(v & 0x00ff_ffff_ffff_ffffn), value: v, location });
      }
    }
    if (changed !== null && !mayWrite(w, changed)) changed = null;
  }
  return { line: here, calls };
}
