// Structs and unions by value, nested arrays of structs, flexible packing, struct return in registers/memory.
#include <stdio.h>
#include <stdint.h>
#include <string.h>

struct small { int a; short b; char c; };
struct pair { long x, y; };
struct big { double d[3]; char name[13]; uint64_t id; };
struct hfa { float a, b, c, d; };
union pun { double d; uint64_t u; unsigned char bytes[8]; };
struct __attribute__((packed)) packed { char c; uint32_t v; uint16_t w; };
struct node { int val; struct node *next; };

static struct pair add_pair(struct pair p, struct pair q) { return (struct pair){p.x + q.x, p.y * q.y}; }
static struct big make_big(int i) {
    struct big b;
    for (int k = 0; k < 3; k++) b.d[k] = i * 1.5 + k;
    snprintf(b.name, sizeof b.name, "item-%d", i);
    b.id = 0x1000000000ull * i + i;
    return b;
}
static struct hfa scale(struct hfa h, float s) { return (struct hfa){h.a * s, h.b * s, h.c * s, h.d * s}; }
static int sum_small(struct small s1, struct small s2, struct small s3) { return s1.a + s2.b + s3.c + s1.c; }

int main(void) {
    struct pair acc = {1, 1};
    for (int i = 1; i <= 10; i++) acc = add_pair(acc, (struct pair){i, i % 3 + 1});
    printf("pair %ld %ld\n", acc.x, acc.y);
    struct big arr[5];
    for (int i = 0; i < 5; i++) arr[i] = make_big(i * 7);
    for (int i = 0; i < 5; i++) printf("big %s %.2f %.2f %.2f %llx\n", arr[i].name, arr[i].d[0], arr[i].d[1], arr[i].d[2], (unsigned long long)arr[i].id);
    struct hfa h = scale((struct hfa){1.0f, 2.5f, -3.0f, 0.125f}, 3.0f);
    printf("hfa %.3f %.3f %.3f %.3f\n", h.a, h.b, h.c, h.d);
    printf("small %d sizes %zu %zu %zu %zu\n", sum_small((struct small){1, 2, 3}, (struct small){4, 5, 6}, (struct small){7, 8, 9}),
           sizeof(struct small), sizeof(struct big), sizeof(struct packed), sizeof(union pun));
    union pun p = {.d = -2.75};
    printf("pun %016llx bytes", (unsigned long long)p.u);
    for (int i = 0; i < 8; i++) printf(" %02x", p.bytes[i]);
    printf("\n");
    struct packed pk[3];
    memset(pk, 0, sizeof pk);
    for (int i = 0; i < 3; i++) { pk[i].c = 'a' + i; pk[i].v = 0x11223344u * (i + 1); pk[i].w = (uint16_t)(0xabcd + i); }
    const unsigned char *raw = (const unsigned char *)pk;
    for (size_t i = 0; i < sizeof pk; i++) printf("%02x", raw[i]);
    printf("\n");
    struct node nodes[8];
    struct node *head = NULL;
    for (int i = 0; i < 8; i++) { nodes[i].val = i * i; nodes[i].next = head; head = &nodes[i]; }
    int s = 0;
    for (struct node *n = head; n; n = n->next) s = s * 3 + n->val;
    printf("list %d\n", s);
    return 0;
}
