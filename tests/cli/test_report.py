"""CLI tests of the reports: run the real `vocx` binary through the whole
pipeline on the example data (ingest, customers, transactions, CLV fit,
classify with rules/default.rules), then `report --html`, `report --digest`
and `export at-risk`, and compare their figures with `vocx rank`."""
import csv
import html.parser
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

VOCX = os.environ["VOCX_BIN"]
DATA = os.environ["VOCX_EXAMPLE_DATA"]
RULES = os.environ.get(
    "VOCX_RULES",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                 "rules", "default.rules"))
EURO = "\u20ac"
HOSTILE = "<script>alert(1)</script> I was charged twice!! \"&' </td>"


def run(*args, check=None):
    env = dict(os.environ)
    env.pop("VOCX_DB", None)
    p = subprocess.run([VOCX, *args], capture_output=True, env=env,
                       timeout=300)
    if check is not None:
        assert p.returncode == check, (
            f"vocx {' '.join(args)} exited {p.returncode}, want {check}\n"
            f"stdout: {p.stdout.decode(errors='replace')[:2000]}\n"
            f"stderr: {p.stderr.decode(errors='replace')}")
    return p


def money(v):
    return f"{EURO}{v:,.2f}"


class Balance(html.parser.HTMLParser):
    """Checks that every element the report opens is closed, in order."""
    VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        for name, _ in attrs:
            if name.startswith("on"):
                self.errors.append(f"event handler {name} on <{tag}>")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes "
                               f"<{self.stack[-1] if self.stack else '-'}> "
                               f"at {self.getpos()}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_html(test, doc):
    b = Balance()
    b.feed(doc)
    b.close()
    test.assertEqual(b.errors, [])
    test.assertEqual(b.stack, [])
    test.assertEqual(b.scripts, 0)
    low = doc.lower()
    for bad in ("http", "<script", "<link", "src=", "url(", "@import",
                "<iframe"):
        test.assertNotIn(bad, low)
    return "".join(b.text)


