/* ing_keyring.c - load zmq_authorized_keys (layout in ing_keyring.h).
 *
 * The directory is the whole access list: putting NAME.pub in it lets
 * that client in, moving it to admin/ lets it send audit notes, removing
 * it (and restarting) shuts it out.  Keys sit in one array sorted by
 * public key, so the ZAP handler's lookup per handshake is a binary
 * search; names and keys are checked unique at load, so a name identifies
 * one key and one role. */
#include "ing_keyring.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ing_curve.h"
#include "iq_buf.h"

#define FAIL(code, ...) do { if (err) snprintf(err, errsz, __VA_ARGS__); return (code); } while (0)

struct ing_keyring {
    struct ing_key *keys;       /* sorted by pub */
    size_t n, cap;
};

const char *ing_key_role_name(enum ing_key_role role)
{
    return role == ING_KEY_ADMIN ? "admin" : "sender";
}

/* NAME of a "NAME.pub" file name, checked; false for files to ignore.
 * -EINVAL (through *bad) for a .pub file whose name is not a key name. */
static bool key_name(const char *file, char *name, bool *bad)
{
    size_t n = strlen(file);

    *bad = false;
    if (n <= 4 || strcmp(file + n - 4, ".pub") != 0 || file[0] == '.')
        return false;
    n -= 4;
    if (n > ING_KEY_NAME_MAX) {
        *bad = true;
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = file[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.')) {
            *bad = true;
            return false;
        }
    }
    memcpy(name, file, n);
    name[n] = '\0';
    return true;
}

static int add_key(struct ing_keyring *kr, const char *path, const char *name,
                   enum ing_key_role role, char *err, size_t errsz)
{
    char z85[ING_Z85_KEY_LEN + 1];
    struct ing_key *k;
    int r;

    if (ing_keyring_by_name(kr, name))
        FAIL(-EINVAL, "%s: key name \"%s\" given twice", path, name);
    if (kr->n == ING_KEYRING_MAX)
        FAIL(-E2BIG, "%s: more than %d keys", path, ING_KEYRING_MAX);
    r = ing_curve_read(path, ING_CURVE_PUBLIC, z85, err, errsz);
    if (r < 0)
        return r;
    if (!(k = iq_array_grow(kr->keys, kr->n, &kr->cap, sizeof(*k), 16)))
        return -ENOMEM;
    kr->keys = k;
    k = &kr->keys[kr->n];
    memset(k, 0, sizeof(*k));
    zmq_z85_decode(k->pub, z85);
    snprintf(k->name, sizeof(k->name), "%s", name);
    k->role = role;
    kr->n++;
    return 0;
}

/* Add every NAME.pub of dir with role. */
static int load_dir(struct ing_keyring *kr, const char *dir, enum ing_key_role role,
                    char *err, size_t errsz)
{
    char path[4096], name[ING_KEY_NAME_MAX + 1];
    struct dirent *de;
    DIR *d = opendir(dir);
    bool bad;
    int r = 0;

    if (!d)
        FAIL(-errno, "%s: %s", dir, strerror(errno));
    while (r == 0 && (de = readdir(d))) {
        if (!key_name(de->d_name, name, &bad)) {
            if (bad && err)
                snprintf(err, errsz, "%s/%.200s: not a key name (letters, digits, '_', '-', "
                         "'.'; at most %d)", dir, de->d_name, ING_KEY_NAME_MAX);
            r = bad ? -EINVAL : 0;
            continue;
        }
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
            r = -ENAMETOOLONG;
        else
            r = add_key(kr, path, name, role, err, errsz);
        if (r == -ENAMETOOLONG && err)
            snprintf(err, errsz, "%s: path too long", dir);
    }
    closedir(d);
    return r;
}

static int key_cmp(const void *a, const void *b)
{
    return memcmp(((const struct ing_key *)a)->pub, ((const struct ing_key *)b)->pub, 32);
}

int ing_keyring_load(const char *dir, struct ing_keyring **ret, char *err, size_t errsz)
{
    struct ing_keyring *kr = calloc(1, sizeof(*kr));
    char admin[4096];
    DIR *d;
    int r;

    if (!kr)
        return -ENOMEM;
    r = load_dir(kr, dir, ING_KEY_SENDER, err, errsz);
    if (r == 0 && (size_t)snprintf(admin, sizeof(admin), "%s/admin", dir) >= sizeof(admin))
        r = -ENAMETOOLONG;
    if (r == 0 && (d = opendir(admin))) {
        closedir(d);
        r = load_dir(kr, admin, ING_KEY_ADMIN, err, errsz);
    }
    if (r < 0) {
        ing_keyring_destroy(&kr);
        return r;
    }
    if (kr->n > 1)
        qsort(kr->keys, kr->n, sizeof(*kr->keys), key_cmp);
    for (size_t i = 1; i < kr->n; i++) {
        if (key_cmp(&kr->keys[i - 1], &kr->keys[i]) == 0) {
            if (err)
                snprintf(err, errsz, "%s: keys \"%s\" and \"%s\" are the same key", dir,
                         kr->keys[i - 1].name, kr->keys[i].name);
            ing_keyring_destroy(&kr);
            return -EINVAL;
        }
    }
    *ret = kr;
    return 0;
}

const struct ing_key *ing_keyring_find(const struct ing_keyring *kr, const uint8_t *pub)
{
    struct ing_key probe;

    memcpy(probe.pub, pub, sizeof(probe.pub));
    return kr->n ? bsearch(&probe, kr->keys, kr->n, sizeof(*kr->keys), key_cmp) : NULL;
}

const struct ing_key *ing_keyring_by_name(const struct ing_keyring *kr, const char *name)
{
    for (size_t i = 0; i < kr->n; i++)
        if (strcmp(kr->keys[i].name, name) == 0)
            return &kr->keys[i];
    return NULL;
}

size_t ing_keyring_count(const struct ing_keyring *kr, size_t *ret_admins)
{
    size_t admins = 0;

    for (size_t i = 0; i < kr->n; i++)
        admins += kr->keys[i].role == ING_KEY_ADMIN;
    if (ret_admins)
        *ret_admins = admins;
    return kr->n;
}

void ing_keyring_destroy(struct ing_keyring **pkr)
{
    if (!pkr || !*pkr)
        return;
    free((*pkr)->keys);
    free(*pkr);
    *pkr = NULL;
}
