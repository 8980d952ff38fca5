/* fuzz_webhook.c - libFuzzer harness of the webhook mappings
 * (ingest/in_webhook/wh_source*.c, ingest/in_webhook/wh_auth.c over schemas/sources/).
 *
 * Each input is one delivery, mapped through every source of
 * schemas/sources/ twice: once as loaded with no secrets (deliveries
 * accepted unchecked, the demo set-up) and once with the secret
 * FUZZ_SECRET configured for every source that authenticates, so the
 * signature and token checks read the headers too.  Deliveries are not
 * vouched for by an access token (wh_delivery.authenticated is false).
 *
 * Input: optional header lines "name: value" ending at the first empty
 * line, then the body.  An input starting with '{' or '[' has no header
 * block.  Names are lower-cased (the contract of struct http_header), and
 * "content-type: application/json" is added after the given ones.  The
 * delivery arrives at FUZZ_NOW, so a seed can carry a fresh signed
 * timestamp.
 *
 * Checked: a delivery is refused with a 4xx/5xx status and a message, or
 * accepted with 200 (events or a reply) or 202 and the reason it was
 * ignored; every mapped event survives the store's encode and decode; a
 * reply (Slack's challenge) is valid JSON. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_event.h"
#include "wh_source.h"
#include "iq_event.h"
#include "iq_json.h"

#define FUZZ_SECRET "fuzz-secret"
#define FUZZ_NOW INT64_C(1792590120000)   /* 2026-10-21T13:42:00Z */
#define HEADERS_MAX 32

static struct wh_sources *open_set, *signed_set;

/* Load the mappings twice: without secrets, then with FUZZ_SECRET for
 * every source (a source whose file has no auth scheme refuses a secret:
 * it is left out of the configuration and loaded again). */
static void setup(void)
{
    char dir[4096], err[512], quoted[160];
    json_t *conf;
    size_t n;

    fuzz_path("schemas/sources", dir, sizeof(dir));
    if (wh_sources_load(dir, NULL, &open_set, err, sizeof(err)) < 0)
        fuzz_setup_failed(dir, err);
    conf = json_object();
    n = wh_sources_count(open_set);
    for (size_t i = 0; i < n; i++)
        json_object_set_new(conf, wh_sources_name(open_set, i),
                            json_pack("{s:s}", "secret", FUZZ_SECRET));
    for (size_t tries = 0; wh_sources_load(dir, conf, &signed_set, err, sizeof(err)) < 0;
         tries++) {
        size_t i;

        for (i = 0; i < n; i++) {
            snprintf(quoted, sizeof(quoted), "'sources.%s'", wh_sources_name(open_set, i));
            if (strstr(err, quoted) && strstr(err, "no 'auth' scheme"))
                break;
        }
        if (i == n || tries == n)
            fuzz_setup_failed(dir, err);
        json_object_del(conf, wh_sources_name(open_set, i));
    }
    json_decref(conf);
}

/* Split the header block of s (NUL-terminated, modified in place) into
 * hs; returns the number of headers and points *body past the block. */
static size_t split_headers(char *s, size_t len, struct http_header *hs, const char **body,
                            size_t *body_len)
{
    char *end, *p = s;
    size_t n = 0;

    *body = s;
    *body_len = len;
    if (len == 0 || s[0] == '{' || s[0] == '[')
        return 0;
    end = strstr(s, "\n\n");
    *body = end ? end + 2 : s + len;
    *body_len = len - (size_t)(*body - s);
    if (end)
        *end = '\0';
    while (p && *p && n < HEADERS_MAX) {
        char *nl = strchr(p, '\n'), *colon;

        if (nl)
            *nl = '\0';
        colon = strchr(p, ':');
        if (colon) {
            *colon = '\0';
            for (char *c = p; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            hs[n].name = p;
            hs[n].value = colon + 1 + (colon[1] == ' ');
            n++;
        }
        p = nl ? nl + 1 : NULL;
    }
    return n;
}

static void map_one(const struct wh_sources *set, size_t i, struct wh_delivery *d)
{
    struct iq_event **evs = NULL;
    size_t n = 0;
    char err[IQ_ERR_MAX] = "", *reply = NULL;
    int status = 0, r;

    d->path = wh_sources_path(set, i);
    r = wh_sources_map_reply(set, d, &evs, &n, &status, &reply, err, sizeof(err));
    if (r < 0) {
        FUZZ_CHECK(status >= 400 && status < 600);
        FUZZ_CHECK(err[0] != '\0');
        FUZZ_CHECK(evs == NULL && reply == NULL);
        return;
    }
    /* events or a reply: 200; nothing: 202 with the reason (wh_source.h) */
    FUZZ_CHECK(status == (n || reply ? 200 : 202));
    FUZZ_CHECK(status == 200 || err[0] != '\0');
    for (size_t k = 0; k < n; k++)
        fuzz_check_storable(evs[k]);
    if (reply) {
        json_t *j = NULL;

        FUZZ_CHECK(iq_json_parse(reply, strlen(reply), IQ_JSON_ANY, &j, NULL) == 0);
        json_decref(j);
    }
    free(reply);
    wh_events_free(evs, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_header hs[HEADERS_MAX + 1];
    struct wh_delivery d = { 0 };
    char *s;
    size_t n;

    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (!open_set)
        setup();
    s = fuzz_cstr(data, size);
    n = split_headers(s, size, hs, &d.body, &d.body_len);
    hs[n].name = "content-type";
    hs[n].value = "application/json";
    d.headers = hs;
    d.n_headers = n + 1;
    d.received_at = FUZZ_NOW;
    for (size_t i = 0; i < wh_sources_count(open_set); i++)
        map_one(open_set, i, &d);
    for (size_t i = 0; i < wh_sources_count(signed_set); i++)
        map_one(signed_set, i, &d);
    free(s);
    return 0;
}
