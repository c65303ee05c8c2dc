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

/** Column passes over a plane larger than this may run in blocks of columns on wasm (fftColumns). */
const BLOCK_PLANE_BYTES = 1 << 20;
/** A block's batch: about this many bytes (two per thread), well inside L2. */
const BLOCK_BYTES = 256 << 10;

/**
 * Columns per block for a column pass of b transforms of length n shared by T threads, or 0 where
 * the pass runs whole: only planes larger than L2, blocks of at least 8 columns, and at least two
 * blocks per thread.
 */
export function columnBlock(n: number, b: number, T: number): number {
  const B = Math.floor(BLOCK_BYTES / (16 * n)) & ~3;
  return 16 * n * b > BLOCK_PLANE_BYTES && B >= 8 && b >= 2 * B * T ? B : 0;
}

/** Doubles of one thread's block buffers (two batches of up to B + 8 columns; see fftColumns). */
export function columnBlockDoubles(n: number, B: number): number {
  return B > 0 ? 4 * n * (B + 8) : 0;
}

/**
 * Doubles the wasm backend's column blocks of a real transform of `shape` take on one thread: the
 * column pass that runs in one plane (2-D columns, 3-D z), for the memory estimates.
 */
export function columnBlockScratch(shape: readonly number[]): number {
  const [nx, ny = 1, nz = 1] = shape;
  const nc = (nx >> 1) + 1;
  const [n, b] = nz > 1 ? [nz, ny * nc] : [ny, nc];
  return n > 1 ? columnBlockDoubles(n, columnBlock(n, b, 1)) : 0;
}
