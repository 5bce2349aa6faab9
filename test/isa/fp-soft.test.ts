// The softfloat core (emulator/isa/groups/fp-soft.ts): the fast paths on JS doubles must give the
// same bits and the same FPSR flags as the exact BigInt paths on every input (hundreds of thousands
// of random and edge operands near the denormal, overflow and rounding-tie boundaries), and a set
// of hand-checked cases pins the architectural corner cases (tininess before rounding, FZ, DN, NaN
// propagation order, round-to-odd, conversions that saturate). The qemu differential test covers
// the same code on real programs; this one reaches the rare regions quickly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Cpu } from '../../emulator/cpu/cpu';
import {
  addSlow, arithD, arithS, convertSlow, divSlow, FD, fmaD, fmaS, fmaSlow, FS, FH, IDC, IOC, IXC, mulSlow, OFC, OP_ADD, OP_DIV, OP_MUL,
  OP_SUB, RM, RN, RO, RP, RZ, RA, roundIntSlow, sqrtD, sqrtS, sqrtSlow, toFixedSlow, fromFixedSlow, UFC, DZC, maxMinSlow, compareSlow,
} from '../../emulator/isa/groups/fp-soft';
import { cvtFromInt, cvtToInt, frint, maxMinLanes, fcmpLanes } from '../../emulator/isa/groups/fp';
import { makeViews } from '../../emulator/isa/groups/simd-regs';
import { rng } from './sweep';

/** The FP state the core uses (fpcr, fpsr). */
const cpu = (fpcr = 0): Cpu => ({ fpcr, fpsr: 0 }) as unknown as Cpu;
const V = makeViews(new ArrayBuffer(64));
const R = makeViews(new ArrayBuffer(64));

const f64bits = (x: number): bigint => { V.f64[7] = x; return V.u64[7]; };

// ---- operand generators -----------------------------------------------------------------------------------

function randD(next: () => number): bigint {
  const k = next() % 10;
  const sign = BigInt(next() & 1) << 63n;
  const frac = ((BigInt(next()) << 20n) | BigInt(next() & 0xfffff)) & 0xfffffffffffffn;
  const fracTies = k === 1 ? frac & ~0xffffffn : frac; // many trailing zeros: exact and tie cases
  let exp: number;
  switch (k) {
    case 0: exp = next() % 2048; break; // anything
    case 2: exp = next() % 60; break; // denormal and tiny normal
    case 3: exp = 2047 - 1 - (next() % 60); break; // huge
    case 4: exp = 1023 - 511 - (next() % 60); break; // squares near the denormal boundary
    case 5: exp = 1023 + 511 - (next() % 40); break; // squares near overflow
    default: exp = 1023 + (next() % 64) - 32;
  }
  return sign | (BigInt(exp) << 52n) | fracTies;
}
function randS(next: () => number): number {
  const k = next() % 10;
  const sign = (next() & 1) << 31;
  let frac = next() & 0x7fffff;
  if (k === 1) frac &= ~0xfff;
  let exp: number;
  switch (k) {
    case 0: exp = next() % 256; break;
    case 2: exp = next() % 30; break;
    case 3: exp = 254 - (next() % 30); break;
    case 4: exp = 127 - 63 - (next() % 20); break;
    case 5: exp = 127 + 63 - (next() % 10); break;
    default: exp = 127 + (next() % 32) - 16;
  }
  return (sign | (exp << 23) | frac) >>> 0;
}

// ---- fast == slow ------------------------------------------------------------------------------------------

