// Errors raised by the ELF / DWARF layer. Every message names the place: the file name, then the
// structure (header field, program header N, section N (name), .debug_line+offset...).

export class ElfError extends Error {
  /**
   * @param detail what is wrong and where inside the file (without the file name)
   * @param file   the file name shown as a prefix ("prog.elf: ..."); omitted when empty
   */
  constructor(public readonly detail: string, public readonly file = '') {
    super(file ? `${file}: ${detail}` : detail);
    this.name = 'ElfError';
  }
}

/** Formats a non-negative integer as 0x-prefixed lowercase hex. */
export function hex(v: number | bigint): string {
  return '0x' + v.toString(16);
}
