/* ISO 8601 timestamps, see iso8601.h.  Civil-date arithmetic follows
 * Howard Hinnant's days_from_civil / civil_from_days: eras of 400 years
 * (146097 days) with years starting on March 1, so the leap day is the
 * last day of the shifted year and no table is needed. */
#include "iso8601.h"

#include "vocx.h"

#include <limits.h>

int vx_is_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned vx_days_in_month(int y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
                                           31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && vx_is_leap_year(y) ? 29u : days[m - 1];
}

int64_t vx_days_from_civil(int y, unsigned m, unsigned d)
{
    int64_t yy = (int64_t)y - (m <= 2); /* the year begins in March */
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    unsigned yoe = (unsigned)(yy - era * 400);              /* 0..399 */
    unsigned mp = m > 2 ? m - 3 : m + 9;                    /* Mar = 0 */
    unsigned doy = (153 * mp + 2) / 5 + d - 1;              /* 0..365 */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   /* 0..146096 */
    return era * 146097 + (int64_t)doe - 719468; /* 719468: 0000-03-01 */
}

void vx_civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

/* ---- parser ------------------------------------------------------------ */

typedef struct cursor {
    const char *s;
    size_t i;   /* current offset in s */
    size_t end; /* end of the trimmed input */
    size_t bad; /* offset of the fault */
    const char *why;
} cursor;

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int fail(cursor *c, size_t at, const char *why)
{
    c->bad = at;
    c->why = why;
    return 0;
}

static int at_end(const cursor *c)
{
    return c->i >= c->end;
}

static int peek(const cursor *c, char ch)
{
    return c->i < c->end && c->s[c->i] == ch;
}

/* Exactly `n` digits into *v. */
static int digits(cursor *c, int n, int *v, const char *why)
{
    int x = 0;
    for (int k = 0; k < n; k++, c->i++) {
        if (at_end(c) || !is_digit(c->s[c->i]))
            return fail(c, c->i, why);
        x = x * 10 + (c->s[c->i] - '0');
    }
    *v = x;
    return 1;
}

static int expect(cursor *c, char ch, const char *why)
{
    if (!peek(c, ch))
        return fail(c, c->i, why);
    c->i++;
    return 1;
}

/* A 2-digit field checked against [lo, hi]. */
static int field2(cursor *c, int lo, int hi, int *v, const char *syntax,
                  const char *range)
{
    size_t at = c->i;
    if (!digits(c, 2, v, syntax))
        return 0;
    if (*v < lo || *v > hi)
        return fail(c, at, range);
    return 1;
}

static int parse_date(cursor *c, int *y, int *mo, int *d)
{
    size_t at = c->i;
    if (!digits(c, 4, y, "expected a 4-digit year"))
        return 0;
    if (*y < 1)
        return fail(c, at, "year out of range (0001..9999)");
    if (!expect(c, '-', "expected '-' after the year"))
        return 0;
    if (!field2(c, 1, 12, mo, "expected a 2-digit month",
                "month out of range (01..12)"))
        return 0;
    if (!expect(c, '-', "expected '-' after the month"))
        return 0;
    at = c->i;
    if (!field2(c, 1, 31, d, "expected a 2-digit day",
                "day out of range (01..31)"))
        return 0;
    if ((unsigned)*d > vx_days_in_month(*y, (unsigned)*mo))
        return fail(c, at, "day out of range for the month");
    return 1;
}

/* HH:MM[:SS[.frac]] into seconds of the day. */
static int parse_time(cursor *c, int64_t *secs)
{
    int h, mi, s = 0;
    if (!field2(c, 0, 23, &h, "expected a 2-digit hour",
                "hour out of range (00..23)"))
        return 0;
    if (!expect(c, ':', "expected ':' after the hour"))
        return 0;
    if (!field2(c, 0, 59, &mi, "expected 2-digit minutes",
                "minutes out of range (00..59)"))
        return 0;
    if (peek(c, ':')) {
        c->i++;
        if (!field2(c, 0, 60, &s, "expected 2-digit seconds",
                    "seconds out of range (00..60)"))
            return 0;
        if (s == 60)
            s = 59; /* a leap second: Unix time has no slot for it */
        if (peek(c, '.') || peek(c, ',')) {
            c->i++;
            if (at_end(c) || !is_digit(c->s[c->i]))
                return fail(c, c->i, "expected digits after the decimal "
                                     "separator");
            while (!at_end(c) && is_digit(c->s[c->i]))
                c->i++;
        }
    }
    *secs = (int64_t)h * 3600 + mi * 60 + s;
    return 1;
}

