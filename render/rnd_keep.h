/* rnd_keep.h - draft files people edit (rnd_keep.c): written unless a
 * person edited them since inquestd wrote them (then the new version goes
 * beside), and their facts, without the sections left to people. */
#ifndef RND_KEEP_H
#define RND_KEEP_H

#include <stddef.h>

struct store;

/* Write doc (len bytes) as DIR/ID.EXT, atomically, when that file is
 * missing or still holds a version inquestd wrote (the hashes of what it
 * wrote are in st's state family); otherwise leave it as it is and write
 * DIR/ID.next.EXT.  Returns 0 (written in place), 1 (kept: written
 * beside), or a negative errno (-ENAMETOOLONG, the write's, the
 * store's). */
int rnd_keep_write(struct store *st, const char *dir, const char *id, const char *ext,
                   const char *doc, size_t len);

/* What the templates mark as left to people: "✍" (U+270D, written "✍️"). */
#define RND_HUMAN_MARK "\xe2\x9c\x8d"

/* The facts of the Markdown draft doc (len bytes): doc without its YAML
 * front matter and without the sections ("## " heading to the next "# " or "## " heading) that ref, the
 * draft as inquestd would write it now, marks for people with
 * RND_HUMAN_MARK.  Caller owns *ret (NUL-terminated).  0 or -ENOMEM. */
int rnd_keep_facts(const char *doc, size_t len, const char *ref, size_t ref_len, char **ret,
                   size_t *ret_len);

#endif
