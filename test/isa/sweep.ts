// The shared instruction-table sweep: for each spec, many encodings (random field values, edge
// values, random "ignored" bits; words the spec's `valid` rejects too) are disassembled by us and by
// GNU objdump (one `.inst` file per batch, objdump once per batch) and the texts compared exactly
// after whitespace normalisation (`// #` comments and `<sym>` targets included; a word objdump calls
// `.inst ... ; undefined` must not decode here either). Then every line objdump printed is assembled
// by our encoder and by GNU as and the two words compared.
//
//   const r = sweepSpecs(specs, { samplesPerSpec: 200 });
//   if (r.skipped) t.skip(r.skipped); else assert.equal(r.failures.length, 0, formatSweep(r));
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OperandError, type EncodeContext } from '../../emulator/asm/types';
import { A64 } from '../../emulator/isa/table';
import { compilePattern, insertFields, type Fields, type InsnSpec } from '../../emulator/isa/spec';
import { missingTools, run, runOk, tmpDir } from '../tools';

export const AS = 'aarch64-linux-gnu-as';
export const OBJDUMP = 'aarch64-linux-gnu-objdump';
export const OBJCOPY = 'aarch64-linux-gnu-objcopy';
export const LD = 'aarch64-linux-gnu-ld';

export interface SweepOptions {
  /** Valid encodings generated per spec (default 64). */
  samplesPerSpec?: number;
  /** Encodings per spec that the spec's `valid` rejects (default samplesPerSpec / 8). */
  invalidPerSpec?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** `-march=` for GNU as (default `all`, so every system register name and extension parses). */
  march?: string;
  /** Words per objdump / as run (default 20000). */
  batchSize?: number;
  /** Also assemble objdump's text with our encoder and GNU as (default true). */
  assemble?: boolean;
}

export interface SpecCounts {
  id: string;
  /** Valid encodings generated for this spec (decoding to it). */
  words: number;
  /** Generated words that a more specific spec decodes instead (not counted here). */
  shadowed: number;
  /** Words `valid` rejects (checked: both sides must agree on what they are). */
  invalid: number;
  disasmMatch: number;
  disasmMismatch: number;
  /** objdump text assembled by both: same word. */
  asmMatch: number;
  asmMismatch: number;
  /** objdump text both assemblers reject (e.g. objdump printing an unassemblable form). */
  asmBothRejected: number;
  /** GNU as refused a name for lack of a feature flag; ours gave back the original word. */
  asmGnuFeatureGated: number;
}

export interface SweepFailure {
  spec: string;
  word: number;
  kind: 'disasm' | 'asm';
  gnu: string;
  ours: string;
}

export interface SweepReport {
  /** Set when the sweep could not run (tools missing): the reason. */
  skipped?: string;
  specs: SpecCounts[];
  failures: SweepFailure[];
  totals: { words: number; disasmMatch: number; disasmMismatch: number; asmMatch: number; asmMismatch: number; asmBothRejected: number };
}

