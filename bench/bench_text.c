/*
 * bench_text.c — throughput of vx_text_analyze (normalize + offset map +
 * tokens + clauses + negation) on synthetic comments, beside a naive
 * baseline: utf8proc_map NFKC + case fold of every comment (no map, no
 * tokens).  A benchmark that prints figures, not a test.  Built by CMake
 * (build/bench/bench_text).
 *
 *   ./bench_text [MB]       (MB of comments, default 100)
 *
 * With --corpus it measures one floor on the `text` column of a comments
 * file (written by gen_corpus) and prints one machine-readable @result
 * line, for bench/run.sh:
 *
 *   ./bench_text --corpus comments.csv --stage STAGE [--reps N] [--label L]
 *     floor-memchr         memchr for '\n' over the whole file in memory
 *     floor-lower          ASCII lower-casing of every comment
 *     floor-utf8proc       utf8proc_map NFKC + case fold of every comment
 *     floor-utf8proc-fast  the same with an ASCII fast path: ASCII
 *                          comments are only lower-cased
 *
 * Comments average about 105 bytes; 95 % are plain ASCII, 5 % carry
 * accents, emoji, curly apostrophes or Cyrillic words (deterministic seed).
 * Times are medians of 3 runs over the same comments.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#endif
#include "bench_util.h"
#include "redact.h"
#include "text.h"
#include "vocx.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#define RUNS 3
#define TARGET_LEN 105

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const char *const words[] = {
    "the", "delivery", "was", "late", "and", "driver", "didn't", "call",
    "me", "back", "I", "want", "a", "refund", "for", "my", "order", "app",
    "keeps", "crashing", "when", "I", "try", "to", "pay", "charged", "twice",
    "not", "happy", "with", "service", "great", "support", "but", "parcel",
    "arrived", "damaged", "never", "again", "no", "problem", "Customer",
    "SERVICE", "waited", "3", "hours", "on", "hold", "please", "fix", "this",
    "login", "password", "reset", "email", "is", "it", "still", "waiting",
    "Thanks", "cancel", "my", "account", "price", "too", "high", "$25",
};
#define NWORDS (sizeof words / sizeof words[0])

static const char *const intl[] = {
    "caf\xC3\xA9", "\xC3\xBC" "berweisung", "d\xC3\xA9j\xC3\xA0",
    "na\xC3\xAFve", "\xF0\x9F\x98\xA1", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
    "didn\xE2\x80\x99t", "\xD0\xB4\xD0\xBE\xD1\x81\xD1\x82\xD0\xB0\xD0\xB2"
    "\xD0\xBA\xD0\xB0", "\xD0\xBD\xD0\xB5", "Stra\xC3\x9F" "e",
    "se\xC3\xB1or", "\xE2\x80\x9C" "fast\xE2\x80\x9D",
};
#define NINTL (sizeof intl / sizeof intl[0])

static const char *const punct[] = {" ", " ", " ", " ", " ", ", ", ". ",
                                    "! ", "? "};

/* One comment into out (at most cap bytes); returns its length. */
static size_t make_comment(uint64_t *rng, int mixed, char *out, size_t cap)
{
    size_t n = 0;
    while (n < TARGET_LEN - 3) { /* the last word overshoots by ~5 */
        const char *w = mixed && splitmix(rng) % 4 == 0
                            ? intl[splitmix(rng) % NINTL]
                            : words[splitmix(rng) % NWORDS];
        const char *p = punct[splitmix(rng) % (sizeof punct / sizeof *punct)];
        size_t wl = strlen(w), pl = strlen(p);
        if (n + wl + pl > cap)
            break;
        memcpy(out + n, w, wl);
        n += wl;
        memcpy(out + n, p, pl);
        n += pl;
    }
    return n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct corpus {
    char *text;
    size_t *off; /* comment i is text[off[i], off[i + 1]) */
    size_t n, bytes;
    unsigned char *mixed;
} corpus;

typedef enum { RUN_ANALYZE, RUN_ANALYZE_STRIP, RUN_UTF8PROC } run_kind;

/* Seconds for one pass over the comments with mixed == which (-1: all). */
static double run(const corpus *c, run_kind kind, int which, vx_text *t,
                  const vx_lexicon *lx, size_t *bytes, uint64_t *check)
{
    utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPAT |
                            UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;
    size_t b = 0;
    uint64_t sum = 0;
    double t0 = now();
    for (size_t i = 0; i < c->n; i++) {
        if (which >= 0 && c->mixed[i] != which)
            continue;
        const char *s = c->text + c->off[i];
        size_t len = c->off[i + 1] - c->off[i];
        b += len;
        if (kind == RUN_UTF8PROC) {
            utf8proc_uint8_t *out = NULL;
            utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s,
                                              (utf8proc_ssize_t)len, &out, opt);
            sum += (uint64_t)r;
            free(out);
        } else {
            unsigned f = kind == RUN_ANALYZE_STRIP ? VX_NORM_STRIP_ACCENTS : 0;
            if (vx_text_analyze(t, s, len, lx, f) != 0)
                return -1;
            sum += t->ntok;
        }
    }
    double dt = now() - t0;
    *bytes = b;
    *check += sum;
    return dt;
}

