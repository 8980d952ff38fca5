/* cor_stream_test.c - the streaming full rebuild (cor_stream.h) against
 * the in-memory run on a real RocksDB store.
 *
 * Reference: the in-memory computation of every incident
 * (cor_engine_compute) written the way a full rebuild wrote it before
 * streaming (cor_store_replace_texts over the whole range).  The stream
 * must leave the incidents family byte for byte the same: every incident
 * text, index entry and unattached record.  Checked on the concurrent
 * corpus and on random histories rich in what makes streaming hard (late
 * resolutions, long-open incidents, status-page incidents created long
 * before their first update, plain log lines, and audit notes that merge,
 * split, set and attach across weeks), each with a budget so small that the
 * window is compacted at every event, and with a large one.  Also: memory
 * stays flat when history grows, and an interrupted store (stale incidents
 * of another rule set) is cleaned.  And the daemon's incremental updates
 * (cor_engine_update) for late events and audit notes deep in a long
 * history read only the stretch around what they touch. */
#include "iq_test.h"
#include "cor_test.h"
#include <errno.h>
#include <glob.h>
#include <unistd.h>
#include "cor_config.h"
#include "cor_engine.h"
#include "cor_incident.h"
#include "cor_store.h"
#include "cor_stream.h"
#include "cor_unattached.h"
#include "store_keys.h"
#include "store.h"
#include "iq_buf.h"
#include "iq_event.h"
#include "iq_time.h"

#define T0 1773655200000LL          /* 2026-03-16T10:00:00Z */
#define MIN 60000LL
#define MAXEV 24000

/* Under the sanitizers (make test-asan) everything runs ten times slower:
 * fewer seeds there. */
static unsigned seeds(void)
{
    return getenv("IQ_SANITIZED") ? 1 : 3;
}

static void reset(void **state)
{
    teardown(state);
    setup(state);
}

