/* wh_record.c - NDJSON recording of webhook deliveries (inquestd
 * --record FILE) and its parser (inquest replay).
 *
 * Design notes.  A line is built completely in memory, then written with
 * one write(2) under a mutex on an O_APPEND descriptor: a crash leaves at
 * worst one truncated final line, which the reader reports with its line
 * number, never two deliveries mixed.  Recording happens for every request
 * to /hooks/..., before authentication and mapping, so a recording shows
 * exactly what senders sent, including the deliveries that were refused.
 * The body is embedded as JSON when it parses, otherwise as a string
 * (bytes that are not UTF-8 replaced by U+FFFD); a JSON body whose bytes
 * are not its compact form (indented, other spacing) is also kept verbatim
 * as "body_text", which replay prefers, so HMAC signatures still verify. */
#include "wh_record.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "iq_event.h"
#include "iq_json.h"
#include "iq_log.h"
#include "iq_paths.h"
#include "iq_time.h"

#define RECORD_HEADERS_MAX 128

struct wh_record {
    int fd;
    pthread_mutex_t lock;
};

int wh_record_open(const char *path, struct wh_record **ret)
{
    struct wh_record *rec = calloc(1, sizeof(*rec));
    unsigned old;
    int r;

    if (!rec)
        return -ENOMEM;
    rec->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    /* a recording made earlier, or by hand, may be readable by others */
    r = rec->fd < 0 ? -errno : iq_force_mode(rec->fd, path, 0600, &old);
    if (r < 0)
        goto fail;
    if (r > 0)
        iq_warn("http", "recording %s had mode %04o: changed to 0600 (it keeps request "
                "headers, bearer tokens included)", path, old);
    pthread_mutex_init(&rec->lock, NULL);
    *ret = rec;
    return 0;
fail:
    if (rec->fd >= 0)
        close(rec->fd);
    free(rec);
    return r;
}

void wh_record_close(struct wh_record **prec)
{
    struct wh_record *rec = *prec;

    if (!rec)
        return;
    close(rec->fd);
    pthread_mutex_destroy(&rec->lock);
    free(rec);
    *prec = NULL;
}

/* A JSON string of s with invalid UTF-8 bytes replaced.  New reference. */
static json_t *lossy_string(const char *s, size_t len)
{
    char *buf;
    size_t o = 0;
    json_t *j;

    if (iq_utf8_valid(s, len))
        return json_stringn(s, len);
    buf = malloc(len * 3 + 1);
    if (!buf)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        size_t n = 1;

        while (n <= 4 && i + n <= len && !iq_utf8_valid(s + i, n))
            n++;
        if (n <= 4 && i + n <= len && (unsigned char)s[i] != 0) {
            memcpy(buf + o, s + i, n);
            o += n;
            i += n - 1;
        } else {
            memcpy(buf + o, "\xef\xbf\xbd", 3);
            o += 3;
        }
    }
    j = json_stringn(buf, o);
    free(buf);
    return j;
}

/* Is body[0..len) exactly the compact form of v?  Then "body" alone gives
 * the bytes back on replay; otherwise the line also carries "body_text",
 * so that signatures over the original bytes still verify. */
static bool same_as_compact(const json_t *v, const char *body, size_t len)
{
    size_t n = 0;
    char *c = iq_json_dump_compact(v, &n);
    bool same = c && n == len && memcmp(c, body, len) == 0;

    free(c);
    return same;
}

int wh_record_write(struct wh_record *rec, const struct wh_delivery *d)
{
    char ts[IQ_TIME_STRLEN], *line = NULL;
    json_t *o = json_object(), *h = json_object(), *body;
    size_t len;
    ssize_t w;
    int r = 0;

    body = d->body_len ? json_loadb(d->body, d->body_len, JSON_DECODE_ANY, NULL) : NULL;
    if (!body)
        body = lossy_string(d->body ? d->body : "", d->body_len);
    iq_time_format(d->received_at, ts, sizeof(ts));
    for (size_t i = 0; h && i < d->n_headers && i < RECORD_HEADERS_MAX; i++)
        json_object_set_new(h, d->headers[i].name, lossy_string(d->headers[i].value,
                                                                 strlen(d->headers[i].value)));
    if (!o || !h || !body) {
        json_decref(h);
        json_decref(body);
        r = -ENOMEM;
        goto out;
    }
    json_object_set_new(o, "received_at", json_string(ts));
    json_object_set_new(o, "path", lossy_string(d->path, strlen(d->path)));
    json_object_set_new(o, "headers", h);
    json_object_set_new(o, "body", body);
    if (!json_is_string(body) && !same_as_compact(body, d->body, d->body_len))
        json_object_set_new(o, "body_text", json_stringn(d->body, d->body_len));
    line = json_dumps(o, JSON_COMPACT);
    if (!line) {
        r = -ENOMEM;
        goto out;
    }
    len = strlen(line);
    line[len++] = '\n';      /* json_dumps left room for the NUL we overwrite */
    pthread_mutex_lock(&rec->lock);
    w = write(rec->fd, line, len);
    pthread_mutex_unlock(&rec->lock);
    if (w < 0)
        r = -errno;
    else if ((size_t)w != len)
        r = -EIO;
out:
    free(line);
    json_decref(o);
    return r;
}

