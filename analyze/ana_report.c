/* ana_report.c - the answers of analyze/ that read the stored incidents
 * once for a reader that needs more than one: the list of incidents with
 * their classes and durations, and the month groups together with the
 * recurring failures (the web UI's list and analytics pages, render/).
 *
 * Design notes: both reuse the computations of ana_query.c (loading,
 * filtering, grouping) and ana_recur.c (recurring pairs) on one load of
 * the incidents, so a page and `inquest query` cannot disagree and the
 * store is read once per answer.  A list row borrows its strings from the
 * loaded incidents, which the list keeps alive. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ana_query_int.h"

int ana_query_report(struct store *st, const struct ana_classes *c, const struct ana_query *q,
                     int64_t window_ms, json_t **ret)
{
    struct ana_incs incs = { 0 };
    json_t *groups = NULL, *rec = NULL;
    int r = ana_incs_load(st, c, true, &incs);

    if (r < 0)
        return r;
    if ((r = ana_query_groups(&incs, q, &groups)) == 0 &&
        (r = ana_recur_list(&incs, q, window_ms, &rec)) == 0 &&
        json_object_set_new(groups, "recurring", rec) < 0)
        r = -ENOMEM;
    ana_incs_free(&incs);
    if (r < 0) {
        json_decref(groups);
        return r;
    }
    *ret = groups;
    return 0;
}

/* The rows of a list, over the loaded incidents they borrow from. */
struct ana_list {
    struct ana_incs incs;
    struct ana_row *rows;
    size_t n;
};

int ana_query_list(struct store *st, const struct ana_classes *c, const struct ana_query *q,
                   struct ana_list **ret)
{
    struct ana_list *l = calloc(1, sizeof(*l));
    int r = -ENOMEM;

    if (!l || (r = ana_incs_load(st, c, true, &l->incs)) < 0)
        goto fail;
    r = -ENOMEM;
    if (!(l->rows = calloc(l->incs.n ? l->incs.n : 1, sizeof(*l->rows))))
        goto fail;
    for (size_t i = 0; i < l->incs.n; i++) {
        const struct ana_inc *inc = &l->incs.v[i];

        if (!ana_inc_match(inc, q))
            continue;
        l->rows[l->n] = (struct ana_row){ .id = inc->id, .title = inc->title ? inc->title : "",
                                          .status = inc->status, .severity = inc->severity,
                                          .opened = inc->opened, .services = inc->services,
                                          .classes = inc->classes };
        memcpy(l->rows[l->n++].dur, inc->dur, sizeof(inc->dur));
    }
    *ret = l;
    return 0;
fail:
    ana_list_free(&l);
    return r;
}

size_t ana_list_count(const struct ana_list *l)
{
    return l ? l->n : 0;
}

const struct ana_row *ana_list_rows(const struct ana_list *l)
{
    return l ? l->rows : NULL;
}

void ana_list_free(struct ana_list **pl)
{
    if (!pl || !*pl)
        return;
    ana_incs_free(&(*pl)->incs);
    free((*pl)->rows);
    free(*pl);
    *pl = NULL;
}
