// System calls through the real kernel entry path (an `svc #0` executed by the CPU): results,
// errno values and side effects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHostFs } from '../../emulator/linux';
import { absolutePath } from '../../emulator/linux/process';
import * as L from '../../emulator/linux/constants';
import { tmpDir } from '../tools';
import { SyscallGuest } from './helpers';

const NR = {
  getcwd: 17, dup: 23, dup3: 24, fcntl: 25, ioctl: 29, faccessat: 48, openat: 56, close: 57, getdents64: 61, lseek: 62,
  read: 63, write: 64, readv: 65, writev: 66, pread64: 67, readlinkat: 78, newfstatat: 79, fstat: 80, exit_group: 94,
  set_tid_address: 96, futex: 98, set_robust_list: 99, nanosleep: 101, clock_gettime: 113, sched_getaffinity: 123,
  uname: 160, gettimeofday: 169, getpid: 172, getppid: 173, getuid: 174, gettid: 178, brk: 214, mmap: 222,
  prlimit64: 261, getrandom: 278, rseq: 293, prctl: 167,
};
const E = (n: number) => BigInt(-n);

function scratch(g: SyscallGuest, len = 8192): bigint {
  const a = g.mmapAnon(len);
  assert.ok(a > 0n, `mmap failed: ${a}`);
  return a;
}

test('write: stdout/stderr events, EBADF, EFAULT for bad and (ABI off) tagged pointers', () => {
  const g = new SyscallGuest();
  const buf = scratch(g);
  g.cstr(buf, 'hello');
  assert.equal(g.sys(NR.write, 1, buf, 5), 5n);
  assert.equal(g.sys(NR.write, 2, buf, 3), 3n);
  assert.deepEqual(g.stdout, ['hello']);
  assert.deepEqual(g.stderr, ['hel']);
  assert.equal(g.sys(NR.write, 7, buf, 1), E(L.EBADF));
  assert.equal(g.sys(NR.write, 0, buf, 1), E(L.EBADF), 'stdin is read-only');
  assert.equal(g.sys(NR.write, 1, 0x10, 1), E(L.EFAULT));
  assert.equal(g.sys(NR.write, 1, buf | (0x5n << 56n), 5), E(L.EFAULT), 'tagged pointer without PR_TAGGED_ADDR_ENABLE');
  assert.equal(g.sys(NR.prctl, L.PR_SET_TAGGED_ADDR_CTRL, L.PR_TAGGED_ADDR_ENABLE, 0, 0, 0), 0n);
  assert.equal(g.sys(NR.write, 1, buf | (0x5n << 56n), 5), 5n, 'tagged pointer with the ABI on');
  assert.equal(g.sys(NR.write, 1, buf | (1n << 55n), 5), E(L.EFAULT), 'bit 55 set: a kernel address');
  assert.equal(g.sys(NR.write, 1, buf | (0xf0n << 56n), 5), 5n, 'any top byte is ignored');
  assert.equal(g.sys(NR.write, 1, buf, 0), 0n);
});

test('writev gathers; readv scatters stdin; read returns 0 at EOF', () => {
  const chunks = [Buffer.from('abcdef'), Buffer.from('XY')];
  const g = new SyscallGuest({ stdin: max => { const c = chunks.shift(); return c ? new Uint8Array(c.subarray(0, max)) : null; } });
  const buf = scratch(g);
  g.cstr(buf + 100n, 'one');
  g.cstr(buf + 200n, 'two');
  g.writeU64(buf, buf + 100n, 3, buf + 200n, 3);
  assert.equal(g.sys(NR.writev, 1, buf, 2), 6n);
  assert.equal(g.stdout.join(''), 'onetwo');
  g.writeU64(buf, buf + 300n, 4, buf + 400n, 4);
  assert.equal(g.sys(NR.readv, 0, buf, 2), 6n, 'the second buffer gets the rest of the chunk');
  assert.equal(Buffer.from(g.read(buf + 300n, 4)).toString(), 'abcd');
  assert.equal(Buffer.from(g.read(buf + 400n, 2)).toString(), 'ef');
  assert.equal(g.sys(NR.read, 0, buf, 100), 2n);
  assert.equal(g.sys(NR.read, 0, buf, 100), 0n);
  assert.equal(g.sys(NR.writev, 1, buf, 2000), E(L.EINVAL), 'iovcnt > IOV_MAX');
});

