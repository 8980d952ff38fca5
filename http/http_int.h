/* http_int.h - the HTTP server's private state, shared by http_server.c
 * (options, route table, start and stop) and http.c (MHD's callbacks: each
 * request's routing, access, body and answer).  Not for use outside those
 * two files. */
#ifndef HTTP_INT_H
#define HTTP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <microhttpd.h>

#include "http.h"
#include "http_metrics.h"

#define HTTP_ROUTES_MAX 16
#define HTTP_COLLECTORS_MAX 8
#define HTTP_RETRY_AFTER "30"        /* seconds, on every 503 */
#define HTTP_REASON_MAX 320          /* a busy /readyz's reason */

struct http_guard;
struct http_relay;

/* One configuration version (http_server_set_conf): what a request uses
 * from its first handler call to its completion.  refs counts the
 * requests using it plus one while it is current; under conf_lock. */
struct http_conf {
    unsigned long refs;
    struct http_access *access;
    void *data;
    http_conf_free_fn free_fn;
    void *free_ud;
};

/* Take a reference on the current version; drop one (the last frees it). */
struct http_conf *http_conf_get(struct http_server *h);
void http_conf_put(struct http_server *h, struct http_conf *c);

/* A registered route: r as given, with r.prefix pointing to prefix, the
 * table's own copy. */
struct route {
    struct http_route r;
    char *prefix;
};

struct http_server {
    struct http_server_opts o;
    struct route routes[HTTP_ROUTES_MAX];
    size_t n_routes;
    http_metrics_fn metrics_fn[HTTP_COLLECTORS_MAX];
    void *metrics_ud[HTTP_COLLECTORS_MAX];
    size_t n_metrics;
    http_ready_fn ready;
    void *ready_ud;
    _Atomic int phase;           /* enum http_phase: the daemon's word for /readyz */
    struct MHD_Daemon *mhd;
    struct http_guard *guard;
    struct http_relay *relay;        /* plain HTTP: the front (NULL with TLS) */
    pthread_mutex_t conf_lock;
    struct http_conf *conf;      /* the current version; never NULL */
    uint16_t port;
    atomic_bool running;         /* MHD started: its messages drop to debug */
    struct http_metrics m;
};

/* MHD's callbacks (http.c); cls is the server.  The access handler, the
 * URI log callback (its return value becomes *con_cls) and the request
 * completion callback. */
enum MHD_Result http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version,
                                const char *upload_data, size_t *upload_data_size,
                                void **con_cls);
void *http_on_uri(void *cls, const char *uri, struct MHD_Connection *conn);
void http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                       enum MHD_RequestTerminationCode toe);

/* Tell the route that method and target (as the request line gave it)
 * would reach that status was answered (http.c); for answers written
 * outside MHD (the relay's 400). */
void http_note_answer(struct http_server *h, const char *method, const char *target,
                      int status);

#endif
