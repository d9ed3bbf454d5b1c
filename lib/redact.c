/*
 * PII redaction: one pass over the bytes of a comment, replacing e-mail
 * addresses, phone numbers, payment card numbers and IBANs by [EMAIL],
 * [PHONE], [CARD] and [IBAN].
 *
 * Why hand-written rather than PCRE2: the decisions that separate a phone
 * number from a date, an order number or a card are not regular (Luhn and
 * mod-97 checksums, digit counts across groups, the word before a number,
 * "longest prefix that is valid"), so regexes would only find candidates
 * and C would still judge them -- at the price of several passes, one per
 * pattern.  One scanner that looks at each byte about once is simpler to
 * reason about, cannot backtrack catastrophically, and runs at memory
 * speed on the common comment (see the precheck).
 *
 * Recognition rules (docs/privacy.md explains them for users)
 * -------------------------------------------------------------
 * Characters.  Everything is decided on ASCII: a "word character" is
 * [A-Za-z0-9_].  Bytes >= 0x80 (any non-ASCII character, and invalid
 * UTF-8) are never part of a match and count as boundaries, so text in any
 * script can surround PII and invalid bytes are copied untouched.  Matches
 * never start inside a word or glued to one: "A-1029384", "v1.2.3",
 * "1Z999AA10123456784" are never looked at as numbers.
 *
 * Precheck.  A text without '@' (for e-mail) and with fewer than 7 ASCII
 * digits (for the others: every phone, card and IBAN has at least 7) is
 * returned unchanged after a memchr and a digit count.
 *
 * E-mail: local@domain.
 *  - local: 1-64 bytes of [A-Za-z0-9._%+'-] and Latin letters U+00C0 to
 *    U+024F (jürgen@), not ending with '.', starting at the first letter or
 *    digit after the nearest character outside that set (or after "..");
 *  - domain: at least two labels of [A-Za-z0-9-] and those Latin letters
 *    (1-63 bytes each, no leading or trailing '-') joined by single dots,
 *    at most 253 bytes; the last label (the TLD) is 2+ ASCII letters or an
 *    "xn--" label; a final '.' ends the sentence, not the address;
 *  - not followed by a word character or '@'.
 *  Other scripts end an address, so "メールはjohn@example.comです" keeps
 *  its Japanese text.  Not caught: "user at example dot com" and other
 *  obfuscations, addresses in non-Latin scripts, quoted local parts, IP
 *  literals.
 *
 * Numbers.  A candidate starts at a boundary with a digit, '+' or '(' and
 * is a run of digit groups joined by one separator each: space, no-break
 * space (U+00A0, U+202F, U+2009, U+2007), '-', U+2010/U+2011, '.' or '/'.
 * A group may be parenthesized, "(415)" or "(0)", with 1-5 digits; a
 * parenthesized group may be followed by digits directly, "(0)20".  At most
 * 12 groups are considered.  A candidate is not taken when the character
 * before it is a word character, '@', '#', '+' or '$', or '-', '/', '.',
 * ':' or ',' glued to a digit (or '-', '/' glued to a letter); nor when the
 * character after it is a word character, '@', ':' before a digit, or a
 * local-part character leading to an '@' (the address owns it).
 *
 *  Dates first: three groups joined by the same '-', '.' or '/' (and not
 *  followed by a fourth joined the same way, as in 06.12.34.56.78) that
 *  read as Y-M-D (4, 1-2, 1-2 digits) or D.M.Y / M/D/Y (1-2, 1-2, 4 or 2
 *  digits) with month 1-12 and day 1-31 are a date: at the start of a run
 *  the date is skipped (2024-03-15, 15.03.2024, 03/15/2024, also before a
 *  time); later in a run it ends the run ("0301234567 15.03.2024").
 *
 *  Card (tried before phone): 13-19 digits, the first 2-6 (the IIN ranges
 *  of Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro),
 *  Luhn valid; no '+' or parentheses; either one unbroken group or groups
 *  joined all by spaces or all by dashes with a first group of 4 digits,
 *  middle groups of 3-6 and a last group of 1-6 (4-4-4-4, 4-6-5, 4-4-4-4-3).
 *
 *  IBAN (found at its check digits: 2 letters at a boundary, then 2
 *  digits): a country in the IBAN registry, check digits 02-98, then exactly the country's length of letters and
 *  digits, either unbroken or in groups of 4 separated by single spaces
 *  (the printed form); case-insensitive; ISO 7064 mod-97 must be 1.  A
 *  string of that shape with a wrong checksum is skipped as a whole, so
 *  its digits are never re-read as a phone or card.
 *
 *  Phone: the longest run of groups from the start (shortened group by
 *  group) that satisfies, with "digits" not counting a "(0)" trunk after
 *  the first group, at most one single-digit group, and no single-digit
 *  last group:
 *   - '+' then 7-15 digits (E.164);                    +44 20 7946 0958
 *   - a first parenthesized group of 2-5 digits and 7-15 digits in all;
 *                                                      (415) 555-0132
 *  or, unless the word before it marks another kind of number (order,
 *  invoice, tracking, ref, ticket, account, customer, id, sku, ...; also
 *  "order number", "ref no"):
 *   - "00", a non-zero digit, then 7-15 digits;        0049 30 1234567
 *   - '0', a non-zero digit, 9-13 digits in all;       030/1234567
 *   - North American 3-3-4 (optionally after "1") with one separator
 *     kind among space, '-', '.', area code and exchange 2-9;
 *                                                      415-555-0132
 *   - any 7-15 digits when one of the four words before it is a phone
 *     word (tel, phone, mobile, cell, fax, call, whatsapp, sms, ...) and
 *     no other-number word comes in between.         call me on 555 0132
 *  So "order 123456789", times (10:30), prices ($1,299.99), version
 *  strings and tracking numbers are left alone.
 *
 * When a candidate fails, scanning resumes after its first group (and the
 * rest of a word glued to it), so "Room 12 0301234567" still finds the
 * phone, while dates and IBAN-shaped strings are skipped whole.
 *
 * Kinds not asked for are still recognized (and left as they are), so a
 * card is never reported as a phone because cards were not requested.
 *
 * Cost: linear.  The precheck counts digits 8 bytes at a time; the scan
 * jumps through a byte table to the next digit, '+', '(' or '@' (memchr
 * when only e-mail is asked for).  Every candidate is bounded (64-byte
 * local parts, 253-byte domains, 34-character IBANs, 12 groups), the word
 * look-back reads at most four short words, and a failed run is re-read at
 * most 12 times.  The buffer is written only once something is replaced.
 */
