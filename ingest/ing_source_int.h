/* ing_source_int.h - the compiled form of a source mapping file, shared by
 * the loader (ing_source.c) and the mapper (ing_source_map.c).
 *
 * Internal to ing_source*.c. */
#ifndef ING_SOURCE_INT_H
#define ING_SOURCE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "ing_auth.h"
#include "ing_source.h"
#include "ing_source_expr.h"
#include "iq_event.h"

#define ING_SOURCES_MAX 64
#define ING_RULES_MAX 64
#define ING_ITEMS_MAX 10000      /* events from one delivery */
#define ING_DEPTH_MAX 64         /* JSON nesting accepted in a body */

struct ing_label_spec {
    char *key;
    struct ing_value *value;
};

struct ing_labels_from {
    struct ing_ref *ref;         /* an object whose scalar members become labels */
    char *prefix;
};

struct ing_reply_spec {
    char *key;
    struct ing_tmpl *tmpl;
};

enum ing_raw_mode { ING_RAW_ITEM = 0, ING_RAW_ROOT, ING_RAW_NONE };

struct ing_rule {
    char *name;
    struct ing_conds *when;
    struct ing_ref *each;
    struct ing_tmpl *ignore;
    struct ing_reply_spec *reply;
    size_t n_reply;
    bool has_event;
    struct ing_value *fields[IQ_F_NSTR];   /* IQ_F_SOURCE is always the source's name */
    struct ing_value *at, *ends_at;
    struct ing_label_spec *labels;
    size_t n_labels;
    struct ing_labels_from *from;
    size_t n_from;
    enum ing_raw_mode raw;
};

struct ing_src {
    char *name;
    char *path;
    char *file;
    bool canonical;              /* body holds canonical events */
    bool disabled;               /* not in sources_enabled: answers 404 */
    struct ing_auth auth;
    struct ing_rule *rules;
    size_t n_rules;
};

struct ing_sources {
    struct ing_src src[ING_SOURCES_MAX];
    size_t n;
};

#endif
