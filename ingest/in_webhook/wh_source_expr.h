/* wh_source_expr.h - templates, references, conditions and value specs of
 * the source mapping language (see docs/sources.md), compiled once from
 * the mapping files and evaluated per delivery.
 *
 * Internal to wh_source*.c. */
#ifndef WH_SOURCE_EXPR_H
#define WH_SOURCE_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "iq_buf.h"

struct wh_delivery;

#define WH_PATH_MAX 256            /* bytes of a concrete JSON path in a message */
#define WH_RENDER_MAX (64 * 1024)  /* bytes of one rendered template */

/* A growable string with a hard cap. */
/* Evaluation context: the parsed body, the current `each` item, the
 * delivery (headers, received_at) and the source name.  All borrowed. */
struct wh_ctx {
    const json_t *root;
    const json_t *item;          /* NULL outside an `each` rule */
    const char *item_path;       /* concrete path of item, "$.alerts[1]" */
    const struct wh_delivery *d;
    const char *source;
};

struct wh_ref;                  /* $.a.b[0], @.x, header.name, received_at, 'lit' */
struct wh_tmpl;                 /* "text {ref|ref} text" */
struct wh_conds;                /* {"ref": "v" | ["v", ...] | true | false} */
struct wh_value;                /* template or list of candidates, with map/default/format */

/* Compile a reference (without braces).  Caller owns *ret. -EINVAL with err. */
int wh_ref_compile(const char *text, struct wh_ref **ret, char *err, size_t errsz);
void wh_ref_destroy(struct wh_ref **pr);
/* Resolve a JSON reference ($ or @) to a borrowed node, or NULL (missing,
 * or not a JSON reference). */
const json_t *wh_ref_node(const struct wh_ref *r, const struct wh_ctx *c);
/* Concrete path of r for messages ("$.alerts[1].startsAt"). */
void wh_ref_path(const struct wh_ref *r, const struct wh_ctx *c, char *buf, size_t size);

/* Compile a template string.  Caller owns *ret.  -EINVAL with err. */
int wh_tmpl_compile(const char *text, struct wh_tmpl **ret, char *err, size_t errsz);
void wh_tmpl_destroy(struct wh_tmpl **pt);
/* Render into out (appending).  1 rendered, 0 missing (a reference without
 * value: missing gets its concrete path), -E2BIG over out's cap. */
int wh_tmpl_render(const struct wh_tmpl *t, const struct wh_ctx *c, struct iq_buf *out,
                   char *missing, size_t msize);

/* Concrete path of the first reference of t, "" if it has none. */
void wh_tmpl_first_path(const struct wh_tmpl *t, const struct wh_ctx *c, char *buf,
                        size_t size);

/* Compile a condition object.  Caller owns *ret. */
int wh_conds_compile(const json_t *obj, struct wh_conds **ret, char *err, size_t errsz);
void wh_conds_destroy(struct wh_conds **pc);
bool wh_conds_hold(const struct wh_conds *cs, const struct wh_ctx *c);

/* Compile a value spec: a template string, an object {"value", "map",
 * "default", "format", "when"}, or an array of such candidates.
 * time_fmt_required: the spec must name a time "format".  Caller owns *ret. */
int wh_value_compile(const json_t *spec, bool is_time, struct wh_value **ret, char *err,
                     size_t errsz);
void wh_value_destroy(struct wh_value **pv);

/* Evaluate a string value into out (reset first).  1 present, 0 missing
 * (missing names the path), -E2BIG. */
int wh_value_string(const struct wh_value *v, const struct wh_ctx *c, struct iq_buf *out,
                    char *missing, size_t msize);

/* Evaluate a time value.  1 present (*ret_ms), 0 missing (missing names the
 * path), -EINVAL (bad time: err names path and value). */
int wh_value_time(const struct wh_value *v, const struct wh_ctx *c, struct iq_buf *scratch,
                  int64_t *ret_ms, char *missing, size_t msize, char *err, size_t errsz);

/* Render a JSON scalar as text: strings as is, integers in decimal, reals
 * with %.17g, booleans true/false, objects and arrays as compact JSON with
 * sorted keys.  0 rendered, 0 for null too (nothing appended) -> returns
 * 1 rendered, 0 null, -E2BIG. */
int wh_json_text(const json_t *j, struct iq_buf *out);

#endif
