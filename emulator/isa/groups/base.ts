// Data processing (immediate), first part: move wide (movz/movn/movk and the mov aliases),
// add/sub immediate (mov to/from sp, cmp, cmn) and adr/adrp. It is also the worked example of
// how to describe instructions (see docs/ISA.md). Logical immediate, bitfield and extract are in
// int-imm.ts; branches and system instructions in branch-sys.ts.
import { OperandError } from '../../asm/types';
import { customImm, evalImm, gpr, hex, imm, label, looksImm } from '../operands';
import { adds32, adds64, M32, M64, rd31, sfield, subs32, subs64, wr31 } from '../semantics';
import type { AliasSpec, Fields, InsnSpec, Operand } from '../spec';

const DP = 'Data processing (immediate)';

// ---- move wide ---------------------------------------------------------------------------------

function moveWide(id: string, mnemonic: string, opc: string, hover: string, exec: InsnSpec['exec'], aliases?: AliasSpec[]): InsnSpec {
  return {
    id, mnemonic, group: DP, hover,
    pattern: `sf:1 ${opc} 100101 hw:2 imm16:16 Rd:5`,
    valid: f => f.sf === 1 || f.hw < 2,
    operands: [
      gpr('Rd'),
      imm('imm16', 16, { hex: true }),
      customImm('{, lsl #<shift>}', f => (f.hw === 0 ? null : `lsl #${f.hw * 16}`), () => false, { optional: true }),
    ].map((o, i) => (i === 2 ? { ...o, parse: (t: string, f: Fields) => parseHw(t, f) } : o)),
    exec, aliases,
  };
}

function parseHw(text: string, f: Fields): boolean {
  const t = text.trim();
  if (t === '') { f.hw = 0; return true; }
  const m = /^lsl\s+#?(\d+)$/i.exec(t);
  if (!m) return false;
  const s = Number(m[1]);
  if (s % 16 !== 0 || s > (f.sf === 0 ? 16 : 48)) throw new OperandError(`shift must be 0, 16${f.sf === 0 ? '' : ', 32 or 48'}`);
  f.hw = s / 16;
  return true;
}

/** The value a MOVZ/MOVN alias `mov` shows. */
const movzValue = (f: Fields): bigint => BigInt(f.imm16) << BigInt(16 * f.hw);
const movnValue = (f: Fields): bigint => (~movzValue(f)) & (f.sf ? M64 : M32);

/** Finds hw/imm16 such that value == imm16 << 16*hw within the register width. */
function fitWide(v: bigint, f: Fields): boolean {
  const max = f.sf ? 4 : 2;
  for (let hw = 0; hw < max; hw++) {
    const sh = BigInt(16 * hw);
    if ((v & ~(0xffffn << sh)) === 0n) { f.hw = hw; f.imm16 = Number(v >> sh); return true; }
  }
  return false;
}

const widthMask = (f: Fields): bigint => (f.sf ? M64 : M32);

