// The MTE instructions on our CPU: exact effects on registers, RGSR_EL1 and allocation tags.
// Expectations for IRG/ADDG/SUBG come from a model of reference section 2.1 written here,
// independently of emulator/isa/groups/mte.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Stop } from '../../emulator/cpu/cpu';
import { A64 } from '../../emulator/isa/table';
import { PAGE_SIZE, PROT_R } from '../../emulator/memory/index';
import { DATA, Machine, TAGGED, withTag } from './ldst-harness';

const T = TAGGED;
const TAGBITS = 0x0f00_0000_0000_0000n;

// ---- the reference model (section 2.1) ------------------------------------------------------------

/** Bit i of x. */
const bit = (x: number, i: number): number => (x >> i) & 1;

function modelChoose(start: number, offset: number, exclude: number): number {
  const allowed = (t: number) => bit(exclude, t) === 0;
  if (exclude === 0xffff) return 0;
  let t = start;
  if (offset === 0) {
    while (!allowed(t)) t = (t + 1) % 16;
    return t;
  }
  for (let k = 0; k < offset; k++) {
    t = (t + 1) % 16;
    while (!allowed(t)) t = (t + 1) % 16;
  }
  return t;
}

/** One IRG step on {tag, seed}: returns the new tag and state. */
function modelIrg(state: { tag: number; seed: number }, exclude: number): number {
  let s = state.seed;
  const offBits: number[] = [];
  for (let i = 0; i < 4; i++) {
    const b = bit(s, 5) ^ bit(s, 3) ^ bit(s, 2) ^ bit(s, 0);
    s = ((b << 15) | (s >> 1)) & 0xffff;
    offBits.push(b);
  }
  const off = offBits.reduce((acc, b, i) => acc + b * 2 ** i, 0);
  const tag = modelChoose(state.tag, off, exclude);
  state.tag = tag; state.seed = s;
  return tag;
}

/** A machine looping `insn; svc #0` so each runToSvc executes the instruction once more. */
function looping(insn: string): Machine {
  const m = new Machine();
  m.program(`_start:\n  ${insn}\n  svc #0\n  b _start\n`);
  return m;
}

const tagOf = (v: bigint): number => Number((v >> 56n) & 0xfn);

describe('IRG', () => {
  const seeds = [0x0001, 0xace1, 0xffff, 0x8000, 0x1234, 0x5a5a];
  const excludes = [0x0000, 0x0001, 0xfffe, 0x7fff, 0xaaaa, 0x0ff0, 0x8421];
  for (const seed of seeds) for (const gcr of excludes) {
    it(`seed 0x${seed.toString(16)}, GCR exclude 0x${gcr.toString(16)}, Xm 0x0100: 40 steps match the model`, () => {
      const m = looping('irg x1, x0, x2');
      const c = m.cpu;
      c.rgsr = (seed << 8) | 3; c.gcrExclude = gcr; c.gcrRrnd = 0;
      c.x[0] = 0xf0ff_1234_5678_9abcn; c.x[2] = 0xffff_0000_0000_0100n; // only Xm[15:0] counts
      const st = { tag: 3, seed };
      for (let i = 0; i < 40; i++) {
        m.runToSvc();
        const want = modelIrg(st, gcr | 0x0100);
        assert.equal(tagOf(c.x[1]), want, `step ${i}`);
        assert.equal(c.x[1] & ~TAGBITS, c.x[0] & ~TAGBITS, 'all other bits of Xn kept');
        assert.equal(c.rgsr, (st.seed << 8) | st.tag, 'RGSR_EL1 updated');
      }
    });
  }

  it('all tags excluded: tag 0, and the generator still advances', () => {
    const m = looping('irg x1, x0, x2');
    m.cpu.rgsr = (0xace1 << 8) | 5; m.cpu.gcrExclude = 0x00ff; m.cpu.x[2] = 0xff00n; m.cpu.x[0] = withTag(0x1000, 9);
    m.runToSvc();
    const st = { tag: 5, seed: 0xace1 };
    modelIrg(st, 0xffff);
    assert.equal(m.cpu.x[1], 0x1000n);
    assert.equal(m.cpu.rgsr, (st.seed << 8) | 0);
  });

  it('SEED = 0 with RRND = 0 freezes the LFSR: the first allowed tag from RGSR.TAG', () => {
    const m = looping('irg x1, x0');
    m.cpu.rgsr = 6; m.cpu.gcrExclude = 0x00c0; m.cpu.gcrRrnd = 0;
    for (let i = 0; i < 3; i++) { m.runToSvc(); assert.equal(tagOf(m.cpu.x[1]), 8); assert.equal(m.cpu.rgsr, 8); }
  });

  it('RRND = 1 with SEED = 0 substitutes a non-zero seed; the tags are never excluded', () => {
    const m = looping('irg x1, x0');
    m.cpu.rgsr = 0; m.cpu.gcrExclude = 0x0f0f; m.cpu.gcrRrnd = 1;
    const seen = new Set<number>();
    for (let i = 0; i < 64; i++) {
      m.runToSvc();
      const t = tagOf(m.cpu.x[1]);
      assert.equal(bit(0x0f0f, t), 0, `tag ${t} is excluded`);
      assert.notEqual((m.cpu.rgsr >> 8) & 0xffff, 0);
      seen.add(t);
    }
    assert.ok(seen.size >= 4, `only ${seen.size} distinct tags`);
  });

  it('RRND = 1 with a seed runs the same generator (reproducible)', () => {
    const m = looping('irg x1, x0');
    m.cpu.rgsr = 0xbeef00; m.cpu.gcrExclude = 0x1; m.cpu.gcrRrnd = 1;
    const st = { tag: 0, seed: 0xbeef };
    for (let i = 0; i < 10; i++) { m.runToSvc(); assert.equal(tagOf(m.cpu.x[1]), modelIrg(st, 1)); }
  });

  it('without tag access: tag 0 and RGSR untouched', () => {
    const m = looping('irg x1, x0');
    m.cpu.ata = false; m.cpu.rgsr = 0x123405; m.cpu.gcrExclude = 0; m.cpu.x[0] = withTag(0xabcd, 7);
    m.runToSvc();
    assert.equal(m.cpu.x[1], 0xabcdn);
    assert.equal(m.cpu.rgsr, 0x123405);
  });

  it('irg sp, sp reads and writes SP', () => {
    const m = looping('irg sp, sp');
    const exclude = 0xffff ^ 0x0011; // only tags 0 and 4 allowed
    m.cpu.rgsr = 0x00000100; m.cpu.gcrExclude = exclude;
    m.cpu.sp = 0x7ff0n;
    m.runToSvc();
    const st = { tag: 0, seed: 1 };
    const want = modelIrg(st, exclude);
    assert.equal(want, 4, 'this seed picks the non-zero allowed tag');
    assert.equal(m.cpu.sp, withTag(0x7ff0, want));
  });
});