static void report(const char *name, const corpus *c, run_kind kind,
                   int which, vx_text *t, const vx_lexicon *lx,
                   uint64_t *check)
{
    double times[RUNS];
    size_t bytes = 0, count = 0;
    for (size_t i = 0; i < c->n; i++)
        count += which < 0 || c->mixed[i] == which;
    for (int r = 0; r < RUNS; r++) {
        times[r] = run(c, kind, which, t, lx, &bytes, check);
        if (times[r] < 0) {
            fprintf(stderr, "vx_text_analyze failed\n");
            exit(1);
        }
    }
    qsort(times, RUNS, sizeof times[0], cmp_double);
    double dt = times[RUNS / 2];
    printf("%-34s %9.1f MB/s %12.0f comments/s  (%zu comments, %.1f MB)\n",
           name, (double)bytes / dt / 1e6, (double)count / dt, count,
           (double)bytes / 1e6);
}

/* ---- floors on a comments file (bench/run.sh) ------------------------- */

static int is_ascii(const char *s, size_t n)
{
    unsigned char acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= (unsigned char)s[i];
    return acc < 0x80;
}

/* One pass of a floor over the comments; returns a checksum. */
static uint64_t floor_pass(const bu_corpus *c, int kind, char *out)
{
    utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPAT |
                            UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;
    uint64_t sum = 0;
    for (size_t i = 0; i < c->n; i++) {
        const char *s = c->text + c->off[i];
        size_t len = c->off[i + 1] - c->off[i];
        if (kind == 0 || (kind == 2 && is_ascii(s, len))) {
            for (size_t k = 0; k < len; k++) {
                char ch = s[k];
                out[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
            }
            sum += (unsigned char)out[len / 2];
        } else {
            utf8proc_uint8_t *o = NULL;
            utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s,
                                              (utf8proc_ssize_t)len, &o, opt);
            sum += (uint64_t)r;
            free(o);
        }
    }
    return sum;
}

