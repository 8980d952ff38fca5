/* cor_load.h - read the stored events of a time range into a run. */
#ifndef COR_LOAD_H
#define COR_LOAD_H

#include <stddef.h>
#include <stdint.h>

struct cor_run;
struct store;

/* Add every stored event with at in [from, to) (IQ_TIME_NONE: open end)
 * to run, in by_time order; unreadable values are skipped.  st and run are
 * borrowed.  *count receives the number added.  0, -EIO, -ENOMEM. */
int cor_load_range(struct store *st, struct cor_run *run, int64_t from, int64_t to,
                   size_t *count);

#endif
