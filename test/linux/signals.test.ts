// Signals: sigaction/sigprocmask/sigaltstack, frame contents (checked with the offsets the C headers
// confirm in sigframe.test.ts), rt_sigreturn, default actions, and the faults the CPU raises:
// SEGV_MAPERR/ACCERR, SIGBUS, SIGILL, SIGTRAP and MTE's SEGV_MTESERR / SEGV_MTEAERR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SP } from '../../emulator/cpu/state';
import * as L from '../../emulator/linux/constants';
import { ESR_MAGIC, F, FPSIMD_MAGIC, FPSIMD_SIZE, FRAME, SC, SI, UC } from '../../emulator/linux/sigframe';
import { SyscallGuest } from './helpers';

const NR = { kill: 129, tkill: 130, tgkill: 131, sigaltstack: 132, rt_sigaction: 134, rt_sigprocmask: 135, rt_sigpending: 136, rt_sigreturn: 139, getpid: 172, prctl: 167, mmap: 222, rt_sigsuspend: 133 };
const E = (n: number) => BigInt(-n);
const bit = (s: number) => 1n << BigInt(s - 1);

const FAULTS = `
fault_ld:
  ldr x0, [x1]
  b loop
fault_st:
  str x0, [x1]
  b loop
fault_ldb:
  ldrb w0, [x1]
  b loop
fault_udf:
  .inst 0x00000042
  b loop
fault_brk:
  .inst 0xd4207d00
  b loop
fault_ldp:
  ldr x0, [x1, #8]
  b loop
`;

class Sig extends SyscallGuest {
  readonly buf: bigint;
  readonly restorer: bigint;
  constructor(opts = {}) {
    super(opts, FAULTS);
    this.buf = this.mmapAnon(16 * 4096);
    this.restorer = BigInt(this.loop);
  }
  label(name: string): number { return this.proc.elf.symbol(name)!.value; }
  /** rt_sigaction(sig, {handler, flags, restorer, mask}) */
  action(sig: number, handler: bigint | number, flags: number, mask = 0n, restorer?: bigint): bigint {
    const a = this.buf + 0x100n;
    this.writeU64(a, handler, flags, restorer ?? this.restorer, mask);
    return this.sys(NR.rt_sigaction, sig, a, 0, 8);
  }
  /** Runs the instruction at label with x1 = addr; returns nothing (look at the process). */
  fault(labelName: string, addr: bigint, x0 = 0n): void {
    const c = this.cpu;
    c.x[1] = addr;
    c.x[0] = x0;
    c.pc = this.label(labelName);
    this.proc.step();
  }
  frame(): bigint { return this.cpu.x[SP]; }
  mc(off: number): bigint { return this.u64(this.frame() + BigInt(F.mcontext + off)); }
}

