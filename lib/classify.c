/*
 * The matcher: vocx_classify() and its per-thread scratch.
 *
 * One comment is processed in five steps, each linear in the text:
 *  1. vx_text_analyze: normalized text, tokens, clauses, negation flags;
 *  2. scan: every token is looked up in the term trie (one exact lookup
 *     plus one per distinct prefix length); a hit on a node that ends a
 *     term records an occurrence of its leaf, a hit on a node with
 *     children tries the next token (phrases);
 *  3. regexes: each regex leaf runs over the normalized text (PCRE2 JIT,
 *     match limits from a per-scratch match context);
 *  4. occurrences are grouped by leaf (a counting sort over the leaves that
 *     occurred), and the rules using those leaves become candidates;
 *  5. candidate rules are evaluated in file order and their issues decided.
 * The cost of steps 2-4 depends on the text, not on the number of rules;
 * step 5 touches only rules with a term in the text.  Nothing is allocated
 * once the scratch buffers have grown to the largest comment seen.
 */
#include "rules.h"
#include "vocx_internal.h"

#include <stdlib.h>
#include <string.h>

#define VX_PAIR UINT32_MAX /* vx_occ.leaf of a NEAR/BEFORE pair */

/* An occurrence: a leaf's match, or a pair of occurrences (NEAR/BEFORE). */
typedef struct vx_occ {
    uint32_t t0, t1; /* tokens [t0, t1) */
    uint32_t a, b;   /* leaf: normalized bytes [a, b); pair: occ indices */
    uint32_t leaf;   /* leaf id or VX_PAIR */
    uint32_t neg;    /* negated (leaf: its first token; pair: either) */
} vx_occ;

/* Result of one expression node for the rule being evaluated. */
typedef struct vx_nres {
    uint32_t off, n;  /* positional nodes: occurrences in scratch->occ */
    uint8_t matched;
    uint8_t negm;     /* matched through a negated occurrence */
} vx_nres;

typedef struct vx_fired {
    uint32_t line;
    vocx_span span;
} vx_fired;

struct vocx_scratch {
    vx_text text;
    vx_occ *raw; /* occurrences in scan order */
    size_t nraw, cap_raw;
    vx_occ *occ; /* grouped by leaf, then the evaluation pool */
    size_t nocc, cap_occ;

    uint32_t gen; /* stamps below equal gen when set for this comment */
    uint32_t *leaf_gen, *leaf_off, *leaf_cnt, *leaf_neg;
    size_t cap_leaf;
    uint32_t *touched;
    size_t ntouched, cap_touched;
    uint32_t *rule_gen, *skip_gen;
    int *skip_code;
    size_t cap_rule;
    uint32_t *re_gen;
    int *re_code;
    uint32_t *re_maybe; /* == gen: a literal of the regex occurs */
    uint32_t *re_run;   /* the regexes to run on this text */
    size_t nre_failed;  /* regexes with re_gen == gen (this comment) */
    size_t cap_re;
    uint32_t *cand, *cand_tmp;
    size_t ncand, cap_cand, cap_cand_tmp;
    vx_nres *nr;
    size_t cap_nr;
    uint32_t *pass; /* tokens through the root gate */
    size_t cap_pass;

    vocx_hit *hits;
    size_t nhits, cap_hits;
    size_t *hit_soff;
    size_t cap_hit_soff;
    vocx_span *spans;
    size_t nspans, cap_spans;
    vocx_cue *cues;
    size_t ncues, cap_cues;
    vocx_veto *vetoes;
    size_t nvetoes, cap_vetoes;
    vocx_rule_warning *warns;
    size_t nwarns, cap_warns;
    size_t *warn_off;
    size_t cap_warn_off;
    char *wbuf;
    size_t nwbuf, cap_wbuf;
    vx_fired *fired;
    size_t nfired, cap_fired;

    pcre2_match_data *md;
    uint32_t md_pairs;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    uint64_t re_work, re_budget; /* work of the running regex on a long
                                    text (rules.h), and its budget */
    size_t re_pos;               /* subject position at its last callout */

    vocx_result res;
};

/* The check inline: this runs for every occurrence and span, and nearly
 * always finds room. */
#define GROW(arr, cap, need)                                                   \
    ((size_t)(need) <= (cap)                                                   \
         ? VOCX_OK                                                             \
         : vx_grow((void **)&(arr), &(cap), (need), sizeof *(arr)))

int vocx_scratch_new(vocx_scratch **out)
{
    if (!out)
        return VOCX_EINVAL;
    vocx_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return VOCX_ENOMEM;
    vx_text_init(&s->text);
    *out = s;
    return VOCX_OK;
}

void vocx_scratch_free(vocx_scratch *s)
{
    if (!s)
        return;
    vx_text_free(&s->text);
    free(s->raw);
    free(s->occ);
    free(s->leaf_gen);
    free(s->leaf_off);
    free(s->leaf_cnt);
    free(s->leaf_neg);
    free(s->touched);
    free(s->rule_gen);
    free(s->skip_gen);
    free(s->skip_code);
    free(s->re_gen);
    free(s->re_code);
    free(s->re_maybe);
    free(s->re_run);
    free(s->cand);
    free(s->cand_tmp);
    free(s->nr);
    free(s->pass);
    free(s->hits);
    free(s->hit_soff);
    free(s->spans);
    free(s->cues);
    free(s->vetoes);
    free(s->warns);
    free(s->warn_off);
    free(s->wbuf);
    free(s->fired);
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    pcre2_jit_stack_free(s->jit);
    free(s);
}

/* Grow a stamp array to n entries; new entries are 0, which no live
 * generation uses. */
static int grow_zero(uint32_t **a, size_t old, size_t n)
{
    uint32_t *p = realloc(*a, n * sizeof *p);
    if (!p)
        return VOCX_ENOMEM;
    memset(p + old, 0, (n - old) * sizeof *p);
    *a = p;
    return VOCX_OK;
}

