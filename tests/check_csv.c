/* Tests for lib/csv.c (through the table layer, which adds the UTF-8 and
 * NUL checks of wanted columns, and directly).  Every input is read whole,
 * one byte per read and in random small chunks, and all three must give
 * the same transcript. */
#include "csv.h"
#include "table.h"
#include "vocx.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader_testutil.h"

/* ---- CSV ------------------------------------------------------------- */

static const tspec ID_TEXT = {{"id", "text"}, {0, 1}, 2, 0};

#define CSV(lit, want)                                                         \
    expect_all_modes(lit, sizeof(lit) - 1, VOCX_FORMAT_CSV, &ID_TEXT, want)
#define CSV_SPEC(lit, spec, want)                                              \
    expect_all_modes(lit, sizeof(lit) - 1, VOCX_FORMAT_CSV, spec, want)

START_TEST(simple_records)
{
    CSV("id,text\n1,hello\n2,world\n",
        "csv cols=id,text\n"
        "2-2 [1]1 [3]hello\n"
        "3-3 [1]2 [3]world\n"
        "end\n");
    /* the last line break is optional */
    CSV("id,text\n1,hello\n2,world",
        "csv cols=id,text\n"
        "2-2 [1]1 [3]hello\n"
        "3-3 [1]2 [3]world\n"
        "end\n");
    /* columns in another order, and unwanted ones */
    CSV("x,text,y,id\na,hello,b,7\n",
        "csv cols=x,text,y,id\n"
        "2-2 [11]7 [3]hello\n"
        "end\n");
    /* empty fields are "" (not absent), quoted or not */
    CSV("id,text\n,\n\"\",\"\"\n",
        "csv cols=id,text\n"
        "2-2 [1] [2]\n"
        "3-3 [1] [4]\n"
        "end\n");
}
END_TEST

START_TEST(line_endings)
{
    const char *want = "csv cols=id,text\n"
                       "2-2 [1]1 [3]a\n"
                       "3-3 [1]2 [3]b\n"
                       "end\n";
    CSV("id,text\r\n1,a\r\n2,b\r\n", want);
    CSV("id,text\r1,a\r2,b\r", want); /* old Mac */
    CSV("id,text\r1,a\r2,b", want);
    CSV("id,text\r\n1,a\n2,b\r", want); /* mixed */
    CSV("id,text\r\n1,a\r\n2,b", want);
}
END_TEST

START_TEST(quoted_fields)
{
    CSV("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"\"\"\"\n",
        "csv cols=id,text\n"
        "2-2 [1]1 [3]a, b\n"
        "3-3 [1]2 [3]say \"hi\"\n"
        "4-4 [1]3 [3]\"\n"
        "end\n");
    /* line breaks inside quotes are kept byte for byte and counted */
    CSV("id,text\n1,\"two\nlines\"\n2,\"crlf\r\nhere\"\n3,\"cr\ronly\"\n"
        "4,\"\n\n\"\n5,after\n",
        "csv cols=id,text\n"
        "2-3 [1]1 [3]two\\nlines\n"
        "4-5 [1]2 [3]crlf\\r\\nhere\n"
        "6-7 [1]3 [3]cr\\ronly\n"
        "8-10 [1]4 [3]\\n\\n\n"
        "11-11 [1]5 [3]after\n"
        "end\n");
    /* a quoted field at the very end without a line break */
    CSV("id,text\n1,\"end\"",
        "csv cols=id,text\n"
        "2-2 [1]1 [3]end\n"
        "end\n");
    /* a value after a multi-line field starts on a later line */
    CSV("id,text\n\"1\n2\",abc\n",
        "csv cols=id,text\n"
        "2-3 [1]1\\n2 [3:4]abc\n"
        "end\n");
    /* doubled quotes next to line breaks and commas */
    CSV("id,text\n\"1\",\"\"\"\r\n\"\",\"\"\"\n",
        "csv cols=id,text\n"
        "2-3 [1]1 [5]\"\\r\\n\",\"\n"
        "end\n");
}
END_TEST

