// JavaScript source templates for the hottest instructions, used by the CPU's block compiler
// (emulator/cpu/cpu.ts) to build one function per basic block instead of calling each instruction's
// closure. A template is the *fast path* of the closure its spec's `exec` builds: it works on the
// registers as 32-bit halves (no bigint arithmetic, nothing allocated) and, for memory accesses,
// reads the MMU's TLB directly; whenever anything is not simple (a TLB miss, an access crossing a
// page or, when checked, a granule, a tag check that would fail, a write hook, a write to a page
// with decoded code...) it runs `$SLOW`, which the block compiler replaces by a call of the
// instruction's own closure, so every fault, hook and corner case takes exactly the closure's path.
//
// Contract for template source (one JavaScript statement list):
//  - names in scope: `c` (the Cpu), `x` (c.x), `w` (c.x32: X[n] low half at w[2n], high at
//    w[2n+1]), the vector registers as `vb` / `vh` / `vw` / `vd` (c.v8, c.v16, c.v32, c.vf64:
//    Vn's bytes at vb[16n..], words at vw[4n..4n+3], low double at vd[2n]), `m` (c.mmu), `tv`, `tf`, `tp` (the MMU's TLB vpn / flags / page arrays) and the
//    helpers of JIT_HELPERS by name;
//  - temporaries are declared with const/let (the compiler wraps each template in a block);
//  - nothing outside `$SLOW` may throw, call a memory hook or depend on c.pc (pc-relative values
//    are baked in from `pc`); branches set c.npc (the compiler presets it to pc + 4).
// Templates exist only for the spec ids listed in TEMPLATES; anything else runs its closure.
// test/cpu/jit.test.ts checks every template against its closure on random states and encodings.
import { chooseNonExcludedTag, irgTag } from './groups/mte';
import { rbit32 } from './groups/int-reg';
import { prodErr, sumErr, toOdd } from './groups/fp-soft';
import { expandImm } from './groups/simd-move';
import { logicalImmValue, rd31, sfield, wr31 } from './semantics';
import type { Fields } from './spec';

const MIN_NORMAL_D = 2 ** -1022, BIG_D = 2 ** 1022, SPLIT_MAX = 2 ** 995, PROD_MIN = 2 ** -968;

/**
 * The fused multiply-add a + x*y (operands already negated as the instruction says) on the cases
 * fp-soft.ts fmaD computes with doubles (an exact product, a zero addend, or the emulated FMA with
 * a normal result); NaN when fmaD would take its slow path. FPSR flags are the caller's business
 * (the template requires IXC already set, the only flag these cases raise).
 */
function fmaFastD(a: number, x: number, y: number): number {
  if (a !== a || x !== x || y !== y) return NaN;
  const p = x * y, ap = Math.abs(p);
  if (!(ap >= PROD_MIN && ap !== Infinity && Math.abs(x) < SPLIT_MAX && Math.abs(y) < SPLIT_MAX && Math.abs(a) !== Infinity)) return NaN;
  const e = prodErr(x, y, p);
  if (e === 0) {
    const s = p + a;
    return ((Math.abs(s) > MIN_NORMAL_D && Math.abs(s) !== Infinity) || s === 0) && ap < BIG_D && Math.abs(a) < BIG_D ? s : NaN;
  }
  if (a === 0) return p;
  if (!(ap < BIG_D && Math.abs(a) < BIG_D)) return NaN;
  const th = a + p, tl = sumErr(a, p, th);
  let v = tl + e;
  const ve = sumErr(tl, e, v);
  if (ve !== 0 && Math.abs(v) < MIN_NORMAL_D) return NaN;
  if (ve !== 0) v = toOdd(v, ve);
  const r = th + v;
  return Math.abs(r) > MIN_NORMAL_D && Math.abs(r) !== Infinity ? r : NaN;
}

/** Helper functions template source may call (passed to every block function by name). */
export const JIT_HELPERS: Record<string, unknown> = { irgTag, chooseNonExcludedTag, rbit32, fmaFastD };

/** Builds the source for one instruction (fields decoded, pc its address), or undefined to use its closure. */
export type JitTemplate = (f: Fields, pc: number) => string | undefined;

const TWO32 = 4294967296;
const L = (r: number): string => `w[${2 * r}]`;
const H = (r: number): string => `w[${2 * r + 1}]`;
/** The halves of a 64-bit constant given as a (possibly negative, wrapping) integer number or bigint. */
function halves(v: bigint): [number, number] {
  const u = BigInt.asUintN(64, v);
  return [Number(u & 0xffff_ffffn), Number(u >> 32n)];
}

// ---- condition codes -------------------------------------------------------------------------------

function condExpr(cond: number): string {
  switch (cond) {
    case 0: return 'c.zf === 1';
    case 1: return 'c.zf === 0';
    case 2: return 'c.cf === 1';
    case 3: return 'c.cf === 0';
    case 4: return 'c.nf === 1';
    case 5: return 'c.nf === 0';
    case 6: return 'c.vf === 1';
    case 7: return 'c.vf === 0';
    case 8: return '(c.cf === 1 && c.zf === 0)';
    case 9: return '!(c.cf === 1 && c.zf === 0)';
    case 10: return 'c.nf === c.vf';
    case 11: return 'c.nf !== c.vf';
    case 12: return '(c.zf === 0 && c.nf === c.vf)';
    case 13: return '!(c.zf === 0 && c.nf === c.vf)';
    default: return 'true';
  }
}

// ---- arithmetic on halves --------------------------------------------------------------------------
// Operands are given as expressions of numbers in [0, 2^32): a = (al, ah), b = (bl, bh). Results are
// written to register d (Uint32Array stores wrap modulo 2^32) after all operands are read.

/** d = a + b or a - b, 64-bit, optionally setting NZCV (d = -1: flags only). */
function addSub64(d: number, sub: boolean, setf: boolean, al: string, ah: string, bl: string, bh: string): string {
  const s: string[] = [`const al = ${al}, ah = ${ah}, bl = ${bl}, bh = ${bh};`];
  if (sub) s.push('const l = al - bl; const h = ah - bh - (l < 0 ? 1 : 0);');
  else s.push('const l = al + bl; const h = ah + bh + (l > 4294967295 ? 1 : 0);');
  if (d >= 0) s.push(`${L(d)} = l; ${H(d)} = h;`);
  if (setf) {
    s.push('const rl = l >>> 0, rh = h >>> 0;');
    s.push('c.nf = rh >>> 31; c.zf = (rl | rh) === 0 ? 1 : 0;');
    s.push(sub ? 'c.cf = h >= 0 ? 1 : 0; c.vf = ((ah ^ bh) & (ah ^ rh)) >>> 31;'
      : 'c.cf = h > 4294967295 ? 1 : 0; c.vf = ((ah ^ rh) & (bh ^ rh)) >>> 31;');
  }
  return s.join(' ');
}

/** d = a + b or a - b, 32-bit (upper half of d zeroed), optionally setting NZCV (d = -1: flags only). */
function addSub32(d: number, sub: boolean, setf: boolean, al: string, bl: string): string {
  const s: string[] = [`const al = ${al}, bl = ${bl};`, `const l = al ${sub ? '-' : '+'} bl;`];
  if (d >= 0) s.push(`${L(d)} = l; ${H(d)} = 0;`);
  if (setf) {
    s.push('const r = l >>> 0;');
    s.push('c.nf = r >>> 31; c.zf = r === 0 ? 1 : 0;');
    s.push(sub ? 'c.cf = l >= 0 ? 1 : 0; c.vf = ((al ^ bl) & (al ^ r)) >>> 31;'
      : 'c.cf = l > 4294967295 ? 1 : 0; c.vf = ((al ^ r) & (bl ^ r)) >>> 31;');
  }
  return s.join(' ');
}

type LogicOp = 'and' | 'bic' | 'orr' | 'orn' | 'eor' | 'eon';
const LOGIC: Record<LogicOp, (a: string, b: string) => string> = {
  and: (a, b) => `${a} & ${b}`, bic: (a, b) => `${a} & ~${b}`,
  orr: (a, b) => `${a} | ${b}`, orn: (a, b) => `${a} | ~${b}`,
  eor: (a, b) => `${a} ^ ${b}`, eon: (a, b) => `${a} ^ ~${b}`,
};

/** d = a op b (64 or 32-bit), with NZ set and CV cleared when setf. */
function logic(d: number, x64: boolean, op: LogicOp, setf: boolean, al: string, ah: string, bl: string, bh: string): string {
  const s: string[] = [];
  if (x64) {
    s.push(`const al = ${al}, ah = ${ah}, bl = ${bl}, bh = ${bh};`);
    s.push(`const rl = ${LOGIC[op]('al', 'bl')}, rh = ${LOGIC[op]('ah', 'bh')};`);
    s.push(`${L(d)} = rl; ${H(d)} = rh;`);
    if (setf) s.push('c.nf = rh >>> 31; c.zf = (rl | rh) === 0 ? 1 : 0; c.cf = 0; c.vf = 0;');
  } else {
    s.push(`const al = ${al}, bl = ${bl};`);
    s.push(`const rl = ${LOGIC[op]('al', 'bl')};`);
    s.push(`${L(d)} = rl; ${H(d)} = 0;`);
    if (setf) s.push('c.nf = rl >>> 31; c.zf = rl === 0 ? 1 : 0; c.cf = 0; c.vf = 0;');
  }
  return s.join(' ');
}

