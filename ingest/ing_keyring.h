/* ing_keyring.h - the client keys a CurveZMQ ingest accepts
 * (zmq_authorized_keys), with their names and roles.
 *
 * Layout of the directory (docs/security.md):
 *   DIR/NAME.pub          a sender: may send events, never audit notes
 *   DIR/admin/NAME.pub    an admin: may also send audit notes
 * NAME is the key name (letters, digits, '_', '-', '.'; at most 64
 * bytes, not starting with '.'), recorded as each event's received_from.
 * Other files and directories are ignored; a name or a key given twice
 * is an error.  The keyring is read once and immutable after, so the
 * ZAP thread and the ingest thread share it without locks. */
#ifndef ING_KEYRING_H
#define ING_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#define ING_KEY_NAME_MAX 64
#define ING_KEYRING_MAX  4096       /* keys in one directory tree */

enum ing_key_role { ING_KEY_SENDER = 0, ING_KEY_ADMIN };

struct ing_key {
    char name[ING_KEY_NAME_MAX + 1];
    uint8_t pub[32];
    enum ing_key_role role;
};

struct ing_keyring;

/* Read every key under dir.  Caller owns *ret.  Returns 0, or a negative
 * errno with err naming the file and the problem. */
int ing_keyring_load(const char *dir, struct ing_keyring **ret, char *err, size_t errsz);

/* The key with this 32-byte public key, or NULL.  Borrowed from kr. */
const struct ing_key *ing_keyring_find(const struct ing_keyring *kr, const uint8_t *pub);

/* The key named name, or NULL.  Borrowed from kr. */
const struct ing_key *ing_keyring_by_name(const struct ing_keyring *kr, const char *name);

/* Number of keys, and of admin keys among them. */
size_t ing_keyring_count(const struct ing_keyring *kr, size_t *ret_admins);

/* Role as a word: "sender" or "admin". */
const char *ing_key_role_name(enum ing_key_role role);

/* Free; NULLs the caller's pointer; NULL-safe. */
void ing_keyring_destroy(struct ing_keyring **pkr);

#endif
