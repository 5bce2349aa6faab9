// Symbols spelled like registers. GNU as reads a bare name as a register wherever a register fits
// and as a symbol elsewhere: `adrp x0, s1` addresses a label called s1, `b x2` branches to a label
// called x2, `add x0, x1, d6` adds the value of a symbol d6. Ours must encode every such line
// exactly as GNU as + ld do, still read registers as registers where they fit, and report a
// misspelt register-like name in a label operand as an undefined symbol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { assemble } from '../../emulator/asm/index';
import { AsmError } from '../../emulator/asm/types';
import { A64 } from '../../emulator/isa/table';
import { main, type CliIo } from '../../emulator/cli/main';
import { GNU, gnuBuild } from './helpers';
import { missingTools, runOk, tmpDir } from '../tools';

const encode = (m: string, o: string, ctx: Parameters<typeof A64.encode>[2]) => A64.encode(m, o, ctx);

// Label operands (adr/adrp, branches, literal loads, prfm) naming labels spelled like FP/SIMD
// registers, general-purpose registers, sp and shift names; immediates naming absolute symbols
// spelled like FP/SIMD registers; and lines where such names must stay registers although
// symbols of the same name exist.
const SOURCE = `
        .equ    s5, 2
        .equ    d6, 3
        .equ    q7, 1
        .equ    h9, 0xff
        .equ    b8, 0xf
        .equ    v10, 8
        .text
        .global _start
_start:
        adrp    x0, s1
        add     x0, x0, :lo12:s1
        adrp    x1, d0 + 8
        ldr     x2, [x1, :lo12:d0]
        adr     x3, q2
        adr     x4, v3 + 4
        b       b1
        bl      h4
        b.eq    s1
        cbz     x0, d0
        cbnz    w3, w3
        tbz     x0, #1, h4
        tbnz    x1, #63, x2
        b       sp
        b       lsl
        b       v31
        b       v3.d
        ldr     x2, d0
        ldr     w2, v3
        ldrsw   x5, s1
        ldr     d1, s1
        ldr     q1, d0
        ldr     s1, q2
        ldr     x0, x2
        prfm    pldl1keep, s1
        mov     x0, s5
        movz    x1, d6, lsl #16
        add     x0, x1, s5
        add     x0, x1, d6, lsl #12
        adds    x0, sp, q7
        sub     w2, w3, v10
        cmp     x0, s5
        and     x0, x1, b8
        orr     w0, w1, h9
        ldr     x0, [x1, d6 + 5]
        ldr     x0, [x1], v10
        str     x0, [x1, s5 * 8]!
        mov     x0, #d6
        fmov    d0, d0
        fmov    s1, s1
        fadd    d0, d0, d0
        fcmp    s1, s1
        cmeq    d0, d1, d0
        mov     v3.16b, v3.16b
        ldr     q2, [x0]
        ldr     d0, [x1, #8]
        mov     x2, x2
        add     x0, x1, x2
        add     x0, x1, w3, uxtw
        ldr     x0, [x1, x2, lsl #3]
        ret
        .data
        .balign 16
s1:     .quad   s1, d0
d0:     .quad   0
q2:     .quad   q2
v3:     .quad   v3
b1:     .quad   0
h4:     .quad   0
x2:     .quad   0
w3:     .quad   0
sp:     .quad   0
lsl:    .quad   0
v31:    .quad   0
v3.d:   .quad   0
`;

