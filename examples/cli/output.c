/* Errors, formats, the store, number formatting and the progress bar. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <getopt.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vocx: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vocx: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_exit_code(int code)
{
    switch (code) {
    case VOCX_OK:
        return EXIT_OK;
    case VOCX_EINVAL:
        return EXIT_USAGE;
    case VOCX_EPARSE:
    case VOCX_ECOLUMN:
    case VOCX_EREJECT:
    case VOCX_ERULES:
    case VOCX_EMODEL:
    case VOCX_ELIMIT:
        return EXIT_DATA;
    default:
        return EXIT_FAIL;
    }
}

int cli_parse_format(const char *v, enum out_format *out)
{
    if (!strcmp(v, "table"))
        *out = FMT_TABLE;
    else if (!strcmp(v, "csv"))
        *out = FMT_CSV;
    else if (!strcmp(v, "json"))
        *out = FMT_JSON;
    else {
        cli_error("unknown format '%s' (use table, csv or json)", v);
        return -1;
    }
    return 0;
}

int cli_common_option(cli_common *c, int opt, const char *arg,
                      void (*help)(FILE *), char **argv)
{
    switch (opt) {
    case OPT_DB:
        c->db = arg;
        return 0;
    case OPT_QUIET:
        c->quiet = 1;
        return 0;
    case OPT_FORMAT:
        return cli_parse_format(arg, &c->format) ? -1 : 0;
    case OPT_HELP:
        help(stdout);
        return 1;
    default: {
        /* getopt runs with opterr = 0: say what was wrong on one line. */
        const char *bad = optind > 0 ? argv[optind - 1] : "?";
        cli_error("%s: unknown option or missing value in '%s' (see vocx %s "
                  "--help)",
                  argv[0], bad, argv[0]);
        return -1;
    }
    }
}

int cli_open_store(cli_common *c, vocx_store **out, unsigned int flags)
{
    const char *path = c->db;
    if (!path)
        path = getenv("VOCX_DB");
    if (!path || !*path)
        path = "vocx.db";
    int rc = vocx_store_open(out, path, flags);
    if (rc) {
        cli_error("%s", *out ? vocx_store_errmsg(*out) : vocx_strerror(rc));
        vocx_store_close(*out);
        *out = NULL;
    }
    return rc;
}

void out_json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void out_csv_field(FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

const char *fmt_count(uint64_t n, char buf[32])
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n);
    int out = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = tmp[i];
    }
    buf[out] = '\0';
    return buf;
}

const char *fmt_money(double v, char buf[32])
{
    if (!(v == v) || v > 9e15 || v < -9e15) {
        snprintf(buf, 32, "-");
        return buf;
    }
    int neg = v < 0;
    double a = neg ? -v : v;
    unsigned long long cents = (unsigned long long)(a * 100.0 + 0.5);
    char whole[32];
    fmt_count(cents / 100, whole);
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%s%s.%02u", neg ? "-" : "", whole,
                     (unsigned)(cents % 100));
    if (n < 0 || n >= 32)
        n = snprintf(tmp, sizeof tmp, "-");
    memcpy(buf, tmp, (size_t)n + 1);
    return buf;
}

static size_t utf8_len(const unsigned char *p)
{
    return *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
}

/* Bytes of the control character at p that a terminal would obey (C0
 * other than tab and line ends, DEL, C1 as U+0080..U+009F), or 0.  Text
 * shown to people never carries them: a comment could otherwise set the
 * terminal's title, clipboard or colours. */
static size_t control_len(const unsigned char *p, size_t avail)
{
    if (!avail)
        return 0;
    if ((p[0] < 0x20 && p[0] != '\t' && p[0] != '\n' && p[0] != '\r') ||
        p[0] == 0x7F)
        return 1;
    if (avail >= 2 && p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
        return 2;
    return 0;
}

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

void out_text(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0, i = 0;
    while (i < n) {
        size_t k = control_len(p + i, n - i);
        if (!k) {
            i++;
            continue;
        }
        fwrite(s + run, 1, i - run, f);
        fputs(REPLACEMENT, f);
        i += k;
        run = i;
    }
    fwrite(s + run, 1, n - run, f);
}

const char *fmt_clip(const char *s, size_t width, char *buf, size_t cap)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t chars = 0;
    for (const unsigned char *q = p; *q; q++)
        chars += (*q & 0xC0) != 0x80;
    /* Keep everything if it fits, else width - 3 characters and "...". */
    size_t keep = chars <= width ? chars : (width > 3 ? width - 3 : 0);
    size_t o = 0;
    for (size_t c = 0; c < keep && *p; c++) {
        size_t n = utf8_len(p);
        if (o + n + 4 > cap)
            break;
        size_t ctl = control_len(p, n);
        if (ctl) {
            memcpy(buf + o, REPLACEMENT, 3);
            o += 3;
            p += ctl;
            continue;
        }
        for (size_t k = 0; k < n && p[k]; k++) {
            unsigned char ch = p[k];
            buf[o++] = (char)(ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : ch);
        }
        p += n;
    }
    if (keep < chars && o + 4 <= cap) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void progress_init(cli_progress *p, const cli_common *c, const char *what)
{
    p->enabled = !c->quiet && isatty(STDERR_FILENO);
    p->start = now_seconds();
    p->what = what;
}

void progress_update(cli_progress *p, uint64_t rows, uint64_t done,
                     uint64_t total)
{
    if (!p->enabled)
        return;
    double el = now_seconds() - p->start;
    double rate = el > 0 ? (double)rows / el : 0;
    char rb[32];
    if (total > 0 && done <= total) {
        double frac = (double)done / (double)total;
        double left = frac > 0 ? el / frac - el : 0;
        int bar = (int)(frac * 20);
        fprintf(stderr, "\r%s [%-20.*s] %3d%% %s rows, %.0f/s, %.0fs left  ",
                p->what, bar, "====================", (int)(frac * 100),
                fmt_count(rows, rb), rate, left);
    } else {
        fprintf(stderr, "\r%s %s rows, %.0f/s  ", p->what, fmt_count(rows, rb),
                rate);
    }
    fflush(stderr);
}

void progress_finish(cli_progress *p)
{
    if (p->enabled)
        fputs("\r\033[K", stderr);
}
