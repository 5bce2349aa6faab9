import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preprocess } from '../../emulator/asm/cpp';
import { AsmError } from '../../emulator/asm/types';
import { asm, hexOf, words, errorOf, errorsOf, files, GNU_CPP, gnuBuild, type Opts } from './helpers';

/** Preprocesses and returns [line, text] pairs. */
function pp(src: string, inc: Record<string, string> = {}, defines?: Record<string, string>): Array<[string, number, string]> {
  const out = preprocess('t.S', src, {
    readInclude: p => inc[p], defines,
    error: e => { throw e; }, warning: () => {},
  });
  return out.map(l => [l.file, l.line, l.text.trim()]);
}
const S = (src: string, opts: Opts = {}) => asm(src, { file: 'test.S', ...opts });

test('object-like and function-like macros, rescanning', () => {
  assert.deepEqual(pp('#define A 1\n#define B A + A\n.byte B\n'), [['t.S', 3, '.byte 1 + 1']]);
  assert.deepEqual(pp('#define ADD(a, b) add a, a, b\nADD(x0, #4)\n'), [['t.S', 2, 'add x0, x0, #4']]);
  assert.deepEqual(pp('#define F(x) [x]\nF((1, 2)) F ()\n'), [['t.S', 2, '[(1, 2)] F ()'.replace('F ()', '[]')]]);
  assert.deepEqual(pp('#define F(x) x\nF\n.byte 1\n'), [['t.S', 2, 'F'], ['t.S', 3, '.byte 1']]);
  assert.deepEqual(pp('#define SELF SELF + 1\nSELF\n'), [['t.S', 2, 'SELF + 1']]);
  assert.deepEqual(pp('#define f(x) g(x)\n#define g(x) (x*2)\nf(f(1))\n'), [['t.S', 3, '((1*2)*2)']]);
});

test('stringize, paste, variadic, comma elision', () => {
  assert.deepEqual(pp('#define STR(x) #x\n.ascii STR(a "b" c)\n'), [['t.S', 2, '.ascii "a \\"b\\" c"']]);
  assert.deepEqual(pp('#define CAT(a, b) a##b\nCAT(ad, d) x0, x0, #1\n'), [['t.S', 2, 'add x0, x0, #1']]);
  assert.deepEqual(pp('#define CAT(a, b) a ## b\nCAT(, x) CAT(y, )\n'), [['t.S', 2, 'x y']]);
  assert.deepEqual(pp('#define V(f, ...) f __VA_ARGS__\nV(.byte, 1, 2)\n'), [['t.S', 2, '.byte 1, 2']]);
  assert.deepEqual(pp('#define N(f, args...) f args\nN(.byte, 3, 4)\n'), [['t.S', 2, '.byte 3, 4']]);
  assert.deepEqual(pp('#define E(f, ...) f 0, ## __VA_ARGS__\nE(.byte) E(.byte, 1)\n'), [['t.S', 2, '.byte 0 .byte 0,1']]);
  // assembler-with-cpp: '#' not followed by a parameter is left alone (immediates)
  assert.deepEqual(pp('#define MOVI(r, v) mov r, #v\n#define ONE(r) mov r, #1\nMOVI(x0, 2)\nONE(x1)\n'), [['t.S', 3, 'mov x0, "2"'], ['t.S', 4, 'mov x1, #1']]);
});

test('conditionals with defined() and integer expressions', () => {
  const src = `#define A 2
#if A == 2 && defined(A) && !defined B
one
#elif 1
two
#else
three
#endif
#ifdef A
four
#endif
#ifndef A
five
#else
six
#endif
#if (1 ? 0x10 : 2) == 16 && (7 / 2 == 3) && (-1 < 0) && (1 << 4) == 16 && 'a' == 97 && 10UL % 4 == 2
seven
#endif
#if UNDEFINED_NAME
eight
#endif
#if 0
#if 1
nine
#endif
#else
ten
#endif
#undef A
#ifdef A
eleven
#endif
#if defined A || 0
twelve
#elif defined(__ASSEMBLER__) && __aarch64__
thirteen
#endif
`;
  assert.deepEqual(pp(src).map(x => x[2]), ['one', 'four', 'six', 'seven', 'ten', 'thirteen']);
});

