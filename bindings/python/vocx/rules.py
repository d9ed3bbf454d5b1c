"""Compiled rules, classification of texts in memory, and evaluation
against a labeled file."""

import threading
import weakref
from ctypes import POINTER, byref, c_char_p, c_double, c_size_t, string_at
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from . import _ffi
from ._ffi import cpath, cstr, lib, text
from .errors import ClosedError, Diagnostic, RulesError, error_class

__all__ = [
    "Rules", "Issue", "Block", "Match", "Cue", "Veto", "RuleWarning",
    "Classification", "Evaluation", "diagnostics_list",
]

KIND_NAMES = {_ffi.KIND_PROBLEM: "problem",
              _ffi.KIND_OPPORTUNITY: "opportunity",
              _ffi.KIND_PRAISE: "praise"}
CUE_NAMES = {_ffi.CUE_CHURN: "churn", _ffi.CUE_POSITIVE: "positive"}
VETO_NAMES = {_ffi.VETO_NEGATED: "negated", _ffi.VETO_UNLESS: "unless",
              _ffi.VETO_THRESHOLD: "threshold",
              _ffi.VETO_NOT_NEGATED: "not_negated"}
_FORMATS = {None: _ffi.FORMAT_AUTO, "auto": _ffi.FORMAT_AUTO,
            "csv": _ffi.FORMAT_CSV, "jsonl": _ffi.FORMAT_JSONL,
            "ndjson": _ffi.FORMAT_JSONL}


def format_code(fmt):
    try:
        return _FORMATS[fmt.lower() if isinstance(fmt, str) else fmt]
    except (KeyError, AttributeError):
        raise error_class(_ffi.EINVAL)(
            f"unknown format {fmt!r}: use 'csv', 'jsonl' or None (auto)",
            _ffi.EINVAL) from None


def diagnostics_list(dptr):
    """Copy a vocx_diagnostics into a list of Diagnostic tuples (does not
    free it)."""
    out = []
    if not dptr:
        return out
    for i in range(lib.vocx_diagnostics_count(dptr)):
        p = lib.vocx_diagnostics_get(dptr, i)
        if not p:
            break
        d = p.contents
        out.append(Diagnostic(
            "error" if d.severity == _ffi.DIAG_ERROR else "warning",
            text(d.file), d.line, d.column, text(d.reason), text(d.message)))
    return out


def _take_diagnostics(dptr):
    try:
        return diagnostics_list(dptr)
    finally:
        lib.vocx_diagnostics_free(dptr)


def _diag_error(rc, diags):
    """The exception for a failed rules/evaluate call: the messages of the
    error diagnostics (else of all of them, else the code's text)."""
    errs = [d for d in diags if d.severity == "error"] or diags
    msg = "\n".join(d.message for d in errs) or _ffi.strerror(rc)
    cls = error_class(rc)
    if cls is RulesError:
        return RulesError(msg, rc, diags)
    exc = cls(msg, rc)
    exc.diagnostics = diags
    return exc


# ---------------------------------------------------------------------------
# Value types
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """An issue of the taxonomy."""
    id: str
    label: str
    block: str
    block_label: str
    kind: str            # "problem", "opportunity" or "praise"
    severity: float
    weight: float
    threshold: float
    owner: Optional[str]
    line: int            # where the issue is defined in the rule file
    nrules: int = 0


@dataclass(frozen=True)
class Block:
    id: str
    label: str


def _to_chars(data: bytes, offset: int) -> int:
    """A byte offset into the UTF-8 encoding `data` as a str index."""
    try:
        return len(data[:offset].decode("utf-8", "surrogatepass"))
    except UnicodeDecodeError:
        return len(data[:offset].decode("utf-8", "replace"))


class _Text:
    """A classified text with byte <-> str offset conversion."""

    __slots__ = ("text", "data", "ascii")

    def __init__(self, s, data):
        self.text = s
        self.data = data
        self.ascii = len(s) == len(data)

    def chars(self, span):
        start, end = span
        if self.ascii:
            return (start, end)
        return (_to_chars(self.data, start), _to_chars(self.data, end))

    def substring(self, span):
        cs, ce = self.chars(span)
        return self.text[cs:ce]


