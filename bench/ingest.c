/* ingest.c - ingest throughput of inquestd against a bare baseline.
 *
 * Two measurements in one run, on the same machine state:
 *  1. baseline: a ZeroMQ PUSH/PULL pair over loopback TCP, the receiver
 *     decoding each msgpack batch and writing a RocksDB WriteBatch of 1000
 *     events (the event bytes under their id) - no validation, no dedup,
 *     no indexes, no acknowledgements.
 *  2. inquest: a real inquestd process (fresh temp data dir, free port)
 *     fed through ing_sender, the code path of `inquest send`, waiting for
 *     every acknowledgement.
 * Prints events/s of both, their ratio, inquestd's peak RSS (VmHWM) and
 * the CPU time per event of each side (steadier than events/s when the
 * machine is shared).
 *
 *   build/bench/ingest [--events N] [--inquestd PATH]     (default 1000000) */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libgen.h>
#include <zmq.h>
#include <msgpack.h>
#include <rocksdb/c.h>

#include "ing_proto.h"
#include "ing_sender.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_time.h"

#define BATCH 1000

static struct iq_event *make_event(long i)
{
    static struct iq_event *ev;
    char id[32];

    if (!ev) {
        ev = iq_event_new();
        iq_event_set_str(ev, IQ_F_SOURCE, "cli");
        iq_event_set_str(ev, IQ_F_KIND, "log");
        iq_event_set_str(ev, IQ_F_ACTION, "error");
        iq_event_set_str(ev, IQ_F_SERVICE, "checkout-api");
        iq_event_set_str(ev, IQ_F_SEVERITY, "error");
        iq_event_set_str(ev, IQ_F_TITLE, "upstream request failed with status 503 (pool exhausted)");
        iq_event_set_str(ev, IQ_F_TEXT, "GET /api/v2/cart/checkout 503 upstream=payments-7c9f "
                                        "latency_ms=30012 retry=3 trace=4bf92f3577b34da6");
        iq_event_set_label(ev, "host", "web-12");
        iq_event_set_label(ev, "region", "eu-west-1");
    }
    snprintf(id, sizeof(id), "bench-%09ld", i);
    iq_event_set_str(ev, IQ_F_ID, id);
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

struct baseline {
    void *zctx;
    const char *endpoint;
    const char *dir;
    long events;
    msgpack_sbuffer val;
    msgpack_packer pk;
};

/* PULL side: decode each batch, WriteBatch its events, until all arrived. */
static void *baseline_sink(void *arg)
{
    struct baseline *b = arg;
    void *pull = zmq_socket(b->zctx, ZMQ_PULL);
    rocksdb_options_t *o = rocksdb_options_create();
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    char *err = NULL;
    rocksdb_t *db;
    long got = 0;

    rocksdb_options_set_create_if_missing(o, 1);
    rocksdb_options_increase_parallelism(o, 2);
    rocksdb_options_set_write_buffer_size(o, 64 << 20);
    rocksdb_options_set_compression(o, rocksdb_lz4_compression);
    db = rocksdb_open(o, b->dir, &err);
    zmq_bind(pull, b->endpoint);
    while (got < b->events && !err) {
        zmq_msg_t m;
        msgpack_unpacked u;
        size_t off = 0;
        rocksdb_writebatch_t *wb = rocksdb_writebatch_create();

        zmq_msg_init(&m);
        zmq_msg_recv(&m, pull, 0);
        msgpack_unpacked_init(&u);
        if (msgpack_unpack_next(&u, zmq_msg_data(&m), zmq_msg_size(&m), &off) ==
                MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_ARRAY) {
            const msgpack_object *evs = &u.data.via.array.ptr[4];

            for (uint32_t i = 0; i < evs->via.array.size; i++) {
                const msgpack_object *e = &evs->via.array.ptr[i];
                const msgpack_object *id = &e->via.map.ptr[0].val;
                /* the value: the event's own bytes, re-packed from the decoded object */
                b->val.size = 0;
                msgpack_pack_object(&b->pk, *e);
                rocksdb_writebatch_put(wb, id->via.str.ptr, id->via.str.size, b->val.data,
                                       b->val.size);
                got++;
            }
        }
        rocksdb_write(db, wo, wb, &err);
        rocksdb_writebatch_destroy(wb);
        msgpack_unpacked_destroy(&u);
        zmq_msg_close(&m);
    }
    zmq_close(pull);
    rocksdb_close(db);
    rocksdb_writeoptions_destroy(wo);
    rocksdb_options_destroy(o);
    return NULL;
}

static double run_baseline(void *zctx, const char *tmp, long events, int port)
{
    char ep[64], dir[512];
    struct baseline b = { .zctx = zctx, .endpoint = ep, .dir = dir, .events = events };
    msgpack_sbuffer sb;
    pthread_t th;
    void *push = zmq_socket(zctx, ZMQ_PUSH);
    int64_t t0;
    int hwm = 100;

    snprintf(ep, sizeof(ep), "tcp://127.0.0.1:%d", port);
    snprintf(dir, sizeof(dir), "%s/baseline", tmp);
    zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof(hwm));
    msgpack_sbuffer_init(&b.val);
    msgpack_packer_init(&b.pk, &b.val, msgpack_sbuffer_write);
    pthread_create(&th, NULL, baseline_sink, &b);
    zmq_connect(push, ep);
    msgpack_sbuffer_init(&sb);
    t0 = iq_time_mono_ms();
    for (long i = 0; i < events; i += BATCH) {
        pack_batch(&sb, i, events - i < BATCH ? events - i : BATCH);
        zmq_send(push, sb.data, sb.size, 0);
    }
    pthread_join(th, NULL);
    t0 = iq_time_mono_ms() - t0;
    msgpack_sbuffer_destroy(&b.val);
    msgpack_sbuffer_destroy(&sb);
    zmq_close(push);
    return events / (t0 / 1000.0);
}

