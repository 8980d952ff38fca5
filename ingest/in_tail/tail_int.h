/* tail_int.h - the follower's per-file state, shared by tail.c
 * (reading lines) and tail_open.c (opening, identity, rotation).
 * Not for use outside those two files. */
#ifndef TAIL_INT_H
#define TAIL_INT_H

#include "tail.h"

#define TAIL_FP_BYTES 256          /* fingerprint: first line, at most this much */
#define TAIL_READ_CHUNK (256u * 1024)

struct tfile {
    char *path;                    /* the configured path */
    char *cur_path;                /* the file being read (a rotated name), or NULL */
    int fd;                        /* -1 while closed */
    bool is_stdin;
    bool eof;                      /* the last read returned 0 */
    bool closed_input;             /* standard input reached its end */
    uint64_t dev, ino, fp, fid;
    char *buf;                     /* unread bytes, buf[0] at file offset boff */
    size_t len;
    uint64_t boff;
    uint64_t boundary;             /* offset after the last complete line */
    bool skipping;                 /* discarding the rest of an over-long line */
    bool has_resume;
    struct tail_pos resume;
    bool seen;                     /* a first open was attempted (from_end applies before) */
    int error;                     /* last open or read error, 0 if none */
};

struct tail {
    struct tail_opts o;
    size_t cap;                    /* buffer size per file */
    struct tfile *files;
    uint32_t n;
};

/* tail_open.c */
int tail_file_open(struct tail *t, struct tfile *f);
void tail_file_close(struct tfile *f);
int tail_file_fingerprint(struct tfile *f);
/* 1 when the file was truncated or rewritten in place (copy-truncate). */
int tail_file_truncated(struct tfile *f);
/* 1 when the configured path now names another file than the one read. */
int tail_file_rotated(const struct tfile *f);

#endif
