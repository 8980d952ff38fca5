/* ingest.c - ingest throughput, memory and bytes on disk of inquestd,
 * against a bare baseline.
 *
 * Two measurements in one run, on the same machine state and the same
 * events:
 *  1. baseline: a ZeroMQ PUSH/PULL pair over loopback TCP, the receiver
 *     decoding each msgpack batch and writing a RocksDB WriteBatch of 1000
 *     events (the event bytes under their id; RocksDB's default options
 *     with LZ4) - no validation, no dedup, no indexes, no acknowledgements.
 *  2. inquest: a real inquestd process (fresh temp data dir, port 0, its
 *     defaults unless flags follow `--`) fed through ing_sender, the code
 *     path of `inquest send`, waiting for every acknowledgement.
 * Prints events/s of both and their ratio, the CPU time per event of each
 * side (steadier than events/s on a shared machine), inquestd's peak RSS
 * under that sustained ingest (VmHWM), and, after inquestd stopped and the
 * store was compacted fully (store_compact: every family rewritten in
 * its bottommost compression), the bytes of the data directory per event
 * (the free-space reserve file aside), beside the baseline database's after
 * the same full compaction.
 *
 * The events look like log-derived ones: 40 services, a dozen message
 * templates with varying numbers, a random 64-bit trace id and latency in
 * each, hosts and regions from fixed sets, ids "log-FILEID-OFFSET".
 * They compress like real logs, not like one event repeated.
 *
 *   build/bench/ingest [--events N] [--inquestd PATH] [--info-only] [--keep]
 *                      [-- INQUESTD_FLAGS...]
 * (default 1000000 events; `sh bench/runs.sh 3 build/bench/ingest` runs it
 * three times).  Near half of the events are warnings or worse, spread
 * over every service all along, so the live correlator keeps incidents of
 * every service open; --info-only makes every event an info line, which
 * the correlator ignores, to tell its memory from the ingest path's. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libgen.h>
#include <zmq.h>
#include <msgpack.h>
#include <rocksdb/c.h>

#include "ing_proto.h"
#include "ing_sender.h"
#include "store.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_time.h"

#define BATCH 1000
#define FLAGS_MAX 32

static bool info_only;       /* --info-only: every event at severity info */
static bool keep;            /* --keep: leave the temporary directory */

static const char *const services[] = {
    "checkout-api", "payments", "cart", "search", "catalog", "inventory", "shipping", "orders",
    "auth", "accounts", "notifications", "email-sender", "sms-gateway", "pricing", "promotions",
    "recommendations", "reviews", "media", "thumbnails", "cdn-edge", "gateway", "billing",
    "invoicing", "ledger", "fraud", "risk-scoring", "kyc", "reporting", "analytics-ingest",
    "feature-flags", "config", "scheduler", "batch-export", "webhooks-out", "partner-api",
    "mobile-bff", "web-bff", "session", "geo", "support-desk",
};
#define N_SERVICES (sizeof(services) / sizeof(services[0]))

/* Each title template takes a peer name, then a number. */
static const char *const titles[] = {
    "upstream %s failed with status %d (pool exhausted)",
    "connection reset by %s while reading response after %d ms",
    "slow query on %s: %d ms",
    "circuit breaker opened for %s after %d consecutive failures",
    "disk usage above threshold on %s: %d%%",
    "TLS handshake with %s failed: certificate expired %d days ago",
    "rate limit exceeded for client %s at %d requests/s",
    "retrying job for %s, attempt %d of 5",
    "cache hit ratio dropped on %s to %d%%",
    "container %s killed: out of memory at limit %d MiB",
    "request to %s timed out after %d ms",
    "health check of %s failed with HTTP %d",
};
#define N_TITLES (sizeof(titles) / sizeof(titles[0]))

static const char *const paths[] = { "cart", "checkout", "items", "users", "orders", "search",
                                     "session", "prices" };
static const char *const regions[] = { "eu-west-1", "eu-central-1", "us-east-1", "us-west-2",
                                       "ap-south-1", "ap-northeast-1" };
