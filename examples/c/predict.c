/*
 * Predicts every row of a CSV file with a Backprop model through the C ABI.
 *
 *   predict MODEL.json ROWS.csv [--allow-plugins]
 *
 * With --allow-plugins, a model with plugin steps loads their libraries (running their code)
 * by file name from BACKPROP_PLUGIN_PATH; without it such a model is refused.
 *
 * ROWS.csv has a header line; the model's input columns are found by name (other columns are
 * ignored), categorical ones hold the category labels as in the training data. Prints one line
 * per row: the outputs, comma-separated, with full precision. Plain comma-separated values only
 * (no quoted fields): this is an example of the API, not a CSV reader.
 */
#include <backprop.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LINE = 4096, MAX_FIELDS = 256 };

/* Splits `line` in place at commas; trims spaces and the line end. Returns the field count. */
static size_t split(char *line, char *fields[MAX_FIELDS]) {
    size_t count = 0;
    char *start = line;
    for (;;) {
        char *end = strchr(start, ',');
        if (end != NULL) *end = '\0';
        while (*start == ' ') start++;
        size_t length = strlen(start);
        while (length > 0 && strchr(" \r\n", start[length - 1]) != NULL) start[--length] = '\0';
        if (count < MAX_FIELDS) fields[count++] = start;
        if (end == NULL) return count;
        start = end + 1;
    }
}

/* The raw value for `text` in input `input`: the category's value, or the number. */
static int raw_value(const bp_model *model, size_t input, const char *text, double *out) {
    int categorical = 0;
    if (bp_model_input_is_categorical(model, input, &categorical) != BP_OK) return 0;
    if (categorical) {
        size_t count = 0;
        if (bp_model_input_category_count(model, input, &count) != BP_OK) return 0;
        for (size_t k = 0; k < count; k++) {
            const char *label = NULL;
            double value = 0;
            if (bp_model_input_category(model, input, k, &label, &value) != BP_OK) return 0;
            if (strcmp(label, text) == 0) { *out = value; return 1; }
        }
        fprintf(stderr, "unknown category \"%s\"\n", text);
        return 0;
    }
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0) {
        fprintf(stderr, "not a number: \"%s\"\n", text);
        return 0;
    }
    *out = value;
    return 1;
}

int main(int argc, char **argv) {
    int allow_plugins = argc == 4 && strcmp(argv[3], "--allow-plugins") == 0;
    if (argc != 3 && !allow_plugins) {
        fprintf(stderr, "usage: %s MODEL.json ROWS.csv [--allow-plugins]\n", argv[0]);
        return 2;
    }
    if (bp_version() / 10000 != BP_VERSION_MAJOR) {
        fprintf(stderr, "libbackprop %s does not match backprop.h %s\n", bp_version_string(), BP_VERSION_STRING);
        return 1;
    }
    bp_model *model = NULL;
    bp_load_options options = {sizeof options, allow_plugins ? BP_LOAD_ALLOW_PLUGINS : 0u, NULL};
    bp_status loaded = bp_model_load_ex(argv[1], &options, &model);
    if (loaded != BP_OK) {
        fprintf(stderr, "error: %s: %s\n", bp_status_name(loaded), bp_last_error());
        return 1;
    }
    size_t inputs = 0, outputs = 0;
    bp_model_input_count(model, &inputs);
    bp_model_output_count(model, &outputs);

    FILE *file = fopen(argv[2], "r");
    if (file == NULL) {
        fprintf(stderr, "error: cannot open %s\n", argv[2]);
        bp_model_free(model);
        return 1;
    }
    int status = 1;
    char line[MAX_LINE];
    char *fields[MAX_FIELDS];
    size_t column_of[MAX_FIELDS];
    double *row = calloc(inputs, sizeof *row);
    double *prediction = calloc(outputs, sizeof *prediction);
    if (row == NULL || prediction == NULL || inputs > MAX_FIELDS || fgets(line, sizeof line, file) == NULL) goto done;

    /* The header: where each model input is. */
    size_t columns = split(line, fields);
    for (size_t i = 0; i < inputs; i++) {
        const char *name = NULL;
        bp_model_input_name(model, i, &name);
        size_t c = 0;
        while (c < columns && strcmp(fields[c], name) != 0) c++;
        if (c == columns) {
            fprintf(stderr, "error: %s has no column '%s'\n", argv[2], name);
            goto done;
        }
        column_of[i] = c;
    }

    while (fgets(line, sizeof line, file) != NULL) {
        if (split(line, fields) != columns) {
            if (line[0] == '\0') continue;
            fprintf(stderr, "error: a row does not have %zu fields\n", columns);
            goto done;
        }
        for (size_t i = 0; i < inputs; i++) {
            if (!raw_value(model, i, fields[column_of[i]], &row[i])) goto done;
        }
        if (bp_model_predict_raw(model, row, 1, prediction) != BP_OK) {
            fprintf(stderr, "error: %s\n", bp_last_error());
            goto done;
        }
        for (size_t o = 0; o < outputs; o++) printf(o == 0 ? "%.17g" : ",%.17g", prediction[o]);
        printf("\n");
    }
    status = 0;
done:
    free(row);
    free(prediction);
    fclose(file);
    bp_model_free(model);
    return status;
}
