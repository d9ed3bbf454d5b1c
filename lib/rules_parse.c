/*
 * The rule-file parser (docs/rules.md).
 *
 * Line-oriented: every line is read on its own, so an error never hides
 * the rest of the file; each line reports at most one error and parsing
 * resumes at the next line.  Expressions are parsed by recursive descent
 * into a small per-line tree; only a line without errors is added to the
 * rules (its terms go into the trie, its regexes are kept).  Checks that
 * need the whole file (unknown blocks, issues without a block or a rule)
 * run at the end.  Columns count characters, not bytes.
 */
#include "rules.h"
#include "utf8.h"
#include "vocx_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- per-line expression tree ------------------------------------------ */

typedef struct pnode {
    uint8_t op;
    uint8_t positional;
    uint16_t dist;
    uint32_t off;    /* byte offset in the line (operators: the operator) */
    uint32_t arg;    /* LEAF: term index; others: first child in kids */
    uint32_t nkids;
    uint32_t height;
} pnode;

typedef struct pterm {
    pcre2_code *re;  /* regex, or NULL for a literal term */
    uint32_t e_off;  /* elements in parser.elems */
    uint32_t e_cnt;
    uint32_t line;
} pterm;

typedef struct pelem {
    uint32_t boff, blen; /* bytes in parser.ebuf */
    uint32_t is_prefix;
} pelem;

/* An issue while the file is read; checked when the file is done. */
typedef struct pissue {
    uint32_t line;
    uint32_t label_line, block_line, kind_line, severity_line, owner_line,
        weight_line, threshold_line;
    const char *block_ref; /* id as written on the block line */
    uint32_t block_col;
    uint32_t rule_lines;   /* match/negated lines, also ones with errors */
    int quiet;             /* a broken line may have held the missing part */
} pissue;

typedef struct parser {
    vocx_rules *r;
    vocx_diagnostics *d;
    int rc;          /* sticky VOCX_ENOMEM */
    int limit;       /* a documented limit was exceeded */
    int stop;        /* too many errors or rules: read no further */

    const char *line;
    size_t len;
    uint32_t lineno;
    int line_err;    /* this line already has its error */

    int in_issue;    /* indented lines belong to the last issue */
    pissue *pis;
    size_t npis, cap_pis;
    uint32_t *issue_hash; /* issue index + 1, open addressing */
    size_t issue_hash_mask;

    vx_text tx;      /* analyzes rule terms like comment text */

    pnode *pn;
    size_t npn, cap_pn;
    uint32_t *kids;
    size_t nkids, cap_kids;
    uint32_t *stack;
    size_t nstack, cap_stack;
    pterm *terms;
    size_t nterms, cap_terms;
    pelem *elems;
    size_t nelems, cap_elems;
    char *ebuf;
    size_t nebuf, cap_ebuf;
    vx_elem *velems;
    size_t cap_velems;
} parser;

#define GROW(arr, cap, need)                                                   \
    vx_grow((void **)&(arr), &(cap), (need), sizeof *(arr))

