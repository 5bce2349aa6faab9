import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asm, hexOf, words, errorOf, errorsOf, files, GNU, gnuBuild } from './helpers';

test('.macro with positional, default, keyword arguments', () => {
  const r = asm(`
  .macro put a, b=7, c
  .byte \\a, \\b, \\c + 0
  .endm
  .data
  put 1, 2, 3
  put 4
  put 5,,6
  put c=9, a=8
  put 1 + 2
  put 1 2 3
`);
  assert.equal(hexOf(r, '.data'), '010203' + '040700' + '050706' + '080709' + '030700' + '010203');
});

test('macro arguments: quotes are removed, blanks next to punctuation vanish', () => {
  const r = asm(`
  .macro s a, b
  .ascii "<\\a|\\b>"
  .endm
  .data
  s "x y", z
  s x0 , #1
  s (1 + 2), 3
`);
  assert.equal(Buffer.from(r.sections.find(s => s.name === '.data')!.bytes).toString(), '<x y|z><x0|#1><(1+2)|3>');
});

test(':req and :vararg parameters', () => {
  const r = asm(`
  .macro v first:req, rest:vararg
  .byte \\first
  .byte \\rest
  .endm
  .data
  v 1, 2, 3, 4
  v 5
`);
  assert.equal(hexOf(r, '.data'), '01020304' + '05');
  assert.equal(errorOf('.macro m a:req\n.endm\n  m\n'), "test.s:3:3: error: missing value for required parameter 'a' of macro 'm'");
});

test('\\() separates, \\@ counts expansions, unknown \\x is kept', () => {
  const r = asm(`
  .macro lab n
L\\n\\()_\\@: .byte \\@
  .endm
  .macro esc
  .ascii "\\t"
  .endm
  .data
  lab 1
  lab 2
  esc
`);
  assert.equal(hexOf(r, '.data'), '0001' + '09');
  assert.ok(r.symbols.some(s => s.name === 'L1_0'));
  assert.ok(r.symbols.some(s => s.name === 'L2_1'));
});

test('macro names are case-insensitive and can shadow instructions', () => {
  const r = asm('.macro NOP\n.inst 0x11111111\n.endm\n  nop\n  Nop\n');
  assert.deepEqual(words(r), ['11111111', '11111111']);
});

test('nested macros, .exitm and .purgem', () => {
  const r = asm(`
  .macro inner x
  .byte \\x
  .endm
  .macro outer x
  inner \\x
  .if \\x > 2
  .exitm
  .endif
  inner \\x * 10
  .endm
  .data
  outer 1
  outer 3
  .purgem inner
  .macro inner x
  .byte 0xee
  .endm
  outer 2
`);
  assert.equal(hexOf(r, '.data'), '010a' + '03' + 'eeee');
});

test('recursive macros with a terminating condition', () => {
  const r = asm(`
  .macro count n
  .if \\n
  .byte \\n
  count "(\\n - 1)"
  .endif
  .endm
  .data
  count 4
`);
  assert.equal(hexOf(r, '.data'), '04030201');
});

test('.rept, .irp, .irpc (also nested)', () => {
  const r = asm(`
  .data
  .rept 3
  .byte 0xaa
  .endr
  .irp r, 1, 2, 3
  .byte \\r * 2
  .endr
  .irpc c, 456
  .byte \\c
  .endr
  .rept 2
  .irp x, 7, 8
  .byte \\x
  .endr
  .endr
  .rept 0
  .byte 0xff
  .endr
  .irp x
  .byte 9\\x
  .endr
`);
  assert.equal(hexOf(r, '.data'), 'aaaaaa' + '020406' + '040506' + '07080708' + '09');
});

test('line map: macro code is attributed to the invocation, .rept code to its body lines', () => {
  const r = asm(`.macro two
nop
ret
.endm
.text
  two
.rept 2
nop
.endr
.macro r2
.rept 2
ret
.endr
.endm
 r2
`);
  assert.deepEqual(r.lineMap.map(e => [e.line, e.column]), [[6, 3], [6, 3], [8, 1], [8, 1], [15, 2], [15, 2]]);
});

