/*
 * Regex prefilter (prefilter.h): required-literal analysis of PCRE2
 * patterns and a one-pass multi-literal scan.
 *
 * The analysis walks the pattern once, computing for every piece either
 * the exact set of strings it can match (when small: "(day|week)s?" is
 * {day, days, week, weeks}) or a set of literals one of which any match
 * contains.  A sequence keeps the best literal set seen along it, an
 * alternation unites its branches' sets, a quantifier that allows zero
 * repetitions makes a piece optional.  Anything it does not model with
 * certainty -- inline options, backreferences, \Q...\E, verbs, braces that
 * are not a plain {n,m} -- gives up on the whole pattern, which then
 * always runs.
 */
#include "prefilter.h"

#include "vocx.h"

#include <stdlib.h>
#include <string.h>

/* ---- literal sets ------------------------------------------------------- */

static void set_clear(vx_litset *s) { s->n = 0; }

static int set_has_empty(const vx_litset *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->len[i] == 0)
            return 1;
    return 0;
}

/* Add a string (cut to VX_LIT_MAX); returns 0 when the set is full. */
static int set_add(vx_litset *s, const char *p, size_t n)
{
    if (n > VX_LIT_MAX)
        n = VX_LIT_MAX;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->len[i] == n && memcmp(s->s[i], p, n) == 0)
            return 1;
    if (s->n == VX_LIT_SET_MAX)
        return 0;
    memcpy(s->s[s->n], p, n);
    s->len[s->n++] = (uint8_t)n;
    return 1;
}

static int contains(const char *h, size_t hn, const char *n, size_t nn)
{
    if (nn == 0)
        return 1;
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(h + i, n, nn) == 0)
            return 1;
    return 0;
}

/* As a requirement, "contains one of {wait, waited}" is "contains wait":
 * drop every member that contains another member. */
static void set_minimize(vx_litset *s)
{
    uint32_t out = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        int redundant = 0;
        for (uint32_t j = 0; j < s->n && !redundant; j++) {
            if (i == j || s->len[j] > s->len[i])
                continue;
            if (s->len[j] == s->len[i] && j > i)
                continue; /* equal strings: keep the first */
            redundant = contains(s->s[i], s->len[i], s->s[j], s->len[j]);
        }
        if (!redundant) {
            memmove(s->s[out], s->s[i], s->len[i]);
            s->len[out++] = s->len[i];
        }
    }
    s->n = out;
}

static uint32_t set_minlen(const vx_litset *s)
{
    uint32_t m = VX_LIT_MAX;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->len[i] < m)
            m = s->len[i];
    return m;
}

/* ---- pattern facts ------------------------------------------------------ */

/* What is known of a piece of pattern: the exact strings it matches
 * (exact), else literals one of which every match contains (req), else
 * nothing (neither). */
typedef struct info {
    int exact;
    int req;
    vx_litset set;
} info;

static void info_any(info *f)
{
    f->exact = 0;
    f->req = 0;
    set_clear(&f->set);
}

static void info_empty(info *f) /* matches exactly the empty string */
{
    f->exact = 1;
    f->req = 0;
    set_clear(&f->set);
    set_add(&f->set, "", 0);
}

/* The requirement a piece gives: its exact strings unless one is empty. */
static int info_req(const info *f, vx_litset *out)
{
    if (f->exact) {
        if (set_has_empty(&f->set))
            return 0;
        *out = f->set;
        set_minimize(out);
        return 1;
    }
    if (f->req) {
        *out = f->set;
        return 1;
    }
    return 0;
}

/* Whether requirement b is more selective than a: longer shortest literal,
 * then fewer literals. */
static int req_better(int has_b, const vx_litset *b, int has_a,
                      const vx_litset *a)
{
    if (!has_b)
        return 0;
    if (!has_a)
        return 1;
    uint32_t mb = set_minlen(b), ma = set_minlen(a);
    if (mb != ma)
        return mb > ma;
    return b->n < a->n;
}

/* ---- the parser --------------------------------------------------------- */

#define MAX_DEPTH 8 /* group nesting analyzed; deeper gives up */

