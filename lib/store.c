/* The store: one SQLite connection, its schema migrations and its cache of
 * prepared statements. */
#include "schema.h"
#include "vocx_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VX_BUSY_TIMEOUT_MS 10000
#define VX_PAGE_SIZE "16384"

sqlite3_stmt *vx_stmt(vocx_store *s, const char *sql)
{
    for (size_t i = 0; i < s->nstmts; i++) {
        if (s->stmts[i].sql == sql) {
            sqlite3_stmt *st = s->stmts[i].stmt;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    }
    if (s->nstmts == s->capstmts) {
        size_t cap = s->capstmts ? 2 * s->capstmts : 32;
        vx_stmt_slot *n = realloc(s->stmts, cap * sizeof *n);
        if (!n) {
            vx_fail(s, VOCX_ENOMEM, "out of memory");
            return NULL;
        }
        s->stmts = n;
        s->capstmts = cap;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                                NULL);
    if (rc != SQLITE_OK) {
        vx_fail_db(s, "cannot prepare statement");
        return NULL;
    }
    s->stmts[s->nstmts].sql = sql;
    s->stmts[s->nstmts].stmt = st;
    s->nstmts++;
    return st;
}

int vx_exec(vocx_store *s, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        char detail[VX_ERRMSG_MAX / 2];
        vx_db_io_detail(s, sqlite3_extended_errcode(s->db), detail,
                        sizeof detail);
        int code = vx_fail(s, vx_code_from_sqlite(rc), "%s%s",
                           err ? err : sqlite3_errstr(rc), detail);
        sqlite3_free(err);
        return code;
    }
    return VOCX_OK;
}

int vx_cache_stream(vocx_store *s, int on)
{
    const char *sql = on ? "PRAGMA cache_size = " VX_CACHE_STREAM_PRAGMA
                         : "PRAGMA cache_size = " VX_CACHE_PRAGMA;
    if (!on && s->errcode) { /* restoring after a failure: keep its message */
        sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        return s->errcode;
    }
    return vx_exec(s, sql);
}

int vx_begin(vocx_store *s)
{
    if (s->readonly)
        return vx_fail(s, VOCX_EREADONLY, "the store is open read-only");
    if (s->snapshot)
        return vx_fail(s, VOCX_EINVAL,
                       "a read snapshot is open on this store: end it "
                       "before writing");
    /* IMMEDIATE takes the write lock now, so a concurrent writer makes us
     * wait (busy timeout) here instead of failing at the first write. */
    int rc = vx_exec(s, "BEGIN IMMEDIATE");
    if (rc == VOCX_EBUSY)
        vx_fail(s, VOCX_EBUSY,
                "database is locked by another writer (waited %d s)",
                VX_BUSY_TIMEOUT_MS / 1000);
    return rc;
}

int vx_commit(vocx_store *s)
{
    int rc = vx_exec(s, "COMMIT");
    if (rc) {
        char msg[VX_ERRMSG_MAX];
        memcpy(msg, s->errmsg, sizeof msg);
        vx_fail(s, rc, "cannot commit: %s", msg);
    }
    return rc;
}

void vx_rollback(vocx_store *s)
{
    /* inside the caller's snapshot nothing was written: leave it open */
    if (!s->snapshot && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int vocx_store_snapshot_begin(vocx_store *s)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!s->db)
        return vx_fail(s, VOCX_EINVAL, "the store is not open");
    if (s->snapshot)
        return vx_fail(s, VOCX_EINVAL, "a read snapshot is already open");
    int rc = vx_exec(s, "BEGIN");
    /* a transaction's snapshot is taken at its first read: take it now */
    if (!rc && (rc = vx_exec(s, "SELECT count(*) FROM sqlite_schema"))) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    if (!rc)
        s->snapshot = 1;
    return rc;
}

int vocx_store_snapshot_end(vocx_store *s)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!s->snapshot)
        return vx_fail(s, VOCX_EINVAL, "no read snapshot is open");
    s->snapshot = 0;
    return vx_commit(s);
}

static int user_version(vocx_store *s, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return vx_fail_db(s, "cannot read the schema version");
    }
    *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return VOCX_OK;
}

