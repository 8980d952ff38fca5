/* ana_classes.c - load, validate and compile taxonomies of failure classes.
 *
 * A taxonomy document is {"classes": [CLASS...]} where CLASS is
 *   {"name": "dns", "title": "DNS", "threshold": 0.5, "disabled": false,
 *    "rules": [{"id", "pattern", "fields", "kinds", "weight", "case_sensitive", "lang"}],
 *    "conditions": [{"id", "kinds", "actions", "before_impact", "after_impact", "weight"}]}
 * docs/analysis.md describes every key.  Documents are added in order: the
 * default schemas/classes.json first, then a team's file or config section,
 * whose classes replace those of the same name.
 *
 * Design notes:
 * - A whole document is compiled into a scratch list first and merged only
 *   when every class of it is valid, so a bad override never leaves half a
 *   taxonomy behind; the error names the document, the class, the rule and
 *   for pcre2 errors the offset in the pattern.
 * - Patterns are compiled in UTF-8 mode with Unicode properties (PCRE2_UCP,
 *   so \b and \w work for Japanese text too) and caseless unless the rule
 *   says otherwise, then JIT-compiled; a JIT failure (no JIT on the
 *   platform) is not an error, pcre2_match falls back to the interpreter.
 * - One match context holds the match and depth limits for every rule. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ana_classes_int.h"
#include "ana_memo.h"
#include "iq_event.h"
#include "iq_paths.h"
#include "iq_time.h"


/* Error context while one document is compiled. */
struct load_ctx {
    const char *origin;
    char *err;
    size_t errsz;
};