static uint32_t col_at(const char *s, size_t off)
{
    uint32_t col = 1;
    for (size_t i = 0; i < off; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            col++;
    return col;
}

static void diag_v(parser *p, int sev, uint32_t line, uint32_t col,
                   const char *msg)
{
    if (p->rc || p->stop)
        return;
    if (vx_diag_add(p->d, sev, line, col, "%s", msg)) {
        p->rc = VOCX_ENOMEM;
        return;
    }
    if (sev == VOCX_DIAG_ERROR &&
        vx_diag_errors(p->d) >= VX_RULES_MAX_ERRORS) {
        if (vx_diag_add(p->d, VOCX_DIAG_ERROR, line, 0,
                        "too many errors (%u); stopping here",
                        VX_RULES_MAX_ERRORS))
            p->rc = VOCX_ENOMEM;
        p->stop = 1;
    }
}

/* An error at byte `off` of the current line; one per line. */
static void VX_PRINTF(3, 4) err_at(parser *p, size_t off, const char *fmt, ...)
{
    if (p->line_err)
        return;
    p->line_err = 1;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        msg[0] = '\0';
    diag_v(p, VOCX_DIAG_ERROR, p->lineno, col_at(p->line, off), msg);
}

static void VX_PRINTF(3, 4) warn_at(parser *p, size_t off, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        msg[0] = '\0';
    diag_v(p, VOCX_DIAG_WARNING, p->lineno, col_at(p->line, off), msg);
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

static size_t skip_ws(const parser *p, size_t i)
{
    while (i < p->len && is_space(p->line[i]))
        i++;
    return i;
}

static size_t word_end(const parser *p, size_t i)
{
    while (i < p->len && !is_space(p->line[i]))
        i++;
    return i;
}

static int word_is(const parser *p, size_t a, size_t b, const char *w)
{
    size_t n = strlen(w);
    return b - a == n && memcmp(p->line + a, w, n) == 0;
}

/* The nearest of `words` to s[0..n) when it is close enough to be a
 * plausible typo; NULL otherwise. */
static const char *nearest(const char *s, size_t n, const char *const *words,
                           size_t nwords)
{
    char low[VX_RULES_MAX_ID + 1];
    if (n > VX_RULES_MAX_ID)
        return NULL;
    for (size_t i = 0; i < n; i++)
        low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    size_t best = (size_t)-1;
    const char *bw = NULL;
    size_t limit = n / 3 > 2 ? n / 3 : 2;
    for (size_t i = 0; i < nwords; i++) {
        size_t d = vx_edit_distance(low, n, words[i], strlen(words[i]),
                                    limit + 1);
        if (d < best) {
            best = d;
            bw = words[i];
        }
    }
    return best <= limit ? bw : NULL;
}

/* ---- numbers, ids, text values ----------------------------------------- */

/* A decimal number: digits with an optional fraction.  Parsed by hand so
 * the result never depends on the C locale. */
static int parse_decimal(const char *s, size_t n, double *out)
{
    size_t i = 0;
    double v = 0;
    int digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (s[i] - '0');
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        double scale = 1;
        int fd = 0;
        uint64_t frac = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (fd < 18) {
                frac = frac * 10 + (uint64_t)(s[i] - '0');
                scale *= 10;
                fd++;
            }
            i++;
            digits++;
        }
        if (!fd)
            return -1;
        v += (double)frac / scale;
    }
    if (!digits || i != n || v > 1e15)
        return -1;
    *out = v;
    return 0;
}

/* Read one number value at s[a..) that must end the line. */
static int number_value(parser *p, size_t a, const char *what, double *out)
{
    a = skip_ws(p, a);
    if (a >= p->len) {
        err_at(p, a, "%s needs a number", what);
        return -1;
    }
    size_t b = word_end(p, a);
    const char *s = p->line + a;
    if (parse_decimal(s, b - a, out)) {
        if (b - a > 0 && s[0] == '-')
            err_at(p, a, "bad number \"%.*s\" for %s: it cannot be negative",
                   (int)(b - a), s, what);
        else
            err_at(p, a,
                   "bad number \"%.*s\" for %s: write a decimal number such "
                   "as 0.7",
                   (int)(b - a), s, what);
        return -1;
    }
    size_t c = skip_ws(p, b);
    if (c < p->len) {
        err_at(p, c, "unexpected text after the %s value", what);
        return -1;
    }
    return 0;
}