void wh_recorded_free(struct wh_recorded **pr)
{
    struct wh_recorded *rc = *pr;

    if (!rc)
        return;
    for (size_t i = 0; i < rc->n_headers; i++) {
        free((char *)rc->headers[i].name);
        free((char *)rc->headers[i].value);
    }
    free(rc->headers);
    free(rc->path);
    free(rc->body);
    free(rc);
    *pr = NULL;
}

static int parse_headers(struct wh_recorded *rc, json_t *h, char *err, size_t errsz)
{
    const char *k;
    json_t *v;

    if (!json_is_object(h) || json_object_size(h) > RECORD_HEADERS_MAX) {
        snprintf(err, errsz, "'headers': expected an object of at most %d strings",
                 RECORD_HEADERS_MAX);
        return -EINVAL;
    }
    rc->headers = calloc(json_object_size(h) + 1, sizeof(*rc->headers));
    if (!rc->headers)
        return -ENOMEM;
    json_object_foreach(h, k, v) {
        struct http_header *hd = &rc->headers[rc->n_headers];
        char *name;

        if (!json_is_string(v)) {
            snprintf(err, errsz, "'headers.%.60s': expected a string", k);
            return -EINVAL;
        }
        name = strdup(k);
        hd->value = strdup(json_string_value(v));
        hd->name = name;
        rc->n_headers++;
        if (!name || !hd->value)
            return -ENOMEM;
        for (char *p = name; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
    }
    return 0;
}

int wh_record_parse(const char *line, size_t len, struct wh_recorded **ret, char *err,
                    size_t errsz)
{
    struct wh_recorded *rc = calloc(1, sizeof(*rc));
    struct iq_json_error je;
    json_t *o = NULL, *v;
    const char *ts, *path;
    int r = 0;

    if (!rc)
        return -ENOMEM;
    if ((r = iq_json_parse(line, len, IQ_JSON_DEPTH(IQ_JSON_DEPTH_JANSSON), &o, &je)) < 0) {
        snprintf(err, errsz, "invalid JSON at column %d: %s", je.column, je.text);
        r = r == -ENOMEM ? r : -EINVAL;
        goto out;
    }
    ts = json_string_value(json_object_get(o, "received_at"));
    path = json_string_value(json_object_get(o, "path"));
    if (!ts || iq_time_parse_rfc3339(ts, strlen(ts), &rc->d.received_at) < 0) {
        snprintf(err, errsz, "'received_at': required, an RFC 3339 time");
        r = -EINVAL;
        goto out;
    }
    if (!path || strncmp(path, "/hooks/", 7) != 0) {
        snprintf(err, errsz, "'path': required, \"/hooks/SOURCE\"");
        r = -EINVAL;
        goto out;
    }
    v = json_object_get(o, "headers");
    if (v && (r = parse_headers(rc, v, err, errsz)) < 0)
        goto out;
    v = json_object_get(o, "body_text");       /* the exact bytes, when recorded */
    if (!json_is_string(v))
        v = json_object_get(o, "body");
    if (!v) {
        snprintf(err, errsz, "'body': required");
        r = -EINVAL;
        goto out;
    }
    if (json_is_string(v) && (rc->body = malloc(json_string_length(v) + 1)))
        memcpy(rc->body, json_string_value(v), json_string_length(v) + 1);
    else if (!json_is_string(v))
        rc->body = iq_json_dump_compact(v, NULL);
    rc->path = strdup(path);
    if (!rc->body || !rc->path) {
        r = -ENOMEM;
        goto out;
    }
    rc->d.path = rc->path;
    rc->d.headers = rc->headers;
    rc->d.n_headers = rc->n_headers;
    rc->d.body = rc->body;
    rc->d.body_len = json_is_string(v) ? json_string_length(v) : strlen(rc->body);
out:
    json_decref(o);
    if (r < 0) {
        wh_recorded_free(&rc);
        return r;
    }
    *ret = rc;
    return 0;
}
