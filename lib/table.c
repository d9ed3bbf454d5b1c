/* Named columns over CSV or JSON Lines, see table.h.  Also the chunked
 * input buffer and the diagnostic helpers the two readers share. */
#include "table.h"

#include "csv.h"
#include "jsonl.h"
#include "utf8.h"
#include "vocx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- input buffer ------------------------------------------------------ */

#define SRC_INITIAL_CAP (4 * VX_READ_CHUNK)

void vx_src_init(vx_src *s, vx_read_fn read, void *ctx)
{
    memset(s, 0, sizeof *s);
    s->read = read;
    s->ctx = ctx;
}

void vx_src_free(vx_src *s)
{
    free(s->buf);
    s->buf = NULL;
    s->cap = s->start = s->end = 0;
}

/* Make at least VX_READ_CHUNK bytes free after `end`. */
static int make_room(vx_src *s)
{
    if (s->cap - s->end >= VX_READ_CHUNK)
        return 0;
    if (s->start > 0) {
        size_t live = s->end - s->start;
        memmove(s->buf, s->buf + s->start, live);
        s->base += s->start;
        s->start = 0;
        s->end = live;
        if (s->cap - s->end >= VX_READ_CHUNK)
            return 0;
    }
    /* Double, so a record that keeps growing is copied O(1) times per
     * byte, but not past the limit: the most an accepted record needs,
     * since the readers discard one that outgrows max_record_bytes. */
    size_t ncap = s->cap ? s->cap * 2 : SRC_INITIAL_CAP;
    if (s->limit && ncap > s->limit)
        ncap = s->limit;
    if (ncap < s->end + VX_READ_CHUNK)
        ncap = s->end + VX_READ_CHUNK;
    if (ncap < s->cap) /* overflow */
        return VOCX_ENOMEM;
    char *nb = realloc(s->buf, ncap + 1); /* +1: room for a final NUL */
    if (!nb)
        return VOCX_ENOMEM;
    s->buf = nb;
    s->cap = ncap;
    return 0;
}

int vx_src_more(vx_src *s)
{
    if (s->err)
        return VOCX_EIO;
    if (s->eof)
        return 0;
    int rc = make_room(s);
    if (rc)
        return rc;
    ptrdiff_t got = s->read(s->ctx, s->buf + s->end, VX_READ_CHUNK);
    if (got < 0 || (size_t)got > VX_READ_CHUNK) {
        s->err = 1;
        return VOCX_EIO;
    }
    if (got == 0) {
        s->eof = 1;
        return 0;
    }
    s->end += (size_t)got;
    return 1;
}

/* ---- diagnostics ------------------------------------------------------- */

void vx_diag_set(vx_diag *d, uint64_t line, uint64_t column, int reason,
                 const char *fmt, ...)
{
    va_list ap;
    d->line = line;
    d->column = column;
    d->reason = reason;
    d->record_line = line;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}

#define NAME_MAX_SHOWN 80

