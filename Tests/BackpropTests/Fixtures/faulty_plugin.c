/*
 * A deliberately faulty Backprop plugin for the robustness tests, compiled once per fault:
 *   -DFAULT_ABI      reports ABI major version 2
 *   -DFAULT_SIZE     reports a descriptor smaller than ABI 1.0's
 *   -DFAULT_SYMBOL   exports the descriptor under another name
 *   -DFAULT_FIT      fails in fit with a message
 *   -DFAULT_ROWS     reports one row fewer than it was given
 *   -DFAULT_NAN      writes NaN into the first value
 * Without a fault it is the identity transform, with empty state.
 */
#include "backprop_plugin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct bp_plugin_instance { const char *error; };

static int faulty_create(const char *parameters_json, bp_plugin_instance **out) {
    (void)parameters_json;
    bp_plugin_instance *instance = calloc(1, sizeof *instance);
    if (!instance) return BP_PLUGIN_ERROR;
    instance->error = "";
    *out = instance;
    return BP_PLUGIN_OK;
}

static void faulty_destroy(bp_plugin_instance *instance) { free(instance); }

static int faulty_fit(bp_plugin_instance *instance, const char *const *names, size_t columns,
                      const double *values, size_t rows) {
    (void)names; (void)columns; (void)values; (void)rows;
#ifdef FAULT_FIT
    instance->error = "fit refused: deliberately failing";
    return BP_PLUGIN_ERROR;
#else
    (void)instance;
    return BP_PLUGIN_OK;
#endif
}

static int faulty_transform(bp_plugin_instance *instance, const char *const *names, size_t columns,
                            const double *values, size_t rows, double *output, size_t *rows_out) {
    (void)instance; (void)names;
    memcpy(output, values, rows * columns * sizeof(double));
    *rows_out = rows;
#ifdef FAULT_ROWS
    *rows_out = rows - 1;
#endif
#ifdef FAULT_NAN
    output[0] = NAN;
#endif
    return BP_PLUGIN_OK;
}

static int faulty_save(const bp_plugin_instance *instance, unsigned char *buffer, size_t capacity, size_t *size_out) {
    (void)instance; (void)buffer; (void)capacity;
    *size_out = 0;
    return BP_PLUGIN_OK;
}

static int faulty_restore(bp_plugin_instance *instance, const unsigned char *bytes, size_t size) {
    (void)instance; (void)bytes; (void)size;
    return BP_PLUGIN_OK;
}

static const char *faulty_last_error(const bp_plugin_instance *instance) {
    return instance ? instance->error : "";
}

static const bp_plugin_descriptor descriptor = {
#ifdef FAULT_ABI
    .abi_version = (2u << 16),
#else
    .abi_version = BACKPROP_PLUGIN_ABI_VERSION,
#endif
#ifdef FAULT_SIZE
    .struct_size = 8,
#else
    .struct_size = sizeof(bp_plugin_descriptor),
#endif
    .name = "faulty",
    .summary = "a plugin that fails on purpose",
    .create = faulty_create,
    .destroy = faulty_destroy,
    .fit = faulty_fit,
    .transform = faulty_transform,
    .save_state = faulty_save,
    .restore_state = faulty_restore,
    .last_error = faulty_last_error,
};

#ifdef FAULT_SYMBOL
const bp_plugin_descriptor *not_the_entry_point(void);
const bp_plugin_descriptor *not_the_entry_point(void) { return &descriptor; }
#else
const bp_plugin_descriptor *backprop_plugin_descriptor(void) { return &descriptor; }
#endif
