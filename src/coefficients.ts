// Coefficients of the macroscopic limit (SCIENCE.md §2–§4).
import { ValidationError, checkNumber } from './errors.js';
import { gammaFn, sphereMoment } from './special.js';
import type { VelocityGrid } from './velocity.js';

/**
 * I_{N,γ} = ∫_{R^N} y1²/(1+y1²) |y|^{−(N+γ+1)} dy = π^{(N+1)/2} Γ(1+γ/2) / (cos(πγ/2) Γ((N+γ+1)/2)).
 * Derivation: polar coordinates y = rω and u = r|ω1| split it into
 * ∫_0^∞ u^{−γ}/(1+u²) du = π/(2cos(πγ/2)) times ∫_{S^{N−1}} |ω1|^{1+γ} dω. In 1-D: π/cos(πγ/2).
 */
export function fractionalIntegral(N: number, gamma: number): number {
  checkDim(N);
  checkNumber('gamma', gamma, 0, 1, { loOpen: true, hiOpen: true });
  return (Math.PI / (2 * Math.cos((Math.PI * gamma) / 2))) * sphereMoment(N, 1 + gamma);
}

/** Dρ = K0 · I_{N,γ}: the coefficient of −(−Δ)^{(γ+1)/2} in the limit (5). */
export function fractionalDiffusion(N: number, gamma: number, K0: number): number {
  checkNumber('K0', K0, 0, Infinity, { loOpen: true, hiOpen: true });
  return K0 * fractionalIntegral(N, gamma);
}

/** Order of the limit operator for ν(v) ~ ν0|v|^β: r = 1 + γ/(1−β), which must lie in (1, 2). */
export function generalisedOrder(gamma: number, beta: number): number {
  checkNumber('gamma', gamma, 0, 1, { loOpen: true, hiOpen: true });
  checkNumber('beta', beta, 0, 1 - gamma, { hiOpen: true });
  return 1 + gamma / (1 - beta);
}

/**
 * Diffusion coefficient of the generalised operator K(f) − ν f for F ~ κ0/|v|^{N+γ+1},
 * ν ~ ν0|v|^β, scaling m(ε) = ε^r (derived by the Fourier approach of Mellet–Mischler–Mouhot 2011):
 *   D = κ0 ν0^{1−r} ∫_{R^N} |w|^{β−(N+γ+1)} w1²/(|w|^{2β} + w1²) dw
 *     = κ0 ν0^{1−r} π^{(N+1)/2} Γ((r+1)/2) / ((1−β) sin(πr/2) Γ((N+r)/2)),
 * obtained from the per-mode symbol m(ε)^{−1} ∫ νF (εk·v)²/(ν² + (εk·v)²) dv with v = (ν0/ε|k|)^{1/(1−β)} w.
 * For β = 0, ν0 = 1 it is Dρ = K0 I_{N,γ}. Checked against the kinetic solver's decay rates.
 */
export function generalisedDiffusion(
  N: number,
  gamma: number,
  beta: number,
  kappa0: number,
  nu0: number,
): number {
  checkDim(N);
  const r = generalisedOrder(gamma, beta);
  checkNumber('kappa0', kappa0, 0, Infinity, { loOpen: true, hiOpen: true });
  checkNumber('nu0', nu0, 0, Infinity, { loOpen: true, hiOpen: true });
  return (
    (kappa0 * Math.pow(nu0, 1 - r) * Math.pow(Math.PI, (N + 1) / 2) * gammaFn((r + 1) / 2)) /
    ((1 - beta) * Math.sin((Math.PI * r) / 2) * gammaFn((N + r) / 2))
  );
}

/** A turning kernel φ(v, v', S) (vector of N components) for the transition v' → v. */
export type TurningKernel = (v: readonly number[], vp: readonly number[], S: number) => readonly number[];

/**
 * χ(S) = ∫∫ v ⊗ (F(v') φ(v, v', S) − F(v) φ(v', v, S)) dv dv' by double velocity quadrature
 * (O(Nv²)); returns the N×N matrix row-major. NaN from φ is refused naming the kernel.
 */
