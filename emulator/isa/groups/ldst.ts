// Loads and stores of single registers and pairs (Arm ARM C4.1.x "Loads and Stores"): unsigned
// scaled offset, unscaled (LDUR), pre/post-index, unprivileged (LDTR), register offset with extend,
// PC-relative literal, LDP/STP/LDPSW/LDNP/STNP, PRFM/PRFUM, for general-purpose and FP/SIMD
// scalar registers. Described once as data: an access *kind* (what is moved) crossed with an
// addressing *mode* (how the address is formed).
//
// Tag checking (reference 1.4): immediate-offset forms with SP as base and no writeback are
// unchecked; pre/post-index (writeback) and register-offset forms are checked; literal loads and
// prefetches are unchecked.
import { CpuTrap, Stop, type Cpu } from '../../cpu/cpu';
import { gpr, gprName, memImm, parseGpr, postImm, type Width } from '../operands';
import { M32, M64, rd31, wr31 } from '../semantics';
import { compilePattern, insertFields, type Fields, type InsnSpec, type Operand, type Step } from '../spec';
import { fpreg, memRegOff, pcLabel, prfop, regOffValid } from './ldst-operands';

export const LDST_GROUP = 'Loads and stores';

/** What an access does with its register(s). */
type Op = 'st' | 'ld' | 'lds' | 'prf';

/** One access kind of the single-register load/store encodings (size, V, opc). */
interface Kind {
  id: string;
  size: number; V: number; opc: number;
  /** log2 of the access size in bytes (0..4). */
  log2: number;
  op: Op;
  /** Register view: GP width, or 'fp' (FP/SIMD scalar of size 1 << log2), or none for prefetch. */
  reg: Width | 'fp' | 'none';
  /** Mnemonics: scaled/indexed/register forms, unscaled form, unprivileged form (if any). */
  name: string; uname: string; tname?: string;
}

const GP_KINDS: Kind[] = [
  { id: 'STRB', size: 0, V: 0, opc: 0, log2: 0, op: 'st', reg: 'w', name: 'strb', uname: 'sturb', tname: 'sttrb' },
  { id: 'LDRB', size: 0, V: 0, opc: 1, log2: 0, op: 'ld', reg: 'w', name: 'ldrb', uname: 'ldurb', tname: 'ldtrb' },
  { id: 'LDRSB_x', size: 0, V: 0, opc: 2, log2: 0, op: 'lds', reg: 'x', name: 'ldrsb', uname: 'ldursb', tname: 'ldtrsb' },
  { id: 'LDRSB_w', size: 0, V: 0, opc: 3, log2: 0, op: 'lds', reg: 'w', name: 'ldrsb', uname: 'ldursb', tname: 'ldtrsb' },
  { id: 'STRH', size: 1, V: 0, opc: 0, log2: 1, op: 'st', reg: 'w', name: 'strh', uname: 'sturh', tname: 'sttrh' },
  { id: 'LDRH', size: 1, V: 0, opc: 1, log2: 1, op: 'ld', reg: 'w', name: 'ldrh', uname: 'ldurh', tname: 'ldtrh' },
  { id: 'LDRSH_x', size: 1, V: 0, opc: 2, log2: 1, op: 'lds', reg: 'x', name: 'ldrsh', uname: 'ldursh', tname: 'ldtrsh' },
  { id: 'LDRSH_w', size: 1, V: 0, opc: 3, log2: 1, op: 'lds', reg: 'w', name: 'ldrsh', uname: 'ldursh', tname: 'ldtrsh' },
  { id: 'STR_w', size: 2, V: 0, opc: 0, log2: 2, op: 'st', reg: 'w', name: 'str', uname: 'stur', tname: 'sttr' },
  { id: 'LDR_w', size: 2, V: 0, opc: 1, log2: 2, op: 'ld', reg: 'w', name: 'ldr', uname: 'ldur', tname: 'ldtr' },
  { id: 'LDRSW', size: 2, V: 0, opc: 2, log2: 2, op: 'lds', reg: 'x', name: 'ldrsw', uname: 'ldursw', tname: 'ldtrsw' },
  { id: 'STR_x', size: 3, V: 0, opc: 0, log2: 3, op: 'st', reg: 'x', name: 'str', uname: 'stur', tname: 'sttr' },
  { id: 'LDR_x', size: 3, V: 0, opc: 1, log2: 3, op: 'ld', reg: 'x', name: 'ldr', uname: 'ldur', tname: 'ldtr' },
  { id: 'PRFM', size: 3, V: 0, opc: 2, log2: 3, op: 'prf', reg: 'none', name: 'prfm', uname: 'prfum' },
];

