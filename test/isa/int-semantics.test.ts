// Semantics of the integer, branch and system groups on the CPU: tricky flag, width and edge cases
// against independent models written here from the Arm ARM's definitions (unbounded integers, not
// the bit tricks the closures use), plus the EL0 system-register view and cache operations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Cpu } from '../../emulator/cpu/cpu';
import { CTR_EL0, DCZID_EL0, ID_REGISTERS } from '../../emulator/isa/groups/branch-sys';
import { decodeBitMasks, encodeLogicalImm } from '../../emulator/isa/semantics';
import { DATA, flags, PROT_R, PROT_W, runSnippet, TestMachine } from './cpu-harness';

const M64 = (1n << 64n) - 1n;
const mask = (n: number): bigint => (1n << BigInt(n)) - 1n;
const signed = (v: bigint, n: number): bigint => BigInt.asIntN(n, v);
const hex = (v: bigint): string => '0x' + v.toString(16);

/** Reference AddWithCarry from the Arm ARM: unsigned and signed sums compared with the result. */
function addWithCarry(a: bigint, b: bigint, cin: number, n: number): { r: bigint; nzcv: string } {
  const usum = a + b + BigInt(cin);
  const ssum = signed(a, n) + signed(b, n) + BigInt(cin);
  const r = usum & mask(n);
  const N = signed(r, n) < 0n, Z = r === 0n, C = r !== usum, V = signed(r, n) !== ssum;
  return { r, nzcv: (N ? 'N' : 'n') + (Z ? 'Z' : 'z') + (C ? 'C' : 'c') + (V ? 'V' : 'v') };
}

const EDGES64 = [0n, 1n, 2n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x8000_0000_0000_0001n, M64, M64 - 1n, 0xffff_ffffn, 0x1_0000_0000n, 0x7fff_ffffn, 0x8000_0000n, 0x1234_5678_9abc_def0n];
const EDGES32 = [0n, 1n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0xffff_fffen, 0x8000_0001n, 0x1234_5678n];

function run2(insn: string, a: bigint, b: bigint, nzcv = 0): Cpu {
  return runSnippet([insn], c => { c.x[1] = a; c.x[2] = b; c.nzcv = nzcv; });
}

describe('flags of add/sub/adc/sbc', () => {
  for (const [n, edges, r] of [[64, EDGES64, 'x'], [32, EDGES32, 'w']] as const) {
    it(`adds/subs/adcs/sbcs ${n}-bit at the boundaries`, () => {
      for (const a of edges) for (const b of edges) for (const cin of [0, 1]) {
        // High garbage above bit 31 must be ignored by the W forms.
        const ga = n === 32 ? a | 0xdead_0000_0000_0000n : a, gb = n === 32 ? b | 0xbeef_0000_0000_0000n : b;
        const cases: [string, bigint, bigint, number][] = [
          [`adds ${r}0, ${r}1, ${r}2`, a, b, 0],
          [`subs ${r}0, ${r}1, ${r}2`, a, (~b) & mask(n), 1],
          [`adcs ${r}0, ${r}1, ${r}2`, a, b, cin],
          [`sbcs ${r}0, ${r}1, ${r}2`, a, (~b) & mask(n), cin],
        ];
        for (const [insn, x, y, carry] of cases) {
          const c = run2(insn, ga, gb, cin ? 0x2000_0000 : 0);
          const want = addWithCarry(x, y, carry, n);
          assert.equal(c.x[0], want.r, `${insn} a=${hex(a)} b=${hex(b)} cin=${cin}: result`);
          assert.equal(flags(c), want.nzcv, `${insn} a=${hex(a)} b=${hex(b)} cin=${cin}: flags`);
        }
      }
    });
  }

  it('cmp/cmn immediate and negs, W forms zero-extend', () => {
    let c = runSnippet(['cmp x1, #1'], c => { c.x[1] = 0n; });
    assert.equal(flags(c), 'Nzcv');
    c = runSnippet(['cmn w1, #1'], c => { c.x[1] = 0xffff_ffffn; });
    assert.equal(flags(c), 'nZCv');
    c = runSnippet(['negs w0, w1'], c => { c.x[1] = 0x8000_0000n; });
    assert.equal(c.x[0], 0x8000_0000n);
    assert.equal(flags(c), 'NzcV');
    c = runSnippet(['add w0, w1, #1'], c => { c.x[1] = 0xffff_ffff_ffff_ffffn; });
    assert.equal(c.x[0], 0n);
    c = runSnippet(['sub w0, w1, w2, lsl #4'], c => { c.x[1] = 0n; c.x[2] = 1n; });
    assert.equal(c.x[0], 0xffff_fff0n);
  });

  it('extended-register forms (uxtb/sxth/sxtw with shifts, sp operand)', () => {
    const c = runSnippet(['add x0, x1, w2, sxtw #2', 'sub x3, x1, w2, uxtb', 'adds x4, x1, w2, sxth #1', 'add x5, sp, x1, lsl #3'],
      c => { c.x[1] = 100n; c.x[2] = 0xffff_fffen; });
    assert.equal(c.x[0], 100n - 8n);
    assert.equal(c.x[3], BigInt.asUintN(64, 100n - 0xfen));
    assert.equal(c.x[4], 100n - 4n);
    assert.equal(c.x[5], c.sp + 800n);
  });
});

