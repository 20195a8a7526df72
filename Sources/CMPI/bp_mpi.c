// Open MPI through dlopen: the only place Backprop touches MPI. The predefined handles
// (MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM, ...) are in Open MPI the addresses of exported globals
// (ompi_mpi_comm_world, ...), so dlsym gives them as mpi.h's macros would.
#define _GNU_SOURCE
#include "bp_mpi.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void *handle;
static struct {
    int (*init)(int *, char ***);
    int (*initialized)(int *);
    int (*comm_rank)(handle, int *);
    int (*comm_size)(handle, int *);
    int (*allreduce)(const void *, void *, int, handle, handle, handle);
    int (*allgather)(const void *, int, handle, void *, int, handle, handle);
    int (*allgatherv)(const void *, int, handle, void *, const int *, const int *, handle, handle);
    int (*bcast)(void *, int, handle, int, handle);
    int (*barrier)(handle);
    int (*finalize)(void);
    int (*abort)(handle, int);
    handle world, type_double, type_int64, type_byte, op_sum, op_max, op_min;
    int size;
} mpi;

#define IN_PLACE ((void *)1)
#define CHUNK ((size_t)1 << 28) /* elements per call, under INT_MAX */

int bp_mpi_launched(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL;
}

int bp_mpi_load(char *message, size_t capacity) {
    void *library = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);  // GLOBAL: Open MPI's own plugins need its symbols
    if (!library) library = dlopen("libmpi.so", RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
        if (message && capacity) snprintf(message, capacity, "cannot load Open MPI (libmpi.so.40): %s; install openmpi-bin", dlerror());
        return 1;
    }
    struct { const char *name; void **slot; } symbols[] = {
        {"MPI_Init", (void **)&mpi.init}, {"MPI_Initialized", (void **)&mpi.initialized},
        {"MPI_Comm_rank", (void **)&mpi.comm_rank}, {"MPI_Comm_size", (void **)&mpi.comm_size},
        {"MPI_Allreduce", (void **)&mpi.allreduce}, {"MPI_Allgather", (void **)&mpi.allgather},
        {"MPI_Allgatherv", (void **)&mpi.allgatherv}, {"MPI_Bcast", (void **)&mpi.bcast},
        {"MPI_Barrier", (void **)&mpi.barrier}, {"MPI_Finalize", (void **)&mpi.finalize},
        {"MPI_Abort", (void **)&mpi.abort},
        {"ompi_mpi_comm_world", &mpi.world}, {"ompi_mpi_double", &mpi.type_double},
        {"ompi_mpi_int64_t", &mpi.type_int64}, {"ompi_mpi_byte", &mpi.type_byte},
        {"ompi_mpi_op_sum", &mpi.op_sum}, {"ompi_mpi_op_max", &mpi.op_max}, {"ompi_mpi_op_min", &mpi.op_min},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        *symbols[i].slot = dlsym(library, symbols[i].name);
        if (!*symbols[i].slot) {
            if (message && capacity) snprintf(message, capacity, "libmpi.so.40 has no symbol %s (Open MPI 4 expected)", symbols[i].name);
            return 1;
        }
    }
    return 0;
}

int bp_mpi_init(int *rank, int *size) {
    if (!mpi.init || !rank || !size) return 1;
    int done = 0;
    if (mpi.initialized(&done) != 0) return 1;
    if (!done && mpi.init(NULL, NULL) != 0) return 1;
    if (mpi.comm_rank(mpi.world, rank) != 0 || mpi.comm_size(mpi.world, size) != 0) return 1;
    mpi.size = *size;
    return 0;
}

static handle op_handle(bp_mpi_op op) {
    return op == BP_MPI_MAX ? mpi.op_max : op == BP_MPI_MIN ? mpi.op_min : mpi.op_sum;
}

static int allreduce(void *values, size_t count, size_t width, handle type, bp_mpi_op op) {
    if (!mpi.allreduce || (!values && count)) return 1;
    for (size_t done = 0; done < count; done += CHUNK) {
        size_t n = count - done < CHUNK ? count - done : CHUNK;
        if (mpi.allreduce(IN_PLACE, (char *)values + done * width, (int)n, type, op_handle(op), mpi.world) != 0) return 1;
    }
    return 0;
}

int bp_mpi_allreduce_double(double *values, size_t count, bp_mpi_op op) {
    return allreduce(values, count, sizeof(double), mpi.type_double, op);
}

int bp_mpi_allreduce_int64(int64_t *values, size_t count, bp_mpi_op op) {
    return allreduce(values, count, sizeof(int64_t), mpi.type_int64, op);
}

int bp_mpi_allgather_bytes(const void *send, size_t count, void *receive) {
    if (!mpi.allgather || count > INT_MAX || (!send && count) || !receive) return 1;
    return mpi.allgather(send, (int)count, mpi.type_byte, receive, (int)count, mpi.type_byte, mpi.world) != 0;
}

int bp_mpi_allgatherv_bytes(const void *send, size_t count, void *receive, const int64_t *counts, const int64_t *offsets) {
    if (!mpi.allgatherv || count > INT_MAX || !counts || !offsets || mpi.size <= 0) return 1;
    int *c = malloc(sizeof(int) * (size_t)mpi.size), *o = malloc(sizeof(int) * (size_t)mpi.size);
    int status = 1;
    if (c && o) {
        status = 0;
        for (int r = 0; r < mpi.size; r++) {
            if (counts[r] < 0 || counts[r] > INT_MAX || offsets[r] < 0 || offsets[r] > INT_MAX) { status = 1; break; }
            c[r] = (int)counts[r];
            o[r] = (int)offsets[r];
        }
        if (status == 0)
            status = mpi.allgatherv(send, (int)count, mpi.type_byte, receive, c, o, mpi.type_byte, mpi.world) != 0;
    }
    free(c);
    free(o);
    return status;
}

int bp_mpi_broadcast_bytes(void *buffer, size_t count, int root) {
    if (!mpi.bcast || count > INT_MAX || (!buffer && count)) return 1;
    return mpi.bcast(buffer, (int)count, mpi.type_byte, root, mpi.world) != 0;
}

int bp_mpi_barrier(void) { return mpi.barrier ? mpi.barrier(mpi.world) != 0 : 1; }

int bp_mpi_finalize(void) { return mpi.finalize ? mpi.finalize() != 0 : 1; }

void bp_mpi_abort(int code) {
    if (mpi.abort) mpi.abort(mpi.world, code);
    _exit(code);
}
