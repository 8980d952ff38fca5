/* tail_run.h - the log collector loop: follow, parse, send, checkpoint.
 *
 * Used by `inquest tail` (cli/cli_tail.c) and by inquestd's `logs`
 * section (tail_daemon.c).  Lines of the followed files are
 * parsed with the rules; error lines and error-rate transitions are sent
 * to ingest over the acknowledged ZeroMQ protocol; the state file records,
 * per file, the offset up to which every event was acknowledged. */
#ifndef TAIL_RUN_H
#define TAIL_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ing_curve_client;
struct iq_metrics;

struct tail_run_opts {
    const char *const *paths;       /* borrowed; "-" is standard input */
    uint32_t n_paths;
    const char *const *rules;       /* rule files or directories, borrowed */
    uint32_t n_rules;
    const char *rule_names;         /* keep only these rules (comma-separated), or NULL */
    const char *service;            /* service of lines that name none, or NULL */
    const char *state_path;         /* checkpoint file, or NULL for none */
    const char *endpoint;           /* ingest endpoint, borrowed */
    const struct ing_curve_client *curve;  /* CurveZMQ keys, borrowed; NULL: plain */
    void *zctx;                     /* ZeroMQ context, borrowed */
    uint32_t error_threshold;       /* error lines per minute that raise the signal */
    int64_t error_grace_ms;         /* a minute closes this long after its end */
    size_t line_max;                /* bytes; 0 = 64 KiB */
    bool from_end;                  /* new files (no checkpoint) start at their end */
    bool once;                      /* stop when every file is read to its end */
    bool send_unparsed;             /* send lines no rule parses as raw events */
    int64_t poll_ms;                /* idle wait between polls */
    int64_t give_up_ms;             /* --once: fail after this long without answers */
    struct iq_metrics *metrics;     /* registry for inquest_logs_* (borrowed); NULL: none */
};

struct tail_run_stats {
    uint64_t lines, parsed, unparsed, truncated, events, rate_events;
    uint64_t stored, duplicates, rejected;
    int64_t elapsed_ms;
};

/* Run until *stop is set (or, with once, until all input is read and
 * acknowledged).  Returns 0, or a negative errno with err naming the
 * cause (bad rules, bad state file, unreadable file, no answer). */
int tail_run(const struct tail_run_opts *o, volatile sig_atomic_t *stop,
             struct tail_run_stats *ret_stats, char *err, size_t errsz);

#endif
