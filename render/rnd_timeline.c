/* rnd_timeline.c - the timeline table of a draft.
 *
 * Turns the incident's member events into rows a reviewer can scan: one
 * row per meaningful event at minute resolution in UTC, a heading per day,
 * the milestones (IMPACT BEGINS, DETECTED, ACKNOWLEDGED, IDENTIFIED,
 * MITIGATED, RESOLVED) marked on the row of their evidence, and repeated
 * notifications folded into one row ("ServiceDown fired x14 on 3
 * instances").  Each row links to its source event when the event has a
 * URL.
 *
 * Design notes:
 *  - Collapsing: alerts, pages, logs and status updates with the same kind,
 *    action, title and service within RND_TIMELINE_WINDOW_MS of the group's
 *    first row fold into that row; chat, deploys, changes and notes never
 *    fold (each is a distinct human or system action).  A milestone's
 *    evidence always starts a row of its own so the marker sits at the
 *    right minute.  Only the last 64 groups are candidates, which keeps the
 *    pass linear for incidents of tens of thousands of events.
 *  - A milestone whose evidence is not a member event, or falls in another
 *    minute (an alert's startsAt before it was received), gets a row of
 *    its own; rows are then stably sorted by time.
 *  - Actors are shown only where they acted (acknowledged a page, wrote in
 *    chat), never next to a deploy or change: a person is not a cause.
 *    A manual correction (an audit note: merge, split, set, class) names
 *    who made it, the admin credential ("set identified to ..., by
 *    admin-alice"): that is the audit trail, not blame. */
#include "rnd_timeline.h"
#include "iq_buf.h"
#include "rnd_fmt.h"
#include "rnd_link.h"
#include "rnd_people.h"
#include "rnd_pseudo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"

#define OPEN_GROUPS   64
#define INSTANCES_MAX 64
#define CHAT_CLIP     240
#define TITLE_CLIP    200

struct row {
    int64_t at;
    size_t seq;                    /* insertion order, for a stable sort */
    const struct iq_event *ev;     /* NULL for a milestone-only row */
    char markers[128];             /* " · "-joined milestone markers, or "" */
    const char *rule;
    unsigned long count;
    const char *instances[INSTANCES_MAX];
    unsigned n_inst;
};

struct group {
    size_t row;
    char key[512];
};

struct builder {
    struct row *rows;
    size_t n, cap;
    struct group open[OPEN_GROUPS];
    size_t n_open, next_open;
    struct rnd_people *people;
};

static const char *str_or(const char *s, const char *alt)
{
    return s && *s ? s : alt;
}

static const char *actor_of(const struct iq_event *ev, struct rnd_people *people)
{
    if (!ev->str[IQ_F_ACTOR] || !*ev->str[IQ_F_ACTOR])
        return NULL;
    return str_or(rnd_people_actor(people, ev), RND_PEOPLE_UNKNOWN);
}

/* Underscores to spaces: "partial_outage" -> "partial outage". */
static void words(const char *s, char *buf, size_t size)
{
    size_t i = 0;

    for (; s[i] && i + 1 < size; i++)
        buf[i] = s[i] == '_' ? ' ' : s[i];
    buf[i] = '\0';
}

/* Who made an audit note: the label `by` (the admin token's name), else
 * the CurveZMQ key it came with (received_from), else its actor; a
 * pseudonym when people are pseudonymised.  NULL when nothing says. */
static const char *note_author(const struct iq_event *ev, struct rnd_people *people)
{
    const char *by = iq_event_label(ev, "by");
    struct rnd_pseudo *pseudo = rnd_people_pseudo(people);

    if (!by || !*by)
        by = ev->str[IQ_F_RECEIVED_FROM];
    if (!by || !*by)
        return actor_of(ev, people);
    return pseudo ? rnd_pseudo_name(pseudo, by) : by;
}

/* "Manual change: set identified to 2026-10-21T14:05:00Z, by admin-alice"
 * for the merge, split, set, attach and class notes of inquest's audit source. */
