/* Buffered output, escaping, number formatting and the inline SVG charts of
 * the reports.  See svg.h. */
#include "svg.h"
#include "utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- buffered output ---------------------------------------------------- */

#define OUT_CHUNK 65536

void vx_out_init(vx_out *o, vocx_write_cb write, void *payload)
{
    memset(o, 0, sizeof *o);
    o->write = write;
    o->payload = payload;
}

int vx_out_flush(vx_out *o)
{
    if (!o->err && o->len) {
        if (o->write(o->payload, o->buf, o->len))
            o->err = VOCX_EIO;
        else
            o->total += o->len;
    }
    o->len = 0;
    return o->err;
}

void vx_out_put(vx_out *o, const char *s, size_t n)
{
    if (o->err || !n)
        return;
    if (o->len + n > o->cap) {
        if (o->len && vx_out_flush(o))
            return;
        if (n > o->cap) {
            size_t cap = n > OUT_CHUNK ? n : OUT_CHUNK;
            char *b = realloc(o->buf, cap);
            if (!b) {
                o->err = VOCX_ENOMEM;
                return;
            }
            o->buf = b;
            o->cap = cap;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

void vx_out_puts(vx_out *o, const char *s)
{
    if (s)
        vx_out_put(o, s, strlen(s));
}

void vx_out_printf(vx_out *o, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        vx_out_put(o, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        o->err = o->err ? o->err : VOCX_ENOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    vx_out_put(o, big, (size_t)n);
    free(big);
}

void vx_out_free(vx_out *o)
{
    free(o->buf);
    o->buf = NULL;
    o->len = o->cap = 0;
}

/* Walk s[0..n) as UTF-8: returns the length of the character at s (its
 * bytes are valid), or 0 for an invalid byte (to be replaced). */
static size_t char_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)*s;
    if (c < 0x80)
        return 1;
    uint32_t cp;
    int k = vx_utf8_decode(s, n, &cp);
    return k > 0 ? (size_t)k : 0;
}

static const char REPLACEMENT[] = "\xEF\xBF\xBD";

void vx_out_html(vx_out *o, const char *s, size_t n)
{
    if (!s)
        return;
    if (n == (size_t)-1)
        n = strlen(s);
    size_t run = 0; /* start of the pending literal run */
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        size_t adv = 1;
        if (c >= 0x80) {
            adv = char_len(s + i, n - i);
            if (!adv) {
                rep = REPLACEMENT;
                adv = 1;
            }
        } else if (c == '&') {
            rep = "&amp;";
        } else if (c == '<') {
            rep = "&lt;";
        } else if (c == '>') {
            rep = "&gt;";
        } else if (c == '"') {
            rep = "&quot;";
        } else if (c == '\'') {
            rep = "&#39;";
        } else if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') ||
                   c == 0x7F) {
            rep = "";
        }
        if (rep) {
            vx_out_put(o, s + run, i - run);
            vx_out_puts(o, rep);
            run = i + adv;
        }
        i += adv;
    }
    vx_out_put(o, s + run, n - run);
}

void vx_out_md(vx_out *o, const char *s, size_t n, const char *cont)
{
    vx_out_md_marked(o, s, n, cont, NULL, 0);
}

