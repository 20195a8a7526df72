// The column builder behind CSVColumnSink: libcsv's callbacks write typed column buffers.
#include "column_builder.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

#include "number_parsing.h"

namespace {

// The first buffers hold up to 4096 rows and 1 MiB in all (a file of many columns starts small).
constexpr size_t most_first_rows = 4096;
constexpr size_t first_bytes = 1 << 20;
constexpr size_t least_first_rows = 16;

size_t first_capacity(size_t number_count, size_t label_count) {
    size_t row_bytes = number_count * sizeof(double) + label_count * sizeof(uint32_t) + 1;
    size_t rows = first_bytes / row_bytes;
    return rows < least_first_rows ? least_first_rows : rows > most_first_rows ? most_first_rows : rows;
}

struct marker {
    char *bytes;
    size_t length;
};

bool is_space(char byte) { return byte == ' ' || byte == '\t'; }

// Grows `*buffer` of `count` elements of `size` bytes to `capacity`; false (buffer unchanged) when out of memory.
bool grow(void **buffer, size_t capacity, size_t size) {
    if (capacity > std::numeric_limits<size_t>::max() / size) return false;
    void *grown = std::realloc(*buffer, capacity * size);
    if (grown == nullptr) return false;
    *buffer = grown;
    return true;
}

}  // namespace

struct bp_column_builder {
    size_t width;
    uint8_t *roles;
    size_t *slots;            // per column: its number or label slot
    marker *markers;
    size_t marker_count;
    size_t longest_marker;
    int missing_rows;
    bp_label_code_function label_code;
    void *label_context;

    size_t number_count;
    size_t label_count;
    double **numbers;         // per number column: `number_capacity` values, the first `rows` kept
    uint32_t **codes;         // per label column: `capacity` values, the first `rows` kept
    size_t rows;
    size_t capacity;          // > rows: the record in progress writes at index `rows`
    size_t number_capacity;   // = capacity, or the fixed size of the caller's number buffers
    bool caller_numbers;      // the number buffers are the caller's (bp_column_builder_use_number_buffers)
    bool overflowed;          // the record in progress did not fit in the caller's number buffers
    int64_t *dropped;
    size_t dropped_count;
    size_t dropped_capacity;

    int64_t records;          // since the part's start
    int64_t taken_records;    // records moved out by take_rows
    size_t column;            // fields of the record in progress
    int64_t missing_column;   // first missing field of the record in progress, or -1
    int64_t bad_column;       // first bad number of the record in progress, or -1
    size_t bad_length;
    size_t bad_kept;
    char bad_text[BP_BAD_FIELD_PREFIX];

    bp_build_failure failure;
    char failure_text[BP_BAD_FIELD_PREFIX];
};

namespace {

bool is_missing(const bp_column_builder *builder, const char *text, size_t length) {
    if (length == 0) return true;
    if (length > builder->longest_marker) return false;
    for (size_t index = 0; index < builder->marker_count; ++index) {
        const marker &candidate = builder->markers[index];
        if (candidate.length == length && std::memcmp(candidate.bytes, text, length) == 0) return true;
    }
    return false;
}

void fail(bp_column_builder *builder, int kind, int64_t record) {
    builder->failure.kind = kind;
    builder->failure.record = record;
}

// Every column buffer grown (or first allocated) to `capacity` rows; false when out of memory
// (the capacity then stays as it was: buffers already grown are only larger).
bool resize_columns(bp_column_builder *builder, size_t capacity) {
    for (size_t slot = 0; !builder->caller_numbers && slot < builder->number_count; ++slot) {
        if (!grow(reinterpret_cast<void **>(&builder->numbers[slot]), capacity, sizeof(double))) return false;
    }
    if (!builder->caller_numbers) builder->number_capacity = capacity;
    for (size_t slot = 0; slot < builder->label_count; ++slot) {
        if (!grow(reinterpret_cast<void **>(&builder->codes[slot]), capacity, sizeof(uint32_t))) return false;
    }
    builder->capacity = capacity;
    return true;
}

// Room for one more row after the last kept one; false when out of memory.
bool reserve_next_row(bp_column_builder *builder) {
    return builder->rows < builder->capacity || resize_columns(builder, builder->capacity * 2);
}

}  // namespace