test('conditionals: .if/.elseif/.else/.endif and friends', () => {
  const r = asm(`
  .data
  .set x, 2
  .if x == 1
  .byte 1
  .elseif x == 2
  .byte 2
  .else
  .byte 3
  .endif
  .if 0
  .if 1
  .byte 0xff
  .else
  .byte 0xfe
  .endif
  .elseif 0
  .byte 0xfd
  .else
  .byte 4
  .endif
  .ifdef x
  .byte 5
  .endif
  .ifndef y
  .byte 6
  .endif
  .ifnotdef x
  .byte 0xfc
  .endif
  .ifc abc, abc
  .byte 7
  .endif
  .ifnc 'a b', 'a b'
  .byte 0xfb
  .else
  .byte 8
  .endif
  .ifeqs "x", "x"
  .byte 9
  .endif
  .ifnes "x", "y"
  .byte 10
  .endif
  .ifb
  .byte 11
  .endif
  .ifnb x
  .byte 12
  .endif
  .ifeq x - 2
  .byte 13
  .endif
  .ifne x
  .byte 14
  .endif
  .ifge -1
  .byte 0xfa
  .endif
  .ifgt 1
  .byte 15
  .endif
  .ifle 0
  .byte 16
  .endif
  .iflt -5
  .byte 17
  .endif
`);
  assert.equal(hexOf(r, '.data'), '0204050607' + '08090a0b0c0d0e0f1011');
});

test('.if sees labels defined so far, and `.`', () => {
  const r = asm(`
  .data
a: .byte 1, 2
  .if . - a == 2
  .byte 3
  .endif
  .ifdef later
  .byte 0xff
  .endif
later:
`);
  assert.equal(hexOf(r, '.data'), '010203');
});

test('conditionals inside macros use the arguments (.ifb, .ifc)', () => {
  const r = asm(`
  .macro opt a, b
  .ifb \\b
  .byte \\a
  .else
  .byte \\a, \\b
  .endif
  .ifc \\a,3
  .byte 0x33
  .endif
  .endm
  .data
  opt 1
  opt 2, 5
  opt 3
`);
  assert.equal(hexOf(r, '.data'), '01' + '0205' + '0333');
});

test('.include reads through readInclude and nests', () => {
  const r = asm('.data\n.include "a.inc"\n.byte 3\n', {
    readInclude: files({ 'a.inc': '.byte 1\n.include "b.inc"\n', 'b.inc': '  .byte 2 // from b\n' }),
  });
  assert.equal(hexOf(r, '.data'), '010203');
  assert.deepEqual(r.lineMap.map(e => [e.file, e.line, e.column]), [['a.inc', 1, 1], ['b.inc', 1, 3], ['test.s', 3, 1]]);
  assert.deepEqual(r.files, ['test.s', 'a.inc', 'b.inc']);
});

test('.include may resolve names and defines macros for the includer', () => {
  const r = asm('.include "m.inc"\n.data\nput 5\n', {
    readInclude: (p, from) => (p === 'm.inc' && from === 'test.s' ? { file: '/abs/m.inc', text: '.macro put x\n.byte \\x\n.endm\n' } : undefined),
  });
  assert.equal(hexOf(r, '.data'), '05');
  assert.deepEqual(r.files, ['test.s', '/abs/m.inc']);
});

test('errors inside macro expansions point into the body and list the invocation', () => {
  try {
    asm('.macro m x\n  .byte \\x, oops\n.endm\n.data\n  m 1\n');
    assert.fail('expected an error');
  } catch (e) {
    const err = e as import('../../emulator/asm/types').AsmError;
    assert.equal(err.message, "test.s:2:13: error: undefined symbol 'oops'");
    assert.deepEqual(err.from, [{ file: 'test.s', line: 5, column: 3 }]);
  }
  // A bad argument is reported where the argument was substituted.
  assert.equal(errorOf('.macro m x\n  .byte 1, \\x\n.endm\n.data\n  m (2\n'), "test.s:2:12: error: missing ')'");
});

