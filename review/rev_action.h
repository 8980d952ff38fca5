/* rev_action.h - find and classify the action items of a draft.
 *
 * Internal to review/: rev_lint_doc calls rev_action_scan once per
 * document, after rev_doc_sections.  Action items are the rows of a pipe
 * table (Item | Type | Owner | Due | Ticket, header names from the
 * "action-items" section's "columns") and the list items under a heading of
 * the "action-items" section, except the section's "placeholders" (empty
 * template slots such as the renderer's "✍️").  Each is classified on the strength ladder
 * (strongest matching "strength" rule), typed (the Type column when it holds
 * a known label, else the first matching "type" rule, else a default from
 * the strength), checked against "weak-action" rules, and checked for an
 * owner and a due date ("action" rules). */
#ifndef REV_ACTION_H
#define REV_ACTION_H

#include "rev_doc.h"
#include "rev_lint.h"
#include "rev_rules.h"

/* Scan doc and add action items and their findings to res.  opts->lang is
 * the --lang choice (REV_LANG_AUTO: per item), opts->no_model and
 * opts->threshold drive the model; doc_lang is the language for messages
 * of owner/due findings.  Returns 0 or a negative errno. */
int rev_action_scan(const struct rev_doc *doc, const struct rev_rules *rules,
                    const struct rev_lint_opts *opts, enum rev_lang doc_lang,
                    struct rev_result *res);

/* Default type for an item of strength s when no rule gives one. */
enum rev_type rev_action_default_type(enum rev_strength s);

#endif
