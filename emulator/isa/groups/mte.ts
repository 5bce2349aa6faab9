// The Memory Tagging Extension instructions (reference section 2): tag arithmetic on pointers
// (IRG, GMI, ADDG, SUBG, SUBP, SUBPS/CMPP), allocation-tag loads and stores (LDG, STG, STZG, ST2G,
// STZ2G, STGP), the EL1-only bulk forms (LDGM, STGM, STZGM: UNDEFINED at EL0, decoded for the
// disassembler) and DC GVA / DC GZVA. None of these is tag-checked itself. With allocation-tag
// access disabled (`c.ata` false) tags read as 0, tag writes are dropped and IRG/ADDG/SUBG give 0.
import { CpuTrap, Stop, type Cpu } from '../../cpu/cpu';
import { gpr, imm, literal, memImm, postImm } from '../operands';
import { addc64, M64, rd31, wr31 } from '../semantics';
import type { Fields, InsnSpec, Operand } from '../spec';
import { DC_ZVA_BLOCK } from './branch-sys';
import { memBase } from './ldst-operands';

export const MTE_GROUP = 'Memory Tagging Extension';

/** DC GVA / DC GZVA operate on the DC ZVA block (DCZID_EL0.BS = 4: 64 bytes), one constant for all three. */
export const DCZ_BLOCK_BYTES = DC_ZVA_BLOCK;

const TAG_MASK = 0x0f00_0000_0000_0000n;
const NOT_TAG = M64 ^ TAG_MASK;
/** Tag t placed in bits [59:56]. */
const TAG_BITS: bigint[] = Array.from({ length: 16 }, (_, t) => BigInt(t) << 56n);
/** 1 << t, for GMI. */
const GMI_BITS: bigint[] = Array.from({ length: 16 }, (_, t) => 1n << BigInt(t));

/** The logical tag of an address: bits [59:56]. */
const tagOf = (v: bigint): number => Number(v >> 56n) & 0xf;

// Register tags without bigint arithmetic: on little-endian hosts (every host Node runs on in
// practice; checked here) a 32-bit view of the register file exposes Xn's high word at 2n+1.
const LITTLE_ENDIAN = new Uint32Array(new BigUint64Array([1n]).buffer)[0] === 1;
let viewOf: BigUint64Array | null = null;
let view32 = new Uint32Array(2);
/** The 32-bit view of c's registers (one cached view: decode caches are shared between CPUs). */
function regs32(c: Cpu): Uint32Array {
  const x = c.x;
  if (x !== viewOf) { viewOf = x; view32 = new Uint32Array(x.buffer, x.byteOffset, x.length * 2); }
  return view32;
}
/** The logical tag of register index i. */
const regTag: (c: Cpu, i: number) => number = LITTLE_ENDIAN
  ? (c, i) => (regs32(c)[2 * i + 1] >>> 24) & 0xf
  : (c, i) => tagOf(c.x[i]);
/** x[d] = x[s] with its logical tag replaced by `tag`. */
const setWithTag: (c: Cpu, d: number, s: number, tag: number) => void = LITTLE_ENDIAN
  ? (c, d, s, tag) => { const v = regs32(c); const hi = v[2 * s + 1]; v[2 * d] = v[2 * s]; v[2 * d + 1] = (hi & 0xf0ffffff) | (tag << 24); }
  : (c, d, s, tag) => { c.x[d] = (c.x[s] & NOT_TAG) | TAG_BITS[tag]; };

/** ChooseNonExcludedTag (reference 2.1). */
export function chooseNonExcludedTag(tag: number, offset: number, exclude: number): number {
  if (exclude === 0) return (tag + offset) & 0xf;
  if ((exclude & 0xffff) === 0xffff) return 0;
  if (offset === 0) {
    while ((exclude >> tag) & 1) tag = (tag + 1) & 0xf;
    return tag;
  }
  for (; offset > 0; offset--) {
    do tag = (tag + 1) & 0xf; while ((exclude >> tag) & 1);
  }
  return tag;
}

/**
 * Seed used when GCR_EL1.RRND = 1 and RGSR_EL1.SEED = 0. Our implementation-defined choice for
 * RRND = 1 is QEMU's: keep running the RGSR_EL1 LFSR (its state lives in the CPU, so runs replay
 * exactly); a kernel using RRND = 1 need not seed RGSR, so a zero seed (which would freeze the
 * LFSR) is replaced by this fixed non-zero seed. QEMU draws a random one instead.
 */
