// DWARF .debug_line parser (versions 2 to 5, 32- and 64-bit DWARF) and address <-> line lookups.
// Also reads the compile units' DW_AT_comp_dir from .debug_info, which DWARF 2-4 line tables need to
// turn relative file names into full paths (DWARF 5 tables carry the compilation directory themselves).

import { ElfError, hex } from './errors';

export interface LineRow {
  address: number;
  /** Full (lexically normalised) path of the source file. */
  file: string;
  line: number;
  column: number;
  isStmt: boolean;
  endSequence: boolean;
  prologueEnd: boolean;
  discriminator: number;
}

export interface LineFileEntry {
  name: string;
  dirIndex: number;
  /** Full path: the name joined to its directory and the compilation directory. */
  path: string;
  /** DW_LNCT_MD5 as 32 hex digits, when present. */
  md5?: string;
}

export interface LineProgramHeader {
  /** Offset of the unit in .debug_line. */
  offset: number;
  /** Offset just past the unit. */
  end: number;
  version: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  offsetSize: number;
  addressSize: number;
  minInstLength: number;
  maxOpsPerInst: number;
  defaultIsStmt: boolean;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  standardOpcodeLengths: number[];
  /** include_directories as full paths; index 0 is the compilation directory ('' if unknown for DWARF < 5). */
  directories: string[];
  /** file_names indexed by DWARF file number (for DWARF < 5, index 0 is unused). */
  files: (LineFileEntry | undefined)[];
}

export interface LineSequence {
  start: number;
  /** Address of the end_sequence row (first address past the sequence). */
  end: number;
  rows: LineRow[];
  unit: LineProgramHeader;
}

export interface DebugLineSections {
  debugLine: Uint8Array;
  /** .debug_line_str (DW_FORM_line_strp). */
  debugLineStr?: Uint8Array;
  /** .debug_str (DW_FORM_strp). */
  debugStr?: Uint8Array;
  /** Compilation directory of each compile unit, keyed by its DW_AT_stmt_list offset. */
  compDirs?: Map<number, string>;
}

export interface ParseDebugLineOptions {
  /** File name used in error messages. */
  file?: string;
  /** Receives non-fatal problems (e.g. dropped unaddressable sequences). */
  warnings?: string[];
  /**
   * Which sequences take part in addressToLine/lineToAddresses (all rows stay in `rows`). Used to
   * drop sequences of code that the linker discarded (start address 0 or -1).
   */
  keepSequence?: (start: number, end: number) => boolean;
}

// Line number program opcodes.
const DW_LNS_copy = 1, DW_LNS_advance_pc = 2, DW_LNS_advance_line = 3, DW_LNS_set_file = 4,
  DW_LNS_set_column = 5, DW_LNS_negate_stmt = 6, DW_LNS_set_basic_block = 7, DW_LNS_const_add_pc = 8,
  DW_LNS_fixed_advance_pc = 9, DW_LNS_set_prologue_end = 10, DW_LNS_set_epilogue_begin = 11,
  DW_LNS_set_isa = 12;
const DW_LNE_end_sequence = 1, DW_LNE_set_address = 2, DW_LNE_define_file = 3,
  DW_LNE_set_discriminator = 4;
// Line table entry content types (DWARF 5).
const DW_LNCT_path = 1, DW_LNCT_directory_index = 2, DW_LNCT_MD5 = 5;

// Attribute forms.
export const DW_FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08,
  block: 0x09, block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f,
  ref_addr: 0x10, ref1: 0x11, ref2: 0x12, ref4: 0x13, ref8: 0x14, ref_udata: 0x15, indirect: 0x16,
  sec_offset: 0x17, exprloc: 0x18, flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c,
  strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f, ref_sig8: 0x20, implicit_const: 0x21,
  loclistx: 0x22, rnglistx: 0x23, ref_sup8: 0x24, strx1: 0x25, strx2: 0x26, strx3: 0x27, strx4: 0x28,
  addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;

const utf8 = new TextDecoder('utf-8');