export const baseSpecs: InsnSpec[] = [
  moveWide('MOVZ', 'movz', '10', 'Move wide with zero: Rd = imm16 << shift.',
    f => {
      const d = wr31(f.Rd, false), v = BigInt(f.imm16) << BigInt(16 * f.hw);
      return c => { c.x[d] = v; };
    },
    [{
      mnemonic: 'mov', when: f => !(f.imm16 === 0 && f.hw !== 0),
      operands: [gpr('Rd'), {
        ...customImm('#<imm>', f => '#' + hex(movzValue(f)), (v, f) => {
          const m = widthMask(f);
          // GNU as also takes a negative value whose two's complement fits the width.
          if (v > m || v < -(m + 1n)) return false;
          return fitWide(BigInt.asUintN(f.sf ? 64 : 32, v), f) && !(f.imm16 === 0 && f.hw !== 0);
        }),
        // objdump adds the signed value as a comment.
        comment: f => '#' + BigInt.asIntN(f.sf ? 64 : 32, movzValue(f)).toString(),
      }],
    }]),
  moveWide('MOVN', 'movn', '00', 'Move wide with NOT: Rd = NOT(imm16 << shift).',
    f => {
      const d = wr31(f.Rd, false), v = (~(BigInt(f.imm16) << BigInt(16 * f.hw))) & (f.sf ? M64 : M32);
      return c => { c.x[d] = v; };
    },
    [{
      mnemonic: 'mov', when: f => !(f.imm16 === 0 && f.hw !== 0) && (f.sf === 1 || f.imm16 !== 0xffff),
      operands: [gpr('Rd'), {
        ...customImm('#<imm>', f => '#' + hex(movnValue(f)),
          (v, f) => {
            const m = widthMask(f);
            if (v > m || v < -(m + 1n)) return false;
            if (!fitWide((~BigInt.asUintN(f.sf ? 64 : 32, v)) & m, f)) return false;
            return !(f.imm16 === 0 && f.hw !== 0) && (f.sf === 1 || f.imm16 !== 0xffff);
          }),
        // objdump adds the signed value as a comment.
        comment: f => '#' + BigInt.asIntN(f.sf ? 64 : 32, movnValue(f)).toString(),
      }],
    }]),
  moveWide('MOVK', 'movk', '11', 'Move wide with keep: inserts imm16 at the shift, other bits unchanged.',
    f => {
      const d = wr31(f.Rd, false), sh = BigInt(16 * f.hw), keep = ~(0xffffn << sh) & (f.sf ? M64 : M32), v = BigInt(f.imm16) << sh;
      return c => { c.x[d] = (c.x[d] & keep) | v; };
    }),

  // ---- add/sub immediate ------------------------------------------------------------------------
  ...(['ADD', 'ADDS', 'SUB', 'SUBS'] as const).map((name): InsnSpec => {
    const sub = name.startsWith('SUB'), setf = name.endsWith('S');
    const aliases: AliasSpec[] = [];
    if (name === 'ADD') {
      aliases.push({ mnemonic: 'mov', when: f => f.sh === 0 && f.imm12 === 0 && (f.Rd === 31 || f.Rn === 31),
        operands: [gpr('Rd', { sp: true }), gpr('Rn', { sp: true })], fixed: { sh: 0, imm12: 0 } });
    }
    if (setf) {
      aliases.push({ mnemonic: sub ? 'cmp' : 'cmn', when: f => f.Rd === 31, fixed: { Rd: 31 },
        operands: [gpr('Rn', { sp: true }), addSubImm(false), shift12()] });
    }
    // GNU as turns a negative immediate into the opposite operation: add #-4 is sub #4.
    const other = (sub ? 'add' : 'sub') + (setf ? 's' : '');
    aliases.push({ mnemonic: other, when: () => true, asmOnly: true, complete: () => true,
      operands: [gpr('Rd', { sp: !setf }), gpr('Rn', { sp: true }), addSubImm(true), shift12()] });
    if (setf) {
      aliases.push({ mnemonic: sub ? 'cmn' : 'cmp', when: () => true, asmOnly: true, complete: () => true, fixed: { Rd: 31 },
        operands: [gpr('Rn', { sp: true }), addSubImm(true), shift12()] });
    }
    return {
      id: `${name}_imm`, mnemonic: name.toLowerCase(), group: DP,
      hover: `${sub ? 'Subtract' : 'Add'} (immediate)${setf ? ', setting NZCV' : ''}: Rd = Rn ${sub ? '-' : '+'} imm12 (optionally << 12).`,
      pattern: `sf:1 ${sub ? 1 : 0} ${setf ? 1 : 0} 100010 sh:1 imm12:12 Rn:5 Rd:5`,
      operands: [gpr('Rd', { sp: !setf }), gpr('Rn', { sp: true }), addSubImm(false), shift12()],
      aliases,
      exec: f => {
        const d = wr31(f.Rd, !setf), n = rd31(f.Rn, true);
        const k = BigInt(f.imm12 << (f.sh ? 12 : 0));
        if (f.sf) {
          if (!setf) return sub ? c => { c.x[d] = BigInt.asUintN(64, c.x[n] - k); } : c => { c.x[d] = BigInt.asUintN(64, c.x[n] + k); };
          return sub ? c => { c.x[d] = subs64(c, c.x[n], k); } : c => { c.x[d] = adds64(c, c.x[n], k); };
        }
        if (!setf) return sub ? c => { c.x[d] = BigInt.asUintN(32, c.x[n] - k); } : c => { c.x[d] = BigInt.asUintN(32, c.x[n] + k); };
        return sub ? c => { c.x[d] = subs32(c, c.x[n] & M32, k); } : c => { c.x[d] = adds32(c, c.x[n] & M32, k); };
      },
    };
  }),

  // ---- pc-relative addresses --------------------------------------------------------------------
  {
    id: 'ADR', mnemonic: 'adr', group: DP, hover: 'Form pc-relative address: Rd = pc + imm21.',
    pattern: '0 immlo:2 10000 immhi:19 Rd:5',
    operands: [gpr('Rd', { width: 'x' }), label('immhi', 19, { scale: 1, lowField: 'immlo', lowLen: 2 })],
    exec: f => {
      const d = wr31(f.Rd, false), off = sfield(f.immhi * 4 + f.immlo, 21);
      return c => { c.x[d] = BigInt.asUintN(64, BigInt(c.pc + off)); };
    },
  },
  {
    id: 'ADRP', mnemonic: 'adrp', group: DP, hover: 'Form pc-relative address to 4 KiB page: Rd = (pc & ~0xfff) + imm21 << 12.',
    pattern: '1 immlo:2 10000 immhi:19 Rd:5',
    operands: [gpr('Rd', { width: 'x' }), label('immhi', 19, { scale: 4096, page: true, lowField: 'immlo', lowLen: 2 })],
    exec: f => {
      const d = wr31(f.Rd, false), off = sfield(f.immhi * 4 + f.immlo, 21) * 4096;
      return c => { c.x[d] = BigInt.asUintN(64, BigInt(c.pc - (c.pc % 4096) + off)); };
    },
  },

];

