/* cor_engine_test.c - the correlator on canonical events in a real
 * RocksDB store (temporary directory): grouping by key, service and time,
 * the open threshold, quiet period and recurrence, milestones and their
 * nulls, incremental (partial) rebuilds in shuffled order against one full
 * rebuild, audit notes (merge, split, set), the dry-run diff, the read API
 * of cor_incident.h and configuration errors. */
#include "iq_test.h"
#include "cor_test.h"
#include <errno.h>
#include <glob.h>
#include <unistd.h>
#include "cor_config.h"
#include "cor_engine.h"
#include "cor_incident.h"
#include "cor_unattached.h"
#include "store.h"
#include "iq_event.h"
#include "iq_time.h"

#define T0 1773655200000LL          /* 2026-03-16T10:00:00Z */
#define MIN 60000LL

/* One event: kind/action/service at T0 + min minutes; labels "k=v" pairs. */
static struct iq_event *mk(const char *id, const char *kind, const char *action,
                           const char *service, double min, const char *key, ...)
{
    struct iq_event *ev = iq_event_new();
    char err[IQ_ERR_MAX];
    const char *kv;
    va_list ap;

    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_SOURCE, "test");
    iq_event_set_str(ev, IQ_F_KIND, kind);
    iq_event_set_str(ev, IQ_F_ACTION, action);
    if (service)
        iq_event_set_str(ev, IQ_F_SERVICE, service);
    if (key)
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, key);
    ev->at = T0 + (int64_t)(min * MIN);
    va_start(ap, key);
    while ((kv = va_arg(ap, const char *))) {
        char k[64];
        const char *eq = strchr(kv, '=');

        snprintf(k, sizeof(k), "%.*s", (int)(eq - kv), kv);
        if (strcmp(k, "severity") == 0)
            iq_event_set_str(ev, IQ_F_SEVERITY, eq + 1);
        else if (strcmp(k, "actor") == 0)
            iq_event_set_str(ev, IQ_F_ACTOR, eq + 1);
        else
            iq_event_set_label(ev, k, eq + 1);
    }
    va_end(ap);
    if (iq_event_validate(ev, err, sizeof(err)) < 0)
        fail_msg("%s: %s", id, err);
    return ev;
}

static void put(struct store *st, struct iq_event **evs, size_t n)
{
    uint8_t out[256];

    assert_true(n <= sizeof(out));
    assert_true(store_put_events(st, evs, n, out) >= 0);
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
}

static json_t *rebuild_list(struct fx *f, int64_t since)
{
    struct cor_result res;
    json_t *list = NULL;

    assert_int_equal(cor_engine_rebuild(f->st, &f->cfg, since, IQ_TIME_NONE, &res), 0);
    cor_result_free(&res);
    assert_int_equal(cor_incident_list(f->st, IQ_TIME_NONE, &list), 0);
    return list;
}

static const char *ms_rule(const json_t *inc, const char *m)
{
    return json_string_value(json_object_get(json_object_get(json_object_get(inc, "milestones"), m),
                                             "rule"));
}

static int64_t ms_at(const json_t *inc, const char *m)
{
    const char *s = json_string_value(json_object_get(
        json_object_get(json_object_get(inc, "milestones"), m), "at"));
    int64_t t;

    if (!s)
        return IQ_TIME_NONE;
    assert_int_equal(iq_time_parse_rfc3339(s, strlen(s), &t), 0);
    return t;
}

static json_int_t count_of(const json_t *inc, const char *k)
{
    return json_integer_value(json_object_get(json_object_get(inc, "counts"), k));
}

/* An alert, a page on the same service, chat in a linked channel; noise on
 * another service and in another channel stays out. */
