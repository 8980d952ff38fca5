/* cli_incident_note.c - `inquest incident merge|split|set|attach`: manual
 * corrections, stored as audit notes.
 *
 * Nothing here edits an incident.  Each command turns its arguments into a
 * note request (correlate/cor_note.h: action merge/split/set/attach, the
 * details as keys) and hands it to cli_note_send: with an admin token (INQUEST_TOKEN
 * or --token-file) to inquestd's POST /api/v1/incidents/ID/notes, which
 * checks the incidents (and an attached event) itself; otherwise, after
 * checking here that the incidents exist and that the event may be
 * attached (the data directory read-only), as a note event over the
 * ingest protocol.  The daemon's correlator applies notes in time order
 * after grouping, so the history is auditable and a rebuild reproduces
 * every correction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_exit.h"
#include "cli_incident.h"
#include "cli_note_send.h"
#include "cor_incident.h"
#include "cor_note.h"
#include "store.h"
#include "iq_event.h"

/* The data directory, read-only, for every incident command (contract in
 * cli_incident.h). */
int cli_incident_open(const struct cli_ctx *ctx, const char *cmd, struct store **ret)
{
    struct store_opts o = { .read_only = true };

    if (store_open(ctx->data_dir, &o, ret) < 0) {
        fprintf(stderr, "inquest: %s: cannot open data directory %s\n", cmd, ctx->data_dir);
        return CLI_EXIT_UNAVAILABLE;
    }
    return 0;
}

/* Does incident id exist in the store?  0 yes, 3 no (printed), 2 error. */
static int check_exists(const struct cli_ctx *ctx, const char *cmd, const char *id)
{
    struct store *st = NULL;
    json_t *inc = NULL;
    int r = cli_incident_open(ctx, cmd, &st);

    if (r)
        return r;
    r = cor_incident_load(st, id, &inc);
    store_close(&st);
    json_decref(inc);
    if (r == -ENOENT) {
        fprintf(stderr, "inquest: %s: no incident \"%.64s\"\n", cmd, id);
        return CLI_EXIT_NOTFOUND;
    }
    if (r < 0) {
        fprintf(stderr, "inquest: %s: %s: read error: %s\n", cmd, id, strerror(-r));
        return 2;
    }
    return 0;
}

/* May event be attached to incident?  0 yes, 3 no such event, 2 refused
 * or error (printed). */
static int check_attach(const struct cli_ctx *ctx, const char *cmd, const char *incident,
                        const char *event)
{
    struct store *st = NULL;
    char err[IQ_ERR_MAX];
    int r = cli_incident_open(ctx, cmd, &st);

    if (r)
        return r;
    r = cor_note_check_attach(st, incident, event, err, sizeof(err));
    store_close(&st);
    if (r == -ENOENT || r == -EINVAL) {
        fprintf(stderr, "inquest: %s: %s\n", cmd, err);
        return r == -ENOENT ? CLI_EXIT_NOTFOUND : CLI_EXIT_USAGE;
    }
    if (r < 0) {
        fprintf(stderr, "inquest: %s: %s: read error: %s\n", cmd, event, strerror(-r));
        return 2;
    }
    return 0;
}

/* The note request of argv (argv[1] the action, argv[2] the incident). */
static int parse_request(int argc, char **argv, json_t *req)
{
    const char *action = argv[1];
    const char *eq;

    if (strcmp(action, "merge") == 0) {
        if (argc != 4)
            return cli_usage("incident merge: usage: incident merge A B");
        return json_object_set_new(req, "other", json_string(argv[3])) < 0 ? 2 : 0;
    }
    if (strcmp(action, "attach") == 0) {
        if (argc != 4)
            return cli_usage("incident attach: usage: incident attach INCIDENT EVENT_ID");
        return json_object_set_new(req, "event", json_string(argv[3])) < 0 ? 2 : 0;
    }
    if (strcmp(action, "split") == 0) {
        if (argc != 5 || (strcmp(argv[3], "--at") != 0 && strcmp(argv[3], "--service") != 0))
            return cli_usage("incident split: usage: incident split A --at T | --service S");
        return json_object_set_new(req, argv[3][2] == 'a' ? "at" : "service",
                                   json_string(argv[4])) < 0 ? 2 : 0;
    }
    eq = argc == 4 ? strchr(argv[3], '=') : NULL;
    if (!eq)
        return cli_usage("incident set: usage: incident set A FIELD=VALUE (FIELD a milestone "
                         "or title; VALUE an RFC 3339 time or null)");
    if (json_object_set_new(req, "field", json_stringn(argv[3], (size_t)(eq - argv[3]))) < 0 ||
        json_object_set_new(req, "value", json_string(eq + 1)) < 0)
        return 2;
    return 0;
}

int cli_incident_note_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    char cmd[32], id[IQ_ID_MAX], err[IQ_ERR_MAX];
    struct iq_event *ev = NULL;
    json_t *req = NULL;
    int r;

    snprintf(cmd, sizeof(cmd), "incident %s", argv[1]);
    if (argc < 4)
        return cli_usage("%s: usage: incident merge A B | split A --at T | split A --service S | "
                         "set A FIELD=VALUE | attach A EVENT_ID", cmd);
    if (!(req = json_pack("{s:s}", "action", argv[1])))
        return 2;
    if ((r = parse_request(argc, argv, req)))
        goto out;
    /* the same checks the daemon makes, before anything is sent */
    if (cor_note_build(cli_note_tables, argv[2], req, NULL, &ev, err, sizeof(err)) < 0) {
        r = cli_usage("incident %s", err);
        goto out;
    }
    if (!ctx->token && ((r = check_exists(ctx, cmd, argv[2])) ||
                        (strcmp(argv[1], "merge") == 0 && (r = check_exists(ctx, cmd, argv[3]))) ||
                        (strcmp(argv[1], "attach") == 0 &&
                         (r = check_attach(ctx, cmd, argv[2], argv[3])))))
        goto out;
    r = cli_note_send(ctx, cmd, argv[2], req, 30000, id, sizeof(id));
    if (r == 0 && !ctx->quiet)
        printf("recorded note %s; the correlator applies it within a second\n", id);
out:
    iq_event_destroy(&ev);
    json_decref(req);
    return r;
}
