// Velocity space: heavy-tailed equilibria F and velocity grids whose quadrature resolves the
// tail far beyond 1/ε (SCIENCE.md §1–§2), in 1, 2 and 3 dimensions.
//
// Speeds: log-spaced shells r_i = vmin · 10^{i/perDecade} up to vmax, plus v = 0. Radial weights are
// the trapezoidal rule in s = ln r, which converges geometrically for integrands analytic in the
// strip |Im s| < π/2 (F = c(1+r²)^{−(N+γ+1)/2} and the symbol's angular factors): error ≈ exp(−π²/h),
// h = ln10/perDecade, with a prefactor ~30 measured (perDecade = 8: ~1e-20; 5: ~1e-8). Mass beyond vmax is added analytically
// from the tail K0/|v|^{N+γ+1}; the discrete equilibrium is normalised so that Σ w F = 1 exactly.
//
// Directions (N ≥ 2), per shell. 2-D: M equally spaced angles θ_m = 2π(m+½)/M, M a multiple of 4
// (the set is invariant under v → −v and x ↔ y). 3-D: the product Gauss rule, M/2 Gauss–Legendre
// nodes in cos θ times M equally spaced azimuths (M²/2 directions), exact for spherical harmonics
// of degree ≤ M − 1 and invariant under v → −v, x ↔ y. Why per shell: on the shell |v| = r the
// symbol's angular integrand 1/(ν + iεr k̂·ω) has structure of width ν/(εkr), so slow shells need a
// handful of directions and fast ones up to the cap M; `shellSharpness` (εk_max r/ν(r), from the
// kinetic model) sets the count per shell by the trapezoid's error bound 2exp(−M asinh(ν/(εkr))).
// The cap M itself is chosen (or checked) by the kinetic model against the exact symbol.
import { ValidationError, checkNumber } from './errors.js';
import { gammaFn } from './special.js';

/** Radial equilibrium profile F(|v|) with its tail constant K0 (F ~ K0/|v|^{N+γ+1}). */
export type Equilibrium =
  | { type: 'smooth' }
  | {
      type: 'custom';
      /** F as a function of the speed |v| (normalised by the grid). */
      F: (speed: number) => number;
      /** The tail constant: F ~ K0 |v|^{−N−γ−1}. */
      K0: number;
    };

/** How the velocity grid is built. */
export interface VelocityGridOptions {
  dim?: 1 | 2 | 3;
  /** Tail exponent 0 < γ < 1. */
  gamma: number;
  equilibrium?: Equilibrium;
  /** Smallest and largest non-zero speed (defaults: 1-D 1e-8 and 1e12; 2-D/3-D 1e-4 and 1e12). */
  vmin?: number;
  vmax?: number;
  /** Speeds per decade (default 8 in 1-D, 5 in 2-D/3-D: radial error ~1e-8). */
  perDecade?: number;
  /**
   * Angular resolution M of the fastest shells (2-D/3-D): M directions on the circle, or the
   * M/2 × M product Gauss rule on the sphere; a multiple of 4 (default 32). The kinetic model
   * chooses it from ε, the box and `directionTolerance` when omitted.
   */
  directions?: number;
  /**
   * Sharpness a(r) = εk_max r/ν(r) of the angular integrand on the shell of speed r: with it, each
   * shell gets the fewest directions (≤ M) whose trapezoid error bound is below `shellTolerance`.
   * Without it every shell gets M directions.
   */
  shellSharpness?: (speed: number) => number;
  /** Per-shell angular error bound used with shellSharpness (default 1e-6). */
  shellTolerance?: number;
}

/** |S^{N−1}|: the measure of the unit sphere (2, 2π, 4π). */
export function sphereArea(N: number): number {
  return N === 1 ? 2 : N === 2 ? 2 * Math.PI : 4 * Math.PI;
}

