// The signal frame layout and ABI constants we use, checked against the real C headers: a C file of
// _Static_assert(offsetof(...) == <our value>) is compiled with aarch64-linux-gnu-gcc, so any
// difference is a compile error naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as L from '../../emulator/linux/constants';
import { ESR_MAGIC, ESR_SIZE, FPSIMD_MAGIC, FPSIMD_SIZE, FRAME, SC, SI, SIGFRAME_MINSTKSZ, UC } from '../../emulator/linux/sigframe';
import { missingTools, run, tmpDir } from '../tools';

function checks(): string[] {
  const a = (expr: string, v: number | string) => `_Static_assert((${expr}) == (${v}), "${expr.replace(/"/g, "'")} != ${v}");`;
  return [
    a('sizeof(siginfo_t)', SI.size),
    a('offsetof(siginfo_t, si_signo)', SI.signo),
    a('offsetof(siginfo_t, si_errno)', SI.errno),
    a('offsetof(siginfo_t, si_code)', SI.code),
    a('offsetof(siginfo_t, si_pid)', SI.pid),
    a('offsetof(siginfo_t, si_uid)', SI.uid),
    a('offsetof(siginfo_t, si_addr)', SI.addr),
    a('offsetof(ucontext_t, uc_flags)', UC.flags),
    a('offsetof(ucontext_t, uc_link)', UC.link),
    a('offsetof(ucontext_t, uc_stack)', UC.stack),
    a('offsetof(ucontext_t, uc_stack.ss_sp)', UC.stackSp),
    a('offsetof(ucontext_t, uc_stack.ss_flags)', UC.stackFlags),
    a('offsetof(ucontext_t, uc_stack.ss_size)', UC.stackSize),
    a('offsetof(ucontext_t, uc_sigmask)', UC.sigmask),
    a('offsetof(ucontext_t, uc_mcontext)', UC.mcontext),
    a('sizeof(ucontext_t)', UC.size),
    a('offsetof(mcontext_t, fault_address)', SC.faultAddress),
    a('offsetof(mcontext_t, regs)', SC.regs),
    a('offsetof(mcontext_t, sp)', SC.sp),
    a('offsetof(mcontext_t, pc)', SC.pc),
    a('offsetof(mcontext_t, pstate)', SC.pstate),
    a('offsetof(mcontext_t, __reserved)', SC.reserved),
    a('sizeof(((mcontext_t *)0)->__reserved)', SC.reservedSize),
    a('sizeof(mcontext_t)', SC.size),
    a('offsetof(struct sigcontext, pstate)', SC.pstate),
    a('sizeof(struct sigcontext)', SC.size),
    a('FPSIMD_MAGIC', FPSIMD_MAGIC),
    a('sizeof(struct fpsimd_context)', FPSIMD_SIZE),
    a('offsetof(struct fpsimd_context, fpsr)', 8),
    a('offsetof(struct fpsimd_context, fpcr)', 12),
    a('offsetof(struct fpsimd_context, vregs)', 16),
    a('ESR_MAGIC', ESR_MAGIC),
    a('sizeof(struct esr_context)', ESR_SIZE),
    a('offsetof(struct esr_context, esr)', 8),
    // The kernel's struct rt_sigframe is { siginfo_t info; struct ucontext uc; }.
    a('sizeof(struct { siginfo_t info; ucontext_t uc; })', FRAME.size),
    a('offsetof(struct { siginfo_t info; ucontext_t uc; }, uc)', FRAME.uc),
    a('sizeof(struct { siginfo_t info; ucontext_t uc; }) + 16 + 16', SIGFRAME_MINSTKSZ),
    a('sizeof(stack_t)', 24),
    a('SA_SIGINFO', L.SA_SIGINFO), a('SA_ONSTACK', L.SA_ONSTACK), a('SA_RESTART', L.SA_RESTART),
    a('SA_NODEFER', L.SA_NODEFER), a('(unsigned)SA_RESETHAND', `${L.SA_RESETHAND >>> 0}u`),
    a('SA_EXPOSE_TAGBITS', L.SA_EXPOSE_TAGBITS), a('SA_UNSUPPORTED', L.SA_UNSUPPORTED),
    a('SS_ONSTACK', L.SS_ONSTACK), a('SS_DISABLE', L.SS_DISABLE),
    a('SEGV_MAPERR', L.SEGV_MAPERR), a('SEGV_ACCERR', L.SEGV_ACCERR), a('SEGV_MTEAERR', L.SEGV_MTEAERR), a('SEGV_MTESERR', L.SEGV_MTESERR),
    a('BUS_ADRALN', L.BUS_ADRALN), a('BUS_OBJERR', L.BUS_OBJERR), a('ILL_ILLOPC', L.ILL_ILLOPC), a('TRAP_BRKPT', L.TRAP_BRKPT),
    a('SI_USER', L.SI_USER), a('SI_TKILL', L.SI_TKILL), a('SI_KERNEL', L.SI_KERNEL),
    a('SIGSEGV', L.SIGSEGV), a('SIGBUS', L.SIGBUS), a('SIGILL', L.SIGILL), a('SIGTRAP', L.SIGTRAP), a('SIGABRT', L.SIGABRT),
    a('SIGCHLD', L.SIGCHLD), a('SIGSTKFLT', L.SIGSTKFLT), a('SIGSYS', L.SIGSYS),
    a('PROT_MTE', L.PROT_MTE), a('PROT_BTI', L.PROT_BTI), a('MAP_FIXED_NOREPLACE', L.MAP_FIXED_NOREPLACE),
    a('MAP_SHARED_VALIDATE', L.MAP_SHARED_VALIDATE), a('MAP_STACK', L.MAP_STACK),
    a('MREMAP_MAYMOVE', L.MREMAP_MAYMOVE), a('MREMAP_FIXED', L.MREMAP_FIXED), a('MREMAP_DONTUNMAP', L.MREMAP_DONTUNMAP),
    a('MADV_DONTNEED', L.MADV_DONTNEED), a('MADV_FREE', L.MADV_FREE), a('MADV_WIPEONFORK', L.MADV_WIPEONFORK),
    a('PR_SET_TAGGED_ADDR_CTRL', L.PR_SET_TAGGED_ADDR_CTRL), a('PR_GET_TAGGED_ADDR_CTRL', L.PR_GET_TAGGED_ADDR_CTRL),
    a('PR_TAGGED_ADDR_ENABLE', L.PR_TAGGED_ADDR_ENABLE), a('PR_MTE_TCF_SYNC', L.PR_MTE_TCF_SYNC),
    a('PR_MTE_TCF_ASYNC', L.PR_MTE_TCF_ASYNC), a('PR_MTE_TCF_MASK', L.PR_MTE_TCF_MASK), a('PR_MTE_TAG_SHIFT', L.PR_MTE_TAG_SHIFT),
    a('PR_MTE_TAG_MASK', L.PR_MTE_TAG_MASK),
    a('HWCAP2_MTE', L.HWCAP2_MTE), a('HWCAP2_MTE3', L.HWCAP2_MTE3), a('HWCAP2_BTI', L.HWCAP2_BTI),
    a('HWCAP_FP', L.HWCAP_FP), a('HWCAP_ASIMD', L.HWCAP_ASIMD), a('HWCAP_ATOMICS', L.HWCAP_ATOMICS), a('HWCAP_CPUID', L.HWCAP_CPUID),
    a('HWCAP_SVE', L.HWCAP_SVE),
    a('AT_MINSIGSTKSZ', L.AT_MINSIGSTKSZ), a('AT_RANDOM', L.AT_RANDOM), a('AT_HWCAP2', L.AT_HWCAP2), a('AT_EXECFN', L.AT_EXECFN),
    a('AT_PLATFORM', L.AT_PLATFORM), a('AT_SECURE', L.AT_SECURE),
    a('sizeof(struct stat)', 128), a('offsetof(struct stat, st_size)', 48), a('offsetof(struct stat, st_blksize)', 56),
    a('offsetof(struct stat, st_mtim)', 88),
    a('TCGETS', L.TCGETS), a('TIOCGWINSZ', L.TIOCGWINSZ),
    a('O_DIRECTORY', L.O_DIRECTORY), a('O_CLOEXEC', L.O_CLOEXEC), a('O_NOFOLLOW', L.O_NOFOLLOW),
    a('AT_FDCWD', L.AT_FDCWD), a('AT_EMPTY_PATH', L.AT_EMPTY_PATH),
    a('FUTEX_WAIT_BITSET', L.FUTEX_WAIT_BITSET), a('FUTEX_PRIVATE_FLAG', L.FUTEX_PRIVATE_FLAG),
    a('GRND_INSECURE', L.GRND_INSECURE), a('CLOCK_BOOTTIME', L.CLOCK_BOOTTIME),
  ];
}

