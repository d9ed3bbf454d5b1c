/* Ranking by CLV at risk: figures worked out by hand in the test, the
 * attribution invariant on random data, filters and explain. */
#include "testutil.h"
#include "custmap.h"
#include "issues_json.h"
#include "vocx_internal.h"

#include <math.h>

static void exec(vocx_store *s, const char *sql)
{
    ck_assert_msg(vx_exec(s, sql) == VOCX_OK, "%s: %s", sql,
                  vocx_store_errmsg(s));
}

/* Ranking streams through a small page cache: the usual one must be back
 * afterwards, whether the ranking failed or not. */
static void assert_usual_cache(vocx_store *s)
{
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(s->db, "PRAGMA cache_size", -1, &st,
                                        NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int64(st, 0), atoll(VX_CACHE_PRAGMA));
    sqlite3_finalize(st);
}

/* A: CLV 1000; B: CLV 500 with churn probability 0.4; C: CLV 0;
 * U: unknown to the CRM; one anonymous comment. */
static void small_dataset(vocx_store *s)
{
    exec(s,
         "INSERT INTO rulesets(ruleset_id, hash, loaded_at) VALUES"
         " (1, 'abc123', '2026-01-01T00:00:00Z');"
         "INSERT INTO issues VALUES"
         " (1, 'i1', 'improvement', 'Issue one', 'problem', 0.5, 'Ops'),"
         " (1, 'i2', 'culture', 'Issue two', 'problem', 0.2, 'CS'),"
         " (1, 'i3', 'innovation', 'Idea', 'opportunity', 0.1, 'Product');"
         "INSERT INTO customers(customer_id, churn_prob, segment) VALUES"
         " ('A', NULL, 'gold'), ('B', 0.4, 'silver'), ('C', NULL, 'gold');"
         "INSERT INTO clv_models(model_id, kind, fitted_at) VALUES"
         " (1, 'column', '2026-01-01T00:00:00Z');"
         "INSERT INTO customer_clv(model_id, customer_id, clv, source) VALUES"
         " (1, 'A', 1000, 'column'), (1, 'B', 500, 'column'),"
         " (1, 'C', 0, 'column');"
         "INSERT INTO comments(comment_id, source_id, customer_id, created_at,"
         " channel, text, ingested_at) VALUES"
         " (1, 'c1', 'A', '2026-01-01T00:00:00Z', 'email', 'x', 'now'),"
         " (2, 'c2', 'A', '2026-01-02T00:00:00Z', 'chat', 'x', 'now'),"
         " (3, 'c3', 'A', '2026-01-03T00:00:00Z', 'email', 'x', 'now'),"
         " (4, 'c4', 'B', '2026-01-04T00:00:00Z', 'email', 'x', 'now'),"
         " (5, 'c5', 'C', '2026-01-05T00:00:00Z', 'email', 'x', 'now'),"
         " (6, 'c6', 'U', '2026-01-06T00:00:00Z', 'email', 'x', 'now'),"
         " (7, 'c7', NULL, '2026-01-07T00:00:00Z', 'email', 'x', 'now'),"
         " (8, 'c8', 'B', '2026-01-08T00:00:00Z', 'email', 'fine', 'now');"
         /* c2 carries a churn cue, c3 a positive cue. */
         "INSERT INTO classifications(comment_id, ruleset_id, classified_at,"
         " churn_cues, positive_cues) VALUES"
         " (1, 1, 'now', 0, 0), (2, 1, 'now', 1, 0), (3, 1, 'now', 0, 1),"
         " (4, 1, 'now', 0, 0), (5, 1, 'now', 0, 0), (6, 1, 'now', 0, 0),"
         " (7, 1, 'now', 0, 0), (8, 1, 'now', 0, 0);"
         "INSERT INTO comment_issues(comment_id, ruleset_id, issue_id,"
         " rule_line, spans) VALUES"
         " (1, 1, 'i1', 10, '[[0,1]]'), (2, 1, 'i2', 20, '[[0,1]]'),"
         " (3, 1, 'i1', 11, '[[0,1]]'), (4, 1, 'i1', 10, '[[0,1]]'),"
         " (5, 1, 'i2', 20, '[[0,1]]'), (6, 1, 'i1', 10, '[[0,1]]'),"
         " (7, 1, 'i2', 21, '[[0,1]]');");
}

#define EPS 1e-6

START_TEST(test_hand_computed_ranking)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "rank.db");
    small_dataset(s);
    vocx_ranking *rk = NULL;
    vocx_rank_options o = VOCX_RANK_OPTIONS_INIT;
    o.record = 1;
    ck_assert_msg(vocx_rank(&rk, s, &o) == VOCX_OK, "%s", vocx_store_errmsg(s));
    assert_usual_cache(s);
    ck_assert_uint_eq(vocx_ranking_count(rk), 2);
    /* Risks: A/i1 = max(0.5 severity, 0.5 x 0.5 damped by the positive
     * cue) = 0.5; A/i2 = 0.2 + (1 - 0.2) x 0.5 (churn cue) = 0.6;
     * B/i1 = 0.4 (the CRM's churn probability); C/i2 = 0.2 with CLV 0.
     * A leaves with probability 1 - 0.5 x 0.4 = 0.8: 800 at risk, split
     * 0.5 : 0.6 -> 363.64 and 436.36.  B: 500 x 0.4 = 200. */
    const vocx_rank_row *r = vocx_ranking_row(rk, 0);
    ck_assert_str_eq(r->issue, "i1");
    ck_assert_str_eq(r->label, "Issue one");
    ck_assert_str_eq(r->owner, "Ops");
    ck_assert_uint_eq(r->comments, 4);  /* c1, c3, c4, c6 */
    ck_assert_uint_eq(r->customers, 2); /* A, B */
    ck_assert_uint_eq(r->unmatched, 1); /* U */
    ck_assert_double_eq_tol(r->clv_total, 1500, EPS);
    ck_assert_double_eq_tol(r->clv_at_risk, 1000 * 0.5 + 500 * 0.4, EPS);
    ck_assert_double_eq_tol(r->clv_at_risk_attributed,
                            800.0 * 0.5 / 1.1 + 200.0, EPS);
    r = vocx_ranking_row(rk, 1);
    ck_assert_str_eq(r->issue, "i2");
    ck_assert_uint_eq(r->comments, 3);  /* c2, c5, c7 */
    ck_assert_uint_eq(r->customers, 2); /* A, C */
    ck_assert_uint_eq(r->unmatched, 1); /* anonymous */
    ck_assert_double_eq_tol(r->clv_total, 1000, EPS);
    ck_assert_double_eq_tol(r->clv_at_risk, 1000 * 0.6, EPS);
    ck_assert_double_eq_tol(r->clv_at_risk_attributed, 800.0 * 0.6 / 1.1, EPS);
    ck_assert_ptr_null(vocx_ranking_row(rk, 2));

    vocx_ranking_totals t;
    ck_assert_int_eq(vocx_ranking_totals_get(rk, &t), VOCX_OK);
    ck_assert_uint_eq(t.comments, 8);
    ck_assert_uint_eq(t.classified, 7);
    ck_assert_uint_eq(t.customers, 3);
    ck_assert_uint_eq(t.unmatched_comments, 1);
    ck_assert_uint_eq(t.unmatched_customers, 1);
    ck_assert_uint_eq(t.anonymous_comments, 1);
    ck_assert_str_eq(vocx_ranking_unmatched(rk, 0), "U");
    ck_assert_double_eq_tol(t.clv_total, 1500, EPS);
    ck_assert_double_eq_tol(t.clv_at_risk_attributed, 1000, EPS);
    ck_assert_str_eq(t.ruleset, "abc123");
    ck_assert_int_gt(t.run_id, 0);
    vocx_ranking_free(rk);
    ck_assert_int_eq(
        tu_sql_int(db, "SELECT count(*) FROM analysis_runs WHERE kind = "
                       "'rank' AND ruleset_id = 1 AND model_id = 1"),
        1);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

