/*
 * check_clv_model.c — unit tests of lib/clv_model.c (Check framework).
 *
 * Standalone build, from the repository root:
 *   gcc -std=c11 -O2 -Wall -Wextra -Werror -Ilib tests/check_clv_model.c \
 *       lib/clv_model.c $(pkg-config --cflags --libs check) -lm
 * The CDNOW files are read from <data>/cdnow/, where <data> is the
 * examples/data directory: the environment variable VOCX_TEST_DATA_DIR if
 * set, else the macro given at compile time (-DVOCX_TEST_DATA_DIR="...",
 * as the build system does for every suite), else examples/data (run from
 * the repository root).
 *
 * Reference values: the published CDNOW fits (Fader, Hardie & Lee 2005;
 * the lifetimes package), closed forms written out here independently of
 * the library (libm lgamma, pow, direct sums), and the conditional
 * expectation recomputed by numerical integration over the posterior
 * instead of the hypergeometric function.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "clv_model.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VOCX_TEST_DATA_DIR
#define VOCX_TEST_DATA_DIR "examples/data"
#endif

#define CDNOW_N 2357
#define CDNOW_REPEAT 946
/* The summary CSV rounds to 2 decimals: a value is within half a unit of
 * the last digit (plus binary rounding, e.g. 22.345 printed as 22.35). */
#define HALF_CENT (0.005 + 1e-9)

/* ---- helpers ------------------------------------------------------------ */

static const char *data_dir(void)
{
    const char *e = getenv("VOCX_TEST_DATA_DIR");
    return e && *e ? e : VOCX_TEST_DATA_DIR;
}

static FILE *open_data(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/cdnow/%s", data_dir(), name);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s (set VOCX_TEST_DATA_DIR)", path);
    return f;
}

typedef struct cdnow {
    vx_rfm c[CDNOW_N];
    double zbar[CDNOW_N];
    int id[CDNOW_N];
    size_t n;
} cdnow;

/* cdnow_summary_calibration.csv: ID,x,t_x,T,zbar with CRLF line ends. */
static void load_summary(cdnow *d)
{
    FILE *f = open_data("cdnow_summary_calibration.csv");
    char line[256];
    d->n = 0;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_msg(strncmp(line, "ID,x,t_x,T,zbar", 15) == 0, "bad header");
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\r' || line[0] == '\n' || line[0] == '\0')
            continue;
        ck_assert_uint_lt(d->n, CDNOW_N);
        size_t i = d->n;
        int got = sscanf(line, "%d,%lf,%lf,%lf,%lf", &d->id[i], &d->c[i].x,
                         &d->c[i].t_x, &d->c[i].T, &d->zbar[i]);
        ck_assert_int_eq(got, 5);
        d->n++;
    }
    fclose(f);
    ck_assert_uint_eq(d->n, CDNOW_N);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int days_from_civil(int y, int m, int dd)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int ymd_days(long ymd)
{
    return days_from_civil((int)(ymd / 10000), (int)(ymd / 100 % 100), (int)(ymd % 100));
}

typedef struct txns {
    size_t *cust;
    int *day;
    double *amt;
    size_t n;
} txns;

/* CDNOW_sample.txt: master id, sample id (1..2357), YYYYMMDD, CDs, $. */
static void load_transactions(txns *t)
{
    FILE *f = open_data("CDNOW_sample.txt");
    size_t cap = 8192;
    t->cust = malloc(cap * sizeof *t->cust);
    t->day = malloc(cap * sizeof *t->day);
    t->amt = malloc(cap * sizeof *t->amt);
    t->n = 0;
    long master, sample, ymd, cds;
    double amt;
    while (fscanf(f, "%ld %ld %ld %ld %lf", &master, &sample, &ymd, &cds, &amt) == 5) {
        ck_assert_uint_lt(t->n, cap);
        ck_assert(sample >= 1 && sample <= CDNOW_N);
        t->cust[t->n] = (size_t)(sample - 1);
        t->day[t->n] = ymd_days(ymd);
        t->amt[t->n] = amt;
        t->n++;
    }
    fclose(f);
    ck_assert_uint_eq(t->n, 6919);
}

static void free_transactions(txns *t)
{
    free(t->cust);
    free(t->day);
    free(t->amt);
}

static void assert_rel(double got, double want, double rel, const char *what)
{
    ck_assert_msg(isfinite(got) && fabs(got - want) <= rel * fabs(want),
                  "%s = %.6f, published %.6f (tolerance %.2f %%)", what, got,
                  want, 100.0 * rel);
}

static void assert_bg_finite(const vx_bgnbd *b)
{
    ck_assert(isfinite(b->r) && isfinite(b->alpha) && isfinite(b->a) &&
              isfinite(b->b) && isfinite(b->loglik));
}

static void assert_gg_finite(const vx_gg *g)
{
    ck_assert(isfinite(g->p) && isfinite(g->q) && isfinite(g->v) &&
              isfinite(g->loglik));
}

static void assert_published_bgnbd(const vx_bgnbd *b)
{
    /* Fader, Hardie & Lee (2005), table in examples/data/cdnow/README.md */
    assert_rel(b->r, 0.243, 0.005, "r");
    assert_rel(b->alpha, 4.414, 0.005, "alpha");
    assert_rel(b->a, 0.793, 0.005, "a");
    assert_rel(b->b, 2.426, 0.005, "b");
    ck_assert_msg(fabs(b->loglik - (-9582.4)) <= 0.1, "loglik %.4f", b->loglik);
}

/* Published BG/NBD parameters (rounded) and the full-precision MLE. */
static const vx_bgnbd PUB = {0.243, 4.414, 0.793, 2.426, 0, 0, 0};
static const vx_bgnbd MLE = {0.24259290497711014, 4.413531596954177,
                             0.7928861524222862, 2.425753726544981, 0, 0, 0};
static const vx_gg GGMLE = {6.248802694930095, 3.7445884393043634,
                            15.447747217817927, 0, 0, 0, 0};

/* ---- independent references --------------------------------------------- */

