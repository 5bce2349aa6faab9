// sigusr1.s: a SIGUSR1 handler installed with rt_sigaction, then kill(getpid(), SIGUSR1). Linux
// delivers the signal at the kill system call's return: the handler records the signal number and
// writes "in handler\n", returns through the [vdso] sigreturn trampoline, and _start writes
// "back in _start\n" and exits with the recorded number (10).
        .equ SYS_write, 64
        .equ SYS_exit_group, 94
        .equ SYS_kill, 129
        .equ SYS_rt_sigaction, 134
        .equ SYS_getpid, 172
        .equ SIGUSR1, 10

        .data
        .balign 8
got:    .quad 0

        .text
        .global _start
        .type _start, %function
_start:
        sub     sp, sp, #32
        adr     x9, on_usr1
        str     x9, [sp]                // sa_handler
        str     xzr, [sp, #8]           // sa_flags
        str     xzr, [sp, #16]          // sa_restorer
        str     xzr, [sp, #24]          // sa_mask
        mov     x0, #SIGUSR1
        mov     x1, sp
        mov     x2, #0
        mov     x3, #8
        mov     x8, #SYS_rt_sigaction
        svc     #0
        add     sp, sp, #32
        mov     x8, #SYS_getpid
        svc     #0
        mov     x1, #SIGUSR1
        mov     x8, #SYS_kill
        svc     #0                      // SIGUSR1 is delivered when this returns
        mov     x0, #1
        adr     x1, back
        mov     x2, #back_len
        mov     x8, #SYS_write
        svc     #0
        adrp    x9, got
        ldr     x0, [x9, :lo12:got]
        mov     x8, #SYS_exit_group
        svc     #0
        .size _start, .-_start

        .type on_usr1, %function
on_usr1:
        adrp    x9, got
        str     x0, [x9, :lo12:got]
        mov     x0, #1
        adr     x1, inh
        mov     x2, #inh_len
        mov     x8, #SYS_write
        svc     #0
        ret
        .size on_usr1, .-on_usr1

inh:    .ascii "in handler\n"
        .equ inh_len, . - inh
back:   .ascii "back in _start\n"
        .equ back_len, . - back
