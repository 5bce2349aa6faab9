// Assembler compatibility beyond what objdump prints: spellings GNU as accepts for the integer,
// branch and system instructions (negative immediates that flip add/sub, automatic lsl #12,
// every mov flavour, condition aliases, register-name case, generic system registers, optional
// '#', expressions...), assembled by our encoder and by GNU as, word for word. Lines GNU as
// rejects must be rejected by ours too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { A64 } from '../../emulator/isa/table';
import { missingTools, tmpDir } from '../tools';
import { AS, evalExpr, gnuAssembleBatch, LD, OBJCOPY } from './sweep';

const ACCEPTED = `
add x0, x1, #-4
sub w0, w1, #-4095
adds x0, x1, #-1
cmp x0, #-5
cmn w3, #-7
add x0, x1, #0x1000
add x0, x1, #0x123000
sub sp, sp, #0x100
add x0, sp, #16
mov x0, sp
mov sp, x9
mov wsp, w2
mov w0, wsp
mov x0, x1
mov w0, wzr
mov x0, #0x10000
mov x0, #-1
mov w0, #-1
mov w0, #0xffffffff
mov x0, #0xffffffff
mov w0, #0x80000000
mov x0, #0xffff0000ffff0000
mov x0, #0x5555555555555555
mov w5, #0x0f0f0f0f
mov x0, #(1 << 12)
mov x0, 42
movz x0, #1, lsl #16
movn w1, #0xffff
movk x2, #0xbeef, lsl #48
orr x0, xzr, #0xff
and w0, w0, #0xff
eor x0, x0, #-2
ands w1, w2, #0x80000000
tst x0, #1
tst w0, w1
tst x1, x2, lsl #3
lsl x0, x1, #0
lsl w0, w1, #31
asr w0, w1, #31
lsr x0, x1, #63
ror w0, w1, #31
ror x0, x1, x2
lsl x0, x1, x2
lsrv w0, w1, w2
asr x3, x4, x5
cmp x0, x1, lsl #2
cmp x0, w1, uxtw
cmp sp, x1
cmn sp, #1
cmp w0, w1, sxtb #3
neg x0, x1
negs x0, x1, asr #3
neg w0, w1, lsl #31
mvn w0, w1, ror #4
mvn x0, x1
add x0, x1, w2, sxtw
add x0, sp, x1, lsl #3
add w0, wsp, w1
add sp, x1, x2
sub x0, x1, w2, uxtb #4
adc x0, x1, x2
sbcs w0, w1, w2
ngc w0, w1
ngcs x0, x1
cset w0, hs
cset x0, lo
csetm x0, ne
cinc x0, x1, lo
cinv w0, w1, gt
cneg x0, x1, mi
csel x0, x1, x2, hs
csinc w0, w1, w2, al
ccmp x0, #31, #4, ne
ccmn w0, w1, #0xf, eq
ccmp x1, x2, #0, lo
ubfx x0, x1, #8, #8
sbfx w0, w1, #31, #1
bfi w0, w1, #0, #1
bfxil x0, x1, #60, #4
bfc x3, #4, #60
ubfiz x0, x1, #63, #1
sbfiz w0, w1, #5, #27
sxtw x0, w1
sxtb x0, w1
sxth w0, w1
uxtb w0, w1
uxth w0, w1
uxtb x0, w1
uxth x2, w3
sbfm x0, x1, #3, #2
ubfm w0, w1, #0, #31
bfm x0, x1, #63, #0
extr x0, x1, x2, #63
extr w0, w1, w2, #0
mul x0, x1, x2
madd w0, w1, w2, w3
msub x0, x1, x2, x3
mneg w0, w1, w2
smull x0, w1, w2
umull x0, w1, w2
smnegl x0, w1, w2
umaddl x0, w1, w2, x3
smulh x0, x1, x2
umulh x0, x1, x2
udiv w0, w1, w2
sdiv x0, x1, x2
clz w0, w1
cls x0, x1
rbit x0, x1
rev x0, x1
rev64 x0, x1
rev32 x0, x1
rev16 w0, w1
crc32b w0, w1, w2
crc32cx w0, w1, x2
rmif x0, #63, #15
setf8 w0
setf16 w3
cfinv
axflag
xaflag
b.hs target
b.lo target
b.eq target
beq target
bne target
b.nlast target
cbz w0, target
cbnz x3, target
tbz w0, #3, target
tbnz x0, #63, target
tbz x1, #2, target
b target
bl target
adr x0, target
ret
ret x1
br x16
blr x8
svc #0
svc 0
brk #0x3e8
udf #0
hlt #0
hvc #1
nop
yield
wfe
wfi
sev
sevl
hint #0
hint #34
hint #0x7f
bti
bti c
bti jc
paciasp
autiasp
pacibsp
xpaclri
esb
csdb
psb csync
dmb ish
dmb ishld
dmb #0
dsb sy
dsb #12
dsb ishnxs
isb
isb sy
isb #5
sb
ssbb
pssbb
clrex
clrex #5
mrs x0, tpidr_el0
mrs x0, TPIDR_EL0
msr tpidr_el0, x0
mrs x1, S3_3_C13_C0_2
mrs x2, s3_0_c0_c4_1
mrs x3, nzcv
msr nzcv, x4
msr fpcr, x5
mrs x6, fpsr
mrs x7, ctr_el0
mrs x8, dczid_el0
mrs x9, cntvct_el0
mrs x10, midr_el1
mrs x11, id_aa64pfr1_el1
mrs x12, tco
msr tco, x13
msr tco, #1
msr s3_3_c4_c2_7, x14
msr daifset, #2
msr spsel, #1
mrs x0, sctlr_el1
dc zva, x0
dc civac, x1
dc cvau, x2
dc cvap, x3
ic ivau, x4
ic iallu
dc isw, x5
tlbi vmalle1
tlbi vae1, x6
at s1e0r, x7
sys #3, c7, c5, #1, x0
sys #0, c8, c7, #0
sysl x0, #3, c1, c2, #3
`;