/**
 * Rm shifted by a constant as [bl, bh] expressions (numbers in [0, 2^32)), after `const ml = ..., mh = ...`.
 * type: 0 LSL, 1 LSR, 2 ASR, 3 ROR; s in [0, 64) (64-bit) or [0, 32) (32-bit; bh unused).
 */
function shifted(type: number, s: number, x64: boolean): [string, string] {
  if (s === 0) return ['ml', 'mh'];
  if (!x64) {
    switch (type) {
      case 0: return [`(ml << ${s}) >>> 0`, '0'];
      case 1: return [`ml >>> ${s}`, '0'];
      case 2: return [`(ml >> ${s}) >>> 0`, '0'];
      default: return [`((ml >>> ${s}) | (ml << ${32 - s})) >>> 0`, '0'];
    }
  }
  if (s < 32) {
    switch (type) {
      case 0: return [`(ml << ${s}) >>> 0`, `((mh << ${s}) | (ml >>> ${32 - s})) >>> 0`];
      case 1: return [`((ml >>> ${s}) | (mh << ${32 - s})) >>> 0`, `mh >>> ${s}`];
      case 2: return [`((ml >>> ${s}) | (mh << ${32 - s})) >>> 0`, `(mh >> ${s}) >>> 0`];
      default: return [`((ml >>> ${s}) | (mh << ${32 - s})) >>> 0`, `((mh >>> ${s}) | (ml << ${32 - s})) >>> 0`];
    }
  }
  if (s === 32) {
    switch (type) {
      case 0: return ['0', 'ml'];
      case 1: return ['mh', '0'];
      case 2: return ['mh', '(mh >> 31) >>> 0'];
      default: return ['mh', 'ml'];
    }
  }
  const t = s - 32;
  switch (type) {
    case 0: return ['0', `(ml << ${t}) >>> 0`];
    case 1: return [`mh >>> ${t}`, '0'];
    case 2: return [`(mh >> ${t}) >>> 0`, '(mh >> 31) >>> 0'];
    default: return [`((mh >>> ${t}) | (ml << ${32 - t})) >>> 0`, `((ml >>> ${t}) | (mh << ${32 - t})) >>> 0`];
  }
}

/** Rm extended (option 0-7: uxtb uxth uxtw uxtx sxtb sxth sxtw sxtx) then shifted left by s (0-4). */
function extended(option: number, s: number): [string, string] {
  let el: string, eh: string;
  switch (option) {
    case 0: el = '(ml & 255)'; eh = '0'; break;
    case 1: el = '(ml & 65535)'; eh = '0'; break;
    case 2: el = 'ml'; eh = '0'; break;
    case 4: el = '((ml << 24) >> 24)'; eh = `(((ml << 24) >> 24) >> 31)`; break;
    case 5: el = '((ml << 16) >> 16)'; eh = `(((ml << 16) >> 16) >> 31)`; break;
    case 6: el = '(ml | 0)'; eh = '((ml | 0) >> 31)'; break;
    default: el = 'ml'; eh = 'mh'; break;
  }
  if (s === 0) return [`${el} >>> 0`, `${eh} >>> 0`];
  return [`(${el} << ${s}) >>> 0`, `((${eh} << ${s}) | (${el} >>> ${32 - s})) >>> 0`];
}

// ---- templates: data processing ---------------------------------------------------------------------

function addSubImm(sub: boolean, setf: boolean): JitTemplate {
  return f => {
    const d = wr31(f.Rd, !setf), n = rd31(f.Rn, true);
    const k = f.imm12 * (f.sh ? 4096 : 1);
    if (f.sf) {
      if (!setf) {
        return sub
          ? `const l = ${L(n)} - ${k}; ${L(d)} = l; ${H(d)} = ${H(n)} - (l < 0 ? 1 : 0);`
          : `const l = ${L(n)} + ${k}; ${L(d)} = l; ${H(d)} = ${H(n)} + (l > 4294967295 ? 1 : 0);`;
      }
      return addSub64(d, sub, true, L(n), H(n), String(k), '0');
    }
    if (!setf) return `${L(d)} = ${L(n)} ${sub ? '-' : '+'} ${k}; ${H(d)} = 0;`;
    return addSub32(d, sub, true, L(n), String(k));
  };
}

function addSubShifted(sub: boolean, setf: boolean): JitTemplate {
  return f => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false), x64 = f.sf === 1;
    const [bl, bh] = shifted(f.shift, f.imm6, x64);
    const pre = `const ml = ${L(m)}, mh = ${H(m)};`;
    return x64 ? `${pre} ${addSub64(d, sub, setf, L(n), H(n), bl, bh)}` : `${pre} ${addSub32(d, sub, setf, L(n), bl)}`;
  };
}

function addSubExtended(sub: boolean, setf: boolean): JitTemplate {
  return f => {
    const d = wr31(f.Rd, !setf), n = rd31(f.Rn, true), m = rd31(f.Rm, false), x64 = f.sf === 1;
    const [bl, bh] = extended(f.option, f.imm3);
    const pre = `const ml = ${L(m)}, mh = ${H(m)};`;
    return x64 ? `${pre} ${addSub64(d, sub, setf, L(n), H(n), bl, bh)}` : `${pre} ${addSub32(d, sub, setf, L(n), bl)}`;
  };
}

function logicShifted(op: LogicOp, setf: boolean): JitTemplate {
  return f => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false), x64 = f.sf === 1;
    const [bl, bh] = shifted(f.shift, f.imm6, x64);
    return `const ml = ${L(m)}, mh = ${H(m)}; ${logic(d, x64, op, setf, L(n), H(n), bl, bh)}`;
  };
}

function logicImm(op: LogicOp, setf: boolean): JitTemplate {
  return f => {
    const x64 = f.sf === 1;
    const k = logicalImmValue(f.N, f.immr, f.imms, x64 ? 64 : 32);
    if (k === undefined) return undefined;
    const d = wr31(f.Rd, !setf), n = rd31(f.Rn, false);
    const [kl, kh] = halves(k);
    if (op === 'orr' && f.Rn === 31) return `${L(d)} = ${kl}; ${H(d)} = ${x64 ? kh : 0};`;
    return logic(d, x64, op, setf, L(n), H(n), String(kl), String(kh));
  };
}

function moveWide(kind: 'z' | 'n' | 'k'): JitTemplate {
  return f => {
    const d = wr31(f.Rd, false), x64 = f.sf === 1;
    const sh = 16 * f.hw;
    if (kind === 'k') {
      const idx = sh >= 32 ? 2 * d + 1 : 2 * d;
      const s = sh % 32;
      const keep = (~(0xffff << s)) >>> 0, v = (f.imm16 << s) >>> 0;
      return `${idx === 2 * d ? L(d) : H(d)} = (w[${idx}] & ${keep}) | ${v};${x64 ? '' : ` ${H(d)} = 0;`}`;
    }
    let v = BigInt(f.imm16) << BigInt(sh);
    if (kind === 'n') v = ~v & (x64 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn);
    const [lo, hi] = halves(v);
    return `${L(d)} = ${lo}; ${H(d)} = ${hi};`;
  };
}

function condSelect(key: number): JitTemplate {
  return f => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false), x64 = f.sf === 1;
    const s: string[] = [`const nl = ${L(n)}, nh = ${H(n)}, ml = ${L(m)}, mh = ${H(m)};`];
    // The value when the condition fails: Rm, Rm + 1, NOT Rm, -Rm.
    switch (key) {
      case 0: s.push('const el = ml, eh = mh;'); break;
      case 1: s.push('const el = (ml + 1) >>> 0, eh = (mh + (ml === 4294967295 ? 1 : 0)) >>> 0;'); break;
      case 2: s.push('const el = ~ml >>> 0, eh = ~mh >>> 0;'); break;
      default: s.push('const el = (0 - ml) >>> 0, eh = (0 - mh - (ml !== 0 ? 1 : 0)) >>> 0;'); break;
    }
    s.push(`if (${condExpr(f.cond)}) { ${L(d)} = nl; ${H(d)} = ${x64 ? 'nh' : '0'}; } else { ${L(d)} = el; ${H(d)} = ${x64 ? 'eh' : '0'}; }`);
    return s.join(' ');
  };
}

