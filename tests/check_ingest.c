/* Comment ingest end to end: formats, rejects with locations, strict mode,
 * idempotent re-ingest, interrupted runs, column overrides, huge fields
 * and bounded memory. */
#include "testutil.h"
#include "vocx_internal.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer keeps freed memory in a quarantine (256 MB by default),
 * which would hide what the memory test measures; keep it small. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=1"; }
#endif

#define MAX_REJECTS 32

typedef struct rejects {
    int n;
    uint64_t line[MAX_REJECTS];
    uint64_t column[MAX_REJECTS];
    int reason[MAX_REJECTS];
    char msg[MAX_REJECTS][512];
} rejects;

static int collect(const vocx_reject *r, void *payload)
{
    rejects *rj = payload;
    if (rj->n < MAX_REJECTS) {
        rj->line[rj->n] = r->line;
        rj->column[rj->n] = r->column;
        rj->reason[rj->n] = r->reason;
        snprintf(rj->msg[rj->n], sizeof rj->msg[0], "%s", r->message);
    }
    rj->n++;
    return 0;
}

static const char GOOD_CSV[] =
    "id,customer_id,created_at,channel,text\r\n"
    "c1,101,2026-01-05T10:00:00Z,email,\"My refund, finally, arrived\"\r\n"
    "c2,102,2026-01-06,chat,\"She said \"\"no problem\"\" and hung up\"\r\n"
    "c3,,2026-01-07T08:30:00+02:00,app_review,\"Line one\r\nline two\"\r\n"
    "c4,101,,survey,Crème brûlée for the staff 🎉\r\n";

