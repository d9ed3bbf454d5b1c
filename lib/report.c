/* Reports: the ranked issue report (self-contained HTML), team digests
 * (Markdown or HTML) and the at-risk customer export.  Every figure comes
 * from vocx_rank() / vocx_rank_explain() under the caller's rank options,
 * so a report agrees with `vocx rank` run with the same filters.  See
 * docs/reports.md. */
#include "iso8601.h"
#include "svg.h"
#include "utf8.h"
#include "vocx_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_TOP 10
#define MAX_TOP 50
#define DEFAULT_QUOTES 3
#define DEFAULT_DIGEST_QUOTES 5
#define MAX_QUOTES 50
#define DEFAULT_WEEKS 12
#define MAX_WEEKS 104
#define TREND_ISSUES 5
#define QUOTE_BYTES 700
#define OPPORTUNITY_QUOTES 1

/* ---- the nine CX ROI building blocks ------------------------------------ */

static const struct {
    const char *id, *label;
    int group; /* 0 C5, 1 I2, 2 E2 */
} BLOCKS[] = {
    {"customer_voice", "Customer voice", 0},
    {"cx_strategy", "Customer-focused strategy", 0},
    {"culture", "Customer-centric culture", 0},
    {"customer_intelligence", "Customer intelligence", 0},
    {"clv", "Customer lifetime value", 0},
    {"improvement", "Improvement (fix hassles)", 1},
    {"innovation", "Innovation (new value)", 1},
    {"engaging_internally", "Engaging internally", 2},
    {"engaging_externally", "Engaging externally", 2},
};
#define NBLOCKS (sizeof BLOCKS / sizeof BLOCKS[0])

static const char *const GROUP_TITLE[] = {
    "C5 \xC2\xB7 set the stage", "I2 \xC2\xB7 adapt", "E2 \xC2\xB7 engage",
    "Other building blocks"};

static int block_index(const char *id)
{
    for (size_t i = 0; i < NBLOCKS; i++)
        if (id && !strcmp(BLOCKS[i].id, id))
            return (int)i;
    return -1;
}

static const char *block_label(const char *id)
{
    int b = block_index(id);
    return b >= 0 ? BLOCKS[b].label : id ? id : "";
}

static int block_group(const char *id)
{
    int b = block_index(id);
    return b >= 0 ? BLOCKS[b].group : 3;
}

/* ---- small helpers ------------------------------------------------------ */

static char *dupstr(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int is_kind(const vocx_rank_row *r, const char *kind)
{
    return r->kind && !strcmp(r->kind, kind);
}

static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "2026-01-02T18:11:00Z" -> "2 Jan 2026". */
static const char *fmt_date(const char *iso, char out[32])
{
    int y, m, d;
    if (iso && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 &&
        m <= 12)
        snprintf(out, 32, "%d %s %d", d, MONTHS[m - 1], y);
    else
        snprintf(out, 32, "date unknown");
    return out;
}

/* "2026-01-02T18:11:00Z" -> "2026-01-02 18:11 UTC". */
static const char *fmt_stamp(const char *iso, char out[40])
{
    if (iso && strlen(iso) >= 16)
        snprintf(out, 40, "%.10s %.5s UTC", iso, iso + 11);
    else
        snprintf(out, 40, "%s", iso ? iso : "");
    return out;
}

/* Parse a plain JSON/decimal number without the C locale: [-]d[.d][e[+-]d]. */
static int parse_number(const char *p, const char **end, double *out)
{
    const char *q = p;
    int neg = 0;
    if (*q == '-') {
        neg = 1;
        q++;
    }
    if (*q < '0' || *q > '9')
        return -1;
    double v = 0;
    while (*q >= '0' && *q <= '9')
        v = v * 10 + (*q++ - '0');
    if (*q == '.') {
        double f = 0.1;
        for (q++; *q >= '0' && *q <= '9'; q++, f /= 10)
            v += (*q - '0') * f;
    }
    if (*q == 'e' || *q == 'E') {
        q++;
        int eneg = 0, e = 0;
        if (*q == '+' || *q == '-')
            eneg = *q++ == '-';
        while (*q >= '0' && *q <= '9' && e < 400)
            e = e * 10 + (*q++ - '0');
        v *= pow(10, eneg ? -e : e);
    }
    *out = neg ? -v : v;
    *end = q;
    return 0;
}

/* A number with about four significant digits, for model parameters. */
static const char *fmt_param(double v, char out[48])
{
    double a = fabs(v);
    return vx_fmt_fixed(v, a >= 1000 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4, 1,
                        out);
}

/* ---- spans: "[[start,end],...]" byte ranges of the matched phrases ------ */

typedef struct span {
    size_t a, b;
} span;

static int cmp_span(const void *x, const void *y)
{
    const span *p = x, *q = y;
    return p->a < q->a ? -1 : p->a > q->a ? 1 : p->b < q->b ? -1 : p->b > q->b;
}

static int is_cont(const char *t, size_t i)
{
    return ((unsigned char)t[i] & 0xC0) == 0x80;
}

/* Parse, check (inside the text, on character boundaries), sort and merge
 * the spans; at most `cap`.  Returns the count. */
static size_t parse_spans(const char *json, const char *text, size_t len,
                          span *out, size_t cap)
{
    size_t n = 0;
    const char *p = json ? json : "";
    while (n < cap && (p = strchr(p, '['))) {
        p++;
        while (*p == ' ' || *p == '[')
            p++;
        double a, b;
        const char *e;
        if (parse_number(p, &e, &a))
            continue;
        p = e;
        while (*p == ' ' || *p == ',')
            p++;
        if (parse_number(p, &e, &b))
            continue;
        p = e;
        if (!(a >= 0 && b > a && b <= (double)len))
            continue;
        size_t x = (size_t)a, y = (size_t)b;
        if (is_cont(text, x) || (y < len && is_cont(text, y)))
            continue;
        out[n].a = x;
        out[n].b = y;
        n++;
    }
    qsort(out, n, sizeof *out, cmp_span);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && out[i].a <= out[m - 1].b) {
            if (out[i].b > out[m - 1].b)
                out[m - 1].b = out[i].b;
        } else {
            out[m++] = out[i];
        }
    }
    return m;
}

/* Where to cut a long comment: at most QUOTE_BYTES, on a character
 * boundary, at a space when there is one near. */
static size_t clip_len(const char *t, size_t len)
{
    if (len <= QUOTE_BYTES)
        return len;
    size_t cut = QUOTE_BYTES;
    while (cut > 0 && is_cont(t, cut))
        cut--;
    for (size_t k = cut; k > cut - 120 && k > 0; k--)
        if (t[k] == ' ') {
            cut = k;
            break;
        }
    return cut;
}

enum { MARK_HTML, MARK_MD };

/* A comment with its matched phrases marked, escaped for the format. */
static void out_marked(vx_out *o, int fmt, const char *text,
                       const char *spans_json, const char *md_cont)
{
    span sp[64];
    size_t len = strlen(text);
    size_t n = parse_spans(spans_json, text, len, sp, 64);
    size_t cut = clip_len(text, len);
    if (fmt == MARK_MD) {
        /* Emphasis cannot start or end with white space. */
        vx_range r[64];
        size_t m = 0;
        for (size_t i = 0; i < n && sp[i].a < cut; i++) {
            size_t a = sp[i].a, b = sp[i].b < cut ? sp[i].b : cut;
            while (a < b && strchr(" \t\r\n", text[a]))
                a++;
            while (b > a && strchr(" \t\r\n", text[b - 1]))
                b--;
            if (a < b) {
                r[m].start = a;
                r[m].end = b;
                m++;
            }
        }
        vx_out_md_marked(o, text, cut, md_cont, r, m);
    } else {
        size_t pos = 0;
        for (size_t i = 0; i < n && sp[i].a < cut; i++) {
            size_t a = sp[i].a, b = sp[i].b < cut ? sp[i].b : cut;
            vx_out_html(o, text + pos, a - pos);
            vx_out_puts(o, "<mark>");
            vx_out_html(o, text + a, b - a);
            vx_out_puts(o, "</mark>");
            pos = b;
        }
        vx_out_html(o, text + pos, cut - pos);
    }
    if (cut < len)
        vx_out_puts(o, " \xE2\x80\xA6");
}

/* ---- options ------------------------------------------------------------ */

int vocx_report_options_init(vocx_report_options *opts, unsigned int version)
{
    if (!opts || version != VOCX_REPORT_OPTIONS_VERSION)
        return VOCX_EINVAL;
    vocx_report_options d = VOCX_REPORT_OPTIONS_INIT;
    *opts = d;
    return VOCX_OK;
}

/* The resolved options of one report run. */
typedef struct rep {
    vocx_store *s;
    vocx_report_options o;
    vocx_rank_options ro;
    const char *cur;
    size_t top, quotes, weeks;
    vocx_ranking *rk;
    vocx_ranking_totals t;
    vocx_store_totals st;
    char now[21];
    /* provenance */
    int64_t ruleset_id;
    char ruleset_name[256], ruleset_loaded[21];
    int have_model;
    char model_kind[32], model_fitted[21], model_cal_end[21];
    char model_params[512];
    double horizon, discount, margin;
    int64_t model_customers;
    int converged, have_converged;
    int snapshot; /* this run began the store's read snapshot */
} rep;

static int check_report_options(vocx_store *s, const vocx_report_options *in,
                                rep *r, int digest)
{
    memset(r, 0, sizeof *r);
    r->s = s;
    vocx_report_options d = VOCX_REPORT_OPTIONS_INIT;
    r->o = in ? *in : d;
    if (r->o.version != VOCX_REPORT_OPTIONS_VERSION)
        return vx_fail(s, VOCX_EINVAL,
                       "unsupported vocx_report_options version %u",
                       r->o.version);
    vocx_rank_options rd = VOCX_RANK_OPTIONS_INIT;
    r->ro = r->o.rank ? *r->o.rank : rd;
    r->top = r->o.top ? r->o.top : DEFAULT_TOP;
    r->quotes = r->o.comments_per_issue
                    ? r->o.comments_per_issue
                    : digest ? DEFAULT_DIGEST_QUOTES : DEFAULT_QUOTES;
    r->weeks = r->o.weeks ? r->o.weeks : DEFAULT_WEEKS;
    if (r->top > MAX_TOP)
        return vx_fail(s, VOCX_EINVAL, "top: at most %d issues, not %zu",
                       MAX_TOP, r->top);
    if (r->quotes > MAX_QUOTES)
        return vx_fail(s, VOCX_EINVAL,
                       "comments_per_issue: at most %d, not %zu", MAX_QUOTES,
                       r->quotes);
    if (r->weeks > MAX_WEEKS)
        return vx_fail(s, VOCX_EINVAL, "weeks: at most %d, not %zu",
                       MAX_WEEKS, r->weeks);
    r->cur = r->o.currency ? r->o.currency : "";
    if (r->o.generated_at)
        vx_snprintf(r->now, sizeof r->now, "%s", r->o.generated_at);
    else
        vx_now_iso(r->now);
    return VOCX_OK;
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    vx_snprintf(out, cap, "%s", v ? v : "");
}

/* Every figure of a report comes from one read snapshot (unless the
 * caller has one open already), so its sections agree while other
 * processes write.  A recorded ranking is written before the snapshot
 * begins: the rest then reads what it recorded and anything committed
 * between the two. */
static int begin_snapshot(rep *r)
{
    if (r->s->snapshot)
        return VOCX_OK;
    int rc = vocx_store_snapshot_begin(r->s);
    r->snapshot = rc == VOCX_OK;
    return rc;
}

/* The ranking, its totals and what the provenance section shows. */
static int load(rep *r)
{
    vocx_store *s = r->s;
    int record = r->ro.record;
    int rc;
    if ((!record && (rc = begin_snapshot(r))) ||
        (rc = vocx_rank(&r->rk, s, &r->ro)) ||
        (record && (rc = begin_snapshot(r))))
        return rc;
    vocx_ranking_totals_get(r->rk, &r->t);
    if ((rc = vocx_store_totals_get(s, &r->st)))
        return rc;
    static const char sql_rs[] =
        "SELECT ruleset_id, name, loaded_at FROM rulesets WHERE hash = ?1";
    sqlite3_stmt *st = vx_stmt(s, sql_rs);
    if (!st)
        return s->errcode;
    sqlite3_bind_text(st, 1, r->t.ruleset, -1, SQLITE_TRANSIENT);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        r->ruleset_id = sqlite3_column_int64(st, 0);
        col_text(st, 1, r->ruleset_name, sizeof r->ruleset_name);
        col_text(st, 2, r->ruleset_loaded, sizeof r->ruleset_loaded);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vx_fail_db(s, "cannot read the rule set");
    static const char sql_m[] =
        "SELECT kind, fitted_at, calibration_end, horizon_months,"
        " annual_discount, margin, params, customers, converged"
        " FROM clv_models WHERE model_id = ?1";
    if (!(st = vx_stmt(s, sql_m)))
        return s->errcode;
    sqlite3_bind_int64(st, 1, r->t.clv_model_id);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        r->have_model = 1;
        col_text(st, 0, r->model_kind, sizeof r->model_kind);
        col_text(st, 1, r->model_fitted, sizeof r->model_fitted);
        col_text(st, 2, r->model_cal_end, sizeof r->model_cal_end);
        r->horizon = sqlite3_column_double(st, 3);
        r->discount = sqlite3_column_double(st, 4);
        r->margin = sqlite3_column_double(st, 5);
        col_text(st, 6, r->model_params, sizeof r->model_params);
        r->model_customers = sqlite3_column_int64(st, 7);
        r->have_converged = sqlite3_column_type(st, 8) != SQLITE_NULL;
        r->converged = sqlite3_column_int(st, 8);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vx_fail_db(s, "cannot read the CLV model");
    return VOCX_OK;
}

static void rep_free(rep *r)
{
    vocx_ranking_free(r->rk);
    r->rk = NULL;
    if (r->snapshot) { /* a read: nothing to keep, and no error to add */
        r->s->snapshot = 0;
        sqlite3_exec(r->s->db, "COMMIT", NULL, NULL, NULL);
        r->snapshot = 0;
    }
}

