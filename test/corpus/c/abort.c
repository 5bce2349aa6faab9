// abort() after writing to stdout and stderr: the process dies with SIGABRT (shell status 134).
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("about to abort\n");
    fflush(stdout);
    fprintf(stderr, "fatal: giving up\n");
    abort();
}
