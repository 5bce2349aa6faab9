// @args: one "two words" '' --flag=x 3
// @env: TV_ALPHA=1 TV_BETA=hello=world TV_EMPTY=
// Prints argv and the TV_* environment variables (the harness runs both engines with the same small environment).
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

int main(int argc, char **argv, char **envp) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc]=%s\n", argv[argc] == NULL ? "NULL" : "non-null");
    int n = 0;
    for (char **e = envp; *e; e++)
        if (strncmp(*e, "TV_", 3) == 0) printf("env %s\n", *e);
    for (char **e = envp; *e; e++) n++;
    printf("getenv TV_BETA=%s missing=%s\n", getenv("TV_BETA"), getenv("TV_NOPE") ? "set" : "unset");
    printf("envp count>=3: %d\n", n >= 3);
    return argc;
}
