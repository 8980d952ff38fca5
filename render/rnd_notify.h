/* rnd_notify.h - the notice posted to outbound webhooks when a draft is
 * ready (receivers and delivery: common/iq_hook.h). */
#ifndef RND_NOTIFY_H
#define RND_NOTIFY_H

#include <jansson.h>

#include "iq_hook.h"

/* The notice for a draft.  ctx is the draft's context (rnd_draft_context),
 * url the address where the draft is served (may be NULL), path where it
 * was written (may be NULL).  Caller owns; NULL on OOM. */
json_t *rnd_notice_payload(enum iq_hook_shape shape, const json_t *ctx, const char *url,
                           const char *path);

#endif
