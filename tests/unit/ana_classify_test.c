/* ana_classify_test.c - the failure-class taxonomy and the classifier:
 * the default schemas/classes.json scored on the labelled one-line
 * descriptions of tests/data/classes/labelled.tsv, load errors naming
 * file, class, rule and pcre2 offset, team overrides, conditions relative
 * to the start of impact, manual notes, and the match limits. */
#include "iq_test.h"
#include <errno.h>
#include "ana_classes.h"
#include "iq_event.h"
#include "iq_re.h"
#include "iq_time.h"

#define T0 1760000000000LL   /* an arbitrary impact start */

static struct ana_classes *load_default(void)
{
    struct ana_classes *c = NULL;
    char path[1024], err[IQ_ERR_MAX];

    snprintf(path, sizeof(path), "%s/schemas/classes.json", iq_test_root());
    assert_int_equal(ana_classes_new(&c), 0);
    if (ana_classes_add_file(c, path, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    return c;
}

static struct iq_event *mk(const char *id, const char *kind, const char *action, int64_t at,
                           const char *title)
{
    struct iq_event *ev = iq_event_new();
    char err[IQ_ERR_MAX];

    assert_non_null(ev);
    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_SOURCE, "test");
    iq_event_set_str(ev, IQ_F_KIND, kind);
    iq_event_set_str(ev, IQ_F_ACTION, action);
    if (title)
        iq_event_set_str(ev, IQ_F_TITLE, title);
    ev->at = at;
    if (iq_event_validate(ev, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    return ev;
}

static struct iq_event *mk_note(const char *id, int64_t at, const char *cls, const char *op)
{
    struct iq_event *ev = mk(id, "note", "class", at, NULL);

    iq_event_set_str(ev, IQ_F_SOURCE, "inquest");
    iq_event_set_label(ev, "incident", "inc-20260101-00000001");
    iq_event_set_label(ev, "class", cls);
    iq_event_set_label(ev, "op", op);
    return ev;
}

static void free_evs(struct iq_event **evs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
}

/* The entry of class name in result arr, or NULL. */
static const json_t *find(const json_t *arr, const char *name)
{
    size_t i;
    const json_t *v;

    json_array_foreach(arr, i, v)
        if (strcmp(json_string_value(json_object_get(v, "class")), name) == 0)
            return v;
    return NULL;
}

static bool listed(const char *csv, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = csv; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

/* Classify one labelled line; returns the number of unexpected classes and
 * fails the test when an expected class is missing. */
static unsigned score_line(const struct ana_classes *c, unsigned lineno, char *line,
                           unsigned *expected)
{
    char *kind = strchr(line, '\t'), *text;
    struct iq_event *ev;
    json_t *res = NULL;
    unsigned extra = 0;
    size_t i;
    const json_t *v;

    assert_non_null(kind);
    *kind++ = '\0';
    text = strchr(kind, '\t');
    assert_non_null(text);
    *text++ = '\0';
    ev = mk("labelled", kind, "posted", T0, text);
    assert_true(ana_classify(c, &ev, 1, T0, &res) >= 0);
    for (size_t k = 0; k < ana_classes_count(c); k++) {
        const char *name = ana_classes_name(c, k);

        if (!listed(line, name))
            continue;
        (*expected)++;
        if (!find(res, name))
            fail_msg("line %u: expected class %s for \"%s\"", lineno, name, text);
    }
    json_array_foreach(res, i, v)
        if (!listed(line, json_string_value(json_object_get(v, "class")))) {
            print_message("line %u: also %s for \"%s\"\n", lineno,
                          json_string_value(json_object_get(v, "class")), text);
            extra++;
        }
    json_decref(res);
    iq_event_destroy(&ev);
    return extra;
}

static void test_labelled(void **state)
{
    struct ana_classes *c = load_default();
    char path[1024], line[2048];
    unsigned lineno = 0, lines = 0, expected = 0, extra = 0;
    FILE *f;

    (void)state;
    snprintf(path, sizeof(path), "%s/tests/data/classes/labelled.tsv", iq_test_root());
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        lines++;
        extra += score_line(c, lineno, line, &expected);
    }
    fclose(f);
    print_message("labelled: %u lines, %u expected classes all found, %u extra\n", lines,
                  expected, extra);
    assert_true(lines >= 40);
    /* precision: at most one unexpected class per ten lines */
    assert_true(extra * 10 <= lines);
    ana_classes_destroy(&c);
    assert_null(c);
}

/* Every class of the default taxonomy is labelled at least twice, once in
 * Japanese (a byte >= 0x80 on the line). */
static void test_labelled_covers_every_class(void **state)
{
    struct ana_classes *c = load_default();
    unsigned n[ANA_CLASSES_MAX] = { 0 }, ja[ANA_CLASSES_MAX] = { 0 };
    char path[1024], line[2048];
    FILE *f;

    (void)state;
    assert_int_equal(ana_classes_count(c), 15);
    snprintf(path, sizeof(path), "%s/tests/data/classes/labelled.tsv", iq_test_root());
    assert_non_null(f = fopen(path, "r"));
    while (fgets(line, sizeof(line), f)) {
        bool high = false;

        for (const char *p = line; *p; p++)
            high |= (unsigned char)*p >= 0x80;
        line[strcspn(line, "\t")] = '\0';
        for (size_t k = 0; k < ana_classes_count(c); k++)
            if (line[0] != '#' && listed(line, ana_classes_name(c, k))) {
                n[k]++;
                ja[k] += high;
            }
    }
    fclose(f);
    for (size_t k = 0; k < ana_classes_count(c); k++)
        if (n[k] < 2 || ja[k] < 1)
            fail_msg("class %s: %u labelled lines, %u in Japanese", ana_classes_name(c, k), n[k],
                     ja[k]);
    ana_classes_destroy(&c);
}

/* Add doc text to c; returns the result and leaves the message in err. */
static int add_text(struct ana_classes *c, const char *text, char *err, size_t errsz)
{
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    int r;

    if (!doc)
        fail_msg("test document: %s", je.text);
    r = ana_classes_add_json(c, doc, "team.json", err, errsz);
    json_decref(doc);
    return r;
}

static void test_bad_rules_are_located(void **state)
{
    static const struct { const char *doc, *msg; } bad[] = {
        { "{\"classes\":[{\"name\":\"dns\",\"rules\":[{\"id\":\"r1\",\"pattern\":\"(abc\"}]}]}",
          "team.json: class 'dns': rule 'r1': pcre2 error at offset 4: missing closing parenthesis" },
        { "{\"classes\":[{\"name\":\"x\",\"rules\":[{\"id\":\"r1\",\"pattern\":\"a\",\"fields\":[\"nope\"]}]}]}",
          "team.json: class 'x': rule 'r1': unknown field \"nope\"" },
        { "{\"classes\":[{\"name\":\"x\",\"rules\":[{\"id\":\"r1\",\"pattern\":\"a\",\"weight\":2}]}]}",
          "team.json: class 'x': r1: 'weight' must be a number in (0, 1]" },
        { "{\"classes\":[{\"name\":\"x\",\"conditions\":[{\"id\":\"c\",\"kinds\":[\"deploy\"],\"before_impact\":\"soon\"}]}]}",
          "team.json: class 'x': condition 'c': 'before_impact' is not a duration" },
        { "{\"classes\":[{\"name\":\"x\",\"conditions\":[{\"id\":\"c\",\"kinds\":[\"alarm\"],\"before_impact\":\"5m\"}]}]}",
          "team.json: class 'x': c: 'kinds'[0] is not an event kind" },
        { "{\"classes\":[{\"name\":\"Bad Name\",\"rules\":[]}]}", "team.json: classes[0]: 'name'" },
        { "{\"classes\":[{\"name\":\"x\"}]}", "team.json: class 'x': no rules and no conditions" },
        { "{\"classes\":[{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"pattern\":\"a\"}]},"
          "{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"pattern\":\"a\"}]}]}",
          "team.json: class 'x': defined twice" },
        { "{\"kinds\":[]}", "team.json: expected {\"classes\": [...]}" },
    };
    struct ana_classes *c = load_default();
    char err[IQ_ERR_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(add_text(c, bad[i].doc, err, sizeof(err)), -EINVAL);
        if (strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err, bad[i].msg);
        assert_int_equal(ana_classes_count(c), 15);
    }
    ana_classes_destroy(&c);
}

static void test_overrides(void **state)
{
    struct ana_classes *c = load_default();
    struct iq_event *evs[2];
    char err[IQ_ERR_MAX];
    json_t *res = NULL;

    (void)state;
    assert_int_equal(add_text(c, "{\"classes\":["
        "{\"name\":\"security\",\"disabled\":true},"
        "{\"name\":\"dns\",\"title\":\"Naming\",\"rules\":[{\"id\":\"dns.bind\",\"pattern\":\"\\\\bbind9\\\\b\"}]},"
        "{\"name\":\"payment-fraud\",\"rules\":[{\"id\":\"pf.chargeback\",\"pattern\":\"chargeback|チャージバック\",\"weight\":0.9}]}"
        "]}", err, sizeof(err)), 3);
    assert_int_equal(ana_classes_count(c), 15);
    assert_false(ana_classes_has(c, "security"));
    assert_true(ana_classes_has(c, "payment-fraud"));
    evs[0] = mk("e1", "chat", "posted", T0, "bind9 refused queries; DDoS attack on the resolver");
    evs[1] = mk("e2", "chat", "posted", T0 + 1000, "チャージバックが急増");
    assert_int_equal(ana_classify(c, evs, 2, T0, &res), 2);
    assert_non_null(find(res, "dns"));
    assert_string_equal(json_string_value(json_object_get(find(res, "dns"), "title")), "Naming");
    assert_non_null(find(res, "payment-fraud"));
    assert_null(find(res, "security"));
    json_decref(res);
    res = NULL;
    /* the replaced dns class no longer knows NXDOMAIN */
    iq_event_set_str(evs[0], IQ_F_TITLE, "NXDOMAIN for api.internal");
    assert_int_equal(ana_classify(c, evs, 1, T0, &res), 0);
    json_decref(res);
    free_evs(evs, 2);
    ana_classes_destroy(&c);
}

static void test_conditions(void **state)
{
    struct ana_classes *c = load_default();
    struct iq_event *evs[3];
    json_t *res = NULL;
    const json_t *dr;

    (void)state;
    /* a deploy 20 min before impact alone is not enough ... */
    evs[0] = mk("d1", "deploy", "succeeded", T0 - 20 * 60000, "deploy web v2.3.1");
    evs[1] = mk("a1", "alert", "firing", T0, "HighErrorRate on web");
    assert_int_equal(ana_classify(c, evs, 2, T0, &res), 0);
    json_decref(res);
    /* ... with a regression rule it is, and both are evidence */
    iq_event_set_str(evs[1], IQ_F_TEXT, "looks like a regression in the login form");
    assert_true(ana_classify(c, evs, 2, T0, &res) >= 1);
    dr = find(res, "deploy-regression");
    assert_non_null(dr);
    assert_true(json_real_value(json_object_get(dr, "confidence")) > 0.8);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(dr,
                        "conditions"), 0), "event")), "d1");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(dr,
                        "evidence"), 0), "rule")), "deploy-regression.regression");
    json_decref(res);
    /* 40 minutes before impact is outside the 30-minute window */
    evs[0]->at = T0 - 40 * 60000;
    assert_true(ana_classify(c, evs, 2, T0, &res) >= 1);
    assert_int_equal(json_array_size(json_object_get(find(res, "deploy-regression"), "conditions")), 0);
    json_decref(res);
    /* a rollback during the incident holds alone */
    evs[2] = mk("r1", "deploy", "rolled_back", T0 + 10 * 60000, "web v2.3.0");
    iq_event_set_str(evs[1], IQ_F_TEXT, "errors");
    assert_int_equal(ana_classify(c, evs, 3, T0, &res), 1);
    assert_non_null(find(res, "deploy-regression"));
    json_decref(res);
    free_evs(evs, 3);
    ana_classes_destroy(&c);
}

