/* Benchmark for the block compiler on glibc's SIMD string/memory routines and scalar double
 * arithmetic (bench/simd.ts). Deterministic; prints a checksum. argv[1] = rounds (default 200). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char src[8192], dst[8192];
static const int sizes[] = { 3, 7, 15, 16, 31, 33, 64, 100, 255, 511, 1024, 4000 };
#define NSIZES ((int)(sizeof sizes / sizeof sizes[0]))

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 200;
  unsigned long sum = 0;
  for (int i = 0; i < (int)sizeof src; i++) src[i] = (char)('a' + (i * 7 + i / 13) % 26);
  double acc = 0.0, x = 1.0;
  for (int r = 0; r < rounds; r++) {
    for (int k = 0; k < NSIZES; k++) {
      int n = sizes[k], off = (r + k) & 15;
      memset(dst, 0, n + 32);
      memcpy(dst + off, src + k, n);
      dst[off + n] = 0;
      sum += strlen(dst + off);
      sum += (unsigned long)(strchr(dst + off, 'z') ? 1 : 0);
      sum += (unsigned long)(memchr(dst + off, 'q', n) != NULL);
      sum += (unsigned long)(memcmp(dst + off, src + k, n) == 0);
      sum += (unsigned long)(strcmp(dst + off, src + k) != 0);
      strcpy(dst + 4096, dst + off);
      sum += (unsigned long)dst[4096 + n / 2];
      memmove(dst + off + 1, dst + off, n);
    }
    for (int i = 1; i <= 200; i++) {
      double d = (double)i;
      x = x * 1.0000001 + 1.0 / d;
      acc += x / (d + 0.5) - (double)(long)(x * 0.25);
      if (acc > 1e9) acc -= 1e9;
    }
  }
  printf("sum %lu acc %.6f x %.6f\n", sum, acc, x);
  return 0;
}
