import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../emulator/asm/index';
import { AsmError, OperandError } from '../../emulator/asm/types';
import { asm, hexOf, words, errorOf, errorsOf } from './helpers';
import { fakeEncode } from './fake-encoder';

test('unknown directive and unknown mnemonic', () => {
  assert.equal(errorOf('  .bogus 1\n'), "test.s:1:3: error: unknown directive '.bogus'");
  assert.equal(errorOf('nop\n   frobnicate x0, x1\n'), "test.s:2:4: error: unknown mnemonic 'frobnicate'");
  // an encoder that reports an unknown mnemonic as OperandError(offset -1) points at the mnemonic too
  const enc = (m: string) => { throw new OperandError(`unknown instruction '${m}'`, -1); };
  assert.throws(() => assemble('  zz x0\n', { file: 'a.s', encode: enc }), (e: AsmError) => e.message === "a.s:1:3: error: unknown instruction 'zz'");
});

test('operand errors become columns in the source line', () => {
  assert.equal(errorOf('  mov x0, 5\n'), 'test.s:1:11: error: expected an immediate');
  assert.equal(errorOf('  mov q0, #5\n'), "test.s:1:7: error: expected a general register, got 'q0'");
  assert.equal(errorOf('  add x0, x1, #5000\n'), 'test.s:1:15: error: immediate 5000 out of range 0..4095');
  assert.equal(errorOf('  nop x1\n'), "test.s:1:7: error: 'nop' expects 0 operands");
  // expression errors raised through ctx.evaluate keep their exact column
  assert.equal(errorOf('  b   target + (1\n'), "test.s:1:18: error: missing ')'");
  assert.equal(errorOf('x: b   x + nowhere\n'), "test.s:1:12: error: undefined symbol 'nowhere'");
  assert.equal(errorOf('  mov x0, #(1 / 0)\n'), 'test.s:1:15: error: division by zero');
  assert.equal(errorOf('  b 1f\n'), "test.s:1:5: error: no local label '1:' after this reference ('1f')");
  assert.equal(errorOf('  b 3b\n'), "test.s:1:5: error: no local label '3:' before this reference ('3b')");
  assert.equal(errorOf('  b . + 2\n'), 'test.s:1:5: error: branch target is not 4-byte aligned');
  // through a literal pool rewrite, errors point at the original expression
  assert.equal(errorOf('  ldr x0, =missing + 1\n'), "test.s:1:12: error: undefined symbol 'missing'");
  assert.equal(errorOf('  ldr q0, =1\n'), "test.s:1:7: error: 'ldr q0, =...' is not supported: use an X, W, D or S register");
  assert.equal(errorOf('  ldr w0, =0x100000000\n'), 'test.s:1:12: error: value 0x100000000 (4294967296) does not fit in 4 bytes (32-bit literal)');
});

test('an encoder that throws something unexpected is reported, not crashed on', () => {
  const enc = () => { throw new TypeError('boom'); };
  assert.throws(() => assemble('  nop\n', { file: 'a.s', encode: enc }), (e: AsmError) => e.message === 'a.s:1:3: error: internal error: boom');
  const bad = () => 2 ** 40;
  assert.throws(() => assemble('  nop\n', { file: 'a.s', encode: bad }), (e: AsmError) => e.message === "a.s:1:3: error: encoder returned 1099511627776 for 'nop' (not a 32-bit word)");
});

test('undefined symbols are reported in the final pass at each use', () => {
  assert.equal(errorOf('.data\n.quad 1, missing\n'), "test.s:2:10: error: undefined symbol 'missing'");
  assert.deepEqual(errorsOf('.data\n.quad a\n.word b + 1\nc = d\n.skip e\n'), [
    "test.s:2:7: error: undefined symbol 'a'",
    "test.s:3:7: error: undefined symbol 'b'",
    "test.s:4:5: error: undefined symbol 'd'",
    "test.s:5:7: error: undefined symbol 'e'",
  ]);
  // weak undefined symbols resolve to 0 in a static image
  assert.equal(hexOf(asm('.weak w\n.data\n.quad w\n'), '.data'), '0000000000000000');
  // declaring a symbol global is not using it
  assert.deepEqual(asm('.global never_defined\nnop\n').errors, []);
});

