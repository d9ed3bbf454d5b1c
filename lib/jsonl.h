/*
 * Streaming JSON Lines reader: one JSON object per line.
 *
 * - Lines end with LF; a CR before it is dropped.  Lines holding only
 *   whitespace are skipped.  Line numbers count LFs.
 * - Every line is validated completely (RFC 8259) and must be one object,
 *   with nothing after it but whitespace.  Invalid UTF-8 anywhere in the
 *   line, raw control characters or NUL bytes in strings, lone or unpaired
 *   UTF-16 surrogate escapes and nesting deeper than VX_JSON_MAX_DEPTH
 *   reject the line, with the column of the fault.
 * - Only the top-level keys asked for with vx_jsonl_set_keys() are kept.
 *   Their string values are decoded in place (escapes, surrogate pairs to
 *   UTF-8; a \u0000 in them rejects the line); numbers keep their literal
 *   text; true/false read "true"/"false"; null is its own kind; objects and
 *   arrays are returned as their raw JSON text.  A key given twice: the
 *   last one wins.
 * - A line longer than max_record_bytes is rejected without being kept in
 *   memory; the reader goes on with the next line.
 *
 * Internal header: not installed.
 */
#ifndef VX_JSONL_H
#define VX_JSONL_H

#include "table.h"

#define VX_JSON_MAX_DEPTH 256
/* At most this many keys are collected (vx_jsonl_collect_keys). */
#define VX_JSONL_MAX_KEYS 65536

enum vx_json_kind {
    VX_JSON_ABSENT = 0,
    VX_JSON_NULL,
    VX_JSON_FALSE,
    VX_JSON_TRUE,
    VX_JSON_NUMBER,
    VX_JSON_STRING,
    VX_JSON_ARRAY,
    VX_JSON_OBJECT
};

typedef struct vx_jsonl vx_jsonl;

/* A reader over `src` (borrowed).  Returns 0 or VOCX_ENOMEM. */
int vx_jsonl_new(vx_jsonl **out, vx_src *src, size_t max_record_bytes);
void vx_jsonl_free(vx_jsonl *r);

/* The top-level keys whose values are wanted, in slot order.  The strings
 * are borrowed and must stay valid while the reader uses them.  Returns 0
 * or VOCX_ENOMEM. */
int vx_jsonl_set_keys(vx_jsonl *r, const char *const *keys, size_t n);

/* When on, vx_jsonl_key() lists every top-level key of the current object
 * (up to VX_JSONL_MAX_KEYS), and every top-level string is decoded so that
 * vx_jsonl_refill() can pick values by other keys. */
void vx_jsonl_collect_keys(vx_jsonl *r, int on);

/* Read the next object.  Returns 1 (an object), 0 (end of input), 2 (the
 * line was rejected: diag has line, column, reason VOCX_REJECT_SYNTAX,
 * _UTF8 or _TOOLONG, and message), or VOCX_EIO / VOCX_ENOMEM.  The data
 * stays valid until the next call. */
int vx_jsonl_next(vx_jsonl *r, vx_diag *diag);

uint64_t vx_jsonl_line(const vx_jsonl *r); /* line of the current object */

/* Wanted key i in the current object: returns its enum vx_json_kind
 * (VX_JSON_ABSENT when the key is not there) and, unless absent or null,
 * the NUL-terminated value, its length and the 1-based byte column where
 * the value starts (its quote for a string). */
int vx_jsonl_value(const vx_jsonl *r, size_t i, const char **val,
                   size_t *len, uint64_t *col);

/* After vx_jsonl_set_keys() on an object read with collected keys: fill
 * the wanted values again from the collected members (the keys changed,
 * the line cannot be parsed twice).  Returns 1, or 2 when a wanted string
 * now holds a NUL (diag says where). */
int vx_jsonl_refill(vx_jsonl *r, vx_diag *diag);

/* Collected keys of the current object, decoded, NUL-terminated. */
size_t vx_jsonl_nkeys(const vx_jsonl *r);
const char *vx_jsonl_key(const vx_jsonl *r, size_t i, size_t *len);

#endif
