// Ordered and atomic memory accesses: load/store exclusive (single-thread exclusive monitor in the
// CPU state), load-acquire/store-release (incl. LORegion and RCpc forms), LSE atomics, SWP, CAS and
// CASP. All of them require natural alignment (of the whole pair for pairs): a misaligned address
// is an Alignment fault (SIGBUS BUS_ADRALN), checked before translation and tag checks.
// Tag checking: these have no offset and no writeback, so they are unchecked when the base is SP
// and checked otherwise (QEMU: `rn != 31`). Atomic read-modify-writes are tag-checked as reads
// (so asymmetric mode reports them synchronously, like QEMU) and permission-checked as writes.
import type { Cpu } from '../../cpu/cpu';
import { GuestFault } from '../../memory/fault';
import { gpr, memImm, type Width } from '../operands';
import { M32, M64, rd31, wr31 } from '../semantics';
import type { Fields, InsnSpec, Operand } from '../spec';
import { memBase, nextReg } from './ldst-operands';

const ATOMIC_GROUP = 'Loads and stores (atomic and ordered)';

/** Bits [55:0] of a virtual address (the tag byte is not part of the location). */
const VA_MASK = 0x00ff_ffff_ffff_ffffn;
const SIZE_MASK = [0xffn, 0xffffn, M32, M64];
const BYTES = ['byte', 'halfword', 'word', 'doubleword'];
const SUFFIX = ['b', 'h', '', ''];
const bin = (v: number, len: number): string => v.toString(2).padStart(len, '0');

type Reader = (c: Cpu, va: bigint, checked: boolean) => bigint;
type Writer = (c: Cpu, va: bigint, v: bigint, checked: boolean) => void;
const READ: Reader[] = [
  (c, va, ch) => BigInt(c.mmu.read8(va, ch)),
  (c, va, ch) => BigInt(c.mmu.read16(va, ch)),
  (c, va, ch) => BigInt(c.mmu.read32(va, ch)),
  (c, va, ch) => c.mmu.read64(va, ch),
];
const WRITE: Writer[] = [
  (c, va, v, ch) => { c.mmu.write8(va, Number(v & 0xffn), ch); },
  (c, va, v, ch) => { c.mmu.write16(va, Number(v & 0xffffn), ch); },
  (c, va, v, ch) => { c.mmu.write32(va, Number(v & M32), ch); },
  (c, va, v, ch) => { c.mmu.write64(va, v, ch); },
];

function alignmentFault(va: bigint, write: boolean): GuestFault {
  return new GuestFault('alignment', va, write, false, 'unaligned exclusive, atomic or ordered access');
}

/** Register width of a data register for log2 size (X only for doublewords). */
const widthOf = (log2: number): Width => (log2 === 3 ? 'x' : 'w');

const CHECK = 'Tag-checked (MTE) unless the base is SP.';

// ---- load/store exclusive -------------------------------------------------------------------------