describe('logical immediates (DecodeBitMasks)', () => {
  it('has 5334 64-bit and 1302 32-bit immediates, each re-encoding to its own fields', () => {
    const seen64 = new Set<bigint>(), seen32 = new Set<bigint>();
    for (let n = 0; n < 2; n++) for (let immr = 0; immr < 64; immr++) for (let imms = 0; imms < 64; imms++) {
      const v = decodeBitMasks(n, imms, immr, true, 64)?.wmask;
      if (v !== undefined) {
        seen64.add(v);
        // Independent model: element of esize bits with imms+1 ones rotated right by immr.
        const len = 31 - Math.clz32((n << 6) | (~imms & 0x3f));
        const esize = 1 << len, s = imms & (esize - 1), r = immr & (esize - 1);
        let elem = (1n << BigInt(s + 1)) - 1n;
        for (let k = 0; k < r; k++) elem = ((elem >> 1n) | ((elem & 1n) << BigInt(esize - 1)));
        let full = 0n;
        for (let i = 0; i < 64; i += esize) full |= elem << BigInt(i);
        assert.equal(v, full, `N=${n} immr=${immr} imms=${imms}`);
        const e = encodeLogicalImm(v, 64)!;
        assert.equal(decodeBitMasks(e.n, e.imms, e.immr, true, 64)?.wmask, v);
      }
      if (n === 0) { const w = decodeBitMasks(0, imms, immr, true, 32)?.wmask; if (w !== undefined) seen32.add(w); }
    }
    assert.equal(seen64.size, 5334);
    assert.equal(seen32.size, 1302);
    assert.equal(encodeLogicalImm(0n, 64), undefined);
    assert.equal(encodeLogicalImm(M64, 64), undefined);
    assert.equal(encodeLogicalImm(0x1234n, 64), undefined);
  });

  it('and/orr/eor/ands/tst immediate on the CPU', () => {
    const c = runSnippet(['and x0, x1, #0xff00ff00ff00ff00', 'orr w2, w1, #0xf0f0f0f0', 'eor x3, x1, #0x5555555555555555', 'ands w4, w1, #0x80000000', 'mov x5, #0xaaaaaaaaaaaaaaaa'],
      c => { c.x[1] = 0x8123_4567_89ab_cdefn; });
    assert.equal(c.x[0], 0x8100_4500_8900_cd00n);
    assert.equal(c.x[2], 0xf9fb_fdffn);
    assert.equal(c.x[3], 0x8123_4567_89ab_cdefn ^ 0x5555_5555_5555_5555n);
    assert.equal(c.x[4], 0x8000_0000n);
    assert.equal(flags(c), 'Nzcv');
    assert.equal(c.x[5], 0xaaaa_aaaa_aaaa_aaaan);
  });
});

