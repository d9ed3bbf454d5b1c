/* vocx report --html FILE | --digest TEAM; vocx export at-risk. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define FILTER_HELP                                                            \
    "  --since DATE       comments created at or after DATE\n"                 \
    "  --until DATE       comments created before DATE\n"                      \
    "  --channel NAME     only comments from this channel\n"                   \
    "  --segment NAME     only customers of this segment\n"                    \
    "  --block ID         only issues of this building block\n"                \
    "  --kind problem|opportunity|praise\n"                                    \
    "  --ruleset HASH     rule set (default: the last one classified)\n"       \
    "  --model ID         CLV model (default: the latest)\n"

void help_report(FILE *out)
{
    fprintf(out,
            "usage: vocx report --html FILE [OPTIONS]\n"
            "       vocx report --digest TEAM [--format markdown|html]\n"
            "                   [--output FILE] [OPTIONS]\n"
            "\n"
            "--html writes the ranked issue report for executives: one\n"
            "self-contained HTML file (no script, nothing loaded from the\n"
            "network) with the headline, a Pareto chart of attributed CLV at\n"
            "risk, the CX ROI building blocks, the weekly trend, the top\n"
            "problems in the customers' words, the opportunities and the\n"
            "provenance of every figure.  --digest writes what one owner team\n"
            "(the rules' `owner`) shares on the intranet: its issues, figures\n"
            "and verbatim comments with the matched phrases marked.  Figures\n"
            "equal `vocx rank` with the same filters (see docs/reports.md).\n"
            "\n"
            "options:\n"
            "  --html FILE        the HTML report ('-': standard output)\n"
            "  --digest TEAM      the digest of one team (case does not "
            "matter)\n"
            "  --format markdown|html   digest format (default markdown)\n"
            "  --output FILE      write the digest to FILE (default: stdout)\n"
            "  --top N            problems in the charts and detail, and\n"
            "                     opportunities listed (default 10, max 50)\n"
            "  --comments N       verbatim comments per issue (default 3 in\n"
            "                     the report, 5 in a digest)\n"
            "  --weeks N          ISO weeks in the trend (default 12)\n"
            "  --title TEXT       the report's title\n"
            "  --currency SYM     written before amounts, e.g. EUR or $\n"
            "                     (default: none)\n" FILTER_HELP
            "  --db PATH, --quiet\n");
}

void help_export(FILE *out)
{
    fprintf(out,
            "usage: vocx export at-risk [--issue ID]\n"
            "                           [--format csv|json|table]\n"
            "                           [--output FILE] [OPTIONS]\n"
            "\n"
            "The customers to contact, for the CRM: one row per customer and\n"
            "issue, sorted by CLV at risk, with the comment to answer (id,\n"
            "date, channel, text), CLV, risk and attributed value at risk.\n"
            "Only customers with a CLV are exported; how many comments were\n"
            "left out (unknown or anonymous customers) is said on stderr.\n"
            "Without --issue: every issue raised except praise.\n"
            "\n"
            "options:\n"
            "  --issue ID         only this issue\n"
            "  --format csv|json|table  (default table)\n"
            "  --output FILE      write to FILE (default: stdout)\n"
            FILTER_HELP
            "  --db PATH, --quiet\n");
}

/* Options shared by report and export: the rank filters. */
enum { O_SINCE = 1, O_UNTIL, O_CHANNEL, O_SEGMENT, O_BLOCK, O_KIND, O_RULESET,
       O_MODEL, O_HTML, O_DIGEST, O_OUTPUT, O_TOP, O_COMMENTS, O_WEEKS,
       O_TITLE, O_CURRENCY, O_ISSUE };

#define FILTER_LONG_OPTIONS                                                    \
    {"since", 1, NULL, O_SINCE}, {"until", 1, NULL, O_UNTIL},                  \
        {"channel", 1, NULL, O_CHANNEL}, {"segment", 1, NULL, O_SEGMENT},      \
        {"block", 1, NULL, O_BLOCK}, {"kind", 1, NULL, O_KIND},                \
        {"ruleset", 1, NULL, O_RULESET}, {"model", 1, NULL, O_MODEL}

/* Returns 1 when `opt` was a filter (0 error printed -> -1), 0 otherwise. */
static int filter_option(int opt, const char *arg, vocx_rank_options *o)
{
    char *end;
    switch (opt) {
    case O_SINCE: o->since = arg; return 1;
    case O_UNTIL: o->until = arg; return 1;
    case O_CHANNEL: o->channel = arg; return 1;
    case O_SEGMENT: o->segment = arg; return 1;
    case O_BLOCK: o->block = arg; return 1;
    case O_RULESET: o->ruleset = arg; return 1;
    case O_KIND:
        if (!strcmp(arg, "problem"))
            o->kind = VOCX_KIND_PROBLEM;
        else if (!strcmp(arg, "opportunity"))
            o->kind = VOCX_KIND_OPPORTUNITY;
        else if (!strcmp(arg, "praise"))
            o->kind = VOCX_KIND_PRAISE;
        else {
            cli_error("unknown kind '%s' (problem, opportunity, praise)", arg);
            return -1;
        }
        return 1;
    case O_MODEL:
        o->clv_model_id = strtoll(arg, &end, 10);
        if (*end || o->clv_model_id <= 0) {
            cli_error("--model needs a model id, got '%s'", arg);
            return -1;
        }
        return 1;
    default:
        return 0;
    }
}