export function sensitivityFromKernel(phi: TurningKernel, grid: VelocityGrid, S: number): number[] {
  const N = grid.dim,
    n = grid.size,
    chi = new Array<number>(N * N).fill(0);
  for (let a = 0; a < n; a++) {
    const va = grid.velocity(a);
    for (let b = 0; b < n; b++) {
      const vb = grid.velocity(b);
      const p1 = phi(va, vb, S),
        p2 = phi(vb, va, S);
      const ww = grid.weights[a] * grid.weights[b];
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          const x = va[i] * (grid.F[b] * p1[j] - grid.F[a] * p2[j]);
          if (!Number.isFinite(x))
            throw new ValidationError(`turning kernel φ(${va}, ${vb}, ${S})`, [p1, p2], 'finite values');
          chi[i * N + j] += ww * x;
        }
      }
    }
  }
  return chi;
}

/** The separable kernel φ(v, v', S) = a(v) b(v') c(S) used by the kinetic solver (a: N components). */
export interface SeparableKernel {
  /** a(v): the vector part of the kernel, one entry per axis. */
  a: (v: readonly number[]) => readonly number[];
  /** b(v'): the weight of the pre-turning velocity (default 1). */
  b?: (v: readonly number[]) => number;
  /** c(S): the dependence on the chemical (default 1). */
  c?: (S: number) => number;
}

/**
 * χ(S) of a separable kernel in O(Nv): c(S)[∫ v⊗a/ν dv ∫bF − ∫ v F b/ν dv ⊗ ∫a dv], with ν(v_j)
 * the collision frequency of the generalised operator (H = ρ∫vL1(S,F)/ν; omit for relaxation, ν ≡ 1).
 */
export function sensitivityFromSeparable(
  k: SeparableKernel,
  grid: VelocityGrid,
  S = 0,
  nu?: ArrayLike<number>,
): number[] {
  const N = grid.dim,
    chi = new Array<number>(N * N).fill(0);
  let bF = 0;
  const va = new Array<number>(N * N).fill(0),
    vFb = new Array<number>(N).fill(0),
    A = new Array<number>(N).fill(0);
  for (let j = 0; j < grid.size; j++) {
    const v = grid.velocity(j);
    const a = k.a(v),
      b = k.b ? k.b(v) : 1,
      w = grid.weights[j],
      wn = nu ? w / nu[j] : w;
    bF += w * b * grid.F[j];
    for (let i = 0; i < N; i++) {
      vFb[i] += wn * v[i] * grid.F[j] * b;
      A[i] += w * a[i];
      for (let m = 0; m < N; m++) va[i * N + m] += wn * v[i] * a[m];
    }
  }
  const c = k.c ? k.c(S) : 1;
  for (let i = 0; i < N; i++)
    for (let m = 0; m < N; m++) chi[i * N + m] = c * (va[i * N + m] * bF - vFb[i] * A[m]);
  return chi;
}

/** Γ(ρ, S) = ∫ R(ρF, S) dv for a biological term R(f, S) pointwise in v, by quadrature. */
export function growthFromKernel(
  R: (f: number, S: number) => number,
  grid: VelocityGrid,
  rho: number,
  S: number,
): number {
  let s = 0;
  for (let j = 0; j < grid.size; j++) {
    const v = R(rho * grid.F[j], S);
    if (!Number.isFinite(v)) throw new ValidationError(`R(${rho * grid.F[j]}, ${S})`, v, 'a finite number');
    s += grid.weights[j] * v;
  }
  return s;
}

/** ∫F² dv of the discrete equilibrium (the normalisation in the logistic and non-local R). */
export function equilibriumSquare(grid: VelocityGrid): number {
  let s = 0;
  for (let j = 0; j < grid.size; j++) s += grid.weights[j] * grid.F[j] * grid.F[j];
  return s;
}

function checkDim(N: number): void {
  if (N !== 1 && N !== 2 && N !== 3) throw new ValidationError('N', N, '1, 2 or 3');
}
