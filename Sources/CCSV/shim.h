#ifndef BACKPROP_CCSV_SHIM_H
#define BACKPROP_CCSV_SHIM_H
#include <csv.h>
#endif