export const RRND_ZERO_SEED = 0xace1;

/** Four steps of the RGSR_EL1.SEED LFSR from seed s: (the seed after them << 4) | the 4 bits they output. */
function lfsr4(s: number): number {
  let seed = s, offset = 0;
  for (let i = 0; i < 4; i++) {
    const top = ((seed >>> 5) ^ (seed >>> 3) ^ (seed >>> 2) ^ seed) & 1;
    seed = (top << 15) | (seed >>> 1);
    offset |= top << i;
  }
  return (seed << 4) | offset;
}
/** lfsr4 for every 16-bit seed (256 KiB, built on the first IRG): one load per IRG instead of the loop. */
let LFSR4: Uint32Array | null = null;
function lfsr4Table(): Uint32Array {
  const t = new Uint32Array(0x10000);
  for (let s = 0; s < 0x10000; s++) t[s] = lfsr4(s);
  return (LFSR4 = t);
}

/** IRG's tag choice for an exclude mask; updates RGSR_EL1 (TAG and SEED). Tag access is enabled. */
export function irgTag(c: Cpu, exclude: number): number {
  let seed = (c.rgsr >>> 8) & 0xffff;
  if (seed === 0 && c.gcrRrnd) seed = RRND_ZERO_SEED;
  const step = (LFSR4 ?? lfsr4Table())[seed];
  const tag = chooseNonExcludedTag(c.rgsr & 0xf, step & 0xf, exclude);
  c.rgsr = tag | ((step >>> 4) << 8);
  return tag;
}

const bin = (v: number, len: number): string => v.toString(2).padStart(len, '0');
const sext = (v: number, bits: number): number => (v >= 2 ** (bits - 1) ? v - 2 ** bits : v);
const xsp = (field: string): Operand => gpr(field, { sp: true, width: 'x' });
const xzr = (field: string): Operand => gpr(field, { width: 'x' });

/** An EL1-only instruction: decoded so it disassembles, UNDEFINED (SIGILL) when executed at EL0. */
function undefinedAtEl0(word: (f: Fields) => number, name: string) {
  return (f: Fields) => {
    const w = word(f) >>> 0;
    return (c: Cpu) => {
      c.undefinedWord = w;
      throw new CpuTrap(Stop.Undefined, `${name} is UNDEFINED at EL0 (0x${w.toString(16).padStart(8, '0')})`);
    };
  };
}

// ---- tag arithmetic -------------------------------------------------------------------------------

const addsubg = (sub: boolean): InsnSpec => ({
  id: sub ? 'SUBG' : 'ADDG', mnemonic: sub ? 'subg' : 'addg', group: MTE_GROUP,
  hover: `${sub ? 'Subtract' : 'Add'} with tag: Xd = Xn|SP ${sub ? '-' : '+'} uimm6 (a multiple of 16, 0..1008) with its logical tag [59:56] = Xn's tag stepped uimm4 times through the tags GCR_EL1.Exclude allows (ChooseNonExcludedTag; tag 0 without tag access). Changes no allocation tag; not tag-checked.`,
  pattern: `1 ${sub ? 1 : 0} 0 100011 0 uimm6:6 00 uimm4:4 Rn:5 Rd:5`,
  operands: [xsp('Rd'), xsp('Rn'), imm('uimm6', 6, { scale: 16, hex: true }), imm('uimm4', 4, { hex: true })],
  exec: f => {
    const d = wr31(f.Rd, true), n = rd31(f.Rn, true), k = f.uimm4;
    const off = BigInt(f.uimm6 * 16);
    return sub
      ? c => {
        const xn = c.x[n];
        const t = c.ata ? chooseNonExcludedTag(tagOf(xn), k, c.gcrExclude) : 0;
        c.x[d] = ((xn - off) & NOT_TAG) | TAG_BITS[t];
      }
      : c => {
        const xn = c.x[n];
        const t = c.ata ? chooseNonExcludedTag(tagOf(xn), k, c.gcrExclude) : 0;
        c.x[d] = ((xn + off) & NOT_TAG) | TAG_BITS[t];
      };
  },
});

