/* Comment ingest: rows from a table reader (CSV or JSON Lines), validated,
 * normalized for storage and upserted in batched transactions. */
#include "iso8601.h"
#include "loader.h"
#include "redact.h"
#include "utf8.h"
#include "vocx_internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


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

/* Validate and normalize one comment.  On a bad value returns the
 * VOCX_REJECT_* reason and writes a message; `col` receives the index of
 * the offending column. */
static int normalize(vx_norm_comment *n, const char *const *val,
                     const size_t *len, const char *default_channel,
                     char *msg, size_t msgcap, int *col)
{
    memset(n, 0, sizeof *n);
    size_t tl;
    const char *t = vx_trim(val[COL_TEXT], val[COL_TEXT] ? len[COL_TEXT] : 0, &tl);
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
    v = vx_trim(val[COL_TIME], val[COL_TIME] ? len[COL_TIME] : 0, &l);
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
    v = vx_trim(val[COL_CHANNEL], val[COL_CHANNEL] ? len[COL_CHANNEL] : 0, &l);
    if (!v && default_channel)
        v = vx_trim(default_channel, strlen(default_channel), &l);
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
    n->customer_id = vx_trim(val[COL_CUSTOMER],
                          val[COL_CUSTOMER] ? len[COL_CUSTOMER] : 0,
                          &n->customer_id_len);
    n->source_id = vx_trim(val[COL_ID], val[COL_ID] ? len[COL_ID] : 0,
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

/* Version 1 of vocx_ingest_options ended before `redact`. */
#define INGEST_OPTIONS_V1_SIZE offsetof(vocx_ingest_options, redact)

int vocx_ingest_options_init(vocx_ingest_options *opts, unsigned int version)
{
    if (!opts || (version != 1 && version != VOCX_INGEST_OPTIONS_VERSION))
        return VOCX_EINVAL;
    vocx_ingest_options init = VOCX_INGEST_OPTIONS_INIT;
    if (version == 1) {
        /* The caller's struct is the smaller version 1 layout. */
        init.version = 1;
        memcpy(opts, &init, INGEST_OPTIONS_V1_SIZE);
    } else {
        *opts = init;
    }
    return VOCX_OK;
}


/* ---- file ingest --------------------------------------------------- */

typedef struct comment_ctx {
    const char *default_channel;
    unsigned int redact;   /* VOCX_REDACT_* */
    vx_redact_buf buf;     /* the redacted text of the current row */
    uint64_t redactions;   /* spans replaced */
    uint64_t redacted;     /* comments with at least one */
} comment_ctx;

static int comment_row(void *ctx, vocx_store *s, const vx_row *row,
                       int64_t batch_id, const char *now, int *what,
                       vx_diag *d, int *col)
{
    comment_ctx *c = ctx;
    const char *val[NCOLS];
    size_t len[NCOLS];
    memcpy(val, row->val, sizeof val);
    memcpy(len, row->len, sizeof len);
    if (c->redact && val[COL_TEXT]) {
        /* Before the content id is derived and anything is written: the
         * raw values never reach the database, its journal or the WAL. */
        size_t count = 0;
        int rc = vx_redact(val[COL_TEXT], len[COL_TEXT], c->redact, &c->buf,
                           &count);
        if (rc)
            return vx_fail(s, rc, "cannot redact the comment text: %s",
                           vocx_strerror(rc));
        if (count) {
            val[COL_TEXT] = c->buf.data;
            len[COL_TEXT] = c->buf.len;
            c->redactions += count;
            c->redacted++;
        }
    }
    vx_norm_comment n;
    int reason = normalize(&n, val, len, c->default_channel, d->msg,
                           sizeof d->msg, col);
    if (reason)
        return reason;
    return upsert(s, &n, batch_id, now, what);
}

static int ingest(vocx_store *s, const char *path, vx_read_fn read,
                  void *rctx, const char *source,
                  const vocx_ingest_options *opts, vocx_ingest_stats *stats)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    if (opts && opts->version == 1)
        memcpy(&o, opts, INGEST_OPTIONS_V1_SIZE); /* redact stays 0 */
    else if (opts && opts->version == VOCX_INGEST_OPTIONS_VERSION)
        o = *opts;
    else if (opts)
        return vx_fail(s, VOCX_EINVAL,
                       "unsupported vocx_ingest_options version %u",
                       opts->version);
    opts = &o;
    if (opts->redact & ~(unsigned)VOCX_REDACT_ALL)
        return vx_fail(s, VOCX_EINVAL, "unknown redaction kinds 0x%x",
                       opts->redact & ~(unsigned)VOCX_REDACT_ALL);
    const char *names[NCOLS] = {
        opts->id_col ? opts->id_col : "id",
        opts->customer_col ? opts->customer_col : "customer_id",
        opts->time_col ? opts->time_col : "created_at",
        opts->channel_col ? opts->channel_col : "channel",
        opts->text_col ? opts->text_col : "text"};
    /* A column the caller named must be in the file: a misspelt
     * --time-col is an error, not a file read without timestamps. */
    const unsigned char required[NCOLS] = {
        opts->id_col ? VX_COLUMN_NAMED : 0,
        opts->customer_col ? VX_COLUMN_NAMED : 0,
        opts->time_col ? VX_COLUMN_NAMED : 0,
        opts->channel_col ? VX_COLUMN_NAMED : 0, 1};
    comment_ctx ctx = {opts->channel, opts->redact, {NULL, 0, 0}, 0, 0};
    vx_loader l = {"comments",         names,
                   required,           NCOLS,
                   comment_row,        &ctx,
                   "comments",         vx_comment_indexes,
                   vx_comment_index_count};
    vx_load_opts lo = {opts->format,         opts->strict,
                       opts->batch_rows,     opts->max_record_bytes,
                       opts->on_reject,      opts->reject_payload,
                       opts->on_progress,    opts->progress_payload};
    int rc = read ? vx_load_read(s, read, rctx, source, &lo, &l, stats)
                  : vx_load_path(s, path, &lo, &l, stats);
    vx_redact_buf_free(&ctx.buf);
    if (rc == VOCX_OK && opts->redact)
        vx_log(s, VOCX_LOG_INFO,
               "redacted %llu spans of personal data in %llu comments",
               (unsigned long long)ctx.redactions,
               (unsigned long long)ctx.redacted);
    return rc;
}

int vocx_ingest_file(vocx_store *s, const char *path,
                     const vocx_ingest_options *opts, vocx_ingest_stats *stats)
{
    return ingest(s, path, NULL, NULL, NULL, opts, stats);
}

int vocx_ingest_read(vocx_store *s, vocx_read_cb read, void *payload,
                     const char *source_name, const vocx_ingest_options *opts,
                     vocx_ingest_stats *stats)
{
    if (!read) {
        if (stats)
            memset(stats, 0, sizeof *stats);
        return s ? vx_fail(s, VOCX_EINVAL, "no read callback") : VOCX_EINVAL;
    }
    return ingest(s, NULL, (vx_read_fn)read, payload, source_name, opts,
                  stats);
}