const FP_KINDS: Kind[] = [
  { id: 'STR_b', size: 0, V: 1, opc: 0, log2: 0, op: 'st', reg: 'fp', name: 'str', uname: 'stur' },
  { id: 'LDR_b', size: 0, V: 1, opc: 1, log2: 0, op: 'ld', reg: 'fp', name: 'ldr', uname: 'ldur' },
  { id: 'STR_q', size: 0, V: 1, opc: 2, log2: 4, op: 'st', reg: 'fp', name: 'str', uname: 'stur' },
  { id: 'LDR_q', size: 0, V: 1, opc: 3, log2: 4, op: 'ld', reg: 'fp', name: 'ldr', uname: 'ldur' },
  { id: 'STR_h', size: 1, V: 1, opc: 0, log2: 1, op: 'st', reg: 'fp', name: 'str', uname: 'stur' },
  { id: 'LDR_h', size: 1, V: 1, opc: 1, log2: 1, op: 'ld', reg: 'fp', name: 'ldr', uname: 'ldur' },
  { id: 'STR_s', size: 2, V: 1, opc: 0, log2: 2, op: 'st', reg: 'fp', name: 'str', uname: 'stur' },
  { id: 'LDR_s', size: 2, V: 1, opc: 1, log2: 2, op: 'ld', reg: 'fp', name: 'ldr', uname: 'ldur' },
  { id: 'STR_d', size: 3, V: 1, opc: 0, log2: 3, op: 'st', reg: 'fp', name: 'str', uname: 'stur' },
  { id: 'LDR_d', size: 3, V: 1, opc: 1, log2: 3, op: 'ld', reg: 'fp', name: 'ldr', uname: 'ldur' },
];

const bin = (v: number, len: number): string => v.toString(2).padStart(len, '0');

// ---- access closures ------------------------------------------------------------------------------

/** Moves one register to or from memory at a computed address (specialised per register and size). */
export type Access = (c: Cpu, va: bigint) => void;

const BYTES = ['byte', 'halfword', 'word', 'doubleword', 'quadword'];

