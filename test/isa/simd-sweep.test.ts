// The Advanced SIMD groups against GNU objdump and GNU as: the shared sweep over every spec
// (random and edge encodings; our disassembly must equal objdump's text, and our encoding of that
// text must equal GNU as's word).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simdMoveSpecs } from '../../emulator/isa/groups/simd-move';
import { simdIntSpecs } from '../../emulator/isa/groups/simd-int';
import { simdFpSpecs } from '../../emulator/isa/groups/simd-fp';
import { simdLdstSpecs } from '../../emulator/isa/groups/simd-ldst';
import type { InsnSpec } from '../../emulator/isa/spec';
import { A64 } from '../../emulator/isa/table';
import { missingTools, run, runOk, tmpDir } from '../tools';
import { AS, OBJCOPY, checkSweep, testContext } from './sweep';

const GROUPS: { name: string; specs: InsnSpec[] }[] = [
  { name: 'copy, permute, extract, table, modified immediate', specs: simdMoveSpecs },
  { name: 'integer', specs: simdIntSpecs },
  { name: 'floating point', specs: simdFpSpecs },
  { name: 'structure loads and stores', specs: simdLdstSpecs },
];

describe('Advanced SIMD sweep against objdump and as', () => {
  for (const g of GROUPS) {
    it(`${g.name}: ${g.specs.length} specs`, t => {
      checkSweep(t, g.specs, { samplesPerSpec: 64 });
    });
  }
});

/** Spellings GNU as accepts that objdump never prints (or prints differently), and some it rejects. */
const EXTRA = [
  'fmov s0, #0.0',
  'fmov d0, #0.0',
  'fmov d0, #0',
  'fmov s1, #1',
  'fmov d0, xzr',
  'fmov s0, wzr',
  'fcmp s0, #0',
  'fcmp d0, 0.0',
  'fcmpe d1, #0.0e0',
  'ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x0]',
  'ld1 {v0.16b-v1.16b}, [x0]',
  'LD1 {V0.16B}, [X0]',
  'ld1 {v0.4s}, [x0], #16',
  'ld1 {v0.2d, v1.2d}, [x0], x1',
  'ld1r {v0.2d}, [x0], x1',
  'ld1 {v0.s}[3], [x1], #4',
  'st1 {v0.d}[1], [x0], #8',
  'ld4 {v0.s, v1.s, v2.s, v3.s}[1], [x0]',
  'mov v0.16b, v1.16b',
  'mov v0.8b, v1.8b',
  'mvn v0.8b, v1.8b',
  'not v0.16b, v1.16b',
  'orr v0.16b, v1.16b, v1.16b',
  'movi v0.2d, #0',
  'movi v0.16b, 255',
  'movi v0.4s, #0xff, msl #8',
  'movi v0.2s, #0',
  'mvni v0.4h, #1, lsl #8',
  'bic v0.4s, #0x12',
  'orr v0.8h, #0x12, lsl #8',
  'fmov v0.2d, #1.0',
  'fmov v0.4s, 1.0',
  'fmov v0.2s, #-31',
  'ext v0.16b, v1.16b, v2.16b, 8',
  'mov v0.s[1], w0',
  'ins v0.s[1], w0',
  'mov v0.d[0], x0',
  'mov w0, v0.s[1]',
  'umov w0, v0.s[1]',
  'mov x0, v0.d[1]',
  'umov x0, v0.d[1]',
  'smov w0, v0.h[1]',
  'mov v0.s[0], v1.s[1]',
  'ins v0.h[3], v1.h[7]',
  'mov s0, v1.s[1]',
  'dup s0, v1.s[1]',
  'mov b3, v1.b[15]',
  'dup v0.2d, v1.d[1]',
  'dup v0.4s, wzr',
  'fmov x0, v1.D[1]',
  'fmov v3.d[1], x9',
  'sxtl v0.8h, v1.8b',
  'uxtl2 v0.2d, v1.4s',
  'sshll v0.4s, v1.4h, #0',
  'shll v0.8h, v1.8b, #8',
  'shll2 v0.4s, v1.8h, #16',
  'xtn v0.8b, v1.8h',
  'xtn2 v0.16b, v1.8h',
  'addhn2 v0.8h, v1.4s, v2.4s',
  'smull2 v0.2d, v1.4s, v2.4s',
  'umull v0.2d, v1.2s, v2.s[1]',
  'mul v0.8h, v1.8h, v2.h[7]',
  'mul v0.4s, v1.4s, v31.s[3]',
  'fmla v0.2d, v1.2d, v31.d[1]',
  'fmul s0, s1, v31.s[2]',
  'sdot v0.4s, v1.16b, v2.4b[3]',
  'udot v0.2s, v1.8b, v2.8b',
  'cmeq v0.4s, v1.4s, #0',
  'cmeq d0, d1, #0',
  'cmle v0.16b, v1.16b, #0',
  'fcmeq v0.2d, v1.2d, #0.0',
  'fcmeq v0.2d, v1.2d, #0',
  'fcmlt s0, s1, #0.0',
  'addv b0, v1.16b',
  'uaddlv d0, v1.4s',
  'fmaxnmv s0, v1.4s',
  'faddp d0, v1.2d',
  'addp d0, v1.2d',
  'addp v0.4s, v1.4s, v2.4s',
  'tbl v0.16b, {v1.16b}, v2.16b',
  'tbl v0.8b, {v30.16b, v31.16b, v0.16b}, v2.8b',
  'tbx v0.16b, {v1.16b-v4.16b}, v2.16b',
  'ushr d0, d1, #64',
  'sshr v0.2d, v1.2d, #1',
  'shl v0.4s, v1.4s, #31',
  'sli d0, d1, #0',
  'sri v0.16b, v1.16b, #8',
  'sqshrn2 v0.16b, v1.8h, #8',
  'scvtf v0.4s, v1.4s, #32',
  'fcvtzs d0, d1, #64',
  'scvtf s0, w0, #32',
  'fcvtzu x0, d0, #1',
  'ucvtf d0, x1',
  'fcvtns w0, s1',
  'fcvt h0, d1',
  'fcvtl2 v0.2d, v1.4s',
  'fcvtn v0.4h, v1.4s',
  'fcvtxn s0, d1',
  'frint32x v0.4s, v1.4s',
  'fccmp s0, s1, #15, hs',
  'fccmpe d0, d1, #0, lo',
  'fcsel d0, d1, d2, hs',
  'fmadd h0, h1, h2, h3',
  'pmull2 v0.1q, v1.2d, v2.2d',
  'rev64 v0.4s, v1.4s',
  'rev16 v0.16b, v1.16b',
  'cnt v0.8b, v1.8b',
  'rbit v0.16b, v1.16b',
  'sqrdmlah v0.8h, v1.8h, v2.h[1]',
  'zip1 v0.2d, v1.2d, v2.2d',
  'uzp2 v0.4h, v1.4h, v2.4h',
];

