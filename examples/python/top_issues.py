#!/usr/bin/env python3
"""Which customer issues put the most customer value at risk?

Loads customer comments and transactions into a vocx database, fits a
customer-lifetime-value model, classifies the comments with a rule file,
ranks the issues by the CLV at risk, and prints the top issues and the
comments behind the first one.

    PYTHONPATH=bindings/python VOCX_LIBRARY=build/lib/libvocx.so \\
        python3 examples/python/top_issues.py --db /tmp/shop.db

Re-running on the same database is cheap: comments and transactions
already stored are recognised, and comments the rules have seen are not
classified again.
"""

import argparse
import os
import sys
import textwrap

import vocx

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DATA = os.path.join(REPO, "examples", "data")


def money(x, currency):
    return f"{currency}{x:,.2f}"


def mark(text, spans, left="[", right="]"):
    """The text with each (start, end) str range wrapped in markers."""
    out, pos = [], 0
    for start, end in sorted(set(spans)):
        if start < pos:          # overlapping evidence: keep the first
            continue
        out += [text[pos:start], left, text[start:end], right]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def table(rows, columns):
    """Rows of dicts as an aligned text table.  `columns` is a list of
    (header, key or function, align) with align "<" or ">"."""
    cells = [[h for h, _, _ in columns]]
    for r in rows:
        cells.append([str(get(r) if callable(get) else r[get])
                      for _, get, _ in columns])
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(f"{c:{a}{w}}" for c, w, (_, _, a)
                               in zip(row, widths, columns)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Rank customer issues by the customer lifetime value "
                    "they put at risk.")
    p.add_argument("--db", required=True,
                   help="vocx database (created when missing)")
    p.add_argument("--comments", default=os.path.join(DATA, "comments.csv"),
                   help="comments, CSV or JSON Lines (default: the example "
                        "data)")
    p.add_argument("--transactions",
                   default=os.path.join(DATA, "transactions.csv"),
                   help="transactions: customer_id, date, amount")
    p.add_argument("--customers", default=None,
                   help="optional customers file (segment, clv, "
                        "churn_probability)")
    p.add_argument("--rules",
                   default=os.path.join(REPO, "rules", "default.rules"),
                   help="rule file (default: rules/default.rules)")
    p.add_argument("--top", type=int, default=10,
                   help="how many issues to show (default 10)")
    p.add_argument("--currency", default="$",
                   help="currency symbol for money (default $)")
    args = p.parse_args(argv)
    cur = args.currency

    try:
        rules = vocx.Rules.from_file(args.rules)
    except vocx.RulesError as e:
        # every error of the file, each as file:line:column: reason
        print("\n".join(d.message for d in e.errors), file=sys.stderr)
        return 1

    with vocx.Store(args.db) as store, rules:
        loaded = store.ingest(args.comments)
        print(f"comments:     {loaded.rows} read, {loaded.inserted} new, "
              f"{loaded.updated} changed, {loaded.rejected} rejected")
        tx = store.import_transactions(args.transactions)
        print(f"transactions: {tx.rows} read, {tx.inserted} new")
        if args.customers:
            cu = store.import_customers(args.customers)
            print(f"customers:    {cu.rows} read, {cu.inserted} new")

        clv = store.fit_clv()
        how = (f"BG/NBD + Gamma-Gamma on {clv.fit_customers} customers"
               if clv.fitted else "no BG/NBD fit")
        print(f"CLV:          {clv.customers} customers valued, "
              f"{money(clv.total_clv, cur)} in total ({how})")

        done = store.classify(rules)
        print(f"classified:   {done.classified} comments "
              f"({done.skipped} already done), rules {rules.hash[:12]}")

        ranking = store.rank()
        t = ranking.totals
        top = ranking[:args.top]
        print()
        print(f"Top {len(top)} issues by CLV at risk (attributed: a "
              f"customer's value is counted once across issues)")
        print(f"{t['comments']} comments, {t['customers']} customers with a "
              f"CLV of {money(t['clv_total'], cur)}; "
              f"{money(t['clv_at_risk_attributed'], cur)} at risk "
              f"({t['unmatched_comments']} comments from customers unknown "
              f"to the CRM, {t['anonymous_comments']} anonymous)")
        print()
        print(table(top, [
            ("#", "rank", ">"),
            ("issue", "label", "<"),
            ("block", "block", "<"),
            ("owner", lambda r: r["owner"] or "-", "<"),
            ("comments", "comments", ">"),
            ("customers", "customers", ">"),
            ("CLV at risk", lambda r: money(r["clv_at_risk"], cur), ">"),
            ("attributed", lambda r: money(r["clv_at_risk_attributed"], cur),
             ">"),
        ]))

        if not top:
            print("\nNo issue was raised.")
            return 0
        first = top[0]
        print()
        print(f"What customers say about #1, {first['label']} "
              f"({first['issue']}):")
        for n, ev in enumerate(store.explain(first["issue"], limit=3), 1):
            who = (f"customer {ev['customer_id']}, CLV "
                   f"{money(ev['clv'], cur)}" if ev["known"] else
                   "unknown customer" if ev["customer_id"] else "anonymous")
            when = (ev["created_at"] or "")[:10]
            print(f"\n  {n}. {ev['comment_id']}  {when}  {ev['channel'] or ''}"
                  f"  ({who}, risk {ev['risk']:.0%})")
            body = mark(ev["text"], ev["char_spans"])
            for para in body.splitlines() or [""]:
                print(textwrap.fill(para, width=76, initial_indent="     ",
                                    subsequent_indent="     "))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except vocx.Error as e:
        # the library's message names the file, line and column at fault
        print(f"top_issues: {e}", file=sys.stderr)
        sys.exit(1)
