/*
 * Tabular input: named columns over CSV or JSON Lines, read as a stream.
 *
 * This header also holds what the two format readers share (csv.h and
 * jsonl.h include it): the read callback, the diagnostic record and the
 * chunked input buffer.
 *
 * Memory is bounded by the largest accepted record (max_record_bytes) plus
 * a few read chunks, never by the input size.  Nothing here prints, exits
 * or keeps global state; a reader is used by one thread at a time.
 *
 * Internal header: not installed.
 */
#ifndef VX_TABLE_H
#define VX_TABLE_H

#include <stddef.h>
#include <stdint.h>

/* Reads up to `cap` bytes into `buf`: returns the count (> 0), 0 at end of
 * input, or a negative value on a read error.  Returning more than `cap`
 * is treated as a read error. */
typedef ptrdiff_t (*vx_read_fn)(void *ctx, char *buf, size_t cap);

/* Where and why something failed.  For a rejected row, line and column
 * locate the fault itself (for a multi-line CSV record that can be a later
 * line than the one where the record starts: record_line has that one);
 * column is 1-based in bytes, 0 when unknown.  msg is the reason only, one
 * line, no "file:line:" prefix; it is always NUL-terminated. */
typedef struct vx_diag {
    uint64_t line;
    uint64_t column;
    int reason; /* VOCX_REJECT_* for row rejects, 0 otherwise */
    char msg[512];
    uint64_t record_line; /* first line of the rejected record */
} vx_diag;

#define VX_DEFAULT_MAX_RECORD ((size_t)256 << 20) /* 256 MiB */
#define VX_READ_CHUNK ((size_t)64 << 10)          /* bytes per read call */

/* ---- the chunked input buffer shared by the readers ------------------- */

/* buf[start..end) holds bytes read but not consumed.  A reader keeps its
 * current record from `start` on and addresses it by offsets relative to
 * `start`, which stay valid when vx_src_more() compacts or grows the
 * buffer.  buf has one spare byte past `cap`, so a value that ends at
 * `end` can still be NUL-terminated in place. */
typedef struct vx_src {
    vx_read_fn read;
    void *ctx;
    char *buf;
    size_t cap;
    size_t start;
    size_t end;
    uint64_t base;  /* stream offset of buf[0] */
    size_t limit;   /* growth stops here unless more is needed (0: none) */
    int eof;        /* the callback reported end of input */
    int err;        /* a read error happened (sticky) */
} vx_src;

void vx_src_init(vx_src *s, vx_read_fn read, void *ctx);
void vx_src_free(vx_src *s);
/* Read one more chunk after `end`, compacting or growing the buffer when
 * needed.  Returns 1 when bytes were added, 0 at end of input, VOCX_EIO or
 * VOCX_ENOMEM. */
int vx_src_more(vx_src *s);
/* Stream offset of buf[start + off]. */
static inline uint64_t vx_src_abs(const vx_src *s, size_t off)
{
    return s->base + s->start + off;
}

