// Complex and real FFTs on f64 data, one complex number per v128 (f64x2: re, im).
//
// Algorithm: radix-4 Stockham autosort (radix-2 for the last stage when log2 n is odd).
// Stockham needs no bit reversal and handles a *batch* of b transforms whose elements are
// interleaved (element j of transform q at j*b + q) with the same code: the batch index is
// simply the innermost, contiguous loop. 2-D/3-D column passes therefore run without any
// transpose. Twiddles W_n^k = exp(-2πik/n), k < 3n/4, are computed once per size by the
// caller (the plan) and stored as (cos, -sin) pairs; the inverse conjugates them in register.
//
// Threads: T threads can share one batch (see fftBatch). Each stage is a loop over butterfly
// groups p (outer) and batch offsets o (inner); every thread takes one slice of it (a range of p
// where there are enough groups, else a range of o) and the threads meet at a barrier before the
// next stage. A p-range writes one contiguous block of the output, so threads never share a cache
// line except at its two ends. Every element gets the same arithmetic in any slicing, so the
// result is bitwise that of one thread.

// The slice of the current stage this thread runs: groups [P0, P1), offsets [O0, O1) (bytes).
// Set by sliceStage; module globals are per instance, so per thread.
let P0: i32 = 0;
let P1: i32 = 0;
let O0: usize = 0;
let O1: usize = 0;

/** This thread's slice of a stage with n1 groups of s elements each: p-ranges when n1 ≥ T, else o-ranges of whole 64-byte lines. */
function sliceStage(n1: i32, s: i32, t: i32, T: i32): void {
  if (n1 >= T) {
    P0 = <i32>((<i64>n1 * t) / T);
    P1 = <i32>((<i64>n1 * (t + 1)) / T);
    O0 = 0;
    O1 = <usize>s << 4;
  } else {
    const lines = (s + 3) >> 2;
    P0 = 0;
    P1 = n1;
    O0 = <usize>min(s, <i32>((<i64>lines * t) / T) << 2) << 4;
    O1 = <usize>min(s, <i32>((<i64>lines * (t + 1)) / T) << 2) << 4;
  }
}

/**
 * Waits until all T threads have called it with the same `sync` (two i32: arrivals, generation).
 * Spins first (the others are normally microseconds away), then sleeps in atomic.wait when the
 * thread may block (not a browser's main thread).
 */
function barrier(sync: usize, T: i32, block: bool): void {
  const gen = atomic.load<i32>(sync, 4);
  if (atomic.add<i32>(sync, 1) == T - 1) {
    atomic.store<i32>(sync, 0);
    atomic.store<i32>(sync, gen + 1, 4);
    atomic.notify(sync + 4, T);
    return;
  }
  let spins = 0;
  while (atomic.load<i32>(sync, 4) == gen) {
    if (++spins > 4096 && block) atomic.wait<i32>(sync + 4, gen, 1000000);
  }
}

// a * w for w = (wr, wi); `sgn` = (-1, 1) forward, (1, -1) inverse (uses conj(w)).
@inline function cmul(a: v128, w: v128, sgn: v128): v128 {
  const wr = v128.shuffle<f64>(w, w, 0, 0);
  const wi = v128.shuffle<f64>(w, w, 1, 1);
  const sw = v128.shuffle<f64>(a, a, 1, 0);
  return f64x2.add(f64x2.mul(a, wr), f64x2.mul(f64x2.mul(sw, wi), sgn));
}

// ±i * z: forward i*z = (-zi, zr); inverse -i*z = (zi, -zr).
@inline function jmul(z: v128, sgn: v128): v128 {
  return f64x2.mul(v128.shuffle<f64>(z, z, 1, 0), sgn);
}

