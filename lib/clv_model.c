/*
 * clv_model.c — BG/NBD and Gamma-Gamma maximum likelihood, conditional
 * expectations and CLV. See clv_model.h for the contracts and docs/clv.md
 * for the formulas.
 *
 * References (equation numbers are the papers'):
 *   [FHL05] Fader, Hardie & Lee (2005), "Counting your customers the easy
 *           way: an alternative to the Pareto/NBD model", Marketing Science
 *           24(2): likelihood eq. (6), conditional expectation eq. (10).
 *   [FHL08] Fader, Hardie & Lee (2008), note "Computing P(alive) using the
 *           BG/NBD model".
 *   [FH13]  Fader & Hardie (2013), note "The Gamma-Gamma model of monetary
 *           value": marginal density of the mean spend and its conditional
 *           expectation.
 */
#include "clv_model.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Optimiser bounds on the log parameters. Past VX_THETA_DIVERGE the fit is
 * running to a boundary (0 or infinity) and is stopped; a converged point
 * past VX_THETA_DEGENERATE (parameters outside ~[1e-7, 9e6]) is a boundary
 * solution too: the data do not identify the model. */
#define VX_THETA_DIVERGE 30.0
#define VX_THETA_DEGENERATE 16.0
#define VX_THETA_INFEASIBLE 60.0
#define VX_THETA_DRIFT 9.0 /* named in the no-convergence message */
#define VX_MAX_CUSTOMERS ((size_t)1 << 30) /* indices are 32-bit */

/* ---- small helpers ------------------------------------------------------ */

static void diag_set(vx_fit_diag *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void diag_set(vx_fit_diag *d, const char *fmt, ...)
{
    va_list ap;
    if (!d)
        return;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}

static void diag_reset(vx_fit_diag *d)
{
    if (!d)
        return;
    d->iterations = 0;
    d->evaluations = 0;
    d->converged = 0;
    d->msg[0] = '\0';
}

static int is_whole(double x)
{
    return isfinite(x) && x == floor(x);
}

static double max_abs(const double *v, int n)
{
    double m = 0.0;
    for (int i = 0; i < n; i++)
        if (fabs(v[i]) > m)
            m = fabs(v[i]);
    return m;
}

/* ---- special functions -------------------------------------------------- */

/* ln Gamma(x) for x > 0. Own implementation rather than libm lgamma, which
 * writes the global signgam (a data race between threads). Recurrence up to
 * x >= 10, then Stirling's series; absolute error ~1e-15. */
static double vx_lgamma(double x)
{
    double prod = 1.0;
    while (x < 10.0) {
        prod *= x;
        x += 1.0;
    }
    double ix = 1.0 / x, ix2 = ix * ix;
    double series =
        ix * (1.0 / 12 -
              ix2 * (1.0 / 360 -
                     ix2 * (1.0 / 1260 -
                            ix2 * (1.0 / 1680 -
                                   ix2 * (1.0 / 1188 -
                                          ix2 * (691.0 / 360360 - ix2 / 156))))));
    return (x - 0.5) * log(x) - x + 0.91893853320467274178 + series - log(prod);
}

/* digamma psi(x) for x > 0: recurrence up to x >= 10, then the asymptotic
 * series with Bernoulli numbers. */
static double vx_digamma(double x)
{
    double acc = 0.0;
    while (x < 10.0) {
        acc -= 1.0 / x;
        x += 1.0;
    }
    double ix = 1.0 / x, ix2 = ix * ix;
    double s = log(x) - 0.5 * ix -
               ix2 * (1.0 / 12 -
                      ix2 * (1.0 / 120 -
                             ix2 * (1.0 / 252 -
                                    ix2 * (1.0 / 240 -
                                           ix2 * (1.0 / 132 -
                                                  ix2 * (691.0 / 32760 -
                                                         ix2 / 12))))));
    return s + acc;
}

/* log(1 + e^d) and the logistic 1/(1 + e^-d) from one exp: the stable
 * log-sum-exp of the two BG/NBD likelihood terms. */
static double softplus_sig(double d, double *sig)
{
    if (d > 0) {
        double e = exp(-d);
        *sig = 1.0 / (1.0 + e);
        return d + log1p(e);
    } else {
        double e = exp(d);
        *sig = e / (1.0 + e);
        return log1p(e);
    }
}

/* exp(log_pre) * 2F1(a, b; c; z) by the power series, |z| < 1. Terms are
 * rescaled as they grow so the result can be formed even when 2F1 alone
 * would overflow and the prefactor underflow. Returns 0 and *out, or -1
 * (pole, overflow). */
#define VX_HYP_MAX_TERMS 1000000
static int hyp2f1_scaled(double a, double b, double c, double z, double log_pre,
                         double *out)
{
    double sum = 1.0, term = 1.0, logscale = log_pre;
    const double big = 1e150, lbig = 150.0 * 2.302585092994045684;
    if (c == 0.0)
        return -1;
    double ratio = a * b / c * z; /* term(n+1) / term(n), n = 0 */
    for (long n = 0; n < VX_HYP_MAX_TERMS; n++) {
        term *= ratio;
        sum += term;
        if (term == 0.0)
            break; /* a or b a non-positive integer: a polynomial */
        if (fabs(sum) > big) {
            sum /= big;
            term /= big;
            logscale += lbig;
        }
        const double np = (double)(n + 1), cn = c + np;
        if (cn == 0.0)
            return -1; /* c a non-positive integer */
        ratio = (a + np) * (b + np) / (cn * (np + 1.0)) * z;
        /* Tail bound: once |ratio| < 1 the later ratios stay below
         * max(|ratio|, |z|) (they tend monotonically to z). */
        const double rho = fabs(ratio), q = rho > fabs(z) ? rho : fabs(z);
        if (rho < 1.0 && fabs(term) * q / (1.0 - q) <= 1e-17 * fabs(sum))
            break;
    }
    if (sum == 0.0) {
        *out = 0.0;
        return 0;
    }
    double l = log(fabs(sum)) + logscale;
    if (l > 709.0)
        return -1;
    *out = copysign(exp(l), sum);
    return 0;
}

double vx_hyp2f1(double a, double b, double c, double z)
{
    double v;
    if (!isfinite(a) || !isfinite(b) || !isfinite(c) || !isfinite(z) ||
        !(fabs(z) < 1.0))
        return 0.0;
    if (c <= 0.0 && c == floor(c))
        return 0.0;
    if (hyp2f1_scaled(a, b, c, z, 0.0, &v) != 0)
        return DBL_MAX; /* overflow */
    return v;
}

/* ---- open-addressing hash map: (k1, k2) -> dense index ------------------ */

typedef struct vx_map {
    uint64_t *k1, *k2;
    uint32_t *val; /* UINT32_MAX = empty slot */
    size_t cap, len;
} vx_map;

static int map_init(vx_map *m, size_t cap)
{
    m->cap = cap;
    m->len = 0;
    m->k1 = malloc(cap * sizeof *m->k1);
    m->k2 = malloc(cap * sizeof *m->k2);
    m->val = malloc(cap * sizeof *m->val);
    if (!m->k1 || !m->k2 || !m->val)
        return VOCX_ENOMEM;
    memset(m->val, 0xff, cap * sizeof *m->val);
    return 0;
}

static void map_free(vx_map *m)
{
    free(m->k1);
    free(m->k2);
    free(m->val);
    m->k1 = m->k2 = NULL;
    m->val = NULL;
}

static size_t map_slot(uint64_t k1, uint64_t k2, size_t mask)
{
    uint64_t h = k1 * 0x9E3779B97F4A7C15ull ^ (k2 + 0x632BE59BD9B4E019ull) *
                                                   0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
    return (size_t)h & mask;
}

static int map_grow(vx_map *m)
{
    vx_map n;
    if (map_init(&n, m->cap * 2) != 0) {
        map_free(&n);
        return VOCX_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->val[i] == UINT32_MAX)
            continue;
        size_t s = map_slot(m->k1[i], m->k2[i], n.cap - 1);
        while (n.val[s] != UINT32_MAX)
            s = (s + 1) & (n.cap - 1);
        n.k1[s] = m->k1[i];
        n.k2[s] = m->k2[i];
        n.val[s] = m->val[i];
    }
    n.len = m->len;
    map_free(m);
    *m = n;
    return 0;
}

