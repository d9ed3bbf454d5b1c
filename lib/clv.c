/* vocx_clv_fit: customer lifetime values from the store's transactions
 * and customers, by the models of clv_model.c, stored as a CLV model. */
#include "clv_model.h"
#include "iso8601.h"
#include "vocx_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* All known customers, sorted by id: those with transactions and those in
 * the customers table. */
typedef struct cust {
    char *id;
    int has_row;           /* in the customers table */
    int has_clv_col, has_churn, has_margin;
    double clv_col, churn, margin;
} cust;

typedef struct clv_work {
    cust *c;
    size_t n, cap;
    /* transactions, in customer order */
    size_t *tx_cust;
    int *tx_day;
    double *tx_amount;
    size_t ntx, captx;
} clv_work;

static void work_free(clv_work *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->c[i].id);
    free(w->c);
    free(w->tx_cust);
    free(w->tx_day);
    free(w->tx_amount);
}

static int push_cust(clv_work *w, const char *id)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 1024;
        cust *n = realloc(w->c, cap * sizeof *n);
        if (!n)
            return -1;
        w->c = n;
        w->cap = cap;
    }
    cust *c = &w->c[w->n];
    memset(c, 0, sizeof *c);
    size_t len = strlen(id) + 1;
    if (!(c->id = malloc(len)))
        return -1;
    memcpy(c->id, id, len);
    w->n++;
    return 0;
}

static int push_tx(clv_work *w, size_t cust, int day, double amount)
{
    if (w->ntx == w->captx) {
        size_t cap = w->captx ? 2 * w->captx : 4096;
        size_t *a = realloc(w->tx_cust, cap * sizeof *a);
        if (!a)
            return -1;
        w->tx_cust = a;
        int *b = realloc(w->tx_day, cap * sizeof *b);
        if (!b)
            return -1;
        w->tx_day = b;
        double *c = realloc(w->tx_amount, cap * sizeof *c);
        if (!c)
            return -1;
        w->tx_amount = c;
        w->captx = cap;
    }
    w->tx_cust[w->ntx] = cust;
    w->tx_day[w->ntx] = day;
    w->tx_amount[w->ntx] = amount;
    w->ntx++;
    return 0;
}

static int day_of(const char *iso, int *out)
{
    int64_t secs;
    if (!iso || vx_time_parse(iso, strlen(iso), &secs, NULL))
        return -1;
    int64_t d = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    *out = (int)d;
    return 0;
}

/* Customers and transactions, each read in customer id order and merged
 * here, so customers come out sorted and transactions get their customer
 * index: two ordered scans, where a join needed a temporary index of every
 * id and a lookup per customer.  A row without a customer id is skipped:
 * it can be nobody's. */
static int load(vocx_store *s, clv_work *w)
{
    static const char sql_cu[] =
        "SELECT customer_id, clv_value, churn_prob, margin"
        " FROM temp.vx_customers WHERE customer_id IS NOT NULL"
        " ORDER BY customer_id";
    static const char sql_tx[] =
        "SELECT customer_id, txn_date, amount FROM temp.vx_transactions"
        " WHERE customer_id IS NOT NULL ORDER BY customer_id, txn_date";
    sqlite3_stmt *cu = NULL, *tx = NULL;
    int rc = VOCX_OK;
    if (sqlite3_prepare_v2(s->db, sql_cu, -1, &cu, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, sql_tx, -1, &tx, NULL) != SQLITE_OK) {
        rc = vx_fail_db(s, "cannot read customers and transactions");
        goto done;
    }
    int rcu = sqlite3_step(cu), rtx = sqlite3_step(tx);
    while (rcu == SQLITE_ROW || rtx == SQLITE_ROW) {
        const char *a = rcu == SQLITE_ROW
                            ? (const char *)sqlite3_column_text(cu, 0) : NULL;
        const char *b = rtx == SQLITE_ROW
                            ? (const char *)sqlite3_column_text(tx, 0) : NULL;
        size_t na = a ? (size_t)sqlite3_column_bytes(cu, 0) : 0;
        size_t nb = b ? (size_t)sqlite3_column_bytes(tx, 0) : 0;
        int c = !a ? 1 : !b ? -1 : vx_binary_cmp(a, na, b, nb);
        if (push_cust(w, c <= 0 ? a : b))
            goto nomem;
        cust *k = &w->c[w->n - 1];
        if (c <= 0) {
            k->has_row = 1;
            if ((k->has_clv_col = sqlite3_column_type(cu, 1) != SQLITE_NULL))
                k->clv_col = sqlite3_column_double(cu, 1);
            if ((k->has_churn = sqlite3_column_type(cu, 2) != SQLITE_NULL))
                k->churn = sqlite3_column_double(cu, 2);
            if ((k->has_margin = sqlite3_column_type(cu, 3) != SQLITE_NULL))
                k->margin = sqlite3_column_double(cu, 3);
            rcu = sqlite3_step(cu);
        }
        if (c < 0)
            continue;
        /* this customer's transactions, by date */
        size_t nid = strlen(k->id);
        while (rtx == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(tx, 0);
            if (vx_binary_cmp(t, (size_t)sqlite3_column_bytes(tx, 0), k->id,
                              nid))
                break;
            int day;
            if (day_of((const char *)sqlite3_column_text(tx, 1), &day)) {
                rc = vx_fail(s, VOCX_EDB, "transaction of customer %s has a"
                                          " malformed date",
                             k->id);
                goto done;
            }
            if (push_tx(w, w->n - 1, day, sqlite3_column_double(tx, 2)))
                goto nomem;
            rtx = sqlite3_step(tx);
        }
    }
    if (rcu != SQLITE_DONE || rtx != SQLITE_DONE)
        rc = vx_fail_db(s, "cannot read customers and transactions");
    goto done;
nomem:
    rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
done:
    sqlite3_finalize(cu);
    sqlite3_finalize(tx);
    return rc;
}