static json_t *describe_note(const struct iq_event *ev, struct rnd_people *people)
{
    const char *act = str_or(iq_ev_action(ev), "note"), *who = note_author(ev, people);
    const char *inc = str_or(iq_event_label(ev, "incident"), "?");
    char what[600], line[840];

    if (strcmp(act, "set") == 0)
        snprintf(what, sizeof(what), "set %.64s to %.200s", str_or(iq_event_label(ev, "field"), "?"),
                 str_or(iq_event_label(ev, "value"), "null"));
    else if (strcmp(act, "merge") == 0)
        snprintf(what, sizeof(what), "merged %.128s into %.128s",
                 str_or(iq_event_label(ev, "other"), "?"), inc);
    else if (strcmp(act, "split") == 0 && iq_event_label(ev, "split_service"))
        snprintf(what, sizeof(what), "split %.128s, service %.200s apart", inc,
                 iq_event_label(ev, "split_service"));
    else if (strcmp(act, "split") == 0)
        snprintf(what, sizeof(what), "split %.128s at %.64s", inc, str_or(iq_event_label(ev, "at"), "?"));
    else if (strcmp(act, "attach") == 0)
        snprintf(what, sizeof(what), "attached event %.200s to %.128s",
                 str_or(iq_event_label(ev, "event"), "?"), inc);
    else if (strcmp(act, "class") == 0)
        snprintf(what, sizeof(what), "class %.200s %.16s", str_or(iq_event_label(ev, "class"), "?"),
                 str_or(iq_event_label(ev, "op"), "set"));
    else
        snprintf(what, sizeof(what), "%.64s %.200s", act, str_or(ev->str[IQ_F_TITLE], inc));
    snprintf(line, sizeof(line), "Manual change: %s, by %.200s", what, who ? who : "an unrecorded admin");
    return json_string(line);
}

json_t *rnd_timeline_describe(const struct iq_event *ev, struct rnd_people *people)
{
    const char *kind = str_or(iq_ev_kind(ev), "event"), *action = str_or(iq_ev_action(ev), "");
    const char *title = str_or(ev->str[IQ_F_TITLE], str_or(ev->str[IQ_F_TEXT], iq_ev_id(ev)));
    const char *sev = ev->str[IQ_F_SEVERITY], *actor = actor_of(ev, people);
    char act[80], line[TITLE_CLIP + 200];
    json_t *j;

    words(action, act, sizeof(act));
    if (iq_event_is_audit_note(ev))
        return describe_note(ev, people);
    if (strcmp(kind, "chat") == 0) {
        bool oom;
        char *said = rnd_people_text(people, ev, &oom), *both = NULL;
        const char *text = str_or(said, title);

        if (oom || (actor && asprintf(&both, "%s: %s", actor, text) < 0)) {
            free(said);
            return NULL;
        }
        j = rnd_fmt_clip(both ? both : text, CHAT_CLIP);
        free(both);
        free(said);
        return j;
    }
    if (strcmp(kind, "alert") == 0)
        snprintf(line, sizeof(line), "%.*s %s%s%s%s", TITLE_CLIP, title, act, sev ? " (" : "",
                 sev ? sev : "", sev ? ")" : "");
    else if (strcmp(kind, "page") == 0)
        snprintf(line, sizeof(line), "Page %s: %.*s%s%s", act, TITLE_CLIP, title,
                 actor ? " by " : "", actor ? actor : "");
    else if (strcmp(kind, "status") == 0)
        snprintf(line, sizeof(line), "Status page %s: %.*s", act, TITLE_CLIP, title);
    else if (strcmp(kind, "deploy") == 0 || strcmp(kind, "change") == 0)
        snprintf(line, sizeof(line), "%s %s: %.*s", strcmp(kind, "deploy") == 0 ? "Deploy" : "Change",
                 act, TITLE_CLIP, title);
    else
        snprintf(line, sizeof(line), "%c%s %s: %.*s", kind[0] >= 'a' && kind[0] <= 'z' ? kind[0] - 32 : kind[0],
                 kind + 1, act, TITLE_CLIP, title);
    return rnd_fmt_clip(line, sizeof(line) - 1);
}

static bool collapsible(const struct iq_event *ev)
{
    const char *k = str_or(iq_ev_kind(ev), "");

    return strcmp(k, "alert") == 0 || strcmp(k, "page") == 0 || strcmp(k, "log") == 0 ||
           strcmp(k, "status") == 0;
}