/* Validate an id at s[a..b); on error report and return -1. */
static int check_id(parser *p, size_t a, size_t b, const char *what)
{
    if (a == b) {
        err_at(p, a, "%s needs an id", what);
        return -1;
    }
    if (b - a > VX_RULES_MAX_ID) {
        err_at(p, a, "%s id is longer than %d bytes", what, VX_RULES_MAX_ID);
        return -1;
    }
    for (size_t i = a; i < b; i++) {
        char c = p->line[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            (i > a && (c == '_' || c == '.' || c == '-')))
            continue;
        if (c >= 'A' && c <= 'Z') {
            char low[VX_RULES_MAX_ID + 1];
            for (size_t j = a; j < b; j++) {
                char x = p->line[j];
                low[j - a] = (x >= 'A' && x <= 'Z') ? (char)(x + 32) : x;
            }
            low[b - a] = '\0';
            err_at(p, i, "bad %s id \"%.*s\": ids are lower case (write \"%s\")",
                   what, (int)(b - a), p->line + a, low);
        } else {
            err_at(p, i,
                   "bad %s id \"%.*s\": ids are lower-case letters, digits, "
                   "\"_\", \".\" and \"-\", starting with a letter or digit",
                   what, (int)(b - a), p->line + a);
        }
        return -1;
    }
    return 0;
}

/* A text value: "quoted" or the rest of the line.  Returns its bytes in
 * [*va, *vb) or -1 after reporting. */
static int text_value(parser *p, size_t a, const char *what, size_t *va,
                      size_t *vb)
{
    a = skip_ws(p, a);
    if (a >= p->len) {
        err_at(p, a, "%s needs a text, e.g. %s \"...\"", what, what);
        return -1;
    }
    if (p->line[a] == '"') {
        const char *q = memchr(p->line + a + 1, '"', p->len - a - 1);
        if (!q) {
            err_at(p, a, "unterminated quote: the text starting at column %u "
                         "has no closing \"",
                   col_at(p->line, a));
            return -1;
        }
        size_t e = (size_t)(q - p->line);
        size_t c = skip_ws(p, e + 1);
        if (c < p->len) {
            err_at(p, c, "unexpected text after the closing quote of %s",
                   what);
            return -1;
        }
        *va = a + 1;
        *vb = e;
    } else {
        size_t e = p->len;
        while (e > a && is_space(p->line[e - 1]))
            e--;
        *va = a;
        *vb = e;
    }
    if (*va == *vb) {
        err_at(p, a, "%s is empty", what);
        return -1;
    }
    return 0;
}

/* ---- expression lexer --------------------------------------------------- */

enum {
    T_END,
    T_SEMI,
    T_LP,
    T_RP,
    T_LB,
    T_RB,
    T_COMMA,
    T_WORD,
    T_PHRASE,
    T_REGEX,
    T_AND,
    T_OR,
    T_NOT,
    T_NEAR,
    T_BEFORE,
    T_ERR
};

typedef struct tok {
    int type;
    size_t off, end; /* bytes of the token in the line */
    unsigned n;      /* NEAR/n, BEFORE/n */
} tok;

typedef struct lexer {
    parser *p;
    size_t pos;
    tok t;
    int depth;
} lexer;

static int is_term_start(int type)
{
    return type == T_WORD || type == T_PHRASE || type == T_REGEX ||
           type == T_LP || type == T_LB || type == T_NOT;
}

static const char *tok_name(int type)
{
    switch (type) {
    case T_AND: return "AND";
    case T_OR: return "OR";
    case T_NOT: return "NOT";
    case T_NEAR: return "NEAR";
    case T_BEFORE: return "BEFORE";
    default: return "?";
    }
}

