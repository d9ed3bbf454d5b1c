"""Shared helpers of the reliability tests: running the real `vocx` binary
(to completion, or in the background to be killed), sizing the data for the
build under test, and checking a database after a crash or a failure.

Environment:
  VOCX_BIN                  the vocx CLI (required)
  VOCX_DEFAULT_RULES_FILE   rules/default.rules
  VOCX_RELIABILITY_SCALE    multiply data sizes (default 1, or 0.25 when the
                            binary is built with AddressSanitizer)
  VOCX_RELIABILITY_SEED     base seed of the random kill times (default 20260)
  VOCX_RELIABILITY_KEEP     keep temporary directories (for debugging)
"""
import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))
VOCX = os.environ["VOCX_BIN"]
RULES = os.environ.get("VOCX_DEFAULT_RULES_FILE",
                       os.path.join(SOURCE_DIR, "rules", "default.rules"))
EXAMPLE_DATA = os.environ.get("VOCX_EXAMPLE_DATA",
                              os.path.join(SOURCE_DIR, "examples", "data"))
SEED = int(os.environ.get("VOCX_RELIABILITY_SEED", "20260"))
KEEP = bool(os.environ.get("VOCX_RELIABILITY_KEEP"))

# Rows per ingest transaction.  Every ingest here passes it as --batch
# (see with_batch), so the data sizes below give many batches whatever
# the default is.
INGEST_BATCH = 5000


def with_batch(args):
    """An ingest's arguments with --batch INGEST_BATCH unless given."""
    args = list(args)
    if args and args[0] == "ingest" and "--batch" not in args:
        args[1:1] = ["--batch", str(INGEST_BATCH)]
    return args


def _classify_batch():
    """Comments per classify transaction: VX_DEFAULT_CLASSIFY_BATCH in
    lib/classify_store.c (the CLI has no option for it)."""
    try:
        with open(os.path.join(SOURCE_DIR, "lib", "classify_store.c")) as f:
            m = re.search(r"#define\s+VX_DEFAULT_CLASSIFY_BATCH\s+(\d+)",
                          f.read())
        if m:
            return int(m.group(1))
    except OSError:
        pass
    return 2000


CLASSIFY_BATCH = _classify_batch()


