/*
 * bench_e2e — the whole job in one process through the public API, and
 * the floor it is compared with.
 *
 *   bench_e2e --data DIR --rules FILE --db PATH [--threads N]
 *     (with N > 1 the results are stage=e2e-tN)
 *     On a fresh database at PATH (any old file and its -wal/-shm are
 *     removed first): vocx_store_open, vocx_ingest_file(DIR/comments.csv),
 *     vocx_import_customers(DIR/customers.csv),
 *     vocx_import_transactions(DIR/transactions.csv), vocx_clv_fit (auto),
 *     vocx_rules_load + vocx_store_classify (N threads, default 1),
 *     vocx_rank, vocx_store_close.  Each phase prints one @result line
 *     (stage=e2e, label=the phase) with its time; label=total is the
 *     whole; rss_kb is the process's peak RSS so far.
 *
 *   bench_e2e --floor --data DIR --db PATH
 *     What storing the same rows costs at the least: the three files are
 *     parsed into memory first (not timed); then, timed, the rows are
 *     inserted into plain tables with the same columns (INTEGER PRIMARY
 *     KEY, no other index) of a fresh SQLite database in WAL mode, in one
 *     transaction with prepared statements (label=sqlite-insert), and the
 *     three files are read back and scanned once with memchr for line ends
 *     (label=memchr-pass).  label=total is their sum.  Lines say
 *     stage=floor.
 *
 * DIR is what gen_corpus --comments wrote.
 */
#define _POSIX_C_SOURCE 200809L
#include "bench_util.h"
#include "table.h"
#include "vocx.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t file_bytes(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        bu_die("%s: cannot open", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n > 0 ? (uint64_t)n : 0;
}

static void fresh(const char *db)
{
    char p[4096];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
}

static const char *g_stage = "e2e"; /* "floor" in --floor mode */

static void emit_phase(const char *label, double secs, uint64_t bytes,
                       uint64_t comments, const char *extra)
{
    bu_result R;
    memset(&R, 0, sizeof R);
    R.secs = secs;
    R.bytes = bytes;
    R.comments = (size_t)comments;
    R.mbs = secs > 0 ? (double)bytes / secs / 1e6 : 0;
    R.cps = secs > 0 ? (double)comments / secs : 0;
    bu_emit(g_stage, label, &R, extra);
}

static int reject_count(const vocx_reject *rej, void *payload)
{
    (void)rej;
    ++*(uint64_t *)payload;
    return 0;
}