/** A deterministic 32-bit PRNG (xorshift32). */
export function rng(seed: number): () => number {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

export const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** objdump's symbolisation of targets in a .o whose only symbol is the .text section. */
export function textSymbol(a: number): string {
  const u = BigInt.asUintN(64, BigInt(a));
  return u === 0n ? '.text' : `.text+0x${u.toString(16)}`;
}

/** Our disassembly of a word at pc, in objdump's layout (whitespace-normalised). */
export function ourText(word: number, pc: number): string {
  if (!A64.decode(word)) return `.inst 0x${(word >>> 0).toString(16).padStart(8, '0')} ; undefined`;
  const d = A64.disassemble(word, { pc, symbolize: textSymbol });
  return norm(d.comment ? `${d.text} // ${d.comment}` : d.text);
}

// ---- encodings -----------------------------------------------------------------------------

interface Sample { word: number; spec: InsnSpec; valid: boolean }

function fieldValue(name: string, len: number, next: () => number): number {
  const max = 2 ** len - 1;
  const r = next() % 100;
  if (/^R[a-z0-9]*$/.test(name) && len === 5 && r < 20) return 31;
  if (r < 30) {
    const edges = [0, 1, max, max - 1, 2 ** (len - 1), 2 ** (len - 1) - 1];
    return Math.max(0, edges[next() % edges.length]);
  }
  return len >= 32 ? next() >>> 0 : next() % (max + 1);
}

/** Valid (decoding to the spec) and invalid (pattern matches, `valid` rejects) words for a spec. */
export function specWords(spec: InsnSpec, nValid: number, nInvalid: number, next: () => number): { valid: number[]; invalid: number[]; shadowed: number } {
  const p = compilePattern(spec.id, spec.pattern);
  let fieldMask = 0;
  for (const fp of p.fields) fieldMask |= fp.len === 32 ? -1 : ((2 ** fp.len - 1) * 2 ** fp.lsb);
  const ignored = (~(p.mask | fieldMask)) >>> 0;
  const valid = new Set<number>(), invalid = new Set<number>();
  const seenShadowed = new Set<number>();
  const names = [...new Set(p.fields.map(f => f.name))];
  const lens = new Map<string, number>();
  for (const fp of p.fields) lens.set(fp.name, (lens.get(fp.name) ?? 0) + fp.len);
  const tries = (nValid + nInvalid) * 20 + 50;
  for (let i = 0; i < tries && (valid.size < nValid || invalid.size < nInvalid); i++) {
    const f: Fields = {};
    for (const n of names) f[n] = fieldValue(n, lens.get(n)!, next);
    let word = insertFields(spec.id, p, f);
    // Ignored ('x') bits: usually 0, sometimes random.
    if (ignored && next() % 4 === 0) word = (word | (next() & ignored)) >>> 0;
    const ok = !spec.valid || spec.valid(f);
    if (ok) {
      if (valid.size >= nValid) continue;
      const d = A64.decode(word);
      if (d && d.spec === spec) valid.add(word);
      else seenShadowed.add(word);
    } else if (invalid.size < nInvalid) invalid.add(word);
  }
  return { valid: [...valid], invalid: [...invalid], shadowed: seenShadowed.size };
}

// ---- GNU tools ----------------------------------------------------------------------------

interface GnuLine { word: number; text: string }

function objdumpBatch(dir: string, words: number[], march: string): GnuLine[] {
  const s = join(dir, 'd.s'), o = join(dir, 'd.o');
  writeFileSync(s, words.map(w => `.inst 0x${w.toString(16).padStart(8, '0')}\n`).join(''));
  runOk(AS, [`-march=${march}`, s, '-o', o]);
  const r = runOk(OBJDUMP, ['-d', o]);
  const out: GnuLine[] = [];
  for (const l of r.stdout.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/.exec(l);
    if (m) out.push({ word: parseInt(m[2], 16), text: norm(m[3]) });
  }
  if (out.length !== words.length) throw new Error(`objdump printed ${out.length} lines for ${words.length} words`);
  return out;
}

/** Splits objdump text into mnemonic and operands, dropping the comment; pc-relative targets become `base±0x..`. */
export function toSource(text: string): { mnemonic: string; operands: string } {
  let t = norm(text).replace(/\s*\/\/.*$/, '');
  t = t.replace(/(^|\s|,\s?)([0-9a-f]+) <[^>]*>/g, (_m, pre: string, h: string) => {
    const v = BigInt.asIntN(64, BigInt('0x' + h));
    return `${pre}${v < 0n ? 'base-0x' + (-v).toString(16) : 'base+0x' + v.toString(16)}`;
  });
  const i = t.indexOf(' ');
  return i < 0 ? { mnemonic: t, operands: '' } : { mnemonic: t.slice(0, i), operands: t.slice(i + 1).trim() };
}

/**
 * GNU as (+ ld at address 0) on one instruction per line, `base` being the address of the first;
 * returns each line's word or GNU's error message for it.
 */
export function gnuAssembleBatch(dir: string, lines: string[], march: string): (number | string)[] {
  const s = join(dir, 'a.s'), o = join(dir, 'a.o'), b = join(dir, 'a.bin');
  const errors = new Map<number, string>();
  for (let attempt = 0; ; attempt++) {
    const src = lines.map((l, i) => (errors.has(i) ? '.inst 0' : l));
    writeFileSync(s, '.text\nbase:\n' + src.join('\n') + '\n');
    const r = run(AS, [`-march=${march}`, s, '-o', o]);
    if (r.status === 0) break;
    let found = false;
    for (const m of r.stderr.matchAll(/:(\d+): Error: (.*)/g)) {
      const i = Number(m[1]) - 3;
      if (i >= 0 && !errors.has(i)) { errors.set(i, m[2]); found = true; }
    }
    if (!found || attempt > 5) throw new Error(`${AS} failed:\n${r.stderr.slice(0, 2000)}`);
  }
  // Link at address 0 so relocations GNU as leaves for local labels (adrp) are resolved.
  const x = join(dir, 'a.out');
  for (let attempt = 0; ; attempt++) {
    const r = run(LD, ['-Ttext=0', '-e', '0', o, '-o', x]);
    if (r.status === 0) break;
    let found = false;
    for (const m of r.stderr.matchAll(/\(\.text\+0x([0-9a-f]+)\)/g)) {
      const i = parseInt(m[1], 16) / 4;
      if (!errors.has(i)) { errors.set(i, `ld: ${r.stderr.split('\n')[0]}`); found = true; }
    }
    if (!found || attempt > 5) throw new Error(`${LD} failed:\n${r.stderr.slice(0, 2000)}`);
    const src = lines.map((l, i) => (errors.has(i) ? '.inst 0' : l));
    writeFileSync(s, '.text\nbase:\n' + src.join('\n') + '\n');
    runOk(AS, [`-march=${march}`, s, '-o', o]);
  }
  runOk(OBJCOPY, ['-O', 'binary', '-j', '.text', x, b]);
  const bytes = readFileSync(b);
  return lines.map((_l, i) => errors.get(i) ?? bytes.readUInt32LE(i * 4));
}

// ---- expressions for our encoder ------------------------------------------------------------

/** A small evaluator for the operand expressions objdump text turns into: numbers, `base`, + - * ~ << >> ( ). */
export function evalExpr(expr: string, symbols: Record<string, bigint> = { base: 0n }): bigint {
  const toks = expr.match(/0x[0-9a-f]+|\d+|[A-Za-z_.$][\w.$]*|<<|>>|\S/gi) ?? [];
  let i = 0;
  const fail = (): never => { throw new OperandError(`cannot evaluate '${expr}'`); };
  const prim = (): bigint => {
    const t = toks[i++];
    if (t === undefined) return fail();
    if (t === '(') { const v = sum(); if (toks[i++] !== ')') fail(); return v; }
    if (t === '-') return -prim();
    if (t === '+') return prim();
    if (t === '~') return ~prim();
    if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) return BigInt(t);
    if (t in symbols) return symbols[t];
    return fail();
  };
  const prod = (): bigint => { let v = prim(); while (toks[i] === '*') { i++; v *= prim(); } return v; };
  const sum = (): bigint => {
    let v = prod();
    for (;;) {
      if (toks[i] === '+') { i++; v += prod(); } else if (toks[i] === '-') { i++; v -= prod(); }
      else if (toks[i] === '<<') { i++; v <<= prod(); } else if (toks[i] === '>>') { i++; v >>= prod(); }
      else return v;
    }
  };
  const v = sum();
  if (i !== toks.length) fail();
  return v;
}

