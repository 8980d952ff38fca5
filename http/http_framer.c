/* http_framer.c - an incremental HTTP/1.1 message framer (http_framer.h):
 * the request and response boundaries of a byte stream, and the chunked
 * framing of request bodies judged as it arrives.
 *
 * Design notes.  The framer is a byte-at-a-time state machine for heads
 * and chunk-size lines, and skips body bytes in bulk, so the cost on a
 * large body is a few comparisons per read.  Nothing is buffered: a head
 * is judged while it streams (header names are matched letter by letter
 * against content-length and transfer-encoding, values parsed digit by
 * digit), so a head split across any number of reads frames the same as
 * in one piece (tests/fuzz/fuzz_framer.c checks it).  Line ends are
 * libmicrohttpd's: LF, with one CR before it dropped; a CR followed by
 * anything else is content.  A chunk size is refused at the first digit
 * that takes it over max_chunk, so a client announcing 2^64 bytes is
 * answered without sending another byte. */
#include "http_framer.h"

#include <stdio.h>
#include <string.h>

enum state {
    ST_START,         /* between messages: empty lines skipped (requests) */
    ST_FIRST,         /* request or status line */
    ST_HDR,           /* header lines (sub: enum hdr) */
    ST_NO_BODY,       /* head done, no body: END pending */
    ST_BODY,          /* Content-Length body: left bytes */
    ST_CHUNK_SIZE,    /* chunk-size line (sub: enum csize) */
    ST_CHUNK_DATA,    /* chunk data: left bytes */
    ST_CHUNK_END,     /* CRLF after chunk data (sub: 1 after CR) */
    ST_TRAILER,       /* trailer lines up to an empty one */
    ST_OPAQUE,        /* framing unknown: pass everything */
};

enum hdr { H_BOL, H_NAME, H_WS, H_VALUE, H_SKIP };
enum csize { C_FIRST, C_DIGITS, C_EXT, C_CR };

static const char CL_NAME[] = "content-length", TE_NAME[] = "transfer-encoding";

void http_framer_init(struct http_framer *f, enum http_framer_kind kind, uint64_t max_chunk)
{
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->max_chunk = kind == HTTP_FRAMER_REQUEST ? max_chunk : UINT64_MAX;
    f->st = ST_START;
}

bool http_framer_idle(const struct http_framer *f)
{
    return f->st == ST_START && !f->cr;
}

