/* Streaming JSON Lines reader, see jsonl.h.
 *
 * A line is found with memchr (resumed where the last search stopped, so a
 * long line is searched once however it is chunked), checked for UTF-8 in
 * one pass, then parsed in place by a recursive-descent parser whose depth
 * is capped.  Wanted string values are decoded over their own escapes,
 * which are never shorter than what they decode to. */
#include "jsonl.h"

#include "utf8.h"
#include "vocx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    int kind;
    size_t off, len; /* from the line start */
    uint64_t col;
} slot;

typedef struct keyref {
    size_t off, len; /* the decoded key */
    slot v;          /* its value (strings decoded) */
} keyref;

struct vx_jsonl {
    vx_src *src;
    size_t max_rec;
    size_t scanned;     /* bytes of the current line searched for LF */
    size_t consumed;    /* bytes of the last line, dropped on the next call */
    uint64_t next_line; /* number of the line that starts at src->start */
    uint64_t line;      /* line of the current object */
    int toolong;

    const char *const *keys;
    size_t *klen;
    size_t nkeys;
    slot *slots;

    int collect;
    keyref *ck;
    size_t nck, ckcap;
    int nomem;
};

typedef struct parser {
    unsigned char *b;
    size_t n; /* line length */
    size_t i; /* current position */
    vx_jsonl *r;
    vx_diag *d;
    uint64_t line;
} parser;

/* Bytes that end a run of plain string content. */
static const unsigned char k_str[256] = {
    [0] = 1,    [1] = 1,    [2] = 1,    [3] = 1,    [4] = 1,    [5] = 1,
    [6] = 1,    [7] = 1,    [8] = 1,    [9] = 1,    [10] = 1,   [11] = 1,
    [12] = 1,   [13] = 1,   [14] = 1,   [15] = 1,   [16] = 1,   [17] = 1,
    [18] = 1,   [19] = 1,   [20] = 1,   [21] = 1,   [22] = 1,   [23] = 1,
    [24] = 1,   [25] = 1,   [26] = 1,   [27] = 1,   [28] = 1,   [29] = 1,
    [30] = 1,   [31] = 1,   ['"'] = 1, ['\\'] = 1};

int vx_jsonl_new(vx_jsonl **out, vx_src *src, size_t max_record_bytes)
{
    vx_jsonl *r = calloc(1, sizeof *r);
    *out = r;
    if (!r)
        return VOCX_ENOMEM;
    r->src = src;
    r->max_rec = max_record_bytes ? max_record_bytes : VX_DEFAULT_MAX_RECORD;
    r->next_line = 1;
    return 0;
}

void vx_jsonl_free(vx_jsonl *r)
{
    if (!r)
        return;
    free(r->klen);
    free(r->slots);
    free(r->ck);
    free(r);
}