/** Bounds-checked little-endian reader over one DWARF section; errors name section+offset. */
export class DwarfCursor {
  pos: number;
  private view: DataView;
  constructor(readonly data: Uint8Array, readonly section: string, readonly file: string, pos = 0, public limit = data.length) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.pos = pos;
  }
  fail(detail: string, at = this.pos): never {
    throw new ElfError(`${this.section}+${hex(at)}: ${detail}`, this.file);
  }
  need(n: number, what: string): void {
    if (this.pos + n > this.limit) {
      this.fail(`truncated ${what}: needs ${n} byte${n === 1 ? '' : 's'}, ${Math.max(0, this.limit - this.pos)} left ${this.limit < this.data.length ? 'in the unit' : 'in the section'}`);
    }
  }
  u8(what = 'byte'): number { this.need(1, what); return this.data[this.pos++]; }
  u16(what = 'uhalf'): number { this.need(2, what); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  u32(what = 'uword'): number { this.need(4, what); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  u64(what = 'u64'): bigint { this.need(8, what); const v = this.view.getBigUint64(this.pos, true); this.pos += 8; return v; }
  /** Unsigned integer of `n` (1..8) bytes as a bigint. */
  uN(n: number, what: string): bigint {
    this.need(n, what);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.data[this.pos + i]);
    this.pos += n;
    return v;
  }
  /** An offset of offsetSize bytes, as a number (rejecting > 2^53). */
  offset(size: number, what: string): number {
    const at = this.pos;
    const v = size === 4 ? this.u32(what) : this.u64(what);
    if (typeof v === 'bigint' && v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${hex(v)} is too large`, at);
    return Number(v);
  }
  uleb(what = 'ULEB128'): number {
    const at = this.pos;
    let result = 0, mul = 1;
    for (;;) {
      if (this.pos >= this.limit) this.fail(`truncated ${what} (ULEB128 runs past the end)`, at);
      const b = this.data[this.pos++];
      result += (b & 0x7f) * mul;
      if (!(b & 0x80)) break;
      mul *= 128;
      if (mul > 2 ** 63) this.fail(`${what}: ULEB128 is too long`, at);
    }
    if (result > Number.MAX_SAFE_INTEGER) this.fail(`${what}: value ${result} is too large`, at);
    return result;
  }
  sleb(what = 'SLEB128'): number {
    const at = this.pos;
    let result = 0, mul = 1, b = 0;
    for (;;) {
      if (this.pos >= this.limit) this.fail(`truncated ${what} (SLEB128 runs past the end)`, at);
      b = this.data[this.pos++];
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) break;
      if (mul > 2 ** 63) this.fail(`${what}: SLEB128 is too long`, at);
    }
    if (b & 0x40) result -= mul;
    if (!Number.isSafeInteger(result)) this.fail(`${what}: value is too large`, at);
    return result;
  }
  cstring(what: string): string {
    const at = this.pos;
    const end = this.data.indexOf(0, this.pos);
    if (end < 0 || end >= this.limit) this.fail(`${what} is not NUL-terminated`, at);
    const s = decodeString(this.data, this.pos, end);
    this.pos = end + 1;
    return s;
  }
  skip(n: number, what: string): void { this.need(n, what); this.pos += n; }
}

function decodeString(data: Uint8Array, start: number, end: number): string {
  if (end - start > 256) return utf8.decode(data.subarray(start, end));
  for (let i = start; i < end; i++) if (data[i] >= 0x80) return utf8.decode(data.subarray(start, end));
  return String.fromCharCode.apply(null, Array.from(data.subarray(start, end)));
}

/** Reads a NUL-terminated string at `off` in a string section (.debug_str / .debug_line_str). */
function stringAt(sec: Uint8Array | undefined, secName: string, off: number, cur: DwarfCursor, at: number): string {
  if (!sec) cur.fail(`string refers to ${secName}, but the file has no ${secName} section`, at);
  if (off >= sec.length) cur.fail(`string offset ${hex(off)} is outside ${secName} (size ${hex(sec.length)})`, at);
  const end = sec.indexOf(0, off);
  if (end < 0) cur.fail(`string at ${secName}+${hex(off)} is not NUL-terminated`, at);
  return decodeString(sec, off, end);
}

/** Lexically normalises a POSIX path: collapses `//`, `.` and `dir/..`. */
export function normalizePath(p: string): string {
  if (p === '') return '';
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part === '..' && abs) continue;
    else out.push(part);
  }
  const s = out.join('/');
  return abs ? '/' + s : s || '.';
}

function joinPath(dir: string, name: string): string {
  if (name.startsWith('/') || dir === '') return normalizePath(name);
  return normalizePath(dir + '/' + name);
}

function basename(p: string): string { return p.slice(p.lastIndexOf('/') + 1); }

/** Parses every line number program in .debug_line. */
export function parseDebugLine(sections: DebugLineSections, opts: ParseDebugLineOptions = {}): LineTable {
  const file = opts.file ?? '';
  const warnings = opts.warnings ?? [];
  const data = sections.debugLine;
  const units: LineProgramHeader[] = [];
  const rows: LineRow[] = [];
  const sequences: LineSequence[] = [];
  let pos = 0;
  while (pos < data.length) {
    const cur = new DwarfCursor(data, '.debug_line', file, pos);
    const unit = readLineProgramHeader(cur, sections);
    units.push(unit);
    runLineProgram(cur, unit, rows, sequences, warnings);
    pos = unit.end;
  }
  const keep = opts.keepSequence;
  return new LineTable(units, rows, keep ? sequences.filter(s => keep(s.start, s.end)) : sequences, sequences, warnings);
}

function readLineProgramHeader(cur: DwarfCursor, sections: DebugLineSections): LineProgramHeader {
  const offset = cur.pos;
  let offsetSize = 4;
  let length: number = cur.u32('unit_length');
  if (length === 0xffffffff) {
    offsetSize = 8;
    length = cur.offset(8, 'unit_length (64-bit DWARF)');
  } else if (length >= 0xfffffff0) {
    cur.fail(`reserved unit_length value ${hex(length)}`, offset);
  }
  const end = cur.pos + length;
  if (end > cur.data.length) {
    cur.fail(`line table unit length ${hex(length)} extends past end of section (size ${hex(cur.data.length)})`, offset);
  }
  cur.limit = end;
  const versionAt = cur.pos;
  const version = cur.u16('version');
  if (version < 2 || version > 5) cur.fail(`unsupported .debug_line version ${version} (supported: 2 to 5)`, versionAt);
  let addressSize = 8;
  if (version >= 5) {
    const at = cur.pos;
    addressSize = cur.u8('address_size');
    if (addressSize !== 4 && addressSize !== 8) cur.fail(`unsupported address_size ${addressSize}`, at);
    const segAt = cur.pos;
    const seg = cur.u8('segment_selector_size');
    if (seg !== 0) cur.fail(`unsupported segment_selector_size ${seg}`, segAt);
  }
  const headerLength = cur.offset(offsetSize, 'header_length');
  const programStart = cur.pos + headerLength;
  if (programStart > end) cur.fail(`header_length ${hex(headerLength)} runs past the end of the unit`, versionAt);
  const minInstLength = cur.u8('minimum_instruction_length');
  let maxOpsPerInst = 1;
  if (version >= 4) {
    const at = cur.pos;
    maxOpsPerInst = cur.u8('maximum_operations_per_instruction');
    if (maxOpsPerInst === 0) cur.fail('maximum_operations_per_instruction is 0', at);
  }
  const defaultIsStmt = cur.u8('default_is_stmt') !== 0;
  const lineBase = (cur.u8('line_base') << 24) >> 24;
  const lrAt = cur.pos;
  const lineRange = cur.u8('line_range');
  if (lineRange === 0) cur.fail('line_range is 0', lrAt);
  const obAt = cur.pos;
  const opcodeBase = cur.u8('opcode_base');
  if (opcodeBase === 0) cur.fail('opcode_base is 0', obAt);
  const standardOpcodeLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) standardOpcodeLengths.push(cur.u8('standard_opcode_lengths'));

  const unit: LineProgramHeader = {
    offset, end, version, offsetSize, addressSize, minInstLength, maxOpsPerInst, defaultIsStmt,
    lineBase, lineRange, opcodeBase, standardOpcodeLengths, directories: [], files: [],
  };
  // The header fields end at programStart; the tables must not run past it.
  const savedLimit = cur.limit;
  cur.limit = programStart;
  if (version >= 5) {
    const dirFormat = readEntryFormat(cur, 'directory_entry_format');
    const dirCount = cur.uleb('directories_count');
    const rawDirs: string[] = [];
    for (let i = 0; i < dirCount; i++) {
      const e = readEntry(cur, dirFormat, unit, sections, `directory ${i}`);
      if (e.path === undefined) cur.fail(`directory entry format has no DW_LNCT_path`);
      rawDirs.push(e.path);
    }
    const comp = rawDirs.length > 0 ? normalizePath(rawDirs[0]) : sections.compDirs?.get(offset) ?? '';
    unit.directories = rawDirs.map((d, i) => i === 0 ? comp : joinPath(comp, d));
    const fileFormat = readEntryFormat(cur, 'file_name_entry_format');
    const fileCount = cur.uleb('file_names_count');
    for (let i = 0; i < fileCount; i++) {
      const at = cur.pos;
      const e = readEntry(cur, fileFormat, unit, sections, `file ${i}`);
      if (e.path === undefined) cur.fail(`file name entry format has no DW_LNCT_path`);
      const dirIndex = e.dirIndex ?? 0;
      if (dirIndex >= unit.directories.length && !e.path.startsWith('/')) {
        cur.fail(`file ${i} (${e.path}) has directory index ${dirIndex}, but there are only ${unit.directories.length} directories`, at);
      }
      unit.files.push({ name: e.path, dirIndex, path: joinPath(unit.directories[dirIndex] ?? '', e.path), md5: e.md5 });
    }
  } else {
    const comp = normalizePath(sections.compDirs?.get(offset) ?? '');
    unit.directories.push(comp);
    for (;;) {
      const d = cur.cstring('include_directories entry');
      if (d === '') break;
      unit.directories.push(joinPath(comp, d));
    }
    unit.files.push(undefined);
    for (;;) {
      const at = cur.pos;
      const name = cur.cstring('file_names entry');
      if (name === '') break;
      unit.files.push(readV4FileEntry(cur, unit, name, at));
    }
  }
  cur.limit = savedLimit;
  // Producers may pad the header; the program starts where header_length says.
  cur.pos = programStart;
  return unit;
}