START_TEST(test_filters)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "filters.db");
    small_dataset(s);
    vocx_ranking *rk = NULL;
    vocx_rank_options o = VOCX_RANK_OPTIONS_INIT;
    /* Only chat: c2 (A, i2, churn cue): A at risk 1000 x 0.6. */
    o.channel = "chat";
    ck_assert_int_eq(vocx_rank(&rk, s, &o), VOCX_OK);
    ck_assert_uint_eq(vocx_ranking_count(rk), 1);
    ck_assert_double_eq_tol(vocx_ranking_row(rk, 0)->clv_at_risk_attributed,
                            600, EPS);
    vocx_ranking_free(rk);
    /* Segment silver: only B. */
    o = (vocx_rank_options)VOCX_RANK_OPTIONS_INIT;
    o.segment = "silver";
    ck_assert_int_eq(vocx_rank(&rk, s, &o), VOCX_OK);
    ck_assert_uint_eq(vocx_ranking_count(rk), 1);
    ck_assert_str_eq(vocx_ranking_row(rk, 0)->issue, "i1");
    ck_assert_double_eq_tol(vocx_ranking_row(rk, 0)->clv_at_risk_attributed,
                            200, EPS);
    vocx_ranking_free(rk);
    /* Time window [Jan 3, Jan 5): c3 (A, i1, positive cue -> 0.25) and c4. */
    o = (vocx_rank_options)VOCX_RANK_OPTIONS_INIT;
    o.since = "2026-01-03";
    o.until = "2026-01-05";
    ck_assert_int_eq(vocx_rank(&rk, s, &o), VOCX_OK);
    ck_assert_uint_eq(vocx_ranking_count(rk), 1);
    ck_assert_double_eq_tol(vocx_ranking_row(rk, 0)->clv_at_risk,
                            1000 * 0.25 + 500 * 0.4, EPS);
    vocx_ranking_free(rk);
    /* Block filter; kind filter with no match. */
    o = (vocx_rank_options)VOCX_RANK_OPTIONS_INIT;
    o.block = "culture";
    ck_assert_int_eq(vocx_rank(&rk, s, &o), VOCX_OK);
    ck_assert_uint_eq(vocx_ranking_count(rk), 1);
    ck_assert_str_eq(vocx_ranking_row(rk, 0)->issue, "i2");
    /* Alone, A's i2 risk takes all of A's at-risk value. */
    ck_assert_double_eq_tol(vocx_ranking_row(rk, 0)->clv_at_risk_attributed,
                            600, EPS);
    vocx_ranking_free(rk);
    o = (vocx_rank_options)VOCX_RANK_OPTIONS_INIT;
    o.kind = VOCX_KIND_OPPORTUNITY;
    ck_assert_int_eq(vocx_rank(&rk, s, &o), VOCX_OK);
    ck_assert_uint_eq(vocx_ranking_count(rk), 0);
    vocx_ranking_free(rk);
    /* Bad options. */
    o = (vocx_rank_options)VOCX_RANK_OPTIONS_INIT;
    o.since = "last tuesday";
    ck_assert_int_eq(vocx_rank(&rk, s, &o), VOCX_EINVAL);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "last tuesday"));
    o = (vocx_rank_options)VOCX_RANK_OPTIONS_INIT;
    o.ruleset = "ffff";
    ck_assert_int_eq(vocx_rank(&rk, s, &o), VOCX_ENOTFOUND);
    o = (vocx_rank_options)VOCX_RANK_OPTIONS_INIT;
    o.ruleset = "abc";
    ck_assert_int_eq(vocx_rank(&rk, s, &o), VOCX_OK); /* hash prefix */
    vocx_ranking_free(rk);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

typedef struct ev_log {
    int n;
    char cust[16][8];
    double att[16];
    char comment[16][8];
} ev_log;

static int on_ev(const vocx_evidence *ev, void *p)
{
    ev_log *l = p;
    if (l->n < 16) {
        snprintf(l->cust[l->n], 8, "%s", ev->customer_id ? ev->customer_id : "-");
        l->att[l->n] = ev->clv_at_risk_attributed;
        snprintf(l->comment[l->n], 8, "%s", ev->comment_id);
    }
    l->n++;
    return 0;
}

