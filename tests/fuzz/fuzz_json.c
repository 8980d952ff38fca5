/* fuzz_json.c - libFuzzer harness of the JSON reader and writer
 * (common/iq_json.c, common/iq_json_dump.c), differential against jansson.
 *
 * iq_json.h promises that iq_json_parse accepts exactly what json_loadb
 * accepts (with JSON_REJECT_DUPLICATES, and JSON_DECODE_ANY for
 * IQ_JSON_ANY), builds an equal value, and that iq_json_dump_compact
 * writes the bytes json_dumps writes.  Every input checks all three, so a
 * divergence is a finding even when nothing crashes.
 *
 * Input: the first byte chooses the flags (bit 0: IQ_JSON_ANY; bits 1-3: a
 * small nesting limit for a second parse, which must refuse exactly with
 * -E2BIG or agree with the first); the rest is the JSON text.  The one
 * documented difference, a NUL byte read ahead past a number or literal
 * (jansson drops it, iq_json refuses), is allowed when the text holds a
 * NUL: then only "iq_json accepts => jansson accepts the same" is held. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "iq_json.h"

/* Both writers on the same value: the same bytes, or both refuse. */
static void check_dump(const json_t *j)
{
    size_t n = 0;
    char *mine = iq_json_dump_compact(j, &n);
    char *theirs = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

    FUZZ_CHECK((mine == NULL) == (theirs == NULL));
    if (mine) {
        FUZZ_CHECK(n == strlen(theirs));
        FUZZ_CHECK(memcmp(mine, theirs, n) == 0);
    }
    free(mine);
    free(theirs);
}

/* A second parse with a nesting limit of depth: fails with -E2BIG (the
 * text nests deeper, or is refused for the reason the full parse gives),
 * or succeeds with the value of the full parse. */
static void check_small_depth(const char *buf, size_t len, unsigned any, unsigned depth,
                              const json_t *full)
{
    struct iq_json_error e;
    json_t *j = NULL;
    int r = iq_json_parse(buf, len, any | IQ_JSON_DEPTH(depth), &j, &e);

    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -E2BIG || r == -ENOMEM);
    FUZZ_CHECK(!full || r != -EINVAL);
    if (r == 0) {
        FUZZ_CHECK(full != NULL);
        FUZZ_CHECK(json_equal(j, full));
    }
    if (r == -E2BIG)
        FUZZ_CHECK(strstr(e.text, "nesting deeper than") != NULL);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct iq_json_error e;
    json_error_t je;
    json_t *mine = NULL, *theirs;
    unsigned any, depth;
    const char *buf;
    size_t len;
    bool has_nul;
    int r;

    if (size < 1 || size > FUZZ_MAX_INPUT)
        return 0;
    any = data[0] & 1 ? IQ_JSON_ANY : 0;
    depth = 1 + ((data[0] >> 1) & 7);
    buf = (const char *)data + 1;
    len = size - 1;
    has_nul = memchr(buf, '\0', len) != NULL;

    r = iq_json_parse(buf, len, any | IQ_JSON_DEPTH(IQ_JSON_DEPTH_JANSSON), &mine, &e);
    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -E2BIG || r == -ENOMEM);
    FUZZ_CHECK(r == 0 ? mine != NULL : e.text[0] != '\0');
    FUZZ_CHECK(r == 0 || e.position <= len);
    theirs = json_loadb(buf, len, JSON_REJECT_DUPLICATES | (any ? JSON_DECODE_ANY : 0), &je);
    if (has_nul)
        FUZZ_CHECK(!mine || theirs);
    else
        FUZZ_CHECK((mine != NULL) == (theirs != NULL));
    if (mine && theirs)
        FUZZ_CHECK(json_equal(mine, theirs));
    if (mine)
        check_dump(mine);
    check_small_depth(buf, len, any, depth, mine);
    json_decref(mine);
    json_decref(theirs);
    return 0;
}
