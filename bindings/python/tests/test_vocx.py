"""Tests of the Python binding, run against the built shared library.

Environment (each has a default relative to the repository):
  VOCX_LIBRARY       path of libvocx.so to test (else the binding's lookup)
  VOCX_EXAMPLE_DATA  the example data directory (examples/data)
  VOCX_RULES         the default rule file (rules/default.rules)
  VOCX_INCLUDE_DIR   the directory holding vocx.h (include)
"""

import csv
import ctypes
import gc
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BINDING = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(BINDING))
sys.path.insert(0, BINDING)

import vocx  # noqa: E402
from vocx import _ffi  # noqa: E402

DATA = os.environ.get("VOCX_EXAMPLE_DATA") or os.path.join(
    REPO, "examples", "data")
DEFAULT_RULES = os.environ.get("VOCX_RULES") or os.path.join(
    REPO, "rules", "default.rules")
INCLUDE = os.environ.get("VOCX_INCLUDE_DIR") or os.path.join(REPO, "include")
HEADER = os.path.join(INCLUDE, "vocx.h")
COMMENTS = os.path.join(DATA, "comments.csv")
TRANSACTIONS = os.path.join(DATA, "transactions.csv")
CUSTOMERS = os.path.join(DATA, "customers.csv")
LABELED = os.path.join(DATA, "labeled.csv")

# A small rule set of the tests' own, so most tests do not depend on how
# the default rules evolve.
SMALL_RULES = """\
issue billing.double_charge
  label    "Charged twice for one order"
  block    improvement
  severity 0.7
  owner    "Billing"
  match    (charged OR billed OR debited) NEAR/4 (twice OR double OR "two times")
  match    "double charge*"

issue delivery.late
  label    "Late delivery"
  block    improvement
  severity 0.5
  owner    "Logistics"
  match    late OR "still waiting"

issue app.crash
  label    "App crashes"
  block    innovation
  match    crash* OR "keeps closing"

issue idea.dark_mode
  label    "Dark mode"
  block    innovation
  kind     opportunity
  match    "dark mode"

cue churn     "cancel* my account" OR "switching to" OR "never again"
cue positive  love OR excellent OR "thank you"
"""

BAD_RULES = """\
issue billing.x
  label "x"
  block improvment
  match charged

issue billing.y
  block improvement
  match (late OR slow
"""


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def header_functions():
    with open(HEADER, encoding="utf-8") as f:
        src = f.read()
    return set(re.findall(r"^VOCX_API\b[^(;]*?\b(vocx_\w+)\s*\(", src,
                          re.M))


class Tmp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vocx-py-")

    def tearDown(self):
        gc.collect()
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name, content=None):
        p = os.path.join(self.dir, name)
        if content is not None:
            with open(p, "w", encoding="utf-8") as f:
                f.write(content)
        return p


# ---------------------------------------------------------------------------
# The binding against the library and the header
# ---------------------------------------------------------------------------


