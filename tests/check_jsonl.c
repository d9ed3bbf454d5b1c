/* Tests for lib/jsonl.c, through the table layer (which maps keys to the
 * wanted columns).  Every input is read whole, one byte per read and in
 * random small chunks, and all must give the same transcript. */
#include "jsonl.h"
#include "table.h"
#include "vocx.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader_testutil.h"

/* ---- JSON Lines ------------------------------------------------------ */

static const tspec ID_TEXT = {{"id", "text"}, {0, 1}, 2, 0};

#define JL(lit, want)                                                          \
    expect_all_modes(lit, sizeof(lit) - 1, VOCX_FORMAT_JSONL, &ID_TEXT, want)
#define JL_SPEC(lit, spec, want)                                               \
    expect_all_modes(lit, sizeof(lit) - 1, VOCX_FORMAT_JSONL, spec, want)

START_TEST(simple_objects)
{
    JL("{\"id\":\"1\",\"text\":\"hello\"}\n{\"text\":\"world\",\"id\":\"2\"}\n",
       "jsonl cols=id,text\n"
       "1-1 [7]1 [18]hello\n"
       "2-2 [22]2 [9]world\n"
       "end\n");
    /* no final line break; spaces around everything */
    JL("  { \"id\" : \"1\" , \"text\" : \"a\" }  \n"
       "{\"id\":\"2\",\"text\":\"b\"}",
       "jsonl cols=id,text\n"
       "1-1 [12]1 [27]a\n"
       "2-2 [7]2 [18]b\n"
       "end\n");
    /* unwanted keys are skipped whatever they hold */
    JL("{\"x\":[1,{\"y\":[true,null]}],\"text\":\"t\",\"z\":{}}\n",
       "jsonl cols=x,text,z\n"
       "1-1 - [35]t\n"
       "end\n");
}
END_TEST

START_TEST(value_kinds)
{
    static const tspec ts = {{"s", "n", "t", "f", "z", "o", "a", "text"},
                             {0, 0, 0, 0, 0, 0, 0, 1}, 8, 0};
    JL_SPEC("{\"s\":\"x\",\"n\":-12.5e+3,\"t\":true,\"f\":false,\"z\":null,"
            "\"o\":{\"k\": [1, \"}\"]},\"a\":[ ],\"text\":\"t\"}\n"
            "{\"text\":\"u\",\"n\":0}\n",
            &ts,
            "jsonl cols=s,n,t,f,z,o,a,text\n"
            "1-1 [6]x [14]-12.5e+3 [27]true [36]false - [55]{\"k\": [1, "
            "\"}\"]} [75][ ] [86]t\n"
            "2-2 - [17]0 - - - - - [9]u\n"
            "end\n");
}
END_TEST

START_TEST(blank_lines_and_crlf)
{
    JL("\n   \n{\"id\":\"1\",\"text\":\"a\"}\r\n\t\r\n\r\n"
       "{\"id\":\"2\",\"text\":\"b\"}"
       "\r\n\n",
       "jsonl cols=id,text\n"
       "3-3 [7]1 [18]a\n"
       "6-6 [7]2 [18]b\n"
       "end\n");
}
END_TEST

START_TEST(cr_is_not_content)
{
    /* the CR of a CR LF ends the line: a string left open there is
     * unterminated, not a string holding a raw CR */
    JL("{\"text\":\"abc\r\n{\"text\":\"ok\"}\r\n",
       "jsonl cols=\n"
       "rej 1:9 r1 invalid JSON: unterminated string\n"
       "2-2 - [9]ok\n"
       "end\n");
}
END_TEST

START_TEST(string_escapes)
{
    JL("{\"text\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t e\\u00e9 \\u20AC "
       "\\ud83d\\ude00 \\u0041\"}\n",
       "jsonl cols=text\n"
       "1-1 - [9]q\" b\\\\ s/ \\x08\\x0C\\n\\r\\x09 e\xC3\xA9 \xE2\x82\xAC "
       "\xF0\x9F\x98\x80 A\n"
       "end\n");
    /* an escaped key matches the plain name */
    JL("{\"te\\u0078t\":\"x\"}\n",
       "jsonl cols=text\n"
       "1-1 - [14]x\n"
       "end\n");
}
END_TEST