/* Index of the key, adding it with index m->len if new (*added = 1). */
static int map_index(vx_map *m, uint64_t k1, uint64_t k2, uint32_t *idx,
                     int *added)
{
    if (2 * (m->len + 1) > m->cap && map_grow(m) != 0)
        return VOCX_ENOMEM;
    size_t mask = m->cap - 1, s = map_slot(k1, k2, mask);
    while (m->val[s] != UINT32_MAX) {
        if (m->k1[s] == k1 && m->k2[s] == k2) {
            *idx = m->val[s];
            *added = 0;
            return 0;
        }
        s = (s + 1) & mask;
    }
    m->k1[s] = k1;
    m->k2[s] = k2;
    m->val[s] = (uint32_t)m->len;
    *idx = (uint32_t)m->len++;
    *added = 1;
    return 0;
}

static uint64_t dbits(double v)
{
    uint64_t u;
    if (v == 0.0)
        v = 0.0; /* -0 and +0 are one key */
    memcpy(&u, &v, sizeof u);
    return u;
}

/* ---- BFGS on log parameters -------------------------------------------- */

/* Objective: f(theta) and its gradient; a non-finite f marks an infeasible
 * point (the line search backs off). */
typedef double (*vx_objfn)(const double *theta, double *grad, void *ctx);

enum { OPT_CONVERGED = 0, OPT_MAXITER, OPT_LINESEARCH, OPT_DIVERGED, OPT_BADSTART };

#define VX_DIM_MAX 4

typedef struct opt_result {
    double f;    /* objective at th */
    double gmax; /* max |gradient| at th */
    int iters, evals;
} opt_result;

/* Quasi-Newton BFGS with backtracking line search (Nocedal & Wright 2006,
 * alg. 6.1, initial inverse-Hessian scaling eq. 6.20). Near the optimum the
 * decrease of f falls below its rounding noise (sums over 1e5 customers),
 * so besides Armijo's test a step is accepted on the approximate Wolfe
 * conditions of Hager & Zhang (2005), which read the slope, not f: f no
 * higher than its noise allows and 0.9 f'(0) <= f'(alpha) <= -0.8 f'(0). */
