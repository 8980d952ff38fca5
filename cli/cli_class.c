/* cli_class.c - `inquest class`: the failure classes of incidents.
 *
 *   inquest class list                      the taxonomy in use
 *   inquest class show INCIDENT [--json]    classes with evidence and confidence
 *   inquest class set INCIDENT CLASS        an analyst's decision, stored as a
 *   inquest class remove INCIDENT CLASS     note event (see docs/analysis.md)
 *   (all take --classes FILE; set/remove take --force and --give-up 60s)
 *
 * The decision is never an edit of the incident: it is a note event (kind
 * note, source inquest, action class, labels incident, class, op) sent to
 * inquestd like any event, with incident_key ANA_CLASS_NOTE_KEY so queries
 * find every note in one index scan, and applied whenever classes are
 * computed, so a rebuild keeps it.  set and remove check, on the data
 * directory opened read-only, that the incident exists, and that the class
 * is in the taxonomy; --force skips both (a team's own label, or a store on
 * another machine).  With an admin token the note goes to inquestd's HTTP
 * API instead (cli_note_send.c), which checks the incident itself.  list
 * and show read inquestd's GET /api/v1/classes[/ID] with --http
 * (cli_remote.h), with the daemon's taxonomy, printed the same way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_classes.h"
#include "ana_query.h"
#include "cli.h"
#include "cli_exit.h"
#include "cli_note_send.h"
#include "cli_remote.h"
#include "store.h"
#include "cor_incident.h"
#include "iq_event.h"
#include "iq_time.h"

struct class_args {
    const char *sub, *incident, *cls, *classes_path;
    bool json, force;
    int64_t give_up;
    int64_t timeout_ms;       /* --timeout, list and show with --http */
};

static const char usage_text[] = "class list | show INCIDENT [--json] | set|remove INCIDENT CLASS "
                                 "[--force] [--classes FILE]";

static int parse_args(int argc, char **argv, struct class_args *a)
{
    const char **pos[3] = { &a->sub, &a->incident, &a->cls };
    int np = 0;

    a->give_up = 60000;
    a->timeout_ms = CLI_REMOTE_TIMEOUT_MS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            a->json = true;
        else if (strcmp(argv[i], "--force") == 0)
            a->force = true;
        else if (strcmp(argv[i], "--classes") == 0 && i + 1 < argc)
            a->classes_path = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            if (cli_remote_timeout("class", argv[++i], &a->timeout_ms))
                return CLI_EXIT_USAGE;
        } else if (strcmp(argv[i], "--give-up") == 0 && i + 1 < argc) {
            if (iq_duration_parse(argv[++i], &a->give_up) < 0)
                return cli_usage("class: --give-up takes a duration such as 60s");
        } else if (argv[i][0] == '-' || np >= 3)
            return cli_usage("class: unexpected '%s' (usage: %s)", argv[i], usage_text);
        else
            *pos[np++] = argv[i];
    }
    if (!a->sub || (strcmp(a->sub, "list") == 0 && np != 1) ||
        (strcmp(a->sub, "show") == 0 && np != 2) ||
        ((strcmp(a->sub, "set") == 0 || strcmp(a->sub, "remove") == 0) && np != 3) ||
        !strstr(" list show set remove ", a->sub))
        return cli_usage("usage: %s", usage_text);
    return 0;
}

static void print_classes(const json_t *res)
{
    const json_t *c, *e;
    size_t i, j;

    if (json_array_size(res) == 0)
        puts("no class");
    json_array_foreach(res, i, c) {
        printf("%-20s %.2f%s  %s\n", json_string_value(json_object_get(c, "class")),
               json_number_value(json_object_get(c, "confidence")),
               json_is_true(json_object_get(c, "manual")) ? " (set by hand)" : "",
               json_string_value(json_object_get(c, "title")));
        json_array_foreach(json_object_get(c, "evidence"), j, e)
            printf("    rule %s matched %s of %s\n", json_string_value(json_object_get(e, "rule")),
                   json_string_value(json_object_get(e, "field")),
                   json_string_value(json_object_get(e, "event")));
        json_array_foreach(json_object_get(c, "conditions"), j, e)
            printf("    condition %s held for %s\n",
                   json_string_value(json_object_get(e, "condition")),
                   json_string_value(json_object_get(e, "event")));
    }
}

static int print_result(const struct class_args *a, json_t *res)
{
    if (a->json) {
        char *s = json_dumps(res, JSON_COMPACT);

        if (s)
            puts(s);
        free(s);
    } else {
        print_classes(res);
    }
    json_decref(res);
    return 0;
}

