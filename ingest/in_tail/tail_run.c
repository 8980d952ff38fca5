/* tail_run.c - the log collector loop shared by `inquest tail` and
 * inquestd's `logs` section.
 *
 * Each round polls the follower; every line is matched against the rules
 * (counted as parsed or unparsed, never fatal); a line that meets its
 * rule's event condition becomes an event pushed to the sender and is
 * counted for the error-rate signal, whose transitions are events too.
 * When nothing new was read, the open batch is flushed, closed minutes of
 * the error rate are reported, and the checkpoint is saved.
 *
 * Checkpoints advance only after acknowledgement.  Each event pushed for a
 * file carries a tag (file index + 1, per-file sequence number) and its
 * line's start offset is kept in that file's ring of pending offsets; the
 * ack callback marks tags answered and pops the answered head of each
 * ring.  The offset saved for a file is the start of its oldest
 * unanswered event line, or, with none pending, the end of the last line
 * read.  After a crash the lines since the checkpoint are read and sent
 * again under the same ids (file identity + offset), which ingest
 * deduplicates: no line lost, none stored twice.  Before the follower
 * moves a path to another file (rotation, truncation) everything pending
 * is flushed and answered, so a ring never mixes two files.  Error-rate
 * events carry tag 0: they do not hold back any checkpoint.  On stop, the
 * answers already on their way are taken (for at most STOP_WAIT_MS) and
 * the checkpoint saved; nothing waits for an ingest that went away. */
#include "tail_run.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tail_errrate.h"
#include "tail_event.h"
#include "tail_rule.h"
#include "ing_sender.h"
#include "tail.h"
#include "tail_state.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_metrics.h"
#include "iq_time.h"

#define RING_CAP 16384u             /* > (window + 1) * batch_events */
#define SEQ_BITS 40
#define SEQ_MASK ((1ULL << SEQ_BITS) - 1)
#define ACKED (1ULL << 63)
#define POLL_LINES 65536u
#define SAVE_EVERY_MS 1000
#define STOP_WAIT_MS 2000

struct ring {
    uint64_t *off;                  /* start offsets; ACKED bit when answered */
    uint32_t head, count;
    uint64_t seq_head, seq_next;
};

struct run {
    const struct tail_run_opts *o;
    volatile sig_atomic_t *stop;
    struct tail_rules *rules;
    struct tail *tail;
    struct ing_sender *snd;
    struct tail_errrate *rate;
    struct ring rings[TAIL_FILES_MAX];
    int hints[TAIL_FILES_MAX];
    int warned[TAIL_FILES_MAX];  /* file error last reported */
    struct tail_ckpt saved[TAIL_FILES_MAX];
    uint32_t n_saved;
    struct tail_run_stats st;
    struct iq_metric *lines[2];     /* inquest_logs_lines_total{result="parsed|unparsed"} */
    struct iq_metric *events;       /* inquest_logs_events_total */
    struct iq_metric *files;        /* inquest_logs_files: files readable now */
    bool waiting;                   /* ingest silent; warned once */
    char *err;
    size_t errsz;
};

static void on_ack(void *ud, const uint64_t *tags, uint32_t n, const struct ing_msg *m)
{
    struct run *run = ud;

    if (m->type == ING_MSG_ERROR)
        iq_warn("tail", "ingest refused a batch of %u events: %s", n, m->reason);
    for (uint32_t i = 0; i < m->n_rejections && m->type == ING_MSG_ACK; i++)
        iq_warn("tail", "ingest rejected an event: %s", m->rejections[i].reason);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t f = tags[i] >> SEQ_BITS, seq = tags[i] & SEQ_MASK;
        struct ring *rg;

        if (f == 0 || f > TAIL_FILES_MAX)
            continue;
        rg = &run->rings[f - 1];
        if (seq < rg->seq_head || seq - rg->seq_head >= rg->count)
            continue;
        rg->off[(rg->head + (seq - rg->seq_head)) % RING_CAP] |= ACKED;
        while (rg->count && (rg->off[rg->head] & ACKED)) {
            rg->head = (rg->head + 1) % RING_CAP;
            rg->count--;
            rg->seq_head++;
        }
    }
}

