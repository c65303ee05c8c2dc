// Options and results of the kinetic model: what users write and what a run returns.
import { columnBlockScratch } from '../../backend/plans.js';
import { gridCounts, gridTableDoubles, type GridOptions } from '../../grid.js';
import type { VelocityGrid, VelocityGridOptions } from '../../velocity.js';
import { generalisedOrder, type SeparableKernel } from '../../coefficients.js';
import { ValidationError, checkKeys, checkNumber } from '../../errors.js';
import { IMEX_SCHEMES } from '../../integrate/imex.js';
import { checkFlux, checkGrowth, inRange, resolveChemical, type Flux, type Growth } from '../../laws.js';
import type { ModelResult, ModelSolveOptions, StateCheckpoint, StepDiagnostics } from '../model.js';
import type { InitialData } from '../initial.js';
import type { Kinetic } from './model.js';

/** The collision operator: relaxation ρF − f, or the generalised operator with ν = ν0(1+|v|²)^{β/2}. */
export type Collision = { type: 'relaxation' } | { type: 'generalised'; beta: number; nu0?: number };

/** What a kinetic model is built from (validated; errors name the field and the range). */
export interface KineticOptions {
  /** Periodic box in x, 1-D, 2-D or 3-D (velocities have the dimension of x). */
  grid: GridOptions;
  /** Tail exponent of F, 0 < γ < 1. */
  gamma: number;
  /** Scaling parameter ε in (0, 1]. */
  eps: number;
  /**
   * The velocity grid (velocity.ts). 2-D/3-D: vmax and `directions` (the angular resolution of the
   * fastest shells) are chosen from ε, the box and the tolerances when omitted, and checked when given.
   */
  velocity?: Omit<VelocityGridOptions, 'gamma' | 'dim' | 'shellSharpness' | 'shellTolerance'>;
  collision?: Collision;
  /** Parabolic chemical ∂tS = DΔS + βρ − μS (omit for pure fractional diffusion). */
  chemical?: { D: number; beta?: number; mu?: number };
  /**
   * Turning kernel acting on ∇S (or Q(∇S) with a limited flux): one separable term
   * φ(v, v', S) = a(v) b(v') c(S), or a sum of them Σ_m a_m(v) b_m(v') c_m(S) (at most 16 terms).
   */
  turning?: { kernel: SeparableKernel | readonly SeparableKernel[]; flux?: Flux };
  /** R chosen so that Γ = ∫R(ρF) is the logistic or non-local law of the macroscopic model. */
  growth?: Growth;
  initial: { rho: InitialData; S?: InitialData };
  /** Largest accepted relative error of σ_ε(k) from truncating velocities at vmax (default 1e-6). */
  tailTolerance?: number;
  /**
   * 2-D/3-D: largest accepted relative error of σ_ε(k) from the direction sets, at every resolved
   * wavevector of the box (default 1e-3; the decay rate of a mode is off by about as much).
   */
  directionTolerance?: number;
  /**
   * Time scheme: 'euler' (IMEX backward Euler, first order; the default) or 'bdf2' (variable-step
   * IMEX-BDF2, second order: implicit part by BDF2, explicit terms extrapolated; its first step is Euler).
   */
  scheme?: 'euler' | 'bdf2';
}

/** Mass and min/max ρ of a kinetic state. */
export type KineticDiagnostics = StepDiagnostics;
/** What Kinetic.solve takes. */
export type KineticSolveOptions = ModelSolveOptions<Kinetic, KineticDiagnostics>;
/** What Kinetic.solve returns. */
export type KineticResult = ModelResult<KineticDiagnostics>;

/**
 * The Integrator's state: [f̂, Ŝ?, ρ̂] and, for 'bdf2', the history [f̂ⁿ⁻¹, Ŝⁿ⁻¹?, R̂ⁿ⁻¹?, P̂ⁿ⁻¹_d…, hⁿ⁻¹]
 * (see KineticOperator.layout).
 */
export type KineticCheckpoint = StateCheckpoint<'kinetic'>;

/** Options with every default filled and every range checked, once (the model and operator read only this). */
export interface ResolvedKinetic {
  eps: number;
  collision: { type: 'relaxation' } | { type: 'generalised'; beta: number; nu0: number };
  chemical: { D: number; beta: number; mu: number } | null;
  turning: { kernels: SeparableKernel[]; flux: Flux } | null;
  growth: Growth;
  tailTolerance: number;
  directionTolerance: number;
  scheme: 'euler' | 'bdf2';
}

const KEYS = [
  'grid',
  'gamma',
  'eps',
  'velocity',
  'collision',
  'chemical',
  'turning',
  'growth',
  'initial',
  'tailTolerance',
  'directionTolerance',
  'scheme',
];

