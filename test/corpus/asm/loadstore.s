// Load/store addressing modes: unsigned scaled offset, unscaled (ldur/stur), pre- and post-index writeback,
// register offset (lsl / uxtw / sxtw / sxtx), sign-extending loads (ldrsb/ldrsh/ldrsw into w and x), pairs
// (ldp/stp/ldpsw, pre/post), non-temporal pairs, literal loads, prfm, 128-bit q loads. Every address printed is
// an offset from the buffer start, so the output does not depend on where the buffer lives.
        .include "lib.inc"
        .global _start
_start:
        adrp    x19, buf
        add     x19, x19, :lo12:buf
        // fill buf[i] = i*7+1 for 256 bytes
        mov     x0, #0
1:      mov     x1, #7
        madd    x2, x0, x1, x1
        sub     x2, x2, #6
        strb    w2, [x19, x0]
        add     x0, x0, #1
        cmp     x0, #256
        b.ne    1b

        ldrb    w20, [x19, #255]
        SHOW    "ldrb #255=", x20
        ldrh    w20, [x19, #6]
        SHOW    "ldrh #6=", x20
        ldr     w20, [x19, #12]
        SHOW    "ldr w #12=", x20
        ldr     x20, [x19, #248]
        SHOW    "ldr x #248=", x20
        ldur    x20, [x19, #3]
        SHOW    "ldur x #3=", x20
        add     x21, x19, #128
        ldur    w20, [x21, #-5]
        SHOW    "ldur w #-5=", x20
        ldursh  x20, [x21, #-1]
        SHOW    "ldursh #-1=", x20
        ldrsb   x20, [x19, #200]
        SHOW    "ldrsb x=", x20
        ldrsb   w20, [x19, #200]
        SHOW    "ldrsb w=", x20
        ldrsh   x20, [x19, #130]
        SHOW    "ldrsh x=", x20
        ldrsh   w20, [x19, #130]
        SHOW    "ldrsh w=", x20
        ldrsw   x20, [x19, #128]
        SHOW    "ldrsw=", x20

        // pre/post index: print loaded value and pointer offset
        mov     x21, x19
        ldr     x20, [x21, #16]!
        sub     x22, x21, x19
        SHOW    "pre-index value=", x20
        SHOW    "pre-index offset=", x22
        ldrh    w20, [x21], #-6
        sub     x22, x21, x19
        SHOW    "post-index value=", x20
        SHOW    "post-index offset=", x22
        ldrsw   x20, [x21, #-2]!
        sub     x22, x21, x19
        SHOW    "ldrsw pre value=", x20
        SHOW    "ldrsw pre offset=", x22

        // register offsets
        mov     x23, #5
        ldrb    w20, [x19, x23]
        SHOW    "ldrb [x, x]=", x20
        ldrh    w20, [x19, x23, lsl #1]
        SHOW    "ldrh lsl1=", x20
        mov     w24, #0xffffffff        // -1 as sxtw, 4G-1 as uxtw
        add     x25, x19, #64
        ldr     w20, [x25, w24, sxtw #2]
        SHOW    "ldr w sxtw#2 (-1)=", x20
        mov     w24, #3
        ldr     x20, [x19, w24, uxtw #3]
        SHOW    "ldr x uxtw#3=", x20
        mov     x24, #-8
        ldr     x20, [x25, x24, sxtx]
        SHOW    "ldr x sxtx=", x20
        ldrsb   x20, [x25, x24, lsl #0]
        SHOW    "ldrsb reg=", x20

        // stores of every size, then read back as a whole
        adrp    x26, out
        add     x26, x26, :lo12:out
        movz    x0, #0x1122, lsl #48
        movk    x0, #0x3344, lsl #32
        movk    x0, #0x5566, lsl #16
        movk    x0, #0x7788
        str     x0, [x26]
        strb    w0, [x26, #8]
        strh    w0, [x26, #10]
        str     w0, [x26, #12]
        stur    x0, [x26, #17]
        mov     x27, x26
        strb    w0, [x27, #40]!
        strh    w0, [x27], #2
        str     w0, [x27, #2]!
        mov     x1, #48
        str     x0, [x26, x1]
        mov     w1, #7
        strh    w0, [x26, w1, uxtw #1]
        sub     x22, x27, x26
        SHOW    "store writeback offset=", x22
        mov     x28, #0
2:      ldr     x20, [x26, x28, lsl #3]
        SHOW    "out=", x20
        add     x28, x28, #1
        cmp     x28, #8
        b.ne    2b

        // pairs
        ldp     x20, x21, [x19, #32]
        SHOW    "ldp a=", x20
        SHOW    "ldp b=", x21
        ldp     w20, w21, [x19, #-0]
        SHOW    "ldp w a=", x20
        SHOW    "ldp w b=", x21
        ldpsw   x20, x21, [x19, #128]
        SHOW    "ldpsw a=", x20
        SHOW    "ldpsw b=", x21
        mov     x27, x19
        ldp     x20, x21, [x27, #64]!
        sub     x22, x27, x19
        SHOW    "ldp pre offset=", x22
        ldp     x20, x21, [x27], #-32
        sub     x22, x27, x19
        SHOW    "ldp post offset=", x22
        stp     x20, x21, [x26, #64]
        stp     w21, w20, [x26, #80]
        mov     x27, x26
        stp     x19, x19, [x27, #96]!
        stp     xzr, xzr, [x27], #16
        ldnp    x20, x21, [x26, #64]
        stnp    x21, x20, [x26, #112]
        SHOW    "ldnp a=", x20
        SHOW    "ldnp b=", x21
        ldp     x20, x21, [x26, #80]
        SHOW    "stp w=", x20
        ldr     x20, [x26, #96]
        SHOW    "stp xzr=", x20
        ldr     x20, [x26, #120]
        SHOW    "stnp=", x20
        ldr     q0, [x19, #16]
        str     q0, [x26, #128]
        ldp     q1, q2, [x19, #32]
        stp     q2, q1, [x26, #144]
        ldr     x20, [x26, #136]
        SHOW    "q copy hi=", x20
        ldr     x20, [x26, #144]
        SHOW    "q pair swapped=", x20
        ldr     d3, [x19, #8]
        fmov    x20, d3
        SHOW    "ldr d=", x20
        ldr     s4, [x19, #4]
        fmov    w20, s4
        SHOW    "ldr s=", x20
        ldr     h5, [x19, #2]
        umov    w20, v5.h[0]
        SHOW    "ldr h=", x20
        ldr     b6, [x19, #1]
        umov    w20, v6.b[0]
        SHOW    "ldr b=", x20

        // literals and prefetch
        ldr     x20, lit64
        SHOW    "ldr literal=", x20
        ldrsw   x20, lit32
        SHOW    "ldrsw literal=", x20
        ldr     x20, =0x0badcafe12345678
        SHOW    "ldr =const=", x20
        ldr     d7, lit64
        fmov    x20, d7
        SHOW    "ldr d literal=", x20
        prfm    pldl1keep, [x19, #64]
        prfm    pstl2strm, [x19, x23]
        prfm    pldl1keep, lit64
        EXIT    0

        .balign 8
lit64:  .quad   0x8877665544332211
lit32:  .word   0x80000001
        .ltorg

        .data
        .balign 64
buf:    .skip   256
out:    .skip   256