/* Append a remark to the report's message. */
static void note(vocx_clv_report *r, const char *what)
{
    size_t n = strlen(r->message);
    if (n + 3 < sizeof r->message)
        snprintf(r->message + n, sizeof r->message - n, "%s%s",
                 n ? "; " : "", what);
}

enum { SRC_NONE, SRC_BGNBD, SRC_COLUMN, SRC_SIMPLE };
static const char *const src_name[] = {NULL, "bgnbd", "column", "simple"};

static int store_model(vocx_store *s, const vocx_clv_options *o,
                       vocx_clv_report *r)
{
    static const char *const kinds[] = {"auto", "bgnbd", "column", "simple"};
    char params[512];
    if (r->fitted)
        vx_snprintf(params, sizeof params,
                    "{\"r\": %.17g, \"alpha\": %.17g, \"a\": %.17g, \"b\": "
                    "%.17g, \"p\": %.17g, \"q\": %.17g, \"gamma\": %.17g, "
                    "\"retention\": %.17g}",
                    r->r, r->alpha, r->a, r->b, r->p, r->q, r->gamma,
                    o->retention);
    else
        vx_snprintf(params, sizeof params, "{\"retention\": %.17g}",
                    o->retention);
    char now[21];
    vx_now_iso(now);
    static const char sql[] =
        "INSERT INTO clv_models(kind, fitted_at, calibration_end,"
        " horizon_months, annual_discount, margin, params, log_likelihood,"
        " customers, iterations, converged)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    sqlite3_stmt *st = vx_stmt(s, sql);
    if (!st)
        return s->errcode;
    sqlite3_bind_text(st, 1, kinds[o->model], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    if (r->calibration_end[0])
        sqlite3_bind_text(st, 3, r->calibration_end, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, o->horizon_months);
    sqlite3_bind_double(st, 5, o->annual_discount);
    sqlite3_bind_double(st, 6, o->margin);
    sqlite3_bind_text(st, 7, params, -1, SQLITE_TRANSIENT);
    if (r->fitted)
        sqlite3_bind_double(st, 8, r->log_likelihood);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)r->customers);
    sqlite3_bind_int(st, 10, r->iterations);
    sqlite3_bind_int(st, 11, r->converged);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vx_fail_db(s, "cannot store the CLV model");
    r->model_id = sqlite3_last_insert_rowid(s->db);
    return VOCX_OK;
}

