// ELF64 little-endian AArch64 reader: header, program headers, section headers, symbols, and (lazily)
// the DWARF line table. Everything is validated with bounds checks before any DataView access, so bad
// input always ends in an ElfError that names the place, never in a RangeError.

import {
  EM_AARCH64, ET_DYN, ET_EXEC, ELF64_EHDR_SIZE, ELF64_PHDR_SIZE, ELF64_SHDR_SIZE, ELF64_SYM_SIZE,
  PF_X, PN_XNUM, PT_INTERP, PT_LOAD, SHF_ALLOC, SHF_TLS, SHN_ABS, SHN_COMMON, SHN_LORESERVE, SHN_UNDEF,
  SHN_XINDEX, SHT_DYNSYM, SHT_NOBITS, SHT_STRTAB, SHT_SYMTAB, SHT_SYMTAB_SHNDX, STB_GLOBAL,
  STB_GNU_UNIQUE, STB_LOCAL, STB_WEAK, STT_COMMON, STT_FILE, STT_FUNC, STT_GNU_IFUNC, STT_NOTYPE,
  STT_OBJECT, STT_SECTION, STT_TLS, elfTypeName, machineName, sectionTypeName, segmentTypeName,
} from './constants';
import { ElfError, hex } from './errors';
import { LineTable, parseDebugLine, readCompDirs } from './dwarf-line';

export interface ElfHeader {
  /** e_type: ET_EXEC (2) or ET_DYN (3, static-pie); other types are rejected. */
  type: number;
  typeName: string;
  /** e_machine; always EM_AARCH64 (183) after validation. */
  machine: number;
  osabi: number;
  entry: bigint;
  phoff: number;
  shoff: number;
  flags: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

export interface ProgramHeader {
  index: number;
  type: number;
  /** 'PT_LOAD', 'PT_GNU_STACK', 'PT_AARCH64_MEMTAG_MTE', ... or 'PT_0x...' for unknown types. */
  typeName: string;
  /** PF_R (4) | PF_W (2) | PF_X (1). */
  flags: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: bigint;
  align: bigint;
}

export interface SectionHeader {
  index: number;
  name: string;
  type: number;
  typeName: string;
  flags: number;
  addr: bigint;
  offset: number;
  /** Size in bytes (for SHT_NOBITS, the memory size; nothing is in the file). */
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'ifunc' | 'other';
export type SymbolBind = 'local' | 'global' | 'weak' | 'unique' | 'other';
export type SymbolVisibility = 'default' | 'internal' | 'hidden' | 'protected';

export interface ElfSymbol {
  /** Index in its symbol table. */
  index: number;
  name: string;
  /** st_value as a number (exact below 2^53, which covers every user address). */
  value: number;
  /** st_value exactly. */
  value64: bigint;
  size: number;
  type: SymbolType;
  bind: SymbolBind;
  visibility: SymbolVisibility;
  /** Section index (SHN_XINDEX already resolved); SHN_UNDEF=0, SHN_ABS=0xfff1, SHN_COMMON=0xfff2. */
  shndx: number;
  /** Name of the section the symbol is defined in, if it is a real section. */
  section?: string;
}

export interface SymbolizedAddress {
  symbol: ElfSymbol;
  /** addr - symbol.value (>= 0). */
  offset: number;
  /** `name` or `name+0x10`. */
  label: string;
}

const SYM_TYPES: Record<number, SymbolType> = {
  [STT_NOTYPE]: 'notype', [STT_OBJECT]: 'object', [STT_FUNC]: 'func', [STT_SECTION]: 'section',
  [STT_FILE]: 'file', [STT_COMMON]: 'common', [STT_TLS]: 'tls', [STT_GNU_IFUNC]: 'ifunc',
};
const SYM_BINDS: Record<number, SymbolBind> = {
  [STB_LOCAL]: 'local', [STB_GLOBAL]: 'global', [STB_WEAK]: 'weak', [STB_GNU_UNIQUE]: 'unique',
};
const SYM_VIS: SymbolVisibility[] = ['default', 'internal', 'hidden', 'protected'];

const MAX_U64 = (1n << 64n) - 1n;
const USER_VA_LIMIT = 1n << 48n;
const utf8 = new TextDecoder('utf-8');

/** Parses and validates an ELF64 little-endian AArch64 static executable. */
export function parseElf(bytes: Uint8Array, name: string): ElfFile {
  return new ElfFile(bytes, name);
}

export class ElfFile {
  readonly header: ElfHeader;
  readonly programHeaders: readonly ProgramHeader[];
  readonly sections: readonly SectionHeader[];
  /** The symbols of .symtab, or of .dynsym when there is no .symtab; index 0 (the null symbol) included. */
  readonly symbols: readonly ElfSymbol[];
  /** Name of the table `symbols` came from ('.symtab', '.dynsym'), or undefined when there is none. */
  readonly symbolTable: string | undefined;

