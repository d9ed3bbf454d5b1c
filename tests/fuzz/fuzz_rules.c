/* libFuzzer target: the rule-file parser and compiler.
 *
 * Any bytes must either compile or yield diagnostics that name a line and
 * column inside the input; compiling must be deterministic; compiled rules
 * must classify a few fixed comments with sound results. */
#include "fuzz_classify_util.h"

static const char *const texts[] = {
    "I was charged twice for my order and nobody called me back.",
    "The parcel didn't arrive and I was billed twice! Cancel my account.",
    "Great service, thank you \xF0\x9F\x98\x8A but the app keeps crashing",
    ("Caf\xC3\xA9 STRASSE stra\xC3\x9F" "e no problem, not bad at all"),
    "waited 3 hours on hold, 24/7 support my a**",
    "",
};

static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vocx_rules *rules = NULL;
    vocx_diagnostics *diag = NULL;
    int rc = vocx_rules_compile(&rules, (const char *)data, size, "fuzz.rules",
                                &diag);
    FZ_CHECK(rc == VOCX_OK || rc == VOCX_ERULES || rc == VOCX_ELIMIT);
    FZ_CHECK((rc == VOCX_OK) == (rules != NULL));

    size_t lines = count_lines(data, size);
    size_t nd = vocx_diagnostics_count(diag);
    size_t errors = 0;
    for (size_t i = 0; i < nd; i++) {
        const vocx_diagnostic *d = vocx_diagnostics_get(diag, i);
        FZ_CHECK(d != NULL && d->message != NULL && d->reason != NULL);
        FZ_CHECK(strchr(d->message, '\n') == NULL); /* one line each */
        FZ_CHECK(d->line >= 1 && d->line <= lines);
        errors += d->severity == VOCX_DIAG_ERROR;
    }
    if (rc == VOCX_ERULES)
        FZ_CHECK(errors > 0); /* a failure always says why */
    vocx_diagnostics_free(diag);

    if (!rules)
        return 0;
    FZ_CHECK(strlen(vocx_rules_hash(rules)) == 64);
    for (size_t i = 0; i < vocx_rules_issue_count(rules); i++) {
        vocx_issue_info info;
        FZ_CHECK(vocx_rules_issue(rules, i, &info) == VOCX_OK);
        FZ_CHECK(info.severity >= 0 && info.severity <= 1);
        FZ_CHECK(info.line >= 1 && info.line <= lines);
    }

    vocx_scratch *scratch = NULL;
    FZ_CHECK(vocx_scratch_new(&scratch) == VOCX_OK);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        fz_classify_twice(rules, scratch, texts[i], strlen(texts[i]));
    vocx_scratch_free(scratch);

    /* The same text compiles to the same rule set. */
    vocx_rules *again = NULL;
    FZ_CHECK(vocx_rules_compile(&again, (const char *)data, size, NULL,
                                NULL) == VOCX_OK);
    FZ_CHECK(strcmp(vocx_rules_hash(rules), vocx_rules_hash(again)) == 0);
    FZ_CHECK(vocx_rules_issue_count(rules) == vocx_rules_issue_count(again));
    vocx_rules_free(again);
    vocx_rules_free(rules);
    return 0;
}