/* ---- comments behind an issue (vocx_rank_explain) ----------------------- */

typedef struct quote {
    char *customer_id, *comment_id, *created_at, *channel, *text, *spans,
        *clv_source, *risk_source;
    int known, churn;
    double clv, risk, attributed;
    uint64_t comments; /* the customer's comments on the issue */
} quote;

static void quote_free(quote *q)
{
    free(q->customer_id);
    free(q->comment_id);
    free(q->created_at);
    free(q->channel);
    free(q->text);
    free(q->spans);
    free(q->clv_source);
    free(q->risk_source);
    memset(q, 0, sizeof *q);
}

static int quote_set(quote *q, const vocx_evidence *ev)
{
    quote_free(q);
    q->known = ev->known;
    q->churn = ev->churn_cues > 0;
    q->clv = ev->clv;
    q->risk = ev->risk;
    q->attributed = ev->clv_at_risk_attributed;
    q->customer_id = dupstr(ev->customer_id);
    q->comment_id = dupstr(ev->comment_id);
    q->created_at = dupstr(ev->created_at);
    q->channel = dupstr(ev->channel);
    q->text = dupstr(ev->text ? ev->text : "");
    q->spans = dupstr(ev->spans);
    q->clv_source = dupstr(ev->clv_source);
    q->risk_source = dupstr(ev->risk_source);
    if ((ev->customer_id && !q->customer_id) ||
        (ev->comment_id && !q->comment_id) ||
        (ev->created_at && !q->created_at) || (ev->channel && !q->channel) ||
        !q->text || (ev->spans && !q->spans) ||
        (ev->clv_source && !q->clv_source) ||
        (ev->risk_source && !q->risk_source))
        return -1;
    return 0;
}

typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static int strlist_add(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = dupstr(s ? s : "")))
        return -1;
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t strlist_distinct(strlist *l)
{
    if (!l->n)
        return 0;
    qsort(l->v, l->n, sizeof *l->v, cmp_str);
    size_t d = 1;
    for (size_t i = 1; i < l->n; i++)
        d += strcmp(l->v[i], l->v[i - 1]) != 0;
    return d;
}

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Walks the evidence of one issue customer by customer (as
 * vocx_rank_explain gives it: by attributed value, each customer's comments
 * in date order) and keeps one comment per customer: the latest with a
 * churn cue, else the latest. */
typedef struct walker {
    size_t want_known;  /* stop after this many customers with a CLV;
                           0: walk everything */
    size_t want_other;  /* keep at most this many without a CLV */
    quote *known;
    size_t nknown, capknown;
    quote *other;
    size_t nother;
    strlist *unmatched_comments; /* export: left-out comment ids */
    strlist *anonymous_comments;
    strlist *unknown_customers;
    /* the customer being walked */
    int in_group, gnull;
    char *gid;
    quote cand;
    int have_cand;
    uint64_t gcount;
    int oom;
} walker;

static int close_group(walker *w)
{
    if (!w->have_cand)
        return 0;
    w->cand.comments = w->gcount;
    if (w->cand.known) {
        if (!w->want_known || w->nknown < w->want_known) {
            if (w->nknown == w->capknown) {
                size_t cap = w->capknown ? 2 * w->capknown : 8;
                quote *v = realloc(w->known, cap * sizeof *v);
                if (!v)
                    return -1;
                w->known = v;
                w->capknown = cap;
            }
            w->known[w->nknown++] = w->cand;
            memset(&w->cand, 0, sizeof w->cand);
        }
    } else if (w->nother < w->want_other) {
        int dup = 0;
        for (size_t i = 0; i < w->nother; i++)
            if (w->other[i].comment_id && w->cand.comment_id &&
                !strcmp(w->other[i].comment_id, w->cand.comment_id))
                dup = 1;
        if (!dup) {
            w->other[w->nother++] = w->cand;
            memset(&w->cand, 0, sizeof w->cand);
        }
    }
    quote_free(&w->cand);
    w->have_cand = 0;
    w->gcount = 0;
    return 0;
}

static int on_walk(const vocx_evidence *ev, void *payload)
{
    walker *w = payload;
    int same = w->in_group &&
               (ev->customer_id ? !w->gnull && !strcmp(ev->customer_id, w->gid)
                                : w->gnull);
    if (!same) {
        if (close_group(w)) {
            w->oom = 1;
            return 1;
        }
        /* Enough customers with a CLV: the others would not be shown. */
        if (w->want_known && w->nknown >= w->want_known)
            return 1;
        free(w->gid);
        w->gid = dupstr(ev->customer_id);
        if (ev->customer_id && !w->gid) {
            w->oom = 1;
            return 1;
        }
        w->gnull = ev->customer_id == NULL;
        w->in_group = 1;
    }
    if (!ev->known) {
        if (w->unmatched_comments &&
            strlist_add(w->unmatched_comments, ev->comment_id)) {
            w->oom = 1;
            return 1;
        }
        if (!ev->customer_id && w->anonymous_comments &&
            strlist_add(w->anonymous_comments, ev->comment_id)) {
            w->oom = 1;
            return 1;
        }
        if (ev->customer_id && w->unknown_customers && !same &&
            strlist_add(w->unknown_customers, ev->customer_id)) {
            w->oom = 1;
            return 1;
        }
    }
    w->gcount++;
    /* Later comments replace earlier ones, except that a comment with a
     * churn cue is not replaced by one without. */
    if (!w->have_cand || ev->churn_cues > 0 || !w->cand.churn) {
        if (quote_set(&w->cand, ev)) {
            w->oom = 1;
            return 1;
        }
        w->have_cand = 1;
    }
    return 0;
}

static void walker_free(walker *w)
{
    for (size_t i = 0; i < w->nknown; i++)
        quote_free(&w->known[i]);
    free(w->known);
    for (size_t i = 0; i < w->nother; i++)
        quote_free(&w->other[i]);
    free(w->other);
    quote_free(&w->cand);
    free(w->gid);
    memset(w, 0, sizeof *w);
}

/* Prepare a walker.  want_known 0: every customer. */
static int walk_init(vocx_store *s, walker *w, size_t want_known,
                     size_t want_other)
{
    memset(w, 0, sizeof *w);
    w->want_known = want_known;
    w->want_other = want_other;
    if (want_other &&
        !(w->other = calloc(want_other, sizeof *w->other)))
        return vx_fail(s, VOCX_ENOMEM, "out of memory");
    return VOCX_OK;
}

static int walk_run(vocx_store *s, const vocx_rank_options *ro,
                    const char *issue, walker *w)
{
    vocx_rank_options o = *ro;
    o.record = 0;
    int rc = vocx_rank_explain(s, &o, issue, on_walk, w);
    if (w->oom)
        return vx_fail(s, VOCX_ENOMEM, "out of memory");
    if (rc == VOCX_ECANCEL) /* we stopped it: enough comments */
        rc = VOCX_OK;
    if (!rc && close_group(w))
        return vx_fail(s, VOCX_ENOMEM, "out of memory");
    return rc;
}

/* The quotes of an issue: customers with a CLV first, then others. */
static int issue_quotes(rep *r, const char *issue, size_t want, walker *w)
{
    int rc = walk_init(r->s, w, want, want);
    if (!rc)
        rc = walk_run(r->s, &r->ro, issue, w);
    return rc;
}

/* ---- weeks -------------------------------------------------------------- */

typedef struct week {
    char since[21], until[21];
    char top[8], bottom[16], full[64];
    char iso[12]; /* "2026-W03" */
} week;

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t monday_of(int64_t day)
{
    int64_t wd = ((day + 3) % 7 + 7) % 7; /* 0 = Monday; day 0 a Thursday */
    return day - wd;
}

/* The ISO weeks of the trend: the last `r->weeks` weeks that hold comments
 * under the time filters, each clipped to since/until. */
static int plan_weeks(rep *r, week **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!r->st.first_at[0] || !r->st.last_at[0])
        return VOCX_OK;
    int64_t first, last, since = INT64_MIN, until = INT64_MAX;
    if (vx_time_parse(r->st.first_at, strlen(r->st.first_at), &first, NULL) ||
        vx_time_parse(r->st.last_at, strlen(r->st.last_at), &last, NULL))
        return VOCX_OK;
    if (r->ro.since &&
        !vx_time_parse(r->ro.since, strlen(r->ro.since), &since, NULL) &&
        since > first)
        first = since;
    if (r->ro.until &&
        !vx_time_parse(r->ro.until, strlen(r->ro.until), &until, NULL) &&
        until - 1 < last)
        last = until - 1;
    if (last < first)
        return VOCX_OK;
    int64_t m_first = monday_of(floor_div(first, 86400));
    int64_t m_last = monday_of(floor_div(last, 86400));
    size_t count = (size_t)((m_last - m_first) / 7 + 1);
    if (count > r->weeks)
        count = r->weeks;
    week *w = calloc(count, sizeof *w);
    if (!w)
        return vx_fail(r->s, VOCX_ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        int64_t mon = m_last - 7 * (int64_t)(count - 1 - i);
        int64_t a = mon * 86400, b = (mon + 7) * 86400;
        vx_time_format(a > since ? a : since, w[i].since);
        vx_time_format(b < until ? b : until, w[i].until);
        int y, ty;
        unsigned m, d, tm, td;
        vx_civil_from_days(mon, &y, &m, &d);
        vx_civil_from_days(mon + 3, &ty, &tm, &td); /* Thursday: ISO year */
        int64_t wk = (mon + 3 - vx_days_from_civil(ty, 1, 1)) / 7 + 1;
        snprintf(w[i].top, sizeof w[i].top, "W%02d", (int)wk);
        snprintf(w[i].bottom, sizeof w[i].bottom, "%u %s", d, MONTHS[m - 1]);
        snprintf(w[i].iso, sizeof w[i].iso, "%04d-W%02d", ty, (int)wk);
        snprintf(w[i].full, sizeof w[i].full, "%s, week of %04d-%02u-%02u",
                 w[i].iso, y, m, d);
    }
    *out = w;
    *n = count;
    return VOCX_OK;
}

/* Weekly figures: vocx_rank() per week.  values/counts are
 * [series][week]; series 0 is every issue, then `ids`. */
static int weekly_figures(rep *r, const week *w, size_t nweeks,
                          const char *const *ids, size_t nids, double *values,
                          uint64_t *counts)
{
    for (size_t k = 0; k < nweeks; k++) {
        vocx_rank_options o = r->ro;
        o.since = w[k].since;
        o.until = w[k].until;
        o.record = 0;
        vocx_ranking *rk = NULL;
        int rc = vocx_rank(&rk, r->s, &o);
        if (rc)
            return rc;
        vocx_ranking_totals t;
        vocx_ranking_totals_get(rk, &t);
        values[k] = t.clv_at_risk_attributed;
        counts[k] = t.classified;
        for (size_t i = 0; i < nids; i++) {
            values[(i + 1) * nweeks + k] = 0;
            counts[(i + 1) * nweeks + k] = 0;
            for (size_t j = 0; j < vocx_ranking_count(rk); j++) {
                const vocx_rank_row *row = vocx_ranking_row(rk, j);
                if (!strcmp(row->issue, ids[i])) {
                    values[(i + 1) * nweeks + k] = row->clv_at_risk_attributed;
                    counts[(i + 1) * nweeks + k] = row->comments;
                }
            }
        }
        vocx_ranking_free(rk);
    }
    return VOCX_OK;
}

/* ---- HTML pieces -------------------------------------------------------- */

