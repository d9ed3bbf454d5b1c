"""Concurrency: separate vocx processes on one database at the same time.

- ingest + classify + rank (repeated) started together, several rounds:
  every process succeeds without "database is locked" / "busy", and every
  ranking is one consistent snapshot: its figures add up, and they equal
  the figures recomputed from the final database for the state that had
  exactly as many comments classified (classification goes in comment-id
  order, so that state is the first x comments);
- two ingests of different files at once: both complete, every row once,
  in whole interleaved batches;
- ingest while `vocx stats` and `vocx report` read: every stats figure is
  that of a committed state (whole batches), reports are written.
"""
import os
import sqlite3
import statistics
import time
import unittest

import gen_comments
import reliability as rel

ROUNDS = int(os.environ.get("VOCX_RELIABILITY_ROUNDS", "3"))
BUSY_WORDS = ("locked", "busy")


def check_clean_exit(tc, proc, ctx):
    tc.assertEqual(proc.returncode, 0, f"{ctx}\n{proc.describe()}")
    err = proc.stderr.lower()
    for w in BUSY_WORDS:
        tc.assertNotIn(w, err, f"{ctx}\n{proc.describe()}")


def build_base(db, csv_classified, csv_pending=None):
    """Customers, transactions, CLV, comments classified (and more
    comments not yet classified)."""
    d = rel.EXAMPLE_DATA
    rel.run(db, "ops", "import", "customers",
            os.path.join(d, "customers.csv"), check=0)
    rel.run(db, "ops", "import", "transactions",
            os.path.join(d, "transactions.csv"), check=0)
    rel.run(db, "clv", "fit", check=0)
    rel.run(db, "ingest", csv_classified, check=0)
    rel.run(db, "classify", "--rules", rel.RULES, check=0)
    if csv_pending:
        rel.run(db, "ingest", csv_pending, check=0)


class RankDuringWritesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = rel.mkdtemp("conc-rank")
        cls.addClassCleanup(rel.rmtree, cls.dir)
        p = os.path.join(cls.dir, "classified.csv")
        q = os.path.join(cls.dir, "pending.csv")
        cls.base_rows = gen_comments.write_csv(p, rel.scaled(10_000, 3_000),
                                               seed=41, prefix="base")
        cls.base_rows += gen_comments.write_csv(
            q, rel.scaled(20_000, 6_000), seed=42, prefix="pend")
        cls.base = os.path.join(cls.dir, "base.db")
        build_base(cls.base, p, q)
        cls.round_files = []
        for r in range(ROUNDS):
            f = os.path.join(cls.dir, f"round{r}.csv")
            rows = gen_comments.write_csv(f, rel.scaled(20_000, 6_000) + 1234,
                                          seed=50 + r, prefix=f"round{r}")
            cls.round_files.append((f, rows))
        cls.observed = []

    @classmethod
    def tearDownClass(cls):
        print(f"\ningest + classify + rank rounds (round, threads, ranks, "
              f"classified counts the ranks saw, seconds): {cls.observed}")

    def snapshot_figures(self, db, ids, x):
        """Rank figures of the state where the first x comments (by id) were
        classified, recomputed from the final database."""
        last = ids[x - 1] if x else 0
        model = rel.query(db, "SELECT max(model_id) FROM clv_models")[0][0]
        per_issue = dict(rel.query(
            db, "SELECT issue_id, count(*) FROM comment_issues"
            " WHERE comment_id <= ? GROUP BY issue_id", last))
        customers, unmatched = rel.query(
            db, "SELECT count(DISTINCT CASE WHEN cc.customer_id IS NOT NULL"
            " THEN c.customer_id END), count(*) FILTER (WHERE c.customer_id"
            " IS NOT NULL AND cc.customer_id IS NULL) FROM comments c"
            " LEFT JOIN customer_clv cc ON cc.model_id = ?"
            " AND cc.customer_id = c.customer_id WHERE c.comment_id <= ?",
            model, last)[0]
        clv_total = rel.query(
            db, "SELECT coalesce(sum(clv), 0) FROM customer_clv WHERE"
            " model_id = ? AND customer_id IN (SELECT customer_id FROM"
            " comments WHERE comment_id <= ?)", model, last)[0][0]
        return per_issue, customers, unmatched, clv_total

    def check_rank(self, db, ids, rows, summary, lo, ctx):
        # Internally consistent.
        self.assertEqual(summary["issues"], len(rows), ctx)
        tol = 0.005 * len(rows) + 0.02
        self.assertAlmostEqual(
            sum(r["clv_at_risk_attributed"] for r in rows),
            summary["clv_at_risk_attributed"], delta=tol, msg=ctx)
        self.assertLessEqual(summary["clv_at_risk_attributed"],
                             summary["clv_total"] + 0.01, ctx)
        for r in rows:
            self.assertLessEqual(r["clv_at_risk_attributed"],
                                 r["clv_at_risk"] + 0.01, f"{r}: {ctx}")
            self.assertLessEqual(r["clv_at_risk"], r["clv_total"] + 0.01,
                                 f"{r}: {ctx}")
            self.assertLessEqual(r["clv_total"], summary["clv_total"] + 0.01,
                                 f"{r}: {ctx}")
        # A state that existed: the first x comments classified.
        x = summary["comments"]
        self.assertGreaterEqual(x, lo, f"fewer comments than before: {ctx}")
        self.assertLessEqual(x, len(ids), ctx)
        per_issue, customers, unmatched, clv_total = \
            self.snapshot_figures(db, ids, x)
        self.assertEqual({r["issue"]: r["comments"] for r in rows},
                         per_issue,
                         f"comments per issue differ from the state with "
                         f"{x} comments classified: {ctx}")
        self.assertEqual((summary["customers"], summary["unmatched_comments"]),
                         (customers, unmatched), ctx)
        self.assertAlmostEqual(summary["clv_total"], clv_total, delta=0.01,
                               msg=ctx)
        return x

    def test_classify_leaves_the_write_lock_free(self):
        # Other writers (ingest, and rank, which records its run) need the
        # write lock while a long classify runs.  If classify held it while
        # classifying, they would get it only in the gaps of its
        # checkpoints: seconds of waiting, "database is locked" after the
        # 10 s busy timeout.  Probe: take the write lock (BEGIN IMMEDIATE,
        # ROLLBACK) every 50 ms while classify runs, and run a rank.
        db = os.path.join(self.dir, "probe.db")
        rel.copy_db(self.base, db)
        # enough pending comments for many batches, however fast classify is
        extra = os.path.join(self.dir, "probe.csv")
        gen_comments.write_csv(extra, 8 * rel.CLASSIFY_BATCH, seed=61,
                               prefix="probe")
        rel.run(db, "ingest", extra, check=0)
        before = rel.query(db, "SELECT count(*) FROM classifications")[0][0]
        classify = rel.Proc(self.dir, "probe-classify", db, "classify",
                            "--rules", rel.RULES)
        while classify.poll() is None and rel.query(
                db, "SELECT count(*) FROM classifications")[0][0] <= before:
            time.sleep(0.02)
        rank = rel.Proc(self.dir, "probe-rank", db, "rank", fmt="json")
        conn = sqlite3.connect(db, timeout=60, isolation_level=None)
        waits = []
        try:
            while classify.poll() is None:
                t = time.monotonic()
                conn.execute("BEGIN IMMEDIATE")
                waits.append(round(time.monotonic() - t, 3))
                conn.execute("ROLLBACK")
                time.sleep(0.05)
        finally:
            conn.close()
        rank.wait()
        check_clean_exit(self, classify, "classify")
        check_clean_exit(self, rank, "rank during classify")
        print(f"\nwrite-lock waits during a {classify.elapsed:.2f} s "
              f"classify (s): {waits}; rank {rank.elapsed:.2f} s")
        ctx = (f"waits for the write lock during classify: {waits} (rank "
               f"took {rank.elapsed:.2f} s): classify holds the write lock "
               f"beyond storing its results")
        if waits:
            self.assertLess(statistics.median(waits), 0.5, ctx)
            self.assertLess(max(waits), 5.0, ctx)
        self.assertGreaterEqual(len(waits), 3,
                                f"classify too short to probe: {waits}")
        os.unlink(db)

    def test_ingest_classify_rank_together(self):
        base_classified = rel.query(
            self.base, "SELECT count(*) FROM classifications")[0][0]
        base_tuples = [rel.expected_tuple(r) for r in self.base_rows]
        for rnd in range(ROUNDS):
            threads = 2 if rnd % 2 == 0 else 1
            csv_path, rows = self.round_files[rnd]
            db = os.path.join(self.dir, f"round{rnd}.db")
            rel.copy_db(self.base, db)
            runs_before = rel.query(
                db, "SELECT coalesce(max(run_id), 0) FROM analysis_runs")[0][0]
            ctx = f"round {rnd}, classify --threads {threads}"
            t0 = time.monotonic()
            ingest = rel.Proc(self.dir, f"r{rnd}-ingest", db, "ingest",
                              csv_path)
            classify = rel.Proc(self.dir, f"r{rnd}-classify", db, "classify",
                                "--rules", rel.RULES, "--threads",
                                str(threads))
            ranks = [rel.Proc(self.dir, f"r{rnd}-rank0", db, "rank",
                              fmt="json")]
            # More rankings, one after another, while the writers run.
            while True:
                ranks[-1].wait()
                if ingest.poll() is not None and classify.poll() is not None:
                    break
                ranks.append(rel.Proc(self.dir, f"r{rnd}-rank{len(ranks)}",
                                      db, "rank", fmt="json"))
            elapsed = time.monotonic() - t0
            for p in [ingest, classify] + ranks:
                check_clean_exit(self, p, ctx)
            # The database: whole, every row of both files once, in order.
            rel.check_ingest_state(self, db, rows, csv_path,
                                   rel.INGEST_BATCH, ctx, done=True,
                                   base=base_tuples)
            ids = [r[0] for r in rel.query(
                db, "SELECT comment_id FROM comments ORDER BY comment_id")]
            classified = [r[0] for r in rel.query(
                db, "SELECT comment_id FROM classifications"
                " ORDER BY comment_id")]
            self.assertEqual(classified, ids[:len(classified)],
                             f"classified comments are not a prefix: {ctx}")
            self.assertGreaterEqual(len(classified), len(self.base_rows), ctx)
            # Every ranking: one consistent, existing state, never going
            # back in time.
            summaries = [rel.load_json(s, "summary") for (s,) in rel.query(
                db, "SELECT summary FROM analysis_runs WHERE kind = 'rank'"
                " AND run_id > ? ORDER BY run_id", runs_before)]
            self.assertEqual(len(summaries), len(ranks), ctx)
            seen = []
            lo = base_classified
            for p, summary in zip(ranks, summaries):
                out = rel.load_json(p.stdout, p.name)
                lo = self.check_rank(db, classified, out, summary, lo,
                                     f"{ctx}, {p.name}, seen {seen}")
                seen.append(lo)
            self.observed.append((rnd, threads, len(ranks), seen,
                                  round(elapsed, 2)))
            os.unlink(db)


