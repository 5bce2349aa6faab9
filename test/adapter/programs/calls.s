// calls.s: nested calls with AAPCS64 frame records, a global counter in .data, and a loop.
// Used by the adapter tests for the call stack, next/stepIn/stepOut, function and data breakpoints.
        .equ SYS_write, 64
        .equ SYS_exit, 93

        .data
        .balign 8
counter: .quad 0

        .text
        .global _start
        .type _start, %function
_start:
        mov     x19, #3                 // three rounds
1:      mov     x0, x19
        bl      outer
        subs    x19, x19, #1
        b.ne    1b
        adrp    x1, counter
        ldr     x0, [x1, :lo12:counter]
        mov     x8, #SYS_exit
        svc     #0
        .size _start, .-_start

        .type outer, %function
outer:
        stp     x29, x30, [sp, #-32]!
        mov     x29, sp
        str     x0, [sp, #16]
        bl      inner
        ldr     x0, [sp, #16]
        add     x0, x0, #1
        ldp     x29, x30, [sp], #32
        ret
        .size outer, .-outer

        .type inner, %function
inner:
        adrp    x1, counter
        ldr     x2, [x1, :lo12:counter]
        add     x2, x2, x0
        str     x2, [x1, :lo12:counter]
        ret
        .size inner, .-inner
