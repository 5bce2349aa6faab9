// Asynchronous tag checking: the mismatching access completes, and SIGSEGV/SEGV_MTEAERR with si_addr 0 is
// delivered at the next kernel entry (here: an explicit getpid syscall right after the access, so that
// Linux and QEMU, which delivers it even earlier, agree). The handler returns and execution continues.
#include "mte-common.h"

static volatile int async_hits;
static volatile int last_code;
static volatile uintptr_t last_addr;

static void on_async(int sig, siginfo_t *si, void *uc) {
    (void)uc; (void)sig;
    async_hits++;
    last_code = si->si_code;
    last_addr = (uintptr_t)si->si_addr;
}

static void kernel_entry(void) { syscall(SYS_getpid); }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("prctl=%ld ctrl=%#lx\n", mte_enable(PR_MTE_TCF_ASYNC, 0xfffe), (long)prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    install_segv(on_async, 1);
    char *base = map_tagged(4096);
    volatile char *p = with_tag(base, 0x4);
    tag_range((char *)p, 32);
    p[0] = 'a';
    kernel_entry();
    printf("good access: hits=%d\n", async_hits);

    p[40] = 'Z'; /* granule 2 has tag 0: mismatch, but the store is performed */
    kernel_entry();
    printf("bad store: hits=%d code=%d addr=%#lx stored=%c\n", async_hits, last_code, (unsigned long)last_addr,
           *(volatile char *)with_tag(base + 40, 0));

    char v = p[33];
    kernel_entry();
    printf("bad load: hits=%d code=%d value=%d\n", async_hits, last_code, v);

    /* Several mismatches before one kernel entry give one signal. */
    p[48] = 1; p[64] = 2; p[80] = 3;
    kernel_entry();
    printf("three bad stores, one syscall: hits=%d\n", async_hits);

    /* Switching to sync mode makes the same access fault precisely. */
    prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_SYNC | (0xfffeUL << PR_MTE_TAG_SHIFT), 0, 0, 0);
    install_segv(tv_segv_jump, 1);
    int f;
    TRY(f, p[40] = 'Y');
    report_fault("sync after switch", f, base, 1);

    /* And with TCF none nothing is reported. */
    prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE, 0, 0, 0);
    p[40] = 'X';
    kernel_entry();
    printf("tcf none: hits=%d faults=%d value=%c\n", async_hits, tv_faults, p[40]);
    return 0;
}