/* Bring the schema up to VOCX_SCHEMA_VERSION in one transaction, so a
 * database is always at exactly one version. */
static int migrate(vocx_store *s)
{
    int v, rc = user_version(s, &v);
    if (rc)
        return rc;
    if (v > VOCX_SCHEMA_VERSION)
        return vx_fail(s, VOCX_ESCHEMA,
                       "database schema version %d is newer than this "
                       "library's %d: upgrade vocx",
                       v, VOCX_SCHEMA_VERSION);
    if (v == VOCX_SCHEMA_VERSION)
        return VOCX_OK;
    if (s->readonly)
        return vx_fail(s, VOCX_ESCHEMA,
                       "database schema version %d needs migration to %d; "
                       "open it read-write once",
                       v, VOCX_SCHEMA_VERSION);
    if ((rc = vx_begin(s)))
        return rc;
    /* Another process may have migrated while we waited for the lock. */
    if ((rc = user_version(s, &v)))
        goto fail;
    for (; v < VOCX_SCHEMA_VERSION; v++) {
        if ((rc = vx_exec(s, vx_migrations[v]))) {
            char msg[VX_ERRMSG_MAX];
            memcpy(msg, s->errmsg, sizeof msg);
            vx_fail(s, rc, "schema migration %d -> %d failed: %s", v, v + 1,
                    msg);
            goto fail;
        }
        vx_log(s, VOCX_LOG_INFO, "schema migrated to version %d", v + 1);
    }
    char sql[64];
    vx_snprintf(sql, sizeof sql, "PRAGMA user_version = %d", VOCX_SCHEMA_VERSION);
    if ((rc = vx_exec(s, sql)) || (rc = vx_commit(s)))
        goto fail;
    return VOCX_OK;
fail:
    vx_rollback(s);
    return rc;
}

/* Create the file ourselves so it is born 0600: SQLite gives its WAL and
 * shm files the mode of the database file. */
static int create_private_file(vocx_store *s, const char *path, int *created)
{
    *created = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        *created = 1;
        return VOCX_OK;
    }
    if (errno == EEXIST)
        return VOCX_OK;
    return vx_fail(s, VOCX_EIO, "%s: cannot create database: %s", path,
                   strerror(errno));
}

static int configure(vocx_store *s)
{
    int rc;
    sqlite3_busy_timeout(s->db, VX_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    if ((rc = vx_exec(s, "PRAGMA foreign_keys = ON")))
        return rc;
    /* A page cache of 64 MiB instead of SQLite's 2 MiB: ingest, classify
     * and rank touch indexes all over a large database, and every miss is
     * a read() into the kernel.  Bounded, so memory stays flat whatever
     * the database size (docs/performance.md). */
    if ((rc = vx_exec(s, "PRAGMA cache_size = " VX_CACHE_PRAGMA)))
        return rc;
    if (!s->readonly) {
        /* A new database gets 16 KiB pages (an existing one keeps its
         * own): a quarter of the pages, WAL frames and checksums of bulk
         * writes.  1 M comments end to end 16.2-17.8 -> 14.7-15.2 s; a
         * commit of one row 0.41 -> 0.5 ms (docs/performance.md). */
        if ((rc = vx_exec(s, "PRAGMA page_size = " VX_PAGE_SIZE)))
            return rc;
        /* WAL: readers never block the writer and a killed writer leaves
         * every committed transaction intact. */
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
                               NULL) != SQLITE_OK) {
            return vx_fail_db(s, "cannot enable WAL");
        }
        int step = sqlite3_step(st);
        sqlite3_finalize(st);
        if (step != SQLITE_ROW)
            return vx_fail_db(s, "cannot enable WAL");
    }
    return VOCX_OK;
}