void vx_diag_name(char *out, size_t cap, const char *name, size_t len)
{
    size_t o = 0, i = 0;
    if (cap == 0)
        return;
    while (i < len) {
        unsigned char c = (unsigned char)name[i];
        char tmp[8];
        size_t tl, adv = 1;
        uint32_t cp;
        int n;
        if (c == '"' || c == '\\') {
            tl = (size_t)snprintf(tmp, sizeof tmp, "\\%c", c);
        } else if (c >= 0x80 && (n = vx_utf8_decode(name + i, len - i, &cp))) {
            /* whole UTF-8 characters only, so a cut never splits one */
            memcpy(tmp, name + i, (size_t)n);
            tl = adv = (size_t)n;
        } else if (c < 0x20 || c >= 0x7F) {
            tl = (size_t)snprintf(tmp, sizeof tmp, "\\x%02X", c);
        } else {
            tmp[0] = (char)c;
            tl = 1;
        }
        if (o + tl > NAME_MAX_SHOWN || o + tl + 4 > cap) {
            if (o + 4 <= cap) {
                memcpy(out + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(out + o, tmp, tl);
        o += tl;
        i += adv;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

/* ---- tables ------------------------------------------------------------ */

struct vx_table {
    int format;
    vx_src src;
    vx_csv *csv;
    vx_jsonl *jsonl;
    size_t max_rec;

    size_t n; /* wanted columns */
    char **names;
    unsigned char *required;
    const char **alias; /* JSON key read for wanted column i */
    size_t *col_of;     /* CSV: header field of wanted column i */

    const char **val;
    size_t *len;
    uint64_t *vcol;
    uint64_t *vline;

    char **columns; /* the file's columns */
    size_t ncolumns;
    int have_columns; /* JSONL: set from the first valid object */

    int pending;      /* JSONL: result of the first line, read by open */
    vx_diag pending_diag;
    int fatal;        /* sticky negative code */
    vx_diag fatal_diag;
};

#define NO_COLUMN ((size_t)-1)

static char *dup_mem(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

static int ascii_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return 0;
    }
    return 1;
}

void vx_table_free(vx_table *t)
{
    if (!t)
        return;
    vx_csv_free(t->csv);
    vx_jsonl_free(t->jsonl);
    vx_src_free(&t->src);
    for (size_t i = 0; i < t->n; i++)
        free(t->names ? t->names[i] : NULL);
    free(t->names);
    free(t->required);
    free(t->alias);
    free(t->col_of);
    free((void *)t->val);
    free(t->len);
    free(t->vcol);
    free(t->vline);
    for (size_t i = 0; i < t->ncolumns; i++)
        free(t->columns[i]);
    free(t->columns);
    free(t);
}

static int copy_spec(vx_table *t, const vx_table_spec *spec)
{
    size_t n = spec ? spec->n : 0, k = n ? n : 1;
    t->n = n;
    t->max_rec = spec && spec->max_record_bytes ? spec->max_record_bytes
                                                : VX_DEFAULT_MAX_RECORD;
    t->names = calloc(k, sizeof *t->names);
    t->required = calloc(k, 1);
    t->alias = calloc(k, sizeof *t->alias);
    t->col_of = calloc(k, sizeof *t->col_of);
    t->val = calloc(k, sizeof *t->val);
    t->len = calloc(k, sizeof *t->len);
    t->vcol = calloc(k, sizeof *t->vcol);
    t->vline = calloc(k, sizeof *t->vline);
    if (!t->names || !t->required || !t->alias || !t->col_of || !t->val ||
        !t->len || !t->vcol || !t->vline)
        return VOCX_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        t->names[i] = dup_mem(spec->names[i], strlen(spec->names[i]));
        if (!t->names[i])
            return VOCX_ENOMEM;
        t->alias[i] = t->names[i];
        t->required[i] = spec->required ? spec->required[i] : 0;
        t->col_of[i] = NO_COLUMN;
    }
    return 0;
}

/* Append a column name (trimmed by the caller) to the file's list. */
static int add_column(vx_table *t, const char *s, size_t len, size_t *cap)
{
    if (t->ncolumns == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        char **c = realloc(t->columns, ncap * sizeof *c);
        if (!c)
            return VOCX_ENOMEM;
        t->columns = c;
        *cap = ncap;
    }
    char *p = dup_mem(s, len);
    if (!p)
        return VOCX_ENOMEM;
    t->columns[t->ncolumns++] = p;
    return 0;
}

/* ", "-separated list of the file's columns, cut to fit `cap`. */
static void list_columns(const vx_table *t, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    if (t->ncolumns == 0) {
        snprintf(out, cap, "(no columns)");
        return;
    }
    for (size_t i = 0; i < t->ncolumns; i++) {
        char name[128], tail[40];
        vx_diag_name(name, sizeof name, t->columns[i], strlen(t->columns[i]));
        size_t need = strlen(name) + (i ? 2 : 0);
        snprintf(tail, sizeof tail, ", ... (%zu more)", t->ncolumns - i);
        if (o + need + strlen(tail) + 1 > cap &&
            !(i + 1 == t->ncolumns && o + need + 1 <= cap)) {
            snprintf(out + o, cap - o, "%s", i ? tail : tail + 2);
            return;
        }
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? ", " : "", name);
    }
}

static int missing_column(const vx_table *t, size_t i, const char *what,
                          uint64_t line, vx_diag *d)
{
    char name[128], list[360];
    vx_diag_name(name, sizeof name, t->names[i], strlen(t->names[i]));
    list_columns(t, list, sizeof list);
    /* the keys of a JSON object beyond VX_JSONL_MAX_KEYS are not read */
    int capped = t->format != VOCX_FORMAT_CSV &&
                 t->ncolumns >= VX_JSONL_MAX_KEYS;
    vx_diag_set(d, line, 0, 0, "missing %s \"%s\"; the %s has: %s%s",
                t->format == VOCX_FORMAT_CSV ? "column" : "key", name, what,
                list, capped ? "; only its first 65536 keys are read" : "");
    return VOCX_ECOLUMN;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

/* How many of the file's columns match `w` (exactly, or with `fold` ASCII
 * case-insensitively); *first gets the first one and *second the next. */
static size_t find_columns(const vx_table *t, const char *w, size_t wl,
                           int fold, size_t *first, size_t *second)
{
    size_t hits = 0;
    for (size_t c = 0; c < t->ncolumns; c++) {
        const char *h = t->columns[c];
        size_t hl = strlen(h);
        int eq = fold ? ascii_ieq(h, hl, w, wl)
                      : hl == wl && memcmp(h, w, wl) == 0;
        if (!eq)
            continue;
        if (hits == 0)
            *first = c;
        else if (hits == 1)
            *second = c;
        hits++;
    }
    return hits;
}

static size_t find_column(const vx_table *t, const char *w, size_t wl,
                          int fold, size_t *first)
{
    size_t second;
    return find_columns(t, w, wl, fold, first, &second);
}

/* Match wanted names to header fields: exact first, else ASCII
 * case-insensitive; two matches at the deciding level are ambiguous. */
static int map_csv_columns(vx_table *t, uint64_t hline, vx_diag *d)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *w = t->names[i];
        size_t wl = strlen(w), first = NO_COLUMN, second = NO_COLUMN;
        size_t hits = find_columns(t, w, wl, 0, &first, &second);
        if (hits == 0)
            hits = find_columns(t, w, wl, 1, &first, &second);
        if (hits > 1) {
            char name[128];
            vx_diag_name(name, sizeof name, w, wl);
            vx_diag_set(d, hline, 0, 0,
                        "column \"%s\" is ambiguous: header fields %zu and "
                        "%zu both match it",
                        name, first + 1, second + 1);
            return VOCX_ECOLUMN;
        }
        t->col_of[i] = first;
        if (first == NO_COLUMN && t->required[i])
            return missing_column(t, i, "file", hline, d);
    }
    return 0;
}

static int csv_header(vx_table *t, vx_diag *d)
{
    vx_csv *r = t->csv;
    int rc = vx_csv_next(r, d);
    if (rc == 0) {
        vx_diag_set(d, 0, 0, 0, "empty input: no header row");
        return VOCX_EPARSE;
    }
    if (rc < 0)
        return rc;
    if (rc == 2) {
        char msg[sizeof d->msg];
        memcpy(msg, d->msg, sizeof msg);
        vx_diag_set(d, d->line, d->column, 0, "bad header row: %s", msg);
        return VOCX_EPARSE;
    }
    uint64_t hline = vx_csv_line(r);
    size_t nf = vx_csv_nfields(r), cap = 0;
    if (nf > VX_CSV_MAX_FIELDS) {
        vx_diag_set(d, hline, 0, 0, "header has %zu columns; at most %d are "
                    "supported", nf, VX_CSV_MAX_FIELDS);
        return VOCX_EPARSE;
    }
    for (size_t i = 0; i < nf; i++) {
        size_t rl, len;
        const char *raw = vx_csv_field_raw(r, i, &rl);
        size_t bad = vx_utf8_check(raw, rl);
        const char *nul = memchr(raw, '\0', bad);
        if (nul || bad != rl) {
            uint64_t l, c;
            vx_csv_raw_pos(r, i, nul ? (size_t)(nul - raw) : bad, &l, &c);
            char why[96];
            if (nul)
                snprintf(why, sizeof why, "NUL byte");
            else
                vx_utf8_describe(raw, rl, bad, why, sizeof why);
            vx_diag_set(d, l, c, 0, "bad header row: invalid column name "
                        "(%s%s)", nul ? "" : "invalid UTF-8: ", why);
            return VOCX_EPARSE;
        }
        const char *s = vx_csv_field(r, i, &len);
        while (len && is_space((unsigned char)*s)) {
            s++;
            len--;
        }
        while (len && is_space((unsigned char)s[len - 1]))
            len--;
        if ((rc = add_column(t, s, len, &cap)))
            return rc;
    }
    if ((rc = map_csv_columns(t, hline, d)))
        return rc;
    vx_csv_set_expected(r, nf);
    return 0;
}

/* The first valid JSON object: its keys become the file's columns, and
 * wanted names found only under another ASCII case are read that way.
 * Returns 1, 2 (the line is rejected after all) or a negative code. */
static int jsonl_first_object(vx_table *t, vx_diag *d)
{
    vx_jsonl *r = t->jsonl;
    size_t nk = vx_jsonl_nkeys(r), had = t->ncolumns, cap = had;
    int rc;
    /* A repeated key is listed once.  The columns so far are found through
     * a hash (column index + 1 per slot), so an object of 65,536 keys
     * takes milliseconds, not the minute a scan per key would. */
    size_t hmask = 15;
    while (hmask + 1 < 2 * (nk + had))
        hmask = hmask * 2 + 1;
    size_t *slot = calloc(hmask + 1, sizeof *slot);
    if (!slot)
        return VOCX_ENOMEM;
    for (size_t k = 0; k < had + nk; k++) {
        size_t kl;
        const char *key = k < had ? t->columns[k]
                                  : vx_jsonl_key(r, k - had, &kl);
        if (k < had)
            kl = strlen(key);
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < kl; i++)
            h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
        size_t j = (size_t)h & hmask;
        int dup = 0;
        while (slot[j] && !dup) {
            const char *c = t->columns[slot[j] - 1];
            dup = strlen(c) == kl && memcmp(c, key, kl) == 0;
            if (!dup)
                j = (j + 1) & hmask;
        }
        if (dup)
            continue;
        if (k >= had && (rc = add_column(t, key, kl, &cap))) {
            free(slot);
            return rc;
        }
        slot[j] = k < had ? k + 1 : t->ncolumns;
    }
    free(slot);
    t->have_columns = 1;
    vx_jsonl_collect_keys(r, 0);
    int realias = 0;
    for (size_t i = 0; i < t->n; i++) {
        const char *w = t->names[i];
        size_t wl = strlen(w), hit = NO_COLUMN;
        if (find_column(t, w, wl, 0, &hit))
            continue; /* present as spelled */
        if (find_column(t, w, wl, 1, &hit) > 1) {
            char name[128];
            vx_diag_name(name, sizeof name, w, wl);
            vx_diag_set(d, vx_jsonl_line(r), 0, 0,
                        "key \"%s\" is ambiguous: the first object has it "
                        "in more than one letter case",
                        name);
            return VOCX_ECOLUMN;
        }
        if (hit != NO_COLUMN) {
            t->alias[i] = t->columns[hit];
            realias = 1;
        } else if (t->required[i]) {
            return missing_column(t, i, "first object", vx_jsonl_line(r), d);
        }
    }
    if (!realias)
        return 1;
    /* Read by the aliases from now on, and pick this line's values again
     * from its collected members. */
    if ((rc = vx_jsonl_set_keys(r, t->alias, t->n)))
        return rc;
    return vx_jsonl_refill(r, d);
}