export function testContext(pc: number): EncodeContext {
  return { pc: BigInt(pc), final: true, evaluate: (e: string) => evalExpr(e) };
}

/** Our encoder on objdump's text; the word or the error message. */
export function ourEncode(text: string, pc: number): number | string {
  const { mnemonic, operands } = toSource(text);
  try { return A64.encode(mnemonic, operands, testContext(pc)); } catch (e) { return `error: ${(e as Error).message}`; }
}

// ---- the sweep -----------------------------------------------------------------------------

const hex8 = (w: number): string => (w >>> 0).toString(16).padStart(8, '0');

export function sweepSpecs(specs: InsnSpec[], opts: SweepOptions = {}): SweepReport {
  const totals = { words: 0, disasmMatch: 0, disasmMismatch: 0, asmMatch: 0, asmMismatch: 0, asmBothRejected: 0 };
  const missing = missingTools(AS, OBJDUMP, OBJCOPY, LD);
  if (missing) return { skipped: `sweep needs binutils (${missing})`, specs: [], failures: [], totals };
  const n = opts.samplesPerSpec ?? 64;
  const nInvalid = opts.invalidPerSpec ?? Math.ceil(n / 8);
  const march = opts.march ?? 'all';
  const batchSize = opts.batchSize ?? 20000;
  const next = rng(opts.seed ?? 1);
  const counts = new Map<string, SpecCounts>();
  const samples: Sample[] = [];
  for (const spec of specs) {
    const w = specWords(spec, n, nInvalid, next);
    counts.set(spec.id, { id: spec.id, words: w.valid.length, shadowed: w.shadowed, invalid: w.invalid.length, disasmMatch: 0, disasmMismatch: 0, asmMatch: 0, asmMismatch: 0, asmBothRejected: 0, asmGnuFeatureGated: 0 });
    for (const word of w.valid) samples.push({ word, spec, valid: true });
    for (const word of w.invalid) samples.push({ word, spec, valid: false });
  }
  const failures: SweepFailure[] = [];
  const dir = tmpDir('tagvisor-sweep-');
  for (let start = 0; start < samples.length; start += batchSize) {
    const batch = samples.slice(start, start + batchSize);
    const gnu = objdumpBatch(dir, batch.map(s => s.word), march);
    const asmLines: string[] = [];
    const asmIdx: number[] = [];
    batch.forEach((s, i) => {
      const pc = i * 4;
      const c = counts.get(s.spec.id)!;
      const mine = ourText(s.word, pc);
      const theirs = gnu[i].text;
      const same = mine === theirs || (mine.startsWith('.inst') && theirs.startsWith('.inst'));
      if (same) c.disasmMatch++;
      else {
        c.disasmMismatch++;
        failures.push({ spec: s.spec.id + (s.valid ? '' : ' (invalid)'), word: s.word, kind: 'disasm', gnu: theirs, ours: mine });
      }
      if (opts.assemble !== false && !theirs.startsWith('.inst')) {
        const { mnemonic, operands } = toSource(theirs);
        asmLines.push(`${mnemonic} ${operands}`);
        asmIdx.push(i);
      } else asmLines.push('.inst 0');
    });
    if (opts.assemble === false) continue;
    const words = gnuAssembleBatch(dir, asmLines, march);
    for (const i of asmIdx) {
      const s = batch[i];
      const c = counts.get(s.spec.id)!;
      const theirs = words[i];
      const mine = ourEncode(gnu[i].text, i * 4);
      if (typeof theirs === 'string' && typeof mine === 'string') c.asmBothRejected++;
      else if (theirs === mine) c.asmMatch++;
      else if (typeof theirs === 'string' && /selected processor does not support/.test(theirs) && mine === s.word) {
        // GNU as gates some names on features even under -march=all (e.g. GICv3 registers at EL3);
        // ours assembling the text back to the word objdump read is the right answer.
        c.asmGnuFeatureGated++;
      }
      else {
        c.asmMismatch++;
        failures.push({
          spec: s.spec.id, word: s.word, kind: 'asm', gnu: `${typeof theirs === 'number' ? hex8(theirs) : 'error: ' + theirs}`,
          ours: `${typeof mine === 'number' ? hex8(mine) : mine} for '${gnu[i].text}'`,
        });
      }
    }
  }
  for (const c of counts.values()) {
    totals.words += c.words; totals.disasmMatch += c.disasmMatch; totals.disasmMismatch += c.disasmMismatch;
    totals.asmMatch += c.asmMatch; totals.asmMismatch += c.asmMismatch; totals.asmBothRejected += c.asmBothRejected;
  }
  return { specs: [...counts.values()], failures, totals };
}

