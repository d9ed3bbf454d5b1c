/* Streaming RFC 4180 CSV reader, see csv.h.
 *
 * The scanner is a small state machine that can stop at any byte when the
 * buffer runs dry and resume after the next read, so a record is scanned
 * once however the input is chunked.  Offsets are kept relative to
 * src->start (the record start), which survives buffer compaction, and
 * line/column positions are computed from stream offsets, which survive
 * discarding the bytes of an over-long record. */
#include "csv.h"

#include "vocx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum state {
    ST_BEGIN,  /* before a record: blank lines are skipped here */
    ST_FIELD,  /* at the start of a field */
    ST_UNQ,    /* inside an unquoted field */
    ST_QUOTED, /* inside a quoted field */
    ST_QSEEN   /* just after a quote inside a quoted field */
};

enum scan_result { SCAN_MORE, SCAN_RECORD, SCAN_EOF };

enum fault {
    F_NONE,
    F_AFTER_QUOTE,  /* text after a closing quote */
    F_UNTERMINATED, /* quote still open at the end of input */
};

typedef struct fld {
    size_t beg, end;   /* raw content (inside the quotes), from the record
                          start */
    size_t vlen;       /* length once unescaped */
    uint64_t line, col; /* where the field starts */
    unsigned char quoted, dq, cooked;
} fld;

struct vx_csv {
    vx_src *src;
    size_t max_rec;
    size_t expected; /* fields per record, 0 = unchecked */
    size_t keep;     /* fields remembered per record */

    /* scanner state, kept across reads */
    int state;
    size_t pos;        /* next byte to scan, from src->start */
    uint64_t line;     /* line of the byte at pos */
    uint64_t line_abs; /* stream offset where that line starts */
    uint64_t cr_next;  /* stream offset just after the last CR line break
                          (0: none), so the LF of a CR LF is not counted */

    /* the current record */
    uint64_t rec_line, end_line, end_col;
    size_t nf; /* fields seen so far */
    fld *f;
    size_t fcap;
    int toolong;
    int nomem;
    int fault;
    uint64_t fault_line, fault_col;
    unsigned char fault_char;
    size_t fault_field;
    uint64_t q_line, q_col;         /* the quote that opened the field */
    uint64_t extra_line, extra_col; /* first field past `expected` */
};

/* Bytes that stop a scan of an unquoted / quoted field. */
static const unsigned char k_unq[256] = {[','] = 1, ['\r'] = 1, ['\n'] = 1};
static const unsigned char k_quoted[256] = {['"'] = 1, ['\r'] = 1,
                                            ['\n'] = 1};

int vx_csv_new(vx_csv **out, vx_src *src, size_t max_record_bytes)
{
    vx_csv *r = calloc(1, sizeof *r);
    *out = r;
    if (!r)
        return VOCX_ENOMEM;
    r->src = src;
    r->max_rec = max_record_bytes ? max_record_bytes : VX_DEFAULT_MAX_RECORD;
    r->keep = VX_CSV_MAX_FIELDS + 1;
    r->line = 1;
    r->line_abs = vx_src_abs(src, 0);
    r->state = ST_BEGIN;
    return 0;
}

void vx_csv_free(vx_csv *r)
{
    if (!r)
        return;
    free(r->f);
    free(r);
}

void vx_csv_set_expected(vx_csv *r, size_t n)
{
    r->expected = n;
    r->keep = n ? n + 1 : VX_CSV_MAX_FIELDS + 1;
    if (r->keep > VX_CSV_MAX_FIELDS + 1)
        r->keep = VX_CSV_MAX_FIELDS + 1;
}

static inline uint64_t col_at(const vx_csv *r, size_t i)
{
    return vx_src_abs(r->src, i) - r->line_abs + 1;
}

/* Scan forward while the bytes are not special for this state. */
static inline size_t skip_plain(const unsigned char *b, size_t i, size_t n,
                                const unsigned char *stop)
{
    while (n - i >= 4) {
        if (stop[b[i]])
            return i;
        if (stop[b[i + 1]])
            return i + 1;
        if (stop[b[i + 2]])
            return i + 2;
        if (stop[b[i + 3]])
            return i + 3;
        i += 4;
    }
    while (i < n && !stop[b[i]])
        i++;
    return i;
}

