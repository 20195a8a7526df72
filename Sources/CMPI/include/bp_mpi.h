#ifndef BACKPROP_MPI_H
#define BACKPROP_MPI_H
/*
 * Open MPI, loaded at run time. A process started without mpirun never loads libmpi (and a
 * machine without Open MPI runs `pipeline` as before): bp_mpi_load() dlopens libmpi.so.40 and
 * resolves the few calls Backprop uses, so nothing here needs mpi.h to build.
 *
 * Every function returns 0 on success; on failure a non-zero value and, where it takes one, a
 * message in the caller's buffer. Collectives are called by every rank in the same order.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Reduction operators. */
typedef enum { BP_MPI_SUM = 0, BP_MPI_MAX = 1, BP_MPI_MIN = 2 } bp_mpi_op;

/** 1 when this process was started by mpirun/mpiexec (Open MPI or PMIx sets the environment), else 0. */
int bp_mpi_launched(void);

/** Loads libmpi and resolves its symbols; a message in `message` on failure. */
int bp_mpi_load(char *message, size_t capacity);

/** MPI_Init, then this process's rank and the number of processes in MPI_COMM_WORLD. */
int bp_mpi_init(int *rank, int *size);

/** In-place allreduce of `count` doubles over every rank. */
int bp_mpi_allreduce_double(double *values, size_t count, bp_mpi_op op);

/** In-place allreduce of `count` 64-bit integers over every rank. */
int bp_mpi_allreduce_int64(int64_t *values, size_t count, bp_mpi_op op);

/** Every rank's `count` bytes of `send`, rank after rank, into `receive` (size × count bytes). */
int bp_mpi_allgather_bytes(const void *send, size_t count, void *receive);

/** Every rank's `counts[rank]` bytes, rank after rank at `offsets[rank]`, into `receive`. */
int bp_mpi_allgatherv_bytes(const void *send, size_t count, void *receive, const int64_t *counts, const int64_t *offsets);

/** `count` bytes of `buffer` from rank `root` to every rank. */
int bp_mpi_broadcast_bytes(void *buffer, size_t count, int root);

/** Waits for every rank. */
int bp_mpi_barrier(void);

/** MPI_Finalize. */
int bp_mpi_finalize(void);

/** Ends every process of the job with `code` (after a rank cannot reach an agreement point). */
void bp_mpi_abort(int code);

#ifdef __cplusplus
}
#endif
#endif
