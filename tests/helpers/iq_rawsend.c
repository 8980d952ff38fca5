/* iq_rawsend.c - test helper: send one hand-made frame to an ingest
 * endpoint and print its answer, to test how inquestd treats peers that do
 * not use ing_sender (hostile or buggy ones).
 *
 *   iq_rawsend ENDPOINT CASE
 * CASE: mixed (one valid and one invalid event), version (protocol 2),
 * garbage (not msgpack), multiframe (two frames), oversize N (a batch frame
 * of N bytes), ack (a message type a server does not accept).
 * Prints "ack STORED DUPS [INDEX:REASON]..." or "error REASON" or
 * "timeout"; exits 0 when an answer arrived. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include <msgpack.h>

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

static void build(const char *c, const char *arg, msgpack_sbuffer *sb)
{
    msgpack_packer pk;

    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    if (strcmp(c, "mixed") == 0) {
        ing_proto_pack_batch_head(sb, 7, 2);
        pack_event(sb, "raw-ok", "alert");
        pack_event(sb, "raw-bad", "alarm");
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
