/* Operational imports: customers and transactions, validation, idempotency
 * with and without transaction ids. */
#include "testutil.h"
#include "vocx_internal.h"

#include <math.h>

typedef struct rej {
    int n;
    uint64_t line[8];
    char msg[8][256];
} rej;

static int on_rej(const vocx_reject *r, void *p)
{
    rej *x = p;
    if (x->n < 8) {
        x->line[x->n] = r->line;
        snprintf(x->msg[x->n], sizeof x->msg[0], "%s", r->message);
    }
    x->n++;
    return 0;
}

START_TEST(test_customers_import_validate_update)
{
    char db[512], f[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "cust.db");
    tu_tmppath(f, sizeof f, "cust.csv");
    tu_write_str(f, "customer_id,segment,clv,churn_probability,margin\n"
                    "1,gold,1200.50,0.2,0.3\n"
                    "2,,,,\n"
                    "3,silver,12abc,0.1,\n"   /* bad number: line 4 */
                    "4,silver,100,1.5,\n"     /* churn out of range: 5 */
                    ",bronze,1,0.1,\n"        /* empty id: 6 */
                    "5,bronze,1e3,0,0.25\n");
    rej r = {0};
    vocx_import_options o = VOCX_IMPORT_OPTIONS_INIT;
    o.on_reject = on_rej;
    o.reject_payload = &r;
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_import_customers(s, f, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 3);
    ck_assert_uint_eq(st.rejected, 3);
    ck_assert_uint_eq(r.line[0], 4);
    ck_assert_ptr_nonnull(strstr(r.msg[0], "12abc"));
    ck_assert_uint_eq(r.line[1], 5);
    ck_assert_ptr_nonnull(strstr(r.msg[1], "outside [0, 1]"));
    ck_assert_uint_eq(r.line[2], 6);
    ck_assert_int_eq(tu_sql_int(db, "SELECT clv_value = 1200.5 AND churn_prob "
                                    "= 0.2 AND segment = 'gold' FROM "
                                    "customers WHERE customer_id = '1'"),
                     1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT segment IS NULL AND clv_value IS "
                                    "NULL FROM customers WHERE customer_id = "
                                    "'2'"),
                     1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT clv_value FROM customers WHERE "
                                    "customer_id = '5'"),
                     1000);
    /* Re-import: unchanged; then one change. */
    ck_assert_int_eq(vocx_import_customers(s, f, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.unchanged, 3);
    tu_write_str(f, "customer_id,segment\n1,platinum\n");
    ck_assert_int_eq(vocx_import_customers(s, f, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.updated, 1);
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(f);
}
END_TEST

START_TEST(test_transactions_content_key)
{
    char db[512], f[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "tx.db");
    tu_tmppath(f, sizeof f, "tx.csv");
    /* Two identical purchases on one day stay two rows. */
    tu_write_str(f, "customer_id,date,amount\n"
                    "7,2025-01-03,12.50\n"
                    "7,2025-01-03,12.50\n"
                    "7,2025-01-03T23:30:00-02:00,5\n" /* next UTC day */
                    "8,2025-02-30,1\n"                /* bad date */
                    "8,2025-02-03,$5\n"               /* bad amount */
                    "8,2025-02-03,-4.99\n");          /* refund: kept */
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_import_transactions(s, f, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 4);
    ck_assert_uint_eq(st.rejected, 2);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM transactions WHERE "
                                    "customer_id = '7' AND txn_date = "
                                    "'2025-01-03'"),
                     2);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM transactions WHERE "
                                    "txn_date = '2025-01-04'"),
                     1);
    ck_assert_int_eq(vocx_import_transactions(s, f, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 0);
    ck_assert_uint_eq(st.unchanged, 4);
    /* A third identical purchase in a later file is new. */
    tu_write_str(f, "customer_id,date,amount\n"
                    "7,2025-01-03,12.50\n7,2025-01-03,12.50\n"
                    "7,2025-01-03,12.50\n");
    ck_assert_int_eq(vocx_import_transactions(s, f, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 1);
    ck_assert_uint_eq(st.unchanged, 2);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM transactions"), 5);
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(f);
}
END_TEST

START_TEST(test_transactions_with_ids_and_overrides)
{
    char db[512], f[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "txid.db");
    tu_tmppath(f, sizeof f, "tx.jsonl");
    tu_write_str(f, "{\"order\": \"A1\", \"acct\": \"9\", \"when\": "
                    "\"2025-03-01\", \"total\": 20}\n"
                    "{\"order\": \"A2\", \"acct\": \"9\", \"when\": "
                    "\"2025-03-02\", \"total\": 30}\n");
    vocx_import_options o = VOCX_IMPORT_OPTIONS_INIT;
    o.id_col = "order";
    o.customer_col = "acct";
    o.date_col = "when";
    o.amount_col = "total";
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_import_transactions(s, f, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 2);
    tu_write_str(f, "{\"order\": \"A1\", \"acct\": \"9\", \"when\": "
                    "\"2025-03-01\", \"total\": 25}\n"
                    "{\"order\": \"A2\", \"acct\": \"9\", \"when\": "
                    "\"2025-03-02\", \"total\": 30}\n");
    ck_assert_int_eq(vocx_import_transactions(s, f, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.updated, 1);
    ck_assert_uint_eq(st.unchanged, 1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT sum(amount) FROM transactions"),
                     55);
    /* A missing required column names what the file has. */
    ck_assert_int_eq(vocx_import_transactions(s, f, NULL, &st), VOCX_ECOLUMN);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "when"));
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(f);
}
END_TEST