function readV4FileEntry(cur: DwarfCursor, unit: LineProgramHeader, name: string, at: number): LineFileEntry {
  const dirIndex = cur.uleb('file directory index');
  cur.uleb('file modification time');
  cur.uleb('file length');
  if (dirIndex >= unit.directories.length && !name.startsWith('/')) {
    const n = unit.directories.length - 1;
    cur.fail(`file ${name} has directory index ${dirIndex}, but there ${n === 1 ? 'is only 1 include directory' : `are only ${n} include directories`}`, at);
  }
  return { name, dirIndex, path: joinPath(unit.directories[dirIndex] ?? '', name) };
}

function readEntryFormat(cur: DwarfCursor, what: string): [number, number][] {
  const n = cur.u8(`${what}_count`);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([cur.uleb(`${what} content type`), cur.uleb(`${what} form`)]);
  return out;
}

function readEntry(cur: DwarfCursor, format: [number, number][], unit: LineProgramHeader,
  sections: DebugLineSections, what: string): { path?: string; dirIndex?: number; md5?: string } {
  const out: { path?: string; dirIndex?: number; md5?: string } = {};
  for (const [type, form] of format) {
    const at = cur.pos;
    if (type === DW_LNCT_path) {
      if (form === DW_FORM.string) out.path = cur.cstring(`${what} path`);
      else if (form === DW_FORM.line_strp) out.path = stringAt(sections.debugLineStr, '.debug_line_str', cur.offset(unit.offsetSize, `${what} path`), cur, at);
      else if (form === DW_FORM.strp) out.path = stringAt(sections.debugStr, '.debug_str', cur.offset(unit.offsetSize, `${what} path`), cur, at);
      else cur.fail(`${what}: unsupported form ${formName(form)} for DW_LNCT_path`, at);
    } else if (type === DW_LNCT_directory_index) {
      if (form === DW_FORM.udata) out.dirIndex = cur.uleb(`${what} directory index`);
      else if (form === DW_FORM.data1) out.dirIndex = cur.u8(`${what} directory index`);
      else if (form === DW_FORM.data2) out.dirIndex = cur.u16(`${what} directory index`);
      else cur.fail(`${what}: unsupported form ${formName(form)} for DW_LNCT_directory_index`, at);
    } else if (type === DW_LNCT_MD5 && form === DW_FORM.data16) {
      cur.need(16, `${what} MD5`);
      out.md5 = Array.from(cur.data.subarray(cur.pos, cur.pos + 16), b => b.toString(16).padStart(2, '0')).join('');
      cur.pos += 16;
    } else {
      // DW_LNCT_timestamp, DW_LNCT_size, vendor types (e.g. LLVM's embedded source): skip by form.
      skipForm(cur, form, unit.offsetSize, unit.addressSize, unit.version, `${what} attribute ${hex(type)}`);
    }
  }
  return out;
}

