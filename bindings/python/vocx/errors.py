"""Exceptions: one class per vocx status code, each carrying the library's
message and the code (``.code``).

The classes also derive from the closest built-in exception, so code that
catches ``ValueError`` or ``OSError`` keeps working: InvalidArgument and
ParseError are ValueErrors, FileError is an OSError, NoMemory a MemoryError,
NotFound a LookupError.
"""

from collections import namedtuple

__all__ = [
    "Error", "InvalidArgument", "NoMemory", "FileError", "DatabaseError",
    "ParseError", "MissingColumn", "Rejected", "SchemaError", "Busy",
    "ModelError", "RulesError", "LimitError", "Cancelled", "NotFound",
    "ReadOnly", "ClosedError", "Diagnostic", "error_class",
]


class Error(Exception):
    """Base class of every vocx error.  ``code`` is the negative VOCX_E*
    status code, ``message`` the library's one-line message."""

    code = None

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self):
        return self.message


class InvalidArgument(Error, ValueError):
    """VOCX_EINVAL: an invalid argument (bad option, timestamp, UTF-8...)."""
    code = -1


class NoMemory(Error, MemoryError):
    """VOCX_ENOMEM."""
    code = -2


class FileError(Error, OSError):
    """VOCX_EIO: a file could not be opened, read or written."""
    code = -3


class DatabaseError(Error):
    """VOCX_EDB: the database reported an error."""
    code = -4


class ParseError(Error, ValueError):
    """VOCX_EPARSE: input that cannot be read at all (no header row...)."""
    code = -5


class MissingColumn(Error):
    """VOCX_ECOLUMN: a required input column is missing; the message lists
    the columns the file has."""
    code = -6


class Rejected(Error):
    """VOCX_EREJECT: strict mode and rows were rejected; nothing was kept."""
    code = -7


class SchemaError(Error):
    """VOCX_ESCHEMA: the database was written by a newer vocx."""
    code = -8


class Busy(Error):
    """VOCX_EBUSY: the database stayed locked past the timeout, or the store
    was used while busy (from one of its own callbacks)."""
    code = -9


class ModelError(Error):
    """VOCX_EMODEL: a CLV model cannot be fitted to the data."""
    code = -10


Diagnostic = namedtuple(
    "Diagnostic", "severity file line column reason message")
Diagnostic.__doc__ = """One diagnostic of a rule file (or of an evaluation):
severity is "error" or "warning"; line and column are 1-based (column 0:
unknown); message is "file:line:column: reason"."""


class RulesError(Error):
    """VOCX_ERULES: a rule file has errors.  ``diagnostics`` lists every one
    (and the warnings) as Diagnostic tuples; ``line`` and ``column`` are
    those of the first error."""
    code = -11

    def __init__(self, message, code=None, diagnostics=()):
        super().__init__(message, code)
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0] if errors else (
            self.diagnostics[0] if self.diagnostics else None)
        self.file = first.file if first else None
        self.line = first.line if first else 0
        self.column = first.column if first else 0

    @property
    def errors(self):
        return [d for d in self.diagnostics if d.severity == "error"]


class LimitError(Error):
    """VOCX_ELIMIT: a documented size limit was exceeded."""
    code = -12


class Cancelled(Error):
    """VOCX_ECANCEL: a callback asked to stop."""
    code = -13


class NotFound(Error, LookupError):
    """VOCX_ENOTFOUND: the requested object does not exist (no
    classification or CLV model yet, unknown issue id)."""
    code = -14


class ReadOnly(Error):
    """VOCX_EREADONLY: write attempted on a read-only store."""
    code = -15


class ClosedError(InvalidArgument):
    """An object was used after close()."""


_BY_CODE = {cls.code: cls for cls in (
    InvalidArgument, NoMemory, FileError, DatabaseError, ParseError,
    MissingColumn, Rejected, SchemaError, Busy, ModelError, RulesError,
    LimitError, Cancelled, NotFound, ReadOnly)}


def error_class(code):
    """The exception class for a status code (Error for unknown codes)."""
    return _BY_CODE.get(code, Error)