int vx_jsonl_set_keys(vx_jsonl *r, const char *const *keys, size_t n)
{
    size_t *kl = calloc(n ? n : 1, sizeof *kl);
    slot *sl = calloc(n ? n : 1, sizeof *sl);
    if (!kl || !sl) {
        free(kl);
        free(sl);
        return VOCX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        kl[i] = strlen(keys[i]);
    free(r->klen);
    free(r->slots);
    r->keys = keys;
    r->klen = kl;
    r->slots = sl;
    r->nkeys = n;
    return 0;
}

void vx_jsonl_collect_keys(vx_jsonl *r, int on)
{
    r->collect = on; /* the current object's keys stay listed */
}

/* ---- parser ------------------------------------------------------------ */

static void describe(const parser *p, size_t at, char *out, size_t cap)
{
    if (at >= p->n)
        snprintf(out, cap, "the end of the line");
    else if (p->b[at] >= 0x20 && p->b[at] < 0x7F)
        snprintf(out, cap, "'%c'", p->b[at]);
    else
        snprintf(out, cap, "byte 0x%02X", p->b[at]);
}

/* Record a fault at byte `at` of the line; returns 0 for `return fail()`. */
static int fail(parser *p, size_t at, int reason, const char *msg)
{
    vx_diag_set(p->d, p->line, (uint64_t)at + 1, reason, "%s", msg);
    p->d->record_line = p->line;
    return 0;
}

static int fail_found(parser *p, size_t at, const char *expected)
{
    char what[32], msg[160];
    if (at < p->n && p->b[at] == 0)
        return fail(p, at, VOCX_REJECT_UTF8, "NUL byte (not allowed in JSON)");
    describe(p, at, what, sizeof what);
    snprintf(msg, sizeof msg, "invalid JSON: expected %s, found %s", expected,
             what);
    return fail(p, at, VOCX_REJECT_SYNTAX, msg);
}

static void skip_ws(parser *p)
{
    while (p->i < p->n) {
        unsigned char c = p->b[p->i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            break;
        p->i++;
    }
}

static int hex4(const parser *p, size_t at, uint32_t *v)
{
    if (p->n - at < 4 || at > p->n)
        return 0;
    uint32_t x = 0;
    for (size_t k = at; k < at + 4; k++) {
        unsigned char c = p->b[k];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10u;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10u;
        else
            return 0;
        x = x << 4 | d;
    }
    *v = x;
    return 1;
}

/* \uXXXX (and its low-surrogate twin) at p->b[at]; on success stores the
 * code point and the escape's length. */
static int unicode_escape(parser *p, size_t at, uint32_t *cp, size_t *elen)
{
    uint32_t hi, lo;
    char msg[96];
    if (!hex4(p, at + 2, &hi))
        return fail(p, at, VOCX_REJECT_SYNTAX,
                    "invalid JSON: \\u must be followed by 4 hex digits");
    if (hi >= 0xDC00 && hi <= 0xDFFF) {
        snprintf(msg, sizeof msg,
                 "invalid JSON: unpaired UTF-16 surrogate \\u%04X", hi);
        return fail(p, at, VOCX_REJECT_UTF8, msg);
    }
    if (hi < 0xD800 || hi > 0xDBFF) {
        *cp = hi;
        *elen = 6;
        return 1;
    }
    if (p->n - at < 12 || p->b[at + 6] != '\\' || p->b[at + 7] != 'u' ||
        !hex4(p, at + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
        snprintf(msg, sizeof msg,
                 "invalid JSON: unpaired UTF-16 surrogate \\u%04X", hi);
        return fail(p, at, VOCX_REJECT_UTF8, msg);
    }
    *cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    *elen = 12;
    return 1;
}

static size_t skip_plain(const unsigned char *b, size_t i, size_t n)
{
    while (n - i >= 4) {
        if (k_str[b[i]])
            return i;
        if (k_str[b[i + 1]])
            return i + 1;
        if (k_str[b[i + 2]])
            return i + 2;
        if (k_str[b[i + 3]])
            return i + 3;
        i += 4;
    }
    while (i < n && !k_str[b[i]])
        i++;
    return i;
}

/* The string whose quote is at p->i.  With `decode`, its decoded bytes
 * are written from p->i + 1 on and *dlen gets their count; *nul_at gets the
 * offset of the first \u0000 escape (or SIZE_MAX). */
static int parse_string(parser *p, int decode, size_t *dlen, size_t *nul_at)
{
    unsigned char *b = p->b;
    size_t start = p->i + 1, i = start, w = start;
    if (nul_at)
        *nul_at = SIZE_MAX;
    for (;;) {
        size_t j = skip_plain(b, i, p->n);
        if (decode && w != i)
            memmove(b + w, b + i, j - i);
        w += j - i;
        i = j;
        if (i == p->n)
            return fail(p, p->i, VOCX_REJECT_SYNTAX,
                        "invalid JSON: unterminated string");
        unsigned char c = b[i];
        if (c == '"')
            break;
        if (c == 0)
            return fail(p, i, VOCX_REJECT_UTF8, "NUL byte in a string");
        if (c < 0x20) {
            char msg[96];
            snprintf(msg, sizeof msg,
                     "invalid JSON: control character 0x%02X in a string "
                     "(must be escaped)", c);
            return fail(p, i, VOCX_REJECT_SYNTAX, msg);
        }
        /* a backslash */
        unsigned char e = i + 1 < p->n ? b[i + 1] : 0;
        uint32_t cp = 0;
        size_t elen = 2;
        switch (e) {
        case '"': case '\\': case '/': cp = e; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (!unicode_escape(p, i, &cp, &elen))
                return 0;
            if (cp == 0 && nul_at && *nul_at == SIZE_MAX)
                *nul_at = i;
            break;
        default:
            if (i + 1 >= p->n)
                return fail(p, p->i, VOCX_REJECT_SYNTAX,
                            "invalid JSON: unterminated string");
            return fail_found(p, i + 1, "an escape (one of \"\\/bfnrtu) "
                                        "after '\\'");
        }
        if (decode)
            w += (size_t)vx_utf8_encode(cp, (char *)b + w);
        i += elen;
    }
    p->i = i + 1;
    if (dlen)
        *dlen = w - start;
    return 1;
}

static int parse_number(parser *p)
{
    const unsigned char *b = p->b;
    size_t i = p->i, n = p->n;
    if (i < n && b[i] == '-')
        i++;
    if (i < n && b[i] == '0') {
        i++;
    } else if (i < n && b[i] >= '1' && b[i] <= '9') {
        while (i < n && b[i] >= '0' && b[i] <= '9')
            i++;
    } else {
        return fail_found(p, i, "a digit in the number");
    }
    if (i < n && b[i] == '.') {
        i++;
        if (i >= n || b[i] < '0' || b[i] > '9')
            return fail_found(p, i, "a digit after the decimal point");
        while (i < n && b[i] >= '0' && b[i] <= '9')
            i++;
    }
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
        i++;
        if (i < n && (b[i] == '+' || b[i] == '-'))
            i++;
        if (i >= n || b[i] < '0' || b[i] > '9')
            return fail_found(p, i, "a digit in the exponent");
        while (i < n && b[i] >= '0' && b[i] <= '9')
            i++;
    }
    p->i = i;
    return 1;
}

static int parse_literal(parser *p, const char *word, size_t len)
{
    if (p->n - p->i < len || memcmp(p->b + p->i, word, len) != 0)
        return fail(p, p->i, VOCX_REJECT_SYNTAX,
                    "invalid JSON: invalid literal (expected true, false or "
                    "null)");
    p->i += len;
    return 1;
}

static int parse_value(parser *p, int depth);

static int too_deep(parser *p)
{
    char msg[64];
    snprintf(msg, sizeof msg, "JSON nested deeper than %d levels",
             VX_JSON_MAX_DEPTH);
    return fail(p, p->i, VOCX_REJECT_SYNTAX, msg);
}

/* An object or array at p->i, at nesting level `depth` (1 = top). */
static int parse_container(parser *p, int depth)
{
    int is_obj = p->b[p->i] == '{';
    char close = is_obj ? '}' : ']';
    if (depth > VX_JSON_MAX_DEPTH)
        return too_deep(p);
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->b[p->i] == close) {
        p->i++;
        return 1;
    }
    for (;;) {
        if (is_obj) {
            if (p->i >= p->n || p->b[p->i] != '"')
                return fail_found(p, p->i, "'\"' to start an object key");
            if (!parse_string(p, 0, NULL, NULL))
                return 0;
            skip_ws(p);
            if (p->i >= p->n || p->b[p->i] != ':')
                return fail_found(p, p->i, "':' after object key");
            p->i++;
            skip_ws(p);
        }
        if (!parse_value(p, depth + 1))
            return 0;
        skip_ws(p);
        if (p->i < p->n && p->b[p->i] == ',') {
            p->i++;
            skip_ws(p);
            continue;
        }
        if (p->i < p->n && p->b[p->i] == close) {
            p->i++;
            return 1;
        }
        return fail_found(p, p->i, is_obj ? "',' or '}' after an object "
                                            "member"
                                          : "',' or ']' after an array "
                                            "element");
    }
}

/* Any value at p->i (validated, not decoded); `depth` is its level. */
static int parse_value(parser *p, int depth)
{
    if (p->i >= p->n)
        return fail_found(p, p->i, "a value");
    switch (p->b[p->i]) {
    case '{':
    case '[':
        return parse_container(p, depth);
    case '"':
        return parse_string(p, 0, NULL, NULL);
    case 't':
        return parse_literal(p, "true", 4);
    case 'f':
        return parse_literal(p, "false", 5);
    case 'n':
        return parse_literal(p, "null", 4);
    default:
        if (p->b[p->i] == '-' || (p->b[p->i] >= '0' && p->b[p->i] <= '9'))
            return parse_number(p);
        return fail_found(p, p->i, "a value");
    }
}

static int kind_of(unsigned char c)
{
    switch (c) {
    case '{': return VX_JSON_OBJECT;
    case '[': return VX_JSON_ARRAY;
    case '"': return VX_JSON_STRING;
    case 't': return VX_JSON_TRUE;
    case 'f': return VX_JSON_FALSE;
    case 'n': return VX_JSON_NULL;
    default: return VX_JSON_NUMBER;
    }
}

static void collect_key(vx_jsonl *r, size_t off, size_t len, const slot *v)
{
    if (r->nck >= VX_JSONL_MAX_KEYS)
        return;
    if (r->nck == r->ckcap) {
        size_t ncap = r->ckcap ? r->ckcap * 2 : 16;
        keyref *k = realloc(r->ck, ncap * sizeof *k);
        if (!k) {
            r->nomem = 1;
            return;
        }
        r->ck = k;
        r->ckcap = ncap;
    }
    r->ck[r->nck].off = off;
    r->ck[r->nck].len = len;
    r->ck[r->nck].v = *v;
    r->nck++;
}

static int nul_in_key(parser *p, size_t at, const char *key)
{
    char name[128], msg[256];
    vx_diag_name(name, sizeof name, key, strlen(key));
    snprintf(msg, sizeof msg, "NUL character (\\u0000) in key \"%s\"", name);
    return fail(p, at, VOCX_REJECT_UTF8, msg);
}

/* The value of a top-level member into *s (NULL: validate only).  `want`
 * is the wanted slot it fills, or SIZE_MAX; only a wanted string rejects
 * the line for a \u0000. */
static int member_value(parser *p, slot *s, size_t want)
{
    size_t at = p->i;
    if (!s || p->i >= p->n || p->b[p->i] != '"') {
        if (!parse_value(p, 2))
            return 0;
        if (s) {
            s->kind = kind_of(p->b[at]);
            s->off = at;
            s->len = p->i - at;
            s->col = at + 1;
        }
        return 1;
    }
    size_t dlen, nul_at;
    if (!parse_string(p, 1, &dlen, &nul_at))
        return 0;
    if (nul_at != SIZE_MAX && want != SIZE_MAX)
        return nul_in_key(p, nul_at, p->r->keys[want]);
    s->kind = VX_JSON_STRING;
    s->off = at + 1;
    s->len = dlen;
    s->col = at + 1;
    return 1;
}

/* One top-level member: "key": value. */
static int parse_member(parser *p)
{
    vx_jsonl *r = p->r;
    if (p->i >= p->n || p->b[p->i] != '"')
        return fail_found(p, p->i, "'\"' to start an object key");
    size_t koff = p->i + 1, klen;
    if (!parse_string(p, 1, &klen, NULL))
        return 0;
    p->b[koff + klen] = '\0'; /* at or before the closing quote */
    skip_ws(p);
    if (p->i >= p->n || p->b[p->i] != ':')
        return fail_found(p, p->i, "':' after object key");
    p->i++;
    skip_ws(p);
    size_t want = SIZE_MAX;
    for (size_t k = 0; k < r->nkeys && want == SIZE_MAX; k++)
        if (r->klen[k] == klen && memcmp(r->keys[k], p->b + koff, klen) == 0)
            want = k;
    slot tmp = {VX_JSON_ABSENT, 0, 0, 0};
    slot *dst = want != SIZE_MAX ? &r->slots[want] : r->collect ? &tmp : NULL;
    if (!member_value(p, dst, want))
        return 0;
    /* The same name may be wanted twice: parse once, copy the slot. */
    for (size_t k = want + 1; want != SIZE_MAX && k < r->nkeys; k++)
        if (r->klen[k] == klen && memcmp(r->keys[k], p->b + koff, klen) == 0)
            r->slots[k] = r->slots[want];
    if (r->collect)
        collect_key(r, koff, klen, dst);
    return 1;
}

/* The line starts with something other than '{': name what it is when it
 * looks like another JSON value, else say what was expected. */
static int not_an_object(parser *p)
{
    static const char *const names[] = {"", "null", "false", "true",
                                        "a number", "a string", "an array"};
    static const char *const words[] = {"", "null", "false", "true"};
    unsigned char c = p->b[p->i];
    int k = kind_of(c);
    int plausible = c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9');
    if (k >= VX_JSON_NULL && k <= VX_JSON_TRUE) {
        size_t wl = strlen(words[k]);
        plausible = p->n - p->i >= wl && memcmp(p->b + p->i, words[k], wl) == 0;
    }
    if (!plausible)
        return fail_found(p, p->i, "'{' (each line must be a JSON object)");
    char msg[64];
    snprintf(msg, sizeof msg, "line is not a JSON object (found %s)",
             names[k]);
    return fail(p, p->i, VOCX_REJECT_SYNTAX, msg);
}

static int parse_line(parser *p)
{
    vx_jsonl *r = p->r;
    size_t bad = vx_utf8_check((const char *)p->b, p->n);
    if (bad != p->n) {
        char why[96], msg[160];
        vx_utf8_describe((const char *)p->b, p->n, bad, why, sizeof why);
        snprintf(msg, sizeof msg, "invalid UTF-8 (%s)", why);
        return fail(p, bad, VOCX_REJECT_UTF8, msg);
    }
    for (size_t k = 0; k < r->nkeys; k++)
        r->slots[k].kind = VX_JSON_ABSENT;
    r->nck = 0;
    skip_ws(p);
    if (p->b[p->i] != '{')
        return not_an_object(p);
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->b[p->i] == '}') {
        p->i++;
    } else {
        for (;;) {
            if (!parse_member(p))
                return 0;
            skip_ws(p);
            if (p->i < p->n && p->b[p->i] == ',') {
                p->i++;
                skip_ws(p);
                continue;
            }
            if (p->i < p->n && p->b[p->i] == '}') {
                p->i++;
                break;
            }
            return fail_found(p, p->i, "',' or '}' after an object member");
        }
    }
    skip_ws(p);
    if (p->i < p->n)
        return fail_found(p, p->i, "the end of the line after the object");
    /* Terminate the values now that nothing more is parsed: the byte after
     * a number or raw object is a delimiter, already read. */
    for (size_t k = 0; k < r->nkeys; k++)
        if (r->slots[k].kind > VX_JSON_NULL)
            p->b[r->slots[k].off + r->slots[k].len] = '\0';
    for (size_t k = 0; k < r->nck; k++)
        if (r->ck[k].v.kind > VX_JSON_NULL)
            p->b[r->ck[k].v.off + r->ck[k].v.len] = '\0';
    return 1;
}

