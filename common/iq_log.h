/* iq_log.h - levelled logging to stderr with a component tag, as text,
 * logfmt or JSON lines.
 *
 * The macros test the level before evaluating their arguments, so a debug
 * line costs one comparison when debug is off.  Library code (correlate/,
 * render/) returns errors; drivers and daemons log them once.
 *
 * A call site that has values worth querying passes them as key=value
 * fields (iq_info_kv with IQ_KVS): the text format prints only the message,
 * as always, while logfmt and JSON add each field after "msg". */
#ifndef IQ_LOG_H
#define IQ_LOG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum iq_log_level { IQ_LOG_ERROR = 0, IQ_LOG_WARN, IQ_LOG_INFO, IQ_LOG_DEBUG };

/* Line formats (--log-format):
 *   text    2026-10-21T13:42:00.123Z inquestd[42] info daemon: ready ...
 *   logfmt  ts=2026-10-21T13:42:00.123Z level=info program=inquestd pid=42
 *           component=daemon msg="ready ..." data=/var/lib/inquest ...
 *   json    {"ts":"2026-10-21T13:42:00.123Z","level":"info","program":
 *           "inquestd","pid":42,"component":"daemon","msg":"ready ...",...} */
enum iq_log_format { IQ_LOG_TEXT = 0, IQ_LOG_LOGFMT, IQ_LOG_JSON };

extern _Atomic int iq_log_level_current;

/* Set the level by name ("error", "warn", "info", "debug"); -EINVAL if unknown. */
int iq_log_set_level(const char *name);

/* Set the line format by name ("text", "logfmt", "json"); -EINVAL if unknown. */
int iq_log_set_format(const char *name);

/* One key=value field of a log line.  key is a plain identifier
 * ([a-z0-9_]); string values are quoted and escaped as needed, and
 * truncated at 256 bytes. */
enum iq_log_kv_type { IQ_KV_STRING = 0, IQ_KV_INT, IQ_KV_UINT };
struct iq_log_kv {
    const char *key;
    enum iq_log_kv_type type;
    union {
        const char *s;          /* NULL: the field is left out */
        long long i;
        unsigned long long u;
    };
};

#define IQ_KV_S(k, v) { .key = (k), .type = IQ_KV_STRING, .s = (v) }
#define IQ_KV_I(k, v) { .key = (k), .type = IQ_KV_INT, .i = (long long)(v) }
#define IQ_KV_U(k, v) { .key = (k), .type = IQ_KV_UINT, .u = (unsigned long long)(v) }

/* The fields of one line, as the two arguments (array, count) that
 * iq_log_kv takes: IQ_KVS(IQ_KV_S("data", dir), IQ_KV_U("stored", n)). */
#define IQ_KVS(...)                                                     \
    ((const struct iq_log_kv[]){ __VA_ARGS__ }),                        \
    (sizeof((const struct iq_log_kv[]){ __VA_ARGS__ }) / sizeof(struct iq_log_kv))

/* 0 when name is a level iq_log_set_level knows, else -EINVAL. */
int iq_log_level_valid(const char *name);

/* Write one line "2026-10-21T13:42:00.123Z inquestd[pid] LEVEL comp: msg"
 * in the current format. */
void iq_log_write(int level, const char *comp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same with n fields kv (borrowed for the call). */
void iq_log_write_kv(int level, const char *comp, const struct iq_log_kv *kv, size_t n,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define iq_log(lvl, comp, ...) \
    do { if ((lvl) <= iq_log_level_current) iq_log_write((lvl), (comp), __VA_ARGS__); } while (0)
#define iq_error(comp, ...) iq_log(IQ_LOG_ERROR, comp, __VA_ARGS__)
#define iq_warn(comp, ...)  iq_log(IQ_LOG_WARN, comp, __VA_ARGS__)
#define iq_info(comp, ...)  iq_log(IQ_LOG_INFO, comp, __VA_ARGS__)
#define iq_debug(comp, ...) iq_log(IQ_LOG_DEBUG, comp, __VA_ARGS__)

/* With fields: iq_info_kv("daemon", IQ_KVS(...), "ready: data %s", dir). */
#define iq_log_kv(lvl, comp, kv, n, ...) \
    do { if ((lvl) <= iq_log_level_current) \
             iq_log_write_kv((lvl), (comp), (kv), (n), __VA_ARGS__); } while (0)
#define iq_error_kv(comp, kvs, ...) iq_log_kv(IQ_LOG_ERROR, comp, kvs, __VA_ARGS__)
#define iq_warn_kv(comp, kvs, ...)  iq_log_kv(IQ_LOG_WARN, comp, kvs, __VA_ARGS__)
#define iq_info_kv(comp, kvs, ...)  iq_log_kv(IQ_LOG_INFO, comp, kvs, __VA_ARGS__)

/* Name of the program written in each line (default "inquest"). Borrowed. */
void iq_log_set_program(const char *name);

#endif