test('virtual devices and fds: /dev/null, /dev/zero, /dev/urandom, dup, fcntl, close', () => {
  const g = new SyscallGuest({ seed: 3 });
  const buf = scratch(g);
  g.cstr(buf, '/dev/zero');
  const fd = g.sys(NR.openat, L.AT_FDCWD, buf, L.O_RDONLY);
  assert.equal(fd, 3n);
  g.write(buf + 100n, [1, 2, 3, 4]);
  assert.equal(g.sys(NR.read, fd, buf + 100n, 4), 4n);
  assert.deepEqual([...g.read(buf + 100n, 4)], [0, 0, 0, 0]);
  g.cstr(buf, '/dev/urandom');
  const r = g.sys(NR.openat, L.AT_FDCWD, buf, L.O_RDONLY);
  assert.equal(r, 4n);
  assert.equal(g.sys(NR.read, r, buf + 200n, 16), 16n);
  assert.notDeepEqual([...g.read(buf + 200n, 16)], new Array(16).fill(0));
  const d = g.sys(NR.dup, 1);
  assert.equal(d, 5n);
  g.cstr(buf, 'via dup');
  assert.equal(g.sys(NR.write, d, buf, 7), 7n);
  assert.equal(g.stdout.join(''), 'via dup');
  assert.equal(g.sys(NR.dup3, 1, 1, 0), E(L.EINVAL));
  assert.equal(g.sys(NR.dup3, 1, 9, L.O_CLOEXEC), 9n);
  assert.equal(g.sys(NR.fcntl, 9, L.F_GETFD), 1n);
  assert.equal(g.sys(NR.fcntl, 1, L.F_DUPFD, 20), 20n);
  assert.equal(g.sys(NR.close, 20), 0n);
  assert.equal(g.sys(NR.close, 20), E(L.EBADF));
  g.cstr(buf, '/etc/passwd');
  assert.equal(g.sys(NR.openat, L.AT_FDCWD, buf, L.O_RDONLY), E(L.ENOENT), 'no host files without a host view');
});

test('host files: read-only view below the allowed root, EACCES outside, EROFS for writes', () => {
  const root = tmpDir();
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'sub', 'data.txt'), 'file contents\n');
  symlinkSync('/etc/hostname', join(root, 'escape'));
  const g = new SyscallGuest({ hostFs: new NodeHostFs([root]), cwd: root });
  const buf = scratch(g);
  g.cstr(buf, 'sub/data.txt');
  const fd = g.sys(NR.openat, L.AT_FDCWD, buf, L.O_RDONLY);
  assert.equal(fd, 3n);
  assert.equal(g.sys(NR.read, fd, buf + 1000n, 100), 14n);
  assert.equal(Buffer.from(g.read(buf + 1000n, 14)).toString(), 'file contents\n');
  assert.equal(g.sys(NR.lseek, fd, 5, L.SEEK_SET), 5n);
  assert.equal(g.sys(NR.read, fd, buf + 1000n, 100), 9n);
  assert.equal(g.sys(NR.lseek, fd, -1, L.SEEK_SET), E(L.EINVAL));
  assert.equal(g.sys(NR.pread64, fd, buf + 1000n, 4, 0), 4n);
  assert.equal(g.sys(NR.fstat, fd, buf + 2000n), 0n);
  assert.equal(g.u32(buf + 2000n + 16n) & L.S_IFMT, L.S_IFREG);
  assert.equal(g.u64(buf + 2000n + 48n), 14n, 'st_size');
  assert.equal(g.sys(NR.openat, L.AT_FDCWD, buf, L.O_RDWR), E(L.EROFS));
  g.cstr(buf, 'new-file');
  assert.equal(g.sys(NR.openat, L.AT_FDCWD, buf, L.O_WRONLY | L.O_CREAT), E(L.EROFS));
  g.cstr(buf, '/etc/hostname');
  assert.equal(g.sys(NR.openat, L.AT_FDCWD, buf, L.O_RDONLY), E(L.EACCES));
  g.cstr(buf, 'escape');
  assert.equal(g.sys(NR.openat, L.AT_FDCWD, buf, L.O_RDONLY), E(L.EACCES), 'a symlink out of the root is outside');
  g.cstr(buf, 'sub');
  const dfd = g.sys(NR.openat, L.AT_FDCWD, buf, L.O_RDONLY | L.O_DIRECTORY);
  assert.ok(dfd > 0n);
  const n = g.sys(NR.getdents64, dfd, buf + 3000n, 1000);
  assert.ok(n > 0n);
  const names: string[] = [];
  for (let o = 0; o < Number(n);) {
    const rec = g.read(buf + 3000n + BigInt(o), 19 + 64);
    const reclen = rec[16] | (rec[17] << 8);
    names.push(Buffer.from(rec.subarray(19, rec.indexOf(0, 19))).toString());
    o += reclen;
  }
  assert.deepEqual(names.sort(), ['.', '..', 'data.txt']);
  g.cstr(buf, 'sub/data.txt');
  assert.equal(g.sys(NR.newfstatat, L.AT_FDCWD, buf, buf + 2000n, 0), 0n);
  assert.equal(g.sys(NR.faccessat, L.AT_FDCWD, buf, 4), 0n);
  assert.equal(g.sys(NR.faccessat, L.AT_FDCWD, buf, 2), E(L.EROFS));
  g.cstr(buf, 'data.txt');
  assert.equal(g.sys(NR.openat, dfd, buf, L.O_RDONLY), 5n, 'relative to a directory fd');
});

