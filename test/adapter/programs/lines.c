// lines.c: line stepping on C programs (test/adapter/lines.test.ts), built with gcc and clang,
// static and static-pie. clang -O0 puts DWARF line-0 rows (code of no source line) inside the
// CALLS line and before the INDIRECT line's code; line steps go through them.
#include <stdlib.h>

struct pair { long a, b; };

static int twice(int x) { return 2 * x; } /* TWICE */
static struct pair mk(long x) { struct pair p = { x, 3 * x }; return p; } /* MK */
int (*volatile op)(int) = twice;

int main(int argc, char **argv) {
    (void)argv;
    int r = twice(argc) + atoi("3"); /* CALLS */
    struct pair p = mk(r); /* STRUCT */
    r = op(r); /* INDIRECT */
    long s = p.a + p.b + r; /* SUM */
    for (int i = 0; i < 3; i++) s += i; /* LOOP */
    return s == 33 ? 0 : 1; /* RETURN */
}