/** The data movement of a kind for register field value `rt`, tag-checked or not. */
function makeAccess(k: Kind, rt: number, checked: boolean): Access {
  if (k.op === 'prf') return () => { /* prefetch: a hint, never faults */ };
  if (k.reg === 'fp') {
    const lo = 2 * rt, hi = 2 * rt + 1;
    if (k.op === 'ld') {
      switch (k.log2) {
        case 0: return (c, va) => { const v = c.mmu.read8(va, checked); c.v[lo] = BigInt(v); c.v[hi] = 0n; };
        case 1: return (c, va) => { const v = c.mmu.read16(va, checked); c.v[lo] = BigInt(v); c.v[hi] = 0n; };
        case 2: return (c, va) => { const v = c.mmu.read32(va, checked); c.v[lo] = BigInt(v); c.v[hi] = 0n; };
        case 3: return (c, va) => { const v = c.mmu.read64(va, checked); c.v[lo] = v; c.v[hi] = 0n; };
        default: return (c, va) => { const v = c.mmu.read128(va, checked); c.v[lo] = v; c.v[hi] = c.mmu.hi128; };
      }
    }
    switch (k.log2) {
      case 0: return (c, va) => { c.mmu.write8(va, Number(c.v[lo] & 0xffn), checked); };
      case 1: return (c, va) => { c.mmu.write16(va, Number(c.v[lo] & 0xffffn), checked); };
      case 2: return (c, va) => { c.mmu.write32(va, Number(c.v[lo] & M32), checked); };
      case 3: return (c, va) => { c.mmu.write64(va, c.v[lo], checked); };
      default: return (c, va) => { c.mmu.write128(va, c.v[lo], c.v[hi], checked); };
    }
  }
  if (k.op === 'st') {
    const t = rd31(rt, false);
    switch (k.log2) {
      case 0: return (c, va) => { c.mmu.write8(va, Number(c.x[t] & 0xffn), checked); };
      case 1: return (c, va) => { c.mmu.write16(va, Number(c.x[t] & 0xffffn), checked); };
      case 2: return (c, va) => { c.mmu.write32(va, Number(c.x[t] & M32), checked); };
      default: return (c, va) => { c.mmu.write64(va, c.x[t], checked); };
    }
  }
  const t = wr31(rt, false);
  if (k.op === 'ld') {
    switch (k.log2) {
      case 0: return (c, va) => { c.x[t] = BigInt(c.mmu.read8(va, checked)); };
      case 1: return (c, va) => { c.x[t] = BigInt(c.mmu.read16(va, checked)); };
      case 2: return (c, va) => { c.x[t] = BigInt(c.mmu.read32(va, checked)); };
      default: return (c, va) => { c.x[t] = c.mmu.read64(va, checked); };
    }
  }
  // Sign-extending loads into W (upper 32 bits zero) or X.
  if (k.reg === 'w') {
    return k.log2 === 0
      ? (c, va) => { c.x[t] = BigInt(((c.mmu.read8(va, checked) << 24) >> 24) >>> 0); }
      : (c, va) => { c.x[t] = BigInt(((c.mmu.read16(va, checked) << 16) >> 16) >>> 0); };
  }
  switch (k.log2) {
    case 0: return (c, va) => { c.x[t] = BigInt.asUintN(64, BigInt((c.mmu.read8(va, checked) << 24) >> 24)); };
    case 1: return (c, va) => { c.x[t] = BigInt.asUintN(64, BigInt((c.mmu.read16(va, checked) << 16) >> 16)); };
    default: return (c, va) => { c.x[t] = BigInt.asUintN(64, BigInt(c.mmu.read32(va, checked) | 0)); };
  }
}

// ---- addressing modes -----------------------------------------------------------------------------

type Mode = 'uimm' | 'unscaled' | 'unpriv' | 'pre' | 'post';

/** Base + constant offset, with optional writeback; specialised for the common no-offset / X / W cases. */
function offsetStep(k: Kind, f: Fields, off: bigint, mode: Mode): Step {
  const n = rd31(f.Rn, true);
  const wb = mode === 'pre' || mode === 'post';
  const checked = wb || f.Rn !== 31;
  const acc = makeAccess(k, f.Rt, checked);
  if (mode === 'pre') return c => { const va = (c.x[n] + off) & M64; acc(c, va); c.x[n] = va; };
  if (mode === 'post') return c => { const va = c.x[n]; acc(c, va); c.x[n] = (va + off) & M64; };
  // Hot paths written out: plain X/W loads and stores with an immediate offset.
  if (k.reg === 'x' && k.op === 'ld') {
    const t = wr31(f.Rt, false);
    return off === 0n ? c => { c.x[t] = c.mmu.read64(c.x[n], checked); } : c => { c.x[t] = c.mmu.read64((c.x[n] + off) & M64, checked); };
  }
  if (k.reg === 'x' && k.op === 'st') {
    const t = rd31(f.Rt, false);
    return off === 0n ? c => { c.mmu.write64(c.x[n], c.x[t], checked); } : c => { c.mmu.write64((c.x[n] + off) & M64, c.x[t], checked); };
  }
  if (k.reg === 'w' && k.op === 'ld' && k.log2 === 2) {
    const t = wr31(f.Rt, false);
    return c => { c.x[t] = BigInt(c.mmu.read32((c.x[n] + off) & M64, checked)); };
  }
  if (k.reg === 'w' && k.op === 'st' && k.log2 === 2) {
    const t = rd31(f.Rt, false);
    return c => { c.mmu.write32((c.x[n] + off) & M64, Number(c.x[t] & M32), checked); };
  }
  return off === 0n ? c => { acc(c, c.x[n]); } : c => { acc(c, (c.x[n] + off) & M64); };
}

