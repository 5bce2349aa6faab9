// stdio: puts/putchar/fwrite/fputs on stdout and stderr, line vs full buffering, reading an empty stdin.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    puts("puts line");
    putchar('x');
    putchar('\n');
    fwrite("fwrite 12345\n", 1, 13, stdout);
    fputs("to stderr 1\n", stderr);
    for (int i = 0; i < 300; i++) printf("%03d%c", i, i % 20 == 19 ? '\n' : ' ');
    fflush(stdout);
    write(1, "raw write\n", 10);
    write(2, "raw stderr\n", 11);
    char big[10000];
    memset(big, 'b', sizeof big);
    big[sizeof big - 1] = '\n';
    fwrite(big, 1, sizeof big, stdout);
    int c = getchar();
    printf("stdin gives EOF=%d\n", c == EOF);
    fprintf(stderr, "to stderr %d\n", 2);
    return 0;
}
