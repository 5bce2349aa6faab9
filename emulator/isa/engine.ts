// Derives the decoder, the encoder (assembler back end), the disassembler and the hover text from
// the instruction descriptions. Nothing here knows any particular instruction.
import { OperandError, type EncodeContext } from '../asm/types';
import { JIT_HELPERS, TEMPLATES } from './jit';
import { splitTopLevel, withNamesAsSymbols } from './operands';
import {
  compilePattern, extractFields, insertFields,
  type AliasSpec, type CompiledPattern, type DisasmContext, type Fields, type InsnSpec, type Operand, type Step,
} from './spec';

interface Entry { spec: InsnSpec; pat: CompiledPattern; bits: number }
interface AsmForm { entry: Entry; alias?: AliasSpec; operands: Operand[] }

export interface Decoded { spec: InsnSpec; fields: Fields; word: number }

export interface Disassembly {
  mnemonic: string;
  operands: string;
  /** objdump-style trailing comment without the `// `, if any. */
  comment?: string;
  /** `mnemonic\toperands` (objdump layout) */
  text: string;
  spec?: InsnSpec;
}

const popcount = (x: number): number => { let n = 0; while (x) { n += x & 1; x >>>= 1; } return n; };
const mnemonicOf = (m: string | ((f: Fields) => string), f: Fields): string => (typeof m === 'string' ? m : m(f));

export class InstructionTable {
  private readonly entries: Entry[];
  /**
   * Decode buckets by instruction bits [31:21] (they include op0, bits [28:25], of the Arm ARM's
   * top-level table): each holds, most specific first, the entries whose fixed bits there agree.
   */
  private readonly buckets: Entry[][] = Array.from({ length: 2048 }, () => []);
  private readonly forms = new Map<string, AsmForm[]>();
  private readonly specificity = new Map<InsnSpec, number>();

  constructor(readonly specs: InsnSpec[]) {
    const ids = new Set<string>();
    this.entries = specs.map(spec => {
      if (ids.has(spec.id)) throw new Error(`instruction table: duplicate id ${spec.id}`);
      ids.add(spec.id);
      const pat = compilePattern(spec.id, spec.pattern);
      return { spec, pat, bits: popcount(pat.mask) };
    });
    for (const e of this.entries) this.specificity.set(e.spec, e.bits);
    // Most specific first, so special encodings win over the general pattern they sit inside.
    const sorted = [...this.entries].sort((a, b) => b.bits - a.bits);
    for (const e of sorted) {
      const m = e.pat.mask >>> 21, v = e.pat.value >>> 21;
      for (let top = 0; top < 2048; top++) if ((top & m) === v) this.buckets[top].push(e);
    }
    for (const e of this.entries) {
      for (const a of e.spec.aliases ?? []) {
        if (typeof a.mnemonic !== 'string') continue;
        this.addForm(a.mnemonic, { entry: e, alias: a, operands: a.operands });
      }
    }
    for (const e of this.entries) {
      // Specs whose mnemonic is computed from fields (b.<cond>) are assembled through asmOnly aliases.
      const m = e.spec.mnemonic;
      if (typeof m === 'string') this.addForm(m, { entry: e, operands: e.spec.operands });
    }
    for (const list of this.forms.values()) list.sort((a, b) => (a.entry.spec.priority ?? 0) - (b.entry.spec.priority ?? 0));
  }

  private addForm(name: string, form: AsmForm): void {
    const k = name.toLowerCase();
    let l = this.forms.get(k);
    if (!l) this.forms.set(k, l = []);
    l.push(form);
  }

  // ---- decoding --------------------------------------------------------------------------------

  decode(word: number): Decoded | undefined {
    word >>>= 0;
    for (const e of this.buckets[word >>> 21]) {
      if (((word & e.pat.mask) >>> 0) !== e.pat.value) continue;
      const fields = extractFields(e.pat, word);
      if (e.spec.valid && !e.spec.valid(fields)) continue;
      return { spec: e.spec, fields, word };
    }
    return undefined;
  }

  /** The specialised closure for a word, or undefined if the word is not an instruction we know. */
  compile(word: number): Step | undefined {
    const d = this.decode(word);
    return d ? d.spec.exec(d.fields) : undefined;
  }

  /** Helpers in scope of JIT template source (see jit.ts). */
  readonly jitHelpers = JIT_HELPERS;

  /**
   * JavaScript source of the word's fast path for the CPU's block compiler (jit.ts), for the
   * instruction at `pc`; undefined when its spec has no template (the block calls its closure).
   */
  jitSource(word: number, pc: number): string | undefined {
    const d = this.decode(word);
    if (!d) return undefined;
    const t = TEMPLATES[d.spec.id];
    return t ? t(d.fields, pc) : undefined;
  }

  // ---- disassembly -----------------------------------------------------------------------------

  disassemble(word: number, ctx: DisasmContext): Disassembly {
    const d = this.decode(word);
    if (!d) return { mnemonic: '.inst', operands: '0x' + (word >>> 0).toString(16).padStart(8, '0'), text: `.inst\t0x${(word >>> 0).toString(16).padStart(8, '0')}`, comment: 'undefined' };
    return this.format(d, ctx);
  }

