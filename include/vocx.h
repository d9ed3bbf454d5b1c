/*
 * vocx — voice-of-customer comment analytics.
 *
 * This header is the specification of the library's public interface.
 * Every function documents what it does, who owns what it returns, whether
 * it may be called from several threads, and every error code it returns.
 *
 * Conventions
 *  - Functions return int: VOCX_OK (0) on success, a negative VOCX_E* code
 *    on failure.  Codes are never renumbered or reused.
 *  - Objects are opaque handles created by *_open / *_new / *_load through
 *    an `out` parameter that comes first, and released with the matching
 *    *_close / *_free, which accept NULL.
 *  - Errors on a handle leave a detailed message on the handle (file, line
 *    and column where they apply) readable with vocx_store_errmsg();
 *    reading it does not clear it.  After a call that succeeded the message
 *    is meaningless: check the return code first.
 *  - Strings the library allocates for the caller are freed with
 *    vocx_free(); never with free().
 *  - The library never prints, never exits and never aborts on bad input.
 *    Progress and log lines go to an optional callback.
 *
 * Thread safety
 *  - A vocx_store handle must be used by one thread at a time (it wraps one
 *    SQLite connection and its prepared statements).  Separate handles on
 *    the same database file may be used from separate threads or processes.
 *  - Functions without a handle (vocx_strerror, vocx_version, ...) are
 *    thread-safe.
 */
#ifndef VOCX_H
#define VOCX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Export macro and version
 * ---------------------------------------------------------------------- */

#if defined(_WIN32) && defined(VOCX_SHARED_BUILD)
#define VOCX_API __declspec(dllexport)
#elif defined(_WIN32) && defined(VOCX_SHARED)
#define VOCX_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define VOCX_API __attribute__((visibility("default")))
#else
#define VOCX_API
#endif

#define VOCX_VERSION_MAJOR 0
#define VOCX_VERSION_MINOR 1
#define VOCX_VERSION_PATCH 0
#define VOCX_VERSION_STRING "0.1.0"
/** Version as one number: major * 10000 + minor * 100 + patch. */
#define VOCX_VERSION_NUMBER                                                    \
    (VOCX_VERSION_MAJOR * 10000 + VOCX_VERSION_MINOR * 100 + VOCX_VERSION_PATCH)

/** The version of the library actually loaded, as "MAJOR.MINOR.PATCH".
 *  Static storage; thread-safe. */
VOCX_API const char *vocx_version(void);

/** The loaded library's VOCX_VERSION_NUMBER.  Thread-safe. */
VOCX_API int vocx_version_number(void);

/* ------------------------------------------------------------------------
 * Status codes.  Never renumbered; retired codes stay reserved.
 * ---------------------------------------------------------------------- */

#define VOCX_OK 0
#define VOCX_EINVAL -1    /**< invalid argument (NULL handle, bad flag...) */
#define VOCX_ENOMEM -2    /**< out of memory */
#define VOCX_EIO -3       /**< a file could not be opened, read or written */
#define VOCX_EDB -4       /**< the database reported an error */
#define VOCX_EPARSE -5    /**< malformed input that cannot be read at all */
#define VOCX_ECOLUMN -6   /**< a required input column is missing */
#define VOCX_EREJECT -7   /**< strict mode: rows were rejected, nothing kept */
#define VOCX_ESCHEMA -8   /**< database schema is newer than this library */
#define VOCX_EBUSY -9     /**< the database stayed locked past the timeout */
#define VOCX_EMODEL -10   /**< a model cannot be fitted to the data */
#define VOCX_ERULES -11   /**< a rule file has errors */
#define VOCX_ELIMIT -12   /**< a documented size limit was exceeded */
#define VOCX_ECANCEL -13  /**< a callback asked to stop */
#define VOCX_ENOTFOUND -14 /**< the requested object does not exist */
#define VOCX_EREADONLY -15 /**< write attempted on a read-only store */

/** Static English text for a status code ("invalid argument", ...).
 *  Unknown codes give "unknown error".  Thread-safe; never NULL. */
VOCX_API const char *vocx_strerror(int code);

/** Free memory the library allocated for the caller.  NULL is a no-op. */
VOCX_API void vocx_free(void *ptr);

/* ------------------------------------------------------------------------
 * Logging
 * ---------------------------------------------------------------------- */

#define VOCX_LOG_DEBUG 0
#define VOCX_LOG_INFO 1
#define VOCX_LOG_WARN 2

/** Log callback: `level` is a VOCX_LOG_* value, `msg` a NUL-terminated
 *  line without trailing newline, valid only during the call. */
typedef void (*vocx_log_cb)(int level, const char *msg, void *payload);

/* ------------------------------------------------------------------------
 * Store: one SQLite database holding comments, operational records,
 * classifications, CLV values and analysis runs.  See docs/schema.md.
 * ---------------------------------------------------------------------- */

typedef struct vocx_store vocx_store;

/** Open flags for vocx_store_open(). */
#define VOCX_OPEN_READWRITE 0x0 /**< open read-write (the default) */
#define VOCX_OPEN_CREATE 0x1    /**< create the database if it is missing */
#define VOCX_OPEN_READONLY 0x2  /**< open read-only; no migration is done */

/** The schema version this library writes (PRAGMA user_version). */
#define VOCX_SCHEMA_VERSION 5

/**
 * Open (and with VOCX_OPEN_CREATE, create) the database at `path`.
 *
 * A new database file is created with mode 0600 (comments are personal
 * data), switched to WAL journaling, and its schema is created.  An existing
 * database is migrated to VOCX_SCHEMA_VERSION inside one transaction.  Every
 * connection has foreign keys on and a busy timeout of 10 s.  `path` may be
 * ":memory:" for a private in-memory store.
 *
 * On failure *out may still receive a handle carrying the error message
 * (read it with vocx_store_errmsg, then vocx_store_close it); it is NULL
 * only when memory ran out.
 *
 * Returns VOCX_OK; VOCX_EINVAL (NULL out/path, unknown flags);
 * VOCX_ENOMEM; VOCX_EIO (file cannot be created or opened);
 * VOCX_EDB (not a database, or corrupt); VOCX_ESCHEMA (written by a newer
 * vocx); VOCX_EBUSY (locked by another writer past the timeout).
 */
VOCX_API int vocx_store_open(vocx_store **out, const char *path,
                             unsigned int flags);

/** Close a store, finalizing every cached statement.  NULL is a no-op.
 *  Any transaction left open by an interrupted call is rolled back. */
VOCX_API void vocx_store_close(vocx_store *store);

/** The last error message on `store`: one line, naming file:line:column
 *  where that applies.  Valid until the next call on the handle.  Never
 *  NULL ("" when there is none, "out of memory" for a NULL store). */
VOCX_API const char *vocx_store_errmsg(const vocx_store *store);

/** The status code of the last failed call on `store` (VOCX_OK if none). */
VOCX_API int vocx_store_errcode(const vocx_store *store);

/** Route the store's log lines to `cb` (NULL: discard, the default). */
VOCX_API void vocx_store_set_log(vocx_store *store, vocx_log_cb cb,
                                 void *payload);

/** The schema version of the open database (PRAGMA user_version), or -1
 *  for a NULL or failed store. */
VOCX_API int vocx_store_schema_version(vocx_store *store);

/**
 * Read one snapshot.  Until vocx_store_snapshot_end(), every read through
 * `store` (totals, counts, cursors, rankings, reports, exports) sees the
 * database as it was when the snapshot began, whatever other connections
 * commit meanwhile -- so figures read by several calls agree.  Other
 * processes keep writing; this handle cannot: a call that writes (ingest,
 * imports, classify, CLV fit, a ranking with `record`) fails with
 * VOCX_EINVAL while the snapshot is open.  Keep snapshots short: the
 * write-ahead log cannot be checkpointed past an open one.
 *
 * Returns VOCX_OK; VOCX_EINVAL (NULL store, or a snapshot is already
 * open); VOCX_EDB.
 */
