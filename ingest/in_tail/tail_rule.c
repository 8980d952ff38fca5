/* tail_rule.c - loading and compiling log parsing rules.
 *
 * Rules are data: each JSON file under schemas/logs/ holds
 *   { "name": "nginx", "description": "...", "rules": [ RULE, ... ] }
 * and a RULE is either a pattern rule
 *   { "name": "nginx_access", "pattern": "^(?<client>\\S+) ...",
 *     "time_format": "clf", "service": "nginx",
 *     "event": { "min_status": 500 } }
 * or a JSON-lines rule
 *   { "name": "jsonl", "parser": "json",
 *     "fields": { "time": ["time", "ts"], "level": "level", ... },
 *     "labels": ["logger", "trace_id"], "event": { "min_level": "error" } }
 * (docs/logs.md has the full reference).
 *
 * Design notes: every pattern is compiled here once, JIT-compiled, and the
 * set shares one match data block sized for the largest rule and one
 * match context carrying the match and depth limits, so matching a line
 * allocates nothing.  A file is loaded into a temporary array first and
 * appended only when all its rules compiled, so a bad file leaves the set
 * as it was.  Errors name the file, the rule and the pcre2 offset. */
#include "tail_rule_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "iq_conf.h"
#include "iq_event.h"

#define RULES_MAX 256
#define RULE_FILE_MAX (1u << 20)

const char *const tail_rule_field_names[RF_N] = {
    [RF_TIME] = "time",       [RF_LEVEL] = "level",     [RF_PRI] = "pri",
    [RF_SERVICE] = "service", [RF_MESSAGE] = "message", [RF_STATUS] = "status",
};

int tail_rules_new(struct tail_rules **ret)
{
    struct tail_rules *rs = calloc(1, sizeof(*rs));

    if (!rs)
        return -ENOMEM;
    rs->mctx = iq_re_context_new(iq_re_limits_of(IQ_RE_LOGS));
    rs->jit_stack = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
    if (!rs->mctx || !rs->jit_stack) {
        tail_rules_destroy(&rs);
        return -ENOMEM;
    }
    pcre2_jit_stack_assign(rs->mctx, NULL, rs->jit_stack);
    *ret = rs;
    return 0;
}

void tail_rule_release(struct rule *r)
{
    free(r->name);
    free(r->service);
    pcre2_code_free(r->code);
    for (int f = 0; f < RF_N; f++)
        for (int k = 0; k < RULE_JSON_KEYS_MAX; k++)
            free(r->keys[f][k]);
    for (uint32_t i = 0; i < r->n_labels; i++)
        free(r->labels[i].name);
    memset(r, 0, sizeof(*r));
}

void tail_rules_destroy(struct tail_rules **prs)
{
    struct tail_rules *rs;

    if (!prs || !*prs)
        return;
    rs = *prs;
    for (uint32_t i = 0; i < rs->n; i++)
        tail_rule_release(&rs->rules[i]);
    free(rs->rules);
    pcre2_match_data_free(rs->md);
    pcre2_match_context_free(rs->mctx);
    pcre2_jit_stack_free(rs->jit_stack);
    json_decref(rs->scratch);
    free(rs);
    *prs = NULL;
}

uint32_t tail_rules_count(const struct tail_rules *rs)
{
    return rs->n;
}

/* Context for messages: "FILE: rule 'NAME': ". */
struct load_ctx {
    const char *file;
    const char *rule;
    char *err;
    size_t errsz;
};

#define LOAD_FAIL(lc, ...)                                                          \
    do {                                                                            \
        int n_ = snprintf((lc)->err, (lc)->errsz, "%s: rule '%s': ", (lc)->file,    \
                          (lc)->rule ? (lc)->rule : "?");                           \
        if (n_ >= 0 && (size_t)n_ < (lc)->errsz)                                    \
            snprintf((lc)->err + n_, (lc)->errsz - (size_t)n_, __VA_ARGS__);        \
        return -EINVAL;                                                             \
    } while (0)

static int field_index(const char *name)
{
    for (int f = 0; f < RF_N; f++)
        if (strcmp(tail_rule_field_names[f], name) == 0)
            return f;
    return -1;
}

