/* Ranking issues by CLV at risk, with attribution that never counts a
 * customer's value twice.  The risk model is documented in
 * docs/ranking.md. */
#include "custmap.h"
#include "iso8601.h"
#include "issues_json.h"
#include "vocx_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct issue_acc {
    vocx_rank_row row;
    char *strs[5]; /* owned copies: block, issue, label, kind, owner */
    /* per-customer scratch while scanning one customer */
    double cust_risk;
    int cust_seen;
} issue_acc;

struct vocx_ranking {
    issue_acc *issues;
    size_t nissues;
    vocx_rank_row *rows; /* sorted copy */
    size_t nrows;
    vocx_ranking_totals totals;
    char ruleset_hash[65];
    char **unmatched;
    size_t nunmatched, capunmatched;
};

/* The comment-level risk: churn probability when the CRM has one, else the
 * issue's severity; moved towards 1 by churn cues, damped by positive
 * cues. */
static double comment_risk(double base, int churn_cues, int positive_cues,
                           const vocx_rank_options *o)
{
    double r = base;
    if (churn_cues > 0)
        r = r + (1.0 - r) * o->churn_uplift;
    else if (positive_cues > 0)
        r = r * o->positive_damping;
    if (!(r >= 0))
        r = 0;
    if (r > 1)
        r = 1;
    return r;
}

static const char *kind_name(int kind)
{
    return kind == VOCX_KIND_PROBLEM       ? "problem"
           : kind == VOCX_KIND_OPPORTUNITY ? "opportunity"
           : kind == VOCX_KIND_PRAISE      ? "praise"
                                           : "unknown";
}

double vocx_comment_risk(double base, size_t churn_cues, size_t positive_cues,
                         const vocx_rank_options *opts)
{
    vocx_rank_options defaults = VOCX_RANK_OPTIONS_INIT;
    const vocx_rank_options *o = opts ? opts : &defaults;
    if (!(base >= 0))
        base = 0;
    if (base > 1)
        base = 1;
    return comment_risk(base, churn_cues > 0, positive_cues > 0, o);
}

/* Praise never puts value at risk, whatever the customer's churn
 * probability: it would take attributed value away from the problems the
 * same customer raised. */
static double issue_risk(const issue_acc *a, int has_churn_prob,
                         double churn_prob, int churn_cues, int positive_cues,
                         const vocx_rank_options *o)
{
    if (!strcmp(a->row.kind, "praise"))
        return 0.0;
    double base = has_churn_prob ? churn_prob : a->row.severity;
    return comment_risk(base, churn_cues, positive_cues, o);
}

static int cmp_issue_id(const void *a, const void *b)
{
    const issue_acc *x = a, *y = b;
    return strcmp(x->row.issue, y->row.issue);
}

static issue_acc *find_issue(vocx_ranking *rk, const char *id)
{
    issue_acc key;
    key.row.issue = id;
    return bsearch(&key, rk->issues, rk->nissues, sizeof key, cmp_issue_id);
}

static char *dupstr(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void vocx_ranking_free(vocx_ranking *rk)
{
    if (!rk)
        return;
    for (size_t i = 0; i < rk->nissues; i++)
        for (int k = 0; k < 5; k++)
            free(rk->issues[i].strs[k]);
    free(rk->issues);
    free(rk->rows);
    for (size_t i = 0; i < rk->nunmatched; i++)
        free(rk->unmatched[i]);
    free(rk->unmatched);
    free(rk);
}

/* Resolve the rule set (hash prefix or latest classified) and CLV model. */
static int resolve(vocx_store *s, const vocx_rank_options *o,
                   int64_t *ruleset_id, char hash[65], int64_t *model_id)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (o->ruleset) {
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT ruleset_id, hash FROM rulesets WHERE"
                                " substr(hash, 1, length(?1)) = ?1",
                                -1, &st, NULL);
        if (rc != SQLITE_OK)
            return vx_fail_db(s, "cannot look up the rule set");
        sqlite3_bind_text(st, 1, o->ruleset, -1, SQLITE_STATIC);
    } else {
        /* rulesets.classified_at is kept by vocx_store_classify; rows
         * written by other means fall back to reading their times */
        rc = sqlite3_prepare_v2(
            s->db,
            "SELECT r.ruleset_id, r.hash FROM rulesets r"
            " WHERE EXISTS (SELECT 1 FROM classifications c"
            "  WHERE c.ruleset_id = r.ruleset_id)"
            " ORDER BY coalesce(r.classified_at, (SELECT max(c.classified_at)"
            "  FROM classifications c WHERE c.ruleset_id = r.ruleset_id))"
            " DESC, r.ruleset_id DESC LIMIT 1",
            -1, &st, NULL);
        if (rc != SQLITE_OK)
            return vx_fail_db(s, "cannot look up the rule set");
    }
    int found = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (found++) {
            sqlite3_finalize(st);
            return vx_fail(s, VOCX_EINVAL,
                           "rule set \"%s\" is ambiguous: give more of the "
                           "hash",
                           o->ruleset);
        }
        *ruleset_id = sqlite3_column_int64(st, 0);
        vx_snprintf(hash, 65, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return vx_fail_db(s, "cannot look up the rule set");
    if (!found)
        return vx_fail(s, VOCX_ENOTFOUND,
                       o->ruleset ? "no rule set with hash \"%s\""
                                  : "no classified comments yet: run `vocx "
                                    "classify` first%s",
                       o->ruleset ? o->ruleset : "");
    if (o->clv_model_id > 0) {
        *model_id = o->clv_model_id;
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT model_id FROM clv_models WHERE"
                                " model_id = ?1",
                                -1, &st, NULL);
        if (rc == SQLITE_OK)
            sqlite3_bind_int64(st, 1, o->clv_model_id);
    } else {
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT max(model_id) FROM clv_models", -1,
                                &st, NULL);
    }
    if (rc != SQLITE_OK)
        return vx_fail_db(s, "cannot look up the CLV model");
    rc = sqlite3_step(st);
    int have = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (have)
        *model_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!have)
        return vx_fail(s, VOCX_ENOTFOUND,
                       o->clv_model_id > 0
                           ? "no CLV model %lld"
                           : "no CLV values yet: run `vocx clv fit` first%.0lld",
                       (long long)o->clv_model_id);
    return VOCX_OK;
}

static int load_issues(vocx_store *s, vocx_ranking *rk, int64_t ruleset_id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT block, issue_id, label, kind, owner,"
                           " severity FROM issues WHERE ruleset_id = ?1"
                           " ORDER BY issue_id",
                           -1, &st, NULL) != SQLITE_OK)
        return vx_fail_db(s, "cannot read issues");
    sqlite3_bind_int64(st, 1, ruleset_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (rk->nissues == cap) {
            cap = cap ? 2 * cap : 64;
            issue_acc *n = realloc(rk->issues, cap * sizeof *n);
            if (!n)
                goto nomem;
            rk->issues = n;
        }
        issue_acc *a = &rk->issues[rk->nissues];
        memset(a, 0, sizeof *a);
        rk->nissues++;
        for (int k = 0; k < 5; k++) {
            const char *v = (const char *)sqlite3_column_text(st, k);
            if (v && !(a->strs[k] = dupstr(v)))
                goto nomem;
        }
        a->row.block = a->strs[0];
        a->row.issue = a->strs[1];
        a->row.label = a->strs[2];
        a->row.kind = a->strs[3];
        a->row.owner = a->strs[4];
        a->row.severity = sqlite3_column_double(st, 5);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return vx_fail_db(s, "cannot read issues");
    return VOCX_OK;
nomem:
    sqlite3_finalize(st);
    return vx_fail(s, VOCX_ENOMEM, "out of memory");
}

