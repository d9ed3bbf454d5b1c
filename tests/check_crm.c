/* A CRM database used in place: read-only, mapped by user SQL that cannot
 * break out of its role, never written. */
#include "testutil.h"
#include "vocx_internal.h"

#include <sys/stat.h>

/* A CRM with its own naming; it even has a table called "customers". */
static void make_crm(const char *path)
{
    tu_rm_db(path);
    sqlite3 *h;
    ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(
        h,
        "CREATE TABLE accounts(account_no TEXT, tier TEXT, churn REAL,"
        " value REAL);"
        "INSERT INTO accounts VALUES ('A1', 'gold', 0.3, 800),"
        " ('A2', 'silver', NULL, NULL);"
        "CREATE TABLE orders(acct TEXT, ordered_on TEXT, total REAL);"
        "INSERT INTO orders VALUES ('A1', '2025-01-05', 20), ('A1',"
        " '2025-02-05', 25), ('A2', '2025-01-09', 10), ('A2', 'garbage', 5);"
        "CREATE TABLE customers(x);",
        NULL, NULL, &err);
    ck_assert_msg(rc == SQLITE_OK, "%s", err);
    sqlite3_close(h);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

START_TEST(test_attach_and_use_in_place)
{
    char db[512], crm[512];
    tu_tmppath(crm, sizeof crm, "crm.sqlite");
    make_crm(crm);
    size_t before_len;
    char *before = slurp(crm, &before_len);
    struct stat sb0;
    stat(crm, &sb0);

    vocx_store *s = tu_fresh_store(db, sizeof db, "inplace.db");
    ck_assert_msg(
        vocx_store_attach_crm(
            s, crm,
            "SELECT account_no AS customer_id, tier AS segment, value AS clv,"
            " churn AS churn_probability FROM accounts",
            "SELECT acct AS customer_id, ordered_on AS date, total AS amount"
            " FROM orders") == VOCX_OK,
        "%s", vocx_store_errmsg(s));
    /* Nothing copied into the store. */
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM customers"), 0);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM transactions"), 0);

    vocx_clv_options o = VOCX_CLV_OPTIONS_INIT;
    o.model = VOCX_CLV_COLUMN;
    vocx_clv_report r;
    ck_assert_msg(vocx_clv_fit(s, &o, &r) == VOCX_OK, "%s",
                  vocx_store_errmsg(s));
    ck_assert_uint_eq(r.customers, 1); /* A1 has a CRM value */
    ck_assert_double_eq_tol(r.total_clv, 800, 1e-9);
    ck_assert_uint_eq(r.transactions, 3); /* the garbage date is skipped */

    vocx_customer_value cv;
    ck_assert_int_eq(vocx_store_customer_value(s, "A1", 0, &cv), VOCX_OK);
    ck_assert_int_eq(cv.known, 1);
    ck_assert_str_eq(cv.segment, "gold");
    ck_assert_int_eq(cv.has_churn_probability, 1);
    ck_assert_double_eq_tol(cv.churn_probability, 0.3, 1e-12);
    ck_assert_int_eq(vocx_store_customer_value(s, "nobody", 0, &cv), VOCX_OK);
    ck_assert_int_eq(cv.known, 0);
    vocx_store_close(s);

    /* A new handle reads the mapping again from the stored definition. */
    ck_assert_int_eq(vocx_store_open(&s, db, 0), VOCX_OK);
    ck_assert_int_eq(vocx_store_customer_value(s, "A2", 0, &cv), VOCX_OK);
    ck_assert_str_eq(cv.segment, "silver");
    ck_assert_int_eq(vocx_store_detach_crm(s), VOCX_OK);
    ck_assert_int_eq(vocx_store_customer_value(s, "A2", 0, &cv), VOCX_OK);
    ck_assert_str_eq(cv.segment, "");
    vocx_store_close(s);

    /* The CRM file was never written. */
    size_t after_len;
    char *after = slurp(crm, &after_len);
    ck_assert_uint_eq(before_len, after_len);
    ck_assert_int_eq(memcmp(before, after, before_len), 0);
    struct stat sb1;
    stat(crm, &sb1);
    ck_assert_int_eq(sb0.st_mtime, sb1.st_mtime);
    free(before);
    free(after);
    tu_rm_db(db);
    tu_rm_db(crm);
}
END_TEST

START_TEST(test_mapping_sql_cannot_break_out)
{
    char db[512], crm[512];
    tu_tmppath(crm, sizeof crm, "crm2.sqlite");
    make_crm(crm);
    vocx_store *s = tu_fresh_store(db, sizeof db, "inject.db");
    const char *bad[] = {
        "SELECT account_no AS customer_id FROM accounts; DROP TABLE accounts",
        "DELETE FROM accounts",
        "UPDATE accounts SET tier = 'x' RETURNING account_no AS customer_id",
        "ATTACH 'other.db' AS o",
        "PRAGMA writable_schema = 1",
        "SELECT nonsense FROM nowhere",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = vocx_store_attach_crm(s, crm, bad[i], NULL);
        ck_assert_msg(rc == VOCX_EINVAL, "case %zu: rc %d (%s)", i, rc,
                      vocx_store_errmsg(s));
    }
    /* A required column missing is named, with what the SQL returns. */
    ck_assert_int_eq(vocx_store_attach_crm(s, crm, NULL,
                                           "SELECT acct, ordered_on AS date,"
                                           " total AS amount FROM orders"),
                     VOCX_ECOLUMN);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "customer_id"));
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "acct"));
    /* Missing file and non-database file. */
    ck_assert_int_eq(vocx_store_attach_crm(s, "/nonexistent/crm.sqlite",
                                           "SELECT 1 AS customer_id", NULL),
                     VOCX_EIO);
    char junk[512];
    tu_tmppath(junk, sizeof junk, "junk.sqlite");
    tu_write_str(junk, "this is not a database, just text\n");
    ck_assert_int_eq(
        vocx_store_attach_crm(s, junk, "SELECT 1 AS customer_id", NULL),
        VOCX_EIO);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM crm_sources"), 0);
    /* The CRM still has everything. */
    ck_assert_int_eq(tu_sql_int(crm, "SELECT count(*) FROM accounts"), 2);
    vocx_store_close(s);
    unlink(junk);
    tu_rm_db(db);
    tu_rm_db(crm);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("crm");
    TCase *tc = tcase_create("crm");
    tcase_add_test(tc, test_attach_and_use_in_place);
    tcase_add_test(tc, test_mapping_sql_cannot_break_out);
    suite_add_tcase(su, tc);
    return tu_run_suite(su);
}
