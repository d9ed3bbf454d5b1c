/*
 * clv_model.h — customer lifetime value models (internal, not installed).
 *
 * Pure math: no I/O, no allocation visible to the caller, no global mutable
 * state, never aborts. Every function is reentrant and thread-safe; the fit
 * functions allocate scratch memory internally and free it before returning.
 *
 * Time unit: weeks (days / 7), as in Fader, Hardie & Lee (2005) and the
 * CDNOW benchmark. Models:
 *   - BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy
 *     way: an alternative to the Pareto/NBD model"): number of purchases.
 *   - Gamma-Gamma (Fader & Hardie 2013, "The Gamma-Gamma model of monetary
 *     value"): average transaction value.
 * See docs/clv.md for the formulas, the CLV definition and edge cases.
 *
 * Functions returning int: 0 on success, a negative VOCX_E* code on error.
 * Functions returning double never return NaN or an infinity; their
 * documented "invalid" value is returned for arguments outside the domain.
 */
#ifndef VOCX_CLV_MODEL_H
#define VOCX_CLV_MODEL_H

#include <stddef.h>

/* The error codes of include/vocx.h, repeated token for token so this
 * header also compiles without it (standalone tests, bench); the values are
 * ABI and never change. */
#ifndef VOCX_EINVAL
#define VOCX_EINVAL -1 /* bad argument */
#endif
#ifndef VOCX_ENOMEM
#define VOCX_ENOMEM -2 /* out of memory */
#endif
#ifndef VOCX_EMODEL
#define VOCX_EMODEL -10 /* model cannot be fitted: degenerate data, no convergence */
#endif

/* Weeks per month used for the monthly CLV steps; the value the lifetimes
 * package uses for freq="W" (the Gregorian mean is 4.348). */
#define VX_WEEKS_PER_MONTH 4.345

/* Per-customer summary in the calibration period, all in weeks.
 * x:   repeat purchases (purchase days minus one), a whole number >= 0;
 * t_x: time from the first purchase to the last one (0 when x = 0);
 * T:   time from the first purchase to the end of calibration. */
typedef struct vx_rfm {
    double x;
    double t_x;
    double T;
} vx_rfm;

/* BG/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout ~ Beta(a, b). */
typedef struct vx_bgnbd {
    double r, alpha, a, b;
    double loglik;   /* log-likelihood at the parameters (sum over customers) */
    int iterations;  /* optimiser iterations used by the fit */
    int converged;   /* 1 when the gradient test was met */
} vx_bgnbd;

/* Gamma-Gamma parameters: per-transaction spend ~ Gamma(p, nu),
 * nu ~ Gamma(q, v). */
typedef struct vx_gg {
    double p, q, v;
    double loglik;
    int iterations;
    int converged;
    size_t customers; /* customers the fit used */
} vx_gg;

/* Diagnostics filled by the fit functions (may be NULL). msg is always a
 * NUL-terminated human-readable sentence, on success too. */
typedef struct vx_fit_diag {
    int iterations;  /* quasi-Newton iterations */
    int evaluations; /* likelihood + gradient evaluations */
    int converged;
    char msg[256];
} vx_fit_diag;

/* Optimiser settings; pass NULL for the defaults (VX_FIT_OPTS_INIT).
 * max_iter: iteration cap (>= 1). gtol: convergence when every component
 * of the gradient of the mean log-likelihood with respect to the log
 * parameters is below gtol in absolute value (> 0). */
typedef struct vx_fit_opts {
    int max_iter;
    double gtol;
} vx_fit_opts;
#define VX_FIT_OPTS_INIT { 200, 1e-9 }

/* ---- Transactions to RFM ---------------------------------------------- */

