/* vocx rank: issues by CLV at risk; --explain ISSUE for the evidence. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void help_rank(FILE *out)
{
    fprintf(out,
            "usage: vocx rank [OPTIONS]\n"
            "\n"
            "Rank issues by the customer lifetime value they put at risk.\n"
            "'attributed' splits each customer's value across the issues they\n"
            "raised so that the column never adds up to more than the\n"
            "customers' total CLV.  Every run is recorded in the database.\n"
            "\n"
            "options:\n"
            "  --top N            show the first N issues (table; default 20)\n"
            "  --explain ISSUE    the customers and comments behind one issue\n"
            "  --since DATE       comments created at or after DATE\n"
            "  --until DATE       comments created before DATE\n"
            "  --channel NAME     only comments from this channel\n"
            "  --segment NAME     only customers of this segment\n"
            "  --block ID         only issues of this building block\n"
            "  --kind problem|opportunity|praise\n"
            "  --ruleset HASH     rule set (default: the last one classified)\n"
            "  --model ID         CLV model (default: the latest)\n"
            "  --format table|csv|json, --db PATH\n");
}

static void table(const vocx_ranking *rk, size_t top)
{
    vocx_ranking_totals t;
    vocx_ranking_totals_get(rk, &t);
    char b[6][32];
    printf("%-3s %-30s %5s %5s %15s %15s\n", "#", "issue", "cmts", "cust",
           "CLV at risk", "attributed");
    size_t n = vocx_ranking_count(rk);
    for (size_t i = 0; i < n && i < top; i++) {
        const vocx_rank_row *r = vocx_ranking_row(rk, i);
        char clip[64];
        printf("%-3zu %-30s %5s %5s %15s %15s\n", i + 1,
               fmt_clip(r->issue, 30, clip, sizeof clip),
               fmt_count(r->comments, b[0]), fmt_count(r->customers, b[1]),
               fmt_money(r->clv_at_risk, b[2]),
               fmt_money(r->clv_at_risk_attributed, b[3]));
    }
    if (n > top)
        printf("... %zu more issues (--top N)\n", n - top);
    printf("\n%s comments, %s raising an issue, from %s customers with a CLV\n"
           "of %s.  Attributed CLV at risk: %s (%.1f%% of it).\n",
           fmt_count(t.comments, b[0]), fmt_count(t.classified, b[1]),
           fmt_count(t.customers, b[2]), fmt_money(t.clv_total, b[3]),
           fmt_money(t.clv_at_risk_attributed, b[4]),
           t.clv_total > 0 ? 100.0 * t.clv_at_risk_attributed / t.clv_total
                           : 0.0);
    printf("Unmatched: %s comments from %s unknown customers; %s anonymous.\n",
           fmt_count(t.unmatched_comments, b[0]),
           fmt_count(t.unmatched_customers, b[1]),
           fmt_count(t.anonymous_comments, b[2]));
    printf("Rule set %.12s, CLV model %lld, run %lld.\n", t.ruleset,
           (long long)t.clv_model_id, (long long)t.run_id);
    if (t.unmatched_customers) {
        printf("Unknown customer ids:");
        const char *id;
        for (size_t i = 0; (id = vocx_ranking_unmatched(rk, i)) && i < 10; i++)
            printf(" %s", id);
        printf("%s\n", t.unmatched_customers > 10 ? " ..." : "");
    }
}

static void csv_out(const vocx_ranking *rk)
{
    printf("rank,block,issue,label,kind,owner,severity,comments,customers,"
           "unmatched,clv_total,clv_at_risk,clv_at_risk_attributed\n");
    for (size_t i = 0; i < vocx_ranking_count(rk); i++) {
        const vocx_rank_row *r = vocx_ranking_row(rk, i);
        printf("%zu,", i + 1);
        out_csv_field(stdout, r->block);
        putchar(',');
        out_csv_field(stdout, r->issue);
        putchar(',');
        out_csv_field(stdout, r->label);
        putchar(',');
        out_csv_field(stdout, r->kind);
        putchar(',');
        out_csv_field(stdout, r->owner);
        printf(",%.3f,%llu,%llu,%llu,%.2f,%.2f,%.2f\n", r->severity,
               (unsigned long long)r->comments,
               (unsigned long long)r->customers,
               (unsigned long long)r->unmatched, r->clv_total, r->clv_at_risk,
               r->clv_at_risk_attributed);
    }
}

static void json_out(const vocx_ranking *rk)
{
    printf("[");
    for (size_t i = 0; i < vocx_ranking_count(rk); i++) {
        const vocx_rank_row *r = vocx_ranking_row(rk, i);
        printf("%s\n {\"rank\": %zu, \"block\": ", i ? "," : "", i + 1);
        out_json_string(stdout, r->block);
        printf(", \"issue\": ");
        out_json_string(stdout, r->issue);
        printf(", \"label\": ");
        out_json_string(stdout, r->label);
        printf(", \"kind\": ");
        out_json_string(stdout, r->kind);
        printf(", \"owner\": ");
        out_json_string(stdout, r->owner);
        printf(", \"severity\": %.3f, \"comments\": %llu, \"customers\": %llu,"
               " \"unmatched\": %llu, \"clv_total\": %.2f, \"clv_at_risk\": "
               "%.2f, \"clv_at_risk_attributed\": %.2f}",
               r->severity, (unsigned long long)r->comments,
               (unsigned long long)r->customers,
               (unsigned long long)r->unmatched, r->clv_total, r->clv_at_risk,
               r->clv_at_risk_attributed);
    }
    printf("%s]\n", vocx_ranking_count(rk) ? "\n" : "");
}

typedef struct explain_out {
    enum out_format fmt;
    int n;
    const char *last_customer;
    char lastbuf[128];
} explain_out;

static int on_evidence(const vocx_evidence *ev, void *payload)
{
    explain_out *x = payload;
    char b[3][32];
    if (x->fmt == FMT_JSON) {
        printf("%s\n {\"customer_id\": ", x->n ? "," : "[");
        out_json_string(stdout, ev->customer_id);
        printf(", \"known\": %s, \"clv\": %.2f, \"clv_source\": ",
               ev->known ? "true" : "false", ev->clv);
        out_json_string(stdout, ev->clv_source);
        printf(", \"risk\": %.4f, \"risk_source\": \"%s\", \"churn_cues\": %d,"
               " \"positive_cues\": %d, \"clv_at_risk_attributed\": %.2f, "
               "\"comment_id\": ",
               ev->risk, ev->risk_source, ev->churn_cues, ev->positive_cues,
               ev->clv_at_risk_attributed);
        out_json_string(stdout, ev->comment_id);
        printf(", \"created_at\": ");
        out_json_string(stdout, ev->created_at);
        printf(", \"channel\": ");
        out_json_string(stdout, ev->channel);
        printf(", \"rule_line\": %u, \"spans\": %s, \"text\": ",
               ev->rule_line, ev->spans ? ev->spans : "[]");
        out_json_string(stdout, ev->text);
        printf("}");
    } else {
        const char *cid = ev->customer_id ? ev->customer_id : "(anonymous)";
        if (x->n == 0 || strcmp(x->lastbuf, cid)) {
            snprintf(x->lastbuf, sizeof x->lastbuf, "%s", cid);
            if (ev->known)
                printf("\ncustomer %s: CLV %s (%s), risk %.2f from %s, "
                       "attributed %s\n",
                       cid, fmt_money(ev->clv, b[0]),
                       ev->clv_source ? ev->clv_source : "-", ev->risk,
                       ev->risk_source,
                       fmt_money(ev->clv_at_risk_attributed, b[1]));
            else
                printf("\ncustomer %s: no CLV (unmatched)\n", cid);
        }
        printf("  %s %.10s %s, rule line %u%s%s\n", ev->comment_id,
               ev->created_at ? ev->created_at : "", ev->channel ? ev->channel : "",
               ev->rule_line, ev->churn_cues ? ", churn cue" : "",
               ev->positive_cues ? ", positive cue" : "");
        /* The comment with the evidence marked [[like this]]. */
        printf("    ");
        const char *t = ev->text;
        size_t len = strlen(t);
        const char *sp = ev->spans ? ev->spans : "[]";
        size_t pos = 0;
        while (*sp) {
            unsigned long a, e;
            const char *p = strchr(sp, '[');
            if (!p)
                break;
            if (sscanf(p, "[%lu,%lu]", &a, &e) != 2 &&
                sscanf(p, "[%lu, %lu]", &a, &e) != 2) {
                sp = p + 1;
                continue;
            }
            sp = strchr(p, ']');
            sp = sp ? sp + 1 : p + 1;
            if (a < pos || e > len || a > e)
                continue;
            out_text(stdout, t + pos, a - pos);
            printf("[[");
            out_text(stdout, t + a, e - a);
            printf("]]");
            pos = e;
        }
        out_text(stdout, t + pos, len - pos);
        printf("\n");
    }
    x->n++;
    return 0;
}