static int show(const struct cli_ctx *ctx, const struct class_args *a, struct ana_classes *c)
{
    struct store_opts so = { .read_only = true };
    struct store *st = NULL;
    json_t *res = NULL;
    int r;

    if ((r = store_open(ctx->data_dir, &so, &st)) < 0) {
        fprintf(stderr, "inquest: class: cannot open data directory %s: %s\n", ctx->data_dir,
                strerror(-r));
        return CLI_EXIT_UNAVAILABLE;
    }
    r = ana_classes_of(st, c, a->incident, &res);
    store_close(&st);
    if (r < 0) {
        fprintf(stderr, "inquest: class: %s: %s\n", a->incident,
                r == -ENOENT ? "no such incident" : strerror(-r));
        return r == -ENOENT ? CLI_EXIT_NOTFOUND : CLI_EXIT_USAGE;
    }
    return print_result(a, res);
}

/* list and show from inquestd's API (GET /api/v1/classes[/ID],
 * analyze/ana_http.c), with the daemon's taxonomy. */
static int remote(const struct cli_ctx *ctx, const struct class_args *a)
{
    char notfound[200];
    struct cli_remote_req rq = { .path = "/api/v1/classes", .timeout_ms = a->timeout_ms,
                                 .notfound = notfound };
    json_t *j = NULL, *v;
    size_t i;
    int r;

    if (a->classes_path)
        return cli_usage("class: --classes: over --http the daemon's taxonomy applies");
    if (strcmp(a->sub, "show") == 0)
        rq.id = a->incident;
    snprintf(notfound, sizeof(notfound), "%s: no such incident", a->incident ? a->incident : "");
    if ((r = cli_remote_get_json(ctx, "class", &rq, &j)))
        return r;
    if (rq.id)
        return print_result(a, j);
    json_array_foreach(j, i, v)
        puts(json_string_value(v));
    json_decref(j);
    return 0;
}

/* Refuse an unknown incident or class unless --force. */
static int check(const struct cli_ctx *ctx, const struct class_args *a, struct ana_classes *c)
{
    struct store_opts so = { .read_only = true };
    struct store *st = NULL;
    json_t *inc = NULL;
    int r;

    if (a->force)
        return 0;
    if (!ana_classes_has(c, a->cls) && strcmp(a->sub, "set") == 0)
        return cli_usage("class: unknown class '%s' (see `inquest class list`; --force to "
                         "set it anyway)", a->cls);
    if (ctx->token)
        return 0;    /* over HTTP the daemon checks the incident against its own store */
    if ((r = store_open(ctx->data_dir, &so, &st)) == 0)
        r = cor_incident_load(st, a->incident, &inc);
    json_decref(inc);
    store_close(&st);
    if (r < 0)
        return cli_usage("class: incident %s not found in %s (%s; --force to record the note "
                         "anyway)", a->incident, ctx->data_dir,
                         r == -ENOENT ? "no such incident" : strerror(-r));
    return 0;
}

/* Record the decision: a note request sent by cli_note_send. */
static int record(const struct cli_ctx *ctx, const struct class_args *a)
{
    const char *user = getenv("USER");
    char id[IQ_ID_MAX];
    json_t *req = json_pack("{s:s,s:s,s:s}", "action", "class", "class", a->cls, "op", a->sub);
    int r;

    if (!req)
        return 2;
    if (user && *user)
        json_object_set_new(req, "actor", json_string(user));
    r = cli_note_send(ctx, "class", a->incident, req, a->give_up, id, sizeof(id));
    if (r == 0 && !ctx->quiet)
        printf("class %s %s on %s (note %s)\n", a->cls,
               strcmp(a->sub, "set") == 0 ? "set" : "removed", a->incident, id);
    json_decref(req);
    return r;
}

int cli_class_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct class_args a = { 0 };
    struct ana_classes *c = NULL;
    char err[IQ_ERR_MAX];
    int r;

    if ((r = parse_args(argc, argv, &a)))
        return r;
    if (strcmp(a.sub, "list") == 0 || strcmp(a.sub, "show") == 0) {
        bool is_remote;

        if ((r = cli_remote_choose(ctx, "class", &is_remote)))
            return r;
        if (is_remote)
            return remote(ctx, &a);
    }
    if (ana_classes_load_config(ctx->config_path, a.classes_path, &c, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: class: %s\n", err);
        return 2;
    }
    if (strcmp(a.sub, "list") == 0) {
        for (size_t i = 0; i < ana_classes_count(c); i++)
            puts(ana_classes_name(c, i));
        r = 0;
    } else if (strcmp(a.sub, "show") == 0) {
        r = show(ctx, &a, c);
    } else {
        r = check(ctx, &a, c);
        if (r == 0)
            r = record(ctx, &a);
    }
    ana_classes_destroy(&c);
    return r;
}