function exclusiveSpecs(): InsnSpec[] {
  const out: InsnSpec[] = [];
  for (let size = 0; size < 4; size++) {
    const log2 = size, bytes = 1 << log2, amask = BigInt(bytes - 1);
    const rt = gpr('Rt', { width: widthOf(log2) });
    const sx = SUFFIX[size];
    for (const o0 of [0, 1]) {
      // Store exclusive: STXR/STLXR Ws, Rt, [Xn|SP].
      const stName = `st${o0 ? 'l' : ''}xr${sx}`;
      out.push({
        id: `${stName.toUpperCase()}${size >= 2 ? '_' + widthOf(log2) : ''}`, mnemonic: stName, group: ATOMIC_GROUP,
        hover: `Store exclusive${o0 ? ' with release' : ''}: if the exclusive monitor holds this ${BYTES[log2]} (from a matching load exclusive), store ${widthOf(log2).toUpperCase()}t and set Ws = 0, else Ws = 1 and store nothing; the monitor is cleared. Requires ${bytes}-byte alignment. ${CHECK}`,
        pattern: `${bin(size, 2)} 001000 0 0 0 Rs:5 ${o0} 11111 Rn:5 Rt:5`,
        operands: [gpr('Rs', { width: 'w' }), rt, memBase('Rn')],
        exec: f => {
          const n = rd31(f.Rn, true), t = rd31(f.Rt, false), s = wr31(f.Rs, false), checked = f.Rn !== 31;
          const wr = WRITE[log2];
          return c => {
            const va = c.x[n];
            if ((va & amask) !== 0n) throw alignmentFault(va, true);
            const v = c.x[t];
            if (c.exclusiveAddr === Number(va & VA_MASK) && c.exclusiveSize === bytes) {
              wr(c, va, v, checked);
              c.exclusiveAddr = -1;
              c.x[s] = 0n;
            } else {
              c.exclusiveAddr = -1;
              c.x[s] = 1n;
            }
          };
        },
      });
      // Load exclusive: LDXR/LDAXR Rt, [Xn|SP].
      const ldName = `ld${o0 ? 'a' : ''}xr${sx}`;
      out.push({
        id: `${ldName.toUpperCase()}${size >= 2 ? '_' + widthOf(log2) : ''}`, mnemonic: ldName, group: ATOMIC_GROUP,
        hover: `Load exclusive${o0 ? ' with acquire' : ''}: load a ${BYTES[log2]} into ${widthOf(log2).toUpperCase()}t (zero-extended) and mark the address in the exclusive monitor for a following store exclusive. Requires ${bytes}-byte alignment. ${CHECK}`,
        pattern: `${bin(size, 2)} 001000 0 1 0 11111 ${o0} 11111 Rn:5 Rt:5`,
        operands: [rt, memBase('Rn')],
        exec: f => {
          const n = rd31(f.Rn, true), t = wr31(f.Rt, false), checked = f.Rn !== 31;
          const rd = READ[log2];
          return c => {
            const va = c.x[n];
            if ((va & amask) !== 0n) throw alignmentFault(va, false);
            const v = rd(c, va, checked);
            c.x[t] = v;
            c.exclusiveAddr = Number(va & VA_MASK);
            c.exclusiveSize = bytes;
          };
        },
      });
    }
  }
  // Pairs: STXP/STLXP Ws, Rt, Rt2, [Xn|SP]; LDXP/LDAXP Rt, Rt2, [Xn|SP] (sz: 0 = W, 1 = X).
  for (const sz of [0, 1]) {
    const w: Width = sz ? 'x' : 'w', bytes = sz ? 16 : 8, amask = BigInt(bytes - 1);
    for (const o0 of [0, 1]) {
      const stName = `st${o0 ? 'l' : ''}xp`;
      out.push({
        id: `${stName.toUpperCase()}_${w}`, mnemonic: stName, group: ATOMIC_GROUP,
        hover: `Store exclusive pair${o0 ? ' with release' : ''}: if the exclusive monitor holds these ${bytes} bytes, store ${w.toUpperCase()}t then ${w.toUpperCase()}t2 and set Ws = 0, else Ws = 1; the monitor is cleared. Requires ${bytes}-byte alignment. ${CHECK}`,
        pattern: `1 ${sz} 001000 0 0 1 Rs:5 ${o0} Rt2:5 Rn:5 Rt:5`,
        operands: [gpr('Rs', { width: 'w' }), gpr('Rt', { width: w }), gpr('Rt2', { width: w }), memBase('Rn')],
        exec: f => {
          const n = rd31(f.Rn, true), t = rd31(f.Rt, false), t2 = rd31(f.Rt2, false), s = wr31(f.Rs, false), checked = f.Rn !== 31;
          return c => {
            const va = c.x[n];
            if ((va & amask) !== 0n) throw alignmentFault(va, true);
            const lo = c.x[t], hi = c.x[t2];
            if (c.exclusiveAddr === Number(va & VA_MASK) && c.exclusiveSize === bytes) {
              if (sz) c.mmu.write128(va, lo, hi, checked);
              else c.mmu.write64(va, (lo & M32) | ((hi & M32) << 32n), checked);
              c.exclusiveAddr = -1;
              c.x[s] = 0n;
            } else {
              c.exclusiveAddr = -1;
              c.x[s] = 1n;
            }
          };
        },
      });
      const ldName = `ld${o0 ? 'a' : ''}xp`;
      out.push({
        id: `${ldName.toUpperCase()}_${w}`, mnemonic: ldName, group: ATOMIC_GROUP,
        hover: `Load exclusive pair${o0 ? ' with acquire' : ''}: load ${bytes} bytes into ${w.toUpperCase()}t (low) and ${w.toUpperCase()}t2 (high) and mark them in the exclusive monitor. Requires ${bytes}-byte alignment. ${CHECK}`,
        pattern: `1 ${sz} 001000 0 1 1 11111 ${o0} Rt2:5 Rn:5 Rt:5`,
        operands: [gpr('Rt', { width: w }), gpr('Rt2', { width: w }), memBase('Rn')],
        exec: f => {
          const n = rd31(f.Rn, true), t = wr31(f.Rt, false), t2 = wr31(f.Rt2, false), checked = f.Rn !== 31;
          return c => {
            const va = c.x[n];
            if ((va & amask) !== 0n) throw alignmentFault(va, false);
            let lo: bigint, hi: bigint;
            if (sz) { lo = c.mmu.read128(va, checked); hi = c.mmu.hi128; }
            else { const v = c.mmu.read64(va, checked); lo = v & M32; hi = v >> 32n; }
            c.x[t] = lo; c.x[t2] = hi;
            c.exclusiveAddr = Number(va & VA_MASK);
            c.exclusiveSize = bytes;
          };
        },
      });
    }
  }
  return out;
}