test('includes: quotes and angle brackets, nested, with their own line numbers', () => {
  const inc = { 'a.h': '#define X 7\nfrom_a\n#include <b.h>\n', 'b.h': 'from_b X\n' };
  assert.deepEqual(pp('first\n#include "a.h"\nlast X\n', inc), [
    ['t.S', 1, 'first'], ['a.h', 2, 'from_a'], ['b.h', 1, 'from_b 7'], ['t.S', 3, 'last 7'],
  ]);
});

test('__LINE__, __FILE__, __COUNTER__, continuation lines, comments', () => {
  assert.deepEqual(pp('.word __LINE__\n.ascii __FILE__\n.byte __COUNTER__, __COUNTER__\n'), [
    ['t.S', 1, '.word 1'], ['t.S', 2, '.ascii "t.S"'], ['t.S', 3, '.byte 0, 1'],
  ]);
  assert.deepEqual(pp('#define LONG(a) \\\n  add a, a, \\\n  #1\nLONG(x2)\n/* multi\n line */ after\n.byte 1 // c\n'), [
    ['t.S', 4, 'add x2, x2, #1'], ['t.S', 6, 'after'], ['t.S', 7, '.byte 1'],
  ]);
  assert.deepEqual(pp('# comment for the assembler\n#  42 "x.s"\n#APP\n'), [['t.S', 1, '# comment for the assembler'], ['t.S', 3, '#APP']]);
});

test('-D style defines and predefined macros', () => {
  assert.deepEqual(pp('V F(3)\n__ARM_FEATURE_MEMORY_TAGGING\n', {}, { V: '5', 'F(x)': 'x+x' }), [['t.S', 1, '5 3+3'], ['t.S', 2, '1']]);
});

test('.S files are preprocessed then assembled; line numbers survive', () => {
  const r = S(`#define REG x3
#define IMM(v) #(v + 1)
/* a comment
   over lines */
#if 1
  mov REG, IMM(4)
#endif
  ret
`);
  assert.deepEqual(words(r), ['d28000a3', 'd65f03c0']);
  assert.deepEqual(r.lineMap.map(e => [e.line, e.column]), [[6, 3], [8, 3]]);
});

test('errors map back through the preprocessor to the original file, line and column', () => {
  // the macro's replacement is attributed to the macro name
  assert.equal(errorOf('#define R x99\n\n  mov R, #1\n', { file: 'test.S' }), "test.S:3:7: error: expected a general register, got 'x99'");
  // text after an expansion keeps its own column
  assert.equal(errorOf('#define ONE 1\n.data\n.byte ONE, bad\n', { file: 'test.S' }), "test.S:3:12: error: undefined symbol 'bad'");
  // continuation lines: the second physical line
  assert.equal(errorOf('.data\n.byte 1, \\\n   bad\n', { file: 'test.S' }), "test.S:3:4: error: undefined symbol 'bad'");
  // inside an included header
  assert.equal(errorOf('.data\n#include "h.h"\n', { file: 'test.S', readInclude: files({ 'h.h': '\n .byte nope\n' }) }), "h.h:2:8: error: undefined symbol 'nope'");
});

