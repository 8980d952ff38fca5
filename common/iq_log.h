/* iq_log.h - levelled logging to stderr with a component tag.
 *
 * The macros test the level before evaluating their arguments, so a debug
 * line costs one comparison when debug is off.  Library code (correlate/,
 * render/) returns errors; drivers and daemons log them once. */
#ifndef IQ_LOG_H
#define IQ_LOG_H

enum iq_log_level { IQ_LOG_ERROR = 0, IQ_LOG_WARN, IQ_LOG_INFO, IQ_LOG_DEBUG };

extern int iq_log_level_current;

/* Set the level by name ("error", "warn", "info", "debug"); -EINVAL if unknown. */
int iq_log_set_level(const char *name);

/* Write one line "2026-10-21T13:42:00.123Z inquestd[pid] LEVEL comp: msg". */
void iq_log_write(int level, const char *comp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define iq_log(lvl, comp, ...) \
    do { if ((lvl) <= iq_log_level_current) iq_log_write((lvl), (comp), __VA_ARGS__); } while (0)
#define iq_error(comp, ...) iq_log(IQ_LOG_ERROR, comp, __VA_ARGS__)
#define iq_warn(comp, ...)  iq_log(IQ_LOG_WARN, comp, __VA_ARGS__)
#define iq_info(comp, ...)  iq_log(IQ_LOG_INFO, comp, __VA_ARGS__)
#define iq_debug(comp, ...) iq_log(IQ_LOG_DEBUG, comp, __VA_ARGS__)

/* Name of the program written in each line (default "inquest"). Borrowed. */
void iq_log_set_program(const char *name);

#endif
