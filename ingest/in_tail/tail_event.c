/* tail_event.c - building canonical events from log lines.
 *
 * Log lines are untrusted bytes: any encoding, control characters, any
 * length.  Every string that goes into an event is copied through
 * clean_copy(), which keeps valid UTF-8, turns other bytes and control
 * characters into '?', and cuts at a character boundary within the
 * field's limit, so iq_event_validate cannot refuse an event for what a
 * log line contained.
 *
 * The event: source "tail", kind "log", action "error_line" (a line that
 * met its rule's event condition) or "unparsed_line" (sent raw because no
 * rule parsed it); severity from the level; title from the message, or
 * the start of the line; text the whole line (up to 16 KiB); labels: the
 * file, the offset, the rule, the HTTP status, the rule's extra named
 * groups, and "truncated" for a line cut at the line limit. */
#include "tail_event.h"
#include "iq_hash.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_time.h"

#define TITLE_MAX 300
#define TEXT_MAX 16384

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    size_t n;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4;
    else
        return 0;
    if (n > avail || !iq_utf8_valid((const char *)p, n))
        return 0;
    return n;
}

/* Copy at most size-1 bytes of s into buf as clean UTF-8 text on one
 * line (tabs and controls become ' ' and '?').  Returns the length. */
static size_t clean_copy(char *buf, size_t size, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, i = 0;

    while (i < len) {
        size_t n = utf8_seq(p + i, len - i);

        if (n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
            if (o + 1 >= size)
                break;
            buf[o++] = p[i] == '\t' ? ' ' : '?';
            i++;
            continue;
        }
        if (o + n >= size)
            break;
        memcpy(buf + o, p + i, n);
        o += n;
        i += n;
    }
    buf[o] = '\0';
    return o;
}

static int set_clean(struct iq_event *ev, enum iq_field f, const char *s, size_t len,
                     size_t max, char *tmp)
{
    size_t n = clean_copy(tmp, max + 1, s, len);

    return iq_event_set(ev, f, tmp, n);
}

void tail_event_service(const struct tail_line *ll, const char *service, char *buf,
                        size_t size)
{
    if (ll && ll->service.len && !(ll->service.len == 1 && ll->service.s[0] == '-'))
        clean_copy(buf, size, ll->service.s, ll->service.len);
    else if (service)
        clean_copy(buf, size, service, strlen(service));
    else if (ll && ll->default_service)
        clean_copy(buf, size, ll->default_service, strlen(ll->default_service));
    else
        clean_copy(buf, size, "unknown", 7);
}

static int make_id(const struct tail_item *it, char *id, size_t size)
{
    if (it->fid)
        return snprintf(id, size, "log-%016llx-%llu", (unsigned long long)it->fid,
                        (unsigned long long)it->offset);
    return snprintf(id, size, "log-stdin-%016llx-%llu",
                    (unsigned long long)iq_fnv1a(IQ_FNV_INIT, it->line, it->len),
                    (unsigned long long)it->offset);
}

static int add_labels(struct iq_event *ev, const struct tail_line *ll,
                      const struct tail_item *it, char *tmp)
{
    char num[32];
    int r;

    clean_copy(tmp, IQ_LABEL_VAL_MAX + 1, it->path, strlen(it->path));
    if ((r = iq_event_set_label(ev, "file", tmp)) < 0)
        return r;
    snprintf(num, sizeof(num), "%llu", (unsigned long long)it->offset);
    if ((r = iq_event_set_label(ev, "offset", num)) < 0)
        return r;
    if (it->truncated && (r = iq_event_set_label(ev, "truncated", "true")) < 0)
        return r;
    if (!ll)
        return 0;
    if ((r = iq_event_set_label(ev, "rule", ll->rule)) < 0)
        return r;
    if (ll->status) {
        snprintf(num, sizeof(num), "%d", ll->status);
        if ((r = iq_event_set_label(ev, "status", num)) < 0)
            return r;
    }
    if (ll->at == IQ_TIME_NONE && (r = iq_event_set_label(ev, "time_source", "read")) < 0)
        return r;
    for (uint32_t i = 0; i < ll->n_labels; i++) {
        char key[IQ_LABEL_KEY_MAX + 1];

        clean_copy(key, sizeof(key), ll->label_key[i].s, ll->label_key[i].len);
        clean_copy(tmp, IQ_LABEL_VAL_MAX + 1, ll->label_val[i].s, ll->label_val[i].len);
        if (!iq_event_label(ev, key) && (r = iq_event_set_label(ev, key, tmp)) < 0)
            return r;
    }
    return 0;
}

