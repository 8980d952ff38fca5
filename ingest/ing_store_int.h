/* ing_store_int.h - the store's private state, shared by ing_store.c
 * (open, close, reads, kv) and ing_store_commit.c (dedup and group commit
 * of events).  Not for use outside those two files. */
#ifndef ING_STORE_INT_H
#define ING_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rocksdb/c.h>

#include "ing_store.h"

struct put_req;

/* The group leader's scratch for one batched lookup of new ids; grown as
 * needed and used by one leader at a time. */
struct probe {
    const char **keys;
    size_t *lens;
    rocksdb_pinnableslice_t **vals;
    char **errs;
    struct put_req **req;
    uint32_t *ix;
    size_t cap;
    rocksdb_writebatch_t *wb;    /* the group's batch, cleared and reused */
};

struct ing_store {
    rocksdb_t *db;
    rocksdb_options_t *opts;
    rocksdb_options_t *ids_opts;
    rocksdb_block_based_table_options_t *bbo;
    rocksdb_column_family_handle_t *cf[ING_CF_N];   /* NULL if absent (read-only) */
    rocksdb_writeoptions_t *wopts;
    rocksdb_readoptions_t *ropts;
    pthread_mutex_t lock;        /* guards the commit queue and the listener */
    struct put_req *head, *tail; /* commit queue; head is the leader */
    struct probe probe;          /* the leader's */
    ing_store_listener_fn listener;
    void *listener_ud;
    bool read_only;
};

/* Log a RocksDB error string once, free it, return -EIO. */
int ing_store_rocks_err(char *err, const char *what);

/* Free the leader's scratch (ing_store_commit.c); for ing_store_close. */
void ing_store_probe_free(struct probe *p);

#endif
