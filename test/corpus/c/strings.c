// glibc string functions over many lengths and alignments (exercises the SIMD string routines),
// and printf/snprintf formatting.
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static unsigned char src[512] __attribute__((aligned(64)));
static unsigned char dst[512] __attribute__((aligned(64)));

static uint32_t hash(const unsigned char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

int main(void) {
    for (int i = 0; i < 512; i++) src[i] = (unsigned char)('A' + (i * 7) % 26);
    uint32_t h = 0;
    long lens = 0;
    for (int align = 0; align < 16; align++) {
        for (int len = 0; len < 100; len += (len < 40 ? 1 : 13)) {
            memset(dst, 0xee, sizeof dst);
            memcpy(dst + (15 - align), src + align, len);
            h = h * 33 ^ hash(dst, 160);
            memset(dst + align, 'z', len);
            h = h * 33 ^ hash(dst, 160);
            char *s = (char *)dst + align;
            s[len] = 0;
            lens += strlen(s);
            memmove(dst + align + 3, dst + align, len);
            h = h * 33 ^ hash(dst, 160);
        }
    }
    printf("memcpy/memset/memmove hash %08x lens %ld\n", h, lens);
    char a[128], b[128];
    int cmpacc = 0;
    for (int align = 0; align < 16; align++)
        for (int len = 1; len < 70; len += 3) {
            memset(a, 0, sizeof a); memset(b, 0, sizeof b);
            for (int i = 0; i < len; i++) a[align + i] = b[i] = (char)('a' + i % 26);
            int r0 = strcmp(a + align, b);
            b[len / 2] ^= 1;
            int r1 = strcmp(a + align, b);
            int r2 = strncmp(a + align, b, len / 2);
            int r3 = memcmp(a + align, b, len);
            char *c = strchr(a + align, 'a' + (len % 26));
            char *nul = strchr(a + align, 0);
            cmpacc = cmpacc * 7 + (r0 == 0) + 2 * (r1 > 0) - 3 * (r1 < 0) + 5 * (r2 == 0) + 11 * (r3 < 0) +
                     13 * (c ? (int)(c - (a + align)) : -1) + 17 * (int)(nul - (a + align));
        }
    printf("cmp/chr acc %d\n", cmpacc);
    const char *words[] = {"", "a", "hello", "Hello, world", "a somewhat longer string with spaces in it", "tab\tnew\nline"};
    for (unsigned i = 0; i < 6; i++)
        printf("[%s] len=%zu rchr=%ld spn=%zu cspn=%zu\n", words[i], strlen(words[i]),
               strrchr(words[i], 'l') ? (long)(strrchr(words[i], 'l') - words[i]) : -1L, strspn(words[i], "ahel"),
               strcspn(words[i], " ,\t"));
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%d|%5d|%-5d|%05d|%x|%#X|%lu|%s|%.3s|%c|%%", -42, 7, 7, 42, 0xbeefu, 0xcafeu,
                     18446744073709551615ul, "str", "truncate", 'Q');
    printf("snprintf n=%d buf=%s\n", n, buf);
    n = snprintf(buf, 10, "0123456789abcdef");
    printf("truncated n=%d buf=%s\n", n, buf);
    printf("floats %f %.2f %e %g %g %10.4f %-8.1f|\n", 3.14159, -2.5, 12345.678, 0.0001, 1e20, 2.0 / 3.0, 9.99);
    printf("ints %lld %llu %ld %hd %hhu %o %p\n", -9223372036854775807LL - 1, 18446744073709551615ULL, -1L, (short)-32768,
           (unsigned char)255, 511u, (void *)0);
    char cat[64] = "abc";
    strcat(cat, "def");
    strncat(cat, "ghijkl", 3);
    char cpy[64];
    strcpy(cpy, cat);
    printf("cat=%s cpy=%s dup-len=%zu\n", cat, cpy, strlen(strstr(cat, "def")));
    return 0;
}