static int pipeline(const char *dir, const char *rules_path, const char *db,
                    int threads)
{
    char comments[4096], customers[4096], transactions[4096], extra[256];
    snprintf(comments, sizeof comments, "%s/comments.csv", dir);
    snprintf(customers, sizeof customers, "%s/customers.csv", dir);
    snprintf(transactions, sizeof transactions, "%s/transactions.csv", dir);
    uint64_t cbytes = file_bytes(comments);
    fresh(db);

    double t_start = bu_now(), t0 = t_start;
    vocx_store *s = NULL;
    int rc = vocx_store_open(&s, db, VOCX_OPEN_CREATE);
    if (rc)
        bu_die("open %s: %s", db, s ? vocx_store_errmsg(s) : vocx_strerror(rc));
    emit_phase("open", bu_now() - t0, 0, 0, NULL);

    uint64_t rejects = 0;
    vocx_ingest_options io = VOCX_INGEST_OPTIONS_INIT;
    io.on_reject = reject_count;
    io.reject_payload = &rejects;
    vocx_ingest_stats st;
    t0 = bu_now();
    if ((rc = vocx_ingest_file(s, comments, &io, &st)))
        bu_die("ingest: %s", vocx_store_errmsg(s));
    uint64_t ncomments = st.inserted;
    snprintf(extra, sizeof extra, "rows=%llu rejected=%llu",
             (unsigned long long)st.rows, (unsigned long long)rejects);
    emit_phase("ingest", bu_now() - t0, cbytes, st.rows, extra);

    vocx_import_options im = VOCX_IMPORT_OPTIONS_INIT;
    t0 = bu_now();
    if ((rc = vocx_import_customers(s, customers, &im, &st)))
        bu_die("customers: %s", vocx_store_errmsg(s));
    snprintf(extra, sizeof extra, "rows=%llu rejected=%llu",
             (unsigned long long)st.rows, (unsigned long long)st.rejected);
    emit_phase("customers", bu_now() - t0, file_bytes(customers), 0, extra);

    t0 = bu_now();
    if ((rc = vocx_import_transactions(s, transactions, &im, &st)))
        bu_die("transactions: %s", vocx_store_errmsg(s));
    snprintf(extra, sizeof extra, "rows=%llu rejected=%llu",
             (unsigned long long)st.rows, (unsigned long long)st.rejected);
    emit_phase("transactions", bu_now() - t0, file_bytes(transactions), 0,
               extra);

    vocx_clv_options co = VOCX_CLV_OPTIONS_INIT;
    vocx_clv_report cr;
    t0 = bu_now();
    if ((rc = vocx_clv_fit(s, &co, &cr)))
        bu_die("clv fit: %s (%s)", vocx_store_errmsg(s), cr.message);
    snprintf(extra, sizeof extra,
             "customers=%zu fit_customers=%zu transactions=%zu fitted=%d "
             "iterations=%d converged=%d",
             cr.customers, cr.fit_customers, cr.transactions, cr.fitted,
             cr.iterations, cr.converged);
    emit_phase("clv", bu_now() - t0, 0, 0, extra);

    vocx_rules *rules = NULL;
    vocx_diagnostics *diag = NULL;
    t0 = bu_now();
    if ((rc = vocx_rules_load(&rules, rules_path, &diag))) {
        for (size_t i = 0; i < vocx_diagnostics_count(diag) && i < 5; i++)
            fprintf(stderr, "%s\n", vocx_diagnostics_get(diag, i)->message);
        bu_die("%s: %s", rules_path, vocx_strerror(rc));
    }
    vocx_diagnostics_free(diag);
    vocx_classify_options clo = VOCX_CLASSIFY_OPTIONS_INIT;
    clo.threads = threads;
    vocx_classify_stats cs;
    if ((rc = vocx_store_classify(s, rules, &clo, &cs)))
        bu_die("classify: %s", vocx_store_errmsg(s));
    double t_classify = bu_now() - t0;
    snprintf(extra, sizeof extra,
             "threads=%d with_issues=%llu issues=%llu churn=%llu", threads,
             (unsigned long long)cs.with_issues, (unsigned long long)cs.hits,
             (unsigned long long)cs.churn);
    /* MB/s over the comments' text is what the in-memory figures use; the
     * file's bytes are close enough to compare and known here */
    emit_phase("classify", t_classify, cbytes, cs.classified, extra);
    vocx_rules_free(rules);

    vocx_rank_options ro = VOCX_RANK_OPTIONS_INIT;
    vocx_ranking *rk = NULL;
    t0 = bu_now();
    if ((rc = vocx_rank(&rk, s, &ro)))
        bu_die("rank: %s", vocx_store_errmsg(s));
    vocx_ranking_totals tot;
    vocx_ranking_totals_get(rk, &tot);
    const vocx_rank_row *top = vocx_ranking_row(rk, 0);
    snprintf(extra, sizeof extra, "issues=%zu top=%s clv_total=%.0f",
             vocx_ranking_count(rk), top ? top->issue : "-", tot.clv_total);
    vocx_ranking_free(rk);
    emit_phase("rank", bu_now() - t0, 0, tot.comments, extra);

    t0 = bu_now();
    vocx_store_close(s);
    emit_phase("close", bu_now() - t0, 0, 0, NULL);
    snprintf(extra, sizeof extra, "threads=%d", threads);
    emit_phase("total", bu_now() - t_start, cbytes, ncomments, extra);
    return 0;
}

/* ---- the floor -------------------------------------------------------- */

/* Rows of a CSV file in memory: field j of row i is NUL-terminated at
 * data.p + off[i * ncols + j]. */
typedef struct rows {
    bu_buf data;
    size_t *off;
    size_t n, cap, ncols;
} rows;

static void load_rows(rows *r, const char *path, const char *const *names,
                      size_t ncols)
{
    unsigned char req[8];
    memset(req, 1, sizeof req);
    vx_table_spec spec = {names, req, ncols, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        bu_die("%s: cannot open", path);
    vx_table *t;
    vx_diag d;
    vx_row row;
    if (vx_table_open(&t, VOCX_FORMAT_CSV, bu_file_read, f, path, &spec, &d))
        bu_die("%s: %s", path, d.msg);
    memset(r, 0, sizeof *r);
    r->ncols = ncols;
    int rc;
    while ((rc = vx_table_next(t, &row, &d)) != 0) {
        if (rc < 0)
            bu_die("%s: %s", path, d.msg);
        if (rc != 1)
            continue;
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 4096;
            r->off = bu_xrealloc(r->off, r->cap * ncols * sizeof *r->off);
        }
        for (size_t j = 0; j < ncols; j++) {
            r->off[r->n * ncols + j] = r->data.n;
            bu_put(&r->data, row.val[j], row.len[j]);
            bu_put(&r->data, "", 1); /* the NUL */
        }
        r->n++;
    }
    vx_table_free(t);
    fclose(f);
}

static const char *field(const rows *r, size_t i, size_t j)
{
    return r->data.p + r->off[i * r->ncols + j];
}

static void exec_sql(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        bu_die("sqlite: %s: %s", sql, err ? err : "?");
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        bu_die("sqlite: %s: %s", sql, sqlite3_errmsg(db));
    return st;
}

static void step(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        bu_die("sqlite insert: %s", sqlite3_errmsg(db));
    sqlite3_reset(st);
}

