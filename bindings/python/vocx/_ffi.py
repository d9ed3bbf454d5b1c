"""The C ABI of libvocx, declared once.

Everything that touches ctypes directly lives here: finding and loading the
shared library, the mirrors of the public structs of ``vocx.h`` (field for
field, in order), the callback types, and ``DECLARATIONS``, the single table
giving ``restype`` and ``argtypes`` for every function the binding calls.
The tests compare this table with the symbols the library exports and the
struct layouts with what a C compiler makes of the header, so the binding
cannot drift from the library unnoticed.
"""

import ctypes
import ctypes.util
import glob
import os

from .errors import InvalidArgument, error_class

from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char,
    c_char_p,
    c_double,
    c_int,
    c_int64,
    c_size_t,
    c_ssize_t,
    c_uint,
    c_uint32,
    c_uint64,
    c_void_p,
)

# ---------------------------------------------------------------------------
# Constants (vocx.h).  Values are part of the ABI and never renumbered.
# ---------------------------------------------------------------------------

OK = 0
EINVAL = -1
ENOMEM = -2
EIO = -3
EDB = -4
EPARSE = -5
ECOLUMN = -6
EREJECT = -7
ESCHEMA = -8
EBUSY = -9
EMODEL = -10
ERULES = -11
ELIMIT = -12
ECANCEL = -13
ENOTFOUND = -14
EREADONLY = -15

LOG_DEBUG, LOG_INFO, LOG_WARN = 0, 1, 2

OPEN_READWRITE = 0x0
OPEN_CREATE = 0x1
OPEN_READONLY = 0x2

PUT_INSERTED, PUT_UPDATED, PUT_UNCHANGED = 1, 2, 3

FORMAT_AUTO, FORMAT_CSV, FORMAT_JSONL = 0, 1, 2

REJECT_REASONS = {
    1: "syntax",
    2: "utf8",
    3: "empty",
    4: "time",
    5: "missing",
    6: "toolong",
    7: "value",
}

GROUP_CHANNEL, GROUP_MONTH, GROUP_DAY = 1, 2, 3

REDACT_EMAIL = 0x1
REDACT_PHONE = 0x2
REDACT_CARD = 0x4
REDACT_IBAN = 0x8
REDACT_ALL = 0xF
REDACT_KINDS = {"email": REDACT_EMAIL, "phone": REDACT_PHONE,
                "card": REDACT_CARD, "iban": REDACT_IBAN, "all": REDACT_ALL}

DIAG_ERROR, DIAG_WARNING = 1, 2

KIND_PROBLEM, KIND_OPPORTUNITY, KIND_PRAISE = 1, 2, 3

CUE_CHURN, CUE_POSITIVE = 1, 2

VETO_NEGATED, VETO_UNLESS, VETO_THRESHOLD, VETO_NOT_NEGATED = 1, 2, 3, 4

CLASSIFY_EXPLAIN = 0x1

CLV_AUTO, CLV_BGNBD, CLV_COLUMN, CLV_SIMPLE = 0, 1, 2, 3

INGEST_OPTIONS_VERSION = 2
COMMENT_FILTER_VERSION = 1
IMPORT_OPTIONS_VERSION = 1
EVAL_OPTIONS_VERSION = 1
CLASSIFY_OPTIONS_VERSION = 1
CLV_OPTIONS_VERSION = 1
RANK_OPTIONS_VERSION = 1
REPORT_OPTIONS_VERSION = 1

REPORT_MARKDOWN, REPORT_HTML, REPORT_CSV, REPORT_JSON = 1, 2, 3, 4

# ---------------------------------------------------------------------------
# Opaque handles: distinct types, so passing one where another is expected
# is a ctypes.ArgumentError instead of a crash.
# ---------------------------------------------------------------------------


class vocx_store(Structure):
    pass


class vocx_cursor(Structure):
    pass


class vocx_diagnostics(Structure):
    pass


class vocx_rules(Structure):
    pass