START_TEST(test_explain)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "explain.db");
    small_dataset(s);
    ev_log l = {0};
    ck_assert_int_eq(vocx_rank_explain(s, NULL, "i1", on_ev, &l), VOCX_OK);
    /* A (363.64: c1, c3), then B (200: c4), then U (unmatched: c6). */
    ck_assert_int_eq(l.n, 4);
    ck_assert_str_eq(l.cust[0], "A");
    ck_assert_str_eq(l.comment[0], "c1");
    ck_assert_str_eq(l.comment[1], "c3");
    ck_assert_double_eq_tol(l.att[0], 800.0 * 0.5 / 1.1, EPS);
    ck_assert_str_eq(l.cust[2], "B");
    ck_assert_str_eq(l.cust[3], "U");
    ck_assert_double_eq_tol(l.att[3], 0, EPS);
    /* Every comment exactly once, anonymous ones too. */
    exec(s, "INSERT INTO comments(comment_id, source_id, text, ingested_at)"
            " VALUES (9, 'c9', 'x', 'now');"
            "INSERT INTO classifications(comment_id, ruleset_id,"
            " classified_at) VALUES (9, 1, 'now');"
            "INSERT INTO comment_issues(comment_id, ruleset_id, issue_id)"
            " VALUES (9, 1, 'i2')");
    memset(&l, 0, sizeof l);
    ck_assert_int_eq(vocx_rank_explain(s, NULL, "i2", on_ev, &l), VOCX_OK);
    ck_assert_int_eq(l.n, 4); /* c2 (A), c5 (C), c7 and c9 (anonymous) */
    ck_assert_str_eq(l.comment[0], "c2");
    ck_assert_str_eq(l.comment[2], "c7");
    ck_assert_str_eq(l.comment[3], "c9");
    /* An issue nobody raised explains to nothing, without error. */
    memset(&l, 0, sizeof l);
    ck_assert_int_eq(vocx_rank_explain(s, NULL, "i3", on_ev, &l), VOCX_OK);
    ck_assert_int_eq(l.n, 0);
    ck_assert_int_eq(vocx_rank_explain(s, NULL, "nope", on_ev, &l),
                     VOCX_ENOTFOUND);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

START_TEST(test_comment_risk)
{
    /* The public per-comment risk agrees with the figures above. */
    ck_assert_double_eq_tol(vocx_comment_risk(0.2, 1, 0, NULL), 0.6, EPS);
    ck_assert_double_eq_tol(vocx_comment_risk(0.5, 0, 1, NULL), 0.25, EPS);
    ck_assert_double_eq_tol(vocx_comment_risk(0.5, 2, 3, NULL), 0.75, EPS);
    ck_assert_double_eq_tol(vocx_comment_risk(0.4, 0, 0, NULL), 0.4, EPS);
    vocx_rank_options o = VOCX_RANK_OPTIONS_INIT;
    o.churn_uplift = 1.0;
    ck_assert_double_eq_tol(vocx_comment_risk(0.3, 1, 0, &o), 1.0, EPS);
    /* Out-of-range bases are clamped, never NaN. */
    ck_assert_double_eq_tol(vocx_comment_risk(7.0, 0, 0, NULL), 1.0, EPS);
    ck_assert_double_eq_tol(vocx_comment_risk(-1.0, 0, 0, NULL), 0.0, EPS);
    ck_assert_double_eq_tol(vocx_comment_risk(NAN, 0, 0, NULL), 0.0, EPS);
}
END_TEST

START_TEST(test_nothing_to_rank_yet)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "empty.db");
    vocx_ranking *rk = NULL;
    ck_assert_int_eq(vocx_rank(&rk, s, NULL), VOCX_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "vocx classify"));
    exec(s, "INSERT INTO rulesets(ruleset_id, hash, loaded_at) VALUES"
            " (1, 'h', 'now');"
            "INSERT INTO comments(comment_id, source_id, text, ingested_at)"
            " VALUES (1, 'a', 't', 'now');"
            "INSERT INTO classifications(comment_id, ruleset_id,"
            " classified_at) VALUES (1, 1, 'now')");
    ck_assert_int_eq(vocx_rank(&rk, s, NULL), VOCX_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "vocx clv fit"));
    ck_assert_ptr_null(rk);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

/* Deterministic xorshift so failures reproduce. */
static uint64_t rng_state = 88172645463325252ULL;
static double rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

START_TEST(test_attribution_never_exceeds_clv_random)
{
    char db[512], sql[512];
    for (int round = 0; round < 5; round++) {
        vocx_store *s = tu_fresh_store(db, sizeof db, "random.db");
        exec(s, "BEGIN;"
                "INSERT INTO rulesets(ruleset_id, hash, loaded_at) VALUES"
                " (1, 'r', 'now');"
                "INSERT INTO clv_models(model_id, kind, fitted_at) VALUES"
                " (1, 'column', 'now')");
        int nissues = 3 + (int)(rnd() * 20), ncust = 5 + (int)(rnd() * 200);
        for (int i = 0; i < nissues; i++) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO issues VALUES (1, 'i%d', 'b', 'l', "
                     "'problem', %.3f, NULL)",
                     i, rnd());
            exec(s, sql);
        }
        double clv_sum = 0;
        for (int c = 0; c < ncust; c++) {
            double v = rnd() < 0.1 ? 0 : rnd() * 5000;
            clv_sum += v;
            snprintf(sql, sizeof sql,
                     "INSERT INTO customer_clv VALUES (1, 'c%d', %.6f, NULL, "
                     "NULL, NULL, 'column');"
                     "INSERT INTO customers(customer_id, churn_prob) VALUES "
                     "('c%d', %s)",
                     c, v, c, rnd() < 0.3 ? "0.9" : "NULL");
            exec(s, sql);
        }
        int ncomments = 50 + (int)(rnd() * 500);
        for (int k = 0; k < ncomments; k++) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO comments(comment_id, source_id, customer_id,"
                     " text, ingested_at) VALUES (%d, 's%d', 'c%d', 't', "
                     "'now');"
                     "INSERT INTO classifications(comment_id, ruleset_id,"
                     " classified_at, churn_cues, positive_cues) VALUES"
                     " (%d, 1, 'now', %d, "
                     "%d)",
                     k + 1, k, (int)(rnd() * ncust), k + 1, rnd() < 0.2,
                     rnd() < 0.2);
            exec(s, sql);
            int nraised = (int)(rnd() * 4);
            for (int j = 0; j < nraised; j++) {
                snprintf(sql, sizeof sql,
                         "INSERT OR IGNORE INTO comment_issues(comment_id, "
                         "ruleset_id, issue_id) VALUES (%d, 1, 'i%d')",
                         k + 1, (int)(rnd() * nissues));
                exec(s, sql);
            }
        }
        exec(s, "COMMIT");
        vocx_ranking *rk = NULL;
        ck_assert_int_eq(vocx_rank(&rk, s, NULL), VOCX_OK);
        double att = 0, at_risk = 0;
        for (size_t i = 0; i < vocx_ranking_count(rk); i++) {
            const vocx_rank_row *r = vocx_ranking_row(rk, i);
            ck_assert(isfinite(r->clv_at_risk_attributed));
            ck_assert(r->clv_at_risk_attributed <= r->clv_at_risk + EPS);
            ck_assert(r->clv_at_risk <= r->clv_total + EPS);
            if (i)
                ck_assert(vocx_ranking_row(rk, i - 1)->clv_at_risk_attributed >=
                          r->clv_at_risk_attributed);
            att += r->clv_at_risk_attributed;
            at_risk += r->clv_at_risk;
        }
        vocx_ranking_totals t;
        vocx_ranking_totals_get(rk, &t);
        ck_assert_msg(att <= t.clv_total + EPS, "attributed %f > total %f", att,
                      t.clv_total);
        ck_assert(t.clv_total <= clv_sum + 1e-3); /* values stored as %.6f */
        ck_assert_double_eq_tol(att, t.clv_at_risk_attributed, 1e-6);
        vocx_ranking_free(rk);
        vocx_store_close(s);
        tu_rm_db(db);
    }
}
END_TEST

