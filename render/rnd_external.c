/* rnd_external.c - the external audience's view of a draft.
 *
 * A postmortem published to customers or partners must not hand them the
 * keys to the house: no link into chat, Alertmanager, Grafana, CI logs,
 * the paging tool or a private repository, no quote from the incident
 * channel, no name of a machine, and no name of a colleague.  This module
 * turns the internal view of a draft into that external one, in two
 * steps around the view model (rnd_model.c):
 *
 *  - before it: rnd_external_events leaves out the events an outsider
 *    must not read at all: chat messages (their text and their authors)
 *    and audit notes (who corrected what, in which internal incident);
 *  - after it: rnd_external_apply keeps only links to allowed hosts,
 *    rewrites any other URL in text as "[internal link]", replaces the
 *    host names alert labels carry (instance, host, node, pod, ...) by
 *    "host A", "host B", ... wherever they appear, and drops the raw
 *    incident copy (it holds internal keys, event ids and titles).
 *
 * Design notes:
 *  - The allow-list is of hosts, not of URLs: "status.example.com" keeps
 *    every page under it; "*.example.com" keeps its subdomains (not the
 *    domain itself).  The entry "status-page" stands for the hosts of the
 *    incident's own status-page events' links, and is the default: out of
 *    the box an external draft links to the public status page only.
 *  - Pseudonyms for people are forced by the caller (rnd_draft.c); host
 *    pseudonyms reuse the same whole-word replacement (rnd_pseudo.c), so
 *    "db-7.internal:9100" becomes "host A:9100" and "db-7.internal.corp"
 *    is not touched by a shorter name.  IP addresses are also caught by
 *    the redaction rules that run after this.
 *  - The context loses members rather than gaining placeholders: a
 *    template's {{#link}} section then renders nothing. */
#include "rnd_external.h"
#include "rnd_pseudo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iq_buf.h"
#include "iq_event.h"

#define JSON_DEPTH_MAX 64
#define HOST_MAX 253
#define INTERNAL_LINK "[internal link]"

/* Alert labels that name a machine, a container or an address. */
static const char *const host_labels[] = {
    "instance", "exported_instance", "host", "hostname", "fqdn", "node", "nodename",
    "kubernetes_node", "pod", "server", "ip", "address",
};

struct allow {
    const json_t *list;              /* configured entries, borrowed */
    struct iq_event *const *evs;     /* for "status-page", borrowed */
    size_t n;
};

static bool is_kind(const struct iq_event *ev, const char *kind)
{
    return iq_ev_kind(ev) && strcmp(iq_ev_kind(ev), kind) == 0;
}

int rnd_external_events(struct iq_event *const *evs, size_t n, struct iq_event ***ret,
                        size_t *ret_n)
{
    struct iq_event **out = malloc((n ? n : 1) * sizeof(*out));
    size_t k = 0;

    if (!out)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!is_kind(evs[i], "chat") && !iq_event_is_audit_note(evs[i]))
            out[k++] = evs[i];
    *ret = out;
    *ret_n = k;
    return 0;
}

/* The host of an http(s) URL into buf (lower case, no port or user);
 * false when url is not one. */
static bool url_host(const char *url, size_t len, char *buf, size_t size)
{
    size_t skip, h = 0, end;
    const char *at;

    if (len >= 8 && strncasecmp(url, "https://", 8) == 0)
        skip = 8;
    else if (len >= 7 && strncasecmp(url, "http://", 7) == 0)
        skip = 7;
    else
        return false;
    url += skip;
    len -= skip;
    end = 0;
    while (end < len && !strchr("/?#", url[end]))
        end++;
    at = memchr(url, '@', end);
    if (at) {
        end -= (size_t)(at + 1 - url);
        url = at + 1;
    }
    while (h < end && h + 1 < size && url[h] != ':') {
        buf[h] = url[h] >= 'A' && url[h] <= 'Z' ? (char)(url[h] + 32) : url[h];
        h++;
    }
    buf[h] = '\0';
    return h > 0;
}

static bool host_matches(const char *entry, const char *host)
{
    size_t le = strlen(entry), lh = strlen(host);

    if (le > 2 && entry[0] == '*' && entry[1] == '.')
        return lh > le - 1 && strcasecmp(host + lh - (le - 1), entry + 1) == 0;
    return strcasecmp(entry, host) == 0;
}

/* Is the host one of the incident's status-page links' hosts? */
static bool status_page_host(const struct allow *a, const char *host)
{
    char h[HOST_MAX + 1];

    for (size_t i = 0; i < a->n; i++) {
        const char *u = a->evs[i]->str[IQ_F_URL];

        if (is_kind(a->evs[i], "status") && u && url_host(u, strlen(u), h, sizeof(h)) &&
            strcmp(h, host) == 0)
            return true;
    }
    return false;
}

static bool allowed(const struct allow *a, const char *url, size_t len)
{
    char host[HOST_MAX + 1];
    const json_t *e;
    size_t i;

    if (!url_host(url, len, host, sizeof(host)))
        return false;
    if (!a->list)
        return status_page_host(a, host);
    json_array_foreach(a->list, i, e) {
        const char *s = json_string_value(e);

        if (s && (strcmp(s, "status-page") == 0 ? status_page_host(a, host) : host_matches(s, host)))
            return true;
    }
    return false;
}

/* Length of the URL at s (up to a space, a delimiter, trailing punctuation). */
static size_t url_len(const char *s, size_t n)
{
    size_t k = 0;

    while (k < n && (unsigned char)s[k] > ' ' && !strchr("<>\"'()[]{}|\\`", s[k]))
        k++;
    while (k > 0 && strchr(".,;:!?*_", s[k - 1]))
        k--;
    return k;
}