VOCX_API int vocx_store_snapshot_begin(vocx_store *store);

/** End the snapshot begun by vocx_store_snapshot_begin().  Returns VOCX_OK;
 *  VOCX_EINVAL (NULL store, or no snapshot open); VOCX_EDB. */
VOCX_API int vocx_store_snapshot_end(vocx_store *store);

/* ------------------------------------------------------------------------
 * Comment ingest (customer voice)
 * ---------------------------------------------------------------------- */

/** One comment, as handed to vocx_store_put_comment().  Strings are UTF-8
 *  and borrowed for the duration of the call. */
typedef struct vocx_comment {
    const char *source_id;   /**< unique id from the source system; NULL or
                                  "" derives a content id (see below) */
    const char *customer_id; /**< CRM customer key; NULL if anonymous */
    const char *created_at;  /**< ISO 8601 date or date-time; NULL unknown */
    const char *channel;     /**< email, chat, survey...; NULL unknown */
    const char *text;        /**< the comment, stored byte for byte */
    size_t text_len;         /**< length of text in bytes; 0 = strlen */
} vocx_comment;

/** What vocx_store_put_comment() did with a comment. */
#define VOCX_PUT_INSERTED 1
#define VOCX_PUT_UPDATED 2
#define VOCX_PUT_UNCHANGED 3

/**
 * Insert or update one comment immediately (its own transaction), as a CRM
 * backend does when a comment arrives.
 *
 * The comment is keyed by source_id: a known id with different content is
 * updated (and its classifications dropped), identical content is left
 * alone.  Without a source_id the key is "sha256:" followed by the SHA-256
 * of customer id, timestamp, channel and text, so the same comment is never
 * stored twice.  Text must be non-empty valid UTF-8 without NUL bytes.
 * Timestamps are stored normalized to UTC "YYYY-MM-DDTHH:MM:SSZ"; a value
 * without offset is taken as UTC.
 *
 * `out_what` (may be NULL) receives VOCX_PUT_INSERTED / _UPDATED /
 * _UNCHANGED.
 *
 * The text is stored as given: vocx_comment has no version field, so it
 * cannot grow a redaction option without breaking the ABI.  To keep
 * personal data out of the store, pass the text through vocx_redact()
 * first and put the result.
 *
 * Returns VOCX_OK; VOCX_EINVAL (NULL store/comment/text, empty text,
 * invalid UTF-8, NUL byte, unparseable timestamp: the message says which);
 * VOCX_EREADONLY; VOCX_EDB; VOCX_EBUSY; VOCX_ENOMEM.
 */
VOCX_API int vocx_store_put_comment(vocx_store *store,
                                    const vocx_comment *comment,
                                    int *out_what);

/** Input formats. */
#define VOCX_FORMAT_AUTO 0  /**< by extension (.csv, .jsonl, .ndjson), else
                                 sniffed: first non-blank byte '{' = JSONL */
#define VOCX_FORMAT_CSV 1   /**< RFC 4180 CSV with a header row */
#define VOCX_FORMAT_JSONL 2 /**< JSON Lines: one JSON object per line */

/** Why a row was rejected (vocx_reject.reason). */
#define VOCX_REJECT_SYNTAX 1   /**< malformed CSV/JSON (quote, field count) */
#define VOCX_REJECT_UTF8 2     /**< invalid UTF-8 or a NUL byte */
#define VOCX_REJECT_EMPTY 3    /**< empty text */
#define VOCX_REJECT_TIME 4     /**< unparseable timestamp */
#define VOCX_REJECT_MISSING 5  /**< a required key is missing (JSONL) */
#define VOCX_REJECT_TOOLONG 6  /**< record larger than max_record_bytes */
#define VOCX_REJECT_VALUE 7    /**< a value is not valid for its column */

/** A rejected input row, passed to the reject callback. */
typedef struct vocx_reject {
    const char *source; /**< file name as given, "-" for stdin */
    uint64_t line;      /**< 1-based physical line of the fault (for a
                             multi-line CSV record it can be after the line
                             where the record starts) */
    uint64_t column;    /**< 1-based byte column of the fault, 0 unknown */
    int reason;         /**< VOCX_REJECT_* */
    const char *message; /**< one line: "file:line:col: reason" */
} vocx_reject;

/** Reject callback.  Return 0 to go on, non-zero to stop the ingest with
 *  VOCX_ECANCEL (what was committed before stays committed).  `rej` and
 *  its strings are valid only during the call. */
typedef int (*vocx_reject_cb)(const vocx_reject *rej, void *payload);

/** Progress callback, called after each committed batch (and at the end)
 *  with the bytes consumed so far and the total size (0 when unknown, as for
 *  a pipe).  Return non-zero to stop with VOCX_ECANCEL. */
typedef int (*vocx_progress_cb)(uint64_t rows, uint64_t bytes_done,
                                uint64_t bytes_total, void *payload);

/** Reads up to `cap` bytes into `buf`: returns the count, 0 at end of
 *  input, or a negative value on a read error. */
typedef ptrdiff_t (*vocx_read_cb)(void *payload, char *buf, size_t cap);

/** Kinds of personal data vocx_redact() and the ingest option `redact`
 *  replace, as bit flags (docs/privacy.md gives the exact rules). */
#define VOCX_REDACT_EMAIL 0x1 /**< e-mail addresses -> [EMAIL] */
#define VOCX_REDACT_PHONE 0x2 /**< phone numbers -> [PHONE] */
#define VOCX_REDACT_CARD 0x4  /**< Luhn-valid payment cards -> [CARD] */
#define VOCX_REDACT_IBAN 0x8  /**< mod-97-valid IBANs -> [IBAN] */
#define VOCX_REDACT_ALL 0xF   /**< all of the above */

/** Version 2 added `redact`; version 1 structs (without it) are still
 *  accepted by every function taking vocx_ingest_options. */
#define VOCX_INGEST_OPTIONS_VERSION 2

/** Options for ingesting a file of comments.  Initialise with
 *  VOCX_INGEST_OPTIONS_INIT or vocx_ingest_options_init(); NULL column
 *  names mean the defaults shown.  An optional column left NULL is read
 *  when the file has it; one the caller names must be in the file (CSV
 *  header, first JSON object), else VOCX_ECOLUMN -- its values may still
 *  be empty or null in some rows. */
typedef struct vocx_ingest_options {
    unsigned int version;     /**< VOCX_INGEST_OPTIONS_VERSION */
    int format;               /**< VOCX_FORMAT_* */
    const char *id_col;       /**< "id" (optional column) */
    const char *customer_col; /**< "customer_id" (optional column) */
    const char *time_col;     /**< "created_at" (optional column) */
    const char *channel_col;  /**< "channel" (optional column) */
    const char *text_col;     /**< "text" (required column) */
    const char *channel;      /**< channel for rows without one, or NULL */
    int strict;               /**< non-zero: any reject fails the whole
                                   ingest with VOCX_EREJECT, nothing kept */
    size_t batch_rows;        /**< rows per transaction; 0 = 25000 */
    size_t max_record_bytes;  /**< largest record accepted; 0 = 256 MiB */
    vocx_reject_cb on_reject; /**< called for every rejected row */
    void *reject_payload;
    vocx_progress_cb on_progress;
    void *progress_payload;
    unsigned int redact;      /**< VOCX_REDACT_* bits (version 2): personal
                                   data in the text is replaced by typed
                                   placeholders before the text is hashed
                                   for a content id or stored, so it never
                                   reaches the database; 0 = store the text
                                   as received */
} vocx_ingest_options;

