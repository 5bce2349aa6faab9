// A small objdump/as sweep harness for the load/store and MTE groups (used until the shared
// test/isa/sweep.ts exists). For each spec: random encodings (plus all-zero / all-one field edges),
// filtered by the table's own decoder, are disassembled by us and by GNU objdump and compared
// exactly; then every line objdump printed is assembled by us and by GNU as and the words compared.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OperandError, type EncodeContext } from '../../emulator/asm/types';
import { A64 } from '../../emulator/isa/table';
import { compilePattern, type InsnSpec } from '../../emulator/isa/spec';
import { run, runOk, tmpDir } from '../tools';

export const AS = 'aarch64-linux-gnu-as', OBJDUMP = 'aarch64-linux-gnu-objdump', OBJCOPY = 'aarch64-linux-gnu-objcopy';
const MARCH = '-march=armv8.7-a+memtag+lse+rcpc+fp16';

/** A deterministic 32-bit PRNG (xorshift32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

/** Encodings of a spec: edges (all fields 0, all 1) and `n` random ones, deduplicated, decoding to the spec. */
export function wordsFor(spec: InsnSpec, n: number, next: () => number): number[] {
  const p = compilePattern(spec.id, spec.pattern);
  const free = (~p.mask) >>> 0;
  const out = new Set<number>();
  const tryWord = (w: number) => {
    const d = A64.decode(w >>> 0);
    if (d && d.spec === spec) out.add(w >>> 0);
  };
  tryWord(p.value);
  tryWord((p.value | free) >>> 0);
  // Per-field edges: each field alone at all-ones, others random.
  for (const fp of p.fields) {
    const fm = ((2 ** fp.len - 1) * 2 ** fp.lsb) >>> 0;
    tryWord((p.value | fm | (next() & free & ~fm)) >>> 0);
    tryWord((p.value | (next() & free & ~fm)) >>> 0);
  }
  for (let i = 0; i < n * 4 && out.size < n + 2 * p.fields.length + 2; i++) tryWord((p.value | (next() & free)) >>> 0);
  return [...out];
}

export interface Line { addr: number; word: number; text: string }

/** Disassembles words with GNU objdump (one assembly of `.inst` lines); returns text per word. */
export function objdumpWords(words: number[]): Line[] {
  const dir = tmpDir('tagvisor-sweep-');
  const s = join(dir, 'w.s'), o = join(dir, 'w.o');
  writeFileSync(s, words.map(w => `.inst 0x${w.toString(16).padStart(8, '0')}\n`).join(''));
  runOk(AS, [MARCH, s, '-o', o]);
  const r = runOk(OBJDUMP, ['-d', o]);
  const lines: Line[] = [];
  for (const l of r.stdout.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/.exec(l);
    if (!m) continue;
    lines.push({ addr: parseInt(m[1], 16), word: parseInt(m[2], 16), text: norm(m[3]) });
  }
  if (lines.length !== words.length) throw new Error(`objdump printed ${lines.length} lines for ${words.length} words`);
  return lines;
}

export const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** objdump's symbolization of targets in a .o with only a .text section symbol (it uses it for any address). */
export function textSymbolizer(size: number): (a: number) => string | undefined {
  void size;
  return a => (a === 0 ? '.text' : `.text+0x${BigInt.asUintN(64, BigInt(a)).toString(16)}`);
}

/** Our disassembly in objdump's layout. */
export function ours(word: number, pc: number, size: number): string {
  const d = A64.disassemble(word, { pc, symbolize: textSymbolizer(size) });
  if (d.mnemonic === '.inst') return `${d.text} ; undefined`;
  return norm(d.comment ? `${d.text}\t// ${d.comment}` : d.text);
}

/** Minimal expression evaluation for objdump's operand text: integers (dec/hex, signed). */
export function simpleContext(pc: number): EncodeContext {
  return {
    pc: BigInt(pc), final: true,
    evaluate(expr: string): bigint {
      const t = expr.trim();
      const m = /^([-+]?)\s*(0x[0-9a-f]+|\d+)$/i.exec(t);
      if (!m) throw new OperandError(`cannot evaluate '${t}'`);
      const v = BigInt(m[2]);
      return m[1] === '-' ? -v : v;
    },
  };
}

/** Splits objdump text into mnemonic and operand text, dropping comments and `<sym>` annotations. */
export function splitInsn(text: string): { mnemonic: string; operands: string } {
  const t = text.replace(/\s*\/\/.*$/, '').replace(/\s*<[^>]*>/g, '');
  const i = t.indexOf(' ');
  return i < 0 ? { mnemonic: t, operands: '' } : { mnemonic: t.slice(0, i), operands: t.slice(i + 1) };
}

