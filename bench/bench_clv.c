/*
 * bench_clv.c — fit times of the BG/NBD and Gamma-Gamma models on a
 * synthetic customer base (a benchmark that prints figures, not a test).
 *
 *   gcc -std=c11 -O2 -Ilib bench/bench_clv.c lib/clv_model.c -lm -o bench_clv
 *   ./bench_clv [N]        (N customers, default 100000)
 *
 * The population is simulated from the models themselves with the CDNOW
 * parameters (deterministic seed), recorded by day like real data:
 * first purchases spread over a 12-week cohort, calibration end at day 272
 * (39 weeks), purchases at Poisson rate lambda ~ Gamma(r, alpha) per week,
 * dropout with probability p ~ Beta(a, b) after each repeat purchase
 * [Fader, Hardie & Lee 2005], amounts ~ Gamma(p, nu), nu ~ Gamma(q, v)
 * [Fader & Hardie 2013]. Transactions go through vx_rfm_from_transactions,
 * so the summary step is timed too. The same customers are also summarised
 * with exact (continuous) purchase times: the worst case for the fit's
 * grouping of equal values, and a check that the fit recovers the true
 * parameters once day recording (same-day purchases merge) is taken out.
 * Times are medians of 5 runs.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#endif
#include "clv_model.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define RUNS 5
#define COHORT_DAYS 84
#define CAL_END 272

/* xoshiro256** seeded by splitmix64: fast, deterministic everywhere. */
typedef struct rng { uint64_t s[4]; } rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(rng *g)
{
    uint64_t *s = g->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

/* uniform in (0, 1) */
static double unif(rng *g) { return ((double)(next_u64(g) >> 11) + 0.5) * 0x1.0p-53; }

static double normal(rng *g)
{
    return sqrt(-2.0 * log(unif(g))) * cos(6.283185307179586 * unif(g));
}

/* Gamma(k, 1), Marsaglia & Tsang (2000); k < 1 by the boost U^(1/k). */
static double gamma_rv(rng *g, double k)
{
    if (k < 1.0)
        return gamma_rv(g, k + 1.0) * pow(unif(g), 1.0 / k);
    const double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = normal(g), v = 1.0 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = unif(g);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_dbl);
    return v[n / 2];
}

typedef struct txbuf {
    size_t *cust;
    int *day;
    double *amt;
    size_t n, cap;
} txbuf;

static int tx_push(txbuf *b, size_t c, int d, double a)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        size_t *nc = realloc(b->cust, cap * sizeof *nc);
        if (!nc)
            return -1;
        b->cust = nc;
        int *nd = realloc(b->day, cap * sizeof *nd);
        if (!nd)
            return -1;
        b->day = nd;
        double *na = realloc(b->amt, cap * sizeof *na);
        if (!na)
            return -1;
        b->amt = na;
        b->cap = cap;
    }
    b->cust[b->n] = c;
    b->day[b->n] = d;
    b->amt[b->n] = a;
    b->n++;
    return 0;
}

/* One fit of each model on one set of summaries, timed. */
typedef struct fitrun {
    const char *label;
    vx_bgnbd b;
    vx_gg g;
    vx_fit_diag db, dg;
    int rcb, rcg;
    double ms_b, ms_g;
    size_t m;
} fitrun;

static void run_fits(fitrun *fr, const vx_rfm *rfm, size_t n, const double *gx,
                     const double *gz, size_t m)
{
    double tb[RUNS], tg[RUNS];
    for (int k = 0; k < RUNS; k++) {
        double t0 = now_ms();
        fr->rcb = vx_bgnbd_fit(rfm, n, &fr->b, &fr->db, NULL);
        tb[k] = now_ms() - t0;
        t0 = now_ms();
        fr->rcg = vx_gg_fit(gx, gz, m, &fr->g, &fr->dg, NULL);
        tg[k] = now_ms() - t0;
    }
    fr->ms_b = median(tb, RUNS);
    fr->ms_g = median(tg, RUNS);
    fr->m = m;
}

static double param_of(const fitrun *f, int which)
{
    switch (which) {
    case 0: return f->b.r;
    case 1: return f->b.alpha;
    case 2: return f->b.a;
    case 3: return f->b.b;
    case 4: return f->g.p;
    case 5: return f->g.q;
    default: return f->g.v;
    }
}

static void print_param(const char *name, double truth, const fitrun *a, const fitrun *b,
                        int which)
{
    const double va = param_of(a, which), vb = param_of(b, which);
    printf("  %-6s %9.4f   %9.4f %+6.2f%%   %9.4f %+6.2f%%\n", name, truth, va,
           100.0 * (va - truth) / truth, vb, 100.0 * (vb - truth) / truth);
}

