#ifndef BACKPROP_NUMBER_PARSING_H
#define BACKPROP_NUMBER_PARSING_H
/* Decimal text to double through fast_float (Debian's libfast-float-dev): exact (correctly
   rounded, the same double as strtod), and without strtod's locale and NUL-terminator needs. */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parses all of the `length` bytes at `text` (borrowed for the call; no NUL needed) as a decimal
   number with an optional sign. Returns 1 and writes *value when the whole text is one finite
   number; returns 0 and leaves *value untouched otherwise (empty text, trailing or embedded bytes
   such as spaces or NUL, "inf", "nan", hexadecimal, or a value beyond the double range). */
int bp_parse_finite_double(const char *text, size_t length, double *value);

#ifdef __cplusplus
}
#endif
#endif
