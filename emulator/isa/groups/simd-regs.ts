// Typed-array views of the vector register file for lane operations. `c.v` is a BigUint64Array(64)
// (Vn low half at [2n], high at [2n+1]); these views share its buffer, so lane i of Vn with an
// element of e bytes is index n*16/e + i of the view of that element size (little-endian host).
import type { Cpu } from '../../cpu/cpu';

export interface VViews {
  u8: Uint8Array; i8: Int8Array;
  u16: Uint16Array; i16: Int16Array;
  u32: Uint32Array; i32: Int32Array;
  f32: Float32Array; f64: Float64Array;
  u64: BigUint64Array; i64: BigInt64Array;
}

export function makeViews(buf: ArrayBuffer, byteOffset = 0, bytes = buf.byteLength - byteOffset): VViews {
  return {
    u8: new Uint8Array(buf, byteOffset, bytes), i8: new Int8Array(buf, byteOffset, bytes),
    u16: new Uint16Array(buf, byteOffset, bytes / 2), i16: new Int16Array(buf, byteOffset, bytes / 2),
    u32: new Uint32Array(buf, byteOffset, bytes / 4), i32: new Int32Array(buf, byteOffset, bytes / 4),
    f32: new Float32Array(buf, byteOffset, bytes / 4), f64: new Float64Array(buf, byteOffset, bytes / 8),
    u64: new BigUint64Array(buf, byteOffset, bytes / 8), i64: new BigInt64Array(buf, byteOffset, bytes / 8),
  };
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('Tagvisor needs a little-endian host');

let lastV: BigUint64Array | null = null;
let lastViews: VViews | null = null;

/** The views of a CPU's vector registers (cached for the last register file seen). */
export function vregs(c: Cpu): VViews {
  const v = c.v;
  if (v !== lastV) { lastV = v; lastViews = makeViews(v.buffer as ArrayBuffer, v.byteOffset, 512); }
  return lastViews!;
}

/** Scratch space of four 128-bit registers for results that must not overwrite sources early. */
export const T = makeViews(new ArrayBuffer(64));

/** Clears bits [127:64] of Vd (every write of 64 bits or less does this). */
export function zeroHigh(V: VViews, d: number): void { V.u32[d * 4 + 2] = 0; V.u32[d * 4 + 3] = 0; }

/** Copies `bytes` (8 or 16) from scratch register s to Vd, zeroing the upper half for 8. */
export function fromScratch(V: VViews, d: number, s: number, bytes: number): void {
  const o = d * 4, so = s * 4;
  V.u32[o] = T.u32[so]; V.u32[o + 1] = T.u32[so + 1];
  if (bytes === 16) { V.u32[o + 2] = T.u32[so + 2]; V.u32[o + 3] = T.u32[so + 3]; }
  else { V.u32[o + 2] = 0; V.u32[o + 3] = 0; }
}

/** FPSR.QC (cumulative saturation). */
export const QC = 1 << 27;
