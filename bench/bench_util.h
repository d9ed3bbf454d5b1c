/*
 * bench_util.h — what the benchmark programs share: timing and peak RSS,
 * the deterministic generators (random numbers, the customer-service
 * vocabulary, generated keyword rules and their regex equivalents), a
 * corpus of comments read from a CSV file, the classification runs of
 * vocx and of the baselines (PCRE2 per-rule loop, PCRE2 alternation,
 * Hyperscan when built with it), and the machine-readable result lines
 * that bench/run.sh turns into one table.
 *
 * Not part of the library: bench/ only.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define BU_N(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define BU_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define BU_NORETURN __attribute__((noreturn))
#else
#define BU_PRINTF(f, a)
#define BU_NORETURN
#endif

/* ---- time, memory, errors -------------------------------------------- */

double bu_now(void);            /* CLOCK_MONOTONIC, seconds */
long bu_peak_rss_kb(void);      /* getrusage ru_maxrss of this process */
void bu_die(const char *fmt, ...) BU_PRINTF(1, 2) BU_NORETURN;
void *bu_xmalloc(size_t n);     /* dies when memory runs out */
void *bu_xrealloc(void *p, size_t n);
char *bu_xstrdup(const char *s);
/* The whole file in memory (NUL-terminated); dies on error. */
char *bu_read_file(const char *path, size_t *len);

/* ---- random numbers: xorshift64*, fixed seeds, same data everywhere --- */

typedef struct bu_rng {
    uint64_t s; /* never 0 */
} bu_rng;

uint64_t bu_rand(bu_rng *r);
size_t bu_pick(bu_rng *r, size_t n);  /* uniform in [0, n) */
double bu_uniform(bu_rng *r);          /* uniform in [0, 1) */
double bu_normal(bu_rng *r);           /* standard normal (Box-Muller) */

/* ---- growable text buffer --------------------------------------------- */

typedef struct bu_buf {
    char *p; /* NUL-terminated */
    size_t n, cap;
} bu_buf;

void bu_put(bu_buf *b, const char *s, size_t n);
void bu_puts(bu_buf *b, const char *s);
void bu_printf(bu_buf *b, const char *fmt, ...) BU_PRINTF(2, 3);

/* ---- vocabulary --------------------------------------------------------- */

/* Function words, customer-service nouns and verbs/adjectives. */
extern const char *const bu_filler[];
extern const char *const bu_topic[];
extern const char *const bu_verb[];
extern const size_t bu_nfiller, bu_ntopic, bu_nverb;

/* The vocabulary, most frequent first: function words, the customer-service
 * words (nouns and verbs interleaved), then 30,000 made-up words standing
 * for the long tail of a real vocabulary (product names, places, rarer
 * words), so that text drawn from it follows Zipf's law. */
typedef struct bu_vocab {
    char **w;
    size_t n;
    size_t ncommon; /* function + customer-service words come first */
    double *cdf;    /* Zipf, exponent 1 */
} bu_vocab;

void bu_vocab_init(bu_vocab *v);
void bu_vocab_free(bu_vocab *v);
/* A word drawn by frequency (Zipf). */
const char *bu_zipf_word(const bu_vocab *v, bu_rng *r);
/* The word at cumulative frequency u, searching ranks >= lo. */
const char *bu_vocab_at(const bu_vocab *v, double u, size_t lo);

/* ---- generated keyword rules -------------------------------------------- */

/* N rules in vocx's rule language, ten per issue, each one to three terms
 * joined by OR (words and prefixes from the long tail, phrases led by any
 * non-function word), and for each rule an equivalent regex for the
 * baselines ("\bword\b", "\bword\w*", "\bword\s+next\b", joined by '|').
 * `seed` 0 means the default seed for N (0x1234567 + N), so every program
 * generates the same rules for the same N. */
typedef struct bu_ruleset {
    bu_buf text;  /* the rule file */
    char **re;    /* re[i]: the regex of rule i */
    size_t n;
} bu_ruleset;

void bu_gen_rules(bu_ruleset *out, const bu_vocab *v, size_t nrules,
                  uint64_t seed);
/* Read one regex per line (a .re file written next to a generated rule
 * file); blank lines are skipped. */
