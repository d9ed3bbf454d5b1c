/*
 * Reading the issues of a classification row.  classifications.issues is
 * a JSON array with one array per issue raised, [id, line, score, spans]
 * (docs/schema.md):
 *
 *   [["billing.double_charge",70,1.0,[[6,13],[14,19]]], ...]
 *
 * vocx writes it (classify_store.c) without spaces, ordered by issue id;
 * rows written through the comment_issues view come from SQLite's
 * json_array().  The reader accepts any valid JSON of that shape: spaces,
 * other items, escapes in strings.  Internal header.
 */
#ifndef VX_ISSUES_JSON_H
#define VX_ISSUES_JSON_H

#include <stddef.h>

#define VX_ISSUE_ID_MAX 255 /* longer ids are read as unknown (empty) */

typedef struct vx_issue_iter {
    const char *p, *end;
    int state; /* 0: before '[', 1: in the array, 2: done */
} vx_issue_iter;

void vx_issue_iter_init(vx_issue_iter *it, const char *json, size_t len);

/* The next element of the array: 1 with its id, the element's first item
 * (NUL-terminated; empty when the element is empty, when its first item
 * is not a string, or when it is longer than VX_ISSUE_ID_MAX bytes), 0
 * after the last element, -1 when the text is not a JSON array of arrays.
 * Read as SQLite's json_extract(element, '$[0]') reads it: a lone
 * surrogate escape becomes its 3 UTF-8 bytes, and \u0000 ends the id. */
int vx_issue_next(vx_issue_iter *it, char id[VX_ISSUE_ID_MAX + 1]);

#endif
