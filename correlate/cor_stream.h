/* cor_stream.h - a full rebuild that walks history once, in time order,
 * with bounded memory.
 *
 * The result is byte for byte the one of an in-memory run over every
 * stored event (cor_run.h, which partial rebuilds and --diff still use):
 * the same grouping, absorption, notes, recurrences and texts, with
 * incidents finalised and written as the walk passes them.  Memory holds
 * the open incidents, the events of the look-back, lead and open windows,
 * the incidents' members until they are written, the recurrence index and
 * the audit notes with what they name; `budget` bounds the decoded events
 * kept between compactions.  cor_stream.c has the design. */
#ifndef COR_STREAM_H
#define COR_STREAM_H

#include <stddef.h>
#include <stdint.h>

struct cor_config;
struct cor_result;
struct store;

/* Memtable size for a store opened only to rebuild (`inquest correlate
 * --rebuild`): a rebuild writes every incident once, so large memtables
 * would only hold resident memory (store_opts.write_buffer). */
#define COR_REBUILD_WRITE_BUFFER (8u << 20)

struct cor_stream_stats {
    size_t compactions;        /* times the window was compacted */
    size_t peak_bytes;         /* most decoded-event bytes held at once */
    size_t held;               /* incidents kept to the end for the audit notes */
    size_t side_runs;          /* incidents rendered from a re-read of the store */
    size_t patched;            /* texts rewritten at the end (recurrence changed by notes) */
    size_t out_batches;        /* batches of incidents written, the last (logged) one included */
    size_t batches;            /* batches the reader handed over */
    size_t reader_classified;  /* of them, classified by the reader (the walker was behind) */
    int64_t read_cpu_ms;       /* CPU time of the reading thread (store, decoding) */
    int64_t walk_cpu_ms;       /* CPU time of the walking thread (grouping, texts, writes) */
};

/* Rebuild every incident (and the unattached list) of st from its events
 * with cfg (both borrowed), keeping about cfg->rebuild_memory bytes of
 * decoded events.  Incidents are written in batches as they are final;
 * stale ones are deleted at the end.  On success ret->n and ret->n_unatt
 * count what was written, ret->events the events read, notes_unapplied
 * and notes_half as for a run; ret->texts, spans and unatt are NULL.
 * stats may be NULL.  0, -EIO, -ENOMEM, -EROFS. */
int cor_stream_rebuild(struct store *st, const struct cor_config *cfg,
                       struct cor_result *ret, struct cor_stream_stats *stats);

/* Which thread classifies the events read: the walker, or the reader
 * when the walker is behind (the default), or always one of them (the
 * result is the same; tests check it). */
enum cor_stream_classify { COR_CLASSIFY_EITHER = 0, COR_CLASSIFY_READER, COR_CLASSIFY_WALKER };

/* cor_stream_rebuild with the classification forced to one side. */
int cor_stream_rebuild_classify(struct store *st, const struct cor_config *cfg,
                                enum cor_stream_classify side, struct cor_result *ret,
                                struct cor_stream_stats *stats);

#endif
