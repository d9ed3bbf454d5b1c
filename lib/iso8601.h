/*
 * ISO 8601 / RFC 3339 timestamps <-> Unix seconds (UTC), years 0001..9999.
 *
 * Accepted forms (after trimming leading and trailing ASCII whitespace):
 *
 *   YYYY-MM-DD
 *   YYYY-MM-DD<sep>HH:MM[:SS[.fff...]][<zone>]
 *
 * <sep> is 'T', 't' or one space.  Fractional seconds ('.' or ',' and at
 * least one digit) are truncated.  <zone> is 'Z', 'z', +HH:MM, +HHMM or +HH
 * (or '-'), hours 00..23 and minutes 00..59; no zone means UTC.  Ranges are
 * checked: month 1..12, day within the month (leap years by the Gregorian
 * rule), hour 0..23, minute 0..59, second 0..60 with a leap second 60 read
 * as 59.  A date alone is midnight UTC.
 *
 * Internal header: not installed.  No state; every function is thread-safe.
 */
#ifndef VX_ISO8601_H
#define VX_ISO8601_H

#include <stddef.h>
#include <stdint.h>

/* Parse s[0..len) (need not be NUL-terminated).  Returns 0 and stores the
 * time in *unix_seconds, or VOCX_EPARSE.  On failure *bad_col (when not
 * NULL) receives the 1-based byte column, in the untrimmed input, of the
 * first character that is wrong (len + 1 style when the input ends too
 * early). */
int vx_time_parse(const char *s, size_t len, int64_t *unix_seconds,
                  int *bad_col);

/* Like vx_time_parse, and *why (when not NULL) receives a static English
 * reason such as "month out of range (01..12)" on failure. */
int vx_time_parse_diag(const char *s, size_t len, int64_t *unix_seconds,
                       int *bad_col, const char **why);

/* Write "YYYY-MM-DDTHH:MM:SSZ" and a NUL into out.  Times outside years
 * 0000..9999 are clamped to that range (a parsed year-0001 time shifted by
 * a positive offset lands in year 0000, which still prints). */
void vx_time_format(int64_t unix_seconds, char out[21]);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (valid for
 * any y; m 1..12, d 1..31 unchecked). */
int64_t vx_days_from_civil(int y, unsigned m, unsigned d);

/* Inverse of vx_days_from_civil. */
void vx_civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d);

/* 1 for a Gregorian leap year. */
int vx_is_leap_year(int y);

/* Days in month m (1..12) of year y; 0 for a bad month. */
unsigned vx_days_in_month(int y, unsigned m);

#endif