extern "C" bp_column_builder *bp_column_builder_create(
    const uint8_t *roles, size_t width, const char *const *markers, const size_t *marker_lengths, size_t marker_count,
    int missing_rows, bp_label_code_function label_code, void *label_context) {
    auto *builder = static_cast<bp_column_builder *>(std::calloc(1, sizeof(bp_column_builder)));
    if (builder == nullptr) return nullptr;
    builder->width = width;
    builder->missing_rows = missing_rows;
    builder->label_code = label_code;
    builder->label_context = label_context;
    builder->missing_column = -1;
    builder->bad_column = -1;
    builder->roles = static_cast<uint8_t *>(std::calloc(width + 1, 1));
    builder->slots = static_cast<size_t *>(std::calloc(width + 1, sizeof(size_t)));
    builder->markers = static_cast<marker *>(std::calloc(marker_count + 1, sizeof(marker)));
    bool complete = builder->roles != nullptr && builder->slots != nullptr && builder->markers != nullptr;
    for (size_t index = 0; complete && index < width; ++index) {
        uint8_t role = roles[index];
        builder->roles[index] = role == BP_COLUMN_NUMBER || role == BP_COLUMN_LABEL ? role : BP_COLUMN_SKIP;
        if (role == BP_COLUMN_NUMBER) builder->slots[index] = builder->number_count++;
        if (role == BP_COLUMN_LABEL) builder->slots[index] = builder->label_count++;
    }
    for (size_t index = 0; complete && index < marker_count; ++index) {
        size_t length = marker_lengths[index];
        char *copy = static_cast<char *>(std::malloc(length + 1));
        if (copy == nullptr) { complete = false; break; }
        if (length > 0) std::memcpy(copy, markers[index], length);
        builder->markers[index] = {copy, length};
        builder->marker_count = index + 1;
        if (length > builder->longest_marker) builder->longest_marker = length;
    }
    if (complete) {
        builder->numbers = static_cast<double **>(std::calloc(builder->number_count + 1, sizeof(double *)));
        builder->codes = static_cast<uint32_t **>(std::calloc(builder->label_count + 1, sizeof(uint32_t *)));
        complete = builder->numbers != nullptr && builder->codes != nullptr && resize_columns(builder, first_capacity(builder->number_count, builder->label_count));
    }
    if (!complete) {
        bp_column_builder_free(builder);
        return nullptr;
    }
    return builder;
}

extern "C" void bp_column_builder_set_label_context(bp_column_builder *builder, void *label_context) {
    builder->label_context = label_context;
}

extern "C" void bp_column_builder_free(bp_column_builder *builder) {
    if (builder == nullptr) return;
    for (size_t slot = 0; !builder->caller_numbers && builder->numbers != nullptr && slot < builder->number_count; ++slot) std::free(builder->numbers[slot]);
    for (size_t slot = 0; builder->codes != nullptr && slot < builder->label_count; ++slot) std::free(builder->codes[slot]);
    for (size_t index = 0; builder->markers != nullptr && index < builder->marker_count; ++index) std::free(builder->markers[index].bytes);
    std::free(builder->numbers);
    std::free(builder->codes);
    std::free(builder->markers);
    std::free(builder->slots);
    std::free(builder->roles);
    std::free(builder->dropped);
    std::free(builder);
}

