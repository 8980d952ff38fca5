/* cor_daemon.c - the correlator as a stage of inquestd: its config
 * section, its live thread, its counts at stop.
 *
 * Reads the "correlate" section through the correlator's own table
 * (cor_config.c), so the daemon and `inquest correlate --config` apply the
 * same rules, and runs cor_live on the store: a full catch-up rebuild at
 * start, then a partial rebuild shortly after each stored batch (batched
 * for COR_DEBOUNCE_MS).  The incidents it writes are served by cor_api.c,
 * which reads the store and does not depend on this stage's lifetime. */
#include "cor_daemon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_config.h"
#include "cor_live.h"
#include "iq_event.h"
#include "iq_log.h"

#define COR_DEBOUNCE_MS 50

struct cor_daemon {
    struct cor_config cfg;
    struct cor_live *live;
};

struct cor_live *cor_daemon_live(struct cor_daemon *c)
{
    return c ? c->live : NULL;
}

int cor_daemon_start(const json_t *section, struct store *st, struct iq_metrics *metrics,
                     struct cor_daemon **ret)
{
    struct cor_daemon *c = calloc(1, sizeof(*c));
    char err[IQ_ERR_MAX];
    int r = -ENOMEM;

    if (!c)
        goto fail;
    cor_config_init(&c->cfg);
    if (section && (r = cor_config_apply(&c->cfg, section, err, sizeof(err))) < 0) {
        iq_error("correlate", "%s", err);
        goto fail;
    }
    if ((r = cor_live_new(st, &c->cfg, COR_DEBOUNCE_MS, &c->live)) < 0 ||
        (r = cor_live_set_metrics(c->live, metrics)) < 0 ||
        (r = cor_live_start(c->live)) < 0) {
        iq_error("correlate", "cannot start the correlator: %s", strerror(-r));
        goto fail;
    }
    iq_info("correlate", "correlator started (quiet period %llds, look-back %llds)",
            (long long)(c->cfg.quiet_ms / 1000), (long long)(c->cfg.lookback_ms / 1000));
    *ret = c;
    return 0;
fail:
    cor_daemon_stop(&c);
    return r;
}

void cor_daemon_stop(struct cor_daemon **pd)
{
    struct cor_live_stats s;

    if (!pd || !*pd)
        return;
    if ((*pd)->live) {
        cor_live_stats((*pd)->live, &s);
        cor_live_destroy(&(*pd)->live);
        iq_info_kv("correlate", IQ_KVS(IQ_KV_U("events", s.events), IQ_KV_U("partial", s.partial),
                                       IQ_KV_U("full", s.full), IQ_KV_U("failed", s.failures)),
                   "stopped: %llu events, %llu partial and %llu full rebuilds, %llu failed",
                   (unsigned long long)s.events, (unsigned long long)s.partial,
                   (unsigned long long)s.full, (unsigned long long)s.failures);
    }
    cor_config_release(&(*pd)->cfg);
    free(*pd);
    *pd = NULL;
}
