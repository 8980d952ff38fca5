/* iq_event.h - the canonical event record, shared by every stage.
 *
 * One definition: schemas/event.schema.json.  The field table below
 * (iq_fields[]) carries the same names, types, size limits and required
 * flags; tests/unit/iq_event_test.c checks the two agree, so a change to
 * one without the other fails the build's tests.
 *
 * The record is a plain value type: fields are public, all strings are
 * NUL-terminated, valid UTF-8 and owned by the event. */
#ifndef IQ_EVENT_H
#define IQ_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* String fields, in schema order. */
enum iq_field {
    IQ_F_ID = 0,
    IQ_F_SOURCE,
    IQ_F_KIND,
    IQ_F_ACTION,
    IQ_F_SERVICE,
    IQ_F_ENVIRONMENT,
    IQ_F_SEVERITY,
    IQ_F_TITLE,
    IQ_F_TEXT,
    IQ_F_ACTOR,
    IQ_F_URL,
    IQ_F_INCIDENT_KEY,
    IQ_F_RECEIVED_FROM,   /* set by the receiving ingest only (a CurveZMQ key name) */
    IQ_F_NSTR
};

#define IQ_ERR_MAX        320      /* size of an error-message buffer */
#define IQ_RECEIVED_FROM_MAX 200
#define IQ_ID_MAX         200
#define IQ_LABELS_MAX     64
#define IQ_LABEL_KEY_MAX  128
#define IQ_LABEL_VAL_MAX  1024
#define IQ_RAW_MAX        65536    /* bytes of compact JSON text */
#define IQ_EVENT_WIRE_MAX (256 * 1024) /* msgpack bytes of one valid event, upper bound */

/* Validation class of a string field. */
enum iq_field_check {
    IQ_CHECK_TEXT = 0,   /* any UTF-8 without NUL */
    IQ_CHECK_LINE,       /* no control characters */
    IQ_CHECK_NAME,       /* ^[a-z][a-z0-9_.-]*$ */
    IQ_CHECK_KIND,       /* one of iq_kinds[] */
};

struct iq_field_def {
    const char *name;
    size_t max_len;          /* bytes */
    bool required;
    enum iq_field_check check;
};

extern const struct iq_field_def iq_fields[IQ_F_NSTR];
extern const char *const iq_kinds[];   /* NULL-terminated */

struct iq_label {
    char *key;
    char *value;
};

struct iq_event {
    char *str[IQ_F_NSTR];     /* NULL when absent */
    int64_t at;               /* UTC ms, required */
    int64_t ends_at;          /* UTC ms, IQ_TIME_NONE when absent */
    struct iq_label *labels;  /* sorted by key after iq_event_validate */
    uint32_t n_labels;
    char *raw;                /* compact JSON text of the source payload, or NULL */
    size_t raw_len;
    /* Private to iq_event.c: a decoded event (iq_event_unpack) keeps its
     * strings and label array in one allocation, reserved up front with
     * iq_event_reserve; setters still work and free only what is not in it. */
    char *block;
    size_t block_len, block_used;
    uint32_t labels_cap;      /* room in labels while labels lives in block */
};

#define iq_ev_id(ev)      ((ev)->str[IQ_F_ID])
#define iq_ev_source(ev)  ((ev)->str[IQ_F_SOURCE])
#define iq_ev_kind(ev)    ((ev)->str[IQ_F_KIND])
#define iq_ev_action(ev)  ((ev)->str[IQ_F_ACTION])
#define iq_ev_service(ev) ((ev)->str[IQ_F_SERVICE])

/* Caller owns return value; NULL only on OOM.  at and ends_at start unset. */
struct iq_event *iq_event_new(void);

/* For decoders: reserve one allocation for n_labels labels and str_bytes
 * bytes of strings (their NULs included) that the setters then fill,
 * instead of one malloc per string.  Only on a fresh event, before any
 * setter.  0 or -ENOMEM (the event stays usable, without the block). */
int iq_event_reserve(struct iq_event *ev, size_t str_bytes, uint32_t n_labels);

/* Free the event and NULL the caller's pointer.  NULL-safe. */
void iq_event_destroy(struct iq_event **pev);

