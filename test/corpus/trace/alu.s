// Register-trace program: integer arithmetic, logic, shifts, multiply/divide, flags and conditional selects in
// a loop (about 600 instructions). No syscalls except the final exit. NZCV is cleared first because QEMU's
// initial PSTATE has Z set while Linux starts with NZCV = 0.
        .global _start
_start:
        msr     nzcv, xzr
        mov     x0, #1
        movz    x1, #0x9e37, lsl #48
        movk    x1, #0x79b9, lsl #32
        movk    x1, #0x7f4a, lsl #16
        movk    x1, #0x7c15
        mov     x2, #0
        mov     x3, #25                 // iterations
loop:
        eor     x0, x0, x0, lsl #13
        eor     x0, x0, x0, lsr #7
        eor     x0, x0, x0, lsl #17
        adds    x4, x0, x1
        adc     x5, x4, x2
        subs    x6, x5, x0, lsr #9
        sbc     x7, x6, xzr
        mul     x8, x4, x6
        umulh   x9, x4, x6
        smulh   x10, x5, x7
        orr     x11, x8, #1
        udiv    x12, x9, x11
        sdiv    x13, x10, x11
        csel    x14, x12, x13, hi
        cinc    x15, x14, mi
        ccmp    x14, x15, #0b0101, ne
        cset    w16, ge
        add     w17, w4, w5, uxtb #2
        sub     w18, w17, w16
        clz     x19, x0
        rbit    x20, x0
        rev     x21, x20
        ubfx    x22, x21, #5, #17
        bfi     x23, x22, #40, #9
        extr    x24, x23, x0, #31
        madd    x2, x22, x19, x2
        add     x25, x25, x24, asr #3
        eor     x26, x26, x25
        and     x27, x26, #0x0ff00ff00ff00ff0
        negs    x28, x27
        bic     x29, x28, x0
        orn     x30, x29, x1, lsl #1
        subs    x3, x3, #1
        b.ne    loop
        and     x0, x2, #0x7f
        mov     x8, #93
        svc     #0