static int floor_run(const char *dir, const char *dbpath)
{
    static const char *const ccols[] = {"id", "customer_id", "created_at",
                                        "channel", "text"};
    static const char *const ucols[] = {"customer_id", "segment"};
    static const char *const tcols[] = {"customer_id", "date", "amount"};
    char paths[3][4096];
    snprintf(paths[0], sizeof paths[0], "%s/comments.csv", dir);
    snprintf(paths[1], sizeof paths[1], "%s/customers.csv", dir);
    snprintf(paths[2], sizeof paths[2], "%s/transactions.csv", dir);
    rows cm, cu, tx;
    load_rows(&cm, paths[0], ccols, 5);
    load_rows(&cu, paths[1], ucols, 2);
    load_rows(&tx, paths[2], tcols, 3);
    double *amount = bu_xmalloc((tx.n ? tx.n : 1) * sizeof *amount);
    for (size_t i = 0; i < tx.n; i++)
        amount[i] = strtod(field(&tx, i, 2), NULL);
    uint64_t cbytes = file_bytes(paths[0]);
    fresh(dbpath);

    double t0 = bu_now();
    sqlite3 *db = NULL;
    if (sqlite3_open(dbpath, &db) != SQLITE_OK)
        bu_die("%s: %s", dbpath, db ? sqlite3_errmsg(db) : "cannot open");
    exec_sql(db, "PRAGMA journal_mode = WAL");
    exec_sql(db,
             "CREATE TABLE comments(comment_id INTEGER PRIMARY KEY,"
             " source_id TEXT, customer_id TEXT, created_at TEXT,"
             " channel TEXT, text TEXT);"
             "CREATE TABLE customers(customer_id TEXT, segment TEXT);"
             "CREATE TABLE transactions(txn_id INTEGER PRIMARY KEY,"
             " customer_id TEXT, txn_date TEXT, amount REAL)");
    exec_sql(db, "BEGIN");
    sqlite3_stmt *st = prepare(db, "INSERT INTO comments(source_id,"
                                   " customer_id, created_at, channel, text)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5)");
    for (size_t i = 0; i < cm.n; i++) {
        for (int j = 0; j < 5; j++)
            sqlite3_bind_text(st, j + 1, field(&cm, i, (size_t)j), -1,
                              SQLITE_STATIC);
        step(db, st);
    }
    sqlite3_finalize(st);
    st = prepare(db, "INSERT INTO customers VALUES (?1, ?2)");
    for (size_t i = 0; i < cu.n; i++) {
        sqlite3_bind_text(st, 1, field(&cu, i, 0), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, field(&cu, i, 1), -1, SQLITE_STATIC);
        step(db, st);
    }
    sqlite3_finalize(st);
    st = prepare(db, "INSERT INTO transactions(customer_id, txn_date, amount)"
                     " VALUES (?1, ?2, ?3)");
    for (size_t i = 0; i < tx.n; i++) {
        sqlite3_bind_text(st, 1, field(&tx, i, 0), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, field(&tx, i, 1), -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, amount[i]);
        step(db, st);
    }
    sqlite3_finalize(st);
    exec_sql(db, "COMMIT");
    if (sqlite3_close(db) != SQLITE_OK)
        bu_die("sqlite close failed");
    double t_insert = bu_now() - t0;
    char extra[128];
    snprintf(extra, sizeof extra, "rows=%zu", cm.n + cu.n + tx.n);
    emit_phase("sqlite-insert", t_insert, cbytes, cm.n, extra);

    /* one memchr pass over each file, read back from the page cache */
    t0 = bu_now();
    uint64_t lines = 0, all = 0;
    static char chunk[1 << 16];
    for (int k = 0; k < 3; k++) {
        FILE *f = fopen(paths[k], "rb");
        if (!f)
            bu_die("%s: cannot open", paths[k]);
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
            all += n;
            for (const char *p = chunk, *end = chunk + n;
                 (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
                lines++;
        }
        fclose(f);
    }
    double t_memchr = bu_now() - t0;
    snprintf(extra, sizeof extra, "lines=%llu file_bytes=%llu",
             (unsigned long long)lines, (unsigned long long)all);
    emit_phase("memchr-pass", t_memchr, all, cm.n, extra);
    emit_phase("total", t_insert + t_memchr, cbytes, cm.n, NULL);

    free(amount);
    free(cm.data.p);
    free(cm.off);
    free(cu.data.p);
    free(cu.off);
    free(tx.data.p);
    free(tx.off);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_e2e --data DIR --rules FILE --db PATH "
                    "[--threads N]\n"
                    "       bench_e2e --floor --data DIR --db PATH\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *rules = NULL, *db = NULL;
    int threads = 1, floor_mode = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--floor")) {
            floor_mode = 1;
            continue;
        }
        if (i + 1 >= argc)
            usage();
        if (!strcmp(argv[i], "--data"))
            dir = argv[++i];
        else if (!strcmp(argv[i], "--rules"))
            rules = argv[++i];
        else if (!strcmp(argv[i], "--db"))
            db = argv[++i];
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[++i]);
        else
            usage();
    }
    if (!dir || !db || (!floor_mode && !rules) || threads < 1)
        usage();
    if (floor_mode) {
        g_stage = "floor";
        return floor_run(dir, db);
    }
    static char stage[32];
    if (threads > 1) { /* "e2e-t2": a stage of its own in the table */
        snprintf(stage, sizeof stage, "e2e-t%d", threads);
        g_stage = stage;
    }
    return pipeline(dir, rules, db, threads);
}
