/* Reports: the HTML report is well-formed, escaped, self-contained and
 * agrees with vocx_rank; digests hold only the team's issues; the at-risk
 * export is sorted and its CSV parses. */
#include "testutil.h"
#include "svg.h"
#include "vocx_internal.h"

#include <ctype.h>
#include <math.h>
#include <strings.h>

/* ---- a store built with SQL --------------------------------------------- */

static void exec(vocx_store *s, const char *sql)
{
    ck_assert_msg(vx_exec(s, sql) == VOCX_OK, "%s: %s", sql,
                  vocx_store_errmsg(s));
}

static const char SCRIPT_TEXT[] =
    "<script>alert(1)</script> I was charged twice! \"&' </p></div>";

/* One comment raising `issue`, with the span of `phrase` as evidence. */
static void add(vocx_store *s, int id, const char *cust, const char *at,
                const char *channel, const char *text, const char *issue,
                const char *phrase, int churn)
{
    sqlite3_stmt *st = NULL;
    char sid[32];
    snprintf(sid, sizeof sid, "c%03d", id);
    ck_assert_int_eq(
        sqlite3_prepare_v2(s->db,
                           "INSERT OR IGNORE INTO comments(comment_id, "
                           "source_id, customer_id, created_at, channel, "
                           "text, ingested_at) VALUES (?1, ?2, ?3, ?4, ?5, "
                           "?6, 'now')",
                           -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int(st, 1, id);
    sqlite3_bind_text(st, 2, sid, -1, SQLITE_STATIC);
    if (cust)
        sqlite3_bind_text(st, 3, cust, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    ck_assert_int_eq(
        sqlite3_prepare_v2(s->db,
                           "INSERT OR IGNORE INTO classifications(comment_id,"
                           " ruleset_id, classified_at, churn_cues, "
                           "positive_cues) VALUES (?1, 1, 'now', ?2, 0)",
                           -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int(st, 1, id);
    sqlite3_bind_int(st, 2, churn);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    if (!issue)
        return;
    const char *p = strstr(text, phrase);
    ck_assert_ptr_nonnull(p);
    char spans[64];
    snprintf(spans, sizeof spans, "[[%zu,%zu]]", (size_t)(p - text),
             (size_t)(p - text) + strlen(phrase));
    ck_assert_int_eq(
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO comment_issues(comment_id, "
                           "ruleset_id, issue_id, rule_line, spans) VALUES "
                           "(?1, 1, ?2, 7, ?3)",
                           -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int(st, 1, id);
    sqlite3_bind_text(st, 2, issue, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, spans, -1, SQLITE_TRANSIENT);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static void dataset(vocx_store *s)
{
    exec(s,
         "INSERT INTO rulesets(ruleset_id, hash, name, loaded_at) VALUES"
         " (1, 'feedbeef00112233445566778899aabbccddeeff0011223344556677"
         "8899aa',"
         "  'test.rules', '2026-01-01T00:00:00Z');"
         "INSERT INTO issues VALUES"
         " (1, 'bill.double', 'improvement', 'Charged twice', 'problem', 0.7,"
         "  'Billing'),"
         " (1, 'bill.refund', 'improvement', 'Refund <missing> & \"late\"',"
         "  'problem', 0.5, 'Billing'),"
         " (1, 'deliv.late', 'improvement', 'Late delivery', 'problem', 0.5,"
         "  'Logistics'),"
         " (1, 'svc.rude', 'culture', 'Rude staff', 'problem', 0.6,"
         "  'Customer Service'),"
         " (1, 'data.repeat', 'customer_intelligence', 'Had to repeat',"
         "  'problem', 0.4, 'Customer Service'),"
         " (1, 'comm.spam', 'engaging_externally', 'Spam', 'problem', 0.3,"
         "  'Marketing'),"
         " (1, 'x.custom', 'my_block', 'Custom thing', 'problem', 0.2, NULL),"
         " (1, 'idea.gift', 'innovation', 'Gift cards', 'opportunity', 0.1,"
         "  'Marketing'),"
         " (1, 'idea.family', 'innovation', 'Family plan', 'opportunity',"
         "  0.1, 'Digital Product'),"
         " (1, 'praise.fast', 'improvement', 'Fast delivery', 'praise', 0,"
         "  'Logistics'),"
         " (1, 'never.raised', 'culture', 'Never raised', 'problem', 0.5,"
         "  'Quiet Team');"
         "INSERT INTO customers(customer_id, churn_prob, segment) VALUES"
         " ('A', NULL, 'gold'), ('B', 0.4, 'silver'), ('C', NULL, 'gold'),"
         " ('D', NULL, 'gold'), ('E', NULL, 'silver'), ('F', NULL, 'gold'),"
         " ('G', NULL, 'gold'), ('H', NULL, 'gold');"
         "INSERT INTO clv_models(model_id, kind, fitted_at, calibration_end,"
         " horizon_months, annual_discount, margin, params, customers,"
         " converged) VALUES (1, 'bgnbd', '2026-01-01T00:00:00Z',"
         " '2025-12-31', 12, 0.1, 1,"
         " '{\"r\": 0.2426, \"alpha\": 4.414, \"a\": 0.7929}', 8, 1);"
         "INSERT INTO customer_clv(model_id, customer_id, clv, source) VALUES"
         " (1, 'A', 12500.5, 'bgnbd'), (1, 'B', 500, 'bgnbd'),"
         " (1, 'C', 3000, 'bgnbd'), (1, 'D', 800, 'bgnbd'),"
         " (1, 'E', 2200, 'bgnbd'), (1, 'F', 150, 'bgnbd'),"
         " (1, 'G', 60, 'bgnbd'), (1, 'H', 0, 'bgnbd');");
    /* Weeks: 2026-W01 starts Mon 2025-12-29, W02 Jan 5, W03 Jan 12. */
    add(s, 1, "A", "2026-01-02T10:00:00Z", "email", SCRIPT_TEXT,
        "bill.double", "charged twice", 1);
    add(s, 2, "A", "2026-01-06T10:00:00Z", "chat",
        "The agent was rude and I had to repeat my address", "svc.rude",
        "rude", 0);
    add(s, 3, "C", "2026-01-07T10:00:00Z", "survey",
        "Billed twice again, second time this year", "bill.double",
        "Billed twice", 0);
    add(s, 4, "B", "2026-01-08T09:00:00Z", "survey",
        "Parcel arrived a week late", "deliv.late", "a week late", 0);
    add(s, 5, "D", "2026-01-09T09:00:00Z", "email",
        "Still waiting for my refund *urgent* _now_", "bill.refund",
        "waiting for my refund", 0);
    add(s, 6, "E", "2026-01-13T09:00:00Z", "app_review",
        "Please sell gift cards, I'd buy ten", "idea.gift", "gift cards", 0);
    add(s, 7, "F", "2026-01-14T09:00:00Z", "app_review",
        "A family plan would be great", "idea.family", "family plan", 0);
    add(s, 8, "G", "2026-01-14T12:00:00Z", "social",
        "Fast delivery, thanks!", "praise.fast", "Fast delivery", 0);
    add(s, 9, "U", "2026-01-15T09:00:00Z", "email",
        "charged twice, who are you people", "bill.double", "charged twice",
        0);
    add(s, 10, NULL, "2026-01-15T10:00:00Z", "email",
        "charged twice, anonymous", "bill.double", "charged twice", 0);
    add(s, 11, NULL, "2026-01-16T10:00:00Z", "email",
        "charged twice, anonymous again", "bill.double", "charged twice", 0);
    add(s, 12, "E", "2026-01-16T11:00:00Z", "email",
        "Stop the spam emails", "comm.spam", "spam emails", 0);
    add(s, 13, "H", "2026-01-16T12:00:00Z", "email",
        "Some custom complaint", "x.custom", "custom complaint", 0);
    add(s, 14, "C", "2026-01-16T13:00:00Z", "phone_transcript",
        "You never know my history, I had to repeat everything",
        "data.repeat", "had to repeat", 0);
    add(s, 15, "B", "2026-01-17T10:00:00Z", "chat", "Nothing to report", NULL,
        NULL, 0);
    /* A second issue on comment 2 (same comment, two issues). */
    exec(s, "INSERT INTO comment_issues(comment_id, ruleset_id, issue_id,"
            " rule_line, spans) VALUES (2, 1, 'data.repeat', 9,"
            " '[[32,38],[14,18]]')");
}

/* ---- collecting output -------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int fail_after; /* fail the nth call (1-based); 0 never */
    int calls;
} sbuf;

static int to_buf(void *payload, const char *data, size_t len)
{
    sbuf *b = payload;
    if (b->fail_after && ++b->calls >= b->fail_after)
        return 1;
    if (b->n + len + 1 > b->cap) {
        b->cap = (b->n + len + 1) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert_ptr_nonnull(b->p);
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    b->p[b->n] = '\0';
    return 0;
}

static char *render_html(vocx_store *s, const vocx_report_options *o)
{
    sbuf b = {0};
    int rc = vocx_report_html(s, o, to_buf, &b);
    ck_assert_msg(rc == VOCX_OK, "report: %s", vocx_store_errmsg(s));
    ck_assert_ptr_nonnull(b.p);
    ck_assert_uint_eq(strlen(b.p), b.n); /* no NUL inside */
    return b.p;
}

/* ---- a tag-balance checker for the elements the reports emit ------------ */

static int is_void(const char *name)
{
    static const char *const v[] = {"meta", "br", "hr", "img", "input",
                                    "link", "wbr", NULL};
    for (int i = 0; v[i]; i++)
        if (!strcmp(v[i], name))
            return 1;
    return 0;
}

/* Returns NULL when well-formed, else a static description. */
static const char *check_balanced(const char *html, char *why, size_t cap)
{
    char stack[256][32];
    int depth = 0;
    const char *p = html;
    while ((p = strchr(p, '<'))) {
        if (!strncmp(p, "<!DOCTYPE", 9) || !strncmp(p, "<!--", 4)) {
            p = strchr(p, '>');
            if (!p)
                return "unterminated declaration";
            continue;
        }
        int closing = p[1] == '/';
        const char *n = p + 1 + closing;
        size_t len = 0;
        while (isalnum((unsigned char)n[len]) || n[len] == '-')
            len++;
        if (!len || len >= 32) {
            snprintf(why, cap, "a '<' that opens no tag at offset %ld: %.40s",
                     (long)(p - html), p);
            return why;
        }
        char name[32];
        memcpy(name, n, len);
        name[len] = '\0';
        /* Find the end of the tag, with quoted attribute values. */
        const char *q = n + len;
        int quotes = 0;
        while (*q && (*q != '>' || quotes % 2)) {
            if (*q == '"')
                quotes++;
            if (*q == '<' && !(quotes % 2)) {
                snprintf(why, cap, "'<' inside tag <%s>", name);
                return why;
            }
            q++;
        }
        if (!*q)
            return "unterminated tag";
        int selfclose = q[-1] == '/';
        if (closing) {
            if (!depth || strcmp(stack[depth - 1], name)) {
                snprintf(why, cap, "</%s> closes <%s> at offset %ld", name,
                         depth ? stack[depth - 1] : "(nothing)",
                         (long)(p - html));
                return why;
            }
            depth--;
        } else if (!selfclose && !is_void(name)) {
            if (depth == 256)
                return "nesting too deep";
            snprintf(stack[depth++], 32, "%s", name);
            if (!strcmp(name, "style")) {
                const char *e = strstr(q, "</style>");
                if (!e)
                    return "unterminated <style>";
                q = e - 1;
            }
        }
        p = q + 1;
    }
    if (depth) {
        snprintf(why, cap, "<%s> never closed", stack[depth - 1]);
        return why;
    }
    return NULL;
}

static const char *stristr(const char *h, const char *n)
{
    size_t len = strlen(n);
    for (; *h; h++)
        if (!strncasecmp(h, n, len))
            return h;
    return NULL;
}

static void assert_well_formed(const char *html)
{
    char why[256];
    const char *bad = check_balanced(html, why, sizeof why);
    ck_assert_msg(bad == NULL, "not well-formed: %s", bad);
}

static void assert_self_contained(const char *html)
{
    ck_assert_ptr_null(stristr(html, "<script"));
    ck_assert_ptr_null(stristr(html, "http"));
    ck_assert_ptr_null(stristr(html, "<link"));
    ck_assert_ptr_null(stristr(html, "src="));
    ck_assert_ptr_null(stristr(html, "url("));
    ck_assert_ptr_null(stristr(html, "@import"));
    ck_assert_ptr_null(stristr(html, "<iframe"));
    /* No event handler attribute in any tag. */
    for (const char *p = html; (p = strchr(p, '<')); p++) {
        const char *e = strchr(p, '>');
        ck_assert_ptr_nonnull(e);
        for (const char *q = p; q < e; q++)
            if (q[0] == ' ' && tolower((unsigned char)q[1]) == 'o' &&
                tolower((unsigned char)q[2]) == 'n') {
                const char *a = q + 3;
                while (isalpha((unsigned char)*a))
                    a++;
                ck_assert_msg(*a != '=', "event handler in %.60s", p);
            }
    }
}

/* The text of the element at the first occurrence of `marker` up to the
 * end of its row. */
static const char *row_of(const char *html, const char *table_id,
                          const char *issue, char *out, size_t cap)
{
    char key[160];
    const char *t = strstr(html, table_id);
    ck_assert_ptr_nonnull(t);
    snprintf(key, sizeof key, "data-issue=\"%s\"", issue);
    const char *r = strstr(t, key);
    if (!r)
        return NULL;
    const char *e = strstr(r, "</tr>");
    ck_assert_ptr_nonnull(e);
    size_t n = (size_t)(e - r) < cap - 1 ? (size_t)(e - r) : cap - 1;
    memcpy(out, r, n);
    out[n] = '\0';
    return out;
}

/* ---- the HTML report ---------------------------------------------------- */

START_TEST(test_html_well_formed_escaped_self_contained)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "html.db");
    dataset(s);
    vocx_report_options o = VOCX_REPORT_OPTIONS_INIT;
    o.currency = "\xE2\x82\xAC"; /* € */
    o.title = "Q1 <review> & \"friends\"";
    o.generated_at = "2026-02-01T08:00:00Z";
    char *html = render_html(s, &o);
    assert_well_formed(html);
    assert_self_contained(html);
    /* The comment and the label are shown as text. */
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"
                                       " I was <mark>charged twice</mark>! "
                                       "&quot;&amp;&#39; &lt;/p&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "Refund &lt;missing&gt; &amp; "
                                       "&quot;late&quot;"));
    ck_assert_ptr_nonnull(strstr(html, "<title>Q1 &lt;review&gt; &amp; "
                                       "&quot;friends&quot;</title>"));
    /* Headline, provenance, charts with titles and table fallbacks. */
    ck_assert_ptr_nonnull(strstr(html, "Fix first:</span> Charged twice"));
    ck_assert_ptr_nonnull(strstr(html, "feedbeef0011223344556677"));
    ck_assert_ptr_nonnull(strstr(html, "test.rules"));
    ck_assert_ptr_nonnull(strstr(html, "alpha 4.414"));
    ck_assert_ptr_nonnull(strstr(html, "2026-02-01 08:00 UTC"));
    ck_assert_ptr_nonnull(strstr(html, "aria-labelledby=\"pareto-chart-t"));
    ck_assert_ptr_nonnull(strstr(html, "id=\"pareto-table\""));
    ck_assert_ptr_nonnull(strstr(html, "id=\"blocks-table\""));
    ck_assert_ptr_nonnull(strstr(html, "id=\"weekly-table\""));
    ck_assert_ptr_nonnull(strstr(html, "C5 \xC2\xB7 set the stage"));
    ck_assert_ptr_nonnull(strstr(html, "E2 \xC2\xB7 engage"));
    ck_assert_ptr_nonnull(strstr(html, "Other building blocks"));
    /* Every SVG has a title and a desc. */
    int svgs = 0;
    for (const char *p = html; (p = strstr(p, "<svg ")); p++, svgs++) {
        const char *t = strstr(p, "<title");
        const char *d = strstr(p, "<desc");
        const char *e = strstr(p, "</svg>");
        ck_assert(t && d && e && t < e && d < e);
    }
    ck_assert_int_eq(svgs, 3);
    /* Unmatched and anonymous comments are accounted for. */
    ck_assert_ptr_nonnull(strstr(html, "customer ids unknown to the CRM; those "
                                       "raising an issue: U;"));
    /* Opportunities in their own section, ranked by the customers' CLV:
     * gift cards (E, 2,200) before the family plan (F, 150). */
    const char *opp = strstr(html, "id=\"opportunities-table\"");
    ck_assert_ptr_nonnull(opp);
    const char *g = strstr(opp, "data-issue=\"idea.gift\"");
    const char *f = strstr(opp, "data-issue=\"idea.family\"");
    ck_assert(g && f && g < f);
    /* Opportunities are not in the problems' Pareto. */
    const char *pt = strstr(html, "id=\"pareto-table\"");
    const char *pe = strstr(pt, "</table>");
    const char *gi = strstr(pt, "idea.gift");
    ck_assert(!gi || gi > pe);
    free(html);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

START_TEST(test_html_order_and_pareto_agree_with_rank)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "order.db");
    dataset(s);
    vocx_report_options o = VOCX_REPORT_OPTIONS_INIT;
    o.currency = "$";
    o.top = 4;
    char *html = render_html(s, &o);
    vocx_ranking *rk = NULL;
    ck_assert_int_eq(vocx_rank(&rk, s, NULL), VOCX_OK);
    /* The problems appear in the table in vocx_rank's order, each with the
     * attributed figure vocx_rank gives. */
    const char *t = strstr(html, "id=\"pareto-table\"");
    ck_assert_ptr_nonnull(t);
    const char *prev = t;
    size_t seen = 0, problems = 0;
    double total = 0;
    for (size_t i = 0; i < vocx_ranking_count(rk); i++) {
        const vocx_rank_row *r = vocx_ranking_row(rk, i);
        if (strcmp(r->kind, "problem"))
            continue;
        problems++;
        total += r->clv_at_risk_attributed;
        if (seen >= 4)
            continue;
        char key[128], row[4096], m[96];
        snprintf(key, sizeof key, "data-issue=\"%s\"", r->issue);
        const char *at = strstr(t, key);
        ck_assert_msg(at != NULL, "%s missing", r->issue);
        ck_assert_msg(at > prev, "%s out of order", r->issue);
        prev = at;
        seen++;
        ck_assert_ptr_nonnull(row_of(html, "id=\"pareto-table\"", r->issue,
                                     row, sizeof row));
        vx_fmt_money("$", r->clv_at_risk_attributed, m);
        ck_assert_msg(strstr(row, m) != NULL, "%s: %s not in %s", r->issue, m,
                      row);
        if (seen == 1) {
            snprintf(key, sizeof key, "<tr class=\"first\" data-issue=\"%s\"",
                     r->issue);
            ck_assert_ptr_nonnull(strstr(html, key));
        }
    }
    ck_assert_uint_eq(seen, 4);
    ck_assert_uint_gt(problems, 4); /* the rest is one "other" row */
    ck_assert_ptr_nonnull(strstr(t, "data-issue=\"(other)\""));
    /* The cumulative share ends at 100 %, in the table and the chart. */
    const char *last = NULL;
    for (const char *p = t; (p = strstr(p, "class=\"num cum\">")); p++)
        last = p;
    ck_assert_ptr_nonnull(last);
    ck_assert_int_eq(strncmp(last + strlen("class=\"num cum\">"), "100.0%", 6),
                     0);
    const char *dot = NULL;
    for (const char *p = html; (p = strstr(p, "data-cum=\"")); p++)
        dot = p;
    ck_assert_ptr_nonnull(dot);
    ck_assert_int_eq(strncmp(dot, "data-cum=\"100.0%\"", 17), 0);
    /* The problems' total is in the footer. */
    char m[96], key[160];
    vx_fmt_money("$", total, m);
    snprintf(key, sizeof key, "<td class=\"num\">%s</td><td class=\"num\">"
                              "100.0%%</td>",
             m);
    ck_assert_msg(strstr(html, key) != NULL, "%s", key);
    /* The building blocks add up to vocx_rank's total. */
    vocx_ranking_totals tt;
    vocx_ranking_totals_get(rk, &tt);
    vx_fmt_money("$", tt.clv_at_risk_attributed, m);
    const char *bt = strstr(html, "id=\"blocks-table\"");
    ck_assert_ptr_nonnull(bt);
    ck_assert_ptr_nonnull(strstr(bt, m));
    vocx_ranking_free(rk);
    free(html);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

START_TEST(test_html_weekly_agrees_with_rank)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "weekly.db");
    dataset(s);
    vocx_report_options o = VOCX_REPORT_OPTIONS_INIT;
    o.weeks = 3;
    char *html = render_html(s, &o);
    /* Three ISO weeks: the last ones with comments (W01..W03). */
    const char *wt = strstr(html, "id=\"weekly-table\"");
    ck_assert_ptr_nonnull(wt);
    ck_assert_ptr_nonnull(strstr(wt, "2026-W01, week of 2025-12-29"));
    ck_assert_ptr_nonnull(strstr(wt, "2026-W03, week of 2026-01-12"));
    ck_assert_ptr_null(strstr(wt, "2026-W04"));
    const char *weeks[][3] = {{"2026-W01", "2025-12-29", "2026-01-05"},
                              {"2026-W02", "2026-01-05", "2026-01-12"},
                              {"2026-W03", "2026-01-12", "2026-01-19"}};
    for (int w = 0; w < 3; w++) {
        vocx_rank_options ro = VOCX_RANK_OPTIONS_INIT;
        ro.since = weeks[w][1];
        ro.until = weeks[w][2];
        vocx_ranking *rk = NULL;
        ck_assert_int_eq(vocx_rank(&rk, s, &ro), VOCX_OK);
        const char *ids[] = {"bill.double", "svc.rude", "(all)"};
        for (int k = 0; k < 3; k++) {
            double v = 0;
            uint64_t c = 0;
            if (k < 2) {
                for (size_t i = 0; i < vocx_ranking_count(rk); i++)
                    if (!strcmp(vocx_ranking_row(rk, i)->issue, ids[k])) {
                        v = vocx_ranking_row(rk, i)->clv_at_risk_attributed;
                        c = vocx_ranking_row(rk, i)->comments;
                    }
            } else {
                vocx_ranking_totals t;
                vocx_ranking_totals_get(rk, &t);
                v = t.clv_at_risk_attributed;
                c = t.classified;
            }
            char key[160], m[96], want[400];
            snprintf(key, sizeof key, "data-week=\"%s\" data-issue=\"%s\">",
                     weeks[w][0], ids[k]);
            const char *cell = strstr(wt, key);
            ck_assert_msg(cell != NULL, "%s", key);
            vx_fmt_money("", v, m);
            snprintf(want, sizeof want, "%s%s<br><span class=\"id\">%llu "
                                        "comments",
                     key, m, (unsigned long long)c);
            ck_assert_msg(!strncmp(cell, want, strlen(want)), "%s vs %.120s",
                          want, cell);
        }
        vocx_ranking_free(rk);
    }
    /* A time filter narrows the weeks. */
    free(html);
    vocx_rank_options ro = VOCX_RANK_OPTIONS_INIT;
    ro.since = "2026-01-05";
    ro.until = "2026-01-12";
    o.rank = &ro;
    html = render_html(s, &o);
    wt = strstr(html, "id=\"weekly-table\"");
    ck_assert_ptr_nonnull(strstr(wt, "2026-W02"));
    ck_assert_ptr_null(strstr(wt, "2026-W01"));
    ck_assert_ptr_null(strstr(wt, "2026-W03"));
    assert_well_formed(html);
    free(html);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

START_TEST(test_html_filters_and_empty)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "filters.db");
    dataset(s);
    /* Only opportunities: no problems, and the page says so. */
    vocx_rank_options ro = VOCX_RANK_OPTIONS_INIT;
    ro.kind = VOCX_KIND_OPPORTUNITY;
    vocx_report_options o = VOCX_REPORT_OPTIONS_INIT;
    o.rank = &ro;
    char *html = render_html(s, &o);
    assert_well_formed(html);
    ck_assert_ptr_nonnull(strstr(html, "No problem raised under these "
                                       "filters"));
    ck_assert_ptr_nonnull(strstr(html, "kind <code>opportunity</code>"));
    free(html);
    /* A window with no comment at all. */
    ro = (vocx_rank_options)VOCX_RANK_OPTIONS_INIT;
    ro.since = "2027-01-01";
    html = render_html(s, &o);
    assert_well_formed(html);
    ck_assert_ptr_nonnull(strstr(html, "No dated comments under these "
                                       "filters"));
    free(html);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

START_TEST(test_errors)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "errors.db");
    sbuf b = {0};
    /* Nothing classified yet: as vocx_rank. */
    ck_assert_int_eq(vocx_report_html(s, NULL, to_buf, &b), VOCX_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "classify"));
    ck_assert_uint_eq(b.n, 0);
    dataset(s);
    ck_assert_int_eq(vocx_report_html(NULL, NULL, to_buf, &b), VOCX_EINVAL);
    ck_assert_int_eq(vocx_report_html(s, NULL, NULL, &b), VOCX_EINVAL);
    vocx_report_options o = VOCX_REPORT_OPTIONS_INIT;
    o.version = 99;
    ck_assert_int_eq(vocx_report_html(s, &o, to_buf, &b), VOCX_EINVAL);
    ck_assert_int_eq(vocx_report_options_init(&o, 99), VOCX_EINVAL);
    ck_assert_int_eq(vocx_report_options_init(NULL, 1), VOCX_EINVAL);
    ck_assert_int_eq(vocx_report_options_init(&o, VOCX_REPORT_OPTIONS_VERSION),
                     VOCX_OK);
    o.top = 51;
    ck_assert_int_eq(vocx_report_html(s, &o, to_buf, &b), VOCX_EINVAL);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "top"));
    o.top = 0;
    o.weeks = 105;
    ck_assert_int_eq(vocx_report_html(s, &o, to_buf, &b), VOCX_EINVAL);
    o.weeks = 0;
    vocx_rank_options ro = VOCX_RANK_OPTIONS_INIT;
    ro.since = "not a date";
    o.rank = &ro;
    ck_assert_int_eq(vocx_report_html(s, &o, to_buf, &b), VOCX_EINVAL);
    ck_assert_int_eq(vocx_report_digest(s, NULL, "Billing", 7, to_buf, &b),
                     VOCX_EINVAL);
    ck_assert_int_eq(vocx_export_at_risk_write(s, NULL, NULL, 1, to_buf, &b,
                                               NULL),
                     VOCX_EINVAL);
    ck_assert_uint_eq(b.n, 0);
    /* A failing writer stops the report with VOCX_EIO, at any point. */
    for (int k = 1; k <= 1; k++) {
        sbuf f = {0};
        f.fail_after = k;
        ck_assert_int_eq(vocx_report_html(s, NULL, to_buf, &f), VOCX_EIO);
        ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "write"));
        free(f.p);
        f = (sbuf){0};
        f.fail_after = k;
        ck_assert_int_eq(vocx_report_digest(s, NULL, "Billing",
                                            VOCX_REPORT_HTML, to_buf, &f),
                         VOCX_EIO);
        free(f.p);
    }
    sbuf f = {0};
    f.fail_after = 1;
    ck_assert_int_eq(vocx_export_at_risk_write(s, NULL, NULL, VOCX_REPORT_CSV,
                                               to_buf, &f, NULL),
                     VOCX_EIO);
    free(f.p);
    free(b.p);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

