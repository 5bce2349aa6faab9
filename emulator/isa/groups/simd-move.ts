// Advanced SIMD data movement: copy (DUP, INS, UMOV, SMOV and their `mov` aliases), permute
// (ZIP/UZP/TRN), EXT, TBL/TBX, and the modified-immediate group (MOVI, MVNI, ORR, BIC, FMOV vector).
import { OperandError } from '../../asm/types';
import { gpr } from '../operands';
import { rd31, wr31 } from '../semantics';
import type { Fields, InsnSpec, Operand } from '../spec';
import {
  arrQ, arrSQ, arrTable, computedImm, formatFpE18, fpImm, fpImm8Value, freg, imm4Codec, imm5Codec, lowestSetBit,
  velem, vlist, vreg, type ArrSpec,
} from './simd-operands';
import { fromScratch, T, vregs } from './simd-regs';
import { immText, looksImm } from '../operands';

const G_COPY = 'Advanced SIMD copy';
const G_PERM = 'Advanced SIMD permute';
const G_IMM = 'Advanced SIMD modified immediate';

const SQ = [['8b', '16b'], ['4h', '8h'], ['2s', '4s'], ['1d', '2d']];

/** Arrangements selected by imm5 (size = lowest set bit) and Q. */
function arrImm5(sizes: number[] = [0, 1, 2, 3]): ArrSpec {
  const rows: [string, Fields][] = [];
  for (let imm5 = 1; imm5 < 32; imm5++) {
    const s = lowestSetBit(imm5);
    if (!sizes.includes(s)) continue;
    for (const q of [0, 1]) {
      if (s === 3 && q === 0) continue;
      rows.push([SQ[s][q], { imm5, Q: q }]);
    }
  }
  return arrTable(rows);
}
/** Scalar register width selected by imm5. */
function widthImm5(): ArrSpec {
  const rows: [string, Fields][] = [];
  for (let imm5 = 1; imm5 < 32; imm5++) {
    const s = lowestSetBit(imm5);
    if (s > 3) continue;
    rows.push([['b', 'h', 's', 'd'][s], { imm5 }]);
  }
  return arrTable(rows);
}

const sizeOf5 = (f: Fields): number => lowestSetBit(f.imm5);

/** Reads element `idx` of size s (0..3) of register n as a BigInt (unsigned). */
function elemBig(V: ReturnType<typeof vregs>, s: number, n: number, idx: number): bigint {
  switch (s) {
    case 0: return BigInt(V.u8[n * 16 + idx]);
    case 1: return BigInt(V.u16[n * 8 + idx]);
    case 2: return BigInt(V.u32[n * 4 + idx]);
    default: return V.u64[n * 2 + idx];
  }
}

// ---- copy ------------------------------------------------------------------------------------------------------

