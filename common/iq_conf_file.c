/* iq_conf_file.c - config files (YAML or JSON) and configs printed as YAML.
 *
 * Loading: YAML is the ecosystem's format (Prometheus, Alertmanager,
 * Fluent Bit's YAML mode) and JSON stays accepted: the extension decides
 * (.yaml, .yml, .json), else the content (a '{' or a comment's '/' first
 * is JSON).  JSON goes through iq_conf_parse (comments allowed, blanked
 * with their lines kept).  Either way the file's keys get their lines
 * (iq_yaml.h; the blanked JSON text is read a second time by the YAML
 * parser for them, which reads JSON too), so a
 * problem found later by any table, in any section, can be shown as
 * "FILE:LINE: config 'KEY': what" (iq_conf_file_where).
 *
 * Printing: the effective values of a table, each after its description
 * as comments, in YAML that reads back to the same values: strings
 * double-quoted, sizes and durations in the largest exact unit ("16M",
 * "30s"), unset keys commented out (so they stay unset), sections that
 * have a table of their own (struct iq_conf_sub) printed key by key with
 * their defaults filled in, free-form sections as YAML blocks. */
#include "iq_conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iq_buf.h"
#include "iq_event.h"
#include "iq_file.h"
#include "iq_yaml.h"

#define COMMENT_WIDTH 88
#define PRINT_MAX (16u << 20)

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* YAML or JSON: by extension, else by the first meaningful character
 * ('{', or '/' opening a comment of a JSON-with-comments file, is JSON). */
static bool looks_yaml(const char *path, const char *text)
{
    const char *p = text;

    if (ends_with(path, ".yaml") || ends_with(path, ".yml"))
        return true;
    if (ends_with(path, ".json"))
        return false;
    for (;;) {
        p += strspn(p, " \t\r\n");
        if (*p != '#')
            return *p != '{' && *p != '/';
        p += strcspn(p, "\n");
    }
}

int iq_conf_file_load(const char *path, struct iq_conf_file *ret, char *err, size_t errsz)
{
    struct iq_conf_file f = { 0 };
    char sub[IQ_ERR_MAX], *text = NULL;
    json_t *again = NULL;
    size_t len = 0;
    int r;

    if ((r = iq_file_read(path, IQ_CONF_FILE_MAX, &text, &len, sub, sizeof(sub))) < 0) {
        snprintf(err, errsz, "config %s", sub);
        return r;
    }
    f.yaml = looks_yaml(path, text);
    if (f.yaml) {
        r = iq_yaml_parse(text, len, &f.root, &f.pos, sub, sizeof(sub));
        if (r < 0)
            snprintf(err, errsz, "config %s:%s", path, sub);
    } else if ((r = iq_conf_parse(text, len, path, &f.root, err, errsz)) == 0 &&
               iq_yaml_parse(text, len, &again, &f.pos, NULL, 0) == 0) {
        json_decref(again);  /* read for the lines only (JSON libyaml cannot read has none) */
    }
    free(text);
    if (r == 0 && json_is_null(f.root)) {
        json_decref(f.root);
        f.root = json_object();      /* an empty file: nothing set */
    }
    if (r == 0 && !json_is_object(f.root)) {
        snprintf(err, errsz, "config %s: expected a mapping of keys at the top", path);
        r = -EINVAL;
    }
    if (r == 0 && !(f.path = strdup(path)))
        r = -ENOMEM;
    if (r < 0) {
        iq_conf_file_release(&f);
        return r == -ENOMEM ? r : -EINVAL;
    }
    *ret = f;
    return 0;
}

void iq_conf_file_release(struct iq_conf_file *f)
{
    if (!f)
        return;
    json_decref(f->root);
    iq_yaml_pos_free(&f->pos);
    free(f->path);
    memset(f, 0, sizeof(*f));
}

int iq_conf_load_file(const char *path, json_t **ret, char *err, size_t errsz)
{
    struct iq_conf_file f;
    int r = iq_conf_file_load(path, &f, err, errsz);

    if (r < 0)
        return r;
    *ret = json_incref(f.root);
    iq_conf_file_release(&f);
    return 0;
}

