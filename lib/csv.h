/*
 * Streaming RFC 4180 CSV reader.
 *
 * - Fields are separated by ',' and may be enclosed in double quotes; a
 *   quote inside a quoted field is written twice.  Quoted fields may hold
 *   ',' and line breaks (kept byte for byte, CR LF included).
 * - Records end with CR LF, LF or a lone CR (old Mac files); the last
 *   record needs no line break.  Line numbers count physical lines; a CR LF
 *   is one line break.
 * - Lines with no characters at all are skipped (a line ",," is a record).
 * - A quote inside an unquoted field is taken literally: 5" vinyl reads as
 *   5" vinyl.  Spreadsheets write such files and a reject would lose data.
 * - Text after a closing quote ("abc"def) rejects the record, pointing at
 *   the first character after the quote.
 * - A quote left open at the end of input rejects the last record, pointing
 *   at the opening quote.
 * - A record longer than max_record_bytes is rejected without being kept
 *   in memory: the reader goes on scanning (tracking quotes) to find its
 *   end, discarding what it has read.
 *
 * The reader parses in place in the shared input buffer: field values
 * point into it and are unescaped lazily, only for the fields asked for.
 * Internal header: not installed.
 */
#ifndef VX_CSV_H
#define VX_CSV_H

#include "table.h"

/* At most this many fields are remembered per record (more are counted,
 * so a ragged row is still reported with its true field count). */
#define VX_CSV_MAX_FIELDS 65536

typedef struct vx_csv vx_csv;

/* A reader over `src` (borrowed; it must outlive the reader).  Reading
 * starts at src->start.  Returns 0 or VOCX_ENOMEM. */
int vx_csv_new(vx_csv **out, vx_src *src, size_t max_record_bytes);
void vx_csv_free(vx_csv *r);

/* Records with a field count other than n are rejected from now on
 * ("expected n fields, found m"); 0 turns the check off (the default). */
void vx_csv_set_expected(vx_csv *r, size_t n);

/* Read the next record.  Returns 1 (a record), 0 (end of input), 2 (the
 * record was rejected: diag says where and why, reason
 * VOCX_REJECT_SYNTAX or VOCX_REJECT_TOOLONG), or VOCX_EIO / VOCX_ENOMEM.
 * The record's data stays valid until the next call. */
int vx_csv_next(vx_csv *r, vx_diag *diag);

/* Number of fields in the current record (may exceed the number kept,
 * VX_CSV_MAX_FIELDS or the expected count + 1). */
size_t vx_csv_nfields(const vx_csv *r);
uint64_t vx_csv_line(const vx_csv *r);     /* first line of the record */
uint64_t vx_csv_end_line(const vx_csv *r); /* last line of the record */

/* Field i of the current record (i < nfields and kept): unescaped in place
 * on first use, NUL-terminated.  NULL when i is out of range. */
const char *vx_csv_field(vx_csv *r, size_t i, size_t *len);

/* The raw bytes of field i (between the quotes, doubled quotes still
 * doubled), for validation whose offsets must map back to the input.
 * Only before vx_csv_field(r, i): unescaping works in place and overwrites
 * them (the same holds for vx_csv_raw_pos). */
const char *vx_csv_field_raw(const vx_csv *r, size_t i, size_t *len);

/* Line and 1-based byte column where field i starts (its opening quote
 * when quoted). */
void vx_csv_field_pos(const vx_csv *r, size_t i, uint64_t *line,
                      uint64_t *col);

/* Line and column of byte `off` of field i's raw bytes. */
void vx_csv_raw_pos(const vx_csv *r, size_t i, size_t off, uint64_t *line,
                    uint64_t *col);

#endif
