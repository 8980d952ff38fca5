/* rev_rules_parse.c - turn one JSON rule or section into its checked,
 * compiled form.
 *
 * Rules are written by people, so every mistake should be reported once,
 * precisely, at load time: unknown keys are errors (a misspelt "unles" would
 * otherwise silently disable an exception), each category has its own key
 * table, patterns compile through rev_re (pcre2 offset in the message), and
 * the examples a rule carries ("examples": {"match": [...], "nomatch":
 * [...]}) run before the rule is accepted, so a rule that stopped doing what
 * its author wrote down fails the load with the file and the rule id.
 *
 * The name tables here (categories, strengths, types, checks) are the words
 * of the rules files and of the JSON output. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rev_rules_int.h"
#include "iq_event.h"

static const char *const cat_names[REV_CAT_N] = {
    "blame", "weak-action", "strength", "type", "action", "structure",
};
static const char *const strength_names[REV_STR_N] = {
    "unknown", "mechanism", "tool", "recovery", "containment", "rule", "checklist", "promise",
};
static const char *const type_names[REV_TYPE_N] = {
    "unknown", "prevent", "detect", "mitigate", "process",
};
static const char *const field_names[] = { "owner", "due", NULL };
static const char *const check_names[] = {
    "section", "quantified", "scheduled", "checklist", "actions", NULL,
};
static const char *const col_names[REV_COL_N] = { "item", "type", "owner", "due", "ticket",
                                                   "status" };

/* Keys every rule may carry, then the extra keys of each category. */
static const char *const common_keys[] = {
    "id", "category", "langs", "message", "suggestion", "patterns", "unless",
    "caseless", "examples", "comment", NULL,
};
static const char *const extra_keys[REV_CAT_N][3] = {
    [REV_CAT_BLAME] = { "model", NULL },
    [REV_CAT_WEAK] = { "model", NULL },
    [REV_CAT_STRENGTH] = { "strength", "type", NULL },
    [REV_CAT_TYPE] = { "type", "labels", NULL },
    [REV_CAT_ACTION] = { "field", "cell", NULL },
    [REV_CAT_STRUCTURE] = { "check", "section", NULL },
};

/* Index of s in a NULL-terminated (or n-long) name table, or -1. */
static int name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n && names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

static bool key_allowed(enum rev_cat cat, const char *key)
{
    if (name_index(common_keys, SIZE_MAX, key) >= 0)
        return true;
    for (size_t i = 0; i < 3 && extra_keys[cat][i]; i++)
        if (strcmp(extra_keys[cat][i], key) == 0)
            return true;
    return false;
}

/* Compile the array at o[key] (absent is fine unless required) into *ret.
 * label names the list in messages ("pattern", "exception", "cell"). */
static int compile_list(struct where *w, json_t *o, const char *key, bool required,
                        bool caseless, struct rev_re **ret)
{
    json_t *arr = json_object_get(o, key), *v;
    struct rev_re *re = rev_re_new(w->limits);
    size_t i;
    int r;

    if (!re)
        return -ENOMEM;
    *ret = re;
    if (!arr) {
        if (required)
            return rev_rules_fail(w, "missing \"%s\" (an array of pcre2 patterns)", key);
        return 0;
    }
    if (!json_is_array(arr) || (required && json_array_size(arr) == 0))
        return rev_rules_fail(w, "\"%s\" must be a non-empty array of strings", key);
    if (json_array_size(arr) > REV_RULE_PATTERNS_MAX)
        return rev_rules_fail(w, "\"%s\" has more than %d patterns", key, REV_RULE_PATTERNS_MAX);
    json_array_foreach(arr, i, v) {
        char msg[200];

        if (!json_is_string(v))
            return rev_rules_fail(w, "\"%s\"[%zu] is not a string", key, i);
        r = rev_re_add(re, json_string_value(v), caseless, msg, sizeof(msg));
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            return rev_rules_fail(w, "\"%s\"[%zu]: %s", key, i, msg);
    }
    return 0;
}

/* Parse "langs": a non-empty array of "en"/"ja".  Sets *ret bits. */
static int parse_langs(struct where *w, json_t *o, unsigned *ret)
{
    json_t *arr = json_object_get(o, "langs"), *v;
    unsigned langs = 0;
    size_t i;

    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return rev_rules_fail(w, "\"langs\" must be a non-empty array of \"en\"/\"ja\"");
    json_array_foreach(arr, i, v) {
        enum rev_lang l;

        if (!json_is_string(v) || rev_lang_parse(json_string_value(v), &l) < 0 ||
            l == REV_LANG_AUTO)
            return rev_rules_fail(w, "\"langs\"[%zu]: expected \"en\" or \"ja\"", i);
        langs |= (unsigned)l;
    }
    *ret = langs;
    return 0;
}