describe('GMI, ADDG, SUBG, SUBP, SUBPS, CMPP', () => {
  it('gmi: Xm | 1 << tag(Xn)', () => {
    const m = looping('gmi x3, x1, x2');
    m.cpu.x[1] = withTag(0x1234, 0xb); m.cpu.x[2] = 0x8001n;
    m.runToSvc();
    assert.equal(m.cpu.x[3], 0x8801n);
  });

  for (const [insn, start, exclude, expectTag, expectAddr] of [
    ['addg x0, x1, #0x20, #0x3', 2, 0x0000, 5, 0x1020n],
    ['addg x0, x1, #0x3f0, #0x1', 0xf, 0x0001, 1, 0x13f0n],
    ['addg x0, x1, #0x0, #0x0', 4, 0x0030, 6, 0x1000n],
    ['addg x0, x1, #0x10, #0xf', 0, 0xaaaa, 14, 0x1010n],
    ['subg x0, x1, #0x10, #0x2', 14, 0x8000, 1, 0x0ff0n],
    ['subg x0, x1, #0x0, #0x5', 3, 0xffff, 0, 0x1000n],
  ] as const) {
    it(`${insn} from tag ${start}, exclude 0x${exclude.toString(16)}`, () => {
      const m = looping(insn);
      m.cpu.gcrExclude = exclude;
      m.cpu.x[1] = 0xa000_0000_0000_0000n | withTag(0x1000, start);
      m.runToSvc();
      const offset = parseInt(/#0x([0-9a-f]+)$/.exec(insn)![1], 16);
      assert.equal(expectTag, modelChoose(start, offset, exclude), 'table entry agrees with the model');
      assert.equal(m.cpu.x[0], 0xa000_0000_0000_0000n | withTag(expectAddr, expectTag));
    });
  }

  it('addg/subg without tag access give tag 0', () => {
    const m = looping('addg x0, x1, #0x10, #0x1');
    m.cpu.ata = false; m.cpu.gcrExclude = 0; m.cpu.x[1] = withTag(0x1000, 5);
    m.runToSvc();
    assert.equal(m.cpu.x[0], 0x1010n);
  });

  it('addg with SP operands', () => {
    const m = looping('addg sp, sp, #0x30, #0x1');
    m.cpu.gcrExclude = 0; m.cpu.sp = withTag(0x7000, 15);
    m.runToSvc();
    assert.equal(m.cpu.sp, withTag(0x7030, 0));
  });

  it('subp / subps / cmpp sign-extend bit 55 and ignore the tag byte', () => {
    const m = new Machine();
    m.program(`_start:
      subp x3, x1, x2
      subps x4, x2, x1
      svc #0
      cmpp x1, x1
      svc #0
      subp x5, sp, x1
      svc #0`);
    m.cpu.x[1] = 0xff80_0000_0000_0010n; // [55:0] = 0x80000000000010: negative as 56-bit
    m.cpu.x[2] = 0x0500_0000_0000_0020n;
    m.runToSvc();
    const s56 = (v: bigint) => BigInt.asIntN(56, v);
    assert.equal(m.cpu.x[3], BigInt.asUintN(64, s56(m.cpu.x[1]) - s56(m.cpu.x[2])));
    assert.equal(m.cpu.x[3], 0xff7f_ffff_ffff_fff0n);
    assert.equal(m.cpu.x[4], 0x0080_0000_0000_0010n);
    assert.deepEqual([m.cpu.nf, m.cpu.zf, m.cpu.cf, m.cpu.vf], [0, 0, 0, 0], 'positive - negative: no borrow as unsigned 64-bit (C=0), no overflow');
    m.runToSvc();
    assert.deepEqual([m.cpu.nf, m.cpu.zf, m.cpu.cf, m.cpu.vf], [0, 1, 1, 0]);
    m.cpu.sp = withTag(0x7000, 3);
    m.runToSvc();
    assert.equal(m.cpu.x[5], BigInt.asUintN(64, 0x7000n - s56(m.cpu.x[1])));
  });
});

describe('LDG and the tag stores', () => {
  it('ldg: aligned down, other bits kept, offset scaled by 16', () => {
    const m = new Machine();
    m.program('_start:\n  ldg x0, [x1, #-16]\n  ldg x2, [x1, #4080]\n  ldg x3, [x4]\n  svc #0\n');
    m.setTag(T + 0x20, 0x9); m.setTag(T + 0x30 + 4080, 0x4);
    m.cpu.x[1] = withTag(T + 0x3f, 1);
    m.cpu.x[0] = 0xf123_4567_89ab_cdefn; m.cpu.x[2] = 0n;
    m.cpu.x[4] = withTag(DATA + 8, 6); m.cpu.x[3] = withTag(0x55, 0xc);
    m.runToSvc();
    assert.equal(m.cpu.x[0], 0xf923_4567_89ab_cdefn);
    assert.equal(m.cpu.x[2], withTag(0, 4));
    assert.equal(m.cpu.x[3], 0x55n, 'untagged page: tag 0');
  });

  it('ldg without tag access reads 0; a tag load still needs a mapping', () => {
    const m = new Machine();
    m.program('_start:\n  ldg x0, [x1]\n  svc #0\n  ldg x0, [x2]\n  svc #0\n');
    m.setTag(T, 0xa); m.cpu.ata = false;
    m.cpu.x[1] = BigInt(T); m.cpu.x[0] = withTag(1, 5); m.cpu.x[2] = 0x100000000n;
    m.runToSvc();
    assert.equal(m.cpu.x[0], 1n);
    assert.equal(m.run(), Stop.Fault);
    assert.equal(m.cpu.fault!.kind, 'translation');
  });

  it('stg/stzg/st2g/stz2g: tags, zeroing, offsets and writeback', () => {
    const m = new Machine();
    m.program(`_start:
      stg x1, [x10]
      stzg x2, [x10, #32]
      st2g x3, [x10, #64]
      stz2g x4, [x10, #128]
      stg x5, [x11, #-16]!
      stz2g x6, [x12], #-32
      stg sp, [x10, #4080]
      svc #0`);
    for (let i = 0; i < 512; i++) m.poke(T + i, new Uint8Array([0xee]));
    m.setTag(T, 0xf, 32);
    const c = m.cpu;
    c.x[10] = withTag(T, 0xd);
    [1, 2, 3, 4, 5, 6].forEach(i => { c.x[i] = withTag(0x1111 * i, i); });
    c.x[11] = withTag(T + 0x110, 0); c.x[12] = withTag(T + 0x120, 0);
    c.sp = withTag(0x7ffff0, 0xc);
    m.runToSvc();
    const tags = Array.from({ length: 20 }, (_, g) => m.tag(T + 16 * g));
    assert.deepEqual(tags, [1, 0xf, 2, 0xf, 3, 3, 0xf, 0xf, 4, 4, 0xf, 0xf, 0xf, 0xf, 0xf, 0xf, 5, 0xf, 6, 6]);
    assert.equal(m.tag(T + 4080), 0xc);
    const zeroed = (a: number, n: number) => m.peek(a, n).every(b => b === 0);
    const intact = (a: number, n: number) => m.peek(a, n).every(b => b === 0xee);
    assert.ok(intact(T, 32) && zeroed(T + 32, 16) && intact(T + 48, 80) && zeroed(T + 128, 32) && intact(T + 160, 128));
    assert.ok(zeroed(T + 0x120, 32));
    assert.equal(c.x[11], withTag(T + 0x100, 0));
    assert.equal(c.x[12], withTag(T + 0x100, 0));
  });

  it('tag stores need 16-byte alignment (nothing changes on the fault)', () => {
    const m = new Machine();
    m.program('_start:\n  stzg x1, [x2]\n  svc #0\n');
    m.poke64(T, 0x77n);
    m.cpu.x[1] = withTag(0, 3); m.cpu.x[2] = withTag(T + 8, 3);
    assert.equal(m.run(), Stop.Fault);
    assert.equal(m.cpu.fault!.kind, 'alignment');
    assert.equal(m.cpu.fault!.va, withTag(T + 8, 3));
    assert.equal(m.tag(T), 0); assert.equal(m.peek64(T), 0x77n);
  });

  it('untagged pages and disabled tag access drop the tag write; zeroing still happens', () => {
    const m = new Machine();
    m.program('_start:\n  stzg x1, [x2]\n  stg x1, [x3]\n  svc #0\n');
    m.poke64(DATA, 0x55n); m.poke64(T + 16, 0x66n);
    m.cpu.x[1] = withTag(0, 9); m.cpu.x[2] = BigInt(DATA); m.cpu.x[3] = BigInt(T);
    m.runToSvc();
    assert.equal(m.peek64(DATA), 0n);
    assert.equal(m.tag(DATA), 0);
    assert.equal(m.tag(T), 9);
    const m2 = new Machine();
    m2.program('_start:\n  stzg x1, [x2]\n  svc #0\n');
    m2.cpu.ata = false; m2.poke64(T, 0x55n); m2.cpu.x[1] = withTag(0, 9); m2.cpu.x[2] = BigInt(T);
    m2.runToSvc();
    assert.equal(m2.tag(T), 0); assert.equal(m2.peek64(T), 0n);
  });

  it('tag stores are writes for permissions; st2g across into an unmapped page changes nothing', () => {
    const m = new Machine();
    m.program('_start:\n  stg x1, [x2]\n  svc #0\n  st2g x1, [x3]\n  svc #0\n');
    m.map(0x700000, 1, PROT_R, true);
    m.cpu.x[1] = withTag(0, 4); m.cpu.x[2] = 0x700000n; m.cpu.x[3] = BigInt(T + 4 * PAGE_SIZE - 16);
    assert.equal(m.run(), Stop.Fault);
    assert.equal(m.cpu.fault!.kind, 'permission');
    m.cpu.pc += 8;
    assert.equal(m.run(), Stop.Fault);
    assert.equal(m.cpu.fault!.kind, 'translation');
    assert.equal(m.tag(T + 4 * PAGE_SIZE - 16), 0);
  });

  it('stgp: data pair + the address tag, unchecked, all three index modes', () => {
    const m = new Machine();
    m.program(`_start:
      stgp x3, x4, [x2, #16]
      stgp x4, x3, [x5], #-32
      stgp x3, xzr, [x6, #1008]!
      svc #0`);
    m.cpu.tcf0 = 1; // synchronous checking on, yet STGP never checks
    m.setTag(T, 0xe, 4);
    m.cpu.x[2] = withTag(T, 9); m.cpu.x[3] = 0x3333n; m.cpu.x[4] = 0x4444n;
    m.cpu.x[5] = withTag(T + 32, 2); m.cpu.x[6] = withTag(T + 48, 7);
    m.runToSvc();
    assert.deepEqual([m.tag(T), m.tag(T + 16), m.tag(T + 32), m.tag(T + 48 + 1008)], [0xe, 9, 2, 7]);
    assert.deepEqual([m.peek64(T + 16), m.peek64(T + 24), m.peek64(T + 32), m.peek64(T + 40)], [0x3333n, 0x4444n, 0x4444n, 0x3333n]);
    assert.deepEqual([m.peek64(T + 1056), m.peek64(T + 1064)], [0x3333n, 0n]);
    assert.equal(m.cpu.x[5], withTag(T, 2));
    assert.equal(m.cpu.x[6], withTag(T + 1056, 7));
  });

  it('the one-granule fast path (TLB hit, no hooks) and the hooked slow path give the same result', () => {
    const prog = `_start:
      stg x1, [x2]
      stzg x1, [x2, #16]!
      stgp x3, x3, [x2, #16]
      stg x1, [x2], #32
      stzg x1, [x2]
      svc #0`;
    const results = [false, true].map(hooked => {
      const m = new Machine();
      m.program(prog);
      for (let i = 0; i < 128; i++) m.poke(T + i, new Uint8Array([0x5a]));
      const events: string[] = [];
      if (hooked) {
        m.cpu.mmu.hooks.beforeTagWrite = (_p, g, o, n) => events.push(`${g}:${o}->${n}`);
        m.cpu.mmu.hooks.beforeWrite = (_p, off, size) => events.push(`w${off}+${size}`);
      }
      m.peek(T, 1); m.cpu.mmu.read8(BigInt(T), false); // TLB filled: later tag stores take the fast path
      m.cpu.x[1] = withTag(0, 6); m.cpu.x[2] = withTag(T, 2); m.cpu.x[3] = 0x33n;
      m.runToSvc();
      return { tags: Array.from({ length: 8 }, (_, g) => m.tag(T + 16 * g)), data: [...m.peek(T, 128)], x2: m.cpu.x[2], events };
    });
    assert.deepEqual(results[0].tags, [6, 6, 2, 6, 0, 0, 0, 0]);
    assert.deepEqual({ ...results[0], events: [] }, { ...results[1], events: [] });
    assert.deepEqual(results[1].events.filter(e => e.includes('->')), ['0:0->6', '1:0->6', '2:0->2', '1:6->6', '3:0->6']);
  });

  it('stgp needs 16-byte alignment', () => {
    const m = new Machine();
    m.program('_start:\n  stgp x3, x4, [x2]\n  svc #0\n');
    m.cpu.x[2] = BigInt(T + 8);
    assert.equal(m.run(), Stop.Fault);
    assert.equal(m.cpu.fault!.kind, 'alignment');
    assert.equal(m.peek64(T + 8), 0n);
  });

  it('dc gva / dc gzva: the 64-byte block holding Xt, tag from Xt, no alignment requirement', () => {
    const m = new Machine();
    m.program('_start:\n  dc gva, x1\n  dc gzva, x2\n  svc #0\n');
    for (let i = 0; i < 256; i++) m.poke(T + i, new Uint8Array([0xab]));
    m.cpu.x[1] = withTag(T + 0x47, 0xa); m.cpu.x[2] = withTag(T + 0xbf, 0x5);
    m.runToSvc();
    assert.deepEqual(Array.from({ length: 16 }, (_, g) => m.tag(T + 16 * g)), [0, 0, 0, 0, 0xa, 0xa, 0xa, 0xa, 5, 5, 5, 5, 0, 0, 0, 0]);
    assert.ok(m.peek(T, 128).every(b => b === 0xab));
    assert.ok(m.peek(T + 128, 64).every(b => b === 0));
    assert.ok(m.peek(T + 192, 64).every(b => b === 0xab));
  });

  for (const insn of ['ldgm x0, [x1]', 'stgm x0, [x1]', 'stzgm x0, [x1]']) {
    it(`${insn} is UNDEFINED at EL0 (SIGILL) but disassembles`, () => {
      const m = new Machine();
      m.program(`_start:\n  ${insn}\n  svc #0\n`);
      m.cpu.x[1] = BigInt(T);
      assert.equal(m.run(), Stop.Undefined);
      const word = new DataView(m.peek(0x400000, 4).buffer).getUint32(0, true);
      assert.equal(m.cpu.undefinedWord, word);
      assert.equal(m.cpu.pc, 0x400000);
      assert.equal(A64.disassemble(word, { pc: 0 }).text.replace('\t', ' '), insn);
    });
  }
});

describe('hover texts', () => {
  it('every MTE mnemonic says what it does to tags and whether it is tag-checked', () => {
    for (const mn of ['irg', 'gmi', 'addg', 'subg', 'subp', 'subps', 'cmpp', 'ldg', 'stg', 'stzg', 'st2g', 'stz2g', 'stgp', 'ldgm', 'stgm', 'stzgm', 'dc']) {
      const forms = A64.describe(mn).filter(f => f.group === 'Memory Tagging Extension');
      assert.ok(forms.length > 0, mn);
      for (const f of forms) {
        assert.match(f.hover, /tag/i, `${mn}: ${f.hover}`);
        assert.match(f.hover, /not tag-checked|neither part is tag-checked/i, `${mn}: ${f.hover}`);
      }
    }
  });
});
