/* vocx rules check|explain|test: tooling for people who write rules. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void help_rules(FILE *out)
{
    fprintf(out,
            "usage: vocx rules check FILE\n"
            "       vocx rules explain FILE TEXT|-\n"
            "       vocx rules test FILE LABELED [--min-f1 X]\n"
            "\n"
            "check    validate a rule file, report every error as\n"
            "         FILE:LINE:COLUMN: reason, and summarise its taxonomy\n"
            "explain  classify TEXT (or standard input) and show the issues\n"
            "         raised, the rule that fired, the matched spans, the cues,\n"
            "         and the rules that matched but were vetoed and why\n"
            "test     classify a labeled CSV/JSONL file (columns id, text,\n"
            "         expected = issue ids separated by ';') and print\n"
            "         precision, recall and F1 per issue with the false\n"
            "         positives and negatives; exit 3 when the micro-averaged\n"
            "         F1 is below --min-f1\n"
            "\n"
            "options:\n"
            "  --min-f1 X          test: threshold in [0, 1]\n"
            "  --text-col NAME     test: text column (default text)\n"
            "  --expected-col NAME test: labels column (default expected)\n"
            "  --show N            test: list at most N misses (default 20)\n"
            "  --format table|json\n");
}

static int check(cli_common *c, const char *path)
{
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    int rc = vocx_rules_load(&r, path, &d);
    size_t n = vocx_diagnostics_count(d), errors = 0;
    for (size_t i = 0; i < n; i++) {
        const vocx_diagnostic *x = vocx_diagnostics_get(d, i);
        errors += x->severity == VOCX_DIAG_ERROR;
        fprintf(c->format == FMT_JSON ? stderr : stdout, "%s\n", x->message);
    }
    vocx_diagnostics_free(d);
    if (rc) {
        if (!n)
            cli_error("%s: %s", path, vocx_strerror(rc));
        else
            cli_error("%s: %zu error%s", path, errors, errors == 1 ? "" : "s");
        return cli_exit_code(rc);
    }
    size_t nb = vocx_rules_block_count(r), ni = vocx_rules_issue_count(r);
    if (c->format == FMT_JSON) {
        printf("{\"file\": ");
        out_json_string(stdout, path);
        printf(", \"hash\": \"%s\", \"blocks\": %zu, \"issues\": %zu, "
               "\"rules\": %zu, \"warnings\": %zu}\n",
               vocx_rules_hash(r), nb, ni, vocx_rules_rule_count(r), n);
    } else {
        printf("%s: ok, %zu building blocks, %zu issues, %zu rules "
               "(hash %.12s)\n",
               path, nb, ni, vocx_rules_rule_count(r), vocx_rules_hash(r));
        for (size_t b = 0; b < nb; b++) {
            const char *id, *label;
            vocx_rules_block(r, b, &id, &label);
            size_t k = 0, kinds[4] = {0, 0, 0, 0};
            for (size_t i = 0; i < ni; i++) {
                vocx_issue_info in;
                vocx_rules_issue(r, i, &in);
                if (!strcmp(in.block, id)) {
                    k++;
                    if (in.kind >= 1 && in.kind <= 3)
                        kinds[in.kind]++;
                }
            }
            printf("  %-24s %3zu issues (%zu problems, %zu opportunities, "
                   "%zu praise)\n",
                   id, k, kinds[1], kinds[2], kinds[3]);
        }
    }
    vocx_rules_free(r);
    return EXIT_OK;
}

/* Print text with [[ ]] (or reverse video on a terminal) around spans. */
static void highlight(const char *text, size_t len, const vocx_span *sp,
                      size_t n, int tty)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (sp[i].start < pos || sp[i].end > len)
            continue;
        out_text(stdout, text + pos, sp[i].start - pos);
        fputs(tty ? "\033[7m" : "[[", stdout);
        out_text(stdout, text + sp[i].start, sp[i].end - sp[i].start);
        fputs(tty ? "\033[0m" : "]]", stdout);
        pos = sp[i].end;
    }
    out_text(stdout, text + pos, len - pos);
    putchar('\n');
}