static const char *const severities[] = { "info", "warning", "error", "critical" };
static const int statuses[] = { 200, 404, 429, 500, 502, 503, 504 };

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb93fe51a3b4ULL;
    return x ^ (x >> 33);
}

#define PICK(a, r) (a[(r) % (sizeof(a) / sizeof(a[0]))])

/* Event i (the same for every i in every run); borrowed, valid until the
 * next call. */
static struct iq_event *make_event(long i)
{
    static struct iq_event *ev;
    uint64_t r = mix((uint64_t)i + 1), r2 = mix(r), r3 = mix(r2);
    size_t svc = r % N_SERVICES, peer = (r >> 8) % N_SERVICES;
    unsigned host = (unsigned)(r >> 16) % 200, sev = (unsigned)(r >> 24) % 16;
    char buf[400];

    if (!ev) {
        ev = iq_event_new();
        iq_event_set_str(ev, IQ_F_SOURCE, "log");
        iq_event_set_str(ev, IQ_F_KIND, "log");
    }
    sev = info_only || sev < 9 ? 0 : sev < 13 ? 1 : sev < 15 ? 2 : 3;   /* mostly info */
    snprintf(buf, sizeof(buf), "log-%016llx-%ld", (unsigned long long)mix(svc + 7), i * 173);
    iq_event_set_str(ev, IQ_F_ID, buf);
    iq_event_set_str(ev, IQ_F_ACTION, severities[sev]);
    iq_event_set_str(ev, IQ_F_SEVERITY, severities[sev]);
    iq_event_set_str(ev, IQ_F_SERVICE, services[svc]);
    snprintf(buf, sizeof(buf), titles[(r >> 32) % N_TITLES], services[peer], (int)(r2 % 5000));
    iq_event_set_str(ev, IQ_F_TITLE, buf);
    snprintf(buf, sizeof(buf), "GET /api/v2/%s/%u %d upstream=%s latency_ms=%u trace=%016llx",
             PICK(paths, r2 >> 8), (unsigned)(r2 >> 20) % 100000, PICK(statuses, r2 >> 40),
             services[peer], (unsigned)(r3 >> 16) % 30000, (unsigned long long)mix(r3));
    iq_event_set_str(ev, IQ_F_TEXT, buf);
    snprintf(buf, sizeof(buf), "web-%u", host);
    iq_event_set_label(ev, "host", buf);
    iq_event_set_label(ev, "region", regions[host % 6]);
    ev->at = 1792590120000LL + i;
    return ev;
}

static void pack_batch(msgpack_sbuffer *sb, long first, long n)
{
    msgpack_packer pk;

    sb->size = 0;
    ing_proto_pack_batch_head(sb, (uint64_t)first, (uint32_t)n);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    for (long i = first; i < first + n; i++)
        iq_event_pack(&pk, make_event(i));
}

/* Mean msgpack bytes of the first n events. */
static double event_size(long n)
{
    msgpack_sbuffer sb;
    double total = 0;

    for (long i = 0; i < n; i++) {
        iq_event_encode(make_event(i), &sb);
        total += (double)sb.size;
        msgpack_sbuffer_destroy(&sb);
    }
    return total / (double)n;
}

/* Bytes of the regular files under dir (recursively), skipping the name
 * skip; *sst gets those of *.sst files. */
static long long dir_bytes(const char *dir, const char *skip, long long *sst)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;
    char path[4096];
    long long n = 0;
    size_t len;

    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, skip))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (lstat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            n += dir_bytes(path, skip, sst);
            continue;
        }
        n += st.st_size;
        len = strlen(e->d_name);
        if (len > 4 && !strcmp(e->d_name + len - 4, ".sst"))
            *sst += st.st_size;
    }
    if (d)
        closedir(d);
    return n;
}

struct baseline {
    void *pull;
    const char *dir;
    long events;
    long long bytes;             /* of the database once compacted */
    int64_t done_ms;             /* monotonic time the last batch was written */
    msgpack_sbuffer val;
    msgpack_packer pk;
};

