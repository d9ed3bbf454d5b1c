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

#include <stdio.h>
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
    pcre2_code *re_counted; /* the regex with PCRE2_AUTO_CALLOUT */
    pcre2_code *re_ascii;   /* without UTF/UCP for ASCII texts, or NULL */
    int has_lits;           /* the regex requires one of lits (prefilter.h) */
    vx_litset lits;
    uint32_t leaf;   /* leaf id once added to the rules */
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
        if (vx_diag_add(p->d, VOCX_DIAG_ERROR, line, col,
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
    tok t;     /* current token */
    tok prev;  /* the token before it */
    int depth; /* parentheses and NOT being parsed */
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

static void advance(lexer *L)
{
    L->prev = L->t;
    lex(L);
}

static int is_operator(int type)
{
    return type == T_AND || type == T_OR || type == T_NOT || type == T_NEAR ||
           type == T_BEFORE;
}

/* ---- terms -------------------------------------------------------------- */

/* Analyze a piece of a term exactly like comment text and append its
 * tokens as elements; the last one becomes a prefix when `prefix`. */
static int add_piece(parser *p, const char *s, size_t n, int prefix,
                     uint32_t *count)
{
    int rc = vx_text_analyze(&p->tx, s, n, p->r->lexicon, p->r->norm_flags);
    if (rc) {
        if (rc == VOCX_ENOMEM)
            p->rc = rc;
        return -1;
    }
    for (size_t i = 0; i < p->tx.ntok; i++) {
        const vx_token *tk = &p->tx.tok[i];
        size_t blen = tk->nend - tk->nstart;
        if (GROW(p->ebuf, p->cap_ebuf, p->nebuf + blen) ||
            GROW(p->elems, p->cap_elems, p->nelems + 1)) {
            p->rc = VOCX_ENOMEM;
            return -1;
        }
        memcpy(p->ebuf + p->nebuf, p->tx.norm + tk->nstart, blen);
        pelem *e = &p->elems[p->nelems++];
        e->boff = (uint32_t)p->nebuf;
        e->blen = (uint32_t)blen;
        e->is_prefix = 0;
        p->nebuf += blen;
    }
    if (prefix && p->tx.ntok)
        p->elems[p->nelems - 1].is_prefix = 1;
    *count += (uint32_t)p->tx.ntok;
    return 0;
}

/* One word of a term at line[a..b), maybe ending in '*'. */
static int term_word(parser *p, size_t a, size_t b, uint32_t *count)
{
    const char *s = p->line;
    int prefix = 0;
    for (size_t i = a; i < b; i++) {
        if (s[i] != '*')
            continue;
        if (i + 1 < b) {
            err_at(p, i, "\"*\" may only end a word (in \"%.*s\")",
                   (int)(b - a), s + a);
            return -1;
        }
        if (i == a) {
            err_at(p, i,
                   "a lone \"*\" matches nothing: put letters before it, "
                   "e.g. refund*");
            return -1;
        }
        prefix = 1;
        b = i;
    }
    uint32_t before = *count;
    if (add_piece(p, s + a, b - a, prefix, count))
        return -1;
    if (*count == before) {
        err_at(p, a, "\"%.*s\" has no letters, digits or symbols to match",
               (int)(b - a), s + a);
        return -1;
    }
    return 0;
}

static int32_t new_pnode(lexer *L, int op, size_t off)
{
    parser *p = L->p;
    if (GROW(p->pn, p->cap_pn, p->npn + 1)) {
        p->rc = VOCX_ENOMEM;
        return -1;
    }
    pnode *n = &p->pn[p->npn];
    memset(n, 0, sizeof *n);
    n->op = (uint8_t)op;
    n->off = (uint32_t)off;
    n->height = 1;
    return (int32_t)p->npn++;
}

static int32_t make_leaf(lexer *L, const tok *t)
{
    parser *p = L->p;
    if (GROW(p->terms, p->cap_terms, p->nterms + 1)) {
        p->rc = VOCX_ENOMEM;
        return -1;
    }
    pterm *term = &p->terms[p->nterms];
    memset(term, 0, sizeof *term);
    term->e_off = (uint32_t)p->nelems;
    term->line = p->lineno;
    const char *s = p->line;

    if (t->type == T_REGEX) {
        size_t a = t->off + 1, b = t->end - 1;
        if (a == b) {
            err_at(p, t->off, "empty regular expression \"//\"");
            return -1;
        }
        int ecode;
        PCRE2_SIZE eoff;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)(s + a), b - a,
                                       PCRE2_UTF | PCRE2_UCP |
                                           PCRE2_NEVER_BACKSLASH_C,
                                       &ecode, &eoff, NULL);
        if (!re) {
            if (ecode == PCRE2_ERROR_NOMEMORY) {
                p->rc = VOCX_ENOMEM;
                return -1;
            }
            PCRE2_UCHAR msg[256];
            if (pcre2_get_error_message(ecode, msg, sizeof msg) < 0)
                strcpy((char *)msg, "unknown error");
            if (eoff > b - a)
                eoff = b - a;
            err_at(p, a + eoff, "bad regular expression: %s (at offset %zu)",
                   (const char *)msg, (size_t)eoff);
            return -1;
        }
        /* the copy for long texts, whose callout bounds the total work
         * (rules.h); it compiles whenever the plain one does, short of
         * memory */
        term->re_counted = pcre2_compile(
            (PCRE2_SPTR)(s + a), b - a,
            PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C |
                PCRE2_AUTO_CALLOUT,
            &ecode, &eoff, NULL);
        if (!term->re_counted) {
            pcre2_code_free(re);
            if (ecode == PCRE2_ERROR_NOMEMORY) {
                p->rc = VOCX_ENOMEM;
                return -1;
            }
            err_at(p, t->off, "regular expression too large");
            return -1;
        }
        /* On an all-ASCII text the same pattern without UTF and UCP
         * matches the same, and PCRE2 can then skip to start characters
         * (with UCP, \d and \w are properties it cannot skip to).  Any
         * failure just leaves the UTF code to every text. */
        term->re_ascii = NULL;
        if (vx_regex_ascii_ok(s + a, b - a))
            term->re_ascii = pcre2_compile(
                (PCRE2_SPTR)(s + a), b - a,
                PCRE2_NEVER_UTF | PCRE2_NEVER_UCP | PCRE2_NEVER_BACKSLASH_C,
                &ecode, &eoff, NULL);
        term->re = re;
        term->has_lits = vx_regex_literals(s + a, b - a, &term->lits);
    } else if (t->type == T_WORD) {
        if (term_word(p, t->off, t->end, &term->e_cnt))
            return -1;
    } else { /* phrase: words separated by spaces, any may end in '*' */
        size_t a = t->off + 1, end = t->end - 1;
        for (;;) {
            while (a < end && is_space(s[a]))
                a++;
            if (a >= end)
                break;
            size_t b = a;
            while (b < end && !is_space(s[b]))
                b++;
            if (term_word(p, a, b, &term->e_cnt))
                return -1;
            a = b;
        }
        if (term->e_cnt == 0) {
            err_at(p, t->off, "empty phrase: a phrase needs at least one word");
            return -1;
        }
    }
    if (term->e_cnt > VX_RULES_MAX_PHRASE) {
        err_at(p, t->off, "phrase of %u words; the limit is %d words",
               term->e_cnt, VX_RULES_MAX_PHRASE);
        return -1;
    }
    p->nterms++;
    int32_t id = new_pnode(L, VX_OP_LEAF, t->off);
    if (id < 0) {
        if (term->re) {
            pcre2_code_free(term->re);
            pcre2_code_free(term->re_counted);
            pcre2_code_free(term->re_ascii);
        }
        p->nterms--;
        return -1;
    }
    p->pn[id].positional = 1;
    p->pn[id].arg = (uint32_t)(p->nterms - 1);
    return id;
}