// ---- load-acquire / store-release ----------------------------------------------------------------

/** An aligned ordered load of log2 bytes at a computed address into Rt (optionally sign-extended). */
function orderedLoad(log2: number, rt: number, checked: boolean, signed: Width | null): (c: Cpu, va: bigint) => void {
  const t = wr31(rt, false), amask = BigInt((1 << log2) - 1), rd = READ[log2], bits = 8 << log2;
  if (signed === 'x') return (c, va) => { if ((va & amask) !== 0n) throw alignmentFault(va, false); c.x[t] = BigInt.asUintN(64, BigInt.asIntN(bits, rd(c, va, checked))); };
  if (signed === 'w') return (c, va) => { if ((va & amask) !== 0n) throw alignmentFault(va, false); c.x[t] = BigInt.asUintN(32, BigInt.asIntN(bits, rd(c, va, checked))); };
  return (c, va) => { if ((va & amask) !== 0n) throw alignmentFault(va, false); c.x[t] = rd(c, va, checked); };
}

function orderedStore(log2: number, rt: number, checked: boolean): (c: Cpu, va: bigint) => void {
  const t = rd31(rt, false), amask = BigInt((1 << log2) - 1), wr = WRITE[log2];
  return (c, va) => { if ((va & amask) !== 0n) throw alignmentFault(va, true); wr(c, va, c.x[t], checked); };
}

