/* Tests for lib/table.c: format choice, column mapping, argument checks,
 * progress, and generated files mixing good and bad rows in both formats
 * (every bad row is reported, every good row comes out intact with its
 * line number, however the input is chunked). */
#include "table.h"
#include "vocx.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader_testutil.h"

/* ---- table ----------------------------------------------------------- */

static const tspec ID_TEXT = {{"id", "text"}, {0, 1}, 2, 0};

static char *run_hint(const char *data, const char *hint, int format)
{
    return transcript(data, strlen(data), format, hint, &ID_TEXT, MODE_ONE,
                      0, 0);
}

static void expect_hint(const char *data, const char *hint, const char *want)
{
    char *got = run_hint(data, hint, VOCX_FORMAT_AUTO);
    ck_assert_msg(strcmp(got, want) == 0, "hint %s\n--- got:\n%s--- want:\n%s",
                  hint ? hint : "(null)", got, want);
    free(got);
}

START_TEST(format_by_extension)
{
    static const char json[] = "{\"text\":\"a\"}\n";
    static const char *const jsonl_names[] = {"in.jsonl", "IN.JSONL",
                                              "x.ndjson", "dir.csv/x.json",
                                              "x.jsonl.gz", "x.json.zst"};
    for (size_t i = 0; i < sizeof jsonl_names / sizeof *jsonl_names; i++)
        expect_hint(json, jsonl_names[i], "jsonl cols=text\n1-1 - [9]a\nend\n");
    /* .csv wins over the content */
    expect_hint(json, "in.csv",
                "open rc=-6 1:0 missing column \"text\"; the file has: "
                "{\\\"text\\\":\\\"a\\\"}\n");
    expect_hint("id,text\n1,a\n", "x.CSV.gz",
                "csv cols=id,text\n2-2 [1]1 [3]a\nend\n");
}
END_TEST

START_TEST(format_by_content)
{
    /* no or unknown extension: the first non-blank byte decides */
    const char *hints[] = {NULL, "data.txt", "-", "csv", ""};
    for (size_t i = 0; i < sizeof hints / sizeof *hints; i++) {
        expect_hint("\n \r\n\t{\"text\":\"a\"}\n", hints[i],
                    "jsonl cols=text\n3-3 - [10]a\nend\n");
        expect_hint("\xEF\xBB\xBF{\"text\":\"a\"}\n", hints[i],
                    "jsonl cols=text\n1-1 - [9]a\nend\n");
        expect_hint("id,text\n1,{a}\n", hints[i],
                    "csv cols=id,text\n2-2 [1]1 [3]{a}\nend\n");
        expect_hint("", hints[i], "open rc=-5 0:0 empty input: no header "
                                  "row\n");
    }
    /* a forced format ignores both */
    char *got = run_hint("{\"text\":\"a\"}\n", "x.jsonl", VOCX_FORMAT_CSV);
    ck_assert_str_eq(got, "open rc=-6 1:0 missing column \"text\"; the file "
                          "has: {\\\"text\\\":\\\"a\\\"}\n");
    free(got);
    got = run_hint("id,text\n", "x.csv", VOCX_FORMAT_JSONL);
    ck_assert_str_eq(got, "jsonl cols=\n"
                          "rej 1:1 r1 invalid JSON: expected '{' (each line "
                          "must be a JSON object), found 'i'\n"
                          "end\n");
    free(got);
}
END_TEST

START_TEST(bad_arguments)
{
    memrd m = {"id,text\n", 8, 0, MODE_WHOLE, 0, 0};
    vx_table_spec spec = {ID_TEXT.names, ID_TEXT.req, 2, 0};
    vx_table *t = (vx_table *)&m;
    vx_diag d;
    ck_assert_int_eq(vx_table_open(NULL, 0, mem_read, &m, NULL, &spec, &d),
                     VOCX_EINVAL);
    ck_assert_int_eq(vx_table_open(&t, 0, NULL, &m, NULL, &spec, &d),
                     VOCX_EINVAL);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(vx_table_open(&t, 7, mem_read, &m, NULL, &spec, &d),
                     VOCX_EINVAL);
    ck_assert_int_eq(vx_table_open(&t, -1, mem_read, &m, NULL, &spec, &d),
                     VOCX_EINVAL);
    const char *names[] = {"id", NULL};
    vx_table_spec bad = {names, NULL, 2, 0};
    ck_assert_int_eq(vx_table_open(&t, 0, mem_read, &m, NULL, &bad, &d),
                     VOCX_EINVAL);
    ck_assert(d.msg[0] != '\0');
    /* diag may be NULL */
    ck_assert_int_eq(vx_table_open(&t, 0, NULL, &m, NULL, &spec, NULL),
                     VOCX_EINVAL);
    vx_table_free(NULL);
    ck_assert_uint_eq(vx_table_ncolumns(NULL), 0);
    ck_assert_ptr_null(vx_table_column_name(NULL, 0));
    vx_row row;
    ck_assert_int_eq(vx_table_next(NULL, &row, NULL), VOCX_EINVAL);
}
END_TEST

