/* pm_front.c - YAML front matter with libyaml's document loader (see
 * pm_front.h).
 *
 * Design notes:
 * - The block is cut out of the document by its "---" lines first and only
 *   that text goes to libyaml, so a body that happens to hold "---" lines
 *   (thematic breaks) is never read as more YAML.  Positions are counted
 *   again from libyaml's character index, in lines ended by '\n' as the
 *   rest of inquest counts them (libyaml also breaks lines at a lone
 *   '\r'); the block starts on the file's line 2.
 * - The loader resolves aliases to shared nodes; converting them to JSON
 *   copies each use, so the conversion counts nodes (PM_FRONT_NODES) and
 *   depth (PM_FRONT_DEPTH): a "billion laughs" block is refused, not
 *   expanded.
 * - Scalars stay strings: YAML 1.1 would read "no" as false and 2026-11-03
 *   as a timestamp, and a postmortem's owner called "Norway" or a date in
 *   any form is for pm_doc.c to judge with the key in mind. */
#include "pm_front.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

struct conv {
    const char *yaml;              /* the block, for positions */
    size_t len;
    yaml_document_t *doc;
    unsigned nodes;
    struct pm_problem *prob;
};

static int fail(struct pm_problem *prob, int r, unsigned line, unsigned col, const char *fmt,
                const char *a)
{
    prob->line = line;
    prob->col = col;
    snprintf(prob->msg, sizeof(prob->msg), fmt, a);
    return r;
}

/* Length of the line at p (without its terminator) and the offset of the
 * next line. */
static size_t line_end(const char *s, size_t len, size_t i, size_t *ret_next)
{
    size_t j = i;

    while (j < len && s[j] != '\n')
        j++;
    *ret_next = j < len ? j + 1 : j;
    if (j > i && s[j - 1] == '\r')
        j--;
    return j - i;
}

/* Is the line [i, i+n) the delimiter d ("---" or "..."), trailing blanks
 * allowed? */
static bool is_delim(const char *s, size_t i, size_t n, const char *d)
{
    if (n < 3 || memcmp(s + i, d, 3) != 0)
        return false;
    for (size_t k = 3; k < n; k++)
        if (s[i + k] != ' ' && s[i + k] != '\t')
            return false;
    return true;
}

/* The file position of libyaml's mark in the block yaml (len bytes): the
 * mark's index counts characters; lines end at '\n'. */
