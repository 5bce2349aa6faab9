// Bitfield and bit-manipulation instructions over a table of inputs: ubfx/sbfx/bfi/bfxil/ubfiz/sbfiz,
// shifts by immediate (lsl/lsr/asr aliases of ubfm/sbfm), extends, extr/ror, clz/cls/rbit/rev/rev16/rev32,
// in 64- and 32-bit forms. Exits with status 0.
        .include "lib.inc"
        .global _start
_start:
        adrp    x19, values
        add     x19, x19, :lo12:values
        mov     x20, #0
loop:
        ldr     x21, [x19, x20, lsl #3]
        SHOW    "v=", x21
        ubfx    x0, x21, #4, #12
        SHOW    "ubfx 4,12=", x0
        sbfx    x0, x21, #60, #4
        SHOW    "sbfx 60,4=", x0
        sbfx    w0, w21, #3, #9
        SHOW    "sbfx32 3,9=", x0
        mov     x1, #0xaaaaaaaaaaaaaaaa
        bfi     x1, x21, #8, #16
        SHOW    "bfi 8,16=", x1
        mov     x1, #0x5555555555555555
        bfxil   x1, x21, #32, #20
        SHOW    "bfxil 32,20=", x1
        movz    w1, #0x5678
        movk    w1, #0x1234, lsl #16
        bfi     w1, w21, #28, #4
        SHOW    "bfi32 28,4=", x1
        ubfiz   x0, x21, #40, #20
        SHOW    "ubfiz 40,20=", x0
        sbfiz   x0, x21, #2, #7
        SHOW    "sbfiz 2,7=", x0
        mov     x1, #-1
        bfc     x1, #4, #8
        SHOW    "bfc 4,8=", x1
        lsl     x0, x21, #63
        SHOW    "lsl 63=", x0
        lsr     w0, w21, #31
        SHOW    "lsr32 31=", x0
        asr     x0, x21, #17
        SHOW    "asr 17=", x0
        asr     w0, w21, #1
        SHOW    "asr32 1=", x0
        sxtb    x0, w21
        SHOW    "sxtb=", x0
        sxth    w0, w21
        SHOW    "sxth32=", x0
        sxtw    x0, w21
        SHOW    "sxtw=", x0
        uxtb    w0, w21
        SHOW    "uxtb=", x0
        uxth    w0, w21
        SHOW    "uxth=", x0
        extr    x0, x21, x19, #13
        sub     x0, x0, x19, lsr #13     // remove the address-dependent half (x19 bits) - keeps output address-free
        SHOW    "extr-ish=", x0
        extr    w0, w21, w21, #7
        SHOW    "ror32 7=", x0
        ror     x0, x21, #1
        SHOW    "ror 1=", x0
        clz     x0, x21
        SHOW    "clz=", x0
        clz     w0, w21
        SHOW    "clz32=", x0
        cls     x0, x21
        SHOW    "cls=", x0
        cls     w0, w21
        SHOW    "cls32=", x0
        rbit    x0, x21
        SHOW    "rbit=", x0
        rbit    w0, w21
        SHOW    "rbit32=", x0
        rev     x0, x21
        SHOW    "rev=", x0
        rev     w0, w21
        SHOW    "rev32(w)=", x0
        rev16   x0, x21
        SHOW    "rev16=", x0
        rev32   x0, x21
        SHOW    "rev32=", x0
        add     x20, x20, #1
        cmp     x20, #NVALUES
        b.ne    loop
        EXIT    0

        .section .rodata
        .balign 8
values:
        .quad   0
        .quad   0xffffffffffffffff
        .quad   0x8000000000000001
        .quad   0x0123456789abcdef
        .quad   0x00000000ffff0000
        .quad   0x7ff0000000000080
        .quad   0xf00000000000000f
values_end:
        .equ    NVALUES, (values_end - values) / 8
