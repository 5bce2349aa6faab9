// tagvisor/readTags pieces: bulk tag reads through the debug path (emulator/debug/memory.ts
// readTagsInto) compared with PhysPage.getTag granule by granule, and the provenance columns
// (adapter/tags.ts) built and decoded back, malformed ones rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugAccessError, RamDebugPath, VmmDebugPath } from '../../emulator/debug/memory';
import { RamPhysicalMemory } from '../../emulator/memory/physical';
import { ProvenanceColumns, decodeReadTags } from '../../adapter/tags';

const FIRST = 0x40000;
const PAGE = 4096;

/** Four pages of RAM: random tags, never touched, touched without tag storage, random tags. */
function ram(): { phys: RamPhysicalMemory; expected: (gpa: number) => number } {
  const phys = new RamPhysicalMemory([{ firstGpn: FIRST, count: 4 }]);
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 16; };
  for (const gpn of [FIRST, FIRST + 3]) {
    const p = phys.resolve(gpn, true, -1).page;
    for (let g = 0; g < 256; g++) p.setTag(g, rnd() & 15);
  }
  phys.resolve(FIRST + 2, true, -1);
  assert.equal(phys.peek(FIRST + 1), undefined);
  assert.equal(phys.peek(FIRST + 2)!.tags, null);
  return { phys, expected: gpa => phys.peek(Math.floor(gpa / PAGE))?.getTag((gpa % PAGE) >> 4) ?? 0 };
}

test('RamDebugPath.readTagsInto unpacks the packed tags at any granule start, length and output offset', () => {
  const { phys, expected } = ram();
  const path = new RamDebugPath(phys);
  const base = FIRST * PAGE;
  for (const [g, n] of [[0, 1], [1, 1], [0, 256], [1, 255], [1, 2], [3, 300], [255, 2], [250, 600], [0, 1024], [511, 513], [767, 257], [100, 0]]) {
    for (const at of [0, 3]) {
      const out = new Int8Array(at + n + 2).fill(99);
      path.readTagsInto(base + g * 16, n, out, at);
      const want = Array.from({ length: n }, (_, k) => expected(base + (g + k) * 16));
      assert.deepEqual(Array.from(out.subarray(at, at + n)), want, `granule ${g}, ${n} granules, at ${at}`);
      assert.ok(out.subarray(0, at).every(v => v === 99) && out.subarray(at + n).every(v => v === 99), 'nothing outside the range is written');
      assert.deepEqual(Array.from(path.readTags(base + g * 16, n)), want);
    }
  }
});

test('readTagsInto refuses what readTags refuses, before writing anything', () => {
  const path = new RamDebugPath(ram().phys);
  const out = new Int8Array(8).fill(99);
  assert.throws(() => path.readTagsInto((FIRST + 4) * PAGE, 4, out, 0), DebugAccessError);
  assert.throws(() => path.readTagsInto(FIRST * PAGE + 8, 1, out, 0), /not 16-byte aligned/);
  assert.ok(out.every(v => v === 99));
  // The VMM debug path: its refusal comes back with the VMM's reason; otherwise its tags are copied.
  const vmm = new VmmDebugPath(() => ({
    debugRead: () => ({ ok: false, message: 'unused' }),
    debugWrite: () => ({ ok: false, message: 'unused' }),
    debugReadTags: (gpa: number, count: number) => gpa === 0x1000
      ? { ok: false as const, message: 'debug read tags: gpa 0x1000 is private memory' }
      : { ok: true as const, value: Uint8Array.from({ length: count }, (_, k) => (gpa / 16 + k) & 15) },
    debugWriteTags: () => ({ ok: false, message: 'unused' }),
  }));
  assert.throws(() => vmm.readTagsInto(0x1000, 2, out, 0), /private memory/);
  assert.ok(out.every(v => v === 99));
  vmm.readTagsInto(0x2030, 3, out, 4);
  assert.deepEqual(Array.from(out), [99, 99, 99, 99, 3, 4, 5, 99]);
});

