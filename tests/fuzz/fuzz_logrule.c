/* fuzz_logrule.c - libFuzzer harness of the log rules
 * (ingest/in_tail/tail_rule*.c, ingest/in_tail/tail_event.c over schemas/logs/).
 *
 * Each input is a piece of a log file: its lines (split at '\n', a '\r'
 * before it dropped, as the tailer does) are matched against every rule of
 * schemas/logs/ in the tailer's order (the last matching rule first), and
 * each line becomes the event the tailer would send: from the parse result
 * when a rule matched and says the line is an event, raw when no rule
 * matched (the tailer's send_unparsed).
 *
 * An input that starts with '{' and names "rules" is a rule file instead
 * (a JSON log line may start with '{' too): it is loaded (as
 * tail_rules_load reads a file of schemas/logs/, through a memfd) into a
 * rule set of its own, which then parses a few typical lines.  Load errors
 * must be -EINVAL with a message naming the file.
 *
 * Checked: matching answers 1 or 0 (a pcre2 limit is "no match", never an
 * error); spans and labels stay inside the line; a built event is valid
 * and survives the store's encode and decode; a refused one says why. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_event.h"
#include "tail_event.h"
#include "tail_rule.h"
#include "iq_event.h"

#define FUZZ_NOW INT64_C(1792590120000)   /* 2026-10-21T13:42:00Z */

static struct tail_rules *rules;
static int rule_fd = -1;           /* memfd holding a fuzzed rule file */
static char rule_path[64];

static const char *const typical_lines[] = {
    "10.0.0.7 - - [21/Oct/2026:13:42:07 +0000] \"GET /api/cart HTTP/1.1\" 503 162 \"-\" \"curl/8.5.0\"",
    "2026/10/21 13:42:09 [error] 2741#2741: *88 connect() failed (111: Connection refused)",
    "Oct 21 13:42:00 web-1 checkout[812]: ERROR payment gateway timeout",
    "{\"time\":\"2026-10-21T13:42:00Z\",\"level\":\"error\",\"service\":\"checkout\",\"msg\":\"boom\"}",
};

static void setup(void)
{
    char dir[4096], err[512];

    if ((rule_fd = memfd_create("fuzz-rules.json", 0)) < 0)
        fuzz_setup_failed("memfd_create", strerror(errno));
    snprintf(rule_path, sizeof(rule_path), "/proc/self/fd/%d", rule_fd);

    fuzz_path("schemas/logs", dir, sizeof(dir));
    if (tail_rules_new(&rules) < 0)
        fuzz_setup_failed("tail_rules_new", "out of memory");
    if (tail_rules_load(rules, dir, err, sizeof(err)) <= 0)
        fuzz_setup_failed(dir, err);
}

/* A span borrowed from the line must lie inside it (or in the rule set's
 * scratch text for JSON lines, which we cannot see: then only its length
 * is bounded by the line's). */
static void check_span(const struct tail_span *sp, const char *line, size_t len)
{
    if (sp->len == 0)
        return;
    FUZZ_CHECK(sp->s != NULL);
    if (sp->s >= line && sp->s <= line + len)
        FUZZ_CHECK(sp->s + sp->len <= line + len);
}

static void check_parsed(const struct tail_line *ll, const char *line, size_t len)
{
    char svc[201];

    FUZZ_CHECK(ll->rule != NULL);
    FUZZ_CHECK(ll->level >= TAIL_LEVEL_NONE && ll->level <= TAIL_LEVEL_EMERGENCY);
    FUZZ_CHECK(ll->n_labels <= TAIL_LINE_LABELS_MAX);
    check_span(&ll->service, line, len);
    check_span(&ll->message, line, len);
    for (uint32_t i = 0; i < ll->n_labels; i++) {
        check_span(&ll->label_key[i], line, len);
        check_span(&ll->label_val[i], line, len);
    }
    tail_event_service(ll, NULL, svc, sizeof(svc));   /* the error-rate key */
    FUZZ_CHECK(svc[0] != '\0' && strlen(svc) < sizeof(svc));
}

/* The event the tailer would send for this line. */
static void check_event(const struct tail_line *ll, const struct tail_item *it)
{
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX] = "";
    int r = tail_event_build(ll, it, NULL, FUZZ_NOW, &ev, err, sizeof(err));

    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
    if (r < 0) {
        FUZZ_CHECK(ev == NULL && err[0] != '\0');
        return;
    }
    fuzz_check_storable(ev);
    iq_event_destroy(&ev);
}

/* Load data as a rule file; when it loads, parse the typical lines. */
static void check_rule_file(const uint8_t *data, size_t size)
{
    struct tail_rules *rs = NULL;
    struct tail_line ll;
    char err[512] = "";
    int hint = 0, r;

    if (ftruncate(rule_fd, 0) < 0 || pwrite(rule_fd, data, size, 0) != (ssize_t)size)
        fuzz_setup_failed(rule_path, strerror(errno));
    if (tail_rules_new(&rs) < 0)
        fuzz_setup_failed("tail_rules_new", "out of memory");
    r = tail_rules_load(rs, rule_path, err, sizeof(err));
    FUZZ_CHECK(r > 0 || r == -EINVAL || r == -ENOMEM);
    FUZZ_CHECK(r > 0 || r == -ENOMEM || strstr(err, rule_path) != NULL);
    FUZZ_CHECK(tail_rules_count(rs) == (r > 0 ? (uint32_t)r : 0));
    for (size_t i = 0; r > 0 && i < sizeof(typical_lines) / sizeof(typical_lines[0]); i++) {
        const char *line = typical_lines[i];
        int m = tail_rules_match(rs, line, strlen(line), &hint, &ll);

        FUZZ_CHECK(m == 0 || m == 1);
        if (m == 1)
            check_parsed(&ll, line, strlen(line));
    }
    tail_rules_destroy(&rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    struct tail_item it = { .what = TAIL_LINE, .path = "fuzz.log", .fid = 42 };
    int hint = 0;

    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (!rules)
        setup();
    if (size && data[0] == '{' && memmem(data, size, "\"rules\"", 7)) {
        check_rule_file(data, size);
        return 0;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct tail_line ll;
        int r;

        it.line = p;
        it.len = len && p[len - 1] == '\r' ? len - 1 : len;
        it.offset = (uint64_t)(p - (const char *)data);
        it.end = it.offset + len + (nl != NULL);
        r = tail_rules_match(rules, it.line, it.len, &hint, &ll);
        FUZZ_CHECK(r == 0 || r == 1);
        if (r == 1)
            check_parsed(&ll, it.line, it.len);
        if (r == 0 || ll.is_event)       /* what the tailer sends (tail_run.c) */
            check_event(r == 1 ? &ll : NULL, &it);
        p += len + (nl != NULL);
    }
    return 0;
}
