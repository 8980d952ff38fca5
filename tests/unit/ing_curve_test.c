/* ing_curve_test.c - CurveZMQ key files and the authorized-keys directory:
 * keygen modes and refusals, strict reading (swapped files, bad keys,
 * secret keys others may read), keyring roles, names and duplicates.
 * Everything is written under a temporary directory removed at the end. */
#include "iq_test.h"
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>
#include "ing_curve.h"
#include "ing_keyring.h"
#include "iq_event.h"

IQ_TEST_SCRATCH(dir, "ing_curve_test")

static const char *at(const char *name)
{
    static char path[4][320];
    static int i;

    i = (i + 1) % 4;
    snprintf(path[i], sizeof(path[i]), "%s/%s", dir, name);
    return path[i];
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void test_keygen(void **state)
{
    char err[IQ_ERR_MAX], pub[41], sec[41], pub2[41];
    struct stat st;
    mode_t old = umask(0);

    (void)state;
    assert_int_equal(ing_curve_keygen(at("a"), err, sizeof(err)), 0);
    umask(old);
    assert_int_equal(stat(at("a.key"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(at("a.pub"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(ing_curve_read_pair(at("a.key"), pub, sec, err, sizeof(err)), 0);
    assert_int_equal(ing_curve_read(at("a.pub"), ING_CURVE_PUBLIC, pub2, err, sizeof(err)), 0);
    assert_string_equal(pub, pub2);
    /* never over an existing file, and never half a pair */
    assert_int_equal(ing_curve_keygen(at("a"), err, sizeof(err)), -EEXIST);
    assert_non_null(strstr(err, "exists already; not overwritten"));
    unlink(at("a.key"));
    assert_int_equal(ing_curve_keygen(at("a"), err, sizeof(err)), -EEXIST);
    assert_int_equal(access(at("a.key"), F_OK), -1);
}

static void test_read_strict(void **state)
{
    static const struct { const char *text; const char *want; } bad[] = {
        { "", "no \"public-key\" line" },
        { "# only a comment\n", "no \"public-key\" line" },
        { "public-key short\n", "line 1: not a key" },
        { "\npublic-key short\n", "line 2: not a key" },
        { "secret-key rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n", "holds a secret-key" },
        { "pubkey rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n", "line 1: expected one line" },
        { "public-key rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n"
          "public-key rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n", "line 2: expected one line" },
        { "public-key rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]y\"7\n", "not a key" },
    };
    char err[IQ_ERR_MAX], z85[41];

    (void)state;
    write_text(at("ok.pub"), "# comment\r\n\npublic-key rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7  \r\n",
               0644);
    assert_int_equal(ing_curve_read(at("ok.pub"), ING_CURVE_PUBLIC, z85, err, sizeof(err)), 0);
    assert_string_equal(z85, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r;

        write_text(at("bad.pub"), bad[i].text, 0644);
        r = ing_curve_read(at("bad.pub"), ING_CURVE_PUBLIC, z85, err, sizeof(err));
        if (r != -EINVAL || !strstr(err, bad[i].want))
            fail_msg("case %zu: %d \"%s\", want \"%s\"", i, r, err, bad[i].want);
    }
    assert_int_equal(ing_curve_read(at("missing.pub"), ING_CURVE_PUBLIC, z85, err, sizeof(err)),
                     -ENOENT);
    /* a secret key others may read is refused; a public key is named as such */
    write_text(at("s.key"), "secret-key JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6\n", 0640);
    assert_int_equal(ing_curve_read(at("s.key"), ING_CURVE_SECRET, z85, err, sizeof(err)), -EACCES);
    assert_non_null(strstr(err, "permissions 0640 are too open"));
    chmod(at("s.key"), 0600);
    assert_int_equal(ing_curve_read(at("s.key"), ING_CURVE_SECRET, z85, err, sizeof(err)), 0);
    assert_int_equal(ing_curve_read(at("ok.pub"), ING_CURVE_SECRET, z85, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "holds a public-key, not a secret-key (.key file)"));
    {
        FILE *f = fopen(at("nul.pub"), "w");

        assert_non_null(f);
        fwrite("public-key \0x\n", 1, 14, f);
        fclose(f);
    }
    assert_int_equal(ing_curve_read(at("nul.pub"), ING_CURVE_PUBLIC, z85, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not a text file"));
}

static void copy_pub(const char *from, const char *to)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
    assert_int_equal(system(cmd), 0);
}

static void test_keyring(void **state)
{
    char err[IQ_ERR_MAX], z85[41];
    uint8_t bin[32];
    struct ing_keyring *kr = NULL;
    const struct ing_key *k;
    size_t admins;

    (void)state;
    mkdir(at("auth"), 0755);
    mkdir(at("auth/admin"), 0755);
    mkdir(at("auth/other"), 0755);
    assert_int_equal(ing_curve_keygen(at("alice"), err, sizeof(err)), 0);
    assert_int_equal(ing_curve_keygen(at("boss"), err, sizeof(err)), 0);
    copy_pub(at("alice.pub"), at("auth/alice.pub"));
    copy_pub(at("boss.pub"), at("auth/admin/boss.pub"));
    copy_pub(at("boss.pub"), at("auth/other/ignored.pub"));     /* other directories: ignored */
    write_text(at("auth/README"), "not a key\n", 0644);           /* other files: ignored */
    assert_int_equal(ing_keyring_load(at("auth"), &kr, err, sizeof(err)), 0);
    assert_int_equal(ing_keyring_count(kr, &admins), 2);
    assert_int_equal(admins, 1);
    assert_int_equal(ing_curve_read(at("boss.pub"), ING_CURVE_PUBLIC, z85, err, sizeof(err)), 0);
    zmq_z85_decode(bin, z85);
    k = ing_keyring_find(kr, bin);
    assert_non_null(k);
    assert_string_equal(k->name, "boss");
    assert_int_equal(k->role, ING_KEY_ADMIN);
    k = ing_keyring_by_name(kr, "alice");
    assert_non_null(k);
    assert_int_equal(k->role, ING_KEY_SENDER);
    assert_null(ing_keyring_by_name(kr, "carol"));
    memset(bin, 0, sizeof(bin));
    assert_null(ing_keyring_find(kr, bin));
    ing_keyring_destroy(&kr);
    assert_null(kr);
    /* the same key under two names, a name twice, a bad name, a bad file */
    copy_pub(at("alice.pub"), at("auth/admin/alice2.pub"));
    assert_int_equal(ing_keyring_load(at("auth"), &kr, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "are the same key"));
    unlink(at("auth/admin/alice2.pub"));
    copy_pub(at("boss.pub"), at("auth/admin/alice.pub"));
    assert_int_equal(ing_keyring_load(at("auth"), &kr, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "key name \"alice\" given twice"));
    unlink(at("auth/admin/alice.pub"));
    copy_pub(at("alice.pub"), at("auth/al ice.pub"));
    assert_int_equal(ing_keyring_load(at("auth"), &kr, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not a key name"));
    unlink(at("auth/al ice.pub"));
    write_text(at("auth/junk.pub"), "public-key nope\n", 0644);
    assert_int_equal(ing_keyring_load(at("auth"), &kr, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "junk.pub: line 1: not a key"));
    assert_null(kr);
    assert_int_equal(ing_keyring_load(at("nowhere"), &kr, err, sizeof(err)), -ENOENT);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_keygen),
    cmocka_unit_test(test_read_strict),
    cmocka_unit_test(test_keyring),
};

TEST_MAIN_GROUP(tests, scratch_setup, scratch_teardown)
