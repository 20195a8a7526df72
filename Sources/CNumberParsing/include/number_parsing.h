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
   such as spaces or NUL, "inf", "nan", hexadecimal, or a value beyond the double range).
   Internal to Backprop: not exported from libbackprop.so. */
__attribute__((visibility("hidden"))) int bp_parse_finite_double(const char *text, size_t length, double *value);

#ifdef __cplusplus
}

#include <cmath>
#include <fast_float/fast_float.h>

namespace backprop {
/* bp_parse_finite_double itself, inline for C++ callers in a loop (the CSV column builder). */
inline int parse_finite_double(const char *text, size_t length, double *value) {
    if (text == nullptr || value == nullptr || length == 0) return 0;
    const char *first = text;
    const char *last = text + length;
    // from_chars takes no '+'; strtod (and this project before) did: accept one, before a digit or '.'.
    if (*first == '+') {
        ++first;
        if (first == last || *first == '-' || *first == '+') return 0;
    }
    double parsed = 0;
    fast_float::from_chars_result result = fast_float::from_chars(first, last, parsed, fast_float::chars_format::general);
    if (result.ec != std::errc() || result.ptr != last || !std::isfinite(parsed)) return 0;
    *value = parsed;
    return 1;
}
}  // namespace backprop
#endif
#endif
