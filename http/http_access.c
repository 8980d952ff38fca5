/* http_access.c - bearer tokens, roles and audiences of inquestd's HTTP API
 * (see http_access.h), and the loopback test behind the secure defaults.
 *
 * Design notes.  Tokens are kept only as SHA-256 digests, whether the
 * config gave the token or its digest: a presented token is hashed once
 * and compared with every stored digest by sodium_memcmp, without stopping
 * at the first match, so neither the content, the length nor the position
 * of a token leaks through timing.  The role each request needs comes from
 * one const table of path patterns (fnmatch with FNM_PATHNAME, so a '*'
 * stays inside one path segment); a path no row matches needs read, so a
 * route added later is closed by default.  Webhook paths are not in the
 * table: each source has its own secret (wh_auth.c), and only the
 * canonical source also takes write tokens (http_access_check_hook). */
#include "http_access.h"

#include <errno.h>
#include <fnmatch.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sodium.h>

struct token {
    char *name;
    unsigned char digest[crypto_hash_sha256_BYTES];
    unsigned roles;
    bool external;
};

struct http_access {
    struct token *tok;
    size_t n;
};

/* The role a request needs, by method (NULL: any) and path pattern; the
 * first matching row wins, and no row means read. */
static const struct rule {
    const char *method;
    const char *pattern;
    unsigned roles;        /* 0: open to anyone, no credential needed */
    bool external;         /* reachable with an external-audience token */
} rules[] = {
    { NULL, "/healthz", 0, true },
    { NULL, "/readyz", 0, true },
    { NULL, "/metrics", 0, true },
    { "POST", "/api/v1/incidents/*/notes", HTTP_ROLE_ADMIN, false },
    { NULL, "/api/v1/admin/*", HTTP_ROLE_ADMIN, false },
    { NULL, "/-/reload", HTTP_ROLE_ADMIN, false },
    { NULL, "/api/v1/incidents/*/draft.*", HTTP_ROLE_READ, true },
    { NULL, "/api/v1/incidents/*/timeline.svg", HTTP_ROLE_READ, true },
    /* the web UI (render/rnd_ui.c) shows every incident as the internal
     * audience sees it: read, never an external-audience token */
    { NULL, "/", HTTP_ROLE_READ, false },
    { NULL, "/ui", HTTP_ROLE_READ, false },
    { NULL, "/ui/*", HTTP_ROLE_READ, false },
    { NULL, "/ui/*/*", HTTP_ROLE_READ, false },
};

static const struct {
    const char *name;
    unsigned roles;
} role_names[] = {
    { "read", HTTP_ROLE_READ },
    { "write", HTTP_ROLE_WRITE },
    { "admin", HTTP_ROLE_READ | HTTP_ROLE_WRITE | HTTP_ROLE_ADMIN },
};

static const struct {
    const char *var, *name;
    unsigned roles;
} env_tokens[] = {
    { "INQUEST_READ_TOKEN", "env-read", HTTP_ROLE_READ },
    { "INQUEST_WRITE_TOKEN", "env-write", HTTP_ROLE_WRITE },
    { "INQUEST_ADMIN_TOKEN", "env-admin", HTTP_ROLE_READ | HTTP_ROLE_WRITE | HTTP_ROLE_ADMIN },
};

void http_access_destroy(struct http_access **pa)
{
    struct http_access *a = *pa;

    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        free(a->tok[i].name);
    if (a->tok)
        sodium_memzero(a->tok, a->n * sizeof(*a->tok));
    free(a->tok);
    free(a);
    *pa = NULL;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= HTTP_ACCESS_NAME_MAX &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") == n;
}

/* Append a token; the name is copied.  Checks duplicates of name and
 * digest.  0, -EINVAL (err), -E2BIG, -ENOMEM. */
