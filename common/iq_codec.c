/* iq_codec.c - msgpack encoding and strictly checked decoding of events.
 *
 * Decoding treats the input as untrusted (it may come from any ZeroMQ
 * peer): every obj.type is checked before a via.* access, map sizes and
 * string lengths are bounded by the field table before anything is copied,
 * and unknown keys are refused rather than ignored, so that a sender with a
 * newer schema learns of the mismatch instead of losing data silently.
 *
 * libmsgpackc gives an empty string a NULL pointer, so every copy goes
 * through mp_ptr, never memcpy/memchr on a NULL source.  Raw bytes reach
 * iq_event_decode only after iq_mp_check has bounded every count.
 *
 * Two modes: an event from the wire (iq_event_unpack) must carry raw as
 * valid JSON text, and its received_from is ignored (the receiving ingest
 * sets it); a stored value (iq_event_decode) was checked on its way in and
 * keeps both as they are, sparing a JSON parse per read. */
#include "iq_codec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_json.h"
#include "iq_mpcheck.h"
#include "iq_time.h"

enum { FROM_WIRE = 1, FROM_STORE = 2 };

#define FAIL(...) do { if (err) snprintf(err, errsz, __VA_ARGS__); return -EINVAL; } while (0)

static void pack_cstr(msgpack_packer *pk, const char *s, size_t n)
{
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

/* The bytes of a string object: never NULL, even for an empty string. */
static const char *mp_ptr(const msgpack_object *o)
{
    return o->via.str.size ? o->via.str.ptr : "";
}

int iq_mp_streq(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);

    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
           memcmp(o->via.str.ptr, s, n) == 0;
}

int iq_event_pack(msgpack_packer *pk, const struct iq_event *ev)
{
    size_t n = 1; /* at */

    for (int i = 0; i < IQ_F_NSTR; i++)
        n += ev->str[i] != NULL;
    n += ev->ends_at != IQ_TIME_NONE;
    n += ev->n_labels > 0;
    n += ev->raw != NULL;
    msgpack_pack_map(pk, n);
    for (int i = 0; i < IQ_F_NSTR; i++) {
        if (!ev->str[i])
            continue;
        pack_cstr(pk, iq_fields[i].name, strlen(iq_fields[i].name));
        pack_cstr(pk, ev->str[i], strlen(ev->str[i]));
    }
    pack_cstr(pk, "at", 2);
    msgpack_pack_int64(pk, ev->at);
    if (ev->ends_at != IQ_TIME_NONE) {
        pack_cstr(pk, "ends_at", 7);
        msgpack_pack_int64(pk, ev->ends_at);
    }
    if (ev->n_labels) {
        pack_cstr(pk, "labels", 6);
        msgpack_pack_map(pk, ev->n_labels);
        for (uint32_t i = 0; i < ev->n_labels; i++) {
            pack_cstr(pk, ev->labels[i].key, strlen(ev->labels[i].key));
            pack_cstr(pk, ev->labels[i].value, strlen(ev->labels[i].value));
        }
    }
    if (ev->raw) {
        pack_cstr(pk, "raw", 3);
        pack_cstr(pk, ev->raw, ev->raw_len);
    }
    return 0;
}

int iq_event_encode(const struct iq_event *ev, msgpack_sbuffer *sb)
{
    msgpack_packer pk;

    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    return iq_event_pack(&pk, ev);
}

void iq_events_pack(struct iq_event *const *evs, size_t n, msgpack_sbuffer *sb,
                    const char **vals, size_t *lens)
{
    msgpack_packer pk;
    size_t off = 0;

    sb->size = 0;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    for (size_t i = 0; i < n; i++) {
        iq_event_pack(&pk, evs[i]);
        lens[i] = sb->size - off;
        off = sb->size;
    }
    off = 0;                     /* sb->data may have moved while it grew */
    for (size_t i = 0; i < n; i++) {
        vals[i] = sb->data + off;
        off += lens[i];
    }
}

