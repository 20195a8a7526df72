/* The admissions workload in FANN (double precision), for timing against `pipeline run`.
 * Reads the FANN training file written by prepare_fann_data.py (the reference's 360 training
 * rows, preprocessed), builds a 6-2-1 sigmoid network, and trains it full-batch for EPOCHS
 * epochs at LEARNING_RATE, reporting the MSE every tenth of the run. */
#include <doublefann.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s TRAIN_FILE EPOCHS LEARNING_RATE\n", argv[0]); return 2; }
    struct fann_train_data *data = fann_read_train_from_file(argv[1]);
    if (!data) return 1;
    unsigned int epochs = (unsigned int)atoi(argv[2]);
    struct fann *ann = fann_create_standard(3, 6, 2, 1);
    fann_set_activation_function_hidden(ann, FANN_SIGMOID);
    fann_set_activation_function_output(ann, FANN_SIGMOID);
    /* FANN's sigmoid is 1/(1+exp(-2·s·x)); steepness 0.5 makes it the logistic function. */
    fann_set_activation_steepness_hidden(ann, 0.5);
    fann_set_activation_steepness_output(ann, 0.5);
    fann_set_training_algorithm(ann, FANN_TRAIN_BATCH);
    fann_set_learning_rate(ann, (float)atof(argv[3]));
    fann_randomize_weights(ann, -0.5, 0.5);
    for (unsigned int e = 0; e < epochs; e++) {
        float mse = fann_train_epoch(ann, data);
        if ((10 * e) % epochs == 0) printf("Train loss: %f\n", mse);
    }
    fann_destroy(ann);
    fann_destroy_train(data);
    return 0;
}