static int add_token(struct http_access *a, const char *name, const unsigned char *digest,
                     unsigned roles, bool external, char *err, size_t errsz)
{
    struct token *t;

    if (a->n == HTTP_ACCESS_TOKENS_MAX) {
        snprintf(err, errsz, "config 'access.tokens': more than %d tokens", HTTP_ACCESS_TOKENS_MAX);
        return -E2BIG;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->tok[i].name, name) == 0) {
            snprintf(err, errsz, "config 'access.tokens': name \"%s\" is used twice", name);
            return -EINVAL;
        }
        if (sodium_memcmp(a->tok[i].digest, digest, crypto_hash_sha256_BYTES) == 0) {
            snprintf(err, errsz, "config 'access.tokens': tokens \"%s\" and \"%s\" are the same "
                     "token", a->tok[i].name, name);
            return -EINVAL;
        }
    }
    if (!(t = realloc(a->tok, (a->n + 1) * sizeof(*t))))
        return -ENOMEM;
    a->tok = t;
    t = &a->tok[a->n];
    memset(t, 0, sizeof(*t));
    if (!(t->name = strdup(name)))
        return -ENOMEM;
    memcpy(t->digest, digest, crypto_hash_sha256_BYTES);
    t->roles = roles;
    t->external = external;
    a->n++;
    return 0;
}

/* The digest of entry e: "token" hashed, or "sha256" decoded. */
static int entry_digest(const json_t *e, size_t i, unsigned char *digest, char *err, size_t errsz)
{
    const json_t *tok = json_object_get(e, "token"), *sha = json_object_get(e, "sha256");
    size_t bin_len = 0;

    if (!tok == !sha || (tok && !json_is_string(tok)) || (sha && !json_is_string(sha))) {
        snprintf(err, errsz, "config 'access.tokens[%zu]': give exactly one of 'token' and "
                 "'sha256' (strings)", i);
        return -EINVAL;
    }
    if (tok) {
        if (json_string_length(tok) < HTTP_ACCESS_TOKEN_MIN) {
            snprintf(err, errsz, "config 'access.tokens[%zu]': 'token' is shorter than %d "
                     "characters (try: openssl rand -hex 32)", i, HTTP_ACCESS_TOKEN_MIN);
            return -EINVAL;
        }
        crypto_hash_sha256(digest, (const unsigned char *)json_string_value(tok),
                           json_string_length(tok));
        return 0;
    }
    if (json_string_length(sha) != 2 * crypto_hash_sha256_BYTES ||
        sodium_hex2bin(digest, crypto_hash_sha256_BYTES, json_string_value(sha),
                       json_string_length(sha), NULL, &bin_len, NULL) != 0 ||
        bin_len != crypto_hash_sha256_BYTES) {
        snprintf(err, errsz, "config 'access.tokens[%zu]': 'sha256' must be 64 hex digits "
                 "(printf %%s TOKEN | sha256sum)", i);
        return -EINVAL;
    }
    return 0;
}

/* One entry of access.tokens. */
static int load_entry(struct http_access *a, const json_t *e, size_t i, char *err, size_t errsz)
{
    static const char *const known[] = { "name", "token", "sha256", "role", "audience", NULL };
    unsigned char digest[crypto_hash_sha256_BYTES];
    const char *key, *name, *role, *aud;
    unsigned roles = 0;
    json_t *v;
    int r;

    if (!json_is_object(e)) {
        snprintf(err, errsz, "config 'access.tokens[%zu]': expected an object", i);
        return -EINVAL;
    }
    json_object_foreach((json_t *)e, key, v) {
        size_t k = 0;

        while (known[k] && strcmp(known[k], key) != 0)
            k++;
        if (!known[k] || !json_is_string(v)) {
            snprintf(err, errsz, "config 'access.tokens[%zu]': unknown key or not a string '%s' "
                     "(name, token or sha256, role, audience)", i, key);
            return -EINVAL;
        }
    }
    name = json_string_value(json_object_get(e, "name"));
    role = json_string_value(json_object_get(e, "role"));
    aud = json_string_value(json_object_get(e, "audience"));
    if (!name || !valid_name(name)) {
        snprintf(err, errsz, "config 'access.tokens[%zu]': 'name' is required: 1 to %d letters, "
                 "digits, '.', '_', '@' or '-'", i, HTTP_ACCESS_NAME_MAX);
        return -EINVAL;
    }
    for (size_t k = 0; role && k < sizeof(role_names) / sizeof(role_names[0]); k++)
        if (strcmp(role, role_names[k].name) == 0)
            roles = role_names[k].roles;
    if (!roles) {
        snprintf(err, errsz, "config 'access.tokens[%zu]' (%s): 'role' must be read, write or "
                 "admin", i, name);
        return -EINVAL;
    }
    if (aud && strcmp(aud, "internal") != 0 && strcmp(aud, "external") != 0) {
        snprintf(err, errsz, "config 'access.tokens[%zu]' (%s): 'audience' must be internal or "
                 "external", i, name);
        return -EINVAL;
    }
    if (aud && aud[0] == 'e' && roles != HTTP_ROLE_READ) {
        snprintf(err, errsz, "config 'access.tokens[%zu]' (%s): audience external is for read "
                 "tokens only", i, name);
        return -EINVAL;
    }
    if ((r = entry_digest(e, i, digest, err, errsz)) < 0)
        return r;
    r = add_token(a, name, digest, roles, aud && aud[0] == 'e', err, errsz);
    sodium_memzero(digest, sizeof(digest));
    return r;
}

