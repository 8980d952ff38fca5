/* http_relay.h - the plain-HTTP front of the server: accepts the
 * connections itself and relays each to libmicrohttpd over a socketpair,
 * framing the requests on the way (http_framer.h) so that an absurd or
 * malformed chunk size is answered at once (413 or 400), which libmicrohttpd 0.9.75
 * cannot do (it parses chunk sizes itself and only calls the server when
 * data arrives).
 *
 * Internal to the server (http_server.c).  The daemon must be started with
 * MHD_USE_NO_LISTEN_SOCKET and MHD_USE_ITC: every connection reaches it
 * through MHD_add_connection with the client's real address, so the
 * connection policy (http_guard.c) sees the peer as before and its cuts
 * (a shutdown of libmicrohttpd's end) close the client too. */
#ifndef HTTP_RELAY_H
#define HTTP_RELAY_H

#include <stdint.h>
#include <sys/socket.h>

struct http_relay;
struct MHD_Daemon;

/* A request refused by the relay: peer, the request's method and target
 * (as far as read; may be empty), the status answered and why (as in the
 * answer). */
typedef void (*http_relay_refused_fn)(void *ud, const struct sockaddr *peer, const char *method,
                                      const char *target, int status, const char *why);

struct http_relay_opts {
    const struct sockaddr *addr;  /* where to listen; copied */
    socklen_t addrlen;
    unsigned threads;             /* relay threads (1 to 4) */
    unsigned conn_limit;          /* beyond, connections wait in the listen queue */
    unsigned backlog;
    uint64_t max_chunk;           /* larger chunk sizes get 400 (max_body) */
    http_relay_refused_fn refused; /* optional; called from relay threads */
    void *ud;
};

/* Bind and listen (nothing is accepted before http_relay_start).  Caller
 * owns *ret.  0, -EADDRINUSE (or another bind error), -ENOMEM. */
int http_relay_listen(const struct http_relay_opts *o, struct http_relay **ret);

/* The port bound. */
uint16_t http_relay_port(const struct http_relay *r);

/* Start the relay threads, handing connections to mhd (borrowed; must
 * outlive the relay).  0 or -errno. */
int http_relay_start(struct http_relay *r, struct MHD_Daemon *mhd);

/* Stop the threads and close every connection (libmicrohttpd sees them
 * end) and the listening socket.  Call before MHD_stop_daemon.  NULL-safe;
 * NULLs *pr. */
void http_relay_destroy(struct http_relay **pr);

#endif
