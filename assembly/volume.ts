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

/** ∂_d S on the face between cells i = (x, y, z) and j: the mean of the two cells' central differences. */
@inline function tangential(S: usize, x: i32, y: i32, z: i32, xj: i32, yj: i32, zj: i32, nx: i32, ny: i32, nz: i32, d: i32, h: f64): f64 {
  return (at(S, moved(x, y, z, nx, ny, nz, d, 1)) - at(S, moved(x, y, z, nx, ny, nz, d, -1)) + at(S, moved(xj, yj, zj, nx, ny, nz, d, 1)) - at(S, moved(xj, yj, zj, nx, ny, nz, d, -1))) / (4.0 * h);
}

/** Gradient factor and chemotactic velocity u = c · (c0 g0 + c1 g1 + c2 g2) with the limiter, one face. */
@inline function velocity(g0: f64, g1: f64, g2: f64, c: f64, c0: f64, c1: f64, c2: f64, limited: i32, ystar: f64): f64 {
  if (limited) c *= limiterFactor(Math.sqrt(g0 * g0 + g1 * g1 + g2 * g2), ystar);
  return c * (c0 * g0 + c1 * g1 + c2 * g2);
}

/**
 * Drift velocity on the faces along `axis`: u = c · Σ_e χ[axis][e] Q(∇S)_e with ∇S at the face —
 * normal component (S_j − S_i)/h, tangential ones the mean of the two cells' central differences —
 * and c the face mean of chiField (1 when chiField is 0). Second order at the face.
 * h = (h0, h1, h2) grid spacings; chi is the dim×dim matrix, row-major. Two faces per v128 along x
 * away from the row ends (x = 0 and x = nx − 1 wrap and take the scalar path).
 */
