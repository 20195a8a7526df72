#ifndef BACKPROP_CZLIB_SHIM_H
#define BACKPROP_CZLIB_SHIM_H
#include <zlib.h>
#endif
