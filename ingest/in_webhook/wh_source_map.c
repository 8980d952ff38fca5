/* wh_source_map.c - map one webhook delivery into canonical events with
 * the compiled source mappings (wh_sources_map, wh_sources_map_reply).
 *
 * Design notes.  The checks run cheapest and least trusting first: the
 * path picks the source (404), the raw body is authenticated before it is
 * parsed (401), then the content type (415), then the JSON itself with
 * iq_json_parse (400, with line and column; a body nested deeper than
 * WH_DEPTH_MAX stops the parser at the opening bracket that goes over,
 * and the answer names its byte offset).  The first rule whose
 * `when` holds is applied; a rule with `each` yields one event per array
 * item.  Every event is validated (iq_event_validate) before any is
 * returned, so a delivery is all-or-nothing: one bad alert in a group of
 * ten makes the whole delivery a 400 naming that alert's JSON path, and
 * nothing is stored.  Ids are "<source>:<rendered id>", hashed with
 * SHA-256 when longer than the canonical limit. */
#include "wh_source_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "iq_json.h"
#include "iq_time.h"

void wh_events_free(struct iq_event **evs, size_t n)
{
    for (size_t i = 0; evs && i < n; i++)
        iq_event_destroy(&evs[i]);
    free(evs);
}

static const char *header_get(const struct wh_delivery *d, const char *name)
{
    for (size_t i = 0; i < d->n_headers; i++)
        if (strcmp(d->headers[i].name, name) == 0)
            return d->headers[i].value;
    return NULL;
}

