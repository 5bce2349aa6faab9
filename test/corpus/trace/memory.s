// Register-trace program: loads and stores of every size and addressing mode against .data, SP-relative
// stack traffic (SP values are compared relative to the initial SP), pairs, exclusives and LSE atomics.
        .global _start
_start:
        msr     nzcv, xzr
        adrp    x19, data
        add     x19, x19, :lo12:data
        mov     x0, #0
fill:   add     w1, w0, w0, lsl #3
        strb    w1, [x19, x0]
        add     x0, x0, #1
        cmp     x0, #128
        b.ne    fill
        ldr     x1, [x19, #8]
        ldrb    w2, [x19, #127]
        ldrsb   x3, [x19, #100]
        ldrh    w4, [x19, #6]
        ldrsh   w5, [x19, #90]
        ldrsw   x6, [x19, #88]
        ldur    x7, [x19, #3]
        mov     x20, x19
        ldr     x8, [x20, #16]!
        ldr     w9, [x20], #4
        mov     x10, #5
        ldr     x11, [x19, x10, lsl #3]
        mov     w12, #-2
        add     x13, x19, #64
        ldrh    w14, [x13, w12, sxtw #1]
        ldp     x15, x16, [x19, #32]
        ldpsw   x17, x18, [x19, #40]
        stp     x1, x3, [sp, #-32]!
        str     x4, [sp, #16]
        ldp     x21, x22, [sp]
        ldr     x23, [sp, #16]
        add     sp, sp, #32
        str     x21, [x19, #200]
        strh    w22, [x19, #210]
        stur    w23, [x19, #213]
        ldr     x24, [x19, #208]
        add     x25, x19, #224
        ldxr    x26, [x25]
        add     x26, x26, #7
        stxr    w27, x26, [x25]
        mov     x28, #3
        ldadd   x28, x29, [x25]
        swp     x28, x30, [x25]
        mov     x0, x28
        mov     x1, #9
        cas     x0, x1, [x25]
        ldr     x2, [x25]
        ldclr   x28, x3, [x25]
        ldset   x24, x4, [x25]
        ldr     x5, [x25]
        and     x0, x5, #0x3f
        mov     x8, #93
        svc     #0

        .data
        .balign 16
data:   .skip   256
