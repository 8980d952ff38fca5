/* wh_auth.c - webhook authentication schemes (see wh_auth.h).
 *
 * Design notes.  Signatures are computed over the raw request body exactly
 * as received, before any parsing, so a delivery that fails is refused
 * with 401 without its JSON ever being looked at.  Shared tokens are
 * compared through their SHA-256 digests with sodium_memcmp, so neither
 * the content nor the length of the secret leaks through timing; HMACs are
 * compared as 32-byte binaries, also with sodium_memcmp.  A source whose
 * secret is not configured accepts deliveries unchecked: the daemon warns
 * about it at start-up (wh_sources_load reports it). */
#include "wh_auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "wh_source.h"
#include "iq_conf.h"
#include "iq_event.h"

#define SIG_HEX_MAX 512

typedef int check_fn(const struct wh_auth *a, const struct wh_delivery *d, char *err,
                     size_t errsz);

static check_fn check_token, check_hmac, check_slack, check_pagerduty;

/* The schemes of mapping files' "auth" objects: a scheme is one row. */
struct wh_auth_scheme {
    const char *name;      /* "scheme" value in mapping files */
    check_fn *check;       /* 0 accepted, -EACCES with err; NULL: nothing checked */
    bool needs_header;     /* 'header' is required */
    bool signs_body;       /* 'timestamp_header' and 'fallback' are allowed */
};

static const struct wh_auth_scheme schemes[] = {
    { .name = "none" },
    { .name = "token", .check = check_token },
    { .name = "hmac-sha256", .check = check_hmac, .needs_header = true, .signs_body = true },
    { .name = "slack-v0", .check = check_slack },
    { .name = "pagerduty-v1", .check = check_pagerduty },
};

#define N_SCHEMES (sizeof(schemes) / sizeof(schemes[0]))

const char *wh_auth_scheme_name(const struct wh_auth *a)
{
    return a->scheme ? a->scheme->name : schemes[0].name;
}

bool wh_auth_has_scheme(const struct wh_auth *a)
{
    return a->scheme && a->scheme->check;
}

/* Look name up in the table; on failure err lists the known names. */
static const struct wh_auth_scheme *scheme_lookup(const char *name, char *err, size_t errsz)
{
    char names[160];

    for (size_t i = 0; i < N_SCHEMES; i++)
        if (strcmp(schemes[i].name, name) == 0)
            return &schemes[i];
    iq_conf_names(names, sizeof(names), &schemes[0].name, N_SCHEMES, sizeof(schemes[0]));
    snprintf(err, errsz, "'auth' 'scheme': unknown scheme \"%.40s\" (%s)", name, names);
    return NULL;
}