class TwoIngestsTest(unittest.TestCase):
    def setUp(self):
        self.dir = rel.mkdtemp("conc-two")
        self.addCleanup(rel.rmtree, self.dir)

    def test_two_ingests_of_different_files(self):
        batch = rel.INGEST_BATCH
        files = []
        for i, n in enumerate((rel.scaled(42_500, 12_500),
                               rel.scaled(37_500, 11_000) + 777)):
            path = os.path.join(self.dir, f"part{i}.csv")
            files.append((path, gen_comments.write_csv(
                path, n, seed=60 + i, prefix=f"part{i}")))
        observed = []
        for rnd in range(ROUNDS):
            db = os.path.join(self.dir, f"two{rnd}.db")
            # An existing database (the first round creates it: two
            # processes creating the same file at once).
            if rnd:
                rel.run(db, "ingest", os.path.join(rel.EXAMPLE_DATA,
                                                   "comments.csv"), check=0)
            before = rel.comments(db) if rnd else []
            ctx = f"round {rnd}"
            procs = [rel.Proc(self.dir, f"two{rnd}-{i}", db, "ingest",
                              path, fmt="json")
                     for i, (path, _) in enumerate(files)]
            for p in procs:
                p.wait()
                check_clean_exit(self, p, ctx)
            ic, fk = rel.integrity(db)
            self.assertEqual((ic, fk), (["ok"], []), ctx)
            stored = rel.comments(db)
            self.assertEqual(stored[:len(before)], before, ctx)
            new = stored[len(before):]
            self.assertEqual(len(new), sum(len(r) for _, r in files), ctx)
            recs = {r["source"]: r for r in rel.ingest_records(db)}
            owner = []   # which file each new comment came from
            for i, (path, rows) in enumerate(files):
                mine = [r for r in new if r[1].startswith(f"part{i}-")]
                self.assertEqual([r[1:6] for r in mine],
                                 [rel.expected_tuple(r) for r in rows],
                                 f"{ctx}: rows of {path}")
                rec = recs[path]
                self.assertEqual(
                    (rec["status"], rec["rows_read"], rec["inserted"]),
                    ("done", len(rows), len(rows)), f"{ctx}: {rec}")
                self.assertEqual({r[6] for r in mine}, {rec["batch_id"]},
                                 ctx)
                summary = rel.load_json(procs[i].stdout, procs[i].name)
                self.assertEqual(summary["inserted"], len(rows), ctx)
            # Batches interleave whole: runs of consecutive comments from
            # one file are whole batches (the file's last may be short).
            runs = []
            for r in new:
                f = r[1].split("-")[0]
                if runs and runs[-1][0] == f:
                    runs[-1][1] += 1
                else:
                    runs.append([f, 1])
            left = {f"part{i}": len(rows) for i, (_, rows) in
                    enumerate(files)}
            for f, n in runs:
                left[f] -= n
                self.assertTrue(n % batch == 0 or left[f] == 0,
                                f"{ctx}: {n} consecutive rows of {f}: a "
                                f"batch was split: runs {runs}")
            observed.append((rnd, len(runs)))
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.unlink(db + suffix)
        print(f"\ntwo ingests at once (round, interleaved runs of whole "
              f"batches): {observed}")


