// The integer, branch and system groups against GNU objdump and GNU as (the shared sweep): random
// and edge encodings of every spec; our disassembly must equal objdump's text exactly (aliases and
// `// ` comments included) and our encoding of objdump's text must equal GNU as's word.
import { describe, it } from 'node:test';
import { baseSpecs } from '../../emulator/isa/groups/base';
import { branchSysSpecs } from '../../emulator/isa/groups/branch-sys';
import { intImmSpecs } from '../../emulator/isa/groups/int-imm';
import { intRegSpecs } from '../../emulator/isa/groups/int-reg';
import type { InsnSpec } from '../../emulator/isa/spec';
import { checkSweep } from './sweep';

const GROUPS: [string, InsnSpec[]][] = [
  ['data processing (immediate): move wide, add/sub, adr', baseSpecs],
  ['data processing (immediate): logical, bitfield, extract', intImmSpecs],
  ['data processing (register)', intRegSpecs],
  ['branches, exceptions, hints, barriers, system', branchSysSpecs],
];

describe('integer/branch/system sweep against objdump and as', () => {
  for (const [name, specs] of GROUPS) {
    it(`${name}: ${specs.length} specs`, t => {
      checkSweep(t, specs, { samplesPerSpec: 150, seed: 7 }, { perSpec: true });
    });
  }
});
