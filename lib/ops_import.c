/* Operational records: customers and transactions imported through the
 * streaming loader. */
#include "iso8601.h"
#include "loader.h"
#include "vocx_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parse a plain decimal number ("1234.5", "-3", "1e3"); no thousands
 * separators, no currency signs: those are ambiguous across locales. */
static int parse_number(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (*end || !isfinite(v))
        return -1;
    /* strtod accepts "inf", "nan", hex floats; numbers here are decimal. */
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789+-.eE", buf[i]))
            return -1;
    *out = v;
    return 0;
}

static int bad_number(vx_diag *d, const char *what, const char *v, size_t len)
{
    vx_snprintf(d->msg, sizeof d->msg,
                "%s \"%.*s\" is not a plain decimal number", what,
                (int)(len > 40 ? 40 : len), v);
    return VOCX_REJECT_VALUE;
}

/* ---- customers ------------------------------------------------------ */

enum { CU_ID, CU_SEGMENT, CU_CLV, CU_CHURN, CU_MARGIN, CU_NCOLS };

static const char SQL_CU_INSERT[] =
    "INSERT INTO customers(customer_id, segment, clv_value, churn_prob,"
    " margin, batch_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT(customer_id) DO NOTHING";
static const char SQL_CU_UPDATE[] =
    "UPDATE customers SET segment = ?2, clv_value = ?3, churn_prob = ?4,"
    " margin = ?5, batch_id = ?6 WHERE customer_id = ?1 AND"
    " (segment IS NOT ?2 OR clv_value IS NOT ?3 OR churn_prob IS NOT ?4"
    " OR margin IS NOT ?5)";