static int mp_time(const char *name, const msgpack_object *v, int64_t *ret, char *err, size_t errsz)
{
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (v->via.u64 > (uint64_t)INT64_MAX / 2)
            FAIL("field '%s': time out of range", name);
        *ret = (int64_t)v->via.u64;
        return 0;
    }
    if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        if (v->via.i64 < INT64_MIN / 2)
            FAIL("field '%s': time out of range", name);
        *ret = v->via.i64;
        return 0;
    }
    FAIL("field '%s': expected an integer of UTC milliseconds", name);
}

static int mp_labels(struct iq_event *ev, const msgpack_object *v, char *err, size_t errsz)
{
    char k[IQ_LABEL_KEY_MAX + 1], val[IQ_LABEL_VAL_MAX + 1];
    int r;

    if (v->type != MSGPACK_OBJECT_MAP)
        FAIL("field 'labels': expected a map of strings");
    if (v->via.map.size > IQ_LABELS_MAX)
        FAIL("field 'labels': %u labels, over the limit of %d", v->via.map.size, IQ_LABELS_MAX);
    for (uint32_t i = 0; i < v->via.map.size; i++) {
        const msgpack_object *mk = &v->via.map.ptr[i].key, *mv = &v->via.map.ptr[i].val;

        if (mk->type != MSGPACK_OBJECT_STR || mk->via.str.size == 0 ||
            mk->via.str.size > IQ_LABEL_KEY_MAX)
            FAIL("field 'labels': key is not a string of 1 to %d bytes", IQ_LABEL_KEY_MAX);
        memcpy(k, mp_ptr(mk), mk->via.str.size);
        k[mk->via.str.size] = '\0';
        if (mv->type != MSGPACK_OBJECT_STR)
            FAIL("field 'labels.%s': expected a string", k);
        if (mv->via.str.size > IQ_LABEL_VAL_MAX)
            FAIL("field 'labels.%s': %u bytes, over the limit of %d", k, mv->via.str.size,
                 IQ_LABEL_VAL_MAX);
        if (memchr(k, '\0', mk->via.str.size) || memchr(mp_ptr(mv), '\0', mv->via.str.size))
            FAIL("field 'labels.%s': contains a NUL character", k);
        memcpy(val, mp_ptr(mv), mv->via.str.size);
        val[mv->via.str.size] = '\0';
        r = iq_event_set_label(ev, k, val);
        if (r < 0)
            return r;
    }
    return 0;
}

/* raw: a string of at most IQ_RAW_MAX bytes; from the wire, JSON text. */
static int mp_raw(struct iq_event *ev, const msgpack_object *v, int mode, char *err, size_t errsz)
{
    struct iq_json_error je;
    json_t *j = NULL;
    int r;

    if (v->type != MSGPACK_OBJECT_STR)
        FAIL("field 'raw': expected a string of JSON text");
    if (v->via.str.size > IQ_RAW_MAX)
        FAIL("field 'raw': %u bytes, over the limit of %d", v->via.str.size, IQ_RAW_MAX);
    if (mode == FROM_WIRE) {
        r = iq_json_parse(mp_ptr(v), v->via.str.size,
                          IQ_JSON_ANY | IQ_JSON_DEPTH(IQ_JSON_DEPTH_JANSSON), &j, &je);
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            FAIL("field 'raw': not JSON text (byte %zu: %s)", je.position, je.text);
        json_decref(j);
    }
    r = iq_event_set_raw(ev, mp_ptr(v), v->via.str.size);
    if (r == -EINVAL)
        FAIL("field 'raw': contains a NUL character");
    return r;
}

static int mp_member(struct iq_event *ev, const msgpack_object *k, const msgpack_object *v,
                     int mode, char *err, size_t errsz)
{
    char key[32];
    int f;

    if (k->type != MSGPACK_OBJECT_STR || k->via.str.size >= sizeof(key))
        FAIL("event: map key is not a field name");
    memcpy(key, mp_ptr(k), k->via.str.size);
    key[k->via.str.size] = '\0';
    f = iq_field_lookup(key);
    if (f >= 0) {
        if (v->type != MSGPACK_OBJECT_STR)
            FAIL("field '%s': expected a string", key);
        if (v->via.str.size > iq_fields[f].max_len)
            FAIL("field '%s': %u bytes, over the limit of %zu", key, v->via.str.size,
                 iq_fields[f].max_len);
        if (f == IQ_F_RECEIVED_FROM && mode == FROM_WIRE)
            return 0;
        if (iq_event_set(ev, (enum iq_field)f, mp_ptr(v), v->via.str.size) < 0)
            FAIL("field '%s': contains a NUL character", key);
        return 0;
    }
    if (strcmp(key, "at") == 0)
        return mp_time("at", v, &ev->at, err, errsz);
    if (strcmp(key, "ends_at") == 0)
        return mp_time("ends_at", v, &ev->ends_at, err, errsz);
    if (strcmp(key, "labels") == 0)
        return mp_labels(ev, v, err, errsz);
    if (strcmp(key, "raw") == 0)
        return mp_raw(ev, v, mode, err, errsz);
    FAIL("unknown field '%s'", key);
}

