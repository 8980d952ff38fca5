/* tail_gen.c - writes an nginx access log of a given size, fast, for
 * bench/tail.sh.
 *
 *   tail_gen FILE SIZE [ERROR_EVERY]
 * SIZE accepts k/M/G suffixes.  Lines are in the combined format, one
 * second apart from 2026-10-21T00:00:00Z, with realistic variety (client,
 * path, size, agent); one line in ERROR_EVERY (default 100) has status
 * 503, so the collector parses every line but sends only those.  The
 * generator formats into a 1 MiB buffer with small hand-written integer
 * formatting (no printf per line) so writing 1 GB takes seconds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_conf.h"
#include "iq_time.h"

#define BUF_SIZE (1u << 20)

static const char *const paths[] = { "/api/cart", "/api/items/42", "/static/app.js",
                                     "/login", "/api/orders?page=3", "/health" };
static const char *const agents[] = { "Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0",
                                      "okhttp/4.12.0", "Go-http-client/1.1" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static char *put_u(char *p, unsigned long v)
{
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_2(char *p, int v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static char *put_s(char *p, const char *s)
{
    size_t n = strlen(s);

    memcpy(p, s, n);
    return p + n;
}

/* One line for line number i at time t (ms); returns the end. */
static char *line(char *p, unsigned long i, int64_t t, unsigned long err_every)
{
    int y, mo, d, h, mi, s, ms;

    iq_time_civil(t, &y, &mo, &d, &h, &mi, &s, &ms);
    p = put_s(p, "10.");
    p = put_u(p, (i >> 8) % 256);
    *p++ = '.';
    p = put_u(p, i % 256);
    p = put_s(p, ".7 - - [");
    p = put_2(p, d);
    *p++ = '/';
    p = put_s(p, months[mo - 1]);
    *p++ = '/';
    p = put_u(p, (unsigned long)y);
    *p++ = ':';
    p = put_2(p, h);
    *p++ = ':';
    p = put_2(p, mi);
    *p++ = ':';
    p = put_2(p, s);
    p = put_s(p, " +0000] \"GET ");
    p = put_s(p, paths[i % 6]);
    p = put_s(p, " HTTP/1.1\" ");
    p = put_u(p, i % err_every == 0 ? 503 : 200);
    *p++ = ' ';
    p = put_u(p, 200 + (i * 7919) % 40000);
    p = put_s(p, " \"https://shop.example/\" \"");
    p = put_s(p, agents[i % 4]);
    p = put_s(p, "\"\n");
    return p;
}

int main(int argc, char **argv)
{
    int64_t size, t = 1792540800000LL;
    unsigned long err_every = 100, i = 0;
    char *buf;
    FILE *f;
    int64_t written = 0;

    if (argc < 3 || iq_size_parse(argv[2], &size) < 0 || size <= 0) {
        fprintf(stderr, "usage: tail_gen FILE SIZE [ERROR_EVERY]\n");
        return 2;
    }
    if (argc > 3)
        err_every = strtoul(argv[3], NULL, 10);
    if (err_every == 0)
        err_every = 100;
    f = fopen(argv[1], "wb");
    buf = malloc(BUF_SIZE);
    if (!f || !buf) {
        fprintf(stderr, "tail_gen: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    while (written < size) {
        char *p = buf;

        while (p - buf < (long)BUF_SIZE - 512 && written + (p - buf) < size) {
            p = line(p, i, t + (int64_t)i * 1000, err_every);
            i++;
        }
        if (fwrite(buf, 1, (size_t)(p - buf), f) != (size_t)(p - buf)) {
            fprintf(stderr, "tail_gen: %s: %s\n", argv[1], strerror(errno));
            return 2;
        }
        written += p - buf;
    }
    free(buf);
    if (fclose(f) != 0)
        return 2;
    printf("%lu lines, %lld bytes\n", i, (long long)written);
    return 0;
}
