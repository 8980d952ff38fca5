/* cli_draft.c - `inquest draft`: the prefilled blameless postmortem of an
 * incident.
 *
 *   inquest draft ID [--template NAME|FILE] [--format md|json|html|svg]
 *                    [--audience internal|external] [--pseudonymize]
 *                    [--redact] [-o FILE]
 *   inquest draft ID --diff FILE [--template NAME|FILE] [...]
 *   inquest draft --incident-file FILE [--events-file FILE] [...]
 *
 * The first form opens the data directory read-only (beside a running
 * inquestd) and reads the incident and its events through the correlator's
 * cor_incident_* calls, or, with --http (cli_remote.h), asks inquestd's
 * GET /api/v1/incidents/ID/draft.EXT (render/rnd_api.c) with the same
 * options, so the two give the same bytes (the daemon's "drafts" section
 * then names people and links; a template is a name there, never a file);
 * the second renders an incident JSON document and
 * canonical events (NDJSON) from files, for drafts of incidents kept
 * elsewhere and for the golden tests.  Slack users are named from the
 * store's slack-export directory and from the `slack_users` map of the
 * "drafts" section of the --config file; an external draft links only to
 * the hosts of that section's `external_links`.  The Markdown of a draft
 * of a stored incident links to its visual timeline at the daemon's
 * public_url of that section when one is configured
 * (PUBLIC_URL/api/v1/incidents/ID/timeline.svg); `--format svg` writes the
 * timeline itself.  With -o the document is written to
 * FILE.tmp and renamed into place, so FILE is either the old or the whole
 * new draft.  The Markdown front matter's generated_at is the clock, or
 * $SOURCE_DATE_EPOCH (seconds) when set, the reproducible-builds
 * convention, so a draft can be made byte for byte again.
 *
 * --diff FILE compares FILE, a Markdown draft a person keeps (DATA/drafts/
 * ID.md that inquestd left alone because it was edited, say), with the
 * draft as it would be written now: a unified diff of their facts, i.e.
 * without the front matter and the sections the template leaves to people
 * (render/rnd_keep.h).  Exit 0 when the facts are the same, 1 when they
 * differ (the diff on standard output), 2 for a usage or I/O error, 3 for
 * an unknown incident, 4 when the data directory cannot be opened. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_exit.h"
#include "cli_remote.h"
#include "cli_tz.h"
#include "cor_incident.h"
#include "iq_buf.h"
#include "iq_conf.h"
#include "iq_diff.h"
#include "iq_file.h"
#include "iq_paths.h"
#include "store.h"
#include "iq_event.h"
#include "iq_lines.h"
#include "iq_time.h"
#include "rnd_draft.h"
#include "iq_tz.h"
#include "rnd_keep.h"
#include "rnd_external.h"
#include "rnd_local.h"
#include "rnd_people.h"

#define EVENTS_MAX   1000000
#define LINE_MAX_LEN (512 * 1024)

#define DIFF_FILE_MAX (64u << 20)   /* a kept draft read for --diff */
#define DIFF_OUT_MAX (64u << 20)

struct draft_args {
    const char *id;
    const char *incident_file;
    const char *events_file;
    const char *out;
    int64_t timeout_ms;       /* --timeout, for --http */
    const char *diff;            /* --diff FILE */
    struct rnd_draft_opts o;
};

static int parse_args(int argc, char **argv, struct draft_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(k, "--pseudonymize") == 0) {
            a->o.pseudonymize = true;
            continue;
        }
        if (strcmp(k, "--redact") == 0) {
            a->o.redact = true;
            continue;
        }
        if (k[0] != '-') {
            if (a->id)
                return cli_usage("draft: one incident id only (got '%s' and '%s')", a->id, k);
            a->id = k;
            continue;
        }
        if (!v)
            return cli_usage("draft: '%s' needs a value or is unknown", k);
        i++;
        if (strcmp(k, "--template") == 0) {
            a->o.tmpl = v;
        } else if (strcmp(k, "--format") == 0) {
            if (rnd_format_parse(v, &a->o.format) < 0)
                return cli_usage("draft: --format: expected md, html, json or svg, got '%s'", v);
        } else if (strcmp(k, "--audience") == 0) {
            if (strcmp(v, "internal") != 0 && strcmp(v, "external") != 0)
                return cli_usage("draft: --audience: expected internal or external, got '%s'", v);
            a->o.external = v[0] == 'e';
        } else if (strcmp(k, "-o") == 0 || strcmp(k, "--output") == 0) {
            a->out = v;
        } else if (strcmp(k, "--incident-file") == 0) {
            a->incident_file = v;
        } else if (strcmp(k, "--events-file") == 0) {
            a->events_file = v;
        } else if (strcmp(k, "--timeout") == 0) {
            int r = cli_remote_timeout("draft", v, &a->timeout_ms);

            if (r)
                return r;
        } else if (strcmp(k, "--diff") == 0) {
            a->diff = v;
        } else {
            return cli_usage("draft: unknown option '%s'", k);
        }
    }
    if (!a->id == !a->incident_file)
        return cli_usage("draft: give an incident ID or --incident-file FILE");
    if (a->events_file && !a->incident_file)
        return cli_usage("draft: --events-file goes with --incident-file");
    if (a->diff && (a->out || a->o.format != RND_FORMAT_MD))
        return cli_usage("draft: --diff compares Markdown drafts: no -o, no --format");
    return 0;
}

