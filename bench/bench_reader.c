/* Throughput of the table reader over CSV and JSON Lines held in memory.
 *
 *   bench_reader [megabytes]      (default 100)
 *
 * Generates comment files like a CRM export (id, customer, timestamp,
 * channel, text; about one text in four quoted with commas and doubled
 * quotes, some UTF-8), then reads them through vx_table with a callback
 * that copies 64 KiB per call, as fread would.  Prints MB/s and rows/s;
 * the best of three runs is reported. */
#define _POSIX_C_SOURCE 200809L

#include "table.h"
#include "vocx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct memsrc {
    const char *data;
    size_t len, pos;
} memsrc;

static ptrdiff_t mem_read(void *ctx, char *buf, size_t cap)
{
    memsrc *m = ctx;
    size_t n = m->len - m->pos;
    if (n > cap)
        n = cap;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (ptrdiff_t)n;
}

static uint64_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static const char *const words[] = {
    "the", "app", "keeps", "crashing", "when", "I", "try", "to", "pay",
    "support", "was", "helpful", "but", "slow", "delivery", "late", "again",
    "caf\xC3\xA9", "great", "service", "refund", "never", "arrived", "price",
    "too", "high", "love", "it", "cancel", "my", "account", "20\xE2\x82\xAC"};

/* One comment of roughly 60..260 bytes; with `quotes`, commas and
 * quotation marks that CSV must quote. */
static size_t comment(uint64_t *s, char *out, int quotes)
{
    size_t n = 10 + rnd(s) % 40, o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *w = words[rnd(s) % (sizeof words / sizeof *words)];
        size_t wl = strlen(w);
        if (i)
            out[o++] = ' ';
        memcpy(out + o, w, wl);
        o += wl;
        if (quotes && rnd(s) % 8 == 0)
            out[o++] = ',';
        if (quotes && rnd(s) % 16 == 0) {
            memcpy(out + o, " \"really\"", 9);
            o += 9;
        }
    }
    return o;
}

static const char *const channels[] = {"email", "chat", "survey", "app"};

static char *make_csv(size_t target, size_t *len, size_t *rows)
{
    char *p = malloc(target + 4096);
    uint64_t s = 1;
    size_t o = (size_t)sprintf(p, "id,customer_id,created_at,channel,text\n");
    *rows = 0;
    while (o < target) {
        char text[2048];
        int q = rnd(&s) % 4 == 0;
        size_t tl = comment(&s, text, q);
        o += (size_t)sprintf(p + o,
                             "c%zu,cust%llu,2026-0%llu-1%lluT0%llu:15:00Z,%s,",
                             *rows, (unsigned long long)(rnd(&s) % 100000),
                             (unsigned long long)(rnd(&s) % 9 + 1),
                             (unsigned long long)(rnd(&s) % 9),
                             (unsigned long long)(rnd(&s) % 9),
                             channels[rnd(&s) % 4]);
        if (q) {
            p[o++] = '"';
            for (size_t i = 0; i < tl; i++) {
                if (text[i] == '"')
                    p[o++] = '"';
                p[o++] = text[i];
            }
            p[o++] = '"';
        } else {
            memcpy(p + o, text, tl);
            o += tl;
        }
        p[o++] = '\n';
        (*rows)++;
    }
    *len = o;
    return p;
}

static char *make_jsonl(size_t target, size_t *len, size_t *rows)
{
    char *p = malloc(target + 4096);
    uint64_t s = 1;
    size_t o = 0;
    *rows = 0;
    while (o < target) {
        char text[2048];
        size_t tl = comment(&s, text, rnd(&s) % 4 == 0);
        o += (size_t)sprintf(p + o,
                             "{\"id\":\"c%zu\",\"customer_id\":\"cust%llu\","
                             "\"created_at\":\"2026-0%llu-1%lluT0%llu:15:00Z\","
                             "\"channel\":\"%s\",\"rating\":%llu,\"text\":\"",
                             *rows, (unsigned long long)(rnd(&s) % 100000),
                             (unsigned long long)(rnd(&s) % 9 + 1),
                             (unsigned long long)(rnd(&s) % 9),
                             (unsigned long long)(rnd(&s) % 9),
                             channels[rnd(&s) % 4],
                             (unsigned long long)(rnd(&s) % 5 + 1));
        for (size_t i = 0; i < tl; i++) {
            if (text[i] == '"')
                p[o++] = '\\';
            p[o++] = text[i];
        }
        o += (size_t)sprintf(p + o, "\"}\n");
        (*rows)++;
    }
    *len = o;
    return p;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *what, int format, const char *data, size_t len,
               size_t want_rows)
{
    static const char *const names[] = {"id", "customer_id", "created_at",
                                        "channel", "text"};
    static const unsigned char req[] = {0, 0, 0, 0, 1};
    vx_table_spec spec = {names, req, 5, 0};
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        memsrc m = {data, len, 0};
        vx_table *t;
        vx_diag d;
        vx_row row;
        double t0 = now();
        if (vx_table_open(&t, format, mem_read, &m, NULL, &spec, &d)) {
            fprintf(stderr, "%s: open: %s\n", what, d.msg);
            return 1;
        }
        size_t rows = 0, bytes = 0;
        int rc;
        while ((rc = vx_table_next(t, &row, &d)) == 1) {
            rows++;
            bytes += row.len[4]; /* touch the result */
        }
        double dt = now() - t0;
        vx_table_free(t);
        if (rc != 0 || rows != want_rows || bytes == 0) {
            fprintf(stderr, "%s: rc %d, %zu of %zu rows: %s\n", what, rc,
                    rows, want_rows, d.msg);
            return 1;
        }
        if (dt < best)
            best = dt;
    }
    printf("%-6s %8.1f MB  %9zu rows  %7.3f s  %7.0f MB/s  %5.2f M rows/s\n",
           what, (double)len / 1e6, want_rows, best, (double)len / 1e6 / best,
           (double)want_rows / 1e6 / best);
    return 0;
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 100;
    size_t target = (mb ? mb : 1) * 1000 * 1000, len, rows;
    char *csv = make_csv(target, &len, &rows);
    int rc = run("csv", VOCX_FORMAT_CSV, csv, len, rows);
    free(csv);
    char *jsonl = make_jsonl(target, &len, &rows);
    rc |= run("jsonl", VOCX_FORMAT_JSONL, jsonl, len, rows);
    free(jsonl);
    return rc;
}
