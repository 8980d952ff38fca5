/* pm_sync.c - a directory tree of finished postmortems into the store
 * (see pm_sync.h).
 *
 * Design notes:
 * - The tree is listed first (names, sizes, mtimes), then sorted, so every
 *   run reports in the same order and the watcher's fingerprint is a
 *   digest of that same list.  Symbolic links are not followed and names
 *   starting with '.' are skipped: a checkout's .git is never walked.
 * - Reading is cheap before it is thorough: the front matter gives the
 *   incident, the store says whether the incident exists and whether the
 *   document's hash is already the current one; only a new or changed
 *   document is read in full (cmark-gfm and the linter).
 * - A problem in one file never stops the run; only the store failing
 *   does (a run that cannot write must say so, not report "problems"). */
#include "pm_sync.h"
#include "iq_buf.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>

#include "cor_incident.h"
#include "iq_file.h"
#include "iq_time.h"
#include "pm_doc.h"
#include "pm_store.h"

static const char *const outcome_names[] = { "new", "updated", "unchanged", "skipped", "problem" };

const char *pm_outcome_name(enum pm_outcome o)
{
    return (unsigned)o <= PM_SYNC_PROBLEM ? outcome_names[o] : "problem";
}

struct entry {
    char *path;
    int64_t mtime_ns;
    int64_t size;
};

struct listing {
    struct entry *v;
    size_t n, cap;
};

static void listing_free(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].path);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static bool is_markdown(const char *name)
{
    size_t n = strlen(name);

    return (n > 3 && strcmp(name + n - 3, ".md") == 0) ||
           (n > 9 && strcmp(name + n - 9, ".markdown") == 0);
}

static int add_entry(struct listing *l, const char *path, const struct stat *sb)
{
    struct entry *v;

    if (l->n == PM_SYNC_FILES_MAX)
        return -E2BIG;
    if (!(v = iq_array_grow(l->v, l->n, &l->cap, sizeof(*v), 64)))
        return -ENOMEM;
    l->v = v;
    if (!(l->v[l->n].path = strdup(path)))
        return -ENOMEM;
    l->v[l->n].mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    l->v[l->n].size = (int64_t)sb->st_size;
    l->n++;
    return 0;
}

/* List the Markdown files below dir (depth bounded by PATH_MAX). */
static int walk(const char *dir, struct listing *l)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int r = 0;

    if (!d)
        return -errno;
    while (r == 0 && (de = readdir(d))) {
        char path[PATH_MAX];
        struct stat sb;

        if (de->d_name[0] == '.')
            continue;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
            continue;
        if (lstat(path, &sb) < 0)
            continue;   /* removed while we walked */
        if (S_ISDIR(sb.st_mode))
            r = walk(path, l);
        else if (S_ISREG(sb.st_mode) && is_markdown(de->d_name))
            r = add_entry(l, path, &sb);
    }
    closedir(d);
    return r == -EACCES || r == -ENOENT ? 0 : r;   /* an unreadable sub-directory is skipped */
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static int list_tree(const char *dir, struct listing *l)
{
    struct stat sb;
    int r;

    if (stat(dir, &sb) < 0)
        return -errno;
    if (!S_ISDIR(sb.st_mode))
        return -ENOTDIR;
    r = walk(dir, l);
    if (r < 0) {
        listing_free(l);
        return r;
    }
    if (l->n > 1)
        qsort(l->v, l->n, sizeof(*l->v), cmp_entry);
    return 0;
}

int pm_sync_fingerprint(const char *dir, uint64_t *ret)
{
    struct listing l = { 0 };
    crypto_generichash_state h;
    unsigned char d[8];
    int r = list_tree(dir, &l);

    if (r < 0)
        return r;
    crypto_generichash_init(&h, NULL, 0, sizeof(d));
    for (size_t i = 0; i < l.n; i++) {
        crypto_generichash_update(&h, (const unsigned char *)l.v[i].path, strlen(l.v[i].path) + 1);
        crypto_generichash_update(&h, (const unsigned char *)&l.v[i].mtime_ns, 8);
        crypto_generichash_update(&h, (const unsigned char *)&l.v[i].size, 8);
    }
    crypto_generichash_final(&h, d, sizeof(d));
    memcpy(ret, d, sizeof(*ret));
    listing_free(&l);
    return 0;
}

/* One run's state. */
struct run {
    const struct pm_reader *rd;
    struct store *st;
    int64_t now;
    json_t *claimed;               /* incident -> the file that named it */
    pm_report_fn report;
    void *ud;
    struct pm_sync_stats *stats;
};

static void tell(struct run *run, const char *path, enum pm_outcome o, const char *incident,
                 const struct pm_problem *prob, const json_t *record)
{
    struct pm_file_report rep = { .path = path, .outcome = o, .incident = incident,
                                  .prob = prob, .record = record };
    unsigned *count[] = { &run->stats->created, &run->stats->updated, &run->stats->unchanged,
                          &run->stats->skipped, &run->stats->problems };

    (*count[o])++;
    if (run->report)
        run->report(run->ud, &rep);
}