// One radix-4 Stockham stage: sub-transform length ncur, stride s (complex units),
// twiddle index step ts into the size-n table.
function stage4(x: usize, y: usize, ncur: i32, s: i32, tw: usize, ts: i32, sgn: v128): void {
  const n1 = ncur >> 2;
  const S = <usize>s << 4;
  const Q = <usize>n1 * S;
  for (let p = P0; p < P1; p++) {
    const k = <usize>(p * ts);
    const w1 = v128.load(tw + (k << 4));
    const w2 = v128.load(tw + ((k * 2) << 4));
    const w3 = v128.load(tw + ((k * 3) << 4));
    const xa = x + <usize>p * S;
    const ya = y + <usize>(p << 2) * S;
    for (let o = O0; o < O1; o += 16) {
      const a = v128.load(xa + o);
      const b = v128.load(xa + Q + o);
      const c = v128.load(xa + 2 * Q + o);
      const d = v128.load(xa + 3 * Q + o);
      const apc = f64x2.add(a, c);
      const amc = f64x2.sub(a, c);
      const bpd = f64x2.add(b, d);
      const jbmd = jmul(f64x2.sub(b, d), sgn);
      v128.store(ya + o, f64x2.add(apc, bpd));
      v128.store(ya + S + o, cmul(f64x2.sub(amc, jbmd), w1, sgn));
      v128.store(ya + 2 * S + o, cmul(f64x2.sub(apc, bpd), w2, sgn));
      v128.store(ya + 3 * S + o, cmul(f64x2.add(amc, jbmd), w3, sgn));
    }
  }
}

// Final radix-2 stage (ncur = 2): no twiddles.
function stage2(x: usize, y: usize, s: i32): void {
  const S = <usize>s << 4;
  for (let o = O0; o < O1; o += 16) {
    const a = v128.load(x + o);
    const b = v128.load(x + S + o);
    v128.store(y + o, f64x2.add(a, b));
    v128.store(y + S + o, f64x2.sub(a, b));
  }
}


// ---- mixed radix (sizes 2^a 3^b 5^c that are not powers of two) ------------------------------
// The same Stockham stage shape as stage4, with radix-2 (twiddled), -3 and -5 butterflies. The
// size-n table then holds W_n^k for every k < n (radix p uses k, 2k, …, (p−1)k < n).

const C3 = 0.8660254037844386; // sin(2π/3)
const C51 = 0.30901699437494745; // cos(2π/5)
const C52 = -0.8090169943749475; // cos(4π/5)
const S51 = 0.9510565162951535; // sin(2π/5)
const S52 = 0.5877852522924731; // sin(4π/5)

function stage2w(x: usize, y: usize, ncur: i32, s: i32, tw: usize, ts: i32, sgn: v128): void {
  const n1 = ncur >> 1;
  const S = <usize>s << 4;
  const Q = <usize>n1 * S;
  for (let p = P0; p < P1; p++) {
    const w1 = v128.load(tw + (<usize>(p * ts) << 4));
    const xa = x + <usize>p * S;
    const ya = y + <usize>(p << 1) * S;
    for (let o = O0; o < O1; o += 16) {
      const a = v128.load(xa + o);
      const b = v128.load(xa + Q + o);
      v128.store(ya + o, f64x2.add(a, b));
      v128.store(ya + S + o, cmul(f64x2.sub(a, b), w1, sgn));
    }
  }
}

function stage3(x: usize, y: usize, ncur: i32, s: i32, tw: usize, ts: i32, sgn: v128): void {
  const n1 = ncur / 3;
  const S = <usize>s << 4;
  const Q = <usize>n1 * S;
  const half = f64x2.splat(0.5),
    c3 = f64x2.splat(C3);
  for (let p = P0; p < P1; p++) {
    const k = <usize>(p * ts);
    const w1 = v128.load(tw + (k << 4));
    const w2 = v128.load(tw + ((k * 2) << 4));
    const xa = x + <usize>p * S;
    const ya = y + <usize>(p * 3) * S;
    for (let o = O0; o < O1; o += 16) {
      const a = v128.load(xa + o);
      const b = v128.load(xa + Q + o);
      const c = v128.load(xa + 2 * Q + o);
      const t1 = f64x2.add(b, c);
      const t2 = f64x2.sub(a, f64x2.mul(half, t1));
      const u = f64x2.mul(c3, jmul(f64x2.sub(b, c), sgn));
      v128.store(ya + o, f64x2.add(a, t1));
      v128.store(ya + S + o, cmul(f64x2.sub(t2, u), w1, sgn));
      v128.store(ya + 2 * S + o, cmul(f64x2.add(t2, u), w2, sgn));
    }
  }
}

