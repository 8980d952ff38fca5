/* ana_memo.c - computed classes of stored incidents, remembered per
 * taxonomy (see ana_memo.h).
 *
 * Classifying an incident reads its events from the store and runs every
 * rule of the taxonomy on each: for an incident of 10,000 events that is
 * about 10^6 pattern matches.  The answer only changes when the incident's
 * stored text does (its members, its impact start) or the taxonomy does,
 * so it is kept under the incident's id with a signature of its text
 * (64-bit FNV-1a), inside the taxonomy object: another taxonomy (the
 * daemon's with the config's classes, the default one of the drafts) has
 * its own memo, and a freed taxonomy takes its memo with it.  Analysts'
 * class notes are applied after the memo, never stored in it.
 *
 * Design notes: a chained hash table of 4096 buckets under one mutex (a
 * lookup is a few string compares; the classification it saves is
 * milliseconds); entries are deep copies in and out, so no JSON value is
 * shared between threads; past ANA_MEMO_MAX entries the table is emptied
 * and refills with what is read, which bounds memory without bookkeeping. */
#include "ana_memo.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "iq_hash.h"

#define BUCKETS 4096u

struct entry {
    char *id;
    uint64_t sig;
    json_t *names;
    struct entry *next;
};

struct ana_memo {
    pthread_mutex_t lock;
    struct entry *b[BUCKETS];
    size_t n;
};

int ana_memo_new(struct ana_memo **ret)
{
    struct ana_memo *m = calloc(1, sizeof(*m));

    if (!m)
        return -ENOMEM;
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return -ENOMEM;
    }
    *ret = m;
    return 0;
}

static void entry_free(struct entry *e)
{
    free(e->id);
    json_decref(e->names);
    free(e);
}

/* Empty the table (lock held). */
static void clear(struct ana_memo *m)
{
    for (size_t i = 0; i < BUCKETS; i++)
        while (m->b[i]) {
            struct entry *e = m->b[i];

            m->b[i] = e->next;
            entry_free(e);
        }
    m->n = 0;
}

void ana_memo_clear(struct ana_memo *m)
{
    pthread_mutex_lock(&m->lock);
    clear(m);
    pthread_mutex_unlock(&m->lock);
}

void ana_memo_free(struct ana_memo **pm)
{
    if (!pm || !*pm)
        return;
    clear(*pm);
    pthread_mutex_destroy(&(*pm)->lock);
    free(*pm);
    *pm = NULL;
}

static struct entry **slot(struct ana_memo *m, const char *id)
{
    return &m->b[iq_fnv1a(IQ_FNV_INIT, id, strlen(id)) % BUCKETS];
}

/* The entry of id (lock held), or NULL. */
static struct entry *find(struct ana_memo *m, const char *id)
{
    for (struct entry *e = *slot(m, id); e; e = e->next)
        if (strcmp(e->id, id) == 0)
            return e;
    return NULL;
}

json_t *ana_memo_get(struct ana_memo *m, const char *id, uint64_t sig)
{
    struct entry *e;
    json_t *copy = NULL;

    pthread_mutex_lock(&m->lock);
    if ((e = find(m, id)) && e->sig == sig)
        copy = json_deep_copy(e->names);
    pthread_mutex_unlock(&m->lock);
    return copy;
}

void ana_memo_put(struct ana_memo *m, const char *id, uint64_t sig, const json_t *names)
{
    json_t *copy = json_deep_copy(names);
    struct entry *e;

    if (!copy)
        return;
    pthread_mutex_lock(&m->lock);
    if ((e = find(m, id))) {
        json_decref(e->names);
        e->names = copy;
        e->sig = sig;
        copy = NULL;
    } else if ((e = calloc(1, sizeof(*e))) && (e->id = strdup(id))) {
        if (m->n >= ANA_MEMO_MAX)
            clear(m);
        e->sig = sig;
        e->names = copy;
        e->next = *slot(m, id);
        *slot(m, id) = e;
        m->n++;
        copy = NULL;
        e = NULL;
    }
    if (e && !e->id)
        free(e);
    pthread_mutex_unlock(&m->lock);
    json_decref(copy);
}
