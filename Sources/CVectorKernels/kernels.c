#include "vector_kernels.h"
#include <stdint.h>
#include <string.h>

// One clone per instruction set; the loader's ifunc resolver picks the best the CPU has
// (avx512f implies AVX2 and FMA; the "avx2" clone has no FMA, the "fma" one has AVX and FMA;
// "default" is baseline x86-64). Products and sums may be contracted to FMA where the clone has
// it, so the last bits of exp and the logistic function can differ between CPUs with different
// vector units (within the tested bound), never between runs on one machine.
// Under a sanitizer the clones' load-time resolvers would be instrumented and run before the
// sanitizer's runtime starts (a crash at load): sanitized builds get the baseline code only.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define BP_CLONES
#endif
#endif
#ifndef BP_CLONES
#define BP_CLONES __attribute__((target_clones("avx512f", "avx2", "fma", "default")))
#endif

// e^x without a branch or a table, so the loops below vectorise: x = k ln2 + r, |r| <= ln2/2,
// e^r = sum r^n/n! for n = 0..13 by Horner's rule, 2^k put into the exponent bits.
static inline double exp_kernel(double x) {
    double clamped = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);
    const double shifter = 6755399441055744.0; // 1.5 * 2^52: rounds to an integer
    double shifted = clamped * 1.4426950408889634 + shifter;
    double k = shifted - shifter;
    double r = clamped - k * 0.6931471803691238 - k * 1.9082149292705877e-10;
    double p = r * 1.6059043836821613e-10 + 2.08767569878681e-09;
    p = p * r + 2.505210838544172e-08;
    p = p * r + 2.755731922398589e-07;
    p = p * r + 2.7557319223985893e-06;
    p = p * r + 2.48015873015873e-05;
    p = p * r + 0.0001984126984126984;
    p = p * r + 0.001388888888888889;
    p = p * r + 0.008333333333333333;
    p = p * r + 0.041666666666666664;
    p = p * r + 0.16666666666666666;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    bits = (bits + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

BP_CLONES void bp_exp_f64(const double *x, double *out, size_t count) {
    for (size_t i = 0; i < count; i++) out[i] = exp_kernel(x[i]);
}

BP_CLONES void bp_logistic_f64(const double *z, double *a, size_t count) {
    for (size_t i = 0; i < count; i++) a[i] = 1.0 / (1.0 + exp_kernel(-z[i]));
}

BP_CLONES void bp_logistic_f32(const float *z, float *a, size_t count) {
    for (size_t i = 0; i < count; i++) a[i] = (float)(1.0 / (1.0 + exp_kernel(-(double)z[i])));
}

BP_CLONES void bp_logistic_backward_f64(double *delta, const double *a, size_t count) {
    for (size_t i = 0; i < count; i++) delta[i] *= a[i] * (1.0 - a[i]);
}

BP_CLONES void bp_logistic_backward_f32(float *delta, const float *a, size_t count) {
    for (size_t i = 0; i < count; i++) delta[i] *= a[i] * (1.0f - a[i]);
}

BP_CLONES void bp_add_bias_f64(double *z, size_t rows, const double *bias, size_t columns) {
    for (size_t row = 0; row < rows; row++)
        for (size_t j = 0; j < columns; j++) z[row * columns + j] += bias[j];
}

BP_CLONES void bp_add_bias_f32(float *z, size_t rows, const float *bias, size_t columns) {
    for (size_t row = 0; row < rows; row++)
        for (size_t j = 0; j < columns; j++) z[row * columns + j] += bias[j];
}

BP_CLONES void bp_outer_product_f64(const double *a, size_t stride_a, const double *b, size_t stride_b,
                                    double *c, size_t m, size_t n, double scale) {
    for (size_t i = 0; i < m; i++) {
        double x = scale * a[i * stride_a];
        for (size_t j = 0; j < n; j++) c[i * n + j] = x * b[j * stride_b];
    }
}

BP_CLONES void bp_outer_product_f32(const float *a, size_t stride_a, const float *b, size_t stride_b,
                                    float *c, size_t m, size_t n, float scale) {
    for (size_t i = 0; i < m; i++) {
        float x = scale * a[i * stride_a];
        for (size_t j = 0; j < n; j++) c[i * n + j] = x * b[j * stride_b];
    }
}

BP_CLONES void bp_column_sums_f64(const double *x, size_t rows, size_t columns, double *sums) {
    for (size_t j = 0; j < columns; j++) sums[j] = 0;
    for (size_t row = 0; row < rows; row++)
        for (size_t j = 0; j < columns; j++) sums[j] += x[row * columns + j];
}

BP_CLONES void bp_column_sums_f32(const float *x, size_t rows, size_t columns, double *sums) {
    for (size_t j = 0; j < columns; j++) sums[j] = 0;
    for (size_t row = 0; row < rows; row++)
        for (size_t j = 0; j < columns; j++) sums[j] += (double)x[row * columns + j];
}

BP_CLONES void bp_bias_logistic_f64(double *z, size_t rows, const double *bias, size_t columns, double *a) {
    for (size_t row = 0; row < rows; row++)
        for (size_t j = 0; j < columns; j++) {
            double sum = z[row * columns + j] + bias[j];
            z[row * columns + j] = sum;
            a[row * columns + j] = 1.0 / (1.0 + exp_kernel(-sum));
        }
}

BP_CLONES void bp_bias_logistic_f32(float *z, size_t rows, const float *bias, size_t columns, float *a) {
    for (size_t row = 0; row < rows; row++)
        for (size_t j = 0; j < columns; j++) {
            float sum = z[row * columns + j] + bias[j];
            z[row * columns + j] = sum;
            a[row * columns + j] = (float)(1.0 / (1.0 + exp_kernel(-(double)sum)));
        }
}

BP_CLONES void bp_outer_logistic_backward_f64(const double *d, size_t stride_d, const double *w, size_t stride_w,
                                              const double *a, double *delta, size_t m, size_t n) {
    for (size_t i = 0; i < m; i++) {
        double x = d[i * stride_d];
        for (size_t j = 0; j < n; j++) {
            double y = a[i * n + j];
            delta[i * n + j] = (x * w[j * stride_w]) * (y * (1.0 - y));
        }
    }
}

BP_CLONES void bp_outer_logistic_backward_f32(const float *d, size_t stride_d, const float *w, size_t stride_w,
                                              const float *a, float *delta, size_t m, size_t n) {
    for (size_t i = 0; i < m; i++) {
        float x = d[i * stride_d];
        for (size_t j = 0; j < n; j++) {
            float y = a[i * n + j];
            delta[i * n + j] = (x * w[j * stride_w]) * (y * (1.0f - y));
        }
    }
}

BP_CLONES void bp_difference_f64(const double *y, const double *t, double *delta, size_t count) {
    for (size_t i = 0; i < count; i++) delta[i] = y[i] - t[i];
}

BP_CLONES void bp_difference_f32(const float *y, const float *t, float *delta, size_t count) {
    for (size_t i = 0; i < count; i++) delta[i] = y[i] - t[i];
}

// Four independent partial sums, added at the end in a fixed order: the same result from every
// clone (no reassociation is allowed or needed), and a vector unit's worth of parallelism.
BP_CLONES double bp_squared_error_sum_f64(const double *y, const double *t, size_t count) {
#pragma clang fp contract(off)
    double partial[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= count; i += 4)
        for (size_t lane = 0; lane < 4; lane++) {
            double d = y[i + lane] - t[i + lane];
            partial[lane] += d * d;
        }
    for (; i < count; i++) {
        double d = y[i] - t[i];
        partial[0] += d * d;
    }
    return (partial[0] + partial[1]) + (partial[2] + partial[3]);
}

BP_CLONES double bp_squared_error_sum_f32(const float *y, const float *t, size_t count) {
#pragma clang fp contract(off)
    double partial[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= count; i += 4)
        for (size_t lane = 0; lane < 4; lane++) {
            double d = (double)y[i + lane] - (double)t[i + lane];
            partial[lane] += d * d;
        }
    for (; i < count; i++) {
        double d = (double)y[i] - (double)t[i];
        partial[0] += d * d;
    }
    return (partial[0] + partial[1]) + (partial[2] + partial[3]);
}