START_TEST(blank_lines)
{
    /* lines with no characters are skipped, and still counted */
    CSV("\n\nid,text\n\n1,a\r\n\r\n\r\n2,b\r\r3,c\n\n",
        "csv cols=id,text\n"
        "5-5 [1]1 [3]a\n"
        "8-8 [1]2 [3]b\n"
        "10-10 [1]3 [3]c\n"
        "end\n");
    /* a line ",," is a record, not a blank line */
    static const tspec three = {{"a", "b", "c"}, {0, 0, 0}, 3, 0};
    CSV_SPEC("a,b,c\n,,\n\n", &three,
             "csv cols=a,b,c\n"
             "2-2 [1] [2] [3]\n"
             "end\n");
    /* a line of spaces is a one-field record: wrong field count */
    CSV("id,text\n   \n1,a\n",
        "csv cols=id,text\n"
        "rej 2:4 r1 expected 2 fields, found 1\n"
        "3-3 [1]1 [3]a\n"
        "end\n");
}
END_TEST

START_TEST(quote_inside_unquoted_field)
{
    /* taken literally: 5" vinyl stays 5" vinyl */
    CSV("id,text\n1,5\" vinyl\n2,a\"b\"c\n3,x\"\n",
        "csv cols=id,text\n"
        "2-2 [1]1 [3]5\" vinyl\n"
        "3-3 [1]2 [3]a\"b\"c\n"
        "4-4 [1]3 [3]x\"\n"
        "end\n");
}
END_TEST

START_TEST(text_after_closing_quote)
{
    CSV("id,text\n1,\"abc\"def\n2,ok\n3,\"a\" ,x\n4,fine\n",
        "csv cols=id,text\n"
        "rej 2:8 r1 unexpected 'd' after the closing quote of field 2 (a "
        "quote inside a quoted field must be doubled)\n"
        "3-3 [1]2 [3]ok\n"
        "rej 4:6 r1 unexpected ' ' after the closing quote of field 2 (a "
        "quote inside a quoted field must be doubled)\n"
        "5-5 [1]4 [3]fine\n"
        "end\n");
    /* the rest of the field is read as unquoted text to find the record
     * end: a later quote does not swallow the following lines */
    CSV("id,text\n1,\"a\"b\"c\n2,ok\n",
        "csv cols=id,text\n"
        "rej 2:6 r1 unexpected 'b' after the closing quote of field 2 (a "
        "quote inside a quoted field must be doubled)\n"
        "3-3 [1]2 [3]ok\n"
        "end\n");
}
END_TEST

START_TEST(ragged_rows)
{
    CSV("id,text\n1,a\n2\n3,b,extra,more\n4,c\n5,\"multi\nline\"\n6,d\n",
        "csv cols=id,text\n"
        "2-2 [1]1 [3]a\n"
        "rej 3:2 r1 expected 2 fields, found 1\n"
        "rej 4:5 r1 expected 2 fields, found 4\n"
        "5-5 [1]4 [3]c\n"
        "6-7 [1]5 [3]multi\\nline\n"
        "8-8 [1]6 [3]d\n"
        "end\n");
    /* too few fields, pointing at the end of a multi-line record */
    static const tspec three = {{"a", "b", "c"}, {0, 0, 0}, 3, 0};
    CSV_SPEC("a,b,c\n1,\"x\ny\"\n2,3,4\n", &three,
             "csv cols=a,b,c\n"
             "rej 3:3 r1 expected 3 fields, found 2 @2\n"
             "4-4 [1]2 [3]3 [5]4\n"
             "end\n");
}
END_TEST

START_TEST(unterminated_quote)
{
    CSV("id,text\n1,ok\n2,\"never closed\n3,more\n4,text",
        "csv cols=id,text\n"
        "2-2 [1]1 [3]ok\n"
        "rej 3:3 r1 unterminated quoted field (opened at line 3, column 3; "
        "it runs to the end of the input)\n"
        "end\n");
    CSV("id,text\n1,\"",
        "csv cols=id,text\n"
        "rej 2:3 r1 unterminated quoted field (opened at line 2, column 3; "
        "it runs to the end of the input)\n"
        "end\n");
}
END_TEST

START_TEST(nul_bytes)
{
    static const char in[] = "id,text,other\n1,a\0b,x\n2,fine,x\0y\n"
                             "3,\"\0\",z\n";
    static const tspec ts = {{"id", "text"}, {0, 1}, 2, 0};
    expect_all_modes(in, sizeof in - 1, VOCX_FORMAT_CSV, &ts,
                     "csv cols=id,text,other\n"
                     "rej 2:4 r2 NUL byte in column \"text\"\n"
                     "3-3 [1]2 [3]fine\n" /* not a wanted column: kept */
                     "rej 4:4 r2 NUL byte in column \"text\"\n"
                     "end\n");
}
END_TEST

