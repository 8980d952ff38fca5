/* iq_event.c - construction, validation and JSON form of canonical events.
 *
 * Every event that enters inquest, whatever its way in (NDJSON through
 * `inquest send`, msgpack over ZeroMQ, a webhook mapping, a log rule),
 * passes iq_event_validate before it is stored, so the rules here are the
 * single gate: required fields, byte limits, UTF-8, name syntax, known
 * kinds, label counts.  Errors name the field and quote the offending
 * value, truncated, so a user can find it in a large batch. */
#include "iq_event.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_json.h"
#include "iq_buf.h"
#include "iq_time.h"

const struct iq_field_def iq_fields[IQ_F_NSTR] = {
    [IQ_F_ID]           = { "id",           IQ_ID_MAX, true,  IQ_CHECK_LINE },
    [IQ_F_SOURCE]       = { "source",       64,        true,  IQ_CHECK_NAME },
    [IQ_F_KIND]         = { "kind",         16,        true,  IQ_CHECK_KIND },
    [IQ_F_ACTION]       = { "action",       64,        true,  IQ_CHECK_NAME },
    [IQ_F_SERVICE]      = { "service",      200,       false, IQ_CHECK_LINE },
    [IQ_F_ENVIRONMENT]  = { "environment",  64,        false, IQ_CHECK_LINE },
    [IQ_F_SEVERITY]     = { "severity",     32,        false, IQ_CHECK_LINE },
    [IQ_F_TITLE]        = { "title",        1024,      false, IQ_CHECK_TEXT },
    [IQ_F_TEXT]         = { "text",         16384,     false, IQ_CHECK_TEXT },
    [IQ_F_ACTOR]        = { "actor",        200,       false, IQ_CHECK_LINE },
    [IQ_F_URL]          = { "url",          2048,      false, IQ_CHECK_LINE },
    [IQ_F_INCIDENT_KEY] = { "incident_key", 200,       false, IQ_CHECK_LINE },
    [IQ_F_RECEIVED_FROM] = { "received_from", IQ_RECEIVED_FROM_MAX, false, IQ_CHECK_LINE },
};

const char *const iq_kinds[] = {
    "alert", "page", "deploy", "change", "chat", "status", "log", "note", NULL
};

struct iq_event *iq_event_new(void)
{
    struct iq_event *ev = calloc(1, sizeof(*ev));

    if (!ev)
        return NULL;
    ev->at = IQ_TIME_NONE;
    ev->ends_at = IQ_TIME_NONE;
    return ev;
}

/* Is p inside the event's block (and so not freed on its own)? */
static bool in_block(const struct iq_event *ev, const void *p)
{
    const char *c = p;

    return ev->block && c >= ev->block && c < ev->block + ev->block_len;
}

static void ev_free(struct iq_event *ev, void *p)
{
    if (!in_block(ev, p))
        free(p);
}

static char *ev_alloc(struct iq_event *ev, size_t n)
{
    char *p;

    if (ev->block && ev->block_len - ev->block_used >= n) {
        p = ev->block + ev->block_used;
        ev->block_used += n;
        return p;
    }
    return malloc(n);
}

static char *ev_strdup(struct iq_event *ev, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = ev_alloc(ev, n);

    if (p)
        memcpy(p, s, n);
    return p;
}

int iq_event_reserve(struct iq_event *ev, size_t str_bytes, uint32_t n_labels)
{
    size_t lab = (size_t)n_labels * sizeof(struct iq_label);

    if (ev->block || ev->labels)
        return -EINVAL;
    ev->block = malloc(lab + str_bytes);
    if (!ev->block)
        return -ENOMEM;
    ev->block_len = lab + str_bytes;
    ev->block_used = lab;
    if (n_labels) {
        ev->labels = (struct iq_label *)(void *)ev->block;
        ev->labels_cap = n_labels;
    }
    return 0;
}

void iq_event_destroy(struct iq_event **pev)
{
    struct iq_event *ev;

    if (!pev || !*pev)
        return;
    ev = *pev;
    for (int i = 0; i < IQ_F_NSTR; i++)
        ev_free(ev, ev->str[i]);
    for (uint32_t i = 0; i < ev->n_labels; i++) {
        ev_free(ev, ev->labels[i].key);
        ev_free(ev, ev->labels[i].value);
    }
    ev_free(ev, ev->labels);
    ev_free(ev, ev->raw);
    free(ev->block);
    free(ev);
    *pev = NULL;
}

