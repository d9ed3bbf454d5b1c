#include "custmap.h"

#include "vocx_internal.h"

#include <stdlib.h>
#include <string.h>

void vx_custmap_init(vx_custmap *m, size_t budget)
{
    memset(m, 0, sizeof *m);
    m->budget = budget;
}

void vx_custmap_free(vx_custmap *m)
{
    free(m->custs);
    free(m->issues);
    free(m->arena);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* `p` (cap elements of `size` bytes) grown to hold at least `need`,
 * doubling, within the budget; NULL (p untouched) when it cannot be.  The
 * new pointer is returned rather than stored through a void **, which
 * would write a vx_cust * through another pointer type. */
static void *grow(vx_custmap *m, void *p, size_t *cap, size_t need,
                  size_t size)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    size_t add = (n - *cap) * size;
    if (n > SIZE_MAX / size || add > m->budget - m->used)
        return NULL;
    void *q = realloc(p, n * size);
    if (!q)
        return NULL;
    *cap = n;
    m->used += add;
    return q;
}

/* FNV-1a over the id's bytes, then a finalizer (splitmix64's) so that
 * the low bits used as the slot depend on every byte. */
static uint64_t hash_id(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9u;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebu;
    return h ^ (h >> 31);
}

#define VX_SLOT_FREE UINT64_MAX

static const char *cust_id(const vx_custmap *m, const vx_cust *c)
{
    return c->id_len <= VX_CUST_ID_INLINE ? c->id.bytes : m->arena + c->id.off;
}

static int rehash(vx_custmap *m)
{
    size_t n = m->nslots ? 2 * m->nslots : 1024;
    size_t bytes = n * sizeof *m->slots;
    size_t had = m->nslots * sizeof *m->slots;
    if (n > SIZE_MAX / sizeof *m->slots || bytes - had > m->budget - m->used)
        return -1;
    uint64_t *s = malloc(bytes);
    if (!s)
        return -1;
    memset(s, 0xff, bytes); /* VX_SLOT_FREE */
    for (size_t i = 0; i < m->nslots; i++) {
        if (m->slots[i] == VX_SLOT_FREE)
            continue;
        size_t k = (size_t)(m->slots[i] >> 32) & (n - 1);
        while (s[k] != VX_SLOT_FREE)
            k = (k + 1) & (n - 1);
        s[k] = m->slots[i];
    }
    free(m->slots);
    m->slots = s;
    m->nslots = n;
    m->used += bytes - had;
    return 0;
}

/* A new customer with this id (no slot): its index, or -1. */
static int64_t add(vx_custmap *m, const void *id, size_t len)
{
    vx_cust *custs = grow(m, m->custs, &m->capcusts, m->ncusts + 1,
                          sizeof *m->custs);
    if (!custs)
        return -1;
    m->custs = custs;
    vx_cust c = {.id_len = (uint32_t)len};
    if (len <= VX_CUST_ID_INLINE) {
        if (len)
            memcpy(c.id.bytes, id, len);
    } else {
        char *arena = grow(m, m->arena, &m->caparena, m->narena + len + 1, 1);
        if (!arena)
            return -1;
        m->arena = arena;
        c.id.off = m->narena;
        memcpy(m->arena + m->narena, id, len);
        m->arena[m->narena + len] = '\0';
        m->narena += len + 1;
    }
    m->custs[m->ncusts] = c;
    return (int64_t)m->ncusts++;
}

int64_t vx_custmap_get(vx_custmap *m, const void *id, size_t len)
{
    if (len >= UINT32_MAX || m->ncusts >= UINT32_MAX - 1)
        return -1;
    if (2 * (m->ncusts + 1) > m->nslots && rehash(m))
        return -1;
    /* the slot keeps 32 bits of the hash: most mismatches are settled
     * without reading the customer */
    uint64_t tag = hash_id(id, len) >> 32;
    size_t mask = m->nslots - 1;
    size_t k = (size_t)tag & mask;
    for (;; k = (k + 1) & mask) {
        uint64_t v = m->slots[k];
        if (v == VX_SLOT_FREE)
            break;
        if (v >> 32 != tag)
            continue;
        const vx_cust *c = &m->custs[(uint32_t)v];
        if (c->id_len == len && !memcmp(cust_id(m, c), id, len))
            return (uint32_t)v;
    }
    int64_t ci = add(m, id, len);
    if (ci >= 0)
        m->slots[k] = tag << 32 | (uint64_t)ci;
    return ci;
}

int64_t vx_custmap_append(vx_custmap *m, const void *id, size_t len)
{
    if (len >= UINT32_MAX || m->ncusts >= UINT32_MAX - 1)
        return -1;
    return add(m, id, len);
}

int vx_custmap_raise(vx_custmap *m, uint32_t ci, uint32_t issue, int cue)
{
    if (issue > VX_CUST_MAX_ISSUE)
        return -1;
    vx_cust *c = &m->custs[ci];
    /* a customer raises a handful of issues, kept side by side: a linear
     * search reads a cache line or two */
    vx_cust_issue *v = c->nvec ? m->issues + c->vec : NULL;
    for (uint32_t k = 0; k < c->nvec; k++) {
        if (v[k].key >> 2 != issue)
            continue;
        if (v[k].count == UINT32_MAX)
            return -1; /* the caller's other way counts in 64 bits */
        v[k].count++;
        if ((uint32_t)cue > (v[k].key & 3))
            v[k].key = issue << 2 | (uint32_t)cue;
        return 0;
    }
    if (c->nvec == c->capvec) {
        /* move the customer's issues to the end, with room to double;
         * the old place is left unused (at most half the array) */
        uint32_t cap = c->capvec ? 2 * c->capvec : 4;
        if (m->nissues + cap > UINT32_MAX)
            return -1;
        vx_cust_issue *issues = grow(m, m->issues, &m->capissues,
                                     m->nissues + cap, sizeof *m->issues);
        if (!issues)
            return -1;
        m->issues = issues;
        if (c->nvec)
            memcpy(m->issues + m->nissues, m->issues + c->vec,
                   c->nvec * sizeof *m->issues);
        c->vec = (uint32_t)m->nissues;
        c->capvec = cap;
        m->nissues += cap;
    }
    vx_cust_issue *x = &m->issues[c->vec + c->nvec++];
    x->key = issue << 2 | (uint32_t)cue;
    x->count = 1;
    return 0;
}

vx_cust_ref vx_custmap_ref(vx_custmap *m, uint32_t ci)
{
    vx_cust *c = &m->custs[ci];
    return (vx_cust_ref){cust_id(m, c), c->id_len, c};
}

static int cmp_ref(const void *a, const void *b)
{
    const vx_cust_ref *x = a, *y = b;
    return vx_binary_cmp(x->id, x->len, y->id, y->len);
}

vx_cust_ref *vx_custmap_sorted(const vx_custmap *m)
{
    vx_cust_ref *r = malloc((m->ncusts ? m->ncusts : 1) * sizeof *r);
    if (!r)
        return NULL;
    for (size_t i = 0; i < m->ncusts; i++) {
        vx_cust *c = &m->custs[i];
        r[i].id = cust_id(m, c);
        r[i].len = c->id_len;
        r[i].cust = c;
    }
    /* customers appended in order need no sort */
    size_t i = 1;
    while (i < m->ncusts && cmp_ref(&r[i - 1], &r[i]) < 0)
        i++;
    if (i < m->ncusts)
        qsort(r, m->ncusts, sizeof *r, cmp_ref);
    return r;
}