class AbiTest(unittest.TestCase):
    def test_every_declared_function_is_exported(self):
        names = [d[0] for d in _ffi.DECLARATIONS]
        self.assertEqual(len(names), len(set(names)), "duplicate declaration")
        self.assertEqual(_ffi.lib.missing, [],
                         f"{_ffi.lib.path} lacks {_ffi.lib.missing}")
        for name in names:
            self.assertTrue(hasattr(_ffi.lib.cdll, name), name)
            fn = getattr(_ffi.lib, name)
            self.assertIsInstance(fn, ctypes._CFuncPtr, name)
            self.assertIsNotNone(fn.argtypes, f"{name} has no argtypes")
        nm = shutil.which("nm")
        path = _ffi.lib.path
        if nm and os.path.sep in path:
            out = subprocess.run([nm, "-D", "--defined-only", path],
                                 capture_output=True, text=True, check=True)
            exported = {ln.split()[-1] for ln in out.stdout.splitlines()
                        if ln.strip()}
            self.assertEqual(set(names) - exported, set())

    def test_every_header_function_is_declared(self):
        if not os.path.exists(HEADER):
            self.skipTest(f"no header at {HEADER}")
        declared = {d[0] for d in _ffi.DECLARATIONS}
        self.assertEqual(header_functions() - declared, set(),
                         "functions of vocx.h the binding does not declare")
        self.assertEqual(declared - header_functions(), set(),
                         "declared functions that vocx.h does not have")

    def test_struct_layouts_match_the_header(self):
        cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
        if not cc or not os.path.exists(HEADER):
            self.skipTest("needs a C compiler and vocx.h")
        lines = ['#include <stdio.h>', '#include <stddef.h>',
                 '#include "vocx.h"', 'int main(void) {']
        for cname, cls in _ffi.STRUCTS.items():
            lines.append(f'printf("{cname} size %zu\\n", sizeof({cname}));')
            for fname, _ in cls._fields_:
                lines.append(f'printf("{cname} {fname} %zu\\n", '
                             f'offsetof({cname}, {fname}));')
        lines += ["return 0;", "}"]
        d = tempfile.mkdtemp(prefix="vocx-abi-")
        try:
            src = os.path.join(d, "layout.c")
            exe = os.path.join(d, "layout")
            with open(src, "w") as f:
                f.write("\n".join(lines))
            subprocess.run([cc, "-std=c11", "-I", INCLUDE, src, "-o", exe],
                           check=True, capture_output=True)
            out = subprocess.run([exe], check=True, capture_output=True,
                                 text=True).stdout
        finally:
            shutil.rmtree(d, ignore_errors=True)
        want = {}
        for ln in out.splitlines():
            s, f, v = ln.split()
            want[(s, f)] = int(v)
        for cname, cls in _ffi.STRUCTS.items():
            self.assertEqual(ctypes.sizeof(cls), want[(cname, "size")],
                             f"sizeof({cname})")
            for fname, _ in cls._fields_:
                self.assertEqual(getattr(cls, fname).offset,
                                 want[(cname, fname)],
                                 f"offsetof({cname}, {fname})")

    def test_version(self):
        v = vocx.version()
        self.assertRegex(v, r"^\d+\.\d+\.\d+$")
        major, minor, patch = map(int, v.split("."))
        self.assertEqual(vocx.version_number(),
                         major * 10000 + minor * 100 + patch)
        self.assertEqual(vocx.__version__, v)
        if os.path.exists(HEADER):
            with open(HEADER, encoding="utf-8") as f:
                m = re.search(r'#define VOCX_VERSION_STRING "([^"]+)"',
                              f.read())
            self.assertEqual(m.group(1), v)

    def test_constants_match_the_header(self):
        if not os.path.exists(HEADER):
            self.skipTest(f"no header at {HEADER}")
        with open(HEADER, encoding="utf-8") as f:
            defs = dict(re.findall(r"^#define VOCX_(\w+)\s+(-?0x[0-9a-fA-F]+"
                                   r"|-?\d+)\b", f.read(), re.M))
        checked = 0
        for name, value in defs.items():
            if hasattr(_ffi, name):
                self.assertEqual(getattr(_ffi, name), int(value, 0), name)
                checked += 1
        self.assertGreater(checked, 30)
        for code, cls in vocx.errors._BY_CODE.items():
            self.assertEqual(code, getattr(_ffi, "E" + {
                "InvalidArgument": "INVAL", "NoMemory": "NOMEM",
                "FileError": "IO", "DatabaseError": "DB",
                "ParseError": "PARSE", "MissingColumn": "COLUMN",
                "Rejected": "REJECT", "SchemaError": "SCHEMA",
                "Busy": "BUSY", "ModelError": "MODEL", "RulesError": "RULES",
                "LimitError": "LIMIT", "Cancelled": "CANCEL",
                "NotFound": "NOTFOUND", "ReadOnly": "READONLY",
            }[cls.__name__]))
            self.assertTrue(issubclass(cls, vocx.Error))

    def test_library_lookup_finds_a_bundled_copy(self):
        # A copy of the package with the library next to it, and no
        # VOCX_LIBRARY: the bundled copy is the one loaded.
        d = tempfile.mkdtemp(prefix="vocx-bundle-")
        try:
            pkg = os.path.join(d, "vocx")
            shutil.copytree(os.path.join(BINDING, "vocx"), pkg,
                            ignore=shutil.ignore_patterns("__pycache__"))
            real = os.path.realpath(_ffi.lib.path)
            shutil.copy(real, os.path.join(pkg, "libvocx.so.0"))
            env = dict(os.environ)
            env.pop("VOCX_LIBRARY", None)
            env["PYTHONPATH"] = d
            out = subprocess.run(
                [sys.executable, "-c",
                 "import vocx; print(vocx.library_path()); "
                 "print(vocx.version())"],
                env=env, capture_output=True, text=True, timeout=60,
                cwd=d)
            self.assertEqual(out.returncode, 0, out.stderr)
            path, version = out.stdout.split()
            self.assertEqual(path, os.path.join(pkg, "libvocx.so.0"))
            self.assertEqual(version, vocx.version())
            # An explicit VOCX_LIBRARY that does not load is an error that
            # names it, not a silent fallback.
            env["VOCX_LIBRARY"] = os.path.join(d, "nope.so")
            out = subprocess.run([sys.executable, "-c", "import vocx"],
                                 env=env, capture_output=True, text=True,
                                 timeout=60, cwd=d)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("nope.so", out.stderr)
            self.assertIn("ImportError", out.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_pip_install_offline(self):
        # `pip install --no-build-isolation` of a copy of the binding (the
        # source tree stays clean), then import the installed package.
        probe = subprocess.run([sys.executable, "-m", "pip", "--version"],
                               capture_output=True)
        if probe.returncode != 0:
            self.skipTest("pip is not available")
        d = tempfile.mkdtemp(prefix="vocx-pip-")
        try:
            src = os.path.join(d, "src")
            shutil.copytree(BINDING, src, ignore=shutil.ignore_patterns(
                "__pycache__", "build", "*.egg-info", "libvocx.so*"))
            target = os.path.join(d, "site")
            out = subprocess.run(
                [sys.executable, "-m", "pip", "install", "--no-index",
                 "--no-build-isolation", "--no-deps", "--no-cache-dir",
                 "--disable-pip-version-check", "--target", target, src],
                capture_output=True, text=True, timeout=300, cwd=d)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            env = dict(os.environ, PYTHONPATH=target)
            out = subprocess.run(
                [sys.executable, "-c",
                 "import vocx; print(vocx.__file__); print(vocx.version())"],
                env=env, capture_output=True, text=True, timeout=60, cwd=d)
            self.assertEqual(out.returncode, 0, out.stderr)
            path, version = out.stdout.split()
            self.assertTrue(path.startswith(target), path)
            self.assertEqual(version, vocx.version())
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_strerror(self):
        self.assertEqual(vocx.strerror(0), "ok")
        self.assertEqual(vocx.strerror(-6), "required column missing")
        self.assertEqual(vocx.strerror(-999), "unknown error")


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class ErrorTest(Tmp):
    def test_bad_rule_text_is_a_rules_error_with_positions(self):
        with self.assertRaises(vocx.RulesError) as cm:
            vocx.Rules.from_string(BAD_RULES, name="bad.rules")
        e = cm.exception
        self.assertEqual(e.code, _ffi.ERULES)
        self.assertEqual((e.file, e.line, e.column), ("bad.rules", 3, 9))
        self.assertIn('bad.rules:3:9: unknown building block "improvment"',
                      str(e))
        self.assertGreaterEqual(len(e.errors), 2)
        lines = [d.line for d in e.errors]
        self.assertEqual(lines, sorted(lines))
        self.assertIn(8, lines)
        for d in e.diagnostics:
            self.assertIsInstance(d, vocx.Diagnostic)
            self.assertTrue(d.message.startswith(
                f"bad.rules:{d.line}:{d.column}: "), d.message)
            self.assertIn(d.message, str(e))

    def test_bad_rule_file_is_a_rules_error_naming_the_file(self):
        p = self.path("bad.rules", BAD_RULES)
        with self.assertRaises(vocx.RulesError) as cm:
            vocx.Rules.from_file(p)
        self.assertEqual(cm.exception.file, p)
        self.assertIn(f"{p}:3:9:", str(cm.exception))

    def test_unreadable_rule_file_is_a_file_error(self):
        p = os.path.join(self.dir, "missing.rules")
        with self.assertRaises(vocx.FileError) as cm:
            vocx.Rules.from_file(p)
        self.assertIsInstance(cm.exception, OSError)
        self.assertIn(p, str(cm.exception))
        self.assertIn("No such file", str(cm.exception))

    def test_missing_column_names_the_file_columns(self):
        p = self.path("c.csv", "id,body,channel\n1,hello,chat\n")
        with vocx.Store(self.path("t.db")) as s:
            with self.assertRaises(vocx.MissingColumn) as cm:
                s.ingest(p)
            msg = str(cm.exception)
            self.assertEqual(cm.exception.code, _ffi.ECOLUMN)
            self.assertIn('"text"', msg)
            self.assertIn("id, body, channel", msg)
            self.assertIn(p, msg)
            self.assertEqual(cm.exception.stats.inserted, 0)
            # the same file works once the column is named
            st = s.ingest(p, text_col="body")
            self.assertEqual(st.inserted, 1)

    def test_missing_database_without_create_is_a_file_error(self):
        p = os.path.join(self.dir, "nope.db")
        with self.assertRaises(vocx.FileError) as cm:
            vocx.Store(p, create=False)
        self.assertIn(p, str(cm.exception))
        self.assertEqual(cm.exception.code, _ffi.EIO)
        self.assertFalse(os.path.exists(p))

    def test_not_a_database_is_a_database_error(self):
        p = self.path("junk.db", "this is not a database " * 100)
        with self.assertRaises(vocx.DatabaseError) as cm:
            vocx.Store(p)
        self.assertIn(p, str(cm.exception))

    def test_invalid_arguments(self):
        with vocx.Store(":memory:") as s:
            with self.assertRaises(vocx.InvalidArgument) as cm:
                s.put_comment("hi", created_at="yesterday-ish")
            self.assertIn("yesterday-ish", str(cm.exception))
            self.assertIsInstance(cm.exception, ValueError)
            with self.assertRaises(vocx.InvalidArgument):
                s.put_comment("")
            with self.assertRaises(vocx.InvalidArgument):
                s.put_comment("nul \0 inside")
            with self.assertRaises(vocx.InvalidArgument):
                s.put_comment("x", channel="a\0b")
            with self.assertRaises(vocx.InvalidArgument):
                s.count_comments("week")
            with self.assertRaises(vocx.InvalidArgument):
                s.fit_clv(model="magic")
            with self.assertRaises(vocx.InvalidArgument) as cm:
                s.fit_clv(margin=2)
            self.assertIn("margin", str(cm.exception))
            with self.assertRaises(vocx.InvalidArgument) as cm:
                list(s.comments(since="not a date"))
            self.assertIn("not a date", str(cm.exception))

    def test_read_only_store(self):
        p = self.path("t.db")
        with vocx.Store(p) as s:
            s.put_comment("first", source_id="a")
        with vocx.Store(p, readonly=True) as s:
            self.assertEqual(s.totals().comments, 1)
            with self.assertRaises(vocx.ReadOnly) as cm:
                s.put_comment("second", source_id="b")
            self.assertEqual(cm.exception.code, _ffi.EREADONLY)

    def test_snapshot(self):
        p = self.path("snap.db")
        with vocx.Store(p) as s, vocx.Store(p) as w:
            s.put_comment("first", source_id="a")
            with s.snapshot():
                w.put_comment("second", source_id="b")
                self.assertEqual(s.totals().comments, 1)
                with self.assertRaises(vocx.InvalidArgument) as cm:
                    s.put_comment("third", source_id="c")
                self.assertIn("snapshot", str(cm.exception))
                self.assertEqual(s.totals().comments, 1)
            self.assertEqual(s.totals().comments, 2)
            with self.assertRaises(vocx.InvalidArgument):
                with s.snapshot():
                    with s.snapshot():
                        pass
            s.put_comment("third", source_id="c")  # the snapshot ended

    def test_rank_before_anything_is_not_found(self):
        with vocx.Store(":memory:") as s:
            s.put_comment("I was billed twice", customer_id="1")
            with self.assertRaises(vocx.NotFound) as cm:
                s.rank()
            self.assertTrue(str(cm.exception))
            self.assertIsInstance(cm.exception, LookupError)

    def test_model_error_carries_the_report(self):
        with vocx.Store(":memory:") as s:
            with self.assertRaises(vocx.ModelError) as cm:
                s.fit_clv(model="bgnbd")
            self.assertTrue(str(cm.exception))
            self.assertIsInstance(cm.exception.report, vocx.ClvReport)

    def test_strict_ingest_rejects_everything(self):
        p = self.path("c.csv", "id,text,created_at\n1,fine,2026-01-01\n"
                      "2,bad time,not-a-time\n3,,2026-01-02\n")
        seen = []
        with vocx.Store(":memory:") as s:
            with self.assertRaises(vocx.Rejected):
                s.ingest(p, strict=True, on_reject=seen.append)
            self.assertEqual(s.totals().comments, 0)
            self.assertGreaterEqual(len(seen), 1)
            # not strict: bad rows are reported and the rest is kept
            seen.clear()
            st = s.ingest(p, on_reject=seen.append)
            self.assertEqual((st.inserted, st.rejected), (1, 2))
            self.assertEqual([r.line for r in seen], [3, 4])
            self.assertEqual([r.reason for r in seen], ["time", "empty"])
            self.assertTrue(seen[0].message.startswith(f"{p}:3:"))

    def test_on_reject_can_stop_and_its_exceptions_propagate(self):
        p = self.path("c.csv", "text,created_at\nx,bad\ny,worse\nz,\n")
        with vocx.Store(":memory:") as s:
            with self.assertRaises(vocx.Cancelled):
                s.ingest(p, on_reject=lambda r: True)

            class Boom(Exception):
                pass

            def explode(rej):
                raise Boom(rej.message)
            with self.assertRaises(Boom) as cm:
                s.ingest(p, on_reject=explode)
            self.assertIn(":2:", str(cm.exception))
            # the store is still usable
            self.assertGreaterEqual(s.totals().comments, 0)

    def test_parse_error(self):
        p = self.path("empty.csv", "")
        with vocx.Store(":memory:") as s:
            with self.assertRaises(vocx.Error) as cm:
                s.ingest(p, format="csv")
            self.assertIn(type(cm.exception),
                          (vocx.ParseError, vocx.MissingColumn))

    def test_error_classes(self):
        for code in range(-1, -16, -1):
            cls = vocx.errors.error_class(code)
            e = cls("msg", code)
            self.assertIsInstance(e, vocx.Error)
            self.assertEqual(e.code, code)
            self.assertEqual(str(e), "msg")
        self.assertIs(vocx.errors.error_class(-99), vocx.Error)
        self.assertTrue(issubclass(vocx.FileError, OSError))


# ---------------------------------------------------------------------------
# Lifetimes
# ---------------------------------------------------------------------------


class LifetimeTest(Tmp):
    def test_close_twice_and_use_after_close(self):
        s = vocx.Store(self.path("t.db"))
        s.put_comment("hello", source_id="1")
        s.close()
        s.close()
        self.assertTrue(s.closed)
        with self.assertRaises(vocx.ClosedError) as cm:
            s.totals()
        self.assertIn("closed", str(cm.exception))
        with self.assertRaises(vocx.ClosedError):
            s.put_comment("again")
        with self.assertRaises(vocx.ClosedError):
            s.comments()

        r = vocx.Rules.from_string(SMALL_RULES)
        h = r.hash
        r.close()
        r.close()
        self.assertTrue(r.closed)
        self.assertEqual(r.hash, h)  # copied: still readable
        with self.assertRaises(vocx.ClosedError) as cm:
            r.classify("billed twice")
        self.assertIn("closed", str(cm.exception))
        with vocx.Store(":memory:") as s2:
            with self.assertRaises(vocx.ClosedError):
                s2.classify(r)

    def test_context_managers(self):
        with vocx.Store(self.path("t.db")) as s, \
                vocx.Rules.from_string(SMALL_RULES) as r:
            s.put_comment("billed twice!", source_id="1")
            self.assertEqual(s.classify(r).classified, 1)
        self.assertTrue(s.closed)
        self.assertTrue(r.closed)

    def test_open_close_cycles_do_not_leak(self):
        db = self.path("t.db")
        with vocx.Store(db) as s:
            for i in range(50):
                s.put_comment(f"comment {i} was late", source_id=str(i),
                              customer_id=str(i % 7))

        def cycle(i):
            with vocx.Store(db) as s:
                s.totals()
                cur = s.comments(limit=10)
                next(cur)
                if i % 2:
                    cur.close()   # else: freed when the store closes
            r = vocx.Rules.from_string(SMALL_RULES)
            r.classify("I was billed twice, cancel my account")
            r.issues
            if i % 3:
                r.close()        # else: freed by garbage collection
            try:
                vocx.Rules.from_string(BAD_RULES)
            except vocx.RulesError:
                pass
            try:
                vocx.Store(os.path.join(self.dir, "missing.db"),
                           create=False)
            except vocx.FileError:
                pass

        for i in range(300):
            cycle(i)
        gc.collect()
        before = rss_bytes()
        for i in range(2000):
            cycle(i)
        gc.collect()
        grown = rss_bytes() - before
        self.assertLess(grown, 4 << 20,
                        f"RSS grew by {grown / 2**20:.1f} MiB over 2000 cycles")

    def test_cursor_is_freed_on_gc_and_store_close(self):
        p = self.path("t.db")
        with vocx.Store(p) as s:
            for i in range(20):
                s.put_comment(f"text {i}", source_id=str(i),
                              created_at=f"2026-01-{i + 1:02d}")
            cur = s.comments()
            self.assertEqual(next(cur)["source_id"], "0")
            del cur
            gc.collect()
            # a write after the abandoned cursor works: its read transaction
            # ended when it was freed
            self.assertEqual(s.put_comment("new", source_id="x"), "inserted")
            cur = s.comments()
            next(cur)
        with self.assertRaises(vocx.ClosedError):
            next(cur)
        cur.close()
        cur.close()

    def test_store_used_from_its_own_callback_is_busy(self):
        p = self.path("c.csv", "text,created_at\nx,bad\n")
        with vocx.Store(":memory:") as s:
            with self.assertRaises(vocx.Busy):
                s.ingest(p, on_reject=lambda r: s.totals())
            self.assertEqual(s.totals().comments, 0)

    def test_interpreter_shutdown_with_live_objects(self):
        db = self.path("t.db")
        code = f"""
import vocx
s = vocx.Store({db!r})
s.put_comment("late again", source_id="1")
s.put_comment("late twice", source_id="2")
cur = s.comments()
next(cur)
r = vocx.Rules.from_string({SMALL_RULES!r})
r.classify("billed twice")
class Holder: pass
h = Holder(); h.self = h; h.store = s; h.rules = r; h.cur = cur
"""
        out = subprocess.run([sys.executable, "-c", code],
                             capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, PYTHONPATH=BINDING))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "")