void http_framer_no_body(struct http_framer *f)
{
    f->st = ST_NO_BODY;
    f->opaque = false;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Refuse the request (requests only; a response turns opaque).  Returns
 * false so that callers can `return fail(...)`. */
static bool fail(struct http_framer *f, const char *why)
{
    if (f->kind == HTTP_FRAMER_RESPONSE) {
        f->st = ST_OPAQUE;
        f->opaque = true;
        return true;
    }
    snprintf(f->err, sizeof(f->err), "%s", why);
    f->err_status = 400;
    f->failed = true;
    return false;
}

static void opaque(struct http_framer *f)
{
    f->st = ST_OPAQUE;
    f->opaque = true;
}

/* A content byte of the request or status line. */
static void first_byte(struct http_framer *f, char c)
{
    size_t i = f->line_len++;

    if (f->kind == HTTP_FRAMER_REQUEST) {
        if (f->sub == 0 && c == ' ') {
            f->sub = 1;
            f->ni = 0;
        } else if (f->sub == 0 && i < sizeof(f->method) - 1) {
            f->method[i] = c;
        } else if (f->sub == 1 && c == ' ') {
            f->sub = 2;
        } else if (f->sub == 1 && f->ni < sizeof(f->target) - 1) {
            f->target[f->ni++] = c;
        }
        return;
    }
    if (f->sub == 0 && c == ' ') {
        f->sub = 1;
    } else if (f->sub == 1 && c >= '0' && c <= '9' && f->status < 1000) {
        f->status = f->status * 10 + (c - '0');
    } else if (f->sub == 1) {
        f->sub = 2;
    }
}

/* A content byte of a header line: match the name, parse the value of the
 * first Content-Length and Transfer-Encoding. */
static bool hdr_byte(struct http_framer *f, char c)
{
    f->line_len++;
    switch (f->sub) {
    case H_BOL:
        if (c == ' ' || c == '\t') {
            f->sub = H_SKIP;
            return fail(f, "obsolete line folding in the request headers");
        }
        f->sub = H_NAME;
        f->ni = 0;
        f->m_cl = f->m_te = true;
        /* fall through */
    case H_NAME:
        if (c == ':') {
            f->is_cl = f->m_cl && f->ni == sizeof(CL_NAME) - 1 && !f->have_cl;
            f->is_te = f->m_te && f->ni == sizeof(TE_NAME) - 1 && !f->have_te;
            f->have_cl |= f->is_cl;
            f->have_te |= f->is_te;
            f->ni = 0;
            f->sub = f->is_cl || f->is_te ? H_WS : H_SKIP;
            return true;
        }
        f->m_cl = f->m_cl && f->ni < sizeof(CL_NAME) - 1 && lower(c) == CL_NAME[f->ni];
        f->m_te = f->m_te && f->ni < sizeof(TE_NAME) - 1 && lower(c) == TE_NAME[f->ni];
        f->ni++;
        return true;
    case H_WS:
        if (c == ' ' || c == '\t')
            return true;
        f->sub = H_VALUE;
        /* fall through */
    case H_VALUE:
        if (f->is_cl) {
            unsigned d = (unsigned)(c - '0');

            if (d > 9 || f->cl > (UINT64_MAX - d) / 10)
                f->cl_bad = true;
            else
                f->cl = f->cl * 10 + d;
        } else {
            f->te_chunked = f->te_chunked && f->ni < 7 && lower(c) == "chunked"[f->ni];
        }
        f->ni++;
        return true;
    default:
        return true;
    }
}

/* The head is complete: choose how the body is framed. */
static void head_done(struct http_framer *f)
{
    f->st = ST_NO_BODY;
    if (f->kind == HTTP_FRAMER_RESPONSE &&
        (f->status < 200 || f->status == 204 || f->status == 304))
        return;
    if (f->have_te) {
        if (f->te_chunked) {
            f->st = ST_CHUNK_SIZE;
            f->sub = C_FIRST;
            f->left = 0;
        } else {
            opaque(f);
        }
    } else if (f->have_cl) {
        if (f->cl_bad) {
            opaque(f);
        } else if (f->cl) {
            f->st = ST_BODY;
            f->left = f->cl;
        }
    } else if (f->kind == HTTP_FRAMER_RESPONSE) {
        opaque(f);                       /* a body up to the close */
    }
}

/* A line ended (LF seen, CR dropped).  Returns true when the head ended. */
static bool line_end(struct http_framer *f)
{
    bool empty = f->line_len == 0;

    f->line_len = 0;
    switch (f->st) {
    case ST_START:
        return false;                    /* an empty line before a request */
    case ST_FIRST:
        f->st = ST_HDR;
        f->sub = H_BOL;
        return false;
    case ST_HDR:
        if (empty) {
            head_done(f);
            return true;
        }
        if (f->sub == H_NAME && f->kind == HTTP_FRAMER_REQUEST)
            opaque(f);                   /* no colon: the server answers 400 */
        else if (f->sub == H_WS || f->sub == H_VALUE) {
            if (f->is_cl && f->ni == 0)
                f->cl_bad = true;
            if (f->is_te)
                f->te_chunked = f->te_chunked && f->ni == 7;
        }
        f->sub = H_BOL;
        return false;
    default:                             /* ST_TRAILER */
        if (empty)
            f->st = ST_NO_BODY;
        return false;
    }
}

/* Start of a message's first line. */
static void message_start(struct http_framer *f)
{
    f->st = ST_FIRST;
    f->sub = 0;
    f->line_len = 0;
    f->ni = 0;
    f->status = 0;
    f->head_method = f->interim = f->no_body = false;
    f->have_cl = f->have_te = f->cl_bad = false;
    f->te_chunked = true;
    f->cl = 0;
    memset(f->method, 0, sizeof(f->method));
    memset(f->target, 0, sizeof(f->target));
}

/* Scan head bytes (ST_START, ST_FIRST, ST_HDR, ST_TRAILER).  Returns the
 * count consumed; *done when the head ended; false from *ok on an error. */
static size_t scan_lines(struct http_framer *f, const char *p, size_t n, bool *done, bool *ok)
{
    size_t i;

    *done = false;
    *ok = true;
    for (i = 0; i < n && (f->st <= ST_HDR || f->st == ST_TRAILER); i++) {
        char c = p[i];

        if (c == '\0' && f->kind == HTTP_FRAMER_REQUEST && f->st != ST_TRAILER) {
            *ok = fail(f, "NUL byte in the request head");
            return i;
        }
        if (f->cr) {
            f->cr = false;
            if (c == '\n') {
                if ((*done = line_end(f)))
                    return i + 1;
                continue;
            }
            i--;                          /* the CR was content: take it, then c again */
            c = '\r';
        } else if (c == '\r') {
            f->cr = true;
            continue;
        } else if (c == '\n') {
            if ((*done = line_end(f)))
                return i + 1;
            continue;
        }
        if (f->st == ST_START)
            message_start(f);
        if (f->st == ST_FIRST)
            first_byte(f, c);
        else if (f->st == ST_HDR && !hdr_byte(f, c)) {
            *ok = false;
            return i;
        } else if (f->st == ST_TRAILER)
            f->line_len++;
    }
    return i;
}

/* The chunk size no client sends: 4 GiB or max_body if larger.  A size past
 * it is malformed framing (400) at the digit that crosses it; a size over
 * max_body below it is answered 413 when its line ends. */
static uint64_t absurd_chunk(const struct http_framer *f)
{
    return f->max_chunk > UINT32_MAX ? f->max_chunk : UINT32_MAX;
}

/* Scan a chunk-size line.  Returns the count consumed; false from *ok on
 * an error (the count is then the offending byte's offset). */
static size_t scan_chunk_size(struct http_framer *f, const char *p, size_t n, bool *ok)
{
    size_t i;

    *ok = true;
    for (i = 0; i < n && f->st == ST_CHUNK_SIZE; i++) {
        int c = (unsigned char)p[i], d = hexval(c);

        if (++f->line_len > HTTP_FRAMER_LINE_MAX) {
            *ok = fail(f, "chunk-size line longer than 4096 bytes");
            return i;
        }
        if (f->sub == C_EXT) {
            if (c == '\n')
                f->sub = C_CR + 1;
        } else if (f->sub == C_CR) {
            if (c != '\n') {
                *ok = fail(f, "malformed chunk size: CR not followed by LF");
                return i;
            }
            f->sub = C_CR + 1;
        } else if (d >= 0) {
            if (f->left > (absurd_chunk(f) - (uint64_t)d) / 16) {
                *ok = fail(f, "absurd chunk size: 4 GiB or more (and over max_body)");
                return i;
            }
            f->left = f->left * 16 + (uint64_t)d;
            f->sub = C_DIGITS;
        } else if (f->sub == C_DIGITS && f->left > f->max_chunk &&
                   (c == ';' || c == '\r' || c == '\n')) {
            char why[96];

            snprintf(why, sizeof(why), "chunk size is over the limit of %llu bytes "
                     "(max_body)", (unsigned long long)f->max_chunk);
            *ok = fail(f, why);
            f->err_status = 413;
            return i;
        } else if (f->sub == C_FIRST) {
            *ok = fail(f, "malformed chunk size: not a hexadecimal number");
            return i;
        } else if (c == ';') {
            f->sub = C_EXT;
        } else if (c == '\r') {
            f->sub = C_CR;
        } else if (c == '\n') {
            f->sub = C_CR + 1;
        } else {
            *ok = fail(f, "malformed chunk size: not a hexadecimal number");
            return i;
        }
        if (f->sub == C_CR + 1) {         /* the line ended */
            f->line_len = 0;
            f->st = f->left ? ST_CHUNK_DATA : ST_TRAILER;
            f->cr = false;
        }
    }
    return i;
}

/* The CRLF (or LF) after chunk data. */
static size_t scan_chunk_end(struct http_framer *f, const char *p, size_t n, bool *ok)
{
    size_t i;

    *ok = true;
    for (i = 0; i < n && f->st == ST_CHUNK_END; i++) {
        if (p[i] == '\r' && !f->sub) {
            f->sub = 1;
        } else if (p[i] == '\n') {
            f->st = ST_CHUNK_SIZE;
            f->sub = C_FIRST;
            f->left = 0;
            f->line_len = 0;
        } else {
            *ok = fail(f, "malformed chunk: data not followed by CRLF");
            return i;
        }
    }
    return i;
}

size_t http_framer_feed(struct http_framer *f, const char *p, size_t n,
                        enum http_framer_event *ret_ev)
{
    size_t off = 0, k;
    bool done, ok = true;

    while (!f->failed) {
        switch (f->st) {
        case ST_OPAQUE:
            *ret_ev = HTTP_FRAMER_MORE;
            return n;
        case ST_NO_BODY:
            f->st = ST_START;
            f->messages++;
            f->interim = f->kind == HTTP_FRAMER_RESPONSE && f->status < 200;
            *ret_ev = HTTP_FRAMER_END;
            return off;
        case ST_BODY:
        case ST_CHUNK_DATA:
            k = n - off < f->left ? n - off : (size_t)f->left;
            f->left -= k;
            off += k;
            if (!f->left) {
                f->st = f->st == ST_BODY ? ST_NO_BODY : ST_CHUNK_END;
                f->sub = 0;
            }
            break;
        case ST_CHUNK_SIZE:
            off += scan_chunk_size(f, p + off, n - off, &ok);
            break;
        case ST_CHUNK_END:
            off += scan_chunk_end(f, p + off, n - off, &ok);
            break;
        default:
            off += scan_lines(f, p + off, n - off, &done, &ok);
            if (done) {
                f->head_method = f->kind == HTTP_FRAMER_REQUEST && strcmp(f->method, "HEAD") == 0;
                *ret_ev = HTTP_FRAMER_HEAD;
                return off;
            }
            break;
        }
        if (!ok)
            break;
        if (off == n && f->st != ST_NO_BODY) {
            *ret_ev = HTTP_FRAMER_MORE;
            return off;
        }
    }
    *ret_ev = HTTP_FRAMER_ERROR;
    return ok ? 0 : off;
}
