/*
 * gen_corpus — deterministic synthetic data for the benchmark suite.
 *
 *   gen_corpus --comments N --out DIR [--customers C] [--seed S]
 *       DIR/comments.csv      id,customer_id,created_at,channel,text
 *       DIR/customers.csv     customer_id,segment
 *       DIR/transactions.csv  customer_id,date,amount
 *     N comments of customer-service text (complaints, praise, requests
 *     and details, product nouns and names, about 105 bytes on average,
 *     about 5 % with non-ASCII text: accents, curly quotes, emoji, other
 *     languages), written by C customers (default N / 10; 3 % of comments
 *     are anonymous and 1 % come from ids the CRM does not know), and the
 *     customers' purchases from 2025-01-01 to 2026-06-30 (a buy-till-you-
 *     die process: heterogeneous purchase rates and dropout), in the
 *     columns `vocx ingest` and `vocx ops import customers|transactions`
 *     read.
 *
 *   gen_corpus --rules N --out FILE.rules [--seed S]
 *     N generated keyword rules (the same generator and, by default, the
 *     same seed as bench_classify, so its rule sets are these), and next
 *     to it FILE.re: each rule's equivalent regex on one line, for the
 *     PCRE2, Hyperscan and Python baselines.  The rule words come from the
 *     vocabulary the comments are written in, so rules fire.
 *
 * The same arguments always write the same bytes.  Each run prints one
 * machine-readable @result line with what it wrote.
 */
#define _POSIX_C_SOURCE 200809L
#include "bench_util.h"
#include "iso8601.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- phrase banks -------------------------------------------------------
 * Slots: {p} a product (sometimes with a brand name), {T} a name from the
 * long tail of the vocabulary, {w} any word by frequency, {n} a small
 * number, {unit} days/weeks..., {day}, {staff}, {ch} a channel, {ord}
 * second/third..., {num} an order number, {price} an amount. */