test('macro and conditional errors', () => {
  assert.equal(errorOf('.macro m\n.byte 1\n'), 'test.s:1:1: error: unterminated .macro m (no .endm before the end of the file)');
  assert.equal(errorOf('.rept 2\n.byte 1\n'), 'test.s:1:1: error: unterminated .rept (no .endr before the end of the file)');
  assert.equal(errorOf('  .if 1\n.byte 1\n'), 'test.s:1:3: error: unterminated .if (no .endif before the end of the file)');
  assert.equal(errorOf('.endif\n'), 'test.s:1:1: error: .endif without .if');
  assert.equal(errorOf('.else\n'), 'test.s:1:1: error: .else without .if');
  assert.equal(errorOf('.if 1\n.else\n.else\n.endif\n'), 'test.s:3:1: error: duplicate .else');
  assert.equal(errorOf('.if 1\n.else\n.elseif 1\n.endif\n'), 'test.s:3:1: error: .elseif after .else');
  assert.equal(errorOf('.endm\n'), 'test.s:1:1: error: .endm without .macro');
  assert.equal(errorOf('.endr\n'), 'test.s:1:1: error: .endr without .rept, .irp or .irpc');
  assert.equal(errorOf('.exitm\n'), 'test.s:1:1: error: .exitm outside a macro');
  assert.equal(errorOf('.purgem nope\n'), "test.s:1:9: error: macro 'nope' is not defined");
  assert.equal(errorOf('.macro m\n.endm\n.macro M\n.endm\n'), "test.s:3:8: error: macro 'M' is already defined (at test.s:1:1)");
  assert.equal(errorOf('.macro m a\n.endm\n m 1, 2\n'), "test.s:3:7: error: too many positional arguments for macro 'm'");
  assert.equal(errorOf('.if undefined_thing\n.endif\n'), 'test.s:1:5: error: non-constant expression in .if');
  assert.equal(errorOf('.if later\n.endif\nlater:\n'), 'test.s:1:5: error: non-constant expression in .if');
  assert.equal(errorOf('.rept -1\n.endr\n'), 'test.s:1:7: error: negative .rept count -1');
  assert.equal(errorOf('.rept x\n.endr\n'), 'test.s:1:7: error: non-constant expression in .rept');
  assert.equal(errorOf('.data\n.include "nope.inc"\n', { readInclude: files({}) }), "test.s:2:10: error: cannot open include file 'nope.inc'");
});

test('recursion limits: macros and includes', () => {
  assert.equal(errorOf('.macro f\n  f\n.endm\n f\n'), "test.s:2:3: error: macros nested too deeply (limit 100) expanding 'f'");
  assert.equal(errorOf('.macro f\n  f\n.endm\n f\n', { maxMacroDepth: 5 }), "test.s:2:3: error: macros nested too deeply (limit 5) expanding 'f'");
  assert.equal(errorOf('.include "self.s"\n', { readInclude: files({ 'self.s': '.include "self.s"\n' }) }), 'self.s:1:1: error: .include nested too deeply (limit 64)');
  // only reported once in collect mode
  assert.equal(errorsOf('.macro f\n  f\n.endm\n f\n').length, 1);
});

const MACRO_SOURCE = String.raw`
  .macro push_pair a, b
  .byte \a, \b
  .endm
  .macro table name, n:req, vals:vararg
\name:
  .hword \n
  .irp v, \vals
  .hword \v * \n
  .endr
  .endm
  .data
  push_pair 1, 2
  push_pair 3 4
  table t1, 3, 1, 2, 3
  table t2, 2, 5, 6
  .rept 3
  .byte 0x55
  .endr
  .irpc c, 1234
  .if \c % 2
  .byte \c
  .else
  .byte \c * 16
  .endif
  .endr
  .macro kw x=1, y=2
  .byte \x, \y
  .endm
  kw y=5
  kw 7
  kw ,9
`;

test('macro-heavy source matches GNU as', { skip: GNU }, () => {
  const ours = asm(MACRO_SOURCE);
  const gnu = gnuBuild(MACRO_SOURCE, ours);
  assert.equal(hexOf(ours, '.data'), Buffer.from(gnu.sections.get('.data')!).toString('hex'));
  for (const s of ours.symbols) assert.equal(s.value, gnu.symbols.get(s.name), s.name);
});