/** `{, Xm}` omitted when Rm is XZR (IRG). */
const optXm: Operand = {
  ...xzr('Rm'), optional: true,
  format: f => (f.Rm === 31 ? null : 'x' + f.Rm),
  parse: (text, f, ctx) => {
    if (text.trim() === '') { f.Rm = 31; return true; }
    return xzr('Rm').parse(text, f, ctx);
  },
};

const tagArith: InsnSpec[] = [
  addsubg(false),
  addsubg(true),
  {
    id: 'IRG', mnemonic: 'irg', group: MTE_GROUP,
    hover: 'Insert random tag: Xd = Xn|SP with logical tag [59:56] chosen by the RGSR_EL1 generator among the tags not excluded by GCR_EL1.Exclude OR Xm[15:0] (0 if all are excluded or tag access is disabled); updates RGSR_EL1. Changes no allocation tag; not tag-checked.',
    pattern: '1 0 0 11010110 Rm:5 000100 Rn:5 Rd:5',
    operands: [xsp('Rd'), xsp('Rn'), optXm],
    exec: f => {
      const d = wr31(f.Rd, true), n = rd31(f.Rn, true), m = rd31(f.Rm, false);
      if (f.Rm === 31) return c => { setWithTag(c, d, n, c.ata ? irgTag(c, c.gcrExclude) : 0); };
      return c => { setWithTag(c, d, n, c.ata ? irgTag(c, (c.gcrExclude | Number(c.x[m] & 0xffffn)) & 0xffff) : 0); };
    },
  },
  {
    id: 'GMI', mnemonic: 'gmi', group: MTE_GROUP,
    hover: 'Tag mask insert: Xd = Xm OR (1 << logical tag of Xn|SP), building an exclude mask for IRG. Touches no tags; not tag-checked.',
    pattern: '1 0 0 11010110 Rm:5 000101 Rn:5 Rd:5',
    operands: [xzr('Rd'), xsp('Rn'), xzr('Rm')],
    exec: f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, true), m = rd31(f.Rm, false);
      return c => { c.x[d] = c.x[m] | GMI_BITS[regTag(c, n)]; };
    },
  },
  {
    id: 'SUBP', mnemonic: 'subp', group: MTE_GROUP,
    hover: 'Subtract pointer: Xd = SignExtend(Xn|SP[55:0]) - SignExtend(Xm|SP[55:0]), ignoring the tags. Not tag-checked.',
    pattern: '1 0 0 11010110 Rm:5 000000 Rn:5 Rd:5',
    operands: [xzr('Rd'), xsp('Rn'), xsp('Rm')],
    exec: f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, true), m = rd31(f.Rm, true);
      return c => { c.x[d] = BigInt.asUintN(64, BigInt.asIntN(56, c.x[n]) - BigInt.asIntN(56, c.x[m])); };
    },
  },
  {
    id: 'SUBPS', mnemonic: 'subps', group: MTE_GROUP,
    hover: 'Subtract pointer, setting flags: Xd = SignExtend(Xn|SP[55:0]) - SignExtend(Xm|SP[55:0]) and NZCV as SUBS; `cmpp` is the alias with Xd = XZR. Not tag-checked.',
    pattern: '1 0 1 11010110 Rm:5 000000 Rn:5 Rd:5',
    operands: [xzr('Rd'), xsp('Rn'), xsp('Rm')],
    aliases: [{ mnemonic: 'cmpp', when: f => f.Rd === 31, fixed: { Rd: 31 }, operands: [xsp('Rn'), xsp('Rm')] }],
    exec: f => {
      const d = wr31(f.Rd, false), n = rd31(f.Rn, true), m = rd31(f.Rm, true);
      return c => {
        const a = BigInt.asUintN(64, BigInt.asIntN(56, c.x[n]));
        const b = BigInt.asUintN(64, BigInt.asIntN(56, c.x[m]));
        c.x[d] = addc64(c, a, (~b) & M64, 1);
      };
    },
  },
];

// ---- tag loads and stores -------------------------------------------------------------------------

const TAG_STORES = [
  { opc: 0, name: 'stg', granules: 1, zero: false },
  { opc: 1, name: 'stzg', granules: 1, zero: true },
  { opc: 2, name: 'st2g', granules: 2, zero: false },
  { opc: 3, name: 'stz2g', granules: 2, zero: true },
];