START_TEST(no_wanted_columns)
{
    /* a NULL spec reads records without values (counting rows) */
    memrd m = {"a,b\n1,2\n3,4\n", 12, 0, MODE_ONE, 0, 0};
    vx_table *t;
    vx_row row;
    ck_assert_int_eq(vx_table_open(&t, VOCX_FORMAT_CSV, mem_read, &m, NULL,
                                   NULL, NULL), 0);
    ck_assert_uint_eq(vx_table_ncolumns(t), 2);
    ck_assert_str_eq(vx_table_column_name(t, 1), "b");
    ck_assert_ptr_null(vx_table_column_name(t, 2));
    ck_assert_int_eq(vx_table_next(t, &row, NULL), 1);
    ck_assert_uint_eq(row.line, 2);
    ck_assert_int_eq(vx_table_next(t, &row, NULL), 1);
    ck_assert_int_eq(vx_table_next(t, &row, NULL), 0);
    ck_assert_int_eq(vx_table_next(t, &row, NULL), 0);
    ck_assert_str_eq(vx_table_format_name(t), "csv");
    ck_assert_int_eq(vx_table_format(t), VOCX_FORMAT_CSV);
    ck_assert_uint_eq(vx_table_bytes_read(t), 12);
    vx_table_free(t);
}
END_TEST

START_TEST(same_name_twice)
{
    static const tspec twice = {{"text", "TEXT", "text"}, {1, 0, 0}, 3, 0};
    char *got = transcript("id,text\n1,a\n", 12, VOCX_FORMAT_CSV, NULL,
                           &twice, MODE_WHOLE, 0, 0);
    ck_assert_str_eq(got, "csv cols=id,text\n2-2 [3]a [3]a [3]a\nend\n");
    free(got);
    got = transcript("{\"text\":\"a\"}\n", 13, VOCX_FORMAT_JSONL, NULL,
                     &twice, MODE_WHOLE, 0, 0);
    ck_assert_str_eq(got, "jsonl cols=text\n1-1 [9]a [9]a [9]a\nend\n");
    free(got);
}
END_TEST

START_TEST(long_column_list)
{
    /* the message lists what fits and says how many more there are */
    char in[4096];
    size_t o = 0;
    for (int i = 0; i < 200; i++)
        o += (size_t)sprintf(in + o, "%scolumn_%03d", i ? "," : "", i);
    in[o++] = '\n';
    in[o] = '\0';
    char *got = run_hint(in, NULL, VOCX_FORMAT_CSV);
    ck_assert_msg(strstr(got, "open rc=-6 1:0 missing column \"text\"; the "
                              "file has: column_000, column_001, ") == got,
                  "%s", got);
    ck_assert_msg(strstr(got, " more)\n") != NULL, "%s", got);
    ck_assert_uint_lt(strlen(got), 512 + 20);
    free(got);
}
END_TEST