static int fail(const struct load_ctx *lc, const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Write "origin: class 'cls': <message>" into the error buffer; -EINVAL. */
static int fail(const struct load_ctx *lc, const char *cls, const char *fmt, ...)
{
    char msg[IQ_ERR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (lc->err && lc->errsz) {
        if (cls)
            snprintf(lc->err, lc->errsz, "%s: class '%s': %s", lc->origin, cls, msg);
        else
            snprintf(lc->err, lc->errsz, "%s: %s", lc->origin, msg);
    }
    return -EINVAL;
}

static void rule_free(struct ana_rule *r)
{
    free(r->id);
    pcre2_code_free(r->re);
    for (size_t i = 0; i < r->n_labels; i++)
        free(r->labels[i]);
    memset(r, 0, sizeof(*r));
}

static void cond_free(struct ana_cond *c)
{
    free(c->id);
    for (size_t i = 0; i < c->n_actions; i++)
        free(c->actions[i]);
    memset(c, 0, sizeof(*c));
}

static void class_free(struct ana_class *k)
{
    for (size_t i = 0; i < k->n_rules; i++)
        rule_free(&k->rules[i]);
    for (size_t i = 0; i < k->n_conds; i++)
        cond_free(&k->conds[i]);
    free(k->rules);
    free(k->conds);
    free(k->name);
    free(k->title);
    memset(k, 0, sizeof(*k));
}

int ana_classes_new(struct ana_classes **ret)
{
    struct ana_classes *c = calloc(1, sizeof(*c));

    if (!c)
        return -ENOMEM;
    c->mctx = iq_re_context_new(iq_re_limits_of(IQ_RE_CLASSES));
    if (!c->mctx || ana_memo_new(&c->memo) < 0) {
        pcre2_match_context_free(c->mctx);
        free(c);
        return -ENOMEM;
    }
    atomic_init(&c->refs, 1);
    *ret = c;
    return 0;
}

void ana_classes_destroy(struct ana_classes **pc)
{
    struct ana_classes *c = pc ? *pc : NULL;

    if (!c)
        return;
    *pc = NULL;
    if (atomic_fetch_sub(&c->refs, 1) > 1)
        return;                          /* another holder still reads it */
    for (size_t i = 0; i < c->n; i++)
        class_free(&c->v[i]);
    free(c->v);
    pcre2_match_context_free(c->mctx);
    ana_memo_free(&c->memo);
    free(c);
}

struct ana_classes *ana_classes_ref(const struct ana_classes *c)
{
    struct ana_classes *m = (struct ana_classes *)c;

    if (m)
        atomic_fetch_add(&m->refs, 1);
    return m;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > ANA_CLASS_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_' || s[i] == '.'))
            return false;
    return true;
}

/* Read an optional weight or threshold in (0, 1]; def when absent. */
static int get_unit(const struct load_ctx *lc, const char *cls, const json_t *o,
                    const char *key, const char *what, double def, double *ret)
{
    const json_t *v = json_object_get(o, key);

    if (!v) {
        *ret = def;
        return 0;
    }
    if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > 1)
        return fail(lc, cls, "%s: '%s' must be a number in (0, 1]", what, key);
    *ret = json_number_value(v);
    return 0;
}

/* "kinds": ["deploy", ...] into a bit set over iq_kinds[]. */
static int get_kinds(const struct load_ctx *lc, const char *cls, const char *what,
                     const json_t *o, uint32_t *ret)
{
    const json_t *a = json_object_get(o, "kinds"), *v;
    uint32_t set = 0;
    size_t i;

    if (!a) {
        *ret = 0;
        return 0;
    }
    if (!json_is_array(a))
        return fail(lc, cls, "%s: 'kinds' must be an array of event kinds", what);
    json_array_foreach(a, i, v) {
        size_t k;

        for (k = 0; json_is_string(v) && iq_kinds[k]; k++)
            if (strcmp(iq_kinds[k], json_string_value(v)) == 0)
                break;
        if (!json_is_string(v) || !iq_kinds[k])
            return fail(lc, cls, "%s: 'kinds'[%zu] is not an event kind", what, i);
        set |= 1u << k;
    }
    *ret = set;
    return 0;
}

/* "fields": ["title", "text", "label:alertname"]; by default title, text
 * and the labels alertname, summary and description. */
static int get_fields(const struct load_ctx *lc, const char *cls, const json_t *o,
                      struct ana_rule *r)
{
    const json_t *a = json_object_get(o, "fields"), *v;
    size_t i;

    if (!a) {
        static const char *const deflabels[] = { "alertname", "summary", "description" };

        r->fields = (1u << IQ_F_TITLE) | (1u << IQ_F_TEXT);
        for (i = 0; i < sizeof(deflabels) / sizeof(deflabels[0]); i++)
            if (!(r->labels[r->n_labels++] = strdup(deflabels[i])))
                return -ENOMEM;
        return 0;
    }
    if (!json_is_array(a) || json_array_size(a) == 0)
        return fail(lc, cls, "rule '%s': 'fields' must be a non-empty array", r->id);
    json_array_foreach(a, i, v) {
        const char *s = json_string_value(v);
        int f;

        if (!s)
            return fail(lc, cls, "rule '%s': 'fields'[%zu] is not a string", r->id, i);
        if (strncmp(s, "label:", 6) == 0 && s[6]) {
            if (r->n_labels >= ANA_LABELS_PER_RULE)
                return fail(lc, cls, "rule '%s': more than %d labels", r->id,
                            ANA_LABELS_PER_RULE);
            if (!(r->labels[r->n_labels] = strdup(s + 6)))
                return -ENOMEM;
            r->n_labels++;
            continue;
        }
        f = iq_field_lookup(s);
        if (f < 0 || f == IQ_F_ID)
            return fail(lc, cls, "rule '%s': unknown field \"%.64s\" (an event field or "
                        "label:NAME)", r->id, s);
        r->fields |= 1u << f;
    }
    return 0;
}

static int compile_rule(const struct load_ctx *lc, const char *cls, const json_t *o,
                        struct ana_rule *r)
{
    const char *pat = json_string_value(json_object_get(o, "pattern"));
    const char *id = json_string_value(json_object_get(o, "id"));
    uint32_t opts = PCRE2_UTF | PCRE2_UCP;
    struct iq_re_error e;
    int rc;

    if (!json_is_object(o))
        return fail(lc, cls, "a rule is not an object");
    if (!id || !*id || strlen(id) > 128)
        return fail(lc, cls, "a rule has no 'id' (a string of 1-128 bytes)");
    if (!(r->id = strdup(id)))
        return -ENOMEM;
    if (!pat || !*pat || strlen(pat) > ANA_PATTERN_MAX)
        return fail(lc, cls, "rule '%s': 'pattern' must be a string of 1-%d bytes", id,
                    ANA_PATTERN_MAX);
    if (!json_is_true(json_object_get(o, "case_sensitive")))
        opts |= PCRE2_CASELESS;
    if ((rc = get_fields(lc, cls, o, r)) < 0 || (rc = get_kinds(lc, cls, id, o, &r->kinds)) < 0 ||
        (rc = get_unit(lc, cls, o, "weight", id, 0.7, &r->weight)) < 0)
        return rc;
    if ((rc = iq_re_compile(pat, PCRE2_ZERO_TERMINATED, opts, &r->re, &e)) < 0) {
        if (e.jit)
            return fail(lc, cls, "rule '%s': pcre2 JIT compilation failed: %s", id, e.msg);
        return fail(lc, cls, "rule '%s': pcre2 error at offset %zu: %s", id, e.offset, e.msg);
    }
    return 0;
}

static int compile_cond(const struct load_ctx *lc, const char *cls, const json_t *o,
                        struct ana_cond *c)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    const json_t *acts = json_object_get(o, "actions"), *v;
    const char *keys[2] = { "before_impact", "after_impact" };
    int64_t *dst[2] = { &c->before_ms, &c->after_ms };
    size_t i;
    int rc;

    if (!json_is_object(o))
        return fail(lc, cls, "a condition is not an object");
    if (!id || !*id || strlen(id) > 128)
        return fail(lc, cls, "a condition has no 'id' (a string of 1-128 bytes)");
    if (!(c->id = strdup(id)))
        return -ENOMEM;
    if ((rc = get_kinds(lc, cls, id, o, &c->kinds)) < 0 ||
        (rc = get_unit(lc, cls, o, "weight", id, 0.3, &c->weight)) < 0)
        return rc;
    if (!c->kinds)
        return fail(lc, cls, "condition '%s': 'kinds' is required", id);
    for (i = 0; i < 2; i++) {
        const json_t *d = json_object_get(o, keys[i]);

        *dst[i] = 0;
        if (d && (!json_is_string(d) || iq_duration_parse(json_string_value(d), dst[i]) < 0))
            return fail(lc, cls, "condition '%s': '%s' is not a duration such as \"30m\"", id,
                        keys[i]);
    }
    if (c->before_ms == 0 && c->after_ms == 0)
        return fail(lc, cls, "condition '%s': give 'before_impact' or 'after_impact'", id);
    if (acts && (!json_is_array(acts) || json_array_size(acts) > ANA_ACTIONS_PER_COND))
        return fail(lc, cls, "condition '%s': 'actions' must be an array of at most %d strings",
                    id, ANA_ACTIONS_PER_COND);
    json_array_foreach(acts, i, v) {
        if (!json_is_string(v))
            return fail(lc, cls, "condition '%s': 'actions'[%zu] is not a string", id, i);
        if (!(c->actions[c->n_actions] = strdup(json_string_value(v))))
            return -ENOMEM;
        c->n_actions++;
    }
    return 0;
}

