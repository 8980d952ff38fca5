/* cli_daemon.h - inquestd: configuration and wiring of the stages.
 *
 * The daemon's own settings are one table (cli_daemon.c); each flag
 * "--some-key VALUE" sets the key "some_key", so flags, config file keys
 * and the generated --help always agree. */
#ifndef CLI_DAEMON_H
#define CLI_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct iqd_config {
    char *data;            /* data directory */
    char *listen_zmq;      /* ingest endpoint */
    bool fsync;            /* sync WAL per batch */
    size_t max_frame;      /* largest accepted ZeroMQ frame */
    char *log_level;
};

/* Run inquestd with argv; returns the exit status. */
int cli_daemon_main(int argc, char **argv);

#endif