static void baseline_batch(struct baseline *b, const zmq_msg_t *m, rocksdb_writebatch_t *wb,
                           long *got)
{
    msgpack_unpacked u;
    size_t off = 0;

    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, zmq_msg_data((zmq_msg_t *)m), zmq_msg_size((zmq_msg_t *)m),
                            &off) == MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_ARRAY) {
        const msgpack_object *evs = &u.data.via.array.ptr[4];

        for (uint32_t i = 0; i < evs->via.array.size; i++) {
            const msgpack_object *e = &evs->via.array.ptr[i];
            const msgpack_object *id = &e->via.map.ptr[0].val;

            /* the value: the event's own bytes, re-packed from the decoded object */
            b->val.size = 0;
            msgpack_pack_object(&b->pk, *e);
            rocksdb_writebatch_put(wb, id->via.str.ptr, id->via.str.size, b->val.data,
                                   b->val.size);
            (*got)++;
        }
    }
    msgpack_unpacked_destroy(&u);
}

/* PULL side: decode each batch, WriteBatch its events, until all arrived;
 * then compact and measure the database. */
static void *baseline_sink(void *arg)
{
    struct baseline *b = arg;
    rocksdb_options_t *o = rocksdb_options_create();
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    char *err = NULL;
    rocksdb_t *db;
    long got = 0;
    long long sst = 0;

    rocksdb_options_set_create_if_missing(o, 1);
    rocksdb_options_increase_parallelism(o, 2);
    rocksdb_options_set_write_buffer_size(o, 64 << 20);
    rocksdb_options_set_compression(o, rocksdb_lz4_compression);
    db = rocksdb_open(o, b->dir, &err);
    while (got < b->events && !err) {
        zmq_msg_t m;
        rocksdb_writebatch_t *wb = rocksdb_writebatch_create();

        zmq_msg_init(&m);
        zmq_msg_recv(&m, b->pull, 0);
        baseline_batch(b, &m, wb, &got);
        rocksdb_write(db, wo, wb, &err);
        rocksdb_writebatch_destroy(wb);
        zmq_msg_close(&m);
    }
    b->done_ms = iq_time_mono_ms();
    if (!err)
        rocksdb_compact_range(db, NULL, 0, NULL, 0);
    rocksdb_close(db);
    b->bytes = dir_bytes(b->dir, "", &sst);
    rocksdb_writeoptions_destroy(wo);
    rocksdb_options_destroy(o);
    return NULL;
}

static double run_baseline(void *zctx, const char *tmp, long events, long long *bytes)
{
    char ep[128], dir[512];
    size_t eplen = sizeof(ep);
    struct baseline b = { .dir = dir, .events = events };
    msgpack_sbuffer sb;
    pthread_t th;
    void *push = zmq_socket(zctx, ZMQ_PUSH);
    int64_t t0;
    int hwm = 100;

    b.pull = zmq_socket(zctx, ZMQ_PULL);
    zmq_bind(b.pull, "tcp://127.0.0.1:*");
    zmq_getsockopt(b.pull, ZMQ_LAST_ENDPOINT, ep, &eplen);
    snprintf(dir, sizeof(dir), "%s/baseline", tmp);
    zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof(hwm));
    msgpack_sbuffer_init(&b.val);
    msgpack_packer_init(&b.pk, &b.val, msgpack_sbuffer_write);
    zmq_connect(push, ep);
    msgpack_sbuffer_init(&sb);
    t0 = iq_time_mono_ms();
    pthread_create(&th, NULL, baseline_sink, &b);
    for (long i = 0; i < events; i += BATCH) {
        pack_batch(&sb, i, events - i < BATCH ? events - i : BATCH);
        zmq_send(push, sb.data, sb.size, 0);
    }
    pthread_join(th, NULL);
    t0 = b.done_ms - t0;      /* up to the last write, not its compaction */
    *bytes = b.bytes;
    msgpack_sbuffer_destroy(&b.val);
    msgpack_sbuffer_destroy(&sb);
    zmq_close(push);
    zmq_close(b.pull);
    return events / (t0 / 1000.0);
}

/* Start inquestd on port 0 with the extra flags; its endpoint (from its
 * ports file, waited for up to 30 s) into ep.  Returns the pid or -1. */
