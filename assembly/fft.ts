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
 * Waits until all T threads have called it with the same `sync` (three i32: arrivals, generation,
 * failed). Spins first (the others are normally microseconds away), then sleeps in atomic.wait
 * when the thread may block (not a browser's main thread). A thread whose part trapped never
 * arrives: the team then sets `failed` (threads.ts), which lets every waiting thread through, so
 * the call ends in an error instead of a hang.
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
  while (atomic.load<i32>(sync, 4) == gen && atomic.load<i32>(sync, 8) == 0) {
    if (++spins > 65536 && block) atomic.wait<i32>(sync + 4, gen, 1000000);
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
// twiddle index step ts into the size-n table. A last stage (ncur = 4) has only W^0 = 1: its
// outputs are stored without the three complex multiplies (the same values, bar the sign of a
// zero; a quarter of a 4^k transform's multiplies).
function stage4(x: usize, y: usize, ncur: i32, s: i32, tw: usize, ts: i32, sgn: v128): void {
  if (ncur == 4) radix4(x, y, 4, s, tw, 0, sgn, false);
  else radix4(x, y, ncur, s, tw, ts, sgn, true);
}

@inline function radix4(x: usize, y: usize, ncur: i32, s: i32, tw: usize, ts: i32, sgn: v128, twiddled: bool): void {
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
      const y1 = f64x2.sub(amc, jbmd), y2 = f64x2.sub(apc, bpd), y3 = f64x2.add(amc, jbmd);
      v128.store(ya + o, f64x2.add(apc, bpd));
      v128.store(ya + S + o, twiddled ? cmul(y1, w1, sgn) : y1);
      v128.store(ya + 2 * S + o, twiddled ? cmul(y2, w2, sgn) : y2);
      v128.store(ya + 3 * S + o, twiddled ? cmul(y3, w3, sgn) : y3);
    }
  }
}