START_TEST(bad_escapes_and_surrogates)
{
    JL("{\"text\":\"a\\ud83d\"}\n"
       "{\"text\":\"a\\ude00b\"}\n"
       "{\"text\":\"a\\ud83d\\u0041\"}\n"
       "{\"text\":\"a\\ud83dxxxxxx\"}\n"
       "{\"text\":\"\\u12G4\"}\n"
       "{\"text\":\"\\x41\"}\n"
       "{\"text\":\"ok\\ud83d\\ude00\"}\n"
       "{\"other\":\"\\udc00\",\"text\":\"t\"}\n",
       "jsonl cols=\n" /* columns come from the first valid object */
       "rej 1:11 r2 invalid JSON: unpaired UTF-16 surrogate \\uD83D\n"
       "rej 2:11 r2 invalid JSON: unpaired UTF-16 surrogate \\uDE00\n"
       "rej 3:11 r2 invalid JSON: unpaired UTF-16 surrogate \\uD83D\n"
       "rej 4:11 r2 invalid JSON: unpaired UTF-16 surrogate \\uD83D\n"
       "rej 5:10 r1 invalid JSON: \\u must be followed by 4 hex digits\n"
       "rej 6:11 r1 invalid JSON: expected an escape (one of \"\\/bfnrtu) "
       "after '\\', found 'x'\n"
       "7-7 - [9]ok\xF0\x9F\x98\x80\n"
       "rej 8:11 r2 invalid JSON: unpaired UTF-16 surrogate \\uDC00\n"
       "end\n");
}
END_TEST

START_TEST(nul_and_control_characters)
{
    static const char in[] =
        "{\"text\":\"a\\u0000b\"}\n"
        "{\"other\":\"a\\u0000b\",\"text\":\"fine\"}\n"
        "{\"text\":\"a\0b\"}\n"
        "{\"text\":\"tab\there\"}\n"
        "{\"text\":\"ok\"}\0\n"
        "{\"text\":\"end\"}\n";
    expect_all_modes(in, sizeof in - 1, VOCX_FORMAT_JSONL, &ID_TEXT,
                     "jsonl cols=\n"
                     "rej 1:11 r2 NUL character (\\u0000) in key \"text\"\n"
                     "2-2 - [28]fine\n"
                     "rej 3:11 r2 NUL byte in a string\n"
                     "rej 4:13 r1 invalid JSON: control character 0x09 in a "
                     "string (must be escaped)\n"
                     "rej 5:14 r2 NUL byte (not allowed in JSON)\n"
                     "6-6 - [9]end\n"
                     "end\n");
}
END_TEST

START_TEST(invalid_json_lines)
{
    JL("{\"id\":\"1\",\"text\":\"a\"}\n"
       "{\"id\" \"2\",\"text\":\"b\"}\n"
       "{\"id\":\"3\",\"text\":\"c\",}\n"
       "{\"id\":\"4\" \"text\":\"d\"}\n"
       "{\"id\":\"5\",\"text\":\"e\"\n"
       "{\"id\":\"6\",\"text\":\"f}\n"
       "{\"id\":7,\"text\":tru}\n"
       "{id:\"8\"}\n"
       "{\"id\":\"9\",\"text\":\"g\"}\n",
       "jsonl cols=id,text\n"
       "1-1 [7]1 [18]a\n"
       "rej 2:7 r1 invalid JSON: expected ':' after object key, found '\"'\n"
       "rej 3:22 r1 invalid JSON: expected '\"' to start an object key, "
       "found '}'\n"
       "rej 4:11 r1 invalid JSON: expected ',' or '}' after an object "
       "member, found '\"'\n"
       "rej 5:21 r1 invalid JSON: expected ',' or '}' after an object "
       "member, found the end of the line\n"
       "rej 6:18 r1 invalid JSON: unterminated string\n"
       "rej 7:16 r1 invalid JSON: invalid literal (expected true, false or "
       "null)\n"
       "rej 8:2 r1 invalid JSON: expected '\"' to start an object key, found "
       "'i'\n"
       "9-9 [7]9 [18]g\n"
       "end\n");
}
END_TEST