#include "redact.h"

#include "vocx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 12
#define LOCAL_MAX 64
#define LABEL_MAX 63
#define DOMAIN_MAX 253
#define IBAN_MAX 34

#define NUMBER_KINDS (VOCX_REDACT_PHONE | VOCX_REDACT_CARD | VOCX_REDACT_IBAN)

/* Separator classes. */
enum { SEP_NONE, SEP_SPACE, SEP_DASH, SEP_DOT, SEP_SLASH };

/* What the words before a number say about it. */
enum { CTX_UNKNOWN = -1, CTX_NONE = 0, CTX_PHONE, CTX_OTHER };

typedef struct grp {
    size_t ds, de; /* digits [ds, de) */
    size_t ge;     /* end of the group, after a ')' */
    int paren;     /* written "(...)" */
    int sep;       /* separator class before it (SEP_NONE for the first) */
} grp;

typedef struct run {
    int plus; /* starts with '+' */
    size_t ng;
    grp g[MAX_GROUPS];
} run;

typedef struct scan {
    const unsigned char *s;
    size_t n;
    size_t floor;  /* end of the last recognized span: never looked behind */
    vx_redact_buf *out;
    size_t copied; /* input before this is in out (once count > 0) */
    size_t count;
} scan;

static int is_digit(unsigned c) { return c - '0' < 10u; }
static int is_alpha(unsigned c) { return (c | 32u) - 'a' < 26u; }
static int is_alnum(unsigned c) { return is_digit(c) || is_alpha(c); }
static int is_word(unsigned c) { return is_alnum(c) || c == '_'; }
static int is_local(unsigned c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
           c == '-' || c == '\'';
}
static unsigned upper(unsigned c) { return is_alpha(c) ? (c & ~32u) : c; }

/* 2 when s[p] starts a Latin letter U+00C0..U+024F (not U+00D7, U+00F7),
 * else 0. */
static size_t latin_at(const unsigned char *s, size_t n, size_t p)
{
    if (p + 1 >= n || s[p] < 0xC3 || s[p] > 0xC9 || (s[p + 1] & 0xC0) != 0x80)
        return 0;
    if (s[p] == 0xC3 && (s[p + 1] == 0x97 || s[p + 1] == 0xB7))
        return 0;
    if (s[p] == 0xC9 && s[p + 1] > 0x8F) /* past U+024F */
        return 0;
    return 2;
}

/* The byte at k, or 0 outside [floor, n). */
static unsigned at(const scan *sc, size_t k)
{
    return k >= sc->floor && k < sc->n ? sc->s[k] : 0;
}

static size_t skip_word(const scan *sc, size_t k)
{
    while (k < sc->n && is_word(sc->s[k]))
        k++;
    return k;
}

