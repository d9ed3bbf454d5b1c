"""The store: one SQLite database of comments, operational records,
classifications, CLV values and analysis runs."""

import codecs
import contextlib
import ctypes
import io
import json
import os
import threading
import weakref
from collections import namedtuple
from collections.abc import Mapping
from ctypes import POINTER, byref, c_int, string_at
from dataclasses import asdict, dataclass

from . import _ffi
from ._ffi import check_store, cpath, cstr, lib, text
from .errors import Busy, ClosedError, InvalidArgument
from .rules import Rules, _Text, format_code

__all__ = ["Store", "Cursor", "IngestStats", "StoreTotals", "Reject",
           "ClassifyStats", "ClvReport", "Ranking", "CustomerValue", "AtRisk"]

Reject = namedtuple("Reject", "source line column reason message")
Reject.__doc__ = """A rejected input row, as passed to on_reject: reason is
"syntax", "utf8", "empty", "time", "missing", "toolong" or "value"; message
is "file:line:col: reason"."""


@dataclass(frozen=True)
class IngestStats:
    rows: int        # data rows read (accepted + rejected)
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    batches: int     # transactions committed
    batch_id: int    # this ingest's row in ingest_batches

    def _asdict(self):
        return asdict(self)


@dataclass(frozen=True)
class StoreTotals:
    comments: int
    customers: int
    anonymous: int
    batches: int
    first_at: str    # None when there are no comments
    last_at: str


@dataclass(frozen=True)
class ClassifyStats:
    classified: int
    skipped: int
    with_issues: int
    hits: int
    churn: int
    warnings: int
    ruleset_id: int
    ruleset_hash: str


@dataclass(frozen=True)
class ClvReport:
    model_id: int
    model: str
    calibration_end: str
    customers: int
    from_bgnbd: int
    from_column: int
    from_simple: int
    no_value: int
    total_clv: float
    fitted: bool
    fit_customers: int
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    iterations: int
    converged: bool
    spend_customers: int
    spend_excluded: int
    p: float
    q: float
    gamma: float
    spend_log_likelihood: float
    spend_iterations: int
    spend_converged: bool
    transactions: int
    after_end: int
    message: str


@dataclass(frozen=True)
class CustomerValue:
    customer_id: str
    known: bool
    clv: float
    source: str
    churn_probability: float   # None when the CRM gave none
    segment: str
    clv_model_id: int


class Ranking(list):
    """The result of Store.rank(): a list of dicts, one per issue, in rank
    order, with the totals and the unmatched customer ids attached."""

    def __init__(self, rows, totals, unmatched):
        super().__init__(rows)
        self.totals = totals
        self.unmatched_customers = unmatched


_CLV_MODELS = {"auto": _ffi.CLV_AUTO, "bgnbd": _ffi.CLV_BGNBD,
               "column": _ffi.CLV_COLUMN, "simple": _ffi.CLV_SIMPLE}
_CLV_NAMES = {v: k for k, v in _CLV_MODELS.items()}
_GROUPS = {"channel": _ffi.GROUP_CHANNEL, "month": _ffi.GROUP_MONTH,
           "day": _ffi.GROUP_DAY}
_KINDS = {None: 0, "problem": _ffi.KIND_PROBLEM,
          "opportunity": _ffi.KIND_OPPORTUNITY, "praise": _ffi.KIND_PRAISE}
_REPORT_FORMATS = {"markdown": _ffi.REPORT_MARKDOWN, "md": _ffi.REPORT_MARKDOWN,
                   "html": _ffi.REPORT_HTML, "csv": _ffi.REPORT_CSV,
                   "json": _ffi.REPORT_JSON}
_PUT = {_ffi.PUT_INSERTED: "inserted", _ffi.PUT_UPDATED: "updated",
        _ffi.PUT_UNCHANGED: "unchanged"}

_CHUNK = 64 * 1024


def _redact_bytes(data, kinds):
    """(redacted bytes, count) through vocx_redact."""
    out = ctypes.c_void_p()
    n = ctypes.c_size_t()
    count = ctypes.c_size_t()
    rc = lib.vocx_redact(data, len(data), kinds, byref(out), byref(n),
                         byref(count))
    if rc:
        _ffi.raise_code(rc)
    try:
        return string_at(out.value, n.value) if n.value else b"", count.value
    finally:
        lib.vocx_free(out)


def _stats(st):
    return IngestStats(st.rows, st.inserted, st.updated, st.unchanged,
                       st.rejected, st.batches, st.batch_id)


def _json_default(v):
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _jsonl_chunks(rows):
    """Serialise an iterable of dicts lazily as JSON Lines, in chunks."""
    buf, size = [], 0
    for i, row in enumerate(rows, 1):
        if not isinstance(row, Mapping):
            raise TypeError(f"item {i} of the iterable is a "
                            f"{type(row).__name__}, not a dict")
        line = json.dumps(row, ensure_ascii=False, default=_json_default,
                          separators=(",", ":"))
        # Lone surrogates pass through as invalid UTF-8: the library
        # rejects that row with its line number instead of failing here.
        data = line.encode("utf-8", "surrogatepass") + b"\n"
        buf.append(data)
        size += len(data)
        if size >= _CHUNK:
            yield b"".join(buf)
            buf, size = [], 0
    if buf:
        yield b"".join(buf)


