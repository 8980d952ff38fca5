/* cli_remote.c - the reading commands (incidents, incident show, events,
 * draft, query, followups) over inquestd's HTTP API instead of the data
 * directory (see cli_remote.h).
 *
 * Design notes:
 *  - The choice of side is one rule for every reading command: --http on
 *    the command line, or INQUEST_HTTP in the environment without --data
 *    on the command line, means the API.  The default URL alone never
 *    does, so `inquest incidents` keeps reading ./inquest-data.
 *  - The command formats the answer with the same code as the data
 *    directory's, from the same JSON (the API serves what the store
 *    holds), so the two outputs are the same bytes; times given relative
 *    ("-2h") are sent absolute, so both sides mean the same instant.
 *  - Every failure maps to one exit status of cli_exit.h: no answer within
 *    --timeout (connection refused, a daemon that does not answer, 503
 *    busy) is 4; 401 and 403 say whether the token is missing, unknown or
 *    lacks the role, and exit 2; 404 is 3, as an unknown id on the data
 *    directory.
 *  - The answer is bounded (ANSWER_MAX); the token travels only to the
 *    URL given (iq_curl.c follows no redirects). */
#include "cli_remote.h"
#include "cli_exit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "iq_buf.h"
#include "iq_curl.h"
#include "iq_time.h"

#define ANSWER_MAX (256u * 1024 * 1024)
#define URL_MAX (64 * 1024)

int cli_remote_choose(const struct cli_ctx *ctx, const char *cmd, bool *ret)
{
    if (ctx->http_given == CLI_GIVEN_ARG && ctx->data_given == CLI_GIVEN_ARG)
        return cli_usage("%s: give --data DIR (read the store) or --http URL (ask inquestd), "
                         "not both", cmd);
    *ret = ctx->http_given == CLI_GIVEN_ARG ||
           (ctx->http_given == CLI_GIVEN_ENV && ctx->data_given != CLI_GIVEN_ARG);
    return 0;
}

int cli_remote_timeout(const char *cmd, const char *v, int64_t *ret_ms)
{
    int64_t ms;

    if (iq_duration_parse(v, &ms) < 0 || ms <= 0 || ms > 24LL * 3600 * 1000)
        return cli_usage("%s: --timeout: expected a duration such as 10s or 2m, got '%s'", cmd,
                         v);
    *ret_ms = ms;
    return 0;
}

const char *cli_remote_time(int64_t ms, char *buf, size_t size)
{
    if (ms == IQ_TIME_NONE)
        return NULL;
    iq_time_format(ms, buf, size);
    return buf;
}

/* s URL-encoded onto b, after prefix. */
static int add_escaped(struct iq_buf *b, const char *prefix, const char *s)
{
    char *esc = curl_easy_escape(NULL, s, 0);
    int r = esc ? iq_buf_printf(b, "%s%s", prefix, esc) : -ENOMEM;

    curl_free(esc);
    return r;
}

/* base + path [+ id + suffix] + ?params into *ret (caller frees). */
static int build_url(const char *base, const struct cli_remote_req *rq, char **ret)
{
    size_t bl = strlen(base);
    struct iq_buf b;
    char sep[2] = "?";
    int r;

    while (bl && base[bl - 1] == '/')
        bl--;
    iq_buf_init(&b, URL_MAX);
    r = iq_buf_add(&b, base, bl);
    if (r == 0)
        r = iq_buf_adds(&b, rq->path);
    if (r == 0 && rq->id)
        r = add_escaped(&b, "/", rq->id);
    if (r == 0 && rq->suffix)
        r = iq_buf_adds(&b, rq->suffix);
    for (size_t i = 0; i < rq->n && r == 0; i++) {
        if (!rq->params[i].value)
            continue;
        if ((r = iq_buf_printf(&b, "%s%s=", sep, rq->params[i].name)) == 0)
            r = add_escaped(&b, "", rq->params[i].value);
        sep[0] = '&';
    }
    if (r == 0 && !(*ret = strndup(b.p, b.len)))
        r = -ENOMEM;
    iq_buf_free(&b);
    return r;
}

/* The server's reason in body: its "error" member, or the text itself
 * (first line), or def. */