/* Counts reported by vx_rfm_from_transactions (for diagnostics). */
typedef struct vx_rfm_stats {
    size_t transactions;      /* ntx */
    size_t tx_after_end;      /* after the calibration end: ignored */
    size_t tx_merged;         /* same-day transactions merged into one purchase */
    size_t tx_nonpositive;    /* calibration transactions with amount <= 0 (kept) */
    size_t purchase_days;     /* purchases = distinct (customer, day) in calibration */
    size_t customers;         /* customers with at least one calibration purchase */
    size_t customers_absent;  /* indices with none (no rows, or only rows after the end) */
    size_t repeat_customers;  /* customers with x > 0 */
    size_t spend_customers;   /* x > 0 and mean repeat spend > 0: Gamma-Gamma input */
    size_t spend_excluded;    /* x > 0 but mean repeat spend <= 0: not for Gamma-Gamma */
} vx_rfm_stats;

/* Summarise transactions into per-customer RFM, following the lifetimes
 * package (summary_data_from_transaction_data) and the CDNOW summaries:
 *  - cust[i] in [0, ncust), day[i] = days since any fixed epoch; rows sorted
 *    by customer, then day (else VOCX_EINVAL);
 *  - the calibration period ends with day cal_end, inclusive; later rows are
 *    ignored and counted in tx_after_end;
 *  - all rows of one customer on one day are one purchase, amounts summed;
 *  - every purchase day counts as a purchase, whatever its amount (a zero
 *    or negative amount is an order or a refund, not an absence of one);
 *  - x = purchase days - 1, t_x = (last day - first day) / 7,
 *    T = (cal_end - first day) / 7;
 *  - mean_spend = sum of the repeat purchase days' amounts / x (the first
 *    purchase excluded), 0 when x = 0; it may be <= 0 when amounts are:
 *    such customers are counted in spend_excluded and must be left out of
 *    vx_gg_fit.
 * amount may be NULL (then mean_spend must be NULL too); non-finite amounts
 * are VOCX_EINVAL. Customers without a calibration purchase get
 * {0, 0, 0}, mean_spend 0 and present 0. Outputs mean_spend, present and
 * stats are optional (NULL). Arguments are checked before anything is
 * written: on error the outputs are untouched (stats zeroed). */
int vx_rfm_from_transactions(const size_t *cust, const int *day,
                             const double *amount, size_t ntx, int cal_end,
                             size_t ncust, vx_rfm *rfm, double *mean_spend,
                             unsigned char *present, vx_rfm_stats *stats);

/* ---- BG/NBD ------------------------------------------------------------ */

/* Maximum-likelihood fit (quasi-Newton BFGS on the log parameters, analytic
 * gradient). Inputs: n customers, finite, x a whole number >= 0,
 * 0 <= t_x <= T, t_x = 0 when x = 0 (as lifetimes requires). Returns
 *   0            fitted; *out filled, converged = 1;
 *   VOCX_EINVAL  NULL pointer, bad opts, or an invalid customer row;
 *   VOCX_ENOMEM  scratch allocation failed;
 *   VOCX_EMODEL  n = 0, no repeat purchaser, every T = 0, no convergence
 *                within max_iter, or a parameter running to 0 or infinity
 *                (the data do not identify the model). After an
 *                optimisation *out holds the last iterate (finite) and its
 *                converged flag; diag->msg says why. Near a boundary the
 *                last iterate approximates the limiting model (docs/clv.md).
 * Reentrant; allocates O(n) scratch memory, freed before returning. */
int vx_bgnbd_fit(const vx_rfm *c, size_t n, vx_bgnbd *out, vx_fit_diag *diag,
                 const vx_fit_opts *opts);

/* Log-likelihood of n customers (FHL 2005 eq. 6); -DBL_MAX for invalid
 * parameters or rows. */
double vx_bgnbd_loglik(const vx_bgnbd *m, const vx_rfm *c, size_t n);

/* P(alive | x, t_x, T) (Fader, Hardie & Lee 2008 note "Computing P(alive)
 * using the BG/NBD model"); 1 when x = 0; 0 for invalid arguments. */
double vx_bgnbd_p_alive(const vx_bgnbd *m, const vx_rfm *c);