static int issue_selected(const issue_acc *a, const vocx_rank_options *o)
{
    if (o->block && strcmp(a->row.block, o->block))
        return 0;
    if (o->kind && strcmp(a->row.kind, kind_name(o->kind)))
        return 0;
    return 1;
}

static int add_unmatched(vocx_ranking *rk, const char *id)
{
    /* Rows arrive ordered by customer id: only compare with the last. */
    if (rk->nunmatched && !strcmp(rk->unmatched[rk->nunmatched - 1], id))
        return 0;
    if (rk->nunmatched == rk->capunmatched) {
        size_t cap = rk->capunmatched ? 2 * rk->capunmatched : 16;
        char **n = realloc(rk->unmatched, cap * sizeof *n);
        if (!n)
            return -1;
        rk->unmatched = n;
        rk->capunmatched = cap;
    }
    if (!(rk->unmatched[rk->nunmatched] = dupstr(id)))
        return -1;
    rk->nunmatched++;
    return 0;
}

/* The comment filter shared by the scan and the totals. */
#define FILTER_SQL                                                             \
    " AND (?3 IS NULL OR c.created_at >= ?3)"                                  \
    " AND (?4 IS NULL OR c.created_at < ?4)"                                   \
    " AND (?5 IS NULL OR c.channel = ?5)"                                      \
    " AND (?6 IS NULL OR cu.segment = ?6)"

/* One ordered pass computes the ranking and every total: each classified
 * comment that passes the filters, with its issues, grouped by customer.
 * Driven by comment id, the classification lookups walk their table in
 * order; the customer's CLV and CRM record come from two more streams in
 * the same customer order, merged in C rather than looked up row by row
 * (docs/performance.md). */
static const char SQL_SCAN[] =
    "SELECT c.customer_id, c.comment_id, cl.churn_cues, cl.positive_cues,"
    " vx_issue_codes(cl.issues, c.comment_id)"
    " FROM comments c"
    " CROSS JOIN classifications cl ON cl.comment_id = c.comment_id"
    "  AND cl.ruleset_id = ?1"
    " WHERE (?3 IS NULL OR c.created_at >= ?3)"
    " AND (?4 IS NULL OR c.created_at < ?4)"
    " AND (?5 IS NULL OR c.channel = ?5)"
    " ORDER BY c.customer_id IS NULL, c.customer_id, c.comment_id";

/* vx_issue_codes(issues, comment_id), for the scan: a comment's issues as
 * 4-byte little-endian indexes into the ranking's issues (UNKNOWN_ISSUE
 * for an id the rule set does not have), NULL when it raised none.  The
 * scan sorts its rows by customer: carrying these few bytes instead of
 * the JSON keeps the sort in memory (the JSON made it spill to disk). */
#define UNKNOWN_ISSUE UINT32_MAX

static void sql_issue_codes(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    vocx_ranking *rk = sqlite3_user_data(cx);
    const char *json = (const char *)sqlite3_value_text(argv[0]);
    if (!json)
        return; /* NULL */
    vx_issue_iter it;
    vx_issue_iter_init(&it, json, (size_t)sqlite3_value_bytes(argv[0]));
    unsigned char one[64], *out = one;
    size_t n = 0, cap = sizeof one;
    char id[VX_ISSUE_ID_MAX + 1];
    int r;
    while ((r = vx_issue_next(&it, id)) == 1) {
        if (n + 4 > cap) {
            unsigned char *m = malloc(2 * cap);
            if (!m) {
                if (out != one)
                    free(out);
                sqlite3_result_error_nomem(cx);
                return;
            }
            memcpy(m, out, n);
            if (out != one)
                free(out);
            out = m;
            cap *= 2;
        }
        issue_acc *a = find_issue(rk, id);
        uint32_t v = a ? (uint32_t)(a - rk->issues) : UNKNOWN_ISSUE;
        for (int k = 0; k < 4; k++)
            out[n++] = (unsigned char)(v >> (8 * k));
    }
    if (r < 0) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "classification of comment %lld: its issues are not a JSON "
                 "array of arrays",
                 (long long)sqlite3_value_int64(argv[1]));
        sqlite3_result_error(cx, msg, -1);
    } else if (n) {
        sqlite3_result_blob(cx, out, (int)n, SQLITE_TRANSIENT);
    }
    if (out != one)
        free(out);
}

/* The two customer streams, in the same (BINARY) order as the scan. */
static const char SQL_CLV_STREAM[] =
    "SELECT customer_id, clv FROM customer_clv WHERE model_id = ?1"
    " ORDER BY customer_id";
static const char SQL_CRM_STREAM[] =
    "SELECT customer_id, churn_prob, segment FROM temp.vx_customers"
    " ORDER BY customer_id";

typedef struct filter_vals {
    char since[21], until[21];
    int have_since, have_until;
} filter_vals;

/* The filters on the comment itself: ?3 since, ?4 until, ?5 channel. */
static void bind_comment_filters(sqlite3_stmt *st, const vocx_rank_options *o,
                                 const filter_vals *f)
{
    if (f->have_since)
        sqlite3_bind_text(st, 3, f->since, -1, SQLITE_STATIC);
    if (f->have_until)
        sqlite3_bind_text(st, 4, f->until, -1, SQLITE_STATIC);
    if (o->channel)
        sqlite3_bind_text(st, 5, o->channel, -1, SQLITE_STATIC);
}

static void bind_filters(sqlite3_stmt *st, int64_t ruleset_id,
                         int64_t model_id, const vocx_rank_options *o,
                         const filter_vals *f)
{
    sqlite3_bind_int64(st, 1, ruleset_id);
    sqlite3_bind_int64(st, 2, model_id);
    bind_comment_filters(st, o, f);
    if (o->segment)
        sqlite3_bind_text(st, 6, o->segment, -1, SQLITE_STATIC);
}

/* Per-customer evidence collected for vocx_rank_explain. */
typedef struct cust_note {
    char *customer_id;
    double clv, risk, attributed;
    int known;
    int from_churn_prob;
} cust_note;

typedef struct scan_ctx {
    const char *explain_issue; /* NULL: plain ranking */
    cust_note *notes;
    size_t nnotes, capnotes;
} scan_ctx;

/* Close one customer's group: attribute their value across the issues
 * they raised.  The customer leaves with probability 1 - prod(1 - r_i)
 * when issues act independently; that amount of CLV is split across the
 * issues in proportion to r_i, so the split never exceeds the CLV. */
