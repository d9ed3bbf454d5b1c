/* Small helpers shared by the Check suites. */
#ifndef VOCX_TESTUTIL_H
#define VOCX_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh path in a private temporary directory; the caller unlinks. */
static inline void tu_tmppath(char *out, size_t cap, const char *name)
{
    static char dir[256];
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/vocx-test-XXXXXX", t ? t : "/tmp");
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    snprintf(out, cap, "%s/%s", dir, name);
}

static inline void tu_write(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static inline void tu_write_str(const char *path, const char *data)
{
    tu_write(path, data, strlen(data));
}

static inline void tu_rm_db(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* A new, empty store at a fresh temporary path (written to `path`). */
#include "vocx.h"
static inline vocx_store *tu_fresh_store(char *path, size_t cap,
                                         const char *name)
{
    tu_tmppath(path, cap, name);
    tu_rm_db(path);
    vocx_store *s = NULL;
    ck_assert_int_eq(vocx_store_open(&s, path, VOCX_OPEN_CREATE), VOCX_OK);
    return s;
}

/* Run `sql` on a separate raw SQLite connection and return the first
 * column of the first row as an integer. */
#include <sqlite3.h>
static inline long long tu_sql_int(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(h));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* 1 when PRAGMA integrity_check says "ok". */
static inline int tu_integrity_ok(const char *db)
{
    sqlite3 *h = NULL;
    ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(
        sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL),
        SQLITE_OK);
    int ok = sqlite3_step(st) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    sqlite3_close(h);
    return ok;
}

static inline int tu_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
