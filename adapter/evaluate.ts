// The Debug Console language: C-like integer expressions over registers, symbols and memory
// (`x0 + 8`, `*(u32*)(sp + 16)`, `tag(x20)`, `ltag(x20)`), plus the GDB and LLDB memory-tag
// commands with their output formats (reference doc sections 6.4 and 6.5). All values are
// unsigned 64-bit (bigint); memory goes through the context (the debug path), never the Mmu.

export class EvalError extends Error {
  constructor(message: string) { super(message); this.name = 'EvalError'; }
}

/** An expression that is well formed but names no place an assignment could change. */
export class NotAssignableError extends EvalError {
  constructor(message: string) { super(message); this.name = 'NotAssignableError'; }
}

export interface EvalContext {
  /** A register or pseudo-register value (x0..x30, w0.., sp, pc, lr, fp, xzr, nzcv, n, z, c, v, tco...). */
  register(name: string): bigint | undefined;
  /** A symbol's address. */
  symbol(name: string): bigint | undefined;
  /** Reads `size` bytes (1, 2, 4, 8) little-endian; throws EvalError when unreadable. */
  read(addr: bigint, size: number): bigint;
  /** The allocation tag of the granule at addr, or -1 when the memory has no tags (not PROT_MTE). */
  allocationTag(addr: bigint): number;
  /** Extra variables ($fault_address...) for conditions. */
  variables?: Record<string, bigint>;
}

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & M64;

const TYPES: Record<string, { size: number; signed: boolean }> = {
  u8: { size: 1, signed: false }, u16: { size: 2, signed: false }, u32: { size: 4, signed: false }, u64: { size: 8, signed: false },
  i8: { size: 1, signed: true }, i16: { size: 2, signed: true }, i32: { size: 4, signed: true }, i64: { size: 8, signed: true },
  uint8_t: { size: 1, signed: false }, uint16_t: { size: 2, signed: false }, uint32_t: { size: 4, signed: false }, uint64_t: { size: 8, signed: false },
  int8_t: { size: 1, signed: true }, int16_t: { size: 2, signed: true }, int32_t: { size: 4, signed: true }, int64_t: { size: 8, signed: true },
  char: { size: 1, signed: true }, short: { size: 2, signed: true }, int: { size: 4, signed: true }, long: { size: 8, signed: true },
  unsigned: { size: 4, signed: false }, size_t: { size: 8, signed: false }, uintptr_t: { size: 8, signed: false }, void: { size: 8, signed: false },
};

export const FUNCTIONS: Record<string, string> = {
  tag: 'tag(addr): the allocation tag of the granule at addr',
  ltag: 'ltag(ptr): the logical tag of a pointer (bits 59:56)',
  untag: 'untag(ptr): the pointer without its top byte',
  withtag: 'withtag(ptr, t): the pointer with logical tag t',
};

type Tok = { k: 'num'; v: bigint; at: number } | { k: 'id'; v: string; at: number } | { k: 'op'; v: string; at: number } | { k: 'end'; at: number };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '(', ')', '<', '>', ','];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) { i++; continue; }
    const num = /^(0x[0-9a-f_]+|0b[01_]+|0o[0-7_]+|[0-9][0-9_]*)/i.exec(src.slice(i));
    if (num) {
      const t = num[1].replace(/_/g, '');
      if (/^[0-9]/.test(src[i + num[1].length] ?? '') || /^[a-z]/i.test(src[i + num[1].length] ?? '')) throw new EvalError(`bad number at column ${i + 1}: ${src.slice(i, i + num[1].length + 1)}`);
      out.push({ k: 'num', v: u64(BigInt(t)), at: i });
      i += num[1].length;
      continue;
    }
    const id = /^[$A-Za-z_.][$A-Za-z0-9_.]*/.exec(src.slice(i));
    if (id) { out.push({ k: 'id', v: id[0], at: i }); i += id[0].length; continue; }
    const op = OPS.find(o => src.startsWith(o, i));
    if (op) { out.push({ k: 'op', v: op, at: i }); i += op.length; continue; }
    throw new EvalError(`unexpected character ${JSON.stringify(ch)} at column ${i + 1}`);
  }
  out.push({ k: 'end', at: src.length });
  return out;
}

const signExtend = (v: bigint, bits: number): bigint => u64(BigInt.asIntN(bits, v));

