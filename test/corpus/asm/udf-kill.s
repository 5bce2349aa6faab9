// An undefined instruction with no SIGILL handler kills the process (shell status 132 = 128 + SIGILL).
        .include "lib.inc"
        .global _start
_start:
        PUTS    "before udf\n"
        udf     #0x1234
        PUTS    "not reached\n"
        EXIT    0