/* ---- digests ------------------------------------------------------------ */

static char *digest(vocx_store *s, const vocx_report_options *o,
                    const char *team, int fmt)
{
    sbuf b = {0};
    int rc = vocx_report_digest(s, o, team, fmt, to_buf, &b);
    ck_assert_msg(rc == VOCX_OK, "digest: %s", vocx_store_errmsg(s));
    return b.p;
}

START_TEST(test_digest_markdown_only_the_team)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "digest.db");
    dataset(s);
    vocx_report_options o = VOCX_REPORT_OPTIONS_INIT;
    o.currency = "\xE2\x82\xAC";
    char *md = digest(s, &o, "billing", VOCX_REPORT_MARKDOWN);
    ck_assert_ptr_nonnull(strstr(md, "# Billing \xE2\x80\x94"));
    vocx_ranking *rk = NULL;
    ck_assert_int_eq(vocx_rank(&rk, s, NULL), VOCX_OK);
    for (size_t i = 0; i < vocx_ranking_count(rk); i++) {
        const vocx_rank_row *r = vocx_ranking_row(rk, i);
        char key[128];
        snprintf(key, sizeof key, "`%s`", r->issue);
        int mine = r->owner && !strcmp(r->owner, "Billing");
        ck_assert_msg((strstr(md, key) != NULL) == mine, "%s", r->issue);
        if (mine) {
            char m[96];
            vx_fmt_money("\xE2\x82\xAC", r->clv_at_risk_attributed, m);
            ck_assert_ptr_nonnull(strstr(md, m));
        }
    }
    vocx_ranking_free(rk);
    /* Matched phrases in bold, the comment escaped, Markdown characters
     * escaped. */
    ck_assert_ptr_nonnull(strstr(md, "**charged twice**"));
    ck_assert_ptr_nonnull(strstr(md, "**Billed twice**"));
    ck_assert_ptr_null(strstr(md, "<script"));
    ck_assert_ptr_nonnull(strstr(md, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(md, "\\*urgent\\* \\_now\\_"));
    ck_assert_ptr_nonnull(strstr(md, "Refund &lt;missing&gt; &amp; \"late\""));
    ck_assert_ptr_nonnull(strstr(md, "| Rank | Issue |"));
    /* Unmatched comments are shown after the known customers. */
    ck_assert_ptr_nonnull(strstr(md, "customer A"));
    free(md);
    /* A team whose issues nobody raised. */
    md = digest(s, &o, "Quiet Team", VOCX_REPORT_MARKDOWN);
    ck_assert_ptr_nonnull(strstr(md, "No comment raised an issue owned by"));
    free(md);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

START_TEST(test_digest_html_and_unknown_team)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "digesth.db");
    dataset(s);
    vocx_report_options o = VOCX_REPORT_OPTIONS_INIT;
    o.comments_per_issue = 2;
    char *h = digest(s, &o, "Customer Service", VOCX_REPORT_HTML);
    assert_well_formed(h);
    assert_self_contained(h);
    ck_assert_ptr_nonnull(strstr(h, "data-issue=\"svc.rude\""));
    ck_assert_ptr_nonnull(strstr(h, "data-issue=\"data.repeat\""));
    ck_assert_ptr_null(strstr(h, "data-issue=\"bill.double\""));
    ck_assert_ptr_null(strstr(h, "data-issue=\"deliv.late\""));
    ck_assert_ptr_nonnull(strstr(h, "was <mark>rude</mark>"));
    /* Two spans, given out of order, both marked. */
    ck_assert_ptr_nonnull(strstr(h, "<mark>rude</mark> and I had to "
                                    "<mark>repeat</mark>"));
    free(h);
    sbuf b = {0};
    ck_assert_int_eq(vocx_report_digest(s, &o, "Nobody", VOCX_REPORT_MARKDOWN,
                                        to_buf, &b),
                     VOCX_ENOTFOUND);
    const char *msg = vocx_store_errmsg(s);
    ck_assert_ptr_nonnull(strstr(msg, "Nobody"));
    ck_assert_ptr_nonnull(strstr(msg, "\"Billing\""));
    ck_assert_ptr_nonnull(strstr(msg, "\"Customer Service\""));
    ck_assert_ptr_nonnull(strstr(msg, "\"Quiet Team\""));
    ck_assert_uint_eq(b.n, 0);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