  format(d: Decoded, ctx: DisasmContext): Disassembly {
    const f = d.fields;
    let mnemonic = mnemonicOf(d.spec.mnemonic, f);
    let operands = d.spec.operands;
    for (const a of d.spec.aliases ?? []) {
      if (a.asmOnly || !a.when(f)) continue;
      mnemonic = mnemonicOf(a.mnemonic, f);
      operands = a.operands;
      break;
    }
    const parts: string[] = [];
    let comment: string | undefined;
    for (const o of operands) {
      const s = o.format(f, ctx);
      if (s !== null) parts.push(s);
      const c = o.comment?.(f, ctx);
      if (c) comment = c;
    }
    const ops = parts.join(', ');
    return { mnemonic, operands: ops, comment, text: ops ? `${mnemonic}\t${ops}` : mnemonic, spec: d.spec };
  }

  // ---- encoding --------------------------------------------------------------------------------

  hasMnemonic(m: string): boolean { return this.forms.has(m.toLowerCase()); }
  mnemonics(): string[] { return [...this.forms.keys()].sort(); }

  encode(mnemonic: string, operandText: string, ctx: EncodeContext): number {
    const forms = this.forms.get(mnemonic.toLowerCase());
    if (!forms) throw new OperandError(`unknown instruction '${mnemonic}'`, -1);
    const ops: string[] = [];
    const offsets: number[] = [];
    if (operandText.trim() !== '') {
      let pos = 0;
      for (const part of splitTopLevel(operandText)) {
        const lead = part.length - part.trimStart().length;
        ops.push(part.trim());
        offsets.push(pos + lead);
        pos += part.length + 1;
      }
    }
    // Register-like names are registers first (GNU as); only when no form takes them that way are
    // they tried as symbols in label and immediate operands (operands.ts, `withNamesAsSymbols`).
    const strict = this.encodeForms(forms, ops, offsets, ctx);
    if (typeof strict === 'number') return strict;
    const relaxed = withNamesAsSymbols(() => this.encodeForms(forms, ops, offsets, ctx));
    if (typeof relaxed === 'number') return relaxed;
    // A complaint about a value (undefined symbol, range...) beats "invalid operands".
    if (!strict && relaxed) throw relaxed;
    if (strict) throw strict;
    const syntaxes = forms.filter(f => !f.alias?.asmOnly).slice(0, 4).map(f => `${mnemonic.toLowerCase()} ${f.operands.map(o => o.syntax).join(', ')}`);
    throw new OperandError(`invalid operands for '${mnemonic.toLowerCase()}'${syntaxes.length ? `; expected e.g. ${syntaxes.join(' | ')}` : ''}`, 0);
  }

  /** The word of the first form that accepts the operands, else the most specific complaint (if any). */
  private encodeForms(forms: AsmForm[], ops: string[], offsets: number[], ctx: EncodeContext): number | OperandError | undefined {
    let best: OperandError | undefined;
    let bestDepth = -1;
    for (const form of forms) {
      const f: Fields = { ...(form.entry.spec.defaults ?? {}), ...(form.alias?.fixed ?? {}) };
      let i = 0, ok = true, depth = 0;
      try {
        for (const o of form.operands) {
          if (i < ops.length && o.parse(ops[i], f, ctx)) { i++; depth++; continue; }
          if (o.optional && o.parse('', f, ctx)) continue;
          ok = false; break;
        }
      } catch (e) {
        if (!(e instanceof OperandError)) throw e;
        // The operand had the right shape but a bad value: the most specific complaint wins.
        if (depth >= bestDepth) { best = new OperandError(e.message, (offsets[i] ?? 0) + (e.offset > 0 ? e.offset : 0)); bestDepth = depth; }
        continue;
      }
      if (!ok || i !== ops.length) continue;
      if (form.alias) {
        const done = form.alias.complete ? form.alias.complete(f, ctx) : form.alias.when(f);
        if (!done) continue;
      }
      const spec = form.entry.spec;
      if (spec.valid && !spec.valid(f)) continue;
      try {
        const word = insertFields(spec.id, form.entry.pat, f);
        // The word must decode back to this encoding (guards against under-constrained forms), or
        // to a more specific encoding inside it: `hint #0x22` is `bti c`, `dsb #0` is `ssbb`.
        const back = this.decode(word);
        if (!back) continue;
        if (back.spec !== spec && this.specificity.get(back.spec)! <= form.entry.bits) continue;
        return word;
      } catch { continue; }
    }
    return best;
  }

  // ---- documentation (hover) -------------------------------------------------------------------

  /** Every form of a mnemonic with syntax, encoding and description, for hover and completion. */
  describe(mnemonic: string): { syntax: string; pattern: string; hover: string; group: string; id: string }[] {
    const forms = this.forms.get(mnemonic.toLowerCase()) ?? [];
    return forms.filter(f => !f.alias?.asmOnly).map(f => ({
      syntax: `${mnemonic.toLowerCase()} ${f.operands.map(o => o.syntax).join(', ')}`.trim(),
      pattern: f.entry.spec.pattern,
      hover: f.alias ? `Alias of ${mnemonicOf(f.entry.spec.mnemonic, {})}. ${f.entry.spec.hover}` : f.entry.spec.hover,
      group: f.entry.spec.group,
      id: f.entry.spec.id,
    }));
  }
}
