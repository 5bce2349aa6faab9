import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asm, hexOf, words, symValue, errorOf, GNU, gnuBuild } from './helpers';

test('integer data directives: sizes and little-endian order', () => {
  const r = asm(`
  .data
  .byte 1, 0xff, -1
  .hword 0x1234
  .short 0x5678
  .2byte 0x9abc
  .word 0x11223344
  .long 1
  .int 2
  .4byte 3
  .quad 0x0102030405060708
  .xword -2
  .8byte 4
  .dword 5
  .octa 0x0102030405060708090a0b0c0d0e0f10
`);
  assert.equal(hexOf(r, '.data'),
    '01ffff' + '3412' + '7856' + 'bc9a' + '44332211' + '01000000' + '02000000' + '03000000' +
    '0807060504030201' + 'feffffffffffffff' + '0400000000000000' + '0500000000000000' +
    '100f0e0d0c0b0a090807060504030201');
});

test('strings: .ascii .asciz .string with escapes', () => {
  const r = asm(String.raw`
  .data
  .ascii "ab", "c"
  .asciz "x\n\t\"\\"
  .string "\101\x42\0"
  .ascii "é"
  .ascii "a" "b"
`);
  assert.equal(hexOf(r, '.data'), '616263' + '780a09225c00' + '41420000' + 'c3a9' + '6162');
});

test('floats: .float .single .double', () => {
  const r = asm('.data\n.float 1.5, -2\n.single 0.25\n.double 1e3, 0d-0.5\n');
  assert.equal(hexOf(r, '.data'), '0000c03f' + '000000c0' + '0000803e' + '0000000000408f40' + '000000000000e0bf');
});

test('.zero .skip .space .fill', () => {
  const r = asm(`
  .data
  .zero 3
  .skip 2, 0xaa
  .space 1
  .fill 2, 2, 0x1234
  .fill 1, 8, 0x1122334455
  .fill 3
`);
  assert.equal(hexOf(r, '.data'), '000000' + 'aaaa' + '00' + '34123412' + '5544332200000000' + '000000');
});

test('.sleb128 / .uleb128', () => {
  const r = asm('.data\n.uleb128 0, 127, 128, 624485\n.sleb128 -1, 63, 64, -128\n');
  assert.equal(hexOf(r, '.data'), '00' + '7f' + '8001' + 'e58e26' + '7f' + '3f' + 'c000' + '807f');
});

test('alignment: .balign .p2align .align (power of two), fill and max skip', () => {
  const r = asm(`
  .data
  .byte 1
  .balign 4
  .byte 2
  .p2align 3
  .byte 3
  .align 2
  .byte 4
  .balign 8, 0xee
  .byte 5
  .balign 16, 0xcc, 3
  .byte 6
  .balignw 4, 0x1122
`);
  assert.equal(hexOf(r, '.data'), '01000000' + '02000000' + '03000000' + '04eeeeee' + '05' + '06' + '2211');
  assert.equal(r.sections.find(s => s.name === '.data')!.align, 16); // recorded even when the max skip prevents padding (as GNU as does)
});

test('alignment in code sections pads with NOPs (zeros up to a word boundary)', () => {
  const r = asm(`
  .text
  nop
  .p2align 4
  .byte 1
  .p2align 3
  ret
  .balign 16, 0x11
  ret
`);
  assert.deepEqual(words(r), ['d503201f', 'd503201f', 'd503201f', 'd503201f', '00000001', 'd503201f', 'd65f03c0', '11111111', 'd65f03c0']);
});

test('instructions are word aligned in code sections (labels stay where they were)', () => {
  const r = asm('.text\n.byte 1\nlab: nop\n.data\n.byte 2\nnop\n');
  assert.equal(hexOf(r, '.text'), '010000001f2003d5');
  assert.equal(symValue(r, 'lab'), 0x401001n);
  assert.equal(hexOf(r, '.data'), '021f2003d5');
});

