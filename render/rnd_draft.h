/* rnd_draft.h - the renderer's entry point: a postmortem draft of one
 * incident as Markdown, HTML or the JSON context, and its visual timeline
 * as SVG.
 *
 * Used by `inquest draft`, by inquestd when an incident resolves, and by
 * GET /api/v1/incidents/ID/draft.{md,html,json} and .../timeline.svg. */
#ifndef RND_DRAFT_H
#define RND_DRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct iq_event;
struct iq_tz;
struct store;

/* SVG: the visual timeline alone (rnd_svg.h), with the same audience,
 * pseudonyms and redaction as the draft; the HTML draft embeds the same. */
enum rnd_format { RND_FORMAT_MD = 0, RND_FORMAT_HTML, RND_FORMAT_JSON, RND_FORMAT_SVG };

struct rnd_draft_opts {
    const char *tmpl;         /* template name ("default", "pagerduty", "ja") or a
                                 file path; NULL: "default" */
    enum rnd_format format;
    bool external;            /* audience external: pseudonyms and redaction on,
                                 no chat, audit notes, internal links or
                                 machine names (rnd_external.h) */
    bool redact;              /* redaction for an internal audience too */
    bool pseudonymize;        /* people as "responder A", ... */
    const char *schemas_dir;  /* NULL: $INQUEST_SCHEMAS, ./schemas,
                                 /usr/local/share/inquest/schemas */
    size_t max_out;           /* 0: RND_OUT_MAX_DEFAULT */
    const json_t *recurrence; /* earlier incidents of the same class on the same
                                 service (analyze/ ana_recurrence), borrowed;
                                 NULL: the Recurrence section says none known */
    const json_t *people;     /* chat user id -> display name ({"U0123": "Ana"}),
                                 borrowed; NULL: none.  rnd_draft_from_store
                                 adds the slack-export directory to it */
    const char *svg_ref;      /* Markdown only: where the visual timeline is,
                              an http(s) URL or a file name beside the draft
                              ("inc-....svg"), shown next to the timeline
                              table; NULL: not referenced */
    const json_t *external_links; /* hosts an external draft may link to
                                 (rnd_external_apply), borrowed; NULL:
                                 ["status-page"] */
    int64_t generated_at;     /* the Markdown front matter's generated_at (UTC
                                 ms); 0: the clock */
    const struct iq_tz *tz;   /* local times beside UTC (rnd_local.h), borrowed;
                                 NULL: UTC only */
};

/* Parse "md"/"markdown", "html", "json", "svg". -EINVAL otherwise. */
int rnd_format_parse(const char *s, enum rnd_format *ret);

/* File extension of a format: "md", "html", "json", "svg". */
const char *rnd_format_ext(enum rnd_format f);

/* Find and compile template tmpl (a name under templates/, or a file path;
 * NULL: "default") as a draft would: 0, or -ENOENT / -EINVAL with err
 * saying what (for config checks). */
int rnd_draft_template_check(const char *tmpl, const char *schemas_dir, char *err,
                             size_t errsz);

/* Find rel (e.g. "templates/ja.mustache", "redaction.json") in the schema
 * directories.  Writes the path to buf.  -ENOENT when in none of them. */
int rnd_schema_path(const char *schemas_dir, const char *rel, char *buf, size_t size);

/* Render the draft of incident (borrowed) with its events (borrowed, time
 * order).  A Markdown draft opens with YAML front matter that links the
 * finished document back to its incident (docs/followups.md):
 *   ---
 *   incident: ID
 *   status: draft
 *   template: NAME
 *   generated_at: 2026-10-21T15:00:02.117Z
 *   ---  Caller owns *ret (NUL-terminated).  -EINVAL with err for a bad
 * incident, template or option; -ENOENT for an unknown template; -E2BIG,
 * -ENOMEM. */
int rnd_draft_render(const json_t *incident, struct iq_event *const *evs, size_t n,
                     const struct rnd_draft_opts *o, char **ret, size_t *ret_len,
                     char *err, size_t errsz);

