/* cli_note_send.c - deliver an audit note from the CLI to inquestd.
 *
 * Two ways, one entry point (cli_note_send):
 *  - with a token (INQUEST_TOKEN or --token-file), the note request goes
 *    to POST {--http}/api/v1/incidents/ID/notes with 'Authorization:
 *    Bearer'; the daemon checks the admin role and the incident, builds the
 *    note (correlate/cor_note.c) with the token's name as its "by" label and answers
 *    once it is stored.  HTTPS works with --cacert for a private CA.
 *  - without, the note is built here and sent over the ingest protocol
 *    (--zmq), as before access control existed; the ZeroMQ side decides
 *    whether it may (docs/security.md).
 * Either way the command waits for the daemon's answer, so a refusal (401,
 * 403, 404, a rejection) is printed with its reason and exits 2. */
#include "cli_note_send.h"
#include "cli_exit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <zmq.h>

#include "ana_note.h"
#include "cli_ack.h"
#include "cli_zmq.h"
#include "cor_note.h"
#include "ing_sender.h"
#include "iq_curl.h"
#include "iq_event.h"

#define ANSWER_MAX (64 * 1024)

const struct cor_note_action *const cli_note_tables[] = { cor_note_actions, ana_note_actions,
                                                          NULL };

struct note_ack {
    struct cli_ack_counts c;
    char reason[IQ_ERR_MAX];
};

static void on_ack(void *ud, const uint64_t *tags, uint32_t n, const struct ing_msg *m)
{
    struct note_ack *a = ud;

    cli_ack_count(&a->c, tags, n, m, cli_ack_keep_reason, a->reason);
}

/* Over ZeroMQ: build here, push, wait for the acknowledgement. */
static int send_zmq(const struct cli_ctx *ctx, const char *cmd, const char *incident,
                    const json_t *req, int64_t give_up_ms, char *ret_id, size_t idsz)
{
    struct ing_sender_opts o = { .endpoint = ctx->zmq_endpoint, .give_up_ms = give_up_ms,
                                 .retry_ms = 200 };
    struct ing_curve_client curve;
    struct ing_sender *snd = NULL;
    struct note_ack ack = { 0 };
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX];
    void *zctx = NULL;
    int r, status = 2;

    if (cli_zmq_keys(ctx, cmd, &o, &curve))
        return 2;
    if ((r = cor_note_build(cli_note_tables, incident, req, NULL, &ev, err, sizeof(err))) < 0) {
        fprintf(stderr, "inquest: %s: %s\n", cmd, err);
        return 2;
    }
    zctx = zmq_ctx_new();
    r = -ENOMEM;
    if (!zctx || (r = ing_sender_new(zctx, &o, on_ack, &ack, &snd)) < 0 ||
        (r = ing_sender_push(snd, ev, 0)) < 0 || (r = ing_sender_flush(snd)) < 0)
        status = cli_zmq_failed(ctx, cmd, snd, r, o.give_up_ms);
    else if (ack.c.rejected)
        fprintf(stderr, "inquest: %s: note refused by ingest: %s\n", cmd, ack.reason);
    else
        status = 0;
    if (status == 0)
        snprintf(ret_id, idsz, "%s", iq_ev_id(ev));
    iq_event_destroy(&ev);
    ing_sender_destroy(&snd);
    if (zctx)
        zmq_ctx_term(zctx);
    return status;
}

/* Over HTTP: the daemon builds and stores the note. */
static int send_http(const struct cli_ctx *ctx, const char *cmd, const char *incident,
                     const json_t *req, int64_t give_up_ms, char *ret_id, size_t idsz)
{
    struct iq_post p = { .bearer = ctx->token, .cacert = ctx->cacert,
                         .timeout_ms = (long)give_up_ms, .max_answer = ANSWER_MAX };
    char *body = json_dumps(req, JSON_COMPACT), *url = NULL, *esc = NULL, *answer = NULL;
    const char *base = ctx->http_url, *why;
    size_t bl = strlen(base);
    char err[256] = "out of memory";
    json_t *j = NULL;
    long status = 0;
    int r = -ENOMEM, exit_status = 2;

    while (bl && base[bl - 1] == '/')
        bl--;
    if (body && (esc = curl_easy_escape(NULL, incident, 0)) &&
        asprintf(&url, "%.*s/api/v1/incidents/%s/notes", (int)bl, base, esc) >= 0) {
        p.url = url;
        p.body = body;
        p.len = strlen(body);
        r = iq_http_post(&p, &status, &answer, err, sizeof(err));
    }
    if (r < 0) {
        fprintf(stderr, "inquest: %s: cannot deliver the note to %s: %s\n", cmd, base, err);
        exit_status = r == -ENOMEM ? CLI_EXIT_USAGE : CLI_EXIT_UNAVAILABLE;
        goto out;
    }
    j = answer ? json_loads(answer, 0, NULL) : NULL;
    if (status < 200 || status > 299) {
        why = json_string_value(json_object_get(j, "error"));
        fprintf(stderr, "inquest: %s: note refused by inquestd (HTTP %ld): %s\n", cmd, status,
                why ? why : answer ? answer : "no reason given");
        exit_status = status == 404 ? CLI_EXIT_NOTFOUND : CLI_EXIT_USAGE;
        goto out;
    }
    why = json_string_value(json_object_get(j, "note"));
    snprintf(ret_id, idsz, "%s", why ? why : "(unknown id)");
    exit_status = 0;
out:
    json_decref(j);
    free(answer);
    curl_free(esc);
    free(url);
    free(body);
    return exit_status;
}

int cli_note_send(const struct cli_ctx *ctx, const char *cmd, const char *incident,
                  const json_t *req, int64_t give_up_ms, char *ret_id, size_t idsz)
{
    if (ctx->token)
        return send_http(ctx, cmd, incident, req, give_up_ms, ret_id, idsz);
    return send_zmq(ctx, cmd, incident, req, give_up_ms, ret_id, idsz);
}
