/* Output shared by the loading commands (ingest, ops import): rejects,
 * progress and the summary line. */
#include <string.h>

#include "cli.h"



static const char *reason_name(int r)
{
    switch (r) {
    case VOCX_REJECT_SYNTAX:
        return "syntax";
    case VOCX_REJECT_UTF8:
        return "utf8";
    case VOCX_REJECT_EMPTY:
        return "empty";
    case VOCX_REJECT_TIME:
        return "timestamp";
    case VOCX_REJECT_MISSING:
        return "missing";
    case VOCX_REJECT_TOOLONG:
        return "too_long";
    default:
        return "value";
    }
}

int cli_on_reject(const vocx_reject *r, void *payload)
{
    reject_sink *sink = payload;
    if (sink->file) {
        out_csv_field(sink->file, r->source);
        fprintf(sink->file, ",%llu,%llu,%s,", (unsigned long long)r->line,
                (unsigned long long)r->column, reason_name(r->reason));
        out_csv_field(sink->file, r->message);
        fputc('\n', sink->file);
    }
    if (!sink->quiet && sink->shown < SHOW_REJECTS)
        fprintf(stderr, "vocx: rejected %s\n", r->message);
    sink->shown++;
    return 0;
}

int cli_on_progress(uint64_t rows, uint64_t done, uint64_t total,
                       void *payload)
{
    progress_update(payload, rows, done, total);
    return 0;
}

int rejects_open(reject_sink *sink, const char *path)
{
    if (!path)
        return 0;
    sink->file = fopen(path, "w");
    if (!sink->file) {
        cli_error("%s: cannot write rejects file", path);
        return -1;
    }
    fputs("source,line,column,reason,message\n", sink->file);
    return 0;
}

void rejects_close(reject_sink *sink, const char *path)
{
    if (sink->file && fclose(sink->file) != 0)
        cli_warn("%s: rejects file may be incomplete", path);
    sink->file = NULL;
    if (!sink->quiet && sink->shown > SHOW_REJECTS)
        fprintf(stderr, "vocx: ... and %llu more rejected rows%s\n",
                (unsigned long long)(sink->shown - SHOW_REJECTS),
                path ? " (all in the rejects file)"
                     : " (--rejects FILE lists them all)");
}

int cli_parse_input_format(const char *v, int *out)
{
    if (!strcmp(v, "csv"))
        *out = VOCX_FORMAT_CSV;
    else if (!strcmp(v, "jsonl"))
        *out = VOCX_FORMAT_JSONL;
    else {
        cli_error("unknown input format '%s' (use csv or jsonl)", v);
        return -1;
    }
    return 0;
}

void print_load_summary(const cli_common *c, const char *path,
                        const vocx_ingest_stats *st)
{
    char b[5][32];
    if (c->format == FMT_JSON) {
        printf("{\"source\": ");
        out_json_string(stdout, path);
        printf(", \"rows\": %llu, \"inserted\": %llu, \"updated\": %llu, "
               "\"unchanged\": %llu, \"rejected\": %llu, \"batch_id\": %lld}\n",
               (unsigned long long)st->rows, (unsigned long long)st->inserted,
               (unsigned long long)st->updated,
               (unsigned long long)st->unchanged,
               (unsigned long long)st->rejected, (long long)st->batch_id);
    } else if (!c->quiet) {
        printf("%s: %s rows: %s inserted, %s updated, %s unchanged, "
               "%s rejected\n",
               path, fmt_count(st->rows, b[0]), fmt_count(st->inserted, b[1]),
               fmt_count(st->updated, b[2]), fmt_count(st->unchanged, b[3]),
               fmt_count(st->rejected, b[4]));
    }
}