/* Collect the named groups: special ones into group[], others as labels. */
static int collect_groups(struct rule *r, struct load_ctx *lc)
{
    uint32_t count, size;
    PCRE2_SPTR table;

    pcre2_pattern_info(r->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < count; i++) {
        const unsigned char *e = table + (size_t)i * size;
        int no = (e[0] << 8) | e[1];
        const char *name = (const char *)e + 2;
        int f = field_index(name);

        if (f >= 0) {
            r->group[f] = no;
            continue;
        }
        if (r->n_labels >= TAIL_LINE_LABELS_MAX)
            LOAD_FAIL(lc, "more than %d named groups", TAIL_LINE_LABELS_MAX);
        r->labels[r->n_labels].name = strdup(name);
        if (!r->labels[r->n_labels].name)
            return -ENOMEM;
        r->labels[r->n_labels++].group = no;
    }
    return 0;
}

static int compile_pattern(struct rule *r, const char *pat, struct load_ctx *lc)
{
    struct iq_re_error e;

    if (iq_re_compile(pat, PCRE2_ZERO_TERMINATED, 0, &r->code, &e) < 0) {
        if (e.jit)
            LOAD_FAIL(lc, "pattern: JIT compilation failed: %s", e.msg);
        LOAD_FAIL(lc, "pattern offset %zu: %s", e.offset, e.msg);
    }
    return collect_groups(r, lc);
}

/* "fields": { "time": "ts" | ["ts", "time"], ... } for JSON rules. */
static int json_fields(struct rule *r, const json_t *fields, struct load_ctx *lc)
{
    const char *k;
    json_t *v;

    if (!json_is_object(fields))
        LOAD_FAIL(lc, "'fields' must be an object");
    json_object_foreach((json_t *)fields, k, v) {
        int f = field_index(k);
        size_t n = json_is_array(v) ? json_array_size(v) : 1;

        if (f < 0)
            LOAD_FAIL(lc, "fields: unknown field '%s' (time, level, pri, service, message, status)",
                      k);
        if (n == 0 || n > RULE_JSON_KEYS_MAX)
            LOAD_FAIL(lc, "fields '%s': 1 to %d keys", k, RULE_JSON_KEYS_MAX);
        for (size_t i = 0; i < n; i++) {
            const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;

            if (!json_is_string(e))
                LOAD_FAIL(lc, "fields '%s': keys must be strings", k);
            r->keys[f][i] = strdup(json_string_value(e));
            if (!r->keys[f][i])
                return -ENOMEM;
        }
    }
    return 0;
}

static int json_labels(struct rule *r, const json_t *labels, struct load_ctx *lc)
{
    size_t i;
    json_t *v;

    if (!labels)
        return 0;
    if (!json_is_array(labels) || json_array_size(labels) > TAIL_LINE_LABELS_MAX)
        LOAD_FAIL(lc, "'labels' must be an array of at most %d keys", TAIL_LINE_LABELS_MAX);
    json_array_foreach(labels, i, v) {
        if (!json_is_string(v))
            LOAD_FAIL(lc, "labels[%zu]: not a string", i);
        r->labels[r->n_labels].name = strdup(json_string_value(v));
        if (!r->labels[r->n_labels].name)
            return -ENOMEM;
        r->labels[r->n_labels++].group = -1;
    }
    return 0;
}

/* "event": { "min_level": "error", "min_status": 500 } */
static int event_cond(struct rule *r, const json_t *ev, struct load_ctx *lc)
{
    const json_t *lvl, *st;

    if (!ev)
        return 0;
    if (!json_is_object(ev))
        LOAD_FAIL(lc, "'event' must be an object");
    lvl = json_object_get(ev, "min_level");
    st = json_object_get(ev, "min_status");
    if (json_object_size(ev) != (size_t)(!!lvl + !!st))
        LOAD_FAIL(lc, "'event' takes only min_level and min_status");
    if (lvl) {
        const char *s = json_string_value(lvl);

        r->min_level = s ? tail_level_parse(s, strlen(s)) : TAIL_LEVEL_NONE;
        if (r->min_level == TAIL_LEVEL_NONE)
            LOAD_FAIL(lc, "event.min_level: unknown level");
    }
    if (st) {
        json_int_t v = json_is_integer(st) ? json_integer_value(st) : 0;

        if (v < 100 || v > 599)
            LOAD_FAIL(lc, "event.min_status: an HTTP status from 100 to 599");
        r->min_status = (int)v;
    }
    return 0;
}