test('stdio: fstat reports the host kind; TCGETS is ENOTTY on a pipe, works on a tty', () => {
  const g = new SyscallGuest({ stdio: ['tty', 'pipe', 'file'] });
  const buf = scratch(g);
  assert.equal(g.sys(NR.fstat, 1, buf), 0n);
  assert.equal(g.u32(buf + 16n) & L.S_IFMT, L.S_IFIFO);
  assert.equal(g.sys(NR.fstat, 0, buf), 0n);
  assert.equal(g.u32(buf + 16n) & L.S_IFMT, L.S_IFCHR);
  assert.equal(g.sys(NR.ioctl, 1, L.TCGETS, buf), E(L.ENOTTY));
  assert.equal(g.sys(NR.ioctl, 0, L.TCGETS, buf), 0n);
  assert.equal(g.sys(NR.ioctl, 0, L.TIOCGWINSZ, buf), 0n);
  assert.equal(g.sys(NR.ioctl, 9, L.TCGETS, buf), E(L.EBADF));
  assert.equal(g.sys(NR.lseek, 1, 0, L.SEEK_CUR), E(L.ESPIPE));
});

test('identity and misc: pids, uids, set_tid_address, robust list, rseq, affinity, uname, getcwd, readlink', () => {
  const g = new SyscallGuest({ pid: 4242, uid: 7, cwd: '/home/u' });
  const buf = scratch(g);
  assert.equal(g.sys(NR.getpid), 4242n);
  assert.equal(g.sys(NR.gettid), 4242n);
  assert.equal(g.sys(NR.getppid), 1n);
  assert.equal(g.sys(NR.getuid), 7n);
  assert.equal(g.sys(NR.set_tid_address, buf), 4242n);
  assert.equal(g.sys(NR.set_robust_list, buf, 24), 0n);
  assert.equal(g.sys(NR.set_robust_list, buf, 23), E(L.EINVAL));
  assert.equal(g.sys(NR.rseq, buf, 32, 0, 0xd428bc00), E(L.ENOSYS));
  assert.equal(g.sys(NR.sched_getaffinity, 0, 128, buf), 8n);
  assert.equal(g.read(buf, 1)[0], 1);
  assert.equal(g.sys(NR.sched_getaffinity, 0, 3, buf), E(L.EINVAL));
  assert.equal(g.sys(NR.uname, buf), 0n);
  const field = (i: number) => { const b = g.read(buf + BigInt(65 * i), 65); return Buffer.from(b.subarray(0, b.indexOf(0))).toString(); };
  assert.equal(field(0), 'Linux');
  assert.equal(field(4), 'aarch64');
  assert.equal(g.sys(NR.getcwd, buf, 100), 8n);
  assert.equal(Buffer.from(g.read(buf, 8)).toString(), '/home/u\0');
  assert.equal(g.sys(NR.getcwd, buf, 5), E(L.ERANGE));
  g.cstr(buf, '/proc/self/exe');
  assert.equal(g.sys(78, L.AT_FDCWD, buf, buf + 100n, 100), BigInt('/test/guest'.length));
  assert.equal(Buffer.from(g.read(buf + 100n, 11)).toString(), '/test/guest');
  assert.equal(g.sys(78, L.AT_FDCWD, buf, buf + 100n, 0), E(L.EINVAL));
  assert.equal(g.sys(NR.prlimit64, 0, L.RLIMIT_STACK, 0, buf), 0n);
  assert.equal(g.u64(buf), 8n << 20n);
  assert.equal(g.sys(NR.prlimit64, 0, 99, 0, buf), E(L.EINVAL));
});

