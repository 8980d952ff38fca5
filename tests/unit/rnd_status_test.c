/* rnd_status_test.c - unit tests of render/rnd_status.c: the components a
 * status page involved, from every shape of status event, and the time
 * each spent in each state. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_time.h"
#include "rnd_status.h"

static int64_t t(const char *s)
{
    int64_t ms = 0;

    assert_int_equal(iq_time_parse_rfc3339(s, strlen(s), &ms), 0);
    return ms;
}

static struct iq_event *status(const char *id, const char *action, const char *at)
{
    struct iq_event *e = iq_event_new();

    assert_non_null(e);
    iq_event_set_str(e, IQ_F_ID, id);
    iq_event_set_str(e, IQ_F_SOURCE, "statuspage");
    iq_event_set_str(e, IQ_F_KIND, "status");
    iq_event_set_str(e, IQ_F_ACTION, action);
    e->at = t(at);
    return e;
}

static const char *comp_text(const json_t *impact, const char *name)
{
    const json_t *c;
    size_t i;

    json_array_foreach(json_object_get(impact, "component_states"), i, c)
        if (strcmp(json_string_value(json_object_get(c, "component")), name) == 0)
            return json_string_value(json_object_get(c, "text"));
    return NULL;
}

static void states_per_component(void **state)
{
    static const char raw_comp[] = "{\"component\":{\"name\":\"Search API\"},"
                                   "\"component_update\":{\"new_status\":\"partial_outage\"}}";
    static const char raw_inc[] = "{\"incident\":{\"incident_updates\":[{\"affected_components\":"
                                  "[{\"name\":\"Web\",\"old_status\":\"degraded_performance\","
                                  "\"new_status\":\"operational\"}]}],\"components\":"
                                  "[{\"name\":\"Web\",\"status\":\"operational\"}]}}";
    struct iq_event *evs[6];
    json_t *impact = json_object(), *inc = json_pack("{s:[s]}", "components", "Checkout");
    size_t n = 0;

    (void)state;
    /* Checkout: label component, degraded 10 min then major 5 min then operational */
    evs[n] = status("c1", "degraded_performance", "2026-03-04T10:00:00Z");
    iq_event_set_label(evs[n++], "component", "Checkout");
    /* Web: from an incident update's label components */
    evs[n] = status("u1", "investigating", "2026-03-04T10:02:00Z");
    iq_event_set_label(evs[n++], "components",
                       "[{\"name\":\"Web\",\"old_status\":\"operational\",\"new_status\":\"degraded_performance\"}]");
    evs[n] = status("c2", "major_outage", "2026-03-04T10:10:00Z");
    iq_event_set_label(evs[n++], "component", "Checkout");
    /* Search API: named only in the payload; partial until the end */
    evs[n] = status("c3", "partial_outage", "2026-03-04T10:12:00Z");
    assert_int_equal(iq_event_set_raw(evs[n++], raw_comp, strlen(raw_comp)), 0);
    evs[n] = status("c4", "operational", "2026-03-04T10:15:00Z");
    iq_event_set_label(evs[n++], "component", "Checkout");
    /* Web back to operational in the payload of an update (no label) */
    evs[n] = status("u2", "monitoring", "2026-03-04T10:32:00Z");
    assert_int_equal(iq_event_set_raw(evs[n++], raw_inc, strlen(raw_inc)), 0);
    assert_int_equal(rnd_status_impact(inc, evs, n, t("2026-03-04T10:42:00Z"), impact), 0);
    assert_string_equal(json_string_value(json_object_get(impact, "components")),
                        "Checkout, Search API and Web");
    assert_string_equal(comp_text(impact, "Checkout"), "major outage 5 min, degraded performance 10 min");
    assert_string_equal(comp_text(impact, "Search API"), "partial outage 30 min");
    assert_string_equal(comp_text(impact, "Web"), "degraded performance 30 min");
    json_decref(impact);
    json_decref(inc);
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
}

