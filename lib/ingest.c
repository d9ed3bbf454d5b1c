/* Comment ingest: rows from a table reader (CSV or JSON Lines), validated,
 * normalized for storage and upserted in batched transactions. */
#include "iso8601.h"
#include "table.h"
#include "utf8.h"
#include "vocx_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VX_DEFAULT_BATCH_ROWS 5000

/* A comment ready for storage: every field trimmed and validated. */
typedef struct vx_norm_comment {
    const char *source_id;
    size_t source_id_len;
    const char *customer_id; /* NULL: anonymous */
    size_t customer_id_len;
    char created_at[21]; /* "" when unknown */
    char channel[64];    /* "" when unknown */
    const char *text;
    size_t text_len;
    char derived_id[8 + 64 + 1]; /* "sha256:" + hex, when no source id */
} vx_norm_comment;

/* Column positions in the table spec. */
enum { COL_ID, COL_CUSTOMER, COL_TIME, COL_CHANNEL, COL_TEXT, NCOLS };

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

static const char *trim(const char *s, size_t len, size_t *out_len)
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

/* Validate and normalize one comment.  On a bad value returns the
 * VOCX_REJECT_* reason and writes a message; `col` receives the index of
 * the offending column. */
static int normalize(vx_norm_comment *n, const char *const *val,
                     const size_t *len, const char *default_channel,
                     char *msg, size_t msgcap, int *col)
{
    memset(n, 0, sizeof *n);
    size_t tl;
    const char *t = trim(val[COL_TEXT], val[COL_TEXT] ? len[COL_TEXT] : 0, &tl);
    if (!t) {
        *col = COL_TEXT;
        vx_snprintf(msg, msgcap, "empty text");
        return VOCX_REJECT_EMPTY;
    }
    /* The text is stored exactly as received, surrounding spaces too. */
    n->text = val[COL_TEXT];
    n->text_len = len[COL_TEXT];

    size_t l;
    const char *v;
    v = trim(val[COL_TIME], val[COL_TIME] ? len[COL_TIME] : 0, &l);
    if (v) {
        int64_t secs;
        if (vx_time_parse(v, l, &secs, NULL) != 0) {
            *col = COL_TIME;
            vx_snprintf(msg, msgcap,
                        "unparseable timestamp \"%.*s\" (expected ISO 8601 "
                        "such as 2026-03-14 or 2026-03-14T09:21:00Z)",
                        (int)(l > 64 ? 64 : l), v);
            return VOCX_REJECT_TIME;
        }
        vx_time_format(secs, n->created_at);
    }
    v = trim(val[COL_CHANNEL], val[COL_CHANNEL] ? len[COL_CHANNEL] : 0, &l);
    if (!v && default_channel)
        v = trim(default_channel, strlen(default_channel), &l);
    if (v) {
        if (l >= sizeof n->channel) {
            *col = COL_CHANNEL;
            vx_snprintf(msg, msgcap, "channel longer than %zu bytes",
                        sizeof n->channel - 1);
            return VOCX_REJECT_VALUE;
        }
        /* Channels are categories: ASCII case does not make a new one. */
        for (size_t i = 0; i < l; i++) {
            unsigned char c = (unsigned char)v[i];
            n->channel[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        n->channel[l] = '\0';
    }
    n->customer_id = trim(val[COL_CUSTOMER],
                          val[COL_CUSTOMER] ? len[COL_CUSTOMER] : 0,
                          &n->customer_id_len);
    n->source_id = trim(val[COL_ID], val[COL_ID] ? len[COL_ID] : 0,
                        &n->source_id_len);
    if (!n->source_id) {
        /* Content id: the same anonymous comment is never stored twice. */
        vx_sha256 h;
        unsigned char d[32];
        unsigned char sep = 0x1f;
        vx_sha256_init(&h);
        if (n->customer_id)
            vx_sha256_update(&h, n->customer_id, n->customer_id_len);
        vx_sha256_update(&h, &sep, 1);
        vx_sha256_update(&h, n->created_at, strlen(n->created_at));
        vx_sha256_update(&h, &sep, 1);
        vx_sha256_update(&h, n->channel, strlen(n->channel));
        vx_sha256_update(&h, &sep, 1);
        vx_sha256_update(&h, n->text, n->text_len);
        vx_sha256_final(&h, d);
        memcpy(n->derived_id, "sha256:", 7);
        vx_hex(d, 32, n->derived_id + 7);
        n->source_id = n->derived_id;
        n->source_id_len = strlen(n->derived_id);
    }
    return 0;
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *s, size_t len)
{
    if (s && len)
        sqlite3_bind_text(st, i, s, (int)len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static const char SQL_INSERT[] =
    "INSERT INTO comments(source_id, customer_id, created_at, channel, text,"
    " batch_id, ingested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT(source_id) DO NOTHING";
static const char SQL_UPDATE[] =
    "UPDATE comments SET customer_id = ?2, created_at = ?3, channel = ?4,"
    " text = ?5, batch_id = ?6, updated_at = ?7"
    " WHERE source_id = ?1 AND (customer_id IS NOT ?2 OR created_at IS NOT ?3"
    " OR channel IS NOT ?4 OR text IS NOT ?5)";

static void bind_comment(sqlite3_stmt *st, const vx_norm_comment *n,
                         int64_t batch_id, const char *now)
{
    sqlite3_bind_text(st, 1, n->source_id, (int)n->source_id_len,
                      SQLITE_STATIC);
    bind_opt_text(st, 2, n->customer_id, n->customer_id_len);
    bind_opt_text(st, 3, n->created_at, strlen(n->created_at));
    bind_opt_text(st, 4, n->channel, strlen(n->channel));
    sqlite3_bind_text(st, 5, n->text, (int)n->text_len, SQLITE_STATIC);
    if (batch_id > 0)
        sqlite3_bind_int64(st, 6, batch_id);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
}

/* Insert, else update if changed; *what gets VOCX_PUT_*. */
static int upsert(vocx_store *s, const vx_norm_comment *n, int64_t batch_id,
                  const char *now, int *what)
{
    if (n->text_len > (size_t)INT32_MAX)
        return vx_fail(s, VOCX_ELIMIT, "text larger than 2 GiB");
    sqlite3_stmt *st = vx_stmt(s, SQL_INSERT);
    if (!st)
        return s->errcode;
    bind_comment(st, n, batch_id, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vx_fail_db(s, "cannot insert comment");
    if (sqlite3_changes(s->db) == 1) {
        *what = VOCX_PUT_INSERTED;
        return VOCX_OK;
    }
    st = vx_stmt(s, SQL_UPDATE);
    if (!st)
        return s->errcode;
    bind_comment(st, n, batch_id, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vx_fail_db(s, "cannot update comment");
    *what = sqlite3_changes(s->db) == 1 ? VOCX_PUT_UPDATED : VOCX_PUT_UNCHANGED;
    return VOCX_OK;
}

int vocx_store_put_comment(vocx_store *s, const vocx_comment *c, int *out_what)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!c || !c->text)
        return vx_fail(s, VOCX_EINVAL, "comment without text");
    size_t tlen = c->text_len ? c->text_len : strlen(c->text);
    const char *val[NCOLS] = {c->source_id, c->customer_id, c->created_at,
                              c->channel, c->text};
    size_t len[NCOLS];
    for (int i = 0; i < NCOLS; i++)
        len[i] = val[i] ? strlen(val[i]) : 0;
    len[COL_TEXT] = tlen;
    static const char *const names[NCOLS] = {"source_id", "customer_id",
                                             "created_at", "channel", "text"};
    for (int i = 0; i < NCOLS; i++) {
        if (!val[i])
            continue;
        if (memchr(val[i], '\0', len[i]))
            return vx_fail(s, VOCX_EINVAL, "%s contains a NUL byte", names[i]);
        size_t bad = vx_utf8_check(val[i], len[i]);
        if (bad != len[i])
            return vx_fail(s, VOCX_EINVAL,
                           "%s is not valid UTF-8 (byte %zu)", names[i],
                           bad + 1);
    }
    vx_norm_comment n;
    char msg[256];
    int col = 0;
    if (normalize(&n, val, len, NULL, msg, sizeof msg, &col))
        return vx_fail(s, VOCX_EINVAL, "%s: %s", names[col], msg);
    char now[21];
    vx_now_iso(now);
    int rc, what = 0;
    if ((rc = vx_begin(s)))
        return rc;
    if ((rc = upsert(s, &n, 0, now, &what)) || (rc = vx_commit(s))) {
        vx_rollback(s);
        return rc;
    }
    if (out_what)
        *out_what = what;
    return VOCX_OK;
}

int vocx_ingest_options_init(vocx_ingest_options *opts, unsigned int version)
{
    if (!opts || version != VOCX_INGEST_OPTIONS_VERSION)
        return VOCX_EINVAL;
    vocx_ingest_options init = VOCX_INGEST_OPTIONS_INIT;
    *opts = init;
    return VOCX_OK;
}

/* ---- file ingest --------------------------------------------------- */

typedef struct vx_ingest {
    vocx_store *s;
    const vocx_ingest_options *o;
    const char *source;
    uint64_t total_bytes;
    vocx_ingest_stats st;
    vocx_ingest_stats committed; /* st as of the last commit */
    char now[21];
} vx_ingest;

static int report_reject(vx_ingest *in, const vx_diag *d)
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
    " VALUES ('comments', ?1, ?2, ?3)";
static const char SQL_BATCH_END[] =
    "UPDATE ingest_batches SET finished_at = ?2, status = ?3, rows_read = ?4,"
    " inserted = ?5, updated = ?6, unchanged = ?7, rejected = ?8"
    " WHERE batch_id = ?1";

static int batch_start(vx_ingest *in, const char *format)
{
    sqlite3_stmt *st = vx_stmt(in->s, SQL_BATCH_START);
    if (!st)
        return in->s->errcode;
    sqlite3_bind_text(st, 1, in->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, format, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, in->now, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vx_fail_db(in->s, "cannot record the ingest batch");
    in->st.batch_id = sqlite3_last_insert_rowid(in->s->db);
    return VOCX_OK;
}

static int batch_end(vx_ingest *in, const char *status)
{
    char now[21];
    vx_now_iso(now);
    sqlite3_stmt *st = vx_stmt(in->s, SQL_BATCH_END);
    if (!st)
        return in->s->errcode;
    sqlite3_bind_int64(st, 1, in->st.batch_id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)in->st.rows);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)in->st.inserted);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)in->st.updated);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)in->st.unchanged);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)in->st.rejected);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vx_fail_db(in->s, "cannot record the ingest batch");
    return VOCX_OK;
}