#define VOCX_INGEST_OPTIONS_INIT                                               \
    {VOCX_INGEST_OPTIONS_VERSION, VOCX_FORMAT_AUTO, NULL, NULL, NULL, NULL,    \
     NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0}

/** Initialise `opts` to the defaults.  `version` 1 initialises only the
 *  fields of a version 1 struct.  Returns VOCX_EINVAL for NULL or an
 *  unknown version. */
VOCX_API int vocx_ingest_options_init(vocx_ingest_options *opts,
                                      unsigned int version);

/** Counts reported by an ingest. */
typedef struct vocx_ingest_stats {
    uint64_t rows;      /**< data rows read (accepted + rejected) */
    uint64_t inserted;  /**< new comments */
    uint64_t updated;   /**< known ids whose content changed */
    uint64_t unchanged; /**< known ids with identical content */
    uint64_t rejected;  /**< rows rejected (reported to on_reject) */
    uint64_t batches;   /**< transactions committed */
    int64_t batch_id;   /**< id of this ingest in ingest_batches */
} vocx_ingest_stats;

/**
 * Stream comments from the file at `path` ("-" or NULL: standard input)
 * into the store.  Memory use is bounded by the largest record, not by the
 * file size.  Rows are committed every `batch_rows` rows, so a killed
 * process leaves every committed batch complete; re-running the same file
 * finishes the job with no duplicates (see vocx_store_put_comment for the
 * keying).  Bad rows are rejected with file:line:column and a reason and do
 * not stop the rest (unless `strict`).
 *
 * `stats` (may be NULL) receives the counts, also on failure (what was
 * committed before the failure).
 *
 * Returns VOCX_OK (even when some rows were rejected: see stats->rejected);
 * VOCX_EINVAL; VOCX_EIO (cannot open/read the file); VOCX_ECOLUMN (the text
 * column is missing: the message lists the columns the file has);
 * VOCX_EPARSE (no header row, or unreadable input); VOCX_EREJECT (strict
 * mode and at least one row rejected: nothing from this call is kept);
 * VOCX_ECANCEL; VOCX_EREADONLY; VOCX_EDB; VOCX_EBUSY; VOCX_ENOMEM.
 */
VOCX_API int vocx_ingest_file(vocx_store *store, const char *path,
                              const vocx_ingest_options *opts,
                              vocx_ingest_stats *stats);

/**
 * Like vocx_ingest_file(), reading from a callback (a socket, a Python
 * file object, a decompressor).  `source_name` is used in messages and
 * recorded in ingest_batches.  VOCX_FORMAT_AUTO sniffs the content.
 */
VOCX_API int vocx_ingest_read(vocx_store *store, vocx_read_cb read,
                              void *read_payload, const char *source_name,
                              const vocx_ingest_options *opts,
                              vocx_ingest_stats *stats);

/**
 * Replace personal data in `text` (`len` bytes of UTF-8) by typed
 * placeholders: e-mail addresses by [EMAIL], phone numbers by [PHONE],
 * Luhn-valid payment card numbers by [CARD] and IBANs with a valid mod-97
 * checksum by [IBAN], for the VOCX_REDACT_* bits in `kinds` (0: none).
 * This is what ingest does with the `redact` option.  Card and IBAN are
 * recognized before phone; dates, times, prices, version strings, order
 * and tracking numbers, and obfuscated addresses ("user at example dot
 * com") are left alone.  Names and postal addresses are not detected.  The
 * exact rules are in docs/privacy.md.  Bytes that are not valid UTF-8 are
 * copied unchanged; the result is valid UTF-8 whenever the input is.
 *
 * *out receives the result, NUL-terminated (a copy of the text when
 * nothing was replaced), to be freed with vocx_free(); `out_len` (may be
 * NULL) its length in bytes; `count` (may be NULL) the number of spans
 * replaced.  Runs in time linear in `len`; a text with no '@' and fewer
 * than 7 digits costs about a memchr.  No state: thread-safe.
 *
 * Returns VOCX_OK; VOCX_EINVAL (NULL out, NULL text with len > 0, unknown
 * bits in kinds); VOCX_ENOMEM.  On failure *out is NULL.
 */
VOCX_API int vocx_redact(const char *text, size_t len, unsigned int kinds,
                         char **out, size_t *out_len, size_t *count);



/* ------------------------------------------------------------------------
 * Reading comments back
 * ---------------------------------------------------------------------- */

/** Totals over the stored comments. */
typedef struct vocx_store_totals {
    uint64_t comments;   /**< stored comments */
    uint64_t customers;  /**< distinct non-empty customer ids */
    uint64_t anonymous;  /**< comments without a customer id */
    uint64_t batches;    /**< ingest runs recorded */
    char first_at[21];   /**< earliest created_at, "" if none */
    char last_at[21];    /**< latest created_at, "" if none */
} vocx_store_totals;

/** Fill `out` with totals over the comments.  Returns VOCX_OK, VOCX_EINVAL,
 *  VOCX_EDB, VOCX_EBUSY. */
VOCX_API int vocx_store_totals_get(vocx_store *store, vocx_store_totals *out);

#define VOCX_GROUP_CHANNEL 1 /**< by channel */
#define VOCX_GROUP_MONTH 2   /**< by "YYYY-MM" of created_at (UTC) */
#define VOCX_GROUP_DAY 3     /**< by "YYYY-MM-DD" of created_at (UTC) */

/** Called once per group, in key order; `key` is NULL for comments without
 *  the grouping value.  Return non-zero to stop (VOCX_ECANCEL). */
typedef int (*vocx_count_cb)(const char *key, uint64_t count, void *payload);

/** Count comments grouped by `group` (VOCX_GROUP_*).  Returns VOCX_OK,
 *  VOCX_EINVAL (unknown group), VOCX_ECANCEL, VOCX_EDB, VOCX_EBUSY. */
VOCX_API int vocx_store_count_comments(vocx_store *store, int group,
                                       vocx_count_cb cb, void *payload);

/** A stored comment as read back.  Strings are NUL-terminated UTF-8, NULL
 *  when the value is unknown, and valid until the next call on the cursor. */
typedef struct vocx_comment_row {
    int64_t comment_id;      /**< the store's row id */
    const char *source_id;
    const char *customer_id;
    const char *created_at;  /**< "YYYY-MM-DDTHH:MM:SSZ" */
    const char *channel;
    const char *text;        /**< exactly as ingested */
    size_t text_len;
    int64_t batch_id;        /**< ingest run that last wrote it, 0 if none */
} vocx_comment_row;

#define VOCX_COMMENT_FILTER_VERSION 1

/** Which comments a cursor returns; NULL fields do not filter. */
typedef struct vocx_comment_filter {
    unsigned int version;    /**< VOCX_COMMENT_FILTER_VERSION */
    const char *since;       /**< created_at >= since (ISO 8601) */
    const char *until;       /**< created_at < until (ISO 8601) */
    const char *channel;     /**< exact channel */
    const char *customer_id; /**< exact customer id */
    int64_t limit;           /**< at most this many rows; 0 = all */
} vocx_comment_filter;

#define VOCX_COMMENT_FILTER_INIT {VOCX_COMMENT_FILTER_VERSION, NULL, NULL, NULL, NULL, 0}

typedef struct vocx_cursor vocx_cursor;

/**
 * Open a cursor over stored comments in (created_at, comment_id) order,
 * comments without a timestamp last.  The cursor reads a consistent
 * snapshot when used inside no other transaction; it holds a read
 * transaction until it reaches the end or is freed.  The store must not be
 * closed before the cursor is freed.
 *
 * Returns VOCX_OK; VOCX_EINVAL (bad filter, unparseable since/until);
 * VOCX_ENOMEM; VOCX_EDB.
 */
VOCX_API int vocx_comments_open(vocx_cursor **out, vocx_store *store,
                                const vocx_comment_filter *filter);

