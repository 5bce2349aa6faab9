// hv-touch.s: writes a pattern into 32 freshly mapped pages, reads it back and prints the result.
// No MTE, so it also runs in VMs without it (examples/vm-private.json: every first touch of a page
// is a private access that the VMM converts).
//
//   npx tagvisor run --vm examples/vm-private.json --trace-hv examples/hv-touch.s

        .equ SYS_write, 64
        .equ SYS_exit, 93
        .equ SYS_mmap, 222
        .equ PAGES, 32

        .text
        .global _start
_start:
        mov     x0, #0
        mov     x1, #(PAGES * 4096)
        mov     x2, #3                  // PROT_READ | PROT_WRITE
        mov     x3, #0x22               // MAP_PRIVATE | MAP_ANONYMOUS
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        cmn     x0, #4095
        b.hs    fail
        mov     x19, x0
        mov     x9, #0
1:      add     x10, x19, x9, lsl #12
        add     x11, x9, #0x55
        str     x11, [x10, #8]
        add     x9, x9, #1
        cmp     x9, #PAGES
        b.ne    1b
        mov     x9, #0
        mov     x12, #0
2:      add     x10, x19, x9, lsl #12
        ldr     x11, [x10, #8]
        add     x12, x12, x11
        add     x9, x9, #1
        cmp     x9, #PAGES
        b.ne    2b
        // sum of (i + 0x55) for i < 32 = 496 + 32 * 0x55 = 3216
        cmp     x12, #3216
        b.ne    fail
        mov     x0, #1
        adr     x1, ok
        mov     x2, #ok_len
        mov     x8, #SYS_write
        svc     #0
        mov     x0, #0
        mov     x8, #SYS_exit
        svc     #0
fail:
        mov     x0, #1
        mov     x8, #SYS_exit
        svc     #0

ok:     .ascii  "32 pages written and read back\n"
        .equ    ok_len, . - ok
