/* vocx stats / vocx comments: what is stored. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void help_stats(FILE *out)
{
    fprintf(out,
            "usage: vocx stats [--format table|csv|json] [--db PATH]\n"
            "\n"
            "Summarise the stored comments: totals, comments per channel and\n"
            "per month.\n");
}

typedef struct group_out {
    enum out_format fmt;
    const char *group;
    int first;
} group_out;

static int print_group(const char *key, uint64_t n, void *payload)
{
    group_out *g = payload;
    char b[32];
    switch (g->fmt) {
    case FMT_TABLE:
        printf("  %-22s %10s\n", key ? key : "(unknown)", fmt_count(n, b));
        break;
    case FMT_CSV:
        printf("%s,", g->group);
        out_csv_field(stdout, key);
        printf(",%llu\n", (unsigned long long)n);
        break;
    case FMT_JSON:
        printf("%s{\"key\": ", g->first ? "" : ", ");
        out_json_string(stdout, key);
        printf(", \"comments\": %llu}", (unsigned long long)n);
        break;
    }
    g->first = 0;
    return 0;
}

static int groups(vocx_store *s, enum out_format fmt, int which,
                  const char *name, const char *title)
{
    group_out g = {fmt, name, 1};
    if (fmt == FMT_TABLE)
        printf("\n%s\n", title);
    else if (fmt == FMT_JSON)
        printf(", \"%s\": [", name);
    int rc = vocx_store_count_comments(s, which, print_group, &g);
    if (fmt == FMT_JSON)
        printf("]");
    return rc;
}

int cmd_stats(cli_common *c, int argc, char **argv)
{
    static const struct option longopts[] = {COMMON_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    int opt, r;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        r = cli_common_option(c, opt, optarg, help_stats, argv);
        if (r)
            return r > 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (optind != argc) {
        cli_error("stats: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    vocx_store *s = NULL;
    if (cli_open_store(c, &s, VOCX_OPEN_READONLY))
        return EXIT_FAIL;
    /* the totals and the groups from one snapshot, so they agree while
     * another process ingests */
    vocx_store_totals t;
    int rc = vocx_store_snapshot_begin(s);
    if (!rc)
        rc = vocx_store_totals_get(s, &t);
    char b[4][32];
    if (!rc) {
        switch (c->format) {
        case FMT_TABLE:
            printf("comments   %10s\n", fmt_count(t.comments, b[0]));
            printf("customers  %10s   (distinct ids; %s comments anonymous)\n",
                   fmt_count(t.customers, b[1]), fmt_count(t.anonymous, b[2]));
            printf("ingests    %10s\n", fmt_count(t.batches, b[3]));
            printf("period     %s .. %s\n", t.first_at[0] ? t.first_at : "-",
                   t.last_at[0] ? t.last_at : "-");
            break;
        case FMT_CSV:
            printf("group,key,comments\n");
            printf("total,comments,%llu\n", (unsigned long long)t.comments);
            break;
        case FMT_JSON:
            printf("{\"comments\": %llu, \"customers\": %llu, "
                   "\"anonymous\": %llu, \"ingests\": %llu, \"first_at\": ",
                   (unsigned long long)t.comments,
                   (unsigned long long)t.customers,
                   (unsigned long long)t.anonymous,
                   (unsigned long long)t.batches);
            out_json_string(stdout, t.first_at[0] ? t.first_at : NULL);
            printf(", \"last_at\": ");
            out_json_string(stdout, t.last_at[0] ? t.last_at : NULL);
            break;
        }
    }
    if (!rc)
        rc = groups(s, c->format, VOCX_GROUP_CHANNEL, "channel",
                    "comments per channel");
    if (!rc)
        rc = groups(s, c->format, VOCX_GROUP_MONTH, "month",
                    "comments per month");
    if (!rc)
        rc = vocx_store_snapshot_end(s);
    if (c->format == FMT_JSON && !rc)
        printf("}\n");
    if (rc)
        cli_error("%s", vocx_store_errmsg(s));
    vocx_store_close(s);
    return cli_exit_code(rc);
}