describe('fp-soft fast paths agree with the exact BigInt paths', () => {
  const N = Number(process.env.TAGVISOR_FP_N ?? 20_000);
  it('double add/sub/mul/div/sqrt/fma', () => {
    const next = rng(11);
    for (let i = 0; i < N; i++) {
      const a = randD(next), b = randD(next);
      let d = randD(next);
      // A third of the addends nearly cancel the product (the hard case for a fused multiply-add).
      if (i % 3 === 0) {
        V.u64[0] = a; V.u64[1] = b;
        const p = -(V.f64[0] * V.f64[1]);
        V.f64[2] = p; d = BigInt.asUintN(64, V.u64[2] + BigInt((next() % 5) - 2));
        if (next() % 2) d ^= 1n << 63n;
      }
      for (const op of [OP_ADD, OP_SUB, OP_MUL, OP_DIV]) {
        V.u64[0] = a; V.u64[1] = b;
        const c1 = cpu(); arithD(c1, op, V, 0, V, 1, R, 0);
        const c2 = cpu();
        const want = op === OP_MUL ? mulSlow(c2, FD, a, b) : op === OP_DIV ? divSlow(c2, FD, a, b) : addSlow(c2, FD, a, b, op === OP_SUB);
        if (R.u64[0] !== want || c1.fpsr !== c2.fpsr) {
          assert.fail(`op ${op} a=${a.toString(16)} b=${b.toString(16)}: fast ${R.u64[0].toString(16)} flags ${c1.fpsr}, exact ${want.toString(16)} flags ${c2.fpsr}`);
        }
      }
      V.u64[0] = a & ~(1n << 63n);
      const c1 = cpu(); sqrtD(c1, V, 0, R, 0);
      const c2 = cpu(); const want = sqrtSlow(c2, FD, V.u64[0]);
      assert.ok(R.u64[0] === want && c1.fpsr === c2.fpsr, `sqrt ${V.u64[0].toString(16)}: fast ${R.u64[0].toString(16)}/${c1.fpsr} exact ${want.toString(16)}/${c2.fpsr}`);
      for (const [na, n1] of [[false, false], [false, true], [true, false], [true, true]]) {
        V.u64[0] = d; V.u64[1] = a; V.u64[2] = b;
        const c3 = cpu(); fmaD(c3, V, 0, 1, 2, R, 0, na, n1);
        const c4 = cpu();
        const M = 1n << 63n;
        const w = fmaSlow(c4, FD, na ? d ^ M : d, n1 ? a ^ M : a, b);
        assert.ok(R.u64[0] === w && c3.fpsr === c4.fpsr, `fma(${na},${n1}) ${d.toString(16)} + ${a.toString(16)}*${b.toString(16)}: fast ${R.u64[0].toString(16)}/${c3.fpsr} exact ${w.toString(16)}/${c4.fpsr}`);
      }
    }
  });

  it('single add/sub/mul/div/sqrt/fma', () => {
    const next = rng(12);
    for (let i = 0; i < N; i++) {
      const a = randS(next), b = randS(next), d = randS(next);
      for (const op of [OP_ADD, OP_SUB, OP_MUL, OP_DIV]) {
        V.u32[0] = a; V.u32[1] = b;
        const c1 = cpu(); arithS(c1, op, V, 0, V, 1, R, 0);
        const c2 = cpu();
        const A = BigInt(a), B = BigInt(b);
        const want = Number(op === OP_MUL ? mulSlow(c2, FS, A, B) : op === OP_DIV ? divSlow(c2, FS, A, B) : addSlow(c2, FS, A, B, op === OP_SUB));
        assert.ok(R.u32[0] === want && c1.fpsr === c2.fpsr, `op ${op} a=${a.toString(16)} b=${b.toString(16)}: fast ${R.u32[0].toString(16)}/${c1.fpsr} exact ${want.toString(16)}/${c2.fpsr}`);
      }
      V.u32[0] = a & 0x7fffffff;
      const c1 = cpu(); sqrtS(c1, V, 0, R, 0);
      const c2 = cpu(); const want = Number(sqrtSlow(c2, FS, BigInt(V.u32[0])));
      assert.ok(R.u32[0] === want && c1.fpsr === c2.fpsr, `sqrt ${V.u32[0].toString(16)}`);
      for (const [na, n1] of [[false, false], [true, true]]) {
        V.u32[0] = d; V.u32[1] = a; V.u32[2] = b;
        const c3 = cpu(); fmaS(c3, V, 0, 1, 2, R, 0, na, n1);
        const c4 = cpu();
        const w = Number(fmaSlow(c4, FS, BigInt(na ? (d ^ 0x80000000) >>> 0 : d), BigInt(n1 ? (a ^ 0x80000000) >>> 0 : a), BigInt(b)));
        assert.ok(R.u32[0] === w && c3.fpsr === c4.fpsr, `fma ${d.toString(16)} + ${a.toString(16)}*${b.toString(16)}: fast ${R.u32[0].toString(16)}/${c3.fpsr} exact ${w.toString(16)}/${c4.fpsr}`);
      }
    }
  });

  it('conversions to integers (all rounding modes, fixed point) and from integers', () => {
    const next = rng(13);
    for (let i = 0; i < N; i++) {
      const a = randD(next), s = randS(next);
      for (const rnd of [RN, RP, RM, RZ, RA]) for (const [bits, uns] of [[32, false], [32, true], [64, false], [64, true]] as const) {
        const fb = next() % 3 === 0 ? next() % (bits + 1) : 0;
        V.u64[0] = a; V.u32[2] = s;
        const c1 = cpu(); const r1 = cvtToInt(c1, FD, V, 0, fb, uns, bits, rnd);
        const c2 = cpu(); const r2 = toFixedSlow(c2, FD, a, fb, uns, bits, rnd);
        assert.ok(r1 === r2 && c1.fpsr === c2.fpsr, `d ${a.toString(16)} rnd ${rnd} ${uns ? 'u' : 's'}${bits} fb ${fb}: fast ${r1}/${c1.fpsr} exact ${r2}/${c2.fpsr}`);
        const c3 = cpu(); const r3 = cvtToInt(c3, FS, V, 2, fb, uns, bits, rnd);
        const c4 = cpu(); const r4 = toFixedSlow(c4, FS, BigInt(s), fb, uns, bits, rnd);
        assert.ok(r3 === r4 && c3.fpsr === c4.fpsr, `s ${s.toString(16)} rnd ${rnd}: fast ${r3}/${c3.fpsr} exact ${r4}/${c4.fpsr}`);
      }
      const v = BigInt.asIntN(64, (BigInt(next()) << 32n) | BigInt(next())) >> BigInt(next() % 64);
      const fb = next() % 4 === 0 ? next() % 64 : 0;
      for (const F of [FS, FD]) {
        const c1 = cpu(); cvtFromInt(c1, F, v, fb, R, 0);
        const c2 = cpu(); const want = fromFixedSlow(c2, F, v, fb);
        const got = F === FD ? R.u64[0] : BigInt(R.u32[0]);
        assert.ok(got === want && c1.fpsr === c2.fpsr, `${F.name} from ${v} fb ${fb}: fast ${got.toString(16)}/${c1.fpsr} exact ${want.toString(16)}/${c2.fpsr}`);
      }
    }
  });

  it('round to integral, max/min, compare', () => {
    const next = rng(14);
    for (let i = 0; i < N; i++) {
      const a = randD(next), b = randD(next);
      V.u64[0] = a; V.u64[1] = b;
      for (const rnd of [RN, RP, RM, RZ, RA]) for (const exact of [false, true]) {
        const c1 = cpu(); frint(c1, FD, V, 0, R, 0, rnd, exact);
        const c2 = cpu(); const want = roundIntSlow(c2, FD, a, rnd, exact);
        assert.ok(R.u64[0] === want && c1.fpsr === c2.fpsr, `frint ${a.toString(16)} rnd ${rnd}`);
      }
      for (const [max, num] of [[true, false], [false, false], [true, true], [false, true]]) {
        const c1 = cpu(); maxMinLanes(c1, FD, V, 0, V, 1, R, 0, max, num);
        const c2 = cpu(); const want = maxMinSlow(c2, FD, a, b, max, num);
        assert.ok(R.u64[0] === want && c1.fpsr === c2.fpsr, `max/min ${a.toString(16)} ${b.toString(16)}`);
      }
      for (const e of [false, true]) {
        const c1 = cpu(); const r1 = fcmpLanes(c1, FD, V, 0, 1, false, e);
        const c2 = cpu(); const r2 = compareSlow(c2, FD, a, b, e);
        assert.ok(r1 === r2 && c1.fpsr === c2.fpsr, `fcmp ${a.toString(16)} ${b.toString(16)}`);
      }
    }
  });
});

