/* ing_source_expr.h - templates, references, conditions and value specs of
 * the source mapping language (see docs/sources.md), compiled once from
 * the mapping files and evaluated per delivery.
 *
 * Internal to ing_source*.c. */
#ifndef ING_SOURCE_EXPR_H
#define ING_SOURCE_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "iq_buf.h"

struct ing_delivery;

#define ING_PATH_MAX 256            /* bytes of a concrete JSON path in a message */
#define ING_RENDER_MAX (64 * 1024)  /* bytes of one rendered template */

/* A growable string with a hard cap. */
/* Evaluation context: the parsed body, the current `each` item, the
 * delivery (headers, received_at) and the source name.  All borrowed. */
struct ing_ctx {
    const json_t *root;
    const json_t *item;          /* NULL outside an `each` rule */
    const char *item_path;       /* concrete path of item, "$.alerts[1]" */
    const struct ing_delivery *d;
    const char *source;
};

struct ing_ref;                  /* $.a.b[0], @.x, header.name, received_at, 'lit' */
struct ing_tmpl;                 /* "text {ref|ref} text" */
struct ing_conds;                /* {"ref": "v" | ["v", ...] | true | false} */
struct ing_value;                /* template or list of candidates, with map/default/format */

/* Compile a reference (without braces).  Caller owns *ret. -EINVAL with err. */
int ing_ref_compile(const char *text, struct ing_ref **ret, char *err, size_t errsz);
void ing_ref_destroy(struct ing_ref **pr);
/* Resolve a JSON reference ($ or @) to a borrowed node, or NULL (missing,
 * or not a JSON reference). */
const json_t *ing_ref_node(const struct ing_ref *r, const struct ing_ctx *c);
/* Concrete path of r for messages ("$.alerts[1].startsAt"). */
void ing_ref_path(const struct ing_ref *r, const struct ing_ctx *c, char *buf, size_t size);

/* Compile a template string.  Caller owns *ret.  -EINVAL with err. */
int ing_tmpl_compile(const char *text, struct ing_tmpl **ret, char *err, size_t errsz);
void ing_tmpl_destroy(struct ing_tmpl **pt);
/* Render into out (appending).  1 rendered, 0 missing (a reference without
 * value: missing gets its concrete path), -E2BIG over out's cap. */
int ing_tmpl_render(const struct ing_tmpl *t, const struct ing_ctx *c, struct iq_buf *out,
                    char *missing, size_t msize);

/* Concrete path of the first reference of t, "" if it has none. */
void ing_tmpl_first_path(const struct ing_tmpl *t, const struct ing_ctx *c, char *buf,
                         size_t size);

/* Compile a condition object.  Caller owns *ret. */
int ing_conds_compile(const json_t *obj, struct ing_conds **ret, char *err, size_t errsz);
void ing_conds_destroy(struct ing_conds **pc);
bool ing_conds_hold(const struct ing_conds *cs, const struct ing_ctx *c);

/* Compile a value spec: a template string, an object {"value", "map",
 * "default", "format", "when"}, or an array of such candidates.
 * time_fmt_required: the spec must name a time "format".  Caller owns *ret. */
int ing_value_compile(const json_t *spec, bool is_time, struct ing_value **ret, char *err,
                      size_t errsz);
void ing_value_destroy(struct ing_value **pv);

/* Evaluate a string value into out (reset first).  1 present, 0 missing
 * (missing names the path), -E2BIG. */
int ing_value_string(const struct ing_value *v, const struct ing_ctx *c, struct iq_buf *out,
                     char *missing, size_t msize);

/* Evaluate a time value.  1 present (*ret_ms), 0 missing (missing names the
 * path), -EINVAL (bad time: err names path and value). */
int ing_value_time(const struct ing_value *v, const struct ing_ctx *c, struct iq_buf *scratch,
                   int64_t *ret_ms, char *missing, size_t msize, char *err, size_t errsz);

/* Render a JSON scalar as text: strings as is, integers in decimal, reals
 * with %.17g, booleans true/false, objects and arrays as compact JSON with
 * sorted keys.  0 rendered, 0 for null too (nothing appended) -> returns
 * 1 rendered, 0 null, -E2BIG. */
int ing_json_text(const json_t *j, struct iq_buf *out);

#endif
