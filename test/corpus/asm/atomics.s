// Exclusives (ldxr/stxr, ldaxr/stlxr in all sizes, ldxp/stxp, clrex making stxr fail), acquire/release
// (ldar/stlr/ldapr), and LSE atomics: ldadd/ldclr/ldeor/ldset/ldsmax/ldsmin/ldumax/ldumin in b/h/w/x with
// a/al/l orderings, st* aliases, swp, cas/casa/casal (success and failure), casp. Prints old values and memory.
        .include "lib.inc"
        .global _start
_start:
        adrp    x19, mem
        add     x19, x19, :lo12:mem

        // exclusive increment loop, 10 times, counting stxr failures (0 expected single-threaded)
        mov     x21, #0
        mov     x22, #0
1:      ldaxr   x0, [x19]
        add     x0, x0, #3
        stlxr   w1, x0, [x19]
        add     x22, x22, x1
        cbnz    w1, 1b
        add     x21, x21, #1
        cmp     x21, #10
        b.ne    1b
        ldr     x20, [x19]
        SHOW    "ldaxr/stlxr total=", x20
        SHOW    "stxr failures=", x22
        add     x9, x19, #8
        ldxrb   w0, [x9]
        add     w0, w0, #0xff
        add     x9, x19, #8
        stxrb   w1, w0, [x9]
        add     x9, x19, #10
        ldxrh   w2, [x9]
        sub     w2, w2, #1
        add     x9, x19, #10
        stxrh   w3, w2, [x9]
        add     x9, x19, #12
        ldxr    w4, [x9]
        mvn     w4, w4
        add     x9, x19, #12
        stxr    w5, w4, [x9]
        orr     w1, w1, w3
        orr     w1, w1, w5
        SHOW    "small stxr status=", x1
        ldr     x20, [x19, #8]
        SHOW    "after b/h/w exclusives=", x20
        ldxr    x0, [x19]
        clrex
        stxr    w1, x0, [x19]
        SHOW    "stxr after clrex (1=fail)=", x1
        add     x9, x19, #16
        ldxp    x0, x1, [x9]
        add     x0, x0, #1
        sub     x1, x1, #1
        add     x9, x19, #16
        stxp    w2, x1, x0, [x9]
        SHOW    "stxp status=", x2
        ldp     x20, x21, [x19, #16]
        SHOW    "pair lo=", x20
        SHOW    "pair hi=", x21
        add     x9, x19, #32
        ldaxp   w0, w1, [x9]
        add     x9, x19, #32
        stlxp   w2, w1, w0, [x9]
        ldr     x20, [x19, #32]
        SHOW    "ldaxp/stlxp w swap=", x20

        // acquire/release
        mov     x0, #0x77
        add     x9, x19, #40
        stlr    x0, [x9]
        add     x9, x19, #40
        ldar    x20, [x9]
        SHOW    "ldar=", x20
        mov     x0, #0x77
        add     x9, x19, #48
        stlrb   w0, [x9]
        add     x9, x19, #48
        ldarh   w20, [x9]
        SHOW    "ldarh=", x20
        add     x9, x19, #40
        ldapr   w20, [x9]
        SHOW    "ldapr=", x20

        // LSE
        add     x23, x19, #64
        mov     x0, #5
        ldadd   x0, x20, [x23]
        SHOW    "ldadd old=", x20
        mov     x0, #0xf0
        ldclral x0, x20, [x23]
        SHOW    "ldclral old=", x20
        mov     x0, #0xff
        ldeora  x0, x20, [x23]
        SHOW    "ldeora old=", x20
        mov     x0, #0x100
        ldsetl  x0, x20, [x23]
        SHOW    "ldsetl old=", x20
        ldr     x20, [x23]
        SHOW    "mem=", x20
        mov     w0, #-3
        add     x9, x23, #8
        ldsmax  w0, w20, [x9]
        SHOW    "ldsmax old=", x20
        mov     w0, #-7
        add     x9, x23, #8
        ldsmin  w0, w20, [x9]
        SHOW    "ldsmin old=", x20
        mov     w0, #-7
        add     x9, x23, #8
        ldumax  w0, w20, [x9]
        SHOW    "ldumax old=", x20
        mov     w0, #2
        add     x9, x23, #8
        lduminal w0, w20, [x9]
        SHOW    "lduminal old=", x20
        ldr     w20, [x23, #8]
        SHOW    "mem32=", x20
        mov     w0, #0x81
        add     x9, x23, #12
        ldaddb  w0, w20, [x9]
        add     x9, x23, #12
        ldaddb  w0, w20, [x9]
        SHOW    "ldaddb old=", x20
        mov     w0, #0x8001
        add     x9, x23, #14
        ldsmaxh w0, w20, [x9]
        SHOW    "ldsmaxh old=", x20
        ldr     x20, [x23, #8]
        SHOW    "mem b/h=", x20
        mov     x0, #9
        stadd   x0, [x23]
        mov     x0, #1
        stset   x0, [x23]
        mov     x0, #0x10
        steorl  x0, [x23]
        ldr     x20, [x23]
        SHOW    "after st*=", x20
        mov     x0, #0x1234
        swp     x0, x20, [x23]
        SHOW    "swp old=", x20
        mov     w0, #0x56
        swpalb  w0, w20, [x23]
        SHOW    "swpalb old=", x20
        ldr     x20, [x23]
        SHOW    "after swp=", x20
        mov     x1, #0x1256
        mov     x20, x1
        mov     x2, #0xabc
        cas     x20, x2, [x23]
        SHOW    "cas success old=", x20
        mov     x20, #0
        casal   x20, x1, [x23]
        SHOW    "casal failure old=", x20
        ldr     x20, [x23]
        SHOW    "mem after cas=", x20
        mov     w20, #0xbc
        mov     w2, #0xee
        casab   w20, w2, [x23]
        ldr     x20, [x23]
        SHOW    "casab=", x20
        add     x24, x19, #96
        mov     x0, #1
        mov     x1, #2
        stp     x0, x1, [x24]
        mov     x2, #1
        mov     x3, #2
        mov     x4, #0xaa
        mov     x5, #0xbb
        casp    x2, x3, x4, x5, [x24]
        SHOW    "casp old lo=", x2
        ldp     x20, x21, [x24]
        SHOW    "casp mem lo=", x20
        SHOW    "casp mem hi=", x21
        EXIT    0

        .data
        .balign 16
mem:    .quad   100, 0x0102030405060708, 0x1111, 0x2222, 0x0000000500000006
        .skip   24
        .quad   0x0f, 0x00000010ffff0000, 0, 0