static const char *veto_name(int why)
{
    switch (why) {
    case VOCX_VETO_NEGATED:
        return "negated";
    case VOCX_VETO_UNLESS:
        return "vetoed by an unless line";
    case VOCX_VETO_THRESHOLD:
        return "below the issue's threshold";
    case VOCX_VETO_NOT_NEGATED:
        return "a 'negated' rule matched something not negated";
    default:
        return "vetoed";
    }
}

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    while (p) {
        size_t got = fread(p + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            char *q = realloc(p, cap *= 2);
            if (!q) {
                free(p);
                return NULL;
            }
            p = q;
        }
    }
    if (p)
        p[n] = '\0';
    *len = n;
    return p;
}

static int explain(cli_common *c, const char *path, const char *arg)
{
    vocx_rules *r = NULL;
    int rc = cli_load_rules(path, &r);
    if (rc)
        return cli_exit_code(rc);
    size_t len;
    char *owned = NULL;
    const char *text = arg;
    if (!strcmp(arg, "-")) {
        owned = read_all(stdin, &len);
        if (!owned) {
            cli_error("cannot read standard input");
            vocx_rules_free(r);
            return EXIT_FAIL;
        }
        text = owned;
    } else {
        len = strlen(arg);
    }
    vocx_scratch *sc = NULL;
    const vocx_result *res = NULL;
    rc = vocx_scratch_new(&sc);
    if (!rc)
        rc = vocx_classify(r, sc, text, len, VOCX_CLASSIFY_EXPLAIN, &res);
    if (rc) {
        cli_error("classify: %s", vocx_strerror(rc));
    } else if (c->format == FMT_JSON) {
        printf("{\"issues\": [");
        for (size_t i = 0; i < res->nhits; i++) {
            const vocx_hit *h = &res->hits[i];
            printf("%s{\"issue\": ", i ? ", " : "");
            out_json_string(stdout, h->issue->id);
            printf(", \"block\": ");
            out_json_string(stdout, h->issue->block);
            printf(", \"kind\": \"%s\", \"score\": %.3f, \"rule_line\": %u, "
                   "\"rule\": ",
                   vocx_kind_name(h->issue->kind), h->score, h->rule_line);
            out_json_string(stdout, h->rule_text);
            printf(", \"spans\": [");
            for (size_t k = 0; k < h->nspans; k++)
                printf("%s[%zu, %zu]", k ? ", " : "", h->spans[k].start,
                       h->spans[k].end);
            printf("]}");
        }
        printf("], \"churn_cues\": %zu, \"positive_cues\": %zu, "
               "\"vetoes\": [",
               res->churn_cues, res->positive_cues);
        for (size_t i = 0; i < res->nvetoes; i++) {
            const vocx_veto *v = &res->vetoes[i];
            printf("%s{\"issue\": ", i ? ", " : "");
            out_json_string(stdout, v->issue->id);
            printf(", \"rule_line\": %u, \"why\": \"%s\", \"span\": [%zu, %zu]}",
                   v->rule_line, veto_name(v->why), v->span.start,
                   v->span.end);
        }
        printf("]}\n");
    } else {
        int tty = isatty(STDOUT_FILENO);
        if (!res->nhits)
            printf("no issue raised\n");
        for (size_t i = 0; i < res->nhits; i++) {
            const vocx_hit *h = &res->hits[i];
            printf("%s  [%s, %s, block %s%s%s]\n", h->issue->id,
                   h->issue->label, vocx_kind_name(h->issue->kind),
                   h->issue->block, h->issue->owner ? ", owner " : "",
                   h->issue->owner ? h->issue->owner : "");
            printf("  rule line %u: %s\n  ", h->rule_line, h->rule_text);
            highlight(text, len, h->spans, h->nspans, tty);
        }
        for (size_t i = 0; i < res->ncues; i++) {
            const vocx_cue *q = &res->cues[i];
            printf("cue %s (line %u): \"%.*s\"\n",
                   q->kind == VOCX_CUE_CHURN ? "churn" : "positive",
                   q->rule_line, (int)(q->span.end - q->span.start),
                   text + q->span.start);
        }
        for (size_t i = 0; i < res->nvetoes; i++) {
            const vocx_veto *v = &res->vetoes[i];
            printf("not raised: %s, rule line %u matched \"%.*s\" but %s",
                   v->issue->id, v->rule_line,
                   (int)(v->span.end - v->span.start), text + v->span.start,
                   veto_name(v->why));
            if (v->why == VOCX_VETO_UNLESS)
                printf(" (line %u)", v->by_line);
            printf("\n");
        }
        for (size_t i = 0; i < res->nwarnings; i++)
            printf("warning: %s\n", res->warnings[i].message);
    }
    vocx_scratch_free(sc);
    vocx_rules_free(r);
    free(owned);
    return cli_exit_code(rc);
}