START_TEST(hostile_names_in_messages)
{
    /* control characters are escaped and long names cut, so the message
     * stays one line */
    static const char in[] = "\"a\nb\",\"q\"\"\",\"\x01\","
                             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                             "\xC3\xA9\xC3\xA9\n";
    char *got = transcript(in, sizeof in - 1, VOCX_FORMAT_CSV, NULL,
                           &ID_TEXT, MODE_WHOLE, 0, 0);
    ck_assert_str_eq(got, "open rc=-6 1:0 missing column \"text\"; the file "
                          "has: a\\x0Ab, q\\\", \\x01, "
                          "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                          "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\n");
    free(got);
}
END_TEST

START_TEST(progress_bytes)
{
    size_t n = 50000, len = 0;
    char *in = malloc(n * 32 + 16);
    len += (size_t)sprintf(in, "id,text\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(in + len, "%zu,comment %zu\n", i, i);
    memrd m = {in, len, 0, MODE_WHOLE, 0, 0};
    vx_table_spec spec = {ID_TEXT.names, ID_TEXT.req, 2, 0};
    vx_table *t;
    vx_row row;
    ck_assert_int_eq(vx_table_open(&t, VOCX_FORMAT_AUTO, mem_read, &m,
                                   "x.csv", &spec, NULL), 0);
    uint64_t last = 0;
    size_t rows = 0;
    while (vx_table_next(t, &row, NULL) == 1) {
        uint64_t b = vx_table_bytes_read(t);
        ck_assert_uint_ge(b, last);
        ck_assert_uint_le(b, len);
        last = b;
        rows++;
    }
    ck_assert_uint_eq(rows, n);
    ck_assert_uint_eq(vx_table_bytes_read(t), len);
    vx_table_free(t);
    free(in);
}
END_TEST

/* A read callback that claims more bytes than asked is a read error. */
static ptrdiff_t liar_read(void *ctx, char *buf, size_t cap)
{
    (void)ctx;
    memset(buf, 'a', cap);
    return (ptrdiff_t)cap + 1;
}

START_TEST(lying_reader)
{
    vx_table *t;
    vx_diag d;
    vx_table_spec spec = {ID_TEXT.names, ID_TEXT.req, 2, 0};
    ck_assert_int_eq(vx_table_open(&t, VOCX_FORMAT_CSV, liar_read, NULL,
                                   NULL, &spec, &d), VOCX_EIO);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(d.msg, "read error");
}
END_TEST

/* ---- generated files: bad rows never lose good ones ------------------ */

static uint64_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* Random comment text: ASCII, commas, quotes, UTF-8, line breaks. */
static size_t random_text(uint64_t *s, char *out, int multiline)
{
    static const char *const bits[] = {"great", "slow", ",", "\"", " ",
                                       "caf\xC3\xA9", "\xE2\x82\xAC",
                                       "\xF0\x9F\x98\x80", "x", "\\", "/",
                                       "\t", "12"};
    size_t n = rnd(s) % 12 + 1, o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *b = bits[rnd(s) % (sizeof bits / sizeof *bits)];
        if (multiline && rnd(s) % 9 == 0)
            b = rnd(s) % 2 ? "\n" : "\r\n";
        size_t bl = strlen(b);
        memcpy(out + o, b, bl);
        o += bl;
    }
    return o;
}

static size_t csv_quote(const char *v, size_t len, char *out)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        if (v[i] == '"')
            out[o++] = '"';
        out[o++] = v[i];
    }
    out[o++] = '"';
    return o;
}

static size_t count_breaks(const char *v, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (v[i] == '\n')
            n++;
    return n;
}

START_TEST(generated_csv_with_bad_rows)
{
    uint64_t seed = 12345 + (uint64_t)_i;
    size_t cap = 1 << 20, o = 0;
    char *in = malloc(cap);
    sbuf want = {0};
    o += (size_t)sprintf(in, "id,text,extra\r\n");
    sb_printf(&want, "csv cols=id,text,extra\n");
    uint64_t line = 2;
    for (int r = 0; r < 400; r++) {
        char text[512];
        size_t tl = random_text(&seed, text, 1);
        int kind = (int)(rnd(&seed) % 10);
        const char *eol = rnd(&seed) % 2 ? "\n" : "\r\n";
        size_t start = o;
        o += (size_t)sprintf(in + o, "%d,", r);
        uint64_t col_text = o - start + 1;
        o += csv_quote(text, tl, in + o);
        uint64_t breaks = count_breaks(text, tl);
        switch (kind) {
        case 0: /* ragged: a field short */
            o += (size_t)sprintf(in + o, "%s", eol);
            sb_printf(&want, "rej %llu:", (unsigned long long)(line + breaks));
            /* the column of the line break after the closing quote */
            {
                size_t k = o - strlen(eol);
                size_t ls = k;
                while (ls > 0 && in[ls - 1] != '\n' && in[ls - 1] != '\r')
                    ls--;
                sb_printf(&want, "%zu r1 expected 3 fields, found 2",
                          k - ls + 1);
            }
            if (breaks)
                sb_printf(&want, " @%llu", (unsigned long long)line);
            sb_printf(&want, "\n");
            break;
        case 1: /* invalid UTF-8 in the unwanted column: fine */
        default:
            o += (size_t)sprintf(in + o, ",%s%s", kind == 1 ? "\xC0\xAF" : "e",
                                 eol);
            sb_printf(&want, "%llu-%llu [1]%d [%llu]",
                      (unsigned long long)line,
                      (unsigned long long)(line + breaks), r,
                      (unsigned long long)col_text);
            sb_value(&want, text, tl);
            sb_printf(&want, "\n");
            break;
        case 2: /* text after the closing quote */
            o += (size_t)sprintf(in + o, "x,e%s", eol);
            {
                size_t k = o - strlen(eol) - 3;
                size_t ls = k;
                while (ls > 0 && in[ls - 1] != '\n' && in[ls - 1] != '\r')
                    ls--;
                sb_printf(&want, "rej %llu:%zu r1 unexpected 'x' after the "
                          "closing quote of field 2 (a quote inside a quoted "
                          "field must be doubled)",
                          (unsigned long long)(line + breaks), k - ls + 1);
            }
            if (breaks)
                sb_printf(&want, " @%llu", (unsigned long long)line);
            sb_printf(&want, "\n");
            break;
        case 3: /* a NUL byte in the text */
            o = start;
            o += (size_t)sprintf(in + o, "%d,ab", r);
            in[o++] = '\0';
            o += (size_t)sprintf(in + o, ",e%s", eol);
            sb_printf(&want, "rej %llu:%zu r2 NUL byte in column \"text\"\n",
                      (unsigned long long)line,
                      (size_t)snprintf(NULL, 0, "%d,ab", r) + 1);
            breaks = 0;
            break;
        }
        if (rnd(&seed) % 5 == 0) { /* a blank line */
            o += (size_t)sprintf(in + o, "%s", eol);
            breaks++;
        }
        line += breaks + 1;
        ck_assert_uint_lt(o, cap - 2048);
    }
    sb_printf(&want, "end\n");
    expect_all_modes(in, o, VOCX_FORMAT_CSV, &ID_TEXT, want.p);
    free(want.p);
    free(in);
}
END_TEST

