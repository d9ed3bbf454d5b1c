/* The store: creation, permissions, pragmas, migrations, errors, the
 * statement cache and single-comment upserts. */
#include "testutil.h"
#include "vocx_internal.h"

#include <sys/stat.h>

static vocx_store *open_new(char *path, size_t cap, const char *name)
{
    tu_tmppath(path, cap, name);
    tu_rm_db(path);
    vocx_store *s = NULL;
    int rc = vocx_store_open(&s, path, VOCX_OPEN_CREATE);
    ck_assert_msg(rc == VOCX_OK, "open: %s", vocx_store_errmsg(s));
    return s;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

START_TEST(test_create_private_wal_current_schema)
{
    char path[512];
    vocx_store *s = open_new(path, sizeof path, "new.db");
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0600);
    ck_assert_int_eq(vocx_store_schema_version(s), VOCX_SCHEMA_VERSION);
    ck_assert_int_eq(tu_sql_int(path, "PRAGMA user_version"),
                     VOCX_SCHEMA_VERSION);
    /* New databases get 16 KiB pages (bulk writes, docs/performance.md). */
    ck_assert_int_eq(tu_sql_int(path, "PRAGMA page_size"), 16384);
    /* WAL is a property of the file, visible from another connection. */
    sqlite3 *h;
    sqlite3_open(path, &h);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(h);
    /* Foreign keys are on for the handle's own connection. */
    sqlite3_prepare_v2(s->db, "PRAGMA foreign_keys", -1, &st, NULL);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    /* The WAL file inherits the private mode. */
    vocx_comment c = {"a", NULL, NULL, NULL, "hello", 0};
    ck_assert_int_eq(vocx_store_put_comment(s, &c, NULL), VOCX_OK);
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", path);
    ck_assert_int_eq(stat(wal, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0600);
    vocx_store_close(s);
    /* Reopening an existing database keeps its data. */
    ck_assert_int_eq(vocx_store_open(&s, path, 0), VOCX_OK);
    vocx_store_totals t;
    ck_assert_int_eq(vocx_store_totals_get(s, &t), VOCX_OK);
    ck_assert_uint_eq(t.comments, 1);
    vocx_store_close(s);
    tu_rm_db(path);
}
END_TEST

START_TEST(test_open_errors)
{
    char path[512];
    vocx_store *s = NULL;
    tu_tmppath(path, sizeof path, "missing.db");
    tu_rm_db(path);
    ck_assert_int_eq(vocx_store_open(&s, path, 0), VOCX_EIO);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), path));
    vocx_store_close(s);
    ck_assert_int_eq(access(path, F_OK), -1); /* not created */

    ck_assert_int_eq(vocx_store_open(&s, NULL, 0), VOCX_EINVAL);
    vocx_store_close(s);
    ck_assert_int_eq(vocx_store_open(NULL, path, 0), VOCX_EINVAL);
    ck_assert_int_eq(vocx_store_open(&s, path, 0x80), VOCX_EINVAL);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "flags"));
    vocx_store_close(s);
    ck_assert_int_eq(
        vocx_store_open(&s, path, VOCX_OPEN_CREATE | VOCX_OPEN_READONLY),
        VOCX_EINVAL);
    vocx_store_close(s);

    /* A file that is not a database: clear error, file left untouched. */
    tu_tmppath(path, sizeof path, "notes.txt");
    const char *text = "id,text\n1,this is a CSV file, not a database\n";
    tu_write_str(path, text);
    int rc = vocx_store_open(&s, path, VOCX_OPEN_CREATE);
    ck_assert_int_eq(rc, VOCX_EDB);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "not a database"));
    vocx_store_close(s);
    ck_assert_str_eq(slurp(path), text);
    unlink(path);

    /* NULL handles are harmless. */
    vocx_store_close(NULL);
    ck_assert_str_eq(vocx_store_errmsg(NULL), "out of memory");
    ck_assert_int_eq(vocx_store_schema_version(NULL), -1);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
    char path[512];
    vocx_store *s = open_new(path, sizeof path, "future.db");
    vocx_store_close(s);
    sqlite3 *h;
    sqlite3_open(path, &h);
    sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(h);
    ck_assert_int_eq(vocx_store_open(&s, path, 0), VOCX_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "99"));
    vocx_store_close(s);
    ck_assert_int_eq(tu_sql_int(path, "PRAGMA user_version"), 99);
    tu_rm_db(path);
}
END_TEST