/* Deep copy. Caller owns return value; NULL on OOM. */
struct iq_event *iq_event_dup(const struct iq_event *ev);

/* Copy len bytes of s into field f (replacing any value); s may hold no NUL.
 * -ENOMEM, or -EINVAL if s holds a NUL byte. */
int iq_event_set(struct iq_event *ev, enum iq_field f, const char *s, size_t len);
int iq_event_set_str(struct iq_event *ev, enum iq_field f, const char *s);

/* Set (or replace) label key=value, copying both. -ENOMEM, -E2BIG past
 * IQ_LABELS_MAX labels. */
int iq_event_set_label(struct iq_event *ev, const char *key, const char *value);
const char *iq_event_label(const struct iq_event *ev, const char *key);

/* Store raw as compact JSON text (json_dumps). -E2BIG over IQ_RAW_MAX. */
int iq_event_set_raw_json(struct iq_event *ev, const json_t *raw);

/* Store len bytes of s (JSON text, copied) as raw.  -E2BIG over
 * IQ_RAW_MAX, -EINVAL when s holds a NUL, -ENOMEM. */
int iq_event_set_raw(struct iq_event *ev, const char *s, size_t len);

/* Drop the raw payload (retention); the event is otherwise unchanged. */
void iq_event_clear_raw(struct iq_event *ev);

/* Check required fields, sizes, UTF-8, name syntax and kinds; sort labels.
 * Returns 0, or -EINVAL and writes a message naming the field to err
 * (e.g. "field 'kind': unknown kind \"alarm\"").  err may be NULL. */
int iq_event_validate(struct iq_event *ev, char *err, size_t errsz);

/* Build an event from a canonical JSON object (schemas/event.schema.json)
 * and validate it.  On success *ret (caller owns) is set; on failure err
 * names the problem, e.g. "field 'at': not an RFC 3339 time: \"yesterday\"",
 * and *ret is untouched.  Returns 0, -EINVAL or -ENOMEM. */
int iq_event_from_json(const json_t *obj, struct iq_event **ret, char *err, size_t errsz);

/* Canonical JSON of the event (times as RFC 3339 UTC ms). Caller owns. */
json_t *iq_event_to_json(const struct iq_event *ev);

/* A growable array of owned events; zero-initialise. */
struct iq_evvec {
    struct iq_event **v;
    size_t n, cap;
};

/* Take ownership of *pev (NULLed) and append it.  -ENOMEM: the event is
 * freed (and *pev NULLed) all the same, so callers need no cleanup. */
int iq_evvec_push(struct iq_evvec *vec, struct iq_event **pev);

/* Free every event and the array; the vector is empty and reusable. */
void iq_evvec_clear(struct iq_evvec *vec);

/* The source name of inquest's own audit notes (merge, split, set, class):
 * reserved, so only an admin credential may produce such events. */
#define IQ_AUDIT_SOURCE "inquest"

/* Is ev an audit note, i.e. does it claim source IQ_AUDIT_SOURCE?  Every
 * event of that source is treated as one, whatever its kind or action: the
 * correlator and the classifier trust them to rewrite incidents, so ingest
 * paths open to webhooks, write tokens or unauthenticated senders refuse
 * them (docs/security.md). */
bool iq_event_is_audit_note(const struct iq_event *ev);

/* Find a string field by its schema name; -1 if not a string field. */
int iq_field_lookup(const char *name);
/* The same for the n bytes at p (not NUL-terminated: a key read in place). */
int iq_field_lookup_n(const char *p, size_t n);

/* Is s (len bytes) valid UTF-8 with no NUL byte? */
bool iq_utf8_valid(const char *s, size_t len);

/* Length of the longest prefix of s (len bytes) that is at most max bytes
 * and does not end inside a UTF-8 character: len when len <= max. */
size_t iq_utf8_prefix(const char *s, size_t len, size_t max);

/* Write a quoted, escaped, truncated copy of untrusted s into buf for
 * messages: "\"yester…\"".  Always NUL-terminates. */
void iq_quote(const char *s, size_t len, char *buf, size_t size);

#endif
