/* Diagnostics of a rule file: a growable list of located messages. */
#include "rules.h"
#include "vocx_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vocx_diagnostics {
    vocx_diagnostic *v;
    size_t n, cap;
    size_t nerrors;
    char *file;
};

int vx_diag_new(vocx_diagnostics **out, const char *file)
{
    vocx_diagnostics *d = calloc(1, sizeof *d);
    if (!d)
        return VOCX_ENOMEM;
    d->file = strdup(file ? file : "<rules>");
    if (!d->file) {
        free(d);
        return VOCX_ENOMEM;
    }
    *out = d;
    return VOCX_OK;
}

int vx_diag_add(vocx_diagnostics *d, int severity, uint32_t line,
                uint32_t column, const char *fmt, ...)
{
    char reason[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (n < 0)
        reason[0] = '\0';

    char where[64];
    if (line && column)
        snprintf(where, sizeof where, ":%lu:%lu: ", (unsigned long)line,
                 (unsigned long)column);
    else if (line)
        snprintf(where, sizeof where, ":%lu: ", (unsigned long)line);
    else
        snprintf(where, sizeof where, ": ");
    const char *sev = severity == VOCX_DIAG_WARNING ? "warning: " : "";
    size_t flen = strlen(d->file), wlen = strlen(where), slen = strlen(sev);
    size_t rlen = strlen(reason);
    char *msg = malloc(flen + wlen + slen + rlen + 1);
    if (!msg)
        return VOCX_ENOMEM;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        vocx_diagnostic *v = realloc(d->v, cap * sizeof *v);
        if (!v) {
            free(msg);
            return VOCX_ENOMEM;
        }
        d->v = v;
        d->cap = cap;
    }
    memcpy(msg, d->file, flen);
    memcpy(msg + flen, where, wlen);
    memcpy(msg + flen + wlen, sev, slen);
    memcpy(msg + flen + wlen + slen, reason, rlen + 1);
    vocx_diagnostic *e = &d->v[d->n++];
    e->severity = severity;
    e->file = d->file;
    e->line = line;
    e->column = column;
    e->message = msg;
    e->reason = msg + flen + wlen + slen;
    if (severity == VOCX_DIAG_ERROR)
        d->nerrors++;
    return VOCX_OK;
}

static int diag_cmp(const vocx_diagnostic *a, const vocx_diagnostic *b)
{
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->column != b->column)
        return a->column < b->column ? -1 : 1;
    return 0;
}

void vx_diag_sort(vocx_diagnostics *d)
{
    /* Insertion sort: stable, and the list is nearly sorted already (only
     * checks made after the whole file was read arrive late). */
    for (size_t i = 1; i < d->n; i++) {
        vocx_diagnostic x = d->v[i];
        size_t j = i;
        while (j > 0 && diag_cmp(&d->v[j - 1], &x) > 0) {
            d->v[j] = d->v[j - 1];
            j--;
        }
        d->v[j] = x;
    }
}

size_t vx_diag_errors(const vocx_diagnostics *d) { return d ? d->nerrors : 0; }

size_t vocx_diagnostics_count(const vocx_diagnostics *d)
{
    return d ? d->n : 0;
}

const vocx_diagnostic *vocx_diagnostics_get(const vocx_diagnostics *d,
                                            size_t i)
{
    if (!d || i >= d->n)
        return NULL;
    return &d->v[i];
}

void vocx_diagnostics_free(vocx_diagnostics *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free((void *)d->v[i].message);
    free(d->v);
    free(d->file);
    free(d);
}

size_t vx_edit_distance(const char *a, size_t alen, const char *b,
                        size_t blen, size_t cap)
{
    /* Ids are short; longer strings are simply "far". */
    enum { MAXL = 64 };
    if (alen > MAXL || blen > MAXL)
        return cap;
    size_t d[MAXL + 1][MAXL + 1];
    for (size_t i = 0; i <= alen; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= blen; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= alen; i++) {
        for (size_t j = 1; j <= blen; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[alen][blen] < cap ? d[alen][blen] : cap;
}
