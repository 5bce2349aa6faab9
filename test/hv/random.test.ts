// Randomized: 1,000 live migrations at random points of a running MTE guest, and 10,000 random host
// swap operations under a running MTE guest, with zero data or tag mismatches. The seed is printed
// on failure; TV_HV_SEED=n replays one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE, GRANULES_PER_PAGE } from '../../emulator/memory';
import {
  migrateInProcess, migrateViaMemoryStream, peekGuestPage, syntheticGuestFactory, unpackTags,
  type HvGuest, type SyntheticGuest, type Vmm,
} from '../../emulator/hv';
import { expectOk, vmmFrom } from './helpers';

const SEED = Number(process.env.TV_HV_SEED ?? 20250611);

/** mulberry32: small deterministic PRNG for choosing operations. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)] };
}

/** Compares every heap page (data and tags, side-effect free) with what the guest believes. Returns mismatch count. */
function heapMismatches(vmm: Vmm, g: SyntheticGuest): number {
  const { data, tags, useTags } = g.shadow;
  const one = new Uint8Array(GRANULES_PER_PAGE);
  let bad = 0;
  g.heapGpns.forEach((gpn, i) => {
    const p = peekGuestPage(vmm, gpn);
    const want = data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
    if (p.data === null ? want.some(b => b !== 0) : !Buffer.from(p.data).equals(Buffer.from(want))) bad++;
    if (useTags) {
      unpackTags(p.tags, one, 0);
      if (!Buffer.from(one).equals(Buffer.from(tags.subarray(i * GRANULES_PER_PAGE, (i + 1) * GRANULES_PER_PAGE)))) bad++;
    }
  });
  return bad;
}

const GUEST = { iterations: 60_000, heapPages: 6, opsPerSvc: 2, seed: 99 };
const factory = syntheticGuestFactory(GUEST);

function reference() {
  const vmm = vmmFrom();
  const r = vmm.run(factory);
  assert.deepEqual(r.exit, { reason: 'shutdown', status: 0 });
  const g = r.guest as SyntheticGuest;
  return { regs: [...g.cpu.x.slice(0, 6)], insns: g.insns, pages: [...g.gpns].map(p => peekGuestPage(vmm, p)) };
}

function sameAsReference(ref: ReturnType<typeof reference>, vmm: Vmm, g: SyntheticGuest, what: string) {
  assert.deepEqual([...g.cpu.x.slice(0, 6)], ref.regs, `${what}: registers`);
  assert.equal(g.insns, ref.insns, `${what}: instructions`);
  g.gpns.forEach((p, i) => {
    const a = peekGuestPage(vmm, p), b = ref.pages[i];
    assert.deepEqual(a.data ?? new Uint8Array(PAGE_SIZE), b.data ?? new Uint8Array(PAGE_SIZE), `${what}: data of page ${p.toString(16)}`);
    assert.deepEqual(a.tags ?? new Uint8Array(128), b.tags ?? new Uint8Array(128), `${what}: tags of page ${p.toString(16)}`);
  });
}

