// Options of the fractional Keller–Segel family: the types users write, their resolution (every
// default filled and every range checked, once), and the memory a configuration needs.
import { ValidationError, checkKeys } from '../../errors.js';
import {
  checkFlux,
  checkGrowth,
  inRange,
  resolveChemical,
  resolveSensitivity,
  type Chemical,
  type Flux,
  type Growth,
  type Sensitivity,
} from '../../laws.js';
import { columnBlockScratch } from '../../backend/plans.js';
import { gridCounts, gridTableDoubles, type GridOptions } from '../../grid.js';
import type {
  ModelObserver,
  ModelResult,
  ModelSolveOptions,
  StateCheckpoint,
  StepDiagnostics,
} from '../model.js';
import type { InitialData } from '../initial.js';
import type { KellerSegel } from './model.js';

export type { Growth, Flux, Chemical, Sensitivity } from '../../laws.js';

/** What a Keller–Segel model is built from (validated; errors name the field and the range). */
export interface KellerSegelOptions {
  grid: GridOptions;
  /** Order of the fractional Laplacian, 0 < α ≤ 2 (α = 2: classical). Give alpha or gamma. */
  alpha?: number;
  /** Kinetic tail exponent 0 < γ < 1; α = γ + 1. */
  gamma?: number;
  /** Dρ > 0 (default 1). */
  diffusion?: number;
  chemical: Chemical;
  chi: Sensitivity;
  growth?: Growth;
  flux?: Flux;
  initial: { rho: InitialData; S?: InitialData };
  /**
   * 'finite-volume' (default): positivity-preserving and mass-conserving (exact semigroup of the
   * discrete fractional Laplacian, minmod upwind drift, Strang splitting; second order), right for
   * aggregation. 'spectral': Fourier pseudo-spectral with ETDRK2/4, spectrally accurate for smooth
   * solutions; a state it no longer resolves ends the run as 'under-resolved'.
   */
  discretisation?: Discretisation;
  /** Finite volumes: drift substeps keep dt Σ_d max|u_d|/h_d ≤ cfl, in (0, 0.5] (default 0.4). */
  cfl?: number;
}

/** 'finite-volume' (positivity-preserving, the default) or 'spectral' (Fourier, for smooth solutions). */
export type Discretisation = 'spectral' | 'finite-volume';
/** The discretisations, the default first. */
export const DISCRETISATIONS: readonly Discretisation[] = ['finite-volume', 'spectral'];

/** Mass, min/max ρ and, for the parabolic–elliptic model with scalar χ, linear flux and no growth,
 * the free energy Dρ∫ρ log ρ − (χ/2)∫ρS. */
export type Diagnostics = StepDiagnostics;
/** Called with the diagnostics of the start and of every accepted step. */
export type Observer = ModelObserver<KellerSegel, Diagnostics>;
/** What KellerSegel.solve takes. */
export type SolveOptions = ModelSolveOptions<KellerSegel, Diagnostics>;
/** What KellerSegel.solve returns. */
export type SolveResult = ModelResult<Diagnostics>;

export interface KellerSegelCheckpoint extends StateCheckpoint<'keller-segel'> {
  /** Absent in checkpoints written before finite volumes existed (they are spectral). */
  discretisation?: Discretisation;
}

/** Options with every default filled and every range checked (the models read only this). */
export interface ResolvedKellerSegel {
  discretisation: Discretisation;
  cfl: number;
  alpha: number;
  D: number;
  chemical: {
    type: 'parabolic' | 'elliptic';
    D: number;
    beta: number;
    mu: number;
    /** The production G(ρ, S) of a parabolic chemical (default βρ). */
    G?: (rho: number, S: number) => number;
  };
  chiMatrix: number[] | null;
  chiReceptor: { chi0: number; K: number } | null;
  /** χ as a function of S, when given so. */
  chiFunction: ((S: number) => number) | null;
  growth: Growth;
  flux: Flux;
}