static void test_group_key_service_chat(void **state)
{
    struct fx *f = *state;
    char err[IQ_ERR_MAX];
    json_t *sec = json_pack("{s:[s]}", "linked_channels", "#incidents"), *list, *inc;
    struct iq_event *evs[] = {
        mk("a1", "alert", "firing", "checkout", 0, "fp1", "severity=critical", "fingerprint=fp1",
           "received_at=2026-03-16T10:01:00Z", NULL),
        mk("p1", "page", "triggered", "checkout", 2, "PD1", "severity=high", NULL),
        mk("c1", "chat", "posted", NULL, 3, NULL, "channel=incidents", "actor=U1", NULL),
        mk("c2", "chat", "posted", NULL, 3.5, NULL, "channel=random", "actor=U2", NULL),
        mk("n1", "alert", "firing", "batch", 4, "fpn", "severity=info", "fingerprint=fpn", NULL),
        mk("p2", "page", "acknowledged", "checkout", 5, "PD1", "actor=Responder", NULL),
        mk("a2", "alert", "resolved", "checkout", 20, "fp1", "fingerprint=fp1", NULL),
        mk("p3", "page", "resolved", "checkout", 25, "PD1", NULL),
    };

    assert_int_equal(cor_config_apply(&f->cfg, sec, err, sizeof(err)), 0);
    json_decref(sec);
    put(f->st, evs, 8);
    list = rebuild_list(f, IQ_TIME_NONE);
    assert_int_equal(json_array_size(list), 1);
    inc = json_array_get(list, 0);
    assert_int_equal(count_of(inc, "events"), 6);
    assert_int_equal(count_of(inc, "chat"), 1);
    assert_string_equal(ms_rule(inc, "impact_start"), "alert_starts_at");
    assert_string_equal(ms_rule(inc, "detected"), "alert_received");
    assert_true(ms_at(inc, "detected") == T0 + MIN);
    assert_string_equal(ms_rule(inc, "acknowledged"), "page_acknowledged");
    assert_null(ms_rule(inc, "identified"));
    assert_string_equal(ms_rule(inc, "mitigated"), "alerts_resolved");
    assert_string_equal(ms_rule(inc, "resolved"), "page_resolved");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(inc, "durations"),
                                                        "time_to_resolve")), 25 * 60);
    assert_string_equal(json_string_value(json_object_get(inc, "status")), "resolved");
    json_decref(list);
}

/* open_count 3 within open_window 5m: two alerts open nothing, a third does
 * and takes the two with it. */
static void test_open_threshold(void **state)
{
    struct fx *f = *state;
    char err[IQ_ERR_MAX];
    json_t *sec = json_pack("{s:I,s:s}", (const char *)"open_count", (json_int_t)3, "open_window",
                            "5m"), *list;
    struct iq_event *evs[] = {
        mk("t1", "alert", "firing", "api", 0, NULL, "severity=warning", "fingerprint=f1", NULL),
        mk("t2", "alert", "firing", "api", 1, NULL, "severity=warning", "fingerprint=f2", NULL),
        mk("t3", "alert", "firing", "api", 30, NULL, "severity=warning", "fingerprint=f3", NULL),
    };
    struct iq_event *more[] = {
        mk("t4", "alert", "firing", "api", 31, NULL, "severity=warning", "fingerprint=f4", NULL),
        mk("t5", "alert", "firing", "api", 32, NULL, "severity=warning", "fingerprint=f5", NULL),
    };

    assert_int_equal(cor_config_apply(&f->cfg, sec, err, sizeof(err)), 0);
    json_decref(sec);
    put(f->st, evs, 3);
    list = rebuild_list(f, IQ_TIME_NONE);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    put(f->st, more, 2);
    list = rebuild_list(f, IQ_TIME_NONE);
    assert_int_equal(json_array_size(list), 1);
    assert_int_equal(count_of(json_array_get(list, 0), "alerts"), 3);
    json_decref(list);
}

/* Within the quiet period a new alert joins; after it, a new incident
 * opens and points to the closed one. */
