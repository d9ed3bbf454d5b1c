/* The streaming loader: table rows -> handler -> batched transactions. */
#include "loader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Rows per transaction.  Every commit writes each page it dirtied to the
 * WAL, and new rows land all over the customer and date indexes: at 5,000
 * rows a 1 M-row ingest wrote 1.5 pages per row and took twice as long
 * (docs/performance.md).  25,000 rows are still a fraction of a second of
 * work, so other writers wait little and a killed run loses little. */
#define VX_DEFAULT_BATCH_ROWS 25000

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

const char *vx_trim(const char *s, size_t len, size_t *out_len)
{
    if (!s) {
        *out_len = 0;
        return NULL;
    }
    while (len && is_space((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && is_space((unsigned char)s[len - 1]))
        len--;
    *out_len = len;
    return len ? s : NULL;
}

/* A load defers its table's secondary indexes when the input is expected
 * to hold at least this many rows, and at least a quarter as many as the
 * table.  Inserting at random places in an index costs about ten times
 * what building it sorted costs, once the index outgrows the page cache
 * (docs/performance.md).  Rows are estimated at VX_DEFER_ROW_BYTES bytes
 * each, the short end of comment rows, from the size of the file; a stream
 * of unknown size never defers. */
#define VX_DEFER_MIN_ROWS 50000
#define VX_DEFER_ROW_BYTES 100

typedef struct vx_run {
    vocx_store *s;
    const vx_load_opts *o;
    const vx_loader *l;
    const char *source;
    uint64_t total_bytes;
    int deferred; /* the secondary indexes were dropped by this run */
    vocx_ingest_stats st;
    vocx_ingest_stats committed; /* st as of the last commit */
    char now[21];
} vx_run;

static int report_reject(vx_run *in, const vx_diag *d)
{
    char line[VX_ERRMSG_MAX];
    in->st.rejected++;
    if (!in->o->on_reject)
        return 0;
    if (d->column)
        vx_snprintf(line, sizeof line, "%s:%llu:%llu: %s", in->source,
                    (unsigned long long)d->line,
                    (unsigned long long)d->column, d->msg);
    else
        vx_snprintf(line, sizeof line, "%s:%llu: %s", in->source,
                    (unsigned long long)d->line, d->msg);
    vocx_reject r = {in->source, d->line, d->column, d->reason, line};
    return in->o->on_reject(&r, in->o->reject_payload);
}

static const char SQL_BATCH_START[] =
    "INSERT INTO ingest_batches(kind, source, format, started_at)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_BATCH_END[] =
    "UPDATE ingest_batches SET finished_at = ?2, status = ?3, rows_read = ?4,"
    " inserted = ?5, updated = ?6, unchanged = ?7, rejected = ?8"
    " WHERE batch_id = ?1";

static int batch_start(vx_run *in, const char *format)
{
    sqlite3_stmt *st = vx_stmt(in->s, SQL_BATCH_START);
    if (!st)
        return in->s->errcode;
    sqlite3_bind_text(st, 1, in->l->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, in->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, format, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, in->now, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vx_fail_db(in->s, "cannot record the ingest batch");
    in->st.batch_id = sqlite3_last_insert_rowid(in->s->db);
    return VOCX_OK;
}

static int batch_end(vx_run *in, const char *status)
{
    char now[21];
    vx_now_iso(now);
    sqlite3_stmt *st = vx_stmt(in->s, SQL_BATCH_END);
    if (!st)
        return in->s->errcode;
    sqlite3_bind_int64(st, 1, in->st.batch_id);
    /* finished_at stays NULL while running, so a killed run shows as one
     * (docs/schema.md) */
    if (strcmp(status, "running") != 0)
        sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)in->st.rows);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)in->st.inserted);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)in->st.updated);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)in->st.unchanged);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)in->st.rejected);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vx_fail_db(in->s, "cannot record the ingest batch");
    /* rows are written with foreign keys off (load()): the record they
     * point to must still be there when they are committed */
    if (sqlite3_changes(in->s->db) != 1)
        return vx_fail(in->s, VOCX_EDB,
                       "%s: the record of ingest batch %lld was deleted"
                       " while loading",
                       in->source, (long long)in->st.batch_id);
    return VOCX_OK;
}

