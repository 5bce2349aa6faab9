// TCF none: tagged pointers and allocation tags still work (LDG/STG), but mismatches are never reported.
#include "mte-common.h"

int main(void) {
    printf("prctl=%ld ctrl=%#lx\n", mte_enable(PR_MTE_TCF_NONE, 0xffff), (long)prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    install_segv(tv_segv_jump, 1);
    char *base = map_tagged(4096);
    for (int g = 0; g < 16; g++) __arm_mte_set_tag(with_tag(base + 16 * g, (unsigned)g));
    printf("tags:");
    for (int g = 0; g < 16; g++) printf(" %x", mem_tag(base + 16 * g));
    printf("\n");
    volatile char *wrong = with_tag(base, 0xf);
    long s = 0;
    for (int i = 0; i < 256; i++) wrong[i] = (char)i;
    for (int i = 0; i < 256; i++) s += wrong[i];
    syscall(SYS_getpid);
    printf("mismatching accesses sum=%ld faults=%d\n", s, tv_faults);
    /* Re-enabling sync mode makes the same pointer fault. */
    mte_enable(PR_MTE_TCF_SYNC, 0xffff);
    int f;
    TRY(f, wrong[17] = 1);
    report_fault("after enabling sync", f, base, 1);
    return 0;
}