static void position(const char *yaml, size_t len, const yaml_mark_t *m, unsigned *ret_line,
                     unsigned *ret_col)
{
    unsigned line = 2, col = 1;
    size_t chars = 0;

    for (size_t i = 0; i < len && chars < m->index; i++) {
        if (((unsigned char)yaml[i] & 0xc0) == 0x80)
            continue;   /* a continuation byte: same character */
        chars++;
        if (yaml[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    *ret_line = line;
    *ret_col = col;
}

static json_t *convert(struct conv *c, yaml_node_t *node, int depth);

static json_t *scalar(const yaml_node_t *node)
{
    const char *v = (const char *)node->data.scalar.value;
    size_t n = node->data.scalar.length;

    if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        (n == 0 || (n == 1 && v[0] == '~') ||
         (n == 4 && (!memcmp(v, "null", 4) || !memcmp(v, "Null", 4) || !memcmp(v, "NULL", 4)))))
        return json_null();
    return json_stringn(v, n);
}

static json_t *sequence(struct conv *c, yaml_node_t *node, int depth)
{
    json_t *arr = json_array();

    for (yaml_node_item_t *it = node->data.sequence.items.start;
         arr && it < node->data.sequence.items.top; it++) {
        json_t *v = convert(c, yaml_document_get_node(c->doc, *it), depth + 1);

        if (!v || json_array_append_new(arr, v) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* A mapping; keys must be scalars and unique.  lines (may be NULL) gets
 * each key's line. */
static json_t *mapping(struct conv *c, yaml_node_t *node, int depth, json_t *lines)
{
    json_t *obj = json_object();

    for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
         obj && p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        unsigned line, col;
        char key[128];
        json_t *v;

        position(c->yaml, c->len, &k->start_mark, &line, &col);
        if (k->type != YAML_SCALAR_NODE || k->data.scalar.length == 0 ||
            k->data.scalar.length >= sizeof(key)) {
            fail(c->prob, -EINVAL, line, col, "front matter: a key must be a short string%s", "");
            goto bad;
        }
        memcpy(key, k->data.scalar.value, k->data.scalar.length);
        key[k->data.scalar.length] = '\0';
        if (strlen(key) != k->data.scalar.length || json_object_get(obj, key)) {
            fail(c->prob, -EINVAL, line, col, "front matter: duplicate key '%s'", key);
            goto bad;
        }
        if (!(v = convert(c, yaml_document_get_node(c->doc, p->value), depth + 1)) ||
            json_object_set_new(obj, key, v) < 0 ||
            (lines && json_object_set_new(lines, key, json_integer(line)) < 0))
            goto bad;
    }
    return obj;
bad:
    json_decref(obj);
    return NULL;
}

/* NULL on failure: prob says why when it has a message, else OOM. */
static json_t *convert(struct conv *c, yaml_node_t *node, int depth)
{
    unsigned line, col;

    if (!node)
        return NULL;
    position(c->yaml, c->len, &node->start_mark, &line, &col);
    if (++c->nodes > PM_FRONT_NODES || depth > PM_FRONT_DEPTH) {
        fail(c->prob, -E2BIG, line, col, "front matter: too many or too deeply nested values%s",
             " (aliases?)");
        return NULL;
    }
    switch (node->type) {
    case YAML_SCALAR_NODE:
        return scalar(node);
    case YAML_SEQUENCE_NODE:
        return sequence(c, node, depth);
    case YAML_MAPPING_NODE:
        return mapping(c, node, depth, NULL);
    default:
        return json_null();
    }
}

/* libyaml's reason as a problem at the file's position. */
static int yaml_problem(const yaml_parser_t *p, const char *yaml, size_t len,
                        struct pm_problem *prob)
{
    char what[PM_PROBLEM_MAX - 64];
    unsigned line, col;

    if (p->error == YAML_MEMORY_ERROR)
        return -ENOMEM;
    position(yaml, len, &p->problem_mark, &line, &col);
    snprintf(what, sizeof(what), "%s%s%s", p->problem ? p->problem : "malformed",
             p->context ? " " : "", p->context ? p->context : "");
    return fail(prob, -EINVAL, line, col, "front matter is not valid YAML: %s", what);
}

/* Load the block (yaml, n bytes) into f. */
static int load(const char *yaml, size_t n, struct pm_front *f, struct pm_problem *prob)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_node_t *root;
    struct conv c = { .yaml = yaml, .len = n, .doc = &doc, .prob = prob };
    unsigned line, col;
    int r = 0;

    if (!yaml_parser_initialize(&parser))
        return -ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, n);
    if (!yaml_parser_load(&parser, &doc)) {
        r = yaml_problem(&parser, yaml, n, prob);
        yaml_parser_delete(&parser);
        return r;
    }
    root = yaml_document_get_root_node(&doc);
    if (!root) {
        f->values = json_object();       /* an empty block */
    } else if (root->type != YAML_MAPPING_NODE) {
        position(yaml, n, &root->start_mark, &line, &col);
        r = fail(prob, -EINVAL, line, col, "front matter must be a mapping of keys to values%s", "");
    } else if ((f->lines = json_object())) {
        prob->msg[0] = '\0';
        c.nodes = 1;
        f->values = mapping(&c, root, 0, f->lines);
        if (!f->values)
            r = prob->msg[0] ? (c.nodes > PM_FRONT_NODES ? -E2BIG : -EINVAL) : -ENOMEM;
    }
    if (r == 0 && (!f->values || (!f->lines && !(f->lines = json_object()))))
        r = -ENOMEM;
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return r;
}

int pm_front_parse(const char *text, size_t len, struct pm_front *ret, struct pm_problem *prob)
{
    struct pm_front f = { 0 };
    size_t i = 0, next, n, start;
    unsigned line = 1;
    int r;

    memset(ret, 0, sizeof(*ret));
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    n = line_end(text, len, i, &next);
    if (!is_delim(text, i, n, "---"))
        return 1;
    start = i = next;
    for (;;) {
        if (i >= len)
            return fail(prob, -EINVAL, 1, 1, "front matter opened by '---' is not closed "
                        "(no '---' or '...' line after it)%s", "");
        n = line_end(text, len, i, &next);
        line++;
        if (is_delim(text, i, n, "---") || is_delim(text, i, n, "..."))
            break;
        i = next;
    }
    if (i - start > PM_FRONT_MAX)
        return fail(prob, -E2BIG, 1, 1, "front matter is over %s bytes", "65536");
    if ((r = load(text + start, i - start, &f, prob)) < 0) {
        pm_front_clear(&f);
        return r;
    }
    f.body_off = next;
    f.body_line = line + 1;
    *ret = f;
    return 0;
}

void pm_front_clear(struct pm_front *f)
{
    json_decref(f->values);
    json_decref(f->lines);
    f->values = f->lines = NULL;
}

unsigned pm_front_line(const struct pm_front *f, const char *key)
{
    json_int_t l = json_integer_value(json_object_get(f->lines, key));

    return l > 0 ? (unsigned)l : 1;
}