START_TEST(numbers)
{
    static const tspec ts = {{"n", "text"}, {0, 1}, 2, 0};
    JL_SPEC("{\"text\":\"t\",\"n\":0}\n"
            "{\"text\":\"t\",\"n\":-0}\n"
            "{\"text\":\"t\",\"n\":1.5E10}\n"
            "{\"text\":\"t\",\"n\":12345678901234567890123}\n"
            "{\"text\":\"t\",\"n\":01}\n"
            "{\"text\":\"t\",\"n\":1.}\n"
            "{\"text\":\"t\",\"n\":.5}\n"
            "{\"text\":\"t\",\"n\":-}\n"
            "{\"text\":\"t\",\"n\":+1}\n"
            "{\"text\":\"t\",\"n\":1e}\n"
            "{\"text\":\"t\",\"n\":1e+5}\n",
            &ts,
            "jsonl cols=text,n\n"
            "1-1 [17]0 [9]t\n"
            "2-2 [17]-0 [9]t\n"
            "3-3 [17]1.5E10 [9]t\n"
            "4-4 [17]12345678901234567890123 [9]t\n"
            "rej 5:18 r1 invalid JSON: expected ',' or '}' after an object "
            "member, found '1'\n"
            "rej 6:19 r1 invalid JSON: expected a digit after the decimal "
            "point, found '}'\n"
            "rej 7:17 r1 invalid JSON: expected a value, found '.'\n"
            "rej 8:18 r1 invalid JSON: expected a digit in the number, found "
            "'}'\n"
            "rej 9:17 r1 invalid JSON: expected a value, found '+'\n"
            "rej 10:19 r1 invalid JSON: expected a digit in the exponent, "
            "found '}'\n"
            "11-11 [17]1e+5 [9]t\n"
            "end\n");
}
END_TEST

START_TEST(not_an_object)
{
    JL("{\"text\":\"first\"}\n"
       "[1,2]\n"
       "\"text\"\n"
       "42\n"
       "true\n"
       "null\n"
       "  x\n"
       "{\"text\":\"last\"}\n",
       "jsonl cols=text\n"
       "1-1 - [9]first\n"
       "rej 2:1 r1 line is not a JSON object (found an array)\n"
       "rej 3:1 r1 line is not a JSON object (found a string)\n"
       "rej 4:1 r1 line is not a JSON object (found a number)\n"
       "rej 5:1 r1 line is not a JSON object (found true)\n"
       "rej 6:1 r1 line is not a JSON object (found null)\n"
       "rej 7:3 r1 invalid JSON: expected '{' (each line must be a JSON "
       "object), found 'x'\n"
       "8-8 - [9]last\n"
       "end\n");
}
END_TEST

START_TEST(trailing_garbage)
{
    JL("{\"text\":\"a\"}  \t\n"
       "{\"text\":\"b\"} x\n"
       "{\"text\":\"c\"}{\"text\":\"d\"}\n"
       "{\"text\":\"e\"}\n",
       "jsonl cols=text\n"
       "1-1 - [9]a\n"
       "rej 2:14 r1 invalid JSON: expected the end of the line after the "
       "object, found 'x'\n"
       "rej 3:13 r1 invalid JSON: expected the end of the line after the "
       "object, found '{'\n"
       "4-4 - [9]e\n"
       "end\n");
}
END_TEST