static void reason(const char *body, const char *def, char *buf, size_t size)
{
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;
    const char *e = json_string_value(json_object_get(j, "error"));

    if (e)
        snprintf(buf, size, "%s", e);
    else if (body && *body && !j)
        snprintf(buf, size, "%.*s", (int)strcspn(body, "\r\n"), body);
    else
        snprintf(buf, size, "%s", def);
    json_decref(j);
}

/* The exit status of an answer other than 200, with its message. */
static int refused(const struct cli_ctx *ctx, const char *cmd, const struct cli_remote_req *rq,
                   long status, const char *body)
{
    char why[512];

    reason(body, "no reason given", why, sizeof(why));
    switch (status) {
    case 401:
        if (!ctx->token)
            fprintf(stderr, "inquest: %s: inquestd at %s needs a token with the read role "
                    "(INQUEST_TOKEN or --token-file): %s\n", cmd, ctx->http_url, why);
        else
            fprintf(stderr, "inquest: %s: inquestd at %s did not accept the token (INQUEST_TOKEN "
                    "or --token-file): %s\n", cmd, ctx->http_url, why);
        return CLI_EXIT_USAGE;
    case 403:
        fprintf(stderr, "inquest: %s: the token lacks the role this needs: %s\n", cmd, why);
        return CLI_EXIT_USAGE;
    case 404:
        fprintf(stderr, "inquest: %s: %s\n", cmd, rq->notfound ? rq->notfound : why);
        return CLI_EXIT_NOTFOUND;
    case 503:
        fprintf(stderr, "inquest: %s: inquestd at %s is unavailable (HTTP 503): %s\n", cmd,
                ctx->http_url, why);
        return CLI_EXIT_UNAVAILABLE;
    default:
        fprintf(stderr, "inquest: %s: refused by inquestd (HTTP %ld): %s\n", cmd, status, why);
        return CLI_EXIT_USAGE;
    }
}

int cli_remote_get(const struct cli_ctx *ctx, const char *cmd, const struct cli_remote_req *rq,
                   char **ret_body, size_t *ret_len)
{
    int64_t timeout_ms = rq->timeout_ms > 0 ? rq->timeout_ms : CLI_REMOTE_TIMEOUT_MS;
    struct iq_post p = { .bearer = ctx->token, .cacert = ctx->cacert,
                         .timeout_ms = (long)timeout_ms, .max_answer = ANSWER_MAX };
    char err[256] = "out of memory", *url = NULL, *body = NULL;
    long status = 0;
    int r, exit_status;

    if ((r = build_url(ctx->http_url, rq, &url)) < 0) {
        fprintf(stderr, "inquest: %s: %s\n", cmd, r == -E2BIG ? "request too long" : strerror(-r));
        return CLI_EXIT_USAGE;
    }
    p.url = url;
    r = iq_http_get(&p, &status, &body, err, sizeof(err));
    if (r < 0) {
        fprintf(stderr, "inquest: %s: no answer from inquestd at %s (timeout %lld ms): %s\n",
                cmd, ctx->http_url, (long long)timeout_ms, err);
        exit_status = r == -ENOMEM ? CLI_EXIT_USAGE : CLI_EXIT_UNAVAILABLE;
    } else if (status != 200) {
        exit_status = refused(ctx, cmd, rq, status, body);
    } else {
        *ret_len = body ? strlen(body) : 0;
        *ret_body = body ? body : strdup("");
        body = NULL;
        exit_status = *ret_body ? 0 : CLI_EXIT_USAGE;
    }
    free(body);
    free(url);
    return exit_status;
}

int cli_remote_get_json(const struct cli_ctx *ctx, const char *cmd,
                        const struct cli_remote_req *rq, json_t **ret)
{
    json_error_t je;
    char *body = NULL;
    size_t len = 0;
    int r = cli_remote_get(ctx, cmd, rq, &body, &len);

    if (r)
        return r;
    *ret = json_loadb(body, len, 0, &je);
    free(body);
    if (!*ret) {
        fprintf(stderr, "inquest: %s: inquestd at %s answered with invalid JSON: %s\n", cmd,
                ctx->http_url, je.text);
        return CLI_EXIT_USAGE;
    }
    return 0;
}
