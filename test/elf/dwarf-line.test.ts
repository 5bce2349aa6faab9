// Hand-built .debug_line units: header variants of DWARF 2-5 (32- and 64-bit), every opcode, the
// lookups, and malformed input with exact messages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfError, parseDebugLine, normalizePath, type DebugLineSections, type LineRow } from '../../emulator/elf/index';

/** Little-endian byte builder. */
class B {
  b: number[] = [];
  u8(...v: number[]) { for (const x of v) this.b.push(x & 0xff); return this; }
  u16(v: number) { return this.u8(v, v >> 8); }
  u32(v: number) { return this.u8(v, v >> 8, v >> 16, v >>> 24); }
  u64(v: bigint) { for (let i = 0n; i < 8n; i++) this.u8(Number((v >> (8n * i)) & 0xffn)); return this; }
  off(v: number, size: 4 | 8) { return size === 4 ? this.u32(v) : this.u64(BigInt(v)); }
  uleb(v: number) { do { let x = v & 0x7f; v = Math.floor(v / 128); if (v) x |= 0x80; this.u8(x); } while (v); return this; }
  sleb(v: number) { for (;;) { const x = v & 0x7f; v = Math.floor(v / 128); if ((v === 0 && !(x & 0x40)) || (v === -1 && (x & 0x40))) return this.u8(x); this.u8(x | 0x80); } }
  str(s: string) { for (const c of Buffer.from(s)) this.u8(c); return this.u8(0); }
  raw(x: B | number[]) { this.b.push(...(x instanceof B ? x.b : x)); return this; }
  get length() { return this.b.length; }
}

// Program helpers.
const P = {
  setAddress: (a: bigint) => new B().u8(0).uleb(9).u8(2).u64(a),
  end: () => new B().u8(0, 1, 1),
  copy: () => new B().u8(1),
  advancePc: (n: number) => new B().u8(2).uleb(n),
  advanceLine: (n: number) => new B().u8(3).sleb(n),
  setFile: (n: number) => new B().u8(4).uleb(n),
  setColumn: (n: number) => new B().u8(5).uleb(n),
  negateStmt: () => new B().u8(6),
  constAddPc: () => new B().u8(8),
  fixedAdvancePc: (n: number) => new B().u8(9).u16(n),
  prologueEnd: () => new B().u8(10),
  defineFile: (name: string, dir: number) => { const body = new B().u8(3).str(name).uleb(dir).uleb(0).uleb(0); return new B().u8(0).uleb(body.length).raw(body); },
  discriminator: (n: number) => new B().u8(0).uleb(1 + 1).u8(4).uleb(n),
  special: (addr: number, line: number, base = -5, range = 14, opBase = 13) => new B().u8((line - base) + range * addr + opBase),
  seq: (...parts: B[]) => { const b = new B(); for (const p of parts) b.raw(p); return b; },
};

interface UnitOptions {
  version: number;
  offsetSize?: 4 | 8;
  minInst?: number;
  maxOps?: number;
  defaultIsStmt?: boolean;
  opcodeLengths?: number[];
  /** Header tables after standard_opcode_lengths (directories and files), already encoded. */
  tables: B;
  program: B;
}

const STD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

/** Encodes one line table unit. */
function unit(o: UnitOptions): B {
  const os = o.offsetSize ?? 4;
  const afterHeaderLength = new B().u8(o.minInst ?? 1);
  if (o.version >= 4) afterHeaderLength.u8(o.maxOps ?? 1);
  const lengths = o.opcodeLengths ?? STD_LENGTHS;
  afterHeaderLength.u8(o.defaultIsStmt === false ? 0 : 1).u8(-5 & 0xff).u8(14).u8(lengths.length + 1).raw(lengths).raw(o.tables);
  const body = new B().u16(o.version);
  if (o.version >= 5) body.u8(8, 0);
  body.off(afterHeaderLength.length, os).raw(afterHeaderLength).raw(o.program);
  const u = new B();
  if (os === 8) u.u32(0xffffffff).u64(BigInt(body.length)); else u.u32(body.length);
  return u.raw(body);
}

/** DWARF 2-4 tables: include_directories and file_names ([name, dirIndex]). */
function v4Tables(dirs: string[], files: [string, number][]): B {
  const b = new B();
  for (const d of dirs) b.str(d);
  b.u8(0);
  for (const [n, d] of files) b.str(n).uleb(d).uleb(0).uleb(0);
  return b.u8(0);
}