test('like GNU as, an instruction after an alignment directive is not re-aligned', () => {
  assert.equal(hexOf(asm('.byte 1\n.p2align 1\nnop\n'), '.text'), '01001f2003d5');
  assert.equal(hexOf(asm('.byte 1\n.balign 2, 0\nnop\n'), '.text'), '01001f2003d5');
  assert.equal(hexOf(asm('.byte 1\n.p2align 0\nnop\n'), '.text'), '010000001f2003d5');
  assert.equal(hexOf(asm('.byte 1\n.skip 1\nnop\n'), '.text'), '010000001f2003d5');
  assert.equal(hexOf(asm('.byte 1\n.inst 0xd503201f\n'), '.text'), '010000001f2003d5');
});

test('.org moves forward within the section', () => {
  const r = asm('.data\n.byte 1\n.org 4\n.byte 2\n.org . + 2, 0xff\n.byte 3\n');
  assert.equal(hexOf(r, '.data'), '01000000' + '02ffff03');
});

test('.inst emits raw instruction words', () => {
  const r = asm('.text\n.inst 0xd503201f, 0xd65f03c0\n.inst 0x14000000 | 1\n');
  assert.deepEqual(words(r), ['d503201f', 'd65f03c0', '14000001']);
  assert.deepEqual(r.lineMap.map(e => [e.line, e.kind, e.size]), [[2, 'insn', 4], [2, 'insn', 4], [3, 'insn', 4]]);
});

test('section layout: .text at textBase, then .rodata, .data, .bss each page aligned', () => {
  const r = asm(`
  .text
  nop
  .section .rodata
  ro: .byte 1
  .data
  d: .quad 0
  .bss
  b: .zero 16
  .section .text.more, "ax"
  more: ret
  .section .data.rel.ro
  dr: .byte 2
`);
  const by = (n: string) => r.sections.find(s => s.name === n)!;
  assert.equal(by('.text').address, 0x401000n);
  assert.equal(by('.text.more').address, 0x401004n);
  assert.equal(by('.rodata').address, 0x402000n);
  assert.equal(by('.data').address, 0x403000n);
  assert.equal(by('.data.rel.ro').address, 0x403008n);
  assert.equal(by('.bss').address, 0x404000n);
  assert.equal(by('.bss').size, 16);
  assert.equal(by('.bss').bytes.length, 0);
  assert.equal(by('.bss').type, 'nobits');
  assert.equal(by('.text').flags, 'ax');
  assert.equal(by('.rodata').flags, 'a');
  assert.equal(by('.data').flags, 'aw');
  assert.equal(symValue(r, 'ro'), 0x402000n);
  assert.equal(symValue(r, 'd'), 0x403000n);
  assert.equal(symValue(r, 'b'), 0x404000n);
  assert.equal(symValue(r, 'more'), 0x401004n);
  assert.equal(symValue(r, 'dr'), 0x403008n);
});

test('textBase option moves everything', () => {
  const r = asm('nop\n.data\nx: .byte 1\n', { textBase: 0x10000n });
  assert.equal(r.sections[0].address, 0x10000n);
  assert.equal(symValue(r, 'x'), 0x11000n);
});

test('.section flags and types, .pushsection/.popsection, .previous', () => {
  const r = asm(`
  .section .mydata, "aw", @progbits
  .byte 1
  .section .mybss, "aw", %nobits
  .zero 4
  .section .note.GNU-stack, "", @progbits
  .section .comment
  .pushsection .rodata.x, "a"
  .byte 2
  .popsection
  .byte 3
  .text
  .data
  .byte 4
  .previous
  nop
  .previous
  .byte 5
`);
  const by = (n: string) => r.sections.find(s => s.name === n)!;
  assert.equal(hexOf(r, '.mybss'), '');
  assert.equal(by('.mybss').type, 'nobits');
  assert.equal(by('.mybss').size, 4);
  assert.equal(hexOf(r, '.rodata.x'), '02');
  assert.equal(hexOf(r, '.comment'), '03');
  assert.equal(by('.comment').flags, '');
  assert.equal(by('.comment').address, 0n);
  assert.equal(by('.note.GNU-stack').type, 'progbits');
  assert.equal(hexOf(r, '.data'), '0405');
  assert.equal(hexOf(r, '.text'), '1f2003d5');
  assert.equal(hexOf(r, '.mydata'), '01');
});

