/* Invariants of a classification result, shared by the rule-parser and
 * classifier fuzz targets. */
#ifndef VOCX_FUZZ_CLASSIFY_UTIL_H
#define VOCX_FUZZ_CLASSIFY_UTIL_H

#include "fuzz_util.h"
#include "utf8.h"

/* A span must lie inside the text, start before it ends, and cut the
 * original bytes only at UTF-8 character starts (when the text is valid
 * there). */
static int fz_utf8_start(const char *text, size_t len, size_t off)
{
    if (off >= len)
        return 1;
    return ((unsigned char)text[off] & 0xC0) != 0x80;
}

static void fz_check_span(const vocx_span *s, const char *text, size_t len,
                          int valid)
{
    FZ_CHECK(s->start <= s->end && s->end <= len);
    if (valid) {
        FZ_CHECK(fz_utf8_start(text, len, s->start));
        FZ_CHECK(fz_utf8_start(text, len, s->end));
    }
}

/* Check a result and fold it into a hash (for determinism checks). */
static uint64_t fz_result_hash(const vocx_rules *rules, const vocx_result *res,
                               const char *text, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    int valid = vx_utf8_check(text, len) == len;
    size_t nissues = vocx_rules_issue_count(rules);
    FZ_CHECK(res->nhits <= nissues);
    FZ_CHECK(res->churn_cues + res->positive_cues == res->ncues);
    for (size_t i = 0; i < res->nhits; i++) {
        const vocx_hit *hit = &res->hits[i];
        FZ_CHECK(hit->issue != NULL && hit->issue->id != NULL);
        FZ_CHECK(hit->score >= 0);
        FZ_CHECK(hit->rule_text != NULL);
        h = fz_hash(h, hit->issue->id, strlen(hit->issue->id));
        h = fz_hash_u64(h, hit->rule_line);
        for (size_t k = 0; k < hit->nspans; k++) {
            const vocx_span *s = &hit->spans[k];
            fz_check_span(s, text, len, valid);
            if (k)
                FZ_CHECK(hit->spans[k - 1].start <= s->start);
            h = fz_hash_u64(h, s->start);
            h = fz_hash_u64(h, s->end);
        }
    }
    for (size_t i = 0; i < res->ncues; i++) {
        const vocx_cue *c = &res->cues[i];
        FZ_CHECK(c->kind == VOCX_CUE_CHURN || c->kind == VOCX_CUE_POSITIVE);
        fz_check_span(&c->span, text, len, valid);
        h = fz_hash_u64(h, c->rule_line);
        h = fz_hash_u64(h, c->span.start);
    }
    for (size_t i = 0; i < res->nvetoes; i++) {
        const vocx_veto *v = &res->vetoes[i];
        FZ_CHECK(v->issue != NULL);
        FZ_CHECK(v->why >= VOCX_VETO_NEGATED && v->why <= VOCX_VETO_NOT_NEGATED);
        fz_check_span(&v->span, text, len, valid);
        h = fz_hash_u64(h, v->rule_line);
    }
    for (size_t i = 0; i < res->nwarnings; i++) {
        FZ_CHECK(res->warnings[i].message != NULL);
        h = fz_hash_u64(h, res->warnings[i].rule_line);
    }
    return h;
}

/* Classify `text` twice with the same scratch, with an unrelated text in
 * between: results must not depend on what the scratch saw before. */
static void fz_classify_twice(const vocx_rules *rules, vocx_scratch *scratch,
                              const char *text, size_t len)
{
    static const char other[] =
        "I was charged twice and nobody called me back. Never again!";
    for (unsigned flags = 0; flags <= VOCX_CLASSIFY_EXPLAIN;
         flags += VOCX_CLASSIFY_EXPLAIN) {
        const vocx_result *res = NULL;
        FZ_CHECK(vocx_classify(rules, scratch, text, len, flags, &res) ==
                 VOCX_OK);
        uint64_t first = fz_result_hash(rules, res, text, len);
        FZ_CHECK(vocx_classify(rules, scratch, other, sizeof other - 1, flags,
                               &res) == VOCX_OK);
        fz_result_hash(rules, res, other, sizeof other - 1);
        FZ_CHECK(vocx_classify(rules, scratch, text, len, flags, &res) ==
                 VOCX_OK);
        FZ_CHECK(fz_result_hash(rules, res, text, len) == first);
    }
}

#endif
