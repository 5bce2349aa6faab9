// Tag store/load instructions from C inline assembly: STG/STZG/ST2G/STZ2G (offset, pre- and post-index),
// STGP, LDG, DC GVA / DC GZVA / DC ZVA (block size from DCZID_EL0, only size-independent facts printed).
// Tags are chosen explicitly.
#include "mte-common.h"

static char *base;
static void dump(const char *what, int first, int n) {
    printf("%-26s", what);
    for (int g = first; g < first + n; g++) printf(" %x", mem_tag(base + 16 * g));
    printf("\n");
}
/* Number of granules of the page carrying allocation tag t. */
static unsigned count_tag(unsigned t) {
    unsigned n = 0;
    for (int g = 0; g < 256; g++) n += mem_tag(base + 16 * g) == t;
    return n;
}
static unsigned long sum_bytes(const char *p, int n) {
    unsigned long s = 0;
    for (int i = 0; i < n; i++) s += (unsigned char)p[i];
    return s;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    mte_enable(PR_MTE_TCF_SYNC, 0xffff);
    base = map_tagged(4096);
    memset(base, 0xab, 4096);
    char *p = with_tag(base, 1), *r;

    __asm__ volatile("stg %0, [%0, #16]" ::"r"(p) : "memory");
    dump("stg offset #16", 0, 4);
    r = p;
    __asm__ volatile("stg %0, [%0, #32]!" : "+r"(r)::"memory");
    printf("pre-index writeback offset %ld\n", (long)(untagged(r) - untagged(base)));
    r = with_tag(base + 48, 2);
    __asm__ volatile("stg %0, [%0], #-16" : "+r"(r)::"memory");
    printf("post-index writeback offset %ld\n", (long)(untagged(r) - untagged(base)));
    dump("stg pre/post", 0, 4);

    r = with_tag(base + 64, 3);
    __asm__ volatile("st2g %0, [%0]" ::"r"(r) : "memory");
    r = with_tag(base + 96, 4);
    __asm__ volatile("st2g %0, [%0, #32]!" : "+r"(r)::"memory");
    dump("st2g", 4, 6);
    printf("data untouched by st2g: %lu\n", sum_bytes(with_tag(base + 64, 3), 32));

    r = with_tag(base + 160, 5);
    __asm__ volatile("stzg %0, [%0], #16" : "+r"(r)::"memory");
    printf("stzg post-index offset %ld data sum %lu next granule sum %lu\n", (long)(untagged(r) - untagged(base)),
           sum_bytes(with_tag(base + 160, 5), 16), sum_bytes(with_tag(base + 176, 0), 16));
    r = with_tag(base + 192, 6);
    __asm__ volatile("stz2g %0, [%0, #-16]" ::"r"(r) : "memory");
    dump("stzg/stz2g", 9, 5);
    printf("stz2g zeroed %lu (expect 0) following %lu\n", sum_bytes(with_tag(base + 176, 6), 32), sum_bytes(base + 208, 16));

    uint64_t lo = 0x0123456789abcdefull, hi = 0xfedcba9876543210ull;
    r = with_tag(base + 256, 7);
    __asm__ volatile("stgp %1, %2, [%0]" ::"r"(r), "r"(lo), "r"(hi) : "memory");
    __asm__ volatile("stgp %1, %2, [%0, #16]!" : "+r"(r) : "r"(hi), "r"(lo) : "memory");
    __asm__ volatile("stgp %1, %2, [%0], #32" : "+r"(r) : "r"(lo), "r"(lo) : "memory");
    printf("stgp writeback offset %ld\n", (long)(untagged(r) - untagged(base)));
    dump("stgp", 16, 4);
    uint64_t *w = with_tag(base + 256, 7);
    printf("stgp data %016llx %016llx %016llx %016llx\n", (unsigned long long)w[0], (unsigned long long)w[1],
           (unsigned long long)w[2], (unsigned long long)w[3]);

    /* LDG keeps the other address bits and replaces only the tag. */
    uintptr_t x = (uintptr_t)with_tag(base + 264, 0xf);
    __asm__ volatile("ldg %0, [%0]" : "+r"(x));
    printf("ldg result tag %x offset %ld\n", tag_of((void *)x), (long)(untagged((void *)x) - untagged(base)));
    x = (uintptr_t)(base + 1024);
    __asm__ volatile("ldg %0, [%1, #-768]" : "+r"(x) : "r"(base + 1024));
    printf("ldg with offset tag %x\n", tag_of((void *)x));

    /* The DC GVA/GZVA/ZVA block size is implementation defined (QEMU -cpu max: 512 bytes, Tagvisor and most
       hardware: 64), so only block-size-independent facts are printed: the tags at the first and last granule
       of each block and right after it, how many granules changed, and data sums. */
    uint64_t dczid;
    __asm__("mrs %0, dczid_el0" : "=r"(dczid));
    unsigned block = 4u << (dczid & 15), gpb = block / 16;
    printf("dczid DZP=%d block in 16..512: %d\n", (int)((dczid >> 4) & 1), block >= 16 && block <= 512);
    char *blk = base + 1024; /* 1024-aligned; three blocks of up to 512 bytes and a byte fit in the page */
    r = with_tag(blk + 24, 9); /* any address inside the block */
    __asm__ volatile("dc gva, %0" ::"r"(r) : "memory");
    printf("dc gva: first %x last %x after %x, granules with tag 9 == block/16: %d\n", mem_tag(blk),
           mem_tag(blk + block - 16), mem_tag(blk + block), count_tag(9) == gpb);
    printf("dc gva keeps data: %d\n", ((unsigned char *)with_tag(blk, 9))[3]);
    r = with_tag(blk + block + 8, 0xc);
    __asm__ volatile("dc gzva, %0" ::"r"(r) : "memory");
    printf("dc gzva: before %x first %x last %x after %x, granules with tag c == block/16: %d\n",
           mem_tag(blk + block - 16), mem_tag(blk + block), mem_tag(blk + 2 * block - 16), mem_tag(blk + 2 * block),
           count_tag(0xc) == gpb);
    printf("dc gzva zeroed sum %lu, byte before %d, byte after %d\n", sum_bytes(with_tag(blk + block, 0xc), block),
           (unsigned char)((char *)with_tag(blk + block - 1, 9))[0], (unsigned char)blk[2 * block]);
    __asm__ volatile("dc zva, %0" ::"r"(with_tag(blk + 2 * block, 0)) : "memory");
    printf("dc zva zeroed sum %lu, byte after %d, tags kept: %d\n", sum_bytes(blk + 2 * block, block),
           (unsigned char)blk[3 * block], count_tag(9) == gpb && count_tag(0xc) == gpb);
    return 0;
}