/* P(alive), closed form written out with pow. */
static double ref_p_alive(const vx_bgnbd *m, double x, double tx, double T)
{
    if (x == 0)
        return 1.0;
    return 1.0 / (1.0 + m->a / (m->b + x - 1.0) *
                            pow((m->alpha + T) / (m->alpha + tx), m->r + x));
}

/* E[Y(t) | x, t_x, T] without 2F1: given alive, lambda ~ Gamma(r+x,
 * alpha+T) and p ~ Beta(a, b+x) a posteriori, and a live customer makes
 * (1 - e^(-lambda p t)) / p purchases in expectation over t; so
 *   E = P(alive) E_p[(1 - ((alpha+T)/(alpha+T+p t))^(r+x)) / p].
 * The Beta integral is computed by tanh-sinh quadrature, which is exact to
 * ~1e-13 despite the algebraic end-point singularities of the density. */
static double ref_expected(const vx_bgnbd *m, double x, double tx, double T, double t)
{
    const double r = m->r, al = m->alpha, a = m->a, b = m->b;
    const double h = 1.0 / 64, pi = 3.14159265358979323846;
    double s = 0.0;
    for (int k = -6 * 64; k <= 6 * 64; k++) {
        const double u = k * h, w = 0.5 * pi * sinh(u);
        /* p = (1 + tanh w) / 2 and q = 1 - p without cancellation */
        const double lp = -log1p(exp(-2 * w)), lq = -log1p(exp(2 * w));
        const double p = exp(lp);
        if (p == 0.0)
            continue;
        const double g = -expm1(-(r + x) * log1p(p * t / (al + T))) / p;
        /* density * dp/du = p^(a-1) q^(b+x-1) * pi p q cosh(u) */
        s += exp(a * lp + (b + x) * lq) * g * pi * cosh(u);
    }
    const double lbeta = lgamma(a) + lgamma(b + x) - lgamma(a + b + x);
    return ref_p_alive(m, x, tx, T) * s * h / exp(lbeta);
}

/* lifetimes' customer_lifetime_value loop with a monthly rate. */
static double ref_clv(const vx_bgnbd *m, double spend, double x, double tx,
                      double T, int months, double monthly)
{
    double s = 0.0;
    for (int k = 1; k <= months; k++) {
        const double e1 = ref_expected(m, x, tx, T, k * 4.345);
        const double e0 = k == 1 ? 0.0 : ref_expected(m, x, tx, T, (k - 1) * 4.345);
        s += spend * (e1 - e0) / pow(1.0 + monthly, k);
    }
    return s;
}

/* ---- Gauss 2F1 ----------------------------------------------------------- */

START_TEST(test_hyp2f1_closed_forms)
{
    const double zs[] = {-0.9, -0.5, -0.1, 0.0, 1e-8, 0.1, 0.5, 0.9, 0.99, 0.999};
    for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
        const double z = zs[i];
        /* 2F1(1,1;2;z) = -ln(1-z)/z */
        const double want = z == 0 ? 1.0 : -log1p(-z) / z;
        ck_assert_double_eq_tol(vx_hyp2f1(1, 1, 2, z), want, 1e-13 * fabs(want));
        /* 2F1(a,b;b;z) = (1-z)^-a */
        ck_assert_double_eq_tol(vx_hyp2f1(2.5, 1.7, 1.7, z), pow(1 - z, -2.5),
                                1e-12 * pow(1 - z, -2.5));
    }
    /* 2F1(1/2,1/2;3/2;z^2) = asin(z)/z */
    for (double z = 0.05; z < 0.99; z += 0.1)
        ck_assert_double_eq_tol(vx_hyp2f1(0.5, 0.5, 1.5, z * z), asin(z) / z, 1e-13);
    /* terminating series: 2F1(-2,b;c;z) = 1 - 2bz/c + b(b+1)z^2/(c(c+1)) */
    ck_assert_double_eq_tol(vx_hyp2f1(-2, 3, 4, 0.5),
                            1 - 2.0 * 3 * 0.5 / 4 + 3.0 * 4 * 0.25 / (4 * 5), 1e-15);
    /* SciPy 1.10 scipy.special.hyp2f1 values */
    ck_assert_double_eq_tol(vx_hyp2f1(0.5, 0.7, 1.9, 0.95), 1.3956337442336186, 1e-12);
    ck_assert_double_eq_tol(vx_hyp2f1(12.3, 4.5, 14.2, 0.97), 107638.12463049588, 1e-6);
    ck_assert_double_eq_tol(vx_hyp2f1(-2.5, 1.5, 3.2, -0.8), 2.3005080376148466, 1e-12);
    /* outside the domain: 0, never NaN */
    ck_assert(vx_hyp2f1(1, 1, 2, 1.0) == 0.0);
    ck_assert(vx_hyp2f1(1, 1, 2, -1.5) == 0.0);
    ck_assert(vx_hyp2f1(1, 1, -3, 0.5) == 0.0);
    ck_assert(vx_hyp2f1(NAN, 1, 2, 0.5) == 0.0);
    ck_assert(vx_hyp2f1(1, 1, 2, NAN) == 0.0);
}
END_TEST

/* ---- transactions to RFM ------------------------------------------------ */

