import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSpace, Mmu, PROT_R, PROT_W, PROT_X, RamPhysicalMemory, GuestFault, type TagCheckControl } from '../../emulator/memory';

function setup(tcf0 = 1) {
  const space = new AddressSpace();
  const phys = new RamPhysicalMemory();
  const ctl: TagCheckControl = { tcf0, tco: 0, tfsre0: 0, ata: true, pc: 0x1000 };
  const mmu = new Mmu(space, phys, ctl);
  const first = phys.ramRanges()[0].firstGpn;
  // 0x10000..0x12000 tagged RW, 0x20000 untagged RW, 0x30000 read-only, 0x40000 exec-only
  space.set(0x10, { gpn: first, prot: PROT_R | PROT_W, tagged: true });
  space.set(0x11, { gpn: first + 1, prot: PROT_R | PROT_W, tagged: true });
  space.set(0x20, { gpn: first + 2, prot: PROT_R | PROT_W, tagged: false });
  space.set(0x30, { gpn: first + 3, prot: PROT_R, tagged: false });
  space.set(0x40, { gpn: first + 4, prot: PROT_X, tagged: false });
  return { space, phys, ctl, mmu };
}
const tagged = (addr: number, tag: number) => (BigInt(tag) << 56n) | BigInt(addr);

function fault(fn: () => void): GuestFault {
  try { fn(); } catch (e) { if (e instanceof GuestFault) return e; throw e; }
  assert.fail('expected a GuestFault');
}

test('reads and writes round trip, little-endian, across a page boundary', () => {
  const { mmu } = setup(0);
  mmu.write64(0x10ffcn, 0x1122334455667788n, true);
  assert.equal(mmu.read64(0x10ffcn, true), 0x1122334455667788n);
  assert.equal(mmu.read8(0x10ffcn, true), 0x88);
  assert.equal(mmu.read32(0x11000n, true), 0x11223344);
  mmu.write128(0x10ff8n, 1n, 2n, true);
  assert.equal(mmu.read128(0x10ff8n, true), 1n);
  assert.equal(mmu.hi128, 2n);
});

test('translation and permission faults', () => {
  const { mmu } = setup(0);
  assert.equal(fault(() => mmu.read8(0x50000n, false)).kind, 'translation');
  assert.equal(fault(() => mmu.write8(0x30000n, 1, false)).kind, 'permission');
  assert.equal(fault(() => mmu.read8(0x40000n, false)).kind, 'permission');
  assert.equal(fault(() => mmu.read8(1n << 50n, false)).kind, 'translation');
  assert.ok(mmu.fetchPage(0x40000));
  assert.equal(fault(() => mmu.fetchPage(0x30000)).kind, 'permission');
});

test('sync tag check: mismatch faults before the access, with the logical tag in FAR', () => {
  const { mmu } = setup(1);
  mmu.storeTags(tagged(0x10020, 3), 1, 3, false);
  mmu.write64(tagged(0x10020, 3), 7n, true);
  const f = fault(() => mmu.write64(tagged(0x10020, 5), 9n, true));
  assert.equal(f.kind, 'tagcheck');
  assert.equal(f.va, tagged(0x10020, 5));
  assert.equal(f.logicalTag, 5);
  assert.equal(f.allocationTag, 3);
  assert.equal(mmu.read64(tagged(0x10020, 3), true), 7n, 'faulting store not performed');
});

test('multi-granule access: FAR is the start of the first failing granule', () => {
  const { mmu } = setup(1);
  mmu.storeTags(tagged(0x10000, 2), 1, 2, false);
  // granule 1 (0x10010) keeps tag 0
  const f = fault(() => mmu.read64(tagged(0x1000c, 2), true));
  assert.equal(f.va, tagged(0x10010, 2));
  const g = fault(() => mmu.read64(tagged(0x1001c, 2), true));
  assert.equal(g.va, tagged(0x1001c, 2), 'first granule failing: the first accessed byte');
});

test('page-crossing access checks the second page, and a fault there leaves the first untouched', () => {
  const { mmu } = setup(1);
  mmu.storeTags(tagged(0x10ff0, 4), 1, 4, false);
  const f = fault(() => mmu.write64(tagged(0x10ffc, 4), 0xffffffffffffffffn, true));
  assert.equal(f.va, tagged(0x11000, 4));
  assert.equal(mmu.read32(tagged(0x10ffc, 4), true), 0);
});

test('async: access performed, TFSRE0.TF0 set, hook told; asymmetric: loads sync, stores async', () => {
  const { mmu, ctl } = setup(2);
  const seen: number[] = [];
  mmu.hooks.asyncMismatch = m => seen.push(m.logicalTag);
  mmu.write64(tagged(0x10040, 6), 42n, true);
  assert.equal(ctl.tfsre0, 1);
  assert.deepEqual(seen, [6]);
  assert.equal(mmu.read64(0x10040n, true), 42n);
  ctl.tfsre0 = 0; ctl.tcf0 = 3;
  mmu.write64(tagged(0x10040, 6), 43n, true);
  assert.equal(ctl.tfsre0, 1);
  assert.equal(fault(() => mmu.read64(tagged(0x10040, 6), true)).kind, 'tagcheck');
});

test('unchecked: TCO, unchecked instruction classes, untagged pages, TCF none', () => {
  const { mmu, ctl } = setup(1);
  ctl.tco = 1; mmu.write64(tagged(0x10000, 9), 1n, true); ctl.tco = 0;
  mmu.write64(tagged(0x10000, 9), 1n, false);
  mmu.write64(tagged(0x20000, 9), 1n, true);
  ctl.tcf0 = 0; mmu.write64(tagged(0x10000, 9), 1n, true);
});

test('tag stores: alignment fault, dropped on untagged pages, zeroing, LDG', () => {
  const { mmu } = setup(1);
  assert.equal(fault(() => mmu.storeTags(0x10008n, 1, 1, false)).kind, 'alignment');
  mmu.write64(0x10000n, 0x55n, false);
  mmu.storeTags(tagged(0x10000, 0xa), 2, 0xa, true);
  assert.equal(mmu.loadTag(0x10000n), 0xa);
  assert.equal(mmu.loadTag(0x1001fn), 0xa);
  assert.equal(mmu.loadTag(0x10020n), 0);
  assert.equal(mmu.read64(tagged(0x10000, 0xa), true), 0n);
  mmu.storeTags(tagged(0x20000, 3), 1, 3, false);
  assert.equal(mmu.loadTag(0x20000n), 0);
  assert.equal(fault(() => mmu.storeTags(0x30000n, 1, 1, false)).kind, 'permission');
});

test('data writes invalidate the decode cache of their page', () => {
  const { mmu, phys } = setup(0);
  const page = phys.resolve(phys.ramRanges()[0].firstGpn, false, 0).page;
  page.decoded = [];
  mmu.write8(0x10000n, 1, false);
  assert.equal(page.decoded, null);
});

test('the TLB sees stage-1 changes', () => {
  const { mmu, space } = setup(0);
  mmu.write8(0x20000n, 1, false);
  space.delete(0x20);
  assert.equal(fault(() => mmu.read8(0x20000n, false)).kind, 'translation');
});