static void test_manual_notes(void **state)
{
    struct ana_classes *c = load_default();
    struct iq_event *evs[4];
    json_t *res = NULL;
    const json_t *m;

    (void)state;
    evs[0] = mk("a1", "alert", "firing", T0, "Disk full on logs-3: no space left on device");
    evs[1] = mk_note("n2", T0 + 2000, "storage-full", "remove");
    evs[2] = mk_note("n1", T0 + 1000, "network", "set");
    evs[3] = mk_note("n3", T0 + 3000, "capacity-planning", "set");
    assert_int_equal(ana_classify(c, evs, 1, IQ_TIME_NONE, &res), 1);
    assert_non_null(find(res, "storage-full"));
    json_decref(res);
    assert_int_equal(ana_classify(c, evs, 4, IQ_TIME_NONE, &res), 2);
    assert_null(find(res, "storage-full"));
    m = find(res, "network");
    assert_non_null(m);
    assert_true(json_is_true(json_object_get(m, "manual")));
    assert_true(json_real_value(json_object_get(m, "confidence")) == 1.0);
    assert_string_equal(json_string_value(json_object_get(m, "note")), "n1");
    assert_non_null(find(res, "capacity-planning"));
    json_decref(res);
    /* a later "set" wins over the earlier "remove" */
    iq_event_destroy(&evs[2]);
    evs[2] = mk_note("n4", T0 + 5000, "storage-full", "set");
    assert_int_equal(ana_classify(c, evs, 3, IQ_TIME_NONE, &res), 1);
    assert_true(json_is_true(json_object_get(find(res, "storage-full"), "manual")));
    json_decref(res);
    free_evs(evs, 4);
    ana_classes_destroy(&c);
}