static int load_conf(struct http_access *a, const json_t *conf, char *err, size_t errsz)
{
    const json_t *tokens;
    const char *key;
    json_t *v;
    size_t i;
    int r;

    if (!conf)
        return 0;
    if (!json_is_object(conf)) {
        snprintf(err, errsz, "config 'access': expected an object with 'tokens'");
        return -EINVAL;
    }
    json_object_foreach((json_t *)conf, key, v) {
        if (strcmp(key, "tokens") != 0) {
            snprintf(err, errsz, "config 'access': unknown key '%s' (tokens)", key);
            return -EINVAL;
        }
    }
    tokens = json_object_get(conf, "tokens");
    if (tokens && !json_is_array(tokens)) {
        snprintf(err, errsz, "config 'access.tokens': expected an array of "
                 "{name, token or sha256, role, audience}");
        return -EINVAL;
    }
    json_array_foreach(tokens, i, v)
        if ((r = load_entry(a, v, i, err, errsz)) < 0)
            return r;
    return 0;
}

static int load_env(struct http_access *a, char *err, size_t errsz)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    int r;

    for (size_t k = 0; k < sizeof(env_tokens) / sizeof(env_tokens[0]); k++) {
        const char *v = getenv(env_tokens[k].var);

        if (!v || !*v)
            continue;
        if (strlen(v) < HTTP_ACCESS_TOKEN_MIN) {
            snprintf(err, errsz, "%s is shorter than %d characters (try: openssl rand -hex 32)",
                     env_tokens[k].var, HTTP_ACCESS_TOKEN_MIN);
            return -EINVAL;
        }
        crypto_hash_sha256(digest, (const unsigned char *)v, strlen(v));
        r = add_token(a, env_tokens[k].name, digest, env_tokens[k].roles, false, err, errsz);
        if (r < 0)
            return r;
    }
    return 0;
}

int http_access_load(const json_t *conf, struct http_access **ret, char *err, size_t errsz)
{
    struct http_access *a;
    int r;

    if (sodium_init() < 0) {
        snprintf(err, errsz, "libsodium failed to initialise");
        return -EIO;
    }
    if (!(a = calloc(1, sizeof(*a))))
        return -ENOMEM;
    if ((r = load_conf(a, conf, err, errsz)) < 0 || (r = load_env(a, err, errsz)) < 0) {
        if (r == -ENOMEM)
            snprintf(err, errsz, "out of memory");
        http_access_destroy(&a);
        return r;
    }
    *ret = a;
    return 0;
}

size_t http_access_count(const struct http_access *a)
{
    return a ? a->n : 0;
}

bool http_access_grants(const struct http_access *a, unsigned roles)
{
    for (size_t i = 0; a && i < a->n; i++)
        if ((a->tok[i].roles & roles) == roles)
            return true;
    return false;
}

/* The token of an Authorization value.  1 found (*ret set), 0 no bearer
 * credential, -EACCES an unknown one.  Every digest is compared. */
static int identify(const struct http_access *a, const char *authz, const struct token **ret)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    const struct token *found = NULL;
    const char *p = authz;

    if (!p)
        return 0;
    if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
        return -EACCES;
    p += 6;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return -EACCES;
    crypto_hash_sha256(d, (const unsigned char *)p, strlen(p));
    for (size_t i = 0; i < a->n; i++)
        if (sodium_memcmp(a->tok[i].digest, d, sizeof(d)) == 0)
            found = &a->tok[i];
    sodium_memzero(d, sizeof(d));
    if (!found)
        return -EACCES;
    *ret = found;
    return 1;
}

static const struct rule *rule_for(const char *method, const char *path)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if ((!rules[i].method || strcmp(rules[i].method, method) == 0) &&
            fnmatch(rules[i].pattern, path, FNM_PATHNAME) == 0)
            return &rules[i];
    return NULL;
}

