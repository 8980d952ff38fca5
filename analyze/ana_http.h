/* ana_http.h - GET /api/v1/query for inquestd (see ana_http.c for the
 * parameters).  The daemon calls ana_http_query_add after wh_server_new and
 * before http_server_start, and ana_http_query_free after http_server_destroy. */
#ifndef ANA_HTTP_H
#define ANA_HTTP_H

#include <jansson.h>

struct ana_classes;
struct ana_http_query;
struct http_server;
struct store;

/* Register GET /api/v1/query, /api/v1/classes and /api/v1/classes/ID
 * (ana_http.c) on http.  st is borrowed and must outlive the
 * server; classes_section (the config's "classes", borrowed, may be NULL)
 * is applied over the default taxonomy.  A taxonomy that does not load is
 * not fatal: queries then use stored classes and notes only, and
 * ana_http_query_warning says why.  Caller owns *ret.  0, -ENOMEM, or the
 * negative errno of http_add_route. */
int ana_http_query_add(struct http_server *http, struct store *st, const json_t *classes_section,
                       struct ana_http_query **ret);

/* A reference on the taxonomy the queries classify with now (NULL when
 * it did not load, or h is NULL), for one request of any reader (the
 * query API, the web UI): drop it with ana_classes_destroy.  Any
 * thread. */
struct ana_classes *ana_http_query_classes_hold(struct ana_http_query *h);

/* Load classes_section (may be NULL) over the default taxonomy and use it
 * for the requests that arrive from now on (a reload); a request in
 * progress finishes with the taxonomy it started with.  0 (also when h is
 * NULL), or a negative errno with err; then the running one stays. */
int ana_http_query_use(struct ana_http_query *h, const json_t *classes_section, char *err,
                       size_t errsz);

/* Why the taxonomy did not load ("" when it did).  Borrowed. */
const char *ana_http_query_warning(const struct ana_http_query *h);

/* Free and NULL *ph.  NULL-safe.  Only after the server stopped. */
void ana_http_query_free(struct ana_http_query **ph);

#endif
