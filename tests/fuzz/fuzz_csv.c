/* libFuzzer target: the CSV reader, raw and through the table layer.
 *
 * The first input byte picks the options (expected field count, a small
 * record limit); the rest is the file.  Each input is read twice, in one
 * piece and in small chunks, and the two transcripts must be identical:
 * a reader that depends on where read() happens to cut is a bug. */
#include "csv.h"
#include "fuzz_util.h"

static uint64_t raw_transcript(const uint8_t *data, size_t len, uint64_t seed,
                               size_t expected, size_t max_record)
{
    fz_reader rd = {data, len, 0, seed};
    vx_src src;
    vx_csv *r = NULL;
    vx_diag diag;
    uint64_t h = 1469598103934665603ULL;

    vx_src_init(&src, fz_read, &rd);
    if (vx_csv_new(&r, &src, max_record) != 0) {
        vx_src_free(&src);
        return 0;
    }
    vx_csv_set_expected(r, expected);
    int rc;
    while ((rc = vx_csv_next(r, &diag)) == 1 || rc == 2) {
        h = fz_hash_u64(h, (uint64_t)rc);
        if (rc == 2) {
            FZ_CHECK(diag.reason == VOCX_REJECT_SYNTAX ||
                     diag.reason == VOCX_REJECT_TOOLONG);
            h = fz_hash_u64(h, diag.line);
            h = fz_hash_u64(h, diag.column);
            continue;
        }
        size_t n = vx_csv_nfields(r);
        uint64_t first = vx_csv_line(r), last = vx_csv_end_line(r);
        FZ_CHECK(first >= 1 && last >= first);
        h = fz_hash_u64(h, first);
        h = fz_hash_u64(h, n);
        for (size_t i = 0; i < n && i < 64; i++) {
            size_t rawlen = 0, flen = 0;
            uint64_t line, col;
            /* raw bytes first: unescaping the field overwrites them */
            const char *raw = vx_csv_field_raw(r, i, &rawlen);
            if (raw && rawlen) {
                vx_csv_raw_pos(r, i, rawlen - 1, &line, &col);
                FZ_CHECK(line >= first && line <= last && col >= 1);
            }
            const char *f = vx_csv_field(r, i, &flen);
            if (!f)
                continue; /* beyond what the reader keeps */
            FZ_CHECK(raw != NULL);
            FZ_CHECK(f[flen] == '\0');
            FZ_CHECK(flen <= rawlen); /* unescaping only shrinks */
            vx_csv_field_pos(r, i, &line, &col);
            FZ_CHECK(line >= first && line <= last && col >= 1);
            h = fz_hash(h, f, flen);
            h = fz_hash_u64(h, line);
            h = fz_hash_u64(h, col);
        }
    }
    FZ_CHECK(rc == 0);
    vx_csv_free(r);
    vx_src_free(&src);
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned opt = data[0];
    data++, size--;
    size_t expected = opt & 7;            /* 0: no field-count check */
    size_t max_record = opt & 8 ? 64 : 0; /* 0: the default limit */
    uint64_t seed = (uint64_t)opt * 2654435761u + size + 1;

    uint64_t whole = raw_transcript(data, size, 0, expected, max_record);
    uint64_t chunked = raw_transcript(data, size, seed, expected, max_record);
    FZ_CHECK(whole == chunked);

    whole = fz_table_transcript(VOCX_FORMAT_CSV, data, size, 0, max_record);
    chunked =
        fz_table_transcript(VOCX_FORMAT_CSV, data, size, seed, max_record);
    FZ_CHECK(whole == chunked);
    return 0;
}