test('preprocessor errors', () => {
  const e = (src: string, opts: Opts = {}) => errorOf(src, { file: 'test.S', ...opts });
  assert.equal(e('#error stop here\n'), 'test.S:1:1: error: #error stop here');
  assert.equal(e('  #if 1\n'), 'test.S:1:3: error: unterminated #if');
  assert.equal(e('#endif\n'), 'test.S:1:1: error: #endif without #if');
  assert.equal(e('#else\n'), 'test.S:1:1: error: #else without #if');
  assert.equal(e('#if 1\n#else\n#elif 1\n#endif\n'), 'test.S:3:1: error: #elif after #else');
  assert.equal(e('#if 1 / 0\n#endif\n'), 'test.S:1:7: error: division by zero in #if');
  assert.equal(e('#if defined(X\n#endif\n'), "test.S:1:13: error: missing ')' after 'defined'");
  assert.equal(e('#if 1 +\n#endif\n'), 'test.S:1:7: error: #if expression ends unexpectedly');
  assert.equal(e('#if\n#endif\n'), 'test.S:1:4: error: #if with no expression');
  assert.equal(e('#if 1 2\n#endif\n'), "test.S:1:7: error: missing binary operator before token '2'");
  assert.equal(e('#include "missing.h"\n', { readInclude: files({}) }), "test.S:1:10: error: cannot open include file 'missing.h'");
  assert.equal(e('#include "self.h"\n', { readInclude: files({ 'self.h': '#include "self.h"\n' }) }), 'self.h:1:10: error: #include nested too deeply (limit 64)');
  assert.equal(e('#define F(a, b) a\nF(1)\n'), "test.S:2:1: error: macro 'F' requires 2 arguments, but 1 given");
  assert.equal(e('#define F(a) a\n F(1\n'), "test.S:2:2: error: unterminated argument list invoking macro 'F'");
  assert.equal(e('#define\n'), 'test.S:1:8: error: macro names must be identifiers');
  // collect mode gathers preprocessor and assembler errors together
  assert.deepEqual(errorsOf('#error one\n.data\n.byte two\n#if\n#endif\n', { file: 'test.S' }), [
    'test.S:1:1: error: #error one', 'test.S:4:4: error: #if with no expression', "test.S:3:7: error: undefined symbol 'two'",
  ]);
});

test('#warning is a diagnostic, not an error', () => {
  const r = S('#warning careful\nnop\n');
  assert.deepEqual(r.diagnostics, [{ severity: 'warning', message: '#warning careful', pos: { file: 'test.S', line: 1, column: 1 } }]);
});

test('the preprocessor is chosen by extension or option', () => {
  assert.equal(hexOf(asm('.data\n#define X 1\n.byte 2\n'), '.data'), '02'); // .s: '#' line is a comment
  assert.equal(hexOf(asm('.data\n#define X 1\n.byte X\n', { preprocess: true }), '.data'), '01');
  assert.throws(() => asm('.data\n#define X 1\n.byte X\n'), (e: AsmError) => e.message === "test.s:3:7: error: undefined symbol 'X'");
});

const CPP_SOURCE = `#include "defs.h"
#define PAIR(a, b) .byte a, b
#define STR(x) #x
#define CAT(a, b) a##b
#define LIST(...) .byte __VA_ARGS__
  .data
  PAIR(1, 2)
  .ascii STR(hello world)
  CAT(.by, te) 3
  LIST(4, 5, 6)
#if VALUE > 10 && defined(FROM_CMDLINE)
  .byte VALUE
#elif VALUE
  .byte 0xee
#endif
  .word __LINE__
/* comment */ .byte 7 // trailing
  .byte 8, \\
        9
# 1 "ignored-marker"
`;

test('.S source matches gcc -c (cpp + GNU as)', { skip: GNU_CPP }, () => {
  const defs = { 'defs.h': '#define VALUE 42\n' };
  const ours = S(CPP_SOURCE, { readInclude: files(defs), defines: { FROM_CMDLINE: '1' } });
  const gnu = gnuBuild(CPP_SOURCE, ours, defs, { cpp: true, defines: ['FROM_CMDLINE=1'] });
  assert.equal(hexOf(ours, '.data'), Buffer.from(gnu.sections.get('.data')!).toString('hex'));
});