/* Compile the rules (or conditions) array key of class object o. */
static int compile_list(const struct load_ctx *lc, struct ana_class *k, const json_t *o,
                        bool rules)
{
    const json_t *a = json_object_get(o, rules ? "rules" : "conditions"), *v;
    size_t i, n = json_array_size(a);
    int rc;

    if (a && !json_is_array(a))
        return fail(lc, k->name, "'%s' must be an array", rules ? "rules" : "conditions");
    if (n > ANA_RULES_MAX)
        return fail(lc, k->name, "more than %d %s", ANA_RULES_MAX, rules ? "rules" : "conditions");
    if (n == 0)
        return 0;
    if (rules && !(k->rules = calloc(n, sizeof(*k->rules))))
        return -ENOMEM;
    if (!rules && !(k->conds = calloc(n, sizeof(*k->conds))))
        return -ENOMEM;
    json_array_foreach(a, i, v) {
        if (rules) {
            k->n_rules++;
            rc = compile_rule(lc, k->name, v, &k->rules[i]);
        } else {
            k->n_conds++;
            rc = compile_cond(lc, k->name, v, &k->conds[i]);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Compile class object o into k (zeroed).  A disabled class sets *disabled
 * and needs only its name. */
static int compile_class(const struct load_ctx *lc, const json_t *o, size_t ix,
                         struct ana_class *k, bool *disabled)
{
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *title = json_string_value(json_object_get(o, "title"));
    int rc;

    if (!json_is_object(o))
        return fail(lc, NULL, "classes[%zu] is not an object", ix);
    if (!name || !valid_name(name))
        return fail(lc, NULL, "classes[%zu]: 'name' must match ^[a-z][a-z0-9_.-]*$ "
                    "(at most %d bytes)", ix, ANA_CLASS_NAME_MAX);
    if (!(k->name = strdup(name)))
        return -ENOMEM;
    *disabled = json_is_true(json_object_get(o, "disabled"));
    if (*disabled)
        return 0;
    if (!(k->title = strdup(title ? title : name)))
        return -ENOMEM;
    if ((rc = get_unit(lc, name, o, "threshold", "class", ANA_DEFAULT_THRESHOLD,
                       &k->threshold)) < 0 ||
        (rc = compile_list(lc, k, o, true)) < 0 || (rc = compile_list(lc, k, o, false)) < 0)
        return rc;
    if (k->n_rules == 0 && k->n_conds == 0)
        return fail(lc, name, "no rules and no conditions");
    return 0;
}

static ssize_t find_class(const struct ana_class *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return (ssize_t)i;
    return -1;
}

/* Move the compiled classes of one document into c: replace by name,
 * remove the disabled ones, append the rest.  Cannot fail: c->v was grown
 * to hold every addition beforehand. */
static void merge(struct ana_classes *c, struct ana_class *add, const bool *off, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ssize_t at = find_class(c->v, c->n, add[i].name);

        if (at >= 0) {
            class_free(&c->v[at]);
            if (off[i]) {
                memmove(&c->v[at], &c->v[at + 1], (c->n - (size_t)at - 1) * sizeof(*c->v));
                c->n--;
                class_free(&add[i]);
                continue;
            }
            c->v[at] = add[i];
        } else if (off[i]) {
            class_free(&add[i]);
            continue;
        } else {
            c->v[c->n++] = add[i];
        }
        memset(&add[i], 0, sizeof(add[i]));
    }
}

int ana_classes_add_json(struct ana_classes *c, const json_t *doc, const char *origin,
                         char *err, size_t errsz)
{
    struct load_ctx lc = { .origin = origin ? origin : "classes", .err = err, .errsz = errsz };
    const json_t *arr = json_is_array(doc) ? doc : json_object_get(doc, "classes"), *v;
    struct ana_class *add = NULL, *grown;
    bool *off = NULL;
    size_t i, n = json_array_size(arr);
    int rc = 0;

    if (!json_is_array(arr))
        return fail(&lc, NULL, "expected {\"classes\": [...]} or an array of classes");
    if (n > ANA_CLASSES_MAX || c->n + n > ANA_CLASSES_MAX)
        return fail(&lc, NULL, "more than %d classes", ANA_CLASSES_MAX);
    if (n == 0)
        return 0;
    add = calloc(n, sizeof(*add));
    off = calloc(n, sizeof(*off));
    if (!add || !off) {
        rc = -ENOMEM;
        goto out;
    }
    json_array_foreach(arr, i, v) {
        if ((rc = compile_class(&lc, v, i, &add[i], &off[i])) < 0)
            goto out;
        if (find_class(add, i, add[i].name) >= 0) {
            rc = fail(&lc, add[i].name, "defined twice");
            goto out;
        }
    }
    grown = realloc(c->v, (c->n + n) * sizeof(*c->v));
    if (!grown) {
        rc = -ENOMEM;
        goto out;
    }
    c->v = grown;
    merge(c, add, off, n);
    ana_memo_clear(c->memo);   /* what it remembers was computed with other classes */
    rc = (int)n;
out:
    for (i = 0; add && i < n; i++)
        class_free(&add[i]);
    free(add);
    free(off);
    if (rc == -ENOMEM && err && errsz)
        snprintf(err, errsz, "%s: out of memory", lc.origin);
    return rc;
}

int ana_classes_add_file(struct ana_classes *c, const char *path, char *err, size_t errsz)
{
    json_error_t je;
    struct stat sb;
    json_t *doc;
    int rc;

    if (stat(path, &sb) < 0) {
        rc = -errno;
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return rc;
    }
    if (!S_ISREG(sb.st_mode) || (size_t)sb.st_size > ANA_CLASSES_FILE_MAX) {
        snprintf(err, errsz, "%s: not a regular file of at most %u bytes", path,
                 ANA_CLASSES_FILE_MAX);
        return -E2BIG;
    }
    doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        snprintf(err, errsz, "%s: line %d column %d: %s", path, je.line, je.column, je.text);
        return -EINVAL;
    }
    rc = ana_classes_add_json(c, doc, path, err, errsz);
    json_decref(doc);
    return rc;
}

static bool is_file(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int ana_classes_default_path(char *buf, size_t size, char *err, size_t errsz)
{
    int r = iq_schemas_find("classes.json", buf, size, err, errsz);

    if (r == 0 && !is_file(buf)) {
        snprintf(err, errsz, "%s: not a regular file", buf);
        return -ENOENT;
    }
    return r;
}

int ana_classes_load(const char *extra_path, const json_t *overrides, struct ana_classes **ret,
                     char *err, size_t errsz)
{
    struct ana_classes *c = NULL;
    char path[4096];
    int rc;

    if ((rc = ana_classes_default_path(path, sizeof(path), err, errsz)) < 0)
        return rc;
    if ((rc = ana_classes_new(&c)) < 0)
        return rc;
    if ((rc = ana_classes_add_file(c, path, err, errsz)) < 0 ||
        (overrides && (rc = ana_classes_add_json(c, overrides, "config 'classes'", err,
                                                 errsz)) < 0) ||
        (extra_path && (rc = ana_classes_add_file(c, extra_path, err, errsz)) < 0))
        goto out;
    *ret = c;
    c = NULL;
    rc = 0;
out:
    ana_classes_destroy(&c);
    return rc;
}

int ana_classes_load_config(const char *config_path, const char *extra_path,
                            struct ana_classes **ret, char *err, size_t errsz)
{
    json_t *cfg = NULL;
    json_error_t je;
    int rc;

    if (config_path) {
        cfg = json_load_file(config_path, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(cfg)) {
            snprintf(err, errsz, "%s: %s", config_path, cfg ? "not a JSON object" : je.text);
            json_decref(cfg);
            return -EINVAL;
        }
    }
    rc = ana_classes_load(extra_path, json_object_get(cfg, "classes"), ret, err, errsz);
    json_decref(cfg);
    return rc;
}

size_t ana_classes_count(const struct ana_classes *c)
{
    return c ? c->n : 0;
}

const char *ana_classes_name(const struct ana_classes *c, size_t i)
{
    return c && i < c->n ? c->v[i].name : NULL;
}

bool ana_classes_has(const struct ana_classes *c, const char *name)
{
    return c && name && find_class(c->v, c->n, name) >= 0;
}
