/* Helpers shared by the reader suites (check_csv, check_jsonl,
 * check_table): a memory read function that can deliver the input whole,
 * one byte at a time or in random small chunks, and a transcript of what a
 * table returns, so the three read patterns can be compared. */
#ifndef VOCX_READER_TESTUTIL_H
#define VOCX_READER_TESTUTIL_H

#include "table.h"
#include "vocx.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MODE_WHOLE, MODE_ONE, MODE_RANDOM };

typedef struct memrd {
    const char *data;
    size_t len, pos;
    int mode;
    uint64_t rng;
    size_t fail_at; /* return an error once pos reaches this (0: never) */
} memrd;

static ptrdiff_t mem_read(void *ctx, char *buf, size_t cap)
{
    memrd *m = ctx;
    if (m->fail_at && m->pos >= m->fail_at)
        return -1;
    size_t n = m->len - m->pos;
    if (n > cap)
        n = cap;
    if (m->mode == MODE_ONE && n > 1)
        n = 1;
    if (m->mode == MODE_RANDOM) {
        m->rng = m->rng * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t r = (size_t)(m->rng >> 33);
        size_t lim = r % 8 == 0 ? r % 70000 + 1 : r % 23 + 1;
        if (n > lim)
            n = lim;
    }
    if (m->fail_at && n > m->fail_at - m->pos)
        n = m->fail_at - m->pos;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (ptrdiff_t)n;
}

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert_ptr_nonnull(b->p);
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void sb_value(sbuf *b, const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '\n')
            sb_printf(b, "\\n");
        else if (c == '\r')
            sb_printf(b, "\\r");
        else if (c == '\\')
            sb_printf(b, "\\\\");
        else if (c < 0x20 || c == 0x7F)
            sb_printf(b, "\\x%02X", c);
        else
            sb_printf(b, "%c", c);
    }
}

typedef struct tspec {
    const char *names[8];
    unsigned char req[8];
    size_t n;
    size_t max_record;
} tspec;

/* Everything a table reports for an input, one line per event. */
static char *transcript(const char *data, size_t len, int format,
                        const char *hint, const tspec *ts, int mode,
                        uint64_t seed, size_t fail_at)
{
    memrd m = {data, len, 0, mode, seed, fail_at};
    vx_table_spec spec = {ts->names, ts->req, ts->n, ts->max_record};
    vx_diag d;
    vx_table *t = NULL;
    sbuf b = {0};
    sb_printf(&b, "%s", "");
    int rc = vx_table_open(&t, format, mem_read, &m, hint, &spec, &d);
    if (rc) {
        ck_assert_ptr_null(t);
        sb_printf(&b, "open rc=%d %llu:%llu %s\n", rc,
                  (unsigned long long)d.line, (unsigned long long)d.column,
                  d.msg);
        return b.p;
    }
    sb_printf(&b, "%s cols=", vx_table_format_name(t));
    for (size_t i = 0; i < vx_table_ncolumns(t); i++)
        sb_printf(&b, "%s%s", i ? "," : "", vx_table_column_name(t, i));
    sb_printf(&b, "\n");
    for (;;) {
        vx_row row;
        memset(&d, 0, sizeof d);
        rc = vx_table_next(t, &row, &d);
        if (rc == 1) {
            sb_printf(&b, "%llu-%llu", (unsigned long long)row.line,
                      (unsigned long long)row.end_line);
            for (size_t i = 0; i < ts->n; i++) {
                if (!row.val[i]) {
                    ck_assert_uint_eq(row.len[i], 0);
                    sb_printf(&b, " -");
                    continue;
                }
                ck_assert(row.val[i][row.len[i]] == '\0');
                if (row.val_line[i] != row.line)
                    sb_printf(&b, " [%llu:%llu]",
                              (unsigned long long)row.val_line[i],
                              (unsigned long long)row.col[i]);
                else
                    sb_printf(&b, " [%llu]", (unsigned long long)row.col[i]);
                sb_value(&b, row.val[i], row.len[i]);
            }
            sb_printf(&b, "\n");
        } else if (rc == 2) {
            sb_printf(&b, "rej %llu:%llu r%d %s", (unsigned long long)d.line,
                      (unsigned long long)d.column, d.reason, d.msg);
            if (d.record_line != d.line)
                sb_printf(&b, " @%llu", (unsigned long long)d.record_line);
            sb_printf(&b, "\n");
        } else if (rc == 0) {
            sb_printf(&b, "end\n");
            break;
        } else {
            sb_printf(&b, "fatal rc=%d %s\n", rc, d.msg);
            /* sticky */
            ck_assert_int_eq(vx_table_next(t, &row, &d), rc);
            break;
        }
    }
    vx_table_free(t);
    return b.p;
}

/* The transcript must be `want` however the input is chunked. */
static void expect_all_modes(const char *data, size_t len, int format,
                             const tspec *ts, const char *want)
{
    static const struct {
        int mode;
        uint64_t seed;
    } runs[] = {{MODE_WHOLE, 0},  {MODE_ONE, 0},    {MODE_RANDOM, 1},
                {MODE_RANDOM, 2}, {MODE_RANDOM, 3}, {MODE_RANDOM, 99}};
    for (size_t k = 0; k < sizeof runs / sizeof *runs; k++) {
        char *got = transcript(data, len, format, NULL, ts, runs[k].mode,
                               runs[k].seed, 0);
        if (strcmp(got, want) != 0) {
            /* show the first line that differs (transcripts can be long) */
            size_t at = 0, ls = 0;
            while (got[at] && got[at] == want[at]) {
                if (got[at] == '\n')
                    ls = at + 1;
                at++;
            }
            size_t gl = strcspn(got + ls, "\n"), wl = strcspn(want + ls, "\n");
            ck_abort_msg("mode %d seed %llu: first difference\n got: %.*s\n"
                         "want: %.*s", runs[k].mode,
                         (unsigned long long)runs[k].seed,
                         (int)(gl > 900 ? 900 : gl), got + ls,
                         (int)(wl > 900 ? 900 : wl), want + ls);
        }
        free(got);
    }
}

#endif