static const char CSS[] =
    ":root{--ink:#1c2530;--muted:#5a6573;--faint:#8b95a1;--rule:#e2e6ea;"
    "--soft:#f5f7f9;--accent:#b0432b;--accent-soft:#fbf4f1;--blue:#35628f;"
    "--teal:#2c7a6d;--ochre:#a46b1c;--grey:#9aa4af;--mark:#fbe3a0}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#e8ecf0;color:var(--ink);font:15px/1.55 "
    "system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,"
    "\"Noto Sans\",\"Liberation Sans\",sans-serif,\"Apple Color Emoji\","
    "\"Segoe UI Emoji\",\"Noto Color Emoji\";"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    ".page{max-width:1180px;margin:24px auto;background:#fff;"
    "padding:40px 56px 44px;box-shadow:0 1px 4px rgba(20,30,40,.10)}\n"
    ".masthead{display:flex;justify-content:space-between;align-items:"
    "flex-end;gap:24px;border-bottom:1px solid var(--rule);"
    "padding-bottom:16px}\n"
    ".eyebrow{margin:0 0 6px;color:var(--accent);font-size:12px;"
    "font-weight:700;letter-spacing:.12em;text-transform:uppercase}\n"
    "h1{margin:0;font-size:30px;line-height:1.2;letter-spacing:-.01em}\n"
    ".meta{margin:0;color:var(--muted);font-size:13px;text-align:right}\n"
    ".headline{margin:26px 0 0;padding:20px 26px;border-left:6px solid "
    "var(--accent);background:var(--accent-soft)}\n"
    ".headline h2{margin:0 0 8px;font-size:25px;line-height:1.3;"
    "font-weight:700}\n"
    ".headline h2 .ff{color:var(--accent)}\n"
    ".headline p{margin:0;color:#3b4652;max-width:62em}\n"
    ".kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;"
    "margin:20px 0 0}\n"
    ".kpi{border:1px solid var(--rule);border-radius:6px;padding:13px 16px}\n"
    ".kpi .v{display:block;font-size:23px;font-weight:700;"
    "font-variant-numeric:tabular-nums;line-height:1.25}\n"
    ".kpi .l{display:block;font-size:13px;color:var(--ink);font-weight:600}\n"
    ".kpi .s{display:block;font-size:12px;color:var(--muted);margin-top:3px}\n"
    "section{margin-top:42px}\n"
    "h2.sec{font-size:19px;margin:0 0 4px;padding-top:14px;"
    "border-top:2px solid var(--ink)}\n"
    ".num-badge{color:var(--accent);margin-right:10px;"
    "font-variant-numeric:tabular-nums}\n"
    ".lead{margin:0 0 12px;color:var(--muted);font-size:14px;"
    "max-width:62em}\n"
    "figure{margin:10px 0 0}\n"
    "figcaption{font-size:12.5px;color:var(--muted);margin-top:4px}\n"
    "svg.chart{display:block;width:100%;height:auto;font-family:inherit}\n"
    "svg text{fill:var(--ink);font-size:12px}\n"
    "svg .tick{fill:var(--muted);font-size:11px;"
    "font-variant-numeric:tabular-nums}\n"
    "svg .axis-title{fill:var(--muted);font-size:11.5px}\n"
    "svg .grid{stroke:var(--rule);stroke-width:1}\n"
    "svg .base,svg .tickmark{stroke:#a9b2bb;stroke-width:1}\n"
    "svg .ref{stroke:var(--accent);stroke-dasharray:4 4;stroke-width:1;"
    "opacity:.55}\n"
    "svg .ref-label{fill:var(--accent);font-size:11px}\n"
    "svg .bar{fill:var(--blue)}\n"
    "svg .bar-first{fill:var(--accent)}\n"
    "svg .bar-other{fill:#c4ccd4}\n"
    "svg .bar-value{font-weight:700;font-size:11.5px;"
    "font-variant-numeric:tabular-nums}\n"
    "svg .bar-label{fill:var(--muted);font-size:11px}\n"
    "svg .cum-line{fill:none;stroke:var(--ink);stroke-width:1.6}\n"
    "svg .cum-dot{fill:#fff;stroke:var(--ink);stroke-width:1.5}\n"
    "svg .cum-label{font-size:10.5px;font-variant-numeric:tabular-nums}\n"
    "svg .group-label{font-weight:700;font-size:11.5px;letter-spacing:.08em;"
    "fill:var(--muted)}\n"
    "svg .group-rule{stroke:var(--rule)}\n"
    "svg .row-label{font-size:13px}\n"
    "svg .row-value{font-weight:700;font-size:12.5px;"
    "font-variant-numeric:tabular-nums}\n"
    "svg .row-note{fill:var(--muted);font-size:12px}\n"
    "svg .g0{fill:var(--blue)} svg .g1{fill:var(--teal)} "
    "svg .g2{fill:var(--ochre)} svg .g3{fill:var(--grey)}\n"
    "svg .panel-label{font-weight:600;font-size:13px}\n"
    "svg .panel-note{fill:var(--muted);font-size:11.5px}\n"
    "svg .wbar{fill:var(--blue)} svg .wbar-total{fill:#5d6975}\n"
    "svg .wcount{fill:var(--muted);font-size:10.5px;"
    "font-variant-numeric:tabular-nums} svg .wcount.zero{fill:#c6cdd4}\n"
    "svg .week{font-weight:600;fill:var(--ink)}\n"
    "table{border-collapse:collapse;width:100%;font-size:13.5px;"
    "margin-top:12px}\n"
    "th,td{padding:7px 10px;border-bottom:1px solid var(--rule);"
    "text-align:left;vertical-align:top}\n"
    "thead th{font-size:12px;color:var(--muted);font-weight:600;"
    "border-bottom:1.5px solid var(--ink);vertical-align:bottom}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "tr.first td{background:var(--accent-soft)}\n"
    "tr.other td{color:var(--muted)}\n"
    "tfoot td{font-weight:700;border-bottom:none;border-top:1.5px solid "
    "var(--ink)}\n"
    "caption{caption-side:bottom;text-align:left;font-size:12px;"
    "color:var(--muted);padding-top:6px}\n"
    ".id{display:block;color:var(--faint);font-size:11.5px;font-family:"
    "ui-monospace,\"SF Mono\",Menlo,Consolas,\"Liberation Mono\",monospace}\n"
    ".chip{display:inline-block;font-size:11.5px;line-height:1.6;"
    "padding:0 8px;border-radius:10px;white-space:nowrap;font-weight:600;"
    "border:1px solid var(--rule);background:var(--soft);color:var(--muted)}\n"
    ".chip.g0{background:#edf2f8;border-color:#cbd8e6;color:#2d5479}\n"
    ".chip.g1{background:#ebf5f3;border-color:#c4e0da;color:#235f55}\n"
    ".chip.g2{background:#f8f1e6;border-color:#e8d4b5;color:#7d5215}\n"
    "details{margin-top:8px;font-size:13px}\n"
    "summary{cursor:pointer;color:var(--blue)}\n"
    ".tablewrap{overflow-x:auto}\n"
    ".issues{display:grid;gap:16px;margin-top:14px}\n"
    ".issue{border:1px solid var(--rule);border-radius:8px;"
    "padding:16px 22px 18px}\n"
    ".issue h3{margin:0;font-size:17px;line-height:1.35}\n"
    ".issue h3 .rank{color:var(--accent);margin-right:8px;"
    "font-variant-numeric:tabular-nums}\n"
    ".issue .sub{margin:4px 0 0;font-size:13px;color:var(--muted)}\n"
    ".figs{display:flex;flex-wrap:wrap;gap:6px 34px;margin:12px 0 4px;"
    "padding:0;list-style:none}\n"
    ".figs li{display:flex;flex-direction:column}\n"
    ".figs b{font-size:17px;font-variant-numeric:tabular-nums}\n"
    ".figs span{font-size:12px;color:var(--muted)}\n"
    "blockquote{margin:10px 0 0;padding:9px 16px;border-left:3px solid "
    "#cfd6dd;background:var(--soft);border-radius:0 6px 6px 0}\n"
    "blockquote p{margin:0;white-space:pre-line;overflow-wrap:anywhere}\n"
    "blockquote footer{margin-top:5px;font-size:12px;color:var(--muted)}\n"
    ".churn{color:var(--accent);font-weight:600}\n"
    "mark{background:var(--mark);color:inherit;padding:0 2px;"
    "border-radius:2px}\n"
    ".cbar{display:block;height:7px;background:var(--teal);"
    "border-radius:4px;margin-top:5px;min-width:2px}\n"
    ".opp-quotes{display:grid;grid-template-columns:1fr 1fr;gap:12px;"
    "margin-top:6px}\n"
    ".opp-quotes blockquote{border-left-color:var(--teal)}\n"
    ".opp-quotes .who{font-weight:600;font-size:12.5px;color:var(--ink)}\n"
    ".empty{color:var(--muted);font-style:italic}\n"
    "dl.prov{display:grid;grid-template-columns:230px 1fr;gap:7px 18px;"
    "font-size:13.5px;margin:14px 0 0}\n"
    "dl.prov dt{color:var(--muted)} dl.prov dd{margin:0}\n"
    "code{font-family:ui-monospace,\"SF Mono\",Menlo,Consolas,"
    "\"Liberation Mono\",monospace;font-size:12.5px;background:var(--soft);"
    "padding:1px 5px;border-radius:3px;overflow-wrap:anywhere}\n"
    ".foot{margin-top:34px;border-top:1px solid var(--rule);padding-top:10px;"
    "font-size:12px;color:var(--faint)}\n"
    "@media (max-width:820px){.page{padding:22px;margin:0}"
    ".kpis{grid-template-columns:1fr 1fr}.masthead{display:block}"
    ".meta{text-align:left;margin-top:8px}.opp-quotes{grid-template-columns:"
    "1fr}dl.prov{grid-template-columns:1fr}}\n"
    "@media print{body{background:#fff;font-size:10.5pt}"
    ".page{box-shadow:none;margin:0;max-width:none;padding:0}"
    ".issue,figure,.kpi,blockquote,tr{break-inside:avoid}"
    "h2,h3{break-after:avoid}details{display:none}}\n"
    "@page{margin:14mm 12mm}\n";

static void html_head(vx_out *o, const char *title)
{
    vx_out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                   "<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, "
                   "initial-scale=1\">\n"
                   "<meta name=\"generator\" content=\"vocx ");
    vx_out_puts(o, VOCX_VERSION_STRING);
    vx_out_puts(o, "\">\n<title>");
    vx_out_html(o, title, (size_t)-1);
    vx_out_puts(o, "</title>\n<style>\n");
    vx_out_puts(o, CSS);
    vx_out_puts(o, "</style>\n</head>\n<body>\n<div class=\"page\">\n");
}

static void html_tail(vx_out *o)
{
    vx_out_puts(o, "</div>\n</body>\n</html>\n");
}

static void html_money(vx_out *o, const rep *r, double v)
{
    char m[96];
    vx_out_html(o, vx_fmt_money(r->cur, v, m), (size_t)-1);
}

static void html_count(vx_out *o, uint64_t n)
{
    char c[32];
    vx_out_puts(o, vx_fmt_count(n, c));
}

static void html_chip(vx_out *o, const char *block)
{
    vx_out_printf(o, "<span class=\"chip g%d\">", block_group(block));
    vx_out_html(o, block_label(block), (size_t)-1);
    vx_out_puts(o, "</span>");
}

/* "since 2026-03-01, channel chat" or "none (every comment)". */
static void describe_filters(vx_out *o, const vocx_rank_options *ro)
{
    int n = 0;
    const char *names[] = {"since", "until", "channel", "segment", "block"};
    const char *vals[] = {ro->since, ro->until, ro->channel, ro->segment,
                          ro->block};
    for (int i = 0; i < 5; i++) {
        if (!vals[i])
            continue;
        vx_out_puts(o, n++ ? ", " : "");
        vx_out_puts(o, names[i]);
        vx_out_puts(o, " <code>");
        vx_out_html(o, vals[i], (size_t)-1);
        vx_out_puts(o, "</code>");
    }
    if (ro->kind) {
        vx_out_puts(o, n++ ? ", " : "");
        vx_out_puts(o, "kind <code>");
        vx_out_puts(o, ro->kind == VOCX_KIND_PROBLEM       ? "problem"
                       : ro->kind == VOCX_KIND_OPPORTUNITY ? "opportunity"
                                                           : "praise");
        vx_out_puts(o, "</code>");
    }
    if (!n)
        vx_out_puts(o, "none (every classified comment)");
}

/* A shell word: quoted when it holds anything but safe characters. */
static void shell_word(vx_out *o, const char *s)
{
    int plain = *s != '\0';
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789-_.:/+=,@",
                    *p))
            plain = 0;
    if (plain) {
        vx_out_html(o, s, (size_t)-1);
        return;
    }
    vx_out_puts(o, "&#39;");
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            vx_out_puts(o, "&#39;\\&#39;&#39;");
        else
            vx_out_html(o, p, 1);
    }
    vx_out_puts(o, "&#39;");
}

/* The `vocx rank` command line that reproduces the figures. */
static void rank_command(vx_out *o, const rep *r, const char *since,
                         const char *until)
{
    vx_out_puts(o, "<code>vocx rank --ruleset ");
    vx_out_printf(o, "%.12s --model %lld", r->t.ruleset,
                  (long long)r->t.clv_model_id);
    const char *names[] = {"--since", "--until", "--channel", "--segment",
                           "--block"};
    const char *vals[] = {since, until, r->ro.channel, r->ro.segment,
                          r->ro.block};
    for (int i = 0; i < 5; i++)
        if (vals[i]) {
            vx_out_printf(o, " %s ", names[i]);
            shell_word(o, vals[i]);
        }
    if (r->ro.kind)
        vx_out_printf(o, " --kind %s",
                      r->ro.kind == VOCX_KIND_PROBLEM       ? "problem"
                      : r->ro.kind == VOCX_KIND_OPPORTUNITY ? "opportunity"
                                                            : "praise");
    vx_out_puts(o, "</code>");
}

/* One quoted comment with its footer. */
static void html_quote(vx_out *o, const rep *r, const quote *q, int with_value)
{
    char d[32];
    vx_out_puts(o, "<blockquote>\n<p>");
    out_marked(o, MARK_HTML, q->text, q->spans, NULL);
    vx_out_puts(o, "</p>\n<footer>");
    if (q->customer_id) {
        vx_out_puts(o, "Customer ");
        vx_out_html(o, q->customer_id, (size_t)-1);
    } else {
        vx_out_puts(o, "Anonymous");
    }
    if (with_value) {
        if (q->known) {
            vx_out_puts(o, " \xC2\xB7 CLV ");
            html_money(o, r, q->clv);
            char pr[32];
            vx_out_printf(o, " \xC2\xB7 risk %s",
                          vx_fmt_pct(q->risk, pr));
        } else {
            vx_out_puts(o, " \xC2\xB7 no CLV (not matched to the CRM)");
        }
    }
    if (q->channel) {
        vx_out_puts(o, " \xC2\xB7 ");
        vx_out_html(o, q->channel, (size_t)-1);
    }
    vx_out_printf(o, " \xC2\xB7 %s", fmt_date(q->created_at, d));
    if (q->comment_id) {
        vx_out_puts(o, " \xC2\xB7 <span title=\"comment id\">");
        vx_out_html(o, q->comment_id, (size_t)-1);
        vx_out_puts(o, "</span>");
    }
    if (q->churn)
        vx_out_puts(o, " \xC2\xB7 <span class=\"churn\">says they may "
                       "leave</span>");
    vx_out_puts(o, "</footer>\n</blockquote>\n");
}