static void apply_conf(struct fx *f, const char *text)
{
    char err[IQ_ERR_MAX];
    json_t *sec = json_loads(text, 0, NULL);

    assert_non_null(sec);
    if (cor_config_apply(&f->cfg, sec, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    json_decref(sec);
}

/* ---- events ---- */

static struct iq_event *mk(const char *id, const char *kind, const char *action,
                           const char *service, int64_t at)
{
    struct iq_event *ev = iq_event_new();

    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_SOURCE, "test");
    iq_event_set_str(ev, IQ_F_KIND, kind);
    iq_event_set_str(ev, IQ_F_ACTION, action);
    if (service)
        iq_event_set_str(ev, IQ_F_SERVICE, service);
    ev->at = at;
    return ev;
}

static void put_all(struct fx *f, struct iq_event **evs, size_t n)
{
    uint8_t out[256];
    char err[IQ_ERR_MAX];

    for (size_t i = 0; i < n; i += 256) {
        size_t m = n - i < 256 ? n - i : 256;

        for (size_t k = 0; k < m; k++)
            if (iq_event_validate(evs[i + k], err, sizeof(err)) < 0)
                fail_msg("%s: %s", iq_ev_id(evs[i + k]), err);
        assert_true(store_put_events(f->st, evs + i, m, out) >= 0);
    }
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
}

static const char *const svcs[] = { "a", "b", "c", "d", "e", "f" };

/* One situation at time at (ms) on a random service: returns the events
 * added.  Unless wild, every alert resolves. */
static size_t situation(struct iq_event **evs, unsigned *seed, int i, int64_t at, bool wild)
{
    const char *svc = svcs[next_rand(seed) % 6];
    char id[40], v[48];
    size_t n = 0;
    struct iq_event *ev;

    snprintf(id, sizeof(id), "e%04d", i);
    switch (next_rand(seed) % (wild ? 12 : 10)) {
    case 0:
    case 1:   /* an alert; its resolution stored at startsAt with an end time */
        ev = evs[n++] = mk(id, "alert", "firing", svc, at);
        iq_event_set_str(ev, IQ_F_SEVERITY, next_rand(seed) % 4 ? "critical" : "info");
        snprintf(v, sizeof(v), "fp%u", next_rand(seed) % 30);
        iq_event_set_label(ev, "fingerprint", v);
        if (next_rand(seed) % 3 == 0)
            iq_event_set_label(ev, "received_at", "2026-03-16T10:00:30Z");
        snprintf(id, sizeof(id), "e%04d-end", i);
        ev = evs[n++] = mk(id, "alert", "resolved", svc, at);
        ev->ends_at = at + (int64_t)(5 + next_rand(seed) % 300) * MIN;
        iq_event_set_label(ev, "fingerprint", v);
        break;
    case 2:
        snprintf(v, sizeof(v), "PD%u", next_rand(seed) % 20);
        ev = evs[n++] = mk(id, "page", "triggered", svc, at);
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, v);
        snprintf(id, sizeof(id), "e%04d-ack", i);
        ev = evs[n++] = mk(id, "page", "acknowledged", svc, at + 3 * MIN);
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, v);
        iq_event_set_str(ev, IQ_F_ACTOR, "R");
        snprintf(id, sizeof(id), "e%04d-end", i);
        ev = evs[n++] = mk(id, "page", "resolved", svc, at + (int64_t)(20 + next_rand(seed) % 90) * MIN);
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, v);
        break;
    case 3:
        ev = evs[n++] = mk(id, "chat", "posted", NULL, at);
        iq_event_set_str(ev, IQ_F_ACTOR, "U");
        iq_event_set_label(ev, "channel", next_rand(seed) % 4 ? "incidents" : "random");
        break;
    case 4:   /* deploys going back and forth, so some are rollbacks */
        ev = evs[n++] = mk(id, "deploy", "succeeded", svc, at);
        snprintf(v, sizeof(v), "sha%u", next_rand(seed) % 3);
        iq_event_set_label(ev, "sha", v);
        break;
    case 5:
        ev = evs[n++] = mk(id, next_rand(seed) % 2 ? "change" : "deploy",
                           next_rand(seed) % 2 ? "rolled_back" : "applied", svc, at);
        break;
    case 6:   /* a status-page incident, sometimes created long before */
        snprintf(v, sizeof(v), "SP%u", next_rand(seed) % 12);
        ev = evs[n++] = mk(id, "status", next_rand(seed) % 2 ? "investigating" : "monitoring",
                           NULL, at);
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, v);
        iq_event_set_label(ev, "component.1", next_rand(seed) % 2 ? "API" : "Web");
        if (next_rand(seed) % 3 == 0)
            iq_event_set_label(ev, "created_at", "2026-03-12T08:00:00Z");
        snprintf(id, sizeof(id), "e%04d-end", i);
        ev = evs[n++] = mk(id, "status", "resolved", NULL, at + 40 * MIN);
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, v);
        break;
    case 7:
        ev = evs[n++] = mk(id, "status", next_rand(seed) % 2 ? "partial_outage" : "operational",
                           NULL, at);
        iq_event_set_label(ev, "component", next_rand(seed) % 2 ? "API" : "Web");
        break;
    case 8:
        evs[n++] = mk(id, "log", "error_rate_rise", svc, at);
        break;
    case 9:   /* plain log lines: no signal, one with a key */
        evs[n++] = mk(id, "log", "line", svc, at);
        if (next_rand(seed) % 4 == 0)
            iq_event_set_str(evs[n - 1], IQ_F_INCIDENT_KEY, "PD3");
        break;
    default:
        ev = evs[n++] = mk(id, "alert", "firing", svc, at);
        iq_event_set_str(ev, IQ_F_SEVERITY, "warning");
        snprintf(v, sizeof(v), "w%u", next_rand(seed) % 8);
        iq_event_set_label(ev, "fingerprint", v);
        break;
    }
    return n;
}

