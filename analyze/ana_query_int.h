/* ana_query_int.h - the loaded incidents shared by ana_query.c and
 * ana_recur.c.  Not for other folders. */
#ifndef ANA_QUERY_INT_H
#define ANA_QUERY_INT_H

#include <stdbool.h>

#include "ana_query.h"

/* One stored incident, with what queries need parsed out.  The struct is
 * moved while the array grows: no member points into another. */
struct ana_inc {
    char *text;                /* the stored JSON text; owned */
    size_t len;
    json_t *j;                 /* parsed on demand (ana_inc_json); owned */
    char id[64];
    char *title;               /* owned; NULL when absent */
    char status[16];           /* "" when absent */
    char severity[32];         /* "" when null */
    int64_t opened;
    int64_t dur[ANA_D_N];      /* seconds; -1 when null */
    json_t *services;          /* array of strings; owned */
    json_t *stored;            /* the stored "classes" as names, or NULL; owned */
    json_t *classes;           /* array of class names; owned */
    bool confirmed;            /* its postmortem confirmed its classes (which replace
                                  the automatic ones when classes are computed) */
    const json_t *pm;          /* its postmortem record (postmortem/), or NULL; borrowed
                                  from ana_incs.pm */
    int64_t publish_s;         /* resolution to published postmortem, s; -1 when not */
};

struct ana_incs {
    struct ana_inc *v;         /* opened_at order */
    size_t n;
    json_t *pm;                /* every postmortem record, id -> record; owned */
};

/* Load every stored incident; with c or stored classes, fill classes (and
 * apply the class notes).  classify false leaves classes empty arrays.
 * 0, -EIO, -ENOMEM. */
int ana_incs_load(struct store *st, const struct ana_classes *c, bool classify,
                  struct ana_incs *ret);
void ana_incs_free(struct ana_incs *incs);

/* Parse stored incident text into inc (zeroed first).  A fast scanner
 * reads only the members queries need and skips the rest (event lists,
 * candidates); text it does not expect falls back to a full parse.
 * 0, 1 when the value is not an incident (skipped), -ENOMEM. */
int ana_inc_parse(const char *text, size_t len, struct ana_inc *inc);

/* The whole incident JSON, parsed on first use.  Borrowed (owned by inc);
 * NULL when the text does not parse. */
json_t *ana_inc_json(struct ana_inc *inc);

/* Free what inc owns.  NULL-safe members. */
void ana_inc_clear(struct ana_inc *inc);

/* ana_query.c: join the stored postmortems (incs->pm, each inc->pm,
 * confirmed and publish_s); with classify, a postmortem's confirmed
 * classes replace inc->classes.  0, -EIO, -ENOMEM. */
int ana_incs_attach_postmortems(struct store *st, struct ana_incs *incs, bool classify);

/* A group's postmortem figures; publish has room for cap values. */
struct ana_pm_stats {
    size_t confirmed, items, open, done, wontfix, weak;
    int64_t *publish;
    size_t npublish, cap;
};
void ana_pm_stats_add(struct ana_pm_stats *s, const struct ana_inc *inc);
/* {"confirmed", "actions": {"open", "done", "wontfix"}, "weak_share",
 *  "time_to_publish": {"median"}}; sorts s->publish.  NULL on OOM. */
json_t *ana_pm_stats_json(struct ana_pm_stats *s);

bool ana_inc_has(const json_t *arr, const char *s);
bool ana_inc_match(const struct ana_inc *inc, const struct ana_query *q);

/* ana_query_run's answer over loaded incidents (ana_query.c). */
int ana_query_groups(const struct ana_incs *incs, const struct ana_query *q, json_t **ret);

/* ana_query_recurring's answer over loaded incidents (ana_recur.c). */
int ana_recur_list(const struct ana_incs *incs, const struct ana_query *q, int64_t window_ms,
                   json_t **ret);

#endif
