// Integer data processing: add/sub (immediate incl. lsl #12, shifted and extended register, flag-setting forms),
// adc/sbc/ngc, logical ops with shifted registers (incl. ror), bitmask immediates, move wide, multiply family
// (madd/msub/smull/umull/smulh/umulh/smaddl/umsubl/mneg) and division (incl. by zero and INT_MIN / -1).
// Every result is printed with the flags where relevant; exits with status 0.
        .include "lib.inc"
        .global _start
_start:
        adrp    x19, pairs
        add     x19, x19, :lo12:pairs
        mov     x20, #0                 // pair index
next_pair:
        add     x9, x19, x20, lsl #4
        ldp     x21, x22, [x9]
        SHOW    "a=", x21
        SHOW    "b=", x22
        adds    x0, x21, x22
        SHOWFLAGS "adds "
        SHOW    "  =", x0
        subs    x0, x21, x22
        SHOWFLAGS "subs "
        SHOW    "  =", x0
        adds    w0, w21, w22
        SHOWFLAGS "adds32 "
        SHOW    "  =", x0
        subs    w0, w21, w22
        SHOWFLAGS "subs32 "
        SHOW    "  =", x0
        cmn     x21, x22
        adcs    x0, x21, x22
        SHOWFLAGS "adcs(c from cmn) "
        SHOW    "  =", x0
        cmp     x21, x22
        sbcs    x0, x21, x22
        SHOWFLAGS "sbcs(c from cmp) "
        SHOW    "  =", x0
        ngc     w0, w22
        SHOW    "ngc32=", x0
        add     x0, x21, x22, lsl #7
        SHOW    "add lsl7=", x0
        sub     x0, x21, x22, lsr #13
        SHOW    "sub lsr13=", x0
        add     w0, w21, w22, asr #3
        SHOW    "add32 asr3=", x0
        add     x0, x21, w22, sxtb #2
        SHOW    "add sxtb2=", x0
        sub     x0, x21, w22, uxth #4
        SHOW    "sub uxth4=", x0
        add     x0, x21, w22, sxtw
        SHOW    "add sxtw=", x0
        adds    x0, x21, x22, uxtx #1
        SHOWFLAGS "adds uxtx1 "
        SHOW    "  =", x0
        and     x0, x21, x22, ror #17
        SHOW    "and ror17=", x0
        bics    x0, x21, x22, lsl #1
        SHOWFLAGS "bics "
        SHOW    "  =", x0
        orn     x0, x21, x22, asr #60
        SHOW    "orn asr60=", x0
        eon     w0, w21, w22, lsr #5
        SHOW    "eon32 lsr5=", x0
        eor     x0, x21, x22
        SHOW    "eor=", x0
        ands    w0, w21, w22
        SHOWFLAGS "ands32 "
        SHOW    "  =", x0
        mul     x0, x21, x22
        SHOW    "mul=", x0
        mneg    x0, x21, x22
        SHOW    "mneg=", x0
        madd    x0, x21, x22, x21
        SHOW    "madd=", x0
        msub    w0, w21, w22, w22
        SHOW    "msub32=", x0
        smull   x0, w21, w22
        SHOW    "smull=", x0
        umull   x0, w21, w22
        SHOW    "umull=", x0
        smulh   x0, x21, x22
        SHOW    "smulh=", x0
        umulh   x0, x21, x22
        SHOW    "umulh=", x0
        smaddl  x0, w21, w22, x22
        SHOW    "smaddl=", x0
        umsubl  x0, w21, w22, x21
        SHOW    "umsubl=", x0
        udiv    x0, x21, x22
        SHOW    "udiv=", x0
        sdiv    x0, x21, x22
        SHOW    "sdiv=", x0
        udiv    w0, w21, w22
        SHOW    "udiv32=", x0
        sdiv    w0, w21, w22
        SHOW    "sdiv32=", x0
        lslv    x0, x21, x22
        SHOW    "lslv=", x0
        lsrv    w0, w21, w22
        SHOW    "lsrv32=", x0
        asrv    x0, x21, x22
        SHOW    "asrv=", x0
        rorv    x0, x21, x22
        SHOW    "rorv=", x0
        add     x20, x20, #1
        cmp     x20, #NPAIRS
        b.ne    next_pair

        // immediates
        mov     x21, #0x6789
        movk    x21, #0x2345, lsl #16
        movk    x21, #0x1, lsl #32
        movk    x21, #0xabcd, lsl #48
        SHOW    "mov/movk=", x21
        movn    x0, #0x1234, lsl #16
        SHOW    "movn=", x0
        movn    w0, #0
        SHOW    "movn32=", x0
        movz    w0, #0xbeef, lsl #16
        SHOW    "movz32=", x0
        add     x0, x21, #0xfff, lsl #12
        SHOW    "add imm lsl12=", x0
        subs    x0, x21, #1, lsl #12
        SHOWFLAGS "subs imm lsl12 "
        SHOW    "  =", x0
        cmp     w21, #0x789
        SHOWFLAGS "cmp32 imm "
        add     x0, sp, #16
        mov     x1, sp
        sub     x0, x0, x1
        SHOW    "sp-relative=", x0
        and     x0, x21, #0x5555555555555555
        SHOW    "and 0x55..=", x0
        orr     x0, x21, #0xff00ff00ff00ff00
        SHOW    "orr 0xff00..=", x0
        eor     x0, x21, #0x0ffffffffffffff0
        SHOW    "eor 0x0ff..f0=", x0
        and     x0, x21, #0xe00000000000003f
        SHOW    "and e0..3f=", x0
        orr     w0, wzr, #0x80808080
        SHOW    "orr32 80808080=", x0
        eor     w0, w21, #0x3fffc000
        SHOW    "eor32 3fffc000=", x0
        ands    x0, x21, #0x8000000000000000
        SHOWFLAGS "ands top bit "
        tst     x21, #0x1e
        SHOWFLAGS "tst 0x1e "
        mov     x0, #0x3333333333333333
        SHOW    "mov bitmask=", x0
        mov     w0, #0x00ff00ff
        SHOW    "mov32 bitmask=", x0
        neg     x0, x21
        SHOW    "neg=", x0
        negs    w0, w21
        SHOWFLAGS "negs32 "
        mvn     x0, x21, lsl #4
        SHOW    "mvn lsl4=", x0
        EXIT    0

        .section .rodata
        .balign 16
pairs:
        .quad   0, 0
        .quad   1, 0xffffffffffffffff
        .quad   0x7fffffffffffffff, 1
        .quad   0x8000000000000000, 0xffffffffffffffff
        .quad   0x80000000, 0xffffffff
        .quad   0x123456789abcdef0, 0x0fedcba987654321
        .quad   0xfffffffffffffff9, 7
        .quad   100, 0x45
        .quad   0xdeadbeef00000000, 0x100000040
pairs_end:
        .equ    NPAIRS, (pairs_end - pairs) / 16