/* Length (0: none) and class of a group separator at s[k]. */
static size_t sep_at(const unsigned char *s, size_t n, size_t k, int *cls)
{
    if (k >= n)
        return 0;
    switch (s[k]) {
    case ' ':
        *cls = SEP_SPACE;
        return 1;
    case '-':
        *cls = SEP_DASH;
        return 1;
    case '.':
        *cls = SEP_DOT;
        return 1;
    case '/':
        *cls = SEP_SLASH;
        return 1;
    case 0xC2: /* U+00A0 no-break space */
        if (k + 1 < n && s[k + 1] == 0xA0) {
            *cls = SEP_SPACE;
            return 2;
        }
        return 0;
    case 0xE2:
        if (k + 2 < n && s[k + 1] == 0x80) {
            unsigned c = s[k + 2];
            /* U+2007 figure, U+2009 thin, U+202F narrow no-break space */
            if (c == 0x87 || c == 0x89 || c == 0xAF) {
                *cls = SEP_SPACE;
                return 3;
            }
            /* U+2010 hyphen, U+2011 non-breaking hyphen */
            if (c == 0x90 || c == 0x91) {
                *cls = SEP_DASH;
                return 3;
            }
        }
        return 0;
    default:
        return 0;
    }
}

/* ---- output ---------------------------------------------------------- */

static int reserve(vx_redact_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - 1 - b->len)
        return VOCX_ENOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return VOCX_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return VOCX_ENOMEM;
    b->data = p;
    b->cap = cap;
    return VOCX_OK;
}

static int append(vx_redact_buf *b, const void *p, size_t len)
{
    if (reserve(b, len))
        return VOCX_ENOMEM;
    if (len)
        memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return VOCX_OK;
}

/* Replace [st, en) by the placeholder of `kind`. */
static int emit(scan *sc, size_t st, size_t en, unsigned kind)
{
    const char *tag = kind == VOCX_REDACT_EMAIL   ? "[EMAIL]"
                      : kind == VOCX_REDACT_PHONE ? "[PHONE]"
                      : kind == VOCX_REDACT_CARD  ? "[CARD]"
                                                  : "[IBAN]";
    vx_redact_buf *b = sc->out;
    if (sc->count == 0) {
        b->len = 0;
        /* Room for the whole text once: placeholders rarely grow it. */
        if (reserve(b, sc->n + 16))
            return VOCX_ENOMEM;
    }
    if (append(b, sc->s + sc->copied, st - sc->copied) ||
        append(b, tag, strlen(tag)))
        return VOCX_ENOMEM;
    sc->copied = en;
    sc->count++;
    return VOCX_OK;
}

/* ---- boundaries and context -------------------------------------------- */

/* May a number or IBAN start at k? */
static int left_ok(const scan *sc, size_t k)
{
    unsigned p = at(sc, k - 1);
    if (is_word(p) || p == '@' || p == '#' || p == '+' || p == '$')
        return 0;
    if (p == '-' || p == '/' || p == '.' || p == ':' || p == ',') {
        unsigned q = at(sc, k - 2);
        if (is_digit(q))
            return 0; /* 1,299  10:30  1.2.3  12/25 */
        if (is_alpha(q) && (p == '-' || p == '/'))
            return 0; /* A-1029384  ID/123 */
    }
    return 1;
}

/* May a number, card or IBAN end at e? */
static int right_ok(const scan *sc, size_t e)
{
    const unsigned char *s = sc->s;
    size_t n = sc->n;
    if (e >= n)
        return 1;
    unsigned c = s[e];
    if (is_word(c) || c == '@')
        return 0;
    if (c == ':' && e + 1 < n && is_digit(s[e + 1]))
        return 0;
    if (is_local(c)) {
        /* "...4567.doe@example.com": part of an address's local part. */
        size_t q = e;
        while (q < n && q - e <= LOCAL_MAX && is_local(s[q]))
            q++;
        if (q < n && s[q] == '@')
            return 0;
    }
    return 1;
}

enum { W_NONE, W_PHONE, W_OTHER, W_NUMBER };

static int in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0)
            return 1;
    return 0;
}

static int word_kind(const char *w)
{
    static const char *const phone[] = {
        "tel", "tele", "telephone", "telefon", "telefono", "phone", "ph",
        "phoned", "mobile", "mob", "cell", "cellphone", "fax", "call",
        "called", "calling", "ring", "whatsapp", "sms", "text", "dial",
        "reach", "contact", "handy", "tlf", "movil", "portable", "hotline",
        NULL};
    static const char *const other[] = {
        "order", "orders", "invoice", "inv", "tracking", "track",
        "shipment", "parcel", "package", "ref", "reference", "ticket",
        "case", "account", "acct", "customer", "id", "sku", "item", "po",
        "receipt", "transaction", "txn", "confirmation", "booking",
        "reservation", "serial", "code", "pin", "zip", "postcode", "member",
        "membership", "voucher", "coupon", "policy", "claim", "contract",
        "version", "build", "isbn", "ean", "upc", "imei", "bestellung",
        "rechnung", "sendung", "commande", "facture", "pedido", "factura",
        NULL};
    static const char *const number[] = {"number", "no", "nr", "num", "nbr",
                                         "nummer", "numero", NULL};
    if (in_list(w, phone))
        return W_PHONE;
    if (in_list(w, other))
        return W_OTHER;
    if (in_list(w, number))
        return W_NUMBER;
    return W_NONE;
}

