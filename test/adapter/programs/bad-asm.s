// bad-asm.s: deliberately wrong assembly (the launch error must name file:line:column).
        .text
        .global _start
_start:
        mov     x0, #1
        frobnicate x1, x2