static int blank(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r')
            return 0;
    return 1;
}

/* ---- line splitting ---------------------------------------------------- */

static int reject_toolong(vx_jsonl *r, vx_diag *d)
{
    vx_diag_set(d, r->line, 0, VOCX_REJECT_TOOLONG,
                "line longer than the limit of %zu bytes (max_record_bytes); "
                "skipped",
                r->max_rec);
    d->record_line = r->line;
    return 2;
}

static int io_fail(const vx_jsonl *r, vx_diag *d, int rc)
{
    vx_diag_set(d, r->next_line, 0, 0, "%s",
                rc == VOCX_ENOMEM ? "out of memory" : "read error");
    return rc;
}

/* Find the next line: *len gets its length without the LF.  Returns 1, 0
 * at the end of input, or a negative code. */
static int next_line(vx_jsonl *r, vx_diag *d, size_t *len)
{
    vx_src *s = r->src;
    int rc;
    if (!s->buf && (rc = vx_src_more(s)) < 0) /* nothing read yet */
        return io_fail(r, d, rc);
    for (;;) {
        size_t n = s->end - s->start;
        const char *b = s->buf + s->start;
        const char *nl = n > r->scanned
                             ? memchr(b + r->scanned, '\n', n - r->scanned)
                             : NULL;
        if (nl) {
            *len = (size_t)(nl - b);
            r->consumed = *len + 1;
            break;
        }
        if (s->eof) {
            if (n == 0 && !r->toolong)
                return 0;
            *len = n;
            r->consumed = n;
            break;
        }
        r->scanned = n;
        if (!r->toolong && n > r->max_rec)
            r->toolong = 1;
        if (r->toolong) { /* drop what we have of an over-long line */
            s->start += n;
            r->scanned = 0;
        }
        if ((rc = vx_src_more(s)) < 0)
            return io_fail(r, d, rc);
    }
    r->scanned = 0;
    r->line = r->next_line++;
    return 1;
}