START_TEST(test_rfm_rules)
{
    /* customer 0: two rows on day 10 (one purchase), day 17 (two rows),
     *             day 31, and day 50 after the end (ignored);
     * customer 1: absent;
     * customer 2: one purchase with amount 0;
     * customer 3: repeat purchase that is a pure refund -> mean <= 0;
     * customer 4: only a row after the end. */
    const size_t cust[] = {0, 0, 0, 0, 0, 0, 2, 3, 3, 4};
    const int day[] = {10, 10, 17, 17, 31, 50, 12, 5, 40, 45};
    const double amt[] = {5, 7, 10, -4, 20, 99, 0, 30, -30, 11};
    const size_t ntx = sizeof cust / sizeof cust[0];
    vx_rfm rfm[5];
    double ms[5];
    unsigned char present[5];
    vx_rfm_stats st;
    ck_assert_int_eq(vx_rfm_from_transactions(cust, day, amt, ntx, 45, 5, rfm, ms,
                                              present, &st),
                     0);
    ck_assert_double_eq(rfm[0].x, 2);
    ck_assert_double_eq_tol(rfm[0].t_x, 21.0 / 7, 1e-15);
    ck_assert_double_eq_tol(rfm[0].T, 35.0 / 7, 1e-15);
    ck_assert_double_eq_tol(ms[0], ((10 - 4) + 20) / 2.0, 1e-15);
    ck_assert_int_eq(present[0], 1);
    ck_assert(rfm[1].x == 0 && rfm[1].t_x == 0 && rfm[1].T == 0 && ms[1] == 0);
    ck_assert_int_eq(present[1], 0);
    ck_assert(rfm[2].x == 0 && rfm[2].t_x == 0 && ms[2] == 0);
    ck_assert_double_eq_tol(rfm[2].T, 33.0 / 7, 1e-15);
    ck_assert_int_eq(present[2], 1);
    ck_assert_double_eq(rfm[3].x, 1);
    ck_assert_double_eq(ms[3], -30);
    /* day 45 is the calibration end itself: inclusive */
    ck_assert_double_eq(rfm[4].x, 0);
    ck_assert_double_eq(rfm[4].T, 0);
    ck_assert_int_eq(present[4], 1);
    ck_assert_uint_eq(st.transactions, ntx);
    ck_assert_uint_eq(st.tx_after_end, 1);
    ck_assert_uint_eq(st.tx_merged, 2);
    ck_assert_uint_eq(st.tx_nonpositive, 3);
    ck_assert_uint_eq(st.purchase_days, 3 + 1 + 2 + 1);
    ck_assert_uint_eq(st.customers, 4);
    ck_assert_uint_eq(st.customers_absent, 1);
    ck_assert_uint_eq(st.repeat_customers, 2);
    ck_assert_uint_eq(st.spend_customers, 1);
    ck_assert_uint_eq(st.spend_excluded, 1);

    /* the day-45 row counted for customer 4 moves after the end at 44 */
    ck_assert_int_eq(vx_rfm_from_transactions(cust, day, amt, ntx, 44, 5, rfm, NULL,
                                              present, &st),
                     0);
    ck_assert_int_eq(present[4], 0);
    ck_assert_uint_eq(st.customers_absent, 2);
    ck_assert_uint_eq(st.tx_after_end, 2);
    /* without amounts */
    ck_assert_int_eq(vx_rfm_from_transactions(cust, day, NULL, ntx, 45, 5, rfm, NULL,
                                              NULL, NULL),
                     0);
    ck_assert_double_eq(rfm[0].x, 2);
}
END_TEST

START_TEST(test_rfm_invalid)
{
    const size_t cust[] = {0, 1, 1};
    const int day[] = {3, 5, 4}; /* not sorted by day within customer 1 */
    const double amt[] = {1, 2, 3};
    vx_rfm rfm[3];
    double ms[3];
    ck_assert_int_eq(vx_rfm_from_transactions(cust, day, amt, 3, 10, 2, rfm, ms, NULL, NULL),
                     VOCX_EINVAL);
    const size_t cust2[] = {1, 0};
    const int day2[] = {1, 2};
    ck_assert_int_eq(vx_rfm_from_transactions(cust2, day2, amt, 2, 10, 2, rfm, ms, NULL, NULL),
                     VOCX_EINVAL); /* customers not sorted */
    ck_assert_int_eq(vx_rfm_from_transactions(cust2, day2, amt, 2, 10, 1, rfm, ms, NULL, NULL),
                     VOCX_EINVAL); /* index >= ncust */
    const size_t cust3[] = {0, 0};
    const double bad[] = {1, NAN};
    ck_assert_int_eq(vx_rfm_from_transactions(cust3, day2, bad, 2, 10, 1, rfm, ms, NULL, NULL),
                     VOCX_EINVAL);
    const double inf[] = {INFINITY, 1};
    ck_assert_int_eq(vx_rfm_from_transactions(cust3, day2, inf, 2, 10, 1, rfm, ms, NULL, NULL),
                     VOCX_EINVAL);
    ck_assert_int_eq(vx_rfm_from_transactions(cust3, day2, NULL, 2, 10, 1, rfm, ms, NULL, NULL),
                     VOCX_EINVAL); /* mean spend without amounts */
    ck_assert_int_eq(vx_rfm_from_transactions(NULL, day2, amt, 2, 10, 1, rfm, ms, NULL, NULL),
                     VOCX_EINVAL);
    ck_assert_int_eq(vx_rfm_from_transactions(cust3, day2, amt, 2, 10, 1, NULL, ms, NULL, NULL),
                     VOCX_EINVAL);
    /* nothing at all is fine */
    vx_rfm_stats st;
    ck_assert_int_eq(vx_rfm_from_transactions(NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL, &st), 0);
    ck_assert_uint_eq(st.customers, 0);
}
END_TEST

