/* Checks the dlopen'ed Open MPI collectives under mpirun: every rank contributes known values
 * and checks the reduced ones. Run: mpirun -np N ./collectives_test  (prints "N passed, N failed"
 * on rank 0). */
#include "bp_mpi.h"

#include <stdio.h>
#include <string.h>

static int passed, failed;
static void check(int ok, const char *what) {
    if (ok) passed++; else { failed++; fprintf(stderr, "FAILED: %s\n", what); }
}

int main(void) {
    char message[256];
    if (!bp_mpi_launched()) { fprintf(stderr, "run under mpirun\n"); return 2; }
    if (bp_mpi_load(message, sizeof message) != 0) { fprintf(stderr, "%s\n", message); return 1; }
    int rank = -1, size = 0;
    check(bp_mpi_init(&rank, &size) == 0 && size >= 1 && rank >= 0 && rank < size, "init gives rank and size");

    double values[3] = {rank + 1.0, -(double)rank, 0.5};
    check(bp_mpi_allreduce_double(values, 3, BP_MPI_SUM) == 0, "sum of doubles");
    check(values[0] == size * (size + 1) / 2.0 && values[1] == -(size * (size - 1) / 2.0) && values[2] == 0.5 * size, "sum values");
    double top = rank, low = rank;
    bp_mpi_allreduce_double(&top, 1, BP_MPI_MAX);
    bp_mpi_allreduce_double(&low, 1, BP_MPI_MIN);
    check(top == size - 1 && low == 0, "max and min of ranks");
    int64_t counts[2] = {rank, 1};
    bp_mpi_allreduce_int64(counts, 2, BP_MPI_SUM);
    check(counts[0] == (int64_t)size * (size - 1) / 2 && counts[1] == size, "sum of int64");

    char mine[4] = {'r', (char)('0' + rank / 10 % 10), (char)('0' + rank % 10), 0}, all[4 * 64];
    check(size <= 64 && bp_mpi_allgather_bytes(mine, 4, all) == 0, "allgather");
    int ordered = 1;
    for (int r = 0; r < size && r < 64; r++) { char want[4] = {'r', (char)('0' + r / 10 % 10), (char)('0' + r % 10), 0}; ordered &= memcmp(all + 4 * r, want, 4) == 0; }
    check(ordered, "allgather puts ranks in order");

    int64_t lengths[64], offsets[64], total = 0;
    for (int r = 0; r < size && r < 64; r++) { lengths[r] = r + 1; offsets[r] = total; total += r + 1; }
    char send[64], got[64 * 65];
    memset(send, 'a' + rank % 26, sizeof send);
    check(bp_mpi_allgatherv_bytes(send, (size_t)rank + 1, got, lengths, offsets) == 0, "allgatherv");
    int right = 1;
    for (int r = 0; r < size && r < 64; r++) for (int i = 0; i <= r; i++) right &= got[offsets[r] + i] == 'a' + r % 26;
    check(right, "allgatherv places each rank's bytes");

    char word[8] = "";
    if (rank == 0) strcpy(word, "seed=4");
    check(bp_mpi_broadcast_bytes(word, sizeof word, 0) == 0 && strcmp(word, "seed=4") == 0, "broadcast from rank 0");
    check(bp_mpi_barrier() == 0, "barrier");

    int counts_ok[2] = {passed, failed};
    int64_t totals[2] = {counts_ok[0], counts_ok[1]};
    bp_mpi_allreduce_int64(totals, 2, BP_MPI_SUM);
    if (rank == 0) printf("mpi collectives (np %d): %lld passed, %lld failed\n", size, (long long)totals[0], (long long)totals[1]);
    bp_mpi_finalize();
    return totals[1] == 0 ? 0 : 1;
}