/* An issue card: rank, label, block, owner, figures and comments. */
static int html_issue_card(vx_out *o, rep *r, const vocx_rank_row *row,
                           size_t rank, size_t nquotes)
{
    char c[32], pr[48];
    vx_out_puts(o, "<article class=\"issue\" id=\"issue-");
    vx_out_html(o, row->issue, (size_t)-1);
    vx_out_puts(o, "\" data-issue=\"");
    vx_out_html(o, row->issue, (size_t)-1);
    vx_out_printf(o, "\">\n<h3><span class=\"rank\">%zu</span>", rank);
    vx_out_html(o, row->label ? row->label : row->issue, (size_t)-1);
    vx_out_puts(o, "</h3>\n<p class=\"sub\">");
    html_chip(o, row->block);
    vx_out_puts(o, " &nbsp;Owner: <strong>");
    vx_out_html(o, row->owner ? row->owner : "no owner in the rules",
                (size_t)-1);
    vx_out_puts(o, "</strong> &nbsp;\xC2\xB7&nbsp; <code>");
    vx_out_html(o, row->issue, (size_t)-1);
    vx_out_printf(o, "</code> &nbsp;\xC2\xB7&nbsp; severity %s</p>\n",
                  vx_fmt_fixed(row->severity, 2, 0, pr));
    vx_out_puts(o, "<ul class=\"figs\">\n<li><b>");
    html_money(o, r, row->clv_at_risk_attributed);
    vx_out_puts(o, "</b><span>attributed CLV at risk</span></li>\n<li><b>");
    html_money(o, r, row->clv_at_risk);
    vx_out_puts(o, "</b><span>CLV at risk</span></li>\n<li><b>");
    html_count(o, row->customers);
    vx_out_puts(o, "</b><span>customers, CLV ");
    html_money(o, r, row->clv_total);
    vx_out_puts(o, "</span></li>\n<li><b>");
    html_count(o, row->comments);
    vx_out_printf(o, "</b><span>comments, %s without a CLV</span></li>\n"
                     "</ul>\n",
                  vx_fmt_count(row->unmatched, c));
    walker w;
    int rc = issue_quotes(r, row->issue, nquotes, &w);
    if (!rc) {
        size_t shown = 0;
        for (size_t i = 0; i < w.nknown && shown < nquotes; i++, shown++)
            html_quote(o, r, &w.known[i], 1);
        for (size_t i = 0; i < w.nother && shown < nquotes; i++, shown++)
            html_quote(o, r, &w.other[i], 1);
    }
    walker_free(&w);
    vx_out_puts(o, "</article>\n");
    return rc;
}

/* ---- the HTML report ---------------------------------------------------- */

/* Indexes of the ranking rows of one kind, in rank order. */
static size_t rows_of_kind(const vocx_ranking *rk, const char *kind,
                           size_t *idx)
{
    size_t n = 0;
    for (size_t i = 0; i < vocx_ranking_count(rk); i++)
        if (is_kind(vocx_ranking_row(rk, i), kind))
            idx[n++] = i;
    return n;
}

static void section_head(vx_out *o, const char *id, int num,
                         const char *title)
{
    vx_out_printf(o, "<section id=\"%s\" aria-labelledby=\"%s-h\">\n"
                     "<h2 class=\"sec\" id=\"%s-h\">",
                  id, id, id);
    if (num)
        vx_out_printf(o, "<span class=\"num-badge\">%d</span>", num);
    vx_out_html(o, title, (size_t)-1);
    vx_out_puts(o, "</h2>\n");
}

static void html_masthead(vx_out *o, rep *r, const char *eyebrow,
                          const char *title)
{
    char d1[32], d2[32], g[40];
    vx_out_puts(o, "<header class=\"masthead\">\n<div>\n<p class=\"eyebrow\">");
    vx_out_html(o, eyebrow, (size_t)-1);
    vx_out_puts(o, "</p>\n<h1>");
    vx_out_html(o, title, (size_t)-1);
    vx_out_puts(o, "</h1>\n</div>\n<p class=\"meta\">");
    const char *a = r->ro.since ? r->ro.since : r->st.first_at;
    const char *b = r->ro.until ? r->ro.until : r->st.last_at;
    if (a[0] || b[0]) {
        vx_out_puts(o, "Comments ");
        vx_out_html(o, fmt_date(a, d1), (size_t)-1);
        vx_out_puts(o, " \xE2\x80\x93 ");
        vx_out_html(o, fmt_date(b, d2), (size_t)-1);
        if (r->ro.until)
            vx_out_puts(o, " (excl.)");
        vx_out_puts(o, "<br>");
    }
    vx_out_puts(o, "Generated ");
    vx_out_html(o, fmt_stamp(r->now, g), (size_t)-1);
    vx_out_puts(o, "</p>\n</header>\n");
}

static void html_headline(vx_out *o, rep *r, const size_t *prob, size_t np,
                          double prob_total)
{
    char pc[32], c1[32], c2[32];
    vx_out_puts(o, "<section class=\"headline\" aria-label=\"Headline\">\n");
    if (!np) {
        vx_out_puts(o, "<h2>No problem raised under these filters</h2>\n"
                       "<p>No comment raised an issue of kind problem.</p>\n"
                       "</section>\n");
        return;
    }
    const vocx_rank_row *f = vocx_ranking_row(r->rk, prob[0]);
    vx_out_puts(o, "<h2><span class=\"ff\">Fix first:</span> ");
    vx_out_html(o, f->label ? f->label : f->issue, (size_t)-1);
    vx_out_puts(o, " \xE2\x80\x94 ");
    html_money(o, r, f->clv_at_risk_attributed);
    vx_out_puts(o, " of customer value at risk</h2>\n<p>");
    vx_out_printf(o, "%s comments from %s customers with a combined CLV of ",
                  vx_fmt_count(f->comments, c1),
                  vx_fmt_count(f->customers, c2));
    html_money(o, r, f->clv_total);
    vx_out_puts(o, ". Owner: <strong>");
    vx_out_html(o, f->owner ? f->owner : "no owner in the rules", (size_t)-1);
    vx_out_printf(o, "</strong>. This is %s of the value at risk from all "
                     "%zu problems",
                  vx_fmt_pct(prob_total > 0 ? f->clv_at_risk_attributed /
                                                  prob_total
                                            : 0,
                             pc),
                  np);
    if (np >= 3) {
        double top3 = 0;
        for (size_t i = 0; i < 3; i++)
            top3 += vocx_ranking_row(r->rk, prob[i])->clv_at_risk_attributed;
        vx_out_printf(o, "; the top three problems hold %s",
                      vx_fmt_pct(prob_total > 0 ? top3 / prob_total : 0, pc));
    }
    vx_out_puts(o, ".</p>\n</section>\n");
}

static void kpi(vx_out *o, const char *value_html, const char *label,
                const char *sub_html)
{
    vx_out_puts(o, "<div class=\"kpi\"><span class=\"v\">");
    vx_out_puts(o, value_html);
    vx_out_puts(o, "</span><span class=\"l\">");
    vx_out_html(o, label, (size_t)-1);
    vx_out_puts(o, "</span><span class=\"s\">");
    vx_out_puts(o, sub_html);
    vx_out_puts(o, "</span></div>\n");
}

/* KPI values are built with the currency escaped once. */
static void esc_money(char *out, size_t cap, const rep *r, double v)
{
    char m[96];
    vx_fmt_money(r->cur, v, m);
    size_t k = 0;
    for (const char *p = m; *p && k + 7 < cap; p++) {
        const char *e = *p == '&'    ? "&amp;"
                        : *p == '<'  ? "&lt;"
                        : *p == '>'  ? "&gt;"
                        : *p == '"'  ? "&quot;"
                        : *p == '\'' ? "&#39;"
                                     : NULL;
        if (e) {
            size_t n = strlen(e);
            memcpy(out + k, e, n);
            k += n;
        } else {
            out[k++] = *p;
        }
    }
    out[k] = '\0';
}

static void html_kpis(vx_out *o, rep *r, double prob_total)
{
    char v[256], s[512], m[256], c1[32], c2[32], pc[32];
    const vocx_ranking_totals *t = &r->t;
    vx_out_puts(o, "<div class=\"kpis\">\n");
    esc_money(v, sizeof v, r, prob_total);
    esc_money(m, sizeof m, r, t->clv_total);
    snprintf(s, sizeof s, "attributed; %s of the customers\xE2\x80\x99 CLV",
             vx_fmt_pct(t->clv_total > 0 ? prob_total / t->clv_total : 0,
                        pc));
    kpi(o, v, "CLV at risk from problems", s);
    snprintf(s, sizeof s, "with a combined CLV of %s", m);
    kpi(o, vx_fmt_count(t->customers, c1), "Customers who commented", s);
    snprintf(s, sizeof s, "%s raised at least one issue (%s)",
             vx_fmt_count(t->classified, c1),
             vx_fmt_pct(t->comments ? (double)t->classified /
                                          (double)t->comments
                                    : 0,
                        pc));
    kpi(o, vx_fmt_count(t->comments, c2), "Comments analysed", s);
    snprintf(s, sizeof s, "%s from customer ids unknown to the CRM, %s "
                          "anonymous: in the volumes, not in the value",
             vx_fmt_count(t->unmatched_comments, c1),
             vx_fmt_count(t->anonymous_comments, c2));
    kpi(o,
        vx_fmt_count(t->unmatched_comments + t->anonymous_comments, m),
        "Comments without a customer value", s);
    vx_out_puts(o, "</div>\n");
}

static int html_pareto(vx_out *o, rep *r, const size_t *prob, size_t np,
                       double prob_total)
{
    section_head(o, "pareto", 1, "Where the customer value at risk is");
    vx_out_puts(o, "<p class=\"lead\">Problems ranked by attributed CLV at "
                   "risk: each customer\xE2\x80\x99s value at risk is split "
                   "across the issues they raised, so the bars add up to the "
                   "total without counting anyone twice. The line is the "
                   "cumulative share.</p>\n");
    if (!np) {
        vx_out_puts(o, "<p class=\"empty\">No problems under these "
                       "filters.</p>\n</section>\n");
        return VOCX_OK;
    }
    size_t shown = np < r->top ? np : r->top;
    size_t nb = shown + (np > shown);
    {
        /* The takeaway: how few problems hold most of the value. */
        double cum = 0;
        size_t k = 0;
        while (k < np && (prob_total <= 0 || cum < 0.8 * prob_total - 1e-9))
            cum += vocx_ranking_row(r->rk, prob[k++])->clv_at_risk_attributed;
        double top = 0;
        for (size_t i = 0; i < shown; i++)
            top += vocx_ranking_row(r->rk, prob[i])->clv_at_risk_attributed;
        char pc[32];
        vx_out_printf(o, "<p class=\"lead\"><strong>The top %zu of %zu "
                         "problems hold %s of the value at risk",
                      shown, np,
                      vx_fmt_pct(prob_total > 0 ? top / prob_total : 0, pc));
        if (prob_total > 0)
            vx_out_printf(o, "; %zu hold 80%%", k);
        vx_out_puts(o, ".</strong></p>\n");
    }
    vx_pareto_bar *bars = calloc(nb, sizeof *bars);
    char *other = malloc(64);
    if (!bars || !other) {
        free(bars);
        free(other);
        return vx_fail(r->s, VOCX_ENOMEM, "out of memory");
    }
    double rest = 0;
    for (size_t i = 0; i < np; i++) {
        const vocx_rank_row *row = vocx_ranking_row(r->rk, prob[i]);
        if (i < shown) {
            bars[i].label = row->label ? row->label : row->issue;
            bars[i].value = row->clv_at_risk_attributed;
            bars[i].style = i == 0;
        } else {
            rest += row->clv_at_risk_attributed;
        }
    }
    if (np > shown) {
        snprintf(other, 64, "All %zu other problems", np - shown);
        bars[shown].label = other;
        bars[shown].value = rest;
        bars[shown].style = 2;
    }
    char title[256], desc[1024], m[96], pc[32];
    snprintf(title, sizeof title,
             "Pareto chart: attributed CLV at risk by problem");
    const vocx_rank_row *f = vocx_ranking_row(r->rk, prob[0]);
    snprintf(desc, sizeof desc,
             "Bars for the top %zu of %zu problems%s, largest first, with "
             "the cumulative share of the %s at risk from problems. "
             "First: %s, %s (%s).",
             shown, np, np > shown ? " and one bar for the rest" : "",
             vx_fmt_money(r->cur, prob_total, m),
             f->label ? f->label : f->issue,
             vx_fmt_money(r->cur, f->clv_at_risk_attributed, desc + 900),
             vx_fmt_pct(prob_total > 0
                            ? f->clv_at_risk_attributed / prob_total
                            : 0,
                        pc));
    char axis[128];
    snprintf(axis, sizeof axis, "Attributed CLV at risk%s%s%s",
             r->cur[0] ? " (" : "", r->cur, r->cur[0] ? ")" : "");
    vx_out_puts(o, "<figure>\n");
    vx_chart_pareto(o, "pareto-chart", title, desc, bars, nb, r->cur, axis);
    vx_out_puts(o, "<figcaption>Bars: attributed CLV at risk per problem "
                   "(left axis). Line: cumulative share of the problems\xE2"
                   "\x80\x99 total (right axis, same scale). Dashed: 80%."
                   "</figcaption>\n</figure>\n");
    /* The table: the same figures, and the ranked list itself. */
    vx_out_puts(o, "<div class=\"tablewrap\">\n<table id=\"pareto-table\">\n"
                   "<caption>The figures of the chart: # is the rank among "
                   "the problems; every figure equals <code>vocx rank</code> "
                   "with the same filters.</caption>\n<thead><tr>"
                   "<th class=\"num\">#</th>"
                   "<th>Problem</th><th>Building block, owner</th>"
                   "<th class=\"num\">Comments</th><th class=\"num\">"
                   "Customers</th><th class=\"num\">CLV at risk</th>"
                   "<th class=\"num\">Attributed</th><th class=\"num\">"
                   "Share</th><th class=\"num\">Cumulative</th></tr></thead>\n"
                   "<tbody>\n");
    double cum = 0;
    uint64_t oc = 0, ocu = 0;
    double orisk = 0;
    for (size_t i = 0; i < np; i++) {
        const vocx_rank_row *row = vocx_ranking_row(r->rk, prob[i]);
        cum += row->clv_at_risk_attributed;
        if (i >= shown) {
            oc += row->comments;
            ocu += row->customers;
            orisk += row->clv_at_risk;
            if (i + 1 < np)
                continue;
            vx_out_printf(o, "<tr class=\"other\" data-issue=\"(other)\">"
                             "<td class=\"num\"></td><td>%s</td><td></td>"
                             "<td class=\"num\">",
                          other);
            html_count(o, oc);
            vx_out_puts(o, "</td><td class=\"num\">");
            html_count(o, ocu);
            vx_out_puts(o, "</td><td class=\"num\">");
            html_money(o, r, orisk);
            vx_out_puts(o, "</td><td class=\"num\">");
            html_money(o, r, rest);
        } else {
            vx_out_printf(o, "<tr%s data-issue=\"", i == 0 ? " class=\"first\""
                                                           : "");
            vx_out_html(o, row->issue, (size_t)-1);
            vx_out_printf(o, "\"><td class=\"num\">%zu</td><td>", i + 1);
            vx_out_html(o, row->label ? row->label : row->issue, (size_t)-1);
            vx_out_puts(o, "<span class=\"id\">");
            vx_out_html(o, row->issue, (size_t)-1);
            vx_out_puts(o, "</span></td><td>");
            html_chip(o, row->block);
            vx_out_puts(o, "<br>");
            vx_out_html(o, row->owner ? row->owner : "\xE2\x80\x94",
                        (size_t)-1);
            vx_out_puts(o, "</td><td class=\"num\">");
            html_count(o, row->comments);
            vx_out_puts(o, "</td><td class=\"num\">");
            html_count(o, row->customers);
            vx_out_puts(o, "</td><td class=\"num\">");
            html_money(o, r, row->clv_at_risk);
            vx_out_puts(o, "</td><td class=\"num attributed\">");
            html_money(o, r, row->clv_at_risk_attributed);
        }
        double v = i >= shown ? rest : row->clv_at_risk_attributed;
        vx_out_printf(o, "</td><td class=\"num\">%s</td>",
                      vx_fmt_pct(prob_total > 0 ? v / prob_total : 0, pc));
        vx_out_printf(o, "<td class=\"num cum\">%s</td></tr>\n",
                      vx_fmt_pct(prob_total > 0 ? cum / prob_total : 0, pc));
    }
    vx_out_puts(o, "</tbody>\n<tfoot><tr><td></td><td>All problems</td>"
                   "<td></td><td class=\"num\"></td>"
                   "<td class=\"num\"></td><td class=\"num\"></td>"
                   "<td class=\"num\">");
    html_money(o, r, prob_total);
    vx_out_puts(o, "</td><td class=\"num\">100.0%</td><td></td></tr></tfoot>\n"
                   "</table>\n</div>\n</section>\n");
    free(bars);
    free(other);
    return VOCX_OK;
}