test('data values out of range', () => {
  assert.equal(errorOf('.data\n.byte 1, 256\n'), 'test.s:2:10: error: value 0x100 (256) does not fit in 1 byte (.byte)');
  assert.equal(errorOf('.data\n.byte -257\n'), 'test.s:2:7: error: value 0xfffffffffffffeff (-257) does not fit in 1 byte (.byte)');
  assert.equal(errorOf('.data\n.hword 0x10000\n'), 'test.s:2:8: error: value 0x10000 (65536) does not fit in 2 bytes (.hword)');
  assert.equal(errorOf('.data\n.word 0x1ffffffff\n'), 'test.s:2:7: error: value 0x1ffffffff (8589934591) does not fit in 4 bytes (.word)');
  assert.equal(errorOf('.inst 0x100000000\n'), 'test.s:1:7: error: value 0x100000000 (4294967296) does not fit in 4 bytes (.inst)');
  assert.equal(errorOf('.data\n.skip 2, 300\n'), 'test.s:2:10: error: fill value 300 does not fit in a byte');
  // GNU as accepts values whose upper bits are all ones
  assert.equal(hexOf(asm('.data\n.byte -128, -256, 255\n'), '.data'), '8000ff');
  // addresses must fit too
  assert.equal(errorOf('.data\nx: .hword x\n'), 'test.s:2:11: error: value 0x401000 (4198400) does not fit in 2 bytes (.hword)');
});

test('symbol definition errors', () => {
  assert.equal(errorOf('a: nop\n  a: nop\n'), "test.s:2:3: error: symbol 'a' is already defined (at test.s:1:1)");
  assert.equal(errorOf('a: nop\n.set a, 1\n'), "test.s:2:6: error: symbol 'a' is already defined (at test.s:1:1)");
  assert.equal(errorOf('.equiv k, 1\n.equiv k, 2\n'), "test.s:2:8: error: symbol 'k' is already defined (at test.s:1:8)");
  assert.equal(errorOf('.set k, 1\nk: nop\n'), "test.s:2:1: error: symbol 'k' is already defined (at test.s:1:6)");
  assert.equal(errorOf('.set 5, 1\n'), 'test.s:1:6: error: expected a symbol name');
  assert.equal(errorOf('.type f, %banana\n'), "test.s:1:10: error: unknown symbol type '%banana'");
  assert.equal(errorOf('.size f, later\nf: nop\n'), "test.s:1:10: error: undefined symbol 'later'");
  assert.equal(errorOf('f: nop\n.data\n.size f, f\n'), "test.s:3:10: error: .size expression for 'f' does not evaluate to a constant");
  assert.equal(errorOf('.global 1x\n'), 'test.s:1:9: error: .global needs symbol names');
});

