/* tail_rule_match.c - matching one log line against a rule set.
 *
 * The hot path of `inquest tail`: every line of every followed file comes
 * through tail_rules_match.  The rule that matched last for a source is
 * tried first (a file almost always keeps one format), then the others in
 * load order.  Pattern rules run the JIT-compiled pcre2 code with the
 * set's shared match data and limits; a match or depth limit hit counts as
 * "this rule does not parse the line", never as a failure of the stream,
 * and is logged with the rule, the limit and its config key (the 1st,
 * 10th, 100th, ... hit of each rule).
 * JSON-lines rules parse the line with jansson (only when it starts with
 * '{') and keep the document as scratch so the spans stay valid until the
 * next call.
 *
 * Design notes: a line is parsed completely (time, level, status), but no
 * string is copied: the result is spans into the line.  The event
 * condition (min_level, min_status) is decided here so the caller only
 * builds an event for the few lines that need one. */
#include "tail_rule_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

static struct tail_span group_span(const struct tail_rules *rs, int no, const char *line)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rs->md);
    struct tail_span sp = { NULL, 0 };

    if (no < 0 || (uint32_t)no >= rs->md_pairs || ov[2 * no] == PCRE2_UNSET)
        return sp;
    sp.s = line + ov[2 * no];
    sp.len = ov[2 * no + 1] - ov[2 * no];
    return sp;
}

/* Small non-negative decimal from a span; -1 when not a number. */
static int span_int(struct tail_span sp, int max)
{
    int v = 0;

    if (sp.len == 0 || sp.len > 9)
        return -1;
    for (size_t i = 0; i < sp.len; i++) {
        if (sp.s[i] < '0' || sp.s[i] > '9')
            return -1;
        v = v * 10 + (sp.s[i] - '0');
    }
    return v > max ? -1 : v;
}

/* Syslog severity 0 (emerg) .. 7 (debug) to enum tail_level. */
static int pri_level(int pri)
{
    static const int map[8] = { TAIL_LEVEL_EMERGENCY, TAIL_LEVEL_ALERT, TAIL_LEVEL_CRITICAL,
                                TAIL_LEVEL_ERROR,     TAIL_LEVEL_WARN,  TAIL_LEVEL_NOTICE,
                                TAIL_LEVEL_INFO,      TAIL_LEVEL_DEBUG };

    return pri < 0 ? TAIL_LEVEL_NONE : map[pri & 7];
}

/* Derive time, level, status and the event condition from the spans. */
static void finish(const struct rule *r, const struct tail_span f[RF_N], struct tail_line *ll)
{
    ll->rule = r->name;
    ll->default_service = r->service;
    ll->at = IQ_TIME_NONE;
    /* JSON loggers write either RFC 3339 or epoch numbers under one key. */
    if (f[RF_TIME].len &&
        tail_time_parse(r->timefmt, f[RF_TIME].s, f[RF_TIME].len, iq_time_now_ms(), &ll->at) < 0 &&
        (r->timefmt != TAIL_TIME_RFC3339 ||
         tail_time_parse(TAIL_TIME_EPOCH, f[RF_TIME].s, f[RF_TIME].len, 0, &ll->at) < 0))
        ll->at = IQ_TIME_NONE;
    ll->level = f[RF_LEVEL].len ? tail_level_parse(f[RF_LEVEL].s, f[RF_LEVEL].len)
                                : pri_level(span_int(f[RF_PRI], 191));
    ll->status = f[RF_STATUS].len ? span_int(f[RF_STATUS], 999) : 0;
    if (ll->status < 0)
        ll->status = 0;
    ll->service = f[RF_SERVICE];
    ll->message = f[RF_MESSAGE];
    ll->is_event = (r->min_level != TAIL_LEVEL_NONE && ll->level >= r->min_level) ||
                   (r->min_status && ll->status >= r->min_status);
}

/* A line ran into a limit of rule r (pcre2 code rc): count it, and log
 * the 1st, 10th, 100th, ... time. */
static void limit_hit(struct rule *r, int rc)
{
    char what[160];
    uint64_t n;

    if (!iq_re_hit(&r->limit_hits, &n))
        return;
    iq_warn("tail", "log rule '%s': a line hit %s; the rule does not parse it (%llu line%s "
            "so far): simplify the pattern or raise the limit", r->name,
            iq_re_describe(rc, iq_re_limits_of(IQ_RE_LOGS), what, sizeof(what)),
            (unsigned long long)n, n == 1 ? "" : "s");
}