test('SA_SIGINFO handler: registers at entry and the rt_sigframe contents', () => {
  const g = new Sig();
  const c = g.cpu;
  assert.equal(g.action(L.SIGUSR1, g.handler, L.SA_SIGINFO | L.SA_RESTORER, bit(L.SIGUSR2)), 0n);
  c.x[29] = 0x1111n; c.x[30] = 0x2222n; c.x[19] = 0x1919n;
  c.nzcv = 0x6000_0000;
  const sp0 = c.x[SP];
  const svc = g.svc;
  g.sys(NR.kill, 1000, L.SIGUSR1);
  assert.equal(c.pc, g.handler);
  assert.equal(c.x[0], BigInt(L.SIGUSR1));
  const frame = g.frame();
  assert.equal(frame % 16n, 0n);
  assert.equal(c.x[1], frame + BigInt(FRAME.info));
  assert.equal(c.x[2], frame + BigInt(FRAME.uc));
  assert.equal(c.x[30], g.restorer, 'x30 = sa_restorer');
  // The frame record sits just above the frame: fp and lr of the interrupted code.
  const rec = c.x[29];
  assert.equal(rec, (sp0 - 16n) & ~15n);
  assert.equal(frame, rec - BigInt(FRAME.size));
  assert.equal(g.u64(rec), 0x1111n);
  assert.equal(g.u64(rec + 8n), 0x2222n);
  // siginfo
  assert.equal(g.i32(frame + BigInt(SI.signo)), L.SIGUSR1);
  assert.equal(g.i32(frame + BigInt(SI.code)), L.SI_USER);
  assert.equal(g.i32(frame + BigInt(SI.pid)), 1000);
  assert.equal(g.i32(frame + BigInt(SI.uid)), 1000);
  // ucontext
  const uc = frame + BigInt(FRAME.uc);
  assert.equal(g.u64(uc + BigInt(UC.flags)), 0n);
  assert.equal(g.u64(uc + BigInt(UC.link)), 0n);
  assert.equal(g.i32(uc + BigInt(UC.stackFlags)), L.SS_DISABLE);
  assert.equal(g.u64(uc + BigInt(UC.sigmask)), 0n, 'the mask before delivery');
  assert.equal(g.mc(SC.regs + 19 * 8), 0x1919n);
  assert.equal(g.mc(SC.regs + 0), 0n, 'x0 holds the syscall result');
  assert.equal(g.mc(SC.regs + 8 * 8), BigInt(NR.kill));
  assert.equal(g.mc(SC.regs + 29 * 8), 0x1111n);
  assert.equal(g.mc(SC.sp), sp0);
  assert.equal(g.mc(SC.pc), BigInt(svc + 4), 'resume after the svc');
  assert.equal(g.mc(SC.pstate), 0x6000_0000n, 'NZCV, EL0t');
  assert.equal(g.mc(SC.faultAddress), 0n);
  const res = frame + BigInt(F.reserved);
  assert.equal(g.u32(res), FPSIMD_MAGIC);
  assert.equal(g.u32(res + 4n), FPSIMD_SIZE);
  assert.equal(g.u32(res + BigInt(FPSIMD_SIZE)), 0, 'terminator (no esr_context without a fault)');
  assert.equal(g.u32(res + BigInt(FPSIMD_SIZE) + 4n), 0);
  assert.equal(g.proc.blocked, bit(L.SIGUSR1) | bit(L.SIGUSR2), 'sa_mask plus the signal itself');
});

test('rt_sigreturn restores registers, flags, TCO, FP state and the mask; handlers may edit the context', () => {
  const g = new Sig();
  const c = g.cpu;
  g.action(L.SIGUSR1, g.handler, L.SA_SIGINFO | L.SA_RESTORER);
  c.x[19] = 0xabcn;
  c.v[2] = 0x1234n;
  c.fpcr = 0x0300_0000;
  c.tco = 1;
  const sp0 = c.x[SP];
  g.sys(NR.kill, 1000, L.SIGUSR1);
  assert.equal(c.tco, 0, 'handlers run with PSTATE.TCO clear');
  const frame = g.frame();
  assert.equal(g.mc(SC.pstate) & BigInt(1 << 25), BigInt(1 << 25), 'saved pstate has TCO');
  c.x[19] = 0n; c.v[2] = 0n; c.fpcr = 0;
  // The handler changes the saved x20 and pc.
  g.writeU64(frame + BigInt(F.mcontext + SC.regs + 20 * 8), 0x2020n);
  g.writeU64(frame + BigInt(F.mcontext + SC.pc), g.loop);
  g.sys(NR.rt_sigreturn);
  assert.equal(c.x[19], 0xabcn);
  assert.equal(c.x[20], 0x2020n);
  assert.equal(c.x[0], 0n, 'x0 from the frame, not a syscall result');
  assert.equal(c.pc, g.loop);
  assert.equal(c.v[2], 0x1234n);
  assert.equal(c.fpcr, 0x0300_0000);
  assert.equal(c.tco, 1, 'sigreturn restores TCO');
  assert.equal(g.proc.blocked, 0n);
  assert.equal(c.x[SP], sp0, 'sp restored');
});

