// Every EL0 MTE instruction in every addressing form, on a PROT_MTE mapping with synchronous checking:
// IRG (GCR via prctl include mask, Xm exclusions, SP source), GMI, ADDG/SUBG (incl. SP), SUBP/SUBPS/CMPP,
// STG/STZG/ST2G/STZ2G (offset, pre-index, post-index, Xt=SP), STGP (offset, pre, post), LDG (offsets),
// DC GVA / DC GZVA, MSR/MRS TCO, and SP-based immediate accesses (unchecked without writeback).
// Only tags and offsets from the mapping base are printed. Exits with status 0.
        .include "lib.inc"
        .global _start

        .macro TAG label, reg           // print bits 59:56 of reg
        ubfx    x17, \reg, #56, #4
        PUTS    "\label"
        mov     x0, x17
        bl      print_hex32
        .endm
        .macro OFF label, reg           // print untagged(reg) - base
        and     x17, \reg, #0x00ffffffffffffff
        sub     x17, x17, x19
        PUTS    "\label"
        mov     x0, x17
        bl      print_hex
        .endm
        .macro TAGS label, first, count // allocation tags of granules first..first+count-1, one hex digit each
        mov     x20, #\first
        PUTS    "\label"
1:      add     x9, x19, x20, lsl #4
        ldg     x9, [x9]
        ubfx    x9, x9, #56, #4
        adrp    x10, hexdigits
        add     x10, x10, :lo12:hexdigits
        add     x1, x10, x9
        mov     x0, #1
        mov     x2, #1
        mov     x8, #SYS_write
        svc     #0
        add     x20, x20, #1
        cmp     x20, #(\first + \count)
        b.ne    1b
        PUTS    "\n"
        .endm
        .macro SET_INCLUDE mask         // prctl(PR_SET_TAGGED_ADDR_CTRL, ENABLE | SYNC | mask << 3)
        movz    x1, #((1 | 2 | (\mask << 3)) & 0xffff)
        movk    x1, #((\mask << 3) >> 16), lsl #16
        mov     x0, #PR_SET_TAGGED_ADDR_CTRL
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #SYS_prctl
        svc     #0
        .endm

