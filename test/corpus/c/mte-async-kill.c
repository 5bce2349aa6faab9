// Asynchronous mode without a handler: the process is killed by SIGSEGV at the next syscall after the bad store.
#include "mte-common.h"

int main(void) {
    mte_enable(PR_MTE_TCF_ASYNC, 0xfffe);
    char *base = map_tagged(4096);
    char *p = with_tag(base, 0x2);
    tag_range(p, 16);
    p[0] = 1;
    printf("before the bad store\n");
    fflush(stdout);
    ((volatile char *)p)[16] = 1;
    syscall(SYS_getpid);
    printf("not reached\n");
    return 0;
}
