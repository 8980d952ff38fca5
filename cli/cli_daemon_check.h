/* cli_daemon_check.h - inquestd --check-config: every problem of a
 * configuration, each with the config file and the line of the key it
 * names, without starting anything.
 *
 * The same reporting serves a normal start (cli_daemon.c loads the file
 * and flags through it, so a bad file at start names its lines too). */
#ifndef CLI_DAEMON_CHECK_H
#define CLI_DAEMON_CHECK_H

struct iqd_config;
struct iq_conf_file;

/* Where problems go.  emit gets each message, with its file and line. */
struct iqd_problems {
    const struct iq_conf_file *file;          /* the config file, or NULL */
    void (*emit)(void *ud, const char *msg);
    void *ud;
    int n;                                    /* problems so far */
};

/* Report msg (a problem naming "config 'KEY'", or, when it names no key,
 * about the key path fallback, which may be NULL) with where it is. */
void iqd_problem(struct iqd_problems *p, const char *msg, const char *fallback);

/* An emit function: "inquestd: MSG" on standard error. */
void iqd_problem_stderr(void *ud, const char *msg);

/* Check what the stages would refuse at start, starting none: the
 * webhook mapping files with their secrets and sources_enabled, the API
 * tokens, the correlator rules, the drafts settings and template, the
 * failure classes, the log collector and its rules, retention, the TLS
 * and CurveZMQ key files, the collector's forward endpoint, and the
 * secure defaults (what a non-loopback listener would expose without
 * authentication, unless insecure).  Nothing is created.  Returns the
 * number of problems. */
int iqd_check(const struct iqd_config *cfg, struct iqd_problems *p);

#endif