test('rt_sigreturn with a bad frame: SIGSEGV', () => {
  const g = new Sig();
  g.action(L.SIGUSR1, g.handler, L.SA_SIGINFO | L.SA_RESTORER);
  g.sys(NR.kill, 1000, L.SIGUSR1);
  const frame = g.frame();
  g.writeU64(frame + BigInt(F.mcontext + SC.pstate), 0x5); // EL1h: not a user mode
  g.sys(NR.rt_sigreturn);
  assert.equal(g.proc.exited?.signal, L.SIGSEGV);
  const h = new Sig();
  h.action(L.SIGUSR1, h.handler, L.SA_SIGINFO | L.SA_RESTORER);
  h.sys(NR.kill, 1000, L.SIGUSR1);
  h.write(h.frame() + BigInt(F.reserved), [0, 0, 0, 0, 0, 0, 0, 0]); // no fpsimd_context
  h.sys(NR.rt_sigreturn);
  assert.equal(h.proc.exited?.signal, L.SIGSEGV);
});

test('without SA_RESTORER the handler returns through the [vdso] trampoline (mov x8, #139; svc #0)', () => {
  const g = new Sig();
  g.action(L.SIGUSR2, g.handler, 0);
  g.sys(NR.kill, 1000, L.SIGUSR2);
  assert.equal(g.cpu.x[30], BigInt(g.proc.sigtramp));
  g.cpu.pc = Number(g.cpu.x[30]);
  g.proc.step();
  g.proc.step();
  assert.equal(g.cpu.pc, g.svc + 4, 'back after the kill');
});

test('sigaction: old action, flag filtering (SA_UNSUPPORTED probe), EINVAL cases', () => {
  const g = new Sig();
  assert.equal(g.action(L.SIGINT, 0x400000, L.SA_SIGINFO | L.SA_UNSUPPORTED | L.SA_EXPOSE_TAGBITS | 0x100), 0n);
  const o = g.buf + 0x200n;
  assert.equal(g.sys(NR.rt_sigaction, L.SIGINT, 0, o, 8), 0n);
  assert.equal(g.u64(o), 0x400000n);
  assert.equal(g.u64(o + 8n), BigInt(L.SA_SIGINFO | L.SA_EXPOSE_TAGBITS), 'unknown flags and SA_UNSUPPORTED read back as 0');
  assert.equal(g.action(L.SIGKILL, 1, 0), E(L.EINVAL));
  assert.equal(g.action(L.SIGSTOP, 1, 0), E(L.EINVAL));
  assert.equal(g.sys(NR.rt_sigaction, L.SIGKILL, 0, o, 8), 0n, 'reading SIGKILL is fine');
  assert.equal(g.action(0, 1, 0), E(L.EINVAL));
  assert.equal(g.action(65, 1, 0), E(L.EINVAL));
  assert.equal(g.sys(NR.rt_sigaction, L.SIGINT, 0, o, 4), E(L.EINVAL), 'sigsetsize');
  assert.equal(g.sys(NR.rt_sigaction, L.SIGINT, 0x10, 0, 8), E(L.EFAULT));
});

test('blocked signals stay pending until unblocked; sigpending; SIGKILL cannot be blocked', () => {
  const g = new Sig();
  const c = g.cpu;
  g.action(L.SIGUSR1, g.handler, L.SA_SIGINFO | L.SA_RESTORER);
  g.writeU64(g.buf, bit(L.SIGUSR1) | bit(L.SIGKILL));
  assert.equal(g.sys(NR.rt_sigprocmask, L.SIG_BLOCK, g.buf, g.buf + 8n, 8), 0n);
  assert.equal(g.proc.blocked, bit(L.SIGUSR1), 'SIGKILL silently dropped from the mask');
  g.sys(NR.tkill, 1000, L.SIGUSR1);
  assert.equal(c.pc, g.svc + 4, 'not delivered');
  assert.equal(g.sys(NR.rt_sigpending, g.buf + 16n, 8), 0n);
  assert.equal(g.u64(g.buf + 16n), bit(L.SIGUSR1));
  g.sys(NR.tkill, 1000, L.SIGUSR1);
  g.sys(NR.rt_sigprocmask, L.SIG_UNBLOCK, g.buf, 0, 8);
  assert.equal(c.pc, g.handler, 'delivered on return from the unblocking syscall');
  assert.equal(g.mc(SC.regs), 0n, 'the interrupted syscall returned 0');
  assert.equal(g.i32(g.frame() + BigInt(SI.code)), L.SI_TKILL);
  g.sys(NR.rt_sigreturn);
  assert.equal(c.pc, g.svc + 4, 'only one instance of a standard signal was queued');
  assert.equal(g.sys(NR.rt_sigprocmask, 7, g.buf, 0, 8), E(L.EINVAL));
  assert.equal(g.sys(NR.rt_sigprocmask, L.SIG_BLOCK, g.buf, 0, 4), E(L.EINVAL));
});