function orderedSpecs(): InsnSpec[] {
  const out: InsnSpec[] = [];
  for (let size = 0; size < 4; size++) {
    const log2 = size, w = widthOf(log2), sx = SUFFIX[size], idw = size >= 2 ? '_' + w : '';
    const rt = gpr('Rt', { width: w });
    for (const o0 of [1, 0]) {
      const lor = o0 === 0; // LORegion forms: the same as the plain ones outside LORegions
      const st = `st${lor ? 'll' : 'l'}r${sx}`, ld = `ld${lor ? 'la' : 'a'}r${sx}`;
      out.push({
        id: `${st.toUpperCase()}${idw}`, mnemonic: st, group: ATOMIC_GROUP,
        hover: `Store-release${lor ? ' (LORelease)' : ''}: store ${BYTES[log2]} ${w.toUpperCase()}t to [Xn|SP], ordered after all earlier accesses. Requires ${1 << log2}-byte alignment. ${CHECK}`,
        pattern: `${bin(size, 2)} 001000 1 0 0 11111 ${o0} 11111 Rn:5 Rt:5`,
        operands: [rt, memBase('Rn')],
        exec: f => { const n = rd31(f.Rn, true), acc = orderedStore(log2, f.Rt, f.Rn !== 31); return c => { acc(c, c.x[n]); }; },
      });
      out.push({
        id: `${ld.toUpperCase()}${idw}`, mnemonic: ld, group: ATOMIC_GROUP,
        hover: `Load-acquire${lor ? ' (LOAcquire)' : ''}: load a ${BYTES[log2]} into ${w.toUpperCase()}t, ordered before all later accesses. Requires ${1 << log2}-byte alignment. ${CHECK}`,
        pattern: `${bin(size, 2)} 001000 1 1 0 11111 ${o0} 11111 Rn:5 Rt:5`,
        operands: [rt, memBase('Rn')],
        exec: f => { const n = rd31(f.Rn, true), acc = orderedLoad(log2, f.Rt, f.Rn !== 31, null); return c => { acc(c, c.x[n]); }; },
      });
    }
    // LDAPR (RCpc).
    out.push({
      id: `LDAPR${sx.toUpperCase()}${idw}`, mnemonic: `ldapr${sx}`, group: ATOMIC_GROUP,
      hover: `Load-acquire RCpc: load a ${BYTES[log2]} into ${w.toUpperCase()}t (processor-consistent acquire). Requires ${1 << log2}-byte alignment. ${CHECK}`,
      pattern: `${bin(size, 2)} 111000 1 0 1 11111 1 100 00 Rn:5 Rt:5`,
      operands: [rt, memBase('Rn')],
      exec: f => { const n = rd31(f.Rn, true), acc = orderedLoad(log2, f.Rt, f.Rn !== 31, null); return c => { acc(c, c.x[n]); }; },
    });
  }
  // LDAPUR/STLUR family (RCpc, unscaled signed offset).
  const RCPC: { size: number; opc: number; name: string; op: 'st' | 'ld' | 'lds'; w: Width }[] = [
    { size: 0, opc: 0, name: 'stlurb', op: 'st', w: 'w' }, { size: 0, opc: 1, name: 'ldapurb', op: 'ld', w: 'w' },
    { size: 0, opc: 2, name: 'ldapursb', op: 'lds', w: 'x' }, { size: 0, opc: 3, name: 'ldapursb', op: 'lds', w: 'w' },
    { size: 1, opc: 0, name: 'stlurh', op: 'st', w: 'w' }, { size: 1, opc: 1, name: 'ldapurh', op: 'ld', w: 'w' },
    { size: 1, opc: 2, name: 'ldapursh', op: 'lds', w: 'x' }, { size: 1, opc: 3, name: 'ldapursh', op: 'lds', w: 'w' },
    { size: 2, opc: 0, name: 'stlur', op: 'st', w: 'w' }, { size: 2, opc: 1, name: 'ldapur', op: 'ld', w: 'w' },
    { size: 2, opc: 2, name: 'ldapursw', op: 'lds', w: 'x' },
    { size: 3, opc: 0, name: 'stlur', op: 'st', w: 'x' }, { size: 3, opc: 1, name: 'ldapur', op: 'ld', w: 'x' },
  ];
  for (const r of RCPC) {
    const log2 = r.size;
    out.push({
      id: `${r.name.toUpperCase()}_${r.w}${r.size}`, mnemonic: r.name, group: ATOMIC_GROUP,
      hover: r.op === 'st'
        ? `Store-release (unscaled offset): store ${BYTES[log2]} ${r.w.toUpperCase()}t to Xn|SP + imm (-256..255). Requires ${1 << log2}-byte alignment. ${CHECK}`
        : `Load-acquire RCpc (unscaled offset): load a ${BYTES[log2]} from Xn|SP + imm (-256..255) into ${r.w.toUpperCase()}t${r.op === 'lds' ? ', sign-extended' : ''}. Requires ${1 << log2}-byte alignment. ${CHECK}`,
      pattern: `${bin(r.size, 2)} 011001 ${bin(r.opc, 2)} 0 imm9:9 00 Rn:5 Rt:5`,
      operands: [gpr('Rt', { width: r.w }), memImm('Rn', 'imm9', 9, { mode: 'offset', signed: true })],
      exec: f => {
        const n = rd31(f.Rn, true), checked = f.Rn !== 31;
        const off = BigInt.asUintN(64, BigInt(f.imm9 >= 256 ? f.imm9 - 512 : f.imm9));
        const acc = r.op === 'st' ? orderedStore(log2, f.Rt, checked) : orderedLoad(log2, f.Rt, checked, r.op === 'lds' ? r.w : null);
        return c => { acc(c, (c.x[n] + off) & M64); };
      },
    });
  }
  return out;
}

// ---- LSE atomics, SWP ---------------------------------------------------------------------------

type AtomicOp = (old: bigint, s: bigint) => bigint;

