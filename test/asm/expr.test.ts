import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpr, evaluate, ExprError, ABS, LINKED, type EvalEnv, type Value } from '../../emulator/asm/expr';
import { asm, hexOf, errorOf, GNU, gnuBuild } from './helpers';

/** Evaluates with symbols a=0x10 and b=0x30 in section 0 (based at 0x1000), c=5 absolute. */
function ev(text: string, opts: { final?: boolean } = {}): Value {
  const syms: Record<string, Value> = { a: { sec: 0, v: 0x10n }, b: { sec: 0, v: 0x30n }, c: { sec: ABS, v: 5n }, d: { sec: 1, v: 8n } };
  const env: EvalEnv = {
    dot: () => ({ sec: 0, v: 0x20n }),
    symbol: (name, at) => { const s = syms[name]; if (!s) throw new ExprError(`undefined symbol '${name}'`, at); return s; },
    local: (n, fwd, at) => { throw new ExprError(`no ${n}${fwd ? 'f' : 'b'}`, at); },
    base: sec => (sec === 0 ? 0x1000n : 0x8000n),
    final: opts.final ?? true,
  };
  return evaluate(parseExpr(text), env);
}
const val = (t: string): bigint => ev(t).v;

test('numbers: decimal, hex, octal, binary, characters', () => {
  assert.equal(val('123'), 123n);
  assert.equal(val('0x1F'), 31n);
  assert.equal(val('0X10'), 16n);
  assert.equal(val('017'), 15n);
  assert.equal(val('0'), 0n);
  assert.equal(val('0b101'), 5n);
  assert.equal(val("'a'"), 97n);
  assert.equal(val("'a"), 97n);
  assert.equal(val("'\\n'"), 10n);
  assert.equal(val("'\\x41'"), 65n);
  assert.equal(val("'\\101'"), 65n);
  assert.equal(val('0xffffffffffffffff'), -1n);
});

test('operators follow GNU as ranks and 64-bit wrap-around', () => {
  assert.equal(val('1 + 2 * 3'), 7n);
  assert.equal(val('3 << 2 + 1'), 13n); // shift binds tighter than +
  assert.equal(val('2 | 1 + 1'), 4n); // | binds tighter than +
  assert.equal(val('(1 + 2) * 3'), 9n);
  assert.equal(val('-7 / 2'), -3n);
  assert.equal(val('-7 % 2'), -1n);
  assert.equal(val('-1 >> 60'), 15n); // logical shift right
  assert.equal(val('1 << 64'), 0n);
  assert.equal(val('~0'), -1n);
  assert.equal(val('!0'), 1n);
  assert.equal(val('!5'), 0n);
  assert.equal(val('-(-5)'), 5n);
  assert.equal(val('+5'), 5n);
  assert.equal(val('6 & 3'), 2n);
  assert.equal(val('6 ^ 3'), 5n);
  assert.equal(val('0 ! 0'), -1n); // or-not
  assert.equal(val('1 < 2'), -1n); // true is all ones
  assert.equal(val('2 <= 1'), 0n);
  assert.equal(val('1 + 2 == 3'), -1n);
  assert.equal(val('1 <> 2'), -1n);
  assert.equal(val('1 != 1'), 0n);
  assert.equal(val('3 >= 3'), -1n);
  assert.equal(val('3 > 3'), 0n);
  assert.equal(val('1 && 2'), 1n);
  assert.equal(val('0 || 0'), 0n);
  assert.equal(val('0 || 1 && 0'), 0n);
  assert.equal(val('0x7fffffffffffffff + 1'), -(1n << 63n));
});

test('section-relative values: differences are constants, sums stay relative', () => {
  assert.deepEqual(ev('b - a'), { sec: ABS, v: 0x20n });
  assert.deepEqual(ev('a + 4'), { sec: 0, v: 0x14n });
  assert.deepEqual(ev('4 + a'), { sec: 0, v: 0x14n });
  assert.deepEqual(ev('. - a'), { sec: ABS, v: 0x10n });
  assert.deepEqual(ev('a - 1'), { sec: 0, v: 0xfn });
  // across sections (or other operators) the final addresses are used
  assert.deepEqual(ev('d - a'), { sec: LINKED, v: 0x8008n - 0x1010n });
  assert.deepEqual(ev('a & 0xfff'), { sec: LINKED, v: 0x10n });
  assert.deepEqual(ev('c * 2'), { sec: ABS, v: 10n });
});

