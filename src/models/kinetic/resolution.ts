// Velocity resolution of the kinetic model: the velocity grid a configuration needs so that the
// per-mode symbol m σ_ε(k) = ∫ νF (εk·v)²/(ν² + (εk·v)²) dv is reproduced to a tolerance for every
// wavevector the box resolves (SCIENCE.md §2: the limit lives at |v| ~ 1/ε and beyond).
//   * vmax: the tail beyond it carries at most `tailTolerance` of the symbol at the smallest
//     wavenumber (2-D/3-D choose it; 1-D keeps its default 1e12 unless set).
//   * directions (2-D/3-D): each shell gets the directions its sharpness εk_max r/ν needs
//     (velocity.ts), up to a cap M; M is the smallest multiple of 4 whose symbol error, measured
//     against the exact angular integral at probe wavevectors (axes, diagonal, a generic direction;
//     smallest and largest |k|), is below `directionTolerance`. A user-given M that misses it is
//     refused with the M that is needed.
import { ValidationError } from '../../errors.js';
import { VelocityGrid, sphereArea, type VelocityGridOptions } from '../../velocity.js';
import { fractionalDiffusion, generalisedDiffusion, generalisedOrder } from '../../coefficients.js';
import type { ResolvedKinetic } from './options.js';

/** The box's resolved wavenumbers: smallest and largest |k|, and probe wavevectors (N components). */
export interface BoxWavenumbers {
  kmin: number;
  kmax: number;
  probes: number[][];
}

/** |k| range of a grid (derivative wavenumbers: the Nyquist mode is 0) and the probe wavevectors. */
export function boxWavenumbers(dims: readonly number[], lengths: readonly number[]): BoxWavenumbers {
  const axes = dims.map((n, d) => ({
    n,
    k1: (2 * Math.PI) / lengths[d],
    kTop: ((n / 2 - 1) * 2 * Math.PI) / lengths[d],
  }));
  let live = axes.map((a, d) => (a.n > 2 ? d : -1)).filter((d) => d >= 0);
  if (!live.length) live = [0]; // only Nyquist modes: measure at the fundamental
  const kmin = Math.min(...live.map((d) => axes[d].k1));
  const kmax = Math.hypot(...live.map((d) => axes[d].kTop));
  const dirs: number[][] = live.map((d) => dims.map((_, e) => (e === d ? 1 : 0)));
  if (live.length > 1) {
    const golden = (Math.sqrt(5) - 1) / 2;
    dirs.push(dims.map((_, e) => (live.includes(e) ? 1 : 0)));
    dirs.push(dims.map((_, e) => (live.includes(e) ? golden ** live.indexOf(e) : 0)));
  }
  const probes: number[][] = [];
  for (const u of dirs) {
    const n = Math.hypot(...u);
    for (const k of kmin === kmax ? [kmin] : [kmin, kmax]) probes.push(u.map((x) => (k * x) / n));
  }
  return { kmin, kmax, probes };
}

/** ν(|v|) of the collision operator (1 for relaxation). */
export function collisionRate(col: ResolvedKinetic['collision']): (speed: number) => number {
  return col.type === 'relaxation' ? () => 1 : (s) => col.nu0 * Math.pow(1 + s * s, col.beta / 2);
}

type UserVelocity = Omit<VelocityGridOptions, 'gamma' | 'dim' | 'shellSharpness' | 'shellTolerance'>;

/**
 * The velocity grid of a kinetic configuration: vmax and the direction cap chosen (2-D/3-D) or
 * checked, per the file comment. Throws a ValidationError naming the field and what is needed.
 */
export function resolveVelocityGrid(
  user: UserVelocity | undefined,
  gamma: number,
  box: { dims: readonly number[]; lengths: readonly number[] },
  p: ResolvedKinetic,
): VelocityGrid {
  const dim = box.dims.length as 1 | 2 | 3;
  const o = user ?? {};
  const nu = collisionRate(p.collision);
  const wn = boxWavenumbers(box.dims, box.lengths);
  const base: VelocityGridOptions = { ...o, dim, gamma };
  if (dim > 1 && o.vmax === undefined) base.vmax = autoVmax(base, wn.kmin, p);
  const sharp = (r: number) => (p.eps * wn.kmax * r) / nu(r);
  const build = (M: number) =>
    new VelocityGrid({ ...base, directions: M, shellSharpness: sharp, shellTolerance: p.directionTolerance });
  // The tail depends on the speed shells only: checked on the first grid built (1-D: the grid).
  const first = dim === 1 ? new VelocityGrid(base) : build(o.directions ?? 4);
  checkTail(first, wn.kmin, p);
  if (dim === 1) return first;
  const error = (V: VelocityGrid) => Math.max(...wn.probes.map((k) => V.directionError(p.eps, k, nu)));
  if (o.directions !== undefined) {
    const err = error(first);
    if (err <= p.directionTolerance) return first;
    const need = searchDirections(build, error, p.directionTolerance, o.directions);
    throw new ValidationError(
      'velocity.directions',
      o.directions,
      `${need === null ? 'more than 4096' : `at least ${need}`} for eps = ${p.eps} on this box (|k| up to ${wn.kmax.toPrecision(3)}): with ${o.directions} the symbol σ_ε(k) is off by ${err.toExponential(2)} > directionTolerance ${p.directionTolerance}`,
    );
  }
  const M = searchDirections(build, error, p.directionTolerance, 4);
  if (M === null)
    throw new ValidationError(
      'directionTolerance',
      p.directionTolerance,
      `a tolerance that 4096 directions per great circle can meet for eps = ${p.eps} on this box`,
    );
  return build(M);
}

