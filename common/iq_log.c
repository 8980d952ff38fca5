/* iq_log.c - the one logging module of inquest.
 *
 * Lines go to stderr, one write(2) each so lines from several threads do not
 * interleave.  Three formats (iq_log.h), chosen once at start-up
 * (--log-format, the daemon's log_format key):
 * - text, the default, unchanged since the first release: a UTC
 *   timestamp, the program name and pid, the level, the component tag
 *   ("store", "http", "zmq", ...) and the message; fields are not shown;
 * - logfmt (as Prometheus and Loki read it): ts, level, program, pid,
 *   component, msg, then the call site's fields, values quoted with JSON
 *   escapes when they hold a blank, '=', '"', '\' or a control character;
 * - json: one object per line with the same keys, in the same order.
 * Untrusted strings are the caller's to quote and truncate (see iq_quote in
 * iq_event.h); in JSON a message or value that is not valid UTF-8 has its
 * non-ASCII bytes replaced by '?', so every line stays valid JSON.
 * Structured lines are built in a 16 KiB buffer: the message is cut at
 * 2 KiB (on a character boundary), string values at 256 bytes, and fields
 * that would not fit are left out. */
#include "iq_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <time.h>

#include "iq_event.h"
#include "iq_json.h"
#include "iq_time.h"

#define MSG_MAX 2048
#define LINE_MAX_STRUCT 16384
#define VALUE_MAX 256

_Atomic int iq_log_level_current = IQ_LOG_INFO;   /* a reload sets them while others log */
static _Atomic int log_format = IQ_LOG_TEXT;
static const char *log_program = "inquest";
static const char *const level_names[] = { "error", "warn", "info", "debug" };
static const char *const format_names[] = { "text", "logfmt", "json" };

/* Serialises the structured writers, whose scratch buffers are static
 * (16 KiB and more off every thread's stack), and keeps a line one write. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* Set *ret to the index of name in names[0..n); -EINVAL if absent. */
static int set_by_name(const char *const *names, int n, const char *name, _Atomic int *ret)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(name, names[i]) == 0) {
            *ret = i;
            return 0;
        }
    }
    return -EINVAL;
}

int iq_log_set_level(const char *name)
{
    return set_by_name(level_names, 4, name, &iq_log_level_current);
}

int iq_log_set_format(const char *name)
{
    return set_by_name(format_names, 3, name, &log_format);
}

int iq_log_level_valid(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0)
            return 0;
    return -EINVAL;
}

void iq_log_set_program(const char *name)
{
    log_program = name;
}

static const char *level_name(int level)
{
    return level_names[level < 0 ? 0 : level > 3 ? 3 : level];
}

/* The text format, byte for byte as it always was. */
static void write_text(int level, const char *comp, const char *fmt, va_list ap)
{
    char line[2048];
    char ts[IQ_TIME_STRLEN];
    int n, m;

    iq_time_format(iq_time_now_ms(), ts, sizeof(ts));
    n = snprintf(line, sizeof(line), "%s %s[%d] %s %s: ", ts, log_program,
                 (int)getpid(), level_name(level), comp);
    if (n < 0 || (size_t)n >= sizeof(line))
        return;
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    if (m < 0)
        return;
    n += m;
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, (size_t)n) < 0)
        return;
}

/* A bounded line under construction; room is always kept for the closing
 * "}\n". */
struct line {
    char buf[LINE_MAX_STRUCT];
    size_t len;
};

static size_t line_room(const struct line *l)
{
    return sizeof(l->buf) - l->len - 2;
}

static void line_add(struct line *l, const char *s, size_t n)
{
    if (n > line_room(l))
        n = line_room(l);
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void line_adds(struct line *l, const char *s)
{
    line_add(l, s, strlen(s));
}

/* Does a logfmt value need quotes? */
static bool logfmt_plain(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
            return false;
    }
    return true;
}

/* Copy s (n bytes) into tmp for JSON: non-ASCII bytes become '?' when s is
 * not valid UTF-8.  Returns tmp or s. */
static const char *json_safe(const char *s, size_t n, char *tmp)
{
    if (iq_utf8_valid(s, n))
        return s;
    for (size_t i = 0; i < n; i++)
        tmp[i] = (unsigned char)s[i] >= 0x80 || s[i] == '\0' ? '?' : s[i];
    return tmp;
}

/* Append "key=value" (logfmt, with a leading blank) or ,"key":value (JSON)
 * for a string value, quoting as the format needs.  Nothing when it would
 * not fit. */