/* The callout of the counted regexes (rules.h, VX_REGEX_PLAIN_MAX): runs
 * before each pattern item, counts one step plus the characters the
 * matcher moved over since the last callout (a scan to the end of the
 * text is as much work as that many steps), and stops the search past the
 * text's budget. */
static int regex_work(pcre2_callout_block *cb, void *payload)
{
    vocx_scratch *s = payload;
    size_t pos = cb->current_position;
    s->re_work += 1 + (pos > s->re_pos ? pos - s->re_pos : s->re_pos - pos);
    s->re_pos = pos;
    return s->re_work > s->re_budget ? PCRE2_ERROR_CALLOUT : 0;
}

/* Size the per-leaf, per-rule and per-node arrays and the PCRE2 objects
 * for `r` (a scratch may serve several rule sets). */
static int prepare(vocx_scratch *s, const vocx_rules *r)
{
    size_t nl = r->nleaves ? r->nleaves : 1;
    if (nl > s->cap_leaf) {
        if (grow_zero(&s->leaf_gen, s->cap_leaf, nl) ||
            grow_zero(&s->leaf_off, s->cap_leaf, nl) ||
            grow_zero(&s->leaf_cnt, s->cap_leaf, nl) ||
            grow_zero(&s->leaf_neg, s->cap_leaf, nl))
            return VOCX_ENOMEM;
        s->cap_leaf = nl;
    }
    size_t nr = r->nrules ? r->nrules : 1;
    if (nr > s->cap_rule) {
        if (grow_zero(&s->rule_gen, s->cap_rule, nr) ||
            grow_zero(&s->skip_gen, s->cap_rule, nr))
            return VOCX_ENOMEM;
        int *c = realloc(s->skip_code, nr * sizeof *c);
        if (!c)
            return VOCX_ENOMEM;
        s->skip_code = c;
        s->cap_rule = nr;
    }
    size_t nx = r->nregexes ? r->nregexes : 1;
    if (nx > s->cap_re) {
        if (grow_zero(&s->re_gen, s->cap_re, nx) ||
            grow_zero(&s->re_maybe, s->cap_re, nx))
            return VOCX_ENOMEM;
        int *c = realloc(s->re_code, nx * sizeof *c);
        if (!c)
            return VOCX_ENOMEM;
        s->re_code = c;
        uint32_t *run = realloc(s->re_run, nx * sizeof *run);
        if (!run)
            return VOCX_ENOMEM;
        s->re_run = run;
        s->cap_re = nx;
    }
    if (GROW(s->nr, s->cap_nr, r->max_rule_nodes))
        return VOCX_ENOMEM;
    if (r->nregexes) {
        if (!s->mctx) {
            s->mctx = pcre2_match_context_create(NULL);
            if (!s->mctx)
                return VOCX_ENOMEM;
            pcre2_set_match_limit(s->mctx, VX_REGEX_MATCH_LIMIT);
            pcre2_set_depth_limit(s->mctx, VX_REGEX_DEPTH_LIMIT);
            pcre2_set_callout(s->mctx, regex_work, s);
            /* The JIT stack is per scratch: JIT code is shared, its stack
             * cannot be.  Without JIT support this stays unused. */
            s->jit = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
            if (s->jit)
                pcre2_jit_stack_assign(s->mctx, NULL, s->jit);
        }
        if (r->max_regex_pairs > s->md_pairs) {
            pcre2_match_data *md =
                pcre2_match_data_create(r->max_regex_pairs, NULL);
            if (!md)
                return VOCX_ENOMEM;
            pcre2_match_data_free(s->md);
            s->md = md;
            s->md_pairs = r->max_regex_pairs;
        }
    }
    if (++s->gen == 0) { /* wrapped: forget every old stamp */
        memset(s->leaf_gen, 0, s->cap_leaf * sizeof *s->leaf_gen);
        memset(s->rule_gen, 0, s->cap_rule * sizeof *s->rule_gen);
        memset(s->skip_gen, 0, s->cap_rule * sizeof *s->skip_gen);
        memset(s->re_gen, 0, s->cap_re * sizeof *s->re_gen);
        memset(s->re_maybe, 0, s->cap_re * sizeof *s->re_maybe);
        s->gen = 1;
    }
    return VOCX_OK;
}

/* ---- 2. scan ------------------------------------------------------------ */

static inline uint32_t tok_neg(const vx_token *t)
{
    /* a pseudo-negation's own words count as negated ("no problem") */
    return (t->flags & (VX_TF_NEGATED | VX_TF_PSEUDO)) != 0;
}

/* Whether a phrase may continue from token i to token i + 1: same clause,
 * or a new clause started only by a contrast word. */
static int phrase_continues(const vx_text *t, size_t i)
{
    const vx_token *a = &t->tok[i], *b = &t->tok[i + 1];
    if (a->clause == b->clause)
        return 1;
    if (!(b->flags & VX_TF_CONTRAST) || b->clause != a->clause + 1)
        return 0;
    for (uint32_t k = a->nend; k < b->nstart; k++)
        if (strchr(".,;:!?\n\r\v\f", t->norm[k]))
            return 0;
    return 1;
}

static int emit_raw(vocx_scratch *s, uint32_t leaf, uint32_t t0, uint32_t t1,
                    uint32_t a, uint32_t b, uint32_t neg)
{
    if (s->nraw == s->cap_raw && GROW(s->raw, s->cap_raw, s->nraw + 1))
        return VOCX_ENOMEM;
    vx_occ *o = &s->raw[s->nraw++];
    o->t0 = t0;
    o->t1 = t1;
    o->a = a;
    o->b = b;
    o->leaf = leaf;
    o->neg = neg;
    return VOCX_OK;
}

static int step_token(vocx_scratch *s, const vocx_rules *r, uint32_t node,
                      size_t start, size_t j);

