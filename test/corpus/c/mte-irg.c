// IRG / ADDG / SUBG / GMI / SUBP and the GCR exclude mask set through the prctl include mask.
// IRG is random under QEMU (GCR_EL1.RRND) and on hardware, so only choice-independent facts are printed:
// a single allowed tag is forced, random tags are never excluded ones, ADDG skips excluded tags.
#include "mte-common.h"

static unsigned irg_tag(void *p, uint64_t exclude) { return tag_of(__arm_mte_create_random_tag(p, exclude)); }

int main(void) {
    char *base = map_tagged(4096);
    /* Default after enabling with include mask 0: everything excluded, IRG gives 0. */
    mte_enable(PR_MTE_TCF_SYNC, 0);
    int nonzero = 0;
    for (int i = 0; i < 50; i++) nonzero += irg_tag(base, 0) != 0;
    printf("include none: nonzero tags=%d\n", nonzero);

    for (unsigned t = 0; t < 16; t++) {
        mte_enable(PR_MTE_TCF_SYNC, 1u << t);
        unsigned got = irg_tag(with_tag(base, (t + 5) & 15), 0);
        printf("%x", got);
    }
    printf(" <- single included tag\n");

    const unsigned include = (1u << 2) | (1u << 7) | (1u << 12);
    mte_enable(PR_MTE_TCF_SYNC, include);
    int bad = 0, seen = 0;
    for (int i = 0; i < 200; i++) {
        unsigned t = irg_tag(base, 0);
        if (!(include >> t & 1)) bad++;
        seen |= 1 << t;
    }
    printf("include {2,7,12}: excluded tags produced=%d only-included-seen=%d\n", bad, (seen & ~include) == 0);
    /* Xm adds exclusions: exclude 2 and 12 via the register, only 7 remains. */
    printf("irg with Xm excluding 2,12 -> %x\n", irg_tag(base, (1u << 2) | (1u << 12)));
    printf("irg excluding everything -> %x\n", irg_tag(base, 0xffff));
    /* ADDG/SUBG tag offsets skip excluded tags: 2 -> 7 -> 12 -> 2 */
    char *p2 = with_tag(base + 64, 2);
    printf("addg: +0:%x +1:%x +2:%x +3:%x +4:%x\n", tag_of(__arm_mte_increment_tag(p2, 0)), tag_of(__arm_mte_increment_tag(p2, 1)),
           tag_of(__arm_mte_increment_tag(p2, 2)), tag_of(__arm_mte_increment_tag(p2, 3)), tag_of(__arm_mte_increment_tag(p2, 4)));
    char *p5 = with_tag(base + 64, 5);
    printf("addg from excluded 5: +0:%x +1:%x\n", tag_of(__arm_mte_increment_tag(p5, 0)), tag_of(__arm_mte_increment_tag(p5, 1)));
    uintptr_t a1, a2;
    __asm__("addg %0, %1, #32, #1" : "=r"(a1) : "r"(p2));
    __asm__("subg %0, %1, #48, #2" : "=r"(a2) : "r"(p2));
    printf("addg #32,#1 -> tag %x offset %ld; subg #48,#2 -> tag %x offset %ld\n", tag_of((void *)a1), (long)(untagged((void *)a1) - untagged(base)),
           tag_of((void *)a2), (long)(untagged((void *)a2) - untagged(base)));
    /* With everything included, ADDG is plain modular increment. */
    mte_enable(PR_MTE_TCF_SYNC, 0xffff);
    char *pf = with_tag(base, 0xe);
    printf("all included: e+1=%x e+2=%x e+3=%x\n", tag_of(__arm_mte_increment_tag(pf, 1)), tag_of(__arm_mte_increment_tag(pf, 2)),
           tag_of(__arm_mte_increment_tag(pf, 3)));
    printf("irg exclude-one: ");
    for (unsigned t = 0; t < 16; t++) {
        int ok = 1;
        for (int i = 0; i < 20; i++) ok &= irg_tag(base, 1u << t) != t;
        printf("%d", ok);
    }
    printf("\n");
    /* GMI: exclusion mask accumulation */
    uint64_t m = 0;
    for (unsigned t = 0; t < 16; t += 3) m = __arm_mte_exclude_tag(with_tag(base, t), m);
    printf("gmi mask=%#llx\n", (unsigned long long)m);
    /* SUBP ignores tags: */
    printf("subp=%ld %ld\n", (long)__arm_mte_ptrdiff(with_tag(base + 100, 3), with_tag(base, 9)),
           (long)__arm_mte_ptrdiff(with_tag(base, 1), with_tag(base + 4000, 15)));
    return 0;
}
