"""Disk full, I/O errors and unwritable databases.

`vocx ingest` and `vocx classify` run under a file-size limit
(RLIMIT_FSIZE, with SIGXFSZ ignored) so that a write() past it fails with
EFBIG and SQLite reports an I/O error or a full disk part-way through.  The
command must exit 1 with one clear line on stderr naming the problem and
the database, leave a database that passes integrity_check with every
committed batch whole, and a re-run without the limit must finish the job
exactly once.  Unwritable databases (a read-only file, a read-only
directory, a path under a regular file) must give a clear error and leave
the file untouched.
"""
import hashlib
import os
import resource
import signal
import subprocess
import unittest

import gen_comments
import reliability as rel

NOBODY = 65534


def file_size_limit(n):
    def pre():
        resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return pre


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def io_error_line(tc, p, db, what):
    """Exit 1, one line naming the failure and the database file."""
    tc.assertEqual(p.returncode, 1, f"{what}: exit {p.returncode}\n"
                   f"stdout: {p.stdout}\nstderr: {p.stderr}")
    line = rel.one_error_line(tc, p.stderr, what)
    tc.assertRegex(line, r"disk I/O error|disk is full|File too large",
                   what)
    tc.assertIn(os.path.abspath(db), line,
                f"{what}: the message does not name the database")
    return line


class FileSizeLimitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = rel.mkdtemp("diskfull")
        cls.addClassCleanup(rel.rmtree, cls.dir)
        cls.n = rel.scaled(60_000, 20_000)
        cls.csv = os.path.join(cls.dir, "comments.csv")
        cls.rows = gen_comments.write_csv(cls.csv, cls.n, seed=21,
                                          prefix="full")
        # Reference: the uninterrupted ingest, then classify of a copy.
        cls.base = os.path.join(cls.dir, "base.db")
        rel.run(cls.base, "ingest", cls.csv, check=0)
        cls.base_size = os.path.getsize(cls.base)
        cls.ids = [r[0] for r in rel.query(
            cls.base, "SELECT comment_id FROM comments ORDER BY comment_id")]
        ref = os.path.join(cls.dir, "ref.db")
        rel.copy_db(cls.base, ref)
        rel.run(ref, "classify", "--rules", rel.RULES, check=0)
        cls.classified_size = os.path.getsize(ref)
        cls.ref_cls, cls.ref_hits = rel.classification_dump(ref)
        cls.ref_issues = rel.query(ref, "SELECT count(*) FROM issues")[0][0]
        cls.observed = []

    @classmethod
    def tearDownClass(cls):
        print(f"\nfile-size limits (case, limit bytes, rows or comments "
              f"committed of {cls.n}, message): {cls.observed}")

    def limited(self, start_limit, attempt_fn, what):
        """Run attempt_fn(limit) -> (returncode, committed) with limits
        from start_limit until one fails part-way (some batches committed,
        not all): smaller if the command finished (its result is checked
        by attempt_fn), larger if nothing could be committed.  Returns
        (limit, committed, tried)."""
        limit, tried = start_limit, []
        for _ in range(8):
            limit = limit // 4096 * 4096
            rc, k = attempt_fn(limit)
            tried.append((limit, rc, k))
            if rc == 0:
                limit = int(limit * 0.6)
            elif k == 0:
                limit = int(limit * 1.5)
            else:
                return limit, k, tried
        self.fail(f"{what}: no file-size limit made it fail part-way: "
                  f"(limit, exit, committed) {tried}")

    def test_ingest_runs_out_of_space(self):
        # The database and its WAL are both capped: some 5,000-row batches
        # commit, then a write fails.
        per_batch = self.base_size * rel.INGEST_BATCH // self.n
        for start in (int(per_batch * 2.5), self.base_size // 2):
            db = os.path.join(self.dir, f"ingest{start}.db")

            def attempt(limit):
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db + suffix):
                        os.unlink(db + suffix)
                ctx = f"ingest of {self.n} rows, RLIMIT_FSIZE {limit}"
                p = rel.run(db, "ingest", self.csv,
                            preexec_fn=file_size_limit(limit))
                if p.returncode == 0:   # it fitted: then it must be whole
                    rel.check_ingest_state(self, db, self.rows, self.csv,
                                           rel.INGEST_BATCH, ctx, done=True)
                    return 0, self.n
                line = io_error_line(self, p, db, ctx)
                k = rel.check_ingest_state(self, db, self.rows, self.csv,
                                           rel.INGEST_BATCH, f"{ctx}: {line}")
                rec = rel.ingest_records(db)[-1]
                self.assertIn(rec["status"], ("failed", "running"), ctx)
                self.observed.append(("ingest", limit, k, rec["status"],
                                      line))
                return 1, k

            limit, k, tried = self.limited(start, attempt, "ingest")
            ctx = f"ingest of {self.n} rows after RLIMIT_FSIZE {limit}"
            # Without the limit the re-run finishes the file exactly once.
            p = rel.run(db, "ingest", self.csv, check=0, fmt="json")
            st = rel.load_json(p.stdout, "ingest summary")
            self.assertEqual((st["inserted"], st["unchanged"]),
                             (self.n - k, k), ctx)
            rel.check_ingest_state(self, db, self.rows, self.csv,
                                   rel.INGEST_BATCH, f"re-run: {ctx}",
                                   done=True)

    def test_ingest_cannot_create_database(self):
        # Too small for even the schema: no half-made database is left.
        db = os.path.join(self.dir, "tiny.db")
        p = rel.run(db, "ingest", self.csv, preexec_fn=file_size_limit(8192))
        line = io_error_line(self, p, db, "ingest, RLIMIT_FSIZE 8192")
        self.observed.append(("create", 8192, 0, line))
        self.assertEqual(rel.db_files(db), {},
                         f"files left after a failed create: {line}")
        p = rel.run(db, "ingest", self.csv, check=0)
        rel.check_ingest_state(self, db, self.rows, self.csv,
                               rel.INGEST_BATCH, "after a failed create",
                               done=True)

    def test_classify_runs_out_of_space(self):
        grows = self.classified_size - self.base_size
        self.assertGreater(grows, 0)
        for frac, threads in ((0.3, 1), (0.6, 2)):
            # The WAL takes the new pages; once the database file cannot
            # grow, checkpoints stop and the WAL runs into the limit.
            db = os.path.join(self.dir, f"classify{frac}.db")

            def attempt(limit):
                rel.copy_db(self.base, db)
                ctx = (f"classify of {self.n} comments, threads {threads}, "
                       f"RLIMIT_FSIZE {limit}")
                p = rel.run(db, "classify", "--rules", rel.RULES,
                            "--threads", str(threads),
                            preexec_fn=file_size_limit(limit))
                if p.returncode == 0:
                    rel.check_classification(
                        self, db, self.ids, self.ref_cls, self.ref_hits,
                        self.ref_issues, ctx, done=True)
                    return 0, self.n
                line = io_error_line(self, p, db, ctx)
                k = rel.check_classification(
                    self, db, self.ids, self.ref_cls, self.ref_hits,
                    self.ref_issues, f"{ctx}: {line}")
                self.observed.append(("classify", limit, k, line))
                return 1, k

            limit, k, tried = self.limited(int(grows * frac), attempt,
                                           "classify")
            ctx = (f"classify of {self.n} comments after RLIMIT_FSIZE "
                   f"{limit}")
            p = rel.run(db, "classify", "--rules", rel.RULES, check=0,
                        fmt="json")
            st = rel.load_json(p.stdout, "classify summary")
            self.assertEqual((st["classified"], st["skipped"]),
                             (self.n - k, k), ctx)
            rel.check_classification(self, db, self.ids, self.ref_cls,
                                     self.ref_hits, self.ref_issues,
                                     f"re-run: {ctx}", done=True)