/* The parts of an HTML draft from one build, for a page that places them
 * itself (the web UI's incident page): the Markdown the template makes
 * (with its iq-timeline block: rnd_html_article renders it) and the visual
 * timeline as inline SVG markup (rnd_svg_write with svg_flags, RND_SVG_*).
 * o->format is ignored.  Caller owns *ret_md and *ret_svg.  Errors as
 * rnd_draft_render. */
int rnd_draft_parts(const json_t *incident, struct iq_event *const *evs, size_t n,
                    const struct rnd_draft_opts *o, unsigned svg_flags, char **ret_md,
                    size_t *ret_md_len, char **ret_svg, size_t *ret_svg_len, char *err,
                    size_t errsz);

/* The context the templates see, with pseudonyms and redaction applied as
 * o asks (o->tmpl and o->format are ignored).  Caller owns *ret. */
int rnd_draft_context(const json_t *incident, struct iq_event *const *evs, size_t n,
                      const struct rnd_draft_opts *o, json_t **ret, char *err, size_t errsz);

/* Read incident id and its events from a store: the member events
 * (cor_incident_events) plus the events of its trigger candidates and its
 * audit notes (overrides), sorted
 * by (at, id).  Caller owns *ret_inc and the events (rnd_draft_events_free).
 * -ENOENT when there is no such incident (err says so), -EIO, -ENOMEM. */
int rnd_draft_load(struct store *st, const char *id, json_t **ret_inc,
                   struct iq_event ***ret_evs, size_t *ret_n, char *err, size_t errsz);
void rnd_draft_events_free(struct iq_event ***pevs, size_t n);

/* The Recurrence section's data for incident inc (borrowed): earlier
 * incidents of the same failure class on the same service (analyze/
 * ana_recurrence).  *ret is NULL when no failure-class taxonomy is
 * available.  Caller owns *ret.  0, or negative errno with err set. */
int rnd_draft_recurrence(struct store *st, const json_t *inc, json_t **ret, char *err,
                         size_t errsz);

/* The names of the Slack users acting in evs (borrowed) whose events
 * carry no `user_name`: from the directory entries a slack-export import
 * stored (events "slack:user:ID", label user_name), then from configured
 * (borrowed, {"ID": "name"}, may be NULL).  Caller owns *ret (an object,
 * possibly empty).  0, -EIO, -ENOMEM. */
int rnd_draft_people(struct store *st, struct iq_event *const *evs, size_t n,
                     const json_t *configured, json_t **ret);

/* An incident read from a store with everything its draft needs. */
struct rnd_draft_doc {
    json_t *incident;          /* owned */
    struct iq_event **evs;     /* owned, (at, id) order (rnd_draft_load) */
    size_t n;
    json_t *recurrence;        /* owned (rnd_draft_recurrence); NULL without a taxonomy */
    json_t *people;            /* owned (rnd_draft_people): chat user id -> name */
};

/* Read incident id into *ret: rnd_draft_load, rnd_draft_recurrence and
 * rnd_draft_people with configured (borrowed, may be NULL) as the
 * configured names.  Caller owns *ret (rnd_draft_doc_free); untouched on
 * failure.  -ENOENT when there is no such incident, -EIO, -ENOMEM; err
 * says which. */
int rnd_draft_doc_load(struct store *st, const char *id, const json_t *configured,
                       struct rnd_draft_doc *ret, char *err, size_t errsz);

/* Free what d owns and zero it.  NULL-safe members. */
void rnd_draft_doc_free(struct rnd_draft_doc *d);

/* The same for incident id read from a store (cor_incident_load and
 * cor_incident_events, names as rnd_draft_people finds them with
 * o->people as the configured map).  -ENOENT when there is no such
 * incident. */
int rnd_draft_from_store(struct store *st, const char *id, const struct rnd_draft_opts *o,
                         char **ret, size_t *ret_len, char *err, size_t errsz);

#endif