/* A database at `path` made by running a frozen SQL fixture: the file as
 * an older vocx wrote it. */
static void make_from_fixture(const char *path, const char *name)
{
    tu_rm_db(path);
    char fixture[600];
    snprintf(fixture, sizeof fixture, "%s/%s", VOCX_TEST_FIXTURES, name);
    FILE *f = fopen(fixture, "rb");
    ck_assert_ptr_nonnull(f);
    static char sql[16384];
    size_t n = fread(sql, 1, sizeof sql - 1, f);
    fclose(f);
    sql[n] = '\0';
    sqlite3 *h;
    ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
    char *err = NULL;
    ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, &err) == SQLITE_OK, "%s",
                  err);
    sqlite3_close(h);
}

START_TEST(test_migration_from_v1)
{
    char path[512];
    tu_tmppath(path, sizeof path, "v1.db");
    make_from_fixture(path, "schema_v1.sql");
    ck_assert_int_eq(tu_sql_int(path, "PRAGMA user_version"), 1);

    /* Read-only handles never migrate. */
    vocx_store *s = NULL;
    ck_assert_int_eq(vocx_store_open(&s, path, VOCX_OPEN_READONLY),
                     VOCX_ESCHEMA);
    vocx_store_close(s);
    ck_assert_int_eq(tu_sql_int(path, "PRAGMA user_version"), 1);

    ck_assert_int_eq(vocx_store_open(&s, path, 0), VOCX_OK);
    ck_assert_int_eq(vocx_store_schema_version(s), VOCX_SCHEMA_VERSION);
    vocx_store_close(s);
    /* Old rows survive byte for byte; new tables exist. */
    ck_assert_int_eq(tu_sql_int(path, "SELECT count(*) FROM comments"), 2);
    ck_assert_int_eq(
        tu_sql_int(path, "SELECT text = 'Café crème était froid ☕' FROM "
                         "comments WHERE source_id = 'old-2'"),
        1);
    ck_assert_int_eq(
        tu_sql_int(path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                         "('customers','transactions','rulesets','issues',"
                         "'classifications','comment_issues','clv_models',"
                         "'customer_clv','analysis_runs')"),
        9);
    ck_assert(tu_integrity_ok(path));
    tu_rm_db(path);
}
END_TEST

START_TEST(test_put_comment_upsert)
{
    char path[512];
    vocx_store *s = open_new(path, sizeof path, "put.db");
    vocx_comment c = {" web-1 ", "42", "2026-03-01T10:00:00+01:00", "Chat",
                      "The refund never arrived.", 0};
    int what = 0;
    ck_assert_int_eq(vocx_store_put_comment(s, &c, &what), VOCX_OK);
    ck_assert_int_eq(what, VOCX_PUT_INSERTED);
    ck_assert_int_eq(vocx_store_put_comment(s, &c, &what), VOCX_OK);
    ck_assert_int_eq(what, VOCX_PUT_UNCHANGED);
    c.text = "The refund arrived after all.";
    ck_assert_int_eq(vocx_store_put_comment(s, &c, &what), VOCX_OK);
    ck_assert_int_eq(what, VOCX_PUT_UPDATED);

    vocx_cursor *cur;
    const vocx_comment_row *row;
    ck_assert_int_eq(vocx_comments_open(&cur, s, NULL), VOCX_OK);
    ck_assert_int_eq(vocx_cursor_next(cur, &row), 1);
    ck_assert_str_eq(row->source_id, "web-1");         /* trimmed */
    ck_assert_str_eq(row->channel, "chat");            /* category */
    ck_assert_str_eq(row->created_at, "2026-03-01T09:00:00Z"); /* UTC */
    ck_assert_str_eq(row->text, "The refund arrived after all.");
    ck_assert_int_eq(vocx_cursor_next(cur, &row), 0);
    vocx_cursor_free(cur);

    /* Without a source id the content is the key. */
    vocx_comment anon = {NULL, NULL, NULL, "app_review", "Great app ✨", 0};
    ck_assert_int_eq(vocx_store_put_comment(s, &anon, &what), VOCX_OK);
    ck_assert_int_eq(what, VOCX_PUT_INSERTED);
    ck_assert_int_eq(vocx_store_put_comment(s, &anon, &what), VOCX_OK);
    ck_assert_int_eq(what, VOCX_PUT_UNCHANGED);
    vocx_store_totals t;
    ck_assert_int_eq(vocx_store_totals_get(s, &t), VOCX_OK);
    ck_assert_uint_eq(t.comments, 2);
    ck_assert_uint_eq(t.anonymous, 1);
    ck_assert_uint_eq(t.customers, 1);
    vocx_store_close(s);
    tu_rm_db(path);
}
END_TEST