def _sanitized():
    """True when the vocx binary is built with AddressSanitizer."""
    try:
        with open(VOCX, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return b"libasan" in data or b"__asan_init" in data


SANITIZED = _sanitized()
SCALE = float(os.environ.get("VOCX_RELIABILITY_SCALE",
                             "0.25" if SANITIZED else "1"))


def scaled(n, minimum, multiple=1):
    """n scaled for this build, at least `minimum`, rounded to `multiple`."""
    v = max(minimum, int(n * SCALE))
    return max(multiple, v - v % multiple) if multiple > 1 else v


# -- running vocx ----------------------------------------------------------

def env():
    e = dict(os.environ)
    e.pop("VOCX_DB", None)
    e.pop("VOCX_RULES", None)
    return e


def argv(db, *args):
    return [VOCX, "--db", db, "--quiet", *args]


def run(db, *args, check=None, timeout=600, preexec_fn=None, fmt=None):
    """Run vocx to completion; returns CompletedProcess (text output)."""
    a = [VOCX, "--db", db, "--quiet"]
    if fmt:
        a += ["--format", fmt]
    p = subprocess.run(a + with_batch(args), capture_output=True, env=env(),
                       timeout=timeout, preexec_fn=preexec_fn)
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.stderr = p.stderr.decode("utf-8", "replace")
    if check is not None and p.returncode != check:
        raise AssertionError(
            f"vocx {' '.join(args)} exited {p.returncode}, want {check}\n"
            f"stdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-2000:]}")
    return p


class Proc:
    """vocx in the background, output to files (no pipe can fill up)."""

    def __init__(self, workdir, name, db, *args, fmt=None):
        self.name = name
        self.args = args
        self.out_path = os.path.join(workdir, name + ".out")
        self.err_path = os.path.join(workdir, name + ".err")
        a = [VOCX, "--db", db, "--quiet"]
        if fmt:
            a += ["--format", fmt]
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.started = time.monotonic()
        self.p = subprocess.Popen(a + with_batch(args), stdout=self._out,
                                  stderr=self._err, env=env())
        self.returncode = None
        self.elapsed = None

    def poll(self):
        if self.returncode is None:
            rc = self.p.poll()
            if rc is not None:
                self._finish(rc)
        return self.returncode

    def _finish(self, rc):
        self.returncode = rc
        self.elapsed = time.monotonic() - self.started
        self._out.close()
        self._err.close()

    def wait(self, timeout=600):
        if self.returncode is None:
            self._finish(self.p.wait(timeout=timeout))
        return self.returncode

    def kill(self):
        """SIGKILL; returns True if the process was still running."""
        alive = self.p.poll() is None
        if alive:
            self.p.kill()
        self.wait()
        return alive

    @property
    def stdout(self):
        with open(self.out_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    @property
    def stderr(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def describe(self):
        return (f"{self.name}: vocx {' '.join(self.args)} exited "
                f"{self.returncode} after {self.elapsed or 0:.2f} s\n"
                f"stdout: {self.stdout[-1500:]}\nstderr: {self.stderr[-1500:]}")


# -- temporary directories ----------------------------------------------------

def mkdtemp(prefix):
    return tempfile.mkdtemp(prefix="vocx-rel-" + prefix + "-")


def rmtree(path):
    if KEEP:
        print(f"(kept {path})")
        return
    shutil.rmtree(path, ignore_errors=True)


def copy_db(src, dst):
    """A consistent copy of a closed or open database (backup API)."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.unlink(dst + suffix)
    s = sqlite3.connect(src)
    d = sqlite3.connect(dst)
    with d:
        s.backup(d)
    d.execute("PRAGMA journal_mode = WAL")
    s.close()
    d.close()
    os.chmod(dst, 0o600)


def save_files(db, dst):
    """Copy a database's files byte for byte (no process may have it open):
    the state a killed process left, hot WAL included."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.unlink(dst + suffix)
        if os.path.exists(db + suffix):
            shutil.copy2(db + suffix, dst + suffix)


# A kill that lands while LeakSanitizer checks a finishing process stops
# its thread tracer mid-way, and the tracer says so ("==PID==Unable to get
# registers from thread N.", "HINT: ...").  Those lines are the kill's doing;
# a real report always carries "ERROR:" and is kept.
_LSAN_TRACER_LINE = re.compile(r"^(==\d+==(?!.*ERROR)|HINT: )")


def written_before_kill(stderr):
    """stderr of a killed process without what the kill itself caused."""
    return "\n".join(l for l in stderr.splitlines()
                     if l.strip() and not _LSAN_TRACER_LINE.match(l))


def kill_at_random(tc, db, start, duration, rnd, what):
    """Start a process with start() and SIGKILL it after a seeded random
    fraction (0.1..0.9) of `duration`.  If it finished first, put the
    database back as it was and try again sooner.  Returns (delay, proc)."""
    frac = rnd.uniform(0.1, 0.9)
    saved = db + ".before-kill"
    save_files(db, saved)
    try:
        for attempt in range(5):
            delay = frac * duration / (2 ** attempt)
            p = start(attempt)
            left = p.started + delay - time.monotonic()
            if left > 0:
                time.sleep(left)
            if p.kill():
                # nothing went wrong before the kill
                tc.assertEqual(written_before_kill(p.stderr), "",
                               f"{what}: killed at {delay:.3f} s\n"
                               f"{p.describe()}")
                return delay, p
            tc.assertEqual(p.returncode, 0, p.describe())
            save_files(saved, db)
        tc.fail(f"{what}: finished before every kill (last delay "
                f"{delay:.3f} s)")
    finally:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(saved + suffix):
                os.unlink(saved + suffix)


# -- reading a database ----------------------------------------------------

def connect(db):
    c = sqlite3.connect(db, timeout=30)
    c.execute("PRAGMA busy_timeout = 30000")
    return c


def integrity(db):
    """(integrity_check rows, foreign_key_check rows)."""
    c = connect(db)
    try:
        ic = [r[0] for r in c.execute("PRAGMA integrity_check")]
        fk = c.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        c.close()
    return ic, fk


def comments(db):
    """Stored comments in comment_id order: (comment_id, source_id,
    customer_id, created_at, channel, text, batch_id)."""
    c = connect(db)
    try:
        return c.execute(
            "SELECT comment_id, source_id, customer_id, created_at, channel,"
            " text, batch_id FROM comments ORDER BY comment_id").fetchall()
    finally:
        c.close()


def expected_tuple(row):
    """A generated row as vocx stores it (it is already normalized)."""
    return (row["id"], row["customer_id"] or None, row["created_at"],
            row["channel"], row["text"])


def ingest_records(db):
    c = connect(db)
    c.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in c.execute(
            "SELECT * FROM ingest_batches WHERE kind = 'comments'"
            " ORDER BY batch_id")]
    finally:
        c.close()


def query(db, sql, *params):
    c = connect(db)
    try:
        return c.execute(sql, params).fetchall()
    finally:
        c.close()


def classification_dump(db):
    """Every stored result, without the time: ({comment_id: (churn,
    positive, cues)}, {comment_id: sorted [(issue, line, score, spans)]})."""
    c = connect(db)
    try:
        cls = {r[0]: r[1:] for r in c.execute(
            "SELECT comment_id, churn_cues, positive_cues, cues"
            " FROM classifications")}
        hits = {}
        for r in c.execute(
                "SELECT comment_id, issue_id, rule_line, score, spans"
                " FROM comment_issues ORDER BY comment_id, issue_id"):
            hits.setdefault(r[0], []).append(r[1:])
        return cls, hits
    finally:
        c.close()


def check_ingest_state(tc, db, rows, source, batch, ctx, done=False,
                       base=()):
    """Check a database after `vocx ingest source` ran (maybe several
    times, maybe killed or failed): integrity, the stored comments are
    exactly the first k*batch rows of the file (or all of them) in file
    order after the `base` rows already there, with their content, and the
    ingest_batches records agree with what is stored.  Returns the number
    of the file's rows stored.  `ctx` goes into every failure message."""
    ic, fk = integrity(db)
    tc.assertEqual(ic, ["ok"], f"integrity_check: {ctx}")
    tc.assertEqual(fk, [], f"foreign_key_check: {ctx}")
    if not base and not query(db, "SELECT 1 FROM sqlite_master"
                                  " WHERE name = 'comments'"):
        # killed before the new database's schema was committed: nothing
        # was kept, and nothing was half-written
        tc.assertFalse(done, f"ingest left no schema: {ctx}")
        tc.assertEqual(query(db, "SELECT count(*) FROM sqlite_master")[0][0],
                       0, f"a schema was half-created: {ctx}")
        return 0
    stored = comments(db)
    base = list(base)
    tc.assertEqual([r[1:6] for r in stored[:len(base)]], base,
                   f"comments stored before the ingest changed: {ctx}")
    mine = stored[len(base):]
    k = len(mine)
    tc.assertLessEqual(k, len(rows), f"more comments than rows: {ctx}")
    if k != len(rows):
        tc.assertEqual(k % batch, 0,
                       f"{k} rows stored: not a whole number of {batch}-row "
                       f"batches (a partial batch was committed): {ctx}")
    if done:
        tc.assertEqual(k, len(rows), f"ingest did not store every row: {ctx}")
    # The first k rows of the file, in file order, with their content: no
    # row lost inside a committed batch, none duplicated, none reordered.
    got = [r[1:6] for r in mine]
    want = [expected_tuple(r) for r in rows[:k]]
    if got != want:
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                tc.fail(f"stored row {i} is {g}, file row {i} is {w}: {ctx}")
        tc.fail(f"stored rows differ from the file's first {k}: {ctx}")
    ids = [r[0] for r in stored]
    tc.assertEqual(len(set(ids)), len(ids), ctx)

    # ingest_batches: one record per run of this file.
    recs = [r for r in ingest_records(db) if r["source"] == source]
    per_batch = {}
    for r in mine:
        per_batch[r[6]] = per_batch.get(r[6], 0) + 1
    committed_max = 0
    for r in recs:
        what = f"ingest_batches {r}: {ctx}"
        tc.assertEqual(r["format"], "csv", what)
        tc.assertIn(r["status"], ("running", "done", "failed"), what)
        tc.assertEqual(r["finished_at"] is None, r["status"] == "running",
                       what)
        tc.assertEqual((r["updated"], r["rejected"]), (0, 0), what)
        committed = r["inserted"] + r["unchanged"]
        # every comment a run inserted carries the run's batch id
        tc.assertEqual(per_batch.pop(r["batch_id"], 0), r["inserted"], what)
        if r["status"] == "done":
            tc.assertEqual((r["rows_read"], committed), (len(rows),) * 2,
                           what)
        elif r["status"] == "running":     # killed: counts of the last commit
            tc.assertEqual(r["rows_read"], committed, what)
            tc.assertTrue(committed % batch == 0 or committed == len(rows),
                          what)
        else:                              # failed: the batch being written
            tc.assertTrue(committed % batch == 0 or committed == len(rows),
                          what)            # was rolled back
            tc.assertLessEqual(committed, r["rows_read"], what)
            tc.assertLessEqual(r["rows_read"], committed + batch, what)
        committed_max = max(committed_max, committed)
    tc.assertEqual(per_batch, {}, f"comments whose batch_id names no run of "
                   f"this file: {ctx}")
    # each run starts at the file's first row, so what is stored is what
    # the run that got furthest committed
    tc.assertEqual(k, committed_max, f"rows stored vs ingest_batches: {ctx}")
    if done:
        tc.assertEqual(recs[-1]["status"], "done", ctx)
    return k


def check_classification(tc, db, ids, ref_cls, ref_hits, ref_issues, ctx,
                         done=False):
    """Check a database after `vocx classify` ran (maybe killed or
    failed): integrity, the classified comments are exactly the first
    k*CLASSIFY_BATCH of `ids` (comment-id order) or all, and each one's
    stored results equal an uninterrupted run's (ref_cls, ref_hits from
    classification_dump).  Returns k."""
    ic, fk = integrity(db)
    tc.assertEqual(ic, ["ok"], f"integrity_check: {ctx}")
    tc.assertEqual(fk, [], f"foreign_key_check: {ctx}")
    cls, hits = classification_dump(db)
    k = len(cls)
    rulesets = query(db, "SELECT count(*) FROM rulesets")[0][0]
    issues = query(db, "SELECT count(*) FROM issues")[0][0]
    # The rule set and its taxonomy commit before the first batch.
    if k or done:
        tc.assertEqual((rulesets, issues), (1, ref_issues), ctx)
    else:
        tc.assertIn((rulesets, issues), ((0, 0), (1, ref_issues)), ctx)
    tc.assertEqual(sorted(cls), ids[:k],
                   f"classified comments are not the first {k}: {ctx}")
    if done:
        tc.assertEqual(k, len(ids), f"not every comment classified: {ctx}")
    elif k != len(ids):
        tc.assertEqual(k % CLASSIFY_BATCH, 0,
                       f"{k} comments classified: not a whole number of "
                       f"{CLASSIFY_BATCH}-comment batches: {ctx}")
    # Every stored result is complete and equal to the uninterrupted run's
    # (no comment with its issues half written, none twice).
    for cid in ids[:k]:
        if cls[cid] != ref_cls[cid] or hits.get(cid) != ref_hits.get(cid):
            tc.fail(f"comment {cid}: stored {cls[cid]} {hits.get(cid)}, "
                    f"uninterrupted run {ref_cls[cid]} "
                    f"{ref_hits.get(cid)}: {ctx}")
    tc.assertLessEqual(set(hits), set(cls),
                       f"issues stored for unclassified comments: {ctx}")
    return k


def db_files(db):
    return {s: os.path.getsize(db + s) for s in ("", "-wal", "-shm")
            if os.path.exists(db + s)}


def one_error_line(testcase, stderr, what):
    """stderr is exactly one line starting 'vocx: ', without a crash."""
    lines = [l for l in stderr.splitlines() if l.strip()]
    testcase.assertEqual(len(lines), 1, f"{what}: want one error line, got:\n"
                         f"{stderr}")
    testcase.assertTrue(lines[0].startswith("vocx: "), f"{what}: {lines[0]}")
    for bad in ("Sanitizer", "Traceback", "Segmentation", "Aborted",
                "runtime error"):
        testcase.assertNotIn(bad, stderr, what)
    return lines[0]


def load_json(text, what):
    try:
        return json.loads(text)
    except ValueError as e:
        raise AssertionError(f"{what}: not JSON ({e}): {text[:500]}")


def read_csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