static char *lower_dup(const char *s)
{
    char *d = strdup(s);

    for (char *p = d; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

int wh_auth_compile(const json_t *spec, struct wh_auth *a, char *err, size_t errsz)
{
    const char *key;
    json_t *v;

    memset(a, 0, sizeof(*a));
    if (!spec)
        return 0;
    if (!json_is_object(spec)) {
        snprintf(err, errsz, "'auth': expected an object");
        return -EINVAL;
    }
    json_object_foreach((json_t *)spec, key, v) {
        if (!json_is_string(v)) {
            snprintf(err, errsz, "'auth' '%s': expected a string", key);
            return -EINVAL;
        }
        if (strcmp(key, "scheme") == 0) {
            if (!(a->scheme = scheme_lookup(json_string_value(v), err, errsz)))
                return -EINVAL;
        } else if (strcmp(key, "header") == 0) {
            free(a->header);
            if (!(a->header = lower_dup(json_string_value(v))))
                return -ENOMEM;
        } else if (strcmp(key, "prefix") == 0) {
            free(a->prefix);
            if (!(a->prefix = strdup(json_string_value(v))))
                return -ENOMEM;
        } else if (strcmp(key, "timestamp_header") == 0) {
            free(a->ts_header);
            if (!(a->ts_header = lower_dup(json_string_value(v))))
                return -ENOMEM;
        } else if (strcmp(key, "fallback") == 0) {
            if (strcmp(json_string_value(v), "token") != 0) {
                snprintf(err, errsz, "'auth' 'fallback': only \"token\" is known");
                return -EINVAL;
            }
            a->token_fallback = 1;
        } else {
            snprintf(err, errsz, "'auth': unknown key '%s'", key);
            return -EINVAL;
        }
    }
    if (a->scheme && a->scheme->needs_header && !a->header) {
        snprintf(err, errsz, "'auth': scheme %s needs a 'header'", a->scheme->name);
        return -EINVAL;
    }
    if (!(a->scheme && a->scheme->signs_body) && (a->ts_header || a->token_fallback)) {
        snprintf(err, errsz, "'auth': 'timestamp_header' and 'fallback' are for hmac-sha256");
        return -EINVAL;
    }
    return 0;
}

int wh_auth_set_secret(struct wh_auth *a, const char *secret)
{
    char *s = strdup(secret);

    if (!s)
        return -ENOMEM;
    free(a->secret);
    a->secret = s;
    a->secret_len = strlen(s);
    return 0;
}

void wh_auth_release(struct wh_auth *a)
{
    free(a->header);
    free(a->prefix);
    free(a->ts_header);
    if (a->secret)
        sodium_memzero(a->secret, a->secret_len);
    free(a->secret);
    memset(a, 0, sizeof(*a));
}

static const char *header_get(const struct wh_delivery *d, const char *name)
{
    for (size_t i = 0; i < d->n_headers; i++)
        if (strcmp(d->headers[i].name, name) == 0)
            return d->headers[i].value;
    return NULL;
}

/* Constant-time equality of two strings of any length. */
static int token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char ha[crypto_hash_sha256_BYTES], hb[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(ha, (const unsigned char *)a, alen);
    crypto_hash_sha256(hb, (const unsigned char *)b, blen);
    return sodium_memcmp(ha, hb, sizeof(ha)) == 0;
}

/* HMAC-SHA256 of the parts, keyed with the secret. */
static void hmac(const struct wh_auth *a, const char *p1, size_t n1, const char *p2, size_t n2,
                 unsigned char out[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;

    crypto_auth_hmacsha256_init(&st, (const unsigned char *)a->secret, a->secret_len);
    if (n1)
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)p1, n1);
    if (n2)
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)p2, n2);
    crypto_auth_hmacsha256_final(&st, out);
}

/* Does hex (len bytes) encode exactly mac? Constant time over the MAC. */
static int hex_matches(const char *hex, size_t len, const unsigned char *mac)
{
    unsigned char bin[crypto_auth_hmacsha256_BYTES];
    size_t bin_len = 0;

    if (len != 2 * sizeof(bin) ||
        sodium_hex2bin(bin, sizeof(bin), hex, len, NULL, &bin_len, NULL) != 0 ||
        bin_len != sizeof(bin))
        return 0;
    return sodium_memcmp(bin, mac, sizeof(bin)) == 0;
}

static int check_token(const struct wh_auth *a, const struct wh_delivery *d, char *err,
                       size_t errsz)
{
    const char *v = a->header ? header_get(d, a->header) : NULL;
    const char *authz = header_get(d, "authorization");

    if (v && token_equal(v, strlen(v), a->secret, a->secret_len))
        return 0;
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0 &&
        token_equal(authz + 7, strlen(authz + 7), a->secret, a->secret_len))
        return 0;
    if (!v && !authz)
        snprintf(err, errsz, "missing credentials: expected 'Authorization: Bearer TOKEN'%s%s",
                 a->header ? " or header " : "", a->header ? a->header : "");
    else
        snprintf(err, errsz, "wrong token");
    return -EACCES;
}

/* Parse the unix-seconds timestamp ts (from header name) and refuse it
 * when it is more than WH_AUTH_MAX_SKEW_MS from the arrival time. */
static int fresh_seconds(const struct wh_delivery *d, const char *name, const char *ts,
                         long long *ret, char *err, size_t errsz)
{
    char *end;
    long long t;

    errno = 0;
    t = strtoll(ts, &end, 10);
    if (end == ts || *end || errno || t < 0 || t > 253402300799LL) {
        snprintf(err, errsz, "%s: not an integer of seconds", name);
        return -EACCES;
    }
    if (llabs(d->received_at - t * 1000) > WH_AUTH_MAX_SKEW_MS) {
        snprintf(err, errsz, "%s: more than 5 minutes from the arrival time (stale or "
                 "replayed request)", name);
        return -EACCES;
    }
    *ret = t;
    return 0;
}

