// Validation of malformed ELF files: each case asserts the exact message, which must name the place.
// Plus a mutation fuzz check: damaged files only ever produce ElfError, never a RangeError/TypeError.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElfError, parseElf, writeElf, type WriteElfInput } from '../../emulator/elf/index';
import { missingTools, run, runOk, tmpDir } from '../tools';

const text = new Uint8Array(new Uint32Array([0xd2800540, 0xd2800ba8, 0xd4000001]).buffer);
const INPUT: WriteElfInput = {
  entry: 0x400000n,
  segments: [
    { vaddr: 0x400000n, data: text, flags: 'rx', name: '.text' },
    { vaddr: 0x410000n, data: new Uint8Array([7, 0, 0, 0]), flags: 'rw', name: '.data' },
    { vaddr: 0x411000n, data: new Uint8Array(0), memsz: 0x100n, flags: 'rw', name: '.bss' },
  ],
  symbols: [
    { name: '_start', value: 0x400000n, size: 12, type: 'func', global: true, section: '.text' },
    { name: 'exit_call', value: 0x400004n, type: 'notype', global: false, section: '.text' },
    { name: 'val', value: 0x410000n, size: 4, type: 'object', global: true, section: '.data' },
  ],
  lines: [
    { address: 0x400000n, file: '/src/prog.s', line: 3 },
    { address: 0x400004n, file: '/src/prog.s', line: 4 },
    { address: 0x400008n, file: '/src/prog.s', line: 5 },
  ],
};
const BASE = writeElf(INPUT);
const base = parseElf(BASE, 'prog.elf');
const SHOFF = base.header.shoff;
const SIZE = BASE.length;
const hex = (n: number) => '0x' + n.toString(16);

// Layout facts the cases below rely on.
test('the base file has the expected layout', () => {
  assert.deepEqual(base.programHeaders.map(p => [p.typeName, p.offset, p.vaddr]), [
    // The first PT_LOAD also maps the ELF and program headers (file offset 0), as ld does.
    ['PT_LOAD', 0, 0x3ff000n], ['PT_LOAD', 0x2000, 0x410000n], ['PT_LOAD', 0x2000, 0x411000n], ['PT_GNU_STACK', 0, 0n],
  ]);
  assert.deepEqual(base.sections.map(s => s.name), ['', '.text', '.data', '.bss', '.debug_abbrev', '.debug_info',
    '.debug_aranges', '.debug_line', '.debug_line_str', '.symtab', '.strtab', '.shstrtab']);
  assert.equal(base.header.phoff, 64);
});

function mutate(f: (v: DataView, b: Uint8Array) => void, bytes: Uint8Array = BASE): Uint8Array {
  const b = bytes.slice();
  f(new DataView(b.buffer), b);
  return b;
}
const ph = (i: number, field: number) => 64 + i * 56 + field; // p_type 0, p_flags 4, p_offset 8, p_vaddr 16, p_filesz 32, p_memsz 40, p_align 48
const sh = (i: number, field: number) => SHOFF + i * 64 + field; // sh_name 0, sh_offset 24, sh_size 32, sh_entsize 56

function rejects(bytes: Uint8Array, message: string): void {
  assert.throws(() => parseElf(bytes, 'prog.elf'), (e: unknown) => {
    assert.ok(e instanceof ElfError, `expected ElfError, got ${String(e)}`);
    assert.equal(e.message, message);
    assert.equal(e.file, 'prog.elf');
    return true;
  });
}

