/* store_keys.c - encoding and decoding of RocksDB keys.
 *
 * Small and pure so that the unit tests can check ordering properties
 * (time order across the sign boundary, prefix isolation between services
 * whose names are prefixes of each other) without opening a database. */
#include "store_keys.h"

#include <errno.h>
#include <string.h>

void store_be64_put(char *buf, int64_t at)
{
    uint64_t u = (uint64_t)at ^ (1ULL << 63);

    for (int i = 7; i >= 0; i--) {
        buf[i] = (char)(u & 0xff);
        u >>= 8;
    }
}

int64_t store_be64_get(const char *buf)
{
    uint64_t u = 0;

    for (int i = 0; i < 8; i++)
        u = (u << 8) | (unsigned char)buf[i];
    return (int64_t)(u ^ (1ULL << 63));
}

size_t store_key_time(char *buf, int64_t at, const char *id, size_t idlen)
{
    store_be64_put(buf, at);
    memcpy(buf + 8, id, idlen);
    return 8 + idlen;
}

size_t store_key_index_prefix(char *buf, const char *name, size_t nlen)
{
    if (nlen > 255)
        nlen = 255;
    buf[0] = (char)nlen;
    memcpy(buf + 1, name, nlen);
    return 1 + nlen;
}

size_t store_key_index(char *buf, const char *name, size_t nlen, int64_t at,
                       const char *id, size_t idlen)
{
    size_t n = store_key_index_prefix(buf, name, nlen);

    return n + store_key_time(buf + n, at, id, idlen);
}

int store_key_time_split(const char *key, size_t klen, int64_t *ret_at,
                         const char **ret_id, size_t *ret_idlen)
{
    if (klen <= 8)
        return -EINVAL;
    *ret_at = store_be64_get(key);
    *ret_id = key + 8;
    *ret_idlen = klen - 8;
    return 0;
}

int store_key_index_split(const char *key, size_t klen, int64_t *ret_at,
                          const char **ret_id, size_t *ret_idlen)
{
    size_t n;

    if (klen < 1)
        return -EINVAL;
    n = 1 + (unsigned char)key[0];
    if (klen <= n)
        return -EINVAL;
    return store_key_time_split(key + n, klen - n, ret_at, ret_id, ret_idlen);
}
