// Recursion: fibonacci, ackermann, hanoi, mutual recursion, deep recursion with stack arrays.
#include <stdio.h>

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static unsigned ack(unsigned m, unsigned n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}
static long moves;
static void hanoi(int n, int from, int to, int via) {
    if (n == 0) return;
    hanoi(n - 1, from, via, to);
    moves++;
    if (n == 7 && moves < 200) printf("move disk %d %d->%d\n", n, from, to);
    hanoi(n - 1, via, to, from);
}
static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }
static unsigned long deep(int n) {
    volatile unsigned char buf[96];
    for (int i = 0; i < 96; i++) buf[i] = (unsigned char)(n + i);
    if (n == 0) return buf[5];
    return deep(n - 1) + buf[n % 96];
}

int main(void) {
    for (int i = 0; i <= 20; i += 4) printf("fib(%d)=%ld\n", i, fib(i));
    printf("ack(2,3)=%u ack(3,3)=%u\n", ack(2, 3), ack(3, 3));
    hanoi(10, 1, 3, 2);
    printf("hanoi moves=%ld\n", moves);
    printf("even(1001)=%d odd(777)=%d\n", is_even(1001), is_odd(777));
    printf("deep=%lu\n", deep(5000));
    return 0;
}