/** The smallest multiple of 4 above `from` whose grid meets tol (doubling, then bisection), or null. */
function searchDirections(
  build: (M: number) => VelocityGrid,
  error: (V: VelocityGrid) => number,
  tol: number,
  from: number,
): number | null {
  let lo = from,
    hi = Math.max(8, 4 * Math.ceil(from / 4));
  while (error(build(hi)) > tol) {
    lo = hi;
    if (hi >= 4096) return null;
    hi = Math.min(4096, 2 * hi);
  }
  while (hi - lo > 4) {
    const mid = 4 * Math.round((lo + hi) / 8);
    if (mid <= lo || mid >= hi) break;
    if (error(build(mid)) <= tol) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Tail fraction of the symbol beyond vmax at the smallest wavenumber: tail / (inside + tail). */
function tailFraction(V: VelocityGrid, kmin: number, p: ResolvedKinetic): number {
  const col = p.collision;
  const beta = col.type === 'generalised' ? col.beta : 0,
    nu0 = col.type === 'generalised' ? col.nu0 : 1;
  // m σ over the grid (radial nodes, exact angles) and the part beyond vmax (≈ ∫ νF there).
  const inside = V.shellSymbol(p.eps, kmin, collisionRate(col));
  const tail = (sphereArea(V.dim) * V.K0 * nu0 * Math.pow(V.vmax, beta - 1 - V.gamma)) / (1 + V.gamma - beta);
  return tail / (inside + tail);
}

/** Refuses a velocity grid whose truncation at vmax misrepresents σ_ε(k) for this ε and box. */
function checkTail(V: VelocityGrid, kmin: number, p: ResolvedKinetic): void {
  const err = tailFraction(V, kmin, p),
    tol = p.tailTolerance;
  if (err <= tol) return;
  const beta = p.collision.type === 'generalised' ? p.collision.beta : 0;
  const need = V.vmax * Math.pow(err / tol, 1 / (1 + V.gamma - beta));
  throw new ValidationError(
    'velocity.vmax',
    V.vmax,
    `at least ${need.toExponential(2)}: the velocity grid is too coarse for eps = ${p.eps} (velocities beyond vmax carry a fraction ${err.toExponential(2)} > ${tol} of the symbol σ_ε(k) at the smallest wavenumber)`,
  );
}

/**
 * 2-D/3-D default vmax: the tail K0|S^{N−1}|ν0 vmax^{β−1−γ}/(1+γ−β) at most tailTolerance/2 of the
 * limit symbol D(εk_min)^α (α = 1+γ or r), rounded up to a whole decade above vmin.
 */
function autoVmax(o: VelocityGridOptions, kmin: number, p: ResolvedKinetic): number {
  const probe = new VelocityGrid({ ...o, vmax: 1e12, directions: 4 });
  const col = p.collision,
    N = probe.dim,
    g = probe.gamma;
  const beta = col.type === 'generalised' ? col.beta : 0,
    nu0 = col.type === 'generalised' ? col.nu0 : 1;
  const alpha = col.type === 'relaxation' ? 1 + g : generalisedOrder(g, beta);
  const D =
    col.type === 'relaxation'
      ? fractionalDiffusion(N, g, probe.K0)
      : generalisedDiffusion(N, g, beta, probe.K0, nu0);
  const inside = D * Math.pow(p.eps * kmin, alpha);
  const c = (sphereArea(N) * probe.K0 * nu0) / (1 + g - beta);
  const v = Math.pow((0.5 * p.tailTolerance * inside) / c, 1 / (beta - 1 - g));
  const vmin = probe.vmin;
  return Math.min(1e300, vmin * Math.pow(10, Math.max(2, Math.ceil(Math.log10(v / vmin)))));
}