START_TEST(test_put_comment_rejects_bad_values)
{
    char path[512];
    vocx_store *s = open_new(path, sizeof path, "bad.db");
    struct {
        vocx_comment c;
        const char *expect;
    } cases[] = {
        {{"1", NULL, NULL, NULL, "", 0}, "empty text"},
        {{"2", NULL, NULL, NULL, "  \t\n ", 0}, "empty text"},
        {{"3", NULL, NULL, NULL, "bad \xC0\xAF overlong", 0}, "UTF-8"},
        {{"4", NULL, NULL, NULL, "surrogate \xED\xA0\x80", 0}, "UTF-8"},
        {{"5", NULL, NULL, NULL, "cut \xE2\x82", 0}, "UTF-8"},
        {{"6", NULL, "2026-02-30", NULL, "fine text", 0}, "timestamp"},
        {{"7", NULL, "yesterday", NULL, "fine text", 0}, "timestamp"},
        {{"8", "cust\xFF", NULL, NULL, "fine text", 0}, "customer_id"},
        {{"9", NULL, NULL, NULL, "nul\0inside", 10}, "NUL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = vocx_store_put_comment(s, &cases[i].c, NULL);
        ck_assert_msg(rc == VOCX_EINVAL, "case %zu: rc %d", i, rc);
        ck_assert_msg(strstr(vocx_store_errmsg(s), cases[i].expect),
                      "case %zu: message '%s' lacks '%s'", i,
                      vocx_store_errmsg(s), cases[i].expect);
    }
    vocx_store_totals t;
    ck_assert_int_eq(vocx_store_totals_get(s, &t), VOCX_OK);
    ck_assert_uint_eq(t.comments, 0);
    ck_assert_int_eq(vocx_store_put_comment(s, NULL, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vocx_store_put_comment(NULL, NULL, NULL), VOCX_EINVAL);
    vocx_store_close(s);
    tu_rm_db(path);
}
END_TEST

START_TEST(test_readonly_store)
{
    char path[512];
    vocx_store *s = open_new(path, sizeof path, "ro.db");
    vocx_store_close(s);
    ck_assert_int_eq(vocx_store_open(&s, path, VOCX_OPEN_READONLY), VOCX_OK);
    vocx_comment c = {"a", NULL, NULL, NULL, "hello", 0};
    ck_assert_int_eq(vocx_store_put_comment(s, &c, NULL), VOCX_EREADONLY);
    ck_assert_int_eq(vocx_store_errcode(s), VOCX_EREADONLY);
    vocx_store_close(s);
    tu_rm_db(path);
}
END_TEST

/* A new store holding comment `c` (comment 1), classified (without
 * issues) by rule set 1. */
static vocx_store *classified_comment(char *path, size_t cap, const char *name,
                                      const vocx_comment *c)
{
    vocx_store *s = open_new(path, cap, name);
    ck_assert_int_eq(vocx_store_put_comment(s, c, NULL), VOCX_OK);
    ck_assert_int_eq(
        vx_exec(s, "INSERT INTO rulesets(hash, loaded_at) VALUES ('h', 'now');"
                   "INSERT INTO classifications(comment_id, ruleset_id,"
                   " classified_at) VALUES (1, 1, 'now')"),
        VOCX_OK);
    return s;
}

START_TEST(test_text_change_drops_classifications)
{
    char path[512];
    vocx_comment c = {"c1", "7", NULL, NULL, "late delivery", 0};
    vocx_store *s = classified_comment(path, sizeof path, "trig.db", &c);
    ck_assert_int_eq(
        vx_exec(s, "INSERT INTO comment_issues(comment_id, ruleset_id, issue_id)"
                   " VALUES (1, 1, 'delivery.late')"),
        VOCX_OK);
    /* Same text, new channel: the classification still holds. */
    c.channel = "email";
    ck_assert_int_eq(vocx_store_put_comment(s, &c, NULL), VOCX_OK);
    ck_assert_int_eq(tu_sql_int(path, "SELECT count(*) FROM comment_issues"), 1);
    c.text = "delivery was fine";
    ck_assert_int_eq(vocx_store_put_comment(s, &c, NULL), VOCX_OK);
    ck_assert_int_eq(tu_sql_int(path, "SELECT count(*) FROM classifications"),
                     0);
    ck_assert_int_eq(tu_sql_int(path, "SELECT count(*) FROM comment_issues"), 0);
    vocx_store_close(s);
    tu_rm_db(path);
}
END_TEST

/* Version 4 moves each comment's issues into its classification row; the
 * comment_issues view must give back every row version 3 stored, by
 * issue id, with its line, score and spans. */
START_TEST(test_migration_from_v3_keeps_issues)
{
    char path[512];
    tu_tmppath(path, sizeof path, "v3.db");
    make_from_fixture(path, "schema_v3.sql");
    ck_assert_int_eq(tu_sql_int(path, "PRAGMA user_version"), 3);
    int page = tu_sql_int(path, "PRAGMA page_size");
    ck_assert_int_ne(page, 16384); /* made with SQLite's default */

    vocx_store *s = NULL;
    ck_assert_int_eq(vocx_store_open(&s, path, 0), VOCX_OK);
    vocx_store_close(s);
    ck_assert_int_eq(tu_sql_int(path, "PRAGMA user_version"),
                     VOCX_SCHEMA_VERSION);
    /* an existing database keeps its page size */
    ck_assert_int_eq(tu_sql_int(path, "PRAGMA page_size"), page);
    ck_assert_int_eq(
        tu_sql_int(path, "SELECT group_concat(x, ' | ') = '1 a.one 7 real"
                         " [[9,15],[0,4]] | 1 b.two 12 real [[0,4]] | 3 b.two"
                         " 12 real -' FROM (SELECT comment_id || ' ' ||"
                         " issue_id || ' ' || rule_line || ' ' || typeof(score)"
                         " || ' ' || coalesce(spans, '-') AS x FROM"
                         " comment_issues ORDER BY comment_id, issue_id)"),
        1);
    ck_assert_int_eq(tu_sql_int(path, "SELECT sum(score) * 10 FROM"
                                      " comment_issues"),
                     25);
    ck_assert_int_eq(tu_sql_int(path, "SELECT count(*) FROM classifications"
                                      " WHERE issues IS NULL"),
                     1); /* comment 2 raised nothing */
    ck_assert_int_eq(tu_sql_int(path, "SELECT classified_at ="
                                      " '2026-01-01T00:00:00Z' FROM rulesets"),
                     1);
    ck_assert_int_eq(tu_sql_int(path, "SELECT count(*) FROM sqlite_schema"
                                      " WHERE name = 'comment_issues' AND"
                                      " type = 'view'"),
                     1);
    ck_assert(tu_integrity_ok(path));
    tu_rm_db(path);
}
END_TEST

/* Version 5 stores a comment's issues and cues as arrays of arrays; the
 * migration rewrites every version 4 row, whatever its spacing or key
 * order, and the view, its insert trigger and ranking read the new form. */
START_TEST(test_migration_from_v4_rewrites_issues_and_cues)
{
    char path[512];
    tu_tmppath(path, sizeof path, "v4.db");
    make_from_fixture(path, "schema_v4.sql");
    ck_assert_int_eq(tu_sql_int(path, "PRAGMA user_version"), 4);

    vocx_store *s = NULL;
    ck_assert_int_eq(vocx_store_open(&s, path, 0), VOCX_OK);
    ck_assert_int_eq(vocx_store_schema_version(s), 5);
    static const struct {
        int comment;
        const char *issues, *cues;
    } want[] = {
        {1, "[[\"a.one\",7,1.0,[[9,15],[0,4]]],[\"b.two\",12,0.5,[[0,4]]]]",
         "[[\"churn\",9,[0,4]],[\"positive\",11,[5,8]]]"},
        {2, "-", "-"},
        {3, "[[\"b.two\",12,1.0,null]]", "[]"},
        {4, "[[\"q\\\"x\",3,2.0,[[0,2]]]]", "-"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(issues, '-'), coalesce(cues, '-') FROM"
                 " classifications WHERE comment_id = %d",
                 want[i].comment);
        sqlite3_stmt *st = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL),
                         SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 0),
                         want[i].issues);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 1),
                         want[i].cues);
        sqlite3_finalize(st);
    }
    /* the view gives back what version 4 held */
    ck_assert_int_eq(
        tu_sql_int(path, "SELECT group_concat(x, ' | ') = '1 a.one 7 0.5"
                         " [[9,15],[0,4]] | 1 b.two 12 0.25 [[0,4]] | 3 b.two"
                         " 12 0.5 - | 4 q\"x 3 1.0 [[0,2]]' FROM (SELECT"
                         " comment_id || ' ' || issue_id || ' ' || rule_line"
                         " || ' ' || (score / 2) || ' ' || coalesce(spans, '-')"
                         " AS x FROM comment_issues ORDER BY comment_id,"
                         " issue_id)"),
        1);
    /* the insert trigger writes the new form, and skips an issue the
     * comment has */
    ck_assert_int_eq(
        vx_exec(s, "INSERT INTO comment_issues(comment_id, ruleset_id,"
                   " issue_id, rule_line, spans) VALUES (2, 1, 'a.one', 5,"
                   " '[[0,4]]'), (1, 1, 'a.one', 99, NULL)"),
        VOCX_OK);
    ck_assert_int_eq(tu_sql_int(path, "SELECT issues = '[[\"a.one\",5,1.0,"
                                      "[[0,4]]]]' FROM classifications WHERE"
                                      " comment_id = 2"),
                     1);
    ck_assert_int_eq(tu_sql_int(path, "SELECT count(*) FROM comment_issues"
                                      " WHERE rule_line = 99"),
                     0);
    /* ranking reads the rewritten rows: b.two from comments 1 and 3,
     * a.one from 1 and 2, q"x from 4 */
    vocx_ranking *rk = NULL;
    ck_assert_msg(vocx_rank(&rk, s, NULL) == VOCX_OK, "%s",
                  vocx_store_errmsg(s));
    size_t found = 0;
    for (size_t i = 0; i < vocx_ranking_count(rk); i++) {
        const vocx_rank_row *r = vocx_ranking_row(rk, i);
        uint64_t comments = !strcmp(r->issue, "b.two")   ? 2
                            : !strcmp(r->issue, "a.one") ? 2
                            : !strcmp(r->issue, "q\"x")  ? 1
                                                         : 0;
        if (!comments)
            continue;
        ck_assert_msg(r->comments == comments, "%s: %llu comments", r->issue,
                      (unsigned long long)r->comments);
        found++;
    }
    ck_assert_uint_eq(found, 3);
    vocx_ranking_free(rk);
    vocx_store_close(s);
    ck_assert(tu_integrity_ok(path));
    tu_rm_db(path);
}
END_TEST

