// 64-bit integer arithmetic: mul/div/mod, shifts, widening multiply, overflow builtins.
#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>

static volatile uint64_t vu[] = {0, 1, 2, 3, 7, 255, 0x8000000000000000ull, 0xffffffffffffffffull,
                                 0x123456789abcdef0ull, 0x7fffffffffffffffull, 1000000007ull, 0xdeadbeefull};
static volatile int64_t vs[] = {0, 1, -1, 2, -2, 7, -7, INT64_MAX, INT64_MIN, 123456789012345ll, -98765432109ll};

int main(void) {
    const int nu = sizeof vu / sizeof vu[0], ns = sizeof vs / sizeof vs[0];
    uint64_t acc = 0;
    for (int i = 0; i < nu; i++)
        for (int j = 0; j < nu; j++) {
            uint64_t a = vu[i], b = vu[j];
            uint64_t m = a * b;
            unsigned __int128 w = (unsigned __int128)a * b;
            uint64_t q = b ? a / b : 0, r = b ? a % b : 0;
            acc = acc * 31 + m + (uint64_t)(w >> 64) + q + r;
            if (i < 6 && j < 6)
                printf("u %" PRIu64 " %" PRIu64 ": mul=%" PRIx64 " hi=%" PRIx64 " div=%" PRIu64 " mod=%" PRIu64 "\n",
                       a, b, m, (uint64_t)(w >> 64), q, r);
        }
    printf("unsigned checksum %016" PRIx64 "\n", acc);
    acc = 0;
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < ns; j++) {
            int64_t a = vs[i], b = vs[j];
            int64_t q = 0, r = 0;
            if (b != 0 && !(a == INT64_MIN && b == -1)) { q = a / b; r = a % b; }
            __int128 w = (__int128)a * b;
            int64_t s;
            int ov_add = __builtin_add_overflow(a, b, &s);
            int ov_sub = __builtin_sub_overflow(a, b, &s);
            int ov_mul = __builtin_mul_overflow(a, b, &s);
            acc = acc * 131 + (uint64_t)q + (uint64_t)r + (uint64_t)(w >> 64) + (uint64_t)w + ov_add * 3 + ov_sub * 5 + ov_mul * 7;
            if (i < 7 && j < 7)
                printf("s %" PRId64 " %" PRId64 ": div=%" PRId64 " mod=%" PRId64 " ov=%d%d%d\n", a, b, q, r, ov_add, ov_sub, ov_mul);
        }
    printf("signed checksum %016" PRIx64 "\n", acc);
    for (int sh = 0; sh < 64; sh += 7) {
        uint64_t x = vu[8];
        int64_t y = vs[10];
        printf("shift %2d: lsl=%016" PRIx64 " lsr=%016" PRIx64 " asr=%016" PRIx64 " ror=%016" PRIx64 "\n", sh, x << sh, x >> sh,
               (uint64_t)(y >> sh), sh ? (x >> sh) | (x << (64 - sh)) : x);
    }
    uint32_t a32 = (uint32_t)vu[11], b32 = 0xfffffff0u;
    int32_t s32 = (int32_t)vs[6];
    printf("32-bit: %u %u %u %d %d %u\n", a32 + b32, a32 * b32, a32 / 3u, s32 / 2, s32 % 4, (uint32_t)s32 >> 3);
    uint64_t ov;
    printf("uadd ov=%d usub ov=%d umul ov=%d\n", __builtin_add_overflow(vu[7], vu[1], &ov),
           __builtin_sub_overflow(vu[0], vu[1], &ov), __builtin_mul_overflow(vu[6], vu[2], &ov));
    return 0;
}
