/*
 * backprop.h: the C ABI of Backprop. Load a model file written by a training pipeline,
 * describe it, and predict from raw rows (the model's fitted preprocessing is applied inside)
 * or from already-preprocessed rows. Train by running a pipeline file.
 *
 * Link with `-lbackprop` (pkg-config: `pkg-config --cflags --libs backprop`).
 *
 * Conventions, for every function below:
 * - Every fallible call returns a bp_status; BP_OK (0) is success. On failure, a one-line
 *   message saying what is wrong is available from bp_last_error() on the same thread, and
 *   no out-parameter or output buffer has been written.
 * - Every pointer parameter is required: NULL gives BP_ERR_NULL. Counts are size_t.
 * - Strings are UTF-8 and NUL-terminated. Strings returned by the library are borrowed: the
 *   library owns them; they stay valid for the stated lifetime; never free them.
 * - Prediction writes into caller-owned buffers only; the library keeps no per-call state.
 * - No call aborts the process on bad input: errors are statuses. Model files are checked whole
 *   on load (strict UTF-8, no unknown field, finite numbers, every cross-reference, the CRC-32
 *   checksum); files are read only if they are regular files (never a FIFO or device); sizes
 *   are bounded (docs/limits.md).
 * - Loading a model never runs code the caller did not allow: a model with plugin steps is
 *   refused (BP_ERR_PLUGINS_NOT_ALLOWED) unless loaded with bp_model_load_ex and
 *   BP_LOAD_ALLOW_PLUGINS, and then each plugin is found by its file name on the plugin path
 *   only (the path recorded in the model is never opened).
 *
 * Thread safety: the library has no global mutable state. A loaded model is immutable; any
 * number of threads may predict with, and describe, one model at the same time. Only
 * bp_model_free must not run concurrently with other calls on the same model.
 * bp_last_error() is per thread.
 */
#ifndef BACKPROP_H
#define BACKPROP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ------------------------------------------------------------------------- */

/** The version of the API this header describes. */
#define BP_VERSION_MAJOR 1
#define BP_VERSION_MINOR 1
#define BP_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH, as bp_version() returns it. */
#define BP_VERSION_NUMBER (BP_VERSION_MAJOR * 10000 + BP_VERSION_MINOR * 100 + BP_VERSION_PATCH)
#define BP_VERSION_STRING "1.1.0"
/** The model file format version this library writes (the "version" field of the file); it
 *  reads every version from 1 up to this one. */
#define BP_MODEL_FORMAT_VERSION 2

/** The library's version as BP_VERSION_NUMBER; compare with the header's to detect a mismatch
 *  (same major version: compatible). Cannot fail. */
int bp_version(void);

/** The library's version as text ("1.0.0"). Static storage: never free. Cannot fail. */
const char *bp_version_string(void);

/** The newest model file format version the library reads (and writes); older versions from 1
 *  load too. Cannot fail. */
int bp_model_format_version(void);

/* ---- Status and errors ---------------------------------------------------------------- */

/** What a call returns. New codes are only ever appended. */
typedef enum bp_status {
    BP_OK = 0,
    BP_ERR_NULL = 1,             /* a required pointer or handle is NULL */
    BP_ERR_SIZE = 2,             /* a row count or buffer length is zero or does not fit the model */
    BP_ERR_INDEX = 3,            /* an input, output, feature or category index is out of range */
    BP_ERR_UNKNOWN_CATEGORY = 4, /* a categorical input holds a value that stands for no category */
    BP_ERR_NAN = 5,              /* an input value is NaN or infinite */
    BP_ERR_NOT_FOUND = 6,        /* the file does not exist */
    BP_ERR_IO = 7,               /* the file exists but cannot be read */
    BP_ERR_CORRUPT = 8,          /* not a model file: not JSON, wrong magic, malformed fields */
    BP_ERR_TRUNCATED = 9,        /* the model file is empty or ends early */
    BP_ERR_VERSION = 10,         /* the model file has another format version */
    BP_ERR_PIPELINE = 11,        /* bp_pipeline_run: the pipeline file is invalid */
    BP_ERR_DATA = 12,            /* bad data: a pipeline's CSV, or rows a plugin transform refused */
    BP_ERR_TRAINING = 13,        /* bp_pipeline_run: training failed (loss not finite) */
    BP_ERR_OUTPUT = 14,          /* bp_pipeline_run: an output file could not be written */
    BP_ERR_INTERNAL = 15,        /* anything else (a bug: please report the message) */
    BP_ERR_PLUGINS_NOT_ALLOWED = 16 /* (since 1.1) the model has plugin steps, which run a shared
                                       library's code, and the caller did not allow plugins */
} bp_status;

