// Register-trace program: MTE instructions that need no prctl/mmap. With the Linux default (every tag
// excluded, GCR_EL1.Exclude = 0xffff) IRG yields tag 0 and ADDG/SUBG keep tag 0; GMI/SUBP/SUBPS are pure
// register operations; LDG on untagged memory reads tag 0 and STG there is ignored; TCO is read back.
        .global _start
_start:
        msr     nzcv, xzr
        adrp    x19, buf
        add     x19, x19, :lo12:buf
        mov     x1, #0x0a
        bfi     x19, x1, #56, #4        // tagged pointer (TBI makes it usable)
        irg     x2, x19
        mov     x3, #0x00f0
        irg     x4, x19, x3
        addg    x5, x19, #64, #3
        subg    x6, x5, #32, #1
        gmi     x7, x19, xzr
        gmi     x8, x5, x7
        subp    x9, x5, x19
        subps   x10, x19, x5
        cmpp    x5, x6
        cset    x11, hi
        ldg     x12, [x19]
        mov     x13, x19
        ldg     x13, [x19, #16]
        stg     x19, [x19]
        st2g    x19, [x19, #32]
        stgp    x1, x3, [x19, #64]
        ldp     x14, x15, [x19, #64]
        msr     tco, #1
        mrs     x16, tco
        msr     tco, #0
        mrs     x17, tco
        ldr     x18, [x19, #64]
        mov     x20, sp
        irg     x21, sp
        sub     x22, x21, x20
        mov     x0, #0
        mov     x8, #93
        svc     #0

        .data
        .balign 16
buf:    .skip   128