const bytes = (...units: B[]) => Uint8Array.from(units.flatMap(u => u.b));
const parse = (s: DebugLineSections | Uint8Array, opts: Parameters<typeof parseDebugLine>[1] = {}) =>
  parseDebugLine(s instanceof Uint8Array ? { debugLine: s } : s, { file: 't.elf', ...opts });
const brief = (rows: readonly LineRow[]) => rows.map(r => [r.address, r.file, r.line, r.column, r.isStmt, r.endSequence]);

test('DWARF 2: include directories, comp dir, every standard opcode', () => {
  const program = P.seq(
    P.setAddress(0x1000n), P.setColumn(3), P.prologueEnd(), P.copy(),            // 0x1000 a.c:1:3
    P.special(4, 2),                                                             // 0x1004 a.c:3
    P.setFile(2), P.advanceLine(37), P.constAddPc(), P.copy(),                   // +17 -> 0x1015 inc/b.h:40
    P.negateStmt(), P.fixedAdvancePc(0x0b), P.special(0, -1),                    // 0x1020 b.h:39 !stmt
    P.advancePc(8), P.discriminator(5), P.negateStmt(), P.copy(),                // 0x1028 b.h:39 stmt disc 5
    P.advancePc(4), P.end(),                                                     // 0x102c end
  );
  const data = bytes(unit({ version: 2, tables: v4Tables(['inc', '/abs/dir'], [['a.c', 0], ['b.h', 1], ['c.h', 2]]), program }));
  const lt = parse({ debugLine: data, compDirs: new Map([[0, '/work/src']]) });
  assert.deepEqual(brief(lt.rows), [
    [0x1000, '/work/src/a.c', 1, 3, true, false],
    [0x1004, '/work/src/a.c', 3, 3, true, false],
    [0x1015, '/work/src/inc/b.h', 40, 3, true, false],
    [0x1020, '/work/src/inc/b.h', 39, 3, false, false],
    [0x1028, '/work/src/inc/b.h', 39, 3, true, false],
    [0x102c, '/work/src/inc/b.h', 39, 3, true, true],
  ]);
  assert.equal(lt.rows[0].prologueEnd, true);
  assert.equal(lt.rows[1].prologueEnd, false);
  assert.equal(lt.rows[4].discriminator, 5);
  assert.equal(lt.rows[5].discriminator, 0);
  assert.deepEqual(lt.units[0].files.map(f => f?.path), [undefined, '/work/src/a.c', '/work/src/inc/b.h', '/abs/dir/c.h']);
  assert.deepEqual(lt.units[0].directories, ['/work/src', '/work/src/inc', '/abs/dir']);
  assert.equal(lt.sequences.length, 1);
  assert.deepEqual([lt.sequences[0].start, lt.sequences[0].end], [0x1000, 0x102c]);
});

test('DWARF 3 without a known comp dir keeps relative names; DW_LNE_define_file adds a file', () => {
  const program = P.seq(
    P.setAddress(0x2000n), P.copy(),
    P.defineFile('/gen/extra.c', 0),
    P.setFile(2), P.special(4, 1), P.advancePc(4), P.end(),
  );
  const lt = parse(bytes(unit({ version: 3, tables: v4Tables(['sub'], [['m.c', 1]]), program })));
  assert.deepEqual(brief(lt.rows), [
    [0x2000, 'sub/m.c', 1, 0, true, false],
    [0x2004, '/gen/extra.c', 2, 0, true, false],
    [0x2008, '/gen/extra.c', 2, 0, true, true],
  ]);
});

test('DWARF 4: minimum_instruction_length 4, default_is_stmt 0, VLIW op_index', () => {
  const a = parse(bytes(unit({
    version: 4, minInst: 4, defaultIsStmt: false, tables: v4Tables([], [['x.s', 0]]),
    program: P.seq(P.setAddress(0x400000n), P.copy(), P.special(1, 1), P.advancePc(3), P.copy(), P.constAddPc(), P.copy(), P.end()),
  })));
  // special(1, 1) advances 1 instruction = 4 bytes; advance_pc(3) = 12 bytes; const_add_pc = 17 * 4.
  assert.deepEqual(brief(a.rows), [
    [0x400000, 'x.s', 1, 0, false, false], [0x400004, 'x.s', 2, 0, false, false],
    [0x400010, 'x.s', 2, 0, false, false], [0x400054, 'x.s', 2, 0, false, false], [0x400054, 'x.s', 2, 0, false, true],
  ]);
  const v = parse(bytes(unit({
    version: 4, minInst: 8, maxOps: 2, tables: v4Tables([], [['v.s', 0]]),
    program: P.seq(P.setAddress(0x1000n), P.advancePc(3), P.copy(), P.advancePc(1), P.copy(), P.end()),
  })));
  // op_index: 0 -> 3 ops = 1 bundle + op 1 (0x1008); +1 op = next bundle, op 0 (0x1010).
  assert.deepEqual(v.rows.map(r => r.address), [0x1008, 0x1010, 0x1010]);
});

