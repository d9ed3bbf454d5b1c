/* Strict UTF-8 validation (RFC 3629), see utf8.h. */
#include "utf8.h"

#include <stdio.h>
#include <string.h>

/* Allowed range of the second byte for each lead byte (Table 3-7 of the
 * Unicode standard); the third and fourth bytes are always 80..BF. */
static int second_range(unsigned char lead, unsigned char *lo,
                        unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (lead < 0xC2 || lead > 0xF4)
        return 0;
    if (lead < 0xE0)
        return 2;
    if (lead < 0xF0) {
        if (lead == 0xE0)
            *lo = 0xA0; /* E0 80..9F would be overlong */
        else if (lead == 0xED)
            *hi = 0x9F; /* ED A0..BF encodes surrogates */
        return 3;
    }
    if (lead == 0xF0)
        *lo = 0x90; /* F0 80..8F would be overlong */
    else if (lead == 0xF4)
        *hi = 0x8F; /* F4 90.. is above U+10FFFF */
    return 4;
}

/* Length of the valid multi-byte sequence at p (lead byte >= 0x80), or 0. */
static int seq_len(const unsigned char *p, size_t avail)
{
    unsigned char lo, hi;
    int n = second_range(p[0], &lo, &hi);
    if (n == 0 || avail < (size_t)n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

#define HIGH_BITS 0x8080808080808080ULL

size_t vx_utf8_check(const char *s, size_t len)
{
    const unsigned char *b = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (b[i] < 0x80) {
            /* ASCII run: eight bytes per step while no high bit is set. */
            while (len - i >= 8) {
                uint64_t w;
                memcpy(&w, b + i, 8);
                if (w & HIGH_BITS)
                    break;
                i += 8;
            }
            while (i < len && b[i] < 0x80)
                i++;
            continue;
        }
        int n = seq_len(b + i, len - i);
        if (n == 0)
            return i;
        i += (size_t)n;
    }
    return len;
}

int vx_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    if (len == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    int n = seq_len(p, len);
    if (n == 2)
        *cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    else if (n == 3)
        *cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 |
              (p[2] & 0x3F);
    else if (n == 4)
        *cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
              (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
    return n;
}

int vx_utf8_encode(uint32_t cp, char out[4])
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF)
        return 0;
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Why the second byte is out of range for this lead byte, or NULL. */
static const char *second_byte_problem(unsigned char lead, unsigned char b)
{
    if (b < 0x80 || b > 0xBF)
        return NULL; /* not a continuation byte at all */
    if (lead == 0xE0 || lead == 0xF0)
        return " (overlong encoding)";
    if (lead == 0xED)
        return " (UTF-16 surrogate)";
    if (lead == 0xF4)
        return " (above U+10FFFF)";
    return NULL;
}

void vx_utf8_describe(const char *s, size_t len, size_t off, char *out,
                      size_t cap)
{
    const unsigned char *p = (const unsigned char *)s + off;
    size_t avail = off < len ? len - off : 0;
    if (cap == 0)
        return;
    if (avail == 0) {
        snprintf(out, cap, "no invalid byte");
        return;
    }
    unsigned char lead = p[0], lo, hi;
    if (lead < 0x80) {
        snprintf(out, cap, "byte 0x%02X (valid)", lead);
        return;
    }
    if (lead <= 0xBF) {
        snprintf(out, cap, "unexpected continuation byte 0x%02X", lead);
        return;
    }
    if (lead == 0xC0 || lead == 0xC1) {
        if (avail > 1)
            snprintf(out, cap, "byte 0x%02X followed by 0x%02X (overlong "
                               "encoding)", lead, p[1]);
        else
            snprintf(out, cap, "byte 0x%02X (overlong encoding)", lead);
        return;
    }
    int n = second_range(lead, &lo, &hi);
    if (n == 0) {
        snprintf(out, cap, "byte 0x%02X (never valid in UTF-8)", lead);
        return;
    }
    /* Count the bytes of the sequence that are fine before the fault. */
    size_t good = 1;
    const char *why = "";
    while (good < (size_t)n && good < avail) {
        unsigned char b = p[good];
        int ok = good == 1 ? (b >= lo && b <= hi) : (b & 0xC0) == 0x80;
        if (!ok) {
            if (good == 1 && second_byte_problem(lead, b))
                why = second_byte_problem(lead, b);
            break;
        }
        good++;
    }
    char head[32];
    if (good == 1)
        snprintf(head, sizeof head, "byte 0x%02X", lead);
    else if (good == 2)
        snprintf(head, sizeof head, "bytes 0x%02X 0x%02X", lead, p[1]);
    else
        snprintf(head, sizeof head, "bytes 0x%02X 0x%02X 0x%02X", lead, p[1],
                 p[2]);
    if (good >= avail)
        snprintf(out, cap, "%s at the end (truncated sequence)", head);
    else
        snprintf(out, cap, "%s followed by 0x%02X%s", head, p[good], why);
}
