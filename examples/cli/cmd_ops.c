/* vocx ops import customers|transactions FILE */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void help_ops(FILE *out)
{
    fprintf(out,
            "usage: vocx ops import customers|transactions [OPTIONS] FILE|-\n"
            "       vocx ops attach CRM.sqlite [--customers-sql SQL]\n"
            "                                  [--transactions-sql SQL]\n"
            "       vocx ops detach\n"
            "\n"
            "Import operational records (customer intelligence) from CSV or\n"
            "JSON Lines.  Re-importing a file is idempotent; bad rows are\n"
            "rejected with file:line:column and the rest is kept.\n"
            "\n"
            "customers columns:    customer_id, segment, clv,\n"
            "                      churn_probability (0..1), margin\n"
            "transactions columns: customer_id, date (ISO 8601), amount,\n"
            "                      id (optional; without it rows are matched\n"
            "                      by content)\n"
            "\n"
            "options:\n"
            "  --customer-col NAME   --segment-col NAME   --clv-col NAME\n"
            "  --churn-col NAME      --margin-col NAME    --id-col NAME\n"
            "  --date-col NAME       --amount-col NAME\n"
            "  --format-in csv|jsonl input format (default: by extension)\n"
            "  --strict              any rejected row fails the import\n"
            "  --rejects FILE        write every rejected row to FILE (CSV)\n"
            "  --db PATH, --quiet, --format table|json (for the summary)\n"
            "\n"
            "attach uses an existing CRM database in place, read-only: each SQL\n"
            "is one SELECT over it returning the columns above, e.g.\n"
            "  --customers-sql \"SELECT account_no AS customer_id, tier AS\n"
            "                   segment FROM accounts\"\n"
            "The CRM's rows are read on every CLV fit and ranking; vocx never\n"
            "writes to that file.\n");
}

static int attach(cli_common *c, int argc, char **argv)
{
    enum { O_CSQL = 1, O_TSQL };
    static const struct option longopts[] = {
        {"customers-sql", 1, NULL, O_CSQL},
        {"transactions-sql", 1, NULL, O_TSQL}, COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    const char *csql = NULL, *tsql = NULL;
    int opt, r;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case O_CSQL: csql = optarg; break;
        case O_TSQL: tsql = optarg; break;
        default:
            r = cli_common_option(c, opt, optarg, help_ops, argv);
            if (r)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind + 1 != argc || (!csql && !tsql)) {
        cli_error("ops attach: give CRM.sqlite and --customers-sql and/or "
                  "--transactions-sql");
        return EXIT_USAGE;
    }
    vocx_store *s = NULL;
    if (cli_open_store(c, &s, VOCX_OPEN_CREATE))
        return EXIT_FAIL;
    int rc = vocx_store_attach_crm(s, argv[optind], csql, tsql);
    if (rc)
        cli_error("%s", vocx_store_errmsg(s));
    else if (!c->quiet)
        printf("%s attached read-only%s%s\n", argv[optind],
               csql ? "; customers mapped" : "",
               tsql ? "; transactions mapped" : "");
    vocx_store_close(s);
    return cli_exit_code(rc);
}

int cmd_ops(cli_common *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--help")) {
        help_ops(stdout);
        return EXIT_OK;
    }
    if (argc >= 2 && !strcmp(argv[1], "attach"))
        return attach(c, argc - 1, argv + 1);
    if (argc == 2 && !strcmp(argv[1], "detach")) {
        vocx_store *s = NULL;
        if (cli_open_store(c, &s, VOCX_OPEN_READWRITE))
            return EXIT_FAIL;
        int rc = vocx_store_detach_crm(s);
        if (rc)
            cli_error("%s", vocx_store_errmsg(s));
        vocx_store_close(s);
        return cli_exit_code(rc);
    }
    if (argc < 3 || strcmp(argv[1], "import") ||
        (strcmp(argv[2], "customers") && strcmp(argv[2], "transactions"))) {
        cli_error("ops: expected 'import customers FILE', 'import "
                  "transactions FILE', 'attach CRM.sqlite' or 'detach' (see "
                  "vocx ops --help)");
        return EXIT_USAGE;
    }
    int customers = !strcmp(argv[2], "customers");
    enum { O_CUST = 1, O_SEG, O_CLV, O_CHURN, O_MARGIN, O_ID, O_DATE, O_AMT,
           O_FMT_IN, O_STRICT, O_REJECTS };
    static const struct option longopts[] = {
        {"customer-col", 1, NULL, O_CUST}, {"segment-col", 1, NULL, O_SEG},
        {"clv-col", 1, NULL, O_CLV},       {"churn-col", 1, NULL, O_CHURN},
        {"margin-col", 1, NULL, O_MARGIN}, {"id-col", 1, NULL, O_ID},
        {"date-col", 1, NULL, O_DATE},     {"amount-col", 1, NULL, O_AMT},
        {"format-in", 1, NULL, O_FMT_IN},  {"strict", 0, NULL, O_STRICT},
        {"rejects", 1, NULL, O_REJECTS},   COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    vocx_import_options o = VOCX_IMPORT_OPTIONS_INIT;
    reject_sink sink = {NULL, c->quiet, 0};
    const char *rejects_path = NULL;
    int opt, r;
    /* Parse the options after "ops import KIND". */
    argc -= 2;
    argv += 2;
    argv[0] = "ops";
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case O_CUST: o.customer_col = optarg; break;
        case O_SEG: o.segment_col = optarg; break;
        case O_CLV: o.clv_col = optarg; break;
        case O_CHURN: o.churn_col = optarg; break;
        case O_MARGIN: o.margin_col = optarg; break;
        case O_ID: o.id_col = optarg; break;
        case O_DATE: o.date_col = optarg; break;
        case O_AMT: o.amount_col = optarg; break;
        case O_FMT_IN:
            if (cli_parse_input_format(optarg, &o.format))
                return EXIT_USAGE;
            break;
        case O_STRICT: o.strict = 1; break;
        case O_REJECTS: rejects_path = optarg; break;
        default:
            r = cli_common_option(c, opt, optarg, help_ops, argv);
            if (r)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        cli_error("ops import: give exactly one FILE (or - for stdin)");
        return EXIT_USAGE;
    }
    const char *path = argv[optind];
    if (rejects_open(&sink, rejects_path))
        return EXIT_FAIL;
    vocx_store *s = NULL;
    if (cli_open_store(c, &s, VOCX_OPEN_CREATE)) {
        rejects_close(&sink, rejects_path);
        return EXIT_FAIL;
    }
    cli_progress prog;
    progress_init(&prog, c, customers ? "customers" : "transactions");
    o.on_reject = cli_on_reject;
    o.reject_payload = &sink;
    o.on_progress = cli_on_progress;
    o.progress_payload = &prog;
    vocx_ingest_stats st;
    int rc = customers ? vocx_import_customers(s, path, &o, &st)
                       : vocx_import_transactions(s, path, &o, &st);
    progress_finish(&prog);
    rejects_close(&sink, rejects_path);
    if (rc) {
        cli_error("%s", vocx_store_errmsg(s));
        vocx_store_close(s);
        return cli_exit_code(rc);
    }
    print_load_summary(c, path, &st);
    vocx_store_close(s);
    return EXIT_OK;
}
