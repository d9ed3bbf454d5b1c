/* An operational CRM database used in place: opened read-only on its own
 * connection, its rows mapped by the user's SELECT statements into
 * connection-private TEMP tables on each run, never copied into the
 * store and never written. */
#include "iso8601.h"
#include "vocx_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char TEMP_TABLES[] =
    "CREATE TEMP TABLE IF NOT EXISTS crm_customers("
    "  customer_id TEXT PRIMARY KEY, segment TEXT, clv_value REAL,"
    "  churn_prob REAL, margin REAL);"
    "CREATE TEMP TABLE IF NOT EXISTS crm_transactions("
    "  customer_id TEXT NOT NULL, txn_date TEXT NOT NULL, amount REAL);";

static const char VIEWS_PLAIN[] =
    "DROP VIEW IF EXISTS temp.vx_customers;"
    "DROP VIEW IF EXISTS temp.vx_transactions;"
    "CREATE TEMP VIEW vx_customers AS SELECT customer_id, segment, clv_value,"
    " churn_prob, margin FROM main.customers;"
    "CREATE TEMP VIEW vx_transactions AS SELECT customer_id, txn_date, amount"
    " FROM main.transactions;";

/* With a CRM: its rows first; imported rows for other customers. */
static const char VIEWS_CRM[] =
    "DROP VIEW IF EXISTS temp.vx_customers;"
    "DROP VIEW IF EXISTS temp.vx_transactions;"
    "CREATE TEMP VIEW vx_customers AS SELECT customer_id, segment, clv_value,"
    " churn_prob, margin FROM temp.crm_customers UNION ALL"
    " SELECT customer_id, segment, clv_value, churn_prob, margin"
    " FROM main.customers c WHERE NOT EXISTS (SELECT 1 FROM"
    " temp.crm_customers k WHERE k.customer_id = c.customer_id);"
    "CREATE TEMP VIEW vx_transactions AS SELECT customer_id, txn_date, amount"
    " FROM main.transactions UNION ALL SELECT customer_id, txn_date, amount"
    " FROM temp.crm_transactions;";

int vx_crm_setup(vocx_store *s)
{
    int rc = vx_exec(s, TEMP_TABLES);
    if (!rc)
        rc = vx_exec(s, VIEWS_PLAIN);
    return rc;
}

static const char *const CUST_COLS[] = {"customer_id", "segment", "clv",
                                        "churn_probability", "margin"};
static const char *const TX_COLS[] = {"customer_id", "date", "amount"};

/* Map the statement's result columns to wanted names; -1 when absent. */
static int map_columns(sqlite3_stmt *st, const char *const *names, int n,
                       int *pos)
{
    int nc = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        pos[i] = -1;
        for (int c = 0; c < nc; c++)
            if (!strcasecmp(sqlite3_column_name(st, c), names[i]))
                pos[i] = c;
    }
    return nc;
}

static int open_crm(vocx_store *s, const char *path, sqlite3 **out)
{
    *out = NULL;
    int rc = sqlite3_open_v2(path, out, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(*out, 10000);
        /* Prove it is a database now rather than at the first query. */
        rc = sqlite3_exec(*out, "SELECT count(*) FROM sqlite_schema", NULL,
                          NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        vx_fail(s, VOCX_EIO, "CRM database %s: %s", path,
                *out ? sqlite3_errmsg(*out) : sqlite3_errstr(rc));
        sqlite3_close(*out);
        *out = NULL;
        return VOCX_EIO;
    }
    return VOCX_OK;
}

/* Prepare a user's mapping statement: exactly one read-only SELECT. */
static int prepare_mapping(vocx_store *s, sqlite3 *crm, const char *sql,
                           const char *what, sqlite3_stmt **st)
{
    const char *tail = NULL;
    *st = NULL;
    if (sqlite3_prepare_v2(crm, sql, -1, st, &tail) != SQLITE_OK)
        return vx_fail(s, VOCX_EINVAL, "%s SQL: %s", what, sqlite3_errmsg(crm));
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' ||
                    *tail == '\r' || *tail == ';'))
        tail++;
    if (!*st || (tail && *tail) || !sqlite3_stmt_readonly(*st) ||
        sqlite3_column_count(*st) == 0) {
        sqlite3_finalize(*st);
        *st = NULL;
        return vx_fail(s, VOCX_EINVAL,
                       "%s SQL must be exactly one SELECT statement", what);
    }
    return VOCX_OK;
}