/* Parse a text that is a string (all languages) or {"en": .., "ja": ..}
 * covering every language in langs.  out[0] en, out[1] ja; borrowed. */
static int parse_text(struct where *w, json_t *o, const char *key, unsigned langs,
                      const char *out[2])
{
    json_t *v = json_object_get(o, key), *t;
    const char *k;

    if (json_is_string(v) && json_string_length(v) > 0) {
        out[0] = out[1] = json_string_value(v);
        return 0;
    }
    if (!json_is_object(v))
        return rev_rules_fail(w, "\"%s\" must be a non-empty string or an object by language", key);
    json_object_foreach(v, k, t) {
        enum rev_lang l;

        if (rev_lang_parse(k, &l) < 0 || l == REV_LANG_AUTO || !json_is_string(t) ||
            json_string_length(t) == 0)
            return rev_rules_fail(w, "\"%s\": key \"%s\" must be \"en\" or \"ja\" with a string",
                                  key, k);
        out[l == REV_LANG_JA] = json_string_value(t);
    }
    if (((langs & REV_LANG_EN) && !out[0]) || ((langs & REV_LANG_JA) && !out[1]))
        return rev_rules_fail(w, "\"%s\" does not cover every language in \"langs\"", key);
    return 0;
}

/* Read the category-specific kind ("strength", "type", "field", "check").
 * Sets rule->kind and rule->section. */
static int parse_kind(struct where *w, json_t *o, struct rev_rule *rule)
{
    static const char *const key_of[REV_CAT_N] = {
        [REV_CAT_STRENGTH] = "strength", [REV_CAT_TYPE] = "type",
        [REV_CAT_ACTION] = "field", [REV_CAT_STRUCTURE] = "check",
    };
    const char *key = key_of[rule->cat], *s;
    json_t *sec;
    int k = -1;

    if (!key)
        return 0;
    s = json_string_value(json_object_get(o, key));
    if (!s)
        return rev_rules_fail(w, "missing \"%s\" (a string)", key);
    if (rule->cat == REV_CAT_STRENGTH)
        k = name_index(strength_names, REV_STR_N, s);
    else if (rule->cat == REV_CAT_TYPE)
        k = name_index(type_names, REV_TYPE_N, s);
    else if (rule->cat == REV_CAT_ACTION)
        k = name_index(field_names, SIZE_MAX, s);
    else
        k = name_index(check_names, SIZE_MAX, s);
    if (k < 0 || ((rule->cat == REV_CAT_STRENGTH || rule->cat == REV_CAT_TYPE) && k == 0))
        return rev_rules_fail(w, "\"%s\": unknown value \"%s\"", key, s);
    rule->kind = k;
    if (rule->cat == REV_CAT_STRENGTH && (s = json_string_value(json_object_get(o, "type")))) {
        rule->type_hint = name_index(type_names, REV_TYPE_N, s);
        if (rule->type_hint <= 0)
            return rev_rules_fail(w, "\"type\": unknown value \"%s\"", s);
    } else if (rule->cat == REV_CAT_STRENGTH && json_object_get(o, "type")) {
        return rev_rules_fail(w, "\"type\" must be a string");
    }
    if (rule->cat != REV_CAT_STRUCTURE)
        return 0;
    sec = json_object_get(o, "section");
    if (sec && !json_is_string(sec))
        return rev_rules_fail(w, "\"section\" must be a string");
    rule->section = json_string_value(sec);
    if (!rule->section && k != REV_CHECK_SCHEDULED)
        return rev_rules_fail(w, "check \"%s\" needs a \"section\"", s);
    return 0;
}

/* Type rules: optional "labels", the Type-column values that declare it. */
static int parse_labels(struct where *w, json_t *o, struct rev_rule *rule)
{
    json_t *arr = json_object_get(o, "labels"), *v;
    size_t i;

    if (!arr)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > REV_RULE_PATTERNS_MAX)
        return rev_rules_fail(w, "\"labels\" must be an array of at most %d strings",
                    REV_RULE_PATTERNS_MAX);
    rule->labels = calloc(json_array_size(arr) + 1, sizeof(*rule->labels));
    if (!rule->labels)
        return -ENOMEM;
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            return rev_rules_fail(w, "\"labels\"[%zu] is not a string", i);
        rule->labels[rule->n_labels++] = json_string_value(v);
    }
    return 0;
}

