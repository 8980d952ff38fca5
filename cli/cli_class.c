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
 * API instead (cli_note_send.c), which checks the incident itself. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_classes.h"
#include "ana_query.h"
#include "cli.h"
#include "cli_exit.h"
#include "cli_note_send.h"
#include "store.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_time.h"

struct class_args {
    const char *sub, *incident, *cls, *classes_path;
    bool json, force;
    int64_t give_up;
};

static const char usage_text[] = "class list | show INCIDENT [--json] | set|remove INCIDENT CLASS "
                                 "[--force] [--classes FILE]";

static int parse_args(int argc, char **argv, struct class_args *a)
{
    const char **pos[3] = { &a->sub, &a->incident, &a->cls };
    int np = 0;

    a->give_up = 60000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            a->json = true;
        else if (strcmp(argv[i], "--force") == 0)
            a->force = true;
        else if (strcmp(argv[i], "--classes") == 0 && i + 1 < argc)
            a->classes_path = argv[++i];
        else if (strcmp(argv[i], "--give-up") == 0 && i + 1 < argc) {
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

static int load_incident(struct store *st, const char *id, json_t **ret)
{
    char key[256], *v = NULL;
    size_t kl, vl;
    int r;

    kl = (size_t)snprintf(key, sizeof(key), "i%s", id);
    if (kl >= sizeof(key))
        return -ENOENT;
    if ((r = store_kv_get(st, STORE_CF_INCIDENTS, key, kl, &v, &vl)) < 0)
        return r;
    *ret = json_loadb(v, vl, 0, NULL);
    free(v);
    return *ret ? 0 : -EINVAL;
}

static int on_note(void *ud, const char *val, size_t len)
{
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX];

    if (iq_event_decode(val, len, &ev, err, sizeof(err)) < 0)
        return 0;
    return iq_evvec_push(ud, &ev);
}

/* The incident's member events plus the class notes about it (all notes
 * share one incident_key; the incident label tells them apart). */
static int gather(struct store *st, const json_t *inc, struct iq_evvec *l)
{
    struct store_filter sc = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE,
                               .incident_key = ANA_CLASS_NOTE_KEY };
    const char *id = json_string_value(json_object_get(inc, "id"));
    const json_t *v;
    size_t i, k = 0;
    int r;

    json_array_foreach(json_object_get(inc, "event_ids"), i, v) {
        struct iq_event *ev = NULL;

        if (json_is_string(v) && store_get_event(st, json_string_value(v), &ev) == 0 &&
            iq_evvec_push(l, &ev) < 0)
            return -ENOMEM;
    }
    k = l->n;
    if ((r = store_scan(st, &sc, on_note, l)) < 0)
        return r;
    for (i = k; i < l->n; i++) {
        const char *about = iq_event_label(l->v[i], "incident");

        if (!about || strcmp(about, id) != 0)
            iq_event_destroy(&l->v[i]);
        else
            l->v[k++] = l->v[i];
    }
    l->n = k;
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

static int show(const struct cli_ctx *ctx, const struct class_args *a, struct ana_classes *c)
{
    struct store_opts so = { .read_only = true };
    struct store *st = NULL;
    struct iq_evvec l = { 0 };
    json_t *inc = NULL, *res = NULL;
    const json_t *is;
    int64_t t;
    int r, status = 2;

    if ((r = store_open(ctx->data_dir, &so, &st)) < 0) {
        fprintf(stderr, "inquest: class: cannot open data directory %s: %s\n", ctx->data_dir,
                strerror(-r));
        status = CLI_EXIT_UNAVAILABLE;
        goto out;
    }
    if ((r = load_incident(st, a->incident, &inc)) < 0) {
        fprintf(stderr, "inquest: class: %s: %s\n", a->incident,
                r == -ENOENT ? "no such incident" : strerror(-r));
        status = r == -ENOENT ? CLI_EXIT_NOTFOUND : CLI_EXIT_USAGE;
        goto out;
    }
    is = json_object_get(json_object_get(json_object_get(inc, "milestones"), "impact_start"),
                         "at");
    if (!json_is_string(is) ||
        iq_time_parse_rfc3339(json_string_value(is), strlen(json_string_value(is)), &t) < 0)
        t = IQ_TIME_NONE;
    if ((r = gather(st, inc, &l)) < 0 || (r = ana_classify(c, l.v, l.n, t, &res)) < 0) {
        fprintf(stderr, "inquest: class: %s\n", strerror(-r));
        goto out;
    }
    if (a->json) {
        char *s = json_dumps(res, JSON_COMPACT);

        if (s)
            puts(s);
        free(s);
    } else {
        print_classes(res);
    }
    status = 0;
out:
    json_decref(res);
    json_decref(inc);
    iq_evvec_clear(&l);
    store_close(&st);
    return status;
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
        r = load_incident(st, a->incident, &inc);
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
