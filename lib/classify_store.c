/* vocx_store_classify: classify stored comments in batches, in parallel,
 * and store results with the rule set that produced them. */
#include "vocx_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VX_DEFAULT_CLASSIFY_BATCH 10000
#define VX_CLASSIFY_BATCH_BYTES ((size_t)32 << 20) /* text per batch */
#define VX_MAX_THREADS 64
#define VX_BATCH_SETS 3 /* batches in flight: stored, classified, read */

/* A growable byte buffer for serialized results. */
typedef struct vx_buf {
    char *p;
    size_t len, cap;
    int oom;
} vx_buf;

static void buf_reserve(vx_buf *b, size_t more)
{
    if (b->oom || b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *n = realloc(b->p, cap);
    if (!n) {
        b->oom = 1;
        return;
    }
    b->p = n;
    b->cap = cap;
}

/* One comment of a batch, in and out. */
typedef struct item {
    int64_t comment_id;
    const char *text; /* in the batch's text buffer, NUL-terminated */
    size_t text_off;
    size_t len;
    /* results, offsets into the worker's buffers */
    size_t nhits;
    int churn, positive;
    size_t issues_off; /* NUL-terminated JSON in strs, when nhits */
    size_t cues_off;   /* NUL-terminated JSON in strs */
    size_t nwarn;
    int worker; /* whose strs hold its results */
} item;

struct batch_set;

typedef struct worker {
    const vocx_rules *rules;
    vocx_scratch *scratch;
    struct batch_set *set; /* the batch it takes comments from */
    int index;             /* in the batch's workers */
    vx_buf strs;
    int rc;
    pthread_t th;
    int threaded; /* th is a running thread to join */
} worker;

static void buf_put(vx_buf *b, const char *p, size_t n)
{
    buf_reserve(b, n);
    if (b->oom)
        return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* Decimal digits without printf: this runs for every span stored. */
static void buf_uint(vx_buf *b, uint64_t v)
{
    char d[20];
    size_t n = 0;
    do
        d[sizeof d - ++n] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    buf_put(b, d + sizeof d - n, n);
}

/* A JSON number that reads back as a REAL (1 -> 1.0). */
static void buf_real(vx_buf *b, double v)
{
    if (v == 1.0) {
        buf_put(b, "1.0", 3);
        return;
    }
    if (v >= 0 && v < 1e15 && v == (double)(uint64_t)v) { /* 2 -> 2.0 */
        buf_uint(b, (uint64_t)v);
        buf_put(b, ".0", 2);
        return;
    }
    char t[40];
    int n = snprintf(t, sizeof t, "%.17g", isfinite(v) ? v : 0.0);
    if (n < 0 || (size_t)n >= sizeof t - 2)
        n = snprintf(t, sizeof t, "0.0");
    else if (!strpbrk(t, ".e"))
        t[n++] = '.', t[n++] = '0';
    buf_put(b, t, (size_t)n);
}


/* The comment's issues as stored in classifications.issues (docs/schema.md):
 * [[ID,line,score,[[a,b],...]],...] by issue id.
 * Issue ids are [a-z0-9_.-] (rules_parse.c), so they need no escaping. */
static int issues_json(worker *w, const vocx_result *res)
{
    const vocx_hit *one[64], **hp = one;
    if (res->nhits > sizeof one / sizeof one[0] &&
        !(hp = malloc(res->nhits * sizeof *hp)))
        return VOCX_ENOMEM;
    /* insertion sort by id: a comment raises a handful of issues, and
     * qsort would allocate */
    for (size_t i = 0; i < res->nhits; i++) {
        const vocx_hit *h = &res->hits[i];
        size_t j = i;
        for (; j > 0 && strcmp(hp[j - 1]->issue->id, h->issue->id) > 0; j--)
            hp[j] = hp[j - 1];
        hp[j] = h;
    }
    vx_buf *b = &w->strs;
    buf_put(b, "[", 1);
    for (size_t i = 0; i < res->nhits; i++) {
        const vocx_hit *h = hp[i];
        buf_put(b, i ? ",[\"" : "[\"", i ? 3 : 2);
        buf_put(b, h->issue->id, strlen(h->issue->id));
        buf_put(b, "\",", 2);
        buf_uint(b, h->rule_line);
        buf_put(b, ",", 1);
        buf_real(b, h->score);
        buf_put(b, ",[", 2);
        for (size_t k = 0; k < h->nspans; k++) {
            buf_put(b, k ? ",[" : "[", k ? 2 : 1);
            buf_uint(b, h->spans[k].start);
            buf_put(b, ",", 1);
            buf_uint(b, h->spans[k].end);
            buf_put(b, "]", 1);
        }
        buf_put(b, "]]", 2);
    }
    buf_put(b, "]", 2); /* with the NUL */
    if (hp != one)
        free(hp);
    return VOCX_OK;
}

static int classify_one(worker *w, item *it)
{
    const vocx_result *res = NULL;
    int rc = vocx_classify(w->rules, w->scratch, it->text, it->len, 0, &res);
    if (rc)
        return rc;
    it->nhits = res->nhits;
    it->churn = (int)res->churn_cues;
    it->positive = (int)res->positive_cues;
    it->nwarn = res->nwarnings;
    it->issues_off = w->strs.len;
    if (res->nhits && (rc = issues_json(w, res)))
        return rc;
    /* [[kind,line,[a,b]],...] (docs/schema.md) */
    it->cues_off = w->strs.len;
    buf_put(&w->strs, "[", 1);
    for (size_t i = 0; i < res->ncues; i++) {
        const vocx_cue *c = &res->cues[i];
        buf_put(&w->strs, i ? ",[\"" : "[\"", i ? 3 : 2);
        if (c->kind == VOCX_CUE_CHURN)
            buf_put(&w->strs, "churn", 5);
        else
            buf_put(&w->strs, "positive", 8);
        buf_put(&w->strs, "\",", 2);
        buf_uint(&w->strs, c->rule_line);
        buf_put(&w->strs, ",[", 2);
        buf_uint(&w->strs, c->span.start);
        buf_put(&w->strs, ",", 1);
        buf_uint(&w->strs, c->span.end);
        buf_put(&w->strs, "]]", 2);
    }
    buf_put(&w->strs, "]", 2); /* with the NUL */
    return w->strs.oom ? VOCX_ENOMEM : VOCX_OK;
}

/* A batch of comments and the workers that classify it. */
typedef struct batch_set {
    item *items;
    size_t n;
    worker *ws;
    atomic_size_t next;   /* the first item no worker has taken yet */
    int64_t data_version; /* PRAGMA data_version before it was read */
    vx_buf texts;         /* the items' texts */
} batch_set;

/* Items a worker takes at a time: few enough to end together, many
 * enough that taking them costs nothing. */
#define VX_CLASSIFY_CHUNK 64

/* Classify items of the batch, a chunk at a time, until none is left
 * (or this worker fails). */
static void *work(void *arg)
{
    worker *w = arg;
    batch_set *b = w->set;
    while (!w->rc) {
        size_t i = atomic_fetch_add(&b->next, VX_CLASSIFY_CHUNK);
        if (i >= b->n)
            break;
        size_t end = b->n - i < VX_CLASSIFY_CHUNK ? b->n : i + VX_CLASSIFY_CHUNK;
        for (; i < end && !w->rc; i++) {
            b->items[i].worker = w->index;
            w->rc = classify_one(w, &b->items[i]);
        }
    }
    return NULL;
}

/* Start classifying the batch: worker 0 is the calling thread, which
 * joins in from join_workers() (after storing the previous batch); the
 * others are threads.  With one worker the batch is done on return.  A
 * thread that cannot be created leaves its share to the others. */
static void start_workers(batch_set *b, int nw)
{
    atomic_store(&b->next, 0);
    for (int k = 0; k < nw; k++) {
        worker *w = &b->ws[k];
        w->set = b;
        w->index = k;
        w->strs.len = 0;
        w->rc = 0;
        w->threaded = 0;
    }
    if (nw == 1) {
        work(&b->ws[0]);
        return;
    }
    for (int k = 1; k < nw; k++)
        b->ws[k].threaded = pthread_create(&b->ws[k].th, NULL, work,
                                           &b->ws[k]) == 0;
}

/* Classify what is left of the batch in this thread, then wait for the
 * workers; the first failure is the batch's. */
static int join_workers(vocx_store *s, batch_set *b, int nw)
{
    if (nw > 1)
        work(&b->ws[0]);
    for (int k = 1; k < nw; k++) {
        worker *w = &b->ws[k];
        if (w->threaded)
            pthread_join(w->th, NULL);
        w->threaded = 0;
    }
    for (int k = 0; k < nw; k++)
        if (b->ws[k].rc)
            return vx_fail(s, b->ws[k].rc, "classification failed: %s",
                           vocx_strerror(b->ws[k].rc));
    return VOCX_OK;
}

/* Record the rule set and its taxonomy once. */
static int ensure_ruleset(vocx_store *s, const vocx_rules *rules, int64_t *id)
{
    char now[21];
    vx_now_iso(now);
    size_t srclen = 0;
    const char *src = vocx_rules_source(rules, &srclen);
    sqlite3_stmt *st = vx_stmt(s, "INSERT INTO rulesets(hash, name, source,"
                                  " loaded_at) VALUES (?1, ?2, ?3, ?4)"
                                  " ON CONFLICT(hash) DO NOTHING");
    if (!st)
        return s->errcode;
    sqlite3_bind_text(st, 1, vocx_rules_hash(rules), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, vocx_rules_name(rules), -1, SQLITE_TRANSIENT);
    if (src)
        sqlite3_bind_text(st, 3, src, (int)srclen, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vx_fail_db(s, "cannot record the rule set");
    st = vx_stmt(s, "SELECT ruleset_id FROM rulesets WHERE hash = ?1");
    if (!st)
        return s->errcode;
    sqlite3_bind_text(st, 1, vocx_rules_hash(rules), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW)
        return vx_fail_db(s, "cannot record the rule set");
    *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    for (size_t i = 0; i < vocx_rules_issue_count(rules); i++) {
        vocx_issue_info in;
        if (vocx_rules_issue(rules, i, &in))
            continue;
        st = vx_stmt(s, "INSERT OR IGNORE INTO issues(ruleset_id, issue_id,"
                        " block, label, kind, severity, owner)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        if (!st)
            return s->errcode;
        sqlite3_bind_int64(st, 1, *id);
        sqlite3_bind_text(st, 2, in.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, in.block, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, in.label, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, vocx_kind_name(in.kind), -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 6, in.severity);
        if (in.owner)
            sqlite3_bind_text(st, 7, in.owner, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return vx_fail_db(s, "cannot record the issues");
    }
    return VOCX_OK;
}

/* With none of the rule set's classifications stored when the run began
 * (a new rule set, or --all), every comment is pending: no lookup per
 * comment.  A comment another process classifies meanwhile is then
 * classified twice and stored once (the insert does nothing on conflict). */
static const char SQL_AFTER[] =
    "SELECT c.comment_id, c.text FROM comments c"
    " WHERE c.comment_id > ?2 AND ?1 IS NOT NULL"
    " ORDER BY c.comment_id LIMIT ?3";
static const char SQL_PENDING[] =
    "SELECT c.comment_id, c.text FROM comments c"
    " WHERE c.comment_id > ?2 AND NOT EXISTS (SELECT 1 FROM classifications k"
    "  WHERE k.comment_id = c.comment_id AND k.ruleset_id = ?1)"
    " ORDER BY c.comment_id LIMIT ?3";

/* PRAGMA data_version: changes when another connection commits. */
static int data_version(vocx_store *s, int64_t *v)
{
    sqlite3_stmt *st = vx_stmt(s, "PRAGMA data_version");
    if (!st)
        return s->errcode;
    int rc = sqlite3_step(st);
    *v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VOCX_OK
                            : vx_fail_db(s, "cannot read the data version");
}

/* Read the next batch of unclassified comments after `after`. */
static int read_batch(vocx_store *s, int64_t ruleset_id, int all_pending,
                      int64_t after, size_t max, batch_set *b)
{
    item *items = b->items;
    size_t *n = &b->n;
    *n = 0;
    /* before the read: a commit by anyone else after this point shows */
    int vrc = data_version(s, &b->data_version);
    if (vrc)
        return vrc;
    sqlite3_stmt *st = vx_stmt(s, all_pending ? SQL_AFTER : SQL_PENDING);
    if (!st)
        return s->errcode;
    sqlite3_bind_int64(st, 1, ruleset_id);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    size_t bytes = 0;
    int rc;
    /* the batch's texts in one buffer, one after another with their NULs */
    vx_buf *tb = &b->texts;
    tb->len = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        item *it = &items[*n];
        memset(it, 0, sizeof *it);
        it->comment_id = sqlite3_column_int64(st, 0);
        const char *t = (const char *)sqlite3_column_blob(st, 1);
        it->len = (size_t)sqlite3_column_bytes(st, 1);
        it->text_off = tb->len;
        buf_put(tb, t ? t : "", it->len);
        buf_put(tb, "", 1);
        if (tb->oom) {
            sqlite3_reset(st);
            return vx_fail(s, VOCX_ENOMEM, "out of memory");
        }
        (*n)++;
        bytes += it->len;
        if (bytes >= VX_CLASSIFY_BATCH_BYTES)
            break; /* bound memory for batches of huge comments */
    }
    for (size_t i = 0; i < *n; i++) /* the buffer has stopped moving */
        items[i].text = tb->p + items[i].text_off;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vx_fail_db(s, "cannot read comments");
    return VOCX_OK;
}

/* Store a classification, unless the comment's text is no longer the one
 * that was classified.  Batches are read and classified without the write
 * lock; when no other connection has committed since the batch was read
 * (PRAGMA data_version, checked under the lock), every text is still the
 * one read and the check per row is skipped.  A comment classified
 * meanwhile by another process with the same rules keeps that result.
 * The check is a query of its own: folded into the insert (INSERT ...
 * SELECT) it made SQLite keep a statement journal, two writes of a whole
 * page per row stored. */
static const char SQL_TEXT_OF[] =
    "SELECT text FROM comments WHERE comment_id = ?1";
static const char SQL_STORE[] =
    "INSERT INTO classifications(comment_id, ruleset_id, classified_at,"
    " churn_cues, positive_cues, cues, issues) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
    " ?7) ON CONFLICT DO NOTHING";

/* Whether the comment still has the text `it` was classified from: 1, 0
 * (changed or deleted), or -1 on a database error. */
static int text_unchanged(vocx_store *s, sqlite3_stmt *st, const item *it)
{
    sqlite3_bind_int64(st, 1, it->comment_id);
    int rc = sqlite3_step(st), same = 0;
    if (rc == SQLITE_ROW) {
        const void *t = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        same = n == it->len && (n == 0 || memcmp(t, it->text, n) == 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        vx_fail_db(s, "cannot read a comment");
        return -1;
    }
    return same;
}

/* Whether the rule set is still stored: 1, 0, or -1 on a database error. */
static int ruleset_exists(vocx_store *s, int64_t ruleset_id)
{
    sqlite3_stmt *st = vx_stmt(s, "SELECT 1 FROM rulesets WHERE ruleset_id = ?1");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, ruleset_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        vx_fail_db(s, "cannot read the rule set");
        return -1;
    }
    return rc == SQLITE_ROW;
}

/* Results are stored with foreign keys off: SQLite's two parent lookups
 * per row (the comment and the rule set) were a sixth of the storing
 * thread's time, and that thread bounds a run with two threads.  The
 * parents are known to exist: every comment of a batch existed when it
 * was read, and when anyone else has committed since, each comment's text
 * is checked row by row below and the rule set once.  Storing deletes
 * nothing, so no cascade is missed.  The pragma is a no-op inside a
 * transaction: vocx_store_classify() sets it before each batch's BEGIN
 * and restores it after the batch's end. */
static int write_results(vocx_store *s, int64_t ruleset_id, batch_set *b,
                         const char *now, vocx_classify_stats *stats)
{
    int64_t v;
    int rc = data_version(s, &v);
    if (rc)
        return rc;
    int checked = v != b->data_version;
    if (checked) {
        int have = ruleset_exists(s, ruleset_id);
        if (have < 0)
            return s->errcode;
        if (!have)
            return vx_fail(s, VOCX_EDB, "the rule set was deleted while"
                                        " its classifications were stored");
    }
    size_t stored = 0;
    sqlite3_stmt *st = vx_stmt(s, SQL_STORE);
    sqlite3_stmt *text_of = checked ? vx_stmt(s, SQL_TEXT_OF) : NULL;
    if (!st || (checked && !text_of))
        return s->errcode;
    for (size_t i = 0; i < b->n; i++) {
        item *it = &b->items[i];
        const worker *w = &b->ws[it->worker];
        if (checked) {
            int same = text_unchanged(s, text_of, it);
            if (same < 0)
                return s->errcode;
            if (!same)
                continue; /* changed or deleted meanwhile */
        }
        sqlite3_bind_int64(st, 1, it->comment_id);
        sqlite3_bind_int64(st, 2, ruleset_id);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, it->churn);
        sqlite3_bind_int(st, 5, it->positive);
        const char *cues = w->strs.p + it->cues_off;
        if (strcmp(cues, "[]"))
            sqlite3_bind_text(st, 6, cues, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 6);
        if (it->nhits)
            sqlite3_bind_text(st, 7, w->strs.p + it->issues_off, -1,
                              SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 7);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return vx_fail_db(s, "cannot store a classification");
        if (sqlite3_changes(s->db) == 0)
            continue; /* changed, deleted or classified meanwhile */
        stats->classified++;
        stats->hits += it->nhits;
        stats->with_issues += it->nhits > 0;
        stats->churn += it->churn > 0;
        stats->warnings += it->nwarn;
        stored++;
    }
    if (stored) {
        st = vx_stmt(s, "UPDATE rulesets SET classified_at = ?2"
                        " WHERE ruleset_id = ?1");
        if (!st)
            return s->errcode;
        sqlite3_bind_int64(st, 1, ruleset_id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return vx_fail_db(s, "cannot record the rule set");
    }
    return VOCX_OK;
}

static uint64_t count_sql(vocx_store *s, const char *sql, int64_t ruleset_id)
{
    sqlite3_stmt *st = vx_stmt(s, sql);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, ruleset_id);
    uint64_t n = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

int vocx_store_classify(vocx_store *s, const vocx_rules *rules,
                        const vocx_classify_options *opts,
                        vocx_classify_stats *stats)
{
    vocx_classify_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    if (!s)
        return VOCX_EINVAL;
    vx_clear_error(s);
    vocx_classify_options defaults = VOCX_CLASSIFY_OPTIONS_INIT;
    const vocx_classify_options *o = opts ? opts : &defaults;
    if (!rules)
        return vx_fail(s, VOCX_EINVAL, "no rules given");
    if (o->version != VOCX_CLASSIFY_OPTIONS_VERSION)
        return vx_fail(s, VOCX_EINVAL,
                       "unsupported vocx_classify_options version %u",
                       o->version);
    if (o->threads < 0 || o->threads > VX_MAX_THREADS)
        return vx_fail(s, VOCX_EINVAL, "threads must be 0..%d", VX_MAX_THREADS);
    if (s->readonly)
        return vx_fail(s, VOCX_EREADONLY, "the store is open read-only");
    vx_snprintf(stats->ruleset_hash, sizeof stats->ruleset_hash, "%s",
                vocx_rules_hash(rules));
    int nw = o->threads > 1 ? o->threads : 1;
    size_t batch = o->batch_comments ? o->batch_comments
                                     : VX_DEFAULT_CLASSIFY_BATCH;
    /* Three batches in flight: while the workers classify one, the calling
     * thread stores the one before and reads the one after, then joins the
     * classifying.  With two, the workers sat idle while the next batch
     * was read (a tenth of a run).  The sets share the scratches: one set
     * is classified at a time. */
    batch_set bs[VX_BATCH_SETS];
    memset(bs, 0, sizeof bs);
    int rc = VOCX_OK;
    for (int b = 0; b < VX_BATCH_SETS; b++) {
        bs[b].ws = calloc((size_t)nw, sizeof *bs[b].ws);
        bs[b].items = calloc(batch, sizeof *bs[b].items);
        if (!bs[b].ws || !bs[b].items) {
            rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
            goto done;
        }
    }
    for (int k = 0; k < nw; k++) {
        if (vocx_scratch_new(&bs[0].ws[k].scratch)) {
            rc = vx_fail(s, VOCX_ENOMEM, "out of memory");
            goto done;
        }
        for (int b = 0; b < VX_BATCH_SETS; b++) {
            bs[b].ws[k].scratch = bs[0].ws[k].scratch;
            bs[b].ws[k].rules = rules;
        }
    }
    if ((rc = vx_cache_stream(s, 1)) || (rc = vx_begin(s)) ||
        (rc = ensure_ruleset(s, rules, &stats->ruleset_id)))
        goto fail;
    if (o->all) {
        sqlite3_stmt *st = vx_stmt(s, "DELETE FROM classifications WHERE"
                                      " ruleset_id = ?1");
        if (!st) {
            rc = s->errcode;
            goto fail;
        }
        sqlite3_bind_int64(st, 1, stats->ruleset_id);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = vx_fail_db(s, "cannot reset classifications");
            goto fail;
        }
    }
    uint64_t total = count_sql(s, "SELECT count(*) FROM comments", 0);
    stats->skipped = count_sql(s, "SELECT count(*) FROM classifications"
                                  " WHERE ruleset_id = ?1",
                               stats->ruleset_id);
    if ((rc = vx_commit(s)))
        goto fail;
    int all_pending = stats->skipped == 0;
    int64_t after = 0;
    char now[21];
    vx_now_iso(now);
    /* Batches are read and classified without the write lock, so other
     * writers (ingest, rank recording its run) are not starved while the
     * CPU work runs; the lock is taken only to store the results. */
    batch_set *done_b = &bs[0], *next = &bs[1], *spare = &bs[2];
    if ((rc = read_batch(s, stats->ruleset_id, all_pending, after, batch,
                         done_b)))
        goto fail;
    if (done_b->n) {
        after = done_b->items[done_b->n - 1].comment_id;
        start_workers(done_b, nw);
        if ((rc = join_workers(s, done_b, nw)))
            goto fail;
        if ((rc = read_batch(s, stats->ruleset_id, all_pending, after, batch,
                             next)))
            goto fail;
    }
    while (done_b->n) {
        /* done_b is classified and next is read: classify next while this
         * thread stores done_b and reads the batch after next */
        if (next->n) {
            after = next->items[next->n - 1].comment_id;
            start_workers(next, nw);
        }
        int wrc = vx_exec(s, "PRAGMA foreign_keys = OFF");
        if (!wrc)
            wrc = vx_begin(s);
        if (!wrc)
            wrc = write_results(s, stats->ruleset_id, done_b, now, stats);
        if (!wrc)
            wrc = vx_commit(s);
        if (wrc)
            vx_rollback(s);
        if (sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL,
                         NULL) != SQLITE_OK && !wrc)
            wrc = vx_fail_db(s, "cannot turn foreign keys back on");
        spare->n = 0;
        if (!wrc && next->n)
            wrc = read_batch(s, stats->ruleset_id, all_pending, after, batch,
                             spare);
        if (next->n && (rc = join_workers(s, next, nw)) && !wrc)
            wrc = rc;
        if ((rc = wrc))
            goto fail;
        done_b->n = 0;
        batch_set *t = done_b;
        done_b = next;
        next = spare;
        spare = t;
        if (o->on_progress &&
            o->on_progress(stats->classified, stats->classified + stats->skipped,
                           total, o->progress_payload)) {
            rc = vx_fail(s, VOCX_ECANCEL, "cancelled after %llu comments",
                         (unsigned long long)stats->classified);
            goto done;
        }
    }
    vx_log(s, VOCX_LOG_INFO, "classified %llu comments with rule set %.12s",
           (unsigned long long)stats->classified, stats->ruleset_hash);
    goto done;
fail:
    vx_rollback(s);
done:
    if (vx_cache_stream(s, 0) && !rc)
        rc = s->errcode;
    for (int b = 0; b < VX_BATCH_SETS; b++) {
        free(bs[b].items);
        free(bs[b].texts.p);
        for (int k = 0; bs[b].ws && k < nw; k++) {
            if (b == 0)
                vocx_scratch_free(bs[b].ws[k].scratch);
            free(bs[b].ws[k].strs.p);
        }
        free(bs[b].ws);
    }
    return rc;
}