# ---------------------------------------------------------------------------
# Store
# ---------------------------------------------------------------------------


class StoreTest(Tmp):
    def test_put_comment(self):
        with vocx.Store(self.path("t.db")) as s:
            self.assertEqual(s.put_comment("Order came late", source_id="a",
                                           customer_id=42,
                                           created_at="2026-03-01T10:00:00+01:00",
                                           channel="email"), "inserted")
            self.assertEqual(s.put_comment("Order came late", source_id="a",
                                           customer_id=42,
                                           created_at="2026-03-01T10:00:00+01:00",
                                           channel="email"), "unchanged")
            self.assertEqual(s.put_comment("Order came very late",
                                           source_id="a", customer_id=42,
                                           created_at="2026-03-01T10:00:00+01:00",
                                           channel="email"), "updated")
            self.assertEqual(s.put_comment("anonymous"), "inserted")
            self.assertEqual(s.put_comment("anonymous"), "unchanged")
            rows = list(s.comments())
            self.assertEqual(len(rows), 2)
            self.assertEqual(rows[0]["created_at"], "2026-03-01T09:00:00Z")
            self.assertEqual(rows[0]["customer_id"], "42")
            self.assertEqual(rows[0]["text"], "Order came very late")
            self.assertTrue(rows[1]["source_id"].startswith("sha256:"))
            self.assertIsNone(rows[1]["created_at"])

    def test_ingest_example_file_and_read_back(self):
        with vocx.Store(self.path("t.db")) as s:
            st = s.ingest(COMMENTS)
            self.assertIsInstance(st, vocx.IngestStats)
            self.assertEqual((st.rows, st.inserted, st.rejected),
                             (412, 412, 0))
            self.assertGreater(st.batch_id, 0)
            again = s.ingest(COMMENTS)
            self.assertEqual((again.inserted, again.unchanged), (0, 412))
            t = s.totals()
            self.assertEqual((t.comments, t.anonymous), (412, 8))
            self.assertEqual(t.first_at[:10], "2026-01-02")
            by_channel = dict(s.count_comments("channel"))
            self.assertEqual(by_channel, {
                "survey": 159, "email": 90, "app_review": 50, "social": 50,
                "chat": 37, "phone_transcript": 26})
            months = s.count_comments("month")
            self.assertEqual([k for k, _ in months],
                             sorted(k for k, _ in months))
            self.assertEqual(sum(n for _, n in months), 412)
            self.assertTrue(all(re.match(r"^\d{4}-\d{2}$", k)
                                for k, _ in months))
            days = s.count_comments("day")
            self.assertEqual(sum(n for _, n in days), 412)

    def test_cursor_iteration_and_filters(self):
        with vocx.Store(self.path("t.db")) as s:
            s.ingest(COMMENTS)
            rows = list(s.comments())
            self.assertEqual(len(rows), 412)
            keys = [(r["created_at"] is None, r["created_at"] or "",
                     r["comment_id"]) for r in rows]
            self.assertEqual(keys, sorted(keys))
            self.assertEqual({r["source_id"] for r in rows},
                             {f"cm-{i:04d}" for i in range(1, 413)})
            multiline = [r for r in rows if "\n" in r["text"]]
            self.assertEqual(len(multiline), 9)
            chat = list(s.comments(channel="chat"))
            self.assertEqual(len(chat), 37)
            self.assertTrue(all(r["channel"] == "chat" for r in chat))
            march = list(s.comments(since="2026-03-01", until="2026-04-01"))
            self.assertTrue(march)
            self.assertTrue(all("2026-03" <= r["created_at"] < "2026-04"
                                for r in march))
            self.assertEqual(len(list(s.comments(limit=5))), 5)
            one = rows[0]["customer_id"]
            mine = list(s.comments(customer_id=one))
            self.assertTrue(all(r["customer_id"] == one for r in mine))
            with s.comments() as cur:
                first = next(cur)
            self.assertEqual(first, rows[0])
            self.assertEqual(list(cur), [])
            # a finished cursor stays finished
            cur = s.comments(limit=1)
            self.assertEqual(len(list(cur)), 1)
            self.assertEqual(list(cur), [])

    def test_ingest_from_a_generator_of_dicts(self):
        texts = ["Très déçu: la livraison était en retard 😡",
                 "Überweisung doppelt abgebucht — bitte prüfen",
                 "Доставка опоздала на неделю",
                 "配送が遅れました",
                 'quotes " and \\ backslashes\nand a second line',
                 "plain ascii late delivery"]
        produced = []

        def rows(n):
            for i in range(n):
                produced.append(i)
                yield {"id": f"g-{i}", "customer_id": i % 97,
                       "created_at": f"2026-02-{i % 28 + 1:02d}T08:00:00Z",
                       "channel": "api", "text": f"{texts[i % len(texts)]} #{i}"}

        n = 3000
        first_progress = []

        def progress(rows_done, done, total):
            if not first_progress:
                first_progress.append((rows_done, len(produced)))

        with vocx.Store(self.path("t.db")) as s:
            st = s.ingest(rows(n), batch_rows=100, on_progress=progress)
            self.assertEqual((st.rows, st.inserted, st.rejected), (n, n, 0))
            # streamed: when the first batch was committed the generator
            # had produced only a part of its rows
            self.assertTrue(first_progress)
            self.assertLess(first_progress[0][1], n)
            got = {r["source_id"]: r for r in s.comments()}
            self.assertEqual(len(got), n)
            for i in (0, 1, 2, 3, 4, 5, 2999):
                r = got[f"g-{i}"]
                self.assertEqual(r["text"], f"{texts[i % len(texts)]} #{i}")
                self.assertEqual(r["customer_id"], str(i % 97))
                self.assertEqual(r["channel"], "api")
            st2 = s.ingest(rows(n))
            self.assertEqual(st2.unchanged, n)

    def test_ingest_iterable_rejects_and_exceptions(self):
        def rows():
            yield {"id": "1", "text": "fine"}
            yield {"id": "2", "text": ""}
            yield {"id": "3", "text": "bad \udc80 surrogate"}
            yield {"id": "4", "text": "fine too", "created_at": "garbage"}
            yield {"id": "5", "body": "no text key"}
            yield {"id": "6", "text": "last"}

        seen = []
        with vocx.Store(":memory:") as s:
            st = s.ingest(rows(), on_reject=seen.append, name="api")
            self.assertEqual((st.inserted, st.rejected), (2, 4))
            self.assertEqual([r.line for r in seen], [2, 3, 4, 5])
            self.assertTrue(all(r.source == "api" for r in seen))
            self.assertEqual(seen[1].reason, "utf8")

            class Stop(Exception):
                pass

            def failing():
                yield {"id": "a", "text": "one"}
                raise Stop("generator failed")
            with self.assertRaises(Stop):
                s.ingest(failing())
            with self.assertRaises(TypeError):
                s.ingest([{"text": "ok"}, "not a dict"])
            with self.assertRaises(TypeError):
                s.ingest({"text": "a dict"})
            self.assertGreaterEqual(s.totals().comments, 2)

    def test_ingest_from_file_objects(self):
        with vocx.Store(":memory:") as s:
            with open(COMMENTS, "rb") as f:
                st = s.ingest(f)
            self.assertEqual(st.inserted, 412)
            with open(COMMENTS, encoding="utf-8") as f:
                st = s.ingest(f)
            self.assertEqual(st.unchanged, 412)

    def test_ingest_options(self):
        p = self.path("r.csv", "review_id,who,when,body\n"
                      "r1,7,2026-01-05,Great app\nr2,,2026-01-06,Crashes\n")
        with vocx.Store(":memory:") as s:
            st = s.ingest(p, id_col="review_id", customer_col="who",
                          time_col="when", text_col="body",
                          channel="app_review")
            self.assertEqual(st.inserted, 2)
            rows = list(s.comments())
            self.assertEqual([r["source_id"] for r in rows], ["r1", "r2"])
            self.assertEqual({r["channel"] for r in rows}, {"app_review"})
            self.assertEqual(rows[0]["customer_id"], "7")
            self.assertIsNone(rows[1]["customer_id"])
        p2 = self.path("r.jsonl", '{"text": "hello", "id": "j1"}\n')
        with vocx.Store(":memory:") as s:
            self.assertEqual(s.ingest(p2).inserted, 1)
            self.assertEqual(s.ingest(p2, format="jsonl").unchanged, 1)

    def test_imports_and_clv(self):
        with vocx.Store(self.path("t.db")) as s:
            st = s.import_transactions(TRANSACTIONS)
            self.assertEqual(st.inserted, 6919)
            self.assertEqual(s.import_transactions(TRANSACTIONS).inserted, 0)
            st = s.import_customers(CUSTOMERS)
            self.assertEqual(st.inserted, 2357)
            rep = s.fit_clv(calibration_end="2025-09-30")
            self.assertIsInstance(rep, vocx.ClvReport)
            self.assertEqual(rep.model, "auto")
            self.assertTrue(rep.fitted)
            self.assertEqual(rep.calibration_end, "2025-09-30")
            self.assertEqual(rep.customers, 2357)
            self.assertGreater(rep.total_clv, 0)
            # the published CDNOW BG/NBD parameters
            self.assertAlmostEqual(rep.r, 0.243, places=2)
            self.assertAlmostEqual(rep.alpha, 4.414, places=1)
            cv = s.customer_value("1")
            self.assertTrue(cv.known)
            self.assertEqual(cv.segment, "mid")
            self.assertEqual(cv.clv_model_id, rep.model_id)
            self.assertFalse(s.customer_value("no-such-customer").known)
            again = s.fit_clv(horizon_months=24)
            self.assertGreater(again.model_id, rep.model_id)
            self.assertGreater(again.total_clv, rep.total_clv)
            self.assertEqual(s.customer_value("1", rep.model_id).clv,
                             cv.clv)

    def test_import_missing_column(self):
        p = self.path("tx.csv", "customer_id,day,amount\n1,2025-01-01,3\n")
        with vocx.Store(":memory:") as s:
            with self.assertRaises(vocx.MissingColumn) as cm:
                s.import_transactions(p)
            self.assertIn("customer_id, day, amount", str(cm.exception))
            self.assertEqual(s.import_transactions(p, date_col="day")
                             .inserted, 1)

    def test_log_callback(self):
        lines = []
        with vocx.Store(":memory:") as s:
            s.set_log(lambda level, msg: lines.append((level, msg)))
            s.ingest(COMMENTS)
            s.set_log(None)
        self.assertTrue(all(lv in ("debug", "info", "warn")
                            for lv, _ in lines))

    def test_threads_serialise_on_one_store(self):
        with vocx.Store(self.path("t.db")) as s:
            errors = []

            def work(k):
                try:
                    for i in range(50):
                        s.put_comment(f"thread {k} comment {i}",
                                      source_id=f"{k}-{i}")
                        s.totals()
                except Exception as e:  # pragma: no cover
                    errors.append(e)
            ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            self.assertEqual(errors, [])
            self.assertEqual(s.totals().comments, 200)


