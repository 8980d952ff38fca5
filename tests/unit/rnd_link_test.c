/* rnd_link_test.c - unit tests of render/rnd_link.c: API URLs recognised,
 * an event's API URL replaced by the page its payload names (log_url,
 * target_url, html_url, the deployed commit), no link rather than JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "rnd_link.h"

static struct iq_event *deploy(const char *url, const char *raw)
{
    struct iq_event *e = iq_event_new();

    assert_non_null(e);
    iq_event_set_str(e, IQ_F_ID, "d-1");
    iq_event_set_str(e, IQ_F_SOURCE, "github");
    iq_event_set_str(e, IQ_F_KIND, "deploy");
    iq_event_set_str(e, IQ_F_ACTION, "succeeded");
    if (url)
        iq_event_set_str(e, IQ_F_URL, url);
    if (raw)
        assert_int_equal(iq_event_set_raw(e, raw, strlen(raw)), 0);
    return e;
}

static void api_urls(void **state)
{
    (void)state;
    assert_true(rnd_link_is_api("https://api.github.com/repos/o/r/deployments/1"));
    assert_true(rnd_link_is_api("https://ghe.example.com/api/v3/repos/o/r/deployments/1"));
    assert_true(rnd_link_is_api("https://gitlab.example.com/api/v4/projects/3/deployments/9"));
    assert_true(rnd_link_is_api("https://api.pagerduty.com/incidents/PX1"));
    assert_false(rnd_link_is_api("https://github.com/o/r/actions/runs/1"));
    assert_false(rnd_link_is_api("https://argocd.example.com/applications/checkout"));
    assert_false(rnd_link_is_api("https://grafana.example.com/d/x?var=/api/v4/"));
    assert_false(rnd_link_is_api("https://rapid.example.com/"));
    assert_false(rnd_link_is_api(NULL));
}

static const char *link_of(const char *url, const char *raw, char *buf, size_t size)
{
    struct iq_event *e = deploy(url, raw);
    json_t *j = rnd_link_event(e);

    snprintf(buf, size, "%s", j ? json_string_value(j) : "(none)");
    json_decref(j);
    iq_event_destroy(&e);
    return buf;
}

static void event_links(void **state)
{
    static const char api[] = "https://api.github.com/repos/o/r/deployments/1/statuses/2";
    char buf[512];

    (void)state;
    assert_string_equal(link_of("https://github.com/o/r/actions/runs/7", NULL, buf, sizeof(buf)),
                        "https://github.com/o/r/actions/runs/7");
    assert_string_equal(link_of(api, "{\"deployment_status\":{\"log_url\":\"https://ci.example/l/2\","
                                     "\"target_url\":\"https://ci.example/t/2\"}}", buf, sizeof(buf)),
                        "https://ci.example/l/2");
    assert_string_equal(link_of(api, "{\"deployment_status\":{\"log_url\":\"\",\"target_url\":"
                                     "\"https://ci.example/t/2\"}}", buf, sizeof(buf)),
                        "https://ci.example/t/2");
    assert_string_equal(link_of(api, "{\"deployment_status\":{\"target_url\":\"\"},\"deployment\":"
                                     "{\"sha\":\"f95f852bd8fca8fcc58a9a2d6c842781e32a215e\"},"
                                     "\"repository\":{\"html_url\":\"https://github.com/o/r\"}}",
                                buf, sizeof(buf)),
                        "https://github.com/o/r/commit/f95f852bd8fca8fcc58a9a2d6c842781e32a215e");
    assert_string_equal(link_of(api, "{\"repository\":{\"html_url\":\"https://github.com/o/r\","
                                     "\"url\":\"https://api.github.com/repos/o/r\"}}", buf, sizeof(buf)),
                        "https://github.com/o/r");
    /* an API page named as the only alternative is not a page */
    assert_string_equal(link_of(api, "{\"html_url\":\"https://api.github.com/x\"}", buf, sizeof(buf)),
                        "(none)");
    assert_string_equal(link_of(api, NULL, buf, sizeof(buf)), "(none)");
    assert_string_equal(link_of(NULL, NULL, buf, sizeof(buf)), "(none)");
    assert_string_equal(link_of("javascript:alert(1)", NULL, buf, sizeof(buf)), "(none)");
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_urls),
        cmocka_unit_test(event_links),
    };

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("rnd_link", tests, NULL, NULL);
}
