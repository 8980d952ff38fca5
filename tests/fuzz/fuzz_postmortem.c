/* fuzz_postmortem.c - libFuzzer harness of the finished-postmortem reader
 * (postmortem/: pm_front.c with libyaml, pm_md.c with cmark-gfm, pm_doc.c
 * joining them with review/'s action items, pm_words.c).
 *
 * Each input is one Markdown document read as `inquest postmortems sync`
 * reads it, with the shipped rules of schemas/lint.
 *
 * Checked: a document is refused only as documented (1: not a postmortem;
 * -EINVAL, -EILSEQ, -E2BIG, -ERANGE, -ENOMEM), a refusal says why and where
 * (a message; a line within the document); an accepted record has an
 * incident id that pm_id_valid accepts, a known status, items whose lines
 * exist, states that are open, done or wontfix, due days that pm_date_parse
 * reads back to themselves, and it serialises as JSON. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "iq_time.h"
#include "pm_doc.h"
#include "pm_words.h"

static struct pm_reader *rd;

static void setup(void)
{
    char dir[4096], err[512];

    fuzz_path("schemas/lint", dir, sizeof(dir));
    if (pm_reader_new(dir, &rd, err, sizeof(err)) < 0)
        fuzz_setup_failed(dir, err);
}

static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t n = 1;

    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

static void check_item(const json_t *it, size_t nlines)
{
    const char *state = json_string_value(json_object_get(it, "state"));
    const char *due = json_string_value(json_object_get(it, "due"));
    json_int_t line = json_integer_value(json_object_get(it, "line"));
    int64_t day;
    char back[16];

    FUZZ_CHECK(line >= 1 && (size_t)line <= nlines);
    FUZZ_CHECK(state && (!strcmp(state, "open") || !strcmp(state, "done") || !strcmp(state, "wontfix")));
    FUZZ_CHECK(json_is_string(json_object_get(it, "text")));
    if (due) {
        FUZZ_CHECK(pm_date_parse(due, strlen(due), 0, &day) == 0);
        pm_date_format(day, back, sizeof(back));
        FUZZ_CHECK(strcmp(back, due) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pm_problem p;
    json_t *rec = NULL, *it;
    const char *id, *status;
    size_t nlines, i;
    char *text;
    int r;

    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (!rd)
        setup();
    nlines = count_lines(data, size);
    r = pm_doc_read(rd, "fuzz.md", (const char *)data, size, 1792589400000LL, &rec, &p);
    FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL || r == -EILSEQ || r == -E2BIG || r == -ERANGE ||
               r == -ENOMEM);
    if (r != 0) {
        FUZZ_CHECK(rec == NULL);
        FUZZ_CHECK(r == -ENOMEM || p.msg[0] != '\0');
        FUZZ_CHECK(p.line <= nlines + 1);
        return 0;
    }
    id = json_string_value(json_object_get(rec, "incident"));
    status = json_string_value(json_object_get(rec, "status"));
    FUZZ_CHECK(id && pm_id_valid(id, strlen(id)));
    FUZZ_CHECK(status && pm_status_parse(status, strlen(status)) >= 0);
    json_array_foreach(json_object_get(rec, "items"), i, it)
        check_item(it, nlines);
    text = json_dumps(rec, JSON_COMPACT);
    FUZZ_CHECK(text != NULL);
    free(text);
    json_decref(rec);
    return 0;
}