function condCompare(neg: boolean, immForm: boolean): JitTemplate {
  return f => {
    const n = rd31(f.Rn, false), x64 = f.sf === 1, nz = f.nzcv;
    const setf: string[] = [];
    if (immForm) setf.push(`const ml = ${f.imm5}, mh = 0;`);
    else { const m = rd31(f.Rm, false); setf.push(`const ml = ${L(m)}, mh = ${H(m)};`); }
    setf.push(x64 ? addSub64(-1, !neg, true, L(n), H(n), 'ml', 'mh') : addSub32(-1, !neg, true, L(n), 'ml'));
    return `if (${condExpr(f.cond)}) { ${setf.join(' ')} } else { c.nf = ${(nz >> 3) & 1}; c.zf = ${(nz >> 2) & 1}; c.cf = ${(nz >> 1) & 1}; c.vf = ${nz & 1}; }`;
  };
}

/** MADD / MSUB: 64-bit through bigint arithmetic (V8 lowers it to machine multiplies), 32-bit through Math.imul. */
function mulAdd(sub: boolean): JitTemplate {
  return f => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false), a = rd31(f.Ra, false);
    if (f.sf) return `x[${d}] = BigInt.asUintN(64, x[${a}] ${sub ? '-' : '+'} x[${n}] * x[${m}]);`;
    return `const p = Math.imul(${L(n)}, ${L(m)}); ${L(d)} = ${L(a)} ${sub ? '-' : '+'} p; ${H(d)} = 0;`;
  };
}

/** SMADDL / UMADDL and their SUB forms: Xd = Xa +- Wn * Wm (32 x 32 -> 64). */
function mulAddLong(signed: boolean, sub: boolean): JitTemplate {
  return f => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false), a = rd31(f.Ra, false);
    const op = (r: number): string => (signed ? `BigInt.asIntN(32, x[${r}])` : `(x[${r}] & 0xffffffffn)`);
    return `x[${d}] = BigInt.asUintN(64, x[${a}] ${sub ? '-' : '+'} ${op(n)} * ${op(m)});`;
  };
}

/** Mask of the low b bits (0 < b <= 32) as a number. */
const lowMask = (b: number): number => (b >= 32 ? 0xffff_ffff : (2 ** b) - 1);

/**
 * SBFM / UBFM (asr, lsr, lsl, sxt*, uxt*, sbfx, ubfx, sbfiz, ubfiz) on halves: the field is shifted
 * down and zero- or sign-extended from its width, or (insert forms) extended then shifted up.
 */
function bitfield(signed: boolean): JitTemplate {
  return f => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false), x64 = f.sf === 1, sz = x64 ? 64 : 32;
    const R = f.immr, S = f.imms;
    if (!x64 && (R >= 32 || S >= 32)) return undefined;
    const s: string[] = [`const ml = ${L(n)}, mh = ${x64 ? H(n) : '0'};`];
    /** Extends (tl, th) from its low `b` bits, into (el, eh). */
    const extend = (b: number): void => {
      if (b >= 64) { s.push('const el = tl, eh = th;'); return; }
      if (b > 32) {
        s.push(signed ? `const el = tl, eh = ((th << ${64 - b}) >> ${64 - b}) >>> 0;` : `const el = tl, eh = (th & ${lowMask(b - 32)}) >>> 0;`);
        return;
      }
      if (signed) s.push(b === 32 ? 'const el = tl >>> 0, eh = (tl >> 31) >>> 0;' : `const v = (tl << ${32 - b}) >> ${32 - b}; const el = v >>> 0, eh = (v >> 31) >>> 0;`);
      else s.push(`const el = (tl & ${lowMask(b)}) >>> 0, eh = 0;`);
    };
    if (S >= R) {
      const [tl, th] = shifted(signed ? 2 : 1, R, true);
      s.push(`const tl = ${x64 ? tl : `ml >>> ${R}`}, th = ${x64 ? th : '0'};`);
      extend(S - R + 1);
    } else {
      s.push('const tl = ml, th = mh;');
      extend(S + 1);
      const [ol, oh] = shifted(0, sz - R, true);
      s.push(`{ const ml = el, mh = eh; const rl = ${ol}, rh = ${oh}; ${L(d)} = rl; ${H(d)} = ${x64 ? 'rh' : '0'}; }`);
      return s.join(' ');
    }
    // 32-bit results keep only the low word (sign extension stops at bit 31).
    s.push(`${L(d)} = el; ${H(d)} = ${x64 ? 'eh' : '0'};`);
    return s.join(' ');
  };
}

const adr = (page: boolean): JitTemplate => (f, pc) => {
  const d = wr31(f.Rd, false);
  const off = sfield(f.immhi * 4 + f.immlo, 21);
  const v = page ? pc - (pc % 4096) + off * 4096 : pc + off;
  const [lo, hi] = halves(BigInt(v));
  return `${L(d)} = ${lo}; ${H(d)} = ${hi};`;
};

/** Variable shifts (LSLV LSRV ASRV RORV): the amount is Rm modulo the register size. */
function shiftVar(type: number): JitTemplate {
  return f => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false), m = rd31(f.Rm, false);
    if (!f.sf) {
      const e = ['l << s', 'l >>> s', 'l >> s', 's === 0 ? l : (l >>> s) | (l << (32 - s))'][type];
      return `const l = ${L(n)}, s = ${L(m)} & 31; ${L(d)} = (${e}) >>> 0; ${H(d)} = 0;`;
    }
    // s in [1, 31] and t = s - 32 in [0, 31] (JavaScript shifts count modulo 32, so 0 and 32 are special).
    const lt = ['l << s', '(l >>> s) | (h << (32 - s))', '(l >>> s) | (h << (32 - s))', '(l >>> s) | (h << (32 - s))'][type];
    const ht = ['(h << s) | (l >>> (32 - s))', 'h >>> s', 'h >> s', '(h >>> s) | (l << (32 - s))'][type];
    const lg = ['0', 'h >>> t', 'h >> t', 't === 0 ? h : (h >>> t) | (l << (32 - t))'][type];
    const hg = ['l << t', '0', 'h >> 31', 't === 0 ? l : (l >>> t) | (h << (32 - t))'][type];
    return `const l = ${L(n)}, h = ${H(n)}, s = ${L(m)} & 63; let rl, rh; if (s === 0) { rl = l; rh = h; } else if (s < 32) { rl = ${lt}; rh = ${ht}; } else { const t = s - 32; rl = ${lg}; rh = ${hg}; } ${L(d)} = rl >>> 0; ${H(d)} = rh >>> 0;`;
  };
}

const bswap = (x: string): string => `(((${x} & 255) << 24) | ((${x} & 65280) << 8) | ((${x} >>> 8) & 65280) | (${x} >>> 24)) >>> 0`;
const bswap16x2 = (x: string): string => `(((${x} & 16711935) << 8) | ((${x} >>> 8) & 16711935)) >>> 0`;
/** Data-processing (1 source) on halves: REV*, RBIT, CLZ; (l, h) are Rn's halves, the results (rl, rh). */
function oneSrc(x64: boolean, lo: string, hi: string): JitTemplate {
  return f => {
    const d = wr31(f.Rd, false), n = rd31(f.Rn, false);
    return `const l = ${L(n)}, h = ${x64 ? H(n) : '0'}; const rl = ${lo}, rh = ${x64 ? hi : '0'}; ${L(d)} = rl; ${H(d)} = rh;`;
  };
}

const INT_MORE: Record<string, JitTemplate> = {
  LSLV: shiftVar(0), LSRV: shiftVar(1), ASRV: shiftVar(2), RORV: shiftVar(3),
  REV_x: oneSrc(true, bswap('h'), bswap('l')), REV_w: oneSrc(false, bswap('l'), '0'),
  REV32_x: oneSrc(true, bswap('l'), bswap('h')), REV16_x: oneSrc(true, bswap16x2('l'), bswap16x2('h')), REV16_w: oneSrc(false, bswap16x2('l'), '0'),
  RBIT_x: oneSrc(true, 'rbit32(h)', 'rbit32(l)'), RBIT_w: oneSrc(false, 'rbit32(l)', '0'),
  CLZ_x: oneSrc(true, 'h !== 0 ? Math.clz32(h) : 32 + Math.clz32(l)', '0'), CLZ_w: oneSrc(false, 'Math.clz32(l)', '0'),
};

// ---- templates: branches ----------------------------------------------------------------------------

/** pc = Xn with the tag byte dropped; a non-user address becomes 2^48 (faults at fetch), as branchTarget. */
const regTarget = (n: number): string =>
  `((${H(n)} & 16711680) === 0 ? (${H(n)} & 65535) * ${TWO32} + ${L(n)} : 281474976710656)`;