START_TEST(invalid_utf8_anywhere)
{
    JL("{\"text\":\"ab\xC0\xAF\"}\n"
       "{\"text\":\"\xED\xA0\x80\"}\n"
       "{\"text\":\"x\xE2\x82\"}\n"
       "{\"other\":\"\xF5\",\"text\":\"y\"}\n"
       "{\"text\":\"z\"} \x80\n"
       "{\"text\":\"caf\xC3\xA9\"}\n",
       "jsonl cols=\n"
       "rej 1:12 r2 invalid UTF-8 (byte 0xC0 followed by 0xAF (overlong "
       "encoding))\n"
       "rej 2:10 r2 invalid UTF-8 (byte 0xED followed by 0xA0 (UTF-16 "
       "surrogate))\n"
       "rej 3:11 r2 invalid UTF-8 (bytes 0xE2 0x82 followed by 0x22)\n"
       "rej 4:11 r2 invalid UTF-8 (byte 0xF5 (never valid in UTF-8))\n"
       "rej 5:14 r2 invalid UTF-8 (unexpected continuation byte 0x80)\n"
       "6-6 - [9]caf\xC3\xA9\n"
       "end\n");
}
END_TEST

static char *nested(int depth, size_t *len)
{
    char *p = malloc((size_t)depth * 2 + 64);
    size_t o = (size_t)sprintf(p, "{\"text\":\"t\",\"deep\":");
    for (int i = 1; i < depth; i++)
        p[o++] = '[';
    for (int i = 1; i < depth; i++)
        p[o++] = ']';
    o += (size_t)sprintf(p + o, "}\n{\"text\":\"next\"}\n");
    *len = o;
    return p;
}

START_TEST(nesting_depth)
{
    size_t len;
    char *in = nested(VX_JSON_MAX_DEPTH, &len); /* the object + 255 */
    expect_all_modes(in, len, VOCX_FORMAT_JSONL, &ID_TEXT,
                     "jsonl cols=text,deep\n"
                     "1-1 - [9]t\n"
                     "2-2 - [9]next\n"
                     "end\n");
    free(in);
    in = nested(VX_JSON_MAX_DEPTH + 1, &len);
    expect_all_modes(in, len, VOCX_FORMAT_JSONL, &ID_TEXT,
                     "jsonl cols=\n"
                     "rej 1:275 r1 JSON nested deeper than 256 levels\n"
                     "2-2 - [9]next\n"
                     "end\n");
    free(in);
    in = nested(100000, &len); /* no stack overflow */
    char *got = transcript(in, len, VOCX_FORMAT_JSONL, NULL, &ID_TEXT,
                           MODE_WHOLE, 0, 0);
    ck_assert_str_eq(got, "jsonl cols=\n"
                          "rej 1:275 r1 JSON nested deeper than 256 levels\n"
                          "2-2 - [9]next\n"
                          "end\n");
    free(got);
    free(in);
}
END_TEST

START_TEST(duplicate_keys)
{
    JL("{\"text\":\"first\",\"id\":\"1\",\"text\":\"second\"}\n",
       "jsonl cols=text,id\n"
       "1-1 [22]1 [33]second\n"
       "end\n");
    /* a wanted key that turns out null the second time is absent */
    JL("{\"id\":\"1\",\"id\":null,\"text\":\"x\"}\n",
       "jsonl cols=id,text\n"
       "1-1 - [28]x\n"
       "end\n");
}
END_TEST

START_TEST(missing_keys)
{
    JL("{\"id\":\"1\",\"text\":\"a\"}\n"
       "{\"id\":\"2\"}\n"
       "{\"id\":\"3\",\"text\":null}\n"
       "{\"id\":\"4\",\"text\":\"d\"}\n",
       "jsonl cols=id,text\n"
       "1-1 [7]1 [18]a\n"
       "rej 2:0 r5 missing key \"text\"\n"
       "rej 3:18 r5 key \"text\" is null\n"
       "4-4 [7]4 [18]d\n"
       "end\n");
    /* required keys are checked against the first object */
    JL("{\"id\":\"1\",\"customer\":\"c\",\"body\":\"hi\"}\n",
       "open rc=-6 1:0 missing key \"text\"; the first object has: id, "
       "customer, body\n");
    /* when the first line is rejected, the first valid object decides */
    JL("not json\n{\"id\":\"1\",\"body\":\"b\"}\n",
       "jsonl cols=\n"
       "rej 1:1 r1 invalid JSON: expected '{' (each line must be a JSON "
       "object), found 'n'\n"
       "fatal rc=-6 missing key \"text\"; the first object has: id, body\n");
    JL("[]\n{\"id\":\"1\",\"text\":\"b\"}\n{\"id\":\"2\",\"text\":\"c\"}\n",
       "jsonl cols=\n"
       "rej 1:1 r1 line is not a JSON object (found an array)\n"
       "2-2 [7]1 [18]b\n"
       "3-3 [7]2 [18]c\n"
       "end\n");
}
END_TEST