/* Token j reached trie node `c` for a term starting at token `start`. */
static int visit(vocx_scratch *s, const vocx_rules *r, uint32_t c,
                 size_t start, size_t j)
{
    const vx_tnode *n = &r->tnodes[c];
    const vx_text *t = &s->text;
    if (n->leaf >= 0) {
        int rc = emit_raw(s, (uint32_t)n->leaf, (uint32_t)start,
                          (uint32_t)j + 1, t->tok[start].nstart,
                          t->tok[j].nend, tok_neg(&t->tok[start]));
        if (rc)
            return rc;
    }
    /* most tokens after a phrase's first words continue none of them:
     * the node's child bits settle that without a lookup */
    if ((n->has_exact || n->has_prefix) && j + 1 < t->ntok &&
        ((n->next_mask >> vx_child_bit(t->norm + t->tok[j + 1].nstart,
                                       t->tok[j + 1].nend -
                                           t->tok[j + 1].nstart)) &
         1) &&
        phrase_continues(t, j))
        return step_token(s, r, c, start, j + 1);
    return VOCX_OK;
}

/* Look token j up under trie node `node`: one probe for the bucket of
 * prefix children sharing the token's first bytes (each then compared,
 * shortest first), and one exact lookup. */
static int step_token(vocx_scratch *s, const vocx_rules *r, uint32_t node,
                      size_t start, size_t j)
{
    const vx_text *t = &s->text;
    const vx_tnode *n = &r->tnodes[node];
    const char *w = t->norm + t->tok[j].nstart;
    size_t len = t->tok[j].nend - t->tok[j].nstart;
    size_t avail = t->norm_cap - t->tok[j].nstart; /* allocated, so readable */
    if (n->has_prefix && len >= n->pkey) {
        /* the normalized text is followed by zeroed slack: 8 bytes are
         * readable at any token */
        uint32_t key = (uint32_t)(vx_load64(w) & vx_low_bytes(n->pkey));
        const vx_pbucket *b = vx_pbucket_find(r, node, key);
        if (b) {
            size_t pk = n->pkey;
            for (uint32_t k = 0; k < b->cnt; k++) {
                uint32_t c = r->pchild[b->off + k];
                const vx_tnode *pc = &r->tnodes[c];
                if (pc->klen > len)
                    break; /* by ascending length */
                if (!vx_key_equal16(r->keys + pc->koff + pk, w + pk,
                                    pc->klen - pk))
                    continue; /* both sides have 16 readable bytes */
                int rc = visit(s, r, c, start, j);
                if (rc)
                    return rc;
            }
        }
    }
    if (n->has_exact) {
        int32_t c = vx_trie_find(r, node, 0, vx_key_hash(node, w, len, avail),
                                 w, len, avail);
        if (c >= 0)
            return visit(s, r, (uint32_t)c, start, j);
    }
    return VOCX_OK;
}

/* Tokens that may start a root term, into pass[]; their number.  Most
 * tokens start none, and the gate settles them without hashing: one
 * tight loop without calls or branches on the text. */
static size_t gate_tokens(const vocx_rules *r, const vx_text *t,
                          uint32_t *pass)
{
    const vx_token *tok = t->tok;
    const char *norm = t->norm;
    size_t ntok = t->ntok, np = 0;
    if (r->rgate_short) { /* short prefix terms: the general test */
        for (size_t j = 0; j < ntok; j++) {
            pass[np] = (uint32_t)j;
            np += (size_t)vx_rgate_pass(r, norm + tok[j].nstart,
                                        tok[j].nend - tok[j].nstart);
        }
        return np;
    }
    const uint64_t *gate = r->rgate;
    unsigned bits = r->rgate_bits;
    for (size_t j = 0; j < ntok; j++) {
        size_t n = tok[j].nend - tok[j].nstart;
        size_t k = n < VX_RGATE_LEN ? n : VX_RGATE_LEN;
        pass[np] = (uint32_t)j;
        np += (size_t)vx_rgate_has(gate, bits,
                                   vx_rgate_hash(norm + tok[j].nstart, k));
    }
    return np;
}

/* ---- 3. regexes --------------------------------------------------------- */

static int is_limit_error(int rc)
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
           rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT ||
           rc == PCRE2_ERROR_CALLOUT; /* the work budget of a long text */
}

/* Whether all n bytes are ASCII, eight at a time. */
static int all_ascii(const char *p, size_t n)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= (unsigned char)p[i];
    return (acc & 0x8080808080808080ull) == 0;
}

