/* wh_source.c - loading and validating the source mapping files
 * (schemas/sources/NAME.json) and their secrets.
 *
 * Design notes.  Every file is parsed strictly at start-up: unknown keys,
 * wrong types, bad templates, unknown time formats and duplicate paths are
 * errors naming the file and the key ("github.json: rules[2].event.at:
 * ..."), so a mapping mistake stops the daemon before it acknowledges a
 * single delivery.  The compiled sources are immutable afterwards and are
 * shared without locks by the HTTP threads.  Secrets come from the
 * config's "sources" section first, then from INQUEST_<NAME>_SECRET or
 * INQUEST_<NAME>_TOKEN in the environment. */
#include "wh_source_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#define FILE_MAX (1024 * 1024)

#define FAIL(code, ...) do { snprintf(err, errsz, __VA_ARGS__); r = (code); goto out; } while (0)

static void rule_release(struct wh_rule *ru)
{
    free(ru->name);
    wh_conds_destroy(&ru->when);
    wh_ref_destroy(&ru->each);
    wh_tmpl_destroy(&ru->ignore);
    for (size_t i = 0; i < ru->n_reply; i++) {
        free(ru->reply[i].key);
        wh_tmpl_destroy(&ru->reply[i].tmpl);
    }
    free(ru->reply);
    for (size_t i = 0; i < IQ_F_NSTR; i++)
        wh_value_destroy(&ru->fields[i]);
    wh_value_destroy(&ru->at);
    wh_value_destroy(&ru->ends_at);
    for (size_t i = 0; i < ru->n_labels; i++) {
        free(ru->labels[i].key);
        wh_value_destroy(&ru->labels[i].value);
    }
    free(ru->labels);
    for (size_t i = 0; i < ru->n_from; i++) {
        wh_ref_destroy(&ru->from[i].ref);
        free(ru->from[i].prefix);
    }
    free(ru->from);
}

static void src_release(struct wh_src *s)
{
    free(s->name);
    free(s->path);
    free(s->file);
    wh_auth_release(&s->auth);
    for (size_t i = 0; i < s->n_rules; i++)
        rule_release(&s->rules[i]);
    free(s->rules);
    memset(s, 0, sizeof(*s));
}

void wh_sources_destroy(struct wh_sources **ps)
{
    struct wh_sources *s = *ps;

    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        src_release(&s->src[i]);
    free(s);
    *ps = NULL;
}

static int compile_labels(struct wh_rule *ru, const json_t *obj, char *err, size_t errsz)
{
    const char *key;
    json_t *v;
    char sub[IQ_ERR_MAX];
    int r;

    if (!json_is_object(obj) || json_object_size(obj) > IQ_LABELS_MAX) {
        snprintf(err, errsz, "labels: expected an object of at most %d templates", IQ_LABELS_MAX);
        return -EINVAL;
    }
    ru->labels = calloc(json_object_size(obj) + 1, sizeof(*ru->labels));
    if (!ru->labels)
        return -ENOMEM;
    json_object_foreach((json_t *)obj, key, v) {
        struct wh_label_spec *l = &ru->labels[ru->n_labels++];

        if (!(l->key = strdup(key)))
            return -ENOMEM;
        if ((r = wh_value_compile(v, false, &l->value, sub, sizeof(sub))) < 0) {
            snprintf(err, errsz, "labels.%s: %.250s", key, sub);
            return r;
        }
    }
    return 0;
}

static int compile_from(struct wh_rule *ru, const json_t *arr, char *err, size_t errsz)
{
    char sub[IQ_ERR_MAX];
    int r;

    if (!json_is_array(arr) || json_array_size(arr) > 8) {
        snprintf(err, errsz, "labels_from: expected a list of at most 8 {\"path\", \"prefix\"}");
        return -EINVAL;
    }
    ru->from = calloc(json_array_size(arr) + 1, sizeof(*ru->from));
    if (!ru->from)
        return -ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *path = json_string_value(json_object_get(e, "path"));
        const char *prefix = json_string_value(json_object_get(e, "prefix"));
        struct wh_labels_from *f = &ru->from[ru->n_from++];

        if (!path || json_object_size(e) != (prefix ? 2u : 1u)) {
            snprintf(err, errsz, "labels_from[%zu]: expected {\"path\": \"@.x\", \"prefix\": "
                     "\"...\"} (prefix optional)", i);
            return -EINVAL;
        }
        if ((r = wh_ref_compile(path, &f->ref, sub, sizeof(sub))) < 0) {
            snprintf(err, errsz, "labels_from[%zu].path: %.250s", i, sub);
            return r;
        }
        if (!(f->prefix = strdup(prefix ? prefix : "")))
            return -ENOMEM;
    }
    return 0;
}