class UnwritableTest(unittest.TestCase):
    """A database vocx may not write.  As root, permissions mean nothing,
    so vocx runs as user `nobody` there (skipped if that is impossible)."""

    def setUp(self):
        self.dir = rel.mkdtemp("unwritable")
        self.addCleanup(self.cleanup)
        self.small = os.path.join(self.dir, "small.csv")
        self.more = os.path.join(self.dir, "more.csv")
        self.rows = gen_comments.write_csv(self.small, 3000, seed=31,
                                           prefix="small")
        self.more_rows = gen_comments.write_csv(self.more, 2000, seed=32,
                                                prefix="more")
        self.sub = os.path.join(self.dir, "d")
        os.mkdir(self.sub)
        self.db = os.path.join(self.sub, "v.db")
        rel.run(self.db, "ingest", self.small, check=0)
        self.preexec = None
        if os.geteuid() == 0:
            for root, dirs, files in os.walk(self.dir):
                for name in [root] + [os.path.join(root, f) for f in files]:
                    os.chown(name, NOBODY, NOBODY)
            os.chmod(self.dir, 0o755)
            self.preexec = self.as_nobody
            p = self.vocx("--version")
            if p.returncode != 0:
                self.skipTest(f"cannot run vocx as uid {NOBODY}: "
                              f"{p.stderr.strip()}")

    def cleanup(self):
        for root, dirs, files in os.walk(self.dir):
            os.chmod(root, 0o755)
        rel.rmtree(self.dir)

    @staticmethod
    def as_nobody():
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)

    def vocx(self, *args):
        p = subprocess.run([rel.VOCX, *args], capture_output=True,
                           env=rel.env(), timeout=300,
                           preexec_fn=self.preexec, text=True)
        return p

    def write_attempts(self, what):
        """ingest and classify must both fail cleanly; returns messages."""
        lines = []
        for args in (["ingest", self.more],
                     ["classify", "--rules", rel.RULES]):
            p = self.vocx("--db", self.db, "--quiet", *args)
            self.assertEqual(p.returncode, 1,
                             f"{what}: vocx {args[0]} exited {p.returncode}"
                             f"\nstderr: {p.stderr}")
            line = rel.one_error_line(self, p.stderr, f"{what}: {args[0]}")
            self.assertIn("v.db", line, f"{what}: the database is not named")
            self.assertNotRegex(line, r"error -?\d+$", what)
            lines.append(line)
        return lines

    def assert_untouched(self, digest, what):
        # Looked at without SQLite: a connection of ours could itself make
        # WAL files with the file's read-only mode.
        self.assertEqual(sha256(self.db), digest,
                         f"{what}: the database file changed")
        self.assertEqual(set(rel.db_files(self.db)), {""},
                         f"{what}: WAL files left: {rel.db_files(self.db)}")

    def assert_writable_again(self, what):
        """After the permissions are restored: intact, and writable."""
        ic, fk = rel.integrity(self.db)
        self.assertEqual((ic, fk), (["ok"], []), what)
        self.assertEqual(len(rel.comments(self.db)), len(self.rows), what)
        p = self.vocx("--db", self.db, "--quiet", "--format", "json",
                      "ingest", self.more)
        self.assertEqual(p.returncode, 0,
                         f"{what}: after the permissions are restored: "
                         f"{p.stderr}")
        st = rel.load_json(p.stdout, "ingest summary")
        self.assertEqual(st["inserted"], len(self.more_rows), what)
        self.assertEqual(rel.integrity(self.db), (["ok"], []), what)

    def test_read_only_database_file(self):
        digest = sha256(self.db)
        os.chmod(self.db, 0o400)
        lines = self.write_attempts("database file mode 0400")
        for line in lines:
            self.assertRegex(line, r"read-only|readonly|Permission denied",
                             line)
        # A refused writer leaves no WAL files behind: with the file's
        # read-only mode they would keep writes failing after a chmod.
        self.assert_untouched(digest, "database file mode 0400")
        os.chmod(self.db, 0o600)
        self.assert_writable_again("database file mode 0400")
        print(f"\nread-only database file: {lines}")

    def test_read_only_directory(self):
        # The WAL and shared-memory files cannot be created next to it.
        digest = sha256(self.db)
        os.chmod(self.sub, 0o500)
        lines = self.write_attempts("directory mode 0500")
        self.assert_untouched(digest, "directory mode 0500")
        os.chmod(self.sub, 0o700)
        self.assert_writable_again("directory mode 0500")
        print(f"\nread-only directory: {lines}")

    def test_parent_is_a_regular_file(self):
        # Works the same as root: no permission involved.
        parent = os.path.join(self.dir, "plain-file")
        with open(parent, "w") as f:
            f.write("not a directory\n")
        db = os.path.join(parent, "v.db")
        for args in (["ingest", self.small],
                     ["classify", "--rules", rel.RULES], ["stats"]):
            p = rel.run(db, *args)
            self.assertEqual(p.returncode, 1, f"{args}: {p.stderr}")
            line = rel.one_error_line(self, p.stderr, f"{args[0]}")
            self.assertIn(db, line)
            self.assertRegex(line, r"Not a directory|cannot open", line)
        with open(parent) as f:
            self.assertEqual(f.read(), "not a directory\n")


if __name__ == "__main__":
    unittest.main()