/* Bytes of strings and number of labels an event map will need, so that
 * iq_event_unpack allocates them once.  Wrong types count nothing; they
 * are reported by mp_member. */
static void mp_measure(const msgpack_object *obj, size_t *bytes, uint32_t *n_labels)
{
    *bytes = 0;
    *n_labels = 0;
    for (uint32_t i = 0; i < obj->via.map.size; i++) {
        const msgpack_object *k = &obj->via.map.ptr[i].key, *v = &obj->via.map.ptr[i].val;

        if (v->type == MSGPACK_OBJECT_STR) {
            *bytes += v->via.str.size + 1;
        } else if (v->type == MSGPACK_OBJECT_MAP && k->type == MSGPACK_OBJECT_STR &&
                   k->via.str.size == 6 && memcmp(k->via.str.ptr, "labels", 6) == 0 &&
                   v->via.map.size <= IQ_LABELS_MAX) {
            *n_labels = v->via.map.size;
            for (uint32_t j = 0; j < v->via.map.size; j++) {
                const msgpack_object *lk = &v->via.map.ptr[j].key, *lv = &v->via.map.ptr[j].val;

                if (lk->type == MSGPACK_OBJECT_STR && lv->type == MSGPACK_OBJECT_STR)
                    *bytes += lk->via.str.size + lv->via.str.size + 2;
            }
        }
    }
}

static int unpack(const msgpack_object *obj, int mode, struct iq_event **ret, char *err,
                  size_t errsz)
{
    struct iq_event *ev;
    uint32_t n_labels;
    size_t bytes;
    int r = 0;

    if (obj->type != MSGPACK_OBJECT_MAP)
        FAIL("event: expected a msgpack map");
    if (obj->via.map.size > IQ_F_NSTR + 4)
        FAIL("event: %u fields, more than the schema has", obj->via.map.size);
    ev = iq_event_new();
    if (!ev)
        return -ENOMEM;
    mp_measure(obj, &bytes, &n_labels);
    if (bytes || n_labels)
        iq_event_reserve(ev, bytes, n_labels);   /* without it, one malloc per string */
    for (uint32_t i = 0; i < obj->via.map.size; i++) {
        r = mp_member(ev, &obj->via.map.ptr[i].key, &obj->via.map.ptr[i].val, mode, err, errsz);
        if (r < 0)
            goto out;
    }
    r = iq_event_validate(ev, err, errsz);
    if (r < 0)
        goto out;
    *ret = ev;
    ev = NULL;
out:
    iq_event_destroy(&ev);
    return r;
}

int iq_event_unpack(const msgpack_object *obj, struct iq_event **ret, char *err, size_t errsz)
{
    return unpack(obj, FROM_WIRE, ret, err, errsz);
}

int iq_event_decode(const char *buf, size_t len, struct iq_event **ret, char *err, size_t errsz)
{
    const struct iq_mp_limits lim = { .depth = 4, .objects = IQ_EVENT_OBJECTS_MAX };
    msgpack_unpacked u;
    size_t off = 0;
    int r;

    if (iq_mp_check(buf, len, &lim, err, errsz) < 0)
        return -EINVAL;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, buf, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len) {
        msgpack_unpacked_destroy(&u);
        FAIL("event: not one complete msgpack value");
    }
    r = unpack(&u.data, FROM_STORE, ret, err, errsz);
    msgpack_unpacked_destroy(&u);
    return r;
}