/** Register offset: Xn|SP + extend(Rm) << amount; always tag-checked. */
function regOffStep(k: Kind, f: Fields): Step {
  const n = rd31(f.Rn, true), m = rd31(f.Rm, false);
  const sh = BigInt(f.S ? k.log2 : 0);
  const acc = makeAccess(k, f.Rt, true);
  switch (f.option) {
    case 2: return c => { acc(c, (c.x[n] + ((c.x[m] & M32) << sh)) & M64); };
    case 6: return c => { acc(c, (c.x[n] + (BigInt.asIntN(32, c.x[m]) << sh)) & M64); };
    default: return sh === 0n ? c => { acc(c, (c.x[n] + c.x[m]) & M64); } : c => { acc(c, (c.x[n] + (c.x[m] << sh)) & M64); };
  }
}

// ---- operand lists ---------------------------------------------------------------------------------

function regOperand(k: Kind, field: string): Operand {
  if (k.reg === 'fp') return fpreg(field, k.log2);
  if (k.reg === 'none') return prfop(field);
  return gpr(field, { width: k.reg });
}

const sizeWord = (k: Kind): string => (k.reg === 'fp' ? `${8 << k.log2}-bit FP/SIMD register` : BYTES[k.log2]);

function describe(k: Kind): string {
  const r = k.reg === 'fp' ? `${'BHSDQ'[k.log2]}t` : k.reg === 'x' ? 'Xt' : 'Wt';
  switch (k.op) {
    case 'prf': return 'Prefetch memory (a hint): no data moves, it never faults and is never tag-checked';
    case 'st': return `Store ${k.reg === 'fp' ? 'the ' + sizeWord(k) + ' ' + r : (k.log2 === 3 ? 'Xt' : k.log2 === 2 ? 'Wt' : `the low ${BYTES[k.log2]} of Wt`)} to memory`;
    case 'ld': return k.reg === 'fp'
      ? `Load a ${BYTES[k.log2]} into ${r} (the rest of the vector register is zeroed)`
      : `Load a ${BYTES[k.log2]} into ${r}${k.log2 < (k.reg === 'x' ? 3 : 2) ? ', zero-extended' : ''}`;
    default: return `Load a ${BYTES[k.log2]} and sign-extend it into ${r}`;
  }
}

const CHECK_OFFSET = 'Tag-checked (MTE) against the pointer\'s logical tag unless the base is SP.';
const CHECK_WB = 'Tag-checked (MTE), also with SP as base because it writes back.';
const CHECK_REG = 'Always tag-checked (MTE).';