test('relocation operators', () => {
  assert.equal(val(':lo12:d'), 0x8n);
  assert.equal(val(':lo12:a + 0x1000'), 0x10n);
  assert.equal(val(':abs_g0_nc:0x123456789abcdef0'), 0xdef0n);
  assert.equal(val(':abs_g1_nc:0x123456789abcdef0'), 0x9abcn);
  assert.equal(val(':abs_g2_nc:0x123456789abcdef0'), 0x5678n);
  assert.equal(val(':abs_g3:0x123456789abcdef0'), 0x1234n);
  assert.equal(val(':abs_g1:0x12345678'), 0x1234n);
  assert.equal(val(':abs_g0_s:-2'), -2n);
  assert.equal(val(':abs_g1_s:-0x20000'), -2n);
  assert.equal(val(':pg_hi21:d'), 0x8008n);
  assert.equal(val(':prel_g0_nc:b'), 0x10n);
  assert.throws(() => val(':abs_g0:0x10000'), /out of range for ':abs_g0:'/);
  assert.throws(() => val(':abs_g1:0x100000000'), /out of range for ':abs_g1:'/);
  assert.equal(ev(':abs_g0:0x10000', { final: false }).v, 0n);
  assert.throws(() => val(':got:a'), (e: ExprError) => /not supported/.test(e.message) && e.offset === 0);
  assert.throws(() => val(':bogus:a'), /unknown relocation operator ':bogus:'/);
});

test('malformed expressions name the offset', () => {
  const off = (t: string): [string, number] => {
    try { val(t); } catch (e) { if (e instanceof ExprError) return [e.message, e.offset]; throw e; }
    throw new Error('no error');
  };
  assert.deepEqual(off('1 +'), ['missing operand', 3]);
  assert.deepEqual(off('(1 + 2'), ["missing ')'", 6]);
  assert.deepEqual(off('1 2'), ["junk at end of expression: '2'", 2]);
  assert.deepEqual(off('1 / 0'), ['division by zero', 2]);
  assert.deepEqual(off('7 % (1 - 1)'), ['division by zero', 2]);
  assert.deepEqual(off('09'), ["bad number '09'", 0]);
  assert.deepEqual(off('0x'), ["bad number '0x'", 0]);
  assert.deepEqual(off('1 + @'), ["bad expression: unexpected '@'", 4]);
  assert.deepEqual(off('zz + 1'), ["undefined symbol 'zz'", 0]);
  assert.deepEqual(off('0x10000000000000000'), ["number '0x10000000000000000' does not fit in 64 bits", 0]);
  assert.deepEqual(off('1 )'), ["unbalanced ')'", 2]);
});

test('local label references parse as such, binary numbers do not', () => {
  assert.deepEqual(parseExpr('1f'), { k: 'local', n: 1, fwd: true, at: 0 });
  assert.deepEqual(parseExpr('12b'), { k: 'local', n: 12, fwd: false, at: 0 });
  assert.deepEqual(parseExpr('0b'), { k: 'local', n: 0, fwd: false, at: 0 });
  assert.deepEqual(parseExpr('0b11'), { k: 'num', v: 3n });
});

test('expressions in data directives with labels and `.`', () => {
  const r = asm(`
    .data
a:  .byte 1, 2, 3
b:  .byte b - a, . - a, (b - a) * 2 + 1 // dot advances with each value
    .hword 'A', 'B' + 1
    .word -1, 0x7fffffff
`);
  assert.equal(hexOf(r, '.data'), '010203' + '030407' + '4100' + '4300' + 'ffffffff' + 'ffffff7f');
});

const GAS_EXPRESSIONS = [
  '1 + 2 * 3', '3 << 2 + 1', '2 | 1 + 1', '-7 / 2', '-7 % 2', '-1 >> 60', '~0', '!0', '!5', '0 ! 0', '1 < 2', '2 <= 1',
  '1 + 2 == 3', '1 <> 2', '1 != 1', '3 >= 3', '1 && 2', '0 || 1 && 0', "'a'", "'b", "'\\n'", '017', '0b1011', '0x7fffffffffffffff + 1',
  '(5 - 8) * 3', '100 / 7 % 3', '-(3 & 6)', '1 << 63 >> 63', '5 - -3', '6 & 3 | 8 ^ 1', '1 > 2 || 3 > 2', 'b - a', '. - a', 'end - a',
  '(end - a) / 2', '0x10 - 1 & 0xff', '~(b - a)',
];

test('expressions match GNU as', { skip: GNU }, () => {
  const src = `.data\na: .byte 1, 2\nb: .byte 3\n${GAS_EXPRESSIONS.map(e => `.quad ${e}`).join('\n')}\nend:\n`;
  const ours = asm(src);
  const gnu = gnuBuild(src, ours);
  assert.equal(hexOf(ours, '.data'), Buffer.from(gnu.sections.get('.data')!).toString('hex'));
});

test('expression errors in directives carry file:line:column', () => {
  assert.equal(errorOf('.data\n  .word 1 +\n'), 'test.s:2:12: error: missing operand');
  assert.equal(errorOf('.data\n  .quad 4 / (2 - 2)\n'), 'test.s:2:11: error: division by zero');
  assert.equal(errorOf('.data\n  .quad nowhere\n'), "test.s:2:9: error: undefined symbol 'nowhere'");
});