/**
 * The imm12 of add/sub (immediate), parsed like GNU as: 0..4095, or a multiple of 4096 below 2^24
 * (then shifted: `add x0, x1, #0x1000` is `#0x1, lsl #12`). With `negated`, only negative values
 * are taken and their magnitude is encoded (for the opposite operation's asm-only alias).
 */
function addSubImm(negated: boolean): Operand {
  const base = imm('imm12', 12, { hex: true });
  return {
    ...base,
    parse: (text, f, ctx) => {
      if (!looksImm(text)) return false;
      let v = evalImm(text, ctx);
      if (negated) { if (v >= 0n) return false; v = -v; } else if (v < 0n) return false;
      if (v < 4096n) { f.imm12 = Number(v); f.autoShift = 0; return true; }
      if (v % 4096n === 0n && v < 1n << 24n) { f.imm12 = Number(v >> 12n); f.autoShift = 1; return true; }
      if (!ctx.final) { f.imm12 = 0; f.autoShift = 0; return true; }
      throw new OperandError(`immediate ${negated ? '-' : ''}0x${v.toString(16)} out of range (0..4095, optionally shifted left by 12)`);
    },
  };
}

/** `{, lsl #12}` for add/sub immediate. */
function shift12(): Operand {
  return {
    syntax: '{, lsl #12}', optional: true,
    format: (f: Fields) => (f.sh ? 'lsl #12' : null),
    parse: (t: string, f: Fields) => {
      const s = t.trim();
      if (s === '') { f.sh = f.autoShift ? 1 : 0; return true; }
      const m = /^lsl\s+#?(\d+)$/i.exec(s);
      if (!m) return false;
      if (m[1] !== '0' && m[1] !== '12') throw new OperandError('shift must be 0 or 12');
      if (f.autoShift) throw new OperandError('immediate out of range');
      f.sh = m[1] === '12' ? 1 : 0;
      return true;
    },
  };
}

