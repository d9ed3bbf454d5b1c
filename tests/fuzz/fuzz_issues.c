/* libFuzzer target: the reader of classifications.issues (issues_json.c).
 *
 * Any bytes: the reader must never read past the length it is given (the
 * input is copied into a buffer of exactly that size, for ASan), must end,
 * and must agree with SQLite's own JSON functions: for a valid JSON array
 * whose elements are arrays, it reads every element, and an element's id
 * is SQLite's json_extract(element, '$[0]') when that is text of at most
 * VX_ISSUE_ID_MAX bytes, else empty. */
#include "fuzz_util.h"
#include "issues_json.h"

#include <sqlite3.h>

static sqlite3 *db(void)
{
    static sqlite3 *h; /* opened once: libFuzzer runs many inputs */
    if (!h)
        FZ_CHECK(sqlite3_open(":memory:", &h) == SQLITE_OK);
    return h;
}

/* Whether the text holds the six bytes \u0000. */
static int has_nul_escape(const char *s, size_t n)
{
    for (size_t i = 0; i + 6 <= n; i++)
        if (!memcmp(s + i, "\\u0000", 6))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = malloc(size ? size : 1);
    FZ_CHECK(json);
    if (size)
        memcpy(json, data, size);
    vx_issue_iter it;
    vx_issue_iter_init(&it, json, size);
    char id[VX_ISSUE_ID_MAX + 1];
    char (*ids)[VX_ISSUE_ID_MAX + 1] = NULL;
    size_t n = 0;
    int r;
    while ((r = vx_issue_next(&it, id)) == 1) {
        FZ_CHECK(strlen(id) <= VX_ISSUE_ID_MAX);
        FZ_CHECK(it.p <= it.end);
        ids = realloc(ids, (n + 1) * sizeof *ids);
        FZ_CHECK(ids);
        memcpy(ids[n++], id, sizeof id);
        FZ_CHECK(n <= size); /* every element takes at least one byte */
    }
    FZ_CHECK(r == 0 || r == -1);
    if (r == 0)
        FZ_CHECK(vx_issue_next(&it, id) == 0); /* the end stays the end */

    /* SQLite's view of the same text (NUL-free, valid UTF-8 or not) */
    sqlite3_stmt *st = NULL;
    FZ_CHECK(sqlite3_prepare_v2(db(),
                                "SELECT json_valid(?1) AND json_type(?1) ="
                                " 'array' AND NOT EXISTS (SELECT 1 FROM"
                                " json_each(?1) WHERE type != 'array')",
                                -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_text(st, 1, json, (int)size, SQLITE_STATIC);
    int shape = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (shape && !memchr(json, '\0', size)) {
        FZ_CHECK(r == 0);
        FZ_CHECK(sqlite3_prepare_v2(db(),
                                    "SELECT json_type(value, '$[0]'),"
                                    " json_extract(value, '$[0]') FROM"
                                    " json_each(?1) ORDER BY key",
                                    -1, &st, NULL) == SQLITE_OK);
        sqlite3_bind_text(st, 1, json, (int)size, SQLITE_STATIC);
        size_t k = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            FZ_CHECK(k < n);
            const char *type = (const char *)sqlite3_column_text(st, 0);
            const char *want = "";
            if (type && !strcmp(type, "text") &&
                sqlite3_column_bytes(st, 1) <= VX_ISSUE_ID_MAX)
                want = (const char *)sqlite3_column_text(st, 1);
            /* SQLite 3.40 ends a string at \u0000, as the reader does;
             * later versions may keep the rest, so such inputs are not
             * compared (an id with a NUL is no issue's id either way) */
            if (!has_nul_escape(json, size))
                FZ_CHECK(strcmp(ids[k], want) == 0);
            k++;
        }
        sqlite3_finalize(st);
        FZ_CHECK(k == n);
    }
    free(ids);
    free(json);
    return 0;
}
