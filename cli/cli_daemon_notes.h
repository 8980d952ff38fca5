/* cli_daemon_notes.h - inquestd's POST /api/v1/incidents/ID/notes: audit
 * notes (merge, split, set, class) from an admin token. */
#ifndef CLI_DAEMON_NOTES_H
#define CLI_DAEMON_NOTES_H

struct http_server;
struct http_request;
struct http_response;
struct store;

/* The handler (an http_handler_fn; ud is the store, borrowed): checks the
 * caller is admin, the body a note request (cli_note.h) and the incidents
 * exist, stores the note labelled "by" with the caller's name.  Fills
 * resp: 201, 400, 403, 404 or 503.  Negative errno on a read error. */
int iqd_notes_http_post(void *ud, const struct http_request *rq,
                        struct http_response *resp);

/* Register the handler on http for st (borrowed; must outlive http).
 * Negative errno of http_add_post_route. */
int iqd_notes_add_route(struct http_server *http, struct store *st);

#endif