static int check_options(vocx_store *s, const vocx_clv_options *o, int *cal)
{
    if (o->version != VOCX_CLV_OPTIONS_VERSION)
        return vx_fail(s, VOCX_EINVAL,
                       "unsupported vocx_clv_options version %u", o->version);
    if (o->model < VOCX_CLV_AUTO || o->model > VOCX_CLV_SIMPLE)
        return vx_fail(s, VOCX_EINVAL, "unknown CLV model %d", o->model);
    if (!(o->horizon_months >= 0 && o->horizon_months <= 1200))
        return vx_fail(s, VOCX_EINVAL,
                       "horizon must lie in [0, 1200] months, got %g",
                       o->horizon_months);
    if (!(o->annual_discount >= 0 && o->annual_discount <= 10))
        return vx_fail(s, VOCX_EINVAL,
                       "annual discount must lie in [0, 10], got %g",
                       o->annual_discount);
    if (!(o->margin >= 0 && o->margin <= 1))
        return vx_fail(s, VOCX_EINVAL, "margin must lie in [0, 1], got %g",
                       o->margin);
    if (!(o->retention >= 0 && o->retention < 1))
        return vx_fail(s, VOCX_EINVAL, "retention must lie in [0, 1), got %g",
                       o->retention);
    if (o->max_iterations < 1 || o->max_iterations > 100000)
        return vx_fail(s, VOCX_EINVAL, "max_iterations must be 1..100000");
    *cal = 0;
    if (o->calibration_end && day_of(o->calibration_end, cal))
        return vx_fail(s, VOCX_EINVAL,
                       "calibration end: unparseable date \"%s\"",
                       o->calibration_end);
    return VOCX_OK;
}

/* Fit BG/NBD + Gamma-Gamma and value every customer with transactions.
 * Returns VOCX_OK, VOCX_EMODEL (message in r) or VOCX_ENOMEM. */
static int fit_models(vocx_store *s, clv_work *w, const vocx_clv_options *o,
                      int cal_end, vocx_clv_report *r, double *value,
                      double *p_alive, double *exp_purch, double *exp_spend,
                      unsigned char *src)
{
    size_t n = w->n;
    vx_rfm *rfm = calloc(n ? n : 1, sizeof *rfm);
    double *mean = calloc(n ? n : 1, sizeof *mean);
    unsigned char *present = calloc(n ? n : 1, 1);
    vx_rfm *fit_rfm = calloc(n ? n : 1, sizeof *fit_rfm);
    double *gx = calloc(n ? n : 1, sizeof *gx);
    double *gm = calloc(n ? n : 1, sizeof *gm);
    int rc = VOCX_OK;
    if (!rfm || !mean || !present || !fit_rfm || !gx || !gm) {
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto done;
    }
    vx_rfm_stats stats;
    rc = vx_rfm_from_transactions(w->tx_cust, w->tx_day, w->tx_amount, w->ntx,
                                  cal_end, n, rfm, mean, present, &stats);
    if (rc) {
        rc = vx_fail(s, rc, "cannot summarise transactions");
        goto done;
    }
    r->after_end = stats.tx_after_end;
    r->spend_excluded = stats.spend_excluded;
    size_t nfit = 0, ng = 0;
    for (size_t i = 0; i < n; i++) {
        if (!present[i])
            continue;
        fit_rfm[nfit++] = rfm[i];
        if (rfm[i].x > 0 && mean[i] > 0) {
            gx[ng] = rfm[i].x;
            gm[ng++] = mean[i];
        }
    }
    r->fit_customers = nfit;
    vx_fit_opts fo = VX_FIT_OPTS_INIT;
    fo.max_iter = o->max_iterations;
    vx_bgnbd m;
    vx_fit_diag d;
    memset(&d, 0, sizeof d);
    rc = vx_bgnbd_fit(fit_rfm, nfit, &m, &d, &fo);
    r->iterations = d.iterations;
    r->converged = d.converged;
    if (rc) {
        /* The model's messages already name it ("BG/NBD: ..."). */
        vx_snprintf(r->message, sizeof r->message, "%s", d.msg);
        rc = rc == VOCX_EMODEL ? VOCX_EMODEL : vx_fail(s, rc, "%s", d.msg);
        goto done;
    }
    vx_gg g;
    memset(&d, 0, sizeof d);
    rc = vx_gg_fit(gx, gm, ng, &g, &d, &fo);
    r->spend_iterations = d.iterations;
    r->spend_converged = d.converged;
    r->spend_customers = ng;
    if (rc) {
        vx_snprintf(r->message, sizeof r->message, "%s", d.msg);
        rc = rc == VOCX_EMODEL ? VOCX_EMODEL : vx_fail(s, rc, "%s", d.msg);
        goto done;
    }
    r->fitted = 1;
    r->r = m.r;
    r->alpha = m.alpha;
    r->a = m.a;
    r->b = m.b;
    r->log_likelihood = m.loglik;
    r->p = g.p;
    r->q = g.q;
    r->gamma = g.v;
    r->spend_log_likelihood = g.loglik;
    /* The purchase-history terms (a dozen hypergeometric series) are
     * computed once per distinct (x, t_x, T): many customers share one,
     * all the more so those who bought once. */
    size_t cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    size_t *memo = malloc(cap * sizeof *memo); /* customer index + 1 */
    double *terms = malloc(3 * (n ? n : 1) * sizeof *terms);
    if (!memo || !terms) {
        free(memo);
        free(terms);
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto done;
    }
    memset(memo, 0, cap * sizeof *memo);
    for (size_t i = 0; i < n; i++) {
        if (!present[i])
            continue;
        const double spend = vx_gg_expected_spend(&g, rfm[i].x, mean[i]);
        if (!(spend > 0))
            continue; /* no finite spend model: other sources may apply */
        uint64_t h = 1469598103934665603ULL;
        const double key[3] = {rfm[i].x, rfm[i].t_x, rfm[i].T};
        const unsigned char *kb = (const unsigned char *)key;
        for (size_t b = 0; b < sizeof key; b++)
            h = (h ^ kb[b]) * 1099511628211ULL;
        size_t slot = (size_t)h & (cap - 1), j;
        while ((j = memo[slot]) != 0 &&
               memcmp(&rfm[j - 1], &rfm[i], sizeof key) != 0)
            slot = (slot + 1) & (cap - 1);
        double *t = &terms[3 * i];
        if (j) {
            memcpy(t, &terms[3 * (j - 1)], 3 * sizeof *t);
        } else {
            if (vx_bgnbd_clv_terms(&m, &rfm[i], o->horizon_months,
                                   o->annual_discount, &t[0], &t[1],
                                   &t[2]) != 0)
                continue;
            memo[slot] = i + 1;
        }
        const double v = o->margin * spend * t[0];
        if (!isfinite(v))
            continue;
        value[i] = v;
        p_alive[i] = t[2];
        exp_purch[i] = t[1];
        exp_spend[i] = spend;
        src[i] = SRC_BGNBD;
    }
    free(memo);
    free(terms);
done:
    free(rfm);
    free(mean);
    free(present);
    free(fit_rfm);
    free(gx);
    free(gm);
    return rc;
}

