/* iq_worker.h - a thread that runs one job every period until stopped: the
 * daemon's pollers (the drafts watcher, the postmortems watcher).
 *
 * The job runs at once, then every period_ms after the end of the previous
 * run.  Stopping wakes the thread at once (it sleeps on a condition
 * variable, never in a fixed sleep) and waits for a run in progress to
 * finish; a long job may ask iq_worker_stopping between its steps. */
#ifndef IQ_WORKER_H
#define IQ_WORKER_H

#include <stdbool.h>
#include <stdint.h>

struct iq_worker;

/* The job: ud as given, w the worker running it (for iq_worker_stopping). */
typedef void (*iq_worker_fn)(void *ud, const struct iq_worker *w);

/* Start the thread running fn(ud, w) every period_ms (at least 1).  ud is
 * borrowed and must outlive the worker.  Caller owns *ret.  0, -ENOMEM,
 * or pthread_create's error (negative). */
int iq_worker_start(int64_t period_ms, iq_worker_fn fn, void *ud, struct iq_worker **ret);

/* Has stop been asked?  For a job that loops over many items. */
bool iq_worker_stopping(const struct iq_worker *w);

/* Ask the thread to stop, wait for it, free, NULL *pw.  NULL-safe. */
void iq_worker_stop(struct iq_worker **pw);

#endif