extern "C" void bp_column_builder_field(void *field, size_t length, void *data) {
    auto *builder = static_cast<bp_column_builder *>(data);
    size_t index = builder->column++;
    if (builder->failure.kind != BP_BUILD_OK || index >= builder->width) return;
    uint8_t role = builder->roles[index];
    if (role == BP_COLUMN_SKIP) return;
    const char *text = field == nullptr ? "" : static_cast<const char *>(field);
    if (field == nullptr) length = 0;
    if (length > 0 && (is_space(text[0]) || is_space(text[length - 1]))) {
        while (length > 0 && is_space(text[0])) { ++text; --length; }
        while (length > 0 && is_space(text[length - 1])) --length;
    }
    size_t slot = builder->slots[index], row = builder->rows;
    if (role == BP_COLUMN_NUMBER && row >= builder->number_capacity) {
        builder->overflowed = true;  // only with the caller's buffers: ours always hold the record in progress
        return;
    }
    if (is_missing(builder, text, length)) {
        if (builder->missing_column < 0) builder->missing_column = static_cast<int64_t>(index);
        if (role == BP_COLUMN_NUMBER) {
            builder->numbers[slot][row] = std::numeric_limits<double>::quiet_NaN();
        } else {
            builder->codes[slot][row] = builder->label_code(builder->label_context, slot, text, length);
        }
        return;
    }
    if (role == BP_COLUMN_LABEL) {
        builder->codes[slot][row] = builder->label_code(builder->label_context, slot, text, length);
        return;
    }
    if (backprop::parse_finite_double(text, length, &builder->numbers[slot][row]) == 0 && builder->bad_column < 0) {
        builder->bad_column = static_cast<int64_t>(index);
        builder->bad_length = length;
        builder->bad_kept = length < BP_BAD_FIELD_PREFIX ? length : BP_BAD_FIELD_PREFIX;
        std::memcpy(builder->bad_text, text, builder->bad_kept);
    }
}

extern "C" void bp_column_builder_record(int, void *data) {
    auto *builder = static_cast<bp_column_builder *>(data);
    int64_t record = builder->records++;
    size_t fields = builder->column;
    int64_t missing_column = builder->missing_column, bad_column = builder->bad_column;
    bool overflowed = builder->overflowed;
    builder->column = 0;
    builder->missing_column = -1;
    builder->bad_column = -1;
    builder->overflowed = false;
    if (builder->failure.kind != BP_BUILD_OK) return;
    if (overflowed) {
        fail(builder, BP_BUILD_FULL, record);
        return;
    }
    if (fields != builder->width) {
        fail(builder, BP_BUILD_RAGGED, record);
        builder->failure.fields = static_cast<int64_t>(fields);
        return;
    }
    if (missing_column >= 0) {
        if (builder->missing_rows == BP_MISSING_DROP) {
            if (builder->dropped_count == builder->dropped_capacity) {
                size_t capacity = builder->dropped_capacity == 0 ? 64 : builder->dropped_capacity * 2;
                if (!grow(reinterpret_cast<void **>(&builder->dropped), capacity, sizeof(int64_t))) {
                    fail(builder, BP_BUILD_OUT_OF_MEMORY, record);
                    return;
                }
                builder->dropped_capacity = capacity;
            }
            builder->dropped[builder->dropped_count++] = record;
            return;
        }
        if (builder->missing_rows == BP_MISSING_ERROR) {
            fail(builder, BP_BUILD_MISSING, record);
            builder->failure.column = missing_column;
            return;
        }
    }
    if (bad_column >= 0) {
        fail(builder, BP_BUILD_NOT_NUMBER, record);
        builder->failure.column = bad_column;
        std::memcpy(builder->failure_text, builder->bad_text, builder->bad_kept);
        builder->failure.text = builder->failure_text;
        builder->failure.text_length = builder->bad_kept;
        builder->failure.field_length = builder->bad_length;
        return;
    }
    builder->rows += 1;
    if (!reserve_next_row(builder)) {
        builder->rows -= 1;
        fail(builder, BP_BUILD_OUT_OF_MEMORY, record);
    }
}

extern "C" void bp_column_builder_stop(bp_column_builder *builder) {
    if (builder->failure.kind == BP_BUILD_OK) fail(builder, BP_BUILD_STOPPED, builder->records);
}

extern "C" bp_build_failure bp_column_builder_failure(const bp_column_builder *builder) { return builder->failure; }

extern "C" int64_t bp_column_builder_records(const bp_column_builder *builder) { return builder->records; }

extern "C" size_t bp_column_builder_rows(const bp_column_builder *builder) { return builder->rows; }

extern "C" const double *bp_column_builder_numbers(const bp_column_builder *builder, size_t slot) {
    return slot < builder->number_count ? builder->numbers[slot] : nullptr;
}

extern "C" const uint32_t *bp_column_builder_codes(const bp_column_builder *builder, size_t slot) {
    return slot < builder->label_count ? builder->codes[slot] : nullptr;
}