/* Read the words before a number at k (at most four, each at most 15
 * letters, separated by at most 4 of " \t:.,#-('"). */
static int context(const scan *sc, size_t k)
{
    const unsigned char *s = sc->s;
    size_t p = k;
    int first = W_NONE;
    for (int w = 0; w < 4; w++) {
        for (int gap = 0; gap < 4 && p > sc->floor; gap++) {
            unsigned c = s[p - 1];
            if (c != ' ' && c != '\t' && c != ':' && c != '.' && c != ',' &&
                c != '#' && c != '-' && c != '(' && c != '\'')
                break;
            p--;
        }
        size_t we = p;
        while (p > sc->floor && we - p < 16 && is_alpha(s[p - 1]))
            p--;
        if (p == we || we - p > 15 || (p > sc->floor && is_word(s[p - 1])))
            break;
        char word[16];
        for (size_t i = 0; i < we - p; i++)
            word[i] = (char)(s[p + i] | 32u);
        word[we - p] = '\0';
        int kd = word_kind(word);
        if (w == 0) {
            if (kd == W_PHONE)
                return CTX_PHONE;
            if (kd == W_OTHER)
                return CTX_OTHER;
            first = kd;
            continue;
        }
        if (w == 1 && first == W_NUMBER) /* "order no", "phone number" */
            return kd == W_PHONE ? CTX_PHONE
                   : kd == W_OTHER ? CTX_OTHER
                                   : CTX_NONE;
        if (kd == W_OTHER)
            return CTX_NONE;
        if (kd == W_PHONE)
            return CTX_PHONE;
    }
    return CTX_NONE;
}

/* ---- numbers ------------------------------------------------------------ */

static size_t nd(const grp *g) { return g->de - g->ds; }

/* The groups starting at k ('+', '(' or a digit). */
static void collect_run(const scan *sc, size_t k, run *r)
{
    const unsigned char *s = sc->s;
    size_t n = sc->n;
    r->plus = 0;
    r->ng = 0;
    if (s[k] == '+') {
        r->plus = 1;
        k++;
    }
    int sep = SEP_NONE;
    while (r->ng < MAX_GROUPS) {
        int paren = 0;
        if (k < n && s[k] == '(') {
            paren = 1;
            k++;
        }
        size_t ds = k;
        while (k < n && is_digit(s[k]))
            k++;
        size_t de = k;
        if (de == ds)
            return;
        if (paren) {
            if (k >= n || s[k] != ')' || de - ds > 5)
                return;
            k++;
        }
        grp *g = &r->g[r->ng++];
        g->ds = ds;
        g->de = de;
        g->ge = k;
        g->paren = paren;
        g->sep = sep;
        int cls = SEP_NONE;
        size_t sl = sep_at(s, n, k, &cls);
        if (sl && k + sl < n && (is_digit(s[k + sl]) || s[k + sl] == '(')) {
            sep = cls;
            k += sl;
            continue;
        }
        if (paren && k < n && is_digit(s[k])) {
            sep = SEP_NONE;
            continue;
        }
        return;
    }
}

static unsigned group_value(const unsigned char *s, const grp *g)
{
    unsigned v = 0;
    for (size_t p = g->ds; p < g->de; p++)
        v = v * 10 + (s[p] - '0');
    return v;
}

static int day_month(unsigned d, unsigned m)
{
    return d >= 1 && d <= 31 && m >= 1 && m <= 12;
}

/* Do the three groups from j on read as a date (and not as the start of
 * a longer chain like 06.12.34.56.78)? */
static int is_date(const scan *sc, const run *r, size_t j)
{
    if (j + 3 > r->ng)
        return 0;
    const grp *g = r->g + j;
    if (g[0].paren || g[1].paren || g[2].paren)
        return 0;
    int sep = g[1].sep;
    if (sep != g[2].sep ||
        (sep != SEP_DASH && sep != SEP_DOT && sep != SEP_SLASH) ||
        (j + 3 < r->ng && g[3].sep == sep))
        return 0;
    size_t a = nd(&g[0]), b = nd(&g[1]), c = nd(&g[2]);
    if (b > 2)
        return 0;
    if (a == 4 && c <= 2)
        return day_month(group_value(sc->s, &g[2]),
                         group_value(sc->s, &g[1]));
    if (a <= 2 && (c == 4 || c == 2)) {
        unsigned x = group_value(sc->s, &g[0]), y = group_value(sc->s, &g[1]);
        return day_month(x, y) || day_month(y, x);
    }
    return 0;
}

