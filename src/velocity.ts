// Velocity space: heavy-tailed equilibria F and velocity grids whose quadrature resolves the
// tail far beyond 1/ε (SCIENCE.md §1–§2).
//
// Grid: speeds log-spaced, v_i = vmin · 10^{i/perDecade} up to vmax, plus v = 0 (1-D: ±v_i; 2-D:
// polar, `angles` uniform directions). Weights are the trapezoidal rule in s = ln|v|, which
// converges geometrically for integrands analytic in the strip |Im s| < π/2 — true for F(v)
// = c(1+v²)^{−(N+γ+1)/2} and for the symbol's (εk·v)²/(1+(εk·v)²): error ≈ exp(−π²/h),
// h = ln10/perDecade (perDecade = 8: ~1e-22). Mass beyond vmax is added analytically from the tail
// K0/|v|^{N+γ+1}; mass below vmin is ~2F(0)vmin (1e-8 by default). The discrete equilibrium is
// normalised so that Σ w F = 1 exactly.
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
  dim?: 1 | 2;
  /** Tail exponent 0 < γ < 1. */
  gamma: number;
  equilibrium?: Equilibrium;
  /** Smallest and largest non-zero speed (defaults 1e-8 and 1e12). */
  vmin?: number;
  vmax?: number;
  /** Speeds per decade (default 8). */
  perDecade?: number;
  /** Directions in 2-D (default 32). */
  angles?: number;
}

/** c_{N,γ} = Γ((N+γ+1)/2) / (π^{N/2} Γ((γ+1)/2)): normalises (1+|v|²)^{−(N+γ+1)/2}. */
export function smoothEquilibriumConstant(N: number, gamma: number): number {
  return gammaFn((N + gamma + 1) / 2) / (Math.pow(Math.PI, N / 2) * gammaFn((gamma + 1) / 2));
}

/** Velocities (log-spaced speeds × directions) with quadrature weights and the heavy-tailed equilibrium F. */
export class VelocityGrid {
  readonly dim: 1 | 2;
  readonly gamma: number;
  readonly K0: number;
  readonly vmin: number;
  readonly vmax: number;
  /** Number of discrete velocities. */
  readonly size: number;
  readonly vx: Float64Array;
  readonly vy: Float64Array;
  readonly speed: Float64Array;
  /** Quadrature weights: ∫ g(v) dv ≈ Σ w_j g(v_j) (over |v| ≤ vmax). */
  readonly weights: Float64Array;
  /** Discrete equilibrium, Σ w_j F_j = 1 exactly. */
  readonly F: Float64Array;
  /** ∫F over |v| ≤ vmax by the quadrature, before normalisation, plus the analytic tail: ≈ 1. */
  readonly rawMass: number;
  /** The radial profile F(|v|) (unnormalised discrete values come from it). */
  readonly profile: (speed: number) => number;
  /** Radial nodes and weights (∫_{|v|≤vmax} g(|v|) dv ≈ Σ radialWeights_i g(r_i)). */
  readonly radii: Float64Array;
  readonly radialWeights: Float64Array;