START_TEST(test_example_operational_data)
{
    char db[512], f[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "example.db");
    snprintf(f, sizeof f, "%s/transactions.csv", VOCX_TEST_DATA_DIR);
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_import_transactions(s, f, NULL, &st), VOCX_OK);
    /* The CDNOW sample: 6,919 transactions of 2,357 customers. */
    ck_assert_uint_eq(st.inserted, 6919);
    ck_assert_uint_eq(st.rejected, 0);
    ck_assert_int_eq(
        tu_sql_int(db, "SELECT count(DISTINCT customer_id) FROM transactions"),
        2357);
    snprintf(f, sizeof f, "%s/customers.csv", VOCX_TEST_DATA_DIR);
    ck_assert_int_eq(vocx_import_customers(s, f, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 2357);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

/* Content keys are what earlier versions wrote ("%.0f" of the rounded
 * cents), byte for byte: otherwise re-importing a file into an existing
 * database would add every transaction again. */
START_TEST(test_transaction_keys_are_stable)
{
    static const double amounts[] = {12.5,   12.345,  0.005,  -0.004, -7.5,
                                     -12.355, 1e13 + 0.25, 123456789012.34,
                                     0,       1e16,   -3e17,  99.995};
    enum { N = sizeof amounts / sizeof amounts[0] };
    char db[512], f[512], csv[2048], want[128], sql[256];
    vocx_store *s = tu_fresh_store(db, sizeof db, "keys.db");
    tu_tmppath(f, sizeof f, "keys.csv");
    size_t n = (size_t)snprintf(csv, sizeof csv, "customer_id,date,amount\n");
    for (int i = 0; i < N; i++)
        n += (size_t)snprintf(csv + n, sizeof csv - n, "cu%d,2025-01-03,%.17g\n",
                              i, amounts[i]);
    tu_write_str(f, csv);
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_import_transactions(s, f, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, N);
    for (int i = 0; i < N; i++) {
        snprintf(want, sizeof want, "c:cu%d|2025-01-03|%.0f|1", i,
                 round(amounts[i] * 100));
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM transactions WHERE txn_key = '%s'",
                 want);
        ck_assert_msg(tu_sql_int(db, sql) == 1, "no key %s", want);
    }
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("ops");
    TCase *tc = tcase_create("ops");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_customers_import_validate_update);
    tcase_add_test(tc, test_transactions_content_key);
    tcase_add_test(tc, test_transaction_keys_are_stable);
    tcase_add_test(tc, test_transactions_with_ids_and_overrides);
    tcase_add_test(tc, test_example_operational_data);
    suite_add_tcase(su, tc);
    return tu_run_suite(su);
}