/* Run `sql`; on failure the error names what was being done to which
 * index. */
static int index_exec(vocx_store *s, const char *sql, const char *what,
                      const char *name)
{
    int rc = vx_exec(s, sql);
    if (rc) {
        char msg[VX_ERRMSG_MAX];
        memcpy(msg, s->errmsg, sizeof msg);
        vx_fail(s, rc, "cannot %s index %s: %s", what, name, msg);
    }
    return rc;
}

/* Build the table's secondary indexes that are missing. */
static int indexes_build(vx_run *in)
{
    /* SQLite sorts an index's keys in runs the size of the page cache.
     * Runs of 4 MiB stay in the CPU's caches and helper threads sort
     * them while the table is read: building the comment indexes of 1 M
     * rows 3.7 -> 2.1 s with one helper, about 0.3 s less again with two,
     * which also merge (docs/performance.md; three or four were slower on
     * two cores).  The spilled runs are temporary files; the usual cache
     * comes back afterwards. */
    int rc = vx_exec(in->s, "PRAGMA cache_size = " VX_CACHE_STREAM_PRAGMA
                            "; PRAGMA threads = 2");
    for (int i = 0; i < in->l->nindexes && !rc; i++)
        rc = index_exec(in->s, in->l->indexes[i].create_sql, "build",
                        in->l->indexes[i].name);
    static const char restore[] =
        "PRAGMA cache_size = " VX_CACHE_PRAGMA "; PRAGMA threads = 0";
    if (rc) { /* keep the first error's message */
        sqlite3_exec(in->s->db, restore, NULL, NULL, NULL);
        return rc;
    }
    return vx_exec(in->s, restore);
}

/* Drop the secondary indexes when this load will be large against the
 * table (see VX_DEFER_MIN_ROWS). */
static int indexes_maybe_defer(vx_run *in)
{
    uint64_t expect = in->total_bytes / VX_DEFER_ROW_BYTES;
    if (!in->l->nindexes || expect < VX_DEFER_MIN_ROWS)
        return VOCX_OK;
    char sql[128];
    vx_snprintf(sql, sizeof sql, "SELECT coalesce(max(rowid), 0) FROM %s",
                in->l->table);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(in->s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return vx_fail_db(in->s, "cannot count the rows");
    int rc = sqlite3_step(st);
    uint64_t have = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return vx_fail_db(in->s, "cannot count the rows");
    if (expect < have / 4)
        return VOCX_OK;
    for (int i = 0; i < in->l->nindexes; i++) {
        vx_snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s",
                    in->l->indexes[i].name);
        if ((rc = index_exec(in->s, sql, "drop", in->l->indexes[i].name)))
            return rc;
    }
    in->deferred = 1;
    return VOCX_OK;
}

/* Record a failed run in its own transaction (best effort: the run's
 * committed batches stay, and the record says how far it got). */
static void batch_failed(vx_run *in)
{
    vx_rollback(in->s);
    if (in->st.batch_id <= 0 || in->o->strict)
        return;
    int code = in->s->errcode;
    char msg[VX_ERRMSG_MAX];
    memcpy(msg, in->s->errmsg, sizeof msg);
    vocx_ingest_stats keep = in->st;
    in->st = in->committed;
    in->st.rows = keep.rows;
    in->st.rejected = keep.rejected;
    /* indexes the run dropped are built again over what it kept */
    if (vx_begin(in->s) == VOCX_OK &&
        (!in->deferred || indexes_build(in) == VOCX_OK) &&
        batch_end(in, "failed") == VOCX_OK)
        vx_commit(in->s);
    vx_rollback(in->s);
    in->st = keep;
    vx_fail(in->s, code, "%s", msg);
}

static int progress(vx_run *in, vx_table *t)
{
    if (!in->o->on_progress)
        return VOCX_OK;
    if (in->o->on_progress(in->st.rows, vx_table_bytes_read(t),
                           in->total_bytes, in->o->progress_payload))
        return vx_fail(in->s, VOCX_ECANCEL, "%s: cancelled after %llu rows",
                       in->source, (unsigned long long)in->st.rows);
    return VOCX_OK;
}