static void add_string(struct line *l, const char *key, const char *s, size_t n)
{
    static char tmp[MSG_MAX], q[IQ_JSON_QUOTED_MAX(MSG_MAX)];   /* under out_lock */
    size_t qn, klen = strlen(key);
    bool plain;

    if (n >= sizeof(tmp))
        n = iq_utf8_prefix(s, n, sizeof(tmp) - 1);
    if (log_format == IQ_LOG_JSON) {
        qn = iq_json_quote(q, json_safe(s, n, tmp), n);
        if (klen + qn + 4 > line_room(l))
            return;
        line_adds(l, ",\"");
        line_add(l, key, klen);
        line_adds(l, "\":");
        line_add(l, q, qn);
        return;
    }
    plain = logfmt_plain(s, n);
    qn = plain ? n : iq_json_quote(q, s, n);
    if (klen + qn + 2 > line_room(l))
        return;
    line_adds(l, " ");
    line_add(l, key, klen);
    line_adds(l, "=");
    line_add(l, plain ? s : q, qn);
}

/* A number field: bare in both formats. */
static void add_number(struct line *l, const char *key, const char *num)
{
    size_t klen = strlen(key), nlen = strlen(num);

    if (klen + nlen + 4 > line_room(l))
        return;
    line_adds(l, log_format == IQ_LOG_JSON ? ",\"" : " ");
    line_add(l, key, klen);
    line_adds(l, log_format == IQ_LOG_JSON ? "\":" : "=");
    line_add(l, num, nlen);
}

static void add_field(struct line *l, const struct iq_log_kv *kv)
{
    char num[32];

    switch (kv->type) {
    case IQ_KV_STRING:
        if (kv->s)
            add_string(l, kv->key, kv->s, strnlen(kv->s, VALUE_MAX));
        return;
    case IQ_KV_INT:
        snprintf(num, sizeof(num), "%lld", kv->i);
        break;
    case IQ_KV_UINT:
        snprintf(num, sizeof(num), "%llu", kv->u);
        break;
    }
    add_number(l, kv->key, num);
}

/* The fixed head: ts, level, program, pid, component.  In JSON the first
 * member has no comma: it is written by hand. */
static void add_head(struct line *l, int level, const char *comp)
{
    char ts[IQ_TIME_STRLEN], pid[24];

    iq_time_format(iq_time_now_ms(), ts, sizeof(ts));
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    if (log_format == IQ_LOG_JSON) {
        line_adds(l, "{\"ts\":\"");
        line_adds(l, ts);
        line_adds(l, "\"");
    } else {
        line_adds(l, "ts=");
        line_adds(l, ts);
    }
    add_string(l, "level", level_name(level), strlen(level_name(level)));
    add_string(l, "program", log_program, strlen(log_program));
    add_number(l, "pid", pid);
    add_string(l, "component", comp, strlen(comp));
}

static void write_struct(int level, const char *comp, const struct iq_log_kv *kv, size_t n,
                         const char *fmt, va_list ap)
{
    static struct line l;            /* under out_lock: 16 KiB off the stack */
    char msg[MSG_MAX];
    int m = vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t mlen;

    if (m < 0)
        return;
    mlen = (size_t)m < sizeof(msg) ? (size_t)m : iq_utf8_prefix(msg, (size_t)m, sizeof(msg) - 2);
    pthread_mutex_lock(&out_lock);
    l.len = 0;
    add_head(&l, level, comp);
    add_string(&l, "msg", msg, mlen);
    for (size_t i = 0; i < n; i++)
        add_field(&l, &kv[i]);
    if (log_format == IQ_LOG_JSON)
        l.buf[l.len++] = '}';
    l.buf[l.len++] = '\n';
    if (write(STDERR_FILENO, l.buf, l.len) < 0)
        l.len = 0;
    pthread_mutex_unlock(&out_lock);
}

void iq_log_write(int level, const char *comp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (log_format == IQ_LOG_TEXT)
        write_text(level, comp, fmt, ap);
    else
        write_struct(level, comp, NULL, 0, fmt, ap);
    va_end(ap);
}

void iq_log_write_kv(int level, const char *comp, const struct iq_log_kv *kv, size_t n,
                     const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (log_format == IQ_LOG_TEXT)
        write_text(level, comp, fmt, ap);
    else
        write_struct(level, comp, kv, n, fmt, ap);
    va_end(ap);
}