struct iq_event *iq_event_dup(const struct iq_event *ev)
{
    struct iq_event *d = iq_event_new();

    if (!d)
        return NULL;
    d->at = ev->at;
    d->ends_at = ev->ends_at;
    for (int i = 0; i < IQ_F_NSTR; i++)
        if (ev->str[i] && iq_event_set_str(d, (enum iq_field)i, ev->str[i]) < 0)
            goto fail;
    for (uint32_t i = 0; i < ev->n_labels; i++)
        if (iq_event_set_label(d, ev->labels[i].key, ev->labels[i].value) < 0)
            goto fail;
    if (ev->raw) {
        d->raw = malloc(ev->raw_len + 1);
        if (!d->raw)
            goto fail;
        memcpy(d->raw, ev->raw, ev->raw_len + 1);
        d->raw_len = ev->raw_len;
    }
    return d;
fail:
    iq_event_destroy(&d);
    return NULL;
}

/* Replace *slot by a NUL-terminated copy of s[0..len).  -EINVAL when s
 * holds a NUL, -ENOMEM. */
static int replace_copy(struct iq_event *ev, char **slot, const char *s, size_t len)
{
    char *copy;

    if (memchr(s, '\0', len))
        return -EINVAL;
    copy = ev_alloc(ev, len + 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    ev_free(ev, *slot);
    *slot = copy;
    return 0;
}

int iq_event_set(struct iq_event *ev, enum iq_field f, const char *s, size_t len)
{
    return replace_copy(ev, &ev->str[f], s, len);
}

int iq_event_set_str(struct iq_event *ev, enum iq_field f, const char *s)
{
    return iq_event_set(ev, f, s, strlen(s));
}

const char *iq_event_label(const struct iq_event *ev, const char *key)
{
    for (uint32_t i = 0; i < ev->n_labels; i++)
        if (strcmp(ev->labels[i].key, key) == 0)
            return ev->labels[i].value;
    return NULL;
}

/* Room for one more label: in place while the block has it, else on the heap. */
static struct iq_label *labels_grow(struct iq_event *ev)
{
    struct iq_label *l;

    if (!in_block(ev, ev->labels))
        return realloc(ev->labels, (ev->n_labels + 1) * sizeof(*l));
    if (ev->n_labels < ev->labels_cap)
        return ev->labels;
    l = malloc((ev->n_labels + 1) * sizeof(*l));
    if (l)
        memcpy(l, ev->labels, ev->n_labels * sizeof(*l));
    return l;
}

int iq_event_set_label(struct iq_event *ev, const char *key, const char *value)
{
    struct iq_label *l;
    char *v;

    for (uint32_t i = 0; i < ev->n_labels; i++) {
        if (strcmp(ev->labels[i].key, key) == 0) {
            v = ev_strdup(ev, value);
            if (!v)
                return -ENOMEM;
            ev_free(ev, ev->labels[i].value);
            ev->labels[i].value = v;
            return 0;
        }
    }
    if (ev->n_labels >= IQ_LABELS_MAX)
        return -E2BIG;
    l = labels_grow(ev);
    if (!l)
        return -ENOMEM;
    ev->labels = l;
    l[ev->n_labels].key = ev_strdup(ev, key);
    l[ev->n_labels].value = ev_strdup(ev, value);
    if (!l[ev->n_labels].key || !l[ev->n_labels].value) {
        ev_free(ev, l[ev->n_labels].key);
        ev_free(ev, l[ev->n_labels].value);
        return -ENOMEM;
    }
    ev->n_labels++;
    return 0;
}

int iq_event_set_raw(struct iq_event *ev, const char *s, size_t len)
{
    int r;

    if (len > IQ_RAW_MAX)
        return -E2BIG;
    r = replace_copy(ev, &ev->raw, s, len);
    if (r == 0)
        ev->raw_len = len;
    return r;
}

void iq_event_clear_raw(struct iq_event *ev)
{
    ev_free(ev, ev->raw);
    ev->raw = NULL;
    ev->raw_len = 0;
}

int iq_event_set_raw_json(struct iq_event *ev, const json_t *raw)
{
    size_t n = 0;
    char *s = iq_json_dump_compact(raw, &n);

    if (!s)
        return -ENOMEM;
    if (n > IQ_RAW_MAX) {
        free(s);
        return -E2BIG;
    }
    ev_free(ev, ev->raw);
    ev->raw = s;
    ev->raw_len = n;
    return 0;
}

size_t iq_utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

bool iq_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;

    while (p < end) {
        unsigned c;
        size_t n;
        unsigned cp;
        uint64_t w;

        /* fast path: 8 bytes of ASCII without NUL at a time */
        while (end - p >= 8) {
            memcpy(&w, p, 8);
            if ((w & 0x8080808080808080ULL) ||
                ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL))
                break;
            p += 8;
        }
        if (p >= end)
            break;
        c = *p;

        if (c == 0)
            return false;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        p += n + 1;
    }
    return true;
}

