// Semantics of the load/store and atomic groups on our CPU: address arithmetic and writeback of
// every addressing mode, sign/zero extension, FP/SIMD register forms, pairs, exclusives, atomics,
// ordered accesses, alignment faults and all-or-nothing behaviour of multi-part accesses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Stop } from '../../emulator/cpu/cpu';
import { PAGE_SIZE } from '../../emulator/memory/index';
import { DATA, Machine, STACK_TOP } from './ldst-harness';

const D = DATA;
const hex = (v: bigint | number): string => '0x' + v.toString(16);

/** Runs `body` (with x20 = DATA preloaded) to its final svc and returns the machine. */
function exec(body: string, setup?: (m: Machine) => void): Machine {
  const m = new Machine();
  m.program(`_start:\n${body}\n  svc #0\n`);
  m.cpu.x[20] = BigInt(D);
  setup?.(m);
  m.runToSvc();
  return m;
}

describe('load/store addressing modes', () => {
  it('unsigned offset, unscaled, pre-index and post-index (address and writeback)', () => {
    const m = exec(`
      ldr x0, [x20, #16]
      ldur x1, [x20, #-8]
      add x2, x20, #0
      ldr x3, [x2, #8]!
      add x4, x20, #0
      ldr x5, [x4], #24
      ldr w6, [x20, #4092]
      ldrh w7, [x20, #4094]
      str x0, [x20, #16376]
      ldtr x8, [x20, #16]
      sttrh w0, [x20, #40]`, m => {
      for (let i = 0; i < 8; i++) m.poke64(D + 8 * i, 0x1111111111111111n * BigInt(i + 1));
      m.map(D - PAGE_SIZE, 1);
      m.poke64(D - 8, 0xdeadn);
      m.poke(D + 4092, new Uint8Array([1, 2, 3, 4]));
    });
    const x = m.cpu.x;
    assert.equal(x[0], 0x3333333333333333n);
    assert.equal(x[1], 0xdeadn);
    assert.equal(x[3], 0x2222222222222222n); assert.equal(x[2], BigInt(D + 8));
    assert.equal(x[5], 0x1111111111111111n); assert.equal(x[4], BigInt(D + 24));
    assert.equal(x[6], 0x04030201n);
    assert.equal(x[7], 0x0403n);
    assert.equal(m.peek64(D + 16376), 0x3333333333333333n);
    assert.equal(x[8], 0x3333333333333333n);
    assert.equal(m.peek64(D + 40), 0x6666666666663333n);
  });

  it('register offset: lsl, uxtw, sxtw (negative index), sxtx, byte lsl #0', () => {
    const m = exec(`
      mov x1, #3
      ldr x0, [x20, x1, lsl #3]
      movn w2, #0          // w2 = -1 (sxtw), upper half of x2 garbage
      movk x2, #0x1234, lsl #48
      ldr x3, [x21, w2, sxtw #3]
      ldr x4, [x20, w1, uxtw #3]
      movn w5, #0
      ldrb w6, [x22, w5, uxtw]
      movn x7, #1          // x7 = -2
      ldrh w8, [x21, x7, sxtx #1]
      ldrb w9, [x20, x1, lsl #0]
      ldr x10, [x20, x1]`, m => {
      for (let i = 0; i < 8; i++) m.poke64(D + 8 * i, BigInt(i) * 0x0101010101010101n);
      m.cpu.x[21] = BigInt(D + 64);
      m.cpu.x[22] = BigInt(D - 0xffffffff + 5);
    });
    const x = m.cpu.x;
    assert.equal(x[0], 3n * 0x0101010101010101n);
    assert.equal(x[3], 7n * 0x0101010101010101n, 'sxtw of -1 scaled by 8 from D+64');
    assert.equal(x[4], 3n * 0x0101010101010101n);
    assert.equal(x[6], 0n, 'D+5 holds byte 0 of the first quad');
    assert.equal(x[8], 0x0707n, 'D+64-4');
    assert.equal(x[9], 0n);
    assert.equal(x[10], 0x0101010000000000n, 'unaligned: bytes D+3..D+10');
  });

  it('PC-relative literal loads (ldr w/x, ldrsw, ldr s/d/q, prfm)', () => {
    const m = exec(`
      ldr x0, lit64
      ldr w1, lit64
      ldrsw x2, litneg
      ldr d3, lit64
      ldr q4, lit128
      ldr s5, litneg
      prfm pldl1keep, lit64
      b done
      .balign 16
lit64: .quad 0x8877665544332211
litneg: .word 0x80000001
      .balign 16
lit128: .quad 0x0123456789abcdef, 0xfedcba9876543210
done:`);
    const x = m.cpu.x, v = m.cpu.v;
    assert.equal(x[0], 0x8877665544332211n);
    assert.equal(x[1], 0x44332211n);
    assert.equal(x[2], 0xffffffff80000001n);
    assert.equal(v[6], 0x8877665544332211n); assert.equal(v[7], 0n);
    assert.equal(v[8], 0x0123456789abcdefn); assert.equal(v[9], 0xfedcba9876543210n);
    assert.equal(v[10], 0x80000001n); assert.equal(v[11], 0n);
  });

  it('sign and zero extension of every load size', () => {
    const m = exec(`
      ldrb w0, [x20]
      ldrsb w1, [x20]
      ldrsb x2, [x20]
      ldrh w3, [x20]
      ldrsh w4, [x20]
      ldrsh x5, [x20]
      ldr w6, [x20]
      ldrsw x7, [x20]
      ldursb x8, [x20, #8]
      ldrsb x9, [x20, #8]
      ldrsw x10, [x20, #8]`, m => {
      m.cpu.x[1] = m.cpu.x[4] = 0xffffffffffffffffn; // the W forms must clear the upper half
      m.poke64(D, 0xfedcba98_87654321n | 0x80n);
      m.poke64(D + 8, 0x7fn);
    });
    const x = m.cpu.x;
    assert.equal(x[0], 0xa1n);
    assert.equal(x[1], 0xffffffa1n);
    assert.equal(x[2], 0xffffffffffffffa1n);
    assert.equal(x[3], 0x43a1n);
    assert.equal(x[4], 0x43a1n);
    assert.equal(x[5], 0x43a1n);
    assert.equal(x[6], 0x876543a1n);
    assert.equal(x[7], 0xffffffff876543a1n);
    assert.equal(x[8], 0x7fn); assert.equal(x[9], 0x7fn); assert.equal(x[10], 0x7fn);
  });

  it('stores of every size write only their bytes; xzr stores zero, a load to xzr is discarded', () => {
    const m = exec(`
      movn x0, #0
      strb w1, [x20]
      strh w1, [x20, #2]
      str w1, [x20, #4]
      str x1, [x20, #8]
      stur xzr, [x20, #16]
      ldr xzr, [x20, #8]
      str wzr, [x20, #24]`, m => {
      m.cpu.x[1] = 0x1122334455667788n;
      for (let i = 0; i < 4; i++) m.poke64(D + 8 * i, 0xaaaaaaaaaaaaaaaan);
    });
    assert.equal(m.peek64(D), 0x55667788_7788aa88n);
    assert.equal(m.peek64(D + 8), 0x1122334455667788n);
    assert.equal(m.peek64(D + 16), 0n);
    assert.equal(m.peek64(D + 24), 0xaaaaaaaa00000000n);
    assert.equal(m.cpu.x[31], 0n);
  });

  it('FP/SIMD scalar loads zero the rest of the vector register; stores write their size', () => {
    const m = exec(`
      ldr b0, [x20]
      ldr h1, [x20]
      ldr s2, [x20]
      ldr d3, [x20]
      ldr q4, [x20]
      ldur q5, [x20, #1]
      str q4, [x20, #32]
      str b4, [x20, #48]
      str h4, [x20, #50]
      str s4, [x20, #52]
      str d4, [x20, #56]
      ldr d6, [x20, x1, lsl #3]
      ldr q7, [x20, x2, lsl #4]`, m => {
      for (let r = 0; r < 8; r++) { m.cpu.v[2 * r] = 0xeeeeeeeeeeeeeeeen; m.cpu.v[2 * r + 1] = 0xeeeeeeeeeeeeeeeen; }
      for (let i = 0; i < 32; i++) m.poke(D + i, new Uint8Array([i + 1]));
      m.cpu.x[1] = 1n; m.cpu.x[2] = 1n;
    });
    const v = m.cpu.v;
    assert.deepEqual([v[0], v[1]], [0x01n, 0n]);
    assert.deepEqual([v[2], v[3]], [0x0201n, 0n]);
    assert.deepEqual([v[4], v[5]], [0x04030201n, 0n]);
    assert.deepEqual([v[6], v[7]], [0x0807060504030201n, 0n]);
    assert.deepEqual([v[8], v[9]], [0x0807060504030201n, 0x100f0e0d0c0b0a09n]);
    assert.deepEqual([v[10], v[11]], [0x0908070605040302n, 0x11100f0e0d0c0b0an]);
    assert.deepEqual([...m.peek(D + 32, 16)], [...m.peek(D, 16)]);
    assert.deepEqual([...m.peek(D + 48, 16)], [1, 0, 1, 2, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual([v[12], v[13]], [0x100f0e0d0c0b0a09n, 0n]);
    assert.deepEqual([v[14], v[15]], [0x1817161514131211n, 0x201f1e1d1c1b1a19n]);
  });

  it('ldraa/ldrab decode but are undefined (no FEAT_PAuth)', () => {
    for (const insn of ['ldraa x0, [x1, #-4096]', 'ldrab x0, [x1]!']) {
      const m = new Machine();
      m.program(`_start:\n  ${insn}\n  svc #0\n`);
      assert.equal(m.run(), Stop.Undefined, insn);
      assert.equal(m.cpu.pc, 0x400000);
    }
  });

  it('prefetches never fault, even on unmapped addresses', () => {
    const m = exec(`
      prfm pldl1keep, [x1]
      prfum pstl2strm, [x1, #-1]
      prfm #0x1f, [x1, x2]
      prfm plil3keep, [x1, #32760]`, m => { m.cpu.x[1] = 0x123456789000n; });
    assert.equal(m.cpu.pc, 0x400000 + 5 * 4);
  });
});

describe('pairs', () => {
  it('ldp/stp of w, x, s, d, q with offset, pre and post index; ldpsw; ldnp/stnp', () => {
    const m = exec(`
      stp x1, x2, [x20]
      stp w1, w2, [x20, #16]
      ldp x3, x4, [x20]
      ldp w5, w6, [x20, #16]
      ldpsw x7, x8, [x20, #16]
      add x9, x20, #0
      stp x2, x1, [x9, #-16]!
      add x10, x20, #0
      ldp x11, x12, [x10], #-16
      stnp x1, x2, [x20, #64]
      ldnp x13, x14, [x20, #64]
      stp q0, q1, [x20, #96]
      ldp q2, q3, [x20, #96]
      stp d0, d1, [x20, #128]
      ldp s4, s5, [x20, #128]
      ldp d6, d7, [x20, #128]`, m => {
      m.map(D - PAGE_SIZE, 1);
      m.cpu.x[1] = 0x1111111180000001n; m.cpu.x[2] = 0x22222222fffffffen;
      m.cpu.v.set([0x0a0a0a0a0a0a0a0an, 0x0b0b0b0b0b0b0b0bn, 0x1c1c1c1c1c1c1c1cn, 0x1d1d1d1d1d1d1d1dn], 0);
      for (let r = 2; r < 8; r++) m.cpu.v[2 * r + 1] = 0xffn;
    });
    const x = m.cpu.x, v = m.cpu.v;
    assert.equal(x[3], 0x1111111180000001n); assert.equal(x[4], 0x22222222fffffffen);
    assert.equal(x[5], 0x80000001n); assert.equal(x[6], 0xfffffffen);
    assert.equal(x[7], 0xffffffff80000001n); assert.equal(x[8], 0xfffffffffffffffen);
    assert.equal(x[9], BigInt(D - 16)); assert.equal(m.peek64(D - 16), x[2]); assert.equal(m.peek64(D - 8), x[1]);
    assert.equal(x[10], BigInt(D - 16)); assert.equal(x[11], x[1]); assert.equal(x[12], x[2]);
    assert.equal(x[13], x[1]); assert.equal(x[14], x[2]);
    assert.deepEqual([...v.slice(4, 8)], [...v.slice(0, 4)]);
    assert.deepEqual([v[8], v[9], v[10], v[11]], [0x0a0a0a0an, 0n, 0x0a0a0a0an, 0n]);
    assert.deepEqual([v[12], v[13], v[14], v[15]], [0x0a0a0a0a0a0a0a0an, 0n, 0x1c1c1c1c1c1c1c1cn, 0n]);
  });

  it('a pair store whose second half faults writes nothing; a pair load changes no register', () => {
    const m = new Machine();
    m.program('_start:\n  stp x1, x2, [x20]\n  svc #0\n  ldp x3, x4, [x20]\n  svc #0\n  stp q0, q1, [x21]\n  svc #0\n');
    m.cpu.x[20] = BigInt(D + 4 * PAGE_SIZE - 8);   // last 8 bytes of the DATA mapping
    m.cpu.x[1] = 1n; m.cpu.x[2] = 2n; m.cpu.x[3] = 3n; m.cpu.x[4] = 4n;
    assert.equal(m.run(), Stop.Fault);
    assert.equal(m.cpu.fault!.kind, 'translation');
    assert.equal(m.cpu.fault!.va, BigInt(D + 4 * PAGE_SIZE));
    assert.equal(m.peek64(D + 4 * PAGE_SIZE - 8), 0n);
    m.cpu.pc += 8;
    assert.equal(m.run(), Stop.Fault);
    assert.equal(m.cpu.x[3], 3n); assert.equal(m.cpu.x[4], 4n);
    m.cpu.pc += 8;
    m.cpu.x[21] = BigInt(D + 4 * PAGE_SIZE - 16);
    m.cpu.v[0] = 7n;
    assert.equal(m.run(), Stop.Fault);
    assert.equal(m.peek64(D + 4 * PAGE_SIZE - 16), 0n);
  });

  it('writeback with SP as base', () => {
    const m = exec(`
      stp x29, x30, [sp, #-32]!
      str x1, [sp, #16]
      ldp x2, x3, [sp], #32`, m => { m.cpu.x[29] = 0x29n; m.cpu.x[30] = 0x30n; m.cpu.x[1] = 5n; });
    assert.equal(m.cpu.sp, BigInt(STACK_TOP));
    assert.equal(m.cpu.x[2], 0x29n); assert.equal(m.cpu.x[3], 0x30n);
    assert.equal(m.peek64(STACK_TOP - 16), 5n);
  });
});

describe('exclusives and the monitor', () => {
  it('ldxr/stxr succeed once; stxr without a matching ldxr fails and stores nothing', () => {
    const m = exec(`
      ldxr x0, [x20]
      add x0, x0, #1
      stxr w1, x0, [x20]
      stxr w2, x0, [x20]
      ldaxr w3, [x21]
      stlxr w4, w0, [x22]
      ldxrb w5, [x23]
      stxrb w6, w5, [x24]
      ldxrh w7, [x24]
      stxrh w8, w7, [x24]
      ldxp x9, x10, [x22]
      stxp w11, x10, x9, [x22]
      ldaxp w12, w13, [x25]
      stlxp w14, w13, w12, [x26]`, m => {
      [8, 16, 1, 2, 32, 40].forEach((o, i) => { m.cpu.x[21 + i] = BigInt(D + o); }); m.poke64(D, 41n); m.poke64(D + 16, 0x1616n); m.poke64(D + 24, 0x2424n); m.poke64(D + 32, 0x0000000200000001n); });
    const x = m.cpu.x;
    assert.equal(m.peek64(D), 42n);
    assert.equal(x[1], 0n); assert.equal(x[2], 1n);
    assert.equal(x[4], 1n, 'stlxr to another address than the monitored one fails');
    assert.equal(x[6], 1n, 'size/address mismatch fails');
    assert.equal(x[8], 0n);
    assert.equal(x[11], 0n); assert.equal(m.peek64(D + 16), 0x2424n); assert.equal(m.peek64(D + 24), 0x1616n);
    assert.equal(x[12], 1n); assert.equal(x[13], 2n);
    assert.equal(x[14], 1n, 'pair store to a different address fails');
    assert.equal(m.cpu.exclusiveAddr, -1);
  });

  for (const [insn, reg] of [
    ['ldxr x0, [x1]', 'x1=D+4'], ['stxr w0, x2, [x1]', 'x1=D+4'], ['ldaxrh w0, [x1]', 'x1=D+1'], ['ldxp x2, x3, [x1]', 'x1=D+8'],
    ['ldar x0, [x1]', 'x1=D+2'], ['stlr w0, [x1]', 'x1=D+2'], ['ldapr w0, [x1]', 'x1=D+2'], ['ldapur x0, [x1, #4]', 'x1=D'],
    ['ldadd x0, x2, [x1]', 'x1=D+4'], ['swph w0, w2, [x1]', 'x1=D+1'], ['cas w0, w2, [x1]', 'x1=D+2'], ['casp x2, x3, x4, x5, [x1]', 'x1=D+8'],
    ['stlurh w0, [x1, #1]', 'x1=D'],
  ] as const) {
    it(`alignment fault: ${insn} with ${reg}`, () => {
      const m = new Machine();
      m.program(`_start:\n  ${insn}\n  svc #0\n`);
      const off = Number(reg.split('+')[1] ?? 0);
      m.cpu.x[1] = BigInt(D + off);
      m.poke64(D, 0x55n);
      assert.equal(m.run(), Stop.Fault);
      assert.equal(m.cpu.fault!.kind, 'alignment');
      assert.equal(m.cpu.fault!.va, BigInt(D + off + (insn.includes('#4') ? 4 : insn.includes('#1') ? 1 : 0)));
      assert.equal(m.peek64(D), 0x55n);
    });
  }
});

describe('atomics', () => {
  const run = (insn: string, mem: bigint, rs: bigint) => {
    const m = exec(`  ${insn}`, m => { m.poke64(D, mem); m.cpu.x[1] = BigInt(D); m.cpu.x[2] = rs; m.cpu.x[3] = 0xdeadn; });
    return { old: m.cpu.x[3], mem: m.peek64(D), m };
  };
  const M = 0x80000000000000f0n;
  const cases: [string, bigint, bigint, bigint][] = [
    // insn, memory before, Rs, memory after (old value always lands in x3)
    ['ldadd x2, x3, [x1]', 5n, 7n, 12n],
    ['ldadd x2, x3, [x1]', 0xffffffffffffffffn, 2n, 1n],
    ['ldadd w2, w3, [x1]', 0x11111111ffffffffn, 2n, 0x1111111100000001n],
    ['ldaddb w2, w3, [x1]', 0xaaffn, 0x102n, 0xaa01n],
    ['ldaddalh w2, w3, [x1]', 0x1fffen, 3n, 0x10001n],
    ['ldclr x2, x3, [x1]', 0xffn, 0x0fn, 0xf0n],
    ['ldeora x2, x3, [x1]', 0xffn, 0x0fn, 0xf0n],
    ['ldsetl x2, x3, [x1]', 0xf0n, 0x0fn, 0xffn],
    ['ldsmax x2, x3, [x1]', M, 5n, 5n],
    ['ldsmin x2, x3, [x1]', M, 5n, M],
    ['ldumax x2, x3, [x1]', M, 5n, M],
    ['ldumin x2, x3, [x1]', M, 5n, 5n],
    ['ldsmaxb w2, w3, [x1]', 0x80n, 0x7fn, 0x7fn],
    ['ldsminh w2, w3, [x1]', 0x7fffn, 0x8000n, 0x8000n],
    ['ldsmax w2, w3, [x1]', 0x80000000n, 1n, 1n],
    ['ldumaxb w2, w3, [x1]', 0x80n, 0x7fn, 0x80n],
    ['swp x2, x3, [x1]', 1n, 2n, 2n],
    ['swpalb w2, w3, [x1]', 0x1234n, 0x56n, 0x1256n],
    ['stadd x2, [x1]', 5n, 7n, 12n],
    ['stsmaxlh w2, [x1]', 0x8000n, 1n, 1n],
  ];
  for (const [insn, mem, rs, after] of cases) {
    it(`${insn}: [${hex(mem)}] op ${hex(rs)}`, () => {
      const r = run(insn, mem, rs);
      assert.equal(r.mem, after);
      const bits = / (w|x)2/.exec(insn)![1] === 'x' ? 64 : insn.includes('b w') ? 8 : insn.includes('h w') ? 16 : 32;
      const mask = (1n << BigInt(bits)) - 1n;
      if (insn.startsWith('st')) assert.equal(r.old, 0xdeadn, 'store aliases discard the old value');
      else assert.equal(r.old, mem & mask, 'Rt receives the zero-extended old value');
    });
  }

  it('cas/casp: swap only on equality, Rs receives the old value', () => {
    const m = exec(`
      mov x2, #5
      mov x3, #9
      cas x2, x3, [x1]
      mov x4, #5
      casal x4, x3, [x1]
      mov w6, #9
      mov w7, #0x77
      casb w6, w7, [x1]
      casp x8, x9, x10, x11, [x12]
      caspl w14, w15, w16, w17, [x12]`, m => {
      m.poke64(D, 5n); m.cpu.x[1] = BigInt(D);
      m.poke64(D + 16, 0xan); m.poke64(D + 24, 0xbn); m.cpu.x[12] = BigInt(D + 16);
      m.cpu.x[8] = 0xan; m.cpu.x[9] = 0xbn; m.cpu.x[10] = 0x100000000cn; m.cpu.x[11] = 0xdn;
      m.cpu.x[14] = 0xcn; m.cpu.x[15] = 0x10n; m.cpu.x[16] = 0xe0n; m.cpu.x[17] = 0xf0n;
    });
    const x = m.cpu.x;
    assert.equal(x[2], 5n, 'first cas succeeded: old value 5');
    assert.equal(x[4], 9n, 'second cas failed: old value 9');
    assert.equal(x[6], 9n);
    assert.equal(m.peek64(D), 0x77n, 'casb compares the low byte only');
    assert.deepEqual([x[8], x[9]], [0xan, 0xbn]);
    assert.equal(m.peek64(D + 24), 0xdn, 'casp wrote the high half');
    assert.deepEqual([x[14], x[15]], [0xcn, 0x10n], 'caspl w: equal -> swapped; old pair returned');
    assert.equal(m.peek64(D + 16), 0x000000f0000000e0n);
  });

  it('atomics need write permission even when comparing fails', () => {
    const m = new Machine();
    m.program('_start:\n  cas x2, x3, [x1]\n  svc #0\n');
    m.map(0x700000, 1, 1 /* PROT_R */);
    m.cpu.x[1] = 0x700000n; m.cpu.x[2] = 1n;
    assert.equal(m.run(), Stop.Fault);
    assert.equal(m.cpu.fault!.kind, 'permission');
    assert.equal(m.cpu.x[2], 1n);
  });

  it('load-acquire / store-release forms move the right sizes', () => {
    const m = exec(`
      ldar x0, [x1]
      ldarb w2, [x1]
      ldlarh w3, [x1]
      ldapr w4, [x1]
      ldaprb w5, [x1]
      stlr x6, [x21]
      stllrb w6, [x22]
      stlrh w6, [x23]
      ldapursb x7, [x1, #1]
      ldapursh w8, [x1, #2]
      ldapursw x9, [x1, #4]
      stlur w6, [x1, #32]`, m => {
      m.poke64(D, 0x8382818087868584n); m.cpu.x[1] = BigInt(D); m.cpu.x[6] = 0x0102030405060708n;
      m.cpu.x[21] = BigInt(D + 8); m.cpu.x[22] = BigInt(D + 16); m.cpu.x[23] = BigInt(D + 24);
    });
    const x = m.cpu.x;
    assert.equal(x[0], 0x8382818087868584n);
    assert.equal(x[2], 0x84n); assert.equal(x[3], 0x8584n); assert.equal(x[4], 0x87868584n); assert.equal(x[5], 0x84n);
    assert.equal(m.peek64(D + 8), 0x0102030405060708n);
    assert.equal(m.peek64(D + 16), 0x08n); assert.equal(m.peek64(D + 24), 0x0708n); assert.equal(m.peek64(D + 32), 0x05060708n);
    assert.equal(x[7], 0xffffffffffffff85n); assert.equal(x[8], 0xffff8786n); assert.equal(x[9], 0xffffffff83828180n);
  });
});