START_TEST(test_csv_ingest_and_idempotent_rerun)
{
    char db[512], csv[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "good.db");
    tu_tmppath(csv, sizeof csv, "good.csv");
    tu_write_str(csv, GOOD_CSV);

    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_file(s, csv, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.rows, 4);
    ck_assert_uint_eq(st.inserted, 4);
    ck_assert_uint_eq(st.rejected, 0);
    ck_assert_int_gt(st.batch_id, 0);

    /* Stored exactly as received, timestamps in UTC. */
    vocx_cursor *cur;
    const vocx_comment_row *r;
    vocx_comment_filter f = VOCX_COMMENT_FILTER_INIT;
    f.customer_id = "101";
    ck_assert_int_eq(vocx_comments_open(&cur, s, &f), VOCX_OK);
    ck_assert_int_eq(vocx_cursor_next(cur, &r), 1);
    ck_assert_str_eq(r->text, "My refund, finally, arrived");
    ck_assert_int_eq(vocx_cursor_next(cur, &r), 1);
    ck_assert_str_eq(r->text, "Crème brûlée for the staff 🎉");
    ck_assert_ptr_null(r->created_at);
    ck_assert_int_eq(vocx_cursor_next(cur, &r), 0);
    vocx_cursor_free(cur);
    ck_assert_int_eq(
        tu_sql_int(db, "SELECT text = 'She said \"no problem\" and hung up' "
                       "FROM comments WHERE source_id = 'c2'"),
        1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT text = 'Line one' || char(13, 10)"
                                    " || 'line two' AND created_at = "
                                    "'2026-01-07T06:30:00Z' AND customer_id "
                                    "IS NULL FROM comments WHERE source_id = "
                                    "'c3'"),
                     1);

    /* Same file again: nothing new. */
    ck_assert_int_eq(vocx_ingest_file(s, csv, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 0);
    ck_assert_uint_eq(st.unchanged, 4);
    /* One changed row, one new row. */
    tu_write_str(csv, "id,customer_id,created_at,channel,text\n"
                      "c1,101,2026-01-05T10:00:00Z,email,Refund still missing\n"
                      "c2,102,2026-01-06,chat,\"She said \"\"no problem\"\" "
                      "and hung up\"\n"
                      "c5,103,2026-01-08,email,New one\n");
    ck_assert_int_eq(vocx_ingest_file(s, csv, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.updated, 1);
    ck_assert_uint_eq(st.unchanged, 1);
    ck_assert_uint_eq(st.inserted, 1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM comments"), 5);
    ck_assert_int_eq(
        tu_sql_int(db, "SELECT count(*) FROM ingest_batches WHERE status = "
                       "'done' AND kind = 'comments'"),
        3);
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(csv);
}
END_TEST

START_TEST(test_rejects_are_located_and_rest_kept)
{
    char db[512], csv[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "rej.db");
    tu_tmppath(csv, sizeof csv, "rej.csv");
    tu_write_str(csv,
                 "id,customer_id,created_at,channel,text\n" /* line 1 */
                 "r1,1,2026-01-01,email,fine\n"             /* 2 */
                 "r2,1,2026-01-01,email\n"                  /* 3 ragged */
                 "r3,1,2026-13-01,email,bad month\n"        /* 4 */
                 "r4,1,2026-01-01,email,   \n"              /* 5 empty */
                 "r5,1,2026-01-01,email,bad \xC3\x28 utf8\n" /* 6 */
                 "r6,1,2026-01-01,email,\"multi\n"          /* 7 */
                 "line\"\n"                                 /* 8 */
                 "r7,1,2026-01-01,email,\"oops\"x\n"        /* 9 */
                 "r8,2,2026-01-02,chat,still here\n");      /* 10 */
    rejects rj = {0};
    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    o.on_reject = collect;
    o.reject_payload = &rj;
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_file(s, csv, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.rows, 8);
    ck_assert_uint_eq(st.inserted, 3); /* r1, r6, r8 */
    ck_assert_uint_eq(st.rejected, 5);
    ck_assert_int_eq(rj.n, 5);
    const uint64_t lines[] = {3, 4, 5, 6, 9};
    const int reasons[] = {VOCX_REJECT_SYNTAX, VOCX_REJECT_TIME,
                           VOCX_REJECT_EMPTY, VOCX_REJECT_UTF8,
                           VOCX_REJECT_SYNTAX};
    for (int i = 0; i < 5; i++) {
        ck_assert_msg(rj.line[i] == lines[i], "reject %d at line %llu: %s", i,
                      (unsigned long long)rj.line[i], rj.msg[i]);
        ck_assert_int_eq(rj.reason[i], reasons[i]);
        char prefix[600];
        snprintf(prefix, sizeof prefix, "%s:%llu:", csv,
                 (unsigned long long)lines[i]);
        ck_assert_msg(strncmp(rj.msg[i], prefix, strlen(prefix)) == 0,
                      "message '%s' does not start with '%s'", rj.msg[i],
                      prefix);
    }
    ck_assert_ptr_nonnull(strstr(rj.msg[0], "expected 5 fields"));
    ck_assert_ptr_nonnull(strstr(rj.msg[1], "2026-13-01"));
    /* Line 6: the text starts at column 23, "bad " is 4 bytes. */
    ck_assert_uint_eq(rj.column[3], 27);
    ck_assert_int_eq(
        tu_sql_int(db, "SELECT count(*) FROM comments WHERE source_id IN "
                       "('r1','r6','r8')"),
        3);
    ck_assert_int_eq(tu_sql_int(db, "SELECT rejected FROM ingest_batches"), 5);
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(csv);
}
END_TEST

START_TEST(test_strict_keeps_nothing)
{
    char db[512], csv[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "strict.db");
    tu_tmppath(csv, sizeof csv, "strict.csv");
    tu_write_str(csv, "id,text\na,good\nb,\nc,good too\n");
    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    o.strict = 1;
    o.batch_rows = 1; /* would commit per row if strict did not hold */
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_file(s, csv, &o, &st), VOCX_EREJECT);
    ck_assert_uint_eq(st.rejected, 1);
    ck_assert_uint_eq(st.inserted, 0);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "strict"));
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM comments"), 0);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM ingest_batches"), 0);
    /* Without a bad row strict mode loads everything. */
    tu_write_str(csv, "id,text\na,good\nc,good too\n");
    ck_assert_int_eq(vocx_ingest_file(s, csv, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 2);
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(csv);
}
END_TEST

