/* iq_yaml.c - YAML to jansson values with key lines, and back.
 *
 * Parsing walks libyaml's event stream recursively: a mapping becomes an
 * object, a sequence an array, a scalar a string, number, boolean or null
 * (core schema resolution for plain scalars; quoted ones are strings).
 * While it walks, it keeps the path of the node being read ("a.b[2].c")
 * in a bounded buffer and records each key's and item's position.
 *
 * Limits, since a config file is input: nesting depth IQ_YAML_DEPTH_MAX;
 * IQ_YAML_NODES_MAX nodes counting each alias as the size of what it
 * names (an alias shares the anchored value by reference, but a consumer
 * walks it once per use, so "billion laughs" stops here); strings with a
 * NUL byte are refused (the tables read C strings).
 *
 * Emitting is the block style a person would write: "key: value" lines,
 * "- item" lines, nested blocks indented by two.  Strings are always
 * double-quoted with JSON's escapes, a subset of YAML's, so nothing a
 * value holds (a colon, a leading '#', "yes") can change its meaning. */
#include "iq_yaml.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "iq_buf.h"

#define PATH_MAX_LEN 4096
#define TAG "tag:yaml.org,2002:"

struct pos_entry {
    char *path;
    int line, col;
};

struct iq_yaml_pos {
    struct pos_entry *e;
    size_t n, cap;
};

struct anchor {
    char *name;
    json_t *v;
    size_t nodes;
};

struct ctx {
    yaml_parser_t p;
    struct anchor *anchors;
    size_t n_anchors, cap_anchors;
    struct iq_yaml_pos *pos;     /* NULL: positions not wanted */
    size_t nodes;
    struct iq_buf path;
    char *err;
    size_t errsz;
};

static int fail(struct ctx *c, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, const yaml_mark_t *m, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(c->err, c->errsz, "%zu:%zu: ", m->line + 1, m->column + 1);

    if (n >= 0 && (size_t)n < c->errsz) {
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errsz - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* The parser's own error, with its position. */
static int parser_fail(struct ctx *c)
{
    const yaml_mark_t *m = c->p.problem ? &c->p.problem_mark : &c->p.context_mark;

    if (c->p.error == YAML_MEMORY_ERROR)
        return -ENOMEM;
    return fail(c, m, "%s%s%s", c->p.problem ? c->p.problem : "malformed YAML",
                c->p.context ? " " : "", c->p.context ? c->p.context : "");
}

static int next(struct ctx *c, yaml_event_t *ev)
{
    return yaml_parser_parse(&c->p, ev) ? 0 : parser_fail(c);
}

/* ---- positions ---------------------------------------------------------- */

static int pos_add(struct ctx *c, const yaml_mark_t *m)
{
    struct iq_yaml_pos *p = c->pos;
    struct pos_entry *e;

    if (!p)
        return 0;
    if (!(e = iq_array_grow(p->e, p->n, &p->cap, sizeof(*e), 16)))
        return -ENOMEM;
    p->e = e;
    e = &p->e[p->n];
    if (!(e->path = strdup(c->path.p ? c->path.p : "")))
        return -ENOMEM;
    e->line = (int)m->line + 1;
    e->col = (int)m->column + 1;
    p->n++;
    return 0;
}

void iq_yaml_pos_free(struct iq_yaml_pos **pp)
{
    struct iq_yaml_pos *p = pp ? *pp : NULL;

    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->e[i].path);
    free(p->e);
    free(p);
    *pp = NULL;
}

static const struct pos_entry *pos_find(const struct iq_yaml_pos *p, const char *path, size_t n)
{
    for (size_t i = 0; i < p->n; i++)
        if (strlen(p->e[i].path) == n && strncmp(p->e[i].path, path, n) == 0)
            return &p->e[i];
    return NULL;
}

int iq_yaml_pos_line(const struct iq_yaml_pos *p, const char *path, int *ret_col)
{
    size_t n = path ? strlen(path) : 0;

    while (p && n > 0) {
        const struct pos_entry *e = pos_find(p, path, n);

        if (e) {
            if (ret_col)
                *ret_col = e->col;
            return e->line;
        }
        while (n > 0 && path[n - 1] != '.' && path[n - 1] != '[')
            n--;
        if (n > 0)
            n--;    /* the separator */
    }
    return 0;
}

/* ---- scalars ------------------------------------------------------------ */

static bool all_digits(const char *s, size_t n, int base)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= '0' && ch <= '9' && ch - '0' < base) ||
                  (base == 16 && ((ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')));

        if (!ok)
            return false;
    }
    return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float(const char *s, size_t n)
{
    size_t i = 0, d = 0;

    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, d++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, d++;
    }
    if (d == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        if (!(i < n && s[i] >= '0' && s[i] <= '9'))
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return i == n;
}

static bool one_of(const char *s, size_t n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n && memcmp(*words, s, n) == 0)
            return true;
    return false;
}

/* An integer in base 10, 16 (0x) or 8 (0o), with an optional sign, into
 * *ret: 1; 0 when s is not one; -ERANGE past int64. */
static int parse_int(const char *s, size_t n, long long *ret)
{
    char buf[80], *end;
    size_t i = 0;
    int base = 10;

    if (n >= sizeof(buf))
        return 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o')) {
        base = s[i + 1] == 'x' ? 16 : 8;
        i += 2;
    }
    if (!all_digits(s + i, n - i, base))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (base != 10) {       /* strtoll reads 0x itself but not 0o: drop the prefix */
        memmove(buf + i - 2, buf + i, n - i + 1);
    }
    errno = 0;
    *ret = strtoll(buf, &end, base);
    return errno == ERANGE ? -ERANGE : 1;
}

