// System registers readable at EL0: TPIDR_EL0 (write + read back), NZCV, FPCR/FPSR, DCZID_EL0, CTR_EL0,
// ID registers that Linux emulates for EL0 by trapping MRS (MIDR_EL1, MPIDR_EL1, ID_AA64PFR1_EL1 with the MTE
// field, ID_AA64ISAR0_EL1, ID_AA64PFR0_EL1), and DC ZVA zeroing exactly one DCZID-sized block.
// Implementation-defined values (DC ZVA block size, cache line sizes, part number, optional features) differ
// between CPUs (QEMU -cpu max: 512-byte blocks; Tagvisor, like most hardware: 64), so only architectural facts
// and the fields of features the program relies on are printed, never the raw values.
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
        // DCZID_EL0: DZP (bit 4) clear, BS (bits 3:0) a legal block size (2..9: 16 bytes to 2 KiB), RES0 above.
        mrs     x19, dczid_el0
        ubfx    x20, x19, #4, #1
        SHOW    "dczid_el0.DZP=", x20
        and     x20, x19, #0xf
        cmp     x20, #2
        ccmp    x20, #9, #2, hs         // hs: BS >= 2, then BS <= 9; else force "hi" (C=1, Z=0)
        cset    x20, ls
        SHOW    "dczid_el0.BS in 2..9=", x20
        lsr     x20, x19, #5
        SHOW    "dczid_el0 bits 63:5=", x20

        // CTR_EL0: bit 31 is RES1; IDC/DIC (bits 29:28) are 0 on both engines; line sizes at least 16 bytes.
        mrs     x21, ctr_el0
        ubfx    x20, x21, #31, #1
        SHOW    "ctr_el0 bit 31=", x20
        ubfx    x20, x21, #28, #2
        SHOW    "ctr_el0.DIC:IDC=", x20
        ubfx    x20, x21, #0, #4        // IminLine: log2(words)
        ubfx    x22, x21, #16, #4       // DminLine
        cmp     x20, #2
        ccmp    x22, #2, #0, hs
        cset    x20, hs
        SHOW    "ctr_el0 lines >= 16 bytes=", x20

        // MIDR_EL1: implementer 0 (reserved for software use) and architecture 0xf (described by ID registers).
        mrs     x13, midr_el1
        ubfx    x20, x13, #24, #8
        SHOW    "midr_el1.Implementer=", x20
        ubfx    x20, x13, #16, #4
        SHOW    "midr_el1.Architecture=", x20
        mrs     x14, mpidr_el1
        SHOW    "mpidr_el1=", x14
        mrs     x15, id_aa64pfr1_el1
        ubfx    x16, x15, #8, #4
        SHOW    "id_aa64pfr1_el1.MTE=", x16

        // ID_AA64ISAR0_EL1: the fields of the features the corpus uses (CRC32, LSE atomics, FlagM/FlagM2).
        mrs     x15, id_aa64isar0_el1
        ubfx    x20, x15, #16, #4
        SHOW    "id_aa64isar0_el1.CRC32=", x20
        ubfx    x20, x15, #20, #4
        SHOW    "id_aa64isar0_el1.Atomic=", x20
        ubfx    x20, x15, #52, #4
        SHOW    "id_aa64isar0_el1.TS=", x20

        // ID_AA64PFR0_EL1: AArch64-only EL0; FP and AdvSIMD implemented (not 0xf) and equal, as required.
        mrs     x15, id_aa64pfr0_el1
        and     x20, x15, #0xf
        SHOW    "id_aa64pfr0_el1.EL0=", x20
        ubfx    x20, x15, #16, #4       // FP
        ubfx    x22, x15, #20, #4       // AdvSIMD
        cmp     x20, #0xf
        cset    x23, ne
        SHOW    "id_aa64pfr0_el1 FP implemented=", x23
        cmp     x20, x22
        cset    x23, eq
        SHOW    "id_aa64pfr0_el1 AdvSIMD == FP=", x23

        // DC ZVA: fill a page with 0xff, zero the block holding buf+block+5; exactly [buf+block, buf+2*block)
        // must be zero (the buffer is page-aligned and a block is at most 2 KiB).
        and     x11, x19, #0xf
        mov     x12, #4
        lsl     x19, x12, x11           // block size in bytes
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
        cmp     x21, x19
        cset    x22, eq
        SHOW    "zeroed bytes == block bytes=", x22
        add     x23, x20, x19
        ldurb   w22, [x23, #-1]
        SHOW    "byte before the block=", x22
        ldrb    w22, [x23]
        SHOW    "first byte of the block=", x22
        add     x23, x23, x19
        ldurb   w22, [x23, #-1]
        SHOW    "last byte of the block=", x22
        ldrb    w22, [x23]
        SHOW    "byte after the block=", x22
        EXIT    0

        .bss
        .balign 4096
buf:    .skip   4096
