// ELF64 constants (System V gABI, AArch64 ELF ABI) and their printable names.

export const ET_NONE = 0, ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
export const EM_AARCH64 = 183;

export const PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_SHLIB = 5,
  PT_PHDR = 6, PT_TLS = 7;
export const PT_GNU_EH_FRAME = 0x6474e550, PT_GNU_STACK = 0x6474e551, PT_GNU_RELRO = 0x6474e552,
  PT_GNU_PROPERTY = 0x6474e553;
/** MTE tag dump in core files (PT_LOPROC + 2), linux/elf.h. */
export const PT_AARCH64_MEMTAG_MTE = 0x70000002;
export const PT_AARCH64_ARCHEXT = 0x70000000;

export const PF_X = 1, PF_W = 2, PF_R = 4;

export const SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4,
  SHT_HASH = 5, SHT_DYNAMIC = 6, SHT_NOTE = 7, SHT_NOBITS = 8, SHT_REL = 9, SHT_DYNSYM = 11,
  SHT_INIT_ARRAY = 14, SHT_FINI_ARRAY = 15, SHT_PREINIT_ARRAY = 16, SHT_GROUP = 17,
  SHT_SYMTAB_SHNDX = 18;

export const SHF_WRITE = 0x1, SHF_ALLOC = 0x2, SHF_EXECINSTR = 0x4, SHF_MERGE = 0x10,
  SHF_STRINGS = 0x20, SHF_INFO_LINK = 0x40, SHF_TLS = 0x400;

export const SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2,
  SHN_XINDEX = 0xffff;
export const PN_XNUM = 0xffff;

export const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4,
  STT_COMMON = 5, STT_TLS = 6, STT_GNU_IFUNC = 10;
export const STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2, STB_GNU_UNIQUE = 10;

export const ELF64_EHDR_SIZE = 64, ELF64_PHDR_SIZE = 56, ELF64_SHDR_SIZE = 64, ELF64_SYM_SIZE = 24;

const MACHINES: Record<number, string> = {
  0: 'EM_NONE', 2: 'EM_SPARC', 3: 'EM_386', 4: 'EM_68K', 8: 'EM_MIPS', 20: 'EM_PPC', 21: 'EM_PPC64',
  22: 'EM_S390', 40: 'EM_ARM', 42: 'EM_SH', 43: 'EM_SPARCV9', 50: 'EM_IA_64', 62: 'EM_X86_64',
  183: 'EM_AARCH64', 243: 'EM_RISCV', 247: 'EM_BPF', 258: 'EM_LOONGARCH',
};

/** `EM_X86_64 (62)` or `machine 1234` for unknown values. */
export function machineName(m: number): string {
  const n = MACHINES[m];
  return n ? `${n} (${m})` : `machine ${m}`;
}

const ELF_TYPES: Record<number, string> = { 0: 'ET_NONE', 1: 'ET_REL', 2: 'ET_EXEC', 3: 'ET_DYN', 4: 'ET_CORE' };
export function elfTypeName(t: number): string { return ELF_TYPES[t] ?? `type ${hex16(t)}`; }

const PT_NAMES: Record<number, string> = {
  0: 'PT_NULL', 1: 'PT_LOAD', 2: 'PT_DYNAMIC', 3: 'PT_INTERP', 4: 'PT_NOTE', 5: 'PT_SHLIB',
  6: 'PT_PHDR', 7: 'PT_TLS', [PT_GNU_EH_FRAME]: 'PT_GNU_EH_FRAME', [PT_GNU_STACK]: 'PT_GNU_STACK',
  [PT_GNU_RELRO]: 'PT_GNU_RELRO', [PT_GNU_PROPERTY]: 'PT_GNU_PROPERTY',
  [PT_AARCH64_ARCHEXT]: 'PT_AARCH64_ARCHEXT', [PT_AARCH64_MEMTAG_MTE]: 'PT_AARCH64_MEMTAG_MTE',
};
export function segmentTypeName(t: number): string { return PT_NAMES[t] ?? `PT_${hex16(t)}`; }

const SHT_NAMES: Record<number, string> = {
  0: 'SHT_NULL', 1: 'SHT_PROGBITS', 2: 'SHT_SYMTAB', 3: 'SHT_STRTAB', 4: 'SHT_RELA', 5: 'SHT_HASH',
  6: 'SHT_DYNAMIC', 7: 'SHT_NOTE', 8: 'SHT_NOBITS', 9: 'SHT_REL', 11: 'SHT_DYNSYM',
  14: 'SHT_INIT_ARRAY', 15: 'SHT_FINI_ARRAY', 16: 'SHT_PREINIT_ARRAY', 17: 'SHT_GROUP',
  18: 'SHT_SYMTAB_SHNDX',
};
export function sectionTypeName(t: number): string { return SHT_NAMES[t] ?? `SHT_${hex16(t)}`; }

function hex16(v: number): string { return '0x' + v.toString(16); }