const copySpecs: InsnSpec[] = [
  {
    id: 'DUP_elem', mnemonic: 'dup', group: G_COPY, hover: 'Duplicate a vector element into every element of Vd.',
    pattern: '0 Q:1 0 01110000 imm5:5 0 0000 1 Rn:5 Rd:5',
    valid: f => sizeOf5(f) >= 0 && sizeOf5(f) <= 3 && !(sizeOf5(f) === 3 && f.Q === 0),
    operands: [vreg('Rd', arrImm5()), velem('Rn', imm5Codec())],
    exec: f => {
      const s = sizeOf5(f), idx = f.imm5 >> (s + 1), d = f.Rd, n = f.Rn, bytes = f.Q ? 16 : 8, cnt = bytes >> s;
      return c => {
        const V = vregs(c);
        switch (s) {
          case 0: { const v = V.u8[n * 16 + idx]; for (let i = 0; i < cnt; i++) T.u8[i] = v; break; }
          case 1: { const v = V.u16[n * 8 + idx]; for (let i = 0; i < cnt; i++) T.u16[i] = v; break; }
          case 2: { const v = V.u32[n * 4 + idx]; for (let i = 0; i < cnt; i++) T.u32[i] = v; break; }
          default: { const v = V.u64[n * 2 + idx]; T.u64[0] = v; T.u64[1] = v; }
        }
        fromScratch(V, d, 0, bytes);
      };
    },
  },
  {
    id: 'DUP_scalar', mnemonic: 'dup', group: G_COPY, hover: 'Copy a vector element to a scalar register (alias mov).',
    pattern: '01 0 11110000 imm5:5 0 0000 1 Rn:5 Rd:5',
    valid: f => sizeOf5(f) >= 0 && sizeOf5(f) <= 3,
    operands: [freg('Rd', widthImm5()), velem('Rn', imm5Codec())],
    aliases: [{ mnemonic: 'mov', when: () => true, operands: [freg('Rd', widthImm5()), velem('Rn', imm5Codec())] }],
    exec: f => {
      const s = sizeOf5(f), idx = f.imm5 >> (s + 1), d = f.Rd, n = f.Rn;
      return c => {
        const V = vregs(c);
        const v = elemBig(V, s, n, idx);
        V.u64[d * 2] = v; V.u64[d * 2 + 1] = 0n;
      };
    },
  },
  {
    id: 'DUP_gen', mnemonic: 'dup', group: G_COPY, hover: 'Duplicate a general-purpose register into every element of Vd.',
    pattern: '0 Q:1 0 01110000 imm5:5 0 0001 1 Rn:5 Rd:5',
    valid: f => sizeOf5(f) >= 0 && sizeOf5(f) <= 3 && !(sizeOf5(f) === 3 && f.Q === 0),
    operands: [vreg('Rd', arrImm5()), gpr('Rn', { width: f => (sizeOf5(f) === 3 ? 'x' : 'w') })],
    exec: f => {
      const s = sizeOf5(f), d = f.Rd, n = rd31(f.Rn, false), bytes = f.Q ? 16 : 8, cnt = bytes >> s;
      return c => {
        const V = vregs(c);
        const x = c.x[n];
        if (s === 3) { T.u64[0] = x; T.u64[1] = x; }
        else {
          const v = Number(x & 0xffffffffn);
          if (s === 0) for (let i = 0; i < cnt; i++) T.u8[i] = v;
          else if (s === 1) for (let i = 0; i < cnt; i++) T.u16[i] = v;
          else for (let i = 0; i < cnt; i++) T.u32[i] = v;
        }
        fromScratch(V, d, 0, bytes);
      };
    },
  },
  ...([['SMOV', 'smov', '0101', true], ['UMOV', 'umov', '0111', false]] as const).map(([id, m, op, signed]): InsnSpec => ({
    id, mnemonic: m, group: G_COPY,
    hover: `Move a vector element to a general-purpose register, ${signed ? 'sign' : 'zero'}-extended.`,
    pattern: `0 Q:1 0 01110000 imm5:5 0 ${op} 1 Rn:5 Rd:5`,
    valid: f => {
      const s = sizeOf5(f);
      if (signed) return f.Q === 0 ? s === 0 || s === 1 : s >= 0 && s <= 2;
      return f.Q === 0 ? s >= 0 && s <= 2 : s === 3;
    },
    operands: [gpr('Rd', { width: { field: 'Q' } }), velem('Rn', imm5Codec())],
    aliases: signed ? [] : [{
      mnemonic: 'mov', when: f => (f.Q === 0 ? sizeOf5(f) === 2 : sizeOf5(f) === 3),
      operands: [gpr('Rd', { width: { field: 'Q' } }), velem('Rn', imm5Codec())],
      complete: f => (f.Q === 0 ? sizeOf5(f) === 2 : sizeOf5(f) === 3),
    }],
    defaults: {},
    exec: f => {
      const s = sizeOf5(f), idx = f.imm5 >> (s + 1), d = wr31(f.Rd, false), n = f.Rn, q = f.Q;
      if (!signed) return c => { c.x[d] = elemBig(vregs(c), s, n, idx); };
      const bits = 8 << s;
      return c => {
        const v = BigInt.asIntN(bits, elemBig(vregs(c), s, n, idx));
        c.x[d] = q ? BigInt.asUintN(64, v) : BigInt.asUintN(32, v);
      };
    },
  })),
  {
    id: 'INS_gen', mnemonic: 'ins', group: G_COPY, hover: 'Insert a general-purpose register into one vector element (other elements unchanged).',
    pattern: '0 1 0 01110000 imm5:5 0 0011 1 Rn:5 Rd:5',
    valid: f => sizeOf5(f) >= 0 && sizeOf5(f) <= 3,
    operands: [velem('Rd', imm5Codec()), gpr('Rn', { width: f => (sizeOf5(f) === 3 ? 'x' : 'w') })],
    aliases: [{ mnemonic: 'mov', when: () => true, operands: [velem('Rd', imm5Codec()), gpr('Rn', { width: f => (sizeOf5(f) === 3 ? 'x' : 'w') })] }],
    exec: f => {
      const s = sizeOf5(f), idx = f.imm5 >> (s + 1), d = f.Rd, n = rd31(f.Rn, false);
      return c => {
        const V = vregs(c), x = c.x[n];
        switch (s) {
          case 0: V.u8[d * 16 + idx] = Number(x & 0xffn); break;
          case 1: V.u16[d * 8 + idx] = Number(x & 0xffffn); break;
          case 2: V.u32[d * 4 + idx] = Number(x & 0xffffffffn); break;
          default: V.u64[d * 2 + idx] = x;
        }
      };
    },
  },
  {
    id: 'INS_elem', mnemonic: 'ins', group: G_COPY, hover: 'Insert one vector element into another vector element (other elements unchanged).',
    pattern: '0 1 1 01110000 imm5:5 0 imm4:4 1 Rn:5 Rd:5',
    valid: f => sizeOf5(f) >= 0 && sizeOf5(f) <= 3,
    operands: [velem('Rd', imm5Codec()), velem('Rn', imm4Codec())],
    aliases: [{ mnemonic: 'mov', when: () => true, operands: [velem('Rd', imm5Codec()), velem('Rn', imm4Codec())] }],
    exec: f => {
      const s = sizeOf5(f), di = f.imm5 >> (s + 1), si = f.imm4 >> s, d = f.Rd, n = f.Rn;
      return c => {
        const V = vregs(c);
        switch (s) {
          case 0: V.u8[d * 16 + di] = V.u8[n * 16 + si]; break;
          case 1: V.u16[d * 8 + di] = V.u16[n * 8 + si]; break;
          case 2: V.u32[d * 4 + di] = V.u32[n * 4 + si]; break;
          default: V.u64[d * 2 + di] = V.u64[n * 2 + si];
        }
      };
    },
  },
];