static int sniff_format(vx_table *t)
{
    /* Look past leading whitespace, within the first buffer-full. */
    vx_src *s = &t->src;
    size_t i = 0;
    for (;;) {
        while (s->start + i < s->end &&
               is_space((unsigned char)s->buf[s->start + i]))
            i++;
        if (s->start + i < s->end)
            return s->buf[s->start + i] == '{' ? VOCX_FORMAT_JSONL
                                               : VOCX_FORMAT_CSV;
        if (s->end - s->start >= SRC_INITIAL_CAP)
            return VOCX_FORMAT_CSV;
        int rc = vx_src_more(s);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return VOCX_FORMAT_CSV;
    }
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && ascii_ieq(s + len - n, n, suffix, n);
}

static int format_from_name(const char *name)
{
    if (!name)
        return VOCX_FORMAT_AUTO;
    size_t len = strlen(name);
    static const char *const zips[] = {".gz", ".bz2", ".xz", ".zst"};
    for (size_t k = 0; k < sizeof zips / sizeof *zips; k++)
        if (ends_with(name, len, zips[k]))
            len -= strlen(zips[k]);
    if (ends_with(name, len, ".csv"))
        return VOCX_FORMAT_CSV;
    if (ends_with(name, len, ".jsonl") || ends_with(name, len, ".ndjson") ||
        ends_with(name, len, ".json"))
        return VOCX_FORMAT_JSONL;
    return VOCX_FORMAT_AUTO;
}