/* A version 4 row that is not valid JSON stops the migration with an error
 * that says so, and leaves the database as it was. */
START_TEST(test_migration_from_v4_with_bad_json_changes_nothing)
{
    char path[512];
    tu_tmppath(path, sizeof path, "v4bad.db");
    make_from_fixture(path, "schema_v4.sql");
    sqlite3 *h;
    ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(h, "UPDATE classifications SET issues ="
                                     " '[{\"issue\":' WHERE comment_id = 3",
                                     NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    vocx_store *s = NULL;
    ck_assert_int_ne(vocx_store_open(&s, path, 0), VOCX_OK);
    ck_assert_ptr_nonnull(s);
    const char *msg = vocx_store_errmsg(s);
    ck_assert_msg(strstr(msg, "4 -> 5") && strstr(msg, "JSON"), "%s", msg);
    vocx_store_close(s);
    ck_assert_int_eq(tu_sql_int(path, "PRAGMA user_version"), 4);
    ck_assert_int_eq(tu_sql_int(path, "SELECT count(*) FROM classifications"
                                      " WHERE issues LIKE '[{\"issue\":\"a.one\"%'"),
                     1);
    ck_assert(tu_integrity_ok(path));
    tu_rm_db(path);
}
END_TEST

/* comment_issues is a view over classifications.issues: inserting adds to
 * the comment's array, an issue it already has is left alone, and a row
 * without a classification to hold it changes nothing. */
START_TEST(test_comment_issues_view_inserts)
{
    char path[512];
    vocx_comment c = {"c1", "7", NULL, NULL, "late delivery", 0};
    vocx_store *s = classified_comment(path, sizeof path, "view.db", &c);
    ck_assert_int_eq(
        vx_exec(s, "INSERT INTO comment_issues(comment_id, ruleset_id,"
                   " issue_id, rule_line, spans) VALUES (1, 1, 'x.late', 3,"
                   " '[[0,4]]');"
                   "INSERT INTO comment_issues(comment_id, ruleset_id,"
                   " issue_id, score) VALUES (1, 1, 'a \"quoted\" id', 0.25);"
                   "INSERT INTO comment_issues(comment_id, ruleset_id,"
                   " issue_id) VALUES (1, 1, 'x.late');"
                   "INSERT INTO comment_issues(comment_id, ruleset_id,"
                   " issue_id) VALUES (2, 1, 'x.late')"),
        VOCX_OK);
    ck_assert_int_eq(tu_sql_int(path, "SELECT count(*) FROM comment_issues"), 2);
    ck_assert_int_eq(tu_sql_int(path, "SELECT rule_line * 100 + score FROM"
                                      " comment_issues WHERE issue_id ="
                                      " 'x.late' AND spans = '[[0,4]]'"),
                     301);
    ck_assert_int_eq(tu_sql_int(path, "SELECT score * 100 FROM comment_issues"
                                      " WHERE issue_id = 'a \"quoted\" id'"),
                     25);
    ck_assert_int_eq(tu_sql_int(path, "SELECT json_valid(issues) FROM"
                                      " classifications"),
                     1);
    vocx_store_close(s);
    tu_rm_db(path);
}
END_TEST

/* Full-scan steps of the connection's statement over comments that a
 * cursor opened (the only one whose SQL starts so). */
static int cursor_fullscan_steps(vocx_store *s)
{
    for (sqlite3_stmt *st = sqlite3_next_stmt(s->db, NULL); st;
         st = sqlite3_next_stmt(s->db, st))
        if (strstr(sqlite3_sql(st), "FROM comments WHERE 1"))
            return sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
    ck_abort_msg("no cursor statement");
    return -1;
}

/* Filters select the same comments whichever are given, and a customer's
 * or a period's comments are found through the index, not by reading the
 * whole table. */
START_TEST(test_cursor_filters_use_indexes)
{
    char path[512];
    vocx_store *s = open_new(path, sizeof path, "cursor.db");
    ck_assert_int_eq(vx_exec(s, "BEGIN"), VOCX_OK);
    for (int i = 0; i < 2000; i++) {
        char id[16], cust[16], ts[32];
        snprintf(id, sizeof id, "c%d", i);
        snprintf(cust, sizeof cust, "%d", i % 50);
        snprintf(ts, sizeof ts, "2026-%02d-%02dT00:00:00Z", 1 + i % 12,
                 1 + i % 28);
        char sql[256];
        snprintf(sql, sizeof sql,
                 "INSERT INTO comments(source_id, customer_id, created_at,"
                 " channel, text, ingested_at) VALUES ('%s', '%s', %s%s%s,"
                 " '%s', 'text', 'now')",
                 id, cust, i % 7 ? "'" : "", i % 7 ? ts : "NULL",
                 i % 7 ? "'" : "", i % 2 ? "chat" : "email");
        ck_assert_int_eq(vx_exec(s, sql), VOCX_OK);
    }
    ck_assert_int_eq(vx_exec(s, "COMMIT"), VOCX_OK);
    struct {
        vocx_comment_filter f;
        int want, indexed;
    } cases[] = {
        {{VOCX_COMMENT_FILTER_VERSION, NULL, NULL, NULL, "7", 0}, 40, 1},
        {{VOCX_COMMENT_FILTER_VERSION, "2026-03-01", "2026-04-01", NULL, NULL,
          0},
         0, 1},
        {{VOCX_COMMENT_FILTER_VERSION, NULL, NULL, "chat", "7", 0}, 0, 1},
        {{VOCX_COMMENT_FILTER_VERSION, NULL, NULL, "chat", NULL, 5}, 5, 0},
    };
    /* expected counts from the table itself */
    cases[1].want = (int)tu_sql_int(path, "SELECT count(*) FROM comments"
                                          " WHERE created_at >="
                                          " '2026-03-01T00:00:00Z' AND"
                                          " created_at < '2026-04-01T00:00:00Z'");
    cases[2].want = (int)tu_sql_int(path, "SELECT count(*) FROM comments"
                                          " WHERE channel = 'chat' AND"
                                          " customer_id = '7'");
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        vocx_cursor *cur;
        const vocx_comment_row *row;
        ck_assert_int_eq(vocx_comments_open(&cur, s, &cases[k].f), VOCX_OK);
        int n = 0, r;
        char last[32] = "";
        while ((r = vocx_cursor_next(cur, &row)) == 1) {
            n++;
            const char *t = row->created_at ? row->created_at : "~";
            ck_assert_int_le(strcmp(last, t), 0); /* in time order */
            snprintf(last, sizeof last, "%s", t);
        }
        ck_assert_int_eq(r, 0);
        ck_assert_int_eq(n, cases[k].want);
        if (cases[k].indexed)
            ck_assert_int_eq(cursor_fullscan_steps(s), 0);
        vocx_cursor_free(cur);
    }
    ck_assert_int_gt(cases[1].want, 0);
    ck_assert_int_gt(cases[2].want, 0);
    vocx_store_close(s);
    tu_rm_db(path);
}
END_TEST

