/* cor_config.h - settings of the correlator: the "correlate" section of
 * the inquestd configuration (and of `inquest --config FILE`).
 *
 * One table (cor_config.c) gives names, defaults, bounds and descriptions;
 * inquestd and the CLI apply the same section, so a rebuild offline uses
 * the rules the daemon uses. */
#ifndef COR_CONFIG_H
#define COR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

struct cor_config {
    int64_t quiet_ms;         /* close after everything resolved and this long quiet */
    char *open_severity;      /* lowest alert severity that opens an incident */
    int64_t open_count;       /* N: open only after N firing alerts ... */
    int64_t open_window_ms;   /* ... within W */
    int64_t lookback_ms;      /* trigger candidates: look-back before impact_start */
    int64_t lead_ms;          /* unattached evidence this long before opening joins */
    int64_t skew_ms;          /* tolerated clock difference between sources */
    int64_t stale_ms;         /* an open incident with no event this long closes */
    int64_t recurrence_ms;    /* an earlier incident closed this recently is a recurrence */
    json_t *components;       /* {"component name": "service"} */
    json_t *services;         /* {"alias": "service"}: names other sources use */
    json_t *linked_channels;  /* ["#incidents", "C024BE91L"], or {"#inc-pay": "payments"} */
    size_t rebuild_memory;    /* decoded events a full rebuild holds between compactions */
    int open_rank;            /* derived: cor_severity_rank(open_severity) */
};

/* Defaults.  Returns 0 (cannot fail for the built-in table). */
int cor_config_init(struct cor_config *c);

/* Apply a "correlate" JSON object over c (unknown keys refused) and check
 * it.  err names the key.  0 or -EINVAL; c stays usable either way. */
int cor_config_apply(struct cor_config *c, const json_t *section, char *err, size_t errsz);

/* Load a config file (path may be NULL: defaults only) and apply its
 * "correlate" member when present.  0, -EINVAL, -ENOENT, -EIO. */
int cor_config_load(struct cor_config *c, const char *path, char *err, size_t errsz);

/* Free owned members.  NULL-safe; c may be re-initialised afterwards. */
void cor_config_release(struct cor_config *c);

/* Print the commented sample of the section. */
void cor_config_print_sample(FILE *f, int indent);

/* The section's table (iq_conf.h), filling a struct cor_config. */
struct iq_conf_item;
const struct iq_conf_item *cor_config_table(void);

/* Service of a status-page component per the map, or NULL. Borrowed. */
const char *cor_config_component_service(const struct cor_config *c, const char *component);

/* The service a name stands for: through the alias map, then the
 * component map, else name itself.  Borrowed; NULL only for NULL. */
const char *cor_config_service(const struct cor_config *c, const char *name);

/* Is chat in this channel (name or id) linked to incidents? */
bool cor_config_channel_linked(const struct cor_config *c, const char *channel);

/* The service an incident channel serves (object form of linked_channels,
 * through the alias maps), or NULL.  Borrowed. */
const char *cor_config_channel_service(const struct cor_config *c, const char *channel);

/* Rank of a severity name: critical 5, error 4, warning 3, info 1, none 0,
 * unknown or NULL 0 ("page"/"high" 5, "low" 1, "P1".."P5" 5..1). */
int cor_severity_rank(const char *name);

/* Canonical name of a rank ("critical", "error", "warning", "info"), or NULL. */
const char *cor_severity_name(int rank);

#endif
