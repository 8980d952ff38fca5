/* tail_config.c - the log collector's settings table, shared by `inquest
 * tail` and inquestd's `logs` section (tail_config.h).
 *
 * Design notes.  One iq_conf_item table holds every key with its type,
 * default and bounds; the section is applied with iq_conf_apply and a
 * command-line option with iq_conf_set under the option's name with
 * dashes turned to underscores, so the two can never disagree on a bound.
 * Where `inquest tail` and the daemon used to differ, the table keeps the
 * safer bound: error_grace at most 1h, poll from 10ms to 1m (a poll of 0
 * spun a core), line_max 64 bytes to 16M, error_threshold 1 to 10^8.
 * The command's refusal names the option and what it takes, in its own
 * words ("--poll takes a duration from 10ms to 1m, not '5ms'"), from the
 * same row. */
#include "tail_config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tail_run.h"

#define COFF(f) offsetof(struct tail_conf, f)

const struct iq_conf_item tail_conf_items[] = {
    { "files", IQ_CONF_JSON, COFF(files), NULL, 0, 0, "log files to follow (array of paths)" },
    { "rules", IQ_CONF_JSON, COFF(rules), NULL, 0, 0,
      "rule files or directories (array; default $INQUEST_SCHEMAS/logs or ./schemas/logs)" },
    { "rule", IQ_CONF_STR, COFF(rule), NULL, 0, 0, "use only these rules (comma-separated)" },
    { "service", IQ_CONF_STR, COFF(service), NULL, 0, 0, "service of lines that name none" },
    { "state", IQ_CONF_STR, COFF(state), NULL, 0, 0,
      "checkpoint file (default DATA/tail.state in the daemon, "
      "$XDG_STATE_HOME/inquest/tail.state for the command)" },
    { "error_threshold", IQ_CONF_INT, COFF(error_threshold), "10", 1, 100000000,
      "error lines per service and minute that raise error_rate_rise" },
    { "error_grace", IQ_CONF_DURATION, COFF(error_grace), "10s", 0, 3600000,
      "a minute's error count closes this long after the minute ends" },
    { "line_max", IQ_CONF_SIZE, COFF(line_max), "64k", 64, 16 << 20,
      "longer lines are cut to this size and marked truncated" },
    { "from_end", IQ_CONF_BOOL, COFF(from_end), "false", 0, 0,
      "files without a checkpoint start at their end" },
    { "send_unparsed", IQ_CONF_BOOL, COFF(send_unparsed), "false", 0, 0,
      "send lines that no rule parses as raw events" },
    { "poll", IQ_CONF_DURATION, COFF(poll), "250ms", 10, 60000, "wait between polls when idle" },
    { NULL, 0, 0, NULL, 0, 0, NULL },
};

void tail_conf_defaults(struct tail_conf *c)
{
    memset(c, 0, sizeof(*c));
    iq_conf_defaults(tail_conf_items, c);
}

int tail_conf_apply(struct tail_conf *c, const json_t *obj, char *err, size_t errsz)
{
    return iq_conf_apply(tail_conf_items, c, obj, err, errsz);
}

/* The row of option opt ("--line-max"), or NULL. */
static const struct iq_conf_item *flag_item(const char *opt)
{
    char key[64];
    size_t n;

    if (strncmp(opt, "--", 2) != 0 || (n = strlen(opt + 2)) == 0 || n >= sizeof(key))
        return NULL;
    for (size_t i = 0; i <= n; i++)
        key[i] = opt[2 + i] == '-' ? '_' : opt[2 + i];
    for (const struct iq_conf_item *it = tail_conf_items; it->name; it++)
        if (strcmp(it->name, key) == 0)
            return it->type == IQ_CONF_JSON ? NULL : it;
    return NULL;
}

bool tail_conf_is_switch(const char *opt)
{
    const struct iq_conf_item *it = flag_item(opt);

    return it && it->type == IQ_CONF_BOOL;
}

/* A bound as it would be written: "64", "64k", "16M"; "10ms", "10s",
 * "1m", "1h". */
static void bound_text(enum iq_conf_type type, int64_t v, char *buf, size_t size)
{
    static const struct { int64_t unit; const char *name; } sizes[] = {
        { 1 << 20, "M" }, { 1 << 10, "k" },
    }, durs[] = {
        { 3600000, "h" }, { 60000, "m" }, { 1000, "s" },
    };
    const char *suffix = type == IQ_CONF_DURATION ? "ms" : "";

    if (v > 0 && type == IQ_CONF_SIZE)
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
            if (v % sizes[i].unit == 0) {
                v /= sizes[i].unit;
                suffix = sizes[i].name;
                break;
            }
    if (v > 0 && type == IQ_CONF_DURATION)
        for (size_t i = 0; i < sizeof(durs) / sizeof(durs[0]); i++)
            if (v % durs[i].unit == 0) {
                v /= durs[i].unit;
                suffix = durs[i].name;
                break;
            }
    snprintf(buf, size, "%lld%s", (long long)v, suffix);
}

/* What option opt of row it takes, for a refusal of value. */
static void takes(const struct iq_conf_item *it, const char *opt, const char *value, char *err,
                  size_t errsz)
{
    char lo[32], hi[32];
    const char *what = it->type == IQ_CONF_INT ? "a number" :
                       it->type == IQ_CONF_SIZE ? "a size" : "a duration";

    bound_text(it->type, it->min, lo, sizeof(lo));
    bound_text(it->type, it->max, hi, sizeof(hi));
    snprintf(err, errsz, "%s takes %s from %s to %s, not '%.40s'", opt, what, lo, hi, value);
}

int tail_conf_set_flag(struct tail_conf *c, const char *opt, const char *value, char *err,
                       size_t errsz)
{
    const struct iq_conf_item *it = flag_item(opt);
    int r;

    if (!it || (it->type == IQ_CONF_BOOL) != !value)
        return 0;
    r = iq_conf_set(tail_conf_items, c, it->name, value ? value : "true", err, errsz);
    if (r == -EINVAL && it->type != IQ_CONF_STR && it->type != IQ_CONF_BOOL)
        takes(it, opt, value, err, errsz);
    return r < 0 ? r : 1;
}

void tail_conf_to_run(const struct tail_conf *c, struct tail_run_opts *o)
{
    o->rule_names = c->rule;
    o->service = c->service;
    o->error_threshold = (uint32_t)c->error_threshold;
    o->error_grace_ms = c->error_grace;
    o->line_max = c->line_max;
    o->from_end = c->from_end;
    o->send_unparsed = c->send_unparsed;
    o->poll_ms = c->poll;
}

void tail_conf_release(struct tail_conf *c)
{
    iq_conf_release(tail_conf_items, c);
}