/* A read snapshot: reads through the handle keep seeing the database as
 * it was when it began while another connection commits; writes through
 * the handle are refused with a message and leave the snapshot open. */
START_TEST(test_read_snapshot)
{
    char path[512];
    vocx_store *s = open_new(path, sizeof path, "snap.db");
    vocx_comment c = {"a", "cust1", NULL, "email", "first", 0};
    ck_assert_int_eq(vocx_store_put_comment(s, &c, NULL), VOCX_OK);
    vocx_store *w = NULL;
    ck_assert_int_eq(vocx_store_open(&w, path, 0), VOCX_OK);

    ck_assert_int_eq(vocx_store_snapshot_end(s), VOCX_EINVAL);
    ck_assert_int_eq(vocx_store_snapshot_begin(s), VOCX_OK);
    ck_assert_int_eq(vocx_store_snapshot_begin(s), VOCX_EINVAL);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "already open"));
    /* another connection commits: not seen inside the snapshot */
    vocx_comment d = {"b", "cust2", NULL, "chat", "second", 0};
    ck_assert_int_eq(vocx_store_put_comment(w, &d, NULL), VOCX_OK);
    vocx_store_totals t;
    ck_assert_int_eq(vocx_store_totals_get(s, &t), VOCX_OK);
    ck_assert_uint_eq(t.comments, 1);
    ck_assert_uint_eq(t.customers, 1);
    /* writing through the handle is refused, the snapshot stays */
    ck_assert_int_eq(vocx_store_put_comment(s, &d, NULL), VOCX_EINVAL);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "snapshot"));
    ck_assert_int_eq(vocx_store_totals_get(s, &t), VOCX_OK);
    ck_assert_uint_eq(t.comments, 1);
    vocx_rank_options ro = VOCX_RANK_OPTIONS_INIT;
    ro.record = 1;
    vocx_ranking *rk = NULL;
    ck_assert_int_eq(vocx_rank(&rk, s, &ro), VOCX_EINVAL);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "snapshot"));
    ck_assert_int_eq(vocx_store_totals_get(s, &t), VOCX_OK);
    ck_assert_uint_eq(t.comments, 1);
    /* the writer was never blocked, and the end shows its comment */
    ck_assert_int_eq(vocx_store_snapshot_end(s), VOCX_OK);
    ck_assert_int_eq(vocx_store_totals_get(s, &t), VOCX_OK);
    ck_assert_uint_eq(t.comments, 2);
    ck_assert_int_eq(vocx_store_put_comment(s, &c, NULL), VOCX_OK);
    /* closing with a snapshot open ends it */
    ck_assert_int_eq(vocx_store_snapshot_begin(s), VOCX_OK);
    vocx_store_close(s);
    ck_assert_int_eq(vocx_store_put_comment(w, &c, NULL), VOCX_OK);
    vocx_store_close(w);
    tu_rm_db(path);
}
END_TEST