export function faceVelocity(S: usize, chiField: usize, u: usize, nx: i32, ny: i32, nz: i32, dim: i32, axis: i32,
  h0: f64, h1: f64, h2: f64, chi: usize, limited: i32, ystar: f64): void {
  const row = chi + (<usize>(axis * dim) << 3);
  const c0 = load<f64>(row), c1 = dim > 1 ? load<f64>(row, 8) : 0.0, c2 = dim > 2 ? load<f64>(row, 16) : 0.0;
  const vc0 = f64x2.splat(c0), vc1 = f64x2.splat(c1), vc2 = f64x2.splat(c2), half = f64x2.splat(0.5), zero = f64x2.splat(0.0);
  const hn = axis == 0 ? h0 : axis == 1 ? h1 : h2, vhn = f64x2.splat(hn);
  const q0 = f64x2.splat(4.0 * h0), q1 = f64x2.splat(4.0 * h1), q2 = f64x2.splat(4.0 * h2);
  const vys = f64x2.splat(ystar), one = f64x2.splat(1.0);
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) {
    const base = nx * (y + ny * z);
    // Row offsets of the neighbours along y and z, and of the face's far cell j.
    const yp = (wrap(y + 1, ny) - y) * nx, ym = (wrap(y - 1, ny) - y) * nx;
    const zp = (wrap(z + 1, nz) - z) * nx * ny, zm = (wrap(z - 1, nz) - z) * nx * ny;
    const jo = axis == 0 ? 1 : axis == 1 ? yp : zp;
    // j's own y/z neighbours differ from i's when j lies along y or z.
    const jyp = axis == 1 ? (wrap(y + 2, ny) - wrap(y + 1, ny)) * nx : yp, jym = axis == 1 ? -yp : ym;
    const jzp = axis == 2 ? (wrap(z + 2, nz) - wrap(z + 1, nz)) * nx * ny : zp, jzm = axis == 2 ? -zp : zm;
    for (let x = 0; x < nx; x++) {
      if (x > 0 && x < nx - 1) continue;
      const i = base + x;
      const xj = axis == 0 ? wrap(x + 1, nx) : x, yj = axis == 1 ? wrap(y + 1, ny) : y, zj = axis == 2 ? wrap(z + 1, nz) : z;
      const j = xj + nx * (yj + ny * zj);
      const dn = at(S, j) - at(S, i);
      let g0 = 0.0, g1 = 0.0, g2 = 0.0;
      if (axis == 0) g0 = dn / h0;
      else g0 = tangential(S, x, y, z, xj, yj, zj, nx, ny, nz, 0, h0);
      if (dim > 1) {
        if (axis == 1) g1 = dn / h1;
        else g1 = tangential(S, x, y, z, xj, yj, zj, nx, ny, nz, 1, h1);
      }
      if (dim > 2) {
        if (axis == 2) g2 = dn / h2;
        else g2 = tangential(S, x, y, z, xj, yj, zj, nx, ny, nz, 2, h2);
      }
      const c = chiField ? 0.5 * (at(chiField, i) + at(chiField, j)) : 1.0;
      store<f64>(u + (<usize>i << 3), velocity(g0, g1, g2, c, c0, c1, c2, limited, ystar));
    }
    for (let x = 1; x < nx - 1; x += 2) {
      const i = base + x, j = i + jo, si = ld(S, i), sj = ld(S, j);
      const dn = f64x2.div(f64x2.sub(sj, si), vhn);
      const g0 = axis == 0 ? dn : f64x2.div(f64x2.sub(f64x2.add(f64x2.sub(ld(S, i + 1), ld(S, i - 1)), ld(S, j + 1)), ld(S, j - 1)), q0);
      let g1 = zero, g2 = zero;
      if (dim > 1) g1 = axis == 1 ? dn : f64x2.div(f64x2.sub(f64x2.add(f64x2.sub(ld(S, i + yp), ld(S, i + ym)), ld(S, j + jyp)), ld(S, j + jym)), q1);
      if (dim > 2) g2 = axis == 2 ? dn : f64x2.div(f64x2.sub(f64x2.add(f64x2.sub(ld(S, i + zp), ld(S, i + zm)), ld(S, j + jzp)), ld(S, j + jzm)), q2);
      let c = chiField ? f64x2.mul(half, f64x2.add(ld(chiField, i), ld(chiField, j))) : one;
      if (limited) {
        const norm = f64x2.sqrt(f64x2.add(f64x2.add(f64x2.mul(g0, g0), f64x2.mul(g1, g1)), f64x2.mul(g2, g2)));
        const e = f64x2.sub(norm, vys);
        const factor = f64x2.div(f64x2.add(f64x2.div(e, f64x2.sqrt(f64x2.add(one, f64x2.mul(e, e)))), vys), norm);
        c = f64x2.mul(c, v128.bitselect(one, factor, f64x2.le(norm, vys)));
      }
      v128.store(u + (<usize>i << 3), f64x2.mul(c, f64x2.add(f64x2.add(f64x2.mul(vc0, g0), f64x2.mul(vc1, g1)), f64x2.mul(vc2, g2))));
    }
  }
}

/**
 * Upwind flux through face i+1/2 from the minmod (MUSCL) reconstruction of ρ on either side:
 *   F = u (ρ_i + ½ mm(ρ_i − ρ_{i−1}, ρ_{i+1} − ρ_i))          if u > 0
 *   F = u (ρ_{i+1} − ½ mm(ρ_{i+1} − ρ_i, ρ_{i+2} − ρ_{i+1}))  otherwise.
 */
@inline function faceFlux(rm: f64, r: f64, rp: f64, rpp: f64, v: f64): f64 {
  return v > 0.0 ? v * (r + 0.5 * minmod(r - rm, rp - r)) : v * (rp - 0.5 * minmod(rp - r, rpp - rp));
}

/** minmod on two lanes, the same operations as the scalar form. */
@inline function minmod2(a: v128, b: v128): v128 {
  const zero = f64x2.splat(0.0);
  const m = v128.bitselect(f64x2.min(a, b), f64x2.max(a, b), f64x2.gt(a, zero));
  return v128.and(m, f64x2.gt(f64x2.mul(a, b), zero));
}

