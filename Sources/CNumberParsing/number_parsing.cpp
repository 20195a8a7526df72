// The C-callable face of fast_float::from_chars (header-only, libfast-float-dev).
#include "number_parsing.h"

#include <cmath>
#include <fast_float/fast_float.h>

extern "C" int bp_parse_finite_double(const char *text, size_t length, double *value) {
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
