/* iq_conf.c - apply configuration tables to config structs.
 *
 * The walk over a table is the same for defaults, JSON members and flags:
 * find the item, parse its text or JSON value by type, check bounds, store
 * at base + offset.  Bounds are inclusive; a value outside is an error
 * that names the key and the range, never silently clamped.  A JSON null
 * puts a key back to its default (unset when it has none).
 *
 * Config files are YAML or JSON; iq_conf_file.c decides which and keeps
 * every key's line.  JSON may hold comments: before jansson parses the text,
 * every // line comment and block comment outside strings is blanked to
 * spaces (newlines kept, so jansson's line and column numbers, and the
 * YAML reader's key lines, still point into the file).
 * iq_conf_print_config writes every key of a table with its description
 * as comments and its default as value: a sample that loads back as it
 * is. */
#include "iq_conf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_time.h"

#define FAIL(...) do { if (err) snprintf(err, errsz, __VA_ARGS__); return -EINVAL; } while (0)

void iq_size_format(char *buf, size_t size, int64_t n)
{
    const double mib = 1024.0 * 1024.0;

    if (n >= 1024LL * 1024 * 1024)
        snprintf(buf, size, "%.1f GiB", (double)n / (1024.0 * mib));
    else
        snprintf(buf, size, "%.1f MiB", (double)n / mib);
}

int iq_size_parse(const char *s, int64_t *ret)
{
    int64_t v = 0, mult = 1;
    const char *p = s;

    if (!s || !*s)
        return -EINVAL;
    while (*p >= '0' && *p <= '9') {
        if (v > INT64_MAX / 10 - 10)
            return -EINVAL;
        v = v * 10 + (*p++ - '0');
    }
    if (p == s)
        return -EINVAL;
    if (*p == 'k' || *p == 'K')
        mult = 1024;
    else if (*p == 'm' || *p == 'M')
        mult = 1024 * 1024;
    else if (*p == 'g' || *p == 'G')
        mult = 1024LL * 1024 * 1024;
    else if (*p)
        return -EINVAL;
    if (*p) {
        p++;
        if (*p == 'i')
            p++;
        if (*p == 'B' || *p == 'b')
            p++;
        if (*p)
            return -EINVAL;
    }
    if (v > INT64_MAX / mult)
        return -EINVAL;
    *ret = v * mult;
    return 0;
}

static int check_bounds(const struct iq_conf_item *it, const char *key, int64_t v, char *err,
                        size_t errsz)
{
    if ((it->min || it->max) && (v < it->min || v > it->max))
        FAIL("config '%s': %lld is outside %lld..%lld", key, (long long)v, (long long)it->min,
             (long long)it->max);
    return 0;
}

/* Parse text for one item and store it; key is the item's name as error
 * messages show it (with its section). */
static int set_text(const struct iq_conf_item *it, void *base, const char *v, const char *key,
                    char *err, size_t errsz)
{
    char *field = (char *)base + it->offset;
    int64_t n;
    char *end;

    switch (it->type) {
    case IQ_CONF_STR: {
        char *copy = strdup(v);

        if (!copy)
            return -ENOMEM;
        free(*(char **)field);
        *(char **)field = copy;
        return 0;
    }
    case IQ_CONF_BOOL:
        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0)
            *(bool *)field = true;
        else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "no") == 0)
            *(bool *)field = false;
        else
            FAIL("config '%s': expected true or false", key);
        return 0;
    case IQ_CONF_INT:
        errno = 0;
        n = strtoll(v, &end, 10);
        if (errno || end == v || *end)
            FAIL("config '%s': not an integer: \"%.40s\"", key, v);
        if (check_bounds(it, key, n, err, errsz) < 0)
            return -EINVAL;
        *(int64_t *)field = n;
        return 0;
    case IQ_CONF_SIZE:
        if (iq_size_parse(v, &n) < 0)
            FAIL("config '%s': not a size (e.g. 64k, 16M): \"%.40s\"", key, v);
        if (check_bounds(it, key, n, err, errsz) < 0)
            return -EINVAL;
        *(size_t *)field = (size_t)n;
        return 0;
    case IQ_CONF_DURATION:
        if (iq_duration_parse(v, &n) < 0)
            FAIL("config '%s': not a duration (e.g. 500ms, 30s, 2h): \"%.40s\"", key, v);
        if (check_bounds(it, key, n, err, errsz) < 0)
            return -EINVAL;
        *(int64_t *)field = n;
        return 0;
    case IQ_CONF_JSON: {
        json_t *j = json_loads(v, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);

        if (!j)
            FAIL("config '%s': not JSON", key);
        json_decref(*(json_t **)field);
        *(json_t **)field = j;
        return 0;
    }
    }
    return -EINVAL;
}

