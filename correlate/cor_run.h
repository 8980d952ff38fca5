/* cor_run.h - one correlation run: classified events in, incidents out.
 *
 * Internal to correlate/.  A run owns the events given to it, classifies
 * each into a signal (cor_classify.c), sorts them by (effective time, id),
 * groups them into incidents (cor_group.c), applies the audit notes of
 * `inquest incident merge/split/set/attach` (cor_notes.c) and derives ids and
 * recurrences.  cor_milestone.c and cor_json.c then turn each incident
 * into the stored JSON text of schemas/incident.schema.json.
 *
 * The result is a pure function of the set of events and the config: no
 * arrival order, no wall clock.  That is what makes rebuilds byte-identical
 * and late events harmless. */
#ifndef COR_RUN_H
#define COR_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "cor_arena.h"
#include "cor_config.h"
#include "cor_map.h"

struct cor_text;
struct iq_event;

#define COR_NONE UINT32_MAX
#define COR_ID_LEN 24          /* "inc-20261021-3fa2c19e" + NUL, with room */

enum cor_sig {
    COR_SIG_OTHER = 0,
    COR_SIG_ALERT_FIRING,
    COR_SIG_ALERT_RESOLVED,
    COR_SIG_PAGE_TRIGGERED,
    COR_SIG_PAGE_ACK,
    COR_SIG_PAGE_RESOLVED,
    COR_SIG_PAGE_OTHER,
    COR_SIG_DEPLOY,            /* deploy started/succeeded/failed */
    COR_SIG_ROLLBACK,          /* deploy rolled_back, or succeeded with label rollback=true */
    COR_SIG_CHANGE,
    COR_SIG_CHAT,
    COR_SIG_STATUS_INVESTIGATING,
    COR_SIG_STATUS_IDENTIFIED,
    COR_SIG_STATUS_MONITORING,
    COR_SIG_STATUS_RESOLVED,
    COR_SIG_STATUS_OTHER,
    COR_SIG_COMPONENT,         /* component state change; state in cor_ev.state */
    COR_SIG_LOG_RISE,
    COR_SIG_LOG_NORMAL,
    COR_SIG_NOTE,              /* a human note (kind note, not from inquest) */
    COR_SIG_CONTROL,           /* merge/split/set/attach note from `inquest incident` */
};

enum cor_comp_state {
    COR_COMP_OPERATIONAL = 0,
    COR_COMP_DEGRADED,
    COR_COMP_PARTIAL,
    COR_COMP_MAJOR,
    COR_COMP_MAINTENANCE,
    COR_COMP_N
};

extern const char *const cor_comp_state_names[COR_COMP_N];

struct cor_ev {
    struct iq_event *ev;       /* in the run's arena */
    int64_t t;                 /* effective time: ends_at of a resolved alert, else at */
    int64_t seen;              /* detection evidence: label received_at, else at */
    const char *id;            /* borrowed from ev */
    const char *service;       /* ev service, or mapped from the component; borrowed */
    const char *key;           /* incident_key or NULL */
    const char *gkey;          /* Alertmanager group key (label group_key) or NULL */
    const char *ident;         /* alert fingerprint / page key / component; NULL if none */
    const char *channel;       /* chat channel label or NULL */
    const char *const *comps;  /* status-page components the event names (label
                                  components / component.N), in the arena; NULL if none */
    const char *const *svcs;   /* their services, through the maps (parallel to comps) */
    const uint32_t *cands;     /* ambiguous: the open incidents it could belong to */
    uint32_t inc;              /* incident index, or COR_NONE */
    uint16_t n_comps;
    uint16_t n_cands;
    uint8_t sig;               /* enum cor_sig */
    uint8_t state;             /* enum cor_comp_state for COR_SIG_COMPONENT */
    uint8_t sev;               /* cor_severity_rank */
    bool human;                /* an actor that is not a bot */
    bool linked;               /* chat in a linked channel or with an incident key */
    bool context;              /* before the run's group_from: evidence only */
    bool claimed;              /* member of an incident outside this run */
    bool ambiguous;            /* could belong to several open incidents: joins none */
};

enum cor_ms { COR_MS_IMPACT = 0, COR_MS_DETECTED, COR_MS_ACK, COR_MS_IDENTIFIED,
              COR_MS_MITIGATED, COR_MS_RESOLVED, COR_MS_N };

extern const char *const cor_ms_names[COR_MS_N];   /* cor_milestone.c */

struct cor_manual {
    bool set;                  /* an override exists (at may be IQ_TIME_NONE: cleared) */
    int64_t at;
    const char *note;          /* id of the note event; borrowed */
};

