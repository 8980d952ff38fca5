/* rnd_model.h - the view model of a draft: incident JSON + its events ->
 * the JSON context templates render.
 *
 * The context's members are documented in docs/templates.md; the incident
 * itself is kept under "incident" for custom templates. */
#ifndef RND_MODEL_H
#define RND_MODEL_H

#include <stddef.h>
#include <jansson.h>

struct iq_event;
struct rnd_people;

/* The milestones a draft shows, in order (the members of the incident's
 * "milestones"), with their words: one table for the template context,
 * the timeline table's markers and the visual timeline (rnd_svg). */
struct rnd_milestone_def {
    const char *key;          /* member of incident.milestones: "impact_start" */
    const char *marker;       /* timeline marker: "IMPACT BEGINS" */
    const char *label;        /* sentence label: "Impact began" */
    const char *metric;       /* "TTD", ..., or NULL */
    const char *duration;     /* member of incident.durations, or NULL */
};

#define RND_MILESTONES_N 6
extern const struct rnd_milestone_def rnd_milestones[RND_MILESTONES_N];

/* Build the context.  incident (schemas/incident.schema.json) and evs (in
 * time order) and people are borrowed; people names the actors (display
 * names, pseudonyms: rnd_people.h; with pseudonyms the caller applies
 * rnd_pseudo_json to the result afterwards for mentions in
 * text).  Caller owns *ret.  -EINVAL with err naming the bad member of the
 * incident, -ENOMEM. */
int rnd_model_build(const json_t *incident, struct iq_event *const *evs, size_t n,
                    struct rnd_people *people, json_t **ret, char *err, size_t errsz);

#endif
