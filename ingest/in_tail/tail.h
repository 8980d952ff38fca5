/* tail.h - follow log files like `tail -F`, line by line, with offsets.
 *
 * A follower holds a list of paths ("-" is standard input).  Each poll
 * reads what was appended since the last one and hands every complete
 * line to a callback with its byte offsets; it notices truncation
 * (copy-truncate), rotation by rename (finishing the old file first) and
 * files that appear later.  A file is identified by (device, inode) plus
 * a fingerprint of its first line, so positions saved by the caller can
 * be resumed after a restart, even when the file was rotated meanwhile.
 * Not thread-safe: one follower per thread. */
#ifndef TAIL_H
#define TAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tail;

#define TAIL_LINE_MAX_DEFAULT (64u * 1024)
#define TAIL_FILES_MAX 256

struct tail_opts {
    size_t line_max;      /* bytes; longer lines are cut and marked; default 64 KiB */
    bool from_end;        /* files without a saved position start at their end */
};

/* Where reading of one path stands: the file's identity and the offset
 * just after the last complete line handed out. */
struct tail_pos {
    uint64_t dev, ino;
    uint64_t fp;          /* fingerprint of the first line; 0 while unknown */
    uint64_t offset;
};

enum tail_what {
    TAIL_LINE,        /* a line (or the unterminated tail of a finished file) */
    TAIL_SWITCH,      /* the file index moves on to a new file (rotation,
                             truncation): settle everything of the old one */
};

/* One callback item.  Borrowed for the duration of the call. */
struct tail_item {
    enum tail_what what;
    uint32_t file;        /* index returned by tail_add */
    const char *path;     /* the file being read (a rotated file's current name) */
    uint64_t fid;         /* hash of (dev, ino, fingerprint); 0 for standard input */
    const char *line;     /* without "\n" or "\r\n"; NOT NUL-terminated */
    size_t len;
    bool truncated;       /* the line was longer than line_max and was cut */
    uint64_t offset;      /* byte offset of the line's first byte */
    uint64_t end;         /* byte offset just after the line's newline */
};

/* Return 0 to go on, or a negative errno to stop the poll with that value. */
typedef int (*tail_fn)(void *ud, const struct tail_item *it);

/* Caller owns *ret.  -ENOMEM, -EINVAL (line_max under 64 bytes or over 16 MiB). */
int tail_new(const struct tail_opts *opts, struct tail **ret);
void tail_destroy(struct tail **pt);

/* Add a path (copied); returns its index, -E2BIG past TAIL_FILES_MAX,
 * -EINVAL for a second "-". */
int tail_add(struct tail *t, const char *path);
uint32_t tail_count(const struct tail *t);
const char *tail_path(const struct tail *t, uint32_t file);

/* Resume file index from a saved position (call before the first poll). */
void tail_resume(struct tail *t, uint32_t file, const struct tail_pos *pos);

/* Current position of a file index: the saved one while the file has not
 * been opened yet; false when there is none (standard input, a file not
 * there yet). */
bool tail_position(const struct tail *t, uint32_t file, struct tail_pos *ret);

/* The last error opening or reading file index (e.g. -EACCES), 0 if none.
 * Such a file is skipped and retried at every poll; a missing file is not
 * an error. */
int tail_error(const struct tail *t, uint32_t file);

/* Read up to max_lines lines in all, calling fn for each item.  Returns
 * the number of lines handed out (0 when nothing new) or a negative value
 * returned by fn.  Files that cannot be opened or read are skipped (see
 * tail_error). */
int tail_poll(struct tail *t, tail_fn fn, void *ud, uint32_t max_lines);

/* True when every path has been read to its current end (standard input:
 * closed) and nothing is left in the buffers but unterminated lines. */
bool tail_idle(const struct tail *t);


#endif
