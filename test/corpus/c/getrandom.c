// getrandom/AT_RANDOM are used but never printed: only lengths and sanity properties.
#include <stdio.h>
#include <sys/random.h>
#include <sys/auxv.h>
#include <string.h>

int main(void) {
    unsigned char a[32], b[32];
    ssize_t r1 = getrandom(a, sizeof a, 0);
    ssize_t r2 = getrandom(b, sizeof b, GRND_NONBLOCK);
    ssize_t r3 = getrandom(a, 0, 0);
    printf("getrandom %zd %zd %zd differ=%d\n", r1, r2, r3, memcmp(a, b, sizeof a) != 0);
    unsigned long at_random = getauxval(AT_RANDOM);
    printf("AT_RANDOM present=%d pagesz=%lu\n", at_random != 0, getauxval(AT_PAGESZ));
    return 0;
}
