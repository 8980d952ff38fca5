/* wh_source_int.h - the compiled form of a source mapping file, shared by
 * the loader (wh_source.c) and the mapper (wh_source_map.c).
 *
 * Internal to wh_source*.c. */
#ifndef WH_SOURCE_INT_H
#define WH_SOURCE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "wh_auth.h"
#include "wh_source.h"
#include "wh_source_expr.h"
#include "iq_event.h"

#define WH_SOURCES_MAX 64
#define WH_RULES_MAX 64
#define WH_ITEMS_MAX 10000      /* events from one delivery */
#define WH_DEPTH_MAX 64         /* JSON nesting accepted in a body */

struct wh_label_spec {
    char *key;
    struct wh_value *value;
};

struct wh_labels_from {
    struct wh_ref *ref;         /* an object whose scalar members become labels */
    char *prefix;
};

struct wh_reply_spec {
    char *key;
    struct wh_tmpl *tmpl;
};

enum wh_raw_mode { WH_RAW_ITEM = 0, WH_RAW_ROOT, WH_RAW_NONE };

struct wh_rule {
    char *name;
    struct wh_conds *when;
    struct wh_ref *each;
    struct wh_tmpl *ignore;
    struct wh_reply_spec *reply;
    size_t n_reply;
    bool has_event;
    struct wh_value *fields[IQ_F_NSTR];   /* IQ_F_SOURCE is always the source's name */
    struct wh_value *at, *ends_at;
    struct wh_label_spec *labels;
    size_t n_labels;
    struct wh_labels_from *from;
    size_t n_from;
    enum wh_raw_mode raw;
};

struct wh_src {
    char *name;
    char *path;
    char *file;
    bool canonical;              /* body holds canonical events */
    bool disabled;               /* not in sources_enabled: answers 404 */
    struct wh_auth auth;
    struct wh_rule *rules;
    size_t n_rules;
};

struct wh_sources {
    struct wh_src src[WH_SOURCES_MAX];
    size_t n;
};

#endif
