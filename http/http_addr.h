/* http_addr.h - client addresses of the HTTP server: parsing, trusted
 * proxy ranges (CIDR), the client behind X-Forwarded-For, and a table of
 * per-address counts for connection limits.
 *
 * Addresses are kept as 16 bytes, IPv4 mapped into IPv6 (::ffff:a.b.c.d),
 * so one comparison serves both families.  Internal to http/ (the guard); none
 * of these functions log. */
#ifndef HTTP_ADDR_H
#define HTTP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

struct http_addr {
    uint8_t b[16];
};

/* Longest text of an address (INET6_ADDRSTRLEN). */
#define HTTP_ADDR_TEXT 46

struct http_cidrs;
struct http_addr_counts;

/* The address of a socket peer (AF_INET or AF_INET6).  0, or -EAFNOSUPPORT
 * (ret untouched). */
int http_addr_from_sockaddr(const struct sockaddr *sa, struct http_addr *ret);

/* Parse one address of n bytes: "192.0.2.1", "2001:db8::1", and with a
 * port as proxies sometimes write them, "192.0.2.1:443", "[2001:db8::1]",
 * "[2001:db8::1]:443".  Surrounding blanks are skipped.  0 or -EINVAL. */
int http_addr_parse(const char *s, size_t n, struct http_addr *ret);

/* Write a as text ("192.0.2.1", "2001:db8::1") into buf (>= HTTP_ADDR_TEXT). */
void http_addr_format(const struct http_addr *a, char *buf, size_t size);

/* Parse a list of addresses and CIDR ranges separated by commas or blanks
 * ("127.0.0.1, 10.0.0.0/8, fd00::/8"); NULL or empty gives an empty list.
 * A range with bits set past its prefix is refused (a typo more often than
 * not).  Caller owns *ret.  0, -EINVAL (err names the bad item), -ENOMEM. */
int http_cidrs_parse(const char *list, struct http_cidrs **ret, char *err, size_t errsz);

/* Whether a lies in one of the ranges (false for an empty list). */
bool http_cidrs_match(const struct http_cidrs *c, const struct http_addr *a);

/* Number of ranges in the list. */
size_t http_cidrs_count(const struct http_cidrs *c);

/* Free, NULL *pc.  NULL-safe. */
void http_cidrs_free(struct http_cidrs **pc);

/* The client of a request that came from a trusted proxy: values are the
 * X-Forwarded-For header lines in arrival order (each a comma-separated
 * list, borrowed).  Walks the hops from the right and returns in *client
 * the right-most address outside the trusted ranges; when every hop is
 * trusted, the left-most one.  An entry that does not parse ends the walk
 * at the hop before it (proxies append well-formed addresses; anything
 * else was written by the client).  *client holds the peer on entry and
 * is kept when no hop parses.  At most 64 hops are read. */
void http_addr_forwarded(const struct http_cidrs *trusted, const char *const *values, size_t n,
                         struct http_addr *client);

/* A table of counts per address, for at most max_keys distinct addresses
 * at a time.  Not thread-safe: the caller locks.  Caller owns *ret.
 * 0 or -ENOMEM. */
int http_addr_counts_new(size_t max_keys, struct http_addr_counts **ret);

/* Count one more for a if it has fewer than limit; returns the new count,
 * or -EBUSY at the limit (nothing counted), or -ENOSPC when max_keys
 * distinct addresses are already counted. */
int http_addr_counts_add(struct http_addr_counts *t, const struct http_addr *a, unsigned limit);

/* Count one less for a (which must have been counted). */
void http_addr_counts_del(struct http_addr_counts *t, const struct http_addr *a);

/* Free, NULL *pt.  NULL-safe. */
void http_addr_counts_free(struct http_addr_counts **pt);

#endif
