/* cli_note_send.h - deliver an audit note from the CLI: over HTTP with an
 * admin token when the CLI has one (ctx->token), else over ZeroMQ. */
#ifndef CLI_NOTE_SEND_H
#define CLI_NOTE_SEND_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "cli.h"

/* Send the note request req (borrowed; see cli_note.h) about incident and
 * wait up to give_up_ms for inquestd's answer.  On success writes the
 * note's id into ret_id and returns 0; otherwise prints the reason
 * prefixed by cmd and returns 2 (the exit status). */
int cli_note_send(const struct cli_ctx *ctx, const char *cmd, const char *incident,
                  const json_t *req, int64_t give_up_ms, char *ret_id, size_t idsz);

#endif