static pid_t start_daemon(const char *bin, const char *tmp, int port)
{
    char data[512], ep[64];
    pid_t pid = fork();

    if (pid == 0) {
        snprintf(data, sizeof(data), "%s/inquest-data", tmp);
        snprintf(ep, sizeof(ep), "tcp://127.0.0.1:%d", port);
        execl(bin, bin, "--data", data, "--listen-zmq", ep, "--log-level", "warn", (char *)NULL);
        _exit(127);
    }
    return pid;
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

static long peak_rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static size_t event_size(void)
{
    msgpack_sbuffer sb;
    size_t n;

    iq_event_encode(make_event(0), &sb);
    n = sb.size;
    msgpack_sbuffer_destroy(&sb);
    return n;
}

static void on_ack(void *ud, const uint64_t *tags, uint32_t n, const struct ing_msg *m)
{
    (void)tags;
    (void)n;
    *(long *)ud += m->type == ING_MSG_ACK ? m->stored : 0;
}

static double run_inquest(void *zctx, const char *bin, const char *tmp, long events, int port,
                          long *stored, long *rss, double cpu[2])
{
    char ep[64];
    struct ing_sender_opts o = { .endpoint = ep, .give_up_ms = 30000 };
    struct ing_sender *s = NULL;
    pid_t pid = start_daemon(bin, tmp, port);
    int64_t t0;
    int st;

    snprintf(ep, sizeof(ep), "tcp://127.0.0.1:%d", port);
    usleep(500000);
    ing_sender_new(zctx, &o, on_ack, stored, &s);
    cpu[0] = child_cpu_s(pid);
    cpu[1] = self_cpu_s();
    t0 = iq_time_mono_ms();
    for (long i = 0; i < events; i++)
        if (ing_sender_push(s, make_event(i), (uint64_t)i) < 0)
            break;
    ing_sender_flush(s);
    t0 = iq_time_mono_ms() - t0;
    ing_sender_destroy(&s);
    cpu[0] = child_cpu_s(pid) - cpu[0];
    cpu[1] = self_cpu_s() - cpu[1];
    *rss = peak_rss_kb(pid);
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    return events / (t0 / 1000.0);
}

int main(int argc, char **argv)
{
    long events = 1000000, stored = 0, rss = 0;
    char bin[1024], tmp[] = "/tmp/iq-bench-XXXXXX", cmd[1100];
    void *zctx = zmq_ctx_new();
    double base, ours, base_cpu, cpu[2];
    int port = 20000 + (int)(getpid() % 20000);

    snprintf(bin, sizeof(bin), "%s/../inquestd", dirname(strdup(argv[0])));
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--events") == 0)
            events = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--inquestd") == 0)
            snprintf(bin, sizeof(bin), "%s", argv[i + 1]);
    }
    if (events <= 0 || !mkdtemp(tmp))
        return 2;
    printf("bench/ingest: %ld events of %zu bytes (msgpack), batches of %d\n", events,
           event_size(), BATCH);
    base_cpu = self_cpu_s();
    base = run_baseline(zctx, tmp, events, port);
    base_cpu = self_cpu_s() - base_cpu;
    printf("baseline (PUSH/PULL + msgpack decode + WriteBatch of %d): %.0f events/s\n", BATCH, base);
    ours = run_inquest(zctx, bin, tmp, events, port + 1, &stored, &rss, cpu);
    printf("inquestd (ing_sender -> validate, dedup, 3 indexes, WAL, ack): %.0f events/s, "
           "%ld stored\n", ours, stored);
    printf("ratio inquest/baseline: %.2f (target >= 0.5)\n", ours / base);
    printf("inquestd peak RSS: %.1f MiB\n", rss / 1024.0);
    printf("CPU per event: baseline %.2f us; inquest %.2f us (inquestd %.2f + sender %.2f)\n",
           base_cpu * 1e6 / events, (cpu[0] + cpu[1]) * 1e6 / events, cpu[0] * 1e6 / events,
           cpu[1] * 1e6 / events);
    zmq_ctx_term(zctx);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) != 0 || stored != events;
}
