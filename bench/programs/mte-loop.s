// Benchmark: a 9-instruction MTE-heavy loop (IRG, STG, a tag-checked STR and LDR, ADD, ADD, AND, SUBS, B.NE),
// 50,000,000 iterations = 450M loop instructions, over one 4 KiB PROT_MTE page with synchronous checking.
// Setup: prctl(PR_SET_TAGGED_ADDR_CTRL, ENABLE | SYNC | all tags included) and mmap(PROT_MTE).
// Exit status: 0 (the loop's result is folded into x2 but not reported, so the run is deterministic).
        .global _start
        .equ    ITERATIONS, 50000000
_start:
        mov     x0, #55                 // PR_SET_TAGGED_ADDR_CTRL
        movz    x1, #((1 | 2 | (0xffff << 3)) & 0xffff)
        movk    x1, #((0xffff << 3) >> 16), lsl #16
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #167                // prctl
        svc     #0
        cbnz    x0, fail
        mov     x0, #0
        mov     x1, #(3 * 4096)
        mov     x2, #(1 | 2 | 0x20)     // PROT_READ | PROT_WRITE | PROT_MTE
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
        movz    x4, #(ITERATIONS & 0xffff)
        movk    x4, #(ITERATIONS >> 16), lsl #16
        mov     x2, #1
loop:
        irg     x1, x0
        stg     x1, [x1]
        str     x2, [x1]
        ldr     x3, [x1]
        add     x2, x2, x3
        add     x0, x0, #16
        and     x0, x0, x5
        subs    x4, x4, #1
        b.ne    loop
        mov     x0, #0
        mov     x8, #94                 // exit_group
        svc     #0
fail:
        mov     x0, #1
        mov     x8, #94
        svc     #0