/* Flush the sender until every batch is answered.  Following, a silent
 * ingest is waited for (with a warning) until *stop; with --once it is an
 * error after give_up_ms. */
static int settle(struct run *run)
{
    int r;

    while ((r = ing_sender_flush(run->snd)) == -ETIMEDOUT && !run->o->once && !*run->stop) {
        if (!run->waiting)
            iq_warn("tail", "no answer from ingest at %s; waiting", run->o->endpoint);
        run->waiting = true;
    }
    if (r == 0 && run->waiting) {
        iq_info("tail", "ingest at %s answers again", run->o->endpoint);
        run->waiting = false;
    }
    if (r == -ETIMEDOUT)
        snprintf(run->err, run->errsz, "no answer from ingest at %s%s%s", run->o->endpoint,
                 ing_sender_handshake_error(run->snd) ? ": " : "",
                 ing_sender_handshake_error(run->snd) ? ing_sender_handshake_error(run->snd) : "");
    else if (r == -EACCES)
        snprintf(run->err, run->errsz, "%s: %s", run->o->endpoint,
                 ing_sender_handshake_error(run->snd));
    return r;
}

static int push(struct run *run, struct iq_event *ev, uint32_t file, uint64_t offset, bool track)
{
    uint64_t tag = 0;
    int r;

    if (track) {
        struct ring *rg = &run->rings[file];

        if (rg->count == RING_CAP && (r = settle(run)) < 0)
            return r;
        rg->off[(rg->head + rg->count) % RING_CAP] = offset;
        rg->count++;
        tag = ((uint64_t)(file + 1) << SEQ_BITS) | (rg->seq_next++ & SEQ_MASK);
    }
    r = ing_sender_push(run->snd, ev, tag);
    if (r == -E2BIG) {
        iq_warn("tail", "ignoring event %s: larger than a frame", iq_ev_id(ev));
        if (track)
            on_ack(run, &tag, 1, &(struct ing_msg){ .type = ING_MSG_ACK });
        return 0;
    }
    if (r == -ETIMEDOUT || r == -EACCES)
        r = settle(run);
    return r;
}

static int on_rate(void *ud, const char *service, const char *action, int64_t minute_ms,
                   uint32_t count, uint32_t threshold)
{
    struct run *run = ud;
    struct iq_event *ev = NULL;
    int r;

    if ((r = tail_errrate_event(service, action, minute_ms, count, threshold, &ev)) < 0) {
        iq_warn("tail", "ignoring error-rate transition of a service: %s", strerror(-r));
        return 0;
    }
    r = push(run, ev, 0, 0, false);
    iq_event_destroy(&ev);
    run->st.rate_events++;
    iq_metric_inc(run->events);
    return r;
}

static int send_line(struct run *run, const struct tail_line *ll,
                     const struct tail_item *it)
{
    char err[IQ_ERR_MAX], svc[201];
    struct iq_event *ev = NULL;
    int64_t now = iq_time_now_ms();
    int r;

    r = tail_event_build(ll, it, run->o->service, now, &ev, err, sizeof(err));
    if (r == -ENOMEM)
        return r;
    if (r < 0) {
        iq_warn("tail", "%s: offset %llu: ignoring line: %s", it->path,
                (unsigned long long)it->offset, err);
        return 0;
    }
    run->st.events++;
    iq_metric_inc(run->events);
    r = push(run, ev, it->file, it->offset, it->fid != 0);
    iq_event_destroy(&ev);
    if (r < 0 || !ll)
        return r;
    tail_event_service(ll, run->o->service, svc, sizeof(svc));
    r = tail_errrate_add(run->rate, svc, ll->at != IQ_TIME_NONE ? ll->at : now, on_rate, run);
    return r == -ENOSPC ? 0 : r;
}

static int on_item(void *ud, const struct tail_item *it)
{
    struct run *run = ud;
    struct tail_line ll;
    int r;

    if (it->what == TAIL_SWITCH)
        return settle(run);
    run->st.lines++;
    if (it->truncated)
        run->st.truncated++;
    r = tail_rules_match(run->rules, it->line, it->len, &run->hints[it->file], &ll);
    if (r <= 0) {
        run->st.unparsed++;
        iq_metric_inc(run->lines[1]);
        return run->o->send_unparsed ? send_line(run, NULL, it) : 0;
    }
    run->st.parsed++;
    iq_metric_inc(run->lines[0]);
    return ll.is_event ? send_line(run, &ll, it) : 0;
}