struct cor_inc {
    uint32_t *mem;             /* indices into run->evs, sorted */
    int64_t seq;               /* creation order in the whole history (recurrence ties) */
    size_t n, cap;
    uint32_t opener;
    int64_t opened_at, last_at, closed_at;   /* closed_at IQ_TIME_NONE while open */
    bool open;                 /* open during grouping */
    bool dropped;              /* merged into another */
    bool stale;                /* closed by stale_after with something unresolved */
    bool absorbed;             /* streaming rebuild: absorption done */
    bool done;                 /* streaming rebuild: written; mem freed, id and span kept */
    bool held;                 /* streaming rebuild: kept to the end for the audit notes */
    int32_t firing, pages_open, status_open; /* unresolved counts during grouping */
    int32_t status_keys;       /* distinct status-page incident keys held */
    char id[COR_ID_LEN];
    char recurrence_of[COR_ID_LEN];          /* "" when none */
    json_t *merged_from;       /* array of ids; owned */
    json_t *overrides;         /* array of note ids; owned */
    struct cor_manual manual[COR_MS_N];
    const char *manual_title;  /* borrowed from a note */
};

/* A stored incident from before a partial run (for recurrence pointers). */
struct cor_prior {
    char id[COR_ID_LEN];
    int64_t closed_at;
    json_t *names;             /* array of services and keys; owned */
};

struct cor_run {
    const struct cor_config *cfg;   /* borrowed */
    struct cor_ev *evs;
    size_t n, cap;
    struct cor_inc *incs;
    size_t n_incs, cap_incs;
    int64_t group_from;        /* IQ_TIME_NONE: group everything */
    struct cor_map claimed;    /* ids owned by incidents outside the run (tag 0) */
    struct cor_prior *prior;
    size_t n_prior;
    struct cor_arena arena;    /* events (cor_decode) and strings of the run */
    int64_t next_seq;          /* seq of the next incident created */
    bool grouped;
    uint32_t notes_unapplied;  /* notes whose incident was not found */
    uint32_t notes_half;       /* merges/attaches of which only one side was found */
};

/* Start an empty run with cfg (borrowed; must outlive the run). */
void cor_run_init(struct cor_run *run, const struct cor_config *cfg);

/* Free everything the run owns.  NULL-safe; the run is empty afterwards. */
void cor_run_free(struct cor_run *run);

/* Classify ev and add it.  ev must live in run->arena (decoded there by
 * cor_decode), so it is freed with the run.  0 or -ENOMEM. */
int cor_run_add(struct cor_run *run, struct iq_event *ev);

/* Room for one more event in run->evs (pointers into it may move).
 * 0 or -ENOMEM. */
int cor_run_reserve_ev(struct cor_run *run);

/* Room for one more incident in run->incs (pointers into it may move).
 * 0 or -ENOMEM (cor_group.c). */
int cor_run_reserve_inc(struct cor_run *run);

/* Index of the first of run->evs[0..hi) (sorted by effective time) whose
 * time is at or after t; hi when none is (cor_group.c). */
size_t cor_run_lower_bound(const struct cor_run *run, size_t hi, int64_t t);

/* Mark event id as owned by an incident outside this run: it is not
 * absorbed.  The id is copied.  0 or -ENOMEM. */
int cor_run_claim(struct cor_run *run, const char *id);

/* Add a stored incident from before group_from (for recurrence).  names
 * is taken over.  0 or -ENOMEM. */
int cor_run_add_prior(struct cor_run *run, const char *id, int64_t closed_at, json_t *names);

/* Sort, group, absorb, apply notes, name incidents, find recurrences.
 * 0 or -ENOMEM. */
int cor_run_correlate(struct cor_run *run);

/* The order of events in a run: effective time, then id.  <0, 0, >0. */
int cor_ev_cmp(const struct cor_ev *a, const struct cor_ev *b);

/* Copy s into the run's arena (freed with the run).  NULL on OOM. */
const char *cor_run_strdup(struct cor_run *run, const char *s);

/* Classify one event into e (cor_classify.c). */
int cor_classify(struct cor_run *run, struct cor_ev *e);

/* Can ev change any incident?  False only for events without a signal
 * (plain log lines, unknown kinds or actions) and without an incident_key
 * or group_key: grouping never lets them join, open or close an incident,
 * so the live correlator need not run for them (cor_classify.c). */
bool cor_event_relevant(const struct iq_event *ev);

/* After sorting: a succeeded deploy that returns a service to the version
 * (label sha or ref) it ran before the previous deploy, within lookback of
 * that earlier deploy, is a rollback. */
int cor_classify_rollbacks(struct cor_run *run);

/* The same for event i alone, the next in order, with the state m of the
 * earlier deploys ('c' scope -> current deploy, 'v' scope and version ->
 * its last deploy: indices into run->evs, keys in run->arena).  0 or
 * -ENOMEM. */
int cor_rollback_step(struct cor_run *run, struct cor_map *m, size_t i);

/* The grouping state machine (cor_group.c), for a batch run over all of
 * run->evs (cor_group_events) or a stream feeding events one at a time. */
