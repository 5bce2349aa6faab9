// segv.s: a load from an unmapped address: SIGSEGV (SEGV_MAPERR) kills the process.
        .text
        .global _start
_start:
        mov     x0, #0x10
        ldr     x1, [x0]
        mov     x8, #93
        svc     #0