describe('bitfield, extract and shifts', () => {
  const vals = [0x8123_4567_89ab_cdefn, 0x7edc_ba98_7654_3210n, M64, 1n, 0x8000_0000_0000_0000n, 0x0000_0000_8000_0000n];
  it('ubfx/sbfx/ubfiz/sbfiz/bfi/bfxil/bfc against a bit-by-bit model', () => {
    for (const v of vals) for (const [lsb, width] of [[0, 1], [0, 64], [3, 7], [31, 2], [32, 32], [60, 4], [13, 40]] as const) {
      if (lsb + width > 64) continue;
      const field = (v >> BigInt(lsb)) & mask(width);
      const sfield = BigInt.asUintN(64, BigInt.asIntN(width, field));
      const dst = 0x0f0f_0f0f_0f0f_0f0fn;
      const c = runSnippet([`ubfx x0, x1, #${lsb}, #${width}`, `sbfx x2, x1, #${lsb}, #${width}`, `bfxil x3, x1, #${lsb}, #${width}`,
        `ubfiz x4, x1, #${lsb}, #${width}`, `sbfiz x5, x1, #${lsb}, #${width}`, `bfi x6, x1, #${lsb}, #${width}`, `bfc x7, #${lsb}, #${width}`],
      c => { c.x[1] = v; c.x[3] = dst; c.x[6] = dst; c.x[7] = dst; });
      const at = (x: bigint): bigint => (x << BigInt(lsb)) & M64;
      const ins = (x: bigint): bigint => (dst & ~at(mask(width)) & M64) | at(x & mask(width));
      const label = `v=${hex(v)} lsb=${lsb} width=${width}`;
      assert.equal(c.x[0], field, `ubfx ${label}`);
      assert.equal(c.x[2], sfield, `sbfx ${label}`);
      assert.equal(c.x[3], (dst & ~mask(width) & M64) | field, `bfxil ${label}`);
      assert.equal(c.x[4], at(v & mask(width)), `ubfiz ${label}`);
      assert.equal(c.x[5], at(BigInt.asUintN(64, BigInt.asIntN(width, v & mask(width)))), `sbfiz ${label}`);
      assert.equal(c.x[6], ins(v), `bfi ${label}`);
      assert.equal(c.x[7], ins(0n), `bfc ${label}`);
    }
  });

  it('shifts by immediate and by register, extr/ror, 32-bit forms', () => {
    for (const v of vals) for (const s of [0, 1, 7, 31, 32, 33, 63]) {
      const w = v & 0xffff_ffffn, s32 = s % 32;
      const rot = (x: bigint, k: number, n: number): bigint => k === 0 ? x : ((x >> BigInt(k)) | (x << BigInt(n - k))) & mask(n);
      const c = runSnippet([`lsl x0, x1, #${s}`, `lsr x2, x1, #${s}`, `asr x3, x1, #${s}`, `ror x4, x1, #${s}`,
        'lslv x5, x1, x9', 'lsrv x6, x1, x9', 'asrv x7, x1, x9', 'rorv x8, x1, x9',
        `lsl w10, w1, #${s32}`, `asr w11, w1, #${s32}`, 'ror w12, w1, w9', `extr x13, x1, x14, #${s}`, 'asr w15, w1, w9'],
      c => { c.x[1] = v; c.x[9] = BigInt(s) | 0xff00n; c.x[14] = 0x1111_2222_3333_4444n; });
      const sar = (x: bigint, k: number, n: number): bigint => BigInt.asUintN(n, BigInt.asIntN(n, x) >> BigInt(k));
      const label = `v=${hex(v)} s=${s}`;
      assert.equal(c.x[0], (v << BigInt(s)) & M64, `lsl ${label}`);
      assert.equal(c.x[2], v >> BigInt(s), `lsr ${label}`);
      assert.equal(c.x[3], sar(v, s, 64), `asr ${label}`);
      assert.equal(c.x[4], rot(v, s, 64), `ror ${label}`);
      // The register forms use the amount modulo the width (x9 = s + 0xff00).
      const m64 = (s + 0xff00) % 64;
      assert.equal(c.x[5], (v << BigInt(m64)) & M64, `lslv ${label}`);
      assert.equal(c.x[6], v >> BigInt(m64), `lsrv ${label}`);
      assert.equal(c.x[7], sar(v, m64, 64), `asrv ${label}`);
      assert.equal(c.x[8], rot(v, m64, 64), `rorv ${label}`);
      assert.equal(c.x[10], (w << BigInt(s32)) & mask(32), `lsl w ${label}`);
      assert.equal(c.x[11], sar(w, s32, 32), `asr w ${label}`);
      assert.equal(c.x[12], rot(w, (s + 0xff00) % 32, 32), `ror w (register) ${label}`);
      assert.equal(c.x[13], s === 0 ? 0x1111_2222_3333_4444n : (((v << 64n) | 0x1111_2222_3333_4444n) >> BigInt(s)) & M64, `extr ${label}`);
      assert.equal(c.x[15], sar(w, (s + 0xff00) % 32, 32), `asrv w ${label}`);
    }
  });

  it('sign and zero extensions', () => {
    const c = runSnippet(['sxtb x0, w1', 'sxth w2, w1', 'sxtw x3, w1', 'uxtb w4, w1', 'uxth w5, w1'], c => { c.x[1] = 0xffff_ffff_8765_c3f1n; });
    assert.deepEqual([c.x[0], c.x[2], c.x[3], c.x[4], c.x[5]], [0xffff_ffff_ffff_fff1n, 0xffff_c3f1n, 0xffff_ffff_8765_c3f1n, 0xf1n, 0xc3f1n]);
  });
});