/* Every one of the 2,357 summaries rebuilt from the raw transactions. */
START_TEST(test_rfm_cdnow_matches_summary)
{
    static cdnow d;
    txns t;
    load_summary(&d);
    load_transactions(&t);
    static vx_rfm rfm[CDNOW_N];
    static double ms[CDNOW_N];
    vx_rfm_stats st;
    const int cal_end = days_from_civil(1997, 9, 30);
    ck_assert_int_eq(cal_end - days_from_civil(1997, 1, 1), 272);
    ck_assert_int_eq(vx_rfm_from_transactions(t.cust, t.day, t.amt, t.n, cal_end,
                                              CDNOW_N, rfm, ms, NULL, &st),
                     0);
    for (size_t i = 0; i < CDNOW_N; i++) {
        const size_t k = (size_t)(d.id[i] - 1);
        ck_assert_msg(rfm[k].x == d.c[i].x, "ID %d: x %g, summary %g", d.id[i],
                      rfm[k].x, d.c[i].x);
        ck_assert_msg(fabs(rfm[k].t_x - d.c[i].t_x) <= HALF_CENT, "ID %d: t_x %.4f vs %.2f",
                      d.id[i], rfm[k].t_x, d.c[i].t_x);
        ck_assert_msg(fabs(rfm[k].T - d.c[i].T) <= HALF_CENT, "ID %d: T %.4f vs %.2f",
                      d.id[i], rfm[k].T, d.c[i].T);
        ck_assert_msg(fabs(ms[k] - d.zbar[i]) <= HALF_CENT, "ID %d: zbar %.4f vs %.2f",
                      d.id[i], ms[k], d.zbar[i]);
    }
    ck_assert_uint_eq(st.customers, CDNOW_N);
    ck_assert_uint_eq(st.customers_absent, 0);
    ck_assert_uint_eq(st.repeat_customers, CDNOW_REPEAT);
    ck_assert_uint_eq(st.spend_customers, CDNOW_REPEAT);
    ck_assert_uint_eq(st.spend_excluded, 0);
    ck_assert_uint_eq(st.tx_nonpositive, 8); /* eight $0 first purchases */
    ck_assert_uint_gt(st.tx_after_end, 0);
    ck_assert_uint_gt(st.tx_merged, 0);
    ck_assert_uint_eq(st.transactions, st.tx_after_end + st.tx_merged + st.purchase_days);

    /* ... and the fits on these own summaries hit the published values */
    vx_bgnbd b;
    vx_fit_diag dg;
    ck_assert_int_eq(vx_bgnbd_fit(rfm, CDNOW_N, &b, &dg, NULL), 0);
    assert_published_bgnbd(&b);
    static double gx[CDNOW_N], gz[CDNOW_N];
    size_t m = 0;
    for (size_t k = 0; k < CDNOW_N; k++)
        if (rfm[k].x > 0 && ms[k] > 0) {
            gx[m] = rfm[k].x;
            gz[m] = ms[k];
            m++;
        }
    ck_assert_uint_eq(m, CDNOW_REPEAT);
    vx_gg g;
    ck_assert_int_eq(vx_gg_fit(gx, gz, m, &g, &dg, NULL), 0);
    assert_rel(g.p, 6.25, 0.005, "p");
    assert_rel(g.q, 3.74, 0.005, "q");
    assert_rel(g.v, 15.445, 0.005, "v");
    free_transactions(&t);
}
END_TEST

/* ---- CDNOW fits ---------------------------------------------------------- */

START_TEST(test_bgnbd_cdnow_published)
{
    static cdnow d;
    load_summary(&d);
    vx_bgnbd b;
    vx_fit_diag dg;
    int rc = vx_bgnbd_fit(d.c, d.n, &b, &dg, NULL);
    ck_assert_msg(rc == 0, "rc %d: %s", rc, dg.msg);
    ck_assert_int_eq(b.converged, 1);
    ck_assert_int_eq(dg.converged, 1);
    ck_assert_int_gt(dg.iterations, 0);
    ck_assert_int_eq(dg.iterations, b.iterations);
    ck_assert_int_ge(dg.evaluations, dg.iterations);
    ck_assert_msg(strstr(dg.msg, "converged") != NULL, "%s", dg.msg);
    assert_published_bgnbd(&b);
    /* the grouped likelihood inside the fit equals the plain per-customer
     * one, and the fit is a maximum: nudging any parameter lowers it */
    ck_assert_double_eq_tol(vx_bgnbd_loglik(&b, d.c, d.n), b.loglik, 1e-7);
    for (int i = 0; i < 4; i++) {
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            vx_bgnbd m = b;
            double *pp = i == 0 ? &m.r : i == 1 ? &m.alpha : i == 2 ? &m.a : &m.b;
            *pp *= 1.0 + sgn * 1e-3;
            ck_assert(vx_bgnbd_loglik(&m, d.c, d.n) < b.loglik);
        }
    }
    /* agrees with the full-precision MLE to 1e-4 relative */
    assert_rel(b.r, MLE.r, 1e-4, "r");
    assert_rel(b.alpha, MLE.alpha, 1e-4, "alpha");
    assert_rel(b.a, MLE.a, 1e-4, "a");
    assert_rel(b.b, MLE.b, 1e-4, "b");
}
END_TEST

START_TEST(test_gg_cdnow_published)
{
    static cdnow d;
    load_summary(&d);
    static double x[CDNOW_N], z[CDNOW_N];
    size_t m = 0;
    for (size_t i = 0; i < d.n; i++)
        if (d.c[i].x > 0) {
            x[m] = d.c[i].x;
            z[m] = d.zbar[i];
            m++;
        }
    ck_assert_uint_eq(m, CDNOW_REPEAT);
    vx_gg g;
    vx_fit_diag dg;
    int rc = vx_gg_fit(x, z, m, &g, &dg, NULL);
    ck_assert_msg(rc == 0, "rc %d: %s", rc, dg.msg);
    ck_assert_int_eq(g.converged, 1);
    ck_assert_uint_eq(g.customers, CDNOW_REPEAT);
    assert_rel(g.p, 6.25, 0.005, "p");
    assert_rel(g.q, 3.74, 0.005, "q");
    /* v: the paper prints 15.44, lifetimes 15.45 (the MLE is 15.4477, so
     * the two differ only by rounding); centre on 15.445 and also hold both
     * printed values to 0.5 %. */
    assert_rel(g.v, 15.445, 0.005, "v");
    assert_rel(g.v, 15.44, 0.005, "v (paper)");
    assert_rel(g.v, 15.45, 0.005, "v (lifetimes)");
    ck_assert_double_eq_tol(vx_gg_loglik(&g, x, z, m), g.loglik, 1e-7);
    assert_rel(g.p, GGMLE.p, 1e-4, "p");
    assert_rel(g.q, GGMLE.q, 1e-4, "q");
    assert_rel(g.v, GGMLE.v, 1e-4, "v");
}
END_TEST

/* ---- known values --------------------------------------------------------- */

