/* vocx clv fit: customer lifetime values. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void help_clv(FILE *out)
{
    fprintf(out,
            "usage: vocx clv fit [OPTIONS]\n"
            "\n"
            "Compute every customer's lifetime value and store it as the\n"
            "current CLV model.  The default model 'auto' fits BG/NBD (future\n"
            "purchases) and Gamma-Gamma (spend per purchase) on the imported\n"
            "transactions, and falls back to the customers' clv column, then to\n"
            "margin x retention / (1 + discount - retention).\n"
            "\n"
            "options:\n"
            "  --model auto|bgnbd|column|simple   (default auto)\n"
            "  --calibration-end DATE  last day of the fit period (default: the\n"
            "                          last transaction date)\n"
            "  --horizon MONTHS        CLV horizon (default 12)\n"
            "  --discount RATE         annual discount rate (default 0.10)\n"
            "  --margin SHARE          profit share of spend, 0..1 (default 1)\n"
            "  --retention RATE        simple formula: yearly retention when a\n"
            "                          customer has no churn probability (0.8)\n"
            "  --max-iterations N      fit iteration cap (default 200)\n"
            "  --format table|json, --db PATH, --quiet\n");
}

static int parse_double(const char *flag, const char *v, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (*end || end == v) {
        cli_error("%s needs a number, got '%s'", flag, v);
        return -1;
    }
    *out = d;
    return 0;
}

static void print_json(const vocx_clv_report *r)
{
    printf("{\"model\": \"%s\", \"model_id\": %lld, \"customers\": %zu, "
           "\"calibration_end\": ",
           r->fitted ? "bgnbd+gamma-gamma" : "fallback",
           (long long)r->model_id, r->customers);
    out_json_string(stdout, r->calibration_end[0] ? r->calibration_end : NULL);
    if (r->fitted) {
        printf(", \"params\": {\"r\": %.6f, \"alpha\": %.6f, \"a\": %.6f, "
               "\"b\": %.6f}, \"log_likelihood\": %.4f, \"iterations\": %d, "
               "\"converged\": %s, \"fit_customers\": %zu",
               r->r, r->alpha, r->a, r->b, r->log_likelihood, r->iterations,
               r->converged ? "true" : "false", r->fit_customers);
        printf(", \"spend\": {\"customers\": %zu, \"p\": %.6f, \"q\": %.6f, "
               "\"gamma\": %.6f, \"log_likelihood\": %.4f, \"excluded\": %zu}",
               r->spend_customers, r->p, r->q, r->gamma,
               r->spend_log_likelihood, r->spend_excluded);
    } else {
        printf(", \"params\": null, \"log_likelihood\": null, \"spend\": null");
    }
    printf(", \"sources\": {\"bgnbd\": %zu, \"column\": %zu, \"simple\": %zu, "
           "\"none\": %zu}, \"total_clv\": %.2f, \"transactions\": %zu, "
           "\"after_calibration_end\": %zu, \"message\": ",
           r->from_bgnbd, r->from_column, r->from_simple, r->no_value,
           r->total_clv, r->transactions, r->after_end);
    out_json_string(stdout, r->message[0] ? r->message : NULL);
    printf("}\n");
}

static void print_table(const vocx_clv_report *r)
{
    char b[4][32];
    if (r->fitted) {
        printf("BG/NBD        r %.4f  alpha %.4f  a %.4f  b %.4f\n", r->r,
               r->alpha, r->a, r->b);
        printf("              log-likelihood %.2f, %d iterations, %s\n",
               r->log_likelihood, r->iterations,
               r->converged ? "converged" : "NOT converged");
        printf("Gamma-Gamma   p %.4f  q %.4f  gamma %.4f  (%s repeat "
               "customers)\n",
               r->p, r->q, r->gamma, fmt_count(r->spend_customers, b[0]));
    }
    printf("calibration   up to %s, %s transactions (%s after the end, "
           "ignored)\n",
           r->calibration_end[0] ? r->calibration_end : "-",
           fmt_count(r->transactions, b[1]), fmt_count(r->after_end, b[2]));
    char c[4][32];
    printf("customers     %s valued: %s by BG/NBD, %s from the CRM "
           "column,\n              %s by formula; %s without a value\n",
           fmt_count(r->customers, b[3]), fmt_count(r->from_bgnbd, c[0]),
           fmt_count(r->from_column, c[1]), fmt_count(r->from_simple, c[2]),
           fmt_count(r->no_value, c[3]));
    printf("total CLV     %s\n", fmt_money(r->total_clv, b[0]));
    printf("CLV model     %lld\n", (long long)r->model_id);
    if (r->message[0])
        printf("note          %s\n", r->message);
}

int cmd_clv(cli_common *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--help")) {
        help_clv(stdout);
        return EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "fit")) {
        cli_error("clv: expected 'fit' (see vocx clv --help)");
        return EXIT_USAGE;
    }
    enum { O_MODEL = 1, O_CAL, O_HOR, O_DISC, O_MARGIN, O_RET, O_ITER };
    static const struct option longopts[] = {
        {"model", 1, NULL, O_MODEL},    {"calibration-end", 1, NULL, O_CAL},
        {"horizon", 1, NULL, O_HOR},    {"discount", 1, NULL, O_DISC},
        {"margin", 1, NULL, O_MARGIN},  {"retention", 1, NULL, O_RET},
        {"max-iterations", 1, NULL, O_ITER}, COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    vocx_clv_options o = VOCX_CLV_OPTIONS_INIT;
    argc -= 1;
    argv += 1;
    argv[0] = "clv";
    int opt, r;
    double d;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case O_MODEL:
            if (!strcmp(optarg, "auto"))
                o.model = VOCX_CLV_AUTO;
            else if (!strcmp(optarg, "bgnbd"))
                o.model = VOCX_CLV_BGNBD;
            else if (!strcmp(optarg, "column"))
                o.model = VOCX_CLV_COLUMN;
            else if (!strcmp(optarg, "simple"))
                o.model = VOCX_CLV_SIMPLE;
            else {
                cli_error("unknown model '%s' (auto, bgnbd, column, simple)",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case O_CAL: o.calibration_end = optarg; break;
        case O_HOR:
            if (parse_double("--horizon", optarg, &o.horizon_months))
                return EXIT_USAGE;
            break;
        case O_DISC:
            if (parse_double("--discount", optarg, &o.annual_discount))
                return EXIT_USAGE;
            break;
        case O_MARGIN:
            if (parse_double("--margin", optarg, &o.margin))
                return EXIT_USAGE;
            break;
        case O_RET:
            if (parse_double("--retention", optarg, &o.retention))
                return EXIT_USAGE;
            break;
        case O_ITER:
            if (parse_double("--max-iterations", optarg, &d))
                return EXIT_USAGE;
            o.max_iterations = (int)d;
            break;
        default:
            r = cli_common_option(c, opt, optarg, help_clv, argv);
            if (r)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("clv fit: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    vocx_store *s = NULL;
    if (cli_open_store(c, &s, VOCX_OPEN_CREATE))
        return EXIT_FAIL;
    vocx_clv_report rep;
    int rc = vocx_clv_fit(s, &o, &rep);
    if (rc) {
        cli_error("%s", vocx_store_errmsg(s));
        vocx_store_close(s);
        return cli_exit_code(rc);
    }
    if (c->format == FMT_JSON)
        print_json(&rep);
    else
        print_table(&rep);
    vocx_store_close(s);
    return EXIT_OK;
}