/* A history of about max events over days days, plus an alert on service
 * z that fires again every 20 hours and never resolves: one incident open
 * the whole time.  Wild: also warning alerts that never resolve, which
 * keep their service's incident open. */
static size_t random_history(struct iq_event **evs, size_t max, unsigned seed, int days, bool wild)
{
    size_t n = 0;
    char id[32];

    for (int i = 0; n + 4 <= max; i++) {
        unsigned r = next_rand(&seed) << 15 | next_rand(&seed);
        int64_t at = T0 + (int64_t)(r % (unsigned)(days * 24 * 60)) * MIN +
                     (int64_t)(next_rand(&seed) % 60) * 1000;

        if (i % 40 == 0 && (int64_t)i / 40 * 20 * 60 < days * 24 * 60) {
            snprintf(id, sizeof(id), "z%04d", i);
            evs[n] = mk(id, "alert", "firing", "z", T0 + (int64_t)i / 40 * 20 * 60 * MIN);
            iq_event_set_str(evs[n], IQ_F_SEVERITY, "critical");
            iq_event_set_label(evs[n++], "fingerprint", "forever");
        }
        n += situation(evs + n, &seed, i, at, wild);
    }
    return n;
}

static struct iq_event *note(const char *id, const char *action, int64_t at, const char *inc)
{
    struct iq_event *ev = mk(id, "note", action, "inquest", at);

    iq_event_set_str(ev, IQ_F_SOURCE, "inquest");
    if (inc)
        iq_event_set_label(ev, "incident", inc);
    return ev;
}

/* Notes over the stored incidents: merges of incidents weeks apart,
 * splits, manual milestones and titles, attaches of old events (a log
 * line, a member of another incident), one naming nothing. */
static size_t random_notes(struct fx *f, struct iq_event **evs, unsigned seed, int64_t t_end)
{
    json_t *list = NULL;
    size_t n = 0, m;
    char id[32];

    assert_int_equal(cor_incident_list(f->st, IQ_TIME_NONE, &list), 0);
    m = json_array_size(list);
    assert_true(m >= 8);
    for (int k = 0; k < 8; k++) {
        const json_t *a = json_array_get(list, next_rand(&seed) % m);
        const json_t *b = json_array_get(list, next_rand(&seed) % m);
        const char *ida = json_string_value(json_object_get(a, "id"));
        const json_t *ev_ids = json_object_get(b, "event_ids");
        struct iq_event *ev;

        snprintf(id, sizeof(id), "note-%d", k);
        switch (k % 5) {
        case 0:
            ev = note(id, "merge", t_end + k * MIN, ida);
            iq_event_set_label(ev, "other", json_string_value(json_object_get(b, "id")));
            break;
        case 1:
            ev = note(id, "split", t_end + k * MIN, ida);
            iq_event_set_label(ev, "at", json_string_value(json_object_get(a, "closed_at")) ?
                                             "2026-03-20T10:00:00Z" : "2026-03-17T10:00:00Z");
            if (next_rand(&seed) % 2)
                iq_event_set_label(ev, "split_service", svcs[next_rand(&seed) % 6]);
            break;
        case 2:
            ev = note(id, "set", t_end + k * MIN, ida);
            iq_event_set_label(ev, "field", next_rand(&seed) % 2 ? "impact_start" : "title");
            iq_event_set_label(ev, "value", "2026-03-14T10:00:00Z");
            break;
        case 3:
            ev = note(id, "attach", t_end + k * MIN, ida);
            iq_event_set_label(ev, "event", next_rand(&seed) % 2 ? "e0009" :
                               json_string_value(json_array_get(ev_ids, json_array_size(ev_ids) - 1)));
            break;
        default:
            ev = note(id, "merge", t_end + k * MIN, "inc-20990101-00000000");
            iq_event_set_label(ev, "other", ida);
            break;
        }
        evs[n++] = ev;
    }
    json_decref(list);
    return n;
}

/* ---- the incidents family, byte for byte ---- */