test('SIG_IGN discards, default ignore for SIGCHLD, default terminate and core actions', () => {
  const g = new Sig();
  g.action(L.SIGUSR1, L.SIG_IGN, 0);
  g.sys(NR.kill, 1000, L.SIGUSR1);
  assert.equal(g.proc.exited === null, true);
  g.sys(NR.kill, 1000, L.SIGCHLD);
  assert.equal(g.proc.exited === null, true);
  g.sys(NR.kill, 1000, L.SIGTERM);
  assert.deepEqual([g.proc.exited?.signal, g.proc.exited?.core], [L.SIGTERM, false]);
  const h = new Sig();
  h.sys(NR.tgkill, 1000, 1000, L.SIGABRT);
  assert.deepEqual([h.proc.exited?.signal, h.proc.exited?.core], [L.SIGABRT, true]);
  assert.equal(h.proc.exited?.info?.code, L.SI_TKILL);
  const k = new Sig();
  assert.equal(k.sys(NR.kill, 1234, 0), E(L.ESRCH));
  assert.equal(k.sys(NR.kill, 1000, 0), 0n, 'signal 0 only checks');
  assert.equal(k.sys(NR.kill, 1000, 99), E(L.EINVAL));
  assert.equal(k.sys(NR.tgkill, 1000, 7, L.SIGUSR1), E(L.ESRCH));
  k.sys(NR.kill, 0, L.SIGKILL);
  assert.deepEqual([k.proc.exited?.signal, k.proc.exited?.core], [L.SIGKILL, false]);
});

test('SA_RESETHAND resets to SIG_DFL; SA_NODEFER leaves the signal unblocked', () => {
  const g = new Sig();
  g.action(L.SIGHUP, g.handler, L.SA_SIGINFO | L.SA_RESETHAND | L.SA_NODEFER | L.SA_RESTORER);
  g.sys(NR.kill, 1000, L.SIGHUP);
  assert.equal(g.cpu.pc, g.handler);
  assert.equal(g.proc.sigaction(L.SIGHUP).handler, 0n);
  assert.equal(g.proc.blocked & bit(L.SIGHUP), 0n);
  g.sys(NR.kill, 1000, L.SIGHUP);
  assert.equal(g.proc.exited?.signal, L.SIGHUP, 'second one takes the default action');
});

test('nested delivery: two pending signals give two frames, the last delivered runs first', () => {
  const g = new Sig();
  g.action(L.SIGUSR1, g.handler, L.SA_SIGINFO | L.SA_RESTORER);
  g.action(L.SIGUSR2, g.handler + 4, L.SA_SIGINFO | L.SA_RESTORER);
  g.writeU64(g.buf, bit(L.SIGUSR1) | bit(L.SIGUSR2));
  g.sys(NR.rt_sigprocmask, L.SIG_BLOCK, g.buf, 0, 8);
  g.sys(NR.kill, 1000, L.SIGUSR2);
  g.sys(NR.kill, 1000, L.SIGUSR1);
  g.sys(NR.rt_sigprocmask, L.SIG_UNBLOCK, g.buf, 0, 8);
  // SIGUSR1 (lower) is delivered first, then SIGUSR2 interrupts its handler before it runs.
  assert.equal(g.cpu.pc, g.handler + 4);
  assert.equal(g.cpu.x[0], BigInt(L.SIGUSR2));
  assert.equal(g.mc(SC.pc), BigInt(g.handler), 'the outer frame is SIGUSR1 handler entry');
  g.sys(NR.rt_sigreturn);
  assert.equal(g.cpu.pc, g.handler);
  assert.equal(g.cpu.x[0], BigInt(L.SIGUSR1));
});