static int test(cli_common *c, const char *path, const char *labeled,
                double min_f1, const char *text_col, const char *exp_col,
                long show)
{
    vocx_rules *r = NULL;
    int rc = cli_load_rules(path, &r);
    if (rc)
        return cli_exit_code(rc);
    vocx_eval_options o = VOCX_EVAL_OPTIONS_INIT;
    o.text_col = text_col;
    o.expected_col = exp_col;
    vocx_eval *ev = NULL;
    vocx_diagnostics *d = NULL;
    rc = vocx_rules_evaluate(&ev, r, labeled, &o, &d);
    for (size_t i = 0; i < vocx_diagnostics_count(d); i++)
        fprintf(stderr, "%s\n", vocx_diagnostics_get(d, i)->message);
    vocx_diagnostics_free(d);
    if (rc) {
        cli_error("%s: %s", labeled, vocx_strerror(rc));
        vocx_rules_free(r);
        return cli_exit_code(rc);
    }
    vocx_eval_issue micro;
    double macro;
    vocx_eval_totals(ev, &micro, &macro);
    size_t ni = vocx_eval_issue_count(ev), nm = vocx_eval_miss_count(ev);
    if (c->format == FMT_JSON) {
        printf("{\"rows\": %llu, \"micro\": {\"precision\": %.4f, \"recall\": "
               "%.4f, \"f1\": %.4f, \"tp\": %llu, \"fp\": %llu, \"fn\": %llu},"
               " \"macro_f1\": %.4f, \"issues\": [",
               (unsigned long long)vocx_eval_rows(ev), micro.precision,
               micro.recall, micro.f1, (unsigned long long)micro.tp,
               (unsigned long long)micro.fp, (unsigned long long)micro.fn,
               macro);
        for (size_t i = 0; i < ni; i++) {
            const vocx_eval_issue *e = vocx_eval_issue_get(ev, i);
            printf("%s{\"issue\": ", i ? ", " : "");
            out_json_string(stdout, e->issue);
            printf(", \"precision\": %.4f, \"recall\": %.4f, \"f1\": %.4f, "
                   "\"tp\": %llu, \"fp\": %llu, \"fn\": %llu}",
                   e->precision, e->recall, e->f1, (unsigned long long)e->tp,
                   (unsigned long long)e->fp, (unsigned long long)e->fn);
        }
        printf("], \"misses\": [");
        for (size_t i = 0; i < nm; i++) {
            const vocx_eval_miss *m = vocx_eval_miss_get(ev, i);
            printf("%s{\"type\": \"%s\", \"issue\": ", i ? ", " : "",
                   m->false_positive ? "false_positive" : "false_negative");
            out_json_string(stdout, m->issue);
            printf(", \"id\": ");
            out_json_string(stdout, m->id);
            printf(", \"line\": %llu, \"rule_line\": %u}",
                   (unsigned long long)m->line, m->rule_line);
        }
        printf("]}\n");
    } else {
        printf("%-34s %6s %6s %6s %4s %4s %4s\n", "issue", "prec", "recall",
               "F1", "tp", "fp", "fn");
        for (size_t i = 0; i < ni; i++) {
            const vocx_eval_issue *e = vocx_eval_issue_get(ev, i);
            char clip[64];
            printf("%-34s %6.3f %6.3f %6.3f %4llu %4llu %4llu\n",
                   fmt_clip(e->issue, 34, clip, sizeof clip), e->precision,
                   e->recall, e->f1, (unsigned long long)e->tp,
                   (unsigned long long)e->fp, (unsigned long long)e->fn);
        }
        printf("%-34s %6.3f %6.3f %6.3f %4llu %4llu %4llu\n", "micro-average",
               micro.precision, micro.recall, micro.f1,
               (unsigned long long)micro.tp, (unsigned long long)micro.fp,
               (unsigned long long)micro.fn);
        printf("macro-average F1 %.3f over %zu issues, %llu rows\n", macro, ni,
               (unsigned long long)vocx_eval_rows(ev));
        if (nm)
            printf("\n");
        for (size_t i = 0; i < nm && (long)i < show; i++) {
            const vocx_eval_miss *m = vocx_eval_miss_get(ev, i);
            char clip[256];
            printf("%s %-28s %s: %s\n", m->false_positive ? "FP" : "FN",
                   m->issue, m->id, fmt_clip(m->text, 60, clip, sizeof clip));
        }
        if ((long)nm > show)
            printf("... %zu more (--show N)\n", nm - (size_t)show);
    }
    int below = min_f1 >= 0 && micro.f1 < min_f1;
    if (below)
        cli_error("micro-averaged F1 %.3f is below --min-f1 %.3f", micro.f1,
                  min_f1);
    vocx_eval_free(ev);
    vocx_rules_free(r);
    return below ? EXIT_DATA : EXIT_OK;
}

