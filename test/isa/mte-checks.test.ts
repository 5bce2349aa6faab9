// Tag checking as the load/store instructions drive it (reference 1.3-1.5): which forms are
// checked, sync faults with the right FAR for multi-granule accesses, async and asymmetric modes,
// TCO, SP-based immediate forms, untagged pages, literal loads, atomics.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Stop } from '../../emulator/cpu/cpu';
import { PAGE_SIZE, PROT_R, PROT_X } from '../../emulator/memory/index';
import { CODE, DATA, Machine, TAGGED, withTag } from './ldst-harness';

const T = TAGGED;

/** A machine running `insn` once with x1 = the given pointer and mode; granule tags from `tags`. */
function setup(insn: string, ptr: bigint, tcf0: number, tags: [number, number, number?][] = []): Machine {
  const m = new Machine();
  m.program(`_start:\n  ${insn}\n  svc #0\n`);
  for (const [va, tag, n] of tags) m.setTag(va, tag, n ?? 1);
  m.cpu.tcf0 = tcf0;
  m.cpu.x[1] = ptr;
  m.cpu.x[2] = 0x1122334455667788n; m.cpu.x[3] = 0x99aabbccddeeff00n;
  for (let i = 0; i < 8; i++) m.poke64(T + 8 * i, 0xa0a0a0a0a0a0a0a0n + BigInt(i));
  return m;
}

function expectTagFault(m: Machine, far: bigint, write: boolean, logical: number, alloc: number): void {
  assert.equal(m.run(), Stop.Fault, 'expected a synchronous tag check fault');
  const f = m.cpu.fault!;
  assert.equal(f.kind, 'tagcheck');
  assert.equal(f.va, far, `FAR 0x${f.va.toString(16)} != 0x${far.toString(16)}`);
  assert.equal(f.write, write);
  assert.equal(f.logicalTag, logical);
  assert.equal(f.allocationTag, alloc);
  assert.equal(m.cpu.pc, CODE, 'pc stays on the faulting instruction');
}

describe('synchronous tag check faults and FAR', () => {
  it('single access: FAR is the address with its logical tag; nothing changes', () => {
    const m = setup('ldr x0, [x1, #8]', withTag(T, 3), 1, [[T, 5]]);
    m.cpu.x[0] = 0x77n;
    expectTagFault(m, withTag(T + 8, 3), false, 3, 5);
    assert.equal(m.cpu.x[0], 0x77n);
  });

  it('a store is not performed', () => {
    const m = setup('str x2, [x1]', withTag(T + 16, 3), 1, [[T + 16, 4]]);
    expectTagFault(m, withTag(T + 16, 3), true, 3, 4);
    assert.equal(m.peek64(T + 16), 0xa0a0a0a0a0a0a0a2n);
  });

  it('multi-granule load, second granule bad: FAR = start of the failing granule', () => {
    const m = setup('ldp x4, x5, [x1]', withTag(T + 8, 3), 1, [[T, 3], [T + 16, 6]]);
    expectTagFault(m, withTag(T + 16, 3), false, 3, 6);
  });

  it('multi-granule load, first granule bad: FAR = first byte accessed', () => {
    const m = setup('ldr x4, [x1]', withTag(T + 12, 3), 1, [[T, 2], [T + 16, 3]]);
    expectTagFault(m, withTag(T + 12, 3), false, 3, 2);
  });

  it('unaligned single load across granules, second bad', () => {
    const m = setup('ldur w4, [x1, #-2]', withTag(T + 16, 7), 1, [[T, 7]]);
    expectTagFault(m, withTag(T + 16, 7), false, 7, 0);
  });

  it('32-byte pair store: third granule bad, nothing written', () => {
    const m = setup('stp q0, q1, [x1]', withTag(T + 8, 1), 1, [[T, 1, 2], [T + 32, 9]]);
    m.cpu.v.fill(0xffn);
    expectTagFault(m, withTag(T + 32, 1), true, 1, 9);
    for (let i = 0; i < 8; i++) assert.equal(m.peek64(T + 8 * i), 0xa0a0a0a0a0a0a0a0n + BigInt(i));
  });

  it('page-crossing access into a second tagged page', () => {
    const m = setup('ldr x4, [x1]', withTag(T + PAGE_SIZE - 4, 2), 1, [[T + PAGE_SIZE - 16, 2], [T + PAGE_SIZE, 8]]);
    expectTagFault(m, withTag(T + PAGE_SIZE, 2), false, 2, 8);
  });

  it('register-offset, pre-index and post-index forms are checked', () => {
    for (const insn of ['ldr x4, [x1, x5]', 'ldr x4, [x1, #16]!', 'str x2, [x1], #16', 'ldrb w4, [x1, w5, uxtw]', 'strh w2, [x1, x5, lsl #1]']) {
      const m = setup(insn, withTag(T, 3), 1);
      m.cpu.x[5] = 0n;
      assert.equal(m.run(), Stop.Fault, insn);
      assert.equal(m.cpu.fault!.kind, 'tagcheck', insn);
      assert.equal(m.cpu.x[1], withTag(T, 3), `${insn}: no writeback on a fault`);
    }
  });

  it('exclusives, ordered accesses and atomics (base not SP) are checked', () => {
    for (const insn of ['ldxr x4, [x1]', 'stxr w6, x2, [x1]', 'ldar w4, [x1]', 'stlr x2, [x1]', 'ldapr x4, [x1]', 'ldadd x2, x4, [x1]', 'swp x2, x4, [x1]', 'cas x4, x2, [x1]', 'casp x2, x3, x4, x5, [x1]', 'ldxp x4, x5, [x1]', 'stlur w2, [x1, #4]']) {
      const m = setup(insn, withTag(T, 3), 1);
      if (insn.startsWith('stxr')) m.cpu.exclusiveAddr = T, m.cpu.exclusiveSize = 8;
      assert.equal(m.run(), Stop.Fault, insn);
      assert.equal(m.cpu.fault!.kind, 'tagcheck', insn);
      assert.equal(m.peek64(T), 0xa0a0a0a0a0a0a0a0n, insn);
    }
  });
});

