/* rev_rules.c - the lint rule set: load the rule files of a directory,
 * keep them, and look rules and sections up.
 *
 * Rules are data so that a team can add a phrase it keeps seeing without
 * touching C.  This module reads every *.json file of the rules directory
 * (bounded by REV_RULES_FILE_MAX and REV_RULES_FILES_MAX), parses it with
 * jansson (duplicate keys rejected), hands each rule and section to
 * rev_rules_parse.c, and checks what only the whole set can check: ids
 * unique across files, and structure rules naming a defined section.
 *
 * Design notes:
 *  - Strings (ids, messages) are borrowed from the parsed JSON documents,
 *    which the set keeps alive; only pattern lists and label arrays are
 *    allocated per rule.
 *  - Files load in name order, so the load order (and therefore the output
 *    order of equal findings) is deterministic.
 *  - Every error message has the form "FILE: rule 'ID': problem" (or
 *    "section #N" / "rule #N" when there is no usable id yet).
 *  - A rules file may set the pcre2 limits of the whole set,
 *    "regex": {"match_limit": N, "depth_limit": N} (one file at most;
 *    defaults IQ_RE_LINT's).  Every file is parsed before any rule is
 *    compiled, so the limits hold for every pattern and every example
 *    whichever file sets them.
 *  - The set is read-only once loaded and may be shared. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rev_file.h"
#include "iq_buf.h"
#include "rev_rules_int.h"

struct rev_rules {
    json_t **docs;                 /* parsed files; rule strings point into them */
    size_t ndocs;
    char **files;                  /* base names, for rule->file */
    size_t nfiles;
    struct rule_impl *rules;
    size_t n, cap;
    struct rev_section *sections;
    size_t nsec, capsec;
    unsigned flags;                /* REV_RULES_NO_MODEL */
    bool model_defined;            /* some file has a "model" object */
    struct rev_model *model;       /* the statistical layer, or NULL */
    const char *model_file;        /* base name of the file that defined it */
    double model_th[REV_MODEL_TASKS];  /* configured thresholds; 0: the trained one */
    const struct rev_rule *model_rule[REV_MODEL_TASKS];
    struct iq_re_limits limits;    /* every list's pcre2 limits */
    const char *limits_file;       /* base name of the file that set them, or NULL */
    char limits_key[80];           /* "FILE: regex" once a file set them */
};

static struct rev_rules *set_new(void)
{
    struct rev_rules *set = calloc(1, sizeof(struct rev_rules));

    if (set)
        set->limits = *iq_re_limits_of(IQ_RE_LINT);
    return set;
}

void rev_rules_destroy(struct rev_rules **pset)
{
    struct rev_rules *set = pset ? *pset : NULL;

    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        struct rev_rule *r = &set->rules[i].pub;

        rev_re_destroy(&r->patterns);
        rev_re_destroy(&r->unless);
        rev_re_destroy(&r->cell);
        free(r->labels);
    }
    for (size_t i = 0; i < set->nsec; i++) {
        rev_re_destroy(&set->sections[i].headings);
        rev_re_destroy(&set->sections[i].placeholders);
        for (int c = 0; c < REV_COL_N; c++)
            rev_re_destroy(&set->sections[i].columns[c]);
    }
    for (size_t i = 0; i < set->ndocs; i++)
        json_decref(set->docs[i]);
    for (size_t i = 0; i < set->nfiles; i++)
        free(set->files[i]);
    free(set->docs);
    free(set->files);
    free(set->rules);
    free(set->sections);
    rev_model_destroy(&set->model);
    free(set);
    *pset = NULL;
}

