/* cli_zmq.h - what every `inquest` command that sends to inquestd over
 * ZeroMQ shares: the CurveZMQ keys of the global options --zmq-key and
 * --zmq-server-key, the --timeout option, and one wording and exit status
 * for a delivery that failed. */
#ifndef CLI_ZMQ_H
#define CLI_ZMQ_H

#include <stdint.h>

#include "cli.h"
#include "ing_curve.h"
#include "ing_sender.h"

/* Load the keys named by ctx into *curve and point o->curve at it (NULL
 * when neither option is given).  Returns 0, or 2 after printing
 * "inquest: CMD: ..." (one option without the other, an unreadable or
 * malformed key file, a secret key others may read). */
int cli_zmq_keys(const struct cli_ctx *ctx, const char *cmd, struct ing_sender_opts *o,
                 struct ing_curve_client *curve);

/* Print why sending to ctx->zmq_endpoint failed with r (from an
 * ing_sender_* call on snd, which may be NULL): the handshake refused
 * (-EACCES), only busy answers within give_up_ms ("daemon busy: disk full
 * on ...; gave up after N s", -ETIMEDOUT), no answer within give_up_ms
 * (-ETIMEDOUT, with the handshake failures seen, if any), or another
 * error.  Returns the exit status: CLI_EXIT_UNAVAILABLE (4) for no or
 * only busy answers, CLI_EXIT_USAGE (2) for a refused handshake (a key
 * problem to fix, not a daemon away) and other errors. */
int cli_zmq_failed(const struct cli_ctx *ctx, const char *cmd, const struct ing_sender *snd,
                   int r, int64_t give_up_ms);

/* How long the sending commands wait for an acknowledgement by default. */
#define CLI_ZMQ_TIMEOUT_MS 10000

/* "--timeout DURATION" (alias "--give-up") at argv[*i]: 1 when consumed
 * (*ms set, *i past the value), 0 when argv[*i] is another argument, 2
 * after a usage error naming cmd. */
int cli_zmq_timeout_opt(const char *cmd, int argc, char **argv, int *i, int64_t *ms);

#endif
