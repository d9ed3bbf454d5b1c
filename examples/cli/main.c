/* vocx: the command-line tool.  A command table dispatches to one function
 * per command; every command uses only the public API. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command commands[] = {
    {"ingest", "load comments from CSV or JSON Lines", cmd_ingest, help_ingest},
    {"stats", "summarise what is stored", cmd_stats, help_stats},
    {"comments", "list stored comments", cmd_comments, help_comments},
    {"rules", "check, explain and test rule files", cmd_rules, help_rules},
    {"classify", "classify stored comments by issue", cmd_classify,
     help_classify},
    {"ops", "import customers and transactions", cmd_ops, help_ops},
    {"clv", "fit customer lifetime values", cmd_clv, help_clv},
    {"rank", "rank issues by CLV at risk", cmd_rank, help_rank},
    {"report", "HTML report for executives, team digests", cmd_report,
     help_report},
    {"export", "customers at risk, for the CRM (CSV, JSON)", cmd_export,
     help_export},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vocx [--db PATH] [--quiet] [--format F] COMMAND [ARGS]\n"
            "\n"
            "Voice-of-customer analytics: ingest comments, classify them by\n"
            "CX building block and issue, rank issues by CLV at risk.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "options:\n"
            "  --db PATH     database file (default $VOCX_DB, else vocx.db)\n"
            "  --quiet       no progress or summaries on stderr\n"
            "  --format F    table, csv or json, for commands that print data\n"
            "  --version     print the version and exit\n"
            "  --help        this help; `vocx COMMAND --help` for a command\n"
            "\n"
            "exit status: 0 ok, 1 failure (I/O, database), 2 usage error,\n"
            "3 bad input data (strict-mode rejects, missing column, ...)\n");
}

int main(int argc, char **argv)
{
    cli_common common = {NULL, 0, FMT_TABLE};
    int i = 1;
    /* Global options come before the command. */
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--version")) {
            printf("vocx %s (schema %d)\n", vocx_version(),
                   VOCX_SCHEMA_VERSION);
            return EXIT_OK;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            common.quiet = 1;
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            common.db = argv[++i];
        } else if (!strncmp(a, "--db=", 5)) {
            common.db = a + 5;
        } else if (!strcmp(a, "--format") && i + 1 < argc) {
            if (cli_parse_format(argv[++i], &common.format))
                return EXIT_USAGE;
        } else {
            cli_error("unknown option '%s' (see vocx --help)", a);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    for (size_t k = 0; k < NCOMMANDS; k++) {
        if (!strcmp(argv[i], commands[k].name)) {
            optind = 1; /* each command parses its own argv from the start */
            opterr = 0; /* errors are reported on one line by the command */
            return commands[k].run(&common, argc - i, argv + i);
        }
    }
    if (!strcmp(argv[i], "help")) {
        if (i + 1 < argc)
            for (size_t k = 0; k < NCOMMANDS; k++)
                if (!strcmp(argv[i + 1], commands[k].name)) {
                    commands[k].help(stdout);
                    return EXIT_OK;
                }
        usage(stdout);
        return EXIT_OK;
    }
    cli_error("unknown command '%s' (see vocx --help)", argv[i]);
    return EXIT_USAGE;
}
