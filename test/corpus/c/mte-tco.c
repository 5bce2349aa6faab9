// PSTATE.TCO: with TCO=1 mismatching accesses are not checked; TCO reads back through MRS; sigreturn restores
// the interrupted value. (Linux clears TCO on handler entry, QEMU 7.2 does not, so the handler's own TCO value
// is deliberately not printed.)
#include "mte-common.h"

static inline unsigned long read_tco(void) {
    unsigned long v;
    __asm__ volatile("mrs %0, tco" : "=r"(v));
    return v;
}
static volatile int usr1_hits;
static void on_usr1(int sig) { (void)sig; usr1_hits++; __asm__ volatile("msr tco, #0" ::: "memory"); }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    mte_enable(PR_MTE_TCF_SYNC, 0xfffe);
    install_segv(tv_segv_jump, 1);
    signal(SIGUSR1, on_usr1);
    char *base = map_tagged(4096);
    volatile char *p = with_tag(base, 0x6);
    tag_range((char *)p, 16);
    printf("initial tco=%#lx\n", read_tco());
    __asm__ volatile("msr tco, #1" ::: "memory");
    unsigned long t1 = read_tco();
    p[20] = 42; /* granule 1 has tag 0: unchecked while TCO=1 */
    char v = p[20];
    raise(SIGUSR1);
    unsigned long t2 = read_tco();
    __asm__ volatile("msr tco, #0" ::: "memory");
    printf("tco set=%#lx value=%d handler ran=%d after sigreturn=%#lx now=%#lx\n", t1, v, usr1_hits, t2, read_tco());
    int f;
    TRY(f, p[20] = 43);
    report_fault("store with tco=0", f, base, 1);
    /* register form: MSR TCO, Xt */
    unsigned long one = 1ul << 25;
    __asm__ volatile("msr tco, %0" ::"r"(one) : "memory");
    TRY(f, p[21] = 44);
    report_fault("store after msr tco, x", f, base, 1);
    __asm__ volatile("msr tco, xzr" ::: "memory");
    TRY(f, p[22] = 45);
    report_fault("store after msr tco, xzr", f, base, 1);
    printf("bytes 20..22: %d %d %d\n", *(char *)with_tag(base + 20, 0), *(char *)with_tag(base + 21, 0), *(char *)with_tag(base + 22, 0));
    return 0;
}
