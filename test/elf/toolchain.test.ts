// Differential tests: static binaries built by gcc and clang (DWARF 2 to 5) are parsed by our reader
// and compared with readelf, nm, objdump --dwarf=decodedline, objdump -d, llvm-dwarfdump and
// llvm-symbolizer.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { haveTool, runOk, tmpDir } from '../tools';
import { VARIANTS, build, missingCompiler, writeSources, type Variant } from './toolchain';
import {
  parseElf, type ElfFile, type ElfSymbol, type LineRow, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE,
  SHN_ABS, SHN_COMMON, SHN_UNDEF, SHT_NOBITS,
} from '../../emulator/elf/index';

const READELF = 'aarch64-linux-gnu-readelf', NM = 'aarch64-linux-gnu-nm', OBJDUMP = 'aarch64-linux-gnu-objdump';
const OUR_SOURCES = ['main.c', 'lib/util.c', 'inc/util.h', 'asm3.S'];

let srcDir: string | undefined;
function sourceDir(): string {
  if (!srcDir) { srcDir = tmpDir('tagvisor-elf-'); writeSources(srcDir); }
  return srcDir;
}

function skipReason(v: Variant, ...tools: string[]): string | false {
  const m = missingCompiler(v);
  if (m) return m;
  const missing = tools.filter(t => !haveTool(t));
  return missing.length ? `not installed: ${missing.join(', ')}` : false;
}

const isMapping = (n: string) => /^\$[xdat](\..*)?$/.test(n);

/** The letter `nm` prints for a symbol (BFD's classification). */
function nmLetter(s: ElfSymbol, elf: ElfFile): string {
  if (s.type === 'ifunc') return 'i';
  if (s.bind === 'unique') return 'u';
  if (s.shndx === SHN_UNDEF) return s.bind === 'weak' ? (s.type === 'object' ? 'v' : 'w') : 'U';
  if (s.bind === 'weak') return s.type === 'object' || s.type === 'tls' ? 'V' : 'W';
  let c: string;
  if (s.shndx === SHN_ABS) c = 'a';
  else if (s.shndx === SHN_COMMON) c = 'c';
  else {
    const sec = elf.sections[s.shndx];
    if (!(sec.flags & SHF_ALLOC)) c = 'n';
    else if (sec.type === SHT_NOBITS) c = 'b';
    else if (sec.flags & SHF_EXECINSTR) c = 't';
    else if (sec.flags & SHF_WRITE) c = 'd';
    else c = 'r';
  }
  return s.bind === 'local' ? c : c.toUpperCase();
}