describe('fault priority', () => {
  it('alignment faults win over tag check faults (QEMU 7.2 reports the tag fault first for these)', () => {
    for (const insn of ['ldxr x4, [x1]', 'ldadd x2, x4, [x1]', 'ldar w4, [x1]', 'casp x2, x3, x4, x5, [x1]', 'stg x1, [x1]']) {
      const m = setup(insn, withTag(T + 2, 3), 1, [[T, 5]]);
      assert.equal(m.run(), Stop.Fault, insn);
      assert.equal(m.cpu.fault!.kind, 'alignment', insn);
      assert.equal(m.cpu.fault!.va, withTag(T + 2, 3), insn);
    }
  });

  it('translation faults win over tag check faults; tag stores fault as writes', () => {
    const m = setup('ldr x4, [x1]', withTag(T + 4 * PAGE_SIZE, 3), 1);
    assert.equal(m.run(), Stop.Fault);
    assert.equal(m.cpu.fault!.kind, 'translation');
  });
});

describe('unchecked accesses', () => {
  it('SP-based immediate forms without writeback are unchecked; with writeback or a register offset they are checked', () => {
    const unchecked = ['ldr x4, [sp, #8]', 'str x2, [sp]', 'ldur w4, [sp, #-4]', 'ldp x4, x5, [sp]', 'stp q0, q1, [sp, #32]', 'ldrsb x4, [sp, #1]',
      'ldxr x4, [sp]', 'ldadd x2, x4, [sp]', 'stlr w2, [sp]', 'ldapur x4, [sp, #8]', 'ldtr x4, [sp, #8]', 'ldnp d0, d1, [sp]', 'cas x4, x2, [sp]'];
    const checked = ['ldr x4, [sp, #8]!', 'ldr x4, [sp], #8', 'stp x2, x3, [sp, #-16]!', 'ldr x4, [sp, x5]', 'str w2, [sp, w5, uxtw]'];
    for (const insn of [...unchecked, ...checked]) {
      const m = setup(insn, 0n, 1, [[T + 0x100, 6, 8]]);
      m.cpu.sp = withTag(T + 0x110, 2);
      m.cpu.x[5] = 0n;
      const s = m.run();
      if (unchecked.includes(insn)) assert.equal(s, Stop.Svc, `${insn} must be unchecked (${m.cpu.fault?.message})`);
      else { assert.equal(s, Stop.Fault, `${insn} must be checked`); assert.equal(m.cpu.fault!.kind, 'tagcheck'); }
    }
  });

  it('untagged pages are never checked', () => {
    const m = setup('ldr x4, [x1]\n  str x2, [x1, #8]!\n  ldadd x2, x4, [x1]', withTag(DATA, 0xc), 1);
    assert.equal(m.run(), Stop.Svc);
  });

  it('tag check mode none, and PSTATE.TCO = 1, disable checking', () => {
    const m = setup('ldr x4, [x1]\n  str x2, [x1]', withTag(T, 3), 0, [[T, 5]]);
    assert.equal(m.run(), Stop.Svc);
    assert.equal(m.peek64(T), 0x1122334455667788n);
    const m2 = setup('ldr x4, [x1]\n  str x2, [x1]', withTag(T, 3), 1, [[T, 5]]);
    m2.cpu.tco = 1;
    assert.equal(m2.run(), Stop.Svc);
    assert.equal(m2.cpu.tfsre0, 0);
  });

  it('PC-relative literal loads are unchecked even from a tagged page', () => {
    const m = new Machine();
    m.program('_start:\n  ldr x0, lit\n  ldrsw x1, lit\n  svc #0\n  .balign 16\nlit: .quad 0x1234\n');
    const e = m.space.get(CODE / PAGE_SIZE)!;
    m.space.set(CODE / PAGE_SIZE, { ...e, prot: PROT_R | PROT_X, tagged: true });
    m.setTag(CODE, 0xb, 4);
    m.cpu.tcf0 = 1;
    assert.equal(m.run(), Stop.Svc);
    assert.equal(m.cpu.x[0], 0x1234n);
  });

  it('tag instructions are unchecked: stg/ldg/stgp through a mismatching pointer', () => {
    const m = setup('stgp x2, x3, [x1]\n  ldg x4, [x1]\n  stg x1, [x1, #16]', withTag(T, 3), 1, [[T, 5, 2]]);
    assert.equal(m.run(), Stop.Svc);
    assert.equal(m.tag(T), 3);
    assert.equal(m.cpu.x[4], withTag(0, 3), "ldg replaced only the tag bits of x4 (0)");
    assert.equal(m.tag(T + 16), 3);
  });
});