/** The name of a status ("BP_ERR_NAN"), or "BP_UNKNOWN_STATUS". Static storage: never free. */
const char *bp_status_name(bp_status status);

/** The message of the last call that failed on the calling thread, or "" if none has.
 *  Borrowed: valid until the next failing call on this thread. Successful calls leave it. */
const char *bp_last_error(void);

/* ---- Models --------------------------------------------------------------------------- */

/** A loaded model: opaque, immutable, owned by the caller, freed with bp_model_free. */
typedef struct bp_model bp_model;

/** Loads the model file at `path` (UTF-8), with plugins refused. On BP_OK, *out_model is a new
 *  model the caller owns (free with bp_model_free); on failure it is untouched.
 *  Errors: BP_ERR_NULL, BP_ERR_NOT_FOUND, BP_ERR_IO (also: not a regular file, too large),
 *  BP_ERR_CORRUPT (also: checksum mismatch), BP_ERR_TRUNCATED, BP_ERR_VERSION,
 *  BP_ERR_PLUGINS_NOT_ALLOWED. */
bp_status bp_model_load(const char *path, bp_model **out_model);

/** Loads a model from the `size` bytes at `data` (the contents of a model file), with plugins
 *  refused. `data` is borrowed for the call only. Ownership of *out_model as for bp_model_load.
 *  Errors: BP_ERR_NULL, BP_ERR_SIZE (over the size limit), BP_ERR_TRUNCATED (also for size 0),
 *  BP_ERR_CORRUPT, BP_ERR_VERSION, BP_ERR_PLUGINS_NOT_ALLOWED. */
bp_status bp_model_load_buffer(const void *data, size_t size, bp_model **out_model);

/** (since 1.1) Options of bp_model_load_ex and bp_model_load_buffer_ex. Caller-owned, borrowed
 *  for the call. Set `struct_size` to sizeof(bp_load_options): fields are only ever appended,
 *  and the library reads only the fields `struct_size` covers (later ones take their default). */
typedef struct bp_load_options {
    size_t struct_size;      /* sizeof(bp_load_options) as the caller was compiled */
    unsigned int flags;      /* BP_LOAD_* bits; 0 = the defaults */
    const char *plugin_path; /* with BP_LOAD_ALLOW_PLUGINS: colon-separated folders where plugin
                                libraries are looked for by file name (libNAME.so); NULL: the
                                BACKPROP_PLUGIN_PATH environment variable */
} bp_load_options;

/** Allow the model's plugin steps: load each one's library (running its code) from the plugin
 *  path. Without it, a model with plugin steps gives BP_ERR_PLUGINS_NOT_ALLOWED. */
#define BP_LOAD_ALLOW_PLUGINS 1u

/** (since 1.1) bp_model_load with `options` (NULL: the defaults, as bp_model_load).
 *  Errors: as bp_model_load, and BP_ERR_SIZE (struct_size too small, unknown flag bits). */
bp_status bp_model_load_ex(const char *path, const bp_load_options *options, bp_model **out_model);

/** (since 1.1) bp_model_load_buffer with `options` (NULL: the defaults).
 *  Errors: as bp_model_load_buffer, and BP_ERR_SIZE as bp_model_load_ex. */
bp_status bp_model_load_buffer_ex(const void *data, size_t size, const bp_load_options *options,
                                  bp_model **out_model);

/** Frees a model and every string it lent. NULL is allowed and does nothing. */
void bp_model_free(bp_model *model);

/* ---- Describing a model --------------------------------------------------------------- */

/** Number of raw values per row for bp_model_predict_raw: the input columns. */
bp_status bp_model_input_count(const bp_model *model, size_t *out_count);

/** Number of values each row predicts. */
bp_status bp_model_output_count(const bp_model *model, size_t *out_count);

/** Number of preprocessed values per row for bp_model_predict_features. */
bp_status bp_model_feature_count(const bp_model *model, size_t *out_count);

/** The name of raw input `index` (0-based, in the order rows pass them), as in the training
 *  CSV. *out_name is borrowed: valid until bp_model_free(model). Errors: BP_ERR_NULL, BP_ERR_INDEX. */
bp_status bp_model_input_name(const bp_model *model, size_t index, const char **out_name);

/** Whether raw input `index` is categorical (*out_flag 1) or numeric (0). */
bp_status bp_model_input_is_categorical(const bp_model *model, size_t index, int *out_flag);

/** The number of categories the model knows for input `index` (0 for a numeric input). */
bp_status bp_model_input_category_count(const bp_model *model, size_t index, size_t *out_count);

/** Category `category` of input `input`: its label and the value that stands for it in a raw
 *  row. The value is the label's number when every label of the input is a number ("2" -> 2),
 *  else the label's 0-based position. *out_label is borrowed until bp_model_free(model).
 *  Errors: BP_ERR_NULL, BP_ERR_INDEX. */