def _file_chunks(f):
    while True:
        data = f.read(_CHUNK)
        if not data:
            return
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        yield data


class _Callbacks:
    """Python callbacks handed to C.  Keeps the CFUNCTYPE objects alive for
    the duration of the call and captures any exception raised inside a
    callback (it must not cross the C boundary); the caller re-raises it
    after the C call returns."""

    def __init__(self):
        self.error = None
        self._keep = []

    def _capture(self, exc):
        if self.error is None:
            self.error = exc

    def keep(self, cfunc):
        self._keep.append(cfunc)
        return cfunc

    def reader(self, chunks):
        it = iter(chunks)
        state = {"buf": b"", "pos": 0, "eof": False}

        def read(_payload, buf, cap):
            if self.error is not None:
                return -1
            try:
                out = 0
                while out < cap:
                    b, pos = state["buf"], state["pos"]
                    if pos >= len(b):
                        if state["eof"]:
                            break
                        nxt = next(it, None)
                        if nxt is None:
                            state["eof"] = True
                            break
                        state["buf"], state["pos"] = bytes(nxt), 0
                        continue
                    n = min(cap - out, len(b) - pos)
                    ctypes.memmove(buf + out, b[pos:pos + n], n)
                    state["pos"] = pos + n
                    out += n
                return out
            except BaseException as e:  # noqa: B902 - re-raised after the call
                self._capture(e)
                return -1

        return self.keep(_ffi.vocx_read_cb(read))

    def on_reject(self, fn):
        if fn is None:
            return _ffi.vocx_reject_cb()

        def cb(rej, _payload):
            try:
                r = rej.contents
                stop = fn(Reject(text(r.source), r.line, r.column,
                                 _ffi.REJECT_REASONS.get(r.reason,
                                                         str(r.reason)),
                                 text(r.message)))
                return 1 if stop else 0
            except BaseException as e:  # noqa: B902
                self._capture(e)
                return 1

        return self.keep(_ffi.vocx_reject_cb(cb))

    def on_progress(self, fn):
        if fn is None:
            return _ffi.vocx_progress_cb()

        def cb(rows, done, total, _payload):
            try:
                return 1 if fn(rows, done, total) else 0
            except BaseException as e:  # noqa: B902
                self._capture(e)
                return 1

        return self.keep(_ffi.vocx_progress_cb(cb))

    def reraise(self):
        if self.error is not None:
            e, self.error = self.error, None
            raise e


class _Sink:
    """Where a report is written: None (collected and returned as str), a
    path (written to a temporary file renamed into place on success, so a
    failed report leaves nothing behind), or a file object (binary or
    text)."""

    def __init__(self, dest, cbs):
        self._dest = dest
        self._parts = None
        self._file = None
        self._tmp = None
        if dest is None:
            self._parts = []
            self._write = self._parts.append
        elif isinstance(dest, (str, bytes)) or hasattr(dest, "__fspath__"):
            path = os.fspath(dest)
            self._tmp = path + (b".part" if isinstance(path, bytes)
                                else ".part")
            self._file = open(self._tmp, "wb")
            self._write = self._file.write
        elif isinstance(dest, io.TextIOBase):
            dec = codecs.getincrementaldecoder("utf-8")("replace")
            self._write = lambda b: dest.write(dec.decode(b))
        elif hasattr(dest, "write"):
            self._write = dest.write
        else:
            raise TypeError("dest must be None, a path or a file object")

        def cb(_payload, data, n):
            try:
                self._write(string_at(data, n) if n else b"")
                return 0
            except BaseException as e:  # noqa: B902
                cbs._capture(e)
                return 1

        self.cfunc = cbs.keep(_ffi.vocx_write_cb(cb))

    def finish(self, ok):
        """Close what was opened; the text when collecting."""
        if self._file is not None:
            self._file.close()
            if ok:
                os.replace(self._tmp, os.fspath(self._dest))
            else:
                try:
                    os.unlink(self._tmp)
                except OSError:
                    pass
        if self._parts is not None and ok:
            return b"".join(self._parts).decode("utf-8", "replace")
        return None


def _span_list(spans_json, t):
    try:
        spans = [tuple(x) for x in json.loads(spans_json)] if spans_json \
            else []
    except ValueError:
        spans = []
    if t is None:
        return spans, [], []
    chars = [t.chars(sp) for sp in spans]
    return spans, chars, [t.text[a:b] for a, b in chars]


