// Advanced SIMD structure loads and stores: LD1-LD4 / ST1-ST4 (multiple structures, 1-4
// registers), single-structure lane forms (`ld1 {v0.s}[1], [x0]`), and LD1R-LD4R (load and
// replicate), each without offset, post-indexed by the transfer size (`#imm`) or by a register.
// Tag checks (MTE): checked unless the base is SP without writeback (QEMU: `is_postidx || rn != 31`).
// The whole transfer is translated and checked before anything is written (stores), and loads
// commit registers only after every byte was read, so a fault leaves no partial state.
import { OperandError } from '../../asm/types';
import type { Cpu } from '../../cpu/cpu';
import { gpr, memImm } from '../operands';
import { M64, rd31 } from '../semantics';
import type { Fields, InsnSpec, Operand, Step } from '../spec';
import { arrSQ, arrSQ1d, computedImm, vlist, vlistElem, type ElemCodec } from './simd-operands';
import { vregs } from './simd-regs';

const G = 'Advanced SIMD load/store structures';

// ---- memory helpers -------------------------------------------------------------------------------------

const buf = new Uint8Array(64);
const view = new DataView(buf.buffer);

/** Reads `bytes` bytes at va into buf (8-byte accesses when possible). */
function loadBytes(c: Cpu, va: bigint, bytes: number, checked: boolean, esize: number): void {
  const mmu = c.mmu;
  if (bytes >= 8 && bytes % 8 === 0) {
    // One check of the whole transfer (an async mismatch is recorded once), then the reads.
    mmu.probe(va, bytes, false, checked);
    for (let k = 0; k < bytes; k += 8) view.setBigUint64(k, mmu.read64((va + BigInt(k)) & M64, false), true);
    return;
  }
  for (let k = 0; k < bytes; k += esize) {
    const a = (va + BigInt(k)) & M64;
    switch (esize) {
      case 1: buf[k] = mmu.read8(a, checked); break;
      case 2: view.setUint16(k, mmu.read16(a, checked), true); break;
      case 4: view.setUint32(k, mmu.read32(a, checked), true); break;
      default: view.setBigUint64(k, mmu.read64(a, checked), true);
    }
  }
}

/**
 * Writes buf[0..bytes) at va after translating and tag-checking the whole range once (so a fault
 * leaves memory unchanged and an async mismatch is recorded once).
 */
function storeBytes(c: Cpu, va: bigint, bytes: number, checked: boolean, esize: number): void {
  const mmu = c.mmu;
  mmu.probe(va, bytes, true, checked);
  if (bytes % 8 === 0) {
    for (let k = 0; k < bytes; k += 8) mmu.write64((va + BigInt(k)) & M64, view.getBigUint64(k, true), false);
    return;
  }
  for (let k = 0; k < bytes; k += esize) {
    const a = (va + BigInt(k)) & M64;
    switch (esize) {
      case 1: mmu.write8(a, buf[k], false); break;
      case 2: mmu.write16(a, view.getUint16(k, true), false); break;
      case 4: mmu.write32(a, view.getUint32(k, true), false); break;
      default: mmu.write64(a, view.getBigUint64(k, true), false);
    }
  }
}

type Post = 'none' | 'imm' | 'reg';

/** Base address, and the writeback after the access. */
function withAddress(n: number, post: Post, m: number, total: number, body: (c: Cpu, va: bigint) => void): Step {
  const base = rd31(n, true);
  if (post === 'none') return c => body(c, c.x[base]);
  const inc = BigInt(total), rm = rd31(m, false);
  return c => {
    const va = c.x[base];
    body(c, va);
    c.x[base] = (va + (post === 'imm' ? inc : c.x[rm])) & M64;
  };
}

// ---- operands -------------------------------------------------------------------------------------------

const memOp = (): Operand => memImm('Rn', null, 0, { mode: 'offset' });
/** The post-index immediate: must equal the transfer size. */
const postImmOp = (total: (f: Fields) => number): Operand => computedImm('#<imm>', total, (f, v) => {
  const t = total(f);
  if (v !== t) throw new OperandError(`post-index immediate must be ${t} (the transfer size)`);
  return true;
});
const postRegOp = (): Operand => gpr('Rm', { width: 'x' });

// ---- multiple structures -------------------------------------------------------------------------------

const MULTI = [
  { opc: '0111', regs: 1, selem: 1 }, { opc: '1010', regs: 2, selem: 1 }, { opc: '0110', regs: 3, selem: 1 }, { opc: '0010', regs: 4, selem: 1 },
  { opc: '1000', regs: 2, selem: 2 }, { opc: '0100', regs: 3, selem: 3 }, { opc: '0000', regs: 4, selem: 4 },
];

