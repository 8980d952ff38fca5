/* fuzz_codec.c - libFuzzer harness of the ZeroMQ frame and event decoders
 * (ingest/ing_proto.c, common/iq_codec.c).
 *
 * Each input is used twice, as the daemon meets untrusted msgpack:
 *   - as one ZeroMQ frame: ing_msg_parse, then, for a batch, every event
 *     through iq_event_unpack, as ing_server.c does; for an ack, its
 *     rejections (the sender's side);
 *   - as one stored value: iq_event_decode, as the store and the
 *     correlator read RocksDB.
 * Every event that decodes must survive the trip the store gives it:
 * encode (within IQ_EVENT_WIRE_MAX), decode again, and encode to the same
 * bytes.  Errors must be the documented ones, with a message. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "ing_proto.h"
#include "iq_codec.h"

/* ev decoded once: encode, decode, encode again; the bytes must agree. */
static void check_roundtrip(const struct iq_event *ev)
{
    msgpack_sbuffer a, b;
    struct iq_event *again = NULL;
    char err[IQ_ERR_MAX] = "";

    FUZZ_CHECK(iq_event_encode(ev, &a) == 0);
    FUZZ_CHECK(a.size <= IQ_EVENT_WIRE_MAX);
    if (iq_event_decode(a.data, a.size, &again, err, sizeof(err)) != 0) {
        fprintf(stderr, "re-decode: %s\n", err);
        FUZZ_CHECK(!"an encoded event decodes again");
    }
    FUZZ_CHECK(iq_event_encode(again, &b) == 0);
    FUZZ_CHECK(a.size == b.size && memcmp(a.data, b.data, a.size) == 0);
    msgpack_sbuffer_destroy(&a);
    msgpack_sbuffer_destroy(&b);
    iq_event_destroy(&again);
}

/* One event object: decoded and round-tripped, or refused with a reason. */
static void check_event(const msgpack_object *o)
{
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX] = "";
    int r = iq_event_unpack(o, &ev, err, sizeof(err));

    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
    if (r < 0) {
        FUZZ_CHECK(ev == NULL && err[0] != '\0');
        return;
    }
    check_roundtrip(ev);
    iq_event_destroy(&ev);
}

static void check_frame(const char *buf, size_t len)
{
    msgpack_unpacked u;
    struct ing_msg m;
    char err[IQ_ERR_MAX] = "";
    int r;

    msgpack_unpacked_init(&u);
    r = ing_msg_parse(buf, len, &u, &m, err, sizeof(err));
    FUZZ_CHECK(r == 0 || r == -EPROTO);
    FUZZ_CHECK(r == 0 || err[0] != '\0');
    if (r == 0 && m.type == ING_MSG_BATCH) {
        FUZZ_CHECK(m.n_events <= ING_BATCH_EVENTS_MAX);
        for (uint32_t i = 0; i < m.n_events; i++)
            check_event(&m.events[i]);
    } else if (r == 0 && m.type == ING_MSG_ACK) {
        FUZZ_CHECK(m.n_rejections <= ING_BATCH_EVENTS_MAX);
        for (uint32_t i = 0; i < m.n_rejections; i++)
            FUZZ_CHECK(strlen(m.rejections[i].reason) < IQ_ERR_MAX);
    } else if (r == 0) {
        FUZZ_CHECK(strlen(m.reason) < sizeof(m.reason));
    }
    ing_msg_clear(&m);
    msgpack_unpacked_destroy(&u);
}

static void check_stored(const char *buf, size_t len)
{
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX] = "";
    int r = iq_event_decode(buf, len, &ev, err, sizeof(err));

    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
    if (r < 0) {
        FUZZ_CHECK(ev == NULL && err[0] != '\0');
        return;
    }
    check_roundtrip(ev);
    iq_event_destroy(&ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    check_frame((const char *)data, size);
    check_stored((const char *)data, size);
    return 0;
}