static pid_t start_daemon(const char *bin, const char *tmp, char **extra, int nextra,
                          char *ep, size_t epsz)
{
    char data[512], ports[512], line[256];
    const char *argv[16 + FLAGS_MAX] = { bin, "--data", data, "--listen-zmq",
                                         "tcp://127.0.0.1:0", "--listen-http", "off",
                                         "--ports-file", ports, "--log-level", "warn" };
    int argc = 11;
    pid_t pid;

    snprintf(data, sizeof(data), "%s/inquest-data", tmp);
    snprintf(ports, sizeof(ports), "%s/ports", tmp);
    for (int i = 0; i < nextra && i < FLAGS_MAX; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    pid = fork();
    if (pid == 0) {
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    for (int t = 0; pid > 0 && t < 1500; t++) {       /* 30 s, every 20 ms */
        FILE *f = fopen(ports, "r");

        while (f && fgets(line, sizeof(line), f))
            if (!strncmp(line, "zmq=", 4)) {
                line[strcspn(line, "\n")] = '\0';
                snprintf(ep, epsz, "%.120s", line + 4);
                fclose(f);
                return pid;
            }
        if (f)
            fclose(f);
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        usleep(20000);
    }
    return -1;
}

/* CPU seconds (user + system) of this process so far. */
static double self_cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* CPU seconds (user + system) of a running child, from /proc. */
static double child_cpu_s(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long long ut = 0, st = 0;
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')');                 /* fields 14, 15 after "pid (comm) " */
    for (int field = 2; p && field < 14; field++)
        p = strchr(p + 1, ' ');
    if (p) {
        ut = strtoull(p + 1, &p, 10);
        st = strtoull(p, NULL, 10);
    }
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* A field of /proc/PID/status in kB (VmHWM, VmRSS), -1 if absent. */
static long status_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    size_t fl = strlen(field);
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, field, fl) == 0 && line[fl] == ':')
            kb = strtol(line + fl + 1, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static void on_ack(void *ud, const uint64_t *tags, uint32_t n, const struct ing_msg *m)
{
    (void)tags;
    (void)n;
    *(long *)ud += m->type == ING_MSG_ACK ? m->stored : 0;
}

struct result {
    double rate, cpu_daemon, cpu_sender;
    long stored, hwm_kb, rss_kb;
};

static int run_inquest(void *zctx, const char *bin, const char *tmp, long events, char **extra,
                       int nextra, struct result *res)
{
    char ep[128];
    struct ing_sender_opts o = { .endpoint = ep, .give_up_ms = 30000 };
    struct ing_sender *s = NULL;
    pid_t pid = start_daemon(bin, tmp, extra, nextra, ep, sizeof(ep));
    int64_t t0;
    int st;

    if (pid < 0 || ing_sender_new(zctx, &o, on_ack, &res->stored, &s) < 0) {
        fprintf(stderr, "bench/ingest: inquestd %s did not start\n", bin);
        return -1;
    }
    res->cpu_daemon = child_cpu_s(pid);
    res->cpu_sender = self_cpu_s();
    t0 = iq_time_mono_ms();
    for (long i = 0; i < events; i++)
        if (ing_sender_push(s, make_event(i), (uint64_t)i) < 0)
            break;
    ing_sender_flush(s);
    t0 = iq_time_mono_ms() - t0;
    ing_sender_destroy(&s);
    res->cpu_daemon = child_cpu_s(pid) - res->cpu_daemon;
    res->cpu_sender = self_cpu_s() - res->cpu_sender;
    res->hwm_kb = status_kb(pid, "VmHWM");
    res->rss_kb = status_kb(pid, "VmRSS");
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    res->rate = events / (t0 / 1000.0);
    return 0;
}

/* Open the daemon's store, compact it fully, close; its bytes. */
static long long compacted_bytes(const char *tmp, long long *sst, double *secs)
{
    char data[512];
    struct store *st = NULL;
    struct store_opts so = { 0 };
    int64_t t0 = iq_time_mono_ms();

    snprintf(data, sizeof(data), "%s/inquest-data", tmp);
    if (store_open(data, &so, &st) < 0 || store_compact(st) < 0) {
        store_close(&st);
        return -1;
    }
    store_close(&st);
    *secs = (iq_time_mono_ms() - t0) / 1000.0;
    *sst = 0;
    return dir_bytes(data, "inquest.reserve", sst);
}

int main(int argc, char **argv)
{
    long events = 1000000;
    char bin[1024], tmp[] = "/tmp/iq-bench-XXXXXX", cmd[1100];
    char **extra = NULL;
    int nextra = 0;
    void *zctx = zmq_ctx_new();
    struct result res = { 0 };
    double base, base_cpu, size, secs = 0;
    long long base_bytes = 0, bytes, sst = 0;

    snprintf(bin, sizeof(bin), "%s/../inquestd", dirname(strdup(argv[0])));
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            extra = argv + i + 1;
            nextra = argc - i - 1;
            break;
        }
        if (i + 1 < argc && !strcmp(argv[i], "--events"))
            events = strtol(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "--inquestd"))
            snprintf(bin, sizeof(bin), "%s", argv[++i]);
        else if (!strcmp(argv[i], "--info-only"))
            info_only = true;
        else if (!strcmp(argv[i], "--keep"))
            keep = true;
    }
    if (events <= 0 || nextra > FLAGS_MAX || !mkdtemp(tmp))
        return 2;
    size = event_size(events < 100000 ? events : 100000);
    printf("bench/ingest: %ld log-like events of %.0f bytes on average (msgpack), batches of %d%s\n",
           events, size, BATCH, info_only ? ", all at severity info" : "");
    base_cpu = self_cpu_s();
    base = run_baseline(zctx, tmp, events, &base_bytes);
    base_cpu = self_cpu_s() - base_cpu;
    printf("baseline (PUSH/PULL + msgpack decode + WriteBatch of %d): %.0f events/s\n", BATCH, base);
    if (run_inquest(zctx, bin, tmp, events, extra, nextra, &res) < 0)
        return 1;
    printf("inquestd (ing_sender -> validate, dedup, 3 indexes, WAL, ack): %.0f events/s, "
           "%ld stored\n", res.rate, res.stored);
    printf("ratio inquest/baseline: %.2f (target >= 0.5)\n", res.rate / base);
    printf("CPU per event: baseline %.2f us (incl. its compaction); inquest %.2f us "
           "(inquestd %.2f + sender %.2f)\n", base_cpu * 1e6 / events,
           (res.cpu_daemon + res.cpu_sender) * 1e6 / events, res.cpu_daemon * 1e6 / events,
           res.cpu_sender * 1e6 / events);
    printf("inquestd peak RSS (VmHWM): %.1f MiB, at the end %.1f MiB (target <= 128 MiB)\n",
           res.hwm_kb / 1024.0, res.rss_kb / 1024.0);
    for (int i = 0; i < nextra; i++)
        printf("%s%s", i ? " " : "inquestd flags: ", extra[i]);
    if (nextra)
        printf("\n");
    snprintf(cmd, sizeof(cmd), "%s/inquest-data", tmp);
    bytes = dir_bytes(cmd, "inquest.reserve", &sst);
    printf("on disk as inquestd left it: %.1f bytes/event\n", (double)bytes / events);
    bytes = compacted_bytes(tmp, &sst, &secs);
    if (bytes < 0)
        return 1;
    printf("on disk after a full compaction (%.1f s): %.1f bytes/event (%.1f in table files), "
           "%.2f of the event's msgpack size (target <= 150 bytes/event)\n", secs,
           (double)bytes / events, (double)sst / events, (double)bytes / events / size);
    printf("baseline database (values only, no indexes, LZ4), compacted: %.1f bytes/event; "
           "ratio inquest/baseline: %.2f\n", (double)base_bytes / events,
           (double)bytes / (double)base_bytes);
    zmq_ctx_term(zctx);
    if (keep) {
        printf("kept %s (inquest-data: the store, baseline: the baseline's database)\n", tmp);
        return res.stored != events;
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) != 0 || res.stored != events;
}