/* Run the rule's own examples: "match" texts must fire, "nomatch" must not. */
static int check_examples(struct where *w, json_t *o, const struct rev_rule *rule)
{
    static const char *const keys[2] = { "match", "nomatch" };
    json_t *ex = json_object_get(o, "examples");

    if (!ex)
        return 0;
    if (!json_is_object(ex))
        return rev_rules_fail(w, "\"examples\" must be an object with \"match\" and "
                              "\"nomatch\" arrays");
    for (int want = 0; want < 2; want++) {
        json_t *arr = json_object_get(ex, keys[want]), *v;
        size_t i;

        if (arr && !json_is_array(arr))
            return rev_rules_fail(w, "\"examples\".\"%s\" must be an array", keys[want]);
        json_array_foreach(arr, i, v) {
            const char *s = json_string_value(v);
            int r, shown;
            size_t a, b;

            if (!s)
                return rev_rules_fail(w, "\"examples\".\"%s\"[%zu] is not a string", keys[want], i);
            shown = (int)iq_utf8_prefix(s, strlen(s), 60);
            r = rev_rule_match(rule, s, strlen(s), &a, &b, NULL, NULL);
            if (r < 0) {
                char why[300];

                return rev_rules_fail(w, "example \"%.*s\": %s", shown, s,
                                      r == -ERANGE ? rev_re_failure(why, sizeof(why))
                                                   : strerror(-r));
            }
            if (r != (want == 0))
                return rev_rules_fail(w, "example \"%.*s\" should %smatch but does%s", shown, s,
                            want == 0 ? "" : "not ", want == 0 ? " not" : "");
        }
    }
    return 0;
}