static int bfgs_min(int dim, double *th, vx_objfn fn, void *ctx, int max_iter,
                    double gtol, opt_result *res)
{
    double g[VX_DIM_MAX], gn[VX_DIM_MAX], p[VX_DIM_MAX], tn[VX_DIM_MAX];
    double H[VX_DIM_MAX][VX_DIM_MAX], s[VX_DIM_MAX], y[VX_DIM_MAX],
        hy[VX_DIM_MAX];
    int status = OPT_MAXITER, it = 0;

    res->evals = 1;
    res->iters = 0;
    res->gmax = 0.0;
    double f = fn(th, g, ctx);
    res->f = f;
    if (!isfinite(f))
        return OPT_BADSTART;
    for (int i = 0; i < dim; i++)
        for (int j = 0; j < dim; j++)
            H[i][j] = i == j;

    for (;; it++) {
        double gmax = max_abs(g, dim);
        if (gmax <= gtol) {
            status = OPT_CONVERGED;
            break;
        }
        if (it >= max_iter) {
            status = OPT_MAXITER;
            break;
        }
        double dg = 0.0;
        for (int i = 0; i < dim; i++) {
            p[i] = 0.0;
            for (int j = 0; j < dim; j++)
                p[i] -= H[i][j] * g[j];
            dg += p[i] * g[i];
        }
        if (!(dg < 0.0)) { /* not a descent direction: restart */
            for (int i = 0; i < dim; i++) {
                for (int j = 0; j < dim; j++)
                    H[i][j] = i == j;
                p[i] = -g[i];
            }
            dg = 0.0;
            for (int i = 0; i < dim; i++)
                dg -= g[i] * g[i];
        }
        /* At most a factor e^4 change in any parameter per step. */
        double alpha = 1.0, pmax = max_abs(p, dim);
        if (pmax > 4.0)
            alpha = 4.0 / pmax;
        double fn_new = 0.0;
        int ok = 0;
        for (int ls = 0; ls < 50; ls++) {
            for (int i = 0; i < dim; i++)
                tn[i] = th[i] + alpha * p[i];
            if (max_abs(tn, dim) > VX_THETA_INFEASIBLE) {
                fn_new = INFINITY;
            } else {
                fn_new = fn(tn, gn, ctx);
                res->evals++;
            }
            if (isfinite(fn_new)) {
                double dg1 = 0.0; /* directional derivative at the trial */
                for (int i = 0; i < dim; i++)
                    dg1 += gn[i] * p[i];
                if (fn_new <= f + 1e-4 * alpha * dg ||
                    (fn_new <= f + 1e-10 * fmax(1.0, fabs(f)) &&
                     0.9 * dg <= dg1 && dg1 <= -0.8 * dg)) {
                    ok = 1;
                    break;
                }
            }
            double anew = 0.5 * alpha;
            if (isfinite(fn_new)) { /* minimiser of the quadratic model */
                double den = 2.0 * (fn_new - f - dg * alpha);
                if (den > 0.0) {
                    double aq = -dg * alpha * alpha / den;
                    anew = fmin(fmax(aq, 0.1 * alpha), 0.5 * alpha);
                }
            }
            alpha = anew;
        }
        if (!ok) {
            status = OPT_LINESEARCH;
            break;
        }
        double sy = 0.0, yy = 0.0, ss = 0.0;
        for (int i = 0; i < dim; i++) {
            s[i] = tn[i] - th[i];
            y[i] = gn[i] - g[i];
            sy += s[i] * y[i];
            yy += y[i] * y[i];
            ss += s[i] * s[i];
        }
        if (sy > 1e-12 * sqrt(ss * yy)) {
            if (it == 0)
                for (int i = 0; i < dim; i++)
                    H[i][i] = sy / yy;
            double rho = 1.0 / sy, yhy = 0.0;
            for (int i = 0; i < dim; i++) {
                hy[i] = 0.0;
                for (int j = 0; j < dim; j++)
                    hy[i] += H[i][j] * y[j];
                yhy += y[i] * hy[i];
            }
            for (int i = 0; i < dim; i++)
                for (int j = 0; j < dim; j++)
                    H[i][j] += (rho * rho * yhy + rho) * s[i] * s[j] -
                               rho * (hy[i] * s[j] + s[i] * hy[j]);
        }
        memcpy(th, tn, (size_t)dim * sizeof *th);
        memcpy(g, gn, (size_t)dim * sizeof *g);
        f = fn_new;
        if (max_abs(th, dim) > VX_THETA_DIVERGE) {
            it++;
            status = OPT_DIVERGED;
            break;
        }
    }
    res->f = f;
    res->gmax = max_abs(g, dim);
    res->iters = it;
    return status;
}

/* Turn an optimiser outcome into a status code and a diagnostic sentence.
 * A point with a log parameter beyond VX_THETA_DEGENERATE is reported as a
 * boundary solution whatever stopped the optimiser: that is the cause. */
static int fit_outcome(int st, int dim, const double *th, const char *const *names,
                       const opt_result *res, double gtol, vx_fit_diag *diag,
                       const char *model)
{
    const int iters = res->iters, evals = res->evals;
    int k = 0;
    for (int i = 1; i < dim; i++)
        if (fabs(th[i]) > fabs(th[k]))
            k = i;
    if (diag) {
        diag->iterations = iters;
        diag->evaluations = evals;
        diag->converged = st == OPT_CONVERGED;
    }
    if (st != OPT_BADSTART && fabs(th[k]) > VX_THETA_DEGENERATE) {
        diag_set(diag,
                 "%s: parameter %s runs to %s (%g after %d iterations): the "
                 "data do not identify the model",
                 model, names[k], th[k] > 0 ? "infinity" : "zero", exp(th[k]),
                 iters);
        return VOCX_EMODEL;
    }
    switch (st) {
    case OPT_CONVERGED:
        diag_set(diag, "%s: converged after %d iterations (%d evaluations, "
                       "gradient below %g)",
                 model, iters, evals, gtol);
        return 0;
    case OPT_MAXITER:
        if (fabs(th[k]) > VX_THETA_DRIFT)
            diag_set(diag,
                     "%s: no convergence within %d iterations: parameter %s "
                     "drifts towards %s (%g); the data may not identify the model",
                     model, iters, names[k], th[k] > 0 ? "infinity" : "zero",
                     exp(th[k]));
        else
            diag_set(diag, "%s: no convergence within %d iterations (max "
                           "|gradient| %g, tolerance %g)",
                     model, iters, res->gmax, gtol);
        return VOCX_EMODEL;
    case OPT_LINESEARCH:
        diag_set(diag, "%s: line search failed after %d iterations (flat or "
                       "ill-conditioned likelihood)",
                 model, iters);
        return VOCX_EMODEL;
    case OPT_DIVERGED: /* normally reported above, as a boundary */
        diag_set(diag, "%s: parameters diverge after %d iterations", model, iters);
        return VOCX_EMODEL;
    default:
        diag_set(diag, "%s: likelihood not finite at the starting point", model);
        return VOCX_EMODEL;
    }
}

static int opts_get(const vx_fit_opts *opts, int *max_iter, double *gtol,
                    vx_fit_diag *diag)
{
    vx_fit_opts def = VX_FIT_OPTS_INIT;
    if (!opts)
        opts = &def;
    if (opts->max_iter < 1 || !(opts->gtol > 0.0) || !isfinite(opts->gtol)) {
        diag_set(diag, "invalid options: max_iter must be >= 1 and gtol > 0");
        return VOCX_EINVAL;
    }
    *max_iter = opts->max_iter;
    *gtol = opts->gtol;
    return 0;
}

/* ---- BG/NBD ------------------------------------------------------------- */

static int bgnbd_params_ok(const vx_bgnbd *m)
{
    return m && isfinite(m->r) && m->r > 0 && isfinite(m->alpha) &&
           m->alpha > 0 && isfinite(m->a) && m->a > 0 && isfinite(m->b) &&
           m->b > 0;
}