static int dump_one(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct iq_buf *b = ud;

    for (size_t i = 0; i < kl; i++)
        iq_buf_printf(b, "%02x", (unsigned char)k[i]);
    iq_buf_addc(b, '=');
    iq_buf_add(b, v, vl);
    iq_buf_addc(b, '\n');
    return 0;
}

/* Every key and value of the incidents family; caller frees. */
static char *dump(struct fx *f)
{
    struct iq_buf b;
    char *s;

    iq_buf_init(&b, SIZE_MAX / 2);
    assert_int_equal(store_kv_scan(f->st, STORE_CF_INCIDENTS, "", 0, dump_one, &b), 0);
    s = strdup(b.p ? b.p : "");
    iq_buf_free(&b);
    return s;
}

/* The incidents family as the in-memory full rebuild writes it. */
static char *reference(struct fx *f, size_t *ret_n)
{
    struct cor_result res;

    assert_int_equal(cor_engine_compute(f->st, &f->cfg, IQ_TIME_NONE, IQ_TIME_NONE, &res), 0);
    assert_int_equal(cor_store_replace_texts(f->st, NULL, 0, res.spans, res.texts, res.n,
                                             res.names, res.names_len, IQ_TIME_NONE, IQ_TIME_NONE,
                                             res.unatt, res.n_unatt), 0);
    *ret_n = res.n;
    cor_result_free(&res);
    return dump(f);
}

static char *streamed_by(struct fx *f, size_t budget, enum cor_stream_classify side,
                         struct cor_stream_stats *stats)
{
    struct cor_result res;

    f->cfg.rebuild_memory = budget;
    assert_int_equal(cor_stream_rebuild_classify(f->st, &f->cfg, side, &res, stats), 0);
    cor_result_free(&res);
    if (side == COR_CLASSIFY_READER)
        assert_int_equal(stats->reader_classified, stats->batches);
    if (side == COR_CLASSIFY_WALKER)
        assert_int_equal(stats->reader_classified, 0);
    return dump(f);
}

static char *streamed(struct fx *f, size_t budget, struct cor_stream_stats *stats)
{
    return streamed_by(f, budget, COR_CLASSIFY_EITHER, stats);
}

/* Stream with a tiny and a large budget: both equal the reference.  The
 * reading thread classifies every batch of one, the walking thread every
 * batch of the other (by default it depends on which one is behind). */
static void check_equal(struct fx *f, const char *what, struct cor_stream_stats *small)
{
    struct cor_stream_stats big;
    size_t n;
    char *ref = reference(f, &n), *s1 = streamed_by(f, 1024, COR_CLASSIFY_READER, small),
         *s2 = streamed_by(f, 1 << 30, COR_CLASSIFY_WALKER, &big);

    assert_true(n > 0);
    if (strcmp(ref, s1) != 0)
        dump_pair(ref, s1, "/tmp/cor-ref.txt", "/tmp/cor-stream.txt");
    if (strcmp(ref, s1) != 0)
        fail_msg("%s: streamed with a tiny budget differs from the in-memory rebuild", what);
    if (strcmp(ref, s2) != 0)
        fail_msg("%s: streamed with a large budget differs from the in-memory rebuild", what);
    assert_true(small->compactions > 20);
    assert_int_equal(big.out_batches, 1);
    assert_int_equal(big.compactions, 0);
    free(ref);
    free(s1);
    free(s2);
}

/* ---- tests ---- */

/* The concurrent corpus with its config: twelve situations interleaved. */
static void test_corpus(void **state)
{
    struct fx *f = *state;
    struct iq_event *evs[256];
    struct cor_stream_stats st;
    char path[512], err[IQ_ERR_MAX];
    json_t *conf;
    size_t n;

    snprintf(path, sizeof(path), "%s/tests/data/concurrent/config.json", iq_test_root());
    assert_non_null(conf = json_load_file(path, 0, NULL));
    assert_int_equal(cor_config_apply(&f->cfg, json_object_get(conf, "correlate"), err,
                                      sizeof(err)), 0);
    json_decref(conf);
    n = load_corpus(evs, 256);
    put_all(f, evs, n);
    check_equal(f, "concurrent corpus", &st);
}