/* Check the keys of a rule object, then its id and category; sets w->what. */
static int parse_head(struct where *w, json_t *o, size_t idx, struct rev_rule *rule)
{
    const char *id, *cat, *key;
    json_t *v;
    int c;

    snprintf(w->what, sizeof(w->what), "rule #%zu", idx + 1);
    if (!json_is_object(o))
        return rev_rules_fail(w, "not a JSON object");
    id = json_string_value(json_object_get(o, "id"));
    if (!id || !*id || strlen(id) > REV_RULE_ID_MAX ||
        strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789.-_") != strlen(id))
        return rev_rules_fail(w, "\"id\" must be 1 to %d characters of [a-z0-9._-]",
                              REV_RULE_ID_MAX);
    snprintf(w->what, sizeof(w->what), "rule '%s'", id);
    rule->id = id;
    cat = json_string_value(json_object_get(o, "category"));
    c = cat ? name_index(cat_names, REV_CAT_N, cat) : -1;
    if (c < 0)
        return rev_rules_fail(w, "\"category\" must be one of blame, weak-action, strength, type, "
                    "action, structure");
    rule->cat = (enum rev_cat)c;
    json_object_foreach(o, key, v) {
        if (!key_allowed(rule->cat, key))
            return rev_rules_fail(w, "unknown key \"%s\" for category \"%s\"", key, cat);
    }
    return 0;
}

/* Does this structure check take patterns? */
static bool check_has_patterns(int check)
{
    return check == REV_CHECK_QUANTIFIED || check == REV_CHECK_SCHEDULED;
}

int rev_rules_parse_rule(struct where *w, json_t *o, size_t idx, struct rule_impl *ri)
{
    struct rev_rule *rule = &ri->pub;
    json_t *cl;
    bool caseless, need_patterns;
    int r;

    r = parse_head(w, o, idx, rule);
    if (r < 0)
        return r;
    cl = json_object_get(o, "caseless");
    if (cl && !json_is_boolean(cl))
        return rev_rules_fail(w, "\"caseless\" must be true or false");
    caseless = cl ? json_is_true(cl) : true;
    cl = json_object_get(o, "model");
    if (cl && !json_is_boolean(cl))
        return rev_rules_fail(w, "\"model\" must be true or false");
    rule->model = json_is_true(cl);
    r = parse_langs(w, o, &rule->langs);
    if (r >= 0)
        r = parse_text(w, o, "message", rule->langs, ri->message);
    if (r >= 0)
        r = parse_text(w, o, "suggestion", rule->langs, ri->suggestion);
    if (r >= 0)
        r = parse_kind(w, o, rule);
    if (r < 0)
        return r;
    need_patterns = rule->cat != REV_CAT_STRUCTURE || check_has_patterns(rule->kind);
    if (rule->model && json_object_get(o, "patterns"))
        return rev_rules_fail(w, "a \"model\" rule takes no \"patterns\" (the model fires it)");
    need_patterns &= !rule->model;
    if (!need_patterns && json_object_get(o, "patterns"))
        return rev_rules_fail(w, "check \"%s\" takes no \"patterns\"", check_names[rule->kind]);
    r = compile_list(w, o, "patterns", need_patterns, caseless, &rule->patterns);
    if (r >= 0)
        r = compile_list(w, o, "unless", false, caseless, &rule->unless);
    if (r >= 0)
        r = compile_list(w, o, "cell", false, caseless, &rule->cell);
    if (r >= 0)
        r = parse_labels(w, o, rule);
    if (r >= 0)
        r = check_examples(w, o, rule);
    return r;
}

int rev_rules_parse_section(struct where *w, json_t *o, size_t idx, struct rev_section *sec)
{
    json_t *cols, *v;
    const char *key;
    int r;

    snprintf(w->what, sizeof(w->what), "section #%zu", idx + 1);
    if (!json_is_object(o))
        return rev_rules_fail(w, "not a JSON object");
    json_object_foreach(o, key, v) {
        if (strcmp(key, "kind") && strcmp(key, "headings") && strcmp(key, "columns") &&
            strcmp(key, "placeholders") && strcmp(key, "comment"))
            return rev_rules_fail(w, "unknown key \"%s\"", key);
    }
    sec->kind = json_string_value(json_object_get(o, "kind"));
    if (!sec->kind || !*sec->kind)
        return rev_rules_fail(w, "missing \"kind\" (a string)");
    snprintf(w->what, sizeof(w->what), "section '%.40s'", sec->kind);
    r = compile_list(w, o, "headings", true, true, &sec->headings);
    if (r >= 0)
        r = compile_list(w, o, "placeholders", false, true, &sec->placeholders);
    if (r < 0)
        return r;
    cols = json_object_get(o, "columns");
    if (cols && !json_is_object(cols))
        return rev_rules_fail(w, "\"columns\" must be an object of pattern arrays");
    json_object_foreach(cols, key, v) {
        if (name_index(col_names, REV_COL_N, key) < 0)
            return rev_rules_fail(w, "\"columns\": unknown column \"%s\"", key);
    }
    for (int c = 0; c < REV_COL_N; c++) {
        r = compile_list(w, cols, col_names[c], false, true, &sec->columns[c]);
        if (r < 0)
            return r;
    }
    return 0;
}

int rev_rules_fail(struct where *w, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (w->what[0])
        snprintf(w->err, w->errsz, "%s: %s: %s", w->file, w->what, msg);
    else
        snprintf(w->err, w->errsz, "%s: %s", w->file, msg);
    return -EINVAL;
}


int rev_rule_match(const struct rev_rule *r, const char *s, size_t len, size_t *ret_start,
                   size_t *ret_end, size_t *ret_vstart, size_t *ret_vend)
{
    size_t a, b, va, vb;
    int m = rev_re_search(r->patterns, s, len, &a, &b, &va, &vb);

    if (m <= 0)
        return m;
    m = rev_re_any(r->unless, s, len);
    if (m != 0)
        return m < 0 ? m : 0;
    *ret_start = a;
    *ret_end = b;
    if (ret_vstart)
        *ret_vstart = va;
    if (ret_vend)
        *ret_vend = vb;
    return 1;
}


const char *rev_cat_name(enum rev_cat c)
{
    return (unsigned)c < REV_CAT_N ? cat_names[c] : "unknown";
}

const char *rev_strength_name(enum rev_strength s)
{
    return (unsigned)s < REV_STR_N ? strength_names[s] : "unknown";
}

const char *rev_type_name(enum rev_type t)
{
    return (unsigned)t < REV_TYPE_N ? type_names[t] : "unknown";
}

const char *rev_lang_name(enum rev_lang l)
{
    return l == REV_LANG_EN ? "en" : l == REV_LANG_JA ? "ja" : "auto";
}

int rev_lang_parse(const char *s, enum rev_lang *ret)
{
    if (strcmp(s, "auto") == 0)
        *ret = REV_LANG_AUTO;
    else if (strcmp(s, "en") == 0)
        *ret = REV_LANG_EN;
    else if (strcmp(s, "ja") == 0)
        *ret = REV_LANG_JA;
    else
        return -EINVAL;
    return 0;
}