test('directive argument errors', () => {
  assert.equal(errorOf('.data\n.ascii abc\n'), 'test.s:2:8: error: expected a string');
  assert.equal(errorOf('.data\n.ascii "abc\n'), 'test.s:2:8: error: unterminated string');
  assert.equal(errorOf('.data\n.asciz "\\x"\n'), 'test.s:2:9: error: \\x used with no following hex digits');
  assert.equal(errorOf('.balign 3\n'), 'test.s:1:9: error: alignment 3 is not a power of 2 (up to 2^28)');
  assert.equal(errorOf('.p2align 40\n'), 'test.s:1:10: error: alignment 2^40 is out of range (0..28)');
  assert.equal(errorOf('.balign\n'), 'test.s:1:8: error: .balign needs an alignment');
  assert.equal(errorOf('.data\n.byte 1, 2\n.org 1\n'), 'test.s:3:6: error: attempt to move .org backwards (from 0x2 to 0x1)');
  assert.equal(errorOf('.data\n.skip -1\n'), 'test.s:2:7: error: negative repeat count -1');
  assert.equal(errorOf('.data\n.float abc\n'), "test.s:2:8: error: bad floating-point number 'abc'");
  assert.equal(errorOf('.section .x, "q"\n'), "test.s:1:15: error: unknown section flag 'q'");
  assert.equal(errorOf('.section .x, "a", @weird\n'), "test.s:1:19: error: unknown section type '@weird'");
  assert.equal(errorOf('.text 1\n'), 'test.s:1:7: error: subsections are not supported');
  assert.equal(errorOf('.popsection\n'), 'test.s:1:1: error: .popsection without .pushsection');
  assert.equal(errorOf('.bss\n.byte 1\n'), 'test.s:2:7: error: attempt to store a non-zero value in .bss');
  assert.equal(errorOf('.bss\n  nop\n'), 'test.s:2:3: error: instructions are not allowed in .bss (a section without contents)');
  assert.equal(errorOf('.data\n.byte\t1 2\n'), "test.s:2:9: error: junk at end of expression: '2'");
  assert.equal(errorOf('.incbin "x"\n'), 'test.s:1:1: error: .incbin is not supported');
  assert.equal(errorOf('  nop+1\n'), "test.s:1:6: error: unknown mnemonic or junk after 'nop'");
  assert.equal(errorOf('  @@\n'), "test.s:1:3: error: unexpected character '@' at the start of a statement");
  assert.equal(errorOf('  ldr x0, =\n'), 'test.s:1:12: error: missing expression after =');
});

test('.err, .error', () => {
  assert.equal(errorOf('  .err\n'), 'test.s:1:3: error: .err encountered');
  assert.equal(errorOf('.error "custom message"\n'), 'test.s:1:1: error: custom message');
  assert.equal(errorOf('.error\n'), 'test.s:1:1: error: .error directive invoked in source file');
  assert.deepEqual(asm('.if 0\n.error "not reached"\n.err\n.endif\n').errors, []);
});

test('layout that cannot settle is an error, not a hang', () => {
  // b - a grows whenever n grows
  assert.equal(errorOf('.data\na: .skip n\nb:\nn = b - a + 1\n'), 'test.s:2:4: error: layout did not settle after 20 passes (sizes depend on each other)');
});

test('collectErrors gathers everything and still returns a result', () => {
  const r = asm(`
  .text
  nop
  .bogus
  frob x1
  mov x0, #1
  b nowhere
  .data
  .byte 300
  .if 1
  .word 5
`, { collectErrors: true });
  assert.deepEqual(r.errors.map(e => e.message), [
    "test.s:4:3: error: unknown directive '.bogus'",
    'test.s:10:3: error: unterminated .if (no .endif before the end of the file)',
    "test.s:5:3: error: unknown mnemonic 'frob'",
    "test.s:7:5: error: undefined symbol 'nowhere'",
    'test.s:9:9: error: value 0x12c (300) does not fit in 1 byte (.byte)',
  ]);
  assert.ok(r.errors.every(e => e instanceof AsmError && e.pos));
  assert.deepEqual(r.diagnostics.filter(d => d.severity === 'error').map(d => d.pos!.line), [4, 10, 5, 7, 9]);
  // good statements were still assembled
  assert.deepEqual(words(r).slice(0, 1), ['d503201f']);
  assert.equal(words(r)[2], 'd2800020');
  assert.equal(hexOf(r, '.data').slice(2), '05000000');
});

test('without collectErrors the first error is thrown', () => {
  assert.throws(() => assemble('.bogus\n.bogus2\n', { file: 'x.s', encode: fakeEncode }), (e: AsmError) => e.message === "x.s:1:1: error: unknown directive '.bogus'");
});

test('a failed .if still pairs with its .endif', () => {
  assert.deepEqual(errorsOf('.if nope\n.byte 1\n.endif\n.data\n.byte 2\n'), ['test.s:1:5: error: non-constant expression in .if']);
});