describe('asynchronous and asymmetric modes', () => {
  it('async: the access is performed and TFSRE0_EL1.TF0 is set', () => {
    const mismatches: unknown[] = [];
    const m = setup('str x2, [x1]\n  ldr x4, [x1, #16]', withTag(T, 3), 2, [[T, 5, 2]]);
    m.cpu.mmu.hooks.asyncMismatch = mm => mismatches.push(mm);
    assert.equal(m.run(), Stop.Svc);
    assert.equal(m.peek64(T), 0x1122334455667788n);
    assert.equal(m.cpu.x[4], 0xa0a0a0a0a0a0a0a2n);
    assert.equal(m.cpu.tfsre0, 1);
    assert.equal(mismatches.length, 2);
  });

  it('async: a pair access records one mismatch', () => {
    const mismatches: unknown[] = [];
    const m = setup('stp x2, x3, [x1]', withTag(T + 8, 3), 2, [[T, 5, 2]]);
    m.cpu.mmu.hooks.asyncMismatch = mm => mismatches.push(mm);
    assert.equal(m.run(), Stop.Svc);
    assert.equal(mismatches.length, 1);
    assert.equal(m.peek64(T + 16), 0x99aabbccddeeff00n);
  });

  it('asymmetric: loads fault synchronously, stores are async', () => {
    const m = setup('str x2, [x1]\n  ldr x4, [x1]', withTag(T, 3), 3, [[T, 5]]);
    expectTagFaultAt(m, CODE + 4, withTag(T, 3), false);
    assert.equal(m.peek64(T), 0x1122334455667788n, 'the store happened');
    assert.equal(m.cpu.tfsre0, 1);
  });

  it('asymmetric: atomics are checked as reads (synchronous), stxr as a write (async)', () => {
    const m = setup('ldadd x2, x4, [x1]', withTag(T, 3), 3, [[T, 5]]);
    expectTagFaultAt(m, CODE, withTag(T, 3), false);
    assert.equal(m.peek64(T), 0xa0a0a0a0a0a0a0a0n);
    const m2 = setup('stxr w6, x2, [x1]', withTag(T, 3), 3, [[T, 5]]);
    m2.cpu.exclusiveAddr = T; m2.cpu.exclusiveSize = 8;
    assert.equal(m2.run(), Stop.Svc);
    assert.equal(m2.cpu.x[6], 0n);
    assert.equal(m2.cpu.tfsre0, 1);
  });
});

function expectTagFaultAt(m: Machine, pc: number, far: bigint, write: boolean): void {
  assert.equal(m.run(), Stop.Fault);
  assert.equal(m.cpu.fault!.kind, 'tagcheck');
  assert.equal(m.cpu.fault!.va, far);
  assert.equal(m.cpu.fault!.write, write);
  assert.equal(m.cpu.pc, pc);
}
