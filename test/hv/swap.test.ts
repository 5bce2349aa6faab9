// Host swap of guest pages with arm64's mteswap.c rules: tags saved per swap slot at write-out,
// restored at swap-in only if the page is not already tagged, freed only with the slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE } from '../../emulator/memory';
import { HvEventBus, syntheticGuestFactory, type SyntheticGuest, type Vmm } from '../../emulator/hv';
import { expectErr, expectOk, fault, guestView, MiB, RAM, tagged, vmmFrom } from './helpers';

const VA = 16 * PAGE_SIZE;

/** A tagged page: granule g gets tag (g % 15) + 1 and data g. */
function fillTagged(vmm: Vmm) {
  const gv = guestView(vmm);
  gv.map(16, RAM);
  for (let g = 0; g < 256; g++) {
    const t = (g % 15) + 1;
    gv.mmu.storeTags(tagged(VA + g * 16, t), 1, t, false);
    gv.mmu.write64(tagged(VA + g * 16, t), BigInt(g), true);
  }
  return gv;
}

function checkTagged(gv: ReturnType<typeof guestView>) {
  for (let g = 0; g < 256; g++) {
    const t = (g % 15) + 1;
    assert.equal(gv.mmu.loadTag(BigInt(VA + g * 16)), t, `tag of granule ${g}`);
    assert.equal(gv.mmu.read64(tagged(VA + g * 16, t), true), BigInt(g), `data of granule ${g}`);
  }
}

test('swap out -> swap in read-only -> discard -> swap in again keeps the tags (they live as long as the slot)', () => {
  const events = new HvEventBus(1000);
  const vmm = vmmFrom({}, { events });
  const swap = vmm.host.swap;
  const gv = fillTagged(vmm);

  // 1. Swap out: a slot, tags saved (arch_prepare_to_swap), stage 2 unmapped.
  assert.equal(expectOk(vmm.swapOut(RAM)), 'swapped');
  const slot = vmm.describePage(RAM).swapSlot as number;
  assert.equal(vmm.describePage(RAM).state, 'swapped');
  assert.equal(swap.tagStore.has(slot), true);
  assert.equal(vmm.vm.stage2(RAM / PAGE_SIZE), undefined);
  const out = events.recent.filter(e => e.kind === 'swap-out');
  assert.equal(out.length, 1);
  assert.equal(out[0].gpa, RAM);
  assert.equal(out[0].detail?.tagsSaved, true);

  // 2. Swap in read-only: the guest reads; tags restored; the folio stays in the swap cache.
  checkTagged(gv);
  assert.equal(vmm.describePage(RAM).state, 'resident (swap cache)');
  assert.equal(vmm.vm.stage2(RAM / PAGE_SIZE)!.writable, false, 'host PTE read-only -> stage 2 read-only');
  assert.equal(swap.tagStore.has(slot), true, 'arch_swap_restore does not free the saved tags');
  const swapIn = events.recent.filter(e => e.kind === 'swap-in');
  assert.equal(swapIn.length, 1);
  assert.equal(swapIn[0].detail?.tagsRestored, true);

  // 3. Discard: the clean page is dropped without a new write-out.
  assert.equal(expectOk(vmm.swapOut(RAM)), 'discarded');
  assert.equal(vmm.describePage(RAM).swapSlot, slot);
  assert.equal(events.recent.filter(e => e.kind === 'swap-out').length, 1, 'no second write-out');

  // 4. Swap in again from the same slot: the tags are still there.
  checkTagged(gv);
  assert.equal(events.recent.filter(e => e.kind === 'swap-in').length, 2);
  assert.equal(events.recent.filter(e => e.kind === 'swap-in')[1].detail?.tagsRestored, true);

  // 5. A write breaks the swap cache (do_wp_page): the slot and its saved tags are freed.
  gv.mmu.write64(tagged(VA, 1), 99n, true);
  assert.equal(swap.tagStore.has(slot), false);
  assert.equal(swap.usedSlots, 0);
  const free = events.recent.find(e => e.kind === 'swap-free')!;
  assert.equal(free.detail?.slot, slot);
  assert.equal(free.detail?.tagsDropped, true);
  assert.equal(gv.mmu.loadTag(BigInt(VA + 16)), 2, 'tags in memory unaffected');
});

test('the rejected design (free tags at restore) loses them at the second swap-in', () => {
  const vmm = vmmFrom({ swap: { freeTagsOnRestore: true } });
  const gv = fillTagged(vmm);
  expectOk(vmm.swapOut(RAM));
  checkTagged(gv);                       // first swap-in restores (and, in this design, frees)
  assert.equal(expectOk(vmm.swapOut(RAM)), 'discarded');
  assert.equal(gv.mmu.loadTag(BigInt(VA)), 0, 'no tags to restore: KVM sanitised the page');
  const f = fault(() => gv.mmu.read64(tagged(VA, 1), true));
  assert.equal(f.kind, 'tagcheck');
  assert.equal(f.logicalTag, 1);
  assert.equal(f.allocationTag, 0);
});