test('64-bit DWARF unit (unit_length 0xffffffff) followed by a 32-bit one', () => {
  const u1 = unit({ version: 4, offsetSize: 8, tables: v4Tables([], [['w.c', 0]]), program: P.seq(P.setAddress(0x10n), P.copy(), P.advancePc(4), P.end()) });
  const u2 = unit({ version: 3, tables: v4Tables([], [['n.c', 0]]), program: P.seq(P.setAddress(0x20n), P.copy(), P.advancePc(4), P.end()) });
  const lt = parse(bytes(u1, u2));
  assert.deepEqual(lt.units.map(u => [u.offset, u.offsetSize, u.version]), [[0, 8, 4], [u1.length, 4, 3]]);
  assert.deepEqual(brief(lt.rows), [[0x10, 'w.c', 1, 0, true, false], [0x14, 'w.c', 1, 0, true, true], [0x20, 'n.c', 1, 0, true, false], [0x24, 'n.c', 1, 0, true, true]]);
  assert.equal(lt.addressToLine(0x22)?.file, 'n.c');
  assert.equal(lt.addressToLine(0x18), undefined);
});

/** DWARF 5 tables. */
function v5Tables(dirFormat: [number, number][], dirs: B[], fileFormat: [number, number][], files: B[]): B {
  const b = new B().u8(dirFormat.length);
  for (const [t, f] of dirFormat) b.uleb(t).uleb(f);
  b.uleb(dirs.length);
  for (const d of dirs) b.raw(d);
  b.u8(fileFormat.length);
  for (const [t, f] of fileFormat) b.uleb(t).uleb(f);
  b.uleb(files.length);
  for (const f of files) b.raw(f);
  return b;
}
const DW_LNCT_path = 1, DW_LNCT_directory_index = 2, DW_LNCT_timestamp = 3, DW_LNCT_MD5 = 5, DW_LNCT_LLVM_source = 0x2001;
const DW_FORM_string = 0x08, DW_FORM_line_strp = 0x1f, DW_FORM_strp = 0x0e, DW_FORM_udata = 0x0f, DW_FORM_data16 = 0x1e,
  DW_FORM_data1 = 0x0b, DW_FORM_data4 = 0x06, DW_FORM_block = 0x09;

test('DWARF 5: line_strp / string / strp paths, MD5, directory index forms, vendor content skipped', () => {
  const lineStr = new B().str('/build').str('include').str('main.c');
  const debugStr = new B().str('junk').str('gen.c');
  const md5 = Array.from({ length: 16 }, (_, i) => i * 17);
  const tables = v5Tables(
    [[DW_LNCT_path, DW_FORM_line_strp]],
    [new B().u32(0), new B().u32(7)],
    [[DW_LNCT_path, DW_FORM_line_strp], [DW_LNCT_directory_index, DW_FORM_udata], [DW_LNCT_MD5, DW_FORM_data16], [DW_LNCT_LLVM_source, DW_FORM_string], [DW_LNCT_timestamp, DW_FORM_block]],
    [
      new B().u32(15).uleb(0).raw(md5).str('int main() {}').uleb(3).u8(1, 2, 3),
      new B().u32(15).uleb(0).raw(md5).str('').uleb(0),
      new B().u32(15).uleb(1).raw(md5).str('').uleb(0),
    ],
  );
  const program = P.seq(P.setAddress(0x400100n), P.setFile(0), P.copy(), P.setFile(2), P.special(8, 2), P.advancePc(4), P.end());
  const lt = parse({ debugLine: bytes(unit({ version: 5, tables, program })), debugLineStr: Uint8Array.from(lineStr.b) });
  assert.deepEqual(lt.units[0].directories, ['/build', '/build/include']);
  assert.deepEqual(lt.units[0].files.map(f => f!.path), ['/build/main.c', '/build/main.c', '/build/include/main.c']);
  assert.equal(lt.units[0].files[0]!.md5, '00112233445566778899aabbccddeeff');
  assert.deepEqual(brief(lt.rows), [
    [0x400100, '/build/main.c', 1, 0, true, false], [0x400108, '/build/include/main.c', 3, 0, true, false], [0x40010c, '/build/include/main.c', 3, 0, true, true],
  ]);

  // DW_FORM_string directories, DW_FORM_strp file names, data1 directory index, absolute file name.
  const t2 = v5Tables(
    [[DW_LNCT_path, DW_FORM_string]], [new B().str('/c/dir'), new B().str('../other')],
    [[DW_LNCT_path, DW_FORM_strp], [DW_LNCT_directory_index, DW_FORM_data1]],
    [new B().u32(5).u8(1), new B().u32(0).u8(0)],
  );
  const lt2 = parse({ debugLine: bytes(unit({ version: 5, tables: t2, program: P.seq(P.setAddress(0n), P.copy(), P.end()) })), debugStr: Uint8Array.from(debugStr.b) });
  assert.deepEqual(lt2.units[0].files.map(f => f!.path), ['/c/other/gen.c', '/c/dir/junk']);
});

