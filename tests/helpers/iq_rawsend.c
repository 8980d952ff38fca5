/* iq_rawsend.c - test helper: send one hand-made frame to an ingest
 * endpoint and print its answer, to test how inquestd treats peers that do
 * not use ing_sender (hostile or buggy ones).
 *
 *   iq_rawsend ENDPOINT CASE
 * CASE: mixed (one valid and one invalid event), version (protocol 2),
 * garbage (not msgpack), multiframe (two frames), oversize N (a batch frame
 * of N bytes), ack (a message type a server does not accept), and the
 * hostile table of issue #13: hugearray (an events array32 count of
 * 0xdddddddd), hugemap (an event map32 of 0xffffffff entries), hugestr (a
 * str32 length of 0xfffffff0), neglen (a str32 length of 0x80000000, -2^31
 * as a signed int), truncated N (the mixed frame cut to N bytes), empty (a
 * zero-byte frame), deep (40 nested arrays), emptykey (an event with an
 * empty map key), rawjunk (raw "}{"), note (an audit note).
 * Prints "ack STORED DUPS [INDEX:REASON]..." or "error REASON" or
 * "timeout"; exits 0 when an answer arrived.  With IQ_RAWSEND_KEY and
 * IQ_RAWSEND_SERVER_KEY set (a .key and the ingest's .pub), it connects
 * with CurveZMQ. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include <msgpack.h>

#include "ing_curve.h"
#include "ing_proto.h"
#include "iq_codec.h"
#include "iq_event.h"

static void pack_event(msgpack_sbuffer *sb, const char *id, const char *kind)
{
    struct iq_event *ev = iq_event_new();
    msgpack_packer pk;

    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_SOURCE, "cli");
    iq_event_set_str(ev, IQ_F_KIND, kind);
    iq_event_set_str(ev, IQ_F_ACTION, "firing");
    ev->at = 1792590120000LL;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    iq_event_pack(&pk, ev);
    iq_event_destroy(&ev);
}

/* A batch of one event whose map is written by hand after the header. */
static void pack_kv(msgpack_packer *pk, const char *k, const char *v)
{
    msgpack_pack_str(pk, strlen(k));
    msgpack_pack_str_body(pk, k, strlen(k));
    msgpack_pack_str(pk, strlen(v));
    msgpack_pack_str_body(pk, v, strlen(v));
}

static void pack_one(msgpack_sbuffer *sb, const char *k, const char *v, const char *source,
                     const char *kind)
{
    msgpack_packer pk;

    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    ing_proto_pack_batch_head(sb, 12, 1);
    msgpack_pack_map(&pk, k ? 6 : 5);
    pack_kv(&pk, "id", "raw-hostile");
    pack_kv(&pk, "source", source);
    pack_kv(&pk, "kind", kind);
    pack_kv(&pk, "action", kind[0] == 'n' ? "set" : "firing");
    msgpack_pack_str(&pk, 2);
    msgpack_pack_str_body(&pk, "at", 2);
    msgpack_pack_int64(&pk, 1792590120000LL);
    if (k)
        pack_kv(&pk, k, v);
}

/* The hostile cases: 0 when c is one of them. */
static int build_hostile(const char *c, msgpack_sbuffer *sb)
{
    static const char huge_array[] = "\xdd\xdd\xdd\xdd\xdd";
    static const char huge_map[] = "\xdf\xff\xff\xff\xff\xa2id";
    static const char huge_str[] = "\x81\xdb\xff\xff\xff\xf0id";
    static const char neg_len[] = "\x81\xa2id\xdb\x80\x00\x00\x00x";

    if (strcmp(c, "hugearray") == 0 || strcmp(c, "hugemap") == 0 || strcmp(c, "hugestr") == 0 ||
        strcmp(c, "neglen") == 0) {
        const char *b = c[4] == 'a' ? huge_array : c[4] == 'm' ? huge_map : c[4] == 's' ? huge_str
                                                                                       : neg_len;
        size_t n = c[4] == 'a' ? sizeof(huge_array) - 1 : c[4] == 'm' ? sizeof(huge_map) - 1
                   : c[4] == 's' ? sizeof(huge_str) - 1 : sizeof(neg_len) - 1;

        /* the head announces an events array; for hugearray, the bytes are that array */
        ing_proto_pack_batch_head(sb, 13, 1);
        if (c[4] == 'a')
            sb->size--;                /* drop the fixarray(1) for the array32 header */
        msgpack_sbuffer_write(sb, b, n);
    } else if (strcmp(c, "deep") == 0) {
        ing_proto_pack_batch_head(sb, 14, 1);
        for (int i = 0; i < 40; i++)
            msgpack_sbuffer_write(sb, "\x91", 1);
        msgpack_sbuffer_write(sb, "\x01", 1);
    } else if (strcmp(c, "emptykey") == 0) {
        pack_one(sb, "", "v", "cli", "alert");
    } else if (strcmp(c, "rawjunk") == 0) {
        pack_one(sb, "raw", "}{", "cli", "alert");
    } else if (strcmp(c, "note") == 0) {
        pack_one(sb, NULL, NULL, "inquest", "note");
    } else if (strcmp(c, "empty") != 0) {
        return -1;
    }
    return 0;
}

static void build(const char *c, const char *arg, msgpack_sbuffer *sb)
{
    msgpack_packer pk;

    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    if (build_hostile(c, sb) == 0)
        return;
    if (strcmp(c, "mixed") == 0 || strcmp(c, "truncated") == 0) {
        ing_proto_pack_batch_head(sb, 7, 2);
        pack_event(sb, "raw-ok", "alert");
        pack_event(sb, "raw-bad", "alarm");
        if (c[0] == 't') {
            size_t n = strtoull(arg ? arg : "0", NULL, 10);

            sb->size = n < sb->size ? n : sb->size;
        }
    } else if (strcmp(c, "version") == 0) {
        msgpack_pack_array(&pk, 5);
        msgpack_pack_str(&pk, 2);
        msgpack_pack_str_body(&pk, "iq", 2);
        msgpack_pack_uint32(&pk, 2);
        msgpack_pack_str(&pk, 5);
        msgpack_pack_str_body(&pk, "batch", 5);
        msgpack_pack_uint64(&pk, 8);
        msgpack_pack_array(&pk, 0);
    } else if (strcmp(c, "garbage") == 0) {
        msgpack_sbuffer_write(sb, "\xc1\xc1not msgpack", 13);
    } else if (strcmp(c, "oversize") == 0) {
        size_t n = strtoull(arg ? arg : "0", NULL, 10);
        char *pad = calloc(1, n);

        ing_proto_pack_batch_head(sb, 9, 1);
        msgpack_pack_str(&pk, n);
        msgpack_pack_str_body(&pk, pad, n);
        free(pad);
    } else if (strcmp(c, "ack") == 0) {
        ing_proto_pack_ack(sb, 10, 0, 0, NULL, 0);
    } else {
        ing_proto_pack_batch_head(sb, 11, 0);
    }
}

static int print_answer(void *sock)
{
    zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
    char err[IQ_ERR_MAX];
    zmq_msg_t msg;
    msgpack_unpacked u;
    struct ing_msg m;

    if (zmq_poll(&it, 1, 2000) <= 0) {
        puts("timeout");
        return 1;
    }
    zmq_msg_init(&msg);
    zmq_msg_recv(&msg, sock, 0);
    msgpack_unpacked_init(&u);
    if (ing_msg_parse(zmq_msg_data(&msg), zmq_msg_size(&msg), &u, &m, err, sizeof(err)) < 0) {
        printf("unreadable %s\n", err);
    } else if (m.type == ING_MSG_ACK) {
        printf("ack %u %u", m.stored, m.duplicates);
        for (uint32_t i = 0; i < m.n_rejections; i++)
            printf(" %u:%s", m.rejections[i].index, m.rejections[i].reason);
        printf("\n");
    } else {
        printf("%s %s\n", m.type == ING_MSG_BUSY ? "busy" : "error", m.reason);
    }
    ing_msg_clear(&m);
    msgpack_unpacked_destroy(&u);
    zmq_msg_close(&msg);
    return 0;
}

int main(int argc, char **argv)
{
    void *ctx = zmq_ctx_new(), *sock = zmq_socket(ctx, ZMQ_DEALER);
    msgpack_sbuffer sb;
    int linger = 0, r;

    if (argc < 3) {
        fprintf(stderr, "usage: iq_rawsend ENDPOINT CASE [ARG]\n");
        return 2;
    }
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
    if (getenv("IQ_RAWSEND_KEY") && getenv("IQ_RAWSEND_SERVER_KEY")) {
        struct ing_curve_client c;
        char err[IQ_ERR_MAX] = "libzmq without CURVE";

        if (ing_curve_client_load(getenv("IQ_RAWSEND_KEY"), getenv("IQ_RAWSEND_SERVER_KEY"), &c,
                                  err, sizeof(err)) < 0 || ing_curve_client_apply(sock, &c) < 0) {
            fprintf(stderr, "iq_rawsend: %s\n", err);
            return 2;
        }
    }
    zmq_connect(sock, argv[1]);
    msgpack_sbuffer_init(&sb);
    build(argv[2], argc > 3 ? argv[3] : NULL, &sb);
    if (strcmp(argv[2], "multiframe") == 0)
        zmq_send(sock, sb.data, sb.size, ZMQ_SNDMORE);
    zmq_send(sock, sb.data, sb.size, 0);
    r = print_answer(sock);
    msgpack_sbuffer_destroy(&sb);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return r;
}
