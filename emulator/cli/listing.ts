// `tagvisor disasm`: an objdump -d style listing of the executable sections of an ELF (or of an
// assembled source): address, word, text, symbol labels, `.word` for data.
import { SHF_EXECINSTR, SHT_NOBITS, type ElfFile } from '../elf';
import { A64 } from '../isa/table';

/** objdump puts the comment after the operands padded to a column; we use a fixed width. */
export function formatInsn(word: number, pc: number, symbolize?: (a: number) => string | undefined): string {
  const d = A64.disassemble(word, { pc, symbolize });
  if (d.mnemonic === '.inst') return `.inst\t0x${(word >>> 0).toString(16).padStart(8, '0')} ; undefined`;
  if (!d.comment) return d.text;
  return `${d.mnemonic}\t${d.operands.padEnd(27)}\t// ${d.comment}`;
}

/** One line for traces: `mnemonic operands  // comment`. */
export function insnLine(word: number, pc: number, symbolize?: (a: number) => string | undefined): string {
  const d = A64.disassemble(word, { pc, symbolize });
  if (d.mnemonic === '.inst') return `.inst 0x${(word >>> 0).toString(16).padStart(8, '0')} (undefined)`;
  return `${d.mnemonic}${d.operands ? ' ' + d.operands : ''}${d.comment ? '  // ' + d.comment : ''}`;
}

export function listing(elf: ElfFile, displayName: string, dataRanges?: [bigint, bigint][]): string {
  const out: string[] = ['', `${displayName}:     file format elf64-littleaarch64`, ''];
  const sym = (a: number) => elf.symbolize(a)?.label;
  // Mapping symbols ($d / $x) say where data sits inside code.
  const maps = elf.symbols.filter(s => /^\$[dx](\.|$)/.test(s.name)).map(s => ({ at: s.value, data: s.name.startsWith('$d') })).sort((a, b) => a.at - b.at);
  const isData = (a: number): boolean => {
    if (dataRanges) return dataRanges.some(([lo, hi]) => BigInt(a) >= lo && BigInt(a) < hi);
    let d = false;
    for (const m of maps) { if (m.at <= a) d = m.data; else break; }
    return d;
  };
  const labels = new Map<number, string>();
  for (const s of elf.symbols) {
    if (!s.name || s.name.startsWith('$') || s.type === 'section' || s.type === 'file' || s.shndx === 0 || s.shndx >= 0xff00) continue;
    const best = elf.symbolize(s.value);
    if (best && best.offset === 0) labels.set(s.value, best.symbol.name);
  }
  for (const sec of elf.sections) {
    if (!(sec.flags & SHF_EXECINSTR) || sec.type === SHT_NOBITS || sec.size === 0) continue;
    out.push('', `Disassembly of section ${sec.name}:`);
    const data = elf.sectionData(sec);
    const base = Number(sec.addr);
    if (!labels.has(base)) out.push('', `${base.toString(16).padStart(16, '0')} <${sec.name}>:`);
    for (let off = 0; off + 4 <= data.length; off += 4) {
      const a = base + off;
      const l = labels.get(a);
      if (l) out.push('', `${a.toString(16).padStart(16, '0')} <${l}>:`);
      const word = (data[off] | (data[off + 1] << 8) | (data[off + 2] << 16) | (data[off + 3] << 24)) >>> 0;
      const text = isData(a) ? `.word\t0x${word.toString(16).padStart(8, '0')}` : formatInsn(word, a, sym);
      out.push(`${a.toString(16).padStart(8)}:\t${word.toString(16).padStart(8, '0')} \t${text}`);
    }
    // A tail shorter than a word: .short then .byte, like objdump.
    let a = base + data.length - (data.length % 4);
    if (data.length - (a - base) >= 2) {
      const v = (data[a - base] | (data[a - base + 1] << 8)).toString(16).padStart(4, '0');
      out.push(`${a.toString(16).padStart(8)}:\t${v}      \t.short\t0x${v}`);
      a += 2;
    }
    if (a - base < data.length) {
      const v = data[a - base].toString(16).padStart(2, '0');
      out.push(`${a.toString(16).padStart(8)}:\t${v}          \t.byte\t0x${v}`);
    }
  }
  return out.join('\n') + '\n';
}