static int close_customer(vocx_ranking *rk, issue_acc **touched,
                          size_t ntouched, double clv, int known,
                          const char *customer_id, int from_churn_prob,
                          scan_ctx *x)
{
    double keep = 1.0, sum = 0.0;
    for (size_t i = 0; i < ntouched; i++) {
        keep *= 1.0 - touched[i]->cust_risk;
        sum += touched[i]->cust_risk;
    }
    double at_risk = clv * (1.0 - keep);
    for (size_t i = 0; i < ntouched; i++) {
        issue_acc *a = touched[i];
        double att = 0;
        if (known) {
            a->row.customers++;
            a->row.clv_total += clv;
            a->row.clv_at_risk += clv * a->cust_risk;
            att = sum > 0 ? at_risk * (a->cust_risk / sum) : 0;
            a->row.clv_at_risk_attributed += att;
        }
        if (x->explain_issue && !strcmp(a->row.issue, x->explain_issue)) {
            if (x->nnotes == x->capnotes) {
                size_t cap = x->capnotes ? 2 * x->capnotes : 32;
                cust_note *n = realloc(x->notes, cap * sizeof *n);
                if (!n)
                    return -1;
                x->notes = n;
                x->capnotes = cap;
            }
            cust_note *cn = &x->notes[x->nnotes];
            cn->customer_id = dupstr(customer_id);
            if (customer_id && !cn->customer_id)
                return -1;
            x->nnotes++;
            cn->clv = clv;
            cn->risk = a->cust_risk;
            cn->attributed = att;
            cn->known = known;
            cn->from_churn_prob = from_churn_prob;
        }
        a->cust_seen = 0;
        a->cust_risk = 0;
    }
    if (known)
        rk->totals.clv_at_risk_attributed += at_risk * (sum > 0 ? 1 : 0);
    return 0;
}

/* A stream of rows in customer id order, merged with the scan. */
typedef struct id_stream {
    sqlite3_stmt *st;
    int rc; /* SQLITE_ROW while on a row */
} id_stream;

/* Move the stream to customer `id`, past every row before it: 1 when it
 * has the customer, 0 when not, -1 on a database error. */
static int id_seek(id_stream *z, const unsigned char *id, int n)
{
    while (z->rc == SQLITE_ROW) {
        const unsigned char *k = sqlite3_column_text(z->st, 0);
        if (k) {
            int c = vx_binary_cmp(k, (size_t)sqlite3_column_bytes(z->st, 0),
                                  id, (size_t)n);
            if (c == 0)
                return 1;
            if (c > 0)
                return 0;
        }
        z->rc = sqlite3_step(z->st);
    }
    return z->rc == SQLITE_DONE ? 0 : -1;
}

/* The customer whose rows the scan is in. */
typedef struct group {
    char *id;   /* NULL: anonymous comments */
    int idlen;
    int active; /* a group has started */
    int skip;   /* filtered out by segment */
    int known;  /* has a CLV */
    int has_cp; /* the CRM has a churn probability */
    double clv; /* for attribution: 0 when unknown, negative or not finite */
    double cp;
} group;

static int start_group(vocx_ranking *rk, group *g, const unsigned char *id,
                       int n, id_stream *clv, id_stream *crm,
                       const vocx_rank_options *o)
{
    free(g->id);
    memset(g, 0, sizeof *g);
    g->active = 1;
    if (!id) {
        g->skip = o->segment != NULL; /* no segment without a customer */
        return 0;
    }
    if (!(g->id = malloc((size_t)n + 1)))
        return VOCX_ENOMEM;
    memcpy(g->id, id, (size_t)n);
    g->id[n] = '\0';
    g->idlen = n;
    int fc = id_seek(clv, id, n), fr = id_seek(crm, id, n);
    if (fc < 0 || fr < 0)
        return VOCX_EIO;
    if (o->segment) {
        const char *seg =
            fr ? (const char *)sqlite3_column_text(crm->st, 2) : NULL;
        if (!seg || strcmp(seg, o->segment)) {
            g->skip = 1;
            return 0;
        }
    }
    if (fr && sqlite3_column_type(crm->st, 1) != SQLITE_NULL) {
        g->has_cp = 1;
        g->cp = sqlite3_column_double(crm->st, 1);
    }
    vocx_ranking_totals *t = &rk->totals;
    if (fc) {
        double v = sqlite3_column_double(clv->st, 1);
        g->known = 1;
        g->clv = isfinite(v) && v >= 0 ? v : 0;
        t->customers++;
        t->clv_total += v;
    } else {
        t->unmatched_customers++;
        if (add_unmatched(rk, g->id))
            return VOCX_ENOMEM;
    }
    return 0;
}

