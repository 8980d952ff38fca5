/* http_addr.c - client addresses for the HTTP server's connection
 * policy (http_guard.c): address parsing, trusted proxy ranges, the
 * client named by X-Forwarded-For, and per-address counts.
 *
 * Design notes.  Every address is 16 bytes with IPv4 mapped into IPv6, so
 * a range is (address, prefix bits) and one masked comparison matches
 * both families; an IPv4 range "10.0.0.0/8" is stored as ::ffff:10.0.0.0
 * with prefix 104.  X-Forwarded-For is read from the right, the way
 * nginx's real_ip_recursive and Go's common middlewares do: each trusted
 * proxy appends the address it saw, so only the hops up to the first
 * untrusted one are believable, and everything left of it may be forged.
 * The count table is open addressing with linear probing and
 * backward-shift deletion, sized at twice the most keys it may hold (one
 * per connection), with a per-process random hash key so that chosen
 * addresses cannot pile up on one probe chain. */
#include "http_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#define CIDRS_MAX 256
#define HOPS_MAX 64

struct cidr {
    struct http_addr net;
    unsigned bits;              /* 0..128 */
};

struct http_cidrs {
    size_t n;
    struct cidr c[];
};

struct slot {
    struct http_addr key;
    uint32_t count;             /* 0: empty */
};

struct http_addr_counts {
    size_t mask, used, max_keys;
    uint64_t seed;
    struct slot s[];
};

static void map_v4(const void *v4, struct http_addr *ret)
{
    memset(ret->b, 0, 10);
    ret->b[10] = 0xff;
    ret->b[11] = 0xff;
    memcpy(ret->b + 12, v4, 4);
}

static bool is_v4(const struct http_addr *a)
{
    static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

    return memcmp(a->b, prefix, sizeof(prefix)) == 0;
}

int http_addr_from_sockaddr(const struct sockaddr *sa, struct http_addr *ret)
{
    if (sa && sa->sa_family == AF_INET) {
        map_v4(&((const struct sockaddr_in *)(const void *)sa)->sin_addr, ret);
        return 0;
    }
    if (sa && sa->sa_family == AF_INET6) {
        memcpy(ret->b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return 0;
    }
    return -EAFNOSUPPORT;
}

/* Parse exactly [s, s+n) with inet_pton into ret. */
static int pton(const char *s, size_t n, struct http_addr *ret)
{
    char buf[HTTP_ADDR_TEXT];
    uint8_t raw[16];

    if (n == 0 || n >= sizeof(buf))
        return -EINVAL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, raw) == 1) {
        map_v4(raw, ret);
        return 0;
    }
    if (inet_pton(AF_INET6, buf, raw) == 1) {
        memcpy(ret->b, raw, 16);
        return 0;
    }
    return -EINVAL;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0 && n <= 5;
}

int http_addr_parse(const char *s, size_t n, struct http_addr *ret)
{
    const char *colon;

    while (n && is_blank(*s))
        s++, n--;
    while (n && is_blank(s[n - 1]))
        n--;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        size_t rest;

        if (!close)
            return -EINVAL;
        rest = n - (size_t)(close + 1 - s);
        if (rest && (close[1] != ':' || !all_digits(close + 2, rest - 1)))
            return -EINVAL;
        return pton(s + 1, (size_t)(close - s - 1), ret);
    }
    colon = memchr(s, ':', n);
    if (colon && !memchr(colon + 1, ':', n - (size_t)(colon + 1 - s))) {
        /* one colon: IPv4 with a port */
        if (!all_digits(colon + 1, n - (size_t)(colon + 1 - s)))
            return -EINVAL;
        n = (size_t)(colon - s);
    }
    return pton(s, n, ret);
}

void http_addr_format(const struct http_addr *a, char *buf, size_t size)
{
    char tmp[HTTP_ADDR_TEXT];

    if (is_v4(a))
        inet_ntop(AF_INET, a->b + 12, tmp, sizeof(tmp));
    else
        inet_ntop(AF_INET6, a->b, tmp, sizeof(tmp));
    snprintf(buf, size, "%s", tmp);
}