/* Format a message into d->msg (and set the position fields). */
void vx_diag_set(vx_diag *d, uint64_t line, uint64_t column, int reason,
                 const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Copy a name for a message into out (cap bytes): at most ~80 bytes, cut on
 * a UTF-8 boundary with "...", control characters shown as \xNN, so a
 * hostile header cannot break the one-line message. */
void vx_diag_name(char *out, size_t cap, const char *name, size_t len);

/* ---- tables ----------------------------------------------------------- */

typedef struct vx_table vx_table;

#define VX_COLUMN_NAMED 2 /* see vx_table_spec.required */

typedef struct vx_table_spec {
    const char *const *names;      /* wanted column names */
    const unsigned char *required; /* required[i] = 1: must exist, and a
                                      JSON value must not be missing or
                                      null; VX_COLUMN_NAMED (2): must be a
                                      column of the file (CSV header, first
                                      JSON object), values may be empty or
                                      null; 0: optional.  May be NULL
                                      (nothing required) */
    size_t n;
    size_t max_record_bytes; /* 0 = VX_DEFAULT_MAX_RECORD */
} vx_table_spec;

typedef struct vx_row {
    uint64_t line;     /* 1-based physical line where the record starts */
    uint64_t end_line; /* line where it ends (multi-line CSV records) */
    const char *const *val; /* val[i]: NUL-terminated value of wanted column
                               i, NULL if absent (or JSON null) */
    const size_t *len;      /* byte lengths (0 when absent) */
    const uint64_t *col;    /* 1-based byte column where each value starts
                               in its line; 0 when absent (a JSON null
                               keeps its position) */
    const uint64_t *val_line; /* the line where each value starts (differs
                                 from `line` after a multi-line CSV field);
                                 0 when absent */
} vx_row;

/*
 * Open a table over a stream.  `format` is VOCX_FORMAT_AUTO, _CSV or
 * _JSONL.  AUTO decides by the extension of `name_hint` (.csv; .jsonl,
 * .ndjson, .json; a trailing .gz/.bz2/.xz/.zst is looked through), else by
 * the first byte that is not whitespace: '{' is JSON Lines, anything else
 * CSV.  A UTF-8 byte order mark at the start is skipped in both formats.
 *
 * CSV reads the header row now.  Header names are trimmed of ASCII
 * whitespace; a wanted name matches a header name exactly, else ASCII
 * case-insensitively; two matches at the same level make it ambiguous.
 * JSON Lines reads the first line now; when it is an object, its keys are
 * the file's columns and the required keys are checked against it.  (When
 * the first line is rejected, the check moves to the first valid object,
 * and vx_table_next() may then return VOCX_ECOLUMN.)  A wanted key absent
 * from the first object but present there under another ASCII case is read
 * under that spelling.
 *
 * On success *out is a table to release with vx_table_free().  On failure
 * *out is NULL and `diag` (may be NULL) says why.
 *
 * An empty CSV input (nothing but blank lines) is VOCX_EPARSE "empty
 * input: no header row"; an empty JSON Lines input is a table of no rows.
 * The callback is only called from vx_table_open() and vx_table_next().
 *
 * Returns 0; VOCX_EINVAL (bad argument); VOCX_ENOMEM; VOCX_EIO (read
 * error); VOCX_EPARSE (CSV: empty input, a malformed or over-long header,
 * more than VX_CSV_MAX_FIELDS columns; diag has the line and column);
 * VOCX_ECOLUMN (a required column is missing, or a wanted name is
 * ambiguous; the message lists the columns the file has).
 */
int vx_table_open(vx_table **out, int format, vx_read_fn read, void *ctx,
                  const char *name_hint, const vx_table_spec *spec,
                  vx_diag *diag);

/*
 * The next record.  Returns 1 with *row filled (valid until the next call
 * on `t`); 0 at the end of input; 2 when the record was rejected (diag has
 * line, column, reason and message; the reader has moved past the record
 * and the next call goes on with the following one); or a negative code:
 * VOCX_EIO, VOCX_ENOMEM, VOCX_ECOLUMN (JSON Lines, see vx_table_open), after
 * which the table only returns that code again.
 *
 * CSV values are unescaped ("" -> "); empty fields are "" (not NULL);
 * wanted fields are checked for NUL bytes and strict UTF-8, other fields
 * are not looked at.  JSON strings are decoded (escapes, surrogate pairs),
 * numbers are returned as written, true/false as "true"/"false", null as
 * absent (a required key with null is rejected), objects and arrays as
 * their raw JSON text.
 *
 * Reject reasons: VOCX_REJECT_SYNTAX (CSV quoting, field count; invalid
 * JSON, not an object, nesting), VOCX_REJECT_UTF8 (invalid UTF-8 or a NUL),
 * VOCX_REJECT_MISSING (JSON: a required key missing or null),
 * VOCX_REJECT_TOOLONG (over max_record_bytes; column 0).  The ingest
 * layer adds VOCX_REJECT_EMPTY, _TIME and _VALUE for values it checks.
 */
int vx_table_next(vx_table *t, vx_row *row, vx_diag *diag);

const char *vx_table_format_name(const vx_table *t); /* "csv" / "jsonl" */
int vx_table_format(const vx_table *t); /* VOCX_FORMAT_CSV / _JSONL */
uint64_t vx_table_bytes_read(const vx_table *t); /* from the callback */

/* Columns the file has: the CSV header (trimmed, unescaped) or the keys of
 * the first JSON object.  Names stay valid until vx_table_free(). */
size_t vx_table_ncolumns(const vx_table *t);
const char *vx_table_column_name(const vx_table *t, size_t i);

/* Bytes allocated for the input buffer (tests check the memory bound). */
size_t vx_table_buffer_size(const vx_table *t);

void vx_table_free(vx_table *t); /* NULL-safe */

#endif