/** Gauss–Legendre nodes and weights on [−1, 1] (Newton on the three-term recurrence). */
export function gaussLegendre(n: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(n),
    w = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5)),
      dp = 1;
    for (let it = 0; it < 100; it++) {
      let p0 = 1,
        p1 = z;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    x[i] = -z;
    x[n - 1 - i] = z;
    w[i] = w[n - 1 - i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { x, w };
}

/**
 * Unit directions of angular resolution M with weights summing to 1: 2-D M angles, 3-D the
 * M/2 × M product Gauss rule (see the file comment). 1-D: ±1.
 */
export function directionSet(dim: 1 | 2 | 3, M: number): { d: number[][]; w: number[] } {
  if (dim === 1)
    return {
      d: [
        [1, 0, 0],
        [-1, 0, 0],
      ],
      w: [0.5, 0.5],
    };
  if (dim === 2) {
    const d = Array.from({ length: M }, (_, m) => {
      const t = (2 * Math.PI * (m + 0.5)) / M;
      return [Math.cos(t), Math.sin(t), 0];
    });
    return { d, w: d.map(() => 1 / M) };
  }
  const gl = gaussLegendre(M / 2),
    d: number[][] = [],
    w: number[] = [];
  for (let a = 0; a < M / 2; a++) {
    const s = Math.sqrt(1 - gl.x[a] * gl.x[a]);
    for (let b = 0; b < M; b++) {
      const p = (2 * Math.PI * (b + 0.5)) / M;
      d.push([s * Math.cos(p), s * Math.sin(p), gl.x[a]]);
      w.push(gl.w[a] / (2 * M));
    }
  }
  return { d, w };
}

/**
 * The angular resolution (a multiple of 4, at least 4) of a shell of sharpness a: the trapezoid
 * error of its angular integrand, about 2 exp(−M asinh(1/a)) (poles at ±i asinh(1/a)), at most
 * tol/4 of the shell's own share of the symbol, angularSymbol(a) (~a²/2 on slow shells: relative,
 * not absolute, so that many slow shells do not add up to more than tol).
 */
export function shellResolution(a: number, tol: number): number {
  const share = Math.max(angularSymbol(2, a), 1e-300);
  const M = Math.ceil(Math.log(8 / (tol * share)) / Math.asinh(1 / Math.max(a, 1e-300)));
  return Math.max(4, 4 * Math.ceil(M / 4));
}

/**
 * The angular part of the symbol on a shell, ∫_{S^{N−1}} b²/(ν² + b²) dω/|S^{N−1}| with b = a ω1,
 * in closed form: 1-D a²/(ν²+a²), 2-D 1 − ν/√(ν²+a²), 3-D 1 − (ν/a) atan(a/ν).
 */
export function angularSymbol(dim: number, a: number, nu = 1): number {
  const x = a / nu,
    x2 = x * x;
  if (dim === 1) return x2 / (1 + x2);
  if (dim === 2) {
    const s = Math.sqrt(1 + x2);
    return x2 / (s * (1 + s)); // 1 − 1/√(1+x²) without cancellation
  }
  // 1 − atan(x)/x; its series below |x| = 1e-2 (the closed form cancels there).
  const ax = Math.abs(x);
  return ax < 1e-2 ? x2 / 3 - (x2 * x2) / 5 + (x2 * x2 * x2) / 7 : 1 - Math.atan(ax) / ax;
}

/** c_{N,γ} = Γ((N+γ+1)/2) / (π^{N/2} Γ((γ+1)/2)): normalises (1+|v|²)^{−(N+γ+1)/2}. */
export function smoothEquilibriumConstant(N: number, gamma: number): number {
  return gammaFn((N + gamma + 1) / 2) / (Math.pow(Math.PI, N / 2) * gammaFn((gamma + 1) / 2));
}

/** Velocities (log-spaced speeds × directions) with quadrature weights and the heavy-tailed equilibrium F. */
export class VelocityGrid {
  readonly dim: 1 | 2 | 3;
  readonly gamma: number;
  readonly K0: number;
  readonly vmin: number;
  readonly vmax: number;
  /** Angular resolution of the fastest shells (1 in 1-D). */
  readonly directions: number;
  /** Number of discrete velocities. */
  readonly size: number;
  readonly vx: Float64Array;
  readonly vy: Float64Array;
  readonly vz: Float64Array;
  readonly speed: Float64Array;
  /** Shell index of each velocity (0 is v = 0). */
  readonly shellOf: Int32Array;
  /** Quadrature weights: ∫ g(v) dv ≈ Σ w_j g(v_j) (over |v| ≤ vmax). */
  readonly weights: Float64Array;
  /** Discrete equilibrium, Σ w_j F_j = 1 exactly. */
  readonly F: Float64Array;
  /** ∫F over |v| ≤ vmax by the quadrature, before normalisation, plus the analytic tail: ≈ 1. */
  readonly rawMass: number;
  /** Σ w F before normalisation (F_j = profile(|v_j|)/massScale). */
  readonly massScale: number;
  /** The radial profile F(|v|) (unnormalised discrete values come from it). */
  readonly profile: (speed: number) => number;
  /** Radial nodes and weights (∫_{|v|≤vmax} g(|v|) dv ≈ Σ radialWeights_i g(r_i)). */
  readonly radii: Float64Array;
  readonly radialWeights: Float64Array;
  /** Directions (angular resolution) used on each shell. */
  readonly shellDirections: Int32Array;

  constructor(opts: VelocityGridOptions, field = 'velocity') {
    const dim = opts.dim ?? 1;
    if (dim !== 1 && dim !== 2 && dim !== 3) throw new ValidationError(`${field}.dim`, dim, '1, 2 or 3');
    this.dim = dim;
    this.gamma = checkNumber(`${field}.gamma`, opts.gamma, 0, 1, { loOpen: true, hiOpen: true });
    const eq = opts.equilibrium ?? { type: 'smooth' };
    const N = dim,
      g = this.gamma,
      p = (N + g + 1) / 2;
    if (eq.type === 'smooth') {
      const c = smoothEquilibriumConstant(N, g);
      this.K0 = c;
      this.profile = (r) => c * Math.pow(1 + r * r, -p);
    } else if (eq.type === 'custom') {
      if (typeof eq.F !== 'function')
        throw new ValidationError(`${field}.equilibrium.F`, eq.F, 'a function of the speed |v|');
      this.K0 = checkNumber(`${field}.equilibrium.K0`, eq.K0, 0, Infinity, { loOpen: true, hiOpen: true });
      this.profile = eq.F;
    } else
      throw new ValidationError(
        `${field}.equilibrium.type`,
        (eq as { type: unknown }).type,
        "'smooth' or 'custom'",
      );
    const nd = N > 1;
    this.vmin = checkNumber(`${field}.vmin`, opts.vmin ?? (nd ? 1e-4 : 1e-8), 0, 1, { loOpen: true });
    this.vmax = checkNumber(`${field}.vmax`, opts.vmax ?? 1e12, 10, 1e300);
    const perDecade = checkNumber(`${field}.perDecade`, opts.perDecade ?? (nd ? 5 : 8), 2, 1000);
    if (!Number.isInteger(perDecade))
      throw new ValidationError(`${field}.perDecade`, perDecade, 'an integer');
    const M = nd ? checkNumber(`${field}.directions`, opts.directions ?? 32, 4, 4096) : 1;
    if (nd && !(Number.isInteger(M) && M % 4 === 0))
      throw new ValidationError(`${field}.directions`, M, 'a multiple of 4 in [4, 4096]');
    this.directions = M;
    const sharp = opts.shellSharpness;
    const shellTol = checkNumber(`${field}.shellTolerance`, opts.shellTolerance ?? 1e-6, 0, 1, {
      loOpen: true,
    });
    const nr = Math.floor(perDecade * Math.log10(this.vmax / this.vmin) + 1e-9) + 1;
    const h = Math.LN10 / perDecade;
    // Radial nodes: 0 and the log-spaced speeds; shell weights |S^{N−1}| r^N h (trapezoid in ln r).
    this.radii = new Float64Array(nr + 1);
    this.radialWeights = new Float64Array(nr + 1);
    const shell = sphereArea(N);
    for (let i = 0; i < nr; i++) {
      const r = this.vmin * Math.pow(10, i / perDecade);
      this.radii[i + 1] = r;
      this.radialWeights[i + 1] = shell * Math.pow(r, N) * h * (i === 0 || i === nr - 1 ? 0.5 : 1);
    }
    // The ball |v| < vmin around the origin: its volume, assigned to the node v = 0.
    this.radialWeights[0] = (shell * Math.pow(this.vmin, N)) / N;
    // Directions per shell, then the discrete velocities.
    this.shellDirections = new Int32Array(nr + 1);
    const sets = new Map<number, { d: number[][]; w: number[] }>();
    let size = 1;
    for (let i = 1; i <= nr; i++) {
      const m = nd && sharp ? Math.min(M, shellResolution(sharp(this.radii[i]), shellTol)) : M;
      this.shellDirections[i] = m;
      if (!sets.has(m)) sets.set(m, directionSet(dim, m));
      size += sets.get(m)!.d.length;
    }
    this.size = size;
    this.vx = new Float64Array(size);
    this.vy = new Float64Array(size);
    this.vz = new Float64Array(size);
    this.speed = new Float64Array(size);
    this.shellOf = new Int32Array(size);
    this.weights = new Float64Array(size);
    this.F = new Float64Array(size);
    this.weights[0] = this.radialWeights[0];
    let j = 1;
    for (let i = 1; i <= nr; i++) {
      const set = sets.get(this.shellDirections[i])!,
        r = this.radii[i];
      for (let a = 0; a < set.d.length; a++) {
        const [cx, cy, cz] = set.d[a];
        this.vx[j] = r * cx;
        this.vy[j] = r * cy;
        this.vz[j] = r * cz;
        this.speed[j] = r;
        this.shellOf[j] = i;
        this.weights[j] = this.radialWeights[i] * set.w[a];
        j++;
      }
    }
    // Equilibrium values; refuse NaN and check the declared tail.
    let mass = 0;
    for (let i = 0; i < this.size; i++) {
      const v = this.profile(this.speed[i]);
      if (!Number.isFinite(v) || v < 0)
        throw new ValidationError(
          `${field}.equilibrium.F(${this.speed[i]})`,
          v,
          'a finite, non-negative number',
        );
      this.F[i] = v;
      mass += this.weights[i] * v;
    }
    const tailRatio = (this.profile(this.vmax) * Math.pow(this.vmax, N + g + 1)) / this.K0;
    if (!(Math.abs(tailRatio - 1) < 1e-2)) {
      throw new ValidationError(
        `${field}.equilibrium`,
        `|v|^{N+γ+1} F(v) = ${(tailRatio * this.K0).toPrecision(4)} at |v| = vmax`,
        `a normalisable F with the declared tail K0/|v|^{N+γ+1} (K0 = ${this.K0}); the ratio must be within 1% of 1 at vmax`,
      );
    }
    this.rawMass = mass + this.tailMass();
    if (!(Math.abs(this.rawMass - 1) < 1e-3)) {
      throw new ValidationError(
        `${field}.equilibrium`,
        `∫F dv = ${this.rawMass}`,
        'a normalisable F with ∫F dv = 1 (within 1e-3 before discrete renormalisation)',
      );
    }
    this.massScale = mass;
    for (let i = 0; i < this.size; i++) this.F[i] /= mass;
  }

  /** The velocity v_j as an N-vector. */
  velocity(j: number): number[] {
    return this.dim === 1
      ? [this.vx[j]]
      : this.dim === 2
        ? [this.vx[j], this.vy[j]]
        : [this.vx[j], this.vy[j], this.vz[j]];
  }

  /** Mass of the tail K0/|v|^{N+γ+1} beyond vmax: |S^{N−1}| K0 vmax^{−(1+γ)}/(1+γ). */
  tailMass(): number {
    return (sphereArea(this.dim) * this.K0 * Math.pow(this.vmax, -(1 + this.gamma))) / (1 + this.gamma);
  }

  /**
   * σ_ε(k) = ε^{−(1+γ)} ∫ (εk·v)²/(1+(εk·v)²) F(v) dv: radial quadrature of the exact profile, the
   * angular integral in closed form (angularSymbol), and the tail beyond vmax analytically.
   */
  sigma(eps: number, k: number): number {
    const g = this.gamma;
    let s = 0;
    for (let i = 1; i < this.radii.length; i++) {
      const a = eps * Math.abs(k) * this.radii[i];
      s += this.radialWeights[i] * this.profile(this.radii[i]) * angularSymbol(this.dim, a);
    }
    // Tail: (εkv)²/(1+(εkv)²) → its exact integral against K0/|v|^{N+γ+1} beyond vmax would need
    // the same kernel; for vmax ≫ 1/(εk) it is the tail mass (relative error (εk vmax)^{-2}).
    s += this.tailMass();
    return s / Math.pow(eps, 1 + g);
  }

  /**
   * Relative error of the discrete symbol m σ = Σ_j w_j ν_j F_j b_j²/(ν_j² + b_j²), b_j = εk·v_j,
   * against the same radial quadrature with the angular integral exact (angularSymbol): the error of
   * the direction sets alone, for the wavevector k (N components), ν(|v|) of the collision operator.
   */
  directionError(eps: number, k: readonly number[], nu: (speed: number) => number = () => 1): number {
    const kn = Math.hypot(...k);
    const [kx = 0, ky = 0, kz = 0] = k;
    const nuShell = Float64Array.from(this.radii, (r) => nu(r));
    let disc = 0;
    for (let j = 1; j < this.size; j++) {
      const b = eps * (kx * this.vx[j] + ky * this.vy[j] + kz * this.vz[j]),
        n = nuShell[this.shellOf[j]];
      disc += (this.weights[j] * n * this.F[j] * b * b) / (n * n + b * b);
    }
    const exact = this.shellSymbol(eps, kn, nu);
    return Math.abs(disc - exact) / exact;
  }

  /**
   * m σ inside vmax with the angular integral exact: Σ over shells of w_i ν F(r_i) angularSymbol
   * (a = εk r_i), F normalised as the discrete equilibrium. The reference of directionError and
   * of the kinetic model's tail check.
   */
  shellSymbol(eps: number, k: number, nu: (speed: number) => number = () => 1): number {
    let s = 0;
    for (let i = 1; i < this.radii.length; i++) {
      const r = this.radii[i],
        n = nu(r);
      s +=
        (this.radialWeights[i] * n * this.profile(r) * angularSymbol(this.dim, eps * k * r, n)) /
        this.massScale;
    }
    return s;
  }

  /** Largest relative error of σ_ε(k) from truncating velocities at vmax: tail mass / (ε^{1+γ}σ). */
  truncationError(eps: number, k: number): number {
    return this.tailMass() / (Math.pow(eps, 1 + this.gamma) * this.sigma(eps, k));
  }
}
