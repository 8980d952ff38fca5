/* rnd_ui_page.c - what every page of the web UI shares: its query
 * parameters, its frame (head, navigation, footer), its answer with the
 * security headers, error pages and the HTML helpers.
 *
 * Design notes:
 *  - Parameters are one table per page (struct rnd_ui_param): each is
 *    checked once, here, for the page's kind of value; an unknown,
 *    repeated, malformed or out-of-range parameter is a 400 page that
 *    names it and says what it takes.  An empty value is absent, as a
 *    GET form sends its empty fields.
 *  - Everything shown that comes from an incident, an event or the
 *    request is escaped by rnd_xml_escape (render/rnd_svg.c, the escaping
 *    of the visual timeline: & < > " ' as entities, control characters
 *    and invalid UTF-8 replaced), and every value put in a URL is
 *    percent-encoded.  Markup written here holds no inline style and no
 *    script, so the Content-Security-Policy can refuse both.
 *  - Pages link one stylesheet, /ui/assets/ui.css (rnd_ui.c), so the
 *    policy can stay at style-src 'self'. */
#include "rnd_ui_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "iq_buf.h"
#include "iq_time.h"
#include "rnd_fmt.h"
#include "rnd_svg.h"

/* -- query parameters -- */

static bool valid_text(const char *s, int64_t max)
{
    size_t n = strlen(s);

    if ((int64_t)n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool valid_name(const char *s, int64_t max)
{
    size_t n = strlen(s);

    return (int64_t)n <= max &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static bool parse_uint(const char *s, int64_t min, int64_t max, int64_t *ret)
{
    int64_t v = 0;

    if (!*s || strlen(s) > 18)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (*s - '0');
    }
    if (v < min || v > max)
        return false;
    *ret = v;
    return true;
}

/* Check value v of parameter p; the number it stands for into *num. */
static bool param_value(const struct rnd_ui_param *p, const char *v, int64_t *num)
{
    switch (p->kind) {
    case UI_TEXT:
        return valid_text(v, p->max);
    case UI_NAME:
        return valid_name(v, p->max);
    case UI_TIME:
        return iq_time_parse_arg(v, num) == 0;
    case UI_DURATION:
        return iq_duration_parse(v, num) == 0 && *num > 0;
    case UI_UINT:
        return parse_uint(v, p->min, p->max, num);
    case UI_CHOICE:
        for (int64_t i = 0; p->choices[i]; i++)
            if (strcmp(p->choices[i], v) == 0) {
                *num = i;
                return true;
            }
        return false;
    }
    return false;
}

/* The names of the parameters of t, for the message about an unknown one. */
static void param_names(const struct rnd_ui_param *t, size_t n, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", t[i].name);
}

int rnd_ui_args_parse(const struct rnd_ui_param *t, size_t n, const char *query,
                      struct rnd_ui_args *a, char *err, size_t errsz)
{
    const char *p = query;
    char key[64], val[RND_UI_VALUE_MAX], names[256];
    bool seen[RND_UI_PARAMS_MAX] = { false };
    size_t i;
    int r;

    memset(a, 0, sizeof(*a));
    if (query && strlen(query) > RND_UI_QUERY_MAX) {
        snprintf(err, errsz, "the query string is over %d bytes", RND_UI_QUERY_MAX);
        return -EINVAL;
    }
    while ((r = http_query_next(&p, key, sizeof(key), val, sizeof(val))) > 0) {
        for (i = 0; i < n && i < RND_UI_PARAMS_MAX && strcmp(t[i].name, key) != 0; i++)
            ;
        if (i == n || i == RND_UI_PARAMS_MAX) {
            param_names(t, n, names, sizeof(names));
            snprintf(err, errsz, "unknown parameter '%.40s' (this page takes %s)", key, names);
            return -EINVAL;
        }
        if (seen[i]) {
            snprintf(err, errsz, "parameter '%s' is given twice", key);
            return -EINVAL;
        }
        seen[i] = true;
        if (!val[0])
            continue;
        if (!param_value(&t[i], val, &a->num[i])) {
            snprintf(err, errsz, "parameter '%s': %s", key, t[i].expect);
            return -EINVAL;
        }
        a->set[i] = true;
        memcpy(a->val[i], val, strlen(val) + 1);
    }
    if (r < 0) {
        snprintf(err, errsz, "malformed query string: each parameter is name=value, "
                 "URL-encoded, at most %d bytes", RND_UI_VALUE_MAX - 1);
        return -EINVAL;
    }
    return 0;
}

const char *rnd_ui_arg(const struct rnd_ui_args *a, size_t i)
{
    return i < RND_UI_PARAMS_MAX && a->set[i] ? a->val[i] : NULL;
}

/* -- HTML helpers -- */

int rnd_ui_text(struct iq_buf *b, const char *s)
{
    return s ? rnd_xml_escape(b, s, strlen(s)) : 0;
}

int rnd_ui_url(struct iq_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int r = 0;

    for (; s && *s && r == 0; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            r = iq_buf_addc(b, (char)c);
        else
            r = iq_buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
    }
    return r;
}

int rnd_ui_time(struct iq_buf *b, int64_t ms)
{
    char full[IQ_TIME_STRLEN], minute[IQ_TIME_STRLEN];

    if (ms == IQ_TIME_NONE)
        return iq_buf_adds(b, "–");
    iq_time_format(ms, full, sizeof(full));
    iq_time_format_minute(ms, minute, sizeof(minute));
    return iq_buf_printf(b, "<time datetime=\"%s\">%s</time>", full, minute);
}

int rnd_ui_dur(struct iq_buf *b, int64_t seconds)
{
    char buf[64];

    if (seconds < 0)
        return iq_buf_adds(b, "–");
    rnd_fmt_duration(seconds, buf, sizeof(buf));
    return iq_buf_adds(b, buf);
}

int rnd_ui_incident_link(struct iq_buf *b, const char *id, const char *text)
{
    int r;

    if ((r = iq_buf_adds(b, "<a href=\"" RND_UI_PREFIX "/incidents/")) < 0 ||
        (r = rnd_ui_url(b, id)) < 0 || (r = iq_buf_adds(b, "\">")) < 0 ||
        (r = rnd_ui_text(b, text && *text ? text : id)) < 0)
        return r;
    return iq_buf_adds(b, "</a>");
}

int rnd_ui_table(struct iq_buf *b, const char *attrs, const char *caption,
                 const char *const *cols)
{
    int r = iq_buf_printf(b, "<div class=\"scroll\"><table%s%s>", attrs ? " " : "",
                          attrs ? attrs : "");

    if (r == 0 && caption)
        r = iq_buf_printf(b, "<caption class=\"muted\">%s</caption>", caption);
    if (r == 0)
        r = iq_buf_adds(b, "<thead><tr>");
    for (size_t i = 0; r == 0 && cols[i]; i++)
        r = iq_buf_printf(b, "<th scope=\"col\"%s>%s</th>", cols[i][0] == '#' ? " class=\"num\"" : "",
                          cols[i] + (cols[i][0] == '#'));
    return r < 0 ? r : iq_buf_adds(b, "</tr></thead><tbody>\n");
}

int rnd_ui_badge(struct iq_buf *b, const char *kind, const char *value)
{
    int r;

    if (!value || !*value)
        return iq_buf_adds(b, "–");
    if ((r = iq_buf_printf(b, "<span class=\"badge %s-", kind)) < 0 ||
        (r = rnd_ui_url(b, value)) < 0 || (r = iq_buf_adds(b, "\">")) < 0 ||
        (r = rnd_ui_text(b, value)) < 0)
        return r;
    return iq_buf_adds(b, "</span>");
}

/* -- the frame -- */

int rnd_ui_begin(struct iq_buf *b, const char *title, enum rnd_ui_nav nav)
{
    int r;

    if ((r = iq_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                            "<title>")) < 0 ||
        (r = rnd_ui_text(b, title)) < 0 ||
        (r = iq_buf_adds(b, " · inquest</title>\n<link rel=\"stylesheet\" href=\"" RND_UI_PREFIX
                            "/assets/ui.css\">\n<link rel=\"icon\" href=\"data:,\">\n</head>\n"
                            "<body>\n<header class=\"top\"><a class=\"brand\" href=\"" RND_UI_PREFIX
                            "/\">inquest</a><nav aria-label=\"Pages\">")) < 0 ||
        (r = iq_buf_printf(b, "<a href=\"" RND_UI_PREFIX "/\"%s>Incidents</a>",
                           nav == UI_NAV_LIST ? " aria-current=\"page\"" : "")) < 0 ||
        (r = iq_buf_printf(b, "<a href=\"" RND_UI_PREFIX "/query\"%s>Analytics</a>",
                           nav == UI_NAV_QUERY ? " aria-current=\"page\"" : "")) < 0)
        return r;
    return iq_buf_adds(b, "</nav></header>\n<main>\n");
}

int rnd_ui_end(struct iq_buf *b)
{
    return iq_buf_adds(b, "</main>\n<footer class=\"muted\">Times are UTC. Data as stored by "
                          "inquestd; pages need no script and load nothing from elsewhere."
                          "</footer>\n</body>\n</html>\n");
}

/* -- answers -- */

static const struct http_header page_headers[] = {
    { "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                 "base-uri 'none'; form-action 'self'; frame-ancestors 'none'" },
    { "X-Content-Type-Options", "nosniff" },
    { "Referrer-Policy", "no-referrer" },
    { "X-Frame-Options", "DENY" },
    { "Cache-Control", "no-store" },
};

int rnd_ui_reply(struct http_response *resp, int status, struct iq_buf *b)
{
    size_t len = 0;
    char *body = iq_buf_take(b, &len);

    if (!body)
        return -ENOMEM;
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    resp->body = body;
    resp->len = len;
    resp->headers = page_headers;
    resp->n_headers = sizeof(page_headers) / sizeof(page_headers[0]);
    return 0;
}

int rnd_ui_error(struct http_response *resp, int status, const char *title, const char *msg)
{
    struct iq_buf b;
    int r;

    iq_buf_init(&b, 64 * 1024);
    if ((r = rnd_ui_begin(&b, title, UI_NAV_NONE)) < 0 ||
        (r = iq_buf_printf(&b, "<h1>%d: ", status)) < 0 || (r = rnd_ui_text(&b, title)) < 0 ||
        (r = iq_buf_adds(&b, "</h1>\n<p class=\"error\" role=\"alert\">")) < 0 ||
        (r = rnd_ui_text(&b, msg)) < 0 ||
        (r = iq_buf_adds(&b, "</p>\n<p><a href=\"" RND_UI_PREFIX "/\">All incidents</a></p>\n")) < 0 ||
        (r = rnd_ui_end(&b)) < 0 || (r = rnd_ui_reply(resp, status, &b)) < 0) {
        iq_buf_free(&b);
        return -ENOMEM;
    }
    return 0;
}

int rnd_ui_fail(struct http_response *resp, int r)
{
    if (r == -ENOBUFS || r == -E2BIG)
        return rnd_ui_error(resp, 500, "Page too large",
                            "this page would be over 32 MiB; narrow it with filters");
    if (r == -ENOMEM)
        return r;
    return rnd_ui_error(resp, 500, "Internal error", r == -EIO ? "the store could not be read"
                                                              : strerror(-r));
}
