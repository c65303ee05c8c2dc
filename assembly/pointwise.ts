// Pointwise kernels on real fields (f64, two lanes per v128; n may be odd).
import { limiterFactor, limiterFactor2 } from './laws';

/** x *= a */
export function scale(x: usize, n: i32, a: f64): void {
  const va = f64x2.splat(a);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const p = x + ((<usize>i) << 3);
    v128.store(p, f64x2.mul(v128.load(p), va));
  }
  if (n & 1) {
    const p = x + ((<usize>n2) << 3);
    store<f64>(p, load<f64>(p) * a);
  }
}

/** y += a x */
export function axpy(y: usize, a: f64, x: usize, n: i32): void {
  const va = f64x2.splat(a);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const o = (<usize>i) << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(v128.load(x + o), va)));
  }
  if (n & 1) {
    const o = (<usize>n2) << 3;
    store<f64>(y + o, load<f64>(y + o) + a * load<f64>(x + o));
  }
}

/** out = a * b */
export function mul(out: usize, a: usize, b: usize, n: i32): void {
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const o = (<usize>i) << 3;
    v128.store(out + o, f64x2.mul(v128.load(a + o), v128.load(b + o)));
  }
  if (n & 1) {
    const o = (<usize>n2) << 3;
    store<f64>(out + o, load<f64>(a + o) * load<f64>(b + o));
  }
}

/**
 * Per block of `block` entries (the last may be shorter), out[4b..4b+3] = sum, min, max, number of
 * non-finite entries (NaN/Inf are skipped in the others). The caller adds the blocks' sums in
 * block order: a fixed order for any number of threads, each taking whole blocks.
 */
export function stats(x: usize, n: i32, block: i32, out: usize): void {
  for (let b = 0; b * block < n; b++) {
    let sum = 0.0,
      mn = Infinity,
      mx = -Infinity,
      bad = 0;
    const end = min(n, (b + 1) * block);
    for (let i = b * block; i < end; i++) {
      const v = load<f64>(x + ((<usize>i) << 3));
      if (v - v != 0.0) {
        bad++;
        continue;
      }
      sum += v;
      mn = Math.min(mn, v);
      mx = Math.max(mx, v);
    }
    const o = out + (<usize>b << 5);
    store<f64>(o, sum);
    store<f64>(o, mn, 8);
    store<f64>(o, mx, 16);
    store<f64>(o, <f64>bad, 24);
  }
}

/**
 * Chemotactic flux F = rho * c(x) * chi · Q(∇S) for dim components. `g` holds the dim gradient
 * components (each n long, consecutive), `f` receives dim flux components likewise.
 * chi: dim*dim row-major matrix; chiField: per-point scalar factor or 0 for none;
 * limited: 0 linear flux, 1 the limiter with threshold ystar.
 * Visits points [i0, i1) (all: 0, n), so threads can take ranges; two points per v128, with the
 * same operations per lane as the scalar tail.
 */
export function driftFlux(
  rho: usize,
  g: usize,
  f: usize,
  n: i32,
  dim: i32,
  chi: usize,
  chiField: usize,
  limited: i32,
  ystar: f64,
  i0: i32,
  i1: i32,
): void {
  const stride = (<usize>n) << 3;
  const ys = f64x2.splat(ystar),
    zero = f64x2.splat(0.0);
  let i = i0;
  for (; i + 1 < i1; i += 2) {
    const o = (<usize>i) << 3;
    const g0 = v128.load(g + o);
    const g1 = dim > 1 ? v128.load(g + stride + o) : zero;
    const g2 = dim > 2 ? v128.load(g + 2 * stride + o) : zero;
    let c = v128.load(rho + o);
    if (chiField) c = f64x2.mul(c, v128.load(chiField + o));
    if (limited) {
      const norm2 = f64x2.add(f64x2.add(f64x2.mul(g0, g0), f64x2.mul(g1, g1)), f64x2.mul(g2, g2));
      c = f64x2.mul(c, limiterFactor2(f64x2.sqrt(norm2), ys));
    }
    for (let a = 0; a < dim; a++) {
      const row = chi + ((<usize>(a * dim)) << 3);
      let v = f64x2.mul(v128.load64_splat(row), g0);
      if (dim > 1) v = f64x2.add(v, f64x2.mul(v128.load64_splat(row + 8), g1));
      if (dim > 2) v = f64x2.add(v, f64x2.mul(v128.load64_splat(row + 16), g2));
      v128.store(f + <usize>a * stride + o, f64x2.mul(c, v));
    }
  }
  for (; i < i1; i++) {
    const o = (<usize>i) << 3;
    const g0 = load<f64>(g + o);
    const g1 = dim > 1 ? load<f64>(g + stride + o) : 0.0;
    const g2 = dim > 2 ? load<f64>(g + 2 * stride + o) : 0.0;
    let c = load<f64>(rho + o);
    if (chiField) c *= load<f64>(chiField + o);
    if (limited) c *= limiterFactor(Math.sqrt(g0 * g0 + g1 * g1 + g2 * g2), ystar);
    for (let a = 0; a < dim; a++) {
      const row = chi + ((<usize>(a * dim)) << 3);
      let v = load<f64>(row) * g0;
      if (dim > 1) v += load<f64>(row, 8) * g1;
      if (dim > 2) v += load<f64>(row, 16) * g2;
      store<f64>(f + <usize>a * stride + o, c * v);
    }
  }
}

/** out = rho * (a0 + a1 rho - c): logistic r rho (1 - rho) is (a0, a1, c) = (r, -r, 0); the non-local law uses c = a2 ∫rho. */
export function growth(rho: usize, out: usize, n: i32, a0: f64, a1: f64, c: f64): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 3;
    const r = load<f64>(rho + o);
    store<f64>(out + o, r * (a0 + a1 * r - c));
  }
}

/** out = chi0 / (1 + S/K)^2, the receptor sensitivity law. */
export function receptorChi(s: usize, out: usize, n: i32, chi0: f64, k: f64): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 3;
    const d = 1.0 + load<f64>(s + o) / k;
    store<f64>(out + o, chi0 / (d * d));
  }
}

/** Σ x_i^2 (error norms of the adaptive stepper). */
export function sumSquares(x: usize, n: i32): f64 {
  let acc = f64x2.splat(0.0);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const v = v128.load(x + ((<usize>i) << 3));
    acc = f64x2.add(acc, f64x2.mul(v, v));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (n & 1) {
    const v = load<f64>(x + ((<usize>n2) << 3));
    s += v * v;
  }
  return s;
}

/** Σ a_i b_i */
export function dot(a: usize, b: usize, n: i32): f64 {
  let acc = f64x2.splat(0.0);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const o = (<usize>i) << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (n & 1) {
    const o = (<usize>n2) << 3;
    s += load<f64>(a + o) * load<f64>(b + o);
  }
  return s;
}

/**
 * Σ x_i log x_i over x_i > 0 (the entropy part of the Keller–Segel free energy), per block of
 * `block` entries into out[b]; the caller adds them in block order (see stats).
 */
export function entropySum(x: usize, n: i32, block: i32, out: usize): void {
  for (let b = 0; b * block < n; b++) {
    let s = 0.0;
    const end = min(n, (b + 1) * block);
    for (let i = b * block; i < end; i++) {
      const v = load<f64>(x + ((<usize>i) << 3));
      if (v > 0.0) s += v * Math.log(v);
    }
    store<f64>(out + (<usize>b << 3), s);
  }
}