/* application/json, or any application/...+json, with optional parameters. */
static bool json_content_type(const char *ct)
{
    size_t n;

    if (!ct)
        return false;
    n = strcspn(ct, "; ");
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return true;
    return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* Set the id: "<source>:<text>", or "<source>:sha256:<hex>" when too long. */
static int set_id(struct iq_event *ev, const char *source, const struct iq_buf *b)
{
    char id[IQ_ID_MAX + 1], hex[crypto_hash_sha256_BYTES * 2 + 1];
    unsigned char h[crypto_hash_sha256_BYTES];
    size_t sl = strlen(source);

    if (sl + 1 + b->len <= IQ_ID_MAX) {
        snprintf(id, sizeof(id), "%s:%s", source, b->p);
    } else {
        crypto_hash_sha256(h, (const unsigned char *)b->p, b->len);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        snprintf(id, sizeof(id), "%s:sha256:%s", source, hex);
    }
    return iq_event_set_str(ev, IQ_F_ID, id);
}

/* Cut b to at most max bytes, at a UTF-8 character boundary. */
static void truncate_utf8(struct iq_buf *b, size_t max)
{
    if (b->len <= max)
        return;
    b->len = iq_utf8_prefix(b->p, b->len, max);
    b->p[b->len] = '\0';
}

static int labels_from(struct iq_event *ev, const struct wh_labels_from *f,
                       const struct wh_ctx *c, struct iq_buf *b, char *err, size_t errsz)
{
    const json_t *obj = wh_ref_node(f->ref, c);
    char key[IQ_LABEL_KEY_MAX + 1], where[WH_PATH_MAX];
    const char *k;
    json_t *v;

    if (!json_is_object(obj))
        return 0;
    json_object_foreach((json_t *)obj, k, v) {
        int r;

        iq_buf_reset(b);
        if (json_is_object(v) || json_is_array(v) || (r = wh_json_text(v, b)) <= 0)
            continue;
        if (strlen(f->prefix) + strlen(k) > IQ_LABEL_KEY_MAX)
            continue;       /* a vendor key too long to be a label name: left in raw */
        memcpy(key, f->prefix, strlen(f->prefix));
        memcpy(key + strlen(f->prefix), k, strlen(k) + 1);
        truncate_utf8(b, IQ_LABEL_VAL_MAX);
        r = iq_event_set_label(ev, key, b->p);
        if (r == -E2BIG)
            return 0;       /* label limit reached: the rest stays in the raw payload */
        if (r < 0) {
            wh_ref_path(f->ref, c, where, sizeof(where));
            snprintf(err, errsz, "%s: cannot store label", where);
            return r;
        }
    }
    return 0;
}

/* Apply the string fields and labels of rule ru. */
static int apply_strings(struct iq_event *ev, const struct wh_src *s, const struct wh_rule *ru,
                         const struct wh_ctx *c, struct iq_buf *b, char *err, size_t errsz)
{
    char missing[WH_PATH_MAX];
    int r;

    for (int f = 0; f < IQ_F_NSTR; f++) {
        if (!ru->fields[f])
            continue;
        r = wh_value_string(ru->fields[f], c, b, missing, sizeof(missing));
        if (r < 0)
            return snprintf(err, errsz, "field '%s': value too large", iq_fields[f].name), -EINVAL;
        if (r == 0) {
            if (!iq_fields[f].required)
                continue;
            snprintf(err, errsz, "%s: missing (required for '%s')", missing, iq_fields[f].name);
            return -EINVAL;
        }
        if (f != IQ_F_ID)
            truncate_utf8(b, iq_fields[f].max_len);   /* a long description is not an error */
        r = f == IQ_F_ID ? set_id(ev, s->name, b) : iq_event_set(ev, f, b->p, b->len);
        if (r < 0)
            return snprintf(err, errsz, "field '%s': cannot store", iq_fields[f].name), r;
    }
    for (size_t i = 0; i < ru->n_labels; i++) {
        r = wh_value_string(ru->labels[i].value, c, b, NULL, 0);
        if (r < 0)
            return snprintf(err, errsz, "label '%s': value too large", ru->labels[i].key), -EINVAL;
        if (r > 0)
            truncate_utf8(b, IQ_LABEL_VAL_MAX);
        if (r > 0 && (r = iq_event_set_label(ev, ru->labels[i].key, b->p)) < 0)
            return snprintf(err, errsz, "label '%s': cannot store", ru->labels[i].key), -EINVAL;
    }
    for (size_t i = 0; i < ru->n_from; i++)
        if ((r = labels_from(ev, &ru->from[i], c, b, err, errsz)) < 0)
            return r;
    return iq_event_set_str(ev, IQ_F_SOURCE, s->name);
}

/* Build one event from rule ru in context c; *ret on success. */
#define EVENT_BLOCK 4096   /* bytes of strings reserved per mapped event */
#define EVENT_LABELS 32

static int build_event(const struct wh_src *s, const struct wh_rule *ru, const struct wh_ctx *c,
                       struct iq_buf *b, struct iq_event **ret, char *err, size_t errsz)
{
    char missing[WH_PATH_MAX], sub[IQ_ERR_MAX];
    struct iq_event *ev = iq_event_new();
    const json_t *raw;
    int r;

    if (!ev)
        return -ENOMEM;
    /* one allocation for the usual strings and labels of a mapped event;
     * anything beyond it is allocated on its own */
    iq_event_reserve(ev, EVENT_BLOCK, EVENT_LABELS);
    r = apply_strings(ev, s, ru, c, b, err, errsz);
    if (r < 0)
        goto out;
    missing[0] = '\0';
    r = wh_value_time(ru->at, c, b, &ev->at, missing, sizeof(missing), err, errsz);
    if (r == 0) {
        snprintf(err, errsz, "%s: missing (required for 'at')", missing[0] ? missing : "time");
        r = -EINVAL;
    }
    if (r < 0)
        goto out;
    if (ru->ends_at &&
        (r = wh_value_time(ru->ends_at, c, b, &ev->ends_at, NULL, 0, err, errsz)) < 0)
        goto out;
    raw = ru->raw == WH_RAW_ROOT ? c->root : ru->raw == WH_RAW_ITEM && c->item ? c->item
          : ru->raw == WH_RAW_ITEM ? c->root : NULL;
    if (raw)
        iq_event_set_raw_json(ev, raw);  /* too large: the event goes without its raw payload */
    r = iq_event_validate(ev, sub, sizeof(sub));
    if (r < 0)
        snprintf(err, errsz, "%s: %.280s", c->item_path ? c->item_path : "$", sub);
out:
    if (r < 0) {
        iq_event_destroy(&ev);
        return r;
    }
    *ret = ev;
    return 0;
}

static int apply_rule(const struct wh_src *s, const struct wh_rule *ru, struct wh_ctx *c,
                      struct iq_evvec *out, char *err, size_t errsz)
{
    struct iq_buf b = { .max = WH_RENDER_MAX - 1 };   /* the NUL on top */
    struct iq_event *ev = NULL;
    char path[WH_PATH_MAX], base[WH_PATH_MAX];
    const json_t *arr;
    int r = 0;

    if (!ru->each) {
        r = build_event(s, ru, c, &b, &ev, err, errsz);
        if (r == 0)
            r = iq_evvec_push(out, &ev);
        goto out;
    }
    arr = wh_ref_node(ru->each, c);
    wh_ref_path(ru->each, c, base, sizeof(base));
    if (!json_is_array(arr)) {
        snprintf(err, errsz, "%s: %s", base, arr ? "expected an array" : "missing (required)");
        r = -EINVAL;
        goto out;
    }
    if (json_array_size(arr) > WH_ITEMS_MAX) {
        snprintf(err, errsz, "%s: more than %d items", base, WH_ITEMS_MAX);
        r = -EINVAL;
        goto out;
    }
    for (size_t i = 0; i < json_array_size(arr) && r == 0; i++) {
        snprintf(path, sizeof(path), "%.200s[%zu]", base, i);
        c->item = json_array_get(arr, i);
        c->item_path = path;
        r = build_event(s, ru, c, &b, &ev, err, errsz);
        if (r == 0)
            r = iq_evvec_push(out, &ev);
    }
    c->item = NULL;
    c->item_path = NULL;
out:
    iq_buf_free(&b);
    return r;
}

static int canonical_events(const json_t *root, struct iq_evvec *out, char *err, size_t errsz)
{
    char sub[IQ_ERR_MAX];
    bool arr = json_is_array(root);
    size_t n = arr ? json_array_size(root) : 1;

    if (!arr && !json_is_object(root)) {
        snprintf(err, errsz, "$: expected an event object or an array of events");
        return -EINVAL;
    }
    if (n > WH_ITEMS_MAX) {
        snprintf(err, errsz, "$: more than %d events", WH_ITEMS_MAX);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        struct iq_event *ev = NULL;
        int r = iq_event_from_json(arr ? json_array_get(root, i) : root, &ev, sub, sizeof(sub));

        if (r < 0) {
            if (arr)
                snprintf(err, errsz, "$[%zu]: %.280s", i, sub);
            else
                snprintf(err, errsz, "$: %.280s", sub);
            return r;
        }
        if ((r = iq_evvec_push(out, &ev)) < 0)
            return r;
    }
    return 0;
}

/* Render a reply object as JSON text. */
static int render_reply(const struct wh_rule *ru, const struct wh_ctx *c, char **ret)
{
    struct iq_buf b = { .max = WH_RENDER_MAX - 1 };   /* the NUL on top */
    json_t *o = json_object();
    int r = 0;

    for (size_t i = 0; o && i < ru->n_reply && r >= 0; i++) {
        iq_buf_reset(&b);
        r = wh_tmpl_render(ru->reply[i].tmpl, c, &b, NULL, 0);
        if (r > 0)
            json_object_set_new(o, ru->reply[i].key, json_stringn(b.p, b.len));
    }
    *ret = o && r >= 0 ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    iq_buf_free(&b);
    return *ret ? 0 : -ENOMEM;
}

/* Parse the body of d into *ret (caller owns it).  On failure err says
 * why and *status is 400, or 500 when out of memory. */
static int parse_body(const struct wh_delivery *d, json_t **ret, int *status, char *err,
                      size_t errsz)
{
    struct iq_json_error je;
    int r;

    *status = 400;
    if (d->body_len == 0)
        return snprintf(err, errsz, "$: empty body (expected JSON)"), -EINVAL;
    r = iq_json_parse(d->body, d->body_len, IQ_JSON_DEPTH(WH_DEPTH_MAX), ret, &je);
    if (r == -E2BIG)
        return snprintf(err, errsz, "$: JSON nested deeper than %d levels at byte %zu",
                        WH_DEPTH_MAX, je.position), -EINVAL;
    if (r == -ENOMEM) {
        *status = 500;
        return snprintf(err, errsz, "out of memory parsing JSON"), r;
    }
    if (r < 0)
        return snprintf(err, errsz, "malformed JSON at line %d column %d: %s", je.line,
                        je.column, je.text), -EINVAL;
    return 0;
}

/* Parse and run the rules of s on d.  Sets *status, *reply.  A delivery
 * that maps to no event (an empty array of canonical events or of alerts)
 * is acknowledged as ignored: 202 and a reason, as wh_source.h promises. */
static int run_source(const struct wh_src *s, const struct wh_delivery *d, struct iq_evvec *out,
                      int *status, char **reply, char *err, size_t errsz)
{
    struct wh_ctx c = { .d = d, .source = s->name };
    struct iq_buf b = { .max = 1024 - 1 };
    json_t *root = NULL;
    int r;

    if ((r = parse_body(d, &root, status, err, errsz)) < 0)
        return r;
    c.root = root;
    if (s->canonical) {
        r = canonical_events(root, out, err, errsz);
        *status = 200;
        goto out;
    }
    for (size_t i = 0; i < s->n_rules; i++) {
        const struct wh_rule *ru = &s->rules[i];

        if (ru->when && !wh_conds_hold(ru->when, &c))
            continue;
        if (ru->ignore) {
            if (wh_tmpl_render(ru->ignore, &c, &b, NULL, 0) <= 0)
                iq_buf_add(&b, "ignored", 7);
            snprintf(err, errsz, "%s", b.p);
            *status = 202;
        } else if (ru->n_reply) {
            r = render_reply(ru, &c, reply);
            *status = 200;
        } else {
            r = apply_rule(s, ru, &c, out, err, errsz);
            *status = 200;
        }
        goto out;
    }
    snprintf(err, errsz, "no rule of source '%s' matches this delivery: ignored", s->name);
    *status = 202;
out:
    if (r == 0 && *status == 200 && out->n == 0 && !*reply) {
        snprintf(err, errsz, "no events in this delivery: ignored");
        *status = 202;
    }
    if (r < 0)
        *status = r == -ENOMEM ? 500 : 400;
    iq_buf_free(&b);
    json_decref(root);
    return r;
}

int wh_sources_map_reply(const struct wh_sources *s, const struct wh_delivery *d,
                         struct iq_event ***ret_evs, size_t *ret_n, int *ret_status,
                         char **ret_reply, char *err, size_t errsz)
{
    struct iq_evvec out = { 0 };
    const struct wh_src *src;
    char *reply = NULL;
    int ix = wh_sources_find(s, d->path), r, status = 0;

    err[0] = '\0';
    if (ix < 0) {
        *ret_status = 404;
        snprintf(err, errsz, "no source serves %.200s", d->path);
        return -ENOENT;
    }
    src = &s->src[ix];
    if (!d->authenticated && (r = wh_auth_check(&src->auth, d, err, errsz)) < 0) {
        *ret_status = 401;
        return r;
    }
    if (!json_content_type(header_get(d, "content-type"))) {
        const char *ct = header_get(d, "content-type");
        char q[80];

        iq_quote(ct ? ct : "", ct ? strlen(ct) : 0, q, sizeof(q));
        snprintf(err, errsz, "content type %s is not application/json", ct ? q : "missing");
        *ret_status = 415;
        return -EPROTO;
    }
    r = run_source(src, d, &out, &status, &reply, err, errsz);
    *ret_status = status;
    if (r < 0) {
        wh_events_free(out.v, out.n);
        free(reply);
        return r;
    }
    if (ret_reply)
        *ret_reply = reply;
    else
        free(reply);
    *ret_evs = out.v;
    *ret_n = out.n;
    return 0;
}

int wh_sources_map(const struct wh_sources *s, const struct wh_delivery *d,
                   struct iq_event ***ret_evs, size_t *ret_n, int *ret_status, char *err,
                   size_t errsz)
{
    return wh_sources_map_reply(s, d, ret_evs, ret_n, ret_status, NULL, err, errsz);
}