static int html_blocks(vx_out *o, rep *r)
{
    section_head(o, "blocks", 2, "By CX ROI building block");
    vx_out_puts(o, "<p class=\"lead\">Attributed CLV at risk of every issue "
                   "raised (problems, opportunities and praise), by the "
                   "building block it belongs to: C5 sets the stage, I2 adapts "
                   "(fix hassles, create new value), E2 engages employees and "
                   "customers.</p>\n");
    /* Per block: value, comments, issues; custom blocks after the nine. */
    size_t n = vocx_ranking_count(r->rk);
    size_t cap = NBLOCKS + n;
    const char **ids = calloc(cap, sizeof *ids);
    double *val = calloc(cap, sizeof *val);
    uint64_t *cm = calloc(cap, sizeof *cm), *is = calloc(cap, sizeof *is);
    vx_hbar *rows = calloc(cap + 4, sizeof *rows);
    char (*notes)[64] = calloc(cap, sizeof *notes);
    if (!ids || !val || !cm || !is || !rows || !notes) {
        free(ids), free(val), free(cm), free(is), free(rows), free(notes);
        return vx_fail(r->s, VOCX_ENOMEM, "out of memory");
    }
    size_t nb = NBLOCKS;
    for (size_t i = 0; i < NBLOCKS; i++)
        ids[i] = BLOCKS[i].id;
    for (size_t i = 0; i < n; i++) {
        const vocx_rank_row *row = vocx_ranking_row(r->rk, i);
        size_t k = 0;
        while (k < nb && strcmp(ids[k], row->block))
            k++;
        if (k == nb)
            ids[nb++] = row->block;
        val[k] += row->clv_at_risk_attributed;
        cm[k] += row->comments;
        is[k]++;
    }
    size_t nr = 0;
    for (int g = 0; g < 4; g++) {
        int any = 0;
        for (size_t k = 0; k < nb; k++) {
            if (block_group(ids[k]) != g)
                continue;
            if (g == 3 && !is[k])
                continue;
            if (!any++) {
                rows[nr].heading = 1;
                rows[nr++].label = GROUP_TITLE[g];
            }
            char c1[32];
            snprintf(notes[k], sizeof notes[k], "%s comment%s \xC2\xB7 %llu "
                                                "issue%s",
                     vx_fmt_count(cm[k], c1), cm[k] == 1 ? "" : "s",
                     (unsigned long long)is[k], is[k] == 1 ? "" : "s");
            rows[nr].label = block_label(ids[k]);
            rows[nr].note = notes[k];
            rows[nr].value = val[k];
            rows[nr].group = g;
            nr++;
        }
    }
    {
        size_t best = 0;
        double all = 0;
        for (size_t k = 0; k < nb; k++) {
            all += val[k];
            if (val[k] > val[best])
                best = k;
        }
        if (all > 0) {
            char pc[32];
            vx_out_puts(o, "<p class=\"lead\"><strong>");
            vx_out_html(o, block_label(ids[best]), (size_t)-1);
            vx_out_puts(o, " holds the most value at risk: ");
            html_money(o, r, val[best]);
            vx_out_printf(o, " (%s).</strong></p>\n",
                          vx_fmt_pct(val[best] / all, pc));
        }
    }
    char desc[512], m[96];
    snprintf(desc, sizeof desc,
             "Horizontal bars, one per building block in the groups C5, I2 "
             "and E2, of the attributed CLV at risk of the issues raised; "
             "they add up to %s.",
             vx_fmt_money(r->cur, r->t.clv_at_risk_attributed, m));
    vx_out_puts(o, "<figure>\n");
    vx_chart_hbars(o, "blocks-chart",
                   "Attributed CLV at risk by CX ROI building block", desc,
                   rows, nr, r->cur);
    vx_out_puts(o, "</figure>\n<details>\n<summary>The figures as a table"
                   "</summary>\n<table id=\"blocks-table\">\n<thead><tr>"
                   "<th>Group</th><th>Building block</th><th class=\"num\">"
                   "Issues raised</th><th class=\"num\">Comments</th>"
                   "<th class=\"num\">Attributed CLV at risk</th></tr>"
                   "</thead>\n<tbody>\n");
    double sum = 0;
    for (size_t i = 0; i < nr; i++) {
        if (rows[i].heading)
            continue;
        size_t k = 0;
        while (k < nb && strcmp(block_label(ids[k]), rows[i].label))
            k++;
        vx_out_puts(o, "<tr><td>");
        vx_out_html(o, GROUP_TITLE[rows[i].group], (size_t)-1);
        vx_out_puts(o, "</td><td>");
        vx_out_html(o, rows[i].label, (size_t)-1);
        vx_out_printf(o, "</td><td class=\"num\">%llu</td><td class=\"num\">",
                      (unsigned long long)(k < nb ? is[k] : 0));
        html_count(o, k < nb ? cm[k] : 0);
        vx_out_puts(o, "</td><td class=\"num\">");
        html_money(o, r, rows[i].value);
        sum += rows[i].value;
        vx_out_puts(o, "</td></tr>\n");
    }
    vx_out_puts(o, "</tbody>\n<tfoot><tr><td></td><td>All building blocks"
                   "</td><td></td><td></td><td class=\"num\">");
    html_money(o, r, sum);
    vx_out_puts(o, "</td></tr></tfoot>\n</table>\n</details>\n</section>\n");
    free(ids), free(val), free(cm), free(is), free(rows), free(notes);
    return VOCX_OK;
}

