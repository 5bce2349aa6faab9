// @args: 42
// atexit handlers run in reverse order, stdio buffers are flushed, exit status is the argument.
#include <stdio.h>
#include <stdlib.h>

static void first(void) { printf("atexit first (runs last)\n"); }
static void second(void) { printf("atexit second (runs first)\n"); fprintf(stderr, "stderr from atexit\n"); }

int main(int argc, char **argv) {
    atexit(first);
    atexit(second);
    printf("buffered line without flush");
    printf("\n");
    return argc > 1 ? atoi(argv[1]) : 0;
}