static int depth_error(lexer *L, size_t off)
{
    L->p->limit = 1;
    err_at(L->p, off, "expression nests deeper than %d levels (the limit)",
           VX_RULES_MAX_DEPTH);
    return -1;
}

static int push(parser *p, uint32_t v)
{
    if (GROW(p->stack, p->cap_stack, p->nstack + 1)) {
        p->rc = VOCX_ENOMEM;
        return -1;
    }
    p->stack[p->nstack++] = v;
    return 0;
}

/* An n-ary node over the stack entries from `base`; a single entry is
 * returned as is. */
static int32_t make_nary(lexer *L, int op, size_t base, size_t off)
{
    parser *p = L->p;
    size_t n = p->nstack - base;
    if (n == 1)
        return (int32_t)p->stack[--p->nstack];
    if (GROW(p->kids, p->cap_kids, p->nkids + n)) {
        p->rc = VOCX_ENOMEM;
        return -1;
    }
    int32_t id = new_pnode(L, op, off);
    if (id < 0)
        return -1;
    pnode *x = &p->pn[id];
    x->arg = (uint32_t)p->nkids;
    x->nkids = (uint32_t)n;
    x->positional = op == VX_OP_OR;
    uint32_t h = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = p->stack[base + i];
        p->kids[p->nkids++] = k;
        if (!p->pn[k].positional)
            x->positional = 0;
        if (p->pn[k].height > h)
            h = p->pn[k].height;
    }
    p->nstack = base;
    x->height = h + 1;
    if (x->height > VX_RULES_MAX_DEPTH)
        return depth_error(L, off);
    return id;
}

static int32_t make_pair(lexer *L, const tok *op, int32_t a, int32_t b)
{
    parser *p = L->p;
    if (!p->pn[a].positional || !p->pn[b].positional) {
        const char *name = tok_name(op->type);
        err_at(p, op->off,
               "%s/%u needs words, phrases, lists, regexes or OR-groups on "
               "both sides: AND and NOT have no position in the text",
               name, op->n);
        return -1;
    }
    if (GROW(p->kids, p->cap_kids, p->nkids + 2)) {
        p->rc = VOCX_ENOMEM;
        return -1;
    }
    int32_t id = new_pnode(L, op->type == T_NEAR ? VX_OP_NEAR : VX_OP_BEFORE,
                           op->off);
    if (id < 0)
        return -1;
    pnode *x = &p->pn[id];
    x->positional = 1;
    x->dist = (uint16_t)op->n;
    x->arg = (uint32_t)p->nkids;
    x->nkids = 2;
    p->kids[p->nkids++] = (uint32_t)a;
    p->kids[p->nkids++] = (uint32_t)b;
    uint32_t h = p->pn[a].height > p->pn[b].height ? p->pn[a].height
                                                   : p->pn[b].height;
    x->height = h + 1;
    if (x->height > VX_RULES_MAX_DEPTH)
        return depth_error(L, op->off);
    return id;
}

/* ---- expression parser -------------------------------------------------- */

static int32_t parse_or(lexer *L);

static void two_terms_error(lexer *L)
{
    parser *p = L->p;
    const tok *t = &L->t, *pv = &L->prev;
    const char *s = p->line;
    if (t->type == T_WORD &&
        (word_is(p, t->off, t->end, "and") || word_is(p, t->off, t->end, "or") ||
         word_is(p, t->off, t->end, "not"))) {
        char up[4] = {0};
        for (size_t i = 0; i < t->end - t->off && i < 3; i++)
            up[i] = (char)(s[t->off + i] - 32);
        err_at(p, t->off,
               "two terms without an operator: operators are upper case, "
               "write %s instead of \"%.*s\"",
               up, (int)(t->end - t->off), s + t->off);
    } else if (t->type == T_WORD && pv->type == T_WORD) {
        int al = (int)(pv->end - pv->off), bl = (int)(t->end - t->off);
        const char *as = s + pv->off, *bs = s + t->off;
        err_at(p, t->off,
               "two terms without an operator: write \"%.*s %.*s\" for a "
               "phrase or %.*s AND %.*s for both",
               al, as, bl, bs, al, as, bl, bs);
    } else if (t->type == T_NOT) {
        err_at(p, t->off,
               "two terms without an operator: write AND NOT to exclude a "
               "term");
    } else {
        err_at(p, t->off,
               "two terms without an operator: join them with AND, OR, "
               "NEAR/n or BEFORE/n");
    }
}

static void primary_error(lexer *L)
{
    parser *p = L->p;
    const tok *t = &L->t, *pv = &L->prev;
    if (t->type == T_ERR)
        return;
    if (is_operator(pv->type) &&
        (t->type == T_END || t->type == T_SEMI || t->type == T_RP ||
         is_operator(t->type) || t->type == T_RB || t->type == T_COMMA)) {
        err_at(p, pv->off, "%s needs a term after it", tok_name(pv->type));
        return;
    }
    switch (t->type) {
    case T_AND:
    case T_OR:
    case T_NEAR:
    case T_BEFORE:
        err_at(p, t->off, "%s needs a term before it", tok_name(t->type));
        break;
    case T_RP:
        if (pv->type == T_LP)
            err_at(p, pv->off, "empty parentheses \"()\"");
        else
            err_at(p, t->off,
                   "unbalanced parenthesis: \")\" has no matching \"(\"");
        break;
    case T_END:
    case T_SEMI:
        if (pv->type == T_LP)
            err_at(p, t->off,
                   "unbalanced parenthesis: \"(\" at column %u is never "
                   "closed",
                   col_at(p->line, pv->off));
        else
            err_at(p, t->off, "a term is missing here");
        break;
    case T_COMMA:
        err_at(p, t->off,
               "unexpected \",\": commas only separate the items of a "
               "[list]");
        break;
    case T_RB:
        err_at(p, t->off, "unbalanced bracket: \"]\" has no matching \"[\"");
        break;
    default:
        err_at(p, t->off, "a term is missing here");
        break;
    }
}

