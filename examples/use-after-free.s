// use-after-free.s: a tiny MTE allocator and a use-after-free it catches.
//
// The guest turns on synchronous tag checking with prctl, maps a PROT_MTE arena, "allocates"
// a 32-byte block by giving it a random tag (IRG + ST2G), writes through the tagged pointer,
// "frees" it by retagging the memory (ADDG to the next tag), then reads through the stale pointer:
// the logical tag no longer matches the allocation tag, so the load takes a synchronous tag
// check fault and the kernel kills the process with SIGSEGV / SEGV_MTESERR.
//
//   npx tagvisor run examples/use-after-free.s

        .equ SYS_write, 64
        .equ SYS_exit, 93
        .equ SYS_prctl, 167
        .equ SYS_mmap, 222
        .equ PR_SET_TAGGED_ADDR_CTRL, 55
        .equ PR_TAGGED_ADDR_ENABLE, 1
        .equ PR_MTE_TCF_SYNC, 2
        .equ PR_MTE_TAG_SHIFT, 3
        .equ PROT_READ, 1
        .equ PROT_WRITE, 2
        .equ PROT_MTE, 0x20
        .equ MAP_PRIVATE, 2
        .equ MAP_ANONYMOUS, 0x20

        .macro say msg, len
        mov     x0, #1
        adr     x1, \msg
        mov     x2, #\len
        mov     x8, #SYS_write
        svc     #0
        .endm

        .text
        .global _start
        .type _start, %function
_start:
        // Tagged addresses on, synchronous checks, IRG may use tags 1..15.
        mov     x0, #PR_SET_TAGGED_ADDR_CTRL
        ldr     x1, =(PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_SYNC | (0xfffe << PR_MTE_TAG_SHIFT))
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #SYS_prctl
        svc     #0
        cbnz    x0, fail

        // A 4 KiB arena that can hold allocation tags.
        mov     x0, #0
        mov     x1, #4096
        mov     x2, #(PROT_READ | PROT_WRITE | PROT_MTE)
        mov     x3, #(MAP_PRIVATE | MAP_ANONYMOUS)
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #SYS_mmap
        svc     #0
        cmn     x0, #4095
        b.hs    fail
        mov     x19, x0                 // arena base (tag 0)

        // malloc(32): pick a random tag and colour both granules of the block.
        irg     x20, x19                // x20 = arena with a random logical tag
        st2g    x20, [x20]              // allocation tags of [x20, x20+32) := tag(x20)
        mov     x1, #0x1234
        str     x1, [x20, #8]           // checked store: tags match
        say     msg_alloc, msg_alloc_len

        // free(p): retag the block so stale pointers no longer match.
        addg    x21, x20, #0, #1        // next tag after x20's
        st2g    x21, [x21]
        say     msg_free, msg_free_len

        // use after free: the logical tag of x20 is stale.
        ldr     x2, [x20, #8]
        say     msg_unreachable, msg_unreachable_len
        mov     x0, #0
        mov     x8, #SYS_exit
        svc     #0

fail:
        say     msg_fail, msg_fail_len
        mov     x0, #1
        mov     x8, #SYS_exit
        svc     #0
        .size _start, .-_start

        .section .rodata
msg_alloc:      .ascii "allocated a tagged 32-byte block and wrote to it\n"
        .equ msg_alloc_len, . - msg_alloc
msg_free:       .ascii "freed it (retagged); now reading through the stale pointer...\n"
        .equ msg_free_len, . - msg_free
msg_unreachable: .ascii "BUG: the use-after-free was not caught\n"
        .equ msg_unreachable_len, . - msg_unreachable
msg_fail:       .ascii "setup failed (no MTE?)\n"
        .equ msg_fail_len, . - msg_fail
