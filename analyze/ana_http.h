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

/* The taxonomy the queries classify with (NULL when it did not load), for
 * the other readers of the daemon (the web UI).  Borrowed; valid until
 * ana_http_query_free. */
const struct ana_classes *ana_http_query_classes(const struct ana_http_query *h);

/* Why the taxonomy did not load ("" when it did).  Borrowed. */
const char *ana_http_query_warning(const struct ana_http_query *h);

/* Free and NULL *ph.  NULL-safe.  Only after the server stopped. */
void ana_http_query_free(struct ana_http_query **ph);

#endif
