// A tiny MTE-tagging allocator and a use-after-free bug it catches.
//
// The allocator carves 16-byte-aligned chunks out of a PROT_MTE arena. Every chunk gets a random tag (IRG)
// that differs from its neighbours' tags, and free() retags the chunk with a fresh tag, so a dangling pointer
// no longer matches its memory. The program keeps a small table of user sessions; a stale pointer to a freed
// session is used later and the synchronous tag check stops the program at the exact faulting load
// (SIGSEGV, SEGV_MTESERR).
//
// Build: aarch64-linux-gnu-gcc -static -g -march=armv8.5-a+memtag uaf-malloc.c -o uaf-malloc
#include <arm_acle.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#ifndef PROT_MTE
#define PROT_MTE 0x20
#endif
#define ARENA_SIZE (64 * 1024)
#define GRANULE 16

struct chunk_header { size_t size; uint64_t in_use; }; /* one granule, tagged like the chunk it precedes */

static char *arena, *arena_top;

static void tag_region(void *tagged, size_t size) {
    for (size_t off = 0; off < size; off += GRANULE) __arm_mte_set_tag((char *)tagged + off);
}

/* Tags of the granules just before and after [p, p+size) are excluded, and tag 0 (untagged) too. */
static uint64_t neighbour_exclusions(char *p, size_t size) {
    uint64_t exclude = 1;
    if (p > arena) exclude = __arm_mte_exclude_tag(__arm_mte_get_tag(p - GRANULE), exclude);
    if (p + size < arena + ARENA_SIZE) exclude = __arm_mte_exclude_tag(__arm_mte_get_tag(p + size), exclude);
    return exclude;
}

static void *tmalloc(size_t n) {
    size_t body = (n + GRANULE - 1) & ~(size_t)(GRANULE - 1);
    size_t total = sizeof(struct chunk_header) + body;
    if (arena_top + total > arena + ARENA_SIZE) return NULL;
    char *raw = arena_top;
    arena_top += total;
    char *tagged = __arm_mte_create_random_tag(raw, neighbour_exclusions(raw, total));
    tag_region(tagged, total);
    struct chunk_header *h = (struct chunk_header *)tagged;
    h->size = body;
    h->in_use = 1;
    return tagged + sizeof *h;
}

static void tfree(void *p) {
    if (!p) return;
    struct chunk_header *h = (struct chunk_header *)((char *)p - sizeof *h);
    size_t total = sizeof *h + h->size;
    h->in_use = 0;
    uint64_t exclude = __arm_mte_exclude_tag(h, neighbour_exclusions((char *)((uintptr_t)h & ((1ull << 56) - 1)), total));
    char *retagged = __arm_mte_create_random_tag(h, exclude); /* new tag != old tag: stale pointers now fault */
    tag_region(retagged, total);
}

struct session { char user[24]; int uid; int logins; };

int main(void) {
    if (prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE | PR_MTE_TCF_SYNC | (0xfffeUL << PR_MTE_TAG_SHIFT), 0, 0, 0)) {
        perror("prctl(PR_SET_TAGGED_ADDR_CTRL)");
        return 1;
    }
    arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE | PROT_MTE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (arena == MAP_FAILED) { perror("mmap(PROT_MTE)"); return 1; }
    arena_top = arena;

    const char *names[] = {"alice", "bob", "carol", "dave"};
    struct session *sessions[4];
    for (int i = 0; i < 4; i++) {
        sessions[i] = tmalloc(sizeof(struct session));
        strcpy(sessions[i]->user, names[i]);
        sessions[i]->uid = 1000 + i;
        sessions[i]->logins = i * 3;
    }
    struct session *current = sessions[1]; /* a second reference to bob's session */
    printf("logged in: %s (uid %d)\n", current->user, current->uid);

    printf("bob logs out\n");
    tfree(sessions[1]);
    sessions[1] = NULL;

    for (int i = 0; i < 4; i++)
        if (sessions[i]) printf("session %s: %d logins\n", sessions[i]->user, sessions[i]->logins);
    fflush(stdout);

    /* Bug: `current` still points at the freed session. */
    current->logins++;
    printf("bob has %d logins\n", current->logins);
    return 0;
}