const REJECTED = `
add x0, x1, #0x1001000
mov x0, #0x1234567
lsl w0, w1, #32
and x0, x1, #0
and x0, x1, #0x1234
ubfx w0, w1, #30, #3
tbz w0, #32, target
sxtw w0, w1
mrs x0, foo_el0
msr tco, #2
dmb #16
add x0, x1, x2, ror #1
udf #65536
ccmp x0, #32, #0, eq
movk w0, #1, lsl #32
`;

const lines = (s: string): string[] => s.trim().split('\n').map(l => l.trim()).filter(Boolean);

/** Our words for lines laid out one instruction each from `base` = 0, `target` after the last. */
function ours(ls: string[]): (number | string)[] {
  const target = BigInt(ls.length * 4 + 64);
  return ls.map((l, i) => {
    const sp = l.indexOf(' ');
    const [m, o] = sp < 0 ? [l, ''] : [l.slice(0, sp), l.slice(sp + 1)];
    try {
      return A64.encode(m, o, { pc: BigInt(i * 4), final: true, evaluate: e => evalExpr(e, { base: 0n, target }) });
    } catch (e) { return `error: ${(e as Error).message}`; }
  });
}

describe('assembler: GNU as spellings of integer, branch and system instructions', () => {
  const missing = missingTools(AS, LD, OBJCOPY);
  it('accepted forms encode exactly as GNU as does', { skip: missing }, () => {
    const ls = lines(ACCEPTED);
    const dir = tmpDir('tagvisor-intasm-');
    // `target` sits 64 bytes after the last line (a few nops, then the label).
    const gnu = gnuAssembleBatch(dir, [...ls, ...Array(16).fill('nop'), 'target: nop'], 'all');
    const mine = ours(ls);
    const bad: string[] = [];
    ls.forEach((l, i) => {
      const g = gnu[i], o = mine[i];
      if (typeof g === 'string') bad.push(`'${l}': GNU as rejects it (${g})`);
      else if (g !== o) bad.push(`'${l}': GNU 0x${g.toString(16)}, ours ${typeof o === 'number' ? '0x' + o.toString(16) : o}`);
    });
    assert.deepEqual(bad, []);
  });

  it('forms GNU as rejects are rejected with a message', { skip: missing }, () => {
    const ls = lines(REJECTED);
    const gnu = gnuAssembleBatch(tmpDir('tagvisor-intasm-'), [...ls, ...Array(16).fill('nop'), 'target: nop'], 'all');
    const mine = ours(ls);
    const bad: string[] = [];
    ls.forEach((l, i) => {
      if (typeof gnu[i] !== 'string') bad.push(`'${l}': GNU as accepts it`);
      if (typeof mine[i] !== 'string') bad.push(`'${l}': ours accepts it (0x${(mine[i] as number).toString(16)})`);
      else assert.ok((mine[i] as string).length > 10);
    });
    assert.deepEqual(bad, []);
  });
});
