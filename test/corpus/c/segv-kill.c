// An uncaught null-pointer write kills the process with SIGSEGV (shell status 139); output before it is flushed.
#include <stdio.h>

int main(void) {
    printf("before the crash\n");
    fflush(stdout);
    volatile int *volatile p = (int *)0x10;
    *p = 5;
    printf("not reached\n");
    return 0;
}