START_TEST(key_case_alias)
{
    /* keys found only under another case are read that way, from the
     * first line on */
    JL("{\"ID\":\"1\",\"Text\":\"a\\u00e9\"}\n{\"ID\":\"2\",\"Text\":\"b\"}\n"
       "{\"id\":\"3\",\"Text\":\"c\"}\n",
       "jsonl cols=ID,Text\n"
       "1-1 [7]1 [18]a\xC3\xA9\n"
       "2-2 [7]2 [18]b\n"
       "3-3 - [18]c\n"
       "end\n");
    /* an exact match anywhere wins over other spellings */
    JL("{\"TEXT\":\"a\",\"Text\":\"b\",\"text\":\"c\"}\n",
       "jsonl cols=TEXT,Text,text\n"
       "1-1 - [31]c\n"
       "end\n");
    JL("{\"TEXT\":\"a\",\"Text\":\"b\"}\n",
       "open rc=-6 1:0 key \"text\" is ambiguous: the first object has it in "
       "more than one letter case\n");
    /* an alias whose first value holds \u0000 is still rejected */
    JL("{\"Text\":\"a\\u0000\"}\n{\"Text\":\"b\"}\n",
       "jsonl cols=Text\n"
       "rej 1:9 r2 NUL character (\\u0000) in key \"Text\"\n"
       "2-2 - [9]b\n"
       "end\n");
}
END_TEST

START_TEST(over_long_line)
{
    static const tspec small = {{"id", "text"}, {0, 1}, 2, 40};
    JL_SPEC("{\"text\":\"short\"}\n"
            "{\"text\":\"0123456789012345678901234567890123456789\"}\n"
            "{\"text\":\"next\"}\n"
            "{\"text\":\"0123456789012345678901234567890123456789\"}",
            &small,
            "jsonl cols=text\n"
            "1-1 - [9]short\n"
            "rej 2:0 r6 line longer than the limit of 40 bytes "
            "(max_record_bytes); skipped\n"
            "3-3 - [9]next\n"
            "rej 4:0 r6 line longer than the limit of 40 bytes "
            "(max_record_bytes); skipped\n"
            "end\n");
}
END_TEST

/* A 64 MiB line with a 1 MiB limit must not be buffered. */
START_TEST(over_long_line_is_not_buffered)
{
    size_t field = (size_t)64 << 20;
    char *in = malloc(field + 64);
    size_t o = (size_t)sprintf(in, "{\"text\":\"");
    memset(in + o, 'x', field);
    o += field;
    o += (size_t)sprintf(in + o, "\"}\n{\"text\":\"after\"}\n");
    memrd m = {in, o, 0, MODE_WHOLE, 0, 0};
    vx_table_spec spec = {ID_TEXT.names, ID_TEXT.req, 2, (size_t)1 << 20};
    vx_table *t;
    vx_diag d;
    vx_row row;
    ck_assert_int_eq(vx_table_open(&t, VOCX_FORMAT_JSONL, mem_read, &m, NULL,
                                   &spec, &d), 0);
    ck_assert_int_eq(vx_table_next(t, &row, &d), 2);
    ck_assert_int_eq(d.reason, VOCX_REJECT_TOOLONG);
    ck_assert_uint_eq(d.line, 1);
    ck_assert_int_eq(vx_table_next(t, &row, &d), 1);
    ck_assert_str_eq(row.val[1], "after");
    ck_assert_uint_eq(row.line, 2);
    ck_assert_int_eq(vx_table_next(t, &row, &d), 0);
    ck_assert_uint_le(vx_table_buffer_size(t),
                      ((size_t)1 << 20) + 2 * VX_READ_CHUNK);
    vx_table_free(t);
    free(in);
}
END_TEST