function singleSpecs(k: Kind): InsnSpec[] {
  const out: InsnSpec[] = [];
  const head = `${bin(k.size, 2)} 111 ${k.V} `;
  const opc = bin(k.opc, 2);
  const rt = regOperand(k, 'Rt');
  const scale = 1 << k.log2;
  const what = describe(k);
  const prf = k.op === 'prf';
  const chk = (note: string): string => (prf ? '' : ' ' + note);
  // Unsigned scaled offset.
  out.push({
    id: `${k.id}_uimm`, mnemonic: k.name, group: LDST_GROUP,
    hover: `${what}; address = Xn|SP + imm (unsigned, multiple of ${scale}).${chk(CHECK_OFFSET)}`,
    pattern: `${head}01 ${opc} imm12:12 Rn:5 Rt:5`,
    operands: [rt, memImm('Rn', 'imm12', 12, { mode: 'offset', scale })],
    exec: f => offsetStep(k, f, BigInt(f.imm12 * scale), 'uimm'),
  });
  // Unscaled signed offset (LDUR/STUR/PRFUM); GNU as also picks it for `ldr` offsets the scaled form cannot hold.
  out.push({
    id: `${k.id}_unscaled`, mnemonic: k.uname, group: LDST_GROUP, priority: 1,
    hover: `${what}; address = Xn|SP + imm (signed, -256..255, unscaled).${chk(CHECK_OFFSET)}`,
    pattern: `${head}00 ${opc} 0 imm9:9 00 Rn:5 Rt:5`,
    operands: [rt, memImm('Rn', 'imm9', 9, { mode: 'offset', signed: true })],
    aliases: [{ mnemonic: k.name, asmOnly: true, when: () => true, operands: [rt, memImm('Rn', 'imm9', 9, { mode: 'offset', signed: true })] }],
    exec: f => offsetStep(k, f, BigInt.asUintN(64, BigInt(sext(f.imm9, 9))), 'unscaled'),
  });
  // Register offset.
  out.push({
    id: `${k.id}_reg`, mnemonic: k.name, group: LDST_GROUP,
    hover: `${what}; address = Xn|SP + (Xm, or Wm extended with uxtw/sxtw) << (0 or ${k.log2}).${chk(CHECK_REG)}`,
    pattern: `${head}00 ${opc} 1 Rm:5 option:3 S:1 10 Rn:5 Rt:5`,
    valid: regOffValid,
    operands: [rt, memRegOff(k.log2)],
    exec: f => regOffStep(k, f),
  });
  if (prf) return out;
  for (const mode of ['post', 'pre'] as const) {
    const post = mode === 'post';
    out.push({
      id: `${k.id}_${mode}`, mnemonic: k.name, group: LDST_GROUP,
      hover: `${what}; ${post ? 'address = Xn|SP, then Xn|SP += imm' : 'Xn|SP += imm, then address = Xn|SP'} (signed, -256..255). ${CHECK_WB}`,
      pattern: `${head}00 ${opc} 0 imm9:9 ${post ? '01' : '11'} Rn:5 Rt:5`,
      operands: post
        ? [rt, memImm('Rn', 'imm9', 9, { mode: 'post' }), postImm('imm9', 9)]
        : [rt, memImm('Rn', 'imm9', 9, { mode: 'pre', signed: true })],
      exec: f => offsetStep(k, f, BigInt.asUintN(64, BigInt(sext(f.imm9, 9))), mode),
    });
  }
  if (k.tname) {
    out.push({
      id: `${k.id}_unpriv`, mnemonic: k.tname, group: LDST_GROUP,
      hover: `${what} with EL0 permissions (the same as the plain form at EL0); address = Xn|SP + imm (signed, unscaled). ${CHECK_OFFSET}`,
      pattern: `${head}00 ${opc} 0 imm9:9 10 Rn:5 Rt:5`,
      operands: [rt, memImm('Rn', 'imm9', 9, { mode: 'offset', signed: true })],
      exec: f => offsetStep(k, f, BigInt.asUintN(64, BigInt(sext(f.imm9, 9))), 'unpriv'),
    });
  }
  return out;
}

const sext = (v: number, bits: number): number => (v >= 2 ** (bits - 1) ? v - 2 ** bits : v);

// ---- literal ----------------------------------------------------------------------------------------

const LITERAL_KINDS: { id: string; opc: number; V: number; kind: Kind }[] = [
  { id: 'LDR_w_lit', opc: 0, V: 0, kind: GP_KINDS[9] },
  { id: 'LDR_x_lit', opc: 1, V: 0, kind: GP_KINDS[12] },
  { id: 'LDRSW_lit', opc: 2, V: 0, kind: GP_KINDS[10] },
  { id: 'PRFM_lit', opc: 3, V: 0, kind: GP_KINDS[13] },
  { id: 'LDR_s_lit', opc: 0, V: 1, kind: FP_KINDS[7] },
  { id: 'LDR_d_lit', opc: 1, V: 1, kind: FP_KINDS[9] },
  { id: 'LDR_q_lit', opc: 2, V: 1, kind: FP_KINDS[3] },
];

