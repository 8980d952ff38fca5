/* http_query.c - what route handlers share to read a request and
 * answer it: the query string (split on '&', URL-decoded into bounded
 * buffers, a bad escape or an embedded NUL refused) and a JSON reply.
 *
 * Design notes.  Handlers run on MHD's threads with the raw query string
 * the server kept from the request line; nothing here allocates except the
 * reply body, which the server frees after sending.  Kept apart from
 * http.c, which owns the connection and its lifecycle, so handlers and
 * their unit tests need none of libmicrohttpd. */
#include "http.h"

#include <errno.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* URL-decode [p, end) into buf; -EINVAL on bad escapes, NUL or overflow. */
static int url_decode(const char *p, const char *end, char *buf, size_t size)
{
    size_t n = 0;

    for (; p < end; p++) {
        char c = *p;

        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (end - p < 3 || hexval(p[1]) < 0 || hexval(p[2]) < 0)
                return -EINVAL;
            c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        }
        if (c == '\0' || n + 1 >= size)
            return -EINVAL;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return 0;
}

int http_query_next(const char **cursor, char *key, size_t ksz, char *val, size_t vsz)
{
    const char *p = *cursor, *amp, *eq, *end;

    while (p && *p == '&')
        p++;
    if (!p || !*p)
        return 0;
    end = p + strlen(p);
    amp = memchr(p, '&', (size_t)(end - p));
    amp = amp ? amp : end;
    eq = memchr(p, '=', (size_t)(amp - p));
    *cursor = amp;
    if (!eq || url_decode(p, eq, key, ksz) < 0 || url_decode(eq + 1, amp, val, vsz) < 0)
        return -EINVAL;
    return 1;
}

int http_query_get(const char *query, const char *name, char *buf, size_t size)
{
    char key[64];
    int r;

    while ((r = http_query_next(&query, key, sizeof(key), buf, size)) > 0)
        if (strcmp(key, name) == 0)
            return 1;
    return r;
}

int http_reply_json(struct http_response *resp, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

    json_decref(j);
    if (!s)
        return -ENOMEM;
    resp->status = status;
    resp->content_type = "application/json";
    resp->body = s;
    resp->len = strlen(s);
    return 0;
}
