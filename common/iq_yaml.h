/* iq_yaml.h - YAML configuration text as JSON values (libyaml), with the
 * line of every key, and JSON values written back as YAML.
 *
 * The config loaders (iq_conf.h) and every section's table work on
 * jansson values; YAML is one more way to write them.  Scalars resolve as
 * in YAML 1.2's core schema: null (~, null, empty), true/false, decimal
 * or 0x integers, floats (.inf, .nan too), everything else a string;
 * quoted scalars and !!str are strings.  Anchors and aliases work (with a
 * bound on the expanded size); duplicate keys, other tags, non-scalar
 * keys and more than one document are errors naming the line.
 *
 * Key positions are kept as a map from the key's path, written as the
 * error messages of the config tables write it ("correlate.quiet_period",
 * "access.tokens[1].role"), to its line and column. */
#ifndef IQ_YAML_H
#define IQ_YAML_H

#include <stddef.h>
#include <jansson.h>

struct iq_buf;
struct iq_yaml_pos;

#define IQ_YAML_DEPTH_MAX 64
#define IQ_YAML_NODES_MAX 200000     /* nodes after alias expansion */

/* Parse text (len bytes, need not be NUL-terminated) as one YAML
 * document.  An empty document is null.  0 with *ret (caller owns) and,
 * when ret_pos is not NULL, *ret_pos (caller owns; iq_yaml_pos_free);
 * -EINVAL with err "LINE:COLUMN: what" (1-based); -ENOMEM. */
int iq_yaml_parse(const char *text, size_t len, json_t **ret, struct iq_yaml_pos **ret_pos,
                  char *err, size_t errsz);

/* The line of the key at path (1-based), or of its nearest enclosing key
 * or item that has one ("a.b.c" falls back to "a.b", then "a"); 0 when
 * none (or pos is NULL).  *ret_col (may be NULL) gets the column. */
int iq_yaml_pos_line(const struct iq_yaml_pos *pos, const char *path, int *ret_col);

/* Free and NULL *pp.  NULL-safe. */
void iq_yaml_pos_free(struct iq_yaml_pos **pp);

/* Append v as YAML block style, each line indented by indent spaces
 * (objects as "key: value" lines, arrays as "- item" lines, empty ones as
 * {} and [], strings double-quoted with JSON escapes, which YAML reads
 * back as the same strings).  A scalar is written as one line.  0,
 * -ENOBUFS or -ENOMEM (from the buffer). */
int iq_yaml_emit(struct iq_buf *b, const json_t *v, int indent);

/* Append key as a YAML mapping key: plain when it reads back as the same
 * string, else double-quoted. */
int iq_yaml_emit_key(struct iq_buf *b, const char *key);

/* Append a scalar (string, number, true, false, null) as YAML.  -EINVAL
 * for an object or array. */
int iq_yaml_emit_scalar(struct iq_buf *b, const json_t *v);

#endif