function literalSpec(l: typeof LITERAL_KINDS[number]): InsnSpec {
  const k = l.kind;
  return {
    id: l.id, mnemonic: k.name, group: LDST_GROUP,
    hover: k.op === 'prf'
      ? 'Prefetch memory at a PC-relative label (a hint: no access, no fault).'
      : `${describe(k)} from a PC-relative label (±1 MiB). Literal loads are never tag-checked.`,
    pattern: `${bin(l.opc, 2)} 011 ${l.V} 00 imm19:19 Rt:5`,
    operands: [regOperand(k, 'Rt'), pcLabel('imm19', 19)],
    exec: f => {
      const acc = makeAccess(k, f.Rt, false);
      const off = sext(f.imm19, 19) * 4;
      return c => { acc(c, BigInt(c.pc + off)); };
    },
  };
}

// ---- pairs -----------------------------------------------------------------------------------------

interface PairKind { id: string; opc: number; V: number; L: number; log2: number; reg: Width | 'fp'; signed?: boolean; name: string; nname?: string }

const PAIR_KINDS: PairKind[] = [
  { id: 'STP_w', opc: 0, V: 0, L: 0, log2: 2, reg: 'w', name: 'stp', nname: 'stnp' },
  { id: 'LDP_w', opc: 0, V: 0, L: 1, log2: 2, reg: 'w', name: 'ldp', nname: 'ldnp' },
  { id: 'LDPSW', opc: 1, V: 0, L: 1, log2: 2, reg: 'x', signed: true, name: 'ldpsw' },
  { id: 'STP_x', opc: 2, V: 0, L: 0, log2: 3, reg: 'x', name: 'stp', nname: 'stnp' },
  { id: 'LDP_x', opc: 2, V: 0, L: 1, log2: 3, reg: 'x', name: 'ldp', nname: 'ldnp' },
  { id: 'STP_s', opc: 0, V: 1, L: 0, log2: 2, reg: 'fp', name: 'stp', nname: 'stnp' },
  { id: 'LDP_s', opc: 0, V: 1, L: 1, log2: 2, reg: 'fp', name: 'ldp', nname: 'ldnp' },
  { id: 'STP_d', opc: 1, V: 1, L: 0, log2: 3, reg: 'fp', name: 'stp', nname: 'stnp' },
  { id: 'LDP_d', opc: 1, V: 1, L: 1, log2: 3, reg: 'fp', name: 'ldp', nname: 'ldnp' },
  { id: 'STP_q', opc: 2, V: 1, L: 0, log2: 4, reg: 'fp', name: 'stp', nname: 'stnp' },
  { id: 'LDP_q', opc: 2, V: 1, L: 1, log2: 4, reg: 'fp', name: 'ldp', nname: 'ldnp' },
];

/**
 * The data movement of a pair: one access covering both registers, so every granule is checked
 * and every page translated before anything is written or any register changes.
 */