const ATOMIC_OPS: { name: string; o3: number; opc: number; desc: string; make: (bits: number) => AtomicOp }[] = [
  { name: 'add', o3: 0, opc: 0, desc: 'adds Rs to it', make: bits => { const m = SIZE_MASK[Math.log2(bits / 8)]; return (o, s) => (o + s) & m; } },
  { name: 'clr', o3: 0, opc: 1, desc: 'clears the bits set in Rs (AND NOT)', make: () => (o, s) => o & ~s },
  { name: 'eor', o3: 0, opc: 2, desc: 'exclusive-ORs Rs into it', make: () => (o, s) => o ^ s },
  { name: 'set', o3: 0, opc: 3, desc: 'sets the bits set in Rs (OR)', make: () => (o, s) => o | s },
  { name: 'smax', o3: 0, opc: 4, desc: 'keeps the signed maximum of it and Rs', make: bits => (o, s) => (BigInt.asIntN(bits, s) > BigInt.asIntN(bits, o) ? s : o) },
  { name: 'smin', o3: 0, opc: 5, desc: 'keeps the signed minimum of it and Rs', make: bits => (o, s) => (BigInt.asIntN(bits, s) < BigInt.asIntN(bits, o) ? s : o) },
  { name: 'umax', o3: 0, opc: 6, desc: 'keeps the unsigned maximum of it and Rs', make: () => (o, s) => (s > o ? s : o) },
  { name: 'umin', o3: 0, opc: 7, desc: 'keeps the unsigned minimum of it and Rs', make: () => (o, s) => (s < o ? s : o) },
];

/**
 * The common frame of a read-modify-write: alignment, then translation and write permission for
 * the whole location, then the tag check (as a read), and only then the data access.
 */
function rmwPrologue(c: Cpu, va: bigint, bytes: number, amask: bigint, checked: boolean): void {
  if ((va & amask) !== 0n) throw alignmentFault(va, true);
  c.mmu.probe(va, bytes, true, false);
  if (checked) c.mmu.probe(va, bytes, false, true);
}

const ORDER = (a: number, r: number): string => (a && r ? ' with acquire and release' : a ? ' with acquire' : r ? ' with release' : '');
const AR = (a: number, r: number): string => (a ? 'a' : '') + (r ? 'l' : '');

function atomicSpecs(): InsnSpec[] {
  const out: InsnSpec[] = [];
  for (let size = 0; size < 4; size++) {
    const log2 = size, bytes = 1 << log2, bits = 8 << log2, amask = BigInt(bytes - 1), w = widthOf(log2), sx = SUFFIX[size];
    const mask = SIZE_MASK[log2];
    const idw = size >= 2 ? '_' + w : '';
    for (let A = 0; A < 2; A++) for (let R = 0; R < 2; R++) {
      const ops = [...ATOMIC_OPS, { name: 'swp', o3: 1, opc: 0, desc: 'is replaced by Rs', make: () => (_o: bigint, s: bigint) => s }];
      for (const op of ops) {
        const swp = op.name === 'swp';
        const name = swp ? `swp${AR(A, R)}${sx}` : `ld${op.name}${AR(A, R)}${sx}`;
        const operands: Operand[] = [gpr('Rs', { width: w }), gpr('Rt', { width: w }), memBase('Rn')];
        const aliases = !swp && A === 0 ? [{
          mnemonic: `st${op.name}${R ? 'l' : ''}${sx}`, when: (f: Fields) => f.Rt === 31, fixed: { Rt: 31 },
          operands: [gpr('Rs', { width: w }), memBase('Rn')],
        }] : undefined;
        out.push({
          id: `${name.toUpperCase()}${idw}`, mnemonic: name, group: ATOMIC_GROUP,
          hover: swp
            ? `Swap${ORDER(A, R)}: atomically load the ${BYTES[log2]} at [Xn|SP] into ${w.toUpperCase()}t and store ${w.toUpperCase()}s there. Requires ${bytes}-byte alignment. ${CHECK}`
            : `Atomic ${op.name}${ORDER(A, R)}: atomically load the ${BYTES[log2]} at [Xn|SP] into ${w.toUpperCase()}t (old value); the memory ${op.desc}. ${aliases ? `With Rt = ZR it is the store-only alias st${op.name}. ` : ''}Requires ${bytes}-byte alignment. ${CHECK}`,
          pattern: `${bin(size, 2)} 111 0 00 ${A} ${R} 1 Rs:5 ${op.o3} ${bin(op.opc, 3)} 00 Rn:5 Rt:5`,
          operands, aliases,
          exec: f => {
            const n = rd31(f.Rn, true), s = rd31(f.Rs, false), t = wr31(f.Rt, false), checked = f.Rn !== 31;
            const rd = READ[log2], wr = WRITE[log2], fn = op.make(bits);
            return c => {
              const va = c.x[n];
              rmwPrologue(c, va, bytes, amask, checked);
              const old = rd(c, va, false);
              wr(c, va, fn(old, c.x[s] & mask), false);
              c.x[t] = old;
            };
          },
        });
      }
    }
  }
  return out;
}