static int32_t parse_list(lexer *L)
{
    parser *p = L->p;
    size_t open = L->t.off;
    size_t base = p->nstack;
    advance(L);
    if (L->t.type == T_RB) {
        err_at(p, open, "empty list \"[]\"");
        return -1;
    }
    for (;;) {
        int ty = L->t.type;
        if (ty == T_ERR)
            return -1;
        if (ty == T_WORD || ty == T_PHRASE || ty == T_REGEX) {
            int32_t x = make_leaf(L, &L->t);
            if (x < 0 || push(p, (uint32_t)x))
                return -1;
            advance(L);
        } else if (ty == T_END || ty == T_SEMI) {
            err_at(p, L->t.off,
                   "unbalanced bracket: \"[\" at column %u is never closed",
                   col_at(p->line, open));
            return -1;
        } else if (ty == T_COMMA || ty == T_RB) {
            err_at(p, L->t.off, "empty item in the list started at column %u",
                   col_at(p->line, open));
            return -1;
        } else {
            err_at(p, L->t.off,
                   "only words, \"phrases\", prefixes* and /regexes/ may be "
                   "listed inside [ ]: use ( ... ) for expressions");
            return -1;
        }
        ty = L->t.type;
        if (ty == T_COMMA) {
            advance(L);
            continue;
        }
        if (ty == T_RB) {
            advance(L);
            break;
        }
        if (ty == T_ERR)
            return -1;
        if (ty == T_WORD || ty == T_PHRASE || ty == T_REGEX)
            err_at(p, L->t.off, "the items of a list are separated by commas");
        else if (ty == T_END || ty == T_SEMI)
            err_at(p, L->t.off,
                   "unbalanced bracket: \"[\" at column %u is never closed",
                   col_at(p->line, open));
        else
            err_at(p, L->t.off,
                   "only words, \"phrases\", prefixes* and /regexes/ may be "
                   "listed inside [ ]: use ( ... ) for expressions");
        return -1;
    }
    return make_nary(L, VX_OP_OR, base, open);
}

static int32_t parse_primary(lexer *L)
{
    parser *p = L->p;
    switch (L->t.type) {
    case T_LP: {
        size_t open = L->t.off;
        if (++L->depth > VX_RULES_MAX_DEPTH)
            return depth_error(L, open);
        advance(L);
        int32_t x = parse_or(L);
        if (x < 0)
            return -1;
        if (L->t.type != T_RP) {
            if (L->t.type == T_END || L->t.type == T_SEMI)
                err_at(p, L->t.off,
                       "unbalanced parenthesis: \"(\" at column %u is never "
                       "closed",
                       col_at(p->line, open));
            else if (L->t.type == T_RB)
                err_at(p, L->t.off,
                       "unbalanced bracket: \"]\" has no matching \"[\"");
            else
                err_at(p, L->t.off,
                       "unexpected \",\": commas only separate the items of "
                       "a [list]");
            return -1;
        }
        L->depth--;
        advance(L);
        return x;
    }
    case T_LB:
        return parse_list(L);
    case T_WORD:
    case T_PHRASE:
    case T_REGEX: {
        int32_t x = make_leaf(L, &L->t);
        if (x < 0)
            return -1;
        advance(L);
        return x;
    }
    default:
        primary_error(L);
        return -1;
    }
}

static int32_t parse_unary(lexer *L)
{
    if (L->t.type != T_NOT)
        return parse_primary(L);
    size_t off = L->t.off;
    if (++L->depth > VX_RULES_MAX_DEPTH)
        return depth_error(L, off);
    advance(L);
    int32_t x = parse_unary(L);
    if (x < 0)
        return -1;
    L->depth--;
    parser *p = L->p;
    if (GROW(p->kids, p->cap_kids, p->nkids + 1)) {
        p->rc = VOCX_ENOMEM;
        return -1;
    }
    int32_t id = new_pnode(L, VX_OP_NOT, off);
    if (id < 0)
        return -1;
    pnode *n = &p->pn[id];
    n->arg = (uint32_t)p->nkids;
    n->nkids = 1;
    n->height = p->pn[x].height + 1;
    p->kids[p->nkids++] = (uint32_t)x;
    if (n->height > VX_RULES_MAX_DEPTH)
        return depth_error(L, off);
    return id;
}

static int32_t parse_near(lexer *L)
{
    int32_t a = parse_unary(L);
    if (a < 0)
        return -1;
    while (L->t.type == T_NEAR || L->t.type == T_BEFORE) {
        tok op = L->t;
        advance(L);
        int32_t b = parse_unary(L);
        if (b < 0)
            return -1;
        a = make_pair(L, &op, a, b);
        if (a < 0)
            return -1;
    }
    if (is_term_start(L->t.type)) {
        two_terms_error(L);
        return -1;
    }
    return a;
}

static int32_t parse_and(lexer *L)
{
    parser *p = L->p;
    size_t base = p->nstack, off = L->t.off;
    int32_t a = parse_near(L);
    if (a < 0 || push(p, (uint32_t)a))
        return -1;
    while (L->t.type == T_AND) {
        advance(L);
        int32_t b = parse_near(L);
        if (b < 0 || push(p, (uint32_t)b))
            return -1;
    }
    return make_nary(L, VX_OP_AND, base, off);
}

static int32_t parse_or(lexer *L)
{
    parser *p = L->p;
    size_t base = p->nstack, off = L->t.off;
    int32_t a = parse_and(L);
    if (a < 0 || push(p, (uint32_t)a))
        return -1;
    while (L->t.type == T_OR) {
        advance(L);
        int32_t b = parse_and(L);
        if (b < 0 || push(p, (uint32_t)b))
            return -1;
    }
    return make_nary(L, VX_OP_OR, base, off);
}

/* Whether a node can only be true when some positive term occurred; for
 * nodes that cannot, *bad is the offset of the NOT to blame. */