START_TEST(invalid_utf8)
{
    CSV("id,text,other\n"
        "1,ab\xC0\xAF,x\n"
        "2,\xED\xA0\x80,x\n"
        "3,\"end \xE2\x82\",x\n"
        "4,\xF5xyz,x\n"
        "5,\x80,x\n"
        "6,ok,\xFF\xFE\n"
        "7,\"line\n two \xC3(\",x\n"
        "8,caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80,x\n",
        "csv cols=id,text,other\n"
        "rej 2:5 r2 invalid UTF-8 in column \"text\" (byte 0xC0 followed by "
        "0xAF (overlong encoding))\n"
        "rej 3:3 r2 invalid UTF-8 in column \"text\" (byte 0xED followed by "
        "0xA0 (UTF-16 surrogate))\n"
        "rej 4:8 r2 invalid UTF-8 in column \"text\" (bytes 0xE2 0x82 at the "
        "end (truncated sequence))\n"
        "rej 5:3 r2 invalid UTF-8 in column \"text\" (byte 0xF5 (never valid "
        "in UTF-8))\n"
        "rej 6:3 r2 invalid UTF-8 in column \"text\" (unexpected "
        "continuation byte 0x80)\n"
        "7-7 [1]6 [3]ok\n" /* bad bytes in an unwanted column are ignored */
        "rej 9:6 r2 invalid UTF-8 in column \"text\" (byte 0xC3 followed by "
        "0x28) @8\n"
        "10-10 [1]8 [3]caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\n"
        "end\n");
    /* the column of a bad byte after doubled quotes is its input column */
    CSV("id,text\n1,\"\"\"\"\"\xC3(\"\n",
        "csv cols=id,text\n"
        "rej 2:8 r2 invalid UTF-8 in column \"text\" (byte 0xC3 followed by "
        "0x28)\n"
        "end\n");
}
END_TEST

START_TEST(empty_and_header_only)
{
    CSV("", "open rc=-5 0:0 empty input: no header row\n");
    CSV("\n\r\n\r", "open rc=-5 0:0 empty input: no header row\n");
    CSV("\xEF\xBB\xBF", "open rc=-5 0:0 empty input: no header row\n");
    CSV("id,text", "csv cols=id,text\nend\n");
    CSV("id,text\n", "csv cols=id,text\nend\n");
    CSV("id,text\r\n\r\n", "csv cols=id,text\nend\n");
}
END_TEST

START_TEST(byte_order_mark)
{
    CSV("\xEF\xBB\xBFid,text\n1,a\n",
        "csv cols=id,text\n"
        "2-2 [1]1 [3]a\n"
        "end\n");
    /* only at the very start: elsewhere it is data */
    CSV("id,text\n1,\xEF\xBB\xBF" "a\n",
        "csv cols=id,text\n"
        "2-2 [1]1 [3]\xEF\xBB\xBF" "a\n"
        "end\n");
    /* a header error on line 1 counts columns after the mark */
    CSV("\xEF\xBB\xBF\"id\"x,text\n",
        "open rc=-5 1:5 bad header row: unexpected 'x' after the closing "
        "quote of field 1 (a quote inside a quoted field must be doubled)\n");
}
END_TEST

START_TEST(malformed_header)
{
    CSV("\"id,text\n1,a\n",
        "open rc=-5 1:1 bad header row: unterminated quoted field (opened "
        "at line 1, column 1; it runs to the end of the input)\n");
    CSV("id,te\xC3xt\n1,a\n",
        "open rc=-5 1:6 bad header row: invalid column name (invalid UTF-8: "
        "byte 0xC3 followed by 0x78)\n");
}
END_TEST