function stage5(x: usize, y: usize, ncur: i32, s: i32, tw: usize, ts: i32, sgn: v128): void {
  const n1 = ncur / 5;
  const S = <usize>s << 4;
  const Q = <usize>n1 * S;
  const c1 = f64x2.splat(C51),
    c2 = f64x2.splat(C52),
    s1 = f64x2.splat(S51),
    s2 = f64x2.splat(S52);
  for (let p = P0; p < P1; p++) {
    const k = <usize>(p * ts);
    const w1 = v128.load(tw + (k << 4));
    const w2 = v128.load(tw + ((k * 2) << 4));
    const w3 = v128.load(tw + ((k * 3) << 4));
    const w4 = v128.load(tw + ((k * 4) << 4));
    const xa = x + <usize>p * S;
    const ya = y + <usize>(p * 5) * S;
    for (let o = O0; o < O1; o += 16) {
      const a = v128.load(xa + o);
      const b = v128.load(xa + Q + o);
      const c = v128.load(xa + 2 * Q + o);
      const d = v128.load(xa + 3 * Q + o);
      const e = v128.load(xa + 4 * Q + o);
      const sbe = f64x2.add(b, e),
        dbe = f64x2.sub(b, e),
        scd = f64x2.add(c, d),
        dcd = f64x2.sub(c, d);
      const t1 = f64x2.add(a, f64x2.add(f64x2.mul(c1, sbe), f64x2.mul(c2, scd)));
      const t2 = f64x2.add(a, f64x2.add(f64x2.mul(c2, sbe), f64x2.mul(c1, scd)));
      const u1 = jmul(f64x2.add(f64x2.mul(s1, dbe), f64x2.mul(s2, dcd)), sgn);
      const u2 = jmul(f64x2.sub(f64x2.mul(s2, dbe), f64x2.mul(s1, dcd)), sgn);
      v128.store(ya + o, f64x2.add(a, f64x2.add(sbe, scd)));
      v128.store(ya + S + o, cmul(f64x2.sub(t1, u1), w1, sgn));
      v128.store(ya + 2 * S + o, cmul(f64x2.sub(t2, u2), w2, sgn));
      v128.store(ya + 3 * S + o, cmul(f64x2.add(t2, u2), w3, sgn));
      v128.store(ya + 4 * S + o, cmul(f64x2.add(t1, u1), w4, sgn));
    }
  }
}

/** The radix of the next stage for a remaining length m: 4s first, then a 2, then 3s, then 5s. */
@inline function radixOf(m: i32): i32 {
  if ((m & 3) == 0) return 4;
  if ((m & 1) == 0) return 2;
  if (m % 3 == 0) return 3;
  return 5;
}

/**
 * Batched complex FFT of length n (2^a 3^b 5^c), b interleaved transforms, unnormalised, on
 * `planes` consecutive batches of n·b complex each. Reads src, leaves the result in dst; `work`
 * (n·b complex, reused per plane) is scratch. src may equal dst; otherwise src is preserved.
 * Powers of two run radix-4 stages (and a final radix-2); other sizes add twiddled radix-2,
 * radix-3 and radix-5 stages.
 *
 * Thread t of T (all T call it together, with the same arguments but t; T = 1 alone) runs its
 * slice of every stage and meets the others at the barrier `sync` (two i32, zero at rest) between
 * stages; `block`: whether this thread may sleep there.
 */