void vx_out_md_marked(vx_out *o, const char *s, size_t n, const char *cont,
                      const vx_range *sp, size_t nsp)
{
    if (!s)
        return;
    if (n == (size_t)-1)
        n = strlen(s);
    int line_start = 1, digits = 0, bold = 0;
    size_t k = 0; /* the next or current span */
    size_t i = 0;
    /* Leading blank lines are dropped. */
    while (i < n && (s[i] == '\n' || s[i] == '\r'))
        i++;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || c == '\r') {
            size_t nl = 0;
            while (i < n && (s[i] == '\n' || s[i] == '\r' || s[i] == ' ' ||
                             s[i] == '\t')) {
                if (s[i] == '\n' ||
                    (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n')))
                    nl++;
                i++;
            }
            if (bold) { /* emphasis does not cross a line: reopened after */
                vx_out_puts(o, "**");
                bold = 0;
            }
            if (i >= n)
                break; /* trailing newlines */
            /* One newline: a hard break inside the paragraph; a blank line:
             * a new paragraph. */
            vx_out_puts(o, nl > 1 ? "\n" : "\\\n");
            if (nl > 1) {
                vx_out_puts(o, cont ? cont : "");
                vx_out_puts(o, "\n");
            }
            vx_out_puts(o, cont ? cont : "");
            line_start = 1;
            digits = 0;
            continue;
        }
        if (line_start && (c == ' ' || c == '\t')) {
            i++; /* indentation would start a code block */
            continue;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7F) {
            i++;
            continue;
        }
        /* Open the emphasis at the first character shown inside a span. */
        while (k < nsp && sp[k].end <= i)
            k++;
        if (!bold && k < nsp && sp[k].start <= i) {
            vx_out_puts(o, "**");
            bold = 1;
        }
        size_t adv = 1;
        if (c >= 0x80) {
            adv = char_len(s + i, n - i);
            if (adv)
                vx_out_put(o, s + i, adv);
            else
                vx_out_puts(o, REPLACEMENT);
            if (!adv)
                adv = 1;
            line_start = digits = 0;
        } else {
            int was_start = line_start;
            int was_digits = digits;
            line_start = 0;
            digits = 0;
            switch (c) {
            case '&': vx_out_puts(o, "&amp;"); break;
            case '<': vx_out_puts(o, "&lt;"); break;
            case '>': vx_out_puts(o, "&gt;"); break;
            case '\\': case '`': case '*': case '_': case '[': case ']':
            case '#': case '|': case '~':
                vx_out_put(o, "\\", 1);
                vx_out_put(o, (const char *)&s[i], 1);
                break;
            case '-': case '+': case '=':
                if (was_start)
                    vx_out_put(o, "\\", 1);
                vx_out_put(o, (const char *)&s[i], 1);
                break;
            case '.': case ')':
                if (was_digits)
                    vx_out_put(o, "\\", 1); /* "1." would start a list */
                vx_out_put(o, (const char *)&s[i], 1);
                break;
            default:
                if (c >= '0' && c <= '9' && (was_start || was_digits))
                    digits = 1;
                vx_out_put(o, (const char *)&s[i], 1);
            }
        }
        i += adv;
        if (bold && i >= sp[k].end) {
            vx_out_puts(o, "**");
            bold = 0;
            k++;
        }
    }
    if (bold)
        vx_out_puts(o, "**");
}

/* ---- numbers ------------------------------------------------------------ */

const char *vx_fmt_count(uint64_t n, char out[32])
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n);
    int k = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = tmp[i];
    }
    out[k] = '\0';
    return out;
}

const char *vx_fmt_fixed(double v, int decimals, int group, char out[48])
{
    static const double pow10[] = {1, 10, 100, 1000, 1e4, 1e5, 1e6};
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    double scale = pow10[decimals];
    if (!isfinite(v) || fabs(v) * scale > 9e17) {
        snprintf(out, 48, "-");
        return out;
    }
    unsigned long long u = (unsigned long long)llround(fabs(v) * scale);
    int neg = v < 0 && u != 0;
    unsigned long long whole = u / (unsigned long long)scale;
    unsigned long long frac = u % (unsigned long long)scale;
    char w[32];
    if (group)
        vx_fmt_count(whole, w);
    else
        snprintf(w, sizeof w, "%llu", whole);
    char tmp[96];
    if (decimals)
        snprintf(tmp, sizeof tmp, "%s%s.%0*llu", neg ? "-" : "", w, decimals,
                 frac);
    else
        snprintf(tmp, sizeof tmp, "%s%s", neg ? "-" : "", w);
    size_t n = strlen(tmp);
    if (n >= 48)
        memcpy(out, "-", 2);
    else
        memcpy(out, tmp, n + 1);
    return out;
}

static const char *money(const char *cur, double v, int decimals,
                         char out[96])
{
    char num[48];
    vx_fmt_fixed(v, decimals, 1, num);
    if (num[0] == '-' && num[1])
        snprintf(out, 96, "-%s%s", cur ? cur : "", num + 1);
    else if (num[0] == '-')
        snprintf(out, 96, "-");
    else
        snprintf(out, 96, "%s%s", cur ? cur : "", num);
    return out;
}

