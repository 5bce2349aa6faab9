// mmap / munmap / mprotect / mremap / madvise, with the PROT_MTE (VM_MTE_ALLOWED) rules of the
// reference doc section 3 and the tagged-address ABI exceptions for address arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHostFs } from '../../emulator/linux';
import * as L from '../../emulator/linux/constants';
import { tmpDir } from '../tools';
import { SyscallGuest } from './helpers';

const NR = { openat: 56, munmap: 215, mremap: 216, mmap: 222, mprotect: 226, madvise: 233, brk: 214, mincore: 232 };
const E = (n: number) => BigInt(-n);
const RW = L.PROT_READ | L.PROT_WRITE;
const ANON = L.MAP_PRIVATE | L.MAP_ANONYMOUS;

test('anonymous mmap: top-down placement below mmap_base, page rounding, zero-filled, hint honoured when free', () => {
  const g = new SyscallGuest();
  const a = g.sys(NR.mmap, 0, 5000, RW, ANON, -1, 0);
  assert.ok(a > 0n && a % 4096n === 0n);
  assert.ok(a + 8192n <= BigInt(L.MMAP_BASE));
  const b = g.sys(NR.mmap, 0, 4096, RW, ANON, -1, 0);
  assert.equal(b, a - 4096n, 'the next mapping goes right below');
  assert.deepEqual([...g.read(a, 16)], new Array(16).fill(0));
  const hint = 0x10_0000_0000n;
  assert.equal(g.sys(NR.mmap, hint, 4096, RW, ANON, -1, 0), hint);
  assert.notEqual(g.sys(NR.mmap, hint, 4096, RW, ANON, -1, 0), hint, 'an occupied hint is not used');
  assert.equal(g.sys(NR.mmap, hint, 4096, RW, ANON | L.MAP_FIXED_NOREPLACE, -1, 0), E(L.EEXIST));
  g.write(hint, [9]);
  assert.equal(g.sys(NR.mmap, hint, 4096, RW, ANON | L.MAP_FIXED, -1, 0), hint);
  assert.deepEqual([...g.read(hint, 1)], [0], 'MAP_FIXED replaced the old page');
});

test('mmap argument validation', () => {
  const g = new SyscallGuest();
  assert.equal(g.sys(NR.mmap, 0, 0, RW, ANON, -1, 0), E(L.EINVAL), 'length 0');
  assert.equal(g.sys(NR.mmap, 0, 4096, RW, L.MAP_ANONYMOUS, -1, 0), E(L.EINVAL), 'neither shared nor private');
  assert.equal(g.sys(NR.mmap, 0, 4096, RW, ANON, -1, 100), E(L.EINVAL), 'unaligned offset');
  assert.equal(g.sys(NR.mmap, 0x12345, 4096, RW, ANON | L.MAP_FIXED, -1, 0), E(L.EINVAL), 'unaligned MAP_FIXED');
  assert.equal(g.sys(NR.mmap, 0, 4096, RW, L.MAP_PRIVATE, 77, 0), E(L.EBADF));
  assert.equal(g.sys(NR.mmap, 0, 4096, RW, L.MAP_PRIVATE, 1, 0), E(L.ENODEV), 'a pipe cannot be mapped');
  assert.equal(g.sys(NR.mmap, 0, 4096, RW, L.MAP_SHARED_VALIDATE | L.MAP_ANONYMOUS | 0x800000, -1, 0), E(L.EOPNOTSUPP));
  assert.equal(g.sys(NR.mmap, 0x1000_0000_0000_0000n, 4096, RW, ANON | L.MAP_FIXED, -1, 0), E(L.ENOMEM), 'a tagged MAP_FIXED address is beyond TASK_SIZE');
  assert.equal(g.sys(NR.mmap, 1n << 47n, 1n << 48n, RW, ANON, -1, 0), E(L.ENOMEM));
});