export function fftBatch(
  src: usize, dst: usize, work: usize, n: i32, b: i32, planes: i32, tw: usize, inverse: bool,
  t: i32, T: i32, sync: usize, block: bool,
): void {
  const plane = (<usize>n * <usize>b) << 4;
  for (let k = 0; k < planes; k++) {
    const off = <usize>k * plane;
    fftPlane(src + off, dst + off, work, n, b, tw, inverse, t, T, sync, block);
  }
}

/** fftBatch on one plane; also the row transform of the real FFTs (b = 1, one thread). */
function fftPlane(
  src: usize, dst: usize, work: usize, n: i32, b: i32, tw: usize, inverse: bool,
  t: i32, T: i32, sync: usize, block: bool,
): void {
  const bytes = (<usize>n * <usize>b) << 4;
  if (n == 1) {
    if (src != dst && t == 0) memory.copy(dst, src, bytes);
    return;
  }
  const sgn = inverse ? f64x2(1.0, -1.0) : f64x2(-1.0, 1.0);
  // Count stages to land the last one in dst: stage i writes to dst when (stages - i) is odd.
  let stages = 0;
  for (let m = n; m > 1; m /= radixOf(m)) stages++;
  let from = src;
  let to = (stages & 1) ? dst : work;
  if (from == to) {
    // Each thread copies its share of whole 64-byte lines, then all wait for the whole copy.
    const lines = (bytes + 63) >> 6;
    const a = min(bytes, (<usize>((<u64>lines * t) / T)) << 6),
      e = min(bytes, (<usize>((<u64>lines * (t + 1)) / T)) << 6);
    memory.copy(work + a, src + a, e - a);
    if (T > 1) barrier(sync, T, block);
    from = work;
    to = dst;
  }
  let ncur = n;
  let s = b;
  while (ncur > 1) {
    const p = radixOf(ncur);
    sliceStage(ncur / p, s, t, T);
    if (p == 4) stage4(from, to, ncur, s, tw, s / b, sgn);
    else if (p == 2) {
      // A radix-2 stage is last for powers of two (no twiddles), not for mixed sizes.
      if (ncur == 2) stage2(from, to, s);
      else stage2w(from, to, ncur, s, tw, s / b, sgn);
    } else if (p == 3) stage3(from, to, ncur, s, tw, s / b, sgn);
    else stage5(from, to, ncur, s, tw, s / b, sgn);
    ncur /= p;
    s *= p;
    from = to;
    to = to == dst ? work : dst;
    if (T > 1 && ncur > 1) barrier(sync, T, block);
  }
}

/**
 * In place, the complex FFT z of a row of N = 2m reals read as m complex numbers (in the first m
 * slots of a row of m+1) becomes its real FFT X_0 … X_m. Bins k and m−k come from the same pair
 * (z_k, z_{m−k}): with e = (z_k + z̄_{m−k})/2, o = −i(z_k − z̄_{m−k})/2 and t = W_N^k o,
 * X_k = e + t and X_{m−k} = conj(e − t) (W_N^{m−k} = −conj(W_N^k)), so each pair is computed once.
 */
function realForwardPost(z: usize, m: i32, rtw: usize): void {
  const half = f64x2(0.5, 0.5);
  const conj = f64x2(1.0, -1.0);
  const fwd = f64x2(-1.0, 1.0);
  const z0 = v128.load(z);
  const r0 = f64x2.extract_lane(z0, 0);
  const i0 = f64x2.extract_lane(z0, 1);
  v128.store(z, f64x2(r0 + i0, 0.0));
  v128.store(z + (<usize>m << 4), f64x2(r0 - i0, 0.0));
  for (let k = 1; 2 * k <= m; k++) {
    const mk = m - k;
    const zk = v128.load(z + (<usize>k << 4));
    const zm = f64x2.mul(v128.load(z + (<usize>mk << 4)), conj);
    const e = f64x2.mul(f64x2.add(zk, zm), half);
    const d = f64x2.mul(f64x2.sub(zk, zm), half);
    const o = f64x2.mul(v128.shuffle<f64>(d, d, 1, 0), conj); // −i d
    const t = cmul(o, v128.load(rtw + (<usize>k << 4)), fwd);
    v128.store(z + (<usize>k << 4), f64x2.add(e, t));
    if (mk != k) v128.store(z + (<usize>mk << 4), f64x2.mul(f64x2.sub(e, t), conj));
  }
}