test('readTags provenance columns: what ProvenanceColumns builds, decodeReadTags reads back exactly', () => {
  const writers = [{ pc: '0x400000', instruction: 'stg x0, [x0]', by: 'instruction' }, { pc: '0x400010', instruction: '(debugger)', by: 'debugger' }];
  const big = 2 ** 53 - 1;
  // [writer, step, previous] per granule; null = no write recorded
  const rows: ([number, number, number] | null)[] = [
    null, [0, 7, 0], [0, 13, 3], [0, 12, 15], null, null, [1, 0, 2], [0, 63, 1], [0, 64, 1], [0, 200_000, 9],
    [1, big, 4], [0, 0, 5], [0, big - 1, 6], [1, 2 ** 32, 7], [0, 2 ** 32 - 1, 8], null,
  ];
  const cols = new ProvenanceColumns(rows.length + 3); // the last three granules are never given: no write
  for (const r of rows) { if (r) cols.set(r[0], r[1], r[2]); else cols.none(1); }
  const enc = cols.finish();
  const n = rows.length + 3;
  const g = decodeReadTags({ address: '0xfffff0000000', count: n, granuleSize: 16, logicalTag: 0, tags: '0123456789abcdef-a-', writers, ...enc });
  assert.equal(g.length, n);
  assert.equal(enc.previous, '-03f--211945678----');
  for (let i = 0; i < n; i++) {
    const r = rows[i] ?? null;
    assert.equal(g[i].address, 0xfffff0000000n + BigInt(16 * i));
    assert.equal(g[i].tag, i === 16 || i === 18 ? null : parseInt('0123456789abcdef-a-'[i], 16));
    if (!r) { assert.equal(g[i].set, undefined, `granule ${i}`); continue; }
    assert.deepEqual(g[i].set, { ...writers[r[0]], step: r[1], previous: r[2] }, `granule ${i}`);
  }
  // Runs: one loop's granules cost about a byte each, and the writer column a few bytes in all.
  const loop = new ProvenanceColumns(65536);
  for (let i = 0; i < 65536; i++) loop.set(0, 1000 + 6 * i, i & 15);
  const l = loop.finish();
  assert.equal(Buffer.from(l.stepDeltas, 'base64').length, 65536 + 1);
  assert.ok(Buffer.from(l.setByRuns, 'base64').length <= 4);
  const lg = decodeReadTags({ address: '0x0', count: 65536, granuleSize: 16, logicalTag: 0, tags: '0'.repeat(65536), writers, ...l });
  assert.ok(lg.every((x, i) => x.set?.step === 1000 + 6 * i && x.set.previous === (i & 15)));
  // no granule set at all
  const empty = new ProvenanceColumns(3).finish();
  assert.deepEqual(decodeReadTags({ address: '0x0', count: 3, granuleSize: 16, logicalTag: 0, tags: '000', writers: [], ...empty }).map(x => x.set), [undefined, undefined, undefined]);
  assert.throws(() => { const c = new ProvenanceColumns(1); c.none(1); c.set(0, 1, 1); }, /more than 1 granules/);
});

test('malformed provenance columns are reported naming the column, never misread', () => {
  const b = (setByRuns: Buffer, stepDeltas: Buffer, count = 2) => ({
    address: '0x0', count, granuleSize: 16, logicalTag: 0, tags: '00', previous: '00',
    writers: [{ pc: '0x4', instruction: 'stg', by: 'instruction' }], setByRuns: setByRuns.toString('base64'), stepDeltas: stepDeltas.toString('base64'),
  });
  assert.deepEqual(decodeReadTags(b(Buffer.from([1, 2]), Buffer.from([2, 2]))).map(x => x.set?.step), [1, 2]);
  assert.throws(() => decodeReadTags(b(Buffer.from([1, 0x82]), Buffer.from([2, 2]))), /"setByRuns" ends inside a number at byte 2/);
  assert.throws(() => decodeReadTags(b(Buffer.from([1]), Buffer.from([2, 2]))), /"setByRuns" ends before a number/);
  assert.throws(() => decodeReadTags(b(Buffer.from([1, 3]), Buffer.from([2, 2, 2]))), /covers more than the 2 granules/);
  assert.throws(() => decodeReadTags(b(Buffer.from([1, 2]), Buffer.from([2]))), /"stepDeltas" ends before a number/);
  assert.throws(() => decodeReadTags(b(Buffer.from([1, 2]), Buffer.from([2, 0x80]))), /"stepDeltas" ends inside a number/);
  assert.throws(() => decodeReadTags(b(Buffer.from([1, 2]), Buffer.from([2, 2, 2]))), /more steps than/);
  assert.throws(() => decodeReadTags(b(Buffer.from([1, 2]), Buffer.from([2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1]))), /"stepDeltas" has a number too large/);
});