static void test_quiet_period_recurrence(void **state)
{
    struct fx *f = *state;
    json_t *list, *a, *b;
    struct iq_event *evs[] = {
        mk("q1", "alert", "firing", "db", 0, NULL, "severity=critical", "fingerprint=d1", NULL),
        mk("q2", "alert", "resolved", "db", 10, NULL, "fingerprint=d1", NULL),
        mk("q3", "alert", "firing", "db", 30, NULL, "severity=critical", "fingerprint=d2", NULL),
        mk("q4", "alert", "resolved", "db", 35, NULL, "fingerprint=d2", NULL),
        mk("q5", "alert", "firing", "db", 120, NULL, "severity=critical", "fingerprint=d1", NULL),
    };

    put(f->st, evs, 5);
    list = rebuild_list(f, IQ_TIME_NONE);
    assert_int_equal(json_array_size(list), 2);
    a = json_array_get(list, 0);
    b = json_array_get(list, 1);
    assert_int_equal(count_of(a, "alerts"), 2);
    assert_string_equal(json_string_value(json_object_get(a, "closed_at")),
                        "2026-03-16T11:05:00.000Z");
    assert_string_equal(json_string_value(json_object_get(b, "recurrence_of")),
                        json_string_value(json_object_get(a, "id")));
    assert_string_equal(json_string_value(json_object_get(b, "status")), "open");
    assert_true(json_is_null(json_object_get(b, "closed_at")));
    assert_null(ms_rule(b, "resolved"));
    json_decref(list);
}

/* A page alone: no impact evidence, so impact_start and every duration
 * are null, never guessed. */
static void test_nulls_without_evidence(void **state)
{
    struct fx *f = *state;
    json_t *list, *inc, *d;
    const char *k;
    json_t *v;
    struct iq_event *evs[] = {
        mk("g1", "page", "triggered", "web", 0, "PDX", NULL),
    };

    put(f->st, evs, 1);
    list = rebuild_list(f, IQ_TIME_NONE);
    inc = json_array_get(list, 0);
    assert_null(ms_rule(inc, "impact_start"));
    assert_string_equal(ms_rule(inc, "detected"), "page_triggered");
    d = json_object_get(inc, "durations");
    json_object_foreach(d, k, v)
        assert_true(json_is_null(v));
    json_decref(list);
}

/* A long alertname in Japanese is cut for the title at a character
 * boundary: the rebuild succeeds and the title is valid UTF-8. */
static void test_long_multibyte_title(void **state)
{
    struct fx *f = *state;
    char name[3 * 300 + 16] = "alertname=x";
    size_t o = strlen(name);
    json_t *list;
    const char *title;
    struct iq_event *evs[1];

    for (int i = 0; i < 300; i++, o += 3)
        memcpy(name + o, "\xe9\x9a\x9c", 3);   /* U+969C after "x": byte 600 is inside one */
    name[o] = '\0';
    evs[0] = mk("t1", "alert", "firing", "web", 0, NULL, "severity=critical", name, NULL);
    put(f->st, evs, 1);
    list = rebuild_list(f, IQ_TIME_NONE);
    assert_int_equal(json_array_size(list), 1);
    title = json_string_value(json_object_get(json_array_get(list, 0), "title"));
    assert_non_null(title);
    assert_true(iq_utf8_valid(title, strlen(title)));
    assert_int_equal(strlen(title), 1 + 3 * 199 + strlen(" on web"));
    json_decref(list);
}

static const char *const mix_ids[] = { "m01", "m02", "m03", "m04", "m05", "m06", "m07", "m08",
                                       "m09", "m10", "m11", "m12", "m13", "m14", "m15", "m16" };