void iq_conf_file_where(const struct iq_conf_file *f, const char *msg, const char *fallback,
                        char *out, size_t outsz)
{
    const char *k = strstr(msg, "config '"), *end;
    char key[256] = "";
    int line = 0;

    if (!f) {
        snprintf(out, outsz, "%s", msg);
        return;
    }
    if (k && (end = strchr(k + 8, '\'')) && (size_t)(end - k - 8) < sizeof(key)) {
        memcpy(key, k + 8, (size_t)(end - k - 8));
        key[end - k - 8] = '\0';
        line = iq_yaml_pos_line(f->pos, key, NULL);
    }
    if (!line && fallback)
        line = iq_yaml_pos_line(f->pos, fallback, NULL);
    if (line)
        snprintf(out, outsz, "%s:%d: %s", f->path, line, msg);
    else
        snprintf(out, outsz, "%s: %s", f->path, msg);
}

/* ---- printing ----------------------------------------------------------- */

/* text as "# " comment lines of at most COMMENT_WIDTH columns. */
static int add_comment(struct iq_buf *b, const char *text, int indent)
{
    const char *p = text;
    int r = 0;

    while (*p && r == 0) {
        size_t room = COMMENT_WIDTH - (size_t)indent - 2, n = strlen(p), cut = n;

        if (n > room) {
            cut = room;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = strcspn(p, " ");
        }
        r = iq_buf_printf(b, "%*s# %.*s\n", indent, "", (int)cut, p);
        p += cut;
        p += strspn(p, " ");
    }
    return r;
}

/* n bytes in the largest unit that divides it exactly. */
static int add_size(struct iq_buf *b, int64_t n)
{
    static const struct { int64_t mult; const char *unit; } u[] = {
        { 1LL << 30, "G" }, { 1LL << 20, "M" }, { 1LL << 10, "k" },
    };

    for (size_t i = 0; n > 0 && i < sizeof(u) / sizeof(u[0]); i++)
        if (n % u[i].mult == 0)
            return iq_buf_printf(b, "%lld%s", (long long)(n / u[i].mult), u[i].unit);
    return iq_buf_printf(b, "%lld", (long long)n);
}

/* ms in the largest unit that divides it exactly. */
static int add_duration(struct iq_buf *b, int64_t ms)
{
    static const struct { int64_t mult; const char *unit; } u[] = {
        { 86400000, "d" }, { 3600000, "h" }, { 60000, "m" }, { 1000, "s" },
    };

    for (size_t i = 0; ms > 0 && i < sizeof(u) / sizeof(u[0]); i++)
        if (ms % u[i].mult == 0)
            return iq_buf_printf(b, "%lld%s", (long long)(ms / u[i].mult), u[i].unit);
    return iq_buf_printf(b, "%lldms", (long long)ms);
}

static const struct iq_conf_sub *find_sub(const struct iq_conf_sub *subs, size_t n,
                                          const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(subs[i].name, name) == 0)
            return &subs[i];
    return NULL;
}

static int add_items(struct iq_buf *b, const struct iq_conf_item *t, const void *base,
                     const struct iq_conf_sub *subs, size_t nsubs, int indent);

/* A section with a table: its keys' effective values, defaults filled. */
static int add_sub(struct iq_buf *b, const struct iq_conf_sub *sub, const json_t *v, int indent)
{
    void *tmp = calloc(1, sub->size);
    int r;

    if (!tmp)
        return -ENOMEM;
    iq_conf_defaults(sub->table, tmp);
    iq_conf_apply_section(sub->table, tmp, v, sub->name, NULL, 0);   /* checked before */
    r = iq_buf_printf(b, "%*s%s:\n", indent, "", sub->name);
    if (r == 0)
        r = add_items(b, sub->table, tmp, NULL, 0, indent + 2);
    iq_conf_release(sub->table, tmp);
    free(tmp);
    return r;
}

