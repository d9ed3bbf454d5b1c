"""Crash safety: `vocx ingest` and `vocx classify` killed with SIGKILL at
seeded random moments.  After every kill the database must pass
integrity_check, hold only whole committed batches (the first k batches, in
order, with their content), keep consistent ingest_batches records, and a
re-run must finish the job exactly once.

Sizes: 100,000 comments ingested in 5,000-row batches, 60,000 classified
(2,000-comment batches), times VOCX_RELIABILITY_SCALE (0.25 by default in the
sanitizer build).
"""
import os
import random
import time
import unittest

import gen_comments
import reliability as rel

KILL_RUNS = int(os.environ.get("VOCX_RELIABILITY_KILLS", "5"))


class IngestCrashTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = rel.mkdtemp("crash-ingest")
        cls.addClassCleanup(rel.rmtree, cls.dir)
        cls.n = rel.scaled(100_000, 20_000)
        cls.csv = os.path.join(cls.dir, "comments.csv")
        cls.rows = gen_comments.write_csv(cls.csv, cls.n, seed=11,
                                          prefix="crash")
        # An uninterrupted ingest: the time the kills are spread over.
        ref = os.path.join(cls.dir, "ref.db")
        t0 = time.monotonic()
        rel.run(ref, "ingest", "--batch", str(rel.INGEST_BATCH), cls.csv,
                check=0)
        cls.duration = time.monotonic() - t0

    def ingest(self, db, name):
        return rel.Proc(self.dir, name, db, "ingest", "--batch",
                        str(rel.INGEST_BATCH), self.csv)

    def killed_ingest(self, db, rnd, name, log, ctx):
        """Start an ingest and kill it at a seeded random moment.  Returns
        the rows stored afterwards (checked)."""
        delay, p = rel.kill_at_random(
            self, db, lambda a: self.ingest(db, f"{name}-{a}"),
            self.duration, rnd, ctx)
        stored = rel.check_ingest_state(
            self, db, self.rows, self.csv, rel.INGEST_BATCH,
            f"{ctx}, {name} at {delay:.3f} s")
        log.append((name, round(delay, 3), stored))
        return stored

    def test_ingest_killed_and_rerun(self):
        observed = []
        mid = 0
        for run in range(KILL_RUNS):
            seed = rel.SEED + run
            rnd = random.Random(seed)
            db = os.path.join(self.dir, f"kill{run}.db")
            ctx = (f"run {run}, seed {seed}, {self.n} rows, batch "
                   f"{rel.INGEST_BATCH}, uninterrupted ingest "
                   f"{self.duration:.2f} s, kills so far {observed}")
            first = self.killed_ingest(db, rnd, f"run{run}-kill1", observed,
                                       ctx)
            mid += 0 < first < self.n
            # Odd runs are killed a second time while resuming.
            if run % 2:
                self.killed_ingest(db, rnd, f"run{run}-kill2", observed, ctx)
            before = len(rel.comments(db))
            p = rel.run(db, "ingest", "--batch", str(rel.INGEST_BATCH),
                        self.csv, check=0, fmt="json")
            summary = rel.load_json(p.stdout, "ingest summary")
            self.assertEqual(
                (summary["rows"], summary["inserted"], summary["unchanged"],
                 summary["updated"], summary["rejected"]),
                (self.n, self.n - before, before, 0, 0), ctx)
            rel.check_ingest_state(self, db, self.rows, self.csv,
                                   rel.INGEST_BATCH, f"after re-run: {ctx}",
                                   done=True)
            os.unlink(db)
        print(f"\ningest kills (name, delay s, rows stored) "
              f"of {self.n} rows in {self.duration:.2f} s: {observed}")
        self.assertGreaterEqual(
            mid, min(2, KILL_RUNS),
            f"too few kills landed mid-ingest (some rows committed, not "
            f"all): {observed}")


class ClassifyCrashTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = rel.mkdtemp("crash-classify")
        cls.addClassCleanup(rel.rmtree, cls.dir)
        # enough batches for kills to land between commits
        cls.n = max(rel.scaled(60_000, 12_000), 6 * rel.CLASSIFY_BATCH)
        csv_path = os.path.join(cls.dir, "comments.csv")
        gen_comments.write_csv(csv_path, cls.n, seed=12, prefix="cls")
        cls.base = os.path.join(cls.dir, "base.db")
        rel.run(cls.base, "ingest", csv_path, check=0)
        cls.ids = [r[0] for r in rel.query(
            cls.base, "SELECT comment_id FROM comments ORDER BY comment_id")]
        # The reference: an uninterrupted classify of a copy.
        ref = os.path.join(cls.dir, "ref.db")
        rel.copy_db(cls.base, ref)
        t0 = time.monotonic()
        p = rel.run(ref, "classify", "--rules", rel.RULES, check=0,
                    fmt="json")
        cls.duration = time.monotonic() - t0
        cls.ref_stats = rel.load_json(p.stdout, "classify summary")
        cls.ref_cls, cls.ref_hits = rel.classification_dump(ref)
        cls.ref_issues = rel.query(ref, "SELECT count(*) FROM issues")[0][0]

    def check_classified(self, db, ctx, done=False):
        return rel.check_classification(self, db, self.ids, self.ref_cls,
                                        self.ref_hits, self.ref_issues, ctx,
                                        done)

    def test_classify_killed_and_rerun(self):
        observed = []
        mid = 0
        for run in range(KILL_RUNS):
            seed = rel.SEED + 100 + run
            rnd = random.Random(seed)
            threads = 2 if run % 2 else 1
            db = os.path.join(self.dir, f"kill{run}.db")
            rel.copy_db(self.base, db)
            ctx = (f"run {run}, seed {seed}, threads {threads}, {self.n} "
                   f"comments, uninterrupted classify {self.duration:.2f} s")
            delay, _ = rel.kill_at_random(
                self, db,
                lambda a: rel.Proc(self.dir, f"classify{run}-{a}", db,
                                   "classify", "--rules", rel.RULES,
                                   "--threads", str(threads)),
                # two threads take about 60% of the time of one
                self.duration * (0.6 if threads > 1 else 1), rnd, ctx)
            k = self.check_classified(
                db, f"{ctx}, kill at {delay:.3f} s, kills so far {observed}")
            observed.append((run, threads, round(delay, 3), k))
            mid += 0 < k < self.n
            p = rel.run(db, "classify", "--rules", rel.RULES, "--threads",
                        str(threads), check=0, fmt="json")
            st = rel.load_json(p.stdout, "classify summary")
            self.assertEqual((st["classified"], st["skipped"]),
                             (self.n - k, k), f"re-run after kill: {ctx}")
            self.assertEqual(st["ruleset"], self.ref_stats["ruleset"], ctx)
            self.check_classified(db, f"after re-run: {ctx}", done=True)
            # and once more: nothing left to do
            st = rel.load_json(rel.run(db, "classify", "--rules", rel.RULES,
                                       check=0, fmt="json").stdout,
                               "classify summary")
            self.assertEqual((st["classified"], st["skipped"]), (0, self.n),
                             ctx)
            os.unlink(db)
        print(f"\nclassify kills (run, threads, delay s, comments "
              f"classified) of {self.n} in {self.duration:.2f} s: "
              f"{observed}")
        self.assertGreaterEqual(
            mid, min(2, KILL_RUNS),
            f"too few kills landed mid-classify: {observed}")


if __name__ == "__main__":
    unittest.main()