static const char *const confs[] = {
    "{\"linked_channels\": [\"incidents\"], \"components\": {\"API\": \"a\", \"Web\": \"b\"}}",
    "{\"linked_channels\": [\"incidents\"], \"recurrence_window\": \"1h\", \"lookback\": \"30m\", "
    "\"quiet_period\": \"10m\", \"open_count\": 2, \"lead_window\": \"20m\", "
    "\"stale_after\": \"3h\"}",
};

/* Random histories: a tiny budget and a large one give the in-memory
 * result, before and after audit notes that reach across weeks. */
static void test_random_budgets(void **state)
{
    static struct iq_event *evs[MAXEV];
    struct cor_stream_stats st;
    char what[64];

    for (size_t c = 0; c < 2; c++) {
        for (unsigned seed = 1; seed <= seeds(); seed++) {
            struct fx *f;
            size_t n;

            reset(state);
            f = *state;
            apply_conf(f, confs[c]);
            n = random_history(evs, 700, seed * 7919u + (unsigned)c, 30, true);
            put_all(f, evs, n);
            snprintf(what, sizeof(what), "conf %zu seed %u", c, seed);
            check_equal(f, what, &st);
            assert_int_equal(st.held, 0);
            assert_true(st.out_batches > 2);     /* through the committing thread */
            n = random_notes(f, evs, seed, T0 + 40LL * 24 * 60 * MIN);
            put_all(f, evs, n);
            snprintf(what, sizeof(what), "conf %zu seed %u with notes", c, seed);
            check_equal(f, what, &st);
            assert_true(st.held > 0);
            if (getenv("COR_TEST_STATS"))
                fprintf(stderr, "%s: %zu compactions, %zu held, %zu side runs, %zu patched, "
                        "%zu batches\n", what, st.compactions, st.held, st.side_runs, st.patched,
                        st.out_batches);
        }
    }
}

/* Memory follows the window, not history: four times the events over four
 * times the days keep about the same peak (both histories span several of
 * the reader's batches, which are part of what is held). */
static void test_flat_memory(void **state)
{
    static struct iq_event *evs[MAXEV];
    struct cor_stream_stats st[2];
    struct cor_result res;

    for (int k = 0; k < 2; k++) {
        struct fx *f;
        size_t n;

        reset(state);
        f = *state;
        apply_conf(f, confs[0]);
        n = random_history(evs, k ? 20000 : 5000, 99, k ? 240 : 60, false);
        put_all(f, evs, n);
        f->cfg.rebuild_memory = 256 * 1024;
        assert_int_equal(cor_stream_rebuild(f->st, &f->cfg, &res, &st[k]), 0);
        assert_true(res.events == n);
        cor_result_free(&res);
    }
    assert_true(st[1].compactions > st[0].compactions);
    if (st[1].peak_bytes > st[0].peak_bytes * 3 / 2)
        fail_msg("peak %zu bytes for 4x the history, %zu for 1x", st[1].peak_bytes,
                 st[0].peak_bytes);
}

/* Incidents and records of an earlier rule set that the rebuild does not
 * produce are deleted; the ones it does are rewritten. */
static void test_stale_removed(void **state)
{
    static struct iq_event *evs[MAXEV];
    struct fx *f = *state;
    struct cor_stream_stats st;
    size_t n;
    char *ref, *s;

    apply_conf(f, confs[1]);
    n = random_history(evs, 400, 5, 10, true);
    put_all(f, evs, n);
    ref = reference(f, &n);
    free(ref);
    apply_conf(f, confs[0]);
    s = streamed(f, 4096, &st);
    ref = reference(f, &n);
    assert_string_equal(ref, s);
    free(ref);
    free(s);
}