const MODES = [
  { op2: 1, key: 'post', addr: 'address = Xn|SP, then Xn|SP += simm' },
  { op2: 2, key: 'off', addr: 'address = Xn|SP + simm' },
  { op2: 3, key: 'pre', addr: 'Xn|SP += simm, then address = Xn|SP' },
] as const;

function tagStoreSpecs(): InsnSpec[] {
  const out: InsnSpec[] = [];
  for (const s of TAG_STORES) {
    const bytes = 16 * s.granules;
    for (const m of MODES) {
      const memOp = m.op2 === 1 ? memImm('Rn', 'imm9', 9, { mode: 'post' })
        : memImm('Rn', 'imm9', 9, { mode: m.op2 === 3 ? 'pre' : 'offset', signed: true, scale: 16 });
      out.push({
        id: `${s.name.toUpperCase()}_${m.key}`, mnemonic: s.name, group: MTE_GROUP,
        hover: `Store allocation tag${s.granules === 2 ? 's of two granules' : ''}: ${m.addr} (simm a multiple of 16, -4096..4080); the allocation tag of the ${bytes} bytes at the address becomes Xt|SP[59:56]${s.zero ? ', and those bytes are zeroed' : ''}. Requires 16-byte alignment (else SIGBUS); a write for permissions; dropped on untagged pages or without tag access; not tag-checked.`,
        pattern: `11011001 ${bin(s.opc, 2)} 1 imm9:9 ${bin(m.op2, 2)} Rn:5 Rt:5`,
        operands: m.op2 === 1 ? [xsp('Rt'), memOp, postImm('imm9', 9, { scale: 16 })] : [xsp('Rt'), memOp],
        exec: f => {
          const n = rd31(f.Rn, true), t = rd31(f.Rt, true), g = s.granules, z = s.zero;
          const off = BigInt.asUintN(64, BigInt(sext(f.imm9, 9) * 16));
          if (g === 1) {
            switch (m.op2) {
              case 1: return c => { const va = c.x[n]; c.mmu.storeTagGranule(va, regTag(c, t), z); c.x[n] = (va + off) & M64; };
              case 3: return c => { const va = (c.x[n] + off) & M64; c.mmu.storeTagGranule(va, regTag(c, t), z); c.x[n] = va; };
              default: return off === 0n
                ? c => { c.mmu.storeTagGranule(c.x[n], regTag(c, t), z); }
                : c => { c.mmu.storeTagGranule((c.x[n] + off) & M64, regTag(c, t), z); };
            }
          }
          switch (m.op2) {
            case 1: return c => { const va = c.x[n]; c.mmu.storeTags(va, g, regTag(c, t), z); c.x[n] = (va + off) & M64; };
            case 3: return c => { const va = (c.x[n] + off) & M64; c.mmu.storeTags(va, g, regTag(c, t), z); c.x[n] = va; };
            default: return c => { c.mmu.storeTags((c.x[n] + off) & M64, g, regTag(c, t), z); };
          }
        },
      });
    }
  }
  return out;
}

const BULK = [
  { opc: 0, name: 'stzgm', what: 'zero a DC ZVA-sized block and set all its allocation tags to Xt[3:0]' },
  { opc: 2, name: 'stgm', what: 'set the allocation tags of a GMID_EL1-sized block from the nibbles of Xt' },
  { opc: 3, name: 'ldgm', what: 'read the allocation tags of a GMID_EL1-sized block into the nibbles of Xt' },
];