for (const v of VARIANTS) {
  describe(`ELF reader vs binutils/LLVM: ${v.label}`, { skip: skipReason(v, READELF, NM, OBJDUMP) }, () => {
    let exe = '';
    let elf: ElfFile;
    before(() => {
      exe = build(sourceDir(), v, `prog-${v.compiler}-${v.flags.join('')}`);
      elf = parseElf(readFileSync(exe), exe);
    });

    it('header, program headers and sections match readelf', () => {
      const h = runOk(READELF, ['-h', '-l', '-S', '-W', exe]).stdout;
      assert.equal(elf.header.entry, BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(h)![1]));
      assert.equal(elf.header.typeName, 'ET_EXEC');
      const phdrs = [...h.matchAll(/^\s+([A-Z_0-9+x]+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) ([RWE ]{3}) (0x[0-9a-f]+|0)$/gm)];
      assert.equal(phdrs.length, elf.programHeaders.length);
      phdrs.forEach((m, i) => {
        const p = elf.programHeaders[i];
        const flags = (m[7][0] === 'R' ? 4 : 0) | (m[7][1] === 'W' ? 2 : 0) | (m[7][2] === 'E' ? 1 : 0);
        assert.deepEqual(
          [p.typeName, p.offset, p.vaddr, p.paddr, p.filesz, p.memsz, p.flags, p.align],
          ['PT_' + m[1], parseInt(m[2], 16), BigInt('0x' + m[3]), BigInt('0x' + m[4]), parseInt(m[5], 16), BigInt('0x' + m[6]), flags, BigInt(m[8])],
          `program header ${i}`);
      });
      const secs = [...h.matchAll(/^\s*\[\s*(\d+)\] (\S+)\s+(\S+)\s+([0-9a-f]{16}) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]{2})\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)$/gm)];
      assert.equal(secs.length, elf.sections.length - 1, 'section count');
      for (const m of secs) {
        const s = elf.sections[Number(m[1])];
        assert.deepEqual(
          [s.name, s.typeName.replace(/^SHT_/, ''), s.addr, s.offset, s.size, s.entsize, s.link, s.info, s.addralign],
          [m[2], m[3], BigInt('0x' + m[4]), parseInt(m[5], 16), parseInt(m[6], 16), parseInt(m[7], 16), Number(m[9]), Number(m[10]), Number(m[11])],
          `section ${m[1]}`);
      }
    });

    it('symbols match readelf -s', () => {
      // readelf prints local STT_GNU_IFUNC symbols as "<OS specific>: 10".
      const out = runOk(READELF, ['-s', '-W', exe]).stdout.replaceAll('<OS specific>: 10', 'IFUNC');
      const rows = [...out.matchAll(/^\s*(\d+): ([0-9a-f]{16})\s+(\d+|0x[0-9a-f]+) (\S+)\s+(\S+)\s+(\S+)\s+(\S+) ?(.*)$/gm)];
      assert.equal(elf.symbolTable, '.symtab');
      assert.equal(rows.length, elf.symbols.length);
      assert.ok(rows.length > 1000, 'a static glibc binary has many symbols');
      const ndx = (s: ElfSymbol) => s.shndx === SHN_UNDEF ? 'UND' : s.shndx === SHN_ABS ? 'ABS' : s.shndx === SHN_COMMON ? 'COM' : String(s.shndx);
      for (const m of rows) {
        const s = elf.symbols[Number(m[1])];
        assert.deepEqual(
          // readelf shows a section symbol (which has no name of its own) with its section's name.
          [s.value64, s.size, s.type.toUpperCase(), s.bind.toUpperCase(), s.visibility.toUpperCase(), ndx(s), s.type === 'section' ? s.section : s.name],
          [BigInt('0x' + m[2]), Number(m[3]), m[4], m[5], m[6], m[7], m[8]],
          `symbol ${m[1]}`);
      }
    });

    it('symbols match nm (names, addresses, classes)', () => {
      const out = runOk(NM, [exe]).stdout;
      const theirs = out.split('\n').filter(Boolean).map(l => {
        const m = /^([0-9a-f]{16})? +(\S) (.*)$/.exec(l);
        assert.ok(m, `unparsed nm line: ${l}`);
        return `${m[1] ?? ''.padStart(16)} ${m[2]} ${m[3]}`;
      }).sort();
      const ours = elf.symbols
        .filter(s => s.index > 0 && s.type !== 'section' && s.type !== 'file' && !isMapping(s.name))
        .map(s => `${s.shndx === SHN_UNDEF ? ''.padStart(16) : s.value.toString(16).padStart(16, '0')} ${nmLetter(s, elf)} ${s.name}`)
        .sort();
      assert.deepEqual(ours, theirs);
      const main = elf.symbol('main')!;
      assert.equal(main.type, 'func');
      assert.equal(main.bind, 'global');
      assert.equal(elf.symbol('counter')!.type, 'object');
      assert.equal(elf.symbol('asm_add3')!.section, '.text');
    });

    it('line rows match objdump --dwarf=decodedline', () => {
      const out = runOk(OBJDUMP, ['--dwarf=decodedline', '-w', exe]).stdout;
      const theirs = [...out.matchAll(/^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)(?:[ \t]+\d+)?[ \t]*(x?)[ \t]*$/gm)]
        .map(m => `${posix.basename(m[1])} ${m[2]} ${m[3]}${m[2] === '-' ? '' : m[4] ? ' stmt' : ''}`);
      const lt = elf.lineTable!;
      assert.ok(lt, 'has a line table');
      const ours = lt.rows.map(r => `${posix.basename(r.file)} ${r.endSequence ? '-' : r.line} 0x${r.address.toString(16)}${r.endSequence ? '' : r.isStmt ? ' stmt' : ''}`);
      assert.ok(theirs.length > 20, 'objdump printed rows');
      assert.deepEqual(ours, theirs);
    });

    it('line rows match llvm-dwarfdump (columns, flags, discriminators)', { skip: haveTool('llvm-dwarfdump') ? false : 'not installed: llvm-dwarfdump' }, () => {
      const out = runOk('llvm-dwarfdump', ['--debug-line', exe]).stdout;
      const theirs = [...out.matchAll(/^0x([0-9a-f]{16})[ \t]+(\d+)[ \t]+(\d+)[ \t]+(\d+)[ \t]+(\d+)[ \t]+(\d+)[ \t]*(.*)$/gm)].map(m => {
        const flags = m[7].split(/\s+/);
        return [parseInt(m[1], 16), Number(m[2]), Number(m[3]), Number(m[6]), flags.includes('is_stmt'), flags.includes('end_sequence'), flags.includes('prologue_end')];
      });
      const ours = elf.lineTable!.rows.map(r => [r.address, r.line, r.column, r.discriminator, r.isStmt, r.endSequence, r.prologueEnd]);
      assert.deepEqual(ours, theirs);
    });

    it('file names are full paths (DWARF 5 directory tables, DW_AT_comp_dir for DWARF 2-4)', () => {
      const lt = elf.lineTable!;
      const expected = new Set(OUR_SOURCES.map(s => join(sourceDir(), s)));
      const used = new Set(lt.rows.map(r => r.file));
      for (const s of OUR_SOURCES) assert.ok(used.has(join(sourceDir(), s)), `rows for ${s} as ${join(sourceDir(), s)}; have ${[...used].join(', ')}`);
      for (const f of used) if (OUR_SOURCES.some(s => posix.basename(s) === posix.basename(f))) assert.ok(expected.has(f), f);
      for (const f of lt.files) assert.ok(f.startsWith('/'), `absolute: ${f}`);
      assert.deepEqual(lt.warnings, []);
    });

    it('addressToLine matches llvm-symbolizer', { skip: haveTool('llvm-symbolizer') ? false : 'not installed: llvm-symbolizer' }, () => {
      const lt = elf.lineTable!;
      const addrs = new Set<number>();
      for (const seq of lt.sequences) {
        for (const r of seq.rows) { addrs.add(r.address); addrs.add(r.address + 2); }
        addrs.add(seq.start - 4);
      }
      const list = [...addrs].sort((a, b) => a - b);
      const out = runOk('llvm-symbolizer', [`--obj=${exe}`, '--no-inlines', '--output-style=JSON'], { input: list.map(a => '0x' + a.toString(16)).join('\n') + '\n' }).stdout;
      const results = out.split('\n').filter(Boolean).map(l => JSON.parse(l) as { Address: string; Symbol: { FileName: string; Line: number; Column: number }[] });
      assert.equal(results.length, list.length);
      let found = 0;
      results.forEach((res, i) => {
        const addr = list[i];
        assert.equal(parseInt(res.Address, 16), addr);
        const want = res.Symbol[0];
        const got: LineRow | undefined = lt.addressToLine(addr);
        if (want.FileName === '' || (want.Line === 0 && got === undefined)) {
          // No row covers it (LLVM may still name the compile unit whose ranges contain it, with line 0).
          assert.equal(got, undefined, `0x${addr.toString(16)} has no line`);
        } else {
          found++;
          assert.deepEqual(got && [got.file, got.line, got.column], [posix.normalize(want.FileName), want.Line, want.Column], `0x${addr.toString(16)}`);
        }
      });
      assert.ok(found > 20);
    });

    it('symbolize agrees with the <sym+off> annotations of objdump -d', () => {
      const out = runOk(OBJDUMP, ['-d', '--no-show-raw-insn', exe]).stdout;
      const byName = new Map<string, ElfSymbol[]>();
      for (const s of elf.symbols) {
        const n = s.type === 'section' ? s.section! : s.name;
        byName.set(n, [...(byName.get(n) ?? []), s]);
      }
      const segs = elf.loadSegments.map(p => [Number(p.vaddr), Number(p.vaddr + p.memsz)]);
      let checked = 0;
      for (const m of out.matchAll(/([0-9a-f]+) <([^>+]+)(?:\+0x([0-9a-f]+))?>/g)) {
        const addr = parseInt(m[1], 16), name = m[2], off = m[3] ? parseInt(m[3], 16) : 0;
        // objdump also uses object and section symbols, or a bare section name (lld's .iplt has no
        // symbol at all); symbolize() only uses code labels.
        const theirs = (byName.get(name) ?? []).filter(s => s.value === addr - off);
        if (theirs.length === 0 && elf.sections.some(s => s.name === name && Number(s.addr) === addr - off)) continue;
        assert.ok(theirs.length > 0, `objdump's ${name} at 0x${(addr - off).toString(16)} is in our table`);
        if (!theirs.some(s => s.type === 'func' || s.type === 'notype' || s.type === 'ifunc')) continue;
        // Outside every segment (e.g. an adrp page base in a gap) symbolize() declines; objdump does not.
        if (!segs.some(([lo, hi]) => addr >= lo && addr < hi)) {
          assert.equal(elf.symbolize(addr), undefined);
          continue;
        }
        const ours = elf.symbolize(addr);
        assert.ok(ours, `symbolize 0x${m[1]} (objdump: ${m[2]})`);
        // Aliases at one address may be chosen differently; the symbol's address must agree.
        assert.equal(ours.offset, off, `0x${m[1]}: ours ${ours.label}, objdump ${name}+0x${off.toString(16)}`);
        checked++;
      }
      assert.ok(checked > 1000, `checked ${checked} annotations`);
      const main = elf.symbol('main')!;
      assert.equal(elf.symbolize(main.value + 4)!.label, 'main+0x4');
      assert.equal(elf.symbolize(BigInt(main.value))!.label, 'main');
    });

    it('lineToAddresses / breakpointLocations are consistent with the rows', () => {
      const lt = elf.lineTable!;
      const mainC = join(sourceDir(), 'main.c');
      for (const q of [mainC, 'main.c', '/some/other/checkout/main.c']) assert.deepEqual(lt.matchFiles(q), [mainC], q);
      // Every line that has an is_stmt row maps back to addresses whose rows carry that line.
      const stmtLines = new Map<string, Set<number>>();
      for (const seq of lt.sequences) for (const r of seq.rows) {
        if (r.endSequence || !r.isStmt || r.line === 0) continue;
        let s = stmtLines.get(r.file);
        if (!s) stmtLines.set(r.file, s = new Set());
        s.add(r.line);
      }
      let checked = 0;
      for (const [file, lines] of stmtLines) for (const line of lines) {
        const addrs = lt.lineToAddresses(file, line);
        assert.ok(addrs.length > 0, `${file}:${line}`);
        for (const a of addrs) {
          assert.ok(lt.rows.some(r => r.address === a && r.file === file && r.line === line && r.isStmt), `${file}:${line} at 0x${a.toString(16)}`);
        }
        checked++;
      }
      assert.ok(checked >= 8);
      // The printf line (a call no optimisation removes), and a blank line that moves to the next
      // line with code.
      const call = elf.breakpointLocations('main.c', 16)!;
      assert.equal(call.line, 16);
      assert.equal(call.file, mainC);
      assert.ok(call.addresses.length >= 1);
      for (const a of call.addresses) assert.equal(elf.symbolize(a)!.symbol.name, 'main');
      const blank = elf.breakpointLocations('main.c', 3)!; // blank line before `int counter`: no code until helper
      assert.ok(blank.line > 3);
      assert.equal(elf.breakpointLocations('nosuchfile.c', 1), undefined);
    });
  });
}
