"""CLI tests of the whole pipeline on the example data: operational
records, CLV, classification and ranking."""
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

VOCX = os.environ["VOCX_BIN"]
DATA = os.environ["VOCX_EXAMPLE_DATA"]
RULES = os.environ.get("VOCX_DEFAULT_RULES_FILE",
                       os.path.join(os.path.dirname(DATA), "..", "rules",
                                    "default.rules"))


def run(*args, check=None, stdin=None):
    env = dict(os.environ)
    env.pop("VOCX_DB", None)
    p = subprocess.run([VOCX, *args], capture_output=True, input=stdin,
                       env=env, timeout=300)
    if check is not None:
        assert p.returncode == check, (
            f"vocx {' '.join(args)} exited {p.returncode}, want {check}\n"
            f"stdout: {p.stdout.decode(errors='replace')}\n"
            f"stderr: {p.stderr.decode(errors='replace')}")
    return p


class PipelineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vocx-pipeline-")
        cls.db = os.path.join(cls.dir, "p.db")
        db = cls.db
        run("--db", db, "--quiet", "ingest", os.path.join(DATA, "comments.csv"),
            check=0)
        run("--db", db, "--quiet", "ops", "import", "customers",
            os.path.join(DATA, "customers.csv"), check=0)
        run("--db", db, "--quiet", "ops", "import", "transactions",
            os.path.join(DATA, "transactions.csv"), check=0)
        cls.fit = json.loads(run("--db", db, "clv", "fit", "--format", "json",
                                 check=0).stdout)
        cls.classify = json.loads(run("--db", db, "classify", "--rules", RULES,
                                      "--format", "json", check=0).stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_clv_fit_json_shape(self):
        f = self.fit
        for key in ("model", "customers", "params", "log_likelihood", "spend"):
            self.assertIn(key, f)
        self.assertEqual(set(f["params"]), {"r", "alpha", "a", "b"})
        self.assertEqual(f["customers"], 2357)
        self.assertEqual(f["spend"]["customers"] > 0, True)
        # the default calibration end is the last transaction date
        self.assertEqual(f["calibration_end"], "2026-06-30")

    def test_clv_published_values_with_calibration_end(self):
        p = run("--db", self.db, "clv", "fit", "--calibration-end",
                "2025-09-30", "--format", "json", check=0)
        f = json.loads(p.stdout)
        want = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        for k, v in want.items():
            self.assertAlmostEqual(f["params"][k] / v, 1.0, delta=0.005, msg=k)
        self.assertAlmostEqual(f["log_likelihood"], -9582.4, delta=0.1)
        self.assertAlmostEqual(f["spend"]["p"] / 6.25, 1, delta=0.005)
        self.assertAlmostEqual(f["spend"]["q"] / 3.74, 1, delta=0.005)
        self.assertAlmostEqual(f["spend"]["gamma"] / 15.44, 1, delta=0.005)
        # put the default model back for the other tests
        run("--db", self.db, "--quiet", "clv", "fit", check=0)

    def test_classify_is_idempotent(self):
        self.assertEqual(self.classify["classified"], 412)
        again = json.loads(run("--db", self.db, "classify", "--rules", RULES,
                               "--format", "json", check=0).stdout)
        self.assertEqual(again["classified"], 0)
        self.assertEqual(again["skipped"], 412)
        self.assertEqual(again["ruleset"], self.classify["ruleset"])

    def test_rank_json_sorted_and_bounded(self):
        rows = json.loads(run("--db", self.db, "rank", "--format", "json",
                              check=0).stdout)
        self.assertGreater(len(rows), 10)
        keys = {"block", "issue", "label", "comments", "customers",
                "clv_total", "clv_at_risk", "clv_at_risk_attributed"}
        for r in rows:
            self.assertTrue(keys <= set(r), r)
            self.assertLessEqual(r["clv_at_risk_attributed"],
                                 r["clv_at_risk"] + 1e-6)
        att = [r["clv_at_risk_attributed"] for r in rows]
        self.assertEqual(att, sorted(att, reverse=True))
        with sqlite3.connect(self.db) as c:
            model = c.execute("select max(model_id) from clv_models")\
                .fetchone()[0]
            total = c.execute(
                "select sum(clv) from customer_clv where model_id = ? and "
                "customer_id in (select customer_id from comments)",
                (model,)).fetchone()[0]
            runs = c.execute("select count(*) from analysis_runs where "
                             "kind = 'rank'").fetchone()[0]
        self.assertLessEqual(sum(att), total + 0.01)
        self.assertGreater(runs, 0)

    def test_rank_table_fits_80_columns_and_reports_unmatched(self):
        out = run("--db", self.db, "rank", "--top", "10", check=0)\
            .stdout.decode()
        for line in out.splitlines():
            self.assertLessEqual(len(line), 80, line)
        self.assertIn("Unmatched", out)
        self.assertIn("9001", out)  # an unknown customer id is listed

    def test_rank_csv_and_filters(self):
        out = run("--db", self.db, "rank", "--format", "csv", "--channel",
                  "chat", check=0).stdout.decode()
        rows = list(csv.DictReader(out.splitlines()))
        with sqlite3.connect(self.db) as c:
            chat = c.execute(
                "select count(distinct ci.comment_id) from comment_issues ci "
                "join comments c using (comment_id) where c.channel = 'chat'")\
                .fetchone()[0]
        self.assertGreater(chat, 0)
        self.assertLessEqual(max(int(r["comments"]) for r in rows), chat)
        run("--db", self.db, "rank", "--kind", "bogus", check=2)
        run("--db", self.db, "rank", "--since", "yesterday", check=2)

    def test_explain_traces_figures(self):
        rows = json.loads(run("--db", self.db, "rank", "--format", "json",
                              check=0).stdout)
        top = rows[0]
        ev = json.loads(run("--db", self.db, "rank", "--explain",
                            top["issue"], "--format", "json", check=0).stdout)
        self.assertEqual(len(ev), top["comments"])
        per_customer = {}
        for e in ev:
            if e["known"]:
                per_customer[e["customer_id"]] = e["clv_at_risk_attributed"]
            for s, t in e["spans"]:
                self.assertLess(s, t)
                self.assertLessEqual(t, len(e["text"].encode()))
        self.assertAlmostEqual(sum(per_customer.values()),
                               top["clv_at_risk_attributed"], places=2)
        run("--db", self.db, "rank", "--explain", "no.such.issue", check=1)

    def test_rules_check_explain_test(self):
        out = run("rules", "check", RULES, check=0).stdout.decode()
        self.assertIn("issues", out)
        p = run("rules", "explain", RULES,
                "I was charged twice and the parcel didn't arrive", check=0)
        self.assertIn("[[", p.stdout.decode())
        p = run("rules", "explain", RULES, "--format", "json",
                "no billing problems at all, thanks", check=0)
        j = json.loads(p.stdout)
        self.assertFalse([h for h in j["issues"]
                          if h["issue"].startswith("billing")], j)
        labeled = os.path.join(DATA, "labeled.csv")
        p = run("rules", "test", RULES, labeled, "--min-f1", "0.9", check=0)  # the floor
        self.assertIn("micro-average", p.stdout.decode())
        run("rules", "test", RULES, labeled, "--min-f1", "1.0", check=3)

    def test_rules_check_reports_all_errors(self):
        bad = os.path.join(self.dir, "bad.rules")
        with open(bad, "w") as f:
            f.write("issue a.one\n  block improvment\n  match (late\n"
                    "issue a.one\n  block improvement\n  match /(/\n")
        p = run("rules", "check", bad, check=3)
        out = p.stdout.decode() + p.stderr.decode()
        self.assertIn(f"{bad}:2:", out)   # unknown block
        self.assertIn("improvement", out)  # the suggestion
        self.assertIn(f"{bad}:3:", out)   # unbalanced parenthesis
        self.assertIn(f"{bad}:4:", out)   # duplicate id
        self.assertIn(f"{bad}:6:", out)   # bad regex


class CrmAttachTest(unittest.TestCase):
    def test_attach_read_only(self):
        d = tempfile.mkdtemp(prefix="vocx-crm-")
        try:
            crm = os.path.join(d, "crm.sqlite")
            with sqlite3.connect(crm) as c:
                c.execute("create table accounts(no text, tier text, v real)")
                c.execute("insert into accounts values ('1070', 'vip', 5000)")
            before = open(crm, "rb").read()
            db = os.path.join(d, "v.db")
            run("--db", db, "ops", "attach", crm, "--customers-sql",
                "SELECT no AS customer_id, tier AS segment, v AS clv "
                "FROM accounts", check=0)
            p = run("--db", db, "clv", "fit", "--model", "column",
                    "--format", "json", check=0)
            self.assertEqual(json.loads(p.stdout)["customers"], 1)
            run("--db", db, "ops", "attach", crm, "--customers-sql",
                "DELETE FROM accounts", check=2)
            self.assertEqual(open(crm, "rb").read(), before)
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