/* A mixed history of several incidents. */
static size_t mixed_history(struct iq_event **evs)
{
    size_t n = 0;

    evs[n++] = mk(mix_ids[0], "deploy", "succeeded", "api", -30, NULL, "sha=aaa", NULL);
    evs[n++] = mk(mix_ids[1], "alert", "firing", "api", 0, NULL, "severity=critical", "fingerprint=x1", NULL);
    evs[n++] = mk(mix_ids[2], "log", "error_rate_rise", "api", -3, NULL, NULL);
    evs[n++] = mk(mix_ids[3], "chat", "posted", NULL, 4, "INC-CH", "actor=U9", NULL);
    evs[n++] = mk(mix_ids[4], "deploy", "succeeded", "api", 20, NULL, "sha=zzz", NULL);
    evs[n++] = mk(mix_ids[5], "alert", "resolved", "api", 25, NULL, "fingerprint=x1", NULL);
    evs[n++] = mk(mix_ids[6], "alert", "firing", "web", 10, NULL, "severity=error", "fingerprint=w1", NULL);
    evs[n++] = mk(mix_ids[7], "status", "investigating", NULL, 12, "SP1", NULL);
    evs[n++] = mk(mix_ids[8], "status", "resolved", NULL, 50, "SP1", NULL);
    evs[n++] = mk(mix_ids[9], "alert", "resolved", "web", 40, NULL, "fingerprint=w1", NULL);
    evs[n++] = mk(mix_ids[10], "alert", "firing", "api", 200, NULL, "severity=critical", "fingerprint=x1", NULL);
    evs[n++] = mk(mix_ids[11], "page", "triggered", "api", 201, "PD9", NULL);
    evs[n++] = mk(mix_ids[12], "page", "acknowledged", "api", 203, "PD9", "actor=R", NULL);
    evs[n++] = mk(mix_ids[13], "alert", "resolved", "api", 230, NULL, "fingerprint=x1", NULL);
    evs[n++] = mk(mix_ids[14], "page", "resolved", "api", 240, "PD9", NULL);
    evs[n++] = mk(mix_ids[15], "alert", "firing", "api", 3000, NULL, "severity=critical", "fingerprint=x2", NULL);
    return n;
}

/* The incidents (or, with unattached, the unattached list) of st as
 * sorted compact JSON text; caller frees. */
static char *stored_text(struct store *st, bool unattached)
{
    json_t *list = NULL;
    char *s;

    assert_int_equal(unattached ? cor_unattached_list(st, IQ_TIME_NONE, &list)
                                : cor_incident_list(st, IQ_TIME_NONE, &list), 0);
    s = json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(list);
    return s;
}

static char *list_text(struct store *st)
{
    return stored_text(st, false);
}

/* Events delivered one at a time in a shuffled order, each followed by a
 * partial rebuild from its time, end with exactly the incidents of one
 * full rebuild; so does a partial rebuild from any time. */
static void test_incremental_equals_full(void **state)
{
    struct fx *f = *state;
    struct iq_event *evs[32], *one[1];
    size_t n = mixed_history(evs), order[32];
    struct cor_result res;
    char *full, *inc, *again;
    unsigned seed = 12345;

    put(f->st, evs, n);
    assert_int_equal(cor_engine_rebuild(f->st, &f->cfg, IQ_TIME_NONE, IQ_TIME_NONE, &res), 0);
    assert_true(res.n >= 3);
    cor_result_free(&res);
    full = list_text(f->st);
    for (int64_t since = T0 - 60 * MIN; since < T0 + 300 * MIN; since += 7 * MIN) {
        assert_int_equal(cor_engine_rebuild(f->st, &f->cfg, since, IQ_TIME_NONE, &res), 0);
        cor_result_free(&res);
        again = list_text(f->st);
        assert_string_equal(full, again);
        free(again);
    }
    teardown(state);
    setup(state);
    f = *state;
    n = mixed_history(evs);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (seed = seed * 1103515245u + 12345u) % (i + 1), t = order[i];

        order[i] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t at = evs[order[i]]->at;

        one[0] = evs[order[i]];
        put(f->st, one, 1);
        assert_int_equal(cor_engine_rebuild(f->st, &f->cfg, at, at, &res), 0);
        cor_result_free(&res);
    }
    inc = list_text(f->st);
    assert_string_equal(full, inc);
    free(full);
    free(inc);
}


/* A random history over ten days: alert firing/resolved pairs, pages,
 * linked chat, deploys and rollbacks, status updates, on five services. */
