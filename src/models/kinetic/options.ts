// Options and results of the kinetic model: what users write and what a run returns.
import { gridTableDoubles, type GridOptions } from '../../grid.js';
import type { VelocityGridOptions } from '../../velocity.js';
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
  /** Periodic box in x (1-D, or 2-D with 2-D velocities). */
  grid: GridOptions;
  /** Tail exponent of F, 0 < γ < 1. */
  gamma: number;
  /** Scaling parameter ε in (0, 1]. */
  eps: number;
  velocity?: Omit<VelocityGridOptions, 'gamma' | 'dim'>;
  collision?: Collision;
  /** Parabolic chemical ∂tS = DΔS + βρ − μS (omit for pure fractional diffusion). */
  chemical?: { D: number; beta?: number; mu?: number };
  /** Turning kernel φ(v, v', S) = a(v) b(v') c(S) acting on ∇S (or Q(∇S) with a limited flux). */
  turning?: { kernel: SeparableKernel; flux?: Flux };
  /** R chosen so that Γ = ∫R(ρF) is the logistic or non-local law of the macroscopic model. */
  growth?: Growth;
  initial: { rho: InitialData; S?: InitialData };
  /** Largest accepted relative error of σ_ε(k) from truncating velocities at vmax (default 1e-6). */
  tailTolerance?: number;
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
  turning: { kernel: SeparableKernel; flux: Flux } | null;
  growth: Growth;
  tailTolerance: number;
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
  'scheme',
];

export function resolveKinetic(o: KineticOptions, dim: number): ResolvedKinetic {
  checkKeys(o, KEYS, '');
  if (dim > 2)
    throw new ValidationError('grid.n', o.grid.n, 'a 1-D or 2-D grid (velocities have the dimension of x)');
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
    if (typeof o.turning.kernel?.a !== 'function')
      throw new ValidationError(
        'turning.kernel.a',
        o.turning.kernel?.a,
        'a function v => [a_1(v), …, a_N(v)]',
      );
    turning = { kernel: o.turning.kernel, flux: checkFlux(o.turning.flux, 'turning.flux') };
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
 * doubling's two states when adaptive), the operator's work fields, up to four step sizes'
 * coefficients, and the grid, velocity set and FFT plans. `velocities` is the size of the velocity
 * grid (VelocityGrid.size).
 */
export function kineticMemoryEstimate(
  options: KineticOptions,
  velocities: number,
  steps: 'fixed' | 'adaptive' = 'fixed',
): { bytes: number; perPoint: number } {
  const n = options?.grid?.n ?? [];
  const shape = [n[0] ?? 2, n[1] ?? 1, n[2] ?? 1],
    dim = Math.max(1, n.length);
  const R = shape[0] * shape[1] * shape[2],
    N = (shape[0] / 2 + 1) * shape[1] * shape[2],
    M = 2 * N,
    V = velocities;
  const chem = options?.chemical ? 1 : 0,
    turning = options?.turning ? 1 : 0;
  // Physical-space sources per velocity: growth, or a turning kernel with ∫a ≠ 0 (counted when turning is on).
  const physical = (options?.growth?.type ?? 'none') !== 'none' || turning ? 1 : 0;
  const bdf = options?.scheme === 'bdf2' ? 1 : 0;
  const state = V * M + chem * M + M + bdf * (V * M + chem * M + physical * V * M + turning * dim * M + 1);
  const copies = steps === 'adaptive' ? 4 : 2; // the state, the candidate, and step doubling's two
  const operator =
    (4 + turning * dim) * M +
    (5 + 2 * dim + 1) * R +
    (5 + turning * (dim + 1)) * V +
    4 * (M + N + turning * dim * V);
  const doubles = copies * state + operator + 2 * R + M + gridTableDoubles(shape);
  return { bytes: 8 * doubles, perPoint: doubles / R };
}
