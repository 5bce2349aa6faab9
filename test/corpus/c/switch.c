// Dense and sparse switch statements (jump tables), function-pointer tables, computed dispatch.
#include <stdio.h>

static const char *dense(int x) {
    switch (x) {
    case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three";
    case 4: return "four"; case 5: return "five"; case 6: return "six"; case 7: return "seven";
    case 8: return "eight"; case 9: return "nine"; case 10: return "ten"; case 11: return "eleven";
    default: return "many";
    }
}

static int sparse(long x) {
    switch (x) {
    case -1000: return 1; case 3: return 2; case 77: return 3; case 1024: return 4;
    case 65536: return 5; case 1L << 40: return 6; case 999999: return 7;
    default: return 0;
    }
}

static int op_add(int a, int b) { return a + b; }
static int op_sub(int a, int b) { return a - b; }
static int op_mul(int a, int b) { return a * b; }
static int op_xor(int a, int b) { return a ^ b; }
static int (*const ops[])(int, int) = {op_add, op_sub, op_mul, op_xor};

/* A tiny bytecode interpreter: stack machine with a switch loop. */
static int run(const unsigned char *code) {
    int stack[32], sp = 0, pc = 0;
    for (;;) {
        unsigned char op = code[pc++];
        switch (op) {
        case 0: return stack[sp - 1];
        case 1: stack[sp++] = code[pc++]; break;
        case 2: sp--; stack[sp - 1] += stack[sp]; break;
        case 3: sp--; stack[sp - 1] *= stack[sp]; break;
        case 4: stack[sp] = stack[sp - 1]; sp++; break;
        case 5: if (stack[sp - 1] > 1000) pc = code[pc]; else pc++; break;
        case 6: pc = code[pc]; break;
        default: return -1;
        }
    }
}

int main(void) {
    for (int i = -1; i < 14; i++) printf("%d:%s ", i, dense(i));
    printf("\n");
    long keys[] = {-1000, 3, 4, 77, 1024, 65536, 1L << 40, 999999, 1000000};
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++) printf("%d", sparse(keys[i]));
    printf("\n");
    int acc = 1;
    for (int i = 0; i < 20; i++) acc = ops[i % 4](acc, i + 3);
    printf("ops acc=%d\n", acc);
    /* push 2; loop: dup; mul; if >1000 goto end; goto loop; end: return */
    const unsigned char prog[] = {1, 2, 4, 3, 5, 9, 6, 2, 0, 0};
    printf("bytecode=%d\n", run(prog));
    const unsigned char prog2[] = {1, 7, 1, 8, 2, 1, 3, 3, 0};
    printf("bytecode2=%d bad=%d\n", run(prog2), run((const unsigned char[]){1, 1, 42}));
    return 0;
}
