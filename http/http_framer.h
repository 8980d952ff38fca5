/* http_framer.h - an incremental HTTP/1.1 message framer: where each
 * request (or response) of a byte stream starts and ends, checking the
 * chunked framing of bodies on the way.
 *
 * The connection relay (http_relay.c) runs one on the bytes a client sends
 * and one on the bytes libmicrohttpd answers, so that an absurd or
 * malformed chunk size is refused before libmicrohttpd waits for it, and
 * the refusal is written between two answers.  It reads framing exactly as
 * libmicrohttpd 0.9.75 does (the first Transfer-Encoding, which wins over
 * Content-Length; the first Content-Length; empty lines before a request
 * line skipped; bare LF ends a line), so that the two never disagree on
 * where a request ends: where the server would refuse a head (a bad
 * Content-Length, a Transfer-Encoding other than chunked, a line without a
 * colon) the framer stops judging and passes the rest through (opaque),
 * because the server answers and closes.  What the server would accept but
 * the relay refuses: a chunk size above max_chunk (413, as a Content-Length
 * above max_body), a malformed chunk-size line or chunk end (400), a chunk extension over 4 KiB, obsolete line folding
 * and NUL bytes in a request head (400; RFC 9112 allows refusing both).
 *
 * A framer is a plain struct the caller embeds; no allocation. */
#ifndef HTTP_FRAMER_H
#define HTTP_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_framer_kind { HTTP_FRAMER_REQUEST, HTTP_FRAMER_RESPONSE };

/* What http_framer_feed stopped at. */
enum http_framer_event {
    HTTP_FRAMER_MORE = 0,   /* every byte consumed, nothing to report */
    HTTP_FRAMER_HEAD,       /* a message's head is complete (method, status set) */
    HTTP_FRAMER_END,        /* a message is complete (interim: a 1xx response) */
    HTTP_FRAMER_ERROR,      /* the request's framing is refused: err says why */
};

#define HTTP_FRAMER_LINE_MAX 4096   /* a chunk-size line with its extensions */

struct http_framer {
    /* read-only for the caller */
    enum http_framer_kind kind;
    uint64_t max_chunk;         /* a larger chunk size is an error (requests) */
    bool opaque;                /* framing left to the server: bytes pass unjudged */
    bool head_method;           /* request: the method is HEAD (from its HEAD event) */
    bool interim;               /* response: the message that ended was a 1xx */
    int status;                 /* response: the status code (from its HEAD event) */
    uint64_t messages;          /* messages completed (interim responses included) */
    char method[16];            /* request: method and start of target, for logs */
    char target[96];
    char err[128];              /* after HTTP_FRAMER_ERROR */
    int err_status;             /* its status: 413 (chunk size over max_chunk) or 400 */
    /* private */
    int st, sub;
    bool cr, no_body, failed;
    size_t line_len, ni;
    bool m_cl, m_te, is_cl, is_te, have_cl, have_te, cl_bad, te_chunked;
    uint64_t cl, left;
};

/* Start a framer of kind at the beginning of a stream.  max_chunk bounds
 * request chunk sizes (the server's max_body); responses are not bounded. */
void http_framer_init(struct http_framer *f, enum http_framer_kind kind, uint64_t max_chunk);

/* Scan the next n bytes of the stream (n may be 0: a pending END is then
 * reported).  Returns the bytes consumed and the event it stopped at:
 * HTTP_FRAMER_MORE only once all n are consumed; after HEAD and END call
 * again with the rest.  On HTTP_FRAMER_ERROR the count is the offset of
 * the offending byte and the framer stays failed (every later call: 0,
 * ERROR).  Responses never fail: what cannot be framed turns opaque. */
size_t http_framer_feed(struct http_framer *f, const char *p, size_t n,
                        enum http_framer_event *ret_ev);

/* Response framer, at its HEAD event: the request this answers was a HEAD,
 * so no body follows whatever the headers say. */
void http_framer_no_body(struct http_framer *f);

/* Whether the framer is between messages (nothing of a next one seen). */
bool http_framer_idle(const struct http_framer *f);

#endif
