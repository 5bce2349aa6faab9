/* Syscall numbers for the preprocessed (.S) corpus programs (asm-generic table). */
#ifndef TV_SYSCALLS_H
#define TV_SYSCALLS_H
#define SYS_WRITE_NR 64
#define SYS_EXIT_GROUP_NR 94
#endif