/* Skip a UTF-8 byte order mark at the very start. */
static int skip_bom(vx_src *s)
{
    while (s->end - s->start < 3) {
        int rc = vx_src_more(s);
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
    }
    if (s->end - s->start >= 3 && memcmp(s->buf + s->start, "\xEF\xBB\xBF",
                                         3) == 0)
        s->start += 3;
    return 0;
}

static void io_message(int rc, vx_diag *d)
{
    vx_diag_set(d, 0, 0, 0, "%s",
                rc == VOCX_ENOMEM ? "out of memory" : "read error");
}

static int jsonl_fetch(vx_table *t, vx_row *row, vx_diag *d);

static int open_reader(vx_table *t, vx_diag *d)
{
    int rc;
    if (t->format == VOCX_FORMAT_CSV) {
        if ((rc = vx_csv_new(&t->csv, &t->src, t->max_rec)))
            return rc;
        return csv_header(t, d);
    }
    if ((rc = vx_jsonl_new(&t->jsonl, &t->src, t->max_rec)) ||
        (rc = vx_jsonl_set_keys(t->jsonl, t->alias, t->n)))
        return rc;
    vx_jsonl_collect_keys(t->jsonl, 1);
    vx_row row;
    rc = jsonl_fetch(t, &row, &t->pending_diag);
    if (rc < 0) {
        *d = t->pending_diag;
        return rc;
    }
    t->pending = rc == 0 ? 3 : rc; /* 3: end of input already seen */
    return 0;
}

