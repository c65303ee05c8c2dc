/* FFTW peer for `npm run bench -- fftw`: times the same transforms as bench/fftw.mjs asks for, in
 * double precision, one thread, FFTW_MEASURE plans, and prints "label seconds-per-op" lines.
 * Usage: fftw KIND DIMS... with KIND c (complex forward, in place) or r (real forward + inverse);
 * a trailing s (cs, rs) plans with FFTW_NO_SIMD: FFTW's scalar codelets, a reference for how much
 * of its lead is vector width (its AVX codelets hold two complex doubles per register, WASM SIMD
 * one). */
#include <fftw3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int rank = argc - 2, n[3] = {1, 1, 1}, total = 1;
  for (int i = 0; i < rank; i++) total *= (n[i] = atoi(argv[2 + i]));
  double best = 1e30;
  unsigned flags = FFTW_MEASURE | (argv[1][1] == 's' ? FFTW_NO_SIMD : 0);
  if (argv[1][0] == 'c') {
    fftw_complex *a = fftw_alloc_complex(total);
    fftw_plan p = fftw_plan_dft(rank, n, a, a, FFTW_FORWARD, flags);
    for (int i = 0; i < total; i++) a[i][0] = (double)(i % 7) - 3, a[i][1] = 0.5;
    for (int rep = 0; rep < 5; rep++) {
      int iters = 0;
      double t0 = now(), t;
      do fftw_execute(p), iters++; while ((t = now() - t0) < 0.2);
      if (t / iters < best) best = t / iters;
    }
  } else {
    /* numpy order: the last dimension is the contiguous one (our x). */
    int dims[3];
    for (int i = 0; i < rank; i++) dims[i] = n[rank - 1 - i];
    int nc = total / dims[rank - 1] * (dims[rank - 1] / 2 + 1);
    double *r = fftw_alloc_real(total);
    fftw_complex *c = fftw_alloc_complex(nc);
    fftw_plan f = fftw_plan_dft_r2c(rank, dims, r, c, flags);
    fftw_plan b = fftw_plan_dft_c2r(rank, dims, c, r, flags);
    for (int i = 0; i < total; i++) r[i] = (double)(i % 7) - 3;
    for (int rep = 0; rep < 5; rep++) {
      int iters = 0;
      double t0 = now(), t;
      do fftw_execute(f), fftw_execute(b), iters++; while ((t = now() - t0) < 0.2);
      if (t / iters < best) best = t / iters;
    }
  }
  printf("%.9e\n", best);
  return 0;
}