const BRANCHES: Record<string, JitTemplate> = {
  B: (f, pc) => `c.npc = ${pc + sfield(f.imm26, 26) * 4};`,
  BL: (f, pc) => {
    const [lo, hi] = halves(BigInt(pc + 4));
    return `${L(30)} = ${lo}; ${H(30)} = ${hi}; c.npc = ${pc + sfield(f.imm26, 26) * 4};`;
  },
  B_cond: (f, pc) => `if (${condExpr(f.cond)}) c.npc = ${pc + sfield(f.imm19, 19) * 4};`,
  CBZ: (f, pc) => {
    const t = rd31(f.Rt, false);
    return `if (${f.sf ? `(${L(t)} | ${H(t)})` : L(t)} === 0) c.npc = ${pc + sfield(f.imm19, 19) * 4};`;
  },
  CBNZ: (f, pc) => {
    const t = rd31(f.Rt, false);
    return `if (${f.sf ? `(${L(t)} | ${H(t)})` : L(t)} !== 0) c.npc = ${pc + sfield(f.imm19, 19) * 4};`;
  },
  TBZ: (f, pc) => {
    const t = rd31(f.Rt, false), b = f.b5 * 32 + f.b40;
    return `if (((w[${2 * t + (b >> 5)}] >>> ${b & 31}) & 1) === 0) c.npc = ${pc + sfield(f.imm14, 14) * 4};`;
  },
  TBNZ: (f, pc) => {
    const t = rd31(f.Rt, false), b = f.b5 * 32 + f.b40;
    return `if (((w[${2 * t + (b >> 5)}] >>> ${b & 31}) & 1) !== 0) c.npc = ${pc + sfield(f.imm14, 14) * 4};`;
  },
  BR: f => `c.npc = ${regTarget(rd31(f.Rn, false))};`,
  RET: f => `c.npc = ${regTarget(rd31(f.Rn, false))};`,
  BLR: (f, pc) => {
    const [lo, hi] = halves(BigInt(pc + 4));
    return `const t = ${regTarget(rd31(f.Rn, false))}; ${L(30)} = ${lo}; ${H(30)} = ${hi}; c.npc = t;`;
  },
};

// ---- templates: loads and stores --------------------------------------------------------------------

/** An access: size in bytes, what it does with which register(s). */
interface Access {
  size: number;
  /** 'x' 8 bytes, 'w' zero-extended, 'sx' / 'sw' sign-extended into X / W (loads only). */
  load?: 'x' | 'w' | 'sx' | 'sw';
  store?: boolean;
  t: number;
  /** Second register of a pair (each half of the access is size / 2 bytes). */
  t2?: number;
  /** t (and t2) are vector registers (B/H/S/D/Q: loads zero the rest of the register). */
  vec?: boolean;
  /** Vector registers of an LD1/ST1 list (instead of t, t2), each size / length bytes. */
  list?: number[];
}

const VW = (r: number, i: number): string => `vw[${4 * r + i}]`;

/** The data movement between page view `v` at offset `o` and vector register(s) (sizes 1-16 per register). */
function moveVec(a: Access): string {
  const le = ', true';
  const regs = a.list ?? (a.t2 === undefined ? [a.t] : [a.t, a.t2]);
  const each = a.size / regs.length;
  if (a.store) {
    const s: string[] = [];
    regs.forEach((r, k) => {
      const base = k * each;
      if (each >= 4) for (let i = 0; i < each / 4; i++) s.push(`v.setUint32(o + ${base + 4 * i}, ${VW(r, i)}${le});`);
      else s.push(each === 2 ? `v.setUint16(o + ${base}, ${VW(r, 0)} & 65535${le});` : `v.setUint8(o + ${base}, ${VW(r, 0)} & 255);`);
    });
    return s.join(' ');
  }
  // Loads read everything first, then write the register(s) in order (Rt2 last, as the closures do).
  const reads: string[] = [], writes: string[] = [];
  regs.forEach((r, k) => {
    const base = k * each;
    for (let i = 0; i < 4; i++) {
      if (i * 4 < each) {
        const name = `d${k}_${i}`;
        reads.push(`${name} = ${each >= 4 ? `v.getUint32(o + ${base + 4 * i}${le})` : each === 2 ? `v.getUint16(o + ${base}${le})` : `v.getUint8(o + ${base})`}`);
        writes.push(`${VW(r, i)} = ${name};`);
      } else writes.push(`${VW(r, i)} = 0;`);
    }
  });
  return `const ${reads.join(', ')}; ${writes.join(' ')}`;
}

/** Code computing `lo`, `hi` = Xn + off (off a small integer, maybe negative). */
function addrImm(n: number, off: number): string {
  return addConst(L(n), H(n), off, 'lo', 'hi');
}

/** Code declaring `lo`, `hi` (names given) = (bl, bh) + off, 64-bit. */
function addConst(bl: string, bh: string, off: number, lo: string, hi: string): string {
  if (off === 0) return `const ${lo} = ${bl}, ${hi} = ${bh};`;
  if (off > 0) return `let ${lo} = ${bl} + ${off}, ${hi} = ${bh}; if (${lo} > 4294967295) { ${lo} -= ${TWO32}; ${hi} = (${hi} + 1) >>> 0; }`;
  return `let ${lo} = ${bl} - ${-off}, ${hi} = ${bh}; if (${lo} < 0) { ${lo} += ${TWO32}; ${hi} = (${hi} - 1) >>> 0; }`;
}

/** Post-index writeback: Xn = the address (lo, hi) + off (computed from the address, not from Xn, which a load may have overwritten). */
const postWb = (n: number, off: number): string => `{ ${addConst('lo', 'hi', off, 'nl', 'nh')} ${L(n)} = nl; ${H(n)} = nh; }`;

const DATA_GET: Record<number, string> = { 1: 'getUint8', 2: 'getUint16', 4: 'getUint32' };
const DATA_GET_S: Record<number, string> = { 1: 'getInt8', 2: 'getInt16', 4: 'getInt32' };
const DATA_SET: Record<number, string> = { 1: 'setUint8', 2: 'setUint16', 4: 'setUint32' };

/** The data movement between page view `v` at offset `o` and the register(s). */
function move(a: Access): string {
  if (a.vec) return moveVec(a);
  const le = ', true';
  if (a.t2 !== undefined) {
    const half = a.size / 2;
    if (a.store) {
      return half === 8
        ? `v.setUint32(o, ${L(a.t)}${le}); v.setUint32(o + 4, ${H(a.t)}${le}); v.setUint32(o + 8, ${L(a.t2)}${le}); v.setUint32(o + 12, ${H(a.t2)}${le});`
        : `v.setUint32(o, ${L(a.t)}${le}); v.setUint32(o + 4, ${L(a.t2)}${le});`;
    }
    return half === 8
      ? `const a0 = v.getUint32(o${le}), a1 = v.getUint32(o + 4${le}), b0 = v.getUint32(o + 8${le}), b1 = v.getUint32(o + 12${le}); ${L(a.t)} = a0; ${H(a.t)} = a1; ${L(a.t2)} = b0; ${H(a.t2)} = b1;`
      : `const a0 = v.getUint32(o${le}), b0 = v.getUint32(o + 4${le}); ${L(a.t)} = a0; ${H(a.t)} = 0; ${L(a.t2)} = b0; ${H(a.t2)} = 0;`;
  }
  if (a.store) {
    return a.size === 8
      ? `v.setUint32(o, ${L(a.t)}${le}); v.setUint32(o + 4, ${H(a.t)}${le});`
      : `v.${DATA_SET[a.size]}(o, ${L(a.t)}${a.size > 1 ? le : ''});`;
  }
  if (a.size === 8) return `const a0 = v.getUint32(o${le}), a1 = v.getUint32(o + 4${le}); ${L(a.t)} = a0; ${H(a.t)} = a1;`;
  const get = (s: boolean) => `v.${(s ? DATA_GET_S : DATA_GET)[a.size]}(o${a.size > 1 ? le : ''})`;
  switch (a.load) {
    case 'sx': return `const q = ${get(true)}; ${L(a.t)} = q; ${H(a.t)} = q >> 31;`;
    case 'sw': return `${L(a.t)} = ${get(true)}; ${H(a.t)} = 0;`;
    default: return `${L(a.t)} = ${get(false)}; ${H(a.t)} = 0;`;
  }
}

/**
 * An access at (lo, hi) computed by `addr`: the TLB fast path, then `after` (writeback), or $SLOW.
 * Fast only when the access stays in its page, the TLB allows it and, when the access is
 * tag-checked and checking is on for the page, it stays in one granule whose tag matches.
 */
function access(addr: string, a: Access, checked: boolean, after = ''): string {
  const write = a.store === true;
  const s: string[] = [addr];
  s.push('const o = lo & 4095, i = (lo >>> 12) & 1023;');
  s.push(`let ok = o <= ${4096 - a.size} && tv[i] === (hi & 16777215) * 1048576 + (lo >>> 12) && (tf[i] & ${write ? 2 : 1}) !== 0;`);
  if (checked) {
    s.push('if (ok && (tf[i] & 8) !== 0 && c.tcf0 !== 0 && c.tco === 0) {');
    const tagAt = (o: string): string => `(tg === null ? 0 : (tg[${o} >> 5] >> ((${o} >> 2) & 4)) & 15)`;
    s.push(a.size <= 16
      ? `const tg = tp[i].tags; ok = (o & 15) <= ${16 - a.size} && ${tagAt('o')} === ((hi >>> 24) & 15); }`
      // More (LDP/STP of Q registers, LD1/ST1 of several registers): whole granules from a granule start.
      : `const tg = tp[i].tags, lt = (hi >>> 24) & 15; ok = (o & 15) === 0${Array.from({ length: Math.ceil(a.size / 16) }, (_, k) => ` && ${tagAt(k ? `(o + ${16 * k})` : 'o')} === lt`).join('')}; }`);
  }
  if (write) s.push('if (ok && (m.hooks.beforeWrite !== undefined || tp[i].decoded !== null)) ok = false;');
  s.push(`if (ok) { const v = tp[i].view; ${move(a)} ${after} } else $SLOW`);
  return s.join(' ');
}