/* ---- the at-risk export ------------------------------------------------- */

typedef struct rows {
    int n;
    char cust[32][8], issue[32][32];
    double at_risk[32], attributed[32], clv[32];
    char text[32][128];
} rows;

static int on_row(const vocx_at_risk_row *r, void *p)
{
    rows *x = p;
    ck_assert_int_lt(x->n, 32);
    snprintf(x->cust[x->n], 8, "%s", r->customer_id);
    snprintf(x->issue[x->n], 32, "%s", r->issue);
    snprintf(x->text[x->n], 128, "%s", r->text);
    x->at_risk[x->n] = r->clv_at_risk;
    x->attributed[x->n] = r->clv_at_risk_attributed;
    x->clv[x->n] = r->clv;
    ck_assert_double_eq_tol(r->clv_at_risk, r->clv * r->risk, 1e-9);
    ck_assert_ptr_nonnull(r->comment_id);
    x->n++;
    return 0;
}

START_TEST(test_export_sorted_known_only)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "export.db");
    dataset(s);
    rows x = {0};
    vocx_at_risk_stats st;
    ck_assert_int_eq(vocx_export_at_risk(s, NULL, NULL, on_row, &x, &st),
                     VOCX_OK);
    ck_assert_int_gt(x.n, 5);
    for (int i = 1; i < x.n; i++)
        ck_assert_msg(x.at_risk[i - 1] >= x.at_risk[i], "row %d", i);
    for (int i = 0; i < x.n; i++) {
        ck_assert_str_ne(x.cust[i], "U");
        ck_assert_str_ne(x.issue[i], "praise.fast"); /* no praise */
    }
    /* A first: CLV 12,500.50, charged twice with a churn cue. */
    ck_assert_str_eq(x.cust[0], "A");
    ck_assert_str_eq(x.issue[0], "bill.double");
    ck_assert_str_eq(x.text[0], SCRIPT_TEXT);
    ck_assert_uint_eq(st.rows, (uint64_t)x.n);
    /* Left out: U's comment and two anonymous ones (distinct comments). */
    ck_assert_uint_eq(st.left_out_comments, 3);
    ck_assert_uint_eq(st.anonymous_comments, 2);
    ck_assert_uint_eq(st.left_out_customers, 1);
    /* The attributed figures add up to vocx_rank's per issue. */
    vocx_ranking *rk = NULL;
    ck_assert_int_eq(vocx_rank(&rk, s, NULL), VOCX_OK);
    for (size_t i = 0; i < vocx_ranking_count(rk); i++) {
        const vocx_rank_row *r = vocx_ranking_row(rk, i);
        if (!strcmp(r->kind, "praise"))
            continue;
        double sum = 0, risk = 0;
        for (int k = 0; k < x.n; k++)
            if (!strcmp(x.issue[k], r->issue)) {
                sum += x.attributed[k];
                risk += x.at_risk[k];
            }
        ck_assert_double_eq_tol(sum, r->clv_at_risk_attributed, 1e-6);
        ck_assert_double_eq_tol(risk, r->clv_at_risk, 1e-6);
    }
    vocx_ranking_free(rk);
    /* One issue. */
    x = (rows){0};
    ck_assert_int_eq(vocx_export_at_risk(s, NULL, "bill.double", on_row, &x,
                                         &st),
                     VOCX_OK);
    ck_assert_int_eq(x.n, 2); /* A and C; U and anonymous left out */
    ck_assert_str_eq(x.cust[0], "A");
    ck_assert_str_eq(x.cust[1], "C");
    ck_assert_uint_eq(st.left_out_comments, 3);
    ck_assert_uint_eq(st.issues, 1);
    ck_assert_uint_eq(st.customers, 2);
    /* Known issue nobody raised: nothing, no error; unknown: not found. */
    x = (rows){0};
    ck_assert_int_eq(vocx_export_at_risk(s, NULL, "never.raised", on_row, &x,
                                         &st),
                     VOCX_OK);
    ck_assert_int_eq(x.n, 0);
    ck_assert_int_eq(vocx_export_at_risk(s, NULL, "no.such", on_row, &x, &st),
                     VOCX_ENOTFOUND);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