void iq_quote(const char *s, size_t len, char *buf, size_t size)
{
    size_t o = 0, limit = size > 48 ? 40 : size / 2;

    if (size < 8) {
        if (size)
            buf[0] = '\0';
        return;
    }
    buf[o++] = '"';
    for (size_t i = 0; i < len && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];

        if (i >= limit) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
}

static bool check_name(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '-' || *s == '.'))
            return false;
    return true;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static bool kind_known(const char *s)
{
    for (int i = 0; iq_kinds[i]; i++)
        if (strcmp(iq_kinds[i], s) == 0)
            return true;
    return false;
}

#define FAIL(...) do { if (err) snprintf(err, errsz, __VA_ARGS__); return -EINVAL; } while (0)

/* s quoted for an error message (only built once a check failed). */
static const char *quoted(const char *s, char *q, size_t qsz)
{
    iq_quote(s, strlen(s), q, qsz);
    return q;
}

static int validate_string(const struct iq_field_def *d, const char *s, char *err, size_t errsz)
{
    size_t len = strlen(s);
    char q[64];

    if (len == 0 && d->required)
        FAIL("field '%s': must not be empty", d->name);
    if (len > d->max_len)
        FAIL("field '%s': %zu bytes, over the limit of %zu", d->name, len, d->max_len);
    if (!iq_utf8_valid(s, len))
        FAIL("field '%s': not valid UTF-8", d->name);
    switch (d->check) {
    case IQ_CHECK_TEXT:
        break;
    case IQ_CHECK_LINE:
        if (has_control(s))
            FAIL("field '%s': control character in %s", d->name, quoted(s, q, sizeof(q)));
        break;
    case IQ_CHECK_NAME:
        if (!check_name(s))
            FAIL("field '%s': %s is not a name (lower-case letters, digits, '_', '-', '.')",
                 d->name, quoted(s, q, sizeof(q)));
        break;
    case IQ_CHECK_KIND:
        if (!kind_known(s))
            FAIL("field '%s': unknown kind %s (alert, page, deploy, change, chat, status, "
                 "log, note)", d->name, quoted(s, q, sizeof(q)));
        break;
    }
    return 0;
}

static int label_cmp(const void *a, const void *b)
{
    return strcmp(((const struct iq_label *)a)->key, ((const struct iq_label *)b)->key);
}