function formName(form: number): string {
  for (const [k, v] of Object.entries(DW_FORM)) if (v === form) return `DW_FORM_${k} (${hex(form)})`;
  return `form ${hex(form)}`;
}

/** Skips one attribute value of the given form. */
export function skipForm(cur: DwarfCursor, form: number, offsetSize: number, addressSize: number, version: number, what: string): void {
  const F = DW_FORM;
  switch (form) {
    case F.addr: cur.skip(addressSize, what); return;
    case F.data1: case F.ref1: case F.flag: case F.strx1: case F.addrx1: cur.skip(1, what); return;
    case F.data2: case F.ref2: case F.strx2: case F.addrx2: cur.skip(2, what); return;
    case F.strx3: case F.addrx3: cur.skip(3, what); return;
    case F.data4: case F.ref4: case F.ref_sup4: case F.strx4: case F.addrx4: cur.skip(4, what); return;
    case F.data8: case F.ref8: case F.ref_sig8: case F.ref_sup8: cur.skip(8, what); return;
    case F.data16: cur.skip(16, what); return;
    case F.string: cur.cstring(what); return;
    case F.block: case F.exprloc: cur.skip(cur.uleb(what), what); return;
    case F.block1: cur.skip(cur.u8(what), what); return;
    case F.block2: cur.skip(cur.u16(what), what); return;
    case F.block4: cur.skip(cur.u32(what), what); return;
    case F.sdata: cur.sleb(what); return;
    case F.udata: case F.ref_udata: case F.strx: case F.addrx: case F.loclistx: case F.rnglistx:
    case F.GNU_addr_index: case F.GNU_str_index:
      cur.uleb(what); return;
    case F.strp: case F.sec_offset: case F.line_strp: case F.strp_sup: case F.GNU_ref_alt: case F.GNU_strp_alt:
      cur.skip(offsetSize, what); return;
    case F.ref_addr: cur.skip(version <= 2 ? addressSize : offsetSize, what); return;
    case F.flag_present: case F.implicit_const: return;
    case F.indirect: skipForm(cur, cur.uleb(what), offsetSize, addressSize, version, what); return;
    default: cur.fail(`${what}: unknown form ${hex(form)}`);
  }
}