START_TEST(missing_and_ambiguous_columns)
{
    CSV("id,customer,body\n1,c,hi\n",
        "open rc=-6 1:0 missing column \"text\"; the file has: id, customer, "
        "body\n");
    /* optional columns may be missing: their values are absent */
    static const tspec opt = {{"id", "text", "channel"}, {0, 1, 0}, 3, 0};
    CSV_SPEC("text\nhello\n", &opt,
             "csv cols=text\n"
             "2-2 - [1]hello -\n"
             "end\n");
    /* names are trimmed; case-insensitive when there is no exact match */
    CSV(" ID , Text \n1,a\n",
        "csv cols=ID,Text\n"
        "2-2 [1]1 [3]a\n"
        "end\n");
    /* an exact match wins over a case-insensitive one */
    CSV("Text,text,id\nA,b,1\n",
        "csv cols=Text,text,id\n"
        "2-2 [5]1 [3]b\n"
        "end\n");
    CSV("id,text,text\n1,a,b\n",
        "open rc=-6 1:0 column \"text\" is ambiguous: header fields 2 and 3 "
        "both match it\n");
    CSV("id,TEXT,Text\n1,a,b\n",
        "open rc=-6 1:0 column \"text\" is ambiguous: header fields 2 and 3 "
        "both match it\n");
    /* duplicates that are not wanted do not matter */
    CSV("x,x,id,text\n1,2,3,4\n",
        "csv cols=x,x,id,text\n"
        "2-2 [5]3 [7]4\n"
        "end\n");
}
END_TEST

static char *big_field_csv(size_t field, size_t *len)
{
    /* header, a record whose text is `field` bytes of varied content with
     * quotes, commas and line breaks, then a normal record */
    size_t cap = field * 2 + 100;
    char *p = malloc(cap);
    ck_assert_ptr_nonnull(p);
    size_t o = (size_t)sprintf(p, "id,text\n1,\"");
    for (size_t i = 0; i < field; i++) {
        char c = (char)('a' + i % 26);
        if (i % 1000 == 999)
            c = ',';
        if (i % 4096 == 4095)
            c = '\n';
        if (i % 7919 == 7918 && c != '\n') {
            p[o++] = '"'; /* doubled */
            c = '"';
        }
        p[o++] = c;
    }
    o += (size_t)sprintf(p + o, "\"\n2,after\n");
    *len = o;
    return p;
}

static void check_big(size_t field, int mode)
{
    size_t len;
    char *in = big_field_csv(field, &len);
    memrd m = {in, len, 0, mode, 7, 0};
    vx_table_spec spec = {ID_TEXT.names, ID_TEXT.req, 2, 0};
    vx_table *t;
    vx_diag d;
    vx_row row;
    ck_assert_int_eq(vx_table_open(&t, VOCX_FORMAT_CSV, mem_read, &m, NULL,
                                   &spec, &d), 0);
    ck_assert_int_eq(vx_table_next(t, &row, &d), 1);
    ck_assert_uint_eq(row.len[1], field);
    for (size_t i = 0; i < field; i++) {
        char c = (char)('a' + i % 26);
        if (i % 1000 == 999)
            c = ',';
        if (i % 4096 == 4095)
            c = '\n';
        if (i % 7919 == 7918 && c != '\n')
            c = '"';
        if (row.val[1][i] != c)
            ck_abort_msg("byte %zu differs", i);
    }
    ck_assert_uint_eq(row.line, 2);
    ck_assert_uint_eq(row.end_line, 2 + field / 4096);
    ck_assert_int_eq(vx_table_next(t, &row, &d), 1);
    ck_assert_str_eq(row.val[1], "after");
    ck_assert_uint_eq(row.line, 3 + field / 4096);
    ck_assert_int_eq(vx_table_next(t, &row, &d), 0);
    vx_table_free(t);
    free(in);
}

START_TEST(ten_megabyte_field)
{
    check_big((size_t)10 << 20, MODE_WHOLE);
    check_big((size_t)10 << 20, MODE_RANDOM);
    check_big((size_t)300 << 10, MODE_ONE); /* many chunk boundaries */
}
END_TEST

START_TEST(over_limit_record)
{
    static const tspec small = {{"id", "text"}, {0, 1}, 2, 64};
    /* quoted, with line breaks and a fake record inside */
    CSV_SPEC("id,text\n1,short\n2,\""
             "0123456789012345678901234567890123456789"
             "\n3,\"\"not a record\"\"\n"
             "0123456789012345678901234567890123456789"
             "\"\n4,next\n",
             &small,
             "csv cols=id,text\n"
             "2-2 [1]1 [3]short\n"
             "rej 3:0 r6 record longer than the limit of 64 bytes "
             "(max_record_bytes); skipped\n"
             "6-6 [1]4 [3]next\n"
             "end\n");
    /* unquoted, at the end of input */
    CSV_SPEC("id,text\n1,a\n2,"
             "0123456789012345678901234567890123456789"
             "0123456789012345678901234",
             &small,
             "csv cols=id,text\n"
             "2-2 [1]1 [3]a\n"
             "rej 3:0 r6 record longer than the limit of 64 bytes "
             "(max_record_bytes); skipped\n"
             "end\n");
    /* exactly at the limit is fine */
    CSV_SPEC("id,text\n1,"
             "01234567890123456789012345678901234567890123456789012345678901\n",
             &small,
             "csv cols=id,text\n"
             "2-2 [1]1 [3]"
             "01234567890123456789012345678901234567890123456789012345678901\n"
             "end\n");
    /* an over-long record whose quote never closes */
    CSV_SPEC("id,text\n1,\"" "0123456789012345678901234567890123456789"
             "0123456789012345678901234567890123456789\n",
             &small,
             "csv cols=id,text\n"
             "rej 2:3 r1 unterminated quoted field (opened at line 2, column "
             "3; it runs to the end of the input)\n"
             "end\n");
}
END_TEST