int iq_event_validate(struct iq_event *ev, char *err, size_t errsz)
{
    int r;

    for (int i = 0; i < IQ_F_NSTR; i++) {
        if (!ev->str[i]) {
            if (iq_fields[i].required)
                FAIL("field '%s': required", iq_fields[i].name);
            continue;
        }
        r = validate_string(&iq_fields[i], ev->str[i], err, errsz);
        if (r < 0)
            return r;
    }
    if (ev->at == IQ_TIME_NONE)
        FAIL("field 'at': required");
    if (ev->ends_at != IQ_TIME_NONE && ev->ends_at < ev->at)
        FAIL("field 'ends_at': before 'at'");
    if (ev->n_labels > IQ_LABELS_MAX)
        FAIL("field 'labels': %u labels, over the limit of %d", ev->n_labels, IQ_LABELS_MAX);
    for (uint32_t i = 0; i < ev->n_labels; i++) {
        const struct iq_label *l = &ev->labels[i];
        size_t kl = strlen(l->key), vl = strlen(l->value);

        if (kl == 0 || kl > IQ_LABEL_KEY_MAX || !iq_utf8_valid(l->key, kl) || has_control(l->key))
            FAIL("field 'labels': bad key (1 to %d bytes of UTF-8 text)", IQ_LABEL_KEY_MAX);
        if (vl > IQ_LABEL_VAL_MAX)
            FAIL("field 'labels.%s': %zu bytes, over the limit of %d", l->key, vl,
                 IQ_LABEL_VAL_MAX);
        if (!iq_utf8_valid(l->value, vl))
            FAIL("field 'labels.%s': not valid UTF-8", l->key);
    }
    if (ev->raw && ev->raw_len > IQ_RAW_MAX)
        FAIL("field 'raw': %zu bytes, over the limit of %d", ev->raw_len, IQ_RAW_MAX);
    if (ev->n_labels > 1)
        qsort(ev->labels, ev->n_labels, sizeof(*ev->labels), label_cmp);
    for (uint32_t i = 1; i < ev->n_labels; i++)
        if (strcmp(ev->labels[i - 1].key, ev->labels[i].key) == 0)
            FAIL("field 'labels': duplicate key '%s'", ev->labels[i].key);
    return 0;
}

int iq_evvec_push(struct iq_evvec *vec, struct iq_event **pev)
{
    struct iq_event **v = iq_array_grow(vec->v, vec->n, &vec->cap, sizeof(*v), 16);

    if (!v) {
        iq_event_destroy(pev);
        return -ENOMEM;
    }
    vec->v = v;
    vec->v[vec->n++] = *pev;
    *pev = NULL;
    return 0;
}

void iq_evvec_clear(struct iq_evvec *vec)
{
    for (size_t i = 0; i < vec->n; i++)
        iq_event_destroy(&vec->v[i]);
    free(vec->v);
    vec->v = NULL;
    vec->n = vec->cap = 0;
}

bool iq_event_is_audit_note(const struct iq_event *ev)
{
    const char *src = iq_ev_source(ev);

    return src && strcmp(src, IQ_AUDIT_SOURCE) == 0;
}

/* Is p[0..n) exactly the NUL-terminated name? */
static bool name_is(const char *name, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (name[i] == '\0' || name[i] != p[i])
            return false;
    return name[n] == '\0';
}

/* Called for every key of every decoded event: dispatch on the first
 * letters, then one comparison, instead of a scan of the table. */
int iq_field_lookup_n(const char *p, size_t n)
{
#define AT(i) ((i) < n ? p[i] : '\0')
    int f;

    if (n == 0)
        return -1;
    switch (p[0]) {
    case 'i': f = AT(1) == 'd' ? IQ_F_ID : IQ_F_INCIDENT_KEY; break;
    case 's': f = AT(1) == 'o' ? IQ_F_SOURCE : AT(1) == 'e' && AT(2) == 'r' ? IQ_F_SERVICE
                                                                             : IQ_F_SEVERITY;
              break;
    case 'k': f = IQ_F_KIND; break;
    case 'a': f = AT(1) == 'c' && AT(2) == 't' && AT(3) == 'i' ? IQ_F_ACTION : IQ_F_ACTOR;
              break;
    case 'e': f = IQ_F_ENVIRONMENT; break;
    case 't': f = AT(1) == 'i' ? IQ_F_TITLE : IQ_F_TEXT; break;
    case 'u': f = IQ_F_URL; break;
    case 'r': f = IQ_F_RECEIVED_FROM; break;
    default: return -1;
    }
#undef AT
    return name_is(iq_fields[f].name, p, n) ? f : -1;
}