static void free_events(struct iq_event **evs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
    free(evs);
}

/* Read canonical events, one JSON object a line.  Prints the error. */
static int read_events(const char *path, struct iq_event ***ret, size_t *ret_n)
{
    struct iq_event **evs = NULL, **nv, *ev;
    struct iq_lines *lines = NULL;
    size_t n = 0, cap = 0, len;
    const char *line;
    char err[IQ_ERR_MAX];
    bool trunc;
    FILE *f = fopen(path, "r");
    int r = -ENOMEM, got;

    if (!f) {
        fprintf(stderr, "inquest: draft: %s: %s\n", path, strerror(errno));
        return -errno;
    }
    if (iq_lines_new(f, LINE_MAX_LEN, &lines) < 0)
        goto out;
    while ((got = iq_lines_next(lines, &line, &len, &trunc)) == 1) {
        json_error_t je;
        json_t *j;

        if (len == 0)
            continue;
        r = -EINVAL;
        if (trunc || n == EVENTS_MAX) {
            fprintf(stderr, "inquest: draft: %s:%lu: %s\n", path, iq_lines_number(lines),
                    trunc ? "line too long" : "too many events");
            goto out;
        }
        if (!(j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je))) {
            fprintf(stderr, "inquest: draft: %s:%lu: %s\n", path, iq_lines_number(lines), je.text);
            goto out;
        }
        r = iq_event_from_json(j, &ev, err, sizeof(err));
        json_decref(j);
        if (r < 0) {
            fprintf(stderr, "inquest: draft: %s:%lu: %s\n", path, iq_lines_number(lines), err);
            goto out;
        }
        if (!(nv = iq_array_grow(evs, n, &cap, sizeof(*nv), 64))) {
            iq_event_destroy(&ev);
            r = -ENOMEM;
            goto out;
        }
        evs = nv;
        evs[n++] = ev;
    }
    r = got < 0 ? got : 0;
    if (r < 0)
        fprintf(stderr, "inquest: draft: %s: read error\n", path);
out:
    iq_lines_destroy(&lines);
    fclose(f);
    if (r < 0) {
        free_events(evs, n);
        return r;
    }
    *ret = evs;
    *ret_n = n;
    return 0;
}

static int cmp_events(const void *x, const void *y)
{
    const struct iq_event *a = *(struct iq_event *const *)x, *b = *(struct iq_event *const *)y;

    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return strcmp(iq_ev_id(a), iq_ev_id(b));
}

static int render_files(const struct draft_args *a, char **doc, size_t *len, char *err,
                        size_t errsz)
{
    struct iq_event **evs = NULL;
    json_error_t je;
    json_t *inc;
    size_t n = 0;
    int r;

    if (!(inc = json_load_file(a->incident_file, JSON_REJECT_DUPLICATES, &je))) {
        snprintf(err, errsz, "%s: line %d: %s", a->incident_file, je.line, je.text);
        return -EINVAL;
    }
    if (a->events_file && (r = read_events(a->events_file, &evs, &n)) < 0) {
        json_decref(inc);
        snprintf(err, errsz, "events not read");
        return r;
    }
    if (n)
        qsort(evs, n, sizeof(*evs), cmp_events);
    r = rnd_draft_render(inc, evs, n, &a->o, doc, len, err, errsz);
    free_events(evs, n);
    json_decref(inc);
    return r;
}

/* The "drafts" section of the --config file (its slack_users map and
 * external_links allow-list checked), or NULL.  Caller owns *ret.  Prints
 * the error. */
