// Public API of the ELF layer.
export { ElfError, hex } from './errors';
export * from './constants';
export {
  parseElf, ElfFile,
  type ElfHeader, type ProgramHeader, type SectionHeader, type ElfSymbol, type SymbolType,
  type SymbolBind, type SymbolVisibility, type SymbolizedAddress,
} from './reader';
export {
  parseDebugLine, readCompDirs, normalizePath, LineTable,
  type LineRow, type LineFileEntry, type LineProgramHeader, type LineSequence, type DebugLineSections,
  type ParseDebugLineOptions, type DebugInfoSections,
} from './dwarf-line';
export {
  writeElf,
  type WriteElfInput, type WriteSegment, type WriteSymbol, type WriteLine, type SegmentFlags,
} from './writer';
