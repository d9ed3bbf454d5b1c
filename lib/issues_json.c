/* A small JSON reader for classifications.issues: only what ranking needs,
 * the id that starts each element, without building a tree. */
#include "issues_json.h"

#include <stdint.h>
#include <string.h>

void vx_issue_iter_init(vx_issue_iter *it, const char *json, size_t len)
{
    it->p = json;
    it->end = json + len;
    it->state = 0;
}

static void skip_ws(vx_issue_iter *it)
{
    while (it->p < it->end && (*it->p == ' ' || *it->p == '\t' ||
                               *it->p == '\n' || *it->p == '\r'))
        it->p++;
}

static int hex4(const char *p, const char *end, uint32_t *v)
{
    if (end - p < 4)
        return -1;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (uint32_t)d;
    }
    return 0;
}

/* Append one byte to out (or mark it too long). */
static void put(char *out, size_t *n, int *too_long, char c)
{
    if (!out)
        return;
    if (*n < VX_ISSUE_ID_MAX)
        out[(*n)++] = c;
    else
        *too_long = 1;
}

static void put_utf8(char *out, size_t *n, int *too_long, uint32_t cp)
{
    if (cp < 0x80) {
        put(out, n, too_long, (char)cp);
    } else if (cp < 0x800) {
        put(out, n, too_long, (char)(0xC0 | cp >> 6));
        put(out, n, too_long, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        put(out, n, too_long, (char)(0xE0 | cp >> 12));
        put(out, n, too_long, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put(out, n, too_long, (char)(0x80 | (cp & 0x3F)));
    } else {
        put(out, n, too_long, (char)(0xF0 | cp >> 18));
        put(out, n, too_long, (char)(0x80 | ((cp >> 12) & 0x3F)));
        put(out, n, too_long, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put(out, n, too_long, (char)(0x80 | (cp & 0x3F)));
    }
}

/* A string at it->p (on its opening quote), decoded into out when out is
 * not NULL; *len gets its length, *too_long whether it did not fit. */
static int read_string(vx_issue_iter *it, char *out, size_t *len,
                       int *too_long)
{
    size_t n = 0;
    *too_long = 0;
    if (it->p >= it->end || *it->p != '"')
        return -1;
    it->p++;
    while (it->p < it->end) {
        unsigned char c = (unsigned char)*it->p++;
        if (c == '"') {
            if (out)
                out[n] = '\0';
            *len = n;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c != '\\') {
            put(out, &n, too_long, (char)c);
            continue;
        }
        if (it->p >= it->end)
            return -1;
        char e = *it->p++;
        uint32_t cp;
        switch (e) {
        case '"': case '\\': case '/':
            put(out, &n, too_long, e);
            break;
        case 'b': put(out, &n, too_long, '\b'); break;
        case 'f': put(out, &n, too_long, '\f'); break;
        case 'n': put(out, &n, too_long, '\n'); break;
        case 'r': put(out, &n, too_long, '\r'); break;
        case 't': put(out, &n, too_long, '\t'); break;
        case 'u':
            if (hex4(it->p, it->end, &cp))
                return -1;
            it->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                uint32_t lo;
                if (it->end - it->p >= 6 && it->p[0] == '\\' &&
                    it->p[1] == 'u' && !hex4(it->p + 2, it->end, &lo) &&
                    lo >= 0xDC00 && lo <= 0xDFFF) {
                    it->p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
            }
            if (cp == 0) {
                /* SQLite's JSON functions end a string's value at \u0000:
                 * the rest is read, not kept */
                if (out)
                    out[n] = '\0';
                out = NULL;
                break;
            }
            /* a lone surrogate is kept as its 3 bytes, as SQLite's JSON
             * functions read it */
            put_utf8(out, &n, too_long, cp);
            break;
        default:
            return -1;
        }
    }
    return -1;
}

/* Skip any JSON value: strings, numbers, literals, nested containers. */
/* The bytes that end a number or literal (NUL too, as strchr found it in
 * its set before): a switch, as this runs on every digit of the spans. */
static int ends_scalar(char c)
{
    switch (c) {
    case ',': case ':': case ']': case '}': case ' ': case '\t': case '\n':
    case '\r': case '"': case '[': case '{': case '\0':
        return 1;
    default:
        return 0;
    }
}

static int skip_value(vx_issue_iter *it)
{
    size_t len;
    int tl, depth = 0;
    do {
        skip_ws(it);
        if (it->p >= it->end)
            return -1;
        char c = *it->p;
        if (c == '"') {
            if (read_string(it, NULL, &len, &tl))
                return -1;
        } else if (c == '[' || c == '{') {
            depth++;
            it->p++;
        } else if (c == ']' || c == '}') {
            if (depth == 0)
                return -1;
            depth--;
            it->p++;
        } else if (c == ',' || c == ':') {
            if (depth == 0)
                return -1;
            it->p++;
        } else {
            const char *a = it->p;
            while (it->p < it->end && !ends_scalar(*it->p))
                it->p++;
            if (it->p == a)
                return -1;
        }
    } while (depth > 0);
    return 0;
}

int vx_issue_next(vx_issue_iter *it, char id[VX_ISSUE_ID_MAX + 1])
{
    id[0] = '\0';
    if (it->state == 2)
        return 0;
    skip_ws(it);
    if (it->state == 0) {
        if (it->p >= it->end || *it->p != '[')
            return -1;
        it->p++;
        skip_ws(it);
        if (it->p < it->end && *it->p == ']') {
            it->p++;
            it->state = 2;
            return 0;
        }
        it->state = 1;
    }
    if (it->p >= it->end || *it->p != '[')
        return -1;
    it->p++;
    skip_ws(it);
    if (it->p < it->end && *it->p == ']') {
        it->p++; /* [] has no id */
    } else {
        /* the id is the first item, when it is a string (as SQLite's
         * json_extract(element, '$[0]') reads it); the rest is skipped */
        if (it->p < it->end && *it->p == '"') {
            size_t n;
            int tl;
            if (read_string(it, id, &n, &tl))
                return -1;
            if (tl)
                id[0] = '\0';
        } else if (skip_value(it)) {
            return -1;
        }
        for (;;) {
            skip_ws(it);
            if (it->p < it->end && *it->p == ',') {
                it->p++;
                if (skip_value(it))
                    return -1;
                continue;
            }
            if (it->p < it->end && *it->p == ']') {
                it->p++;
                break;
            }
            return -1;
        }
    }
    skip_ws(it);
    if (it->p < it->end && *it->p == ',') {
        it->p++;
        return 1;
    }
    if (it->p < it->end && *it->p == ']') {
        it->p++;
        skip_ws(it);
        if (it->p != it->end)
            return -1;
        it->state = 2;
        return 1;
    }
    return -1;
}
