/* cor_daemon.c - the correlator as a stage of inquestd: its config
 * section, its live thread, its counts at stop.
 *
 * Reads the "correlate" section through the correlator's own table
 * (cor_config.c), so the daemon and `inquest correlate --config` apply the
 * same rules, and runs cor_live on the store: a full catch-up rebuild at
 * start, then a partial rebuild shortly after each stored batch (batched
 * for COR_DEBOUNCE_MS).  The incidents it writes are served by cor_api.c,
 * which reads the store and does not depend on this stage's lifetime.  A
 * reload (cor_daemon_use) hands new rules to the live thread at its safe
 * point (between updates) and rebuilds every incident with them. */
#include "cor_daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_config.h"
#include "cor_live.h"
#include "iq_event.h"
#include "iq_log.h"

#define COR_DEBOUNCE_MS 50

struct cor_daemon {
    struct cor_config *cfg;    /* the rules in use (a reload replaces them) */
    struct cor_live *live;
};

/* The rules of section (may be NULL: defaults) into *ret (caller frees
 * with free_config).  0, or a negative errno with err. */
static int load_config(const json_t *section, struct cor_config **ret, char *err, size_t errsz)
{
    struct cor_config *cfg = malloc(sizeof(*cfg));
    int r;

    if (!cfg) {
        snprintf(err, errsz, "out of memory");
        return -ENOMEM;
    }
    cor_config_init(cfg);
    if (section && (r = cor_config_apply(cfg, section, err, errsz)) < 0) {
        cor_config_release(cfg);
        free(cfg);
        return r;
    }
    *ret = cfg;
    return 0;
}

static void free_config(struct cor_config **pc)
{
    if (*pc) {
        cor_config_release(*pc);
        free(*pc);
        *pc = NULL;
    }
}

int cor_daemon_use(struct cor_daemon *c, const json_t *section, char *err, size_t errsz)
{
    struct cor_config *cfg = NULL, *old;
    int r;

    if (!c)
        return 0;
    if ((r = load_config(section, &cfg, err, errsz)) < 0)
        return r;
    old = c->cfg;
    cor_live_use_config(c->live, cfg);    /* returns once no update reads old */
    c->cfg = cfg;
    free_config(&old);
    iq_info("correlate", "rules reloaded (quiet period %llds, look-back %llds): rebuilding "
            "every incident", (long long)(cfg->quiet_ms / 1000),
            (long long)(cfg->lookback_ms / 1000));
    return 0;
}

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
    if ((r = load_config(section, &c->cfg, err, sizeof(err))) < 0) {
        iq_error("correlate", "%s", err);
        goto fail;
    }
    if ((r = cor_live_new(st, c->cfg, COR_DEBOUNCE_MS, &c->live)) < 0 ||
        (r = cor_live_set_metrics(c->live, metrics)) < 0 ||
        (r = cor_live_start(c->live)) < 0) {
        iq_error("correlate", "cannot start the correlator: %s", strerror(-r));
        goto fail;
    }
    iq_info("correlate", "correlator started (quiet period %llds, look-back %llds)",
            (long long)(c->cfg->quiet_ms / 1000), (long long)(c->cfg->lookback_ms / 1000));
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
    free_config(&(*pd)->cfg);
    free(*pd);
    *pd = NULL;
}
