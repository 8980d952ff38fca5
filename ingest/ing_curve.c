/* ing_curve.c - CurveZMQ key files (format in ing_curve.h).
 *
 * Keys come from libzmq itself (zmq_curve_keypair, libsodium inside) and
 * are kept as Z85 text, the form libzmq's socket options take.  Writing
 * goes through iq_write_new: a temporary file created O_EXCL with its
 * final mode, linked into place, so a secret key is never readable by
 * others even for a moment and an existing key is never overwritten.
 * Reading is strict: one "secret-key" or "public-key" line, 40 Z85
 * characters that decode to 32 bytes, so a swapped --zmq-key and
 * --zmq-server-key is reported as such rather than failing a handshake
 * later. */
#include "ing_curve.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "iq_file.h"
#include "iq_paths.h"

#define KEY_FILE_MAX 4096

#define FAIL(code, ...) do { if (err) snprintf(err, errsz, __VA_ARGS__); return (code); } while (0)

static const char *const kind_word[] = { [ING_CURVE_PUBLIC] = "public-key",
                                         [ING_CURVE_SECRET] = "secret-key" };

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

/* Write one key file: a comment line, then "WORD KEY". */
static int write_key(const char *path, enum ing_curve_kind kind, const char *comment,
                     const char *z85, char *err, size_t errsz)
{
    char text[512];
    int n, r;

    n = snprintf(text, sizeof(text), "# %s\n%s %s\n", comment, kind_word[kind], z85);
    if (n < 0 || (size_t)n >= sizeof(text))
        FAIL(-ENAMETOOLONG, "%s: name too long", path);
    r = iq_write_new(path, text, (size_t)n, kind == ING_CURVE_SECRET ? 0600 : 0644);
    if (r < 0)
        FAIL(r, "%s: %s", path, r == -EEXIST ? "exists already; not overwritten" : strerror(-r));
    return 0;
}

int ing_curve_keygen(const char *path, char *err, size_t errsz)
{
    char pub[ING_Z85_KEY_LEN + 1], sec[ING_Z85_KEY_LEN + 1], kpath[4096], ppath[4096];
    char comment[320];
    struct stat st;
    int r;

    if ((size_t)snprintf(kpath, sizeof(kpath), "%s.key", path) >= sizeof(kpath) ||
        (size_t)snprintf(ppath, sizeof(ppath), "%s.pub", path) >= sizeof(ppath))
        FAIL(-ENAMETOOLONG, "%s: path too long", path);
    if (stat(kpath, &st) == 0 || stat(ppath, &st) == 0)
        FAIL(-EEXIST, "%s: exists already; not overwritten",
             stat(kpath, &st) == 0 ? kpath : ppath);
    if (zmq_curve_keypair(pub, sec) < 0)
        FAIL(-ENOTSUP, "libzmq cannot make CURVE keys: %s", zmq_strerror(errno));
    snprintf(comment, sizeof(comment), "inquest CurveZMQ secret key of \"%.200s\"; keep it "
             "private (mode 0600)", base_name(path));
    r = write_key(kpath, ING_CURVE_SECRET, comment, sec, err, errsz);
    if (r < 0)
        goto out;
    snprintf(comment, sizeof(comment), "inquest CurveZMQ public key of \"%.200s\"",
             base_name(path));
    r = write_key(ppath, ING_CURVE_PUBLIC, comment, pub, err, errsz);
    if (r < 0)
        unlink(kpath);          /* a pair or nothing */
out:
    memset(sec, 0, sizeof(sec));
    return r;
}

