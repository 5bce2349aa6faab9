// ELF64 writer for static AArch64 executables (what `tagvisor asm` produces): one PT_LOAD per segment
// with page-congruent file offsets (the first, when read-only or executable, also maps the ELF and
// program headers from file offset 0, as ld does), a PT_GNU_STACK, one section per segment, .symtab/.strtab/.shstrtab,
// and with line information a DWARF 5 compile unit (.debug_abbrev, .debug_info, .debug_aranges,
// .debug_line, .debug_line_str, and .debug_rnglists when the code is in several pieces).

import {
  EM_AARCH64, ET_EXEC, ELF64_EHDR_SIZE, ELF64_PHDR_SIZE, ELF64_SHDR_SIZE, ELF64_SYM_SIZE, PF_R, PF_W,
  PF_X, PT_GNU_STACK, PT_LOAD, SHF_ALLOC, SHF_EXECINSTR, SHF_MERGE, SHF_STRINGS, SHF_WRITE, SHN_ABS,
  SHT_NOBITS, SHT_PROGBITS, SHT_STRTAB, SHT_SYMTAB, STB_GLOBAL, STB_LOCAL, STT_FILE, STT_FUNC,
  STT_NOTYPE, STT_OBJECT,
} from './constants';
import { ElfError, hex } from './errors';

export type SegmentFlags = 'rx' | 'rw' | 'r';

export interface WriteSegment {
  vaddr: bigint;
  /** Initialised contents (p_filesz bytes). */
  data: Uint8Array;
  /** Memory size, >= data.length (the rest is zero-filled, e.g. .bss); defaults to data.length. */
  memsz?: bigint;
  flags: SegmentFlags;
  /** Section name for this segment: .text, .data, .bss, .rodata... */
  name: string;
}

export interface WriteSymbol {
  name: string;
  value: bigint;
  size?: number;
  type: 'func' | 'object' | 'notype';
  global: boolean;
  /** Name of the segment's section that defines it, or 'ABS' / '*ABS*' for an absolute symbol. */
  section: string;
}

export interface WriteLine {
  address: bigint;
  file: string;
  line: number;
  column?: number;
}

export interface WriteElfInput {
  entry: bigint;
  segments: WriteSegment[];
  symbols?: WriteSymbol[];
  /** Line table rows (any order; rows at the same address keep their order). */
  lines?: WriteLine[];
  /** Source files, the first one being the primary source (DW_AT_name); files of `lines` are added. */
  sourceFiles?: string[];
  /** Compilation directory; defaults to the directory of the first absolute source file, else '.'. */
  compDir?: string;
  /** DW_AT_producer; defaults to 'tagvisor asm'. */
  producer?: string;
  /** DW_AT_language; defaults to DW_LANG_Mips_Assembler (0x8001), what GNU as uses for assembly. */
  language?: number;
  /** Name used in error messages (e.g. the output file); defaults to 'writeElf'. */
  name?: string;
}

const PAGE = 4096n;
/** Lowest address the headers' page may be mapped at (64 KiB, the largest usual vm.mmap_min_addr). */
const MIN_HEADER_VADDR = 0x10000n;
const USER_VA_LIMIT = 1n << 48n;
const utf8 = new TextEncoder();

