// The program's symbols at run-time addresses. The ELF symbol table holds link-time values; a
// static-pie is loaded `loadBias` bytes away from them (emulator/linux picks the base), so every
// address <-> symbol question the debugger asks goes through here, where the bias is applied once.
// (The source lines' counterpart is source-map.ts's `sourceMapFor(..., loadBias)`.)
import type { ElfFile, ElfSymbol } from '../elf';

/** SHN_ABS: the value is a number, not an address in the image. */
const SHN_ABS = 0xfff1;

export interface RuntimeSymbol {
  /** The ELF symbol (link-time `value`). */
  symbol: ElfSymbol;
  name: string;
  /** Where the symbol is now (run-time address). */
  address: number;
  /** addr - address (>= 0). */
  offset: number;
  /** `name` or `name+0x10`. */
  label: string;
}

export class ProgramSymbols {
  constructor(readonly elf: ElfFile, readonly loadBias: number) {}

  /**
   * The code symbol at or before a run-time address, as objdump shows it (`<name+off>`; see
   * ElfFile.symbolize), or undefined. A malformed symbol table reads as no symbol.
   */
  symbolize(addr: number): RuntimeSymbol | undefined {
    let s;
    try { s = this.elf.symbolize(addr - this.loadBias); } catch { return undefined; }
    if (!s) return undefined;
    return { symbol: s.symbol, name: s.symbol.name, address: s.symbol.value + this.loadBias, offset: s.offset, label: s.label };
  }

  /** `name+0x10` for a run-time address, or undefined. */
  label(addr: number): string | undefined { return this.symbolize(addr)?.label; }

  /** Start (run-time) of the function or label containing addr, if known. */
  functionStart(addr: number): number | undefined { return this.symbolize(addr)?.address; }

  /**
   * The value of a defined symbol by name as the running program sees it: its run-time address, or
   * its plain value for absolute (SHN_ABS) and thread-local symbols (offsets, not addresses).
   */
  value(name: string): bigint | undefined {
    const s = this.elf.symbol(name);
    if (!s) return undefined;
    return s.shndx === SHN_ABS || s.type === 'tls' ? s.value64 : s.value64 + BigInt(this.loadBias);
  }

  /**
   * `value(name)` as a number for a breakpoint on a function (or label); undefined when there is no
   * such symbol or its value is 0 (nothing there: e.g. an undefined weak symbol).
   */
  breakAddress(name: string): number | undefined {
    const s = this.elf.symbol(name);
    if (!s || s.value === 0) return undefined;
    return Number(this.value(name)!);
  }
}