static int on_corpus(int argc, char **argv)
{
    const char *corpus = NULL, *stage = NULL, *label = "-";
    int reps = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--corpus"))
            corpus = argv[i + 1];
        else if (!strcmp(argv[i], "--stage"))
            stage = argv[i + 1];
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--label"))
            label = argv[i + 1];
        else
            stage = NULL, i = argc;
    }
    if (!corpus || !stage || reps < 1 || argc % 2 == 0) {
        fprintf(stderr, "usage: bench_text --corpus FILE --stage "
                        "floor-memchr|floor-lower|floor-utf8proc|"
                        "floor-utf8proc-fast [--reps N] [--label L]\n");
        return 2;
    }
    bu_result R;
    memset(&R, 0, sizeof R);
    double best = 1e30;
    uint64_t check = 0;
    if (!strcmp(stage, "floor-memchr")) {
        size_t len;
        char *file = bu_read_file(corpus, &len);
        for (int r = 0; r < reps; r++) {
            size_t lines = 0;
            double t0 = now();
            for (const char *p = file, *end = file + len;
                 (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
                lines++;
            double dt = now() - t0;
            if (dt < best)
                best = dt;
            check = lines;
        }
        R.bytes = len;
        R.comments = check ? check - 1 : 0; /* less the header line */
        free(file);
    } else {
        int kind = !strcmp(stage, "floor-lower")           ? 0
                   : !strcmp(stage, "floor-utf8proc")      ? 1
                   : !strcmp(stage, "floor-utf8proc-fast") ? 2
                                                           : -1;
        if (kind < 0) {
            fprintf(stderr, "bench_text: unknown stage %s\n", stage);
            return 2;
        }
        bu_corpus c;
        bu_corpus_load(&c, corpus, 0);
        char *out = bu_xmalloc(bu_corpus_maxlen(&c) + 1);
        for (int r = 0; r < reps; r++) {
            double t0 = now();
            check = floor_pass(&c, kind, out);
            double dt = now() - t0;
            if (dt < best)
                best = dt;
        }
        R.bytes = bu_corpus_bytes(&c);
        R.comments = c.n;
        free(out);
        bu_corpus_free(&c);
    }
    R.secs = best;
    R.mbs = (double)R.bytes / best / 1e6;
    R.cps = (double)R.comments / best;
    R.hits = check;
    bu_emit(stage, label, &R, NULL);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strncmp(argv[1], "--", 2))
        return on_corpus(argc, argv);
    double mb = argc > 1 ? atof(argv[1]) : 100.0;
    if (mb <= 0)
        mb = 100.0;
    size_t target = (size_t)(mb * 1e6);
    corpus c = {0};
    size_t cap_comments = target / 60 + 16;
    c.text = malloc(target + 256);
    c.off = malloc((cap_comments + 1) * sizeof *c.off);
    c.mixed = malloc(cap_comments);
    if (!c.text || !c.off || !c.mixed) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    uint64_t rng = 42;
    size_t nmixed = 0;
    while (c.bytes < target && c.n < cap_comments) {
        int mixed = splitmix(&rng) % 100 < 5;
        c.off[c.n] = c.bytes;
        c.mixed[c.n] = (unsigned char)mixed;
        c.bytes += make_comment(&rng, mixed, c.text + c.bytes,
                                target + 256 - c.bytes);
        nmixed += (size_t)mixed;
        c.n++;
    }
    c.off[c.n] = c.bytes;
    printf("%zu comments, %.1f MB, %.1f bytes/comment, %.1f %% non-ASCII "
           "comments\n\n",
           c.n, (double)c.bytes / 1e6, (double)c.bytes / (double)c.n,
           100.0 * (double)nmixed / (double)c.n);

    vx_lexicon *lx = NULL;
    if (vx_lexicon_new(&lx) != 0) {
        fprintf(stderr, "vx_lexicon_new failed\n");
        return 1;
    }
    vx_text t;
    vx_text_init(&t);
    uint64_t check = 0;
    report("vx_text_analyze, all", &c, RUN_ANALYZE, -1, &t, lx, &check);
    report("vx_text_analyze, ASCII comments", &c, RUN_ANALYZE, 0, &t, lx,
           &check);
    report("vx_text_analyze, mixed comments", &c, RUN_ANALYZE, 1, &t, lx,
           &check);
    report("vx_text_analyze, accents ignored", &c, RUN_ANALYZE_STRIP, -1, &t,
           lx, &check);
    report("utf8proc_map NFKC+casefold, all", &c, RUN_UTF8PROC, -1, &t, lx,
           &check);
    printf("\n(checksum %llu)\n", (unsigned long long)check);

    /* PII redaction (lib/redact.c: what `vocx ingest --redact` runs on
     * every comment), one call per comment, on the text of
     * examples/data/comments.csv repeated to about 50 MB -- as it is (no
     * PII: the precheck path), and with an e-mail address and a phone
     * number appended to every comment (the full scan) -- beside a memchr
     * for '@' in each of the same comments.  VOCX_BENCH_COMMENTS names another
     * comments file; run from the source tree otherwise. */
    {
        const char *path = getenv("VOCX_BENCH_COMMENTS");
        if (!path)
            path = "examples/data/comments.csv";
        FILE *probe = fopen(path, "rb");
        if (!probe) {
            printf("\nredact: skipped (%s not found: run from the source "
                   "tree or set VOCX_BENCH_COMMENTS)\n", path);
        } else {
            fclose(probe);
            static const char pii[] =
                " mail jane.doe@example.com or call +44 20 7946 0958";
            bu_corpus src, plain, with_pii;
            memset(&plain, 0, sizeof plain);
            memset(&with_pii, 0, sizeof with_pii);
            bu_corpus_load(&src, path, 0);
            char *tmp = bu_xmalloc(1);
            size_t tcap = 1;
            while (src.n && bu_corpus_bytes(&plain) < 50000000)
                for (size_t i = 0; i < src.n; i++) {
                    size_t l = src.off[i + 1] - src.off[i];
                    bu_corpus_add(&plain, src.text + src.off[i], l);
                    if (l + sizeof pii > tcap)
                        tmp = bu_xrealloc(tmp, tcap = 2 * (l + sizeof pii));
                    memcpy(tmp, src.text + src.off[i], l);
                    memcpy(tmp + l, pii, sizeof pii - 1);
                    bu_corpus_add(&with_pii, tmp, l + sizeof pii - 1);
                }
            free(tmp);
            vx_redact_buf rb = {NULL, 0, 0};
            const bu_corpus *cs[2] = {&plain, &with_pii};
            const char *names[2] = {"redact, comments.csv as is",
                                    "redact, + e-mail and phone each"};
            for (int k = 0; k < 2; k++) {
                const bu_corpus *b = cs[k];
                size_t bytes = bu_corpus_bytes(b), spans = 0, ats = 0;
                double tr[RUNS], tm[RUNS];
                for (int r = 0; r < RUNS; r++) {
                    spans = 0;
                    double t0 = now();
                    for (size_t i = 0; i < b->n; i++) {
                        size_t n = 0;
                        if (vx_redact(b->text + b->off[i],
                                      b->off[i + 1] - b->off[i],
                                      VOCX_REDACT_ALL, &rb, &n) != VOCX_OK) {
                            fprintf(stderr, "vx_redact failed\n");
                            return 1;
                        }
                        spans += n;
                    }
                    tr[r] = now() - t0;
                    ats = 0;
                    t0 = now();
                    for (size_t i = 0; i < b->n; i++)
                        ats += memchr(b->text + b->off[i], '@',
                                      b->off[i + 1] - b->off[i]) != NULL;
                    tm[r] = now() - t0;
                }
                qsort(tr, RUNS, sizeof tr[0], cmp_double);
                qsort(tm, RUNS, sizeof tm[0], cmp_double);
                printf("%s%-34s %9.1f MB/s %12.0f comments/s  (%zu comments, "
                       "%.1f MB, %zu spans redacted)\n",
                       k ? "" : "\n", names[k],
                       (double)bytes / tr[RUNS / 2] / 1e6,
                       (double)b->n / tr[RUNS / 2], b->n,
                       (double)bytes / 1e6, spans);
                printf("%-34s %9.1f MB/s %12.0f comments/s  (%zu with '@')\n",
                       "  memchr '@', same comments",
                       (double)bytes / tm[RUNS / 2] / 1e6,
                       (double)b->n / tm[RUNS / 2], ats);
            }
            vx_redact_buf_free(&rb);
            bu_corpus_free(&src);
            bu_corpus_free(&plain);
            bu_corpus_free(&with_pii);
        }
    }
    vx_text_free(&t);
    vx_lexicon_free(lx);
    free(c.text);
    free(c.off);
    free(c.mixed);
    return 0;
}
