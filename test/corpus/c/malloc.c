// malloc/calloc/realloc/free across many sizes (small bins, large chunks, mmap-backed chunks).
// Only contents and properties are printed, never addresses. Blocks are written and checked at a stride of
// 1 + size/64 bytes so that the program stays short (a few million instructions) for the emulator.
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static unsigned rng = 777;
static unsigned next(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

int main(void) {
    enum { SLOTS = 256 };
    static unsigned char *slot[SLOTS];
    static size_t size[SLOTS];
    uint64_t sum = 0;
    int misaligned = 0, bad = 0;
    for (int round = 0; round < 4000; round++) {
        int i = next() % SLOTS;
        unsigned r = next();
        if (slot[i]) {
            for (size_t k = 0; k < size[i]; k += 1 + size[i] / 64)
                if (slot[i][k] != (unsigned char)(i + k)) bad++;
            if (r % 3 == 0) {
                size_t ns = (r >> 4) % (r % 7 == 0 ? 160000 : 2000);
                unsigned char *p = realloc(slot[i], ns ? ns : 1);
                if (!p) { printf("realloc failed\n"); return 1; }
                size_t keep = size[i] < ns ? size[i] : ns;
                for (size_t k = 0; k < keep; k += 1 + size[i] / 64)
                    if (p[k] != (unsigned char)(i + k)) bad++;
                for (size_t k = 0; k < ns; k += 1 + ns / 64) p[k] = (unsigned char)(i + k);
                slot[i] = p; size[i] = ns;
            } else {
                free(slot[i]);
                slot[i] = NULL;
            }
        } else {
            size_t n = (r >> 3) % (r % 23 == 0 ? 140000 : 1024);
            unsigned char *p;
            if (r % 2) {
                p = calloc(n ? n : 1, 1);
                if (!p) { printf("calloc failed\n"); return 1; }
                for (size_t k = 0; k < n; k += 1 + n / 256) if (p[k]) bad++;
            } else {
                p = malloc(n);
                if (!p && n) { printf("malloc failed\n"); return 1; }
            }
            if (((uintptr_t)p & 15) != 0) misaligned++;
            for (size_t k = 0; k < n; k += 1 + n / 64) p[k] = (unsigned char)(i + k);
            slot[i] = p; size[i] = n;
        }
        sum += size[i];
    }
    int live = 0;
    for (int i = 0; i < SLOTS; i++) if (slot[i]) { live++; free(slot[i]); }
    printf("sum=%llu live=%d misaligned=%d bad=%d\n", (unsigned long long)sum, live, misaligned, bad);
    void *big = malloc(8 << 20);
    memset(big, 0x5a, 8 << 20);
    printf("big ok=%d last=%02x\n", big != NULL, ((unsigned char *)big)[(8 << 20) - 1]);
    free(big);
    free(NULL);
    void *z = malloc(0);
    printf("malloc(0) unique=%d\n", z != NULL);
    free(z);
    return 0;
}