/**
 * Inverse of realForwardPost, in place on a spectrum row (X_0 … X_m), scaled by `s`: the first m
 * slots become the m complex inputs of the inverse FFT. With e = X_k + X̄_{m−k} and
 * o = (X_k − X̄_{m−k}) conj(W_N^k): Z_k = e + i o and Z_{m−k} = conj(e − i o).
 */
function realInversePre(x: usize, m: i32, rtw: usize, s: f64): void {
  const conj = f64x2(1.0, -1.0);
  const inv = f64x2(1.0, -1.0);
  const ip = f64x2(-1.0, 1.0);
  const sc = f64x2.splat(s);
  {
    const x0 = v128.load(x);
    const xm = f64x2.mul(v128.load(x + (<usize>m << 4)), conj);
    const e = f64x2.add(x0, xm);
    const o = cmul(f64x2.sub(x0, xm), v128.load(rtw), inv);
    v128.store(x, f64x2.mul(f64x2.add(e, f64x2.mul(v128.shuffle<f64>(o, o, 1, 0), ip)), sc));
  }
  for (let k = 1; 2 * k <= m; k++) {
    const mk = m - k;
    const xk = v128.load(x + (<usize>k << 4));
    const xm = f64x2.mul(v128.load(x + (<usize>mk << 4)), conj);
    const e = f64x2.add(xk, xm);
    const o = cmul(f64x2.sub(xk, xm), v128.load(rtw + (<usize>k << 4)), inv);
    const io = f64x2.mul(v128.shuffle<f64>(o, o, 1, 0), ip); // i o
    v128.store(x + (<usize>k << 4), f64x2.mul(f64x2.add(e, io), sc));
    if (mk != k) v128.store(x + (<usize>mk << 4), f64x2.mul(f64x2.mul(f64x2.sub(e, io), conj), sc));
  }
}

/**
 * Real forward transform of `rows` contiguous rows of length N = 2m (real) into rows of m+1
 * complex values: each row's complex FFT goes straight into its spectrum row, then is turned into
 * the real FFT in place. rowB is an m-complex scratch row (rowA is unused, kept for the signature).
 */
export function rfftRows(real: usize, spec: usize, rows: i32, m: i32, tw: usize, rtw: usize, rowA: usize, rowB: usize): void {
  const inStride = <usize>m << 4;
  const outStride = <usize>(m + 1) << 4;
  for (let r = 0; r < rows; r++) {
    const out = spec + <usize>r * outStride;
    fftPlane(real + <usize>r * inStride, out, rowB, m, 1, tw, false, 0, 1, 0, false);
    realForwardPost(out, m, rtw);
  }
}

/** Inverse of rfftRows, scaled by `s` (the 1/N of the whole transform): spec rows (destroyed) -> real rows. */
export function irfftRows(spec: usize, real: usize, rows: i32, m: i32, tw: usize, rtw: usize, rowA: usize, rowB: usize, s: f64): void {
  const inStride = <usize>(m + 1) << 4;
  const outStride = <usize>m << 4;
  for (let r = 0; r < rows; r++) {
    const x = spec + <usize>r * inStride;
    realInversePre(x, m, rtw, s);
    fftPlane(x, real + <usize>r * outStride, rowB, m, 1, tw, true, 0, 1, 0, false);
  }
}
