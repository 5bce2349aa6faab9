// The exclusive monitor and the kernel: every return from the kernel to EL0 (an exception return)
// clears the local monitor, as on hardware under Linux, so LDXR; <kernel entry>; STXR fails
// whatever the entry was (system call, demand page fault, timer tick, a signal handler's return),
// and a program's retry loop takes the monitor again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAsm } from './helpers';

/** Runs `body` after `x19` = a 16-byte aligned stack slot holding 5; exits with w0 (the stxr status). */
function status(body: string, opts: Parameters<typeof runAsm>[1] = {}): { code: number | null; slot: bigint } {
  const r = runAsm(`
    .text
    .global _start
  _start:
    sub sp, sp, #32
    mov x19, sp
    mov x1, #5
    str x1, [x19]
    mov x2, #7
    ${body}
    ldr x20, [x19]
    mov x8, #93
    svc #0
  handler:
    ret
  `, opts);
  assert.equal(r.result.reason, 'exit');
  const st = (r.result as { status: { code: number | null } }).status;
  return { code: st.code, slot: r.proc.cpu.x[20] };
}

test('ldxr; stxr succeeds with no kernel entry in between (control)', () => {
  assert.deepEqual(status('ldxr x3, [x19]\n stxr w0, x2, [x19]'), { code: 0, slot: 7n });
});

test('ldxr; svc; stxr fails: the system call return cleared the monitor', () => {
  assert.deepEqual(status(`
    ldxr x3, [x19]
    mov x8, #172          // getpid
    svc #0
    stxr w0, x2, [x19]`), { code: 1, slot: 5n });
  // The same for the pair and byte forms.
  assert.deepEqual(status(`
    ldxp x3, x4, [x19]
    mov x8, #172
    svc #0
    stxp w0, x2, x2, [x19]`), { code: 1, slot: 5n });
  assert.deepEqual(status(`
    ldaxrb w3, [x19]
    mov x8, #124          // sched_yield
    svc #0
    stlxrb w0, w2, [x19]`), { code: 1, slot: 5n });
});

test('a retry loop around the kernel entry succeeds on the second attempt', () => {
  const r = status(`
    mov x21, #0
  1:add x21, x21, #1
    ldxr x3, [x19]
    cmp x21, #1
    b.ne 2f
    mov x8, #172
    svc #0
  2:stxr w0, x2, [x19]
    cbnz w0, 1b
    mov x0, x21`);
  assert.deepEqual(r, { code: 2, slot: 7n });
});

test('ldxr; demand page fault; stxr fails', () => {
  assert.deepEqual(status(`
    mov x0, #0
    mov x1, #4096
    mov x2, #3
    mov x3, #0x22
    mov x4, #-1
    mov x5, #0
    mov x8, #222          // mmap: the page is not present until touched
    svc #0
    mov x22, x0
    mov x2, #7
    ldxr x3, [x19]
    ldr x4, [x22]         // first touch: a translation fault the kernel resolves
    stxr w0, x2, [x19]`), { code: 1, slot: 5n });
});

test('ldxr; timer tick; stxr fails', () => {
  // With a tick every 4 instructions one lands between the ldxr and the stxr below.
  assert.deepEqual(status(`
    ldxr x3, [x19]
    nop
    nop
    nop
    nop
    stxr w0, x2, [x19]`, { tickInterval: 4 }), { code: 1, slot: 5n });
});

test('ldxr; signal delivered and returned from; stxr fails', () => {
  assert.deepEqual(status(`
    sub sp, sp, #32
    adr x0, handler
    mov x1, #0x04000000   // SA_RESTORER
    stp x0, x1, [sp]
    adr x0, restorer
    stp x0, xzr, [sp, #16]
    mov x0, #10           // SIGUSR1
    mov x1, sp
    mov x2, #0
    mov x3, #8
    mov x8, #134          // rt_sigaction
    svc #0
    add sp, sp, #32
    mov x8, #172
    svc #0                // getpid -> x0
    mov x23, x0
    ldxr x3, [x19]
    mov x0, x23
    mov x1, #10
    mov x8, #129          // kill(getpid(), SIGUSR1): handled before the svc returns
    svc #0
    stxr w0, x2, [x19]
    b 9f
  restorer:
    mov x8, #139          // rt_sigreturn
    svc #0
  9:`), { code: 1, slot: 5n });
});
