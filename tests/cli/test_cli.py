"""CLI tests: run the real `vocx` binary on the example data and on bad
input, and check output, files and exit codes."""
import csv
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import unittest

VOCX = os.environ["VOCX_BIN"]
DATA = os.environ["VOCX_EXAMPLE_DATA"]
COMMENTS = os.path.join(DATA, "comments.csv")


def run(*args, stdin=None, env=None, check=None):
    e = dict(os.environ)
    e.pop("VOCX_DB", None)
    if env:
        e.update(env)
    p = subprocess.run([VOCX, *args], input=stdin, capture_output=True,
                       env=e, timeout=300)
    if check is not None:
        assert p.returncode == check, (
            f"vocx {' '.join(args)} exited {p.returncode}, want {check}\n"
            f"stdout: {p.stdout.decode(errors='replace')}\n"
            f"stderr: {p.stderr.decode(errors='replace')}")
    return p


def count_csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


class CliTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vocx-cli-")
        self.db = os.path.join(self.dir, "t.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name, content=None, mode="w"):
        p = os.path.join(self.dir, name)
        if content is not None:
            with open(p, mode) as f:
                f.write(content)
        return p

    # -- general ---------------------------------------------------------
    def test_version_and_help(self):
        p = run("--version", check=0)
        self.assertRegex(p.stdout.decode(), r"^vocx \d+\.\d+\.\d+")
        p = run("--help", check=0)
        out = p.stdout.decode()
        for cmd in ("ingest", "stats", "comments", "exit status"):
            self.assertIn(cmd, out)
        p = run("ingest", "--help", check=0)
        self.assertIn("--text-col", p.stdout.decode())

    def test_usage_errors_are_one_line_exit_2(self):
        for args in (["frobnicate"], ["--nope"], ["ingest"],
                     ["ingest", "--bogus", "x.csv"], ["stats", "extra"],
                     ["comments", "--format", "xml"],
                     ["ingest", "--batch", "0", "x.csv"]):
            p = run("--db", self.db, *args, check=2)
            err = p.stderr.decode().strip().splitlines()
            self.assertTrue(err and err[0].startswith("vocx"), (args, err))
        run(check=2)  # no command at all

    # -- ingest ----------------------------------------------------------
    def test_ingest_example_data_and_rerun(self):
        n = count_csv_rows(COMMENTS)
        p = run("--db", self.db, "ingest", COMMENTS, check=0)
        out = p.stdout.decode()
        self.assertIn(f"{n:,} inserted", out)
        self.assertIn("0 rejected", out)
        mode = stat.S_IMODE(os.stat(self.db).st_mode)
        self.assertEqual(mode, 0o600)
        with sqlite3.connect(self.db) as c:
            self.assertEqual(c.execute("select count(*) from comments")
                             .fetchone()[0], n)
            # stored byte for byte
            with open(COMMENTS, newline="", encoding="utf-8") as f:
                first = next(csv.DictReader(f))
            text = c.execute("select text from comments where source_id=?",
                             (first["id"],)).fetchone()[0]
            self.assertEqual(text, first["text"])
        p = run("--db", self.db, "ingest", "--format", "json", COMMENTS,
                check=0)
        j = json.loads(p.stdout)
        self.assertEqual((j["inserted"], j["unchanged"], j["rejected"]),
                         (0, n, 0))

    def test_stats_json_matches_database(self):
        run("--db", self.db, "ingest", COMMENTS, check=0)
        p = run("--db", self.db, "stats", "--format", "json", check=0)
        j = json.loads(p.stdout)
        with sqlite3.connect(self.db) as c:
            total = c.execute("select count(*) from comments").fetchone()[0]
            per = dict(c.execute("select channel, count(*) from comments "
                                 "group by channel").fetchall())
        self.assertEqual(j["comments"], total)
        self.assertEqual({g["key"]: g["comments"] for g in j["channel"]}, per)
        self.assertEqual(sum(g["comments"] for g in j["month"]), total)
        p = run("--db", self.db, "stats", check=0)
        for line in p.stdout.decode().splitlines():
            self.assertLessEqual(len(line), 80, line)

    def test_stdin_jsonl_and_db_from_env(self):
        lines = [json.dumps({"id": f"s{i}", "customer_id": str(i),
                             "text": f"comment {i} über alles"})
                 for i in range(5)]
        data = ("\n".join(lines) + "\n").encode()
        p = run("ingest", "-", stdin=data, env={"VOCX_DB": self.db}, check=0)
        self.assertIn("5 inserted", p.stdout.decode())
        p = run("--db", self.db, "comments", "--format", "csv", check=0)
        rows = list(csv.DictReader(p.stdout.decode().splitlines()))
        self.assertEqual(sorted(r["id"] for r in rows),
                         [f"s{i}" for i in range(5)])
        self.assertIn("über", rows[0]["text"])

    def test_rejects_reported_with_location(self):
        bad = self.path("bad.csv",
                        "id,text,created_at\n"
                        "a,fine,2026-01-01\n"
                        "b,,2026-01-01\n"
                        "c,bad date,2026-02-30\n"
                        "d,\"unterminated\n")
        rej = self.path("rejects.csv")
        p = run("--db", self.db, "ingest", "--rejects", rej, bad, check=0)
        err = p.stderr.decode()
        self.assertIn(f"{bad}:3:", err)
        self.assertIn(f"{bad}:4:", err)
        self.assertIn("2026-02-30", err)
        self.assertIn("1 inserted", p.stdout.decode())
        self.assertIn("3 rejected", p.stdout.decode())
        with open(rej, newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([r["line"] for r in rows], ["3", "4", "5"])
        self.assertEqual([r["reason"] for r in rows],
                         ["empty", "timestamp", "syntax"])

    def test_strict_fails_and_keeps_nothing(self):
        bad = self.path("bad.csv", "id,text\na,fine\nb,\n")
        p = run("--db", self.db, "ingest", "--strict", bad, check=3)
        self.assertIn("strict", p.stderr.decode())
        with sqlite3.connect(self.db) as c:
            self.assertEqual(c.execute("select count(*) from comments")
                             .fetchone()[0], 0)

    def test_ingest_redact(self):
        src = self.path("pii.csv",
                        "id,text\n"
                        "r1,\"Mail jane.doe@example.com or call "
                        "+44 20 7946 0958\"\n"
                        "r2,\"Card 4111 1111 1111 1111, IBAN "
                        "GB82 WEST 1234 5698 7654 32\"\n"
                        "r3,\"order 123456789 on 2024-03-15 at 10:30, "
                        "$1,299.99\"\n")
        p = run("--db", self.db, "ingest", "--redact", src, check=0)
        self.assertIn("3 inserted", p.stdout.decode())
        with sqlite3.connect(self.db) as c:
            got = dict(c.execute("select source_id, text from comments"))
        self.assertEqual(got["r1"], "Mail [EMAIL] or call [PHONE]")
        self.assertEqual(got["r2"], "Card [CARD], IBAN [IBAN]")
        self.assertEqual(got["r3"],
                         "order 123456789 on 2024-03-15 at 10:30, $1,299.99")
        with open(self.db, "rb") as f:
            self.assertNotIn(b"jane.doe", f.read())
        # a selection of kinds
        db2 = os.path.join(self.dir, "t2.db")
        run("--db", db2, "ingest", "--redact=email,iban", src, check=0)
        with sqlite3.connect(db2) as c:
            got = dict(c.execute("select source_id, text from comments"))
        self.assertEqual(got["r1"], "Mail [EMAIL] or call +44 20 7946 0958")
        self.assertEqual(got["r2"],
                         "Card 4111 1111 1111 1111, IBAN [IBAN]")
        p = run("ingest", "--help", check=0)
        self.assertIn("--redact", p.stdout.decode())

    def test_ingest_redact_bad_kind_is_usage_error(self):
        src = self.path("c.csv", "id,text\na,hello\n")
        for arg in ("--redact=email,names", "--redact=", "--redact=EMAIL"):
            p = run("--db", self.db, "ingest", arg, src, check=2)
            err = p.stderr.decode().strip().splitlines()
            self.assertEqual(len(err), 1, err)
            self.assertIn("--redact", err[0])
            self.assertIn("email, phone, card, iban", err[0])
        # the kinds need an '=': say so instead of "one FILE at a time"
        p = run("--db", self.db, "ingest", "--redact", "email,phone", src,
                check=2)
        self.assertIn("--redact=email,phone", p.stderr.decode())
        self.assertFalse(os.path.exists(self.db))

    def test_missing_column_names_what_exists(self):
        f = self.path("other.csv", "review,stars\ngreat,5\n")
        p = run("--db", self.db, "ingest", f, check=3)
        err = p.stderr.decode()
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn('"text"', err)
        self.assertIn("review", err)
        p = run("--db", self.db, "ingest", "--text-col", "review", f, check=0)
        self.assertIn("1 inserted", p.stdout.decode())

    def test_missing_file_and_bad_database(self):
        p = run("--db", self.db, "ingest", os.path.join(self.dir, "nope.csv"),
                check=1)
        self.assertIn("nope.csv", p.stderr.decode())
        notdb = self.path("notdb", "hello, I am not a database\n" * 10)
        p = run("--db", notdb, "stats", check=1)
        self.assertIn("not a database", p.stderr.decode())
        with open(notdb) as f:
            self.assertTrue(f.read().startswith("hello"))
        p = run("--db", os.path.join(self.dir, "absent.db"), "stats", check=1)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "absent.db")))


if __name__ == "__main__":
    unittest.main()
