/* iq_hash.h - the one non-cryptographic hash of the tree: 64-bit FNV-1a,
 * for fingerprints and signatures that only need to tell content apart
 * (a log file's first line, a stored incident's text), never for security. */
#ifndef IQ_HASH_H
#define IQ_HASH_H

#include <stddef.h>
#include <stdint.h>

#define IQ_FNV_INIT 14695981039346656037ULL

/* 64-bit FNV-1a over n bytes of p, continuing from h (start with
 * IQ_FNV_INIT). */
uint64_t iq_fnv1a(uint64_t h, const void *p, size_t n);

#endif
