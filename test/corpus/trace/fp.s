// Register-trace program: scalar FP computations whose bit patterns are moved to general registers (the trace
// compares only X registers, SP, PC and NZCV), plus fcmp flags.
        .global _start
_start:
        msr     nzcv, xzr
        fmov    d0, #1.0
        fmov    d1, #0.5
        mov     x19, #0
        mov     x20, #12
loop:   fadd    d2, d0, d1
        fmul    d3, d2, d2
        fdiv    d4, d3, d2
        fsqrt   d5, d4
        fmadd   d0, d5, d1, d0
        fmov    x1, d0
        fcvtzs  x2, d3
        scvtf   d6, x2
        fsub    d7, d6, d3
        fmov    x3, d7
        fcmp    d7, #0.0
        cset    x4, mi
        add     x19, x19, x4
        fcvt    s8, d0
        fmov    w5, s8
        frintm  d9, d4
        fmov    x6, d9
        fmin    d1, d1, d5
        subs    x20, x20, #1
        b.ne    loop
        and     x0, x19, #0x7f
        mov     x8, #93
        svc     #0
