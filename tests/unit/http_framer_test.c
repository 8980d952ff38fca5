/* http_framer_test.c - the HTTP/1.1 framer of the connection relay: where
 * requests and answers end (Content-Length, chunked with extensions and
 * trailers, no body, HEAD answers, 1xx), what is refused with which
 * status and at which byte (chunk sizes over the limit at their first
 * digit past it, malformed chunk lines and ends, obsolete line folding,
 * NUL bytes), and the heads it leaves to libmicrohttpd (opaque) read as
 * libmicrohttpd 0.9.75 reads them, so the two never disagree on where a
 * request ends. */
#include "iq_test.h"
#include "http_framer.h"

#include <stdbool.h>

/* Frame text as kind with limit; the events as "H@off E@off ..." (E! for
 * an interim answer, X400@off or X413@off for an error, then "opaque" when
 * the framer gave up judging).  answers_head: the answered requests were
 * HEAD. */
static const char *frame(enum http_framer_kind kind, uint64_t limit, const char *text, size_t n,
                         bool answers_head)
{
    static char out[512];
    struct http_framer f;
    size_t off = 0, used = 0;
    enum http_framer_event ev;

    out[0] = '\0';
    http_framer_init(&f, kind, limit);
    for (;;) {
        off += http_framer_feed(&f, text + off, n - off, &ev);
        if (ev == HTTP_FRAMER_MORE)
            break;
        if (ev == HTTP_FRAMER_HEAD && answers_head && f.status >= 200)
            http_framer_no_body(&f);
        if (ev == HTTP_FRAMER_ERROR)
            used += (size_t)snprintf(out + used, sizeof(out) - used, "X%d@%zu ", f.err_status,
                                     off);
        else
            used += (size_t)snprintf(out + used, sizeof(out) - used, "%s@%zu ",
                                     ev == HTTP_FRAMER_HEAD ? "H" : f.interim ? "E!" : "E", off);
        if (ev == HTTP_FRAMER_ERROR)
            break;
    }
    if (f.opaque)
        snprintf(out + used, sizeof(out) - used, "opaque");
    else if (used)
        out[used - 1] = '\0';
    return out;
}

#define REQ(limit, text) frame(HTTP_FRAMER_REQUEST, limit, text, sizeof(text) - 1, false)
#define RESP(text, head) frame(HTTP_FRAMER_RESPONSE, 0, text, sizeof(text) - 1, head)
#define POST "POST /h HTTP/1.1\r\n"          /* 18 bytes */
#define TE "Transfer-Encoding: chunked\r\n"  /* 28 bytes */

