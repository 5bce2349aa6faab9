// Shared helpers for the MTE corpus programs (Linux user-space ABI, see docs/reference section 3).
// Tags are set explicitly wherever possible so that every printed value is deterministic; IRG results
// (random under QEMU) are only printed through properties that do not depend on the random choice.
#ifndef TV_MTE_COMMON_H
#define TV_MTE_COMMON_H
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <setjmp.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <arm_acle.h>

#ifndef PROT_MTE
#define PROT_MTE 0x20
#endif
#ifndef SA_EXPOSE_TAGBITS
#define SA_EXPOSE_TAGBITS 0x800
#endif
#ifndef SEGV_MTEAERR
#define SEGV_MTEAERR 8
#endif
#ifndef SEGV_MTESERR
#define SEGV_MTESERR 9
#endif

#define TAG_SHIFT 56
#define ADDR_MASK ((1ull << TAG_SHIFT) - 1)

static inline unsigned tag_of(const void *p) { return (unsigned)(((uintptr_t)p >> TAG_SHIFT) & 0xf); }
static inline void *with_tag(const void *p, unsigned tag) {
    return (void *)(((uintptr_t)p & ~(0xfull << TAG_SHIFT)) | ((uintptr_t)(tag & 0xf) << TAG_SHIFT));
}
static inline uintptr_t untagged(const void *p) { return (uintptr_t)p & ADDR_MASK; }
/* Allocation tag of the granule containing p (LDG). Written as inline assembly on purpose: GCC 12 -O2 turns a
   loop `for (g...) tag_of(__arm_mte_get_tag(base + 16 * g))` into one whose induction variable is the LDG
   result (tag bits included), so the exit test never matches and the loop runs off the mapping. */
static inline unsigned mem_tag(const void *p) {
    uintptr_t r = (uintptr_t)p;
    __asm__ volatile("ldg %0, [%0]" : "+r"(r) : : "memory");
    return tag_of((const void *)r);
}
/* Set the allocation tag of every granule of [p, p+len) to tag_of(p) (STG per granule). */
static inline void tag_range(void *p, size_t len) {
    for (size_t off = 0; off < len; off += 16) __arm_mte_set_tag((char *)p + off);
}

__attribute__((unused)) static long mte_enable(unsigned long tcf, unsigned include_mask) {
    return prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | tcf | ((unsigned long)include_mask << PR_MTE_TAG_SHIFT), 0, 0, 0);
}

__attribute__((unused)) static void *map_tagged(size_t len) {
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_MTE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap PROT_MTE"); _exit(2); }
    return p;
}

/* Fault capture: the handler records siginfo and jumps back to the TRY point. */
static sigjmp_buf tv_jb;
static volatile int tv_sig, tv_code;
static volatile uintptr_t tv_addr;
static volatile int tv_faults;

__attribute__((unused)) static void tv_segv_jump(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    tv_sig = sig; tv_code = si->si_code; tv_addr = (uintptr_t)si->si_addr; tv_faults++;
    siglongjmp(tv_jb, 1);
}

__attribute__((unused)) static void install_segv(void (*fn)(int, siginfo_t *, void *), int expose_tagbits) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | (expose_tagbits ? SA_EXPOSE_TAGBITS : 0);
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0) { perror("sigaction"); _exit(2); }
}

/* TRY(flag, stmt): run stmt; flag = 1 if a SIGSEGV was caught (tv_* filled), else 0. */
#define TRY(flag, stmt)                                                                                                \
    do {                                                                                                               \
        tv_sig = 0;                                                                                                    \
        if (sigsetjmp(tv_jb, 1) == 0) { stmt; (flag) = 0; } else (flag) = 1;                                          \
    } while (0)

/* Print a caught fault relative to a base pointer; with exposed tag bits the logical tag is printed,
   otherwise only the untagged part (Linux clears bits 63:56 then; QEMU 7.2 does not, so never print them). */
__attribute__((unused)) static void report_fault(const char *what, int faulted, const void *base, int exposed) {
    if (!faulted) { printf("%s: no fault\n", what); return; }
    if (tv_code == SEGV_MTEAERR || tv_addr == 0) {
        printf("%s: SIGSEGV code=%d addr=%#lx\n", what, tv_code, (unsigned long)tv_addr);
        return;
    }
    long off = (long)((tv_addr & ADDR_MASK) - untagged(base));
    if (exposed)
        printf("%s: SIGSEGV code=%d offset=%ld addr-tag=%x\n", what, tv_code, off, (unsigned)((tv_addr >> TAG_SHIFT) & 0xf));
    else
        printf("%s: SIGSEGV code=%d offset=%ld\n", what, tv_code, off);
}
#endif
