// Conditional execution: every condition code evaluated by b.cond, cset and csel against a table of NZCV
// values; csinc/csinv/csneg/cinc/cinv/cneg/csetm; ccmp/ccmn (register and immediate); cbz/cbnz/tbz/tbnz.
        .include "lib.inc"
        .global _start
_start:
        mov     x19, #0                 // nzcv value index 0..15 (flags = index << 28)
flags_loop:
        lsl     x20, x19, #28
        mov     x21, #0                 // bitmask of b.cond taken
        mov     x22, #0                 // bitmask of csel results
        mov     x9, #1
        .irp    cond, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al, nv
        msr     nzcv, x20
        b.\cond 1f
        b       2f
1:      orr     x21, x21, #1
2:      ror     x21, x21, #1
        msr     nzcv, x20
        csel    x0, x9, xzr, \cond     // cset cannot encode al/nv; csel can
        orr     x22, x0, x22, lsl #1
        .endr
        lsr     x21, x21, #48
        SHOW    "nzcv=", x20
        SHOW    "  b.cond taken mask=", x21
        SHOW    "  csel mask=", x22
        add     x19, x19, #1
        cmp     x19, #16
        b.ne    flags_loop

        mov     x23, #10
        mov     x24, #20
        cmp     x23, x24
        csel    x0, x23, x24, lt
        SHOW    "csel lt=", x0
        cmp     x23, x24
        csinc   x0, x23, x24, gt
        SHOW    "csinc gt=", x0
        cmp     x23, x24
        csinv   x0, x23, x24, ge
        SHOW    "csinv ge=", x0
        cmp     x23, x24
        csneg   w0, w23, w24, eq
        SHOW    "csneg32 eq=", x0
        cmp     x23, x24
        cinc    x0, x23, lt
        SHOW    "cinc lt=", x0
        cmp     x23, x24
        cinv    x0, x23, lt
        SHOW    "cinv lt=", x0
        cmp     x23, x24
        cneg    x0, x23, lt
        SHOW    "cneg lt=", x0
        cmp     x23, x24
        csetm   x0, ne
        SHOW    "csetm ne=", x0
        cmp     x23, x24
        csetm   w0, eq
        SHOW    "csetm32 eq=", x0

        // ccmp chains: (x1 == 10 && x2 == 20), (x1 == 11 && ...), ccmn with negatives
        cmp     x23, #10
        ccmp    x24, #20, #0, eq
        SHOWFLAGS "ccmp taken "
        cmp     x23, #11
        ccmp    x24, #20, #0b1010, eq
        SHOWFLAGS "ccmp not taken (nzcv=1010) "
        mov     x25, #-5
        cmp     x23, #10
        ccmn    x25, #5, #0, eq
        SHOWFLAGS "ccmn -5+5 "
        ccmp    w24, w23, #0b0110, ne
        SHOWFLAGS "ccmp32 reg after Z "
        ccmn    x23, x25, #0b1111, hi
        SHOWFLAGS "ccmn reg "

        mov     x4, #0
        mov     x5, #0x8000
        mov     x6, #0
        cbz     x4, 1f
        orr     x6, x6, #1
1:      cbnz    x4, 2f
        orr     x6, x6, #2
2:      tbz     x5, #15, 3f
        orr     x6, x6, #4
3:      tbnz    x5, #15, 4f
        orr     x6, x6, #8
4:      tbz     w5, #3, 5f
        orr     x6, x6, #16
5:      mov     x7, #1
        lsl     x7, x7, #63
        tbnz    x7, #63, 6f
        orr     x6, x6, #32
6:      cbz     w7, 7f                  // w7 == 0
        orr     x6, x6, #64
7:      SHOW    "cbz/tbz mask=", x6
        EXIT    0
