// The Advanced SIMD groups against GNU objdump and GNU as: the shared sweep over every spec
// (random and edge encodings; our disassembly must equal objdump's text, and our encoding of that
// text must equal GNU as's word).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simdMoveSpecs } from '../../emulator/isa/groups/simd-move';
import { simdIntSpecs } from '../../emulator/isa/groups/simd-int';
import { simdFpSpecs } from '../../emulator/isa/groups/simd-fp';
import { simdLdstSpecs } from '../../emulator/isa/groups/simd-ldst';
import type { InsnSpec } from '../../emulator/isa/spec';
import { formatSweep, sweepSpecs } from './sweep';

const GROUPS: { name: string; specs: InsnSpec[] }[] = [
  { name: 'copy, permute, extract, table, modified immediate', specs: simdMoveSpecs },
  { name: 'integer', specs: simdIntSpecs },
  { name: 'floating point', specs: simdFpSpecs },
  { name: 'structure loads and stores', specs: simdLdstSpecs },
];

describe('Advanced SIMD sweep against objdump and as', () => {
  for (const g of GROUPS) {
    it(`${g.name}: ${g.specs.length} specs`, t => {
      const r = sweepSpecs(g.specs, { samplesPerSpec: 64 });
      if (r.skipped) { t.skip(r.skipped); return; }
      t.diagnostic(formatSweep(r, 0));
      assert.equal(r.failures.length, 0, formatSweep(r));
      for (const c of r.specs) assert.ok(c.words > 0, `${c.id}: no encodings generated`);
    });
  }
});