# ---------------------------------------------------------------------------
# PII redaction
# ---------------------------------------------------------------------------


class RedactTest(Tmp):
    PII = ("Mail jane.doe@example.co.uk or call +44 20 7946 0958; card "
           "4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32.")

    def test_redact_formats_and_near_misses(self):
        self.assertEqual(vocx.redact(self.PII),
                         "Mail [EMAIL] or call [PHONE]; card [CARD], "
                         "IBAN [IBAN].")
        for raw, want in [
                ("+1 (415) 555-0132", "[PHONE]"),
                ("0049 30 1234567", "[PHONE]"),
                ("030/1234567", "[PHONE]"),
                ("5500-0000-0000-0004", "[CARD]"),
                ("Amex 378282246310005", "Amex [CARD]"),
                ("DE89370400440532013000", "[IBAN]")]:
            self.assertEqual(vocx.redact(raw), want, raw)
        for keep in ["order #A-1029384", "order 123456789",
                     "2024-03-15 15.03.2024 03/15/2024 10:30",
                     "$1,299.99", "4111111111111112", "version 1.2.3",
                     "tracking 1Z999AA10123456784",
                     "GB82 WEST 1234 5698 7654 31",
                     "user at example dot com"]:
            self.assertEqual(vocx.redact(keep), keep)

    def test_kinds_count_and_bytes(self):
        self.assertEqual(vocx.redact(self.PII, "email,iban"),
                         "Mail [EMAIL] or call +44 20 7946 0958; card "
                         "4111 1111 1111 1111, IBAN [IBAN].")
        self.assertEqual(vocx.redact(self.PII, ["card"]).count("[CARD]"), 1)
        self.assertEqual(vocx.redact(self.PII, vocx.REDACT_PHONE)
                         .count("[PHONE]"), 1)
        self.assertEqual(vocx.redact(self.PII, with_count=True)[1], 4)
        self.assertEqual(vocx.redact(self.PII, False), self.PII)
        self.assertEqual(vocx.redact("", with_count=True), ("", 0))
        # bytes in, bytes out; invalid UTF-8 kept byte for byte
        self.assertEqual(vocx.redact(b"\xff bob@example.com \xfe"),
                         b"\xff [EMAIL] \xfe")
        self.assertEqual(vocx.redact("Grüße an jürgen@müller.de 😀"),
                         "Grüße an [EMAIL] 😀")
        with self.assertRaises(vocx.InvalidArgument):
            vocx.redact("x", "emial")
        with self.assertRaises(vocx.InvalidArgument):
            vocx.redact("x", 0x10)
        with self.assertRaises(TypeError):
            vocx.redact(42)

    def test_ingest_and_put_comment_redact(self):
        rows = [{"id": "a", "text": self.PII},
                {"id": "b", "text": "I was charged twice, reach me at "
                                    "bob@example.com"},
                {"id": "c", "text": "no personal data here"}]
        with vocx.Store(self.path("t.db")) as s, \
                vocx.Rules.from_string(SMALL_RULES) as rules:
            st = s.ingest(iter(rows), redact=True)
            self.assertEqual(st.inserted, 3)
            got = {r["source_id"]: r["text"] for r in s.comments()}
            self.assertEqual(got["a"], vocx.redact(self.PII))
            self.assertEqual(got["b"], "I was charged twice, reach me at "
                                       "[EMAIL]")
            self.assertEqual(got["c"], "no personal data here")
            # same input again: unchanged (the redaction is deterministic)
            self.assertEqual(s.ingest(iter(rows), redact="all").unchanged, 3)
            # only e-mail addresses
            s.ingest(iter([{"id": "d", "text": self.PII}]), redact="email")
            d = [r["text"] for r in s.comments() if r["source_id"] == "d"]
            self.assertIn("[EMAIL]", d[0])
            self.assertIn("+44 20 7946 0958", d[0])
            self.assertEqual(s.put_comment("call 0301234567", source_id="e",
                                           redact=["phone"]), "inserted")
            e = [r["text"] for r in s.comments() if r["source_id"] == "e"]
            self.assertEqual(e, ["call [PHONE]"])
            with self.assertRaises(vocx.InvalidArgument):
                s.ingest(iter(rows), redact="names")
            # classification of the stored, redacted text
            s.classify(rules)
            m = rules.classify(got["b"]).matches
            self.assertEqual([x.issue.id for x in m],
                             ["billing.double_charge"])
            self.assertEqual(m[0].evidence[0], "charged")
        # the addresses never reached the database (nor its WAL)
        for name in ("t.db", "t.db-wal"):
            if os.path.exists(self.path(name)):
                with open(self.path(name), "rb") as f:
                    raw = f.read()
                self.assertNotIn(b"bob@example.com", raw)
                self.assertNotIn(b"jane.doe", raw)