static int check_mapping(vocx_store *s, sqlite3 *crm, const char *sql,
                         const char *what, const char *const *cols, int n,
                         int nrequired)
{
    sqlite3_stmt *st;
    int rc = prepare_mapping(s, crm, sql, what, &st);
    if (rc)
        return rc;
    int pos[8];
    map_columns(st, cols, n, pos);
    for (int i = 0; i < nrequired; i++)
        if (pos[i] < 0) {
            char have[512] = "";
            size_t o = 0;
            for (int c = 0; c < sqlite3_column_count(st) && o < 400; c++)
                o += (size_t)snprintf(have + o, sizeof have - o, "%s%s",
                                      c ? ", " : "",
                                      sqlite3_column_name(st, c));
            sqlite3_finalize(st);
            return vx_fail(s, VOCX_ECOLUMN,
                           "%s SQL returns no column \"%s\" (it returns: %s); "
                           "use AS to name it",
                           what, cols[i], have);
        }
    sqlite3_finalize(st);
    return VOCX_OK;
}

int vocx_store_attach_crm(vocx_store *s, const char *path,
                          const char *customers_sql,
                          const char *transactions_sql)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!path || (!customers_sql && !transactions_sql))
        return vx_fail(s, VOCX_EINVAL,
                       "a CRM path and at least one mapping SQL are needed");
    if (s->readonly)
        return vx_fail(s, VOCX_EREADONLY, "the store is open read-only");
    sqlite3 *crm;
    int rc = open_crm(s, path, &crm);
    if (rc)
        return rc;
    if (customers_sql)
        rc = check_mapping(s, crm, customers_sql, "customers", CUST_COLS, 5, 1);
    if (!rc && transactions_sql)
        rc = check_mapping(s, crm, transactions_sql, "transactions", TX_COLS,
                           3, 3);
    sqlite3_close(crm);
    if (rc)
        return rc;
    char now[21];
    vx_now_iso(now);
    if ((rc = vx_begin(s)))
        return rc;
    sqlite3_stmt *st = vx_stmt(s, "INSERT OR REPLACE INTO crm_sources(name,"
                                  " path, customers_sql, transactions_sql,"
                                  " attached_at) VALUES ('crm', ?1, ?2, ?3,"
                                  " ?4)");
    if (!st) {
        rc = s->errcode;
        goto fail;
    }
    sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
    if (customers_sql)
        sqlite3_bind_text(st, 2, customers_sql, -1, SQLITE_TRANSIENT);
    if (transactions_sql)
        sqlite3_bind_text(st, 3, transactions_sql, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = vx_fail_db(s, "cannot record the CRM mapping");
        goto fail;
    }
    /* Read the rows now, inside the transaction: a mapping that fails
     * when it runs (a function that is not allowed, a type error) is not
     * kept. */
    if ((rc = vx_crm_refresh(s)))
        goto fail;
    if ((rc = vx_commit(s)))
        goto fail;
    return VOCX_OK;
fail:
    vx_rollback(s);
    return rc;
}

int vocx_store_detach_crm(vocx_store *s)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (s->readonly)
        return vx_fail(s, VOCX_EREADONLY, "the store is open read-only");
    int rc = vx_exec(s, "DELETE FROM crm_sources");
    if (!rc)
        rc = vx_exec(s, "DELETE FROM temp.crm_customers;"
                        "DELETE FROM temp.crm_transactions");
    if (!rc)
        rc = vx_exec(s, VIEWS_PLAIN);
    return rc;
}

static void bind_value(sqlite3_stmt *to, int i, sqlite3_stmt *from, int col)
{
    if (col < 0 || sqlite3_column_type(from, col) == SQLITE_NULL)
        sqlite3_bind_null(to, i);
    else
        sqlite3_bind_value(to, i, sqlite3_column_value(from, col));
}