static void bind_opt_double(sqlite3_stmt *st, int i, int have, double v)
{
    if (have)
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static int customer_row(void *ctx, vocx_store *s, const vx_row *row,
                        int64_t batch_id, const char *now, int *what,
                        vx_diag *d, int *col)
{
    (void)ctx;
    (void)now;
    size_t idl, segl, l;
    const char *id = vx_trim(row->val[CU_ID], row->len[CU_ID], &idl);
    if (!id) {
        *col = CU_ID;
        vx_snprintf(d->msg, sizeof d->msg, "empty customer id");
        return VOCX_REJECT_EMPTY;
    }
    const char *seg =
        vx_trim(row->val[CU_SEGMENT], row->len[CU_SEGMENT], &segl);
    double num[3] = {0, 0, 0};
    int have[3] = {0, 0, 0};
    static const char *const what_name[3] = {"CLV", "churn probability",
                                             "margin"};
    for (int k = 0; k < 3; k++) {
        int c = CU_CLV + k;
        const char *v = vx_trim(row->val[c], row->len[c], &l);
        if (!v)
            continue;
        if (parse_number(v, l, &num[k])) {
            *col = c;
            return bad_number(d, what_name[k], v, l);
        }
        have[k] = 1;
    }
    if (have[1] && (num[1] < 0 || num[1] > 1)) {
        *col = CU_CHURN;
        vx_snprintf(d->msg, sizeof d->msg,
                    "churn probability %g is outside [0, 1]", num[1]);
        return VOCX_REJECT_VALUE;
    }
    sqlite3_stmt *st = vx_stmt(s, SQL_CU_INSERT);
    for (int pass = 0; pass < 2; pass++) {
        if (!st)
            return s->errcode;
        sqlite3_bind_text(st, 1, id, (int)idl, SQLITE_STATIC);
        if (seg)
            sqlite3_bind_text(st, 2, seg, (int)segl, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 2);
        bind_opt_double(st, 3, have[0], num[0]);
        bind_opt_double(st, 4, have[1], num[1]);
        bind_opt_double(st, 5, have[2], num[2]);
        sqlite3_bind_int64(st, 6, batch_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return vx_fail_db(s, "cannot store customer");
        int changed = sqlite3_changes(s->db) == 1;
        if (pass == 0 && changed) {
            *what = VOCX_PUT_INSERTED;
            return VOCX_OK;
        }
        if (pass == 1) {
            *what = changed ? VOCX_PUT_UPDATED : VOCX_PUT_UNCHANGED;
            return VOCX_OK;
        }
        st = vx_stmt(s, SQL_CU_UPDATE);
    }
    return VOCX_OK;
}

/* ---- transactions --------------------------------------------------- */

enum { TX_ID, TX_CUSTOMER, TX_DATE, TX_AMOUNT, TX_NCOLS };

static const char SQL_TX_FIND[] =
    "SELECT txn_id, customer_id, txn_date, amount, batch_id"
    " FROM transactions WHERE txn_key = ?1";
static const char SQL_TX_INSERT[] =
    "INSERT INTO transactions(txn_key, customer_id, txn_date, amount,"
    " batch_id) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(txn_key) DO NOTHING";
static const char SQL_TX_UPDATE[] =
    "UPDATE transactions SET customer_id = ?2, txn_date = ?3, amount = ?4,"
    " batch_id = ?5 WHERE txn_id = ?1";
static const char SQL_TX_SEEN[] =
    "UPDATE transactions SET batch_id = ?2 WHERE txn_id = ?1";

/* The transaction's key: "id:" + its id, else "c:customer|day|cents|n"
 * (below).  Written by hand: this runs for every row, and printf's %.0f was
 * a tenth of an import.  Keys must stay byte for byte what earlier
 * versions wrote, or a re-import would add every row again. */
static void tx_key(char key[512], const char *id, size_t il, const char *cust,
                   size_t cl, const char *day, double amount, int occurrence)
{
    if (id) {
        vx_snprintf(key, 512, "id:%.*s", (int)(il > 400 ? 400 : il), id);
        return;
    }
    double cents = round(amount * 100);
    if (!(fabs(cents) < 1e15)) { /* beyond exact integers: printf's way */
        vx_snprintf(key, 512, "c:%.*s|%s|%.0f|%d", (int)(cl > 400 ? 400 : cl),
                    cust, day, cents, occurrence);
        return;
    }
    size_t n = 0;
    if (cl > 400)
        cl = 400;
    key[n++] = 'c';
    key[n++] = ':';
    memcpy(key + n, cust, cl);
    n += cl;
    key[n++] = '|';
    size_t dl = strlen(day);
    memcpy(key + n, day, dl);
    n += dl;
    key[n++] = '|';
    if (signbit(cents)) /* "%.0f" writes -0 for -0.0 */
        key[n++] = '-';
    uint64_t v = (uint64_t)fabs(cents);
    char d[24];
    size_t k = 0;
    do
        d[k++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (k)
        key[n++] = d[--k];
    vx_snprintf(key + n, 512 - n, "|%d", occurrence);
}

/* Insert a transaction unless its key is taken: 1 inserted, 0 taken, -1
 * error (set on the store). */
static int tx_insert(vocx_store *s, const char *key, const char *cust,
                     size_t cl, const char *day, double amount,
                     int64_t batch_id)
{
    sqlite3_stmt *st = vx_stmt(s, SQL_TX_INSERT);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, cust, (int)cl, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, amount);
    sqlite3_bind_int64(st, 5, batch_id);
    if (sqlite3_step(st) != SQLITE_DONE) {
        vx_fail_db(s, "cannot insert transaction");
        return -1;
    }
    return sqlite3_changes(s->db) == 1;
}

/* Content key without an id column: customer, day and amount in cents,
 * plus the occurrence number of that triple within the import (found by
 * probing keys already seen by this batch), so two identical purchases in
 * one file stay two rows and a re-import adds nothing. */
static int tx_row(void *ctx, vocx_store *s, const vx_row *row,
                  int64_t batch_id, const char *now, int *what, vx_diag *d,
                  int *col)
{
    (void)ctx;
    (void)now;
    size_t cl, dl, al, il;
    const char *cust = vx_trim(row->val[TX_CUSTOMER], row->len[TX_CUSTOMER], &cl);
    if (!cust) {
        *col = TX_CUSTOMER;
        vx_snprintf(d->msg, sizeof d->msg, "empty customer id");
        return VOCX_REJECT_EMPTY;
    }
    const char *date = vx_trim(row->val[TX_DATE], row->len[TX_DATE], &dl);
    int64_t secs;
    if (!date || vx_time_parse(date, dl, &secs, NULL)) {
        *col = TX_DATE;
        vx_snprintf(d->msg, sizeof d->msg,
                    "unparseable date \"%.*s\" (expected ISO 8601 such as "
                    "2026-03-14)",
                    date ? (int)(dl > 40 ? 40 : dl) : 0, date ? date : "");
        return date ? VOCX_REJECT_TIME : VOCX_REJECT_EMPTY;
    }
    char day[21];
    vx_time_format(secs, day);
    day[10] = '\0';
    const char *amt = vx_trim(row->val[TX_AMOUNT], row->len[TX_AMOUNT], &al);
    double amount;
    if (!amt || parse_number(amt, al, &amount)) {
        *col = TX_AMOUNT;
        if (!amt) {
            vx_snprintf(d->msg, sizeof d->msg, "empty amount");
            return VOCX_REJECT_EMPTY;
        }
        return bad_number(d, "amount", amt, al);
    }
    const char *id = vx_trim(row->val[TX_ID], row->len[TX_ID], &il);

    char key[512];
    sqlite3_stmt *st;
    for (int occurrence = 1;; occurrence++) {
        tx_key(key, id, il, cust, cl, day, amount, occurrence);
        /* most rows are new: try the insert first, look up on conflict */
        int ins = tx_insert(s, key, cust, cl, day, amount, batch_id);
        if (ins < 0)
            return s->errcode;
        if (ins) {
            *what = VOCX_PUT_INSERTED;
            return VOCX_OK;
        }
        if (!(st = vx_stmt(s, SQL_TX_FIND)))
            return s->errcode;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            return vx_fail_db(s, "cannot look up transaction");
        int64_t txn = sqlite3_column_int64(st, 0);
        if (id) {
            int same = sqlite3_column_bytes(st, 1) == (int)cl &&
                       !memcmp(sqlite3_column_text(st, 1), cust, cl) &&
                       !strcmp((const char *)sqlite3_column_text(st, 2), day) &&
                       sqlite3_column_double(st, 3) == amount;
            sqlite3_reset(st);
            if (!(st = vx_stmt(s, same ? SQL_TX_SEEN : SQL_TX_UPDATE)))
                return s->errcode;
            sqlite3_bind_int64(st, 1, txn);
            if (same) {
                sqlite3_bind_int64(st, 2, batch_id);
            } else {
                sqlite3_bind_text(st, 2, cust, (int)cl, SQLITE_STATIC);
                sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
                sqlite3_bind_double(st, 4, amount);
                sqlite3_bind_int64(st, 5, batch_id);
            }
            if (sqlite3_step(st) != SQLITE_DONE)
                return vx_fail_db(s, "cannot update transaction");
            *what = same ? VOCX_PUT_UNCHANGED : VOCX_PUT_UPDATED;
            return VOCX_OK;
        }
        int64_t seen_by = sqlite3_column_int64(st, 4);
        sqlite3_reset(st);
        if (seen_by == batch_id)
            continue; /* an earlier identical row of this file: next one */
        if (!(st = vx_stmt(s, SQL_TX_SEEN)))
            return s->errcode;
        sqlite3_bind_int64(st, 1, txn);
        sqlite3_bind_int64(st, 2, batch_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return vx_fail_db(s, "cannot update transaction");
        *what = VOCX_PUT_UNCHANGED;
        return VOCX_OK;
    }
}

int vocx_import_options_init(vocx_import_options *opts, unsigned int version)
{
    if (!opts || version != VOCX_IMPORT_OPTIONS_VERSION)
        return VOCX_EINVAL;
    vocx_import_options init = VOCX_IMPORT_OPTIONS_INIT;
    *opts = init;
    return VOCX_OK;
}

static int import(vocx_store *s, const char *path,
                  const vocx_import_options *opts, vocx_ingest_stats *stats,
                  int customers)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    vocx_import_options defaults = VOCX_IMPORT_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version != VOCX_IMPORT_OPTIONS_VERSION)
        return vx_fail(s, VOCX_EINVAL,
                       "unsupported vocx_import_options version %u",
                       opts->version);
    vx_load_opts o = {opts->format,      opts->strict,
                      opts->batch_rows,  opts->max_record_bytes,
                      opts->on_reject,   opts->reject_payload,
                      opts->on_progress, opts->progress_payload};
    const char *cust = opts->customer_col ? opts->customer_col : "customer_id";
    if (customers) {
        const char *names[CU_NCOLS] = {
            cust, opts->segment_col ? opts->segment_col : "segment",
            opts->clv_col ? opts->clv_col : "clv",
            opts->churn_col ? opts->churn_col : "churn_probability",
            opts->margin_col ? opts->margin_col : "margin"};
        /* optional columns the caller named must be in the file */
        const unsigned char req[CU_NCOLS] = {
            1, opts->segment_col ? VX_COLUMN_NAMED : 0,
            opts->clv_col ? VX_COLUMN_NAMED : 0,
            opts->churn_col ? VX_COLUMN_NAMED : 0,
            opts->margin_col ? VX_COLUMN_NAMED : 0};
        vx_loader l = {"customers", names, req, CU_NCOLS, customer_row, NULL,
                       "customers", NULL,  0};
        return vx_load_path(s, path, &o, &l, stats);
    }
    const char *names[TX_NCOLS] = {opts->id_col ? opts->id_col : "id", cust,
                                   opts->date_col ? opts->date_col : "date",
                                   opts->amount_col ? opts->amount_col
                                                    : "amount"};
    const unsigned char req[TX_NCOLS] = {opts->id_col ? VX_COLUMN_NAMED : 0,
                                         1, 1, 1};
    vx_loader l = {"transactions",       names,
                   req,                  TX_NCOLS,
                   tx_row,               NULL,
                   "transactions",       vx_transaction_indexes,
                   vx_transaction_index_count};
    return vx_load_path(s, path, &o, &l, stats);
}

int vocx_import_customers(vocx_store *s, const char *path,
                          const vocx_import_options *opts,
                          vocx_ingest_stats *stats)
{
    return import(s, path, opts, stats, 1);
}

int vocx_import_transactions(vocx_store *s, const char *path,
                             const vocx_import_options *opts,
                             vocx_ingest_stats *stats)
{
    return import(s, path, opts, stats, 0);
}
