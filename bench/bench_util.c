/* bench_util.c — shared by the benchmark programs (see bench_util.h). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, strdup */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "bench_util.h"

#include "table.h"
#include "vocx.h"

#include <math.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#ifdef BENCH_HAVE_HS
#include <hs.h>
#endif

/* ---- time, memory, errors -------------------------------------------- */

double bu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

long bu_peak_rss_kb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss; /* kilobytes on Linux */
}

void bu_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void *bu_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        bu_die("out of memory");
    return p;
}

void *bu_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        bu_die("out of memory");
    return p;
}

char *bu_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(bu_xmalloc(n), s, n);
}

char *bu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        bu_die("%s: cannot open", path);
    size_t cap = 1 << 20, n = 0;
    char *p = bu_xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            p = bu_xrealloc(p, cap + 1);
        }
        size_t r = fread(p + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    if (ferror(f))
        bu_die("%s: read error", path);
    fclose(f);
    p[n] = '\0';
    *len = n;
    return p;
}

/* ---- random numbers ------------------------------------------------- */

uint64_t bu_rand(bu_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

size_t bu_pick(bu_rng *r, size_t n) { return (size_t)(bu_rand(r) % n); }

double bu_uniform(bu_rng *r)
{
    return (double)(bu_rand(r) >> 11) / 9007199254740992.0;
}

double bu_normal(bu_rng *r)
{
    double u = ((double)(bu_rand(r) >> 11) + 0.5) / 9007199254740992.0;
    double v = bu_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* ---- buffer ---------------------------------------------------------- */

void bu_put(bu_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = bu_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void bu_puts(bu_buf *b, const char *s) { bu_put(b, s, strlen(s)); }

void bu_printf(bu_buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        bu_put(b, tmp, (size_t)n);
        return;
    }
    char *big = bu_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    bu_put(b, big, (size_t)n);
    free(big);
}

/* ---- vocabulary ------------------------------------------------------- */

const char *const bu_topic[] = {
    "order", "delivery", "parcel", "package", "refund", "payment", "invoice",
    "billing", "charge", "account", "password", "login", "app", "website",
    "checkout", "basket", "discount", "voucher", "coupon", "subscription",
    "cancellation", "return", "exchange", "warranty", "repair", "replacement",
    "driver", "courier", "tracking", "shipment", "warehouse", "stock",
    "product", "item", "size", "colour", "quality", "price", "fee", "cost",
    "agent", "support", "service", "manager", "staff", "team", "call",
    "email", "chat", "phone", "queue", "hold", "wait", "time", "day", "week",
    "hour", "minute", "month", "store", "branch", "shop", "counter",
    "booking", "reservation", "flight", "seat", "luggage", "baggage", "gate",
    "hotel", "room", "breakfast", "checkin", "receipt", "statement", "bank",
    "card", "transfer", "loyalty", "points", "reward", "membership", "plan",
    "contract", "tariff", "network", "signal", "internet", "router", "outage",
    "bill", "meter", "reading", "installation", "technician", "appointment",
    "survey", "feedback", "complaint", "review", "notification", "message",
    "update", "version", "feature", "option", "setting", "screen", "button",
    "error", "bug", "crash", "problem", "issue", "fault", "defect", "damage",
    "box", "label", "address", "postcode", "doorstep", "neighbour", "locker",
};
const char *const bu_verb[] = {
    "arrived", "delivered", "received", "charged", "billed", "refunded",
    "cancelled", "returned", "broken", "damaged", "missing", "lost", "late",
    "delayed", "waiting", "ignored", "rude", "helpful", "friendly", "slow",
    "fast", "quick", "easy", "difficult", "confusing", "expensive", "cheap",
    "wrong", "incorrect", "double", "twice", "again", "still", "never",
    "always", "finally", "promised", "told", "called", "emailed", "replied",
    "answered", "fixed", "solved", "resolved", "escalated", "transferred",
    "disconnected", "crashed", "froze", "failed", "declined", "blocked",
    "locked", "reset", "changed", "updated", "upgraded", "downgraded",
    "switched", "moved", "lost", "found", "checked", "tracked", "shipped",
    "dispatched", "collected", "picked", "dropped", "left", "stolen",
    "opened", "closed", "paid", "overcharged", "undercharged", "credited",
    "love", "hate", "recommend", "disappointed", "frustrated", "angry",
    "happy", "satisfied", "unhappy", "excellent", "terrible", "awful",
    "great", "poor", "amazing", "useless", "reliable", "unreliable",
};
const char *const bu_filler[] = {
    "the", "a", "i", "my", "was", "and", "to", "it", "of", "for", "is", "in",
    "on", "that", "with", "me", "this", "have", "they", "you", "but", "not",
    "no", "at", "had", "be", "so", "your", "we", "an", "were", "after",
    "before", "when", "then", "again", "just", "very", "really", "there",
    "from", "by", "would", "could", "did", "didn't", "wasn't", "never",
    "because", "about", "only", "also", "all", "some", "any", "three",
    "two", "days", "hours", "weeks", "today", "yesterday", "now",
};
const size_t bu_nfiller = BU_N(bu_filler), bu_ntopic = BU_N(bu_topic),
             bu_nverb = BU_N(bu_verb);

static const char *const syll[] = {
    "ka", "lo", "mi", "tra", "ven", "sol", "dor", "pe", "ri", "gan",
    "tel", "mu", "sta", "bre", "lin", "qua", "zor", "fe", "nu", "chi",
    "ba", "ro", "de", "vi", "pla", "cor", "sen", "tu", "me", "gas"};

void bu_vocab_init(bu_vocab *v)
{
    size_t nsyn = 30000;
    v->ncommon = bu_nfiller + bu_ntopic + bu_nverb;
    v->n = v->ncommon + nsyn;
    v->w = bu_xmalloc(v->n * sizeof *v->w);
    size_t k = 0;
    for (size_t i = 0; i < bu_nfiller; i++)
        v->w[k++] = bu_xstrdup(bu_filler[i]);
    /* domain words interleaved, so both kinds are frequent */
    for (size_t i = 0; i < bu_ntopic || i < bu_nverb; i++) {
        if (i < bu_ntopic)
            v->w[k++] = bu_xstrdup(bu_topic[i]);
        if (i < bu_nverb)
            v->w[k++] = bu_xstrdup(bu_verb[i]);
    }
    /* distinct made-up words of three or four syllables: i is mapped to a
     * syllable sequence by a multiplication modulo the number of
     * sequences, which visits each one once */
    for (size_t i = 0; i < nsyn; i++) {
        char w[32] = "";
        size_t ns = i < 20000 ? 3 : 4;
        size_t space = ns == 3 ? 27000 : 810000;
        size_t x = ns == 3 ? (i * 7919 + 13) % space : (i * 104729 + 7) % space;
        for (size_t j = 0; j < ns; j++, x /= 30)
            strcat(w, syll[x % 30]);
        v->w[k++] = bu_xstrdup(w);
    }
    v->cdf = bu_xmalloc(v->n * sizeof *v->cdf);
    double sum = 0;
    for (size_t i = 0; i < v->n; i++) {
        sum += 1.0 / (double)(i + 1);
        v->cdf[i] = sum;
    }
    for (size_t i = 0; i < v->n; i++)
        v->cdf[i] /= sum;
}

void bu_vocab_free(bu_vocab *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->w[i]);
    free(v->w);
    free(v->cdf);
    memset(v, 0, sizeof *v);
}

const char *bu_zipf_word(const bu_vocab *v, bu_rng *r)
{
    return bu_vocab_at(v, bu_uniform(r), 0);
}

const char *bu_vocab_at(const bu_vocab *v, double u, size_t lo)
{
    size_t hi = v->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return v->w[lo];
}

/* ---- generated rules -------------------------------------------------- */

/* A rule word: any word type from rank `from` on, whatever its frequency.
 * Words and prefixes standing alone are specific (rank 500 and after: a
 * rule that fires on "order" alone would be useless); phrases may start
 * with any domain word. */
static const char *rule_word(const bu_vocab *v, bu_rng *r, size_t from)
{
    return v->w[from + bu_pick(r, v->n - from)];
}

/* One generated term, as rule text and as an equivalent regex. */
static void gen_term(const bu_vocab *v, bu_rng *r, bu_buf *rule, bu_buf *re)
{
    size_t kind = bu_pick(r, 10);
    const char *a = rule_word(v, r, kind < 6 ? 500 : bu_nfiller);
    if (kind < 4) { /* word */
        bu_printf(rule, "%s", a);
        bu_printf(re, "\\b%s\\b", a);
    } else if (kind < 6) { /* a word and its longer forms: refund* */
        bu_printf(rule, "%s*", a);
        bu_printf(re, "\\b%s\\w*", a);
    } else { /* phrase: a rule word with a common word after it */
        const char *b = v->w[bu_pick(r, v->ncommon)];
        bu_printf(rule, "\"%s %s\"", a, b);
        bu_printf(re, "\\b%s\\s+%s\\b", a, b);
    }
}

void bu_gen_rules(bu_ruleset *out, const bu_vocab *v, size_t nrules,
                  uint64_t seed)
{
    bu_rng r = {seed ? seed : 0x1234567ULL + nrules};
    memset(out, 0, sizeof *out);
    out->re = calloc(nrules ? nrules : 1, sizeof *out->re);
    if (!out->re)
        bu_die("out of memory");
    out->n = nrules;
    for (size_t i = 0; i < nrules; i++) {
        if (i % 10 == 0)
            bu_printf(&out->text, "issue gen.i%zu\n  block improvement\n",
                      i / 10);
        bu_buf line = {0}, re = {0};
        size_t terms = 1 + bu_pick(&r, 3);
        for (size_t t = 0; t < terms; t++) {
            if (t) {
                bu_puts(&line, " OR ");
                bu_puts(&re, "|");
            }
            gen_term(v, &r, &line, &re);
        }
        bu_puts(&out->text, "  match ");
        bu_put(&out->text, line.p, line.n);
        bu_puts(&out->text, "\n");
        out->re[i] = re.p;
        free(line.p);
    }
}

void bu_read_regexes(bu_ruleset *out, const char *path)
{
    size_t len;
    char *all = bu_read_file(path, &len);
    memset(out, 0, sizeof *out);
    size_t cap = 64;
    out->re = bu_xmalloc(cap * sizeof *out->re);
    for (char *p = all; *p;) {
        char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        if (l && p[l - 1] == '\r')
            l--;
        if (l) {
            if (out->n == cap) {
                cap *= 2;
                out->re = bu_xrealloc(out->re, cap * sizeof *out->re);
            }
            char *re = bu_xmalloc(l + 1);
            memcpy(re, p, l);
            re[l] = '\0';
            out->re[out->n++] = re;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    free(all);
}

void bu_ruleset_free(bu_ruleset *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->re[i]);
    free(rs->re);
    free(rs->text.p);
    memset(rs, 0, sizeof *rs);
}

/* ---- corpus ------------------------------------------------------------- */

void bu_corpus_add(bu_corpus *c, const char *s, size_t len)
{
    if (c->n + 2 > c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->off = bu_xrealloc(c->off, c->cap * sizeof *c->off);
        if (c->n == 0)
            c->off[0] = 0;
    }
    size_t used = c->off[c->n];
    if (used + len + 1 > c->tcap) {
        c->tcap = (used + len + 1) * 2;
        c->text = bu_xrealloc(c->text, c->tcap);
    }
    memcpy(c->text + used, s, len);
    c->text[used + len] = '\0';
    c->off[++c->n] = used + len;
}

ptrdiff_t bu_file_read(void *ctx, char *buf, size_t cap)
{
    FILE *f = ctx;
    size_t n = fread(buf, 1, cap, f);
    if (n == 0 && ferror(f))
        return -1;
    return (ptrdiff_t)n;
}

void bu_corpus_load(bu_corpus *c, const char *path, size_t max)
{
    static const char *const names[] = {"text"};
    static const unsigned char req[] = {1};
    vx_table_spec spec = {names, req, 1, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        bu_die("%s: cannot open", path);
    vx_table *t;
    vx_diag d;
    vx_row row;
    if (vx_table_open(&t, VOCX_FORMAT_AUTO, bu_file_read, f, path, &spec, &d))
        bu_die("%s: %s", path, d.msg);
    memset(c, 0, sizeof *c);
    int rc;
    while ((max == 0 || c->n < max) && (rc = vx_table_next(t, &row, &d)) != 0) {
        if (rc < 0)
            bu_die("%s:%llu: %s", path, (unsigned long long)d.line, d.msg);
        if (rc == 1)
            bu_corpus_add(c, row.val[0], row.len[0]);
    }
    vx_table_free(t);
    fclose(f);
    if (c->n == 0)
        bu_die("%s: no comments", path);
}

void bu_corpus_free(bu_corpus *c)
{
    free(c->text);
    free(c->off);
    memset(c, 0, sizeof *c);
}

/* ---- vocx ------------------------------------------------------------------- */

typedef struct vslice {
    const vocx_rules *rules;
    const bu_corpus *c;
    size_t a, b;
    uint64_t hits;
    int rc;
    vocx_scratch *s;
} vslice;

static void *classify_slice(void *arg)
{
    vslice *sl = arg;
    const vocx_result *res;
    uint64_t hits = 0;
    for (size_t i = sl->a; i < sl->b; i++) {
        const size_t *o = sl->c->off;
        int rc = vocx_classify(sl->rules, sl->s, sl->c->text + o[i],
                               o[i + 1] - o[i], 0, &res);
        if (rc != VOCX_OK) {
            sl->rc = rc;
            break;
        }
        hits += res->nhits;
    }
    sl->hits = hits;
    return NULL;
}

void bu_run_vocx(const char *rules, size_t len, const char *name,
                 const bu_corpus *c, int reps, int threads, bu_result *R)
{
    memset(R, 0, sizeof *R);
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    double t0 = bu_now();
    int rc = vocx_rules_compile(&r, rules, len, name, &d);
    R->compile = bu_now() - t0;
    if (rc) {
        for (size_t i = 0; i < vocx_diagnostics_count(d) && i < 5; i++)
            fprintf(stderr, "%s\n", vocx_diagnostics_get(d, i)->message);
        bu_die("%s: rules do not compile: %s", name, vocx_strerror(rc));
    }
    vocx_diagnostics_free(d);
    if (threads < 1)
        threads = 1;
    if (reps < 1)
        reps = 1;
    vslice *sl = calloc((size_t)threads, sizeof *sl);
    pthread_t *th = calloc((size_t)threads, sizeof *th);
    if (!sl || !th)
        bu_die("out of memory");
    for (int k = 0; k < threads; k++) {
        sl[k].rules = r;
        sl[k].c = c;
        sl[k].a = c->n * (size_t)k / (size_t)threads;
        sl[k].b = c->n * (size_t)(k + 1) / (size_t)threads;
        if (vocx_scratch_new(&sl[k].s))
            bu_die("out of memory");
        /* warm the scratch buffers and caches */
        vslice w = sl[k];
        if (w.b - w.a > 2000)
            w.b = w.a + 2000;
        classify_slice(&w);
    }
    double best = 1e30, best_one = 1e30;
    for (int rep = 0; rep < reps; rep++) {
        uint64_t hits = 0, one_hits = 0;
        if (threads > 1) { /* the single-thread pass beside it */
            vslice whole = sl[0];
            whole.a = 0;
            whole.b = c->n;
            t0 = bu_now();
            classify_slice(&whole);
            double dt = bu_now() - t0;
            if (whole.rc)
                bu_die("vocx_classify: %s", vocx_strerror(whole.rc));
            if (dt < best_one)
                best_one = dt;
            one_hits = whole.hits;
        }
        t0 = bu_now();
        if (threads == 1) {
            classify_slice(&sl[0]);
        } else {
            for (int k = 0; k < threads; k++)
                if (pthread_create(&th[k], NULL, classify_slice, &sl[k]))
                    bu_die("cannot start a thread");
            for (int k = 0; k < threads; k++)
                pthread_join(th[k], NULL);
        }
        double dt = bu_now() - t0;
        for (int k = 0; k < threads; k++) {
            if (sl[k].rc)
                bu_die("vocx_classify: %s", vocx_strerror(sl[k].rc));
            hits += sl[k].hits;
        }
        if (threads > 1 && hits != one_hits)
            bu_die("%d threads found %llu issues, one thread %llu", threads,
                   (unsigned long long)hits, (unsigned long long)one_hits);
        if (dt < best)
            best = dt;
        R->hits = hits;
    }
    R->secs = best;
    R->one_secs = threads > 1 ? best_one : 0;
    R->comments = c->n;
    R->bytes = bu_corpus_bytes(c);
    R->mbs = (double)R->bytes / best / 1e6;
    R->cps = (double)c->n / best;
    for (int k = 0; k < threads; k++)
        vocx_scratch_free(sl[k].s);
    free(sl);
    free(th);
    vocx_rules_free(r);
}

/* ---- PCRE2 baselines ------------------------------------------------------- */

/* ASCII lower-casing (the corpus is almost all ASCII). */
static void fold(const char *s, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        out[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
    }
}

static pcre2_code *compile_re(const char *pat, size_t len)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, len,
                                     PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
    if (code)
        pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    return code;
}

static void finish(bu_result *R, const bu_corpus *c, size_t n, double dt)
{
    R->secs = dt;
    R->comments = n;
    R->bytes = n ? c->off[n] : 0;
    R->mbs = dt > 0 ? (double)R->bytes / dt / 1e6 : 0;
    R->cps = dt > 0 ? (double)n / dt : 0;
}

/* Stop when `budget` seconds have passed (checked every 16 comments). */
#define OVER_BUDGET(i, t0, budget)                                             \
    (((i) & 15) == 15 && bu_now() - (t0) >= (budget))

void bu_run_pcre_loop(const bu_ruleset *rs, const bu_corpus *c,
                      double budget, bu_result *R)
{
    memset(R, 0, sizeof *R);
    pcre2_code **codes = calloc(rs->n ? rs->n : 1, sizeof *codes);
    double t0 = bu_now();
    for (size_t i = 0; i < rs->n; i++)
        codes[i] = compile_re(rs->re[i], strlen(rs->re[i]));
    R->compile = bu_now() - t0;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    char *low = bu_xmalloc(bu_corpus_maxlen(c) + 1);
    uint64_t hits = 0;
    size_t n = 0;
    t0 = bu_now();
    for (; n < c->n && !OVER_BUDGET(n - 1, t0, budget); n++) {
        size_t len = c->off[n + 1] - c->off[n];
        fold(c->text + c->off[n], len, low);
        /* the first match checks the UTF-8; the others need not */
        uint32_t opt = 0;
        for (size_t i = 0; i < rs->n; i++) {
            if (!codes[i])
                continue;
            int m = pcre2_match(codes[i], (PCRE2_SPTR)low, len, 0, opt, md,
                                NULL);
            if (m < PCRE2_ERROR_NOMATCH)
                break; /* invalid UTF-8 (or a limit): give up the comment */
            opt = PCRE2_NO_UTF_CHECK;
            hits += m >= 0;
        }
    }
    finish(R, c, n, bu_now() - t0);
    R->hits = hits;
    free(low);
    pcre2_match_data_free(md);
    for (size_t i = 0; i < rs->n; i++)
        pcre2_code_free(codes[i]);
    free(codes);
}

void bu_run_pcre_alt(const bu_ruleset *rs, const bu_corpus *c, double budget,
                     bu_result *R)
{
    memset(R, 0, sizeof *R);
    /* the fewest chunks PCRE2 accepts (a compiled pattern has a size limit
     * that depends on how the library was built) */
    size_t nch = 1;
    pcre2_code **codes = NULL;
    double t0 = 0;
    for (;;) {
        codes = calloc(nch, sizeof *codes);
        int ok = 1;
        t0 = bu_now();
        for (size_t k = 0; k < nch && ok; k++) {
            bu_buf pat = {0};
            size_t a = rs->n * k / nch, b = rs->n * (k + 1) / nch;
            /* when every regex starts with \b, test it once per position:
             * \b(?:X|Y) is (?:\bX|\bY), and PCRE2 runs it several times
             * faster */
            int lead = 1;
            for (size_t i = a; i < b && lead; i++)
                lead = !strncmp(rs->re[i], "\\b", 2);
            if (lead)
                bu_puts(&pat, "\\b(?:");
            for (size_t i = a; i < b; i++) {
                if (i > a)
                    bu_puts(&pat, "|");
                bu_puts(&pat, "(?:");
                bu_puts(&pat, rs->re[i] + (lead ? 2 : 0));
                bu_puts(&pat, ")");
            }
            if (lead)
                bu_puts(&pat, ")");
            codes[k] = pat.p ? compile_re(pat.p, pat.n) : NULL;
            free(pat.p);
            if (!codes[k])
                ok = 0;
        }
        if (ok)
            break;
        for (size_t k = 0; k < nch; k++)
            pcre2_code_free(codes[k]);
        free(codes);
        if (nch >= rs->n)
            bu_die("alternation: the regexes do not compile");
        nch *= 2;
    }
    R->compile = bu_now() - t0;
    R->chunks = nch;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    char *low = bu_xmalloc(bu_corpus_maxlen(c) + 1);
    uint64_t hits = 0;
    size_t n = 0;
    t0 = bu_now();
    for (; n < c->n && !OVER_BUDGET(n - 1, t0, budget); n++) {
        size_t len = c->off[n + 1] - c->off[n];
        fold(c->text + c->off[n], len, low);
        uint32_t opt = 0;
        for (size_t k = 0; k < nch; k++) {
            size_t off = 0;
            int m;
            while (off < len &&
                   (m = pcre2_match(codes[k], (PCRE2_SPTR)low, len, off, opt,
                                    md, NULL)) >= 0) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
                hits++;
                off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
                /* step over a continuation byte after an empty match */
                while (off < len && ((unsigned char)low[off] & 0xC0) == 0x80)
                    off++;
                opt = PCRE2_NO_UTF_CHECK;
            }
            opt = PCRE2_NO_UTF_CHECK;
        }
    }
    finish(R, c, n, bu_now() - t0);
    R->hits = hits;
    free(low);
    pcre2_match_data_free(md);
    for (size_t k = 0; k < nch; k++)
        pcre2_code_free(codes[k]);
    free(codes);
}

/* ---- Hyperscan -------------------------------------------------------------- */

#ifdef BENCH_HAVE_HS
static int on_match(unsigned int id, unsigned long long from,
                    unsigned long long to, unsigned int flags, void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    ++*(uint64_t *)ctx;
    return 0;
}

int bu_have_hyperscan(void) { return 1; }

int bu_run_hyperscan(const bu_ruleset *rs, const bu_corpus *c, double budget,
                     bu_result *R)
{
    memset(R, 0, sizeof *R);
    unsigned int *flags = bu_xmalloc(rs->n * sizeof *flags);
    unsigned int *ids = bu_xmalloc(rs->n * sizeof *ids);
    /* Unicode-aware \b and \w like the PCRE2 baselines; without UCP when
     * this Hyperscan refuses it */
    static const unsigned int modes[] = {
        HS_FLAG_SINGLEMATCH | HS_FLAG_UTF8 | HS_FLAG_UCP,
        HS_FLAG_SINGLEMATCH | HS_FLAG_UTF8, HS_FLAG_SINGLEMATCH};
    static const char *const notes[] = {"utf8+ucp", "utf8-ascii-wb",
                                        "bytes-ascii-wb"};
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    double t0 = bu_now();
    size_t m;
    for (m = 0; m < BU_N(modes); m++) {
        for (size_t i = 0; i < rs->n; i++) {
            flags[i] = modes[m];
            ids[i] = (unsigned int)i;
        }
        if (hs_compile_multi((const char *const *)rs->re, flags, ids,
                             (unsigned int)rs->n, HS_MODE_BLOCK, NULL, &db,
                             &err) == HS_SUCCESS)
            break;
        if (m + 1 == BU_N(modes)) /* the last try: say why */
            fprintf(stderr, "hyperscan: %s\n",
                    err && err->message ? err->message : "compile error");
        hs_free_compile_error(err);
        err = NULL;
    }
    R->compile = bu_now() - t0;
    free(flags);
    free(ids);
    if (m == BU_N(modes)) {
        R->note = "patterns did not compile";
        return -1;
    }
    R->note = notes[m];
    hs_scratch_t *scratch = NULL;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
        bu_die("hyperscan: cannot allocate scratch");
    char *low = bu_xmalloc(bu_corpus_maxlen(c) + 1);
    uint64_t hits = 0;
    size_t n = 0;
    t0 = bu_now();
    for (; n < c->n && !OVER_BUDGET(n - 1, t0, budget); n++) {
        size_t len = c->off[n + 1] - c->off[n];
        fold(c->text + c->off[n], len, low);
        hs_scan(db, low, (unsigned int)len, 0, scratch, on_match, &hits);
    }
    finish(R, c, n, bu_now() - t0);
    R->hits = hits;
    free(low);
    hs_free_scratch(scratch);
    hs_free_database(db);
    return 0;
}
#else
int bu_have_hyperscan(void) { return 0; }

int bu_run_hyperscan(const bu_ruleset *rs, const bu_corpus *c, double budget,
                     bu_result *R)
{
    (void)rs;
    (void)c;
    (void)budget;
    memset(R, 0, sizeof *R);
    R->note = "not built (pkg-config libhs not found)";
    return -1;
}
#endif

/* ---- result lines -------------------------------------------------------------- */

void bu_emit(const char *stage, const char *label, const bu_result *R,
             const char *extra)
{
    printf("@result stage=%s label=%s bytes=%llu comments=%zu secs=%.6f "
           "mbs=%.3f cps=%.1f compile_ms=%.3f hits=%llu rss_kb=%ld%s%s\n",
           stage, label, (unsigned long long)R->bytes, R->comments, R->secs,
           R->mbs, R->cps, R->compile * 1e3, (unsigned long long)R->hits,
           bu_peak_rss_kb(), extra && *extra ? " " : "", extra ? extra : "");
    fflush(stdout);
}
