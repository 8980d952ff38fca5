/* pm_doc.c - one finished postmortem read into its record (see pm_doc.h).
 *
 * Three readers look at the same bytes:
 *  1. pm_front.c reads the front matter; this file checks each key it
 *     knows (incident, status, template, generated_at, owner, reviewers,
 *     classes, published_at, review_30, review_60) and reports a wrong
 *     value at its line.  Other keys are the team's own and are left alone.
 *  2. review/'s linter (rev_lint_doc) finds the action items and judges
 *     each one (strength, type, weak-or-not, owner, due date), and gives
 *     the lint findings.
 *  3. pm_md.c walks cmark-gfm's tree for the sections' text and, per
 *     action item line, the task box or Status value.
 * The items are the linter's, joined with the Markdown's by their first
 * line; the state is the Status value when it reads as one, else the task
 * box, else open.
 *
 * Design notes:
 * - Due dates are kept as written ("due_text") and as a day ("due") when
 *   pm_date_parse reads one; an unreadable date or Status value is a note
 *   (reported by `postmortems sync`, never fatal).
 * - The body is given to cmark-gfm with the front matter blanked (its bytes
 *   turned to spaces, its line breaks kept), so line numbers are the
 *   file's. */
#include "pm_doc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_time.h"
#include "pm_md.h"
#include "pm_words.h"
#include "rev_file.h"
#include "rev_lint.h"

struct pm_reader {
    struct rev_rules *rules;
};

int pm_reader_new(const char *rules_dir, struct pm_reader **ret, char *err, size_t errsz)
{
    char dir[4096];
    struct pm_reader *rd;
    int r = rev_schemas_find(rules_dir, "lint", dir, sizeof(dir), err, errsz);

    if (r < 0)
        return r;
    if (!(rd = calloc(1, sizeof(*rd))))
        return -ENOMEM;
    if ((r = rev_rules_load_dir(dir, &rd->rules, err, errsz)) < 0) {
        free(rd);
        return r;
    }
    *ret = rd;
    return 0;
}

void pm_reader_destroy(struct pm_reader **prd)
{
    if (!prd || !*prd)
        return;
    rev_rules_destroy(&(*prd)->rules);
    free(*prd);
    *prd = NULL;
}

bool pm_id_valid(const char *s, size_t len)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-";

    if (len == 0 || len > PM_ID_MAX || s[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!s[i] || !strchr(ok, s[i]))
            return false;
    return true;
}

static int bad_key(const struct pm_front *f, struct pm_problem *prob, const char *key,
                   const char *what)
{
    prob->line = pm_front_line(f, key);
    prob->col = 1;
    snprintf(prob->msg, sizeof(prob->msg), "front matter '%s': %s", key, what);
    return -EINVAL;
}

/* The incident id of parsed front matter into id (idsz > PM_ID_MAX). */
static int front_incident(const struct pm_front *f, char *id, size_t idsz, struct pm_problem *prob)
{
    const json_t *v = json_object_get(f->values, "incident");
    const char *s = json_string_value(v);

    if (!v || json_is_null(v)) {
        prob->line = prob->col = 1;
        snprintf(prob->msg, sizeof(prob->msg), "no 'incident' in the front matter: not a "
                 "postmortem inquest tracks");
        return 1;
    }
    if (!s || !pm_id_valid(s, json_string_length(v)) || json_string_length(v) >= idsz)
        return bad_key(f, prob, "incident", "not an incident id (letters, digits and ._:-, "
                       "e.g. inc-20261021-3fa2c19e)");
    memcpy(id, s, json_string_length(v) + 1);
    return 0;
}

int pm_doc_incident(const char *text, size_t len, char *id, size_t idsz, unsigned *ret_line,
                    struct pm_problem *prob)
{
    struct pm_front f;
    int r = pm_front_parse(text, len, &f, prob);

    if (r == 1) {
        prob->line = prob->col = 1;
        snprintf(prob->msg, sizeof(prob->msg), "no front matter: not a postmortem inquest tracks");
    }
    if (r == 0)
        r = front_incident(&f, id, idsz, prob);
    if (r == 0 && ret_line)
        *ret_line = pm_front_line(&f, "incident");
    pm_front_clear(&f);
    return r;
}