static const char *const rule_keys[] = { "name", "pattern", "parser", "fields", "labels",
                                          "time_format", "service", "event", "description",
                                          "samples", NULL };

static int check_keys(const json_t *o, struct load_ctx *lc)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)o, k, v) {
        int i;

        for (i = 0; rule_keys[i]; i++)
            if (strcmp(rule_keys[i], k) == 0)
                break;
        if (!rule_keys[i])
            LOAD_FAIL(lc, "unknown key '%s'", k);
    }
    return 0;
}

static int rule_strings(struct rule *r, const json_t *o, struct load_ctx *lc)
{
    const json_t *tf = json_object_get(o, "time_format"), *svc = json_object_get(o, "service");
    char names[160];

    r->timefmt = TAIL_TIME_RFC3339;
    if (tf) {
        r->timefmt = json_is_string(tf) ? tail_timefmt_lookup(json_string_value(tf)) : -1;
        if (r->timefmt < 0) {
            tail_timefmt_list(names, sizeof(names));
            LOAD_FAIL(lc, "time_format: one of %s", names);
        }
    }
    if (svc) {
        if (!json_is_string(svc) || !json_string_length(svc))
            LOAD_FAIL(lc, "'service' must be a non-empty string");
        r->service = strdup(json_string_value(svc));
        if (!r->service)
            return -ENOMEM;
    }
    return 0;
}

/* Build one rule from its JSON object.  r must be zeroed; on error the
 * caller releases it. */
static int rule_from_json(struct rule *r, const json_t *o, struct load_ctx *lc)
{
    const json_t *name = json_object_get(o, "name"), *pat, *parser;
    int ret;

    if (!json_is_object(o))
        LOAD_FAIL(lc, "a rule must be an object");
    if (!json_is_string(name) || !json_string_length(name))
        LOAD_FAIL(lc, "missing 'name'");
    lc->rule = json_string_value(name);
    r->name = strdup(lc->rule);
    if (!r->name)
        return -ENOMEM;
    for (int f = 0; f < RF_N; f++)
        r->group[f] = -1;
    r->min_level = TAIL_LEVEL_NONE;
    if ((ret = check_keys(o, lc)) < 0 || (ret = rule_strings(r, o, lc)) < 0 ||
        (ret = event_cond(r, json_object_get(o, "event"), lc)) < 0)
        return ret;
    pat = json_object_get(o, "pattern");
    parser = json_object_get(o, "parser");
    if (parser) {
        if (!json_is_string(parser) || strcmp(json_string_value(parser), "json") != 0 || pat)
            LOAD_FAIL(lc, "'parser' must be \"json\", without 'pattern'");
        r->json = true;
        if ((ret = json_fields(r, json_object_get(o, "fields"), lc)) < 0)
            return ret;
        return json_labels(r, json_object_get(o, "labels"), lc);
    }
    if (!json_is_string(pat))
        LOAD_FAIL(lc, "missing 'pattern' (or \"parser\": \"json\")");
    if (json_object_get(o, "fields") || json_object_get(o, "labels"))
        LOAD_FAIL(lc, "'fields' and 'labels' are for JSON rules; use named groups");
    return compile_pattern(r, json_string_value(pat), lc);
}

/* Append rules (taking ownership) and grow the shared match data. */
static int append_rules(struct tail_rules *rs, struct rule *add, uint32_t n)
{
    uint32_t pairs = rs->md_pairs;

    if (rs->n + n > RULES_MAX)
        return -E2BIG;
    if (rs->n + n > rs->cap) {
        struct rule *nr = realloc(rs->rules, (rs->n + n) * sizeof(*nr));

        if (!nr)
            return -ENOMEM;
        rs->rules = nr;
        rs->cap = rs->n + n;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = 0;

        if (add[i].code)
            pcre2_pattern_info(add[i].code, PCRE2_INFO_CAPTURECOUNT, &c);
        if (c + 1 > pairs)
            pairs = c + 1;
    }
    if (pairs > rs->md_pairs || !rs->md) {
        pcre2_match_data *md = pcre2_match_data_create(pairs ? pairs : 1, NULL);

        if (!md)
            return -ENOMEM;
        pcre2_match_data_free(rs->md);
        rs->md = md;
        rs->md_pairs = pairs;
    }
    memcpy(rs->rules + rs->n, add, n * sizeof(*add));
    rs->n += n;
    return 0;
}