/** Advance: returns 1 with *row set, 0 at the end, or a negative code
 *  (message on the store). */
VOCX_API int vocx_cursor_next(vocx_cursor *cur, const vocx_comment_row **row);

/** Free a cursor.  NULL is a no-op. */
VOCX_API void vocx_cursor_free(vocx_cursor *cur);


/* ------------------------------------------------------------------------
 * Operational records (customer intelligence): customers and transactions
 * imported from CSV or JSON Lines, with the same streaming, reject
 * reporting and idempotency as comment ingest.
 * ---------------------------------------------------------------------- */

#define VOCX_IMPORT_OPTIONS_VERSION 1

/** Options for vocx_import_customers() / vocx_import_transactions().
 *  NULL column names mean the defaults shown; columns marked optional may
 *  be absent from the file unless the caller names them (then
 *  VOCX_ECOLUMN when the file lacks them). */
typedef struct vocx_import_options {
    unsigned int version;    /**< VOCX_IMPORT_OPTIONS_VERSION */
    int format;              /**< VOCX_FORMAT_* */
    const char *customer_col; /**< "customer_id" (required) */
    /* customers */
    const char *segment_col; /**< "segment" (optional) */
    const char *clv_col;     /**< "clv" (optional): a value the CRM has */
    const char *churn_col;   /**< "churn_probability" (optional), 0..1 */
    const char *margin_col;  /**< "margin" (optional) */
    /* transactions */
    const char *id_col;      /**< "id" (optional): transaction id */
    const char *date_col;    /**< "date" (required), ISO 8601 */
    const char *amount_col;  /**< "amount" (required) */
    int strict;              /**< any reject fails the import, nothing kept */
    size_t batch_rows;       /**< rows per transaction; 0 = 25000 */
    size_t max_record_bytes; /**< 0 = 256 MiB */
    vocx_reject_cb on_reject;
    void *reject_payload;
    vocx_progress_cb on_progress;
    void *progress_payload;
} vocx_import_options;

#define VOCX_IMPORT_OPTIONS_INIT                                               \
    {VOCX_IMPORT_OPTIONS_VERSION, VOCX_FORMAT_AUTO, NULL, NULL, NULL, NULL,    \
     NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL}

/** Initialise `opts` to the defaults.  Returns VOCX_EINVAL for NULL or an
 *  unknown version. */
VOCX_API int vocx_import_options_init(vocx_import_options *opts,
                                      unsigned int version);

/**
 * Import customers (one row per customer id) from `path` ("-" or NULL:
 * stdin).  A known customer whose values changed is updated; counts come
 * back in `stats` as for comment ingest.  Numbers must be plain decimals
 * ("1234.5"); churn probabilities must lie in [0, 1]; bad values reject the
 * row with file:line:column.
 *
 * Returns as vocx_ingest_file() (VOCX_ECOLUMN names the missing column).
 */
VOCX_API int vocx_import_customers(vocx_store *store, const char *path,
                                   const vocx_import_options *opts,
                                   vocx_ingest_stats *stats);

/**
 * Import transactions (customer, date, amount) from `path`.  With an id
 * column, the id is the key: a changed row is updated.  Without one, rows
 * are matched by content (customer, day, amount, and how many identical
 * rows came before in the same file), so re-importing a file adds nothing
 * and a file with two identical purchases keeps both.  Dates are stored as
 * UTC days ("YYYY-MM-DD"); amounts may be zero or negative (refunds).
 *
 * Returns as vocx_ingest_file().
 */
VOCX_API int vocx_import_transactions(vocx_store *store, const char *path,
                                      const vocx_import_options *opts,
                                      vocx_ingest_stats *stats);




/**
 * Use an existing CRM database in place instead of importing copies.  The
 * file at `crm_path` is only ever opened read-only (vocx never writes to
 * it).  `customers_sql` and `transactions_sql` (either may be NULL) are
 * single SELECT statements run against that database, returning the
 * columns of vocx_import_customers / vocx_import_transactions:
 *   customers:    customer_id [, segment, clv, churn_probability, margin]
 *   transactions: customer_id, date, amount
 * for example "SELECT account_no AS customer_id, tier AS segment FROM
 * accounts".  The mapping is checked now (the file opens, each statement is
 * one read-only SELECT with the required columns) and stored; CLV fits,
 * rankings and customer look-ups then read the CRM's rows on each run,
 * alongside imported ones (a CRM row wins for the same customer id).
 * Attaching again replaces the mapping.
 *
 * Returns VOCX_OK; VOCX_EINVAL (not one SELECT, a write, bad SQL: the
 * message quotes SQLite's); VOCX_ECOLUMN (a required column is missing);
 * VOCX_EIO (the CRM file cannot be opened); VOCX_EREADONLY; VOCX_EDB.
 */
VOCX_API int vocx_store_attach_crm(vocx_store *store, const char *crm_path,
                                   const char *customers_sql,
                                   const char *transactions_sql);

/** Stop using the attached CRM database.  Returns VOCX_OK (also when none
 *  was attached), VOCX_EREADONLY, VOCX_EDB. */
VOCX_API int vocx_store_detach_crm(vocx_store *store);

/* ------------------------------------------------------------------------
 * Diagnostics: every error of a rule file, each with file:line:column.
 * ---------------------------------------------------------------------- */

typedef struct vocx_diagnostics vocx_diagnostics;

#define VOCX_DIAG_ERROR 1
#define VOCX_DIAG_WARNING 2

/** One diagnostic.  Strings live as long as the vocx_diagnostics. */
typedef struct vocx_diagnostic {
    int severity;        /**< VOCX_DIAG_ERROR or VOCX_DIAG_WARNING */
    const char *file;    /**< the name the rules were loaded under */
    uint32_t line;       /**< 1-based line */
    uint32_t column;     /**< 1-based column in characters, 0 unknown */
    const char *reason;  /**< the reason alone */
    const char *message; /**< "file:line:column: reason" */
} vocx_diagnostic;

/** Number of diagnostics (0 for NULL). */
VOCX_API size_t vocx_diagnostics_count(const vocx_diagnostics *d);
/** Diagnostic `i` in file order, or NULL when out of range. */
VOCX_API const vocx_diagnostic *vocx_diagnostics_get(const vocx_diagnostics *d,
                                                     size_t i);
/** Free diagnostics.  NULL is a no-op. */
VOCX_API void vocx_diagnostics_free(vocx_diagnostics *d);

/* ------------------------------------------------------------------------
 * Rules: the taxonomy (building blocks -> issues -> rules), compiled.
 * The rule language is documented in docs/rules.md.
 *
 * A compiled vocx_rules is immutable: any number of threads may classify
 * with it at once, each with its own vocx_scratch.
 * ---------------------------------------------------------------------- */

typedef struct vocx_rules vocx_rules;

/**
 * Compile rules from `text` (`len` bytes, UTF-8).  `name` (may be NULL:
 * "<rules>") is used in diagnostics.  Every error in the text is reported,
 * not just the first: when `diag` is not NULL it receives the diagnostics
 * (also warnings on success; NULL when there are none); free them with
 * vocx_diagnostics_free().
 *
 * Returns VOCX_OK; VOCX_ERULES (the text has errors; *out is NULL);
 * VOCX_EINVAL; VOCX_ELIMIT (more rules or deeper nesting than the
 * documented limits); VOCX_ENOMEM.
 */
VOCX_API int vocx_rules_compile(vocx_rules **out, const char *text,
                                size_t len, const char *name,
                                vocx_diagnostics **diag);

/** Like vocx_rules_compile() on the contents of the file at `path`; also
 *  returns VOCX_EIO when the file cannot be read (diagnostic says why). */
VOCX_API int vocx_rules_load(vocx_rules **out, const char *path,
                             vocx_diagnostics **diag);