static void test_requests(void **state)
{
    (void)state;
    assert_string_equal(REQ(100, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"), "H@27 E@27");
    assert_string_equal(REQ(100, "\r\n\nGET / HTTP/1.1\nHost: t\n\n"), "H@27 E@27");
    assert_string_equal(REQ(100, POST "Content-Length: 2\r\n\r\n{}" POST "\r\n"),
                        "H@39 E@41 H@61 E@61");
    assert_string_equal(REQ(100, POST TE "\r\n2\r\n{}\r\n0\r\n\r\n"), "H@48 E@60");
    /* extensions, trailers, bare LF, leading zeros */
    assert_string_equal(REQ(100, POST TE "\r\n2;a=b\r\n{}\n000\r\nX-T: 1\r\n\r\n"), "H@48 E@73");
    assert_string_equal(REQ(16, POST TE "\r\n0000000010\r\n0123456789abcdef\r\n0\r\n\r\n"),
                        "H@48 E@83");
    /* the method is kept for the answers' framing */
    {
        struct http_framer f;
        enum http_framer_event ev;

        http_framer_init(&f, HTTP_FRAMER_REQUEST, 10);
        http_framer_feed(&f, "HEAD /x?y HTTP/1.1\r\n\r\n", 22, &ev);
        assert_int_equal(ev, HTTP_FRAMER_HEAD);
        assert_true(f.head_method);
        assert_string_equal(f.target, "/x?y");
    }
}

static void test_refused(void **state)
{
    struct http_framer f;
    enum http_framer_event ev;

    (void)state;
    /* absurd (4 GiB or more) at the digit that crosses it, whatever follows;
     * over max_body below that: 413 where its line ends */
    assert_string_equal(REQ(4096, POST TE "\r\nffffffffffffffff\r\n"), "H@48 X400@56");
    assert_string_equal(REQ(4096, POST TE "\r\n1000\r\n"), "H@48");
    assert_string_equal(REQ(4096, POST TE "\r\n1001\r\n"), "H@48 X413@52");
    assert_string_equal(REQ(4096, POST TE "\r\n1001;x\r\n"), "H@48 X413@52");
    assert_string_equal(REQ(4096, POST TE "\r\nffffffff\r\n"), "H@48 X413@56");
    assert_string_equal(REQ(UINT64_MAX - 1, POST TE "\r\nffffffffffffffff\r\n"), "H@48 X400@63");
    assert_string_equal(REQ(4096, POST TE "\r\n2\r\n{}\r\n8000000000000000"), "H@48 X400@63");
    /* malformed: libmicrohttpd would answer these 400 too */
    assert_string_equal(REQ(4096, POST TE "\r\nzz\r\n"), "H@48 X400@48");
    assert_string_equal(REQ(4096, POST TE "\r\n;x\r\n"), "H@48 X400@48");
    assert_string_equal(REQ(4096, POST TE "\r\n2 \r\n"), "H@48 X400@49");
    assert_string_equal(REQ(4096, POST TE "\r\n2\rx\n"), "H@48 X400@50");
    assert_string_equal(REQ(4096, POST TE "\r\n2\r\n{}XX"), "H@48 X400@53");
    assert_string_equal(REQ(4096, POST TE "\r\n2\r\n{}\rX"), "H@48 X400@54");
    /* refused although libmicrohttpd would read them its own way */
    assert_string_equal(REQ(4096, POST "X-A: 1\r\n folded\r\n\r\n"), "X400@26");
    assert_string_equal(REQ(4096, POST "Content-Length: 2\0x\r\n\r\n"), "X400@35");
    /* the error sticks, with its message */
    http_framer_init(&f, HTTP_FRAMER_REQUEST, 15);
    assert_int_equal(http_framer_feed(&f, POST TE "\r\n10", 50, &ev), 48);
    assert_int_equal(ev, HTTP_FRAMER_HEAD);
    assert_int_equal(http_framer_feed(&f, "10\r\n", 4, &ev), 2);
    assert_int_equal(ev, HTTP_FRAMER_ERROR);
    assert_int_equal(f.err_status, 413);
    assert_string_equal(f.err, "chunk size is over the limit of 15 bytes (max_body)");
    assert_int_equal(http_framer_feed(&f, "0\r\n", 3, &ev), 0);
    assert_int_equal(ev, HTTP_FRAMER_ERROR);
}

/* Heads libmicrohttpd 0.9.75 refuses or reads as a body up to the close:
 * the framer stops judging (it answers and closes); heads it reads oddly
 * are framed as it frames them. */
static void test_as_libmicrohttpd(void **state)
{
    (void)state;
    assert_string_equal(REQ(100, POST "Transfer-Encoding: gzip\r\n\r\nxx"), "H@45 opaque");
    assert_string_equal(REQ(100, POST "Transfer-Encoding: chunked \r\n\r\n"), "H@49 opaque");
    assert_string_equal(REQ(100, POST "Content-Length: 2 \r\n\r\n{}"), "H@40 opaque");
    assert_string_equal(REQ(100, POST "Content-Length: -1\r\n\r\n"), "H@40 opaque");
    assert_string_equal(REQ(100, POST "Content-Length:\r\n\r\n"), "H@37 opaque");
    assert_string_equal(REQ(100, POST "Content-Length: 99999999999999999999\r\n\r\n"),
                        "H@58 opaque");
    assert_string_equal(REQ(100, POST "no colon\r\n\r\n"), "opaque");
    /* the first Transfer-Encoding wins over Content-Length; the first of each counts */
    assert_string_equal(REQ(100, POST "Content-Length: 9\r\n" TE "\r\n0\r\n\r\n"), "H@67 E@72");
    assert_string_equal(REQ(100, POST "Content-Length: 2\r\nContent-Length: 9\r\n\r\n{}"),
                        "H@58 E@60");
    assert_string_equal(REQ(100, POST "TRANSFER-encoding:\tChunked\r\n\r\n0\r\n\r\n"),
                        "H@48 E@53");
    /* a name with a space before the colon is another header for it */
    assert_string_equal(REQ(100, POST "Content-Length : 5\r\n\r\n"), "H@40 E@40");
}

static void test_responses(void **state)
{
    (void)state;
    assert_string_equal(RESP("HTTP/1.1 100 Continue\r\n\r\n"
                              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
                              "HTTP/1.1 204 No Content\r\n\r\n"
                              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
                             false),
                        "H@25 E!@25 H@63 E@65 H@92 E@92 H@139 E@150");
    assert_string_equal(RESP("HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n"
                             "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n", true),
                        "H@39 E@39 H@78 E@78");
    assert_string_equal(RESP("HTTP/1.0 200 OK\r\n\r\nto the end", false),
                        "H@19 opaque");
    assert_string_equal(RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "fffffffffffffffff\r\n", false),
                        "H@47 opaque");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_requests),
    cmocka_unit_test(test_refused),
    cmocka_unit_test(test_as_libmicrohttpd),
    cmocka_unit_test(test_responses),
};

TEST_MAIN(tests)