describe('multiply and divide', () => {
  it('sdiv/udiv edge cases: divide by zero is 0, INT_MIN / -1 is INT_MIN, truncation toward zero', () => {
    const cases: [string, bigint, bigint, bigint][] = [
      ['sdiv x0, x1, x2', 0x8000_0000_0000_0000n, M64, 0x8000_0000_0000_0000n],
      ['sdiv w0, w1, w2', 0x8000_0000n, 0xffff_ffffn, 0x8000_0000n],
      ['sdiv x0, x1, x2', 123n, 0n, 0n],
      ['udiv x0, x1, x2', 123n, 0n, 0n],
      ['sdiv w0, w1, w2', 5n, 0n, 0n],
      ['sdiv x0, x1, x2', BigInt.asUintN(64, -7n), 2n, BigInt.asUintN(64, -3n)],
      ['sdiv w0, w1, w2', 7n, 0xffff_fffen, 0xffff_fffdn],
      ['udiv x0, x1, x2', M64, 3n, M64 / 3n],
      ['udiv w0, w1, w2', 0xdead_0000_ffff_ffffn, 0x10n, 0x0fff_ffffn],
    ];
    for (const [insn, a, b, want] of cases) assert.equal(run2(insn, a, b).x[0], want, `${insn} ${hex(a)} / ${hex(b)}`);
  });

  it('madd/msub/smaddl/umaddl/smulh/umulh against unbounded products', () => {
    for (const a of EDGES64) for (const b of [3n, M64, 0x8000_0000_0000_0000n, 0x1_0000_0001n]) {
      const c = runSnippet(['mul x0, x1, x2', 'msub x3, x1, x2, x4', 'smulh x5, x1, x2', 'umulh x6, x1, x2', 'smull x7, w1, w2', 'umull x8, w1, w2', 'smsubl x9, w1, w2, x4', 'mul w10, w1, w2'],
        c => { c.x[1] = a; c.x[2] = b; c.x[4] = 1000n; });
      const sa = signed(a, 64), sb = signed(b, 64);
      const label = `${hex(a)} * ${hex(b)}`;
      assert.equal(c.x[0], (a * b) & M64, `mul ${label}`);
      assert.equal(c.x[3], BigInt.asUintN(64, 1000n - a * b), `msub ${label}`);
      assert.equal(c.x[5], BigInt.asUintN(64, (sa * sb) >> 64n), `smulh ${label}`);
      assert.equal(c.x[6], (a * b) >> 64n, `umulh ${label}`);
      assert.equal(c.x[7], BigInt.asUintN(64, signed(a, 32) * signed(b, 32)), `smull ${label}`);
      assert.equal(c.x[8], (a & mask(32)) * (b & mask(32)), `umull ${label}`);
      assert.equal(c.x[9], BigInt.asUintN(64, 1000n - signed(a, 32) * signed(b, 32)), `smsubl ${label}`);
      assert.equal(c.x[10], (a * b) & mask(32), `mul w ${label}`);
    }
  });
});