static int rule_name_taken(const struct tail_rules *rs, const struct rule *add, uint32_t n,
                           const char *name)
{
    for (uint32_t i = 0; i < rs->n; i++)
        if (strcmp(rs->rules[i].name, name) == 0)
            return 1;
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(add[i].name, name) == 0)
            return 1;
    return 0;
}

static int load_file(struct tail_rules *rs, const char *path, char *err, size_t errsz)
{
    struct load_ctx lc = { .file = path, .err = err, .errsz = errsz };
    struct rule *add = NULL;
    json_t *doc = NULL, *list, *v;
    uint32_t n = 0;
    size_t i;
    int r;

    if ((r = iq_conf_load_file(path, &doc, err, errsz)) < 0)
        return r;
    list = json_object_get(doc, "rules");
    r = -EINVAL;
    if (!json_is_array(list) || json_array_size(list) == 0 ||
        json_array_size(list) > RULES_MAX) {
        snprintf(err, errsz, "%s: 'rules' must be an array of 1 to %d rules", path, RULES_MAX);
        goto out;
    }
    add = calloc(json_array_size(list), sizeof(*add));
    if (!add) {
        r = -ENOMEM;
        goto out;
    }
    json_array_foreach(list, i, v) {
        lc.rule = NULL;
        if ((r = rule_from_json(&add[n++], v, &lc)) < 0)
            goto out;
        if (rule_name_taken(rs, add, n - 1, add[n - 1].name)) {
            snprintf(err, errsz, "%s: rule '%s': name already used", path, add[n - 1].name);
            r = -EINVAL;
            goto out;
        }
    }
    if ((r = append_rules(rs, add, n)) < 0) {
        snprintf(err, errsz, "%s: %s", path, r == -E2BIG ? "too many rules" : strerror(-r));
        goto out;
    }
    r = (int)n;
    n = 0;
out:
    for (uint32_t k = 0; k < n; k++)
        tail_rule_release(&add[k]);
    free(add);
    json_decref(doc);
    return r;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct tail_rules *rs, const char *dir, char *err, size_t errsz)
{
    char *names[RULES_MAX], path[4096];
    size_t n = 0;
    struct dirent *de;
    DIR *d = opendir(dir);
    int r = 0, total = 0;

    if (!d) {
        snprintf(err, errsz, "%s: %s", dir, strerror(errno));
        return -errno;
    }
    while ((de = readdir(d)) && n < RULES_MAX) {
        size_t l = strlen(de->d_name);

        if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0 && de->d_name[0] != '.')
            if ((names[n] = strdup(de->d_name)))
                n++;
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_names);
    for (size_t i = 0; i < n && r >= 0; i++) {
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path))
            r = -ENAMETOOLONG;
        else if ((r = load_file(rs, path, err, errsz)) >= 0)
            total += r;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    return r < 0 ? r : total;
}

int tail_rules_load(struct tail_rules *rs, const char *path, char *err, size_t errsz)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -errno;
    }
    if (S_ISDIR(st.st_mode))
        return load_dir(rs, path, err, errsz);
    return load_file(rs, path, err, errsz);
}

int tail_rules_select(struct tail_rules *rs, const char *names, char *err, size_t errsz)
{
    uint32_t kept = 0;
    const char *p = names;

    while (*p) {
        size_t l = strcspn(p, ",");
        bool found = false;

        for (uint32_t i = 0; i < rs->n; i++)
            if (strlen(rs->rules[i].name) == l && strncmp(rs->rules[i].name, p, l) == 0)
                found = true;
        if (!found) {
            snprintf(err, errsz, "unknown rule '%.*s'", (int)(l > 64 ? 64 : l), p);
            return -ENOENT;
        }
        p += l + (p[l] == ',');
    }
    for (uint32_t i = 0; i < rs->n; i++) {
        size_t l = strlen(rs->rules[i].name);
        const char *q = strstr(names, rs->rules[i].name);
        bool listed = false;

        for (; q && !listed; q = strstr(q + 1, rs->rules[i].name))
            listed = (q == names || q[-1] == ',') && (q[l] == ',' || q[l] == '\0');
        if (listed)
            rs->rules[kept++] = rs->rules[i];
        else
            tail_rule_release(&rs->rules[i]);
    }
    rs->n = kept;
    return 0;
}
