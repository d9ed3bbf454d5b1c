/*
 * Classification throughput against the number of keyword rules.
 *
 * Without options, a deterministic generator writes comment-like text and
 * N keyword rules (words, prefixes, phrases and OR-lists drawn from a
 * customer-service vocabulary) for N = 50, 500 and 5,000.  For each N it
 * prints the compile time and single-thread throughput of vocx_classify
 * (normalization included), and in the same run the baselines over the
 * same text:
 *  - naive: every rule compiled as its own PCRE2 regex (JIT) and run on
 *    every comment, over case-folded text;
 *  - alternation: all rules joined into one PCRE2 alternation (JIT), run
 *    once over each comment (split into the fewest chunks PCRE2 accepts
 *    when one pattern would be too large; the \b that starts every
 *    regex is tested once, "\b(?:X|Y)");
 *  - Hyperscan, every rule one pattern of one database, when this build
 *    found libhs.
 * The baselines check each comment's UTF-8 once, then match without
 * checking it again.  Baselines that would take too long stop after about
 * 3 s; their MB/s is measured on what they did.
 *
 * Usage: bench_classify [MEGABYTES]   (corpus size, default 16)
 *
 * With --corpus, one engine runs on the `text` column of a comments file
 * (written by gen_corpus) and prints one machine-readable @result line;
 * bench/run.sh runs it once per stage, so each stage's peak RSS is its own:
 *
 *   bench_classify --corpus comments.csv --engine ENGINE [options]
 *     ENGINE   vocx | pcre-loop | pcre-alt | hyperscan | compile
 *     --rules FILE    rule file (vocx, compile)
 *     --regex FILE    one regex per rule (pcre-*, hyperscan): FILE.re as
 *                     written by gen_corpus --rules
 *     --threads N     vocx: N threads, each with its own scratch (1)
 *     --reps N        vocx: best of N passes (3); compile: median of N (5)
 *     --budget S      baselines: stop after S seconds (3)
 *     --max N         read at most N comments
 *     --label L       the label of the result line
 *     --vs FILE       vocx: alternate each pass with one over these rules
 *                     and report their throughput too (vs_mbs), for a
 *                     ratio measured side by side
 */
#define _POSIX_C_SOURCE 200809L
#include "bench_util.h"
#include "vocx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Comments: 8..80 words, sentences with punctuation, a capital now and
 * then and a few non-ASCII characters, like real survey answers. */
static void gen_corpus(const bu_vocab *v, bu_corpus *c, size_t bytes)
{
    bu_rng r = {7};
    bu_buf one = {0};
    memset(c, 0, sizeof *c);
    while (bu_corpus_bytes(c) < bytes) {
        bu_buf *text = &one;
        one.n = 0;
        size_t words = 8 + bu_pick(&r, 73);
        for (size_t w = 0; w < words; w++) {
            const char *x = bu_zipf_word(v, &r);
            if (w == 0 || bu_pick(&r, 12) == 0) {
                char tmp[64];
                snprintf(tmp, sizeof tmp, "%s", x);
                if (tmp[0] >= 'a' && tmp[0] <= 'z')
                    tmp[0] = (char)(tmp[0] - 32);
                bu_puts(text, tmp);
            } else {
                bu_puts(text, x);
            }
            size_t q = bu_pick(&r, 40);
            if (q == 0)
                bu_puts(text, ". ");
            else if (q == 1)
                bu_puts(text, ", ");
            else if (q == 2)
                bu_puts(text, " caf\xc3\xa9 ");
            else if (q == 3)
                bu_puts(text, "! \xf0\x9f\x98\xa1 ");
            else
                bu_puts(text, " ");
        }
        bu_puts(text, ".");
        bu_corpus_add(c, one.p, one.n);
    }
    free(one.p);
}

