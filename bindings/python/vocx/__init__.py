"""vocx: voice-of-customer analytics over libvocx.

Ingest customer comments into SQLite, classify them by CX building block
and issue with readable rules, fit customer lifetime value, and rank issues
by the CLV at risk::

    import vocx

    with vocx.Store("shop.db") as store, \\
            vocx.Rules.from_file("rules/default.rules") as rules:
        store.ingest("comments.csv")
        store.import_transactions("transactions.csv")
        store.fit_clv()
        store.classify(rules)
        for row in store.rank()[:10]:
            print(row["issue"], round(row["clv_at_risk_attributed"], 2))

The shared library is found through the VOCX_LIBRARY environment variable
(a path), then a libvocx.so next to this package, then the system's
library path.
"""

from . import _ffi
from .errors import (
    Busy,
    Cancelled,
    ClosedError,
    DatabaseError,
    Diagnostic,
    Error,
    FileError,
    InvalidArgument,
    LimitError,
    MissingColumn,
    ModelError,
    NoMemory,
    NotFound,
    ParseError,
    ReadOnly,
    Rejected,
    RulesError,
    SchemaError,
)
from .rules import (
    Block,
    Classification,
    Cue,
    Evaluation,
    Issue,
    Match,
    RuleWarning,
    Rules,
    Veto,
)
from . import store
from .store import (
    AtRisk,
    ClassifyStats,
    ClvReport,
    Cursor,
    CustomerValue,
    IngestStats,
    Ranking,
    Reject,
    Store,
    StoreTotals,
)

#: The version of this Python package.
__version__ = "0.1.0"



def version():
    """The version of the loaded libvocx, "MAJOR.MINOR.PATCH"."""
    return _ffi.text(_ffi.lib.vocx_version())


def version_number():
    """The loaded library's version as major * 10000 + minor * 100 +
    patch."""
    return _ffi.lib.vocx_version_number()


def library_path():
    """The path (or name) the shared library was loaded from."""
    return _ffi.lib.path


def strerror(code):
    """The library's static English text for a status code."""
    return _ffi.strerror(code)


def comment_risk(base, churn_cues=0, positive_cues=0, churn_uplift=0.5,
                 positive_damping=0.5):
    """The risk model of docs/ranking.md for one comment: `base` is the
    CRM's churn probability (else the issue's severity), moved by the cues.
    Always in [0, 1]."""
    opts = Store._rank_options(churn_uplift=churn_uplift,
                               positive_damping=positive_damping)
    return _ffi.lib.vocx_comment_risk(float(base), int(churn_cues),
                                      int(positive_cues),
                                      _ffi.ctypes.byref(opts))


#: Redaction kinds as bit flags (vocx.h VOCX_REDACT_*).
REDACT_EMAIL = _ffi.REDACT_EMAIL
REDACT_PHONE = _ffi.REDACT_PHONE
REDACT_CARD = _ffi.REDACT_CARD
REDACT_IBAN = _ffi.REDACT_IBAN
REDACT_ALL = _ffi.REDACT_ALL


def redact(text, kinds="all", *, with_count=False):
    """Replace personal data in `text` by typed placeholders: e-mail
    addresses by [EMAIL], phone numbers by [PHONE], Luhn-valid card
    numbers by [CARD], IBANs with a valid checksum by [IBAN] -- what
    Store.ingest(redact=...) stores.  Dates, times, prices, order and
    tracking numbers are left alone (docs/privacy.md has the rules).

    `kinds`: "all" (the default) or True, a comma list such as
    "email,phone", an iterable of those names, or an int of REDACT_* bits.
    `text` is a str (a str is returned) or bytes (bytes are returned, and
    bytes that are not UTF-8 are kept as they are).  With with_count=True
    the result is a (text, number of spans replaced) tuple."""
    bits = _ffi.redact_kinds(kinds)
    if isinstance(text, str):
        data = text.encode("utf-8", "surrogatepass")
    elif isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
    else:
        raise TypeError(f"text must be a str or bytes, not "
                        f"{type(text).__name__}")
    out, count = store._redact_bytes(data, bits)
    if isinstance(text, str):
        out = out.decode("utf-8", "surrogatepass")
    return (out, count) if with_count else out


__all__ = [
    "Store", "Cursor", "Rules", "AtRisk", "Issue", "Block", "Match", "Cue", "Veto",
    "RuleWarning", "Classification", "Evaluation", "IngestStats",
    "StoreTotals", "ClassifyStats", "ClvReport", "CustomerValue", "Ranking",
    "Reject", "Diagnostic", "Error", "InvalidArgument", "NoMemory",
    "FileError", "DatabaseError", "ParseError", "MissingColumn", "Rejected",
    "SchemaError", "Busy", "ModelError", "RulesError", "LimitError",
    "Cancelled", "NotFound", "ReadOnly", "ClosedError", "version",
    "version_number", "library_path", "strerror", "comment_risk",
    "redact", "REDACT_EMAIL", "REDACT_PHONE", "REDACT_CARD", "REDACT_IBAN",
    "REDACT_ALL", "__version__",
]
