/* rnd_notify.c - the payload of the notice that a postmortem draft is ready.
 *
 * When inquestd writes the draft of a resolved incident it tells the team
 * where to find it: a Slack incoming webhook gets a one-paragraph message
 * with the summary and a link, any other receiver gets a generic JSON
 * document with the incident's id, title, severity, services, summary and
 * the draft's location.  Receivers and delivery (with retries) are
 * common/iq_hook.h's. */
#include "rnd_notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *cstr(const json_t *ctx, const char *key, const char *alt)
{
    const char *s = json_string_value(json_object_get(ctx, key));

    return s ? s : alt;
}

json_t *rnd_notice_payload(enum iq_hook_shape shape, const json_t *ctx, const char *url,
                           const char *path)
{
    const json_t *inc = json_object_get(ctx, "incident");
    char *text = NULL;
    json_t *j;

    if (shape == IQ_HOOK_SLACK) {
        char *link = NULL;
        int n = url ? asprintf(&link, "<%s|%s>", url, cstr(ctx, "id", "?"))
                    : asprintf(&link, "%s", cstr(ctx, "id", "?"));

        if (n < 0)
            return NULL;
        n = asprintf(&text, "Postmortem draft ready for %s: %s (%s). %s Please review and complete it.",
                     link, cstr(ctx, "title", ""), cstr(ctx, "severity", "unknown"),
                     cstr(ctx, "summary", ""));
        free(link);
        if (n < 0)
            return NULL;
        j = json_pack("{s:s}", "text", text);
        free(text);
        return j;
    }
    j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O*, s:s, s:{s:s*, s:s*}}", "type", "inquest.draft.ready",
                  "id", cstr(ctx, "id", ""), "title", cstr(ctx, "title", ""), "severity",
                  cstr(ctx, "severity", "unknown"), "status", cstr(ctx, "incident_status", "open"),
                  "services", json_object_get(inc, "services"), "summary", cstr(ctx, "summary", ""),
                  "draft", "url", url, "path", path);
    return j;
}

