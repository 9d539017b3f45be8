/*
 * The memory bandwidth one and two cores get, with the stencil's traffic: per
 * element, two arrays read and both written back (a[i] += b[i]; b[i] += 1.0),
 * 32 bytes, as the stencil reads IN and OUT and writes both (OUT += stencil(IN),
 * IN += 1). Each thread owns its two arrays, as each rank owns its block, and
 * they run at once. scripts/bench prints the figures beside the stencil's
 * efficiency: a kernel that streams from memory cannot run faster on 2 cores
 * than the 2-thread bandwidth allows.
 *
 * Build: cc -O3 -march=native -pthread -o stream_style bench/stream_style.c
 * Run:   stream_style MIB_PER_ARRAY SWEEPS
 * Prints two lines, "threads GB/s", for 1 and 2 threads: the best of 5 trials
 * (as STREAM reports), bytes = 32 x elements x sweeps x threads. Exits 1 when
 * the arrays do not hold the values the sweeps must leave.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct job {
  double* a;
  double* b;
  size_t n;
  int sweeps;
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void* sweep(void* arg) {
  struct job* j = arg;
  for (int s = 0; s < j->sweeps; ++s)
    for (size_t i = 0; i < j->n; ++i) {
      j->a[i] += j->b[i];
      j->b[i] += 1.0;
    }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 3 || atol(argv[1]) <= 0 || atoi(argv[2]) <= 0) {
    fprintf(stderr, "usage: %s MIB_PER_ARRAY SWEEPS\n", argv[0]);
    return 2;
  }
  const size_t n = (size_t)atol(argv[1]) * 1024 * 1024 / sizeof(double);
  const int sweeps = atoi(argv[2]);
  struct job jobs[2];
  for (int t = 0; t < 2; ++t) {
    jobs[t].a = malloc(n * sizeof(double));
    jobs[t].b = malloc(n * sizeof(double));
    if (jobs[t].a == NULL || jobs[t].b == NULL) {
      fprintf(stderr, "stream_style: out of memory\n");
      return 2;
    }
    for (size_t i = 0; i < n; ++i) {
      jobs[t].a[i] = 0.0;
      jobs[t].b[i] = 0.0;
    }
    jobs[t].n = n;
    jobs[t].sweeps = sweeps;
  }
  long total_sweeps[2] = {0, 0};
  for (int threads = 1; threads <= 2; ++threads) {
    double best = 0.0;
    for (int trial = 0; trial < 5; ++trial) {
      pthread_t id[2];
      const double t0 = now();
      for (int t = 0; t < threads; ++t) pthread_create(&id[t], NULL, sweep, &jobs[t]);
      for (int t = 0; t < threads; ++t) pthread_join(id[t], NULL);
      const double seconds = now() - t0;
      for (int t = 0; t < threads; ++t) total_sweeps[t] += sweeps;
      const double rate = 32.0 * (double)n * sweeps * threads / seconds / 1e9;
      if (rate > best) best = rate;
    }
    printf("%d %.2f\n", threads, best);
  }
  /* After k sweeps from zeros: b = k and a = 0 + 1 + ... + (k - 1). */
  for (int t = 0; t < 2; ++t) {
    const double k = (double)total_sweeps[t];
    const size_t probe[3] = {0, n / 2, n - 1};
    for (int p = 0; p < 3; ++p)
      if (jobs[t].b[probe[p]] != k || jobs[t].a[probe[p]] != k * (k - 1) / 2) {
        fprintf(stderr, "stream_style: thread %d's arrays hold the wrong values\n", t);
        return 1;
      }
    free(jobs[t].a);
    free(jobs[t].b);
  }
  return 0;
}