# ---------------------------------------------------------------------------
# Rules and classification
# ---------------------------------------------------------------------------


class RulesTest(Tmp):
    def setUp(self):
        super().setUp()
        self.rules = vocx.Rules.from_string(SMALL_RULES, name="small.rules")

    def tearDown(self):
        self.rules.close()
        super().tearDown()

    def test_taxonomy(self):
        r = self.rules
        self.assertRegex(r.hash, r"^[0-9a-f]{64}$")
        self.assertEqual(r.name, "small.rules")
        self.assertEqual(r.source, SMALL_RULES)
        ids = [i.id for i in r.issues]
        self.assertEqual(ids, ["billing.double_charge", "delivery.late",
                               "app.crash", "idea.dark_mode"])
        bill = r.issue("billing.double_charge")
        self.assertEqual((bill.label, bill.block, bill.kind, bill.owner,
                          bill.line), ("Charged twice for one order",
                                       "improvement", "problem", "Billing",
                                       1))
        self.assertAlmostEqual(bill.severity, 0.7)
        self.assertEqual(bill.block_label, "Improvement")
        self.assertEqual(r.issue("idea.dark_mode").kind, "opportunity")
        self.assertIsNone(r.issue("app.crash").owner)
        block_ids = [b.id for b in r.blocks]
        for b in ("customer_voice", "improvement", "innovation",
                  "engaging_externally"):
            self.assertIn(b, block_ids)
        self.assertGreaterEqual(r.rule_count, 5)
        self.assertEqual(vocx.Rules.from_string(SMALL_RULES).hash, r.hash)

    def test_classify_spans_in_bytes_and_chars(self):
        t = "Très déçu 😡: I was billed twice for one order. Cancel my account!"
        c = self.rules.classify(t)
        self.assertIsInstance(c, vocx.Classification)
        self.assertEqual(c.issues, ["billing.double_charge"])
        m = c.matches[0]
        self.assertEqual(m.issue.id, "billing.double_charge")
        self.assertEqual(m.block, "improvement")
        self.assertEqual(m.rule_line, 6)
        self.assertIn("NEAR/4", m.rule_text)
        self.assertGreater(m.score, 0)
        data = t.encode("utf-8")
        self.assertEqual([data[a:b].decode() for a, b in m.spans],
                         ["billed", "twice"])
        self.assertEqual([t[a:b] for a, b in m.char_spans],
                         ["billed", "twice"])
        self.assertEqual(m.evidence, ["billed", "twice"])
        self.assertNotEqual(m.spans, m.char_spans)
        self.assertEqual(c.churn_cues, 1)
        self.assertEqual(c.positive_cues, 0)
        self.assertEqual([(q.kind, q.evidence) for q in c.cues],
                         [("churn", "Cancel my account")])
        self.assertEqual(c.blocks, ["improvement"])
        self.assertTrue(c)
        self.assertFalse(self.rules.classify("nothing to see here"))

    def test_classify_explain_reports_vetoes(self):
        c = self.rules.classify("The parcel was not late at all",
                                explain=True)
        self.assertEqual(c.issues, [])
        c2 = self.rules.classify("The parcel was not late at all")
        self.assertEqual(c2.vetoes, [])

    def test_classify_bytes(self):
        c = self.rules.classify("the app crashed, love it otherwise"
                                .encode("utf-8"))
        self.assertEqual(c.issues, ["app.crash"])
        self.assertEqual(c.positive_cues, 1)

    def test_classify_from_eight_threads(self):
        with open(COMMENTS, encoding="utf-8") as f:
            texts = [row["text"] for row in csv.DictReader(f)]
        with vocx.Rules.from_file(DEFAULT_RULES) as rules:
            def key(c):
                return [(m.issue.id, m.rule_line, m.score, m.spans)
                        for m in c.matches] + [
                    (q.kind, q.span) for q in c.cues]

            want = [key(rules.classify(t)) for t in texts]
            self.assertTrue(any(want))
            results = {}
            errors = []
            start = threading.Barrier(8)

            def work(k):
                try:
                    start.wait()
                    got = []
                    for rep in range(3):
                        order = list(range(len(texts)))
                        if (k + rep) % 2:
                            order.reverse()
                        res = {i: key(rules.classify(texts[i]))
                               for i in order}
                        got.append([res[i] for i in range(len(texts))])
                    results[k] = got
                except Exception as e:  # pragma: no cover
                    errors.append(e)

            ts = [threading.Thread(target=work, args=(k,)) for k in range(8)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            self.assertEqual(errors, [])
            for k in range(8):
                for got in results[k]:
                    self.assertEqual(got, want, f"thread {k}")
            # one scratch per thread still alive that classified: the main
            # one (the workers' were freed when their threads ended)
            gc.collect()
            scratches = list(rules._scratches)
            self.assertEqual(len(scratches), 1)
        self.assertIsNone(scratches[0].ptr)  # freed by close()
        self.assertEqual(len(rules._scratches), 0)

    def test_close_waits_for_running_classifications(self):
        rules = vocx.Rules.from_string(SMALL_RULES)
        stop = threading.Event()
        errors = []

        def work():
            try:
                while not stop.is_set():
                    try:
                        rules.classify("billed twice " * 200)
                    except vocx.ClosedError:
                        return
            except Exception as e:  # pragma: no cover
                errors.append(e)

        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts:
            t.start()
        rules.close()
        stop.set()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])

    def test_default_rules_load(self):
        with vocx.Rules.from_file(DEFAULT_RULES) as r:
            self.assertGreater(len(r.issues), 10)
            self.assertEqual(r.name, DEFAULT_RULES)
            kinds = {i.kind for i in r.issues}
            self.assertLessEqual(kinds, {"problem", "opportunity", "praise"})
            self.assertTrue(all(i.block in {b.id for b in r.blocks}
                                for i in r.issues))

    def test_evaluate(self):
        with vocx.Rules.from_file(DEFAULT_RULES) as r:
            ev = r.evaluate(LABELED)
        self.assertIsInstance(ev, vocx.Evaluation)
        self.assertGreater(ev.rows, 0)
        self.assertTrue(ev.issues)
        for d in ev.issues + [ev.totals]:
            for k in ("precision", "recall", "f1"):
                self.assertGreaterEqual(d[k], 0.0)
                self.assertLessEqual(d[k], 1.0)
        self.assertEqual(ev.totals["issue"], "(all)")
        self.assertEqual(ev.totals["tp"], sum(d["tp"] for d in ev.issues))
        self.assertEqual(ev.totals["fp"] + ev.totals["fn"], len(ev.misses))
        self.assertIn("macro_f1", ev.totals)
        self.assertEqual(set(ev.by_issue()), {d["issue"] for d in ev.issues})

    def test_evaluate_missing_column(self):
        p = self.path("l.csv", "id,body,expected\n1,billed twice,x\n")
        with self.assertRaises(vocx.MissingColumn) as cm:
            self.rules.evaluate(p)
        self.assertIn("text", str(cm.exception))
        ev = self.rules.evaluate(p, text_col="body")
        self.assertEqual(ev.rows, 1)
        with self.assertRaises(vocx.FileError):
            self.rules.evaluate(os.path.join(self.dir, "none.csv"))


