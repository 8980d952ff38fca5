/* wh_source.h - the declarative mapping engine for webhook sources.
 *
 * Each source (alertmanager, github, slack, ...) is one JSON file in
 * schemas/sources/: its URL path, its authentication scheme, and rules that
 * turn the vendor's payload into canonical events (field templates, value
 * maps, the id, the time and its format).  The files are loaded and
 * validated once at start-up; a source with a plain JSON payload is added
 * without touching C.  The language is documented in docs/sources.md.
 *
 * Used by the HTTP endpoints (http.c) and by `inquest replay`
 * (recorded deliveries).  A loaded struct wh_sources is read-only and may
 * be shared by any number of threads. */
#ifndef WH_SOURCE_H
#define WH_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "http.h"   /* struct http_header */

struct iq_event;
struct wh_sources;   /* all loaded mapping files + per-source secrets */

/* Load every *.json in dir (validated: a bad file is an error naming the
 * file and the key).  conf is the daemon config's "sources" section
 * (borrowed; secrets per source, e.g. {"github": {"secret": "..."},
 * "alertmanager": {"token": "..."}}) or NULL.  A secret may also come from
 * the environment: INQUEST_<SOURCE>_SECRET or INQUEST_<SOURCE>_TOKEN (source
 * name upper-cased); the config file wins.  Caller owns *ret.
 * Returns 0, -ENOENT (no directory / no file), -EINVAL, -ENOMEM. */
int wh_sources_load(const char *dir, const json_t *conf, struct wh_sources **ret, char *err,
                    size_t errsz);

/* Free and NULL *ps.  NULL-safe. */
void wh_sources_destroy(struct wh_sources **ps);

struct wh_delivery {
    const char *path;            /* "/hooks/github" */
    const struct http_header *headers;
    size_t n_headers;
    const char *body;
    size_t body_len;
    int64_t received_at;         /* UTC ms: arrival time (now, or the recorded received_at) */
    bool authenticated;          /* a write token already vouched for it (http_access.h):
                                    the source's own scheme is not checked */
};

/* Authenticate (signature freshness judged against received_at), parse and
 * map one delivery.  All of d is borrowed.
 * On success returns 0 with *ret_evs (caller owns the array and each event,
 * free with wh_events_free; may be 0 events when the delivery is
 * acknowledged but ignored, e.g. a GitHub event type we do not map: then
 * *ret_status is 202 and err holds the reason) and *ret_status (200/202).
 * On failure returns a negative errno, *ret_status is the HTTP status
 * (400/401/404/413/415/...) and err a message naming the problem with its
 * JSON path; *ret_evs is untouched. */
int wh_sources_map(const struct wh_sources *s, const struct wh_delivery *d,
                   struct iq_event ***ret_evs, size_t *ret_n, int *ret_status, char *err,
                   size_t errsz);

/* As wh_sources_map, and when the source answers with a body of its own
 * (Slack's url_verification challenge) *ret_reply receives it as JSON text
 * (caller owns; NULL otherwise).  ret_reply may be NULL. */
int wh_sources_map_reply(const struct wh_sources *s, const struct wh_delivery *d,
                         struct iq_event ***ret_evs, size_t *ret_n, int *ret_status,
                         char **ret_reply, char *err, size_t errsz);

/* Free n events and the array.  NULL-safe. */
void wh_events_free(struct iq_event **evs, size_t n);

/* Number of loaded sources (0 for NULL), and the name and path of source i
 * (borrowed, valid until wh_sources_destroy).  For metrics and logs. */
size_t wh_sources_count(const struct wh_sources *s);
const char *wh_sources_name(const struct wh_sources *s, size_t i);
const char *wh_sources_path(const struct wh_sources *s, size_t i);

/* Does source i check deliveries with a secret of its own? */
bool wh_sources_has_secret(const struct wh_sources *s, size_t i);

/* Does source i take canonical events (format "canonical")? */
bool wh_sources_canonical(const struct wh_sources *s, size_t i);

/* Serve only the sources named in list ("alertmanager,events"); the others
 * answer 404, are not found by wh_sources_find and need no secret.
 * -EINVAL with err naming an unknown name.  Before serving. */
int wh_sources_enable(struct wh_sources *s, const char *list, char *err, size_t errsz);

/* Is source i served (not left out by wh_sources_enable)? */
bool wh_sources_enabled(const struct wh_sources *s, size_t i);

/* Index of the enabled source serving path, or -1 (also for NULL s). */
int wh_sources_find(const struct wh_sources *s, const char *path);

#endif