@dataclass(frozen=True)
class Match:
    """An issue raised by a text."""
    issue: Issue
    block: str
    rule_line: int
    rule_text: str
    score: float
    spans: List[Tuple[int, int]]       # byte offsets into the UTF-8 text
    char_spans: List[Tuple[int, int]]  # the same as str indices
    evidence: List[str]                # the matched substrings

    @property
    def issue_id(self):
        return self.issue.id


@dataclass(frozen=True)
class Cue:
    kind: str            # "churn" or "positive"
    rule_line: int
    span: Tuple[int, int]
    char_span: Tuple[int, int]
    evidence: str


@dataclass(frozen=True)
class Veto:
    """A matching rule that did not raise its issue (explain=True)."""
    issue: Issue
    rule_line: int
    why: str             # "negated", "unless", "threshold", "not_negated"
    by_line: int         # the `unless` line, when why == "unless"
    span: Tuple[int, int]
    char_span: Tuple[int, int]
    evidence: str


@dataclass(frozen=True)
class RuleWarning:
    rule_line: int
    message: str


@dataclass(frozen=True)
class Classification:
    """The result of Rules.classify()."""
    text: str
    matches: List[Match]
    cues: List[Cue]
    churn_cues: int
    positive_cues: int
    vetoes: List[Veto]
    warnings: List[RuleWarning]

    @property
    def issues(self):
        """The ids of the issues raised, in issue order."""
        return [m.issue.id for m in self.matches]

    @property
    def blocks(self):
        """The building blocks raised, without repeats, in issue order."""
        return list(dict.fromkeys(m.block for m in self.matches))

    def __bool__(self):
        return bool(self.matches)


@dataclass
class Evaluation:
    """Rules.evaluate(): precision, recall and F1 per issue and in total."""
    rows: int
    issues: List[dict]          # issue, tp, fp, fn, precision, recall, f1
    totals: dict                # micro-averaged, plus macro_f1
    misses: List[dict] = field(default_factory=list)
    diagnostics: List[Diagnostic] = field(default_factory=list)

    def by_issue(self):
        return {d["issue"]: d for d in self.issues}


# ---------------------------------------------------------------------------
# Per-thread scratch
# ---------------------------------------------------------------------------


class _Scratch:
    """One vocx_scratch, owned by one thread (through a threading.local) and
    registered with its Rules so close() can free it.  Freed exactly once:
    by Rules.close(), or when its thread ends and the local is dropped."""

    __slots__ = ("ptr", "_free", "__weakref__")

    def __init__(self):
        ptr = POINTER(_ffi.vocx_scratch)()
        rc = lib.vocx_scratch_new(byref(ptr))
        if rc:
            _ffi.raise_code(rc)
        self.ptr = ptr
        self._free = lib.vocx_scratch_free

    def free(self):
        ptr, self.ptr = self.ptr, None
        if ptr:
            self._free(ptr)

    def __del__(self):
        try:
            self.free()
        except Exception:
            pass


# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------