test('unsupported system calls return -ENOSYS and are reported', () => {
  const g = new SyscallGuest();
  const seen: string[] = [];
  g.proc.on('unsupportedSyscall', e => seen.push(`${e.name}#${e.nr}`));
  assert.equal(g.sys(220), E(L.ENOSYS)); // clone
  assert.equal(g.sys(999), E(L.ENOSYS));
  assert.deepEqual(seen, ['clone#220', 'syscall_999#999']);
});

test('getrandom is deterministic per seed and validates flags', () => {
  const bytes = (seed: number) => { const g = new SyscallGuest({ seed }); const b = scratch(g); assert.equal(g.sys(NR.getrandom, b, 32, 0), 32n); return [...g.read(b, 32)]; };
  assert.deepEqual(bytes(9), bytes(9));
  assert.notDeepEqual(bytes(9), bytes(10));
  const g = new SyscallGuest();
  const b = scratch(g);
  assert.equal(g.sys(NR.getrandom, b, 8, 0x100), E(L.EINVAL));
  assert.equal(g.sys(NR.getrandom, b, 8, L.GRND_INSECURE | L.GRND_RANDOM), E(L.EINVAL));
  assert.equal(g.sys(NR.getrandom, 0x10, 8, 0), E(L.EFAULT));
});

test('virtual clock: derived from the instruction count, advanced by nanosleep, EINVAL for bad input', () => {
  const g = new SyscallGuest();
  const b = scratch(g);
  assert.equal(g.sys(NR.clock_gettime, L.CLOCK_MONOTONIC, b), 0n);
  const t0 = g.u64(b) * 1_000_000_000n + g.u64(b + 8n);
  g.proc.cpu.pc = g.loop;
  g.proc.run(1000);
  assert.equal(g.sys(NR.clock_gettime, L.CLOCK_MONOTONIC, b), 0n);
  const t1 = g.u64(b) * 1_000_000_000n + g.u64(b + 8n);
  assert.equal(t1 - t0, 1001n, '1 ns per instruction (the loop and the svc)');
  g.writeU64(b + 64n, 2, 500);
  assert.equal(g.sys(NR.nanosleep, b + 64n, 0), 0n);
  assert.equal(g.sys(NR.clock_gettime, L.CLOCK_MONOTONIC, b), 0n);
  const t2 = g.u64(b) * 1_000_000_000n + g.u64(b + 8n);
  assert.equal(t2 - t1, 2_000_000_500n + 2n);
  g.writeU64(b + 64n, 0, 1_000_000_000);
  assert.equal(g.sys(NR.nanosleep, b + 64n, 0), E(L.EINVAL));
  assert.equal(g.sys(NR.clock_gettime, 42, b), E(L.EINVAL));
  assert.equal(g.sys(NR.clock_gettime, L.CLOCK_REALTIME, b), 0n);
  assert.ok(g.u64(b) >= 1_735_689_600n);
  assert.equal(g.sys(NR.gettimeofday, b, 0), 0n);
  assert.ok(g.u64(b + 8n) < 1_000_000n);
});