static int needs_positive(parser *p, uint32_t id, size_t *bad)
{
    const pnode *n = &p->pn[id];
    switch (n->op) {
    case VX_OP_NOT:
        *bad = n->off;
        return 0;
    case VX_OP_AND:
        for (uint32_t i = 0; i < n->nkids; i++) {
            size_t b;
            if (needs_positive(p, p->kids[n->arg + i], &b))
                return 1;
            if (i == 0)
                *bad = b;
        }
        return 0;
    case VX_OP_OR:
        for (uint32_t i = 0; i < n->nkids; i++)
            if (!needs_positive(p, p->kids[n->arg + i], bad))
                return 0;
        return 1;
    default:
        return 1;
    }
}

static void free_line_terms(parser *p)
{
    for (size_t i = 0; i < p->nterms; i++)
        if (p->terms[i].re) {
            pcre2_code_free(p->terms[i].re);
            pcre2_code_free(p->terms[i].re_counted);
            pcre2_code_free(p->terms[i].re_ascii);
            p->terms[i].re = NULL;
            p->terms[i].re_counted = NULL;
            p->terms[i].re_ascii = NULL;
        }
    p->nterms = 0;
}

/* A guess at how often a term occurs, to index each rule under its
 * rarest required terms: phrases are rarer than words, long words rarer
 * than short ones, prefixes commoner than the word they start. */
static uint32_t leaf_cost(const parser *p, const pterm *t)
{
    if (t->re)
        return 8;
    if (t->e_cnt > 1)
        return 1;
    const pelem *e = &p->elems[t->e_off];
    uint32_t c = e->blen >= 6 ? 2 : e->blen >= 4 ? 4 : 8;
    return e->is_prefix ? c * 2 : c;
}

/* Cost of the cheapest set of terms one of which must occur for the node
 * to be true (NOT operands never qualify). */
static uint32_t req_cost(const parser *p, uint32_t id)
{
    const pnode *n = &p->pn[id];
    /* no child array at all when every expression is a single term */
    const uint32_t *k = p->kids ? p->kids + n->arg : NULL;
    uint32_t best = UINT32_MAX, sum = 0;
    switch (n->op) {
    case VX_OP_LEAF:
        return leaf_cost(p, &p->terms[n->arg]);
    case VX_OP_NOT:
        return UINT32_MAX;
    case VX_OP_OR:
        for (uint32_t i = 0; i < n->nkids; i++) {
            uint32_t c = req_cost(p, k[i]);
            sum = c > UINT32_MAX - sum ? UINT32_MAX : sum + c;
        }
        return sum;
    default: /* AND, NEAR, BEFORE: every operand is needed; take one */
        for (uint32_t i = 0; i < n->nkids; i++) {
            uint32_t c = req_cost(p, k[i]);
            if (c < best)
                best = c;
        }
        return best;
    }
}

/* Flag in req[] the terms a rule is indexed under: when none of them occurs the rule cannot be true, so it
 * is not even evaluated. */
static void mark_required(parser *p, uint32_t id, uint8_t *req)
{
    const pnode *n = &p->pn[id];
    /* no child array at all when every expression is a single term */
    const uint32_t *k = p->kids ? p->kids + n->arg : NULL;
    switch (n->op) {
    case VX_OP_LEAF:
        req[n->arg] = 1;
        return;
    case VX_OP_NOT:
        return;
    case VX_OP_OR:
        for (uint32_t i = 0; i < n->nkids; i++)
            mark_required(p, k[i], req);
        return;
    default: {
        uint32_t best = UINT32_MAX, bi = 0;
        for (uint32_t i = 0; i < n->nkids; i++) {
            uint32_t c = req_cost(p, k[i]);
            if (c < best) {
                best = c;
                bi = i;
            }
        }
        mark_required(p, k[bi], req);
        return;
    }
    }
}

/* Move the parsed line into the rules. */
static void emit_rule(parser *p, int kind, uint32_t root, size_t ea,
                      size_t eb, double weight, uint32_t issue)
{
    vocx_rules *r = p->r;
    if (r->nrules >= VX_RULES_MAX_RULES) {
        err_at(p, 0, "too many rules: the limit is %u match, negated, unless "
                     "and cue lines",
               VX_RULES_MAX_RULES);
        p->limit = 1;
        p->stop = 1;
        return;
    }
    if (GROW(r->rules, r->cap_rules, r->nrules + 1) ||
        GROW(r->nodes, r->cap_nodes, r->nnodes + p->npn) ||
        GROW(r->kids, r->cap_kids, r->nkids + p->nkids)) {
        p->rc = VOCX_ENOMEM;
        return;
    }
    uint32_t rule = (uint32_t)r->nrules;
    for (size_t i = 0; i < p->nterms; i++) {
        pterm *t = &p->terms[i];
        int rc;
        if (t->re) {
            rc = vx_rules_add_regex(r, t->re, t->re_counted, t->re_ascii,
                                    t->line, t->has_lits ? &t->lits : NULL,
                                    &t->leaf);
            if (rc == VOCX_OK) {
                t->re = NULL; /* the rules own them now */
                t->re_counted = NULL;
                t->re_ascii = NULL;
            }
        } else {
            if (GROW(p->velems, p->cap_velems, t->e_cnt)) {
                p->rc = VOCX_ENOMEM;
                return;
            }
            for (uint32_t j = 0; j < t->e_cnt; j++) {
                const pelem *e = &p->elems[t->e_off + j];
                p->velems[j].s = p->ebuf + e->boff;
                p->velems[j].len = e->blen;
                p->velems[j].is_prefix = e->is_prefix;
            }
            rc = vx_rules_add_term(r, p->velems, t->e_cnt, &t->leaf);
        }
        if (rc) {
            p->rc = rc == VOCX_ELIMIT ? VOCX_ENOMEM : rc;
            return;
        }
    }
    uint32_t node_base = (uint32_t)r->nnodes, kid_base = (uint32_t)r->nkids;
    for (size_t i = 0; i < p->npn; i++) {
        const pnode *s = &p->pn[i];
        vx_node *n = &r->nodes[r->nnodes++];
        n->op = s->op;
        n->positional = s->positional;
        n->dist = s->dist;
        n->nkids = s->nkids;
        n->arg = s->op == VX_OP_LEAF ? p->terms[s->arg].leaf
                                     : kid_base + s->arg;
    }
    for (size_t i = 0; i < p->nkids; i++)
        r->kids[r->nkids++] = node_base + p->kids[i];
    uint8_t *req = calloc(p->nterms ? p->nterms : 1, 1);
    if (!req) {
        p->rc = VOCX_ENOMEM;
        return;
    }
    mark_required(p, root, req);
    for (size_t i = 0; i < p->nterms; i++) {
        if (vx_rules_use_leaf(r, p->terms[i].leaf, rule, req[i])) {
            free(req);
            p->rc = VOCX_ENOMEM;
            return;
        }
    }
    free(req);
    const char *text = vx_rules_strdup(r, p->line + ea, eb - ea);
    if (!text) {
        p->rc = VOCX_ENOMEM;
        return;
    }
    vx_rule *ru = &r->rules[r->nrules++];
    memset(ru, 0, sizeof *ru);
    ru->kind = (uint8_t)kind;
    ru->line = p->lineno;
    ru->issue = issue;
    ru->root = node_base + root;
    ru->node_base = node_base;
    ru->nnodes = (uint32_t)p->npn;
    ru->weight = weight;
    ru->text = text;
    if (vx_rules_add_prechecks(r, rule)) {
        p->rc = VOCX_ENOMEM;
        return;
    }
    if (issue != UINT32_MAX)
        r->issues[issue].end_rule = (uint32_t)r->nrules;
}

