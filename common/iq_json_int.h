/* iq_json_int.h - what the reader (iq_json.c) and the writer
 * (iq_json_dump.c) share: the byte classes of string scanning, the escape
 * table, a growable buffer.  Private to those two files. */
#ifndef IQ_JSON_INT_H
#define IQ_JSON_INT_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 1 for the bytes that end a plain run inside a string: '"', '\\',
 * control characters and every byte of a multi-byte UTF-8 sequence. */
extern const unsigned char iq_json_str_stop[256];

/* The two-character escapes: the letter after '\\' and the byte it means
 * ('/' is read, never written, as in jansson). */
extern const char iq_json_esc_letters[];
extern const char iq_json_esc_chars[];
#define IQ_JSON_ESC_N 8

/* A growable byte buffer; always leaves room for a terminating NUL. */
struct buf {
    char *p;
    size_t len;
    size_t cap;
};

/* Grow b for n more bytes (and a NUL).  0 or -ENOMEM. */
int iq_json_buf_grow(struct buf *b, size_t n);

/* Make room for n more bytes (and a NUL). */
static inline int buf_reserve(struct buf *b, size_t n)
{
    return b->cap - b->len > n ? 0 : iq_json_buf_grow(b, n);
}

static inline int buf_add(struct buf *b, const void *src, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return -ENOMEM;
    memcpy(b->p + b->len, src, n);
    b->len += n;
    return 0;
}

/* Length of the valid UTF-8 sequence of two to four bytes at p (a byte
 * >= 0x80), or 0 when it is not one: a stray continuation byte, an
 * overlong form, a UTF-16 surrogate, a code point above U+10FFFF, or a
 * sequence cut by end. */
static inline size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;

    if (n == 0 || (size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0) ||
        (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
        return 0;
    return n;
}

/* Index of the first byte in p[0..n) that str_stop marks, or n.  Eight
 * bytes at a time while they are all plain. */
static inline size_t plain_run(const unsigned char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    size_t i = 0;

    while (n - i >= 8) {
        uint64_t w, q, s;

        memcpy(&w, p + i, 8);
        q = w ^ (ones * '"');
        s = w ^ (ones * '\\');
        if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((s - ones) & ~s) | w) & high)
            break;
        i += 8;
    }
    while (i < n && !iq_json_str_stop[p[i]])
        i++;
    return i;
}

#endif