const char *vx_fmt_money(const char *cur, double v, char out[96])
{
    return money(cur, v, 2, out);
}

const char *vx_fmt_money0(const char *cur, double v, char out[96])
{
    return money(cur, v, 0, out);
}

const char *vx_fmt_pct(double share, char out[32])
{
    char num[48];
    vx_fmt_fixed(share * 100.0, 1, 0, num);
    size_t n = strlen(num);
    if (n > 30)
        n = 0;
    memcpy(out, num, n);
    memcpy(out + n, "%", 2);
    return out;
}

size_t vx_utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* ---- SVG primitives ----------------------------------------------------- */

/* A coordinate with one decimal. */
static const char *co(double v, char out[48])
{
    return vx_fmt_fixed(v, 1, 0, out);
}

static void svg_open(vx_out *o, const char *id, int w, int h,
                     const char *title, const char *desc)
{
    vx_out_printf(o,
                  "<svg class=\"chart\" "
                  "viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" "
                  "aria-labelledby=\"%s-t %s-d\">\n<title id=\"%s-t\">",
                  w, h, id, id, id);
    vx_out_html(o, title, (size_t)-1);
    vx_out_printf(o, "</title>\n<desc id=\"%s-d\">", id);
    vx_out_html(o, desc, (size_t)-1);
    vx_out_puts(o, "</desc>\n");
}

static void svg_text(vx_out *o, double x, double y, const char *anchor,
                     const char *cls, const char *text)
{
    char a[48], b[48];
    vx_out_printf(o, "<text x=\"%s\" y=\"%s\"", co(x, a), co(y, b));
    if (anchor && strcmp(anchor, "start"))
        vx_out_printf(o, " text-anchor=\"%s\"", anchor);
    if (cls)
        vx_out_printf(o, " class=\"%s\"", cls);
    vx_out_puts(o, ">");
    vx_out_html(o, text, (size_t)-1);
    vx_out_puts(o, "</text>\n");
}

static void svg_line(vx_out *o, double x1, double y1, double x2, double y2,
                     const char *cls)
{
    char a[48], b[48], c[48], d[48];
    vx_out_printf(o, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
                     "class=\"%s\"/>\n",
                  co(x1, a), co(y1, b), co(x2, c), co(y2, d), cls);
}

/* A rectangle with a tooltip. */
static void svg_rect(vx_out *o, double x, double y, double w, double h,
                     const char *cls, const char *tip)
{
    char a[48], b[48], c[48], d[48];
    if (h < 0)
        h = 0;
    vx_out_printf(o, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" "
                     "class=\"%s\">",
                  co(x, a), co(y, b), co(w, c), co(h, d), cls);
    if (tip) {
        vx_out_puts(o, "<title>");
        vx_out_html(o, tip, (size_t)-1);
        vx_out_puts(o, "</title>");
    }
    vx_out_puts(o, "</rect>\n");
}

/* Break `label` into at most `maxlines` lines of about `width` characters
 * at spaces (a last line that does not fit ends with "…"), written as
 * <tspan> lines starting at (x, y). */
static void svg_wrapped(vx_out *o, double x, double y, double lh,
                        const char *anchor, const char *cls, const char *label,
                        size_t width, int maxlines)
{
    char a[48], b[48];
    vx_out_printf(o, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\" "
                     "class=\"%s\">",
                  co(x, a), co(y, b), anchor, cls);
    const char *p = label ? label : "";
    if (width < 4)
        width = 4;
    for (int line = 0; line < maxlines && *p; line++) {
        while (*p == ' ')
            p++;
        size_t len = strlen(p);
        size_t take = len;
        int last = line == maxlines - 1;
        if (vx_utf8_chars(p, len) > width) {
            /* The longest prefix of whole words within width. */
            size_t best = 0, chars = 0;
            for (size_t i = 0; i < len; i++) {
                if (((unsigned char)p[i] & 0xC0) != 0x80)
                    chars++;
                if (chars > width)
                    break;
                if (p[i] == ' ')
                    best = i;
            }
            if (last || !best) {
                /* Cut inside the word (or the last line): room for "…". */
                size_t cut = 0;
                chars = 0;
                for (size_t i = 0; i < len; i++) {
                    if (((unsigned char)p[i] & 0xC0) != 0x80) {
                        if (chars + 1 >= width)
                            break;
                        chars++;
                    }
                    cut = i + 1;
                }
                while (cut < len && ((unsigned char)p[cut] & 0xC0) == 0x80)
                    cut++;
                take = last && best && best > cut / 2 ? best : cut;
            } else {
                take = best;
            }
        }
        vx_out_printf(o, "<tspan x=\"%s\" dy=\"%s\">", co(x, a),
                      co(line ? lh : 0, b));
        vx_out_html(o, p, take);
        if (take < len && (last || p[take] != ' '))
            vx_out_puts(o, "\xE2\x80\xA6");
        vx_out_puts(o, "</tspan>");
        p += take;
        if (last)
            break;
    }
    vx_out_puts(o, "</text>\n");
}