/* A catastrophic pattern on hostile text is cut by the limits, and long
 * multi-byte text is cut on a character boundary. */
static void test_limits(void **state)
{
    struct ana_classes *c = NULL;
    struct iq_event *ev;
    char err[IQ_ERR_MAX], *text = malloc(ANA_TEXT_MAX * 2);
    json_t *res = NULL;
    size_t pos;
    int64_t t;

    (void)state;
    assert_int_equal(ana_classes_new(&c), 0);
    assert_int_equal(add_text(c, "{\"classes\":[{\"name\":\"slow\",\"rules\":[{\"id\":\"s\","
                              "\"pattern\":\"^(a|aa)+$\"}]},{\"name\":\"ja\",\"rules\":[{\"id\":\"j\","
                              "\"pattern\":\"障害\"}]}]}", err, sizeof(err)), 2);
    memset(text, 'a', 4000);
    memcpy(text + 4000, "b", 2);
    ev = mk("x", "chat", "posted", T0, NULL);
    iq_event_set_str(ev, IQ_F_TEXT, text);
    t = iq_time_mono_ms();
    assert_int_equal(ana_classify(c, &ev, 1, T0, &res), 0);
    assert_true(iq_time_mono_ms() - t < 5000);
    json_decref(res);
    /* 3-byte characters across the ANA_TEXT_MAX cut; the match lies beyond it */
    text[0] = 'x';
    pos = 1;
    while (pos + 3 + 7 < ANA_TEXT_MAX * 2 - 16) {
        memcpy(text + pos, "\xe3\x81\x82", 3);
        pos += 3;
    }
    memcpy(text + pos, "\xe9\x9a\x9c\xe5\xae\xb3", 7);
    iq_event_set_str(ev, IQ_F_TEXT, text);
    assert_true(iq_utf8_valid(text, strlen(text)));
    assert_int_equal(ana_classify(c, &ev, 1, T0, &res), 0);
    json_decref(res);
    /* and within the cut it is found */
    memcpy(text + 2998, "\xe9\x9a\x9c\xe5\xae\xb3", 6);
    iq_event_set_str(ev, IQ_F_TEXT, text);
    assert_int_equal(ana_classify(c, &ev, 1, T0, &res), 1);
    json_decref(res);
    iq_event_destroy(&ev);
    free(text);
    ana_classes_destroy(&c);
}

