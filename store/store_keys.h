/* store_keys.h - byte layouts of the RocksDB keys (docs/ARCHITECTURE.md).
 *
 *   by_time     be64(at ^ 2^63) | id                    -> event (msgpack)
 *   ids         id                                      -> be64(at ^ 2^63)
 *   by_service  u8 len | service | be64(at ^ 2^63) | id -> ""
 *   by_key      u8 len | incident_key | be64(...) | id  -> ""
 *
 * Times are flipped in the sign bit and stored big-endian so that the
 * byte order of keys is the numeric order of times, negative ones included.
 * Names are length-prefixed, never delimited, so no input can forge a key
 * of another service. */
#ifndef STORE_KEYS_H
#define STORE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define STORE_KEY_MAX 512   /* 1 + 255 + 8 + 200 rounded up */

void store_be64_put(char *buf, int64_t at);
int64_t store_be64_get(const char *buf);

/* Write the by_time key of (at, id) into buf (STORE_KEY_MAX); returns its length. */
size_t store_key_time(char *buf, int64_t at, const char *id, size_t idlen);

/* Write a by_service / by_key key. name must be at most 255 bytes. */
size_t store_key_index(char *buf, const char *name, size_t nlen, int64_t at,
                       const char *id, size_t idlen);

/* Prefix of all index keys of name (u8 len | name); returns its length. */
size_t store_key_index_prefix(char *buf, const char *name, size_t nlen);

/* Split keys back into parts.  -EINVAL if the key is malformed.
 * *ret_id points into key (borrowed). */
int store_key_time_split(const char *key, size_t klen, int64_t *ret_at,
                         const char **ret_id, size_t *ret_idlen);
int store_key_index_split(const char *key, size_t klen, int64_t *ret_at,
                          const char **ret_id, size_t *ret_idlen);

#endif