static struct row *add_row(struct builder *b, int64_t at, const struct iq_event *ev)
{
    struct row *r;

    if (!(r = iq_array_grow(b->rows, b->n, &b->cap, sizeof(*r), 64)))
        return NULL;
    b->rows = r;
    r = &b->rows[b->n];
    memset(r, 0, sizeof(*r));
    r->at = at;
    r->seq = b->n++;
    r->ev = ev;
    r->count = 1;
    return r;
}

static void add_marker(struct row *r, const char *marker)
{
    size_t len = strlen(r->markers);

    snprintf(r->markers + len, sizeof(r->markers) - len, "%s%s", len ? " · " : "", marker);
}

static void note_instance(struct row *r, const struct iq_event *ev)
{
    const char *inst = iq_event_label(ev, "instance");

    if (!inst)
        inst = iq_event_label(ev, "host");
    if (!inst || r->n_inst == INSTANCES_MAX)
        return;
    for (unsigned i = 0; i < r->n_inst; i++)
        if (strcmp(r->instances[i], inst) == 0)
            return;
    r->instances[r->n_inst++] = inst;
}

static void group_key(const struct iq_event *ev, char *key, size_t size)
{
    snprintf(key, size, "%s\x1f%s\x1f%s\x1f%s", str_or(iq_ev_kind(ev), ""),
             str_or(iq_ev_action(ev), ""), str_or(ev->str[IQ_F_TITLE], ""),
             str_or(iq_ev_service(ev), ""));
}

/* Fold ev into an open group when it repeats one; true when folded. */
static bool fold(struct builder *b, const struct iq_event *ev, const char *key)
{
    for (size_t i = 0; i < b->n_open; i++) {
        struct row *r = &b->rows[b->open[i].row];

        if (strcmp(b->open[i].key, key) == 0 && ev->at - r->at <= RND_TIMELINE_WINDOW_MS) {
            r->count++;
            note_instance(r, ev);
            return true;
        }
    }
    return false;
}

static void open_group(struct builder *b, size_t row, const char *key)
{
    struct group *g = &b->open[b->next_open];

    g->row = row;
    snprintf(g->key, sizeof(g->key), "%s", key);
    b->next_open = (b->next_open + 1) % OPEN_GROUPS;
    if (b->n_open < OPEN_GROUPS)
        b->n_open++;
}

static const struct rnd_mark *mark_of(const struct rnd_mark *marks, size_t n, const char *id,
                                      size_t from)
{
    for (size_t i = from; i < n; i++)
        if (marks[i].event && strcmp(marks[i].event, id) == 0)
            return &marks[i];
    return NULL;
}

static int add_events(struct builder *b, struct iq_event *const *evs, size_t n,
                      const struct rnd_mark *marks, size_t n_marks, bool *placed)
{
    char key[512];

    for (size_t i = 0; i < n; i++) {
        const struct iq_event *ev = evs[i];
        bool is_evidence = mark_of(marks, n_marks, iq_ev_id(ev), 0) != NULL;
        struct row *r;

        if (collapsible(ev)) {
            group_key(ev, key, sizeof(key));
            if (!is_evidence && fold(b, ev, key))
                continue;
        }
        if (!(r = add_row(b, ev->at, ev)))
            return -ENOMEM;
        note_instance(r, ev);
        for (size_t m = 0; m < n_marks; m++) {
            if (placed[m] || !marks[m].event || strcmp(marks[m].event, iq_ev_id(ev)) != 0 ||
                rnd_day_of(marks[m].at) != rnd_day_of(ev->at) ||
                marks[m].at / 60000 != ev->at / 60000)
                continue;
            add_marker(r, marks[m].marker);
            placed[m] = true;
        }
        if (collapsible(ev))
            open_group(b, b->n - 1, key);
    }
    return 0;
}