/* 0 if the row is valid, else a static reason. */
static const char *rfm_row_bad(const vx_rfm *c)
{
    if (!isfinite(c->x) || !isfinite(c->t_x) || !isfinite(c->T))
        return "not finite";
    if (c->x < 0 || !is_whole(c->x))
        return "x must be a whole number >= 0";
    if (c->T < 0)
        return "T must be >= 0";
    if (c->t_x < 0 || c->t_x > c->T)
        return "t_x must be in [0, T]";
    if (c->x == 0 && c->t_x != 0)
        return "t_x must be 0 when x = 0";
    return NULL;
}

/* Fit workspace: customers grouped so that one likelihood evaluation costs
 * one log per distinct time value, a few gamma functions per distinct x,
 * and one exp + log1p per distinct (x, t_x, T) of repeat buyers. Customers
 * with x = 0 collapse to a count per distinct T. */
typedef struct bg_work {
    double N;            /* customers */
    size_t nu;           /* distinct time values (T and t_x) */
    double *u, *lu, *iu; /* value, log(alpha + u), 1 / (alpha + u) */
    double *c0;          /* x = 0 customers per time value (as T) */
    size_t nx;           /* distinct x values > 0 */
    double *xv, *xn;     /* value, customers */
    double *cx, *ibx;    /* log a - log(b + x - 1), 1 / (b + x - 1) */
    double *ssum;        /* per x: sum of weights of the t_x term */
    size_t ng;           /* groups of repeat buyers */
    uint32_t *gx, *gT, *gt; /* x index, T index, t_x index */
    double *gw;             /* customers in the group */
} bg_work;

static void bg_work_free(bg_work *w)
{
    free(w->u);
    free(w->lu);
    free(w->iu);
    free(w->c0);
    free(w->xv);
    free(w->xn);
    free(w->cx);
    free(w->ibx);
    free(w->ssum);
    free(w->gx);
    free(w->gT);
    free(w->gt);
    free(w->gw);
}

/* Dense tables grow by doubling as the maps hand out new indices; new
 * slots are zeroed (they hold counts). */
static size_t next_cap(size_t cap, size_t idx)
{
    size_t n = cap ? cap * 2 : 256;
    while (n <= idx)
        n *= 2;
    return n;
}

static int grow_d(double **p, size_t cap, size_t ncap)
{
    double *q = realloc(*p, ncap * sizeof *q);
    if (!q)
        return VOCX_ENOMEM;
    memset(q + cap, 0, (ncap - cap) * sizeof *q);
    *p = q;
    return 0;
}

static int grow_u32(uint32_t **p, size_t ncap)
{
    uint32_t *q = realloc(*p, ncap * sizeof *q);
    if (!q)
        return VOCX_ENOMEM;
    *p = q;
    return 0;
}

static int bg_room_u(bg_work *w, size_t *cap, size_t idx)
{
    if (idx < *cap)
        return 0;
    size_t nc = next_cap(*cap, idx);
    if (grow_d(&w->u, *cap, nc) || grow_d(&w->c0, *cap, nc))
        return VOCX_ENOMEM;
    *cap = nc;
    return 0;
}

static int bg_room_x(bg_work *w, size_t *cap, size_t idx)
{
    if (idx < *cap)
        return 0;
    size_t nc = next_cap(*cap, idx);
    if (grow_d(&w->xv, *cap, nc) || grow_d(&w->xn, *cap, nc))
        return VOCX_ENOMEM;
    *cap = nc;
    return 0;
}

static int bg_room_g(bg_work *w, size_t *cap, size_t idx)
{
    if (idx < *cap)
        return 0;
    size_t nc = next_cap(*cap, idx);
    if (grow_u32(&w->gx, nc) || grow_u32(&w->gT, nc) || grow_u32(&w->gt, nc) ||
        grow_d(&w->gw, *cap, nc))
        return VOCX_ENOMEM;
    *cap = nc;
    return 0;
}

static int bg_work_build(bg_work *w, const vx_rfm *c, size_t n)
{
    vx_map mu = {0}, mx = {0}, mg = {0};
    size_t cap_u = 0, cap_x = 0, cap_g = 0;
    int rc = VOCX_ENOMEM;
    memset(w, 0, sizeof *w);
    w->N = (double)n;
    if (map_init(&mu, 1024) || map_init(&mx, 256) || map_init(&mg, 1024))
        goto out;
    for (size_t i = 0; i < n; i++) {
        uint32_t kT, kt, jx, g;
        int added;
        if (map_index(&mu, dbits(c[i].T), 0, &kT, &added) || bg_room_u(w, &cap_u, kT))
            goto out;
        if (added)
            w->u[kT] = c[i].T;
        if (c[i].x == 0) {
            w->c0[kT] += 1.0;
            continue;
        }
        if (map_index(&mu, dbits(c[i].t_x), 0, &kt, &added) || bg_room_u(w, &cap_u, kt))
            goto out;
        if (added)
            w->u[kt] = c[i].t_x;
        if (map_index(&mx, dbits(c[i].x), 0, &jx, &added) || bg_room_x(w, &cap_x, jx))
            goto out;
        if (added)
            w->xv[jx] = c[i].x;
        w->xn[jx] += 1.0;
        if (map_index(&mg, dbits(c[i].x), ((uint64_t)kt << 32) | kT, &g, &added) ||
            bg_room_g(w, &cap_g, g))
            goto out;
        if (added) {
            w->gx[g] = jx;
            w->gT[g] = kT;
            w->gt[g] = kt;
        }
        w->gw[g] += 1.0;
    }
    w->nu = mu.len;
    w->nx = mx.len;
    w->ng = mg.len;
    /* per-evaluation scratch, sized to the distinct counts */
    w->lu = malloc((w->nu + 1) * sizeof *w->lu);
    w->iu = malloc((w->nu + 1) * sizeof *w->iu);
    w->cx = malloc((w->nx + 1) * sizeof *w->cx);
    w->ibx = malloc((w->nx + 1) * sizeof *w->ibx);
    w->ssum = malloc((w->nx + 1) * sizeof *w->ssum);
    if (w->lu && w->iu && w->cx && w->ibx && w->ssum)
        rc = 0;
out:
    map_free(&mu);
    map_free(&mx);
    map_free(&mg);
    return rc;
}

