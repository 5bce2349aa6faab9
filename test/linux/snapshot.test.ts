// snapshot()/restore(): all process state as plain data; running on from a restored snapshot gives
// exactly what the first run gave (output, exit status, memory, tags, registers, kernel state).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SP } from '../../emulator/cpu/state';
import { newProcess } from './helpers';

const PROG = `
  .text
  .global _start
_start:
  // brk heap of 2 pages, PROT_MTE on it
  mov x0, #0
  mov x8, #214
  svc #0
  mov x19, x0
  add x0, x19, #0x2000
  mov x8, #214
  svc #0
  mov x0, x19
  mov x1, #0x2000
  mov x2, #0x23
  mov x8, #226
  svc #0
  // tag the first granule 5, then count to 3000 storing the counter through the tagged pointer
  mov x20, x19
  movk x20, #0x0500, lsl #48
  stg x20, [x20]
  mov x21, #3000
1:
  str x21, [x20]
  sub x21, x21, #1
  cbnz x21, 1b
  // print 'A' + (number of getrandom bytes returned) and exit with the first random byte & 0x7f
  mov x0, x19
  mov x1, #8
  mov x2, #0
  mov x8, #278
  svc #0
  add x0, x0, #65
  strb w0, [x19, #16]
  mov x0, #1
  add x1, x19, #16
  mov x2, #1
  mov x8, #64
  svc #0
  ldrb w0, [x19]
  and x0, x0, #0x7f
  mov x8, #93
  svc #0
`;

test('restore then run on reproduces the rest of the run exactly', () => {
  const { proc, out } = newProcess(PROG, { seed: 11 });
  assert.equal(proc.run(500).reason, 'limit');
  const snap = proc.snapshot();
  const regs0 = Array.from(proc.cpu.x);
  const r1 = proc.run();
  assert.equal(r1.reason, 'exit');
  const first = { out: out.stdout, status: proc.exited, steps: proc.steps, tag: proc.peekTag(BigInt(proc.brkStart)) };
  assert.equal(first.out, 'I');
  assert.equal(first.tag, 5);

  out.stdout = '';
  proc.restore(snap);
  assert.equal(proc.exited, null);
  assert.deepEqual(Array.from(proc.cpu.x), regs0);
  assert.equal(proc.steps, 500);
  const r2 = proc.run();
  assert.deepEqual(r2, r1);
  assert.equal(out.stdout, first.out);
  assert.deepEqual(proc.exited, first.status);
  assert.equal(proc.steps, first.steps);
  assert.equal(proc.peekTag(BigInt(proc.brkStart)), 5);
});

test('a snapshot is plain data: it survives structured cloning and restores into the same process', () => {
  const { proc, out } = newProcess(PROG, { seed: 11 });
  proc.run(500);
  const snap = structuredClone(proc.snapshot());
  proc.run();
  const status = proc.exited;
  // Scribble over state, then restore the clone.
  proc.cpu.x[SP] = 0n;
  proc.blocked = 0xffn;
  out.stdout = '';
  proc.restore(snap);
  assert.equal(proc.blocked, 0n);
  proc.run();
  assert.deepEqual(proc.exited, status);
  assert.equal(out.stdout, 'I');
});