/* Grow an array of elem-sized items to hold one more.  0 or -ENOMEM. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    size_t old = *cap;
    void *na = iq_array_grow(*arr, n, cap, elem, 16);

    if (!na)
        return -ENOMEM;
    memset((char *)na + old * elem, 0, (*cap - old) * elem);
    *arr = na;
    return 0;
}

/* Keep doc (takes ownership) and the file's base name; sets *ret_base. */
static int keep_doc(struct rev_rules *set, json_t *doc, const char *name, const char **ret_base)
{
    const char *slash = strrchr(name, '/');
    json_t **nd = realloc(set->docs, (set->ndocs + 1) * sizeof(*nd));
    char **nf;

    if (!nd) {
        json_decref(doc);
        return -ENOMEM;
    }
    set->docs = nd;
    set->docs[set->ndocs++] = doc;
    nf = realloc(set->files, (set->nfiles + 1) * sizeof(*nf));
    if (!nf)
        return -ENOMEM;
    set->files = nf;
    set->files[set->nfiles] = strdup(slash ? slash + 1 : name);
    if (!set->files[set->nfiles])
        return -ENOMEM;
    *ret_base = set->files[set->nfiles++];
    return 0;
}

static int load_sections(struct rev_rules *set, struct where *w, json_t *arr)
{
    json_t *o;
    size_t i;
    int r;

    json_array_foreach(arr, i, o) {
        struct rev_section *sec;

        r = grow((void **)&set->sections, &set->capsec, set->nsec, sizeof(*sec));
        if (r < 0)
            return r;
        sec = &set->sections[set->nsec++];
        r = rev_rules_parse_section(w, o, i, sec);
        if (r < 0)
            return r;
        for (size_t j = 0; j + 1 < set->nsec; j++)
            if (strcmp(set->sections[j].kind, sec->kind) == 0)
                return rev_rules_fail(w, "section kind \"%s\" is defined twice", sec->kind);
    }
    return 0;
}

static int load_rules(struct rev_rules *set, struct where *w, json_t *arr, const char *base)
{
    json_t *o;
    size_t i;
    int r;

    json_array_foreach(arr, i, o) {
        struct rule_impl *ri;

        if (set->n >= REV_RULES_MAX)
            return rev_rules_fail(w, "more than %d rules", REV_RULES_MAX);
        r = grow((void **)&set->rules, &set->cap, set->n, sizeof(*ri));
        if (r < 0)
            return r;
        ri = &set->rules[set->n++];
        ri->pub.file = base;
        r = rev_rules_parse_rule(w, o, i, ri);
        if (r < 0)
            return r;
        for (size_t j = 0; j + 1 < set->n; j++)
            if (strcmp(set->rules[j].pub.id, ri->pub.id) == 0)
                return rev_rules_fail(w, "duplicate id (also in %s)", set->rules[j].pub.file);
    }
    return 0;
}

/* "threshold": {"blame": P, "weak-action": P}, each in (0, 1]. */
static int parse_thresholds(struct rev_rules *set, struct where *w, json_t *th)
{
    const char *key;
    json_t *v;

    if (th && !json_is_object(th))
        return rev_rules_fail(w, "\"model\".\"threshold\" must be an object");
    json_object_foreach(th, key, v) {
        enum rev_model_task t;
        double p = json_number_value(v);

        if (rev_model_task_parse(key, &t) < 0)
            return rev_rules_fail(w, "\"model\".\"threshold\": unknown task \"%s\" "
                                  "(blame or weak-action)", key);
        if (!json_is_number(v) || !(p > 0 && p <= 1))
            return rev_rules_fail(w, "\"model\".\"threshold\".\"%s\" must be a number in "
                                  "(0, 1]", key);
        set->model_th[t] = p;
    }
    return 0;
}

/* The "model" object of a rules file: {"weights": FILE, "threshold": {...},
 * "comment": ...}; FILE is relative to the rules file's directory. */