START_TEST(test_statement_cache)
{
    char path[512];
    vocx_store *s = open_new(path, sizeof path, "cache.db");
    for (int i = 0; i < 200; i++) {
        char id[16];
        snprintf(id, sizeof id, "id-%d", i);
        vocx_comment c = {id, NULL, NULL, NULL, "text", 0};
        ck_assert_int_eq(vocx_store_put_comment(s, &c, NULL), VOCX_OK);
        ck_assert_int_eq(vocx_store_put_comment(s, &c, NULL), VOCX_OK);
    }
    /* Two statements (insert, update), prepared once each. */
    ck_assert_uint_eq(s->nstmts, 2);
    size_t live = 0;
    for (sqlite3_stmt *st = sqlite3_next_stmt(s->db, NULL); st;
         st = sqlite3_next_stmt(s->db, st))
        live++;
    ck_assert_uint_eq(live, s->nstmts);
    vocx_store_close(s);
    tu_rm_db(path);
}
END_TEST

START_TEST(test_strerror)
{
    for (int code = 0; code >= VOCX_EREADONLY; code--)
        ck_assert_str_ne(vocx_strerror(code), "unknown error");
    ck_assert_str_eq(vocx_strerror(1), "unknown error");
    ck_assert_str_eq(vocx_strerror(-1000), "unknown error");
    ck_assert_str_eq(vocx_strerror(VOCX_EINVAL), "invalid argument");
    ck_assert_str_eq(vocx_version(), VOCX_VERSION_STRING);
    ck_assert_int_eq(vocx_version_number(), VOCX_VERSION_NUMBER);
}
END_TEST

