/* cli_ack.h - counting the answers of ingest in commands that send events
 * (send, replay, import, tail): stored, duplicate and rejected events, and
 * one report per rejected event. */
#ifndef CLI_ACK_H
#define CLI_ACK_H

#include <stdbool.h>
#include <stdint.h>

struct ing_msg;
struct ing_sender;

struct cli_ack_counts {
    unsigned long stored, duplicates, rejected;
};

/* Called for each rejected event: tag is the one given to ing_sender_push,
 * refused tells a whole refused batch from a rejection of this event. */
typedef void (*cli_reject_fn)(void *ud, uint64_t tag, const char *reason, bool refused);

/* Add an answered batch (tags borrowed, n events, m the answer) to c and
 * call report for every rejected event.  report may be NULL. */
void cli_ack_count(struct cli_ack_counts *c, const uint64_t *tags, uint32_t n,
                   const struct ing_msg *m, cli_reject_fn report, void *ud);

/* A cli_reject_fn for commands whose tags are input line numbers: prints
 * "line N: rejected: REASON" or "line N: refused by ingest: REASON" on
 * stderr.  ud is unused. */
void cli_ack_print_line(void *ud, uint64_t tag, const char *reason, bool refused);

/* An ing_sender_ack_fn for commands whose tags are input line numbers: ud
 * is a struct cli_ack_counts (borrowed), counted by cli_ack_count with
 * cli_ack_print_line reporting each rejection. */
void cli_ack_on_lines(void *ud, const uint64_t *tags, uint32_t n, const struct ing_msg *m);

/* A cli_reject_fn that keeps the reason of a rejection: ud is a char
 * buffer of IQ_ERR_MAX bytes (borrowed) that receives the last reason. */
void cli_ack_keep_reason(void *ud, uint64_t tag, const char *reason, bool refused);

#endif
