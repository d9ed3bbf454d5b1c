/* vocx_clv_fit through the store: the published CDNOW parameters from the
 * imported example transactions, the fallback chain, and degenerate data
 * that must give clear errors or documented fallbacks, never NaN. */
#include "testutil.h"
#include "vocx_internal.h"

#include <math.h>

static void import_tx(vocx_store *s, const char *csv_text)
{
    char f[512];
    tu_tmppath(f, sizeof f, "tx.csv");
    tu_write_str(f, csv_text);
    ck_assert_msg(vocx_import_transactions(s, f, NULL, NULL) == VOCX_OK, "%s",
                  vocx_store_errmsg(s));
    unlink(f);
}

static void within(double got, double want, double rel, const char *what)
{
    ck_assert_msg(fabs(got - want) <= rel * fabs(want),
                  "%s = %.6f, published %.6f (tolerance %.2f %%)", what, got,
                  want, rel * 100);
}

START_TEST(test_cdnow_published_parameters)
{
    char db[512], f[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "cdnow.db");
    snprintf(f, sizeof f, "%s/transactions.csv", VOCX_TEST_DATA_DIR);
    ck_assert_int_eq(vocx_import_transactions(s, f, NULL, NULL), VOCX_OK);
    vocx_clv_options o = VOCX_CLV_OPTIONS_INIT;
    o.model = VOCX_CLV_BGNBD;
    /* 1997-09-30 in the original data; the example data is shifted by 28
     * years, which keeps every day difference. */
    o.calibration_end = "2025-09-30";
    vocx_clv_report r;
    ck_assert_msg(vocx_clv_fit(s, &o, &r) == VOCX_OK, "%s",
                  vocx_store_errmsg(s));
    ck_assert(r.fitted && r.converged);
    /* Fader, Hardie & Lee (2005); lifetimes prints the same. */
    within(r.r, 0.243, 0.005, "r");
    within(r.alpha, 4.414, 0.005, "alpha");
    within(r.a, 0.793, 0.005, "a");
    within(r.b, 2.426, 0.005, "b");
    ck_assert_msg(fabs(r.log_likelihood - (-9582.4)) <= 0.1, "loglik %f",
                  r.log_likelihood);
    ck_assert_uint_eq(r.fit_customers, 2357);
    ck_assert_uint_eq(r.spend_customers, 946);
    within(r.p, 6.25, 0.005, "p");
    within(r.q, 3.74, 0.005, "q");
    within(r.gamma, 15.44, 0.005, "gamma");
    ck_assert_str_eq(r.calibration_end, "2025-09-30");
    ck_assert_uint_eq(r.transactions, 6919);
    ck_assert_uint_gt(r.after_end, 0);
    ck_assert_uint_eq(r.customers, 2357);
    ck_assert_uint_eq(r.from_bgnbd, 2357);
    ck_assert(isfinite(r.total_clv) && r.total_clv > 0);
    /* Stored per customer with its source; nothing NaN. */
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM customer_clv WHERE "
                                    "source = 'bgnbd' AND clv >= 0 AND "
                                    "p_alive BETWEEN 0 AND 1"),
                     2357);
    /* A customer with many recent purchases is worth more than one who
     * bought once at the start. */
    ck_assert_int_eq(
        tu_sql_int(db, "SELECT (SELECT max(clv) FROM customer_clv) > 10 * "
                       "(SELECT min(clv) FROM customer_clv WHERE clv > 0)"),
        1);
    /* The default calibration end is the last transaction date. */
    o.calibration_end = NULL;
    ck_assert_int_eq(vocx_clv_fit(s, &o, &r), VOCX_OK);
    ck_assert_str_eq(r.calibration_end, "2026-06-30");
    ck_assert_uint_eq(r.after_end, 0);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

START_TEST(test_no_repeat_purchasers)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "norepeat.db");
    import_tx(s, "customer_id,date,amount\n1,2025-01-01,10\n2,2025-02-01,20\n"
                 "3,2025-03-01,5\n");
    vocx_clv_options o = VOCX_CLV_OPTIONS_INIT;
    o.model = VOCX_CLV_BGNBD;
    vocx_clv_report r;
    ck_assert_int_eq(vocx_clv_fit(s, &o, &r), VOCX_EMODEL);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "repeat"));
    ck_assert_int_eq(r.model_id, 0);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM clv_models"), 0);
    /* auto falls back: without a CRM column or margin nobody is valued. */
    o.model = VOCX_CLV_AUTO;
    ck_assert_int_eq(vocx_clv_fit(s, &o, &r), VOCX_EMODEL);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "no customer"));
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