test('symbols: binding, type, size, equates, common', () => {
  const r = asm(`
  .text
  .global _start
  .type _start, %function
_start:
  nop
  ret
  .size _start, . - _start
  .weak w
  .type w, @function
w: ret
  .local l
l:
  .data
  .globl obj
  .type obj, %object
obj: .quad 1, 2
  .size obj, 16
  .equ K, 42
  .set S, obj + 8
  E = K * 2
  .equiv Q, 7
  .comm cbuf, 32, 16
  .lcomm lbuf, 8
`);
  const s = (n: string) => r.symbols.find(x => x.name === n)!;
  assert.deepEqual(s('_start'), {
    name: '_start', value: 0x401000n, section: '.text', binding: 'global', global: true, type: 'func', size: 8n,
    pos: { file: 'test.s', line: 5, column: 1 },
  });
  assert.equal(s('w').binding, 'weak');
  assert.equal(s('w').type, 'func');
  assert.equal(s('l').binding, 'local');
  assert.deepEqual(s('obj'), {
    name: 'obj', value: 0x402000n, section: '.data', binding: 'global', global: true, type: 'object', size: 16n,
    pos: { file: 'test.s', line: 17, column: 1 },
  });
  assert.deepEqual(s('K'), { name: 'K', value: 42n, section: null, binding: 'local', global: false, type: 'notype', pos: { file: 'test.s', line: 19, column: 8 } });
  assert.deepEqual(s('cbuf').pos, { file: 'test.s', line: 23, column: 9 });
  assert.equal(s('S').value, 0x402008n);
  assert.equal(s('S').section, '.data');
  assert.equal(s('E').value, 84n);
  assert.equal(s('Q').value, 7n);
  assert.equal(s('lbuf').section, '.bss');
  assert.equal(s('lbuf').value, 0x403000n);
  assert.equal(s('lbuf').size, 8n);
  assert.equal(s('cbuf').section, '.bss');
  assert.equal(s('cbuf').value, 0x403010n); // commons go after .bss contents, aligned
  assert.equal(s('cbuf').binding, 'global');
  assert.equal(s('cbuf').type, 'object');
  assert.equal(r.sections.find(x => x.name === '.bss')!.size, 0x30);
  assert.equal(r.entry, 0x401000n);
});

test('.set may be redefined; uses see the value at that point', () => {
  const r = asm('.data\n.set x, 1\n.byte x\n.set x, x + 1\n.byte x\nx = 7\n.byte x\n');
  assert.equal(hexOf(r, '.data'), '010207');
});

test('forward references in data and equates resolve in the final pass', () => {
  const r = asm(`
  .data
  .quad later, later - start, sz
start:
  .set sz, later - start
  .byte 1, 2, 3
later:
`);
  assert.equal(hexOf(r, '.data'), '1b10400000000000' + '0300000000000000' + '0300000000000000' + '010203');
});

test('sizes that depend on later symbols settle over several passes', () => {
  const r = asm(`
  .data
  .skip n
a: .byte 1
  .balign 8
b:
  n = b - a
`);
  // pass 1 sees n as unknown (0): a = 0, b = 8, n = 8; then a = 8, b = 16, n = 8 again
  assert.equal(symValue(r, 'n'), 8n);
  assert.equal(hexOf(r, '.data'), '0000000000000000' + '01' + '00000000000000');
});

