// hv-tag-churn.s: keeps allocation tags alive for a long time, so the hypervisor can swap and
// migrate the memory that holds them underneath.
//
// The guest maps a 64 KiB PROT_MTE arena (16 pages) and a 4 KiB table of 256 slots. Each round it
// picks a slot, checks the block the slot points to (a tag-checked load through the old tagged
// pointer and an LDG that must return the pointer's tag), then gives the block a new random tag
// (IRG + STG), stores a new value through the new pointer and records pointer and value in the
// slot. A final pass checks every slot once more. Exit status: 0 and "tags intact" when every tag
// and value survived; 2 when an allocation tag changed under the guest (LDG disagrees: e.g. the
// page now sits in device memory where STG is dropped); 3 when a value changed; a tag check fault
// (SIGSEGV, status 139) when the memory under an old pointer lost its tag (migration without tags).
//
//   npx tagvisor run --vm examples/vm-swap.json examples/hv-tag-churn.s
//   npx tagvisor run --vm examples/vm-migrate.json examples/hv-tag-churn.s
//   npx tagvisor run --vm examples/vm-migrate-without-tags.json examples/hv-tag-churn.s   # SIGSEGV
//   npx tagvisor run --vm examples/vm-device-nc.json examples/hv-tag-churn.s             # status 2

        .equ SYS_write, 64
        .equ SYS_exit, 93
        .equ SYS_prctl, 167
        .equ SYS_mmap, 222
        .equ PR_SET_TAGGED_ADDR_CTRL, 55
        .equ PROT_RW, 3
        .equ PROT_MTE, 0x20
        .equ MAP_PRIVATE_ANON, 0x22
        .equ ROUNDS, 20000

        .macro say msg, len
        mov     x0, #1
        adr     x1, \msg
        mov     x2, #\len
        mov     x8, #SYS_write
        svc     #0
        .endm

        .text
        .global _start
_start:
        // Tagged addresses, synchronous tag checks, IRG may pick tags 1..15.
        mov     x0, #PR_SET_TAGGED_ADDR_CTRL
        ldr     x1, =(1 | 2 | (0xfffe << 3))
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #SYS_prctl
        svc     #0
        cbnz    x0, fail

        // The arena (PROT_MTE) ...
        mov     x0, #0
        mov     x1, #0x10000
        mov     x2, #(PROT_RW | PROT_MTE)
        mov     x3, #MAP_PRIVATE_ANON
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        cmn     x0, #4095
        b.hs    fail
        mov     x19, x0
        // ... and the slot table (untagged).
        mov     x0, #0
        mov     x1, #4096
        mov     x2, #PROT_RW
        mov     x3, #MAP_PRIVATE_ANON
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        cmn     x0, #4095
        b.hs    fail
        mov     x21, x0

        ldr     x20, =0x9e3779b97f4a7c15        // xorshift64 state
        ldr     x22, =ROUNDS
round:
        eor     x20, x20, x20, lsl #13
        eor     x20, x20, x20, lsr #7
        eor     x20, x20, x20, lsl #17
        ubfx    x9, x20, #11, #8                // slot k
        add     x10, x21, x9, lsl #4            // &table[k] = { pointer, value }
        ldp     x11, x12, [x10]
        cbz     x11, fresh
        bl      check
fresh:
        add     x14, x19, x9, lsl #8            // block k: 256 bytes apart, all 16 pages
        irg     x14, x14                        // a new random tag
        stg     x14, [x14]
        str     x20, [x14]
        stp     x14, x20, [x10]
        subs    x22, x22, #1
        b.ne    round

        // Final pass over every slot.
        mov     x9, #0
final:
        add     x10, x21, x9, lsl #4
        ldp     x11, x12, [x10]
        cbz     x11, 1f
        bl      check
1:      add     x9, x9, #1
        cmp     x9, #256
        b.ne    final
        say     ok, ok_len
        mov     x0, #0
        mov     x8, #SYS_exit
        svc     #0

// check: x11 = tagged pointer, x12 = expected value.
check:
        ldr     x13, [x11]                      // tag-checked: faults if the memory lost its tag
        mov     x15, x11
        ldg     x15, [x11]                      // the allocation tag as memory has it
        cmp     x15, x11
        b.ne    tag_lost
        cmp     x13, x12
        b.ne    value_lost
        ret

tag_lost:
        say     msg_tag, msg_tag_len
        mov     x0, #2
        mov     x8, #SYS_exit
        svc     #0
value_lost:
        say     msg_val, msg_val_len
        mov     x0, #3
        mov     x8, #SYS_exit
        svc     #0
fail:
        mov     x0, #1
        mov     x8, #SYS_exit
        svc     #0

ok:     .ascii  "tags intact after 20000 retags\n"
        .equ    ok_len, . - ok
msg_tag: .ascii "allocation tag lost: LDG disagrees with the pointer\n"
        .equ    msg_tag_len, . - msg_tag
msg_val: .ascii "value changed under a tagged pointer\n"
        .equ    msg_val_len, . - msg_val
