/* store_test.h - helpers shared by the store's unit tests
 * (store_test.c, store_retention_test.c): a valid event to store,
 * and scan callbacks that count. */
#ifndef STORE_TEST_H
#define STORE_TEST_H

#include <stdbool.h>
#include "iq_event.h"

/* An alert event with id at time at; service, incident key and a raw
 * payload when given.  Validated (the test fails otherwise); caller owns. */
static inline struct iq_event *store_test_event(const char *id, int64_t at, const char *svc,
                                                const char *ikey, bool raw)
{
    struct iq_event *ev = iq_event_new();
    char err[IQ_ERR_MAX];

    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_SOURCE, "cli");
    iq_event_set_str(ev, IQ_F_KIND, "alert");
    iq_event_set_str(ev, IQ_F_ACTION, "firing");
    if (svc)
        iq_event_set_str(ev, IQ_F_SERVICE, svc);
    if (ikey)
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, ikey);
    if (raw)
        assert_int_equal(iq_event_set_raw(ev, "{\"payload\":\"large\"}", 19), 0);
    ev->at = at;
    assert_int_equal(iq_event_validate(ev, err, sizeof(err)), 0);
    return ev;
}

/* store_kv_fn and store_scan_fn that add one to the int at ud per entry. */
static inline int store_test_count_kv(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    (void)k;
    (void)kl;
    (void)v;
    (void)vl;
    (*(int *)ud)++;
    return 0;
}

static inline int store_test_count_val(void *ud, const char *v, size_t len)
{
    (void)v;
    (void)len;
    (*(int *)ud)++;
    return 0;
}

#endif