static void never_empty(void **state)
{
    struct iq_event *evs[2];
    json_t *impact = json_object(), *none = json_object(), *one = json_pack("{s:[s]}", "components", "API");

    (void)state;
    /* an update naming no component: the row still says the page was involved */
    evs[0] = status("u1", "investigating", "2026-03-04T10:00:00Z");
    assert_int_equal(rnd_status_impact(none, evs, 1, IQ_TIME_NONE, impact), 0);
    assert_string_equal(json_string_value(json_object_get(impact, "components")),
                        "none named by the status page");
    /* a component event without a name goes to the incident's only component */
    evs[1] = status("c1", "partial_outage", "2026-03-04T10:05:00Z");
    assert_int_equal(rnd_status_impact(one, evs, 2, t("2026-03-04T10:25:00Z"), impact), 0);
    assert_string_equal(comp_text(impact, "API"), "partial outage 20 min");
    /* no status event at all: empty (the template says so) */
    assert_int_equal(rnd_status_impact(none, NULL, 0, IQ_TIME_NONE, impact), 0);
    assert_string_equal(json_string_value(json_object_get(impact, "components")), "");
    assert_int_equal(json_array_size(json_object_get(impact, "component_states")), 0);
    json_decref(impact);
    json_decref(none);
    json_decref(one);
    iq_event_destroy(&evs[0]);
    iq_event_destroy(&evs[1]);
}

/* The correlator's component_states are the one source when present: the
 * events are then read only to know that the status page was involved. */
static void from_incident_states(void **state)
{
    struct iq_event *evs[1];
    json_t *impact = json_object();
    json_t *inc = json_loads(
        "{\"components\": [\"Web\"], \"component_states\": ["
        "{\"name\": \"Search API\", \"states\": ["
        "{\"state\": \"partial_outage\", \"from\": \"2026-03-04T10:00:00Z\","
        " \"to\": \"2026-03-04T10:35:00Z\", \"seconds\": 2100},"
        "{\"state\": \"operational\", \"from\": \"2026-03-04T10:35:00Z\","
        " \"to\": null, \"seconds\": null}]},"
        "{\"name\": \"Web\", \"states\": ["
        "{\"state\": \"major_outage\", \"from\": \"2026-03-04T10:20:00Z\","
        " \"to\": null, \"seconds\": null}]}]}", 0, NULL);

    (void)state;
    assert_non_null(inc);
    /* an event that alone would say 50 min of degraded Search API */
    evs[0] = status("c1", "degraded_performance", "2026-03-04T09:50:00Z");
    iq_event_set_label(evs[0], "component", "Search API");
    assert_int_equal(rnd_status_impact(inc, evs, 1, t("2026-03-04T10:40:00Z"), impact), 0);
    assert_string_equal(json_string_value(json_object_get(impact, "components")),
                        "Search API and Web");
    assert_string_equal(comp_text(impact, "Search API"), "partial outage 35 min");
    /* the open last stretch lasts until the end the caller gives */
    assert_string_equal(comp_text(impact, "Web"), "major outage 20 min");
    json_decref(impact);
    json_decref(inc);
    iq_event_destroy(&evs[0]);
}

/* Without component_states (an incident stored before it existed): an
 * update's affected components are its changes; the incident's component
 * list, a snapshot that can lag, never overrides them. */
static void snapshot_never_overrides(void **state)
{
    static const char raw[] = "{\"incident\":{\"incident_updates\":[{\"affected_components\":"
                              "[{\"name\":\"Search API\",\"new_status\":\"partial_outage\"}]}],"
                              "\"components\":[{\"name\":\"Search API\",\"status\":\"operational\"}]}}";
    struct iq_event *evs[1];
    json_t *impact = json_object(), *inc = json_object();

    (void)state;
    evs[0] = status("u1", "identified", "2026-03-04T10:05:00Z");
    assert_int_equal(iq_event_set_raw(evs[0], raw, strlen(raw)), 0);
    assert_int_equal(rnd_status_impact(inc, evs, 1, t("2026-03-04T10:40:00Z"), impact), 0);
    assert_string_equal(comp_text(impact, "Search API"), "partial outage 35 min");
    json_decref(impact);
    json_decref(inc);
    iq_event_destroy(&evs[0]);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(states_per_component),
        cmocka_unit_test(never_empty),
        cmocka_unit_test(from_incident_states),
        cmocka_unit_test(snapshot_never_overrides),
    };

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("rnd_status", tests, NULL, NULL);
}
