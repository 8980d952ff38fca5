/* cli_replay.c - `inquest replay [--sources DIR] FILE|-`: re-ingest
 * recorded webhook deliveries (inquestd --record, or scenario files written
 * by hand) through the same source mappings as the HTTP endpoints.
 *
 * Each NDJSON line is one delivery ({"received_at", "path", "headers",
 * "body"}, see docs/sources.md).  It goes through exactly wh_sources_map,
 * with the recorded received_at as the arrival time (so signature
 * freshness and the received_at labels are those of the recording), and
 * the resulting events are sent to inquestd with the acknowledged ZeroMQ
 * sender, each tagged with its line number.  Secrets come from the
 * "sources" section of the global --config file.  Exit status: 0 when every
 * delivery mapped and every event was stored or already stored, 1 when a
 * delivery was refused or an event rejected (each printed as "line N:
 * ..."), 2 on a usage error, 4 when inquestd answered nothing for --timeout
 * (default 10 s). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "cli.h"
#include "cli_ack.h"
#include "cli_zmq.h"
#include "wh_record.h"
#include "ing_sender.h"
#include "wh_source.h"
#include "iq_conf.h"
#include "iq_event.h"
#include "iq_lines.h"
#include "iq_paths.h"

#define REPLAY_LINE_MAX (4u << 20)

struct replay_state {
    unsigned long deliveries, refused, ignored, events;
    struct cli_ack_counts c;
};

/* The daemon's default search for the mapping files (iq_paths.h); when
 * nothing is found, buf names the installed place for the error message. */
static const char *default_sources(char *buf, size_t size)
{
    if (iq_schemas_find("sources", buf, size, NULL, 0) < 0)
        snprintf(buf, size, "%s/sources", IQ_SCHEMAS_INSTALLED);
    return buf;
}

static int parse_args(int argc, char **argv, const char **dir, const char **path,
                      int64_t *timeout)
{
    *path = NULL;
    for (int i = 1; i < argc; i++) {
        int r = cli_zmq_timeout_opt("replay", argc, argv, &i, timeout);

        if (r == 1)
            continue;
        if (r)
            return r;
        if (strcmp(argv[i], "--") == 0 && i + 2 == argc && !*path)
            *path = argv[++i];
        else if (strcmp(argv[i], "--sources") == 0 && i + 1 < argc)
            *dir = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("replay: unknown option '%s' (usage: replay [--sources DIR] [--timeout 10s] FILE|-)",
                             argv[i]);
        else if (*path)
            return cli_usage("replay: one FILE only");
        else
            *path = argv[i];
    }
    if (!*path)
        return cli_usage("replay: missing FILE (usage: replay [--sources DIR] [--timeout 10s] FILE|-)");
    return 0;
}

/* Map one line and push its events. Returns 0 or a negative errno (fatal). */
static int replay_line(const struct wh_sources *src, struct ing_sender *snd,
                       struct replay_state *st, unsigned long no, const char *line, size_t len)
{
    struct wh_recorded *rc = NULL;
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX + 200];
    size_t n = 0;
    int status = 0, r;

    st->deliveries++;
    if (wh_record_parse(line, len, &rc, err, sizeof(err)) < 0) {
        fprintf(stderr, "line %lu: not a recorded delivery: %s\n", no, err);
        st->refused++;
        return 0;
    }
    r = wh_sources_map(src, &rc->d, &evs, &n, &status, err, sizeof(err));
    wh_recorded_free(&rc);
    if (r < 0) {
        fprintf(stderr, "line %lu: %d %s\n", no, status, err);
        st->refused++;
        return 0;
    }
    if (n == 0)
        st->ignored++;
    for (size_t i = 0; i < n && r >= 0; i++) {
        st->events++;
        r = ing_sender_push(snd, evs[i], no);
        if (r == -E2BIG) {
            fprintf(stderr, "line %lu: rejected: event larger than a frame\n", no);
            st->c.rejected++;
            r = 0;
        }
    }
    wh_events_free(evs, n);
    return r;
}

static int pump(const struct wh_sources *src, struct ing_sender *snd, struct iq_lines *lines,
                struct replay_state *st)
{
    const char *line;
    size_t len;
    bool trunc;
    int r;

    while ((r = iq_lines_next(lines, &line, &len, &trunc)) > 0) {
        unsigned long no = iq_lines_number(lines);
        size_t k = 0;

        while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
            k++;
        if (!trunc && k == len)
            continue;
        if (trunc) {
            fprintf(stderr, "line %lu: longer than %u bytes\n", no, REPLAY_LINE_MAX);
            st->deliveries++;
            st->refused++;
            continue;
        }
        if ((r = replay_line(src, snd, st, no, line, len)) < 0)
            return r;
    }
    return r < 0 ? r : ing_sender_flush(snd);
}

/* The "sources" section of the --config file, or NULL. Caller owns *ret. */
static int load_secrets(const struct cli_ctx *ctx, json_t **ret)
{
    char err[IQ_ERR_MAX];
    json_t *file = NULL;

    *ret = NULL;
    if (!ctx->config_path)
        return 0;
    if (iq_conf_load_file(ctx->config_path, &file, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: replay: %s\n", err);
        return -EINVAL;
    }
    *ret = json_incref(json_object_get(file, "sources"));
    json_decref(file);
    return 0;
}

int cli_replay_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct ing_sender_opts o = { .endpoint = ctx->zmq_endpoint, .give_up_ms = CLI_ZMQ_TIMEOUT_MS };
    struct ing_curve_client curve;
    struct replay_state st = { 0 };
    struct wh_sources *src = NULL;
    struct ing_sender *snd = NULL;
    struct iq_lines *lines = NULL;
    char buf[4096], err[IQ_ERR_MAX + 256];
    const char *dir = default_sources(buf, sizeof(buf)), *path;
    json_t *secrets = NULL;
    FILE *f = NULL;
    void *zctx = NULL;
    int r, status = 2;

    if ((r = parse_args(argc, argv, &dir, &path, &o.give_up_ms)) ||
        (r = cli_zmq_keys(ctx, "replay", &o, &curve)))
        return r;
    if (load_secrets(ctx, &secrets) < 0)
        return 2;
    if (wh_sources_load(dir, secrets, &src, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: replay: %s\n", err);
        goto out;
    }
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "inquest: replay: %s: %s\n", path, strerror(errno));
        goto out;
    }
    zctx = zmq_ctx_new();
    if (!zctx || ing_sender_new(zctx, &o, cli_ack_on_lines, &st.c, &snd) < 0 ||
        iq_lines_new(f, REPLAY_LINE_MAX, &lines) < 0)
        goto out;
    r = pump(src, snd, lines, &st);
    if (r == -ETIMEDOUT || r == -EACCES)
        status = cli_zmq_failed(ctx, "replay", snd, r, o.give_up_ms);
    else if (r < 0)
        fprintf(stderr, "inquest: replay: %s: %s\n", path, strerror(-r));
    else
        status = st.refused || st.c.rejected ? 1 : 0;
    if (!ctx->quiet || status)
        printf("deliveries %lu (refused %lu, ignored %lu), events %lu: stored %lu, duplicates %lu, "
               "rejected %lu\n", st.deliveries, st.refused, st.ignored, st.events, st.c.stored,
               st.c.duplicates, st.c.rejected);
out:
    iq_lines_destroy(&lines);
    ing_sender_destroy(&snd);
    if (zctx)
        zmq_ctx_term(zctx);
    if (f && f != stdin)
        fclose(f);
    wh_sources_destroy(&src);
    json_decref(secrets);
    return status;
}