START_TEST(test_fallback_chain_and_sources)
{
    char db[512], f[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "chain.db");
    snprintf(f, sizeof f, "%s/transactions.csv", VOCX_TEST_DATA_DIR);
    ck_assert_int_eq(vocx_import_transactions(s, f, NULL, NULL), VOCX_OK);
    tu_tmppath(f, sizeof f, "cust.csv");
    /* 9001 has a CRM value, 9002 a margin and churn probability, 9003
     * nothing; 1 has transactions and a CRM value (the model wins). */
    tu_write_str(f, "customer_id,clv,margin,churn_probability\n"
                    "9001,250.5,,\n9002,,100,0.25\n9003,,,\n1,999,,\n");
    ck_assert_int_eq(vocx_import_customers(s, f, NULL, NULL), VOCX_OK);
    vocx_clv_report r;
    ck_assert_int_eq(vocx_clv_fit(s, NULL, &r), VOCX_OK);
    ck_assert_uint_eq(r.from_bgnbd, 2357);
    ck_assert_uint_eq(r.from_column, 1);
    ck_assert_uint_eq(r.from_simple, 1);
    ck_assert_uint_eq(r.no_value, 1);
    char q[256];
    snprintf(q, sizeof q,
             "SELECT clv = 250.5 AND source = 'column' FROM customer_clv "
             "WHERE model_id = %lld AND customer_id = '9001'",
             (long long)r.model_id);
    ck_assert_int_eq(tu_sql_int(db, q), 1);
    /* 100 x 0.75 / (1 + 0.10 - 0.75) = 214.2857... */
    snprintf(q, sizeof q,
             "SELECT abs(clv - 100 * 0.75 / 0.35) < 1e-9 AND source = "
             "'simple' FROM customer_clv WHERE model_id = %lld AND "
             "customer_id = '9002'",
             (long long)r.model_id);
    ck_assert_int_eq(tu_sql_int(db, q), 1);
    snprintf(q, sizeof q,
             "SELECT source = 'bgnbd' AND clv != 999 FROM customer_clv "
             "WHERE model_id = %lld AND customer_id = '1'",
             (long long)r.model_id);
    ck_assert_int_eq(tu_sql_int(db, q), 1);
    /* column-only model */
    vocx_clv_options o = VOCX_CLV_OPTIONS_INIT;
    o.model = VOCX_CLV_COLUMN;
    ck_assert_int_eq(vocx_clv_fit(s, &o, &r), VOCX_OK);
    ck_assert_uint_eq(r.customers, 2);
    ck_assert_double_eq_tol(r.total_clv, 250.5 + 999, 1e-9);
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(f);
}
END_TEST

START_TEST(test_degenerate_amounts_and_dates)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "degenerate.db");
    /* Customer 2's repeat purchases net to zero (a refund): excluded from
     * the spend model, valued with the population mean.  Rows after the
     * calibration end are counted and ignored. */
    import_tx(s, "customer_id,date,amount\n"
                 "1,2025-01-01,10\n1,2025-02-01,12\n1,2025-03-05,9\n"
                 "1,2025-04-01,11\n"
                 "2,2025-01-10,20\n2,2025-02-10,15\n2,2025-02-20,-15\n"
                 "3,2025-01-03,30\n3,2025-05-03,31\n3,2025-05-30,29\n"
                 "4,2025-02-01,8\n"
                 "5,2025-01-15,40\n5,2025-03-15,0\n5,2025-04-15,38\n"
                 "6,2025-03-01,5\n6,2025-03-02,6\n6,2025-06-01,7\n"
                 "1,2025-12-01,99\n");
    vocx_clv_options o = VOCX_CLV_OPTIONS_INIT;
    o.model = VOCX_CLV_BGNBD;
    o.calibration_end = "2025-06-30";
    vocx_clv_report r;
    int rc = vocx_clv_fit(s, &o, &r);
    /* Six customers may not identify the model: either a fit or a clear
     * EMODEL, never NaN. */
    if (rc == VOCX_OK) {
        ck_assert(isfinite(r.r) && isfinite(r.alpha) && isfinite(r.a) &&
                  isfinite(r.b) && isfinite(r.total_clv));
        ck_assert_uint_eq(r.spend_excluded, 1);
        ck_assert_uint_eq(r.after_end, 1);
        ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM customer_clv "
                                        "WHERE clv IS NULL OR clv != clv"),
                         0);
    } else {
        ck_assert_int_eq(rc, VOCX_EMODEL);
        ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "cannot fit"));
    }
    /* One customer alone cannot be fitted. */
    vocx_store_close(s);
    tu_rm_db(db);
    s = tu_fresh_store(db, sizeof db, "single.db");
    import_tx(s, "customer_id,date,amount\n1,2025-01-01,10\n1,2025-02-01,12\n"
                 "1,2025-03-01,14\n");
    rc = vocx_clv_fit(s, &o, &r);
    ck_assert_int_eq(rc, VOCX_EMODEL);
    ck_assert(isfinite(r.r) && isfinite(r.alpha));
    /* Bad options are caught before any work. */
    o.calibration_end = "2025-02-30";
    ck_assert_int_eq(vocx_clv_fit(s, &o, &r), VOCX_EINVAL);
    o.calibration_end = NULL;
    o.margin = 2;
    ck_assert_int_eq(vocx_clv_fit(s, &o, &r), VOCX_EINVAL);
    o.margin = 1;
    o.max_iterations = 1; /* a fit that does not converge says so */
    o.model = VOCX_CLV_BGNBD;
    vocx_store_close(s);
    tu_rm_db(db);
    s = tu_fresh_store(db, sizeof db, "iter.db");
    char f[512];
    snprintf(f, sizeof f, "%s/transactions.csv", VOCX_TEST_DATA_DIR);
    ck_assert_int_eq(vocx_import_transactions(s, f, NULL, NULL), VOCX_OK);
    ck_assert_int_eq(vocx_clv_fit(s, &o, &r), VOCX_EMODEL);
    ck_assert_int_eq(r.iterations, 1);
    ck_assert_int_eq(r.converged, 0);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "BG/NBD"));
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