function runLineProgram(cur: DwarfCursor, unit: LineProgramHeader, rows: LineRow[], sequences: LineSequence[], warnings: string[]): void {
  const { minInstLength, maxOpsPerInst, lineBase, lineRange, opcodeBase, defaultIsStmt } = unit;
  let address = 0, opIndex = 0, fileNo = 1, line = 1, column = 0, isStmt = defaultIsStmt;
  let prologueEnd = false, discriminator = 0;
  let unaddressable = false;
  let seqRows: LineRow[] = [];
  const fileCache = new Map<number, string>();

  const fileName = (at: number, end: boolean): string => {
    let s = fileCache.get(fileNo);
    if (s !== undefined) return s;
    const f = unit.files[fileNo];
    if (!f) {
      if (end) return '';
      cur.fail(`row refers to file ${fileNo}, which the line table header of the unit at ${hex(unit.offset)} does not define`, at);
    }
    s = f.path;
    fileCache.set(fileNo, s);
    return s;
  };
  const advance = (opAdvance: number) => {
    if (maxOpsPerInst === 1) address += minInstLength * opAdvance;
    else {
      const t = opIndex + opAdvance;
      address += minInstLength * Math.floor(t / maxOpsPerInst);
      opIndex = t % maxOpsPerInst;
    }
  };
  const emit = (at: number, endSequence: boolean) => {
    if (!unaddressable) {
      const row: LineRow = { address, file: fileName(at, endSequence), line, column, isStmt, endSequence, prologueEnd, discriminator };
      rows.push(row);
      seqRows.push(row);
    }
    discriminator = 0;
    prologueEnd = false;
  };

  while (cur.pos < unit.end) {
    const at = cur.pos;
    const op = cur.u8('opcode');
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      advance(Math.floor(adj / lineRange));
      line += lineBase + (adj % lineRange);
      emit(at, false);
    } else if (op === 0) {
      const len = cur.uleb('extended opcode length');
      if (len === 0) cur.fail('extended opcode with length 0', at);
      const bodyEnd = cur.pos + len;
      if (bodyEnd > unit.end) cur.fail(`extended opcode length ${len} runs past the end of the unit`, at);
      const sub = cur.u8('extended opcode');
      switch (sub) {
        case DW_LNE_end_sequence:
          emit(at, true);
          if (seqRows.length > 0) {
            sequences.push({ start: seqRows[0].address, end: address, rows: seqRows, unit });
          }
          seqRows = [];
          address = 0; opIndex = 0; fileNo = 1; line = 1; column = 0; isStmt = defaultIsStmt;
          unaddressable = false;
          break;
        case DW_LNE_set_address: {
          const n = len - 1;
          if (n !== 4 && n !== 8) cur.fail(`DW_LNE_set_address with a ${n}-byte operand (expected 4 or 8)`, at);
          const a = cur.uN(n, 'DW_LNE_set_address operand');
          if (a > BigInt(Number.MAX_SAFE_INTEGER)) {
            if (!unaddressable) warnings.push(`.debug_line+${hex(at)}: sequence at ${hex(a)} is not addressable (discarded code); its rows are dropped`);
            unaddressable = true;
            address = 0;
          } else {
            address = Number(a);
          }
          opIndex = 0;
          break;
        }
        case DW_LNE_define_file: {
          if (unit.version >= 5) cur.fail('DW_LNE_define_file is not allowed in DWARF 5', at);
          const name = cur.cstring('DW_LNE_define_file name');
          unit.files.push(readV4FileEntry(cur, unit, name, at));
          break;
        }
        case DW_LNE_set_discriminator:
          discriminator = cur.uleb('discriminator');
          break;
        default:
          break; // vendor extension (e.g. DW_LNE_HP_*): skipped by its length
      }
      if (cur.pos > bodyEnd) cur.fail(`extended opcode ${sub} is longer than its length ${len}`, at);
      cur.pos = bodyEnd;
    } else {
      switch (op) {
        case DW_LNS_copy: emit(at, false); break;
        case DW_LNS_advance_pc: advance(cur.uleb('DW_LNS_advance_pc operand')); break;
        case DW_LNS_advance_line: line += cur.sleb('DW_LNS_advance_line operand'); break;
        case DW_LNS_set_file: fileNo = cur.uleb('DW_LNS_set_file operand'); break;
        case DW_LNS_set_column: column = cur.uleb('DW_LNS_set_column operand'); break;
        case DW_LNS_negate_stmt: isStmt = !isStmt; break;
        case DW_LNS_set_basic_block: break;
        case DW_LNS_const_add_pc: advance(Math.floor((255 - opcodeBase) / lineRange)); break;
        case DW_LNS_fixed_advance_pc: address += cur.u16('DW_LNS_fixed_advance_pc operand'); opIndex = 0; break;
        case DW_LNS_set_prologue_end: prologueEnd = true; break;
        case DW_LNS_set_epilogue_begin: break;
        case DW_LNS_set_isa: cur.uleb('DW_LNS_set_isa operand'); break;
        default:
          // An opcode this parser does not know: the header says how many ULEB operands it has.
          for (let i = 0; i < unit.standardOpcodeLengths[op]; i++) cur.uleb(`operand of opcode ${op}`);
      }
    }
  }
  if (seqRows.length > 0) warnings.push(`.debug_line+${hex(unit.offset)}: unit ends inside a sequence (no DW_LNE_end_sequence)`);
}

