/* rev_pcre2.h - the one place review/ includes <pcre2.h>.
 *
 * pcre2 needs PCRE2_CODE_UNIT_WIDTH defined before its header; defining it
 * here, once, keeps every review/ module on the 8-bit (UTF-8) library and
 * keeps the macro out of the other headers. */
#ifndef REV_PCRE2_H
#define REV_PCRE2_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#endif
