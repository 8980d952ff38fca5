/* ing_tail_state.h - checkpoint file of `inquest tail`.
 *
 * A small JSON document mapping each followed path to the identity of the
 * file read and the offset up to which every line has been acknowledged
 * by ingest.  Saved atomically: written to a temporary file in the same
 * directory, fsync'ed, renamed over the old one, and the directory
 * fsync'ed, so a crash leaves either the old or the new checkpoint. */
#ifndef ING_TAIL_STATE_H
#define ING_TAIL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ing_tail.h"

struct ing_tail_ckpt {
    const char *path;             /* borrowed */
    struct ing_tail_pos pos;
};

/* Read path and call ing_tail_resume for every followed path it lists.
 * A missing file is not an error (first run).  Returns the number of
 * positions applied, or -EINVAL with err naming the file and the problem
 * (the follower is then untouched). */
int ing_tail_state_load(const char *path, struct ing_tail *t, char *err, size_t errsz);

/* Write n checkpoints atomically to path.  0, or -errno with err set. */
int ing_tail_state_save(const char *path, const struct ing_tail_ckpt *c, uint32_t n,
                        char *err, size_t errsz);

#endif
