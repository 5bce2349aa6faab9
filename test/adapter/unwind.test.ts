// emulator/debug/unwind.ts on hand-laid code and stack: frame-record chains (AAPCS64), a leaf before
// or without its frame record (the caller is in x30), a function at its final ret, a recursive call
// before its prologue, and code after a call has returned (x30 still points back into the function
// itself: not a caller, e.g. `_start` after `bl outer`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unwind } from '../../emulator/debug/unwind';

const bl = (at: number, to: number): number => (0x94000000 | (((to - at) >> 2) & 0x03ffffff)) >>> 0;
const NOP = 0xd503201f, RET = 0xd65f03c0;
const STP_PRE = 0xa9be7bfd; // stp x29, x30, [sp, #-32]!
const MOV_FP = 0x910003fd; // mov x29, sp
const LDP_POST = 0xa8c27bfd; // ldp x29, x30, [sp], #32

const START = 0x1000, OUTER = 0x1100, INNER = 0x1200, REC = 0x1300, END = 0x1400;
const code = new Map<number, number>();
const put = (at: number, ...words: number[]) => words.forEach((w, i) => code.set(at + 4 * i, w));
// _start: no frame record (x29 = 0 from the kernel), calls outer, rec and inner.
put(START, NOP, bl(START + 4, OUTER), NOP, NOP, bl(START + 16, REC), NOP, bl(START + 24, INNER), NOP);
put(OUTER, STP_PRE, MOV_FP, bl(OUTER + 8, INNER), LDP_POST, RET);
put(INNER, NOP, RET);
put(REC, STP_PRE, MOV_FP, bl(REC + 8, REC), LDP_POST, RET);
const functionStart = (pc: number): number | undefined =>
  pc < START || pc >= END ? undefined : [START, OUTER, INNER, REC].filter(s => s <= pc).pop();

/** Frame record of outer (called from _start at START+4) and of rec (called from _start at START+16). */
const F_OUTER = 0x7fe0n, F_REC = 0x7fc0n;
const stack = new Map<bigint, bigint>([
  [F_OUTER, 0n], [F_OUTER + 8n, BigInt(START + 8)],
  [F_REC, 0n], [F_REC + 8n, BigInt(START + 20)],
]);

function pcs(pc: number, fp: bigint, lr: number, sp: bigint = 0x7f00n): number[] {
  return unwind({
    pc, sp, fp, lr: BigInt(lr), functionStart,
    readWord: a => code.get(a),
    readU64: a => stack.get(a),
  }).map(f => f.pc);
}

test('a leaf before (or without) its frame record: the caller is in x30, then the frame-record chain', () => {
  assert.deepEqual(pcs(INNER, F_OUTER, OUTER + 12, F_OUTER), [INNER, OUTER + 12, START + 8]);
  assert.deepEqual(pcs(INNER + 4, F_OUTER, OUTER + 12, F_OUTER), [INNER + 4, OUTER + 12, START + 8]);
  // Called from _start, which has no frame record.
  assert.deepEqual(pcs(INNER, 0n, START + 28), [INNER, START + 28]);
});

test('inside a frame: the chain from x29; at the final ret: x30 again', () => {
  assert.deepEqual(pcs(OUTER + 8, F_OUTER, START + 8, F_OUTER), [OUTER + 8, START + 8]);
  // After `ldp x29, x30`: x29 is the caller's again (0 in _start), x30 the return address.
  assert.deepEqual(pcs(OUTER + 16, 0n, START + 8, F_OUTER + 32n), [OUTER + 16, START + 8]);
});

test('after a call returned, x30 points back into the function itself: not a caller frame', () => {
  // Right at the return address (pc == x30), and further on.
  assert.deepEqual(pcs(START + 8, 0n, START + 8), [START + 8]);
  assert.deepEqual(pcs(START + 12, 0n, START + 8), [START + 12]);
  assert.deepEqual(pcs(START + 28, 0n, START + 28), [START + 28]);
});

test('a recursive call before its prologue: x30 points into the same function after a BL to it', () => {
  assert.deepEqual(pcs(REC, F_REC, REC + 12, F_REC), [REC, REC + 12, START + 20]);
  // The outer instance after the inner one returned (pc == x30): the chain gives the caller.
  assert.deepEqual(pcs(REC + 12, F_REC, REC + 12, F_REC), [REC + 12, START + 20]);
});
