/* cor_config.c - the correlator's configuration table and lookups.
 *
 * The table follows iq_conf.h: name, type, offset, default, bounds and a
 * description, so the daemon's --help sample, the config file and the CLI
 * agree.  After the table is applied, cor_config_check validates the parts
 * the table cannot (the severity name, the shape of the component map and
 * of the channel list) and derives open_rank.
 *
 * Severity ranks map the names vendors use onto one scale: Alertmanager's
 * conventional labels (critical, error, warning, info), PagerDuty urgency
 * (high, low) and priorities (P1..P5). */
#include "cor_config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "iq_conf.h"
#include "iq_event.h"

#define OFF(f) offsetof(struct cor_config, f)

static const struct iq_conf_item cor_conf[] = {
    { "quiet_period", IQ_CONF_DURATION, OFF(quiet_ms), "30m", 1000, 30LL * 86400000,
      "an incident closes once all is resolved and nothing arrived for this long" },
    { "open_severity", IQ_CONF_STR, OFF(open_severity), "warning", 0, 0,
      "lowest alert severity that opens an incident (critical, error, warning, info)" },
    { "open_count", IQ_CONF_INT, OFF(open_count), "1", 1, 100000,
      "open only after this many firing alerts on a service ..." },
    { "open_window", IQ_CONF_DURATION, OFF(open_window_ms), "10m", 1000, 86400000,
      "... within this window" },
    { "lookback", IQ_CONF_DURATION, OFF(lookback_ms), "2h", 0, 30LL * 86400000,
      "deploys and changes this long before impact start are trigger candidates" },
    { "lead_window", IQ_CONF_DURATION, OFF(lead_ms), "15m", 0, 86400000,
      "unattached evidence (log rises, linked chat, low alerts) this long before opening joins" },
    { "clock_skew", IQ_CONF_DURATION, OFF(skew_ms), "2m", 0, 3600000,
      "tolerated clock difference between sources" },
    { "stale_after", IQ_CONF_DURATION, OFF(stale_ms), "72h", 3600000, 365LL * 86400000,
      "an open incident with no event for this long closes even if unresolved" },
    { "recurrence_window", IQ_CONF_DURATION, OFF(recurrence_ms), "24h", 0, 365LL * 86400000,
      "a new incident on a service or key closed this recently points to it" },
    { "components", IQ_CONF_JSON, OFF(components), NULL, 0, 0,
      "status-page component to service map, e.g. {\"Checkout API\": \"checkout\"}" },
    { "services", IQ_CONF_JSON, OFF(services), NULL, 0, 0,
      "service aliases, e.g. {\"acme/checkout\": \"checkout\", \"Checkout API\": \"checkout\"}" },
    { "linked_channels", IQ_CONF_JSON, OFF(linked_channels), NULL, 0, 0,
      "chat channels (names or ids) whose messages join incidents, e.g. [\"#incidents\"], "
      "or a map of incident channels to the service each serves, e.g. {\"#inc-payments\": \"payments\"}" },
    { "rebuild_memory", IQ_CONF_SIZE, OFF(rebuild_memory), "16M", 1024, 1LL << 40,
      "a full rebuild holds about this much of decoded events, writing incidents as they close" },
    { NULL, 0, 0, NULL, 0, 0, NULL },
};

struct sev_name {
    const char *name;
    int rank;
};

static const struct sev_name sev_names[] = {
    { "critical", 5 }, { "crit", 5 }, { "fatal", 5 }, { "emergency", 5 }, { "page", 5 },
    { "high", 5 }, { "p1", 5 }, { "sev1", 5 }, { "major", 4 }, { "error", 4 }, { "err", 4 },
    { "p2", 4 }, { "sev2", 4 }, { "warning", 3 }, { "warn", 3 }, { "p3", 3 }, { "sev3", 3 },
    { "minor", 2 }, { "p4", 2 }, { "info", 1 }, { "low", 1 }, { "p5", 1 }, { "none", 0 },
    { NULL, 0 },
};

int cor_severity_rank(const char *name)
{
    if (!name)
        return 0;
    for (const struct sev_name *s = sev_names; s->name; s++)
        if (strcasecmp(s->name, name) == 0)
            return s->rank;
    return 0;
}

const char *cor_severity_name(int rank)
{
    switch (rank) {
    case 5: return "critical";
    case 4: return "error";
    case 3: return "warning";
    case 2: return "minor";
    case 1: return "info";
    default: return NULL;
    }
}

int cor_config_init(struct cor_config *c)
{
    memset(c, 0, sizeof(*c));
    if (iq_conf_defaults(cor_conf, c) < 0)
        return -EINVAL;
    c->open_rank = cor_severity_rank(c->open_severity);
    return 0;
}