static bool url_start(const char *s, size_t n)
{
    return (n >= 8 && strncasecmp(s, "https://", 8) == 0) ||
           (n >= 7 && strncasecmp(s, "http://", 7) == 0);
}

/* Rewrite the URLs of s[0, n) that lead elsewhere; *ret NULL when none. */
static int rewrite_text(const struct allow *a, const char *s, size_t n, char **ret, size_t *ret_len)
{
    struct iq_buf b;
    size_t i = 0;
    int count = 0;

    *ret = NULL;
    iq_buf_init(&b, n + 1024);
    while (i < n) {
        size_t ul = url_start(s + i, n - i) ? url_len(s + i, n - i) : 0;
        bool drop = ul && !allowed(a, s + i, ul);

        if (drop ? iq_buf_adds(&b, INTERNAL_LINK) : iq_buf_addc(&b, s[i])) {
            iq_buf_free(&b);
            return -ENOMEM;
        }
        count += drop;
        i += drop ? ul : 1;
    }
    if (count && !(*ret = iq_buf_take(&b, ret_len)))
        count = -ENOMEM;
    iq_buf_free(&b);
    return count;
}

static bool link_member(const char *key)
{
    return strcmp(key, "link") == 0 || strcmp(key, "draft") == 0;
}

static int walk(const struct allow *a, json_t *v, int depth)
{
    const char *key;
    json_t *child;
    void *tmp;
    size_t i;
    int r;

    if (depth > JSON_DEPTH_MAX)
        return -ELOOP;
    if (json_is_string(v)) {
        char *out = NULL;
        size_t out_len = 0;

        r = rewrite_text(a, json_string_value(v), json_string_length(v), &out, &out_len);
        if (r > 0 && json_string_setn(v, out, out_len) < 0)
            r = -ENOMEM;
        free(out);
        return r < 0 ? r : 0;
    }
    json_object_foreach_safe(v, tmp, key, child) {
        if (link_member(key) && json_is_string(child)) {
            if (!allowed(a, json_string_value(child), json_string_length(child)))
                json_object_del(v, key);
        } else if ((r = walk(a, child, depth + 1)) < 0) {
            return r;
        }
    }
    json_array_foreach(v, i, child)
        if ((r = walk(a, child, depth + 1)) < 0)
            return r;
    return 0;
}

/* "db-7.internal:9100" -> "db-7.internal"; "[::1]:80" -> "::1"; one
 * colon only, so a bare IPv6 address stays whole. */
static void strip_port(const char *v, char *buf, size_t size)
{
    const char *colon = strchr(v, ':');
    size_t n = strlen(v);

    if (v[0] == '[' && strchr(v, ']')) {
        n = (size_t)(strchr(v, ']') - v) - 1;
        v++;
    } else if (colon && !strchr(colon + 1, ':') && colon[1] &&
               strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
        n = (size_t)(colon - v);
    }
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), v);
}

/* Host pseudonyms for the machine names of the alert events' labels. */
static int hosts_of(struct iq_event *const *evs, size_t n, struct rnd_pseudo *hosts)
{
    char h[HOST_MAX + 1];

    for (size_t i = 0; i < n; i++) {
        if (!is_kind(evs[i], "alert"))
            continue;
        for (size_t k = 0; k < sizeof(host_labels) / sizeof(host_labels[0]); k++) {
            const char *v = iq_event_label(evs[i], host_labels[k]);

            if (!v || strlen(v) > HOST_MAX)
                continue;
            strip_port(v, h, sizeof(h));
            if (strlen(h) >= 2 && !rnd_pseudo_name(hosts, h) &&
                rnd_pseudo_count(hosts) < RND_PSEUDO_MAX)
                return -ENOMEM;
        }
    }
    return 0;
}

int rnd_external_apply(json_t *ctx, struct iq_event *const *evs, size_t n, const json_t *allow)
{
    struct allow a = { .list = json_is_array(allow) ? allow : NULL, .evs = evs, .n = n };
    struct rnd_pseudo *hosts = NULL;
    int r;

    json_object_del(ctx, "incident");
    if ((r = walk(&a, ctx, 0)) < 0)
        return r;
    if (!(hosts = rnd_pseudo_new("host")))
        return -ENOMEM;
    if ((r = hosts_of(evs, n, hosts)) == 0)
        r = rnd_pseudo_json(hosts, ctx);
    rnd_pseudo_destroy(&hosts);
    return r < 0 ? r : 0;
}

int rnd_external_check(const json_t *allow, char *err, size_t errsz)
{
    const json_t *e;
    size_t i;

    if (!allow || json_is_null(allow))
        return 0;
    if (!json_is_array(allow) || json_array_size(allow) > RND_EXTERNAL_HOSTS_MAX) {
        snprintf(err, errsz, "external_links: expected an array of at most %d host names",
                 RND_EXTERNAL_HOSTS_MAX);
        return -EINVAL;
    }
    json_array_foreach(allow, i, e) {
        const char *s = json_string_value(e), *h = s;
        size_t len = s ? strlen(s) : 0;

        if (s && strcmp(s, "status-page") == 0)
            continue;
        if (s && len > 2 && s[0] == '*' && s[1] == '.')
            h = s + 2;
        if (!s || !*h || strlen(h) > HOST_MAX || h[0] == '.' || h[0] == '-' ||
            strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(h)) {
            snprintf(err, errsz, "external_links[%zu]: \"%.80s\" is not a host name, "
                     "*.domain or \"status-page\"", i, s ? s : "(not a string)");
            return -EINVAL;
        }
    }
    return 0;
}
