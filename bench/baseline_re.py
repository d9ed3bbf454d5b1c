#!/usr/bin/env python3
"""Python `re` baseline: the classification a script would do.

    baseline_re.py --corpus comments.csv --regex rules_500.re \
                   --mode loop|alt [--budget SECONDS] [--label L]

Reads the rule regexes (one per rule, as gen_corpus --rules writes them
next to the rule file: the same patterns the PCRE2 and Hyperscan baselines
use; `\\b`, `\\w` and `\\s` are Unicode-aware in Python as with PCRE2 UCP) and
the `text` column of the comments file, then classifies comment after
comment until the budget is spent or the comments run out:

  loop  every rule's compiled pattern searched in the lower-cased comment
        (a rule fires when its pattern is found);
  alt   one compiled alternation of all the patterns (a leading \\b that
        all share tested once), every match counted.

Only the classification is timed (reading the CSV and compiling are not;
compiling is reported apart).  Prints one machine-readable line:

  @result stage=python-loop|python-alt label=L bytes=.. comments=..
          secs=.. mbs=.. cps=.. compile_ms=.. hits=.. rss_kb=..

Python 3 standard library only.
"""

import argparse
import csv
import itertools
import re
import resource
import sys
import time

CHUNK = 16  # comments read (untimed) between timed batches


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True, help="comments CSV with a text column")
    ap.add_argument("--regex", required=True, help="one regex per rule")
    ap.add_argument("--mode", choices=("loop", "alt"), required=True)
    ap.add_argument("--budget", type=float, default=3.0, help="seconds of classification")
    ap.add_argument("--label", default="-")
    a = ap.parse_args()

    with open(a.regex, encoding="utf-8") as f:
        patterns = [line.rstrip("\r\n") for line in f if line.strip()]
    t0 = time.perf_counter()
    if a.mode == "loop":
        compiled = [re.compile(p) for p in patterns]
    else:
        # a \b that leads every pattern is tested once, as in the PCRE2
        # baseline: \b(?:X|Y) is (?:\bX|\bY)
        lead = all(p.startswith("\\b") for p in patterns)
        body = "|".join("(?:%s)" % (p[2:] if lead else p) for p in patterns)
        alternation = re.compile("\\b(?:%s)" % body if lead else body)
    compile_s = time.perf_counter() - t0

    csv.field_size_limit(1 << 30)
    comments = nbytes = hits = 0
    spent = 0.0
    with open(a.corpus, encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        try:
            col = header.index("text")
        except ValueError:
            sys.exit("%s: no text column" % a.corpus)
        while spent < a.budget:
            batch = [row[col] for row in itertools.islice(rows, CHUNK)]
            if not batch:
                break
            t = time.perf_counter()
            if a.mode == "loop":
                for text in batch:
                    low = text.lower()
                    for p in compiled:
                        if p.search(low):
                            hits += 1
            else:
                for text in batch:
                    for _ in alternation.finditer(text.lower()):
                        hits += 1
            spent += time.perf_counter() - t
            comments += len(batch)
            nbytes += sum(len(x.encode("utf-8")) for x in batch)

    if spent <= 0:
        spent = 1e-9
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        "@result stage=python-%s label=%s bytes=%d comments=%d secs=%.6f "
        "mbs=%.4f cps=%.1f compile_ms=%.3f hits=%d rss_kb=%d"
        % (a.mode, a.label, nbytes, comments, spent, nbytes / spent / 1e6,
           comments / spent, compile_s * 1e3, hits, rss)
    )


if __name__ == "__main__":
    main()
