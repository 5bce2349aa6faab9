// The A64 instruction table: every group's descriptions in one list, and the engines derived from it.
// To add instructions, add a group file under groups/ and list it here.
import { InstructionTable } from './engine';
import { baseSpecs } from './groups/base';
import { fpSpecs } from './groups/fp';
import { simdMoveSpecs } from './groups/simd-move';
import { simdIntSpecs } from './groups/simd-int';
import { simdFpSpecs } from './groups/simd-fp';
import { simdLdstSpecs } from './groups/simd-ldst';
import { branchSysSpecs } from './groups/branch-sys';
import { intImmSpecs } from './groups/int-imm';
import { intRegSpecs } from './groups/int-reg';
import { ldstSpecs } from './groups/ldst';
import { ldstAtomicSpecs } from './groups/ldst-atomic';
import { mteSpecs } from './groups/mte';
import type { InsnSpec } from './spec';

export const ALL_SPECS: InsnSpec[] = [
  ...baseSpecs,
  ...fpSpecs,
  ...simdMoveSpecs,
  ...simdIntSpecs,
  ...simdFpSpecs,
  ...simdLdstSpecs,
  ...intImmSpecs,
  ...intRegSpecs,
  ...branchSysSpecs,
  ...ldstSpecs,
  ...ldstAtomicSpecs,
  ...mteSpecs,
];

/** The one table every consumer (CPU, assembler, disassembler, language server) uses. */
export const A64 = new InstructionTable(ALL_SPECS);
