// Tables shared by both backends, so that the two compute with bit-identical constants.

/**
 * W_n^k = exp(-2πik/n) as (cos, -sin) pairs: for powers of two 0 <= k < max(1, 3n/4) (radix-4
 * stages use k, 2k, 3k); for other sizes every k < n (radix p uses k, …, (p−1)k).
 */
export function twiddleTable(n: number): Float64Array {
  const count = (n & (n - 1)) === 0 ? Math.max(1, (3 * n) >> 2) : n;
  const t = new Float64Array(2 * count);
  for (let k = 0; k < count; k++) {
    const a = (2 * Math.PI * k) / n;
    t[2 * k] = Math.cos(a);
    t[2 * k + 1] = -Math.sin(a);
  }
  return t;
}

/** W_N^k for the real-FFT post-processing, N = 2m, 0 <= k < m. */
export function realTwiddleTable(m: number): Float64Array {
  const t = new Float64Array(2 * m);
  for (let k = 0; k < m; k++) {
    const a = (Math.PI * k) / m;
    t[2 * k] = Math.cos(a);
    t[2 * k + 1] = -Math.sin(a);
  }
  return t;
}

/**
 * The number of Stockham stages of a batched (b > 1) length-n transform, as assembly/fft.ts runs
 * them (a last 8, else radix 4 while 4 divides, then 2, 3, 5). Its parity decides where an in-place
 * column pass needs a copy first: the backend routes data so that it does not (Backend.rfft/irfft).
 */
export function stockhamStages(n: number): number {
  let stages = 0;
  for (let m = n; m > 1; stages++) m /= m === 8 ? 8 : m % 4 === 0 ? 4 : m % 2 === 0 ? 2 : m % 3 === 0 ? 3 : 5;
  return stages;
}