START_TEST(test_missing_column_and_overrides)
{
    char db[512], csv[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "cols.db");
    tu_tmppath(csv, sizeof csv, "cols.csv");
    tu_write_str(csv, "review_id,account,posted,review_body\n"
                      "x1,77,2026-02-02,Love the new vinyl section\n");
    ck_assert_int_eq(vocx_ingest_file(s, csv, NULL, NULL), VOCX_ECOLUMN);
    const char *m = vocx_store_errmsg(s);
    ck_assert_ptr_nonnull(strstr(m, "\"text\""));
    ck_assert_ptr_nonnull(strstr(m, "review_body"));
    ck_assert_ptr_nonnull(strstr(m, "account"));
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM ingest_batches"), 0);

    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    o.id_col = "review_id";
    o.customer_col = "account";
    o.time_col = "posted";
    o.text_col = "review_body";
    o.channel = "app_review";
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_file(s, csv, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 1);
    ck_assert_int_eq(
        tu_sql_int(db, "SELECT count(*) FROM comments WHERE source_id = 'x1' "
                       "AND customer_id = '77' AND channel = 'app_review'"),
        1);

    /* An optional column the caller names must be in the file: a typo is
     * an error naming it, not rows read without timestamps. */
    o.time_col = "postd";
    ck_assert_int_eq(vocx_ingest_file(s, csv, &o, &st), VOCX_ECOLUMN);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "\"postd\""));
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(csv);

    /* ...while its JSON values may still be null or missing in a row. */
    s = tu_fresh_store(db, sizeof db, "cols2.db");
    tu_tmppath(csv, sizeof csv, "cols.jsonl");
    tu_write_str(csv, "{\"id\":\"a\",\"when\":\"2026-01-02\",\"text\":\"x\"}\n"
                      "{\"id\":\"b\",\"when\":null,\"text\":\"y\"}\n"
                      "{\"id\":\"c\",\"text\":\"z\"}\n");
    vocx_ingest_options oj = VOCX_INGEST_OPTIONS_INIT;
    oj.time_col = "when";
    ck_assert_int_eq(vocx_ingest_file(s, csv, &oj, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 3);
    ck_assert_uint_eq(st.rejected, 0);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM comments WHERE "
                                    "created_at IS NULL"),
                     2);
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(csv);
}
END_TEST

START_TEST(test_jsonl_ingest)
{
    char db[512], path[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "jsonl.db");
    tu_tmppath(path, sizeof path, "c.jsonl");
    tu_write_str(path,
                 "{\"id\": \"j1\", \"customer_id\": 5, \"text\": "
                 "\"caf\\u00e9 \\ud83c\\udf89 \\\"quoted\\\"\", \"extra\": "
                 "{\"nested\": [1, 2]}}\n"
                 "\n"
                 "{\"id\": \"j2\", \"text\": \"broken\"\n"
                 "[\"not\", \"an\", \"object\"]\n"
                 "{\"id\": \"j3\", \"text\": \"lone \\ud800 surrogate\"}\n"
                 "{\"id\": \"j4\", \"channel\": \"Chat\", \"text\": \"ok\", "
                 "\"created_at\": \"2026-04-01T12:00:00-05:00\"}\n");
    rejects rj = {0};
    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    o.on_reject = collect;
    o.reject_payload = &rj;
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_file(s, path, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 2);
    ck_assert_uint_eq(st.rejected, 3);
    ck_assert_uint_eq(rj.line[0], 3);
    ck_assert_uint_eq(rj.line[1], 4);
    ck_assert_uint_eq(rj.line[2], 5);
    ck_assert_int_eq(
        tu_sql_int(db, "SELECT text = 'café 🎉 \"quoted\"' AND customer_id = "
                       "'5' FROM comments WHERE source_id = 'j1'"),
        1);
    ck_assert_int_eq(
        tu_sql_int(db, "SELECT created_at = '2026-04-01T17:00:00Z' AND "
                       "channel = 'chat' FROM comments WHERE source_id = 'j4'"),
        1);
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(path);
}
END_TEST

/* A read callback over a memory buffer that fails, or kills the process,
 * after `fail_at` bytes. */
typedef struct mem_src {
    const char *data;
    size_t len, off, fail_at;
    int kill;
} mem_src;

static ptrdiff_t mem_read(void *payload, char *buf, size_t cap)
{
    mem_src *m = payload;
    if (m->fail_at && m->off >= m->fail_at) {
        if (m->kill)
            raise(SIGKILL);
        return -1;
    }
    size_t n = m->len - m->off;
    if (n > cap)
        n = cap;
    if (n > 997)
        n = 997; /* odd chunks: records straddle reads */
    memcpy(buf, m->data + m->off, n);
    m->off += n;
    return (ptrdiff_t)n;
}

static char *make_csv(int rows, size_t *len)
{
    size_t cap = (size_t)rows * 96 + 64;
    char *p = malloc(cap);
    ck_assert_ptr_nonnull(p);
    size_t o = (size_t)snprintf(p, cap, "id,customer_id,text\n");
    for (int i = 0; i < rows; i++)
        o += (size_t)snprintf(p + o, cap - o,
                              "row-%06d,%d,\"comment number %d, about "
                              "delivery\"\n",
                              i, i % 97, i);
    *len = o;
    return p;
}

