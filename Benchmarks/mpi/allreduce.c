/* Times the gradient allreduce of data-parallel training: COUNT doubles (default 2,177, the
 * weights and biases of a 32→64→1 network) summed over every rank, REPEATS times, through the
 * same dlopen'ed Open MPI calls Backprop uses. Rank 0 prints the median and spread per call.
 * Build and run: Benchmarks/mpi/run.sh */
#define _POSIX_C_SOURCE 200809L
#include "bp_mpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    size_t count = argc > 1 ? strtoul(argv[1], NULL, 10) : 2177;
    int repeats = argc > 2 ? atoi(argv[2]) : 2000;
    char message[256];
    if (!bp_mpi_launched() || bp_mpi_load(message, sizeof message) != 0) { fprintf(stderr, "run under mpirun\n"); return 2; }
    int rank, size;
    if (bp_mpi_init(&rank, &size) != 0 || repeats < 10 || count == 0) return 1;
    double *values = calloc(count, sizeof *values), *times = calloc((size_t)repeats, sizeof *times);
    if (!values || !times) return 1;
    for (int i = 0; i < 50; i++) bp_mpi_allreduce_double(values, count, BP_MPI_SUM);  /* warm up */
    for (int i = 0; i < repeats; i++) {
        for (size_t j = 0; j < count; j++) values[j] = rank + j * 1e-3;
        bp_mpi_barrier();
        double start = now();
        bp_mpi_allreduce_double(values, count, BP_MPI_SUM);
        times[i] = now() - start;
    }
    bp_mpi_allreduce_double(times, (size_t)repeats, BP_MPI_MAX);  /* the slowest rank decides */
    qsort(times, (size_t)repeats, sizeof *times, ascending);
    if (rank == 0)
        printf("np %d, %zu doubles (%zu bytes): allreduce median %.1f us, p10 %.1f us, p90 %.1f us\n", size, count,
               count * sizeof(double), times[repeats / 2] * 1e6, times[repeats / 10] * 1e6, times[repeats * 9 / 10] * 1e6);
    bp_mpi_finalize();
    return 0;
}