# ---------------------------------------------------------------------------
# The whole job on the example data
# ---------------------------------------------------------------------------


class RankTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vocx-rank-")
        cls.db = os.path.join(cls.dir, "rank.db")
        cls.store = vocx.Store(cls.db)
        cls.rules = vocx.Rules.from_file(DEFAULT_RULES)
        s = cls.store
        s.ingest(COMMENTS)
        s.import_customers(CUSTOMERS)
        s.import_transactions(TRANSACTIONS)
        cls.clv = s.fit_clv()
        cls.classified = s.classify(cls.rules, threads=2)
        cls.ranking = s.rank()

    @classmethod
    def tearDownClass(cls):
        cls.store.close()
        cls.rules.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_classify_stats(self):
        c = self.classified
        self.assertEqual(c.classified, 412)
        self.assertEqual(c.ruleset_hash, self.rules.hash)
        self.assertGreater(c.with_issues, 0)
        again = self.store.classify(self.rules)
        self.assertEqual((again.classified, again.skipped), (0, 412))

    def test_ranking(self):
        rk = self.ranking
        self.assertIsInstance(rk, list)
        self.assertTrue(rk)
        fields = ("block", "issue", "label", "kind", "owner", "severity",
                  "comments", "customers", "unmatched", "clv_total",
                  "clv_at_risk", "clv_at_risk_attributed")
        issues = {i.id: i for i in self.rules.issues}
        for row in rk:
            for f in fields:
                self.assertIn(f, row)
            self.assertIn(row["issue"], issues)
            self.assertEqual(row["block"], issues[row["issue"]].block)
            self.assertLessEqual(row["clv_at_risk_attributed"],
                                 row["clv_at_risk"] + 1e-9)
            self.assertLessEqual(row["clv_at_risk"], row["clv_total"] + 1e-9)
            self.assertLessEqual(row["customers"] + row["unmatched"],
                                 row["comments"])
        keys = [(-r["clv_at_risk_attributed"], -r["clv_at_risk"])
                for r in rk]
        self.assertEqual(keys, sorted(keys))
        self.assertEqual([r["rank"] for r in rk], list(range(1, len(rk) + 1)))
        t = rk.totals
        attributed = sum(r["clv_at_risk_attributed"] for r in rk)
        self.assertLessEqual(attributed, t["clv_total"] * (1 + 1e-9))
        self.assertLessEqual(attributed, self.clv.total_clv)
        self.assertAlmostEqual(attributed, t["clv_at_risk_attributed"],
                               delta=1e-6 * max(1.0, attributed))
        self.assertEqual(t["comments"], 412)
        self.assertEqual(t["anonymous_comments"], 8)
        self.assertEqual(t["unmatched_customers"], 12)
        # The ids behind unmatched comments: senders 9001..9012 are not in
        # the CRM.  (The list holds those whose comments raised an issue;
        # totals["unmatched_customers"] counts all of them.)
        unknown = rk.unmatched_customers
        self.assertTrue(unknown)
        self.assertEqual(unknown, sorted(set(unknown)))
        self.assertLessEqual(set(unknown),
                             {str(i) for i in range(9001, 9013)})
        self.assertEqual(t["ruleset"], self.rules.hash)
        self.assertGreater(t["run_id"], 0)

    def test_filters(self):
        chat = self.store.rank(channel="chat", record=False)
        self.assertLessEqual(chat.totals["comments"], 37)
        self.assertEqual(chat.totals["run_id"], 0)
        praise = self.store.rank(kind="problem", record=False)
        self.assertTrue(all(r["kind"] == "problem" for r in praise))
        imp = self.store.rank(block="improvement", record=False)
        self.assertTrue(all(r["block"] == "improvement" for r in imp))
        self.assertEqual(self.store.rank(ruleset=self.rules, record=False),
                         self.store.rank(record=False))
        tot = self.store.rank_totals(segment="high")
        self.assertLessEqual(tot["clv_total"],
                             self.ranking.totals["clv_total"])
        with self.assertRaises(vocx.InvalidArgument):
            self.store.rank(kind="gripe")

    def test_explain(self):
        top = self.ranking[0]
        ev = self.store.explain(top["issue"])
        self.assertEqual(len(ev), top["comments"])
        known = [e for e in ev if e["known"]]
        self.assertEqual(len({e["customer_id"] for e in known}),
                         top["customers"])
        self.assertAlmostEqual(
            sum({e["customer_id"]: e["clv_at_risk_attributed"]
                 for e in known}.values()),
            top["clv_at_risk_attributed"], places=6)
        for e in ev:
            self.assertEqual(e["issue"], top["issue"])
            self.assertTrue(e["spans"])
            data = e["text"].encode("utf-8")
            for (a, b), (ca, cb), word in zip(e["spans"], e["char_spans"],
                                              e["evidence"]):
                self.assertEqual(data[a:b].decode("utf-8"), word)
                self.assertEqual(e["text"][ca:cb], word)
        self.assertEqual(len(self.store.explain(top["issue"], limit=2)),
                         min(2, len(ev)))
        with self.assertRaises(vocx.NotFound):
            self.store.explain("no.such.issue")

    def test_rank_frame(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            with self.assertRaises(ImportError) as cm:
                self.store.rank_frame()
            self.assertIn("pandas", str(cm.exception))
            return
        df = self.store.rank_frame(record=False)
        self.assertEqual(len(df), len(self.ranking))
        self.assertEqual(list(df["issue"]),
                         [r["issue"] for r in self.ranking])

    def test_comment_risk(self):
        self.assertAlmostEqual(vocx.comment_risk(0.2, churn_cues=1), 0.6)
        self.assertAlmostEqual(vocx.comment_risk(0.5, positive_cues=1), 0.25)
        self.assertAlmostEqual(vocx.comment_risk(0.5), 0.5)

    def _needs(self, name):
        if name in _ffi.lib.missing:
            self.skipTest(f"{_ffi.lib.path} does not export {name} yet")

    def test_report_html(self):
        self._needs("vocx_report_html")
        html = self.store.report_html(generated_at="2026-07-01T00:00:00Z",
                                      currency="$", title="Test <report>")
        self.assertIn("<html", html)
        self.assertIn("</html>", html)
        self.assertIn("Test &lt;report&gt;", html)
        self.assertNotIn("<script", html.lower())
        self.assertEqual(html, self.store.report_html(
            generated_at="2026-07-01T00:00:00Z", currency="$",
            title="Test <report>"))
        p = os.path.join(self.dir, "report.html")
        self.assertIsNone(self.store.report_html(
            p, generated_at="2026-07-01T00:00:00Z", currency="$",
            title="Test <report>"))
        with open(p, encoding="utf-8") as f:
            self.assertEqual(f.read(), html)
        self.assertFalse(os.path.exists(p + ".part"))

    def test_report_write_errors_propagate(self):
        self._needs("vocx_report_html")

        class Full(io.RawIOBase):
            def writable(self):
                return True

            def write(self, b):
                raise OSError(28, "No space left on device")

        with self.assertRaises(OSError) as cm:
            self.store.report_html(Full())
        self.assertEqual(cm.exception.errno, 28)
        with self.assertRaises(vocx.InvalidArgument):
            self.store.report_digest("x", format="pdf")

    def test_report_digest(self):
        self._needs("vocx_report_digest")
        top = next(r for r in self.ranking if r["owner"])
        md = self.store.report_digest(top["owner"], "markdown",
                                      generated_at="2026-07-01T00:00:00Z")
        self.assertIn(top["label"], md)
        html = self.store.report_digest(top["owner"].upper(), "html",
                                        generated_at="2026-07-01T00:00:00Z")
        self.assertIn("<mark>", html)
        with self.assertRaises(vocx.NotFound) as cm:
            self.store.report_digest("Nobody At All")
        self.assertIn(top["owner"], str(cm.exception))

    def test_at_risk_and_export(self):
        self._needs("vocx_export_at_risk")
        rows = self.store.at_risk()
        self.assertTrue(rows)
        self.assertEqual(rows.stats["rows"], len(rows))
        self.assertEqual(rows.stats["customers"],
                         len({r["customer_id"] for r in rows}))
        keys = [-r["clv_at_risk"] for r in rows]
        self.assertEqual(keys, sorted(keys))
        self.assertTrue(all(r["kind"] != "praise" for r in rows))
        for r in rows[:20]:
            self.assertAlmostEqual(r["clv_at_risk"], r["clv"] * r["risk"],
                                   places=6)
            self.assertEqual(r["evidence"],
                             [r["text"][a:b] for a, b in r["char_spans"]])
        top = self.ranking[0]["issue"]
        mine = self.store.at_risk(top)
        self.assertEqual({r["issue"] for r in mine}, {top})
        self.assertEqual(len(mine), self.ranking[0]["customers"])
        text_csv = self.store.export_at_risk(format="csv")
        parsed = list(csv.DictReader(io.StringIO(text_csv)))
        self.assertEqual(len(parsed), len(rows))
        self.assertEqual(list(parsed[0])[:3], ["customer_id", "issue",
                                               "label"])
        self.assertEqual([p["customer_id"] for p in parsed],
                         [r["customer_id"] for r in rows])
        js = json.loads(self.store.export_at_risk(format="json",
                                                  issue_id=top))
        self.assertEqual(len(js), len(mine))
        buf = io.BytesIO()
        self.store.export_at_risk(buf, "csv")
        self.assertEqual(buf.getvalue().decode("utf-8"), text_csv)
        with self.assertRaises(vocx.NotFound):
            self.store.at_risk("no.such.issue")

    def test_top_issues_example(self):
        script = os.path.join(REPO, "examples", "python", "top_issues.py")
        if not os.path.exists(script):
            self.skipTest("examples/python/top_issues.py is not here")
        db = os.path.join(self.dir, "example.db")
        out = subprocess.run(
            [sys.executable, script, "--db", db, "--comments", COMMENTS,
             "--transactions", TRANSACTIONS, "--rules", DEFAULT_RULES],
            capture_output=True, text=True, timeout=300,
            env=dict(os.environ, PYTHONPATH=BINDING))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(self.ranking[0]["issue"], out.stdout)
        self.assertIn("[", out.stdout)  # a marked phrase


if __name__ == "__main__":
    unittest.main()
