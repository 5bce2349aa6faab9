// The scalar floating-point group against GNU objdump and GNU as: the shared sweep over every spec
// (random and edge encodings; our disassembly must equal objdump's text, and our encoding of that
// text must equal GNU as's word).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fpSpecs } from '../../emulator/isa/groups/fp';
import { formatSweep, sweepSpecs } from './sweep';

describe('scalar FP sweep against objdump and as', () => {
  it(`${fpSpecs.length} specs`, t => {
    const r = sweepSpecs(fpSpecs, { samplesPerSpec: 64 });
    if (r.skipped) { t.skip(r.skipped); return; }
    t.diagnostic(formatSweep(r, 0));
    assert.equal(r.failures.length, 0, formatSweep(r));
    for (const c of r.specs) assert.ok(c.words > 0, `${c.id}: no encodings generated`);
  });
});