/** Free compiled rules.  NULL is a no-op. */
VOCX_API void vocx_rules_free(vocx_rules *rules);

/** Lower-case hex SHA-256 of the rule text: identifies the rule set in
 *  stored results.  Valid as long as `rules`. */
VOCX_API const char *vocx_rules_hash(const vocx_rules *rules);

/** The name given at compile/load time. */
VOCX_API const char *vocx_rules_name(const vocx_rules *rules);

/** The rule source text as compiled (for storing with results): `*len`
 *  bytes, followed by a NUL.  Valid as long as `rules`. */
VOCX_API const char *vocx_rules_source(const vocx_rules *rules, size_t *len);

/** Issue kinds. */
#define VOCX_KIND_PROBLEM 1
#define VOCX_KIND_OPPORTUNITY 2
#define VOCX_KIND_PRAISE 3

/** An issue of the taxonomy.  Strings live as long as the rules. */
typedef struct vocx_issue_info {
    const char *id;
    const char *label;
    const char *block;       /**< building block id */
    const char *block_label;
    int kind;                /**< VOCX_KIND_* */
    double severity;         /**< 0..1 */
    double weight;
    double threshold;
    const char *owner;       /**< NULL when none */
    uint32_t line;           /**< where the issue is defined */
    size_t nrules;           /**< match + negated rules */
} vocx_issue_info;

/** Counts of building blocks, issues and rules (match, negated, unless and
 *  cue lines). */
VOCX_API size_t vocx_rules_block_count(const vocx_rules *rules);
VOCX_API size_t vocx_rules_issue_count(const vocx_rules *rules);
VOCX_API size_t vocx_rules_rule_count(const vocx_rules *rules);

/** Building block `i` (built-in ones first): id and label.  Returns
 *  VOCX_OK or VOCX_EINVAL when out of range. */
VOCX_API int vocx_rules_block(const vocx_rules *rules, size_t i,
                              const char **id, const char **label);

/** Issue `i`, in file order.  Returns VOCX_OK or VOCX_EINVAL. */
VOCX_API int vocx_rules_issue(const vocx_rules *rules, size_t i,
                              vocx_issue_info *out);

/** Static name of an issue kind: "problem", "opportunity", "praise". */
VOCX_API const char *vocx_kind_name(int kind);

/* ------------------------------------------------------------------------
 * Classification of one text, in memory
 * ---------------------------------------------------------------------- */

/** Per-thread working memory for vocx_classify(); it also holds the last
 *  result.  Never share one between threads at the same time. */
typedef struct vocx_scratch vocx_scratch;

/** Returns VOCX_OK, VOCX_EINVAL or VOCX_ENOMEM. */
VOCX_API int vocx_scratch_new(vocx_scratch **out);
/** NULL is a no-op. */
VOCX_API void vocx_scratch_free(vocx_scratch *scratch);

/** A byte range [start, end) of the ORIGINAL text. */
typedef struct vocx_span {
    size_t start;
    size_t end;
} vocx_span;

/** An issue raised by a comment. */
typedef struct vocx_hit {
    const vocx_issue_info *issue;
    double score;            /**< sum of fired rule weights x issue weight */
    uint32_t rule_line;      /**< line of the first rule that fired */
    const char *rule_text;   /**< that rule line's expression */
    size_t nspans;
    const vocx_span *spans;  /**< evidence in the original text, sorted */
} vocx_hit;

#define VOCX_CUE_CHURN 1
#define VOCX_CUE_POSITIVE 2

typedef struct vocx_cue {
    int kind;           /**< VOCX_CUE_* */
    uint32_t rule_line; /**< the cue line that matched */
    vocx_span span;
} vocx_cue;

/** Why a matching rule did not raise its issue (VOCX_CLASSIFY_EXPLAIN). */
#define VOCX_VETO_NEGATED 1   /**< the match was negated */
#define VOCX_VETO_UNLESS 2    /**< an `unless` line matched */
#define VOCX_VETO_THRESHOLD 3 /**< fired weights below the threshold */
#define VOCX_VETO_NOT_NEGATED 4 /**< a `negated` rule matched un-negated */

typedef struct vocx_veto {
    const vocx_issue_info *issue;
    uint32_t rule_line;  /**< the rule that matched */
    int why;             /**< VOCX_VETO_* */
    uint32_t by_line;    /**< the `unless` line, when why is UNLESS */
    vocx_span span;      /**< what matched */
} vocx_veto;

/** A rule that could not be evaluated on this text (regex match limit). */
typedef struct vocx_rule_warning {
    uint32_t rule_line;
    const char *message;
} vocx_rule_warning;

/** The result of classifying one text.  All memory belongs to the scratch
 *  and stays valid until the next vocx_classify() with that scratch. */
typedef struct vocx_result {
    size_t nhits;
    const vocx_hit *hits;        /**< in issue order */
    size_t ncues;
    const vocx_cue *cues;
    size_t churn_cues;           /**< number of churn cues */
    size_t positive_cues;        /**< number of positive cues */
    size_t nvetoes;
    const vocx_veto *vetoes;     /**< only with VOCX_CLASSIFY_EXPLAIN */
    size_t nwarnings;
    const vocx_rule_warning *warnings;
} vocx_result;

#define VOCX_CLASSIFY_EXPLAIN 0x1 /**< also report vetoed matches */

/**
 * Classify `text` (`len` bytes of UTF-8; invalid bytes never match) with
 * `rules`.  Touches no database.  Thread-safe for distinct scratches.
 *
 * Returns VOCX_OK with *out set; VOCX_EINVAL; VOCX_ENOMEM; VOCX_ELIMIT
 * (text over 2 GiB).
 */
VOCX_API int vocx_classify(const vocx_rules *rules, vocx_scratch *scratch,
                           const char *text, size_t len, unsigned int flags,
                           const vocx_result **out);


/* ------------------------------------------------------------------------
 * Evaluating rules against a labeled set (the rule author's regression
 * suite): per-issue precision, recall and F1.
 * ---------------------------------------------------------------------- */

#define VOCX_EVAL_OPTIONS_VERSION 1

typedef struct vocx_eval_options {
    unsigned int version;      /**< VOCX_EVAL_OPTIONS_VERSION */
    int format;                /**< VOCX_FORMAT_* of the labeled file */
    const char *id_col;        /**< "id" (optional) */
    const char *text_col;      /**< "text" */
    const char *expected_col;  /**< "expected": issue ids separated by ';'
                                    (or ','), empty for none */
} vocx_eval_options;

#define VOCX_EVAL_OPTIONS_INIT                                                 \
    {VOCX_EVAL_OPTIONS_VERSION, VOCX_FORMAT_AUTO, NULL, NULL, NULL}

/** Figures for one issue (or, for the totals, micro-averaged). */
typedef struct vocx_eval_issue {
    const char *issue;        /**< issue id; "(all)" for the totals */
    uint64_t tp, fp, fn;
    double precision, recall, f1; /**< 1 when undefined (nothing expected
                                       and nothing raised) */
} vocx_eval_issue;

/** A disagreement between the rules and the labels. */
typedef struct vocx_eval_miss {
    int false_positive;       /**< 1: raised but not expected; 0: missed */
    const char *issue;
    const char *id;           /**< row id, or the line number as text */
    uint64_t line;            /**< line of the row in the file */
    const char *text;
    uint32_t rule_line;       /**< rule that fired (false positives) */
} vocx_eval_miss;

typedef struct vocx_eval vocx_eval;

/**
 * Classify every row of a labeled CSV / JSON Lines file with `rules` and
 * compare with its expected issues.  Issues the labels name but the rules
 * do not define are reported as warnings in `diag`, with their line; bad
 * rows (file:line:column) too, and they are skipped.
 *
 * Returns VOCX_OK; VOCX_EIO; VOCX_ECOLUMN; VOCX_EPARSE; VOCX_EINVAL;
 * VOCX_ENOMEM.  `diag` (may be NULL) receives the warnings and errors.
 */
