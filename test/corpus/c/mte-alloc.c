// A miniature tagging allocator: each chunk gets a tag different from both neighbours (IRG with a GMI-built
// exclude mask), freeing retags the chunk, so use-after-free, double-use and linear overflow are caught.
// The random tags themselves are never printed, only relationships between them.
#include "mte-common.h"

#define POOL 65536
#define MAXCHUNKS 256
static char *pool;
static size_t used;
static struct { char *p; size_t size; int live; } chunks[MAXCHUNKS];
static int nchunks;

static unsigned neighbour_mask(char *start, size_t size) {
    uint64_t ex = 1; /* never hand out tag 0, the untagged default */
    if (start > pool) ex = __arm_mte_exclude_tag(__arm_mte_get_tag(start - 16), ex);
    if (start + size < pool + POOL) ex = __arm_mte_exclude_tag(__arm_mte_get_tag(start + size), ex);
    return (unsigned)ex;
}

static void *tv_malloc(size_t n) {
    size_t size = (n + 15) & ~(size_t)15;
    if (size == 0) size = 16;
    if (used + size > POOL || nchunks == MAXCHUNKS) return NULL;
    char *start = pool + used;
    used += size;
    char *p = __arm_mte_create_random_tag(start, neighbour_mask(start, size));
    tag_range(p, size);
    chunks[nchunks].p = p; chunks[nchunks].size = size; chunks[nchunks].live = 1; nchunks++;
    return p;
}

static void tv_free(void *vp) {
    for (int i = 0; i < nchunks; i++)
        if (chunks[i].p == vp && chunks[i].live) {
            uint64_t ex = neighbour_mask((char *)untagged(vp), chunks[i].size);
            ex = __arm_mte_exclude_tag(vp, ex); /* new tag differs from the freed pointer's */
            char *re = __arm_mte_create_random_tag(vp, ex);
            tag_range(re, chunks[i].size);
            chunks[i].live = 0;
            return;
        }
    printf("invalid or double free of a chunk\n");
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    mte_enable(PR_MTE_TCF_SYNC, 0xfffe);
    install_segv(tv_segv_jump, 1);
    pool = map_tagged(POOL);
    unsigned sizes[] = {1, 16, 17, 40, 64, 100, 3, 250, 16, 33};
    char *ptrs[10];
    for (int i = 0; i < 10; i++) {
        ptrs[i] = tv_malloc(sizes[i]);
        memset(ptrs[i], 'a' + i, sizes[i]);
    }
    int differ = 1, nonzero = 1;
    for (int i = 0; i < 10; i++) {
        nonzero &= tag_of(ptrs[i]) != 0;
        if (i) differ &= tag_of(ptrs[i]) != tag_of(ptrs[i - 1]);
    }
    printf("10 chunks: neighbour tags differ=%d nonzero=%d\n", differ, nonzero);
    long total = 0;
    for (int i = 0; i < 10; i++)
        for (unsigned k = 0; k < sizes[i]; k++) total += ptrs[i][k];
    printf("contents checksum=%ld\n", total);

    int f;
    for (int i = 0; i < 9; i++) {
        size_t rounded = (sizes[i] + 15) & ~15u;
        TRY(f, ((volatile char *)ptrs[i])[rounded] = 'X');
        printf("chunk %d overflow by one granule: fault=%d code=%d offset-in-chunk=%ld tag-is-ptr-tag=%d\n", i, f, f ? tv_code : 0,
               f ? (long)((tv_addr & ADDR_MASK) - untagged(ptrs[i])) : -1L, f ? (unsigned)(tv_addr >> 56 & 15) == tag_of(ptrs[i]) : -1);
    }
    tv_free(ptrs[3]);
    volatile char c = 0;
    TRY(f, c = ptrs[3][5]);
    printf("use after free read: fault=%d code=%d offset=%ld value-unread=%d\n", f, tv_code, (long)((tv_addr & ADDR_MASK) - untagged(ptrs[3])), c == 0);
    TRY(f, ptrs[3][0] = 1);
    printf("use after free write: fault=%d\n", f);
    char *again = tv_malloc(40);
    TRY(f, ptrs[3][0] = 1);
    /* (the new chunk lives elsewhere; its tag may equal the stale one, so only the stale access is checked) */
    printf("stale pointer after another allocation: fault=%d; new chunk usable=%d\n", f, again != NULL && (again[0] = 1) == 1);
    tv_free(ptrs[3]);
    printf("faults=%d\n", tv_faults);
    return 0;
}
