/* cli_daemon_stats.c - inquestd's shutdown summary: what every ingest path
 * took while the daemon ran.
 *
 * Events reach the store by three doors: the ZeroMQ ingest (inquest send,
 * import, replay, tail and the daemon's own log collector over inproc),
 * the HTTP webhooks (/hooks/...), and audit notes made over the API.  The
 * totals come from the store itself (store_counts), which every door
 * ends in, so they cannot miss one; the ZeroMQ and HTTP parts follow from
 * each listener's own counters.  The line keeps one shape whatever the log
 * format, with the same figures as logfmt/JSON fields. */
#include "cli_daemon_stats.h"
#include "cli_daemon_http.h"

#include "wh_daemon.h"
#include "wh_hooks.h"
#include "ing_server.h"
#include "store.h"
#include "iq_log.h"

#define U(x) ((unsigned long long)(x))

void iqd_log_stopped(struct store *store, const struct ing_server *srv,
                     struct wh_daemon *http)
{
    struct wh_totals ht = { 0 };
    struct ing_server_stats zs = { 0 };
    struct store_counts sc = { 0 };

    if (store)
        store_counts(store, &sc);
    if (srv)
        ing_server_stats(srv, &zs);
    wh_daemon_totals(http, &ht);
    iq_info_kv("daemon",
               IQ_KVS(IQ_KV_U("stored", sc.stored), IQ_KV_U("duplicates", sc.duplicates),
                      IQ_KV_U("rejected", zs.rejected + ht.rejected),
                      IQ_KV_U("zmq_batches", zs.batches), IQ_KV_U("zmq_stored", zs.stored),
                      IQ_KV_U("zmq_duplicates", zs.duplicates),
                      IQ_KV_U("zmq_rejected", zs.rejected),
                      IQ_KV_U("zmq_notes_refused", zs.refused_notes),
                      IQ_KV_U("curve_allowed", zs.curve_allowed),
                      IQ_KV_U("curve_refused", zs.curve_refused),
                      IQ_KV_U("http_requests", ht.requests), IQ_KV_U("http_stored", ht.stored),
                      IQ_KV_U("http_duplicates", ht.duplicates),
                      IQ_KV_U("http_rejected", ht.rejected)),
               "stopped: %llu events stored, %llu duplicates, %llu rejected; zmq: %llu batches, "
               "%llu stored, %llu duplicates, %llu rejected (%llu audit notes refused), CurveZMQ "
               "handshakes %llu allowed, %llu refused; http: %llu requests, %llu stored, %llu "
               "duplicates, %llu rejected", U(sc.stored), U(sc.duplicates),
               U(zs.rejected + ht.rejected), U(zs.batches), U(zs.stored), U(zs.duplicates),
               U(zs.rejected), U(zs.refused_notes), U(zs.curve_allowed), U(zs.curve_refused),
               U(ht.requests), U(ht.stored), U(ht.duplicates), U(ht.rejected));
}