/* NEAR/n or BEFORE/n at w[0..n) after the operator name of `kw` bytes. */
static int lex_distance(lexer *L, size_t a, size_t b, size_t kw,
                        const char *name)
{
    parser *p = L->p;
    const char *w = p->line + a;
    if (b - a == kw) {
        err_at(p, a,
               "%s needs a distance: write %s/n with n from 0 to %d words "
               "(e.g. %s/3)",
               name, name, VX_RULES_MAX_NEAR, name);
        return -1;
    }
    if (w[kw] != '/') {
        return 1; /* NEARBY, BEFOREHAND...: an ordinary word */
    }
    unsigned long n = 0;
    size_t i = kw + 1;
    if (i == b - a)
        goto bad;
    for (; i < b - a; i++) {
        if (w[i] < '0' || w[i] > '9' || n > VX_RULES_MAX_NEAR)
            goto bad;
        n = n * 10 + (unsigned long)(w[i] - '0');
    }
    if (n > VX_RULES_MAX_NEAR)
        goto bad;
    L->t.n = (unsigned)n;
    return 0;
bad:
    err_at(p, a,
           "bad %s/n \"%.*s\": n must be a whole number of words from 0 to %d",
           name, (int)(b - a), w, VX_RULES_MAX_NEAR);
    return -1;
}

/* 1 when s starts with the lower-case ASCII word w, in any case. */
static int strncasecmp_ascii(const char *s, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != w[i])
            return 0;
    }
    return 1;
}

static void lex(lexer *L)
{
    parser *p = L->p;
    const char *s = p->line;
    size_t i = skip_ws(p, L->pos);
    tok *t = &L->t;
    t->off = i;
    t->n = 0;
    if (i >= p->len) {
        t->type = T_END;
        t->end = i;
        L->pos = i;
        return;
    }
    char c = s[i];
    size_t e = i + 1;
    switch (c) {
    case ';': t->type = T_SEMI; break;
    case '(': t->type = T_LP; break;
    case ')': t->type = T_RP; break;
    case '[': t->type = T_LB; break;
    case ']': t->type = T_RB; break;
    case ',': t->type = T_COMMA; break;
    case '"': {
        const char *q = memchr(s + i + 1, '"', p->len - i - 1);
        if (!q) {
            err_at(p, i,
                   "unterminated quote: the phrase starting at column %u has "
                   "no closing \"",
                   col_at(s, i));
            t->type = T_ERR;
            break;
        }
        t->type = T_PHRASE;
        e = (size_t)(q - s) + 1;
        break;
    }
    case '/': {
        size_t j = i + 1;
        while (j < p->len && s[j] != '/') {
            if (s[j] == '\\' && j + 1 < p->len)
                j++;
            j++;
        }
        if (j >= p->len) {
            err_at(p, i,
                   "unterminated regular expression: the \"/\" at column %u "
                   "has no closing \"/\"",
                   col_at(s, i));
            t->type = T_ERR;
            break;
        }
        t->type = T_REGEX;
        e = j + 1;
        break;
    }
    default:
        while (e < p->len && !is_space(s[e]) && !strchr("()[],\";", s[e]))
            e++;
        t->type = T_WORD;
        if (word_is(p, i, e, "AND"))
            t->type = T_AND;
        else if (word_is(p, i, e, "OR"))
            t->type = T_OR;
        else if (word_is(p, i, e, "NOT"))
            t->type = T_NOT;
        else if (e - i >= 4 && memcmp(s + i, "NEAR", 4) == 0) {
            int rc = lex_distance(L, i, e, 4, "NEAR");
            t->type = rc < 0 ? T_ERR : rc == 0 ? T_NEAR : T_WORD;
        } else if (e - i >= 6 && memcmp(s + i, "BEFORE", 6) == 0) {
            int rc = lex_distance(L, i, e, 6, "BEFORE");
            t->type = rc < 0 ? T_ERR : rc == 0 ? T_BEFORE : T_WORD;
        } else if ((e - i > 5 && strncasecmp_ascii(s + i, "near/", 5)) ||
                   (e - i > 7 && strncasecmp_ascii(s + i, "before/", 7))) {
            warn_at(p, i,
                    "\"%.*s\" is read as ordinary words; operators are upper "
                    "case (NEAR/n, BEFORE/n)",
                    (int)(e - i), s + i);
        }
        break;
    }
    t->end = e;
    L->pos = e;
}
