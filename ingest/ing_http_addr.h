/* ing_http_addr.h - client addresses of the HTTP server: parsing, trusted
 * proxy ranges (CIDR), the client behind X-Forwarded-For, and a table of
 * per-address counts for connection limits.
 *
 * Addresses are kept as 16 bytes, IPv4 mapped into IPv6 (::ffff:a.b.c.d),
 * so one comparison serves both families.  Internal to ing_http*.c; none
 * of these functions log. */
#ifndef ING_HTTP_ADDR_H
#define ING_HTTP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

struct ing_addr {
    uint8_t b[16];
};

/* Longest text of an address (INET6_ADDRSTRLEN). */
#define ING_ADDR_TEXT 46

struct ing_cidrs;
struct ing_addr_counts;

/* The address of a socket peer (AF_INET or AF_INET6).  0, or -EAFNOSUPPORT
 * (ret untouched). */
int ing_addr_from_sockaddr(const struct sockaddr *sa, struct ing_addr *ret);

/* Parse one address of n bytes: "192.0.2.1", "2001:db8::1", and with a
 * port as proxies sometimes write them, "192.0.2.1:443", "[2001:db8::1]",
 * "[2001:db8::1]:443".  Surrounding blanks are skipped.  0 or -EINVAL. */
int ing_addr_parse(const char *s, size_t n, struct ing_addr *ret);

/* Write a as text ("192.0.2.1", "2001:db8::1") into buf (>= ING_ADDR_TEXT). */
void ing_addr_format(const struct ing_addr *a, char *buf, size_t size);

/* Parse a list of addresses and CIDR ranges separated by commas or blanks
 * ("127.0.0.1, 10.0.0.0/8, fd00::/8"); NULL or empty gives an empty list.
 * A range with bits set past its prefix is refused (a typo more often than
 * not).  Caller owns *ret.  0, -EINVAL (err names the bad item), -ENOMEM. */
int ing_cidrs_parse(const char *list, struct ing_cidrs **ret, char *err, size_t errsz);

/* Whether a lies in one of the ranges (false for an empty list). */
bool ing_cidrs_match(const struct ing_cidrs *c, const struct ing_addr *a);

/* Number of ranges in the list. */
size_t ing_cidrs_count(const struct ing_cidrs *c);

/* Free, NULL *pc.  NULL-safe. */
void ing_cidrs_free(struct ing_cidrs **pc);

/* The client of a request that came from a trusted proxy: values are the
 * X-Forwarded-For header lines in arrival order (each a comma-separated
 * list, borrowed).  Walks the hops from the right and returns in *client
 * the right-most address outside the trusted ranges; when every hop is
 * trusted, the left-most one.  An entry that does not parse ends the walk
 * at the hop before it (proxies append well-formed addresses; anything
 * else was written by the client).  *client holds the peer on entry and
 * is kept when no hop parses.  At most 64 hops are read. */
void ing_addr_forwarded(const struct ing_cidrs *trusted, const char *const *values, size_t n,
                        struct ing_addr *client);

/* A table of counts per address, for at most max_keys distinct addresses
 * at a time.  Not thread-safe: the caller locks.  Caller owns *ret.
 * 0 or -ENOMEM. */
int ing_addr_counts_new(size_t max_keys, struct ing_addr_counts **ret);

/* Count one more for a if it has fewer than limit; returns the new count,
 * or -EBUSY at the limit (nothing counted), or -ENOSPC when max_keys
 * distinct addresses are already counted. */
int ing_addr_counts_add(struct ing_addr_counts *t, const struct ing_addr *a, unsigned limit);

/* Count one less for a (which must have been counted). */
void ing_addr_counts_del(struct ing_addr_counts *t, const struct ing_addr *a);

/* Free, NULL *pt.  NULL-safe. */
void ing_addr_counts_free(struct ing_addr_counts **pt);

#endif
