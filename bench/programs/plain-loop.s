// Benchmark baseline for mte-loop.s: the same 9-instruction loop shape and iteration count (50,000,000) with
// the MTE instructions replaced by plain ones (IRG -> ORR, STG -> STR of XZR) on an ordinary mapping, and no
// prctl. Exit status 0.
        .global _start
        .equ    ITERATIONS, 50000000
_start:
        mov     x0, #0
        mov     x1, #(3 * 4096)
        mov     x2, #(1 | 2)            // PROT_READ | PROT_WRITE
        mov     x3, #(2 | 0x20)         // MAP_PRIVATE | MAP_ANONYMOUS
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #222                // mmap
        svc     #0
        cmn     x0, #4096
        b.hs    fail
        mov     x9, #0x1fff             // 8 KiB-align so that AND with (base | 0xff0) wraps inside one page
        add     x0, x0, x9
        and     x0, x0, #~0x1fff
        orr     x5, x0, #0xff0
        mov     x6, #0
        movz    x4, #(ITERATIONS & 0xffff)
        movk    x4, #(ITERATIONS >> 16), lsl #16
        mov     x2, #1
loop:
        orr     x1, x0, x6              // stands in for IRG
        str     xzr, [x1, #8]           // stands in for STG
        str     x2, [x1]
        ldr     x3, [x1]
        add     x2, x2, x3
        add     x0, x0, #16
        and     x0, x0, x5
        subs    x4, x4, #1
        b.ne    loop
        mov     x0, #0
        mov     x8, #94
        svc     #0
fail:
        mov     x0, #1
        mov     x8, #94
        svc     #0