/** Evaluates an expression to an unsigned 64-bit value. */
export function evaluateExpression(src: string, ctx: EvalContext): bigint {
  const P = parser(src, ctx);
  const v = P.expr();
  P.end();
  return v;
}

/** The recursive-descent evaluator over `src`'s tokens, positioned at the first one. */
function parser(src: string, ctx: EvalContext) {
  if (src.trim() === '') throw new EvalError('empty expression');
  if (src.length > 4096) throw new EvalError('expression too long');
  const toks = lex(src);
  let p = 0;
  let depth = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => { const t = toks[p]; return t.k === 'op' && t.v === v; };
  const expect = (v: string) => {
    if (!isOp(v)) { const t = toks[p]; throw new EvalError(`expected '${v}' at column ${t.at + 1}`); }
    p++;
  };
  const binary = (next: () => bigint, ops: string[], apply: (op: string, a: bigint, b: bigint) => bigint) => (): bigint => {
    let a = next();
    for (;;) {
      const t = peek();
      if (t.k !== 'op' || !ops.includes(t.v)) return a;
      p++;
      a = u64(apply(t.v, a, next()));
    }
  };
  const typeAt = (k: number): { size: number; signed: boolean } | undefined => {
    const t = toks[k];
    return t && t.k === 'id' ? TYPES[t.v] : undefined;
  };
  /** `(type)` or `(type *)` at p (p at '('): the type, whether it is a pointer, and the token after ')'. */
  const castAt = (): { ty: { size: number; signed: boolean }; ptr: boolean; end: number } | undefined => {
    if (!isOp('(')) return undefined;
    const ty = typeAt(p + 1);
    if (!ty) return undefined;
    let k = p + 2;
    let ptr = false;
    const t = toks[k];
    if (t.k === 'op' && t.v === '*') { ptr = true; k++; }
    const close = toks[k];
    if (close.k !== 'op' || close.v !== ')') return undefined;
    return { ty, ptr, end: k + 1 };
  };
  const unary = (): bigint => {
    if (++depth > 200) throw new EvalError('expression nested too deeply');
    try {
      const t = peek();
      if (t.k === 'op') {
        if (t.v === '-') { p++; return u64(-unary()); }
        if (t.v === '+') { p++; return unary(); }
        if (t.v === '~') { p++; return u64(~unary()); }
        if (t.v === '!') { p++; return unary() === 0n ? 1n : 0n; }
        if (t.v === '*') {
          p++;
          const c = castAt();
          if (c && c.ptr) { p = c.end; const a = unary(); const v = ctx.read(a, c.ty.size); return c.ty.signed ? signExtend(v, c.ty.size * 8) : v; }
          return ctx.read(unary(), 8);
        }
        if (t.v === '&') { p++; return unary(); }
        if (t.v === '(') {
          const c = castAt();
          if (c) {
            p = c.end;
            const v = unary();
            if (c.ptr) return v;
            const bits = c.ty.size * 8;
            return c.ty.signed ? signExtend(v, bits) : BigInt.asUintN(bits, v);
          }
        }
      }
      return primary();
    } finally { depth--; }
  };
  const primary = (): bigint => {
    const t = peek();
    if (t.k === 'num') { p++; return t.v; }
    if (t.k === 'op' && t.v === '(') { p++; const v = expr(); expect(')'); return v; }
    if (t.k === 'id') {
      p++;
      const name = t.v;
      if (isOp('(') && name in FUNCTIONS) {
        p++;
        const args: bigint[] = [];
        if (!isOp(')')) { args.push(expr()); while (isOp(',')) { p++; args.push(expr()); } }
        expect(')');
        return call(name, args);
      }
      const v = ctx.variables?.[name] ?? ctx.register(name.replace(/^\$/, '')) ?? ctx.symbol(name);
      if (v === undefined) throw new EvalError(`unknown name '${name}' (registers are x0-x30, w0-w30, sp, pc, lr, fp, nzcv, n, z, c, v, tco; or a symbol of the program)`);
      return u64(v);
    }
    if (t.k === 'end') throw new EvalError('unexpected end of expression');
    throw new EvalError(`unexpected '${(t as { v: string }).v}' at column ${t.at + 1}`);
  };
  const call = (name: string, args: bigint[]): bigint => {
    const need = name === 'withtag' ? 2 : 1;
    if (args.length !== need) throw new EvalError(`${name}() takes ${need} argument(s), got ${args.length}`);
    switch (name) {
      case 'tag': {
        const t = ctx.allocationTag(args[0]);
        if (t < 0) throw new EvalError(`address 0x${untagAddr(args[0]).toString(16)} is not in a region mapped with PROT_MTE (no allocation tag)`);
        return BigInt(t);
      }
      case 'ltag': return (args[0] >> 56n) & 0xfn;
      case 'untag': return args[0] & 0x00ff_ffff_ffff_ffffn;
      default: return (args[0] & ~(0xfn << 56n)) | ((args[1] & 0xfn) << 56n);
    }
  };
  const mul = binary(unary, ['*', '/', '%'], (op, a, b) => {
    if (op === '*') return a * b;
    if (b === 0n) throw new EvalError('division by zero');
    return op === '/' ? a / b : a % b;
  });
  const add = binary(mul, ['+', '-'], (op, a, b) => (op === '+' ? a + b : a - b));
  const shift = binary(add, ['<<', '>>'], (op, a, b) => (b >= 64n ? 0n : op === '<<' ? a << b : a >> b));
  const rel = binary(shift, ['<', '<=', '>', '>='], (op, a, b) => BigInt(op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b));
  const eq = binary(rel, ['==', '!='], (op, a, b) => BigInt(op === '==' ? a === b : a !== b));
  const band = binary(eq, ['&'], (_, a, b) => a & b);
  const bxor = binary(band, ['^'], (_, a, b) => a ^ b);
  const bor = binary(bxor, ['|'], (_, a, b) => a | b);
  const land = binary(bor, ['&&'], (_, a, b) => BigInt(a !== 0n && b !== 0n));
  const lor = binary(land, ['||'], (_, a, b) => BigInt(a !== 0n || b !== 0n));
  function expr(): bigint { return lor(); }
  const end = (): void => {
    const t = peek();
    if (t.k !== 'end') throw new EvalError(`unexpected '${(t as { v: string }).v}' at column ${t.at + 1}`);
  };
  return {
    toks, expr, unary, castAt, isOp, expect, end,
    get pos(): number { return p; },
    set pos(v: number) { p = v; },
  };
}