VOCX_API int vocx_rules_evaluate(vocx_eval **out, const vocx_rules *rules,
                                 const char *path,
                                 const vocx_eval_options *opts,
                                 vocx_diagnostics **diag);

/** Rows evaluated. */
VOCX_API uint64_t vocx_eval_rows(const vocx_eval *ev);
/** Micro-averaged totals over all issues, and the macro-averaged F1 over
 *  the issues that were expected or raised at least once. */
VOCX_API int vocx_eval_totals(const vocx_eval *ev, vocx_eval_issue *micro,
                              double *macro_f1);
/** Issues expected or raised at least once, in rule-file order. */
VOCX_API size_t vocx_eval_issue_count(const vocx_eval *ev);
VOCX_API const vocx_eval_issue *vocx_eval_issue_get(const vocx_eval *ev,
                                                    size_t i);
/** False positives and negatives, in file order. */
VOCX_API size_t vocx_eval_miss_count(const vocx_eval *ev);
VOCX_API const vocx_eval_miss *vocx_eval_miss_get(const vocx_eval *ev,
                                                  size_t i);
/** NULL is a no-op. */
VOCX_API void vocx_eval_free(vocx_eval *ev);

/* ------------------------------------------------------------------------
 * Classifying the stored comments
 * ---------------------------------------------------------------------- */

#define VOCX_CLASSIFY_OPTIONS_VERSION 1

typedef struct vocx_classify_options {
    unsigned int version;     /**< VOCX_CLASSIFY_OPTIONS_VERSION */
    int all;                  /**< non-zero: classify every comment again,
                                   not only those this rule set has not seen */
    int threads;              /**< classifying threads, the calling one
                                   included (it also stores the results);
                                   0 or 1: the calling thread only */
    size_t batch_comments;    /**< comments per transaction; 0 = 10000 */
    vocx_progress_cb on_progress; /**< after each committed batch: rows =
                                   comments done, bytes = of total */
    void *progress_payload;
} vocx_classify_options;

#define VOCX_CLASSIFY_OPTIONS_INIT                                             \
    {VOCX_CLASSIFY_OPTIONS_VERSION, 0, 0, 0, NULL, NULL}

typedef struct vocx_classify_stats {
    uint64_t classified;      /**< comments classified by this call */
    uint64_t skipped;         /**< already classified by this rule set */
    uint64_t with_issues;     /**< classified comments raising >= 1 issue */
    uint64_t hits;            /**< issues raised in total */
    uint64_t churn;           /**< comments with a churn cue */
    uint64_t warnings;        /**< rule warnings (regex limits) */
    int64_t ruleset_id;
    char ruleset_hash[65];
} vocx_classify_stats;

/**
 * Classify the stored comments that `rules` has not classified yet (all of
 * them with opts->all) and store the results -- issues raised, the rule
 * that fired, evidence spans, cues -- together with the rule set (its hash,
 * taxonomy and source text), so every stored result says which rules
 * produced it.  Re-running with unchanged rules and comments does no work;
 * a comment whose text changed is classified again.  Results are committed
 * in batches: an interrupted run keeps whole batches and the next run
 * continues where it stopped.
 *
 * Returns VOCX_OK; VOCX_EINVAL; VOCX_EREADONLY; VOCX_ECANCEL; VOCX_EDB;
 * VOCX_EBUSY; VOCX_ENOMEM.
 */
VOCX_API int vocx_store_classify(vocx_store *store, const vocx_rules *rules,
                                 const vocx_classify_options *opts,
                                 vocx_classify_stats *stats);

/* ------------------------------------------------------------------------
 * Customer lifetime value.  See docs/clv.md for the models and formulas.
 * ---------------------------------------------------------------------- */

#define VOCX_CLV_AUTO 0   /**< per customer: BG/NBD + Gamma-Gamma where the
                               customer has transactions, else the CRM's
                               CLV column, else the simple formula */
#define VOCX_CLV_BGNBD 1  /**< BG/NBD + Gamma-Gamma fitted on transactions */
#define VOCX_CLV_COLUMN 2 /**< the CLV value imported with the customers */
#define VOCX_CLV_SIMPLE 3 /**< margin x retention / (1 + discount - retention) */

#define VOCX_CLV_OPTIONS_VERSION 1

typedef struct vocx_clv_options {
    unsigned int version;        /**< VOCX_CLV_OPTIONS_VERSION */
    int model;                   /**< VOCX_CLV_*; default VOCX_CLV_AUTO */
    const char *calibration_end; /**< ISO date, inclusive; NULL: the last
                                      transaction date */
    double horizon_months;       /**< CLV horizon; default 12 */
    double annual_discount;      /**< default 0.10 */
    double margin;               /**< share of spend that is profit, 0..1;
                                      default 1 (CLV in revenue) */
    double retention;            /**< simple formula: retention per year
                                      when a customer has no churn
                                      probability; default 0.8 */
    int max_iterations;          /**< fit iteration cap; default 200 */
} vocx_clv_options;

#define VOCX_CLV_OPTIONS_INIT                                                  \
    {VOCX_CLV_OPTIONS_VERSION, VOCX_CLV_AUTO, NULL, 12.0, 0.10, 1.0, 0.8, 200}

/** What vocx_clv_fit() did. */
typedef struct vocx_clv_report {
    int64_t model_id;         /**< clv_models row holding the values */
    int model;                /**< VOCX_CLV_* requested */
    char calibration_end[11]; /**< "YYYY-MM-DD", "" when no transactions */
    size_t customers;         /**< customers given a CLV */
    size_t from_bgnbd, from_column, from_simple; /**< by source */
    size_t no_value;          /**< known customers without any source */
    double total_clv;
    /* BG/NBD, when fitted */
    int fitted;               /**< 1 when BG/NBD was fitted */
    size_t fit_customers;     /**< customers in the BG/NBD fit */
    double r, alpha, a, b, log_likelihood;
    int iterations, converged;
    /* Gamma-Gamma */
    size_t spend_customers;   /**< repeat customers in the spend fit */
    size_t spend_excluded;    /**< excluded: mean repeat spend <= 0 */
    double p, q, gamma, spend_log_likelihood;
    int spend_iterations, spend_converged;
    size_t transactions;      /**< transactions read */
    size_t after_end;         /**< transactions after the calibration end */
    char message[256];        /**< notes: fallbacks taken, convergence */
} vocx_clv_report;

/**
 * Compute every known customer's CLV and store it as a new CLV model (the
 * latest model is what ranking uses unless told otherwise).  Customers are
 * those in the customers table and those with transactions.
 *
 * Returns VOCX_OK; VOCX_EINVAL (bad options, unparseable date);
 * VOCX_EMODEL (the requested model cannot be fitted: no transactions, no
 * repeat purchasers, no convergence -- report->message says which and
 * report->iterations how far it got; nothing is stored); VOCX_EREADONLY;
 * VOCX_EDB; VOCX_ENOMEM.
 */
VOCX_API int vocx_clv_fit(vocx_store *store, const vocx_clv_options *opts,
                          vocx_clv_report *report);

/* ------------------------------------------------------------------------
 * Ranking issues by CLV at risk.  See docs/ranking.md for the risk model.
 * ---------------------------------------------------------------------- */

#define VOCX_RANK_OPTIONS_VERSION 1