static int load_model(struct rev_rules *set, struct where *w, json_t *m, const char *base)
{
    const char *key, *weights, *slash = strrchr(w->file, '/');
    char path[4096];
    json_t *v;
    int r;

    w->what[0] = '\0';
    if (set->model_defined)
        return rev_rules_fail(w, "\"model\" is defined twice (also in %s)", set->model_file);
    if (!json_is_object(m))
        return rev_rules_fail(w, "\"model\" must be an object");
    json_object_foreach(m, key, v) {
        if (strcmp(key, "weights") && strcmp(key, "threshold") && strcmp(key, "comment"))
            return rev_rules_fail(w, "\"model\": unknown key \"%s\"", key);
    }
    weights = json_string_value(json_object_get(m, "weights"));
    if (!weights || !*weights || weights[0] == '/')
        return rev_rules_fail(w, "\"model\".\"weights\" must name the weights file, "
                              "relative to this file");
    r = parse_thresholds(set, w, json_object_get(m, "threshold"));
    if (r < 0)
        return r;
    set->model_defined = true;
    set->model_file = base;
    if (set->flags & REV_RULES_NO_MODEL)
        return 0;
    if (snprintf(path, sizeof(path), "%.*s%s", slash ? (int)(slash - w->file + 1) : 0, w->file,
                 weights) >= (int)sizeof(path))
        return rev_rules_fail(w, "\"model\".\"weights\": path too long");
    return rev_model_load(path, &set->model, w->err, w->errsz);
}

/* Parse one file's text and keep it in set (*ret, borrowed; *ret_base its
 * base name); only the top level is checked here. */