/* Mean negative log-likelihood [FHL05 eq. 6] and its gradient with respect
 * to theta = log(r, alpha, a, b). Per customer, with A = B(a, b+x)/B(a, b)
 * Gamma(r+x) alpha^r / Gamma(r):
 *   L = A [ (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) ]
 * the bracket summed in log space (log-sum-exp). */
static double bg_obj(const double *th, double *grad, void *ctx)
{
    bg_work *w = ctx;
    const double r = exp(th[0]), al = exp(th[1]), a = exp(th[2]), b = exp(th[3]);
    const double N = w->N;
    double ll, dr, dal, da, db;

    for (size_t k = 0; k < w->nu; k++) {
        double v = al + w->u[k];
        w->lu[k] = log(v);
        w->iu[k] = 1.0 / v;
    }
    /* r ln alpha is common to every customer; the gamma-function terms
     * vanish for x = 0 and are summed per distinct x > 0. */
    const double la = log(al), lgr = vx_lgamma(r), lgab = vx_lgamma(a + b),
                 lgb = vx_lgamma(b), psr = vx_digamma(r),
                 psab = vx_digamma(a + b), psb = vx_digamma(b);
    ll = N * r * la;
    dr = N * la;
    dal = N * r / al;
    da = 0.0;
    db = 0.0;
    for (size_t j = 0; j < w->nx; j++) {
        const double x = w->xv[j], n = w->xn[j];
        const double psabx = vx_digamma(a + b + x);
        ll += n * (vx_lgamma(r + x) - lgr + lgab - lgb + vx_lgamma(b + x) -
                   vx_lgamma(a + b + x));
        dr += n * (vx_digamma(r + x) - psr);
        da += n * (psab - psabx);
        db += n * (psab - psb + vx_digamma(b + x) - psabx);
        w->cx[j] = log(a) - log(b + x - 1.0);
        w->ibx[j] = 1.0 / (b + x - 1.0);
        w->ssum[j] = 0.0;
    }
    /* x = 0: L = (alpha / (alpha + T))^r, grouped by T. */
    for (size_t k = 0; k < w->nu; k++) {
        const double n0 = w->c0[k];
        if (n0 == 0.0)
            continue;
        ll -= n0 * r * w->lu[k];
        dr -= n0 * w->lu[k];
        dal -= n0 * r * w->iu[k];
    }
    /* x > 0: log-sum-exp of the two terms, per (x, t_x, T) group. */
    for (size_t g = 0; g < w->ng; g++) {
        const uint32_t j = w->gx[g], kT = w->gT[g], kt = w->gt[g];
        const double rx = r + w->xv[j], wg = w->gw[g];
        const double LT = w->lu[kT], Lt = w->lu[kt];
        double s;
        const double d = w->cx[j] + rx * (LT - Lt);
        const double sp = softplus_sig(d, &s);
        ll += wg * (sp - rx * LT);
        dr += wg * (s * (LT - Lt) - LT);
        dal -= wg * rx * ((1.0 - s) * w->iu[kT] + s * w->iu[kt]);
        w->ssum[j] += wg * s;
    }
    for (size_t j = 0; j < w->nx; j++) {
        da += w->ssum[j] / a;
        db -= w->ssum[j] * w->ibx[j];
    }
    grad[0] = -dr * r / N;
    grad[1] = -dal * al / N;
    grad[2] = -da * a / N;
    grad[3] = -db * b / N;
    return -ll / N;
}

int vx_bgnbd_fit(const vx_rfm *c, size_t n, vx_bgnbd *out, vx_fit_diag *diag,
                 const vx_fit_opts *opts)
{
    static const char *const names[4] = {"r", "alpha", "a", "b"};
    int max_iter, rc;
    double gtol;
    size_t repeaters = 0;
    double sx = 0.0, sT = 0.0;

    diag_reset(diag);
    if (!out) {
        diag_set(diag, "BG/NBD: out is NULL");
        return VOCX_EINVAL;
    }
    memset(out, 0, sizeof *out);
    if ((rc = opts_get(opts, &max_iter, &gtol, diag)) != 0)
        return rc;
    if (n == 0) {
        diag_set(diag, "BG/NBD: no customers");
        return VOCX_EMODEL;
    }
    if (!c) {
        diag_set(diag, "BG/NBD: customer array is NULL");
        return VOCX_EINVAL;
    }
    if (n > VX_MAX_CUSTOMERS) {
        diag_set(diag, "BG/NBD: too many customers (%zu)", n);
        return VOCX_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *why = rfm_row_bad(&c[i]);
        if (why) {
            diag_set(diag, "BG/NBD: customer %zu (x=%g, t_x=%g, T=%g): %s", i,
                     c[i].x, c[i].t_x, c[i].T, why);
            return VOCX_EINVAL;
        }
        repeaters += c[i].x > 0;
        sx += c[i].x;
        sT += c[i].T;
    }
    if (repeaters == 0) {
        diag_set(diag, "BG/NBD: no repeat purchases among %zu customers: the "
                       "purchase and dropout processes cannot be estimated",
                 n);
        return VOCX_EMODEL;
    }
    if (!(sT > 0)) {
        diag_set(diag, "BG/NBD: every customer has T = 0: no observation time");
        return VOCX_EMODEL;
    }

    bg_work w;
    if (bg_work_build(&w, c, n) != 0) {
        bg_work_free(&w);
        diag_set(diag, "BG/NBD: out of memory");
        return VOCX_ENOMEM;
    }
    /* Start: r = 1 with alpha matching the observed repeat rate sum x / sum T
     * (the NBD mean r / alpha), a = b = 1. */
    double th[4] = {0.0, log(sT / sx), 0.0, 0.0};
    opt_result res;
    int st = bfgs_min(4, th, bg_obj, &w, max_iter, gtol, &res);
    bg_work_free(&w);

    out->r = exp(th[0]);
    out->alpha = exp(th[1]);
    out->a = exp(th[2]);
    out->b = exp(th[3]);
    out->loglik = isfinite(res.f) ? -res.f * (double)n : -DBL_MAX;
    out->iterations = res.iters;
    out->converged = st == OPT_CONVERGED;
    return fit_outcome(st, 4, th, names, &res, gtol, diag, "BG/NBD");
}