static const char *const complaint[] = {
    "my {p} never arrived",
    "I was charged twice for my {p}",
    "still waiting for my refund after {n} {unit}",
    "the {p} arrived damaged, the box was crushed",
    "waited {n} minutes on hold and nobody answered",
    "the app keeps crashing when I try to pay",
    "can't log in to my account since the last update",
    "nobody called me back like the {staff} promised",
    "the {staff} was rude and hung up on me",
    "I ordered the {p} and got the wrong one",
    "delivery was {n} days late",
    "tracking hasn't updated in {n} days",
    "you raised the price again without telling anyone",
    "way too expensive compared to other shops",
    "had to explain everything again to a third agent",
    "the website was down all evening",
    "checkout keeps failing at the payment step",
    "I still get spam emails after I unsubscribed",
    "my loyalty points expired without any warning",
    "been a customer for {n} years and this is how you treat me",
    "the {p} stopped working after {n} {unit}",
    "order {num} is still not here",
    "the stream keeps buffering every few minutes",
    "the download fails every time",
    "my {p} was left at the wrong address",
    "the courier says he tried to deliver but nobody came to the door",
    "I was charged {price} instead of {price}",
    "you cancelled my order without asking",
    "the voucher code didn't work at checkout",
    "the return label doesn't work",
    "I keep being passed from one department to another",
    "the {staff} had no idea what he was doing",
    "nobody replies to my emails",
    "I have contacted you {n} times about the {p}",
    "the quality of the {p} is really poor",
    "the parcel was soaked and the {p} inside was ruined",
    "my card was declined even though my bank says it's fine",
    "your chatbot is useless, let me talk to a real person",
    "the invoice is confusing and I can't work out what I paid for",
    "the {p} is missing from my parcel",
    "the {T} {p} broke on the first day",
    "the {staff} at the {T} branch was not helpful",
    "why does the {T} cost more online than in the shop",
};
static const char *const praise[] = {
    "great service, thank you",
    "the {staff} was really helpful and sorted it in minutes",
    "love the new app, so much easier to use",
    "delivery was quick and the {p} was well packed",
    "excellent range, found the {p} I was looking for",
    "refund came through fast, thanks",
    "thank you for the quick reply",
    "the {p} is amazing, exactly as described",
    "friendly staff in the {T} store",
    "arrived a day early, very happy",
    "best customer service I've had in years",
    "easy return, no questions asked",
    "the {T} {p} is brilliant",
};
static const char *const request[] = {
    "please add an option to pick up in store",
    "would be great if you offered gift wrapping",
    "any plans to sell the {p} in other colours?",
    "how do I change my delivery address?",
    "can you tell me when the {T} {p} will be back in stock?",
    "it would be nice to pay with paypal",
    "please let me choose a delivery slot",
    "could you add dark mode to the app?",
    "is there a student discount on the {p}?",
};
static const char *const detail[] = {
    "I'll cancel my account if this isn't fixed",
    "I'm switching to another shop",
    "never again",
    "ordered on {day}",
    "order {num}",
    "this is the {ord} time I contact you",
    "I contacted you by {ch} on {day}",
    "it's the {T} model",
    "bought it at the {T} branch",
    "the {T} edition",
    "thanks",
    "please fix this",
    "not happy at all",
    "very disappointed",
    "5 stars",
    "the {T} {T} is not working",
    "ref {T} {num}",
};
/* non-ASCII: accents, curly quotes, emoji, other languages */
static const char *const intl[] = {
    "ma commande n'est jamais arriv\xc3\xa9" "e",
    "tr\xc3\xa8s d\xc3\xa9\xc3\xa7u du service",
    "mein Paket ist nie angekommen",
    "el pedido lleg\xc3\xb3 tarde",
    "la livraison \xc3\xa9tait en retard de {n} jours",
    "zweimal abgebucht, \xc3\xbc" "berweisung kam nie zur\xc3\xbc" "ck",
    "merci beaucoup, service g\xc3\xa9nial",
    "my {p} didn\xe2\x80\x99t arrive",
    "the \xe2\x80\x9c" "express\xe2\x80\x9d delivery took {n} days",
    "the caf\xc3\xa9 next to the depot has my parcel",
    "\xd0\xb4\xd0\xbe\xd1\x81\xd1\x82\xd0\xb0\xd0\xb2\xd0\xba\xd0\xb0 "
    "\xd0\xbe\xd0\xbf\xd0\xbe\xd0\xb7\xd0\xb4\xd0\xb0\xd0\xbb\xd0\xb0",
    "se\xc3\xb1or, the {p} is still missing",
};
static const char *const emoji[] = {
    " \xf0\x9f\x98\xa1", " \xf0\x9f\x91\x8d", " \xf0\x9f\x99\x8f",
    " \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", " \xe2\x9d\xa4\xef\xb8\x8f",
    " \xf0\x9f\x98\xa4\xf0\x9f\x98\xa4"};

static const char *const products[] = {
    "order", "parcel", "package", "headphones", "speaker", "vinyl",
    "record", "box set", "cd", "subscription", "gift card", "laptop",
    "phone case", "charger", "jacket", "shoes", "coffee machine", "kettle",
    "mattress", "sofa", "printer", "router", "tv", "camera", "watch",
    "item", "replacement", "voucher", "tablet", "blender"};
static const char *const units[] = {"days", "weeks", "hours", "minutes",
                                    "months"};
static const char *const days[] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "yesterday", "last week", "the 3rd", "the 14th"};
static const char *const staff[] = {
    "agent", "driver", "courier", "manager", "lady on the phone",
    "guy in the shop", "advisor", "technician", "person on the chat"};
static const char *const chans[] = {"email", "chat", "phone", "twitter",
                                    "the app", "the contact form"};
static const char *const ords[] = {"second", "third", "fourth", "fifth",
                                   "sixth"};
static const char *const currency[] = {"$", "$", "$", "\xe2\x82\xac",
                                       "\xc2\xa3"};

/* A word of the long tail (rank >= the common words), by frequency. */
static const char *tail_word(const bu_vocab *v, bu_rng *r)
{
    double lo_cdf = v->cdf[v->ncommon - 1];
    return bu_vocab_at(v, lo_cdf + bu_uniform(r) * (1.0 - lo_cdf),
                       v->ncommon);
}