/* The final sweep reads the index, not the texts: a stale incident (text,
 * names, "t" and "l" entries), a stale "t" entry of an incident the
 * rebuild writes again under another opening time, and a stale
 * unattached record are all gone, and the rewritten incident stays. */
static void test_stale_index(void **state)
{
    static struct iq_event *evs[MAXEV];
    struct fx *f = *state;
    struct cor_stream_stats st;
    struct cor_unatt u = { .at = T0 - 90 * MIN, .id = "gone-event", .text = "{\"id\":\"gone\"}" };
    struct store_batch *b;
    json_t *list = NULL;
    const char *live;
    char key[80], *ref, *s;
    size_t n;

    apply_conf(f, confs[0]);
    n = random_history(evs, 300, 11, 10, true);
    put_all(f, evs, n);
    ref = reference(f, &n);
    assert_int_equal(cor_incident_list(f->st, IQ_TIME_NONE, &list), 0);
    assert_true(json_array_size(list) > 0);
    live = json_string_value(json_object_get(json_array_get(list, 0), "id"));
    assert_non_null(b = store_batch_new(f->st));
    /* an incident no rebuild makes: open, so it has an "l" entry too */
    assert_int_equal(cor_store_queue_text(b, "inc-19990101-deadbeef", T0 - 100 * MIN, IQ_TIME_NONE,
                                          "{\"id\":\"inc-19990101-deadbeef\"}", NULL, 0), 0);
    /* a live incident's index entry under an opening time it no longer has */
    key[0] = 't';
    store_be64_put(key + 1, T0 - 200 * MIN);
    memcpy(key + 9, live, strlen(live));
    store_batch_put(b, STORE_CF_INCIDENTS, key, 9 + strlen(live), "", 0);
    cor_unattached_put(b, &u);
    assert_int_equal(store_batch_commit(b), 0);
    store_batch_destroy(&b);
    s = dump(f);
    assert_string_not_equal(ref, s);
    free(s);
    s = streamed(f, 4096, &st);
    assert_string_equal(ref, s);
    json_decref(list);
    free(ref);
    free(s);
}

static struct iq_event *status(const char *id, const char *action, int64_t at, const char *key)
{
    struct iq_event *ev = mk(id, "status", action, NULL, at);

    iq_event_set_str(ev, IQ_F_INCIDENT_KEY, key);
    iq_event_set_label(ev, "component.1", "API");
    return ev;
}

/* Two status-page incidents on one service, the second opened two
 * minutes after the first: the first takes the error-rate rise before
 * both, even though it stays open for hours and the second is ready to be
 * written long before.  A plain log line an attach note names joins too. */
static void test_contested_evidence(void **state)
{
    struct fx *f = *state;
    struct iq_event *evs[64];
    struct cor_stream_stats st;
    json_t *list = NULL;
    size_t n = 0;
    char id[32];

    apply_conf(f, confs[0]);
    evs[n++] = mk("rise", "log", "error_rate_rise", "a", T0 - 5 * MIN);
    evs[n++] = mk("line", "log", "line", "a", T0 - 4 * MIN);
    evs[n++] = status("sp1-0", "investigating", T0, "SP1");
    evs[n++] = status("sp2-0", "investigating", T0 + 2 * MIN, "SP2");
    evs[n++] = status("sp2-1", "resolved", T0 + 10 * MIN, "SP2");
    for (int k = 1; k <= 30; k++) {
        snprintf(id, sizeof(id), "sp1-%02d", k);
        evs[n++] = status(id, "identified", T0 + k * 20 * MIN, "SP1");
    }
    evs[n++] = status("sp1-end", "resolved", T0 + 31 * 20 * MIN, "SP1");
    for (int k = 0; k < 6; k++) {
        snprintf(id, sizeof(id), "later-%d", k);
        evs[n] = mk(id, "alert", "firing", "b", T0 + (20 + k) * 60 * MIN);
        iq_event_set_str(evs[n], IQ_F_SEVERITY, "critical");
        iq_event_set_label(evs[n++], "fingerprint", id);
    }
    put_all(f, evs, n);
    free(reference(f, &n));
    assert_int_equal(cor_incident_list(f->st, IQ_TIME_NONE, &list), 0);
    assert_true(json_array_size(list) >= 3);
    evs[0] = note("note-a", "attach", T0 + 30 * 60 * MIN,
                  json_string_value(json_object_get(json_array_get(list, 1), "id")));
    iq_event_set_label(evs[0], "event", "line");
    json_decref(list);
    put_all(f, evs, 1);
    check_equal(f, "contested evidence", &st);
    assert_int_equal(st.held, 1);
}

