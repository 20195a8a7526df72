/*
 * Checks of the C ABI that need C: versions, describe calls, every bad-input status (with the
 * out-parameters left untouched and a message), per-thread messages, loading from memory,
 * training from C, and 8 threads x 10,000 predictions equal to the single-threaded results.
 *
 *   abi_test MODEL.json WORKDIR      (WORKDIR: an empty scratch folder)
 *
 * MODEL.json is the admissions model (inputs gre, gpa, rank; rank one-hot over 1..4).
 */
#include <backprop.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int failures = 0, checks = 0;

#define CHECK(condition, ...)                                                 \
    do {                                                                      \
        checks++;                                                             \
        if (!(condition)) {                                                   \
            failures++;                                                       \
            fprintf(stderr, "FAILED line %d: %s: ", __LINE__, #condition);    \
            fprintf(stderr, __VA_ARGS__);                                     \
            fprintf(stderr, "\n");                                            \
        }                                                                     \
    } while (0)

/* A status check that also wants a message containing `needle`. */
#define CHECK_STATUS(call, expected, needle)                                                   \
    do {                                                                                       \
        bp_status got_ = (call);                                                               \
        CHECK(got_ == (expected), "%s: got %s, want %s (%s)", #call, bp_status_name(got_),     \
              bp_status_name(expected), bp_last_error());                                      \
        CHECK(strstr(bp_last_error(), (needle)) != NULL, "%s: message \"%s\" lacks \"%s\"",    \
              #call, bp_last_error(), (needle));                                               \
    } while (0)

static char *read_file(const char *path, size_t *size) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *data = malloc((size_t)length + 1);
    if (data != NULL && fread(data, 1, (size_t)length, file) != (size_t)length) { free(data); data = NULL; }
    fclose(file);
    if (data != NULL) { data[length] = '\0'; *size = (size_t)length; }
    return data;
}

static void write_file(const char *path, const char *data, size_t size) {
    FILE *file = fopen(path, "wb");
    if (file == NULL) { perror(path); exit(2); }
    fwrite(data, 1, size, file);
    fclose(file);
}

/* Row i of a deterministic set of valid admissions rows: gre, gpa, rank. */
static void make_row(size_t i, double row[3]) {
    row[0] = 200 + (double)((i * 37) % 601);
    row[1] = 2.0 + (double)((i * 13) % 201) / 100.0;
    row[2] = (double)(1 + i % 4);
}

enum { ROWS = 10000, THREADS = 8 };
static double expected[ROWS];

struct worker { const bp_model *model; int mismatches; int failures; };

static void *predict_all(void *argument) {
    struct worker *w = argument;
    for (size_t i = 0; i < ROWS; i++) {
        double row[3], p = 0;
        make_row(i, row);
        if (bp_model_predict_raw(w->model, row, 1, &p) != BP_OK) w->failures++;
        else if (p != expected[i]) w->mismatches++;
    }
    return NULL;
}

static void *fail_once(void *argument) {
    char *seen = argument;
    /* A fresh thread has no message yet, whatever other threads did. */
    strncpy(seen, bp_last_error(), 255);
    bp_model *m = NULL;
    bp_model_load("/nonexistent/thread.json", &m);
    strncat(seen, "|", 255 - strlen(seen));
    strncat(seen, bp_last_error(), 255 - strlen(seen));
    return NULL;
}

/* Loads JSON nested `depth` levels deep (the limit is 64) on the calling thread. */
struct nesting { int depth; bp_status status; };

static void *load_nested(void *argument) {
    struct nesting *n = argument;
    char buffer[400];
    int length = snprintf(buffer, sizeof buffer, "{\"format\": \"backprop-model\", \"version\": 2, \"target\": ");
    for (int i = 0; i < n->depth; i++) buffer[length++] = '[';
    for (int i = 0; i < n->depth; i++) buffer[length++] = ']';
    buffer[length++] = '}';
    bp_model *m = NULL;
    n->status = bp_model_load_buffer(buffer, (size_t)length, &m);
    bp_model_free(m);
    return NULL;
}

static void count_lines(const char *line, void *user_data) {
    (void)line;
    (*(int *)user_data)++;
}

/* Keeps a copy of the JSON document bp_pipeline_run_json hands over (borrowed for the call). */
static void keep_result(const char *json, void *user_data) {
    char *copy = malloc(strlen(json) + 1);
    if (copy != NULL) strcpy(copy, json);
    *(char **)user_data = copy;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s MODEL.json WORKDIR\n", argv[0]); return 2; }
    const char *model_path = argv[1], *work = argv[2];
    char path[4096];

    /* Versions. */
    CHECK(bp_version() == BP_VERSION_NUMBER, "library %d, header %d", bp_version(), BP_VERSION_NUMBER);
    CHECK(strcmp(bp_version_string(), BP_VERSION_STRING) == 0, "%s", bp_version_string());
    CHECK(bp_model_format_version() == BP_MODEL_FORMAT_VERSION, "%d", bp_model_format_version());
    CHECK(strcmp(bp_status_name(BP_ERR_UNKNOWN_CATEGORY), "BP_ERR_UNKNOWN_CATEGORY") == 0, "%s", bp_status_name(BP_ERR_UNKNOWN_CATEGORY));
    CHECK(strcmp(bp_status_name((bp_status)999), "BP_UNKNOWN_STATUS") == 0, "%s", bp_status_name((bp_status)999));
    CHECK(strcmp(bp_last_error(), "") == 0, "no failure yet, got \"%s\"", bp_last_error());

    /* Load and describe. */
    bp_model *model = NULL;
    CHECK(bp_model_load(model_path, &model) == BP_OK, "%s", bp_last_error());
    if (model == NULL) return 1;
    size_t inputs = 0, outputs = 0, features = 0, categories = 0;
    CHECK(bp_model_input_count(model, &inputs) == BP_OK && inputs == 3, "%zu", inputs);
    CHECK(bp_model_output_count(model, &outputs) == BP_OK && outputs == 1, "%zu", outputs);
    CHECK(bp_model_feature_count(model, &features) == BP_OK && features == 6, "%zu", features);
    const char *names[] = {"gre", "gpa", "rank"};
    for (size_t i = 0; i < 3; i++) {
        const char *name = NULL;
        int categorical = -1;
        CHECK(bp_model_input_name(model, i, &name) == BP_OK && strcmp(name, names[i]) == 0, "%zu: %s", i, name);
        CHECK(bp_model_input_is_categorical(model, i, &categorical) == BP_OK && categorical == (i == 2), "%zu: %d", i, categorical);
    }
    CHECK(bp_model_input_category_count(model, 2, &categories) == BP_OK && categories == 4, "%zu", categories);
    CHECK(bp_model_input_category_count(model, 0, &categories) == BP_OK && categories == 0, "%zu", categories);
    for (size_t k = 0; k < 4; k++) {
        const char *label = NULL;
        double value = -1;
        char want[8];
        snprintf(want, sizeof want, "%zu", k + 1);
        CHECK(bp_model_input_category(model, 2, k, &label, &value) == BP_OK && strcmp(label, want) == 0 && value == (double)(k + 1),
              "%zu: %s %g", k, label, value);
    }
    const char *name = NULL;
    CHECK(bp_model_output_name(model, 0, &name) == BP_OK && strcmp(name, "admit") == 0, "%s", name);
    CHECK(bp_model_feature_name(model, 5, &name) == BP_OK && strcmp(name, "rank_4") == 0, "%s", name);

    /* A raw row (the example) predicts a probability. */
    double row[3] = {700, 3.8, 2}, p = -1;
    CHECK(bp_model_predict_raw(model, row, 1, &p) == BP_OK && p > 0 && p < 1, "%g %s", p, bp_last_error());

    /* Bad input: each its own status and message; out-parameters untouched. */
    const char *sentinel_name = "untouched";
    name = sentinel_name;
    size_t count = 12345;
    double out[4] = {-7, -7, -7, -7};
    bp_model *untouched = (bp_model *)&count;
    bp_model *m = untouched;
    CHECK_STATUS(bp_model_load(NULL, &m), BP_ERR_NULL, "path is NULL");
    CHECK_STATUS(bp_model_load(model_path, NULL), BP_ERR_NULL, "out_model is NULL");
    CHECK_STATUS(bp_model_input_count(NULL, &count), BP_ERR_NULL, "model is NULL");
    CHECK_STATUS(bp_model_input_count(model, NULL), BP_ERR_NULL, "NULL");
    CHECK_STATUS(bp_model_input_name(model, 3, &name), BP_ERR_INDEX, "index 3");
    CHECK_STATUS(bp_model_input_category(model, 2, 4, &name, &out[0]), BP_ERR_INDEX, "category index 4");
    CHECK_STATUS(bp_model_output_name(model, 1, &name), BP_ERR_INDEX, "output index 1");
    CHECK_STATUS(bp_model_predict_raw(NULL, row, 1, out), BP_ERR_NULL, "model is NULL");
    CHECK_STATUS(bp_model_predict_raw(model, NULL, 1, out), BP_ERR_NULL, "rows is NULL");
    CHECK_STATUS(bp_model_predict_raw(model, row, 1, NULL), BP_ERR_NULL, "out is NULL");
    CHECK_STATUS(bp_model_predict_raw(model, row, 0, out), BP_ERR_SIZE, "n_rows is 0");
    CHECK_STATUS(bp_model_predict_raw(model, row, (size_t)-1, out), BP_ERR_SIZE, "n_rows");
    CHECK_STATUS(bp_model_predict_raw_sized(model, row, 4, out, 4), BP_ERR_SIZE, "multiple of the 3");
    CHECK_STATUS(bp_model_predict_raw_sized(model, row, 3, out, 0), BP_ERR_SIZE, "out_capacity is 0");
    CHECK_STATUS(bp_model_predict_raw_sized(model, row, (size_t)-1 / 3 * 3, out, (size_t)-1), BP_ERR_SIZE, "more values than memory");
    CHECK_STATUS(bp_model_predict_features_sized(model, row, ((size_t)1 << 62) / 6 * 6, out, 1), BP_ERR_SIZE, "out_capacity is 1");
    CHECK_STATUS(bp_model_predict_features_sized(model, row, 3, out, 1), BP_ERR_SIZE, "multiple of the 6");
    double nan_row[3] = {700, NAN, 2}, inf_row[3] = {INFINITY, 3.1, 2}, odd_rank[3] = {700, 3.8, 7};
    CHECK_STATUS(bp_model_predict_raw(model, nan_row, 1, out), BP_ERR_NAN, "input 'gpa'");
    CHECK_STATUS(bp_model_predict_raw(model, inf_row, 1, out), BP_ERR_NAN, "input 'gre'");
    CHECK_STATUS(bp_model_predict_raw(model, odd_rank, 1, out), BP_ERR_UNKNOWN_CATEGORY, "unknown category 7");
    double batch[6] = {700, 3.8, 2, 500, 3.0, 2.5};  /* second row: rank 2.5 */
    CHECK_STATUS(bp_model_predict_raw(model, batch, 2, out), BP_ERR_UNKNOWN_CATEGORY, "row 2, input 'rank'");
    CHECK(m == untouched && count == 12345 && name == sentinel_name, "an out-parameter was written");
    CHECK(out[0] == -7 && out[1] == -7 && out[2] == -7 && out[3] == -7, "the output buffer was written: %g %g", out[0], out[1]);

    /* Bad model files and buffers. */
    size_t size = 0;
    char *text = read_file(model_path, &size);
    CHECK(text != NULL && size > 100, "cannot read %s", model_path);
    CHECK_STATUS(bp_model_load("/nonexistent/model.json", &m), BP_ERR_NOT_FOUND, "/nonexistent/model.json");
    CHECK_STATUS(bp_model_load(work, &m), BP_ERR_IO, "cannot read");
    snprintf(path, sizeof path, "%s/corrupt.json", work);
    write_file(path, "this is not json", 16);
    CHECK_STATUS(bp_model_load(path, &m), BP_ERR_CORRUPT, "corrupt.json");
    snprintf(path, sizeof path, "%s/truncated.json", work);
    write_file(path, text, size / 2);
    CHECK_STATUS(bp_model_load(path, &m), BP_ERR_TRUNCATED, "truncated");
    snprintf(path, sizeof path, "%s/empty.json", work);
    write_file(path, "", 0);
    CHECK_STATUS(bp_model_load(path, &m), BP_ERR_TRUNCATED, "empty.json");
    char *version = strstr(text, "\"version\"");
    CHECK(version != NULL, "no version field in the model file");
    if (version != NULL) {
        char *digit = strchr(version, '2');
        *digit = '3';
        snprintf(path, sizeof path, "%s/v3.json", work);
        write_file(path, text, size);
        CHECK_STATUS(bp_model_load(path, &m), BP_ERR_VERSION, "newer");
        CHECK_STATUS(bp_model_load_buffer(text, size, &m), BP_ERR_VERSION, "version 3");
        *digit = '2';
    }
    CHECK_STATUS(bp_model_load_buffer(NULL, 10, &m), BP_ERR_NULL, "data is NULL");
    CHECK_STATUS(bp_model_load_buffer(text, 0, &m), BP_ERR_TRUNCATED, "truncated");
    CHECK_STATUS(bp_model_load_buffer(text, size - 10, &m), BP_ERR_TRUNCATED, "truncated");
    CHECK_STATUS(bp_model_load_buffer("{\"format\": \"other\"}", 19, &m), BP_ERR_CORRUPT, "format");
    CHECK(m == untouched, "out_model was written on failure");

    /* Hostile files: errors, never a trap, a hang or code run. */
    snprintf(path, sizeof path, "%s/fifo.json", work);
    CHECK(mkfifo(path, 0600) == 0, "mkfifo %s", path);
    CHECK_STATUS(bp_model_load(path, &m), BP_ERR_IO, "a FIFO");
    const char *huge_version = "{\"format\": \"backprop-model\", \"version\": 1e19}";
    CHECK_STATUS(bp_model_load_buffer(huge_version, strlen(huge_version), &m), BP_ERR_VERSION, "newer");
    const char *fraction_version = "{\"format\": \"backprop-model\", \"version\": 1.9}";
    CHECK_STATUS(bp_model_load_buffer(fraction_version, strlen(fraction_version), &m), BP_ERR_CORRUPT, "whole number");
    char *weights = strstr(text, "\"weights\"");
    char *digit = weights ? strpbrk(weights, "123456789") : NULL;
    CHECK(digit != NULL, "no weights in the model file");
    if (digit != NULL) {
        char saved = *digit;
        *digit = saved == '9' ? '8' : (char)(saved + 1);
        CHECK_STATUS(bp_model_load_buffer(text, size, &m), BP_ERR_CORRUPT, "checksum");
        *digit = saved;
    }
    bp_load_options options = {sizeof options, 0, NULL};
    bp_model *with_options = NULL;
    CHECK(bp_model_load_ex(model_path, &options, &with_options) == BP_OK, "%s", bp_last_error());
    bp_model_free(with_options);
    with_options = NULL;
    CHECK(bp_model_load_buffer_ex(text, size, NULL, &with_options) == BP_OK, "%s", bp_last_error());
    bp_model_free(with_options);
    bp_load_options too_small = {4, 0, NULL}, unknown_flag = {sizeof options, 0x80u, NULL};
    CHECK_STATUS(bp_model_load_ex(model_path, &too_small, &m), BP_ERR_SIZE, "struct_size");
    CHECK_STATUS(bp_model_load_ex(model_path, &unknown_flag, &m), BP_ERR_SIZE, "unknown bits");
    CHECK_STATUS(bp_model_load_ex(NULL, &options, &m), BP_ERR_NULL, "path is NULL");
    CHECK(m == untouched, "out_model was written on failure");

    /* The deepest JSON a load accepts, and one level more, on a thread with a 128 KiB stack. */
    for (int depth = 64; depth <= 65; depth++) {
        struct nesting nested = {depth, BP_OK};
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setstacksize(&attributes, 128 * 1024);
        pthread_t thread;
        CHECK(pthread_create(&thread, &attributes, load_nested, &nested) == 0, "pthread_create");
        pthread_join(thread, NULL);
        pthread_attr_destroy(&attributes);
        CHECK(nested.status == BP_ERR_CORRUPT, "depth %d on a 128 KiB stack: %s", depth, bp_status_name(nested.status));
    }

    /* From memory: the same predictions as from the file. */
    bp_model *from_buffer = NULL;
    CHECK(bp_model_load_buffer(text, size, &from_buffer) == BP_OK, "%s", bp_last_error());
    free(text);
    double q = -1;
    CHECK(from_buffer != NULL && bp_model_predict_raw(from_buffer, row, 1, &q) == BP_OK && q == p, "%g vs %g", q, p);
    bp_model_free(from_buffer);
    bp_model_free(NULL);

    /* A batch equals the same rows one by one; the sized call equals the unsized one. */
    double rows[3 * 50], batch_out[50], sized_out[50];
    for (size_t i = 0; i < 50; i++) make_row(i, &rows[3 * i]);
    CHECK(bp_model_predict_raw(model, rows, 50, batch_out) == BP_OK, "%s", bp_last_error());
    CHECK(bp_model_predict_raw_sized(model, rows, 150, sized_out, 50) == BP_OK, "%s", bp_last_error());
    for (size_t i = 0; i < 50; i++) {
        double single = -1;
        bp_model_predict_raw(model, &rows[3 * i], 1, &single);
        CHECK(single == batch_out[i] && sized_out[i] == batch_out[i], "row %zu: %.17g %.17g %.17g", i, single, batch_out[i], sized_out[i]);
    }

    /* Messages are per thread. */
    bp_model_load("/nonexistent/main.json", &m);
    char seen[256] = "";
    pthread_t other;
    pthread_create(&other, NULL, fail_once, seen);
    pthread_join(other, NULL);
    CHECK(strncmp(seen, "|", 1) == 0 && strstr(seen, "thread.json") != NULL, "other thread saw \"%s\"", seen);
    CHECK(strstr(bp_last_error(), "main.json") != NULL, "main thread's message became \"%s\"", bp_last_error());

    /* Thread safety: 8 threads x 10,000 predictions on one model equal the single-threaded run. */
    for (size_t i = 0; i < ROWS; i++) {
        double r[3];
        make_row(i, r);
        CHECK(bp_model_predict_raw(model, r, 1, &expected[i]) == BP_OK, "row %zu", i);
    }
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (struct worker){model, 0, 0};
        pthread_create(&threads[t], NULL, predict_all, &workers[t]);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        CHECK(workers[t].failures == 0 && workers[t].mismatches == 0, "thread %d: %d failures, %d mismatches",
              t, workers[t].failures, workers[t].mismatches);
    }
    bp_model_free(model);

    /* Training from C: a tiny pipeline, its log lines, the model it writes, and bad pipelines. */
    snprintf(path, sizeof path, "%s/data.csv", work);
    const char *csv = "y,x,c\n0,1.0,a\n1,2.0,b\n0,1.5,a\n1,2.5,b\n0,0.5,a\n1,3.0,b\n";
    write_file(path, csv, strlen(csv));
    snprintf(path, sizeof path, "%s/p.json", work);
    const char *pipeline = "{\"seed\": 1, \"stages\": ["
        "{\"stage\": \"ingest\", \"path\": \"data.csv\", \"target\": \"y\", \"categorical\": [\"c\"]},"
        "{\"stage\": \"normalize\", \"min_max\": [\"x\"], \"one_hot\": [\"c\"]},"
        "{\"stage\": \"train\", \"hidden\": [3], \"epochs\": 50, \"learning_rate\": 0.5, \"model\": \"m.json\"}]}";
    write_file(path, pipeline, strlen(pipeline));
    int lines = 0;
    CHECK(bp_pipeline_run(path, count_lines, &lines) == BP_OK, "%s", bp_last_error());
    CHECK(lines > 0, "no log lines");
    CHECK(bp_pipeline_run(path, NULL, NULL) == BP_OK, "%s", bp_last_error());
    char *summary = NULL;
    lines = 0;
    CHECK(bp_pipeline_run_json(path, count_lines, &lines, keep_result, &summary) == BP_OK, "%s", bp_last_error());
    CHECK(lines > 0 && summary != NULL && strstr(summary, "\"format\": \"backprop-run\"") != NULL
          && strstr(summary, "\"training\"") != NULL, "run document: %s", summary ? summary : "(none)");
    free(summary);
    CHECK_STATUS(bp_pipeline_run_json(path, NULL, NULL, NULL, NULL), BP_ERR_NULL, "result is NULL");
    snprintf(path, sizeof path, "%s/m.json", work);
    bp_model *trained = NULL;
    CHECK(bp_model_load(path, &trained) == BP_OK, "%s", bp_last_error());
    const char *label = NULL;
    double code = -1;
    CHECK(trained != NULL && bp_model_input_category(trained, 1, 1, &label, &code) == BP_OK && strcmp(label, "b") == 0 && code == 1,
          "text categories are passed by position: %s %g", label, code);
    double text_row[2] = {2.0, 1}, text_bad[2] = {2.0, 2}, y = -1;
    CHECK(trained != NULL && bp_model_predict_raw(trained, text_row, 1, &y) == BP_OK && y > 0 && y < 1, "%g", y);
    CHECK_STATUS(bp_model_predict_raw(trained, text_bad, 1, &y), BP_ERR_UNKNOWN_CATEGORY, "known: a=0, b=1");
    bp_model_free(trained);
    CHECK_STATUS(bp_pipeline_run(NULL, NULL, NULL), BP_ERR_NULL, "path is NULL");
    summary = NULL;
    CHECK_STATUS(bp_pipeline_run_json("/nonexistent/p.json", NULL, NULL, keep_result, &summary), BP_ERR_NOT_FOUND, "/nonexistent/p.json");
    CHECK(summary == NULL, "result not called on failure");
    CHECK_STATUS(bp_pipeline_run("/nonexistent/p.json", NULL, NULL), BP_ERR_NOT_FOUND, "/nonexistent/p.json");
    snprintf(path, sizeof path, "%s/bad.json", work);
    const char *bad = "{\"stages\": [{\"stage\": \"nope\"}]}";
    write_file(path, bad, strlen(bad));
    CHECK_STATUS(bp_pipeline_run(path, NULL, NULL), BP_ERR_PIPELINE, "unknown stage kind 'nope'");
    snprintf(path, sizeof path, "%s/data.csv", work);
    const char *bad_csv = "y,x,c\n0,1,a\n0,abc,a\n";  /* a stray word in a numeric column (a column of words would be read as categorical) */
    write_file(path, bad_csv, strlen(bad_csv));
    snprintf(path, sizeof path, "%s/p.json", work);
    CHECK_STATUS(bp_pipeline_run(path, NULL, NULL), BP_ERR_DATA, "expected a number");

    printf("abi_test: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