static const char *rule_keyword(int kind)
{
    switch (kind) {
    case VX_RULE_MATCH: return "match";
    case VX_RULE_NEGATED: return "negated";
    case VX_RULE_UNLESS: return "unless";
    default: return "cue";
    }
}

/* A match / negated / unless / cue line; the expression starts at `a`. */
static void rule_line(parser *p, int kind, size_t a, uint32_t issue)
{
    p->npn = p->nkids = p->nstack = p->nelems = p->nebuf = 0;
    free_line_terms(p);
    lexer L;
    memset(&L, 0, sizeof L);
    L.p = p;
    L.pos = a;
    L.prev.type = T_END;
    lex(&L);
    if (L.t.type == T_END || L.t.type == T_SEMI) {
        if (!p->line_err)
            err_at(p, L.t.off, "%s needs an expression", rule_keyword(kind));
        return;
    }
    size_t ea = L.t.off;
    int32_t root = parse_or(&L);
    if (root < 0 || p->rc)
        goto out;
    if (L.t.type != T_END && L.t.type != T_SEMI) {
        if (L.t.type == T_RP)
            err_at(p, L.t.off,
                   "unbalanced parenthesis: \")\" has no matching \"(\"");
        else if (L.t.type == T_RB)
            err_at(p, L.t.off, "unbalanced bracket: \"]\" has no matching \"[\"");
        else if (L.t.type == T_COMMA)
            err_at(p, L.t.off,
                   "unexpected \",\": commas only separate the items of a "
                   "[list]");
        else if (L.t.type != T_ERR)
            err_at(p, L.t.off, "unexpected text");
        goto out;
    }
    size_t eb = L.t.off;
    while (eb > ea && is_space(p->line[eb - 1]))
        eb--;
    double weight = 1;
    if (L.t.type == T_SEMI) {
        size_t o = skip_ws(p, L.t.end);
        size_t oe = word_end(p, o);
        if (kind != VX_RULE_MATCH && kind != VX_RULE_NEGATED) {
            err_at(p, L.t.off, "options after \";\" are only allowed on match "
                               "and negated lines");
            goto out;
        }
        if (o == oe) {
            err_at(p, L.t.off, "\";\" must be followed by an option, e.g. "
                               "\"; weight 0.5\"");
            goto out;
        }
        if (!word_is(p, o, oe, "weight")) {
            static const char *const opts[] = {"weight"};
            const char *near = nearest(p->line + o, oe - o, opts, 1);
            if (near)
                err_at(p, o, "unknown rule option \"%.*s\" (did you mean "
                             "\"%s\"?)",
                       (int)(oe - o), p->line + o, near);
            else
                err_at(p, o, "unknown rule option \"%.*s\": the only option "
                             "is \"weight N\"",
                       (int)(oe - o), p->line + o);
            goto out;
        }
        if (number_value(p, oe, "weight", &weight))
            goto out;
    }
    size_t bad = 0;
    if (!needs_positive(p, (uint32_t)root, &bad)) {
        err_at(p, bad,
               "NOT needs a positive partner: write A AND NOT B (a rule "
               "cannot match on the absence of words alone)");
        goto out;
    }
    if (!p->line_err)
        emit_rule(p, kind, (uint32_t)root, ea, eb, weight, issue);
out:
    free_line_terms(p);
}

/* ---- issues ------------------------------------------------------------- */

static uint64_t str_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

/* The issue with this id, or -1. */
static int64_t issue_find(parser *p, const char *s, size_t n)
{
    if (!p->issue_hash)
        return -1;
    size_t i = (size_t)str_hash(s, n) & p->issue_hash_mask;
    while (p->issue_hash[i]) {
        const char *id = p->r->issues[p->issue_hash[i] - 1].info.id;
        if (strlen(id) == n && memcmp(id, s, n) == 0)
            return (int64_t)p->issue_hash[i] - 1;
        i = (i + 1) & p->issue_hash_mask;
    }
    return -1;
}

static int issue_index(parser *p, uint32_t idx)
{
    size_t n = p->issue_hash ? p->issue_hash_mask + 1 : 0;
    if ((idx + 1) * 2 > n) {
        size_t nn = n ? n * 2 : 256;
        uint32_t *h = calloc(nn, sizeof *h);
        if (!h)
            return VOCX_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            uint32_t v = p->issue_hash[i];
            if (!v)
                continue;
            const char *id = p->r->issues[v - 1].info.id;
            size_t j = (size_t)str_hash(id, strlen(id)) & (nn - 1);
            while (h[j])
                j = (j + 1) & (nn - 1);
            h[j] = v;
        }
        free(p->issue_hash);
        p->issue_hash = h;
        p->issue_hash_mask = nn - 1;
    }
    const char *id = p->r->issues[idx].info.id;
    size_t j = (size_t)str_hash(id, strlen(id)) & p->issue_hash_mask;
    while (p->issue_hash[j])
        j = (j + 1) & p->issue_hash_mask;
    p->issue_hash[j] = idx + 1;
    return VOCX_OK;
}

