// PR_SET/GET_TAGGED_ADDR_CTRL validation, PROT_MTE on anonymous mappings, mprotect adding PROT_MTE,
// and the tagged-address syscall ABI (tagged buffer pointers need PR_TAGGED_ADDR_ENABLE).
#include "mte-common.h"
#include <errno.h>

#define SHOW(expr)                                                                                                     \
    do {                                                                                                               \
        errno = 0;                                                                                                     \
        long r_ = (long)(expr);                                                                                        \
        printf("%-64s = %ld errno=%d\n", #expr, r_, errno);                                                            \
    } while (0)

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    SHOW(prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    SHOW(prctl(PR_SET_TAGGED_ADDR_CTRL, 1UL << 20, 0, 0, 0));
    SHOW(prctl(PR_SET_TAGGED_ADDR_CTRL, 1, 1, 0, 0));
    SHOW(prctl(PR_SET_TAGGED_ADDR_CTRL, 1, 0, 0, 1));
    SHOW(prctl(PR_GET_TAGGED_ADDR_CTRL, 1, 0, 0, 0));
    char *msg = "tagged hello\n";
    char *tmsg = with_tag(msg, 3);
    SHOW(write(1, tmsg, 13));
    SHOW(prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE, 0, 0, 0));
    SHOW(prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    SHOW(write(1, tmsg, 13));
    SHOW(prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_SYNC | (0x1234UL << PR_MTE_TAG_SHIFT), 0, 0, 0));
    SHOW(prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    SHOW(prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_ASYNC | (0xffffUL << PR_MTE_TAG_SHIFT), 0, 0, 0));
    SHOW(prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    SHOW(prctl(PR_SET_TAGGED_ADDR_CTRL, PR_MTE_TCF_SYNC, 0, 0, 0));
    SHOW(prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    SHOW(write(1, tmsg, 13));
    SHOW(prctl(PR_SET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    SHOW(prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));

    SHOW(mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_MTE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
    /* No unknown PROT bits here: arm64 Linux ignores them in mmap, QEMU 7.2 rejects them (EINVAL). */
    char *a = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(a + 4096, "kept across mprotect");
    SHOW(mprotect(a + 4096, 4096, PROT_READ | PROT_WRITE | PROT_MTE));
    mte_enable(PR_MTE_TCF_SYNC, 0xffff);
    __arm_mte_set_tag(with_tag(a + 4096, 5));
    __arm_mte_set_tag(with_tag(a + 4096 + 16, 5));
    __arm_mte_set_tag(with_tag(a, 5));          /* page 0 is not PROT_MTE: tag dropped */
    __arm_mte_set_tag(with_tag(a + 8192, 5));   /* page 2 neither */
    printf("tags after stg: page0=%x page1=%x page2=%x data=%s\n", mem_tag(a), mem_tag(a + 4096), mem_tag(a + 8192),
           (char *)with_tag(a + 4096, 5));
    SHOW(munmap(a, 3 * 4096));
    char *b = map_tagged(4096);
    printf("new mapping tags: %x %x\n", mem_tag(b), mem_tag(b + 4080));
    return 0;
}
