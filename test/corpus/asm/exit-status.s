// Writes to stdout and stderr with raw write(2) and exits with status 77 via exit (not exit_group).
        .include "lib.inc"
        .global _start
_start:
        PUTS    "stdout line\n"
        mov     x0, #2
        adrp    x1, errmsg
        add     x1, x1, :lo12:errmsg
        mov     x2, #(errmsg_end - errmsg)
        mov     x8, #SYS_write
        svc     #0
        SHOW    "write returned=", x0
        mov     x0, #-1                 // write to a bad fd
        adrp    x1, errmsg
        add     x1, x1, :lo12:errmsg
        mov     x2, #1
        mov     x8, #SYS_write
        svc     #0
        SHOW    "write(-1) returned=", x0
        mov     x0, #1
        mov     x1, #0                  // bad buffer
        mov     x2, #4
        mov     x8, #SYS_write
        svc     #0
        SHOW    "write(NULL) returned=", x0
        mov     x0, #77
        mov     x8, #SYS_exit
        svc     #0

        .section .rodata
errmsg: .ascii  "stderr line\n"
errmsg_end:
