/* ing_proto.c - encoding and checked decoding of ingest protocol frames.
 *
 * Frames come from any peer that can reach the ingest port, so parsing
 * checks the magic, the version, the array shape and every type before use
 * and reports the first problem in words ("frame: protocol version 2, this
 * ingest speaks 1").  Events inside a batch are only located here; each is
 * decoded and validated on its own by iq_event_unpack, so one bad event is
 * rejected alone and the rest of its batch is stored.  Before libmsgpackc
 * sees a frame, iq_mp_check bounds every count by the bytes left, so a
 * hostile header cannot make the unpacker allocate. */
#include "ing_proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_codec.h"
#include "iq_mpcheck.h"
#include "iq_version.h"

/* What a frame may hold before libmsgpackc allocates for it: a batch is
 * [magic, version, "batch", id, [event maps]], an event map holds label
 * maps; deeper values are malformed anyway.  Every count is also checked
 * against the bytes that follow it (iq_mpcheck.h). */
static const struct iq_mp_limits frame_limits = {
    .depth = 8,
    .objects = 16 + (uint64_t)ING_BATCH_EVENTS_MAX * IQ_EVENT_OBJECTS_MAX,
};

#define FAIL(...) do { if (err) snprintf(err, errsz, __VA_ARGS__); return -EPROTO; } while (0)

static void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);

    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void pack_head(msgpack_packer *pk, size_t n, const char *type, uint64_t id)
{
    msgpack_pack_array(pk, n);
    pack_str(pk, ING_PROTO_MAGIC);
    msgpack_pack_uint32(pk, IQ_PROTO_VERSION);
    pack_str(pk, type);
    msgpack_pack_uint64(pk, id);
}

void ing_proto_pack_batch_head(msgpack_sbuffer *sb, uint64_t id, uint32_t n_events)
{
    msgpack_packer pk;

    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    pack_head(&pk, 5, "batch", id);
    msgpack_pack_array(&pk, n_events);
}

void ing_proto_pack_ack(msgpack_sbuffer *sb, uint64_t id, uint32_t stored, uint32_t dups,
                        const struct ing_rejection *rej, uint32_t n_rej)
{
    msgpack_packer pk;

    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    pack_head(&pk, 7, "ack", id);
    msgpack_pack_uint32(&pk, stored);
    msgpack_pack_uint32(&pk, dups);
    msgpack_pack_array(&pk, n_rej);
    for (uint32_t i = 0; i < n_rej; i++) {
        msgpack_pack_array(&pk, 2);
        msgpack_pack_uint32(&pk, rej[i].index);
        pack_str(&pk, rej[i].reason);
    }
}

void ing_proto_pack_error(msgpack_sbuffer *sb, enum ing_msg_type type, uint64_t id,
                          const char *reason)
{
    msgpack_packer pk;

    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    pack_head(&pk, 5, type == ING_MSG_BUSY ? "busy" : "error", id);
    pack_str(&pk, reason);
}

static int get_u32(const msgpack_object *o, uint32_t *ret)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 > UINT32_MAX)
        return -1;
    *ret = (uint32_t)o->via.u64;
    return 0;
}

static void copy_str(const msgpack_object *o, char *buf, size_t size)
{
    size_t n = o->type == MSGPACK_OBJECT_STR ? o->via.str.size : 0;

    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(buf, o->via.str.ptr, n);
    buf[n] = '\0';
}

static int parse_ack(const msgpack_object *a, struct ing_msg *m, char *err, size_t errsz)
{
    const msgpack_object *rej;

    if (a->via.array.size != 7 || get_u32(&a->via.array.ptr[4], &m->stored) < 0 ||
        get_u32(&a->via.array.ptr[5], &m->duplicates) < 0 ||
        a->via.array.ptr[6].type != MSGPACK_OBJECT_ARRAY)
        FAIL("ack: expected [magic, version, \"ack\", id, stored, duplicates, rejections]");
    rej = &a->via.array.ptr[6];
    if (rej->via.array.size > ING_BATCH_EVENTS_MAX)
        FAIL("ack: too many rejections");
    m->rejections = calloc(rej->via.array.size ? rej->via.array.size : 1, sizeof(*m->rejections));
    if (!m->rejections)
        FAIL("ack: out of memory");
    for (uint32_t i = 0; i < rej->via.array.size; i++) {
        const msgpack_object *r = &rej->via.array.ptr[i];

        if (r->type != MSGPACK_OBJECT_ARRAY || r->via.array.size != 2 ||
            get_u32(&r->via.array.ptr[0], &m->rejections[i].index) < 0 ||
            r->via.array.ptr[1].type != MSGPACK_OBJECT_STR)
            FAIL("ack: rejection %u is not [index, reason]", i);
        copy_str(&r->via.array.ptr[1], m->rejections[i].reason, IQ_ERR_MAX);
        m->n_rejections++;
    }
    return 0;
}

int ing_msg_parse(const char *buf, size_t len, msgpack_unpacked *u, struct ing_msg *m,
                  char *err, size_t errsz)
{
    const msgpack_object *a, *p;
    char why[IQ_ERR_MAX / 2];
    size_t off = 0;
    uint32_t ver = 0;

    memset(m, 0, sizeof(*m));
    if (iq_mp_check(buf, len, &frame_limits, why, sizeof(why)) < 0)
        FAIL("frame: not one complete msgpack value (%zu bytes): %s", len, why);
    if (msgpack_unpack_next(u, buf, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len)
        FAIL("frame: not one complete msgpack value (%zu bytes)", len);
    a = &u->data;
    if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size < 5)
        FAIL("frame: expected an array [\"iq\", version, type, id, ...]");
    p = a->via.array.ptr;
    if (!iq_mp_streq(&p[0], ING_PROTO_MAGIC))
        FAIL("frame: bad magic (expected \"iq\")");
    if (get_u32(&p[1], &ver) < 0 || ver != IQ_PROTO_VERSION)
        FAIL("frame: protocol version %u, this peer speaks %d", ver, IQ_PROTO_VERSION);
    if (p[3].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        FAIL("frame: batch id is not an unsigned integer");
    m->batch_id = p[3].via.u64;
    if (iq_mp_streq(&p[2], "batch")) {
        m->type = ING_MSG_BATCH;
        if (a->via.array.size != 5 || p[4].type != MSGPACK_OBJECT_ARRAY)
            FAIL("batch: expected [\"iq\", 1, \"batch\", id, [events]]");
        if (p[4].via.array.size > ING_BATCH_EVENTS_MAX)
            FAIL("batch: %u events, over the limit of %d", p[4].via.array.size,
                 ING_BATCH_EVENTS_MAX);
        m->events = p[4].via.array.ptr;
        m->n_events = p[4].via.array.size;
        return 0;
    }
    if (iq_mp_streq(&p[2], "ack")) {
        m->type = ING_MSG_ACK;
        return parse_ack(a, m, err, errsz);
    }
    if (iq_mp_streq(&p[2], "error") || iq_mp_streq(&p[2], "busy")) {
        m->type = iq_mp_streq(&p[2], "busy") ? ING_MSG_BUSY : ING_MSG_ERROR;
        copy_str(&p[4], m->reason, sizeof(m->reason));
        return 0;
    }
    FAIL("frame: unknown message type");
}

void ing_msg_clear(struct ing_msg *m)
{
    free(m->rejections);
    m->rejections = NULL;
    m->n_rejections = 0;
}