#define PICK(r, a) ((a)[bu_pick((r), BU_N(a))])

/* Expand one template into b; amounts are in `cur`. */
static void expand(bu_buf *b, const char *t, const bu_vocab *v, bu_rng *r,
                   const char *cur)
{
    while (*t) {
        const char *open = strchr(t, '{');
        if (!open) {
            bu_puts(b, t);
            return;
        }
        bu_put(b, t, (size_t)(open - t));
        const char *close = strchr(open, '}');
        size_t n = (size_t)(close - open - 1);
        const char *slot = open + 1;
#define IS(s) (n == sizeof(s) - 1 && !memcmp(slot, s, n))
        if (IS("p")) {
            if (bu_pick(r, 100) < 30) {
                char name[64];
                snprintf(name, sizeof name, "%s", tail_word(v, r));
                name[0] = (char)(name[0] - 32); /* a brand: capitalized */
                bu_printf(b, "%s ", name);
            }
            bu_puts(b, PICK(r, products));
        } else if (IS("T")) {
            bu_puts(b, tail_word(v, r));
        } else if (IS("w")) {
            bu_puts(b, bu_zipf_word(v, r));
        } else if (IS("n")) {
            bu_printf(b, "%zu", 2 + bu_pick(r, 11));
        } else if (IS("unit")) {
            bu_puts(b, PICK(r, units));
        } else if (IS("day")) {
            bu_puts(b, PICK(r, days));
        } else if (IS("staff")) {
            bu_puts(b, PICK(r, staff));
        } else if (IS("ch")) {
            bu_puts(b, PICK(r, chans));
        } else if (IS("ord")) {
            bu_puts(b, PICK(r, ords));
        } else if (IS("num")) {
            bu_printf(b, "#%zu", 1000000 + bu_pick(r, 9000000));
        } else if (IS("price")) {
            bu_printf(b, "%s%zu.%02zu", cur, 5 + bu_pick(r, 195),
                      bu_pick(r, 100));
        } else {
            bu_die("gen_corpus: unknown slot {%.*s}", (int)n, slot);
        }
#undef IS
        t = close + 1;
    }
}

/* Upper-case the ASCII letters of b from `from` on. */
static void shout(bu_buf *b, size_t from)
{
    for (size_t i = from; i < b->n; i++)
        if (b->p[i] >= 'a' && b->p[i] <= 'z')
            b->p[i] = (char)(b->p[i] - 32);
}

/* One comment into b (cleared first); returns 1 when it has non-ASCII. */
static int gen_comment(bu_buf *b, const bu_vocab *v, bu_rng *r)
{
    b->n = 0;
    /* target length: 30 bytes plus an exponential tail (mean ~105 in all) */
    double u = bu_uniform(r);
    size_t target = 32 + (size_t)(-log(1.0 - u) * 52.0);
    if (target > 700)
        target = 700;
    const char *cur = PICK(r, currency);
    int intl_comment = bu_pick(r, 100) < 4;
    size_t intl_at = intl_comment ? bu_pick(r, 3) : 99;
    size_t k = 0;
    do {
        const char *t;
        size_t start = b->n;
        if (k == intl_at) {
            t = bu_pick(r, 3) == 0 ? NULL : PICK(r, intl);
        } else if (k == 0) {
            size_t kind = bu_pick(r, 100);
            t = kind < 62   ? PICK(r, complaint)
                : kind < 80 ? PICK(r, praise)
                : kind < 92 ? PICK(r, request)
                            : PICK(r, detail);
        } else {
            t = bu_pick(r, 2) ? PICK(r, detail) : PICK(r, complaint);
        }
        if (k > 0) {
            size_t sep = bu_pick(r, 10);
            bu_puts(b, sep < 6 ? ". " : sep < 8 ? ", " : sep < 9 ? "! " : " - ");
            start = b->n;
        }
        if (t)
            expand(b, t, v, r, cur);
        else
            bu_puts(b, PICK(r, emoji) + (k == 0)); /* an emoji on its own */
        if (b->n > start && b->p[start] >= 'a' && b->p[start] <= 'z' &&
            bu_pick(r, 10) < 7)
            b->p[start] = (char)(b->p[start] - 32);
        if (bu_pick(r, 40) == 0)
            shout(b, start);
        k++;
    } while (b->n < target || (intl_comment && k <= intl_at));
    size_t end = bu_pick(r, 10);
    if (b->p[b->n - 1] != '?')
        bu_puts(b, end < 5 ? "." : end < 7 ? "!" : end < 8 ? "!!" : "");
    if (intl_comment && bu_pick(r, 3) == 0)
        bu_puts(b, PICK(r, emoji));
    for (size_t i = 0; i < b->n; i++)
        if ((unsigned char)b->p[i] >= 0x80)
            return 1;
    return 0;
}