/* regex.classes reaches the taxonomy: a text that a rule matches under
 * the default limit is no match (logged, not an error) under a tiny one. */
static int classify_with_limit(int match_limit)
{
    struct ana_classes *c = NULL;
    struct iq_event *ev = mk("x", "chat", "posted", T0, "a1 a2 a3 a4 a5 a6 a7 a8 a9");
    char text[80], err[IQ_ERR_MAX];
    json_t *cfg, *res = NULL;
    int n;

    snprintf(text, sizeof(text), "{\"classes\": {\"match_limit\": %d}}", match_limit);
    cfg = json_loads(text, 0, NULL);
    assert_int_equal(iq_re_setup(cfg, err, sizeof(err)), 0);
    json_decref(cfg);
    assert_int_equal(ana_classes_new(&c), 0);
    assert_int_equal(add_text(c, "{\"classes\":[{\"name\":\"slow\",\"rules\":[{\"id\":\"s\","
                              "\"pattern\":\"(\\\\w+\\\\s?)+$\"}]}]}", err, sizeof(err)), 1);
    n = ana_classify(c, &ev, 1, T0, &res);
    json_decref(res);
    iq_event_destroy(&ev);
    ana_classes_destroy(&c);
    return n;
}

static void test_configured_limit(void **state)
{
    (void)state;
    assert_int_equal(classify_with_limit(10), 0);
    assert_int_equal(classify_with_limit(IQ_RE_MATCH_LIMIT), 1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_labelled),
    cmocka_unit_test(test_labelled_covers_every_class),
    cmocka_unit_test(test_bad_rules_are_located),
    cmocka_unit_test(test_overrides),
    cmocka_unit_test(test_conditions),
    cmocka_unit_test(test_manual_notes),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_configured_limit),
};

TEST_MAIN(tests)
