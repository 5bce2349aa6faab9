// System registers readable at EL0: TPIDR_EL0 (write + read back), NZCV, FPCR/FPSR, DCZID_EL0, CTR_EL0,
// ID registers that Linux emulates for EL0 by trapping MRS (MIDR_EL1, MPIDR_EL1, ID_AA64PFR1_EL1 with the MTE
// field, ID_AA64ISAR0_EL1), and DC ZVA zeroing one DCZID-sized block.
        .include "lib.inc"
        .global _start
_start:
        movz    x0, #0x1234, lsl #48
        movk    x0, #0x5678
        msr     tpidr_el0, x0
        mrs     x1, tpidr_el0
        SHOW    "tpidr_el0=", x1
        mov     x2, #0xf0000000
        msr     nzcv, x2
        mrs     x3, nzcv
        SHOW    "nzcv=", x3
        msr     nzcv, xzr
        mrs     x3, nzcv
        SHOW    "nzcv cleared=", x3
        mrs     x4, fpcr
        SHOW    "fpcr initial=", x4
        mov     x5, #(3 << 22)          // RMode = round towards zero
        orr     x5, x5, #(1 << 24)      // FZ
        msr     fpcr, x5
        mrs     x6, fpcr
        SHOW    "fpcr written=", x6
        msr     fpcr, xzr
        mrs     x7, fpsr
        SHOW    "fpsr initial=", x7
        mov     x9, #0x9f
        msr     fpsr, x9
        mrs     x10, fpsr
        SHOW    "fpsr written=", x10
        msr     fpsr, xzr
        mrs     x11, dczid_el0
        SHOW    "dczid_el0=", x11
        mrs     x12, ctr_el0
        SHOW    "ctr_el0=", x12
        mrs     x13, midr_el1
        SHOW    "midr_el1=", x13
        mrs     x14, mpidr_el1
        SHOW    "mpidr_el1=", x14
        mrs     x15, id_aa64pfr1_el1
        ubfx    x16, x15, #8, #4
        SHOW    "id_aa64pfr1_el1.MTE=", x16
        mrs     x15, id_aa64isar0_el1
        SHOW    "id_aa64isar0_el1=", x15
        mrs     x15, id_aa64pfr0_el1
        SHOW    "id_aa64pfr0_el1=", x15

        // DC ZVA: fill a buffer with 0xff, zero the block containing buf+block+5, count remaining 0xff bytes
        and     x11, x11, #0xf
        mov     x12, #4
        lsl     x19, x12, x11           // block size in bytes
        SHOW    "zva block bytes=", x19
        adrp    x20, buf
        add     x20, x20, :lo12:buf
        mov     x0, #0
        mov     w1, #0xff
1:      strb    w1, [x20, x0]
        add     x0, x0, #1
        cmp     x0, #4096
        b.ne    1b
        add     x2, x20, x19
        add     x2, x2, #5
        dc      zva, x2
        mov     x0, #0
        mov     x3, #0
2:      ldrb    w1, [x20, x0]
        cmp     w1, #0xff
        cinc    x3, x3, eq
        add     x0, x0, #1
        cmp     x0, #4096
        b.ne    2b
        mov     x21, #4096
        sub     x21, x21, x3
        SHOW    "bytes still 0xff=", x3
        SHOW    "zeroed=", x21
        EXIT    0

        .bss
        .balign 4096
buf:    .skip   4096