test('brk: grows and shrinks the [heap], ignores values below the start and tagged values', () => {
  const g = new SyscallGuest();
  const start = g.sys(NR.brk, 0);
  assert.equal(start, BigInt(g.proc.brkStart));
  assert.equal(g.sys(NR.brk, start + 0x2100n), start + 0x2100n);
  const heap = g.proc.mm.find(Number(start))!;
  assert.equal(heap.kind, 'heap');
  assert.equal(heap.end, Number(start) + 0x3000);
  assert.ok(heap.mteAllowed);
  g.write(start + 0x2000n, [7]);
  assert.equal(g.sys(NR.brk, start + 0x10n), start + 0x10n);
  assert.equal(g.proc.mm.find(Number(start) + 0x2000), undefined);
  assert.equal(g.sys(NR.brk, start - 4096n), start + 0x10n, 'below the start: unchanged');
  assert.equal(g.sys(NR.brk, (start + 0x5000n) | (3n << 56n)), start + 0x10n, 'tagged: unchanged');
  assert.equal(g.sys(NR.brk, start + 0x5000n), start + 0x5000n);
  assert.deepEqual([...g.read(start + 0x2000n, 1)], [0], 'regrown memory is zero');
});

test('futex: WAIT with another value is EAGAIN, WAKE wakes nobody, a WAIT nobody can end blocks', () => {
  const g = new SyscallGuest();
  const b = scratch(g);
  g.write(b, [5, 0, 0, 0]);
  assert.equal(g.sys(NR.futex, b, L.FUTEX_WAIT | L.FUTEX_PRIVATE_FLAG, 4, 0), E(L.EAGAIN));
  assert.equal(g.sys(NR.futex, b, L.FUTEX_WAKE, 1), 0n);
  assert.equal(g.sys(NR.futex, b + 1n, L.FUTEX_WAIT, 5, 0), E(L.EINVAL));
  g.writeU64(b + 64n, 0, 1000);
  assert.equal(g.sys(NR.futex, b, L.FUTEX_WAIT, 5, b + 64n), E(L.ETIMEDOUT));
  const c = g.proc.cpu;
  c.x[8] = BigInt(NR.futex); c.x[0] = b; c.x[1] = BigInt(L.FUTEX_WAIT); c.x[2] = 5n; c.x[3] = 0n;
  c.pc = g.svc;
  assert.deepEqual(g.proc.run(10), { reason: 'blocked', syscall: 'futex' });
  assert.equal(c.pc, g.svc, 'pc stays at the svc');
});

test('exit_group ends the process with the low 8 bits of the status', () => {
  const g = new SyscallGuest();
  let ev: unknown;
  g.proc.on('exit', e => { ev = e; });
  g.sys(NR.exit_group, 0x1234);
  assert.deepEqual(g.proc.exited, { code: 0x34, signal: null, core: false });
  assert.deepEqual(ev, g.proc.exited);
  assert.deepEqual(g.proc.run(), { reason: 'exit', status: { code: 0x34, signal: null, core: false } });
});

test('events: syscall records carry number, name, arguments and result', () => {
  const g = new SyscallGuest();
  const seen: string[] = [];
  g.proc.on('syscall', e => seen.push(`${e.name}#${e.nr}(${e.args.slice(0, 3).join(',')})=${BigInt.asIntN(64, e.result)}@${e.pc === g.svc}`));
  g.sys(NR.getpid);
  g.sys(NR.write, 99, 0, 0);
  assert.deepEqual(seen, ['getpid#172(0,0,0)=1000@true', `write#64(99,0,0)=${-L.EBADF}@true`]);
});

test('a relative program path: /proc/self/exe reads as the absolute path (resolved against the working directory), argv[0] as given', () => {
  const g = new SyscallGuest({ path: 'bin/../tools/./guest', cwd: '/home/u', argv: ['bin/../tools/./guest'] });
  const buf = scratch(g);
  g.cstr(buf, '/proc/self/exe');
  assert.equal(g.sys(78, L.AT_FDCWD, buf, buf + 100n, 100), BigInt('/home/u/tools/guest'.length));
  assert.equal(Buffer.from(g.read(buf + 100n, 19)).toString(), '/home/u/tools/guest');
  assert.equal(g.proc.argv[0], 'bin/../tools/./guest');
  assert.equal(absolutePath('/a/b', '../../../c//d/.'), '/c/d');
  assert.equal(absolutePath('/', 'x'), '/x');
});