/* Customers and transactions are merged by customer id in SQLite's text
 * order: ids that are prefixes of one another, differ in case or are not
 * ASCII must meet their own rows (a miss would make two customers of one,
 * or give a customer with purchases the CRM's value). */
START_TEST(test_awkward_ids_merge)
{
    static const char *const ids[] = {"a", "a ", "ab", "B", "b", "10", "9",
                                      "\xc3\xa9", "\xc3\xa9t\xc3\xa9", "z~"};
    enum { N = sizeof ids / sizeof ids[0] };
    char db[512], q[256];
    vocx_store *s = tu_fresh_store(db, sizeof db, "awkward.db");
    ck_assert_int_eq(vx_exec(s, "BEGIN"), VOCX_OK);
    for (int i = 0; i < N; i++) {
        /* even: in the customers table with a CRM value */
        if (i % 2 == 0) {
            snprintf(q, sizeof q,
                     "INSERT INTO customers(customer_id, clv_value) VALUES"
                     " ('%s', 1000)",
                     ids[i]);
            ck_assert_int_eq(vx_exec(s, q), VOCX_OK);
        }
        /* all but the last two: repeat purchases */
        for (int k = 0; i < N - 2 && k < 3; k++) {
            snprintf(q, sizeof q,
                     "INSERT INTO transactions(txn_key, customer_id, txn_date,"
                     " amount) VALUES ('k%d-%d', '%s', '2025-0%d-15', 20)",
                     i, k, ids[i], 2 + 3 * k);
            ck_assert_int_eq(vx_exec(s, q), VOCX_OK);
        }
    }
    ck_assert_int_eq(vx_exec(s, "COMMIT"), VOCX_OK);
    vocx_clv_options o = VOCX_CLV_OPTIONS_INIT;
    o.calibration_end = "2025-12-31";
    vocx_clv_report r;
    ck_assert_msg(vocx_clv_fit(s, &o, &r) == VOCX_OK, "%s",
                  vocx_store_errmsg(s));
    /* one entry per id: a missed match would make two of one */
    ck_assert_uint_eq(r.customers + r.no_value, N - 1); /* the last: nowhere */
    ck_assert_uint_eq(r.transactions, 3 * (N - 2));
    for (int i = 0; i < N; i++) {
        /* with purchases: the model when it was fitted; else the CRM's
         * value where there is one */
        const char *want = i < N - 2 && r.fitted ? "bgnbd"
                           : i % 2 == 0 && i < N - 1 ? "column"
                                                     : NULL;
        snprintf(q, sizeof q,
                 "SELECT count(*) FROM customer_clv WHERE model_id = %lld"
                 " AND customer_id = '%s'%s%s%s",
                 (long long)r.model_id, ids[i], want ? " AND source = '" : "",
                 want ? want : "", want ? "'" : "");
        ck_assert_msg(tu_sql_int(db, q) == (want ? 1 : 0), "customer '%s'",
                      ids[i]);
    }
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("clv");
    TCase *tc = tcase_create("clv");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_cdnow_published_parameters);
    tcase_add_test(tc, test_no_repeat_purchasers);
    tcase_add_test(tc, test_fallback_chain_and_sources);
    tcase_add_test(tc, test_awkward_ids_merge);
    tcase_add_test(tc, test_degenerate_amounts_and_dates);
    suite_add_tcase(su, tc);
    return tu_run_suite(su);
}