/* A "nice" step so that about `n` steps cover `max`. */
static double nice_step(double max, int n)
{
    if (!(max > 0))
        return 1;
    double raw = max / n;
    double mag = pow(10, floor(log10(raw)));
    double norm = raw / mag;
    double step = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5
                : norm <= 5 ? 5 : 10;
    return step * mag;
}

static const char *tick_money(const char *cur, double v, double step,
                              char out[96])
{
    return step >= 1 ? vx_fmt_money0(cur, v, out) : vx_fmt_money(cur, v, out);
}

/* ---- Pareto chart ------------------------------------------------------- */

void vx_chart_pareto(vx_out *o, const char *id, const char *title,
                     const char *desc, const vx_pareto_bar *bars, size_t n,
                     const char *cur, const char *axis_title)
{
    const int W = 1100, H = 420;
    const double L = 96, R = 64, T = 30, B = 104;
    const double pw = W - L - R, ph = H - T - B, base = T + ph;
    char m[96], p[48], tip[512];
    svg_open(o, id, W, H, title, desc);
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += bars[i].value > 0 ? bars[i].value : 0;
    double top = total > 0 ? total : 1;
    /* Left axis: money, gridlines at nice steps up to the total. */
    double step = nice_step(top, 5);
    vx_out_puts(o, "<g class=\"axis\">\n");
    for (double v = 0; v <= top * 1.0001; v += step) {
        double y = base - v / top * ph;
        svg_line(o, L, y, L + pw, y, v == 0 ? "base" : "grid");
        svg_text(o, L - 8, y + 4, "end", "tick", tick_money(cur, v, step, m));
    }
    /* Right axis: cumulative share, 0..100 % on the same scale. */
    for (int k = 0; k <= 5; k++) {
        double y = base - k / 5.0 * ph;
        char lab[16];
        snprintf(lab, sizeof lab, "%d%%", k * 20);
        svg_line(o, L + pw, y, L + pw + 5, y, "tickmark");
        svg_text(o, L + pw + 9, y + 4, "start", "tick", lab);
    }
    svg_line(o, L + pw, T, L + pw, base, "tickmark");
    {
        char a[48], b[48];
        vx_out_printf(o, "<text transform=\"translate(%s %s) rotate(-90)\" "
                         "text-anchor=\"middle\" class=\"axis-title\">",
                      co(18, a), co(T + ph / 2, b));
        vx_out_html(o, axis_title, (size_t)-1);
        vx_out_puts(o, "</text>\n");
        vx_out_printf(o, "<text transform=\"translate(%s %s) rotate(90)\" "
                         "text-anchor=\"middle\" class=\"axis-title\">"
                         "Cumulative share</text>\n",
                      co(W - 14, a), co(T + ph / 2, b));
    }
    /* The 80 % line of the Pareto principle. */
    double y80 = base - 0.8 * ph;
    svg_line(o, L, y80, L + pw, y80, "ref");
    svg_text(o, L + 6, y80 - 5, "start", "ref-label", "80% of the value");
    vx_out_puts(o, "</g>\n");
    if (!n) {
        vx_out_puts(o, "</svg>\n");
        return;
    }
    double slot = pw / (double)n;
    double bw = slot * 0.64;
    if (bw > 72)
        bw = 72;
    size_t chars = (size_t)(slot / 6.4);
    /* Bars, values and labels under the axis. */
    vx_out_puts(o, "<g class=\"bars\">\n");
    double cum = 0;
    for (size_t i = 0; i < n; i++) {
        double v = bars[i].value > 0 ? bars[i].value : 0;
        cum += v;
        double cx = L + slot * ((double)i + 0.5);
        double h = v / top * ph;
        char share[32], cshare[32];
        vx_fmt_pct(total > 0 ? v / total : 0, share);
        vx_fmt_pct(total > 0 ? cum / total : 0, cshare);
        snprintf(tip, sizeof tip, "%s: %s (%s; cumulative %s)",
                 bars[i].label ? bars[i].label : "",
                 vx_fmt_money(cur, v, m), share, cshare);
        svg_rect(o, cx - bw / 2, base - h, bw, h,
                 bars[i].style == 1   ? "bar bar-first"
                 : bars[i].style == 2 ? "bar bar-other"
                                      : "bar",
                 tip);
        if (slot >= 34) {
            svg_text(o, cx, base + 17, "middle", "bar-value",
                     slot >= 80 ? vx_fmt_money(cur, v, m)
                                : vx_fmt_money0(cur, v, m));
            svg_wrapped(o, cx, base + 33, 13, "middle", "bar-label",
                        bars[i].label, chars, 4);
        }
    }
    vx_out_puts(o, "</g>\n");
    /* The cumulative line, on the same scale as the bars. */
    vx_out_puts(o, "<g class=\"cum\">\n<polyline class=\"cum-line\" points=\"");
    cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += bars[i].value > 0 ? bars[i].value : 0;
        double cx = L + slot * ((double)i + 0.5);
        double y = base - (total > 0 ? cum / total : 0) * ph;
        char a[48], b[48];
        vx_out_printf(o, "%s%s,%s", i ? " " : "", co(cx, a), co(y, b));
    }
    vx_out_puts(o, "\"/>\n");
    cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += bars[i].value > 0 ? bars[i].value : 0;
        double share = total > 0 ? cum / total : 0;
        double cx = L + slot * ((double)i + 0.5);
        double y = base - share * ph;
        char a[48], b[48];
        vx_fmt_pct(share, p);
        vx_out_printf(o, "<circle cx=\"%s\" cy=\"%s\" r=\"3.5\" "
                         "class=\"cum-dot\" data-cum=\"%s\"/>\n",
                      co(cx, a), co(y, b), p);
        if (slot >= 40)
            svg_text(o, cx, y - 9, "middle", "cum-label", p);
    }
    vx_out_puts(o, "</g>\n</svg>\n");
}