/** faceFlux on two lanes. */
@inline function faceFlux2(rm: v128, r: v128, rp: v128, rpp: v128, v: v128): v128 {
  const half = f64x2.splat(0.5), d = f64x2.sub(rp, r);
  const left = f64x2.add(r, f64x2.mul(half, minmod2(f64x2.sub(r, rm), d)));
  const right = f64x2.sub(rp, f64x2.mul(half, minmod2(d, f64x2.sub(rpp, rp))));
  return f64x2.mul(v, v128.bitselect(left, right, f64x2.gt(v, f64x2.splat(0.0))));
}

@inline function ld(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 3));
}

/** One cell by the scalar path: out_i += (F_{i−1/2} − F_{i+1/2}) invh, neighbours at i + k s (periodic indices given). */
@inline function cellUpdate(rho: usize, u: usize, out: usize, i: i32, im2: i32, im: i32, ip: i32, ip2: i32, invh: f64): void {
  const r = at(rho, i), rm = at(rho, im), rp = at(rho, ip);
  const fIn = faceFlux(at(rho, im2), rm, r, rp, at(u, im)), fOut = faceFlux(rm, r, rp, at(rho, ip2), at(u, i));
  const o = out + (<usize>i << 3);
  store<f64>(o, load<f64>(o) + (fIn - fOut) * invh);
}

/**
 * out += −∂_axis F: out_i += (F_{i−1/2} − F_{i+1/2}) / h, F the upwind flux of the minmod
 * reconstruction (faceFlux) with face velocity u (u_i on face i+1/2). Face values lie between
 * neighbouring cell averages, so a forward-Euler step with dt Σ_axes max|u|/h ≤ 1/2 keeps ρ ≥ 0;
 * each face flux enters two cells with opposite signs, so Σ out changes by round-off only.
 * Two cells per v128 along x; for axis 0 the first and last two cells of a row wrap (scalar).
 */
export function upwindDivergence(rho: usize, u: usize, out: usize, nx: i32, ny: i32, nz: i32, axis: i32, invh: f64): void {
  const vh = f64x2.splat(invh);
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) {
    const row = nx * (y + ny * z);
    if (axis == 0) {
      const edge = nx < 6 ? nx : 2; // cells whose stencil wraps: x < 2 and x ≥ nx − 2
      for (let x = 0; x < nx; x++) {
        if (x >= edge && x < nx - 2) continue;
        cellUpdate(rho, u, out, row + x, row + wrap(x - 2, nx), row + wrap(x - 1, nx), row + wrap(x + 1, nx), row + wrap(x + 2, nx), invh);
      }
      if (nx < 6) continue;
      for (let x = 2; x < nx - 2; x += 2) {
        const i = row + x;
        const rm2 = ld(rho, i - 2), rm = ld(rho, i - 1), r = ld(rho, i), rp = ld(rho, i + 1), rp2 = ld(rho, i + 2);
        const fIn = faceFlux2(rm2, rm, r, rp, ld(u, i - 1)), fOut = faceFlux2(rm, r, rp, rp2, ld(u, i));
        const o = out + (<usize>i << 3);
        v128.store(o, f64x2.add(v128.load(o), f64x2.mul(f64x2.sub(fIn, fOut), vh)));
      }
    } else {
      // Whole rows move along y or z: the stencil is the same row offset for every x.
      const c = axis == 1 ? y : z, n = axis == 1 ? ny : nz, s = axis == 1 ? nx : nx * ny;
      const om2 = (wrap(c - 2, n) - c) * s, om = (wrap(c - 1, n) - c) * s, op = (wrap(c + 1, n) - c) * s, op2 = (wrap(c + 2, n) - c) * s;
      for (let x = 0; x < nx; x += 2) {
        const i = row + x;
        const r = ld(rho, i), rm = ld(rho, i + om), rp = ld(rho, i + op);
        const fIn = faceFlux2(ld(rho, i + om2), rm, r, rp, ld(u, i + om)), fOut = faceFlux2(rm, r, rp, ld(rho, i + op2), ld(u, i));
        const o = out + (<usize>i << 3);
        v128.store(o, f64x2.add(v128.load(o), f64x2.mul(f64x2.sub(fIn, fOut), vh)));
      }
    }
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