test('entry is _start when defined, else the start of .text', () => {
  assert.equal(asm('nop\n_start: ret\n').entry, 0x401004n);
  assert.equal(asm('nop\nret\n').entry, 0x401000n);
});

test('.L symbols are temporary; numeric labels are not listed', () => {
  const r = asm('.Lx: nop\n1: b 1b\n');
  assert.deepEqual(r.symbols.map(s => [s.name, s.temporary]), [['.Lx', true]]);
});

test('numeric local labels: 1b / 1f pick the nearest definition', () => {
  const r = asm(`
1: nop
   b 1b
   b 1f
1: b 1b
   b 2f
2: b 1b
   b 2b
`);
  assert.deepEqual(words(r), ['d503201f', '17ffffff', '14000001', '14000000', '14000001', '17fffffe', '17ffffff']);
});

test('branches and labels with the fake encoder: `.` and expressions', () => {
  const r = asm('_start: b . + 8\nnop\nb _start\nmov x3, #(2f - _start)\n2:\n');
  assert.deepEqual(words(r), ['14000002', 'd503201f', '17fffffe', 'd2800203']);
});

test('literal pools: dedup, sizes, .ltorg placement, end of section', () => {
  const r = asm(`
  .text
_start:
  ldr x0, =0x1122334455667788
  ldr w1, =5
  ldr x2, =0x1122334455667788
  ldr x3, =5
  ldr w4, =_start
  nop
  .ltorg
  ret
  ldr x5, =.
  ldr x6, =data_label + 4
  ldr x7, =data_label+4
  .data
data_label: .word 1
  ldr w6, =7
`);
  assert.deepEqual(words(r), [
    '58000100', '180000a1', '580000c2', '580000e3', '18000064', 'd503201f',
    '00000005', '00401000', '55667788', '11223344', '00000005', '00000000',
    'd65f03c0', '58000065', '58000086', '58000067',
    '00401034', '00000000', '00402004', '00000000',
  ]);
  assert.equal(hexOf(r, '.data'), '01000000' + '26000018' + '07000000');
  // pool labels are internal
  assert.ok(!r.symbols.some(s => s.name.includes('pool')));
  // pool entries appear in the line map as data of the load that asked for them
  const e = r.lineMap.find(x => x.address === 0x401018n)!;
  assert.deepEqual([e.line, e.column, e.kind, e.size], [5, 12, 'data', 4]);
});

test('line map: one entry per instruction and data directive', () => {
  const r = asm('  .text\nstart: nop\n  ret ; nop\n  .data\n  .word 1, 2\n  .ascii "hi"\n  .skip 2\n');
  assert.deepEqual(r.lineMap.map(e => [Number(e.address - 0x401000n), e.line, e.column, e.size, e.kind]), [
    [0, 2, 8, 4, 'insn'], [4, 3, 3, 4, 'insn'], [8, 3, 9, 4, 'insn'],
    [0x1000, 5, 3, 8, 'data'], [0x1008, 6, 3, 2, 'data'], [0x100a, 7, 3, 2, 'data'],
  ]);
  assert.ok(r.lineMap.every(e => e.file === 'test.s'));
});

test('comments and statement separators', () => {
  const r = asm(`
# a whole-line comment
  # indented too
  nop // trailing
  nop /* block */ ; ret
  /* multi
     line */ ret
  .data
  .ascii "a//b;c#d" // the string keeps its // and ;
  .byte ';', '#'
`);
  assert.deepEqual(words(r), ['d503201f', 'd503201f', 'd65f03c0', 'd65f03c0']);
  assert.equal(hexOf(r, '.data'), Buffer.from('a//b;c#d;#').toString('hex'));
  assert.deepEqual(r.lineMap.slice(0, 4).map(e => [e.line, e.column]), [[4, 3], [5, 3], [5, 21], [7, 14]]);
});

