// writeElf: round trip through our reader, and acceptance by readelf, objdump, llvm-dwarfdump,
// llvm-symbolizer, gdb and qemu-aarch64 (the hand-encoded programs really run).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElfError, parseElf, writeElf, type WriteElfInput, type WriteLine } from '../../emulator/elf/index';
import { LinuxProcess } from '../../emulator/linux';
import { buildAsm } from '../linux/helpers';
import { haveTool, missingTools, run, runOk, tmpDir } from '../tools';

const READELF = 'aarch64-linux-gnu-readelf', OBJDUMP = 'aarch64-linux-gnu-objdump', QEMU = 'qemu-aarch64';

// A few A64 encoders for hand-assembled test programs (checked against objdump below).
const A = {
  movz: (rd: number, imm: number, shift = 0) => (0xd2800000 | ((shift / 16) << 21) | (imm << 5) | rd) >>> 0,
  movk: (rd: number, imm: number, shift = 0) => (0xf2800000 | ((shift / 16) << 21) | (imm << 5) | rd) >>> 0,
  adr: (rd: number, pc: number, target: number) => { const d = target - pc; return (0x10000000 | ((d & 3) << 29) | (((d >> 2) & 0x7ffff) << 5) | rd) >>> 0; },
  ldrw: (rt: number, rn: number, off = 0) => (0xb9400000 | ((off / 4) << 10) | (rn << 5) | rt) >>> 0,
  strw: (rt: number, rn: number, off = 0) => (0xb9000000 | ((off / 4) << 10) | (rn << 5) | rt) >>> 0,
  addx: (rd: number, rn: number, rm: number) => (0x8b000000 | (rm << 16) | (rn << 5) | rd) >>> 0,
  b: (pc: number, target: number) => (0x14000000 | (((target - pc) >> 2) & 0x3ffffff)) >>> 0,
  svc0: 0xd4000001,
  nop: 0xd503201f,
};
const words = (ws: number[]) => new Uint8Array(new Uint32Array(ws).buffer);

function save(bytes: Uint8Array, name: string): string {
  const p = join(tmpDir(), name);
  writeFileSync(p, bytes);
  chmodSync(p, 0o755);
  return p;
}

/** readelf must not warn about anything, including the DWARF. */
function assertReadelfClean(path: string): string {
  const r = run(READELF, ['-a', '-W', '--debug-dump=info,abbrev,aranges,rawline,decodedline,str,Ranges', path]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'readelf printed warnings');
  assert.doesNotMatch(r.stdout, /warning|error|corrupt/i);
  return r.stdout;
}

const EXIT42: WriteElfInput = {
  entry: 0x400000n,
  segments: [{ vaddr: 0x400000n, data: words([0xd2800540, 0xd2800ba8, 0xd4000001]), flags: 'rx', name: '.text' }],
  symbols: [{ name: '_start', value: 0x400000n, size: 12, type: 'func', global: true, section: '.text' }],
  lines: [
    { address: 0x400000n, file: '/src/exit.s', line: 5, column: 3 },
    { address: 0x400004n, file: '/src/exit.s', line: 6, column: 3 },
    { address: 0x400008n, file: '/src/exit.s', line: 7, column: 3 },
  ],
};

test('mov x0,#42; mov x8,#93; svc #0 runs under qemu and exits with 42', { skip: missingTools(QEMU) }, () => {
  const r = run(QEMU, [save(writeElf(EXIT42), 'exit42')]);
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 42, r.stderr);
});

