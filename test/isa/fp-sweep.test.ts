// The scalar floating-point group against GNU objdump and GNU as: the shared sweep over every spec
// (random and edge encodings; our disassembly must equal objdump's text, and our encoding of that
// text must equal GNU as's word).
import { describe, it } from 'node:test';
import { fpSpecs } from '../../emulator/isa/groups/fp';
import { checkSweep } from './sweep';

describe('scalar FP sweep against objdump and as', () => {
  it(`${fpSpecs.length} specs`, t => {
    checkSweep(t, fpSpecs, { samplesPerSpec: 64 });
  });
});
