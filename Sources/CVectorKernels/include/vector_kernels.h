#ifndef BACKPROP_VECTOR_KERNELS_H
#define BACKPROP_VECTOR_KERNELS_H
// Elementwise kernels of training, compiled for several instruction sets (AVX-512, AVX2+FMA,
// baseline x86-64) and picked at load time for the CPU at hand (GCC/Clang target_clones).
// Every function reads and writes caller-owned buffers of `count` elements; none keeps a
// pointer past the call, none allocates, all are safe to call from several threads at once.
#include <stddef.h>

/// e^x for each x, Cody-Waite reduction and a degree-13 polynomial, inputs clamped to
/// [-708, 709]: within 4 ulp (1e-15 relative) of the C library's exp (tested).
void bp_exp_f64(const double *x, double *out, size_t count);

/// a = 1 / (1 + e^-z).
void bp_logistic_f64(const double *z, double *a, size_t count);
/// The same in single precision (the exponential computed in double precision).
void bp_logistic_f32(const float *z, float *a, size_t count);

/// delta *= a (1 - a): through the logistic function's derivative, given its output a.
void bp_logistic_backward_f64(double *delta, const double *a, size_t count);
void bp_logistic_backward_f32(float *delta, const float *a, size_t count);

/// z += bias, the `columns` biases added to every one of `rows` rows.
void bp_add_bias_f64(double *z, size_t rows, const double *bias, size_t columns);
void bp_add_bias_f32(float *z, size_t rows, const float *bias, size_t columns);

/// c = scale * a b^T for vectors a (m values, `stride_a` apart) and b (n values, `stride_b`
/// apart) into the row-major m x n matrix c: a product with an inner dimension of 1.
void bp_outer_product_f64(const double *a, size_t stride_a, const double *b, size_t stride_b,
                          double *c, size_t m, size_t n, double scale);
void bp_outer_product_f32(const float *a, size_t stride_a, const float *b, size_t stride_b,
                          float *c, size_t m, size_t n, float scale);

/// sums[j] = the sum over the `rows` rows of x[row][j], in double precision, row after row.
void bp_column_sums_f64(const double *x, size_t rows, size_t columns, double *sums);
void bp_column_sums_f32(const float *x, size_t rows, size_t columns, double *sums);

/// Forward through a sigmoid layer with biases, in one pass: z += bias on each of `rows` rows,
/// then a = 1 / (1 + e^-z). The same arithmetic as bp_add_bias then bp_logistic.
void bp_bias_logistic_f64(double *z, size_t rows, const double *bias, size_t columns, double *a);
void bp_bias_logistic_f32(float *z, size_t rows, const float *bias, size_t columns, float *a);

/// The error term of a sigmoid layer below a one-unit layer, in one pass:
/// delta[i][j] = (d[i * stride_d] * w[j * stride_w]) * a[i][j] (1 - a[i][j]) for m rows and n
/// units. The same arithmetic as bp_outer_product (scale 1) then bp_logistic_backward.
void bp_outer_logistic_backward_f64(const double *d, size_t stride_d, const double *w, size_t stride_w,
                                    const double *a, double *delta, size_t m, size_t n);
void bp_outer_logistic_backward_f32(const float *d, size_t stride_d, const float *w, size_t stride_w,
                                    const float *a, float *delta, size_t m, size_t n);

/// delta = y - t.
void bp_difference_f64(const double *y, const double *t, double *delta, size_t count);
void bp_difference_f32(const float *y, const float *t, float *delta, size_t count);

/// The sum of (y - t)^2, in double precision, in four interleaved partial sums.
double bp_squared_error_sum_f64(const double *y, const double *t, size_t count);
double bp_squared_error_sum_f32(const float *y, const float *t, size_t count);

#endif
