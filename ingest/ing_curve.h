/* ing_curve.h - CurveZMQ key files: `inquest keygen`, and reading the
 * keys a server or a client needs (docs/security.md, "ZeroMQ (CurveZMQ)").
 *
 * A key pair is two text files; '#' lines and blank lines are comments:
 *   NAME.key   mode 0600   secret-key <40 characters of Z85>
 *   NAME.pub   any mode    public-key <40 characters of Z85>
 * The key name of a client is its .pub file's name without ".pub", as
 * found in the server's zmq_authorized_keys directory (ing_keyring.h).
 * A secret key file that group or others may read is refused, as ssh
 * refuses such identity files. */
#ifndef ING_CURVE_H
#define ING_CURVE_H

#include <stddef.h>
#include <stdint.h>

#define ING_Z85_KEY_LEN 40          /* Z85 text of a 32-byte key */

enum ing_curve_kind { ING_CURVE_PUBLIC, ING_CURVE_SECRET };

/* What a CURVE client socket needs (NUL-terminated Z85 text). */
struct ing_curve_client {
    char public_key[ING_Z85_KEY_LEN + 1];
    char secret_key[ING_Z85_KEY_LEN + 1];
    char server_key[ING_Z85_KEY_LEN + 1];
};

/* Generate a key pair and write PATH.key (mode 0600) and PATH.pub (0644),
 * each created whole or not at all and never over an existing file.
 * Returns 0, or a negative errno with err naming the file and the problem
 * (-EEXIST when either file exists: nothing is written then). */
int ing_curve_keygen(const char *path, char *err, size_t errsz);

/* Read a key file of the given kind into z85 (41 bytes).  A secret key
 * file must not be readable by group or others.  Returns 0, or -EINVAL,
 * -EACCES or -errno with err naming the file, the line and the problem. */
int ing_curve_read(const char *path, enum ing_curve_kind kind, char *z85, char *err,
                   size_t errsz);

/* Read the secret key file at path into secret_z85 and derive its public
 * key into public_z85 (41 bytes each).  Same contract as ing_curve_read. */
int ing_curve_read_pair(const char *path, char *public_z85, char *secret_z85, char *err,
                        size_t errsz);

/* Load a client's key pair (key_file, a .key) and the server's public key
 * (server_file, a .pub).  Same contract as ing_curve_read. */
int ing_curve_client_load(const char *key_file, const char *server_file,
                          struct ing_curve_client *ret, char *err, size_t errsz);

/* Set the CURVE client options of a ZeroMQ socket from c (borrowed).
 * 0 or -errno (libzmq built without CURVE: -ENOTSUP). */
int ing_curve_client_apply(void *sock, const struct ing_curve_client *c);

#endif
