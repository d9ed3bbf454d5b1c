#!/usr/bin/env python3
"""Derive the operational example tables from the CDNOW sample.

Reads  cdnow/CDNOW_sample.txt  (next to this script) and writes, next to
this script:

  transactions.csv  customer_id,date,amount
      One row per line of the source file, in source order. Same-day
      purchases are NOT merged here (the library does that).
      customer_id is the sample customer id (1..2357) without leading zeros,
      date is the source date shifted forward by exactly 28 years,
      amount is the source dollar amount, two decimals, unchanged.

  customers.csv     customer_id,segment,first_purchase
      One row per customer (2,357), ordered by customer id.
      segment is a spend tier computed from the data: customers are ranked
      by their total spend in the calibration period (the first 39 weeks,
      2025-01-01..2025-09-30 after the shift), highest first, ties broken by
      ascending customer id; the first 20 % (floor) are "high", the next
      30 % (up to floor(50 %)) are "mid", the rest "low".
      first_purchase is the customer's first transaction date (shifted).

Why 28 years: 1997/1998 and 2025/2026 are all non-leap years and the
Gregorian calendar repeats every 28 years across this span (no skipped
century leap day in between), so each date keeps its weekday and every
difference in days is unchanged. The shift is done by replacing the year,
and the script asserts that the day differences are preserved.

Python 3 standard library only; deterministic; run from anywhere:
    python3 examples/data/make_operational.py
"""

import csv
import datetime as dt
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "cdnow", "CDNOW_sample.txt")
YEAR_SHIFT = 28
CALIBRATION_END = dt.date(2025, 9, 30)  # 1997-09-30 shifted
HIGH_SHARE = 20  # percent
HIGH_MID_SHARE = 50  # percent (high + mid)


def shift(d):
    """Move a date forward by YEAR_SHIFT years by replacing the year."""
    return d.replace(year=d.year + YEAR_SHIFT)


def read_source(path):
    rows = []
    with open(path, "r", encoding="ascii", newline="") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 5:
                sys.exit("%s:%d: expected 5 columns, got %d" % (path, lineno, len(parts)))
            _master, sample_id, yyyymmdd, _ncds, amount = parts
            cid = int(sample_id)
            d = dt.datetime.strptime(yyyymmdd, "%Y%m%d").date()
            # keep the amount text exactly as in the source (two decimals)
            if "." not in amount or len(amount.split(".")[1]) != 2:
                sys.exit("%s:%d: amount %r does not have two decimals" % (path, lineno, amount))
            float(amount)  # must parse
            rows.append((cid, d, amount))
    return rows


def check_shift(rows):
    """Assert the shift keeps every day difference and weekday."""
    prev_src = prev_dst = None
    for _cid, d, _amount in rows:
        s = shift(d)
        assert s.weekday() == d.weekday(), (d, s)
        if prev_src is not None:
            # consecutive lines of the file
            assert (s - prev_dst).days == (d - prev_src).days, (prev_src, d)
        prev_src, prev_dst = d, s
    # consecutive distinct dates of the whole data set
    dates = sorted({d for _c, d, _a in rows})
    for a, b in zip(dates, dates[1:]):
        assert (shift(b) - shift(a)).days == (b - a).days, (a, b)
    # and against a fixed origin
    origin = dt.date(1997, 1, 1)
    for d in dates:
        assert (shift(d) - shift(origin)).days == (d - origin).days, d


def main():
    rows = read_source(SOURCE)
    check_shift(rows)

    tx_path = os.path.join(HERE, "transactions.csv")
    with open(tx_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "date", "amount"])
        for cid, d, amount in rows:
            w.writerow([str(cid), shift(d).isoformat(), amount])

    first = {}
    calib_cents = {}
    for cid, d, amount in rows:
        s = shift(d)
        if cid not in first or s < first[cid]:
            first[cid] = s
        cents = int(round(float(amount) * 100))
        calib_cents.setdefault(cid, 0)
        if s <= CALIBRATION_END:
            calib_cents[cid] += cents

    ids = sorted(first)
    n = len(ids)
    ranked = sorted(ids, key=lambda c: (-calib_cents[c], c))
    n_high = n * HIGH_SHARE // 100
    n_high_mid = n * HIGH_MID_SHARE // 100
    segment = {}
    for rank, cid in enumerate(ranked):
        if rank < n_high:
            segment[cid] = "high"
        elif rank < n_high_mid:
            segment[cid] = "mid"
        else:
            segment[cid] = "low"

    cu_path = os.path.join(HERE, "customers.csv")
    with open(cu_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "segment", "first_purchase"])
        for cid in ids:
            w.writerow([str(cid), segment[cid], first[cid].isoformat()])

    counts = {s: sum(1 for c in ids if segment[c] == s) for s in ("high", "mid", "low")}
    print("transactions.csv: %d rows, %d customers" % (len(rows), n))
    print("customers.csv: %d rows (high %d, mid %d, low %d)"
          % (n, counts["high"], counts["mid"], counts["low"]))


if __name__ == "__main__":
    main()
