/* fuzz_conf.c - libFuzzer harness of the configuration (common/iq_conf.c
 * tables, correlate/cor_config.c, the "correlate" section).
 *
 * Each input is a config file's text, read as iq_conf_load_file reads it
 * (iq_conf_parse: comments blanked, jansson, duplicate keys refused, an
 * object at the top), then applied
 * the three ways the daemon applies configuration:
 *   - iq_conf_apply over a table with one item of every type, bounded and
 *     unbounded, like inquestd's own;
 *   - every string member again as a command-line flag (iq_conf_set);
 *   - cor_config_apply of the "correlate" member (or of the whole object).
 *
 * Checked: errors are the documented ones, with a message; a bounded value
 * that was accepted lies within its bounds; defaults, failures halfway and
 * release leave nothing leaked (LeakSanitizer under libFuzzer). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cor_config.h"
#include "fuzz.h"
#include "iq_conf.h"

struct fuzz_cfg {
    char *name;
    bool flag;
    int64_t count;         /* 1..64 */
    size_t max_body;       /* 1024..1 GiB */
    int64_t timeout;       /* 1 s..1 h */
    json_t *section;
    int64_t offset;        /* unbounded */
    size_t cache;          /* unbounded */
    int64_t period;        /* unbounded */
};

#define OFF(f) offsetof(struct fuzz_cfg, f)

static const struct iq_conf_item table[] = {
    { "name", IQ_CONF_STR, OFF(name), "inquest", 0, 0, "a string" },
    { "flag", IQ_CONF_BOOL, OFF(flag), "false", 0, 0, "a boolean" },
    { "count", IQ_CONF_INT, OFF(count), "8", 1, 64, "a bounded integer" },
    { "max_body", IQ_CONF_SIZE, OFF(max_body), "1M", 1024, 1LL << 30, "a bounded size" },
    { "timeout", IQ_CONF_DURATION, OFF(timeout), "30s", 1000, 3600000, "a bounded duration" },
    { "section", IQ_CONF_JSON, OFF(section), NULL, 0, 0, "a JSON section" },
    { "offset", IQ_CONF_INT, OFF(offset), NULL, 0, 0, "an unbounded integer" },
    { "cache", IQ_CONF_SIZE, OFF(cache), NULL, 0, 0, "an unbounded size" },
    { "period", IQ_CONF_DURATION, OFF(period), NULL, 0, 0, "an unbounded duration" },
    { NULL, 0, 0, NULL, 0, 0, NULL },
};

static void check_bounds(const struct fuzz_cfg *c)
{
    FUZZ_CHECK(c->count >= 1 && c->count <= 64);
    FUZZ_CHECK(c->max_body >= 1024 && c->max_body <= (size_t)1 << 30);
    FUZZ_CHECK(c->timeout >= 1000 && c->timeout <= 3600000);
}

static void check_table(const json_t *obj)
{
    struct fuzz_cfg c = { 0 };
    char err[512] = "";
    const char *key;
    json_t *v;
    int r;

    FUZZ_CHECK(iq_conf_defaults(table, &c) == 0);
    r = iq_conf_apply(table, &c, obj, err, sizeof(err));
    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
    FUZZ_CHECK(r == 0 || r == -ENOMEM || err[0] != '\0');
    check_bounds(&c);
    json_object_foreach((json_t *)obj, key, v) {
        if (!json_is_string(v))
            continue;
        err[0] = '\0';
        r = iq_conf_set(table, &c, key, json_string_value(v), err, sizeof(err));
        FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL || r == -ENOMEM);
        FUZZ_CHECK(r == 0 || r == -ENOMEM || err[0] != '\0');
        check_bounds(&c);
    }
    iq_conf_release(table, &c);
}

static void check_correlate(const json_t *obj)
{
    const json_t *section = json_object_get(obj, "correlate");
    struct cor_config c;
    char err[512] = "";
    int r;

    FUZZ_CHECK(cor_config_init(&c) == 0);
    r = cor_config_apply(&c, section ? section : obj, err, sizeof(err));
    FUZZ_CHECK(r == 0 || r == -EINVAL);
    FUZZ_CHECK(r == 0 || err[0] != '\0');
    if (r == 0) {
        FUZZ_CHECK(c.open_severity != NULL);
        (void)cor_config_service(&c, "checkout");
        (void)cor_config_component_service(&c, "API");
        (void)cor_config_channel_linked(&c, "#incidents");
    }
    cor_config_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "", *buf;
    json_t *obj = NULL;
    int r;

    if (size > FUZZ_MAX_INPUT || !(buf = malloc(size ? size : 1)))
        return 0;
    memcpy(buf, data, size);
    r = iq_conf_parse(buf, size, "fuzz", &obj, err, sizeof(err));
    free(buf);
    FUZZ_CHECK(r == 0 || (r == -EINVAL && err[0] != '\0') || r == -ENOMEM);
    if (r < 0)
        return 0;
    check_table(obj);
    check_correlate(obj);
    json_decref(obj);
    return 0;
}