int iq_field_lookup(const char *name)
{
    return iq_field_lookup_n(name, strlen(name));
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: case JSON_REAL: return "a number";
    case JSON_TRUE: case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static int json_time(const char *name, const json_t *v, int64_t *ret, char *err, size_t errsz)
{
    char q[64];

    if (!json_is_string(v))
        FAIL("field '%s': expected an RFC 3339 string, got %s", name, json_type_name(v));
    if (iq_time_parse_rfc3339(json_string_value(v), json_string_length(v), ret) < 0) {
        iq_quote(json_string_value(v), json_string_length(v), q, sizeof(q));
        FAIL("field '%s': not an RFC 3339 time with offset: %s", name, q);
    }
    return 0;
}

static int json_labels(struct iq_event *ev, const json_t *v, char *err, size_t errsz)
{
    const char *k;
    json_t *lv;

    if (!json_is_object(v))
        FAIL("field 'labels': expected an object of strings, got %s", json_type_name(v));
    if (json_object_size(v) > IQ_LABELS_MAX)
        FAIL("field 'labels': %zu labels, over the limit of %d", json_object_size(v),
             IQ_LABELS_MAX);
    json_object_foreach((json_t *)v, k, lv) {
        if (!json_is_string(lv))
            FAIL("field 'labels.%.64s': expected a string, got %s", k, json_type_name(lv));
        if (iq_event_set_label(ev, k, json_string_value(lv)) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* Apply one member of a canonical JSON object to ev.  received_from is
 * the receiving ingest's to set: a sender's value is ignored. */
static int json_member(struct iq_event *ev, const char *key, const json_t *v,
                       char *err, size_t errsz)
{
    int f = iq_field_lookup(key);

    if (f == IQ_F_RECEIVED_FROM)
        return 0;
    if (f >= 0) {
        if (json_is_null(v) && !iq_fields[f].required)
            return 0;
        if (!json_is_string(v))
            FAIL("field '%s': expected a string, got %s", key, json_type_name(v));
        if (iq_event_set(ev, (enum iq_field)f, json_string_value(v), json_string_length(v)) < 0)
            FAIL("field '%s': contains a NUL character", key);
        return 0;
    }
    if (strcmp(key, "at") == 0)
        return json_time("at", v, &ev->at, err, errsz);
    if (strcmp(key, "ends_at") == 0)
        return json_is_null(v) ? 0 : json_time("ends_at", v, &ev->ends_at, err, errsz);
    if (strcmp(key, "labels") == 0)
        return json_labels(ev, v, err, errsz);
    if (strcmp(key, "raw") == 0) {
        int r = iq_event_set_raw_json(ev, v);

        if (r == -E2BIG)
            FAIL("field 'raw': over the limit of %d bytes", IQ_RAW_MAX);
        return r;
    }
    FAIL("unknown field '%.64s'", key);
}

int iq_event_from_json(const json_t *obj, struct iq_event **ret, char *err, size_t errsz)
{
    struct iq_event *ev;
    const char *key;
    json_t *v;
    int r = 0;

    if (!json_is_object(obj))
        FAIL("event: expected a JSON object, got %s", json_type_name(obj));
    ev = iq_event_new();
    if (!ev)
        return -ENOMEM;
    json_object_foreach((json_t *)obj, key, v) {
        r = json_member(ev, key, v, err, errsz);
        if (r < 0)
            goto out;
    }
    r = iq_event_validate(ev, err, errsz);
    if (r < 0)
        goto out;
    *ret = ev;
    ev = NULL;
out:
    iq_event_destroy(&ev);
    return r;
}

static int json_set_time(json_t *o, const char *key, int64_t ms)
{
    char ts[IQ_TIME_STRLEN];

    iq_time_format(ms, ts, sizeof(ts));
    return json_object_set_new(o, key, json_string(ts));
}

json_t *iq_event_to_json(const struct iq_event *ev)
{
    json_t *o = json_object(), *labels, *raw;

    if (!o)
        return NULL;
    for (int i = 0; i < IQ_F_NSTR; i++) {
        if (i == IQ_F_SERVICE)
            json_set_time(o, "at", ev->at);
        if (ev->str[i])
            json_object_set_new(o, iq_fields[i].name, json_string(ev->str[i]));
    }
    if (ev->ends_at != IQ_TIME_NONE)
        json_set_time(o, "ends_at", ev->ends_at);
    if (ev->n_labels) {
        labels = json_object();
        for (uint32_t i = 0; i < ev->n_labels; i++)
            json_object_set_new(labels, ev->labels[i].key, json_string(ev->labels[i].value));
        json_object_set_new(o, "labels", labels);
    }
    if (ev->raw) {
        raw = json_loadb(ev->raw, ev->raw_len, JSON_DECODE_ANY, NULL);
        if (raw)
            json_object_set_new(o, "raw", raw);
    }
    return o;
}
