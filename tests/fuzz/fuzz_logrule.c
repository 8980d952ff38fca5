/* fuzz_logrule.c - libFuzzer harness of the log rules
 * (ingest/ing_logrule*.c, ingest/ing_logevent.c over schemas/logs/).
 *
 * Each input is a piece of a log file: its lines (split at '\n', a '\r'
 * before it dropped, as the tailer does) are matched against every rule of
 * schemas/logs/ in the tailer's order (the last matching rule first), and
 * each line becomes the event the tailer would send: from the parse result
 * when a rule matched and says the line is an event, raw when no rule
 * matched (the tailer's send_unparsed).
 *
 * Checked: matching answers 1 or 0 (a pcre2 limit is "no match", never an
 * error); spans and labels stay inside the line; a built event is valid
 * and survives the store's encode and decode; a refused one says why. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "ing_logevent.h"
#include "ing_logrule.h"
#include "iq_codec.h"
#include "iq_event.h"

#define FUZZ_NOW INT64_C(1792590120000)   /* 2026-10-21T13:42:00Z */

static struct ing_logrules *rules;

static void setup(void)
{
    char dir[4096], err[512];

    fuzz_path("schemas/logs", dir, sizeof(dir));
    if (ing_logrules_new(&rules) < 0)
        fuzz_setup_failed("ing_logrules_new", "out of memory");
    if (ing_logrules_load(rules, dir, err, sizeof(err)) <= 0)
        fuzz_setup_failed(dir, err);
}

/* A span borrowed from the line must lie inside it (or in the rule set's
 * scratch text for JSON lines, which we cannot see: then only its length
 * is bounded by the line's). */
static void check_span(const struct ing_span *sp, const char *line, size_t len)
{
    if (sp->len == 0)
        return;
    FUZZ_CHECK(sp->s != NULL);
    if (sp->s >= line && sp->s <= line + len)
        FUZZ_CHECK(sp->s + sp->len <= line + len);
}

static void check_parsed(const struct ing_logline *ll, const char *line, size_t len)
{
    char svc[201];

    FUZZ_CHECK(ll->rule != NULL);
    FUZZ_CHECK(ll->level >= ING_LEVEL_NONE && ll->level <= ING_LEVEL_EMERGENCY);
    FUZZ_CHECK(ll->n_labels <= ING_LOGLINE_LABELS_MAX);
    check_span(&ll->service, line, len);
    check_span(&ll->message, line, len);
    for (uint32_t i = 0; i < ll->n_labels; i++) {
        check_span(&ll->label_key[i], line, len);
        check_span(&ll->label_val[i], line, len);
    }
    ing_logevent_service(ll, NULL, svc, sizeof(svc));   /* the error-rate key */
    FUZZ_CHECK(svc[0] != '\0' && strlen(svc) < sizeof(svc));
}

/* The event the tailer would send for this line. */
static void check_event(const struct ing_logline *ll, const struct ing_tail_item *it)
{
    struct iq_event *ev = NULL, *back = NULL;
    char err[IQ_ERR_MAX] = "";
    msgpack_sbuffer sb;
    int r = ing_logevent_build(ll, it, NULL, FUZZ_NOW, &ev, err, sizeof(err));

    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
    if (r < 0) {
        FUZZ_CHECK(ev == NULL && err[0] != '\0');
        return;
    }
    FUZZ_CHECK(iq_event_encode(ev, &sb) == 0);
    if (iq_event_decode(sb.data, sb.size, &back, err, sizeof(err)) != 0) {
        fprintf(stderr, "log event does not decode: %s\n", err);
        FUZZ_CHECK(!"a log event is storable");
    }
    msgpack_sbuffer_destroy(&sb);
    iq_event_destroy(&back);
    iq_event_destroy(&ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    struct ing_tail_item it = { .what = ING_TAIL_LINE, .path = "fuzz.log", .fid = 42 };
    int hint = 0;

    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (!rules)
        setup();
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct ing_logline ll;
        int r;

        it.line = p;
        it.len = len && p[len - 1] == '\r' ? len - 1 : len;
        it.offset = (uint64_t)(p - (const char *)data);
        it.end = it.offset + len + (nl != NULL);
        r = ing_logrules_match(rules, it.line, it.len, &hint, &ll);
        FUZZ_CHECK(r == 0 || r == 1);
        if (r == 1)
            check_parsed(&ll, it.line, it.len);
        if (r == 0 || ll.is_event)       /* what the tailer sends (ing_tail_run.c) */
            check_event(r == 1 ? &ll : NULL, &it);
        p += len + (nl != NULL);
    }
    return 0;
}