int vx_table_open(vx_table **out, int format, vx_read_fn read, void *ctx,
                  const char *name_hint, const vx_table_spec *spec,
                  vx_diag *diag)
{
    vx_diag scratch;
    vx_diag *d = diag ? diag : &scratch;
    memset(d, 0, sizeof *d);
    if (!out) {
        vx_diag_set(d, 0, 0, 0, "no output handle");
        return VOCX_EINVAL;
    }
    *out = NULL;
    if (!read || (spec && spec->n && !spec->names) ||
        (format != VOCX_FORMAT_AUTO && format != VOCX_FORMAT_CSV &&
         format != VOCX_FORMAT_JSONL)) {
        vx_diag_set(d, 0, 0, 0, "invalid argument to vx_table_open");
        return VOCX_EINVAL;
    }
    for (size_t i = 0; spec && i < spec->n; i++)
        if (!spec->names[i]) {
            vx_diag_set(d, 0, 0, 0, "column name %zu is NULL", i);
            return VOCX_EINVAL;
        }
    vx_table *t = calloc(1, sizeof *t);
    if (!t) {
        vx_diag_set(d, 0, 0, 0, "out of memory");
        return VOCX_ENOMEM;
    }
    vx_src_init(&t->src, read, ctx);
    int rc = copy_spec(t, spec);
    /* a whole record, the chunk that ends it and the chunk being read */
    if (t->max_rec < SIZE_MAX - 4 * VX_READ_CHUNK)
        t->src.limit = t->max_rec + 2 * VX_READ_CHUNK;
    if (!rc)
        rc = skip_bom(&t->src);
    if (!rc) {
        if (format == VOCX_FORMAT_AUTO)
            format = format_from_name(name_hint);
        if (format == VOCX_FORMAT_AUTO)
            format = sniff_format(t);
        if (format < 0)
            rc = format;
    }
    if (!rc) {
        t->format = format;
        rc = open_reader(t, d);
    }
    if (rc) {
        if ((rc == VOCX_EIO || rc == VOCX_ENOMEM) && d->msg[0] == '\0')
            io_message(rc, d);
        vx_table_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* ---- rows -------------------------------------------------------------- */

static void fill_row(const vx_table *t, vx_row *row, uint64_t line,
                     uint64_t end_line)
{
    row->line = line;
    row->end_line = end_line;
    row->val = t->val;
    row->len = t->len;
    row->col = t->vcol;
    row->val_line = t->vline;
}

/* Reject a CSV field with a NUL byte or invalid UTF-8; 0 if it is fine. */
static int check_csv_field(vx_table *t, size_t i, vx_diag *d)
{
    vx_csv *r = t->csv;
    size_t rl;
    const char *raw = vx_csv_field_raw(r, t->col_of[i], &rl);
    size_t bad = vx_utf8_check(raw, rl);
    const char *nul = memchr(raw, '\0', bad);
    if (!nul && bad == rl)
        return 0;
    char name[128], why[96];
    uint64_t l, c;
    vx_diag_name(name, sizeof name, t->names[i], strlen(t->names[i]));
    vx_csv_raw_pos(r, t->col_of[i], nul ? (size_t)(nul - raw) : bad, &l, &c);
    if (nul) {
        vx_diag_set(d, l, c, VOCX_REJECT_UTF8, "NUL byte in column \"%s\"",
                    name);
    } else {
        vx_utf8_describe(raw, rl, bad, why, sizeof why);
        vx_diag_set(d, l, c, VOCX_REJECT_UTF8,
                    "invalid UTF-8 in column \"%s\" (%s)", name, why);
    }
    d->record_line = vx_csv_line(r);
    return 1;
}

static int csv_next(vx_table *t, vx_row *row, vx_diag *d)
{
    vx_csv *r = t->csv;
    int rc = vx_csv_next(r, d);
    if (rc != 1)
        return rc;
    for (size_t i = 0; i < t->n; i++) {
        size_t c = t->col_of[i];
        if (c == NO_COLUMN) {
            t->val[i] = NULL;
            t->len[i] = 0;
            t->vcol[i] = 0;
            t->vline[i] = 0;
            continue;
        }
        if (check_csv_field(t, i, d))
            return 2;
        t->val[i] = vx_csv_field(r, c, &t->len[i]);
        vx_csv_field_pos(r, c, &t->vline[i], &t->vcol[i]);
    }
    fill_row(t, row, vx_csv_line(r), vx_csv_end_line(r));
    return 1;
}

/* Read a JSON line into the row; 1, 0, 2 or a negative code. */
static int jsonl_fetch(vx_table *t, vx_row *row, vx_diag *d)
{
    vx_jsonl *r = t->jsonl;
    int rc = vx_jsonl_next(r, d);
    if (rc != 1)
        return rc;
    if (!t->have_columns && (rc = jsonl_first_object(t, d)) != 1)
        return rc;
    uint64_t line = vx_jsonl_line(r);
    for (size_t i = 0; i < t->n; i++) {
        int kind = vx_jsonl_value(r, i, &t->val[i], &t->len[i], &t->vcol[i]);
        t->vline[i] = t->vcol[i] ? line : 0;
        if (kind > VX_JSON_NULL || t->required[i] != 1)
            continue;
        char name[128];
        vx_diag_name(name, sizeof name, t->names[i], strlen(t->names[i]));
        if (kind == VX_JSON_NULL)
            vx_diag_set(d, line, t->vcol[i], VOCX_REJECT_MISSING,
                        "key \"%s\" is null", name);
        else
            vx_diag_set(d, line, 0, VOCX_REJECT_MISSING, "missing key \"%s\"",
                        name);
        return 2;
    }
    fill_row(t, row, line, line);
    return 1;
}

int vx_table_next(vx_table *t, vx_row *row, vx_diag *diag)
{
    vx_diag scratch;
    vx_diag *d = diag ? diag : &scratch;
    if (!t || !row) {
        vx_diag_set(d, 0, 0, 0, "invalid argument to vx_table_next");
        return VOCX_EINVAL;
    }
    if (t->fatal) {
        *d = t->fatal_diag;
        return t->fatal;
    }
    int rc;
    if (t->pending) {
        rc = t->pending == 3 ? 0 : t->pending;
        t->pending = 0;
        if (rc == 1)
            fill_row(t, row, vx_jsonl_line(t->jsonl), vx_jsonl_line(t->jsonl));
        else if (rc == 2)
            *d = t->pending_diag;
        return rc;
    }
    if (t->format == VOCX_FORMAT_CSV)
        rc = csv_next(t, row, d);
    else
        rc = jsonl_fetch(t, row, d);
    if (rc < 0) {
        t->fatal = rc;
        t->fatal_diag = *d;
    }
    return rc;
}

const char *vx_table_format_name(const vx_table *t)
{
    return t && t->format == VOCX_FORMAT_JSONL ? "jsonl" : "csv";
}

int vx_table_format(const vx_table *t)
{
    return t ? t->format : VOCX_FORMAT_AUTO;
}

uint64_t vx_table_bytes_read(const vx_table *t)
{
    return t ? t->src.base + t->src.end : 0;
}

size_t vx_table_buffer_size(const vx_table *t)
{
    return t ? t->src.cap : 0;
}

size_t vx_table_ncolumns(const vx_table *t)
{
    return t ? t->ncolumns : 0;
}

const char *vx_table_column_name(const vx_table *t, size_t i)
{
    return t && i < t->ncolumns ? t->columns[i] : NULL;
}