static int generated(double mb)
{
    bu_vocab v;
    bu_corpus c;
    bu_vocab_init(&v);
    gen_corpus(&v, &c, (size_t)(mb * 1e6));
    printf("corpus: %zu comments, %.1f MB (generated, fixed seed)\n", c.n,
           (double)bu_corpus_bytes(&c) / 1e6);
    {
        static const char one[] = "issue none\n  block improvement\n"
                                  "  match zzqqzzqq\n";
        bu_result R;
        bu_run_vocx(one, sizeof one - 1, "none.rules", &c, 3, 1, &R);
        printf("text analysis alone (1 rule that never matches): %.1f MB/s\n",
               R.mbs);
    }
    int hs = bu_have_hyperscan();
    printf("%-6s %9s %9s %10s %6s | %10s %9s | %9s %6s |%s %7s %7s%s\n",
           "rules", "compile", "vocx MB/s", "comments/s", "hits/c",
           "naive MB/s", "compile", "alt MB/s", "chunks",
           hs ? "   hs MB/s |" : "", "x naive", "x alt", hs ? "    x hs" : "");
    static const size_t Ns[] = {50, 500, 5000};
    double mbs[BU_N(Ns)];
    for (size_t k = 0; k < BU_N(Ns); k++) {
        size_t n = Ns[k];
        bu_ruleset rs;
        bu_gen_rules(&rs, &v, n, 0); /* each rule set on its own seed */
        bu_result vr, nv, al, hr;
        bu_run_vocx(rs.text.p, rs.text.n, "bench.rules", &c, 3, 1, &vr);
        bu_run_pcre_loop(&rs, &c, 3.0, &nv);
        bu_run_pcre_alt(&rs, &c, 3.0, &al);
        int hok = hs && bu_run_hyperscan(&rs, &c, 3.0, &hr) == 0;
        mbs[k] = vr.mbs;
        char hcol[32] = "", hx[32] = "";
        if (hs) {
            snprintf(hcol, sizeof hcol, " %9.2f |", hok ? hr.mbs : 0.0);
            snprintf(hx, sizeof hx, " %6.2fx", hok ? vr.mbs / hr.mbs : 0.0);
        }
        printf("%-6zu %7.1fms %9.1f %10.0f %6.2f | %10.2f %7.1fms | %9.2f "
               "%6zu |%s %6.0fx %6.0fx%s\n",
               n, vr.compile * 1e3, vr.mbs, vr.cps,
               (double)vr.hits / (double)c.n, nv.mbs, nv.compile * 1e3,
               al.mbs, al.chunks, hcol, vr.mbs / nv.mbs, vr.mbs / al.mbs, hx);
        fflush(stdout);
        bu_ruleset_free(&rs);
    }
    printf("vocx throughput: 500 rules = %.0f%% and 5000 rules = %.0f%% of "
           "the 50-rule figure\n",
           100 * mbs[1] / mbs[0], 100 * mbs[2] / mbs[0]);
    bu_corpus_free(&c);
    bu_vocab_free(&v);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_classify [MEGABYTES]\n"
            "       bench_classify --corpus FILE --engine "
            "vocx|pcre-loop|pcre-alt|hyperscan|compile\n"
            "                      [--rules FILE] [--regex FILE] "
            "[--threads N] [--reps N]\n"
            "                      [--budget S] [--max N] [--label L] "
            "[--vs RULES]\n");
    exit(2);
}