/** A readable summary: totals, per-spec counts (all specs with `perSpec`, else only failing ones) and the first failures. */
export function formatSweep(r: SweepReport, maxFailures = 60, opts: { perSpec?: boolean } = {}): string {
  if (r.skipped) return `sweep skipped: ${r.skipped}`;
  const lines = [
    `sweep: ${r.specs.length} specs, ${r.totals.words} valid words; disassembly ${r.totals.disasmMatch} match / ${r.totals.disasmMismatch} differ; ` +
    `assembly ${r.totals.asmMatch} match / ${r.totals.asmMismatch} differ / ${r.totals.asmBothRejected} rejected by both`,
  ];
  for (const c of r.specs) {
    if (opts.perSpec || c.disasmMismatch || c.asmMismatch || c.words === 0) {
      lines.push(`  ${c.id}: ${c.words} words (${c.shadowed} shadowed, ${c.invalid} invalid); disasm ${c.disasmMatch} match / ${c.disasmMismatch} differ; asm ${c.asmMatch} match / ${c.asmMismatch} differ${c.asmBothRejected ? ` / ${c.asmBothRejected} both reject` : ''}${c.asmGnuFeatureGated ? ` / ${c.asmGnuFeatureGated} GNU feature-gated` : ''}`);
    }
  }
  for (const f of r.failures.slice(0, maxFailures)) lines.push(`  ${f.kind} ${f.spec} ${hex8(f.word)}: gnu '${f.gnu}' ours '${f.ours}'`);
  if (r.failures.length > maxFailures) lines.push(`  ... ${r.failures.length - maxFailures} more`);
  return lines.join('\n');
}

/**
 * One sweep as a node:test body: skips (with the reason) without binutils, prints the summary,
 * fails on any difference from objdump/as and on a spec for which no encoding was generated.
 */
export function checkSweep(t: TestContext, specs: InsnSpec[], opts: SweepOptions, report: { perSpec?: boolean } = {}): void {
  const r = sweepSpecs(specs, opts);
  if (r.skipped) { t.skip(r.skipped); return; }
  for (const line of formatSweep(r, 0, report).split('\n')) t.diagnostic(line);
  assert.equal(r.failures.length, 0, formatSweep(r));
  for (const c of r.specs) assert.ok(c.words > 0, `${c.id}: no encodings generated`);
}
