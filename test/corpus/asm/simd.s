// Advanced SIMD as used by string routines: ld1/st1 (one to four registers, post-index by immediate and by
// register), cmeq/cmhi/cmtst, umaxv/uminv/addv, uminp/umaxp/addp, shrn, and/orr/bic/orn/eor/not, cnt, dup
// (element and general), movi/mvni, ins/mov element, umov/smov, fmov between general and vector, ext, rev64,
// zip1/uzp1, tbl, uaddlv, and a strlen / memchr implemented the way glibc does it. Prints lane values via umov.
        .include "lib.inc"
        .global _start

// dump v\reg as two 64-bit halves
        .macro VSHOW label, reg
        umov    x18, v\reg\().d[0]
        umov    x17, v\reg\().d[1]
        mov     x16, x17
        PUTS    "\label"
        mov     x0, x16
        bl      print_hex
        PUTS    "    lo "
        mov     x0, x18
        bl      print_hex
        .endm

_start:
        adrp    x19, text
        add     x19, x19, :lo12:text
        ld1     {v0.16b}, [x19]
        VSHOW   "ld1 16b ", 0
        mov     x20, x19
        ld1     {v1.16b, v2.16b}, [x20], #32
        sub     x21, x20, x19
        SHOW    "ld1x2 post-index=", x21
        VSHOW   "v2 ", 2
        mov     x22, #16
        ld1     {v3.4s, v4.4s, v5.4s}, [x20], x22
        sub     x21, x20, x19
        SHOW    "ld1x3 post-index reg=", x21
        VSHOW   "v5 ", 5
        ld1     {v4.2d, v5.2d, v6.2d, v7.2d}, [x19]
        VSHOW   "ld1x4 v7 ", 7
        ld1     {v8.d}[1], [x19]
        VSHOW   "ld1 lane ", 8
        ld1r    {v9.8h}, [x19]
        VSHOW   "ld1r 8h ", 9

        movi    v10.16b, #'e'
        cmeq    v11.16b, v0.16b, v10.16b
        VSHOW   "cmeq 'e' ", 11
        cmeq    v12.16b, v0.16b, #0
        VSHOW   "cmeq #0 ", 12
        umaxv   b13, v11.16b
        umov    w21, v13.b[0]
        SHOW    "umaxv=", x21
        uminv   h13, v0.8h
        umov    w21, v13.h[0]
        SHOW    "uminv h=", x21
        addv    s13, v3.4s
        fmov    w21, s13
        SHOW    "addv 4s=", x21
        uminp   v14.16b, v0.16b, v1.16b
        VSHOW   "uminp ", 14
        umaxp   v14.16b, v0.16b, v1.16b
        VSHOW   "umaxp ", 14
        addp    v15.2d, v0.2d, v1.2d
        VSHOW   "addp 2d ", 15
        addp    d16, v0.2d
        fmov    x21, d16
        SHOW    "addp scalar=", x21
        shrn    v17.8b, v11.8h, #4
        fmov    x21, d17
        SHOW    "shrn #4 (syndrome)=", x21
        movi    v18.2d, #0xff00ff00ff00ff00
        and     v19.16b, v0.16b, v18.16b
        VSHOW   "and ", 19
        orr     v19.16b, v0.16b, v18.16b
        VSHOW   "orr ", 19
        bic     v19.16b, v0.16b, v18.16b
        VSHOW   "bic ", 19
        orn     v19.16b, v0.16b, v18.16b
        VSHOW   "orn ", 19
        eor     v19.16b, v0.16b, v1.16b
        VSHOW   "eor ", 19
        not     v19.16b, v0.16b
        VSHOW   "not ", 19
        cnt     v20.16b, v0.16b
        uaddlv  h21, v20.16b
        umov    w21, v21.h[0]
        SHOW    "popcount(text[0..16])=", x21
        cmhi    v19.16b, v0.16b, v10.16b
        VSHOW   "cmhi ", 19
        cmtst   v19.16b, v0.16b, v10.16b
        VSHOW   "cmtst ", 19

        ldr     x22, =0x1122334455667788
        dup     v22.2d, x22
        VSHOW   "dup 2d x ", 22
        dup     v22.4s, w22
        VSHOW   "dup 4s w ", 22
        dup     v23.16b, v0.b[5]
        VSHOW   "dup 16b elem ", 23
        dup     v23.8h, v0.h[7]
        VSHOW   "dup 8h elem ", 23
        movi    v24.4s, #0x5a, lsl #8
        VSHOW   "movi 4s lsl8 ", 24
        mvni    v24.8h, #0x3
        VSHOW   "mvni 8h ", 24
        movi    d25, #0xff0000ff00ffff00
        VSHOW   "movi d ", 25
        movi    v25.16b, #0
        ins     v25.s[2], w22
        mov     v25.b[15], v0.b[0]
        ins     v25.d[0], x19
        ins     v25.d[0], xzr
        VSHOW   "ins ", 25
        umov    w21, v0.b[15]
        SHOW    "umov b15=", x21
        smov    x21, v12.b[0]
        SHOW    "smov b0=", x21
        smov    w21, v0.h[3]
        SHOW    "smov w h3=", x21
        fmov    d26, x22
        fmov    v26.d[1], x19
        fmov    x21, v26.d[1]
        sub     x21, x21, x19
        SHOW    "fmov d[1] roundtrip=", x21
        fmov    s27, w22
        VSHOW   "fmov s<-w ", 27
        ext     v28.16b, v0.16b, v1.16b, #3
        VSHOW   "ext #3 ", 28
        rev64   v28.16b, v0.16b
        VSHOW   "rev64 ", 28
        zip1    v28.16b, v0.16b, v1.16b
        VSHOW   "zip1 ", 28
        uzp1    v28.8h, v0.8h, v1.8h
        VSHOW   "uzp1 ", 28
        adrp    x20, perm
        add     x20, x20, :lo12:perm
        ldr     q29, [x20]
        tbl     v28.16b, {v0.16b}, v29.16b
        VSHOW   "tbl ", 28
        mov     v30.16b, v0.16b
        st1     {v30.16b}, [x20]
        ldr     x21, [x20, #8]
        SHOW    "st1 hi=", x21
        adrp    x20, scratch
        add     x20, x20, :lo12:scratch
        st1     {v0.16b, v1.16b}, [x20], #32
        st1     {v2.2d}, [x20]
        ldr     x21, [x20, #-8]
        SHOW    "st1x2 last=", x21

        // strlen in SIMD: 16-byte aligned blocks, cmeq #0, shrn syndrome, clz of reversed
        mov     x23, #0
strlen_loop_outer:
        add     x0, x19, x23
        bl      simd_strlen
        SHOW    "simd strlen=", x0
        add     x23, x23, #7
        cmp     x23, #60
        b.lo    strlen_loop_outer
        EXIT    0
        .ltorg

// x0 = string; returns length in x0 (reads whole aligned 16-byte blocks only)
simd_strlen:
        and     x1, x0, #-16
        ld1     {v0.16b}, [x1]
        cmeq    v0.16b, v0.16b, #0
        shrn    v0.8b, v0.8h, #4
        fmov    x2, d0
        and     x3, x0, #15
        lsl     x3, x3, #2
        lsr     x2, x2, x3
        cbz     x2, 2f
        rbit    x2, x2
        clz     x0, x2
        lsr     x0, x0, #2
        ret
2:      mov     x4, x0
1:      ldr     q0, [x1, #16]!
        cmeq    v0.16b, v0.16b, #0
        umaxp   v1.16b, v0.16b, v0.16b
        fmov    x2, d1
        cbz     x2, 1b
        shrn    v0.8b, v0.8h, #4
        fmov    x2, d0
        rbit    x2, x2
        clz     x2, x2
        lsr     x2, x2, #2
        add     x0, x1, x2
        sub     x0, x0, x4
        ret

        .section .rodata
        .balign 16
text:   .ascii  "Hello, vector world! The quick brown fox jumps over the lazy dog."
        .byte   0
        .ascii  "tail bytes after the terminator ......................"
        .balign 16
        .data
        .balign 16
perm:   .byte   15, 14, 13, 12, 0, 1, 2, 3, 16, 200, 8, 8, 8, 5, 4, 3
scratch: .skip  64