START_TEST(bom_and_empty)
{
    JL("\xEF\xBB\xBF{\"text\":\"a\"}\n",
       "jsonl cols=text\n"
       "1-1 - [9]a\n"
       "end\n");
    JL("", "jsonl cols=\nend\n");
    JL("\n \n", "jsonl cols=\nend\n");
}
END_TEST

START_TEST(ten_megabyte_string)
{
    size_t field = (size_t)10 << 20;
    char *in = malloc(field * 2 + 64);
    size_t o = (size_t)sprintf(in, "{\"id\":\"1\",\"text\":\"");
    for (size_t i = 0; i < field; i++) {
        if (i % 5000 == 4999) {
            memcpy(in + o, "\\u00e9", 6); /* decodes to 2 bytes */
            o += 6;
            i++;
            continue;
        }
        in[o++] = (char)('a' + i % 26);
    }
    o += (size_t)sprintf(in + o, "\"}\n{\"id\":\"2\",\"text\":\"x\"}\n");
    for (int mode = MODE_WHOLE; mode <= MODE_RANDOM; mode += 2) {
        memrd m = {in, o, 0, mode, 3, 0};
        vx_table_spec spec = {ID_TEXT.names, ID_TEXT.req, 2, 0};
        vx_table *t;
        vx_diag d;
        vx_row row;
        ck_assert_int_eq(vx_table_open(&t, VOCX_FORMAT_JSONL, mem_read, &m,
                                       NULL, &spec, &d), 0);
        ck_assert_int_eq(vx_table_next(t, &row, &d), 1);
        ck_assert_uint_eq(row.len[1], field);
        for (size_t i = 0; i < field; i++) {
            if (i % 5000 == 4999) {
                if (memcmp(row.val[1] + i, "\xC3\xA9", 2) != 0)
                    ck_abort_msg("escape at %zu not decoded", i);
                i++;
                continue;
            }
            if (row.val[1][i] != (char)('a' + i % 26))
                ck_abort_msg("byte %zu differs", i);
        }
        ck_assert_int_eq(vx_table_next(t, &row, &d), 1);
        ck_assert_str_eq(row.val[1], "x");
        ck_assert_uint_eq(row.line, 2);
        ck_assert_int_eq(vx_table_next(t, &row, &d), 0);
        vx_table_free(t);
    }
    free(in);
}
END_TEST

START_TEST(read_error)
{
    static const char in[] = "{\"text\":\"a\"}\n{\"text\":\"b\"}\n";
    char *got = transcript(in, sizeof in - 1, VOCX_FORMAT_JSONL, NULL,
                           &ID_TEXT, MODE_ONE, 0, 20);
    ck_assert_str_eq(got, "jsonl cols=text\n"
                          "1-1 - [9]a\n"
                          "fatal rc=-3 read error\n");
    free(got);
}
END_TEST

static Suite *jsonl_suite(void)
{
    Suite *s = suite_create("jsonl");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, simple_objects);
    tcase_add_test(tc, value_kinds);
    tcase_add_test(tc, blank_lines_and_crlf);
    tcase_add_test(tc, cr_is_not_content);
    tcase_add_test(tc, string_escapes);
    tcase_add_test(tc, bad_escapes_and_surrogates);
    tcase_add_test(tc, nul_and_control_characters);
    tcase_add_test(tc, invalid_json_lines);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, not_an_object);
    tcase_add_test(tc, trailing_garbage);
    tcase_add_test(tc, invalid_utf8_anywhere);
    tcase_add_test(tc, nesting_depth);
    tcase_add_test(tc, duplicate_keys);
    tcase_add_test(tc, missing_keys);
    tcase_add_test(tc, key_case_alias);
    tcase_add_test(tc, over_long_line);
    tcase_add_test(tc, over_long_line_is_not_buffered);
    tcase_add_test(tc, bom_and_empty);
    tcase_add_test(tc, ten_megabyte_string);
    tcase_add_test(tc, read_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(jsonl_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