START_TEST(test_sha256_vectors)
{
    /* FIPS 180-4 examples, plus a message spanning several blocks fed in
     * odd-sized pieces. */
    struct {
        const char *msg;
        const char *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc",
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < 3; i++) {
        vx_sha256 c;
        unsigned char d[32];
        char hex[65];
        vx_sha256_init(&c);
        const char *m = v[i].msg;
        size_t n = strlen(m);
        for (size_t off = 0; off < n; off += 7)
            vx_sha256_update(&c, m + off, n - off < 7 ? n - off : 7);
        vx_sha256_final(&c, d);
        vx_hex(d, 32, hex);
        ck_assert_str_eq(hex, v[i].hex);
    }
    /* One million 'a' (FIPS 180-4 long message). */
    vx_sha256 c;
    unsigned char d[32];
    char hex[65], block[1000];
    memset(block, 'a', sizeof block);
    vx_sha256_init(&c);
    for (int i = 0; i < 1000; i++)
        vx_sha256_update(&c, block, sizeof block);
    vx_sha256_final(&c, d);
    vx_hex(d, 32, hex);
    ck_assert_str_eq(
        hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

int main(void)
{
    Suite *su = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_add_test(tc, test_create_private_wal_current_schema);
    tcase_add_test(tc, test_open_errors);
    tcase_add_test(tc, test_newer_schema_refused);
    tcase_add_test(tc, test_migration_from_v1);
    tcase_add_test(tc, test_put_comment_upsert);
    tcase_add_test(tc, test_put_comment_rejects_bad_values);
    tcase_add_test(tc, test_readonly_store);
    tcase_add_test(tc, test_text_change_drops_classifications);
    tcase_add_test(tc, test_read_snapshot);
    tcase_add_test(tc, test_statement_cache);
    tcase_add_test(tc, test_migration_from_v3_keeps_issues);
    tcase_add_test(tc, test_migration_from_v4_rewrites_issues_and_cues);
    tcase_add_test(tc, test_migration_from_v4_with_bad_json_changes_nothing);
    tcase_add_test(tc, test_comment_issues_view_inserts);
    tcase_add_test(tc, test_cursor_filters_use_indexes);
    tcase_add_test(tc, test_strerror);
    tcase_add_test(tc, test_sha256_vectors);
    suite_add_tcase(su, tc);
    return tu_run_suite(su);
}
