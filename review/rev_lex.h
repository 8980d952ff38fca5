/* rev_lex.h - the lint model's lexicon: word classes that abstract lexical
 * content, so that what the model learns about one word carries over to the
 * others of its class.
 *
 * The bag of n-grams of rev_model.c learns "the intern forgot" and "the SRE
 * forgot" as two unrelated facts; with a corpus of a few hundred positives
 * per language it cannot see every role, team or person name.  The lexicon
 * maps words to a handful of classes (a role, a team, a person marker, a
 * blame cue, a negation, a "should" word, a system noun...), and the model
 * gets features for each class occurrence and its immediate context ("ROLE
 * forgot", "by ROLE", "ROLEのせい", "ROLE's"), plus one feature per pair of
 * classes present in the text (a negation with a blame cue, a "should"
 * with a system noun).  The words themselves still reach the model through
 * its n-grams.
 *
 * Text form (schemas/lint/model.lexicon, and copied by the trainer into the
 * weights file so that lint time sees exactly the training lexicon):
 *
 *   # comment
 *   role engineer engineers sre on-call intern 担当者 新人
 *   team team teams squad チーム
 *
 * One class per line (a class may take several lines): a name of [a-z-]
 * (at most 16 characters), then entries separated by spaces.  ASCII letters
 * of entries are folded to lower case.  An entry that starts with an ASCII
 * letter or digit matches whole words only (the characters around it are
 * not [a-z0-9]); other entries (Japanese) match anywhere.  At one place the
 * longest entry wins. */
#ifndef REV_LEX_H
#define REV_LEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rev_model.h"

#define REV_LEX_CLASSES_MAX 32
#define REV_LEX_ENTRIES_MAX 4096
#define REV_LEX_ENTRY_MAX   48      /* bytes of one entry */
#define REV_LEX_FILE_MAX    (256u * 1024)

struct rev_lex;

/* An empty lexicon (caller owns, rev_lex_destroy); NULL only on OOM. */
struct rev_lex *rev_lex_new(void);

/* Free the lexicon and NULL the caller's pointer.  NULL-safe. */
void rev_lex_destroy(struct rev_lex **plx);

/* Add one line "CLASS ENTRY..." (no newline; blank and '#' lines are
 * ignored).  0, -EINVAL with err set (bad class name, entry too long, too
 * many classes or entries) or -ENOMEM.  The lexicon is unchanged on error. */
int rev_lex_add_line(struct rev_lex *lx, const char *line, char *err, size_t errsz);

/* Read a lexicon file (at most REV_LEX_FILE_MAX bytes).  On success *ret
 * is set (caller owns).  On failure err names the file and the line. */
int rev_lex_load(const char *path, struct rev_lex **ret, char *err, size_t errsz);

/* Write every class as one line "PREFIX CLASS ENTRY...\n" (prefix may be
 * "" for the text form).  0 or -EIO. */
int rev_lex_write(const struct rev_lex *lx, FILE *f, const char *prefix);

/* Number of entries (0 for an empty lexicon). */
size_t rev_lex_size(const struct rev_lex *lx);

/* Clear the marks of cap (one byte per byte of folded text t, as
 * rev_model.c folds it; non-zero where a capitalised word that reads as a
 * name starts) on the words that are whole entries of lx: "caused by
 * Redis" names a system the lexicon knows, not a person.  NULL-safe. */
void rev_lex_unmark_names(const struct rev_lex *lx, const char *t, size_t len,
                          unsigned char *cap);

/* Append the class features of folded text t (len bytes, as rev_model.c
 * folds it: lower-case ASCII, spaces folded) to f, hashed under mask; cap
 * (may be NULL) marks where names start (rev_lex_unmark_names): they are
 * occurrences of the %capitalised class.  0 or -ENOMEM. */
int rev_lex_features(const struct rev_lex *lx, const char *t, size_t len,
                     const unsigned char *cap, uint32_t mask, struct rev_feats *f);

#endif