// ---- permute, extract, table lookup -------------------------------------------------------------------------------

/** Copies element j of size s from register r (bytes view) to element i of scratch 0. */
function moveElem(V: ReturnType<typeof vregs>, s: number, r: number, j: number, i: number): void {
  const eb = 1 << s, src = r * 16 + j * eb, dst = i * eb;
  for (let k = 0; k < eb; k++) T.u8[dst + k] = V.u8[src + k];
}

const permSpecs: InsnSpec[] = ([
  ['UZP1', 'uzp1', '001'], ['TRN1', 'trn1', '010'], ['ZIP1', 'zip1', '011'],
  ['UZP2', 'uzp2', '101'], ['TRN2', 'trn2', '110'], ['ZIP2', 'zip2', '111'],
] as const).map(([id, m, opc]): InsnSpec => {
  const part = opc[0] === '1' ? 1 : 0;
  const kind = opc.slice(1);
  const arr = arrSQ();
  return {
    id, mnemonic: m, group: G_PERM,
    hover: kind === '01' ? `Unzip: the ${part ? 'odd' : 'even'}-numbered elements of Vn:Vm.`
      : kind === '10' ? `Transpose: interleave the ${part ? 'odd' : 'even'}-numbered elements of Vn and Vm.`
        : `Zip: interleave the elements of the ${part ? 'upper' : 'lower'} halves of Vn and Vm.`,
    pattern: `0 Q:1 001110 size:2 0 Rm:5 0 ${opc} 10 Rn:5 Rd:5`,
    valid: f => !(f.size === 3 && f.Q === 0),
    operands: [vreg('Rd', arr), vreg('Rn', arr), vreg('Rm', arr)],
    exec: f => {
      const s = f.size, d = f.Rd, n = f.Rn, mm = f.Rm, bytes = f.Q ? 16 : 8, cnt = bytes >> s, half = cnt >> 1;
      return c => {
        const V = vregs(c);
        for (let i = 0; i < cnt; i++) {
          if (kind === '01') { const j = 2 * i + part; if (j < cnt) moveElem(V, s, n, j, i); else moveElem(V, s, mm, j - cnt, i); }
          else if (kind === '10') { const p = i >> 1; moveElem(V, s, (i & 1) ? mm : n, 2 * p + part, i); }
          else { const p = i >> 1; moveElem(V, s, (i & 1) ? mm : n, part * half + p, i); }
        }
        fromScratch(V, d, 0, bytes);
      };
    },
  };
});

