// Tracing for `tagvisor run --trace` (human readable, stderr) and `--trace-json FILE` (one JSON object
// per executed instruction: {"pc","x"[31],"sp","nzcv"} with registers *after* the instruction; the
// contract is test/diff/README.md's).
import { closeSync, openSync, writeSync } from 'node:fs';
import { SP } from '../cpu/state';
import type { LinuxProcess } from '../linux';
import * as L from '../linux/constants';
import { insnLine, Symbolizer } from './listing';

const h = (v: bigint | number) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 9: 'EBADF', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES',
  14: 'EFAULT', 17: 'EEXIST', 19: 'ENODEV', 20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 25: 'ENOTTY', 29: 'ESPIPE',
  30: 'EROFS', 34: 'ERANGE', 36: 'ENAMETOOLONG', 38: 'ENOSYS', 95: 'EOPNOTSUPP', 110: 'ETIMEDOUT',
};

export function formatResult(r: bigint): string {
  const s = BigInt.asIntN(64, r);
  if (s < 0n && s >= -4095n) return `-${ERRNO_NAMES[Number(-s)] ?? Number(-s)}`;
  return s >= 0n && s < 1_000_000n ? s.toString() : h(r);
}

/** How many arguments to show for common system calls (others: 6). */
const ARGC: Record<string, number> = {
  read: 3, write: 3, readv: 3, writev: 3, openat: 4, close: 1, exit: 1, exit_group: 1, mmap: 6, munmap: 2,
  mprotect: 3, brk: 1, prctl: 5, rt_sigaction: 4, rt_sigprocmask: 4, rt_sigreturn: 0, getpid: 0, gettid: 0,
  set_tid_address: 1, set_robust_list: 2, rseq: 4, prlimit64: 4, getrandom: 3, uname: 1, clock_gettime: 2,
  newfstatat: 4, fstat: 2, ioctl: 3, lseek: 3, madvise: 3, mremap: 5, futex: 6, kill: 2, tgkill: 3, tkill: 2,
  sigaltstack: 2, nanosleep: 2, getuid: 0, geteuid: 0, getgid: 0, getegid: 0, getppid: 0, sched_yield: 0,
};

/** Attaches stderr printers for syscalls, unsupported syscalls and signals (used by --trace). */
export function traceEvents(proc: LinuxProcess, out: (line: string) => void): void {
  proc.on('syscall', e => {
    const n = ARGC[e.name] ?? 6;
    out(`        syscall ${e.name}(${e.args.slice(0, n).map(h).join(', ')}) = ${formatResult(e.result)}`);
  });
  proc.on('unsupportedSyscall', e => out(`        unsupported syscall ${e.name} (#${e.nr}) at pc ${h(e.pc)}: returns -ENOSYS`));
  proc.on('signal', e => {
    const what = e.action === 'handler' ? `handler ${h(e.handler ?? 0n)}` : e.action;
    out(`        signal ${e.signo} (${L.signalName(e.signo)}), code ${e.code} (${L.siCodeName(e.signo, e.code)})${e.addr !== undefined && e.code > 0 ? `, addr ${h(e.addr)}` : ''}: ${what}`);
  });
  proc.on('tagMismatch', m => out(`        async tag mismatch: ${m.size}-byte ${m.write ? 'write' : 'read'} at ${h(m.faultVa)}, logical tag ${h(m.logicalTag)}, allocation tag ${h(m.allocationTag)} (TFSRE0_EL1.TF0 set)`));
}

export class Tracer {
  private jsonFd = -1;
  private buf: string[] = [];
  private bufLen = 0;
  private prev = new BigUint64Array(34);
  private prevFlags = 0;
  private prevV = new BigUint64Array(64);

  private readonly syms: Symbolizer;

  constructor(private proc: LinuxProcess, readonly text: ((line: string) => void) | null, jsonPath: string | null) {
    this.syms = new Symbolizer(proc.elf);
    if (jsonPath) this.jsonFd = openSync(jsonPath, 'w');
    this.prev.set(proc.cpu.x);
    this.prevFlags = proc.cpu.nzcv;
    this.prevV.set(proc.cpu.v);
  }

  /**
   * Follows the guest into another process of the same program (a live migration's destination):
   * the registers it arrives with are the ones it left with, so nothing shows as changed.
   */
  follow(proc: LinuxProcess): void {
    if (proc === this.proc) return;
    this.proc = proc;
    this.resync();
  }

  /** Called before an instruction executes (so the text trace shows it even when it faults). */
  before(pc: number): void {
    if (!this.text) return;
    const w = this.proc.peekWord(pc);
    const bias = this.proc.image.loadBias;
    const l = this.syms.labelAt(pc - bias);
    const label = l ? `<${l}>` : '';
    const t = w === undefined ? '(unmapped)' : insnLine(w, pc, a => this.syms.label(a - bias));
    this.pending = `${pc.toString(16).padStart(12, '0')}  ${w === undefined ? '????????' : w.toString(16).padStart(8, '0')}  ${t}${label ? '  ' + label : ''}`;
    this.text(this.pending);
  }
  private pending = '';

  /** Called after a step that retired the instruction at pc. */
  after(pc: number): void {
    const c = this.proc.cpu;
    if (this.text) {
      const ch: string[] = [];
      for (let i = 0; i < 31; i++) if (c.x[i] !== this.prev[i]) ch.push(`x${i}=${h(c.x[i])}`);
      if (c.x[SP] !== this.prev[SP]) ch.push(`sp=${h(c.x[SP])}`);
      const f = c.nzcv;
      if (f !== this.prevFlags) ch.push(`nzcv=${['N', 'Z', 'C', 'V'].map((n, i) => ((f >>> (31 - i)) & 1 ? n : '-')).join('')}`);
      for (let i = 0; i < 32; i++) {
        if (c.v[2 * i] !== this.prevV[2 * i] || c.v[2 * i + 1] !== this.prevV[2 * i + 1]) {
          ch.push(`q${i}=0x${c.v[2 * i + 1].toString(16).padStart(16, '0')}${c.v[2 * i].toString(16).padStart(16, '0')}`);
        }
      }
      if (ch.length) this.text(`${' '.repeat(24)}${ch.join(' ')}`);
    }
    if (this.jsonFd >= 0) {
      const x: string[] = [];
      for (let i = 0; i < 31; i++) x.push(h(c.x[i]));
      this.write(`{"pc":"${h(pc)}","x":[${x.map(v => `"${v}"`).join(',')}],"sp":"${h(c.x[SP])}","nzcv":${c.nzcv >>> 28}}\n`);
    }
    this.prev.set(c.x);
    this.prevFlags = c.nzcv;
    this.prevV.set(c.v);
  }

  /** Re-syncs the "previous" registers after a non-retiring step (signal delivery). */
  resync(): void {
    const c = this.proc.cpu;
    this.prev.set(c.x); this.prevFlags = c.nzcv; this.prevV.set(c.v);
  }

  private write(s: string): void {
    this.buf.push(s);
    this.bufLen += s.length;
    if (this.bufLen > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.jsonFd >= 0 && this.buf.length) { writeSync(this.jsonFd, this.buf.join('')); }
    this.buf = [];
    this.bufLen = 0;
  }

  close(): void {
    this.flush();
    if (this.jsonFd >= 0) { closeSync(this.jsonFd); this.jsonFd = -1; }
  }
}