test('unknown standard opcodes are skipped using standard_opcode_lengths', () => {
  // opcode_base 15: opcodes 13 (2 operands) and 14 (0 operands) are unknown to the parser.
  const program = P.seq(P.setAddress(0x100n), new B().u8(13).uleb(300).uleb(7), new B().u8(14), P.copy(), P.special(4, 1, -5, 14, 15), P.end());
  const lt = parse(bytes(unit({ version: 4, opcodeLengths: [...STD_LENGTHS, 2, 0], tables: v4Tables([], [['u.c', 0]]), program })));
  assert.deepEqual(lt.rows.map(r => [r.address, r.line]), [[0x100, 1], [0x104, 2], [0x104, 2]]);
});

test('unaddressable (tombstoned) sequences are dropped; keepSequence filters lookups only', () => {
  const u = unit({
    version: 4, tables: v4Tables([], [['t.c', 0]]),
    program: P.seq(
      P.setAddress(0xffffffffffffffffn), P.copy(), P.advancePc(4), P.end(),
      P.setAddress(0n), P.advanceLine(9), P.copy(), P.advancePc(8), P.end(),
      P.setAddress(0x400000n), P.advanceLine(19), P.copy(), P.advancePc(8), P.end(),
    ),
  });
  const warnings: string[] = [];
  const lt = parse(bytes(u), { warnings, keepSequence: start => start >= 0x400000 });
  assert.deepEqual(lt.rows.map(r => [r.address, r.line]), [[0, 10], [8, 10], [0x400000, 20], [0x400008, 20]]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^\.debug_line\+0x[0-9a-f]+: sequence at 0xffffffffffffffff is not addressable \(discarded code\); its rows are dropped$/);
  assert.equal(lt.allSequences.length, 2);
  assert.equal(lt.sequences.length, 1);
  assert.equal(lt.addressToLine(4), undefined);
  assert.equal(lt.addressToLine(0x400004)?.line, 20);
  assert.deepEqual(lt.lineToAddresses('t.c', 10), []);
});

