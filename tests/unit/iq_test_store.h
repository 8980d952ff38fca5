/* iq_test_store.h - fixtures put into a real store by unit tests: the
 * sample incident of tests/data/render (sample-incident.json) with its
 * events (sample-events.ndjson), written as the ingest and the correlator
 * write them.  Header-only, for the tests that include it after iq_test.h. */
#ifndef IQ_TEST_STORE_H
#define IQ_TEST_STORE_H

#include <jansson.h>

#include "cor_store.h"
#include "iq_event.h"
#include "iq_time.h"
#include "store.h"

/* Store every event of the NDJSON file path (each must be new). */
static inline void iq_test_store_events(struct store *st, const char *path)
{
    char line[70000], err[IQ_ERR_MAX];
    json_error_t je;
    FILE *f = fopen(path, "r");

    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        json_t *j = json_loads(line, 0, &je);
        struct iq_event *ev = NULL;
        uint8_t out;

        assert_non_null(j);
        assert_int_equal(iq_event_from_json(j, &ev, err, sizeof(err)), 0);
        assert_int_equal(store_put_events(st, &ev, 1, &out), 1);
        iq_event_destroy(&ev);
        json_decref(j);
    }
    fclose(f);
}

/* The sample incident and its events, root being the source tree; the
 * incident replaces every stored one (cor_store_replace). */
static inline void iq_test_store_sample(struct store *st, const char *root)
{
    char path[4200];
    json_error_t je;
    json_t *inc;

    snprintf(path, sizeof(path), "%s/tests/data/render/sample-events.ndjson", root);
    iq_test_store_events(st, path);
    snprintf(path, sizeof(path), "%s/tests/data/render/sample-incident.json", root);
    inc = json_load_file(path, 0, &je);
    assert_non_null(inc);
    assert_int_equal(cor_store_replace(st, &inc, 1, IQ_TIME_NONE), 0);
    json_decref(inc);
}

#endif