static struct tail_span find_label(const struct tail_line *ll, const char *key)
{
    for (uint32_t i = 0; i < ll->n_labels; i++)
        if (ll->label_key[i].len == strlen(key) && memcmp(ll->label_key[i].s, key,
                                                          ll->label_key[i].len) == 0)
            return ll->label_val[i];
    return (struct tail_span){ NULL, 0 };
}

/* "HTTP 503 on GET /api/cart" for access-log lines, which have no message. */
static int http_title(struct iq_event *ev, const struct tail_line *ll, char *tmp)
{
    struct tail_span m = find_label(ll, "method"), p = find_label(ll, "path");
    char raw[TITLE_MAX + 1];
    int n;

    if (m.len && p.len)
        n = snprintf(raw, sizeof(raw), "HTTP %d on %.*s %.*s", ll->status,
                     (int)(m.len > 16 ? 16 : m.len), m.s, (int)(p.len > 250 ? 250 : p.len), p.s);
    else
        n = snprintf(raw, sizeof(raw), "HTTP %d", ll->status);
    return set_clean(ev, IQ_F_TITLE, raw, n < 0 ? 0 : strlen(raw), TITLE_MAX, tmp);
}

static int set_fields(struct iq_event *ev, const struct tail_line *ll,
                      const struct tail_item *it, const char *service, char *tmp)
{
    char id[IQ_ID_MAX], svc[201];
    const char *lvl = ll ? tail_level_name(ll->level) : NULL;
    int r;

    make_id(it, id, sizeof(id));
    tail_event_service(ll, service, svc, sizeof(svc));
    if ((r = iq_event_set_str(ev, IQ_F_ID, id)) < 0 ||
        (r = iq_event_set_str(ev, IQ_F_SOURCE, "tail")) < 0 ||
        (r = iq_event_set_str(ev, IQ_F_KIND, "log")) < 0 ||
        (r = iq_event_set_str(ev, IQ_F_ACTION, ll ? "error_line" : "unparsed_line")) < 0 ||
        (r = iq_event_set_str(ev, IQ_F_SERVICE, svc)) < 0)
        return r;
    if (lvl && (r = iq_event_set_str(ev, IQ_F_SEVERITY, lvl)) < 0)
        return r;
    if (!lvl && ll && ll->status >= 500 && (r = iq_event_set_str(ev, IQ_F_SEVERITY, "error")) < 0)
        return r;
    if (ll && ll->message.len)
        r = set_clean(ev, IQ_F_TITLE, ll->message.s, ll->message.len, TITLE_MAX, tmp);
    else if (ll && ll->status)
        r = http_title(ev, ll, tmp);
    else
        r = set_clean(ev, IQ_F_TITLE, it->line, it->len, TITLE_MAX, tmp);
    if (r < 0)
        return r;
    return set_clean(ev, IQ_F_TEXT, it->line, it->len, TEXT_MAX, tmp);
}

int tail_event_build(const struct tail_line *ll, const struct tail_item *it,
                     const char *service, int64_t now_ms, struct iq_event **ret,
                     char *err, size_t errsz)
{
    struct iq_event *ev = iq_event_new();
    char *tmp = malloc(TEXT_MAX + 1);
    int r = -ENOMEM;

    if (!ev || !tmp)
        goto out;
    ev->at = ll && ll->at != IQ_TIME_NONE ? ll->at : now_ms;
    if ((r = set_fields(ev, ll, it, service, tmp)) < 0 || (r = add_labels(ev, ll, it, tmp)) < 0) {
        if (err && r != -ENOMEM)
            snprintf(err, errsz, "%s", r == -E2BIG ? "too many labels" : "bad field");
        goto out;
    }
    if ((r = iq_event_validate(ev, err, errsz)) < 0)
        goto out;
    *ret = ev;
    ev = NULL;
out:
    iq_event_destroy(&ev);
    free(tmp);
    return r;
}