/* A JSON item: commented out when unset, else inline or a block. */
static int add_json(struct iq_buf *b, const struct iq_conf_item *it, const json_t *v,
                    const struct iq_conf_sub *sub, int indent)
{
    int r;

    if (sub && (json_is_object(v) || (!v && sub->absent_is_default)))
        return add_sub(b, sub, v, indent);
    if (!v)
        return iq_buf_printf(b, "%*s# %s:\n", indent, "", it->name);
    if ((json_is_object(v) && json_object_size(v)) || (json_is_array(v) && json_array_size(v))) {
        r = iq_buf_printf(b, "%*s%s:\n", indent, "", it->name);
        return r < 0 ? r : iq_yaml_emit(b, v, indent + 2);
    }
    r = iq_buf_printf(b, "%*s%s: ", indent, "", it->name);
    if (r == 0)
        r = json_is_object(v) ? iq_buf_adds(b, "{}") : json_is_array(v) ? iq_buf_adds(b, "[]")
                              : iq_yaml_emit_scalar(b, v);
    return r < 0 ? r : iq_buf_addc(b, '\n');
}

static int add_value(struct iq_buf *b, const struct iq_conf_item *it, const void *base)
{
    const char *field = (const char *)base + it->offset;
    json_t *s;
    int r;

    switch (it->type) {
    case IQ_CONF_STR:
        if (!(s = json_string(*(char *const *)(const void *)field)))
            return -ENOMEM;
        r = iq_yaml_emit_scalar(b, s);
        json_decref(s);
        return r;
    case IQ_CONF_BOOL:
        return iq_buf_adds(b, *(const bool *)(const void *)field ? "true" : "false");
    case IQ_CONF_INT:
        return iq_buf_printf(b, "%lld", (long long)*(const int64_t *)(const void *)field);
    case IQ_CONF_SIZE:
        return add_size(b, (int64_t)*(const size_t *)(const void *)field);
    case IQ_CONF_DURATION:
        return add_duration(b, *(const int64_t *)(const void *)field);
    default:
        return -EINVAL;
    }
}

static int add_items(struct iq_buf *b, const struct iq_conf_item *t, const void *base,
                     const struct iq_conf_sub *subs, size_t nsubs, int indent)
{
    int r = 0;

    for (; t->name && r == 0; t++) {
        const char *field = (const char *)base + t->offset;

        if (indent == 0 && (r = iq_buf_addc(b, '\n')) < 0)
            break;
        if ((r = add_comment(b, t->desc, indent)) < 0)
            break;
        if (t->type == IQ_CONF_JSON)
            r = add_json(b, t, *(json_t *const *)(const void *)field,
                         find_sub(subs, nsubs, t->name), indent);
        else if (t->type == IQ_CONF_STR && !*(char *const *)(const void *)field)
            r = iq_buf_printf(b, "%*s# %s:\n", indent, "", t->name);
        else if ((r = iq_buf_printf(b, "%*s%s: ", indent, "", t->name)) == 0 &&
                 (r = add_value(b, t, base)) == 0)
            r = iq_buf_addc(b, '\n');
    }
    return r;
}

static int write_out(FILE *f, struct iq_buf *b, int r)
{
    if (r == 0 && b->len && fwrite(b->p, 1, b->len, f) != b->len)
        r = -EIO;
    iq_buf_free(b);
    return r == -ENOBUFS ? -ENOMEM : r;
}

int iq_conf_print_yaml(FILE *f, const struct iq_conf_item *t, const void *base,
                       const struct iq_conf_sub *subs, size_t n)
{
    struct iq_buf b;

    iq_buf_init(&b, PRINT_MAX);
    return write_out(f, &b, add_items(&b, t, base, subs, n, 0));
}

void iq_conf_print_sample(FILE *f, const struct iq_conf_item *t, int indent)
{
    struct iq_buf b;
    json_t *s;
    int r = 0;

    iq_buf_init(&b, PRINT_MAX);
    for (; t->name && r == 0; t++) {
        if ((r = add_comment(&b, t->desc, indent)) < 0)
            break;
        if (!t->def) {
            r = iq_buf_printf(&b, "%*s# %s:\n", indent, "", t->name);
        } else if (t->type != IQ_CONF_STR) {
            r = iq_buf_printf(&b, "%*s%s: %s\n", indent, "", t->name, t->def);
        } else if ((r = iq_buf_printf(&b, "%*s%s: ", indent, "", t->name)) == 0) {
            s = json_string(t->def);
            r = s ? iq_yaml_emit_scalar(&b, s) : -ENOMEM;
            json_decref(s);
            if (r == 0)
                r = iq_buf_addc(&b, '\n');
        }
    }
    write_out(f, &b, r);
}