/* A small RFC 4180 reader: fields of one record; returns the count, and
 * advances *p past the record. */
static int csv_record(const char **p, char fields[][256], int max)
{
    const char *s = *p;
    int n = 0;
    for (;;) {
        ck_assert_int_lt(n, max);
        char *f = fields[n++];
        size_t k = 0;
        if (*s == '"') {
            s++;
            for (;;) {
                ck_assert_msg(*s != '\0', "unterminated quoted field");
                if (*s == '"' && s[1] == '"') {
                    f[k++] = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    f[k++] = *s++;
                }
                ck_assert_uint_lt(k, 255);
            }
            ck_assert_msg(*s == ',' || *s == '\n', "junk after a quote: %.20s",
                          s);
        } else {
            while (*s && *s != ',' && *s != '\n') {
                ck_assert_msg(*s != '"', "bare quote in a field");
                f[k++] = *s++;
                ck_assert_uint_lt(k, 255);
            }
        }
        f[k] = '\0';
        if (*s == ',') {
            s++;
            continue;
        }
        if (*s == '\n')
            s++;
        break;
    }
    *p = s;
    return n;
}

START_TEST(test_export_csv_and_json)
{
    char db[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "csv.db");
    dataset(s);
    sbuf b = {0};
    vocx_at_risk_stats st;
    ck_assert_int_eq(vocx_export_at_risk_write(s, NULL, NULL, VOCX_REPORT_CSV,
                                               to_buf, &b, &st),
                     VOCX_OK);
    static char f[32][256];
    const char *p = b.p;
    int n = csv_record(&p, f, 32);
    ck_assert_int_eq(n, 17);
    ck_assert_str_eq(f[0], "customer_id");
    ck_assert_str_eq(f[10], "clv_at_risk");
    ck_assert_str_eq(f[16], "text");
    int recs = 0, script = 0;
    double prev = INFINITY;
    while (*p) {
        ck_assert_int_eq(csv_record(&p, f, 32), 17);
        recs++;
        double v = atof(f[10]);
        ck_assert(v <= prev + 1e-9);
        prev = v;
        if (!strcmp(f[16], SCRIPT_TEXT)) {
            script = 1;
            ck_assert_str_eq(f[0], "A");
            ck_assert_str_eq(f[6], "12500.50");
        }
    }
    ck_assert_int_eq(recs, (int)st.rows);
    ck_assert(script);
    /* The quote in the text was doubled. */
    ck_assert_ptr_nonnull(strstr(b.p, "twice! \"\"&'"));
    free(b.p);
    b = (sbuf){0};
    ck_assert_int_eq(vocx_export_at_risk_write(s, NULL, "bill.double",
                                               VOCX_REPORT_JSON, to_buf, &b,
                                               &st),
                     VOCX_OK);
    ck_assert_int_eq(b.p[0], '[');
    ck_assert_ptr_nonnull(strstr(b.p, "\"customer_id\": \"A\""));
    ck_assert_ptr_nonnull(strstr(b.p, "\"clv\": 12500.50"));
    ck_assert_ptr_nonnull(strstr(b.p, "twice! \\\"&'"));
    ck_assert_ptr_nonnull(strstr(b.p, "\"churn_cue\": true"));
    ck_assert_ptr_nonnull(strstr(b.p, "\"spans\": [["));
    ck_assert_str_eq(b.p + b.n - 2, "]\n");
    free(b.p);
    /* No rows: a header alone, an empty array. */
    b = (sbuf){0};
    ck_assert_int_eq(vocx_export_at_risk_write(s, NULL, "never.raised",
                                               VOCX_REPORT_JSON, to_buf, &b,
                                               &st),
                     VOCX_OK);
    ck_assert_str_eq(b.p, "[]\n");
    free(b.p);
    vocx_store_close(s);
    tu_rm_db(db);
}
END_TEST