int vocx_store_open(vocx_store **out, const char *path, unsigned int flags)
{
    if (!out)
        return VOCX_EINVAL;
    *out = NULL;
    vocx_store *s = calloc(1, sizeof *s);
    if (!s)
        return VOCX_ENOMEM;
    s->rank_budget = VX_RANK_BUDGET;
    *out = s;
    if (!path)
        return vx_fail(s, VOCX_EINVAL, "no database path given");
    if (flags & ~(unsigned)(VOCX_OPEN_CREATE | VOCX_OPEN_READONLY))
        return vx_fail(s, VOCX_EINVAL, "unknown open flags 0x%x", flags);
    if ((flags & VOCX_OPEN_CREATE) && (flags & VOCX_OPEN_READONLY))
        return vx_fail(s, VOCX_EINVAL,
                       "VOCX_OPEN_CREATE and VOCX_OPEN_READONLY exclude "
                       "each other");
    s->readonly = (flags & VOCX_OPEN_READONLY) != 0;
    int memory = strcmp(path, ":memory:") == 0;
    int created = 0, rc;
    if (!memory && (flags & VOCX_OPEN_CREATE) &&
        (rc = create_private_file(s, path, &created)))
        return rc;

    int oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (memory)
        oflags |= SQLITE_OPEN_CREATE;
    oflags |= SQLITE_OPEN_NOMUTEX; /* one thread at a time, documented */
    rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
    if (rc != SQLITE_OK) {
        int code = vx_code_from_sqlite(rc);
        if (rc == SQLITE_CANTOPEN)
            vx_fail(s, code, "%s: cannot open database%s", path,
                    (flags & VOCX_OPEN_CREATE) ? ""
                                               : " (does it exist?)");
        else
            vx_fail(s, code, "%s: %s", path,
                    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        goto fail;
    }
    if (!s->readonly && !memory && sqlite3_db_readonly(s->db, "main") == 1) {
        /* SQLite fell back to read-only (the file is not writable): fail
         * now, before the WAL files are made with the file's read-only
         * mode, which would keep writes failing once it is fixed. */
        int err = access(path, W_OK) != 0 ? errno : 0;
        rc = vx_fail(s, VOCX_EREADONLY,
                     "%s: cannot open the database for writing: %s", path,
                     err ? strerror(err) : "read-only file");
        goto fail;
    }
    if ((rc = configure(s)) || (rc = migrate(s)) || (rc = vx_crm_setup(s))) {
        char msg[VX_ERRMSG_MAX];
        memcpy(msg, s->errmsg, sizeof msg);
        if (strncmp(msg, path, strlen(path)) != 0)
            vx_fail(s, rc, "%s: %s", path, msg);
        goto fail;
    }
    vx_log(s, VOCX_LOG_DEBUG, "%s: %s database, schema version %d", path,
           created ? "created" : "opened", VOCX_SCHEMA_VERSION);
    return VOCX_OK;
fail:
    if (s->db) {
        sqlite3_close_v2(s->db);
        s->db = NULL;
    }
    if (created) { /* do not leave a half-made database behind */
        unlink(path);
        size_t n = strlen(path);
        char *side = malloc(n + 5);
        if (side) { /* nor its WAL files, made by this connection */
            memcpy(side, path, n);
            memcpy(side + n, "-wal", 5);
            unlink(side);
            memcpy(side + n, "-shm", 5);
            unlink(side);
            free(side);
        }
    }
    return s->errcode ? s->errcode : VOCX_EDB;
}

void vocx_store_close(vocx_store *s)
{
    if (!s)
        return;
    if (s->db) {
        s->snapshot = 0; /* an open snapshot ends with the handle */
        vx_rollback(s);
        for (size_t i = 0; i < s->nstmts; i++)
            sqlite3_finalize(s->stmts[i].stmt);
        sqlite3_close_v2(s->db);
    }
    free(s->stmts);
    free(s);
}

const char *vocx_store_errmsg(const vocx_store *s)
{
    return s ? s->errmsg : "out of memory";
}

int vocx_store_errcode(const vocx_store *s)
{
    return s ? s->errcode : VOCX_ENOMEM;
}

void vocx_store_set_log(vocx_store *s, vocx_log_cb cb, void *payload)
{
    if (s) {
        s->log = cb;
        s->log_payload = payload;
    }
}

int vocx_store_schema_version(vocx_store *s)
{
    int v = -1;
    if (!s || !s->db || user_version(s, &v))
        return -1;
    return v;
}
