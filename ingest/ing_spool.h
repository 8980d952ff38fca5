/* ing_spool.h - the collector's spool: a durable, bounded queue of encoded
 * events in a small RocksDB of its own (DATA/spool), between the webhooks
 * a collector acknowledges and the central ingest it forwards them to.
 *
 * Entries are numbered in append order by a 64-bit sequence; each keeps
 * the wall-clock time it was spooled and the event's msgpack encoding
 * (iq_codec.h: the same bytes as on the wire).  An append is all or
 * nothing and durable when it returns (written to the WAL, and synced
 * with fsync).  The forwarder reads from any sequence on and releases a
 * prefix once the central ingest acknowledged it; a restart finds every
 * entry not yet released.
 *
 * Bounded: an append that would take the spooled event bytes past
 * max_bytes is refused (-ENOBUFS: spool full), and so is one while the
 * filesystem has less than min_free_disk (-ENOSPC).  Never dropped.
 *
 * Thread safety: every call may be made from any thread; appends are
 * serialised, so sequences become visible to readers in order. */
#ifndef ING_SPOOL_H
#define ING_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ing_spool;
struct store_disk_opts;

#define ING_SPOOL_MAX_DEFAULT "1G"

struct ing_spool_opts {
    uint64_t max_bytes;   /* bound on the encoded bytes spooled; 0: 1 GiB */
    bool fsync;           /* fsync the WAL on every append */
    const struct store_disk_opts *disk;  /* free-space guard (borrowed for the
                                          call); NULL: none */
};

/* Open (creating) the spool in dir.  Caller owns *ret (ing_spool_close).
 * -EIO with a logged RocksDB message, -ENOMEM, -EINVAL (an entry that is
 * not ours: the directory holds something else). */
int ing_spool_open(const char *dir, const struct ing_spool_opts *o, struct ing_spool **ret);

/* Wake waiters (ing_spool_wait returns), close, NULL *psp.  NULL-safe.
 * No other call may be running or follow. */
void ing_spool_close(struct ing_spool **psp);

/* Append n encoded events (vals[i], lens[i], borrowed) as one write.
 * Returns n, or nothing appended and -ENOBUFS (past max_bytes), -ENOSPC
 * (free space below the minimum), -E2BIG (one value over 1 MiB), -EIO. */
int ing_spool_append(struct ing_spool *sp, const char *const *vals, const size_t *lens, size_t n);

/* Visit the entries from sequence from on, in order, at most max of them
 * and stopping after max_bytes of values (at least one entry): fn gets
 * the sequence, the time it was spooled (UTC ms) and the value (borrowed
 * for the call).  A non-zero return of fn stops and is returned; else the
 * number visited (0: nothing at or after from), or -EIO. */
typedef int (*ing_spool_fn)(void *ud, uint64_t seq, int64_t spooled_at, const char *val,
                            size_t len);
int ing_spool_read(struct ing_spool *sp, uint64_t from, size_t max, size_t max_bytes,
                   ing_spool_fn fn, void *ud);

/* Delete every entry up to and including seq (acknowledged by the central
 * ingest).  0 or -EIO.  The deletion need not be synced: an entry that
 * comes back after a crash is forwarded again, and ingest's dedup keeps
 * it once. */
int ing_spool_release(struct ing_spool *sp, uint64_t seq);

/* Wait up to timeout_ms until an entry at or after seq exists, or
 * ing_spool_wake is called.  true when there is one. */
bool ing_spool_wait(struct ing_spool *sp, uint64_t seq, int64_t timeout_ms);

/* Make ing_spool_wait return now (for a stopping forwarder); the wake is
 * kept until a wait takes it, so it is not lost on a thread that is about
 * to wait. */
void ing_spool_wake(struct ing_spool *sp);

struct ing_spool_stats {
    uint64_t events;      /* entries held */
    uint64_t bytes;       /* their encoded bytes (what max_bytes bounds) */
    uint64_t max_bytes;
    uint64_t head;        /* first sequence held (== next when empty) */
    uint64_t next;        /* sequence of the next append */
    int64_t oldest_at;    /* when the first entry held was spooled (UTC ms);
                             IQ_TIME_NONE when empty */
    bool full;            /* the last append was refused for max_bytes, and
                             nothing has been released since */
    bool disk_low;        /* free space below min_free_disk (guard on) */
};

/* The spool's figures now.  Cheap: no I/O. */
void ing_spool_stats(struct ing_spool *sp, struct ing_spool_stats *ret);

/* "spool full: 1.0 GiB of events waiting ..." or the disk guard's reason,
 * into buf; empty when neither holds. */
void ing_spool_reason(struct ing_spool *sp, char *buf, size_t size);

#endif
