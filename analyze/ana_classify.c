/* ana_classify.c - assign failure classes to an incident from its events.
 *
 * Every rule of every class is tried on the listed fields of each event;
 * every condition on each event's kind, action and time relative to the
 * start of impact.  A class's confidence combines the weights of the
 * distinct rules and conditions that held, as independent pieces of
 * evidence: 1 - prod(1 - weight).  Many events matching the same rule count
 * once, so a noisy alert repeated a hundred times is no stronger evidence
 * than one.  The class is kept when the confidence reaches its threshold.
 *
 * Design notes:
 * - Manual notes (kind note, source inquest, action class) are applied
 *   last, in (at, id) order: "set" keeps the class with confidence 1 even
 *   without evidence, "remove" drops it whatever the rules say.
 * - A field is examined up to ANA_TEXT_MAX bytes, cut on a UTF-8 character
 *   boundary so the pattern still sees valid UTF-8.
 * - A match that hits the match or depth limit counts as no match: a
 *   pathological pattern on hostile text costs bounded time, never a
 *   wrong class.  It is logged with the class, the rule, the limit and
 *   its config key (regex.classes), the 1st, 10th, 100th, ... time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ana_classes_int.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

#define MANUAL_MAX 64

/* Per-class state while classifying. */
struct hit {
    bool *rule_hit;
    bool *cond_hit;
    json_t *evidence;
    json_t *conditions;
    int manual;           /* 0 none, 1 set, -1 removed */
    const char *note;     /* id of the deciding note */
};

/* A manual decision about a class the taxonomy does not know. */
struct extra {
    const char *name;
    const char *note;
    int manual;
};

struct run {
    const struct ana_classes *c;
    pcre2_match_data *md;
    struct hit *hits;
    struct extra extra[MANUAL_MAX];
    size_t n_extra;
};

static bool kind_ok(uint32_t kinds, const char *kind)
{
    if (!kinds)
        return true;
    for (size_t k = 0; iq_kinds[k]; k++)
        if (strcmp(iq_kinds[k], kind) == 0)
            return (kinds >> k) & 1u;
    return false;
}

/* Does rule ru (of class cl) match s?  A limit hit is no match, logged. */
static bool match(struct run *r, const struct ana_class *cl, struct ana_rule *ru, const char *s)
{
    size_t len = iq_utf8_prefix(s, strlen(s), ANA_TEXT_MAX);
    int rc = pcre2_match(ru->re, (PCRE2_SPTR)s, len, 0, 0, r->md, r->c->mctx);
    char what[160];
    uint64_t n;

    if (iq_re_is_limit(rc) && iq_re_hit(&ru->limit_hits, &n))
        iq_warn("classes", "class '%s' rule '%s': a text hit %s; counted as no match (%llu "
                "time%s so far)", cl->name, ru->id,
                iq_re_describe(rc, iq_re_limits_of(IQ_RE_CLASSES), what, sizeof(what)),
                (unsigned long long)n, n == 1 ? "" : "s");
    return rc >= 0;
}

static int add_evidence(json_t *arr, const char *k1, const char *v1, const char *k2,
                        const char *v2, const char *k3, const char *v3)
{
    json_t *o;

    if (json_array_size(arr) >= ANA_EVIDENCE_MAX)
        return 0;
    o = k3 ? json_pack("{s:s, s:s, s:s}", k1, v1, k2, v2, k3, v3)
           : json_pack("{s:s, s:s}", k1, v1, k2, v2);
    return o && json_array_append_new(arr, o) == 0 ? 0 : -ENOMEM;
}

/* First field of ev where rule ru matches, as a name ("title",
 * "label:alertname"), written into buf; NULL when none does. */
static const char *rule_field(struct run *r, const struct ana_class *cl, struct ana_rule *ru,
                              const struct iq_event *ev, char *buf, size_t size)
{
    for (int f = 0; f < IQ_F_NSTR; f++)
        if (((ru->fields >> f) & 1u) && ev->str[f] && match(r, cl, ru, ev->str[f]))
            return iq_fields[f].name;
    for (size_t i = 0; i < ru->n_labels; i++) {
        const char *v = iq_event_label(ev, ru->labels[i]);

        if (v && match(r, cl, ru, v)) {
            snprintf(buf, size, "label:%s", ru->labels[i]);
            return buf;
        }
    }
    return NULL;
}