const COMPUTED = 'it is a computed value; assignable are registers (x0, w1, sp, pc, nzcv, n...), *(u64*)address (u32, u16, u8, i64...), tag(address) and ltag(register)';

/** What an assignment can change (setExpression): the place an l-value expression names. */
export type Lvalue =
  /** A register or pseudo-register by the name it was written with (without `$`). */
  | { kind: 'register'; name: string }
  /** `*(T*)addr` or `*addr` (u64): `size` bytes at `address`. */
  | { kind: 'memory'; address: bigint; size: number; signed: boolean; type: string }
  /** `tag(addr)`: the allocation tag of the granule containing `address`. */
  | { kind: 'tag'; address: bigint }
  /** `ltag(reg)`: the logical tag (bits 59:56) of a register's value. */
  | { kind: 'ltag'; register: string };

/**
 * Parses `src` as an l-value: a register name, `*(T*)expr` / `*expr`, `tag(expr)` or `ltag(register)`,
 * optionally in parentheses. The address expressions are evaluated now. Anything else is an EvalError
 * saying why it cannot be assigned.
 */
export function parseLvalue(src: string, ctx: EvalContext): Lvalue {
  const P = parser(src, ctx);
  const toks = P.toks;
  const text = src.trim();
  const notAssignable = (why: string) => new NotAssignableError(`'${text}' cannot be assigned: ${why}`);
  // Parentheses around the whole expression: `(x0)`, `((*(u8*)sp))`.
  let open = 0;
  while (P.isOp('(') && P.castAt() === undefined) {
    let depth = 0, k = P.pos;
    for (; k < toks.length; k++) {
      const t = toks[k];
      if (t.k === 'op' && t.v === '(') depth++;
      else if (t.k === 'op' && t.v === ')' && --depth === 0) break;
    }
    // Its ')' must be the last token not yet matched by an outer pair (toks ends with 'end').
    if (k !== toks.length - 2 - open) break;
    P.pos++;
    open++;
  }
  const closeAll = (): void => { for (let i = 0; i < open; i++) P.expect(')'); P.end(); };
  const t = toks[P.pos];
  let lv: Lvalue;
  if (t.k === 'op' && t.v === '*') {
    P.pos++;
    const c = P.castAt();
    let size = 8, signed = false, type = 'u64';
    // `*(T*)a` stores a T; `*a` and `*(T)a` (a cast address) store 8 bytes, as they read.
    if (c && c.ptr) {
      type = (toks[P.pos + 1] as { v: string }).v;
      size = c.ty.size;
      signed = c.ty.signed;
      P.pos = c.end;
    }
    const address = P.unary();
    lv = { kind: 'memory', address, size, signed, type };
  } else if (t.k === 'id' && (t.v === 'tag' || t.v === 'ltag') && toks[P.pos + 1].k === 'op' && (toks[P.pos + 1] as { v: string }).v === '(') {
    P.pos += 2;
    if (t.v === 'tag') {
      const address = P.expr();
      P.expect(')');
      lv = { kind: 'tag', address };
    } else {
      const r = toks[P.pos];
      const close = toks[P.pos + 1];
      if (r.k !== 'id' || ctx.register(r.v.replace(/^\$/, '')) === undefined || close.k !== 'op' || close.v !== ')') {
        evaluateExpression(src, ctx); // a malformed expression gets the evaluator's message
        throw notAssignable('ltag() can only be assigned for a register, e.g. ltag(x20) = 3 (it changes the register\'s bits 59:56)');
      }
      P.pos += 2;
      lv = { kind: 'ltag', register: r.v.replace(/^\$/, '') };
    }
  } else if (t.k === 'id' && !(toks[P.pos + 1].k === 'op' && (toks[P.pos + 1] as { v: string }).v === '(')) {
    // A name alone: a register (what it is otherwise is said once it is known to stand alone).
    P.pos++;
    lv = { kind: 'register', name: t.v.replace(/^\$/, '') };
  } else {
    // Evaluate it first so a malformed expression gets the evaluator's own message.
    P.expr();
    closeAll();
    throw notAssignable(COMPUTED);
  }
  try {
    closeAll();
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    // More follows the l-value: a malformed expression gets the evaluator's message, a valid one
    // (`x0 + 1`) is a computed value.
    evaluateExpression(src, ctx);
    throw notAssignable(COMPUTED);
  }
  if (lv.kind === 'register') {
    const raw = (t as { v: string }).v;
    if (ctx.variables && Object.hasOwn(ctx.variables, raw)) throw notAssignable(`${raw} is a read-only condition variable`);
    if (ctx.register(lv.name) === undefined) {
      if (ctx.symbol(raw) !== undefined) throw notAssignable(`${raw} is a symbol (an address), not a variable; to store at it write *(u64*)${raw} (or u32, u16, u8)`);
      throw new EvalError(`unknown name '${raw}' (registers are x0-x30, w0-w30, sp, pc, lr, fp, nzcv, n, z, c, v, tco; or a symbol of the program)`);
    }
  }
  return lv;
}

