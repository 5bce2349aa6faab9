// The instruction table's schema. Every A64 instruction is described once, as data: its encoding
// pattern (decodetree-like), its operand syntax (a list of operand kinds bound to fields), its
// semantics hook and its hover text. Decoder, encoder (assembler), disassembler and the language
// server's hover are all derived from these descriptions (see table.ts).
import type { EncodeContext } from '../asm/types';
import type { Cpu } from '../cpu/cpu';

/** Decoded field values, by field name (unsigned raw bits). */
export type Fields = Record<string, number>;

/** One executable instruction, specialised at decode time. Returns nothing; writes c.npc to branch. */
export type Step = (c: Cpu) => void;

/** Context for formatting operands (symbolic branch targets like objdump). */
export interface DisasmContext {
  /** Address of the instruction. */
  pc: number;
  /** Optional symbolizer: name+offset for an address, objdump style `<sym+0x10>`. */
  symbolize?: (addr: number) => string | undefined;
}

/**
 * An operand kind bound to fields. `format` renders it for the disassembler (null = omitted
 * optional operand); `parse` reads one operand's text into fields for the assembler and returns
 * false if the text does not have this operand's shape (so another encoding can be tried);
 * it throws OperandError when the shape matches but the value is invalid (out of range...).
 */
export interface Operand {
  /** Short syntax for docs and hover, e.g. `<Xd|SP>`, `#<imm>{, LSL #12}`. */
  syntax: string;
  format(f: Fields, ctx: DisasmContext): string | null;
  parse(text: string, f: Fields, ctx: EncodeContext): boolean;
  /** May be absent in assembly (parse is then called with ''). */
  optional?: boolean;
  /** objdump-style trailing comment (e.g. `// #42`), if any. */
  comment?(f: Fields, ctx: DisasmContext): string | null;
}

/** A preferred spelling of an encoding (mov for orr, cmp for subs, lsl for ubfm ...). */
export interface AliasSpec {
  mnemonic: string | ((f: Fields) => string);
  operands: Operand[];
  /** Disassembly prefers this alias when it holds. */
  when: (f: Fields) => boolean;
  /** Field values implied by the alias when assembling (applied before `operands` are parsed). */
  fixed?: Fields;
  /**
   * For the assembler: runs after the operands are parsed to derive the remaining fields; may
   * return false to reject (then the next candidate is tried). Defaults to checking `when`.
   */
  complete?: (f: Fields, ctx: EncodeContext) => boolean;
  /** Accepted by the assembler only, never printed (e.g. alternative spellings). */
  asmOnly?: boolean;
}

export interface InsnSpec {
  /** Unique id, e.g. `ADD_imm`. */
  id: string;
  mnemonic: string | ((f: Fields) => string);
  /**
   * 32 bits from bit 31 down: runs of `0`/`1` (fixed), `x` (ignored when decoding, 0 when
   * encoding) and `name:len` fields. Spaces separate tokens. Example:
   * `sf:1 0 0 100010 sh:1 imm12:12 Rn:5 Rd:5`.
   */
  pattern: string;
  operands: Operand[];
  /** Extra decode condition for encodings that the pattern alone over-matches (unallocated). */
  valid?: (f: Fields) => boolean;
  /** Field values the assembler starts from (e.g. sf chosen by the register width parsed). */
  defaults?: Fields;
  /** Builds the specialised closure for these fields. */
  exec: (f: Fields) => Step;
  aliases?: AliasSpec[];
  /** One or two sentences for hover: what it does, and for MTE instructions its tag semantics. */
  hover: string;
  /** Grouping for docs, e.g. 'Data processing (immediate)', 'MTE'. */
  group: string;
  /** For mnemonics ambiguous by width only (e.g. mnemonic 'ldr'): lower wins when both parse. */
  priority?: number;
}

// ---- pattern compilation -------------------------------------------------------------------

export interface FieldPos { name: string; lsb: number; len: number }

export interface CompiledPattern { mask: number; value: number; fields: FieldPos[] }

export function compilePattern(id: string, pattern: string): CompiledPattern {
  let bit = 32;
  let mask = 0, value = 0;
  const fields: FieldPos[] = [];
  for (const tok of pattern.trim().split(/\s+/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*):(\d+)$/.exec(tok);
    if (m) {
      const len = Number(m[2]);
      bit -= len;
      fields.push({ name: m[1], lsb: bit, len });
      continue;
    }
    for (const ch of tok) {
      bit--;
      if (ch === '0' || ch === '1') {
        mask |= 1 << bit;
        if (ch === '1') value |= 1 << bit;
      } else if (ch !== 'x') throw new Error(`instruction table ${id}: bad pattern character '${ch}'`);
    }
  }
  if (bit !== 0) throw new Error(`instruction table ${id}: pattern has ${32 - bit} bits, not 32`);
  return { mask: mask >>> 0, value: value >>> 0, fields };
}

export function extractFields(p: CompiledPattern, word: number): Fields {
  const f: Fields = {};
  for (const fp of p.fields) {
    const v = fp.len === 32 ? word >>> 0 : (word >>> fp.lsb) & ((1 << fp.len) - 1);
    // A field name used twice (split fields) concatenates high part first.
    f[fp.name] = f[fp.name] === undefined ? v : f[fp.name] * 2 ** fp.len + v;
  }
  return f;
}

export function insertFields(id: string, p: CompiledPattern, f: Fields): number {
  let word = p.value;
  // Split fields: walk from the last (low) part upwards.
  const remaining: Record<string, number> = {};
  for (let i = p.fields.length - 1; i >= 0; i--) {
    const fp = p.fields[i];
    let v = remaining[fp.name] ?? f[fp.name];
    if (v === undefined) throw new Error(`instruction table ${id}: field ${fp.name} not set`);
    const part = fp.len === 32 ? v : v % 2 ** fp.len;
    remaining[fp.name] = Math.floor(v / 2 ** fp.len);
    word = (word | ((part << fp.lsb) >>> 0)) >>> 0;
    if (fp.len === 32) word = part >>> 0;
    v = 0;
  }
  return word >>> 0;
}
