// Register-trace program: calls and returns (x30 values are code addresses, identical in both engines),
// recursion through the stack, an indirect jump table, blr/br, cbz/tbz/b.cond loops.
        .global _start
_start:
        msr     nzcv, xzr
        mov     x0, #9
        bl      fib
        mov     x19, x0
        mov     x20, #0
        mov     x21, #0
table_loop:
        adr     x1, jtab
        and     x2, x20, #3
        ldr     w3, [x1, x2, lsl #2]
        add     x3, x1, w3, sxtw
        br      x3
case0:  add     x21, x21, #1
        b       next
case1:  lsl     x21, x21, #1
        b       next
case2:  eor     x21, x21, #0xf0
        b       next
case3:  sub     x21, x21, #3
next:   add     x20, x20, #1
        cmp     x20, #10
        b.lt    table_loop
        adr     x4, leaf
        blr     x4
        mov     x5, #0x40
bits:   tbz     x5, #0, 1f
        add     x6, x6, #1
1:      lsr     x5, x5, #1
        cbnz    x5, bits
        add     x0, x19, x21
        and     x0, x0, #0x7f
        mov     x8, #93
        svc     #0

leaf:   mov     x7, x30
        ret

// fib(x0) recursive, frame on the stack
fib:    cmp     x0, #2
        b.lo    2f
        stp     x29, x30, [sp, #-32]!
        str     x19, [sp, #16]
        sub     x19, x0, #1
        mov     x0, x19
        bl      fib
        mov     x1, x0
        sub     x0, x19, #1
        str     x1, [sp, #24]
        bl      fib
        ldr     x1, [sp, #24]
        add     x0, x0, x1
        ldr     x19, [sp, #16]
        ldp     x29, x30, [sp], #32
2:      ret

        .balign 4
jtab:   .word   case0 - jtab, case1 - jtab, case2 - jtab, case3 - jtab