test(`1,000 live migrations at random points of a running MTE guest (seed ${SEED})`, () => {
  const ref = reference();
  const r = rng(SEED);
  let vmm = vmmFrom();
  let guest: HvGuest = factory(vmm.vm, 'boot');
  vmm.vcpu.attach(guest);
  let migrations = 0, viaStream = 0, rounds = 0, pages = 0;
  while (migrations < 1000) {
    const exit = vmm.vcpu.run(1 + r.int(250));
    assert.equal(exit.reason, 'intr', `seed ${SEED}: guest stopped early after ${migrations} migrations: ${JSON.stringify(exit)} ${(guest as SyntheticGuest).lastError}`);
    if (r.next() < 0.2) vmm.swapOutAll(); // some pages travel from swap
    const opts = { roundInsns: 1 + r.int(120), maxRounds: r.int(4), stopPages: r.int(3) };
    const m = r.next() < 0.25 ? migrateViaMemoryStream(vmm, guest, factory, opts) : migrateInProcess(vmm, guest, factory, opts);
    if (!m.ok) assert.fail(`seed ${SEED}, migration ${migrations}: ${m.message}`);
    if ('streamBytes' in m.value) viaStream++;
    const v = m.value.report.verify!;
    assert.equal(v.dataMismatches + v.tagMismatches, 0, `seed ${SEED}, migration ${migrations}: ${JSON.stringify(v.first)}`);
    rounds += m.value.report.rounds.length;
    pages += m.value.report.pagesSent;
    vmm = m.value.vmm;
    guest = m.value.guest;
    assert.equal(heapMismatches(vmm, guest as SyntheticGuest), 0, `seed ${SEED}: heap after migration ${migrations}`);
    migrations++;
  }
  const end = vmm.resume(guest, factory);
  assert.deepEqual(end.exit, { reason: 'shutdown', status: 0 }, (end.guest as SyntheticGuest).lastError);
  sameAsReference(ref, end.vmm, end.guest as SyntheticGuest, `seed ${SEED}`);
  assert.ok(viaStream > 150, `byte-stream migrations: ${viaStream}`);
  assert.ok(rounds > 2000 && pages > 5000, `${rounds} rounds, ${pages} pages`);
});

test(`10,000 random swap operations under a running MTE guest (seed ${SEED})`, () => {
  const ref = reference();
  const r = rng(SEED ^ 0x5eed);
  const vmm = vmmFrom({ host: { swapSlots: 4 } });  // fewer slots than pages: ENOSPC happens too
  const guest = factory(vmm.vm, 'boot') as SyntheticGuest;
  vmm.vcpu.attach(guest);
  const counts: Record<string, number> = {};
  let ops = 0;
  const count = (k: string) => { counts[k] = (counts[k] ?? 0) + 1; };
  const pages = () => guest.gpns.map(p => p * PAGE_SIZE);
  while (ops < 10_000) {
    const k = r.next();
    if (k < 0.35) {
      const res = vmm.swapOut(r.pick(pages()), r.next() < 0.3);      // reclaim one page (maybe leave it in the swap cache)
      count(res.ok ? res.value : `refused-${res.errno}`);
    } else if (k < 0.45) {
      vmm.swapOutAll(); count('swap-all');
    } else if (k < 0.52) {
      vmm.mm.dropSwapCache(); count('drop-swap-cache');
    } else if (k < 0.62) {
      expectOk(vmm.dmaRead(r.pick(pages()) + r.int(PAGE_SIZE - 8), 8)); count('vmm-read');          // read swap-in by the VMM
    } else if (k < 0.68) {
      expectOk(vmm.debugReadTags(r.pick(pages()), 4)); count('vmm-tag-read');                      // COPY_TAGS FROM_GUEST faults it in
    } else {
      const exit = vmm.vcpu.run(1 + r.int(60));
      assert.equal(exit.reason, 'intr', `seed ${SEED}: guest stopped after ${ops} swap ops: ${JSON.stringify(exit)} ${guest.lastError}`);
      count('guest-run');
      continue;
    }
    ops++;
    if (ops % 10 === 0) assert.equal(heapMismatches(vmm, guest), 0, `seed ${SEED}: heap mismatch after ${ops} swap operations (${JSON.stringify(counts)})`);
  }
  const end = vmm.resume(guest, factory);
  assert.deepEqual(end.exit, { reason: 'shutdown', status: 0 }, guest.lastError);
  sameAsReference(ref, vmm, guest, `seed ${SEED}`);
  // The operations really exercised the swap paths.
  for (const k of ['swapped', 'discarded', 'refused-ENOSPC', 'drop-swap-cache', 'vmm-read']) assert.ok((counts[k] ?? 0) > 20, `${k}: ${counts[k]}`);
  assert.ok(vmm.host.swap.usedSlots <= 4);
});