const cases: [string, Uint8Array, string][] = [
  ['empty file', new Uint8Array(0), 'prog.elf: not an ELF file: the file is empty'],
  ['bad magic', mutate((_, b) => b.set([0x4d, 0x5a, 0x90, 0x00], 0)), 'prog.elf: not an ELF file: bad magic bytes 4d 5a 90 00 (expected 7f 45 4c 46)'],
  ['shorter than the magic', BASE.slice(0, 2), 'prog.elf: not an ELF file: bad magic bytes 7f 45 (expected 7f 45 4c 46)'],
  ['32-bit', mutate((_, b) => { b[4] = 1; }), 'prog.elf: 32-bit ELF (ELFCLASS32) is not supported: only ELF64 AArch64 executables can be loaded'],
  ['invalid class', mutate((_, b) => { b[4] = 9; }), 'prog.elf: invalid ELF class 9 in e_ident[EI_CLASS] (expected 2, ELFCLASS64)'],
  ['big-endian', mutate((_, b) => { b[5] = 2; }), 'prog.elf: big-endian ELF (ELFDATA2MSB) is not supported: AArch64 Linux executables are little-endian'],
  ['bad ident version', mutate((_, b) => { b[6] = 0; }), 'prog.elf: unsupported ELF version 0 in e_ident[EI_VERSION] (expected 1)'],
  ['truncated header', BASE.slice(0, 40), 'prog.elf: truncated ELF header: file is 40 bytes, an ELF64 header needs 64'],
  ['wrong machine (x86-64)', mutate(v => v.setUint16(18, 62, true)), 'prog.elf: wrong machine: e_machine is EM_X86_64 (62), expected EM_AARCH64 (183)'],
  ['wrong machine (unknown)', mutate(v => v.setUint16(18, 4242, true)), 'prog.elf: wrong machine: e_machine is machine 4242, expected EM_AARCH64 (183)'],
  ['relocatable object', mutate(v => v.setUint16(16, 1, true)), 'prog.elf: e_type is ET_REL (relocatable object: link it first): only static executables (ET_EXEC, or static-pie ET_DYN) are supported'],
  ['core dump', mutate(v => v.setUint16(16, 4, true)), 'prog.elf: e_type is ET_CORE (core dump): only static executables (ET_EXEC, or static-pie ET_DYN) are supported'],
  ['no program headers', mutate(v => v.setUint16(56, 0, true)), 'prog.elf: no program headers (e_phnum is 0): nothing to load'],
  ['wrong e_phentsize', mutate(v => v.setUint16(54, 32, true)), 'prog.elf: e_phentsize is 32, expected 56'],
  ['truncated program header table', BASE.slice(0, 100), 'prog.elf: truncated program header table: 4 entries of 56 bytes at [0x40, +0xe0) extend past end of file (size 0x64)'],
  ['program header table offset past the end', mutate(v => v.setBigUint64(32, 0x100000n, true)), `prog.elf: truncated program header table: 4 entries of 56 bytes at [0x100000, +0xe0) extend past end of file (size ${hex(SIZE)})`],
  ['truncated section header table', BASE.slice(0, SIZE - 10), `prog.elf: truncated section header table: 12 entries of 64 bytes at [${hex(SHOFF)}, +0x300) extend past end of file (size ${hex(SIZE - 10)})`],
  ['wrong e_shentsize', mutate(v => v.setUint16(58, 40, true)), 'prog.elf: e_shentsize is 40, expected 64'],
  ['segment past end of file', mutate(v => { v.setBigUint64(ph(1, 32), 0x10000n, true); v.setBigUint64(ph(1, 40), 0x10000n, true); }),
    `prog.elf: program header 1 (PT_LOAD at 0x410000): file bytes [0x2000, +0x10000) extend past end of file (size ${hex(SIZE)})`],
  ['file cut inside a segment', BASE.slice(0, 0x1008), 'prog.elf: program header 0 (PT_LOAD at 0x3ff000): file bytes [0x0, +0x100c) extend past end of file (size 0x1008)'],
  ['filesz > memsz', mutate(v => v.setBigUint64(ph(1, 40), 2n, true)), 'prog.elf: program header 1 (PT_LOAD at 0x410000): p_filesz 0x4 is larger than p_memsz 0x2'],
  ['overlapping PT_LOAD segments', mutate(v => v.setBigUint64(ph(0, 40), 0x11010n, true)),
    'prog.elf: program headers 0 and 1 (PT_LOAD): segments [0x3ff000, +0x11010) and [0x410000, +0x4) overlap'],
  ['PT_LOAD segments at the same address', mutate(v => v.setBigUint64(ph(2, 16), 0x410000n, true)),
    'prog.elf: program headers 1 and 2 (PT_LOAD): segments [0x410000, +0x4) and [0x410000, +0x100) overlap'],
  ['offset and vaddr not congruent', mutate(v => v.setBigUint64(ph(1, 8), 0x2004n, true)),
    'prog.elf: program header 1 (PT_LOAD at 0x410000): p_offset 0x2004 and p_vaddr 0x410000 are not congruent modulo p_align 0x1000'],
  ['alignment not a power of two', mutate(v => v.setBigUint64(ph(1, 48), 0x3000n, true)),
    'prog.elf: program header 1 (PT_LOAD at 0x410000): p_align 0x3000 is not a power of two'],
  ['segment beyond 48-bit user space', mutate(v => v.setBigUint64(ph(2, 16), 0xffff000000000000n, true)),
    'prog.elf: program header 2 (PT_LOAD at 0xffff000000000000): segment [0xffff000000000000, +0x100) is outside the 48-bit user address space'],
  ['segment wrapping around', mutate(v => { v.setBigUint64(ph(2, 16), 0xfffffffffffff000n, true); v.setBigUint64(ph(2, 40), 0x2000n, true); }),
    'prog.elf: program header 2 (PT_LOAD at 0xfffffffffffff000): segment [0xfffffffffffff000, +0x2000) wraps around the end of the address space'],
  ['dynamically linked (PT_INTERP)', mutate((v, b) => {
    b.set(new TextEncoder().encode('/lib/ld-linux-aarch64.so.1\0'), 0x200);
    v.setUint32(ph(3, 0), 3, true); v.setBigUint64(ph(3, 8), 0x200n, true); v.setBigUint64(ph(3, 16), 0x400200n, true);
    v.setBigUint64(ph(3, 32), 27n, true); v.setBigUint64(ph(3, 40), 27n, true);
  }), 'prog.elf: program header 3 (PT_INTERP at 0x400200): dynamically linked executable (interpreter /lib/ld-linux-aarch64.so.1): only static executables are supported'],
  ['no PT_LOAD', mutate(v => { for (const i of [0, 1, 2]) v.setUint32(ph(i, 0), 4, true); }), 'prog.elf: no PT_LOAD segment: nothing to load'],
  ['entry point outside executable code', mutate(v => v.setBigUint64(24, 0x410000n, true)),
    'prog.elf: entry point 0x410000 (e_entry) is not inside an executable PT_LOAD segment'],
  ['section past end of file', mutate(v => v.setBigUint64(sh(2, 32), 0x100000n, true)),
    `prog.elf: section 2 (.data): file bytes [0x2000, +0x100000) extend past end of file (size ${hex(SIZE)})`],
  ['e_shstrndx out of range', mutate(v => v.setUint16(62, 99, true)), 'prog.elf: e_shstrndx 99 is out of range (12 section headers)'],
  ['e_shstrndx not a string table', mutate(v => v.setUint16(62, 1, true)), 'prog.elf: e_shstrndx 1 names a SHT_PROGBITS section, not a string table (SHT_STRTAB)'],
  ['section name offset out of range', mutate(v => v.setUint32(sh(3, 0), 0x5000, true)),
    `prog.elf: section 3: sh_name offset 0x5000 is outside section 11 (section name table) (size ${hex(base.sections[11].size)})`],
  ['unterminated section name table', mutate((v, b) => { const s = base.sections[11]; b[s.offset + s.size - 1] = 0x41; }),
    `prog.elf: section 11: sh_name at offset ${hex(base.sections[11].size - 10)} in section 11 (section name table) is not NUL-terminated`],
  ['symbol table with the wrong entry size', mutate(v => v.setBigUint64(sh(9, 56), 16n, true)), 'prog.elf: section 9 (.symtab): sh_entsize is 16, expected 24'],
  ['symbol table size not a multiple of 24', mutate(v => v.setBigUint64(sh(9, 32), BigInt(base.sections[9].size - 5), true)),
    `prog.elf: section 9 (.symtab): size ${hex(base.sections[9].size - 5)} is not a multiple of the symbol size 24`],
  ['symbol table linked to a non-string table', mutate(v => v.setUint32(sh(9, 40), 2, true)), 'prog.elf: section 9 (.symtab): sh_link 2 does not name a string table'],
  ['symbol name offset out of range', mutate(v => v.setUint32(base.sections[9].offset + 2 * 24, 0xffff, true)),
    `prog.elf: symbol 2 in section 9 (.symtab): st_name offset 0xffff is outside section 10 (.strtab) (size ${hex(base.sections[10].size)})`],
  ['symbol section index out of range', mutate(v => v.setUint16(base.sections[9].offset + 2 * 24 + 6, 77, true)),
    'prog.elf: symbol 2 (exit_call) in section 9 (.symtab): section index 77 is out of range (12 sections)'],
];