// ---- CAS, CASP ----------------------------------------------------------------------------------

function casSpecs(): InsnSpec[] {
  const out: InsnSpec[] = [];
  for (let size = 0; size < 4; size++) {
    const log2 = size, bytes = 1 << log2, amask = BigInt(bytes - 1), w = widthOf(log2), sx = SUFFIX[size], mask = SIZE_MASK[log2];
    for (let L = 0; L < 2; L++) for (let o0 = 0; o0 < 2; o0++) {
      const name = `cas${AR(L, o0)}${sx}`;
      out.push({
        id: `${name.toUpperCase()}${size >= 2 ? '_' + w : ''}`, mnemonic: name, group: ATOMIC_GROUP,
        hover: `Compare and swap${ORDER(L, o0)}: atomically, if the ${BYTES[log2]} at [Xn|SP] equals ${w.toUpperCase()}s store ${w.toUpperCase()}t there; ${w.toUpperCase()}s receives the old value either way. Requires ${bytes}-byte alignment. ${CHECK}`,
        pattern: `${bin(size, 2)} 001000 1 ${L} 1 Rs:5 ${o0} 11111 Rn:5 Rt:5`,
        operands: [gpr('Rs', { width: w }), gpr('Rt', { width: w }), memBase('Rn')],
        exec: f => {
          const n = rd31(f.Rn, true), s = rd31(f.Rs, false), sw = wr31(f.Rs, false), t = rd31(f.Rt, false), checked = f.Rn !== 31;
          const rd = READ[log2], wr = WRITE[log2];
          return c => {
            const va = c.x[n];
            rmwPrologue(c, va, bytes, amask, checked);
            const old = rd(c, va, false);
            if (old === (c.x[s] & mask)) wr(c, va, c.x[t], false);
            c.x[sw] = old;
          };
        },
      });
    }
  }
  for (const sz of [0, 1]) {
    const w: Width = sz ? 'x' : 'w', bytes = sz ? 16 : 8, amask = BigInt(bytes - 1);
    for (let L = 0; L < 2; L++) for (let o0 = 0; o0 < 2; o0++) {
      const name = `casp${AR(L, o0)}`;
      out.push({
        id: `${name.toUpperCase()}_${w}`, mnemonic: name, group: ATOMIC_GROUP,
        hover: `Compare and swap pair${ORDER(L, o0)}: atomically, if the ${bytes} bytes at [Xn|SP] equal ${w.toUpperCase()}s:${w.toUpperCase()}(s+1) store ${w.toUpperCase()}t:${w.toUpperCase()}(t+1) there; the first pair receives the old value. Registers must be even-numbered. Requires ${bytes}-byte alignment. ${CHECK}`,
        pattern: `0 ${sz} 001000 0 ${L} 1 Rs:5 ${o0} 11111 Rn:5 Rt:5`,
        valid: f => (f.Rs & 1) === 0 && (f.Rt & 1) === 0,
        operands: [gpr('Rs', { width: w }), nextReg('Rs', w), gpr('Rt', { width: w }), nextReg('Rt', w), memBase('Rn')],
        exec: f => {
          const n = rd31(f.Rn, true), checked = f.Rn !== 31;
          const s0 = rd31(f.Rs, false), s1 = rd31(f.Rs + 1, false), sw0 = wr31(f.Rs, false), sw1 = wr31(f.Rs + 1, false);
          const t0 = rd31(f.Rt, false), t1 = rd31(f.Rt + 1, false);
          return c => {
            const va = c.x[n];
            rmwPrologue(c, va, bytes, amask, checked);
            let lo: bigint, hi: bigint;
            if (sz) {
              lo = c.mmu.read128(va, false); hi = c.mmu.hi128;
              if (lo === c.x[s0] && hi === c.x[s1]) c.mmu.write128(va, c.x[t0], c.x[t1], false);
            } else {
              const v = c.mmu.read64(va, false);
              lo = v & M32; hi = v >> 32n;
              if (lo === (c.x[s0] & M32) && hi === (c.x[s1] & M32)) c.mmu.write64(va, (c.x[t0] & M32) | ((c.x[t1] & M32) << 32n), false);
            }
            c.x[sw0] = lo; c.x[sw1] = hi;
          };
        },
      });
    }
  }
  return out;
}

export const ldstAtomicSpecs: InsnSpec[] = [
  ...exclusiveSpecs(),
  ...orderedSpecs(),
  ...atomicSpecs(),
  ...casSpecs(),
];