static void issue_start(parser *p, size_t kw_end)
{
    vocx_rules *r = p->r;
    size_t a = skip_ws(p, kw_end), b = word_end(p, a);
    int ok = check_id(p, a, b, "issue") == 0;
    int dup = 0;
    if (ok) {
        int64_t prev = issue_find(p, p->line + a, b - a);
        if (prev >= 0) {
            err_at(p, a, "duplicate issue id \"%.*s\" (first defined at line "
                         "%u)",
                   (int)(b - a), p->line + a, r->issues[prev].info.line);
            dup = 1;
        }
    }
    if (ok && !dup) {
        size_t c = skip_ws(p, b);
        if (c < p->len) {
            err_at(p, c, "unexpected text after the issue id (a label goes on "
                         "its own line: label \"...\")");
        }
    }
    /* The issue is recorded even when its line is wrong, so its indented
     * lines are still checked. */
    if (GROW(r->issues, r->cap_issues, r->nissues + 1) ||
        GROW(p->pis, p->cap_pis, p->npis + 1)) {
        p->rc = VOCX_ENOMEM;
        return;
    }
    const char *id = ok ? vx_rules_strdup(r, p->line + a, b - a)
                        : vx_rules_strdup(r, "?", 1);
    if (!id) {
        p->rc = VOCX_ENOMEM;
        return;
    }
    vx_issue *is = &r->issues[r->nissues];
    memset(is, 0, sizeof *is);
    is->info.id = id;
    is->info.label = id;
    is->info.kind = VOCX_KIND_PROBLEM;
    is->info.severity = 0.5;
    is->info.weight = 1;
    is->info.threshold = 1;
    is->info.line = p->lineno;
    is->first_rule = is->end_rule = (uint32_t)r->nrules;
    pissue *pi = &p->pis[p->npis++];
    memset(pi, 0, sizeof *pi);
    pi->line = p->lineno;
    pi->quiet = !ok || dup;
    r->nissues++;
    if (ok && !dup && issue_index(p, (uint32_t)r->nissues - 1))
        p->rc = VOCX_ENOMEM;
    p->in_issue = 1;
}

/* An attribute given twice in one issue. */
static int once(parser *p, uint32_t *seen, const char *what, size_t off)
{
    if (*seen) {
        err_at(p, off, "%s given twice for issue \"%s\" (first at line %u)",
               what, p->r->issues[p->r->nissues - 1].info.id, *seen);
        return -1;
    }
    *seen = p->lineno;
    return 0;
}

static const char *const issue_keywords[] = {
    "label",  "block",     "kind",  "severity", "owner",
    "weight", "threshold", "match", "negated",  "unless"};
static const char *const top_keywords[] = {"issue",  "block",    "cue",
                                           "option", "negators", "contrast"};
#define NKW(a) (sizeof(a) / sizeof((a)[0]))

static void issue_line(parser *p, size_t a)
{
    vocx_rules *r = p->r;
    uint32_t idx = (uint32_t)r->nissues - 1;
    vx_issue *is = &r->issues[idx];
    pissue *pi = &p->pis[p->npis - 1];
    size_t b = word_end(p, a);
    size_t va, vb;
    double v;

    if (word_is(p, a, b, "match") || word_is(p, a, b, "negated") ||
        word_is(p, a, b, "unless")) {
        int kind = p->line[a] == 'm'   ? VX_RULE_MATCH
                   : p->line[a] == 'n' ? VX_RULE_NEGATED
                                       : VX_RULE_UNLESS;
        if (kind != VX_RULE_UNLESS)
            pi->rule_lines++;
        size_t before = r->nrules;
        rule_line(p, kind, b, idx);
        is = &r->issues[idx];
        if (r->nrules > before && kind != VX_RULE_UNLESS)
            is->info.nrules++;
    } else if (word_is(p, a, b, "label")) {
        if (once(p, &pi->label_line, "label", a) == 0 &&
            text_value(p, b, "label", &va, &vb) == 0) {
            if (!(is->info.label = vx_rules_strdup(r, p->line + va, vb - va)))
                p->rc = VOCX_ENOMEM;
        }
    } else if (word_is(p, a, b, "owner")) {
        if (once(p, &pi->owner_line, "owner", a) == 0 &&
            text_value(p, b, "owner", &va, &vb) == 0) {
            if (!(is->info.owner = vx_rules_strdup(r, p->line + va, vb - va)))
                p->rc = VOCX_ENOMEM;
        }
    } else if (word_is(p, a, b, "block")) {
        if (once(p, &pi->block_line, "block", a))
            return;
        va = skip_ws(p, b);
        vb = word_end(p, va);
        if (check_id(p, va, vb, "block"))
            return;
        size_t c = skip_ws(p, vb);
        if (c < p->len) {
            err_at(p, c, "unexpected text after the block id (an issue "
                         "belongs to exactly one block)");
            return;
        }
        if (!(pi->block_ref = vx_rules_strdup(r, p->line + va, vb - va)))
            p->rc = VOCX_ENOMEM;
        pi->block_col = col_at(p->line, va);
    } else if (word_is(p, a, b, "kind")) {
        if (once(p, &pi->kind_line, "kind", a))
            return;
        va = skip_ws(p, b);
        vb = word_end(p, va);
        static const char *const kinds[] = {"problem", "opportunity",
                                            "praise"};
        if (va == vb) {
            err_at(p, va, "kind needs a value: problem, opportunity or "
                          "praise");
            return;
        }
        size_t c = skip_ws(p, vb);
        if (c < p->len) {
            err_at(p, c, "unexpected text after the kind");
            return;
        }
        for (int k = 0; k < 3; k++)
            if (word_is(p, va, vb, kinds[k])) {
                is->info.kind = VOCX_KIND_PROBLEM + k;
                return;
            }
        const char *near = nearest(p->line + va, vb - va, kinds, 3);
        if (near)
            err_at(p, va, "unknown kind \"%.*s\" (did you mean \"%s\"?)",
                   (int)(vb - va), p->line + va, near);
        else
            err_at(p, va, "unknown kind \"%.*s\": write problem, opportunity "
                          "or praise",
                   (int)(vb - va), p->line + va);
    } else if (word_is(p, a, b, "severity")) {
        if (once(p, &pi->severity_line, "severity", a) ||
            number_value(p, b, "severity", &v))
            return;
        if (v > 1) {
            err_at(p, skip_ws(p, b),
                   "severity %.*s is out of range: it is a likelihood "
                   "between 0 and 1",
                   (int)(word_end(p, skip_ws(p, b)) - skip_ws(p, b)),
                   p->line + skip_ws(p, b));
            return;
        }
        is->info.severity = v;
    } else if (word_is(p, a, b, "weight")) {
        if (once(p, &pi->weight_line, "weight", a) ||
            number_value(p, b, "weight", &v))
            return;
        is->info.weight = v;
    } else if (word_is(p, a, b, "threshold")) {
        if (once(p, &pi->threshold_line, "threshold", a) ||
            number_value(p, b, "threshold", &v))
            return;
        if (v <= 0) {
            err_at(p, skip_ws(p, b), "threshold must be greater than 0");
            return;
        }
        is->info.threshold = v;
    } else {
        for (size_t k = 0; k < NKW(top_keywords); k++)
            if (word_is(p, a, b, top_keywords[k]) &&
                strcmp(top_keywords[k], "block") != 0) {
                err_at(p, a, "\"%s\" lines are top level: remove the "
                             "indentation",
                       top_keywords[k]);
                return;
            }
        const char *near =
            nearest(p->line + a, b - a, issue_keywords, NKW(issue_keywords));
        if (near)
            err_at(p, a, "unknown keyword \"%.*s\" (did you mean \"%s\"?)",
                   (int)(b - a), p->line + a, near);
        else
            err_at(p, a, "unknown keyword \"%.*s\": an issue line is one of "
                         "label, block, kind, severity, owner, weight, "
                         "threshold, match, negated, unless",
                   (int)(b - a), p->line + a);
    }
}