const extSpec: InsnSpec = {
  id: 'EXT', mnemonic: 'ext', group: 'Advanced SIMD extract',
  hover: 'Extract: the bytes of Vm:Vn starting at byte #index of Vn.',
  pattern: '0 Q:1 101110 00 0 Rm:5 0 imm4:4 0 Rn:5 Rd:5',
  valid: f => f.Q === 1 || f.imm4 < 8,
  operands: [vreg('Rd', arrQ(0)), vreg('Rn', arrQ(0)), vreg('Rm', arrQ(0)),
    computedImm('#<index>', f => f.imm4, (f, v) => {
      const max = f.Q ? 15 : 7;
      if (v < 0 || v > max) throw new OperandError(`index ${v} out of range [0, ${max}]`);
      f.imm4 = v; return true;
    })],
  exec: f => {
    const d = f.Rd, n = f.Rn, m = f.Rm, bytes = f.Q ? 16 : 8, pos = f.imm4;
    return c => {
      const V = vregs(c);
      for (let i = 0; i < bytes; i++) { const j = pos + i; T.u8[i] = j < bytes ? V.u8[n * 16 + j] : V.u8[m * 16 + j - bytes]; }
      fromScratch(V, d, 0, bytes);
    };
  },
};

const tblSpecs: InsnSpec[] = ([['TBL', 'tbl', 0], ['TBX', 'tbx', 1]] as const).map(([id, m, op]): InsnSpec => ({
  id, mnemonic: m, group: 'Advanced SIMD table lookup',
  hover: op ? 'Table lookup extension: each byte of Vm indexes the table {Vn..}; out-of-range indexes leave Vd\'s byte unchanged.'
    : 'Table lookup: each byte of Vm indexes the bytes of the table {Vn..}; out-of-range indexes give 0.',
  pattern: `0 Q:1 001110 00 0 Rm:5 0 len:2 ${op} 00 Rn:5 Rd:5`,
  operands: [vreg('Rd', arrQ(0)), vlist('Rn', f => f.len + 1, [{ name: '16b', fields: {} }], (f, k) => { if (k < 1 || k > 4) return false; f.len = k - 1; return true; }), vreg('Rm', arrQ(0))],
  exec: f => {
    const d = f.Rd, n = f.Rn, m = f.Rm, bytes = f.Q ? 16 : 8, regs = f.len + 1, lim = regs * 16;
    return c => {
      const V = vregs(c);
      for (let i = 0; i < bytes; i++) {
        const idx = V.u8[m * 16 + i];
        T.u8[i] = idx < lim ? V.u8[((n + (idx >> 4)) % 32) * 16 + (idx & 15)] : op ? V.u8[d * 16 + i] : 0;
      }
      fromScratch(V, d, 0, bytes);
    };
  },
}));

// ---- modified immediate ---------------------------------------------------------------------------------------------

/** AdvSIMDExpandImm for the integer forms: the 64-bit pattern. */
export function expandImm(op: number, cmode: number, imm8: number): bigint {
  const b = BigInt(imm8);
  const rep32 = (v: bigint): bigint => (v << 32n) | v;
  const rep16 = (v: bigint): bigint => v | (v << 16n) | (v << 32n) | (v << 48n);
  switch (cmode >> 1) {
    case 0: return rep32(b);
    case 1: return rep32(b << 8n);
    case 2: return rep32(b << 16n);
    case 3: return rep32(b << 24n);
    case 4: return rep16(b);
    case 5: return rep16(b << 8n);
    case 6: return cmode & 1 ? rep32((b << 16n) | 0xffffn) : rep32((b << 8n) | 0xffn);
    default:
      if ((cmode & 1) === 0 && op === 0) { let v = 0n; for (let i = 0; i < 8; i++) v |= b << BigInt(8 * i); return v; }
      if ((cmode & 1) === 0 && op === 1) {
        let v = 0n;
        for (let i = 0; i < 8; i++) if ((imm8 >> i) & 1) v |= 0xffn << BigInt(8 * i);
        return v;
      }
      return 0n; // FMOV forms: not used through here
  }
}

