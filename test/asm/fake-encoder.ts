// A tiny stand-in for the emulator/isa encoder: just enough instructions to exercise the
// assembler front end (the real table gets its own differential tests against GNU as).
import { AsmError, OperandError, type EncodeContext } from '../../emulator/asm/types';

function reg(text: string, at: number): { n: number; x: boolean } {
  const m = /^\s*([xw])([0-9]|[12][0-9]|30)\s*$/i.exec(text);
  if (m) return { n: Number(m[2]), x: m[1].toLowerCase() === 'x' };
  const z = /^\s*([xw])zr\s*$/i.exec(text);
  if (z) return { n: 31, x: z[1].toLowerCase() === 'x' };
  throw new OperandError(`expected a general register, got '${text.trim()}'`, at + (text.length - text.trimStart().length));
}

/** Splits operands at top-level commas, keeping each one's offset. */
function operands(ops: string): Array<{ t: string; at: number }> {
  const out: Array<{ t: string; at: number }> = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i <= ops.length; i++) {
    const c = ops[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    if ((c === ',' && depth === 0) || i === ops.length) {
      const raw = ops.slice(start, i);
      const lead = raw.length - raw.trimStart().length;
      out.push({ t: raw.trim(), at: start + lead });
      start = i + 1;
    }
  }
  return out;
}

export function fakeEncode(mnemonic: string, ops: string, ctx: EncodeContext): number {
  const o = ops.trim() === '' ? [] : operands(ops);
  const want = (n: number): void => {
    if (o.length !== n) throw new OperandError(`'${mnemonic}' expects ${n} operand${n === 1 ? '' : 's'}`, 0);
  };
  switch (mnemonic) {
    case 'nop': want(0); return 0xd503201f;
    case 'ret': want(0); return 0xd65f03c0;
    case 'b': case 'bl': {
      want(1);
      const target = ctx.evaluate(o[0].t);
      const d = target - ctx.pc;
      if (d & 3n) throw new OperandError('branch target is not 4-byte aligned', o[0].at);
      if (d < -(1n << 27n) || d >= 1n << 27n) throw new OperandError('branch target out of range', o[0].at);
      return ((mnemonic === 'bl' ? 0x94000000 : 0x14000000) | Number((d >> 2n) & 0x3ffffffn)) >>> 0;
    }
    case 'mov': case 'movz': {
      want(2);
      const r = reg(o[0].t, o[0].at);
      if (!o[1].t.startsWith('#')) throw new OperandError('expected an immediate', o[1].at);
      const v = BigInt.asUintN(64, ctx.evaluate(o[1].t));
      for (let hw = 0; hw < (r.x ? 4 : 2); hw++) {
        if ((v & ~(0xffffn << BigInt(16 * hw))) === 0n) {
          return ((r.x ? 0xd2800000 : 0x52800000) | (hw << 21) | (Number((v >> BigInt(16 * hw)) & 0xffffn) << 5) | r.n) >>> 0;
        }
      }
      throw new OperandError(`immediate ${v} cannot be moved with one MOVZ`, o[1].at);
    }
    case 'add': {
      // add Xd, Xn, #imm12 (also :lo12:sym)
      want(3);
      const d = reg(o[0].t, o[0].at);
      const n = reg(o[1].t, o[1].at);
      if (!o[2].t.startsWith('#')) throw new OperandError('expected an immediate', o[2].at);
      const v = ctx.evaluate(o[2].t);
      if (v < 0n || v > 4095n) throw new OperandError(`immediate ${v} out of range 0..4095`, o[2].at);
      return ((d.x ? 0x91000000 : 0x11000000) | (Number(v) << 10) | (n.n << 5) | d.n) >>> 0;
    }
    case 'adrp': {
      want(2);
      const d = reg(o[0].t, o[0].at);
      const target = ctx.evaluate(o[1].t);
      const delta = (target >> 12n) - (ctx.pc >> 12n);
      const imm = Number(BigInt.asUintN(21, delta));
      return (0x90000000 | ((imm & 3) << 29) | ((imm >> 2) << 5) | d.n) >>> 0;
    }
    case 'ldr': {
      // ldr Rt, label (literal form only)
      want(2);
      const t = reg(o[0].t, o[0].at);
      if (o[1].t.startsWith('[')) throw new OperandError('only the literal form is supported by the fake encoder', o[1].at);
      const target = ctx.evaluate(o[1].t);
      const d = target - ctx.pc;
      if (d & 3n) throw new OperandError('literal is not 4-byte aligned', o[1].at);
      if (d < -(1n << 20n) || d >= 1n << 20n) throw new OperandError('literal out of range', o[1].at);
      return ((t.x ? 0x58000000 : 0x18000000) | (Number((d >> 2n) & 0x7ffffn) << 5) | t.n) >>> 0;
    }
  }
  throw new AsmError(`unknown mnemonic '${mnemonic}'`);
}