class vocx_scratch(Structure):
    pass


class vocx_eval(Structure):
    pass


class vocx_ranking(Structure):
    pass


# ---------------------------------------------------------------------------
# Callback types
# ---------------------------------------------------------------------------

vocx_log_cb = CFUNCTYPE(None, c_int, c_char_p, c_void_p)


class vocx_reject(Structure):
    _fields_ = [
        ("source", c_char_p),
        ("line", c_uint64),
        ("column", c_uint64),
        ("reason", c_int),
        ("message", c_char_p),
    ]


vocx_reject_cb = CFUNCTYPE(c_int, POINTER(vocx_reject), c_void_p)
vocx_progress_cb = CFUNCTYPE(c_int, c_uint64, c_uint64, c_uint64, c_void_p)
# The buffer is taken as an address (c_void_p), not c_char_p, so ctypes does
# not turn it into a bytes copy: the callback writes into it with memmove.
vocx_read_cb = CFUNCTYPE(c_ssize_t, c_void_p, c_void_p, c_size_t)
vocx_count_cb = CFUNCTYPE(c_int, c_char_p, c_uint64, c_void_p)

# ---------------------------------------------------------------------------
# Structs, in header order
# ---------------------------------------------------------------------------


class vocx_comment(Structure):
    _fields_ = [
        ("source_id", c_char_p),
        ("customer_id", c_char_p),
        ("created_at", c_char_p),
        ("channel", c_char_p),
        ("text", c_char_p),
        ("text_len", c_size_t),
    ]


class vocx_ingest_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("format", c_int),
        ("id_col", c_char_p),
        ("customer_col", c_char_p),
        ("time_col", c_char_p),
        ("channel_col", c_char_p),
        ("text_col", c_char_p),
        ("channel", c_char_p),
        ("strict", c_int),
        ("batch_rows", c_size_t),
        ("max_record_bytes", c_size_t),
        ("on_reject", vocx_reject_cb),
        ("reject_payload", c_void_p),
        ("on_progress", vocx_progress_cb),
        ("progress_payload", c_void_p),
        ("redact", c_uint),
    ]


class vocx_ingest_stats(Structure):
    _fields_ = [
        ("rows", c_uint64),
        ("inserted", c_uint64),
        ("updated", c_uint64),
        ("unchanged", c_uint64),
        ("rejected", c_uint64),
        ("batches", c_uint64),
        ("batch_id", c_int64),
    ]


class vocx_store_totals(Structure):
    _fields_ = [
        ("comments", c_uint64),
        ("customers", c_uint64),
        ("anonymous", c_uint64),
        ("batches", c_uint64),
        ("first_at", c_char * 21),
        ("last_at", c_char * 21),
    ]


class vocx_comment_row(Structure):
    _fields_ = [
        ("comment_id", c_int64),
        ("source_id", c_char_p),
        ("customer_id", c_char_p),
        ("created_at", c_char_p),
        ("channel", c_char_p),
        # An address, read with string_at(text, text_len): exact bytes.
        ("text", c_void_p),
        ("text_len", c_size_t),
        ("batch_id", c_int64),
    ]


class vocx_comment_filter(Structure):
    _fields_ = [
        ("version", c_uint),
        ("since", c_char_p),
        ("until", c_char_p),
        ("channel", c_char_p),
        ("customer_id", c_char_p),
        ("limit", c_int64),
    ]


class vocx_import_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("format", c_int),
        ("customer_col", c_char_p),
        ("segment_col", c_char_p),
        ("clv_col", c_char_p),
        ("churn_col", c_char_p),
        ("margin_col", c_char_p),
        ("id_col", c_char_p),
        ("date_col", c_char_p),
        ("amount_col", c_char_p),
        ("strict", c_int),
        ("batch_rows", c_size_t),
        ("max_record_bytes", c_size_t),
        ("on_reject", vocx_reject_cb),
        ("reject_payload", c_void_p),
        ("on_progress", vocx_progress_cb),
        ("progress_payload", c_void_p),
    ]