/* The value of a plain scalar (core schema); NULL on OOM or for a
 * number that does not fit (*bad says which). */
static json_t *resolve_plain(const char *s, size_t n, const char **bad)
{
    static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
    static const char *const trues[] = { "true", "True", "TRUE", NULL };
    static const char *const falses[] = { "false", "False", "FALSE", NULL };
    static const char *const specials[] = { ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF",
                                            "+.inf", "+.Inf", "+.INF", ".nan", ".NaN", ".NAN",
                                            NULL };
    long long v;
    int r;

    if (one_of(s, n, nulls))
        return json_null();
    if (one_of(s, n, trues))
        return json_true();
    if (one_of(s, n, falses))
        return json_false();
    if ((r = parse_int(s, n, &v)) != 0) {
        *bad = r < 0 ? "integer out of range" : NULL;
        return r < 0 ? NULL : json_integer(v);
    }
    if (one_of(s, n, specials)) {
        *bad = "infinite and NaN numbers are not supported";
        return NULL;
    }
    if (is_float(s, n))
        return json_real(strtod(s, NULL));
    return json_stringn(s, n);
}

/* A scalar event's value: resolved when plain and untagged, else by its
 * tag (str, int, float, bool, null; "!" is str). */
static int scalar_value(struct ctx *c, const yaml_event_t *ev, json_t **ret)
{
    const char *s = (const char *)ev->data.scalar.value, *tag = (const char *)ev->data.scalar.tag;
    size_t n = ev->data.scalar.length;
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    const char *bad = NULL;
    json_t *v;

    if (memchr(s, '\0', n))
        return fail(c, &ev->start_mark, "a NUL byte in a string");
    if (tag && strcmp(tag, "!") != 0 && strcmp(tag, TAG "str") != 0 &&
        strcmp(tag, TAG "int") != 0 && strcmp(tag, TAG "float") != 0 &&
        strcmp(tag, TAG "bool") != 0 && strcmp(tag, TAG "null") != 0)
        return fail(c, &ev->start_mark, "unsupported tag %.60s", tag);
    if ((!tag && !plain) || (tag && (strcmp(tag, "!") == 0 || strcmp(tag, TAG "str") == 0)))
        v = json_stringn(s, n);
    else
        v = resolve_plain(s, n, &bad);
    if (!v)
        return bad ? fail(c, &ev->start_mark, "%s", bad)
                   : fail(c, &ev->start_mark, "not valid UTF-8");
    if (tag && strcmp(tag, "!") != 0 && strcmp(tag, TAG "str") != 0 &&
        !((strcmp(tag, TAG "int") == 0 && json_is_integer(v)) ||
          (strcmp(tag, TAG "float") == 0 && json_is_number(v)) ||
          (strcmp(tag, TAG "bool") == 0 && json_is_boolean(v)) ||
          (strcmp(tag, TAG "null") == 0 && json_is_null(v)))) {
        json_decref(v);
        return fail(c, &ev->start_mark, "\"%.40s\" is not a %s", s, tag + strlen(TAG));
    }
    *ret = v;
    return 0;
}