static bool cond_holds(const struct ana_cond *co, const struct iq_event *ev, int64_t impact)
{
    const char *act = iq_ev_action(ev);
    bool ok = co->n_actions == 0;

    if (!kind_ok(co->kinds, iq_ev_kind(ev)))
        return false;
    for (size_t i = 0; i < co->n_actions && !ok; i++)
        ok = act && strcmp(co->actions[i], act) == 0;
    return ok && ev->at >= impact - co->before_ms && ev->at <= impact + co->after_ms;
}

static int scan_event(struct run *r, const struct iq_event *ev, int64_t impact)
{
    char buf[160];

    for (size_t k = 0; k < r->c->n; k++) {
        const struct ana_class *cl = &r->c->v[k];
        struct hit *h = &r->hits[k];

        for (size_t i = 0; i < cl->n_rules; i++) {
            struct ana_rule *ru = &cl->rules[i];
            const char *f;

            if (!kind_ok(ru->kinds, iq_ev_kind(ev)) ||
                !(f = rule_field(r, cl, ru, ev, buf, sizeof(buf))))
                continue;
            h->rule_hit[i] = true;
            if (add_evidence(h->evidence, "event", iq_ev_id(ev), "rule", ru->id, "field", f) < 0)
                return -ENOMEM;
        }
        for (size_t i = 0; impact != IQ_TIME_NONE && i < cl->n_conds; i++) {
            if (!cond_holds(&cl->conds[i], ev, impact))
                continue;
            h->cond_hit[i] = true;
            if (add_evidence(h->conditions, "event", iq_ev_id(ev), "condition",
                             cl->conds[i].id, NULL, NULL) < 0)
                return -ENOMEM;
        }
    }
    return 0;
}

static bool is_class_note(const struct iq_event *ev)
{
    const char *src = iq_ev_source(ev), *act = iq_ev_action(ev);

    return strcmp(iq_ev_kind(ev), "note") == 0 && src && strcmp(src, "inquest") == 0 && act &&
           strcmp(act, "class") == 0 && iq_event_label(ev, "class");
}

static int cmp_note(const void *a, const void *b)
{
    const struct iq_event *x = *(struct iq_event *const *)a, *y = *(struct iq_event *const *)b;

    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return strcmp(iq_ev_id(x), iq_ev_id(y));
}

/* Record one manual decision (already in order: later ones overwrite). */
static void apply_note(struct run *r, const struct iq_event *ev)
{
    const char *name = iq_event_label(ev, "class"), *op = iq_event_label(ev, "op");
    int m = op && strcmp(op, "remove") == 0 ? -1 : 1;

    for (size_t k = 0; k < r->c->n; k++)
        if (strcmp(r->c->v[k].name, name) == 0) {
            r->hits[k].manual = m;
            r->hits[k].note = iq_ev_id(ev);
            return;
        }
    for (size_t i = 0; i < r->n_extra; i++)
        if (strcmp(r->extra[i].name, name) == 0) {
            r->extra[i].manual = m;
            r->extra[i].note = iq_ev_id(ev);
            return;
        }
    if (r->n_extra < MANUAL_MAX)
        r->extra[r->n_extra++] = (struct extra){ .name = name, .note = iq_ev_id(ev), .manual = m };
}

static int apply_notes(struct run *r, struct iq_event *const *evs, size_t n)
{
    const struct iq_event **notes;
    size_t m = 0;

    for (size_t i = 0; i < n; i++)
        m += is_class_note(evs[i]);
    if (m == 0)
        return 0;
    if (!(notes = calloc(m, sizeof(*notes))))
        return -ENOMEM;
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (is_class_note(evs[i]))
            notes[m++] = evs[i];
    qsort(notes, m, sizeof(*notes), cmp_note);
    for (size_t i = 0; i < m; i++)
        apply_note(r, notes[i]);
    free(notes);
    return 0;
}

static double confidence(const struct ana_class *cl, const struct hit *h)
{
    double miss = 1.0;

    for (size_t i = 0; i < cl->n_rules; i++)
        if (h->rule_hit[i])
            miss *= 1.0 - cl->rules[i].weight;
    for (size_t i = 0; i < cl->n_conds; i++)
        if (h->cond_hit[i])
            miss *= 1.0 - cl->conds[i].weight;
    return 1.0 - miss;
}