static int match_pattern(struct tail_rules *rs, struct rule *r, const char *line,
                         size_t len, struct tail_line *ll)
{
    struct tail_span f[RF_N];
    int rc = pcre2_match(r->code, (PCRE2_SPTR)line, len, 0, 0, rs->md, rs->mctx);

    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (iq_re_is_limit(rc)) {
        limit_hit(r, rc);
        return 0;
    }
    if (rc < 0)
        return -EIO;
    for (int i = 0; i < RF_N; i++)
        f[i] = group_span(rs, r->group[i], line);
    finish(r, f, ll);
    ll->n_labels = 0;
    for (uint32_t i = 0; i < r->n_labels; i++) {
        struct tail_span v = group_span(rs, r->labels[i].group, line);

        if (!v.len)
            continue;
        ll->label_key[ll->n_labels] = (struct tail_span){ r->labels[i].name,
                                                          strlen(r->labels[i].name) };
        ll->label_val[ll->n_labels++] = v;
    }
    return 1;
}

/* A JSON member as a span: strings as they are, numbers and booleans as
 * text in the set's number buffers. */
static struct tail_span json_span(struct tail_rules *rs, const json_t *v, int slot)
{
    struct tail_span sp = { NULL, 0 };
    char *b = rs->numbuf[slot];
    int n = -1;

    if (json_is_string(v)) {
        sp.s = json_string_value(v);
        sp.len = json_string_length(v);
        return sp;
    }
    if (json_is_integer(v))
        n = snprintf(b, RULE_NUMBUF, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        n = snprintf(b, RULE_NUMBUF, "%.3f", json_real_value(v));
    else if (json_is_boolean(v))
        n = snprintf(b, RULE_NUMBUF, "%s", json_is_true(v) ? "true" : "false");
    if (n > 0 && n < RULE_NUMBUF) {
        sp.s = b;
        sp.len = (size_t)n;
    }
    return sp;
}

static const json_t *json_pick(const json_t *doc, char *const keys[RULE_JSON_KEYS_MAX])
{
    for (int k = 0; k < RULE_JSON_KEYS_MAX && keys[k]; k++) {
        const json_t *v = json_object_get(doc, keys[k]);

        if (v)
            return v;
    }
    return NULL;
}

static int match_json(struct tail_rules *rs, const struct rule *r, const char *line,
                      size_t len, struct tail_line *ll)
{
    struct tail_span f[RF_N];
    json_t *doc;
    bool any = false;

    if (len < 2 || line[0] != '{')
        return 0;
    doc = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return 0;
    }
    json_decref(rs->scratch);
    rs->scratch = doc;
    for (int i = 0; i < RF_N; i++) {
        const json_t *v = json_pick(doc, r->keys[i]);

        f[i] = v ? json_span(rs, v, i) : (struct tail_span){ NULL, 0 };
        any = any || f[i].len;
    }
    if (!any)
        return 0;
    finish(r, f, ll);
    ll->n_labels = 0;
    for (uint32_t i = 0; i < r->n_labels; i++) {
        const json_t *v = json_object_get(doc, r->labels[i].name);
        struct tail_span sp = v ? json_span(rs, v, RF_N + (int)i) : (struct tail_span){ NULL, 0 };

        if (!sp.len)
            continue;
        ll->label_key[ll->n_labels] = (struct tail_span){ r->labels[i].name,
                                                          strlen(r->labels[i].name) };
        ll->label_val[ll->n_labels++] = sp;
    }
    return 1;
}

static int match_one(struct tail_rules *rs, struct rule *r, const char *line, size_t len,
                     struct tail_line *ll)
{
    return r->json ? match_json(rs, r, line, len, ll) : match_pattern(rs, r, line, len, ll);
}

int tail_rules_match(struct tail_rules *rs, const char *line, size_t len, int *hint,
                     struct tail_line *ret)
{
    int h = hint && *hint >= 0 && (uint32_t)*hint < rs->n ? *hint : -1;
    int r;

    if (h >= 0 && (r = match_one(rs, &rs->rules[h], line, len, ret)) != 0)
        return r;
    for (uint32_t i = 0; i < rs->n; i++) {
        if ((int)i == h)
            continue;
        r = match_one(rs, &rs->rules[i], line, len, ret);
        if (r < 0)
            return r;
        if (r > 0) {
            if (hint)
                *hint = (int)i;
            return 1;
        }
    }
    return 0;
}