  private readonly view: DataView;
  private byName?: Map<string, ElfSymbol>;
  private symIndex?: SymbolIndex;
  private lines?: LineTable | null;
  private linesError?: ElfError;

  constructor(readonly bytes: Uint8Array, readonly name: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.header = this.readHeader();
    this.programHeaders = this.readProgramHeaders();
    this.sections = this.readSections();
    const symtab = this.sections.find(s => s.type === SHT_SYMTAB) ?? this.sections.find(s => s.type === SHT_DYNSYM);
    this.symbolTable = symtab?.name;
    this.symbols = symtab ? this.readSymbols(symtab) : [];
  }

  /** True for static-pie (ET_DYN) files: addresses are relative to a load bias chosen by the loader. */
  get isPie(): boolean { return this.header.type === ET_DYN; }

  get entry(): bigint { return this.header.entry; }

  /** The PT_LOAD program headers, in file order. */
  get loadSegments(): ProgramHeader[] { return this.programHeaders.filter(p => p.type === PT_LOAD); }

  /** The bytes of a segment that are present in the file (p_filesz of them). */
  segmentData(ph: ProgramHeader): Uint8Array {
    return this.bytes.subarray(ph.offset, ph.offset + ph.filesz);
  }

  /** First section with this name. */
  section(name: string): SectionHeader | undefined {
    return this.sections.find(s => s.name === name);
  }