test('mnemonics and directives are case-insensitive', () => {
  const r = asm('  NOP\n  Ret\n  .DATA\n  .BYTE 1\n');
  assert.deepEqual(words(r), ['d503201f', 'd65f03c0']);
  assert.equal(hexOf(r, '.data'), '01');
});

test('accepted and ignored directives', () => {
  const r = asm(`
  .arch armv8.5-a+memtag
  .arch_extension memtag
  .cpu cortex-a710
  .file "x.c"
  .file 1 "x.c"
  .loc 1 2 3
  .ident "GCC"
  .hidden h
  .cfi_startproc
  .cfi_def_cfa_offset 16
  .cfi_endproc
  .section .note.GNU-stack,"",@progbits
  .text
h: nop
`);
  assert.deepEqual(words(r), ['d503201f']);
});

test('register aliases with .req / .unreq', () => {
  const r = asm('ctr .req x3\nmov ctr, #5\n.unreq ctr\n');
  assert.deepEqual(words(r), ['d28000a3']);
  assert.equal(errorOf('ctr .req x3\n.unreq ctr\nmov ctr, #5\n'), "test.s:3:5: error: expected a general register, got 'ctr'");
});

test('.end stops assembly', () => {
  const r = asm('nop\n.end\nthis is not assembled\n');
  assert.deepEqual(words(r), ['d503201f']);
});

test('.print and .warning are reported as diagnostics', () => {
  const r = asm('.print "hello"\n  .warning "careful"\n');
  assert.deepEqual(r.diagnostics, [
    { severity: 'info', message: 'hello', pos: { file: 'test.s', line: 1, column: 1 } },
    { severity: 'warning', message: 'careful', pos: { file: 'test.s', line: 2, column: 3 } },
  ]);
});

// A source exercising data directives, sections, symbols and pools with only the instructions the
// fake encoder knows; GNU as + ld must produce the same bytes at the same addresses.
const KITCHEN_SINK = String.raw`
  .text
  .global _start
  .type _start, %function
_start:
  mov x0, #1
1: b 1f
  nop
1: bl func
  b 1b
  ldr x1, =msg
  ldr w2, =0x12345678
  ldr x3, =0x1122334455667788
  ldr x4, =msg
  adrp x5, table
  add x5, x5, #:lo12:table
  add x6, x5, #:lo12:table+8
  .p2align 4
func:
  ret
  .size func, . - func
  .byte 1, 2, 3
  .balign 8
  .inst 0xd503201f
  .ltorg
  mov x7, #(end_of_data - counter)
  .section .rodata
msg: .asciz "hello, world\n"
  .balign 4
table:
  .quad _start, func, msg, table - msg, . - table
  .word 0x7fffffff, -1, 'z'
  .hword 1, 0xffff
  .uleb128 300
  .sleb128 -300
  .data
  .p2align 3
counter: .quad 0
  .fill 3, 4, 0xdeadbeef
  .skip 5, 0x5a
  .align 3
ptrs: .quad counter, ptrs + 8, 1f
1: .float 3.25
  .double -1.5
  .octa 1
  .set S, 3
  .rept S
  .byte S
  .endr
end_of_data:
  .bss
  .p2align 4
buf: .zero 100
  .byte 0
  .lcomm lbuf, 24
  .comm cbuf, 40
  .comm c3, 3
  .comm c12, 12
`;

test('kitchen sink matches GNU as + ld byte for byte', { skip: GNU }, () => {
  const ours = asm(KITCHEN_SINK);
  const gnu = gnuBuild(KITCHEN_SINK, ours);
  for (const s of ours.sections) {
    if (!s.flags.includes('a') || s.type === 'nobits') continue;
    assert.equal(Buffer.from(s.bytes).toString('hex'), Buffer.from(gnu.sections.get(s.name)!).toString('hex'), `section ${s.name}`);
  }
  for (const s of ours.symbols) {
    if (s.temporary) continue;
    assert.equal(s.value, gnu.symbols.get(s.name), `symbol ${s.name}`);
  }
});