int vocx_clv_fit(vocx_store *s, const vocx_clv_options *opts,
                 vocx_clv_report *r)
{
    vocx_clv_report dummy;
    if (!r)
        r = &dummy;
    memset(r, 0, sizeof *r);
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    vocx_clv_options defaults = VOCX_CLV_OPTIONS_INIT;
    const vocx_clv_options *o = opts ? opts : &defaults;
    int cal_end, rc;
    if ((rc = check_options(s, o, &cal_end)))
        return rc;
    if (s->readonly)
        return vx_fail(s, VOCX_EREADONLY, "the store is open read-only");
    r->model = o->model;
    clv_work w;
    memset(&w, 0, sizeof w);
    double *value = NULL, *p_alive = NULL, *exp_purch = NULL,
           *exp_spend = NULL;
    unsigned char *src = NULL;
    /* One write transaction: read a consistent snapshot, store atomically. */
    if ((rc = vx_crm_refresh(s)) || (rc = vx_begin(s)) || (rc = load(s, &w)))
        goto fail;
    r->transactions = w.ntx;
    if (w.ntx) {
        int last = w.tx_day[0];
        for (size_t i = 1; i < w.ntx; i++)
            if (w.tx_day[i] > last)
                last = w.tx_day[i];
        if (!o->calibration_end)
            cal_end = last;
        int y;
        unsigned mo, d;
        vx_civil_from_days(cal_end, &y, &mo, &d);
        vx_snprintf(r->calibration_end, sizeof r->calibration_end,
                    "%04d-%02u-%02u", y, mo, d);
    }
    size_t n = w.n ? w.n : 1;
    value = calloc(n, sizeof *value);
    p_alive = calloc(n, sizeof *p_alive);
    exp_purch = calloc(n, sizeof *exp_purch);
    exp_spend = calloc(n, sizeof *exp_spend);
    src = calloc(n, 1);
    if (!value || !p_alive || !exp_purch || !exp_spend || !src) {
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto fail;
    }
    if (o->model == VOCX_CLV_BGNBD || o->model == VOCX_CLV_AUTO) {
        if (!w.ntx) {
            vx_snprintf(r->message, sizeof r->message,
                        "no transactions: import them with `vocx ops import "
                        "transactions`");
            rc = VOCX_EMODEL;
        } else {
            rc = fit_models(s, &w, o, cal_end, r, value, p_alive, exp_purch,
                            exp_spend, src);
        }
        if (rc == VOCX_EMODEL && o->model == VOCX_CLV_AUTO) {
            note(r, "falling back to the CRM column and the simple "
                          "formula");
            rc = VOCX_OK;
        }
        if (rc == VOCX_EMODEL) {
            vx_fail(s, rc, "cannot fit the CLV model: %s", r->message);
            goto fail;
        }
        if (rc)
            goto fail;
    }
    for (size_t i = 0; i < w.n; i++) {
        cust *c = &w.c[i];
        if (src[i] != SRC_NONE)
            continue;
        if ((o->model == VOCX_CLV_COLUMN || o->model == VOCX_CLV_AUTO) &&
            c->has_clv_col && isfinite(c->clv_col)) {
            value[i] = c->clv_col;
            src[i] = SRC_COLUMN;
        } else if ((o->model == VOCX_CLV_SIMPLE ||
                    o->model == VOCX_CLV_AUTO) &&
                   c->has_margin) {
            double ret = c->has_churn ? 1.0 - c->churn : o->retention;
            if (ret >= 1.0)
                ret = 0.999; /* a churn probability of 0: keep it finite */
            if (vx_clv_simple(c->margin, ret, o->annual_discount, &value[i]) ==
                0)
                src[i] = SRC_SIMPLE;
        }
    }
    for (size_t i = 0; i < w.n; i++) {
        if (src[i] == SRC_NONE) {
            r->no_value++;
            continue;
        }
        if (!isfinite(value[i]))
            value[i] = 0; /* never store NaN or infinity */
        r->customers++;
        r->total_clv += value[i];
        r->from_bgnbd += src[i] == SRC_BGNBD;
        r->from_column += src[i] == SRC_COLUMN;
        r->from_simple += src[i] == SRC_SIMPLE;
    }
    if (r->customers == 0) {
        static const char *const hint[] = {
            "import transactions, or customers with a clv or margin column",
            "import transactions (customer_id, date, amount)",
            "import customers with a clv column",
            ("import customers with a margin column (and optionally a "
             "churn_probability column)"),
        };
        char why[256];
        vx_snprintf(why, sizeof why, "%s", r->message);
        vx_snprintf(r->message, sizeof r->message,
                    "no customer could be valued: %s%s%s%s", hint[o->model],
                    why[0] ? " (" : "", why, why[0] ? ")" : "");
        rc = vx_fail(s, VOCX_EMODEL, "%s", r->message);
        goto fail;
    }
    if ((rc = store_model(s, o, r)))
        goto fail;
    static const char ins[] =
        "INSERT INTO customer_clv(model_id, customer_id, clv, p_alive,"
        " expected_purchases, expected_spend, source)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    for (size_t i = 0; i < w.n; i++) {
        if (src[i] == SRC_NONE)
            continue;
        sqlite3_stmt *st = vx_stmt(s, ins);
        if (!st) {
            rc = s->errcode;
            goto fail;
        }
        sqlite3_bind_int64(st, 1, r->model_id);
        sqlite3_bind_text(st, 2, w.c[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, value[i]);
        if (src[i] == SRC_BGNBD) {
            sqlite3_bind_double(st, 4, p_alive[i]);
            sqlite3_bind_double(st, 5, exp_purch[i]);
            sqlite3_bind_double(st, 6, exp_spend[i]);
        }
        sqlite3_bind_text(st, 7, src_name[src[i]], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = vx_fail_db(s, "cannot store customer CLV");
            goto fail;
        }
    }
    if ((rc = vx_commit(s)))
        goto fail;
    vx_log(s, VOCX_LOG_INFO, "CLV model %lld: %zu customers, total %.2f",
           (long long)r->model_id, r->customers, r->total_clv);
    goto done;
fail:
    vx_rollback(s);
    r->model_id = 0;
done:
    free(value);
    free(p_alive);
    free(exp_purch);
    free(exp_spend);
    free(src);
    work_free(&w);
    return rc;
}