class vocx_diagnostic(Structure):
    _fields_ = [
        ("severity", c_int),
        ("file", c_char_p),
        ("line", c_uint32),
        ("column", c_uint32),
        ("reason", c_char_p),
        ("message", c_char_p),
    ]


class vocx_issue_info(Structure):
    _fields_ = [
        ("id", c_char_p),
        ("label", c_char_p),
        ("block", c_char_p),
        ("block_label", c_char_p),
        ("kind", c_int),
        ("severity", c_double),
        ("weight", c_double),
        ("threshold", c_double),
        ("owner", c_char_p),
        ("line", c_uint32),
        ("nrules", c_size_t),
    ]


class vocx_span(Structure):
    _fields_ = [("start", c_size_t), ("end", c_size_t)]


class vocx_hit(Structure):
    _fields_ = [
        ("issue", POINTER(vocx_issue_info)),
        ("score", c_double),
        ("rule_line", c_uint32),
        ("rule_text", c_char_p),
        ("nspans", c_size_t),
        ("spans", POINTER(vocx_span)),
    ]


class vocx_cue(Structure):
    _fields_ = [
        ("kind", c_int),
        ("rule_line", c_uint32),
        ("span", vocx_span),
    ]


class vocx_veto(Structure):
    _fields_ = [
        ("issue", POINTER(vocx_issue_info)),
        ("rule_line", c_uint32),
        ("why", c_int),
        ("by_line", c_uint32),
        ("span", vocx_span),
    ]


class vocx_rule_warning(Structure):
    _fields_ = [("rule_line", c_uint32), ("message", c_char_p)]


class vocx_result(Structure):
    _fields_ = [
        ("nhits", c_size_t),
        ("hits", POINTER(vocx_hit)),
        ("ncues", c_size_t),
        ("cues", POINTER(vocx_cue)),
        ("churn_cues", c_size_t),
        ("positive_cues", c_size_t),
        ("nvetoes", c_size_t),
        ("vetoes", POINTER(vocx_veto)),
        ("nwarnings", c_size_t),
        ("warnings", POINTER(vocx_rule_warning)),
    ]


class vocx_eval_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("format", c_int),
        ("id_col", c_char_p),
        ("text_col", c_char_p),
        ("expected_col", c_char_p),
    ]


class vocx_eval_issue(Structure):
    _fields_ = [
        ("issue", c_char_p),
        ("tp", c_uint64),
        ("fp", c_uint64),
        ("fn", c_uint64),
        ("precision", c_double),
        ("recall", c_double),
        ("f1", c_double),
    ]


class vocx_eval_miss(Structure):
    _fields_ = [
        ("false_positive", c_int),
        ("issue", c_char_p),
        ("id", c_char_p),
        ("line", c_uint64),
        ("text", c_char_p),
        ("rule_line", c_uint32),
    ]


class vocx_classify_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("all", c_int),
        ("threads", c_int),
        ("batch_comments", c_size_t),
        ("on_progress", vocx_progress_cb),
        ("progress_payload", c_void_p),
    ]


class vocx_classify_stats(Structure):
    _fields_ = [
        ("classified", c_uint64),
        ("skipped", c_uint64),
        ("with_issues", c_uint64),
        ("hits", c_uint64),
        ("churn", c_uint64),
        ("warnings", c_uint64),
        ("ruleset_id", c_int64),
        ("ruleset_hash", c_char * 65),
    ]


class vocx_clv_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("model", c_int),
        ("calibration_end", c_char_p),
        ("horizon_months", c_double),
        ("annual_discount", c_double),
        ("margin", c_double),
        ("retention", c_double),
        ("max_iterations", c_int),
    ]


