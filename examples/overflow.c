// A heap-style buffer overflow caught by MTE: an off-by-one loop bound writes one element past a 12-element
// array. The array lives in its own tagged allocation (48 bytes = 3 granules), the next allocation has a
// different tag, so the 13th store takes a synchronous tag-check fault instead of silently corrupting it.
//
// Build: aarch64-linux-gnu-gcc -static -g -march=armv8.5-a+memtag overflow.c -o overflow
#include <arm_acle.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#ifndef PROT_MTE
#define PROT_MTE 0x20
#endif

static char *heap;
static size_t heap_used;

/* Bump allocator: allocation k gets tag (k mod 15) + 1, so neighbours always differ and tag 0 is never used. */
static void *alloc_tagged(size_t n) {
    static unsigned count;
    size_t size = (n + 15) & ~(size_t)15;
    char *p = heap + heap_used;
    heap_used += size;
    p = (char *)((uintptr_t)p | ((uintptr_t)(count++ % 15 + 1) << 56));
    for (size_t off = 0; off < size; off += 16) __arm_mte_set_tag(p + off);
    return p;
}

static int sum(const int *v, int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += v[i];
    return s;
}

int main(void) {
    prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_SYNC | (0xfffeUL << PR_MTE_TAG_SHIFT), 0, 0, 0);
    heap = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_MTE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (heap == MAP_FAILED) { perror("mmap"); return 1; }
    int *months = alloc_tagged(12 * sizeof(int));
    long *balance = alloc_tagged(sizeof(long));
    *balance = 1000;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 99};
    for (int i = 0; i < 12; i++) months[i] = days[i];
    printf("days in a year: %d, balance %ld\n", sum(months, 12), *balance);
    fflush(stdout);
    for (int i = 0; i <= 12; i++) /* off by one: writes months[12] */
        months[i] = days[i] * 2;
    printf("balance now %ld\n", *balance);
    return 0;
}