/* The first column of the first row of `sql` on the store's connection. */
static double ref_value(vocx_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(s->db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Customer ids that are prefixes of each other, differ in case, sort
 * differently as text and as numbers, or are not ASCII; CLV of two models,
 * CRM segments and churn probabilities for some; 300 comments, some
 * anonymous, some unclassified, raising up to three issues. */
static const char *const merge_ids[] = {
    "",    "a",   "a ",  "ab",       "a\xc3\xa9", "A", "B",
    "b",   "10",  "9",   "0010",     "z",         "\xe2\x82\xac",
    "A-1", "a\x7f", "zz", "\xc3\xa9t\xc3\xa9"};
enum { NIDS = sizeof merge_ids / sizeof merge_ids[0] };

static void merge_dataset(vocx_store *s)
{
    const char *const *ids = merge_ids;
    static const char *const segs[] = {"gold", "silver"};
    static const char *const chans[] = {"email", "chat"};
    char sql[4096];
    exec(s, "BEGIN;"
            "INSERT INTO rulesets(ruleset_id, hash, loaded_at) VALUES"
            " (1, 'r', 'now');"
            "INSERT INTO clv_models(model_id, kind, fitted_at) VALUES"
            " (1, 'column', 'now'), (2, 'column', 'now');"
            "INSERT INTO issues VALUES (1, 'i0', 'b', 'l', 'problem',"
            " 0.5, NULL), (1, 'i1', 'b', 'l', 'praise', 0.1, NULL),"
            " (1, 'i2', 'b', 'l', 'problem', 0.9, NULL)");
    for (int i = 0; i < NIDS; i++) {
        double u = rnd();
        /* some customers have no CLV, some only one of model 2 */
        if (u < 0.7) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO customer_clv VALUES (1, '%s', %.3f,"
                     " NULL, NULL, NULL, 'column')",
                     ids[i], rnd() * 1000);
            exec(s, sql);
        } else if (u < 0.85) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO customer_clv VALUES (2, '%s', 5, NULL,"
                     " NULL, NULL, 'column')",
                     ids[i]);
            exec(s, sql);
        }
        if (rnd() < 0.8) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO customers(customer_id, segment,"
                     " churn_prob) VALUES ('%s', '%s', %s)",
                     ids[i], segs[rnd() < 0.5],
                     rnd() < 0.4 ? "0.7" : "NULL");
            exec(s, sql);
        }
    }
    /* CLV of customers who never wrote */
    exec(s, "INSERT INTO customer_clv VALUES (1, 'nobody', 77, NULL,"
            " NULL, NULL, 'column'), (1, 'zzz', 88, NULL, NULL, NULL,"
            " 'column')");
    for (int k = 1; k <= 300; k++) {
        int who = (int)(rnd() * (NIDS + 2)); /* NIDS: anonymous */
        char cust[32];
        if (who >= NIDS)
            snprintf(cust, sizeof cust, "NULL");
        else
            snprintf(cust, sizeof cust, "'%s'", ids[who]);
        snprintf(sql, sizeof sql,
                 "INSERT INTO comments(comment_id, source_id, customer_id,"
                 " channel, text, ingested_at) VALUES (%d, 's%d', %s,"
                 " '%s', 't', 'now')",
                 k, k, cust, chans[rnd() < 0.5]);
        exec(s, sql);
        if (rnd() < 0.1)
            continue; /* not classified */
        snprintf(sql, sizeof sql,
                 "INSERT INTO classifications(comment_id, ruleset_id,"
                 " classified_at, churn_cues, positive_cues) VALUES"
                 " (%d, 1, 'now', %d,"
                 " %d)",
                 k, rnd() < 0.2, rnd() < 0.2);
        exec(s, sql);
        for (int j = 0; j < 3; j++)
            if (rnd() < 0.4) {
                snprintf(sql, sizeof sql,
                         "INSERT INTO comment_issues(comment_id,"
                         " ruleset_id, issue_id) VALUES (%d, 1, 'i%d')",
                         k, j);
                exec(s, sql);
            }
    }
    exec(s, "COMMIT");
}

/* Ranking merges the scan with the CLV and CRM tables in customer id
 * order: ids that are prefixes of each other, differ in case, sort
 * differently as text and as numbers, or are not ASCII must still meet
 * their own CLV and segment.  Every total and count is checked against a
 * plain SQL join, with comments grouped in memory and sorted by SQLite. */
