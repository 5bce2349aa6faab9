// Whole-table checks that need no external tool: every spec is well formed, no two specs claim the
// same word at the same specificity (an ambiguity the decoder would settle by list order), every
// decodable word we generate re-encodes from its own disassembly to itself or to an equivalent
// word, and hover text exists for every mnemonic.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { A64, ALL_SPECS } from '../../emulator/isa/table';
import { compilePattern, extractFields, type InsnSpec } from '../../emulator/isa/spec';
import { rng, specWords, testContext, textSymbol, toSource } from './sweep';

const bits = (s: InsnSpec): number => {
  let m = compilePattern(s.id, s.pattern).mask, n = 0;
  while (m) { n += m & 1; m >>>= 1; }
  return n;
};
const compiled = ALL_SPECS.map(s => ({ s, p: compilePattern(s.id, s.pattern), bits: bits(s) }));

function claimants(word: number): typeof compiled {
  return compiled.filter(({ s, p }) => ((word & p.mask) >>> 0) === p.value && (!s.valid || s.valid(extractFields(p, word))));
}

describe('instruction table', () => {
  it('every spec has an id, a 32-bit pattern, a group and hover text', () => {
    const ids = new Set<string>();
    for (const s of ALL_SPECS) {
      assert.ok(!ids.has(s.id), `duplicate id ${s.id}`);
      ids.add(s.id);
      assert.doesNotThrow(() => compilePattern(s.id, s.pattern), s.id);
      assert.ok(s.hover && s.hover.trim().length > 0, `${s.id}: hover text`);
      assert.ok(s.group, `${s.id}: group`);
    }
  });

  it('no word is claimed by two specs of the same specificity', () => {
    const next = rng(11);
    const problems: string[] = [];
    for (const { s } of compiled) {
      const { valid } = specWords(s, 24, 0, next);
      for (const w of valid) {
        const c = claimants(w);
        const top = Math.max(...c.map(x => x.bits));
        const best = c.filter(x => x.bits === top);
        if (best.length > 1) problems.push(`${w.toString(16).padStart(8, '0')}: ${best.map(x => x.s.id).join(', ')}`);
      }
    }
    assert.deepEqual([...new Set(problems)].slice(0, 20), []);
  });

  it('disassembly re-encodes to the same word (or one that disassembles identically)', () => {
    const next = rng(5);
    const failures: string[] = [];
    for (const s of ALL_SPECS) {
      const { valid } = specWords(s, 12, 0, next);
      for (const w of valid) {
        const d = A64.disassemble(w, { pc: 0x10000, symbolize: textSymbol });
        const { mnemonic, operands } = toSource(d.text);
        let back: number;
        try { back = A64.encode(mnemonic, operands, testContext(0x10000)); } catch (e) {
          failures.push(`${s.id} ${w.toString(16)} '${d.text}': ${(e as Error).message}`);
          continue;
        }
        if (back !== w && A64.disassemble(back, { pc: 0x10000, symbolize: textSymbol }).text !== d.text) failures.push(`${s.id} ${w.toString(16)} '${d.text}' -> ${back.toString(16)}`);
      }
    }
    assert.deepEqual(failures.slice(0, 20), []);
  });

  it('describes every mnemonic for hover', () => {
    for (const m of A64.mnemonics()) {
      const d = A64.describe(m);
      if (d.length === 0) continue; // only asm-only spellings
      for (const x of d) assert.ok(x.hover.trim().length > 0 && x.syntax.startsWith(m), `${m}: ${JSON.stringify(x)}`);
    }
    assert.ok(A64.describe('paciasp')[0].hover.includes('NOP'));
    assert.ok(A64.describe('cset')[0].hover.startsWith('Alias of csinc'));
  });
});