class vocx_clv_report(Structure):
    _fields_ = [
        ("model_id", c_int64),
        ("model", c_int),
        ("calibration_end", c_char * 11),
        ("customers", c_size_t),
        ("from_bgnbd", c_size_t),
        ("from_column", c_size_t),
        ("from_simple", c_size_t),
        ("no_value", c_size_t),
        ("total_clv", c_double),
        ("fitted", c_int),
        ("fit_customers", c_size_t),
        ("r", c_double),
        ("alpha", c_double),
        ("a", c_double),
        ("b", c_double),
        ("log_likelihood", c_double),
        ("iterations", c_int),
        ("converged", c_int),
        ("spend_customers", c_size_t),
        ("spend_excluded", c_size_t),
        ("p", c_double),
        ("q", c_double),
        ("gamma", c_double),
        ("spend_log_likelihood", c_double),
        ("spend_iterations", c_int),
        ("spend_converged", c_int),
        ("transactions", c_size_t),
        ("after_end", c_size_t),
        ("message", c_char * 256),
    ]


class vocx_rank_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("ruleset", c_char_p),
        ("clv_model_id", c_int64),
        ("since", c_char_p),
        ("until", c_char_p),
        ("channel", c_char_p),
        ("segment", c_char_p),
        ("block", c_char_p),
        ("kind", c_int),
        ("churn_uplift", c_double),
        ("positive_damping", c_double),
        ("record", c_int),
    ]


class vocx_rank_row(Structure):
    _fields_ = [
        ("block", c_char_p),
        ("issue", c_char_p),
        ("label", c_char_p),
        ("kind", c_char_p),
        ("owner", c_char_p),
        ("severity", c_double),
        ("comments", c_uint64),
        ("customers", c_uint64),
        ("unmatched", c_uint64),
        ("clv_total", c_double),
        ("clv_at_risk", c_double),
        ("clv_at_risk_attributed", c_double),
    ]


class vocx_ranking_totals(Structure):
    _fields_ = [
        ("comments", c_uint64),
        ("classified", c_uint64),
        ("customers", c_uint64),
        ("unmatched_comments", c_uint64),
        ("unmatched_customers", c_uint64),
        ("anonymous_comments", c_uint64),
        ("clv_total", c_double),
        ("clv_at_risk_attributed", c_double),
        ("run_id", c_int64),
        ("clv_model_id", c_int64),
        ("ruleset", c_char_p),
    ]


class vocx_customer_value(Structure):
    _fields_ = [
        ("known", c_int),
        ("clv", c_double),
        ("source", c_char * 16),
        ("has_churn_probability", c_int),
        ("churn_probability", c_double),
        ("segment", c_char * 64),
        ("clv_model_id", c_int64),
    ]


class vocx_evidence(Structure):
    _fields_ = [
        ("issue", c_char_p),
        ("customer_id", c_char_p),
        ("known", c_int),
        ("clv", c_double),
        ("clv_source", c_char_p),
        ("risk", c_double),
        ("risk_source", c_char_p),
        ("churn_cues", c_int),
        ("positive_cues", c_int),
        ("clv_at_risk_attributed", c_double),
        ("comment_id", c_char_p),
        ("created_at", c_char_p),
        ("channel", c_char_p),
        ("text", c_char_p),
        ("rule_line", c_uint32),
        ("spans", c_char_p),
    ]


vocx_evidence_cb = CFUNCTYPE(c_int, POINTER(vocx_evidence), c_void_p)

# `data` is not NUL-terminated: an address read with string_at(data, len).
vocx_write_cb = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)


class vocx_report_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("rank", POINTER(vocx_rank_options)),
        ("top", c_size_t),
        ("comments_per_issue", c_size_t),
        ("weeks", c_size_t),
        ("title", c_char_p),
        ("currency", c_char_p),
        ("generated_at", c_char_p),
    ]