describe('one-source, conditional select and compare', () => {
  it('clz/cls/rbit/rev/rev16/rev32', () => {
    const c = runSnippet(['clz x0, x1', 'cls x2, x1', 'rbit x3, x1', 'rev x4, x1', 'rev16 x5, x1', 'rev32 x6, x1', 'clz w7, w8', 'cls w9, w8', 'rev w10, w1', 'rbit w11, w1', 'clz x12, xzr', 'cls x13, xzr'],
      c => { c.x[1] = 0x0012_3456_789a_bcdfn; c.x[8] = 0xffff_fff0n; });
    assert.equal(c.x[0], 11n);
    assert.equal(c.x[2], 10n);
    const bitsRev = BigInt('0b' + c.x[1].toString(2).padStart(64, '0').split('').reverse().join(''));
    assert.equal(c.x[3], bitsRev);
    assert.equal(c.x[4], 0xdfbc_9a78_5634_1200n);
    assert.equal(c.x[5], 0x1200_5634_9a78_dfbcn);
    assert.equal(c.x[6], 0x5634_1200_dfbc_9a78n);
    assert.equal(c.x[7], 0n);
    assert.equal(c.x[9], 27n);
    assert.equal(c.x[10], 0xdfbc_9a78n);
    assert.equal(c.x[11], BigInt('0b' + (c.x[1] & mask(32)).toString(2).padStart(32, '0').split('').reverse().join('')));
    assert.equal(c.x[12], 64n);
    assert.equal(c.x[13], 63n);
  });

  it('csel/csinc/csinv/csneg and their aliases follow the condition', () => {
    // NZCV = 0b0110 (Z and C set): eq, cs, ls hold; ne, cc, hi do not.
    const c = runSnippet(['csel x0, x1, x2, eq', 'csinc x3, x1, x2, ne', 'csinv w4, w1, w2, hi', 'csneg x5, x1, x2, cc', 'cset x6, ls', 'csetm w7, eq', 'cinc x8, x1, cs', 'cneg x9, x1, ge', 'cinv x10, x1, lt'],
      c => { c.x[1] = 10n; c.x[2] = 0xffff_ffff_0000_0005n; c.nzcv = 0x6000_0000; });
    assert.equal(c.x[0], 10n);
    assert.equal(c.x[3], 0xffff_ffff_0000_0006n);
    assert.equal(c.x[4], 0xffff_fffan);
    assert.equal(c.x[5], BigInt.asUintN(64, -0xffff_ffff_0000_0005n));
    assert.equal(c.x[6], 1n);
    assert.equal(c.x[7], 0xffff_ffffn);
    assert.equal(c.x[8], 11n);
    assert.equal(c.x[9], BigInt.asUintN(64, -10n));
    assert.equal(c.x[10], 10n);
  });

  it('ccmp/ccmn: compare when the condition holds, else take #nzcv', () => {
    let c = runSnippet(['ccmp x1, x2, #0xf, eq'], c => { c.x[1] = 5n; c.x[2] = 5n; c.nzcv = 0x4000_0000; });
    assert.equal(flags(c), 'nZCv');
    c = runSnippet(['ccmp x1, x2, #0xa, ne'], c => { c.x[1] = 5n; c.x[2] = 5n; c.nzcv = 0x4000_0000; });
    assert.equal(flags(c), 'NzCv');
    c = runSnippet(['ccmn w1, #3, #0, al'], c => { c.x[1] = 0xffff_fffdn; });
    assert.equal(flags(c), 'nZCv');
    c = runSnippet(['ccmp x1, #31, #0, mi'], c => { c.x[1] = 0n; c.nzcv = 0x8000_0000; });
    assert.equal(flags(c), 'Nzcv');
  });

  it('rmif/setf8/setf16/cfinv/axflag/xaflag', () => {
    let c = runSnippet(['rmif x1, #4, #0xb'], c => { c.x[1] = 0xf0n; c.nzcv = 0x4000_0000; });
    assert.equal(flags(c), 'NZCV');
    c = runSnippet(['setf8 w1'], c => { c.x[1] = 0x100n; c.nzcv = 0x2000_0000; });
    assert.equal(flags(c), 'nZCV');
    c = runSnippet(['setf8 w1'], c => { c.x[1] = 0x180n; c.nzcv = 0x2000_0000; });
    assert.equal(flags(c), 'NzCv');
    c = runSnippet(['setf16 w1'], c => { c.x[1] = 0x8000n; });
    assert.equal(flags(c), 'NzcV');
    c = runSnippet(['cfinv'], c => { c.nzcv = 0; });
    assert.equal(flags(c), 'nzCv');
    c = runSnippet(['axflag'], c => { c.nzcv = 0xb000_0000; });
    assert.equal(flags(c), 'nZcv');
    c = runSnippet(['xaflag'], c => { c.nzcv = 0x4000_0000; });
    assert.equal(flags(c), 'nzCV');
  });

  it('FEAT_CSSC: smax/umax/smin/umin (immediate and register), abs, cnt, ctz', () => {
    for (const a of EDGES64) for (const b of [0n, 5n, M64, 0x8000_0000n, 0x7fff_ffff_ffff_ffffn]) {
      const c = runSnippet(['smax x0, x1, x2', 'umax x3, x1, x2', 'smin w4, w1, w2', 'umin w5, w1, w2', 'smax x6, x1, #-128', 'umin w7, w1, #200',
        'abs x8, x1', 'abs w9, w1', 'cnt x10, x1', 'cnt w11, w1', 'ctz x12, x1', 'ctz w13, w1'], c => { c.x[1] = a; c.x[2] = b; });
      const s64 = (v: bigint): bigint => signed(v, 64), s32 = (v: bigint): bigint => signed(v & mask(32), 32);
      const a32 = a & mask(32), b32 = b & mask(32);
      const label = `${hex(a)}, ${hex(b)}`;
      assert.equal(c.x[0], s64(a) >= s64(b) ? a : b, `smax ${label}`);
      assert.equal(c.x[3], a >= b ? a : b, `umax ${label}`);
      assert.equal(c.x[4], s32(a) <= s32(b) ? a32 : b32, `smin w ${label}`);
      assert.equal(c.x[5], a32 <= b32 ? a32 : b32, `umin w ${label}`);
      assert.equal(c.x[6], s64(a) >= -128n ? a : BigInt.asUintN(64, -128n), `smax #-128 ${label}`);
      assert.equal(c.x[7], a32 <= 200n ? a32 : 200n, `umin #200 ${label}`);
      assert.equal(c.x[8], BigInt.asUintN(64, s64(a) < 0n ? -s64(a) : s64(a)), `abs ${label}`);
      assert.equal(c.x[9], BigInt.asUintN(32, s32(a) < 0n ? -s32(a) : s32(a)), `abs w ${label}`);
      assert.equal(c.x[10], BigInt([...a.toString(2)].filter(ch => ch === '1').length), `cnt ${label}`);
      assert.equal(c.x[11], BigInt([...a32.toString(2)].filter(ch => ch === '1').length), `cnt w ${label}`);
      const tz = (v: bigint, n: number): bigint => { let k = 0n; while (k < BigInt(n) && ((v >> k) & 1n) === 0n) k++; return k; };
      assert.equal(c.x[12], tz(a, 64), `ctz ${label}`);
      assert.equal(c.x[13], tz(a32, 32), `ctz w ${label}`);
    }
  });

  it('crc32b/crc32cb give the standard check values for "123456789"', () => {
    const data = [...'123456789'].map(ch => ch.charCodeAt(0));
    for (const [insn, want] of [['crc32b', 0xcbf4_3926n], ['crc32cb', 0xe306_9283n]] as const) {
      const lines = ['mov w0, #-1'];
      for (const b of data) lines.push(`mov w1, #${b}`, `${insn} w0, w0, w1`);
      lines.push('mvn w0, w0');
      assert.equal(runSnippet(lines).x[0], want, insn);
    }
    // Wider forms agree with bytewise accumulation.
    const c = runSnippet(['crc32x w0, w3, x1', 'crc32w w4, w3, w1', 'crc32h w5, w3, w1', 'mov w6, w3',
      'crc32b w6, w6, w1', 'lsr x7, x1, #8', 'crc32b w6, w6, w7'], c => { c.x[1] = 0x0807_0605_0403_0201n; c.x[3] = 0x1234_5678n; });
    assert.equal(c.x[5], c.x[6]);
  });
});