double vx_bgnbd_loglik(const vx_bgnbd *m, const vx_rfm *c, size_t n)
{
    if (!bgnbd_params_ok(m) || (n > 0 && !c))
        return -DBL_MAX;
    const double r = m->r, al = m->alpha, a = m->a, b = m->b;
    const double common = r * log(al) - vx_lgamma(r) + vx_lgamma(a + b) - vx_lgamma(b);
    double ll = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (rfm_row_bad(&c[i]))
            return -DBL_MAX;
        const double x = c[i].x;
        double l = common + vx_lgamma(r + x) + vx_lgamma(b + x) - vx_lgamma(a + b + x);
        const double A3 = -(r + x) * log(al + c[i].T);
        if (x > 0) {
            const double A4 = log(a) - log(b + x - 1.0) - (r + x) * log(al + c[i].t_x);
            double s;
            l += A3 + softplus_sig(A4 - A3, &s);
        } else {
            l += A3;
        }
        ll += l;
    }
    return isfinite(ll) ? ll : -DBL_MAX;
}

/* log of a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x): the odds of
 * "dropped out after the last purchase" against "alive" [FHL08]. */
static double bg_log_odds_dead(const vx_bgnbd *m, const vx_rfm *c)
{
    return log(m->a) - log(m->b + c->x - 1.0) +
           (m->r + c->x) * (log(m->alpha + c->T) - log(m->alpha + c->t_x));
}

double vx_bgnbd_p_alive(const vx_bgnbd *m, const vx_rfm *c)
{
    if (!bgnbd_params_ok(m) || !c || rfm_row_bad(c))
        return 0.0;
    if (c->x == 0)
        return 1.0; /* no repeat purchase, no chance to drop out [FHL08] */
    double d = bg_log_odds_dead(m, c);
    if (d > 700.0)
        return 0.0;
    return 1.0 / (1.0 + exp(d));
}

/* [FHL05 eq. 10] for a != 1, with z = t / (alpha + T + t):
 *   E = (a+b+x-1)/(a-1) [1 - (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z)] P(alive)
 * (1-z)^(r+x) is folded into the series scale so neither factor overflows. */
static double bg_ey_core(double r, double al, double a, double b,
                         const vx_rfm *c, double t, double palive)
{
    const double x = c->x, aT = al + c->T;
    const double z = t / (aT + t);
    const double log1mz = -log1p(t / aT);
    double h;
    if (hyp2f1_scaled(r + x, b + x, a + b + x - 1.0, z, (r + x) * log1mz, &h) != 0)
        return 0.0;
    double e = (a + b + x - 1.0) / (a - 1.0) * (1.0 - h) * palive;
    if (!isfinite(e) || e < 0.0)
        return 0.0;
    return e;
}

/* E[Y(t)] given P(alive) = pa, which depends on the customer, not on t:
 * a CLV sums E[Y] over many horizons and computes pa once. */
static double bg_expected(const vx_bgnbd *m, const vx_rfm *c, double t,
                          double pa)
{
    const double h = 1e-4;
    if (fabs(m->a - 1.0) < h) {
        /* Removable singularity at a = 1 (0/0): interpolate linearly between
         * a = 1 - h and 1 + h, error O(h^2). */
        double lo = bg_ey_core(m->r, m->alpha, 1.0 - h, m->b, c, t, pa);
        double hi = bg_ey_core(m->r, m->alpha, 1.0 + h, m->b, c, t, pa);
        return lo + (hi - lo) * (m->a - (1.0 - h)) / (2.0 * h);
    }
    return bg_ey_core(m->r, m->alpha, m->a, m->b, c, t, pa);
}

double vx_bgnbd_expected_purchases(const vx_bgnbd *m, const vx_rfm *c, double t)
{
    if (!bgnbd_params_ok(m) || !c || rfm_row_bad(c) || !isfinite(t) || !(t > 0))
        return 0.0;
    return bg_expected(m, c, t, vx_bgnbd_p_alive(m, c));
}

/* ---- Gamma-Gamma -------------------------------------------------------- */

static int gg_params_ok(const vx_gg *g)
{
    return g && isfinite(g->p) && g->p > 0 && isfinite(g->q) && g->q > 0 &&
           isfinite(g->v) && g->v > 0;
}

typedef struct gg_work {
    double N;
    size_t n;
    const double *x;
    double *xz;        /* x * mean spend */
    size_t nx;
    double *xv, *xn;   /* distinct x, customers */
    double sxlx, sxlz, slz; /* sum x ln x, sum x ln z, sum ln z */
} gg_work;

/* Mean negative log-likelihood [FH13] over theta = log(p, q, v):
 *   ln f(z | x) = lnG(px+q) - lnG(px) - lnG(q) + q ln v + px ln x
 *                 + (px-1) ln z - (px+q) ln(v + x z). */
static double gg_obj(const double *th, double *grad, void *ctx)
{
    gg_work *w = ctx;
    const double p = exp(th[0]), q = exp(th[1]), v = exp(th[2]), N = w->N;
    const double lv = log(v);
    double ll = N * (q * lv - vx_lgamma(q)) + p * (w->sxlx + w->sxlz) - w->slz;
    double dp = w->sxlx + w->sxlz, dq = N * (lv - vx_digamma(q)), dv = N * q / v;
    for (size_t j = 0; j < w->nx; j++) {
        const double x = w->xv[j], n = w->xn[j];
        const double psq = vx_digamma(p * x + q);
        ll += n * (vx_lgamma(p * x + q) - vx_lgamma(p * x));
        dp += n * x * (psq - vx_digamma(p * x));
        dq += n * psq;
    }
    double sl = 0.0, sxl = 0.0, sinv = 0.0, sxinv = 0.0;
    for (size_t i = 0; i < w->n; i++) {
        const double x = w->x[i], s = v + w->xz[i];
        const double l = log(s), inv = 1.0 / s;
        sl += l;
        sxl += x * l;
        sinv += inv;
        sxinv += x * inv;
    }
    ll -= p * sxl + q * sl;
    dp -= sxl;
    dq -= sl;
    dv -= p * sxinv + q * sinv;
    grad[0] = -dp * p / N;
    grad[1] = -dq * q / N;
    grad[2] = -dv * v / N;
    return -ll / N;
}