START_TEST(test_totals_match_sql_joins)
{
    char db[512], sql[4096];
    for (int round = 0; round < 4; round++) {
        vocx_store *s = tu_fresh_store(db, sizeof db, "merge.db");
        merge_dataset(s);
        s->rank_budget = round % 2 ? 0 : VX_RANK_BUDGET;
        for (int fi = 0; fi < 3; fi++) {
            vocx_rank_options o = VOCX_RANK_OPTIONS_INIT;
            o.clv_model_id = 1; /* not the latest: model 2 is a decoy */
            const char *cond = "1";
            if (fi == 1) {
                o.segment = "gold";
                cond = "cu.segment = 'gold'";
            } else if (fi == 2) {
                o.channel = "chat";
                cond = "c.channel = 'chat'";
            }
            vocx_ranking *rk = NULL;
            ck_assert_msg(vocx_rank(&rk, s, &o) == VOCX_OK, "%s",
                          vocx_store_errmsg(s));
            vocx_ranking_totals t;
            vocx_ranking_totals_get(rk, &t);
            /* f: the considered comments, with their customer's CLV */
            char with[768];
            snprintf(with, sizeof with,
                     "WITH f AS (SELECT c.comment_id, c.customer_id AS cid,"
                     " cc.clv, cc.customer_id IS NOT NULL AS known"
                     " FROM comments c JOIN classifications cl ON"
                     " cl.comment_id = c.comment_id AND cl.ruleset_id = 1"
                     " LEFT JOIN customer_clv cc ON cc.model_id = 1 AND"
                     " cc.customer_id = c.customer_id"
                     " LEFT JOIN customers cu ON cu.customer_id ="
                     " c.customer_id WHERE %s) ",
                     cond);
#define REF(q) (snprintf(sql, sizeof sql, "%s%s", with, q), ref_value(s, sql))
            ck_assert_uint_eq(t.comments, (uint64_t)REF("SELECT count(*) FROM f"));
            ck_assert_uint_eq(t.classified,
                              (uint64_t)REF("SELECT count(*) FROM f WHERE EXISTS"
                                            " (SELECT 1 FROM comment_issues ci"
                                            " WHERE ci.comment_id ="
                                            " f.comment_id)"));
            ck_assert_uint_eq(t.customers,
                              (uint64_t)REF("SELECT count(DISTINCT cid) FROM f"
                                            " WHERE known"));
            ck_assert_uint_eq(t.unmatched_comments,
                              (uint64_t)REF("SELECT count(*) FROM f WHERE cid"
                                            " IS NOT NULL AND NOT known"));
            ck_assert_uint_eq(t.unmatched_customers,
                              (uint64_t)REF("SELECT count(DISTINCT cid) FROM f"
                                            " WHERE cid IS NOT NULL AND NOT"
                                            " known"));
            ck_assert_uint_eq(t.anonymous_comments,
                              (uint64_t)REF("SELECT count(*) FROM f WHERE cid"
                                            " IS NULL"));
            ck_assert_double_eq_tol(
                t.clv_total,
                REF("SELECT coalesce(sum(clv), 0) FROM (SELECT DISTINCT cid,"
                    " clv FROM f WHERE known)"),
                1e-6);
            for (size_t i = 0; i < t.unmatched_customers; i++) {
                const char *u = vocx_ranking_unmatched(rk, i);
                ck_assert_ptr_nonnull(u);
                if (i)
                    ck_assert_int_lt(strcmp(vocx_ranking_unmatched(rk, i - 1),
                                            u), 0);
            }
            ck_assert_ptr_null(
                vocx_ranking_unmatched(rk, t.unmatched_customers));
            for (size_t i = 0; i < vocx_ranking_count(rk); i++) {
                const vocx_rank_row *r = vocx_ranking_row(rk, i);
                char q[256];
                snprintf(q, sizeof q,
                         ", g AS (SELECT f.* FROM f JOIN comment_issues ci ON"
                         " ci.comment_id = f.comment_id AND ci.issue_id ="
                         " '%s')",
                         r->issue);
                char w2[2048];
                snprintf(w2, sizeof w2, "%s%s", with, q);
                snprintf(sql, sizeof sql, "%s SELECT count(*) FROM g", w2);
                ck_assert_uint_eq(r->comments, (uint64_t)ref_value(s, sql));
                snprintf(sql, sizeof sql,
                         "%s SELECT count(DISTINCT cid) FROM g WHERE known",
                         w2);
                ck_assert_uint_eq(r->customers, (uint64_t)ref_value(s, sql));
                snprintf(sql, sizeof sql,
                         "%s SELECT count(*) FROM g WHERE NOT known", w2);
                ck_assert_uint_eq(r->unmatched, (uint64_t)ref_value(s, sql));
                snprintf(sql, sizeof sql,
                         "%s SELECT coalesce(sum(clv), 0) FROM (SELECT"
                         " DISTINCT cid, clv FROM g WHERE known)",
                         w2);
                ck_assert_double_eq_tol(r->clv_total, ref_value(s, sql), 1e-6);
            }
#undef REF
            vocx_ranking_free(rk);
        }
        vocx_store_close(s);
        tu_rm_db(db);
    }
}
END_TEST

/* Everything a ranking reports, compared exactly: the grouped and the
 * sorted scans add the same values in the same order. */
static void assert_same_ranking(vocx_ranking *a, vocx_ranking *b)
{
    ck_assert_uint_eq(vocx_ranking_count(a), vocx_ranking_count(b));
    for (size_t i = 0; i < vocx_ranking_count(a); i++) {
        const vocx_rank_row *x = vocx_ranking_row(a, i),
                            *y = vocx_ranking_row(b, i);
        ck_assert_str_eq(x->issue, y->issue);
        ck_assert_uint_eq(x->comments, y->comments);
        ck_assert_uint_eq(x->customers, y->customers);
        ck_assert_uint_eq(x->unmatched, y->unmatched);
        ck_assert(x->clv_total == y->clv_total);
        ck_assert(x->clv_at_risk == y->clv_at_risk);
        ck_assert(x->clv_at_risk_attributed == y->clv_at_risk_attributed);
    }
    vocx_ranking_totals s, t;
    vocx_ranking_totals_get(a, &s);
    vocx_ranking_totals_get(b, &t);
    ck_assert_uint_eq(s.comments, t.comments);
    ck_assert_uint_eq(s.classified, t.classified);
    ck_assert_uint_eq(s.customers, t.customers);
    ck_assert_uint_eq(s.unmatched_comments, t.unmatched_comments);
    ck_assert_uint_eq(s.unmatched_customers, t.unmatched_customers);
    ck_assert_uint_eq(s.anonymous_comments, t.anonymous_comments);
    ck_assert(s.clv_total == t.clv_total);
    ck_assert(s.clv_at_risk_attributed == t.clv_at_risk_attributed);
    for (size_t i = 0; i <= s.unmatched_customers; i++) {
        const char *u = vocx_ranking_unmatched(a, i),
                   *v = vocx_ranking_unmatched(b, i);
        ck_assert(!u == !v);
        if (u)
            ck_assert_str_eq(u, v);
    }
}

/* Ranking groups comments by customer in memory within the store's
 * budget (through the customer index when no filter needs the comments'
 * other columns, else in a hash map), else sorts them in SQLite: every
 * way, with budgets that run out part way through the scan (the hash
 * map's first allocations take 8,192 bytes of slots, 64 customers and 64
 * issues: the 17th customer's issues do not fit), gives the same ranking,
 * totals, unknown customers and evidence, under every filter.  A customer
 * whose comments are all unclassified, and a classification whose
 * comment was deleted with foreign keys off, count in none of them. */