/** Values only the kernel's uapi headers define (they clash with glibc's, so a second file). */
function kernelChecks(): string[] {
  const a = (expr: string, v: number | string) => `_Static_assert((${expr}) == (${v}), "${expr.replace(/"/g, "'")} != ${v}");`;
  return [
    a('SA_RESTORER', L.SA_RESTORER),
    a('(unsigned)SS_AUTODISARM', `${L.SS_AUTODISARM >>> 0}u`),
    a('MINSIGSTKSZ', L.MINSIGSTKSZ),
    a('SIGSTKSZ', L.SIGSTKSZ),
    a('sizeof(sigset_t)', 8),
    a('offsetof(struct ucontext, uc_sigmask)', UC.sigmask),
    a('offsetof(struct ucontext, uc_mcontext)', UC.mcontext),
    a('sizeof(struct ucontext)', UC.size),
    a('O_LARGEFILE', L.O_LARGEFILE),
  ];
}

const KERNEL_HEADER = `#include <stddef.h>
#include <asm/signal.h>
#include <asm/sigcontext.h>
#include <asm/fcntl.h>
#include <asm/ucontext.h>
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
`;

const HEADER = `#define _GNU_SOURCE
#include <stddef.h>
#include <signal.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/random.h>
#include <time.h>
#include <asm/hwcap.h>
#include <asm/sigcontext.h>
#ifndef SA_EXPOSE_TAGBITS
#define SA_EXPOSE_TAGBITS 0x800
#endif
#ifndef SA_UNSUPPORTED
#define SA_UNSUPPORTED 0x400
#endif
#ifndef SEGV_MTEAERR
#define SEGV_MTEAERR 8
#define SEGV_MTESERR 9
#endif
#ifndef PROT_MTE
#define PROT_MTE 0x20
#endif
#ifndef PROT_BTI
#define PROT_BTI 0x10
#endif
#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE 4
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
`;