int main(int argc, char **argv)
{
    size_t n = 100000;
    if (argc > 1) {
        char *end;
        unsigned long long v = strtoull(argv[1], &end, 10);
        if (*end || v == 0) {
            fprintf(stderr, "usage: %s [customers]\n", argv[0]);
            return 2;
        }
        n = (size_t)v;
    }
    /* True parameters: the published CDNOW fits. */
    const vx_bgnbd tb = {0.243, 4.414, 0.793, 2.426, 0, 0, 0};
    const vx_gg tg = {6.25, 3.74, 15.44, 0, 0, 0, 0};

    rng g;
    uint64_t seed = 20050101;
    for (int i = 0; i < 4; i++)
        g.s[i] = splitmix(&seed);

    /* Each customer is simulated once in continuous time; the purchases are
     * recorded (a) by day, as transactions, and (b) exactly, as summaries,
     * to separate the effect of day recording from the fit. */
    txbuf tx = {0};
    vx_rfm *crfm = malloc(n * sizeof *crfm);
    double *cms = malloc(n * sizeof *cms);
    if (!crfm || !cms)
        goto oom;
    const double t_end = (CAL_END + 1) / 7.0; /* day CAL_END included */
    for (size_t c = 0; c < n; c++) {
        const double lambda = gamma_rv(&g, tb.r) / tb.alpha; /* per week */
        const double ga = gamma_rv(&g, tb.a), gb = gamma_rv(&g, tb.b);
        const double pdrop = ga / (ga + gb);
        const double nu = gamma_rv(&g, tg.q) / tg.v;
        const int first = (int)(unif(&g) * COHORT_DAYS);
        const double t0 = first / 7.0;
        double t = t0, sum = 0.0;
        int x = 0;
        if (tx_push(&tx, c, first, gamma_rv(&g, tg.p) / nu))
            goto oom;
        crfm[c] = (vx_rfm){0, 0, t_end - t0};
        for (;;) {
            t += -log(unif(&g)) / lambda;
            if (!(t < t_end))
                break;
            const double amt = gamma_rv(&g, tg.p) / nu;
            if (tx_push(&tx, c, (int)floor(t * 7.0), amt))
                goto oom;
            x++;
            sum += amt;
            crfm[c].x = x;
            crfm[c].t_x = t - t0;
            if (unif(&g) < pdrop)
                break; /* dropped out after this repeat purchase */
        }
        cms[c] = x > 0 ? sum / x : 0.0;
    }

    vx_rfm *rfm = malloc(n * sizeof *rfm);
    double *ms = malloc(n * sizeof *ms);
    double *gx = malloc(n * sizeof *gx), *gz = malloc(n * sizeof *gz);
    if (!rfm || !ms || !gx || !gz)
        goto oom;

    double t_rfm[RUNS];
    vx_rfm_stats st;
    for (int k = 0; k < RUNS; k++) {
        double t0 = now_ms();
        int rc = vx_rfm_from_transactions(tx.cust, tx.day, tx.amt, tx.n, CAL_END,
                                          n, rfm, ms, NULL, &st);
        t_rfm[k] = now_ms() - t0;
        if (rc) {
            fprintf(stderr, "rfm: error %d\n", rc);
            return 1;
        }
    }

    fitrun day = {.label = "by day"}, cont = {.label = "exact"};
    size_t m = 0;
    for (size_t c = 0; c < n; c++)
        if (rfm[c].x > 0 && ms[c] > 0) {
            gx[m] = rfm[c].x;
            gz[m] = ms[c];
            m++;
        }
    run_fits(&day, rfm, n, gx, gz, m);
    m = 0;
    for (size_t c = 0; c < n; c++)
        if (crfm[c].x > 0 && cms[c] > 0) {
            gx[m] = crfm[c].x;
            gz[m] = cms[c];
            m++;
        }
    run_fits(&cont, crfm, n, gx, gz, m);

    /* CLV of every customer, 12 months, 10 % a year (one run). */
    double t0 = now_ms(), clv_sum = 0.0;
    for (size_t c = 0; c < n; c++) {
        double v;
        if (vx_clv_bgnbd_gg(&day.b, &day.g, &rfm[c], ms[c], 12.0, 0.10, 1.0, &v) == 0)
            clv_sum += v;
    }
    const double t_clv = now_ms() - t0;

    printf("customers          %zu (simulated, CDNOW parameters, seed 20050101)\n", n);
    printf("transactions       %zu (%zu same-day rows merged)\n", st.transactions,
           st.tx_merged);
    printf("rfm summary        %8.2f ms\n", median(t_rfm, RUNS));
    printf("times are medians of %d runs; columns: purchases recorded by day | "
           "exact times\n", RUNS);
    printf("BG/NBD fit         %8.2f ms | %8.2f ms  (status %d | %d, iterations %d | %d)\n",
           day.ms_b, cont.ms_b, day.rcb, cont.rcb, day.db.iterations, cont.db.iterations);
    printf("  param       true      by day              exact\n");
    print_param("r", tb.r, &day, &cont, 0);
    print_param("alpha", tb.alpha, &day, &cont, 1);
    print_param("a", tb.a, &day, &cont, 2);
    print_param("b", tb.b, &day, &cont, 3);
    printf("Gamma-Gamma fit    %8.2f ms | %8.2f ms  (status %d | %d, iterations %d | %d, "
           "customers %zu | %zu)\n",
           day.ms_g, cont.ms_g, day.rcg, cont.rcg, day.dg.iterations, cont.dg.iterations,
           day.m, cont.m);
    print_param("p", tg.p, &day, &cont, 4);
    print_param("q", tg.q, &day, &cont, 5);
    print_param("v", tg.v, &day, &cont, 6);
    printf("CLV, 12 months     %8.2f ms for all customers (mean %.2f)\n", t_clv,
           clv_sum / (double)n);
    /* One machine-readable line for bench/run.sh: summary, both fits (by
     * day) and every customer's CLV, in seconds. */
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    getrusage(RUSAGE_SELF, &ru);
    const double t_rfm_med = median(t_rfm, RUNS);
    printf("@result stage=clv-model label=%zu secs=%.6f rfm_ms=%.3f "
           "bgnbd_ms=%.3f gg_ms=%.3f clv_ms=%.3f status=%d rss_kb=%ld\n",
           n, (t_rfm_med + day.ms_b + day.ms_g + t_clv) / 1e3, t_rfm_med,
           day.ms_b, day.ms_g, t_clv, day.rcb ? day.rcb : day.rcg,
           (long)ru.ru_maxrss);

    free(crfm);
    free(cms);
    free(rfm);
    free(ms);
    free(gx);
    free(gz);
    free(tx.cust);
    free(tx.day);
    free(tx.amt);
    return 0;
oom:
    fprintf(stderr, "out of memory\n");
    return 1;
}