static json_t *result(const char *name, const char *title, double conf, bool manual,
                      const char *note, json_t *evidence, json_t *conditions)
{
    json_t *o = json_pack("{s:s, s:s, s:f, s:b, s:O, s:O}", "class", name, "title", title,
                          "confidence", (double)(long long)(conf * 1000.0 + 0.5) / 1000.0,
                          "manual", manual, "evidence", evidence, "conditions", conditions);

    if (o && note && json_object_set_new(o, "note", json_string(note)) < 0) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

static int cmp_result(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    double cx = json_number_value(json_object_get(x, "confidence"));
    double cy = json_number_value(json_object_get(y, "confidence"));

    if (cx != cy)
        return cx > cy ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "class")),
                  json_string_value(json_object_get(y, "class")));
}

/* Sort arr in place by confidence, best first. */
static int sort_results(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v;

    if (n < 2)
        return 0;
    if (!(v = calloc(n, sizeof(*v))))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof(*v), cmp_result);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
    return 0;
}

static int collect(struct run *r, json_t *out)
{
    for (size_t k = 0; k < r->c->n; k++) {
        const struct ana_class *cl = &r->c->v[k];
        struct hit *h = &r->hits[k];
        double conf = confidence(cl, h);

        if (h->manual < 0 || (h->manual == 0 && conf + 1e-9 < cl->threshold))
            continue;
        if (json_array_append_new(out, result(cl->name, cl->title, h->manual > 0 ? 1.0 : conf,
                                              h->manual > 0, h->note, h->evidence,
                                              h->conditions)) < 0)
            return -ENOMEM;
    }
    for (size_t i = 0; i < r->n_extra; i++) {
        json_t *none = json_array();
        int rc;

        if (r->extra[i].manual < 0) {
            json_decref(none);
            continue;
        }
        rc = none ? json_array_append_new(out, result(r->extra[i].name, r->extra[i].name, 1.0,
                                                      true, r->extra[i].note, none, none))
                  : -1;
        json_decref(none);
        if (rc < 0)
            return -ENOMEM;
    }
    return sort_results(out);
}

static void run_free(struct run *r)
{
    for (size_t k = 0; r->hits && k < r->c->n; k++) {
        free(r->hits[k].rule_hit);
        free(r->hits[k].cond_hit);
        json_decref(r->hits[k].evidence);
        json_decref(r->hits[k].conditions);
    }
    free(r->hits);
    pcre2_match_data_free(r->md);
}

static int run_init(struct run *r, const struct ana_classes *c)
{
    r->c = c;
    r->md = pcre2_match_data_create(1, NULL);
    r->hits = calloc(c->n ? c->n : 1, sizeof(*r->hits));
    if (!r->md || !r->hits)
        return -ENOMEM;
    for (size_t k = 0; k < c->n; k++) {
        struct hit *h = &r->hits[k];

        h->rule_hit = calloc(c->v[k].n_rules + 1, sizeof(bool));
        h->cond_hit = calloc(c->v[k].n_conds + 1, sizeof(bool));
        h->evidence = json_array();
        h->conditions = json_array();
        if (!h->rule_hit || !h->cond_hit || !h->evidence || !h->conditions)
            return -ENOMEM;
    }
    return 0;
}

int ana_classify(const struct ana_classes *c, struct iq_event *const *evs, size_t n,
                 int64_t impact_start, json_t **ret)
{
    struct run r = { 0 };
    json_t *out = NULL;
    int rc;

    if (impact_start == IQ_TIME_NONE)
        for (size_t i = 0; i < n; i++)
            if (!is_class_note(evs[i]) && (impact_start == IQ_TIME_NONE || evs[i]->at < impact_start))
                impact_start = evs[i]->at;
    if ((rc = run_init(&r, c)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (!is_class_note(evs[i]) && (rc = scan_event(&r, evs[i], impact_start)) < 0)
            goto out;
    if ((rc = apply_notes(&r, evs, n)) < 0)
        goto out;
    if (!(out = json_array())) {
        rc = -ENOMEM;
        goto out;
    }
    if ((rc = collect(&r, out)) < 0)
        goto out;
    rc = (int)json_array_size(out);
    *ret = out;
    out = NULL;
out:
    json_decref(out);
    run_free(&r);
    return rc;
}
