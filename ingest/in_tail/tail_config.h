/* tail_config.h - the log collector's settings: one table for `inquest
 * tail` (its flags, "--error-threshold 20") and inquestd's `logs` section
 * (its keys, "error_threshold": 20), so both accept and refuse the same
 * values with the same bounds.
 *
 * The table's keys: files and rules (the section's arrays; the command
 * takes files as arguments and --rules FILE repeated), rule, service,
 * state, error_threshold, error_grace, line_max, from_end, send_unparsed
 * and poll.  The command's own options (--once, --no-state, --give-up) are
 * not settings of the daemon and are not in it. */
#ifndef TAIL_CONFIG_H
#define TAIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "iq_conf.h"

struct tail_run_opts;

/* Settings; strings and JSON are owned (tail_conf_release). */
struct tail_conf {
    json_t *files;           /* section only: the files to follow */
    json_t *rules;           /* section only: rule files or directories */
    char *rule;              /* keep only these rules (comma-separated), or NULL */
    char *service;           /* service of lines that name none, or NULL */
    char *state;             /* checkpoint file, or NULL for the caller's default */
    int64_t error_threshold; /* error lines per service and minute that raise the signal */
    int64_t error_grace;     /* ms: a minute closes this long after its end */
    size_t line_max;         /* bytes: longer lines are cut */
    bool from_end;           /* files without a checkpoint start at their end */
    bool send_unparsed;      /* send lines no rule parses as raw events */
    int64_t poll;            /* ms: wait between polls when idle */
};

/* The table (common/iq_conf.h), for --help texts and samples. */
extern const struct iq_conf_item tail_conf_items[];

/* Every setting to its default. */
void tail_conf_defaults(struct tail_conf *c);

/* Apply the `logs` section obj (borrowed): unknown keys and values out of
 * bounds are refused, err naming the key ("config 'poll': 5 is outside
 * 10..60000").  0 or -EINVAL. */
int tail_conf_apply(struct tail_conf *c, const json_t *obj, char *err, size_t errsz);

/* Apply a command-line option of the table: opt as typed ("--line-max"),
 * value its argument, or NULL for a switch (--from-end).  Returns 1 when
 * set; 0 when opt is not one of the table's options (or a switch was
 * given a value, or an option none: nothing set, the caller decides);
 * -EINVAL with err saying what the option takes ("--poll takes a
 * duration from 10ms to 1m, not '5ms'"); -ENOMEM. */
int tail_conf_set_flag(struct tail_conf *c, const char *opt, const char *value, char *err,
                       size_t errsz);

/* Whether opt ("--from-end") is a switch of the table (takes no value). */
bool tail_conf_is_switch(const char *opt);

/* Copy the settings into o (strings borrowed from c: c must outlive o's
 * use).  files, rules and state are the caller's to place. */
void tail_conf_to_run(const struct tail_conf *c, struct tail_run_opts *o);

/* Free owned strings and JSON; c can be reused after tail_conf_defaults. */
void tail_conf_release(struct tail_conf *c);

#endif