/* `total`: the digits of the first ng groups. */
static int card_ok(const scan *sc, const run *r, size_t ng, size_t total)
{
    const unsigned char *s = sc->s;
    const grp *g = r->g;
    if (r->plus || total < 13 || total > 19 || s[g[0].ds] < '2' ||
        s[g[0].ds] > '6')
        return 0;
    for (size_t j = 0; j < ng; j++)
        if (g[j].paren)
            return 0;
    if (ng > 1) {
        int sep = g[1].sep;
        if (nd(&g[0]) != 4 || (sep != SEP_SPACE && sep != SEP_DASH))
            return 0;
        for (size_t j = 1; j < ng; j++) {
            size_t d = nd(&g[j]);
            if (g[j].sep != sep || d > 6 || (d < 3 && j != ng - 1))
                return 0;
        }
    }
    unsigned sum = 0;
    int dbl = 0;
    for (size_t j = ng; j-- > 0;)
        for (size_t p = g[j].de; p-- > g[j].ds;) {
            unsigned d = s[p] - '0';
            if (dbl && (d *= 2) > 9)
                d -= 9;
            sum += d;
            dbl = !dbl;
        }
    return sum % 10 == 0;
}

/* The i-th digit (0-based) of the first ng groups, or 0. */
static unsigned nth_digit(const scan *sc, const run *r, size_t ng, size_t i)
{
    for (size_t j = 0; j < ng; j++) {
        size_t d = nd(&r->g[j]);
        if (i < d)
            return sc->s[r->g[j].ds + i];
        i -= d;
    }
    return 0;
}

static int nanp(const scan *sc, const run *r, size_t ng)
{
    const unsigned char *s = sc->s;
    const grp *g = r->g;
    size_t o = 0;
    if (ng == 4 && nd(&g[0]) == 1 && s[g[0].ds] == '1')
        o = 1;
    if (ng - o != 3 || nd(&g[o]) != 3 || nd(&g[o + 1]) != 3 ||
        nd(&g[o + 2]) != 4)
        return 0;
    int sep = g[1].sep;
    if (sep != SEP_SPACE && sep != SEP_DASH && sep != SEP_DOT)
        return 0;
    for (size_t j = 0; j < ng; j++)
        if (g[j].paren || (j > 0 && g[j].sep != sep))
            return 0;
    return s[g[o].ds] >= '2' && s[g[o + 1].ds] >= '2';
}

/* `total`: the digits of the first ng groups but a "(0)" trunk;
 * `singles`: their single-digit groups. */
static int phone_ok(const scan *sc, const run *r, size_t ng, size_t k,
                    int *ctx, size_t total, size_t singles)
{
    const grp *g = r->g;
    if (total > 17 || singles > 1 || (ng > 1 && nd(&g[ng - 1]) == 1))
        return 0;
    if (r->plus)
        return total >= 7 && total <= 15;
    if (g[0].paren)
        return nd(&g[0]) >= 2 && total >= 7 && total <= 15;
    if (total < 7)
        return 0;
    if (*ctx == CTX_UNKNOWN)
        *ctx = context(sc, k);
    if (*ctx == CTX_OTHER)
        return 0;
    unsigned d0 = nth_digit(sc, r, ng, 0), d1 = nth_digit(sc, r, ng, 1);
    if (d0 == '0' && d1 == '0')
        return nth_digit(sc, r, ng, 2) != '0' && total - 2 >= 7 &&
               total - 2 <= 15;
    if (d0 == '0')
        return total >= 9 && total <= 13;
    if (nanp(sc, r, ng))
        return 1;
    return *ctx == CTX_PHONE && total <= 15;
}

/* After a run failed at its first group, could group j (which a scan
 * would try next: the byte before it is a boundary) start a card or a
 * phone?  There the words before are digits, so no phone word applies,
 * and there is no '+': only a '(' group, a leading '0', a card's first
 * group (2-6, 4 digits or 13+ unbroken) or a North American area code
 * ("415", or "1" before it) can.  Two single digits in a row never can.
 * Skipping the groups that cannot keeps "1 1 1 1 ..." linear with a small
 * constant instead of re-reading 12 groups at every digit. */