/* ---- horizontal bars ---------------------------------------------------- */

void vx_chart_hbars(vx_out *o, const char *id, const char *title,
                    const char *desc, const vx_hbar *rows, size_t n,
                    const char *cur)
{
    const int W = 1100;
    const double L = 250, R = 250, T = 8, RH = 26, GH = 30;
    double h = T + 8;
    double max = 0;
    for (size_t i = 0; i < n; i++) {
        h += rows[i].heading ? GH : RH;
        if (!rows[i].heading && rows[i].value > max)
            max = rows[i].value;
    }
    const double pw = W - L - R;
    char m[96], tip[512], line[256];
    svg_open(o, id, W, (int)ceil(h), title, desc);
    double y = T;
    for (size_t i = 0; i < n; i++) {
        const vx_hbar *r = &rows[i];
        if (r->heading) {
            y += GH;
            svg_text(o, 0, y - 9, "start", "group-label", r->label);
            svg_line(o, 0, y - 3, W, y - 3, "group-rule");
            continue;
        }
        double mid = y + RH / 2;
        svg_text(o, 16, mid + 4, "start", "row-label", r->label);
        double bw = max > 0 && r->value > 0 ? r->value / max * pw : 0;
        char cls[32];
        snprintf(cls, sizeof cls, "hbar g%d", r->group & 3);
        snprintf(tip, sizeof tip, "%s: %s%s%s", r->label ? r->label : "",
                 vx_fmt_money(cur, r->value, m), r->note ? ", " : "",
                 r->note ? r->note : "");
        svg_rect(o, L, mid - 7, bw > 0 && bw < 1.5 ? 1.5 : bw, 14, cls, tip);
        snprintf(line, sizeof line, "%s", vx_fmt_money(cur, r->value, m));
        svg_text(o, L + bw + 8, mid + 4, "start", "row-value", line);
        if (r->note)
            svg_text(o, W, mid + 4, "end", "row-note", r->note);
        y += RH;
    }
    svg_line(o, L, T + GH - 3, L, y, "base");
    vx_out_puts(o, "</svg>\n");
}

