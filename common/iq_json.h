/* iq_json.h - a strict, fast JSON reader and compact writer for jansson
 * values (json_t), used on the hot ingest paths in place of json_loadb and
 * json_dumps.
 *
 * iq_json_parse accepts exactly what
 *   json_loadb(buf, len, JSON_REJECT_DUPLICATES | (IQ_JSON_ANY ? JSON_DECODE_ANY : 0), ...)
 * accepts, and builds an equal value (json_equal), with one addition: a
 * nesting limit on arrays and objects (IQ_JSON_DEPTH_MAX unless the flags
 * name another with IQ_JSON_DEPTH(n)).  iq_json_dump_compact writes the
 * same bytes as json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY).
 * tests/unit/iq_json_test.c holds both claims against jansson itself. */
#ifndef IQ_JSON_H
#define IQ_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define IQ_JSON_DEPTH_MAX 64        /* default limit of nested arrays and objects */
#define IQ_JSON_DEPTH_LIMIT 65535   /* the largest limit IQ_JSON_DEPTH can name */
#define IQ_JSON_DEPTH_JANSSON 2048  /* json_loadb's own limit, for callers that keep its reach */

/* Flags of iq_json_parse. */
#define IQ_JSON_ANY 0x1u            /* any value at top level, not only an object or array */
/* Nesting limit n (1..IQ_JSON_DEPTH_LIMIT) instead of IQ_JSON_DEPTH_MAX. */
#define IQ_JSON_DEPTH(n) (((unsigned)(n) & 0xFFFFu) << 16)

/* Where and why a parse failed.  line and column are 1-based (column in
 * characters, like jansson); position is the byte offset of the offending
 * byte, len at end of input. */
struct iq_json_error {
    int line;
    int column;
    size_t position;
    char text[160];
};

/* Parse len bytes of buf (need not be NUL-terminated) as one JSON text.
 * Returns 0 and sets *ret (caller owns the value: json_decref), or
 *   -EINVAL  malformed JSON (RFC 8259 grammar, UTF-8, duplicate key, ...)
 *   -E2BIG   nesting deeper than the limit (text says "nesting deeper than N levels")
 *   -ENOMEM
 * On failure *ret is untouched and err (may be NULL) says where and why. */
int iq_json_parse(const char *buf, size_t len, unsigned flags, json_t **ret,
                  struct iq_json_error *err);

/* j as compact JSON text, byte-identical to
 * json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY).  Caller owns the return
 * value (free); NULL when j is NULL, holds a string that is not valid UTF-8
 * (as jansson), nests deeper than 2048 levels, or on OOM.  Sets *ret_len
 * (may be NULL) to the length without the terminating NUL. */
char *iq_json_dump_compact(const json_t *j, size_t *ret_len);

/* The most bytes iq_json_int writes. */
#define IQ_JSON_INT_MAX 20

/* Write v in decimal ("%lld", as jansson writes an integer) to out, which
 * has room for IQ_JSON_INT_MAX bytes; no NUL.  Returns the bytes written. */
size_t iq_json_int(char *out, int64_t v);

/* The most bytes iq_json_quote writes for n bytes of input. */
#define IQ_JSON_QUOTED_MAX(n) (6 * (n) + 2)

/* Write s[0..n) as a JSON string literal, quotes included, escaped as
 * jansson escapes: \" \\ \b \f \n \r \t, other control characters as
 * \u00XX, everything else as is ('/' and UTF-8 included; s is not checked
 * for UTF-8).  out has room for IQ_JSON_QUOTED_MAX(n) bytes; no NUL is
 * written.  Returns the number of bytes written. */
size_t iq_json_quote(char *out, const char *s, size_t n);

#endif
