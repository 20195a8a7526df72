#ifndef BACKPROP_COLUMN_BUILDER_H
#define BACKPROP_COLUMN_BUILDER_H
/* Typed columns from the fields of one part of a CSV file, built inside libcsv's callbacks: a
   number field is parsed (bp_parse_finite_double, inline: fast_float, exact) straight into its column's
   double buffer, a label field is handed to a callback that returns its code. The record rules
   are CSVColumnSink's (Sources/Backprop/Data/CSVColumnSink.swift), the only user: a record with
   another field count, a missing value (with BP_MISSING_ERROR) or a field that is not a finite
   number stops the part, and the builder says which record and column. Records are counted from
   the part's first one. Nothing here allocates beyond what the rows need; a failed allocation is
   a failure (BP_BUILD_OUT_OF_MEMORY), never an abort. */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Internal to Backprop: never exported from libbackprop.so (whose ABI is include/backprop.h). */
#define BP_COLUMN_BUILDER_API __attribute__((visibility("hidden")))

/* What becomes of a column. */
enum { BP_COLUMN_SKIP = 0, BP_COLUMN_NUMBER = 1, BP_COLUMN_LABEL = 2 };
/* What a record with a missing value does: stop the part, leave the record out, keep it (NaN). */
enum { BP_MISSING_ERROR = 0, BP_MISSING_DROP = 1, BP_MISSING_KEEP = 2 };
/* Why the builder stopped taking rows. */
enum {
    BP_BUILD_OK = 0,
    BP_BUILD_RAGGED = 1,        /* record `record` has `fields` fields, not the header's count */
    BP_BUILD_MISSING = 2,       /* record `record` misses a value in `column` */
    BP_BUILD_NOT_NUMBER = 3,    /* record `record`'s `column` is `text` (its first bytes), not a finite number */
    BP_BUILD_OUT_OF_MEMORY = 4, /* the rows up to record `record` did not fit in memory */
    BP_BUILD_STOPPED = 5,       /* bp_column_builder_stop was called */
    BP_BUILD_FULL = 6           /* record `record` did not fit in the caller's number buffers */
};

/* Returns the code of the label `bytes` (`length` bytes, borrowed for the call) of label column
   `slot` (the label columns numbered from 0 in column order). */
typedef uint32_t (*bp_label_code_function)(void *context, size_t slot, const char *bytes, size_t length);

/* One part's columns under construction. */
typedef struct bp_column_builder bp_column_builder;

/* The first problem of a part, or kind BP_BUILD_OK. */
typedef struct {
    int kind;
    int64_t record;          /* records before it in the part */
    int64_t column;          /* the column at fault (BP_BUILD_MISSING, BP_BUILD_NOT_NUMBER) */
    int64_t fields;          /* the record's field count (BP_BUILD_RAGGED) */
    const char *text;        /* BP_BUILD_NOT_NUMBER: the field's first `text_length` bytes, trimmed */
    size_t text_length;      /* at most BP_BAD_FIELD_PREFIX */
    size_t field_length;     /* the trimmed field's whole length */
} bp_build_failure;

/* Bytes of a bad field kept for the message. */
#define BP_BAD_FIELD_PREFIX 320

/* A builder for records of `width` fields with one role per field (BP_COLUMN_*; `roles` is
   copied). A field is missing when, without leading and trailing spaces and tabs, it is empty or
   equals one of the `marker_count` markers (copied). Returns NULL when out of memory. */
BP_COLUMN_BUILDER_API bp_column_builder *bp_column_builder_create(
    const uint8_t *roles, size_t width, const char *const *markers, const size_t *marker_lengths, size_t marker_count,
    int missing_rows, bp_label_code_function label_code, void *label_context);

/* Sets the context passed to the label callback. */
BP_COLUMN_BUILDER_API void bp_column_builder_set_label_context(bp_column_builder *builder, void *label_context);

