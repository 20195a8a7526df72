#ifndef BACKPROP_CGSL_SHIM_H
#define BACKPROP_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_cblas.h>

/// The Mersenne Twister generator type. GSL exposes it as a mutable global, which Swift 6's
/// strict concurrency rejects; this accessor reads it once per call.
static inline const gsl_rng_type *backprop_rng_mt19937(void) { return gsl_rng_mt19937; }

/// OpenBLAS's thread count (declared here because GSL's headers do not know OpenBLAS). Training
/// that spreads row blocks over its own threads sets it to 1 while it runs.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

#endif