/* One engine on a comments file: one @result line. */
static int on_corpus(int argc, char **argv)
{
    const char *corpus = NULL, *engine = NULL, *rules = NULL, *regex = NULL;
    const char *label = "-", *vs = NULL;
    int threads = 1, reps = -1;
    double budget = 3.0;
    size_t max = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (!strcmp(a, "--corpus"))
            corpus = v;
        else if (!strcmp(a, "--engine"))
            engine = v;
        else if (!strcmp(a, "--rules"))
            rules = v;
        else if (!strcmp(a, "--regex"))
            regex = v;
        else if (!strcmp(a, "--vs"))
            vs = v;
        else if (!strcmp(a, "--threads"))
            threads = atoi(v);
        else if (!strcmp(a, "--reps"))
            reps = atoi(v);
        else if (!strcmp(a, "--budget"))
            budget = atof(v);
        else if (!strcmp(a, "--max"))
            max = (size_t)strtoull(v, NULL, 10);
        else if (!strcmp(a, "--label"))
            label = v;
        else
            usage();
        i++;
    }
    if (!engine || (!corpus && strcmp(engine, "compile")))
        usage();
    bu_result R;
    memset(&R, 0, sizeof R);
    if (!strcmp(engine, "compile")) {
        if (!rules)
            usage();
        size_t len;
        char *text = bu_read_file(rules, &len);
        int n = reps > 0 ? reps : 5;
        double *t = bu_xmalloc((size_t)n * sizeof *t);
        for (int k = 0; k < n; k++) {
            vocx_rules *r = NULL;
            double t0 = bu_now();
            int rc = vocx_rules_compile(&r, text, len, rules, NULL);
            t[k] = bu_now() - t0;
            if (rc)
                bu_die("%s: %s", rules, vocx_strerror(rc));
            if (k == 0)
                R.hits = vocx_rules_rule_count(r);
            vocx_rules_free(r);
        }
        qsort(t, (size_t)n, sizeof *t, cmp_double);
        R.compile = R.secs = t[n / 2];
        free(t);
        free(text);
        bu_emit("compile", label, &R, "what=rules");
        return 0;
    }
    bu_corpus c;
    bu_corpus_load(&c, corpus, max);
    int rc = 0;
    char extra[128] = "";
    if (!strcmp(engine, "vocx")) {
        if (!rules)
            usage();
        size_t len;
        char *text = bu_read_file(rules, &len);
        if (vs) {
            /* the same passes with the --vs rules between them, so the
             * ratio of the two throughputs is measured side by side */
            size_t vlen;
            char *vtext = bu_read_file(vs, &vlen);
            bu_result one, other;
            double best_vs = 1e30;
            for (int k = 0; k < (reps > 0 ? reps : 3); k++) {
                bu_run_vocx(text, len, rules, &c, 1, threads, &one);
                bu_run_vocx(vtext, vlen, vs, &c, 1, threads, &other);
                if (k == 0 || one.secs < R.secs)
                    R = one;
                if (other.secs < best_vs)
                    best_vs = other.secs;
            }
            free(vtext);
            snprintf(extra, sizeof extra, "threads=%d vs_secs=%.6f vs_mbs=%.3f",
                     threads, best_vs, (double)R.bytes / best_vs / 1e6);
        } else {
            bu_run_vocx(text, len, rules, &c, reps > 0 ? reps : 3, threads,
                        &R);
            if (R.one_secs > 0)
                snprintf(extra, sizeof extra, "threads=%d one_secs=%.6f"
                         " one_mbs=%.3f", threads, R.one_secs,
                         (double)R.bytes / R.one_secs / 1e6);
            else
                snprintf(extra, sizeof extra, "threads=%d", threads);
        }
        free(text);
    } else {
        if (!regex)
            usage();
        bu_ruleset rs;
        bu_read_regexes(&rs, regex);
        if (!strcmp(engine, "pcre-loop"))
            bu_run_pcre_loop(&rs, &c, budget, &R);
        else if (!strcmp(engine, "pcre-alt")) {
            bu_run_pcre_alt(&rs, &c, budget, &R);
            snprintf(extra, sizeof extra, "chunks=%zu", R.chunks);
        } else if (!strcmp(engine, "hyperscan")) {
            if (bu_run_hyperscan(&rs, &c, budget, &R)) {
                fprintf(stderr, "hyperscan: %s\n", R.note);
                rc = 3; /* not available: the driver leaves the row out */
            } else {
                snprintf(extra, sizeof extra, "mode=%s", R.note);
            }
        } else
            usage();
        bu_ruleset_free(&rs);
    }
    if (rc == 0)
        bu_emit(engine, label, &R, extra);
    bu_corpus_free(&c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && argv[1][0] == '-' && argv[1][1] == '-')
        return on_corpus(argc, argv);
    double mb = argc > 1 ? atof(argv[1]) : 16;
    if (mb <= 0)
        mb = 16;
    return generated(mb);
}
