/* C-preprocessed assembly: #define / #if / function-like macros around CRC32 and CRC32C instructions
   (crc32b/h/w/x, crc32cb/ch/cw/cx), checked against a bitwise software CRC of the same buffer. */
#include "syscalls.h"

#define BUF_LEN 77
#define POLY_CRC32 0xedb88320
#define POLY_CRC32C 0x82f63b78
#define LOAD_ADDR(reg, sym) adrp reg, sym; add reg, reg, :lo12:sym

        .include "lib.inc"
        .global _start
_start:
        /* fill buffer with a simple pattern */
        LOAD_ADDR(x19, buffer)
        mov     x0, #0
1:      mul     w1, w0, w0
        add     w1, w1, #0x31
        strb    w1, [x19, x0]
        add     x0, x0, #1
        cmp     x0, #BUF_LEN
        b.ne    1b

#if BUF_LEN > 64
        /* hardware CRC32: bytes, then halfwords, words, doublewords over different prefixes */
        mov     w20, #-1
        mov     x0, #0
2:      ldrb    w1, [x19, x0]
        crc32b  w20, w20, w1
        add     x0, x0, #1
        cmp     x0, #BUF_LEN
        b.ne    2b
        mvn     w20, w20
        SHOW    "crc32b=", x20
#endif
        mov     w21, #-1
        ldr     x1, [x19]
        crc32x  w21, w21, x1
        ldr     w1, [x19, #8]
        crc32w  w21, w21, w1
        ldrh    w1, [x19, #12]
        crc32h  w21, w21, w1
        ldrb    w1, [x19, #14]
        crc32b  w21, w21, w1
        mvn     w21, w21
        SHOW    "crc32 x/w/h/b of 15 bytes=", x21
        mov     w22, #-1
        ldr     x1, [x19]
        crc32cx w22, w22, x1
        ldr     w1, [x19, #8]
        crc32cw w22, w22, w1
        ldrh    w1, [x19, #12]
        crc32ch w22, w22, w1
        ldrb    w1, [x19, #14]
        crc32cb w22, w22, w1
        mvn     w22, w22
        SHOW    "crc32c of 15 bytes=", x22

        /* software versions */
        mov     x0, x19
        mov     x1, #BUF_LEN
        ldr     w2, =POLY_CRC32
        bl      soft_crc
        SHOW    "soft crc32 all=", x0
        mov     x0, x19
        mov     x1, #15
        ldr     w2, =POLY_CRC32
        bl      soft_crc
        SHOW    "soft crc32 15=", x0
        mov     x0, x19
        mov     x1, #15
        ldr     w2, =POLY_CRC32C
        bl      soft_crc
        SHOW    "soft crc32c 15=", x0
        mov     x0, #SYS_EXIT_GROUP_NR
        mov     x8, x0
        mov     x0, #0
        svc     #0

/* soft_crc(x0 = buf, x1 = len, w2 = reflected polynomial) -> w0 */
soft_crc:
        mov     w3, #-1
1:      cbz     x1, 3f
        ldrb    w4, [x0], #1
        eor     w3, w3, w4
        mov     w5, #8
2:      and     w6, w3, #1
        lsr     w3, w3, #1
        neg     w6, w6
        and     w6, w6, w2
        eor     w3, w3, w6
        subs    w5, w5, #1
        b.ne    2b
        sub     x1, x1, #1
        b       1b
3:      mvn     w0, w3
        ret
        .ltorg

        .bss
buffer: .skip   128