function makePairAccess(p: PairKind, f: Fields, checked: boolean): Access {
  const load = p.L === 1;
  if (p.reg === 'fp') {
    const a = 2 * f.Rt, b = 2 * f.Rt2;
    switch (p.log2) {
      case 2: return load
        ? (c, va) => { const v = c.mmu.read64(va, checked); c.v[a] = v & M32; c.v[a + 1] = 0n; c.v[b] = v >> 32n; c.v[b + 1] = 0n; }
        : (c, va) => { c.mmu.write64(va, (c.v[a] & M32) | ((c.v[b] & M32) << 32n), checked); };
      case 3: return load
        ? (c, va) => { const v = c.mmu.read128(va, checked); c.v[a] = v; c.v[a + 1] = 0n; c.v[b] = c.mmu.hi128; c.v[b + 1] = 0n; }
        : (c, va) => { c.mmu.write128(va, c.v[a], c.v[b], checked); };
      default: return load
        ? (c, va) => {
          c.mmu.probe(va, 32, false, checked);
          const va2 = (va + 16n) & M64;
          const l0 = c.mmu.read128(va, false), h0 = c.mmu.hi128;
          const l1 = c.mmu.read128(va2, false), h1 = c.mmu.hi128;
          c.v[a] = l0; c.v[a + 1] = h0; c.v[b] = l1; c.v[b + 1] = h1;
        }
        : (c, va) => {
          c.mmu.probe(va, 32, true, checked);
          c.mmu.write128(va, c.v[a], c.v[a + 1], false);
          c.mmu.write128((va + 16n) & M64, c.v[b], c.v[b + 1], false);
        };
    }
  }
  if (!load) {
    const t = rd31(f.Rt, false), t2 = rd31(f.Rt2, false);
    return p.log2 === 2
      ? (c, va) => { c.mmu.write64(va, (c.x[t] & M32) | ((c.x[t2] & M32) << 32n), checked); }
      : (c, va) => { c.mmu.write128(va, c.x[t], c.x[t2], checked); };
  }
  const t = wr31(f.Rt, false), t2 = wr31(f.Rt2, false);
  if (p.log2 === 3) return (c, va) => { const v = c.mmu.read128(va, checked); c.x[t] = v; c.x[t2] = c.mmu.hi128; };
  if (p.signed) {
    return (c, va) => {
      const v = c.mmu.read64(va, checked);
      c.x[t] = BigInt.asUintN(64, BigInt.asIntN(32, v));
      c.x[t2] = BigInt.asUintN(64, BigInt.asIntN(32, v >> 32n));
    };
  }
  return (c, va) => { const v = c.mmu.read64(va, checked); c.x[t] = v & M32; c.x[t2] = v >> 32n; };
}

const PAIR_MODES = [
  { mode: 0, key: 'nt', desc: 'address = Xn|SP + imm (non-temporal hint)' },
  { mode: 1, key: 'post', desc: 'address = Xn|SP, then Xn|SP += imm' },
  { mode: 2, key: 'off', desc: 'address = Xn|SP + imm' },
  { mode: 3, key: 'pre', desc: 'Xn|SP += imm, then address = Xn|SP' },
] as const;

function pairSpecs(p: PairKind): InsnSpec[] {
  const out: InsnSpec[] = [];
  const scale = 1 << p.log2;
  const r = (field: string): Operand => (p.reg === 'fp' ? fpreg(field, p.log2) : gpr(field, { width: p.reg }));
  const regs = p.reg === 'fp' ? `${'BHSDQ'[p.log2]}t, ${'BHSDQ'[p.log2]}t2` : p.reg === 'x' ? 'Xt, Xt2' : 'Wt, Wt2';
  const what = p.L
    ? `Load two ${BYTES[p.log2]}s from consecutive addresses into ${regs}${p.signed ? ', each sign-extended' : ''}${p.reg === 'fp' ? ' (the rest of each vector register is zeroed)' : ''}`
    : `Store ${regs} to consecutive ${BYTES[p.log2]}s`;
  for (const m of PAIR_MODES) {
    if (m.mode === 0 && !p.nname) continue;
    const wb = m.mode === 1 || m.mode === 3;
    const name = m.mode === 0 ? p.nname! : p.name;
    const memOp = m.mode === 1 ? memImm('Rn', 'imm7', 7, { mode: 'post' })
      : memImm('Rn', 'imm7', 7, { mode: m.mode === 3 ? 'pre' : 'offset', signed: true, scale });
    out.push({
      id: `${p.id}_${m.key}`, mnemonic: name, group: LDST_GROUP,
      hover: `${what}; ${m.desc} (imm a multiple of ${scale}). One access: all of it is translated and tag-checked before anything changes. ${wb ? CHECK_WB : CHECK_OFFSET}`,
      pattern: `${bin(p.opc, 2)} 101 ${p.V} 0 ${bin(m.mode, 2)} ${p.L} imm7:7 Rt2:5 Rn:5 Rt:5`,
      // objdump (only for LDPSW) treats the CONSTRAINED UNPREDICTABLE register overlaps as unallocated.
      valid: p.signed ? f => f.Rt !== f.Rt2 && (!wb || f.Rn === 31 || (f.Rn !== f.Rt && f.Rn !== f.Rt2)) : undefined,
      operands: m.mode === 1 ? [r('Rt'), r('Rt2'), memOp, postImm('imm7', 7, { scale })] : [r('Rt'), r('Rt2'), memOp],
      exec: f => {
        const n = rd31(f.Rn, true);
        const off = BigInt.asUintN(64, BigInt(sext(f.imm7, 7) * scale));
        const acc = makePairAccess(p, f, wb || f.Rn !== 31);
        switch (m.mode) {
          case 1: return c => { const va = c.x[n]; acc(c, va); c.x[n] = (va + off) & M64; };
          case 3: return c => { const va = (c.x[n] + off) & M64; acc(c, va); c.x[n] = va; };
          default: return off === 0n ? c => { acc(c, c.x[n]); } : c => { acc(c, (c.x[n] + off) & M64); };
        }
      },
    });
  }
  return out;
}