static int could_start(const scan *sc, const run *r, size_t j)
{
    const grp *g = &r->g[j];
    size_t d = nd(g);
    unsigned c = sc->s[g->ds];
    if (g->paren)
        return 1;
    if (d == 1 && j + 1 < r->ng && nd(&r->g[j + 1]) == 1 &&
        !r->g[j + 1].paren)
        return 0;
    if (c == '0' || (d == 3 && c >= '2') || (d == 1 && c == '1'))
        return 1;
    return c >= '2' && c <= '6' && (d == 4 || d >= 13);
}

/* A number starting at k: returns the kind recognized, with its end in
 * *en, or 0 with the position to go on from in *next. */
static unsigned try_number(const scan *sc, size_t k, size_t *en,
                           size_t *next)
{
    run r;
    collect_run(sc, k, &r);
    if (r.ng == 0) {
        *next = k + 1;
        return 0;
    }
    int strong = r.plus || r.g[0].paren;
    if (!strong && is_date(sc, &r, 0)) {
        *next = skip_word(sc, r.g[2].ge);
        return 0;
    }
    /* A date later in the run ends it: "0301234567 15.03.2024". */
    for (size_t j = 1; j + 3 <= r.ng; j++)
        if (is_date(sc, &r, j)) {
            r.ng = j;
            break;
        }
    /* Digits, phone digits (no "(0)" trunk) and single-digit groups of
     * the first j groups, so that each prefix is judged in O(1) before
     * the detailed checks. */
    size_t all[MAX_GROUPS + 1], tel[MAX_GROUPS + 1], one[MAX_GROUPS + 1];
    all[0] = tel[0] = one[0] = 0;
    for (size_t j = 0; j < r.ng; j++) {
        const grp *g = &r.g[j];
        size_t d = nd(g);
        int trunk = g->paren && j > 0 && d == 1 && sc->s[g->ds] == '0';
        all[j + 1] = all[j] + d;
        tel[j + 1] = tel[j] + (trunk ? 0 : d);
        one[j + 1] = one[j] + (!trunk && d == 1);
    }
    if (!strong)
        for (size_t ng = r.ng; ng > 0 && all[ng] >= 13; ng--)
            if (card_ok(sc, &r, ng, all[ng]) &&
                right_ok(sc, r.g[ng - 1].ge)) {
                *en = r.g[ng - 1].ge;
                return VOCX_REDACT_CARD;
            }
    int ctx = CTX_UNKNOWN;
    for (size_t ng = r.ng; ng > 0 && tel[ng] >= 7; ng--)
        if (phone_ok(sc, &r, ng, k, &ctx, tel[ng], one[ng]) &&
            right_ok(sc, r.g[ng - 1].ge)) {
            *en = r.g[ng - 1].ge;
            return VOCX_REDACT_PHONE;
        }
    /* Go on at the next group that could start something ("Room 12
     * 0301234567"), else after the run: the groups a byte-by-byte scan
     * would try, less those that cannot match.  Digits glued to a ')'
     * belong to the group before, as "(0)20", unless that group could not
     * start at its '('. */
    for (size_t j = 1; j < r.ng; j++) {
        const grp *g = &r.g[j];
        size_t at_j = g->paren ? g->ds - 1 : g->ds;
        int tried = g->sep != SEP_NONE
                        ? left_ok(sc, at_j)
                        : r.g[j - 1].paren && !left_ok(sc, r.g[j - 1].ds - 1);
        if (tried && could_start(sc, &r, j)) {
            *next = at_j;
            return 0;
        }
    }
    *next = skip_word(sc, r.g[r.ng - 1].ge);
    return 0;
}

/* ---- IBAN -------------------------------------------------------------- */

/* Lengths of the IBAN registry (SWIFT, ISO 13616). */
static size_t iban_length(unsigned a, unsigned b)
{
    static const char table[] =
        "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24"
        "DE22DJ27DK18DO28EE20EG29ES24FI18FK18FO18FR27GB22GE22GI23GL18GR27"
        "GT28HR21HU28IE22IL23IQ23IS26IT27JO30KW30KZ20LB28LC32LI21LT20LU20"
        "LV21LY25MC27MD24ME22MK19MN20MR27MT31MU30NI28NL18NO15OM23PK24PL28"
        "PS29PT25QA29RO24RS22RU33SA24SC31SD18SE24SI19SK24SM27SO23ST25SV28"
        "TL23TN24TR26UA29VA22VG24XK20YE30";
    for (const char *p = table; *p; p += 4)
        if ((unsigned)p[0] == a && (unsigned)p[1] == b)
            return (size_t)((p[2] - '0') * 10 + (p[3] - '0'));
    return 0;
}

static unsigned mod97(const unsigned char *ch, size_t len)
{
    unsigned r = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned c = ch[(i + 4) % len]; /* the first four go last */
        r = is_digit(c) ? (r * 10 + (c - '0')) % 97
                        : (r * 100 + (c - 'A' + 10)) % 97;
    }
    return r;
}

