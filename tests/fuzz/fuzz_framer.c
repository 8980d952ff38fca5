/* fuzz_framer.c - libFuzzer harness of the HTTP/1.1 framer of the
 * connection relay (http/http_framer.c), which judges every byte a client
 * sends before libmicrohttpd does.
 *
 * The first byte picks the framer (request or response), max_chunk (one of
 * a few limits) and a split seed; the rest is the stream.  Each stream is
 * framed three times: in one piece, byte by byte, and cut at pseudo-random
 * points.  Checked: every call consumes no more than it was given and
 * MORE only once all is consumed; the three runs report the same events at
 * the same stream offsets (a head or chunk-size line split anywhere frames
 * as in one piece, so no client can slip a request past the relay by
 * choosing its packet boundaries); an error is reported only for requests,
 * with a message and status 400 or 413, and sticks; the message count
 * grows by one per END; a refused chunk size is above max_chunk or not
 * hexadecimal.  Responses get a HEAD request's bodyless answer when the
 * seed says so. */
#include "fuzz.h"
#include "http_framer.h"

#define EVENTS_MAX 512

struct trace {
    size_t n;
    size_t at[EVENTS_MAX];
    enum http_framer_event ev[EVENTS_MAX];
    uint64_t messages;
    bool opaque, failed;
    char err[128];
};

static const uint64_t LIMITS[4] = { 0, 16, 4096, UINT64_MAX - 1 };

/* Feed s[0, n) to f in pieces of the sizes step() gives, recording events. */
static void run(const uint8_t *s, size_t n, enum http_framer_kind kind, uint64_t max_chunk,
                unsigned mode, unsigned seed, bool head_req, struct trace *t)
{
    struct http_framer f;
    size_t off = 0, piece = n, k;
    enum http_framer_event ev;
    uint32_t x = seed * 2654435761u + 1;

    http_framer_init(&f, kind, max_chunk);
    memset(t, 0, sizeof(*t));
    while (off <= n) {
        if (mode == 1)
            piece = 1;
        else if (mode == 2) {
            x = x * 1103515245u + 12345u;
            piece = 1 + (x >> 16) % 17;
        }
        if (piece > n - off)
            piece = n - off;
        k = http_framer_feed(&f, (const char *)s + off, piece, &ev);
        FUZZ_CHECK(k <= piece);
        FUZZ_CHECK(ev != HTTP_FRAMER_MORE || k == piece);
        off += k;
        if (ev == HTTP_FRAMER_MORE) {
            if (off == n)
                break;
            continue;
        }
        FUZZ_CHECK(t->n < EVENTS_MAX);
        t->at[t->n] = off;
        t->ev[t->n++] = ev;
        if (ev == HTTP_FRAMER_ERROR) {
            FUZZ_CHECK(kind == HTTP_FRAMER_REQUEST && f.err[0]);
            FUZZ_CHECK(f.err_status == 400 || f.err_status == 413);
            FUZZ_CHECK(http_framer_feed(&f, "x", 1, &ev) == 0 && ev == HTTP_FRAMER_ERROR);
            memcpy(t->err, f.err, sizeof(t->err));
            t->failed = true;
            break;
        }
        if (ev == HTTP_FRAMER_HEAD && kind == HTTP_FRAMER_RESPONSE && head_req &&
            f.status >= 200)
            http_framer_no_body(&f);
        if (ev == HTTP_FRAMER_END)
            FUZZ_CHECK(f.messages == t->messages + 1);
        t->messages = f.messages;
        if (t->n == EVENTS_MAX)
            break;
    }
    t->opaque = f.opaque;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct trace t[3];
    enum http_framer_kind kind;
    uint64_t max_chunk;

    if (size < 1 || size > FUZZ_MAX_INPUT)
        return 0;
    kind = data[0] & 1 ? HTTP_FRAMER_RESPONSE : HTTP_FRAMER_REQUEST;
    max_chunk = LIMITS[(data[0] >> 1) & 3];
    for (unsigned mode = 0; mode < 3; mode++)
        run(data + 1, size - 1, kind, max_chunk, mode, data[0] >> 3, data[0] & 0x80, &t[mode]);
    for (unsigned mode = 1; mode < 3; mode++) {
        FUZZ_CHECK(t[mode].n == t[0].n && t[mode].failed == t[0].failed);
        FUZZ_CHECK(t[mode].messages == t[0].messages && t[mode].opaque == t[0].opaque);
        for (size_t i = 0; i < t[0].n; i++)
            FUZZ_CHECK(t[mode].ev[i] == t[0].ev[i] && t[mode].at[i] == t[0].at[i]);
        FUZZ_CHECK(strcmp(t[mode].err, t[0].err) == 0);
    }
    return 0;
}
