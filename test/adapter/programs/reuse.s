// reuse.s: maps a page, fills it, unmaps it, and maps again four times: the kernel hands the freed
// frame back each time (zeroed). Reverse execution must restore a reused frame's earlier contents.
        .equ SYS_munmap, 215
        .equ SYS_mmap, 222
        .equ SYS_exit, 93

        .text
        .global _start
        .type _start, %function
_start:
        mov     x19, #0                 // round
1:      mov     x0, #0
        mov     x1, #4096
        mov     x2, #3                  // PROT_READ | PROT_WRITE
        mov     x3, #0x22               // MAP_PRIVATE | MAP_ANONYMOUS
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        mov     x20, x0
        add     w1, w19, #0x41          // 'A', 'B', ...
        mov     x2, #0
2:      strb    w1, [x20, x2]
        add     x2, x2, #1
        cmp     x2, #4096
        b.lo    2b
        mov     x0, x20
        mov     x1, #4096
        mov     x8, #SYS_munmap
        svc     #0
        add     x19, x19, #1
        cmp     x19, #4
        b.lo    1b
        mov     x0, #0
        mov     x8, #SYS_exit
        svc     #0
        .size _start, .-_start