/* The scan in bounded memory: SQLite sorts the rows by customer. */
static int scan_sorted(vocx_store *s, vocx_ranking *rk, int64_t ruleset_id,
                       int64_t model_id, const vocx_rank_options *o,
                       const filter_vals *f, scan_ctx *x)
{
    sqlite3_stmt *st = NULL;
    id_stream clv = {NULL, SQLITE_DONE}, crm = {NULL, SQLITE_DONE};
    issue_acc **touched = NULL;
    group g = {0};
    int rc = VOCX_OK, r;
    /* on this connection for this scan only (removed below) */
    if (sqlite3_create_function(s->db, "vx_issue_codes", 2, SQLITE_UTF8, rk,
                                sql_issue_codes, NULL, NULL) != SQLITE_OK)
        return vx_fail_db(s, "cannot read classifications");
    if (sqlite3_prepare_v2(s->db, SQL_SCAN, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, SQL_CLV_STREAM, -1, &clv.st, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(s->db, SQL_CRM_STREAM, -1, &crm.st, NULL) !=
            SQLITE_OK) {
        rc = vx_fail_db(s, "cannot read classifications");
        goto done;
    }
    sqlite3_bind_int64(st, 1, ruleset_id);
    bind_comment_filters(st, o, f);
    sqlite3_bind_int64(clv.st, 1, model_id);
    clv.rc = sqlite3_step(clv.st);
    crm.rc = sqlite3_step(crm.st);
    touched = calloc(rk->nissues ? rk->nissues : 1, sizeof *touched);
    if (!touched) {
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto done;
    }
    vocx_ranking_totals *t = &rk->totals;
    size_t ntouched = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *cust = sqlite3_column_text(st, 0);
        int clen = sqlite3_column_bytes(st, 0);
        int new_group = !g.active || (cust == NULL) != (g.id == NULL) ||
                        (cust && vx_binary_cmp(cust, (size_t)clen, g.id,
                                               (size_t)g.idlen));
        if (new_group) {
            if (ntouched && close_customer(rk, touched, ntouched, g.clv,
                                           g.known, g.id, g.has_cp, x)) {
                rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
                goto done;
            }
            ntouched = 0;
            int e = start_group(rk, &g, cust, clen, &clv, &crm, o);
            if (e == VOCX_ENOMEM) {
                rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
                goto done;
            }
            if (e) {
                rc = vx_fail_db(s, "cannot read customer values");
                goto done;
            }
        }
        if (g.skip)
            continue;
        t->comments++;
        if (!cust)
            t->anonymous_comments++;
        else if (!g.known)
            t->unmatched_comments++;
        const unsigned char *codes = sqlite3_column_blob(st, 4);
        size_t ncodes = (size_t)sqlite3_column_bytes(st, 4) / 4;
        if (ncodes)
            t->classified++; /* raised at least one issue */
        for (size_t k = 0; k < ncodes; k++) {
            const unsigned char *b = codes + 4 * k;
            uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                         (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            if (v == UNKNOWN_ISSUE || v >= rk->nissues)
                continue;
            issue_acc *a = &rk->issues[v];
            if (!issue_selected(a, o))
                continue;
            /* Anonymous comments: every issue is a group of its own. */
            if (!cust && ntouched) {
                if (close_customer(rk, touched, ntouched, g.clv, g.known,
                                   NULL, g.has_cp, x)) {
                    rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
                    goto done;
                }
                ntouched = 0;
            }
            double risk = issue_risk(a, g.has_cp, g.cp,
                                     sqlite3_column_int(st, 2),
                                     sqlite3_column_int(st, 3), o);
            a->row.comments++;
            if (!g.known)
                a->row.unmatched++;
            if (!a->cust_seen) {
                a->cust_seen = 1;
                a->cust_risk = risk;
                touched[ntouched++] = a;
            } else if (risk > a->cust_risk) {
                a->cust_risk = risk; /* the strongest statement counts */
            }
        }
    }
    if (r != SQLITE_DONE) {
        rc = vx_fail_db(s, "cannot read classifications");
        goto done;
    }
    if (ntouched && close_customer(rk, touched, ntouched, g.clv, g.known,
                                   g.id, g.has_cp, x))
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
done:
    free(g.id);
    free(touched);
    sqlite3_finalize(st);
    sqlite3_finalize(clv.st);
    sqlite3_finalize(crm.st);
    sqlite3_create_function(s->db, "vx_issue_codes", 2, SQLITE_UTF8, NULL,
                            NULL, NULL, NULL);
    return rc;
}

/* The rows of the grouped scan: classifications in comment order, each
 * with its comment (a rowid lookup), unsorted. */
static const char SQL_ROWS[] =
    "SELECT c.customer_id, cl.churn_cues, cl.positive_cues, cl.issues,"
    " c.comment_id"
    " FROM classifications cl"
    " CROSS JOIN comments c ON c.comment_id = cl.comment_id"
    " WHERE cl.ruleset_id = ?1"
    " AND (?3 IS NULL OR c.created_at >= ?3)"
    " AND (?4 IS NULL OR c.created_at < ?4)"
    " AND (?5 IS NULL OR c.channel = ?5)";

#define OVER_BUDGET 1 /* scan_grouped: the sorted scan must do it */

/* What anonymous comments add: each is counted where it stands. */
typedef struct anon_acc {
    uint64_t comments, classified;
    uint64_t *per_issue; /* occurrences of each issue */
} anon_acc;

#define ANONYMOUS UINT32_MAX /* a comment without a customer */

/* One row's issues: into customer ci's entry, or the anonymous counts.
 * -1 when the JSON is malformed, OVER_BUDGET, or 0. */
static int add_row(vocx_ranking *rk, vx_custmap *m, anon_acc *an,
                   const vocx_rank_options *o, uint32_t ci, int cue,
                   const char *json, size_t jlen)
{
    int cust = ci != ANONYMOUS;
    uint64_t n = 0;
    if (json) {
        vx_issue_iter it;
        vx_issue_iter_init(&it, json, jlen);
        char id[VX_ISSUE_ID_MAX + 1];
        int r;
        while ((r = vx_issue_next(&it, id)) == 1) {
            n++;
            issue_acc *a = find_issue(rk, id);
            if (!a || !issue_selected(a, o))
                continue;
            uint32_t v = (uint32_t)(a - rk->issues);
            if (!cust)
                an->per_issue[v]++;
            else if (vx_custmap_raise(m, ci, v, cue))
                return OVER_BUDGET;
        }
        if (r < 0)
            return -1;
    }
    if (!cust) {
        an->comments++;
        an->classified += n > 0;
    } else {
        m->custs[ci].comments++;
        m->custs[ci].classified += n > 0;
    }
    return 0;
}

/* Customers in id order, each with the CLV and CRM streams, as the sorted
 * scan meets them: the same sums in the same order, so the same figures
 * to the last bit. */
static int close_grouped(vocx_store *s, vocx_ranking *rk, vx_custmap *m,
                         int64_t model_id, const vocx_rank_options *o,
                         scan_ctx *x)
{
    id_stream clv = {NULL, SQLITE_DONE}, crm = {NULL, SQLITE_DONE};
    group g = {0};
    vx_cust_ref *refs = vx_custmap_sorted(m);
    issue_acc **touched = calloc(rk->nissues ? rk->nissues : 1,
                                 sizeof *touched);
    int rc = VOCX_OK;
    if (!refs || !touched) {
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto done;
    }
    if (sqlite3_prepare_v2(s->db, SQL_CLV_STREAM, -1, &clv.st, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(s->db, SQL_CRM_STREAM, -1, &crm.st, NULL) !=
            SQLITE_OK) {
        rc = vx_fail_db(s, "cannot read customer values");
        goto done;
    }
    sqlite3_bind_int64(clv.st, 1, model_id);
    clv.rc = sqlite3_step(clv.st);
    crm.rc = sqlite3_step(crm.st);
    vocx_ranking_totals *t = &rk->totals;
    for (size_t i = 0; i < m->ncusts; i++) {
        /* read through the index, a customer may have no classified
         * comment: it is not in the ranking */
        if (!refs[i].cust->comments)
            continue;
        int e = start_group(rk, &g, (const unsigned char *)refs[i].id,
                            (int)refs[i].len, &clv, &crm, o);
        if (e) {
            rc = e == VOCX_ENOMEM
                     ? vx_fail(s, VOCX_ENOMEM, "out of memory")
                     : vx_fail_db(s, "cannot read customer values");
            goto done;
        }
        if (g.skip)
            continue;
        const vx_cust *c = refs[i].cust;
        t->comments += c->comments;
        t->classified += c->classified;
        if (!g.known)
            t->unmatched_comments += c->comments;
        size_t ntouched = 0;
        for (uint32_t k = 0; k < c->nvec; k++) {
            const vx_cust_issue *ci = &m->issues[c->vec + k];
            issue_acc *a = &rk->issues[ci->key >> 2];
            unsigned cue = ci->key & 3;
            a->row.comments += ci->count;
            if (!g.known)
                a->row.unmatched += ci->count;
            /* the strongest cue gives the highest risk of any comment */
            a->cust_risk = issue_risk(a, g.has_cp, g.cp, cue == VX_CUE_CHURN,
                                      cue == VX_CUE_POSITIVE, o);
            a->cust_seen = 1;
            touched[ntouched++] = a;
        }
        if (ntouched && close_customer(rk, touched, ntouched, g.clv, g.known,
                                       g.id, g.has_cp, x)) {
            rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
            goto done;
        }
    }
done:
    free(g.id);
    free(refs);
    free(touched);
    sqlite3_finalize(clv.st);
    sqlite3_finalize(crm.st);
    return rc;
}

/* add_row for a row of SQL_ROWS or SQL_CLASSIFIED: churn and positive cue
 * counts in columns 1 and 2, the issues in 3, the comment id in `idcol`.
 * 0, OVER_BUDGET, or an error recorded on the store. */
static int add_stmt_row(vocx_store *s, vocx_ranking *rk, vx_custmap *m,
                        anon_acc *an, const vocx_rank_options *o,
                        uint32_t ci, sqlite3_stmt *st, int idcol)
{
    int cue = sqlite3_column_int(st, 1) > 0   ? VX_CUE_CHURN
              : sqlite3_column_int(st, 2) > 0 ? VX_CUE_POSITIVE
                                              : VX_CUE_NONE;
    const char *json = (const char *)sqlite3_column_text(st, 3);
    size_t jlen = (size_t)sqlite3_column_bytes(st, 3);
    int e = add_row(rk, m, an, o, ci, cue, json, jlen);
    if (e == -1)
        return vx_fail(s, VOCX_EDB,
                       "cannot read classifications: classification of "
                       "comment %lld: its issues are not a JSON array of "
                       "arrays",
                       (long long)sqlite3_column_int64(st, idcol));
    return e;
}

/* After the rows (the last step gave r): the anonymous comments' counts,
 * then every customer. */
static int close_map(vocx_store *s, vocx_ranking *rk, vx_custmap *m,
                     const anon_acc *an, int64_t model_id,
                     const vocx_rank_options *o, scan_ctx *x, int r)
{
    if (r != SQLITE_DONE)
        return vx_fail_db(s, "cannot read classifications");
    /* anonymous comments: no segment, and every issue a group of its own
     * with no value (close_customer would add nothing) */
    if (!o->segment) {
        vocx_ranking_totals *t = &rk->totals;
        t->comments += an->comments;
        t->anonymous_comments += an->comments;
        t->classified += an->classified;
        for (size_t i = 0; i < rk->nissues; i++) {
            rk->issues[i].row.comments += an->per_issue[i];
            rk->issues[i].row.unmatched += an->per_issue[i];
        }
    }
    return close_grouped(s, rk, m, model_id, o, x);
}

/* The scan grouped by customer in a hash map (custmap.h) rather than
 * sorted: OVER_BUDGET, having changed nothing, when the customers do not
 * fit in the store's rank_budget. */
static int scan_grouped(vocx_store *s, vocx_ranking *rk, int64_t ruleset_id,
                        int64_t model_id, const vocx_rank_options *o,
                        const filter_vals *f, scan_ctx *x)
{
    vx_custmap m;
    vx_custmap_init(&m, s->rank_budget);
    anon_acc an = {0, 0, calloc(rk->nissues ? rk->nissues : 1,
                                sizeof *an.per_issue)};
    sqlite3_stmt *st = NULL;
    int rc = VOCX_OK, r;
    if (!an.per_issue) {
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto done;
    }
    if (sqlite3_prepare_v2(s->db, SQL_ROWS, -1, &st, NULL) != SQLITE_OK) {
        rc = vx_fail_db(s, "cannot read classifications");
        goto done;
    }
    sqlite3_bind_int64(st, 1, ruleset_id);
    bind_comment_filters(st, o, f);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t ci = ANONYMOUS;
        /* A blob id (written by SQL; vocx writes text) is another id than
         * the text of the same bytes, and sorts after all text: the
         * sorted scan keeps it apart, the map would not. */
        if (sqlite3_column_type(st, 0) == SQLITE_BLOB) {
            rc = OVER_BUDGET;
            goto done;
        }
        const char *cust = (const char *)sqlite3_column_text(st, 0);
        if (cust) {
            int64_t k = vx_custmap_get(&m, cust,
                                       (size_t)sqlite3_column_bytes(st, 0));
            if (k < 0) {
                rc = OVER_BUDGET;
                goto done;
            }
            ci = (uint32_t)k;
        }
        if ((rc = add_stmt_row(s, rk, &m, &an, o, ci, st, 4)))
            goto done;
    }
    rc = close_map(s, rk, &m, &an, model_id, o, x, r);
done:
    sqlite3_finalize(st);
    vx_custmap_free(&m);
    free(an.per_issue);
    return rc;
}

/* Every comment's customer, read in customer order through the index
 * comments_customer (a few bytes per comment instead of the comments
 * table), and the classifications read alone, in their own order: the
 * scan when no filter needs the comments' other columns.  OVER_BUDGET,
 * having changed nothing, when it cannot be used: no index, a comment id
 * table over the budget, or a customer id that is not text. */
static const char SQL_COMMENT_SPAN[] =
    "SELECT max(comment_id), EXISTS (SELECT 1 FROM sqlite_schema WHERE"
    " type = 'index' AND name = 'comments_customer' AND tbl_name ="
    " 'comments') FROM comments";
static const char SQL_BY_CUSTOMER[] =
    "SELECT customer_id, comment_id FROM comments"
    " ORDER BY customer_id, comment_id";
static const char SQL_CLASSIFIED[] =
    "SELECT comment_id, churn_cues, positive_cues, issues"
    " FROM classifications WHERE ruleset_id = ?1";

#define NO_COMMENT (UINT32_MAX - 1) /* cust_of: no such comment */

static int scan_indexed(vocx_store *s, vocx_ranking *rk, int64_t ruleset_id,
                        int64_t model_id, const vocx_rank_options *o,
                        scan_ctx *x)
{
    sqlite3_stmt *st = NULL;
    uint32_t *cust_of = NULL; /* comment id -> customer, ANONYMOUS or
                                 NO_COMMENT */
    vx_custmap m;
    vx_custmap_init(&m, 0);
    anon_acc an = {0, 0, NULL};
    int rc = OVER_BUDGET, r;
    if (sqlite3_prepare_v2(s->db, SQL_COMMENT_SPAN, -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = vx_fail_db(s, "cannot read comments");
        goto done;
    }
    int64_t max_id = sqlite3_column_int64(st, 0);
    int have_index = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    st = NULL;
    size_t bytes = ((size_t)max_id + 1) * sizeof *cust_of;
    if (!have_index || max_id < 0 || max_id >= NO_COMMENT ||
        bytes > s->rank_budget)
        goto done;
    vx_custmap_init(&m, s->rank_budget - bytes);
    cust_of = malloc(bytes);
    an.per_issue = calloc(rk->nissues ? rk->nissues : 1, sizeof *an.per_issue);
    if (!cust_of || !an.per_issue) {
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto done;
    }
    for (int64_t i = 0; i <= max_id; i++)
        cust_of[i] = NO_COMMENT;

    if (sqlite3_prepare_v2(s->db, SQL_BY_CUSTOMER, -1, &st, NULL) !=
        SQLITE_OK) {
        rc = vx_fail_db(s, "cannot read comments");
        goto done;
    }
    const char *last = NULL; /* the last customer's id, in the map */
    size_t lastlen = 0;
    uint32_t ci = ANONYMOUS;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 1);
        if (id < 0 || id > max_id)
            goto done; /* not in the snapshot's span: cannot be */
        int type = sqlite3_column_type(st, 0);
        if (type == SQLITE_NULL) {
            cust_of[id] = ANONYMOUS;
            continue;
        }
        if (type != SQLITE_TEXT)
            goto done; /* ordered unlike text: the sorted scan does it */
        const char *cust = (const char *)sqlite3_column_text(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        if (!cust) {
            rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
            goto done;
        }
        if (!last || len != lastlen || memcmp(cust, last, len)) {
            if (last && vx_binary_cmp(last, lastlen, cust, len) > 0)
                goto done;
            int64_t k = vx_custmap_append(&m, cust, len);
            if (k < 0)
                goto done; /* over budget */
            ci = (uint32_t)k;
            vx_cust_ref ref = vx_custmap_ref(&m, ci);
            last = ref.id;
            lastlen = ref.len;
        }
        cust_of[id] = ci;
    }
    if (r != SQLITE_DONE) {
        rc = vx_fail_db(s, "cannot read comments");
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;

    if (sqlite3_prepare_v2(s->db, SQL_CLASSIFIED, -1, &st, NULL) !=
        SQLITE_OK) {
        rc = vx_fail_db(s, "cannot read classifications");
        goto done;
    }
    sqlite3_bind_int64(st, 1, ruleset_id);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        /* a classification whose comment is gone (foreign keys were off
         * when it was deleted) joins nothing, as in the other scans */
        if (id < 0 || id > max_id || cust_of[id] == NO_COMMENT)
            continue;
        /* Rows come in comment order, and the customers of the next
         * comments are known: fetch their entries, then their issues,
         * ahead of need (each is a cache miss, customers being random) */
        if (id + 16 <= max_id && cust_of[id + 16] < NO_COMMENT)
            VX_PREFETCH(&m.custs[cust_of[id + 16]]);
        if (id + 8 <= max_id && cust_of[id + 8] < NO_COMMENT && m.issues)
            VX_PREFETCH(m.issues + m.custs[cust_of[id + 8]].vec);
        if ((rc = add_stmt_row(s, rk, &m, &an, o, cust_of[id], st, 0)))
            goto done;
    }
    rc = close_map(s, rk, &m, &an, model_id, o, x, r);
done:
    sqlite3_finalize(st);
    vx_custmap_free(&m);
    free(an.per_issue);
    free(cust_of);
    return rc;
}

/* Group the classified comments by customer in memory when they fit,
 * through the customer index when no filter needs the comments' other
 * columns, else let SQLite sort them (docs/performance.md). */
static int scan(vocx_store *s, vocx_ranking *rk, int64_t ruleset_id,
                int64_t model_id, const vocx_rank_options *o,
                const filter_vals *f, scan_ctx *x)
{
    int rc = OVER_BUDGET;
    s->rank_last_scan = VX_SCAN_INDEXED;
    if (!f->have_since && !f->have_until && !o->channel && !s->rank_no_index)
        rc = scan_indexed(s, rk, ruleset_id, model_id, o, x);
    if (rc == OVER_BUDGET) {
        s->rank_last_scan = VX_SCAN_GROUPED;
        rc = scan_grouped(s, rk, ruleset_id, model_id, o, f, x);
    }
    if (rc == OVER_BUDGET) {
        s->rank_last_scan = VX_SCAN_SORTED;
        rc = scan_sorted(s, rk, ruleset_id, model_id, o, f, x);
    }
    return rc;
}

static int cmp_rows(const void *a, const void *b)
{
    const vocx_rank_row *x = a, *y = b;
    if (x->clv_at_risk_attributed != y->clv_at_risk_attributed)
        return x->clv_at_risk_attributed > y->clv_at_risk_attributed ? -1 : 1;
    if (x->clv_at_risk != y->clv_at_risk)
        return x->clv_at_risk > y->clv_at_risk ? -1 : 1;
    if (x->comments != y->comments)
        return x->comments > y->comments ? -1 : 1;
    return strcmp(x->issue, y->issue);
}

static int check_options(vocx_store *s, const vocx_rank_options *o,
                         filter_vals *f)
{
    memset(f, 0, sizeof *f);
    if (o->version != VOCX_RANK_OPTIONS_VERSION)
        return vx_fail(s, VOCX_EINVAL,
                       "unsupported vocx_rank_options version %u", o->version);
    if (!(o->churn_uplift >= 0 && o->churn_uplift <= 1) ||
        !(o->positive_damping >= 0 && o->positive_damping <= 1))
        return vx_fail(s, VOCX_EINVAL,
                       "churn_uplift and positive_damping must lie in [0, 1]");
    if (o->kind < 0 || o->kind > VOCX_KIND_PRAISE)
        return vx_fail(s, VOCX_EINVAL, "unknown issue kind %d", o->kind);
    int64_t secs;
    if (o->since) {
        if (vx_time_parse(o->since, strlen(o->since), &secs, NULL))
            return vx_fail(s, VOCX_EINVAL, "since: unparseable date \"%s\"",
                           o->since);
        vx_time_format(secs, f->since);
        f->have_since = 1;
    }
    if (o->until) {
        if (vx_time_parse(o->until, strlen(o->until), &secs, NULL))
            return vx_fail(s, VOCX_EINVAL, "until: unparseable date \"%s\"",
                           o->until);
        vx_time_format(secs, f->until);
        f->have_until = 1;
    }
    return VOCX_OK;
}

static void json_str(char *buf, size_t cap, size_t *o, const char *key,
                     const char *v)
{
    size_t n = *o;
    if (n >= cap)
        return;
    int w = snprintf(buf + n, cap - n, "%s\"%s\": ", n > 1 ? ", " : "", key);
    if (w < 0)
        return;
    n += (size_t)w;
    if (!v) {
        w = snprintf(buf + n, n < cap ? cap - n : 0, "null");
    } else {
        if (n < cap)
            buf[n++] = '"';
        for (; *v && n + 8 < cap; v++) {
            unsigned char c = (unsigned char)*v;
            if (c == '"' || c == '\\') {
                buf[n++] = '\\';
                buf[n++] = (char)c;
            } else if (c < 0x20) {
                n += (size_t)snprintf(buf + n, cap - n, "\\u%04x", c);
            } else {
                buf[n++] = (char)c;
            }
        }
        w = snprintf(buf + n, n < cap ? cap - n : 0, "\"");
    }
    *o = n + (w > 0 ? (size_t)w : 0);
}

static int record_run(vocx_store *s, vocx_ranking *rk, int64_t ruleset_id,
                      int64_t model_id, const vocx_rank_options *o)
{
    char filters[1024] = "{", params[256], summary[512], now[21];
    size_t n = 1;
    json_str(filters, sizeof filters, &n, "since", o->since);
    json_str(filters, sizeof filters, &n, "until", o->until);
    json_str(filters, sizeof filters, &n, "channel", o->channel);
    json_str(filters, sizeof filters, &n, "segment", o->segment);
    json_str(filters, sizeof filters, &n, "block", o->block);
    json_str(filters, sizeof filters, &n, "kind",
             o->kind ? kind_name(o->kind) : NULL);
    if (n + 2 < sizeof filters) {
        filters[n++] = '}';
        filters[n] = '\0';
    }
    vx_snprintf(params, sizeof params,
                "{\"churn_uplift\": %.17g, \"positive_damping\": %.17g}",
                o->churn_uplift, o->positive_damping);
    const vocx_ranking_totals *t = &rk->totals;
    vx_snprintf(summary, sizeof summary,
                "{\"issues\": %zu, \"comments\": %llu, \"customers\": %llu, "
                "\"clv_total\": %.2f, \"clv_at_risk_attributed\": %.2f, "
                "\"unmatched_comments\": %llu}",
                rk->nrows, (unsigned long long)t->comments,
                (unsigned long long)t->customers, t->clv_total,
                t->clv_at_risk_attributed,
                (unsigned long long)t->unmatched_comments);
    vx_now_iso(now);
    static const char sql[] =
        "INSERT INTO analysis_runs(kind, started_at, ruleset_id, model_id,"
        " filters, params, summary) VALUES ('rank', ?1, ?2, ?3, ?4, ?5, ?6)";
    sqlite3_stmt *st = vx_stmt(s, sql);
    if (!st)
        return s->errcode;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, ruleset_id);
    sqlite3_bind_int64(st, 3, model_id);
    sqlite3_bind_text(st, 4, filters, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, params, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, summary, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vx_fail_db(s, "cannot record the ranking run");
    rk->totals.run_id = sqlite3_last_insert_rowid(s->db);
    return VOCX_OK;
}

/* Compute a ranking inside one read transaction (a consistent snapshot
 * even while other processes ingest or classify). */
static int compute(vocx_store *s, const vocx_rank_options *o,
                   vocx_ranking **out, scan_ctx *x)
{
    filter_vals f;
    int rc = check_options(s, o, &f);
    if (rc)
        return rc;
    vocx_ranking *rk = calloc(1, sizeof *rk);
    if (!rk)
        return vx_fail(s, VOCX_ENOMEM, "out of memory");
    int64_t ruleset_id = 0, model_id = 0;
    /* inside the caller's snapshot, read that one */
    int own = !s->snapshot;
    if (o->record && s->snapshot) {
        rc = vx_fail(s, VOCX_EINVAL, "a ranking run cannot be recorded "
                                     "inside a read snapshot");
        goto fail;
    }
    if ((rc = vx_crm_refresh(s)) || (own && (rc = vx_exec(s, "BEGIN"))))
        goto fail;
    if ((rc = resolve(s, o, &ruleset_id, rk->ruleset_hash, &model_id)) ||
        (rc = load_issues(s, rk, ruleset_id)) ||
        (rc = vx_cache_stream(s, 1)) ||
        (rc = scan(s, rk, ruleset_id, model_id, o, &f, x)) ||
        (rc = vx_cache_stream(s, 0)))
        goto fail;
    if (own)
        vx_exec(s, "COMMIT");
    rk->rows = malloc((rk->nissues ? rk->nissues : 1) * sizeof *rk->rows);
    if (!rk->rows) {
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < rk->nissues; i++)
        if (rk->issues[i].row.comments > 0)
            rk->rows[rk->nrows++] = rk->issues[i].row;
    qsort(rk->rows, rk->nrows, sizeof *rk->rows, cmp_rows);
    rk->totals.clv_model_id = model_id;
    rk->totals.ruleset = rk->ruleset_hash;
    if (o->record && !s->readonly) {
        if ((rc = vx_begin(s)) || (rc = record_run(s, rk, ruleset_id, model_id, o)) ||
            (rc = vx_commit(s)))
            goto fail;
    }
    *out = rk;
    return VOCX_OK;
fail:
    vx_cache_stream(s, 0);
    vx_rollback(s);
    vocx_ranking_free(rk);
    return rc;
}

int vocx_rank(vocx_ranking **out, vocx_store *s, const vocx_rank_options *o)
{
    if (out)
        *out = NULL;
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!out)
        return vx_fail(s, VOCX_EINVAL, "no output given");
    vocx_rank_options defaults = VOCX_RANK_OPTIONS_INIT;
    scan_ctx x = {NULL, NULL, 0, 0};
    return compute(s, o ? o : &defaults, out, &x);
}