for (const [name, bytes, message] of cases) {
  test(`rejects: ${name}`, () => rejects(bytes, message));
}

test('accepts a static-pie (ET_DYN without PT_INTERP) and reports it', () => {
  const elf = parseElf(mutate(v => v.setUint16(16, 3, true)), 'pie.elf');
  assert.equal(elf.isPie, true);
  assert.equal(elf.header.typeName, 'ET_DYN');
});

test('extended section numbering (e_shnum = 0, count in section 0)', () => {
  const elf = parseElf(mutate(v => { v.setUint16(60, 0, true); v.setBigUint64(sh(0, 32), 12n, true); }), 'x.elf');
  assert.equal(elf.sections.length, 12);
  assert.equal(elf.sections[11].name, '.shstrtab');
});

test('round trip of the base file: segments, sections, symbols, lines, symbolize', () => {
  assert.equal(base.entry, 0x400000n);
  assert.deepEqual(base.loadSegments.map(p => [p.vaddr, p.filesz, p.memsz, p.flags]), [[0x3ff000n, 0x100c, 0x100cn, 5], [0x410000n, 4, 4n, 6], [0x411000n, 0, 0x100n, 6]]);
  const first = base.segmentData(base.loadSegments[0]);
  assert.deepEqual([...first.subarray(0, 64 + 4 * 56)], [...BASE.subarray(0, 64 + 4 * 56)], 'ELF and program headers mapped at 0x3ff000');
  assert.deepEqual([...first.subarray(0x1000)], [...text]);
  assert.deepEqual(base.symbols.map(s => [s.name, s.value, s.type, s.bind, s.section]), [
    ['', 0, 'notype', 'local', undefined], ['prog.s', 0, 'file', 'local', undefined],
    ['exit_call', 0x400004, 'notype', 'local', '.text'], ['_start', 0x400000, 'func', 'global', '.text'], ['val', 0x410000, 'object', 'global', '.data'],
  ]);
  assert.equal(base.symbolize(0x400008)?.label, 'exit_call+0x4');
  assert.equal(base.symbolize(0x400000)?.label, '_start');
  assert.equal(base.symbolize(0x3fffff), undefined);
  for (const bad of [-1, 1.5, NaN, 2 ** 60, -1n, 1n << 64n]) assert.equal(base.symbolize(bad), undefined, String(bad));
  assert.equal(base.symbolize(0x400004n)?.label, 'exit_call');
  assert.equal(base.symbolize(0x410000), undefined, 'data addresses have no code symbol');
  assert.equal(base.objectAt(0x410002)?.label, 'val+0x2');
  assert.equal(base.objectAt(0x410004), undefined);
  const lt = base.lineTable!;
  assert.deepEqual(lt.rows.map(r => [r.address, r.file, r.line, r.endSequence]), [
    [0x400000, '/src/prog.s', 3, false], [0x400004, '/src/prog.s', 4, false], [0x400008, '/src/prog.s', 5, false], [0x40000c, '/src/prog.s', 5, true],
  ]);
  assert.equal(lt.addressToLine(0x400005)?.line, 4);
  assert.equal(lt.addressToLine(0x40000c), undefined);
  assert.deepEqual(lt.lineToAddresses('prog.s', 5), [0x400008]);
  assert.deepEqual(base.breakpointLocations('/elsewhere/prog.s', 1), { file: '/src/prog.s', line: 3, addresses: [0x400000] });
});