/* Record a failed run in its own transaction (best effort: the run's
 * committed batches stay, and the log says how far it got). */
static void batch_failed(vx_ingest *in)
{
    vx_rollback(in->s);
    if (in->st.batch_id <= 0 || in->o->strict)
        return;
    int code = in->s->errcode;
    char msg[VX_ERRMSG_MAX];
    memcpy(msg, in->s->errmsg, sizeof msg);
    if (vx_begin(in->s) == VOCX_OK && batch_end(in, "failed") == VOCX_OK)
        vx_commit(in->s);
    vx_rollback(in->s);
    vx_fail(in->s, code, "%s", msg);
}

static int progress(vx_ingest *in, vx_table *t)
{
    if (!in->o->on_progress)
        return VOCX_OK;
    if (in->o->on_progress(in->st.rows, vx_table_bytes_read(t),
                           in->total_bytes, in->o->progress_payload))
        return vx_fail(in->s, VOCX_ECANCEL, "%s: cancelled after %llu rows",
                       in->source, (unsigned long long)in->st.rows);
    return VOCX_OK;
}

static int run(vx_ingest *in, vx_read_fn read, void *ctx)
{
    vocx_store *s = in->s;
    const vocx_ingest_options *o = in->o;
    const char *names[NCOLS] = {
        o->id_col ? o->id_col : "id",
        o->customer_col ? o->customer_col : "customer_id",
        o->time_col ? o->time_col : "created_at",
        o->channel_col ? o->channel_col : "channel",
        o->text_col ? o->text_col : "text"};
    const unsigned char required[NCOLS] = {0, 0, 0, 0, 1};
    vx_table_spec spec = {names, required, NCOLS, o->max_record_bytes};
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

    if ((rc = vx_begin(s)) || (rc = batch_start(in, vx_table_format_name(t))))
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
            if (report_reject(in, &d)) {
                rc = vx_fail(s, VOCX_ECANCEL, "%s:%llu: stopped at a reject",
                             in->source, (unsigned long long)d.line);
                goto fail;
            }
            continue;
        }
        vx_norm_comment n;
        int col = 0;
        int reason = normalize(&n, row.val, row.len, o->channel, d.msg,
                               sizeof d.msg, &col);
        if (reason) {
            d.line = row.line;
            d.column = row.col ? row.col[col] : 0;
            d.reason = reason;
            if (report_reject(in, &d)) {
                rc = vx_fail(s, VOCX_ECANCEL, "%s:%llu: stopped at a reject",
                             in->source, (unsigned long long)d.line);
                goto fail;
            }
            continue;
        }
        int what = 0;
        if ((rc = upsert(s, &n, in->st.batch_id, in->now, &what))) {
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
    if ((rc = batch_end(in, "done")) || (rc = vx_commit(s)))
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
    if (o->strict) {
        /* Nothing from this call was kept. */
        in->st.inserted = in->st.updated = in->st.unchanged = 0;
        in->st.batches = 0;
        in->st.batch_id = 0;
    }
    vx_table_free(t);
    return rc;
}

