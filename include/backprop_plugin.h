/*
 * backprop_plugin.h: the C ABI of Backprop preprocessing plugins.
 *
 * A plugin is a shared library (`gcc -shared -fPIC`) that exports ONE symbol,
 * `backprop_plugin_descriptor`, a function returning a pointer to a static, versioned
 * descriptor of function pointers. Backprop loads it for a pipeline stage such as
 *
 *     {"stage": "plugin", "library": "libclip.so", "params": {"columns": ["gre"]}}
 *
 * or, when `libNAME.so` lies in a folder of BACKPROP_PLUGIN_PATH, for `{"stage": "NAME", ...}`
 * (every field but "stage" is then a parameter). The fitted state the plugin saves is stored in
 * the model file, so prediction applies the plugin too.
 *
 * VERSIONING
 *   abi_version = (major << 16) | minor. The host refuses a descriptor whose major version differs
 *   from the one it was built with. Minor versions only ever APPEND fields to the descriptor; the
 *   host reads a field past those of version 1.0 only when struct_size says the plugin has it.
 *   A plugin sets abi_version = BACKPROP_PLUGIN_ABI_VERSION and
 *   struct_size = sizeof(bp_plugin_descriptor) as compiled against its copy of this header.
 *
 * LIFECYCLE (the host calls, in this order, on one thread at a time per instance)
 *   1. backprop_plugin_descriptor()          once per load; the descriptor is never freed.
 *   2. create(parameters_json, &instance)    once per stage; parameters_json is borrowed for the
 *                                            call only. On failure the host calls
 *                                            last_error(NULL) and never sees an instance.
 *   3a. training: fit(instance, training rows), then transform(instance, any rows) any number of
 *       times, then save_state(...) to store the fitted state in the model.
 *       Calling fit again replaces the earlier fitted state.
 *   3b. prediction: restore_state(instance, bytes) instead of fit, then transform(...).
 *   4. destroy(instance)                     exactly once; destroy(NULL) must be a no-op.
 *   Any fallible call returns BP_PLUGIN_OK (0) or another status; the host then reads
 *   last_error(instance) and treats the call as failed (its output is ignored).
 *
 * MEMORY: the host owns every buffer it passes (names, values, output, state bytes); the plugin
 *   may not keep pointers to them after the call returns. The plugin owns its instances and the
 *   strings returned by last_error; no memory allocated by one side is freed by the other.
 *
 * DATA: matrices are row-major `double`, rows x columns, holding the numeric feature columns of
 *   the data set (categorical columns are not passed and pass through unchanged). Column names
 *   are UTF-8, NUL-terminated, in matrix column order. A transform keeps every row and every
 *   column, in order; it writes finite numbers only. The host checks both and fails the stage
 *   otherwise.
 *
 * THREADS: different instances may be used from different threads at once; the host never calls
 *   into one instance from two threads at the same time. A plugin keeps no mutable global state
 *   other than the thread-local message of a failed create.
 */
#ifndef BACKPROP_PLUGIN_H
#define BACKPROP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Major version of this ABI: a change here is incompatible. */
#define BACKPROP_PLUGIN_ABI_MAJOR 1
/** Minor version of this ABI: fields appended to bp_plugin_descriptor. */
#define BACKPROP_PLUGIN_ABI_MINOR 0
/** The value a plugin puts in bp_plugin_descriptor.abi_version. */
#define BACKPROP_PLUGIN_ABI_VERSION ((uint32_t)((BACKPROP_PLUGIN_ABI_MAJOR << 16) | BACKPROP_PLUGIN_ABI_MINOR))
/** The name of the one symbol a plugin exports. */
#define BACKPROP_PLUGIN_ENTRY "backprop_plugin_descriptor"

/** Success. */
#define BP_PLUGIN_OK 0
/** Failure; the message is available from last_error. */
#define BP_PLUGIN_ERROR 1

/** A plugin's fitted or unfitted stage; its layout is the plugin's business. */
typedef struct bp_plugin_instance bp_plugin_instance;

/** The versioned table a plugin exports. Fields are only ever appended. */
typedef struct bp_plugin_descriptor {
    /** BACKPROP_PLUGIN_ABI_VERSION as the plugin was compiled. */
    uint32_t abi_version;
    /** sizeof(bp_plugin_descriptor) as the plugin was compiled. */
    uint32_t struct_size;
    /** The plugin's kind name (UTF-8, static), e.g. "clip"; must match libNAME.so on the path. */
    const char *name;
    /** One line on what it does (UTF-8, static), for `pipeline stages`. */
    const char *summary;

    /**
     * Creates an unfitted instance from the stage's parameters, a JSON object as UTF-8 text
     * (borrowed for the call). Validates them: bad parameters are reported here.
     * On success stores a new instance in *out (owned by the plugin, released with destroy).
     * On failure leaves *out untouched and sets the message read by last_error(NULL).
     */
    int (*create)(const char *parameters_json, bp_plugin_instance **out);

    /** Releases an instance and everything it owns. Accepts NULL. */
    void (*destroy)(bp_plugin_instance *instance);

    /**
     * Learns the fitted state from the training rows: `values` is rows x columns, row-major,
     * borrowed for the call; `column_names` has `columns` entries, borrowed for the call.
     * Replaces any earlier fitted or restored state.
     */
    int (*fit)(bp_plugin_instance *instance, const char *const *column_names, size_t columns,
               const double *values, size_t rows);

    /**
     * Transforms any rows with the fitted state. Reads rows x columns `values` (borrowed) and
     * writes the result into `output` (caller-owned, rows x columns doubles), then stores in
     * *rows_out the number of rows it wrote, which must equal `rows`.
     */
    int (*transform)(bp_plugin_instance *instance, const char *const *column_names, size_t columns,
                     const double *values, size_t rows, double *output, size_t *rows_out);

    /**
     * Serializes the fitted state. Always stores the state's size in *size_out; copies the bytes
     * into `buffer` (caller-owned) only when `capacity` is at least that size. The host calls it
     * once with buffer NULL and capacity 0 to learn the size, then again with a buffer.
     */
    int (*save_state)(const bp_plugin_instance *instance, unsigned char *buffer, size_t capacity,
                      size_t *size_out);

    /** Restores state made by save_state (bytes borrowed for the call), in place of fit. */
    int (*restore_state)(bp_plugin_instance *instance, const unsigned char *bytes, size_t size);

    /**
     * The message of the last failed call on `instance` (UTF-8, owned by the plugin, valid until
     * the next call on that instance or its destroy), or, for `instance` NULL, of the last failed
     * create on the calling thread. Never NULL: "" when there is none.
     */
    const char *(*last_error)(const bp_plugin_instance *instance);
} bp_plugin_descriptor;

/** The signature of the exported entry point. */
typedef const bp_plugin_descriptor *(*bp_plugin_entry)(void);

/** The entry point every plugin defines; returns a pointer to a static descriptor. */
const bp_plugin_descriptor *backprop_plugin_descriptor(void);

#ifdef __cplusplus
}
#endif

#endif /* BACKPROP_PLUGIN_H */
