// MTE tag checks of the SIMD structure loads and stores: checked unless the base is SP without
// writeback (QEMU's `is_postidx || rn != 31`); a synchronous mismatch anywhere in the transfer
// faults before anything is written (stores) or any register changes (loads), with FAR = the first
// byte if the first granule failed, else the start of the first failing granule; async mode
// performs the access and sets TFSRE0_EL1.TF0.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Stop } from '../../emulator/cpu/cpu';
import { CODE, Machine, TAGGED, withTag } from './ldst-harness';

const T = TAGGED;

function setup(insn: string, ptr: bigint, tcf0: number, tags: [number, number, number?][]): Machine {
  const m = new Machine();
  m.program(`_start:\n  ${insn}\n  svc #0\n`);
  for (const [va, tag, n] of tags) m.setTag(va, tag, n ?? 1);
  m.cpu.tcf0 = tcf0;
  m.cpu.x[1] = ptr;
  m.cpu.x[2] = 16n;
  for (let i = 0; i < 16; i++) m.poke64(T + 8 * i, 0xa0a0a0a0a0a0a0a0n + BigInt(i));
  for (let i = 0; i < 64; i++) m.cpu.v[i] = 0x1111111111111111n * BigInt(i % 15 + 1);
  return m;
}

function expectTagFault(m: Machine, far: bigint, write: boolean): void {
  assert.equal(m.run(), Stop.Fault, 'expected a synchronous tag check fault');
  const f = m.cpu.fault!;
  assert.equal(f.kind, 'tagcheck');
  assert.equal(f.va, far, `FAR 0x${f.va.toString(16)} != 0x${far.toString(16)}`);
  assert.equal(f.write, write);
  assert.equal(m.cpu.pc, CODE);
}

describe('SIMD structure loads/stores under MTE', () => {
  it('ld1 of one register with a matching tag loads; a mismatch faults and leaves the register', () => {
    const ok = setup('ld1 {v0.16b}, [x1]', withTag(T, 4), 1, [[T, 4]]);
    assert.equal(ok.run(), Stop.Svc);
    assert.equal(ok.cpu.v[0], 0xa0a0a0a0a0a0a0a0n);
    const bad = setup('ld1 {v0.16b}, [x1]', withTag(T, 4), 1, [[T, 5]]);
    const before = bad.cpu.v[0];
    expectTagFault(bad, withTag(T, 4), false);
    assert.equal(bad.cpu.v[0], before);
  });

  it('ld4 over four granules, the third bad: FAR = its start; no register changes', () => {
    const m = setup('ld4 {v4.4s-v7.4s}, [x1]', withTag(T, 2), 1, [[T, 2, 2], [T + 32, 9], [T + 48, 2]]);
    const before = [...m.cpu.v.slice(8, 16)];
    expectTagFault(m, withTag(T + 32, 2), false);
    assert.deepEqual([...m.cpu.v.slice(8, 16)], before);
  });

  it('st1 of two registers, the second granule bad: nothing is stored', () => {
    const m = setup('st1 {v1.16b, v2.16b}, [x1], #32', withTag(T, 3), 1, [[T, 3], [T + 16, 6]]);
    expectTagFault(m, withTag(T + 16, 3), true);
    assert.equal(m.peek64(T), 0xa0a0a0a0a0a0a0a0n);
    assert.equal(m.cpu.x[1], withTag(T, 3), 'no writeback');
  });

  it('a single-lane store starting in a bad granule: FAR = the first byte', () => {
    const m = setup('st1 {v3.s}[1], [x1]', withTag(T + 20, 1), 1, [[T + 16, 8]]);
    expectTagFault(m, withTag(T + 20, 1), true);
  });

  it('SP base without writeback is unchecked; with post-index it is checked', () => {
    const a = setup('mov sp, x1\n  ld1r {v0.4s}, [sp]', withTag(T, 7), 1, [[T, 2]]);
    assert.equal(a.run(), Stop.Svc);
    assert.equal(a.cpu.v[0], 0xa0a0a0a0a0a0a0a0n);
    const b = setup('mov sp, x1\n  ld1r {v0.4s}, [sp], #4', withTag(T, 7), 1, [[T, 2]]);
    assert.equal(b.run(), Stop.Fault);
    assert.equal(b.cpu.fault!.kind, 'tagcheck');
  });

  it('async mode: the store happens, TFSRE0_EL1.TF0 is set, the mismatch is reported once', () => {
    const m = setup('st1 {v1.2d}, [x1], x2', withTag(T, 3), 2, [[T, 4]]);
    let reports = 0;
    m.cpu.mmu.hooks.asyncMismatch = () => { reports++; };
    assert.equal(m.run(), Stop.Svc);
    assert.equal(reports, 1);
    assert.equal(m.peek64(T), m.cpu.v[2]);
    assert.equal(m.cpu.tfsre0 & 1, 1);
    assert.equal(m.cpu.x[1], withTag(T + 16, 3), 'post-indexed by x2 = 16');
  });
});