test('a write fault swap-in frees the slot at once; memfd (shmem) swap-in always does', () => {
  for (const backing of ['anon', 'memfd']) {
    const vmm = vmmFrom({ memory: [{ name: 'ram', gpa: RAM, size: MiB, backing }] });
    const gv = fillTagged(vmm);
    expectOk(vmm.swapOut(RAM));
    assert.equal(vmm.host.swap.usedSlots, 1);
    if (backing === 'anon') gv.mmu.write64(tagged(VA, 1), 0n, true); else gv.mmu.read64(tagged(VA, 1), true);
    assert.equal(vmm.host.swap.usedSlots, 0, `${backing}: slot freed`);
    assert.equal(vmm.host.swap.tagStore.size, 0);
    assert.equal(gv.mmu.loadTag(BigInt(VA + 32)), 3);
  }
});

test('pages that were never PG_mte_tagged save no tags; KVM sanitises them after swap-in', () => {
  const events = new HvEventBus(100);
  const vmm = vmmFrom({}, { events });
  expectOk(vmm.dmaWrite(RAM, new Uint8Array([1, 2, 3])));   // the VMM populates the page, untagged
  expectOk(vmm.swapOut(RAM));
  assert.equal(events.recent.find(e => e.kind === 'swap-out')!.detail?.tagsSaved, false);
  assert.equal(vmm.host.swap.tagStore.size, 0);
  const gv = guestView(vmm);
  gv.map(16, RAM);
  assert.equal(gv.mmu.read8(BigInt(VA + 2), true), 3);
  assert.equal(events.recent.filter(e => e.kind === 'sanitise').length, 1);
});

test('a folio still in the swap cache is already tagged: arch_swap_restore leaves its tags alone', () => {
  const vmm = vmmFrom();
  const gv = fillTagged(vmm);
  expectOk(vmm.swapOut(RAM, true));              // unmapped, still in the swap cache
  const slot = vmm.describePage(RAM).swapSlot as number;
  vmm.host.swap.tagStore.get(slot)!.fill(0xee);  // a stale buffer must not win over tagged memory
  checkTagged(gv);
  assert.equal(vmm.mm.dropSwapCache(), 0, 'the fault took it out of the swap cache');
});

test('swap device full: -ENOSPC and a refused event; device memory and DAX are not swappable', () => {
  const events = new HvEventBus(100);
  const vmm = vmmFrom({ host: { swapSlots: 1 }, memory: [{ name: 'ram', gpa: RAM, size: MiB, backing: 'anon' }, { name: 'pmem', gpa: RAM + MiB, size: MiB, backing: 'dax', ram: false }], mte: false }, { events });
  const gv = guestView(vmm);
  gv.map(16, RAM); gv.map(17, RAM + PAGE_SIZE); gv.map(18, RAM + MiB);
  gv.mmu.write8(BigInt(16 * PAGE_SIZE), 1, false);
  gv.mmu.write8(BigInt(17 * PAGE_SIZE), 1, false);
  gv.mmu.write8(BigInt(18 * PAGE_SIZE), 1, false);
  expectOk(vmm.swapOut(RAM));
  expectErr(vmm.swapOut(RAM + PAGE_SIZE), 'ENOSPC', /no free swap slot/);
  expectErr(vmm.swapOut(RAM + MiB), 'EINVAL', /dax memory is not on the LRU \(zone_device\)/);
  assert.ok(events.recent.some(e => e.kind === 'refused' && /swap device full/.test(e.reason)));
  expectErr(vmm.swapOut(RAM + 2 * PAGE_SIZE), 'ENOENT', /no resident page/);
});

test('memory limit policy keeps resident guest pages under the limit while the guest runs', () => {
  const vmm = vmmFrom({ swap: { limit: '64K' } });
  const r = vmm.run(syntheticGuestFactory({ iterations: 1500, heapPages: 32, seed: 7 }), { sliceInsns: 100 });
  assert.deepEqual(r.exit, { reason: 'shutdown', status: 0 }, (r.guest as SyntheticGuest).lastError);
  assert.ok(vmm.mm.residentCount() <= 16, `resident ${vmm.mm.residentCount()}`);
  assert.ok(vmm.host.swap.usedSlots > 0);
});

test('--swap-every with a running guest: same result as without, every page round-trips through swap', () => {
  const ref = vmmFrom();
  const a = ref.run(syntheticGuestFactory({ iterations: 800, seed: 11 }));
  const vmm = vmmFrom();
  const b = vmm.run(syntheticGuestFactory({ iterations: 800, seed: 11 }), { swapEvery: 97 });
  assert.deepEqual(b.exit, { reason: 'shutdown', status: 0 }, (b.guest as SyntheticGuest).lastError);
  assert.deepEqual(a.exit, b.exit);
  assert.ok(b.swapOuts > 100, `swap-outs ${b.swapOuts}`);
  assert.deepEqual([...(b.guest as SyntheticGuest).cpu.x.slice(0, 6)], [...(a.guest as SyntheticGuest).cpu.x.slice(0, 6)]);
});
