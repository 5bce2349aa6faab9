// `tagvisor disasm`: an objdump -d style listing of the executable sections of an ELF (or of an
// assembled source): address, word, text, symbol labels, `.word` for data.
import { SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS, type ElfFile } from '../elf';
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

interface SymEntry { value: number; name: string; key: string }

/**
 * objdump's way of naming an address: the nearest symbol at or below it in the section that holds
 * it (functions, objects and labels; not mapping or file symbols), else the section name + offset;
 * an address outside every section takes the nearest symbol of any section. Among symbols at the
 * same address objdump's order decides: functions, then non-locals, then globals, then names not
 * starting with '.', then by name.
 */
export class Symbolizer {
  private readonly bySection = new Map<number, SymEntry[]>();
  private readonly all: SymEntry[] = [];
  private readonly sections: { index: number; name: string; start: number; end: number }[];

  constructor(readonly elf: ElfFile) {
    this.sections = elf.sections
      .filter(s => (s.flags & SHF_ALLOC) && s.size > 0)
      .map(s => ({ index: s.index, name: s.name, start: Number(s.addr), end: Number(s.addr) + s.size }));
    for (const s of elf.symbols) {
      if (!s.name || s.name.startsWith('$') || s.type === 'section' || s.type === 'file' || s.shndx === 0 || s.shndx === 0xfff2) continue;
      const key = `${s.type === 'func' ? 0 : 1}${s.bind === 'local' ? 1 : 0}${s.bind === 'global' ? 0 : 1}${s.name.startsWith('.') ? 1 : 0}`;
      const e: SymEntry = { value: s.value, name: s.name, key };
      this.all.push(e);
      if (s.shndx >= 0xff00) continue;
      let l = this.bySection.get(s.shndx);
      if (!l) this.bySection.set(s.shndx, l = []);
      l.push(e);
    }
    const cmp = (a: SymEntry, b: SymEntry) => a.value - b.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const l of this.bySection.values()) l.sort(cmp);
    this.all.sort(cmp);
  }

  private section(a: number) { return this.sections.find(s => a >= s.start && a < s.end); }

  /** The first (preferred) entry at the highest address <= a in l, or undefined. */
  private static best(l: SymEntry[], a: number): SymEntry | undefined {
    let lo = 0, hi = l.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (l[m].value <= a) lo = m + 1; else hi = m; }
    if (lo === 0) return undefined;
    let k = lo - 1;
    while (k > 0 && l[k - 1].value === l[lo - 1].value) k--;
    return l[k];
  }

  /** The symbol exactly at a (for `<label>:` lines). */
  labelAt(a: number): string | undefined {
    const sec = this.section(a);
    const e = sec && Symbolizer.best(this.bySection.get(sec.index) ?? [], a);
    return e && e.value === a ? e.name : undefined;
  }

  /** `name`, `name+0x10` or `.section+0x10`. */
  label(a: number): string | undefined {
    const sec = this.section(a);
    const e = sec ? Symbolizer.best(this.bySection.get(sec.index) ?? [], a) : Symbolizer.best(this.all, a);
    if (!e) return sec ? (a === sec.start ? sec.name : `${sec.name}+0x${(a - sec.start).toString(16)}`) : undefined;
    return a === e.value ? e.name : `${e.name}+0x${(a - e.value).toString(16)}`;
  }

  /** Addresses of all symbols in a section, sorted (the regions objdump disassembles one by one). */
  starts(index: number): number[] { return [...new Set((this.bySection.get(index) ?? []).map(e => e.value))]; }
}

export function listing(elf: ElfFile, displayName: string, dataRanges?: [bigint, bigint][]): string {
  const out: string[] = ['', `${displayName}:     file format elf64-littleaarch64`, ''];
  const syms = new Symbolizer(elf);
  const sym = (a: number) => syms.label(a);
  // Mapping symbols ($d / $x) say where data sits inside code.
  const maps = elf.symbols.filter(s => /^\$[dx](\.|$)/.test(s.name)).map(s => ({ at: s.value, data: s.name.startsWith('$d') })).sort((a, b) => a.at - b.at);
  let mi = 0, mdata = false;
  const isData = (a: number): boolean => {
    if (dataRanges) return dataRanges.some(([lo, hi]) => BigInt(a) >= lo && BigInt(a) < hi);
    while (mi < maps.length && maps[mi].at <= a) mdata = maps[mi++].data;
    return mdata;
  };
  for (const sec of elf.sections) {
    if (!(sec.flags & SHF_EXECINSTR) || sec.type === SHT_NOBITS || sec.size === 0) continue;
    out.push('', `Disassembly of section ${sec.name}:`);
    mi = 0; mdata = false;
    const data = elf.sectionData(sec);
    const base = Number(sec.addr);
    const stops = syms.starts(sec.index).filter(v => v > base && v < base + data.length);
    stops.push(base + data.length);
    let si = 0;
    if (!syms.labelAt(base)) out.push('', `${base.toString(16).padStart(16, '0')} <${sec.name}>:`);
    const word = (o: number) => (data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24)) >>> 0;
    let off = 0;
    while (off + 4 <= data.length) {
      const a = base + off;
      const l = syms.labelAt(a);
      if (l) out.push('', `${a.toString(16).padStart(16, '0')} <${l}>:`);
      while (stops[si] <= a) si++;
      // objdump prints "..." for 8 or more zero bytes up to the next symbol.
      let z = off;
      const stop = stops[si] - base;
      while (z < stop && data[z] === 0) z++;
      if (z - off >= 8) {
        out.push('\t...');
        off += (z - off) - ((z - off) % 4);
        continue;
      }
      const w = word(off);
      const text = isData(a) ? `.word\t0x${w.toString(16).padStart(8, '0')}` : formatInsn(w, a, sym);
      out.push(`${a.toString(16).padStart(8)}:\t${w.toString(16).padStart(8, '0')} \t${text}`);
      off += 4;
    }
    // A tail shorter than a word: .short then .byte, like objdump.
    let a = base + off;
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