START_TEST(test_interrupted_ingest_then_rerun)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "interrupt.db");
    size_t len;
    char *csv = make_csv(20000, &len);
    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    o.batch_rows = 1000;
    mem_src m = {csv, len, 0, len / 2, 0};
    vocx_ingest_stats st;
    int rc = vocx_ingest_read(s, mem_read, &m, "big.csv", &o, &st);
    ck_assert_int_eq(rc, VOCX_EIO);
    /* Whole batches only. */
    long long n = tu_sql_int(db, "SELECT count(*) FROM comments");
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq(n % 1000, 0);
    ck_assert_int_eq((long long)st.inserted, n);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM ingest_batches "
                                    "WHERE status = 'failed'"),
                     1);
    /* The re-run completes the job with no duplicates. */
    mem_src again = {csv, len, 0, 0, 0};
    ck_assert_int_eq(vocx_ingest_read(s, mem_read, &again, "big.csv", &o, &st),
                     VOCX_OK);
    ck_assert_uint_eq(st.unchanged, (uint64_t)n);
    ck_assert_uint_eq(st.inserted, 20000 - (uint64_t)n);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM comments"), 20000);
    vocx_store_close(s);
    ck_assert(tu_integrity_ok(db));
    tu_rm_db(db);
    free(csv);
}
END_TEST

START_TEST(test_sigkill_mid_batch_then_rerun)
{
    size_t len;
    char *csv = make_csv(30000, &len);
    char db[512];
    tu_tmppath(db, sizeof db, "killed.db");
    /* Several kills at different points, each in the middle of a batch. */
    const double at[] = {0.13, 0.41, 0.77};
    long long expected_before = -1;
    for (int k = 0; k < 3; k++) {
        tu_rm_db(db);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            vocx_store *s = NULL;
            if (vocx_store_open(&s, db, VOCX_OPEN_CREATE))
                _exit(3);
            vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
            o.batch_rows = 700;
            mem_src m = {csv, len, 0, (size_t)(len * at[k]), 1};
            vocx_ingest_read(s, mem_read, &m, "big.csv", &o, NULL);
            _exit(4); /* not reached: killed in the read callback */
        }
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        ck_assert(tu_integrity_ok(db));
        long long n = tu_sql_int(db, "SELECT count(*) FROM comments");
        ck_assert_int_eq(n % 700, 0); /* only complete batches */
        ck_assert_int_ne(n, expected_before);
        expected_before = n;
        /* Every committed row is intact. */
        ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM comments WHERE "
                                        "text NOT LIKE 'comment number %'"),
                         0);
        vocx_store *s = NULL;
        ck_assert_int_eq(vocx_store_open(&s, db, 0), VOCX_OK);
        mem_src m = {csv, len, 0, 0, 0};
        vocx_ingest_stats st;
        ck_assert_int_eq(vocx_ingest_read(s, mem_read, &m, "big.csv", NULL, &st),
                         VOCX_OK);
        ck_assert_uint_eq(st.inserted + st.unchanged, 30000);
        ck_assert_uint_eq(st.unchanged, (uint64_t)n);
        vocx_store_close(s);
        ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM comments"), 30000);
        ck_assert_int_eq(
            tu_sql_int(db, "SELECT count(DISTINCT source_id) FROM comments"),
            30000);
    }
    tu_rm_db(db);
    free(csv);
}
END_TEST

START_TEST(test_ten_megabyte_comment_intact)
{
    char db[512], csv[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "huge.db");
    tu_tmppath(csv, sizeof csv, "huge.csv");
    size_t big = 10u << 20;
    size_t cap = big + 256;
    char *data = malloc(cap);
    ck_assert_ptr_nonnull(data);
    size_t o = (size_t)snprintf(data, cap, "id,text\nh1,\"");
    for (size_t i = 0; i < big; i++)
        data[o + i] = i % 1000 == 999 ? '\n' : (char)('a' + i % 26);
    o += big;
    o += (size_t)snprintf(data + o, cap - o, "\"\nh2,small\n");
    tu_write(csv, data, o);
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_file(s, csv, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 2);
    ck_assert_int_eq(tu_sql_int(db, "SELECT length(text) FROM comments WHERE "
                                    "source_id = 'h1'"),
                     (long long)big);
    /* Byte-for-byte: compare through the cursor. */
    vocx_cursor *cur;
    const vocx_comment_row *r;
    ck_assert_int_eq(vocx_comments_open(&cur, s, NULL), VOCX_OK);
    int found = 0;
    while (vocx_cursor_next(cur, &r) == 1)
        if (!strcmp(r->source_id, "h1")) {
            ck_assert_uint_eq(r->text_len, big);
            ck_assert_int_eq(memcmp(r->text, data + 12, big), 0);
            found = 1;
        }
    ck_assert(found);
    vocx_cursor_free(cur);
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(csv);
    free(data);
}
END_TEST