type Mode = 'uimm' | 'unscaled' | 'unpriv' | 'pre' | 'post' | 'reg';

function single(a: Omit<Access, 't'>, mode: Mode, log2: number): JitTemplate {
  return f => {
    const n = rd31(f.Rn, true);
    const acc: Access = { ...a, t: a.vec ? f.Rt : a.store ? rd31(f.Rt, false) : wr31(f.Rt, false) };
    if (mode === 'reg') {
      const m = rd31(f.Rm, false), sh = f.S ? log2 : 0;
      const [bl, bh] = f.option === 3 || f.option === 7 ? shifted(0, sh, true) : extended(f.option, sh);
      const addr = `const ml = ${L(m)}, mh = ${H(m)}; const bl = ${bl}, bh = ${bh}; let lo = ${L(n)} + bl, hi = ${H(n)} + bh; if (lo > 4294967295) { lo -= ${TWO32}; hi += 1; } hi = hi >>> 0;`;
      return access(addr, acc, true);
    }
    const off = mode === 'uimm' ? f.imm12 * (1 << log2) : sfield(f.imm9, 9);
    if (mode === 'pre') return access(addrImm(n, off), acc, true, `${L(n)} = lo; ${H(n)} = hi;`);
    if (mode === 'post') {
      return access(addrImm(n, 0), acc, true, postWb(n, off));
    }
    return access(addrImm(n, off), acc, f.Rn !== 31);
  };
}

function pair(load: boolean, log2: 2 | 3 | 4, mode: 'nt' | 'off' | 'pre' | 'post', vec = false): JitTemplate {
  return f => {
    const n = rd31(f.Rn, true);
    const t = vec ? f.Rt : load ? wr31(f.Rt, false) : rd31(f.Rt, false), t2 = vec ? f.Rt2 : load ? wr31(f.Rt2, false) : rd31(f.Rt2, false);
    const acc: Access = { size: 2 << log2, t, t2, vec, ...(load ? { load: 'x' as const } : { store: true }) };
    const off = sfield(f.imm7, 7) * (1 << log2);
    const wb = mode === 'pre' || mode === 'post';
    if (mode === 'pre') return access(addrImm(n, off), acc, true, `${L(n)} = lo; ${H(n)} = hi;`);
    if (mode === 'post') return access(addrImm(n, 0), acc, true, postWb(n, off));
    return access(addrImm(n, off), acc, wb || f.Rn !== 31);
  };
}

/**
 * LD1 / ST1 (multiple structures, one element per structure: 1-4 consecutive registers, no
 * interleaving), without offset or post-indexed by the size or Xm. Checked unless the base is SP
 * without writeback; the whole transfer is one access.
 */
function ld1st1(load: boolean, regs: number, post: 'none' | 'imm' | 'reg'): JitTemplate {
  return f => {
    const n = rd31(f.Rn, true), each = f.Q ? 16 : 8, total = regs * each;
    const list = Array.from({ length: regs }, (_, k) => (f.Rt + k) % 32);
    const acc: Access = { size: total, t: f.Rt, vec: true, list, ...(load ? { load: 'x' as const } : { store: true }) };
    let after = '';
    if (post === 'imm') after = postWb(n, total);
    if (post === 'reg') {
      const m = rd31(f.Rm, false);
      after = `{ let nl = lo + ${L(m)}, nh = hi + ${H(m)}; if (nl > 4294967295) { nl -= ${TWO32}; nh += 1; } ${L(n)} = nl; ${H(n)} = nh; }`;
    }
    return access(addrImm(n, 0), acc, post !== 'none' || f.Rn !== 31, after);
  };
}

// ---- templates: MTE ---------------------------------------------------------------------------------

const MTE: Record<string, JitTemplate> = {
  IRG: f => {
    const d = wr31(f.Rd, true), n = rd31(f.Rn, true), m = rd31(f.Rm, false);
    const excl = f.Rm === 31 ? 'c.gcrExclude' : `(c.gcrExclude | (${L(m)} & 65535)) & 65535`;
    return `const tag = c.ata ? irgTag(c, ${excl}) : 0; const h = ${H(n)}; ${L(d)} = ${L(n)}; ${H(d)} = (h & 4043309055) | (tag << 24);`;
  },
};

function tagStore(mode: 'off' | 'pre' | 'post'): JitTemplate {
  return f => {
    const n = rd31(f.Rn, true), t = rd31(f.Rt, true);
    const off = sfield(f.imm9, 9) * 16;
    const s: string[] = [`const tag = (${H(t)} >>> 24) & 15;`];
    s.push(addrImm(n, mode === 'post' ? 0 : off));
    s.push('const o = lo & 4095, i = (lo >>> 12) & 1023;');
    s.push('if ((lo & 15) === 0 && tv[i] === (hi & 16777215) * 1048576 + (lo >>> 12) && (tf[i] & 2) !== 0 && m.hooks.beforeTagWrite === undefined) {');
    s.push('if (c.ata && (tf[i] & 8) !== 0) { const pg = tp[i], tg = pg.tags; if (tg !== null) { const b = o >> 5; tg[b] = (o & 16) === 0 ? (tg[b] & 240) | tag : (tg[b] & 15) | (tag << 4); } else if (tag !== 0) pg.setTag(o >> 4, tag); }');
    if (mode === 'pre') s.push(`${L(n)} = lo; ${H(n)} = hi;`);
    if (mode === 'post') s.push(postWb(n, off));
    s.push('} else $SLOW');
    return s.join(' ');
  };
}

// ---- templates: Advanced SIMD and FP moves -----------------------------------------------------------
// Results are computed into locals before Vd is written (Vd may be a source); a 64-bit (Q = 0) result
// clears bits [127:64].

const ELEM_VIEW = ['vb', 'vh', 'vw'];
const ELEM_MASK = [255, 65535, 4294967295];
/** Clears the upper half of Vd when the operation is 64-bit. */
const zeroUpper = (d: number, q: number): string => (q ? '' : ` ${VW(d, 2)} = 0; ${VW(d, 3)} = 0;`);

/** Writes words r0..r(k-1) to Vd (k = 2 or 4), clearing the upper half for 2. */
function storeWords(d: number, k: number): string {
  const s: string[] = [];
  for (let i = 0; i < 4; i++) s.push(`${VW(d, i)} = ${i < k ? `r${i}` : 0};`);
  return s.join(' ');
}

/** Three-same logical ops on 32-bit words: (d, n, m) -> result expression. */
const VLOGIC: Record<string, (d: string, a: string, b: string) => string> = {
  AND_v: (_d, a, b) => `${a} & ${b}`, BIC_v: (_d, a, b) => `${a} & ~${b}`, ORR_v: (_d, a, b) => `${a} | ${b}`, ORN_v: (_d, a, b) => `${a} | ~${b}`,
  EOR_v: (_d, a, b) => `${a} ^ ${b}`, BSL_v: (d, a, b) => `(${a} & ${d}) | (${b} & ~${d})`,
  BIT_v: (d, a, b) => `(${d} & ~${b}) | (${a} & ${b})`, BIF_v: (d, a, b) => `(${d} & ${b}) | (${a} & ~${b})`,
};
function vlogic(id: string): JitTemplate {
  return f => {
    const k = f.Q ? 4 : 2, s: string[] = [];
    for (let i = 0; i < k; i++) s.push(`const r${i} = (${VLOGIC[id](VW(f.Rd, i), VW(f.Rn, i), VW(f.Rm, i))}) >>> 0;`);
    return `${s.join(' ')} ${storeWords(f.Rd, k)}`;
  };
}

/**
 * All ones in each element of word `x` (an expression of a uint32) that is zero, else zero: bytes
 * and halfwords by the carry-free "has zero lane" test, words and doublewords directly.
 */
function zeroLanes(size: number, x: string): string {
  if (size === 0) return `((((((${x} & 2139062143) + 2139062143) | ${x}) & 2155905152) ^ 2155905152) >>> 7) * 255`;
  if (size === 1) return `((((((${x} & 2147450879) + 2147450879) | ${x}) & 2147516416) ^ 2147516416) >>> 15) * 65535`;
  return `(${x}) === 0 ? 4294967295 : 0`;
}

