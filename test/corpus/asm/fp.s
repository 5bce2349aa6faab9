// Scalar floating point: arithmetic in single and double precision, fused multiply-add family, fsqrt, fabs/fneg,
// fmin/fmax/fminnm/fmaxnm with NaNs, fcmp/fcmpe/fccmp flags and fcsel, conversions (fcvt s<->d<->h, scvtf/ucvtf
// incl. fixed point, fcvtzs/zu/ns/ms/ps/as with saturation), frint* in every rounding mode, fmov immediates,
// FPCR rounding mode and FPSR cumulative exception flags. Results printed as raw bit patterns.
        .include "lib.inc"
        .global _start

        .macro DSHOW label, dreg
        fmov    x17, \dreg
        PUTS    "\label"
        mov     x0, x17
        bl      print_hex
        .endm
        .macro SSHOW label, sreg
        fmov    w17, \sreg
        PUTS    "\label"
        mov     x0, x17
        bl      print_hex32
        .endm

_start:
        adrp    x19, dvals
        add     x19, x19, :lo12:dvals
        mov     x20, #0
dloop:
        add     x9, x19, x20, lsl #3
        ldp     d8, d9, [x9]
        DSHOW   "a=", d8
        DSHOW   "b=", d9
        fadd    d0, d8, d9
        DSHOW   "fadd=", d0
        fsub    d0, d8, d9
        DSHOW   "fsub=", d0
        fmul    d0, d8, d9
        DSHOW   "fmul=", d0
        fdiv    d0, d8, d9
        DSHOW   "fdiv=", d0
        fmadd   d0, d8, d9, d8
        DSHOW   "fmadd=", d0
        fnmsub  d0, d8, d9, d9
        DSHOW   "fnmsub=", d0
        fnmul   d0, d8, d9
        DSHOW   "fnmul=", d0
        fmin    d0, d8, d9
        DSHOW   "fmin=", d0
        fmaxnm  d0, d8, d9
        DSHOW   "fmaxnm=", d0
        fabd    d0, d8, d9
        DSHOW   "fabd=", d0
        fcmp    d8, d9
        SHOWFLAGS "fcmp "
        fcmpe   d8, #0.0
        SHOWFLAGS "fcmpe #0 "
        fccmp   d8, d9, #0b0010, mi
        SHOWFLAGS "fccmp "
        fcmp    d8, d9
        fcsel   d0, d8, d9, gt
        DSHOW   "fcsel gt=", d0
        fsqrt   d0, d8
        DSHOW   "fsqrt=", d0
        fcvt    s1, d8
        SSHOW   "fcvt s=", s1
        fcvt    h2, d8
        umov    w21, v2.h[0]
        SHOW    "fcvt h=", x21
        fcvtzs  x21, d8
        SHOW    "fcvtzs=", x21
        fcvtzu  w21, d8
        SHOW    "fcvtzu w=", x21
        fcvtns  x21, d8
        SHOW    "fcvtns=", x21
        fcvtms  x21, d8
        SHOW    "fcvtms=", x21
        fcvtps  w21, d8
        SHOW    "fcvtps w=", x21
        fcvtas  x21, d8
        SHOW    "fcvtas=", x21
        fcvtzs  x21, d8, #8
        SHOW    "fcvtzs fixed#8=", x21
        frintn  d0, d8
        DSHOW   "frintn=", d0
        frintm  d0, d8
        DSHOW   "frintm=", d0
        frintp  d0, d8
        DSHOW   "frintp=", d0
        frintz  d0, d8
        DSHOW   "frintz=", d0
        frinta  d0, d8
        DSHOW   "frinta=", d0
        frintx  d0, d8
        DSHOW   "frintx=", d0
        add     x20, x20, #1
        cmp     x20, #NDVALS - 1
        b.ne    dloop

        // single precision
        fmov    s8, #1.5
        fmov    s9, #-0.125
        fadd    s0, s8, s9
        SSHOW   "fadd s=", s0
        fmul    s0, s8, s9
        SSHOW   "fmul s=", s0
        fdiv    s0, s9, s8
        SSHOW   "fdiv s=", s0
        fmsub   s0, s8, s9, s8
        SSHOW   "fmsub s=", s0
        fneg    s0, s8
        SSHOW   "fneg s=", s0
        fabs    s0, s9
        SSHOW   "fabs s=", s0
        fsqrt   s0, s8
        SSHOW   "fsqrt s=", s0
        fcvt    d0, s9
        DSHOW   "fcvt d<-s=", d0
        fmov    d10, #31.0
        DSHOW   "fmov #31=", d10

        // integer -> fp
        mov     x21, #-7
        scvtf   d0, x21
        DSHOW   "scvtf -7=", d0
        ucvtf   d0, x21
        DSHOW   "ucvtf 2^64-7=", d0
        scvtf   s0, w21
        SSHOW   "scvtf s w=", s0
        mov     x21, #0x180
        ucvtf   d0, x21, #8
        DSHOW   "ucvtf fixed#8=", d0
        mov     x21, #0x7fffffffffffffff
        scvtf   s0, x21
        SSHOW   "scvtf s max=", s0

        // rounding modes and exception flags
        msr     fpsr, xzr
        fmov    d1, #1.0
        fmov    d2, #3.0
        fdiv    d3, d1, d2
        DSHOW   "1/3 nearest=", d3
        mrs     x21, fpsr
        SHOW    "fpsr inexact=", x21
        mov     x22, #(1 << 22)          // round towards +inf
        msr     fpcr, x22
        fdiv    d3, d1, d2
        DSHOW   "1/3 +inf=", d3
        frinti  d4, d3
        DSHOW   "frinti +inf=", d4
        mov     x22, #(2 << 22)          // round towards -inf
        msr     fpcr, x22
        fdiv    d3, d1, d2
        DSHOW   "1/3 -inf=", d3
        fcvtzs  x21, d3
        msr     fpcr, xzr
        msr     fpsr, xzr
        movi    d5, #0
        fdiv    d3, d1, d5
        DSHOW   "1/0=", d3
        mrs     x21, fpsr
        SHOW    "fpsr divzero=", x21
        fsub    d3, d3, d3
        DSHOW   "inf-inf=", d3
        mrs     x21, fpsr
        SHOW    "fpsr invalid=", x21
        ldr     d6, big
        fmul    d3, d6, d6
        DSHOW   "overflow=", d3
        mrs     x21, fpsr
        SHOW    "fpsr overflow=", x21
        fcvtzs  w21, d3
        SHOW    "fcvtzs w inf=", x21
        msr     fpsr, xzr
        ldr     d7, tiny
        fmul    d3, d7, d7
        DSHOW   "underflow=", d3
        mrs     x21, fpsr
        SHOW    "fpsr underflow=", x21
        mov     x22, #(1 << 24)          // flush to zero
        msr     fpcr, x22
        ldr     d7, denormal
        fadd    d3, d7, d7
        DSHOW   "denormal+denormal FZ=", d3
        msr     fpcr, xzr
        fadd    d3, d7, d7
        DSHOW   "denormal+denormal=", d3
        mov     x22, #(1 << 25)          // default NaN
        msr     fpcr, x22
        ldr     d7, qnan_payload
        fadd    d3, d7, d1
        DSHOW   "nan+1 DN=", d3
        msr     fpcr, xzr
        fadd    d3, d7, d1
        DSHOW   "nan+1 propagate=", d3
        ldr     d7, snan
        fadd    d3, d1, d7
        DSHOW   "1+snan=", d3
        fminnm  d3, d7, d1
        DSHOW   "fminnm(snan,1)=", d3
        ldr     d7, qnan_payload
        fminnm  d3, d7, d1
        DSHOW   "fminnm(qnan,1)=", d3
        fmax    d3, d7, d1
        DSHOW   "fmax(qnan,1)=", d3
        EXIT    0

        .section .rodata
        .balign 8
dvals:  .double 2.5, -3.75, 0.1, 1e10, -0.0, 123456.789, -2.5, 0.5, 1e300
dvals_end:
        .equ    NDVALS, (dvals_end - dvals) / 8
big:    .double 1e300
tiny:   .double 1e-300
denormal: .quad 0x0000000000000010
qnan_payload: .quad 0x7ff8000000001234
snan:   .quad   0x7ff0000000000042
