/* cli_note_send.h - deliver an audit note from the CLI: over HTTP with an
 * admin token when the CLI has one (ctx->token), else over ZeroMQ; and the
 * note actions of every stage. */
#ifndef CLI_NOTE_SEND_H
#define CLI_NOTE_SEND_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "cli.h"

struct cor_note_action;

/* Every stage's note actions, for cor_note_build (correlate/cor_note.h):
 * the correlator's (merge, split, set, attach), then analyze's (class).
 * The daemon's notes route gets the same list (cli_daemon_stages.c). */
extern const struct cor_note_action *const cli_note_tables[];

/* Send the note request req (borrowed; see correlate/cor_note.h) about incident and
 * wait up to give_up_ms for inquestd's answer.  On success writes the
 * note's id into ret_id and returns 0; otherwise prints the reason
 * prefixed by cmd and returns 2 (the exit status). */
int cli_note_send(const struct cli_ctx *ctx, const char *cmd, const char *incident,
                  const json_t *req, int64_t give_up_ms, char *ret_id, size_t idsz);

#endif