class vocx_at_risk_row(Structure):
    _fields_ = [
        ("customer_id", c_char_p),
        ("issue", c_char_p),
        ("label", c_char_p),
        ("block", c_char_p),
        ("kind", c_char_p),
        ("owner", c_char_p),
        ("clv", c_double),
        ("clv_source", c_char_p),
        ("risk", c_double),
        ("risk_source", c_char_p),
        ("clv_at_risk", c_double),
        ("clv_at_risk_attributed", c_double),
        ("comments", c_uint64),
        ("comment_id", c_char_p),
        ("created_at", c_char_p),
        ("channel", c_char_p),
        ("text", c_char_p),
        ("spans", c_char_p),
        ("churn_cue", c_int),
    ]


vocx_at_risk_cb = CFUNCTYPE(c_int, POINTER(vocx_at_risk_row), c_void_p)


class vocx_at_risk_stats(Structure):
    _fields_ = [
        ("rows", c_uint64),
        ("customers", c_uint64),
        ("issues", c_uint64),
        ("left_out_comments", c_uint64),
        ("left_out_customers", c_uint64),
        ("anonymous_comments", c_uint64),
    ]

#: Every struct the binding mirrors, by its C name (the tests check each
#: one's size and field offsets against the header).
STRUCTS = {
    cls.__name__: cls
    for cls in (
        vocx_comment, vocx_reject, vocx_ingest_options, vocx_ingest_stats,
        vocx_store_totals, vocx_comment_row, vocx_comment_filter,
        vocx_import_options, vocx_diagnostic, vocx_issue_info, vocx_span,
        vocx_hit, vocx_cue, vocx_veto, vocx_rule_warning, vocx_result,
        vocx_eval_options, vocx_eval_issue, vocx_eval_miss,
        vocx_classify_options, vocx_classify_stats, vocx_clv_options,
        vocx_clv_report, vocx_rank_options, vocx_rank_row,
        vocx_ranking_totals, vocx_customer_value, vocx_evidence,
        vocx_report_options, vocx_at_risk_row, vocx_at_risk_stats,
    )
}

# ---------------------------------------------------------------------------
# The declaration table: (name, restype, argtypes) for every function.
# ---------------------------------------------------------------------------

_P = POINTER
_store = _P(vocx_store)

