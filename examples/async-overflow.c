// Asynchronous tag checking: a stray store past the end of a tagged buffer completes, and the fault is
// reported later, at the next system call (here the write() inside printf), as SIGSEGV with SEGV_MTEAERR and
// no fault address. A handler reports it and exits with status 3.
//
// Build: aarch64-linux-gnu-gcc -static -g -march=armv8.5-a+memtag async-overflow.c -o async-overflow
#include <arm_acle.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#ifndef PROT_MTE
#define PROT_MTE 0x20
#endif

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    char msg[96];
    int n = snprintf(msg, sizeof msg, "caught signal %d, si_code %d (%s), si_addr %p\n", sig, si->si_code,
                     si->si_code == 8 ? "SEGV_MTEAERR" : "other", si->si_addr);
    write(2, msg, n);
    _exit(3);
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_ASYNC | (0xfffeUL << PR_MTE_TAG_SHIFT), 0, 0, 0);
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_MTE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *name = (char *)((uintptr_t)page | (0x4ull << 56));
    __arm_mte_set_tag(name);                /* a 16-byte tagged buffer */
    strcpy(name, "short");
    write(1, "copying a long name\n", 20);
    const char *input = "a-name-that-does-not-fit";
    for (size_t i = 0; i <= strlen(input); i++) name[i] = input[i]; /* overruns into an untagged granule */
    printf("copied: %.5s...\n", name);  /* the async fault is delivered at this call's write() */
    return 0;
}