/* An IBAN starting at k (a letter at a boundary): 1 with its end in *en,
 * or 0 with the position to go on from in *next. */
static int try_iban(const scan *sc, size_t k, size_t *en, size_t *next)
{
    const unsigned char *s = sc->s;
    size_t n = sc->n;
    *next = skip_word(sc, k);
    if (n - k < 15 || !is_alpha(s[k + 1]) || !is_digit(s[k + 2]) ||
        !is_digit(s[k + 3]))
        return 0;
    size_t want = iban_length(upper(s[k]), upper(s[k + 1]));
    unsigned check = (s[k + 2] - '0') * 10u + (s[k + 3] - '0');
    if (!want || check < 2 || check > 98)
        return 0;
    unsigned char ch[IBAN_MAX];
    for (int i = 0; i < 4; i++)
        ch[i] = (unsigned char)upper(s[k + (size_t)i]);
    size_t cnt = 4, p = k + 4;
    int grouped = -1;   /* printed form: a space after every 4; decided
                           after the first four */
    int sep_before = 0; /* a separator was just passed */
    while (cnt < want && p < n) {
        int cls = SEP_NONE;
        size_t sl = cnt % 4 == 0 ? sep_at(s, n, p, &cls) : 0;
        int is_sep =
            sl && cls == SEP_SPACE && p + sl < n && is_alnum(s[p + sl]);
        if (grouped < 0)
            grouped = is_sep;
        if (is_sep) {
            if (!grouped || sep_before)
                break;
            p += sl;
            sep_before = 1;
            continue;
        }
        if (!is_alnum(s[p]) || (grouped && cnt % 4 == 0 && !sep_before))
            break;
        ch[cnt++] = (unsigned char)upper(s[p]);
        p++;
        sep_before = 0;
    }
    if (cnt == want && right_ok(sc, p)) {
        if (mod97(ch, want) == 1) {
            *en = p;
            return 1;
        }
    }
    /* IBAN-shaped but not valid (a typo, a wrong length): skip it whole so
     * its digits are not read again as a card or phone. */
    if (cnt >= 12)
        *next = skip_word(sc, p);
    return 0;
}

/* ---- the scanner ---------------------------------------------------------- */

/* ASCII digits among the 8 bytes of x (SWAR: bytes 0x30..0x39 with the
 * high bit clear; no carry crosses a byte). */
static unsigned digits8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t t = x & (ones * 0x7F);
    uint64_t hit = (ones * (127 + '9' + 1) - t) & ~x &
                   (t + ones * (127 - ('0' - 1))) & (ones * 0x80);
    return (unsigned)(((hit >> 7) * ones) >> 56);
}

int vx_redact_maybe(const char *text, size_t len, unsigned int kinds)
{
    if (!text || !len)
        return 0;
    if ((kinds & VOCX_REDACT_EMAIL) && memchr(text, '@', len))
        return 1;
    if (kinds & NUMBER_KINDS) {
        const unsigned char *s = (const unsigned char *)text;
        size_t digits = 0, i = 0;
        while (len - i >= 8) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            digits += digits8(x);
            i += 8;
            if ((i & 63) == 0 && digits >= 7)
                return 1;
        }
        for (; i < len; i++)
            digits += is_digit(s[i]);
        return digits >= 7;
    }
    return 0;
}

/* Bytes that can start a match: 1 a number ('+', '(' or a digit, which
 * also finds IBANs by their check digits), 2 an address ('@'). */