static int parse_doc(struct rev_rules *set, const char *name, const char *buf, size_t len,
                     json_t **ret, const char **ret_base, char *err, size_t errsz)
{
    struct where w = { .file = name, .err = err, .errsz = errsz };
    const char *key;
    json_error_t jerr;
    json_t *doc, *v;
    int r;

    doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return rev_rules_fail(&w, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    r = keep_doc(set, doc, name, ret_base);
    if (r < 0)
        return r;
    if (!json_is_object(doc))
        return rev_rules_fail(&w, "top level must be an object with \"rules\" and/or \"sections\"");
    json_object_foreach(doc, key, v) {
        if (strcmp(key, "version") && strcmp(key, "rules") && strcmp(key, "sections") &&
            strcmp(key, "comment") && strcmp(key, "model") && strcmp(key, "regex"))
            return rev_rules_fail(&w, "unknown top-level key \"%s\"", key);
    }
    if (json_integer_value(json_object_get(doc, "version")) != 1)
        return rev_rules_fail(&w, "\"version\" must be 1");
    *ret = doc;
    return 0;
}

/* The "regex" object of doc (file base), when it has one: the limits of
 * the whole set.  One file at most may set them. */
static int parse_limits(struct rev_rules *set, const json_t *doc, const char *name,
                        const char *base, char *err, size_t errsz)
{
    const json_t *o = json_object_get(doc, "regex");
    struct iq_re_limits lim = set->limits;
    char sub[200];
    int r;

    if (!o)
        return 0;
    if (set->limits_file) {
        snprintf(err, errsz, "%s: \"regex\" is set twice (also in %s)", name,
                 set->limits_file);
        return -EINVAL;
    }
    lim.key = "regex";
    if ((r = iq_re_limits_parse(o, &lim, sub, sizeof(sub))) < 0) {
        snprintf(err, errsz, "%s: %s", name, sub);
        return r;
    }
    snprintf(set->limits_key, sizeof(set->limits_key), "%s: regex", base);
    set->limits_file = base;
    set->limits = lim;
    set->limits.key = set->limits_key;
    return 0;
}

/* Add the sections, rules and model of a parsed file to set. */
static int load_doc(struct rev_rules *set, const char *name, json_t *doc, const char *base,
                    char *err, size_t errsz)
{
    struct where w = { .file = name, .limits = &set->limits, .err = err, .errsz = errsz };
    json_t *rules = json_object_get(doc, "rules"), *secs = json_object_get(doc, "sections");
    int r;

    if ((rules && !json_is_array(rules)) || (secs && !json_is_array(secs)))
        return rev_rules_fail(&w, "\"rules\" and \"sections\" must be arrays");
    r = load_sections(set, &w, secs);
    if (r >= 0)
        r = load_rules(set, &w, rules, base);
    if (r >= 0 && json_object_get(doc, "model"))
        r = load_model(set, &w, json_object_get(doc, "model"), base);
    return r;
}

/* After all files: a model needs one model rule per task, and a model rule
 * needs a model. */
static int finish_model(struct rev_rules *set, char *err, size_t errsz)
{
    for (size_t i = 0; i < set->n; i++) {
        const struct rev_rule *r = &set->rules[i].pub;
        enum rev_model_task t = r->cat == REV_CAT_BLAME ? REV_MODEL_BLAME : REV_MODEL_WEAK;

        if (!r->model)
            continue;
        if (!set->model_defined) {
            snprintf(err, errsz, "%s: rule '%s': a \"model\" rule, but no rules file defines "
                     "\"model\"", r->file, r->id);
            return -EINVAL;
        }
        if (set->model_rule[t]) {
            snprintf(err, errsz, "%s: rule '%s': a second \"model\" rule for %s (first: '%s')",
                     r->file, r->id, rev_model_task_name(t), set->model_rule[t]->id);
            return -EINVAL;
        }
        set->model_rule[t] = r;
    }
    for (int t = 0; set->model_defined && t < REV_MODEL_TASKS; t++) {
        if (!set->model_rule[t]) {
            snprintf(err, errsz, "%s: \"model\" is defined, but no rule of category %s has "
                     "\"model\": true", set->model_file,
                     t == REV_MODEL_BLAME ? "blame" : "weak-action");
            return -EINVAL;
        }
    }
    return 0;
}

/* After all files: structure rules must name defined sections. */
static int finish(struct rev_rules *set, char *err, size_t errsz)
{
    if (set->n == 0) {
        snprintf(err, errsz, "no lint rules were loaded");
        return -ENOENT;
    }
    for (size_t i = 0; i < set->n; i++) {
        const struct rev_rule *r = &set->rules[i].pub;

        if (r->section && !rev_rules_section(set, r->section)) {
            snprintf(err, errsz, "%s: rule '%s': \"section\": no section of kind \"%s\" "
                     "is defined", r->file, r->id, r->section);
            return -EINVAL;
        }
    }
    return finish_model(set, err, errsz);
}

int rev_rules_load_buf(const char *name, const char *buf, size_t len, struct rev_rules **ret,
                       char *err, size_t errsz)
{
    struct rev_rules *set = set_new();
    const char *base = NULL;
    json_t *doc = NULL;
    int r;

    if (!set)
        return -ENOMEM;
    r = parse_doc(set, name, buf, len, &doc, &base, err, errsz);
    if (r >= 0)
        r = parse_limits(set, doc, name, base, err, errsz);
    if (r >= 0)
        r = load_doc(set, name, doc, base, err, errsz);
    if (r >= 0)
        r = finish(set, err, errsz);
    if (r < 0) {
        rev_rules_destroy(&set);
        return r;
    }
    *ret = set;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List dir's *.json names, sorted.  Caller frees names and *ret.  Count or
 * negative errno. */
static int list_json(const char *dir, char ***ret, char *err, size_t errsz)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    int n = 0, r = 0;

    if (!d) {
        r = -errno;
        snprintf(err, errsz, "%s: cannot open rules directory: %s", dir, strerror(-r));
        return r;
    }
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        char **nn;

        if (len < 6 || strcmp(de->d_name + len - 5, ".json") || de->d_name[0] == '.')
            continue;
        if (n >= REV_RULES_FILES_MAX) {
            snprintf(err, errsz, "%s: more than %d rule files", dir, REV_RULES_FILES_MAX);
            r = -E2BIG;
            break;
        }
        nn = realloc(names, (size_t)(n + 1) * sizeof(*nn));
        if (!nn || !(nn[n] = strdup(de->d_name))) {
            names = nn ? nn : names;
            r = -ENOMEM;
            break;
        }
        names = nn;
        n++;
    }
    closedir(d);
    if (r < 0) {
        for (int i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return r;
    }
    if (n)
        qsort(names, (size_t)n, sizeof(*names), cmp_names);
    *ret = names;
    return n;
}

int rev_rules_load_dir(const char *dir, struct rev_rules **ret, char *err, size_t errsz)
{
    return rev_rules_load_dir_flags(dir, 0, ret, err, errsz);
}

/* dir/name into path (size bytes).  0 or -ENAMETOOLONG with err set. */
static int rule_path(const char *dir, const char *name, char *path, size_t size, char *err,
                     size_t errsz)
{
    if (snprintf(path, size, "%s/%s", dir, name) < (int)size)
        return 0;
    snprintf(err, errsz, "%s: path too long", dir);
    return -ENAMETOOLONG;
}

/* Every file of names parsed and kept (set->docs[i] is names[i]), then
 * the set's limits, then the rules and sections of each file. */
static int load_files(struct rev_rules *set, const char *dir, char **names, int n, char *err,
                      size_t errsz)
{
    char path[4096];
    int r = 0;

    for (int i = 0; i < n && r >= 0; i++) {
        char *buf = NULL;
        const char *base;
        size_t len = 0;
        json_t *doc;

        r = rule_path(dir, names[i], path, sizeof(path), err, errsz);
        if (r >= 0)
            r = rev_file_read(path, REV_RULES_FILE_MAX, &buf, &len, err, errsz);
        if (r >= 0)
            r = parse_doc(set, path, buf, len, &doc, &base, err, errsz);
        if (r >= 0)
            r = parse_limits(set, doc, path, base, err, errsz);
        free(buf);
    }
    for (int i = 0; i < n && r >= 0; i++) {
        r = rule_path(dir, names[i], path, sizeof(path), err, errsz);
        if (r >= 0)
            r = load_doc(set, path, set->docs[i], set->files[i], err, errsz);
    }
    return r;
}

int rev_rules_load_dir_flags(const char *dir, unsigned flags, struct rev_rules **ret,
                             char *err, size_t errsz)
{
    struct rev_rules *set = set_new();
    char **names = NULL;
    int n, r = 0;

    if (!set)
        return -ENOMEM;
    set->flags = flags;
    n = list_json(dir, &names, err, errsz);
    if (n < 0) {
        r = n;
        n = 0;
    }
    if (r >= 0)
        r = load_files(set, dir, names, n, err, errsz);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (r >= 0)
        r = finish(set, err, errsz);
    if (r < 0) {
        rev_rules_destroy(&set);
        return r;
    }
    *ret = set;
    return 0;
}

size_t rev_rules_count(const struct rev_rules *set)
{
    return set->n;
}

const struct rev_rule *rev_rules_at(const struct rev_rules *set, size_t i)
{
    return i < set->n ? &set->rules[i].pub : NULL;
}

const struct rev_rule *rev_rules_find(const struct rev_rules *set, const char *id)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->rules[i].pub.id, id) == 0)
            return &set->rules[i].pub;
    return NULL;
}