test('sigaltstack: SA_ONSTACK frames go on it, uc_stack records it, EPERM while on it, validation', () => {
  const g = new Sig();
  const alt = g.mmapAnon(0x4000);
  const ss = g.buf + 0x300n;
  g.writeU64(ss, alt, 0, 0x4000);
  assert.equal(g.sys(NR.sigaltstack, ss, 0), 0n);
  g.action(L.SIGUSR1, g.handler, L.SA_SIGINFO | L.SA_ONSTACK | L.SA_RESTORER);
  g.sys(NR.kill, 1000, L.SIGUSR1);
  const frame = g.frame();
  assert.ok(frame > alt && frame < alt + 0x4000n, 'frame on the alternate stack');
  assert.equal(g.cpu.x[29], (alt + 0x4000n - 16n) & ~15n);
  const uc = frame + BigInt(FRAME.uc);
  assert.equal(g.u64(uc + BigInt(UC.stackSp)), alt);
  assert.equal(g.u64(uc + BigInt(UC.stackSize)), 0x4000n);
  assert.equal(g.i32(uc + BigInt(UC.stackFlags)), 0, 'the interrupted code was not on it');
  const o = g.buf + 0x400n;
  assert.equal(g.sys(NR.sigaltstack, 0, o), 0n);
  assert.equal(g.i32(o + 8n), L.SS_ONSTACK);
  assert.equal(g.sys(NR.sigaltstack, ss, 0), E(L.EPERM));
  g.sys(NR.rt_sigreturn);
  g.writeU64(ss, alt, 0, 100);
  assert.equal(g.sys(NR.sigaltstack, ss, 0), E(L.ENOMEM), 'smaller than MINSIGSTKSZ');
  g.writeU64(ss, alt, 7, 0x4000);
  assert.equal(g.sys(NR.sigaltstack, ss, 0), E(L.EINVAL));
  g.writeU64(ss, 0, L.SS_DISABLE, 0);
  assert.equal(g.sys(NR.sigaltstack, ss, o), 0n);
  assert.equal(g.sys(NR.sigaltstack, 0, o), 0n);
  assert.equal(g.i32(o + 8n), L.SS_DISABLE);
});

test('rt_sigsuspend: waits with a temporary mask, the frame records the old one, -EINTR', () => {
  const g = new Sig();
  g.action(L.SIGUSR1, g.handler, L.SA_SIGINFO | L.SA_RESTORER);
  g.writeU64(g.buf, bit(L.SIGUSR1));
  g.sys(NR.rt_sigprocmask, L.SIG_BLOCK, g.buf, 0, 8);
  g.sys(NR.kill, 1000, L.SIGUSR1);
  g.writeU64(g.buf + 8n, 0n);
  g.sys(NR.rt_sigsuspend, g.buf + 8n, 8);
  assert.equal(g.cpu.pc, g.handler);
  assert.equal(g.mc(SC.regs), E(L.EINTR) & ((1n << 64n) - 1n));
  assert.equal(g.u64(g.frame() + BigInt(FRAME.uc + UC.sigmask)), bit(L.SIGUSR1), 'old mask saved');
  g.sys(NR.rt_sigreturn);
  assert.equal(g.proc.blocked, bit(L.SIGUSR1));
  // Nothing pending: a single thread would sleep forever.
  const c = g.cpu;
  c.x[8] = BigInt(NR.rt_sigsuspend); c.x[0] = g.buf + 8n; c.x[1] = 8n; c.pc = g.svc;
  assert.deepEqual(g.proc.run(5), { reason: 'blocked', syscall: 'rt_sigsuspend' });
});

// ---- faults -------------------------------------------------------------------------------------

test('load from unmapped memory: SIGSEGV/SEGV_MAPERR, si_addr, fault_address and esr_context', () => {
  const g = new Sig();
  g.action(L.SIGSEGV, g.handler, L.SA_SIGINFO | L.SA_RESTORER);
  const bad = 0x1234_5678n;
  g.fault('fault_ld', bad);
  assert.equal(g.cpu.pc, g.handler);
  const f = g.frame();
  assert.equal(g.i32(f + BigInt(SI.code)), L.SEGV_MAPERR);
  assert.equal(g.u64(f + BigInt(SI.addr)), bad);
  assert.equal(g.mc(SC.faultAddress), bad);
  assert.equal(g.mc(SC.pc), BigInt(g.label('fault_ld')), 'pc of the faulting load');
  const esr = f + BigInt(F.reserved + FPSIMD_SIZE);
  assert.equal(g.u32(esr), ESR_MAGIC);
  assert.equal(g.u32(esr + 4n), 16);
  const v = g.u64(esr + 8n);
  assert.equal(v >> 26n, 0x24n, 'EC: data abort from EL0');
  assert.equal(v & 0x3fn, 0x07n, 'DFSC: translation fault');
  assert.equal((v >> 6n) & 1n, 0n, 'WnR: read');
});

