/* pm_front.h - the YAML front matter of a postmortem, read with libyaml.
 *
 * A document opens with front matter when its first line is "---": the
 * block runs to the next line that is "---" or "...", and is YAML (the
 * format static site generators, GitHub and every Markdown tool in a
 * postmortems repository already read).  Values become JSON: a mapping an
 * object, a sequence an array, a scalar a string (a plain empty, "~" or
 * "null" scalar is null); what each key means is pm_doc.c's business.
 * Every top-level key keeps its line, so a wrong value is reported where
 * it is. */
#ifndef PM_FRONT_H
#define PM_FRONT_H

#include <stddef.h>
#include <jansson.h>

#define PM_FRONT_MAX   (64 * 1024)   /* bytes of front matter */
#define PM_FRONT_NODES 10000         /* YAML nodes converted (aliases count each time) */
#define PM_FRONT_DEPTH 32            /* nesting of mappings and sequences */
#define PM_PROBLEM_MAX 320

/* What is wrong with a document, and where (1-based; 0 when not known). */
struct pm_problem {
    unsigned line, col;
    char msg[PM_PROBLEM_MAX];
};

struct pm_front {
    json_t *values;      /* object: key -> value; owned */
    json_t *lines;       /* object: key -> its 1-based line in the file; owned */
    size_t body_off;     /* byte offset of the first line after the block */
    unsigned body_line;  /* that line's number */
};

/* Read the front matter of text (len bytes; a UTF-8 byte order mark is
 * skipped).  Returns 0 with *ret filled (caller clears it with
 * pm_front_clear), 1 when the document does not open with "---" (no front
 * matter; *ret zeroed), -EINVAL with prob set when the block is not closed,
 * is not valid YAML (libyaml's reason and position), is not a mapping, has
 * a key that is not a plain string or a duplicate key, or nests too deep
 * (-E2BIG when it is too large), -ENOMEM. */
int pm_front_parse(const char *text, size_t len, struct pm_front *ret, struct pm_problem *prob);

/* Free what f holds; f may be zeroed or already cleared. */
void pm_front_clear(struct pm_front *f);

/* The line of key in f, or 1 (the block's first line) when unknown. */
unsigned pm_front_line(const struct pm_front *f, const char *key);

#endif
