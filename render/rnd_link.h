/* rnd_link.h - the link a draft gives for an event: a page a person can
 * open (GitHub html_url, a deployment's log or target URL, GitLab
 * web_url, an Argo CD application), never a vendor's API JSON. */
#ifndef RND_LINK_H
#define RND_LINK_H

#include <stdbool.h>
#include <jansson.h>

struct iq_event;

/* Is url an API endpoint rather than a page (api.github.com, a GitHub
 * Enterprise or GitLab /api/vN/ path, api.pagerduty.com, ...)? */
bool rnd_link_is_api(const char *url);

/* The link of ev, made safe by rnd_fmt_link: its url when that is a page;
 * when it is an API URL, the first page named in its raw payload (a
 * deployment status's log_url or target_url, a run's html_url, the
 * deployed commit's page, the repository's or project's page); else NULL
 * (no link rather than a link to JSON).  New JSON string; caller owns. */
json_t *rnd_link_event(const struct iq_event *ev);

#endif
