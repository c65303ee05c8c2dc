// Finite-volume kernels for the positivity-preserving drift −∇·(ρ χ(S) Q(∇S)) (docs/science.md,
// "Finite volumes"). Cells are the grid points, x fastest, periodic along every axis. The face
// i+1/2 along an axis lies between cell i and its +1 neighbour; u and the fluxes of cell i live
// on that face. Kernels never allocate.
import { limiterFactor } from './laws';

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

@inline function wrap(i: i32, n: i32): i32 {
  return i < 0 ? i + n : i >= n ? i - n : i;
}

/** Index of cell (x, y, z) moved by s cells (|s| ≤ 2) along axis d, periodic. */
@inline function moved(x: i32, y: i32, z: i32, nx: i32, ny: i32, nz: i32, d: i32, s: i32): i32 {
  if (d == 0) x = wrap(x + s, nx);
  else if (d == 1) y = wrap(y + s, ny);
  else z = wrap(z + s, nz);
  return x + nx * (y + ny * z);
}

/** minmod(a, b): the smaller slope when both have one sign, else 0 (keeps face values between neighbours). */
@inline function minmod(a: f64, b: f64): f64 {
  if (a * b <= 0.0) return 0.0;
  return a > 0.0 ? Math.min(a, b) : Math.max(a, b);
}

/**
 * Drift velocity on the faces along `axis`: u = c · Σ_e χ[axis][e] Q(∇S)_e with ∇S at the face —
 * normal component (S_j − S_i)/h, tangential ones the mean of the two cells' central differences —
 * and c the face mean of chiField (1 when chiField is 0). Second order at the face.
 * h = (h0, h1, h2) grid spacings; chi is the dim×dim matrix, row-major.
 */
export function faceVelocity(S: usize, chiField: usize, u: usize, nx: i32, ny: i32, nz: i32, dim: i32, axis: i32,
  h0: f64, h1: f64, h2: f64, chi: usize, limited: i32, ystar: f64): void {
  const row = chi + (<usize>(axis * dim) << 3);
  const c0 = load<f64>(row), c1 = dim > 1 ? load<f64>(row, 8) : 0.0, c2 = dim > 2 ? load<f64>(row, 16) : 0.0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const i = x + nx * (y + ny * z);
    const xj = axis == 0 ? wrap(x + 1, nx) : x, yj = axis == 1 ? wrap(y + 1, ny) : y, zj = axis == 2 ? wrap(z + 1, nz) : z;
    const j = xj + nx * (yj + ny * zj);
    const dn = at(S, j) - at(S, i);
    let g0 = 0.0, g1 = 0.0, g2 = 0.0;
    if (axis == 0) g0 = dn / h0;
    else g0 = (at(S, moved(x, y, z, nx, ny, nz, 0, 1)) - at(S, moved(x, y, z, nx, ny, nz, 0, -1)) + at(S, moved(xj, yj, zj, nx, ny, nz, 0, 1)) - at(S, moved(xj, yj, zj, nx, ny, nz, 0, -1))) / (4.0 * h0);
    if (dim > 1) {
      if (axis == 1) g1 = dn / h1;
      else g1 = (at(S, moved(x, y, z, nx, ny, nz, 1, 1)) - at(S, moved(x, y, z, nx, ny, nz, 1, -1)) + at(S, moved(xj, yj, zj, nx, ny, nz, 1, 1)) - at(S, moved(xj, yj, zj, nx, ny, nz, 1, -1))) / (4.0 * h1);
    }
    if (dim > 2) {
      if (axis == 2) g2 = dn / h2;
      else g2 = (at(S, moved(x, y, z, nx, ny, nz, 2, 1)) - at(S, moved(x, y, z, nx, ny, nz, 2, -1)) + at(S, moved(xj, yj, zj, nx, ny, nz, 2, 1)) - at(S, moved(xj, yj, zj, nx, ny, nz, 2, -1))) / (4.0 * h2);
    }
    let c = chiField ? 0.5 * (at(chiField, i) + at(chiField, j)) : 1.0;
    if (limited) c *= limiterFactor(Math.sqrt(g0 * g0 + g1 * g1 + g2 * g2), ystar);
    store<f64>(u + (<usize>i << 3), c * (c0 * g0 + c1 * g1 + c2 * g2));
  }
}

/**
 * out −= ∂_axis F with the upwind flux of a minmod (MUSCL) reconstruction:
 *   F_{i+1/2} = u⁺ (ρ_i + ½ mm(ρ_i − ρ_{i−1}, ρ_{i+1} − ρ_i)) + u⁻ (ρ_{i+1} − ½ mm(ρ_{i+1} − ρ_i, ρ_{i+2} − ρ_{i+1})).
 * Face values lie between neighbouring cell averages, so a forward-Euler step with
 * dt Σ_axes max|u|/h ≤ 1/2 keeps ρ ≥ 0; the flux telescopes, so Σ out changes by round-off only.
 */
export function upwindDivergence(rho: usize, u: usize, out: usize, nx: i32, ny: i32, nz: i32, axis: i32, invh: f64): void {
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const i = x + nx * (y + ny * z);
    const im = moved(x, y, z, nx, ny, nz, axis, -1), ip = moved(x, y, z, nx, ny, nz, axis, 1), ipp = moved(x, y, z, nx, ny, nz, axis, 2);
    const r = at(rho, i), rp = at(rho, ip), v = at(u, i);
    const F = v > 0.0
      ? v * (r + 0.5 * minmod(r - at(rho, im), rp - r))
      : v * (rp - 0.5 * minmod(rp - r, at(rho, ipp) - rp));
    const oi = out + (<usize>i << 3), op = out + (<usize>ip << 3);
    store<f64>(oi, load<f64>(oi) - F * invh);
    store<f64>(op, load<f64>(op) + F * invh);
  }
}

/**
 * Exact flow of the growth ODE ρ′ = pρ + qρ² over a step: ρ ← ρ e / (1 − qφ ρ) with e = exp(ph),
 * φ = expm1(ph)/p (h when p = 0), both computed by the caller. Keeps ρ ≥ 0 while the denominator
 * stays positive (it vanishes only where the ODE itself blows up within the step).
 */
export function growthFlow(rho: usize, n: i32, e: f64, qphi: f64): void {
  const ve = f64x2.splat(e), vq = f64x2.splat(qphi), one = f64x2.splat(1.0);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const p = rho + (<usize>i << 3), r = v128.load(p);
    v128.store(p, f64x2.div(f64x2.mul(r, ve), f64x2.sub(one, f64x2.mul(vq, r))));
  }
  if (n & 1) { const p = rho + (<usize>n2 << 3), r = load<f64>(p); store<f64>(p, (r * e) / (1.0 - qphi * r)); }
}