struct cor_group {
    struct cor_run *run;       /* borrowed */
    struct cor_map map;        /* keys, identities, services -> incident */
    uint32_t *open;            /* open incidents, indices into run->incs */
    size_t n_open, cap_open;
    uint32_t *pending;         /* unattached opening alerts, for open_count */
    size_t n_pending, cap_pending;
};

/* Start grouping run's events from an empty state (with the run's priors).
 * 0 or -ENOMEM (g is then only to be released). */
int cor_group_begin(struct cor_group *g, struct cor_run *run);

/* Group event i (the next in (effective time, id) order).  0 or -ENOMEM. */
int cor_group_step(struct cor_group *g, uint32_t i);

/* Close the open incidents that are quiet (or stale) at time t, as the
 * step of an event at t does before anything else. */
void cor_group_close_due(struct cor_group *g, int64_t t);

/* No more events: close what is resolved; what is not stays open
 * (closed_at IQ_TIME_NONE). */
void cor_group_finish(struct cor_group *g);

/* Free the state.  NULL-safe. */
void cor_group_release(struct cor_group *g);

/* Grouping passes (cor_group.c). */
int cor_group_events(struct cor_run *run);
int cor_group_absorb(struct cor_run *run);

/* Absorption for incident inc_i alone (cor_group_absorb runs it for every
 * incident in order); names is scratch space, empty on entry, to be
 * cleared by the caller.  0 or -ENOMEM. */
int cor_group_absorb_one(struct cor_run *run, uint32_t inc_i, struct cor_map *names);

/* Could incident inc_i, absorbing now, take an event that the earlier
 * incident other (not absorbed yet, its names perhaps still growing)
 * might take first?  Only events before other's opener are shared.
 * names: scratch as above.  1 yes, 0 no, -ENOMEM. */
int cor_group_contested(const struct cor_run *run, uint32_t inc_i, uint32_t other,
                        struct cor_map *names);
void cor_group_name(struct cor_run *run, struct cor_inc *inc);
int cor_group_recurrences(struct cor_run *run);          /* cor_recur.c */

/* The names an incident recurs by: service and incident key of each
 * member, in member order, NULL where absent; ret has room for 2 * inc->n.
 * Returns the count written (cor_recur.c). */
size_t cor_inc_names(const struct cor_run *run, const struct cor_inc *inc, const char **ret);
int cor_inc_add(struct cor_inc *inc, uint32_t ev);

/* Append v to the array *a of *n (capacity *cap), growing it.  0 or
 * -ENOMEM. */
int cor_push_u32(uint32_t **a, size_t *n, size_t *cap, uint32_t v);
void cor_inc_sort(struct cor_run *run, struct cor_inc *inc);

/* Apply merge/split/set/attach notes (cor_notes.c).  0 or -ENOMEM. */
int cor_notes_apply(struct cor_run *run);

/* Milestones of an incident (cor_milestone.c): at[i] and ev[i] (index into
 * run->evs, COR_NONE for none or manual) and rule names. */
struct cor_milestones {
    int64_t at[COR_MS_N];
    uint32_t ev[COR_MS_N];
    const char *rule[COR_MS_N];
    const char *note[COR_MS_N];    /* note id for manual overrides */
    int64_t impact_end;            /* end of customer impact (durations.impact) */
};
void cor_milestones_compute(const struct cor_run *run, const struct cor_inc *inc,
                            struct cor_milestones *ret);

/* Append the impact breakdowns {"by_component_state": ..., "by_severity":
 * ...} to t.  end: the incident's end of impact.  0 or -ENOMEM. */
int cor_impact_text(const struct cor_run *run, const struct cor_inc *inc, int64_t end,
                    struct cor_text *t);

/* Append the per-component state stretches (component_states of the
 * incident JSON) to t.  0 or -ENOMEM. */
int cor_component_states_text(const struct cor_run *run, const struct cor_inc *inc,
                              struct cor_text *t);

/* The incident as its stored text: compact JSON with sorted keys
 * (schemas/incident.schema.json), the bytes cor_store_text would give for
 * the same object.  *ret: caller owns (free).  0, -ENOMEM, -EINVAL (a
 * title that is not valid UTF-8 after truncation); *ret untouched then. */
int cor_inc_text(const struct cor_run *run, const struct cor_inc *inc, char **ret);

/* The same, and with ret_names (when not NULL) the names a later incident
 * may recur by, as the text lists them: its services then its incident
 * keys, each NUL-terminated, each list ended by an empty string
 * (*ret_names_len bytes; caller owns). */
int cor_inc_text_names(const struct cor_run *run, const struct cor_inc *inc, char **ret,
                       char **ret_names, size_t *ret_names_len);

/* Append the trigger candidates, a JSON array, to t (cor_json.c).
 * 0 or -ENOMEM. */
int cor_triggers_text(const struct cor_run *run, const struct cor_inc *inc, int64_t impact_start,
                      int64_t end, struct cor_text *t);

#endif
