// A first slice of the table: move wide, add/sub immediate, branches, svc, nop, adr/adrp.
// It is also the worked example of how to describe instructions (see docs/ISA.md).
import { OperandError } from '../../asm/types';
import { SP } from '../../cpu/state';
import { cond, COND_NAMES, customImm, gpr, hex, imm, label, literal } from '../operands';
import { addc32, addc64, condHolds, M32, M64, rd31, sfield, wr31 } from '../semantics';
import type { AliasSpec, Fields, InsnSpec } from '../spec';

const DP = 'Data processing (immediate)';
const BR = 'Branches, exception generation and system';

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
      operands: [gpr('Rd'), customImm('#<imm>', f => '#' + hex(movzValue(f)), (v, f) => fitWide(v & widthMask(f), f) && (v >= 0n && v <= widthMask(f)))],
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
        operands: [gpr('Rn', { sp: true }), imm('imm12', 12, { hex: true }), shift12()] });
    }
    return {
      id: `${name}_imm`, mnemonic: name.toLowerCase(), group: DP,
      hover: `${sub ? 'Subtract' : 'Add'} (immediate)${setf ? ', setting NZCV' : ''}: Rd = Rn ${sub ? '-' : '+'} imm12 (optionally << 12).`,
      pattern: `sf:1 ${sub ? 1 : 0} ${setf ? 1 : 0} 100010 sh:1 imm12:12 Rn:5 Rd:5`,
      operands: [gpr('Rd', { sp: !setf }), gpr('Rn', { sp: true }), imm('imm12', 12, { hex: true }), shift12()],
      aliases,
      exec: f => {
        const d = wr31(f.Rd, !setf), n = rd31(f.Rn, true);
        const k = f.imm12 << (f.sh ? 12 : 0);
        if (f.sf) {
          const kb = BigInt(k), nk = (~kb) & M64;
          if (!setf) return sub ? c => { c.x[d] = (c.x[n] - kb) & M64; } : c => { c.x[d] = (c.x[n] + kb) & M64; };
          return sub ? c => { c.x[d] = addc64(c, c.x[n], nk, 1); } : c => { c.x[d] = addc64(c, c.x[n], kb, 0); };
        }
        const nk32 = (~k) >>> 0;
        if (!setf) return sub ? c => { c.x[d] = BigInt((Number(c.x[n] & M32) - k) >>> 0); } : c => { c.x[d] = BigInt((Number(c.x[n] & M32) + k) >>> 0); };
        return sub ? c => { c.x[d] = BigInt(addc32(c, Number(c.x[n] & M32), nk32, 1)); } : c => { c.x[d] = BigInt(addc32(c, Number(c.x[n] & M32), k, 0)); };
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

  // ---- branches ---------------------------------------------------------------------------------
  {
    id: 'B', mnemonic: 'b', group: BR, hover: 'Branch unconditionally to a pc-relative label (±128 MiB).',
    pattern: '0 00101 imm26:26', operands: [label('imm26', 26)],
    exec: f => { const off = sfield(f.imm26, 26) * 4; return c => { c.npc = c.pc + off; }; },
  },
  {
    id: 'BL', mnemonic: 'bl', group: BR, hover: 'Branch with link: X30 = pc + 4, then branch to a pc-relative label.',
    pattern: '1 00101 imm26:26', operands: [label('imm26', 26)],
    exec: f => { const off = sfield(f.imm26, 26) * 4; return c => { c.x[30] = BigInt(c.pc + 4); c.npc = c.pc + off; }; },
  },
  {
    id: 'B_cond', mnemonic: f => 'b.' + COND_NAMES[f.cond], group: BR, hover: 'Branch conditionally to a pc-relative label (±1 MiB).',
    pattern: '0101010 0 imm19:19 0 cond:4', operands: [label('imm19', 19)],
    aliases: [
      ...COND_NAMES.map((n, i) => ({ mnemonic: 'b.' + n, fixed: { cond: i }, when: () => true, asmOnly: true, operands: [label('imm19', 19)] })),
      { mnemonic: 'b.hs', fixed: { cond: 2 }, when: () => true, asmOnly: true, operands: [label('imm19', 19)] },
      { mnemonic: 'b.lo', fixed: { cond: 3 }, when: () => true, asmOnly: true, operands: [label('imm19', 19)] },
      ...COND_NAMES.map((n, i) => ({ mnemonic: 'b' + n, fixed: { cond: i }, when: () => true, asmOnly: true, operands: [label('imm19', 19)] })),
    ],
    exec: f => {
      const off = sfield(f.imm19, 19) * 4, cc = f.cond;
      return c => { if (condHolds(c, cc)) c.npc = c.pc + off; };
    },
  },
  ...([0, 1] as const).map((op): InsnSpec => ({
    id: op ? 'CBNZ' : 'CBZ', mnemonic: op ? 'cbnz' : 'cbz', group: BR,
    hover: `Compare and branch if ${op ? 'not ' : ''}zero.`,
    pattern: `sf:1 011010 ${op} imm19:19 Rt:5`, operands: [gpr('Rt'), label('imm19', 19)],
    exec: f => {
      const t = rd31(f.Rt, false), off = sfield(f.imm19, 19) * 4, mask = f.sf ? M64 : M32;
      return op ? c => { if ((c.x[t] & mask) !== 0n) c.npc = c.pc + off; } : c => { if ((c.x[t] & mask) === 0n) c.npc = c.pc + off; };
    },
  })),
  ...([['BR', 'br', '00'], ['BLR', 'blr', '01'], ['RET', 'ret', '10']] as const).map(([id, m, opc]): InsnSpec => ({
    id, mnemonic: m, group: BR,
    hover: id === 'RET' ? 'Return from subroutine: branch to Xn (default X30).' : id === 'BLR' ? 'Branch with link to register: X30 = pc + 4, pc = Xn.' : 'Branch to register: pc = Xn.',
    pattern: `1101011 0 0 ${opc} 11111 0000 0 0 Rn:5 00000`,
    operands: id === 'RET'
      ? [{ ...gpr('Rn', { width: 'x' }), optional: true, format: (f: Fields) => (f.Rn === 30 ? null : 'x' + f.Rn), parse: (t: string, f: Fields) => { if (t.trim() === '') { f.Rn = 30; return true; } const g = gpr('Rn', { width: 'x' }); return g.parse(t, f, undefined as never); } }]
      : [gpr('Rn', { width: 'x' })],
    exec: f => {
      const n = rd31(f.Rn, false);
      // Addresses beyond 2^53 cannot be a pc; they fault at fetch as a translation fault.
      const target = (c: { x: BigUint64Array }) => { const t = c.x[n]; return t >= 2n ** 48n ? 2 ** 48 : Number(t); };
      return id === 'BLR' ? c => { const t = target(c); c.x[30] = BigInt(c.pc + 4); c.npc = t; } : c => { c.npc = target(c); };
    },
  })),

  // ---- exception generation and hints -----------------------------------------------------------
  {
    id: 'SVC', mnemonic: 'svc', group: BR, hover: 'Supervisor call: enter the kernel (Linux: syscall number in X8, arguments X0-X5).',
    pattern: '11010100 000 imm16:16 000 01', operands: [imm('imm16', 16, { hex: true })],
    exec: f => { const k = f.imm16; return c => { c.svcImm = k; c.stop = 1; }; },
  },
  {
    id: 'NOP', mnemonic: 'nop', group: BR, hover: 'No operation.',
    pattern: '1101010100 0 00 011 0010 0000 000 11111', operands: [],
    exec: () => () => { /* nothing */ },
  },
];

/** `{, lsl #12}` for add/sub immediate. */
function shift12() {
  return {
    syntax: '{, lsl #12}', optional: true,
    format: (f: Fields) => (f.sh ? 'lsl #12' : null),
    parse: (t: string, f: Fields) => {
      const s = t.trim();
      if (s === '') { f.sh = 0; return true; }
      const m = /^lsl\s+#?(\d+)$/i.exec(s);
      if (!m) return false;
      if (m[1] !== '0' && m[1] !== '12') throw new OperandError('shift must be 0 or 12');
      f.sh = m[1] === '12' ? 1 : 0;
      return true;
    },
  };
}

void cond; void literal; void SP;