// ---- hand-checked corner cases --------------------------------------------------------------------------------

describe('fp-soft architectural corner cases', () => {
  it('tininess is detected before rounding (Arm): a result that rounds up to the smallest normal still underflows', () => {
    // A product just below 2^-126 that rounds to exactly 2^-126.
    const c = cpu();
    const a = 0x20000001n, b = 0x1ffffffen; // 2^-63 (1 + 2^-23) and 2^-63 (1 - 2^-23): product 2^-126 (1 - 2^-46)
    const r = mulSlow(c, FS, a, b);
    assert.equal(r, 0x00800000n);
    assert.equal(c.fpsr, UFC | IXC);
    // Exact denormal results raise nothing.
    const c2 = cpu();
    assert.equal(mulSlow(c2, FS, 0x00000002n, 0x3f000000n), 0x00000001n);
    assert.equal(c2.fpsr, 0);
  });

  it('FZ flushes denormal inputs (IDC) and tiny results (UFC, no IXC); DN gives the default NaN', () => {
    const FZ = 1 << 24, DN = 1 << 25;
    const c = cpu(FZ);
    assert.equal(addSlow(c, FD, 1n, 0n, false), 0n);
    assert.equal(c.fpsr, IDC);
    const c2 = cpu(FZ);
    assert.equal(mulSlow(c2, FD, f64bits(2 ** -600), f64bits(2 ** -600)), 0n);
    assert.equal(c2.fpsr, UFC);
    const c3 = cpu(DN);
    assert.equal(addSlow(c3, FD, 0x7ff0000000000001n, f64bits(1), false), 0x7ff8000000000000n);
    assert.equal(c3.fpsr, IOC);
  });

  it('NaN propagation: first signalling NaN (quietened, IOC), else first quiet NaN; FMA checks the addend first', () => {
    const q1 = 0x7ff8000000000111n, q2 = 0xfff8000000000222n, s1 = 0x7ff0000000000333n;
    const c = cpu();
    assert.equal(addSlow(c, FD, q1, s1, false), s1 | (1n << 51n));
    assert.equal(c.fpsr, IOC);
    const c2 = cpu();
    assert.equal(mulSlow(c2, FD, q2, q1), q2);
    assert.equal(c2.fpsr, 0);
    const c3 = cpu();
    assert.equal(fmaSlow(c3, FD, q1, q2, f64bits(1)), q1);
    // infinity * 0 + quiet NaN is the default NaN with IOC.
    const c4 = cpu();
    assert.equal(fmaSlow(c4, FD, q1, f64bits(Infinity), 0n), 0x7ff8000000000000n);
    assert.equal(c4.fpsr, IOC);
  });

  it('rounding modes, round to odd, division by zero, overflow', () => {
    const one = f64bits(1), third = f64bits(1 / 3);
    const c = cpu(RP << 22);
    assert.equal(divSlow(c, FD, one, f64bits(3)), third + 1n);
    const cz = cpu(RZ << 22);
    assert.equal(divSlow(cz, FD, one, f64bits(3)), third);
    // Round to odd (FCVTXN): 1 + 2^-30 to single is inexact, so the last bit is forced to 1.
    const co = cpu();
    assert.equal(convertSlow(co, FD, FS, f64bits(1 + 2 ** -30), RO), 0x3f800001n);
    const cd = cpu();
    assert.equal(divSlow(cd, FS, 0x3f800000n, 0n), 0x7f800000n);
    assert.equal(cd.fpsr, DZC);
    const cov = cpu(RZ << 22);
    assert.equal(mulSlow(cov, FS, 0x7f000000n, 0x40000000n), 0x7f7fffffn);
    assert.equal(cov.fpsr, OFC | IXC);
    const cm = cpu(RM << 22);
    assert.equal(addSlow(cm, FD, one, one | (1n << 63n), false), 1n << 63n); // x - x = -0 when rounding down
  });

  it('conversions: saturation with IOC only, NaN to 0, ties away, half precision', () => {
    const c = cpu();
    assert.equal(toFixedSlow(c, FD, f64bits(3e9), 0, false, 32, RZ), 0x7fffffffn);
    assert.equal(c.fpsr, IOC);
    const c2 = cpu();
    assert.equal(toFixedSlow(c2, FD, 0x7ff8000000000000n, 0, true, 64, RZ), 0n);
    assert.equal(c2.fpsr, IOC);
    const c3 = cpu();
    assert.equal(toFixedSlow(c3, FD, f64bits(-2.5), 0, false, 32, RA), 0xfffffffdn);
    assert.equal(c3.fpsr, IXC);
    const c4 = cpu();
    assert.equal(convertSlow(c4, FS, FH, 0x3f800000n), 0x3c00n);
    assert.equal(convertSlow(c4, FS, FH, 0x47800000n), 0x7c00n); // 65536 overflows half
    assert.equal(c4.fpsr, OFC | IXC);
    const c5 = cpu(1 << 26); // AHP: no infinities; an infinity converts to the largest value with IOC
    assert.equal(convertSlow(c5, FS, FH, 0x7f800000n), 0x7fffn);
    assert.equal(c5.fpsr, IOC);
    assert.equal(roundIntSlow(cpu(), FD, f64bits(-0.5), RN, false), 1n << 63n);
    assert.equal(sqrtSlow(cpu(), FH, 0x4400n), 0x4000n); // sqrt(4.0) = 2.0 in half precision
  });
});

