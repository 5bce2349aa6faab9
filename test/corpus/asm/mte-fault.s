// Synchronous tag-check faults delivered to a SA_SIGINFO|SA_EXPOSE_TAGBITS handler installed with raw
// rt_sigaction: the handler prints si_signo/si_code, the logical tag and mapping offset of si_addr, the
// sigcontext fault_address offset, and which instruction faulted; then it advances the saved PC past the
// faulting instruction and returns through rt_sigreturn. Exits with the number of faults seen (3).
        .include "lib.inc"
        .global _start

        .equ UC_MCONTEXT, 176           // offsetof(ucontext_t, uc_mcontext) on arm64
        .equ SC_FAULT_ADDRESS, 0
        .equ SC_PC, 8 + 31 * 8 + 8

_start:
        mov     x0, #PR_SET_TAGGED_ADDR_CTRL
        movz    x1, #((1 | 2 | (0xfffe << 3)) & 0xffff)
        movk    x1, #((0xfffe << 3) >> 16), lsl #16
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #SYS_prctl
        svc     #0
        mov     x0, #0
        mov     x1, #4096
        mov     x2, #(PROT_READ | PROT_WRITE | PROT_MTE)
        mov     x3, #(MAP_PRIVATE | MAP_ANONYMOUS)
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        mov     x19, x0
        adrp    x9, base
        str     x19, [x9, :lo12:base]
        SEGV_HANDLER on_segv, SA_EXPOSE_TAGBITS

        mov     x20, x19
        mov     x9, #0x3
        bfi     x20, x9, #56, #4        // x20 = base | tag 3
        stg     x20, [x20]
        stg     x20, [x20, #16]
        mov     x21, #0x1234
        str     x21, [x20, #8]          // fine
        PUTS    "in-bounds ok\n"
fault1: ldr     x22, [x20, #32]         // granule 2 has tag 0
        PUTS    "after fault 1\n"
        mov     x23, x19                // tag 0 pointer into tag-3 granule
fault2: strb    w21, [x23, #17]
        PUTS    "after fault 2\n"
        add     x24, x20, #24
fault3: ldp     x25, x26, [x24]         // 16 bytes spanning granule 1 (tag 3) and granule 2 (tag 0)
        PUTS    "after fault 3\n"
        adrp    x9, faults
        ldr     x0, [x9, :lo12:faults]
        mov     x8, #SYS_exit_group
        svc     #0

// void on_segv(int sig, siginfo_t *si, ucontext_t *uc)
on_segv:
        stp     x29, x30, [sp, #-48]!
        stp     x19, x20, [sp, #16]
        stp     x21, x22, [sp, #32]
        mov     x19, x0
        mov     x20, x1
        mov     x21, x2
        adrp    x22, base
        ldr     x22, [x22, :lo12:base]
        SHOW    "  signal=", x19
        ldr     w9, [x20, #8]
        SHOW    "  si_code=", x9
        ldr     x9, [x20, #16]
        ubfx    x10, x9, #56, #4
        SHOW    "  si_addr tag=", x10
        and     x9, x9, #0x00ffffffffffffff
        sub     x9, x9, x22
        SHOW    "  si_addr offset=", x9
        add     x9, x21, #UC_MCONTEXT
        ldr     x9, [x9, #SC_FAULT_ADDRESS]
        and     x9, x9, #0x00ffffffffffffff
        sub     x9, x9, x22
        SHOW    "  fault_address offset=", x9
        add     x9, x21, #UC_MCONTEXT
        ldr     x10, [x9, #SC_PC]
        adrp    x11, fault1
        add     x11, x11, :lo12:fault1
        sub     x10, x10, x11
        SHOW    "  pc - fault1=", x10
        add     x9, x21, #UC_MCONTEXT
        ldr     x10, [x9, #SC_PC]
        add     x10, x10, #4            // skip the faulting instruction
        str     x10, [x9, #SC_PC]
        adrp    x9, faults
        ldr     x10, [x9, :lo12:faults]
        add     x10, x10, #1
        str     x10, [x9, :lo12:faults]
        ldp     x21, x22, [sp, #32]
        ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #48
        ret                             // returns to sa_restorer -> rt_sigreturn

        .data
        .balign 8
base:   .quad   0
faults: .quad   0
