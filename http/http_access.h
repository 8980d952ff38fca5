/* http_access.h - who may use inquestd's HTTP API: bearer tokens with roles
 * and audiences, the role each request needs, and what counts as exposed.
 *
 * Roles (docs/security.md):
 *   read   the API: /api/v1/... (incidents, drafts, query), the web UI (/ and
 *          /ui/...) and anything else that is not /healthz, /metrics or a
 *          webhook;
 *   write  canonical events on the canonical webhook source (/hooks/events);
 *   admin  audit notes (POST /api/v1/incidents/ID/notes), the admin API
 *          (backup, retention: any path under /api/v1/admin/), POST /-/reload, plus read
 *          and write.  write does not imply read: a sender cannot read back.
 * A token limited to audience "external" is a read token that reaches only
 * the drafts, always rendered for the external audience and pseudonymised
 * (never the web UI, which shows incidents as the internal audience does).
 *
 * With no token configured the table is "open": every request is served as
 * the caller "anonymous" with read and write, never admin; the daemon only
 * allows that on loopback addresses (http_access_listen_is_loopback).
 * A loaded table is read-only and may be shared by any number of threads. */
#ifndef HTTP_ACCESS_H
#define HTTP_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum http_role {
    HTTP_ROLE_READ = 1 << 0,
    HTTP_ROLE_WRITE = 1 << 1,
    HTTP_ROLE_ADMIN = 1 << 2,
};

#define HTTP_ACCESS_TOKENS_MAX 256
#define HTTP_ACCESS_TOKEN_MIN 16        /* bytes of a clear-text token */
#define HTTP_ACCESS_NAME_MAX 64

struct http_access;

/* Who sent a request.  name is borrowed from the table (or a static
 * string) and valid as long as the table. */
struct http_caller {
    const char *name;      /* the token's name, or "anonymous" */
    unsigned roles;        /* HTTP_ROLE_* bits held */
    bool external;         /* audience external: drafts only, always external */
};

/* Build the table from the config's "access" section (borrowed; NULL when
 * absent), e.g. {"tokens": [{"name": "grafana", "token": "...", "role":
 * "read"}, {"name": "status-page", "sha256": "<64 hex>", "role": "read",
 * "audience": "external"}]}, plus the environment: INQUEST_READ_TOKEN,
 * INQUEST_WRITE_TOKEN and INQUEST_ADMIN_TOKEN add tokens named env-read,
 * env-write and env-admin.  Only SHA-256 digests are kept.  -EINVAL with
 * err naming the entry and the key (unknown key, missing name or role, a
 * token shorter than HTTP_ACCESS_TOKEN_MIN bytes, both or neither of token
 * and sha256, a duplicate name or token, audience external on a role other
 * than read), -E2BIG over HTTP_ACCESS_TOKENS_MAX, -ENOMEM.  Caller owns
 * *ret (an empty table when nothing is configured). */
int http_access_load(const json_t *conf, struct http_access **ret, char *err, size_t errsz);

/* Free and NULL *pa.  NULL-safe. */
void http_access_destroy(struct http_access **pa);

/* Number of tokens; 0 (or a NULL table) means open. */
size_t http_access_count(const struct http_access *a);

/* Does some token hold every bit of roles?  false for a NULL table. */
bool http_access_grants(const struct http_access *a, unsigned roles);

/* Decide a request outside /hooks/: method and path of the request line,
 * authorization the Authorization header's value (NULL when absent).
 * 0: allowed, *ret is the caller.  -EACCES (answer 401): no credential or
 * an unknown one.  -EPERM (answer 403): the caller lacks the role, or the
 * path is not open to its audience.  err says which.  A NULL or empty
 * table allows everything but admin paths, as "anonymous". */
int http_access_check(const struct http_access *a, const char *method, const char *path,
                      const char *authorization, struct http_caller *ret, char *err,
                      size_t errsz);

/* Decide a delivery to a webhook source.  Write tokens are accepted on the
 * canonical source only (canonical true); has_secret: that source also has
 * a secret of its own.  Returns 1 when a token with the write role
 * authenticated the delivery (*ret is the caller; the source's own check
 * is then skipped), 0 when the source's own authentication decides,
 * -EACCES (401) when the canonical source needs a write token and none
 * was given, -EPERM (403) for a known token without the write role. */
int http_access_check_hook(const struct http_access *a, bool canonical, bool has_secret,
                           const char *authorization, struct http_caller *ret, char *err,
                           size_t errsz);

/* Is the HTTP listen address "HOST:PORT" ("[v6]:PORT") loopback only:
 * 127.0.0.0/8, ::1, or a name resolving only to those? */
bool http_access_listen_is_loopback(const char *listen);

/* Is the ZeroMQ endpoint local: ipc:, inproc:, or tcp: on a
 * loopback address?  tcp with "*", 0.0.0.0 and interface names are not. */
bool http_access_zmq_is_loopback(const char *endpoint);

#endif