/* ---- weekly small multiples --------------------------------------------- */

void vx_chart_weekly(vx_out *o, const char *id, const char *title,
                     const char *desc, const char *const *week_top,
                     const char *const *week_bottom,
                     const char *const *week_full, size_t nweeks,
                     const vx_series *series, size_t nseries,
                     const char *cur)
{
    const int W = 1100;
    const double L = 270, R = 16, T = 6, PH = 54, PANEL = 98, AX = 40;
    const double pw = W - L - R;
    int H = (int)(T + PANEL * (double)nseries + AX);
    char m[96], m2[96], c[32], tip[512];
    svg_open(o, id, W, H, title, desc);
    /* One scale for the issue panels, one per own-scale panel. */
    double shared = 0;
    for (size_t s = 0; s < nseries; s++)
        if (!series[s].own_scale)
            for (size_t w = 0; w < nweeks; w++)
                if (series[s].values[w] > shared)
                    shared = series[s].values[w];
    double slot = nweeks ? pw / (double)nweeks : pw;
    double bw = slot * 0.62;
    for (size_t s = 0; s < nseries; s++) {
        const vx_series *se = &series[s];
        double top = T + PANEL * (double)s + 14;
        double base = top + PH;
        double max = shared;
        if (se->own_scale) {
            max = 0;
            for (size_t w = 0; w < nweeks; w++)
                if (se->values[w] > max)
                    max = se->values[w];
        }
        double step = nice_step(max, 2);
        double axmax = max > 0 ? ceil(max / step - 1e-9) * step : 1;
        /* Label column: the series name and its totals. */
        double sum = 0;
        uint64_t cnt = 0;
        for (size_t w = 0; w < nweeks; w++) {
            sum += se->values[w];
            cnt += se->counts[w];
        }
        svg_wrapped(o, 0, top + 10, 15, "start",
                    se->style ? "panel-label panel-total" : "panel-label",
                    se->label, 34, 2);
        snprintf(tip, sizeof tip, "%s at risk \xC2\xB7 %s comments",
                 vx_fmt_money(cur, sum, m), vx_fmt_count(cnt, c));
        svg_text(o, 0, top + 46, "start", "panel-note", tip);
        /* Gridlines: the top of the scale and the baseline. */
        svg_line(o, L, top, L + pw, top, "grid");
        svg_text(o, L - 6, top + 4, "end", "tick",
                 tick_money(cur, axmax, step, m));
        svg_line(o, L, base, L + pw, base, "base");
        for (size_t w = 0; w < nweeks; w++) {
            double v = se->values[w] > 0 ? se->values[w] : 0;
            double cx = L + slot * ((double)w + 0.5);
            double h = v / axmax * PH;
            if (v > 0 && h < 1.5)
                h = 1.5;
            snprintf(tip, sizeof tip, "%s: %s at risk, %s comments",
                     week_full[w], vx_fmt_money(cur, v, m2),
                     vx_fmt_count(se->counts[w], c));
            svg_rect(o, cx - bw / 2, base - h, bw, h,
                     se->style ? "wbar wbar-total" : "wbar", tip);
            svg_text(o, cx, base + 14, "middle",
                     se->counts[w] ? "wcount" : "wcount zero",
                     vx_fmt_count(se->counts[w], c));
        }
    }
    /* Week labels under the last panel. */
    double ay = T + PANEL * (double)nseries + 6;
    for (size_t w = 0; w < nweeks; w++) {
        double cx = L + slot * ((double)w + 0.5);
        svg_text(o, cx, ay, "middle", "tick week", week_top[w]);
        svg_text(o, cx, ay + 14, "middle", "tick", week_bottom[w]);
    }
    svg_text(o, L - 6, ay, "end", "tick", "ISO week");
    svg_text(o, L - 6, ay + 14, "end", "tick", "Monday");
    vx_out_puts(o, "</svg>\n");
}