START_TEST(test_grouped_and_sorted_scans_agree)
{
    static const struct {
        int no_index;
        size_t budget;
    } ways[] = {
        {1, VX_RANK_BUDGET}, {1, 0}, {1, 8192 + 64 * sizeof(vx_cust) + 512},
        {1, 12000}, {0, 0},
        /* through the index: comment ids 0..301 take 1,208 bytes, 64
         * customers, 64 bytes of ids (one is longer than 15 bytes); then
         * all the customers' issues fit in 128 entries, or not in 64 */
        {0, 302 * 4 + 64 * sizeof(vx_cust) + 64 + 1024},
        {0, 302 * 4 + 64 * sizeof(vx_cust) + 64 + 512}, {0, 302 * 4 + 100},
    };
    int used[4] = {0};
    char db[512];
    for (int round = 0; round < 3; round++) {
        vocx_store *s = tu_fresh_store(db, sizeof db, "agree.db");
        merge_dataset(s);
        exec(s, "INSERT INTO comments(comment_id, source_id, customer_id,"
                " channel, text, ingested_at) VALUES (301, 's301',"
                " 'only-unclassified', 'chat', 't', 'now');"
                "PRAGMA foreign_keys = OFF;"
                "DELETE FROM comments WHERE comment_id = (SELECT"
                " min(comment_id) FROM classifications WHERE issues IS NOT"
                " NULL);"
                "PRAGMA foreign_keys = ON");
        ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM classifications"
                                        " WHERE comment_id NOT IN (SELECT"
                                        " comment_id FROM comments)"),
                         1);
        for (int fi = 0; fi < 5; fi++) {
            vocx_rank_options o = VOCX_RANK_OPTIONS_INIT;
            o.clv_model_id = 1;
            if (fi == 1)
                o.segment = "gold";
            else if (fi == 2)
                o.channel = "chat";
            else if (fi == 3)
                o.kind = VOCX_KIND_PROBLEM;
            else if (fi == 4)
                o.block = "b";
            s->rank_budget = VX_RANK_BUDGET;
            s->rank_no_index = 0;
            vocx_ranking *grouped = NULL;
            ck_assert_msg(vocx_rank(&grouped, s, &o) == VOCX_OK, "%s",
                          vocx_store_errmsg(s));
            ck_assert_int_eq(s->rank_last_scan,
                             o.channel ? VX_SCAN_GROUPED : VX_SCAN_INDEXED);
            vocx_ranking_totals t;
            vocx_ranking_totals_get(grouped, &t);
            if (fi == 0) {
                ck_assert_uint_eq(
                    t.comments,
                    (uint64_t)tu_sql_int(db, "SELECT count(*) FROM"
                                             " classifications JOIN comments"
                                             " USING (comment_id)"));
                for (size_t u = 0; u < t.unmatched_customers; u++)
                    ck_assert_str_ne(vocx_ranking_unmatched(grouped, u),
                                     "only-unclassified");
            }
            ev_log lg = {0};
            ck_assert_int_eq(vocx_rank_explain(s, &o, "i0", on_ev, &lg),
                             VOCX_OK);
            for (size_t b = 0; b < sizeof ways / sizeof *ways; b++) {
                s->rank_no_index = ways[b].no_index;
                s->rank_budget = ways[b].budget;
                vocx_ranking *other = NULL;
                ck_assert_msg(vocx_rank(&other, s, &o) == VOCX_OK, "%s",
                              vocx_store_errmsg(s));
                used[s->rank_last_scan]++;
                assert_same_ranking(grouped, other);
                vocx_ranking_free(other);
                ev_log lo = {0};
                ck_assert_int_eq(vocx_rank_explain(s, &o, "i0", on_ev, &lo),
                                 VOCX_OK);
                ck_assert_int_eq(lg.n, lo.n);
                for (int k = 0; k < lg.n && k < 16; k++) {
                    ck_assert_str_eq(lg.cust[k], lo.cust[k]);
                    ck_assert_str_eq(lg.comment[k], lo.comment[k]);
                    ck_assert(lg.att[k] == lo.att[k]);
                }
            }
            vocx_ranking_free(grouped);
        }
        vocx_store_close(s);
        tu_rm_db(db);
    }
    /* every scan was compared */
    ck_assert_int_gt(used[VX_SCAN_INDEXED], 0);
    ck_assert_int_gt(used[VX_SCAN_GROUPED], 0);
    ck_assert_int_gt(used[VX_SCAN_SORTED], 0);
}
END_TEST

/* Comment ids the index scan cannot hold in its array (negative, or far
 * beyond the rest) send ranking to the hash map, and a customer id stored
 * as a blob to the sorted scan: the same result as the sorted scan. */
START_TEST(test_index_scan_steps_aside_for_odd_ids)
{
    static const char *const odd[] = {
        "INSERT INTO comments(comment_id, source_id, customer_id, text,"
        " ingested_at) VALUES (-5, 'neg', 'a', 't', 'now');"
        "INSERT INTO classifications(comment_id, ruleset_id, classified_at,"
        " churn_cues, positive_cues, issues) VALUES (-5, 1, 'now', 1, 0,"
        " '[[\"i0\",1,1.0,null]]')",
        "INSERT INTO comments(comment_id, source_id, customer_id, text,"
        " ingested_at) VALUES (1099511627776, 'far', 'b', 't', 'now');"
        "INSERT INTO classifications(comment_id, ruleset_id, classified_at,"
        " churn_cues, positive_cues, issues) VALUES (1099511627776, 1, 'now',"
        " 0, 0, '[[\"i2\",1,1.0,null]]')",
        /* and a customer id that is not text: ordered unlike text */
        "INSERT INTO comments(comment_id, source_id, customer_id, text,"
        " ingested_at) VALUES (400, 'blob', X'7a7a', 't', 'now');"
        "INSERT INTO classifications(comment_id, ruleset_id, classified_at,"
        " churn_cues, positive_cues, issues) VALUES (400, 1, 'now',"
        " 0, 0, '[[\"i1\",1,1.0,null]]')"};
    char db[512];
    for (int k = 0; k < 3; k++) {
        vocx_store *s = tu_fresh_store(db, sizeof db, "oddids.db");
        merge_dataset(s);
        exec(s, odd[k]);
        vocx_rank_options o = VOCX_RANK_OPTIONS_INIT;
        o.clv_model_id = 1;
        vocx_ranking *a = NULL, *b = NULL;
        ck_assert_msg(vocx_rank(&a, s, &o) == VOCX_OK, "%s",
                      vocx_store_errmsg(s));
        /* a blob id is left to the sorted scan by both in-memory ones */
        ck_assert_int_eq(s->rank_last_scan,
                         k < 2 ? VX_SCAN_GROUPED : VX_SCAN_SORTED);
        s->rank_no_index = 1;
        s->rank_budget = 0;
        ck_assert_msg(vocx_rank(&b, s, &o) == VOCX_OK, "%s",
                      vocx_store_errmsg(s));
        ck_assert_int_eq(s->rank_last_scan, VX_SCAN_SORTED);
        assert_same_ranking(a, b);
        vocx_ranking_totals t;
        vocx_ranking_totals_get(a, &t);
        ck_assert_uint_eq(t.comments,
                          (uint64_t)tu_sql_int(db, "SELECT count(*) FROM"
                                                   " classifications"));
        vocx_ranking_free(a);
        vocx_ranking_free(b);
        vocx_store_close(s);
        tu_rm_db(db);
    }
}
END_TEST