static size_t random_history(struct iq_event **evs, size_t max, unsigned seed)
{
    static const char *const svcs[] = { "a", "b", "c", "d", "e" };
    char id[32], fp[32], key[32];
    size_t n = 0;

    for (int i = 0; n + 3 <= max; i++) {
        const char *svc = svcs[next_rand(&seed) % 5];
        double at = (double)(next_rand(&seed) % (10 * 24 * 60));
        unsigned kind = next_rand(&seed) % 6;

        snprintf(id, sizeof(id), "r%03d", i);
        snprintf(fp, sizeof(fp), "fingerprint=fp%d", (int)(next_rand(&seed) % 40));
        snprintf(key, sizeof(key), "K%d", (int)(next_rand(&seed) % 15));
        switch (kind) {
        case 0:
        case 1:
            evs[n++] = mk(id, "alert", "firing", svc, at, NULL, "severity=critical",
                          (const char *)fp, NULL);
            snprintf(id, sizeof(id), "r%03d-end", i);
            evs[n++] = mk(id, "alert", "resolved", svc, at + 5 + next_rand(&seed) % 90, NULL,
                          (const char *)fp, NULL);
            break;
        case 2:
            evs[n++] = mk(id, "page", "triggered", svc, at, key, NULL);
            snprintf(id, sizeof(id), "r%03d-end", i);
            evs[n++] = mk(id, "page", "resolved", svc, at + 20 + next_rand(&seed) % 60, key, NULL);
            break;
        case 3:
            evs[n++] = mk(id, "chat", "posted", NULL, at, NULL, "channel=incidents", "actor=U", NULL);
            break;
        case 4:
            evs[n++] = mk(id, "deploy", "succeeded", svc, at, NULL,
                          next_rand(&seed) % 2 ? "sha=one" : "sha=two", NULL);
            break;
        default:
            evs[n++] = mk(id, "status", next_rand(&seed) % 2 ? "investigating" : "resolved", NULL,
                          at, key, NULL);
            break;
        }
    }
    return n;
}

/* Store evs[0, n) (copies; evs keep theirs) in a random order and in
 * random batches of 1..max_batch (max_batch <= 8), each batch followed by
 * the daemon's partial rebuild over the batch's times.  For odd seeds the
 * store starts as inquestd starts it, with a full rebuild: its index of
 * long incidents is then complete ("L"), and the updates read only the
 * spans near their window (cor_spans.c); for even seeds they read all. */
static void replay_shuffled(struct fx *f, struct iq_event **evs, size_t n, unsigned seed,
                            size_t max_batch)
{
    struct iq_event *batch[8];
    struct cor_result res;
    size_t order[256], i = 0;

    assert_true(n <= 256 && max_batch >= 1 && max_batch <= 8);
    if (seed % 2) {
        assert_int_equal(cor_engine_rebuild(f->st, &f->cfg, IQ_TIME_NONE, IQ_TIME_NONE, &res), 0);
        cor_result_free(&res);
    }
    for (size_t k = 0; k < n; k++)
        order[k] = k;
    for (size_t k = n - 1; k > 0; k--) {
        size_t j = next_rand(&seed) % (k + 1), t = order[k];

        order[k] = order[j];
        order[j] = t;
    }
    while (i < n) {
        size_t m = 1 + next_rand(&seed) % max_batch, b = 0;
        int64_t lo = INT64_MAX, hi = INT64_MIN;

        for (; b < m && i < n; b++, i++) {
            batch[b] = iq_event_dup(evs[order[i]]);
            lo = batch[b]->at < lo ? batch[b]->at : lo;
            hi = batch[b]->at > hi ? batch[b]->at : hi;
        }
        put(f->st, batch, b);
        assert_int_equal(cor_engine_rebuild(f->st, &f->cfg, lo, hi, &res), 0);
        cor_result_free(&res);
    }
}

/* Random histories delivered in random small batches, each followed by the
 * daemon's partial rebuild over the batch's times, equal a full rebuild;
 * with the default rules and with short windows. */