START_TEST(test_bgnbd_loglik_by_hand)
{
    const vx_bgnbd m = {0.25, 4.5, 0.8, 2.4, 0, 0, 0};
    const double r = m.r, al = m.alpha, a = m.a, b = m.b;
    /* FHL 2005 eq. 6 written out with Beta functions, summed directly:
     * x = 3, t_x = 20.5, T = 35 */
    const double x = 3, tx = 20.5, T = 35;
    const double lB = lgamma(a) + lgamma(b) - lgamma(a + b);
    const double B1 = exp(lgamma(a) + lgamma(b + x) - lgamma(a + b + x) - lB);
    const double B2 = exp(lgamma(a + 1) + lgamma(b + x - 1) - lgamma(a + b + x) - lB);
    const double G = exp(lgamma(r + x) - lgamma(r)) * pow(al, r);
    const double L = B1 * G / pow(al + T, r + x) + B2 * G / pow(al + tx, r + x);
    const vx_rfm c1 = {x, tx, T};
    ck_assert_double_eq_tol(vx_bgnbd_loglik(&m, &c1, 1), log(L), 1e-12);
    /* x = 0: L = (alpha / (alpha + T))^r */
    const vx_rfm c0 = {0, 0, 30};
    ck_assert_double_eq_tol(vx_bgnbd_loglik(&m, &c0, 1), r * log(al / (al + 30)), 1e-13);
    /* x = 1 (b + x - 1 = b) and a sum of customers */
    const vx_rfm cs[3] = {c1, c0, {1, 2.0, 10.0}};
    const double L3 = exp(lgamma(a) + lgamma(b + 1) - lgamma(a + b + 1) - lB) *
                          exp(lgamma(r + 1) - lgamma(r)) * pow(al, r) / pow(al + 10, r + 1) +
                      exp(lgamma(a + 1) + lgamma(b) - lgamma(a + b + 1) - lB) *
                          exp(lgamma(r + 1) - lgamma(r)) * pow(al, r) / pow(al + 2, r + 1);
    ck_assert_double_eq_tol(vx_bgnbd_loglik(&m, cs, 3),
                            log(L) + r * log(al / (al + 30)) + log(L3), 1e-11);
    ck_assert_double_eq(vx_bgnbd_loglik(&m, cs, 0), 0.0);
}
END_TEST

START_TEST(test_p_alive)
{
    const double cases[][3] = {{2, 30.43, 38.86}, {1, 1.71, 38.86}, {7, 10, 38},
                               {20, 38.5, 38.86}, {3, 0.5, 27}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const vx_rfm c = {cases[i][0], cases[i][1], cases[i][2]};
        const double want = ref_p_alive(&MLE, c.x, c.t_x, c.T);
        ck_assert_double_eq_tol(vx_bgnbd_p_alive(&MLE, &c), want, 1e-13);
    }
    /* no repeat purchase: alive by construction of the BG/NBD */
    const vx_rfm c0 = {0, 0, 38.86};
    ck_assert_double_eq(vx_bgnbd_p_alive(&MLE, &c0), 1.0);
    /* last purchase long ago with high frequency: essentially 0, finite */
    const vx_rfm old = {200, 1, 1000};
    const double pa = vx_bgnbd_p_alive(&MLE, &old);
    ck_assert(isfinite(pa) && pa >= 0 && pa < 1e-100);
    /* invalid arguments give 0, not NaN */
    vx_bgnbd bad = MLE;
    bad.r = NAN;
    ck_assert(vx_bgnbd_p_alive(&bad, &c0) == 0.0);
    const vx_rfm badc = {-1, 0, 3};
    ck_assert(vx_bgnbd_p_alive(&MLE, &badc) == 0.0);
    ck_assert(vx_bgnbd_p_alive(NULL, &c0) == 0.0);
}
END_TEST

START_TEST(test_expected_purchases)
{
    /* FHL 2005: a customer with x = 2, t_x = 30.43, T = 38.86 is expected
     * to make 1.226 purchases in the next 39 weeks. */
    const vx_rfm c = {2, 30.43, 38.86};
    ck_assert_double_eq_tol(vx_bgnbd_expected_purchases(&PUB, &c, 39), 1.226, 5e-4);
    /* against lifetimes' conditional_expected_number_of_purchases_up_to_time
     * evaluated with SciPy 1.10 at the full-precision MLE */
    ck_assert_double_eq_tol(vx_bgnbd_expected_purchases(&MLE, &c, 39), 1.2259104866585953, 1e-10);
    ck_assert_double_eq_tol(vx_bgnbd_expected_purchases(&MLE, &(vx_rfm){0, 0, 38.86}, 39),
                            0.19478084683157887, 1e-11);
    /* against numerical integration over the posterior (no 2F1) */
    const double cases[][3] = {{0, 0, 38.86}, {2, 30.43, 38.86}, {7, 35, 38},
                               {1, 1.71, 10}, {15, 27, 27}, {3, 4, 39}};
    const double ts[] = {0.5, 4.345, 39, 52.14, 260};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t j = 0; j < sizeof ts / sizeof ts[0]; j++) {
            const vx_rfm ci = {cases[i][0], cases[i][1], cases[i][2]};
            const double want = ref_expected(&MLE, ci.x, ci.t_x, ci.T, ts[j]);
            const double got = vx_bgnbd_expected_purchases(&MLE, &ci, ts[j]);
            ck_assert_msg(fabs(got - want) <= 1e-10 * want + 1e-14,
                          "x=%g t=%g: %.12g vs %.12g", ci.x, ts[j], got, want);
        }
    /* a > 1 and the removable singularity at a = 1 */
    const double as[] = {1.0, 1.0 + 3e-5, 1.0 - 7e-5, 1.5, 3.0};
    for (size_t i = 0; i < sizeof as / sizeof as[0]; i++) {
        vx_bgnbd m = MLE;
        m.a = as[i];
        const double want = ref_expected(&m, 2, 30.43, 38.86, 39);
        const double got = vx_bgnbd_expected_purchases(&m, &c, 39);
        ck_assert_msg(fabs(got - want) <= 1e-8 * want, "a=%.6f: %.12g vs %.12g",
                      as[i], got, want);
    }
    /* monotone in t, finite up to horizons where z -> 1 */
    double prev = 0.0;
    for (double t = 1; t <= 1e6; t *= 3) {
        const double e = vx_bgnbd_expected_purchases(&MLE, &c, t);
        ck_assert(isfinite(e) && e > prev);
        prev = e;
    }
    /* t <= 0 and invalid arguments */
    ck_assert(vx_bgnbd_expected_purchases(&MLE, &c, 0) == 0.0);
    ck_assert(vx_bgnbd_expected_purchases(&MLE, &c, -1) == 0.0);
    ck_assert(vx_bgnbd_expected_purchases(&MLE, &c, NAN) == 0.0);
    ck_assert(vx_bgnbd_expected_purchases(&MLE, &c, INFINITY) == 0.0);
    ck_assert(vx_bgnbd_expected_purchases(&MLE, &(vx_rfm){2, 40, 38}, 10) == 0.0);
    ck_assert(vx_bgnbd_expected_purchases(&MLE, &(vx_rfm){2.5, 10, 38}, 10) == 0.0);
}
END_TEST