DECLARATIONS = (
    # version, errors, memory
    ("vocx_version", c_char_p, ()),
    ("vocx_version_number", c_int, ()),
    ("vocx_strerror", c_char_p, (c_int,)),
    ("vocx_free", None, (c_void_p,)),
    # store
    ("vocx_store_open", c_int, (_P(_store), c_char_p, c_uint)),
    ("vocx_store_close", None, (_store,)),
    ("vocx_store_errmsg", c_char_p, (_store,)),
    ("vocx_store_errcode", c_int, (_store,)),
    ("vocx_store_set_log", None, (_store, vocx_log_cb, c_void_p)),
    ("vocx_store_schema_version", c_int, (_store,)),
    ("vocx_store_snapshot_begin", c_int, (_store,)),
    ("vocx_store_snapshot_end", c_int, (_store,)),
    # comment ingest
    ("vocx_store_put_comment", c_int,
     (_store, _P(vocx_comment), _P(c_int))),
    ("vocx_ingest_options_init", c_int, (_P(vocx_ingest_options), c_uint)),
    ("vocx_ingest_file", c_int,
     (_store, c_char_p, _P(vocx_ingest_options), _P(vocx_ingest_stats))),
    ("vocx_ingest_read", c_int,
     (_store, vocx_read_cb, c_void_p, c_char_p, _P(vocx_ingest_options),
      _P(vocx_ingest_stats))),
    # the result is an address, read with string_at(out, out_len)
    ("vocx_redact", c_int,
     (c_char_p, c_size_t, c_uint, _P(c_void_p), _P(c_size_t),
      _P(c_size_t))),
    # reading comments back
    ("vocx_store_totals_get", c_int, (_store, _P(vocx_store_totals))),
    ("vocx_store_count_comments", c_int,
     (_store, c_int, vocx_count_cb, c_void_p)),
    ("vocx_comments_open", c_int,
     (_P(_P(vocx_cursor)), _store, _P(vocx_comment_filter))),
    ("vocx_cursor_next", c_int,
     (_P(vocx_cursor), _P(_P(vocx_comment_row)))),
    ("vocx_cursor_free", None, (_P(vocx_cursor),)),
    # operational records
    ("vocx_import_options_init", c_int, (_P(vocx_import_options), c_uint)),
    ("vocx_import_customers", c_int,
     (_store, c_char_p, _P(vocx_import_options), _P(vocx_ingest_stats))),
    ("vocx_import_transactions", c_int,
     (_store, c_char_p, _P(vocx_import_options), _P(vocx_ingest_stats))),
    ("vocx_store_attach_crm", c_int, (_store, c_char_p, c_char_p, c_char_p)),
    ("vocx_store_detach_crm", c_int, (_store,)),
    # diagnostics
    ("vocx_diagnostics_count", c_size_t, (_P(vocx_diagnostics),)),
    ("vocx_diagnostics_get", _P(vocx_diagnostic),
     (_P(vocx_diagnostics), c_size_t)),
    ("vocx_diagnostics_free", None, (_P(vocx_diagnostics),)),
    # rules
    ("vocx_rules_compile", c_int,
     (_P(_P(vocx_rules)), c_char_p, c_size_t, c_char_p,
      _P(_P(vocx_diagnostics)))),
    ("vocx_rules_load", c_int,
     (_P(_P(vocx_rules)), c_char_p, _P(_P(vocx_diagnostics)))),
    ("vocx_rules_free", None, (_P(vocx_rules),)),
    ("vocx_rules_hash", c_char_p, (_P(vocx_rules),)),
    ("vocx_rules_name", c_char_p, (_P(vocx_rules),)),
    # not NUL-terminated by contract: an address read with its length
    ("vocx_rules_source", c_void_p, (_P(vocx_rules), _P(c_size_t))),
    ("vocx_rules_block_count", c_size_t, (_P(vocx_rules),)),
    ("vocx_rules_issue_count", c_size_t, (_P(vocx_rules),)),
    ("vocx_rules_rule_count", c_size_t, (_P(vocx_rules),)),
    ("vocx_rules_block", c_int,
     (_P(vocx_rules), c_size_t, _P(c_char_p), _P(c_char_p))),
    ("vocx_rules_issue", c_int,
     (_P(vocx_rules), c_size_t, _P(vocx_issue_info))),
    ("vocx_kind_name", c_char_p, (c_int,)),
    # classification in memory
    ("vocx_scratch_new", c_int, (_P(_P(vocx_scratch)),)),
    ("vocx_scratch_free", None, (_P(vocx_scratch),)),
    ("vocx_classify", c_int,
     (_P(vocx_rules), _P(vocx_scratch), c_char_p, c_size_t, c_uint,
      _P(_P(vocx_result)))),
    # evaluation
    ("vocx_rules_evaluate", c_int,
     (_P(_P(vocx_eval)), _P(vocx_rules), c_char_p, _P(vocx_eval_options),
      _P(_P(vocx_diagnostics)))),
    ("vocx_eval_rows", c_uint64, (_P(vocx_eval),)),
    ("vocx_eval_totals", c_int,
     (_P(vocx_eval), _P(vocx_eval_issue), _P(c_double))),
    ("vocx_eval_issue_count", c_size_t, (_P(vocx_eval),)),
    ("vocx_eval_issue_get", _P(vocx_eval_issue), (_P(vocx_eval), c_size_t)),
    ("vocx_eval_miss_count", c_size_t, (_P(vocx_eval),)),
    ("vocx_eval_miss_get", _P(vocx_eval_miss), (_P(vocx_eval), c_size_t)),
    ("vocx_eval_free", None, (_P(vocx_eval),)),
    # classifying the store
    ("vocx_store_classify", c_int,
     (_store, _P(vocx_rules), _P(vocx_classify_options),
      _P(vocx_classify_stats))),
    # CLV
    ("vocx_clv_fit", c_int,
     (_store, _P(vocx_clv_options), _P(vocx_clv_report))),
    # ranking
    ("vocx_rank", c_int,
     (_P(_P(vocx_ranking)), _store, _P(vocx_rank_options))),
    ("vocx_ranking_count", c_size_t, (_P(vocx_ranking),)),
    ("vocx_ranking_row", _P(vocx_rank_row), (_P(vocx_ranking), c_size_t)),
    ("vocx_ranking_totals_get", c_int,
     (_P(vocx_ranking), _P(vocx_ranking_totals))),
    ("vocx_ranking_unmatched", c_char_p, (_P(vocx_ranking), c_size_t)),
    ("vocx_ranking_free", None, (_P(vocx_ranking),)),
    ("vocx_store_customer_value", c_int,
     (_store, c_char_p, c_int64, _P(vocx_customer_value))),
    ("vocx_comment_risk", c_double,
     (c_double, c_size_t, c_size_t, _P(vocx_rank_options))),
    ("vocx_rank_explain", c_int,
     (_store, _P(vocx_rank_options), c_char_p, vocx_evidence_cb, c_void_p)),
    # reports
    ("vocx_report_options_init", c_int, (_P(vocx_report_options), c_uint)),
    ("vocx_report_html", c_int,
     (_store, _P(vocx_report_options), vocx_write_cb, c_void_p)),
    ("vocx_report_digest", c_int,
     (_store, _P(vocx_report_options), c_char_p, c_int, vocx_write_cb,
      c_void_p)),
    ("vocx_export_at_risk", c_int,
     (_store, _P(vocx_rank_options), c_char_p, vocx_at_risk_cb, c_void_p,
      _P(vocx_at_risk_stats))),
    ("vocx_export_at_risk_write", c_int,
     (_store, _P(vocx_rank_options), c_char_p, c_int, vocx_write_cb,
      c_void_p, _P(vocx_at_risk_stats))),
)

# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

_HERE = os.path.dirname(os.path.abspath(__file__))


def _bundled():
    """Shared libraries shipped next to the package (a bundled build), the
    SONAME first."""
    found = []
    for d in (_HERE, os.path.dirname(_HERE)):
        names = glob.glob(os.path.join(d, "libvocx.so*")) + glob.glob(
            os.path.join(d, "libvocx*.dylib"))
        # libvocx.so.0 (the SONAME) before libvocx.so before libvocx.so.0.1.0
        names.sort(key=lambda p: (os.path.basename(p) != "libvocx.so.0",
                                  len(p), p))
        found.extend(names)
    return found


def candidates():
    """Where the library is looked for, in order."""
    env = os.environ.get("VOCX_LIBRARY")
    if env:
        # An explicit choice is never silently replaced by another library.
        return [env]
    out = _bundled()
    system = ctypes.util.find_library("vocx")
    if system:
        out.append(system)
    out.append("libvocx.so.0")
    return out


def _load():
    tried = []
    for path in candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"{path}: {e}")
    how = ("VOCX_LIBRARY=" + os.environ["VOCX_LIBRARY"]
           if os.environ.get("VOCX_LIBRARY") else
           "set VOCX_LIBRARY to the path of libvocx.so, put libvocx.so next "
           "to the vocx package, or install libvocx")
    raise ImportError("cannot load libvocx (" + how + "); tried:\n  " +
                      "\n  ".join(tried))


class _Missing:
    """Stands in for a function the loaded library does not export (an older
    libvocx): calling it says so instead of failing at import."""

    def __init__(self, name, path):
        self.__name__ = name
        self._path = path

    def __call__(self, *args, **kwargs):
        raise NotImplementedError(
            f"{self.__name__} is not exported by {self._path} "
            "(the library is older than this binding)")