static int ingest(vocx_store *s, vx_read_fn read, void *ctx,
                  const char *source, uint64_t total,
                  const vocx_ingest_options *opts, vocx_ingest_stats *stats)
{
    vocx_ingest_options defaults = VOCX_INGEST_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version != VOCX_INGEST_OPTIONS_VERSION)
        return vx_fail(s, VOCX_EINVAL,
                       "unsupported vocx_ingest_options version %u",
                       opts->version);
    if (opts->format < VOCX_FORMAT_AUTO || opts->format > VOCX_FORMAT_JSONL)
        return vx_fail(s, VOCX_EINVAL, "unknown format %d", opts->format);
    vx_ingest in;
    memset(&in, 0, sizeof in);
    in.s = s;
    in.o = opts;
    in.source = source;
    in.total_bytes = total;
    int rc = run(&in, read, ctx);
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

int vocx_ingest_file(vocx_store *s, const char *path,
                     const vocx_ingest_options *opts, vocx_ingest_stats *stats)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (s->readonly)
        return vx_fail(s, VOCX_EREADONLY, "the store is open read-only");
    int use_stdin = !path || strcmp(path, "-") == 0;
    vx_file_reader r = {use_stdin ? stdin : fopen(path, "rb"), 0};
    if (!r.f)
        return vx_fail(s, VOCX_EIO, "%s: %s", path, strerror(errno));
    uint64_t total = 0;
    struct stat sb;
    if (fstat(fileno(r.f), &sb) == 0 && S_ISREG(sb.st_mode))
        total = (uint64_t)sb.st_size;
    const char *source = use_stdin ? "-" : path;
    int rc = ingest(s, file_read, &r, source, total, opts, stats);
    if (rc == VOCX_EIO && r.err)
        vx_fail(s, rc, "%s: read error: %s", source, strerror(r.err));
    if (!use_stdin)
        fclose(r.f);
    return rc;
}

int vocx_ingest_read(vocx_store *s, vocx_read_cb read, void *payload,
                     const char *source_name, const vocx_ingest_options *opts,
                     vocx_ingest_stats *stats)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!read)
        return vx_fail(s, VOCX_EINVAL, "no read callback");
    if (s->readonly)
        return vx_fail(s, VOCX_EREADONLY, "the store is open read-only");
    return ingest(s, (vx_read_fn)read, payload,
                  source_name ? source_name : "<input>", 0, opts, stats);
}
