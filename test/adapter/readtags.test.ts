// Bulk tag reads through the debug path (emulator/debug/memory.ts readTagsInto), compared with
// PhysPage.getTag granule by granule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugAccessError, RamDebugPath, VmmDebugPath } from '../../emulator/debug/memory';
import { RamPhysicalMemory } from '../../emulator/memory/physical';

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
