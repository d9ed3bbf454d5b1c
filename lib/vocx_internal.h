/*
 * Internal declarations shared by the library's modules.  Nothing here is
 * part of the public interface (see include/vocx.h).
 */
#ifndef VOCX_INTERNAL_H
#define VOCX_INTERNAL_H

#include "vocx.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#if defined(__GNUC__)
#define VX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define VX_PRINTF(f, a)
#endif

/* A hint that *p will be read soon (no effect where unsupported). */
#if defined(__GNUC__)
#define VX_PREFETCH(p) __builtin_prefetch(p)
#else
#define VX_PREFETCH(p) ((void)(p))
#endif

#define VX_ERRMSG_MAX 2048
/* Every connection's page cache: 64 MiB (a negative size is in KiB). */
#define VX_CACHE_PRAGMA "-65536"
/* The page cache while a pass streams through the database (classifying,
 * ranking, building an index): 4 MiB.  Each page is read once, so a large
 * cache only holds pages never read again -- and costs a page fault per
 * new page and the CPU caches' misses (docs/performance.md). */
#define VX_CACHE_STREAM_PRAGMA "-4096"

/* A prepared statement cached on the store, keyed by its SQL text. */
typedef struct vx_stmt_slot {
    const char *sql;
    sqlite3_stmt *stmt;
} vx_stmt_slot;

struct vocx_store {
    sqlite3 *db;
    int readonly;
    int snapshot; /* vocx_store_snapshot_begin() is in force */
    int errcode;
    char errmsg[VX_ERRMSG_MAX];
    vocx_log_cb log;
    void *log_payload;
    vx_stmt_slot *stmts;
    size_t nstmts, capstmts;
    /* bytes ranking may spend grouping comments by customer in memory
     * before it sorts them in SQLite instead (rank.c) */
    size_t rank_budget;
    /* ranking without filters on the comments reads customers through
     * the comments_customer index (rank.c); tests turn it off to compare */
    int rank_no_index;
    int rank_last_scan; /* the scan the last ranking used: VX_SCAN_* */
};

enum { VX_SCAN_INDEXED = 1, VX_SCAN_GROUPED, VX_SCAN_SORTED };

#define VX_RANK_BUDGET ((size_t)128 << 20)

/* Record an error on the store; returns `code` so callers can
 * `return vx_fail(store, VOCX_EINVAL, "...")`. */
int vx_fail(vocx_store *s, int code, const char *fmt, ...) VX_PRINTF(3, 4);
/* Record the database's current error, prefixed with `what`. */
int vx_fail_db(vocx_store *s, const char *what);
/* For a file-system failure (I/O error, disk full, cannot open, read-only)
 * " (DBPATH: OS error)" to append to the message, else "". */
void vx_db_io_detail(vocx_store *s, int sqlite_rc, char *buf, size_t cap);
/* Map a SQLite result code to a vocx status code. */
int vx_code_from_sqlite(int rc);
void vx_clear_error(vocx_store *s);
void vx_log(vocx_store *s, int level, const char *fmt, ...) VX_PRINTF(3, 4);

/* The cached, reset statement for `sql` (a string with static storage: the
 * pointer is the cache key).  NULL on error, with the error recorded. */
sqlite3_stmt *vx_stmt(vocx_store *s, const char *sql);
/* Run SQL without results; records the error. */
int vx_exec(vocx_store *s, const char *sql);
/* The streaming page cache on (1) or the usual one back (0); restoring
 * keeps an error already set on the store. */
int vx_cache_stream(vocx_store *s, int on);
int vx_begin(vocx_store *s);   /* BEGIN IMMEDIATE, waits on busy */
int vx_commit(vocx_store *s);
void vx_rollback(vocx_store *s);

/* The CRM mapping (crm.c): TEMP views vx_customers / vx_transactions that
 * every reader of operational records uses; refreshed from an attached
 * CRM database at the start of each run. */
int vx_crm_setup(vocx_store *s);
int vx_crm_refresh(vocx_store *s);

/* printf into a fixed buffer, always terminated, truncating. */
void vx_snprintf(char *buf, size_t cap, const char *fmt, ...) VX_PRINTF(3, 4);

/* SHA-256 (FIPS 180-4). */
typedef struct vx_sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t nbuf;
} vx_sha256;
void vx_sha256_init(vx_sha256 *c);
void vx_sha256_update(vx_sha256 *c, const void *data, size_t len);
void vx_sha256_final(vx_sha256 *c, unsigned char out[32]);
/* Lower-case hex of a digest into out (65 bytes with the NUL). */
void vx_hex(const unsigned char *digest, size_t n, char *out);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
void vx_now_iso(char out[21]);

/* Byte strings in the order of SQLite's BINARY collation (memcmp, then
 * length): what lets C merge two queries sorted by the same text key. */
static inline int vx_binary_cmp(const void *a, size_t na, const void *b,
                                size_t nb)
{
    size_t n = na < nb ? na : nb;
    int c = n ? memcmp(a, b, n) : 0;
    return c ? c : (na > nb) - (na < nb);
}

#endif