START_TEST(test_gg_known_values)
{
    const vx_gg g = {6.25, 3.74, 15.44, 0, 0, 0, 0};
    /* population mean p v / (q - 1) when there is no spend history */
    const double pop = 6.25 * 15.44 / 2.74;
    ck_assert_double_eq_tol(vx_gg_expected_spend(&g, 0, 0), pop, 1e-12);
    ck_assert_double_eq_tol(vx_gg_expected_spend(&g, 3, 0), pop, 1e-12);
    ck_assert_double_eq_tol(vx_gg_expected_spend(&g, 3, -5), pop, 1e-12);
    /* weighted mean of the population mean and the own mean */
    const double x = 4, z = 50;
    const double w = g.p * x / (g.p * x + g.q - 1);
    ck_assert_double_eq_tol(vx_gg_expected_spend(&g, x, z), (1 - w) * pop + w * z, 1e-11);
    /* q <= 1: no population mean -> 0, history still usable */
    const vx_gg g1 = {2.0, 0.9, 10.0, 0, 0, 0, 0};
    ck_assert(vx_gg_expected_spend(&g1, 0, 0) == 0.0);
    ck_assert_double_eq_tol(vx_gg_expected_spend(&g1, 2, 30), 2.0 * (10 + 60) / (4 + 0.9 - 1), 1e-12);
    ck_assert(vx_gg_expected_spend(NULL, 2, 30) == 0.0);
    ck_assert(vx_gg_expected_spend(&g, NAN, 30) == 0.0);
    /* log-likelihood of one customer from the density written out */
    const double p = g.p, q = g.q, v = g.v;
    const double want = lgamma(p * x + q) - lgamma(p * x) - lgamma(q) + q * log(v) +
                        (p * x - 1) * log(z) + p * x * log(x) - (p * x + q) * log(v + x * z);
    ck_assert_double_eq_tol(vx_gg_loglik(&g, &x, &z, 1), want, 1e-11);
    const double zero = 0;
    ck_assert(vx_gg_loglik(&g, &x, &zero, 1) == -DBL_MAX);
}
END_TEST

START_TEST(test_clv_bgnbd_gg)
{
    const double monthly = 0.01, annual = pow(1.01, 12) - 1;
    const double cases[][4] = {{2, 30.43, 38.86, 22.35}, {0, 0, 38.86, 0}, {7, 35, 38, 40}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const vx_rfm c = {cases[i][0], cases[i][1], cases[i][2]};
        const double spend = vx_gg_expected_spend(&GGMLE, c.x, cases[i][3]);
        double got;
        ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &c, cases[i][3], 12, annual, 1.0, &got), 0);
        const double want = ref_clv(&MLE, spend, c.x, c.t_x, c.T, 12, monthly);
        ck_assert_msg(fabs(got - want) <= 1e-10 * want, "case %zu: %.10g vs %.10g", i, got, want);
        /* margin scales linearly */
        double half;
        ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &c, cases[i][3], 12, annual, 0.5, &half), 0);
        ck_assert_double_eq_tol(half, 0.5 * got, 1e-12 * got);
    }
    /* lifetimes' GammaGammaFitter.customer_lifetime_value(bgf, ..., time=12,
     * discount_rate=0.01, freq="W") at the CDNOW MLEs, evaluated with SciPy */
    const vx_rfm c1 = {2, 30.43, 38.86};
    double v;
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, 12, annual, 1.0, &v), 0);
    ck_assert_double_eq_tol(v, 36.27849734299479, 1e-8);
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &(vx_rfm){0, 0, 38.86}, 0, 12, annual, 1.0, &v), 0);
    ck_assert_double_eq_tol(v, 8.344092558572912, 1e-9);
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &(vx_rfm){7, 35, 38}, 40, 36, annual, 1.0, &v), 0);
    ck_assert_double_eq_tol(v, 425.5681022388194, 1e-7);

    /* horizon 0, fractional horizons, discounting */
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, 0, 0.1, 1.0, &v), 0);
    ck_assert_double_eq(v, 0.0);
    double v12, v125, v13, v12nd;
    vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, 12, 0.1, 1.0, &v12);
    vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, 12.5, 0.1, 1.0, &v125);
    vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, 13, 0.1, 1.0, &v13);
    vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, 12, 0.0, 1.0, &v12nd);
    ck_assert(v12 < v125 && v125 < v13);
    ck_assert(v12 < v12nd);
    /* undiscounted: margin * spend * E[Y(12 w)] */
    ck_assert_double_eq_tol(v12nd,
                            vx_gg_expected_spend(&GGMLE, 2, 22.35) *
                                vx_bgnbd_expected_purchases(&MLE, &c1, 12 * VX_WEEKS_PER_MONTH),
                            1e-10);

    /* invalid arguments */
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, -1, 0.1, 1, &v), VOCX_EINVAL);
    ck_assert_double_eq(v, 0.0);
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, 12, -0.1, 1, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, NAN, 12, 0.1, 1, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, INFINITY, 0.1, 1, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, 12, 0.1, NAN, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_bgnbd_gg(NULL, &GGMLE, &c1, 22.35, 12, 0.1, 1, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &c1, 22.35, 12, 0.1, 1, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &GGMLE, &(vx_rfm){1, 5, 3}, 22.35, 12, 0.1, 1, &v),
                     VOCX_EINVAL);
    /* q <= 1 and no spend history: no finite spend */
    const vx_gg g1 = {2.0, 0.9, 10.0, 0, 0, 0, 0};
    ck_assert_int_eq(vx_clv_bgnbd_gg(&MLE, &g1, &(vx_rfm){0, 0, 30}, 0, 12, 0.1, 1, &v),
                     VOCX_EMODEL);
    ck_assert_double_eq(v, 0.0);
}
END_TEST