/* ---- CSV output ------------------------------------------------------------ */

static FILE *open_out(const char *dir, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        bu_die("%s: cannot create", path);
    return f;
}

static void csv_field(FILE *f, const char *s, size_t n)
{
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
        !memchr(s, '\r', n)) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

static void close_out(FILE *f, const char *path)
{
    if (ferror(f) || fclose(f) != 0)
        bu_die("%s: write error", path);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void day_str(int64_t day0, int64_t d, char out[11])
{
    int y;
    unsigned m, dd;
    vx_civil_from_days(day0 + d, &y, &m, &dd);
    snprintf(out, 11, "%04d-%02u-%02u", y, m, dd);
}

#define HORIZON_DAYS 546 /* 2025-01-01 .. 2026-06-30 */

static int write_data(size_t ncomments, size_t ncustomers, uint64_t seed,
                      const char *dir)
{
    bu_vocab v;
    bu_vocab_init(&v);
    bu_rng r = {seed};
    char path[4096];
    const int64_t day0 = vx_days_from_civil(2025, 1, 1);
    static const char *const channels[] = {"email", "email", "email", "chat",
                                           "chat", "chat", "survey", "survey",
                                           "social", "phone", "app"};

    /* comments */
    FILE *f = open_out(dir, "comments.csv", path, sizeof path);
    fputs("id,customer_id,created_at,channel,text\n", f);
    bu_buf text = {0};
    uint64_t text_bytes = 0, nonascii = 0, anon = 0, unknown = 0;
    for (size_t i = 0; i < ncomments; i++) {
        nonascii += (uint64_t)gen_comment(&text, &v, &r);
        text_bytes += text.n;
        size_t who = bu_pick(&r, 100);
        char cust[32] = "";
        if (who < 3)
            anon++;
        else if (who < 4)
            snprintf(cust, sizeof cust, "x%zu", 1 + bu_pick(&r, ncustomers)),
                unknown++;
        else
            snprintf(cust, sizeof cust, "%zu", 1 + bu_pick(&r, ncustomers));
        char day[11];
        day_str(day0, (int64_t)bu_pick(&r, HORIZON_DAYS), day);
        size_t secs = bu_pick(&r, 86400);
        fprintf(f, "c%08zu,%s,%sT%02zu:%02zu:%02zuZ,%s,", i + 1, cust, day,
                secs / 3600, secs / 60 % 60, secs % 60, PICK(&r, channels));
        csv_field(f, text.p, text.n);
        fputc('\n', f);
    }
    close_out(f, path);
    long comments_file = file_size(path);
    free(text.p);

    /* customers */
    f = open_out(dir, "customers.csv", path, sizeof path);
    fputs("customer_id,segment\n", f);
    for (size_t c = 1; c <= ncustomers; c++) {
        size_t s = bu_pick(&r, 10);
        fprintf(f, "%zu,%s\n", c, s < 2 ? "high" : s < 5 ? "mid" : "low");
    }
    close_out(f, path);

    /* transactions: first purchase in the first 12 weeks, then purchases at
     * a customer's own rate (log-normal across customers) until the
     * horizon or until the customer drops out (after any purchase, with a
     * customer's own probability) */
    f = open_out(dir, "transactions.csv", path, sizeof path);
    fputs("customer_id,date,amount\n", f);
    uint64_t ntx = 0;
    for (size_t c = 1; c <= ncustomers; c++) {
        double rate = exp(-2.6 + 1.1 * bu_normal(&r)) / 7.0; /* per day */
        double drop = 0.05 + 0.45 * bu_uniform(&r);
        double spend = exp(log(28.0) + 0.5 * bu_normal(&r));
        double t = (double)bu_pick(&r, 84);
        for (;;) {
            double amount = spend * exp(0.35 * bu_normal(&r));
            char day[11];
            day_str(day0, (int64_t)t, day);
            fprintf(f, "%zu,%s,%.2f\n", c, day, amount);
            ntx++;
            if (bu_uniform(&r) < drop)
                break;
            t += -log(1.0 - bu_uniform(&r)) / rate;
            if (t >= HORIZON_DAYS)
                break;
        }
    }
    close_out(f, path);

    printf("@result stage=gen-corpus label=%zu comments=%zu bytes=%llu "
           "file_bytes=%ld customers=%zu transactions=%llu "
           "avg_bytes=%.1f nonascii_pct=%.2f anonymous=%llu unknown=%llu "
           "rss_kb=%ld\n",
           ncomments, ncomments, (unsigned long long)text_bytes, comments_file,
           ncustomers, (unsigned long long)ntx,
           ncomments ? (double)text_bytes / (double)ncomments : 0.0,
           ncomments ? 100.0 * (double)nonascii / (double)ncomments : 0.0,
           (unsigned long long)anon, (unsigned long long)unknown,
           bu_peak_rss_kb());
    bu_vocab_free(&v);
    return 0;
}

static int write_rules(size_t nrules, uint64_t seed, const char *out)
{
    bu_vocab v;
    bu_vocab_init(&v);
    bu_ruleset rs;
    bu_gen_rules(&rs, &v, nrules, seed);
    FILE *f = fopen(out, "wb");
    if (!f)
        bu_die("%s: cannot create", out);
    fwrite(rs.text.p, 1, rs.text.n, f);
    close_out(f, out);
    char re[4096];
    size_t l = strlen(out);
    if (l > 6 && !strcmp(out + l - 6, ".rules"))
        l -= 6;
    snprintf(re, sizeof re, "%.*s.re", (int)l, out);
    f = fopen(re, "wb");
    if (!f)
        bu_die("%s: cannot create", re);
    for (size_t i = 0; i < rs.n; i++)
        fprintf(f, "%s\n", rs.re[i]);
    close_out(f, re);
    printf("@result stage=gen-rules label=%zu rules=%zu bytes=%zu rss_kb=%ld\n",
           nrules, rs.n, rs.text.n, bu_peak_rss_kb());
    bu_ruleset_free(&rs);
    bu_vocab_free(&v);
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: gen_corpus --comments N --out DIR [--customers C] "
            "[--seed S]\n"
            "       gen_corpus --rules N --out FILE.rules [--seed S]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    size_t comments = 0, rules = 0, customers = 0;
    int have_comments = 0, have_rules = 0;
    uint64_t seed = 0;
    const char *out = NULL;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc)
            usage();
        const char *a = argv[i], *v = argv[i + 1];
        char *end;
        unsigned long long x = strtoull(v, &end, 0);
        int num = *v && !*end;
        if (!strcmp(a, "--comments") && num)
            comments = (size_t)x, have_comments = 1;
        else if (!strcmp(a, "--rules") && num)
            rules = (size_t)x, have_rules = 1;
        else if (!strcmp(a, "--customers") && num)
            customers = (size_t)x;
        else if (!strcmp(a, "--seed") && num)
            seed = x;
        else if (!strcmp(a, "--out"))
            out = v;
        else
            usage();
    }
    if (!out || have_comments == have_rules)
        usage();
    if (have_rules)
        return write_rules(rules, seed, out);
    if (!customers)
        customers = comments / 10 > 10 ? comments / 10 : 10;
    mkdir(out, 0777); /* may exist */
    return write_data(comments, customers, seed ? seed : 20260101, out);
}