/** CMEQ (vector, zero / register): Vd element = all ones where Vn's element is zero (equals Vm's). */
function cmeq(zero: boolean): JitTemplate {
  return f => {
    const k = f.Q ? 4 : 2, s: string[] = [];
    for (let i = 0; i < k; i++) s.push(`const e${i} = ${zero ? VW(f.Rn, i) : `(${VW(f.Rn, i)} ^ ${VW(f.Rm, i)}) >>> 0`};`);
    if (f.size === 3) for (let i = 0; i < k; i += 2) s.push(`const r${i} = (e${i} | e${i + 1}) === 0 ? 4294967295 : 0, r${i + 1} = r${i};`);
    else for (let i = 0; i < k; i++) s.push(`const r${i} = ${zeroLanes(f.size, `e${i}`)};`);
    return `${s.join(' ')} ${storeWords(f.Rd, k)}`;
  };
}

/** Unsigned pairwise ops on elements of 8, 16 or 32 bits: UMAXP, UMINP, ADDP (wrapping). */
function pairwise(op: 'max' | 'min' | 'add'): JitTemplate {
  return f => {
    if (f.size > 2) return undefined;
    const A = ELEM_VIEW[f.size], per = 16 >> f.size, cnt = (f.Q ? 16 : 8) >> f.size, half = cnt >> 1;
    const e = (r: number, i: number): string => `${A}[${r * per + i}]`;
    const fn = (a: string, b: string): string => (op === 'add' ? `(${a} + ${b})` : `(${a} ${op === 'max' ? '>' : '<'} ${b} ? ${a} : ${b})`);
    const s: string[] = [];
    for (let i = 0; i < half; i++) s.push(`const a${i} = ${e(f.Rn, 2 * i)}, b${i} = ${e(f.Rn, 2 * i + 1)}, c${i} = ${e(f.Rm, 2 * i)}, d${i} = ${e(f.Rm, 2 * i + 1)};`);
    for (let i = 0; i < half; i++) s.push(`${e(f.Rd, i)} = ${fn(`a${i}`, `b${i}`)};`);
    for (let i = 0; i < half; i++) s.push(`${e(f.Rd, half + i)} = ${fn(`c${i}`, `d${i}`)};`);
    return s.join(' ') + zeroUpper(f.Rd, f.Q);
  };
}

/** imm5's lowest set bit: the element size of DUP / INS / UMOV (0 B .. 3 D), -1 if none below bit 4. */
const sizeOf5 = (imm5: number): number => (imm5 & 1 ? 0 : imm5 & 2 ? 1 : imm5 & 4 ? 2 : imm5 & 8 ? 3 : -1);

/** SHRN{2} with 8- or 16-bit results: truncating shift right narrow into the lower (upper, keeping the lower) half. */
const shrn: JitTemplate = f => {
  const s = f.immh >= 4 ? 2 : f.immh >= 2 ? 1 : f.immh === 1 ? 0 : -1;
  if (s < 0 || s > 1) return undefined;
  const e = 8 << s, sh = 2 * e - ((f.immh << 3) | f.immb), cnt = 8 >> s;
  const [W, N] = s === 0 ? ['vh', 'vb'] : ['vw', 'vh'];
  const per = 16 >> (s + 1), nper = 16 >> s, base = f.Q ? cnt : 0;
  const reads: string[] = [], writes: string[] = [];
  for (let i = 0; i < cnt; i++) {
    reads.push(`e${i} = ${W}[${f.Rn * per + i}] >>> ${sh}`);
    writes.push(`${N}[${f.Rd * nper + base + i}] = e${i};`);
  }
  return `const ${reads.join(', ')}; ${writes.join(' ')}${zeroUpper(f.Rd, f.Q)}`;
};

/**
 * Modified immediate (MOVI, MVNI, ORR, BIC vector): Vd = / |= / &= ~ the expanded 64-bit pattern in each
 * half; cmode is a field unless the form fixes it, Q likewise (MOVI_d, MOVI_2d).
 */
function modImm(op: number, kind: 'movi' | 'mvni' | 'orr' | 'bic', cmode?: number, q?: number): JitTemplate {
  return f => {
    const Q = q ?? f.Q, cm = cmode ?? f.cmode;
    let pat = expandImm(op, cm, (f.abc << 5) | f.defgh);
    if (kind === 'mvni' || kind === 'bic') pat ^= 0xffff_ffff_ffff_ffffn;
    const [pl, ph] = halves(pat), d = f.Rd;
    if (kind === 'movi' || kind === 'mvni') return `${VW(d, 0)} = ${pl}; ${VW(d, 1)} = ${ph}; ${VW(d, 2)} = ${Q ? pl : 0}; ${VW(d, 3)} = ${Q ? ph : 0};`;
    const o = kind === 'orr' ? '|' : '&';
    return `${VW(d, 0)} = ${VW(d, 0)} ${o} ${pl}; ${VW(d, 1)} = ${VW(d, 1)} ${o} ${ph};${Q ? ` ${VW(d, 2)} = ${VW(d, 2)} ${o} ${pl}; ${VW(d, 3)} = ${VW(d, 3)} ${o} ${ph};` : zeroUpper(d, 0)}`;
  };
}

/** UMOV (and its mov alias): a vector element, zero-extended, to Wd / Xd. */
const umov: JitTemplate = f => {
  const sz = sizeOf5(f.imm5), d = wr31(f.Rd, false);
  if (sz < 0) return undefined;
  const idx = f.imm5 >> (sz + 1), n = f.Rn;
  if (sz === 3) return `const l = ${VW(n, 2 * idx)}, h = ${VW(n, 2 * idx + 1)}; ${L(d)} = l; ${H(d)} = h;`;
  return `${L(d)} = ${ELEM_VIEW[sz]}[${n * (16 >> sz) + idx}]; ${H(d)} = 0;`;
};

/** INS (general): one element of Vd from Wn / Xn, the others unchanged. */
const insGen: JitTemplate = f => {
  const sz = sizeOf5(f.imm5), n = rd31(f.Rn, false);
  if (sz < 0) return undefined;
  const idx = f.imm5 >> (sz + 1), d = f.Rd;
  if (sz === 3) return `${VW(d, 2 * idx)} = ${L(n)}; ${VW(d, 2 * idx + 1)} = ${H(n)};`;
  return `${ELEM_VIEW[sz]}[${d * (16 >> sz) + idx}] = ${L(n)};`;
};

/** INS (element): one element of Vd from one of Vn, the others unchanged. */
const insElem: JitTemplate = f => {
  const sz = sizeOf5(f.imm5);
  if (sz < 0) return undefined;
  const di = f.imm5 >> (sz + 1), si = f.imm4 >> sz, d = f.Rd, n = f.Rn;
  if (sz === 3) return `const l = ${VW(n, 2 * si)}, h = ${VW(n, 2 * si + 1)}; ${VW(d, 2 * di)} = l; ${VW(d, 2 * di + 1)} = h;`;
  return `${ELEM_VIEW[sz]}[${d * (16 >> sz) + di}] = ${ELEM_VIEW[sz]}[${n * (16 >> sz) + si}];`;
};

/** XTN{2}: the low half of each element of Vn into the lower (upper, keeping the lower) half of Vd. */
const xtn: JitTemplate = f => {
  const s = f.size;
  if (s > 2) return undefined;
  const cnt = 8 >> s, base = f.Q ? cnt : 0, nper = 16 >> s;
  const reads: string[] = [], writes: string[] = [];
  for (let i = 0; i < cnt; i++) {
    // The narrow view truncates the stored value; the low word of a doubleword is read directly.
    reads.push(`e${i} = ${s === 2 ? VW(f.Rn, 2 * i) : `${ELEM_VIEW[s + 1]}[${f.Rn * (nper >> 1) + i}]`}`);
    writes.push(`${ELEM_VIEW[s]}[${f.Rd * nper + base + i}] = e${i};`);
  }
  return `const ${reads.join(', ')}; ${writes.join(' ')}${zeroUpper(f.Rd, f.Q)}`;
};

/** UMAXV / UMINV / ADDV: one element of Vd (the rest zeroed) from all elements of Vn. */
function across(op: 'max' | 'min' | 'add'): JitTemplate {
  return f => {
    const sz = f.size;
    if (sz > 2 || (sz === 2 && !f.Q)) return undefined;
    const A = ELEM_VIEW[sz], b = f.Rn * (16 >> sz), cnt = (f.Q ? 16 : 8) >> sz;
    const s: string[] = [`let r = ${A}[${b}];`];
    for (let i = 1; i < cnt; i++) {
      s.push(op === 'add' ? `r += ${A}[${b + i}];` : `{ const e = ${A}[${b + i}]; if (e ${op === 'max' ? '>' : '<'} r) r = e; }`);
    }
    const v = op === 'add' ? (sz === 2 ? 'r >>> 0' : `r & ${ELEM_MASK[sz]}`) : 'r';
    s.push(`${VW(f.Rd, 0)} = ${v}; ${VW(f.Rd, 1)} = 0; ${VW(f.Rd, 2)} = 0; ${VW(f.Rd, 3)} = 0;`);
    return s.join(' ');
  };
}

