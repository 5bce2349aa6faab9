// The runtime over an arbitrary GuestPhysicalMemory: frames come only from ramRanges(), are zeroed and
// untagged when handed out, are reused after munmap, and a refusal by the physical layer inside the
// kernel becomes SIGBUS/BUS_OBJERR instead of an exception escaping run().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysAccessError, RamPhysicalMemory, type GuestPhysicalMemory, type PhysMapping } from '../../emulator/memory/physical';
import * as L from '../../emulator/linux/constants';
import { SyscallGuest } from './helpers';

/** RAM in two small, discontiguous ranges; can be told to refuse pages. */
class SplitRam implements GuestPhysicalMemory {
  readonly inner = new RamPhysicalMemory([{ firstGpn: 0x100, count: 40 }, { firstGpn: 0x9000, count: 400 }]);
  refuse = new Set<number>();
  touched = new Set<number>();
  resolve(gpn: number, write: boolean, pc: number): PhysMapping {
    if (this.refuse.has(gpn)) throw new PhysAccessError(gpn, 'refused by the test', write);
    this.touched.add(gpn);
    return this.inner.resolve(gpn, write, pc);
  }
  addInvalidationListener(fn: (gpn: number) => void): void { this.inner.addInvalidationListener(fn); }
  ramRanges() { return this.inner.ramRanges(); }
}

test('frames come from ramRanges only, are zeroed and untagged, and are reused after munmap', () => {
  const phys = new SplitRam();
  // Dirty the RAM first: the allocator must clean what it hands out.
  for (const r of phys.ramRanges()) for (let g = r.firstGpn; g < r.firstGpn + r.count; g++) {
    const p = phys.inner.resolve(g, true, 0).page;
    p.data.fill(0xee);
    p.setTag(3, 7);
  }
  const g = new SyscallGuest({ phys });
  const a = g.sys(222, 0, 64 * 4096, 3 | L.PROT_MTE, 0x22, -1, 0);
  for (let i = 0n; i < 64n; i++) g.write(a + i * 4096n, [1]);
  for (const gpn of phys.touched) {
    assert.ok(phys.ramRanges().some(r => gpn >= r.firstGpn && gpn < r.firstGpn + r.count), `gpn 0x${gpn.toString(16)} is RAM`);
  }
  assert.ok([...phys.touched].some(x => x >= 0x9000), 'the second range is used once the first is exhausted');
  assert.deepEqual([...g.read(a + 4096n, 8)], [1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(g.proc.peekTag(a + 48n), 0, 'tags cleared');
  const used = g.proc.frames.usedFrames;
  assert.equal(g.sys(215, a, 64 * 4096), 0n);
  assert.equal(g.proc.frames.usedFrames, used - 64);
  const b = g.mmapAnon(4096);
  g.write(b, [2]);
  assert.equal(g.proc.frames.usedFrames, used - 63, 'a freed frame is reused');
});

test('running out of guest RAM kills the process (SIGKILL, as the OOM killer would)', () => {
  const phys = new SplitRam();
  const g = new SyscallGuest({ phys });
  const a = g.mmapAnon(1000 * 4096);
  let i = 0;
  for (; i < 1000 && !g.proc.exited; i++) g.sys(278, a + BigInt(i) * 4096n, 1, 0); // getrandom populates each page
  assert.ok(i > 300 && i < 440, `died after ${i} pages`);
  assert.deepEqual([g.proc.exited?.signal, g.proc.exited?.core], [L.SIGKILL, false]);
});

test('a physical-layer refusal while the kernel works is SIGBUS/BUS_OBJERR, not an exception', () => {
  const phys = new SplitRam();
  const g = new SyscallGuest({ phys });
  const buf = g.mmapAnon(2 * 4096);
  phys.refuse = new Set(Array.from({ length: 0x10000 }, (_, i) => i)); // refuse everything from now on
  g.proc.on('fault', f => assert.equal(f.kind, 'external'));
  g.sys(278, buf, 16, 0); // getrandom into a page that must be populated
  assert.deepEqual([g.proc.exited?.signal, g.proc.exited?.info?.code], [L.SIGBUS, L.BUS_OBJERR]);
  assert.equal(g.proc.exited?.regs?.[32], BigInt(g.svc), 'pc at the svc that entered the kernel');
});