size_t vocx_ranking_count(const vocx_ranking *rk) { return rk ? rk->nrows : 0; }

const vocx_rank_row *vocx_ranking_row(const vocx_ranking *rk, size_t i)
{
    return rk && i < rk->nrows ? &rk->rows[i] : NULL;
}

int vocx_ranking_totals_get(const vocx_ranking *rk, vocx_ranking_totals *out)
{
    if (!rk || !out)
        return VOCX_EINVAL;
    *out = rk->totals;
    return VOCX_OK;
}

const char *vocx_ranking_unmatched(const vocx_ranking *rk, size_t i)
{
    return rk && i < rk->nunmatched ? rk->unmatched[i] : NULL;
}

/* ---- explain -------------------------------------------------------- */

static int cmp_notes_id(const void *a, const void *b)
{
    const cust_note *x = a, *y = b;
    return strcmp(x->customer_id, y->customer_id);
}

/* One comment behind the issue, with its customer's figures. */
typedef struct ev_row {
    vocx_evidence ev;
    char *strs[7]; /* customer, clv source, comment id, date, channel, text,
                      spans */
    int64_t comment_id;
} ev_row;

static int cmp_ev(const void *a, const void *b)
{
    const ev_row *x = a, *y = b;
    if (x->ev.clv_at_risk_attributed != y->ev.clv_at_risk_attributed)
        return x->ev.clv_at_risk_attributed > y->ev.clv_at_risk_attributed
                   ? -1
                   : 1;
    if (x->ev.known != y->ev.known)
        return y->ev.known - x->ev.known;
    const char *cx = x->ev.customer_id, *cy = y->ev.customer_id;
    if (!cx || !cy) {
        if (cx != cy)
            return cx ? -1 : 1; /* anonymous last */
    } else if (strcmp(cx, cy)) {
        return strcmp(cx, cy);
    }
    const char *tx = x->ev.created_at, *ty = y->ev.created_at;
    if (!tx || !ty) {
        if (tx != ty)
            return tx ? -1 : 1; /* undated last */
    } else if (strcmp(tx, ty)) {
        return strcmp(tx, ty);
    }
    return x->comment_id < y->comment_id ? -1 : x->comment_id > y->comment_id;
}

