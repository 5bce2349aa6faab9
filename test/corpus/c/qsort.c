// qsort and bsearch on integers, strings and structs with a deterministic LCG.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned lcg_state = 12345;
static unsigned lcg(void) { lcg_state = lcg_state * 1103515245u + 12345u; return (lcg_state >> 8) & 0xffffff; }
static int cmp_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
struct rec { int key; int order; };
static int cmp_rec(const void *a, const void *b) {
    const struct rec *x = a, *y = b;
    if (x->key != y->key) return x->key - y->key;
    return x->order - y->order;
}

int main(void) {
    enum { N = 2000 };
    static int v[N];
    for (int i = 0; i < N; i++) v[i] = (int)(lcg() % 100000) - 50000;
    qsort(v, N, sizeof v[0], cmp_int);
    long chk = 0;
    int sorted = 1;
    for (int i = 0; i < N; i++) { chk = chk * 31 + v[i]; if (i && v[i - 1] > v[i]) sorted = 0; }
    printf("ints sorted=%d min=%d max=%d median=%d chk=%ld\n", sorted, v[0], v[N - 1], v[N / 2], chk);
    int found = 0;
    for (int k = -50000; k < 50000; k += 97) found += bsearch(&k, v, N, sizeof v[0], cmp_int) != NULL;
    printf("bsearch found %d\n", found);
    static char store[300][12];
    char *strs[300];
    for (int i = 0; i < 300; i++) {
        int len = 1 + lcg() % 10;
        for (int j = 0; j < len; j++) store[i][j] = (char)('a' + lcg() % 26);
        store[i][len] = 0;
        strs[i] = store[i];
    }
    qsort(strs, 300, sizeof strs[0], cmp_str);
    for (int i = 0; i < 300; i += 37) printf("%s ", strs[i]);
    printf("\n");
    static struct rec recs[500];
    for (int i = 0; i < 500; i++) { recs[i].key = lcg() % 20; recs[i].order = i; }
    qsort(recs, 500, sizeof recs[0], cmp_rec);
    for (int i = 0; i < 500; i += 50) printf("(%d,%d) ", recs[i].key, recs[i].order);
    printf("\n");
    return 0;
}
