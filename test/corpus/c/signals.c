// sigaction with SA_SIGINFO: raise(), masks, pending signals, SA_RESETHAND, SA_NODEFER, nested handlers,
// caught SIGSEGV on a null pointer (si_addr 0) and on a write to a read-only page, SIGILL (udf), SIGFPE not raised by arm int div.
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <setjmp.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/mman.h>
#include <ucontext.h>

static volatile sig_atomic_t hits[65];
static sigjmp_buf jb;
static void *segv_page;

static void info_handler(int sig, siginfo_t *si, void *ucv) {
    (void)ucv;
    hits[sig]++;
    char buf[128];
    int n = snprintf(buf, sizeof buf, "handler sig=%d signo=%d code=%d errno=%d\n", sig, si->si_signo, si->si_code, si->si_errno);
    write(1, buf, n);
    if (sig == SIGUSR1 && hits[sig] == 1) raise(SIGUSR2); /* nested: USR2 not blocked */
}

static void segv_handler(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    char buf[160];
    long off = segv_page ? (long)((uintptr_t)si->si_addr - (uintptr_t)segv_page) : -1;
    int n = snprintf(buf, sizeof buf, "segv sig=%d code=%d addr-is-null=%d page-offset=%ld fault_address-matches=%d\n", sig,
                     si->si_code, si->si_addr == NULL, si->si_addr ? off : 0L,
                     uc->uc_mcontext.fault_address == (uintptr_t)si->si_addr);
    write(1, buf, n);
    siglongjmp(jb, 1);
}

static void ill_handler(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    char buf[128];
    /* si_code is not printed: Linux reports ILL_ILLOPC (1) for UDF, QEMU 7.2 reports ILL_ILLOPN (2). */
    int n = snprintf(buf, sizeof buf, "sigill sig=%d addr==pc=%d\n", sig, (uintptr_t)si->si_addr == uc->uc_mcontext.pc);
    write(1, buf, n);
    uc->uc_mcontext.pc += 4; /* skip the udf and return normally */
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR1);
    printf("after raise: usr1=%d usr2=%d\n", hits[SIGUSR1], hits[SIGUSR2]);

    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR2);
    sigset_t pend;
    sigpending(&pend);
    printf("blocked: usr2 pending=%d hits=%d\n", sigismember(&pend, SIGUSR2), hits[SIGUSR2]);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: hits=%d\n", hits[SIGUSR2]);

    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGHUP, &sa, NULL);
    raise(SIGHUP);
    struct sigaction cur;
    sigaction(SIGHUP, NULL, &cur);
    printf("resethand: now default=%d\n", cur.sa_handler == SIG_DFL);

    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    printf("ignored usr1 ok, hits=%d\n", hits[SIGUSR1]);

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = segv_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(jb, 1) == 0) {
        int *volatile np = NULL;
        *np = 1;
    }
    segv_page = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(jb, 1) == 0) ((volatile char *)segv_page)[100] = 1;
    munmap((char *)segv_page + 4096, 4096);
    if (sigsetjmp(jb, 1) == 0) (void)((volatile char *)segv_page)[4096 + 24];

    sa.sa_sigaction = ill_handler;
    sigaction(SIGILL, &sa, NULL);
    __asm__ volatile("udf #0x42");
    printf("after udf\n");

    volatile int zero = 0;
    printf("int div by zero gives %d (no SIGFPE on arm64)\n", 7 / zero);
    kill(getpid(), SIGUSR2);
    printf("done usr2=%d\n", hits[SIGUSR2]);
    return 0;
}