/* Generates an endless-looking CSV of `rows` rows on the fly. */
typedef struct gen_src {
    uint64_t rows, next;
    char pending[256];
    size_t plen, poff;
} gen_src;

static ptrdiff_t gen_read(void *payload, char *buf, size_t cap)
{
    gen_src *g = payload;
    size_t o = 0;
    while (o < cap) {
        if (g->poff == g->plen) {
            if (g->next > g->rows)
                break;
            if (g->next == 0)
                g->plen = (size_t)snprintf(g->pending, sizeof g->pending,
                                           "id,customer_id,text\n");
            else
                g->plen = (size_t)snprintf(
                    g->pending, sizeof g->pending,
                    "g%llu,%llu,\"The parcel for order %llu arrived late and "
                    "damaged, again; nobody answers the phone\"\n",
                    (unsigned long long)g->next,
                    (unsigned long long)(g->next % 5000),
                    (unsigned long long)g->next);
            g->poff = 0;
            g->next++;
        }
        size_t n = g->plen - g->poff;
        if (n > cap - o)
            n = cap - o;
        memcpy(buf + o, g->pending + g->poff, n);
        g->poff += n;
        o += n;
    }
    return (ptrdiff_t)o;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

START_TEST(test_memory_does_not_grow_with_input)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "stream.db");
    /* Warm up allocator and page cache with a small run first. */
    gen_src warm = {2000, 0, {0}, 0, 0};
    ck_assert_int_eq(vocx_ingest_read(s, gen_read, &warm, "gen", NULL, NULL),
                     VOCX_OK);
    long before = max_rss_kb();
    /* ~600,000 rows, ~80 MB of CSV streamed through. */
    gen_src g = {600000, 0, {0}, 0, 0};
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_read(s, gen_read, &g, "gen", NULL, &st),
                     VOCX_OK);
    ck_assert_uint_eq(st.rows, 600000);
    long grew = max_rss_kb() - before;
    /* The store's page cache may fill up to its 64 MiB (store.c); beyond
     * that, far below the input size: the reader keeps one record at a
     * time.  Buffering the input would add its ~80 MB on top. */
    ck_assert_msg(grew < (64 + 40) * 1024, "peak RSS grew by %ld KiB", grew);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

START_TEST(test_bad_arguments)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "args.db");
    ck_assert_int_eq(vocx_ingest_file(NULL, "x", NULL, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vocx_ingest_file(s, "/nonexistent/dir/file.csv", NULL, NULL),
                     VOCX_EIO);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "/nonexistent/dir/file.csv"));
    vocx_ingest_options o;
    ck_assert_int_eq(vocx_ingest_options_init(&o, 99), VOCX_EINVAL);
    ck_assert_int_eq(vocx_ingest_options_init(&o, VOCX_INGEST_OPTIONS_VERSION),
                     VOCX_OK);
    o.version = 7;
    ck_assert_int_eq(vocx_ingest_file(s, "-", &o, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vocx_ingest_read(s, NULL, NULL, "x", NULL, NULL),
                     VOCX_EINVAL);
    /* An empty file has no header. */
    char csv[512];
    tu_tmppath(csv, sizeof csv, "empty.csv");
    tu_write_str(csv, "");
    ck_assert_int_eq(vocx_ingest_file(s, csv, NULL, NULL), VOCX_EPARSE);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), csv));
    /* A header alone is a valid, empty input. */
    tu_write_str(csv, "id,text\n");
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_file(s, csv, NULL, &st), VOCX_OK);
    ck_assert_uint_eq(st.rows, 0);
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(csv);
}
END_TEST

/* Whether the store at `db` has index `name` (a separate connection). */
static int has_index(const char *db, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND"
             " name = '%s'",
             name);
    return (int)tu_sql_int(db, sql);
}

typedef struct index_probe {
    const char *db;
    int calls, missing; /* progress calls; calls that saw no index */
    int stop_after;     /* cancel at this call (0: never) */
} index_probe;