test('write to a read-only page: SEGV_ACCERR; without a handler the process dies with a core', () => {
  const g = new Sig();
  const ro = g.sys(NR.mmap, 0, 4096, L.PROT_READ, L.MAP_PRIVATE | L.MAP_ANONYMOUS, -1, 0);
  g.action(L.SIGSEGV, g.handler, L.SA_SIGINFO | L.SA_RESTORER);
  g.fault('fault_st', ro + 8n);
  assert.equal(g.i32(g.frame() + BigInt(SI.code)), L.SEGV_ACCERR);
  assert.equal((g.u64(g.frame() + BigInt(F.reserved + FPSIMD_SIZE + 8)) >> 6n) & 1n, 1n, 'WnR: write');
  const h = new Sig();
  h.fault('fault_st', 0n);
  assert.deepEqual([h.proc.exited?.signal, h.proc.exited?.core, h.proc.exited?.info?.code], [L.SIGSEGV, true, L.SEGV_MAPERR]);
  assert.equal(h.proc.exited?.regs?.[32], BigInt(h.label('fault_st')));
});

test('a synchronous fault while SIGSEGV is blocked or ignored kills the process (force_sig)', () => {
  for (const how of ['blocked', 'ignored']) {
    const g = new Sig();
    if (how === 'ignored') g.action(L.SIGSEGV, L.SIG_IGN, 0);
    else { g.writeU64(g.buf, bit(L.SIGSEGV)); g.sys(NR.rt_sigprocmask, L.SIG_BLOCK, g.buf, 0, 8); g.action(L.SIGSEGV, g.handler, L.SA_SIGINFO); }
    g.fault('fault_ld', 0x10n);
    assert.equal(g.proc.exited?.signal, L.SIGSEGV, how);
  }
});

test('undefined instruction: SIGILL/ILL_ILLOPC with si_addr = pc; BRK: SIGTRAP/TRAP_BRKPT', () => {
  const g = new Sig();
  g.action(L.SIGILL, g.handler, L.SA_SIGINFO | L.SA_RESTORER);
  g.fault('fault_udf', 0n);
  assert.equal(g.cpu.pc, g.handler);
  assert.equal(g.i32(g.frame() + BigInt(SI.code)), L.ILL_ILLOPC);
  assert.equal(g.u64(g.frame() + BigInt(SI.addr)), BigInt(g.label('fault_udf')));
  assert.equal(g.mc(SC.faultAddress), 0n);
  const h = new Sig();
  h.fault('fault_brk', 0n);
  assert.deepEqual([h.proc.exited?.signal, h.proc.exited?.info?.code, h.proc.exited?.info?.addr], [L.SIGTRAP, L.TRAP_BRKPT, BigInt(h.label('fault_brk'))]);
  assert.equal(h.proc.exited?.regs?.[32], BigInt(h.label('fault_brk')), 'pc stays at the brk');
});

test('jumping to unmapped memory: SIGSEGV/SEGV_MAPERR at the target (instruction abort)', () => {
  const g = new Sig();
  g.cpu.pc = 0x7000_0000;
  g.proc.step();
  assert.deepEqual([g.proc.exited?.signal, g.proc.exited?.info?.code, g.proc.exited?.info?.addr], [L.SIGSEGV, L.SEGV_MAPERR, 0x7000_0000n]);
  assert.equal(g.proc.exited?.info?.fault?.exec, true);
});