/* Find the one "WORD KEY" line of text; copy KEY into z85. */
static int parse_key(const char *path, char *text, enum ing_curve_kind kind, char *z85,
                     char *err, size_t errsz)
{
    uint8_t bin[32];
    unsigned line = 0;
    bool found = false;

    for (char *l = text, *next; l && *l; l = next) {
        size_t n, w = strlen(kind_word[kind]);

        next = strchr(l, '\n');
        if (next)
            *next++ = '\0';
        n = strlen(l);
        line++;
        while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
            l[--n] = '\0';
        if (n == 0 || l[0] == '#')
            continue;
        if (strncmp(l, kind_word[!kind], strlen(kind_word[!kind])) == 0)
            FAIL(-EINVAL, "%s: line %u: holds a %s, not a %s (%s file)", path, line,
                 kind_word[!kind], kind_word[kind], kind == ING_CURVE_SECRET ? ".key" : ".pub");
        if (strncmp(l, kind_word[kind], w) != 0 || l[w] != ' ' || found)
            FAIL(-EINVAL, "%s: line %u: expected one line \"%s KEY\"", path, line,
                 kind_word[kind]);
        if (n - w - 1 != ING_Z85_KEY_LEN || !zmq_z85_decode(bin, l + w + 1))
            FAIL(-EINVAL, "%s: line %u: not a key (%d characters of Z85)", path, line,
                 ING_Z85_KEY_LEN);
        memcpy(z85, l + w + 1, ING_Z85_KEY_LEN + 1);
        found = true;
    }
    if (!found)
        FAIL(-EINVAL, "%s: no \"%s\" line", path, kind_word[kind]);
    return 0;
}

int ing_curve_read(const char *path, enum ing_curve_kind kind, char *z85, char *err,
                   size_t errsz)
{
    struct stat st;
    char *text = NULL;
    size_t len;
    int r;

    if (stat(path, &st) < 0)
        FAIL(-errno, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        FAIL(-EINVAL, "%s: not a regular file", path);
    r = iq_read_file(path, KEY_FILE_MAX, &text, &len);
    if (r < 0)
        FAIL(r, "%s: %s", path, r == -EFBIG ? "too large for a key file" : strerror(-r));
    if (memchr(text, '\0', len)) {
        r = -EINVAL;
        if (err)
            snprintf(err, errsz, "%s: not a text file", path);
    } else {
        r = parse_key(path, text, kind, z85, err, errsz);
    }
    memset(text, 0, len);
    free(text);
    if (r == 0 && kind == ING_CURVE_SECRET && (st.st_mode & 077)) {
        memset(z85, 0, ING_Z85_KEY_LEN + 1);
        FAIL(-EACCES, "%s: permissions %04o are too open for a secret key (chmod 600 %s)",
             path, (unsigned)(st.st_mode & 07777), path);
    }
    return r;
}

int ing_curve_read_pair(const char *path, char *public_z85, char *secret_z85, char *err,
                        size_t errsz)
{
    int r = ing_curve_read(path, ING_CURVE_SECRET, secret_z85, err, errsz);

    if (r < 0)
        return r;
    if (zmq_curve_public(public_z85, secret_z85) < 0)
        FAIL(-ENOTSUP, "%s: libzmq cannot derive the public key: %s", path, zmq_strerror(errno));
    return 0;
}

int ing_curve_client_load(const char *key_file, const char *server_file,
                          struct ing_curve_client *ret, char *err, size_t errsz)
{
    struct ing_curve_client c;
    int r;

    r = ing_curve_read_pair(key_file, c.public_key, c.secret_key, err, errsz);
    if (r == 0)
        r = ing_curve_read(server_file, ING_CURVE_PUBLIC, c.server_key, err, errsz);
    if (r == 0)
        *ret = c;
    memset(&c, 0, sizeof(c));
    return r;
}

int ing_curve_client_apply(void *sock, const struct ing_curve_client *c)
{
    if (!zmq_has("curve"))
        return -ENOTSUP;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, c->server_key, ING_Z85_KEY_LEN + 1) < 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->public_key, ING_Z85_KEY_LEN + 1) < 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->secret_key, ING_Z85_KEY_LEN + 1) < 0)
        return -errno;
    return 0;
}