/* E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] (FHL 2005 eq. 10);
 * 0 for invalid arguments or t <= 0. */
double vx_bgnbd_expected_purchases(const vx_bgnbd *m, const vx_rfm *c,
                                   double t);

/* Gauss hypergeometric 2F1(a, b; c; z) by its power series, |z| < 1 and c
 * not a non-positive integer; 0 outside that domain, DBL_MAX on overflow. */
double vx_hyp2f1(double a, double b, double c, double z);

/* ---- Gamma-Gamma ------------------------------------------------------- */

/* Maximum-likelihood fit on n customers with x[i] > 0 repeat purchases of
 * mean value mean_spend[i] > 0 (the caller filters; rows violating it are
 * VOCX_EINVAL). Returns as vx_bgnbd_fit; also VOCX_EMODEL when the fitted
 * q <= 1 (the population mean spend p v / (q - 1) does not exist; *out is
 * filled and converged = 1). */
int vx_gg_fit(const double *x, const double *mean_spend, size_t n, vx_gg *out,
              vx_fit_diag *diag, const vx_fit_opts *opts);

/* Log-likelihood (Fader & Hardie 2013, marginal density of the mean spend);
 * -DBL_MAX for invalid parameters or rows. */
double vx_gg_loglik(const vx_gg *m, const double *x, const double *mean_spend,
                    size_t n);

/* Conditional expected average transaction value
 *   p (v + x m) / (p x + q - 1)   (Fader & Hardie 2013);
 * for x <= 0 or mean_spend <= 0 (no usable spend history) the population
 * mean p v / (q - 1). 0 for invalid parameters or q <= 1 with no history. */
double vx_gg_expected_spend(const vx_gg *m, double x, double mean_spend);

/* ---- CLV --------------------------------------------------------------- */

/* Discounted expected profit over horizon_months (docs/clv.md), following
 * lifetimes' customer_lifetime_value with freq = "W":
 *   CLV = sum_{k=1..K} margin * S * (E[Y(k w)] - E[Y((k-1) w)]) / (1 + d)^k
 * w = VX_WEEKS_PER_MONTH, S = vx_gg_expected_spend(g, x, mean_spend),
 * d = (1 + annual_discount)^(1/12) - 1 the monthly rate; a fractional last
 * month is a partial step discounted at its end. lifetimes' discount_rate
 * is the monthly d: pass annual = (1 + d)^12 - 1 to reproduce it.
 * Arguments: horizon >= 0, annual_discount >= 0, margin finite, all finite;
 * models and row valid. Returns 0 and *out; VOCX_EINVAL for bad arguments;
 * VOCX_EMODEL when the spend model has no finite mean for this customer
 * (q <= 1 and no usable history). On error *out = 0 (if out is not NULL). */
/* The part of that CLV that depends only on the purchase history (x, t_x,
 * T): the discounted sum of E[Y] increments (CLV = margin * S * *disc_sum),
 * E[Y(horizon)] and P(alive).  Customers with the same history share it,
 * which is how valuing many customers is made fast.  Returns 0 or
 * VOCX_EINVAL. */
int vx_bgnbd_clv_terms(const vx_bgnbd *m, const vx_rfm *c,
                       double horizon_months, double annual_discount,
                       double *disc_sum, double *e_horizon, double *p_alive);

int vx_clv_bgnbd_gg(const vx_bgnbd *m, const vx_gg *g, const vx_rfm *c,
                    double mean_spend, double horizon_months,
                    double annual_discount, double margin, double *out);

/* Simple infinite-horizon CLV with constant retention:
 *   margin * retention / (1 + discount - retention)
 * (margin received at the end of each period the customer stays).
 * 0 <= retention < 1, discount >= 0, margin finite; else VOCX_EINVAL. */
int vx_clv_simple(double margin_per_period, double retention, double discount,
                  double *out);

#endif /* VOCX_CLV_MODEL_H */
