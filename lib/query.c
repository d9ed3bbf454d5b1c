/* Reading comments back: totals, grouped counts and cursors. */
#include "iso8601.h"
#include "vocx_internal.h"

#include <stdlib.h>
#include <string.h>

static int step_done(vocx_store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return rc;
    vx_fail_db(s, what);
    return -1;
}

static const char SQL_TOTALS[] =
    "SELECT count(*), count(DISTINCT customer_id),"
    " sum(customer_id IS NULL), min(created_at), max(created_at),"
    " (SELECT count(*) FROM ingest_batches WHERE kind = 'comments')"
    " FROM comments";

int vocx_store_totals_get(vocx_store *s, vocx_store_totals *out)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!out)
        return vx_fail(s, VOCX_EINVAL, "no output given");
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = vx_stmt(s, SQL_TOTALS);
    if (!st)
        return s->errcode;
    if (step_done(s, st, "cannot count comments") != SQLITE_ROW)
        return s->errcode ? s->errcode : VOCX_EDB;
    out->comments = (uint64_t)sqlite3_column_int64(st, 0);
    out->customers = (uint64_t)sqlite3_column_int64(st, 1);
    out->anonymous = (uint64_t)sqlite3_column_int64(st, 2);
    const unsigned char *a = sqlite3_column_text(st, 3);
    const unsigned char *b = sqlite3_column_text(st, 4);
    if (a)
        vx_snprintf(out->first_at, sizeof out->first_at, "%s", (const char *)a);
    if (b)
        vx_snprintf(out->last_at, sizeof out->last_at, "%s", (const char *)b);
    out->batches = (uint64_t)sqlite3_column_int64(st, 5);
    sqlite3_reset(st);
    return VOCX_OK;
}

static const char SQL_BY_CHANNEL[] =
    "SELECT channel, count(*) FROM comments GROUP BY channel ORDER BY channel";
static const char SQL_BY_MONTH[] =
    "SELECT substr(created_at, 1, 7), count(*) FROM comments"
    " GROUP BY 1 ORDER BY 1";
static const char SQL_BY_DAY[] =
    "SELECT substr(created_at, 1, 10), count(*) FROM comments"
    " GROUP BY 1 ORDER BY 1";

int vocx_store_count_comments(vocx_store *s, int group, vocx_count_cb cb,
                              void *payload)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    const char *sql = group == VOCX_GROUP_CHANNEL ? SQL_BY_CHANNEL
                      : group == VOCX_GROUP_MONTH ? SQL_BY_MONTH
                      : group == VOCX_GROUP_DAY   ? SQL_BY_DAY
                                                  : NULL;
    if (!sql || !cb)
        return vx_fail(s, VOCX_EINVAL, sql ? "no callback given"
                                           : "unknown grouping %d", group);
    sqlite3_stmt *st = vx_stmt(s, sql);
    if (!st)
        return s->errcode;
    int rc;
    while ((rc = step_done(s, st, "cannot count comments")) == SQLITE_ROW) {
        if (cb((const char *)sqlite3_column_text(st, 0),
               (uint64_t)sqlite3_column_int64(st, 1), payload)) {
            sqlite3_reset(st);
            return vx_fail(s, VOCX_ECANCEL, "cancelled by the callback");
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VOCX_OK : s->errcode;
}

struct vocx_cursor {
    vocx_store *s;
    sqlite3_stmt *st;
    vocx_comment_row row;
    char since[21], until[21];
};

static int bind_time(vocx_store *s, const char *v, char out[21],
                     const char *what)
{
    if (!v)
        return VOCX_OK;
    int64_t secs;
    if (vx_time_parse(v, strlen(v), &secs, NULL))
        return vx_fail(s, VOCX_EINVAL,
                       "%s: unparseable timestamp \"%s\"", what, v);
    vx_time_format(secs, out);
    return VOCX_OK;
}

int vocx_comments_open(vocx_cursor **out, vocx_store *s,
                       const vocx_comment_filter *f)
{
    if (out)
        *out = NULL;
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    vocx_comment_filter none = VOCX_COMMENT_FILTER_INIT;
    if (!f)
        f = &none;
    if (!out || f->version != VOCX_COMMENT_FILTER_VERSION)
        return vx_fail(s, VOCX_EINVAL, "bad cursor arguments");
    vocx_cursor *c = calloc(1, sizeof *c);
    if (!c)
        return vx_fail(s, VOCX_ENOMEM, "out of memory");
    c->s = s;
    int rc;
    if ((rc = bind_time(s, f->since, c->since, "since")) ||
        (rc = bind_time(s, f->until, c->until, "until"))) {
        free(c);
        return rc;
    }
    /* Only the filters given, so that SQLite can use the customer and
     * date indexes ("?1 IS NULL OR ..." defeats them).  Not cached: several
     * cursors may be open on one store. */
    char sql[512];
    vx_snprintf(sql, sizeof sql,
                "SELECT comment_id, source_id, customer_id, created_at,"
                " channel, text, batch_id FROM comments WHERE 1%s%s%s%s"
                " ORDER BY created_at IS NULL, created_at, comment_id"
                " LIMIT ?5",
                f->since ? " AND created_at >= ?1" : "",
                f->until ? " AND created_at < ?2" : "",
                f->channel ? " AND channel = ?3" : "",
                f->customer_id ? " AND customer_id = ?4" : "");
    if (sqlite3_prepare_v2(s->db, sql, -1, &c->st, NULL) != SQLITE_OK) {
        rc = vx_fail_db(s, "cannot query comments");
        free(c);
        return rc;
    }
    if (f->since)
        sqlite3_bind_text(c->st, 1, c->since, -1, SQLITE_STATIC);
    if (f->until)
        sqlite3_bind_text(c->st, 2, c->until, -1, SQLITE_STATIC);
    if (f->channel)
        sqlite3_bind_text(c->st, 3, f->channel, -1, SQLITE_TRANSIENT);
    if (f->customer_id)
        sqlite3_bind_text(c->st, 4, f->customer_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(c->st, 5, f->limit > 0 ? f->limit : -1);
    *out = c;
    return VOCX_OK;
}

int vocx_cursor_next(vocx_cursor *c, const vocx_comment_row **row)
{
    if (!c || !row)
        return VOCX_EINVAL;
    *row = NULL;
    int rc = sqlite3_step(c->st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(c->st); /* ends the read transaction */
        return 0;
    }
    if (rc != SQLITE_ROW)
        return vx_fail_db(c->s, "cannot read comments");
    sqlite3_stmt *st = c->st;
    vocx_comment_row *r = &c->row;
    r->comment_id = sqlite3_column_int64(st, 0);
    r->source_id = (const char *)sqlite3_column_text(st, 1);
    r->customer_id = (const char *)sqlite3_column_text(st, 2);
    r->created_at = (const char *)sqlite3_column_text(st, 3);
    r->channel = (const char *)sqlite3_column_text(st, 4);
    r->text = (const char *)sqlite3_column_text(st, 5);
    r->text_len = (size_t)sqlite3_column_bytes(st, 5);
    r->batch_id = sqlite3_column_int64(st, 6);
    *row = r;
    return 1;
}

void vocx_cursor_free(vocx_cursor *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->st);
    free(c);
}