static int reject(vx_run *in, const vx_diag *d)
{
    if (report_reject(in, d))
        return vx_fail(in->s, VOCX_ECANCEL, "%s:%llu: stopped at a reject",
                       in->source, (unsigned long long)d->line);
    return VOCX_OK;
}

static int run(vx_run *in, vx_read_fn read, void *ctx)
{
    vocx_store *s = in->s;
    const vx_load_opts *o = in->o;
    vx_table_spec spec = {in->l->names, in->l->required, in->l->ncols,
                          o->max_record_bytes};
    vx_diag d;
    memset(&d, 0, sizeof d);
    vx_table *t = NULL;
    int rc = vx_table_open(&t, o->format, read, ctx, in->source, &spec, &d);
    if (rc) {
        if (d.line)
            vx_fail(s, rc, "%s:%llu: %s", in->source,
                    (unsigned long long)d.line, d.msg);
        else
            vx_fail(s, rc, "%s: %s", in->source, d.msg);
        vx_table_free(t);
        return rc;
    }
    size_t batch_rows = o->batch_rows ? o->batch_rows : VX_DEFAULT_BATCH_ROWS;
    size_t in_batch = 0;
    vx_now_iso(in->now);

    if ((rc = vx_begin(s)) || (rc = batch_start(in, vx_table_format_name(t))) ||
        (rc = indexes_build(in)) || (rc = indexes_maybe_defer(in)))
        goto fail;
    /* Commit the batch record at once so a killed run is visible; strict
     * mode keeps everything in one transaction instead. */
    if (!o->strict && ((rc = vx_commit(s)) || (rc = vx_begin(s))))
        goto fail;

    for (;;) {
        vx_row row;
        memset(&d, 0, sizeof d);
        int r = vx_table_next(t, &row, &d);
        if (r == 0)
            break;
        if (r < 0) {
            rc = r;
            vx_fail(s, rc, "%s:%llu: %s", in->source,
                    (unsigned long long)d.line, d.msg);
            goto fail;
        }
        in->st.rows++;
        if (r == 2) {
            if ((rc = reject(in, &d)))
                goto fail;
            continue;
        }
        int what = 0, col = 0;
        r = in->l->row(in->l->ctx, s, &row, in->st.batch_id, in->now, &what,
                       &d, &col);
        if (r > 0) {
            /* Point at the value itself: after a multi-line field it sits
             * on a later line than the record's first. */
            d.line = row.val_line ? row.val_line[col] : row.line;
            d.column = row.col ? row.col[col] : 0;
            d.reason = r;
            if ((rc = reject(in, &d)))
                goto fail;
            continue;
        }
        if (r < 0) {
            rc = r;
            char msg[VX_ERRMSG_MAX];
            memcpy(msg, s->errmsg, sizeof msg);
            vx_fail(s, rc, "%s:%llu: %s", in->source,
                    (unsigned long long)row.line, msg);
            goto fail;
        }
        if (what == VOCX_PUT_INSERTED)
            in->st.inserted++;
        else if (what == VOCX_PUT_UPDATED)
            in->st.updated++;
        else
            in->st.unchanged++;
        if (!o->strict && ++in_batch >= batch_rows) {
            if ((rc = batch_end(in, "running")) || (rc = vx_commit(s)))
                goto fail;
            in->st.batches++;
            in->committed = in->st;
            in_batch = 0;
            if ((rc = progress(in, t)) || (rc = vx_begin(s)))
                goto fail;
        }
    }
    if (o->strict && in->st.rejected) {
        rc = vx_fail(s, VOCX_EREJECT,
                     "%s: %llu of %llu rows rejected; strict mode kept "
                     "nothing",
                     in->source, (unsigned long long)in->st.rejected,
                     (unsigned long long)in->st.rows);
        goto fail;
    }
    if ((in->deferred && (rc = indexes_build(in))) ||
        (rc = batch_end(in, "done")) || (rc = vx_commit(s)))
        goto fail;
    in->st.batches++;
    rc = progress(in, t);
    vx_table_free(t);
    return rc;
fail:
    batch_failed(in);
    /* Report what is in the database: rows of the rolled-back batch were
     * read but not kept. */
    in->st.inserted = in->committed.inserted;
    in->st.updated = in->committed.updated;
    in->st.unchanged = in->committed.unchanged;
    in->st.batches = in->committed.batches;
    if (o->strict)
        in->st.batch_id = 0; /* nothing from this call was kept */
    vx_table_free(t);
    return rc;
}