/* ---- top-level lines ---------------------------------------------------- */


static void block_decl(parser *p, size_t kw_end, uint32_t **block_lines,
                       size_t *cap_bl)
{
    vocx_rules *r = p->r;
    size_t a = skip_ws(p, kw_end), b = word_end(p, a);
    if (check_id(p, a, b, "block"))
        return;
    for (size_t i = 0; i < r->nblocks; i++) {
        const char *id = r->blocks[i].id;
        if (strlen(id) == b - a && memcmp(id, p->line + a, b - a) == 0) {
            if (i < r->nbuiltin_blocks)
                err_at(p, a, "building block \"%s\" is built in; choose "
                             "another id",
                       id);
            else
                err_at(p, a, "duplicate building block \"%s\" (first defined "
                             "at line %u)",
                       id, (*block_lines)[i - r->nbuiltin_blocks]);
            return;
        }
    }
    size_t va = a, vb = b;
    if (skip_ws(p, b) < p->len && text_value(p, b, "block label", &va, &vb))
        return;
    size_t nc = r->nblocks - r->nbuiltin_blocks;
    if (GROW(r->blocks, r->cap_blocks, r->nblocks + 1) ||
        vx_grow((void **)block_lines, cap_bl, nc + 1, sizeof **block_lines)) {
        p->rc = VOCX_ENOMEM;
        return;
    }
    const char *id = vx_rules_strdup(r, p->line + a, b - a);
    const char *label = vx_rules_strdup(r, p->line + va, vb - va);
    if (!id || !label) {
        p->rc = VOCX_ENOMEM;
        return;
    }
    r->blocks[r->nblocks].id = id;
    r->blocks[r->nblocks].label = label;
    (*block_lines)[nc] = p->lineno;
    r->nblocks++;
}

/* negators / contrast: single words added to the negation lexicon. */
static void lexicon_line(parser *p, size_t kw_end, int contrast)
{
    const char *what = contrast ? "contrast" : "negators";
    size_t a = skip_ws(p, kw_end);
    if (a >= p->len) {
        err_at(p, a, "%s needs at least one word", what);
        return;
    }
    while (a < p->len) {
        size_t b = word_end(p, a);
        int rc = vx_text_analyze(&p->tx, p->line + a, b - a, p->r->lexicon,
                                 p->r->norm_flags);
        if (rc) {
            p->rc = VOCX_ENOMEM;
            return;
        }
        if (p->tx.ntok != 1 || p->tx.tok[0].kind != VX_TOK_WORD ||
            p->tx.tok[0].nstart != 0 || p->tx.tok[0].nend != p->tx.norm_len) {
            err_at(p, a, "\"%.*s\" is not a single word: %s lists words "
                         "separated by spaces",
                   (int)(b - a), p->line + a, what);
            return;
        }
        size_t flen;
        char *f = vx_text_fold(p->line + a, b - a, p->r->norm_flags, &flen);
        if (!f) {
            p->rc = VOCX_ENOMEM;
            return;
        }
        rc = contrast ? vx_lexicon_add_contrast(p->r->lexicon, f, flen)
                      : vx_lexicon_add_negator(p->r->lexicon, f, flen);
        free(f);
        if (rc) {
            p->rc = VOCX_ENOMEM;
            return;
        }
        a = skip_ws(p, b);
    }
}

static void cue_line(parser *p, size_t kw_end)
{
    size_t a = skip_ws(p, kw_end), b = word_end(p, a);
    static const char *const kinds[] = {"churn", "positive"};
    int kind;
    if (word_is(p, a, b, "churn"))
        kind = VX_RULE_CUE_CHURN;
    else if (word_is(p, a, b, "positive"))
        kind = VX_RULE_CUE_POSITIVE;
    else {
        const char *near = a < b ? nearest(p->line + a, b - a, kinds, 2) : NULL;
        if (near)
            err_at(p, a, "unknown cue kind \"%.*s\" (did you mean \"%s\"?)",
                   (int)(b - a), p->line + a, near);
        else
            err_at(p, a, "a cue is \"cue churn EXPR\" or \"cue positive "
                         "EXPR\"");
        return;
    }
    rule_line(p, kind, b, UINT32_MAX);
}

static void top_line(parser *p, uint32_t **block_lines, size_t *cap_bl)
{
    size_t b = word_end(p, 0);
    if (word_is(p, 0, b, "issue"))
        issue_start(p, b);
    else if (word_is(p, 0, b, "block"))
        block_decl(p, b, block_lines, cap_bl);
    else if (word_is(p, 0, b, "cue"))
        cue_line(p, b);
    else if (word_is(p, 0, b, "negators"))
        lexicon_line(p, b, 0);
    else if (word_is(p, 0, b, "contrast"))
        lexicon_line(p, b, 1);
    else if (word_is(p, 0, b, "option"))
        ; /* read before everything else */
    else {
        for (size_t k = 0; k < NKW(issue_keywords); k++)
            if (word_is(p, 0, b, issue_keywords[k])) {
                err_at(p, 0, "\"%s\" must be indented under an \"issue ID\" "
                             "line",
                       issue_keywords[k]);
                return;
            }
        const char *near = nearest(p->line, b, top_keywords, NKW(top_keywords));
        if (near)
            err_at(p, 0, "unknown keyword \"%.*s\" (did you mean \"%s\"?)",
                   (int)b, p->line, near);
        else
            err_at(p, 0, "unknown keyword \"%.*s\": a top-level line is one "
                         "of issue, block, cue, option, negators, contrast",
                   (int)b, p->line);
    }
}

static void option_line(parser *p)
{
    size_t a = skip_ws(p, word_end(p, 0)), b = word_end(p, a);
    size_t c = skip_ws(p, b), d = word_end(p, c);
    if (word_is(p, a, b, "accents") &&
        (word_is(p, c, d, "ignore") || word_is(p, c, d, "keep"))) {
        if (skip_ws(p, d) < p->len) {
            err_at(p, skip_ws(p, d), "unexpected text after the option");
            return;
        }
        if (p->line[c] == 'i')
            p->r->norm_flags |= VX_NORM_STRIP_ACCENTS;
        else
            p->r->norm_flags &= ~(unsigned)VX_NORM_STRIP_ACCENTS;
        return;
    }
    err_at(p, a, "unknown option \"%.*s\": the option is \"option accents "
                 "ignore\" (or \"option accents keep\", the default)",
           (int)(p->len - a), p->line + a);
}