function multiSpecs(): InsnSpec[] {
  const out: InsnSpec[] = [];
  for (const mm of MULTI) for (const L of [1, 0]) for (const post of ['none', 'imm', 'reg'] as Post[]) {
    const name = `${L ? 'ld' : 'st'}${mm.selem}`;
    const arr = mm.selem === 1 ? arrSQ1d() : arrSQ();
    const total = (f: Fields): number => mm.regs * (f.Q ? 16 : 8);
    const pattern = post === 'none' ? `0 Q:1 0011000 ${L} 000000 ${mm.opc} size:2 Rn:5 Rt:5`
      : post === 'imm' ? `0 Q:1 0011001 ${L} 0 11111 ${mm.opc} size:2 Rn:5 Rt:5`
        : `0 Q:1 0011001 ${L} 0 Rm:5 ${mm.opc} size:2 Rn:5 Rt:5`;
    out.push({
      id: `${name.toUpperCase()}_${mm.regs}r_${post}`, mnemonic: name, group: G,
      hover: mm.selem === 1
        ? `${L ? 'Load' : 'Store'} ${mm.regs} register${mm.regs > 1 ? 's' : ''} from consecutive memory (no interleaving)${post !== 'none' ? ', then add the transfer size (or Xm) to the base' : ''}.`
        : `${L ? 'Load' : 'Store'} ${mm.selem}-element structures, ${L ? 'de-interleaving into' : 'interleaving from'} ${mm.regs} registers${post !== 'none' ? ', then post-increment the base' : ''}.`,
      pattern,
      valid: f => (mm.selem === 1 || !(f.size === 3 && f.Q === 0)) && (post !== 'reg' || f.Rm !== 31),
      operands: [vlist('Rt', mm.regs, arr), memOp(), ...(post === 'imm' ? [postImmOp(total)] : post === 'reg' ? [postRegOp()] : [])],
      exec: f => {
        const t = f.Rt, q = f.Q, esize = 1 << f.size, regBytes = q ? 16 : 8, tot = total(f);
        const checked = post !== 'none' || f.Rn !== 31;
        const elems = regBytes / esize;
        const body = L
          ? (c: Cpu, va: bigint) => {
            loadBytes(c, va, tot, checked, esize);
            const V = vregs(c);
            for (let r = 0; r < mm.regs; r++) {
              const reg = (t + r) % 32;
              if (mm.selem === 1) { for (let k = 0; k < regBytes; k++) V.u8[reg * 16 + k] = buf[r * regBytes + k]; }
              else {
                for (let e = 0; e < elems; e++) {
                  const src = (e * mm.selem + r) * esize;
                  for (let k = 0; k < esize; k++) V.u8[reg * 16 + e * esize + k] = buf[src + k];
                }
              }
              if (!q) { V.u32[reg * 4 + 2] = 0; V.u32[reg * 4 + 3] = 0; }
            }
          }
          : (c: Cpu, va: bigint) => {
            const V = vregs(c);
            for (let r = 0; r < mm.regs; r++) {
              const reg = (t + r) % 32;
              if (mm.selem === 1) { for (let k = 0; k < regBytes; k++) buf[r * regBytes + k] = V.u8[reg * 16 + k]; }
              else {
                for (let e = 0; e < elems; e++) {
                  const dst = (e * mm.selem + r) * esize;
                  for (let k = 0; k < esize; k++) buf[dst + k] = V.u8[reg * 16 + e * esize + k];
                }
              }
            }
            storeBytes(c, va, tot, checked, esize);
          };
        return withAddress(f.Rn, post, f.Rm ?? 31, tot, body);
      },
    });
  }
  return out;
}

// ---- single structures and load-replicate ------------------------------------------------------------------

/** The lane index codecs of the single-structure forms. */
const laneCodec = (T: 'b' | 'h' | 's' | 'd'): ElemCodec => ({
  read: f => ({ T, index: T === 'b' ? (f.Q << 3) | (f.S << 2) | f.size : T === 'h' ? (f.Q << 2) | (f.S << 1) | f.sz : T === 's' ? (f.Q << 1) | f.S : f.Q }),
  write: (f, t, index) => {
    if (t !== T) return false;
    const max = T === 'b' ? 15 : T === 'h' ? 7 : T === 's' ? 3 : 1;
    if (index < 0 || index > max) throw new OperandError(`element index ${index} out of range [0, ${max}]`);
    if (T === 'b') { f.Q = index >> 3; f.S = (index >> 2) & 1; f.size = index & 3; }
    else if (T === 'h') { f.Q = index >> 2; f.S = (index >> 1) & 1; f.sz = index & 1; }
    else if (T === 's') { f.Q = index >> 1; f.S = index & 1; }
    else f.Q = index;
    return true;
  },
});