/* A 64 MiB record with a 1 MiB limit must not be buffered. */
START_TEST(over_limit_is_not_buffered)
{
    size_t field = (size_t)64 << 20, len;
    char *in = big_field_csv(field, &len);
    memrd m = {in, len, 0, MODE_WHOLE, 0, 0};
    vx_table_spec spec = {ID_TEXT.names, ID_TEXT.req, 2, (size_t)1 << 20};
    vx_table *t;
    vx_diag d;
    vx_row row;
    ck_assert_int_eq(vx_table_open(&t, VOCX_FORMAT_CSV, mem_read, &m, NULL,
                                   &spec, &d), 0);
    ck_assert_int_eq(vx_table_next(t, &row, &d), 2);
    ck_assert_int_eq(d.reason, VOCX_REJECT_TOOLONG);
    ck_assert_uint_eq(d.line, 2);
    ck_assert_int_eq(vx_table_next(t, &row, &d), 1);
    ck_assert_str_eq(row.val[1], "after");
    ck_assert_uint_eq(row.line, 3 + field / 4096);
    ck_assert_uint_le(vx_table_buffer_size(t),
                      ((size_t)1 << 20) + 2 * VX_READ_CHUNK);
    ck_assert_uint_eq(vx_table_bytes_read(t), len);
    vx_table_free(t);
    free(in);
}
END_TEST

/* Many small records: the buffer stays at its initial size. */
START_TEST(memory_does_not_grow)
{
    size_t n = 200000, len = 0;
    char *in = malloc(n * 40 + 16);
    len += (size_t)sprintf(in, "id,text\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(in + len, "%zu,\"comment, number %zu\"\n", i, i);
    memrd m = {in, len, 0, MODE_RANDOM, 5, 0};
    vx_table_spec spec = {ID_TEXT.names, ID_TEXT.req, 2, 0};
    vx_table *t;
    vx_diag d;
    vx_row row;
    ck_assert_int_eq(vx_table_open(&t, VOCX_FORMAT_CSV, mem_read, &m, NULL,
                                   &spec, &d), 0);
    size_t rows = 0;
    while (vx_table_next(t, &row, &d) == 1)
        rows++;
    ck_assert_uint_eq(rows, n);
    ck_assert_uint_le(vx_table_buffer_size(t), (size_t)256 << 10);
    vx_table_free(t);
    free(in);
}
END_TEST

START_TEST(read_error)
{
    static const char in[] = "id,text\n1,a\n2,b\n3,c\n";
    tspec ts = ID_TEXT;
    char *got = transcript(in, sizeof in - 1, VOCX_FORMAT_CSV, NULL, &ts,
                           MODE_ONE, 0, 14);
    ck_assert_str_eq(got, "csv cols=id,text\n"
                          "2-2 [1]1 [3]a\n"
                          "fatal rc=-3 read error\n");
    free(got);
    got = transcript(in, sizeof in - 1, VOCX_FORMAT_CSV, NULL, &ts,
                     MODE_WHOLE, 0, 3);
    ck_assert_str_eq(got, "open rc=-3 1:0 read error\n");
    free(got);
}
END_TEST

/* The CSV reader on its own: field counts and positions. */
static ptrdiff_t whole_read(void *ctx, char *buf, size_t cap)
{
    return mem_read(ctx, buf, cap);
}