/* Compile the "event" object of a rule. */
static int compile_event(struct wh_rule *ru, const json_t *ev, char *err, size_t errsz)
{
    char sub[IQ_ERR_MAX];
    const char *key;
    json_t *v;
    int r = 0, f;

    if (!json_is_object(ev)) {
        snprintf(err, errsz, "event: expected an object");
        return -EINVAL;
    }
    ru->has_event = true;
    json_object_foreach((json_t *)ev, key, v) {
        sub[0] = '\0';
        if (strcmp(key, "at") == 0)
            r = wh_value_compile(v, true, &ru->at, sub, sizeof(sub));
        else if (strcmp(key, "ends_at") == 0)
            r = wh_value_compile(v, true, &ru->ends_at, sub, sizeof(sub));
        else if (strcmp(key, "labels") == 0)
            r = compile_labels(ru, v, sub, sizeof(sub));
        else if (strcmp(key, "labels_from") == 0)
            r = compile_from(ru, v, sub, sizeof(sub));
        else if (strcmp(key, "raw") == 0 && json_is_string(v) &&
                 (!strcmp(json_string_value(v), "@") || !strcmp(json_string_value(v), "$") ||
                  !strcmp(json_string_value(v), "none")))
            ru->raw = !strcmp(json_string_value(v), "@") ? WH_RAW_ITEM
                      : !strcmp(json_string_value(v), "$") ? WH_RAW_ROOT : WH_RAW_NONE;
        else if ((f = iq_field_lookup(key)) >= 0 && f != IQ_F_SOURCE)
            r = wh_value_compile(v, false, &ru->fields[f], sub, sizeof(sub));
        else {
            snprintf(err, errsz, "event: unknown key '%s' (canonical string fields except "
                     "source, at, ends_at, labels, labels_from, raw)", key);
            return -EINVAL;
        }
        if (r < 0) {
            snprintf(err, errsz, "event.%s: %.250s", key, sub);
            return r;
        }
    }
    if (!ru->fields[IQ_F_ID] || !ru->fields[IQ_F_KIND] || !ru->fields[IQ_F_ACTION] || !ru->at) {
        snprintf(err, errsz, "event: 'id', 'kind', 'action' and 'at' are required");
        return -EINVAL;
    }
    return 0;
}

static int compile_reply(struct wh_rule *ru, const json_t *obj, char *err, size_t errsz)
{
    const char *key;
    json_t *v;
    int r;

    if (!json_is_object(obj) || json_object_size(obj) > 16) {
        snprintf(err, errsz, "reply: expected an object of at most 16 templates");
        return -EINVAL;
    }
    ru->reply = calloc(json_object_size(obj) + 1, sizeof(*ru->reply));
    if (!ru->reply)
        return -ENOMEM;
    json_object_foreach((json_t *)obj, key, v) {
        struct wh_reply_spec *rs = &ru->reply[ru->n_reply++];

        if (!json_is_string(v)) {
            snprintf(err, errsz, "reply.%s: expected a template string", key);
            return -EINVAL;
        }
        if (!(rs->key = strdup(key)))
            return -ENOMEM;
        if ((r = wh_tmpl_compile(json_string_value(v), &rs->tmpl, err, errsz)) < 0)
            return r;
    }
    return 0;
}

static int compile_rule(struct wh_rule *ru, const json_t *obj, char *err, size_t errsz)
{
    const char *key;
    json_t *v;
    int r = 0, actions = 0;

    if (!json_is_object(obj)) {
        snprintf(err, errsz, "expected an object");
        return -EINVAL;
    }
    json_object_foreach((json_t *)obj, key, v) {
        if (strcmp(key, "name") == 0 && json_is_string(v))
            r = (ru->name = strdup(json_string_value(v))) ? 0 : -ENOMEM;
        else if (strcmp(key, "when") == 0)
            r = wh_conds_compile(v, &ru->when, err, errsz);
        else if (strcmp(key, "each") == 0 && json_is_string(v))
            r = wh_ref_compile(json_string_value(v), &ru->each, err, errsz);
        else if (strcmp(key, "ignore") == 0 && json_is_string(v)) {
            r = wh_tmpl_compile(json_string_value(v), &ru->ignore, err, errsz);
            actions++;
        } else if (strcmp(key, "reply") == 0) {
            r = compile_reply(ru, v, err, errsz);
            actions++;
        } else if (strcmp(key, "event") == 0) {
            r = compile_event(ru, v, err, errsz);
            actions++;
        } else {
            snprintf(err, errsz, "unknown key or wrong type: '%s' (name, when, each, ignore, "
                     "reply, event)", key);
            return -EINVAL;
        }
        if (r < 0)
            return r;
    }
    if (actions != 1) {
        snprintf(err, errsz, "exactly one of 'event', 'ignore' or 'reply' is required");
        return -EINVAL;
    }
    return 0;
}

