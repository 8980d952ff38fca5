/* cor_text.h - a growable buffer that writes compact JSON text directly.
 *
 * The correlator stores each incident as compact JSON with sorted keys
 * (cor_store_text, i.e. jansson's json_dumps with JSON_COMPACT |
 * JSON_SORT_KEYS).  Building a jansson tree for every incident of a full
 * rebuild only to dump and free it again costs more than deriving the
 * incident, so cor_json.c writes the same bytes straight into a cor_text:
 * strings are escaped exactly as jansson does, reals go through jansson
 * itself, and callers write object keys in sorted order.
 *
 * Errors are sticky: the first failed append (OOM, or a string that is
 * not valid UTF-8, which jansson would refuse too) sets err and later
 * appends do nothing, so a writer checks once at the end. */
#ifndef COR_TEXT_H
#define COR_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "iq_buf.h"

/* Zero-initialised ({ 0 }) it is empty and ready; the text has no cap of
 * its own (COR_TEXT_MAX is far above any incident). */
struct cor_text {
    struct iq_buf b;  /* NUL-terminated text once written; owned */
    int err;          /* 0, or the first error: -ENOMEM, -EINVAL */
};

#define COR_TEXT_MAX (SIZE_MAX / 2)

/* Append len bytes of s verbatim. */
void cor_text_raw(struct cor_text *t, const char *s, size_t len);

/* Append a NUL-terminated literal verbatim (keys, punctuation). */
void cor_text_lit(struct cor_text *t, const char *s);

/* Append s as a JSON string, or null when s is NULL. */
void cor_text_str(struct cor_text *t, const char *s);

/* The same for a string not known to be valid UTF-8 (it is checked;
 * invalid text sets err to -EINVAL, as json_string would refuse it). */
void cor_text_str_checked(struct cor_text *t, const char *s);

/* Append a JSON integer. */
void cor_text_int(struct cor_text *t, int64_t v);

/* Append a JSON real, formatted by jansson (json_real). */
void cor_text_real(struct cor_text *t, double v);

/* Append a time as an RFC 3339 JSON string, or null for IQ_TIME_NONE. */
void cor_text_time(struct cor_text *t, int64_t ms);

/* Append v (borrowed) as jansson dumps it, compact with sorted keys. */
void cor_text_json(struct cor_text *t, const json_t *v);

/* Hand over the text: *ret (caller owns, free) on success, else the
 * error; the buffer is emptied either way. */
int cor_text_take(struct cor_text *t, char **ret);

/* Free the buffer and reset it.  NULL-safe. */
void cor_text_release(struct cor_text *t);

#endif
