"""Injection tests: run the real `vocx` binary with hostile names, SQL and
markup and check that everything is treated as data.

- column names and column options holding quotes, semicolons and SQL are
  names: a missing one is an error naming it, the database is intact;
- rule files whose ids hold quotes are located errors; labels and owners
  holding markup are escaped wherever they are shown;
- `vocx ops attach` refuses mapping SQL that writes, attaches, holds
  several statements or is a PRAGMA, and the CRM file stays byte for byte
  the same (SHA-256), also after CLV fits and rankings through it;
- comments holding SQL, HTML/JavaScript and terminal escapes are stored
  byte for byte and shown as text: literally in `vocx comments` (control
  characters replaced on the terminal), escaped in the HTML report and
  digests, quoted in CSV, and, in the at-risk CSV export, with a ' before
  a text that a spreadsheet would run as a formula (OWASP).
"""
import csv
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

VOCX = os.environ["VOCX_BIN"]

SQL_NAME = 'text"; DROP TABLE comments; --'


def run(*args, stdin=None, check=None):
    env = dict(os.environ)
    env.pop("VOCX_DB", None)
    p = subprocess.run([VOCX, *args], input=stdin, capture_output=True,
                       env=env, timeout=300)
    if check is not None:
        assert p.returncode == check, (
            f"vocx {' '.join(args)} exited {p.returncode}, want {check}\n"
            f"stdout: {p.stdout.decode(errors='replace')}\n"
            f"stderr: {p.stderr.decode(errors='replace')}")
    return p


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


# Hostile comments, one per customer so that the at-risk export (one row
# per customer and issue) shows each.  Short enough for the comments table
# (38 characters) where they are checked literally.
HOSTILE = {
    "sql": "'); DROP TABLE comments;-- late",
    "script": "<script>alert(1)</script> late",
    "img": '"><img src=x onerror=alert(1)> late',
    "formula": '=HYPERLINK("http://x.test","late")',
    "plus": "+1 late delivery",
    "minus": "-2 late again",
    "at": "@SUM(1+1) late",
    "tab": "\tlate, said the tab",
    "markdown": "[click](javascript:alert(1)) late",
    "terminal": "late \x1b]0;pwned\x07 \x1b[31mred\x1b[0m \u009b2J",
    "quotes": "it's \"late\", & <b>bold</b>",
}

RULES = """\
issue delivery.late
  label    Late <b>delivery</b> & "quotes"; DROP TABLE rulesets;--
  block    improvement
  owner    O'Brien & <Logistics>
  severity 0.8
  match    late
cue churn "never again"
"""


class InjectionTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vocx-injection-")
        self.db = os.path.join(self.dir, "t.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name, content=None):
        p = os.path.join(self.dir, name)
        if content is not None:
            with open(p, "w", encoding="utf-8", newline="") as f:
                f.write(content)
        return p

    def vocx(self, *args, check=None, stdin=None):
        return run("--db", self.db, *args, check=check, stdin=stdin)

    def assert_db_intact(self, comments):
        with sqlite3.connect(self.db) as c:
            self.assertEqual(c.execute("pragma integrity_check")
                             .fetchone()[0], "ok")
            tables = {r[0] for r in c.execute(
                "select name from sqlite_schema where type='table'")}
            for t in ("comments", "customers", "transactions", "rulesets",
                      "classifications", "crm_sources"):
                self.assertIn(t, tables)
            self.assertEqual(c.execute("select count(*) from comments")
                             .fetchone()[0], comments)

    # -- column names and options ---------------------------------------
    def test_column_options_are_names(self):
        good = self.path("c.csv", "id,text\nc1,hello\nc2,late again\n")
        self.vocx("ingest", good, check=0)
        for opt in ("--text-col", "--id-col", "--customer-col",
                    "--time-col", "--channel-col"):
            p = self.vocx("ingest", good, opt, SQL_NAME)
            # a column named on the command line must be in the file: a
            # data error naming it as written, nothing stored
            self.assertEqual(p.returncode, 3, opt)
            err = p.stderr.decode()
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertIn('missing column "text\\"; DROP TABLE '
                          'comments; --"', err)
            self.assertIn("the file has: id, text", err)
        # c1 and c2 only
        self.assert_db_intact(2)

    def test_header_names_with_sql_are_plain_names(self):
        src = self.path("h.csv")
        write_csv(src, ["id", SQL_NAME, "chan'nel;--"],
                  [["q1", "stored as text", "web"],
                   ["q2", "'; DELETE FROM comments; --", "mail"]])
        p = self.vocx("ingest", src, "--text-col", SQL_NAME,
                      "--channel-col", "chan'nel;--", check=0)
        self.assertIn("2 inserted", p.stdout.decode())
        jl = self.path("h.jsonl", json.dumps(
            {"id": "q3", SQL_NAME: "from JSON Lines",
             "x\"); DROP TABLE x;--": "y"}) + "\n")
        self.vocx("ingest", jl, "--text-col", SQL_NAME, check=0)
        # a default channel value with SQL in it is a value (lower-cased)
        self.vocx("ingest", self.path("d.csv", "id,text\nq4,four\n"),
                  "--channel", "WEB'); DROP TABLE comments;--", check=0)
        self.assert_db_intact(4)
        with sqlite3.connect(self.db) as c:
            got = dict(c.execute("select source_id, text from comments"))
            chans = dict(c.execute("select source_id, channel from comments"))
        self.assertEqual(got["q2"], "'; DELETE FROM comments; --")
        self.assertEqual(got["q3"], "from JSON Lines")
        self.assertEqual(chans["q1"], "web")
        self.assertEqual(chans["q4"], "web'); drop table comments;--")

    def test_import_column_options_are_names(self):
        cust = self.path("cust.csv", "customer_id,clv\nc1,10\n")
        p = self.vocx("ops", "import", "customers", cust, "--customer-col",
                      "id'); DROP TABLE customers;--", check=3)
        self.assertIn("id'); DROP TABLE customers;--", p.stderr.decode())
        tx = self.path("tx.csv", "customer_id,date,amount\nc1,2026-01-01,5\n")
        p = self.vocx("ops", "import", "transactions", tx, "--amount-col",
                      "amount; DROP TABLE transactions", check=3)
        self.assertIn("amount; DROP TABLE transactions", p.stderr.decode())
        self.assert_db_intact(0)

    def test_filters_are_values(self):
        self.vocx("ingest", self.path("c.csv", "id,customer_id,channel,text\n"
                                      "a,c1,web,late\nb,c2,mail,late\n"),
                  check=0)
        for opt, val in (("--channel", "x' OR '1'='1"),
                         ("--customer", "' OR 1=1 --"),
                         ("--channel", "web' --")):
            p = self.vocx("comments", "--format", "json", opt, val, check=0)
            self.assertEqual(json.loads(p.stdout), [], (opt, val))
        p = self.vocx("comments", "--format", "json", "--since",
                      "2026-01-01' OR 1=1 --")
        self.assertEqual(p.returncode, 2)
        self.assertIn("2026-01-01' OR 1=1 --", p.stderr.decode())
        self.assert_db_intact(2)

    # -- rule files ----------------------------------------------------
    def test_rule_ids_with_quotes(self):
        bad = self.path("bad.rules",
                        'issue bad"id\n'
                        "  block improvement\n"
                        "  match late\n"
                        "issue x'; DROP TABLE rulesets;--\n"
                        "  block improvement\n"
                        "  match late\n"
                        "block b\"lock'); --\n")
        p = run("rules", "check", bad, check=3)
        err = p.stderr.decode() + p.stdout.decode()
        self.assertIn(f"{bad}:1:10:", err)
        self.assertIn(f"{bad}:4:8:", err)
        self.assertIn(f"{bad}:7:8:", err)
        # markup and SQL in labels and owners are text (see the report test)
        good = self.path("good.rules", RULES)
        run("rules", "check", good, check=0)

    # -- the CRM, read in place and never written -----------------------
    def make_crm(self, wal=False):
        crm = os.path.join(self.dir, "crm.sqlite")
        with sqlite3.connect(crm) as c:
            if wal:
                c.execute("pragma journal_mode=wal")
            c.execute("create table accounts(account_no text primary key, "
                      "tier text, value real)")
            c.execute("create table orders(account_no text, day text, "
                      "total real)")
            c.executemany("insert into accounts values (?,?,?)",
                          [("c1", "gold", 120.0), ("c2", "silver", 40.0)])
            c.executemany("insert into orders values (?,?,?)",
                          [("c1", "2026-01-02", 10.0),
                           ("c1", "2026-02-02", 12.0),
                           ("c2", "2026-01-05", 7.5)])
        c.close()
        return crm

    BAD_SQL = [
        "DELETE FROM accounts",
        "UPDATE accounts SET value = 0",
        "INSERT INTO accounts VALUES ('x', 'y', 1)",
        "DROP TABLE accounts",
        "CREATE TABLE pwned(x)",
        "ATTACH DATABASE 'pwned.sqlite' AS pwned",
        "DETACH DATABASE main",
        "SELECT account_no AS customer_id FROM accounts; DROP TABLE accounts",
        "SELECT 1 AS customer_id; SELECT 2 AS customer_id",
        "PRAGMA user_version = 7",
        "PRAGMA journal_mode = WAL",
        "PRAGMA writable_schema = ON",
        "PRAGMA table_info(accounts)",
        "VACUUM",
        "VACUUM INTO 'copy.sqlite'",
        "REINDEX",
        "ANALYZE",
        "BEGIN IMMEDIATE",
        "WITH x AS (SELECT 1) DELETE FROM accounts",
        "SELECT load_extension('/nonexistent.so') AS customer_id",
        "",
        " ; ",
    ]

    def test_attach_refuses_writes_and_leaves_the_crm_unchanged(self):
        for wal in (False, True):
            with self.subTest(wal=wal):
                self.check_attach(wal)

    def check_attach(self, wal):
        crm = self.make_crm(wal)
        before = sha256(crm)
        files = sorted(os.listdir(self.dir))
        for opt in ("--customers-sql", "--transactions-sql"):
            for sql in self.BAD_SQL:
                p = self.vocx("ops", "attach", crm, opt, sql)
                self.assertNotEqual(p.returncode, 0, (opt, sql))
                err = p.stderr.decode().strip()
                self.assertEqual(len(err.splitlines()), 1, err)
                self.assertRegex(err, r"^vocx: (customers|transactions|CRM "
                                      r"customers|CRM transactions)", err)
                self.assertNotIn("not an error", err)
                self.assertEqual(sha256(crm), before, (opt, sql))
                with sqlite3.connect(self.db) as c:
                    self.assertEqual(c.execute(
                        "select count(*) from crm_sources").fetchone()[0], 0,
                        (opt, sql))
        for name in ("pwned.sqlite", "copy.sqlite"):
            self.assertFalse(os.path.exists(os.path.join(self.dir, name)))
        # a proper mapping, then the jobs that read through it
        self.vocx("ops", "attach", crm, "--customers-sql",
                  "SELECT account_no AS customer_id, tier AS segment, "
                  "value AS clv FROM accounts",
                  "--transactions-sql",
                  "SELECT account_no AS customer_id, day AS date, "
                  "total AS amount FROM orders", check=0)
        mtime = os.stat(crm).st_mtime_ns
        self.vocx("ingest", self.path("c.csv", "id,customer_id,text\n"
                                      "a,c1,late again\nb,c2,late\n"),
                  check=0)
        self.vocx("clv", "fit", "--model", "column", check=0)
        self.vocx("classify", "--rules", self.path("r.rules", RULES), check=0)
        self.vocx("rank", check=0)
        self.vocx("report", "--html", self.path("r.html"), check=0)
        self.assertEqual(sha256(crm), before)
        self.assertEqual(os.stat(crm).st_mtime_ns, mtime)
        if not wal:
            # a rollback-journal CRM gets no journal or WAL file either
            self.assertEqual(sorted(n for n in os.listdir(self.dir)
                                    if n.startswith("crm.sqlite")),
                             ["crm.sqlite"])
        for n in os.listdir(self.dir):
            if n not in files and not n.startswith(("t.db", "crm.sqlite")):
                os.unlink(os.path.join(self.dir, n))
        os.unlink(self.db)
        for suffix in ("-wal", "-shm", "-journal"):
            for base in (self.db, crm):
                if os.path.exists(base + suffix):
                    os.unlink(base + suffix)
        os.unlink(crm)

    # -- hostile comments, end to end -----------------------------------
    def load_hostile(self):
        rows, cust = [], []
        for i, (key, text) in enumerate(HOSTILE.items()):
            rows.append([key, f"c{i}", f"2026-03-{i + 1:02d}", "web", text])
            cust.append([f"c{i}", "gold", str(100 + i)])
        src = self.path("hostile.csv")
        write_csv(src, ["id", "customer_id", "created_at", "channel", "text"],
                  rows)
        self.vocx("ingest", src, check=0)
        cf = self.path("cust.csv")
        write_csv(cf, ["customer_id", "segment", "clv"], cust)
        self.vocx("ops", "import", "customers", cf, check=0)
        self.vocx("clv", "fit", "--model", "column", check=0)
        self.vocx("classify", "--rules", self.path("r.rules", RULES), check=0)

    def test_hostile_comments_stored_and_listed_as_text(self):
        self.load_hostile()
        with sqlite3.connect(self.db) as c:
            stored = dict(c.execute("select source_id, text from comments"))
        self.assertEqual(stored, HOSTILE)
        self.assert_db_intact(len(HOSTILE))
        p = self.vocx("comments", "--format", "json", check=0)
        self.assertEqual({r["id"]: r["text"] for r in json.loads(p.stdout)},
                         HOSTILE)
        p = self.vocx("comments", "--format", "csv", check=0)
        rows = csv.DictReader(io.StringIO(p.stdout.decode(), newline=""))
        self.assertEqual({r["id"]: r["text"] for r in rows}, HOSTILE)
        # the table: literal text; nothing a terminal would obey
        out = self.vocx("comments", check=0).stdout.decode()
        for key in ("sql", "script", "img", "formula", "plus", "minus", "at",
                    "markdown", "quotes"):
            self.assertIn(HOSTILE[key], out, key)
        self.assertNotIn("\x1b", out)
        self.assertNotIn("\x07", out)
        self.assertNotIn("\u009b", out)
        self.assertIn("late \ufffd]0;pwned\ufffd", out)
        out = self.vocx("rank", "--explain", "delivery.late",
                        check=0).stdout.decode()
        self.assertIn("<script>alert(1)</script> [[late]]", out)
        self.assertNotIn("\x1b", out)

    def test_html_report_and_digests_escape_everything(self):
        self.load_hostile()
        html_path = self.path("report.html")
        self.vocx("report", "--html", html_path, "--comments", "50",
                  "--title", "<script>alert('title')</script>", check=0)
        with open(html_path, encoding="utf-8") as f:
            html = f.read()
        team = "O'Brien & <Logistics>"
        p = self.vocx("report", "--digest", team, "--format", "html",
                      "--comments", "50", check=0)
        digest_html = p.stdout.decode()
        for doc in (html, digest_html):
            low = doc.lower()
            self.assertNotIn("<script", low)
            self.assertNotIn("<img", low)
            self.assertNotIn("<b>delivery", low)
            self.assertNotIn("<b>bold", low)
            self.assertNotIn("\x1b", doc)
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", doc)
            self.assertIn("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", doc)
            self.assertIn("&#39;); DROP TABLE comments;--", doc)
            self.assertIn("Late &lt;b&gt;delivery&lt;/b&gt; &amp; "
                          "&quot;quotes&quot;; DROP TABLE rulesets;--", doc)
            self.assertIn("O&#39;Brien &amp; &lt;Logistics&gt;", doc)
        self.assertIn("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;",
                      html)
        # Markdown: no raw HTML, no live link, no list or heading markers
        p = self.vocx("report", "--digest", team, "--comments", "50", check=0)
        md = p.stdout.decode()
        self.assertNotIn("<script", md.lower())
        self.assertNotIn("<img", md.lower())
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", md)
        self.assertIn("\\[click\\](javascript:alert(1))", md)
        self.assertNotIn("\x1b", md)
        # a team name with SQL in it is looked up, not run
        p = self.vocx("report", "--digest", "x' OR '1'='1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(team, p.stderr.decode())

    def test_exports_quote_and_defuse_formulas(self):
        self.load_hostile()
        out = self.path("at-risk.csv")
        self.vocx("export", "at-risk", "--format", "csv", "--output", out,
                  check=0)
        with open(out, encoding="utf-8", newline="") as f:
            raw = f.read()
        rows = list(csv.DictReader(io.StringIO(raw, newline="")))
        self.assertEqual(len(rows), len(HOSTILE))
        by_id = {r["comment_id"]: r for r in rows}
        for key, text in HOSTILE.items():
            want = "'" + text if text[0] in "=+-@\t\r" else text
            self.assertEqual(by_id[key]["text"], want, key)
            # the rule's label and owner come out as written
            self.assertEqual(by_id[key]["owner"], "O'Brien & <Logistics>")
        # formulas are quoted and prefixed; numbers are not
        self.assertIn('"\'=HYPERLINK(""http://x.test"",""late"")"', raw)
        self.assertIn('"\'-2 late again"', raw)
        self.assertIn('"\'\tlate, said the tab"', raw)
        for r in rows:
            float(r["clv"])
            float(r["clv_at_risk"])
        # JSON is byte for byte
        p = self.vocx("export", "at-risk", "--format", "json", check=0)
        got = {r["comment_id"]: r["text"] for r in json.loads(p.stdout)}
        self.assertEqual(got, HOSTILE)


if __name__ == "__main__":
    unittest.main()