/** The rows of all line programs, with address and source-line lookups. */
export class LineTable {
  private ranges?: { start: Float64Array; end: Float64Array; row: LineRow[] };
  private byFile?: Map<string, Map<number, number[]>>;
  private sortedLines = new Map<string, number[]>();

  constructor(
    /** The line program headers, in section order. */
    readonly units: readonly LineProgramHeader[],
    /** Every row of every program, in program order (end_sequence rows included). */
    readonly rows: readonly LineRow[],
    /** The sequences used for lookups (after the keepSequence filter). */
    readonly sequences: readonly LineSequence[],
    /** All sequences, including filtered-out ones. */
    readonly allSequences: readonly LineSequence[],
    readonly warnings: readonly string[],
  ) {}

  /** Full paths of the source files that have rows in the lookup sequences, sorted. */
  get files(): string[] { return [...this.fileIndex().keys()].sort(); }

  /**
   * The row that describes `addr`: the last row at or before `addr` in the sequence that contains it
   * (when several rows share an address, the last one wins, as in LLVM). Undefined when no sequence
   * covers `addr`.
   */
  addressToLine(addr: number | bigint): LineRow | undefined {
    const a = typeof addr === 'bigint' ? (addr <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(addr) : NaN) : addr;
    if (!Number.isFinite(a)) return undefined;
    const r = this.rangeIndex();
    let lo = 0, hi = r.start.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r.start[mid] <= a) lo = mid + 1; else hi = mid;
    }
    return lo > 0 && a < r.end[lo - 1] ? r.row[lo - 1] : undefined;
  }

  /**
   * The addresses where execution enters `file:line`: rows of that line that start a run of rows for
   * it (is_stmt rows only, unless the line has no is_stmt row at all). Sorted, without duplicates.
   * `file` is matched against full paths, or by basename (preferring the longest matching suffix).
   */
  lineToAddresses(file: string, line: number): number[] {
    const out = new Set<number>();
    for (const path of this.matchFiles(file)) for (const a of this.fileIndex().get(path)?.get(line) ?? []) out.add(a);
    return [...out].sort((x, y) => x - y);
  }

  /**
   * Like lineToAddresses, but when `line` has no code, moves on to the next line of the same file
   * that has some (what a debugger does with a breakpoint on a blank line). Undefined if none.
   */
  resolveLine(file: string, line: number): { file: string; line: number; addresses: number[] } | undefined {
    let best: { file: string; line: number } | undefined;
    for (const path of this.matchFiles(file)) {
      const lines = this.linesOf(path);
      let lo = 0, hi = lines.length;
      while (lo < hi) { const mid = (lo + hi) >>> 1; if (lines[mid] < line) lo = mid + 1; else hi = mid; }
      if (lo < lines.length && (!best || lines[lo] < best.line)) best = { file: path, line: lines[lo] };
    }
    if (!best) return undefined;
    return { file: best.file, line: best.line, addresses: this.lineToAddresses(best.file, best.line) };
  }

  /** The source files (full paths) that `file` designates: exact full path, else same basename. */
  matchFiles(file: string): string[] {
    const idx = this.fileIndex();
    const q = normalizePath(file);
    if (idx.has(q)) return [q];
    const base = basename(q);
    let best: string[] = [], bestScore = -1;
    for (const path of idx.keys()) {
      if (basename(path) !== base) continue;
      const score = commonSuffixComponents(path, q);
      if (score > bestScore) { best = [path]; bestScore = score; } else if (score === bestScore) best.push(path);
    }
    return best;
  }

  private linesOf(path: string): number[] {
    let l = this.sortedLines.get(path);
    if (!l) {
      l = [...(this.fileIndex().get(path)?.keys() ?? [])].sort((a, b) => a - b);
      this.sortedLines.set(path, l);
    }
    return l;
  }

  private rangeIndex(): { start: Float64Array; end: Float64Array; row: LineRow[] } {
    if (this.ranges) return this.ranges;
    const list: [number, number, LineRow][] = [];
    for (const seq of this.sequences) {
      const rs = seq.rows;
      for (let i = 0; i + 1 < rs.length; i++) {
        if (rs[i].endSequence) continue;
        if (rs[i + 1].address > rs[i].address) list.push([rs[i].address, rs[i + 1].address, rs[i]]);
      }
    }
    list.sort((x, y) => x[0] - y[0]);
    this.ranges = {
      start: Float64Array.from(list, x => x[0]), end: Float64Array.from(list, x => x[1]), row: list.map(x => x[2]),
    };
    return this.ranges;
  }

  private fileIndex(): Map<string, Map<number, number[]>> {
    if (this.byFile) return this.byFile;
    const stmt = new Map<string, Map<number, number[]>>();
    const any = new Map<string, Map<number, number[]>>();
    const add = (m: Map<string, Map<number, number[]>>, r: LineRow) => {
      let f = m.get(r.file);
      if (!f) m.set(r.file, f = new Map());
      const l = f.get(r.line);
      if (l) l.push(r.address); else f.set(r.line, [r.address]);
    };
    for (const seq of this.sequences) {
      let prev: LineRow | undefined;
      for (const r of seq.rows) {
        if (r.endSequence) break;
        if (r.line !== 0) {
          const entering = !prev || prev.line !== r.line || prev.file !== r.file;
          if (entering) add(any, r);
          // An is_stmt row is an entry unless the previous row was an is_stmt row of the same line.
          if (r.isStmt && (entering || !prev!.isStmt)) add(stmt, r);
        }
        prev = r;
      }
    }
    // Lines that only have non-statement rows fall back to those.
    for (const [file, lines] of any) {
      let f = stmt.get(file);
      if (!f) stmt.set(file, f = new Map());
      for (const [line, addrs] of lines) if (!f.has(line)) f.set(line, addrs);
    }
    this.byFile = stmt;
    return stmt;
  }
}

