// The C-callable face of fast_float::from_chars (header-only, libfast-float-dev); the parse
// itself is backprop::parse_finite_double in the header, shared with the CSV column builder.
#include "number_parsing.h"

extern "C" int bp_parse_finite_double(const char *text, size_t length, double *value) {
    return backprop::parse_finite_double(text, length, value);
}