/* Frees the builder and every buffer it still holds. NULL is ignored. */
BP_COLUMN_BUILDER_API void bp_column_builder_free(bp_column_builder *builder);

/* libcsv's field callback (`data` is the builder): one field, NULL for an empty unquoted one. */
BP_COLUMN_BUILDER_API void bp_column_builder_field(void *field, size_t length, void *builder);

/* libcsv's record callback (`data` is the builder): the end of a record. */
BP_COLUMN_BUILDER_API void bp_column_builder_record(int terminator, void *builder);

/* Takes no more rows (the caller found a problem of its own); records are still counted. */
BP_COLUMN_BUILDER_API void bp_column_builder_stop(bp_column_builder *builder);

/* The first problem, or kind BP_BUILD_OK; valid until the builder changes. */
BP_COLUMN_BUILDER_API bp_build_failure bp_column_builder_failure(const bp_column_builder *builder);

/* Records seen since the part's start (kept, dropped, failed). */
BP_COLUMN_BUILDER_API int64_t bp_column_builder_records(const bp_column_builder *builder);

/* Rows kept (and not taken out by bp_column_builder_take_rows). */
BP_COLUMN_BUILDER_API size_t bp_column_builder_rows(const bp_column_builder *builder);

/* The kept rows' values of number column `slot` (number columns numbered from 0 in column
   order), or NULL when released or `slot` is out of range. */
BP_COLUMN_BUILDER_API const double *bp_column_builder_numbers(const bp_column_builder *builder, size_t slot);

/* The kept rows' codes of label column `slot`, or NULL when released or out of range. */
BP_COLUMN_BUILDER_API const uint32_t *bp_column_builder_codes(const bp_column_builder *builder, size_t slot);

/* Frees number column `slot`'s buffer once its values are copied (later reads give NULL); only
   when the builder takes no more rows (stopped or failed), else does nothing. Different slots
   may be released on different threads at once. */
BP_COLUMN_BUILDER_API void bp_column_builder_release_numbers(bp_column_builder *builder, size_t slot);

/* The records left out for a missing value (BP_MISSING_DROP), counted from the part's start. */
BP_COLUMN_BUILDER_API size_t bp_column_builder_dropped_count(const bp_column_builder *builder);
BP_COLUMN_BUILDER_API const int64_t *bp_column_builder_dropped(const bp_column_builder *builder);

/* Makes the builder write its number columns into the caller's buffers, `buffers[slot]` for
   number column `slot`, each of `capacity` values (borrowed until the builder is freed; never
   grown or freed here): row `r` of the part goes to `buffers[slot][r]`. A record that would be
   row `capacity` or later stops the builder (BP_BUILD_FULL) before anything is written out of
   bounds. Only on a new builder; returns 0, or -1 (nothing changed). Such a builder's rows
   cannot be taken (bp_column_builder_take_rows) or its buffers released. */
BP_COLUMN_BUILDER_API int bp_column_builder_use_number_buffers(bp_column_builder *builder, double *const *buffers, size_t capacity);

/* Maps the whole pages of the caller's number buffers in one go (MADV_POPULATE_WRITE), cheaper
   than a page fault per page when the rows are written; nothing for a builder's own buffers. */
BP_COLUMN_BUILDER_API void bp_column_builder_prefault(bp_column_builder *builder);

/* The line feed bytes among `length` bytes. */
BP_COLUMN_BUILDER_API size_t bp_count_line_feeds(const char *bytes, size_t length);

/* Moves the rows completed so far into `taken`, a new builder of the same columns, as if they
   had been a part of their own (its records: those since the last take; its dropped records
   counted from there); `builder` goes on with the record in progress, and its records still
   count from the part's start. Returns 0, or -1 (nothing moved) when `taken` is not a new
   builder of the same columns or a column was released. */
BP_COLUMN_BUILDER_API int bp_column_builder_take_rows(bp_column_builder *builder, bp_column_builder *taken);

#ifdef __cplusplus
}
#endif
#endif
