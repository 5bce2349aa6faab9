// Dumps the initial process stack to stdout, for comparison with Linux/QEMU (test/linux/stack.test.ts):
//   argc (8 bytes), then each argv string + "\n", "--\n", each envp string + "\n", "--\n",
//   the raw auxv (16-byte records up to and including AT_NULL), sp mod 16 (8 bytes),
//   then the AT_EXECFN and AT_PLATFORM strings each + "\n".
        .text
        .global _start
_start:
        mov     x19, sp                 // x19 = initial sp
        // argc
        mov     x0, #1
        mov     x1, x19
        mov     x2, #8
        mov     x8, #64
        svc     #0
        ldr     x20, [x19]              // argc
        add     x21, x19, #8            // &argv[0]
1:      ldr     x0, [x21], #8
        cbz     x0, 2f
        bl      puts
        b       1b
2:      bl      sep
        // envp follows argv's NULL
3:      ldr     x0, [x21], #8
        cbz     x0, 4f
        bl      puts
        b       3b
4:      bl      sep
        // auxv at x21
        mov     x22, x21
5:      ldr     x0, [x22], #16
        cbnz    x0, 5b
        mov     x0, #1
        mov     x1, x21
        sub     x2, x22, x21
        mov     x8, #64
        svc     #0
        // sp & 15
        and     x0, x19, #15
        str     x0, [sp, #-16]!
        mov     x0, #1
        mov     x1, sp
        mov     x2, #8
        mov     x8, #64
        svc     #0
        add     sp, sp, #16
        // AT_EXECFN (31) and AT_PLATFORM (15)
        mov     x23, #31
        bl      auxval
        bl      puts
        mov     x23, #15
        bl      auxval
        bl      puts
        mov     x0, #0
        mov     x8, #93
        svc     #0

// x0 = value of auxv entry x23 (0 if absent); auxv starts at x21
auxval: mov     x1, x21
6:      ldp     x2, x3, [x1], #16
        cbz     x2, 7f
        cmp     x2, x23
        b.ne    6b
        mov     x0, x3
        ret
7:      mov     x0, #0
        ret

// writes the NUL-terminated string at x0 and "\n"; clobbers x0-x4, x8
puts:   mov     x3, x0
        mov     x4, x0
8:      ldrb    w2, [x4], #1
        cbnz    w2, 8b
        sub     x2, x4, x3
        sub     x2, x2, #1
        mov     x1, x3
        mov     x0, #1
        mov     x8, #64
        svc     #0
        adr     x1, nl
        mov     x0, #1
        mov     x2, #1
        mov     x8, #64
        svc     #0
        ret
sep:    adr     x1, dashes
        mov     x0, #1
        mov     x2, #3
        mov     x8, #64
        svc     #0
        ret
nl:     .ascii  "\n"
dashes: .ascii  "--\n"