_start:
        SET_INCLUDE 0x0020              // only tag 5 may be generated
        SHOW    "prctl=", x0
        mov     x0, #0
        mov     x1, #8192
        mov     x2, #(PROT_READ | PROT_WRITE | PROT_MTE)
        mov     x3, #(MAP_PRIVATE | MAP_ANONYMOUS)
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        mov     x19, x0                 // base (untagged)

        // IRG
        irg     x21, x19
        TAG     "irg (include {5})=", x21
        OFF     "irg keeps address=", x21
        SET_INCLUDE 0xffff
        mov     x22, #0xfdff            // exclude all but 9
        irg     x21, x19, x22
        TAG     "irg Xm excludes all but 9=", x21
        mov     x22, #0xffff
        irg     x21, x19, x22
        TAG     "irg all excluded=", x21
        SET_INCLUDE 0x0080              // only 7
        irg     x21, x19, xzr
        TAG     "irg xzr (include {7})=", x21
        irg     x23, sp
        TAG     "irg from sp=", x23
        mov     x24, sp
        eor     x23, x23, x24
        and     x23, x23, #0x00ffffffffffffff
        SHOW    "irg sp address bits unchanged (0)=", x23
        add     x23, x19, #2048
        irg     sp, x23, xzr            // SP as destination (points into the mapping, which is fine as a stack)
        mov     x23, sp
        mov     sp, x24
        TAG     "irg sp,x tag=", x23
        OFF     "irg sp,x address=", x23

        // GMI
        mov     x22, #0x0101
        gmi     x23, x21, x22
        SHOW    "gmi=", x23
        gmi     x23, x19, xzr
        SHOW    "gmi tag0 xzr=", x23
        gmi     x23, sp, x22
        SHOW    "gmi sp=", x23

        // ADDG/SUBG with include {2,7,12}
        SET_INCLUDE 0x1084
        mov     x22, #2
        bfi     x21, x22, #56, #4       // x21 = base with tag 2
        addg    x23, x21, #0, #0
        TAG     "addg #0,#0 from 2=", x23
        addg    x23, x21, #16, #1
        TAG     "addg #16,#1=", x23
        OFF     "addg #16 address=", x23
        addg    x23, x21, #1008, #15
        TAG     "addg #1008,#15=", x23
        OFF     "addg #1008 address=", x23
        add     x24, x21, #512
        subg    x23, x24, #48, #2
        TAG     "subg #48,#2=", x23
        OFF     "subg address=", x23
        mov     x25, sp
        addg    sp, sp, #32, #3
        mov     x23, sp
        TAG     "addg sp tag=", x23
        sub     x23, x23, x25
        and     x23, x23, #0x00ffffffffffffff
        SHOW    "addg sp moved by=", x23
        subg    sp, sp, #32, #0
        mov     x23, sp
        TAG     "subg sp tag=", x23
        mov     sp, x25
        SET_INCLUDE 0xffff

        // SUBP / SUBPS / CMPP
        add     x22, x19, #0x100
        mov     x23, #0xa
        bfi     x22, x23, #56, #4
        mov     x23, #0x3
        bfi     x21, x23, #56, #4
        subp    x23, x22, x21
        SHOW    "subp=", x23
        subp    x23, x21, x22
        SHOW    "subp negative=", x23
        subps   x23, x21, x22
        SHOWFLAGS "subps flags "
        SHOW    "subps=", x23
        cmpp    x22, x21
        SHOWFLAGS "cmpp flags "
        mov     x24, x21
        cmpp    x24, x21
        SHOWFLAGS "cmpp equal "
        subp    x23, sp, sp
        SHOW    "subp sp,sp=", x23
        movz    x24, #0x00ff, lsl #48   // bits 55:48 set: sign-extension from bit 55 matters
        movk    x24, #0xff00, lsl #48
        mov     x25, #1
        subp    x23, x24, x25
        SHOW    "subp sign-extends bit 55=", x23

        // STG family. Tag value t in x21, granule g at base + 16*g
        mov     x21, x19
        mov     x22, #1
        bfi     x21, x22, #56, #4
        stg     x21, [x21]
        stg     x21, [x21, #32]
        add     x26, x21, #4096
        stg     x21, [x26, #-4096 + 48]
        TAGS    "stg offset (g0,g2,g3)=", 0, 6
        mov     x22, #2
        bfi     x21, x22, #56, #4
        add     x26, x21, #64
        stg     x26, [x26, #16]!
        OFF     "stg pre-index writeback=", x26
        stg     x26, [x26], #-16
        OFF     "stg post-index writeback=", x26
        TAGS    "stg pre/post (g5,g6)=", 4, 4
        mov     x25, sp
        mov     x22, #0xb
        bfi     x23, x22, #56, #4
        addg    sp, sp, #0, #0xb        // sp tag b
        add     x26, x19, #0x80
        stg     sp, [x26]               // Xt = SP: stores sp's tag
        mov     sp, x25
        TAGS    "stg Xt=sp (g8)=", 8, 1

        // data for zeroing checks: fill granules 16..31 with 0x5a
        add     x26, x19, #256
        mov     x27, #0
        ldr     x28, =0x5a5a5a5a5a5a5a5a
2:      str     x28, [x26, x27]         // tags are 0 here, pointer tag 0: checked and ok
        add     x27, x27, #8
        cmp     x27, #256
        b.ne    2b
        mov     x21, x19
        mov     x22, #3
        bfi     x21, x22, #56, #4
        add     x26, x21, #256
        stzg    x26, [x26]
        stzg    x26, [x26, #32]!
        OFF     "stzg pre=", x26
        stzg    x26, [x26], #32
        OFF     "stzg post=", x26
        mov     x22, #4
        bfi     x26, x22, #56, #4
        st2g    x26, [x26]
        st2g    x26, [x26, #64]!
        st2g    x26, [x26], #-32
        OFF     "st2g pre/post=", x26
        TAGS    "stzg/st2g (g16..g27)=", 16, 12
        mov     x22, #5
        bfi     x26, x22, #56, #4
        stz2g   x26, [x26, #32]
        stz2g   x26, [x26, #-64]!
        stz2g   x26, [x26], #96
        OFF     "stz2g pre/post=", x26
        TAGS    "stz2g (g16..g31)=", 16, 16
        add     x26, x19, #256
        msr     tco, #1                 // read all 256 bytes ignoring tags to count surviving 0x5a bytes
        mov     x27, #0
        mov     x28, #0
5:      ldrb    w9, [x26, x27]
        cmp     w9, #0x5a
        cinc    x28, x28, eq
        add     x27, x27, #1
        cmp     x27, #256
        b.ne    5b
        mrs     x29, tco
        msr     tco, #0
        SHOW    "0x5a bytes left in g16..31=", x28
        SHOW    "tco while set=", x29
        mrs     x29, tco
        SHOW    "tco after clear=", x29
        mov     x29, #(1 << 25)
        msr     tco, x29
        mrs     x29, tco
        msr     tco, xzr
        SHOW    "tco via register=", x29

        // STGP
        mov     x21, x19
        mov     x22, #6
        bfi     x21, x22, #56, #4
        add     x26, x21, #512
        movz    x27, #0x1111
        movz    x28, #0x2222
        stgp    x27, x28, [x26]
        stgp    x28, x27, [x26, #32]!
        OFF     "stgp pre=", x26
        stgp    x27, x27, [x26], #-16
        OFF     "stgp post=", x26
        stgp    xzr, x28, [x26, #64]
        TAGS    "stgp (g32..g37)=", 32, 6
        add     x26, x21, #512
        ldp     x27, x28, [x26]
        SHOW    "stgp g32 lo=", x27
        SHOW    "stgp g32 hi=", x28
        ldp     x27, x28, [x26, #32]
        SHOW    "stgp g34 lo=", x27
        ldp     x27, x28, [x26, #80]
        SHOW    "stgp g37 lo (xzr)=", x27

        // LDG: keeps address bits, replaces the tag
        add     x26, x19, #0x208        // inside g32 (tag 6), low bits 8
        ldg     x26, [x26]
        TAG     "ldg g32=", x26
        OFF     "ldg keeps address=", x26
        add     x26, x19, #0x1000
        mov     x27, x26
        ldg     x27, [x26, #-4096 + 16]
        TAG     "ldg offset -4080 (g1)=", x27
        OFF     "ldg dest address bits from Xt=", x27
        mov     x27, #0
        ldg     x27, [x19, #4080]
        TAG     "ldg #4080=", x27
        SHOW    "ldg into zero reg value=", x27

        // DC GVA / DC GZVA on the second page (block size from DCZID)
        mrs     x22, dczid_el0
        and     x22, x22, #15
        mov     x23, #4
        lsl     x22, x23, x22           // block bytes
        add     x26, x19, #4096
        mov     x23, #0x7
        bfi     x26, x23, #56, #4
        add     x27, x26, #20
        mov     x28, #0x4242
        msr     tco, #1
        str     x28, [x26, #8]
        msr     tco, #0
        dc      gva, x27
        ldr     x28, [x26, #8]          // tag 7 pointer now matches
        SHOW    "dc gva keeps data=", x28
        // The block size is implementation defined (QEMU -cpu max: 512 bytes, Tagvisor: 64), so print only
        // that exactly one block got tag 7: its first and last granule, the one after it, and the count.
        mov     x24, #0
        mov     x20, #256
3:      add     x9, x19, x20, lsl #4
        ldg     x9, [x9]
        ubfx    x9, x9, #56, #4
        cmp     x9, #7
        cinc    x24, x24, eq
        add     x20, x20, #1
        cmp     x20, #512
        b.ne    3b
        lsr     x23, x22, #4
        cmp     x24, x23
        cset    x24, eq
        SHOW    "dc gva: granules with tag 7 in page 2 == block/16=", x24
        mov     x9, x26
        ldg     x9, [x9]
        TAG     "dc gva first granule of the block=", x9
        add     x9, x26, x22
        sub     x9, x9, #16
        ldg     x9, [x9]
        TAG     "dc gva last granule of the block=", x9
        add     x9, x26, x22
        ldg     x9, [x9]
        TAG     "dc gva granule after the block=", x9
        add     x27, x26, x22
        mov     x23, #0x8
        bfi     x27, x23, #56, #4
        msr     tco, #1
        str     x28, [x27]
        msr     tco, #0
        dc      gzva, x27
        ldr     x28, [x27]
        SHOW    "dc gzva zeroes=", x28

        // SP-based accesses: immediate offset, no writeback => unchecked even with a mismatching tag
        mov     x25, sp
        add     x26, x19, #1024         // granules 64.. tag 0
        mov     x23, #0xe
        bfi     x26, x23, #56, #4       // pointer tag e: mismatch
        add     sp, x26, #64
        mov     x27, #0x77
        str     x27, [sp, #16]
        ldr     x28, [sp, #16]
        stp     x27, x28, [sp]
        ldur    x28, [sp, #-8]
        ldp     x28, x27, [sp]
        mov     sp, x25
        SHOW    "sp-relative unchecked value=", x27
        EXIT    0
        .ltorg

        .section .rodata
hexdigits: .ascii "0123456789abcdef"