int vx_jsonl_next(vx_jsonl *r, vx_diag *d)
{
    vx_src *s = r->src;
    for (;;) {
        s->start += r->consumed;
        r->consumed = 0;
        size_t len;
        int rc = next_line(r, d, &len);
        if (rc <= 0)
            return rc;
        if (r->toolong || len > r->max_rec) {
            r->toolong = 0;
            return reject_toolong(r, d);
        }
        unsigned char *b = (unsigned char *)s->buf + s->start;
        if (len && b[len - 1] == '\r')
            len--;
        if (blank(b, len))
            continue;
        parser p = {b, len, 0, r, d, r->line};
        r->nomem = 0;
        int ok = parse_line(&p);
        if (r->nomem) {
            vx_diag_set(d, r->line, 0, 0, "out of memory");
            return VOCX_ENOMEM;
        }
        return ok ? 1 : 2;
    }
}

uint64_t vx_jsonl_line(const vx_jsonl *r)
{
    return r->line;
}

int vx_jsonl_value(const vx_jsonl *r, size_t i, const char **val,
                   size_t *len, uint64_t *col)
{
    const slot *s = i < r->nkeys ? &r->slots[i] : NULL;
    if (!s || s->kind <= VX_JSON_NULL) {
        *val = NULL;
        *len = 0;
        *col = s && s->kind == VX_JSON_NULL ? s->col : 0;
        return s ? s->kind : VX_JSON_ABSENT;
    }
    *val = r->src->buf + r->src->start + s->off;
    *len = s->len;
    *col = s->col;
    return s->kind;
}

