/* ana_http.h - GET /api/v1/query for inquestd (see ana_http.c for the
 * parameters).  The daemon calls ana_http_query_add after ing_http_new and
 * before ing_http_start, and ana_http_query_free after ing_http_destroy. */
#ifndef ANA_HTTP_H
#define ANA_HTTP_H

#include <jansson.h>

struct ana_http_query;
struct ing_http;
struct store;

/* Register GET /api/v1/query on http.  st is borrowed and must outlive the
 * server; classes_section (the config's "classes", borrowed, may be NULL)
 * is applied over the default taxonomy.  A taxonomy that does not load is
 * not fatal: queries then use stored classes and notes only, and
 * ana_http_query_warning says why.  Caller owns *ret.  0, -ENOMEM, or the
 * negative errno of ing_http_add_route. */
int ana_http_query_add(struct ing_http *http, struct store *st, const json_t *classes_section,
                       struct ana_http_query **ret);

/* Why the taxonomy did not load ("" when it did).  Borrowed. */
const char *ana_http_query_warning(const struct ana_http_query *h);

/* Free and NULL *ph.  NULL-safe.  Only after the server stopped. */
void ana_http_query_free(struct ana_http_query **ph);

#endif
