/*
 * Rules: compile entry points, the term trie and indexes built from the
 * parsed file, accessors, and freeing.  The parser (rules_parse.c) fills a
 * vocx_rules through the vx_rules_add_* functions; vx_rules_finish() then
 * turns the gathered lists into the read-only indexes the matcher uses.
 */
#include "rules.h"
#include "vocx_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ----------------------------------------------------- */

int vx_grow(void **pv, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return VOCX_OK;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            return VOCX_ENOMEM;
        n *= 2;
    }
    void *p = realloc(*pv, n * size);
    if (!p)
        return VOCX_ENOMEM;
    *pv = p;
    *cap = n;
    return VOCX_OK;
}

#define GROW(arr, cap, need)                                                   \
    vx_grow((void **)&(arr), &(cap), (need), sizeof *(arr))

struct vx_arena_chunk {
    vx_arena_chunk *next;
    size_t used, cap;
    char data[];
};

static char *arena_alloc(vx_arena *a, size_t n)
{
    vx_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 8192 ? n : 8192;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

static void arena_free(vx_arena *a)
{
    vx_arena_chunk *c = a->head;
    while (c) {
        vx_arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
}

const char *vx_rules_strdup(vocx_rules *r, const char *s, size_t len)
{
    char *p = arena_alloc(&r->arena, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* ---- trie -------------------------------------------------------------- */

static uint64_t key_hash(uint32_t parent, const char *s, size_t len)
{
    return vx_key_hash(parent, s, len, len);
}

static size_t slot_index(uint64_t h, size_t mask)
{
    /* Must agree with vx_trie_find(). */
    return (size_t)((h ^ (h >> 29)) * 0x9e3779b97f4a7c15ULL >> 20) & mask;
}

static uint64_t node_hash(const vocx_rules *r, uint32_t node)
{
    const vx_tnode *n = &r->tnodes[node];
    return key_hash(n->tag >> 1, r->keys + n->koff, n->klen);
}

static void slot_put(vx_tslot *slots, size_t mask, uint64_t h, uint32_t node)
{
    size_t j = slot_index(h, mask);
    while (slots[j].child)
        j = (j + 1) & mask;
    slots[j].hfrag = (uint32_t)(h >> 32);
    slots[j].child = node + 1;
}

static int trie_rehash(vocx_rules *r, size_t size)
{
    vx_tslot *slots = calloc(size, sizeof *slots);
    if (!slots)
        return VOCX_ENOMEM;
    size_t mask = size - 1;
    for (size_t i = 1; i < r->ntnodes; i++) /* node 0, the root, has no edge */
        slot_put(slots, mask, node_hash(r, (uint32_t)i), (uint32_t)i);
    free(r->slots);
    r->slots = slots;
    r->slot_mask = mask;
    return VOCX_OK;
}

static int new_tnode(vocx_rules *r, uint32_t *id)
{
    if (r->ntnodes >= UINT32_MAX / 2 - 1)
        return VOCX_ELIMIT;
    if (GROW(r->tnodes, r->cap_tnodes, r->ntnodes + 1))
        return VOCX_ENOMEM;
    vx_tnode *n = &r->tnodes[r->ntnodes];
    memset(n, 0, sizeof *n);
    n->leaf = -1;
    *id = (uint32_t)r->ntnodes++;
    return VOCX_OK;
}

static int trie_child(vocx_rules *r, uint32_t parent, const vx_elem *e,
                      uint32_t *child)
{
    uint64_t h = key_hash(parent, e->s, e->len);
    if (r->slots) {
        int32_t c = vx_trie_find(r, parent, (int)e->is_prefix, h, e->s, e->len,
                                 e->len);
        if (c >= 0) {
            *child = (uint32_t)c;
            return VOCX_OK;
        }
    }
    if (!r->slots || (r->nslots_used + 1) * 2 > r->slot_mask + 1) {
        size_t size = r->slots ? (r->slot_mask + 1) * 2 : 1024;
        int rc = trie_rehash(r, size);
        if (rc)
            return rc;
    }
    if (r->nkeys + e->len > UINT32_MAX)
        return VOCX_ELIMIT;
    if (GROW(r->keys, r->cap_keys, r->nkeys + e->len + VX_KEYS_SLACK))
        return VOCX_ENOMEM;
    uint32_t id;
    int rc = new_tnode(r, &id);
    if (rc)
        return rc;
    if (e->is_prefix)
        r->tnodes[parent].has_prefix = 1;
    else
        r->tnodes[parent].has_exact = 1;
    memcpy(r->keys + r->nkeys, e->s, e->len);
    memset(r->keys + r->nkeys + e->len, 0, VX_KEYS_SLACK);
    vx_tnode *n = &r->tnodes[id];
    n->tag = parent << 1 | (e->is_prefix ? 1u : 0u);
    n->koff = (uint32_t)r->nkeys;
    n->klen = e->len;
    slot_put(r->slots, r->slot_mask, h, id);
    r->nkeys += e->len;
    r->nslots_used++;
    *child = id;
    return VOCX_OK;
}

static int new_leaf(vocx_rules *r, int kind, uint32_t *leaf)
{
    if (r->nleaves >= UINT32_MAX / 2)
        return VOCX_ELIMIT;
    if (GROW(r->leaves, r->cap_leaves, r->nleaves + 1))
        return VOCX_ENOMEM;
    vx_leaf *l = &r->leaves[r->nleaves];
    memset(l, 0, sizeof *l);
    l->kind = (uint8_t)kind;
    *leaf = (uint32_t)r->nleaves++;
    return VOCX_OK;
}

int vx_rules_add_term(vocx_rules *r, const vx_elem *e, size_t n,
                      uint32_t *leaf)
{
    if (!r->tnodes) {
        uint32_t root;
        int rc = new_tnode(r, &root);
        if (rc)
            return rc;
    }
    uint32_t node = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = trie_child(r, node, &e[i], &node);
        if (rc)
            return rc;
    }
    if (r->tnodes[node].leaf >= 0) {
        *leaf = (uint32_t)r->tnodes[node].leaf;
        return VOCX_OK;
    }
    int kind = n > 1 ? VX_LEAF_PHRASE
                     : e[0].is_prefix ? VX_LEAF_PREFIX : VX_LEAF_WORD;
    int rc = new_leaf(r, kind, leaf);
    if (rc)
        return rc;
    r->tnodes[node].leaf = (int32_t)*leaf;
    return VOCX_OK;
}

int vx_rules_add_regex(vocx_rules *r, pcre2_code *code, pcre2_code *counted,
                       pcre2_code *ascii, uint32_t line, const vx_litset *lits,
                       uint32_t *leaf)
{
    if (GROW(r->regexes, r->cap_regexes, r->nregexes + 1) ||
        GROW(r->build_lits, r->cap_build_lits, r->nregexes + 1))
        return VOCX_ENOMEM;
    if (lits)
        r->build_lits[r->nregexes] = *lits;
    else
        r->build_lits[r->nregexes].n = 0; /* none: always runs */
    int rc = new_leaf(r, VX_LEAF_REGEX, leaf);
    if (rc)
        return rc;
    vx_regex *x = &r->regexes[r->nregexes];
    memset(x, 0, sizeof *x);
    x->code = code;
    x->counted = counted;
    x->ascii = ascii;
    x->leaf = *leaf;
    x->line = line;
    r->leaves[*leaf].regex = (uint32_t)r->nregexes++;
    return VOCX_OK;
}

int vx_regex_ascii_ok(const char *pat, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pat[i];
        if (c >= 0x80)
            return 0;
        if (c == '(' && i + 1 < len && pat[i + 1] == '*')
            return 0; /* (*UTF), (*LIMIT_MATCH=...), verbs */
        if (c == '(' && i + 2 < len && pat[i + 1] == '?' && pat[i + 2] == 'C')
            return 0; /* a callout sees the work of the other code */
        if (c == '\\' && i + 1 < len) {
            /* \x{212A}, \o{...}, octal \0../\1.., \N{U+..}, \p{..}, \X */
            if (strchr("xoNpPX0123456789", pat[i + 1]))
                return 0;
            i++;
        }
    }
    return 1;
}

void vx_rules_disable_ascii(vocx_rules *r)
{
    for (size_t i = 0; i < r->nregexes; i++) {
        pcre2_code_free(r->regexes[i].ascii);
        r->regexes[i].ascii = NULL;
    }
}

void vx_rules_disable_prefilter(vocx_rules *r)
{
    if (r->regex_prefiltered)
        memset(r->regex_prefiltered, 0, r->nregexes);
    for (size_t i = 0; i < r->nregexes; i++)
        r->regex_always[i] = (uint32_t)i;
    r->nregex_always = r->nregexes;
    vx_prefilter_free(&r->prefilter);
}

void vx_rules_disable_gate(vocx_rules *r)
{
    if (r->rgate)
        memset(r->rgate, 0xFF, ((size_t)1 << r->rgate_bits) / 8);
}

void vx_rules_disable_prechecks(vocx_rules *r)
{
    for (size_t i = 0; i < r->nrules; i++)
        r->rules[i].req_n = 0;
}

#define VX_REQ_MAX_CLAUSES 8 /* per rule: more would cost more than eval */
#define VX_REQ_MAX_LEAVES 32 /* per clause */

/* The leaves under node `id` one of which occurs whenever it is true,
 * appended to out[*n..cap); -1 when it can be true without any (a NOT) or
 * they do not fit. */
static int any_leaves(const vocx_rules *r, uint32_t id, uint32_t *out,
                      uint32_t *n, uint32_t cap)
{
    const vx_node *nd = &r->nodes[id];
    /* no child array at all when every expression is a single term */
    const uint32_t *k = nd->op == VX_OP_LEAF ? NULL : r->kids + nd->arg;
    int any = 0;
    switch (nd->op) {
    case VX_OP_LEAF:
        if (*n == cap)
            return -1;
        out[(*n)++] = nd->arg;
        return 0;
    case VX_OP_NOT:
        return -1;
    case VX_OP_OR: /* true through some operand: all of theirs */
        for (uint32_t i = 0; i < nd->nkids; i++)
            if (any_leaves(r, k[i], out, n, cap))
                return -1;
        return 0;
    default: /* AND, NEAR, BEFORE: every operand true; NOTs need nothing */
        for (uint32_t i = 0; i < nd->nkids; i++) {
            if (r->nodes[k[i]].op == VX_OP_NOT)
                continue;
            if (any_leaves(r, k[i], out, n, cap))
                return -1;
            any = 1;
        }
        return any ? 0 : -1;
    }
}

/* Clauses of node `id`: every operand of an AND, NEAR or BEFORE is
 * needed; an OR or a term is one clause. */
static int add_clauses(vocx_rules *r, vx_rule *ru, uint32_t id)
{
    const vx_node *nd = &r->nodes[id];
    if (nd->op == VX_OP_NOT || ru->req_n == VX_REQ_MAX_CLAUSES)
        return VOCX_OK;
    if (nd->op == VX_OP_AND || nd->op == VX_OP_NEAR ||
        nd->op == VX_OP_BEFORE) {
        for (uint32_t i = 0; i < nd->nkids; i++) {
            int rc = add_clauses(r, ru, r->kids[nd->arg + i]);
            if (rc)
                return rc;
        }
        return VOCX_OK;
    }
    uint32_t leaves[VX_REQ_MAX_LEAVES], n = 0;
    if (any_leaves(r, id, leaves, &n, VX_REQ_MAX_LEAVES))
        return VOCX_OK; /* no clause: nothing is skipped for it */
    if (GROW(r->req, r->cap_req, r->nreq + 1 + n))
        return VOCX_ENOMEM;
    r->req[r->nreq++] = n;
    memcpy(r->req + r->nreq, leaves, n * sizeof *leaves);
    r->nreq += n;
    ru->req_n++;
    return VOCX_OK;
}

int vx_rules_add_prechecks(vocx_rules *r, uint32_t ri)
{
    vx_rule *ru = &r->rules[ri];
    ru->req_off = (uint32_t)r->nreq;
    ru->req_n = 0;
    int op = r->nodes[ru->root].op;
    /* A term or an OR: its one clause holds the terms the rule is indexed
     * under, so it holds for every candidate.  And absurdly many clauses:
     * evaluate them all. */
    if (op == VX_OP_LEAF || op == VX_OP_OR || r->nreq > UINT32_MAX / 2)
        return VOCX_OK;
    return add_clauses(r, ru, ru->root);
}

void vx_rules_disable_child_bits(vocx_rules *r)
{
    for (size_t i = 0; i < r->ntnodes; i++)
        r->tnodes[i].next_mask = ~0ULL;
}

int vx_rules_use_leaf(vocx_rules *r, uint32_t leaf, uint32_t rule,
                      int indexed)
{
    if (indexed) {
        if (GROW(r->pairs, r->cap_pairs, r->npairs * 2 + 2))
            return VOCX_ENOMEM;
        r->pairs[r->npairs * 2] = leaf;
        r->pairs[r->npairs * 2 + 1] = rule;
        r->npairs++;
    }
    if (r->leaves[leaf].kind == VX_LEAF_REGEX) {
        if (GROW(r->rpairs, r->cap_rpairs, r->nrpairs * 2 + 2))
            return VOCX_ENOMEM;
        r->rpairs[r->nrpairs * 2] = r->leaves[leaf].regex;
        r->rpairs[r->nrpairs * 2 + 1] = rule;
        r->nrpairs++;
    }
    return VOCX_OK;
}

/* Turn (key, rule) pairs into a CSR list per key, rules ascending and
 * without repeats (a rule naming the same term twice is listed once).
 * Pairs arrive in rule order, so a counting sort keeps them sorted.
 * off[] and cnt[] have nkeys entries. */
static int build_csr(const uint32_t *pairs, size_t npairs, size_t nkeys,
                     uint32_t **out, uint32_t *off, uint32_t *cnt)
{
    uint32_t *list = malloc((npairs ? npairs : 1) * sizeof *list);
    if (!list)
        return VOCX_ENOMEM;
    memset(cnt, 0, nkeys * sizeof *cnt);
    for (size_t i = 0; i < npairs; i++)
        cnt[pairs[2 * i]]++;
    uint32_t sum = 0;
    for (size_t k = 0; k < nkeys; k++) {
        off[k] = sum;
        sum += cnt[k];
        cnt[k] = 0;
    }
    for (size_t i = 0; i < npairs; i++) {
        size_t k = pairs[2 * i];
        uint32_t rule = pairs[2 * i + 1];
        if (cnt[k] && list[off[k] + cnt[k] - 1] == rule)
            continue;
        list[off[k] + cnt[k]++] = rule;
    }
    *out = list;
    return VOCX_OK;
}

/* A prefix child while the buckets are built. */
typedef struct pref_rec {
    uint32_t parent, key, klen, child;
} pref_rec;

static int cmp_pref(const void *pa, const void *pb)
{
    const pref_rec *a = pa, *b = pb;
    if (a->parent != b->parent)
        return a->parent < b->parent ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->klen != b->klen)
        return a->klen < b->klen ? -1 : 1;
    return a->child < b->child ? -1 : a->child > b->child;
}

/* Group every node's prefix children by their first pkey bytes (pkey:
 * the node's shortest prefix child, at most VX_PKEY_MAX), each group by
 * ascending length, and index the groups by (node, key).  A token then
 * finds all the prefix children it may match in one probe, and visits
 * them shortest first, as one lookup per length did. */
static int build_pbuckets(vocx_rules *r)
{
    size_t np = 0;
    for (size_t i = 1; i < r->ntnodes; i++)
        if (r->tnodes[i].tag & 1)
            np++;
    for (size_t i = 0; i < r->ntnodes; i++)
        r->tnodes[i].pkey = VX_PKEY_MAX;
    for (size_t i = 1; i < r->ntnodes; i++) {
        const vx_tnode *n = &r->tnodes[i];
        vx_tnode *p = &r->tnodes[n->tag >> 1];
        if ((n->tag & 1) && n->klen < p->pkey)
            p->pkey = n->klen;
    }
    pref_rec *rec = malloc((np ? np : 1) * sizeof *rec);
    r->pchild = malloc((np ? np : 1) * sizeof *r->pchild);
    size_t size = 16;
    while (size < np * 2)
        size *= 2;
    r->pbuckets = calloc(size, sizeof *r->pbuckets);
    if (!rec || !r->pchild || !r->pbuckets) {
        free(rec);
        return VOCX_ENOMEM;
    }
    r->pbucket_mask = size - 1;
    size_t k = 0;
    for (size_t i = 1; i < r->ntnodes; i++) {
        const vx_tnode *n = &r->tnodes[i];
        if (!(n->tag & 1))
            continue;
        uint32_t pk = r->tnodes[n->tag >> 1].pkey;
        unsigned char b[VX_PKEY_MAX] = {0};
        if (pk)
            memcpy(b, r->keys + n->koff, pk);
        rec[k].parent = n->tag >> 1;
        rec[k].key = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                     (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        rec[k].klen = n->klen;
        rec[k].child = (uint32_t)i;
        k++;
    }
    qsort(rec, np, sizeof *rec, cmp_pref);
    for (size_t i = 0; i < np;) {
        size_t j = i;
        while (j < np && rec[j].parent == rec[i].parent &&
               rec[j].key == rec[i].key)
            j++;
        size_t x = vx_pbucket_slot(rec[i].parent, rec[i].key, r->pbucket_mask);
        while (r->pbuckets[x].node1)
            x = (x + 1) & r->pbucket_mask;
        r->pbuckets[x].node1 = rec[i].parent + 1;
        r->pbuckets[x].key = rec[i].key;
        r->pbuckets[x].off = (uint32_t)i;
        r->pbuckets[x].cnt = (uint32_t)(j - i);
        for (; i < j; i++)
            r->pchild[i] = rec[i].child;
    }
    free(rec);
    return VOCX_OK;
}

int vx_rules_finish(vocx_rules *r)
{
    int rc;
    /* the rule file may have added negators and contrast words */
    if (r->lexicon && (rc = vx_lexicon_seal(r->lexicon)))
        return rc;
    /* A file without terms still has a root: lookups find nothing. */
    if (!r->tnodes) {
        uint32_t root;
        if ((rc = new_tnode(r, &root)))
            return rc;
    }
    /* leaf -> rules, regex -> rules */
    size_t nk = r->nleaves > r->nregexes ? r->nleaves : r->nregexes;
    uint32_t *off = malloc((nk ? nk : 1) * sizeof *off);
    uint32_t *cnt = malloc((nk ? nk : 1) * sizeof *cnt);
    if (!off || !cnt) {
        free(off);
        free(cnt);
        return VOCX_ENOMEM;
    }
    rc = build_csr(r->pairs, r->npairs, r->nleaves, &r->leaf_rules, off, cnt);
    for (size_t i = 0; rc == VOCX_OK && i < r->nleaves; i++) {
        r->leaves[i].rules_off = off[i];
        r->leaves[i].rules_cnt = cnt[i];
    }
    if (rc == VOCX_OK)
        rc = build_csr(r->rpairs, r->nrpairs, r->nregexes, &r->regex_users,
                       off, cnt);
    for (size_t i = 0; rc == VOCX_OK && i < r->nregexes; i++) {
        r->regexes[i].users_off = off[i];
        r->regexes[i].users_cnt = cnt[i];
    }
    free(off);
    free(cnt);
    if (rc)
        return rc;
    free(r->pairs);
    r->pairs = NULL;
    r->npairs = r->cap_pairs = 0;
    free(r->rpairs);
    r->rpairs = NULL;
    r->nrpairs = r->cap_rpairs = 0;

    if ((rc = build_pbuckets(r)))
        return rc;
    /* child bits: which next tokens may continue a phrase at each node */
    for (size_t i = 1; i < r->ntnodes; i++) {
        const vx_tnode *n = &r->tnodes[i];
        vx_tnode *p = &r->tnodes[n->tag >> 1];
        if ((n->tag & 1) && n->klen < 2)
            p->next_mask = ~0ULL; /* a 0- or 1-byte prefix: any token */
        else
            p->next_mask |= 1ULL << vx_child_bit(r->keys + n->koff, n->klen);
    }

    if (!r->slots && (rc = trie_rehash(r, 16)))
        return rc;
    /* root gate: 32 bits per root term, about 3 % false passes */
    size_t nroot = 0;
    for (size_t i = 1; i < r->ntnodes; i++)
        nroot += r->tnodes[i].tag <= 1;
    r->rgate_bits = 12;
    while (((size_t)1 << r->rgate_bits) < nroot * 32)
        r->rgate_bits++;
    r->rgate = calloc((size_t)1 << (r->rgate_bits - 6), sizeof *r->rgate);
    if (!r->rgate)
        return VOCX_ENOMEM;
    r->rgate_short = 0;
    for (size_t i = 1; i < r->ntnodes; i++) {
        const vx_tnode *n = &r->tnodes[i];
        if (n->tag > 1 || n->klen == 0)
            continue; /* not a root term; an empty key matches no token */
        size_t k = n->klen < VX_RGATE_LEN ? n->klen : VX_RGATE_LEN;
        char tmp[8] = {0};
        memcpy(tmp, r->keys + n->koff, k);
        vx_rgate_set(r->rgate, r->rgate_bits, vx_rgate_hash(tmp, k));
        if (n->tag == 1 && k < VX_RGATE_LEN)
            r->rgate_short |= 1u << k;
    }
    /* 16 filter bits per key, two set per key within one 64-bit word:
     * a few percent false hits */
    size_t words = 64;
    while (words * 64 < r->nslots_used * 16)
        words *= 2;
    r->bloom = calloc(words, sizeof *r->bloom);
    if (!r->bloom)
        return VOCX_ENOMEM;
    r->bloom_mask = words - 1;
    for (size_t i = 1; i < r->ntnodes; i++) {
        uint64_t h = node_hash(r, (uint32_t)i);
        /* must agree with vx_trie_find() */
        uint64_t m = (h ^ (h >> 29)) * 0x9e3779b97f4a7c15ULL;
        r->bloom[(size_t)(m >> 40) & r->bloom_mask] |=
            (1ULL << (m & 63)) | (1ULL << ((m >> 6) & 63));
    }

    /* JIT where available; the interpreter is the fallback when the JIT
     * is missing or refuses a pattern. */
    r->max_regex_pairs = 1;
    for (size_t i = 0; i < r->nregexes; i++) {
        uint32_t caps = 0;
        pcre2_pattern_info(r->regexes[i].code, PCRE2_INFO_CAPTURECOUNT, &caps);
        if (caps + 1 > r->max_regex_pairs)
            r->max_regex_pairs = caps + 1;
        (void)pcre2_jit_compile(r->regexes[i].code, PCRE2_JIT_COMPLETE);
        (void)pcre2_jit_compile(r->regexes[i].counted, PCRE2_JIT_COMPLETE);
        if (r->regexes[i].ascii)
            (void)pcre2_jit_compile(r->regexes[i].ascii, PCRE2_JIT_COMPLETE);
    }
    if (r->nregexes) {
        r->regex_prefiltered = malloc(r->nregexes);
        r->regex_always = malloc(r->nregexes * sizeof *r->regex_always);
        if (!r->regex_prefiltered || !r->regex_always)
            return VOCX_ENOMEM;
        for (size_t i = 0; i < r->nregexes; i++) {
            r->regex_prefiltered[i] = r->build_lits[i].n != 0;
            if (!r->regex_prefiltered[i])
                r->regex_always[r->nregex_always++] = (uint32_t)i;
        }
        int rc = vx_prefilter_build(&r->prefilter, r->build_lits,
                                    r->regex_prefiltered, r->nregexes);
        if (rc)
            return rc;
    }
    free(r->build_lits);
    r->build_lits = NULL;

    r->max_rule_nodes = 1;
    for (size_t i = 0; i < r->nrules; i++)
        if (r->rules[i].nnodes > r->max_rule_nodes)
            r->max_rule_nodes = r->rules[i].nnodes;
    return VOCX_OK;
}

/* ---- compile / load ---------------------------------------------------- */

static const struct {
    const char *id, *label;
} builtin_blocks[] = {
    {"customer_voice", "Customer voice"},
    {"cx_strategy", "Customer-focused corporate strategy"},
    {"culture", "Customer-centric culture"},
    {"customer_intelligence", "Customer intelligence"},
    {"clv", "Customer lifetime value"},
    {"improvement", "Improvement"},
    {"innovation", "Innovation"},
    {"engaging_internally", "Engaging internally"},
    {"engaging_externally", "Engaging externally"},
};

void vocx_rules_free(vocx_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nregexes; i++) {
        pcre2_code_free(r->regexes[i].code);
        pcre2_code_free(r->regexes[i].counted);
        pcre2_code_free(r->regexes[i].ascii);
    }
    free(r->build_lits);
    free(r->regex_prefiltered);
    free(r->regex_always);
    vx_prefilter_free(&r->prefilter);
    if (r->lexicon)
        vx_lexicon_free(r->lexicon);
    arena_free(&r->arena);
    free(r->name);
    free(r->source);
    free(r->blocks);
    free(r->issues);
    free(r->rules);
    free(r->nodes);
    free(r->kids);
    free(r->req);
    free(r->leaves);
    free(r->leaf_rules);
    free(r->regexes);
    free(r->regex_users);
    free(r->tnodes);
    free(r->slots);
    free(r->keys);
    free(r->pbuckets);
    free(r->pchild);
    free(r->bloom);
    free(r->rgate);
    free(r->pairs);
    free(r->rpairs);
    free(r);
}

static int rules_new(vocx_rules **out, const char *text, size_t len,
                     const char *name)
{
    vocx_rules *r = calloc(1, sizeof *r);
    if (!r)
        return VOCX_ENOMEM;
    r->name = strdup(name);
    r->source = malloc(len + 1);
    if (!r->name || !r->source)
        goto nomem;
    if (len)
        memcpy(r->source, text, len);
    r->source[len] = '\0';
    r->source_len = len;

    vx_sha256 c;
    unsigned char dig[32];
    vx_sha256_init(&c);
    vx_sha256_update(&c, text ? text : "", len);
    vx_sha256_final(&c, dig);
    vx_hex(dig, sizeof dig, r->hash);

    if (vx_lexicon_new(&r->lexicon) != VOCX_OK)
        goto nomem;
    size_t nb = sizeof builtin_blocks / sizeof builtin_blocks[0];
    if (GROW(r->blocks, r->cap_blocks, nb))
        goto nomem;
    for (size_t i = 0; i < nb; i++) {
        r->blocks[i].id = builtin_blocks[i].id;
        r->blocks[i].label = builtin_blocks[i].label;
    }
    r->nblocks = r->nbuiltin_blocks = nb;
    *out = r;
    return VOCX_OK;
nomem:
    vocx_rules_free(r);
    return VOCX_ENOMEM;
}

int vocx_rules_compile(vocx_rules **out, const char *text, size_t len,
                       const char *name, vocx_diagnostics **diag)
{
    if (diag)
        *diag = NULL;
    if (!out)
        return VOCX_EINVAL;
    *out = NULL;
    if (!text && len)
        return VOCX_EINVAL;
    if (!name)
        name = "<rules>";

    vocx_diagnostics *d = NULL;
    if (vx_diag_new(&d, name))
        return VOCX_ENOMEM;
    int rc;
    if (len > VX_RULES_MAX_SOURCE) {
        rc = vx_diag_add(d, VOCX_DIAG_ERROR, 0, 0,
                         "rule text is %zu bytes; the limit is %u bytes", len,
                         VX_RULES_MAX_SOURCE);
        if (rc)
            goto fail;
        rc = VOCX_ELIMIT;
        goto done;
    }

    vocx_rules *r = NULL;
    if ((rc = rules_new(&r, text, len, name)))
        goto fail;
    rc = vx_rules_parse(r, d);
    if (rc == VOCX_OK && vx_diag_errors(d))
        rc = VOCX_ERULES;
    if (rc == VOCX_OK)
        rc = vx_rules_finish(r);
    if (rc) {
        vocx_rules_free(r);
        if (rc == VOCX_ENOMEM)
            goto fail;
        goto done;
    }
    *out = r;
done:
    vx_diag_sort(d);
    if (diag && vocx_diagnostics_count(d))
        *diag = d;
    else
        vocx_diagnostics_free(d);
    return rc;
fail:
    vocx_diagnostics_free(d);
    return rc;
}

static int io_fail(const char *path, vocx_diagnostics **diag, int err)
{
    if (!diag)
        return VOCX_EIO;
    vocx_diagnostics *d = NULL;
    if (vx_diag_new(&d, path))
        return VOCX_EIO;
    char buf[256];
    const char *why = "unknown error";
    if (err && strerror_r(err, buf, sizeof buf) == 0)
        why = buf;
    if (vx_diag_add(d, VOCX_DIAG_ERROR, 0, 0, "cannot read rules: %s", why)) {
        vocx_diagnostics_free(d);
        return VOCX_EIO;
    }
    *diag = d;
    return VOCX_EIO;
}

int vocx_rules_load(vocx_rules **out, const char *path,
                    vocx_diagnostics **diag)
{
    if (diag)
        *diag = NULL;
    if (!out)
        return VOCX_EINVAL;
    *out = NULL;
    if (!path)
        return VOCX_EINVAL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return io_fail(path, diag, errno);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int err = 0;
    for (;;) {
        if (cap - len < 65536) {
            /* one byte over the limit is enough to know it is too big */
            if (cap > VX_RULES_MAX_SOURCE + 1)
                break;
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return VOCX_ENOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                err = errno ? errno : EIO;
            break;
        }
    }
    fclose(f);
    if (err) {
        free(buf);
        return io_fail(path, diag, err);
    }
    int rc = vocx_rules_compile(out, buf, len, path, diag);
    free(buf);
    return rc;
}

/* ---- accessors --------------------------------------------------------- */

const char *vocx_rules_hash(const vocx_rules *r) { return r ? r->hash : NULL; }

const char *vocx_rules_name(const vocx_rules *r) { return r ? r->name : NULL; }

const char *vocx_rules_source(const vocx_rules *r, size_t *len)
{
    if (len)
        *len = r ? r->source_len : 0;
    return r ? r->source : NULL;
}

size_t vocx_rules_block_count(const vocx_rules *r) { return r ? r->nblocks : 0; }

size_t vocx_rules_issue_count(const vocx_rules *r) { return r ? r->nissues : 0; }

size_t vocx_rules_rule_count(const vocx_rules *r) { return r ? r->nrules : 0; }

int vocx_rules_block(const vocx_rules *r, size_t i, const char **id,
                     const char **label)
{
    if (!r || i >= r->nblocks)
        return VOCX_EINVAL;
    if (id)
        *id = r->blocks[i].id;
    if (label)
        *label = r->blocks[i].label;
    return VOCX_OK;
}

int vocx_rules_issue(const vocx_rules *r, size_t i, vocx_issue_info *out)
{
    if (!r || !out || i >= r->nissues)
        return VOCX_EINVAL;
    *out = r->issues[i].info;
    return VOCX_OK;
}

const char *vocx_kind_name(int kind)
{
    switch (kind) {
    case VOCX_KIND_PROBLEM:
        return "problem";
    case VOCX_KIND_OPPORTUNITY:
        return "opportunity";
    case VOCX_KIND_PRAISE:
        return "praise";
    default:
        return "unknown";
    }
}