START_TEST(reader_direct)
{
    static const char in[] = "a,\"b\"\"c\",,\"d\ne\"\r\nx\n";
    memrd m = {in, sizeof in - 1, 0, MODE_WHOLE, 0, 0};
    vx_src src;
    vx_src_init(&src, whole_read, &m);
    vx_csv *r;
    vx_diag d;
    ck_assert_int_eq(vx_csv_new(&r, &src, 0), 0);
    ck_assert_int_eq(vx_csv_next(r, &d), 1);
    ck_assert_uint_eq(vx_csv_nfields(r), 4);
    ck_assert_uint_eq(vx_csv_line(r), 1);
    ck_assert_uint_eq(vx_csv_end_line(r), 2);
    size_t len;
    const char *raw = vx_csv_field_raw(r, 1, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert(memcmp(raw, "b\"\"c", 4) == 0);
    ck_assert_str_eq(vx_csv_field(r, 1, &len), "b\"c");
    ck_assert_str_eq(vx_csv_field(r, 1, &len), "b\"c"); /* idempotent */
    ck_assert_str_eq(vx_csv_field(r, 0, &len), "a");
    ck_assert_str_eq(vx_csv_field(r, 2, &len), "");
    ck_assert_str_eq(vx_csv_field(r, 3, &len), "d\ne");
    ck_assert_ptr_null(vx_csv_field(r, 4, &len));
    uint64_t line, col;
    vx_csv_field_pos(r, 3, &line, &col);
    ck_assert_uint_eq(line, 1);
    ck_assert_uint_eq(col, 11);
    vx_csv_raw_pos(r, 3, 2, &line, &col); /* the 'e' */
    ck_assert_uint_eq(line, 2);
    ck_assert_uint_eq(col, 1);
    ck_assert_int_eq(vx_csv_next(r, &d), 1);
    ck_assert_uint_eq(vx_csv_line(r), 3);
    ck_assert_str_eq(vx_csv_field(r, 0, &len), "x");
    ck_assert_int_eq(vx_csv_next(r, &d), 0);
    ck_assert_int_eq(vx_csv_next(r, &d), 0);
    vx_csv_free(r);
    vx_src_free(&src);
}
END_TEST

/* Very wide records are counted but not all kept. */
START_TEST(many_fields)
{
    size_t n = VX_CSV_MAX_FIELDS + 10;
    char *in = malloc(n * 2 + 64);
    size_t o = (size_t)sprintf(in, "id,text\n");
    for (size_t i = 0; i < n; i++)
        in[o++] = i + 1 < n ? ',' : '\n';
    o += (size_t)sprintf(in + o, "1,ok\n");
    tspec ts = ID_TEXT;
    char *got = transcript(in, o, VOCX_FORMAT_CSV, NULL, &ts, MODE_WHOLE, 0,
                           0);
    char want[256];
    snprintf(want, sizeof want,
             "csv cols=id,text\n"
             "rej 2:3 r1 expected 2 fields, found %zu\n"
             "3-3 [1]1 [3]ok\n"
             "end\n", n);
    ck_assert_str_eq(got, want);
    free(got);
    /* as a header, too wide is an error */
    got = transcript(in + 8, o - 8, VOCX_FORMAT_CSV, NULL, &ts, MODE_WHOLE, 0,
                     0);
    snprintf(want, sizeof want,
             "open rc=-5 1:0 header has %zu columns; at most %d are "
             "supported\n", n, VX_CSV_MAX_FIELDS);
    ck_assert_str_eq(got, want);
    free(got);
    free(in);
}
END_TEST

static Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, simple_records);
    tcase_add_test(tc, line_endings);
    tcase_add_test(tc, quoted_fields);
    tcase_add_test(tc, blank_lines);
    tcase_add_test(tc, quote_inside_unquoted_field);
    tcase_add_test(tc, text_after_closing_quote);
    tcase_add_test(tc, ragged_rows);
    tcase_add_test(tc, unterminated_quote);
    tcase_add_test(tc, nul_bytes);
    tcase_add_test(tc, invalid_utf8);
    tcase_add_test(tc, empty_and_header_only);
    tcase_add_test(tc, byte_order_mark);
    tcase_add_test(tc, malformed_header);
    tcase_add_test(tc, missing_and_ambiguous_columns);
    tcase_add_test(tc, ten_megabyte_field);
    tcase_add_test(tc, over_limit_record);
    tcase_add_test(tc, over_limit_is_not_buffered);
    tcase_add_test(tc, memory_does_not_grow);
    tcase_add_test(tc, read_error);
    tcase_add_test(tc, reader_direct);
    tcase_add_test(tc, many_fields);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(csv_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