static void test_incremental_random(void **state)
{
    static const char *const confs[] = {
        "{\"linked_channels\": [\"incidents\"]}",
        "{\"linked_channels\": [\"incidents\"], \"recurrence_window\": \"1h\", "
        "\"lookback\": \"30m\", \"quiet_period\": \"10m\", \"open_count\": 2}",
    };
    struct iq_event *evs[160];
    char err[IQ_ERR_MAX], *full, *inc;
    struct cor_result res;
    struct fx *f;

    for (size_t c = 0; c < 2; c++) {
        for (unsigned seed = 1; seed <= 8; seed++) {
            json_t *sec = json_loads(confs[c], 0, NULL);
            size_t n;

            teardown(state);
            setup(state);
            f = *state;
            assert_int_equal(cor_config_apply(&f->cfg, sec, err, sizeof(err)), 0);
            json_decref(sec);
            n = random_history(evs, 150, seed);
            replay_shuffled(f, evs, n, seed * 7919u, 5);
            inc = list_text(f->st);
            assert_int_equal(cor_engine_rebuild(f->st, &f->cfg, IQ_TIME_NONE, IQ_TIME_NONE, &res), 0);
            assert_true(res.n > 3);
            cor_result_free(&res);
            full = list_text(f->st);
            if (strcmp(full, inc) != 0)
                dump_pair(full, inc, "/tmp/corgen/full.json", "/tmp/corgen/inc.json");
            if (strcmp(full, inc) != 0)
                fail_msg("conf %zu seed %u: incremental differs from full rebuild", c, seed);
            free(full);
            free(inc);
            for (size_t k = 0; k < n; k++)
                iq_event_destroy(&evs[k]);
        }
    }
}

static char *unattached_text(struct store *st)
{
    return stored_text(st, true);
}

/* The property of test_incremental_random over the concurrent corpus with
 * its config: the events in random order and random batch sizes, each
 * batch followed by the daemon's partial rebuild, give exactly the
 * incidents and the unattached list of one full rebuild. */
static void test_incremental_corpus(void **state)
{
    struct iq_event *evs[256];
    char path[512], err[IQ_ERR_MAX], *full, *inc, *ufull, *uinc;
    struct cor_result res;
    json_t *conf;
    struct fx *f;

    snprintf(path, sizeof(path), "%s/tests/data/concurrent/config.json", iq_test_root());
    conf = json_load_file(path, 0, NULL);
    assert_non_null(conf);
    for (unsigned seed = 1; seed <= 6; seed++) {
        size_t n;

        teardown(state);
        setup(state);
        f = *state;
        assert_int_equal(cor_config_apply(&f->cfg, json_object_get(conf, "correlate"), err,
                                          sizeof(err)), 0);
        n = load_corpus(evs, 256);
        replay_shuffled(f, evs, n, seed * 104729u, 8);
        inc = list_text(f->st);
        uinc = unattached_text(f->st);
        assert_int_equal(cor_engine_rebuild(f->st, &f->cfg, IQ_TIME_NONE, IQ_TIME_NONE, &res), 0);
        assert_true(res.n >= 22);
        assert_true(res.n_unatt >= 1);
        cor_result_free(&res);
        full = list_text(f->st);
        ufull = unattached_text(f->st);
        if (strcmp(full, inc) != 0 || strcmp(ufull, uinc) != 0)
            fail_msg("seed %u: incremental differs from full rebuild", seed);
        free(full);
        free(inc);
        free(ufull);
        free(uinc);
        for (size_t k = 0; k < n; k++)
            iq_event_destroy(&evs[k]);
    }
    json_decref(conf);
}

static struct iq_event *note(const char *id, const char *action, double min, const char *inc, ...)
{
    struct iq_event *ev = mk(id, "note", action, "inquest", min, NULL, NULL);
    const char *k, *v;
    char err[IQ_ERR_MAX];
    va_list ap;

    iq_event_set_str(ev, IQ_F_SOURCE, "inquest");
    iq_event_set_label(ev, "incident", inc);
    va_start(ap, inc);
    while ((k = va_arg(ap, const char *)) && (v = va_arg(ap, const char *)))
        iq_event_set_label(ev, k, v);
    va_end(ap);
    assert_int_equal(iq_event_validate(ev, err, sizeof(err)), 0);
    return ev;
}