test('mmap ignores unknown prot bits (arm64 Linux does not validate them; QEMU 7.2 says EINVAL), mprotect rejects them', () => {
  const g = new SyscallGuest();
  for (const bit of [0x40, 0x80, 0x100, 0x8000_0000]) {
    const a = g.sys(NR.mmap, 0, 4096, RW | bit, ANON, -1, 0);
    assert.ok(a > 0n && a % 4096n === 0n, `prot bit ${bit.toString(16)}: ${a}`);
    const v = g.proc.mm.find(Number(a))!;
    assert.equal(v.prot, RW, 'only R/W/X are kept');
    assert.equal(v.mte, false);
    g.write(a, [7]);
    assert.deepEqual([...g.read(a, 1)], [7], 'the mapping is usable');
    assert.equal(g.sys(NR.mprotect, a, 4096, RW | bit), E(L.EINVAL), `mprotect with prot bit ${bit.toString(16)}`);
  }
});

test('PROT_MTE: allowed on anonymous private and shared mappings, pages Tagged with tags 0', () => {
  const g = new SyscallGuest();
  for (const flags of [ANON, L.MAP_SHARED | L.MAP_ANONYMOUS]) {
    const a = g.sys(NR.mmap, 0, 8192, RW | L.PROT_MTE, flags, -1, 0);
    assert.ok(a > 0n);
    const v = g.proc.mm.find(Number(a))!;
    assert.ok(v.mte && v.mteAllowed);
    g.write(a, [1]);
    assert.equal(g.proc.space.get(Number(a) / 4096)!.tagged, true);
    assert.equal(g.proc.peekTag(a), 0);
    assert.equal(g.proc.peekTag(a + 4096n), 0, 'untouched PROT_MTE pages read tag 0');
  }
  const plain = g.mmapAnon(4096);
  assert.equal(g.proc.peekTag(plain), -1, 'not a tagged mapping');
});

test('PROT_MTE on file mappings is EINVAL (mmap and mprotect); private file mappings copy the file', () => {
  const dir = tmpDir();
  writeFileSync(join(dir, 'f.bin'), Buffer.from('0123456789'));
  const g = new SyscallGuest({ hostFs: new NodeHostFs([dir]), cwd: dir });
  const s = g.mmapAnon(4096);
  g.cstr(s, 'f.bin');
  const fd = g.sys(NR.openat, L.AT_FDCWD, s, L.O_RDONLY);
  assert.equal(fd, 3n);
  assert.equal(g.sys(NR.mmap, 0, 4096, L.PROT_READ | L.PROT_MTE, L.MAP_PRIVATE, fd, 0), E(L.EINVAL));
  const m = g.sys(NR.mmap, 0, 4096, L.PROT_READ, L.MAP_PRIVATE, fd, 0);
  assert.ok(m > 0n);
  assert.equal(Buffer.from(g.read(m, 12)).toString('latin1'), '0123456789\0\0');
  assert.equal(g.sys(NR.mprotect, m, 4096, L.PROT_READ | L.PROT_MTE), E(L.EINVAL));
  assert.equal(g.sys(NR.mprotect, m, 4096, RW), 0n, 'private file mappings may become writable (COW)');
  assert.equal(g.sys(NR.mmap, 0, 4096, RW, L.MAP_SHARED, fd, 0), E(L.EACCES), 'shared writable mapping of a read-only file');
  const sh = g.sys(NR.mmap, 0, 4096, L.PROT_READ, L.MAP_SHARED, fd, 0);
  assert.ok(sh > 0n);
  assert.equal(g.sys(NR.mprotect, sh, 4096, RW), E(L.EACCES), 'no VM_MAYWRITE');
});