static int html_weekly(vx_out *o, rep *r, const size_t *prob, size_t np)
{
    section_head(o, "weekly", 3, "Week by week");
    week *w = NULL;
    size_t nw = 0;
    int rc = plan_weeks(r, &w, &nw);
    if (rc)
        return rc;
    if (!nw) {
        vx_out_puts(o, "<p class=\"empty\">No dated comments under these "
                       "filters.</p>\n</section>\n");
        free(w);
        return VOCX_OK;
    }
    size_t ni = np < TREND_ISSUES ? np : TREND_ISSUES;
    if (ni > r->top)
        ni = r->top;
    size_t ns = ni + 1;
    const char **ids = calloc(ni ? ni : 1, sizeof *ids);
    double *val = calloc(ns * nw, sizeof *val);
    uint64_t *cnt = calloc(ns * nw, sizeof *cnt);
    vx_series *se = calloc(ns, sizeof *se);
    const char **wt = calloc(nw, sizeof *wt), **wb = calloc(nw, sizeof *wb),
               **wf = calloc(nw, sizeof *wf);
    if (!ids || !val || !cnt || !se || !wt || !wb || !wf) {
        rc = vx_fail(r->s, VOCX_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < ni; i++)
        ids[i] = vocx_ranking_row(r->rk, prob[i])->issue;
    if ((rc = weekly_figures(r, w, nw, ids, ni, val, cnt)))
        goto done;
    for (size_t k = 0; k < nw; k++) {
        wt[k] = w[k].top;
        wb[k] = w[k].bottom;
        wf[k] = w[k].full;
    }
    se[0].label = "All issues";
    se[0].values = val;
    se[0].counts = cnt;
    se[0].own_scale = 1;
    se[0].style = 1;
    for (size_t i = 0; i < ni; i++) {
        const vocx_rank_row *row = vocx_ranking_row(r->rk, prob[i]);
        se[i + 1].label = row->label ? row->label : row->issue;
        se[i + 1].values = val + (i + 1) * nw;
        se[i + 1].counts = cnt + (i + 1) * nw;
    }
    vx_out_printf(o, "<p class=\"lead\">Comments and attributed CLV at risk "
                     "per ISO week (Monday to Sunday, UTC) for the last %zu "
                     "week%s, %s to %s: every issue together, then the top "
                     "%zu problem%s. A week\xE2\x80\x99s figures are those of "
                     "<code>vocx rank</code> limited to that week, so a "
                     "customer\xE2\x80\x99s value is attributed among the "
                     "issues they raised that week.</p>\n",
                  nw, nw == 1 ? "" : "s", w[0].iso, w[nw - 1].iso, ni,
                  ni == 1 ? "" : "s");
    char desc[512];
    snprintf(desc, sizeof desc,
             "Small multiples, one row per series: bars are the attributed "
             "CLV at risk per week, the numbers under them the comments. "
             "Weeks %s to %s. The issue rows share one scale; the first row "
             "(all issues) has its own.",
             w[0].iso, w[nw - 1].iso);
    vx_out_puts(o, "<figure>\n");
    vx_chart_weekly(o, "weekly-chart",
                    "Weekly attributed CLV at risk and comments, top "
                    "problems",
                    desc, wt, wb, wf, nw, se, ns, r->cur);
    vx_out_puts(o, "<figcaption>Bars: attributed CLV at risk in the week. "
                   "Numbers under the bars: comments raising the issue (first "
                   "row: comments raising any issue). Issue rows share one "
                   "scale.</figcaption>\n</figure>\n");
    /* The table fallback: weeks down, series across. */
    vx_out_puts(o, "<details>\n<summary>The figures as a table</summary>\n"
                   "<div class=\"tablewrap\">\n<table id=\"weekly-table\">\n"
                   "<thead><tr><th>Week</th>");
    for (size_t s = 0; s < ns; s++) {
        vx_out_puts(o, "<th class=\"num\">");
        vx_out_html(o, se[s].label, (size_t)-1);
        vx_out_puts(o, "</th>");
    }
    vx_out_puts(o, "</tr></thead>\n<tbody>\n");
    for (size_t k = 0; k < nw; k++) {
        vx_out_puts(o, "<tr><td>");
        vx_out_html(o, w[k].full, (size_t)-1);
        vx_out_puts(o, "</td>");
        for (size_t s = 0; s < ns; s++) {
            vx_out_printf(o, "<td class=\"num\" data-week=\"%s\" "
                             "data-issue=\"",
                          w[k].iso);
            vx_out_html(o, s ? ids[s - 1] : "(all)", (size_t)-1);
            vx_out_puts(o, "\">");
            html_money(o, r, se[s].values[k]);
            vx_out_puts(o, "<br><span class=\"id\">");
            html_count(o, se[s].counts[k]);
            vx_out_puts(o, " comments</span></td>");
        }
        vx_out_puts(o, "</tr>\n");
    }
    vx_out_puts(o, "</tbody>\n</table>\n</div>\n</details>\n</section>\n");
done:
    free(w);
    free(ids);
    free(val);
    free(cnt);
    free(se);
    free(wt);
    free(wb);
    free(wf);
    return rc;
}

static int html_details(vx_out *o, rep *r, const size_t *prob, size_t np)
{
    section_head(o, "issues", 4, "The top problems, in the customers\xE2\x80"
                                 "\x99 words");
    vx_out_printf(o, "<p class=\"lead\">For each of the top problems: who "
                     "owns it, its figures, and comments from the customers "
                     "with the most value at risk (up to %zu each). The "
                     "phrases that matched the rules are "
                     "<mark>highlighted</mark>.</p>\n",
                  r->quotes);
    if (!np) {
        vx_out_puts(o, "<p class=\"empty\">No problems under these "
                       "filters.</p>\n</section>\n");
        return VOCX_OK;
    }
    vx_out_puts(o, "<div class=\"issues\">\n");
    size_t shown = np < r->top ? np : r->top;
    for (size_t i = 0; i < shown; i++) {
        int rc = html_issue_card(o, r, vocx_ranking_row(r->rk, prob[i]), i + 1,
                                 r->quotes);
        if (rc)
            return rc;
    }
    vx_out_puts(o, "</div>\n</section>\n");
    return VOCX_OK;
}

/* Opportunities: by the value of the customers asking (clv_total). */
static int cmp_opp(const void *a, const void *b, const vocx_ranking *rk)
{
    const vocx_rank_row *x = vocx_ranking_row(rk, *(const size_t *)a);
    const vocx_rank_row *y = vocx_ranking_row(rk, *(const size_t *)b);
    if (x->clv_total != y->clv_total)
        return x->clv_total > y->clv_total ? -1 : 1;
    if (x->customers != y->customers)
        return x->customers > y->customers ? -1 : 1;
    return strcmp(x->issue, y->issue);
}

/* Insertion sort with a context (qsort has none in C11). */
static void sort_opps(size_t *idx, size_t n, const vocx_ranking *rk)
{
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], j = i;
        while (j > 0 && cmp_opp(&v, &idx[j - 1], rk) < 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

static int html_opportunities(vx_out *o, rep *r, size_t *opp, size_t no)
{
    section_head(o, "opportunities", 5, "Opportunities: what customers ask "
                                        "for");
    vx_out_puts(o, "<p class=\"lead\">Suggestions are not failures to fix but "
                   "new value to create: they go to the innovation owners, "
                   "ranked by the lifetime value of the customers asking.</p>"
                   "\n");
    if (!no) {
        vx_out_puts(o, "<p class=\"empty\">No suggestions under these "
                       "filters.</p>\n</section>\n");
        return VOCX_OK;
    }
    sort_opps(opp, no, r->rk);
    size_t shown = no < r->top ? no : r->top;
    double max = 0;
    for (size_t i = 0; i < shown; i++) {
        double v = vocx_ranking_row(r->rk, opp[i])->clv_total;
        if (v > max)
            max = v;
    }
    vx_out_puts(o, "<div class=\"tablewrap\">\n<table id=\"opportunities-"
                   "table\">\n<thead><tr><th class=\"num\">#</th><th>Idea"
                   "</th><th>Owner</th><th class=\"num\">Customers asking"
                   "</th><th style=\"width:26%\">CLV of the customers asking"
                   "</th><th class=\"num\">Comments</th><th class=\"num\">"
                   "Attributed CLV at risk</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < shown; i++) {
        const vocx_rank_row *row = vocx_ranking_row(r->rk, opp[i]);
        char pc[48];
        vx_out_puts(o, "<tr data-issue=\"");
        vx_out_html(o, row->issue, (size_t)-1);
        vx_out_printf(o, "\"><td class=\"num\">%zu</td><td>", i + 1);
        vx_out_html(o, row->label ? row->label : row->issue, (size_t)-1);
        vx_out_puts(o, "<span class=\"id\">");
        vx_out_html(o, row->issue, (size_t)-1);
        vx_out_puts(o, "</span></td><td>");
        vx_out_html(o, row->owner ? row->owner : "\xE2\x80\x94", (size_t)-1);
        vx_out_puts(o, "</td><td class=\"num\">");
        html_count(o, row->customers);
        vx_out_puts(o, "</td><td class=\"num\">");
        html_money(o, r, row->clv_total);
        vx_out_printf(o, "<span class=\"cbar\" style=\"width:%s%%\" "
                         "aria-hidden=\"true\"></span></td><td class=\"num\">",
                      vx_fmt_fixed(max > 0 ? row->clv_total / max * 100 : 0, 1,
                                   0, pc));
        html_count(o, row->comments);
        vx_out_puts(o, "</td><td class=\"num\">");
        html_money(o, r, row->clv_at_risk_attributed);
        vx_out_puts(o, "</td></tr>\n");
    }
    vx_out_puts(o, "</tbody>\n</table>\n</div>\n");
    /* One comment per idea, from the most valuable customer asking. */
    vx_out_puts(o, "<div class=\"opp-quotes\">\n");
    for (size_t i = 0; i < shown; i++) {
        const vocx_rank_row *row = vocx_ranking_row(r->rk, opp[i]);
        walker w;
        int rc = issue_quotes(r, row->issue, OPPORTUNITY_QUOTES, &w);
        if (rc) {
            walker_free(&w);
            return rc;
        }
        const quote *q = w.nknown ? &w.known[0] : w.nother ? &w.other[0]
                                                           : NULL;
        if (q) {
            vx_out_puts(o, "<div><span class=\"who\">");
            vx_out_html(o, row->label ? row->label : row->issue, (size_t)-1);
            vx_out_puts(o, "</span>\n");
            html_quote(o, r, q, 1);
            vx_out_puts(o, "</div>\n");
        }
        walker_free(&w);
    }
    vx_out_puts(o, "</div>\n</section>\n");
    return VOCX_OK;
}

static void html_praise(vx_out *o, rep *r, const size_t *pr, size_t npr)
{
    section_head(o, "praise", 6, "What customers value");
    if (!npr) {
        vx_out_puts(o, "<p class=\"empty\">No praise under these filters.</p>"
                       "\n</section>\n");
        return;
    }
    vx_out_puts(o, "<p class=\"lead\">Praise carries no risk, but tells the "
                   "teams what to keep doing: share it with them.</p>\n"
                   "<table id=\"praise-table\">\n<thead><tr><th>Praise</th>"
                   "<th>Building block</th><th>Owner</th><th class=\"num\">"
                   "Comments</th><th class=\"num\">Customers</th>"
                   "<th class=\"num\">CLV of these customers</th></tr>"
                   "</thead>\n<tbody>\n");
    for (size_t i = 0; i < npr; i++) {
        const vocx_rank_row *row = vocx_ranking_row(r->rk, pr[i]);
        vx_out_puts(o, "<tr data-issue=\"");
        vx_out_html(o, row->issue, (size_t)-1);
        vx_out_puts(o, "\"><td>");
        vx_out_html(o, row->label ? row->label : row->issue, (size_t)-1);
        vx_out_puts(o, "</td><td>");
        html_chip(o, row->block);
        vx_out_puts(o, "</td><td>");
        vx_out_html(o, row->owner ? row->owner : "\xE2\x80\x94", (size_t)-1);
        vx_out_puts(o, "</td><td class=\"num\">");
        html_count(o, row->comments);
        vx_out_puts(o, "</td><td class=\"num\">");
        html_count(o, row->customers);
        vx_out_puts(o, "</td><td class=\"num\">");
        html_money(o, r, row->clv_total);
        vx_out_puts(o, "</td></tr>\n");
    }
    vx_out_puts(o, "</tbody>\n</table>\n</section>\n");
}

/* Model parameters from the stored JSON: "r 0.2426, alpha 4.414, ...". */
static void html_params(vx_out *o, const char *json)
{
    const char *p = json;
    int n = 0;
    while (p && (p = strchr(p, '"'))) {
        const char *k = p + 1, *ke = strchr(k, '"');
        if (!ke)
            break;
        const char *q = ke + 1;
        while (*q == ' ' || *q == ':')
            q++;
        double v;
        const char *e;
        if (!parse_number(q, &e, &v)) {
            char num[48];
            vx_out_puts(o, n++ ? ", " : "");
            vx_out_html(o, k, (size_t)(ke - k));
            vx_out_printf(o, " %s", fmt_param(v, num));
            p = e;
        } else {
            p = ke + 1;
        }
    }
    if (!n)
        vx_out_puts(o, "\xE2\x80\x94");
}

static void html_provenance(vx_out *o, rep *r)
{
    char c1[32], c2[32], num[48], g[40];
    const vocx_ranking_totals *t = &r->t;
    section_head(o, "provenance", 0, "Where these figures come from");
    vx_out_puts(o, "<dl class=\"prov\">\n<dt>Rule set</dt><dd><code>");
    vx_out_html(o, t->ruleset, (size_t)-1);
    vx_out_puts(o, "</code>");
    if (r->ruleset_name[0]) {
        vx_out_puts(o, " (");
        vx_out_html(o, r->ruleset_name, (size_t)-1);
        vx_out_puts(o, ")");
    }
    vx_out_printf(o, "</dd>\n<dt>CLV model</dt><dd>model %lld",
                  (long long)t->clv_model_id);
    if (r->have_model) {
        vx_out_puts(o, ", <code>");
        vx_out_html(o, r->model_kind, (size_t)-1);
        vx_out_puts(o, "</code>, fitted ");
        vx_out_html(o, fmt_stamp(r->model_fitted, g), (size_t)-1);
        if (r->model_cal_end[0]) {
            vx_out_puts(o, ", calibration to ");
            vx_out_html(o, r->model_cal_end, (size_t)-1);
        }
        uint64_t mc = r->model_customers > 0
                          ? (uint64_t)r->model_customers
                          : 0;
        vx_out_printf(o, ", %s customers", vx_fmt_count(mc, c1));
        if (r->have_converged && !r->converged)
            vx_out_puts(o, " (<strong>the fit did not converge</strong>)");
        vx_out_printf(o, "</dd>\n<dt>CLV horizon and discount</dt><dd>%s "
                         "months, ",
                      vx_fmt_fixed(r->horizon, 0, 0, num));
        vx_out_printf(o, "%s annual discount rate, ",
                      vx_fmt_pct(r->discount, c1));
        vx_out_printf(o, "margin %s</dd>\n<dt>Model parameters</dt><dd>",
                      vx_fmt_pct(r->margin, c1));
        html_params(o, r->model_params);
    }
    vx_out_printf(o, "</dd>\n<dt>Risk parameters</dt><dd>churn cue uplift "
                     "%s, ",
                  vx_fmt_fixed(r->ro.churn_uplift, 2, 0, num));
    vx_out_printf(o, "positive cue damping %s (see docs/ranking.md)</dd>\n",
                  vx_fmt_fixed(r->ro.positive_damping, 2, 0, num));
    vx_out_puts(o, "<dt>Filters</dt><dd>");
    describe_filters(o, &r->ro);
    vx_out_printf(o, "</dd>\n<dt>Comments</dt><dd>%s considered, ",
                  vx_fmt_count(t->comments, c1));
    vx_out_printf(o, "%s raised at least one issue; ",
                  vx_fmt_count(t->classified, c1));
    vx_out_printf(o, "%s stored in all", vx_fmt_count(r->st.comments, c1));
    if (r->st.first_at[0]) {
        vx_out_puts(o, ", from ");
        vx_out_html(o, r->st.first_at, 10);
        vx_out_puts(o, " to ");
        vx_out_html(o, r->st.last_at, 10);
    }
    vx_out_printf(o, "</dd>\n<dt>Customers</dt><dd>%s with a CLV, total CLV ",
                  vx_fmt_count(t->customers, c1));
    html_money(o, r, t->clv_total);
    vx_out_puts(o, "; attributed CLV at risk over all issues ");
    html_money(o, r, t->clv_at_risk_attributed);
    vx_out_printf(o, "</dd>\n<dt>Unmatched</dt><dd>%s comments from %s "
                     "customer ids unknown to the CRM",
                  vx_fmt_count(t->unmatched_comments, c1),
                  vx_fmt_count(t->unmatched_customers, c2));
    if (vocx_ranking_unmatched(r->rk, 0)) {
        /* The ids behind the comments that raised an issue. */
        vx_out_puts(o, "; those raising an issue: ");
        const char *id;
        size_t i = 0;
        for (; i < 12 && (id = vocx_ranking_unmatched(r->rk, i)); i++) {
            vx_out_puts(o, i ? ", " : "");
            vx_out_html(o, id, (size_t)-1);
        }
        if (vocx_ranking_unmatched(r->rk, i))
            vx_out_puts(o, ", \xE2\x80\xA6");
    }
    vx_out_printf(o, "; %s anonymous comments. They count in the comment "
                     "volumes and carry no value.</dd>\n",
                  vx_fmt_count(t->anonymous_comments, c1));
    vx_out_puts(o, "<dt>Reproduce</dt><dd>");
    rank_command(o, r, r->ro.since, r->ro.until);
    if (t->run_id)
        vx_out_printf(o, " \xE2\x80\x94 recorded as analysis run %lld",
                      (long long)t->run_id);
    vx_out_puts(o, "</dd>\n<dt>Generated</dt><dd>");
    vx_out_html(o, fmt_stamp(r->now, g), (size_t)-1);
    vx_out_puts(o, " by vocx " VOCX_VERSION_STRING "</dd>\n</dl>\n"
                   "<p class=\"lead\" style=\"margin-top:14px\">"
                   "<strong>How to read the figures.</strong> CLV at risk of "
                   "an issue = \xCE\xA3 CLV \xC3\x97 risk over the customers "
                   "who raised it. Risk is the CRM\xE2\x80\x99s churn "
                   "probability when known, else the issue\xE2\x80\x99s "
                   "severity, raised by churn cues (\xE2\x80\x9C""cancel my "
                   "account\xE2\x80\x9D) and lowered by positive ones. "
                   "<em>Attributed</em> splits each customer\xE2\x80\x99s "
                   "value at risk across the issues they raised, so the "
                   "attributed column never counts a customer twice.</p>\n"
                   "</section>\n");
}

int vocx_report_html(vocx_store *s, const vocx_report_options *opts,
                     vocx_write_cb write, void *payload)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!write)
        return vx_fail(s, VOCX_EINVAL, "a write callback is needed");
    rep r;
    int rc = check_report_options(s, opts, &r, 0);
    if (rc)
        return rc;
    if ((rc = load(&r))) {
        rep_free(&r);
        return rc;
    }
    size_t n = vocx_ranking_count(r.rk);
    size_t *prob = calloc(n ? n : 1, sizeof *prob);
    size_t *opp = calloc(n ? n : 1, sizeof *opp);
    size_t *pra = calloc(n ? n : 1, sizeof *pra);
    if (!prob || !opp || !pra) {
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto done;
    }
    size_t np = rows_of_kind(r.rk, "problem", prob);
    size_t no = rows_of_kind(r.rk, "opportunity", opp);
    size_t npr = rows_of_kind(r.rk, "praise", pra);
    double prob_total = 0;
    for (size_t i = 0; i < np; i++)
        prob_total += vocx_ranking_row(r.rk, prob[i])->clv_at_risk_attributed;

    vx_out o;
    vx_out_init(&o, write, payload);
    const char *title = r.o.title ? r.o.title : "Customer value at risk";
    html_head(&o, title);
    html_masthead(&o, &r, "Voice of the customer \xC2\xB7 CX ROI report",
                  title);
    vx_out_puts(&o, "<main>\n");
    html_headline(&o, &r, prob, np, prob_total);
    html_kpis(&o, &r, prob_total);
    if (!(rc = html_pareto(&o, &r, prob, np, prob_total)) &&
        !(rc = html_blocks(&o, &r)) &&
        !(rc = html_weekly(&o, &r, prob, np)) &&
        !(rc = html_details(&o, &r, prob, np)) &&
        !(rc = html_opportunities(&o, &r, opp, no))) {
        html_praise(&o, &r, pra, npr);
        html_provenance(&o, &r);
        vx_out_puts(&o, "</main>\n<p class=\"foot\">Generated by vocx "
                        VOCX_VERSION_STRING " from the rule set, CLV model "
                        "and filters above. This file is self-contained: it "
                        "loads nothing and runs no script.</p>\n");
        html_tail(&o);
    }
    if (!rc && (rc = vx_out_flush(&o)))
        rc = vx_fail(s, rc, rc == VOCX_EIO ? "the write callback failed"
                                           : "out of memory");
    vx_out_free(&o);
done:
    free(prob);
    free(opp);
    free(pra);
    rep_free(&r);
    return rc;
}