static int load_drafts_conf(const struct cli_ctx *ctx, json_t **ret)
{
    char err[IQ_ERR_MAX];
    json_t *file = NULL, *sec;
    int r = 0;

    *ret = NULL;
    if (!ctx->config_path)
        return 0;
    if (iq_conf_load_file(ctx->config_path, &file, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: draft: %s\n", err);
        return -EINVAL;
    }
    sec = json_object_get(file, "drafts");
    if ((r = rnd_people_check_map(json_object_get(sec, "slack_users"), err, sizeof(err))) < 0 ||
        (r = rnd_external_check(json_object_get(sec, "external_links"), err, sizeof(err))) < 0 ||
        (r = rnd_local_check(json_object_get(sec, "tz"), err, sizeof(err))) < 0)
        fprintf(stderr, "inquest: draft: %s: drafts.%s\n", ctx->config_path,
                err);
    else
        *ret = json_incref(sec);
    json_decref(file);
    return r;
}

/* $SOURCE_DATE_EPOCH in ms, or 0 (the clock) when unset; -1 when not a
 * number of seconds. */
static int64_t source_date_ms(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    char *end;
    long long v;

    if (!s || !*s)
        return 0;
    errno = 0;
    v = strtoll(s, &end, 10);
    return *end || errno || v < 0 || v > 253402300799LL ? -1 : v * 1000;
}

/* The draft of stored incident id; -ENOENT with err empty when there is no
 * such incident (exit 3), other errors (a template not found) in err. */
static int draft_stored(struct store *store, const char *id, const struct rnd_draft_opts *o,
                        char **doc, size_t *len, char *err, size_t errsz)
{
    json_t *inc = NULL;
    int r = cor_incident_load(store, id, &inc);

    json_decref(inc);
    if (r == -ENOENT)
        return r;
    return rnd_draft_from_store(store, id, o, doc, len, err, errsz);
}

/* Write doc (freed here) to -o FILE atomically, or to standard output. */
static int write_doc(const struct cli_ctx *ctx, const struct draft_args *a, char *doc, size_t len)
{
    int r;

    if (a->out) {
        if ((r = iq_write_atomic(a->out, doc, len)) < 0) {
            fprintf(stderr, "inquest: draft: cannot write %s: %s\n", a->out, strerror(-r));
            free(doc);
            return 2;
        }
        if (!ctx->quiet)
            fprintf(stderr, "draft written to %s (%zu bytes)\n", a->out, len);
    } else if (fwrite(doc, 1, len, stdout) != len) {
        free(doc);
        return 2;
    }
    free(doc);
    return 0;
}

/* The draft of incident a->id from inquestd's API.  0 with *doc set, or
 * the exit status (printed). */
static int draft_remote(const struct cli_ctx *ctx, const struct draft_args *a,
                        const char *tz_name, char **doc, size_t *len)
{
    static const char *const suffix[] = { "/draft.md", "/draft.html", "/draft.json",
                                          "/timeline.svg" };
    char notfound[300], at[IQ_TIME_STRLEN];
    struct cli_remote_req rq = { .path = "/api/v1/incidents", .id = a->id,
                                 .suffix = suffix[a->o.format], .timeout_ms = a->timeout_ms,
                                 .notfound = notfound };

    if (a->o.tmpl && (strchr(a->o.tmpl, '/') || strchr(a->o.tmpl, '.')))
        return cli_usage("draft: --template %s: over --http a template is a name (en, ja, "
                         "...) the daemon has, not a file", a->o.tmpl);
    snprintf(notfound, sizeof(notfound), "no incident '%.200s'", a->id);
    rq.params[rq.n++] = (struct cli_remote_param){ "template", a->o.tmpl };
    rq.params[rq.n++] = (struct cli_remote_param){ "audience",
                                                   a->o.external ? "external" : NULL };
    rq.params[rq.n++] = (struct cli_remote_param){ "pseudonymize",
                                                   a->o.pseudonymize ? "1" : NULL };
    rq.params[rq.n++] = (struct cli_remote_param){ "redact", a->o.redact ? "1" : NULL };
    rq.params[rq.n++] = (struct cli_remote_param){ "timeline", "public" };
    rq.params[rq.n++] = (struct cli_remote_param){ "tz", tz_name };
    rq.params[rq.n++] = (struct cli_remote_param){
        "generated_at", a->o.generated_at ? cli_remote_time(a->o.generated_at, at, sizeof(at))
                                          : NULL };
    return cli_remote_get(ctx, "draft", &rq, doc, len);
}

/* --diff: FILE's facts against the facts of doc, the draft now.  0 same,
 * 1 different (the diff printed), 2 an error (printed). */
static int diff_facts(const struct draft_args *a, const char *doc, size_t len)
{
    char *kept = NULL, *fa = NULL, *fb = NULL, err[IQ_ERR_MAX], now[300];
    size_t kept_len = 0, la = 0, lb = 0;
    struct iq_buf out;
    int r;

    if (iq_file_read(a->diff, DIFF_FILE_MAX, &kept, &kept_len, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: draft: --diff %s\n", err);
        return CLI_EXIT_USAGE;
    }
    iq_buf_init(&out, DIFF_OUT_MAX);
    snprintf(now, sizeof(now), "inquest draft %.200s (now)", a->id ? a->id : a->incident_file);
    if ((r = rnd_keep_facts(kept, kept_len, doc, len, &fa, &la)) == 0 &&
        (r = rnd_keep_facts(doc, len, doc, len, &fb, &lb)) == 0)
        r = iq_diff_unified(fa, la, fb, lb, a->diff, now, &out);
    if (r == 1 && fwrite(out.p, 1, out.len, stdout) != out.len)
        r = -EIO;
    if (r < 0)
        fprintf(stderr, "inquest: draft: --diff: %s\n", strerror(-r));
    free(kept);
    free(fa);
    free(fb);
    iq_buf_free(&out);
    return r < 0 ? CLI_EXIT_USAGE : r;
}

int cli_draft_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct draft_args a = { .o = { .format = RND_FORMAT_MD },
                            .timeout_ms = CLI_REMOTE_TIMEOUT_MS };
    struct store_opts so = { .read_only = true };
    struct store *store = NULL;
    char err[1024] = "", *doc = NULL;
    json_t *conf = NULL;
    const char *pub;
    char *ref = NULL;
    size_t len = 0;
    bool remote = false;
    struct iq_tz *tz = NULL;
    const char *tz_name;
    int r, status = 0;

    if ((r = parse_args(argc, argv, &a)))
        return r;
    if ((a.o.generated_at = source_date_ms()) < 0)
        return cli_usage("draft: SOURCE_DATE_EPOCH is not a number of seconds");
    if (a.id && (r = cli_remote_choose(ctx, "draft", &remote)))
        return r;
    if (load_drafts_conf(ctx, &conf) < 0)
        return 2;
    a.o.people = json_object_get(conf, "slack_users");
    a.o.external_links = json_object_get(conf, "external_links");
    pub = json_string_value(json_object_get(conf, "public_url"));
    if (pub && a.id && asprintf(&ref, "%s/api/v1/incidents/%s/timeline.svg", pub, a.id) < 0)
        ref = NULL;
    a.o.svg_ref = ref;
    if ((r = cli_tz_open(ctx, "draft", &tz, &tz_name))) {
        json_decref(conf);
        free(ref);
        return r;
    }
    if (remote) {
        iq_tz_free(&tz);
        json_decref(conf);
        free(ref);
        if (tz_name && tz_name[tz_name[0] == ':'] == '/')
            return cli_usage("draft: %s %s: over --http the zone is a name (Asia/Tokyo, ...)",
                             ctx->tz ? "--tz" : "TZ", tz_name);
        if ((r = draft_remote(ctx, &a, tz_name, &doc, &len)))
            return r;
        return write_doc(ctx, &a, doc, len);
    }
    if (!tz_name && (tz_name = rnd_local_zone_for(json_object_get(conf, "tz"), a.o.tmpl)) &&
        iq_tz_load(tz_name, false, &tz, err, sizeof(err)) == 0 && iq_tz_is_utc(tz))
        iq_tz_free(&tz);
    err[0] = '\0';   /* the zone was checked with the config (load_drafts_conf) */
    a.o.tz = tz;
    if (a.incident_file) {
        r = render_files(&a, &doc, &len, err, sizeof(err));
    } else if ((r = store_open(ctx->data_dir, &so, &store)) < 0) {
        snprintf(err, sizeof(err), "cannot open data directory %s: %s", ctx->data_dir, strerror(-r));
        status = CLI_EXIT_UNAVAILABLE;
    } else {
        r = draft_stored(store, a.id, &a.o, &doc, &len, err, sizeof(err));
        if (r == -ENOENT && err[0] == '\0') {
            snprintf(err, sizeof(err), "no incident '%.200s'", a.id);
            status = CLI_EXIT_NOTFOUND;
        }
        store_close(&store);
    }
    json_decref(conf);
    free(ref);
    iq_tz_free(&tz);
    if (r < 0) {
        fprintf(stderr, "inquest: draft: %s\n", err[0] ? err : strerror(-r));
        return status ? status : CLI_EXIT_USAGE;
    }
    if (a.diff) {
        r = diff_facts(&a, doc, len);
        free(doc);
        return r;
    }
    return write_doc(ctx, &a, doc, len);
}