describe('branches', () => {
  it('b.cond, cbz/cbnz, tbz/tbnz, bl/ret, blr/br', () => {
    const c = runSnippet([
      'mov x0, #0', 'cmp x0, #0', 'b.ne 1f', 'add x0, x0, #1', '1:', 'b.eq 2f', 'add x0, x0, #2', '2:',
      'cbz x0, 3f', 'add x0, x0, #4', '3:', 'bc.ne 3f', 'bc.eq 3f', 'add x0, x0, #1024', '3:', 'mov x1, #0x100000000', 'tbnz x1, #32, 4f', 'add x0, x0, #8', '4:', 'tbz w1, #0, 5f', 'add x0, x0, #16', '5:',
      'bl 6f', 'b 7f', '6:', 'add x0, x0, #32', 'ret', '7:', 'adr x2, 8f', 'blr x2', 'b 9f', '8:', 'add x0, x0, #64', 'ret', '9:',
    ]);
    assert.equal(c.x[0], 1n + 4n + 32n + 64n);
  });
});

describe('exceptions, hints and system registers at EL0', () => {
  it('brk traps with its immediate; udf, hvc, hlt and EL1-only registers are undefined', () => {
    const m = new TestMachine();
    m.loadAsm(['nop', 'brk #0x3e8']);
    assert.deepEqual(m.run(), { kind: 'brk', imm: 1000 });
    assert.equal(m.cpu.pc, 0x400004, 'pc stays at the brk');
    for (const insn of ['udf #7', 'hvc #0', 'hlt #1', 'mrs x0, sctlr_el1', 'msr tpidrro_el0, x0', 'msr daifset, #2', 'mrs x0, daif', 'dc isw, x0',
      'tlbi vmalle1', 'mrs x0, s3_0_c0_c1_0', 'mrs x0, s3_0_c0_c0_1', 'msr pan, #1', 'sysl x0, #0, c1, c2, #3', 'pacia x0, x1', 'retaa', 'mrs x0, cntpct_el0']) {
      const t = new TestMachine();
      const words = t.loadAsm([insn]);
      const end = t.run();
      assert.equal(end.kind, 'undefined', insn);
      if (end.kind === 'undefined') assert.equal(end.word, words[0], `${insn}: undefinedWord`);
    }
  });

  it('hints (including the PAC and BTI ones) and barriers are NOPs; clrex clears the monitor', () => {
    const c = runSnippet(['paciasp', 'autiasp', 'bti c', 'xpaclri', 'yield', 'wfe', 'dmb ish', 'dsb sy', 'isb', 'sb', 'csdb', 'hint #0x7f', 'mov x0, #1', 'clrex'],
      c => { c.exclusiveAddr = 0x1000; c.x[30] = 0x1234n; });
    assert.equal(c.x[0], 1n);
    assert.equal(c.x[30], 0x1234n);
    assert.equal(c.exclusiveAddr, -1);
  });

  it('reads and writes the EL0 registers', () => {
    const c = runSnippet([
      'mrs x0, ctr_el0', 'mrs x1, dczid_el0', 'mrs x2, midr_el1', 'mrs x3, id_aa64pfr1_el1', 'mrs x4, id_aa64isar0_el1',
      'mov x5, #0x1234', 'msr tpidr_el0, x5', 'mrs x6, tpidr_el0', 'mov x7, #0xf0000000', 'msr nzcv, x7', 'mrs x8, nzcv',
      'msr tco, #1', 'mrs x9, tco', 'mov x10, #-1', 'msr fpcr, x10', 'mrs x11, fpcr', 'msr fpsr, x10', 'mrs x12, fpsr',
      'mrs x13, s3_0_c0_c7_7', 'mrs x14, cntfrq_el0', 'mrs x15, mpidr_el1', 'mrs x16, tpidrro_el0', 'mrs x17, id_aa64mmfr0_el1',
      'msr s3_3_c4_c2_7, xzr', 'mrs x18, tco', 'mrs x19, revidr_el1',
    ], c => { c.tpidrro = 0x77n; });
    assert.equal(c.x[0], CTR_EL0);
    assert.equal(c.x[1], DCZID_EL0);
    assert.equal(c.x[2], ID_REGISTERS.midr_el1);
    assert.equal((c.x[3] >> 8n) & 0xfn, 3n, 'ID_AA64PFR1_EL1.MTE = 3 (MTE3)');
    assert.equal(c.x[4], ID_REGISTERS.id_aa64isar0_el1);
    assert.equal(c.x[6], 0x1234n);
    assert.equal(c.tpidr, 0x1234n);
    assert.equal(c.x[8], 0xf000_0000n);
    assert.equal(c.x[9], 1n << 25n);
    assert.equal(c.x[11], 0x07c8_0000n);
    assert.equal(c.x[12], 0x0800_009fn);
    assert.equal(c.x[13], 0n, 'untracked ID space reads as zero');
    assert.equal(c.x[14], 62_500_000n);
    assert.equal(c.x[15], 0x8000_0000n);
    assert.equal(c.x[16], 0x77n);
    assert.equal(c.x[17], 0xff00_0000n);
    assert.equal(c.x[18], 0n);
    assert.equal(c.tco, 0);
    assert.equal(c.x[19], 0n);
  });

  it('cntvct_el0 is deterministic and strictly increasing', () => {
    const prog = ['mrs x0, cntvct_el0', 'mrs x1, cntvct_el0', 'mrs x2, cntvct_el0'];
    const a = runSnippet(prog), b = runSnippet(prog);
    assert.ok(a.x[0] < a.x[1] && a.x[1] < a.x[2]);
    assert.deepEqual([a.x[0], a.x[1], a.x[2]], [b.x[0], b.x[1], b.x[2]]);
  });

  it('dc zva zeroes the aligned 64-byte block, tag-checked over the whole block', () => {
    const m = new TestMachine();
    m.map(DATA, 1, PROT_R | PROT_W, true);
    m.load(DATA, new Uint8Array(256).fill(0xaa));
    m.loadAsm(['dc zva, x1', 'brk #0']);
    m.cpu.x[1] = BigInt(DATA + 0x45);
    assert.equal(m.run().kind, 'brk');
    const bytes = m.peek(DATA, 256);
    assert.ok(bytes.slice(0x40, 0x80).every(b => b === 0), 'block zeroed');
    assert.ok(bytes.slice(0, 0x40).every(b => b === 0xaa) && bytes.slice(0x80).every(b => b === 0xaa), 'nothing else');
    // Synchronous tag checking: granule 0x70 has allocation tag 3, the pointer tag 0 -> fault, nothing written.
    const t = new TestMachine();
    t.map(DATA, 1, PROT_R | PROT_W, true);
    t.load(DATA, new Uint8Array(256).fill(0xaa));
    t.page(DATA).setTag(7, 3);
    t.loadAsm(['dc zva, x1', 'brk #0']);
    t.cpu.tcf0 = 1;
    t.cpu.x[1] = BigInt(DATA + 0x40);
    const end = t.run();
    assert.equal(end.kind, 'fault');
    assert.equal(t.cpu.fault?.kind, 'tagcheck');
    assert.ok(t.peek(DATA + 0x40, 64).every(b => b === 0xaa));
  });

  it('dc cvau/civac and ic ivau are permission-checked no-ops', () => {
    const m = new TestMachine();
    m.map(DATA, 1, PROT_R | PROT_W);
    m.loadAsm(['dc cvau, x1', 'dc civac, x1', 'ic ivau, x1', 'dc cvap, x1', 'brk #0']);
    m.cpu.x[1] = BigInt(DATA + 8);
    assert.equal(m.run().kind, 'brk');
    const u = new TestMachine();
    u.loadAsm(['dc civac, x1', 'brk #0']);
    u.cpu.x[1] = 0x1230_0000n;
    const end = u.run();
    assert.equal(end.kind, 'fault');
    assert.equal(u.cpu.fault?.kind, 'translation');
  });
});