const SIMD: Record<string, JitTemplate> = {
  UMAXV: across('max'), UMINV: across('min'), ADDV: across('add'),
  XTN_v: xtn,
  MOVI_32: modImm(0, 'movi'), MOVI_16: modImm(0, 'movi'), MOVI_msl: modImm(0, 'movi'), MOVI_8: modImm(0, 'movi', 14),
  MOVI_d: modImm(1, 'movi', 14, 0), MOVI_2d: modImm(1, 'movi', 14, 1),
  MVNI_32: modImm(1, 'mvni'), MVNI_16: modImm(1, 'mvni'), MVNI_msl: modImm(1, 'mvni'),
  ORR_imm32: modImm(0, 'orr'), ORR_imm16: modImm(0, 'orr'), BIC_imm32: modImm(1, 'bic'), BIC_imm16: modImm(1, 'bic'),
  UMOV: umov, INS_gen: insGen, INS_elem: insElem,
  SHRN_v: shrn,
  ...Object.fromEntries(Object.keys(VLOGIC).map(id => [id, vlogic(id)])),
  CMEQ_zero_v: cmeq(true), CMEQ_v: cmeq(false),
  UMAXP_v: pairwise('max'), UMINP_v: pairwise('min'), ADDP_v: pairwise('add'),
  DUP_gen: f => {
    const sz = sizeOf5(f.imm5), d = f.Rd, n = rd31(f.Rn, false);
    if (sz < 0) return undefined;
    const lo = sz === 0 ? `(${L(n)} & 255) * 16843009` : sz === 1 ? `(${L(n)} & 65535) * 65537` : L(n);
    if (sz < 3) return `const r = ${lo}; ${VW(d, 0)} = r; ${VW(d, 1)} = r; ${VW(d, 2)} = ${f.Q ? 'r' : '0'}; ${VW(d, 3)} = ${f.Q ? 'r' : '0'};`;
    return `const l = ${L(n)}, h = ${H(n)}; ${VW(d, 0)} = l; ${VW(d, 1)} = h; ${VW(d, 2)} = l; ${VW(d, 3)} = h;`;
  },
  FMOV_x_d: f => { const d = wr31(f.Rd, false); return `const l = ${VW(f.Rn, 0)}, h = ${VW(f.Rn, 1)}; ${L(d)} = l; ${H(d)} = h;`; },
  FMOV_d_x: f => { const n = rd31(f.Rn, false); return `${VW(f.Rd, 0)} = ${L(n)}; ${VW(f.Rd, 1)} = ${H(n)}; ${VW(f.Rd, 2)} = 0; ${VW(f.Rd, 3)} = 0;`; },
  FMOV_w_s: f => { const d = wr31(f.Rd, false); return `${L(d)} = ${VW(f.Rn, 0)}; ${H(d)} = 0;`; },
  FMOV_s_w: f => { const n = rd31(f.Rn, false); return `${VW(f.Rd, 0)} = ${L(n)}; ${VW(f.Rd, 1)} = 0; ${VW(f.Rd, 2)} = 0; ${VW(f.Rd, 3)} = 0;`; },
  FMOV_x_v1: f => { const d = wr31(f.Rd, false); return `const l = ${VW(f.Rn, 2)}, h = ${VW(f.Rn, 3)}; ${L(d)} = l; ${H(d)} = h;`; },
  FMOV_v1_x: f => { const n = rd31(f.Rn, false); return `${VW(f.Rd, 2)} = ${L(n)}; ${VW(f.Rd, 3)} = ${H(n)};`; },
  NOP: () => '',
};

// ---- templates: scalar double precision ----------------------------------------------------------------
// Only the fast path of the closures' own fast paths (fp-soft.ts arithD, fp.ts fcmpLanes / cvtFromInt /
// cvtToInt), under stricter conditions: FPCR without FZ and with round-to-nearest, operands and
// results in the ranges where JavaScript's IEEE double arithmetic is the architected result, and, for
// arithmetic that may be inexact, FPSR.IXC already set (it is cumulative, so the only flag the
// operation could raise is already there). NaNs, infinities, overflow, underflow: `$SLOW`.

/** FPCR.FZ | FPCR.RMode; FPSR.IXC. */
const FP_FAST_MASK = (1 << 24) | (3 << 22), IXC = 16, FPCR_FZ = 1 << 24;
function fpArithD(op: 'add' | 'sub' | 'mul' | 'div'): JitTemplate {
  return f => {
    if (f.ftype !== 1) return undefined;
    const pre = `const a = vd[${2 * f.Rn}], b = vd[${2 * f.Rm}];`;
    let body: string;
    switch (op) {
      case 'add': case 'sub':
        body = `const r = a ${op === 'add' ? '+' : '-'} b, ar = Math.abs(r); const ok = ((ar > ${MIN_NORMAL_D} && ar !== Infinity) || r === 0) && Math.abs(a) < ${BIG_D} && Math.abs(b) < ${BIG_D};`;
        break;
      case 'mul':
        body = `const r = a * b, ar = Math.abs(r); const ok = (ar >= ${PROD_MIN} && ar !== Infinity && Math.abs(a) < ${SPLIT_MAX} && Math.abs(b) < ${SPLIT_MAX}) || (r === 0 && (a === 0 || b === 0) && Math.abs(a) !== Infinity && Math.abs(b) !== Infinity);`;
        break;
      default:
        body = `const r = a / b, ar = Math.abs(r); const ok = a === a && b === b && b !== 0 && Math.abs(b) !== Infinity && Math.abs(a) !== Infinity && (a === 0 || (ar >= ${PROD_MIN} && ar < ${SPLIT_MAX} && Math.abs(b) < ${SPLIT_MAX} && Math.abs(a) >= ${PROD_MIN}));`;
    }
    return `${pre} ${body} if (ok && (c.fpcr & ${FP_FAST_MASK}) === 0 && (c.fpsr & ${IXC}) !== 0) { vd[${2 * f.Rd}] = r; ${VW(f.Rd, 2)} = 0; ${VW(f.Rd, 3)} = 0; } else $SLOW`;
  };
}

/** FCMP / FCMPE (register or #0.0), double: ordered operands set NZCV without any exception. */
function fpCompareD(zero: boolean): JitTemplate {
  return f => {
    if (f.ftype !== 1) return undefined;
    return `const a = vd[${2 * f.Rn}], b = ${zero ? '0' : `vd[${2 * f.Rm}]`}; if (a === a && b === b && (c.fpcr & ${FPCR_FZ}) === 0) { if (a === b) { c.nf = 0; c.zf = 1; c.cf = 1; } else if (a < b) { c.nf = 1; c.zf = 0; c.cf = 0; } else { c.nf = 0; c.zf = 0; c.cf = 1; } c.vf = 0; } else $SLOW`;
  };
}

/**
 * SCVTF / UCVTF to double from W or X (or, `vec`: the SIMD scalar form, from D): exact when
 * |value| < 2^53 (no flags).
 */
function intToD(signed: boolean, vec = false): JitTemplate {
  return f => {
    if (vec ? f.sz !== 1 : f.ftype !== 1) return undefined;
    const n = rd31(f.Rn, false);
    const cond = `(c.fpcr & ${FP_FAST_MASK}) === 0`;
    const set = `vd[${2 * f.Rd}] = r; ${VW(f.Rd, 2)} = 0; ${VW(f.Rd, 3)} = 0;`;
    if (!vec && !f.sf) return `if (${cond}) { const r = ${signed ? `${L(n)} | 0` : L(n)}; ${set} } else $SLOW`;
    const [lo, hi] = vec ? [VW(f.Rn, 0), VW(f.Rn, 1)] : [L(n), H(n)];
    return `const h = ${signed ? `${hi} | 0` : hi}; if (${cond} && h >= ${signed ? -2097152 : 0} && h < 2097152) { const r = h * ${TWO32} + ${lo}; ${set} } else $SLOW`;
  };
}

/** FCVTZS / FCVTZU from double to W or X, in range (for X: |value| < 2^53); inexact sets IXC as the closure does. */
function dToInt(signed: boolean, vec = false): JitTemplate {
  return f => {
    if (vec ? f.sz !== 1 : f.ftype !== 1) return undefined;
    const d = wr31(f.Rd, false), x64 = vec || f.sf === 1;
    const lo = signed ? (x64 ? -9007199254740992 : -2147483648) : 0, hi = x64 ? 9007199254740992 : signed ? 2147483648 : TWO32;
    const set = vec ? `${VW(f.Rd, 0)} = r >>> 0; ${VW(f.Rd, 1)} = Math.floor(r / ${TWO32}) >>> 0; ${VW(f.Rd, 2)} = 0; ${VW(f.Rd, 3)} = 0;`
      : x64 ? `${L(d)} = r >>> 0; ${H(d)} = Math.floor(r / ${TWO32}) >>> 0;` : `${L(d)} = r >>> 0; ${H(d)} = 0;`;
    return `const x = vd[${2 * f.Rn}], r = Math.trunc(x); if (r >= ${lo} && r < ${hi} && (c.fpcr & ${FPCR_FZ}) === 0) { if (r !== x) c.fpsr |= ${IXC}; ${set} } else $SLOW`;
  };
}