typedef struct ctx {
    const char *p;
    size_t n, i;
    int depth;
    int fail; /* syntax the analysis does not model */
} ctx;

static void parse_alt(ctx *c, info *out);

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static int is_hex(char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* A strict {n}, {n,} or {n,m} at c->i: returns its bounds (max -1 for
 * none) and its length; 0 when it is not one. */
static size_t brace_quant(const ctx *c, long *min, long *max)
{
    size_t i = c->i + 1;
    long a = 0, b;
    if (i >= c->n || !is_digit(c->p[i]))
        return 0;
    while (i < c->n && is_digit(c->p[i])) {
        if (a < 100000)
            a = a * 10 + (c->p[i] - '0');
        i++;
    }
    b = a;
    if (i < c->n && c->p[i] == ',') {
        i++;
        if (i < c->n && is_digit(c->p[i])) {
            b = 0;
            while (i < c->n && is_digit(c->p[i])) {
                if (b < 100000)
                    b = b * 10 + (c->p[i] - '0');
                i++;
            }
        } else {
            b = -1;
        }
    }
    if (i >= c->n || c->p[i] != '}')
        return 0;
    *min = a;
    *max = b;
    return i + 1 - c->i;
}

/* Skip a character class starting at '['; the class matches one
 * character we do not enumerate. */
static void skip_class(ctx *c)
{
    size_t i = c->i + 1;
    if (i < c->n && c->p[i] == '^')
        i++;
    if (i < c->n && c->p[i] == ']')
        i++; /* a leading ] is literal */
    while (i < c->n && c->p[i] != ']') {
        if (c->p[i] == '\\') {
            if (i + 1 < c->n && (c->p[i + 1] == 'Q' || c->p[i + 1] == 'E')) {
                c->fail = 1;
                return;
            }
            i += 2;
            continue;
        }
        if (c->p[i] == '[' && i + 1 < c->n &&
            (c->p[i + 1] == ':' || c->p[i + 1] == '.' || c->p[i + 1] == '=')) {
            char kind = c->p[i + 1];
            size_t j = i + 2;
            while (j + 1 < c->n && !(c->p[j] == kind && c->p[j + 1] == ']'))
                j++;
            i = j + 2;
            continue;
        }
        i++;
    }
    if (i >= c->n)
        c->fail = 1;
    c->i = i + 1;
}

/* Skip the braces of \x{..}, \o{..}, \p{..} at c->i (on the letter). */
static void skip_braced(ctx *c)
{
    c->i++;
    if (c->i < c->n && c->p[c->i] == '{') {
        while (c->i < c->n && c->p[c->i] != '}')
            c->i++;
        if (c->i >= c->n)
            c->fail = 1;
        c->i++;
    }
}

/* One escape after '\' (c->i on the escaped character). */
static void parse_escape(ctx *c, info *out)
{
    if (c->i >= c->n) {
        c->fail = 1;
        return;
    }
    unsigned char e = (unsigned char)c->p[c->i];
    switch (e) {
    case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G':
        c->i++;
        info_empty(out); /* zero-width */
        return;
    case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'h':
    case 'H': case 'v': case 'V': case 'N': case 'R': case 'X': case 'e':
    case 'f': case 'n': case 'r': case 't': case 'a':
        c->i++;
        info_any(out);
        return;
    case 'p': case 'P':
        c->i++;
        if (c->i < c->n && c->p[c->i] == '{') {
            c->i--;
            skip_braced(c);
        } else {
            c->i++; /* one-letter property */
        }
        info_any(out);
        return;
    case 'x':
        if (c->i + 1 < c->n && c->p[c->i + 1] == '{') {
            skip_braced(c);
        } else {
            c->i++;
            for (int k = 0; k < 2 && c->i < c->n && is_hex(c->p[c->i]); k++)
                c->i++;
        }
        info_any(out);
        return;
    case 'o':
        skip_braced(c);
        info_any(out);
        return;
    case 'c':
        c->i += 2;
        info_any(out);
        return;
    default:
        break;
    }
    if (e >= 0x80 || (e >= '0' && e <= '9') || (e >= 'a' && e <= 'z') ||
        (e >= 'A' && e <= 'Z')) {
        /* backreferences, octal, \Q..\E, \K, \g, \k, escaped non-ASCII:
         * not modelled */
        c->fail = 1;
        return;
    }
    c->i++;
    out->exact = 1;
    out->req = 0;
    set_clear(&out->set);
    set_add(&out->set, (const char *)&e, 1);
}

/* A group after '(' (c->i just past it).  Lookarounds and comments match
 * the empty string as far as literals go. */
static void parse_group(ctx *c, info *out)
{
    int zero_width = 0;
    if (c->i < c->n && c->p[c->i] == '*') {
        c->fail = 1; /* (*VERB) */
        return;
    }
    if (c->i < c->n && c->p[c->i] == '?') {
        c->i++;
        char q = c->i < c->n ? c->p[c->i] : 0;
        char q2 = c->i + 1 < c->n ? c->p[c->i + 1] : 0;
        if (q == ':' || q == '>' || q == '|') {
            c->i++;
        } else if (q == '=' || q == '!') {
            c->i++;
            zero_width = 1;
        } else if (q == '<' && (q2 == '=' || q2 == '!')) {
            c->i += 2;
            zero_width = 1;
        } else if (q == '#') {
            while (c->i < c->n && c->p[c->i] != ')')
                c->i++;
            if (c->i >= c->n)
                c->fail = 1;
            c->i++;
            info_empty(out);
            return;
        } else if (q == '<' || q == '\'' || (q == 'P' && q2 == '<')) {
            char close = q == '\'' ? '\'' : '>';
            c->i++; /* past the quote, '<' or 'P' */
            while (c->i < c->n && c->p[c->i] != close)
                c->i++;
            c->i++;
        } else {
            c->fail = 1; /* inline options, recursion, conditionals... */
            return;
        }
    }
    if (++c->depth > MAX_DEPTH) {
        c->fail = 1;
        return;
    }
    parse_alt(c, out);
    c->depth--;
    if (c->fail)
        return;
    if (c->i >= c->n || c->p[c->i] != ')') {
        c->fail = 1;
        return;
    }
    c->i++;
    if (zero_width)
        info_empty(out);
}

/* One atom: a literal character, a class, an escape, a group. */
static void parse_atom(ctx *c, info *out)
{
    unsigned char ch = (unsigned char)c->p[c->i];
    switch (ch) {
    case '(':
        c->i++;
        parse_group(c, out);
        return;
    case '[':
        skip_class(c);
        info_any(out);
        return;
    case '.':
        c->i++;
        info_any(out);
        return;
    case '^': case '$':
        c->i++;
        info_empty(out);
        return;
    case '\\':
        c->i++;
        parse_escape(c, out);
        return;
    case '*': case '+': case '?': case '{':
        c->fail = 1; /* a quantifier with nothing to repeat, or a brace
                        whose meaning depends on the PCRE2 version */
        return;
    default:
        break;
    }
    /* a literal character, whole (a quantifier repeats all of it) */
    size_t len = 1;
    if (ch >= 0xC0)
        while (c->i + len < c->n && len < 4 &&
               ((unsigned char)c->p[c->i + len] & 0xC0) == 0x80)
            len++;
    out->exact = 1;
    out->req = 0;
    set_clear(&out->set);
    set_add(&out->set, c->p + c->i, len);
    c->i += len;
}

/* A quantifier after an atom, if any. */
static void apply_quant(ctx *c, info *f)
{
    if (c->i >= c->n)
        return;
    long min, max;
    size_t qlen = 0;
    char q = c->p[c->i];
    if (q == '*') {
        min = 0, max = -1, qlen = 1;
    } else if (q == '+') {
        min = 1, max = -1, qlen = 1;
    } else if (q == '?') {
        min = 0, max = 1, qlen = 1;
    } else if (q == '{') {
        qlen = brace_quant(c, &min, &max);
        if (!qlen) {
            c->fail = 1;
            return;
        }
    } else {
        return;
    }
    c->i += qlen;
    if (c->i < c->n && (c->p[c->i] == '?' || c->p[c->i] == '+'))
        c->i++; /* lazy or possessive: the same strings */
    if (c->i < c->n && strchr("*+?{", c->p[c->i])) {
        c->fail = 1;
        return;
    }
    if (min == 1 && max == 1)
        return;
    if (min == 0) {
        if (max == 0) {
            info_empty(f);
        } else if (max == 1 && f->exact) {
            if (!set_add(&f->set, "", 0))
                info_any(f);
        } else {
            info_any(f);
        }
        return;
    }
    /* at least once: every match contains a match of the atom */
    vx_litset r;
    if (info_req(f, &r)) {
        f->exact = 0;
        f->req = 1;
        f->set = r;
    } else {
        info_any(f);
    }
}

/* Keep the better of the sequence's requirement so far and `cand`. */
static void seq_consider(info *best, const vx_litset *cand)
{
    if (req_better(1, cand, best->req, &best->set)) {
        best->req = 1;
        best->set = *cand;
    }
}

/* A sequence of atoms up to '|', ')' or the end.  `run` is the exact set
 * of the latest unbroken stretch of exactly known atoms. */
static void parse_seq(ctx *c, info *out)
{
    info run, best, atom;
    int all_exact = 1;
    info_empty(&run);
    info_any(&best);
    while (!c->fail && c->i < c->n && c->p[c->i] != '|' && c->p[c->i] != ')') {
        parse_atom(c, &atom);
        if (c->fail)
            return;
        apply_quant(c, &atom);
        if (c->fail)
            return;
        if (atom.exact) {
            vx_litset prod;
            int fits = run.set.n * atom.set.n <= VX_LIT_SET_MAX;
            set_clear(&prod);
            for (uint32_t i = 0; fits && i < run.set.n; i++)
                for (uint32_t j = 0; fits && j < atom.set.n; j++) {
                    size_t l = (size_t)run.set.len[i] + atom.set.len[j];
                    char buf[2 * VX_LIT_MAX];
                    if (l > VX_LIT_MAX) {
                        fits = 0;
                        break;
                    }
                    memcpy(buf, run.set.s[i], run.set.len[i]);
                    memcpy(buf + run.set.len[i], atom.set.s[j],
                           atom.set.len[j]);
                    set_add(&prod, buf, l);
                }
            if (fits) {
                run.set = prod;
                continue;
            }
            /* the stretch grew too large: keep what it requires, start
             * a new one at this atom */
            vx_litset r;
            if (info_req(&run, &r))
                seq_consider(&best, &r);
            run = atom;
            all_exact = 0;
            continue;
        }
        all_exact = 0;
        vx_litset r;
        if (info_req(&run, &r))
            seq_consider(&best, &r);
        if (info_req(&atom, &r))
            seq_consider(&best, &r);
        info_empty(&run);
    }
    if (all_exact) {
        *out = run;
        return;
    }
    vx_litset r;
    if (info_req(&run, &r))
        seq_consider(&best, &r);
    *out = best;
}

/* Branches separated by '|': exactly one of them matches. */
static void parse_alt(ctx *c, info *out)
{
    info br;
    parse_seq(c, out);
    while (!c->fail && c->i < c->n && c->p[c->i] == '|') {
        c->i++;
        parse_seq(c, &br);
        if (c->fail)
            return;
        if (out->exact && br.exact) {
            int ok = 1;
            for (uint32_t j = 0; ok && j < br.set.n; j++)
                ok = set_add(&out->set, br.set.s[j], br.set.len[j]);
            if (ok)
                continue;
        }
        vx_litset a, b;
        if (!info_req(out, &a) || !info_req(&br, &b)) {
            info_any(out);
            continue;
        }
        int ok = 1;
        for (uint32_t j = 0; ok && j < b.n; j++)
            ok = set_add(&a, b.s[j], b.len[j]);
        set_minimize(&a);
        out->exact = 0;
        out->req = ok;
        out->set = a;
        if (!ok)
            set_clear(&out->set);
    }
}

int vx_regex_literals(const char *pat, size_t len, vx_litset *out)
{
    ctx c = {pat, len, 0, 0, 0};
    info f;
    set_clear(out);
    parse_alt(&c, &f);
    if (c.fail || c.i != c.n)
        return 0;
    vx_litset r;
    if (!info_req(&f, &r))
        return 0;
    set_minimize(&r);
    if (r.n == 0 || set_minlen(&r) < VX_LIT_MIN)
        return 0;
    *out = r;
    return 1;
}

/* ---- the scanner -------------------------------------------------------- */

#define BLOOM_BITS 16

static inline uint32_t key3(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16;
}

static inline uint32_t key_hash(uint32_t k) { return k * 0x9E3779B1u; }

typedef struct pair {
    uint32_t key;
    uint32_t regex;
    const char *s;
    uint8_t len;
} pair;

static int pair_cmp(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    int c = memcmp(x->s, y->s, x->len);
    if (c)
        return c;
    return x->regex < y->regex ? -1 : x->regex > y->regex;
}

void vx_prefilter_free(vx_prefilter *pf)
{
    if (!pf)
        return;
    free(pf->pairs);
    free(pf->bloom);
    free(pf->slots);
    free(pf->keys);
    free(pf->key_off);
    free(pf->bytes);
    free(pf->lit_off);
    free(pf->lit_len);
    free(pf->user_off);
    free(pf->users);
    memset(pf, 0, sizeof *pf);
}

int vx_prefilter_build(vx_prefilter *pf, const vx_litset *sets,
                       const unsigned char *has, size_t n)
{
    memset(pf, 0, sizeof *pf);
    size_t np = 0;
    for (size_t x = 0; x < n; x++)
        if (has[x])
            np += sets[x].n;
    if (np == 0)
        return VOCX_OK;
    pair *pp = malloc(np * sizeof *pp);
    if (!pp)
        return VOCX_ENOMEM;
    np = 0;
    for (size_t x = 0; x < n; x++)
        for (uint32_t i = 0; has[x] && i < sets[x].n; i++)
            pp[np++] = (pair){key3(sets[x].s[i]), (uint32_t)x, sets[x].s[i],
                              sets[x].len[i]};
    qsort(pp, np, sizeof *pp, pair_cmp);

    size_t slots = 16;
    while (slots < 2 * np)
        slots <<= 1;
    pf->pairs = calloc(2 * 65536 / 64, sizeof *pf->pairs);
    pf->bloom = calloc((1u << BLOOM_BITS) / 64, sizeof *pf->bloom);
    pf->slots = calloc(slots, sizeof *pf->slots);
    pf->keys = malloc(np * sizeof *pf->keys);
    pf->key_off = malloc((np + 1) * sizeof *pf->key_off);
    pf->bytes = malloc(np * VX_LIT_MAX);
    pf->lit_off = malloc(np * sizeof *pf->lit_off);
    pf->lit_len = malloc(np);
    pf->user_off = malloc((np + 1) * sizeof *pf->user_off);
    pf->users = malloc(np * sizeof *pf->users);
    if (!pf->pairs || !pf->bloom || !pf->slots || !pf->keys || !pf->key_off || !pf->bytes ||
        !pf->lit_off || !pf->lit_len || !pf->user_off || !pf->users) {
        free(pp);
        vx_prefilter_free(pf);
        return VOCX_ENOMEM;
    }
    pf->slot_mask = slots - 1;
    size_t nb = 0, nu = 0;
    for (size_t i = 0; i < np; i++) {
        const pair *q = &pp[i];
        int new_key = i == 0 || q->key != pp[i - 1].key;
        int new_lit = new_key || q->len != pp[i - 1].len ||
                      memcmp(q->s, pp[i - 1].s, q->len) != 0;
        if (new_key) {
            pf->key_off[pf->nkeys] = (uint32_t)pf->nlits;
            pf->keys[pf->nkeys] = q->key;
            uint32_t h = key_hash(q->key);
            uint32_t b = h >> (32 - BLOOM_BITS);
            pf->bloom[b >> 6] |= (uint64_t)1 << (b & 63);
            /* pairs as the scan reads them: two bytes in native order */
            uint16_t w01, w12;
            memcpy(&w01, q->s, 2);
            memcpy(&w12, q->s + 1, 2);
            uint32_t p01 = 2 * (uint32_t)w01, p12 = 2 * (uint32_t)w12 + 1;
            pf->pairs[p01 >> 6] |= (uint64_t)1 << (p01 & 63);
            pf->pairs[p12 >> 6] |= (uint64_t)1 << (p12 & 63);
            size_t s = h & pf->slot_mask;
            while (pf->slots[s])
                s = (s + 1) & pf->slot_mask;
            pf->slots[s] = (uint32_t)pf->nkeys + 1;
            pf->nkeys++;
        }
        if (new_lit) {
            pf->user_off[pf->nlits] = (uint32_t)nu;
            pf->lit_off[pf->nlits] = (uint32_t)nb;
            pf->lit_len[pf->nlits] = q->len;
            memcpy(pf->bytes + nb, q->s, q->len);
            nb += q->len;
            pf->nlits++;
        }
        if (new_lit || pf->users[nu - 1] != q->regex)
            pf->users[nu++] = q->regex;
    }
    pf->key_off[pf->nkeys] = (uint32_t)pf->nlits;
    pf->user_off[pf->nlits] = (uint32_t)nu;
    free(pp);
    return VOCX_OK;
}

#if defined(__GNUC__)
#define PF_INLINE inline __attribute__((always_inline))
#else
#define PF_INLINE inline
#endif

/* Mark the regexes of the literals that start at text + i (i + 3 <= n). */
static PF_INLINE size_t scan_at(const vx_prefilter *pf, const char *text,
                             size_t n, size_t i, uint32_t *maybe,
                             uint32_t stamp, uint32_t *list, size_t nl)
{
    uint32_t k = key3(text + i);
    uint32_t h = key_hash(k);
    uint32_t b = h >> (32 - BLOOM_BITS);
    if (!(pf->bloom[b >> 6] >> (b & 63) & 1))
        return nl;
    size_t s = h & pf->slot_mask;
    uint32_t ki;
    while ((ki = pf->slots[s]) && pf->keys[ki - 1] != k)
        s = (s + 1) & pf->slot_mask;
    if (!ki)
        return nl;
    for (uint32_t l = pf->key_off[ki - 1]; l < pf->key_off[ki]; l++) {
        size_t len = pf->lit_len[l];
        if (len > n - i)
            continue;
        /* the key's 3 bytes are equal; the rest is short, and a call to
         * memcmp would cost more than the loop */
        const char *lit = pf->bytes + pf->lit_off[l];
        size_t j = VX_LIT_MIN;
        while (j < len && text[i + j] == lit[j])
            j++;
        if (j < len)
            continue;
        for (uint32_t u = pf->user_off[l]; u < pf->user_off[l + 1]; u++) {
            uint32_t x = pf->users[u];
            if (maybe[x] != stamp) {
                maybe[x] = stamp;
                if (list)
                    list[nl++] = x;
            }
        }
    }
    return nl;
}

size_t vx_prefilter_scan(const vx_prefilter *pf, const char *text, size_t n,
                         uint32_t *maybe, uint32_t stamp, uint32_t *list)
{
    size_t nl = 0;
    if (!pf->nkeys || n < VX_LIT_MIN)
        return nl;
    const uint64_t *pairs = pf->pairs;
    const unsigned char *u = (const unsigned char *)text;
    /* Only the byte pairs at odd positions p are looked up: a literal
     * (3 bytes or more) starting at odd j has its first two bytes at p = j,
     * one starting at even j its second and third at p = j + 1.  So each
     * start is tried at most once, and only when its pair is a key's. */
    for (size_t p = 1; p + 1 < n; p += 2) {
        uint16_t w16;
        memcpy(&w16, u + p, 2);
        uint32_t w = 2 * (uint32_t)w16;
        uint64_t fl = pairs[w >> 6] >> (w & 63) & 3;
        if (!fl)
            continue;
        if (fl & 2)
            nl = scan_at(pf, text, n, p - 1, maybe, stamp, list, nl);
        if ((fl & 1) && p + VX_LIT_MIN <= n)
            nl = scan_at(pf, text, n, p, maybe, stamp, list, nl);
    }
    return nl;
}
