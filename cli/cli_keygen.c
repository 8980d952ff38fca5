/* cli_keygen.c - `inquest keygen PATH`: a CurveZMQ key pair for an ingest
 * (zmq_curve_key), a collector or a CLI user (--zmq-key).
 *
 * Writes PATH.key (the secret key, mode 0600) and PATH.pub (the public
 * key, to copy into the ingest's zmq_authorized_keys, or to give clients
 * as --zmq-server-key); never overwrites either file.  The key name a
 * server records for a client is the .pub file's name there, so
 * `inquest keygen keys/alice` makes a key named "alice".  File format:
 * ingest/ing_curve.h and docs/security.md. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ing_curve.h"
#include "iq_event.h"

int cli_keygen_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    char err[IQ_ERR_MAX], pub[ING_Z85_KEY_LEN + 1], sec[ING_Z85_KEY_LEN + 1], path[4096];

    if (argc != 2 || argv[1][0] == '-' || argv[1][0] == '\0')
        return cli_usage("keygen: usage: keygen PATH (writes PATH.key and PATH.pub)");
    if (ing_curve_keygen(argv[1], err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: keygen: %s\n", err);
        return 2;
    }
    snprintf(path, sizeof(path), "%s.key", argv[1]);
    if (ing_curve_read_pair(path, pub, sec, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: keygen: %s\n", err);
        return 2;
    }
    memset(sec, 0, sizeof(sec));
    if (!ctx->quiet)
        printf("wrote %s.key (secret, mode 0600) and %s.pub\npublic key: %s\n", argv[1], argv[1],
               pub);
    return 0;
}