void help_comments(FILE *out)
{
    fprintf(out,
            "usage: vocx comments [OPTIONS]\n"
            "\n"
            "List stored comments, oldest first.\n"
            "\n"
            "options:\n"
            "  --since DATE       created at or after DATE (ISO 8601)\n"
            "  --until DATE       created before DATE\n"
            "  --channel NAME     only this channel\n"
            "  --customer ID      only this customer\n"
            "  --limit N          at most N comments (default 20 for table)\n"
            "  --format table|csv|json, --db PATH\n");
}

int cmd_comments(cli_common *c, int argc, char **argv)
{
    enum { O_SINCE = 1, O_UNTIL, O_CHANNEL, O_CUSTOMER, O_LIMIT };
    static const struct option longopts[] = {
        {"since", 1, NULL, O_SINCE},       {"until", 1, NULL, O_UNTIL},
        {"channel", 1, NULL, O_CHANNEL},   {"customer", 1, NULL, O_CUSTOMER},
        {"limit", 1, NULL, O_LIMIT},       COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    vocx_comment_filter f = VOCX_COMMENT_FILTER_INIT;
    int limit_set = 0, opt, r;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case O_SINCE: f.since = optarg; break;
        case O_UNTIL: f.until = optarg; break;
        case O_CHANNEL: f.channel = optarg; break;
        case O_CUSTOMER: f.customer_id = optarg; break;
        case O_LIMIT: {
            char *end;
            long long n = strtoll(optarg, &end, 10);
            if (*end || n < 0) {
                cli_error("--limit needs a number >= 0, got '%s'", optarg);
                return EXIT_USAGE;
            }
            f.limit = n;
            limit_set = 1;
            break;
        }
        default:
            r = cli_common_option(c, opt, optarg, help_comments, argv);
            if (r)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("comments: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!limit_set && c->format == FMT_TABLE)
        f.limit = 20;
    vocx_store *s = NULL;
    if (cli_open_store(c, &s, VOCX_OPEN_READONLY))
        return EXIT_FAIL;
    vocx_cursor *cur = NULL;
    int rc = vocx_comments_open(&cur, s, &f);
    const vocx_comment_row *row;
    int n = 0;
    if (!rc && c->format == FMT_CSV)
        printf("id,customer_id,created_at,channel,text\n");
    if (!rc && c->format == FMT_TABLE)
        printf("%-10s %-8s %-10s %-9s %s\n", "id", "customer", "date",
               "channel", "text");
    while (!rc && (r = vocx_cursor_next(cur, &row)) == 1) {
        char buf[256], date[11] = "";
        if (row->created_at)
            snprintf(date, sizeof date, "%.10s", row->created_at);
        switch (c->format) {
        case FMT_TABLE:
            printf("%-10.10s %-8.8s %-10s %-9.9s %s\n", row->source_id,
                   row->customer_id ? row->customer_id : "-", date,
                   row->channel ? row->channel : "-",
                   fmt_clip(row->text, 38, buf, sizeof buf));
            break;
        case FMT_CSV:
            out_csv_field(stdout, row->source_id);
            putchar(',');
            out_csv_field(stdout, row->customer_id);
            putchar(',');
            out_csv_field(stdout, row->created_at);
            putchar(',');
            out_csv_field(stdout, row->channel);
            putchar(',');
            out_csv_field(stdout, row->text);
            putchar('\n');
            break;
        case FMT_JSON:
            printf("%s{\"id\": ", n ? ",\n " : "[");
            out_json_string(stdout, row->source_id);
            printf(", \"customer_id\": ");
            out_json_string(stdout, row->customer_id);
            printf(", \"created_at\": ");
            out_json_string(stdout, row->created_at);
            printf(", \"channel\": ");
            out_json_string(stdout, row->channel);
            printf(", \"text\": ");
            out_json_string(stdout, row->text);
            printf("}");
            break;
        }
        n++;
    }
    if (!rc && r < 0)
        rc = r;
    if (!rc && c->format == FMT_JSON)
        printf("%s]\n", n ? "" : "[");
    if (rc)
        cli_error("%s", vocx_store_errmsg(s));
    vocx_cursor_free(cur);
    vocx_store_close(s);
    return cli_exit_code(rc);
}