/** Growable little-endian byte buffer. */
class Bytes {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private grow(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const nb = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      nb.set(this.buf.subarray(0, at));
      this.buf = nb;
      this.view = new DataView(nb.buffer);
    }
    this.length += n;
    return at;
  }
  // Note: grow() may replace buf/view, so it must run before they are read.
  u8(v: number): this { const at = this.grow(1); this.buf[at] = v; return this; }
  u16(v: number): this { const at = this.grow(2); this.view.setUint16(at, v, true); return this; }
  u32(v: number): this { const at = this.grow(4); this.view.setUint32(at, v >>> 0, true); return this; }
  u64(v: bigint | number): this { const at = this.grow(8); this.view.setBigUint64(at, BigInt(v), true); return this; }
  bytes(b: Uint8Array): this { const at = this.grow(b.length); this.buf.set(b, at); return this; }
  cstring(s: string): this { return this.bytes(utf8.encode(s)).u8(0); }
  uleb(v: number): this {
    do { let b = v % 128; v = Math.floor(v / 128); if (v > 0) b |= 0x80; this.u8(b); } while (v > 0);
    return this;
  }
  sleb(v: number): this {
    for (;;) {
      const b = v & 0x7f;
      v = Math.floor(v / 128);
      if ((v === 0 && !(b & 0x40)) || (v === -1 && (b & 0x40))) { this.u8(b); return this; }
      this.u8(b | 0x80);
    }
  }
  patchU32(at: number, v: number): void { this.view.setUint32(at, v >>> 0, true); }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

/** A string table that deduplicates and starts with the empty string. */
class StringTable {
  readonly bytes = new Bytes();
  private offsets = new Map<string, number>();
  constructor(withEmpty = true) { if (withEmpty) { this.bytes.u8(0); this.offsets.set('', 0); } }
  add(s: string): number {
    let o = this.offsets.get(s);
    if (o === undefined) { o = this.bytes.length; this.bytes.cstring(s); this.offsets.set(s, o); }
    return o;
  }
}

interface OutSection {
  name: string;
  type: number;
  flags: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  data?: Uint8Array;
}