static const char *gg_row_bad(double x, double z)
{
    if (!isfinite(x) || !isfinite(z))
        return "not finite";
    if (!(x > 0))
        return "x must be > 0 (repeat buyers only)";
    if (!(z > 0))
        return "mean spend must be > 0";
    return NULL;
}

int vx_gg_fit(const double *x, const double *mean_spend, size_t n, vx_gg *out,
              vx_fit_diag *diag, const vx_fit_opts *opts)
{
    static const char *const names[3] = {"p", "q", "v"};
    int max_iter, rc;
    double gtol;

    diag_reset(diag);
    if (!out) {
        diag_set(diag, "Gamma-Gamma: out is NULL");
        return VOCX_EINVAL;
    }
    memset(out, 0, sizeof *out);
    if ((rc = opts_get(opts, &max_iter, &gtol, diag)) != 0)
        return rc;
    if (n == 0) {
        diag_set(diag, "Gamma-Gamma: no customers with repeat purchases and "
                       "positive spend");
        return VOCX_EMODEL;
    }
    if (!x || !mean_spend) {
        diag_set(diag, "Gamma-Gamma: input array is NULL");
        return VOCX_EINVAL;
    }
    if (n > VX_MAX_CUSTOMERS) {
        diag_set(diag, "Gamma-Gamma: too many customers (%zu)", n);
        return VOCX_EINVAL;
    }
    double scale = 0.0; /* running mean of the mean spends */
    for (size_t i = 0; i < n; i++) {
        const char *why = gg_row_bad(x[i], mean_spend[i]);
        if (why) {
            diag_set(diag, "Gamma-Gamma: customer %zu (x=%g, mean spend=%g): %s",
                     i, x[i], mean_spend[i], why);
            return VOCX_EINVAL;
        }
        scale += (mean_spend[i] - scale) / (double)(i + 1);
    }
    /* Fit in units of the average mean spend, so v (a money scale) starts
     * at 1 and the boundary tests do not depend on the currency; the
     * density of z is f(z / s) / s, hence the loglik shift below. */
    const double lscale = log(scale);

    gg_work w = {0};
    vx_map mx = {0};
    w.N = (double)n;
    w.n = n;
    w.x = x;
    w.xz = malloc(n * sizeof *w.xz);
    w.xv = malloc(n * sizeof *w.xv);
    w.xn = calloc(n, sizeof *w.xn);
    rc = (!w.xz || !w.xv || !w.xn) ? VOCX_ENOMEM : map_init(&mx, 256);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint32_t j;
        int added;
        if ((rc = map_index(&mx, dbits(x[i]), 0, &j, &added)) != 0)
            break;
        if (added)
            w.xv[j] = x[i];
        w.xn[j] += 1.0;
        w.xz[i] = x[i] * (mean_spend[i] / scale);
        const double lz = log(mean_spend[i]) - lscale;
        w.sxlx += x[i] * log(x[i]);
        w.sxlz += x[i] * lz;
        w.slz += lz;
    }
    w.nx = mx.len;
    map_free(&mx);
    if (rc != 0) {
        free(w.xz);
        free(w.xv);
        free(w.xn);
        diag_set(diag, "Gamma-Gamma: out of memory");
        return VOCX_ENOMEM;
    }

    /* Start: p = 1, q = 2 and v = 1, i.e. a population mean p v / (q - 1)
     * equal to the observed mean of the mean spends. */
    double th[3] = {0.0, log(2.0), 0.0};
    opt_result res;
    int st = bfgs_min(3, th, gg_obj, &w, max_iter, gtol, &res);
    free(w.xz);
    free(w.xv);
    free(w.xn);

    out->p = exp(th[0]);
    out->q = exp(th[1]);
    out->v = exp(th[2]) * scale;
    out->loglik = isfinite(res.f) ? -res.f * (double)n - (double)n * lscale : -DBL_MAX;
    if (!isfinite(out->v) || !isfinite(out->loglik)) {
        out->v = exp(th[2]);
        out->loglik = -DBL_MAX;
    }
    out->iterations = res.iters;
    out->converged = st == OPT_CONVERGED;
    out->customers = n;
    rc = fit_outcome(st, 3, th, names, &res, gtol, diag, "Gamma-Gamma");
    if (rc == 0 && !(out->q > 1.0)) {
        diag_set(diag, "Gamma-Gamma: fitted q = %g <= 1: the population mean "
                       "spend p v / (q - 1) does not exist",
                 out->q);
        return VOCX_EMODEL;
    }
    return rc;
}

double vx_gg_loglik(const vx_gg *m, const double *x, const double *mean_spend,
                    size_t n)
{
    if (!gg_params_ok(m) || (n > 0 && (!x || !mean_spend)))
        return -DBL_MAX;
    const double p = m->p, q = m->q, v = m->v;
    const double common = q * log(v) - vx_lgamma(q);
    double ll = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (gg_row_bad(x[i], mean_spend[i]))
            return -DBL_MAX;
        const double px = p * x[i], z = mean_spend[i];
        ll += common + vx_lgamma(px + q) - vx_lgamma(px) + px * log(x[i]) +
              (px - 1.0) * log(z) - (px + q) * log(v + x[i] * z);
    }
    return isfinite(ll) ? ll : -DBL_MAX;
}

double vx_gg_expected_spend(const vx_gg *m, double x, double mean_spend)
{
    if (!gg_params_ok(m) || !isfinite(x) || !isfinite(mean_spend))
        return 0.0;
    const double p = m->p, q = m->q, v = m->v;
    if (x > 0 && mean_spend > 0) {
        /* [FH13]: a weighted mean of the population mean and the customer's
         * own mean, the weight p x / (p x + q - 1) growing with x. */
        const double den = p * x + q - 1.0;
        if (!(den > 0))
            return 0.0;
        const double e = p * (v + x * mean_spend) / den;
        return isfinite(e) ? e : 0.0;
    }
    if (!(q > 1.0))
        return 0.0;
    const double e = p * v / (q - 1.0);
    return isfinite(e) ? e : 0.0;
}

/* ---- CLV ---------------------------------------------------------------- */