static int run_regexes(vocx_scratch *s, const vocx_rules *r)
{
    const vx_text *t = &s->text;
    PCRE2_SPTR subj = (PCRE2_SPTR)t->norm;
    size_t n = t->norm_len;
    /* one pass finds the literals; a regex none of whose literals occurs
     * cannot match and is not run */
    size_t nrun = vx_prefilter_scan(&r->prefilter, t->norm, n, s->re_maybe,
                                    s->gen, s->re_run);
    /* with the ones that always run (no marked regex is one of them), in
     * regex order, as a loop over all would take them: the usual handful
     * sorted, many by that loop */
    uint32_t *run = s->re_run;
    if (nrun + r->nregex_always <= 32) {
        for (size_t i = 0; i < r->nregex_always; i++)
            run[nrun++] = r->regex_always[i];
        for (size_t i = 1; i < nrun; i++) {
            uint32_t v = run[i];
            size_t j = i;
            for (; j > 0 && run[j - 1] > v; j--)
                run[j] = run[j - 1];
            run[j] = v;
        }
    } else {
        nrun = 0;
        for (size_t x = 0; x < r->nregexes; x++)
            if (!r->regex_prefiltered[x] || s->re_maybe[x] == s->gen)
                run[nrun++] = (uint32_t)x;
    }
    int ascii = -1; /* whether the text is all ASCII, once a regex runs */
    for (size_t i = 0; i < nrun; i++) {
        uint32_t x = run[i];
        const vx_regex *re = &r->regexes[x];
        size_t mark = s->nraw, off = 0;
        /* a long text gets the counted code and a budget for all the
         * searches of this regex */
        const pcre2_code *code =
            n > VX_REGEX_PLAIN_MAX ? re->counted : re->code;
        /* a short all-ASCII text may take the faster ASCII code, which
         * matches the same there (vx_regex_ascii_ok) */
        const pcre2_code *fast = NULL;
        if (re->ascii && n <= VX_REGEX_PLAIN_MAX) {
            if (ascii < 0)
                ascii = all_ascii(t->norm, n);
            if (ascii)
                fast = re->ascii;
        }
        s->re_work = 0;
        s->re_pos = 0;
        s->re_budget = VX_REGEX_WORK_BASE + (uint64_t)VX_REGEX_WORK_PER_BYTE * n;
        while (off <= n) {
            /* The normalized text is valid UTF-8 by construction (invalid
             * input bytes became U+FFFD), so PCRE2 need not check it on
             * every call. */
            int rc = PCRE2_ERROR_NULL;
            if (fast)
                rc = pcre2_match(fast, subj, n, off, 0, s->md, s->mctx);
            /* any error of the ASCII code (a limit) is the UTF code's to
             * report or not */
            if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
                rc = pcre2_match(code, subj, n, off, PCRE2_NO_UTF_CHECK,
                                 s->md, s->mctx);
            if (rc == PCRE2_ERROR_NOMATCH)
                break;
            if (rc < 0) {
                /* never a silent non-match: the rules using it are skipped
                 * and reported */
                s->nraw = mark;
                s->re_gen[x] = s->gen;
                s->re_code[x] = rc;
                s->nre_failed++;
                break;
            }
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
            size_t ms = ov[0], me = ov[1];
            if (me > ms) {
                uint32_t t0 = (uint32_t)vx_text_token_at(t, ms);
                uint32_t t1 = (uint32_t)vx_text_token_at(t, me - 1);
                if (t1 < t->ntok && t->tok[t1].nstart < me)
                    t1++;
                if (t1 < t0)
                    t1 = t0;
                uint32_t neg = t0 < t1 ? tok_neg(&t->tok[t0]) : 0;
                if (emit_raw(s, re->leaf, t0, t1, (uint32_t)ms, (uint32_t)me,
                             neg))
                    return VOCX_ENOMEM;
                off = me;
            } else {
                /* empty match: step over one character */
                size_t p = ms > off ? ms : off;
                if (p >= n)
                    break;
                p++;
                while (p < n && ((unsigned char)t->norm[p] & 0xC0) == 0x80)
                    p++;
                off = p;
            }
        }
    }
    return VOCX_OK;
}

/* ---- 4. grouping and candidates ----------------------------------------- */

/* Sort the candidate rules: insertion sort for the usual handful, a radix
 * sort (8-bit digits) when there are many. */