/** Builds a static AArch64 ET_EXEC image. Throws ElfError naming the offending input on bad input. */
export function writeElf(input: WriteElfInput): Uint8Array {
  const who = input.name ?? 'writeElf';
  const fail = (detail: string): never => { throw new ElfError(detail, who); };

  // ---- validate segments -------------------------------------------------------------------------
  const segs = input.segments.map((s, i) => {
    const where = `segment ${i} (${s.name || 'unnamed'})`;
    if (!s.name) fail(`${where}: a section name is required`);
    if (s.flags !== 'rx' && s.flags !== 'rw' && s.flags !== 'r') fail(`${where}: flags must be 'rx', 'rw' or 'r', not '${String(s.flags)}'`);
    const filesz = BigInt(s.data.length);
    const memsz = s.memsz ?? filesz;
    if (memsz < filesz) fail(`${where}: memsz ${hex(memsz)} is smaller than the data (${hex(filesz)} bytes)`);
    if (s.vaddr < 0n || s.vaddr + memsz > USER_VA_LIMIT) fail(`${where}: [${hex(s.vaddr)}, +${hex(memsz)}) is outside the 48-bit user address space`);
    if (s.flags === 'rx' && s.vaddr % 4n !== 0n) fail(`${where}: executable segment address ${hex(s.vaddr)} is not 4-byte aligned`);
    return { ...s, index: i, where, memsz, filesz, shndx: 0, offset: 0 };
  });
  if (segs.length === 0) fail('no segments');
  const sorted = [...segs].sort((a, b) => (a.vaddr < b.vaddr ? -1 : a.vaddr > b.vaddr ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1], b = sorted[i];
    if (a.memsz === 0n || b.memsz === 0n) continue;
    if (b.vaddr < a.vaddr + a.memsz) {
      fail(`${a.where} [${hex(a.vaddr)}, +${hex(a.memsz)}) and ${b.where} [${hex(b.vaddr)}, +${hex(b.memsz)}) overlap`);
    }
    // A page shared by two segments is mapped twice; that only works if both agree on its contents
    // and permissions, so require equal flags and no zero-fill tail in the first one.
    if ((a.vaddr + a.memsz - 1n) / PAGE === b.vaddr / PAGE) {
      if (a.flags !== b.flags) {
        fail(`${a.where} and ${b.where} share the page ${hex((b.vaddr / PAGE) * PAGE)} but have different permissions (${a.flags} and ${b.flags}); start ${b.name} on a new 4 KiB page`);
      }
      if (a.memsz !== a.filesz) {
        fail(`${a.where} has a zero-filled tail and shares the page ${hex((b.vaddr / PAGE) * PAGE)} with ${b.where}; start ${b.name} on a new 4 KiB page`);
      }
    }
  }
  const entrySeg = segs.find(s => s.flags === 'rx' && input.entry >= s.vaddr && input.entry < s.vaddr + s.memsz);
  if (!entrySeg) fail(`entry point ${hex(input.entry)} is not inside an executable ('rx') segment`);

  // ---- section numbering ---------------------------------------------------------------------------
  const sections: OutSection[] = [{ name: '', type: 0, flags: 0, addr: 0n, offset: 0, size: 0, link: 0, info: 0, addralign: 0, entsize: 0 }];
  for (const s of sorted) {
    s.shndx = sections.length;
    const flags = SHF_ALLOC | (s.flags === 'rx' ? SHF_EXECINSTR : 0) | (s.flags === 'rw' ? SHF_WRITE : 0);
    const nobits = s.filesz === 0n && s.memsz > 0n;
    sections.push({
      name: s.name, type: nobits ? SHT_NOBITS : SHT_PROGBITS, flags, addr: s.vaddr, offset: 0,
      size: Number(nobits ? s.memsz : s.filesz), link: 0, info: 0,
      addralign: s.flags === 'rx' ? 4 : Math.min(16, lowBit(s.vaddr)), entsize: 0, data: s.data,
    });
  }

  // ---- symbols -------------------------------------------------------------------------------------
  const symbols = input.symbols ?? [];
  const strtab = new StringTable();
  const locals: Bytes[] = [], globals: Bytes[] = [];
  const sym = (name: string, value: bigint, size: number, type: number, bind: number, shndx: number) =>
    new Bytes().u32(strtab.add(name)).u8((bind << 4) | type).u8(0).u16(shndx).u64(value).u64(size);
  const sourceFiles = [...new Set(input.sourceFiles ?? [])];
  for (const l of input.lines ?? []) if (!sourceFiles.includes(l.file)) sourceFiles.push(l.file);
  if (sourceFiles.length > 0) locals.push(sym(baseName(sourceFiles[0]), 0n, 0, STT_FILE, STB_LOCAL, SHN_ABS));
  const seenGlobal = new Set<string>();
  symbols.forEach((s, i) => {
    const where = `symbol ${i} (${s.name})`;
    if (s.name.includes('\0')) fail(`${where}: name contains a NUL character`);
    if (s.global) {
      if (seenGlobal.has(s.name)) fail(`${where}: global symbol defined twice`);
      seenGlobal.add(s.name);
    }
    if (s.value < 0n || s.value >= 1n << 64n) fail(`${where}: value ${s.value} is not a 64-bit address`);
    const size = s.size ?? 0;
    if (!Number.isSafeInteger(size) || size < 0) fail(`${where}: size ${size} is not a valid size`);
    let shndx: number;
    if (s.section === 'ABS' || s.section === '*ABS*') shndx = SHN_ABS;
    else {
      const cands = segs.filter(g => g.name === s.section);
      if (cands.length === 0) fail(`${where}: section ${s.section || '(none)'} is not one of the segments (${segs.map(g => g.name).join(', ')})`);
      shndx = (cands.find(g => s.value >= g.vaddr && s.value <= g.vaddr + g.memsz) ?? cands[0]).shndx;
    }
    const type = s.type === 'func' ? STT_FUNC : s.type === 'object' ? STT_OBJECT : s.type === 'notype' ? STT_NOTYPE : fail(`${where}: type must be func, object or notype`);
    (s.global ? globals : locals).push(sym(s.name, s.value, size, type, s.global ? STB_GLOBAL : STB_LOCAL, shndx));
  });
  const symtab = new Bytes();
  symtab.bytes(new Uint8Array(ELF64_SYM_SIZE));
  for (const b of [...locals, ...globals]) symtab.bytes(b.result());

  // ---- DWARF ---------------------------------------------------------------------------------------
  const debug = input.lines && input.lines.length > 0 ? buildDwarf(input, segs, sourceFiles, fail) : [];

  // ---- non-alloc sections --------------------------------------------------------------------------
  for (const d of debug) {
    sections.push({ name: d.name, type: SHT_PROGBITS, flags: d.strings ? SHF_MERGE | SHF_STRINGS : 0, addr: 0n, offset: 0, size: d.data.length, link: 0, info: 0, addralign: 1, entsize: d.strings ? 1 : 0, data: d.data });
  }
  const symtabIndex = sections.length;
  sections.push({ name: '.symtab', type: SHT_SYMTAB, flags: 0, addr: 0n, offset: 0, size: symtab.length, link: symtabIndex + 1, info: 1 + locals.length, addralign: 8, entsize: ELF64_SYM_SIZE, data: symtab.result() });
  const strData = strtab.bytes.result();
  sections.push({ name: '.strtab', type: SHT_STRTAB, flags: 0, addr: 0n, offset: 0, size: strData.length, link: 0, info: 0, addralign: 1, entsize: 0, data: strData });
  const shstrtab = new StringTable();
  const shstrIndex = sections.length;
  sections.push({ name: '.shstrtab', type: SHT_STRTAB, flags: 0, addr: 0n, offset: 0, size: 0, link: 0, info: 0, addralign: 1, entsize: 0 });
  const nameOffsets = sections.map(s => shstrtab.add(s.name));
  const shstrData = shstrtab.bytes.result();
  sections[shstrIndex].data = shstrData;
  sections[shstrIndex].size = shstrData.length;

  // ---- file layout ---------------------------------------------------------------------------------
  const loads = sorted.filter(s => s.memsz > 0n);
  const phnum = loads.length + 1; // + PT_GNU_STACK
  let pos = ELF64_EHDR_SIZE + phnum * ELF64_PHDR_SIZE;
  let prev: typeof sorted[number] | undefined;
  for (const s of sorted) {
    if (prev && prev.filesz > 0n && (prev.vaddr + prev.memsz - 1n) / PAGE === s.vaddr / PAGE) {
      // Shares a page with the previous segment: keep the file image of that page identical to memory.
      s.offset = prev.offset + Number(s.vaddr - prev.vaddr);
    } else if (s.filesz > 0n) {
      s.offset = pos + Number(((s.vaddr - BigInt(pos)) % PAGE + PAGE) % PAGE);
    } else {
      // Nothing in the file (.bss): any congruent offset inside the file will do.
      s.offset = pos - Number(((BigInt(pos) - s.vaddr) % PAGE + PAGE) % PAGE);
      if (s.offset < 0) s.offset += Number(PAGE);
    }
    sections[s.shndx].offset = s.offset;
    if (s.filesz > 0n) { pos = s.offset + s.data.length; prev = s; }
  }
  // Like ld, map the ELF header and the program headers with the first PT_LOAD when it is not
  // writable: it then starts at file offset 0, one page-congruent stretch below its data, so the
  // loader can tell the program where its program headers are (AT_PHDR; Linux passes 0 otherwise).
  // Not done when that would put the mapping below MIN_HEADER_VADDR.
  const head = loads[0];
  const headBase = head && head.flags !== 'rw' && head.filesz > 0n ? head.vaddr - BigInt(head.offset) : -1n;
  const headersMapped = headBase >= MIN_HEADER_VADDR;
  for (let i = sorted.length + 1; i < sections.length; i++) {
    const sec = sections[i];
    pos = alignUp(pos, Math.max(1, sec.addralign));
    sec.offset = pos;
    pos += sec.size;
  }
  const shoff = alignUp(pos, 8);
  const total = shoff + sections.length * ELF64_SHDR_SIZE;

  // ---- emit ----------------------------------------------------------------------------------------
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE
  v.setUint16(16, ET_EXEC, true);
  v.setUint16(18, EM_AARCH64, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(24, input.entry, true);
  v.setBigUint64(32, BigInt(ELF64_EHDR_SIZE), true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint32(48, 0, true);
  v.setUint16(52, ELF64_EHDR_SIZE, true);
  v.setUint16(54, ELF64_PHDR_SIZE, true);
  v.setUint16(56, phnum, true);
  v.setUint16(58, ELF64_SHDR_SIZE, true);
  v.setUint16(60, sections.length, true);
  v.setUint16(62, shstrIndex, true);
  let ph = ELF64_EHDR_SIZE;
  const phdr = (type: number, flags: number, offset: number, vaddr: bigint, filesz: bigint, memsz: bigint, align: bigint) => {
    v.setUint32(ph, type, true); v.setUint32(ph + 4, flags, true);
    v.setBigUint64(ph + 8, BigInt(offset), true); v.setBigUint64(ph + 16, vaddr, true);
    v.setBigUint64(ph + 24, vaddr, true); v.setBigUint64(ph + 32, filesz, true);
    v.setBigUint64(ph + 40, memsz, true); v.setBigUint64(ph + 48, align, true);
    ph += ELF64_PHDR_SIZE;
  };
  for (const s of loads) {
    const flags = PF_R | (s.flags === 'rx' ? PF_X : 0) | (s.flags === 'rw' ? PF_W : 0);
    if (s === head && headersMapped) phdr(PT_LOAD, flags, 0, headBase, BigInt(s.offset) + s.filesz, BigInt(s.offset) + s.memsz, PAGE);
    else phdr(PT_LOAD, flags, s.offset, s.vaddr, s.filesz, s.memsz, PAGE);
    if (s.filesz > 0n) out.set(s.data, s.offset);
  }
  phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0n, 0n, 0n, 16n);
  sections.forEach((sec, i) => {
    if (i > sorted.length && sec.data) out.set(sec.data, sec.offset);
    const o = shoff + i * ELF64_SHDR_SIZE;
    v.setUint32(o, nameOffsets[i], true); v.setUint32(o + 4, sec.type, true);
    v.setBigUint64(o + 8, BigInt(sec.flags), true); v.setBigUint64(o + 16, sec.addr, true);
    v.setBigUint64(o + 24, BigInt(sec.offset), true); v.setBigUint64(o + 32, BigInt(sec.size), true);
    v.setUint32(o + 40, sec.link, true); v.setUint32(o + 44, sec.info, true);
    v.setBigUint64(o + 48, BigInt(sec.addralign), true); v.setBigUint64(o + 56, BigInt(sec.entsize), true);
  });
  return out;
}

// ------------------------------------------------------------------------------------------------
// DWARF 5: one compile unit whose line table covers all `lines`.

const DW_TAG_compile_unit = 0x11;
const DW_AT_name = 0x03, DW_AT_stmt_list = 0x10, DW_AT_low_pc = 0x11, DW_AT_high_pc = 0x12,
  DW_AT_language = 0x13, DW_AT_comp_dir = 0x1b, DW_AT_producer = 0x25, DW_AT_ranges = 0x55;
const DW_FORM_addr = 0x01, DW_FORM_data2 = 0x05, DW_FORM_data8 = 0x07, DW_FORM_string = 0x08,
  DW_FORM_udata = 0x0f, DW_FORM_sec_offset = 0x17, DW_FORM_line_strp = 0x1f;
const DW_LNCT_path = 1, DW_LNCT_directory_index = 2;
const DW_LANG_Mips_Assembler = 0x8001;
const DW_RLE_end_of_list = 0, DW_RLE_start_length = 7;
const LINE_BASE = -5, LINE_RANGE = 14, OPCODE_BASE = 13;

interface DebugSection { name: string; data: Uint8Array; strings?: boolean }

function buildDwarf(input: WriteElfInput, segs: { vaddr: bigint; filesz: bigint; flags: SegmentFlags; name: string }[],
  sourceFiles: string[], fail: (d: string) => never): DebugSection[] {
  const lines = input.lines!;
  // Group rows by the segment that contains them; each group becomes one sequence.
  const groups = new Map<(typeof segs)[number], { row: WriteLine; i: number }[]>();
  lines.forEach((row, i) => {
    const where = `line entry ${i} (${row.file}:${row.line})`;
    if (!Number.isSafeInteger(row.line) || row.line < 1) fail(`${where}: line must be a positive integer`);
    if (row.column !== undefined && (!Number.isSafeInteger(row.column) || row.column < 0)) fail(`${where}: column must be a non-negative integer`);
    const seg = segs.find(s => row.address >= s.vaddr && row.address < s.vaddr + s.filesz);
    if (!seg) fail(`${where}: address ${hex(row.address)} is not inside the data of any segment`);
    let g = groups.get(seg);
    if (!g) groups.set(seg, g = []);
    g.push({ row, i });
  });
  const seqs = [...groups.entries()].map(([seg, rows]) => ({
    start: rows.reduce((m, r) => (r.row.address < m ? r.row.address : m), rows[0].row.address),
    end: seg.vaddr + seg.filesz,
    rows: rows.sort((a, b) => (a.row.address < b.row.address ? -1 : a.row.address > b.row.address ? 1 : a.i - b.i)).map(r => r.row),
  })).sort((a, b) => (a.start < b.start ? -1 : 1));

  // Directories and files. Directory 0 is the compilation directory; file 0 is the primary source,
  // repeated as file 1 so that consumers which count files from 1 see it too (as GCC does).
  const compDir = input.compDir ?? (sourceFiles.find(f => f.startsWith('/')) ? dirName(sourceFiles.find(f => f.startsWith('/'))!) : '.');
  const lineStr = new StringTable(false);
  const dirs: string[] = [compDir];
  const fileEntries: { name: string; dir: number }[] = [];
  const fileIndex = new Map<string, number>();
  const addFile = (f: string) => {
    let d = dirName(f);
    if (d === '' || d === '.') d = compDir;
    let di = dirs.indexOf(d);
    if (di < 0) { di = dirs.length; dirs.push(d); }
    fileEntries.push({ name: baseName(f), dir: di });
  };
  addFile(sourceFiles[0]);
  for (const f of sourceFiles) { fileIndex.set(f, fileEntries.length); addFile(f); }

  const line = new Bytes();
  line.u32(0); // unit_length, patched
  line.u16(5).u8(8).u8(0);
  const headerLengthAt = line.length;
  line.u32(0); // header_length, patched
  const headerStart = line.length;
  line.u8(1).u8(1).u8(1).u8(LINE_BASE & 0xff).u8(LINE_RANGE).u8(OPCODE_BASE);
  for (const n of [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]) line.u8(n);
  line.u8(1).uleb(DW_LNCT_path).uleb(DW_FORM_line_strp);
  line.uleb(dirs.length);
  for (const d of dirs) line.u32(lineStr.add(d));
  line.u8(2).uleb(DW_LNCT_path).uleb(DW_FORM_line_strp).uleb(DW_LNCT_directory_index).uleb(DW_FORM_udata);
  line.uleb(fileEntries.length);
  for (const f of fileEntries) line.u32(lineStr.add(f.name)).uleb(f.dir);
  line.patchU32(headerLengthAt, line.length - headerStart);

  for (const seq of seqs) {
    line.u8(0).uleb(9).u8(2).u64(seq.start); // DW_LNE_set_address
    let addr = seq.start, ln = 1, col = 0, file = 1;
    for (const r of seq.rows) {
      const f = fileIndex.get(r.file)!;
      if (f !== file) { line.u8(4).uleb(f); file = f; }
      const c = r.column ?? 0;
      if (c !== col) { line.u8(5).uleb(c); col = c; }
      let dl = r.line - ln;
      const da = Number(r.address - addr);
      if (dl < LINE_BASE || dl >= LINE_BASE + LINE_RANGE) { line.u8(3).sleb(dl); dl = 0; }
      const special = (dl - LINE_BASE) + LINE_RANGE * da + OPCODE_BASE;
      if (special <= 255) line.u8(special);
      else { line.u8(2).uleb(da).u8(OPCODE_BASE - LINE_BASE + dl); } // advance_pc, then special with no address advance
      addr = r.address; ln = r.line;
    }
    if (seq.end > addr) line.u8(2).uleb(Number(seq.end - addr));
    line.u8(0).uleb(1).u8(1); // DW_LNE_end_sequence
  }
  line.patchU32(0, line.length - 4);

  // Compile unit: low_pc/high_pc for one piece of code, else DW_AT_ranges into .debug_rnglists.
  const out: DebugSection[] = [];
  const single = seqs.length === 1;
  const abbrev = new Bytes();
  abbrev.uleb(1).uleb(DW_TAG_compile_unit).u8(0);
  abbrev.uleb(DW_AT_producer).uleb(DW_FORM_string);
  abbrev.uleb(DW_AT_language).uleb(DW_FORM_data2);
  abbrev.uleb(DW_AT_name).uleb(DW_FORM_line_strp);
  abbrev.uleb(DW_AT_comp_dir).uleb(DW_FORM_line_strp);
  abbrev.uleb(DW_AT_stmt_list).uleb(DW_FORM_sec_offset);
  abbrev.uleb(DW_AT_low_pc).uleb(DW_FORM_addr);
  if (single) abbrev.uleb(DW_AT_high_pc).uleb(DW_FORM_data8);
  else abbrev.uleb(DW_AT_ranges).uleb(DW_FORM_sec_offset);
  abbrev.u8(0).u8(0).u8(0);

  const info = new Bytes();
  info.u32(0).u16(5).u8(1 /* DW_UT_compile */).u8(8).u32(0 /* abbrev offset */);
  info.uleb(1).cstring(input.producer ?? 'tagvisor asm').u16(input.language ?? DW_LANG_Mips_Assembler);
  info.u32(lineStr.add(sourceFiles[0])).u32(lineStr.add(compDir)).u32(0 /* stmt_list */);
  if (single) info.u64(seqs[0].start).u64(seqs[0].end - seqs[0].start);
  else info.u64(0n).u32(12 /* first entry after the .debug_rnglists header */);
  info.patchU32(0, info.length - 4);

  const aranges = new Bytes();
  aranges.u32(0).u16(2).u32(0 /* debug_info offset */).u8(8).u8(0).u32(0 /* pad to 16 */);
  for (const s of seqs) aranges.u64(s.start).u64(s.end - s.start);
  aranges.u64(0).u64(0);
  aranges.patchU32(0, aranges.length - 4);

  out.push({ name: '.debug_abbrev', data: abbrev.result() }, { name: '.debug_info', data: info.result() },
    { name: '.debug_aranges', data: aranges.result() });
  if (!single) {
    const rng = new Bytes();
    rng.u32(0).u16(5).u8(8).u8(0).u32(0);
    for (const s of seqs) rng.u8(DW_RLE_start_length).u64(s.start).uleb(Number(s.end - s.start));
    rng.u8(DW_RLE_end_of_list);
    rng.patchU32(0, rng.length - 4);
    out.push({ name: '.debug_rnglists', data: rng.result() });
  }
  out.push({ name: '.debug_line', data: line.result() }, { name: '.debug_line_str', data: lineStr.bytes.result(), strings: true });
  return out;
}

function lowBit(v: bigint): number {
  if (v === 0n) return 1 << 30;
  let n = 1;
  while ((v & 1n) === 0n && n < 1 << 30) { v >>= 1n; n *= 2; }
  return n;
}

function alignUp(v: number, a: number): number { return Math.ceil(v / a) * a; }
function baseName(p: string): string { return p.slice(p.lastIndexOf('/') + 1); }
function dirName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : i === 0 ? '/' : p.slice(0, i);
}