/** GNU as's word for each line, or its error (lines it rejects are replaced by `.inst 0` and retried). */
function gnuWords(lines: string[]): (number | string)[] {
  const dir = tmpDir('tagvisor-simd-as-');
  const s = join(dir, 'a.s'), o = join(dir, 'a.o'), b = join(dir, 'a.bin');
  const errors = new Map<number, string>();
  for (let attempt = 0; attempt < 5; attempt++) {
    writeFileSync(s, lines.map((l, i) => (errors.has(i) ? '.inst 0' : l)).join('\n') + '\n');
    const r = run(AS, ['-march=all', s, '-o', o]);
    if (r.status === 0) break;
    for (const m of r.stderr.matchAll(/:(\d+): Error: (.*)/g)) errors.set(Number(m[1]) - 1, m[2]);
  }
  runOk(OBJCOPY, ['-O', 'binary', '-j', '.text', o, b]);
  const bytes = readFileSync(b);
  return lines.map((_l, i) => errors.get(i) ?? bytes.readUInt32LE(i * 4));
}

describe('GNU as spellings of FP/SIMD instructions', () => {
  it(`${EXTRA.length} spellings assemble to GNU as's words (or both reject them)`, { skip: missingTools(AS, OBJCOPY) }, () => {
    const gnu = gnuWords(EXTRA);
    const bad: string[] = [];
    EXTRA.forEach((text, i) => {
      const sp = text.indexOf(' ');
      let mine: number | string;
      try { mine = A64.encode(text.slice(0, sp), text.slice(sp + 1), testContext(0)); } catch (e) { mine = `error: ${(e as Error).message}`; }
      const theirs = gnu[i];
      if (typeof theirs === 'string' && typeof mine === 'string') return;
      if (mine !== theirs) bad.push(`'${text}': as ${typeof theirs === 'number' ? theirs.toString(16) : theirs} ours ${typeof mine === 'number' ? mine.toString(16) : mine}`);
    });
    assert.deepEqual(bad, []);
  });

  it('rejects bad operands with a message naming the problem', () => {
    const cases: [string, string, RegExp][] = [
      ['ld1', '{v0.16b}, [x0], #8', /post-index immediate must be 16/],
      ['ld1', '{v0.16b, v2.16b}, [x0]', /consecutive/],
      ['fmov', 'd0, #0.3', /cannot be encoded/],
      ['ext', 'v0.8b, v1.8b, v2.8b, #8', /out of range \[0, 7\]/],
      ['mul', 'v0.8h, v1.8h, v16.h[0]', /v0-v15/],
      ['ushr', 'd0, d1, #65', /out of range \[1, 64\]/],
      ['sshr', 'v0.4s, v1.4s, #0', /out of range \[1, 32\]/],
      ['shl', 'v0.8h, v1.8h, #16', /out of range \[0, 15\]/],
      ['movi', 'v0.2d, #0x12', /0x00 and 0xff/],
      ['dup', 'v0.4s, v1.s[4]', /index 4 out of range/],
      ['ld1', '{v0.s}[4], [x0]', /index 4 out of range/],
      ['fcvtzs', 'w0, s0, #33', /fraction bits 33 out of range/],
      ['fccmp', 's0, s1, #16, eq', /nzcv 16 out of range/],
      ['movi', 'v0.4s, #1, lsl #7', /multiple of 8/],
    ];
    for (const [m, ops, re] of cases) assert.throws(() => A64.encode(m, ops, testContext(0)), re, `${m} ${ops}`);
  });
});
