/* cli_incident_note.c - `inquest incident merge|split|set`: manual
 * corrections, stored as audit notes.
 *
 * Nothing here edits an incident.  Each command checks its arguments
 * against the stored incidents (read-only), then sends one note event
 * (kind note, source inquest, service inquest, action merge/split/set, the
 * details in labels; docs/correlation.md) to inquestd over the ingest
 * protocol and waits for its acknowledgement.  The daemon's correlator
 * applies notes in time order after grouping, so the history is auditable
 * and a rebuild reproduces every correction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "cli.h"
#include "cli_incident.h"
#include "cli_zmq.h"
#include "cor_incident.h"
#include "ing_sender.h"
#include "ing_store.h"
#include "iq_event.h"
#include "iq_time.h"

static const char *const settable[] = { "impact_start", "detected", "acknowledged", "identified",
                                        "mitigated", "resolved", "title", NULL };

struct note_ack {
    unsigned long stored, duplicates, rejected;
    char reason[IQ_ERR_MAX];
};

static void on_ack(void *ud, const uint64_t *tags, uint32_t n, const struct ing_msg *m)
{
    struct note_ack *a = ud;

    (void)tags;
    if (m->type == ING_MSG_ERROR) {
        a->rejected += n;
        snprintf(a->reason, sizeof(a->reason), "%s", m->reason);
        return;
    }
    a->stored += m->stored;
    a->duplicates += m->duplicates;
    a->rejected += m->n_rejections;
    if (m->n_rejections)
        snprintf(a->reason, sizeof(a->reason), "%s", m->rejections[0].reason);
}

/* Does incident id exist in the store?  0 yes, 1 no (printed), 2 error. */
static int check_exists(const struct cli_ctx *ctx, const char *cmd, const char *id)
{
    struct ing_store *st = NULL;
    json_t *inc = NULL;
    int r = cli_incident_open(ctx, cmd, &st);

    if (r)
        return r;
    r = cor_incident_load(st, id, &inc);
    ing_store_close(&st);
    json_decref(inc);
    if (r == -ENOENT) {
        fprintf(stderr, "inquest: %s: no incident \"%.64s\"\n", cmd, id);
        return 1;
    }
    if (r < 0) {
        fprintf(stderr, "inquest: %s: %s: read error: %s\n", cmd, id, strerror(-r));
        return 2;
    }
    return 0;
}

static int build_note(const char *action, const char *id, struct iq_event **ret)
{
    struct iq_event *ev = iq_event_new();
    char nid[96], title[160];
    int64_t now = iq_time_now_ms();
    int r = -ENOMEM;

    if (!ev)
        return -ENOMEM;
    snprintf(nid, sizeof(nid), "inquest-note-%lld-%ld-%s", (long long)now, (long)getpid(), action);
    snprintf(title, sizeof(title), "%s %s", action, id);
    ev->at = now;
    if (iq_event_set_str(ev, IQ_F_ID, nid) < 0 || iq_event_set_str(ev, IQ_F_SOURCE, "inquest") < 0 ||
        iq_event_set_str(ev, IQ_F_KIND, "note") < 0 || iq_event_set_str(ev, IQ_F_ACTION, action) < 0 ||
        iq_event_set_str(ev, IQ_F_SERVICE, "inquest") < 0 ||
        iq_event_set_str(ev, IQ_F_TITLE, title) < 0 || iq_event_set_label(ev, "incident", id) < 0)
        goto out;
    *ret = ev;
    ev = NULL;
    r = 0;
out:
    iq_event_destroy(&ev);
    return r;
}

