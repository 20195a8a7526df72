/*
 * Prediction speed through the C ABI against FANN's fann_run on a network of the same shape,
 * in one run. Not run in CI; see run.sh.
 *
 *   bench MODEL.json W...   (W: the model's layer weights, [inputs][outputs] per layer, as
 *                            run.sh extracts them, so that FANN computes the same function)
 *
 * Measures, best of REPEATS runs each:
 *   - single-row latency: bp_model_predict_raw (raw row: preprocessing + network),
 *     bp_model_predict_features (preprocessed row) and fann_run (preprocessed row), ns/call;
 *   - batch throughput: bp_model_predict_raw on BATCH rows in one call, and fann_run over the
 *     same rows one by one (FANN has no batch call), rows/s.
 * Before timing it checks that FANN and Backprop give the same outputs (to 1e-12).
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <backprop.h>
#include <doublefann.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { ROWS = 1024, CALLS = 2000000, BATCH = 100000, REPEATS = 5 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int fail(const char *what) {
    fprintf(stderr, "bench: %s: %s\n", what, bp_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s MODEL.json W...\n", argv[0]); return 2; }
    bp_model *model = NULL;
    if (bp_model_load(argv[1], &model) != BP_OK) return fail("load");
    size_t inputs = 0, features = 0, outputs = 0;
    bp_model_input_count(model, &inputs);
    bp_model_feature_count(model, &features);
    bp_model_output_count(model, &outputs);
    if (inputs != 3 || outputs != 1) { fprintf(stderr, "bench: expects the admissions model (3 inputs, 1 output)\n"); return 2; }

    /* The FANN network of the same shape: features -> hidden -> 1, sigmoid with steepness 0.5,
       so that FANN's 1/(1 + e^(-2 * 0.5 * z)) is our 1/(1 + e^-z); bias weights 0 (our model
       has none). The shape comes from the weight count: features * h + h * 1 = argc - 2. */
    unsigned hidden = (unsigned)((size_t)(argc - 2) / (features + 1));
    if (hidden * (features + 1) != (unsigned)(argc - 2)) { fprintf(stderr, "bench: weight count does not fit a %zu-h-1 network\n", features); return 2; }
    unsigned layers[3] = {(unsigned)features, hidden, 1};
    struct fann *ann = fann_create_standard_array(3, layers);
    fann_set_activation_function_hidden(ann, FANN_SIGMOID);
    fann_set_activation_function_output(ann, FANN_SIGMOID);
    fann_set_activation_steepness_hidden(ann, 0.5);
    fann_set_activation_steepness_output(ann, 0.5);
    /* Neurons are numbered layer after layer, each layer followed by its bias neuron. */
    unsigned first_hidden = (unsigned)features + 1, output_neuron = first_hidden + hidden + 1;
    struct fann_connection *connections = malloc(fann_get_total_connections(ann) * sizeof *connections);
    fann_get_connection_array(ann, connections);
    for (unsigned c = 0; c < fann_get_total_connections(ann); c++) fann_set_weight(ann, connections[c].from_neuron, connections[c].to_neuron, 0);
    free(connections);
    int w = 2;
    for (unsigned i = 0; i < features; i++)
        for (unsigned j = 0; j < hidden; j++) fann_set_weight(ann, i, first_hidden + j, atof(argv[w++]));
    for (unsigned j = 0; j < hidden; j++) fann_set_weight(ann, first_hidden + j, output_neuron, atof(argv[w++]));

    /* Raw rows (gre, gpa, rank) exercise the preprocessing inside the library; feature rows
       (random values in [-2, 2], the range of z-scores and 0/1) are what both networks take. */
    static double raw[ROWS * 3], feats[ROWS * 16];
    for (size_t i = 0; i < ROWS; i++) {
        raw[3 * i] = 220 + (double)((i * 37) % 581);
        raw[3 * i + 1] = 2.26 + (double)((i * 13) % 175) / 100.0;
        raw[3 * i + 2] = (double)(1 + i % 4);
    }
    if (features > 16) return 2;
    srand(1);
    for (size_t i = 0; i < ROWS * features; i++) feats[i] = (double)rand() / RAND_MAX * 4 - 2;

    /* Same function: FANN and bp_model_predict_features agree on every feature row. */
    double worst = 0;
    for (size_t i = 0; i < ROWS; i++) {
        double ours = 0;
        if (bp_model_predict_features(model, &feats[i * features], 1, &ours) != BP_OK) return fail("predict_features");
        double theirs = fann_run(ann, &feats[i * features])[0];
        if (fabs(ours - theirs) > worst) worst = fabs(ours - theirs);
    }
    printf("FANN %zu-%u-1 vs Backprop on %d feature rows: largest difference %.3g%s\n", features, hidden, ROWS, worst,
           worst <= 1e-12 ? " (same function)" : " (DIFFERENT: the comparison is not like for like)");

    double best_raw = 1e9, best_features = 1e9, best_fann = 1e9, sink = 0;
    for (int r = 0; r < REPEATS; r++) {
        double t0 = now();
        for (size_t c = 0; c < CALLS; c++) {
            double p;
            bp_model_predict_raw(model, &raw[3 * (c % ROWS)], 1, &p);
            sink += p;
        }
        double t1 = now();
        for (size_t c = 0; c < CALLS; c++) {
            double p;
            bp_model_predict_features(model, &feats[features * (c % ROWS)], 1, &p);
            sink += p;
        }
        double t2 = now();
        for (size_t c = 0; c < CALLS; c++) sink += fann_run(ann, &feats[features * (c % ROWS)])[0];
        double t3 = now();
        if ((t1 - t0) < best_raw) best_raw = t1 - t0;
        if ((t2 - t1) < best_features) best_features = t2 - t1;
        if ((t3 - t2) < best_fann) best_fann = t3 - t2;
    }
    double ns_raw = best_raw / CALLS * 1e9, ns_features = best_features / CALLS * 1e9, ns_fann = best_fann / CALLS * 1e9;
    printf("single row, ns/call (best of %d x %d calls):\n", REPEATS, CALLS);
    printf("  bp_model_predict_raw       %8.1f ns   (raw row: preprocessing + network)\n", ns_raw);
    printf("  bp_model_predict_features  %8.1f ns   (preprocessed row)\n", ns_features);
    printf("  fann_run                   %8.1f ns   (preprocessed row)\n", ns_fann);
    printf("  ratio fann_run / bp raw      %6.2fx   fann_run / bp features %6.2fx\n", ns_fann / ns_raw, ns_fann / ns_features);

    double *batch_in = malloc(sizeof(double) * BATCH * 3), *batch_out = malloc(sizeof(double) * BATCH);
    double *batch_features = malloc(sizeof(double) * BATCH * features);
    for (size_t i = 0; i < BATCH; i++) {
        for (size_t k = 0; k < 3; k++) batch_in[3 * i + k] = raw[3 * (i % ROWS) + k];
        for (size_t k = 0; k < features; k++) batch_features[features * i + k] = feats[features * (i % ROWS) + k];
    }
    double best_batch = 1e9, best_fann_batch = 1e9;
    for (int r = 0; r < REPEATS; r++) {
        double t0 = now();
        if (bp_model_predict_raw(model, batch_in, BATCH, batch_out) != BP_OK) return fail("batch");
        double t1 = now();
        for (size_t i = 0; i < BATCH; i++) batch_out[i] = fann_run(ann, &batch_features[features * i])[0];
        double t2 = now();
        sink += batch_out[BATCH - 1];
        if (t1 - t0 < best_batch) best_batch = t1 - t0;
        if (t2 - t1 < best_fann_batch) best_fann_batch = t2 - t1;
    }
    printf("batch of %d rows, rows/s (best of %d):\n", BATCH, REPEATS);
    printf("  bp_model_predict_raw (one call)  %12.0f rows/s\n", BATCH / best_batch);
    printf("  fann_run (row by row)            %12.0f rows/s\n", BATCH / best_fann_batch);
    printf("  ratio bp / fann                  %12.2fx\n", best_fann_batch / best_batch);
    printf("(checksum %g)\n", sink);
    free(batch_in); free(batch_out); free(batch_features);
    fann_destroy(ann);
    bp_model_free(model);
    return 0;
}