static size_t json_quote(const char *v, size_t len, char *out, uint64_t *s)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            o += (size_t)sprintf(out + o, "\\n");
        } else if (c == '\r') {
            o += (size_t)sprintf(out + o, "\\r");
        } else if (c == '\t') {
            o += (size_t)sprintf(out + o, "\\t");
        } else if (c == 0xF0 && rnd(s) % 2) { /* U+1F600 as a pair */
            o += (size_t)sprintf(out + o, "\\uD83D\\uDE00");
            i += 3;
        } else if (c < 0x80 && rnd(s) % 7 == 0) {
            o += (size_t)sprintf(out + o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    return o;
}

START_TEST(generated_jsonl_with_bad_rows)
{
    uint64_t seed = 777 + (uint64_t)_i;
    size_t cap = 1 << 20, o = 0;
    char *in = malloc(cap);
    sbuf want = {0};
    sb_printf(&want, "jsonl cols=id,text,n\n");
    for (int r = 0; r < 400; r++) {
        char text[512];
        size_t tl = random_text(&seed, text, 1);
        int kind = r == 0 ? 9 : (int)(rnd(&seed) % 10);
        const char *eol = rnd(&seed) % 2 ? "\n" : "\r\n";
        size_t start = o;
        o += (size_t)sprintf(in + o, "{\"id\":\"%d\",\"text\":", r);
        uint64_t col_text = o - start + 1;
        o += json_quote(text, tl, in + o, &seed);
        switch (kind) {
        case 0: /* missing ':' */
            o += (size_t)sprintf(in + o, ",\"n\" 1}%s", eol);
            sb_printf(&want, "rej %d:%zu r1 invalid JSON: expected ':' after "
                      "object key, found '1'\n",
                      r + 1, o - start - strlen(eol) - 1);
            break;
        case 1: /* not an object */
            o = start;
            o += (size_t)sprintf(in + o, "[%d]%s", r, eol);
            sb_printf(&want, "rej %d:1 r1 line is not a JSON object (found "
                      "an array)\n", r + 1);
            break;
        case 2: /* bad UTF-8 in an unwanted value: still a reject */
            o += (size_t)sprintf(in + o, ",\"n\":\"\xED\xA0\x80\"}%s", eol);
            sb_printf(&want, "rej %d:%zu r2 invalid UTF-8 (byte 0xED "
                      "followed by 0xA0 (UTF-16 surrogate))\n", r + 1,
                      o - start - strlen(eol) - 4);
            break;
        case 3: /* the required key missing */
            o = start;
            o += (size_t)sprintf(in + o, "{\"id\":\"%d\",\"n\":1}%s", r, eol);
            sb_printf(&want, "rej %d:0 r5 missing key \"text\"\n", r + 1);
            break;
        default:
            o += (size_t)sprintf(in + o, ",\"n\":%d}%s", r, eol);
            sb_printf(&want, "%d-%d [7]%d [%llu]", r + 1, r + 1, r,
                      (unsigned long long)col_text);
            sb_value(&want, text, tl);
            sb_printf(&want, "\n");
            break;
        }
        ck_assert_uint_lt(o, cap - 2048);
    }
    sb_printf(&want, "end\n");
    expect_all_modes(in, o, VOCX_FORMAT_JSONL, &ID_TEXT, want.p);
    free(want.p);
    free(in);
}
END_TEST

static Suite *table_suite(void)
{
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, format_by_extension);
    tcase_add_test(tc, format_by_content);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, no_wanted_columns);
    tcase_add_test(tc, same_name_twice);
    tcase_add_test(tc, long_column_list);
    tcase_add_test(tc, hostile_names_in_messages);
    tcase_add_test(tc, progress_bytes);
    tcase_add_test(tc, lying_reader);
    tcase_add_loop_test(tc, generated_csv_with_bad_rows, 0, 4);
    tcase_add_loop_test(tc, generated_jsonl_with_bad_rows, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(table_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