test('signal frame layout and ABI constants match the aarch64 C headers', { skip: missingTools('aarch64-linux-gnu-gcc') }, () => {
  const dir = tmpDir();
  const file = join(dir, 'layout.c');
  const lines = checks();
  writeFileSync(file, HEADER + lines.join('\n') + '\n');
  const r = run('aarch64-linux-gnu-gcc', ['-std=gnu11', '-fsyntax-only', '-Wall', file]);
  const errs = r.stderr.split('\n').filter(l => /static assertion failed|error:/.test(l));
  assert.equal(r.status, 0, `header mismatch:\n${errs.join('\n') || r.stderr}`);
  assert.ok(lines.length > 100, 'the check list is not empty');
});

test('kernel uapi view: SA_RESTORER, SS_AUTODISARM, struct ucontext, O_LARGEFILE', { skip: missingTools('aarch64-linux-gnu-gcc') }, () => {
  const dir = tmpDir();
  const file = join(dir, 'kernel.c');
  writeFileSync(file, KERNEL_HEADER + kernelChecks().join('\n') + '\n');
  const r = run('aarch64-linux-gnu-gcc', ['-std=gnu11', '-fsyntax-only', file]);
  const errs = r.stderr.split('\n').filter(l => /static assertion failed|error:/.test(l));
  assert.equal(r.status, 0, `header mismatch:\n${errs.join('\n') || r.stderr}`);
});