static int load(vocx_store *s, vx_read_fn read, void *ctx, const char *source,
                uint64_t total, const vx_load_opts *o, const vx_loader *l,
                vocx_ingest_stats *stats)
{
    if (o->format < VOCX_FORMAT_AUTO || o->format > VOCX_FORMAT_JSONL)
        return vx_fail(s, VOCX_EINVAL, "unknown format %d", o->format);
    vx_run in;
    memset(&in, 0, sizeof in);
    in.s = s;
    in.o = o;
    in.l = l;
    in.source = source;
    in.total_bytes = total;
    /* Rows are written with foreign keys off: their one parent is this
     * run's own ingest_batches row, which batch_end() finds still there
     * before every commit, and what loading deletes (the classifications
     * of a changed text) has nothing depending on it.  SQLite's checks
     * were 5 % of an ingest's instructions.  The pragma is a no-op inside
     * a transaction, as in a caller's snapshot (where nothing is
     * written). */
    sqlite3_exec(s->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
    int rc = run(&in, read, ctx);
    if (sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) !=
            SQLITE_OK &&
        rc == VOCX_OK)
        rc = vx_fail_db(s, "cannot turn foreign keys back on");
    if (stats)
        *stats = in.st;
    if (rc == VOCX_OK)
        vx_log(s, VOCX_LOG_INFO,
               "%s: %llu rows: %llu inserted, %llu updated, %llu unchanged, "
               "%llu rejected",
               source, (unsigned long long)in.st.rows,
               (unsigned long long)in.st.inserted,
               (unsigned long long)in.st.updated,
               (unsigned long long)in.st.unchanged,
               (unsigned long long)in.st.rejected);
    return rc;
}

int vx_load_read(vocx_store *s, vx_read_fn read, void *ctx,
                 const char *source, const vx_load_opts *o, const vx_loader *l,
                 vocx_ingest_stats *stats)
{
    if (!read)
        return vx_fail(s, VOCX_EINVAL, "no read callback");
    if (s->readonly)
        return vx_fail(s, VOCX_EREADONLY, "the store is open read-only");
    return load(s, read, ctx, source ? source : "<input>", 0, o, l, stats);
}

typedef struct vx_file_reader {
    FILE *f;
    int err;
} vx_file_reader;

static ptrdiff_t file_read(void *ctx, char *buf, size_t cap)
{
    vx_file_reader *r = ctx;
    size_t n = fread(buf, 1, cap, r->f);
    if (n == 0 && ferror(r->f)) {
        r->err = errno ? errno : EIO;
        return -1;
    }
    return (ptrdiff_t)n;
}

int vx_load_path(vocx_store *s, const char *path, const vx_load_opts *o,
                 const vx_loader *l, vocx_ingest_stats *stats)
{
    if (s->readonly)
        return vx_fail(s, VOCX_EREADONLY, "the store is open read-only");
    int use_stdin = !path || strcmp(path, "-") == 0;
    vx_file_reader r = {use_stdin ? stdin : fopen(path, "rb"), 0};
    if (!r.f)
        return vx_fail(s, VOCX_EIO, "%s: %s", path, strerror(errno));
    uint64_t total = 0; /* for the progress callback's estimate */
    struct stat sb;
    if (fstat(fileno(r.f), &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            fclose(r.f);
            return vx_fail(s, VOCX_EIO, "%s: is a directory", path);
        }
        if (S_ISREG(sb.st_mode))
            total = (uint64_t)sb.st_size;
    }
    const char *source = use_stdin ? "-" : path;
    int rc = load(s, file_read, &r, source, total, o, l, stats);
    if (rc == VOCX_EIO && r.err)
        vx_fail(s, rc, "%s: read error: %s", source, strerror(r.err));
    if (!use_stdin)
        fclose(r.f);
    return rc;
}