size_t vx_jsonl_nkeys(const vx_jsonl *r)
{
    return r->nck;
}

const char *vx_jsonl_key(const vx_jsonl *r, size_t i, size_t *len)
{
    if (i >= r->nck) {
        *len = 0;
        return NULL;
    }
    *len = r->ck[i].len;
    return r->src->buf + r->src->start + r->ck[i].off;
}

int vx_jsonl_refill(vx_jsonl *r, vx_diag *d)
{
    for (size_t k = 0; k < r->nkeys; k++) {
        slot *s = &r->slots[k];
        s->kind = VX_JSON_ABSENT;
        for (size_t m = 0; m < r->nck; m++) {
            const keyref *c = &r->ck[m];
            if (c->len == r->klen[k] &&
                memcmp(r->src->buf + r->src->start + c->off, r->keys[k],
                       c->len) == 0)
                *s = c->v; /* the last one wins */
        }
        if (s->kind == VX_JSON_STRING &&
            memchr(r->src->buf + r->src->start + s->off, '\0', s->len)) {
            parser p = {(unsigned char *)r->src->buf + r->src->start, 0, 0,
                        r, d, r->line};
            return nul_in_key(&p, s->col - 1, r->keys[k]) ? 1 : 2;
        }
    }
    return 1;
}
