/* fuzz_tmpl.c - libFuzzer harness of the template language
 * (render/rnd_tmpl.c compile, render/rnd_tmpl_render.c render).
 *
 * Input: a template, optionally followed by a NUL byte and a JSON context.
 * Without one, the context is the real view model of the sample incident
 * (tests/data/render/sample-incident.json and sample-events.ndjson through
 * rnd_model_build), so the names the shipped templates use resolve.  A
 * template that compiles is rendered with each of the three escapes.
 *
 * Checked: compile refuses only with -EINVAL (and a message) or -E2BIG;
 * render succeeds or stops at the output cap with -E2BIG; the output is
 * NUL-terminated at its length and within the cap; unescaped output of a
 * UTF-8 template over a UTF-8 context is UTF-8 (cut nowhere). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "iq_event.h"
#include "iq_json.h"
#include "iq_paths.h"
#include "rnd_model.h"
#include "rnd_people.h"
#include "rnd_tmpl.h"

/* Output cap: small enough that nested sections over long lists stay fast. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define OUT_MAX (256u * 1024)
#else
#define OUT_MAX (4u * 1024 * 1024)
#endif

static json_t *model;

/* Events of an NDJSON file, one per line (all must load). */
static size_t load_events(const char *path, struct iq_event **evs, size_t max)
{
    char *text = NULL, *p, err[IQ_ERR_MAX];
    size_t len, n = 0;

    if (iq_read_file(path, 1u << 20, &text, &len) < 0)
        fuzz_setup_failed(path, "cannot read");
    for (p = text; *p && n < max;) {
        char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        json_t *j = l ? json_loadb(p, l, 0, NULL) : NULL;

        if (l && (!j || iq_event_from_json(j, &evs[n++], err, sizeof(err)) < 0))
            fuzz_setup_failed(path, "a line is not an event");
        json_decref(j);
        p += l + (nl != NULL);
    }
    free(text);
    return n;
}

static void setup(void)
{
    char path[4096], err[IQ_ERR_MAX];
    struct iq_event *evs[64];
    struct rnd_people *people = rnd_people_new(NULL, false);
    json_t *incident;
    size_t n;

    if (!people)
        fuzz_setup_failed("rnd_people_new", "out of memory");

    fuzz_path("tests/data/render/sample-incident.json", path, sizeof(path));
    if (!(incident = json_load_file(path, 0, NULL)))
        fuzz_setup_failed(path, "cannot load");
    fuzz_path("tests/data/render/sample-events.ndjson", path, sizeof(path));
    n = load_events(path, evs, 64);
    if (rnd_model_build(incident, evs, n, people, &model, err, sizeof(err)) < 0)
        fuzz_setup_failed("rnd_model_build", err);
    rnd_people_destroy(&people);
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
    json_decref(incident);
}

static void render_one(const struct rnd_tmpl *t, const json_t *ctx, enum rnd_escape esc,
                       bool utf8_in)
{
    char *out = NULL, err[512] = "";
    size_t n = 0;
    int r = rnd_tmpl_render(t, ctx, esc, OUT_MAX, &out, &n, err, sizeof(err));

    FUZZ_CHECK(r == 0 || r == -E2BIG || r == -ENOMEM);
    if (r < 0) {
        FUZZ_CHECK(out == NULL);
        FUZZ_CHECK(r != -E2BIG || err[0] != '\0');
        return;
    }
    FUZZ_CHECK(out != NULL && n <= OUT_MAX && out[n] == '\0');
    if (utf8_in)
        FUZZ_CHECK(iq_utf8_valid(out, n));
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data, *nul;
    size_t src_len = size;
    struct rnd_tmpl *t = NULL;
    json_t *ctx = NULL;
    char err[512] = "";
    bool utf8;
    int r;

    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (!model)
        setup();
    nul = memchr(src, '\0', size);
    if (nul) {
        src_len = (size_t)(nul - src);
        if (iq_json_parse(nul + 1, size - src_len - 1, IQ_JSON_ANY, &ctx, NULL) < 0)
            return 0;
    }
    r = rnd_tmpl_compile(src, src_len, "fuzz", &t, err, sizeof(err));
    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -E2BIG || r == -ENOMEM);
    if (r < 0) {
        FUZZ_CHECK(t == NULL && (r == -ENOMEM || err[0] != '\0'));
        json_decref(ctx);
        return 0;
    }
    utf8 = iq_utf8_valid(src, src_len);   /* a JSON context is UTF-8 by construction */
    render_one(t, ctx ? ctx : model, RND_ESC_NONE, utf8);
    render_one(t, ctx ? ctx : model, RND_ESC_MD, utf8);
    render_one(t, ctx ? ctx : model, RND_ESC_HTML, utf8);
    rnd_tmpl_destroy(&t);
    json_decref(ctx);
    return 0;
}