/* The comments behind one issue: classifications holding it, found by
 * its quoted id in the JSON (cheap), then confirmed element by element. */
static const char SQL_EVIDENCE[] =
    "SELECT c.customer_id, cc.source, c.source_id, c.created_at, c.channel,"
    " c.text, json_extract(j.value, '$[3]'),"
    " json_extract(j.value, '$[1]'), cl.churn_cues, cl.positive_cues,"
    " c.comment_id"
    " FROM classifications cl"
    " JOIN comments c ON c.comment_id = cl.comment_id"
    " JOIN json_each(cl.issues) j"
    " LEFT JOIN customer_clv cc ON cc.model_id = ?2"
    "  AND cc.customer_id = c.customer_id"
    " LEFT JOIN temp.vx_customers cu ON cu.customer_id = c.customer_id"
    " WHERE cl.ruleset_id = ?1 AND instr(cl.issues, json_quote(?7)) > 0"
    " AND json_extract(j.value, '$[0]') = ?7" FILTER_SQL;

static void free_ev_rows(ev_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 7; k++)
            free(rows[i].strs[k]);
    free(rows);
}

int vocx_rank_explain(vocx_store *s, const vocx_rank_options *o,
                      const char *issue_id, vocx_evidence_cb cb, void *payload)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!issue_id || !cb)
        return vx_fail(s, VOCX_EINVAL, "an issue id and a callback are needed");
    vocx_rank_options defaults = VOCX_RANK_OPTIONS_INIT;
    if (!o)
        o = &defaults;
    vocx_rank_options oo = *o;
    oo.record = 0;
    scan_ctx x = {issue_id, NULL, 0, 0};
    vocx_ranking *rk = NULL;
    ev_row *rows = NULL;
    size_t nrows = 0, caprows = 0;
    sqlite3_stmt *st = NULL;
    int rc = compute(s, &oo, &rk, &x);
    if (rc)
        goto done;
    issue_acc *a = find_issue(rk, issue_id);
    if (!a) {
        rc = vx_fail(s, VOCX_ENOTFOUND, "no issue \"%s\" in rule set %.12s",
                     issue_id, rk->ruleset_hash);
        goto done;
    }
    /* Notes of identified customers, by id; anonymous comments are
     * scored one by one below. */
    size_t nid = 0;
    for (size_t i = 0; i < x.nnotes; i++)
        if (x.notes[i].customer_id)
            x.notes[nid++] = x.notes[i];
        else
            free(x.notes[i].customer_id);
    x.nnotes = nid;
    if (nid)
        qsort(x.notes, nid, sizeof *x.notes, cmp_notes_id);
    filter_vals f;
    check_options(s, &oo, &f);
    int64_t ruleset_id = 0, model_id = 0;
    char hash[65];
    if ((rc = resolve(s, &oo, &ruleset_id, hash, &model_id)))
        goto done;
    if (sqlite3_prepare_v2(s->db, SQL_EVIDENCE, -1, &st, NULL) != SQLITE_OK) {
        rc = vx_fail_db(s, "cannot read evidence");
        goto done;
    }
    bind_filters(st, ruleset_id, model_id, &oo, &f);
    sqlite3_bind_text(st, 7, issue_id, -1, SQLITE_STATIC);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (nrows == caprows) {
            size_t cap = caprows ? 2 * caprows : 64;
            ev_row *n = realloc(rows, cap * sizeof *n);
            if (!n)
                goto nomem;
            rows = n;
            caprows = cap;
        }
        ev_row *e = &rows[nrows];
        memset(e, 0, sizeof *e);
        nrows++;
        static const int cols[7] = {0, 1, 2, 3, 4, 5, 6};
        for (int k = 0; k < 7; k++) {
            const char *v = (const char *)sqlite3_column_text(st, cols[k]);
            if (v && !(e->strs[k] = dupstr(v)))
                goto nomem;
        }
        vocx_evidence *ev = &e->ev;
        ev->issue = a->row.issue;
        ev->customer_id = e->strs[0];
        ev->clv_source = e->strs[1];
        ev->comment_id = e->strs[2];
        ev->created_at = e->strs[3];
        ev->channel = e->strs[4];
        ev->text = e->strs[5];
        ev->spans = e->strs[6];
        ev->rule_line = (uint32_t)sqlite3_column_int(st, 7);
        ev->churn_cues = sqlite3_column_int(st, 8);
        ev->positive_cues = sqlite3_column_int(st, 9);
        e->comment_id = sqlite3_column_int64(st, 10);
        cust_note key, *cn = NULL;
        if (ev->customer_id && nid) {
            key.customer_id = (char *)ev->customer_id;
            cn = bsearch(&key, x.notes, nid, sizeof *x.notes, cmp_notes_id);
        }
        if (cn) {
            ev->known = cn->known;
            ev->clv = cn->clv;
            ev->risk = cn->risk;
            ev->risk_source =
                cn->from_churn_prob ? "churn_probability" : "severity";
            ev->clv_at_risk_attributed = cn->attributed;
        } else {
            ev->risk = issue_risk(a, 0, 0, ev->churn_cues, ev->positive_cues,
                                  &oo);
            ev->risk_source = "severity";
        }
    }
    if (r != SQLITE_DONE) {
        rc = vx_fail_db(s, "cannot read evidence");
        goto done;
    }
    if (nrows)
        qsort(rows, nrows, sizeof *rows, cmp_ev);
    for (size_t i = 0; i < nrows; i++)
        if (cb(&rows[i].ev, payload)) {
            rc = vx_fail(s, VOCX_ECANCEL, "stopped by the callback");
            break;
        }
    goto done;