class ReadersDuringIngestTest(unittest.TestCase):
    def setUp(self):
        self.dir = rel.mkdtemp("conc-read")
        self.addCleanup(rel.rmtree, self.dir)

    def test_stats_and_report_while_ingesting(self):
        batch = rel.INGEST_BATCH
        classified = os.path.join(self.dir, "classified.csv")
        base_rows = gen_comments.write_csv(classified,
                                           rel.scaled(4_000, 1_500),
                                           seed=70, prefix="base")
        db = os.path.join(self.dir, "read.db")
        build_base(db, classified)
        csv_path = os.path.join(self.dir, "more.csv")
        rows = gen_comments.write_csv(csv_path, rel.scaled(50_000, 15_000)
                                      + 321, seed=71, prefix="more")
        base_ingests = len(rel.ingest_records(db))

        # Every committed state: the base plus the file's first k batches.
        states = {}
        custs = {r["customer_id"] for r in base_rows if r["customer_id"]}
        anon = sum(1 for r in base_rows if not r["customer_id"])
        for i, r in enumerate(rows + [None]):
            if i % batch == 0 or i == len(rows):
                states[len(base_rows) + i] = (len(custs), anon)
            if r is not None:
                if r["customer_id"]:
                    custs.add(r["customer_id"])
                else:
                    anon += 1

        def report():
            html = os.path.join(self.dir, f"report{len(reports)}.html")
            reports.append((html, rel.Proc(self.dir, f"report{len(reports)}",
                                           db, "report", "--html", html)))

        stats, reports = [], []
        ingest = rel.Proc(self.dir, "ingest", db, "ingest", csv_path)
        report()
        # stats one after another, reports one after another, until the
        # ingest is done
        while True:
            stats.append(rel.Proc(self.dir, f"stats{len(stats)}", db,
                                  "stats", fmt="json"))
            stats[-1].wait()
            if ingest.poll() is not None:
                break
            if reports[-1][1].poll() is not None:
                report()
        reports[-1][1].wait()
        check_clean_exit(self, ingest, "ingest")
        seen = []
        for p in stats:
            check_clean_exit(self, p, "stats")
            st = rel.load_json(p.stdout, p.name)
            c = st["comments"]
            ctx = f"{p.name}: {st}, states seen {seen}"
            self.assertIn(c, states, f"not a committed state: {ctx}")
            self.assertEqual((st["customers"], st["anonymous"]), states[c],
                             f"totals from two states: {ctx}")
            self.assertIn(st["ingests"], (base_ingests, base_ingests + 1),
                          ctx)
            if c > len(base_rows):
                self.assertEqual(st["ingests"], base_ingests + 1, ctx)
            for group in ("channel", "month"):
                total = sum(g["comments"] for g in st[group])
                self.assertIn(total, states,
                              f"comments per {group} add up to {total}, "
                              f"not a committed state: {ctx}")
            seen.append(c)
        self.assertEqual(seen, sorted(seen), "stats went back in time")
        for html, p in reports:
            check_clean_exit(self, p, "report")
            with open(html, encoding="utf-8") as f:
                text = f.read()
            self.assertIn("</html>", text, p.name)
        rel.check_ingest_state(self, db, rows, csv_path, batch,
                               "after ingest with readers", done=True,
                               base=[rel.expected_tuple(r)
                                     for r in base_rows])
        print(f"\ningest with readers: {len(stats)} stats (comments seen "
              f"{sorted(set(seen))}), {len(reports)} reports, ingest "
              f"{ingest.elapsed:.2f} s")
        self.assertGreater(len(set(seen)), 1,
                           f"no stats ran during the ingest: {seen}")


if __name__ == "__main__":
    unittest.main()
