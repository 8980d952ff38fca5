/* fuzz_yaml.c - libFuzzer harness of the YAML config loader
 * (common/iq_yaml.c).
 *
 * Each input is a config file's text.  Checked:
 *   - the result is a value, or -EINVAL with a message that starts with
 *     its "LINE:COLUMN: " position (or -ENOMEM);
 *   - every key of a mapping at the top has a line;
 *   - what iq_yaml_emit writes reads back to the same value (the emitter
 *     quotes whatever could change meaning);
 *   - nothing leaks (LeakSanitizer under libFuzzer), whatever the anchors,
 *     aliases and failures halfway. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "iq_buf.h"
#include "iq_yaml.h"

static void check_emit(const json_t *v)
{
    struct iq_buf b;
    json_t *back = NULL;
    char err[256];
    int r;

    iq_buf_init(&b, 8u << 20);
    r = iq_yaml_emit(&b, v, 0);
    if (r == 0) {
        FUZZ_CHECK(iq_yaml_parse(b.p ? b.p : "", b.len, &back, NULL, err, sizeof(err)) == 0);
        FUZZ_CHECK(json_equal(v, back));
    } else {
        FUZZ_CHECK(r == -ENOBUFS || r == -ENOMEM);
    }
    json_decref(back);
    iq_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct iq_yaml_pos *pos = NULL;
    json_t *v = NULL;
    const char *key;
    json_t *m;
    char err[512] = "";
    int r;

    if (size > FUZZ_MAX_INPUT)
        return 0;
    r = iq_yaml_parse((const char *)data, size, &v, &pos, err, sizeof(err));
    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
    if (r == -EINVAL)
        FUZZ_CHECK(err[0] >= '1' && err[0] <= '9' && strchr(err, ':') != NULL);
    if (r < 0) {
        FUZZ_CHECK(v == NULL && pos == NULL);
        return 0;
    }
    json_object_foreach(v, key, m)
        if (*key && !strchr(key, '.') && !strchr(key, '['))
            FUZZ_CHECK(iq_yaml_pos_line(pos, key, NULL) > 0);
    check_emit(v);
    iq_yaml_pos_free(&pos);
    json_decref(v);
    return 0;
}