static int cmp_rows(const void *a, const void *b)
{
    const struct row *x = a, *y = b;

    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The Event cell of a row. */
static json_t *row_text(const struct row *r, struct rnd_people *people)
{
    const struct iq_event *ev = r->ev;
    char extra[96] = "", *both = NULL;
    json_t *base, *j;

    if (!ev || r->rule) {
        snprintf(extra, sizeof(extra), "rule %s", str_or(r->rule, "manual"));
        if (!ev)
            return json_string(extra);
        base = rnd_timeline_describe(ev, people);
        j = !base || asprintf(&both, "evidence: %s (%s)", json_string_value(base), extra) < 0
                ? NULL : json_string(both);
        free(both);
        json_decref(base);
        return j;
    }
    if (r->count > 1 && strcmp(str_or(iq_ev_kind(ev), ""), "alert") == 0 &&
        strcmp(str_or(iq_ev_action(ev), ""), "firing") == 0) {
        snprintf(extra, sizeof(extra), " fired x%lu", r->count);
        base = json_string(str_or(ev->str[IQ_F_TITLE], iq_ev_id(ev)));
    } else {
        if (r->count > 1)
            snprintf(extra, sizeof(extra), " x%lu", r->count);
        base = rnd_timeline_describe(ev, people);
    }
    if (!base)
        return NULL;
    if (r->n_inst > 1) {
        size_t len = strlen(extra);

        snprintf(extra + len, sizeof(extra) - len, " on %u instances", r->n_inst);
    }
    if (!extra[0])
        return base;
    j = asprintf(&both, "%s%s", json_string_value(base), extra) < 0 ? NULL : json_string(both);
    free(both);
    json_decref(base);
    return j;
}

static json_t *row_json(const struct row *r, struct rnd_people *people)
{
    char hhmm[16];
    json_t *o, *text = row_text(r, people);

    rnd_fmt_hhmm(r->at, hhmm, sizeof(hhmm));
    o = json_pack("{s:s, s:o*, s:s, s:I}", "time", hhmm, "event", text, "source",
                  r->ev ? str_or(iq_ev_source(r->ev), "-") : "inquest", "count", (json_int_t)r->count);
    if (!o)
        return NULL;
    if (r->markers[0])
        json_object_set_new(o, "marker", json_string(r->markers));
    if (r->ev)
        json_object_set_new(o, "link", rnd_link_event(r->ev));
    if (r->ev)
        json_object_set_new(o, "id", json_string(iq_ev_id(r->ev)));
    return o;
}

/* Split the sorted rows into days. */
static json_t *days_json(const struct builder *b)
{
    json_t *days = json_array(), *rows = NULL;
    int64_t cur = INT64_MIN;
    char head[64], iso[16];

    for (size_t i = 0; days && i < b->n; i++) {
        const struct row *r = &b->rows[i];

        if (rnd_day_of(r->at) != cur) {
            cur = rnd_day_of(r->at);
            rnd_fmt_day_heading(r->at, head, sizeof(head));
            rnd_fmt_date_iso(r->at, iso, sizeof(iso));
            rows = json_array();
            if (json_array_append_new(days, json_pack("{s:s, s:s, s:o*}", "day", head, "date", iso,
                                                      "rows", rows)) < 0) {
                json_decref(days);
                return NULL;
            }
        }
        if (json_array_append_new(rows, row_json(r, b->people)) < 0) {
            json_decref(days);
            return NULL;
        }
    }
    return days;
}

int rnd_timeline_build(struct iq_event *const *evs, size_t n, const struct rnd_mark *marks,
                       size_t n_marks, struct rnd_people *people, json_t **ret)
{
    struct builder b = { .people = people };
    bool placed[16] = { false };
    json_t *days = NULL;
    int r = -ENOMEM;

    if (n_marks > 16)
        n_marks = 16;
    if ((r = add_events(&b, evs, n, marks, n_marks, placed)) < 0)
        goto out;
    r = -ENOMEM;
    for (size_t m = 0; m < n_marks; m++) {
        struct row *row;

        if (placed[m])
            continue;
        if (!(row = add_row(&b, marks[m].at, NULL)))
            goto out;
        row->rule = marks[m].rule;
        add_marker(row, marks[m].marker);
        if (marks[m].event) {
            for (size_t i = 0; i < n; i++)
                if (strcmp(iq_ev_id(evs[i]), marks[m].event) == 0)
                    row->ev = evs[i];
        }
        row->count = 1;
    }
    if (b.n)
        qsort(b.rows, b.n, sizeof(*b.rows), cmp_rows);
    if (!(days = days_json(&b)))
        goto out;
    *ret = days;
    r = 0;
out:
    free(b.rows);
    return r;
}