typedef struct vocx_rank_options {
    unsigned int version;     /**< VOCX_RANK_OPTIONS_VERSION */
    const char *ruleset;      /**< rule-set hash (or a unique prefix);
                                   NULL: the most recently classified */
    int64_t clv_model_id;     /**< 0: the latest CLV model */
    const char *since;        /**< comments created at/after (ISO 8601) */
    const char *until;        /**< comments created before */
    const char *channel;      /**< only this channel */
    const char *segment;      /**< only customers of this segment */
    const char *block;        /**< only issues of this building block */
    int kind;                 /**< 0 all, else VOCX_KIND_* */
    double churn_uplift;      /**< share of the way to 1 a churn cue moves
                                   the risk; default 0.5 */
    double positive_damping;  /**< factor a positive cue (without churn
                                   cue) applies to the risk; default 0.5 */
    int record;               /**< non-zero: record the run in
                                   analysis_runs (read-write store) */
} vocx_rank_options;

#define VOCX_RANK_OPTIONS_INIT                                                 \
    {VOCX_RANK_OPTIONS_VERSION, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0,      \
     0.5, 0.5, 0}

/** One issue's figures.  Strings live as long as the ranking. */
typedef struct vocx_rank_row {
    const char *block;
    const char *issue;
    const char *label;
    const char *kind;         /**< "problem", "opportunity", "praise" */
    const char *owner;        /**< NULL when none */
    double severity;
    uint64_t comments;        /**< comments raising the issue */
    uint64_t customers;       /**< distinct known customers among them */
    uint64_t unmatched;       /**< comments from unknown or anonymous
                                   customers (counted, no CLV) */
    double clv_total;         /**< sum of those customers' CLV */
    double clv_at_risk;       /**< sum of CLV x risk */
    double clv_at_risk_attributed; /**< share that never double counts */
} vocx_rank_row;

typedef struct vocx_ranking vocx_ranking;

/**
 * Rank issues by attributed CLV at risk (descending; ties by CLV at risk,
 * then issue id).  Reads one consistent snapshot of the store.
 *
 * Returns VOCX_OK; VOCX_EINVAL (bad options); VOCX_ENOTFOUND (no
 * classification or no CLV model yet: the message says which command to
 * run); VOCX_EDB; VOCX_ENOMEM.
 */
VOCX_API int vocx_rank(vocx_ranking **out, vocx_store *store,
                       const vocx_rank_options *opts);

/** Number of rows (issues raised at least once under the filters). */
VOCX_API size_t vocx_ranking_count(const vocx_ranking *ranking);
/** Row `i` in rank order, or NULL when out of range. */
VOCX_API const vocx_rank_row *vocx_ranking_row(const vocx_ranking *ranking,
                                               size_t i);

/** Totals of a ranking. */
typedef struct vocx_ranking_totals {
    uint64_t comments;        /**< comments considered */
    uint64_t classified;      /**< of which raised at least one issue */
    uint64_t customers;       /**< distinct known customers who commented */
    uint64_t unmatched_comments; /**< comments from unknown customers */
    uint64_t unmatched_customers; /**< distinct unknown customer ids */
    uint64_t anonymous_comments;  /**< comments without a customer id */
    double clv_total;         /**< CLV of the known customers who commented */
    double clv_at_risk_attributed; /**< sum over issues, <= clv_total */
    int64_t run_id;           /**< analysis_runs row, 0 if not recorded */
    int64_t clv_model_id;
    const char *ruleset;      /**< rule-set hash used */
} vocx_ranking_totals;

VOCX_API int vocx_ranking_totals_get(const vocx_ranking *ranking,
                                     vocx_ranking_totals *out);

/** The unknown customer ids behind unmatched comments (sorted); `i` from 0
 *  to unmatched_customers - 1, NULL past the end. */
VOCX_API const char *vocx_ranking_unmatched(const vocx_ranking *ranking,
                                            size_t i);

/** NULL is a no-op. */
VOCX_API void vocx_ranking_free(vocx_ranking *ranking);


/** A customer's value as the current CLV model and the CRM see it. */
typedef struct vocx_customer_value {
    int known;                 /**< 1 when the CLV model has the customer */
    double clv;                /**< 0 when unknown */
    char source[16];           /**< "bgnbd", "column", "simple" or "" */
    int has_churn_probability; /**< 1 when the CRM gave one */
    double churn_probability;
    char segment[64];          /**< "" when none */
    int64_t clv_model_id;      /**< model used; 0 when there is none */
} vocx_customer_value;

/** Look up one customer in the latest CLV model (or `clv_model_id` > 0) and
 *  the customers table.  An unknown customer is not an error: out->known is
 *  0.  Returns VOCX_OK, VOCX_EINVAL, VOCX_EDB. */
VOCX_API int vocx_store_customer_value(vocx_store *store,
                                       const char *customer_id,
                                       int64_t clv_model_id,
                                       vocx_customer_value *out);

/** The risk model of docs/ranking.md for one comment: `base` is the CRM's
 *  churn probability when known, else the issue's severity; cues move it.
 *  `opts` NULL uses the defaults.  Always in [0, 1].  Thread-safe. */
VOCX_API double vocx_comment_risk(double base, size_t churn_cues,
                                  size_t positive_cues,
                                  const vocx_rank_options *opts);

/** One comment behind an issue's figures (vocx_rank_explain). */
typedef struct vocx_evidence {
    const char *issue;
    const char *customer_id;  /**< NULL: anonymous */
    int known;                /**< 1 when the customer has a CLV */
    double clv;
    const char *clv_source;   /**< "bgnbd", "column", "simple", NULL */
    double risk;              /**< risk used for this customer and issue */
    const char *risk_source;  /**< "churn_probability" or "severity" */
    int churn_cues, positive_cues;
    double clv_at_risk_attributed; /**< this customer's share */
    const char *comment_id;   /**< source id */
    const char *created_at;
    const char *channel;
    const char *text;
    uint32_t rule_line;
    const char *spans;        /**< JSON [[start,end],...] in text */
} vocx_evidence;

/** Called per comment, customers by attributed value descending.  Return
 *  non-zero to stop. */
typedef int (*vocx_evidence_cb)(const vocx_evidence *ev, void *payload);

/**
 * Explain one issue's figures under the same options: every customer and
 * comment behind it, with CLV, risk and the matched spans.
 * Returns as vocx_rank(), and VOCX_ENOTFOUND for an unknown issue id.
 */
VOCX_API int vocx_rank_explain(vocx_store *store,
                               const vocx_rank_options *opts,
                               const char *issue_id, vocx_evidence_cb cb,
                               void *payload);

/* ------------------------------------------------------------------------
 * Reports: the ranked issue report for executives (one self-contained HTML
 * file), digests for the teams that own issues, and the list of customers
 * at risk for the account teams.  See docs/reports.md.
 *
 * Every figure comes from vocx_rank() and vocx_rank_explain() under the
 * same vocx_rank_options, so a report agrees with `vocx rank` run with the
 * same filters.  The library never prints: reports are written through a
 * callback, in pieces, in document order.
 * ---------------------------------------------------------------------- */

/** Write callback: consume `len` bytes at `data` (not NUL-terminated,
 *  valid only during the call).  Return 0 on success, non-zero when the
 *  bytes could not be written: the report stops and returns VOCX_EIO. */
typedef int (*vocx_write_cb)(void *payload, const char *data, size_t len);

/** Output formats of vocx_report_digest() and vocx_export_at_risk_write(). */
#define VOCX_REPORT_MARKDOWN 1 /**< CommonMark with GFM tables */
#define VOCX_REPORT_HTML 2     /**< one self-contained HTML file */
#define VOCX_REPORT_CSV 3      /**< RFC 4180, header row, "\n" line ends */
#define VOCX_REPORT_JSON 4     /**< one JSON array of objects */

#define VOCX_REPORT_OPTIONS_VERSION 1

/** Options of the reports.  Initialise with VOCX_REPORT_OPTIONS_INIT or
 *  vocx_report_options_init(); zero and NULL mean the defaults shown.
 *  Strings are borrowed for the duration of the call. */