const imm8Of = (f: Fields): number => (f.abc << 5) | f.defgh;
const setImm8 = (f: Fields, v: number): void => { f.abc = v >> 5; f.defgh = v & 31; };

function hexImm8(): Operand {
  return computedImm('#<imm8>', imm8Of, (f, v) => {
    if (v < 0 || v > 255) throw new OperandError(`immediate ${v} out of range [0, 255]`);
    setImm8(f, v); return true;
  }, { hex: true });
}

/** `{, lsl #n}` / `, msl #n` for the shifted immediate forms; `kind` picks which cmode bits they set. */
function immShift(kind: 'lsl32' | 'lsl16' | 'msl'): Operand {
  return {
    syntax: kind === 'msl' ? 'msl #<amount>' : '{, lsl #<amount>}',
    optional: kind !== 'msl',
    format: f => {
      if (kind === 'msl') return `msl #${f.cmode & 1 ? 16 : 8}`;
      const amt = ((f.cmode >> 1) & (kind === 'lsl32' ? 3 : 1)) * 8;
      return amt === 0 ? null : `lsl #${amt}`;
    },
    parse: (text, f) => {
      const t = text.trim();
      const fixed = f.cmode ?? 0;
      if (t === '') { if (kind === 'msl') return false; f.cmode = fixed & ~(kind === 'lsl32' ? 6 : 2); return true; }
      const m = /^(lsl|msl)\s+#?\s*(\d+|0x[0-9a-f]+)$/i.exec(t);
      if (!m || (m[1].toLowerCase() === 'msl') !== (kind === 'msl')) return false;
      const amt = Number(m[2]);
      if (kind === 'msl') {
        if (amt !== 8 && amt !== 16) throw new OperandError('msl shift must be 8 or 16');
        f.cmode = (fixed & ~1) | (amt === 16 ? 1 : 0);
      } else {
        const max = kind === 'lsl32' ? 24 : 8;
        if (amt % 8 !== 0 || amt > max) throw new OperandError(`shift must be a multiple of 8 up to ${max}`);
        f.cmode = (fixed & ~(kind === 'lsl32' ? 6 : 2)) | ((amt / 8) << 1);
      }
      return true;
    },
  };
}

/** A 64-bit byte-mask immediate (`movi d0, #0xff00ff`): each byte 0x00 or 0xff. */
function byteMaskImm(): Operand {
  return {
    syntax: '#<imm64>',
    format: f => '#0x' + expandImm(1, 14, imm8Of(f)).toString(16),
    parse: (text, f, ctx) => {
      if (!looksImm(text)) return false;
      const v = BigInt.asUintN(64, ctx.evaluate(immText(text)));
      let imm8 = 0;
      for (let i = 0; i < 8; i++) {
        const byte = (v >> BigInt(8 * i)) & 0xffn;
        if (byte === 0xffn) imm8 |= 1 << i;
        else if (byte !== 0n) throw new OperandError('immediate must consist of 0x00 and 0xff bytes');
      }
      setImm8(f, imm8); return true;
    },
  };
}

interface ImmForm { id: string; m: string; op: number; cmodes: number[]; o2?: number; q?: number; arr: ArrSpec; operands: (arr: ArrSpec) => Operand[]; kind: 'movi' | 'mvni' | 'orr' | 'bic' | 'fmov'; hover: string }

const ARR_32 = arrTable([['2s', { Q: 0 }], ['4s', { Q: 1 }]]);
const ARR_16 = arrTable([['4h', { Q: 0 }], ['8h', { Q: 1 }]]);
const ARR_8 = arrTable([['8b', { Q: 0 }], ['16b', { Q: 1 }]]);