/* Save the checkpoint when any position moved.  Returns 0 or -errno. */
static int checkpoint(struct run *run)
{
    struct tail_ckpt c[TAIL_FILES_MAX];
    uint32_t n = 0;

    if (!run->o->state_path)
        return 0;
    for (uint32_t i = 0; i < tail_count(run->tail); i++) {
        struct tail_pos pos;

        if (!tail_position(run->tail, i, &pos))
            continue;
        if (run->rings[i].count)
            pos.offset = run->rings[i].off[run->rings[i].head] & ~ACKED;
        c[n].path = tail_path(run->tail, i);
        c[n++].pos = pos;
    }
    if (n == run->n_saved && memcmp(c, run->saved, n * sizeof(c[0])) == 0)
        return 0;
    memcpy(run->saved, c, n * sizeof(c[0]));
    run->n_saved = n;
    return tail_state_save(run->o->state_path, c, n, run->err, run->errsz);
}

static const char *const line_results[2] = { "parsed", "unparsed" };

/* The log collector's families (inquest_logs_*), in exposition order. */
static const struct iq_metric_def families[] = {
    { IQ_METRIC_COUNTER, "inquest_logs_lines_total",
      "Lines read by the log collector, by whether a rule parsed them.", .label = "result",
      .values = line_results, .n = 2, .off = offsetof(struct run, lines) },
    { IQ_METRIC_COUNTER, "inquest_logs_events_total",
      "Events the log collector sent (error lines and error-rate transitions).",
      .off = offsetof(struct run, events) },
    { IQ_METRIC_GAUGE, "inquest_logs_files",
      "Files the log collector follows that are readable now.",
      .off = offsetof(struct run, files) },
};

static int setup(struct run *run)
{
    const struct tail_run_opts *o = run->o;
    struct ing_sender_opts so = { .endpoint = o->endpoint, .batch_events = 1000, .window = 8,
                                  .retry_ms = 250, .retry_max_ms = 10000, .curve = o->curve,
                                  .give_up_ms = o->once ? o->give_up_ms : STOP_WAIT_MS };
    struct tail_opts to = { .line_max = o->line_max, .from_end = o->from_end };
    int r;

    if ((r = iq_metrics_register_table(o->metrics, families, IQ_METRICS_TABLE_N(families),
                                       run)) < 0 ||
        (r = tail_rules_new(&run->rules)) < 0)
        return r;
    for (uint32_t i = 0; i < o->n_rules; i++)
        if ((r = tail_rules_load(run->rules, o->rules[i], run->err, run->errsz)) < 0)
            return r;
    if (o->rule_names &&
        (r = tail_rules_select(run->rules, o->rule_names, run->err, run->errsz)) < 0)
        return r;
    if (tail_rules_count(run->rules) == 0) {
        snprintf(run->err, run->errsz, "no parsing rules loaded");
        return -EINVAL;
    }
    if ((r = tail_new(&to, &run->tail)) < 0) {
        snprintf(run->err, run->errsz, "line limit must be 64 bytes to 16 MiB");
        return r;
    }
    for (uint32_t i = 0; i < o->n_paths; i++) {
        if ((r = tail_add(run->tail, o->paths[i])) < 0) {
            snprintf(run->err, run->errsz, "%s: %s", o->paths[i],
                     r == -EEXIST ? "given twice" : strerror(-r));
            return r;
        }
        run->hints[i] = -1;
        if (!(run->rings[i].off = malloc(RING_CAP * sizeof(uint64_t))))
            return -ENOMEM;
    }
    if (o->state_path && (r = tail_state_load(o->state_path, run->tail, run->err,
                                              run->errsz)) < 0)
        return r;
    if ((r = tail_errrate_new(o->error_threshold, o->error_grace_ms, &run->rate)) < 0) {
        snprintf(run->err, run->errsz, "error threshold must be at least 1");
        return r;
    }
    r = ing_sender_new(o->zctx, &so, on_ack, run, &run->snd);
    if (r < 0)
        snprintf(run->err, run->errsz, "cannot connect to %s: %s", o->endpoint, strerror(-r));
    return r;
}