nomem:
    rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
done:
    sqlite3_finalize(st);
    free_ev_rows(rows, nrows);
    for (size_t i = 0; i < x.nnotes; i++)
        free(x.notes[i].customer_id);
    free(x.notes);
    vocx_ranking_free(rk);
    return rc;
}

int vocx_store_customer_value(vocx_store *s, const char *customer_id,
                              int64_t clv_model_id, vocx_customer_value *out)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!customer_id || !out)
        return vx_fail(s, VOCX_EINVAL, "a customer id and an output are needed");
    memset(out, 0, sizeof *out);
    int rc = vx_crm_refresh(s);
    if (rc)
        return rc;
    static const char sql[] =
        "SELECT m.model_id, cc.clv, cc.source, cu.churn_prob, cu.segment"
        " FROM (SELECT CASE WHEN ?2 > 0 THEN ?2 ELSE"
        "        (SELECT max(model_id) FROM clv_models) END AS model_id) m"
        " LEFT JOIN customer_clv cc ON cc.model_id = m.model_id"
        "  AND cc.customer_id = ?1"
        " LEFT JOIN temp.vx_customers cu ON cu.customer_id = ?1";
    sqlite3_stmt *st = vx_stmt(s, sql);
    if (!st)
        return s->errcode;
    sqlite3_bind_text(st, 1, customer_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, clv_model_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = vx_fail_db(s, "cannot look up the customer");
        sqlite3_reset(st);
        return rc;
    }
    out->clv_model_id = sqlite3_column_int64(st, 0);
    if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
        out->known = 1;
        out->clv = sqlite3_column_double(st, 1);
        vx_snprintf(out->source, sizeof out->source, "%s",
                    (const char *)sqlite3_column_text(st, 2));
    }
    if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
        out->has_churn_probability = 1;
        out->churn_probability = sqlite3_column_double(st, 3);
    }
    if (sqlite3_column_type(st, 4) != SQLITE_NULL)
        vx_snprintf(out->segment, sizeof out->segment, "%s",
                    (const char *)sqlite3_column_text(st, 4));
    sqlite3_reset(st);
    return VOCX_OK;
}
