/* ana_incjson.c - read the members of a stored incident that queries need,
 * fast.
 *
 * A grouped query over 10,000 incidents must answer in well under 100 ms,
 * and a full jansson parse of every incident (a hash table per object,
 * every event id and trigger candidate) costs about 10 us each.  This
 * scanner walks the top-level object of the stored text once, reads id,
 * title, status, opened_at, severity, services, durations and classes
 * (what queries and the web UI's list use), and skips every
 * other value by bracket counting without allocating.
 *
 * Design notes:
 * - Only plain strings are taken on the fast path: a value with a
 *   backslash escape, or any shape not expected (a number where a string
 *   should be, an unterminated value), makes the whole incident fall back
 *   to the full jansson parse, so odd input costs time, never correctness.
 * - The full JSON stays available on demand (ana_inc_json) for the rare
 *   users of other members: classifying from event_ids, milestones. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ana_query_int.h"
#include "iq_time.h"

#define NOPE (-2)   /* the fast path gives up: fall back */

struct span {
    const char *p;
    size_t n;
};

static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* p at '"': the end of the string (after the quote), or NULL. */
static const char *skip_string(const char *p, const char *e)
{
    for (p++; p < e; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* The end of the value starting at p, or NULL when malformed. */
static const char *skip_value(const char *p, const char *e)
{
    int depth = 0;

    if (p >= e)
        return NULL;
    if (*p != '{' && *p != '[') {
        if (*p == '"')
            return skip_string(p, e);
        while (p < e && !strchr(",}] \t\r\n", *p))
            p++;
        return p;
    }
    for (; p < e; p++) {
        if (*p == '"') {
            if (!(p = skip_string(p, e)))
                return NULL;
            p--;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if ((*p == '}' || *p == ']') && --depth == 0) {
            return p + 1;
        }
    }
    return NULL;
}

/* A plain string value (no escapes) as a span; NOPE otherwise. */
static int plain_string(const char *p, const char *end, struct span *ret)
{
    const char *q;

    if (end - p < 2 || *p != '"' || end[-1] != '"')
        return NOPE;
    q = memchr(p + 1, '\\', (size_t)(end - p - 2));
    if (q)
        return NOPE;
    ret->p = p + 1;
    ret->n = (size_t)(end - p - 2);
    return 0;
}

static bool is_null(const char *p, const char *end)
{
    return end - p == 4 && memcmp(p, "null", 4) == 0;
}

/* Iterate the members of the object at p: cb(ud, key, value, value_end)
 * for each.  Returns the end of the object, or NULL. */
typedef int (*member_fn)(void *ud, struct span key, const char *v, const char *vend);

static const char *each_member(const char *p, const char *e, member_fn cb, void *ud)
{
    p = ws(p, e);
    if (p >= e || *p != '{')
        return NULL;
    p = ws(p + 1, e);
    if (p < e && *p == '}')
        return p + 1;
    while (p < e) {
        const char *kend = *p == '"' ? skip_string(p, e) : NULL, *v, *vend;
        struct span key;

        if (!kend || plain_string(p, kend, &key) < 0)
            return NULL;
        p = ws(kend, e);
        if (p >= e || *p != ':')
            return NULL;
        v = ws(p + 1, e);
        if (!(vend = skip_value(v, e)) || cb(ud, key, v, vend) < 0)
            return NULL;
        p = ws(vend, e);
        if (p < e && *p == '}')
            return p + 1;
        if (p >= e || *p != ',')
            return NULL;
        p = ws(p + 1, e);
    }
    return NULL;
}

static bool key_is(struct span k, const char *s)
{
    return strlen(s) == k.n && memcmp(k.p, s, k.n) == 0;
}

/* Each element of the array at [p, end); cb(ud, elem, elem_end). */
static int each_elem(const char *p, const char *end, int (*cb)(void *, const char *, const char *),
                     void *ud)
{
    if (*p != '[')
        return NOPE;
    p = ws(p + 1, end);
    if (*p == ']')
        return 0;
    while (p < end) {
        const char *q = skip_value(p, end);

        if (!q || cb(ud, p, q) < 0)
            return NOPE;
        p = ws(q, end);
        if (*p == ']')
            return 0;
        if (*p != ',')
            return NOPE;
        p = ws(p + 1, end);
    }
    return NOPE;
}

static int add_string(void *ud, const char *p, const char *end)
{
    struct span s;

    if (plain_string(p, end, &s) < 0)
        return NOPE;
    return json_array_append_new(ud, json_stringn(s.p, s.n)) < 0 ? -ENOMEM : 0;
}

static int class_member(void *ud, struct span key, const char *v, const char *vend)
{
    struct span s;

    if (!key_is(key, "class"))
        return 0;
    if (plain_string(v, vend, &s) < 0)
        return NOPE;
    return json_array_append_new(ud, json_stringn(s.p, s.n)) < 0 ? -ENOMEM : 0;
}

/* A class: a name, or an object with a "class" member. */
static int add_class(void *ud, const char *p, const char *end)
{
    size_t before = json_array_size(ud);

    if (*p == '"')
        return add_string(ud, p, end);
    if (!each_member(p, end, class_member, ud) || json_array_size(ud) != before + 1)
        return NOPE;
    return 0;
}

static int dur_member(void *ud, struct span key, const char *v, const char *vend)
{
    static const char *const keys[ANA_D_N] = {
        "time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve", "impact",
    };
    int64_t *dur = ud, x = 0;

    for (int k = 0; k < ANA_D_N; k++) {
        if (!key_is(key, keys[k]))
            continue;
        if (is_null(v, vend)) {
            dur[k] = -1;
            return 0;
        }
        for (const char *p = v; p < vend; p++) {
            if (*p < '0' || *p > '9' || x > INT64_MAX / 20)
                return NOPE;
            x = x * 10 + (*p - '0');
        }
        dur[k] = vend > v ? x : -1;
    }
    return 0;
}

static int copy_str(const char *v, const char *vend, char *buf, size_t size, bool nullable)
{
    struct span s;

    if (nullable && is_null(v, vend)) {
        buf[0] = '\0';
        return 0;
    }
    if (plain_string(v, vend, &s) < 0 || s.n >= size)
        return NOPE;
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    return 0;
}

/* A plain string value, copied into *ret (replacing it). */
static int dup_str(const char *v, const char *vend, char **ret)
{
    struct span s;
    char *c;

    if (plain_string(v, vend, &s) < 0)
        return NOPE;
    if (!(c = strndup(s.p, s.n)))
        return -ENOMEM;
    free(*ret);
    *ret = c;
    return 0;
}

static int top_member(void *ud, struct span key, const char *v, const char *vend)
{
    struct ana_inc *inc = ud;
    char t[IQ_TIME_STRLEN];

    if (key_is(key, "id"))
        return copy_str(v, vend, inc->id, sizeof(inc->id), false);
    if (key_is(key, "title"))
        return dup_str(v, vend, &inc->title);
    if (key_is(key, "status"))
        return copy_str(v, vend, inc->status, sizeof(inc->status), false);
    if (key_is(key, "severity"))
        return copy_str(v, vend, inc->severity, sizeof(inc->severity), true);
    if (key_is(key, "opened_at")) {
        if (copy_str(v, vend, t, sizeof(t), false) < 0 ||
            iq_time_parse_rfc3339(t, strlen(t), &inc->opened) < 0)
            return NOPE;
        return 0;
    }
    if (key_is(key, "services"))
        return each_elem(v, vend, add_string, inc->services);
    if (key_is(key, "durations"))
        return each_member(v, vend, dur_member, inc->dur) ? 0 : NOPE;
    if (key_is(key, "classes")) {
        if (!inc->stored && !(inc->stored = json_array()))
            return -ENOMEM;
        return each_elem(v, vend, add_class, inc->stored);
    }
    return 0;
}

void ana_inc_clear(struct ana_inc *inc)
{
    free(inc->text);
    free(inc->title);
    json_decref(inc->j);
    json_decref(inc->services);
    json_decref(inc->stored);
    json_decref(inc->classes);
    memset(inc, 0, sizeof(*inc));
}

static void reset(struct ana_inc *inc, char *text, size_t len)
{
    free(inc->title);
    json_decref(inc->services);
    json_decref(inc->stored);
    json_decref(inc->classes);
    memset(inc, 0, sizeof(*inc));
    inc->text = text;
    inc->len = len;
    inc->opened = IQ_TIME_NONE;
    for (int k = 0; k < ANA_D_N; k++)
        inc->dur[k] = -1;
}

static void slow_durations(struct ana_inc *inc, const json_t *d)
{
    static const char *const keys[ANA_D_N] = {
        "time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve", "impact",
    };

    for (int k = 0; k < ANA_D_N; k++) {
        const json_t *x = json_object_get(d, keys[k]);

        inc->dur[k] = json_is_integer(x) && json_integer_value(x) >= 0 ? json_integer_value(x)
                                                                       : -1;
    }
}

static int slow_lists(struct ana_inc *inc, const json_t *j)
{
    const json_t *arr = json_object_get(j, "classes"), *v;
    size_t i;

    json_array_foreach(json_object_get(j, "services"), i, v)
        if (json_is_string(v) && json_array_append(inc->services, (json_t *)v) < 0)
            return -ENOMEM;
    if (!json_is_array(arr))
        return 0;
    if (!(inc->stored = json_array()))
        return -ENOMEM;
    json_array_foreach(arr, i, v) {
        json_t *name = json_is_string(v) ? (json_t *)v : json_object_get(v, "class");

        if (json_is_string(name) && json_array_append(inc->stored, name) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* The full parse, for what the fast path declined: 0, 1 (not an
 * incident), -ENOMEM. */
static int slow_parse(struct ana_inc *inc)
{
    json_t *j = ana_inc_json(inc), *v;
    char *text = inc->text;
    size_t len = inc->len;

    if (!json_is_object(j))
        return 1;
    inc->j = NULL;
    reset(inc, text, len);
    inc->j = j;
    if (!(inc->services = json_array()) || !(inc->classes = json_array()))
        return -ENOMEM;
    v = json_object_get(j, "id");
    if (!json_is_string(v) || strlen(json_string_value(v)) >= sizeof(inc->id))
        return 1;
    memcpy(inc->id, json_string_value(v), strlen(json_string_value(v)) + 1);
    v = json_object_get(j, "severity");
    if (json_is_string(v) && strlen(json_string_value(v)) < sizeof(inc->severity))
        memcpy(inc->severity, json_string_value(v), strlen(json_string_value(v)) + 1);
    v = json_object_get(j, "status");
    if (json_is_string(v) && strlen(json_string_value(v)) < sizeof(inc->status))
        memcpy(inc->status, json_string_value(v), strlen(json_string_value(v)) + 1);
    v = json_object_get(j, "title");
    if (json_is_string(v) && !(inc->title = strdup(json_string_value(v))))
        return -ENOMEM;
    v = json_object_get(j, "opened_at");
    if (!json_is_string(v) ||
        iq_time_parse_rfc3339(json_string_value(v), strlen(json_string_value(v)), &inc->opened) < 0)
        return 1;
    slow_durations(inc, json_object_get(j, "durations"));
    return slow_lists(inc, j);
}

int ana_inc_parse(const char *text, size_t len, struct ana_inc *inc)
{
    char *copy = malloc(len + 1);

    memset(inc, 0, sizeof(*inc));
    if (!copy)
        return -ENOMEM;
    memcpy(copy, text, len);
    copy[len] = '\0';
    reset(inc, copy, len);
    if (!(inc->services = json_array()) || !(inc->classes = json_array()))
        goto oom;
    if (!each_member(copy, copy + len, top_member, inc) || !inc->id[0] ||
        inc->opened == IQ_TIME_NONE) {
        int r = slow_parse(inc);

        if (r < 0)
            goto oom;
        if (r > 0 || !inc->id[0] || inc->opened == IQ_TIME_NONE) {
            ana_inc_clear(inc);
            return 1;
        }
    }
    return 0;
oom:
    ana_inc_clear(inc);
    return -ENOMEM;
}

json_t *ana_inc_json(struct ana_inc *inc)
{
    if (!inc->j && inc->text)
        inc->j = json_loadb(inc->text, inc->len, 0, NULL);
    return inc->j;
}
