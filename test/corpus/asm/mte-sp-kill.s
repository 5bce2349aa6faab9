// SP-based accesses with writeback ARE tag checked (only immediate-offset forms without writeback are not):
// with SP pointing at a PROT_MTE granule through a mismatching tag, `str [sp, #16]` passes, then
// `str x0, [sp, #-16]!` takes a synchronous tag-check fault. No handler: the process dies by SIGSEGV (139).
        .include "lib.inc"
        .global _start
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
        add     x19, x0, #2048
        mov     x9, #0x6
        bfi     x19, x9, #56, #4        // tag 6; memory tags are all 0
        PUTS    "switching sp\n"
        mov     x20, sp
        mov     sp, x19
        mov     x0, #7
        str     x0, [sp, #16]           // unchecked
        ldr     x1, [sp, #16]
        mov     sp, x20
        SHOW    "unchecked sp store/load=", x1
        mov     sp, x19
        str     x0, [sp, #-16]!         // checked: faults
        mov     sp, x20
        PUTS    "not reached\n"
        EXIT    0