/** Our assembler's word for objdump's text, or an error string. */
export function ourEncode(text: string, pc: number, labelOps: boolean): number | string {
  const { mnemonic, operands } = splitInsn(text);
  // A target printed as a wrapped 64-bit address is negative.
  const ops = labelOps ? operands.replace(/(^|, )([0-9a-f]+)$/, (_m, a, h) => {
    const v = BigInt.asIntN(64, BigInt('0x' + h));
    return `${a}${v < 0n ? '-' : ''}0x${(v < 0n ? -v : v).toString(16)}`;
  }) : operands;
  try { return A64.encode(mnemonic, ops, simpleContext(pc)); } catch (e) { return (e as Error).message; }
}

/**
 * GNU as on a list of instruction texts (each placed at its index * 4). Lines with pc-relative
 * targets are rewritten as `. + delta`. Returns the word per line, or the error GNU as gave.
 */
export function gnuAssemble(texts: { text: string; pc: number; labelOps: boolean }[]): (number | string)[] {
  const dir = tmpDir('tagvisor-sweep-as-');
  const s = join(dir, 'a.s'), o = join(dir, 'a.o'), b = join(dir, 'a.bin');
  const src = texts.map(t => {
    const { mnemonic, operands } = splitInsn(t.text);
    if (!t.labelOps) return `${mnemonic} ${operands}`;
    return `${mnemonic} ${operands.replace(/(^|, )([0-9a-f]+)$/, (_m, a, h) => {
      const d = Number(BigInt.asIntN(64, BigInt('0x' + h))) - t.pc;
      return `${a}.${d < 0 ? '-' : '+'}0x${Math.abs(d).toString(16)}`;
    })}`;
  });
  const errors = new Map<number, string>();
  for (let attempt = 0; attempt < 3; attempt++) {
    const lines = src.map((l, i) => (errors.has(i) ? '.inst 0' : l));
    writeFileSync(s, lines.join('\n') + '\n');
    const r = run(AS, [MARCH, s, '-o', o]);
    if (r.status === 0) break;
    let found = false;
    for (const m of r.stderr.matchAll(/:(\d+): Error: (.*)/g)) { errors.set(Number(m[1]) - 1, m[2]); found = true; }
    if (!found) throw new Error(`as failed: ${r.stderr}`);
  }
  runOk(OBJCOPY, ['-O', 'binary', '-j', '.text', o, b]);
  const bytes = readFileSync(b);
  return texts.map((_t, i) => errors.get(i) ?? bytes.readUInt32LE(i * 4));
}

export interface SweepResult { total: number; disasmMismatches: string[]; asmMismatches: string[] }

/** The full sweep for a list of specs. */
export function sweep(specs: InsnSpec[], perSpec: number, seed = 1): SweepResult {
  const next = rng(seed);
  const words: number[] = [];
  for (const spec of specs) words.push(...wordsFor(spec, perSpec, next));
  const size = words.length * 4;
  const lines = objdumpWords(words);
  const disasmMismatches: string[] = [];
  const asmInputs: { text: string; pc: number; labelOps: boolean; word: number }[] = [];
  lines.forEach((l, i) => {
    const pc = i * 4;
    const mine = ours(l.word, pc, size);
    if (mine !== l.text) disasmMismatches.push(`${l.word.toString(16).padStart(8, '0')} ${A64.decode(l.word)?.spec.id}: objdump '${l.text}' ours '${mine}'`);
    if (!l.text.startsWith('.inst')) {
      const spec = A64.decode(l.word)?.spec;
      const labelOps = !!spec && spec.operands.some(o => o.syntax === '<label>');
      asmInputs.push({ text: l.text, pc, labelOps, word: l.word });
    }
  });
  const gnu = gnuAssemble(asmInputs);
  const asmMismatches: string[] = [];
  asmInputs.forEach((a, i) => {
    const mine = ourEncode(a.text, a.pc, a.labelOps);
    const theirs = gnu[i];
    if (mine !== theirs && !(typeof mine === 'string' && typeof theirs === 'string')) {
      const show = (v: number | string) => (typeof v === 'number' ? v.toString(16).padStart(8, '0') : `error(${v})`);
      asmMismatches.push(`'${a.text}': as ${show(theirs)} ours ${show(mine)}`);
    }
  });
  return { total: words.length, disasmMismatches, asmMismatches };
}