static fld *cur_field(vx_csv *r)
{
    if (r->toolong || r->nf >= r->keep)
        return NULL;
    if (r->nf >= r->fcap) {
        size_t ncap = r->fcap ? r->fcap * 2 : 16;
        if (ncap > r->keep)
            ncap = r->keep;
        fld *nf = realloc(r->f, ncap * sizeof *nf);
        if (!nf) {
            r->nomem = 1;
            return NULL;
        }
        r->f = nf;
        r->fcap = ncap;
    }
    return &r->f[r->nf];
}

static void field_start(vx_csv *r, size_t i, int quoted)
{
    if (r->expected && r->nf == r->expected) {
        r->extra_line = r->line;
        r->extra_col = col_at(r, i);
    }
    fld *f = cur_field(r);
    if (!f)
        return;
    f->beg = i + (quoted ? 1 : 0);
    f->end = f->beg;
    f->line = r->line;
    f->col = col_at(r, i);
    f->quoted = (unsigned char)quoted;
    f->dq = 0;
    f->cooked = 0;
}

static void field_end(vx_csv *r, size_t end)
{
    fld *f = cur_field(r);
    if (f)
        f->end = end;
    r->nf++;
}

/* A line break at i inside a quoted field or before a record. */
static void line_break(vx_csv *r, const unsigned char *b, size_t i)
{
    uint64_t a = vx_src_abs(r->src, i);
    if (b[i] == '\r') {
        r->line++;
        r->cr_next = a + 1;
    } else if (a != r->cr_next || r->cr_next == 0) {
        r->line++;
    }
    r->line_abs = a + 1;
}

/* The record ends at i: a CR or LF there is its line break, or i is the
 * end of input. */
static int record_end(vx_csv *r, const unsigned char *b, size_t i, size_t n)
{
    r->end_line = r->line;
    r->end_col = col_at(r, i);
    if (!r->toolong && i > r->max_rec)
        r->toolong = 1;
    if (i < n) {
        line_break(r, b, i);
        i++;
    }
    r->pos = i;
    r->state = ST_BEGIN;
    return SCAN_RECORD;
}

static void fault_after_quote(vx_csv *r, size_t i, unsigned char c)
{
    if (r->fault)
        return;
    r->fault = F_AFTER_QUOTE;
    r->fault_line = r->line;
    r->fault_col = col_at(r, i);
    r->fault_char = c;
    r->fault_field = r->nf + 1;
}

/* Start a record at i: the bytes before it (blank lines) are dropped. */
static void record_begin(vx_csv *r, size_t i)
{
    r->src->start += i;
    r->rec_line = r->line;
    r->nf = 0;
    r->toolong = 0;
    r->nomem = 0;
    r->fault = F_NONE;
}