class Library:
    """The loaded library with every declared function bound as an
    attribute, ``argtypes`` and ``restype`` set."""

    def __init__(self):
        self.cdll, self.path = _load()
        self.missing = []
        for name, restype, argtypes in DECLARATIONS:
            try:
                fn = getattr(self.cdll, name)
            except AttributeError:
                self.missing.append(name)
                setattr(self, name, _Missing(name, self.path))
                continue
            fn.restype = restype
            fn.argtypes = list(argtypes)
            setattr(self, name, fn)


lib = Library()


def text(b):
    """bytes from C (or None) to str: UTF-8, invalid bytes replaced."""
    return None if b is None else b.decode("utf-8", "replace")


def _no_nul(b, what):
    if b"\0" in b:
        raise InvalidArgument(f"{what} contains a NUL character")
    return b


def cstr(s, what="string"):
    """A str, bytes, number or None as a C string argument (UTF-8)."""
    if s is None:
        return None
    if isinstance(s, bytes):
        return _no_nul(s, what)
    if isinstance(s, str):
        return _no_nul(s.encode("utf-8", "surrogatepass"), what)
    if hasattr(s, "isoformat"):  # datetime, date
        return s.isoformat().encode("ascii")
    if hasattr(s, "__fspath__"):
        return _no_nul(os.fsencode(s), what)
    return _no_nul(str(s).encode("utf-8"), what)


def cpath(p, what="path"):
    """A file name argument: str or path-like through the file system
    encoding, bytes as they are."""
    if p is None:
        return None
    if isinstance(p, bytes):
        return _no_nul(p, what)
    if isinstance(p, str) or hasattr(p, "__fspath__"):
        return _no_nul(os.fsencode(p), what)
    raise TypeError(f"{what} must be a str, bytes or os.PathLike, "
                    f"not {type(p).__name__}")


def strerror(code):
    return text(lib.vocx_strerror(code))


def redact_kinds(kinds):
    """VOCX_REDACT_* bits from what a Python caller passes: None or False
    (nothing), True (all), an int of bits, a comma list such as
    "email,phone", or an iterable of kind names ("email", "phone", "card",
    "iban", "all")."""
    if kinds is None or kinds is False:
        return 0
    if kinds is True:
        return REDACT_ALL
    if isinstance(kinds, int):
        if kinds < 0 or kinds & ~REDACT_ALL:
            raise InvalidArgument(f"unknown redaction bits {kinds:#x}", EINVAL)
        return kinds
    if isinstance(kinds, (str, bytes)):
        if isinstance(kinds, bytes):
            kinds = kinds.decode("utf-8", "replace")
        names = kinds.split(",")
    else:
        try:
            names = list(kinds)
        except TypeError:
            raise TypeError("redaction kinds must be a bool, an int, a str "
                            "or an iterable of str, not "
                            f"{type(kinds).__name__}") from None
    bits = 0
    for name in names:
        key = name.strip().lower() if isinstance(name, str) else name
        if key not in REDACT_KINDS:
            raise InvalidArgument(
                f"unknown redaction kind {name!r} (expected email, phone, "
                "card, iban or all)", EINVAL)
        bits |= REDACT_KINDS[key]
    return bits


def raise_code(code, message=None, **attrs):
    """Raise the exception class of `code` with `message` (else the static
    text of the code), setting extra attributes on it."""
    exc = error_class(code)(message or strerror(code), code)
    for k, v in attrs.items():
        setattr(exc, k, v)
    raise exc


def store_message(store_ptr, code):
    """The store's message for a failed call returning `code`, or None when
    the store does not hold one for that code."""
    if not store_ptr:
        return None
    if lib.vocx_store_errcode(store_ptr) != code:
        return None
    return text(lib.vocx_store_errmsg(store_ptr)) or None


def check_store(rc, store_ptr, fallback=None, **attrs):
    """Return rc when it is not an error, else raise with the store's
    message (else `fallback`, else the code's text)."""
    if rc >= 0:
        return rc
    raise_code(rc, store_message(store_ptr, rc) or fallback, **attrs)
