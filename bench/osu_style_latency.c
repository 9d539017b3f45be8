/* A minimal MPI ping-pong latency benchmark in the style of the OSU
 * micro-benchmarks' osu_latency, written from scratch and independent of
 * pardemo, so that pardemo's own ping-pong figures can be checked against a
 * plain C program run side by side.
 *
 * Method (OSU's): ranks 0 and 1; for each size 0, 1, 2, 4, ... max bytes,
 * an MPI_Barrier, then `skip` untimed and `iterations` timed round trips of
 * MPI_Send / MPI_Recv on MPI_CHAR (10000 after 100 up to 8 KiB, 100 after 10
 * above); latency = elapsed / (2 iterations), one way, in microseconds, timed
 * with MPI_Wtime on rank 0. Buffers are page aligned and written once before
 * the first measurement. Other ranks, if any, wait in the final barrier.
 *
 * Usage: mpirun -np 2 osu_style_latency [-f] [MAX_BYTES [ITERATIONS [SKIP]]]
 *   -f          initialise MPI with MPI_THREAD_FUNNELED (MPI_Init_thread), the
 *               level pardemo asks for, instead of MPI_Init: with Open MPI 4.1
 *               the level alone changes the small-message latency, so compare
 *               like with like
 *   MAX_BYTES   largest message (default 4194304)
 *   ITERATIONS  timed round trips for sizes <= 8 KiB (default 10000; larger
 *               sizes get ITERATIONS / 100, at least 1)
 *   SKIP        warm-up round trips for sizes <= 8 KiB (default 100; larger
 *               sizes get SKIP / 10, at least 1)
 * Prints "# Size Latency (us)" and one row per size. Exit 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign, sysconf */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LARGE_FROM 8192 /* sizes above this are "large" */

static int parse(const char* s, long min, long max, long* out) {
  char* end = NULL;
  long v = strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < min || v > max) return 0;
  *out = v;
  return 1;
}

int main(int argc, char** argv) {
  int rank = 0, size = 0, provided = MPI_THREAD_SINGLE;
  long max_bytes = 4L << 20, iterations = 10000, skip = 100;
  const int funneled = argc > 1 && strcmp(argv[1], "-f") == 0;
  if (funneled) {
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  } else {
    MPI_Init(&argc, &argv);
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  const int first = funneled ? 2 : 1; /* the first positional argument */
  const int given = argc - first;
  if ((given > 0 && !parse(argv[first], 0, 1L << 30, &max_bytes)) ||
      (given > 1 && !parse(argv[first + 1], 1, 100000000, &iterations)) ||
      (given > 2 && !parse(argv[first + 2], 1, 100000000, &skip)) || given > 3 || size < 2) {
    if (rank == 0)
      fprintf(stderr, "usage: mpirun -np 2 %s [-f] [MAX_BYTES [ITERATIONS [SKIP]]] (at least 2 ranks)\n", argv[0]);
    MPI_Finalize();
    return 2;
  }

  const long page = sysconf(_SC_PAGESIZE) > 0 ? sysconf(_SC_PAGESIZE) : 4096;
  const size_t capacity = (size_t)(max_bytes > 0 ? max_bytes : 1);
  char* s_buf = NULL;
  char* r_buf = NULL;
  if (posix_memalign((void**)&s_buf, (size_t)page, capacity) != 0 ||
      posix_memalign((void**)&r_buf, (size_t)page, capacity) != 0) {
    fprintf(stderr, "rank %d: out of memory for %zu-byte buffers\n", rank, capacity);
    MPI_Abort(MPI_COMM_WORLD, 3);
  }
  memset(s_buf, 'a', capacity);
  memset(r_buf, 'b', capacity);

  if (rank == 0) {
    printf("# OSU-style MPI latency (independent implementation), %d ranks, ranks 0 and 1 measured, %s\n", size,
           funneled ? (provided >= MPI_THREAD_FUNNELED ? "MPI_THREAD_FUNNELED" : "FUNNELED refused") : "MPI_Init");
    printf("# %-10s %18s\n", "Size", "Latency (us)");
    fflush(stdout);
  }

  for (long bytes = 0; bytes <= max_bytes; bytes = bytes ? bytes * 2 : 1) {
    const int large = bytes > LARGE_FROM;
    const long iters = large ? (iterations / 100 > 0 ? iterations / 100 : 1) : iterations;
    const long warm = large ? (skip / 10 > 0 ? skip / 10 : 1) : skip;
    double start = 0;
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
      for (long i = 0; i < warm + iters; ++i) {
        if (i == warm) start = MPI_Wtime();
        MPI_Send(s_buf, (int)bytes, MPI_CHAR, 1, 1, MPI_COMM_WORLD);
        MPI_Recv(r_buf, (int)bytes, MPI_CHAR, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
      const double latency_us = (MPI_Wtime() - start) * 1e6 / (2.0 * (double)iters);
      printf("%-12ld %18.2f\n", bytes, latency_us);
      fflush(stdout);
    } else if (rank == 1) {
      for (long i = 0; i < warm + iters; ++i) {
        MPI_Recv(r_buf, (int)bytes, MPI_CHAR, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(s_buf, (int)bytes, MPI_CHAR, 0, 1, MPI_COMM_WORLD);
      }
    }
  }

  free(s_buf);
  free(r_buf);
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Finalize();
  return 0;
}
