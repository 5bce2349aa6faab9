// Serialisation helpers for migratable state: a little-endian byte writer/reader and the vCPU
// register image (what KVM_GET_ONE_REG would list for an EL0 thread: X0-X30, SP, PC, PSTATE
// NZCV and TCO, FPCR/FPSR, V0-V31, TPIDR_EL0/TPIDRRO_EL0, and the MTE system registers the kernel
// programs per thread: SCTLR_EL1.TCF0, GCR_EL1 (Exclude, RRND), RGSR_EL1, TFSRE0_EL1).
// The runtime may embed `saveCpuRegisters` in its own MigratableGuest snapshot.
import type { CpuState } from '../cpu/state';

export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private grow(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(v: number): this { this.grow(1); this.buf[this.pos++] = v; return this; }
  u32(v: number): this { this.grow(4); this.view.setUint32(this.pos, v >>> 0, true); this.pos += 4; return this; }
  /** A JavaScript number that is a safe integer (may be negative). */
  num(v: number): this { this.grow(8); this.view.setFloat64(this.pos, v, true); this.pos += 8; return this; }
  u64(v: bigint): this { this.grow(8); this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), true); this.pos += 8; return this; }
  bytes(b: Uint8Array): this { this.u32(b.length); this.grow(b.length); this.buf.set(b, this.pos); this.pos += b.length; return this; }
  str(s: string): this { return this.bytes(new TextEncoder().encode(s)); }
  done(): Uint8Array { return this.buf.slice(0, this.pos); }
}

export class ByteReader {
  private readonly view: DataView;
  pos = 0;
  constructor(private readonly buf: Uint8Array, private readonly what = 'state') {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error(`${this.what}: truncated at offset ${this.pos} (need ${n} more byte(s), have ${this.buf.length - this.pos})`);
  }
  u8(): number { this.need(1); return this.buf[this.pos++]; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  num(): number { this.need(8); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  u64(): bigint { this.need(8); const v = this.view.getBigUint64(this.pos, true); this.pos += 8; return v; }
  bytes(): Uint8Array { const n = this.u32(); this.need(n); const b = this.buf.slice(this.pos, this.pos + n); this.pos += n; return b; }
  str(): string { return new TextDecoder().decode(this.bytes()); }
  get atEnd(): boolean { return this.pos === this.buf.length; }
  expectEnd(): void { if (!this.atEnd) throw new Error(`${this.what}: ${this.buf.length - this.pos} unexpected trailing byte(s) at offset ${this.pos}`); }
}

const REGS_MAGIC = 0x52435654; // 'TVCR'
const REGS_VERSION = 1;

/** Appends the vCPU register image to `w`. */
export function saveCpuRegisters(c: CpuState, w: ByteWriter): void {
  w.u32(REGS_MAGIC).u32(REGS_VERSION);
  for (let i = 0; i <= 32; i++) w.u64(c.x[i]);        // X0-X30, (XZR), SP
  w.num(c.pc);
  w.u32(c.nzcv);
  w.u8(c.tco);                                        // PSTATE.TCO
  w.u32(c.fpcr).u32(c.fpsr);
  for (let i = 0; i < 64; i++) w.u64(c.v[i]);         // V0-V31
  w.u64(c.tpidr).u64(c.tpidrro);
  w.u8(c.tcf0);                                       // SCTLR_EL1.TCF0
  w.u32(c.gcrExclude).u8(c.gcrRrnd);                  // GCR_EL1
  w.u32(c.rgsr);                                      // RGSR_EL1
  w.u8(c.tfsre0);                                     // TFSRE0_EL1
  w.u8(c.ata ? 1 : 0);                                // SCTLR_EL1.ATA0 && HCR_EL2.ATA
  w.num(c.exclusiveAddr).u32(c.exclusiveSize);
  w.num(c.steps);
}

/** Reads a register image written by saveCpuRegisters into `c`. */
export function loadCpuRegisters(c: CpuState, r: ByteReader): void {
  const magic = r.u32();
  if (magic !== REGS_MAGIC) throw new Error(`vCPU register image: bad magic 0x${magic.toString(16)} at offset ${r.pos - 4}`);
  const ver = r.u32();
  if (ver !== REGS_VERSION) throw new Error(`vCPU register image: unsupported version ${ver}`);
  for (let i = 0; i <= 32; i++) c.x[i] = r.u64();
  c.x[31] = 0n;
  c.pc = r.num();
  c.nzcv = r.u32();
  c.tco = r.u8();
  c.fpcr = r.u32(); c.fpsr = r.u32();
  for (let i = 0; i < 64; i++) c.v[i] = r.u64();
  c.tpidr = r.u64(); c.tpidrro = r.u64();
  c.tcf0 = r.u8();
  c.gcrExclude = r.u32(); c.gcrRrnd = r.u8();
  c.rgsr = r.u32();
  c.tfsre0 = r.u8();
  c.ata = r.u8() !== 0;
  c.exclusiveAddr = r.num(); c.exclusiveSize = r.u32();
  c.steps = r.num();
}