function mteGuest(mode: number, expose: boolean) {
  const g = new Sig();
  assert.equal(g.sys(NR.prctl, L.PR_SET_TAGGED_ADDR_CTRL, L.PR_TAGGED_ADDR_ENABLE | mode | (0xfffe << 3), 0, 0, 0), 0n);
  const m = g.sys(NR.mmap, 0, 4096, 3 | L.PROT_MTE, L.MAP_PRIVATE | L.MAP_ANONYMOUS, -1, 0);
  g.write(m, [0]);
  // Granules 0 and 1 get tag 3 (what STG would do).
  const page = g.proc.phys.resolve(g.proc.space.get(Number(m) / 4096)!.gpn, true, 0).page;
  page.setTag(0, 3); page.setTag(1, 3);
  g.action(L.SIGSEGV, g.handler, L.SA_SIGINFO | L.SA_RESTORER | (expose ? L.SA_EXPOSE_TAGBITS : 0));
  return { g, m };
}

test('sync tag check fault: SEGV_MTESERR, si_addr untagged unless SA_EXPOSE_TAGBITS, access not performed', () => {
  for (const expose of [false, true]) {
    const { g, m } = mteGuest(L.PR_MTE_TCF_SYNC, expose);
    const p = m | (5n << 56n) | (0xan << 60n);
    g.fault('fault_st', p + 16n, 0x77n);
    assert.equal(g.cpu.pc, g.handler);
    const f = g.frame();
    assert.equal(g.i32(f + BigInt(SI.code)), L.SEGV_MTESERR);
    assert.equal(g.u64(f + BigInt(SI.addr)), expose ? (m + 16n) | (5n << 56n) : m + 16n, `expose=${expose}: bits 59:56 only when exposed, 63:60 never`);
    assert.equal(g.mc(SC.faultAddress), m + 16n, 'fault_address never carries tag bits');
    assert.equal(g.u64(f + BigInt(F.reserved + FPSIMD_SIZE + 8)) & 0x3fn, 0x11n, 'DFSC: synchronous tag check fault');
    assert.deepEqual([...g.read(m + 16n, 1)], [0], 'the store was not performed');
  }
  const { g, m } = mteGuest(L.PR_MTE_TCF_SYNC, false);
  g.fault('fault_st', (m + 16n) | (3n << 56n), 0x77n);
  assert.equal(g.cpu.pc, g.label('fault_st') + 4, 'matching tag: no fault');
});

test('async tag check fault: access performed, SEGV_MTEAERR with si_addr 0 at the next kernel entry, one signal for many', () => {
  const { g, m } = mteGuest(L.PR_MTE_TCF_ASYNC, true);
  const seen: unknown[] = [];
  g.proc.on('tagMismatch', e => seen.push(e));
  g.fault('fault_st', (m + 40n) | (4n << 56n), 0x5an);
  assert.equal(g.cpu.pc, g.label('fault_st') + 4, 'no exception');
  assert.deepEqual([...g.read(m + 40n, 1)], [0x5a], 'the store happened');
  assert.equal(g.cpu.tfsre0 & 1, 1, 'TFSRE0_EL1.TF0 set');
  g.fault('fault_st', (m + 64n) | (4n << 56n), 1n);
  g.fault('fault_ldb', (m + 80n) | (4n << 56n));
  assert.equal(seen.length, 3);
  g.sys(NR.getpid);
  assert.equal(g.cpu.pc, g.handler, 'delivered on return from the syscall');
  assert.equal(g.cpu.tfsre0, 0);
  const f = g.frame();
  assert.equal(g.i32(f + BigInt(SI.code)), L.SEGV_MTEAERR);
  assert.equal(g.u64(f + BigInt(SI.addr)), 0n);
  assert.equal(g.mc(SC.regs), 1000n, 'the syscall completed first (x0 = getpid)');
  g.sys(NR.rt_sigreturn);
  g.sys(NR.getpid);
  assert.equal(g.cpu.pc, g.svc + 4, 'one signal for the three mismatches');
});

test('async fault without a handler: the process dies with SIGSEGV/SEGV_MTEAERR naming the access', () => {
  const { g, m } = mteGuest(L.PR_MTE_TCF_ASYNC, false);
  g.action(L.SIGSEGV, L.SIG_DFL, 0);
  g.fault('fault_st', (m + 40n) | (4n << 56n), 1n);
  g.sys(NR.getpid);
  const x = g.proc.exited!;
  assert.deepEqual([x.signal, x.core, x.info?.code, x.info?.addr], [L.SIGSEGV, true, L.SEGV_MTEAERR, 0n]);
  assert.equal(x.info?.mismatches?.[0].pc, g.label('fault_st'));
  assert.equal(x.info?.mismatches?.[0].logicalTag, 4);
  assert.equal(x.info?.mismatches?.[0].allocationTag, 0);
});

