// Synchronous tag checking: in-bounds accesses pass, overflow / underflow / stale-tag / cross-granule
// accesses fault with SEGV_MTESERR; si_addr carries the logical tag only with SA_EXPOSE_TAGBITS.
// MTE-safe glibc string routines (which read whole aligned 16-byte blocks) must not fault.
#include "mte-common.h"

static volatile char sink;

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("prctl=%ld ctrl=%#lx\n", mte_enable(PR_MTE_TCF_SYNC, 0xfffe), (long)prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    char *base = map_tagged(2 * 4096);
    printf("fresh tags:");
    for (int g = 0; g < 8; g++) printf(" %x", mem_tag(base + 16 * g));
    printf("\n");

    install_segv(tv_segv_jump, 1);
    char *p = with_tag(base + 256, 0x3);
    tag_range(p, 64); /* granules 16..19 get tag 3 */
    char *q = with_tag(base + 320, 0xa);
    tag_range(q, 32); /* granules 20..21 get tag a */
    printf("tags around:");
    for (int g = 14; g < 24; g++) printf(" %x", mem_tag(base + 16 * g));
    printf("\n");
    for (int i = 0; i < 64; i++) p[i] = (char)i;
    int sum = 0;
    for (int i = 0; i < 64; i++) sum += p[i];
    printf("in-bounds sum=%d\n", sum);

    int f;
    TRY(f, sink = p[64]);
    report_fault("read p[64]", f, base, 1);
    TRY(f, p[70] = 1);
    report_fault("write p[70]", f, base, 1);
    TRY(f, sink = p[-1]);
    report_fault("read p[-1]", f, base, 1);
    TRY(f, sink = *(volatile char *)with_tag(p, 0));
    report_fault("read with tag 0", f, base, 1);
    TRY(f, *(volatile uint64_t *)(p + 60) = 0x1122334455667788ull);
    report_fault("8-byte write crossing into tag-a granule", f, base, 1);
    printf("bytes 56..63 after failed write:");
    for (int i = 56; i < 64; i++) printf(" %02x", (unsigned char)p[i]);
    printf("\n");
    TRY(f, sink = *(volatile uint64_t *)(q - 4));
    report_fault("8-byte read from tag-a pointer starting in tag-3 granule", f, base, 1);
    TRY(f, sink = *(volatile char *)with_tag(base + 4096 + 5, 0x3));
    report_fault("read second page with tag 3", f, base, 1);

    /* Without SA_EXPOSE_TAGBITS only the untagged address is meaningful. */
    install_segv(tv_segv_jump, 0);
    TRY(f, sink = p[96]);
    report_fault("read p[96] (no expose)", f, base, 0);

    /* Untagged memory (stack, .data) ignores logical tags. */
    static char data[32] = "static data";
    char local[32] = "stack data";
    printf("untagged via tagged ptr: %s / %s\n", (char *)with_tag(data, 7), (char *)with_tag(local, 9));

    /* glibc string functions over tagged buffers with differently-tagged neighbours. */
    char *s1 = with_tag(base + 1024, 0x5);
    tag_range(s1, 48);
    char *next1 = with_tag(base + 1024 + 48, 0x6);
    tag_range(next1, 48);
    for (int len = 0; len < 48; len++) {
        memset(s1, 'x', len);
        s1[len] = 0;
        if (strlen(s1) != (size_t)len) { printf("strlen mismatch at %d\n", len); return 1; }
        char *c = strchr(s1, 'y');
        if (c) { printf("strchr found bogus\n"); return 1; }
    }
    memcpy(next1, s1, 47);
    next1[47] = 0;
    printf("strings on tagged memory ok: strlen=%zu strcmp=%d\n", strlen(next1), strcmp(s1, next1));
    printf("faults caught=%d\n", tv_faults);
    return 0;
}
