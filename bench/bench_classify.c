/*
 * Classification throughput against the number of keyword rules.
 *
 * A deterministic generator writes comment-like text and N keyword rules
 * (words, prefixes, phrases and OR-lists drawn from a customer-service
 * vocabulary) for N = 50, 500 and 5,000.  For each N it prints the compile
 * time and single-thread throughput of vocx_classify (normalization
 * included), and in the same run two baselines over the same text:
 *  - naive: every rule compiled as its own PCRE2 regex (JIT) and run on
 *    every comment, over case-folded text;
 *  - alternation: all rules joined into one PCRE2 alternation (JIT), run
 *    once over each comment (split into the fewest chunks PCRE2 accepts
 *    when one pattern would be too large).
 * Baselines that would take too long run on a prefix of the corpus; their
 * MB/s is measured on that prefix.
 *
 * Usage: bench_classify [MEGABYTES]   (corpus size, default 16)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, strdup */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "vocx.h"

#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void)
{
    /* xorshift64*: fixed seed, so every run sees the same data */
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static size_t pick(size_t n) { return (size_t)(rng() % n); }

static const char *const topic[] = {
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
static const char *const verb[] = {
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
static const char *const filler[] = {
    "the", "a", "i", "my", "was", "and", "to", "it", "of", "for", "is", "in",
    "on", "that", "with", "me", "this", "have", "they", "you", "but", "not",
    "no", "at", "had", "be", "so", "your", "we", "an", "were", "after",
    "before", "when", "then", "again", "just", "very", "really", "there",
    "from", "by", "would", "could", "did", "didn't", "wasn't", "never",
    "because", "about", "only", "also", "all", "some", "any", "three",
    "two", "days", "hours", "weeks", "today", "yesterday", "now",
};
#define N_(a) (sizeof(a) / sizeof((a)[0]))

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

/* The vocabulary, most frequent first: function words, then the
 * customer-service words, then made-up words standing for the long tail of
 * a real vocabulary (product names, places, rarer words), so that text
 * follows Zipf's law over some 30,000 word types. */
static const char *syll[] = {"ka", "lo", "mi", "tra", "ven", "sol", "dor",
                             "pe", "ri", "gan", "tel", "mu", "sta", "bre",
                             "lin", "qua", "zor", "fe", "nu", "chi", "ba",
                             "ro", "de", "vi", "pla", "cor", "sen", "tu",
                             "me", "gas"};
static char **vocab;
static size_t nvocab;
static double *zipf_cdf;

static void build_vocab(void)
{
    size_t nsyn = 30000;
    nvocab = N_(filler) + N_(topic) + N_(verb) + nsyn;
    vocab = malloc(nvocab * sizeof *vocab);
    size_t k = 0;
    for (size_t i = 0; i < N_(filler); i++)
        vocab[k++] = strdup(filler[i]);
    /* domain words interleaved, so both kinds are frequent */
    for (size_t i = 0; i < N_(topic) || i < N_(verb); i++) {
        if (i < N_(topic))
            vocab[k++] = strdup(topic[i]);
        if (i < N_(verb))
            vocab[k++] = strdup(verb[i]);
    }
    /* distinct made-up words of three or four syllables: i is mapped to
     * a syllable sequence by a multiplication modulo the number of
     * sequences, which visits each one once */
    for (size_t i = 0; i < nsyn; i++) {
        char w[32] = "";
        size_t ns = i < 20000 ? 3 : 4;
        size_t space = ns == 3 ? 27000 : 810000;
        size_t x = ns == 3 ? (i * 7919 + 13) % space : (i * 104729 + 7) % space;
        for (size_t j = 0; j < ns; j++, x /= 30)
            strcat(w, syll[x % 30]);
        vocab[k++] = strdup(w);
    }
    /* Zipf, exponent 1 */
    zipf_cdf = malloc(nvocab * sizeof *zipf_cdf);
    double sum = 0;
    for (size_t i = 0; i < nvocab; i++) {
        sum += 1.0 / (double)(i + 1);
        zipf_cdf[i] = sum;
    }
    for (size_t i = 0; i < nvocab; i++)
        zipf_cdf[i] /= sum;
}

static double uniform(void) { return (double)(rng() >> 11) / 9007199254740992.0; }

static const char *any_word(void)
{
    double u = uniform();
    size_t lo = 0, hi = nvocab - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (zipf_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return vocab[lo];
}

/* A rule word: any word type from rank `from` on, whatever its frequency.
 * Words and prefixes standing alone are specific (rank 500 and after: a
 * rule that fires on "order" alone would be useless); phrases may start
 * with any domain word. */
static const char *rule_word(size_t from)
{
    return vocab[from + pick(nvocab - from)];
}

/* Comments: 8..80 words, sentences with punctuation, a capital now and
 * then and a few non-ASCII characters, like real survey answers. */
static void gen_corpus(buf *text, size_t **offs, size_t *ncomments,
                       size_t bytes)
{
    size_t cap = 1024, n = 0;
    size_t *o = malloc(cap * sizeof *o);
    rng_state = 7;
    while (text->n < bytes) {
        if (n + 2 > cap) {
            cap *= 2;
            o = realloc(o, cap * sizeof *o);
        }
        o[n++] = text->n;
        size_t words = 8 + pick(73);
        for (size_t w = 0; w < words; w++) {
            const char *x = any_word();
            if (w == 0 || pick(12) == 0) {
                char tmp[64];
                snprintf(tmp, sizeof tmp, "%s", x);
                if (tmp[0] >= 'a' && tmp[0] <= 'z')
                    tmp[0] = (char)(tmp[0] - 32);
                puts_(text, tmp);
            } else {
                puts_(text, x);
            }
            size_t r = pick(40);
            if (r == 0)
                puts_(text, ". ");
            else if (r == 1)
                puts_(text, ", ");
            else if (r == 2)
                puts_(text, " caf\xc3\xa9 ");
            else if (r == 3)
                puts_(text, "! \xf0\x9f\x98\xa1 ");
            else
                puts_(text, " ");
        }
        puts_(text, ".");
    }
    o[n] = text->n;
    *offs = o;
    *ncomments = n;
}

/* One generated term, as rule text and as an equivalent regex. */
static void gen_term(buf *rule, buf *re)
{
    char tmp[256];
    size_t kind = pick(10);
    const char *a = rule_word(kind < 6 ? 500 : N_(filler));
    if (kind < 4) { /* word */
        snprintf(tmp, sizeof tmp, "%s", a);
        puts_(rule, tmp);
        snprintf(tmp, sizeof tmp, "\\b%s\\b", a);
        puts_(re, tmp);
    } else if (kind < 6) { /* a word and its longer forms: refund* */
        snprintf(tmp, sizeof tmp, "%s*", a);
        puts_(rule, tmp);
        snprintf(tmp, sizeof tmp, "\\b%s\\w*", a);
        puts_(re, tmp);
    } else { /* phrase: a rule word with a common word after it */
        const char *b = vocab[pick(N_(filler) + N_(topic) + N_(verb))];
        snprintf(tmp, sizeof tmp, "\"%s %s\"", a, b);
        puts_(rule, tmp);
        snprintf(tmp, sizeof tmp, "\\b%s\\s+%s\\b", a, b);
        puts_(re, tmp);
    }
}

/* N rules, ten per issue; each rule one to three terms joined by OR. */
static void gen_rules(size_t nrules, buf *file, char ***res)
{
    char **r = calloc(nrules, sizeof *r);
    for (size_t i = 0; i < nrules; i++) {
        if (i % 10 == 0) {
            char tmp[128];
            snprintf(tmp, sizeof tmp, "issue gen.i%zu\n  block improvement\n",
                     i / 10);
            puts_(file, tmp);
        }
        buf line = {0}, re = {0};
        size_t terms = 1 + pick(3);
        for (size_t t = 0; t < terms; t++) {
            if (t) {
                puts_(&line, " OR ");
                puts_(&re, "|");
            }
            gen_term(&line, &re);
        }
        puts_(file, "  match ");
        put(file, line.p, line.n);
        puts_(file, "\n");
        r[i] = re.p;
        free(line.p);
    }
    *res = r;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Case folding for the baselines: ASCII lower-casing (the corpus is almost
 * all ASCII), counted in their time like normalization is in vocx's. */
static void fold(const char *s, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
}

static pcre2_code *compile_re(const char *pat, size_t len, int *err)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_UTF | PCRE2_UCP,
                                  &ec, &eo, NULL);
    *err = c ? 0 : ec;
    if (c)
        pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
    return c;
}

typedef struct result {
    double mbs, cps, compile;
    size_t hits;
} result;

static result run_vocx(const char *rules, size_t rlen, const char *text,
                       const size_t *offs, size_t ncom)
{
    result R = {0};
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    double t0 = now();
    int rc = vocx_rules_compile(&r, rules, rlen, "bench.rules", &d);
    R.compile = now() - t0;
    if (rc) {
        fprintf(stderr, "compile failed: %s\n", vocx_strerror(rc));
        for (size_t i = 0; i < vocx_diagnostics_count(d) && i < 5; i++)
            fprintf(stderr, "%s\n", vocx_diagnostics_get(d, i)->message);
        exit(1);
    }
    vocx_diagnostics_free(d);
    vocx_scratch *s = NULL;
    vocx_scratch_new(&s);
    const vocx_result *res;
    /* warm the scratch buffers and caches, then time the best of 3 */
    for (size_t i = 0; i < ncom && i < 2000; i++)
        vocx_classify(r, s, text + offs[i], offs[i + 1] - offs[i], 0, &res);
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        size_t hits = 0;
        t0 = now();
        for (size_t i = 0; i < ncom; i++) {
            if (vocx_classify(r, s, text + offs[i], offs[i + 1] - offs[i], 0,
                              &res) == VOCX_OK)
                hits += res->nhits;
        }
        double dt = now() - t0;
        if (dt < best)
            best = dt;
        R.hits = hits;
    }
    R.mbs = (double)offs[ncom] / best / 1e6;
    R.cps = (double)ncom / best;
    vocx_scratch_free(s);
    vocx_rules_free(r);
    return R;
}

/* Comments to use so a baseline run takes about `budget` seconds. */
static size_t budget_comments(double per_byte_guess, const size_t *offs,
                              size_t ncom, double budget)
{
    size_t n = 0;
    while (n < ncom && (double)offs[n] * per_byte_guess < budget)
        n += 64;
    return n < ncom ? (n ? n : 1) : ncom;
}

static result run_naive(char **res, size_t nrules, const char *text,
                        const size_t *offs, size_t ncom)
{
    result R = {0};
    pcre2_code **codes = calloc(nrules, sizeof *codes);
    double t0 = now();
    for (size_t i = 0; i < nrules; i++) {
        int err;
        codes[i] = compile_re(res[i], strlen(res[i]), &err);
    }
    R.compile = now() - t0;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    /* about 2 ns per byte and rule with JIT: aim for ~3 s */
    size_t n = budget_comments(2e-9 * (double)nrules, offs, ncom, 3.0);
    char *low = malloc(offs[n] + 1);
    size_t hits = 0;
    t0 = now();
    for (size_t c = 0; c < n; c++) {
        size_t len = offs[c + 1] - offs[c];
        char *f = low + offs[c];
        fold(text + offs[c], len, f);
        for (size_t i = 0; i < nrules; i++)
            if (codes[i] && pcre2_match(codes[i], (PCRE2_SPTR)f, len, 0, 0, md,
                                        NULL) >= 0)
                hits++;
    }
    double dt = now() - t0;
    R.mbs = (double)offs[n] / dt / 1e6;
    R.cps = (double)n / dt;
    R.hits = hits;
    free(low);
    pcre2_match_data_free(md);
    for (size_t i = 0; i < nrules; i++)
        pcre2_code_free(codes[i]);
    free(codes);
    return R;
}

static result run_alternation(char **res, size_t nrules, const char *text,
                              const size_t *offs, size_t ncom, size_t *chunks)
{
    result R = {0};
    /* the fewest chunks PCRE2 accepts (a compiled pattern has a size
     * limit that depends on how the library was built) */
    size_t nch = 1;
    pcre2_code **codes = NULL;
    double t0 = 0;
    for (;;) {
        codes = calloc(nch, sizeof *codes);
        int ok = 1;
        t0 = now();
        for (size_t c = 0; c < nch && ok; c++) {
            buf pat = {0};
            size_t a = nrules * c / nch, b = nrules * (c + 1) / nch;
            for (size_t i = a; i < b; i++) {
                if (i > a)
                    puts_(&pat, "|");
                puts_(&pat, "(?:");
                puts_(&pat, res[i]);
                puts_(&pat, ")");
            }
            int err;
            codes[c] = compile_re(pat.p, pat.n, &err);
            free(pat.p);
            if (!codes[c])
                ok = 0;
        }
        if (ok)
            break;
        for (size_t c = 0; c < nch; c++)
            pcre2_code_free(codes[c]);
        free(codes);
        nch *= 2;
    }
    R.compile = now() - t0;
    *chunks = nch;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    size_t n = budget_comments(2e-8 * (double)nch, offs, ncom, 3.0);
    char *low = malloc(offs[n] + 1);
    size_t hits = 0;
    t0 = now();
    for (size_t c = 0; c < n; c++) {
        size_t len = offs[c + 1] - offs[c];
        char *f = low + offs[c];
        fold(text + offs[c], len, f);
        for (size_t k = 0; k < nch; k++) {
            size_t off = 0;
            while (off < len && pcre2_match(codes[k], (PCRE2_SPTR)f, len, off,
                                            0, md, NULL) >= 0) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
                hits++;
                off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
            }
        }
    }
    double dt = now() - t0;
    R.mbs = (double)offs[n] / dt / 1e6;
    R.cps = (double)n / dt;
    R.hits = hits;
    free(low);
    pcre2_match_data_free(md);
    for (size_t c = 0; c < nch; c++)
        pcre2_code_free(codes[c]);
    free(codes);
    return R;
}

int main(int argc, char **argv)
{
    double mb = argc > 1 ? atof(argv[1]) : 16;
    if (mb <= 0)
        mb = 16;
    buf text = {0};
    size_t *offs, ncom;
    build_vocab();
    gen_corpus(&text, &offs, &ncom, (size_t)(mb * 1e6));
    printf("corpus: %zu comments, %.1f MB (generated, fixed seed)\n", ncom,
           (double)text.n / 1e6);
    {
        static const char one[] = "issue none\n  block improvement\n"
                                  "  match zzqqzzqq\n";
        result v = run_vocx(one, sizeof one - 1, text.p, offs, ncom);
        printf("text analysis alone (1 rule that never matches): %.1f MB/s\n",
               v.mbs);
    }
    printf("%-6s %9s %9s %10s %6s | %10s %9s | %9s %6s | %7s %7s\n", "rules",
           "compile", "vocx MB/s", "comments/s", "hits/c", "naive MB/s",
           "compile", "alt MB/s", "chunks", "x naive", "x alt");
    static const size_t Ns[] = {50, 500, 5000};
    double mbs[N_(Ns)];
    for (size_t k = 0; k < N_(Ns); k++) {
        size_t n = Ns[k];
        rng_state = 0x1234567ULL + n; /* each rule set on its own */
        buf file = {0};
        char **res;
        gen_rules(n, &file, &res);
        result v = run_vocx(file.p, file.n, text.p, offs, ncom);
        result nv = run_naive(res, n, text.p, offs, ncom);
        size_t chunks = 0;
        result al = run_alternation(res, n, text.p, offs, ncom, &chunks);
        mbs[k] = v.mbs;
        printf("%-6zu %7.1fms %9.1f %10.0f %6.2f | %10.2f %7.1fms | %9.2f "
               "%6zu | %6.0fx %6.0fx\n",
               n, v.compile * 1e3, v.mbs, v.cps, (double)v.hits / (double)ncom,
               nv.mbs, nv.compile * 1e3, al.mbs, chunks, v.mbs / nv.mbs,
               v.mbs / al.mbs);
        fflush(stdout);
        for (size_t i = 0; i < n; i++)
            free(res[i]);
        free(res);
        free(file.p);
    }
    printf("vocx throughput: 500 rules = %.0f%% and 5000 rules = %.0f%% of "
           "the 50-rule figure\n",
           100 * mbs[1] / mbs[0], 100 * mbs[2] / mbs[0]);
    free(text.p);
    free(offs);
    return 0;
}
