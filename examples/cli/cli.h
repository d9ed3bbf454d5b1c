/* Shared pieces of the vocx command-line tool. */
#ifndef VOCX_CLI_H
#define VOCX_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "vocx.h"

/* Exit codes (documented in `vocx --help` and the README). */
#define EXIT_OK 0
#define EXIT_FAIL 1  /* runtime failure: I/O, database */
#define EXIT_USAGE 2 /* bad command line */
#define EXIT_DATA 3  /* the input itself is wrong: strict rejects, missing
                        column, rule errors, quality below a threshold */

enum out_format { FMT_TABLE, FMT_CSV, FMT_JSON };

/* Options every command understands. */
typedef struct cli_common {
    const char *db;
    int quiet;
    enum out_format format;
} cli_common;

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(cli_common *common, int argc, char **argv);
    void (*help)(FILE *out);
} cli_command;

/* Errors: one line on stderr, "vocx: ..." */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_exit_code(int vocx_code);

/* Parse --format VALUE; returns 0 or -1 (error printed). */
int cli_parse_format(const char *v, enum out_format *out);

/* Open the store named by common->db (or $VOCX_DB, or vocx.db). */
int cli_open_store(cli_common *c, vocx_store **out, unsigned int flags);

/* Output helpers. */
void out_json_string(FILE *f, const char *s);
void out_csv_field(FILE *f, const char *s);
/* Write n bytes of text for people: terminal control characters (C0 but
 * tab and line ends, DEL, C1) become U+FFFD. */
void out_text(FILE *f, const char *s, size_t n);
/* Thousands separators: 1234567 -> "1,234,567". */
const char *fmt_count(uint64_t n, char buf[32]);
/* Copy at most `width` display columns of UTF-8 `s` into buf, with "..."
 * marking a cut; newlines become spaces, terminal control characters
 * U+FFFD. */
const char *fmt_clip(const char *s, size_t width, char *buf, size_t cap);

/* Progress bar on stderr when it is a terminal and not --quiet. */
typedef struct cli_progress {
    int enabled;
    double start;
    const char *what;
} cli_progress;
void progress_init(cli_progress *p, const cli_common *c, const char *what);
void progress_update(cli_progress *p, uint64_t rows, uint64_t done,
                     uint64_t total);
void progress_finish(cli_progress *p);

/* Loading commands: rejects, progress, summary (loadout.c). */
typedef struct reject_sink {
    FILE *file; /* --rejects, or NULL */
    int quiet;
    uint64_t shown;
} reject_sink;
#define SHOW_REJECTS 5
int rejects_open(reject_sink *sink, const char *path);
void rejects_close(reject_sink *sink, const char *path);
int cli_on_reject(const vocx_reject *r, void *payload);
int cli_on_progress(uint64_t rows, uint64_t done, uint64_t total,
                    void *payload);
int cli_parse_input_format(const char *v, int *out);
void print_load_summary(const cli_common *c, const char *path,
                        const vocx_ingest_stats *st);

/* Money for people: 1234567.891 -> "1,234,567.89". */
const char *fmt_money(double v, char buf[32]);

/* Rules: the path to use and loading with diagnostics on stderr. */
const char *cli_rules_path(const char *given);
int cli_load_rules(const char *path, vocx_rules **out);

/* Commands. */
int cmd_classify(cli_common *c, int argc, char **argv);
void help_classify(FILE *out);
int cmd_rules(cli_common *c, int argc, char **argv);
void help_rules(FILE *out);
int cmd_rank(cli_common *c, int argc, char **argv);
void help_rank(FILE *out);
int cmd_clv(cli_common *c, int argc, char **argv);
void help_clv(FILE *out);
int cmd_ops(cli_common *c, int argc, char **argv);
void help_ops(FILE *out);
int cmd_ingest(cli_common *c, int argc, char **argv);
void help_ingest(FILE *out);
int cmd_stats(cli_common *c, int argc, char **argv);
void help_stats(FILE *out);
int cmd_comments(cli_common *c, int argc, char **argv);
void help_comments(FILE *out);
int cmd_report(cli_common *c, int argc, char **argv);
void help_report(FILE *out);
int cmd_export(cli_common *c, int argc, char **argv);
void help_export(FILE *out);



/* Long options shared by every command; add COMMON_LONG_OPTIONS to a
 * command's table and pass unknown option values to cli_common_option(). */
#define OPT_DB 1000
#define OPT_QUIET 1001
#define OPT_FORMAT 1002
#define OPT_HELP 1003
#define COMMON_LONG_OPTIONS                                                    \
    {"db", 1, NULL, OPT_DB}, {"quiet", 0, NULL, OPT_QUIET},                    \
        {"format", 1, NULL, OPT_FORMAT}, {"help", 0, NULL, OPT_HELP}
/* Returns 0 handled, 1 help printed (exit 0), -1 usage error printed. */
int cli_common_option(cli_common *c, int opt, const char *arg,
                      void (*help)(FILE *), char **argv);
#endif
