/* fuzz_mapping.c - libFuzzer harness of the webhook mapping language
 * (ingest/in_webhook/wh_source.c loading and validation, wh_source_expr.c
 * references, templates and conditions, wh_source_value.c values).
 *
 * Each input is one mapping file, written to a private temporary
 * directory as FILE.json and loaded with wh_sources_load as inquestd
 * loads schemas/sources/.  When it loads, three real deliveries (an
 * Alertmanager group, a GitHub deployment, a Slack message; from the
 * vendor fixtures) are mapped through it, so the expressions it declares
 * run against real payloads.
 *
 * Checked: a file is refused with -EINVAL (or -ENOENT, -ENOMEM) and a
 * message; a loaded source answers deliveries as
 * wh_source.h promises (see fuzz_webhook.c) and its events are
 * storable.  The directory is removed at exit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_event.h"
#include "wh_source.h"
#include "iq_event.h"
#include "iq_paths.h"

#define FUZZ_NOW INT64_C(1792590120000)   /* 2026-10-21T13:42:00Z */

struct body {
    const char *fixture;        /* under tests/data/webhooks/ */
    struct http_header headers[2];
    char *text;
    size_t len;
};

static struct body bodies[] = {
    { "alertmanager/firing.group-2-alerts.json",
      { { "content-type", "application/json" }, { "x-none", "" } }, NULL, 0 },
    { "github/deployment.created.json",
      { { "content-type", "application/json" }, { "x-github-event", "deployment" } }, NULL, 0 },
    { "slack/events-api.event_callback.message.json",
      { { "content-type", "application/json" }, { "x-none", "" } }, NULL, 0 },
};
#define N_BODIES (sizeof(bodies) / sizeof(bodies[0]))

static char dir[4096], file[4200];

static void cleanup(void)
{
    unlink(file);
    rmdir(dir);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];

    snprintf(dir, sizeof(dir), "%s/iq-fuzz-mapping.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        fuzz_setup_failed(dir, strerror(errno));
    snprintf(file, sizeof(file), "%s/fuzz.json", dir);
    atexit(cleanup);
    for (size_t i = 0; i < N_BODIES; i++) {
        char rel[256];

        snprintf(rel, sizeof(rel), "tests/data/webhooks/%s", bodies[i].fixture);
        fuzz_path(rel, path, sizeof(path));
        if (iq_read_file(path, 1u << 20, &bodies[i].text, &bodies[i].len) < 0)
            fuzz_setup_failed(path, "cannot read");
    }
}

static void write_file(const uint8_t *data, size_t size)
{
    FILE *f = fopen(file, "wb");

    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fuzz_setup_failed(file, strerror(errno));
}

static void map_body(const struct wh_sources *s, const struct body *b)
{
    struct wh_delivery d = { .path = wh_sources_path(s, 0), .headers = b->headers,
                             .n_headers = 2, .body = b->text, .body_len = b->len,
                             .received_at = FUZZ_NOW };
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX] = "", *reply = NULL;
    size_t n = 0;
    int status = 0;
    int r = wh_sources_map_reply(s, &d, &evs, &n, &status, &reply, err, sizeof(err));

    if (r < 0) {
        FUZZ_CHECK(status >= 400 && status < 600 && err[0] != '\0');
        return;
    }
    FUZZ_CHECK(status == (n || reply ? 200 : 202));
    for (size_t i = 0; i < n; i++)
        fuzz_check_storable(evs[i]);
    free(reply);
    wh_events_free(evs, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wh_sources *s = NULL;
    char err[512] = "";
    int r;

    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (!file[0])
        setup();
    write_file(data, size);
    r = wh_sources_load(dir, NULL, &s, err, sizeof(err));
    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOENT || r == -ENOMEM);
    if (r < 0) {
        FUZZ_CHECK(s == NULL && err[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(wh_sources_count(s) == 1);
    for (size_t i = 0; i < N_BODIES; i++)
        map_body(s, &bodies[i]);
    wh_sources_destroy(&s);
    return 0;
}