/* A string, or a list of strings, as an array (NULL when v is neither). */
static json_t *string_list(const json_t *v)
{
    json_t *out = json_array(), *e;
    size_t i;

    if (!out)
        return NULL;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);

        while (*s) {
            size_t n = strcspn(s, ",");
            size_t a = 0, b = n;

            while (a < b && strchr(" \t", s[a]))
                a++;
            while (b > a && strchr(" \t", s[b - 1]))
                b--;
            if (b > a)
                json_array_append_new(out, json_stringn(s + a, b - a));
            s += n + (s[n] == ',');
        }
        return out;
    }
    json_array_foreach(v, i, e) {
        if (!json_is_string(e) || json_string_length(e) == 0) {
            json_decref(out);
            return NULL;
        }
        json_array_append(out, e);
    }
    if (!json_is_array(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static int set_time(json_t *rec, const char *key, int64_t t)
{
    char buf[IQ_TIME_STRLEN];

    iq_time_format(t, buf, sizeof(buf));
    return json_object_set_new(rec, key, json_string(buf));
}

/* A follow-up review key: a state word, a date (held then), true/false. */
static int review_value(const struct pm_front *f, const char *key, int days, json_t *reviews,
                        struct pm_problem *prob)
{
    const json_t *v = json_object_get(f->values, key);
    const char *s = json_string_value(v);
    int64_t day;
    int st = s ? pm_state_parse(s, strlen(s)) : -1;
    json_t *o;

    if (!v || json_is_null(v))
        st = PM_STATE_OPEN;
    else if (s && (strcmp(s, "true") == 0 || strcmp(s, "held") == 0))
        st = PM_STATE_DONE;
    else if (s && strcmp(s, "false") == 0)
        st = PM_STATE_OPEN;
    o = json_pack("{s:i, s:s}", "after_days", days, "state", "open");
    if (!o)
        return -ENOMEM;
    if (st < 0 && s && pm_date_parse(s, strlen(s), IQ_TIME_NONE, &day) == 0) {
        char d[16];

        pm_date_format(day, d, sizeof(d));
        json_object_set_new(o, "held_on", json_string(d));
        st = PM_STATE_DONE;
    }
    if (st < 0) {
        json_decref(o);
        return bad_key(f, prob, key, "not a state (done, open, wontfix) or the date it was held");
    }
    json_object_set_new(o, "state", json_string(pm_state_name((enum pm_state)st)));
    return json_array_append_new(reviews, o) < 0 ? -ENOMEM : 0;
}

/* Check the known keys of f and copy them into rec. */
static int front_record(const struct pm_front *f, json_t *rec, int64_t *ret_generated,
                        struct pm_problem *prob)
{
    const json_t *v;
    const char *s;
    json_t *list, *reviews;
    int64_t t;
    int st, r;

    v = json_object_get(f->values, "status");
    st = PM_STATUS_DRAFT;
    if (v && !json_is_null(v) && (!(s = json_string_value(v)) || (st = pm_status_parse(s, strlen(s))) < 0))
        return bad_key(f, prob, "status", "not draft, in-review or published");
    json_object_set_new(rec, "status", json_string(pm_status_name((enum pm_status)st)));
    static const char *const strs[] = { "template", "owner" };
    for (size_t i = 0; i < 2; i++) {
        v = json_object_get(f->values, strs[i]);
        if (v && !json_is_null(v) && !json_is_string(v))
            return bad_key(f, prob, strs[i], "not a string");
        if (json_string_length(v))
            json_object_set(rec, strs[i], (json_t *)v);
    }
    static const char *const times[] = { "generated_at", "published_at" };
    for (size_t i = 0; i < 2; i++) {
        v = json_object_get(f->values, times[i]);
        s = json_string_value(v);
        if (!v || json_is_null(v))
            continue;
        if (!s || (iq_time_parse_lenient(s, strlen(s), &t) < 0 &&
                   pm_date_parse(s, strlen(s), IQ_TIME_NONE, &t) < 0))
            return bad_key(f, prob, times[i], "not a date or an RFC 3339 time");
        if (set_time(rec, times[i], t) < 0)
            return -ENOMEM;
        if (i == 0)
            *ret_generated = t;
    }
    static const char *const lists[] = { "reviewers", "classes" };
    for (size_t i = 0; i < 2; i++) {
        v = json_object_get(f->values, lists[i]);
        if (!v || json_is_null(v))
            continue;
        if (!(list = string_list(v)))
            return bad_key(f, prob, lists[i], "not a list of names");
        if (json_array_size(list) == 0)
            json_decref(list);
        else
            json_object_set_new(rec, lists[i], list);
    }
    if (!(reviews = json_array()) || json_object_set_new(rec, "reviews", reviews) < 0)
        return -ENOMEM;
    if ((r = review_value(f, "review_30", 30, reviews, prob)) < 0)
        return r;
    return review_value(f, "review_60", 60, reviews, prob);
}

static int note(json_t *rec, unsigned line, const char *fmt, const char *a)
{
    json_t *notes = json_object_get(rec, "notes");
    char msg[PM_PROBLEM_MAX];

    snprintf(msg, sizeof(msg), fmt, a);
    return json_array_append_new(notes, json_pack("{s:I, s:s}", "line", (json_int_t)line,
                                                  "message", msg)) < 0 ? -ENOMEM : 0;
}

/* The state of action a from the Markdown at its line. */
static int item_state(json_t *rec, const struct pm_md *md, const struct rev_action *a, json_t *o)
{
    const struct pm_md_item *mi = pm_md_item_at(md, a->line);
    const char *from = "default";
    int st = PM_STATE_OPEN;

    if (mi && mi->state >= 0) {
        st = mi->state;
        from = "status";
    } else if (mi && mi->checked >= 0) {
        st = mi->checked ? PM_STATE_DONE : PM_STATE_OPEN;
        from = "checkbox";
    }
    if (mi && mi->state < 0 && mi->state_text &&
        note(rec, a->line, "status \"%s\" is not done, open or wontfix: read as open",
             mi->state_text) < 0)
        return -ENOMEM;
    if (mi && mi->state_text && json_object_set_new(o, "status_text", json_string(mi->state_text)) < 0)
        return -ENOMEM;
    return json_object_set_new(o, "state", json_string(pm_state_name((enum pm_state)st))) < 0 ||
           json_object_set_new(o, "state_from", json_string(from)) < 0 ? -ENOMEM : 0;
}

/* Is s an empty slot of the template ("✍️")? */
static bool placeholder(const struct pm_reader *rd, const char *s)
{
    const struct rev_section *ai = rev_rules_section(rd->rules, "action-items");

    return ai && rev_re_any(ai->placeholders, s, strlen(s)) == 1;
}

/* The owner as written, without the full stop of a sentence that ends
 * with it ("Owner: Jo Chen. Due: ...") but keeping an initial ("Priya N."). */
static int owner_json(json_t *o, const char *owner)
{
    size_t n = strlen(owner);

    if (n >= 3 && owner[n - 1] == '.' && owner[n - 2] >= 'a' && owner[n - 2] <= 'z')
        n--;
    return json_object_set_new(o, "owner", json_stringn(owner, n)) < 0 ? -ENOMEM : 0;
}

static json_t *item_json(const struct pm_reader *rd, json_t *rec, const struct pm_md *md,
                         const struct rev_action *a, int64_t ref_ms)
{
    json_t *o = json_pack("{s:I, s:s, s:s?, s:n, s:s?, s:n, s:s, s:s, s:b}", "line",
                          (json_int_t)a->line, "text", a->text, "owner", a->owner, "due",
                          "due_text", a->due, "ticket", "type", rev_type_name(a->type),
                          "strength", rev_strength_name(a->strength), "weak", a->weak);
    size_t off, len;
    int64_t day;
    char d[16];
    int r;

    if (!o)
        return NULL;
    if (a->due && pm_date_parse(a->due, strlen(a->due), ref_ms, &day) == 0) {
        pm_date_format(day, d, sizeof(d));
        json_object_set_new(o, "due", json_string(d));
    } else if (a->due && note(rec, a->line, "due date \"%s\" is not a date inquest reads", a->due) < 0)
        goto bad;
    if (a->ticket && !placeholder(rd, a->ticket))
        json_object_set_new(o, "ticket", json_string(a->ticket));
    else if (!a->ticket && pm_ticket_find(a->text, strlen(a->text), &off, &len))
        json_object_set_new(o, "ticket", json_stringn(a->text + off, len));
    if (a->owner && (r = owner_json(o, a->owner)) < 0)
        goto bad;
    if (item_state(rec, md, a, o) == 0)
        return o;
bad:
    json_decref(o);
    return NULL;
}

static json_t *lint_json(const struct rev_result *res)
{
    json_t *findings = json_array();

    for (size_t i = 0; findings && i < rev_result_nfindings(res); i++) {
        const struct rev_finding *f = rev_result_finding(res, i);
        json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "line", (json_int_t)f->line,
                              "col", (json_int_t)f->col, "rule", f->rule->id, "severity",
                              rev_severity_name(rev_finding_severity(f)), "message",
                              rev_rule_message(f->rule, f->lang), "excerpt", f->excerpt);

        if (!o || json_array_append_new(findings, o) < 0) {
            json_decref(findings);
            return NULL;
        }
    }
    return json_pack("{s:I, s:I, s:o*}", "errors",
                     (json_int_t)rev_result_count(res, REV_SEV_ERROR), "warnings",
                     (json_int_t)rev_result_count(res, REV_SEV_WARNING), "findings", findings);
}

/* The position of a refusal of review/ ("NAME:LINE: what"): the line
 * moves into prob, the message keeps the what. */
static void locate(struct pm_problem *prob, const char *name, int r)
{
    size_t n = strlen(name);
    unsigned long line = 0;
    const char *p = prob->msg + n + 1;

    prob->line = prob->col = 1;
    if (!prob->msg[0]) {
        snprintf(prob->msg, sizeof(prob->msg), "%s", strerror(-r));
        return;
    }
    if (strncmp(prob->msg, name, n) != 0 || prob->msg[n] != ':')
        return;
    while (*p >= '0' && *p <= '9' && line < 100000000)
        line = line * 10 + (unsigned long)(*p++ - '0');
    if (line && p[0] == ':' && p[1] == ' ') {
        prob->line = (unsigned)line;
        memmove(prob->msg, p + 2, strlen(p + 2) + 1);
    }
}

/* Lint and Markdown, then the items, into rec. */
static int body_record(const struct pm_reader *rd, const char *name, const char *text, size_t len,
                       const struct pm_front *f, int64_t ref_ms, json_t *rec,
                       struct pm_problem *prob)
{
    struct rev_doc *doc = NULL;
    struct rev_result *res = NULL;
    struct pm_md md = { 0 };
    json_t *items = json_array();
    char *blank = malloc(len + 1);
    int r = -ENOMEM;

    if (!items || !blank || json_object_set_new(rec, "items", items) < 0)
        goto out;
    memcpy(blank, text, len);
    for (size_t i = 0; i < f->body_off && i < len; i++)
        if (blank[i] != '\n')
            blank[i] = ' ';
    if ((r = rev_doc_parse(name, text, len, &doc, prob->msg, sizeof(prob->msg))) < 0 ||
        (r = rev_lint_doc(doc, rd->rules, NULL, &res, prob->msg, sizeof(prob->msg))) < 0)
        goto out;
    r = -ENOMEM;
    if (pm_md_read(blank, len, rd->rules, &md) < 0 ||
        json_object_set_new(rec, "lang", json_string(rev_lang_name(rev_result_lang(res)))) < 0 ||
        json_object_set_new(rec, "root_cause", json_string(md.root_cause.p ? md.root_cause.p : "")) < 0 ||
        json_object_set_new(rec, "contributing_factors",
                            json_string(md.contributing.p ? md.contributing.p : "")) < 0)
        goto out;
    for (size_t i = 0; i < rev_result_nactions(res); i++)
        if (json_array_append_new(items, item_json(rd, rec, &md, rev_result_action(res, i), ref_ms)) < 0)
            goto out;
    r = json_object_set_new(rec, "lint", lint_json(res)) < 0 ? -ENOMEM : 0;
out:
    if (r < 0 && r != -ENOMEM && !prob->line)
        locate(prob, name, r);
    pm_md_clear(&md);
    rev_result_destroy(&res);
    rev_doc_destroy(&doc);
    free(blank);
    return r;
}

int pm_doc_read(const struct pm_reader *rd, const char *name, const char *text, size_t len,
                int64_t ref_ms, json_t **ret, struct pm_problem *prob)
{
    struct pm_front f;
    char id[PM_ID_MAX + 1];
    int64_t generated = IQ_TIME_NONE;
    json_t *rec = NULL;
    int r;

    memset(prob, 0, sizeof(*prob));
    if (len > PM_DOC_MAX) {
        prob->line = prob->col = 1;
        snprintf(prob->msg, sizeof(prob->msg), "over %u bytes", PM_DOC_MAX);
        return -E2BIG;
    }
    if ((r = pm_doc_incident(text, len, id, sizeof(id), NULL, prob)) != 0)
        return r;
    if ((r = pm_front_parse(text, len, &f, prob)) != 0)
        return r;
    r = -ENOMEM;
    if (!(rec = json_pack("{s:s, s:[]}", "incident", id, "notes")))
        goto out;
    if ((r = front_record(&f, rec, &generated, prob)) < 0)
        goto out;
    if (ref_ms == IQ_TIME_NONE)
        ref_ms = generated != IQ_TIME_NONE ? generated : iq_time_now_ms();
    if ((r = body_record(rd, name, text, len, &f, ref_ms, rec, prob)) < 0)
        goto out;
    *ret = rec;
    rec = NULL;
out:
    json_decref(rec);
    pm_front_clear(&f);
    return r;
}