class Store:
    """A vocx database.  Use it from one thread at a time (calls from
    several threads are serialised by a lock); open one Store per thread for
    parallel work.  Close it with close() or a with-block."""

    def __init__(self, path, create=True, readonly=False):
        flags = _ffi.OPEN_READONLY if readonly else (
            _ffi.OPEN_CREATE if create else _ffi.OPEN_READWRITE)
        ptr = POINTER(_ffi.vocx_store)()
        rc = lib.vocx_store_open(byref(ptr), cpath(path), flags)
        if rc:
            msg = _ffi.store_message(ptr, rc)
            lib.vocx_store_close(ptr)
            _ffi.raise_code(rc, msg)
        self._ptr = ptr
        self.path = os.fspath(path) if not isinstance(path, bytes) else path
        self.readonly = bool(readonly)
        self._close = lib.vocx_store_close
        self._cursor_free = lib.vocx_cursor_free
        self._lock = threading.Lock()
        self._owner = None
        self._cursors = weakref.WeakSet()
        self._pending = []   # cursor handles to free once the store is idle
        self._log = None

    # -- lifetime --------------------------------------------------------

    def _acquire(self):
        if self._owner == threading.get_ident():
            raise Busy("the store is already in a call on this thread "
                       "(used from one of its own callbacks?)", _ffi.EBUSY)
        self._lock.acquire()
        if self._ptr is None:
            self._lock.release()
            raise ClosedError("the Store is closed")
        self._owner = threading.get_ident()
        return self._ptr

    def _release(self):
        try:
            self._drain()
        finally:
            self._owner = None
            self._lock.release()

    def _drain(self):
        while self._pending:
            self._cursor_free(self._pending.pop())

    @property
    def closed(self):
        return self._ptr is None

    def close(self):
        """Close the database, freeing every open cursor first.  Safe to
        call twice."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return
        if self._owner == threading.get_ident():
            raise Busy("cannot close the store from one of its own "
                       "callbacks", _ffi.EBUSY)
        with lock:
            ptr = self._ptr
            if ptr is None:
                return
            for c in list(self._cursors):
                c._detach()
            self._drain()
            self._ptr = None
            self._close(ptr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        # No call can be running: every call holds a reference to self.
        try:
            ptr = getattr(self, "_ptr", None)
            if ptr is None:
                return
            self._ptr = None
            for c in list(self._cursors):
                c._detach()
            while self._pending:
                self._cursor_free(self._pending.pop())
            self._close(ptr)
        except Exception:
            pass

    def __repr__(self):
        return (f"<vocx.Store {self.path!r}"
                f"{' closed' if self._ptr is None else ''}>")

    def _call(self, fn, *args, fallback=None, **attrs):
        """Run a C function taking the store first; raise on error with the
        store's message."""
        ptr = self._acquire()
        try:
            rc = fn(ptr, *args)
            return check_store(rc, ptr, fallback, **attrs)
        finally:
            self._release()

    # -- logging ---------------------------------------------------------

    def set_log(self, fn):
        """Route the library's log lines to fn(level, message); level is
        "debug", "info" or "warn".  None turns logging off.  Exceptions
        raised by fn are ignored (a log line must not break a call)."""
        names = {_ffi.LOG_DEBUG: "debug", _ffi.LOG_INFO: "info",
                 _ffi.LOG_WARN: "warn"}
        if fn is None:
            cb = _ffi.vocx_log_cb()
        else:
            def _cb(level, msg, _payload):
                try:
                    fn(names.get(level, str(level)), text(msg))
                except BaseException:  # noqa: B902
                    pass
            cb = _ffi.vocx_log_cb(_cb)
        ptr = self._acquire()
        try:
            lib.vocx_store_set_log(ptr, cb, None)
            self._log = cb if fn is not None else None
        finally:
            self._release()

    @property
    def schema_version(self):
        ptr = self._acquire()
        try:
            return lib.vocx_store_schema_version(ptr)
        finally:
            self._release()

    @contextlib.contextmanager
    def snapshot(self):
        """Read one snapshot: inside the with block every read through this
        store sees the database as it was at its start, whatever other
        connections commit meanwhile.  Writing through this store inside
        it raises InvalidArgument.

            with store.snapshot():
                totals = store.totals()
                ranking = store.rank(record=False)
        """
        self._call(lib.vocx_store_snapshot_begin)
        try:
            yield self
        finally:
            self._call(lib.vocx_store_snapshot_end)

    # -- comments in -----------------------------------------------------

    def put_comment(self, text_, *, source_id=None, customer_id=None,
                    created_at=None, channel=None, redact=None):
        """Insert or update one comment in its own transaction.  Returns
        "inserted", "updated" or "unchanged".  `redact` (see ingest)
        replaces personal data in the text with vocx.redact() before it is
        hashed or stored."""
        if isinstance(text_, str):
            data = text_.encode("utf-8", "surrogatepass")
        elif isinstance(text_, (bytes, bytearray)):
            data = bytes(text_)
        else:
            raise TypeError("text must be a str")
        kinds = _ffi.redact_kinds(redact)
        if kinds and data:
            data = _redact_bytes(data, kinds)[0]
        c = _ffi.vocx_comment(cstr(source_id, "source_id"),
                              cstr(customer_id, "customer_id"),
                              cstr(created_at, "created_at"),
                              cstr(channel, "channel"), data, len(data))
        if not data:
            # text_len 0 means strlen to the library; say it plainly.
            raise InvalidArgument("empty comment text", _ffi.EINVAL)
        what = c_int(0)
        self._call(lib.vocx_store_put_comment, byref(c), byref(what))
        return _PUT.get(what.value, str(what.value))

    def ingest(self, source, *, format=None, text_col=None, id_col=None,
               customer_col=None, time_col=None, channel_col=None,
               channel=None, strict=False, on_reject=None, on_progress=None,
               batch_rows=0, max_record_bytes=0, name=None, redact=None):
        """Stream comments into the store and return an IngestStats.

        `redact` replaces personal data in every comment's text before it
        is hashed or stored, so it never reaches the database: True (or
        "all") for e-mail addresses, phone numbers, card numbers and IBANs,
        or a selection such as "email,phone", ["card", "iban"] or an int of
        REDACT_* bits (see vocx.redact and docs/privacy.md).

        `source` is a path (CSV or JSON Lines; "-" for standard input), a
        binary or text file object, or an iterable of dicts (streamed as
        JSON Lines, one line per dict, never held in memory at once).
        on_reject(Reject) is called for every rejected row; return a true
        value to stop (Cancelled).  on_progress(rows, bytes_done,
        bytes_total) after each committed batch.  An exception raised by a
        callback or by the iterable stops the ingest and is re-raised here
        (batches committed before stay committed)."""
        cbs = _Callbacks()
        opts = _ffi.vocx_ingest_options()
        opts.version = _ffi.INGEST_OPTIONS_VERSION
        opts.format = format_code(format)
        opts.id_col = cstr(id_col, "id_col")
        opts.customer_col = cstr(customer_col, "customer_col")
        opts.time_col = cstr(time_col, "time_col")
        opts.channel_col = cstr(channel_col, "channel_col")
        opts.text_col = cstr(text_col, "text_col")
        opts.channel = cstr(channel, "channel")
        opts.strict = 1 if strict else 0
        opts.batch_rows = batch_rows
        opts.max_record_bytes = max_record_bytes
        opts.on_reject = cbs.on_reject(on_reject)
        opts.on_progress = cbs.on_progress(on_progress)
        opts.redact = _ffi.redact_kinds(redact)
        st = _ffi.vocx_ingest_stats()

        if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
            reader, src_name = None, cpath(source)
        elif isinstance(source, Mapping):
            raise TypeError("ingest() takes an iterable of dicts, not a "
                            "single dict")
        elif hasattr(source, "read"):
            reader = cbs.reader(_file_chunks(source))
            src_name = cstr(name or getattr(source, "name", None)
                            or "<stream>", "name")
        else:
            try:
                rows = iter(source)
            except TypeError:
                raise TypeError("ingest() takes a path, a file object or an "
                                "iterable of dicts") from None
            reader = cbs.reader(_jsonl_chunks(rows))
            src_name = cstr(name or "<iterable>", "name")
            if opts.format == _ffi.FORMAT_CSV:
                raise InvalidArgument("an iterable of dicts is read as JSON "
                                      "Lines; format='csv' does not apply",
                                      _ffi.EINVAL)
            opts.format = _ffi.FORMAT_JSONL

        ptr = self._acquire()
        try:
            if reader is None:
                rc = lib.vocx_ingest_file(ptr, src_name, byref(opts),
                                          byref(st))
            else:
                rc = lib.vocx_ingest_read(ptr, reader, None, src_name,
                                          byref(opts), byref(st))
            msg = _ffi.store_message(ptr, rc) if rc else None
        finally:
            self._release()
        stats = _stats(st)
        if cbs.error is not None:
            try:
                cbs.error.stats = stats
            except AttributeError:
                pass
            cbs.reraise()
        if rc:
            _ffi.raise_code(rc, msg, stats=stats)
        return stats

    # -- operational records ---------------------------------------------

    def _import(self, fn, path, format, strict, on_reject, on_progress,
                batch_rows, max_record_bytes, cols):
        cbs = _Callbacks()
        opts = _ffi.vocx_import_options()
        opts.version = _ffi.IMPORT_OPTIONS_VERSION
        opts.format = format_code(format)
        for k, v in cols.items():
            setattr(opts, k, cstr(v, k))
        opts.strict = 1 if strict else 0
        opts.batch_rows = batch_rows
        opts.max_record_bytes = max_record_bytes
        opts.on_reject = cbs.on_reject(on_reject)
        opts.on_progress = cbs.on_progress(on_progress)
        st = _ffi.vocx_ingest_stats()
        ptr = self._acquire()
        try:
            rc = fn(ptr, cpath(path), byref(opts), byref(st))
            msg = _ffi.store_message(ptr, rc) if rc else None
        finally:
            self._release()
        stats = _stats(st)
        cbs.reraise()
        if rc:
            _ffi.raise_code(rc, msg, stats=stats)
        return stats

    def import_customers(self, path, *, format=None, customer_col=None,
                         segment_col=None, clv_col=None, churn_col=None,
                         margin_col=None, strict=False, on_reject=None,
                         on_progress=None, batch_rows=0,
                         max_record_bytes=0):
        """Import customers (customer_id [, segment, clv,
        churn_probability, margin]) from a CSV / JSON Lines file."""
        cols = dict(customer_col=customer_col, segment_col=segment_col,
                    clv_col=clv_col, churn_col=churn_col,
                    margin_col=margin_col)
        return self._import(lib.vocx_import_customers, path, format, strict,
                            on_reject, on_progress, batch_rows,
                            max_record_bytes, cols)

    def import_transactions(self, path, *, format=None, customer_col=None,
                            id_col=None, date_col=None, amount_col=None,
                            strict=False, on_reject=None, on_progress=None,
                            batch_rows=0, max_record_bytes=0):
        """Import transactions (customer_id, date, amount [, id])."""
        cols = dict(customer_col=customer_col, id_col=id_col,
                    date_col=date_col, amount_col=amount_col)
        return self._import(lib.vocx_import_transactions, path, format,
                            strict, on_reject, on_progress, batch_rows,
                            max_record_bytes, cols)

    def attach_crm(self, crm_path, customers_sql=None, transactions_sql=None):
        """Read customers and transactions in place from a CRM database
        (opened read-only) through one SELECT each."""
        self._call(lib.vocx_store_attach_crm, cpath(crm_path),
                   cstr(customers_sql, "customers_sql"),
                   cstr(transactions_sql, "transactions_sql"))

    def detach_crm(self):
        self._call(lib.vocx_store_detach_crm)

    # -- comments out ----------------------------------------------------

    def totals(self):
        t = _ffi.vocx_store_totals()
        self._call(lib.vocx_store_totals_get, byref(t))
        return StoreTotals(t.comments, t.customers, t.anonymous, t.batches,
                           text(t.first_at) or None, text(t.last_at) or None)

    def count_comments(self, group="channel"):
        """[(key, count)] grouped by "channel", "month" or "day", in key
        order; key None for comments without the value."""
        try:
            g = _GROUPS[group] if isinstance(group, str) else int(group)
        except KeyError:
            raise InvalidArgument(f"unknown group {group!r}: use 'channel', "
                                  "'month' or 'day'", _ffi.EINVAL) from None
        out = []

        def cb(key, count, _payload):
            out.append((text(key), count))
            return 0

        cfunc = _ffi.vocx_count_cb(cb)
        self._call(lib.vocx_store_count_comments, g, cfunc, None)
        return out

    def comments(self, since=None, until=None, channel=None,
                 customer_id=None, limit=0):
        """An iterator of dicts over the stored comments in (created_at,
        id) order.  It holds a read transaction until exhausted or closed
        (use it in a with-block, or close() it, when you stop early)."""
        f = _ffi.vocx_comment_filter(
            _ffi.COMMENT_FILTER_VERSION, cstr(since, "since"),
            cstr(until, "until"), cstr(channel, "channel"),
            cstr(customer_id, "customer_id"), int(limit or 0))
        cur = POINTER(_ffi.vocx_cursor)()
        ptr = self._acquire()
        try:
            rc = lib.vocx_comments_open(byref(cur), ptr, byref(f))
            check_store(rc, ptr)
            c = Cursor(self, cur)
            self._cursors.add(c)
            return c
        finally:
            self._release()

    # -- analysis --------------------------------------------------------

    def classify(self, rules, all=False, threads=1, on_progress=None,
                 batch_comments=0):
        """Classify the stored comments `rules` has not seen (all of them
        with all=True) and store the results.  Returns ClassifyStats."""
        if not isinstance(rules, Rules):
            raise TypeError("classify() needs a vocx.Rules")
        cbs = _Callbacks()
        opts = _ffi.vocx_classify_options(
            _ffi.CLASSIFY_OPTIONS_VERSION, 1 if all else 0, int(threads),
            batch_comments, cbs.on_progress(on_progress), None)
        st = _ffi.vocx_classify_stats()
        rptr = rules._enter()
        try:
            ptr = self._acquire()
            try:
                rc = lib.vocx_store_classify(ptr, rptr, byref(opts),
                                             byref(st))
                msg = _ffi.store_message(ptr, rc) if rc else None
            finally:
                self._release()
        finally:
            rules._leave()
        cbs.reraise()
        if rc:
            _ffi.raise_code(rc, msg)
        return ClassifyStats(st.classified, st.skipped, st.with_issues,
                             st.hits, st.churn, st.warnings, st.ruleset_id,
                             text(st.ruleset_hash))

    def fit_clv(self, model="auto", calibration_end=None, horizon_months=12,
                annual_discount=0.10, margin=1.0, retention=0.8,
                max_iterations=200):
        """Compute every known customer's CLV and store it as a new model.
        Returns a ClvReport.  ModelError (with .report) when the model
        cannot be fitted."""
        try:
            m = _CLV_MODELS[model] if isinstance(model, str) else int(model)
        except KeyError:
            raise InvalidArgument(f"unknown CLV model {model!r}: use "
                                  + ", ".join(map(repr, _CLV_MODELS)),
                                  _ffi.EINVAL) from None
        opts = _ffi.vocx_clv_options(
            _ffi.CLV_OPTIONS_VERSION, m,
            cstr(calibration_end, "calibration_end"), float(horizon_months),
            float(annual_discount), float(margin), float(retention),
            int(max_iterations))
        r = _ffi.vocx_clv_report()
        ptr = self._acquire()
        try:
            rc = lib.vocx_clv_fit(ptr, byref(opts), byref(r))
            msg = _ffi.store_message(ptr, rc) if rc else None
        finally:
            self._release()
        report = ClvReport(
            r.model_id, _CLV_NAMES.get(r.model, str(r.model)),
            text(r.calibration_end) or None, r.customers, r.from_bgnbd,
            r.from_column, r.from_simple, r.no_value, r.total_clv,
            bool(r.fitted), r.fit_customers, r.r, r.alpha, r.a, r.b,
            r.log_likelihood, r.iterations, bool(r.converged),
            r.spend_customers, r.spend_excluded, r.p, r.q, r.gamma,
            r.spend_log_likelihood, r.spend_iterations,
            bool(r.spend_converged), r.transactions, r.after_end,
            text(r.message))
        if rc:
            _ffi.raise_code(rc, msg or report.message or None, report=report)
        return report

    def customer_value(self, customer_id, clv_model_id=0):
        """A customer's CLV (latest model, or clv_model_id) and CRM data."""
        v = _ffi.vocx_customer_value()
        self._call(lib.vocx_store_customer_value,
                   cstr(customer_id, "customer_id"), int(clv_model_id),
                   byref(v))
        return CustomerValue(
            str(customer_id), bool(v.known), v.clv, text(v.source) or None,
            v.churn_probability if v.has_churn_probability else None,
            text(v.segment) or None, v.clv_model_id)

    @staticmethod
    def _rank_options(since=None, until=None, channel=None, segment=None,
                      block=None, kind=None, ruleset=None, clv_model_id=0,
                      record=False, churn_uplift=0.5, positive_damping=0.5):
        try:
            k = _KINDS[kind] if kind is None or isinstance(kind, str) \
                else int(kind)
        except KeyError:
            raise InvalidArgument(f"unknown issue kind {kind!r}: use "
                                  "'problem', 'opportunity' or 'praise'",
                                  _ffi.EINVAL) from None
        if isinstance(ruleset, Rules):
            ruleset = ruleset.hash
        return _ffi.vocx_rank_options(
            _ffi.RANK_OPTIONS_VERSION, cstr(ruleset, "ruleset"),
            int(clv_model_id or 0), cstr(since, "since"),
            cstr(until, "until"), cstr(channel, "channel"),
            cstr(segment, "segment"), cstr(block, "block"), k,
            float(churn_uplift), float(positive_damping),
            1 if record else 0)

    def rank(self, since=None, until=None, channel=None, segment=None,
             block=None, kind=None, ruleset=None, clv_model_id=0,
             record=True, churn_uplift=0.5, positive_damping=0.5):
        """Rank issues by attributed CLV at risk.  Returns a Ranking: a
        list of dicts (block, issue, label, kind, owner, severity, comments,
        customers, unmatched, clv_total, clv_at_risk,
        clv_at_risk_attributed) in the library's order, with .totals (a
        dict) and .unmatched_customers.  `ruleset` is a rule-set hash (or
        prefix, or a Rules); default the most recently classified."""
        opts = self._rank_options(since, until, channel, segment, block,
                                  kind, ruleset, clv_model_id, record,
                                  churn_uplift, positive_damping)
        rk = POINTER(_ffi.vocx_ranking)()
        ptr = self._acquire()
        try:
            rc = lib.vocx_rank(byref(rk), ptr, byref(opts))
            check_store(rc, ptr)
        finally:
            self._release()
        try:
            rows = []
            for i in range(lib.vocx_ranking_count(rk)):
                p = lib.vocx_ranking_row(rk, i)
                if not p:
                    break
                r = p.contents
                rows.append({
                    "rank": i + 1, "block": text(r.block),
                    "issue": text(r.issue), "label": text(r.label),
                    "kind": text(r.kind), "owner": text(r.owner),
                    "severity": r.severity, "comments": r.comments,
                    "customers": r.customers, "unmatched": r.unmatched,
                    "clv_total": r.clv_total, "clv_at_risk": r.clv_at_risk,
                    "clv_at_risk_attributed": r.clv_at_risk_attributed})
            t = _ffi.vocx_ranking_totals()
            lib.vocx_ranking_totals_get(rk, byref(t))
            totals = {
                "comments": t.comments, "classified": t.classified,
                "customers": t.customers,
                "unmatched_comments": t.unmatched_comments,
                "unmatched_customers": t.unmatched_customers,
                "anonymous_comments": t.anonymous_comments,
                "clv_total": t.clv_total,
                "clv_at_risk_attributed": t.clv_at_risk_attributed,
                "run_id": t.run_id, "clv_model_id": t.clv_model_id,
                "ruleset": text(t.ruleset)}
            unmatched = []
            for i in range(t.unmatched_customers):
                u = lib.vocx_ranking_unmatched(rk, i)
                if u is None:
                    break
                unmatched.append(text(u))
        finally:
            lib.vocx_ranking_free(rk)
        return Ranking(rows, totals, unmatched)

    def rank_totals(self, **filters):
        """The totals of a ranking under the same filters (not recorded)."""
        filters.setdefault("record", False)
        return self.rank(**filters).totals

    def rank_frame(self, **filters):
        """rank() as a pandas DataFrame (needs pandas)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("Store.rank_frame() needs pandas, which is not "
                              "installed; use Store.rank(), which returns a "
                              "list of dicts") from None
        ranking = self.rank(**filters)
        cols = ["rank", "block", "issue", "label", "kind", "owner",
                "severity", "comments", "customers", "unmatched",
                "clv_total", "clv_at_risk", "clv_at_risk_attributed"]
        df = pandas.DataFrame(list(ranking), columns=cols)
        df.attrs["totals"] = ranking.totals
        return df

    def explain(self, issue_id, limit=None, **filters):
        """The comments and customers behind one issue's figures, customers
        by attributed value descending: a list of dicts with the CLV, the
        risk, the comment and its matched spans (byte offsets `spans`, str
        indices `char_spans`, and the matched substrings `evidence`)."""
        filters.setdefault("record", False)
        opts = self._rank_options(**filters)
        out = []
        errors = []

        def cb(evp, _payload):
            try:
                e = evp.contents
                body = text(e.text)
                t = _Text(body, body.encode("utf-8", "surrogatepass")) \
                    if body is not None else None
                spans, chars, evidence = _span_list(text(e.spans), t)
                out.append({
                    "issue": text(e.issue),
                    "customer_id": text(e.customer_id),
                    "known": bool(e.known), "clv": e.clv,
                    "clv_source": text(e.clv_source), "risk": e.risk,
                    "risk_source": text(e.risk_source),
                    "churn_cues": e.churn_cues,
                    "positive_cues": e.positive_cues,
                    "clv_at_risk_attributed": e.clv_at_risk_attributed,
                    "comment_id": text(e.comment_id),
                    "created_at": text(e.created_at),
                    "channel": text(e.channel), "text": body,
                    "rule_line": e.rule_line, "spans": spans,
                    "char_spans": chars, "evidence": evidence})
                return 1 if limit is not None and len(out) >= limit else 0
            except BaseException as exc:  # noqa: B902
                errors.append(exc)
                return 1

        if limit is not None and limit <= 0:
            return out
        cfunc = _ffi.vocx_evidence_cb(cb)
        ptr = self._acquire()
        try:
            rc = lib.vocx_rank_explain(ptr, byref(opts),
                                       cstr(issue_id, "issue_id"), cfunc,
                                       None)
            if errors:
                raise errors[0]
            if rc == _ffi.ECANCEL and limit is not None and len(out) >= limit:
                rc = 0  # we stopped it ourselves
            check_store(rc, ptr)
        finally:
            self._release()
        return out

    # -- reports ---------------------------------------------------------

    def _report_options(self, top, comments_per_issue, weeks, title,
                        currency, generated_at, filters):
        ro = self._rank_options(**filters)
        opts = _ffi.vocx_report_options(
            _ffi.REPORT_OPTIONS_VERSION, ctypes.pointer(ro), int(top),
            int(comments_per_issue), int(weeks), cstr(title, "title"),
            cstr(currency, "currency"), cstr(generated_at, "generated_at"))
        return opts, ro

    def _write_report(self, dest, run):
        cbs = _Callbacks()
        sink = _Sink(dest, cbs)
        ok = False
        try:
            ptr = self._acquire()
            try:
                rc = run(ptr, sink.cfunc)
                msg = _ffi.store_message(ptr, rc) if rc else None
            finally:
                self._release()
            cbs.reraise()
            if rc:
                _ffi.raise_code(rc, msg)
            ok = True
        finally:
            out = sink.finish(ok)
        return out

    def report_html(self, dest=None, *, top=0, comments_per_issue=0, weeks=0,
                    title=None, currency=None, generated_at=None, **filters):
        """The ranked issue report as one self-contained HTML document,
        written to `dest` (a path or a file object), or returned as a str
        when dest is None.  `filters` are those of rank()."""
        filters.setdefault("record", False)
        opts, _ro = self._report_options(top, comments_per_issue, weeks,
                                         title, currency, generated_at,
                                         filters)
        return self._write_report(dest, lambda p, cb: lib.vocx_report_html(
            p, byref(opts), cb, None))

    def report_digest(self, team, format="markdown", dest=None, *, top=0,
                      comments_per_issue=0, weeks=0, title=None,
                      currency=None, generated_at=None, **filters):
        """The digest of one owner team ("markdown" or "html"), written to
        `dest` or returned as a str.  NotFound (listing the teams) when no
        issue is owned by `team`."""
        fmt = _report_format(format, ("markdown", "html"))
        filters.setdefault("record", False)
        opts, _ro = self._report_options(top, comments_per_issue, weeks,
                                         title, currency, generated_at,
                                         filters)
        team_b = cstr(team, "team")
        return self._write_report(dest, lambda p, cb: lib.vocx_report_digest(
            p, byref(opts), team_b, fmt, cb, None))

    def at_risk(self, issue_id=None, **filters):
        """The customers to contact: one dict per customer and issue
        (customers with a CLV only), by CLV at risk.  The result is a list
        with `.stats` (rows, customers, issues and what was left out)."""
        filters.setdefault("record", False)
        opts = self._rank_options(**filters)
        out, errors = [], []

        def cb(rp, _payload):
            try:
                r = rp.contents
                body = text(r.text)
                t = _Text(body, body.encode("utf-8", "surrogatepass")) \
                    if body is not None else None
                spans, chars, evidence = _span_list(text(r.spans), t)
                out.append({
                    "customer_id": text(r.customer_id),
                    "issue": text(r.issue), "label": text(r.label),
                    "block": text(r.block), "kind": text(r.kind),
                    "owner": text(r.owner), "clv": r.clv,
                    "clv_source": text(r.clv_source), "risk": r.risk,
                    "risk_source": text(r.risk_source),
                    "clv_at_risk": r.clv_at_risk,
                    "clv_at_risk_attributed": r.clv_at_risk_attributed,
                    "comments": r.comments,
                    "comment_id": text(r.comment_id),
                    "created_at": text(r.created_at),
                    "channel": text(r.channel), "text": body,
                    "spans": spans, "char_spans": chars,
                    "evidence": evidence, "churn_cue": bool(r.churn_cue)})
                return 0
            except BaseException as e:  # noqa: B902
                errors.append(e)
                return 1

        cfunc = _ffi.vocx_at_risk_cb(cb)
        st = _ffi.vocx_at_risk_stats()
        ptr = self._acquire()
        try:
            rc = lib.vocx_export_at_risk(ptr, byref(opts),
                                         cstr(issue_id, "issue_id"), cfunc,
                                         None, byref(st))
            if errors:
                raise errors[0]
            check_store(rc, ptr)
        finally:
            self._release()
        return AtRisk(out, _at_risk_stats(st))

    def export_at_risk(self, dest=None, format="csv", issue_id=None,
                       **filters):
        """at_risk() written as "csv" or "json" to `dest` (a path or a file
        object), or returned as a str when dest is None."""
        fmt = _report_format(format, ("csv", "json"))
        filters.setdefault("record", False)
        opts = self._rank_options(**filters)
        issue_b = cstr(issue_id, "issue_id")
        st = _ffi.vocx_at_risk_stats()
        return self._write_report(
            dest, lambda p, cb: lib.vocx_export_at_risk_write(
                p, byref(opts), issue_b, fmt, cb, None, byref(st)))


def _report_format(fmt, allowed):
    code = _REPORT_FORMATS.get(fmt.lower() if isinstance(fmt, str) else fmt)
    if code is None or not any(_REPORT_FORMATS[a] == code for a in allowed):
        raise InvalidArgument(f"unknown format {fmt!r}: use "
                              + " or ".join(map(repr, allowed)), _ffi.EINVAL)
    return code


def _at_risk_stats(st):
    return {"rows": st.rows, "customers": st.customers, "issues": st.issues,
            "left_out_comments": st.left_out_comments,
            "left_out_customers": st.left_out_customers,
            "anonymous_comments": st.anonymous_comments}


class AtRisk(list):
    """The result of Store.at_risk(): a list of dicts with `.stats`."""

    def __init__(self, rows, stats):
        super().__init__(rows)
        self.stats = stats


class Cursor:
    """An iterator of comment dicts over a vocx_cursor.  The C cursor is
    freed when the iteration ends, on close(), when the store is closed,
    or when the Cursor is garbage-collected."""

    def __init__(self, store, ptr):
        self._store = store
        self._ptr = ptr
        self._free = lib.vocx_cursor_free
        self._next = lib.vocx_cursor_next

    def __iter__(self):
        return self

    def __next__(self):
        if self._ptr is None:
            if self._store is not None and self._store._ptr is None:
                raise ClosedError("the Store of this cursor is closed")
            raise StopIteration
        store = self._store
        sp = store._acquire()
        try:
            if self._ptr is None:
                raise StopIteration
            row = POINTER(_ffi.vocx_comment_row)()
            rc = self._next(self._ptr, byref(row))
            if rc == 1:
                r = row.contents
                return {
                    "comment_id": r.comment_id,
                    "source_id": text(r.source_id),
                    "customer_id": text(r.customer_id),
                    "created_at": text(r.created_at),
                    "channel": text(r.channel),
                    "text": string_at(r.text, r.text_len).decode(
                        "utf-8", "replace") if r.text else "",
                    "batch_id": r.batch_id or None,
                }
            ptr, self._ptr = self._ptr, None
            self._free(ptr)
            if rc == 0:
                raise StopIteration
            check_store(rc, sp)
            raise StopIteration  # not reached
        finally:
            store._release()

    def _detach(self):
        """Free the handle now; the store holds its lock."""
        ptr, self._ptr = self._ptr, None
        if ptr:
            self._free(ptr)

    def _dispose(self, _get_ident=threading.get_ident):
        # (get_ident is bound at definition time: __del__ may run at
        # interpreter shutdown, when module globals can be None.)
        ptr, self._ptr = self._ptr, None
        if not ptr:
            return
        store = self._store
        if store._owner == _get_ident():
            # A store call is running on this thread (this is a callback of
            # it, or a collection inside one): the store frees the handle
            # when that call ends.
            store._pending.append(ptr)
            return
        with store._lock:
            self._free(ptr)

    def close(self):
        """Free the cursor (ending its read transaction).  Safe to call
        twice, and after the store was closed."""
        self._dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self._dispose()
        except Exception:
            pass