/* Whether a and net agree on their first bits bits. */
static bool prefix_equal(const struct http_addr *a, const struct http_addr *net, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;

    if (memcmp(a->b, net->b, full) != 0)
        return false;
    if (!rest)
        return true;
    return ((a->b[full] ^ net->b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Parse "ADDR" or "ADDR/BITS" of n bytes into c.  0 or -EINVAL. */
static int parse_cidr(const char *s, size_t n, struct cidr *c)
{
    const char *slash = memchr(s, '/', n);
    unsigned bits = 0, max;

    if (pton(s, slash ? (size_t)(slash - s) : n, &c->net) < 0)
        return -EINVAL;
    max = is_v4(&c->net) ? 32 : 128;
    if (!slash) {
        bits = max;
    } else {
        size_t len = n - (size_t)(slash + 1 - s);

        if (!all_digits(slash + 1, len) || len > 3)
            return -EINVAL;
        for (size_t i = 0; i < len; i++)
            bits = bits * 10 + (unsigned)(slash[1 + i] - '0');
        if (bits > max)
            return -EINVAL;
    }
    c->bits = bits + (max == 32 ? 96 : 0);
    for (unsigned i = c->bits; i < 128; i++)   /* host bits must be zero */
        if (c->net.b[i / 8] & (0x80 >> (i % 8)))
            return -EINVAL;
    return 0;
}

int http_cidrs_parse(const char *list, struct http_cidrs **ret, char *err, size_t errsz)
{
    struct http_cidrs *c = calloc(1, sizeof(*c) + CIDRS_MAX * sizeof(c->c[0]));
    const char *p = list ? list : "";

    if (!c)
        return -ENOMEM;
    while (*p) {
        size_t n;

        while (*p == ',' || is_blank(*p))
            p++;
        n = strcspn(p, ", \t");
        if (!n)
            break;
        if (c->n == CIDRS_MAX) {
            snprintf(err, errsz, "more than %d ranges", CIDRS_MAX);
            break;
        }
        if (parse_cidr(p, n, &c->c[c->n]) < 0) {
            snprintf(err, errsz, "'%.*s' is not an address or a range like 10.0.0.0/8 or "
                     "fd00::/8 (with no bits set past the prefix)", (int)(n > 60 ? 60 : n), p);
            break;
        }
        c->n++;
        p += n;
    }
    if (*p) {
        free(c);
        return -EINVAL;
    }
    *ret = c;
    return 0;
}

bool http_cidrs_match(const struct http_cidrs *c, const struct http_addr *a)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (prefix_equal(a, &c->c[i].net, c->c[i].bits))
            return true;
    return false;
}

size_t http_cidrs_count(const struct http_cidrs *c)
{
    return c ? c->n : 0;
}

void http_cidrs_free(struct http_cidrs **pc)
{
    free(*pc);
    *pc = NULL;
}

/* The hop before end in one header value [v, end): sets *start to its
 * first byte and returns its length (0 at the front). */
static size_t prev_hop(const char *v, const char *end, const char **start)
{
    const char *p = end;

    while (p > v && p[-1] != ',')
        p--;
    *start = p;
    return (size_t)(end - p);
}

void http_addr_forwarded(const struct http_cidrs *trusted, const char *const *values, size_t n,
                         struct http_addr *client)
{
    size_t hops = 0;

    for (size_t k = n; k-- > 0;) {
        const char *v = values[k], *end = v + strlen(v), *hop;

        for (;;) {
            size_t len = prev_hop(v, end, &hop);
            struct http_addr a;

            if (++hops > HOPS_MAX || http_addr_parse(hop, len, &a) < 0)
                return;
            *client = a;
            if (!http_cidrs_match(trusted, &a))
                return;
            if (hop == v)
                break;
            end = hop - 1;              /* before the comma */
        }
    }
}

/* A keyed mix of the two halves (splitmix64 finaliser). */
static size_t hash(const struct http_addr_counts *t, const struct http_addr *a)
{
    uint64_t x, y;

    memcpy(&x, a->b, 8);
    memcpy(&y, a->b + 8, 8);
    x ^= t->seed ^ (y * 0x9e3779b97f4a7c15ull);
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (size_t)x & t->mask;
}

int http_addr_counts_new(size_t max_keys, struct http_addr_counts **ret)
{
    size_t cap = 16;
    struct http_addr_counts *t;

    while (cap < 2 * max_keys)
        cap *= 2;
    t = calloc(1, sizeof(*t) + cap * sizeof(t->s[0]));
    if (!t)
        return -ENOMEM;
    t->mask = cap - 1;
    t->max_keys = max_keys;
    if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != (ssize_t)sizeof(t->seed))
        t->seed = (uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15ull;
    *ret = t;
    return 0;
}

/* The slot holding a, or the empty slot where it would go. */
static struct slot *lookup(struct http_addr_counts *t, const struct http_addr *a)
{
    size_t i = hash(t, a);

    while (t->s[i].count && memcmp(&t->s[i].key, a, sizeof(*a)) != 0)
        i = (i + 1) & t->mask;
    return &t->s[i];
}

int http_addr_counts_add(struct http_addr_counts *t, const struct http_addr *a, unsigned limit)
{
    struct slot *s = lookup(t, a);

    if (s->count >= limit)
        return -EBUSY;
    if (!s->count) {
        if (t->used == t->max_keys)
            return -ENOSPC;
        s->key = *a;
        t->used++;
    }
    return (int)++s->count;
}

void http_addr_counts_del(struct http_addr_counts *t, const struct http_addr *a)
{
    struct slot *s = lookup(t, a);
    size_t hole, i;

    if (!s->count || --s->count)
        return;
    t->used--;
    /* backward-shift: move later members of the chain into the hole */
    hole = (size_t)(s - t->s);
    for (i = (hole + 1) & t->mask; t->s[i].count; i = (i + 1) & t->mask) {
        size_t home = hash(t, &t->s[i].key);

        /* movable unless its home lies cyclically in (hole, i] */
        if (((i - home) & t->mask) >= ((i - hole) & t->mask)) {
            t->s[hole] = t->s[i];
            t->s[i].count = 0;
            hole = i;
        }
    }
}

void http_addr_counts_free(struct http_addr_counts **pt)
{
    free(*pt);
    *pt = NULL;
}
