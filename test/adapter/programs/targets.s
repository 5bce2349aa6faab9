// targets.s: several calls on one source line (a macro), an indirect call into code without line
// information, a global in .data and a PROT_MTE page. Used by the adapter tests for stepInTargets /
// stepIn with a targetId, modules and setExpression.
        .equ SYS_exit, 93
        .equ SYS_mmap, 222
        .equ PROT_RW_MTE, 0x23          // PROT_READ | PROT_WRITE | PROT_MTE
        .equ MAP_PRIVATE_ANON, 0x22

        .macro  both f, g               // two calls on the line that invokes it
        bl      \f
        bl      \g
        .endm

        .data
        .balign 8
value:  .quad 0x1122334455667788

        .text
        .global _start
        .type _start, %function
_start:
        mov     x0, #0
        mov     x1, #4096
        mov     x2, #PROT_RW_MTE
        mov     x3, #MAP_PRIVATE_ANON
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        mov     x20, x0                 // a PROT_MTE page (allocation tags 0)
        mov     x0, #1
        both    twice, add_one          // x0 = 1 * 2 + 1
        adr     x16, noline
        blr     x16                     // x0 += 1, in code the line map does not cover
        bl      add_one
        mov     x8, #SYS_exit           // exit status 5
        svc     #0
        .size _start, .-_start

        .type twice, %function
twice:
        add     x0, x0, x0
        ret
        .size twice, .-twice

        .type add_one, %function
add_one:
        add     x0, x0, #1
        ret
        .size add_one, .-add_one

        // Encoded as data: no line-map entries, so plain stepIn steps over a call to it.
        .type noline, %function
noline:
        .word   0x91000400              // add x0, x0, #1
        .word   0xd65f03c0              // ret
        .size noline, .-noline