/* ---- incremental updates stay near their events ---- */

#define DAY (24 * 60 * MIN)

/* Sixty days of one short incident a day on service d, a deploy a day,
 * and one incident of three days (a page acknowledged every ten hours
 * until it resolves).  Returns the number of events stored. */
static size_t long_history(struct fx *f)
{
    static struct iq_event *evs[512];
    char id[32], fp[32];
    size_t n = 0;

    for (int d = 0; d < 60; d++) {
        int64_t t = T0 + d * DAY;

        snprintf(id, sizeof(id), "dep%02d", d);
        evs[n] = mk(id, "deploy", "succeeded", "d", t - 30 * MIN);
        iq_event_set_label(evs[n++], "sha", d % 3 ? "x" : "y");
        snprintf(id, sizeof(id), "a%02d", d);
        snprintf(fp, sizeof(fp), "fp%02d", d);
        evs[n] = mk(id, "alert", "firing", "d", t);
        iq_event_set_str(evs[n], IQ_F_SEVERITY, "critical");
        iq_event_set_label(evs[n++], "fingerprint", fp);
        snprintf(id, sizeof(id), "a%02d-end", d);
        evs[n] = mk(id, "alert", "resolved", "d", t + 20 * MIN);
        iq_event_set_label(evs[n++], "fingerprint", fp);
    }
    for (int h = 0; h <= 72; h += 10) {
        snprintf(id, sizeof(id), "long%02d", h);
        evs[n] = mk(id, "page", h ? "acknowledged" : "triggered", "long", T0 + 30 * DAY + h * 60 * MIN);
        iq_event_set_str(evs[n++], IQ_F_INCIDENT_KEY, "LONG");
    }
    evs[n] = mk("long-end", "page", "resolved", "long", T0 + 33 * DAY + 6 * 60 * MIN);
    iq_event_set_str(evs[n++], IQ_F_INCIDENT_KEY, "LONG");
    put_all(f, evs, n);
    return n;
}

/* The update the daemon runs for events in [since, until] (trig: the
 * latest deploy or change among them) leaves the incidents family exactly
 * as a full rebuild does, having read at most max events. */
static void check_update(struct fx *f, int64_t since, int64_t until, int64_t trig, size_t max,
                         const char *what)
{
    struct cor_result res;
    char *upd, *full;

    assert_int_equal(cor_engine_update(f->st, &f->cfg, since, until, trig, &res), 0);
    if (res.events > max)
        fail_msg("%s: the update read %zu events (at most %zu expected)", what, res.events, max);
    cor_result_free(&res);
    upd = dump(f);
    full = streamed(f, 1 << 20, &(struct cor_stream_stats){ 0 });
    if (strcmp(upd, full) != 0)
        fail_msg("%s: the update differs from a full rebuild", what);
    free(upd);
    free(full);
}

