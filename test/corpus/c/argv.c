// @args: one "two words" '' --flag=x 3
// @env: TV_ALPHA=1 TV_BETA=hello=world TV_EMPTY=
// Prints argv and the TV_* environment variables (the harness runs both engines with the same small environment).
// The variables are printed sorted: QEMU 7.2 hands the environment to the guest in reverse order, Linux keeps it.
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv, char **envp) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc]=%s\n", argv[argc] == NULL ? "NULL" : "non-null");
    int n = 0, ntv = 0;
    for (char **e = envp; *e; e++) n++;
    char **tv = calloc((size_t)n + 1, sizeof *tv);
    for (char **e = envp; *e; e++)
        if (strncmp(*e, "TV_", 3) == 0) tv[ntv++] = *e;
    qsort(tv, (size_t)ntv, sizeof *tv, by_string);
    for (int i = 0; i < ntv; i++) printf("env %s\n", tv[i]);
    free(tv);
    printf("getenv TV_BETA=%s missing=%s\n", getenv("TV_BETA"), getenv("TV_NOPE") ? "set" : "unset");
    printf("envp count>=3: %d\n", n >= 3);
    return argc;
}