START_TEST(test_clv_simple)
{
    double v;
    ck_assert_int_eq(vx_clv_simple(100, 0.8, 0.1, &v), 0);
    ck_assert_double_eq_tol(v, 100 * 0.8 / 0.3, 1e-12);
    /* the closed form is the discounted geometric series */
    double s = 0.0;
    for (int k = 1; k < 2000; k++)
        s += 100 * pow(0.8, k) / pow(1.1, k);
    ck_assert_double_eq_tol(v, s, 1e-9);
    ck_assert_int_eq(vx_clv_simple(100, 0.0, 0.1, &v), 0);
    ck_assert_double_eq(v, 0.0);
    ck_assert_int_eq(vx_clv_simple(-50, 0.5, 0.0, &v), 0);
    ck_assert_double_eq_tol(v, -50.0, 1e-12);
    ck_assert_int_eq(vx_clv_simple(1, 0.999999, 0.0, &v), 0);
    ck_assert(isfinite(v) && fabs(v - 999999.0) < 1e-3);
    ck_assert_int_eq(vx_clv_simple(100, 1.0, 0.1, &v), VOCX_EINVAL);
    ck_assert_double_eq(v, 0.0);
    ck_assert_int_eq(vx_clv_simple(100, 1.2, 0.1, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_simple(100, -0.1, 0.1, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_simple(100, 0.5, -0.01, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_simple(NAN, 0.5, 0.1, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_simple(100, NAN, 0.1, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_simple(100, 0.5, INFINITY, &v), VOCX_EINVAL);
    ck_assert_int_eq(vx_clv_simple(100, 0.5, 0.1, NULL), VOCX_EINVAL);
}
END_TEST

/* ---- degenerate data and bad arguments ----------------------------------- */

START_TEST(test_bgnbd_degenerate)
{
    vx_bgnbd b;
    vx_fit_diag dg;
    /* no repeat purchaser */
    vx_rfm zeros[50];
    for (int i = 0; i < 50; i++)
        zeros[i] = (vx_rfm){0, 0, 10.0 + i};
    ck_assert_int_eq(vx_bgnbd_fit(zeros, 50, &b, &dg, NULL), VOCX_EMODEL);
    ck_assert_msg(strstr(dg.msg, "no repeat purchases") != NULL, "%s", dg.msg);
    ck_assert_int_eq(b.converged, 0);
    assert_bg_finite(&b);
    /* a single customer: the model is not identified */
    const vx_rfm one = {2, 30.43, 38.86};
    ck_assert_int_eq(vx_bgnbd_fit(&one, 1, &b, &dg, NULL), VOCX_EMODEL);
    ck_assert_msg(strstr(dg.msg, "do not identify") != NULL, "%s", dg.msg);
    assert_bg_finite(&b);
    ck_assert(dg.iterations > 0);
    /* n = 0 */
    ck_assert_int_eq(vx_bgnbd_fit(NULL, 0, &b, &dg, NULL), VOCX_EMODEL);
    ck_assert_msg(strstr(dg.msg, "no customers") != NULL, "%s", dg.msg);
    /* every T = 0 */
    const vx_rfm t0[2] = {{1, 0, 0}, {0, 0, 0}};
    ck_assert_int_eq(vx_bgnbd_fit(t0, 2, &b, &dg, NULL), VOCX_EMODEL);
    assert_bg_finite(&b);
    /* diag may be NULL */
    ck_assert_int_eq(vx_bgnbd_fit(zeros, 50, &b, NULL, NULL), VOCX_EMODEL);
}
END_TEST

START_TEST(test_bgnbd_invalid)
{
    vx_bgnbd b;
    vx_fit_diag dg;
    vx_rfm c[3] = {{1, 5, 10}, {0, 0, 12}, {2, 3, 8}};
    ck_assert_int_eq(vx_bgnbd_fit(c, 3, NULL, &dg, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vx_bgnbd_fit(NULL, 3, &b, &dg, NULL), VOCX_EINVAL);
    const vx_rfm bad[] = {{-1, 0, 5},  {NAN, 0, 5}, {1, NAN, 5},  {1, 1, INFINITY},
                          {1, -1, 5},  {1, 6, 5},   {0, 2, 5},    {1.5, 1, 5},
                          {1, 0, -2}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c[1] = bad[i];
        ck_assert_int_eq(vx_bgnbd_fit(c, 3, &b, &dg, NULL), VOCX_EINVAL);
        ck_assert_msg(strstr(dg.msg, "customer 1") != NULL, "%s", dg.msg);
        assert_bg_finite(&b);
        ck_assert(vx_bgnbd_loglik(&MLE, c, 3) == -DBL_MAX);
    }
    /* bad options */
    c[1] = (vx_rfm){0, 0, 12};
    const vx_fit_opts o1 = {0, 1e-9}, o2 = {10, 0.0}, o3 = {10, NAN};
    ck_assert_int_eq(vx_bgnbd_fit(c, 3, &b, &dg, &o1), VOCX_EINVAL);
    ck_assert_int_eq(vx_bgnbd_fit(c, 3, &b, &dg, &o2), VOCX_EINVAL);
    ck_assert_int_eq(vx_bgnbd_fit(c, 3, &b, &dg, &o3), VOCX_EINVAL);
    /* invalid parameters in the evaluation functions */
    vx_bgnbd m = MLE;
    m.alpha = -1;
    ck_assert(vx_bgnbd_loglik(&m, c, 3) == -DBL_MAX);
    ck_assert(vx_bgnbd_expected_purchases(&m, &c[0], 10) == 0.0);
    m = MLE;
    m.b = INFINITY;
    ck_assert(vx_bgnbd_loglik(&m, c, 3) == -DBL_MAX);
    ck_assert(vx_bgnbd_loglik(NULL, c, 3) == -DBL_MAX);
}
END_TEST

START_TEST(test_bgnbd_iteration_cap)
{
    static cdnow d;
    load_summary(&d);
    vx_bgnbd b;
    vx_fit_diag dg;
    const vx_fit_opts o = {2, 1e-9};
    ck_assert_int_eq(vx_bgnbd_fit(d.c, d.n, &b, &dg, &o), VOCX_EMODEL);
    ck_assert_int_eq(b.converged, 0);
    ck_assert_int_eq(dg.converged, 0);
    ck_assert_int_eq(b.iterations, 2);
    ck_assert_int_eq(dg.iterations, 2);
    ck_assert_msg(strstr(dg.msg, "no convergence within 2 iterations") != NULL, "%s", dg.msg);
    assert_bg_finite(&b);
    ck_assert(b.loglik < -9582.4); /* not yet at the maximum */
    /* a loose tolerance converges earlier than the default */
    const vx_fit_opts loose = {200, 1e-3};
    ck_assert_int_eq(vx_bgnbd_fit(d.c, d.n, &b, &dg, &loose), 0);
    vx_fit_diag dd;
    vx_bgnbd bd;
    ck_assert_int_eq(vx_bgnbd_fit(d.c, d.n, &bd, &dd, NULL), 0);
    ck_assert_int_lt(dg.iterations, dd.iterations);
}
END_TEST

START_TEST(test_gg_degenerate)
{
    vx_gg g;
    vx_fit_diag dg;
    double x[4] = {1, 2, 3, 1}, z[4] = {20, 25, 18, 40};
    /* n = 0 */
    ck_assert_int_eq(vx_gg_fit(NULL, NULL, 0, &g, &dg, NULL), VOCX_EMODEL);
    ck_assert_msg(strlen(dg.msg) > 0, "empty message");
    /* bad rows: x <= 0, spend <= 0, NaN */
    const double bx[] = {0, -1, NAN, 1, 1, 1};
    const double bz[] = {20, 20, 20, 0, -3, NAN};
    for (size_t i = 0; i < sizeof bx / sizeof bx[0]; i++) {
        double xx[4], zz[4];
        memcpy(xx, x, sizeof x);
        memcpy(zz, z, sizeof z);
        xx[2] = bx[i];
        zz[2] = bz[i];
        ck_assert_int_eq(vx_gg_fit(xx, zz, 4, &g, &dg, NULL), VOCX_EINVAL);
        ck_assert_msg(strstr(dg.msg, "customer 2") != NULL, "%s", dg.msg);
        assert_gg_finite(&g);
        ck_assert(vx_gg_loglik(&GGMLE, xx, zz, 4) == -DBL_MAX);
    }
    ck_assert_int_eq(vx_gg_fit(x, z, 4, NULL, &dg, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vx_gg_fit(x, NULL, 4, &g, &dg, NULL), VOCX_EINVAL);
    /* a single customer, identical spends: not identified */
    ck_assert_int_eq(vx_gg_fit(x, z, 1, &g, &dg, NULL), VOCX_EMODEL);
    ck_assert_msg(strstr(dg.msg, "do not identify") != NULL, "%s", dg.msg);
    assert_gg_finite(&g);
    double sx[3] = {3, 3, 3}, sz[3] = {20, 20, 20};
    ck_assert_int_eq(vx_gg_fit(sx, sz, 3, &g, &dg, NULL), VOCX_EMODEL);
    assert_gg_finite(&g);
    /* iteration cap */
    const vx_fit_opts o = {1, 1e-9};
    static cdnow d;
    load_summary(&d);
    static double cx[CDNOW_N], cz[CDNOW_N];
    size_t m = 0;
    for (size_t i = 0; i < d.n; i++)
        if (d.c[i].x > 0) {
            cx[m] = d.c[i].x;
            cz[m] = d.zbar[i];
            m++;
        }
    ck_assert_int_eq(vx_gg_fit(cx, cz, m, &g, &dg, &o), VOCX_EMODEL);
    ck_assert_int_eq(g.converged, 0);
    ck_assert_int_eq(dg.iterations, 1);
    assert_gg_finite(&g);
}
END_TEST

/* ---- suite --------------------------------------------------------------- */

static Suite *clv_suite(void)
{
    Suite *s = suite_create("clv_model");
    TCase *tc;

    tc = tcase_create("special");
    tcase_add_test(tc, test_hyp2f1_closed_forms);
    suite_add_tcase(s, tc);

    tc = tcase_create("rfm");
    tcase_add_test(tc, test_rfm_rules);
    tcase_add_test(tc, test_rfm_invalid);
    tcase_add_test(tc, test_rfm_cdnow_matches_summary);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("cdnow");
    tcase_add_test(tc, test_bgnbd_cdnow_published);
    tcase_add_test(tc, test_gg_cdnow_published);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("known_values");
    tcase_add_test(tc, test_bgnbd_loglik_by_hand);
    tcase_add_test(tc, test_p_alive);
    tcase_add_test(tc, test_expected_purchases);
    tcase_add_test(tc, test_gg_known_values);
    tcase_add_test(tc, test_clv_bgnbd_gg);
    tcase_add_test(tc, test_clv_simple);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("degenerate");
    tcase_add_test(tc, test_bgnbd_degenerate);
    tcase_add_test(tc, test_bgnbd_invalid);
    tcase_add_test(tc, test_bgnbd_iteration_cap);
    tcase_add_test(tc, test_gg_degenerate);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(clv_suite());
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