/* ---- nodes -------------------------------------------------------------- */

static int node(struct ctx *c, yaml_event_t *ev, int depth, json_t **ret, size_t *ret_nodes);

static int remember(struct ctx *c, const char *name, json_t *v, size_t nodes)
{
    struct anchor *a;

    if (!name)
        return 0;
    if (!(a = iq_array_grow(c->anchors, c->n_anchors, &c->cap_anchors, sizeof(*a), 16)))
        return -ENOMEM;
    c->anchors = a;
    a = &c->anchors[c->n_anchors];
    if (!(a->name = strdup(name)))
        return -ENOMEM;
    a->v = json_incref(v);
    a->nodes = nodes;
    c->n_anchors++;
    return 0;
}

static int alias(struct ctx *c, const yaml_event_t *ev, json_t **ret, size_t *ret_nodes)
{
    const char *name = (const char *)ev->data.alias.anchor;

    for (size_t i = c->n_anchors; i-- > 0;)    /* the latest definition wins */
        if (strcmp(c->anchors[i].name, name) == 0) {
            *ret = json_incref(c->anchors[i].v);
            *ret_nodes = c->anchors[i].nodes;
            return 0;
        }
    return fail(c, &ev->start_mark, "unknown alias *%.60s", name);
}

/* Extend the path by ".key" ("key" at the top) or "[i]"; returns the old
 * length, for path_pop. */
static size_t path_push(struct ctx *c, const char *key, size_t index)
{
    size_t old = c->path.len;
    int r = key ? iq_buf_printf(&c->path, "%s%s", old ? "." : "", key)
                : iq_buf_printf(&c->path, "[%zu]", index);

    return r < 0 ? SIZE_MAX : old;
}

static void path_pop(struct ctx *c, size_t old)
{
    if (old == SIZE_MAX || !c->path.p)
        return;
    c->path.len = old;
    c->path.p[old] = '\0';
}

static int sequence(struct ctx *c, int depth, json_t *arr, size_t *nodes)
{
    yaml_event_t ev;
    int r = 0;

    for (size_t i = 0; r == 0; i++) {
        json_t *v = NULL;
        size_t n = 0, old;

        if ((r = next(c, &ev)) < 0)
            return r;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        old = path_push(c, NULL, i);
        r = old == SIZE_MAX ? fail(c, &ev.start_mark, "path too long") : pos_add(c, &ev.start_mark);
        if (r == 0)
            r = node(c, &ev, depth + 1, &v, &n);
        path_pop(c, old);
        yaml_event_delete(&ev);
        if (r == 0 && json_array_append_new(arr, v) < 0)
            r = -ENOMEM;
        *nodes += n;
    }
    return r;
}

/* One "key: value" pair of a mapping whose key event is kev. */
static int pair(struct ctx *c, yaml_event_t *kev, int depth, json_t *obj, size_t *nodes)
{
    const char *key;
    yaml_event_t ev;
    json_t *v = NULL;
    size_t n = 0, old;
    int r;

    if (kev->type != YAML_SCALAR_EVENT)
        return fail(c, &kev->start_mark, "a key must be a plain string");
    key = (const char *)kev->data.scalar.value;
    if (memchr(key, '\0', kev->data.scalar.length))
        return fail(c, &kev->start_mark, "a NUL byte in a key");
    old = path_push(c, key, 0);
    if (old == SIZE_MAX)
        return fail(c, &kev->start_mark, "path too long");
    if (json_object_get(obj, key))
        r = fail(c, &kev->start_mark, "duplicate key '%.200s'", c->path.p);
    else
        r = pos_add(c, &kev->start_mark);
    if (r == 0 && (r = next(c, &ev)) == 0) {
        r = node(c, &ev, depth + 1, &v, &n);
        yaml_event_delete(&ev);
    }
    path_pop(c, old);
    if (r == 0 && json_object_set_new(obj, key, v) < 0)
        r = -ENOMEM;
    *nodes += n;
    return r;
}

static int mapping(struct ctx *c, int depth, json_t *obj, size_t *nodes)
{
    yaml_event_t kev;
    int r = 0;

    while (r == 0) {
        if ((r = next(c, &kev)) < 0)
            return r;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            return 0;
        }
        r = pair(c, &kev, depth, obj, nodes);
        yaml_event_delete(&kev);
    }
    return r;
}

