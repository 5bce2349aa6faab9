// The load/store, atomic and MTE groups against GNU objdump and GNU as: the shared sweep over every
// spec (random and edge encodings, both directions), plus the spellings GNU as accepts that objdump
// never prints (`ldr` with an unscaled offset, `#0` offsets, `lsl #0` on bytes...), assembled by
// both and compared word for word.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ldstSpecs } from '../../emulator/isa/groups/ldst';
import { ldstAtomicSpecs } from '../../emulator/isa/groups/ldst-atomic';
import { mteSpecs } from '../../emulator/isa/groups/mte';
import { A64 } from '../../emulator/isa/table';
import { missingTools, run, runOk, tmpDir } from '../tools';
import { AS, OBJCOPY, checkSweep, testContext } from './sweep';

const GROUPS = [
  { name: 'loads and stores', specs: ldstSpecs },
  { name: 'atomic and ordered', specs: ldstAtomicSpecs },
  { name: 'MTE', specs: mteSpecs },
];

describe('load/store and MTE sweep against objdump and as', () => {
  for (const g of GROUPS) {
    it(`${g.name}: ${g.specs.length} specs`, t => {
      checkSweep(t, g.specs, { samplesPerSpec: 48 });
    });
  }
});

/** Assembler spellings objdump never prints; each must give GNU as's word (or both must reject it). */
const EXTRA = [
  'ldr x0, [x1, #-8]', 'ldr w0, [x1, #3]', 'str x0, [x1, #-256]', 'ldrb w0, [x1, #-1]', 'strh w2, [sp, #1]',
  'ldr q0, [x1, #-16]', 'ldr d1, [x2, #4]', 'prfm pldl1keep, [x0, #-8]', 'prfm #6, [x0]', 'prfm #0x1f, [x0, x1]',
  'ldr x0, [x1, #0]', 'ldr x0, [x1, x2, lsl #0]', 'ldr x0, [x1, w2, sxtw #0]', 'ldr x0, [x1, w2, uxtw #3]',
  'ldrb w0, [x1, x2, lsl #0]', 'ldrb w0, [x1, w2, uxtw #0]', 'ldrb w0, [x1, w2, sxtw]', 'ldr q3, [x1, x2, lsl #4]',
  'ldrsw x0, [x1, x2, sxtx]', 'ldrsh w0, [x1, x2, lsl #1]', 'str s0, [sp, w3, sxtw #2]',
  'ldxr x0, [x1, #0]', 'stxr w0, x1, [sp, #0]', 'ldar w0, [x1, 0]', 'cas x0, x1, [x2, #0]', 'ldadd w0, w1, [sp]',
  'stadd w0, [x1]', 'staddl x0, [sp]', 'ldaddal x0, xzr, [x1]', 'casp x0, x1, x2, x3, [x4]', 'caspal w4, w5, w6, w7, [sp]',
  'ldp x0, x1, [sp]', 'ldp x0, x1, [sp, #0]', 'ldp q0, q1, [x0, #-1024]', 'ldpsw x0, x1, [x2], #8', 'stnp d0, d1, [x2, #-512]',
  'ldp x29, x30, [sp], #16', 'stp x29, x30, [sp, #-16]!', 'ldr x0, [x1, #32760]', 'ldur x0, [x1, #255]',
  'ldg x0, [x1, #0]', 'stg x0, [x1, #16]', 'stg sp, [sp], #-4096', 'stzg x2, [x3, #-16]!', 'st2g x0, [x1]',
  'stgp x0, x1, [x2, #1008]', 'stgp x0, x1, [sp], #-1024', 'irg x0, x1, xzr', 'irg x0, sp', 'addg x0, sp, #1008, #15',
  'subg x0, x1, #0x10, #1', 'gmi x0, sp, x2', 'subp x0, sp, sp', 'subps xzr, x1, x2', 'cmpp sp, x2',
  'stzgm x0, [x1]', 'ldgm x0, [sp, #0]', 'dc gva, x0', 'dc gzva, x30',
  'ldraa x0, [x1]!', 'ldrab x2, [sp, #-8]!', 'ldraa x3, [x4, #4088]',
  'ldapur w0, [x1, #-256]', 'stlur x0, [sp]', 'ldapursb w0, [x1, #1]', 'ldtr x0, [x1, #-8]', 'sttrb w0, [sp]',
];

function gnuWords(lines: string[]): (number | string)[] {
  const dir = tmpDir('tagvisor-ldst-as-');
  const out: (number | string)[] = [];
  for (const l of lines) {
    const s = join(dir, 'a.s'), o = join(dir, 'a.o'), b = join(dir, 'a.bin');
    writeFileSync(s, l + '\n');
    const r = run(AS, ['-march=armv8.7-a+memtag', s, '-o', o]);
    if (r.status !== 0) { out.push(`error: ${r.stderr.split('\n')[1] ?? r.stderr}`); continue; }
    runOk(OBJCOPY, ['-O', 'binary', '-j', '.text', o, b]);
    out.push(readFileSync(b).readUInt32LE(0));
  }
  return out;
}

describe('GNU as spellings', () => {
  it('each extra spelling assembles to the word GNU as gives', { skip: missingTools(AS, OBJCOPY) }, () => {
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

  it('rejects malformed operands with a message naming the problem', () => {
    const cases: [string, string, RegExp][] = [
      ['ldr', 'x0, [x1, w2]', /extend/],
      ['ldr', 'x0, [x1, x2, lsl #2]', /shift amount must be 0 or 3/],
      ['ldr', 'x0, [x1, w2, lsl #3]', /64-bit index/],
      ['casp', 'x0, x2, x4, x5, [x6]', /expected x1/],
      ['stg', 'x0, [x1, #8]', /multiple of 16/],
      ['ldxr', 'x0, [x1, #8]', /offset must be 0/],
      ['prfm', '#32, [x0]', /out of range/],
    ];
    for (const [m, ops, re] of cases) assert.throws(() => A64.encode(m, ops, testContext(0)), re, `${m} ${ops}`);
  });
});
