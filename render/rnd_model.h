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

/* Build the context.  incident (schemas/incident.schema.json) and evs (in
 * time order) and people are borrowed; people names the actors (display
 * names, pseudonyms: rnd_people.h; with pseudonyms the caller applies
 * rnd_pseudo_json to the result afterwards for mentions in
 * text).  Caller owns *ret.  -EINVAL with err naming the bad member of the
 * incident, -ENOMEM. */
int rnd_model_build(const json_t *incident, struct iq_event *const *evs, size_t n,
                    struct rnd_people *people, json_t **ret, char *err, size_t errsz);

#endif
