/* ana_classes.h - the taxonomy of failure classes and the classifier.
 *
 * A taxonomy is a JSON document (schemas/classes.json is the default; see
 * docs/analysis.md for the format): classes, each with pcre2 rules over
 * event fields and optional conditions on the incident's events (e.g. "a
 * deploy within 30 minutes before impact").  Rules are compiled once, in
 * UTF-8 mode with JIT, when the document is added; matching runs under a
 * match and depth limit.  Later documents (a team's config) add classes or
 * replace those of the same name; a class with "disabled": true removes it.
 *
 * Manual decisions: a note event (kind note, source inquest, action class,
 * labels incident, class, op=set|remove) among the events classified sets
 * the class with confidence 1 or removes it, the latest note winning, so a
 * rebuild from the stored events reproduces the analyst's decision. */
#ifndef ANA_CLASSES_H
#define ANA_CLASSES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct ana_classes;
struct iq_event;
struct store;

#define ANA_CLASSES_MAX        256     /* classes in a taxonomy */
#define ANA_RULES_MAX          64      /* rules (or conditions) per class */
#define ANA_PATTERN_MAX        4096    /* bytes of one pattern */
#define ANA_CLASS_NAME_MAX     64
#define ANA_EVIDENCE_MAX       20      /* evidence entries kept per class */
#define ANA_TEXT_MAX           8192    /* bytes of a field examined */
#define ANA_CLASSES_FILE_MAX   (4u << 20)
#define ANA_DEFAULT_THRESHOLD  0.5

/* Empty taxonomy.  Caller owns *ret (ana_classes_destroy).  -ENOMEM. */
int ana_classes_new(struct ana_classes **ret);

/* Add the classes of doc ({"classes": [...]}) to c, replacing those of the
 * same name.  origin names the document in errors (a file path, "config").
 * Every rule is compiled and checked before anything changes: on error c
 * is untouched and err says where, e.g. "schemas/classes.json: class 'dns'
 * rule 'dns.nxdomain': pcre2 error at offset 7: missing closing parenthesis".
 * Returns the number of classes added or replaced, -EINVAL or -ENOMEM. */
int ana_classes_add_json(struct ana_classes *c, const json_t *doc, const char *origin,
                         char *err, size_t errsz);

/* Read path (at most ANA_CLASSES_FILE_MAX bytes) and add it as above.
 * -ENOENT/-EACCES/... (err names the file), -E2BIG, -EINVAL, -ENOMEM. */
int ana_classes_add_file(struct ana_classes *c, const char *path, char *err, size_t errsz);

/* Find the default taxonomy: $INQUEST_SCHEMAS/classes.json when the
 * variable is set, else ./schemas/classes.json, else the installed copy.
 * Writes the path into buf.  0, -ENOENT (err lists what was tried). */
int ana_classes_default_path(char *buf, size_t size, char *err, size_t errsz);

/* The default taxonomy plus, when not NULL, the classes of overrides (a
 * config's "classes" array or {"classes": [...]}) and then of extra_path.
 * Caller owns *ret.  Errors as ana_classes_add_json. */
int ana_classes_load(const char *extra_path, const json_t *overrides, struct ana_classes **ret,
                     char *err, size_t errsz);

/* As ana_classes_load, with the overrides taken from the "classes" member
 * of the JSON config file config_path (NULL: none), as inquestd reads it. */
int ana_classes_load_config(const char *config_path, const char *extra_path,
                            struct ana_classes **ret, char *err, size_t errsz);

size_t ana_classes_count(const struct ana_classes *c);
/* Name of class i (borrowed; valid while c lives), NULL past the end. */
const char *ana_classes_name(const struct ana_classes *c, size_t i);
bool ana_classes_has(const struct ana_classes *c, const char *name);

/* Drop a reference (the last one frees) and NULL *pc.  NULL-safe. */
void ana_classes_destroy(struct ana_classes **pc);

/* Another reference on c (NULL: NULL), dropped with ana_classes_destroy:
 * a taxonomy shared by readers on several threads lives until the last
 * one is done.  Any thread. */
struct ana_classes *ana_classes_ref(const struct ana_classes *c);

/* Classify an incident from its events (borrowed; any order) and the time
 * impact started (IQ_TIME_NONE: the earliest event's time).  *ret (caller
 * owns) is an array, best first, of
 *   {"class", "title", "confidence" (0..1), "manual" (bool),
 *    "evidence": [{"event", "rule", "field"}], "conditions": [{"event", "condition"}]}
 * A class is kept when its confidence reaches its threshold; a match that
 * hits the match or depth limit counts as no match.  Manual class notes
 * among evs are applied last (see above).  Returns the number of classes
 * or -ENOMEM (*ret untouched). */
int ana_classify(const struct ana_classes *c, struct iq_event *const *evs, size_t n,
                 int64_t impact_start, json_t **ret);

/* The classes of stored incident id (ana_show.c): its member events and
 * the class notes about it, classified with c from the time its impact
 * started; *ret as ana_classify's (caller owns).  0; -ENOENT when there is
 * no such incident, -EINVAL when it is unreadable, -EIO, -ENOMEM. */
int ana_classes_of(struct store *st, const struct ana_classes *c, const char *id, json_t **ret);

#endif