/* The map of customers keeps to its budget: it says when the next
 * customer or issue would not fit, and what it holds stays intact. */
START_TEST(test_custmap_budget)
{
    vx_custmap m;
    /* slots 8,192 + 64 customers + issues 512 bytes (ids this short are
     * kept in the customer): the 17th customer's issues do not fit */
    vx_custmap_init(&m, 8192 + 64 * sizeof(vx_cust) + 512);
    char id[16];
    int64_t k = 0;
    int n = 0;
    for (; n < 100000; n++) {
        snprintf(id, sizeof id, "c%02d", n);
        if ((k = vx_custmap_get(&m, id, strlen(id))) < 0)
            break;
        ck_assert_int_eq(k, n);
        if (vx_custmap_raise(&m, (uint32_t)k, (uint32_t)n % 7, VX_CUE_NONE))
            break;
        ck_assert_int_eq(vx_custmap_raise(&m, (uint32_t)k, (uint32_t)n % 7,
                                          VX_CUE_CHURN),
                         0);
    }
    ck_assert_int_eq(n, 16);
    ck_assert_uint_le(m.used, m.budget);
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "c%02d", i);
        ck_assert_int_eq(vx_custmap_get(&m, id, strlen(id)), i);
        const vx_cust *c = &m.custs[i];
        ck_assert_uint_eq(c->nvec, 1);
        ck_assert_uint_eq(m.issues[c->vec].key, (uint32_t)(i % 7) << 2 |
                                                     VX_CUE_CHURN);
        ck_assert_uint_eq(m.issues[c->vec].count, 2);
    }
    vx_custmap_free(&m);
    /* sorted as SQLite's BINARY collation: bytes, then length; ids
     * kept in the customer (up to 15 bytes) and in the arena alike */
    vx_custmap_init(&m, VX_RANK_BUDGET);
    static const char *const ids[] = {
        "b", "a\xc3\xa9", "a", "", "ab", "B", "a23456789012345",
        "a234567890123456", "a2345678901234", "a23456789012345678901234567890"};
    enum { NIDS = sizeof ids / sizeof *ids };
    for (size_t i = 0; i < NIDS; i++)
        ck_assert_int_eq(vx_custmap_get(&m, ids[i], strlen(ids[i])),
                         (int64_t)i);
    /* found again, not added: a prefix or extension of an id is another
     * id */
    for (size_t i = 0; i < NIDS; i++)
        ck_assert_int_eq(vx_custmap_get(&m, ids[i], strlen(ids[i])),
                         (int64_t)i);
    ck_assert_uint_eq(m.ncusts, NIDS);
    vx_cust_ref *r = vx_custmap_sorted(&m);
    ck_assert_ptr_nonnull(r);
    static const char *const want[] = {
        "", "B", "a", "a2345678901234", "a23456789012345", "a234567890123456",
        "a23456789012345678901234567890", "ab", "a\xc3\xa9", "b"};
    for (size_t i = 0; i < NIDS; i++) {
        ck_assert_str_eq(r[i].id, want[i]);
        ck_assert_uint_eq(r[i].len, strlen(want[i]));
    }
    free(r);
    vx_custmap_free(&m);
}
END_TEST

/* The ids vx_issue_next reads from `json`, joined by '|', or "ERR" at the
 * first error. */
static void read_ids(const char *json, char *out, size_t cap)
{
    vx_issue_iter it;
    char id[VX_ISSUE_ID_MAX + 1];
    vx_issue_iter_init(&it, json, strlen(json));
    out[0] = '\0';
    int r, first = 1;
    while ((r = vx_issue_next(&it, id)) == 1) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", first ? "" : "|", id);
        first = 0;
    }
    if (r < 0)
        snprintf(out, cap, "ERR");
    else /* the end stays the end */
        ck_assert_int_eq(vx_issue_next(&it, id), 0);
}

START_TEST(test_issues_json_reader)
{
    char got[2048], longid[400], json[600];
    static const struct {
        const char *json, *ids;
    } cases[] = {
        {"[]", ""},
        {" [ ] ", ""},
        {"[[\"a.one\",7,1.0,[[9,15],[0,4]]],[\"b.two\",12,0.5,null]]",
         "a.one|b.two"},
        /* spaces, nested values after the id, escapes */
        {"[ [ \"q\\\"\\\\\\/\\u00e9\\ud83d\\ude00\" , [[1, 2], {\"i\": \"]\"}],"
         " {\"a\": [\"]\"]} ] ]",
         "q\"\\/\xc3\xa9\xf0\x9f\x98\x80"},
        /* the id is the first item, and only when it is a string */
        {"[[], [5, \"y\"], [\"z\"]]", "||z"},
        {"[[true,-1.5e+3,null,false]]", ""},
        {"[[[\"a\"],\"b\"]]", ""},
        {"[[{\"issue\":\"a\"}]]", ""},
        /* malformed, or not an array of arrays */
        {"", "ERR"},
        {"{}", "ERR"},
        {"[", "ERR"},
        {"[1]", "ERR"},
        {"[{\"issue\":\"x\"}]", "ERR"},
        {"[[]", "ERR"},
        {"[[\"x\",]]", "ERR"},
        {"[[\"x\"],]", "ERR"},
        {"[[\"x\"]] tail", "ERR"},
        {"[[\"x\"]", "ERR"},
        {"[[\"x]]", "ERR"},
        {"[[\"\\q\"]]", "ERR"},
        {"[[\"x\":1]]", "ERR"},
        /* lone surrogates: kept as their 3 bytes, as SQLite reads them */
        {"[[\"\\ud83dx\"]]", "\xed\xa0\xbdx"},
        {"[[\"\\ude00\"]]", "\xed\xb8\x80"},
        /* \u0000 ends the id, as in SQLite's JSON functions; the rest is
         * read */
        {"[[\"ab\\u0000cd\\\"\"],[\"z\"]]", "ab|z"},
        {"[[\"a\nb\"]]", "ERR"},
        {"[[\"x\" \"y\"]]", "ERR"},
        {"[[\"x\",[1,2]]", "ERR"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        read_ids(cases[i].json, got, sizeof got);
        ck_assert_msg(!strcmp(got, cases[i].ids), "%s: got \"%s\", want \"%s\"",
                      cases[i].json, got, cases[i].ids);
    }
    /* an id longer than VX_ISSUE_ID_MAX reads as unknown, and the rest
     * still reads */
    memset(longid, 'x', 300);
    longid[300] = '\0';
    snprintf(json, sizeof json, "[[\"%s\",1],[\"ok\",2]]", longid);
    read_ids(json, got, sizeof got);
    ck_assert_str_eq(got, "|ok");
    /* never reads past the length it is given */
    vx_issue_iter it;
    char id[VX_ISSUE_ID_MAX + 1];
    vx_issue_iter_init(&it, "[[\"ab\",1]]", 7);
    ck_assert_int_eq(vx_issue_next(&it, id), -1);
}
END_TEST

/* Issues that are not JSON stop the ranking with an error naming the
 * comment, rather than being counted as nothing. */
START_TEST(test_malformed_issues_are_an_error)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "badjson.db");
    small_dataset(s);
    /* cut short; and objects, the form before schema version 5 */
    static const char *const bad[] = {
        "UPDATE classifications SET issues = '[[\"i1\"' WHERE comment_id = 4",
        "UPDATE classifications SET issues = '[{\"issue\":\"i1\"}]' WHERE"
        " comment_id = 4"};
    for (int b = 0; b < 2; b++) {
        exec(s, bad[b]);
        /* every scan: through the index, the hash map, sorted */
        for (int way = VX_SCAN_INDEXED; way <= VX_SCAN_SORTED; way++) {
            s->rank_no_index = way != VX_SCAN_INDEXED;
            s->rank_budget = way == VX_SCAN_SORTED ? 0 : VX_RANK_BUDGET;
            vocx_ranking *rk = NULL;
            ck_assert_int_eq(vocx_rank(&rk, s, NULL), VOCX_EDB);
            ck_assert_int_eq(s->rank_last_scan, way);
            assert_usual_cache(s);
            ck_assert_ptr_null(rk);
            const char *msg = vocx_store_errmsg(s);
            ck_assert_msg(strstr(msg, "comment 4") &&
                              strstr(msg, "not a JSON array of arrays"),
                          "%s", msg);
        }
    }
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