  /** The file bytes of a section (empty for SHT_NOBITS or a missing name). */
  sectionData(sec: SectionHeader | string): Uint8Array {
    const s = typeof sec === 'string' ? this.section(sec) : sec;
    if (!s || s.type === SHT_NOBITS) return new Uint8Array(0);
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** A defined symbol by name (globals win over weak, weak over local). */
  symbol(name: string): ElfSymbol | undefined {
    if (!this.byName) {
      const m = new Map<string, ElfSymbol>();
      const rank = (s: ElfSymbol) => s.bind === 'global' ? 3 : s.bind === 'unique' ? 2 : s.bind === 'weak' ? 1 : 0;
      for (const s of this.symbols) {
        if (!s.name || s.shndx === SHN_UNDEF || s.type === 'section' || s.type === 'file') continue;
        const old = m.get(s.name);
        if (!old || rank(s) > rank(old)) m.set(s.name, s);
      }
      this.byName = m;
    }
    return this.byName.get(name);
  }

  /**
   * The nearest function or notype symbol at or before `addr` in the section that contains `addr`
   * (like objdump's `<sym+off>`); an address outside every section but inside a PT_LOAD segment
   * uses the nearest code symbol of that segment. Mapping symbols ($x, $d) and absolute symbols are
   * ignored. When several symbols share an address, functions beat labels and global beats weak
   * beats local. For static-pie files pass link-time addresses (subtract the load bias).
   */
  symbolize(addr: number | bigint): SymbolizedAddress | undefined {
    const a = typeof addr === 'bigint' ? toNumberOrNaN(addr) : addr;
    if (!Number.isSafeInteger(a) || a < 0) return undefined;
    const idx = this.symbolIndex();
    let symbol: ElfSymbol | undefined;
    const sec = idx.sectionAt(a);
    const list = sec === undefined ? undefined : idx.codeSymbols.get(sec);
    if (list) symbol = list.symbols[upperBound(list.values, a) - 1];
    if (!symbol) {
      // Not covered by a section symbol (e.g. the ELF header at the start of the first segment):
      // take the nearest code symbol that is in the same PT_LOAD segment.
      const seg = this.programHeaders.find(p => p.type === PT_LOAD && BigInt(a) >= p.vaddr && BigInt(a) < p.vaddr + p.memsz);
      if (!seg) return undefined;
      const cand = idx.allCode.symbols[upperBound(idx.allCode.values, a) - 1];
      if (!cand || cand.value < Number(seg.vaddr)) return undefined;
      symbol = cand;
    }
    const offset = a - symbol.value;
    return { symbol, offset, label: offset === 0 ? symbol.name : `${symbol.name}+${hex(offset)}` };
  }

  /** The data object (STT_OBJECT/STT_TLS... with a size) whose extent contains `addr`, if any. */
  objectAt(addr: number | bigint): SymbolizedAddress | undefined {
    const a = typeof addr === 'bigint' ? toNumberOrNaN(addr) : addr;
    if (!Number.isSafeInteger(a) || a < 0) return undefined;
    const { objects } = this.symbolIndex();
    const i = upperBound(objects.values, a) - 1;
    // Objects may nest (aliases of different sizes); look back over the ones starting at the same place.
    for (let j = i; j >= 0 && j > i - 8; j--) {
      const s = objects.symbols[j];
      if (a < s.value + s.size) {
        const offset = a - s.value;
        return { symbol: s, offset, label: offset === 0 ? s.name : `${s.name}+${hex(offset)}` };
      }
    }
    return undefined;
  }

  /**
   * The DWARF line table from .debug_line (parsed on first use), or undefined when the file has no
   * .debug_line. Sequences that do not start inside an executable PT_LOAD segment (code removed by
   * --gc-sections, tombstoned to 0 or -1) are left out of the address/line lookups. Malformed DWARF
   * throws an ElfError (naming .debug_line+offset) on every access; the rest of the file stays usable.
   */
  get lineTable(): LineTable | undefined {
    if (this.linesError) throw this.linesError;
    if (this.lines === undefined) {
      try { this.lines = this.parseLineTable(); } catch (e) {
        if (e instanceof ElfError) this.linesError = e;
        throw e;
      }
    }
    return this.lines ?? undefined;
  }

  private parseLineTable(): LineTable | null {
    const debugLine = this.section('.debug_line');
    if (!debugLine || debugLine.type === SHT_NOBITS) return null;
    const warnings: string[] = [];
    const optional = (name: string) => (this.section(name) ? this.sectionData(name) : undefined);
    let compDirs = new Map<number, string>();
    const info = this.section('.debug_info'), abbrev = this.section('.debug_abbrev');
    if (info && abbrev) {
      compDirs = readCompDirs({
        debugInfo: this.sectionData(info), debugAbbrev: this.sectionData(abbrev),
        debugStr: optional('.debug_str'), debugLineStr: optional('.debug_line_str'),
      }, warnings, this.name);
    }
    const exec = this.loadSegments.filter(p => p.flags & PF_X).map(p => [Number(p.vaddr), Number(p.vaddr + p.memsz)] as const);
    return parseDebugLine({
      debugLine: this.sectionData(debugLine),
      debugLineStr: optional('.debug_line_str'),
      debugStr: optional('.debug_str'),
      compDirs,
    }, {
      file: this.name,
      warnings,
      keepSequence: (start) => exec.some(([lo, hi]) => start >= lo && start < hi),
    });
  }

  /**
   * Where a breakpoint on `file:line` goes: the first line at or after `line` that has code, and the
   * lowest entry address of that line in each function (like gdb, a `for` line gets one location per
   * function, not one per loop part). `file` is a full path or a basename.
   */
  breakpointLocations(file: string, line: number): { file: string; line: number; addresses: number[] } | undefined {
    const lt = this.lineTable;
    if (!lt) return undefined;
    const r = lt.resolveLine(file, line);
    if (!r) return undefined;
    const best = new Map<string, number>();
    for (const a of r.addresses) {
      const s = this.symbolize(a);
      const key = s && s.symbol.type === 'func' ? `f${s.symbol.value}` : `a${a}`;
      const old = best.get(key);
      if (old === undefined || a < old) best.set(key, a);
    }
    return { file: r.file, line: r.line, addresses: [...best.values()].sort((x, y) => x - y) };
  }

  // ---------------------------------------------------------------------------------------------

  private fail(detail: string): never { throw new ElfError(detail, this.name); }

  private readHeader(): ElfHeader {
    const b = this.bytes, n = b.length;
    if (n < 4 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
      if (n === 0) this.fail('not an ELF file: the file is empty');
      const got = Array.from(b.subarray(0, 4), x => x.toString(16).padStart(2, '0')).join(' ');
      this.fail(`not an ELF file: bad magic bytes ${got} (expected 7f 45 4c 46)`);
    }
    if (n < 7) this.fail(`truncated ELF header: file is ${n} bytes, an ELF64 header needs ${ELF64_EHDR_SIZE}`);
    const cls = b[4], data = b[5], version = b[6];
    if (cls === 1) this.fail('32-bit ELF (ELFCLASS32) is not supported: only ELF64 AArch64 executables can be loaded');
    if (cls !== 2) this.fail(`invalid ELF class ${cls} in e_ident[EI_CLASS] (expected 2, ELFCLASS64)`);
    if (data === 2) this.fail('big-endian ELF (ELFDATA2MSB) is not supported: AArch64 Linux executables are little-endian');
    if (data !== 1) this.fail(`invalid data encoding ${data} in e_ident[EI_DATA] (expected 1, ELFDATA2LSB)`);
    if (version !== 1) this.fail(`unsupported ELF version ${version} in e_ident[EI_VERSION] (expected 1)`);
    if (n < ELF64_EHDR_SIZE) this.fail(`truncated ELF header: file is ${n} bytes, an ELF64 header needs ${ELF64_EHDR_SIZE}`);
    const v = this.view;
    const type = v.getUint16(16, true), machine = v.getUint16(18, true);
    if (machine !== EM_AARCH64) this.fail(`wrong machine: e_machine is ${machineName(machine)}, expected EM_AARCH64 (183)`);
    if (type !== ET_EXEC && type !== ET_DYN) {
      const what = type === 1 ? ' (relocatable object: link it first)' : type === 4 ? ' (core dump)' : '';
      this.fail(`e_type is ${elfTypeName(type)}${what}: only static executables (ET_EXEC, or static-pie ET_DYN) are supported`);
    }
    const h: ElfHeader = {
      type, typeName: elfTypeName(type), machine, osabi: b[7],
      entry: v.getBigUint64(24, true),
      phoff: this.fileOffset(v.getBigUint64(32, true), 'e_phoff'),
      shoff: this.fileOffset(v.getBigUint64(40, true), 'e_shoff'),
      flags: v.getUint32(48, true),
      phentsize: v.getUint16(54, true), phnum: v.getUint16(56, true),
      shentsize: v.getUint16(58, true), shnum: v.getUint16(60, true), shstrndx: v.getUint16(62, true),
    };
    const ehsize = v.getUint16(52, true);
    if (ehsize < ELF64_EHDR_SIZE) this.fail(`e_ehsize is ${ehsize}, expected ${ELF64_EHDR_SIZE}`);
    // Extended numbering: counts that do not fit in 16 bits live in section header 0.
    if (h.shoff !== 0 && (h.shnum === 0 || h.shstrndx === SHN_XINDEX || h.phnum === PN_XNUM)) {
      if (h.shentsize !== ELF64_SHDR_SIZE) this.fail(`e_shentsize is ${h.shentsize}, expected ${ELF64_SHDR_SIZE}`);
      this.checkRange(h.shoff, ELF64_SHDR_SIZE, 'section header 0 (extended numbering)');
      if (h.shnum === 0) h.shnum = this.fileOffset(v.getBigUint64(h.shoff + 32, true), 'section header 0 sh_size (section count)');
      if (h.shstrndx === SHN_XINDEX) h.shstrndx = v.getUint32(h.shoff + 40, true);
      if (h.phnum === PN_XNUM) h.phnum = v.getUint32(h.shoff + 44, true);
    }
    return h;
  }

  private readProgramHeaders(): ProgramHeader[] {
    const h = this.header, v = this.view;
    if (h.phnum === 0) this.fail('no program headers (e_phnum is 0): nothing to load');
    if (h.phentsize !== ELF64_PHDR_SIZE) this.fail(`e_phentsize is ${h.phentsize}, expected ${ELF64_PHDR_SIZE}`);
    this.checkTable(h.phoff, h.phnum, ELF64_PHDR_SIZE, 'program header table');
    const out: ProgramHeader[] = [];
    for (let i = 0; i < h.phnum; i++) {
      const o = h.phoff + i * ELF64_PHDR_SIZE;
      const type = v.getUint32(o, true);
      const typeName = segmentTypeName(type);
      const rawOffset = v.getBigUint64(o + 8, true), rawFilesz = v.getBigUint64(o + 32, true);
      const ph: ProgramHeader = {
        index: i, type, typeName, flags: v.getUint32(o + 4, true),
        offset: 0, vaddr: v.getBigUint64(o + 16, true), paddr: v.getBigUint64(o + 24, true),
        filesz: 0, memsz: v.getBigUint64(o + 40, true), align: v.getBigUint64(o + 48, true),
      };
      const where = `program header ${i} (${typeName} at ${hex(ph.vaddr)})`;
      if (rawFilesz > 0n && rawOffset + rawFilesz > BigInt(this.bytes.length)) {
        this.fail(`${where}: file bytes [${hex(rawOffset)}, +${hex(rawFilesz)}) extend past end of file (size ${hex(this.bytes.length)})`);
      }
      ph.offset = Number(rawOffset > BigInt(this.bytes.length) ? BigInt(this.bytes.length) : rawOffset);
      ph.filesz = Number(rawFilesz);
      if (type === PT_LOAD) {
        if (rawFilesz > ph.memsz) this.fail(`${where}: p_filesz ${hex(rawFilesz)} is larger than p_memsz ${hex(ph.memsz)}`);
        if (ph.vaddr + ph.memsz > MAX_U64 + 1n) this.fail(`${where}: segment [${hex(ph.vaddr)}, +${hex(ph.memsz)}) wraps around the end of the address space`);
        if (ph.vaddr + ph.memsz > USER_VA_LIMIT) this.fail(`${where}: segment [${hex(ph.vaddr)}, +${hex(ph.memsz)}) is outside the 48-bit user address space`);
        if (ph.align > 1n) {
          if ((ph.align & (ph.align - 1n)) !== 0n) this.fail(`${where}: p_align ${hex(ph.align)} is not a power of two`);
          if (rawOffset % ph.align !== ph.vaddr % ph.align) {
            this.fail(`${where}: p_offset ${hex(rawOffset)} and p_vaddr ${hex(ph.vaddr)} are not congruent modulo p_align ${hex(ph.align)}`);
          }
        }
      } else if (type === PT_INTERP) {
        const s = this.bytes.subarray(ph.offset, ph.offset + ph.filesz);
        const z = s.indexOf(0);
        const interp = utf8.decode(z >= 0 ? s.subarray(0, z) : s);
        this.fail(`${where}: dynamically linked executable (interpreter ${interp || '(empty)'}): only static executables are supported`);
      }
      out.push(ph);
    }
    const loads = out.filter(p => p.type === PT_LOAD && p.memsz > 0n).sort((a, b) => (a.vaddr < b.vaddr ? -1 : a.vaddr > b.vaddr ? 1 : a.index - b.index));
    if (!out.some(p => p.type === PT_LOAD)) this.fail('no PT_LOAD segment: nothing to load');
    for (let i = 1; i < loads.length; i++) {
      const a = loads[i - 1], b = loads[i];
      if (b.vaddr < a.vaddr + a.memsz) {
        const [x, y] = a.index < b.index ? [a, b] : [b, a];
        this.fail(`program headers ${x.index} and ${y.index} (PT_LOAD): segments [${hex(x.vaddr)}, +${hex(x.memsz)}) and [${hex(y.vaddr)}, +${hex(y.memsz)}) overlap`);
      }
    }
    const e = this.header.entry;
    if (!out.some(p => p.type === PT_LOAD && (p.flags & PF_X) && e >= p.vaddr && e < p.vaddr + p.memsz)) {
      this.fail(`entry point ${hex(e)} (e_entry) is not inside an executable PT_LOAD segment`);
    }
    return out;
  }

  private readSections(): SectionHeader[] {
    const h = this.header, v = this.view;
    if (h.shoff === 0 || h.shnum === 0) return [];
    if (h.shentsize !== ELF64_SHDR_SIZE) this.fail(`e_shentsize is ${h.shentsize}, expected ${ELF64_SHDR_SIZE}`);
    this.checkTable(h.shoff, h.shnum, ELF64_SHDR_SIZE, 'section header table');
    const size = this.bytes.length;
    const out: SectionHeader[] = [];
    const nameOffsets: number[] = [];
    const pastEnd: (string | undefined)[] = [];
    for (let i = 0; i < h.shnum; i++) {
      const o = h.shoff + i * ELF64_SHDR_SIZE;
      const type = v.getUint32(o + 4, true);
      const rawOffset = v.getBigUint64(o + 24, true), rawSize = v.getBigUint64(o + 32, true);
      pastEnd.push(i > 0 && type !== SHT_NOBITS && type !== 0 && rawSize > 0n && rawOffset + rawSize > BigInt(size)
        ? `file bytes [${hex(rawOffset)}, +${hex(rawSize)}) extend past end of file (size ${hex(size)})` : undefined);
      nameOffsets.push(v.getUint32(o, true));
      out.push({
        index: i, name: '', type, typeName: sectionTypeName(type),
        flags: Number(v.getBigUint64(o + 8, true) & 0xffffffffn),
        addr: v.getBigUint64(o + 16, true),
        offset: Number(rawOffset > BigInt(size) ? BigInt(size) : rawOffset),
        size: Number(rawSize),
        link: v.getUint32(o + 40, true), info: v.getUint32(o + 44, true),
        addralign: Number(v.getBigUint64(o + 48, true)), entsize: Number(v.getBigUint64(o + 56, true)),
      });
    }
    if (h.shstrndx !== SHN_UNDEF) {
      if (h.shstrndx >= out.length) this.fail(`e_shstrndx ${h.shstrndx} is out of range (${out.length} section headers)`);
      const strtab = out[h.shstrndx];
      if (strtab.type !== SHT_STRTAB) this.fail(`e_shstrndx ${h.shstrndx} names a ${strtab.typeName} section, not a string table (SHT_STRTAB)`);
      if (pastEnd[h.shstrndx]) this.fail(`section ${h.shstrndx} (section name table): ${pastEnd[h.shstrndx]}`);
      const data = this.bytes.subarray(strtab.offset, strtab.offset + strtab.size);
      for (let i = 0; i < out.length; i++) {
        out[i].name = this.readString(data, nameOffsets[i], () => `section ${i}: sh_name`, `section ${h.shstrndx} (section name table)`);
      }
    }
    pastEnd.forEach((msg, i) => { if (msg) this.fail(`section ${i}${out[i].name ? ` (${out[i].name})` : ''}: ${msg}`); });
    return out;
  }

  private readSymbols(symtab: SectionHeader): ElfSymbol[] {
    const where = `section ${symtab.index} (${symtab.name})`;
    if (symtab.entsize !== ELF64_SYM_SIZE) this.fail(`${where}: sh_entsize is ${symtab.entsize}, expected ${ELF64_SYM_SIZE}`);
    if (symtab.size % ELF64_SYM_SIZE !== 0) this.fail(`${where}: size ${hex(symtab.size)} is not a multiple of the symbol size ${ELF64_SYM_SIZE}`);
    const strsec = this.sections[symtab.link];
    if (!strsec || strsec.type !== SHT_STRTAB) this.fail(`${where}: sh_link ${symtab.link} does not name a string table`);
    const strs = this.sectionData(strsec);
    const strWhere = `section ${strsec.index} (${strsec.name})`;
    const xsec = this.sections.find(s => s.type === SHT_SYMTAB_SHNDX && s.link === symtab.index);
    const xdata = xsec ? this.sectionData(xsec) : undefined;
    const v = this.view, count = symtab.size / ELF64_SYM_SIZE;
    const out: ElfSymbol[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const o = symtab.offset + i * ELF64_SYM_SIZE;
      const info = this.bytes[o + 4], other = this.bytes[o + 5];
      let shndx = v.getUint16(o + 6, true);
      const extended = shndx === SHN_XINDEX;
      if (extended) {
        if (!xdata || xdata.length < (i + 1) * 4) this.fail(`symbol ${i} in ${where}: st_shndx is SHN_XINDEX but there is no SHT_SYMTAB_SHNDX entry for it`);
        shndx = new DataView(xdata.buffer, xdata.byteOffset, xdata.byteLength).getUint32(i * 4, true);
      }
      const value64 = v.getBigUint64(o + 8, true);
      const sym: ElfSymbol = {
        index: i,
        name: this.readString(strs, v.getUint32(o, true), () => `symbol ${i} in ${where}: st_name`, strWhere),
        value: Number(value64), value64,
        size: Number(v.getBigUint64(o + 16, true)),
        type: SYM_TYPES[info & 0xf] ?? 'other',
        bind: SYM_BINDS[info >> 4] ?? 'other',
        visibility: SYM_VIS[other & 3],
        shndx,
      };
      if (extended || (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE)) {
        const sec = this.sections[shndx];
        if (!sec) this.fail(`symbol ${i} (${sym.name || 'unnamed'}) in ${where}: section index ${shndx} is out of range (${this.sections.length} sections)`);
        sym.section = sec.name;
      }
      out[i] = sym;
    }
    return out;
  }

  private symbolIndex(): SymbolIndex {
    return this.symIndex ??= new SymbolIndex(this.sections, this.symbols);
  }

  /** Reads a NUL-terminated string at `off` inside a string table's bytes. */
  private readString(table: Uint8Array, off: number, field: () => string, tableWhere: string): string {
    if (off >= table.length) {
      if (off === 0) return '';
      this.fail(`${field()} offset ${hex(off)} is outside ${tableWhere} (size ${hex(table.length)})`);
    }
    const end = table.indexOf(0, off);
    if (end < 0) this.fail(`${field()} at offset ${hex(off)} in ${tableWhere} is not NUL-terminated`);
    if (end === off) return '';
    // Fast path for short ASCII names (nearly all of them).
    if (end - off <= 256) {
      let ascii = true;
      for (let i = off; i < end; i++) if (table[i] >= 0x80) { ascii = false; break; }
      if (ascii) return String.fromCharCode.apply(null, Array.from(table.subarray(off, end)));
    }
    return utf8.decode(table.subarray(off, end));
  }

  private fileOffset(v: bigint, field: string): number {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${field} ${hex(v)} is beyond any file`);
    return Number(v);
  }

  private checkRange(off: number, len: number, what: string): void {
    if (off + len > this.bytes.length) {
      this.fail(`truncated ${what}: [${hex(off)}, +${hex(len)}) extends past end of file (size ${hex(this.bytes.length)})`);
    }
  }

  private checkTable(off: number, count: number, entsize: number, what: string): void {
    if (off + count * entsize > this.bytes.length) {
      this.fail(`truncated ${what}: ${count} entries of ${entsize} bytes at [${hex(off)}, +${hex(count * entsize)}) extend past end of file (size ${hex(this.bytes.length)})`);
    }
  }
}

/** Sorted lookup structures for symbolize()/objectAt(), built on first use. */
class SymbolIndex {
  /** Allocated, non-empty sections sorted by address: start, end, index. */
  private secStart: Float64Array;
  private secEnd: Float64Array;
  private secIndex: Int32Array;
  readonly codeSymbols = new Map<number, { values: Float64Array; symbols: ElfSymbol[] }>();
  readonly objects: { values: Float64Array; symbols: ElfSymbol[] };
  /** All code symbols of all sections, one per address. */
  readonly allCode: { values: Float64Array; symbols: ElfSymbol[] };

  constructor(sections: readonly SectionHeader[], symbols: readonly ElfSymbol[]) {
    // .tbss occupies no address space of its own (it overlaps whatever follows), so it is left out.
    const alloc = sections.filter(s => (s.flags & SHF_ALLOC) && s.size > 0 && s.addr < (1n << 53n)
      && !((s.flags & SHF_TLS) && s.type === SHT_NOBITS))
      .sort((a, b) => Number(a.addr - b.addr));
    this.secStart = Float64Array.from(alloc, s => Number(s.addr));
    this.secEnd = Float64Array.from(alloc, s => Number(s.addr) + s.size);
    this.secIndex = Int32Array.from(alloc, s => s.index);

    const rank = (s: ElfSymbol) => (s.type === 'func' ? 4 : 0) + (s.bind === 'global' ? 2 : s.bind === 'weak' ? 1 : 0);
    const byValueThenRank = (a: ElfSymbol, b: ElfSymbol) =>
      a.value - b.value || rank(a) - rank(b) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
    const per = new Map<number, ElfSymbol[]>();
    const objs: ElfSymbol[] = [];
    for (const s of symbols) {
      if (!s.name || s.shndx === SHN_UNDEF || s.shndx === SHN_ABS || s.shndx === SHN_COMMON) continue;
      if (s.type === 'func' || s.type === 'notype' || s.type === 'ifunc') {
        if (isMappingSymbol(s.name)) continue;
        let l = per.get(s.shndx);
        if (!l) per.set(s.shndx, l = []);
        l.push(s);
      } else if ((s.type === 'object' || s.type === 'tls' || s.type === 'common') && s.size > 0) {
        objs.push(s);
      }
    }
    // Keep only the preferred symbol per address (the last one after sorting).
    const preferred = (l: ElfSymbol[]) => l.sort(byValueThenRank).filter((s, i) => i + 1 === l.length || l[i + 1].value !== s.value);
    const all: ElfSymbol[] = [];
    for (const [shndx, l] of per) {
      const kept = preferred(l);
      this.codeSymbols.set(shndx, { values: Float64Array.from(kept, s => s.value), symbols: kept });
      all.push(...kept);
    }
    const allKept = preferred(all);
    this.allCode = { values: Float64Array.from(allKept, s => s.value), symbols: allKept };
    objs.sort((a, b) => a.value - b.value || a.size - b.size);
    this.objects = { values: Float64Array.from(objs, s => s.value), symbols: objs };
  }

  /** Index of the allocated section containing `a`. */
  sectionAt(a: number): number | undefined {
    const i = upperBound(this.secStart, a) - 1;
    // Sections can nest or touch (.tbss overlaps following sections); look back a few.
    for (let j = i; j >= 0 && j > i - 4; j--) if (a < this.secEnd[j]) return this.secIndex[j];
    return undefined;
  }
}

/** AArch64/ARM mapping symbols: $x, $d, $a, $t, optionally followed by `.anything`. */
function isMappingSymbol(n: string): boolean {
  return n.length >= 2 && n[0] === '$' && 'xdat'.includes(n[1]) && (n.length === 2 || n[2] === '.');
}

/** First index whose value is > x. */
function upperBound(arr: Float64Array, x: number): number {
  let lo = 0, hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] <= x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function toNumberOrNaN(v: bigint): number {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= 0n ? Number(v) : NaN;
}
