// Benchmark input for bench/adapter.ts: maps 1 MiB of PROT_MTE memory and gives each of its 65,536
// granules a random tag (IRG + STG) and stores a counter in it, then reaches `done` (where the
// benchmark stops it) and exits. test/adapter/debuggee.test.ts also uses it (long stretch of tag and
// data writes without a system call).
        .global _start
_start:
        mov     x0, #55                         // PR_SET_TAGGED_ADDR_CTRL
        ldr     x1, =(1 | 2 | (0xfffe << 3))    // ENABLE | SYNC | tags 1..15
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #167                        // prctl
        svc     #0
        mov     x0, #0
        mov     x1, #0x100000                   // 1 MiB
        mov     x2, #(1 | 2 | 0x20)             // PROT_READ | PROT_WRITE | PROT_MTE
        mov     x3, #(2 | 0x20)                 // MAP_PRIVATE | MAP_ANONYMOUS
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #222                        // mmap
        svc     #0
        mov     x19, x0
        mov     x20, x0
        mov     x21, #65536
1:      irg     x1, x20
        stg     x1, [x1]
        str     x21, [x1]
        add     x20, x20, #16
        subs    x21, x21, #1
        b.ne    1b
        .global done
done:
        mov     x0, #0
        mov     x8, #93
        svc     #0
