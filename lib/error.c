/* Status codes, version, error recording and small shared helpers. */
#include "vocx_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *vocx_version(void) { return VOCX_VERSION_STRING; }

int vocx_version_number(void) { return VOCX_VERSION_NUMBER; }

const char *vocx_strerror(int code)
{
    /* Indexed by -code; retired codes keep their slot. */
    static const char *const text[] = {
        "ok",
        "invalid argument",
        "out of memory",
        "input/output error",
        "database error",
        "malformed input",
        "required column missing",
        "rows rejected in strict mode",
        "database schema is newer than this library",
        "database is locked",
        "model cannot be fitted",
        "rule file has errors",
        "size limit exceeded",
        "cancelled",
        "not found",
        "store is read-only",
    };
    if (code > 0 || -code >= (int)(sizeof text / sizeof text[0]))
        return "unknown error";
    return text[-code];
}

void vocx_free(void *ptr) { free(ptr); }

void vx_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (cap == 0)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n < 0)
        buf[0] = '\0';
}

int vx_fail(vocx_store *s, int code, const char *fmt, ...)
{
    if (!s)
        return code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
    va_end(ap);
    if (n < 0)
        s->errmsg[0] = '\0';
    s->errcode = code;
    return code;
}

int vx_code_from_sqlite(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
        return VOCX_OK;
    case SQLITE_NOMEM:
        return VOCX_ENOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return VOCX_EBUSY;
    case SQLITE_READONLY:
        return VOCX_EREADONLY;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PERM:
        return VOCX_EIO;
    default:
        return VOCX_EDB;
    }
}

/* "disk I/O error" alone says neither which file nor why ("File too
 * large", "No space left on device", "Permission denied"). */
void vx_db_io_detail(vocx_store *s, int sqlite_rc, char *buf, size_t cap)
{
    buf[0] = '\0';
    switch (sqlite_rc & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        break;
    default:
        return;
    }
    const char *path = s && s->db ? sqlite3_db_filename(s->db, "main") : NULL;
    int err = s && s->db ? sqlite3_system_errno(s->db) : 0;
    if (path && *path && err)
        vx_snprintf(buf, cap, " (%s: %s)", path, strerror(err));
    else if (path && *path)
        vx_snprintf(buf, cap, " (%s)", path);
}

int vx_fail_db(vocx_store *s, const char *what)
{
    int rc = sqlite3_extended_errcode(s->db);
    char detail[VX_ERRMSG_MAX / 2];
    vx_db_io_detail(s, rc, detail, sizeof detail);
    return vx_fail(s, vx_code_from_sqlite(rc), "%s: %s%s", what,
                   sqlite3_errmsg(s->db), detail);
}

void vx_clear_error(vocx_store *s)
{
    if (s) {
        s->errcode = VOCX_OK;
        s->errmsg[0] = '\0';
    }
}

void vx_log(vocx_store *s, int level, const char *fmt, ...)
{
    if (!s || !s->log)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n >= 0)
        s->log(level, line, s->log_payload);
}

void vx_hex(const unsigned char *digest, size_t n, char *out)
{
    static const char hexd[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexd[digest[i] >> 4];
        out[2 * i + 1] = hexd[digest[i] & 15];
    }
    out[2 * n] = '\0';
}

void vx_now_iso(char out[21])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