int cmd_rules(cli_common *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--help")) {
        help_rules(stdout);
        return EXIT_OK;
    }
    const char *sub = argc >= 2 ? argv[1] : "";
    if (strcmp(sub, "check") && strcmp(sub, "explain") && strcmp(sub, "test")) {
        cli_error("rules: expected check, explain or test (see vocx rules "
                  "--help)");
        return EXIT_USAGE;
    }
    enum { O_MIN = 1, O_TEXT, O_EXP, O_SHOW };
    static const struct option longopts[] = {
        {"min-f1", 1, NULL, O_MIN},       {"text-col", 1, NULL, O_TEXT},
        {"expected-col", 1, NULL, O_EXP}, {"show", 1, NULL, O_SHOW},
        COMMON_LONG_OPTIONS,              {NULL, 0, NULL, 0}};
    double min_f1 = -1;
    long show = 20;
    const char *text_col = NULL, *exp_col = NULL;
    argc -= 1;
    argv += 1;
    int opt, r;
    char *end;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case O_MIN:
            min_f1 = strtod(optarg, &end);
            if (*end || min_f1 < 0 || min_f1 > 1) {
                cli_error("--min-f1 needs a number in [0, 1], got '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case O_TEXT: text_col = optarg; break;
        case O_EXP: exp_col = optarg; break;
        case O_SHOW:
            show = strtol(optarg, &end, 10);
            if (*end || show < 0) {
                cli_error("--show needs a number >= 0, got '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        default:
            r = cli_common_option(c, opt, optarg, help_rules, argv);
            if (r)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        }
    }
    int nargs = argc - optind;
    if (!strcmp(sub, "check") && nargs == 1)
        return check(c, argv[optind]);
    if (!strcmp(sub, "explain") && nargs == 2)
        return explain(c, argv[optind], argv[optind + 1]);
    if (!strcmp(sub, "test") && nargs == 2)
        return test(c, argv[optind], argv[optind + 1], min_f1, text_col,
                    exp_col, show);
    cli_error("rules %s: wrong number of arguments (see vocx rules --help)",
              sub);
    return EXIT_USAGE;
}
