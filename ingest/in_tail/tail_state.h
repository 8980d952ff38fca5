/* tail_state.h - checkpoint file of `inquest tail`.
 *
 * A small JSON document mapping each followed path to the identity of the
 * file read and the offset up to which every line has been acknowledged
 * by ingest.  Saved atomically: written to a temporary file in the same
 * directory, fsync'ed, renamed over the old one, and the directory
 * fsync'ed, so a crash leaves either the old or the new checkpoint. */
#ifndef TAIL_STATE_H
#define TAIL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tail.h"

struct tail_ckpt {
    const char *path;             /* borrowed */
    struct tail_pos pos;
};

/* Read path and call tail_resume for every followed path it lists.
 * A missing file is not an error (first run).  Returns the number of
 * positions applied, or -EINVAL with err naming the file and the problem
 * (the follower is then untouched). */
int tail_state_load(const char *path, struct tail *t, char *err, size_t errsz);

/* Write n checkpoints atomically to path.  0, or -errno with err set. */
int tail_state_save(const char *path, const struct tail_ckpt *c, uint32_t n,
                    char *err, size_t errsz);

#endif
