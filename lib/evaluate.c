/* vocx_rules_evaluate: per-issue precision, recall and F1 of a rule set on
 * a labeled file. */
#include "rules.h"
#include "table.h"
#include "vocx_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct idx_entry {
    const char *id;
    size_t index;
} idx_entry;

struct vocx_eval {
    uint64_t rows;
    vocx_eval_issue *per;  /* one per rules issue */
    size_t nissues;
    vocx_eval_issue *shown; /* those expected or raised */
    size_t nshown;
    vocx_eval_miss *miss;
    size_t nmiss, capmiss;
    vocx_eval_issue micro;
    double macro_f1;
};

static int cmp_idx(const void *a, const void *b)
{
    return strcmp(((const idx_entry *)a)->id, ((const idx_entry *)b)->id);
}

static void finish(vocx_eval_issue *e)
{
    double tp = (double)e->tp;
    e->precision = e->tp + e->fp ? tp / (double)(e->tp + e->fp) : 1.0;
    e->recall = e->tp + e->fn ? tp / (double)(e->tp + e->fn) : 1.0;
    e->f1 = e->precision + e->recall > 0
                ? 2 * e->precision * e->recall / (e->precision + e->recall)
                : 0.0;
}

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int add_miss(vocx_eval *ev, int fp, const char *issue, const char *id,
                    uint64_t line, const char *text, size_t tlen,
                    uint32_t rule_line)
{
    if (ev->nmiss == ev->capmiss) {
        size_t cap = ev->capmiss ? 2 * ev->capmiss : 64;
        vocx_eval_miss *n = realloc(ev->miss, cap * sizeof *n);
        if (!n)
            return VOCX_ENOMEM;
        ev->miss = n;
        ev->capmiss = cap;
    }
    vocx_eval_miss *m = &ev->miss[ev->nmiss];
    char linebuf[32];
    if (!id) {
        snprintf(linebuf, sizeof linebuf, "line %llu", (unsigned long long)line);
        id = linebuf;
    }
    m->false_positive = fp;
    m->issue = issue;
    m->line = line;
    m->rule_line = rule_line;
    m->id = dupn(id, strlen(id));
    m->text = dupn(text, tlen);
    if (!m->id || !m->text) {
        free((char *)m->id);
        free((char *)m->text);
        return VOCX_ENOMEM;
    }
    ev->nmiss++;
    return VOCX_OK;
}

void vocx_eval_free(vocx_eval *ev)
{
    if (!ev)
        return;
    for (size_t i = 0; i < ev->nmiss; i++) {
        free((char *)ev->miss[i].id);
        free((char *)ev->miss[i].text);
    }
    free(ev->miss);
    free(ev->per);
    free(ev->shown);
    free(ev);
}

typedef struct file_src {
    FILE *f;
} file_src;

static ptrdiff_t file_read(void *ctx, char *buf, size_t cap)
{
    file_src *s = ctx;
    size_t n = fread(buf, 1, cap, s->f);
    if (n == 0 && ferror(s->f))
        return -1;
    return (ptrdiff_t)n;
}

#define MAX_LABELS 64

/* Split "a; b,c" into trimmed ids. */
static size_t split_labels(const char *s, size_t len, const char **out,
                           size_t *lens)
{
    size_t n = 0, i = 0;
    while (i <= len && n < MAX_LABELS) {
        size_t j = i;
        while (j < len && s[j] != ';' && s[j] != ',')
            j++;
        size_t a = i, b = j;
        while (a < b && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' ||
                         s[b - 1] == '\r' || s[b - 1] == '\n'))
            b--;
        if (b > a) {
            out[n] = s + a;
            lens[n++] = b - a;
        }
        i = j + 1;
    }
    return n;
}