static int problem(struct run *run, const char *path, const char *incident,
                   struct pm_problem *prob, unsigned line, const char *fmt, const char *a,
                   const char *b)
{
    prob->line = line;
    prob->col = line ? 1 : 0;
    snprintf(prob->msg, sizeof(prob->msg), fmt, a, b);
    tell(run, path, PM_SYNC_PROBLEM, incident, prob, NULL);
    return 0;
}

/* The incident exists?  Its opening time into *ret_opened.  0, -ENOENT,
 * or a store error. */
static int incident_opened(struct store *st, const char *id, int64_t *ret_opened)
{
    json_t *inc = NULL;
    const char *s;
    int r = cor_incident_load(st, id, &inc);

    if (r < 0)
        return r == -EINVAL ? -ENOENT : r;
    s = json_string_value(json_object_get(inc, "opened_at"));
    if (!s || iq_time_parse_rfc3339(s, strlen(s), ret_opened) < 0)
        *ret_opened = IQ_TIME_NONE;
    json_decref(inc);
    return 0;
}

/* Read and store one document text (len bytes) of path about id. */
static int store_doc(struct run *run, const char *path, const char *id, const char *text,
                     size_t len, int64_t opened)
{
    struct pm_problem prob = { 0 };
    char hash[PM_HASH_HEX];
    const char *old;
    json_t *prev = NULL, *rec = NULL;
    enum pm_put put;
    int r;

    pm_hash(text, len, hash);
    r = pm_store_get(run->st, id, &prev);
    if (r < 0 && r != -ENOENT)
        return r;
    old = json_string_value(json_object_get(prev, "hash"));
    if (prev && old && strcmp(old, hash) == 0 &&
        json_integer_value(json_object_get(prev, "parser")) == PM_PARSER_VERSION) {
        tell(run, path, PM_SYNC_UNCHANGED, id, NULL, prev);
        json_decref(prev);
        return 0;
    }
    json_decref(prev);
    r = pm_doc_read(run->rd, path, text, len, opened, &rec, &prob);
    if (r == -ENOMEM)
        return r;
    if (r != 0) {
        tell(run, path, r == 1 ? PM_SYNC_SKIPPED : PM_SYNC_PROBLEM, id, &prob, NULL);
        return 0;
    }
    r = pm_store_put(run->st, rec, path, text, len, hash, run->now, &put);
    if (r == 0)
        tell(run, path, put == PM_PUT_NEW ? PM_SYNC_NEW : put == PM_PUT_UPDATED ? PM_SYNC_UPDATED
                                                                             : PM_SYNC_UNCHANGED,
             id, NULL, rec);
    json_decref(rec);
    return r;
}

static int sync_file(struct run *run, const char *path)
{
    struct pm_problem prob = { 0 };
    char id[PM_ID_MAX + 1], err[PM_PROBLEM_MAX], *text = NULL;
    const char *other;
    unsigned line = 1;
    int64_t opened = IQ_TIME_NONE;
    size_t len = 0;
    int r = iq_file_read(path, PM_DOC_MAX, &text, &len, err, sizeof(err));

    if (r == -ENOMEM)
        return r;
    if (r < 0)
        return problem(run, path, NULL, &prob, 0, "%s%s", err, "");
    r = pm_doc_incident(text, len, id, sizeof(id), &line, &prob);
    if (r != 0) {
        free(text);
        if (r == -ENOMEM)
            return r;
        tell(run, path, r == 1 ? PM_SYNC_SKIPPED : PM_SYNC_PROBLEM, NULL, &prob, NULL);
        return 0;
    }
    if ((other = json_string_value(json_object_get(run->claimed, id)))) {
        r = problem(run, path, id, &prob, line,
                    "incident %s is also the incident of %s: one document per incident", id, other);
        goto out;
    }
    if (json_object_set_new(run->claimed, id, json_string(path)) < 0) {
        r = -ENOMEM;
        goto out;
    }
    r = incident_opened(run->st, id, &opened);
    if (r == -ENOENT)
        r = problem(run, path, id, &prob, line,
                    "unknown incident %s: not in the data directory%s", id, "");
    else if (r == 0)
        r = store_doc(run, path, id, text, len, opened);
out:
    free(text);
    return r;
}

int pm_sync_dir(const struct pm_reader *rd, struct store *st, const char *dir, int64_t now,
                pm_report_fn report, void *ud, struct pm_sync_stats *ret)
{
    struct pm_sync_stats stats = { 0 };
    struct run run = { .rd = rd, .st = st, .now = now, .report = report, .ud = ud,
                       .stats = &stats, .claimed = json_object() };
    struct listing l = { 0 };
    int r = run.claimed ? list_tree(dir, &l) : -ENOMEM;

    for (size_t i = 0; r == 0 && i < l.n; i++) {
        stats.files++;
        r = sync_file(&run, l.v[i].path);
    }
    listing_free(&l);
    json_decref(run.claimed);
    *ret = stats;
    return r;
}
