/* tail_rule.h - parsing rules for log lines (the JSON files of schemas/logs/).
 *
 * A rule set is a list of rules loaded from one or more JSON files.  Each
 * rule is either a pcre2 pattern with named groups or a JSON-lines field
 * mapping.  The groups `time`, `level`, `pri` (syslog priority),
 * `service`, `message` and `status` (HTTP status) have a meaning; any
 * other named group becomes a label of the event.  A rule also says
 * which matched lines become events: level at or above a threshold, or
 * HTTP status at or above a threshold.  Rules compile once, with JIT and
 * match/depth limits, at load time; matching never allocates. */
#ifndef TAIL_RULE_H
#define TAIL_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tail_rules;
struct iq_event;

/* Normalised severities (syslog order reversed, so larger is worse). */
enum tail_level {
    TAIL_LEVEL_NONE = -1,
    TAIL_LEVEL_TRACE = 0,
    TAIL_LEVEL_DEBUG,
    TAIL_LEVEL_INFO,
    TAIL_LEVEL_NOTICE,
    TAIL_LEVEL_WARN,
    TAIL_LEVEL_ERROR,
    TAIL_LEVEL_CRITICAL,
    TAIL_LEVEL_ALERT,
    TAIL_LEVEL_EMERGENCY,
};

#define TAIL_LINE_LABELS_MAX 16

/* A span of the line (or of the rule set's scratch JSON); len 0 = absent. */
struct tail_span {
    const char *s;
    size_t len;
};

/* What a rule extracted from one line.  Spans are borrowed: valid until
 * the next tail_rules_match on the same rule set or until the line
 * buffer changes. */
struct tail_line {
    const char *rule;                 /* rule name, borrowed from the set */
    const char *default_service;      /* the rule's "service", or NULL */
    int64_t at;                       /* UTC ms, IQ_TIME_NONE if absent */
    int level;                        /* enum tail_level */
    int status;                       /* HTTP status, 0 if absent */
    bool is_event;                    /* the rule's event condition holds */
    struct tail_span service, message;
    struct tail_span label_key[TAIL_LINE_LABELS_MAX];
    struct tail_span label_val[TAIL_LINE_LABELS_MAX];
    uint32_t n_labels;
};

/* Caller owns *ret.  -ENOMEM. */
int tail_rules_new(struct tail_rules **ret);

/* Load rules from a JSON file, or from every *.json file of a directory
 * (in name order).  Errors name the file, the rule and, for a pattern,
 * the pcre2 message and offset: "nginx.json: rule 'access': pattern
 * offset 12: missing closing parenthesis".  On error nothing of that file
 * is added.  Returns the number of rules added, -EINVAL, -ENOENT, -ENOMEM. */
int tail_rules_load(struct tail_rules *rs, const char *path, char *err, size_t errsz);

/* Keep only the rules whose name is listed (comma-separated).  -ENOENT,
 * with err naming the first unknown rule. */
int tail_rules_select(struct tail_rules *rs, const char *names, char *err, size_t errsz);

uint32_t tail_rules_count(const struct tail_rules *rs);

/* Match line against the rules: first the rule *hint (the last one that
 * matched for this source), then the others in order.  Returns 1 and
 * fills *ret (and updates *hint), 0 when no rule parses the line, or a
 * negative errno for an internal pcre2 failure (ret untouched). */
int tail_rules_match(struct tail_rules *rs, const char *line, size_t len, int *hint,
                     struct tail_line *ret);

void tail_rules_destroy(struct tail_rules **prs);

/* Level by name ("warning", "ERR", "fatal", ...); TAIL_LEVEL_NONE if unknown. */
int tail_level_parse(const char *s, size_t len);
const char *tail_level_name(int level);

/* Time formats of rules: the indexes of the ops table in tail_time.c,
 * which alone defines a format (name and parser). */
enum tail_timefmt {
    TAIL_TIME_RFC3339 = 0,  /* 2026-10-21T13:42:00.123Z, lenient variants */
    TAIL_TIME_SYSLOG,       /* Oct 21 13:42:00 (UTC, year inferred) */
    TAIL_TIME_CLF,          /* 21/Oct/2026:13:42:00 +0000 (nginx/Apache access) */
    TAIL_TIME_EPOCH,        /* 1792590120, 1792590120.123 or milliseconds */
    TAIL_TIME_NGINX_ERROR,  /* 2026/10/21 13:42:00 (UTC) */
};

/* Format by name ("rfc3339", "syslog", "clf", "epoch", "nginx_error"); -1 if unknown. */
int tail_timefmt_lookup(const char *name);

/* How many formats there are: lookup returns 0 .. count - 1. */
size_t tail_timefmt_count(void);

/* The format names, comma-separated, into buf (size bytes, truncated). */
void tail_timefmt_list(char *buf, size_t size);

/* Parse s in format fmt.  now_ms anchors the year of syslog times (a time
 * more than a day ahead of now is taken from the previous year).
 * 0 and *ret_ms, or -EINVAL. */
int tail_time_parse(enum tail_timefmt fmt, const char *s, size_t len, int64_t now_ms,
                    int64_t *ret_ms);

#endif
