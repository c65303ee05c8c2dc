// The measured ε → 0 limit: a kinetic run for several ε against the macroscopic fractional
// Keller–Segel solution with the limit coefficients (Kinetic.limit()).
import type { Backend } from '../backend/index.js';
import { Kinetic, type KineticOptions } from '../models/kinetic/model.js';
import { KellerSegel } from '../models/keller-segel/model.js';
import { NumericalError } from '../errors.js';
import { turningKernel } from '../laws.js';

/** What limitStudy takes. */
export interface LimitStudyOptions {
  /** Kinetic options without eps. */
  kinetic: Omit<KineticOptions, 'eps'>;
  epsilons: readonly number[];
  tEnd: number;
  /** Kinetic time step (the macroscopic reference uses ETDRK4 with dt/4). */
  dt: number;
  /** Aborts the study between and within runs. */
  signal?: AbortSignal;
}

/** The distance of one kinetic run to the limit. */
export interface LimitStudyRow {
  eps: number;
  /** ‖ρ_ε − ρ‖_{L1} at tEnd, absolute and relative to ‖ρ‖_{L1}. */
  l1: number;
  relL1: number;
  maxRho: number;
  steps: number;
}

/** Runs the kinetic model for every ε and returns the L1 distances to the limit solution. */
export async function limitStudy(
  backend: Backend,
  o: LimitStudyOptions,
): Promise<{ rows: LimitStudyRow[]; reference: Float64Array; cellVolume: number }> {
  const first = new Kinetic(backend, { ...o.kinetic, eps: o.epsilons[0] });
  const macro = new KellerSegel(backend, first.limit());
  const ref = await macro.solve({ tEnd: o.tEnd, dt: o.dt / 4, maxDensity: Infinity, signal: o.signal });
  const reference = macro.density();
  macro.dispose();
  // An error figure against a reference that did not reach tEnd would be a wrong answer.
  if (ref.status !== 'done') {
    first.dispose();
    throw new NumericalError(
      `limit study: the macroscopic reference run ended '${ref.status}' at t = ${ref.t.toPrecision(6)} of ${o.tEnd}${ref.reason ? ` (${ref.reason})` : ''}; no error can be measured against it`,
      ref.t,
    );
  }
  const h = first.grid.cellVolume;
  const norm = reference.reduce((s, v) => s + Math.abs(v), 0) * h;
  const rows: LimitStudyRow[] = [];
  for (const eps of o.epsilons) {
    const k = eps === o.epsilons[0] ? first : new Kinetic(backend, { ...o.kinetic, eps });
    const r = await k.solve({ tEnd: o.tEnd, dt: o.dt, maxDensity: Infinity, signal: o.signal });
    const rho = k.density();
    k.dispose();
    if (r.status !== 'done')
      throw new NumericalError(
        `limit study: the kinetic run for eps = ${eps} ended '${r.status}' at t = ${r.t.toPrecision(6)}${r.reason ? ` (${r.reason})` : ''}`,
        r.t,
      );
    let l1 = 0;
    for (let i = 0; i < rho.length; i++) l1 += Math.abs(rho[i] - reference[i]);
    l1 *= h;
    rows.push({ eps, l1, relL1: l1 / norm, maxRho: r.max, steps: r.steps });
  }
  return { rows, reference, cellVolume: h };
}

/**
 * The built-in limit study: a cell bump with chemotaxis on a parabolic chemical, t ∈ [0, 0.5],
 * dt = 2e-3. 1-D: 128 points, turning kernel φ(v, v') = v/(1+v²)² (odd, so χ = π/2). 2-D/3-D:
 * 32² or 8³ points, the kernel a(v) = s v/(1+|v|²)^{(N+3)/2} with the same χ = π/2
 * (laws.ts turningKernel), velocities chosen from ε and the box (directionTolerance 1e-3); in 3-D
 * the bump is twice as wide (width 1, S width 1.5) so that 8 points per axis resolve it.
 */
export function limitStudyScenario(gamma: number, dim: 1 | 2 | 3 = 1): Omit<LimitStudyOptions, 'epsilons'> {
  const n = dim === 1 ? [128] : dim === 2 ? [32, 32] : [8, 8, 8];
  return {
    kinetic: {
      grid: { n, L: n.map(() => 2 * Math.PI) },
      gamma,
      ...(dim === 1 ? { velocity: { vmax: 1e14 } } : {}),
      chemical: { D: 1, beta: 1, mu: 1 },
      turning: { kernel: turningKernel(Math.PI / 2, dim) },
      initial: {
        rho: { type: 'gaussian', mass: 4, width: dim === 3 ? 1 : 0.5, background: 0.5 },
        S: { type: 'gaussian', mass: 1, width: dim === 3 ? 1.5 : 1, background: 0 },
      },
    },
    tEnd: 0.5,
    dt: 2e-3,
  };
}