function singleSpecs(): InsnSpec[] {
  const out: InsnSpec[] = [];
  for (const T of ['b', 'h', 's', 'd'] as const) for (let selem = 1; selem <= 4; selem++) for (const L of [1, 0]) for (const post of ['none', 'imm', 'reg'] as Post[]) {
    const o0 = (selem - 1) >> 1, R = (selem - 1) & 1;
    const esize = { b: 1, h: 2, s: 4, d: 8 }[T];
    const low = T === 'b' ? `00${o0} S:1 size:2` : T === 'h' ? `01${o0} S:1 sz:1 0` : T === 's' ? `10${o0} S:1 00` : `10${o0} 0 01`;
    const mid = post === 'none' ? `0011010 ${L} ${R} 00000` : post === 'imm' ? `0011011 ${L} ${R} 11111` : `0011011 ${L} ${R} Rm:5`;
    const name = `${L ? 'ld' : 'st'}${selem}`;
    const total = selem * esize;
    out.push({
      id: `${name.toUpperCase()}_${T}_${post}`, mnemonic: name, group: G,
      hover: `${L ? 'Load' : 'Store'} one ${selem}-element structure ${L ? 'into' : 'from'} lane [index] of ${selem} register${selem > 1 ? 's' : ''} (other lanes unchanged)${post !== 'none' ? ', then post-increment the base' : ''}.`,
      pattern: `0 Q:1 ${mid} ${low} Rn:5 Rt:5`,
      valid: f => post !== 'reg' || f.Rm !== 31,
      operands: [vlistElem('Rt', selem, laneCodec(T)), memOp(), ...(post === 'imm' ? [postImmOp(() => total)] : post === 'reg' ? [postRegOp()] : [])],
      exec: f => {
        const t = f.Rt, idx = laneCodec(T).read(f)!.index;
        const checked = post !== 'none' || f.Rn !== 31;
        const body = L
          ? (c: Cpu, va: bigint) => {
            loadBytes(c, va, total, checked, esize);
            const V = vregs(c);
            for (let s = 0; s < selem; s++) {
              const reg = (t + s) % 32;
              for (let k = 0; k < esize; k++) V.u8[reg * 16 + idx * esize + k] = buf[s * esize + k];
            }
          }
          : (c: Cpu, va: bigint) => {
            const V = vregs(c);
            for (let s = 0; s < selem; s++) {
              const reg = (t + s) % 32;
              for (let k = 0; k < esize; k++) buf[s * esize + k] = V.u8[reg * 16 + idx * esize + k];
            }
            storeBytes(c, va, total, checked, esize);
          };
        return withAddress(f.Rn, post, f.Rm ?? 31, total, body);
      },
    });
  }
  // LD1R-LD4R.
  for (let selem = 1; selem <= 4; selem++) for (const post of ['none', 'imm', 'reg'] as Post[]) {
    const o0 = (selem - 1) >> 1, R = (selem - 1) & 1;
    const mid = post === 'none' ? `0011010 1 ${R} 00000` : post === 'imm' ? `0011011 1 ${R} 11111` : `0011011 1 ${R} Rm:5`;
    const name = `ld${selem}r`;
    const total = (f: Fields): number => selem << f.size;
    out.push({
      id: `LD${selem}R_${post}`, mnemonic: name, group: G,
      hover: `Load one ${selem}-element structure and replicate it to all lanes of ${selem} register${selem > 1 ? 's' : ''}${post !== 'none' ? ', then post-increment the base' : ''}.`,
      pattern: `0 Q:1 ${mid} 11${o0} 0 size:2 Rn:5 Rt:5`,
      valid: f => post !== 'reg' || f.Rm !== 31,
      operands: [vlist('Rt', selem, arrSQ1d()), memOp(), ...(post === 'imm' ? [postImmOp(total)] : post === 'reg' ? [postRegOp()] : [])],
      exec: f => {
        const t = f.Rt, esize = 1 << f.size, regBytes = f.Q ? 16 : 8, tot = total(f);
        const checked = post !== 'none' || f.Rn !== 31;
        const body = (c: Cpu, va: bigint): void => {
          loadBytes(c, va, tot, checked, esize);
          const V = vregs(c);
          for (let s = 0; s < selem; s++) {
            const reg = (t + s) % 32;
            for (let k = 0; k < regBytes; k++) V.u8[reg * 16 + k] = buf[s * esize + (k % esize)];
            if (!f.Q) { V.u32[reg * 4 + 2] = 0; V.u32[reg * 4 + 3] = 0; }
          }
        };
        return withAddress(f.Rn, post, f.Rm ?? 31, tot, body);
      },
    });
  }
  return out;
}

export const simdLdstSpecs: InsnSpec[] = [...multiSpecs(), ...singleSpecs()];