test('mprotect(PROT_MTE): heap, stack and bss accept it; ELF file pages do not; PROT_MTE cannot be cleared', () => {
  const g = new SyscallGuest();
  const brk0 = g.sys(NR.brk, 0);
  g.sys(NR.brk, brk0 + 8192n);
  assert.equal(g.sys(NR.mprotect, brk0, 8192, RW | L.PROT_MTE), 0n, 'brk heap');
  const stackPage = (g.sp - 4096n) & ~4095n;
  assert.equal(g.sys(NR.mprotect, stackPage, 4096, RW | L.PROT_MTE), 0n, 'stack');
  const text = BigInt(g.proc.image.entry) & ~4095n;
  assert.equal(g.sys(NR.mprotect, text, 4096, L.PROT_READ | L.PROT_EXEC | L.PROT_MTE), E(L.EINVAL), 'file-backed text');
  const a = g.mmapAnon(4096);
  g.write(a, [1]);
  assert.equal(g.sys(NR.mprotect, a, 4096, RW | L.PROT_MTE), 0n);
  assert.equal(g.proc.space.get(Number(a) / 4096)!.tagged, true, 'present page becomes Tagged');
  assert.equal(g.sys(NR.mprotect, a, 4096, RW), 0n);
  assert.equal(g.proc.mm.find(Number(a))!.mte, true, 'VM_MTE stays');
  assert.equal(g.sys(NR.mprotect, a, 4096, L.PROT_READ | 0x40), E(L.EINVAL), 'unknown prot bit');
  assert.equal(g.sys(NR.mprotect, a, 4096, L.PROT_READ | L.PROT_BTI), E(L.EINVAL), 'PROT_BTI without BTI');
});

test('without MTE hardware: mmap ignores PROT_MTE, mprotect rejects it', () => {
  const g = new SyscallGuest({ mte: false });
  const a = g.sys(NR.mmap, 0, 4096, RW | L.PROT_MTE, ANON, -1, 0);
  assert.ok(a > 0n);
  assert.equal(g.proc.mm.find(Number(a))!.mte, false);
  assert.equal(g.sys(NR.mprotect, a, 4096, RW | L.PROT_MTE), E(L.EINVAL));
});

test('mprotect: holes are ENOMEM, alignment EINVAL, tagged addresses are untagged', () => {
  const g = new SyscallGuest();
  const a = g.sys(NR.mmap, 0, 3 * 4096, RW, ANON, -1, 0);
  assert.equal(g.sys(NR.munmap, a + 4096n, 4096), 0n);
  assert.equal(g.sys(NR.mprotect, a, 3 * 4096, L.PROT_READ), E(L.ENOMEM));
  assert.equal(g.proc.mm.find(Number(a))!.prot, L.PROT_READ, 'the part before the hole was changed, as in Linux');
  assert.equal(g.sys(NR.mprotect, a + 1n, 4096, L.PROT_READ), E(L.EINVAL));
  assert.equal(g.sys(NR.mprotect, a, 0, L.PROT_READ), 0n);
  assert.equal(g.sys(NR.mprotect, a | (0x7n << 56n), 4096, RW), 0n, 'address-space management accepts tagged pointers');
  assert.equal(g.proc.mm.find(Number(a))!.prot, RW);
  g.write(a, [1]);
  assert.equal(g.sys(NR.mprotect, a, 4096, L.PROT_NONE), 0n);
  assert.equal(g.proc.copyIn(a, 1, false), null, 'PROT_NONE: no access');
});

test('munmap: validation, partial unmapping splits VMAs, tagged addresses untagged, frames freed', () => {
  const g = new SyscallGuest();
  const a = g.sys(NR.mmap, 0, 4 * 4096, RW, ANON, -1, 0);
  for (let i = 0n; i < 4n; i++) g.write(a + i * 4096n, [1]);
  const used = g.proc.frames.usedFrames;
  assert.equal(g.sys(NR.munmap, a + 1n, 4096), E(L.EINVAL));
  assert.equal(g.sys(NR.munmap, a, 0), E(L.EINVAL));
  assert.equal(g.sys(NR.munmap, (a + 4096n) | (0xan << 56n), 8192), 0n);
  assert.equal(g.proc.frames.usedFrames, used - 2);
  assert.ok(g.proc.mm.find(Number(a)));
  assert.equal(g.proc.mm.find(Number(a) + 4096), undefined);
  assert.ok(g.proc.mm.find(Number(a) + 3 * 4096));
  assert.equal(g.sys(NR.munmap, a, 4 * 4096), 0n, 'unmapping holes is fine');
});