// Final radix-8 stage (ncur = 8, one group: no twiddles) of a batch (b > 1) whose length is a power
// of two with an odd exponent: one pass where a radix-4 and a radix-2 stage took two. A radix-2
// step with W8^j on the differences, then the two radix-4 butterflies of the even and the odd
// outputs. Not for single transforms (b = 1): their 8 streams a power of two apart collide in
// L1 sets (a 2^15 transform ran 10 % slower), and rows must match the row pairs, which keep 4 + 2.
function stage8(x: usize, y: usize, s: i32, sgn: v128): void {
  const S = <usize>s << 4;
  const r2 = f64x2.splat(0.7071067811865476); // 1/√2
  for (let o = O0; o < O1; o += 16) {
    const x0 = v128.load(x + o), x4 = v128.load(x + 4 * S + o);
    const x1 = v128.load(x + S + o), x5 = v128.load(x + 5 * S + o);
    const x2 = v128.load(x + 2 * S + o), x6 = v128.load(x + 6 * S + o);
    const x3 = v128.load(x + 3 * S + o), x7 = v128.load(x + 7 * S + o);
    const a0 = f64x2.add(x0, x4), a1 = f64x2.add(x1, x5), a2 = f64x2.add(x2, x6), a3 = f64x2.add(x3, x7);
    const d0 = f64x2.sub(x0, x4), d1 = f64x2.sub(x1, x5), d2 = f64x2.sub(x2, x6), d3 = f64x2.sub(x3, x7);
    // b_j = d_j W8^j with W8 = (1 ∓ i)/√2, W8² = ∓i, W8³ = (−1 ∓ i)/√2 (jmul is ±i, as in stage4).
    const b1 = f64x2.mul(f64x2.sub(d1, jmul(d1, sgn)), r2);
    const b2 = f64x2.neg(jmul(d2, sgn));
    const b3 = f64x2.neg(f64x2.mul(f64x2.add(d3, jmul(d3, sgn)), r2));
    // Even outputs: DFT4 of a; odd outputs: DFT4 of b (b0 = d0).
    const apc = f64x2.add(a0, a2), amc = f64x2.sub(a0, a2), bpd = f64x2.add(a1, a3);
    const jbmd = jmul(f64x2.sub(a1, a3), sgn);
    v128.store(y + o, f64x2.add(apc, bpd));
    v128.store(y + 2 * S + o, f64x2.sub(amc, jbmd));
    v128.store(y + 4 * S + o, f64x2.sub(apc, bpd));
    v128.store(y + 6 * S + o, f64x2.add(amc, jbmd));
    const epc = f64x2.add(d0, b2), emc = f64x2.sub(d0, b2), fpd = f64x2.add(b1, b3);
    const jfmd = jmul(f64x2.sub(b1, b3), sgn);
    v128.store(y + S + o, f64x2.add(epc, fpd));
    v128.store(y + 3 * S + o, f64x2.sub(emc, jfmd));
    v128.store(y + 5 * S + o, f64x2.sub(epc, fpd));
    v128.store(y + 7 * S + o, f64x2.add(emc, jfmd));
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

/** The radix of the next stage of a batch of b: a last 8 for batches (see stage8), else radixOf. */
@inline function stageRadix(m: i32, b: i32): i32 {
  return m == 8 && b > 1 ? 8 : radixOf(m);
}

/** The number of stages of a length-n transform in a batch of b (the parity says where it ends). */
@inline function stageCount(n: i32, b: i32): i32 {
  let stages = 0;
  for (let m = n; m > 1; m /= stageRadix(m, b)) stages++;
  return stages;
}

/**
 * Batched complex FFT of length n (2^a 3^b 5^c), b interleaved transforms, unnormalised, on
 * `planes` consecutive batches of n·b complex each. Reads src, leaves the result in dst; `work`
 * (n·b complex, reused per plane) is scratch. src may equal dst; otherwise src is preserved.
 * Powers of two run radix-4 stages (and a final radix-2); other sizes add twiddled radix-2,
 * radix-3 and radix-5 stages.
 *
 * Thread t of T (all T call it together, with the same arguments but t; T = 1 alone) runs its
 * slice of every stage and meets the others at the barrier `sync` (three i32, zero at rest) between
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

/**
 * Columns [q0, q1) of one plane of a batch of b transforms of length n, src → dst (which may be
 * the same), in blocks of about B columns: each block is gathered into a contiguous batch in
 * `buf`, runs every stage there (in L2, where a whole plane's stages would stream through L3), and
 * is scattered to dst; `buf` holds two batches of up to B + 8 columns. Each column gets the stages
 * of the whole batch, bitwise: radices and twiddles depend on n only, and a block has at least two
 * columns (the caller gives q1 − q0 ≥ 2B − 4, so blocks of at least B/2 ≥ 4). One thread per
 * call; threads take column ranges on 64-byte lines.
 */
export function fftColumns(
  src: usize, dst: usize, buf: usize, n: i32, b: i32, q0: i32, q1: i32, B: i32, tw: usize, inverse: bool,
): void {
  const K = (q1 - q0 + B - 1) / B; // blocks, on 64-byte lines; widths under B + 8
  const quads = (q1 - q0) >> 2;
  const stages = stageCount(n, 2); // a block has at least two columns
  const row = <usize>b << 4;
  for (let k = 0; k < K; k++) {
    const a = q0 + (((quads * k) / K) << 2);
    const e = k == K - 1 ? q1 : q0 + (((quads * (k + 1)) / K) << 2);
    const run = <usize>(e - a) << 4;
    const g = buf,
      h = buf + <usize>n * run;
    for (let j = 0; j < n; j++) memory.copy(g + <usize>j * run, src + <usize>j * row + (<usize>a << 4), run);
    // Stage 1 reads g; an odd stage count ends in h, an even one back in g.
    const out = stages & 1 ? h : g;
    fftPlane(g, out, stages & 1 ? g : h, n, e - a, tw, inverse, 0, 1, 0, false);
    for (let j = 0; j < n; j++) memory.copy(dst + <usize>j * row + (<usize>a << 4), out + <usize>j * run, run);
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
  // Stage i writes to dst when (stages - i) is odd, so that the last lands in dst.
  const stages = stageCount(n, b);
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
    const p = stageRadix(ncur, b);
    sliceStage(ncur / p, s, t, T);
    if (p == 8) stage8(from, to, s, sgn);
    else if (p == 4) stage4(from, to, ncur, s, tw, s / b, sgn);
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

// ---- rows in pairs, real and imaginary parts apart ---------------------------------------------
// Two rows' complex FFTs at once: element j of a pair is 32 bytes, RE = (row0[j].re, row1[j].re)
// then IM = (row0[j].im, row1[j].im). A complex multiply is then 4 multiplies and 2 adds for two
// numbers with no shuffle, where the interleaved kernel spends 7 operations (3 of them shuffles)
// on one. Every lane gets the operations the interleaved kernel applies to its number, in the same
// order (x − y as x + (−y), a sign flip as a multiply by −1: both exact), so the results are
// bitwise the same. Every radix (4, 2, 3, 5) has its pair stage.

/** a · w on split pairs, stored at p: wr = (re w, re w), wi = (im w, im w) · (1 forward, −1 inverse). */
@inline function pairMulStore(p: usize, aR: v128, aI: v128, wr: v128, wi: v128): void {
  v128.store(p, f64x2.sub(f64x2.mul(aR, wr), f64x2.mul(aI, wi)));
  v128.store(p, f64x2.add(f64x2.mul(aI, wr), f64x2.mul(aR, wi)), 16);
}

/**
 * One radix-4 Stockham stage on split pairs (b = 1); sg = 1 forward, −1 inverse; no multiplies when
 * last (see stage4). in0/in1 ≠ 0: the first stage reads the pair's two rows where they lie,
 * interleaved, and splits them as it loads (no packing pass); out0/out1 ≠ 0: the last stage writes
 * them back interleaved (no unpacking pass). Either way the values are the same bits.
 */
function pairStage4(x: usize, y: usize, ncur: i32, s: i32, tw: usize, sg: f64, in0: usize, in1: usize, out0: usize, out1: usize): void {
  if (ncur == 4) {
    if (in0) pairRadix4(x, y, 4, s, tw, sg, false, true, false, in0, in1, 0, 0);
    else if (out0) pairRadix4(x, y, 4, s, tw, sg, false, false, true, 0, 0, out0, out1);
    else pairRadix4(x, y, 4, s, tw, sg, false, false, false, 0, 0, 0, 0);
  } else if (in0) pairRadix4(x, y, ncur, s, tw, sg, true, true, false, in0, in1, 0, 0);
  else pairRadix4(x, y, ncur, s, tw, sg, true, false, false, 0, 0, 0, 0);
}

/** Stores element RE, IM at byte offset q of a split-pair array y, or into its rows out0/out1 (toRows). */
@inline function pairStore(toRows: bool, y: usize, q: usize, out0: usize, out1: usize, R: v128, I: v128): void {
  if (toRows) {
    const e = (q >> 5) << 4;
    v128.store(out0 + e, v128.shuffle<f64>(R, I, 0, 2));
    v128.store(out1 + e, v128.shuffle<f64>(R, I, 1, 3));
  } else {
    v128.store(y + q, R);
    v128.store(y + q, I, 16);
  }
}

@inline function pairRadix4(
  x: usize, y: usize, ncur: i32, s: i32, tw: usize, sg: f64, twiddled: bool,
  fromRows: bool, toRows: bool, in0: usize, in1: usize, out0: usize, out1: usize,
): void {
  const n1 = ncur >> 2;
  const S = <usize>s << 5;
  const Q = <usize>n1 * S;
  const ps = f64x2.splat(sg),
    ns = f64x2.splat(-sg);
  for (let p = 0; p < n1; p++) {
    const k = <usize>(p * s);
    const t1 = v128.load(tw + (k << 4)),
      t2 = v128.load(tw + ((k * 2) << 4)),
      t3 = v128.load(tw + ((k * 3) << 4));
    const w1r = v128.shuffle<f64>(t1, t1, 0, 0),
      w1i = f64x2.mul(v128.shuffle<f64>(t1, t1, 1, 1), ps);
    const w2r = v128.shuffle<f64>(t2, t2, 0, 0),
      w2i = f64x2.mul(v128.shuffle<f64>(t2, t2, 1, 1), ps);
    const w3r = v128.shuffle<f64>(t3, t3, 0, 0),
      w3i = f64x2.mul(v128.shuffle<f64>(t3, t3, 1, 1), ps);
    const xo = <usize>p * S; // byte offsets in the split arrays (x, y)
    const yo = <usize>(p << 2) * S;
    for (let o: usize = 0; o < S; o += 32) {
      const qa = xo + o, qb = qa + Q, qc = qa + 2 * Q, qd = qa + 3 * Q;
      const z = f64x2.splat(0.0);
      let aR = z, aI = z, bR = z, bI = z, cR = z, cI = z, dR = z, dI = z;
      if (!fromRows) {
        aR = v128.load(x + qa);
        aI = v128.load(x + qa, 16);
        bR = v128.load(x + qb);
        bI = v128.load(x + qb, 16);
        cR = v128.load(x + qc);
        cI = v128.load(x + qc, 16);
        dR = v128.load(x + qd);
        dI = v128.load(x + qd, 16);
      } else {
        // Each element's two rows loaded once, split as the packing pass did.
        const ua = v128.load(in0 + ((qa >> 5) << 4)), va = v128.load(in1 + ((qa >> 5) << 4));
        const ub = v128.load(in0 + ((qb >> 5) << 4)), vb = v128.load(in1 + ((qb >> 5) << 4));
        const uc = v128.load(in0 + ((qc >> 5) << 4)), vc = v128.load(in1 + ((qc >> 5) << 4));
        const ud = v128.load(in0 + ((qd >> 5) << 4)), vd = v128.load(in1 + ((qd >> 5) << 4));
        aR = v128.shuffle<f64>(ua, va, 0, 2);
        aI = v128.shuffle<f64>(ua, va, 1, 3);
        bR = v128.shuffle<f64>(ub, vb, 0, 2);
        bI = v128.shuffle<f64>(ub, vb, 1, 3);
        cR = v128.shuffle<f64>(uc, vc, 0, 2);
        cI = v128.shuffle<f64>(uc, vc, 1, 3);
        dR = v128.shuffle<f64>(ud, vd, 0, 2);
        dI = v128.shuffle<f64>(ud, vd, 1, 3);
      }
      const apcR = f64x2.add(aR, cR), apcI = f64x2.add(aI, cI);
      const amcR = f64x2.sub(aR, cR), amcI = f64x2.sub(aI, cI);
      const bpdR = f64x2.add(bR, dR), bpdI = f64x2.add(bI, dI);
      const bmdR = f64x2.sub(bR, dR), bmdI = f64x2.sub(bI, dI);
      // j = ±i (b − d): forward (−im, re), inverse (im, −re), as jmul.
      const jR = f64x2.mul(bmdI, ns), jI = f64x2.mul(bmdR, ps);
      const yq = yo + o;
      pairStore(toRows, y, yq, out0, out1, f64x2.add(apcR, bpdR), f64x2.add(apcI, bpdI));
      const y1R = f64x2.sub(amcR, jR), y1I = f64x2.sub(amcI, jI);
      const y2R = f64x2.sub(apcR, bpdR), y2I = f64x2.sub(apcI, bpdI);
      const y3R = f64x2.add(amcR, jR), y3I = f64x2.add(amcI, jI);
      if (twiddled) {
        pairMulStore(y + yq + S, y1R, y1I, w1r, w1i);
        pairMulStore(y + yq + 2 * S, y2R, y2I, w2r, w2i);
        pairMulStore(y + yq + 3 * S, y3R, y3I, w3r, w3i);
      } else {
        pairStore(toRows, y, yq + S, out0, out1, y1R, y1I);
        pairStore(toRows, y, yq + 2 * S, out0, out1, y2R, y2I);
        pairStore(toRows, y, yq + 3 * S, out0, out1, y3R, y3I);
      }
    }
  }
}

/** Final radix-2 stage on split pairs (ncur = 2): no twiddles; out0/out1 ≠ 0: into the rows (see pairStage4). */
function pairStage2(x: usize, y: usize, s: i32, out0: usize, out1: usize): void {
  const S = <usize>s << 5;
  if (out0)
    for (let o: usize = 0; o < S; o += 32) {
      const aR = v128.load(x + o), aI = v128.load(x + o, 16);
      const bR = v128.load(x + S + o), bI = v128.load(x + S + o, 16);
      pairStore(true, y, o, out0, out1, f64x2.add(aR, bR), f64x2.add(aI, bI));
      pairStore(true, y, S + o, out0, out1, f64x2.sub(aR, bR), f64x2.sub(aI, bI));
    }
  else
    for (let o: usize = 0; o < S; o += 16) {
      const a = v128.load(x + o), b = v128.load(x + S + o);
      v128.store(y + o, f64x2.add(a, b));
      v128.store(y + S + o, f64x2.sub(a, b));
    }
}

/** Splat of twiddle W^k's real part, and of its imaginary part times sg (conj W for the inverse). */
@inline function twR(tw: usize, k: usize): v128 {
  return v128.load64_splat(tw + (k << 4));
}
@inline function twI(tw: usize, k: usize, ps: v128): v128 {
  return f64x2.mul(v128.load64_splat(tw + (k << 4) + 8), ps);
}

/** Twiddled radix-2 stage on split pairs (mixed sizes; see stage2w). */
function pairStage2w(x: usize, y: usize, ncur: i32, s: i32, tw: usize, sg: f64): void {
  const n1 = ncur >> 1;
  const S = <usize>s << 5;
  const Q = <usize>n1 * S;
  const ps = f64x2.splat(sg);
  for (let p = 0; p < n1; p++) {
    const k = <usize>(p * s);
    const w1r = twR(tw, k), w1i = twI(tw, k, ps);
    const xa = x + <usize>p * S;
    const ya = y + <usize>(p << 1) * S;
    for (let o: usize = 0; o < S; o += 32) {
      const aR = v128.load(xa + o), aI = v128.load(xa + o, 16);
      const bR = v128.load(xa + Q + o), bI = v128.load(xa + Q + o, 16);
      v128.store(ya + o, f64x2.add(aR, bR));
      v128.store(ya + o, f64x2.add(aI, bI), 16);
      pairMulStore(ya + S + o, f64x2.sub(aR, bR), f64x2.sub(aI, bI), w1r, w1i);
    }
  }
}

/** Radix-3 stage on split pairs (see stage3). */
function pairStage3(x: usize, y: usize, ncur: i32, s: i32, tw: usize, sg: f64): void {
  const n1 = ncur / 3;
  const S = <usize>s << 5;
  const Q = <usize>n1 * S;
  const ps = f64x2.splat(sg),
    ns = f64x2.splat(-sg);
  const half = f64x2.splat(0.5),
    c3 = f64x2.splat(C3);
  for (let p = 0; p < n1; p++) {
    const k = <usize>(p * s);
    const w1r = twR(tw, k), w1i = twI(tw, k, ps);
    const w2r = twR(tw, 2 * k), w2i = twI(tw, 2 * k, ps);
    const xa = x + <usize>p * S;
    const ya = y + <usize>(p * 3) * S;
    for (let o: usize = 0; o < S; o += 32) {
      const aR = v128.load(xa + o), aI = v128.load(xa + o, 16);
      const bR = v128.load(xa + Q + o), bI = v128.load(xa + Q + o, 16);
      const cR = v128.load(xa + 2 * Q + o), cI = v128.load(xa + 2 * Q + o, 16);
      const t1R = f64x2.add(bR, cR), t1I = f64x2.add(bI, cI);
      const t2R = f64x2.sub(aR, f64x2.mul(half, t1R)), t2I = f64x2.sub(aI, f64x2.mul(half, t1I));
      // u = c3 · j(b − c), j as in pairStage4
      const uR = f64x2.mul(c3, f64x2.mul(f64x2.sub(bI, cI), ns)),
        uI = f64x2.mul(c3, f64x2.mul(f64x2.sub(bR, cR), ps));
      v128.store(ya + o, f64x2.add(aR, t1R));
      v128.store(ya + o, f64x2.add(aI, t1I), 16);
      pairMulStore(ya + S + o, f64x2.sub(t2R, uR), f64x2.sub(t2I, uI), w1r, w1i);
      pairMulStore(ya + 2 * S + o, f64x2.add(t2R, uR), f64x2.add(t2I, uI), w2r, w2i);
    }
  }
}

/** Radix-5 stage on split pairs (see stage5). */
function pairStage5(x: usize, y: usize, ncur: i32, s: i32, tw: usize, sg: f64): void {
  const n1 = ncur / 5;
  const S = <usize>s << 5;
  const Q = <usize>n1 * S;
  const ps = f64x2.splat(sg),
    ns = f64x2.splat(-sg);
  const c1 = f64x2.splat(C51),
    c2 = f64x2.splat(C52),
    s1 = f64x2.splat(S51),
    s2 = f64x2.splat(S52);
  for (let p = 0; p < n1; p++) {
    const k = <usize>(p * s);
    const w1r = twR(tw, k), w1i = twI(tw, k, ps);
    const w2r = twR(tw, 2 * k), w2i = twI(tw, 2 * k, ps);
    const w3r = twR(tw, 3 * k), w3i = twI(tw, 3 * k, ps);
    const w4r = twR(tw, 4 * k), w4i = twI(tw, 4 * k, ps);
    const xa = x + <usize>p * S;
    const ya = y + <usize>(p * 5) * S;
    for (let o: usize = 0; o < S; o += 32) {
      const aR = v128.load(xa + o), aI = v128.load(xa + o, 16);
      const bR = v128.load(xa + Q + o), bI = v128.load(xa + Q + o, 16);
      const cR = v128.load(xa + 2 * Q + o), cI = v128.load(xa + 2 * Q + o, 16);
      const dR = v128.load(xa + 3 * Q + o), dI = v128.load(xa + 3 * Q + o, 16);
      const eR = v128.load(xa + 4 * Q + o), eI = v128.load(xa + 4 * Q + o, 16);
      const sbeR = f64x2.add(bR, eR), sbeI = f64x2.add(bI, eI);
      const dbeR = f64x2.sub(bR, eR), dbeI = f64x2.sub(bI, eI);
      const scdR = f64x2.add(cR, dR), scdI = f64x2.add(cI, dI);
      const dcdR = f64x2.sub(cR, dR), dcdI = f64x2.sub(cI, dI);
      const t1R = f64x2.add(aR, f64x2.add(f64x2.mul(c1, sbeR), f64x2.mul(c2, scdR))),
        t1I = f64x2.add(aI, f64x2.add(f64x2.mul(c1, sbeI), f64x2.mul(c2, scdI)));
      const t2R = f64x2.add(aR, f64x2.add(f64x2.mul(c2, sbeR), f64x2.mul(c1, scdR))),
        t2I = f64x2.add(aI, f64x2.add(f64x2.mul(c2, sbeI), f64x2.mul(c1, scdI)));
      // u1 = j(s1 dbe + s2 dcd), u2 = j(s2 dbe − s1 dcd)
      const v1R = f64x2.add(f64x2.mul(s1, dbeR), f64x2.mul(s2, dcdR)),
        v1I = f64x2.add(f64x2.mul(s1, dbeI), f64x2.mul(s2, dcdI));
      const v2R = f64x2.sub(f64x2.mul(s2, dbeR), f64x2.mul(s1, dcdR)),
        v2I = f64x2.sub(f64x2.mul(s2, dbeI), f64x2.mul(s1, dcdI));
      const u1R = f64x2.mul(v1I, ns), u1I = f64x2.mul(v1R, ps);
      const u2R = f64x2.mul(v2I, ns), u2I = f64x2.mul(v2R, ps);
      v128.store(ya + o, f64x2.add(aR, f64x2.add(sbeR, scdR)));
      v128.store(ya + o, f64x2.add(aI, f64x2.add(sbeI, scdI)), 16);
      pairMulStore(ya + S + o, f64x2.sub(t1R, u1R), f64x2.sub(t1I, u1I), w1r, w1i);
      pairMulStore(ya + 2 * S + o, f64x2.sub(t2R, u2R), f64x2.sub(t2I, u2I), w2r, w2i);
      pairMulStore(ya + 3 * S + o, f64x2.add(t2R, u2R), f64x2.add(t2I, u2I), w3r, w3i);
      pairMulStore(ya + 4 * S + o, f64x2.add(t1R, u1R), f64x2.add(t1I, u1I), w4r, w4i);
    }
  }
}

/**
 * The pair's complex FFT of length m (the stages of fftPlane) through a and b. Its input: the rows
 * in0/in1 (interleaved, each m complex), read by a radix-4 first stage as it goes, else packed into
 * a first; or, with in0 = 0, the split pair already in a. Its output: the rows out0/out1, written by
 * a radix-4 or radix-2 last stage as it goes, else unpacked at the end (returns 0); or, with
 * out0 = 0, the split pair left in a or b (returns which).
 */
function pairFft(a: usize, b: usize, m: i32, tw: usize, sg: f64, in0: usize, in1: usize, out0: usize, out1: usize): usize {
  if (in0 && radixOf(m) != 4) {
    for (let j = 0; j < m; j++) {
      const u = v128.load(in0 + (<usize>j << 4)), v = v128.load(in1 + (<usize>j << 4));
      v128.store(a + (<usize>j << 5), v128.shuffle<f64>(u, v, 0, 2));
      v128.store(a + (<usize>j << 5), v128.shuffle<f64>(u, v, 1, 3), 16);
    }
    in0 = 0;
  }
  let from = a,
    to = b,
    ncur = m,
    s = 1;
  while (ncur > 1) {
    const p = radixOf(ncur);
    // The last stage writes the rows itself where it can.
    const rows = ncur == p && (p == 4 || p == 2) ? out0 : 0;
    if (p == 4) pairStage4(from, to, ncur, s, tw, sg, in0, in1, rows, out1);
    else if (p == 2) {
      if (ncur == 2) pairStage2(from, to, s, rows, out1);
      else pairStage2w(from, to, ncur, s, tw, sg);
    } else if (p == 3) pairStage3(from, to, ncur, s, tw, sg);
    else pairStage5(from, to, ncur, s, tw, sg);
    if (rows) return 0;
    in0 = 0;
    ncur /= p;
    s *= p;
    const t = from;
    from = to;
    to = t;
  }
  if (out0) {
    for (let j = 0; j < m; j++) {
      const re = v128.load(from + (<usize>j << 5)), im = v128.load(from + (<usize>j << 5), 16);
      v128.store(out0 + (<usize>j << 4), v128.shuffle<f64>(re, im, 0, 2));
      v128.store(out1 + (<usize>j << 4), v128.shuffle<f64>(re, im, 1, 3));
    }
    return 0;
  }
  return from;
}

/** realForwardPost for a pair: split z (32 bytes per element) into two spectrum rows out0, out1. */
function pairForwardPost(z: usize, out0: usize, out1: usize, m: i32, rtw: usize): void {
  const half = f64x2.splat(0.5);
  const zero = f64x2.splat(0.0);
  const z0R = v128.load(z), z0I = v128.load(z, 16);
  const sum = f64x2.add(z0R, z0I),
    dif = f64x2.sub(z0R, z0I);
  const M = <usize>m << 4;
  v128.store(out0, v128.shuffle<f64>(sum, zero, 0, 2));
  v128.store(out1, v128.shuffle<f64>(sum, zero, 1, 2));
  v128.store(out0 + M, v128.shuffle<f64>(dif, zero, 0, 2));
  v128.store(out1 + M, v128.shuffle<f64>(dif, zero, 1, 2));
  for (let k = 1; 2 * k <= m; k++) {
    const mk = m - k;
    const pk = z + (<usize>k << 5),
      pm = z + (<usize>mk << 5);
    const zkR = v128.load(pk), zkI = v128.load(pk, 16);
    const zmR = v128.load(pm), zmI = f64x2.neg(v128.load(pm, 16)); // conj z_{m−k}
    const eR = f64x2.mul(f64x2.add(zkR, zmR), half), eI = f64x2.mul(f64x2.add(zkI, zmI), half);
    const dR = f64x2.mul(f64x2.sub(zkR, zmR), half), dI = f64x2.mul(f64x2.sub(zkI, zmI), half);
    const oR = dI, oI = f64x2.neg(dR); // −i d
    const w = v128.load(rtw + (<usize>k << 4));
    const wr = v128.shuffle<f64>(w, w, 0, 0), wi = v128.shuffle<f64>(w, w, 1, 1);
    const tR = f64x2.sub(f64x2.mul(oR, wr), f64x2.mul(oI, wi)),
      tI = f64x2.add(f64x2.mul(oI, wr), f64x2.mul(oR, wi));
    const xR = f64x2.add(eR, tR), xI = f64x2.add(eI, tI);
    v128.store(out0 + (<usize>k << 4), v128.shuffle<f64>(xR, xI, 0, 2));
    v128.store(out1 + (<usize>k << 4), v128.shuffle<f64>(xR, xI, 1, 3));
    if (mk != k) {
      const yR = f64x2.sub(eR, tR), yI = f64x2.neg(f64x2.sub(eI, tI)); // conj(e − t)
      v128.store(out0 + (<usize>mk << 4), v128.shuffle<f64>(yR, yI, 0, 2));
      v128.store(out1 + (<usize>mk << 4), v128.shuffle<f64>(yR, yI, 1, 3));
    }
  }
}

/** realInversePre for a pair: spectrum rows x0, x1 into split Z (32 bytes per element), scaled by s. */
function pairInversePre(x0: usize, x1: usize, m: i32, rtw: usize, s: f64, z: usize): void {
  const sc = f64x2.splat(s);
  for (let k = 0; 2 * k <= m; k++) {
    const mk = m - k;
    const a = v128.load(x0 + (<usize>k << 4)), b = v128.load(x1 + (<usize>k << 4));
    const c = v128.load(x0 + (<usize>mk << 4)), d = v128.load(x1 + (<usize>mk << 4));
    const xkR = v128.shuffle<f64>(a, b, 0, 2), xkI = v128.shuffle<f64>(a, b, 1, 3);
    const xmR = v128.shuffle<f64>(c, d, 0, 2), xmI = f64x2.neg(v128.shuffle<f64>(c, d, 1, 3)); // conj X_{m−k}
    const eR = f64x2.add(xkR, xmR), eI = f64x2.add(xkI, xmI);
    const gR = f64x2.sub(xkR, xmR), gI = f64x2.sub(xkI, xmI);
    const w = v128.load(rtw + (<usize>k << 4));
    const wr = v128.shuffle<f64>(w, w, 0, 0), wi = v128.shuffle<f64>(w, w, 1, 1);
    // o = g · conj(w)
    const oR = f64x2.add(f64x2.mul(gR, wr), f64x2.mul(gI, wi)),
      oI = f64x2.sub(f64x2.mul(gI, wr), f64x2.mul(gR, wi));
    // Z_k = (e + i o) s, i o = (−oI, oR)
    v128.store(z + (<usize>k << 5), f64x2.mul(f64x2.sub(eR, oI), sc));
    v128.store(z + (<usize>k << 5), f64x2.mul(f64x2.add(eI, oR), sc), 16);
    if (k != 0 && mk != k) {
      // Z_{m−k} = conj(e − i o) s
      v128.store(z + (<usize>mk << 5), f64x2.mul(f64x2.add(eR, oI), sc));
      v128.store(z + (<usize>mk << 5), f64x2.mul(f64x2.neg(f64x2.sub(eI, oR)), sc), 16);
    }
  }
}

/**
 * Real forward transform of `rows` contiguous rows of length N = 2m (real) into rows of m+1
 * complex values, in pairs of rows (split layout, above; rowA and rowB hold a pair: 2m complex
 * each); a last odd row goes alone: its complex FFT straight into its spectrum row, then turned
 * into the real FFT in place (rowB as scratch).
 */
export function rfftRows(real: usize, spec: usize, rows: i32, m: i32, tw: usize, rtw: usize, rowA: usize, rowB: usize): void {
  const inStride = <usize>m << 4;
  const outStride = <usize>(m + 1) << 4;
  let r = 0;
  if (m > 1)
    for (; r + 1 < rows; r += 2) {
      const row0 = real + <usize>r * inStride;
      const z = pairFft(rowA, rowB, m, tw, 1.0, row0, row0 + inStride, 0, 0);
      const out0 = spec + <usize>r * outStride;
      pairForwardPost(z, out0, out0 + outStride, m, rtw);
    }
  for (; r < rows; r++) {
    const out = spec + <usize>r * outStride;
    fftPlane(real + <usize>r * inStride, out, rowB, m, 1, tw, false, 0, 1, 0, false);
    realForwardPost(out, m, rtw);
  }
}

/**
 * Inverse of rfftRows, scaled by `s` (the 1/N of the whole transform): spec rows -> real rows. Row
 * pairs leave their spectrum rows as they were; rows done one by one are destroyed.
 */
export function irfftRows(spec: usize, real: usize, rows: i32, m: i32, tw: usize, rtw: usize, rowA: usize, rowB: usize, s: f64): void {
  const inStride = <usize>(m + 1) << 4;
  const outStride = <usize>m << 4;
  let r = 0;
  if (m > 1)
    for (; r + 1 < rows; r += 2) {
      const x0 = spec + <usize>r * inStride;
      pairInversePre(x0, x0 + inStride, m, rtw, s, rowA);
      const row0 = real + <usize>r * outStride;
      pairFft(rowA, rowB, m, tw, -1.0, 0, 0, row0, row0 + outStride);
    }
  for (; r < rows; r++) {
    const x = spec + <usize>r * inStride;
    realInversePre(x, m, rtw, s);
    fftPlane(x, real + <usize>r * outStride, rowB, m, 1, tw, true, 0, 1, 0, false);
  }
}