test('async fault with SIGSEGV blocked stays pending (not forced); a sync fault still wins the race', () => {
  const { g, m } = mteGuest(L.PR_MTE_TCF_ASYNC, false);
  g.writeU64(g.buf, bit(L.SIGSEGV));
  g.sys(NR.rt_sigprocmask, L.SIG_BLOCK, g.buf, 0, 8);
  g.fault('fault_st', (m + 40n) | (4n << 56n), 1n);
  g.sys(NR.getpid);
  assert.equal(g.proc.exited === null, true);
  assert.equal(g.proc.pendingMask, bit(L.SIGSEGV));
  g.sys(NR.rt_sigprocmask, L.SIG_UNBLOCK, g.buf, 0, 8);
  assert.equal(g.cpu.pc, g.handler);
  assert.equal(g.i32(g.frame() + BigInt(SI.code)), L.SEGV_MTEAERR);
});

test('a demand-paging fault is a kernel entry too: a pending async fault is delivered there', () => {
  const { g, m } = mteGuest(L.PR_MTE_TCF_ASYNC, false);
  const fresh = g.mmapAnon(4096);
  g.fault('fault_st', (m + 40n) | (4n << 56n), 1n);
  assert.equal(g.cpu.tfsre0 & 1, 1);
  g.fault('fault_ld', fresh);
  assert.equal(g.cpu.pc, g.handler);
  assert.equal(g.i32(g.frame() + BigInt(SI.code)), L.SEGV_MTEAERR);
  assert.equal(g.mc(SC.pc), BigInt(g.label('fault_ld')), 'the load runs again after the handler');
});

test('asymmetric mode: loads fault synchronously, stores are asynchronous', () => {
  const { g, m } = ((): { g: Sig; m: bigint } => {
    const g = new Sig({ mtePreferred: 'asymm' });
    g.sys(NR.prctl, L.PR_SET_TAGGED_ADDR_CTRL, L.PR_TAGGED_ADDR_ENABLE | L.PR_MTE_TCF_SYNC | L.PR_MTE_TCF_ASYNC | (0xfffe << 3), 0, 0, 0);
    const m = g.sys(NR.mmap, 0, 4096, 3 | L.PROT_MTE, L.MAP_PRIVATE | L.MAP_ANONYMOUS, -1, 0);
    g.action(L.SIGSEGV, g.handler, L.SA_SIGINFO | L.SA_RESTORER);
    return { g, m };
  })();
  assert.equal(g.cpu.tcf0, 3);
  g.fault('fault_st', m | (2n << 56n), 9n);
  assert.equal(g.cpu.pc, g.label('fault_st') + 4);
  assert.equal(g.cpu.tfsre0 & 1, 1);
  g.cpu.tfsre0 = 0;
  g.fault('fault_ld', m | (2n << 56n));
  assert.equal(g.cpu.pc, g.handler);
  assert.equal(g.i32(g.frame() + BigInt(SI.code)), L.SEGV_MTESERR);
});

test('kernel accesses to user memory are tag-checked in sync mode: -EFAULT on a mismatch', () => {
  const { g, m } = mteGuest(L.PR_MTE_TCF_SYNC, false);
  assert.equal(g.sys(64, 1, m | (3n << 56n), 32), 32n, 'matching tags');
  assert.equal(g.sys(64, 1, m | (4n << 56n), 8), E(L.EFAULT), 'mismatch');
  assert.equal(g.sys(64, 1, m | (3n << 56n), 48), E(L.EFAULT), 'the third granule has tag 0');
  assert.equal(g.proc.exited === null, true, 'no signal for a kernel access');
  g.sys(NR.prctl, L.PR_SET_TAGGED_ADDR_CTRL, L.PR_TAGGED_ADDR_ENABLE | L.PR_MTE_TCF_ASYNC, 0, 0, 0);
  assert.equal(g.sys(64, 1, m | (4n << 56n), 8), 8n, 'async: not checked');
  assert.equal(g.cpu.tfsre0, 0);
});