function commonSuffixComponents(a: string, b: string): number {
  const x = a.split('/'), y = b.split('/');
  let n = 0;
  while (n < x.length && n < y.length && x[x.length - 1 - n] === y[y.length - 1 - n]) n++;
  return n;
}

// ------------------------------------------------------------------------------------------------
// .debug_info: just enough to find each compile unit's DW_AT_stmt_list and DW_AT_comp_dir.

export interface DebugInfoSections {
  debugInfo: Uint8Array;
  debugAbbrev: Uint8Array;
  debugStr?: Uint8Array;
  debugLineStr?: Uint8Array;
}

const DW_AT_stmt_list = 0x10, DW_AT_comp_dir = 0x1b;
const DW_UT_compile = 1, DW_UT_type = 2, DW_UT_partial = 3, DW_UT_skeleton = 4, DW_UT_split_compile = 5, DW_UT_split_type = 6;

/**
 * Maps each unit's DW_AT_stmt_list (offset into .debug_line) to its DW_AT_comp_dir. Best effort:
 * problems are reported in `warnings` and the unit is skipped (file names then stay relative).
 */
export function readCompDirs(s: DebugInfoSections, warnings: string[], file = ''): Map<number, string> {
  const out = new Map<number, string>();
  const data = s.debugInfo;
  let pos = 0;
  while (pos < data.length) {
    const cur = new DwarfCursor(data, '.debug_info', file, pos);
    let next = data.length;
    try {
      let offsetSize = 4;
      let length: number = cur.u32('unit_length');
      if (length === 0xffffffff) { offsetSize = 8; length = cur.offset(8, 'unit_length'); }
      next = cur.pos + length;
      if (next > data.length) cur.fail(`unit length ${hex(length)} extends past end of section`, pos);
      cur.limit = next;
      const version = cur.u16('version');
      if (version < 2 || version > 5) cur.fail(`unsupported .debug_info version ${version}`);
      let addressSize: number, abbrevOffset: number;
      if (version >= 5) {
        const unitType = cur.u8('unit_type');
        addressSize = cur.u8('address_size');
        abbrevOffset = cur.offset(offsetSize, 'debug_abbrev_offset');
        if (unitType === DW_UT_skeleton || unitType === DW_UT_split_compile) cur.skip(8, 'dwo_id');
        else if (unitType === DW_UT_type || unitType === DW_UT_split_type) { cur.skip(8, 'type_signature'); cur.skip(offsetSize, 'type_offset'); }
        else if (unitType !== DW_UT_compile && unitType !== DW_UT_partial) cur.fail(`unknown unit_type ${unitType}`);
      } else {
        abbrevOffset = cur.offset(offsetSize, 'debug_abbrev_offset');
        addressSize = cur.u8('address_size');
      }
      const code = cur.uleb('abbreviation code');
      if (code !== 0) {
        const attrs = findAbbrev(s.debugAbbrev, abbrevOffset, code, file);
        let stmtList: number | undefined, compDir: string | undefined;
        for (const [at, form] of attrs) {
          const vAt = cur.pos;
          if (at === DW_AT_stmt_list && (form === DW_FORM.sec_offset || form === DW_FORM.data4 || form === DW_FORM.data8)) {
            stmtList = form === DW_FORM.data8 ? cur.offset(8, 'DW_AT_stmt_list') : form === DW_FORM.data4 ? cur.u32() : cur.offset(offsetSize, 'DW_AT_stmt_list');
          } else if (at === DW_AT_comp_dir && form === DW_FORM.string) {
            compDir = cur.cstring('DW_AT_comp_dir');
          } else if (at === DW_AT_comp_dir && form === DW_FORM.strp) {
            compDir = stringAt(s.debugStr, '.debug_str', cur.offset(offsetSize, 'DW_AT_comp_dir'), cur, vAt);
          } else if (at === DW_AT_comp_dir && form === DW_FORM.line_strp) {
            compDir = stringAt(s.debugLineStr, '.debug_line_str', cur.offset(offsetSize, 'DW_AT_comp_dir'), cur, vAt);
          } else {
            skipForm(cur, form, offsetSize, addressSize, version, `attribute ${hex(at)}`);
          }
        }
        if (stmtList !== undefined && compDir !== undefined && !out.has(stmtList)) out.set(stmtList, compDir);
      }
    } catch (e) {
      if (!(e instanceof ElfError)) throw e;
      warnings.push(e.detail);
    }
    if (next <= pos) break;
    pos = next;
  }
  return out;
}

function findAbbrev(abbrev: Uint8Array, offset: number, code: number, file: string): [number, number][] {
  const cur = new DwarfCursor(abbrev, '.debug_abbrev', file, offset);
  if (offset >= abbrev.length) cur.fail(`abbreviation table offset ${hex(offset)} is outside .debug_abbrev (size ${hex(abbrev.length)})`, 0);
  for (;;) {
    const c = cur.uleb('abbreviation code');
    if (c === 0) cur.fail(`abbreviation code ${code} is not in the table at ${hex(offset)}`);
    cur.uleb('tag');
    cur.u8('has_children');
    const attrs: [number, number][] = [];
    for (;;) {
      const at = cur.uleb('attribute'), form = cur.uleb('form');
      if (at === 0 && form === 0) break;
      if (form === DW_FORM.implicit_const) cur.sleb('implicit_const value');
      attrs.push([at, form]);
    }
    if (c === code) return attrs;
  }
}
