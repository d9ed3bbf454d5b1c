"""Deterministic generator of large comment CSV files for the reliability
tests.

The rows are built from the example comments (examples/data/comments.csv),
so the default rules find real issues in them, with a per-row suffix that
makes every text unique.  Customer ids come from examples/data/customers.csv
(plus a few unknown ids and anonymous rows), so a ranking over them has CLV
to put at risk.  The same (n, seed, prefix) always gives the same bytes.

    python3 gen_comments.py OUT.csv N [--seed S] [--prefix P]
"""
import argparse
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE_DATA = os.environ.get(
    "VOCX_EXAMPLE_DATA",
    os.path.join(HERE, "..", "..", "examples", "data"))

CHANNELS = ("email", "chat", "survey", "social", "phone", "app")
FIELDS = ("id", "customer_id", "created_at", "channel", "text")

# Extra sentences mixed in, so texts vary beyond the base comments (some
# raise issues, some are neutral).
EXTRA = (
    "I was charged twice for the same order.",
    "The parcel never arrived and nobody called me back.",
    "Thanks, the vinyl arrived well packed.",
    "Please add a dark mode to the app.",
    "I'm thinking of cancelling my subscription.",
    "The checkout page keeps timing out.",
    "Great service on the phone today.",
    "Still waiting for my refund after three weeks.",
    "",
    "",
)


def _read_column(path, column):
    with open(path, newline="", encoding="utf-8") as f:
        return [r[column] for r in csv.DictReader(f) if r.get(column)]


def base_texts():
    return _read_column(os.path.join(EXAMPLE_DATA, "comments.csv"), "text")


def customer_ids():
    return _read_column(os.path.join(EXAMPLE_DATA, "customers.csv"),
                        "customer_id")


def rows(n, seed=1, prefix="gen"):
    """Yield n rows (dicts with FIELDS), deterministically from seed."""
    rnd = random.Random(seed).random
    texts = base_texts()
    customers = customer_ids()
    nt, nc, ne, nch = len(texts), len(customers), len(EXTRA), len(CHANNELS)
    month_start = (0, 31, 59, 90, 120, 151, 181)   # 2026-01-01 .. 06-30
    for i in range(n):
        r = rnd()
        if r < 0.03:
            cust = ""                                  # anonymous
        elif r < 0.05:
            cust = str(900000 + int(rnd() * 50))       # unknown to the CRM
        else:
            cust = customers[int(rnd() * nc)]
        day = int(rnd() * 181)
        m = 0
        while day >= month_start[m + 1]:
            m += 1
        secs = int(rnd() * 86400)
        created = "2026-%02d-%02dT%02d:%02d:%02dZ" % (
            m + 1, day - month_start[m] + 1, secs // 3600, secs // 60 % 60,
            secs % 60)
        text = texts[int(rnd() * nt)]
        extra = EXTRA[int(rnd() * ne)]
        if extra:
            text = text + " " + extra
        yield {"id": "%s-%07d" % (prefix, i), "customer_id": cust,
               "created_at": created, "channel": CHANNELS[int(rnd() * nch)],
               "text": "%s (ref %s-%d)" % (text, prefix, i)}


def write_csv(path, n, seed=1, prefix="gen"):
    """Write n rows to path and return them as a list, in file order."""
    out = list(rows(n, seed, prefix))
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--prefix", default="gen")
    a = ap.parse_args()
    write_csv(a.out, a.n, a.seed, a.prefix)


if __name__ == "__main__":
    main()