typedef struct vocx_report_options {
    unsigned int version;     /**< VOCX_REPORT_OPTIONS_VERSION */
    const vocx_rank_options *rank; /**< rule set, CLV model, filters and risk
                                   parameters, as for vocx_rank(); NULL:
                                   VOCX_RANK_OPTIONS_INIT.  Its `record`
                                   flag records the report's ranking in
                                   analysis_runs (read-write store). */
    size_t top;               /**< issues in the Pareto chart, the issue
                                   detail and the opportunities (at most
                                   50); 0 = 10 */
    size_t comments_per_issue; /**< verbatim comments shown per issue (at
                                   most 50); 0 = 3 in the HTML report, 5 in
                                   a digest */
    size_t weeks;             /**< ISO weeks in the weekly trend, ending
                                   with the week of the last comment (at
                                   most 104); 0 = 12 */
    const char *title;        /**< NULL: "Customer value at risk" */
    const char *currency;     /**< UTF-8 written before amounts ("$",
                                   "CHF ", the euro sign); NULL: none */
    const char *generated_at; /**< the generation time shown; NULL: now
                                   (UTC).  Fix it for reproducible output. */
} vocx_report_options;

#define VOCX_REPORT_OPTIONS_INIT                                               \
    {VOCX_REPORT_OPTIONS_VERSION, NULL, 0, 0, 0, NULL, NULL, NULL}

/** Initialise `opts` to the defaults.  Returns VOCX_EINVAL for NULL or an
 *  unknown version. */
VOCX_API int vocx_report_options_init(vocx_report_options *opts,
                                      unsigned int version);

/**
 * Write the ranked issue report as one self-contained HTML5 document: no
 * script, no external file, font or image, no network reference.  It
 * holds, in order: a headline (the problem with the most attributed CLV at
 * risk), key figures, a Pareto chart of attributed CLV at risk over the
 * problems (top `top`, the rest as one bar) with the cumulative share, the
 * figures by CX ROI building block (grouped C5 / I2 / E2), the weekly
 * comments and attributed CLV at risk of the top problems (ISO weeks; each
 * week's figures are those of vocx_rank() with since/until set to that
 * week), each top problem with its owner team, figures and representative
 * comments with the matched phrases in <mark>, the opportunities ranked by
 * the CLV of the customers asking, praise, and the provenance (rule set,
 * CLV model and parameters, filters, counts, unmatched comments, time).
 * Charts are inline SVG with a <title>, a <desc> and a table of the same
 * figures.  All stored text is escaped.
 *
 * On failure part of the document may already have been written: discard
 * it.  Thread safety: as for the store.
 *
 * Returns VOCX_OK; VOCX_EINVAL (NULL store or callback, unknown options
 * version, a limit above exceeded, bad rank options); VOCX_ENOTFOUND (no
 * classification or no CLV model yet, as vocx_rank()); VOCX_EIO (the write
 * callback failed); VOCX_EDB; VOCX_EBUSY; VOCX_ENOMEM.
 */
VOCX_API int vocx_report_html(vocx_store *store,
                              const vocx_report_options *opts,
                              vocx_write_cb write, void *payload);

/**
 * Write the digest of one team: the issues whose owner (in the rules) is
 * `team` (compared without regard to ASCII case) that comments raised under
 * the options' filters, problems first, then opportunities and praise,
 * each with its figures and rank in the whole ranking, and up to
 * `comments_per_issue` verbatim comments from the customers with the most
 * value at risk, the matched phrases in **bold** (Markdown) or <mark>
 * (HTML).  `format` is VOCX_REPORT_MARKDOWN or VOCX_REPORT_HTML.  A known
 * team whose issues nobody raised gets a digest saying so.
 *
 * Returns as vocx_report_html(), and VOCX_ENOTFOUND when no issue of the
 * rule set is owned by `team`: the message lists the teams that are.
 */
VOCX_API int vocx_report_digest(vocx_store *store,
                                const vocx_report_options *opts,
                                const char *team, int format,
                                vocx_write_cb write, void *payload);

/** A customer to contact about an issue (vocx_export_at_risk).  Strings
 *  are valid only during the callback. */
typedef struct vocx_at_risk_row {
    const char *customer_id;
    const char *issue;
    const char *label;
    const char *block;
    const char *kind;             /**< "problem" or "opportunity" (or
                                       "praise" when asked for by kind) */
    const char *owner;            /**< NULL when none */
    double clv;
    const char *clv_source;       /**< "bgnbd", "column", "simple" */
    double risk;                  /**< as in vocx_evidence */
    const char *risk_source;      /**< "churn_probability" or "severity" */
    double clv_at_risk;           /**< clv x risk */
    double clv_at_risk_attributed; /**< the share of vocx_rank() */
    uint64_t comments;            /**< the customer's comments raising it */
    /* The comment to answer: the latest with a churn cue, else the latest. */
    const char *comment_id;       /**< source id */
    const char *created_at;       /**< NULL when unknown */
    const char *channel;          /**< NULL when unknown */
    const char *text;
    const char *spans;            /**< JSON [[start,end],...] in text */
    int churn_cue;                /**< 1 when that comment has a churn cue */
} vocx_at_risk_row;

/** Called once per row; return non-zero to stop (VOCX_ECANCEL). */
typedef int (*vocx_at_risk_cb)(const vocx_at_risk_row *row, void *payload);

/** What an export contained and what it left out. */
typedef struct vocx_at_risk_stats {
    uint64_t rows;               /**< rows passed on */
    uint64_t customers;          /**< distinct customers among them */
    uint64_t issues;             /**< distinct issues among them */
    uint64_t left_out_comments;  /**< comments raising the issues from
                                      customers without a CLV (unknown to
                                      the CRM, or anonymous): not exported */
    uint64_t left_out_customers; /**< distinct unknown customer ids there */
    uint64_t anonymous_comments; /**< of left_out_comments, anonymous */
} vocx_at_risk_stats;

/**
 * The customers to contact: one row per customer and issue, for customers
 * with a CLV only, sorted by CLV at risk (descending; ties by attributed
 * CLV at risk, customer id, issue id).  `issue_id` NULL: every issue
 * raised under the options' filters except praise (unless opts->kind asks
 * for praise); else only that issue.  `stats` (may be NULL) receives the
 * counts, including the comments left out because their customer has no
 * CLV.  Figures are those of vocx_rank_explain() with the same options.
 * Memory: all rows are collected and sorted before the first callback.
 *
 * Returns as vocx_rank_explain() (VOCX_ENOTFOUND for an unknown issue id),
 * and VOCX_ECANCEL when the callback stopped.
 */
VOCX_API int vocx_export_at_risk(vocx_store *store,
                                 const vocx_rank_options *opts,
                                 const char *issue_id, vocx_at_risk_cb cb,
                                 void *payload, vocx_at_risk_stats *stats);

/**
 * The same rows written as VOCX_REPORT_CSV (columns customer_id, issue,
 * label, block, kind, owner, clv, clv_source, risk, risk_source,
 * clv_at_risk, clv_at_risk_attributed, comments, comment_id, created_at,
 * channel, text; amounts with two decimals, risk with four, "." as decimal
 * point; fields quoted when needed with quotes doubled; a text field that
 * starts with =, +, -, @, a tab or a carriage return is written with a
 * ' before it, so that a spreadsheet never runs it as a formula) or
 * VOCX_REPORT_JSON
 * (an array of objects with those keys, plus `spans` and `churn_cue`).
 *
 * Returns as vocx_export_at_risk(), VOCX_EINVAL for another format, and
 * VOCX_EIO when the write callback failed.
 */
VOCX_API int vocx_export_at_risk_write(vocx_store *store,
                                       const vocx_rank_options *opts,
                                       const char *issue_id, int format,
                                       vocx_write_cb write, void *payload,
                                       vocx_at_risk_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* VOCX_H */