/* merge, split --service, set: applied after grouping, reproduced by a
 * rebuild, and a partial rebuild keeps them. */
static void test_notes(void **state)
{
    struct fx *f = *state;
    struct iq_event *evs[] = {
        mk("s1", "alert", "firing", "pay", 0, NULL, "severity=critical", "fingerprint=p", NULL),
        mk("s2", "alert", "firing", "search", 1, NULL, "severity=critical", "fingerprint=s", NULL),
        mk("s3", "alert", "resolved", "pay", 20, NULL, "fingerprint=p", NULL),
        mk("s4", "alert", "resolved", "search", 21, NULL, "fingerprint=s", NULL),
    };
    struct iq_event *n1[1], *n2[1], *n3[1];
    char a[32], b[32], c[32], *t1, *t2;
    struct cor_result res;
    json_t *list, *m;

    put(f->st, evs, 4);
    list = rebuild_list(f, IQ_TIME_NONE);
    assert_int_equal(json_array_size(list), 2);
    snprintf(a, sizeof(a), "%s", json_string_value(json_object_get(json_array_get(list, 0), "id")));
    snprintf(b, sizeof(b), "%s", json_string_value(json_object_get(json_array_get(list, 1), "id")));
    json_decref(list);

    n1[0] = note("note-1", "merge", 100, a, "other", b, NULL);
    put(f->st, n1, 1);
    list = rebuild_list(f, IQ_TIME_NONE);
    assert_int_equal(json_array_size(list), 1);
    m = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(m, "id")), a);
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "merged_from"), 0)), b);
    assert_int_equal(json_array_size(json_object_get(m, "services")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "overrides"), 0)),
                        "note-1");
    json_decref(list);

    n2[0] = note("note-2", "split", 101, a, "split_service", "search", NULL);
    n3[0] = note("note-3", "set", 102, a, "field", "mitigated", "value",
                 "2026-03-16T10:05:00.000Z", NULL);
    put(f->st, n2, 1);
    put(f->st, n3, 1);
    list = rebuild_list(f, IQ_TIME_NONE);
    assert_int_equal(json_array_size(list), 2);
    snprintf(c, sizeof(c), "%s", json_string_value(json_object_get(json_array_get(list, 1), "id")));
    assert_string_not_equal(c, b);
    m = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(m, "id")), a);
    assert_string_equal(ms_rule(m, "mitigated"), "manual");
    assert_true(ms_at(m, "mitigated") == T0 + 5 * MIN);
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(json_object_get(m, "milestones"), "mitigated"), "event")), "note-3");
    json_decref(list);
    t1 = list_text(f->st);
    assert_int_equal(cor_engine_rebuild(f->st, &f->cfg, T0 + 10 * MIN, T0 + 10 * MIN, &res), 0);
    cor_result_free(&res);
    t2 = list_text(f->st);
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
}

/* --diff: nothing with the same rules; a shorter quiet period changes the
 * closing time, printed per field; nothing is written. */
static void test_diff(void **state)
{
    struct fx *f = *state;
    struct iq_event *evs[] = {
        mk("d1", "alert", "firing", "api", 0, NULL, "severity=critical", "fingerprint=z", NULL),
        mk("d2", "alert", "resolved", "api", 10, NULL, "fingerprint=z", NULL),
    };
    char err[IQ_ERR_MAX], buf[4096] = "";
    json_t *sec = json_pack("{s:s}", "quiet_period", "5m"), *list;
    struct cor_config other;
    FILE *mem;
    char *before, *after;

    put(f->st, evs, 2);
    list = rebuild_list(f, IQ_TIME_NONE);
    json_decref(list);
    before = list_text(f->st);
    mem = fmemopen(buf, sizeof(buf), "w");
    assert_int_equal(cor_engine_diff(f->st, &f->cfg, IQ_TIME_NONE, mem), 0);
    fclose(mem);
    cor_config_init(&other);
    assert_int_equal(cor_config_apply(&other, sec, err, sizeof(err)), 0);
    mem = fmemopen(buf, sizeof(buf), "w");
    assert_int_equal(cor_engine_diff(f->st, &other, IQ_TIME_NONE, mem), 1);
    fclose(mem);
    assert_non_null(strstr(buf, "~ inc-"));
    assert_non_null(strstr(buf, "closed_at: \"2026-03-16T10:40:00.000Z\" -> \"2026-03-16T10:15:00.000Z\""));
    after = list_text(f->st);
    assert_string_equal(before, after);
    free(before);
    free(after);
    cor_config_release(&other);
    json_decref(sec);
}