/* Copy one mapping's rows into its TEMP table. */
static int load_mapping(vocx_store *s, sqlite3 *crm, const char *sql,
                        int customers, uint64_t *skipped)
{
    sqlite3_stmt *st;
    int rc = prepare_mapping(s, crm, sql,
                             customers ? "customers" : "transactions", &st);
    if (rc)
        return rc;
    int pos[5];
    map_columns(st, customers ? CUST_COLS : TX_COLS, customers ? 5 : 3, pos);
    sqlite3_stmt *ins = NULL;
    const char *isql =
        customers ? "INSERT OR REPLACE INTO temp.crm_customers VALUES"
                    " (?1, ?2, ?3, ?4, ?5)"
                  : "INSERT INTO temp.crm_transactions VALUES (?1, ?2, ?3)";
    if (sqlite3_prepare_v2(s->db, isql, -1, &ins, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return vx_fail_db(s, "cannot stage CRM rows");
    }
    int ins_failed = 0; /* staging failed, not the CRM's statement */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, pos[0]);
        if (!id || !*id) {
            (*skipped)++;
            continue;
        }
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
        if (customers) {
            for (int k = 1; k < 5; k++)
                bind_value(ins, k + 1, st, pos[k]);
        } else {
            const char *date = (const char *)sqlite3_column_text(st, pos[1]);
            int64_t secs;
            double amount = sqlite3_column_double(st, pos[2]);
            if (!date || vx_time_parse(date, strlen(date), &secs, NULL) ||
                !isfinite(amount)) {
                (*skipped)++;
                continue;
            }
            char day[21];
            vx_time_format(secs, day);
            day[10] = '\0';
            sqlite3_bind_text(ins, 2, day, -1, SQLITE_TRANSIENT);
            sqlite3_bind_double(ins, 3, amount);
        }
        if (sqlite3_step(ins) != SQLITE_DONE) {
            ins_failed = 1;
            break;
        }
    }
    int ok = !ins_failed && rc == SQLITE_DONE;
    if (!ok)
        vx_fail(s, VOCX_EDB, "CRM %s: %s", customers ? "customers" : "transactions",
                sqlite3_errmsg(ins_failed ? s->db : crm));
    sqlite3_finalize(ins);
    sqlite3_finalize(st);
    return ok ? VOCX_OK : VOCX_EDB;
}

int vx_crm_refresh(vocx_store *s)
{
    sqlite3_stmt *st = vx_stmt(s, "SELECT path, customers_sql,"
                                  " transactions_sql FROM crm_sources"
                                  " WHERE name = 'crm'");
    if (!st)
        return s->errcode;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return VOCX_OK; /* no CRM: the plain views are in place */
    }
    char *path = strdup((const char *)sqlite3_column_text(st, 0));
    const unsigned char *c = sqlite3_column_text(st, 1);
    const unsigned char *t = sqlite3_column_text(st, 2);
    char *csql = c ? strdup((const char *)c) : NULL;
    char *tsql = t ? strdup((const char *)t) : NULL;
    sqlite3_reset(st);
    int rc = VOCX_OK;
    sqlite3 *crm = NULL;
    uint64_t skipped = 0;
    if (!path || (c && !csql) || (t && !tsql)) {
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = open_crm(s, path, &crm)))
        goto done;
    /* The TEMP tables are private to this connection: a plain transaction
     * keeps them consistent with what this run reads. */
    if ((rc = vx_exec(s, "SAVEPOINT vx_crm")))
        goto done;
    rc = vx_exec(s, "DELETE FROM temp.crm_customers;"
                    "DELETE FROM temp.crm_transactions");
    if (!rc && csql)
        rc = load_mapping(s, crm, csql, 1, &skipped);
    if (!rc && tsql)
        rc = load_mapping(s, crm, tsql, 0, &skipped);
    if (!rc)
        rc = vx_exec(s, VIEWS_CRM);
    if (rc) {
        vx_exec(s, "ROLLBACK TO vx_crm");
        vx_exec(s, "RELEASE vx_crm");
    } else {
        rc = vx_exec(s, "RELEASE vx_crm");
    }
    if (skipped)
        vx_log(s, VOCX_LOG_WARN,
               "CRM %s: %llu rows without a customer id, date or amount "
               "skipped",
               path, (unsigned long long)skipped);
done:
    sqlite3_close(crm);
    free(path);
    free(csql);
    free(tsql);
    return rc;
}