export const untagAddr = (v: bigint): bigint => v & 0x00ff_ffff_ffff_ffffn;
export const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

/** What the memory-tag commands need besides expression evaluation. */
export interface TagCommandContext extends EvalContext {
  /** Sets allocation tags of consecutive granules from the granule containing addr; false if impossible. */
  setAllocationTags(addr: bigint, tags: number[]): boolean;
  /** GDB's value history counter ($1, $2...). */
  nextValueNumber(): number;
}

/** Splits a command line into words, honouring double and single quotes. */
function words(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m;
  while ((m = re.exec(s)) !== null) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/**
 * Runs a GDB `memory-tag ...` or LLDB `memory tag ...` command; returns its output (without a
 * trailing newline), or undefined when `line` is not such a command. Errors are thrown as EvalError
 * with the debugger's own wording.
 */
export function runTagCommand(line: string, ctx: TagCommandContext): string | undefined {
  const s = line.trim();
  const gdb = /^memory-tag(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(s);
  if (gdb) return gdbMemoryTag(gdb[1], (gdb[2] ?? '').trim(), ctx);
  const lldb = /^memory\s+tag(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(s);
  if (lldb) return lldbMemoryTag(lldb[1], (lldb[2] ?? '').trim(), ctx);
  return undefined;
}

const notTagged = (a: bigint) => new EvalError(`Address ${hex(a)} not in a region mapped with a memory tagging flag.`);

function gdbMemoryTag(sub: string | undefined, args: string, ctx: TagCommandContext): string {
  const subs = ['check', 'print-allocation-tag', 'print-logical-tag', 'set-allocation-tag', 'with-logical-tag'];
  if (sub === undefined) {
    return ['List of memory-tag subcommands:', '',
      'memory-tag check -- Validate a pointer\'s logical tag against the allocation tag.',
      'memory-tag print-allocation-tag -- Print the allocation tag for ADDRESS.',
      'memory-tag print-logical-tag -- Print the logical tag from POINTER.',
      'memory-tag set-allocation-tag -- Set the allocation tag(s) for a memory range.',
      'memory-tag with-logical-tag -- Print a POINTER with a specific logical TAG.'].join('\n');
  }
  const matches = subs.filter(x => x.startsWith(sub));
  if (matches.length !== 1) throw new EvalError(matches.length ? `Ambiguous memory-tag command "${sub}": ${matches.join(', ')}.` : `Undefined memory-tag command: "${sub}".  Try "help memory-tag".`);
  const cmd = matches[0];
  switch (cmd) {
    case 'print-logical-tag':
    case 'print-allocation-tag': {
      if (!args) throw new EvalError('Argument required (address or pointer).');
      const v = evaluateExpression(args, ctx);
      let tag: number;
      if (cmd === 'print-logical-tag') tag = Number((v >> 56n) & 0xfn);
      else {
        tag = ctx.allocationTag(v);
        if (tag < 0) throw notTagged(v);
      }
      return `$${ctx.nextValueNumber()} = ${hex(tag)}`;
    }
    case 'with-logical-tag': {
      if (!args) throw new EvalError('Argument required (<address> <tag>).');
      const w = words(args);
      if (w.length < 2) throw new EvalError('Missing arguments.');
      const v = evaluateExpression(w[0], ctx);
      if (w[1].length !== 2) throw new EvalError('Error parsing tags argument. The tag should be 2 digits.');
      if (!/^[0-9a-f]{2}$/i.test(w[1])) throw new EvalError('Error parsing tags argument. The tag should be 2 digits.');
      const t = BigInt(parseInt(w[1], 16) & 0xf);
      return `$${ctx.nextValueNumber()} = (void *) ${hex((v & ~(0xfn << 56n)) | (t << 56n))}`;
    }
    case 'set-allocation-tag': {
      if (!args) throw new EvalError('Argument required (<starting address> <length> <tag bytes>).');
      const w = words(args);
      if (w.length < 3) throw new EvalError('Missing arguments.');
      const v = evaluateExpression(w[0], ctx);
      if (!/^[0-9]+$/.test(w[1])) throw new EvalError('Error parsing length argument.');
      const len = Number(w[1]);
      if (len <= 0) throw new EvalError('Invalid zero or negative length.');
      if (w[2].length % 2 || !/^[0-9a-f]*$/i.test(w[2])) throw new EvalError('Error parsing tags argument. Tags should be 2 digits per byte.');
      if (ctx.allocationTag(v) < 0) throw notTagged(v);
      const pattern: number[] = [];
      for (let i = 0; i < w[2].length; i += 2) pattern.push(parseInt(w[2].slice(i, i + 2), 16) & 0xf);
      // The tags fill the granules of [addr, addr+len), repeating the pattern (the qMemTags convention).
      const first = untagAddr(v) & ~15n;
      const granules = Number(((untagAddr(v) + BigInt(len) + 15n) & ~15n) - first) / 16;
      if (granules > 1 << 20) throw new EvalError('Invalid length: at most 16 MiB of tags at once.');
      const tags = Array.from({ length: granules }, (_, i) => pattern[i % pattern.length]);
      return ctx.setAllocationTags(v, tags) ? 'Allocation tag(s) updated successfully.' : 'Could not update the allocation tag(s).';
    }
    default: { // check
      if (!args) throw new EvalError('Argument required (address or pointer).');
      const v = evaluateExpression(args, ctx);
      const alloc = ctx.allocationTag(v);
      if (alloc < 0) throw notTagged(v);
      const logical = Number((v >> 56n) & 0xfn);
      return logical === alloc
        ? `Memory tags for address ${hex(v)} match (${hex(logical)}).`
        : `Logical tag (${hex(logical)}) does not match the allocation tag (${hex(alloc)}) for address ${hex(v)}.`;
    }
  }
}

function lldbMemoryTag(sub: string | undefined, args: string, ctx: TagCommandContext): string {
  if (sub !== 'read' && sub !== 'write') {
    throw new EvalError(sub === undefined
      ? 'error: \'memory tag\' requires a subcommand: read, write'
      : `error: 'memory tag' does not have a subcommand '${sub}' (read, write)`);
  }
  const w = words(args);
  if (sub === 'read') {
    if (w.length < 1 || w.length > 2) throw new EvalError('error: wrong number of arguments; expected at least <address-expression>, at most <address-expression> <end-address-expression>');
    const start = evaluateExpression(w[0], ctx);
    const startU = untagAddr(start);
    const end = w.length === 2 ? untagAddr(evaluateExpression(w[1], ctx)) : startU + 16n;
    if (end <= startU) throw new EvalError(`error: End address (${hex(end)}) must be greater than the start address (${hex(startU)}).`);
    const from = startU & ~15n, to = (end + 15n) & ~15n;
    if (to - from > 16n * 65536n) throw new EvalError('error: Range is too large: at most 65536 granules at once.');
    const logical = Number((start >> 56n) & 0xfn);
    const lines = [`Logical tag: ${hex(logical)}`, 'Allocation tags:'];
    for (let a = from; a < to; a += 16n) {
      const t = ctx.allocationTag(a);
      if (t < 0) throw new EvalError(`error: Address range ${hex(from)}:${hex(to)} is not in a memory tagged region`);
      lines.push(`[${hex(a)}, ${hex(a + 16n)}): ${hex(t)}${t !== logical ? ' (mismatch)' : ''}`);
    }
    return lines.join('\n');
  }
  // write ADDR TAG... [--end-addr END]
  let endExpr: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < w.length; i++) {
    if (w[i] === '--end-addr' || w[i] === '-e') { endExpr = w[++i]; if (endExpr === undefined) throw new EvalError('error: last option requires an argument'); continue; }
    const m = /^--end-addr=(.*)$/.exec(w[i]);
    if (m) { endExpr = m[1]; continue; }
    rest.push(w[i]);
  }
  if (rest.length < 2) throw new EvalError('error: wrong number of arguments; expected <address-expression> <tag> [<tag> [...]]');
  const start = evaluateExpression(rest[0], ctx);
  const tags = rest.slice(1).map(t => {
    let v: bigint;
    try { v = evaluateExpression(t, ctx); } catch { throw new EvalError(`error: invalid tag value "${t}"`); }
    if (v > 15n) throw new EvalError(`error: Found tag ${hex(v)} which is > max MTE tag value of 0xf.`);
    return Number(v);
  });
  const startU = untagAddr(start) & ~15n;
  let count = tags.length;
  if (endExpr !== undefined) {
    const end = untagAddr(evaluateExpression(endExpr, ctx));
    if (end <= startU) throw new EvalError(`error: End address (${hex(end)}) must be greater than the start address (${hex(startU)}).`);
    count = Number(((end + 15n) & ~15n) - startU) / 16;
    if (count > 1 << 20) throw new EvalError('error: Range is too large: at most 16 MiB of tags at once.');
  }
  for (let a = startU; a < startU + BigInt(count) * 16n; a += 4096n - (a % 4096n)) {
    if (ctx.allocationTag(a) < 0) throw new EvalError(`error: Address range ${hex(startU)}:${hex(startU + BigInt(count) * 16n)} is not in a memory tagged region`);
  }
  const all = Array.from({ length: count }, (_, i) => tags[i % tags.length]);
  if (!ctx.setAllocationTags(startU, all)) throw new EvalError('error: Could not write memory tags.');
  return '';
}

/** Completion candidates for the Debug Console. */
export const COMMANDS = [
  'memory-tag print-logical-tag ', 'memory-tag print-allocation-tag ', 'memory-tag set-allocation-tag ', 'memory-tag check ',
  'memory-tag with-logical-tag ', 'memory tag read ', 'memory tag write ',
];