extern "C" void bp_column_builder_release_numbers(bp_column_builder *builder, size_t slot) {
    // No row may be written into a released buffer: only a stopped builder lets go of one.
    if (slot >= builder->number_count || builder->failure.kind == BP_BUILD_OK || builder->caller_numbers) return;
    std::free(builder->numbers[slot]);
    builder->numbers[slot] = nullptr;
}

extern "C" size_t bp_column_builder_dropped_count(const bp_column_builder *builder) { return builder->dropped_count; }

extern "C" const int64_t *bp_column_builder_dropped(const bp_column_builder *builder) { return builder->dropped; }

extern "C" int bp_column_builder_take_rows(bp_column_builder *builder, bp_column_builder *taken) {
    if (taken->number_count != builder->number_count || taken->label_count != builder->label_count ||
        taken->records != 0 || taken->rows != 0 || taken->dropped_count != 0 ||
        builder->caller_numbers || taken->caller_numbers) return -1;
    for (size_t slot = 0; slot < builder->number_count; ++slot) {
        if (builder->numbers[slot] == nullptr || taken->numbers[slot] == nullptr) return -1;  // released
    }
    // The record in progress goes on in the taken builder's fresh buffers, at row 0.
    for (size_t slot = 0; slot < builder->number_count; ++slot) {
        taken->numbers[slot][0] = builder->numbers[slot][builder->rows];
        std::swap(builder->numbers[slot], taken->numbers[slot]);
    }
    for (size_t slot = 0; slot < builder->label_count; ++slot) {
        taken->codes[slot][0] = builder->codes[slot][builder->rows];
        std::swap(builder->codes[slot], taken->codes[slot]);
    }
    std::swap(builder->capacity, taken->capacity);
    std::swap(builder->number_capacity, taken->number_capacity);
    taken->rows = builder->rows;
    builder->rows = 0;
    taken->records = builder->records - builder->taken_records;
    for (size_t index = 0; index < builder->dropped_count; ++index) builder->dropped[index] -= builder->taken_records;
    std::swap(builder->dropped, taken->dropped);
    std::swap(builder->dropped_capacity, taken->dropped_capacity);
    taken->dropped_count = builder->dropped_count;
    builder->dropped_count = 0;
    builder->taken_records = builder->records;
    return 0;
}

extern "C" int bp_column_builder_use_number_buffers(bp_column_builder *builder, double *const *buffers, size_t capacity) {
    if (builder->records != 0 || builder->column != 0 || builder->caller_numbers || buffers == nullptr) return -1;
    for (size_t slot = 0; slot < builder->number_count; ++slot) {
        if (buffers[slot] == nullptr) return -1;
    }
    for (size_t slot = 0; slot < builder->number_count; ++slot) {
        std::free(builder->numbers[slot]);
        builder->numbers[slot] = buffers[slot];
    }
    builder->caller_numbers = true;
    builder->number_capacity = capacity;
    return 0;
}

extern "C" size_t bp_count_line_feeds(const char *bytes, size_t length) {
    // Counted in 255-byte runs into byte counters, a loop the compiler turns into vector compares.
    size_t count = 0, index = 0;
    while (index < length) {
        size_t run = length - index < 255 ? length - index : 255;
        unsigned char found = 0;
        for (size_t offset = 0; offset < run; ++offset) found += bytes[index + offset] == '\n';
        count += found;
        index += run;
    }
    return count;
}

extern "C" void bp_column_builder_prefault(bp_column_builder *builder) {
#ifdef MADV_POPULATE_WRITE
    if (!builder->caller_numbers) return;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) return;
    uintptr_t mask = static_cast<uintptr_t>(page) - 1;
    for (size_t slot = 0; slot < builder->number_count; ++slot) {
        uintptr_t start = (reinterpret_cast<uintptr_t>(builder->numbers[slot]) + mask) & ~mask;
        uintptr_t end = (reinterpret_cast<uintptr_t>(builder->numbers[slot] + builder->number_capacity)) & ~mask;
        // Advice only: on a kernel without it (before 5.14) the pages fault in as they are written.
        if (end > start) (void)madvise(reinterpret_cast<void *>(start), end - start, MADV_POPULATE_WRITE);
    }
#else
    (void)builder;
#endif
}
