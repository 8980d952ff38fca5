/* fuzz_event.h - the check shared by the harnesses whose parser produces
 * canonical events (codec, webhook, mapping, logrule): an event the daemon
 * would store survives the store's trip.  Encode it (within
 * IQ_EVENT_WIRE_MAX), decode the bytes, encode again: the decode must
 * succeed and the two encodings must be the same bytes. */
#ifndef IQ_FUZZ_EVENT_H
#define IQ_FUZZ_EVENT_H

#include <string.h>

#include "fuzz.h"
#include "iq_codec.h"
#include "iq_event.h"

static inline void fuzz_check_storable(const struct iq_event *ev)
{
    msgpack_sbuffer a, b;
    struct iq_event *back = NULL;
    char err[IQ_ERR_MAX] = "";

    FUZZ_CHECK(iq_event_encode(ev, &a) == 0);
    FUZZ_CHECK(a.size <= IQ_EVENT_WIRE_MAX);
    if (iq_event_decode(a.data, a.size, &back, err, sizeof(err)) != 0) {
        fprintf(stderr, "an encoded event does not decode: %s\n", err);
        FUZZ_CHECK(!"an event is storable");
    }
    FUZZ_CHECK(iq_event_encode(back, &b) == 0);
    FUZZ_CHECK(a.size == b.size && memcmp(a.data, b.data, a.size) == 0);
    msgpack_sbuffer_destroy(&a);
    msgpack_sbuffer_destroy(&b);
    iq_event_destroy(&back);
}

#endif
