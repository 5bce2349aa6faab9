// Synchronous tag-check fault with no handler: the process dies by SIGSEGV (shell status 139).
// The tombstone our CLI prints is disabled with --no-report for the differential test.
#include "mte-common.h"

int main(void) {
    mte_enable(PR_MTE_TCF_SYNC, 0xfffe);
    char *base = map_tagged(4096);
    char *p = with_tag(base + 512, 0x9);
    tag_range(p, 32);
    strcpy(p, "tagged string");
    printf("%s\n", p);
    fflush(stdout);
    fprintf(stderr, "overflowing by one granule\n");
    ((volatile char *)p)[32] = 0;
    printf("not reached\n");
    return 0;
}
