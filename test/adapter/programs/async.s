// async.s: an asynchronous tag check fault. The store through a stale tag completes (async mode),
// TFSRE0_EL1.TF0 is set, and Linux delivers SIGSEGV (SEGV_MTEAERR, si_addr 0) at the next kernel
// entry: the write system call below.
        .equ PR_SET_TAGGED_ADDR_CTRL, 55
        .text
        .global _start
_start:
        mov     x0, #PR_SET_TAGGED_ADDR_CTRL
        ldr     x1, =(1 | 4 | (0xfffe << 3))    // ENABLE | TCF_ASYNC | tags 1..15
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #167                        // prctl
        svc     #0
        mov     x0, #0
        mov     x1, #4096
        mov     x2, #(1 | 2 | 0x20)             // PROT_READ | PROT_WRITE | PROT_MTE
        mov     x3, #(2 | 0x20)                 // MAP_PRIVATE | MAP_ANONYMOUS
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #222                        // mmap
        svc     #0
        mov     x19, x0
        irg     x20, x19
        stg     x20, [x20]                      // granule 0 gets x20's tag
        addg    x21, x20, #0, #1                // a pointer with the next tag
        mov     x1, #7
        str     x1, [x21]                       // mismatch: completes, reported later
        mov     x0, #1
        adr     x1, msg
        mov     x2, #msg_len
        mov     x8, #64                         // write: the kernel entry delivers SEGV_MTEAERR
        svc     #0
        mov     x0, #0
        mov     x8, #93
        svc     #0
msg:    .ascii "after the async store\n"
        .equ msg_len, . - msg