test('real tools: an object file and a dynamically linked executable are rejected', { skip: missingTools('aarch64-linux-gnu-gcc') }, () => {
  const dir = tmpDir();
  writeFileSync(join(dir, 'm.c'), 'int main(void) { return 0; }\n');
  runOk('aarch64-linux-gnu-gcc', ['-c', 'm.c', '-o', 'm.o'], { cwd: dir });
  rejects(readFileSync(join(dir, 'm.o')), 'prog.elf: e_type is ET_REL (relocatable object: link it first): only static executables (ET_EXEC, or static-pie ET_DYN) are supported');
  const dyn = run('aarch64-linux-gnu-gcc', ['-no-pie', 'm.c', '-o', 'm.dyn'], { cwd: dir });
  assert.equal(dyn.status, 0, dyn.stderr);
  assert.throws(() => parseElf(readFileSync(join(dir, 'm.dyn')), 'm.dyn'),
    /^ElfError: m\.dyn: program header 1 \(PT_INTERP at 0x[0-9a-f]+\): dynamically linked executable \(interpreter \/lib\/ld-linux-aarch64\.so\.1\): only static executables are supported$/);
  const pie = run('aarch64-linux-gnu-gcc', ['-static-pie', 'm.c', '-o', 'm.spie'], { cwd: dir });
  if (pie.status === 0) {
    const e = parseElf(readFileSync(join(dir, 'm.spie')), 'm.spie');
    assert.equal(e.isPie, true);
    assert.equal(e.symbol('main')?.type, 'func');
  }
});