/* Z, ±HH:MM, ±HHMM, ±HH or nothing, as seconds east of UTC. */
static int parse_zone(cursor *c, int64_t *east)
{
    *east = 0;
    if (at_end(c))
        return 1;
    char ch = c->s[c->i];
    if (ch == 'Z' || ch == 'z') {
        c->i++;
        return 1;
    }
    if (ch != '+' && ch != '-')
        return fail(c, c->i, "expected 'Z' or a +HH:MM offset");
    c->i++;
    int oh, om = 0;
    if (!field2(c, 0, 23, &oh, "expected 2-digit offset hours",
                "offset hours out of range (00..23)"))
        return 0;
    if (peek(c, ':')) {
        c->i++;
        if (!field2(c, 0, 59, &om, "expected 2-digit offset minutes",
                    "offset minutes out of range (00..59)"))
            return 0;
    } else if (!at_end(c) && is_digit(c->s[c->i])) {
        if (!field2(c, 0, 59, &om, "expected 2-digit offset minutes",
                    "offset minutes out of range (00..59)"))
            return 0;
    }
    *east = ((int64_t)oh * 3600 + om * 60) * (ch == '-' ? -1 : 1);
    return 1;
}

static int parse_all(cursor *c, int64_t *out)
{
    int y, mo, d;
    if (at_end(c))
        return fail(c, c->i, "empty timestamp");
    if (!parse_date(c, &y, &mo, &d))
        return 0;
    int64_t days = vx_days_from_civil(y, (unsigned)mo, (unsigned)d);
    if (at_end(c)) {
        *out = days * 86400;
        return 1;
    }
    char sep = c->s[c->i];
    if (sep != 'T' && sep != 't' && sep != ' ')
        return fail(c, c->i, "expected 'T' or a space before the time");
    c->i++;
    int64_t secs, east;
    if (!parse_time(c, &secs) || !parse_zone(c, &east))
        return 0;
    if (!at_end(c))
        return fail(c, c->i, "unexpected text after the timestamp");
    *out = days * 86400 + secs - east;
    return 1;
}

int vx_time_parse_diag(const char *s, size_t len, int64_t *unix_seconds,
                       int *bad_col, const char **why)
{
    cursor c = {s, 0, len, 0, NULL};
    if (!s)
        c.end = 0;
    while (c.i < c.end && is_ws(s[c.i]))
        c.i++;
    while (c.end > c.i && is_ws(s[c.end - 1]))
        c.end--;
    int64_t t = 0;
    if (parse_all(&c, &t)) {
        if (unix_seconds)
            *unix_seconds = t;
        return 0;
    }
    if (bad_col)
        *bad_col = c.bad >= (size_t)INT_MAX ? INT_MAX : (int)c.bad + 1;
    if (why)
        *why = c.why;
    return VOCX_EPARSE;
}

int vx_time_parse(const char *s, size_t len, int64_t *unix_seconds,
                  int *bad_col)
{
    return vx_time_parse_diag(s, len, unix_seconds, bad_col, NULL);
}

/* ---- formatter --------------------------------------------------------- */

static void put_num(char *p, unsigned v, int width)
{
    for (int k = width - 1; k >= 0; k--) {
        p[k] = (char)('0' + v % 10);
        v /= 10;
    }
}

void vx_time_format(int64_t t, char out[21])
{
    /* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
    const int64_t lo = -62167219200LL, hi = 253402300799LL;
    if (t < lo)
        t = lo;
    if (t > hi)
        t = hi;
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) { /* floor division for times before 1970 */
        secs += 86400;
        days--;
    }
    int y;
    unsigned m, d;
    vx_civil_from_days(days, &y, &m, &d);
    put_num(out, (unsigned)y, 4);
    out[4] = '-';
    put_num(out + 5, m, 2);
    out[7] = '-';
    put_num(out + 8, d, 2);
    out[10] = 'T';
    put_num(out + 11, (unsigned)(secs / 3600), 2);
    out[13] = ':';
    put_num(out + 14, (unsigned)(secs / 60 % 60), 2);
    out[16] = ':';
    put_num(out + 17, (unsigned)(secs % 60), 2);
    out[19] = 'Z';
    out[20] = '\0';
}