static void teardown(struct run *run)
{
    ing_sender_destroy(&run->snd);
    tail_errrate_destroy(&run->rate);
    tail_destroy(&run->tail);
    tail_rules_destroy(&run->rules);
    for (uint32_t i = 0; i < TAIL_FILES_MAX; i++)
        free(run->rings[i].off);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Nothing new: report closed minutes, settle, save.  Returns 1 when a
 * --once run is complete. */
static int idle_round(struct run *run)
{
    bool done = run->o->once && tail_idle(run->tail);
    int r;

    r = tail_errrate_tick(run->rate, done ? INT64_MAX : iq_time_now_ms(), on_rate, run);
    if (r < 0 || (r = settle(run)) < 0 || (r = checkpoint(run)) < 0)
        return r;
    return done;
}

/* Stopping: one flush, which gives up after STOP_WAIT_MS without an
 * answer; whatever stays unanswered is read and sent again at the next
 * start (same ids, deduplicated). */
static void drain(struct run *run)
{
    if (ing_sender_flush(run->snd) == -ETIMEDOUT)
        iq_warn("tail", "stopping with %u batches unanswered; sent again at the next start",
                ing_sender_pending(run->snd));
}

/* Report a file that cannot be opened or read once, and its recovery. */
static void report_files(struct run *run)
{
    uint32_t readable = 0;

    for (uint32_t i = 0; i < tail_count(run->tail); i++) {
        int e = tail_error(run->tail, i);

        readable += e == 0;
        if (i + 1 == tail_count(run->tail))
            iq_metric_set(run->files, readable);

        if (e == run->warned[i])
            continue;
        if (e)
            iq_warn("tail", "%s: %s; retrying", tail_path(run->tail, i), strerror(-e));
        else
            iq_info("tail", "%s: readable again", tail_path(run->tail, i));
        run->warned[i] = e;
    }
}

static int loop(struct run *run)
{
    int64_t last_save = iq_time_mono_ms();
    int r;

    while (!*run->stop) {
        r = tail_poll(run->tail, on_item, run, POLL_LINES);
        if (r == -ETIMEDOUT && *run->stop)
            break;  /* stopped while waiting for ingest: save what was acknowledged */
        if (r < 0)
            return r;
        report_files(run);
        if (r == 0) {
            r = idle_round(run);
            if (r == -ETIMEDOUT && *run->stop)
                break;
            if (r != 0)
                return r < 0 ? r : 0;
            sleep_ms(run->o->poll_ms);
            last_save = iq_time_mono_ms();
            continue;
        }
        if ((r = ing_sender_poll(run->snd, 0)) < 0 && r != -ETIMEDOUT)
            return r == -EACCES ? settle(run) : r;
        if (iq_time_mono_ms() - last_save >= SAVE_EVERY_MS) {
            if ((r = checkpoint(run)) < 0)
                return r;
            last_save = iq_time_mono_ms();
        }
    }
    drain(run);
    return checkpoint(run);
}

int tail_run(const struct tail_run_opts *o, volatile sig_atomic_t *stop,
             struct tail_run_stats *ret_stats, char *err, size_t errsz)
{
    struct run *run = calloc(1, sizeof(*run));
    struct ing_sender_stats ss;
    int64_t start = iq_time_mono_ms();
    int r;

    if (!run)
        return -ENOMEM;
    run->o = o;
    run->stop = stop;
    run->err = err;
    run->errsz = errsz;
    err[0] = '\0';
    r = setup(run);
    if (r == 0) {
        r = loop(run);
        if (r < 0 && !err[0])
            snprintf(err, errsz, "%s", strerror(-r));
    } else if (!err[0]) {
        snprintf(err, errsz, "%s", strerror(-r));
    }
    if (run->snd) {
        ing_sender_stats(run->snd, &ss);
        run->st.stored = ss.stored;
        run->st.duplicates = ss.duplicates;
        run->st.rejected = ss.rejected;
    }
    run->st.elapsed_ms = iq_time_mono_ms() - start;
    if (ret_stats)
        *ret_stats = run->st;
    teardown(run);
    free(run);
    return r;
}