/* ---- formatting and escaping helpers ------------------------------------ */

static int out_str(void *payload, const char *data, size_t len)
{
    return to_buf(payload, data, len);
}

START_TEST(test_formatting)
{
    char b[96];
    ck_assert_str_eq(vx_fmt_money("\xE2\x82\xAC", 1234567.891, b),
                     "\xE2\x82\xAC" "1,234,567.89");
    ck_assert_str_eq(vx_fmt_money("$", -3, b), "-$3.00");
    ck_assert_str_eq(vx_fmt_money(NULL, 0.004, b), "0.00");
    ck_assert_str_eq(vx_fmt_money("$", NAN, b), "-");
    ck_assert_str_eq(vx_fmt_money0("$", 1999.5, b), "$2,000");
    ck_assert_str_eq(vx_fmt_pct(0.1234, b), "12.3%");
    ck_assert_str_eq(vx_fmt_pct(1, b), "100.0%");
    ck_assert_str_eq(vx_fmt_count(1234567, b), "1,234,567");
    ck_assert_str_eq(vx_fmt_fixed(0.123456, 4, 0, b), "0.1235");
    ck_assert_str_eq(vx_fmt_fixed(-0.00001, 2, 0, b), "0.00");

    sbuf s = {0};
    vx_out o;
    vx_out_init(&o, out_str, &s);
    vx_out_html(&o, "a<b>&\"'\x01\xff" "é", (size_t)-1);
    ck_assert_int_eq(vx_out_flush(&o), VOCX_OK);
    ck_assert_str_eq(s.p, "a&lt;b&gt;&amp;&quot;&#39;\xEF\xBF\xBD" "é");
    s.n = 0;
    vx_out_md(&o, "# title\n- item *x* _y_ [l](u) `c` |\n\n1. one\n  two",
              (size_t)-1, "> ");
    ck_assert_int_eq(vx_out_flush(&o), VOCX_OK);
    ck_assert_str_eq(s.p, "\\# title\\\n> \\- item \\*x\\* \\_y\\_ \\[l\\](u) "
                          "\\`c\\` \\|\n> \n> 1\\. one\\\n> two");
    /* Marked ranges: a space after the emphasis is kept, emphasis is
     * closed before a line break and reopened after it. */
    s.n = 0;
    const char *t = "Found a shop that actually answers emails.\nreally *x*";
    vx_range r[2] = {{18, 34}, {43, 49}};
    vx_out_md_marked(&o, t, strlen(t), "> ", r, 2);
    ck_assert_int_eq(vx_out_flush(&o), VOCX_OK);
    ck_assert_str_eq(s.p, "Found a shop that **actually answers** emails.\\\n"
                          "> **really** \\*x\\*");
    s.n = 0;
    vx_range r2[1] = {{0, 9}};
    vx_out_md_marked(&o, "abc\n\ndef", 8, NULL, r2, 1);
    ck_assert_int_eq(vx_out_flush(&o), VOCX_OK);
    ck_assert_str_eq(s.p, "**abc**\n\n**def**");
    vx_out_free(&o);
    free(s.p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_html_well_formed_escaped_self_contained);
    tcase_add_test(tc, test_html_order_and_pareto_agree_with_rank);
    tcase_add_test(tc, test_html_weekly_agrees_with_rank);
    tcase_add_test(tc, test_html_filters_and_empty);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_digest_markdown_only_the_team);
    tcase_add_test(tc, test_digest_html_and_unknown_team);
    tcase_add_test(tc, test_export_sorted_known_only);
    tcase_add_test(tc, test_export_csv_and_json);
    tcase_add_test(tc, test_formatting);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