test('MADV_DONTNEED zeroes private anonymous data and tags; shared anonymous memory keeps its contents', () => {
  const g = new SyscallGuest();
  const a = g.sys(NR.mmap, 0, 8192, RW | L.PROT_MTE, ANON, -1, 0);
  g.write(a, [0xaa, 0xbb]);
  const e = g.proc.space.get(Number(a) / 4096)!;
  g.proc.phys.resolve(e.gpn, true, 0).page.setTag(0, 5);
  assert.equal(g.proc.peekTag(a), 5);
  assert.equal(g.sys(NR.madvise, a, 8192, L.MADV_DONTNEED), 0n);
  assert.deepEqual([...g.read(a, 2)], [0, 0]);
  assert.equal(g.proc.peekTag(a), 0);
  const s = g.sys(NR.mmap, 0, 4096, RW, L.MAP_SHARED | L.MAP_ANONYMOUS, -1, 0);
  g.write(s, [0x11]);
  assert.equal(g.sys(NR.madvise, s, 4096, L.MADV_DONTNEED), 0n);
  assert.deepEqual([...g.read(s, 1)], [0x11]);
  assert.equal(g.sys(NR.madvise, a, 4096, 77), E(L.EINVAL));
  assert.equal(g.sys(NR.madvise, a + 1n, 4096, L.MADV_DONTNEED), E(L.EINVAL));
  assert.equal(g.sys(NR.madvise, 0x10000n, 4096, L.MADV_WILLNEED), E(L.ENOMEM), 'unmapped range');
});

test('mremap: shrink, grow in place, move with data and tags, invalid flags', () => {
  const g = new SyscallGuest();
  const a = g.sys(NR.mmap, 0, 2 * 4096, RW | L.PROT_MTE, ANON, -1, 0);
  g.write(a, [1, 2, 3]);
  const e = g.proc.space.get(Number(a) / 4096)!;
  g.proc.phys.resolve(e.gpn, true, 0).page.setTag(0, 9);
  assert.equal(g.sys(NR.mremap, a, 8192, 4096, 0, 0), a, 'shrink');
  assert.equal(g.proc.mm.find(Number(a) + 4096), undefined);
  // Something right above blocks growing in place: it must move.
  const above = a + 4096n;
  assert.equal(g.sys(NR.mmap, above, 4096, RW, ANON | L.MAP_FIXED, -1, 0), above);
  assert.equal(g.sys(NR.mremap, a, 4096, 3 * 4096, 0, 0), E(L.ENOMEM), 'cannot grow without MREMAP_MAYMOVE');
  const b = g.sys(NR.mremap, a, 4096, 3 * 4096, L.MREMAP_MAYMOVE, 0);
  assert.ok(b > 0n && b !== a);
  assert.deepEqual([...g.read(b, 3)], [1, 2, 3]);
  assert.equal(g.proc.peekTag(b), 9, 'tags move with the page');
  assert.equal(g.proc.mm.find(Number(a)), undefined);
  assert.equal(g.proc.mm.find(Number(b) + 2 * 4096)!.mte, true, 'the grown part keeps the attributes');
  assert.equal(g.sys(NR.mremap, b, 4096, 4096, 0x80, 0), E(L.EINVAL));
  assert.equal(g.sys(NR.mremap, b, 4096, 4096, L.MREMAP_FIXED, 0x20000000), E(L.EINVAL), 'FIXED without MAYMOVE');
  assert.equal(g.sys(NR.mremap, b, 4096, 4096, L.MREMAP_FIXED | L.MREMAP_MAYMOVE, 0x20000000n | (1n << 56n)), E(L.EINVAL), 'tagged new_address');
  assert.equal(g.sys(NR.mremap, 0x7000_0000n, 4096, 8192, L.MREMAP_MAYMOVE, 0), E(L.EFAULT), 'nothing mapped there');
  const c = g.sys(NR.mremap, b, 4096, 4096, L.MREMAP_FIXED | L.MREMAP_MAYMOVE, 0x20000000);
  assert.equal(c, 0x20000000n);
  assert.deepEqual([...g.read(c, 3)], [1, 2, 3]);
});

test('mincore reports resident pages', () => {
  const g = new SyscallGuest();
  const a = g.sys(NR.mmap, 0, 3 * 4096, RW, ANON, -1, 0);
  const v = g.mmapAnon(4096);
  g.write(a + 4096n, [1]);
  assert.equal(g.sys(NR.mincore, a, 3 * 4096, v), 0n);
  assert.deepEqual([...g.read(v, 3)], [0, 1, 0]);
});