bp_status bp_model_input_category(const bp_model *model, size_t input, size_t category,
                                  const char **out_label, double *out_value);

/** The name of output `index`: the target column for a one-output model (for a two-class
 *  model, the probability of the positive class, the model file's "positive_class"), else
 *  "target_LABEL" per class ("species_setosa") or "target_k".
 *  *out_name is borrowed until bp_model_free(model). Errors: BP_ERR_NULL, BP_ERR_INDEX. */
bp_status bp_model_output_name(const bp_model *model, size_t index, const char **out_name);

/** The name of preprocessed feature `index` ("gre", "rank_1", ...). Borrowed until
 *  bp_model_free(model). Errors: BP_ERR_NULL, BP_ERR_INDEX. */
bp_status bp_model_feature_name(const bp_model *model, size_t index, const char **out_name);

/* ---- Predicting ------------------------------------------------------------------------ */

/** Predicts `n_rows` raw rows. `rows` (borrowed for the call) holds n_rows * input_count values,
 *  row-major, each row's values in input order; categorical inputs hold the value standing for
 *  the category (see bp_model_input_category). The fitted preprocessing is applied inside.
 *  `out` (caller-owned) receives n_rows * output_count values, row-major. Every row is checked
 *  before anything is written. Missing values: NaN means "missing" for an input the model
 *  imputes (an `impute` step in its preprocessing fills it with the value fitted at training,
 *  numeric or categorical); for any other input NaN, like an infinite value, is BP_ERR_NAN.
 *  A one-hot input with "unknown": "ignore" encodes an unknown category as all zeros.
 *  Errors: BP_ERR_NULL, BP_ERR_SIZE (n_rows 0), BP_ERR_NAN, BP_ERR_UNKNOWN_CATEGORY, BP_ERR_DATA. */
bp_status bp_model_predict_raw(const bp_model *model, const double *rows, size_t n_rows, double *out);

/** bp_model_predict_raw with the buffer lengths checked: `n_values` (values in `rows`) must be
 *  a non-zero multiple of input_count, and `out_capacity` (values `out` can hold) at least
 *  rows * output_count; else BP_ERR_SIZE. */
bp_status bp_model_predict_raw_sized(const bp_model *model, const double *rows, size_t n_values,
                                     double *out, size_t out_capacity);

/** Predicts `n_rows` already-preprocessed rows (feature_count values each, row-major, in feature
 *  order) into `out` (n_rows * output_count values). Buffers as for bp_model_predict_raw.
 *  Errors: BP_ERR_NULL, BP_ERR_SIZE, BP_ERR_NAN. */
bp_status bp_model_predict_features(const bp_model *model, const double *rows, size_t n_rows, double *out);

/** bp_model_predict_features with the buffer lengths checked, as bp_model_predict_raw_sized. */
bp_status bp_model_predict_features_sized(const bp_model *model, const double *rows, size_t n_values,
                                          double *out, size_t out_capacity);

/* ---- Training ------------------------------------------------------------------------- */

/** Receives one progress line (borrowed for the call) and the caller's `user_data`. */
typedef void (*bp_log_fn)(const char *line, void *user_data);

/** Runs the pipeline file at `path` (UTF-8; relative paths inside it resolve against its folder):
 *  ingest, preprocessing, training, evaluation, and the model and report files it names (written
 *  only when every stage succeeds). `log` may be NULL (silent); it is called on the calling
 *  thread. `user_data` is passed through untouched and may be NULL.
 *  Errors: BP_ERR_NULL, BP_ERR_NOT_FOUND, BP_ERR_PIPELINE, BP_ERR_DATA, BP_ERR_TRAINING,
 *  BP_ERR_CORRUPT (a model it reads), BP_ERR_OUTPUT. */
bp_status bp_pipeline_run(const char *path, bp_log_fn log, void *user_data);

/** Receives the JSON document of a finished run (UTF-8, borrowed for the call only: copy it to
 *  keep it) and the caller's `user_data`. */
typedef void (*bp_result_fn)(const char *json, void *user_data);

/** bp_pipeline_run, then, when every stage succeeded and every output was written, calls
 *  `result` once, on the calling thread, with the run's results as one JSON document: the one
 *  `pipeline run --json` prints ("training": losses and gradient norms; "test": the metrics;
 *  "outputs": the files written). `result` is required; the user data pointers may be NULL.
 *  On failure `result` is not called. Since 1.1.
 *  Errors: as bp_pipeline_run. */
bp_status bp_pipeline_run_json(const char *path, bp_log_fn log, void *log_user_data,
                               bp_result_fn result, void *result_user_data);

#ifdef __cplusplus
}
#endif

#endif /* BACKPROP_H */