size_t rev_rules_nsections(const struct rev_rules *set)
{
    return set->nsec;
}

const struct rev_section *rev_rules_section_at(const struct rev_rules *set, size_t i)
{
    return i < set->nsec ? &set->sections[i] : NULL;
}

const struct rev_section *rev_rules_section(const struct rev_rules *set, const char *kind)
{
    for (size_t i = 0; i < set->nsec; i++)
        if (strcmp(set->sections[i].kind, kind) == 0)
            return &set->sections[i];
    return NULL;
}

const struct rev_model *rev_rules_model(const struct rev_rules *set)
{
    return set->model;
}

const struct rev_rule *rev_rules_model_rule(const struct rev_rules *set, enum rev_model_task t)
{
    return set->model_rule[t];
}

double rev_rules_model_threshold(const struct rev_rules *set, enum rev_model_task t,
                                 enum rev_lang lang)
{
    if (!set->model)
        return 1.0;
    return set->model_th[t] > 0 ? set->model_th[t] :
           rev_model_threshold(set->model, t, lang == REV_LANG_JA ? REV_MODEL_JA : REV_MODEL_EN);
}

/* Pick the text for lang, else the other language's. */
static const char *pick(const char *const text[2], enum rev_lang lang)
{
    const char *t = text[lang == REV_LANG_JA];

    return t ? t : text[lang != REV_LANG_JA];
}

const char *rev_rule_message(const struct rev_rule *r, enum rev_lang lang)
{
    return pick(((const struct rule_impl *)r)->message, lang);
}

const char *rev_rule_suggestion(const struct rev_rule *r, enum rev_lang lang)
{
    return pick(((const struct rule_impl *)r)->suggestion, lang);
}