int cmd_rank(cli_common *c, int argc, char **argv)
{
    enum { O_TOP = 1, O_EXPLAIN, O_SINCE, O_UNTIL, O_CHANNEL, O_SEGMENT,
           O_BLOCK, O_KIND, O_RULESET, O_MODEL };
    static const struct option longopts[] = {
        {"top", 1, NULL, O_TOP},         {"explain", 1, NULL, O_EXPLAIN},
        {"since", 1, NULL, O_SINCE},     {"until", 1, NULL, O_UNTIL},
        {"channel", 1, NULL, O_CHANNEL}, {"segment", 1, NULL, O_SEGMENT},
        {"block", 1, NULL, O_BLOCK},     {"kind", 1, NULL, O_KIND},
        {"ruleset", 1, NULL, O_RULESET}, {"model", 1, NULL, O_MODEL},
        COMMON_LONG_OPTIONS,             {NULL, 0, NULL, 0}};
    vocx_rank_options o = VOCX_RANK_OPTIONS_INIT;
    const char *explain = NULL;
    long top = 20;
    int opt, r;
    char *end;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case O_TOP:
            top = strtol(optarg, &end, 10);
            if (*end || top <= 0) {
                cli_error("--top needs a positive number, got '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_EXPLAIN: explain = optarg; break;
        case O_SINCE: o.since = optarg; break;
        case O_UNTIL: o.until = optarg; break;
        case O_CHANNEL: o.channel = optarg; break;
        case O_SEGMENT: o.segment = optarg; break;
        case O_BLOCK: o.block = optarg; break;
        case O_KIND:
            if (!strcmp(optarg, "problem"))
                o.kind = VOCX_KIND_PROBLEM;
            else if (!strcmp(optarg, "opportunity"))
                o.kind = VOCX_KIND_OPPORTUNITY;
            else if (!strcmp(optarg, "praise"))
                o.kind = VOCX_KIND_PRAISE;
            else {
                cli_error("unknown kind '%s' (problem, opportunity, praise)",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case O_RULESET: o.ruleset = optarg; break;
        case O_MODEL:
            o.clv_model_id = strtoll(optarg, &end, 10);
            if (*end || o.clv_model_id <= 0) {
                cli_error("--model needs a model id, got '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        default:
            r = cli_common_option(c, opt, optarg, help_rank, argv);
            if (r)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("rank: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    vocx_store *s = NULL;
    if (cli_open_store(c, &s, VOCX_OPEN_READWRITE))
        return EXIT_FAIL;
    int rc;
    if (explain) {
        explain_out x = {c->format, 0, NULL, ""};
        rc = vocx_rank_explain(s, &o, explain, on_evidence, &x);
        if (!rc && c->format == FMT_JSON)
            printf("%s]\n", x.n ? "\n" : "[");
        if (!rc && c->format != FMT_JSON && x.n == 0)
            printf("no comment raises %s under these filters\n", explain);
    } else {
        o.record = 1;
        vocx_ranking *rk = NULL;
        rc = vocx_rank(&rk, s, &o);
        if (!rc) {
            if (c->format == FMT_JSON)
                json_out(rk);
            else if (c->format == FMT_CSV)
                csv_out(rk);
            else
                table(rk, (size_t)top);
        }
        vocx_ranking_free(rk);
    }
    if (rc)
        cli_error("%s", vocx_store_errmsg(s));
    vocx_store_close(s);
    return cli_exit_code(rc);
}