const tagLoadStore: InsnSpec[] = [
  {
    id: 'LDG', mnemonic: 'ldg', group: MTE_GROUP,
    hover: 'Load allocation tag: address = (Xn|SP + simm) aligned down to 16 (simm a multiple of 16, -4096..4080); Xt[59:56] = the allocation tag of that granule, other bits of Xt kept (0 on untagged pages or without tag access). Reads no data; not tag-checked.',
    pattern: '11011001 01 1 imm9:9 00 Rn:5 Rt:5',
    operands: [xzr('Rt'), memImm('Rn', 'imm9', 9, { mode: 'offset', signed: true, scale: 16 })],
    exec: f => {
      const n = rd31(f.Rn, true), tr = rd31(f.Rt, false), tw = wr31(f.Rt, false);
      const off = BigInt.asUintN(64, BigInt(sext(f.imm9, 9) * 16));
      return c => {
        setWithTag(c, tw, tr, c.mmu.loadTag(((c.x[n] + off) & M64) & ~15n));
      };
    },
  },
  ...tagStoreSpecs(),
  ...BULK.map((b): InsnSpec => ({
    id: b.name.toUpperCase(), mnemonic: b.name, group: MTE_GROUP,
    hover: `EL1 only (SIGILL at EL0): ${b.what}, at Xn|SP aligned down to the block. Not tag-checked.`,
    pattern: `11011001 ${bin(b.opc, 2)} 1 000000000 00 Rn:5 Rt:5`,
    operands: [xzr('Rt'), memBase('Rn')],
    exec: undefinedAtEl0(f => 0xd9200000 + b.opc * 0x400000 + f.Rn * 32 + f.Rt, b.name.toUpperCase()),
  })),
  ...MODES.map((m): InsnSpec => {
    const memOp = m.op2 === 1 ? memImm('Rn', 'imm7', 7, { mode: 'post' })
      : memImm('Rn', 'imm7', 7, { mode: m.op2 === 3 ? 'pre' : 'offset', signed: true, scale: 16 });
    return {
      id: `STGP_${m.key}`, mnemonic: 'stgp', group: MTE_GROUP,
      hover: `Store allocation tag and pair: ${m.addr} (simm a multiple of 16, -1024..1008); stores Xt (low 8 bytes) and Xt2 (high 8 bytes) to the 16-byte granule at the address and sets its allocation tag to the address's own logical tag [59:56] (dropped on untagged pages or without tag access). Requires 16-byte alignment; neither part is tag-checked.`,
      pattern: `01 101 0 0 ${bin(m.op2, 2)} 0 imm7:7 Rt2:5 Rn:5 Rt:5`,
      operands: m.op2 === 1 ? [xzr('Rt'), xzr('Rt2'), memOp, postImm('imm7', 7, { scale: 16 })] : [xzr('Rt'), xzr('Rt2'), memOp],
      exec: f => {
        const n = rd31(f.Rn, true), t = rd31(f.Rt, false), t2 = rd31(f.Rt2, false);
        const off = BigInt.asUintN(64, BigInt(sext(f.imm7, 7) * 16));
        const store = (c: Cpu, va: bigint): void => {
          const lo = c.x[t], hi = c.x[t2];
          c.mmu.storeTagGranule(va, tagOf(va), false);
          c.mmu.write128(va, lo, hi, false);
        };
        switch (m.op2) {
          case 1: return c => { const va = c.x[n]; store(c, va); c.x[n] = (va + off) & M64; };
          case 3: return c => { const va = (c.x[n] + off) & M64; store(c, va); c.x[n] = va; };
          default: return c => { store(c, (c.x[n] + off) & M64); };
        }
      },
    };
  }),
];

// ---- DC GVA / DC GZVA -----------------------------------------------------------------------------

const BLOCK_MASK = ~BigInt(DCZ_BLOCK_BYTES - 1) & M64;

const dcTag: InsnSpec[] = [
  { op2: 3, name: 'gva', zero: false },
  { op2: 4, name: 'gzva', zero: true },
].map(d => ({
  id: `DC_${d.name.toUpperCase()}`, mnemonic: 'dc', group: MTE_GROUP,
  hover: `Data cache ${d.zero ? 'zero and ' : ''}set tags by VA: the ${DCZ_BLOCK_BYTES}-byte DC ZVA block containing Xt (aligned down, no alignment fault) gets allocation tag Xt[59:56]${d.zero ? ' and is zeroed' : ''}. A write for permissions; tags dropped on untagged pages or without tag access; not tag-checked.`,
  pattern: `1101010100 0 01 011 0111 0100 ${bin(d.op2, 3)} Rt:5`,
  operands: [literal(d.name), xzr('Rt')],
  exec: (f: Fields) => {
    const t = rd31(f.Rt, false), g = DCZ_BLOCK_BYTES / 16, z = d.zero;
    return (c: Cpu) => { c.mmu.storeTags(c.x[t] & BLOCK_MASK, g, regTag(c, t), z); };
  },
}));

export const mteSpecs: InsnSpec[] = [...tagArith, ...tagLoadStore, ...dcTag];