static int64_t span_of(struct fx *f, const char *event, bool closed)
{
    json_t *list = NULL, *inc, *v;
    size_t i, k;
    int64_t t = IQ_TIME_NONE;

    assert_int_equal(cor_incident_list(f->st, IQ_TIME_NONE, &list), 0);
    json_array_foreach(list, i, inc)
        json_array_foreach(json_object_get(inc, "event_ids"), k, v)
            if (strcmp(json_string_value(v), event) == 0) {
                const char *s = json_string_value(json_object_get(inc, closed ? "closed_at"
                                                                                : "opened_at"));

                assert_int_equal(iq_time_parse_rfc3339(s, strlen(s), &t), 0);
            }
    json_decref(list);
    return t;
}

static const char *id_of(struct fx *f, const char *event, char *buf, size_t size)
{
    json_t *list = NULL, *inc, *v;
    size_t i, k;

    buf[0] = '\0';
    assert_int_equal(cor_incident_list(f->st, IQ_TIME_NONE, &list), 0);
    json_array_foreach(list, i, inc)
        json_array_foreach(json_object_get(inc, "event_ids"), k, v)
            if (strcmp(json_string_value(v), event) == 0)
                snprintf(buf, size, "%s", json_string_value(json_object_get(inc, "id")));
    json_decref(list);
    return buf;
}

/* A late event inside an incident of three days, a late deploy, and audit
 * notes on old closed incidents (a merge two days apart, an attach of an
 * event of another day): each update reads the stretch of history around
 * what it touches, found through the index of long incidents, and leaves
 * exactly what a full rebuild leaves. */
static void test_bounded_updates(void **state)
{
    struct fx *f = *state;
    struct iq_event *evs[1];
    char a[32], b[32];
    size_t n;

    apply_conf(f, confs[0]);
    n = long_history(f);
    free(streamed(f, 1 << 20, &(struct cor_stream_stats){ 0 }));
    evs[0] = mk("late-chat", "chat", "posted", NULL, T0 + 31 * DAY + 12 * 60 * MIN);
    iq_event_set_str(evs[0], IQ_F_INCIDENT_KEY, "LONG");
    iq_event_set_str(evs[0], IQ_F_ACTOR, "U");
    put_all(f, evs, 1);
    check_update(f, T0 + 31 * DAY + 12 * 60 * MIN, T0 + 31 * DAY + 12 * 60 * MIN, IQ_TIME_NONE,
                 n / 4, "late event in a long incident");
    evs[0] = mk("late-deploy", "deploy", "succeeded", "d", T0 + 45 * DAY - 40 * MIN);
    iq_event_set_label(evs[0], "sha", "y");
    put_all(f, evs, 1);
    check_update(f, T0 + 45 * DAY - 40 * MIN, T0 + 45 * DAY - 40 * MIN, T0 + 45 * DAY - 40 * MIN,
                 n / 4, "late deploy");
    evs[0] = note("note-m", "merge", T0 + 70 * DAY, id_of(f, "a10", a, sizeof(a)));
    iq_event_set_label(evs[0], "other", id_of(f, "a12", b, sizeof(b)));
    put_all(f, evs, 1);
    check_update(f, span_of(f, "a10", false), span_of(f, "a12", true), IQ_TIME_NONE, n / 3,
                 "merge note");
    evs[0] = note("note-a", "attach", T0 + 70 * DAY + MIN, id_of(f, "a39", a, sizeof(a)));
    iq_event_set_label(evs[0], "event", "dep40");
    put_all(f, evs, 1);
    check_update(f, span_of(f, "a39", false), T0 + 40 * DAY, IQ_TIME_NONE, n / 4, "attach note");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_corpus, setup, teardown),
    cmocka_unit_test_setup_teardown(test_random_budgets, setup, teardown),
    cmocka_unit_test_setup_teardown(test_contested_evidence, setup, teardown),
    cmocka_unit_test_setup_teardown(test_bounded_updates, setup, teardown),
    cmocka_unit_test_setup_teardown(test_flat_memory, setup, teardown),
    cmocka_unit_test_setup_teardown(test_stale_removed, setup, teardown),
    cmocka_unit_test_setup_teardown(test_stale_index, setup, teardown),
};

TEST_MAIN(tests)
