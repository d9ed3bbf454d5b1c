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
 * so the summary step is timed too. Times are medians of 5 runs.
 */
#define _POSIX_C_SOURCE 199309L
#include "clv_model.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

    txbuf tx = {0};
    for (size_t c = 0; c < n; c++) {
        const double lambda = gamma_rv(&g, tb.r) / tb.alpha; /* per week */
        const double ga = gamma_rv(&g, tb.a), gb = gamma_rv(&g, tb.b);
        const double pdrop = ga / (ga + gb);
        const double nu = gamma_rv(&g, tg.q) / tg.v;
        const int first = (int)(unif(&g) * COHORT_DAYS);
        double t = first / 7.0;
        if (tx_push(&tx, c, first, gamma_rv(&g, tg.p) / nu))
            goto oom;
        for (;;) {
            t += -log(unif(&g)) / lambda;
            const double dday = floor(t * 7.0);
            if (!(dday <= CAL_END))
                break;
            if (tx_push(&tx, c, (int)dday, gamma_rv(&g, tg.p) / nu))
                goto oom;
            if (unif(&g) < pdrop)
                break; /* dropped out after this repeat purchase */
        }
    }

    vx_rfm *rfm = malloc(n * sizeof *rfm);
    double *ms = malloc(n * sizeof *ms);
    double *gx = malloc(n * sizeof *gx), *gz = malloc(n * sizeof *gz);
    if (!rfm || !ms || !gx || !gz)
        goto oom;

    double t_rfm[RUNS], t_bg[RUNS], t_gg[RUNS];
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
    size_t m = 0;
    for (size_t c = 0; c < n; c++)
        if (rfm[c].x > 0 && ms[c] > 0) {
            gx[m] = rfm[c].x;
            gz[m] = ms[c];
            m++;
        }

    vx_bgnbd b;
    vx_gg gg;
    vx_fit_diag db, dg;
    int rcb = 0, rcg = 0;
    for (int k = 0; k < RUNS; k++) {
        double t0 = now_ms();
        rcb = vx_bgnbd_fit(rfm, n, &b, &db, NULL);
        t_bg[k] = now_ms() - t0;
        t0 = now_ms();
        rcg = vx_gg_fit(gx, gz, m, &gg, &dg, NULL);
        t_gg[k] = now_ms() - t0;
    }

    /* CLV of every customer, 12 months, 10 % a year (one run). */
    double t0 = now_ms(), clv_sum = 0.0;
    for (size_t c = 0; c < n; c++) {
        double v;
        if (vx_clv_bgnbd_gg(&b, &gg, &rfm[c], ms[c], 12.0, 0.10, 1.0, &v) == 0)
            clv_sum += v;
    }
    const double t_clv = now_ms() - t0;

    printf("customers               %zu\n", n);
    printf("transactions            %zu (%zu after the calibration end, %zu merged same-day)\n",
           st.transactions, st.tx_after_end, st.tx_merged);
    printf("repeat buyers           %zu\n", st.repeat_customers);
    printf("rfm summary             %8.2f ms (median of %d)\n", median(t_rfm, RUNS), RUNS);
    printf("BG/NBD fit              %8.2f ms (median of %d), status %d, %d iterations, %d evaluations\n",
           median(t_bg, RUNS), RUNS, rcb, db.iterations, db.evaluations);
    printf("  %-6s %10s %10s %8s\n", "param", "true", "fitted", "rel.err");
    const double tv[4] = {tb.r, tb.alpha, tb.a, tb.b}, fv[4] = {b.r, b.alpha, b.a, b.b};
    const char *nm[4] = {"r", "alpha", "a", "b"};
    for (int i = 0; i < 4; i++)
        printf("  %-6s %10.4f %10.4f %+7.2f%%\n", nm[i], tv[i], fv[i],
               100.0 * (fv[i] - tv[i]) / tv[i]);
    printf("  log-likelihood %.2f\n", b.loglik);
    printf("Gamma-Gamma fit         %8.2f ms (median of %d), status %d, %d iterations, %d evaluations, %zu customers\n",
           median(t_gg, RUNS), RUNS, rcg, dg.iterations, dg.evaluations, m);
    const double tw[3] = {tg.p, tg.q, tg.v}, fw[3] = {gg.p, gg.q, gg.v};
    const char *nw[3] = {"p", "q", "v"};
    for (int i = 0; i < 3; i++)
        printf("  %-6s %10.4f %10.4f %+7.2f%%\n", nw[i], tw[i], fw[i],
               100.0 * (fw[i] - tw[i]) / tw[i]);
    printf("CLV 12 months, all      %8.2f ms (mean CLV %.2f)\n", t_clv, clv_sum / (double)n);

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
