// abort.s: what abort() does in the end: tgkill(getpid(), gettid(), SIGABRT) with SIGABRT's default
// action. Linux delivers it at the tgkill system call's return and the process dies with a core
// (exit status 134); "not reached\n" is never written.
        .equ SYS_write, 64
        .equ SYS_exit_group, 94
        .equ SYS_tgkill, 131
        .equ SYS_getpid, 172
        .equ SYS_gettid, 178
        .equ SIGABRT, 6

        .text
        .global _start
        .type _start, %function
_start:
        mov     x0, #1
        adr     x1, msg
        mov     x2, #msg_len
        mov     x8, #SYS_write
        svc     #0
        mov     x8, #SYS_getpid
        svc     #0
        mov     x19, x0
        mov     x8, #SYS_gettid
        svc     #0
        mov     x1, x0
        mov     x0, x19
        mov     x2, #SIGABRT
        mov     x20, #0xab              // a marker to look at in the stop
        mov     x8, #SYS_tgkill
        svc     #0                      // SIGABRT is delivered when this returns
        mov     x0, #1
        adr     x1, nr
        mov     x2, #nr_len
        mov     x8, #SYS_write
        svc     #0
        mov     x0, #0
        mov     x8, #SYS_exit_group
        svc     #0
        .size _start, .-_start

msg:    .ascii "about to abort\n"
        .equ msg_len, . - msg
nr:     .ascii "not reached\n"
        .equ nr_len, . - nr
