/* vocx ingest FILE|- : load comments. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void help_ingest(FILE *out)
{
    fprintf(out,
            "usage: vocx ingest [OPTIONS] FILE|-\n"
            "\n"
            "Load customer comments from a CSV (RFC 4180, with a header row) or\n"
            "JSON Lines file, or from standard input with '-'.  Re-running the\n"
            "same file is idempotent: known ids are updated or left alone.\n"
            "Bad rows are rejected with file:line:column and a reason; the\n"
            "rest is loaded.\n"
            "\n"
            "options:\n"
            "  --format-in csv|jsonl  input format (default: by extension or\n"
            "                         content)\n"
            "  --id-col NAME          source id column (default id)\n"
            "  --customer-col NAME    customer id column (default customer_id)\n"
            "  --time-col NAME        timestamp column (default created_at)\n"
            "  --channel-col NAME     channel column (default channel)\n"
            "  --text-col NAME        comment text column (default text)\n"
            "                         (a column named with these options\n"
            "                         must be in the file)\n"
            "  --channel NAME         channel for rows that have none\n"
            "  --strict               any rejected row fails the whole ingest;\n"
            "                         nothing is kept\n"
            "  --rejects FILE         write every rejected row to FILE (CSV:\n"
            "                         source,line,column,reason,message)\n"
            "  --batch N              rows per transaction (default 25000)\n"
            "  --redact[=KINDS]       replace personal data in the text before\n"
            "                         it is stored: e-mail addresses, phone\n"
            "                         numbers, card numbers (Luhn-checked) and\n"
            "                         IBANs (mod-97-checked) become [EMAIL],\n"
            "                         [PHONE], [CARD], [IBAN].  KINDS is a comma\n"
            "                         list of email, phone, card, iban (default\n"
            "                         all); see docs/privacy.md\n"
            "  --db PATH, --quiet, --format table|json (for the summary)\n");
}

/* --redact[=KINDS]: "email,phone" -> VOCX_REDACT_* bits; NULL (plain
 * --redact) is all.
 * Returns 0, or -1 with the error printed unless `quiet`. */
static int parse_kinds(const char *v, unsigned int *out, int quiet)
{
    static const struct {
        const char *name;
        unsigned int bit;
    } kinds[] = {{"email", VOCX_REDACT_EMAIL}, {"phone", VOCX_REDACT_PHONE},
                 {"card", VOCX_REDACT_CARD},   {"iban", VOCX_REDACT_IBAN},
                 {"all", VOCX_REDACT_ALL}};
    if (!v) {
        *out = VOCX_REDACT_ALL;
        return 0;
    }
    unsigned int bits = 0;
    const char *p = v;
    for (;;) {
        size_t n = strcspn(p, ",");
        size_t k = 0;
        while (k < sizeof kinds / sizeof kinds[0] &&
               !(strlen(kinds[k].name) == n &&
                 strncmp(kinds[k].name, p, n) == 0))
            k++;
        if (k == sizeof kinds / sizeof kinds[0]) {
            if (!quiet)
                cli_error("--redact: unknown kind '%.*s' (expected a comma "
                          "list of email, phone, card, iban, or all)",
                          (int)n, p);
            return -1;
        }
        bits |= kinds[k].bit;
        if (!p[n])
            break;
        p += n + 1;
    }
    *out = bits;
    return 0;
}

int cmd_ingest(cli_common *c, int argc, char **argv)
{
    enum { O_FMT_IN = 1, O_ID, O_CUST, O_TIME, O_CHAN_COL, O_TEXT, O_CHAN,
           O_STRICT, O_REJECTS, O_BATCH, O_REDACT };
    static const struct option longopts[] = {
        {"format-in", 1, NULL, O_FMT_IN}, {"id-col", 1, NULL, O_ID},
        {"customer-col", 1, NULL, O_CUST}, {"time-col", 1, NULL, O_TIME},
        {"channel-col", 1, NULL, O_CHAN_COL}, {"text-col", 1, NULL, O_TEXT},
        {"channel", 1, NULL, O_CHAN},     {"strict", 0, NULL, O_STRICT},
        {"rejects", 1, NULL, O_REJECTS},  {"batch", 1, NULL, O_BATCH},
        {"redact", 2, NULL, O_REDACT},
        COMMON_LONG_OPTIONS,              {NULL, 0, NULL, 0}};
    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    const char *rejects_path = NULL;
    int opt, r, bare_redact = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case O_FMT_IN:
            if (cli_parse_input_format(optarg, &o.format))
                return EXIT_USAGE;
            break;
        case O_ID: o.id_col = optarg; break;
        case O_CUST: o.customer_col = optarg; break;
        case O_TIME: o.time_col = optarg; break;
        case O_CHAN_COL: o.channel_col = optarg; break;
        case O_TEXT: o.text_col = optarg; break;
        case O_CHAN: o.channel = optarg; break;
        case O_STRICT: o.strict = 1; break;
        case O_REJECTS: rejects_path = optarg; break;
        case O_REDACT:
            if (parse_kinds(optarg, &o.redact, 0))
                return EXIT_USAGE;
            bare_redact = !optarg;
            break;
        case O_BATCH: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n <= 0) {
                cli_error("--batch needs a positive number, got '%s'", optarg);
                return EXIT_USAGE;
            }
            o.batch_rows = (size_t)n;
            break;
        }
        default:
            r = cli_common_option(c, opt, optarg, help_ingest, argv);
            if (r)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        unsigned int bits;
        /* "--redact email FILE": the kinds need an '='. */
        if (bare_redact && optind + 2 == argc &&
            parse_kinds(argv[optind], &bits, 1) == 0)
            cli_error("ingest: --redact takes its kinds after '=': "
                      "--redact=%s", argv[optind]);
        else
            cli_error(optind >= argc ? "ingest: missing FILE (use - for stdin)"
                                     : "ingest: one FILE at a time");
        return EXIT_USAGE;
    }
    const char *path = argv[optind];

    reject_sink sink = {NULL, c->quiet, 0};
    if (rejects_open(&sink, rejects_path))
        return EXIT_FAIL;
    vocx_store *store = NULL;
    if (cli_open_store(c, &store, VOCX_OPEN_CREATE)) {
        rejects_close(&sink, rejects_path);
        return EXIT_FAIL;
    }
    cli_progress prog;
    progress_init(&prog, c, "ingest");
    o.on_reject = cli_on_reject;
    o.reject_payload = &sink;
    o.on_progress = cli_on_progress;
    o.progress_payload = &prog;
    vocx_ingest_stats st;
    int rc = vocx_ingest_file(store, path, &o, &st);
    progress_finish(&prog);
    rejects_close(&sink, rejects_path);
    if (rc) {
        cli_error("%s", vocx_store_errmsg(store));
        vocx_store_close(store);
        return cli_exit_code(rc);
    }
    print_load_summary(c, path, &st);
    vocx_store_close(store);
    return EXIT_OK;
}