/* Reset one item to its default, or unset it (NULL, false, 0) without one. */
static void set_default(const struct iq_conf_item *it, void *base)
{
    char *field = (char *)base + it->offset;

    if (it->def) {
        set_text(it, base, it->def, it->name, NULL, 0);
    } else if (it->type == IQ_CONF_STR) {
        free(*(char **)field);
        *(char **)field = NULL;
    } else if (it->type == IQ_CONF_JSON) {
        json_decref(*(json_t **)field);
        *(json_t **)field = NULL;
    } else if (it->type == IQ_CONF_BOOL) {
        *(bool *)field = false;
    } else if (it->type == IQ_CONF_SIZE) {
        *(size_t *)field = 0;
    } else {
        *(int64_t *)field = 0;
    }
}

int iq_conf_defaults(const struct iq_conf_item *t, void *base)
{
    for (; t->name; t++)
        if (t->def && set_text(t, base, t->def, t->name, NULL, 0) < 0)
            return -EINVAL;
    return 0;
}

static const struct iq_conf_item *find(const struct iq_conf_item *t, const char *name)
{
    for (; t->name; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

int iq_conf_set(const struct iq_conf_item *t, void *base, const char *name, const char *value,
                char *err, size_t errsz)
{
    const struct iq_conf_item *it = find(t, name);

    if (!it) {
        if (err)
            snprintf(err, errsz, "unknown setting '%s'", name);
        return -ENOENT;
    }
    return set_text(it, base, value, it->name, err, errsz);
}

/* One member: null is the default; strings are parsed by type; booleans
 * and integers are taken as they are (an integer duration in ms). */
static int apply_member(const struct iq_conf_item *it, void *base, const json_t *v,
                        const char *key, char *err, size_t errsz)
{
    char num[32];

    if (json_is_null(v)) {
        set_default(it, base);
        return 0;
    }
    if (it->type == IQ_CONF_JSON) {
        json_decref(*(json_t **)((char *)base + it->offset));
        *(json_t **)((char *)base + it->offset) = json_incref((json_t *)v);
        return 0;
    }
    if (json_is_string(v))
        return set_text(it, base, json_string_value(v), key, err, errsz);
    if (json_is_boolean(v) && it->type == IQ_CONF_BOOL)
        return set_text(it, base, json_is_true(v) ? "true" : "false", key, err, errsz);
    if (json_is_integer(v) && it->type != IQ_CONF_BOOL) {
        snprintf(num, sizeof(num), "%lld%s", (long long)json_integer_value(v),
                 it->type == IQ_CONF_DURATION ? "ms" : "");
        return set_text(it, base, num, key, err, errsz);
    }
    FAIL("config '%s': expected %s", key, it->type == IQ_CONF_BOOL ? "true or false" :
         it->type == IQ_CONF_STR ? "a string" : it->type == IQ_CONF_INT ? "an integer" :
         it->type == IQ_CONF_SIZE ? "a size (e.g. 64k, 16M)" : "a duration (e.g. 500ms, 30s)");
}

int iq_conf_apply_each(const struct iq_conf_item *t, void *base, const json_t *obj,
                       const char *prefix, iq_conf_report_fn report, void *ud)
{
    char msg[IQ_CONF_MSG_MAX], key[256];
    const char *k;
    json_t *v;
    int n = 0;

    if (!obj || json_is_null(obj))
        return 0;
    if (!json_is_object(obj)) {
        if (prefix)
            snprintf(msg, sizeof(msg), "config '%s': expected a mapping of keys", prefix);
        else
            snprintf(msg, sizeof(msg), "config: expected a mapping of keys at the top");
        report(ud, msg);
        return 1;
    }
    json_object_foreach((json_t *)obj, k, v) {
        const struct iq_conf_item *it = find(t, k);

        snprintf(key, sizeof(key), "%s%s%.200s", prefix ? prefix : "", prefix ? "." : "", k);
        msg[0] = '\0';
        if (!it)
            snprintf(msg, sizeof(msg), "config '%s': unknown key", key);
        else if (apply_member(it, base, v, key, msg, sizeof(msg)) < 0 && !msg[0])
            snprintf(msg, sizeof(msg), "config '%s': out of memory", key);
        if (msg[0]) {
            report(ud, msg);
            n++;
        }
    }
    return n;
}

struct first_err {
    char *err;
    size_t errsz;
    int n;
};

static void keep_first(void *ud, const char *msg)
{
    struct first_err *f = ud;

    if (f->n++ == 0 && f->err)
        snprintf(f->err, f->errsz, "%s", msg);
}

int iq_conf_apply_section(const struct iq_conf_item *t, void *base, const json_t *obj,
                          const char *prefix, char *err, size_t errsz)
{
    struct first_err f = { err, errsz, 0 };

    return iq_conf_apply_each(t, base, obj, prefix, keep_first, &f) ? -EINVAL : 0;
}

int iq_conf_apply(const struct iq_conf_item *t, void *base, const json_t *obj,
                  char *err, size_t errsz)
{
    if (!json_is_object(obj))
        FAIL("config: expected a mapping of keys at the top");
    return iq_conf_apply_section(t, base, obj, NULL, err, errsz);
}

void iq_conf_release(const struct iq_conf_item *t, void *base)
{
    for (; t->name; t++) {
        char *field = (char *)base + t->offset;

        if (t->type == IQ_CONF_STR) {
            free(*(char **)field);
            *(char **)field = NULL;
        } else if (t->type == IQ_CONF_JSON) {
            json_decref(*(json_t **)field);
            *(json_t **)field = NULL;
        }
    }
}

/* Blank the comments of buf (len bytes) outside strings.  0, or -EINVAL
 * with *ret_line at the start of an unterminated block comment. */
static int blank_comments(char *buf, size_t len, int *ret_line)
{
    bool in_str = false;
    int line = 1, start = 0;

    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n')
            line++;
        if (in_str) {
            if (buf[i] == '\\' && i + 1 < len)
                i++;
            else if (buf[i] == '"')
                in_str = false;
        } else if (buf[i] == '"') {
            in_str = true;
        } else if (buf[i] == '/' && i + 1 < len && buf[i + 1] == '/') {
            for (; i < len && buf[i] != '\n'; i++)
                buf[i] = ' ';
            i--;
        } else if (buf[i] == '/' && i + 1 < len && buf[i + 1] == '*') {
            start = line;
            buf[i] = buf[i + 1] = ' ';
            for (i += 2; i < len && !(buf[i] == '*' && i + 1 < len && buf[i + 1] == '/'); i++)
                if (buf[i] == '\n')
                    line++;
                else
                    buf[i] = ' ';
            if (i >= len) {
                *ret_line = start;
                return -EINVAL;
            }
            buf[i] = buf[i + 1] = ' ';
            i++;
        }
    }
    return 0;
}

int iq_conf_parse(char *buf, size_t len, const char *name, json_t **ret, char *err,
                  size_t errsz)
{
    json_error_t je;
    json_t *j;
    int line = 0;

    if (blank_comments(buf, len, &line) < 0)
        FAIL("config %s:%d: a comment opened here is never closed", name, line);
    j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        FAIL("config %s:%d:%d: %s", name, je.line, je.column, je.text);
    if (!json_is_object(j)) {
        json_decref(j);
        FAIL("config %s: expected a JSON object at the top", name);
    }
    *ret = j;
    return 0;
}

/* Write text as comment lines of at most about 76 columns. */
static void print_wrapped(FILE *f, int indent, const char *text)
{
    const char *p = text;

    while (*p) {
        size_t n = strlen(p), cut = n;

        if (n > 72) {
            for (cut = 72; cut > 0 && p[cut] != ' '; cut--)
                ;
            if (cut == 0)
                cut = strcspn(p, " ");
        }
        fprintf(f, "%*s// %.*s\n", indent, "", (int)cut, p);
        p += cut;
        while (*p == ' ')
            p++;
    }
}

void iq_conf_print_config(FILE *f, const struct iq_conf_item *t, const char *header)
{
    print_wrapped(f, 0, header);
    fputs("{\n", f);
    for (; t->name; t++) {
        json_t *s = t->def && t->type != IQ_CONF_JSON && t->type != IQ_CONF_BOOL &&
                    t->type != IQ_CONF_INT ? json_string(t->def) : NULL;
        char *v = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;

        print_wrapped(f, 2, t->desc);
        fprintf(f, "  \"%s\": %s%s\n", t->name, v ? v : t->def ? t->def : "null",
                t[1].name ? "," : "");
        if (t[1].name)
            fputc('\n', f);
        free(v);
        json_decref(s);
    }
    fputs("}\n", f);
}

void iq_conf_names(char *buf, size_t size, const char *const *first, size_t n, size_t stride)
{
    const char *row = (const char *)first;
    size_t len = 0;

    if (!size)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++, row += stride) {
        int k = snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
                         *(const char *const *)(const void *)row);

        if (k < 0)
            break;
        len += (size_t)k;
    }
}
