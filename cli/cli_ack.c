/* cli_ack.c - counting ingest's answers for the commands that send events.
 *
 * An answer is an ack (counts, and [index, reason] for each rejected event
 * of the batch) or an error refusing the whole batch; either way every
 * event of the batch is accounted for exactly once, so a command's summary
 * "sent N, stored N, duplicates N, rejected N" always adds up.  A daemon
 * that stays busy (a full disk) is named as such when a command gives up. */
#include "cli_ack.h"

#include <stdio.h>

#include "ing_proto.h"
#include "ing_sender.h"
#include "iq_event.h"

void cli_ack_count(struct cli_ack_counts *c, const uint64_t *tags, uint32_t n,
                   const struct ing_msg *m, cli_reject_fn report, void *ud)
{
    if (m->type == ING_MSG_ERROR) {
        c->rejected += n;
        for (uint32_t i = 0; report && i < n; i++)
            report(ud, tags[i], m->reason, true);
        return;
    }
    c->stored += m->stored;
    c->duplicates += m->duplicates;
    c->rejected += m->n_rejections;
    for (uint32_t i = 0; report && i < m->n_rejections; i++) {
        uint32_t ix = m->rejections[i].index;

        report(ud, ix < n ? tags[ix] : UINT64_MAX, m->rejections[i].reason, false);
    }
}

void cli_ack_print_line(void *ud, uint64_t tag, const char *reason, bool refused)
{
    (void)ud;
    fprintf(stderr, "line %llu: %s: %s\n", (unsigned long long)tag,
            refused ? "refused by ingest" : "rejected", reason);
}

void cli_ack_on_lines(void *ud, const uint64_t *tags, uint32_t n, const struct ing_msg *m)
{
    cli_ack_count(ud, tags, n, m, cli_ack_print_line, NULL);
}

void cli_ack_keep_reason(void *ud, uint64_t tag, const char *reason, bool refused)
{
    (void)tag;
    (void)refused;
    snprintf(ud, IQ_ERR_MAX, "%s", reason);
}