/* ---- team digests ------------------------------------------------------- */

/* The canonical spelling of `team` among the rule set's owners, or a
 * VOCX_ENOTFOUND listing them. */
static int find_team(rep *r, const char *team, char *canon, size_t cap)
{
    vocx_store *s = r->s;
    static const char sql[] =
        "SELECT DISTINCT owner FROM issues WHERE ruleset_id = ?1"
        " AND owner IS NOT NULL AND owner <> '' ORDER BY owner";
    sqlite3_stmt *st = vx_stmt(s, sql);
    if (!st)
        return s->errcode;
    sqlite3_bind_int64(st, 1, r->ruleset_id);
    char list[1024];
    size_t len = 0;
    int found = 0, rc, n = 0;
    list[0] = '\0';
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (!strcasecmp(v, team)) {
            vx_snprintf(canon, cap, "%s", v);
            found = 1;
        }
        if (len + strlen(v) + 8 < sizeof list) {
            len += (size_t)snprintf(list + len, sizeof list - len, "%s\"%s\"",
                                    n ? ", " : "", v);
        } else if (len + 6 < sizeof list && !strstr(list, "...")) {
            len += (size_t)snprintf(list + len, sizeof list - len, ", ...");
        }
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vx_fail_db(s, "cannot read the owner teams");
    if (found)
        return VOCX_OK;
    if (!n)
        return vx_fail(s, VOCX_ENOTFOUND,
                       "no team \"%s\": rule set %.12s names no owner teams",
                       team, r->t.ruleset);
    return vx_fail(s, VOCX_ENOTFOUND,
                   "no team \"%s\" in rule set %.12s; known teams: %s", team,
                   r->t.ruleset, list);
}

static const char *const KIND_ORDER[] = {"problem", "opportunity", "praise"};
static const char *const KIND_TITLE[] = {"Problems to fix",
                                         "Ideas from customers", "Praise"};

static void md_money(vx_out *o, const rep *r, double v)
{
    char m[96];
    vx_out_md(o, vx_fmt_money(r->cur, v, m), (size_t)-1, NULL);
}

static void md_quote(vx_out *o, const rep *r, const quote *q)
{
    char d[32], pr[32];
    vx_out_puts(o, "> ");
    out_marked(o, MARK_MD, q->text, q->spans, "> ");
    vx_out_puts(o, "\n>\n> \xE2\x80\x94 ");
    if (q->customer_id) {
        vx_out_puts(o, "customer ");
        vx_out_md(o, q->customer_id, (size_t)-1, NULL);
    } else {
        vx_out_puts(o, "anonymous");
    }
    if (q->known) {
        vx_out_puts(o, " \xC2\xB7 CLV ");
        md_money(o, r, q->clv);
        vx_out_printf(o, " \xC2\xB7 risk %s", vx_fmt_pct(q->risk, pr));
    } else {
        vx_out_puts(o, " \xC2\xB7 no CLV");
    }
    if (q->channel) {
        vx_out_puts(o, " \xC2\xB7 ");
        vx_out_md(o, q->channel, (size_t)-1, NULL);
    }
    vx_out_printf(o, " \xC2\xB7 %s", fmt_date(q->created_at, d));
    if (q->comment_id) {
        vx_out_puts(o, " \xC2\xB7 ");
        vx_out_md(o, q->comment_id, (size_t)-1, NULL);
    }
    if (q->churn)
        vx_out_puts(o, " \xC2\xB7 *says they may leave*");
    vx_out_puts(o, "\n\n");
}

static int digest_markdown(vx_out *o, rep *r, const char *team,
                           const size_t *idx, size_t n)
{
    char c1[32], c2[32], d1[32], d2[32], g[40];
    vx_out_puts(o, "# ");
    vx_out_md(o, team, (size_t)-1, NULL);
    vx_out_puts(o, " \xE2\x80\x94 what customers say\n\n");
    const char *a = r->ro.since ? r->ro.since : r->st.first_at;
    const char *b = r->ro.until ? r->ro.until : r->st.last_at;
    vx_out_printf(o, "Comments %s \xE2\x80\x93 %s \xC2\xB7 rule set `%.12s` "
                     "\xC2\xB7 CLV model %lld \xC2\xB7 generated ",
                  fmt_date(a, d1), fmt_date(b, d2), r->t.ruleset,
                  (long long)r->t.clv_model_id);
    vx_out_md(o, fmt_stamp(r->now, g), (size_t)-1, NULL);
    vx_out_puts(o, "\n\n");
    if (!n) {
        vx_out_puts(o, "No comment raised an issue owned by ");
        vx_out_md(o, team, (size_t)-1, NULL);
        vx_out_puts(o, " in this period.\n");
        return VOCX_OK;
    }
    double att = 0;
    uint64_t cm = 0;
    for (size_t i = 0; i < n; i++) {
        const vocx_rank_row *row = vocx_ranking_row(r->rk, idx[i]);
        att += row->clv_at_risk_attributed;
        cm += row->comments;
    }
    vx_out_md(o, team, (size_t)-1, NULL);
    vx_out_printf(o, " owns %zu issue%s raised in %s comments, with ",
                  n, n == 1 ? "" : "s", vx_fmt_count(cm, c1));
    md_money(o, r, att);
    vx_out_printf(o, " of customer value at risk (attributed) of %s ",
                  vx_fmt_count(vocx_ranking_count(r->rk), c2));
    vx_out_puts(o, "issues ranked in all.\n\n");
    vx_out_puts(o, "| Rank | Issue | Kind | Comments | Customers | "
                   "CLV at risk | Attributed |\n"
                   "|---:|---|---|---:|---:|---:|---:|\n");
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < n; i++) {
            const vocx_rank_row *row = vocx_ranking_row(r->rk, idx[i]);
            if (!is_kind(row, KIND_ORDER[k]))
                continue;
            vx_out_printf(o, "| %zu | ", idx[i] + 1);
            vx_out_md(o, row->label ? row->label : row->issue, (size_t)-1,
                      NULL);
            vx_out_puts(o, " (`");
            vx_out_puts(o, row->issue); /* ids: [a-z0-9_.-] */
            vx_out_printf(o, "`) | %s | %s | %s | ", KIND_ORDER[k],
                          vx_fmt_count(row->comments, c1),
                          vx_fmt_count(row->customers, c2));
            md_money(o, r, row->clv_at_risk);
            vx_out_puts(o, " | ");
            md_money(o, r, row->clv_at_risk_attributed);
            vx_out_puts(o, " |\n");
        }
    vx_out_puts(o, "\nRank: position among all issues by attributed CLV at "
                   "risk (`vocx rank`).\n");
    for (int k = 0; k < 3; k++) {
        int head = 0;
        for (size_t i = 0; i < n; i++) {
            const vocx_rank_row *row = vocx_ranking_row(r->rk, idx[i]);
            if (!is_kind(row, KIND_ORDER[k]))
                continue;
            if (!head++)
                vx_out_printf(o, "\n## %s\n", KIND_TITLE[k]);
            vx_out_puts(o, "\n### ");
            vx_out_md(o, row->label ? row->label : row->issue, (size_t)-1,
                      NULL);
            vx_out_printf(o, "\n\n`%s` \xC2\xB7 ", row->issue);
            vx_out_md(o, block_label(row->block), (size_t)-1, NULL);
            vx_out_printf(o, " \xC2\xB7 rank %zu \xC2\xB7 %s comments "
                             "(%s without a CLV) \xC2\xB7 %s customers with a "
                             "CLV of ",
                          idx[i] + 1, vx_fmt_count(row->comments, c1),
                          vx_fmt_count(row->unmatched, d1),
                          vx_fmt_count(row->customers, c2));
            md_money(o, r, row->clv_total);
            vx_out_puts(o, " \xC2\xB7 **");
            md_money(o, r, row->clv_at_risk_attributed);
            vx_out_puts(o, "** attributed CLV at risk (");
            md_money(o, r, row->clv_at_risk);
            vx_out_puts(o, " at risk)\n\n");
            walker w;
            int rc = issue_quotes(r, row->issue, r->quotes, &w);
            if (rc) {
                walker_free(&w);
                return rc;
            }
            size_t shown = 0;
            for (size_t q = 0; q < w.nknown && shown < r->quotes; q++, shown++)
                md_quote(o, r, &w.known[q]);
            for (size_t q = 0; q < w.nother && shown < r->quotes; q++, shown++)
                md_quote(o, r, &w.other[q]);
            walker_free(&w);
        }
    }
    vx_out_puts(o, "\n---\n\nMatched phrases in **bold**. Generated by vocx "
                   VOCX_VERSION_STRING "; the figures equal `vocx rank` "
                   "with the same filters (");
    {
        /* The filters, in plain words. */
        const char *names[] = {"since", "until", "channel", "segment",
                               "block"};
        const char *vals[] = {r->ro.since, r->ro.until, r->ro.channel,
                              r->ro.segment, r->ro.block};
        int m = 0;
        for (int i = 0; i < 5; i++)
            if (vals[i]) {
                vx_out_printf(o, "%s%s ", m++ ? ", " : "", names[i]);
                vx_out_md(o, vals[i], (size_t)-1, NULL);
            }
        if (!m)
            vx_out_puts(o, "no filters");
    }
    vx_out_puts(o, ").\n");
    return VOCX_OK;
}

static int digest_html(vx_out *o, rep *r, const char *team, const size_t *idx,
                       size_t n)
{
    char title[512], c1[32];
    snprintf(title, sizeof title, "%s \xE2\x80\x94 what customers say", team);
    html_head(o, title);
    html_masthead(o, r, "Team digest \xC2\xB7 voice of the customer", title);
    vx_out_puts(o, "<main>\n");
    if (!n) {
        vx_out_puts(o, "<p class=\"empty\">No comment raised an issue owned "
                       "by ");
        vx_out_html(o, team, (size_t)-1);
        vx_out_puts(o, " in this period.</p>\n");
    } else {
        double att = 0;
        for (size_t i = 0; i < n; i++)
            att += vocx_ranking_row(r->rk, idx[i])->clv_at_risk_attributed;
        vx_out_puts(o, "<section class=\"headline\" aria-label=\"Summary\">"
                       "<h2>");
        vx_out_html(o, team, (size_t)-1);
        vx_out_printf(o, " owns %zu issue%s with ", n, n == 1 ? "" : "s");
        html_money(o, r, att);
        vx_out_puts(o, " of customer value at risk</h2>\n<p>Attributed CLV at "
                       "risk; rank is the position among all ");
        vx_out_puts(o, vx_fmt_count(vocx_ranking_count(r->rk), c1));
        vx_out_puts(o, " issues ranked. The phrases that matched the rules "
                       "are <mark>highlighted</mark>.</p></section>\n");
        vx_out_puts(o, "<div class=\"tablewrap\">\n<table id=\"team-table\">\n"
                       "<thead><tr><th class=\"num\">Rank</th><th>Issue</th>"
                       "<th>Kind</th><th class=\"num\">Comments</th>"
                       "<th class=\"num\">Customers</th><th class=\"num\">"
                       "CLV at risk</th><th class=\"num\">Attributed</th>"
                       "</tr></thead>\n<tbody>\n");
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < n; i++) {
                const vocx_rank_row *row = vocx_ranking_row(r->rk, idx[i]);
                if (!is_kind(row, KIND_ORDER[k]))
                    continue;
                vx_out_puts(o, "<tr data-issue=\"");
                vx_out_html(o, row->issue, (size_t)-1);
                vx_out_printf(o, "\"><td class=\"num\">%zu</td><td>",
                              idx[i] + 1);
                vx_out_html(o, row->label ? row->label : row->issue,
                            (size_t)-1);
                vx_out_printf(o, "</td><td>%s</td><td class=\"num\">",
                              KIND_ORDER[k]);
                html_count(o, row->comments);
                vx_out_puts(o, "</td><td class=\"num\">");
                html_count(o, row->customers);
                vx_out_puts(o, "</td><td class=\"num\">");
                html_money(o, r, row->clv_at_risk);
                vx_out_puts(o, "</td><td class=\"num\">");
                html_money(o, r, row->clv_at_risk_attributed);
                vx_out_puts(o, "</td></tr>\n");
            }
        vx_out_puts(o, "</tbody>\n</table>\n</div>\n");
        for (int k = 0; k < 3; k++) {
            int head = 0;
            for (size_t i = 0; i < n; i++) {
                const vocx_rank_row *row = vocx_ranking_row(r->rk, idx[i]);
                if (!is_kind(row, KIND_ORDER[k]))
                    continue;
                if (!head++) {
                    char sid[32];
                    snprintf(sid, sizeof sid, "kind-%s", KIND_ORDER[k]);
                    section_head(o, sid, 0, KIND_TITLE[k]);
                    vx_out_puts(o, "<div class=\"issues\">\n");
                }
                int rc = html_issue_card(o, r, row, idx[i] + 1, r->quotes);
                if (rc)
                    return rc;
            }
            if (head)
                vx_out_puts(o, "</div>\n</section>\n");
        }
    }
    html_provenance(o, r);
    vx_out_puts(o, "</main>\n");
    html_tail(o);
    return VOCX_OK;
}

