/* render_bench.c - how long a draft takes for a large incident.
 *
 * Builds an incident of N events (default 10,000: alerts repeating on many
 * instances, pages, chat lines with people and personal data, deploys and
 * status updates over two days) in memory, then times rnd_draft_render for
 * each template and format, with pseudonyms and external redaction on (the
 * slowest path).  Prints one line per run with the time and output size.
 *
 *   render_bench [N] [SCHEMAS_DIR]       (run from the repo root) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_time.h"
#include "rnd_draft.h"

static const char *const people[] = { "alice", "bob", "carol", "dave", "erin", "frank" };
static const char *const kinds[] = { "alert", "alert", "alert", "page", "chat", "status", "log" };

static struct iq_event *make_event(size_t i, int64_t t0)
{
    struct iq_event *ev = iq_event_new();
    const char *kind = kinds[i % 7];
    char id[32], title[96], text[200], inst[32];

    if (!ev)
        return NULL;
    snprintf(id, sizeof(id), "ev-%06zu", i);
    snprintf(title, sizeof(title), "%s %zu", strcmp(kind, "alert") == 0 ? "ServiceDown" : "Checkout errors", i % 5);
    snprintf(text, sizeof(text), "seen on 10.0.%zu.%zu, mail %s@example.com, status %zu", i % 200, i % 250,
             people[i % 6], i);
    snprintf(inst, sizeof(inst), "db-%zu:9100", i % 40);
    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_SOURCE, strcmp(kind, "chat") == 0 ? "slack" : "alertmanager");
    iq_event_set_str(ev, IQ_F_KIND, kind);
    iq_event_set_str(ev, IQ_F_ACTION, strcmp(kind, "alert") == 0 ? "firing" : strcmp(kind, "page") == 0
                                          ? "acknowledged" : strcmp(kind, "chat") == 0 ? "posted"
                                          : strcmp(kind, "status") == 0 ? "investigating" : "error_rate_rise");
    iq_event_set_str(ev, IQ_F_SERVICE, "checkout");
    iq_event_set_str(ev, IQ_F_TITLE, title);
    iq_event_set_str(ev, IQ_F_TEXT, text);
    iq_event_set_str(ev, IQ_F_ACTOR, people[i % 6]);
    iq_event_set_str(ev, IQ_F_URL, "https://alerts.example.com/#/alerts?x=1");
    iq_event_set_label(ev, "instance", inst);
    ev->at = t0 + (int64_t)i * 17000;   /* ~47 h for 10,000 events */
    return ev;
}

int main(int argc, char **argv)
{
    static const char *const tmpls[] = { "default", "pagerduty", "ja" };
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
    struct iq_event **evs = calloc(n ? n : 1, sizeof(*evs));
    json_t *inc = json_load_file("tests/data/render/sample-incident.json", 0, NULL);
    int64_t t0 = 0;
    char err[512];

    if (!evs || !inc || n == 0) {
        fprintf(stderr, "render_bench: run from the repo root (needs tests/data/render/)\n");
        return 2;
    }
    iq_time_parse_rfc3339("2026-10-21T12:00:00Z", 20, &t0);
    for (size_t i = 0; i < n; i++)
        if (!(evs[i] = make_event(i, t0)))
            return 2;
    for (size_t t = 0; t < 3; t++) {
        for (int f = 0; f < 3; f++) {
            struct rnd_draft_opts o = { .tmpl = tmpls[t], .format = (enum rnd_format)f,
                                        .external = true, .pseudonymize = true,
                                        .schemas_dir = argc > 2 ? argv[2] : NULL };
            int64_t start = iq_time_mono_ms();
            char *doc = NULL;
            size_t len = 0;

            if (rnd_draft_render(inc, evs, n, &o, &doc, &len, err, sizeof(err)) < 0) {
                fprintf(stderr, "render_bench: %s\n", err);
                return 1;
            }
            printf("%-9s %-4s %zu events: %4lld ms, %zu bytes\n", tmpls[t], rnd_format_ext(o.format), n,
                   (long long)(iq_time_mono_ms() - start), len);
            free(doc);
        }
    }
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
    free(evs);
    json_decref(inc);
    return 0;
}