test('register-like symbol names: labels and immediates encode as GNU as + ld do, registers stay registers', { skip: GNU }, () => {
  const ours = assemble(SOURCE, { file: 'names.s', encode });
  const gnu = gnuBuild(SOURCE, ours);
  for (const name of ['.text', '.data']) {
    const mine = ours.sections.find(s => s.name === name)!;
    const theirs = gnu.sections.get(name)!;
    const words = (b: Uint8Array) => Array.from({ length: b.length >> 2 }, (_, i) => Buffer.from(b).readUInt32LE(i * 4).toString(16).padStart(8, '0'));
    const lines = SOURCE.split('\n').filter(l => /^\s+[a-z]/.test(l) && !/^\s+\./.test(l)).map(l => l.trim());
    const a = words(mine.bytes), b = words(theirs);
    if (name === '.text') {
      assert.equal(a.length, lines.length);
      const bad = lines.map((l, i) => (a[i] === b[i] ? '' : `'${l}': ours ${a[i]}, GNU ${b[i]}`)).filter(Boolean);
      assert.deepEqual(bad, []);
    }
    assert.deepEqual(a, b, name);
  }
  for (const sym of ['s1', 'd0', 'x2', 'sp', 'v3.d']) {
    assert.equal(ours.symbols.find(s => s.name === sym)?.value, gnu.symbols.get(sym), sym);
  }
});

test('register-like names: an undefined one in a label operand is an undefined symbol; impossible registers stay errors', () => {
  const err = (line: string): string => {
    try {
      assemble(`_start:\n\t${line}\n`, { file: 'e.s', encode });
    } catch (e) {
      if (e instanceof AsmError) return e.message;
      throw e;
    }
    return 'accepted';
  };
  assert.equal(err('adrp x0, s9'), "e.s:2:11: error: undefined symbol 's9'");
  assert.equal(err('b d31'), "e.s:2:4: error: undefined symbol 'd31'");
  assert.equal(err('ldr q0, v7'), "e.s:2:10: error: undefined symbol 'v7'");
  // A register that does not fit is not silently taken as a symbol either.
  assert.match(err('fmov d0, s9'), /^e\.s:2:\d+: error: invalid operands for 'fmov'/);
  assert.match(err('add x0, x1, d9'), /^e\.s:2:\d+: error: undefined symbol 'd9'/);
  // General-purpose register and shift names are never immediates (GNU as neither).
  assert.match(err('movz x0, x1'), /^e\.s:2:\d+: error: invalid operands for 'movz'/);
  assert.match(err('add x0, x1, lsl'), /^e\.s:2:\d+: error: invalid operands for 'add'/);
});

test('test/corpus/asm/memfns.S (labels s1, s2) runs under `tagvisor run` like the gcc-built binary under qemu', { skip: missingTools('aarch64-linux-gnu-gcc', 'aarch64-linux-gnu-ld', 'qemu-aarch64') }, () => {
  const dir = resolve(import.meta.dirname, '../corpus/asm');
  const tmp = tmpDir('tagvisor-memfns-');
  runOk('aarch64-linux-gnu-gcc', ['-c', '-march=armv8.5-a+memtag', '-I', dir, '-o', join(tmp, 'm.o'), join(dir, 'memfns.S')]);
  runOk('aarch64-linux-gnu-ld', ['-static', '-o', join(tmp, 'm.elf'), join(tmp, 'm.o')]);
  const expected = runOk('qemu-aarch64', ['-cpu', 'max', join(tmp, 'm.elf')], { cwd: tmp }).stdout;
  let stdout = '', stderr = '';
  const io: CliIo = {
    stdout: d => { stdout += Buffer.from(d).toString('latin1'); },
    stderr: d => { stderr += Buffer.from(d).toString('latin1'); },
    stdin: () => null,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {},
    cwd: tmp,
  };
  const status = main(['run', join(dir, 'memfns.S')], io);
  assert.equal(stderr, '');
  assert.equal(status, 0);
  assert.match(expected, /^strcmp\(s1,s2\)=/m);
  assert.equal(stdout, expected);
  // `tagvisor asm` writes the same program as an ELF file.
  const out = join(tmp, 'ours.elf');
  assert.equal(main(['asm', join(dir, 'memfns.S'), '-o', out], io), 0);
  assert.equal(runOk('qemu-aarch64', ['-cpu', 'max', out], { cwd: tmp }).stdout, expected);
});
