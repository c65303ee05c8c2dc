// Options and results of the kinetic model: what users write and what a run returns.
import type { GridOptions } from '../../grid.js';
import type { VelocityGridOptions } from '../../velocity.js';
import { generalisedOrder, type SeparableKernel } from '../../coefficients.js';
import type { Flux, Growth } from '../../laws.js';
import type { InitialData } from '../initial.js';
import type { Kinetic } from './model.js';

export type Collision = { type: 'relaxation' } | { type: 'generalised'; beta: number; nu0?: number };

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

export interface KineticDiagnostics {
  t: number;
  step: number;
  mass: number;
  minRho: number;
  maxRho: number;
}

export interface KineticCheckpoint {
  kind: 'kinetic';
  t: number;
  steps: number;
  f: Float64Array;
  S: Float64Array | null;
  /** The options of the model that wrote it (canonical form; initial data by digest). */
  identity?: unknown;
  /** BDF2 history (null for 'euler' or before the first step). */
  history: {
    h: number;
    f: Float64Array;
    S: Float64Array | null;
    R: Float64Array | null;
    P: Float64Array[];
  } | null;
}

export interface KineticSolveOptions {
  tEnd: number;
  dt: number;
  observers?: ((d: KineticDiagnostics, model: Kinetic) => void | 'stop')[];
  signal?: AbortSignal;
  maxSteps?: number;
  /** Stop with status 'blow-up' above this max ρ (default 1e3 × initial max ρ). */
  maxDensity?: number;
  /** Times in (t, tEnd) the run lands on exactly (snapshots). */
  landAt?: readonly number[];
  /** Not for the kinetic model (fixed steps, its scheme set at construction): refused if given. */
  scheme?: never;
  adaptive?: never;
}

export interface KineticResult {
  /** 'unstable': a step produced non-finite values; the model holds the state from before it. */
  status: 'done' | 'blow-up' | 'unstable' | 'aborted' | 'stopped';
  t: number;
  steps: number;
  max: number;
  reason?: string;
  diagnostics: KineticDiagnostics[];
}

/** The scaling m(ε): ε^{1+γ} for relaxation, ε^r for the generalised operator. */
export function kineticScale(
  gamma: number,
  eps: number,
  collision: Collision = { type: 'relaxation' },
): number {
  return Math.pow(eps, collision.type === 'relaxation' ? 1 + gamma : generalisedOrder(gamma, collision.beta));
}
