/* Shared by the fuzz targets: a memory reader that hands the input over in
 * chunks whose sizes come from a seed (so one input is read the same way
 * every time), a running hash, and a table transcript used to check that
 * reading in chunks gives exactly what reading in one piece gives. */
#ifndef VOCX_FUZZ_UTIL_H
#define VOCX_FUZZ_UTIL_H

#include "table.h"
#include "vocx.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fz_reader {
    const uint8_t *data;
    size_t len, pos;
    uint64_t rng; /* 0: one read returns as much as fits */
} fz_reader;

static inline ptrdiff_t fz_read(void *ctx, char *buf, size_t cap)
{
    fz_reader *r = ctx;
    size_t n = r->len - r->pos;
    if (n > cap)
        n = cap;
    if (r->rng) {
        r->rng = r->rng * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t lim = (size_t)(r->rng >> 33) % 17 + 1;
        if (n > lim)
            n = lim;
    }
    memcpy(buf, r->data + r->pos, n);
    r->pos += n;
    return (ptrdiff_t)n;
}

static inline uint64_t fz_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static inline uint64_t fz_hash_u64(uint64_t h, uint64_t v)
{
    return fz_hash(h, &v, sizeof v);
}

/* The fault a fuzz target found: print it and stop so libFuzzer keeps the
 * input. */
#define FZ_CHECK(cond)                                                         \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* Everything a table yields for `data`, read with chunks from `seed`,
 * folded into one hash; the invariants of every row are checked on the
 * way. */
static inline uint64_t fz_table_transcript(int format, const uint8_t *data,
                                    size_t len, uint64_t seed,
                                    size_t max_record)
{
    static const char *const names[] = {"id", "customer_id", "created_at",
                                        "text"};
    static const unsigned char required[] = {0, 0, 0, 1};
    vx_table_spec spec = {names, required, 4, max_record};
    fz_reader rd = {data, len, 0, seed};
    vx_diag diag;
    vx_table *t = NULL;
    uint64_t h = 1469598103934665603ULL;

    int rc = vx_table_open(&t, format, fz_read, &rd, NULL, &spec, &diag);
    h = fz_hash_u64(h, (uint64_t)(int64_t)rc);
    if (rc != 0) {
        FZ_CHECK(t == NULL);
        FZ_CHECK(memchr(diag.msg, '\0', sizeof diag.msg) != NULL);
        return fz_hash(h, diag.msg, strlen(diag.msg));
    }
    for (size_t rows = 0;; rows++) {
        vx_row row;
        rc = vx_table_next(t, &row, &diag);
        h = fz_hash_u64(h, (uint64_t)(int64_t)rc);
        if (rc == 1) {
            FZ_CHECK(row.line >= 1 && row.end_line >= row.line);
            h = fz_hash_u64(h, row.line);
            for (size_t i = 0; i < 4; i++) {
                if (!row.val[i]) {
                    FZ_CHECK(row.len[i] == 0);
                    continue;
                }
                FZ_CHECK(row.val[i][row.len[i]] == '\0');
                FZ_CHECK(row.len[i] <= len);
                h = fz_hash(h, row.val[i], row.len[i]);
                h = fz_hash_u64(h, row.col[i]);
                h = fz_hash_u64(h, row.val_line[i]);
            }
        } else if (rc == 2) {
            FZ_CHECK(diag.reason != 0);
            FZ_CHECK(diag.line >= 1);
            h = fz_hash_u64(h, diag.line);
            h = fz_hash_u64(h, diag.column);
            h = fz_hash(h, diag.msg, strlen(diag.msg));
        } else {
            break;
        }
        FZ_CHECK(rows <= len + 1); /* every row consumes input */
    }
    FZ_CHECK(rc == 0 || rc == VOCX_ECOLUMN);
    vx_table_free(t);
    return h;
}

#endif
