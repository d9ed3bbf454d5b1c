/* vocx classify: classify stored comments with a rule set. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void help_classify(FILE *out)
{
    fprintf(out,
            "usage: vocx classify [--rules FILE] [--all] [--threads N]\n"
            "\n"
            "Classify the stored comments that this rule set has not seen yet\n"
            "and store the issues raised, the rule that fired and the matched\n"
            "spans, with the rule set's hash.  Unchanged rules and comments:\n"
            "no work.\n"
            "\n"
            "options:\n"
            "  --rules FILE   rule file (default $VOCX_RULES, else the installed\n"
            "                 default rules)\n"
            "  --all          classify every comment again\n"
            "  --threads N    classifying threads, this one included (default 1)\n"
            "  --format table|json, --db PATH, --quiet\n");
}

const char *cli_rules_path(const char *given)
{
    if (given)
        return given;
    const char *env = getenv("VOCX_RULES");
    if (env && *env)
        return env;
    if (access(VOCX_DEFAULT_RULES, R_OK) == 0)
        return VOCX_DEFAULT_RULES;
    return "rules/default.rules";
}

int cli_load_rules(const char *path, vocx_rules **out)
{
    vocx_diagnostics *d = NULL;
    int rc = vocx_rules_load(out, path, &d);
    size_t n = vocx_diagnostics_count(d);
    for (size_t i = 0; i < n; i++) {
        const vocx_diagnostic *x = vocx_diagnostics_get(d, i);
        if (rc || x->severity == VOCX_DIAG_ERROR)
            fprintf(stderr, "%s\n", x->message);
    }
    if (rc && !n)
        cli_error("%s: %s", path, vocx_strerror(rc));
    else if (rc)
        cli_error("%s: %zu problem%s; nothing classified", path, n,
                  n == 1 ? "" : "s");
    vocx_diagnostics_free(d);
    return rc;
}

static int on_progress(uint64_t rows, uint64_t done, uint64_t total,
                       void *payload)
{
    progress_update(payload, rows, done, total);
    return 0;
}

int cmd_classify(cli_common *c, int argc, char **argv)
{
    enum { O_RULES = 1, O_ALL, O_THREADS };
    static const struct option longopts[] = {
        {"rules", 1, NULL, O_RULES}, {"all", 0, NULL, O_ALL},
        {"threads", 1, NULL, O_THREADS}, COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    vocx_classify_options o = VOCX_CLASSIFY_OPTIONS_INIT;
    const char *rules_path = NULL;
    int opt, r;
    char *end;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case O_RULES: rules_path = optarg; break;
        case O_ALL: o.all = 1; break;
        case O_THREADS:
            o.threads = (int)strtol(optarg, &end, 10);
            if (*end || o.threads < 1 || o.threads > 64) {
                cli_error("--threads needs 1..64, got '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        default:
            r = cli_common_option(c, opt, optarg, help_classify, argv);
            if (r)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("classify: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    vocx_rules *rules = NULL;
    int rc = cli_load_rules(cli_rules_path(rules_path), &rules);
    if (rc)
        return cli_exit_code(rc);
    vocx_store *s = NULL;
    if (cli_open_store(c, &s, VOCX_OPEN_READWRITE)) {
        vocx_rules_free(rules);
        return EXIT_FAIL;
    }
    cli_progress prog;
    progress_init(&prog, c, "classify");
    o.on_progress = on_progress;
    o.progress_payload = &prog;
    vocx_classify_stats st;
    rc = vocx_store_classify(s, rules, &o, &st);
    progress_finish(&prog);
    if (rc) {
        cli_error("%s", vocx_store_errmsg(s));
    } else if (c->format == FMT_JSON) {
        printf("{\"ruleset\": \"%s\", \"classified\": %llu, \"skipped\": %llu,"
               " \"with_issues\": %llu, \"issues_raised\": %llu, "
               "\"churn_cues\": %llu, \"warnings\": %llu}\n",
               st.ruleset_hash, (unsigned long long)st.classified,
               (unsigned long long)st.skipped,
               (unsigned long long)st.with_issues,
               (unsigned long long)st.hits, (unsigned long long)st.churn,
               (unsigned long long)st.warnings);
    } else if (!c->quiet) {
        char b[5][32];
        printf("rule set %.12s: %s comments classified (%s already done), "
               "%s raised %s issues, %s with churn intent\n",
               st.ruleset_hash, fmt_count(st.classified, b[0]),
               fmt_count(st.skipped, b[1]), fmt_count(st.with_issues, b[2]),
               fmt_count(st.hits, b[3]), fmt_count(st.churn, b[4]));
        if (st.warnings)
            cli_warn("%llu rule warnings (regex limits): see vocx rules "
                     "explain",
                     (unsigned long long)st.warnings);
    }
    vocx_store_close(s);
    vocx_rules_free(rules);
    return cli_exit_code(rc);
}
