// Bit operations: popcount, clz/ctz, byte swaps, bit reversal, masks, bitfields.
#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>

struct flags { unsigned a : 3; unsigned b : 5; signed c : 4; unsigned d : 20; uint64_t e : 33; };

static uint64_t rbit64(uint64_t x) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i++) r |= ((x >> i) & 1) << (63 - i);
    return r;
}

int main(void) {
    volatile uint64_t seed = 0x9e3779b97f4a7c15ull;
    uint64_t x = seed, sum = 0;
    for (int i = 0; i < 40; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        uint64_t y = x >> (i % 64);
        int pc = __builtin_popcountll(y);
        int lz = y ? __builtin_clzll(y) : 64;
        int tz = y ? __builtin_ctzll(y) : 64;
        uint64_t bs = __builtin_bswap64(y);
        uint32_t bs32 = __builtin_bswap32((uint32_t)y);
        uint16_t bs16 = __builtin_bswap16((uint16_t)y);
        sum += pc + lz * 3 + tz * 5 + bs + bs32 + bs16 + rbit64(y);
        if (i % 5 == 0)
            printf("%016" PRIx64 " pop=%d clz=%d ctz=%d bswap=%016" PRIx64 " b32=%08x b16=%04x rbit=%016" PRIx64 "\n", y, pc, lz, tz, bs,
                   bs32, bs16, rbit64(y));
    }
    printf("sum %016" PRIx64 "\n", sum);
    uint64_t v = x;
    printf("and=%016" PRIx64 " orr=%016" PRIx64 " eor=%016" PRIx64 " bic=%016" PRIx64 " orn=%016" PRIx64 "\n", v & 0x00ff00ff00ff00ffull,
           v | 0xf0f0f0f0f0f0f0f0ull, v ^ 0x5555555555555555ull, v & ~0xffffull, v | ~0x0ull >> 4);
    printf("extract=%" PRIx64 " insert=%016" PRIx64 " sext=%" PRId64 "\n", (v >> 12) & 0x3ff, (v & ~(0xffull << 20)) | (0x5aull << 20),
           (int64_t)(v << 40) >> 52);
    struct flags f = {0};
    for (int i = 0; i < 10; i++) {
        f.a += i; f.b -= 3 * i; f.c = (signed)(i * 3) - 8; f.d ^= (unsigned)(i * 0x12345); f.e += 0x1f0000001ull * i;
        printf("flags a=%u b=%u c=%d d=%u e=%" PRIx64 "\n", f.a, f.b, f.c, f.d, (uint64_t)f.e);
    }
    return 0;
}