test('readelf accepts the output without warnings; objdump disassembles it with line numbers', { skip: missingTools(READELF, OBJDUMP) }, () => {
  const path = save(writeElf(EXIT42), 'exit42');
  const out = assertReadelfClean(path);
  assert.match(out, /Type:\s+EXEC \(Executable file\)/);
  assert.match(out, /Machine:\s+AArch64/);
  // The text PT_LOAD starts at file offset 0 one page below .text, mapping the ELF and program headers (like ld).
  assert.match(out, /LOAD\s+0x000000 0x00000000003ff000 0x00000000003ff000 0x00100c 0x00100c R E 0x1000/);
  assert.match(out, /\[ 1\] \.text\s+PROGBITS\s+0000000000400000 001000 00000c /);
  assert.match(out, /GNU_STACK/);
  assert.match(out, /\s1: 0000000000000000\s+0 FILE\s+LOCAL\s+DEFAULT\s+ABS exit\.s/);
  assert.match(out, /\s2: 0000000000400000\s+12 FUNC\s+GLOBAL DEFAULT\s+1 _start/);
  const dis = runOk(OBJDUMP, ['-dl', path]).stdout;
  assert.match(dis, /0000000000400000 <_start>:\n_start\(\):\n\/src\/exit\.s:5\n\s+400000:\td2800540 \tmov\tx0, #0x2a/);
  assert.match(dis, /\/src\/exit\.s:6\n\s+400004:\td2800ba8 \tmov\tx8, #0x5d/);
  assert.match(dis, /\/src\/exit\.s:7\n\s+400008:\td4000001 \tsvc\t#0x0/);
});

/** data + bss + rodata program: exit((*val) * 2) after a round trip through .bss, printing "hello\n". */
function dataProgram(): WriteElfInput {
  const T = 0x400000, VAL = 0x410000, BUF = 0x411000, MSG = 0x420000;
  const code: number[] = [];
  const at = () => T + code.length * 4;
  const emit = (...ws: (number | (() => number))[]) => { for (const w of ws) code.push(typeof w === 'number' ? w : w()); };
  emit(() => A.adr(1, at(), VAL), A.ldrw(0, 1), () => A.adr(2, at(), BUF), A.strw(0, 2, 8), A.ldrw(3, 2, 8));
  emit(A.movz(0, 1), () => A.adr(1, at(), MSG), A.movz(2, 6), A.movz(8, 64), A.svc0);
  emit(A.addx(0, 3, 3), A.movz(8, 93), A.svc0);
  const lines: WriteLine[] = code.map((_, i) => ({ address: BigInt(T + 4 * i), file: i < 5 ? '/src/data.s' : '/src/inc/io.inc', line: 10 + i, column: 5 }));
  return {
    entry: BigInt(T),
    segments: [
      { vaddr: BigInt(T), data: words(code), flags: 'rx', name: '.text' },
      { vaddr: BigInt(VAL), data: words([7]), flags: 'rw', name: '.data' },
      { vaddr: BigInt(BUF), data: new Uint8Array(0), memsz: 0x40n, flags: 'rw', name: '.bss' },
      { vaddr: BigInt(MSG), data: new TextEncoder().encode('hello\n'), flags: 'r', name: '.rodata' },
    ],
    symbols: [
      { name: '_start', value: BigInt(T), size: code.length * 4, type: 'func', global: true, section: '.text' },
      { name: 'write_msg', value: BigInt(T + 20), type: 'notype', global: false, section: '.text' },
      { name: 'val', value: BigInt(VAL), size: 4, type: 'object', global: true, section: '.data' },
      { name: 'buf', value: BigInt(BUF), size: 0x40, type: 'object', global: false, section: '.bss' },
      { name: 'msg', value: BigInt(MSG), size: 6, type: 'object', global: false, section: '.rodata' },
      { name: 'SYS_exit', value: 93n, type: 'notype', global: false, section: 'ABS' },
    ],
    lines,
    sourceFiles: ['/src/data.s'],
  };
}

test('hand encodings agree with objdump; a .data/.bss/.rodata program runs under qemu', { skip: missingTools(OBJDUMP) }, () => {
  const path = save(writeElf(dataProgram()), 'data');
  const dis = runOk(OBJDUMP, ['-d', '--no-show-raw-insn', path]).stdout;
  const insns = [...dis.matchAll(/^\s+[0-9a-f]+:\t(.*?)\s*$/gm)].map(m => m[1].replace(/\s+\/\/.*$/, '').replace(/\s+/g, ' '));
  assert.deepEqual(insns, [
    'adr x1, 410000 <val>', 'ldr w0, [x1]', 'adr x2, 411000 <buf>', 'str w0, [x2, #8]', 'ldr w3, [x2, #8]',
    'mov x0, #0x1', 'adr x1, 420000 <msg>', 'mov x2, #0x6', 'mov x8, #0x40', 'svc #0x0',
    'add x0, x3, x3', 'mov x8, #0x5d', 'svc #0x0',
  ]);
  assertReadelfClean(path);
  if (!haveTool(QEMU)) return;
  const r = run(QEMU, [path]);
  assert.equal(r.stdout, 'hello\n');
  assert.equal(r.status, 14, r.stderr);
});

test('round trip through our reader', () => {
  const input = dataProgram();
  const elf = parseElf(writeElf(input), 'data.elf');
  assert.equal(elf.header.typeName, 'ET_EXEC');
  assert.equal(elf.entry, 0x400000n);
  assert.deepEqual(elf.loadSegments.map(p => [p.vaddr, p.filesz, p.memsz, p.flags, Number(p.offset % 4096) === Number(p.vaddr % 4096n)]), [
    [0x3ff000n, 0x1000 + 52, 0x1000n + 52n, 5, true], [0x410000n, 4, 4n, 6, true], [0x411000n, 0, 0x40n, 6, true], [0x420000n, 6, 6n, 4, true],
  ]);
  assert.equal(elf.loadSegments[0].offset, 0, 'the first PT_LOAD maps the headers');
  for (const s of input.segments) {
    const ph = elf.loadSegments.find(p => p.vaddr <= s.vaddr && s.vaddr < p.vaddr + p.memsz)!;
    assert.deepEqual([...elf.segmentData(ph).subarray(Number(s.vaddr - ph.vaddr))], [...s.data]);
    const sec = elf.section(s.name)!;
    assert.equal(sec.addr, s.vaddr);
    assert.deepEqual([...elf.sectionData(sec)], [...s.data]);
  }
  assert.equal(elf.section('.bss')!.typeName, 'SHT_NOBITS');
  assert.equal(elf.section('.bss')!.size, 0x40);
  const syms = elf.symbols.filter(s => s.type !== 'file' && s.index > 0).map(s => [s.name, s.value64, s.size, s.type, s.bind, s.section ?? s.shndx]);
  assert.deepEqual(syms.sort(), [
    ['SYS_exit', 93n, 0, 'notype', 'local', 0xfff1], ['_start', 0x400000n, 52, 'func', 'global', '.text'], ['buf', 0x411000n, 0x40, 'object', 'local', '.bss'],
    ['msg', 0x420000n, 6, 'object', 'local', '.rodata'], ['val', 0x410000n, 4, 'object', 'global', '.data'], ['write_msg', 0x400014n, 0, 'notype', 'local', '.text'],
  ].sort());
  // Locals come before globals (sh_info = first global).
  const symtab = elf.section('.symtab')!;
  assert.ok(elf.symbols.slice(0, symtab.info).every(s => s.bind === 'local'));
  assert.ok(elf.symbols.slice(symtab.info).every(s => s.bind === 'global'));
  assert.equal(elf.symbolize(0x400018)?.label, 'write_msg+0x4');
  assert.equal(elf.symbolize(0x400010)?.label, '_start+0x10');
  assert.equal(elf.objectAt(0x411010)?.label, 'buf+0x10');
  const lt = elf.lineTable!;
  assert.deepEqual(lt.rows.filter(r => !r.endSequence).map(r => [BigInt(r.address), r.file, r.line, r.column]),
    input.lines!.map(l => [l.address, l.file, l.line, l.column]));
  assert.equal(lt.rows.at(-1)!.address, 0x400034);
  assert.deepEqual(lt.files, ['/src/data.s', '/src/inc/io.inc']);
  assert.deepEqual(lt.lineToAddresses('io.inc', 16), [0x400018]);
  assert.deepEqual(elf.breakpointLocations('/src/data.s', 1), { file: '/src/data.s', line: 10, addresses: [0x400000] });
});

test('llvm-dwarfdump --verify, llvm-symbolizer and gdb accept the debug info (one range and several)', { skip: missingTools('llvm-dwarfdump', 'llvm-symbolizer') }, () => {
  const multi: WriteElfInput = {
    entry: 0x400000n,
    segments: [
      { vaddr: 0x400000n, data: words([A.movz(0, 42), A.b(0x400004, 0x500000)]), flags: 'rx', name: '.text' },
      { vaddr: 0x500000n, data: words([A.movz(8, 93), A.svc0]), flags: 'rx', name: '.text.exit' },
    ],
    symbols: [
      { name: '_start', value: 0x400000n, size: 8, type: 'func', global: true, section: '.text' },
      { name: 'do_exit', value: 0x500000n, size: 8, type: 'func', global: false, section: '.text.exit' },
    ],
    lines: [
      { address: 0x500004n, file: '/src/b.s', line: 4, column: 1 },
      { address: 0x400000n, file: '/src/a.s', line: 1, column: 2 },
      { address: 0x500000n, file: '/src/b.s', line: 3, column: 1 },
      { address: 0x400004n, file: '/src/a.s', line: 2, column: 2 },
    ],
  };
  for (const [name, input] of [['exit42', EXIT42], ['multi', multi], ['data', dataProgram()]] as const) {
    const path = save(writeElf(input), name);
    const v = run('llvm-dwarfdump', ['--verify', path]);
    assert.match(v.stdout, /No errors\./, `${name}: ${v.stdout}${v.stderr}`);
    assert.equal(v.status, 0);
    const lines = input.lines!;
    const out = runOk('llvm-symbolizer', [`--obj=${path}`, '--output-style=JSON'], { input: lines.map(l => '0x' + l.address.toString(16)).join('\n') + '\n' }).stdout;
    const got = out.trim().split('\n').map(l => JSON.parse(l).Symbol[0]);
    assert.deepEqual(got.map((s: { FileName: string; Line: number; Column: number }) => [s.FileName, s.Line, s.Column]),
      lines.map(l => [l.file, l.line, l.column ?? 0]), name);
    if (haveTool('gdb')) {
      const g = run('gdb', ['-nx', '-batch', '-ex', `info line *0x${lines[0].address.toString(16)}`, path]);
      assert.match(g.stdout, new RegExp(`Line ${lines[0].line} of "${lines[0].file}" starts at address 0x${lines[0].address.toString(16)}`), g.stdout + g.stderr);
    }
  }
  if (haveTool(READELF)) assertReadelfClean(save(writeElf(multi), 'multi'));
  if (haveTool(QEMU)) assert.equal(run(QEMU, [save(writeElf(multi), 'multi')]).status, 42);
  const elf = parseElf(writeElf(multi), 'multi');
  assert.deepEqual(elf.lineTable!.sequences.map(s => [s.start, s.end]), [[0x400000, 0x400008], [0x500000, 0x500008]]);
  assert.ok(elf.section('.debug_rnglists'));
});

test('a large random line table survives writer -> reader and matches llvm-dwarfdump and objdump', () => {
  let seed = 12345;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const n = 3000;
  const files = ['/w/main.s', '/w/lib/macros.inc', '/other/x.inc'];
  const lines: WriteLine[] = [];
  let line = 1, addr = 0x400000;
  for (let i = 0; i < n; i++) {
    const r = rnd(100);
    line = r < 60 ? line + rnd(3) : r < 80 ? Math.max(1, line - rnd(20)) : r < 95 ? line + rnd(200) : rnd(100000) + 1;
    lines.push({ address: BigInt(addr), file: files[rnd(10) < 8 ? 0 : 1 + rnd(2)], line, column: rnd(5) === 0 ? rnd(300) : 0 });
    const step = rnd(10);
    addr += step < 1 ? 0 : step < 8 ? 4 : 4 * (1 + rnd(300)); // same address, next insn, or a gap
  }
  const textSize = addr - 0x400000 + 4;
  const input: WriteElfInput = {
    entry: 0x400000n,
    segments: [{ vaddr: 0x400000n, data: words(new Array(textSize / 4).fill(A.nop)), flags: 'rx', name: '.text' }],
    symbols: [], lines, compDir: '/w',
  };
  const bytes = writeElf(input);
  const lt = parseElf(bytes, 'big.elf').lineTable!;
  const rows = lt.rows.filter(r => !r.endSequence).map(r => [r.address, r.file, r.line, r.column]);
  assert.deepEqual(rows, lines.map(l => [Number(l.address), l.file, l.line, l.column]));
  assert.deepEqual(lt.rows.filter(r => r.endSequence).map(r => r.address), [0x400000 + textSize]);
  if (haveTool('llvm-dwarfdump')) {
    const path = save(bytes, 'big');
    const out = runOk('llvm-dwarfdump', ['--debug-line', path]).stdout;
    const theirs = [...out.matchAll(/^0x([0-9a-f]{16})[ \t]+(\d+)[ \t]+(\d+)[ \t]+(\d+)[ \t]+\d+[ \t]+\d+[ \t]*(.*)$/gm)]
      .map(m => [parseInt(m[1], 16), Number(m[2]), Number(m[3]), m[5].includes('end_sequence')]);
    assert.deepEqual(theirs, lt.rows.map(r => [r.address, r.line, r.column, r.endSequence]));
    assert.match(run('llvm-dwarfdump', ['--verify', path]).stdout, /No errors\./);
  }
  if (haveTool(OBJDUMP)) {
    const out = runOk(OBJDUMP, ['--dwarf=decodedline', save(bytes, 'big2')]).stdout;
    const theirs = [...out.matchAll(/^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)/gm)].map(m => `${m[1]} ${m[2]} ${m[3]}`);
    assert.deepEqual(theirs, lt.rows.map(r => `${r.file.slice(r.file.lastIndexOf('/') + 1)} ${r.endSequence ? '-' : r.line} 0x${r.address.toString(16)}`));
  }
});

test('two segments sharing a page: file image mirrors memory, qemu runs it', () => {
  // .text at 0x400000 branches to .text.b at 0x400010 in the same page.
  const input: WriteElfInput = {
    entry: 0x400000n,
    segments: [
      { vaddr: 0x400000n, data: words([A.movz(0, 42), A.b(0x400004, 0x400010)]), flags: 'rx', name: '.text' },
      { vaddr: 0x400010n, data: words([A.movz(8, 93), A.svc0]), flags: 'rx', name: '.text.b' },
    ],
    symbols: [],
  };
  const bytes = writeElf(input);
  const elf = parseElf(bytes, 'shared');
  const [a, b] = elf.loadSegments;
  assert.equal(a.offset, 0, 'the first PT_LOAD maps the headers');
  assert.equal(b.offset - elf.section('.text')!.offset, 0x10);
  assert.equal(b.vaddr - a.vaddr - BigInt(b.offset - a.offset), 0n, 'one file image for the shared page');
  if (haveTool(READELF)) assertReadelfClean(save(bytes, 'shared'));
  if (haveTool(QEMU)) assert.equal(run(QEMU, [save(bytes, 'shared')]).status, 42);
});

function writeRejects(input: WriteElfInput, message: string) {
  assert.throws(() => writeElf(input), (e: unknown) => {
    assert.ok(e instanceof ElfError, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

test('writer input errors name the offending segment, symbol or line', () => {
  const text = words([A.nop, A.nop, A.nop]);
  const seg = (vaddr: bigint, flags: 'rx' | 'rw' | 'r', name: string, data = text, memsz?: bigint) => ({ vaddr, data, flags, name, memsz });
  writeRejects({ entry: 0x400000n, segments: [seg(0x400000n, 'rx', '.text', text, 0x2000n), seg(0x401000n, 'rx', '.data')] },
    'writeElf: segment 0 (.text) [0x400000, +0x2000) and segment 1 (.data) [0x401000, +0xc) overlap');
  writeRejects({ entry: 0x400000n, segments: [seg(0x400000n, 'rx', '.text'), seg(0x400100n, 'rw', '.data')] },
    'writeElf: segment 0 (.text) and segment 1 (.data) share the page 0x400000 but have different permissions (rx and rw); start .data on a new 4 KiB page');
  writeRejects({ entry: 0x400000n, segments: [seg(0x400000n, 'rx', '.text'), seg(0x410000n, 'rw', '.data', text, 0x20n), seg(0x410100n, 'rw', '.more')] },
    'writeElf: segment 1 (.data) has a zero-filled tail and shares the page 0x410000 with segment 2 (.more); start .more on a new 4 KiB page');
  writeRejects({ entry: 0x410000n, segments: [seg(0x400000n, 'rx', '.text'), seg(0x410000n, 'rw', '.data')] },
    "writeElf: entry point 0x410000 is not inside an executable ('rx') segment");
  writeRejects({ entry: 0x400000n, segments: [seg(0x400000n, 'rx', '.text', text, 4n)] },
    'writeElf: segment 0 (.text): memsz 0x4 is smaller than the data (0xc bytes)');
  writeRejects({ entry: 0x400002n, segments: [seg(0x400002n, 'rx', '.text')] },
    'writeElf: segment 0 (.text): executable segment address 0x400002 is not 4-byte aligned');
  writeRejects({ entry: 0x400000n, segments: [seg(0xfffffffff000n, 'rx', '.text', text, 0x2000n)] },
    'writeElf: segment 0 (.text): [0xfffffffff000, +0x2000) is outside the 48-bit user address space');
  writeRejects({ entry: 0x400000n, segments: [seg(0x400000n, 'rwx' as 'rx', '.text')] },
    "writeElf: segment 0 (.text): flags must be 'rx', 'rw' or 'r', not 'rwx'");
  writeRejects({ entry: 0x400000n, segments: [] }, 'writeElf: no segments');
  const ok = { entry: 0x400000n, segments: [seg(0x400000n, 'rx', '.text'), seg(0x410000n, 'rw', '.data')] };
  writeRejects({ ...ok, symbols: [{ name: 'foo', value: 0x400000n, type: 'func', global: true, section: '.nope' }] },
    'writeElf: symbol 0 (foo): section .nope is not one of the segments (.text, .data)');
  writeRejects({ ...ok, symbols: [{ name: '_start', value: 0x400000n, type: 'func', global: true, section: '.text' }, { name: '_start', value: 0x400004n, type: 'func', global: true, section: '.text' }] },
    'writeElf: symbol 1 (_start): global symbol defined twice');
  writeRejects({ ...ok, lines: [{ address: 0x500000n, file: '/src/a.s', line: 3 }] },
    'writeElf: line entry 0 (/src/a.s:3): address 0x500000 is not inside the data of any segment');
  writeRejects({ ...ok, lines: [{ address: 0x400000n, file: '/src/a.s', line: 0 }] },
    'writeElf: line entry 0 (/src/a.s:0): line must be a positive integer');
  writeRejects({ ...ok, name: 'out.elf', lines: [{ address: 0x400000n, file: '/src/a.s', line: 2, column: -1 }] },
    'out.elf: line entry 0 (/src/a.s:2): column must be a non-negative integer');
});

// Walks its auxv (from the initial sp) to AT_PHDR and exits with 0 when it points at the program
// header table of its own, mapped, image: p_type of entry 0 is PT_LOAD and the ELF magic sits 64
// bytes below (e_phoff). 1: no AT_PHDR or 0; 2: not a PT_LOAD there; 3: no ELF header below it.
const PHDR_PROBE = `
        .text
        .global _start
_start: ldr     x0, [sp]                // argc
        add     x1, sp, #8
        add     x1, x1, x0, lsl #3
        add     x1, x1, #8              // envp
1:      ldr     x2, [x1], #8
        cbnz    x2, 1b                  // skip envp up to its NULL
2:      ldp     x2, x3, [x1], #16       // auxv pairs
        cbz     x2, fail1
        cmp     x2, #3                  // AT_PHDR
        b.ne    2b
        cbz     x3, fail1
        ldr     w4, [x3]
        cmp     w4, #1
        b.ne    fail2
        ldur    w4, [x3, #-64]
        movz    w5, #0x457f
        movk    w5, #0x464c, lsl #16
        cmp     w4, w5
        b.ne    fail3
        mov     x0, #0
        b       out
fail1:  mov     x0, #1
        b       out
fail2:  mov     x0, #2
        b       out
fail3:  mov     x0, #3
out:    mov     x8, #93
        svc     #0
        .data
        .quad   1
`;

test('AT_PHDR of `tagvisor asm` output points at the mapped program headers (our runtime and qemu)', () => {
  const bytes = buildAsm(PHDR_PROBE, 'phdr.s');
  const elf = parseElf(bytes, 'phdr');
  assert.equal(elf.loadSegments[0].offset, 0);
  const p = LinuxProcess.fromBytes(bytes, { path: '/t/phdr', hostFs: null });
  const at = p.stack.auxv.find(([k]) => k === 3)![1];
  assert.equal(at, Number(elf.loadSegments[0].vaddr) + 64);
  assert.deepEqual(p.peekBytes(BigInt(at), 56 * elf.header.phnum), bytes.subarray(64, 64 + 56 * elf.header.phnum));
  const r = p.run(10_000);
  assert.deepEqual(r.reason === 'exit' && [r.status.code, r.status.signal], [0, null]);
  if (haveTool(QEMU)) assert.equal(run(QEMU, [save(bytes, 'phdr')]).status, 0);
});

test('headers stay unmapped when the first segment is writable or too low (AT_PHDR 0, as Linux reports then)', () => {
  const code = words([A.movz(0, 0), A.movz(8, 93), A.svc0]);
  for (const segments of [
    [{ vaddr: 0x10000n, data: code, flags: 'rx' as const, name: '.text' }],
    [{ vaddr: 0x400000n, data: new Uint8Array(8), flags: 'rw' as const, name: '.data' }, { vaddr: 0x401000n, data: code, flags: 'rx' as const, name: '.text' }],
  ]) {
    const bytes = writeElf({ entry: segments.find(s => s.flags === 'rx')!.vaddr, segments });
    const elf = parseElf(bytes, 'low');
    assert.deepEqual(elf.loadSegments.map(s => s.vaddr), segments.map(s => s.vaddr));
    assert.ok(elf.loadSegments.every(s => s.offset > 0));
    const p = LinuxProcess.fromBytes(bytes, { path: '/t/low', hostFs: null });
    assert.equal(p.stack.auxv.find(([k]) => k === 3)![1], 0);
    const r = p.run(100);
    assert.deepEqual(r.reason === 'exit' && r.status.code, 0);
  }
});