int vocx_report_digest(vocx_store *s, const vocx_report_options *opts,
                       const char *team, int format, vocx_write_cb write,
                       void *payload)
{
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!write || !team || !*team)
        return vx_fail(s, VOCX_EINVAL, "a team and a write callback are "
                                       "needed");
    if (format != VOCX_REPORT_MARKDOWN && format != VOCX_REPORT_HTML)
        return vx_fail(s, VOCX_EINVAL,
                       "digest format %d: use VOCX_REPORT_MARKDOWN or "
                       "VOCX_REPORT_HTML",
                       format);
    rep r;
    int rc = check_report_options(s, opts, &r, 1);
    if (rc)
        return rc;
    char canon[256];
    size_t *idx = NULL;
    if ((rc = load(&r)) || (rc = find_team(&r, team, canon, sizeof canon)))
        goto done;
    size_t n = 0, total = vocx_ranking_count(r.rk);
    if (!(idx = calloc(total ? total : 1, sizeof *idx))) {
        rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < total; i++) {
        const vocx_rank_row *row = vocx_ranking_row(r.rk, i);
        if (row->owner && !strcasecmp(row->owner, canon))
            idx[n++] = i;
    }
    vx_out o;
    vx_out_init(&o, write, payload);
    rc = format == VOCX_REPORT_MARKDOWN ? digest_markdown(&o, &r, canon, idx, n)
                                        : digest_html(&o, &r, canon, idx, n);
    if (!rc && (rc = vx_out_flush(&o)))
        rc = vx_fail(s, rc, rc == VOCX_EIO ? "the write callback failed"
                                           : "out of memory");
    vx_out_free(&o);
done:
    free(idx);
    rep_free(&r);
    return rc;
}

/* ---- the at-risk export ------------------------------------------------- */

typedef struct xrow {
    quote q;
    const vocx_rank_row *issue;
} xrow;

static int cmp_xrow(const void *a, const void *b)
{
    const xrow *x = a, *y = b;
    double ax = x->q.clv * x->q.risk, ay = y->q.clv * y->q.risk;
    if (ax != ay)
        return ax > ay ? -1 : 1;
    if (x->q.attributed != y->q.attributed)
        return x->q.attributed > y->q.attributed ? -1 : 1;
    int c = strcmp(x->q.customer_id ? x->q.customer_id : "",
                   y->q.customer_id ? y->q.customer_id : "");
    return c ? c : strcmp(x->issue->issue, y->issue->issue);
}

int vocx_export_at_risk(vocx_store *s, const vocx_rank_options *opts,
                        const char *issue_id, vocx_at_risk_cb cb,
                        void *payload, vocx_at_risk_stats *stats)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!cb)
        return vx_fail(s, VOCX_EINVAL, "a row callback is needed");
    vocx_rank_options d = VOCX_RANK_OPTIONS_INIT;
    vocx_rank_options ro = opts ? *opts : d;
    ro.record = 0;
    vocx_ranking *rk = NULL;
    int rc = vocx_rank(&rk, s, &ro);
    if (rc)
        return rc;
    xrow *rows = NULL;
    size_t nrows = 0, caprows = 0;
    strlist left = {0}, anon = {0}, unknown = {0}, custs = {0};
    size_t n = vocx_ranking_count(rk);
    int found = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const vocx_rank_row *row = vocx_ranking_row(rk, i);
        if (issue_id ? strcmp(row->issue, issue_id) != 0
                     : (!ro.kind && is_kind(row, "praise")))
            continue;
        found = 1;
        walker w;
        memset(&w, 0, sizeof w);
        w.unmatched_comments = &left;
        w.anonymous_comments = &anon;
        w.unknown_customers = &unknown;
        rc = walk_run(s, &ro, row->issue, &w);
        for (size_t k = 0; !rc && k < w.nknown; k++) {
            if (nrows == caprows) {
                size_t cap = caprows ? 2 * caprows : 64;
                xrow *v = realloc(rows, cap * sizeof *v);
                if (!v) {
                    rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
                    break;
                }
                rows = v;
                caprows = cap;
            }
            rows[nrows].q = w.known[k];
            rows[nrows].issue = row;
            memset(&w.known[k], 0, sizeof w.known[k]);
            nrows++;
        }
        walker_free(&w);
    }
    if (!rc && issue_id && !found) {
        /* Not raised under the filters: an unknown id is an error, a known
         * one simply has nobody to contact. */
        vocx_ranking_totals t;
        vocx_ranking_totals_get(rk, &t);
        static const char sql[] =
            "SELECT 1 FROM issues i JOIN rulesets r USING (ruleset_id)"
            " WHERE r.hash = ?1 AND i.issue_id = ?2";
        sqlite3_stmt *st = vx_stmt(s, sql);
        if (!st) {
            rc = s->errcode;
        } else {
            sqlite3_bind_text(st, 1, t.ruleset, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, issue_id, -1, SQLITE_TRANSIENT);
            int step = sqlite3_step(st);
            sqlite3_reset(st);
            if (step == SQLITE_DONE)
                rc = vx_fail(s, VOCX_ENOTFOUND,
                             "no issue \"%s\" in rule set %.12s", issue_id,
                             t.ruleset);
            else if (step != SQLITE_ROW)
                rc = vx_fail_db(s, "cannot look up the issue");
        }
    }
    if (!rc) {
        if (nrows)
            qsort(rows, nrows, sizeof *rows, cmp_xrow);
        for (size_t i = 0; i < nrows; i++)
            if (strlist_add(&custs, rows[i].q.customer_id)) {
                rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
                break;
            }
    }
    if (!rc && stats) {
        stats->rows = nrows;
        stats->customers = strlist_distinct(&custs);
        size_t ni = 0;
        for (size_t i = 0; i < n; i++) {
            const vocx_rank_row *row = vocx_ranking_row(rk, i);
            for (size_t k = 0; k < nrows; k++)
                if (rows[k].issue == row) {
                    ni++;
                    break;
                }
        }
        stats->issues = ni;
        stats->left_out_comments = strlist_distinct(&left);
        stats->anonymous_comments = strlist_distinct(&anon);
        stats->left_out_customers = strlist_distinct(&unknown);
    }
    for (size_t i = 0; !rc && i < nrows; i++) {
        const quote *q = &rows[i].q;
        const vocx_rank_row *is = rows[i].issue;
        vocx_at_risk_row x;
        memset(&x, 0, sizeof x);
        x.customer_id = q->customer_id;
        x.issue = is->issue;
        x.label = is->label;
        x.block = is->block;
        x.kind = is->kind;
        x.owner = is->owner;
        x.clv = q->clv;
        x.clv_source = q->clv_source;
        x.risk = q->risk;
        x.risk_source = q->risk_source;
        x.clv_at_risk = q->clv * q->risk;
        x.clv_at_risk_attributed = q->attributed;
        x.comments = q->comments;
        x.comment_id = q->comment_id;
        x.created_at = q->created_at;
        x.channel = q->channel;
        x.text = q->text;
        x.spans = q->spans;
        x.churn_cue = q->churn;
        if (cb(&x, payload))
            rc = vx_fail(s, VOCX_ECANCEL, "stopped by the callback");
    }
    for (size_t i = 0; i < nrows; i++)
        quote_free(&rows[i].q);
    free(rows);
    strlist_free(&left);
    strlist_free(&anon);
    strlist_free(&unknown);
    strlist_free(&custs);
    vocx_ranking_free(rk);
    return rc;
}

/* ---- the export as CSV or JSON ------------------------------------------ */

typedef struct xwrite {
    vx_out o;
    int format;
    uint64_t n;
} xwrite;

/* One CSV field.  A text field that a spreadsheet would take for a formula
 * (it starts with =, +, -, @, a tab or a carriage return) is written
 * quoted with a ' before it, as OWASP recommends against CSV injection;
 * numbers are written as they are. */
static void csv_field(vx_out *o, const char *s, int text)
{
    if (!s)
        return;
    int formula = text && *s && strchr("=+-@\t\r", *s) != NULL;
    int quote = formula || !*s || strpbrk(s, ",\"\r\n") || s[0] == ' ' ||
                s[strlen(s) - 1] == ' ';
    if (!quote) {
        vx_out_puts(o, s);
        return;
    }
    vx_out_put(o, formula ? "\"'" : "\"", formula ? 2 : 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            vx_out_put(o, "\"", 1);
        vx_out_put(o, p, 1);
    }
    vx_out_put(o, "\"", 1);
}

static void json_string(vx_out *o, const char *s)
{
    if (!s) {
        vx_out_puts(o, "null");
        return;
    }
    vx_out_put(o, "\"", 1);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            int k = vx_utf8_decode(s + i, n - i, &cp);
            if (k > 0)
                vx_out_put(o, s + i, (size_t)k);
            else
                vx_out_puts(o, "\\ufffd");
            i += k > 0 ? (size_t)k : 1;
            continue;
        }
        if (c == '"' || c == '\\') {
            vx_out_put(o, "\\", 1);
            vx_out_put(o, s + i, 1);
        } else if (c == '\n') {
            vx_out_puts(o, "\\n");
        } else if (c == '\r') {
            vx_out_puts(o, "\\r");
        } else if (c == '\t') {
            vx_out_puts(o, "\\t");
        } else if (c < 0x20 || c == 0x7F) {
            vx_out_printf(o, "\\u%04x", c);
        } else {
            vx_out_put(o, s + i, 1);
        }
        i++;
    }
    vx_out_put(o, "\"", 1);
}

static const char *const XCOLS[] = {
    "customer_id", "issue", "label", "block", "kind", "owner",
    "clv", "clv_source", "risk", "risk_source", "clv_at_risk",
    "clv_at_risk_attributed", "comments", "comment_id", "created_at",
    "channel", "text"};
#define NXCOLS (sizeof XCOLS / sizeof XCOLS[0])

static int on_xrow(const vocx_at_risk_row *x, void *payload)
{
    xwrite *w = payload;
    vx_out *o = &w->o;
    char num[6][48], cnt[32];
    vx_fmt_fixed(x->clv, 2, 0, num[0]);
    vx_fmt_fixed(x->risk, 4, 0, num[1]);
    vx_fmt_fixed(x->clv_at_risk, 2, 0, num[2]);
    vx_fmt_fixed(x->clv_at_risk_attributed, 2, 0, num[3]);
    snprintf(cnt, sizeof cnt, "%llu", (unsigned long long)x->comments);
    const char *v[NXCOLS] = {
        x->customer_id, x->issue,      x->label,       x->block,
        x->kind,        x->owner,      num[0],         x->clv_source,
        num[1],         x->risk_source, num[2],        num[3],
        cnt,            x->comment_id, x->created_at,  x->channel,
        x->text};
    /* Which columns are numbers (unquoted in JSON). */
    static const int isnum[NXCOLS] = {0, 0, 0, 0, 0, 0, 1, 0, 1,
                                      0, 1, 1, 1, 0, 0, 0, 0};
    if (w->format == VOCX_REPORT_CSV) {
        for (size_t i = 0; i < NXCOLS; i++) {
            if (i)
                vx_out_put(o, ",", 1);
            csv_field(o, v[i], !isnum[i]);
        }
        vx_out_put(o, "\n", 1);
    } else {
        vx_out_puts(o, w->n ? ",\n {" : "\n {");
        for (size_t i = 0; i < NXCOLS; i++) {
            vx_out_printf(o, "%s\"%s\": ", i ? ", " : "", XCOLS[i]);
            if (isnum[i])
                vx_out_puts(o, v[i]);
            else
                json_string(o, v[i]);
        }
        /* Spans are stored by the classifier as JSON; written as they are
         * when they hold nothing but digits, brackets, commas, spaces. */
        int ok = x->spans && x->spans[0] == '[' &&
                 strspn(x->spans, "[]0123456789, ") == strlen(x->spans);
        vx_out_printf(o, ", \"spans\": %s, \"churn_cue\": %s}",
                      ok ? x->spans : "[]", x->churn_cue ? "true" : "false");
    }
    w->n++;
    return o->err ? 1 : 0;
}

int vocx_export_at_risk_write(vocx_store *s, const vocx_rank_options *opts,
                              const char *issue_id, int format,
                              vocx_write_cb write, void *payload,
                              vocx_at_risk_stats *stats)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    if (!write)
        return vx_fail(s, VOCX_EINVAL, "a write callback is needed");
    if (format != VOCX_REPORT_CSV && format != VOCX_REPORT_JSON)
        return vx_fail(s, VOCX_EINVAL,
                       "export format %d: use VOCX_REPORT_CSV or "
                       "VOCX_REPORT_JSON",
                       format);
    xwrite w;
    memset(&w, 0, sizeof w);
    vx_out_init(&w.o, write, payload);
    w.format = format;
    if (format == VOCX_REPORT_CSV) {
        for (size_t i = 0; i < NXCOLS; i++) {
            vx_out_puts(&w.o, i ? "," : "");
            vx_out_puts(&w.o, XCOLS[i]);
        }
        vx_out_put(&w.o, "\n", 1);
    } else {
        vx_out_put(&w.o, "[", 1);
    }
    int rc = vocx_export_at_risk(s, opts, issue_id, on_xrow, &w, stats);
    if (rc == VOCX_ECANCEL && w.o.err)
        rc = w.o.err;
    if (!rc && format == VOCX_REPORT_JSON)
        vx_out_puts(&w.o, w.n ? "\n]\n" : "]\n");
    if (!rc)
        rc = vx_out_flush(&w.o);
    if (rc == VOCX_EIO || (rc == VOCX_ENOMEM && w.o.err))
        vx_fail(s, rc, rc == VOCX_EIO ? "the write callback failed"
                                      : "out of memory");
    vx_out_free(&w.o);
    return rc;
}
