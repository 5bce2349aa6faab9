// setjmp/longjmp across frames, sigsetjmp/siglongjmp out of a signal handler, values preserved in volatiles.
#include <stdio.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

static jmp_buf env;
static sigjmp_buf senv;
static int depth_reached;

static void dive(int depth) {
    char pad[64];
    memset(pad, depth, sizeof pad);
    depth_reached = depth + pad[3] - depth;
    if (depth == 50) longjmp(env, depth);
    dive(depth + 1);
}

static void on_usr1(int sig) { siglongjmp(senv, sig + 100); }

int main(void) {
    volatile int count = 0;
    int r = setjmp(env);
    printf("setjmp returned %d count=%d\n", r, count);
    if (count++ < 3) longjmp(env, count * 10);
    r = setjmp(env);
    if (r == 0) dive(0);
    printf("back from dive %d depth=%d\n", r, depth_reached);
    r = setjmp(env);
    if (r == 0) longjmp(env, 0);
    printf("longjmp(0) gives %d\n", r);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    for (int i = 0; i < 3; i++) {
        int s = sigsetjmp(senv, 1);
        if (s == 0) {
            raise(SIGUSR1);
            printf("not reached\n");
        } else {
            sigset_t cur;
            sigprocmask(SIG_BLOCK, NULL, &cur);
            printf("siglongjmp %d usr1-blocked=%d\n", s, sigismember(&cur, SIGUSR1));
        }
    }
    return 0;
}