static const unsigned char starts[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* An address around the '@' at a: 1 with [*st, *en). */
static int try_email(const scan *sc, size_t a, size_t *st, size_t *en)
{
    const unsigned char *s = sc->s;
    size_t n = sc->n;
    size_t lo = a;
    while (lo > sc->floor) {
        if (is_local(s[lo - 1])) {
            if (s[lo - 1] == '.' && lo - 1 > sc->floor && s[lo - 2] == '.')
                break;
            lo--;
        } else if (lo >= sc->floor + 2 && latin_at(s, n, lo - 2)) {
            lo -= 2; /* s[lo - 2] in C3..C9 is always a lead byte */
        } else {
            break;
        }
        if (a - lo > LOCAL_MAX)
            return 0; /* too long for a local part */
    }
    while (lo < a && s[lo] < 0x80 && !is_alnum(s[lo]))
        lo++;
    if (lo == a || a - lo > LOCAL_MAX || s[a - 1] == '.')
        return 0;

    size_t p = a + 1, end = a + 1, ls = 0, le = 0, labels = 0;
    for (;;) {
        size_t q = p;
        while (q < n && q - p <= LABEL_MAX) {
            if (is_alnum(s[q]) || s[q] == '-')
                q++;
            else if (latin_at(s, n, q))
                q += 2;
            else
                break;
        }
        size_t e = q;
        while (e > p && s[e - 1] == '-')
            e--;
        if (e == p || s[p] == '-' || e - p > LABEL_MAX)
            break;
        labels++;
        ls = p;
        le = e;
        end = e;
        if (e < q || end - (a + 1) > DOMAIN_MAX)
            break; /* a trailing '-' ends the domain */
        if (q + 1 < n && s[q] == '.' && is_alnum(s[q + 1])) {
            p = q + 1;
            continue;
        }
        break;
    }
    if (labels < 2 || end - (a + 1) > DOMAIN_MAX)
        return 0;
    size_t tl = le - ls;
    int tld_ok = tl >= 2;
    if (tl >= 5 && (s[ls] | 32u) == 'x' && (s[ls + 1] | 32u) == 'n' &&
        s[ls + 2] == '-' && s[ls + 3] == '-')
        tld_ok = 1;
    else
        for (size_t i = ls; i < le && tld_ok; i++)
            tld_ok = is_alpha(s[i]);
    if (!tld_ok)
        return 0;
    if (end < n && (is_word(s[end]) || s[end] == '@'))
        return 0;
    *st = lo;
    *en = end;
    return 1;
}

int vx_redact(const char *text, size_t len, unsigned int kinds,
              vx_redact_buf *out, size_t *count)
{
    if (count)
        *count = 0;
    if (!out || !count || (!text && len) || (kinds & ~VOCX_REDACT_ALL))
        return VOCX_EINVAL;
    if (!vx_redact_maybe(text, len, kinds))
        return VOCX_OK;
    scan sc = {(const unsigned char *)text, len, 0, out, 0, 0};
    const unsigned char *s = sc.s;
    unsigned want = (kinds & NUMBER_KINDS ? 1u : 0u) |
                    (kinds & VOCX_REDACT_EMAIL ? 2u : 0u);
    size_t i = 0;
    for (;;) {
        if (want == 2) {
            const void *at_sign = memchr(s + i, '@', len - i);
            if (!at_sign)
                break;
            i = (size_t)((const unsigned char *)at_sign - s);
        } else {
            while (i < len && !(starts[s[i]] & want))
                i++;
            if (i >= len)
                break;
        }
        unsigned c = s[i];
        size_t st = i, en = i, next = i + 1;
        unsigned kind = 0;
        if (c == '@') {
            if (try_email(&sc, i, &st, &en))
                kind = VOCX_REDACT_EMAIL;
        } else if (is_digit(c)) {
            /* Letters, letters, digit, digit: the start of an IBAN? */
            if (i >= sc.floor + 2 && i + 1 < len && is_alpha(s[i - 1]) &&
                is_alpha(s[i - 2]) && is_digit(s[i + 1]) &&
                left_ok(&sc, i - 2)) {
                if (try_iban(&sc, i - 2, &en, &next)) {
                    kind = VOCX_REDACT_IBAN;
                    st = i - 2;
                }
            } else if (!left_ok(&sc, i)) {
                next = skip_word(&sc, i); /* glued to a word */
            } else {
                kind = try_number(&sc, i, &en, &next);
            }
        } else if (i + 1 < len && is_digit(s[i + 1])) { /* '+' or '(' */
            if (left_ok(&sc, i))
                kind = try_number(&sc, i, &en, &next);
        }
        if (!kind) {
            i = next;
            continue;
        }
        if ((kinds & kind) && emit(&sc, st, en, kind))
            return VOCX_ENOMEM;
        sc.floor = en;
        i = en;
    }
    if (sc.count && append(out, s + sc.copied, len - sc.copied))
        return VOCX_ENOMEM;
    *count = sc.count;
    return VOCX_OK;
}

void vx_redact_buf_free(vx_redact_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int vocx_redact(const char *text, size_t len, unsigned int kinds, char **out,
                size_t *out_len, size_t *count)
{
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (count)
        *count = 0;
    if (!out || (!text && len) || (kinds & ~VOCX_REDACT_ALL))
        return VOCX_EINVAL;
    vx_redact_buf b = {NULL, 0, 0};
    size_t n = 0;
    int rc = vx_redact(text, len, kinds, &b, &n);
    if (rc) {
        vx_redact_buf_free(&b);
        return rc;
    }
    if (n == 0) {
        b.len = 0;
        if (append(&b, text, len)) {
            vx_redact_buf_free(&b);
            return VOCX_ENOMEM;
        }
    }
    *out = b.data;
    if (out_len)
        *out_len = b.len;
    if (count)
        *count = n;
    return VOCX_OK;
}