static int node(struct ctx *c, yaml_event_t *ev, int depth, json_t **ret, size_t *ret_nodes)
{
    const char *anchor = NULL, *tag = NULL;
    json_t *v = NULL;
    size_t nodes = 1;
    int r;

    if (depth > IQ_YAML_DEPTH_MAX)
        return fail(c, &ev->start_mark, "nested deeper than %d levels", IQ_YAML_DEPTH_MAX);
    if (ev->type != YAML_ALIAS_EVENT && ++c->nodes > IQ_YAML_NODES_MAX)
        return fail(c, &ev->start_mark, "more than %d values", IQ_YAML_NODES_MAX);
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        if ((r = alias(c, ev, &v, &nodes)) == 0 && (c->nodes += nodes) > IQ_YAML_NODES_MAX)
            r = fail(c, &ev->start_mark, "aliases expand to more than %d values",
                     IQ_YAML_NODES_MAX);
        break;
    case YAML_SCALAR_EVENT:
        anchor = (const char *)ev->data.scalar.anchor;
        r = scalar_value(c, ev, &v);
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = (const char *)ev->data.sequence_start.anchor;
        tag = (const char *)ev->data.sequence_start.tag;
        r = tag && strcmp(tag, TAG "seq") != 0 ? fail(c, &ev->start_mark, "unsupported tag %.60s", tag)
            : (v = json_array()) ? sequence(c, depth, v, &nodes) : -ENOMEM;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = (const char *)ev->data.mapping_start.anchor;
        tag = (const char *)ev->data.mapping_start.tag;
        r = tag && strcmp(tag, TAG "map") != 0 ? fail(c, &ev->start_mark, "unsupported tag %.60s", tag)
            : (v = json_object()) ? mapping(c, depth, v, &nodes) : -ENOMEM;
        break;
    default:
        r = fail(c, &ev->start_mark, "unexpected YAML event");
        break;
    }
    if (r == 0)
        r = remember(c, anchor, v, nodes);
    if (r < 0) {
        json_decref(v);
        return r;
    }
    *ret = v;
    *ret_nodes = nodes;
    return 0;
}

/* The stream: at most one document, whose root becomes *ret. */
static int stream(struct ctx *c, json_t **ret)
{
    yaml_event_t ev;
    json_t *root = NULL;
    size_t nodes = 0;
    int r, docs = 0;

    for (;;) {
        if ((r = next(c, &ev)) < 0)
            break;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type == YAML_DOCUMENT_START_EVENT && docs++ > 0)
            r = fail(c, &ev.start_mark, "more than one YAML document");
        else if (ev.type != YAML_STREAM_START_EVENT && ev.type != YAML_DOCUMENT_START_EVENT &&
                 ev.type != YAML_DOCUMENT_END_EVENT)
            r = node(c, &ev, 0, &root, &nodes);
        yaml_event_delete(&ev);
        if (r < 0)
            break;
    }
    if (r < 0) {
        json_decref(root);
        return r;
    }
    *ret = root ? root : json_null();
    return 0;
}

int iq_yaml_parse(const char *text, size_t len, json_t **ret, struct iq_yaml_pos **ret_pos,
                  char *err, size_t errsz)
{
    struct ctx c = { .err = err, .errsz = errsz };
    char dummy[8];
    int r;

    if (!err || !errsz) {
        c.err = dummy;
        c.errsz = sizeof(dummy);
    }
    if (!yaml_parser_initialize(&c.p))
        return -ENOMEM;
    yaml_parser_set_input_string(&c.p, (const unsigned char *)text, len);
    iq_buf_init(&c.path, PATH_MAX_LEN);
    if (ret_pos && !(c.pos = calloc(1, sizeof(*c.pos))))
        r = -ENOMEM;
    else
        r = stream(&c, ret);
    if (r == -ENOMEM)
        snprintf(c.err, c.errsz, "out of memory");
    for (size_t i = 0; i < c.n_anchors; i++) {
        free(c.anchors[i].name);
        json_decref(c.anchors[i].v);
    }
    free(c.anchors);
    iq_buf_free(&c.path);
    yaml_parser_delete(&c.p);
    if (r < 0 || !ret_pos)
        iq_yaml_pos_free(&c.pos);
    else
        *ret_pos = c.pos;
    return r;
}

/* ---- emitting ----------------------------------------------------------- */

static int pad(struct iq_buf *b, int indent)
{
    int r = 0;

    for (int i = 0; i < indent && r == 0; i++)
        r = iq_buf_addc(b, ' ');
    return r;
}

