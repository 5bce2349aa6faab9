// targets.c: several calls on one line, a call into libc (no line information) and a call through
// a function pointer (BLR). Built with gcc / clang by test/adapter/targets.test.ts for
// stepInTargets, stepIn with a targetId and modules on a C program with DWARF line tables.
#include <stdlib.h>

static int twice(int x) { return 2 * x; }
static int add(int a, int b) { return a + b; }
int (*volatile op)(int) = twice;

int main(int argc, char **argv) {
    (void)argv;
    int r = add(twice(argc), atoi("3")); /* CALLS: twice, atoi, add */
    r = op(r); /* INDIRECT */
    return r == 10 ? 0 : 1;
}
