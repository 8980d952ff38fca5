/* iq_conf.h - table-driven configuration (YAML or JSON config file, and
 * flags).
 *
 * Each module describes its keys in one const table (name, type, offset in
 * its config struct, default, bounds, description), as Redis's
 * static_configs[] does.  The same table sets defaults, applies a JSON
 * object (unknown keys are an error; null means the default), applies
 * "--name value" flags, prints a commented sample and prints the effective
 * values back as YAML.  Sizes accept k/M/G (KiB units) suffixes,
 * durations ms/s/m/h/d.
 *
 * Error messages name the key as "config 'SECTION.KEY': what", the
 * convention every section follows, so that iq_conf_file_where can put
 * the file and the key's line in front (iq_conf_file.c). */
#ifndef IQ_CONF_H
#define IQ_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

struct iq_yaml_pos;

#define IQ_CONF_MSG_MAX 640   /* a problem's message, with its file and line */

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

/* Called with each problem found, a message naming "config 'KEY'". */
typedef void (*iq_conf_report_fn)(void *ud, const char *msg);

/* Apply every member of obj (an object; NULL or null: nothing) over base,
 * naming keys "config 'PREFIX.KEY'" (prefix NULL: "config 'KEY'"), and
 * report each problem: an unknown key, a wrong type, a bad value (the
 * field then keeps its value).  Returns the number of problems. */
int iq_conf_apply_each(const struct iq_conf_item *t, void *base, const json_t *obj,
                       const char *prefix, iq_conf_report_fn report, void *ud);

/* The same, the first problem in err: 0 or -EINVAL. */
int iq_conf_apply_section(const struct iq_conf_item *t, void *base, const json_t *obj,
                          const char *prefix, char *err, size_t errsz);

/* Set one item from text (a command-line flag). -ENOENT unknown, -EINVAL bad. */
int iq_conf_set(const struct iq_conf_item *t, void *base, const char *name, const char *value,
                char *err, size_t errsz);

/* Free owned strings and JSON. */
void iq_conf_release(const struct iq_conf_item *t, void *base);

/* Print a YAML sample: each key's description as comments, then
 * "name: default", or "# name:" for a key without default. */
void iq_conf_print_sample(FILE *f, const struct iq_conf_item *t, int indent);

/* Print a whole config file: header (wrapped into // lines), then an
 * object with every key of t, its description as // lines and its default
 * as value (null when it has none).  What it prints loads back with
 * iq_conf_load_file and applies with iq_conf_apply to the defaults. */
void iq_conf_print_config(FILE *f, const struct iq_conf_item *t, const char *header);

/* A JSON item that is a section with a table of its own. */
struct iq_conf_sub {
    const char *name;                  /* the item's name */
    const struct iq_conf_item *table;  /* the section's keys */
    size_t size;                       /* sizeof the struct the table fills */
    bool absent_is_default;            /* an absent section means its defaults (print
                                          them); else absent means off (print none) */
};

/* Print the effective values of t in base as YAML that reads back to the
 * same values: each key after its description (as comments), an unset
 * string or section commented out, sizes and durations with units,
 * sections of subs (n of them) with their own keys' effective values,
 * other JSON items as YAML blocks.  0 or -ENOMEM, -EIO (write). */
int iq_conf_print_yaml(FILE *f, const struct iq_conf_item *t, const void *base,
                       const struct iq_conf_sub *subs, size_t n);

/* A loaded config file. */
struct iq_conf_file {
    char *path;
    json_t *root;                /* an object */
    struct iq_yaml_pos *pos;     /* where each key is; NULL when unknown */
    bool yaml;                   /* read as YAML (else JSON) */
};

/* Load path (at most IQ_CONF_FILE_MAX bytes) as YAML or JSON: by its
 * extension (.yaml, .yml; .json), else JSON when its first character
 * that is not space or a '#' comment is '{' or '/' (a JSON comment).  The top must be a mapping (an
 * empty file is one).  0 and *ret (iq_conf_file_release); -EINVAL with
 * err "config PATH:LINE:COLUMN: what", -ENOENT and friends, -ENOMEM. */
int iq_conf_file_load(const char *path, struct iq_conf_file *ret, char *err, size_t errsz);
void iq_conf_file_release(struct iq_conf_file *f);

/* msg (a problem naming "config 'KEY'") with where it is in front:
 * "PATH:LINE: msg" with the line of KEY, or of its nearest enclosing key,
 * or of fallback (a key path, may be NULL) when msg names none; "PATH:
 * msg" without a line; msg alone when f is NULL (no config file). */
void iq_conf_file_where(const struct iq_conf_file *f, const char *msg, const char *fallback,
                        char *out, size_t outsz);

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

/* Load a config file (YAML, or JSON with comments, as iq_conf_file_load;
 * a mapping at the top), without key positions.  0 and *ret (caller owns);
 * -EINVAL (or -ENOMEM) with err naming the file, the line and what is wrong. */
int iq_conf_load_file(const char *path, json_t **ret, char *err, size_t errsz);

/* Parse JSON with comments: len bytes of text in buf (its comments are
 * blanked in place, lines kept); name is what err calls it.  The one JSON
 * reader of config files (iq_conf_file_load uses it). */
int iq_conf_parse(char *buf, size_t len, const char *name, json_t **ret, char *err,
                  size_t errsz);

#endif