static int send_note(const struct cli_ctx *ctx, const char *cmd, struct iq_event *ev)
{
    struct ing_sender_opts o = { .endpoint = ctx->zmq_endpoint, .give_up_ms = 30000 };
    struct ing_curve_client curve;
    struct ing_sender *snd = NULL;
    struct note_ack ack = { 0 };
    char err[IQ_ERR_MAX];
    void *zctx = NULL;
    int r = -ENOMEM, status = 2;

    if (cli_zmq_keys(ctx, cmd, &o, &curve))
        return 2;
    if (iq_event_validate(ev, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: %s: %s\n", cmd, err);
        goto out;
    }
    zctx = zmq_ctx_new();
    if (!zctx || (r = ing_sender_new(zctx, &o, on_ack, &ack, &snd)) < 0 ||
        (r = ing_sender_push(snd, ev, 1)) < 0 || (r = ing_sender_flush(snd)) < 0) {
        cli_zmq_failed(ctx, cmd, snd, r, o.give_up_ms);
        goto out;
    }
    if (ack.rejected) {
        fprintf(stderr, "inquest: %s: note refused by ingest: %s\n", cmd, ack.reason);
        goto out;
    }
    if (!ctx->quiet)
        printf("recorded note %s; the correlator applies it within a second\n", iq_ev_id(ev));
    status = 0;
out:
    ing_sender_destroy(&snd);
    if (zctx)
        zmq_ctx_term(zctx);
    return status;
}

static int parse_split(int argc, char **argv, struct iq_event *ev)
{
    char ts[IQ_TIME_STRLEN];
    int64_t at;

    if (argc != 5)
        return cli_usage("incident split: usage: incident split A --at T | --service S");
    if (strcmp(argv[3], "--at") == 0) {
        if (iq_time_parse_arg(argv[4], &at) < 0)
            return cli_usage("incident split: --at: not an RFC 3339 time: \"%s\"", argv[4]);
        iq_time_format(at, ts, sizeof(ts));
        return iq_event_set_label(ev, "at", ts) < 0 ? 2 : 0;
    }
    if (strcmp(argv[3], "--service") == 0)
        return iq_event_set_label(ev, "split_service", argv[4]) < 0 ? 2 : 0;
    return cli_usage("incident split: expected --at T or --service S, not '%s'", argv[3]);
}

static int parse_set(int argc, char **argv, struct iq_event *ev)
{
    const char *eq = argc == 4 ? strchr(argv[3], '=') : NULL;
    char field[32];
    int64_t at;
    bool ok = false;

    if (!eq || (size_t)(eq - argv[3]) >= sizeof(field))
        return cli_usage("incident set: usage: incident set A FIELD=VALUE (FIELD a milestone "
                         "or title; VALUE an RFC 3339 time or null)");
    memcpy(field, argv[3], (size_t)(eq - argv[3]));
    field[eq - argv[3]] = '\0';
    for (int i = 0; settable[i]; i++)
        ok = ok || strcmp(settable[i], field) == 0;
    if (!ok)
        return cli_usage("incident set: unknown field \"%s\" (milestones: impact_start, detected, "
                         "acknowledged, identified, mitigated, resolved; or title)", field);
    if (strcmp(field, "title") != 0 && strcmp(eq + 1, "null") != 0 &&
        iq_time_parse_rfc3339(eq + 1, strlen(eq + 1), &at) < 0)
        return cli_usage("incident set: %s: not an RFC 3339 time or null: \"%s\"", field, eq + 1);
    if (iq_event_set_label(ev, "field", field) < 0 || iq_event_set_label(ev, "value", eq + 1) < 0)
        return 2;
    return 0;
}

int cli_incident_note_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    const char *action = argv[1];
    struct iq_event *ev = NULL;
    char cmd[32];
    int r;

    snprintf(cmd, sizeof(cmd), "incident %s", action);
    if (argc < 4)
        return cli_usage("%s: usage: incident merge A B | split A --at T | split A --service S | "
                         "set A FIELD=VALUE", cmd);
    if ((r = check_exists(ctx, cmd, argv[2])))
        return r;
    if (build_note(action, argv[2], &ev) < 0)
        return 2;
    if (strcmp(action, "merge") == 0) {
        if (argc != 4)
            r = cli_usage("incident merge: usage: incident merge A B");
        else if (strcmp(argv[2], argv[3]) == 0)
            r = cli_usage("incident merge: cannot merge %s into itself", argv[2]);
        else if (!(r = check_exists(ctx, cmd, argv[3])))
            r = iq_event_set_label(ev, "other", argv[3]) < 0 ? 2 : 0;
    } else if (strcmp(action, "split") == 0) {
        r = parse_split(argc, argv, ev);
    } else {
        r = parse_set(argc, argv, ev);
    }
    if (r == 0)
        r = send_note(ctx, cmd, ev);
    iq_event_destroy(&ev);
    return r;
}
