/* memcpy / memset / strcmp written in assembly with post-index loads, ldp/stp and tail handling, run over
   every length 0..40 and source/destination alignment 0..7; prints one checksum per routine.
   Uses #define register aliases and a .macro with default arguments inside a .S file. */
#define dst x0
#define src x1
#define len x2
#define tmp1 x3
#define tmp2 x4

        .include "lib.inc"

        .macro FNV acc, byte, prime=0x100000001b3
        eor     \acc, \acc, \byte
        ldr     x16, =\prime
        mul     \acc, \acc, x16
        .endm

        .global _start
_start:
        adrp    x19, srcbuf
        add     x19, x19, :lo12:srcbuf
        adrp    x20, dstbuf
        add     x20, x20, :lo12:dstbuf
        mov     x0, #0
1:      eor     w1, w0, #0x3c
        add     w1, w1, w0, lsr #3
        strb    w1, [x19, x0]
        add     x0, x0, #1
        cmp     x0, #128
        b.ne    1b
        ldr     x25, =0xcbf29ce484222325        /* FNV offset basis */
        mov     x21, #0                         /* length */
len_loop:
        mov     x22, #0                         /* alignment */
align_loop:
        add     x0, x20, x22
        mov     x1, #0xee
        mov     x2, #64
        bl      my_memset
        add     x0, x20, x22
        add     x1, x19, x22, lsl #1
        mov     x2, x21
        bl      my_memcpy
        mov     x23, #0
2:      ldrb    w24, [x20, x23]
        FNV     x25, x24
        add     x23, x23, #1
        cmp     x23, #72
        b.ne    2b
        add     x22, x22, #1
        cmp     x22, #8
        b.ne    align_loop
        add     x21, x21, #1
        cmp     x21, #41
        b.ne    len_loop
        SHOW    "memcpy/memset fnv=", x25

        adrp    x0, s1
        add     x0, x0, :lo12:s1
        adrp    x1, s2
        add     x1, x1, :lo12:s2
        bl      my_strcmp
        SHOW    "strcmp(s1,s2)=", x0
        adrp    x0, s1
        add     x0, x0, :lo12:s1
        mov     x1, x0
        bl      my_strcmp
        SHOW    "strcmp(s1,s1)=", x0
        adrp    x0, s2
        add     x0, x0, :lo12:s2
        adrp    x1, s1
        add     x1, x1, :lo12:s1
        bl      my_strcmp
        SHOW    "strcmp(s2,s1)=", x0
        EXIT    0
        .ltorg

/* my_memcpy(dst, src, len): 16-byte ldp/stp blocks, then bytes */
my_memcpy:
        cmp     len, #16
        b.lo    2f
1:      ldp     tmp1, tmp2, [src], #16
        stp     tmp1, tmp2, [dst], #16
        sub     len, len, #16
        cmp     len, #16
        b.hs    1b
2:      cbz     len, 3f
        ldrb    w3, [src], #1
        strb    w3, [dst], #1
        sub     len, len, #1
        b       2b
3:      ret

/* my_memset(dst, byte, len) */
my_memset:
        and     x1, x1, #0xff
        mov     tmp1, #0x0101010101010101
        mul     tmp1, tmp1, x1
1:      cmp     len, #8
        b.lo    2f
        str     tmp1, [dst], #8
        sub     len, len, #8
        b       1b
2:      cbz     len, 3f
        strb    w1, [dst], #1
        sub     len, len, #1
        b       2b
3:      ret

/* my_strcmp(a, b) -> x0 = difference of first mismatching bytes (signed) */
my_strcmp:
1:      ldrb    w3, [x0], #1
        ldrb    w4, [x1], #1
        subs    w5, w3, w4
        b.ne    2f
        cbnz    w3, 1b
2:      sxtw    x0, w5
        ret

        .section .rodata
s1:     .asciz  "differential testing"
s2:     .asciz  "differential tester"
        .data
        .balign 16
srcbuf: .skip   256
dstbuf: .skip   128
