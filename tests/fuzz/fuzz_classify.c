/* libFuzzer target: the classifier, random rules x random text.
 *
 * The input is split at the first "\n%%\n": before it a rule file, after it
 * the comment (any bytes: invalid UTF-8, NULs, huge).  Every text is
 * classified with the fuzzed rules when they compile and always with the
 * default rule set, and the results must be sound and must not depend on
 * what the scratch classified before.  The fuzzed rules are also compiled
 * a second time with the regex prefilter and the ASCII copies of the
 * regexes off: the prefilter may only skip searches that find nothing, and
 * an ASCII copy must match an ASCII text as the UTF one does, so both must
 * give the same result; and a third time without the gate in front of the
 * keyword trie and the phrase masks, which may only skip lookups that find
 * nothing. */
#include "fuzz_classify_util.h"
#include "rules.h"

#ifndef VOCX_FUZZ_DEFAULT_RULES
#error "VOCX_FUZZ_DEFAULT_RULES must name rules/default.rules"
#endif

/* libFuzzer calls the target many times in one process: the default rules
 * are compiled once, on first use. */
static vocx_rules *default_rules(void)
{
    static vocx_rules *rules;
    if (!rules) {
        vocx_diagnostics *d = NULL;
        if (vocx_rules_load(&rules, VOCX_FUZZ_DEFAULT_RULES, &d) != VOCX_OK) {
            fprintf(stderr, "cannot load %s\n", VOCX_FUZZ_DEFAULT_RULES);
            abort();
        }
        vocx_diagnostics_free(d);
    }
    return rules;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n%%\n";
    const char *in = (const char *)data;
    const char *text = in;
    size_t text_len = size;
    vocx_rules *fuzzed = NULL;

    vocx_rules *unfiltered = NULL, *ungated = NULL;
    for (size_t i = 0; i + 4 <= size; i++) {
        if (memcmp(in + i, sep, 4) == 0) {
            if (vocx_rules_compile(&fuzzed, in, i, NULL, NULL) != VOCX_OK)
                fuzzed = NULL;
            else if (vocx_rules_compile(&unfiltered, in, i, NULL, NULL) ==
                     VOCX_OK) {
                /* every regex on every text, through its UTF copy */
                vx_rules_disable_prefilter(unfiltered);
                vx_rules_disable_ascii(unfiltered);
            }
            if (fuzzed &&
                vocx_rules_compile(&ungated, in, i, NULL, NULL) == VOCX_OK) {
                vx_rules_disable_gate(ungated);
                vx_rules_disable_child_bits(ungated);
                vx_rules_disable_prechecks(ungated);
            }
            text = in + i + 4;
            text_len = size - i - 4;
            break;
        }
    }

    vocx_scratch *scratch = NULL;
    FZ_CHECK(vocx_scratch_new(&scratch) == VOCX_OK);
    fz_classify_twice(default_rules(), scratch, text, text_len);
    if (fuzzed)
        fz_classify_twice(fuzzed, scratch, text, text_len);
    if (fuzzed && unfiltered) {
        const vocx_result *res = NULL;
        FZ_CHECK(vocx_classify(fuzzed, scratch, text, text_len,
                               VOCX_CLASSIFY_EXPLAIN, &res) == VOCX_OK);
        uint64_t with = fz_result_hash(fuzzed, res, text, text_len);
        FZ_CHECK(vocx_classify(unfiltered, scratch, text, text_len,
                               VOCX_CLASSIFY_EXPLAIN, &res) == VOCX_OK);
        /* A regex stopped by its match limit skips its rules (with a
         * warning) where the prefilter knows it cannot match: compare only
         * when every regex ran to its end. */
        if (res->nwarnings == 0)
            FZ_CHECK(fz_result_hash(unfiltered, res, text, text_len) == with);
    }
    if (fuzzed && ungated) {
        const vocx_result *res = NULL;
        FZ_CHECK(vocx_classify(fuzzed, scratch, text, text_len,
                               VOCX_CLASSIFY_EXPLAIN, &res) == VOCX_OK);
        uint64_t with = fz_result_hash(fuzzed, res, text, text_len);
        FZ_CHECK(vocx_classify(ungated, scratch, text, text_len,
                               VOCX_CLASSIFY_EXPLAIN, &res) == VOCX_OK);
        FZ_CHECK(fz_result_hash(ungated, res, text, text_len) == with);
    }
    vocx_scratch_free(scratch);
    vocx_rules_free(ungated);
    vocx_rules_free(unfiltered);
    vocx_rules_free(fuzzed);
    return 0;
}
