/* cli_remote.h - the reading commands over inquestd's HTTP API: which
 * side a command reads (the data directory or --http), and one GET with
 * the token, the timeout and the exit status of every failure. */
#ifndef CLI_REMOTE_H
#define CLI_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "cli.h"

#define CLI_REMOTE_TIMEOUT_MS 10000   /* --timeout's default */

/* Does command cmd read from inquestd at ctx->http_url (*ret true) or
 * from the data directory (false)?  --http on the command line means the
 * API, --data the directory; without either, INQUEST_HTTP set means the
 * API.  Both on the command line is a usage error: returns 2 with the
 * message printed, else 0. */
int cli_remote_choose(const struct cli_ctx *ctx, const char *cmd, bool *ret);

/* A reading command's --timeout DURATION (how long the API may take):
 * *ret_ms set, 0; or 2 with the usage error printed. */
int cli_remote_timeout(const char *cmd, const char *v, int64_t *ret_ms);

/* A request parameter, name=value (the value URL-encoded here; a NULL
 * value leaves the pair out). */
struct cli_remote_param {
    const char *name;
    const char *value;
};

#define CLI_REMOTE_PARAMS_MAX 12

/* One GET of the API. */
struct cli_remote_req {
    const char *path;          /* "/api/v1/incidents" */
    const char *id;            /* appended to path as one encoded segment, or NULL */
    const char *suffix;        /* appended after id ("/draft.md"), or NULL */
    struct cli_remote_param params[CLI_REMOTE_PARAMS_MAX];
    size_t n;
    int64_t timeout_ms;        /* the whole request */
    const char *notfound;      /* the message for a 404, or NULL: the server's reason */
};

/* GET the request from inquestd at ctx->http_url with ctx's token and CA
 * bundle.  On 200, *ret_body is the answer (NUL-terminated, caller frees)
 * and *ret_len its length, and 0 is returned.  Otherwise the reason is
 * printed prefixed by "inquest: CMD: " and the exit status returned: 4 when
 * inquestd did not answer within the timeout (or answered 503), 2 for a
 * missing or unknown token (401), a token without the role (403) or a
 * refused request (400), 3 for 404. */
int cli_remote_get(const struct cli_ctx *ctx, const char *cmd, const struct cli_remote_req *rq,
                   char **ret_body, size_t *ret_len);

/* cli_remote_get, the answer parsed as JSON (*ret, caller owns).  An
 * answer that is not JSON exits 2. */
int cli_remote_get_json(const struct cli_ctx *ctx, const char *cmd,
                        const struct cli_remote_req *rq, json_t **ret);

/* An absolute time ms as the RFC 3339 parameter value sent for --since and
 * --until (so "-2h" means the same on both sides), into buf
 * (IQ_TIME_STRLEN); NULL for IQ_TIME_NONE. */
const char *cli_remote_time(int64_t ms, char *buf, size_t size);

#endif