static int check_hmac(const struct wh_auth *a, const struct wh_delivery *d, char *err,
                      size_t errsz)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    const char *v = header_get(d, a->header);
    size_t plen = a->prefix ? strlen(a->prefix) : 0;

    const char *ts = a->ts_header ? header_get(d, a->ts_header) : NULL;
    char pre[32] = "";
    long long t;
    int n = 0;

    if (!v && a->token_fallback && header_get(d, "authorization"))
        return check_token(a, d, err, errsz);
    if (!v && a->token_fallback) {
        snprintf(err, errsz, "missing credentials: expected signature header %s or "
                 "'Authorization: Bearer TOKEN'", a->header);
        return -EACCES;
    }
    if (!v) {
        snprintf(err, errsz, "missing signature header %s", a->header);
        return -EACCES;
    }
    if (plen && strncmp(v, a->prefix, plen) != 0) {
        snprintf(err, errsz, "signature header %s: expected prefix %s", a->header, a->prefix);
        return -EACCES;
    }
    if (ts) {                  /* Grafana signs "{ts}:{body}" when it sends a timestamp */
        if (fresh_seconds(d, a->ts_header, ts, &t, err, errsz) < 0)
            return -EACCES;
        n = snprintf(pre, sizeof(pre), "%lld:", t);
    }
    if (n)
        hmac(a, pre, (size_t)n, d->body, d->body_len, mac);
    else
        hmac(a, d->body, d->body_len, NULL, 0, mac);
    if (!hex_matches(v + plen, strlen(v + plen), mac)) {
        snprintf(err, errsz, "signature mismatch in %s", a->header);
        return -EACCES;
    }
    return 0;
}

static int check_slack(const struct wh_auth *a, const struct wh_delivery *d, char *err,
                       size_t errsz)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    const char *ts = header_get(d, "x-slack-request-timestamp");
    const char *sig = header_get(d, "x-slack-signature");
    char pre[48];
    long long t;
    int n;

    if (!ts || !sig) {
        snprintf(err, errsz, "missing %s", !ts ? "x-slack-request-timestamp" : "x-slack-signature");
        return -EACCES;
    }
    if (fresh_seconds(d, "x-slack-request-timestamp", ts, &t, err, errsz) < 0)
        return -EACCES;
    n = snprintf(pre, sizeof(pre), "v0:%lld:", t);
    hmac(a, pre, (size_t)n, d->body, d->body_len, mac);
    if (strncmp(sig, "v0=", 3) != 0 || !hex_matches(sig + 3, strlen(sig + 3), mac)) {
        snprintf(err, errsz, "signature mismatch in x-slack-signature");
        return -EACCES;
    }
    return 0;
}

static int check_pagerduty(const struct wh_auth *a, const struct wh_delivery *d, char *err,
                           size_t errsz)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    const char *v = header_get(d, "x-pagerduty-signature");

    if (!v) {
        snprintf(err, errsz, "missing x-pagerduty-signature");
        return -EACCES;
    }
    hmac(a, d->body, d->body_len, NULL, 0, mac);
    while (*v) {
        size_t n = strcspn(v, ",");
        const char *s = v;

        while (n && *s == ' ') {
            s++;
            n--;
        }
        if (n > 3 && strncmp(s, "v1=", 3) == 0 && hex_matches(s + 3, n - 3, mac))
            return 0;
        v = s + n;
        if (*v == ',')
            v++;
    }
    snprintf(err, errsz, "no matching v1 signature in x-pagerduty-signature");
    return -EACCES;
}

int wh_auth_check(const struct wh_auth *a, const struct wh_delivery *d, char *err,
                  size_t errsz)
{
    if (!wh_auth_has_scheme(a) || !a->secret)
        return 0;
    return a->scheme->check(a, d, err, errsz);
}