export function resolveKinetic(o: KineticOptions, dim: number): ResolvedKinetic {
  checkKeys(o, KEYS, '');
  const c = o.collision ?? { type: 'relaxation' };
  let collision: ResolvedKinetic['collision'];
  if (c.type === 'relaxation') collision = { type: 'relaxation' };
  else if (c.type === 'generalised') {
    generalisedOrder(o.gamma, c.beta);
    collision = { type: 'generalised', beta: c.beta, nu0: inRange('collision.nu0', c.nu0) };
  } else
    throw new ValidationError(
      'collision.type',
      (c as { type: unknown }).type,
      "'relaxation' or 'generalised'",
    );
  let chemical: ResolvedKinetic['chemical'] = null;
  if (o.chemical) {
    if (o.chemical.D === undefined)
      throw new ValidationError('chemical.D', undefined, 'a value (required for the kinetic model)');
    const r = resolveChemical({ type: 'parabolic', ...o.chemical });
    chemical = { D: r.D, beta: r.beta, mu: r.mu };
  }
  let turning: ResolvedKinetic['turning'] = null;
  if (o.turning) {
    // φ = a(v) b(v') c(S) acts on ∇S: it needs a chemical.
    if (!chemical)
      throw new ValidationError(
        'turning',
        'a turning kernel',
        'a chemical field to turn on (set options.chemical)',
      );
    const list = Array.isArray(o.turning.kernel) ? o.turning.kernel : [o.turning.kernel];
    if (list.length < 1 || list.length > 16)
      throw new ValidationError('turning.kernel', list.length, 'one separable term or a list of 1 to 16');
    list.forEach((k: SeparableKernel, m: number) => {
      const name = Array.isArray(o.turning!.kernel) ? `turning.kernel[${m}]` : 'turning.kernel';
      if (typeof k?.a !== 'function')
        throw new ValidationError(`${name}.a`, k?.a, `a function v => [a_1(v), …, a_${dim}(v)]`);
      for (const f of ['b', 'c'] as const)
        if (k[f] !== undefined && typeof k[f] !== 'function')
          throw new ValidationError(`${name}.${f}`, k[f], 'a function (or nothing for 1)');
    });
    turning = { kernels: [...list], flux: checkFlux(o.turning.flux, 'turning.flux') };
  }
  const scheme = o.scheme ?? 'euler';
  if (!(scheme in IMEX_SCHEMES)) throw new ValidationError('scheme', scheme, "'euler' or 'bdf2'");
  return {
    eps: inRange('eps', o.eps),
    collision,
    chemical,
    turning,
    growth: checkGrowth(o.growth),
    tailTolerance: checkNumber('tailTolerance', o.tailTolerance ?? 1e-6, 0, 1, { loOpen: true }),
    directionTolerance: checkNumber('directionTolerance', o.directionTolerance ?? 1e-3, 1e-12, 0.5),
    scheme,
  };
}

/** The scaling m(ε): ε^{1+γ} for relaxation, ε^r for the generalised operator. */
export function kineticScale(
  gamma: number,
  eps: number,
  collision: Collision = { type: 'relaxation' },
): number {
  return Math.pow(eps, collision.type === 'relaxation' ? 1 + gamma : generalisedOrder(gamma, collision.beta));
}

/**
 * Backend memory a kinetic configuration needs at its peak, before anything is allocated: the
 * state (Nv velocity spectra, and for 'bdf2' the history), the Integrator's candidate (and step
 * doubling's two states when adaptive), the operator's work fields (per turning term and axis),
 * up to four step sizes' coefficients, and the grid, velocity set and FFT plans.
 */
export function kineticMemoryEstimate(
  options: KineticOptions,
  velocity: VelocityGrid,
  steps: 'fixed' | 'adaptive' = 'fixed',
): { bytes: number; perPoint: number } {
  const { shape, dim, R, N, M } = gridCounts(options?.grid?.n);
  const V = velocity.size;
  const chem = options?.chemical ? 1 : 0;
  const kernel = options?.turning?.kernel;
  const kernels: readonly SeparableKernel[] = kernel ? (Array.isArray(kernel) ? kernel : [kernel]) : [];
  const T = kernels.length;
  // Terms with ∫a ≠ 0 carry a loss field ψ and make the sources physical-space (as the operator decides).
  const losses = kernels.filter((k) => {
    const A = new Array<number>(dim).fill(0);
    for (let j = 0; j < V; j++)
      k.a(velocity.velocity(j)).forEach((x, d) => (A[d] += velocity.weights[j] * x));
    return A.some((x) => Math.abs(x) > 1e-12);
  }).length;
  const physical = (options?.growth?.type ?? 'none') !== 'none' || losses > 0 ? 1 : 0;
  const bdf = options?.scheme === 'bdf2' ? 1 : 0;
  const state = V * M + chem * M + M + bdf * (V * M + chem * M + physical * V * M + T * dim * M + 1);
  const copies = steps === 'adaptive' ? 4 : 2; // the state, the candidate, and step doubling's two
  const operator =
    (2 + (1 + bdf) * T * dim) * M +
    (5 + losses + 2 * dim) * R +
    (6 + T * (dim + 1)) * V +
    4 * (M + chem * N + T * dim * V);
  // … + the grid's tables, and the wasm backend's column blocks for one thread (large grids only).
  const doubles = copies * state + operator + 2 * R + M + gridTableDoubles(shape) + columnBlockScratch(shape);
  return { bytes: 8 * doubles, perPoint: doubles / R };
}