/* Inside a read snapshot ranking reads that snapshot: what another
 * connection commits meanwhile shows only after the snapshot ends. */
START_TEST(test_rank_inside_snapshot)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "snaprank.db");
    small_dataset(s);
    vocx_rank_options o = VOCX_RANK_OPTIONS_INIT;
    o.record = 0;
    vocx_ranking *before = NULL, *inside = NULL, *after = NULL;
    ck_assert_int_eq(vocx_rank(&before, s, &o), VOCX_OK);
    ck_assert_int_eq(vocx_store_snapshot_begin(s), VOCX_OK);
    vocx_store *w = NULL;
    ck_assert_int_eq(vocx_store_open(&w, db, 0), VOCX_OK);
    exec(w, "DELETE FROM classifications WHERE comment_id = 1");
    ck_assert_msg(vocx_rank(&inside, s, &o) == VOCX_OK, "%s",
                  vocx_store_errmsg(s));
    assert_same_ranking(before, inside);
    ev_log l = {0};
    ck_assert_int_eq(vocx_rank_explain(s, &o, "i1", on_ev, &l), VOCX_OK);
    ck_assert_int_eq(l.n, 4); /* c1 still there */
    ck_assert_int_eq(vocx_store_snapshot_end(s), VOCX_OK);
    ck_assert_int_eq(vocx_rank(&after, s, &o), VOCX_OK);
    vocx_ranking_totals a, b;
    vocx_ranking_totals_get(before, &a);
    vocx_ranking_totals_get(after, &b);
    ck_assert_uint_eq(b.comments + 1, a.comments);
    vocx_ranking_free(before);
    vocx_ranking_free(inside);
    vocx_ranking_free(after);
    vocx_store_close(w);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

/* Without a rule set named, ranking uses the one that classified last:
 * rulesets.classified_at as vocx_store_classify keeps it, else the times
 * of the rule set's classifications; never one with none left. */
START_TEST(test_default_ruleset_is_the_latest)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "latest.db");
    exec(s, "INSERT INTO rulesets(ruleset_id, hash, loaded_at, classified_at)"
            " VALUES (1, 'aaa', 'x', '2026-02-01T00:00:00Z'),"
            " (2, 'bbb', 'x', NULL), (3, 'ccc', 'x', '2026-09-01T00:00:00Z');"
            "INSERT INTO clv_models(model_id, kind, fitted_at) VALUES"
            " (1, 'column', 'now');"
            "INSERT INTO comments(comment_id, source_id, text, ingested_at)"
            " VALUES (1, 'c1', 't', 'now');"
            "INSERT INTO classifications(comment_id, ruleset_id,"
            " classified_at) VALUES (1, 1, '2026-02-01T00:00:00Z'),"
            " (1, 2, '2026-03-01T00:00:00Z')");
    const char *want[] = {"bbb", "aaa"};
    for (int round = 0; round < 2; round++) {
        vocx_ranking *rk = NULL;
        ck_assert_msg(vocx_rank(&rk, s, NULL) == VOCX_OK, "%s",
                      vocx_store_errmsg(s));
        vocx_ranking_totals t;
        vocx_ranking_totals_get(rk, &t);
        ck_assert_str_eq(t.ruleset, want[round]);
        vocx_ranking_free(rk);
        exec(s, "UPDATE rulesets SET classified_at = '2026-05-01T00:00:00Z'"
                " WHERE ruleset_id = 1");
    }
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("rank");
    TCase *tc = tcase_create("rank");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_hand_computed_ranking);
    tcase_add_test(tc, test_filters);
    tcase_add_test(tc, test_explain);
    tcase_add_test(tc, test_comment_risk);
    tcase_add_test(tc, test_nothing_to_rank_yet);
    tcase_add_test(tc, test_attribution_never_exceeds_clv_random);
    tcase_add_test(tc, test_totals_match_sql_joins);
    tcase_add_test(tc, test_grouped_and_sorted_scans_agree);
    tcase_add_test(tc, test_index_scan_steps_aside_for_odd_ids);
    tcase_add_test(tc, test_custmap_budget);
    tcase_add_test(tc, test_issues_json_reader);
    tcase_add_test(tc, test_malformed_issues_are_an_error);
    tcase_add_test(tc, test_default_ruleset_is_the_latest);
    tcase_add_test(tc, test_rank_inside_snapshot);
    suite_add_tcase(su, tc);
    return tu_run_suite(su);
}
