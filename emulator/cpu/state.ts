// Architectural state of one AArch64 vCPU at EL0 (plus the EL1 MTE registers the kernel programs).
import type { TagCheckControl } from '../memory/mmu';

/** Register-file indices: 0..30 = X0..X30, 31 = XZR (always 0), 32 = SP, 33 = XZR write sink. */
export const XZR = 31;
export const SP = 32;
export const SINK = 33;

export class CpuState implements TagCheckControl {
  readonly x = new BigUint64Array(34);
  /** The same registers as 32-bit halves (host byte order): Xn's low word at [2n], high at [2n+1] on little-endian hosts. */
  readonly x32 = new Uint32Array(this.x.buffer, this.x.byteOffset, 68);
  /** Vector registers: Vn low 64 bits at [2n], high 64 bits at [2n+1]. */
  readonly v = new BigUint64Array(64);
  /** The vector registers as bytes, 16-bit, 32-bit words and doubles (host byte order), for compiled blocks: Vn's word i at v32[4n + i]. */
  readonly v8 = new Uint8Array(this.v.buffer, this.v.byteOffset, 512);
  readonly v16 = new Uint16Array(this.v.buffer, this.v.byteOffset, 256);
  readonly v32 = new Uint32Array(this.v.buffer, this.v.byteOffset, 128);
  readonly vf64 = new Float64Array(this.v.buffer, this.v.byteOffset, 64);
  pc = 0;
  /** Next pc: set to pc+4 before each step; branches overwrite it. */
  npc = 0;
  /** NZCV flags as 0/1 numbers. */
  nf = 0; zf = 0; cf = 0; vf = 0;
  /** PSTATE.TCO. */
  tco = 0;
  fpcr = 0;
  fpsr = 0;
  tpidr = 0n;
  tpidrro = 0n;
  // --- MTE, EL1 registers programmed by the kernel for this thread ---
  /** SCTLR_EL1.TCF0: 0 none, 1 sync, 2 async, 3 asymmetric. */
  tcf0 = 0;
  /** GCR_EL1.Exclude (16 bits). Linux resets it to 0xffff (include mask 0: only tag 0). */
  gcrExclude = 0xffff;
  /** GCR_EL1.RRND. */
  gcrRrnd = 0;
  /** RGSR_EL1: TAG [3:0], SEED [23:8]. */
  rgsr = 0;
  /** TFSRE0_EL1: TF0 bit 0, TF1 bit 1. */
  tfsre0 = 0;
  /** SCTLR_EL1.ATA0 and HCR_EL2.ATA: allocation tag access. */
  ata = true;
  /**
   * The ID register values an EL0 MRS reads (Linux's emulation), by lower-case register name, when
   * the machine differs from the CPU's table (e.g. a VM without MTE); null = the table.
   */
  idRegisters: Readonly<Record<string, bigint>> | null = null;
  // --- exclusive monitor ---
  exclusiveAddr = -1;
  exclusiveSize = 0;
  /** Instructions retired. */
  steps = 0;

  get nzcv(): number { return (this.nf << 31 | this.zf << 30 | this.cf << 29 | this.vf << 28) >>> 0; }
  set nzcv(val: number) { this.nf = (val >>> 31) & 1; this.zf = (val >>> 30) & 1; this.cf = (val >>> 29) & 1; this.vf = (val >>> 28) & 1; }

  get sp(): bigint { return this.x[SP]; }
  set sp(val: bigint) { this.x[SP] = val; }
}