static bool name_ok(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z') || strlen(s) > 48)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

/* Compile one parsed mapping file into s. */
static int compile_source(struct wh_src *s, const json_t *root, char *err, size_t errsz)
{
    char sub[IQ_ERR_MAX], buf[128];
    const char *key, *name = json_string_value(json_object_get(root, "source"));
    json_t *v, *rules = json_object_get(root, "rules");
    int r = 0;

    if (!name || !name_ok(name)) {
        snprintf(err, errsz, "source: required, a name like \"alertmanager\" ([a-z][a-z0-9_-]*)");
        return -EINVAL;
    }
    json_object_foreach((json_t *)root, key, v) {
        if (strcmp(key, "source") == 0 || strcmp(key, "description") == 0 ||
            strcmp(key, "rules") == 0 || strcmp(key, "sender") == 0)
            continue;
        if (strcmp(key, "path") == 0 && json_is_string(v) &&
            strncmp(json_string_value(v), "/hooks/", 7) == 0)
            continue;
        if (strcmp(key, "auth") == 0) {
            if ((r = wh_auth_compile(v, &s->auth, err, errsz)) < 0)
                return r;
            continue;
        }
        if (strcmp(key, "format") == 0 && json_is_string(v) &&
            (!strcmp(json_string_value(v), "canonical") || !strcmp(json_string_value(v), "mapped"))) {
            s->canonical = !strcmp(json_string_value(v), "canonical");
            continue;
        }
        snprintf(err, errsz, "%s: unknown key or wrong type (source, path \"/hooks/...\", "
                 "description, sender, auth, format, rules)", key);
        return -EINVAL;
    }
    snprintf(buf, sizeof(buf), "/hooks/%s", name);
    v = json_object_get(root, "path");
    s->name = strdup(name);
    s->path = strdup(v ? json_string_value(v) : buf);
    if (!s->name || !s->path)
        return -ENOMEM;
    if (s->canonical)
        return rules ? (snprintf(err, errsz, "rules: not allowed with format canonical"), -EINVAL)
                     : 0;
    if (!json_is_array(rules) || json_array_size(rules) == 0 ||
        json_array_size(rules) > WH_RULES_MAX) {
        snprintf(err, errsz, "rules: required, a list of 1 to %d rules", WH_RULES_MAX);
        return -EINVAL;
    }
    s->rules = calloc(json_array_size(rules), sizeof(*s->rules));
    if (!s->rules)
        return -ENOMEM;
    for (size_t i = 0; i < json_array_size(rules) && r == 0; i++) {
        s->n_rules++;
        r = compile_rule(&s->rules[i], json_array_get(rules, i), sub, sizeof(sub));
        if (r < 0)
            snprintf(err, errsz, "rules[%zu]: %.250s", i, sub);
    }
    return r;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted list of *.json names in dir. Caller frees names and array. */
static int list_files(const char *dir, char ***ret, size_t *ret_n)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0;

    if (!d)
        return -errno;
    names = calloc(WH_SOURCES_MAX + 1, sizeof(char *));
    while (names && (de = readdir(d))) {
        size_t len = strlen(de->d_name);

        if (len < 6 || de->d_name[0] == '.' || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        if (n == WH_SOURCES_MAX || !(names[n] = strdup(de->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (!names)
        return -ENOMEM;
    qsort(names, n, sizeof(char *), name_cmp);
    *ret = names;
    *ret_n = n;
    return 0;
}

/* Secret for s: conf["name"]["secret"|"token"], then the environment. */
static int apply_secret(struct wh_src *s, const json_t *conf, char *err, size_t errsz)
{
    const json_t *c = conf ? json_object_get(conf, s->name) : NULL;
    const char *sec = NULL, *key;
    char env[96];
    json_t *v;

    if (c && !json_is_object(c)) {
        snprintf(err, errsz, "config 'sources.%s': expected an object", s->name);
        return -EINVAL;
    }
    json_object_foreach((json_t *)c, key, v) {
        if ((strcmp(key, "secret") && strcmp(key, "token")) || !json_is_string(v)) {
            snprintf(err, errsz, "config 'sources.%s': unknown key or wrong type '%s' (secret "
                     "or token, a string)", s->name, key);
            return -EINVAL;
        }
        sec = json_string_value(v);
    }
    for (int k = 0; k < 2 && !sec; k++) {
        size_t i = 0;

        i = (size_t)snprintf(env, sizeof(env), "INQUEST_");
        for (const char *p = s->name; *p && i + 8 < sizeof(env); p++)
            env[i++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        snprintf(env + i, sizeof(env) - i, k == 0 ? "_SECRET" : "_TOKEN");
        sec = getenv(env);
    }
    if (sec && *sec && !wh_auth_has_scheme(&s->auth)) {
        snprintf(err, errsz, "config 'sources.%s': a secret is set but the mapping file has no "
                 "'auth' scheme", s->name);
        return -EINVAL;
    }
    return sec && *sec ? wh_auth_set_secret(&s->auth, sec) : 0;
}

static int check_conf(const struct wh_sources *s, const json_t *conf, char *err, size_t errsz)
{
    const char *key;
    json_t *v;

    if (!conf)
        return 0;
    if (!json_is_object(conf)) {
        snprintf(err, errsz, "config 'sources': expected an object of source names");
        return -EINVAL;
    }
    json_object_foreach((json_t *)conf, key, v) {
        size_t i;

        for (i = 0; i < s->n && strcmp(s->src[i].name, key); i++)
            ;
        if (i == s->n) {
            snprintf(err, errsz, "config 'sources': unknown source '%s'", key);
            return -EINVAL;
        }
    }
    return 0;
}

static int load_one(struct wh_sources *s, const char *dir, const char *fname, const json_t *conf,
                    char *err, size_t errsz)
{
    char path[4096], sub[IQ_ERR_MAX];
    struct wh_src *src = &s->src[s->n];
    json_error_t je;
    json_t *root = NULL;
    int r = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, fname);
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        FAIL(-EINVAL, "%s: line %d column %d: %s", path, je.line, je.column, je.text);
    if (!json_is_object(root))
        FAIL(-EINVAL, "%s: expected a JSON object", path);
    s->n++;
    if (!(src->file = strdup(path)))
        FAIL(-ENOMEM, "out of memory");
    if ((r = compile_source(src, root, sub, sizeof(sub))) < 0)
        FAIL(r, "%s: %s", path, sub);
    for (size_t i = 0; i + 1 < s->n; i++)
        if (!strcmp(s->src[i].path, src->path) || !strcmp(s->src[i].name, src->name))
            FAIL(-EINVAL, "%s: source '%s' or path %s already defined by %s", path, src->name,
                 src->path, s->src[i].file);
    r = apply_secret(src, conf, err, errsz);
out:
    json_decref(root);
    return r;
}

int wh_sources_load(const char *dir, const json_t *conf, struct wh_sources **ret, char *err,
                    size_t errsz)
{
    struct wh_sources *s = NULL;
    char **names = NULL;
    size_t n = 0;
    int r;

    if (sodium_init() < 0) {
        snprintf(err, errsz, "libsodium failed to initialise");
        return -EIO;
    }
    r = list_files(dir, &names, &n);
    if (r < 0)
        FAIL(r, "source mappings %s: %s", dir, strerror(-r));
    if (n == 0)
        FAIL(-ENOENT, "source mappings %s: no *.json file", dir);
    if (!(s = calloc(1, sizeof(*s))))
        FAIL(-ENOMEM, "out of memory");
    for (size_t i = 0; i < n && r == 0; i++)
        r = load_one(s, dir, names[i], conf, err, errsz);
    if (r == 0)
        r = check_conf(s, conf, err, errsz);
out:
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
    if (r < 0) {
        wh_sources_destroy(&s);
        return r;
    }
    *ret = s;
    return 0;
}

size_t wh_sources_count(const struct wh_sources *s)
{
    return s ? s->n : 0;
}

const char *wh_sources_name(const struct wh_sources *s, size_t i)
{
    return i < s->n ? s->src[i].name : NULL;
}

const char *wh_sources_path(const struct wh_sources *s, size_t i)
{
    return i < s->n ? s->src[i].path : NULL;
}

int wh_sources_find(const struct wh_sources *s, const char *path)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (!s->src[i].disabled && strcmp(s->src[i].path, path) == 0)
            return (int)i;
    return -1;
}

bool wh_sources_has_secret(const struct wh_sources *s, size_t i)
{
    return i < s->n && wh_auth_has_scheme(&s->src[i].auth) && s->src[i].auth.secret;
}

bool wh_sources_canonical(const struct wh_sources *s, size_t i)
{
    return i < s->n && s->src[i].canonical;
}

bool wh_sources_enabled(const struct wh_sources *s, size_t i)
{
    return i < s->n && !s->src[i].disabled;
}

int wh_sources_enable(struct wh_sources *s, const char *list, char *err, size_t errsz)
{
    const char *p = list;
    bool on[WH_SOURCES_MAX] = { false };

    while (*p) {
        size_t n = strcspn(p, ","), i;

        for (i = 0; i < s->n; i++)
            if (strlen(s->src[i].name) == n && strncmp(s->src[i].name, p, n) == 0)
                break;
        if (n == 0 || i == s->n) {
            snprintf(err, errsz, "config 'sources_enabled': unknown source \"%.*s\"", (int)n, p);
            return -EINVAL;
        }
        on[i] = true;
        p += n + (p[n] == ',');
    }
    for (size_t i = 0; i < s->n; i++)
        s->src[i].disabled = !on[i];
    return 0;
}
