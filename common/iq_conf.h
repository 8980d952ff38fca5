/* iq_conf.h - table-driven configuration (JSON config file and flags).
 *
 * Each module describes its keys in one const table (name, type, offset in
 * its config struct, default, bounds, description), as Redis's
 * static_configs[] does.  The same table sets defaults, applies a JSON
 * object (unknown keys are an error), applies "--name value" flags, and
 * prints a commented sample.  Sizes accept k/M/G (KiB units) suffixes,
 * durations ms/s/m/h/d.  Config files are JSON with // and block comments;
 * null sets a key back to its default. */
#ifndef IQ_CONF_H
#define IQ_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

enum iq_conf_type {
    IQ_CONF_STR,        /* char *, owned */
    IQ_CONF_BOOL,       /* bool */
    IQ_CONF_INT,        /* int64_t */
    IQ_CONF_SIZE,       /* size_t, bytes */
    IQ_CONF_DURATION,   /* int64_t, milliseconds */
    IQ_CONF_JSON,       /* json_t *, owned reference (a section parsed elsewhere) */
};

struct iq_conf_item {
    const char *name;
    enum iq_conf_type type;
    size_t offset;          /* offsetof(struct x, field) */
    const char *def;        /* default as text; NULL = unset */
    int64_t min, max;       /* bounds for INT, SIZE, DURATION (0,0 = none) */
    const char *desc;
};

/* Set every item to its default. 0 or -EINVAL (a bad default: programmer error). */
int iq_conf_defaults(const struct iq_conf_item *t, void *base);

/* Apply the members of obj.  err names the key ("config 'max_frame': ...").
 * Returns 0, -EINVAL. */
int iq_conf_apply(const struct iq_conf_item *t, void *base, const json_t *obj,
                  char *err, size_t errsz);

/* Set one item from text (a command-line flag). -ENOENT unknown, -EINVAL bad. */
int iq_conf_set(const struct iq_conf_item *t, void *base, const char *name, const char *value,
                char *err, size_t errsz);

/* Free owned strings and JSON. */
void iq_conf_release(const struct iq_conf_item *t, void *base);

/* Print "  \"name\": default,   // description" lines as a sample. */
void iq_conf_print_sample(FILE *f, const struct iq_conf_item *t, int indent);

/* Print a whole config file: header (wrapped into // lines), then an
 * object with every key of t, its description as // lines and its default
 * as value (null when it has none).  What it prints loads back with
 * iq_conf_load_file and applies with iq_conf_apply to the defaults. */
void iq_conf_print_config(FILE *f, const struct iq_conf_item *t, const char *header);

/* Parse "64k", "16M", "1G", "1048576" into bytes. */
int iq_size_parse(const char *s, int64_t *ret);

/* Bytes for people: "812.0 MiB", "1.5 GiB" (MiB below one GiB), into buf. */
void iq_size_format(char *buf, size_t size, int64_t n);

/* The names of an ops table, comma-separated ("a, b, c"), into buf
 * (size bytes, truncated) for error messages.  first is the name member
 * of the first row, n the row count and stride sizeof a row:
 * iq_conf_names(buf, sizeof(buf), &tbl[0].name, N, sizeof(tbl[0])). */
void iq_conf_names(char *buf, size_t size, const char *const *first, size_t n, size_t stride);

#define IQ_CONF_FILE_MAX (1u << 20)   /* bytes of a JSON config file */

/* Load a JSON config file (at most IQ_CONF_FILE_MAX bytes; an object at the
 * top; comments allowed).  0 and *ret (caller owns); -EINVAL (or -ENOMEM)
 * with err naming the file, the line and what is wrong. */
int iq_conf_load_file(const char *path, json_t **ret, char *err, size_t errsz);

/* The same on len bytes of text in buf (its comments are blanked in
 * place); name is what err calls it. */
int iq_conf_parse(char *buf, size_t len, const char *name, json_t **ret, char *err,
                  size_t errsz);

#endif
