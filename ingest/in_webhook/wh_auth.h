/* wh_auth.h - authentication of webhook deliveries, per source.
 *
 * Schemes: "none", "token" (Authorization: Bearer, or a shared-secret
 * header such as X-Gitlab-Token), "hmac-sha256" (GitHub X-Hub-Signature-256
 * over the raw body; with "timestamp_header", Grafana's signature over
 * "{unix seconds}:{body}" when that header is sent, timestamps more than 5
 * minutes from the arrival refused; with "fallback": "token", a delivery
 * without the signature header may carry the secret as a token instead),
 * "slack-v0" (X-Slack-Signature over
 * "v0:{timestamp}:{body}", timestamps older than 5 minutes refused) and
 * "pagerduty-v1" (X-PagerDuty-Signature, several v1= signatures allowed).
 * Every comparison is constant-time (libsodium). */
#ifndef WH_AUTH_H
#define WH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct wh_delivery;

/* One row of the scheme table in wh_auth.c (name, check, options); a new
 * scheme is one row there. */
struct wh_auth_scheme;

#define WH_AUTH_MAX_SKEW_MS (5 * 60 * 1000)

struct wh_auth {
    const struct wh_auth_scheme *scheme;  /* borrowed from the table; NULL = "none" */
    char *header;        /* lower-case header carrying the token or signature */
    char *prefix;        /* "sha256=" for hmac-sha256; NULL otherwise */
    char *ts_header;     /* hmac-sha256: lower-case timestamp header, or NULL */
    int token_fallback;  /* hmac-sha256: no signature header -> check as token */
    char *secret;        /* NULL: not configured, deliveries are not checked */
    size_t secret_len;
};

/* Fill a from a mapping file's "auth" object (borrowed; NULL = none).
 * -EINVAL with err naming the key.  Release with wh_auth_release. */
int wh_auth_compile(const json_t *spec, struct wh_auth *a, char *err, size_t errsz);

/* Set the secret (copied).  -ENOMEM. */
int wh_auth_set_secret(struct wh_auth *a, const char *secret);

/* Check d.  0 (accepted, or no secret configured), -EACCES with err saying
 * why (missing header, bad signature, stale timestamp). */
int wh_auth_check(const struct wh_auth *a, const struct wh_delivery *d, char *err,
                  size_t errsz);

void wh_auth_release(struct wh_auth *a);

/* Name of a's scheme as written in mapping files ("none" when unset). */
const char *wh_auth_scheme_name(const struct wh_auth *a);

/* True when a names a scheme other than "none". */
bool wh_auth_has_scheme(const struct wh_auth *a);

#endif
