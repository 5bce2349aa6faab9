// Shared assembly for the MTE differential programs (GNU as syntax; every instruction in it is one our
// CPU implements): `out reg` writes a 64-bit register to stdout; `catch label` arms the fault
// handler to resume at label; `prctl_mte arg`, `mmap len, prot`; `dump off` prints the tag+offset
// of the granule at x21 + off and its two words (read through the matching tag); `done` prints a
// marker and exits 0. _start sets up an alternate signal stack and installs `handler` for SIGSEGV
// and SIGBUS with SA_SIGINFO | SA_EXPOSE_TAGBITS | SA_ONSTACK | SA_NODEFER; it prints signo,
// si_code and si_addr - x21 (0 stays 0) and resumes at x27 (exit 99 when x27 is 0), then jumps to
// `main`. Registers: x21 = mapping base, x26 = normal stack, x27 = resume address; the handler
// clobbers x0-x2, x8-x10, x19, x20 (x1 and x19 end as 0, the others hold deterministic values).
export const PRELUDE = String.raw`
        .macro out reg
        str     \reg, [sp, #-16]!
        mov     x0, #1
        add     x1, sp, #0
        mov     x2, #8
        mov     x8, #64
        svc     #0
        add     sp, sp, #16
        .endm
        .macro catch label
        adr     x27, \label
        .endm
        .macro prctl_mte arg
        movz    x1, #(\arg & 0xffff)
        movk    x1, #((\arg >> 16) & 0xffff), lsl #16
        mov     x0, #55
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #167
        svc     #0
        out     x0
        .endm
        .macro mmap len, prot
        mov     x0, #0
        mov     x1, #\len
        mov     x2, #\prot
        mov     x3, #0x22
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #222
        svc     #0
        .endm
        // granule at x21 + off: its tag and offset, then its two words (read through the matching tag)
        .macro dump off
        add     x9, x21, #\off
        ldg     x9, [x9]
        sub     x10, x9, x21
        out     x10
        ldr     x10, [x9]
        out     x10
        ldr     x10, [x9, #8]
        out     x10
        .endm
        .macro done
        movz    x0, #0x4e45
        movk    x0, #0x444f, lsl #16
        out     x0
        mov     x0, #0
        mov     x8, #94
        svc     #0
        .endm

        .text
        .globl  _start
_start:
        sub     sp, sp, #0x4000         // [sp, sp + 0x4000) is the alternate signal stack
        add     x9, sp, #0
        mov     x10, #0x4000
        stp     x9, xzr, [sp, #-32]!
        str     x10, [sp, #16]
        add     x0, sp, #0
        mov     x1, #0
        mov     x8, #132                // sigaltstack
        svc     #0
        add     sp, sp, #32
        sub     sp, sp, #64
        add     x26, sp, #0             // the normal stack, restored by the handler
        mov     x27, #0
        mov     x0, #11
        bl      install
        mov     x0, #7
        bl      install
        b       main

install:                                // rt_sigaction(x0, {handler, flags}, NULL, 8)
        adr     x9, handler
        movz    x10, #0x0804            // SA_SIGINFO | SA_EXPOSE_TAGBITS
        movk    x10, #0x4800, lsl #16   // SA_NODEFER | SA_ONSTACK
        stp     x9, x10, [sp, #-32]!
        stp     xzr, xzr, [sp, #16]
        add     x1, sp, #0
        mov     x2, #0
        mov     x3, #8
        mov     x8, #134
        svc     #0
        add     sp, sp, #32
        ret

handler:                                // prints signo, si_code, si_addr - x21 (0 stays 0); resumes at x27
        add     sp, x26, #0
        add     x19, x1, #0
        out     x0
        ldr     w20, [x19, #8]
        out     x20
        ldr     x20, [x19, #16]
        cbz     x20, 1f
        sub     x20, x20, x21
1:      out     x20
        out     x27                     // where it resumes: names the faulting instruction
        cbz     x27, 2f
        add     x9, x27, #0
        mov     x27, #0
        mov     x1, #0                  // drop the stack addresses (they differ between runs)
        mov     x19, #0
        br      x9
2:      mov     x0, #99                 // an unexpected fault
        mov     x8, #94
        svc     #0
`;