/* cor_incident_load / cor_incident_events as the renderer uses them. */
static void test_read_api(void **state)
{
    struct fx *f = *state;
    struct iq_event *evs[] = {
        mk("r2", "alert", "resolved", "api", 10, NULL, "fingerprint=r", NULL),
        mk("r1", "alert", "firing", "api", 0, NULL, "severity=critical", "fingerprint=r", NULL),
    };
    struct iq_event **got = NULL;
    size_t n = 0;
    json_t *list, *inc = NULL;
    const char *id;

    put(f->st, evs, 2);
    list = rebuild_list(f, IQ_TIME_NONE);
    id = json_string_value(json_object_get(json_array_get(list, 0), "id"));
    assert_int_equal(cor_incident_load(f->st, id, &inc), 0);
    assert_true(json_equal(inc, json_array_get(list, 0)));
    assert_int_equal(cor_incident_events(f->st, id, &got, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(iq_ev_id(got[0]), "r1");
    assert_string_equal(iq_ev_id(got[1]), "r2");
    cor_events_free(&got, n);
    assert_null(got);
    assert_int_equal(cor_incident_load(f->st, "inc-20990101-00000000", &inc), -ENOENT);
    json_decref(inc);
    json_decref(list);
}

static void expect_conf_error(const char *text, const char *needle)
{
    struct cor_config c;
    char err[IQ_ERR_MAX] = "";
    json_t *j = json_loads(text, 0, NULL);

    assert_non_null(j);
    cor_config_init(&c);
    assert_int_equal(cor_config_apply(&c, j, err, sizeof(err)), -EINVAL);
    if (!strstr(err, needle))
        fail_msg("error \"%s\" does not name \"%s\"", err, needle);
    cor_config_release(&c);
    json_decref(j);
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_conf_error("{\"open_severity\": \"urgentish\"}", "open_severity");
    expect_conf_error("{\"components\": [1]}", "components");
    expect_conf_error("{\"services\": {\"a\": 3}}", "services.a");
    expect_conf_error("{\"linked_channels\": [\"ok\", 2]}", "linked_channels[1]");
    expect_conf_error("{\"linked_channels\": {\"#inc\": 2}}", "linked_channels.#inc");
    expect_conf_error("{\"linked_channels\": \"#inc\"}", "linked_channels");
    expect_conf_error("{\"quiet_perio\": \"5m\"}", "quiet_perio");
    expect_conf_error("{\"quiet_period\": \"soon\"}", "quiet_period");
    expect_conf_error("{\"open_count\": 0}", "open_count");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_group_key_service_chat, setup, teardown),
    cmocka_unit_test_setup_teardown(test_open_threshold, setup, teardown),
    cmocka_unit_test_setup_teardown(test_quiet_period_recurrence, setup, teardown),
    cmocka_unit_test_setup_teardown(test_nulls_without_evidence, setup, teardown),
    cmocka_unit_test_setup_teardown(test_long_multibyte_title, setup, teardown),
    cmocka_unit_test_setup_teardown(test_incremental_equals_full, setup, teardown),
    cmocka_unit_test_setup_teardown(test_incremental_random, setup, teardown),
    cmocka_unit_test_setup_teardown(test_incremental_corpus, setup, teardown),
    cmocka_unit_test_setup_teardown(test_notes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
    cmocka_unit_test_setup_teardown(test_read_api, setup, teardown),
    cmocka_unit_test(test_config_errors),
};

TEST_MAIN(tests)