int vocx_rules_evaluate(vocx_eval **out, const vocx_rules *rules,
                        const char *path, const vocx_eval_options *opts,
                        vocx_diagnostics **diag)
{
    if (out)
        *out = NULL;
    if (diag)
        *diag = NULL;
    vocx_eval_options defaults = VOCX_EVAL_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (!out || !rules || !path || opts->version != VOCX_EVAL_OPTIONS_VERSION)
        return VOCX_EINVAL;
    vocx_diagnostics *d = NULL;
    if (vx_diag_new(&d, path))
        return VOCX_ENOMEM;
    int rc = VOCX_OK;
    vocx_eval *ev = calloc(1, sizeof *ev);
    size_t ni = vocx_rules_issue_count(rules);
    idx_entry *idx = calloc(ni ? ni : 1, sizeof *idx);
    unsigned char *expected = calloc(ni ? ni : 1, 1);
    vocx_scratch *scratch = NULL;
    vx_table *t = NULL;
    file_src src = {NULL};
    char **unknown = NULL;
    size_t nunknown = 0;
    if (!ev || !idx || !expected || vocx_scratch_new(&scratch)) {
        rc = VOCX_ENOMEM;
        goto done;
    }
    ev->per = calloc(ni ? ni : 1, sizeof *ev->per);
    if (!ev->per) {
        rc = VOCX_ENOMEM;
        goto done;
    }
    ev->nissues = ni;
    for (size_t i = 0; i < ni; i++) {
        vocx_issue_info in;
        vocx_rules_issue(rules, i, &in);
        idx[i].id = in.id;
        idx[i].index = i;
        ev->per[i].issue = in.id;
    }
    qsort(idx, ni, sizeof *idx, cmp_idx);

    src.f = fopen(path, "rb");
    if (!src.f) {
        vx_diag_add(d, VOCX_DIAG_ERROR, 0, 0, "cannot open: %s",
                    strerror(errno));
        rc = VOCX_EIO;
        goto done;
    }
    const char *names[3] = {opts->id_col ? opts->id_col : "id",
                            opts->text_col ? opts->text_col : "text",
                            opts->expected_col ? opts->expected_col
                                               : "expected"};
    static const unsigned char req[3] = {0, 1, 1};
    vx_table_spec spec = {names, req, 3, 0};
    vx_diag td;
    memset(&td, 0, sizeof td);
    rc = vx_table_open(&t, opts->format, file_read, &src, path, &spec, &td);
    if (rc) {
        vx_diag_add(d, VOCX_DIAG_ERROR, (uint32_t)td.line, (uint32_t)td.column,
                    "%s", td.msg);
        goto done;
    }
    for (;;) {
        vx_row row;
        memset(&td, 0, sizeof td);
        int r = vx_table_next(t, &row, &td);
        if (r == 0)
            break;
        if (r == 2) {
            vx_diag_add(d, VOCX_DIAG_WARNING, (uint32_t)td.line,
                        (uint32_t)td.column, "row skipped: %s", td.msg);
            continue;
        }
        if (r < 0) {
            vx_diag_add(d, VOCX_DIAG_ERROR, (uint32_t)td.line, 0, "%s", td.msg);
            rc = r;
            goto done;
        }
        ev->rows++;
        memset(expected, 0, ni ? ni : 1);
        const char *labels[MAX_LABELS];
        size_t lens[MAX_LABELS];
        size_t nl = row.val[2] ? split_labels(row.val[2], row.len[2], labels,
                                              lens)
                               : 0;
        for (size_t k = 0; k < nl; k++) {
            char key[256];
            vx_snprintf(key, sizeof key, "%.*s", (int)lens[k], labels[k]);
            idx_entry probe = {key, 0};
            idx_entry *e = bsearch(&probe, idx, ni, sizeof *idx, cmp_idx);
            if (e) {
                expected[e->index] = 1;
                continue;
            }
            int seen = 0;
            for (size_t u = 0; u < nunknown; u++)
                seen |= !strcmp(unknown[u], key);
            if (!seen) {
                char *copy = dupn(key, strlen(key));
                char **nu =
                    copy ? realloc(unknown, (nunknown + 1) * sizeof *nu) : NULL;
                if (!nu) {
                    free(copy);
                    rc = VOCX_ENOMEM;
                    goto done;
                }
                unknown = nu;
                unknown[nunknown++] = copy;
                vx_diag_add(d, VOCX_DIAG_WARNING, (uint32_t)row.line,
                            (uint32_t)row.col[2],
                            "expected issue \"%s\" is not defined by the "
                            "rules (a typo?)",
                            key);
            }
        }
        const vocx_result *res = NULL;
        const char *text = row.val[1] ? row.val[1] : "";
        size_t tlen = row.val[1] ? row.len[1] : 0;
        if ((rc = vocx_classify(rules, scratch, text, tlen, 0, &res)))
            goto done;
        const char *id = row.val[0] && row.len[0] ? row.val[0] : NULL;
        for (size_t h = 0; h < res->nhits; h++) {
            idx_entry probe = {res->hits[h].issue->id, 0};
            idx_entry *e = bsearch(&probe, idx, ni, sizeof *idx, cmp_idx);
            if (!e)
                continue;
            if (expected[e->index]) {
                ev->per[e->index].tp++;
                expected[e->index] = 2; /* matched */
            } else {
                ev->per[e->index].fp++;
                if ((rc = add_miss(ev, 1, e->id, id, row.line, text, tlen,
                                   res->hits[h].rule_line)))
                    goto done;
            }
        }
        for (size_t i = 0; i < ni; i++)
            if (expected[i] == 1) {
                ev->per[i].fn++;
                if ((rc = add_miss(ev, 0, ev->per[i].issue, id, row.line, text,
                                   tlen, 0)))
                    goto done;
            }
    }
    ev->shown = calloc(ni ? ni : 1, sizeof *ev->shown);
    if (!ev->shown) {
        rc = VOCX_ENOMEM;
        goto done;
    }
    double fsum = 0;
    ev->micro.issue = "(all)";
    for (size_t i = 0; i < ni; i++) {
        vocx_eval_issue *e = &ev->per[i];
        if (e->tp + e->fp + e->fn == 0)
            continue;
        finish(e);
        ev->shown[ev->nshown++] = *e;
        fsum += e->f1;
        ev->micro.tp += e->tp;
        ev->micro.fp += e->fp;
        ev->micro.fn += e->fn;
    }
    finish(&ev->micro);
    ev->macro_f1 = ev->nshown ? fsum / (double)ev->nshown : 1.0;
done:
    vx_table_free(t);
    if (src.f)
        fclose(src.f);
    for (size_t u = 0; u < nunknown; u++)
        free(unknown[u]);
    free(unknown);
    vocx_scratch_free(scratch);
    free(idx);
    free(expected);
    vx_diag_sort(d);
    if (diag && vocx_diagnostics_count(d))
        *diag = d;
    else
        vocx_diagnostics_free(d);
    if (rc) {
        vocx_eval_free(ev);
        return rc;
    }
    *out = ev;
    return VOCX_OK;
}

uint64_t vocx_eval_rows(const vocx_eval *ev) { return ev ? ev->rows : 0; }

int vocx_eval_totals(const vocx_eval *ev, vocx_eval_issue *micro,
                     double *macro_f1)
{
    if (!ev)
        return VOCX_EINVAL;
    if (micro)
        *micro = ev->micro;
    if (macro_f1)
        *macro_f1 = ev->macro_f1;
    return VOCX_OK;
}

size_t vocx_eval_issue_count(const vocx_eval *ev) { return ev ? ev->nshown : 0; }

const vocx_eval_issue *vocx_eval_issue_get(const vocx_eval *ev, size_t i)
{
    return ev && i < ev->nshown ? &ev->shown[i] : NULL;
}

size_t vocx_eval_miss_count(const vocx_eval *ev) { return ev ? ev->nmiss : 0; }

const vocx_eval_miss *vocx_eval_miss_get(const vocx_eval *ev, size_t i)
{
    return ev && i < ev->nmiss ? &ev->miss[i] : NULL;
}
