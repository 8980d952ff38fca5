/* pm_md.h - the structure of a finished postmortem, read with cmark-gfm:
 * the root cause and contributing factors as text, and for each action
 * item where it starts and whether it is done.
 *
 * Sections are found by their headings with the lint rule set's section
 * patterns (schemas/lint/structure.json: "root-cause",
 * "contributing-factors", "action-items"), so the reader and `inquest
 * lint` agree on what a section is.  A section may also be a labelled
 * paragraph or list item ("**Root causes:** ...", "* 根本原因: ..."), as
 * in the templates that keep fields in one list.  Action items are the top
 * level items of the lists and the body rows of the tables under an
 * action-items heading: a list item's task box ("- [x]") and a "Status:"
 * label in its text, and a table's Status column (found with the
 * section's "status" column patterns) give the done state. */
#ifndef PM_MD_H
#define PM_MD_H

#include <stddef.h>

#include "iq_buf.h"
#include "rev_rules.h"

#define PM_TEXT_MAX 8192     /* bytes kept of the root cause or contributing factors */

/* One action item as the Markdown shows it. */
struct pm_md_item {
    unsigned line;           /* 1-based line of the list marker or table row */
    int checked;             /* task box: -1 none, 0 "[ ]", 1 "[x]" */
    int state;               /* Status cell or label: enum pm_state, -1 none or unknown */
    char *state_text;        /* that cell or label's value as written, or NULL; owned */
};

struct pm_md {
    struct iq_buf root_cause;     /* text of the root-cause section, "" when none */
    struct iq_buf contributing;   /* text of the contributing-factors section */
    unsigned root_line, contributing_line;   /* where each starts; 0 when absent */
    struct pm_md_item *items;     /* in document order; owned */
    size_t n_items, cap;
};

/* Read len bytes of Markdown text (front matter already blanked out, so
 * lines are the file's) with the sections of rules (borrowed).  *ret is
 * initialised here; clear it with pm_md_clear even on failure.  0,
 * -ENOMEM, or the negative errno of a section pattern. */
int pm_md_read(const char *text, size_t len, const struct rev_rules *rules, struct pm_md *ret);

void pm_md_clear(struct pm_md *md);

/* The item that starts on line, or NULL.  Borrowed. */
const struct pm_md_item *pm_md_item_at(const struct pm_md *md, unsigned line);

#endif