// ---- LDRAA / LDRAB ---------------------------------------------------------------------------------

/** A pre-index operand that objdump prints as `[Xn]!` when the offset is 0 (LDRAA/LDRAB). */
function preZeroBare(o: Operand, immField: string): Operand {
  return {
    ...o,
    syntax: '[<Xn|SP>{, #<imm>}]!',
    format: (f, ctx) => (f[immField] === 0 ? `[${gprName(f.Rn, 'x', true)}]!` : o.format(f, ctx)),
    parse: (text, f, ctx) => {
      const m = /^\[\s*([^\],]+?)\s*\]!$/.exec(text.trim());
      if (m) {
        const r = parseGpr(m[1], true);
        if (!r || r.w !== 'x') return false;
        f.Rn = r.n; f[immField] = 0;
        return true;
      }
      return o.parse(text, f, ctx);
    },
  };
}

/**
 * Load with pointer authentication: decoded so the disassembler names them, but FEAT_PAuth is not
 * implemented (as for AUTIA & co.), so executing one is UNDEFINED (SIGILL).
 */
const pauthLoads: InsnSpec[] = (['a', 'b'] as const).flatMap((key, M) => [0, 1].map((W): InsnSpec => {
  const id = `LDRA${key.toUpperCase()}${W ? '_pre' : ''}`;
  const pattern = `11 111 0 00 ${M} imm10:1 1 imm10:9 ${W} 1 Rn:5 Rt:5`;
  const p = compilePattern(id, pattern);
  return {
    id, mnemonic: `ldra${key}`, group: LDST_GROUP,
    hover: `Load register with pointer authentication (key ${key.toUpperCase()}): authenticate Xn|SP, then load Xt from it + imm (a multiple of 8, -4096..4088)${W ? ', writing the address back' : ''}. FEAT_PAuth is not implemented here, so this is undefined (SIGILL).`,
    pattern,
    operands: [gpr('Rt', { width: 'x' }), W ? preZeroBare(memImm('Rn', 'imm10', 10, { mode: 'pre', signed: true, scale: 8 }), 'imm10') : memImm('Rn', 'imm10', 10, { mode: 'offset', signed: true, scale: 8 })],
    exec: f => {
      const word = insertFields(id, p, f);
      const msg = `ldra${key} is undefined: no FEAT_PAuth (0x${word.toString(16).padStart(8, '0')})`;
      return c => { c.undefinedWord = word; throw new CpuTrap(Stop.Undefined, msg); };
    },
  };
}));

export const ldstSpecs: InsnSpec[] = [
  ...GP_KINDS.flatMap(singleSpecs),
  ...FP_KINDS.flatMap(singleSpecs),
  ...LITERAL_KINDS.map(literalSpec),
  ...PAIR_KINDS.flatMap(pairSpecs),
  ...pauthLoads,
];