static int scan(vx_csv *r)
{
    vx_src *s = r->src;
    const unsigned char *b = (const unsigned char *)s->buf + s->start;
    size_t n = s->end - s->start;
    size_t i = r->pos;
    int eof = s->eof || s->err;

    for (;;) {
        switch (r->state) {
        case ST_BEGIN:
            if (i == n) {
                if (eof)
                    return SCAN_EOF;
                goto more;
            }
            if (b[i] == '\r' || b[i] == '\n') {
                line_break(r, b, i);
                i++;
                continue;
            }
            record_begin(r, i);
            b += i;
            n -= i;
            i = 0;
            r->state = ST_FIELD;
            continue;

        case ST_FIELD:
            if (i == n) {
                if (!eof)
                    goto more;
                field_start(r, i, 0); /* "a," at the end: empty last field */
                field_end(r, i);
                return record_end(r, b, i, n);
            }
            if (b[i] == '"') {
                field_start(r, i, 1);
                r->q_line = r->line;
                r->q_col = col_at(r, i);
                i++;
                r->state = ST_QUOTED;
            } else {
                field_start(r, i, 0);
                r->state = ST_UNQ;
            }
            continue;

        case ST_UNQ:
            i = skip_plain(b, i, n, k_unq);
            if (i == n) {
                if (!eof)
                    goto more;
                field_end(r, i);
                return record_end(r, b, i, n);
            }
            field_end(r, i);
            if (b[i] == ',') {
                i++;
                r->state = ST_FIELD;
                continue;
            }
            return record_end(r, b, i, n);

        case ST_QUOTED:
            for (;;) {
                i = skip_plain(b, i, n, k_quoted);
                if (i == n || b[i] == '"')
                    break;
                line_break(r, b, i);
                i++;
            }
            if (i == n) {
                if (!eof)
                    goto more;
                r->fault = F_UNTERMINATED; /* overrides any earlier fault */
                field_end(r, i);
                return record_end(r, b, i, n);
            }
            i++;
            r->state = ST_QSEEN;
            continue;

        case ST_QSEEN:
            if (i == n) {
                if (!eof)
                    goto more;
                field_end(r, i - 1);
                return record_end(r, b, i, n);
            }
            if (b[i] == '"') { /* "" stands for one quote */
                fld *f = cur_field(r);
                if (f)
                    f->dq = 1;
                i++;
                r->state = ST_QUOTED;
                continue;
            }
            if (b[i] == ',') {
                field_end(r, i - 1);
                i++;
                r->state = ST_FIELD;
                continue;
            }
            if (b[i] == '\r' || b[i] == '\n') {
                field_end(r, i - 1);
                return record_end(r, b, i, n);
            }
            /* "abc"def: reject, and read on as if unquoted to find the
             * end of the field the way the writer probably meant it. */
            fault_after_quote(r, i, b[i]);
            r->state = ST_UNQ;
            continue;
        }
    }
more:
    if (r->state != ST_BEGIN && !r->toolong && i > r->max_rec)
        r->toolong = 1;
    if (r->state == ST_BEGIN || r->toolong) {
        /* Keep no blank lines, and nothing of an over-long record: the
         * state machine alone finds its end. */
        s->start += i;
        i = 0;
    }
    r->pos = i;
    return SCAN_MORE;
}

static void put_char(char *out, size_t cap, unsigned char c)
{
    if (c >= 0x20 && c < 0x7F && c != '\'')
        snprintf(out, cap, "'%c'", c);
    else
        snprintf(out, cap, "byte 0x%02X", c);
}

/* Turn the record's fault, if any, into a reject.  Returns 1 if rejected. */
static int record_fault(vx_csv *r, vx_diag *d)
{
    if (r->fault == F_UNTERMINATED) {
        vx_diag_set(d, r->q_line, r->q_col, VOCX_REJECT_SYNTAX,
                    "unterminated quoted field (opened at line %llu, column "
                    "%llu; it runs to the end of the input)",
                    (unsigned long long)r->q_line,
                    (unsigned long long)r->q_col);
    } else if (r->toolong) {
        vx_diag_set(d, r->rec_line, 0, VOCX_REJECT_TOOLONG,
                    "record longer than the limit of %zu bytes "
                    "(max_record_bytes); skipped",
                    r->max_rec);
    } else if (r->fault == F_AFTER_QUOTE) {
        char ch[16];
        put_char(ch, sizeof ch, r->fault_char);
        vx_diag_set(d, r->fault_line, r->fault_col, VOCX_REJECT_SYNTAX,
                    "unexpected %s after the closing quote of field %zu (a "
                    "quote inside a quoted field must be doubled)",
                    ch, r->fault_field);
    } else if (r->expected && r->nf != r->expected) {
        int extra = r->nf > r->expected;
        vx_diag_set(d, extra ? r->extra_line : r->end_line,
                    extra ? r->extra_col : r->end_col, VOCX_REJECT_SYNTAX,
                    "expected %zu fields, found %zu", r->expected, r->nf);
    } else {
        return 0;
    }
    d->record_line = r->rec_line;
    return 1;
}