const immForms: ImmForm[] = [
  { id: 'MOVI_32', m: 'movi', op: 0, cmodes: [0, 2, 4, 6], arr: ARR_32, kind: 'movi', operands: a => [vreg('Rd', a), hexImm8(), immShift('lsl32')], hover: 'Move a shifted 8-bit immediate into every 32-bit element.' },
  { id: 'MVNI_32', m: 'mvni', op: 1, cmodes: [0, 2, 4, 6], arr: ARR_32, kind: 'mvni', operands: a => [vreg('Rd', a), hexImm8(), immShift('lsl32')], hover: 'Move the inverse of a shifted 8-bit immediate into every 32-bit element.' },
  { id: 'ORR_imm32', m: 'orr', op: 0, cmodes: [1, 3, 5, 7], arr: ARR_32, kind: 'orr', operands: a => [vreg('Rd', a), hexImm8(), immShift('lsl32')], hover: 'OR a shifted 8-bit immediate into every 32-bit element.' },
  { id: 'BIC_imm32', m: 'bic', op: 1, cmodes: [1, 3, 5, 7], arr: ARR_32, kind: 'bic', operands: a => [vreg('Rd', a), hexImm8(), immShift('lsl32')], hover: 'Clear the bits of a shifted 8-bit immediate in every 32-bit element.' },
  { id: 'MOVI_16', m: 'movi', op: 0, cmodes: [8, 10], arr: ARR_16, kind: 'movi', operands: a => [vreg('Rd', a), hexImm8(), immShift('lsl16')], hover: 'Move a shifted 8-bit immediate into every 16-bit element.' },
  { id: 'MVNI_16', m: 'mvni', op: 1, cmodes: [8, 10], arr: ARR_16, kind: 'mvni', operands: a => [vreg('Rd', a), hexImm8(), immShift('lsl16')], hover: 'Move the inverse of a shifted 8-bit immediate into every 16-bit element.' },
  { id: 'ORR_imm16', m: 'orr', op: 0, cmodes: [9, 11], arr: ARR_16, kind: 'orr', operands: a => [vreg('Rd', a), hexImm8(), immShift('lsl16')], hover: 'OR a shifted 8-bit immediate into every 16-bit element.' },
  { id: 'BIC_imm16', m: 'bic', op: 1, cmodes: [9, 11], arr: ARR_16, kind: 'bic', operands: a => [vreg('Rd', a), hexImm8(), immShift('lsl16')], hover: 'Clear the bits of a shifted 8-bit immediate in every 16-bit element.' },
  { id: 'MOVI_msl', m: 'movi', op: 0, cmodes: [12, 13], arr: ARR_32, kind: 'movi', operands: a => [vreg('Rd', a), hexImm8(), immShift('msl')], hover: 'Move an 8-bit immediate shifted left with ones (MSL) into every 32-bit element.' },
  { id: 'MVNI_msl', m: 'mvni', op: 1, cmodes: [12, 13], arr: ARR_32, kind: 'mvni', operands: a => [vreg('Rd', a), hexImm8(), immShift('msl')], hover: 'Move the inverse of an MSL-shifted 8-bit immediate into every 32-bit element.' },
  { id: 'MOVI_8', m: 'movi', op: 0, cmodes: [14], arr: ARR_8, kind: 'movi', operands: a => [vreg('Rd', a), hexImm8()], hover: 'Move an 8-bit immediate into every byte.' },
  { id: 'MOVI_d', m: 'movi', op: 1, cmodes: [14], q: 0, arr: [], kind: 'movi', operands: () => [freg('Rd', 'd'), byteMaskImm()], hover: 'Move a 64-bit byte-mask immediate (each byte 0x00 or 0xff) into Dd.' },
  { id: 'MOVI_2d', m: 'movi', op: 1, cmodes: [14], q: 1, arr: arrTable([['2d', {}]]), kind: 'movi', operands: a => [vreg('Rd', a), byteMaskImm()], hover: 'Move a 64-bit byte-mask immediate (each byte 0x00 or 0xff) into both 64-bit elements.' },
  { id: 'FMOV_vec_s', m: 'fmov', op: 0, cmodes: [15], o2: 0, arr: ARR_32, kind: 'fmov', operands: a => [vreg('Rd', a), fpImm('imm8x')], hover: 'Move an 8-bit floating-point immediate into every single-precision element.' },
  { id: 'FMOV_vec_h', m: 'fmov', op: 0, cmodes: [15], o2: 1, arr: ARR_16, kind: 'fmov', operands: a => [vreg('Rd', a), fpImm('imm8x')], hover: 'Move an 8-bit floating-point immediate into every half-precision element.' },
  { id: 'FMOV_vec_d', m: 'fmov', op: 1, cmodes: [15], q: 1, arr: arrTable([['2d', {}]]), kind: 'fmov', operands: a => [vreg('Rd', a), fpImm('imm8x')], hover: 'Move an 8-bit floating-point immediate into both double-precision elements.' },
];

