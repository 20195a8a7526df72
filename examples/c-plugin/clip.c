/*
 * clip: a Backprop preprocessing plugin in C.
 *
 * Fits the minimum and maximum of each chosen column on the training rows, then clips every
 * row's value into those bounds and, with "scale": true, maps them to [0, 1]:
 *
 *     {"stage": "plugin", "library": "libclip.so", "params": {"columns": ["gre"], "scale": true}}
 *
 * Build: gcc -shared -fPIC -std=c11 -Wall -Wextra -Werror -Iinclude \
 *            -o libclip.so examples/c-plugin/clip.c
 *
 * The fitted state is text, one line per column: name, tab, min, tab, max (hexadecimal floats,
 * so that it restores bit for bit).
 */
#include "backprop_plugin.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bp_plugin_instance {
    char **columns;   /* chosen column names, owned */
    size_t count;
    int scale;
    int fitted;
    double *minimum;  /* count entries, owned */
    double *maximum;
    char error[256];
};

static _Thread_local char create_error[256];

static void set_error(char *buffer, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(buffer, 256, format, args);
    va_end(args);
}

/* ---- a small parser for the parameter object: {"columns": [strings], "scale": bool} ---- */

static const char *skip_space(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* Reads a JSON string at p into a new malloc'd buffer; returns the position after it or NULL. */
static const char *read_string(const char *p, char **out) {
    if (*p != '"') return NULL;
    p++;
    size_t length = 0;
    char *text = malloc(strlen(p) + 1);
    if (!text) return NULL;
    while (*p && *p != '"') {
        if (*p == '\\') {
            p++;
            switch (*p) {
            case '"': case '\\': case '/': text[length++] = *p; break;
            case 'n': text[length++] = '\n'; break;
            case 't': text[length++] = '\t'; break;
            default: free(text); return NULL; /* \u escapes are not needed for column names here */
            }
            p++;
        } else {
            text[length++] = *p++;
        }
    }
    if (*p != '"') { free(text); return NULL; }
    text[length] = '\0';
    *out = text;
    return p + 1;
}

static void free_columns(bp_plugin_instance *instance) {
    for (size_t i = 0; i < instance->count; i++) free(instance->columns[i]);
    free(instance->columns);
    instance->columns = NULL;
    instance->count = 0;
}

static int parse_columns(const char **cursor, bp_plugin_instance *instance) {
    const char *p = skip_space(*cursor);
    if (*p != '[') { set_error(create_error, "parameter 'columns': expected an array of strings"); return 0; }
    p = skip_space(p + 1);
    while (*p != ']') {
        char *name = NULL;
        const char *next = read_string(p, &name);
        if (!next) { set_error(create_error, "parameter 'columns': expected an array of strings"); return 0; }
        char **grown = realloc(instance->columns, (instance->count + 1) * sizeof *grown);
        if (!grown) { free(name); set_error(create_error, "out of memory"); return 0; }
        instance->columns = grown;
        instance->columns[instance->count++] = name;
        p = skip_space(next);
        if (*p == ',') p = skip_space(p + 1);
        else if (*p != ']') { set_error(create_error, "parameter 'columns': expected ',' or ']'"); return 0; }
    }
    *cursor = p + 1;
    return 1;
}

static int parse_parameters(const char *json, bp_plugin_instance *instance) {
    const char *p = skip_space(json);
    if (*p != '{') { set_error(create_error, "parameters: expected a JSON object"); return 0; }
    p = skip_space(p + 1);
    while (*p != '}') {
        char *key = NULL;
        const char *next = read_string(p, &key);
        if (!next) { set_error(create_error, "parameters: expected a field name"); return 0; }
        p = skip_space(next);
        if (*p != ':') { free(key); set_error(create_error, "parameters: expected ':'"); return 0; }
        p = skip_space(p + 1);
        if (strcmp(key, "columns") == 0) {
            if (!parse_columns(&p, instance)) { free(key); return 0; }
        } else if (strcmp(key, "scale") == 0) {
            if (strncmp(p, "true", 4) == 0) { instance->scale = 1; p += 4; }
            else if (strncmp(p, "false", 5) == 0) { instance->scale = 0; p += 5; }
            else { free(key); set_error(create_error, "parameter 'scale': expected true or false"); return 0; }
        } else {
            set_error(create_error, "unknown parameter '%s' (known: columns, scale)", key);
            free(key);
            return 0;
        }
        free(key);
        p = skip_space(p);
        if (*p == ',') p = skip_space(p + 1);
        else if (*p != '}') { set_error(create_error, "parameters: expected ',' or '}'"); return 0; }
    }
    if (instance->count == 0) { set_error(create_error, "parameter 'columns': missing or empty (name the columns to clip)"); return 0; }
    return 1;
}

/* ---- the descriptor's functions ---- */

static void clip_destroy(bp_plugin_instance *instance) {
    if (!instance) return;
    free_columns(instance);
    free(instance->minimum);
    free(instance->maximum);
    free(instance);
}

static int clip_create(const char *parameters_json, bp_plugin_instance **out) {
    bp_plugin_instance *instance = calloc(1, sizeof *instance);
    if (!instance) { set_error(create_error, "out of memory"); return BP_PLUGIN_ERROR; }
    if (!parse_parameters(parameters_json, instance)) { clip_destroy(instance); return BP_PLUGIN_ERROR; }
    instance->minimum = calloc(instance->count, sizeof(double));
    instance->maximum = calloc(instance->count, sizeof(double));
    if (!instance->minimum || !instance->maximum) {
        clip_destroy(instance);
        set_error(create_error, "out of memory");
        return BP_PLUGIN_ERROR;
    }
    *out = instance;
    return BP_PLUGIN_OK;
}

/* The position of each chosen column among `names`, or 0 with the error set. */
static int locate(bp_plugin_instance *instance, const char *const *names, size_t columns, size_t *index) {
    for (size_t c = 0; c < instance->count; c++) {
        size_t found = columns;
        for (size_t i = 0; i < columns; i++) {
            if (strcmp(names[i], instance->columns[c]) == 0) { found = i; break; }
        }
        if (found == columns) {
            set_error(instance->error, "no numeric column '%s'", instance->columns[c]);
            return 0;
        }
        index[c] = found;
    }
    return 1;
}

static int clip_fit(bp_plugin_instance *instance, const char *const *names, size_t columns,
                    const double *values, size_t rows) {
    if (rows == 0) { set_error(instance->error, "cannot fit on zero rows"); return BP_PLUGIN_ERROR; }
    size_t *index = malloc(instance->count * sizeof *index);
    if (!index) { set_error(instance->error, "out of memory"); return BP_PLUGIN_ERROR; }
    if (!locate(instance, names, columns, index)) { free(index); return BP_PLUGIN_ERROR; }
    for (size_t c = 0; c < instance->count; c++) {
        double low = values[index[c]], high = values[index[c]];
        for (size_t r = 1; r < rows; r++) {
            double v = values[r * columns + index[c]];
            if (v < low) low = v;
            if (v > high) high = v;
        }
        if (instance->scale && !(high > low)) {
            set_error(instance->error, "cannot scale column '%s': its values do not vary over the %zu fitting rows",
                      instance->columns[c], rows);
            free(index);
            return BP_PLUGIN_ERROR;
        }
        instance->minimum[c] = low;
        instance->maximum[c] = high;
    }
    free(index);
    instance->fitted = 1;
    return BP_PLUGIN_OK;
}

static int clip_transform(bp_plugin_instance *instance, const char *const *names, size_t columns,
                          const double *values, size_t rows, double *output, size_t *rows_out) {
    if (!instance->fitted) { set_error(instance->error, "transform called before fit or restore_state"); return BP_PLUGIN_ERROR; }
    size_t *index = malloc(instance->count * sizeof *index);
    if (!index) { set_error(instance->error, "out of memory"); return BP_PLUGIN_ERROR; }
    if (!locate(instance, names, columns, index)) { free(index); return BP_PLUGIN_ERROR; }
    memcpy(output, values, rows * columns * sizeof(double));
    for (size_t c = 0; c < instance->count; c++) {
        double low = instance->minimum[c], high = instance->maximum[c];
        for (size_t r = 0; r < rows; r++) {
            double *v = &output[r * columns + index[c]];
            if (*v < low) *v = low;
            if (*v > high) *v = high;
            if (instance->scale) *v = (*v - low) / (high - low);
        }
    }
    free(index);
    *rows_out = rows;
    return BP_PLUGIN_OK;
}

static int clip_save_state(const bp_plugin_instance *instance, unsigned char *buffer, size_t capacity,
                           size_t *size_out) {
    if (!instance->fitted) { set_error(((bp_plugin_instance *)instance)->error, "save_state called before fit"); return BP_PLUGIN_ERROR; }
    size_t size = 0;
    char line[512];
    for (size_t c = 0; c < instance->count; c++) {
        int n = snprintf(line, sizeof line, "%s\t%a\t%a\n", instance->columns[c], instance->minimum[c], instance->maximum[c]);
        if (n < 0 || (size_t)n >= sizeof line) { set_error(((bp_plugin_instance *)instance)->error, "column name too long"); return BP_PLUGIN_ERROR; }
        if (buffer && size + (size_t)n <= capacity) memcpy(buffer + size, line, (size_t)n);
        size += (size_t)n;
    }
    *size_out = size;
    return BP_PLUGIN_OK;
}

static int clip_restore_state(bp_plugin_instance *instance, const unsigned char *bytes, size_t size) {
    char *text = malloc(size + 1);
    if (!text) { set_error(instance->error, "out of memory"); return BP_PLUGIN_ERROR; }
    memcpy(text, bytes, size);
    text[size] = '\0';
    const char *p = text;
    for (size_t c = 0; c < instance->count; c++) {
        size_t length = strlen(instance->columns[c]);
        char *end = NULL;
        if (strncmp(p, instance->columns[c], length) != 0 || p[length] != '\t') {
            set_error(instance->error, "saved state does not match the parameters (column '%s')", instance->columns[c]);
            free(text);
            return BP_PLUGIN_ERROR;
        }
        p += length + 1;
        instance->minimum[c] = strtod(p, &end);
        if (end == p || *end != '\t') break;
        p = end + 1;
        instance->maximum[c] = strtod(p, &end);
        if (end == p || *end != '\n') break;
        p = end + 1;
        if (c + 1 == instance->count) {
            free(text);
            instance->fitted = 1;
            return BP_PLUGIN_OK;
        }
    }
    set_error(instance->error, "saved state is malformed");
    free(text);
    return BP_PLUGIN_ERROR;
}

static const char *clip_last_error(const bp_plugin_instance *instance) {
    return instance ? instance->error : create_error;
}

static const bp_plugin_descriptor descriptor = {
    .abi_version = BACKPROP_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(bp_plugin_descriptor),
    .name = "clip",
    .summary = "clip chosen columns to their fitted training range, optionally scaled to [0, 1] (C plugin)",
    .create = clip_create,
    .destroy = clip_destroy,
    .fit = clip_fit,
    .transform = clip_transform,
    .save_state = clip_save_state,
    .restore_state = clip_restore_state,
    .last_error = clip_last_error,
};

const bp_plugin_descriptor *backprop_plugin_descriptor(void) {
    return &descriptor;
}