def table_rows(doc, table_id):
    """{data-issue: row html} of one table."""
    start = doc.index(f'id="{table_id}"')
    end = doc.index("</table>", start)
    rows = {}
    for m in re.finditer(r'<tr[^>]*data-issue="([^"]*)"[^>]*>(.*?)</tr>',
                         doc[start:end], re.S):
        rows[m.group(1)] = m.group(2)
    return rows, [m.group(1) for m in re.finditer(
        r'<tr[^>]*data-issue="([^"]*)"', doc[start:end])]


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vocx-report-")
        cls.db = os.path.join(cls.dir, "t.db")
        db = ["--db", cls.db]
        run(*db, "ingest", os.path.join(DATA, "comments.csv"), check=0)
        run(*db, "ops", "import", "customers",
            os.path.join(DATA, "customers.csv"), check=0)
        run(*db, "ops", "import", "transactions",
            os.path.join(DATA, "transactions.csv"), check=0)
        run(*db, "clv", "fit", check=0)
        # A hostile comment from the most valuable customer, so that it is
        # among the comments the report quotes.
        with sqlite3.connect(cls.db) as c:
            top = c.execute("SELECT customer_id FROM customer_clv ORDER BY "
                            "clv DESC LIMIT 1").fetchone()[0]
        extra = os.path.join(cls.dir, "extra.csv")
        with open(extra, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "customer_id", "created_at", "channel", "text"])
            w.writerow(["x-1", top, "2026-06-20T10:00:00Z", "email", HOSTILE])
        run(*db, "ingest", extra, check=0)
        run(*db, "classify", "--rules", RULES, check=0)
        cls.rank = json.loads(run(*db, "rank", "--format", "json",
                                  check=0).stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def vocx(self, *args, check=0):
        return run("--db", self.db, *args, check=check)

    def path(self, name):
        return os.path.join(self.dir, name)

    # -- the HTML report --------------------------------------------------
    def test_html_report_well_formed_and_agrees_with_rank(self):
        out = self.path("report.html")
        p = self.vocx("report", "--html", out, "--currency", EURO)
        self.assertIn(out, p.stdout.decode())
        with open(out, encoding="utf-8") as f:
            doc = f.read()
        text = check_html(self, doc)
        # The hostile comment is shown as text, with its phrase marked.
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", doc)
        self.assertIn(HOSTILE.split(" I was")[0], text)
        problems = [r for r in self.rank if r["kind"] == "problem"]
        first = problems[0]
        self.assertIn(f"Fix first: {first['label']} \u2014 "
                      f"{money(first['clv_at_risk_attributed'])} of customer "
                      f"value at risk", " ".join(text.split()))
        # The top ten problems in rank order with rank's figures.
        rows, order = table_rows(doc, "pareto-table")
        self.assertEqual(order[:10], [r["issue"] for r in problems[:10]])
        for r in problems[:10]:
            self.assertIn(money(r["clv_at_risk_attributed"]), rows[r["issue"]])
            self.assertIn(money(r["clv_at_risk"]), rows[r["issue"]])
        cums = re.findall(r'class="num cum">([0-9.]+)%<', doc)
        self.assertEqual(cums[-1], "100.0")
        self.assertEqual(re.findall(r'data-cum="([0-9.]+)%"', doc)[-1],
                         "100.0")
        self.assertEqual([float(c) for c in cums], sorted(float(c)
                                                          for c in cums))
        total = sum(r["clv_at_risk_attributed"] for r in problems)
        foot = re.search(r"<tfoot><tr><td></td><td>All problems</td>.*?"
                         + EURO + r"([0-9,.]+)</td>", doc)
        self.assertAlmostEqual(float(foot.group(1).replace(",", "")), total,
                               delta=0.005 * len(problems) + 0.01)
        # Opportunities apart, by the CLV of the customers asking.
        opp = sorted((r for r in self.rank if r["kind"] == "opportunity"),
                     key=lambda r: (-r["clv_total"], -r["customers"],
                                    r["issue"]))
        _, order = table_rows(doc, "opportunities-table")
        self.assertEqual(order, [r["issue"] for r in opp[:10]])
        # Provenance: the rule set and the CLV model.
        with open(RULES, "rb") as f:
            import hashlib
            digest = hashlib.sha256(f.read()).hexdigest()
        self.assertIn(digest, doc)
        self.assertIn("alpha", doc)
        # The nine building blocks in three groups.
        for label in ("C5 \u00b7 set the stage", "I2 \u00b7 adapt",
                      "E2 \u00b7 engage", "Customer voice",
                      "Engaging externally"):
            self.assertIn(label, text)

    def test_filters_agree_with_rank(self):
        out = self.path("filtered.html")
        args = ("--since", "2026-03-01", "--channel", "email")
        self.vocx("report", "--html", out, "--top", "5", *args)
        with open(out, encoding="utf-8") as f:
            doc = f.read()
        check_html(self, doc)
        rank = json.loads(self.vocx("rank", "--format", "json",
                                    *args).stdout)
        problems = [r for r in rank if r["kind"] == "problem"]
        rows, order = table_rows(doc, "pareto-table")
        self.assertEqual(order[:5], [r["issue"] for r in problems[:5]])
        for r in problems[:5]:
            self.assertIn(f"{r['clv_at_risk_attributed']:,.2f}",
                          rows[r["issue"]])
        self.assertIn("channel <code>email</code>", doc)
        # One week of the trend equals `vocx rank` for that week.
        m = re.search(r'data-week="(\d{4}-W\d\d)" data-issue="([^"(]+)">'
                      r'([0-9,.]+)<br><span class="id">(\d+) comments', doc)
        self.assertIsNotNone(m)
        week, issue = m.group(1), m.group(2)
        monday = re.search(week + r', week of (\d{4}-\d\d-\d\d)', doc).group(1)
        import datetime
        d = datetime.date.fromisoformat(monday)
        since = max(d, datetime.date(2026, 3, 1)).isoformat()
        until = (d + datetime.timedelta(days=7)).isoformat()
        wk = json.loads(self.vocx("rank", "--format", "json", "--since",
                                  since, "--until", until, "--channel",
                                  "email").stdout)
        row = next((r for r in wk if r["issue"] == issue), None)
        got = float(m.group(3).replace(",", ""))
        self.assertAlmostEqual(got, row["clv_at_risk_attributed"]
                               if row else 0.0, places=2)
        self.assertEqual(int(m.group(4)), row["comments"] if row else 0)

    def test_html_to_stdout(self):
        p = self.vocx("--quiet", "report", "--html", "-", "--title",
                      "Board <pack>")
        doc = p.stdout.decode()
        self.assertTrue(doc.startswith("<!DOCTYPE html>"))
        self.assertIn("<title>Board &lt;pack&gt;</title>", doc)

    # -- digests ------------------------------------------------------------
    def test_digest_markdown_only_the_team(self):
        p = self.vocx("report", "--digest", "customer service")
        md = p.stdout.decode()
        self.assertTrue(md.startswith("# Customer Service"))
        for r in self.rank:
            mine = r["owner"] == "Customer Service"
            self.assertEqual(f"`{r['issue']}`" in md, mine, r["issue"])
        self.assertRegex(md, r"\*\*[^*\n]+\*\*")
        self.assertNotIn("<script", md)
        self.assertIn("| Rank | Issue |", md)

    def test_digest_html_and_output_file(self):
        out = self.path("billing.html")
        self.vocx("report", "--digest", "Billing", "--format", "html",
                  "--output", out, "--comments", "3")
        with open(out, encoding="utf-8") as f:
            doc = f.read()
        check_html(self, doc)
        self.assertIn("<mark>", doc)
        self.assertIn("&lt;script&gt;", doc)  # the hostile comment: Billing
        owned = [r["issue"] for r in self.rank if r["owner"] == "Billing"]
        found = re.findall(r'<article class="issue" id="issue-([^"]+)"', doc)
        self.assertEqual(sorted(found), sorted(owned))

    def test_unknown_team(self):
        p = self.vocx("report", "--digest", "Nobody", check=1)
        err = p.stderr.decode().strip().splitlines()
        self.assertEqual(len(err), 1)
        self.assertIn('"Billing"', err[0])
        self.assertIn('"Logistics"', err[0])

    # -- export ------------------------------------------------------------
    def test_export_csv_sorted_known_only(self):
        p = self.vocx("export", "at-risk", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(p.stdout.decode())))
        self.assertGreater(len(rows), 100)
        risk = [float(r["clv_at_risk"]) for r in rows]
        self.assertEqual(risk, sorted(risk, reverse=True))
        with open(os.path.join(DATA, "customers.csv"), newline="") as f:
            known = {r["customer_id"] for r in csv.DictReader(f)}
        self.assertTrue(all(r["customer_id"] in known for r in rows))
        self.assertFalse(any(r["kind"] == "praise" for r in rows))
        hostile = [r for r in rows if r["comment_id"] == "x-1"]
        self.assertEqual(hostile[0]["text"], HOSTILE)  # quotes round-trip
        m = re.search(r"left out (\d+) comments", p.stderr.decode())
        self.assertIsNotNone(m, p.stderr.decode())
        self.assertGreater(int(m.group(1)), 0)
        # Per issue, the rows add up to rank's figures.
        for r in self.rank:
            if r["kind"] == "praise":
                continue
            mine = [x for x in rows if x["issue"] == r["issue"]]
            self.assertEqual(len(mine), r["customers"], r["issue"])
            self.assertAlmostEqual(
                sum(float(x["clv_at_risk_attributed"]) for x in mine),
                r["clv_at_risk_attributed"], delta=0.01 * (len(mine) + 1))

    def test_export_one_issue_json(self):
        issue = self.rank[0]["issue"]
        p = self.vocx("export", "at-risk", "--issue", issue, "--format",
                      "json")
        rows = json.loads(p.stdout)
        self.assertEqual({r["issue"] for r in rows}, {issue})
        self.assertEqual(len(rows), self.rank[0]["customers"])
        for r in rows:
            for key in ("customer_id", "comment_id", "created_at", "channel",
                        "text", "clv", "risk", "clv_at_risk",
                        "clv_at_risk_attributed"):
                self.assertIn(key, r)
        p = self.vocx("export", "at-risk", "--issue", "no.such.issue",
                      check=1)
        self.assertIn("no.such.issue", p.stderr.decode())

    @unittest.skipUnless(os.path.exists("/dev/full"), "no /dev/full")
    def test_write_errors(self):
        import stat
        for args in (["report", "--html", "/dev/full"],
                     ["report", "--digest", "Billing", "--output",
                      "/dev/full"],
                     ["export", "at-risk", "--format", "csv", "--output",
                      "/dev/full"]):
            p = self.vocx(*args, check=1)
            err = p.stderr.decode().strip().splitlines()
            self.assertEqual(len(err), 1, err)
            self.assertIn("/dev/full", err[0])
            # The device is left alone (only a partial regular file is
            # removed).
            self.assertTrue(stat.S_ISCHR(os.stat("/dev/full").st_mode))
        # A partial regular file is not left behind: a directory cannot
        # be opened, and nothing is created in its place.
        p = self.vocx("report", "--html", self.dir, check=1)
        self.assertTrue(os.path.isdir(self.dir))

    # -- usage -------------------------------------------------------------
    def test_usage_errors(self):
        for args in (["report"], ["report", "--html", "a", "--digest", "b"],
                     ["report", "--digest", "Billing", "--format", "csv"],
                     ["report", "--html", "a", "--top", "0"],
                     ["report", "--html", "a", "--kind", "bogus"],
                     ["report", "--html", "a", "extra"],
                     ["export"], ["export", "at-lunch"],
                     ["export", "at-risk", "--output", "x.csv"]):
            p = self.vocx(*args, check=2)
            err = p.stderr.decode().strip().splitlines()
            self.assertEqual(len(err), 1, (args, err))
            self.assertTrue(err[0].startswith("vocx"), (args, err))
        self.assertIn("--digest", self.vocx("report", "--help").stdout
                      .decode())
        self.assertIn("at-risk", self.vocx("export", "--help").stdout
                      .decode())


if __name__ == "__main__":
    unittest.main()