/** Validates the options object; every error names the field path and the accepted range. */
export function resolveKellerSegel(o: KellerSegelOptions, dim: number): ResolvedKellerSegel {
  if (!o || typeof o !== 'object') throw new ValidationError('options', o, 'an options object');
  checkKeys(
    o,
    [
      'grid',
      'alpha',
      'gamma',
      'diffusion',
      'chemical',
      'chi',
      'growth',
      'flux',
      'initial',
      'discretisation',
      'cfl',
    ],
    '',
  );
  if (o.chemical && typeof o.chemical === 'object')
    checkKeys(
      o.chemical,
      o.chemical.type === 'parabolic' ? ['type', 'D', 'beta', 'mu', 'G'] : ['type', 'D', 'beta', 'mu'],
      'chemical',
    );
  if (o.initial && typeof o.initial === 'object') checkKeys(o.initial, ['rho', 'S'], 'initial');
  if ((o.alpha === undefined) === (o.gamma === undefined))
    throw new ValidationError(
      'alpha/gamma',
      { alpha: o.alpha, gamma: o.gamma },
      'exactly one of alpha in (0, 2] or gamma in (0, 1)',
    );
  const alpha = o.alpha !== undefined ? inRange('alpha', o.alpha) : inRange('gamma', o.gamma) + 1;
  const D = inRange('diffusion', o.diffusion);
  const chemical = resolveChemical(o.chemical);
  const { matrix: chiMatrix, receptor: chiReceptor, fn: chiFunction } = resolveSensitivity(o.chi, dim);
  const discretisation = o.discretisation ?? 'finite-volume';
  if (!DISCRETISATIONS.includes(discretisation))
    throw new ValidationError('discretisation', discretisation, "'finite-volume' or 'spectral'");
  const cfl = inRange('cfl', o.cfl);
  if (o.cfl !== undefined && discretisation !== 'finite-volume')
    throw new ValidationError('cfl', o.cfl, "nothing: cfl applies to discretisation 'finite-volume' only");
  return {
    discretisation,
    cfl,
    alpha,
    D,
    chemical,
    chiMatrix,
    chiReceptor,
    chiFunction,
    growth: checkGrowth(o.growth),
    flux: checkFlux(o.flux),
  };
}

/**
 * Backend memory a configuration needs at its peak, before anything is allocated: the fields of
 * the model, its stepper and the per-step-size coefficient tables (2 step sizes for fixed steps,
 * the cache's 4 when adaptive). Counted from the allocations in keller-segel.ts, spectral.ts, etd.ts,
 * strang.ts and finite-volume.ts; test/memory.test.ts holds it to within 5 % of the measured arena growth.
 */
export function memoryEstimate(
  options: KellerSegelOptions,
  steps: 'fixed' | 'adaptive' = 'fixed',
  tables = 2,
): { bytes: number; perPoint: number } {
  const { shape, dim, R, N, M } = gridCounts(options?.grid?.n);
  const C = options?.chemical?.type === 'parabolic' ? 2 : 1;
  const X = typeof options?.chi === 'number' || Array.isArray(options?.chi) ? 0 : 1;
  const E = C === 1 ? 1 : 0,
    T =
      (options?.growth?.type ?? 'none') !== 'none' || (options?.chemical as { G?: unknown })?.G !== undefined
        ? 1
        : 0;
  const states = steps === 'adaptive' ? 3 : 1; // the candidate, and step doubling's two
  let doubles: number;
  if ((options?.discretisation ?? 'finite-volume') === 'finite-volume') {
    // Model (ρ, S views, state, integrator, Strang ×2), FiniteVolume (2 spectral, 6 + dim + χ real),
    // linear-flow tables (e^{haρ}, and e^{haS} and the coupling when parabolic), the FFT scratch.
    doubles = 2 * R + C * R * (1 + states + 2) + 2 * M + (6 + dim + X) * R + 2 * N * (C === 2 ? 3 : 1) + M;
  } else {
    // Model work (w, and Ŝ and its table when elliptic; ρ, S, ∇S, χ, and Γ/G when growing), state, integrator,
    // 4 ETD stage buffers, ETDRK4 tables (6 per component and step size, the first reusing the symbols' 2N), the FFT scratch.
    doubles =
      (1 + E) * M +
      E * N +
      (2 + T + dim + X) * R +
      C * M * (1 + states + 4) +
      tables * C * 6 * N -
      2 * N +
      M +
      2 * R;
  }
  // The grid's tables, and the wasm backend's column blocks for one thread (large grids only).
  doubles += gridTableDoubles(shape) + columnBlockScratch(shape);
  return { bytes: 8 * doubles, perPoint: doubles / R };
}