static int sort_cand(vocx_scratch *s, uint32_t maxval)
{
    uint32_t *a = s->cand;
    size_t n = s->ncand;
    if (n <= 32) {
        for (size_t i = 1; i < n; i++) {
            uint32_t x = a[i];
            size_t j = i;
            while (j > 0 && a[j - 1] > x) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return VOCX_OK;
    }
    if (GROW(s->cand_tmp, s->cap_cand_tmp, n))
        return VOCX_ENOMEM;
    uint32_t *b = s->cand_tmp;
    for (unsigned shift = 0; shift < 32 && (maxval >> shift); shift += 8) {
        size_t cnt[257] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[((a[i] >> shift) & 255) + 1]++;
        for (size_t d = 1; d < 257; d++)
            cnt[d] += cnt[d - 1];
        for (size_t i = 0; i < n; i++)
            b[cnt[(a[i] >> shift) & 255]++] = a[i];
        uint32_t *t = a;
        a = b;
        b = t;
    }
    if (a != s->cand)
        memcpy(s->cand, a, n * sizeof *a);
    return VOCX_OK;
}

static int group(vocx_scratch *s, const vocx_rules *r)
{
    uint32_t gen = s->gen;
    s->ntouched = 0;
    for (size_t i = 0; i < s->nraw; i++) {
        uint32_t l = s->raw[i].leaf;
        if (s->leaf_gen[l] != gen) {
            if (s->ntouched == s->cap_touched &&
                GROW(s->touched, s->cap_touched, s->ntouched + 1))
                return VOCX_ENOMEM;
            s->touched[s->ntouched++] = l;
            s->leaf_gen[l] = gen;
            s->leaf_cnt[l] = 0;
            s->leaf_neg[l] = 0;
        }
        s->leaf_cnt[l]++;
        s->leaf_neg[l] += s->raw[i].neg;
    }
    if (GROW(s->occ, s->cap_occ, s->nraw + 1))
        return VOCX_ENOMEM;
    uint32_t sum = 0;
    for (size_t i = 0; i < s->ntouched; i++) {
        uint32_t l = s->touched[i];
        sum += s->leaf_cnt[l];
        s->leaf_off[l] = sum; /* end; the scatter below counts down */
    }
    for (size_t i = s->nraw; i-- > 0;) {
        uint32_t l = s->raw[i].leaf;
        s->occ[--s->leaf_off[l]] = s->raw[i];
    }
    s->nocc = s->nraw;

    /* candidate rules: those using a leaf that occurred */
    s->ncand = 0;
    for (size_t i = 0; i < s->ntouched; i++) {
        const vx_leaf *lf = &r->leaves[s->touched[i]];
        const uint32_t *rl = r->leaf_rules + lf->rules_off;
        if (GROW(s->cand, s->cap_cand, s->ncand + lf->rules_cnt))
            return VOCX_ENOMEM;
        for (uint32_t k = 0; k < lf->rules_cnt; k++) {
            if (s->rule_gen[rl[k]] != gen) {
                s->rule_gen[rl[k]] = gen;
                s->cand[s->ncand++] = rl[k];
            }
        }
    }
    /* rules whose regex failed are reported, in file order like the rest
     * (rare: most comments skip the loop) */
    for (size_t x = 0; s->nre_failed && x < r->nregexes; x++) {
        if (s->re_gen[x] != gen)
            continue;
        const vx_regex *re = &r->regexes[x];
        const uint32_t *u = r->regex_users + re->users_off;
        if (GROW(s->cand, s->cap_cand, s->ncand + re->users_cnt))
            return VOCX_ENOMEM;
        for (uint32_t k = 0; k < re->users_cnt; k++) {
            if (s->skip_gen[u[k]] != gen) {
                s->skip_gen[u[k]] = gen;
                s->skip_code[u[k]] = s->re_code[x];
            }
            if (s->rule_gen[u[k]] != gen) {
                s->rule_gen[u[k]] = gen;
                s->cand[s->ncand++] = u[k];
            }
        }
    }
    return sort_cand(s, (uint32_t)r->nrules);
}

/* ---- 5. evaluation ------------------------------------------------------ */

typedef struct ev {
    vocx_scratch *s;
    const vocx_rules *r;
    const vx_rule *rule;
    int not_all; /* NOT operands see negated occurrences too (unless) */
} ev;

#if defined(__GNUC__)
#define VX_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define VX_ALWAYS_INLINE inline
#endif

/* Below this many, sorts are insertion sorts: qsort's call per compare
 * and its buffer cost more. */
#define VX_SMALL_SORT 16

/* Sort n elements of `size` bytes (occurrences, spans) stably, as glibc's
 * qsort does (a merge sort), so equal elements keep their order either
 * way.  Inlined with constant size and cmp, the copies and compares are
 * plain moves and an inlined call. */
_Static_assert(sizeof(vx_occ) <= 32 && sizeof(vocx_span) <= 32,
               "sort_small_or_qsort's element buffer");
static VX_ALWAYS_INLINE void sort_small_or_qsort(void *base, size_t n,
                                                 size_t size,
                                                 int (*cmp)(const void *,
                                                            const void *))
{
    if (n > VX_SMALL_SORT) {
        qsort(base, n, size, cmp);
        return;
    }
    char *a = base, x[32];
    for (size_t i = 1; i < n; i++) {
        memcpy(x, a + i * size, size);
        size_t j = i;
        while (j > 0 && cmp(a + (j - 1) * size, x) > 0) {
            memcpy(a + j * size, a + (j - 1) * size, size);
            j--;
        }
        memcpy(a + j * size, x, size);
    }
}

static int cmp_occ(const void *pa, const void *pb)
{
    const vx_occ *a = pa, *b = pb;
    if (a->t0 != b->t0)
        return a->t0 < b->t0 ? -1 : 1;
    if (a->t1 != b->t1)
        return a->t1 < b->t1 ? -1 : 1;
    return 0;
}

/* Sort occ[from, nocc) by position and drop repeats of one token range. */
static void sort_dedupe(vocx_scratch *s, size_t from)
{
    size_t n = s->nocc - from;
    vx_occ *o = s->occ + from;
    if (n < 2)
        return;
    sort_small_or_qsort(o, n, sizeof *o, cmp_occ);
    size_t w = 0;
    for (size_t i = 1; i < n; i++) {
        if (o[i].t0 == o[w].t0 && o[i].t1 == o[w].t1) {
            o[w].neg |= o[i].neg;
            continue;
        }
        o[++w] = o[i];
    }
    s->nocc = from + w + 1;
}

/* First index in occ[off, off+n) with t0 >= pos (lists are sorted). */
static uint32_t lower_bound(const vx_occ *occ, uint32_t off, uint32_t n,
                            uint32_t pos)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (occ[off + mid].t0 < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Pairs (x, y) with y starting at most `dist` tokens after x ends, the
 * nearest y for each x. */
static void pairs_after(vocx_scratch *s, const vx_nres *X, const vx_nres *Y,
                        uint32_t dist)
{
    for (uint32_t i = 0; i < X->n; i++) {
        uint32_t xi = X->off + i;
        const vx_occ *x = &s->occ[xi];
        uint32_t k = lower_bound(s->occ, Y->off, Y->n, x->t1);
        if (k == Y->n)
            continue; /* x are sorted by start, not by end */
        uint32_t yi = Y->off + k;
        const vx_occ *y = &s->occ[yi];
        if (y->t0 - x->t1 > dist)
            continue;
        vx_occ *o = &s->occ[s->nocc++];
        o->t0 = x->t0;
        o->t1 = y->t1 > x->t1 ? y->t1 : x->t1;
        o->a = xi;
        o->b = yi;
        o->leaf = VX_PAIR;
        o->neg = x->neg | y->neg;
    }
}

static int eval(ev *e, uint32_t id, int all);

static int eval_leaf(ev *e, const vx_node *n, vx_nres *o, int all)
{
    vocx_scratch *s = e->s;
    uint32_t l = n->arg;
    o->matched = o->negm = 0;
    o->off = o->n = 0;
    if (s->leaf_gen[l] != s->gen)
        return VOCX_OK;
    uint32_t off = s->leaf_off[l], cnt = s->leaf_cnt[l], neg = s->leaf_neg[l];
    if (all || neg == 0) {
        o->off = off;
        o->n = cnt;
        o->negm = all && neg > 0;
    } else if (neg < cnt) {
        /* plain matching ignores negated occurrences: copy the others */
        if (GROW(s->occ, s->cap_occ, s->nocc + cnt - neg))
            return VOCX_ENOMEM;
        o->off = (uint32_t)s->nocc;
        for (uint32_t i = 0; i < cnt; i++)
            if (!s->occ[off + i].neg)
                s->occ[s->nocc++] = s->occ[off + i];
        o->n = cnt - neg;
    }
    o->matched = o->n > 0;
    return VOCX_OK;
}

/* Evaluate an operand.  Most operands are terms, and most terms of a
 * candidate rule did not occur: that case is settled here, inline in the
 * operator's loop, without a call. */
static VX_ALWAYS_INLINE int eval_kid(ev *e, uint32_t id, int all)
{
    const vx_node *n = &e->r->nodes[id];
    if (n->op != VX_OP_LEAF)
        return eval(e, id, all);
    vx_nres *o = &e->s->nr[id - e->rule->node_base];
    if (e->s->leaf_gen[n->arg] != e->s->gen) {
        o->off = o->n = 0;
        o->matched = o->negm = 0;
        return VOCX_OK;
    }
    return eval_leaf(e, n, o, all);
}

static int eval(ev *e, uint32_t id, int all)
{
    vocx_scratch *s = e->s;
    const vocx_rules *r = e->r;
    const vx_node *n = &r->nodes[id];
    vx_nres *o = &s->nr[id - e->rule->node_base];
    const uint32_t *k = r->kids ? r->kids + n->arg : NULL; /* NULL: leaves only */
    int rc;
    switch (n->op) {
    case VX_OP_LEAF:
        return eval_leaf(e, n, o, all);
    case VX_OP_NOT:
        if ((rc = eval_kid(e, k[0], e->not_all)))
            return rc;
        o->matched = !s->nr[k[0] - e->rule->node_base].matched;
        o->negm = 0;
        return VOCX_OK;
    case VX_OP_AND: {
        o->matched = 1;
        o->negm = 0;
        for (uint32_t i = 0; i < n->nkids && o->matched; i++) {
            if ((rc = eval_kid(e, k[i], all)))
                return rc;
            const vx_nres *c = &s->nr[k[i] - e->rule->node_base];
            if (!c->matched)
                o->matched = 0;
            else if (c->negm)
                o->negm = 1;
        }
        if (!o->matched)
            o->negm = 0;
        return VOCX_OK;
    }
    case VX_OP_OR: {
        /* the common operator, mostly over terms that did not occur: keep
         * the loop's state in locals (stores through the byte fields of
         * vx_nres would force reloads) */
        size_t total = 0, nonempty = 0;
        uint32_t last = 0, nk = n->nkids, gen = s->gen;
        uint32_t base = e->rule->node_base;
        const uint32_t *lgen = s->leaf_gen;
        const vx_node *nodes = r->nodes;
        uint8_t matched = 0, negm = 0;
        for (uint32_t i = 0; i < nk; i++) {
            uint32_t kid = k[i];
            const vx_node *kn = &nodes[kid];
            vx_nres *c = &s->nr[kid - base];
            if (kn->op == VX_OP_LEAF) {
                if (lgen[kn->arg] != gen) {
                    c->off = c->n = 0;
                    c->matched = c->negm = 0;
                    continue;
                }
                rc = eval_leaf(e, kn, c, all);
            } else {
                rc = eval(e, kid, all);
            }
            if (rc)
                return rc;
            if (c->matched) {
                matched = 1;
                negm |= c->negm;
            }
            if (c->n) {
                total += c->n;
                nonempty++;
                last = kid;
            }
        }
        o->matched = matched;
        o->negm = negm;
        if (!n->positional)
            return VOCX_OK;
        o->off = o->n = 0;
        if (nonempty == 1) {
            const vx_nres *c = &s->nr[last - e->rule->node_base];
            o->off = c->off;
            o->n = c->n;
        } else if (nonempty > 1) {
            if (GROW(s->occ, s->cap_occ, s->nocc + total))
                return VOCX_ENOMEM;
            size_t from = s->nocc;
            for (uint32_t i = 0; i < n->nkids; i++) {
                const vx_nres *c = &s->nr[k[i] - e->rule->node_base];
                memcpy(s->occ + s->nocc, s->occ + c->off, c->n * sizeof(vx_occ));
                s->nocc += c->n;
            }
            sort_dedupe(s, from);
            o->off = (uint32_t)from;
            o->n = (uint32_t)(s->nocc - from);
        }
        return VOCX_OK;
    }
    case VX_OP_NEAR:
    case VX_OP_BEFORE: {
        o->matched = o->negm = 0;
        o->off = o->n = 0;
        if ((rc = eval_kid(e, k[0], all)))
            return rc;
        const vx_nres *A = &s->nr[k[0] - e->rule->node_base];
        if (!A->n)
            return VOCX_OK;
        if ((rc = eval_kid(e, k[1], all)))
            return rc;
        const vx_nres *B = &s->nr[k[1] - e->rule->node_base];
        if (!B->n)
            return VOCX_OK;
        if (GROW(s->occ, s->cap_occ, s->nocc + A->n + B->n))
            return VOCX_ENOMEM;
        size_t from = s->nocc;
        pairs_after(s, A, B, n->dist);
        if (n->op == VX_OP_NEAR) {
            size_t mid = s->nocc;
            pairs_after(s, B, A, n->dist);
            if (mid > from && s->nocc > mid)
                sort_dedupe(s, from);
        }
        o->off = (uint32_t)from;
        o->n = (uint32_t)(s->nocc - from);
        o->matched = o->n > 0;
        for (uint32_t i = 0; i < o->n; i++)
            o->negm |= (uint8_t)s->occ[from + i].neg;
        return VOCX_OK;
    }
    default:
        return VOCX_OK;
    }
}

static int push_span(vocx_scratch *s, uint32_t a, uint32_t b)
{
    if (s->nspans == s->cap_spans && GROW(s->spans, s->cap_spans, s->nspans + 1))
        return VOCX_ENOMEM;
    vocx_span *sp = &s->spans[s->nspans++];
    vx_text_span(&s->text, a, b, &sp->start, &sp->end);
    return VOCX_OK;
}

static int walk(vocx_scratch *s, uint32_t idx)
{
    const vx_occ *o = &s->occ[idx];
    if (o->leaf != VX_PAIR)
        return push_span(s, o->a, o->b);
    uint32_t b = o->b;
    int rc = walk(s, o->a);
    return rc ? rc : walk(s, b);
}

/* Evidence of a matched node as original-text spans.  With `negonly`,
 * positional nodes that matched through negation give only their negated
 * occurrences (what a `negated` rule is about). */
static int collect(ev *e, uint32_t id, int negonly)
{
    vocx_scratch *s = e->s;
    const vx_node *n = &e->r->nodes[id];
    const vx_nres *o = &s->nr[id - e->rule->node_base];
    if (!o->matched)
        return VOCX_OK;
    int rc;
    if (n->positional) {
        for (uint32_t i = 0; i < o->n; i++) {
            if (negonly && o->negm && !s->occ[o->off + i].neg)
                continue;
            if ((rc = walk(s, o->off + i)))
                return rc;
        }
        return VOCX_OK;
    }
    if (n->op == VX_OP_NOT)
        return VOCX_OK;
    const uint32_t *k = e->r->kids ? e->r->kids + n->arg : NULL;
    for (uint32_t i = 0; i < n->nkids; i++)
        if ((rc = collect(e, k[i], negonly)))
            return rc;
    return VOCX_OK;
}

static int cmp_span(const void *pa, const void *pb)
{
    const vocx_span *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    return 0;
}

/* Sort spans[from, nspans) and merge overlapping ones. */
static void tidy_spans(vocx_scratch *s, size_t from)
{
    size_t n = s->nspans - from;
    vocx_span *sp = s->spans + from;
    if (n < 2)
        return;
    sort_small_or_qsort(sp, n, sizeof *sp, cmp_span);
    size_t w = 0;
    for (size_t i = 1; i < n; i++) {
        if (sp[i].start < sp[w].end || (sp[i].start == sp[w].start)) {
            if (sp[i].end > sp[w].end)
                sp[w].end = sp[i].end;
            continue;
        }
        sp[++w] = sp[i];
    }
    s->nspans = from + w + 1;
}

/* The first span in spans[from, nspans), then drop them all. */
static vocx_span first_span(vocx_scratch *s, size_t from)
{
    vocx_span best = {0, 0};
    for (size_t i = from; i < s->nspans; i++)
        if (i == from || cmp_span(&s->spans[i], &best) < 0)
            best = s->spans[i];
    s->nspans = from;
    return best;
}

static int push_veto(vocx_scratch *s, const vx_issue *is, uint32_t line,
                     int why, uint32_t by, vocx_span span)
{
    if (GROW(s->vetoes, s->cap_vetoes, s->nvetoes + 1))
        return VOCX_ENOMEM;
    vocx_veto *v = &s->vetoes[s->nvetoes++];
    v->issue = &is->info;
    v->rule_line = line;
    v->why = why;
    v->by_line = by;
    v->span = span;
    return VOCX_OK;
}

static int push_warning(vocx_scratch *s, uint32_t line, int code)
{
    char msg[400];
    if (is_limit_error(code)) {
        vx_snprintf(msg, sizeof msg,
                    "rule at line %lu: regex match limit exceeded; rule "
                    "skipped for this text",
                    (unsigned long)line);
    } else {
        PCRE2_UCHAR pm[256];
        if (pcre2_get_error_message(code, pm, sizeof pm) < 0)
            strcpy((char *)pm, "unknown error");
        vx_snprintf(msg, sizeof msg,
                    "rule at line %lu: regex error: %s; rule skipped for "
                    "this text",
                    (unsigned long)line, (const char *)pm);
    }
    size_t len = strlen(msg) + 1;
    if (GROW(s->warns, s->cap_warns, s->nwarns + 1) ||
        GROW(s->warn_off, s->cap_warn_off, s->nwarns + 1) ||
        GROW(s->wbuf, s->cap_wbuf, s->nwbuf + len))
        return VOCX_ENOMEM;
    memcpy(s->wbuf + s->nwbuf, msg, len);
    s->warns[s->nwarns].rule_line = line;
    s->warns[s->nwarns].message = NULL; /* set once wbuf stops moving */
    s->warn_off[s->nwarns++] = s->nwbuf;
    s->nwbuf += len;
    return VOCX_OK;
}

/* What is known about the issue whose rules are being evaluated. */
typedef struct acc {
    uint32_t issue;      /* UINT32_MAX: none */
    double wsum;
    uint32_t first_line;
    const char *first_text;
    size_t span_from;
    uint32_t unless_line;
} acc;

static int finish_issue(vocx_scratch *s, const vocx_rules *r, acc *a,
                        int explain)
{
    if (a->issue == UINT32_MAX)
        return VOCX_OK;
    const vx_issue *is = &r->issues[a->issue];
    int rc = VOCX_OK;
    if (s->nfired) {
        int why = a->unless_line ? VOCX_VETO_UNLESS
                  : a->wsum + 1e-9 < is->info.threshold ? VOCX_VETO_THRESHOLD
                                                        : 0;
        if (!why) {
            if (GROW(s->hits, s->cap_hits, s->nhits + 1) ||
                GROW(s->hit_soff, s->cap_hit_soff, s->nhits + 1))
                return VOCX_ENOMEM;
            tidy_spans(s, a->span_from);
            vocx_hit *h = &s->hits[s->nhits];
            h->issue = &is->info;
            h->score = a->wsum * is->info.weight;
            h->rule_line = a->first_line;
            h->rule_text = a->first_text;
            h->nspans = s->nspans - a->span_from;
            h->spans = NULL; /* set once the span array stops moving */
            s->hit_soff[s->nhits++] = a->span_from;
        } else {
            s->nspans = a->span_from;
            for (size_t i = 0; explain && i < s->nfired && !rc; i++)
                rc = push_veto(s, is, s->fired[i].line, why,
                               why == VOCX_VETO_UNLESS ? a->unless_line : 0,
                               s->fired[i].span);
        }
    } else {
        s->nspans = a->span_from;
    }
    a->issue = UINT32_MAX;
    s->nfired = 0;
    return rc;
}

/* Evaluate one candidate rule. */
static int run_rule(vocx_scratch *s, const vocx_rules *r, uint32_t ri,
                    acc *a, int explain)
{
    const vx_rule *ru = &r->rules[ri];
    int rc;
    int is_cue = ru->kind == VX_RULE_CUE_CHURN || ru->kind == VX_RULE_CUE_POSITIVE;
    if (!is_cue && ru->issue != a->issue) {
        if ((rc = finish_issue(s, r, a, explain)))
            return rc;
        a->issue = ru->issue;
        a->wsum = 0;
        a->first_line = 0;
        a->first_text = NULL;
        a->span_from = s->nspans;
        a->unless_line = 0;
    }
    if (s->skip_gen[ri] == s->gen)
        return push_warning(s, ru->line, s->skip_code[ri]);
    /* a term the rule needs is absent: it is false, and so is every
     * part of it explain would look at */
    const uint32_t *c = ru->req_n ? r->req + ru->req_off : NULL;
    for (uint32_t k = 0; k < ru->req_n; k++) {
        uint32_t n = *c++, i = 0;
        while (i < n && s->leaf_gen[c[i]] != s->gen)
            i++;
        if (i == n)
            return VOCX_OK;
        c += n;
    }

    ev e = {s, r, ru, ru->kind == VX_RULE_UNLESS};
    size_t pool = s->nocc; /* the pool is per rule */
    size_t mark = s->nspans;
    rc = VOCX_OK;
    switch (ru->kind) {
    case VX_RULE_CUE_CHURN:
    case VX_RULE_CUE_POSITIVE: {
        if ((rc = eval(&e, ru->root, 0)))
            break;
        if (!s->nr[ru->root - ru->node_base].matched)
            break;
        if ((rc = collect(&e, ru->root, 0)))
            break;
        vocx_span sp = first_span(s, mark);
        if (GROW(s->cues, s->cap_cues, s->ncues + 1)) {
            rc = VOCX_ENOMEM;
            break;
        }
        vocx_cue *c = &s->cues[s->ncues++];
        c->kind = ru->kind == VX_RULE_CUE_CHURN ? VOCX_CUE_CHURN
                                                : VOCX_CUE_POSITIVE;
        c->rule_line = ru->line;
        c->span = sp;
        if (c->kind == VOCX_CUE_CHURN)
            s->res.churn_cues++;
        else
            s->res.positive_cues++;
        break;
    }
    case VX_RULE_UNLESS:
        if ((rc = eval(&e, ru->root, 1)))
            break;
        if (s->nr[ru->root - ru->node_base].matched && !a->unless_line)
            a->unless_line = ru->line;
        break;
    case VX_RULE_MATCH:
    case VX_RULE_NEGATED: {
        int negated = ru->kind == VX_RULE_NEGATED;
        /* match: true over the occurrences that are not negated.
         * negated: true over all occurrences, through a negated one. */
        if ((rc = eval(&e, ru->root, negated)))
            break;
        const vx_nres *o = &s->nr[ru->root - ru->node_base];
        int fired = negated ? o->matched && o->negm : o->matched;
        if (fired) {
            if ((rc = collect(&e, ru->root, negated)))
                break;
            vocx_span first = {0, 0};
            for (size_t i = mark; i < s->nspans; i++)
                if (i == mark || cmp_span(&s->spans[i], &first) < 0)
                    first = s->spans[i];
            if (GROW(s->fired, s->cap_fired, s->nfired + 1)) {
                rc = VOCX_ENOMEM;
                break;
            }
            s->fired[s->nfired].line = ru->line;
            s->fired[s->nfired++].span = first;
            a->wsum += ru->weight;
            if (!a->first_line) {
                a->first_line = ru->line;
                a->first_text = ru->text;
            }
            break;
        }
        if (!explain)
            break;
        int why = 0;
        if (negated && o->matched) {
            why = VOCX_VETO_NOT_NEGATED;
        } else if (!negated) {
            if ((rc = eval(&e, ru->root, 1)))
                break;
            if (s->nr[ru->root - ru->node_base].matched)
                why = VOCX_VETO_NEGATED;
        }
        if (why) {
            if ((rc = collect(&e, ru->root, 0)))
                break;
            vocx_span sp = first_span(s, mark);
            rc = push_veto(s, &r->issues[ru->issue], ru->line, why, 0, sp);
        }
        break;
    }
    default:
        break;
    }
    s->nocc = pool;
    return rc;
}

int vocx_classify(const vocx_rules *rules, vocx_scratch *s, const char *text,
                  size_t len, unsigned int flags, const vocx_result **out)
{
    if (!rules || !s || !out || (!text && len) ||
        (flags & ~(unsigned)VOCX_CLASSIFY_EXPLAIN))
        return VOCX_EINVAL;
    *out = NULL;
    if (len > VX_TEXT_MAX)
        return VOCX_ELIMIT;
    int explain = (flags & VOCX_CLASSIFY_EXPLAIN) != 0;
    int rc = prepare(s, rules);
    if (rc)
        return rc;
    memset(&s->res, 0, sizeof s->res);
    s->nraw = s->nocc = s->nhits = s->nspans = s->ncues = 0;
    s->nvetoes = s->nwarns = s->nwbuf = s->nfired = 0;
    s->nre_failed = 0;

    rc = vx_text_analyze(&s->text, text ? text : "", len, rules->lexicon,
                         rules->norm_flags);
    if (rc)
        return rc;
    if (GROW(s->pass, s->cap_pass, s->text.ntok + 1))
        return VOCX_ENOMEM;
    size_t npass = gate_tokens(rules, &s->text, s->pass);
    for (size_t i = 0; i < npass; i++)
        if ((rc = step_token(s, rules, 0, s->pass[i], s->pass[i])))
            return rc;
    if (rules->nregexes && (rc = run_regexes(s, rules)))
        return rc;
    if ((rc = group(s, rules)))
        return rc;

    acc a = {UINT32_MAX, 0, 0, NULL, 0, 0};
    for (size_t i = 0; i < s->ncand; i++)
        if ((rc = run_rule(s, rules, s->cand[i], &a, explain)))
            return rc;
    if ((rc = finish_issue(s, rules, &a, explain)))
        return rc;

    for (size_t i = 0; i < s->nhits; i++)
        s->hits[i].spans = s->spans + s->hit_soff[i];
    for (size_t i = 0; i < s->nwarns; i++)
        s->warns[i].message = s->wbuf + s->warn_off[i];
    s->res.nhits = s->nhits;
    s->res.hits = s->hits;
    s->res.ncues = s->ncues;
    s->res.cues = s->cues;
    s->res.nvetoes = s->nvetoes;
    s->res.vetoes = s->vetoes;
    s->res.nwarnings = s->nwarns;
    s->res.warnings = s->warns;
    *out = &s->res;
    return VOCX_OK;
}