test('lookups: last row per address, gaps, is_stmt entries, basename matching, next line with code', () => {
  const tables = v4Tables(['/p/a', '/p/b', '/q/b'], [['util.c', 1], ['util.c', 2], ['main.c', 3], ['util.c', 3]]);
  const program = P.seq(
    P.setAddress(0x1000n), P.advanceLine(9), P.copy(),          // 0x1000 a/util.c:10
    P.advanceLine(1), P.copy(),                                 // 0x1000 a/util.c:11 (same address: wins)
    P.special(4, 0),                                            // 0x1004 :11 (continuation)
    P.negateStmt(), P.special(4, 1),                            // 0x1008 :12 !stmt
    P.negateStmt(), P.special(4, -2),                           // 0x100c :10 stmt (second entry of line 10)
    P.setFile(3), P.advanceLine(10), P.special(4, 0),           // 0x1010 main.c:20
    P.setFile(2), P.special(4, -5),                             // 0x1014 /p/b/util.c:15
    P.advancePc(4), P.end(),                                    // 0x1018
    P.setAddress(0x2000n), P.setFile(4), P.advanceLine(29), P.copy(), P.advancePc(4), P.end(), // 0x2000 /q/b/util.c:30
  );
  const lt = parse(bytes(unit({ version: 4, tables, program })));
  assert.equal(lt.addressToLine(0x1000)?.line, 11);
  assert.equal(lt.addressToLine(0x1003)?.line, 11);
  assert.equal(lt.addressToLine(0x100b)?.line, 12);
  assert.equal(lt.addressToLine(0x1018), undefined);
  assert.equal(lt.addressToLine(0x1fff), undefined);
  assert.equal(lt.addressToLine(0x2003)?.file, '/q/b/util.c');
  assert.equal(lt.addressToLine(0xfff), undefined);
  assert.equal(lt.addressToLine(0x2004n), undefined);
  assert.equal(lt.addressToLine(1n << 60n), undefined);

  assert.deepEqual(lt.lineToAddresses('/p/a/util.c', 10), [0x1000, 0x100c]);
  assert.deepEqual(lt.lineToAddresses('/p/a/util.c', 11), [0x1000]);
  assert.deepEqual(lt.lineToAddresses('/p/a/util.c', 12), [0x1008], 'a line with only non-stmt rows falls back to them');
  assert.deepEqual(lt.lineToAddresses('/p/a/util.c', 13), []);
  assert.deepEqual(lt.matchFiles('util.c'), ['/p/a/util.c', '/p/b/util.c', '/q/b/util.c']);
  assert.deepEqual(lt.matchFiles('b/util.c'), ['/p/b/util.c', '/q/b/util.c']);
  assert.deepEqual(lt.matchFiles('/home/me/q/b/util.c'), ['/q/b/util.c']);
  assert.deepEqual(lt.matchFiles('/p/a/./x/../util.c'), ['/p/a/util.c']);
  assert.deepEqual(lt.matchFiles('nothere.c'), []);
  assert.deepEqual(lt.lineToAddresses('util.c', 15), [0x1014]);
  assert.deepEqual(lt.resolveLine('/p/a/util.c', 1), { file: '/p/a/util.c', line: 10, addresses: [0x1000, 0x100c] });
  assert.deepEqual(lt.resolveLine('main.c', 19), { file: '/q/b/main.c', line: 20, addresses: [0x1010] });
  assert.equal(lt.resolveLine('main.c', 21), undefined);
  assert.deepEqual(lt.files, ['/p/a/util.c', '/p/b/util.c', '/q/b/main.c', '/q/b/util.c']);
});

test('normalizePath', () => {
  assert.equal(normalizePath('/a/b/../c/./d//e'), '/a/c/d/e');
  assert.equal(normalizePath('/usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/include'), '/usr/aarch64-linux-gnu/include');
  assert.equal(normalizePath('../x/./y'), '../x/y');
  assert.equal(normalizePath('/../x'), '/x');
  assert.equal(normalizePath('a/..'), '.');
});