/** FMADD FMSUB FNMADD FNMSUB (double): fmaFastD, with IXC already set. */
function fmaD(negA: boolean, negX: boolean): JitTemplate {
  return f => {
    if (f.ftype !== 1) return undefined;
    const neg = (b: boolean, e: string): string => (b ? `-${e}` : e);
    return `if ((c.fpcr & ${FP_FAST_MASK}) === 0 && (c.fpsr & ${IXC}) !== 0) { const r = fmaFastD(${neg(negA, `vd[${2 * f.Ra}]`)}, ${neg(negX, `vd[${2 * f.Rn}]`)}, vd[${2 * f.Rm}]); if (r === r) { vd[${2 * f.Rd}] = r; ${VW(f.Rd, 2)} = 0; ${VW(f.Rd, 3)} = 0; } else $SLOW } else $SLOW`;
  };
}

const FPD: Record<string, JitTemplate> = {
  FMADD: fmaD(false, false), FMSUB: fmaD(false, true), FNMADD: fmaD(true, true), FNMSUB: fmaD(true, false),
  FADD: fpArithD('add'), FSUB: fpArithD('sub'), FMUL: fpArithD('mul'), FDIV: fpArithD('div'),
  FCMP: fpCompareD(false), FCMPE: fpCompareD(false), FCMP_zero: fpCompareD(true), FCMPE_zero: fpCompareD(true),
  SCVTF: intToD(true), UCVTF: intToD(false), FCVTZS: dToInt(true), FCVTZU: dToInt(false),
  SCVTF_s: intToD(true, true), FCVTZS_s: dToInt(true, true), FCVTZU_s: dToInt(false, true),
};

// ---- templates: DC ZVA ------------------------------------------------------------------------------------

/**
 * SYS: only DC ZVA (op1 3, C7, C4, op2 1): zero the 64-byte block containing Xt, fast when the TLB
 * allows the write, no hook or decoded code is on the page and, when checked, all four granules carry
 * the pointer's tag. Other SYS operations run their closures.
 */
const dcZva: JitTemplate = f => {
  if (f.op1 !== 3 || f.CRn !== 7 || f.CRm !== 4 || f.op2 !== 1) return undefined;
  const t = rd31(f.Rt, false);
  return [
    `const lo = (${L(t)} & 4294967232) >>> 0, hi = ${H(t)};`,
    'const o = lo & 4095, i = (lo >>> 12) & 1023;',
    'let ok = tv[i] === (hi & 16777215) * 1048576 + (lo >>> 12) && (tf[i] & 2) !== 0;',
    'if (ok && (tf[i] & 8) !== 0 && c.tcf0 !== 0 && c.tco === 0) { const tg = tp[i].tags, lt = ((hi >>> 24) & 15) * 17, b = o >> 5; ok = tg === null ? lt === 0 : tg[b] === lt && tg[b + 1] === lt; }',
    'if (ok && (m.hooks.beforeWrite !== undefined || tp[i].decoded !== null)) ok = false;',
    'if (ok) tp[i].data.fill(0, o, o + 64); else $SLOW',
  ].join(' ');
};

// ---- the table ---------------------------------------------------------------------------------------

const GP_SINGLE: { id: string; log2: number; a: Omit<Access, 't'> }[] = [
  { id: 'STRB', log2: 0, a: { size: 1, store: true } },
  { id: 'LDRB', log2: 0, a: { size: 1, load: 'w' } },
  { id: 'LDRSB_x', log2: 0, a: { size: 1, load: 'sx' } },
  { id: 'LDRSB_w', log2: 0, a: { size: 1, load: 'sw' } },
  { id: 'STRH', log2: 1, a: { size: 2, store: true } },
  { id: 'LDRH', log2: 1, a: { size: 2, load: 'w' } },
  { id: 'LDRSH_x', log2: 1, a: { size: 2, load: 'sx' } },
  { id: 'LDRSH_w', log2: 1, a: { size: 2, load: 'sw' } },
  { id: 'STR_w', log2: 2, a: { size: 4, store: true } },
  { id: 'LDR_w', log2: 2, a: { size: 4, load: 'w' } },
  { id: 'LDRSW', log2: 2, a: { size: 4, load: 'sx' } },
  { id: 'STR_x', log2: 3, a: { size: 8, store: true } },
  { id: 'LDR_x', log2: 3, a: { size: 8, load: 'x' } },
];

/** FP/SIMD register loads and stores (B H S D Q): no unprivileged forms. */
const FP_SINGLE: { id: string; log2: number; a: Omit<Access, 't'> }[] = ['b', 'h', 's', 'd', 'q'].flatMap((r, log2) => [
  { id: `LDR_${r}`, log2, a: { size: 1 << log2, load: 'x' as const, vec: true } },
  { id: `STR_${r}`, log2, a: { size: 1 << log2, store: true, vec: true } },
]);

export const TEMPLATES: Record<string, JitTemplate> = {
  MOVZ: moveWide('z'), MOVN: moveWide('n'), MOVK: moveWide('k'),
  ADD_imm: addSubImm(false, false), ADDS_imm: addSubImm(false, true), SUB_imm: addSubImm(true, false), SUBS_imm: addSubImm(true, true),
  ADD_sreg: addSubShifted(false, false), ADDS_sreg: addSubShifted(false, true), SUB_sreg: addSubShifted(true, false), SUBS_sreg: addSubShifted(true, true),
  ADD_ereg: addSubExtended(false, false), ADDS_ereg: addSubExtended(false, true), SUB_ereg: addSubExtended(true, false), SUBS_ereg: addSubExtended(true, true),
  AND_sreg: logicShifted('and', false), BIC_sreg: logicShifted('bic', false), ORR_sreg: logicShifted('orr', false), ORN_sreg: logicShifted('orn', false),
  EOR_sreg: logicShifted('eor', false), EON_sreg: logicShifted('eon', false), ANDS_sreg: logicShifted('and', true), BICS_sreg: logicShifted('bic', true),
  AND_imm: logicImm('and', false), ORR_imm: logicImm('orr', false), EOR_imm: logicImm('eor', false), ANDS_imm: logicImm('and', true),
  CSEL: condSelect(0), CSINC: condSelect(1), CSINV: condSelect(2), CSNEG: condSelect(3),
  CCMP_reg: condCompare(false, false), CCMP_imm: condCompare(false, true), CCMN_reg: condCompare(true, false), CCMN_imm: condCompare(true, true),
  ADR: adr(false), ADRP: adr(true),
  MADD: mulAdd(false), MSUB: mulAdd(true),
  SMADDL: mulAddLong(true, false), SMSUBL: mulAddLong(true, true), UMADDL: mulAddLong(false, false), UMSUBL: mulAddLong(false, true),
  SBFM: bitfield(true), UBFM: bitfield(false),
  ...INT_MORE,
  ...BRANCHES,
  ...MTE,
  ...SIMD,
  ...FPD,
  SYS: dcZva,
  STG_off: tagStore('off'), STG_pre: tagStore('pre'), STG_post: tagStore('post'),
  LDP_x_off: pair(true, 3, 'off'), LDP_x_nt: pair(true, 3, 'nt'), LDP_x_pre: pair(true, 3, 'pre'), LDP_x_post: pair(true, 3, 'post'),
  STP_x_off: pair(false, 3, 'off'), STP_x_nt: pair(false, 3, 'nt'), STP_x_pre: pair(false, 3, 'pre'), STP_x_post: pair(false, 3, 'post'),
  LDP_w_off: pair(true, 2, 'off'), LDP_w_nt: pair(true, 2, 'nt'), LDP_w_pre: pair(true, 2, 'pre'), LDP_w_post: pair(true, 2, 'post'),
  STP_w_off: pair(false, 2, 'off'), STP_w_nt: pair(false, 2, 'nt'), STP_w_pre: pair(false, 2, 'pre'), STP_w_post: pair(false, 2, 'post'),
};
for (const k of GP_SINGLE) {
  for (const mode of ['uimm', 'unscaled', 'unpriv', 'pre', 'post', 'reg'] as const) TEMPLATES[`${k.id}_${mode}`] = single(k.a, mode, k.log2);
}
for (const k of FP_SINGLE) {
  for (const mode of ['uimm', 'unscaled', 'pre', 'post', 'reg'] as const) TEMPLATES[`${k.id}_${mode}`] = single(k.a, mode, k.log2);
}
for (const regs of [1, 2, 3, 4]) {
  for (const post of ['none', 'imm', 'reg'] as const) {
    TEMPLATES[`LD1_${regs}r_${post}`] = ld1st1(true, regs, post);
    TEMPLATES[`ST1_${regs}r_${post}`] = ld1st1(false, regs, post);
  }
}
for (const [r, log2] of [['s', 2], ['d', 3], ['q', 4]] as const) {
  for (const mode of ['off', 'nt', 'pre', 'post'] as const) {
    TEMPLATES[`LDP_${r}_${mode}`] = pair(true, log2, mode, true);
    TEMPLATES[`STP_${r}_${mode}`] = pair(false, log2, mode, true);
  }
}