static int probe_indexes(uint64_t rows, uint64_t done, uint64_t total,
                         void *payload)
{
    (void)rows, (void)done, (void)total;
    index_probe *p = payload;
    p->calls++;
    if (!has_index(p->db, "comments_customer") ||
        !has_index(p->db, "comments_created"))
        p->missing++;
    return p->stop_after && p->calls >= p->stop_after;
}

/* A file of `rows` comments with ~130-byte rows. */
static void write_comment_file(const char *path, int rows, int first)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "id,customer_id,created_at,text\n");
    for (int i = first; i < first + rows; i++)
        fprintf(f,
                "row-%07d,cust-%d,2026-%02d-%02dT10:00:00Z,\"comment %d: the"
                " parcel came late and the refund never arrived\"\n",
                i, (i * 7919) % 5003, 1 + i % 12, 1 + i % 28, i);
    fclose(f);
}

/* A load far larger than the table drops the table's secondary indexes
 * and builds them at its end; a small one keeps them; a cancelled one
 * builds them over what it kept; a missing index is rebuilt by the next
 * load.  The indexes answer the same as the table does. */
START_TEST(test_large_load_defers_indexes)
{
    char db[512], big[512], small[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "defer.db");
    tu_tmppath(big, sizeof big, "defer-big.csv");
    tu_tmppath(small, sizeof small, "defer-small.csv");
    write_comment_file(big, 60000, 0); /* ~7.8 MB: over 50,000 x 100 B */
    write_comment_file(small, 3000, 100000);
    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    o.batch_rows = 10000;
    o.on_progress = probe_indexes;
    vocx_ingest_stats st;

    /* large, cancelled after two batches */
    index_probe p = {db, 0, 0, 2};
    o.progress_payload = &p;
    ck_assert_int_eq(vocx_ingest_file(s, big, &o, &st), VOCX_ECANCEL);
    ck_assert_int_eq(p.missing, 2);
    ck_assert(has_index(db, "comments_customer"));
    ck_assert(has_index(db, "comments_created"));
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM comments"), 20000);

    /* large, to the end: deferred again (60,000 rows against 20,000) */
    p = (index_probe){db, 0, 0, 0};
    ck_assert_int_eq(vocx_ingest_file(s, big, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 40000);
    ck_assert_int_ge(p.calls, 6);
    ck_assert_int_ge(p.missing, p.calls - 1); /* all but the last, built */
    ck_assert(has_index(db, "comments_customer"));
    ck_assert(has_index(db, "comments_created"));

    /* small against the table: the indexes stay */
    p = (index_probe){db, 0, 0, 0};
    ck_assert_int_eq(vocx_ingest_file(s, small, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 3000);
    ck_assert_int_eq(p.missing, 0);

    /* an index lost (a killed load) comes back with the next load */
    ck_assert_int_eq(vx_exec(s, "DROP INDEX comments_created"), VOCX_OK);
    p = (index_probe){db, 0, 0, 0};
    ck_assert_int_eq(vocx_ingest_file(s, small, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.unchanged, 3000);
    ck_assert(has_index(db, "comments_created"));
    ck_assert_int_eq(p.missing, 0);

    vocx_store_close(s);
    ck_assert(tu_integrity_ok(db));
    /* the index agrees with the table */
    ck_assert_int_eq(
        tu_sql_int(db, "SELECT count(*) FROM comments INDEXED BY"
                       " comments_customer WHERE customer_id = 'cust-42'"),
        tu_sql_int(db, "SELECT count(*) FROM comments NOT INDEXED WHERE"
                       " customer_id = 'cust-42'"));
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM comments"), 63000);
    tu_rm_db(db);
    remove(big);
    remove(small);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("ingest");
    TCase *tc = tcase_create("ingest");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_csv_ingest_and_idempotent_rerun);
    tcase_add_test(tc, test_rejects_are_located_and_rest_kept);
    tcase_add_test(tc, test_strict_keeps_nothing);
    tcase_add_test(tc, test_missing_column_and_overrides);
    tcase_add_test(tc, test_jsonl_ingest);
    tcase_add_test(tc, test_interrupted_ingest_then_rerun);
    tcase_add_test(tc, test_sigkill_mid_batch_then_rerun);
    tcase_add_test(tc, test_ten_megabyte_comment_intact);
    tcase_add_test(tc, test_memory_does_not_grow_with_input);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_large_load_defers_indexes);
    suite_add_tcase(su, tc);
    return tu_run_suite(su);
}