static int positive(const char *name, const char *arg, size_t max,
                    size_t *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*end || v <= 0 || (size_t)v > max) {
        cli_error("--%s needs a number from 1 to %zu, got '%s'", name, max,
                  arg);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

/* Output to a file (or stdout for "-" / NULL). */
typedef struct sink {
    FILE *f;
    const char *path; /* NULL: stdout */
    int err;
    int regular;      /* a regular file: removed when the output failed */
} sink;

static int on_write(void *payload, const char *data, size_t len)
{
    sink *k = payload;
    if (fwrite(data, 1, len, k->f) != len) {
        k->err = errno ? errno : EIO;
        return 1;
    }
    return 0;
}

static int sink_open(sink *k, const char *path)
{
    memset(k, 0, sizeof *k);
    if (!path || !strcmp(path, "-")) {
        k->f = stdout;
        return 0;
    }
    k->path = path;
    k->f = fopen(path, "wb");
    if (!k->f) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    /* Never remove a device, a pipe or a terminal named as the output. */
    struct stat st;
    k->regular = !fstat(fileno(k->f), &st) && S_ISREG(st.st_mode);
    return 0;
}

/* Close; on failure (rc != 0) remove a partial file.  Returns rc, or
 * VOCX_EIO when closing failed. */
static int sink_close(sink *k, int rc)
{
    if (k->f == stdout) {
        if (fflush(stdout) && !rc) {
            k->err = errno;
            rc = VOCX_EIO;
        }
        if (rc == VOCX_EIO)
            cli_error("cannot write to standard output: %s",
                      strerror(k->err ? k->err : EIO));
        return rc;
    }
    if (fclose(k->f) && !rc) {
        k->err = errno;
        rc = VOCX_EIO;
    }
    if (rc == VOCX_EIO)
        cli_error("cannot write %s: %s", k->path,
                  strerror(k->err ? k->err : EIO));
    if (rc && k->regular)
        remove(k->path); /* a partial report is worse than none */
    return rc;
}

static const char *size_text(const char *path, char buf[32])
{
    struct stat st;
    if (!path || stat(path, &st))
        return "";
    snprintf(buf, 32, " (%lld KB)", (long long)(st.st_size + 1023) / 1024);
    return buf;
}

int cmd_report(cli_common *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"html", 1, NULL, O_HTML},         {"digest", 1, NULL, O_DIGEST},
        {"output", 1, NULL, O_OUTPUT},     {"top", 1, NULL, O_TOP},
        {"comments", 1, NULL, O_COMMENTS}, {"weeks", 1, NULL, O_WEEKS},
        {"title", 1, NULL, O_TITLE},       {"currency", 1, NULL, O_CURRENCY},
        FILTER_LONG_OPTIONS,               COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    vocx_rank_options ro = VOCX_RANK_OPTIONS_INIT;
    vocx_report_options o = VOCX_REPORT_OPTIONS_INIT;
    const char *html = NULL, *team = NULL, *output = NULL;
    int digest_format = VOCX_REPORT_MARKDOWN, opt, r;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        r = filter_option(opt, optarg, &ro);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (opt) {
        case O_HTML: html = optarg; break;
        case O_DIGEST: team = optarg; break;
        case O_OUTPUT: output = optarg; break;
        case O_TOP:
            if (positive("top", optarg, 50, &o.top))
                return EXIT_USAGE;
            break;
        case O_COMMENTS:
            if (positive("comments", optarg, 50, &o.comments_per_issue))
                return EXIT_USAGE;
            break;
        case O_WEEKS:
            if (positive("weeks", optarg, 104, &o.weeks))
                return EXIT_USAGE;
            break;
        case O_TITLE: o.title = optarg; break;
        case O_CURRENCY: o.currency = optarg; break;
        case OPT_FORMAT:
            /* Here --format is the digest's: markdown or html. */
            if (!strcmp(optarg, "markdown") || !strcmp(optarg, "md"))
                digest_format = VOCX_REPORT_MARKDOWN;
            else if (!strcmp(optarg, "html"))
                digest_format = VOCX_REPORT_HTML;
            else {
                cli_error("report: --format is markdown or html, not '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        default:
            r = cli_common_option(c, opt, optarg, help_report, argv);
            if (r)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("report: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!html == !team) {
        cli_error("report: give either --html FILE or --digest TEAM (see vocx "
                  "report --help)");
        return EXIT_USAGE;
    }
    if (html && output) {
        cli_error("report: --output is for --digest; --html takes the file");
        return EXIT_USAGE;
    }
    vocx_store *s = NULL;
    if (cli_open_store(c, &s, VOCX_OPEN_READWRITE))
        return EXIT_FAIL;
    ro.record = 1; /* the report's ranking is an analysis run */
    o.rank = &ro;
    sink k;
    const char *path = html ? html : output;
    if (sink_open(&k, path)) {
        vocx_store_close(s);
        return EXIT_FAIL;
    }
    int rc = html ? vocx_report_html(s, &o, on_write, &k)
                  : vocx_report_digest(s, &o, team, digest_format, on_write,
                                       &k);
    if (rc && rc != VOCX_EIO)
        cli_error("%s", vocx_store_errmsg(s));
    rc = sink_close(&k, rc);
    if (!rc && k.path && !c->quiet) {
        char kb[32];
        printf("%s written to %s%s\n", html ? "report" : "digest", k.path,
               size_text(k.path, kb));
    }
    vocx_store_close(s);
    return cli_exit_code(rc);
}

/* ---- export ------------------------------------------------------------- */

typedef struct table_out {
    uint64_t n;
} table_out;

static int on_table_row(const vocx_at_risk_row *x, void *payload)
{
    table_out *t = payload;
    char b[4][32], clip[3][160];
    if (t->n++ == 0)
        printf("%-10s %-28s %12s %5s %12s %12s  %s\n", "customer", "issue",
               "CLV", "risk", "at risk", "attributed", "comment");
    printf("%-10s %-28s %12s %5.2f %12s %12s  %s\n",
           fmt_clip(x->customer_id, 10, clip[0], sizeof clip[0]),
           fmt_clip(x->issue, 28, clip[1], sizeof clip[1]),
           fmt_money(x->clv, b[0]), x->risk, fmt_money(x->clv_at_risk, b[1]),
           fmt_money(x->clv_at_risk_attributed, b[2]),
           fmt_clip(x->text, 40, clip[2], sizeof clip[2]));
    return ferror(stdout) ? 1 : 0;
}

int cmd_export(cli_common *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--help")) {
        help_export(stdout);
        return EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "at-risk")) {
        cli_error("export: expected 'at-risk' (see vocx export --help)");
        return EXIT_USAGE;
    }
    static const struct option longopts[] = {
        {"issue", 1, NULL, O_ISSUE}, {"output", 1, NULL, O_OUTPUT},
        FILTER_LONG_OPTIONS,         COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    vocx_rank_options ro = VOCX_RANK_OPTIONS_INIT;
    const char *issue = NULL, *output = NULL;
    int opt, r;
    argc -= 1;
    argv += 1;
    argv[0] = "export";
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        r = filter_option(opt, optarg, &ro);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (opt) {
        case O_ISSUE: issue = optarg; break;
        case O_OUTPUT: output = optarg; break;
        default:
            r = cli_common_option(c, opt, optarg, help_export, argv);
            if (r)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("export: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    int to_table = c->format == FMT_TABLE;
    if (to_table && output && strcmp(output, "-")) {
        cli_error("export: --output needs --format csv or json");
        return EXIT_USAGE;
    }
    vocx_store *s = NULL;
    if (cli_open_store(c, &s, VOCX_OPEN_READWRITE))
        return EXIT_FAIL;
    vocx_at_risk_stats st;
    int rc;
    sink k;
    if (to_table) {
        table_out t = {0};
        rc = vocx_export_at_risk(s, &ro, issue, on_table_row, &t, &st);
        if (!rc && !t.n)
            printf("no customer with a CLV raised %s under these filters\n",
                   issue ? issue : "an issue");
        if (rc)
            cli_error("%s", vocx_store_errmsg(s));
        rc = (rc == VOCX_ECANCEL) ? VOCX_EIO : rc;
    } else {
        if (sink_open(&k, output)) {
            vocx_store_close(s);
            return EXIT_FAIL;
        }
        rc = vocx_export_at_risk_write(
            s, &ro, issue,
            c->format == FMT_CSV ? VOCX_REPORT_CSV : VOCX_REPORT_JSON,
            on_write, &k, &st);
        if (rc && rc != VOCX_EIO)
            cli_error("%s", vocx_store_errmsg(s));
        rc = sink_close(&k, rc);
    }
    if (!rc && !c->quiet) {
        char b[6][32];
        fprintf(stderr,
                "vocx: %s rows for %s customers; left out %s comments "
                "without a CLV (%s from %s customer ids unknown to the CRM, "
                "%s anonymous)\n",
                fmt_count(st.rows, b[0]), fmt_count(st.customers, b[1]),
                fmt_count(st.left_out_comments, b[2]),
                fmt_count(st.left_out_comments - st.anonymous_comments, b[3]),
                fmt_count(st.left_out_customers, b[4]),
                fmt_count(st.anonymous_comments, b[5]));
    }
    vocx_store_close(s);
    return cli_exit_code(rc);
}