test('damaged files fail with ElfError only (mutation fuzz)', () => {
  // Deterministic xorshift PRNG.
  let seed = 0x9e3779b9;
  const rnd = (n: number) => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n; };
  const regions = [[0, 0x120], [SHOFF, SIZE], ...base.sections.filter(s => s.name.startsWith('.debug') || s.name === '.symtab').map(s => [s.offset, s.offset + s.size])];
  let accepted = 0, rejected = 0;
  for (let iter = 0; iter < 3000; iter++) {
    let b: Uint8Array;
    if (iter % 10 === 0) b = BASE.slice(0, rnd(SIZE));
    else {
      b = BASE.slice();
      const [lo, hi] = regions[rnd(regions.length)];
      for (let k = 1 + rnd(4); k > 0; k--) b[lo + rnd(hi - lo)] = rnd(256);
    }
    try {
      const e = parseElf(b, 'fuzz.elf');
      const lt = e.lineTable;
      lt?.addressToLine(0x400004);
      lt?.lineToAddresses('prog.s', 4);
      e.symbolize(0x400004);
      e.objectAt(0x410000);
      e.breakpointLocations('prog.s', 1);
      accepted++;
    } catch (err) {
      if (!(err instanceof ElfError)) throw new Error(`iteration ${iter}: ${String(err)}`);
      assert.match(err.message, /^fuzz\.elf: /);
      rejected++;
    }
  }
  assert.ok(accepted > 100 && rejected > 100, `accepted ${accepted}, rejected ${rejected}`);
});