function rejects(data: Uint8Array | DebugLineSections, message: string) {
  assert.throws(() => parse(data), (e: unknown) => {
    assert.ok(e instanceof ElfError, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

test('malformed .debug_line: exact messages with section offsets', () => {
  const ok = unit({ version: 4, tables: v4Tables([], [['f.c', 0]]), program: P.seq(P.setAddress(0x10n), P.copy(), P.end()) });
  const okBytes = bytes(ok);
  const withVersion = (v: number) => { const b = okBytes.slice(); b[4] = v; b[5] = 0; return b; };
  rejects(withVersion(6), 't.elf: .debug_line+0x4: unsupported .debug_line version 6 (supported: 2 to 5)');
  rejects(withVersion(1), 't.elf: .debug_line+0x4: unsupported .debug_line version 1 (supported: 2 to 5)');
  { const b = okBytes.slice(); b[0] = 0x00; b[1] = 0x01; rejects(b, `t.elf: .debug_line+0x0: line table unit length 0x100 extends past end of section (size ${'0x' + b.length.toString(16)})`); }
  { const b = okBytes.slice(); b[0] = 0xf5; b[1] = b[2] = b[3] = 0xff; rejects(b, 't.elf: .debug_line+0x0: reserved unit_length value 0xfffffff5'); }
  // Field offsets in a v4 32-bit unit: length 0, version 4, header_length 6, min_inst 10, max_ops 11,
  // default_is_stmt 12, line_base 13, line_range 14, opcode_base 15.
  { const b = okBytes.slice(); b[14] = 0; rejects(b, 't.elf: .debug_line+0xe: line_range is 0'); }
  { const b = okBytes.slice(); b[11] = 0; rejects(b, 't.elf: .debug_line+0xb: maximum_operations_per_instruction is 0'); }
  { const b = okBytes.slice(); b[6] = 0xff; rejects(b, 't.elf: .debug_line+0x4: header_length 0xff runs past the end of the unit'); }
  rejects(okBytes.slice(0, 3), 't.elf: .debug_line+0x0: truncated unit_length: needs 4 bytes, 3 left in the section');
  // The file table's terminator removed: the header ends inside the file_names list.
  {
    const u = unit({ version: 4, tables: new B().u8(0).str('f.c').uleb(0).uleb(0).uleb(0), program: P.seq(P.end()) });
    rejects(bytes(u), `t.elf: .debug_line+0x${(u.length - 3).toString(16)}: file_names entry is not NUL-terminated`);
  }
  // A row that refers to a file the header does not define.
  {
    const u = unit({ version: 4, tables: v4Tables([], [['f.c', 0]]), program: P.seq(P.setAddress(0n), P.setFile(5), P.copy(), P.end()) });
    rejects(bytes(u), `t.elf: .debug_line+0x${(u.length - 4).toString(16)}: row refers to file 5, which the line table header of the unit at 0x0 does not define`);
  }
  // A file entry whose directory index is out of range.
  {
    const u = unit({ version: 3, tables: v4Tables(['d'], [['f.c', 2]]), program: P.seq(P.end()) });
    rejects(bytes(u), 't.elf: .debug_line+0x1e: file f.c has directory index 2, but there is only 1 include directory');
  }
  // DWARF 5: unsupported form for a path, a missing .debug_line_str, no DW_LNCT_path.
  {
    const tables = v5Tables([[DW_LNCT_path, DW_FORM_data4]], [new B().u32(0)], [[DW_LNCT_path, DW_FORM_string]], []);
    const u = unit({ version: 5, tables, program: P.seq(P.end()) });
    rejects(bytes(u), 't.elf: .debug_line+0x22: directory 0: unsupported form DW_FORM_data4 (0x6) for DW_LNCT_path');
  }
  {
    const tables = v5Tables([[DW_LNCT_path, DW_FORM_line_strp]], [new B().u32(0)], [[DW_LNCT_path, DW_FORM_string]], []);
    rejects(bytes(unit({ version: 5, tables, program: P.seq(P.end()) })), 't.elf: .debug_line+0x22: string refers to .debug_line_str, but the file has no .debug_line_str section');
    rejects({ debugLine: bytes(unit({ version: 5, tables, program: P.seq(P.end()) })), debugLineStr: Uint8Array.of(0x61, 0x62, 0x63, 0x64) },
      't.elf: .debug_line+0x22: string at .debug_line_str+0x0 is not NUL-terminated');
  }
  {
    const tables = v5Tables([[DW_LNCT_timestamp, DW_FORM_udata]], [new B().uleb(1)], [[DW_LNCT_path, DW_FORM_string]], []);
    rejects(bytes(unit({ version: 5, tables, program: P.seq(P.end()) })), 't.elf: .debug_line+0x23: directory entry format has no DW_LNCT_path');
  }
  // Program errors: bad set_address operand size, truncated ULEB, an extended opcode running past the unit.
  {
    const u = unit({ version: 4, tables: v4Tables([], [['f.c', 0]]), program: new B().u8(0).uleb(3).u8(2).u16(0x1234) });
    rejects(bytes(u), `t.elf: .debug_line+0x${(u.length - 5).toString(16)}: DW_LNE_set_address with a 2-byte operand (expected 4 or 8)`);
  }
  {
    const u = unit({ version: 4, tables: v4Tables([], [['f.c', 0]]), program: new B().u8(2).u8(0x80, 0x80) });
    rejects(bytes(u), `t.elf: .debug_line+0x${(u.length - 2).toString(16)}: truncated DW_LNS_advance_pc operand (ULEB128 runs past the end)`);
  }
  {
    const u = unit({ version: 4, tables: v4Tables([], [['f.c', 0]]), program: new B().u8(0).uleb(40).u8(1) });
    rejects(bytes(u), `t.elf: .debug_line+0x${(u.length - 3).toString(16)}: extended opcode length 40 runs past the end of the unit`);
  }
  {
    const u = unit({ version: 5, tables: v5Tables([[DW_LNCT_path, DW_FORM_string]], [new B().str('/')], [[DW_LNCT_path, DW_FORM_string]], [new B().str('a')]),
      program: new B().u8(0).uleb(3).u8(3).u8(0x61, 0) });
    rejects(bytes(u), `t.elf: .debug_line+0x${(u.length - 5).toString(16)}: DW_LNE_define_file is not allowed in DWARF 5`);
  }
});
