/* iq_codec.h - msgpack form of canonical events.
 *
 * The same encoding is used on the wire (ZeroMQ batches, docs/protocol.md)
 * and as the stored value in RocksDB: a map with the schema's field names
 * as keys, times as int64 UTC milliseconds, labels as a map of strings and
 * raw as a string holding compact JSON text. */
#ifndef IQ_CODEC_H
#define IQ_CODEC_H

#include <msgpack.h>
#include "iq_event.h"

/* Append the event as one msgpack map to pk.  Returns 0 or -ENOMEM. */
int iq_event_pack(msgpack_packer *pk, const struct iq_event *ev);

/* Most msgpack values one valid event map holds: the map, a key and a
 * value per field, and a key and a value per label. */
#define IQ_EVENT_OBJECTS_MAX (1 + 2 * (IQ_F_NSTR + 4) + 2 * IQ_LABELS_MAX)

/* Decode one event received from a sender (untrusted), checking every
 * type, that raw is valid JSON text, then iq_event_validate; a
 * received_from in the input is ignored.  On success *ret is set (caller
 * owns); on failure err names the problem and *ret is untouched.
 * -EINVAL or -ENOMEM. */
int iq_event_unpack(const msgpack_object *obj, struct iq_event **ret, char *err, size_t errsz);

/* Decode a stored value: a buffer holding exactly one msgpack map, checked
 * by iq_mp_check before it is unpacked.  received_from is kept and raw is
 * not parsed again (it was checked when the event came in).  Same
 * contract as iq_event_unpack. */
int iq_event_decode(const char *buf, size_t len, struct iq_event **ret, char *err, size_t errsz);

/* Encode into a fresh sbuffer the caller must msgpack_sbuffer_destroy. */
int iq_event_encode(const struct iq_event *ev, msgpack_sbuffer *sb);

/* Encode n events one after the other into sb (emptied first; owned by the
 * caller) and point vals[i], lens[i] at event i's bytes inside it: the
 * stored values of a batch.  vals stay valid until sb changes. */
void iq_events_pack(struct iq_event *const *evs, size_t n, msgpack_sbuffer *sb,
                    const char **vals, size_t *lens);

/* Helpers for msgpack objects: string equality and copy-out. */
int iq_mp_streq(const msgpack_object *o, const char *s);

#endif