/** The 64-bit pattern of an FMOV vector immediate. */
function fmovPattern(kind: 's' | 'h' | 'd', imm8: number): bigint {
  const sign = imm8 >> 7, b = (imm8 >> 6) & 1, cc = (imm8 >> 4) & 3, frac = imm8 & 15;
  if (kind === 'd') return (BigInt(sign) << 63n) | (BigInt(b ? 0x3fc | cc : 0x400 | cc) << 52n) | (BigInt(frac) << 48n);
  if (kind === 's') { const v = BigInt(((sign << 31) | ((b ? 0x7c | cc : 0x80 | cc) << 23) | (frac << 19)) >>> 0); return (v << 32n) | v; }
  const h = BigInt((sign << 15) | ((b ? 0xc | cc : 0x10 | cc) << 10) | (frac << 6));
  return h | (h << 16n) | (h << 32n) | (h << 48n);
}

const immSpecs: InsnSpec[] = immForms.map((fm): InsnSpec => {
  const cmodeBits = fm.cmodes.length === 1 ? fm.cmodes[0].toString(2).padStart(4, '0') : 'cmode:4';
  const qBits = fm.q === undefined ? 'Q:1' : String(fm.q);
  const o2 = fm.o2 ?? 0;
  // The fmov forms read imm8 through an alias field 'imm8x' that maps onto abc:defgh.
  const ops = fm.operands(fm.arr).map(o => (o.syntax === '#<fpimm>' ? fpImm8Operand() : o));
  return {
    id: fm.id, mnemonic: fm.m, group: G_IMM, hover: fm.hover,
    pattern: `0 ${qBits} ${fm.op} 0111100000 abc:3 ${cmodeBits} ${o2} 1 defgh:5 Rd:5`,
    valid: f => fm.cmodes.length === 1 || fm.cmodes.includes(f.cmode),
    defaults: fm.cmodes.length === 1 ? {} : { cmode: fm.cmodes[0] },
    operands: ops,
    exec: f => {
      const d = f.Rd, q = fm.q ?? f.Q, imm8 = imm8Of(f);
      const cmode = fm.cmodes.length === 1 ? fm.cmodes[0] : f.cmode;
      const pat = fm.kind === 'fmov' ? fmovPattern(fm.id.endsWith('_d') ? 'd' : fm.id.endsWith('_h') ? 'h' : 's', imm8) : expandImm(fm.op, cmode, imm8);
      const M = 0xffff_ffff_ffff_ffffn;
      switch (fm.kind) {
        case 'mvni': { const v = pat ^ M; return c => { c.v[d * 2] = v; c.v[d * 2 + 1] = q ? v : 0n; }; }
        case 'orr': return c => { c.v[d * 2] |= pat; if (q) c.v[d * 2 + 1] |= pat; else c.v[d * 2 + 1] = 0n; };
        case 'bic': { const k = pat ^ M; return c => { c.v[d * 2] &= k; if (q) c.v[d * 2 + 1] &= k; else c.v[d * 2 + 1] = 0n; }; }
        default: return c => { c.v[d * 2] = pat; c.v[d * 2 + 1] = q ? pat : 0n; };
      }
    },
  };
});

/** The FP immediate operand of the vector FMOV forms (imm8 = abc:defgh). */
function fpImm8Operand(): Operand {
  const base = fpImm('imm8x');
  return {
    syntax: base.syntax,
    format: f => '#' + formatFpE18(fpImm8Value(imm8Of(f))),
    parse: (text, f, ctx) => {
      const g: Fields = {};
      if (!base.parse(text, g, ctx)) return false;
      setImm8(f, g.imm8x);
      return true;
    },
  };
}

export const simdMoveSpecs: InsnSpec[] = [...copySpecs, ...permSpecs, extSpec, ...tblSpecs, ...immSpecs];