int vx_csv_next(vx_csv *r, vx_diag *d)
{
    vx_src *s = r->src;
    if (r->state == ST_BEGIN) {
        s->start += r->pos; /* drop the previous record */
        r->pos = 0;
    }
    for (;;) {
        int sr = s->buf ? scan(r) : SCAN_MORE; /* nothing read yet */
        if (sr == SCAN_EOF) {
            if (s->err) {
                vx_diag_set(d, r->line, 0, 0, "read error");
                return VOCX_EIO;
            }
            return 0;
        }
        if (sr == SCAN_RECORD)
            break;
        int rc = vx_src_more(s);
        if (rc < 0) {
            vx_diag_set(d, r->line, 0, 0, "%s",
                        rc == VOCX_ENOMEM ? "out of memory" : "read error");
            return rc;
        }
    }
    if (s->err) {
        /* A read error cut the record short: do not pass it on. */
        vx_diag_set(d, r->rec_line, 0, 0, "read error");
        return VOCX_EIO;
    }
    if (r->nomem) {
        vx_diag_set(d, r->rec_line, 0, 0, "out of memory");
        return VOCX_ENOMEM;
    }
    return record_fault(r, d) ? 2 : 1;
}

size_t vx_csv_nfields(const vx_csv *r)
{
    return r->nf;
}

uint64_t vx_csv_line(const vx_csv *r)
{
    return r->rec_line;
}

uint64_t vx_csv_end_line(const vx_csv *r)
{
    return r->end_line;
}

static const fld *get_field(const vx_csv *r, size_t i)
{
    size_t kept = r->nf < r->keep ? r->nf : r->keep;
    return i < kept ? &r->f[i] : NULL;
}

const char *vx_csv_field_raw(const vx_csv *r, size_t i, size_t *len)
{
    const fld *f = get_field(r, i);
    if (!f) {
        *len = 0;
        return NULL;
    }
    *len = f->end - f->beg;
    return r->src->buf + r->src->start + f->beg;
}

/* Collapse each "" to " in place; returns the new length. */
static size_t unescape(char *start, size_t len)
{
    char *p = start, *w = start, *e = start + len;
    const char *q;
    while (p < e && (q = memchr(p, '"', (size_t)(e - p))) != NULL) {
        size_t k = (size_t)(q - p) + 1; /* up to and with the first quote */
        memmove(w, p, k);
        w += k;
        p += k + 1; /* skip its twin */
    }
    if (p < e) {
        memmove(w, p, (size_t)(e - p));
        w += e - p;
    }
    return (size_t)(w - start);
}

const char *vx_csv_field(vx_csv *r, size_t i, size_t *len)
{
    fld *f = (fld *)get_field(r, i);
    if (!f) {
        *len = 0;
        return NULL;
    }
    char *p = r->src->buf + r->src->start + f->beg;
    if (!f->cooked) {
        f->vlen = f->dq ? unescape(p, f->end - f->beg) : f->end - f->beg;
        p[f->vlen] = '\0'; /* the delimiter, closing quote or spare byte */
        f->cooked = 1;
    }
    *len = f->vlen;
    return p;
}

void vx_csv_field_pos(const vx_csv *r, size_t i, uint64_t *line,
                      uint64_t *col)
{
    const fld *f = get_field(r, i);
    *line = f ? f->line : r->rec_line;
    *col = f ? f->col : 0;
}

void vx_csv_raw_pos(const vx_csv *r, size_t i, size_t off, uint64_t *line,
                    uint64_t *col)
{
    const fld *f = get_field(r, i);
    if (!f) {
        *line = r->rec_line;
        *col = 0;
        return;
    }
    const unsigned char *p =
        (const unsigned char *)r->src->buf + r->src->start + f->beg;
    uint64_t ln = f->line, c = f->col + f->quoted;
    for (size_t k = 0; k < off; k++) {
        if (p[k] == '\r' || (p[k] == '\n' && (k == 0 || p[k - 1] != '\r'))) {
            ln++;
            c = 1;
        } else if (p[k] == '\n') {
            c = 1;
        } else {
            c++;
        }
    }
    *line = ln;
    *col = c;
}
