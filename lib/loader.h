/*
 * The streaming loader shared by comment ingest and operational imports:
 * rows from a table reader, handed one by one to a kind-specific handler,
 * committed in batches, rejects reported with file:line:column, the run
 * recorded in ingest_batches.
 */
#ifndef VX_LOADER_H
#define VX_LOADER_H

#include "schema.h"
#include "table.h"
#include "vocx_internal.h"

/* Common options, copied from the public options structs. */
typedef struct vx_load_opts {
    int format;
    int strict;
    size_t batch_rows;
    size_t max_record_bytes;
    vocx_reject_cb on_reject;
    void *reject_payload;
    vocx_progress_cb on_progress;
    void *progress_payload;
} vx_load_opts;

/* Handles one accepted row.  Returns 0 with *what = VOCX_PUT_*; a positive
 * VOCX_REJECT_* reason with d->msg and *col (index of the column at fault)
 * set to reject the row; or a negative status (error set on the store). */
typedef int (*vx_row_fn)(void *ctx, vocx_store *s, const vx_row *row,
                         int64_t batch_id, const char *now, int *what,
                         vx_diag *d, int *col);

typedef struct vx_loader {
    const char *kind;            /* ingest_batches.kind */
    const char *const *names;    /* wanted columns */
    const unsigned char *required;
    size_t ncols;
    vx_row_fn row;
    void *ctx;
    /* The table's secondary indexes: a load much larger than the table
     * drops them and builds them again at its end (sorted, far cheaper
     * than inserting at random places); every load first rebuilds any a
     * killed load left missing. */
    const char *table;
    const vx_index_def *indexes;
    int nindexes;
} vx_loader;

/* Load from `path` ("-" or NULL: stdin). */
int vx_load_path(vocx_store *s, const char *path, const vx_load_opts *o,
                 const vx_loader *l, vocx_ingest_stats *stats);
/* Load from a read callback. */
int vx_load_read(vocx_store *s, vx_read_fn read, void *ctx,
                 const char *source, const vx_load_opts *o,
                 const vx_loader *l, vocx_ingest_stats *stats);

/* Trim ASCII whitespace; NULL when nothing is left. */
const char *vx_trim(const char *s, size_t len, size_t *out_len);

#endif