static int emit_string(struct iq_buf *b, const char *s)
{
    json_t *j = json_string(s);
    char *q = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    int r = q ? iq_buf_adds(b, q) : -ENOMEM;

    free(q);
    json_decref(j);
    return r;
}

int iq_yaml_emit_key(struct iq_buf *b, const char *key)
{
    const char *bad = NULL;
    size_t n = strlen(key);
    json_t *as_plain;
    bool plain = n > 0 && strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789_.-/") == n && key[0] != '-' && key[0] != '.';

    if (plain) {     /* it must read back as the same string, not a number or a bool */
        as_plain = resolve_plain(key, n, &bad);
        plain = json_is_string(as_plain);
        json_decref(as_plain);
    }
    return plain ? iq_buf_adds(b, key) : emit_string(b, key);
}

int iq_yaml_emit_scalar(struct iq_buf *b, const json_t *v)
{
    char *s;
    int r;

    switch (json_typeof(v)) {
    case JSON_STRING:
        return emit_string(b, json_string_value(v));
    case JSON_INTEGER:
        return iq_buf_printf(b, "%lld", (long long)json_integer_value(v));
    case JSON_REAL:
        if (!(s = json_dumps(v, JSON_ENCODE_ANY)))
            return -ENOMEM;
        r = iq_buf_adds(b, s);
        free(s);
        return r;
    case JSON_TRUE:
        return iq_buf_adds(b, "true");
    case JSON_FALSE:
        return iq_buf_adds(b, "false");
    case JSON_NULL:
        return iq_buf_adds(b, "null");
    default:
        return -EINVAL;
    }
}

static bool is_block(const json_t *v)
{
    return (json_is_object(v) && json_object_size(v)) || (json_is_array(v) && json_array_size(v));
}

/* What follows "key:" or "-": " scalar\n", " {}\n", " []\n", or a newline
 * and a nested block at indent. */
static int emit_after(struct iq_buf *b, const json_t *v, int indent)
{
    int r;

    if (is_block(v))
        return (r = iq_buf_addc(b, '\n')) < 0 ? r : iq_yaml_emit(b, v, indent);
    if ((r = iq_buf_addc(b, ' ')) < 0)
        return r;
    if (json_is_object(v) || json_is_array(v))
        r = iq_buf_adds(b, json_is_object(v) ? "{}" : "[]");
    else
        r = iq_yaml_emit_scalar(b, v);
    return r < 0 ? r : iq_buf_addc(b, '\n');
}

static int emit_object(struct iq_buf *b, const json_t *v, int indent, bool first_padded)
{
    const char *key;
    json_t *m;
    bool first = true;
    int r = 0;

    json_object_foreach((json_t *)v, key, m) {
        if (!first || first_padded)
            r = pad(b, indent);
        first = false;
        if (r == 0)
            r = iq_yaml_emit_key(b, key);
        if (r == 0)
            r = iq_buf_addc(b, ':');
        if (r == 0)
            r = emit_after(b, m, indent + 2);
        if (r < 0)
            return r;
    }
    return 0;
}

static int emit_array(struct iq_buf *b, const json_t *v, int indent)
{
    size_t i;
    json_t *e;
    int r = 0;

    json_array_foreach(v, i, e) {
        r = pad(b, indent);
        if (r == 0)
            r = iq_buf_addc(b, '-');
        if (r == 0 && json_is_object(e) && json_object_size(e)) {
            /* "- key: value" with the other keys under the first */
            r = iq_buf_addc(b, ' ');
            if (r == 0)
                r = emit_object(b, e, indent + 2, false);
        } else if (r == 0) {
            r = emit_after(b, e, indent + 2);
        }
        if (r < 0)
            return r;
    }
    return 0;
}

int iq_yaml_emit(struct iq_buf *b, const json_t *v, int indent)
{
    int r;

    if (json_is_object(v) && json_object_size(v))
        return emit_object(b, v, indent, true);
    if (json_is_array(v) && json_array_size(v))
        return emit_array(b, v, indent);
    if ((r = pad(b, indent)) < 0)
        return r;
    if (json_is_object(v) || json_is_array(v))
        r = iq_buf_adds(b, json_is_object(v) ? "{}" : "[]");
    else
        r = iq_yaml_emit_scalar(b, v);
    return r < 0 ? r : iq_buf_addc(b, '\n');
}
