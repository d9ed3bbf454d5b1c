/* libFuzzer target: the JSON Lines reader, raw (with collected keys and a
 * refill, as ingest's column mapping does) and through the table layer.
 * As for CSV, reading in one piece and in small chunks must agree. */
#include "fuzz_util.h"
#include "jsonl.h"

static uint64_t raw_transcript(const uint8_t *data, size_t len, uint64_t seed,
                               int collect, size_t max_record)
{
    static const char *const keys[] = {"id", "text", "customer_id", "nested"};
    static const char *const other[] = {"text", "channel"};
    fz_reader rd = {data, len, 0, seed};
    vx_src src;
    vx_jsonl *r = NULL;
    vx_diag diag;
    uint64_t h = 1469598103934665603ULL;

    vx_src_init(&src, fz_read, &rd);
    if (vx_jsonl_new(&r, &src, max_record) != 0 ||
        vx_jsonl_set_keys(r, keys, 4) != 0) {
        vx_jsonl_free(r);
        vx_src_free(&src);
        return 0;
    }
    vx_jsonl_collect_keys(r, collect);
    int rc;
    while ((rc = vx_jsonl_next(r, &diag)) == 1 || rc == 2) {
        h = fz_hash_u64(h, (uint64_t)rc);
        if (rc == 2) {
            FZ_CHECK(diag.reason != 0 && diag.line >= 1);
            h = fz_hash_u64(h, diag.line);
            h = fz_hash_u64(h, diag.column);
            continue;
        }
        h = fz_hash_u64(h, vx_jsonl_line(r));
        for (size_t i = 0; i < 4; i++) {
            const char *v = NULL;
            size_t vlen = 0;
            uint64_t col = 0;
            int kind = vx_jsonl_value(r, i, &v, &vlen, &col);
            h = fz_hash_u64(h, (uint64_t)kind);
            if (v) {
                FZ_CHECK(v[vlen] == '\0' && col >= 1);
                h = fz_hash(h, v, vlen);
                h = fz_hash_u64(h, col);
            }
        }
        if (!collect)
            continue;
        size_t nk = vx_jsonl_nkeys(r);
        for (size_t i = 0; i < nk; i++) {
            size_t klen = 0;
            const char *k = vx_jsonl_key(r, i, &klen);
            FZ_CHECK(k != NULL && k[klen] == '\0');
            h = fz_hash(h, k, klen);
        }
        /* Switch to other keys and back, as the table layer does when a
         * key is spelled in another case. */
        FZ_CHECK(vx_jsonl_set_keys(r, other, 2) == 0);
        int rf = vx_jsonl_refill(r, &diag);
        FZ_CHECK(rf == 1 || rf == 2);
        h = fz_hash_u64(h, (uint64_t)rf);
        FZ_CHECK(vx_jsonl_set_keys(r, keys, 4) == 0);
        rf = vx_jsonl_refill(r, &diag);
        FZ_CHECK(rf == 1 || rf == 2);
    }
    FZ_CHECK(rc == 0);
    vx_jsonl_free(r);
    vx_src_free(&src);
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned opt = data[0];
    data++, size--;
    int collect = opt & 1;
    size_t max_record = opt & 2 ? 64 : 0;
    uint64_t seed = (uint64_t)opt * 2654435761u + size + 1;

    uint64_t whole = raw_transcript(data, size, 0, collect, max_record);
    uint64_t chunked = raw_transcript(data, size, seed, collect, max_record);
    FZ_CHECK(whole == chunked);

    whole = fz_table_transcript(VOCX_FORMAT_JSONL, data, size, 0, max_record);
    chunked =
        fz_table_transcript(VOCX_FORMAT_JSONL, data, size, seed, max_record);
    FZ_CHECK(whole == chunked);
    return 0;
}