class Rules:
    """A compiled rule set.  Immutable; classify() may be called from any
    number of threads at once (each thread gets its own scratch)."""

    def __init__(self, _ptr, _diagnostics=()):
        if not isinstance(_ptr, POINTER(_ffi.vocx_rules)) or not _ptr:
            raise TypeError("use Rules.from_file() or Rules.from_string()")
        self._ptr = _ptr
        self._free = lib.vocx_rules_free
        self._cond = threading.Condition(threading.RLock())
        self._busy = 0
        self._local = threading.local()
        self._scratches = weakref.WeakSet()
        self.warnings = list(_diagnostics)
        # Everything the rules describe is copied into Python now.
        self._hash = text(lib.vocx_rules_hash(_ptr))
        self._name = text(lib.vocx_rules_name(_ptr))
        n = c_size_t(0)
        src = lib.vocx_rules_source(_ptr, byref(n))
        self._source = string_at(src, n.value).decode("utf-8", "replace") \
            if src else ""
        self._rule_count = lib.vocx_rules_rule_count(_ptr)
        blocks = []
        for i in range(lib.vocx_rules_block_count(_ptr)):
            bid, blabel = c_char_p(), c_char_p()
            if lib.vocx_rules_block(_ptr, i, byref(bid), byref(blabel)) == 0:
                blocks.append(Block(text(bid.value), text(blabel.value)))
        self._blocks = blocks
        issues = []
        info = _ffi.vocx_issue_info()
        for i in range(lib.vocx_rules_issue_count(_ptr)):
            if lib.vocx_rules_issue(_ptr, i, byref(info)) == 0:
                issues.append(self._issue(info))
        self._issues = issues
        self._by_id = {iss.id: iss for iss in issues}
        self._by_raw = {iss.id.encode("utf-8"): iss for iss in issues}

    @staticmethod
    def _issue(info):
        return Issue(
            id=text(info.id), label=text(info.label), block=text(info.block),
            block_label=text(info.block_label),
            kind=KIND_NAMES.get(info.kind, "unknown"),
            severity=info.severity, weight=info.weight,
            threshold=info.threshold, owner=text(info.owner),
            line=info.line, nrules=info.nrules)

    # -- construction ----------------------------------------------------

    @classmethod
    def from_file(cls, path):
        """Load and compile the rule file at `path`.  Raises RulesError
        (with every diagnostic) when it has errors, FileError when it
        cannot be read."""
        ptr = POINTER(_ffi.vocx_rules)()
        dptr = POINTER(_ffi.vocx_diagnostics)()
        rc = lib.vocx_rules_load(byref(ptr), cpath(path), byref(dptr))
        diags = _take_diagnostics(dptr)
        if rc:
            lib.vocx_rules_free(ptr)
            raise _diag_error(rc, diags)
        return cls(ptr, diags)

    @classmethod
    def from_string(cls, source, name=None):
        """Compile rules from a str (or UTF-8 bytes).  `name` is used in
        diagnostics (default "<rules>")."""
        data = source.encode("utf-8") if isinstance(source, str) else \
            bytes(source)
        ptr = POINTER(_ffi.vocx_rules)()
        dptr = POINTER(_ffi.vocx_diagnostics)()
        rc = lib.vocx_rules_compile(byref(ptr), data, len(data),
                                    cstr(name, "name"), byref(dptr))
        diags = _take_diagnostics(dptr)
        if rc:
            lib.vocx_rules_free(ptr)
            raise _diag_error(rc, diags)
        return cls(ptr, diags)

    # -- lifetime --------------------------------------------------------

    def _enter(self):
        with self._cond:
            if self._ptr is None:
                raise ClosedError("the Rules object is closed")
            self._busy += 1
            return self._ptr

    def _leave(self):
        with self._cond:
            self._busy -= 1
            if self._busy == 0:
                self._cond.notify_all()

    @property
    def closed(self):
        return self._ptr is None

    def close(self):
        """Free the compiled rules and every thread's scratch.  Waits for
        classifications running in other threads.  Safe to call twice."""
        cond = getattr(self, "_cond", None)
        if cond is None:
            return
        with cond:
            ptr = self._ptr
            if ptr is None:
                return
            self._ptr = None  # new calls are refused from here on
            while self._busy:
                cond.wait()
            for s in list(self._scratches):
                s.free()
            self._scratches.clear()
        self._free(ptr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        # At interpreter shutdown module globals may already be None; the
        # free functions were kept on the instance for that reason.
        try:
            ptr = getattr(self, "_ptr", None)
            if ptr is None:
                return
            self._ptr = None
            for s in list(getattr(self, "_scratches", ())):
                s.free()
            self._free(ptr)
        except Exception:
            pass

    def __repr__(self):
        state = "closed" if self._ptr is None else \
            f"{len(self._issues)} issues"
        return f"<vocx.Rules {self._name!r} {state} {self._hash[:12]}>"

    # -- what the rules describe ----------------------------------------

    @property
    def hash(self):
        """Lower-case hex SHA-256 of the rule text."""
        return self._hash

    @property
    def name(self):
        return self._name

    @property
    def source(self):
        return self._source

    @property
    def issues(self):
        return list(self._issues)

    @property
    def blocks(self):
        return list(self._blocks)

    @property
    def rule_count(self):
        return self._rule_count

    def issue(self, issue_id):
        """The Issue with this id (KeyError when unknown)."""
        return self._by_id[issue_id]

    # -- classification --------------------------------------------------

    def _scratch(self):
        s = getattr(self._local, "scratch", None)
        if s is None or s.ptr is None:
            s = _Scratch()
            with self._cond:
                self._scratches.add(s)
            self._local.scratch = s
        return s

    def classify(self, text_, explain=False):
        """Classify one text (str, or UTF-8 bytes).  Thread-safe: call it
        from as many threads as you like."""
        if isinstance(text_, str):
            s, data = text_, text_.encode("utf-8", "surrogatepass")
        else:
            data = bytes(text_)
            s = data.decode("utf-8", "surrogateescape")
        ptr = self._enter()
        try:
            scratch = self._scratch()
            res = POINTER(_ffi.vocx_result)()
            rc = lib.vocx_classify(ptr, scratch.ptr, data, len(data),
                                   _ffi.CLASSIFY_EXPLAIN if explain else 0,
                                   byref(res))
            if rc:
                _ffi.raise_code(rc)
            # Copy everything out before the scratch is used again.
            return self._copy_result(res.contents, _Text(s, data))
        finally:
            self._leave()

    def _issue_of(self, p):
        raw = p.contents.id
        iss = self._by_raw.get(raw)
        return iss if iss is not None else self._issue(p.contents)

    def _copy_result(self, r, t):
        matches = []
        for i in range(r.nhits):
            h = r.hits[i]
            spans = [(h.spans[k].start, h.spans[k].end)
                     for k in range(h.nspans)]
            char_spans = [t.chars(sp) for sp in spans]
            iss = self._issue_of(h.issue)
            matches.append(Match(
                issue=iss, block=iss.block, rule_line=h.rule_line,
                rule_text=text(h.rule_text), score=h.score, spans=spans,
                char_spans=char_spans,
                evidence=[t.text[a:b] for a, b in char_spans]))
        cues = []
        for i in range(r.ncues):
            c = r.cues[i]
            sp = (c.span.start, c.span.end)
            cues.append(Cue(CUE_NAMES.get(c.kind, str(c.kind)), c.rule_line,
                            sp, t.chars(sp), t.substring(sp)))
        vetoes = []
        for i in range(r.nvetoes):
            v = r.vetoes[i]
            sp = (v.span.start, v.span.end)
            vetoes.append(Veto(self._issue_of(v.issue), v.rule_line,
                               VETO_NAMES.get(v.why, str(v.why)), v.by_line,
                               sp, t.chars(sp), t.substring(sp)))
        warnings = [RuleWarning(r.warnings[i].rule_line,
                                text(r.warnings[i].message))
                    for i in range(r.nwarnings)]
        return Classification(t.text, matches, cues, r.churn_cues,
                              r.positive_cues, vetoes, warnings)

    # -- evaluation ------------------------------------------------------

    def evaluate(self, labeled_path, *, format=None, id_col=None,
                 text_col=None, expected_col=None):
        """Classify every row of a labeled CSV / JSON Lines file and compare
        with its `expected` issue ids: per-issue and total precision,
        recall and F1."""
        opts = _ffi.vocx_eval_options(
            _ffi.EVAL_OPTIONS_VERSION, format_code(format),
            cstr(id_col, "id_col"), cstr(text_col, "text_col"),
            cstr(expected_col, "expected_col"))
        ev = POINTER(_ffi.vocx_eval)()
        dptr = POINTER(_ffi.vocx_diagnostics)()
        ptr = self._enter()
        try:
            rc = lib.vocx_rules_evaluate(byref(ev), ptr, cpath(labeled_path),
                                         byref(opts), byref(dptr))
        finally:
            self._leave()
        diags = _take_diagnostics(dptr)
        try:
            if rc:
                raise _diag_error(rc, diags)
            issues = []
            for i in range(lib.vocx_eval_issue_count(ev)):
                p = lib.vocx_eval_issue_get(ev, i)
                if p:
                    issues.append(_eval_issue(p.contents))
            micro = _ffi.vocx_eval_issue()
            macro = c_double(0)
            lib.vocx_eval_totals(ev, byref(micro), byref(macro))
            totals = _eval_issue(micro)
            totals["macro_f1"] = macro.value
            misses = []
            for i in range(lib.vocx_eval_miss_count(ev)):
                p = lib.vocx_eval_miss_get(ev, i)
                if not p:
                    continue
                m = p.contents
                misses.append({
                    "false_positive": bool(m.false_positive),
                    "issue": text(m.issue), "id": text(m.id),
                    "line": m.line, "text": text(m.text),
                    "rule_line": m.rule_line or None})
            return Evaluation(lib.vocx_eval_rows(ev), issues, totals, misses,
                              diags)
        finally:
            lib.vocx_eval_free(ev)


def _eval_issue(e):
    return {"issue": text(e.issue), "tp": e.tp, "fp": e.fp, "fn": e.fn,
            "precision": e.precision, "recall": e.recall, "f1": e.f1}