  constructor(opts: VelocityGridOptions, field = 'velocity') {
    const dim = opts.dim ?? 1;
    if (dim !== 1 && dim !== 2) throw new ValidationError(`${field}.dim`, dim, '1 or 2');
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
    this.vmin = checkNumber(`${field}.vmin`, opts.vmin ?? 1e-8, 0, 1, { loOpen: true });
    this.vmax = checkNumber(`${field}.vmax`, opts.vmax ?? 1e12, 10, 1e300);
    const perDecade = checkNumber(`${field}.perDecade`, opts.perDecade ?? 8, 2, 1000);
    const angles = dim === 2 ? checkNumber(`${field}.angles`, opts.angles ?? 32, 4, 4096) : 1;
    if (!Number.isInteger(perDecade) || !Number.isInteger(angles))
      throw new ValidationError(`${field}.perDecade/angles`, [perDecade, angles], 'integers');
    const nr = Math.floor(perDecade * Math.log10(this.vmax / this.vmin) + 1e-9) + 1;
    const h = Math.LN10 / perDecade;
    // Radial nodes: 0 and the log-spaced speeds; shell weights |S^{N−1}| r^N h (trapezoid in ln r).
    this.radii = new Float64Array(nr + 1);
    this.radialWeights = new Float64Array(nr + 1);
    const shell = N === 1 ? 2 : 2 * Math.PI;
    for (let i = 0; i < nr; i++) {
      const r = this.vmin * Math.pow(10, i / perDecade);
      this.radii[i + 1] = r;
      this.radialWeights[i + 1] = shell * Math.pow(r, N) * h * (i === 0 || i === nr - 1 ? 0.5 : 1);
    }
    // The ball |v| < vmin around the origin: its volume, assigned to the node v = 0.
    this.radialWeights[0] = N === 1 ? 2 * this.vmin : Math.PI * this.vmin * this.vmin;
    // Expand into discrete velocities.
    const dirs =
      N === 1
        ? [
            [1, 0],
            [-1, 0],
          ]
        : Array.from({ length: angles }, (_, a) => [
            Math.cos((2 * Math.PI * a) / angles),
            Math.sin((2 * Math.PI * a) / angles),
          ]);
    this.size = 1 + nr * dirs.length;
    this.vx = new Float64Array(this.size);
    this.vy = new Float64Array(this.size);
    this.speed = new Float64Array(this.size);
    this.weights = new Float64Array(this.size);
    this.F = new Float64Array(this.size);
    this.weights[0] = this.radialWeights[0];
    let j = 1;
    for (let i = 1; i <= nr; i++) {
      for (const [cx, cy] of dirs) {
        const r = this.radii[i];
        this.vx[j] = r * cx;
        this.vy[j] = r * cy;
        this.speed[j] = r;
        this.weights[j] = this.radialWeights[i] / dirs.length;
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
    for (let i = 0; i < this.size; i++) this.F[i] /= mass;
  }

  /** Mass of the tail K0/|v|^{N+γ+1} beyond vmax: |S^{N−1}| K0 vmax^{−(1+γ)}/(1+γ). */
  tailMass(): number {
    const shell = this.dim === 1 ? 2 : 2 * Math.PI;
    return (shell * this.K0 * Math.pow(this.vmax, -(1 + this.gamma))) / (1 + this.gamma);
  }

  /**
   * σ_ε(k) = ε^{−(1+γ)} ∫ (εk·v)²/(1+(εk·v)²) F(v) dv: radial quadrature of the exact profile, the
   * angular integral in closed form (2-D: 2π(1 − 1/√(1+a²))), and the tail beyond vmax analytically.
   */
  sigma(eps: number, k: number): number {
    const g = this.gamma;
    let s = 0;
    for (let i = 1; i < this.radii.length; i++) {
      const a = eps * Math.abs(k) * this.radii[i];
      const ang = this.dim === 1 ? (a * a) / (1 + a * a) : 1 - 1 / Math.sqrt(1 + a * a);
      s += this.radialWeights[i] * this.profile(this.radii[i]) * ang;
    }
    // Tail: (εkv)²/(1+(εkv)²) → its exact integral against K0/|v|^{N+γ+1} beyond vmax would need
    // the same kernel; for vmax ≫ 1/(εk) it is the tail mass (relative error (εk vmax)^{-2}).
    s += this.tailMass();
    return s / Math.pow(eps, 1 + g);
  }

  /** Largest relative error of σ_ε(k) from truncating velocities at vmax: tail mass / (ε^{1+γ}σ). */
  truncationError(eps: number, k: number): number {
    return this.tailMass() / (Math.pow(eps, 1 + this.gamma) * this.sigma(eps, k));
  }
}