/* ---- the file ----------------------------------------------------------- */

typedef struct lines {
    const char *src;
    size_t n, pos;
    uint32_t lineno;
} lines;

static int next_line(lines *ls, parser *p)
{
    if (ls->pos >= ls->n)
        return 0;
    if (ls->pos == 0 && ls->n >= 3 && memcmp(ls->src, "\xEF\xBB\xBF", 3) == 0)
        ls->pos = 3; /* a byte order mark is not part of line 1 */
    const char *s = ls->src + ls->pos;
    const char *nl = memchr(s, '\n', ls->n - ls->pos);
    size_t len = nl ? (size_t)(nl - s) : ls->n - ls->pos;
    ls->pos += len + (nl ? 1 : 0);
    if (len && s[len - 1] == '\r')
        len--;
    p->line = s;
    p->len = len;
    p->lineno = ++ls->lineno;
    p->line_err = 0;
    return 1;
}

/* 0 when the line can be read: not too long, valid UTF-8, no NUL. */
static int line_ok(parser *p)
{
    if (p->len > VX_RULES_MAX_LINE) {
        err_at(p, 0, "line is %zu bytes long; the limit is %u bytes", p->len,
               VX_RULES_MAX_LINE);
        p->limit = 1;
        return -1;
    }
    size_t bad = vx_utf8_check(p->line, p->len);
    if (bad < p->len) {
        char why[128];
        vx_utf8_describe(p->line, p->len, bad, why, sizeof why);
        err_at(p, bad, "invalid UTF-8: %s", why);
        return -1;
    }
    const char *z = memchr(p->line, '\0', p->len);
    if (z) {
        err_at(p, (size_t)(z - p->line), "NUL byte in the rule text");
        return -1;
    }
    return 0;
}

static void final_checks(parser *p)
{
    vocx_rules *r = p->r;
    for (size_t i = 0; i < r->nissues && !p->rc && !p->stop; i++) {
        vx_issue *is = &r->issues[i];
        pissue *pi = &p->pis[i];
        if (pi->block_ref) {
            size_t k;
            for (k = 0; k < r->nblocks; k++)
                if (strcmp(r->blocks[k].id, pi->block_ref) == 0)
                    break;
            if (k < r->nblocks) {
                is->block = (uint32_t)k;
                is->info.block = r->blocks[k].id;
                is->info.block_label = r->blocks[k].label;
            } else {
                const char **ids = malloc(r->nblocks * sizeof *ids);
                if (!ids) {
                    p->rc = VOCX_ENOMEM;
                    return;
                }
                for (k = 0; k < r->nblocks; k++)
                    ids[k] = r->blocks[k].id;
                const char *near = nearest(pi->block_ref,
                                           strlen(pi->block_ref), ids,
                                           r->nblocks);
                char msg[1024];
                if (near) {
                    snprintf(msg, sizeof msg,
                             "unknown building block \"%s\" (did you mean "
                             "\"%s\"?)",
                             pi->block_ref, near);
                } else {
                    size_t o = (size_t)snprintf(
                        msg, sizeof msg,
                        "unknown building block \"%s\": the blocks are ",
                        pi->block_ref);
                    for (k = 0; k < r->nblocks && o < sizeof msg; k++)
                        o += (size_t)snprintf(msg + o, sizeof msg - o, "%s%s",
                                              k ? ", " : "", ids[k]);
                }
                free(ids);
                diag_v(p, VOCX_DIAG_ERROR, pi->block_line, pi->block_col, msg);
            }
        } else if (!pi->quiet && !pi->block_line) {
            char msg[512];
            snprintf(msg, sizeof msg,
                     "issue \"%s\" has no block line: add one, e.g. \"block "
                     "improvement\"",
                     is->info.id);
            diag_v(p, VOCX_DIAG_ERROR, pi->line, 1, msg);
        }
        if (!pi->quiet && pi->rule_lines == 0) {
            char msg[512];
            snprintf(msg, sizeof msg,
                     "issue \"%s\" has no match or negated line, so it can "
                     "never be raised",
                     is->info.id);
            diag_v(p, VOCX_DIAG_ERROR, pi->line, 1, msg);
        }
    }
}

int vx_rules_parse(vocx_rules *r, vocx_diagnostics *d)
{
    parser P;
    memset(&P, 0, sizeof P);
    parser *p = &P;
    p->r = r;
    p->d = d;
    vx_text_init(&p->tx);
    uint32_t *block_lines = NULL;
    size_t cap_bl = 0;

    /* Options first: they change how every term is normalized, wherever
     * they appear. */
    lines ls = {r->source, r->source_len, 0, 0};
    while (!p->rc && next_line(&ls, p)) {
        size_t b = word_end(p, 0);
        if (p->len <= VX_RULES_MAX_LINE && word_is(p, 0, b, "option") &&
            vx_utf8_check(p->line, p->len) == p->len &&
            !memchr(p->line, '\0', p->len))
            option_line(p);
    }

    ls.pos = 0;
    ls.lineno = 0;
    while (!p->rc && !p->stop && next_line(&ls, p)) {
        size_t ind = 0;
        if (line_ok(p)) {
            /* the bad part may have held what the issue lacks */
            if (p->in_issue && p->len && is_space(p->line[0]))
                p->pis[p->npis - 1].quiet = 1;
            else
                p->in_issue = 0;
            continue;
        }
        ind = skip_ws(p, 0);
        if (ind == p->len || p->line[ind] == '#')
            continue;
        if (ind > 0) {
            if (p->in_issue)
                issue_line(p, ind);
            else
                err_at(p, ind,
                       "indented line outside an issue: only the lines of an "
                       "issue are indented, under its \"issue ID\" line");
        } else {
            p->in_issue = 0;
            top_line(p, &block_lines, &cap_bl);
        }
    }
    if (!p->rc && !p->stop)
        final_checks(p);

    free_line_terms(p);
    vx_text_free(&p->tx);
    free(p->pn);
    free(p->kids);
    free(p->stack);
    free(p->terms);
    free(p->elems);
    free(p->ebuf);
    free(p->velems);
    free(p->pis);
    free(p->issue_hash);
    free(block_lines);
    if (p->rc)
        return p->rc;
    return p->limit ? VOCX_ELIMIT : VOCX_OK;
}