void bu_read_regexes(bu_ruleset *out, const char *path);
void bu_ruleset_free(bu_ruleset *rs);

/* ---- corpus --------------------------------------------------------------- */

/* Comment i is text[off[i], off[i + 1]); off has n + 1 entries. */
typedef struct bu_corpus {
    char *text;
    size_t *off;
    size_t n;
    size_t cap; /* entries allocated in off */
    size_t tcap;
} bu_corpus;

static inline size_t bu_corpus_bytes(const bu_corpus *c)
{
    return c->n ? c->off[c->n] : 0;
}

/* Bytes of the longest comment: the size of a per-comment buffer. */
static inline size_t bu_corpus_maxlen(const bu_corpus *c)
{
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->off[i + 1] - c->off[i] > m)
            m = c->off[i + 1] - c->off[i];
    return m;
}
/* Append one comment. */
void bu_corpus_add(bu_corpus *c, const char *s, size_t len);
/* The `text` column of a CSV / JSON Lines file of comments (read with the
 * library's table reader); at most `max` comments when max > 0. */
void bu_corpus_load(bu_corpus *c, const char *path, size_t max);
/* A vx_read_fn over a FILE *. */
ptrdiff_t bu_file_read(void *ctx, char *buf, size_t cap);
void bu_corpus_free(bu_corpus *c);

/* ---- classification runs ------------------------------------------------ */

typedef struct bu_result {
    double secs;       /* the timed pass (best of the repetitions) */
    double mbs;        /* text MB/s (10^6 bytes) */
    double cps;        /* comments/s */
    double compile;    /* seconds to compile the rules / patterns */
    size_t comments;   /* comments in the timed pass */
    uint64_t bytes;    /* text bytes in the timed pass */
    uint64_t hits;     /* issues raised / patterns matched (a checksum) */
    size_t chunks;     /* alternation: patterns it was split into */
    double one_secs;   /* threads > 1: the best single-thread pass, the
                          passes alternated with the threaded ones */
    const char *note;  /* static text, or NULL */
} bu_result;

/* vocx_rules_compile + vocx_classify over the whole corpus, normalization
 * included; best of `reps` passes after a warm-up.  `threads` > 1 splits
 * the comments into contiguous slices, one thread and scratch each, over
 * the one compiled rule set (wall-clock time), and alternates each
 * threaded pass with a single-thread one (one_secs): this host's speed
 * drifts from minute to minute, so a ratio is only worth what was
 * measured side by side. */
void bu_run_vocx(const char *rules, size_t len, const char *name,
                 const bu_corpus *c, int reps, int threads, bu_result *R);

/* The baselines fold the text to ASCII lower case (counted in their time,
 * as normalization is in vocx's), check its UTF-8 once per comment and
 * then match with PCRE2_NO_UTF_CHECK.  They run comment after comment
 * until `budget` seconds have passed or the corpus ends, and report the
 * rate over what they did. */
/* Every rule's regex compiled on its own (JIT) and run on every comment. */
void bu_run_pcre_loop(const bu_ruleset *rs, const bu_corpus *c,
                      double budget, bu_result *R);
/* All the regexes in one alternation (JIT), split into the fewest chunks
 * PCRE2 accepts; every match in the comment is counted. */
void bu_run_pcre_alt(const bu_ruleset *rs, const bu_corpus *c, double budget,
                     bu_result *R);
/* Hyperscan, every regex one pattern id of one database (block mode, one
 * scan per comment).  Returns 0, or -1 when this build has no Hyperscan
 * or the patterns did not compile (R->note says why). */
int bu_run_hyperscan(const bu_ruleset *rs, const bu_corpus *c, double budget,
                     bu_result *R);
int bu_have_hyperscan(void);

/* ---- result lines ---------------------------------------------------------- */

/* One machine-readable line on stdout:
 *   @result stage=STAGE label=LABEL bytes=.. comments=.. secs=.. mbs=..
 *           cps=.. compile_ms=.. hits=.. rss_kb=.. [extra]
 * `extra` (may be NULL) is appended as is ("key=value ..."). */
void bu_emit(const char *stage, const char *label, const bu_result *R,
             const char *extra);

#endif