int vx_bgnbd_clv_terms(const vx_bgnbd *m, const vx_rfm *c,
                       double horizon_months, double annual_discount,
                       double *disc_sum, double *e_horizon, double *p_alive)
{
    if (!disc_sum || !e_horizon || !p_alive || !bgnbd_params_ok(m) || !c ||
        rfm_row_bad(c) || !isfinite(horizon_months) || horizon_months < 0 ||
        !isfinite(annual_discount) || annual_discount < 0)
        return VOCX_EINVAL;
    /* lifetimes' customer_lifetime_value (freq "W"): per month k,
     * (E[Y(k w)] - E[Y((k-1) w)]) / (1 + d)^k with d the monthly rate;
     * here (1 + d)^k = (1 + annual)^(k / 12). */
    const double lrate = log1p(annual_discount) / 12.0;
    const double months_full = floor(horizon_months);
    const double pa = vx_bgnbd_p_alive(m, c);
    double sum = 0.0, eprev = 0.0;
    for (double k = 1.0; k <= months_full; k += 1.0) {
        const double e = bg_expected(m, c, k * VX_WEEKS_PER_MONTH, pa);
        sum += (e - eprev) * exp(-k * lrate);
        eprev = e;
    }
    if (horizon_months > months_full) { /* partial last month */
        const double e = bg_expected(m, c, horizon_months * VX_WEEKS_PER_MONTH, pa);
        sum += (e - eprev) * exp(-horizon_months * lrate);
        eprev = e;
    }
    *disc_sum = sum;
    *e_horizon = horizon_months > 0 ? eprev : 0.0;
    *p_alive = pa;
    return 0;
}

int vx_clv_bgnbd_gg(const vx_bgnbd *m, const vx_gg *g, const vx_rfm *c,
                    double mean_spend, double horizon_months,
                    double annual_discount, double margin, double *out)
{
    if (out)
        *out = 0.0;
    if (!out || !bgnbd_params_ok(m) || !gg_params_ok(g) || !c || rfm_row_bad(c) ||
        !isfinite(mean_spend) || !isfinite(horizon_months) || horizon_months < 0 ||
        !isfinite(annual_discount) || annual_discount < 0 || !isfinite(margin))
        return VOCX_EINVAL;
    const double spend = vx_gg_expected_spend(g, c->x, mean_spend);
    if (!(spend > 0))
        return VOCX_EMODEL; /* the spend model gives no finite mean here */
    double sum, eh, pa;
    int rc = vx_bgnbd_clv_terms(m, c, horizon_months, annual_discount, &sum,
                                &eh, &pa);
    if (rc)
        return rc;
    const double v = margin * spend * sum;
    if (!isfinite(v))
        return VOCX_EINVAL;
    *out = v;
    return 0;
}

int vx_clv_simple(double margin_per_period, double retention, double discount,
                  double *out)
{
    if (out)
        *out = 0.0;
    if (!out || !isfinite(margin_per_period) || !isfinite(retention) ||
        !isfinite(discount) || retention < 0 || !(retention < 1.0) || discount < 0)
        return VOCX_EINVAL;
    /* sum_{k>=1} m r^k / (1 + d)^k = m r / (1 + d - r) */
    const double v = margin_per_period * retention / (1.0 + discount - retention);
    if (!isfinite(v))
        return VOCX_EINVAL;
    *out = v;
    return 0;
}

/* ---- transactions to RFM ------------------------------------------------ */

int vx_rfm_from_transactions(const size_t *cust, const int *day,
                             const double *amount, size_t ntx, int cal_end,
                             size_t ncust, vx_rfm *rfm, double *mean_spend,
                             unsigned char *present, vx_rfm_stats *stats)
{
    vx_rfm_stats st;
    memset(&st, 0, sizeof st);
    if (stats)
        memset(stats, 0, sizeof *stats);
    if ((ntx > 0 && (!cust || !day)) || (ncust > 0 && !rfm) ||
        (mean_spend && !amount) || (ntx > 0 && ncust == 0))
        return VOCX_EINVAL;
    /* Validate first, so that a failing call writes nothing half-done. */
    for (size_t i = 0; i < ntx; i++) {
        if (cust[i] >= ncust)
            return VOCX_EINVAL;
        if (amount && !isfinite(amount[i]))
            return VOCX_EINVAL;
        if (i > 0 && (cust[i] < cust[i - 1] ||
                      (cust[i] == cust[i - 1] && day[i] < day[i - 1])))
            return VOCX_EINVAL; /* not sorted by customer, then day */
    }
    for (size_t k = 0; k < ncust; k++) {
        rfm[k].x = rfm[k].t_x = rfm[k].T = 0.0;
        if (mean_spend)
            mean_spend[k] = 0.0;
        if (present)
            present[k] = 0;
    }
    st.transactions = ntx;
    size_t i = 0;
    while (i < ntx) {
        const size_t k = cust[i];
        int first = 0, last = 0;
        size_t days = 0;
        double repeat_sum = 0.0;
        for (; i < ntx && cust[i] == k; i++) {
            if (day[i] > cal_end) {
                st.tx_after_end++;
                continue;
            }
            const double amt = amount ? amount[i] : 0.0;
            if (amount && amt <= 0)
                st.tx_nonpositive++;
            if (days == 0) {
                first = last = day[i];
                days = 1;
            } else if (day[i] == last) {
                st.tx_merged++; /* same day: one purchase, amounts summed */
                if (days > 1)
                    repeat_sum += amt;
            } else {
                last = day[i];
                days++;
                repeat_sum += amt;
            }
        }
        if (days == 0)
            continue; /* only transactions after the calibration end */
        st.customers++;
        st.purchase_days += days;
        rfm[k].x = (double)(days - 1);
        rfm[k].t_x = ((double)last - (double)first) / 7.0;
        rfm[k].T = ((double)cal_end - (double)first) / 7.0;
        if (present)
            present[k] = 1;
        if (days > 1) {
            const double ms = repeat_sum / (double)(days - 1);
            st.repeat_customers++;
            if (amount) {
                if (ms > 0)
                    st.spend_customers++;
                else
                    st.spend_excluded++;
            }
            if (mean_spend)
                mean_spend[k] = ms;
        }
    }
    st.customers_absent = ncust - st.customers;
    if (stats)
        *stats = st;
    return 0;
}
