// asymm.s: asymmetric tag checking (prctl SYNC|ASYNC with the CPU preferring asymm): a store through
// a stale tag is reported asynchronously (it completes), a load through it faults synchronously.
        .text
        .global _start
_start:
        mov     x0, #55                         // PR_SET_TAGGED_ADDR_CTRL
        ldr     x1, =(1 | 2 | 4 | (0xfffe << 3))  // ENABLE | SYNC | ASYNC | tags 1..15
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #167
        svc     #0
        mov     x0, #0
        mov     x1, #4096
        mov     x2, #(1 | 2 | 0x20)
        mov     x3, #(2 | 0x20)
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #222
        svc     #0
        irg     x20, x0
        stg     x20, [x20]
        addg    x21, x20, #0, #1
        mov     x1, #5
        str     x1, [x21]                       // store: async in asymmetric mode
        ldr     x2, [x21]                       // load: synchronous fault
        mov     x0, #0
        mov     x8, #93
        svc     #0