/* Validate what the table cannot and derive open_rank. */
static int cor_config_check(struct cor_config *c, char *err, size_t errsz)
{
    const char *k;
    json_t *v;
    size_t i;

    if (!c->open_severity || (cor_severity_rank(c->open_severity) == 0 &&
                              strcasecmp(c->open_severity, "none") != 0)) {
        snprintf(err, errsz, "config 'correlate.open_severity': unknown severity \"%.40s\"",
                 c->open_severity ? c->open_severity : "");
        return -EINVAL;
    }
    if (c->components && !json_is_object(c->components)) {
        snprintf(err, errsz, "config 'correlate.components': expected an object "
                 "{\"component\": \"service\"}");
        return -EINVAL;
    }
    json_object_foreach(c->components, k, v) {
        if (!json_is_string(v)) {
            snprintf(err, errsz, "config 'correlate.components.%.64s': expected a service name",
                     k);
            return -EINVAL;
        }
    }
    if (c->services && !json_is_object(c->services)) {
        snprintf(err, errsz, "config 'correlate.services': expected an object "
                 "{\"alias\": \"service\"}");
        return -EINVAL;
    }
    json_object_foreach(c->services, k, v) {
        if (!json_is_string(v)) {
            snprintf(err, errsz, "config 'correlate.services.%.64s': expected a service name", k);
            return -EINVAL;
        }
    }
    if (c->linked_channels && !json_is_array(c->linked_channels) &&
        !json_is_object(c->linked_channels)) {
        snprintf(err, errsz, "config 'correlate.linked_channels': expected an array of names "
                 "or an object {\"channel\": \"service\"}");
        return -EINVAL;
    }
    json_array_foreach(c->linked_channels, i, v) {
        if (!json_is_string(v)) {
            snprintf(err, errsz, "config 'correlate.linked_channels[%zu]': expected a string", i);
            return -EINVAL;
        }
    }
    json_object_foreach(c->linked_channels, k, v) {
        if (!json_is_string(v) && !json_is_null(v)) {
            snprintf(err, errsz, "config 'correlate.linked_channels.%.64s': expected a service "
                     "name or null", k);
            return -EINVAL;
        }
    }
    c->open_rank = cor_severity_rank(c->open_severity);
    return 0;
}

int cor_config_apply(struct cor_config *c, const json_t *section, char *err, size_t errsz)
{
    int r = iq_conf_apply_section(cor_conf, c, section, "correlate", err, errsz);

    return r < 0 ? r : cor_config_check(c, err, errsz);
}

int cor_config_load(struct cor_config *c, const char *path, char *err, size_t errsz)
{
    json_t *file = NULL, *sec;
    int r;

    if (!path)
        return 0;
    r = iq_conf_load_file(path, &file, err, errsz);
    if (r < 0)
        return r;
    sec = json_object_get(file, "correlate");
    r = sec ? cor_config_apply(c, sec, err, errsz) : 0;
    json_decref(file);
    return r;
}

void cor_config_release(struct cor_config *c)
{
    if (!c)
        return;
    iq_conf_release(cor_conf, c);
}

void cor_config_print_sample(FILE *f, int indent)
{
    iq_conf_print_sample(f, cor_conf, indent);
}

const struct iq_conf_item *cor_config_table(void)
{
    return cor_conf;
}

const char *cor_config_component_service(const struct cor_config *c, const char *component)
{
    json_t *v;

    if (!component || !c->components)
        return NULL;
    v = json_object_get(c->components, component);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *cor_config_service(const struct cor_config *c, const char *name)
{
    json_t *v;

    if (!name)
        return NULL;
    v = c->services ? json_object_get(c->services, name) : NULL;
    if (json_is_string(v))
        return json_string_value(v);
    v = c->components ? json_object_get(c->components, name) : NULL;
    return json_is_string(v) ? json_string_value(v) : name;
}

static bool channel_is(const char *name, const char *channel)
{
    return strcmp(name, channel) == 0 || (name[0] == '#' && strcmp(name + 1, channel) == 0);
}

/* The entry of linked_channels for channel: true and *ret_service (the
 * service of the object form, NULL for the array form or a null value). */
static bool channel_entry(const struct cor_config *c, const char *channel, const char **ret_service)
{
    const char *k;
    size_t i;
    json_t *v;

    if (!channel)
        return false;
    json_array_foreach(c->linked_channels, i, v) {
        if (channel_is(json_string_value(v), channel)) {
            *ret_service = NULL;
            return true;
        }
    }
    json_object_foreach(c->linked_channels, k, v) {
        if (channel_is(k, channel)) {
            *ret_service = json_string_value(v);
            return true;
        }
    }
    return false;
}

bool cor_config_channel_linked(const struct cor_config *c, const char *channel)
{
    const char *svc;

    return channel_entry(c, channel, &svc);
}

const char *cor_config_channel_service(const struct cor_config *c, const char *channel)
{
    const char *svc = NULL;

    if (!channel_entry(c, channel, &svc) || !svc)
        return NULL;
    return cor_config_service(c, svc);
}
