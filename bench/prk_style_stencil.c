/*
 * A serial star stencil written the way the Parallel Research Kernels' serial C
 * stencil is, as the baseline that pardemo's serial stencil is measured against
 * (scripts/bench): the same problem (IN(i,j) = i + j, star of radius R with
 * weights +-1/(2kR) on the arms, OUT += stencil(IN) over the interior, then IN
 * += 1 everywhere), the same loop structure (an n x n array with no ghost cells,
 * the radius a compile-time constant, a weight table indexed by offset, one
 * accumulation per term straight into OUT), the same timing (iteration 0 is a
 * warm-up; the time of iterations 1 .. I is averaged) and the same figures:
 * MFlop/s with 2 * (4R + 1) + 1 flops per interior point, and the L1 norm of OUT
 * over the interior, which must equal (I + 1) * 2 (checked to 1e-8).
 *
 * Build: cc -O3 -march=native -o prk_style_stencil bench/prk_style_stencil.c
 *        (add -DRADIUS=3 for another radius)
 * Run:   prk_style_stencil ITERATIONS N
 * Prints one line: "n R iterations avg_seconds MFlop/s norm".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef RADIUS
#define RADIUS 2
#endif

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s ITERATIONS N\n", argv[0]);
    return 2;
  }
  const long iterations = strtol(argv[1], NULL, 10);
  const long n = strtol(argv[2], NULL, 10);
  if (iterations < 1 || n <= 2 * RADIUS || n > 46000) {
    fprintf(stderr, "prk_style_stencil: need ITERATIONS >= 1 and %d < N <= 46000\n", 2 * RADIUS);
    return 2;
  }
  double* restrict in = malloc(sizeof(double) * (size_t)(n * n));
  double* restrict out = malloc(sizeof(double) * (size_t)(n * n));
  if (!in || !out) {
    fprintf(stderr, "prk_style_stencil: out of memory\n");
    return 1;
  }
  /* weight[R + di][R + dj]: zero but for the two arms through the centre. */
  double weight[2 * RADIUS + 1][2 * RADIUS + 1];
  for (int a = 0; a <= 2 * RADIUS; a++)
    for (int b = 0; b <= 2 * RADIUS; b++) weight[a][b] = 0.0;
  for (int k = 1; k <= RADIUS; k++) {
    const double w = 1.0 / (2.0 * k * RADIUS);
    weight[RADIUS][RADIUS + k] = w;
    weight[RADIUS][RADIUS - k] = -w;
    weight[RADIUS + k][RADIUS] = w;
    weight[RADIUS - k][RADIUS] = -w;
  }
  /* Column-major, i fastest, as IN(i,j) = in[i + j * n]. */
  for (long j = 0; j < n; j++)
    for (long i = 0; i < n; i++) {
      in[i + j * n] = (double)(i + j);
      out[i + j * n] = 0.0;
    }

  double start = 0.0;
  for (long iter = 0; iter <= iterations; iter++) {
    if (iter == 1) start = now();
    for (long j = RADIUS; j < n - RADIUS; j++)
      for (long i = RADIUS; i < n - RADIUS; i++) {
        for (int d = -RADIUS; d <= RADIUS; d++) out[i + j * n] += weight[RADIUS][RADIUS + d] * in[i + (j + d) * n];
        for (int d = -RADIUS; d < 0; d++) out[i + j * n] += weight[RADIUS + d][RADIUS] * in[i + d + j * n];
        for (int d = 1; d <= RADIUS; d++) out[i + j * n] += weight[RADIUS + d][RADIUS] * in[i + d + j * n];
      }
    for (long j = 0; j < n; j++)
      for (long i = 0; i < n; i++) in[i + j * n] += 1.0;
  }
  const double avg = (now() - start) / (double)iterations;

  double norm = 0.0;
  for (long j = RADIUS; j < n - RADIUS; j++)
    for (long i = RADIUS; i < n - RADIUS; i++) norm += fabs(out[i + j * n]);
  const double active = (double)(n - 2 * RADIUS) * (double)(n - 2 * RADIUS);
  norm /= active;
  const double expected = (double)(iterations + 1) * 2.0;
  if (fabs(norm - expected) > 1e-8) {
    fprintf(stderr, "prk_style_stencil: norm %.15g, expected %.15g\n", norm, expected);
    return 1;
  }
  const double flops = (2.0 * (4 * RADIUS + 1) + 1) * active;
  printf("%ld %d %ld %.6f %.1f %.15g\n", n, RADIUS, iterations, avg, 1e-6 * flops / avg, norm);
  free(in);
  free(out);
  return 0;
}
