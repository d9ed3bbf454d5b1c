/*
 * crm_hook: what a CRM backend does with vocx when a customer comment
 * arrives.  It stores the comment, classifies it in memory with a compiled
 * rule set, looks up the customer's lifetime value, and routes each issue
 * to its owner team with the CLV it puts at risk.
 *
 * Built against the installed library:
 *   cc -o crm_hook crm_hook.c $(pkg-config --cflags --libs vocx)
 *
 * Usage: crm_hook DATABASE RULES < events
 * Each input line is one event: id TAB customer_id TAB channel TAB text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vocx.h>

static int fail(const char *what, vocx_store *s, int rc)
{
    fprintf(stderr, "crm_hook: %s: %s\n", what,
            s ? vocx_store_errmsg(s) : vocx_strerror(rc));
    return 1;
}

/* Split a line into at most n tab-separated fields, in place. */
static int split(char *line, char **f, int n)
{
    int k = 0;
    f[k++] = line;
    for (char *p = line; *p && k < n; p++)
        if (*p == '\t') {
            *p = '\0';
            f[k++] = p + 1;
        }
    return k;
}

static void route(const vocx_hit *h, const char *text,
                  const vocx_customer_value *cv, const vocx_result *res)
{
    double base = cv->has_churn_probability ? cv->churn_probability
                                            : h->issue->severity;
    double risk = vocx_comment_risk(base, res->churn_cues, res->positive_cues,
                                    NULL);
    printf("  -> %-18s %-30s risk %.2f", h->issue->owner ? h->issue->owner
                                                          : "(no owner)",
           h->issue->id, risk);
    if (cv->known)
        printf("  CLV at risk %.2f of %.2f", cv->clv * risk, cv->clv);
    else
        printf("  (customer without CLV)");
    if (h->nspans)
        printf("  \"%.*s\"", (int)(h->spans[0].end - h->spans[0].start),
               text + h->spans[0].start);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: crm_hook DATABASE RULES < events\n");
        return 2;
    }
    vocx_store *store = NULL;
    int rc = vocx_store_open(&store, argv[1], VOCX_OPEN_CREATE);
    if (rc)
        return fail("open", store, rc);
    vocx_rules *rules = NULL;
    vocx_diagnostics *diag = NULL;
    rc = vocx_rules_load(&rules, argv[2], &diag);
    for (size_t i = 0; i < vocx_diagnostics_count(diag); i++)
        fprintf(stderr, "%s\n", vocx_diagnostics_get(diag, i)->message);
    vocx_diagnostics_free(diag);
    if (rc) {
        vocx_store_close(store);
        return fail("rules", NULL, rc);
    }
    vocx_scratch *scratch = NULL;
    if ((rc = vocx_scratch_new(&scratch))) {
        vocx_rules_free(rules);
        vocx_store_close(store);
        return fail("scratch", NULL, rc);
    }
    char line[65536];
    int events = 0, status = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *f[4];
        if (split(line, f, 4) != 4) {
            fprintf(stderr, "crm_hook: skipping malformed event\n");
            continue;
        }
        vocx_comment c = {f[0], *f[1] ? f[1] : NULL, NULL, f[2], f[3], 0};
        int what = 0;
        if ((rc = vocx_store_put_comment(store, &c, &what))) {
            status = fail("store comment", store, rc);
            break;
        }
        const vocx_result *res = NULL;
        if ((rc = vocx_classify(rules, scratch, f[3], strlen(f[3]), 0, &res))) {
            status = fail("classify", NULL, rc);
            break;
        }
        vocx_customer_value cv;
        if (c.customer_id &&
            (rc = vocx_store_customer_value(store, c.customer_id, 0, &cv))) {
            status = fail("customer", store, rc);
            break;
        }
        if (!c.customer_id)
            memset(&cv, 0, sizeof cv);
        printf("%s from customer %s via %s: %zu issue%s%s\n", f[0],
               c.customer_id ? c.customer_id : "(anonymous)", f[2],
               res->nhits, res->nhits == 1 ? "" : "s",
               res->churn_cues ? ", CHURN RISK" : "");
        for (size_t i = 0; i < res->nhits; i++)
            route(&res->hits[i], f[3], &cv, res);
        events++;
    }
    fprintf(stderr, "crm_hook: %d events handled\n", events);
    vocx_scratch_free(scratch);
    vocx_rules_free(rules);
    vocx_store_close(store);
    return status;
}
