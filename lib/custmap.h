/*
 * The issues of classified comments, gathered per customer in memory.
 *
 * Ranking needs every customer's comments together.  Sorting a million
 * comment rows by customer costs more than the rest of the ranking; a hash
 * map of customers costs memory in proportion to the customers instead,
 * so it works within a byte budget and says when it would go over (the
 * caller then sorts, in bounded memory).  Customers read in id order (from
 * an index) are appended without hashing and need no sort.  Internal
 * header.
 */
#ifndef VX_CUSTMAP_H
#define VX_CUSTMAP_H

#include <stddef.h>
#include <stdint.h>

/* The strongest cue among a customer's comments raising one issue: what
 * decides the customer's risk for it (a churn cue raises the risk, a
 * positive cue lowers it, docs/ranking.md). */
enum { VX_CUE_POSITIVE = 0, VX_CUE_NONE = 1, VX_CUE_CHURN = 2 };

/* One issue a customer raised: its index << 2 | VX_CUE_*, and how many
 * of the customer's comments raised it. */
typedef struct vx_cust_issue {
    uint32_t key;
    uint32_t count;
} vx_cust_issue;

#define VX_CUST_MAX_ISSUE ((UINT32_MAX >> 2) - 1)

/* Ids of up to this many bytes are kept in the customer itself: the
 * lookup that finds the customer then reads no other cache line. */
#define VX_CUST_ID_INLINE 15

typedef struct vx_cust {
    uint64_t comments;   /* rows added */
    uint64_t classified; /* of which raised at least one issue */
    union {
        char bytes[VX_CUST_ID_INLINE + 1]; /* id_len <= VX_CUST_ID_INLINE:
                                              the id, NUL-terminated */
        size_t off; /* longer: its bytes in the map's arena */
    } id;
    uint32_t id_len;
    uint32_t vec;        /* its issues, in the order first raised: */
    uint32_t nvec, capvec; /* issues[vec .. vec + nvec) */
} vx_cust;

typedef struct vx_custmap {
    vx_cust *custs;
    size_t ncusts, capcusts;
    vx_cust_issue *issues; /* every customer's issues, each contiguous */
    size_t nissues, capissues;
    char *arena;
    size_t narena, caparena;
    uint64_t *slots; /* open addressing: hash << 32 | index into custs, or
                        VX_SLOT_FREE */
    size_t nslots;
    size_t budget, used; /* bytes allowed and allocated */
} vx_custmap;

/* An empty map that may allocate up to `budget` bytes. */
void vx_custmap_init(vx_custmap *m, size_t budget);
void vx_custmap_free(vx_custmap *m);

/* The customer with this id, added when new: its index, or -1 when the
 * budget (or memory) would be exceeded. */
int64_t vx_custmap_get(vx_custmap *m, const void *id, size_t len);

/* A customer added without looking it up, for ids that arrive in order,
 * each once (vx_custmap_get does not find it): its index, or -1 over
 * budget. */
int64_t vx_custmap_append(vx_custmap *m, const void *id, size_t len);

/* Comment of customer c raised issue `issue` (at most
 * VX_CUST_MAX_ISSUE) with cue `cue`: 0, or -1 over budget. */
int vx_custmap_raise(vx_custmap *m, uint32_t c, uint32_t issue, int cue);

/* A customer and its id (NUL-terminated, len bytes before the NUL). */
typedef struct vx_cust_ref {
    const char *id;
    size_t len;
    vx_cust *cust;
} vx_cust_ref;

/* Customer ci and its id (valid until the map changes). */
vx_cust_ref vx_custmap_ref(vx_custmap *m, uint32_t ci);

/* Every customer, ordered as SQLite's BINARY collation orders their ids
 * (malloc'ed, m->ncusts of them; valid until the map changes), or NULL
 * out of memory. */
vx_cust_ref *vx_custmap_sorted(const vx_custmap *m);

#endif