static const char *role_name(unsigned roles)
{
    return roles & HTTP_ROLE_ADMIN ? "admin" : roles & HTTP_ROLE_WRITE ? "write" : "read";
}

int http_access_check(const struct http_access *a, const char *method, const char *path,
                      const char *authorization, struct http_caller *ret, char *err,
                      size_t errsz)
{
    const struct rule *rl = rule_for(method, path);
    unsigned need = rl ? rl->roles : HTTP_ROLE_READ;
    const struct token *t = NULL;
    int r;

    *ret = (struct http_caller){ .name = "anonymous", .roles = HTTP_ROLE_READ | HTTP_ROLE_WRITE };
    if (!need)
        return 0;
    if (http_access_count(a) == 0) {
        if (!(need & HTTP_ROLE_ADMIN))
            return 0;
        snprintf(err, errsz, "%s needs an admin token and none is configured (access.tokens or "
                 "INQUEST_ADMIN_TOKEN)", path);
        return -EPERM;
    }
    if ((r = identify(a, authorization, &t)) <= 0) {
        snprintf(err, errsz, r == 0 ? "missing credentials: expected 'Authorization: Bearer TOKEN'"
                                    : "unknown token");
        return -EACCES;
    }
    *ret = (struct http_caller){ .name = t->name, .roles = t->roles, .external = t->external };
    if ((t->roles & need) != need) {
        snprintf(err, errsz, "token \"%s\" has the %s role; %s %s needs %s", t->name,
                 role_name(t->roles), method, path, role_name(need));
        return -EPERM;
    }
    if (t->external && !(rl && rl->external)) {
        snprintf(err, errsz, "token \"%s\" is limited to the external audience: only "
                 "/api/v1/incidents/ID/draft.{md,html,json} and .../timeline.svg (the web UI "
                 "and the rest of the API need an internal read token)", t->name);
        return -EPERM;
    }
    return 0;
}

int http_access_check_hook(const struct http_access *a, bool canonical, bool has_secret,
                           const char *authorization, struct http_caller *ret, char *err,
                           size_t errsz)
{
    const struct token *t = NULL;
    int r;

    if (!canonical || !http_access_grants(a, HTTP_ROLE_WRITE))
        return 0;
    r = identify(a, authorization, &t);
    if (r > 0 && (t->roles & HTTP_ROLE_WRITE)) {
        *ret = (struct http_caller){ .name = t->name, .roles = t->roles, .external = t->external };
        return 1;
    }
    if (r > 0) {
        snprintf(err, errsz, "token \"%s\" has the %s role; canonical events need write",
                 t->name, role_name(t->roles));
        return -EPERM;
    }
    if (has_secret)
        return 0;
    snprintf(err, errsz, r == 0 ? "missing credentials: expected 'Authorization: Bearer TOKEN' "
                                  "with a write token" : "unknown token");
    return -EACCES;
}

static bool addr_is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

        if (IN6_IS_ADDR_V4MAPPED(a6))
            return a6->s6_addr[12] == 127;
        return IN6_IS_ADDR_LOOPBACK(a6);
    }
    return false;
}

/* Does host (len bytes, brackets of an IPv6 literal allowed) resolve only
 * to loopback addresses?  Unresolvable names are not loopback. */
static bool host_is_loopback(const char *host, size_t len)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
    char buf[256];
    bool ok;

    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        host++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, host, len);
    buf[len] = '\0';
    if (getaddrinfo(buf, NULL, &hints, &ai) != 0)
        return false;
    ok = ai != NULL;
    for (const struct addrinfo *p = ai; p; p = p->ai_next)
        ok = ok && addr_is_loopback(p->ai_addr);
    freeaddrinfo(ai);
    return ok;
}

bool http_access_listen_is_loopback(const char *listen)
{
    const char *colon = listen ? strrchr(listen, ':') : NULL;

    return colon && host_is_loopback(listen, (size_t)(colon - listen));
}

bool http_access_zmq_is_loopback(const char *endpoint)
{
    const char *host, *colon;

    if (!endpoint)
        return false;
    if (strncmp(endpoint, "ipc://", 6) == 0 || strncmp(endpoint, "inproc://", 9) == 0)
        return true;
    if (strncmp(endpoint, "tcp://", 6) != 0)
        return false;
    host = endpoint + 6;
    colon = strrchr(host, ':');
    return colon && !strchr(host, ';') && host_is_loopback(host, (size_t)(colon - host));
}
