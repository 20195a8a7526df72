/* The scale workload in FANN (double precision): reads the CSV written by make_data.py (32
 * features and a 0/1 label per line, after a header) with strtod, builds a 32-64-1 logistic
 * network and runs EPOCHS full-batch epochs (FANN_TRAIN_BATCH). Prints the seconds of the
 * epochs alone on stdout as "train_seconds N". */
#include <doublefann.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s DATA.csv ROWS EPOCHS\n", argv[0]); return 2; }
    unsigned int rows = (unsigned int)strtoul(argv[2], NULL, 10), epochs = (unsigned int)atoi(argv[3]);
    FILE *file = fopen(argv[1], "r");
    if (!file) { perror(argv[1]); return 1; }
    struct fann_train_data *data = fann_create_train(rows, 32, 1);
    if (!data) return 1;
    static char line[1 << 16];
    if (!fgets(line, sizeof line, file)) return 1; /* header */
    for (unsigned int r = 0; r < rows; r++) {
        if (!fgets(line, sizeof line, file)) { fprintf(stderr, "short file at row %u\n", r); return 1; }
        char *p = line;
        for (int c = 0; c < 32; c++) { data->input[r][c] = strtod(p, &p); p++; }
        data->output[r][0] = strtod(p, NULL);
    }
    fclose(file);
    struct fann *ann = fann_create_standard(3, 32, 64, 1);
    fann_set_activation_function_hidden(ann, FANN_SIGMOID);
    fann_set_activation_function_output(ann, FANN_SIGMOID);
    fann_set_activation_steepness_hidden(ann, 0.5); /* the logistic function */
    fann_set_activation_steepness_output(ann, 0.5);
    fann_set_training_algorithm(ann, FANN_TRAIN_BATCH);
    fann_set_learning_rate(ann, 0.5f);
    fann_randomize_weights(ann, -0.1, 0.1);
    double start = now();
    for (unsigned int e = 0; e < epochs; e++) fann_train_epoch(ann, data);
    printf("train_seconds %.4f\n", now() - start);
    fann_destroy(ann);
    fann_destroy_train(data);
    return 0;
}
