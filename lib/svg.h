/*
 * Output for the reports (report.c): a buffered writer over the caller's
 * vocx_write_cb, escaping for HTML and Markdown, locale-independent number
 * formatting, and the inline SVG charts (Pareto, grouped horizontal bars,
 * weekly small multiples).  Charts are plain SVG styled by the classes of
 * the report's stylesheet; they need no script and carry a <title> and
 * <desc> for assistive technology.
 *
 * Internal header: not installed.  No global state.
 */
#ifndef VX_SVG_H
#define VX_SVG_H

#include "vocx_internal.h"

#include <stddef.h>
#include <stdint.h>

/* ---- buffered output ---------------------------------------------------- */

typedef struct vx_out {
    char *buf;
    size_t len, cap;
    vocx_write_cb write;
    void *payload;
    int err;        /* sticky: VOCX_OK, VOCX_ENOMEM or VOCX_EIO */
    uint64_t total; /* bytes handed to the callback so far */
} vx_out;

void vx_out_init(vx_out *o, vocx_write_cb write, void *payload);
void vx_out_put(vx_out *o, const char *s, size_t n);
void vx_out_puts(vx_out *o, const char *s);
/* printf for integers and strings only: doubles go through vx_fmt_*
 * (printf's decimal point follows the caller's locale). */
void vx_out_printf(vx_out *o, const char *fmt, ...) VX_PRINTF(2, 3);
/* Text escaped for HTML element content and attribute values: & < > " '
 * become entities, control characters other than tab and newline are
 * dropped, invalid UTF-8 becomes U+FFFD.  n == (size_t)-1: strlen. */
void vx_out_html(vx_out *o, const char *s, size_t n);
/* Text escaped for Markdown (CommonMark/GFM) inline content: the
 * characters with a meaning are backslash-escaped, < > & become entities,
 * a newline becomes a hard line break continued with `cont` (e.g. "> " in
 * a block quote; NULL: none).  Same cleaning as vx_out_html. */
void vx_out_md(vx_out *o, const char *s, size_t n, const char *cont);

/* A byte range [start, end) of a text. */
typedef struct vx_range {
    size_t start, end;
} vx_range;

/* vx_out_md with the ranges `sp` (sorted, not overlapping, starting and
 * ending on characters that are not white space) in **bold**. */
void vx_out_md_marked(vx_out *o, const char *s, size_t n, const char *cont,
                      const vx_range *sp, size_t nsp);
/* Flush what is buffered; returns the sticky status. */
int vx_out_flush(vx_out *o);
void vx_out_free(vx_out *o);

/* ---- numbers, independent of the C locale ------------------------------- */

/* 1234567 -> "1,234,567". */
const char *vx_fmt_count(uint64_t n, char out[32]);
/* v with `decimals` (0..6) digits, "," thousands separators when `group`.
 * Non-finite or huge values give "-". */
const char *vx_fmt_fixed(double v, int decimals, int group, char out[48]);
/* Currency symbol (may be NULL or "") then the amount with two decimals:
 * "€1,234.56", "-€3.00". */
const char *vx_fmt_money(const char *currency, double v, char out[96]);
/* The same rounded to whole units (axis ticks): "€1,200". */
const char *vx_fmt_money0(const char *currency, double v, char out[96]);
/* A share (0.1234) as "12.3%". */
const char *vx_fmt_pct(double share, char out[32]);

/* Number of UTF-8 characters in s[0..n). */
size_t vx_utf8_chars(const char *s, size_t n);

/* ---- charts ------------------------------------------------------------- */

/* A bar of the Pareto chart. */
typedef struct vx_pareto_bar {
    const char *label;
    double value;
    int style; /* 0 normal, 1 emphasised (fix first), 2 muted (other) */
} vx_pareto_bar;

/* Bars in the given order with the cumulative share line; the left axis
 * runs from 0 to the sum of the values and the right axis from 0 to 100 %
 * on the same scale, so the line ends at 100 % on the top of the plot. */
void vx_chart_pareto(vx_out *o, const char *id, const char *title,
                     const char *desc, const vx_pareto_bar *bars, size_t n,
                     const char *currency, const char *axis_title);

/* A row of the horizontal bar chart: a group heading or a bar. */
typedef struct vx_hbar {
    const char *label;
    const char *note;  /* after the value, e.g. "12 comments"; may be NULL */
    double value;
    int group;         /* 0..3: colour class of the bar */
    int heading;       /* 1: a group heading row (label only) */
} vx_hbar;

void vx_chart_hbars(vx_out *o, const char *id, const char *title,
                    const char *desc, const vx_hbar *rows, size_t n,
                    const char *currency);

/* One panel of the weekly small multiples. */
typedef struct vx_series {
    const char *label;
    const double *values;   /* per week */
    const uint64_t *counts; /* per week */
    int own_scale;          /* 1: a scale of its own (totals panel) */
    int style;              /* 0 issue, 1 totals */
} vx_series;

/* `week_top` / `week_bottom`: two label lines per week ("W03", "12 Jan");
 * `week_full`: for tooltips ("2026-W03, week of 2026-01-12"). */
void vx_chart_weekly(vx_out *o, const char *id, const char *title,
                     const char *desc, const char *const *week_top,
                     const char *const *week_bottom,
                     const char *const *week_full, size_t nweeks,
                     const vx_series *series, size_t nseries,
                     const char *currency);

#endif
