/* rnd_timeline.h - the draft's timeline: events at minute resolution in
 * UTC, a heading per day, milestones marked, repeats collapsed. */
#ifndef RND_TIMELINE_H
#define RND_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct iq_event;
struct rnd_people;

/* A milestone to mark: at its evidence event's row when that row is in the
 * same minute, else on a row of its own. */
struct rnd_mark {
    int64_t at;              /* UTC ms */
    const char *event;       /* evidence event id, or NULL; borrowed */
    const char *marker;      /* "IMPACT BEGINS"; borrowed */
    const char *rule;        /* rule that chose it; borrowed */
};

#define RND_TIMELINE_WINDOW_MS (30 * 60 * 1000)  /* repeats within this collapse */

/* Build [{"day": "Wednesday 21 October 2026", "date": "2026-10-21",
 * "rows": [{"time", "event", "source", "link"?, "marker"?, "count"}]}]
 * from evs (borrowed, in time order).  Actors are shown as people resolves
 * them (display names, pseudonyms; rnd_people.h).  Caller owns *ret.
 * -ENOMEM. */
int rnd_timeline_build(struct iq_event *const *evs, size_t n, const struct rnd_mark *marks,
                       size_t n_marks, struct rnd_people *people, json_t **ret);

/* One line describing ev for people ("HighErrorRate firing (critical)",
 * "page acknowledged by responder A").  New JSON string; caller owns. */
json_t *rnd_timeline_describe(const struct iq_event *ev, struct rnd_people *people);

#endif
