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
#include "fuzz_event.h"
#include "ing_proto.h"
#include "iq_codec.h"

/* The result of one decode: an event that is storable, or a refusal with
 * a reason and nothing returned. */
static void check_decoded(int r, struct iq_event **pev, const char *err)
{
    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
    if (r < 0) {
        FUZZ_CHECK(*pev == NULL && err[0] != '\0');
        return;
    }
    fuzz_check_storable(*pev);
    iq_event_destroy(pev);
}

/* One event object: decoded and round-tripped, or refused with a reason. */
static void check_event(const msgpack_object *o)
{
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX] = "";
    int r = iq_event_unpack(o, &ev, err, sizeof(err));

    check_decoded(r, &ev, err);
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

    check_decoded(r, &ev, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    check_frame((const char *)data, size);
    check_stored((const char *)data, size);
    return 0;
}
