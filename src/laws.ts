// Physical laws shared by both models and the scenario format (SCIENCE.md §3): the chemical, the
// sensitivity χ, growth Γ, the chemotactic flux Q, and the turning kernel the scenarios use. Each
// law is validated here once, with the field named in the error; both models read this module.
import { gammaFn } from './special.js';
import { ValidationError, checkNumber } from './errors.js';
import type { SeparableKernel } from './coefficients.js';

/** Γ(ρ): none, logistic rρ(1 − ρ), or non-local ρ(a0 + a1ρ − a2∫ρ) with a0, a1 ≥ 0. */
export type Growth =
  | { type: 'none' }
  | { type: 'logistic'; r: number }
  | { type: 'nonlocal'; a0: number; a1: number; a2: number };

/** Q: linear (Q(y) = y) or the limiter of SCIENCE.md §3 with threshold ystar (0 = mean curvature). */
export type Flux = { type: 'linear' } | { type: 'limited'; ystar: number };

/** The chemical: parabolic ∂tS = DS ΔS − μS + G(ρ, S) (G = βρ by default) or elliptic −DS ΔS + μS = βρ. */
export type Chemical =
  | {
      type: 'parabolic';
      D: number;
      beta?: number;
      mu?: number;
      /** The production G(ρ, S) (default βρ). */
      G?: (rho: number, S: number) => number;
    }
  | { type: 'elliptic'; D?: number; beta?: number; mu?: number };

/** χ: a constant, a dim×dim matrix (anisotropic), the receptor law χ0/(1+S/K)², or a function of S. */
export type Sensitivity =
  number | number[][] | { type: 'receptor'; chi0: number; K: number } | ((S: number) => number);

/** A chemical with every default filled and every range checked. */
export interface ResolvedChemical {
  type: 'parabolic' | 'elliptic';
  D: number;
  beta: number;
  mu: number;
  G?: (rho: number, S: number) => number;
}

export function resolveChemical(c: Chemical | undefined, field = 'chemical'): ResolvedChemical {
  if (!c || (c.type !== 'parabolic' && c.type !== 'elliptic'))
    throw new ValidationError(
      `${field}.type`,
      (c as { type?: unknown } | undefined)?.type,
      "'parabolic' or 'elliptic'",
    );
  const G = c.type === 'parabolic' ? c.G : undefined;
  if (G !== undefined && typeof G !== 'function')
    throw new ValidationError(`${field}.G`, G, 'a function (rho, S) => number');
  return {
    type: c.type,
    D: inRange('chemical.D', c.D, `${field}.D`),
    beta: inRange('chemical.beta', c.beta, `${field}.beta`),
    mu: inRange('chemical.mu', c.mu, `${field}.mu`),
    G,
  };
}

/** χ resolved into exactly one of: a dim×dim row-major matrix, the receptor law, a function of S. */
export function resolveSensitivity(
  chi: Sensitivity | undefined,
  dim: number,
): {
  matrix: number[] | null;
  receptor: { chi0: number; K: number } | null;
  fn: ((S: number) => number) | null;
} {
  if (typeof chi === 'number') {
    inRange('chi', chi);
    return {
      matrix: Array.from({ length: dim * dim }, (_, i) => (i % (dim + 1) === 0 ? chi : 0)),
      receptor: null,
      fn: null,
    };
  }
  if (Array.isArray(chi)) {
    if (chi.length !== dim || !chi.every((r) => Array.isArray(r) && r.length === dim))
      throw new ValidationError('chi', chi, `a ${dim}×${dim} matrix (array of ${dim} rows)`);
    return {
      matrix: chi.flatMap((r, i) => r.map((v, j) => inRange('chi', v, `chi[${i}][${j}]`))),
      receptor: null,
      fn: null,
    };
  }
  if (typeof chi === 'function') return { matrix: null, receptor: null, fn: chi };
  if (chi && typeof chi === 'object' && chi.type === 'receptor')
    return {
      matrix: null,
      receptor: { chi0: inRange('chi.chi0', chi.chi0), K: inRange('chi.K', chi.K) },
      fn: null,
    };
  throw new ValidationError(
    'chi',
    chi,
    "a number, a dim×dim matrix, {type: 'receptor', chi0, K} or a function of S",
  );
}

/** Validates a growth law (the kinetic model chooses R so that ∫R(ρF) is the same Γ). */
export function checkGrowth(g: Growth = { type: 'none' }, field = 'growth'): Growth {
  if (g.type === 'logistic') inRange('growth.r', g.r, `${field}.r`);
  else if (g.type === 'nonlocal') {
    inRange('growth.a0', g.a0, `${field}.a0`);
    inRange('growth.a1', g.a1, `${field}.a1`);
    inRange('growth.a2', g.a2, `${field}.a2`);
  } else if (g.type !== 'none')
    throw new ValidationError(
      `${field}.type`,
      (g as { type: unknown }).type,
      "'none', 'logistic' or 'nonlocal'",
    );
  return g;
}

/** Validates a chemotactic flux Q (drift of the macroscopic model, turning operator of the kinetic one). */
export function checkFlux(f: Flux = { type: 'linear' }, field = 'flux'): Flux {
  if (f.type === 'limited') inRange('flux.ystar', f.ystar, `${field}.ystar`);
  else if (f.type !== 'linear')
    throw new ValidationError(`${field}.type`, (f as { type: unknown }).type, "'linear' or 'limited'");
  return f;
}

/**
 * The turning kernel a(v) = s v/(1+|v|²)^{(N+3)/2} in N = 1, 2, 3 dimensions, whose limit
 * sensitivity is exactly χ I (odd, so ∫a = 0; χ = s ∫ v1²/(1+|v|²)^{(N+3)/2} dv
 * = s |S^{N−1}| Γ((N+2)/2) √π / (2N Γ((N+3)/2))): what a scenario's `turning.chi` means.
 * In 1-D s = 2χ/π: χ = π/2 gives a(v) = v/(1+v²)².
 */
export function turningKernel(chi: number, dim: 1 | 2 | 3 = 1): SeparableKernel {
  if (dim === 1) {
    const s = (2 * chi) / Math.PI;
    return { a: (v) => [(s * v[0]) / (1 + v[0] * v[0]) ** 2] };
  }
  const moment =
    ((dim === 2 ? 2 * Math.PI : 4 * Math.PI) * gammaFn((dim + 2) / 2) * Math.sqrt(Math.PI)) /
    (2 * dim * gammaFn((dim + 3) / 2));
  const s = chi / moment,
    p = (dim + 3) / 2;
  return {
    a: (v) => {
      const q = s / Math.pow(1 + v.reduce((acc, x) => acc + x * x, 0), p);
      return v.map((x) => q * x);
    },
  };
}

/**
 * The accepted range (and default) of every numeric model parameter, stated once: the
 * constructors check against it and the scenario JSON Schema is generated from it, so a scenario
 * that validates is one the models accept (test/laws.test.ts walks every boundary).
 */
export interface Range {
  lo: number;
  hi: number;
  loOpen?: boolean;
  hiOpen?: boolean;
  default?: number;
  description: string;
}

const positive = (description: string, def?: number): Range => ({
  lo: 0,
  hi: Infinity,
  loOpen: true,
  hiOpen: true,
  default: def,
  description,
});
const nonNegative = (description: string, def?: number): Range => ({
  lo: 0,
  hi: Infinity,
  hiOpen: true,
  default: def,
  description,
});
const any = (description: string, def?: number): Range => ({
  lo: -Infinity,
  hi: Infinity,
  default: def,
  description,
});

export const RANGES = {
  alpha: { lo: 0, hi: 2, loOpen: true, description: 'order of the fractional Laplacian, 0 < alpha ≤ 2' },
  gamma: {
    lo: 0,
    hi: 1,
    loOpen: true,
    hiOpen: true,
    description: 'kinetic tail exponent, 0 < gamma < 1 (alpha = gamma + 1)',
  },
  diffusion: positive('Dρ > 0', 1),
  // 0.5: the positivity limit of a forward-Euler minmod upwind step (finite-volume.ts POSITIVITY_LIMIT).
  cfl: {
    lo: 0,
    hi: 0.5,
    loOpen: true,
    default: 0.4,
    description: 'finite volumes: drift CFL number, 0 < cfl ≤ 0.5',
  },
  'chemical.D': positive('chemical diffusion DS > 0', 1),
  'chemical.beta': any('production rate β', 1),
  'chemical.mu': nonNegative('decay rate μ ≥ 0', 0),
  chi: any('chemotactic sensitivity χ'),
  'chi.chi0': any('χ0 of the receptor law χ0/(1+S/K)²'),
  'chi.K': positive('receptor constant K > 0'),
  'growth.r': any('logistic rate r'),
  'growth.a0': nonNegative('a0 ≥ 0'),
  'growth.a1': nonNegative('a1 ≥ 0'),
  'growth.a2': any('a2 (any sign)'),
  'flux.ystar': nonNegative('limiter threshold y* ≥ 0'),
  eps: { lo: 0, hi: 1, loOpen: true, description: 'scaling parameter, 0 < eps ≤ 1' },
  'collision.nu0': positive('ν0 > 0', 1),
} satisfies Record<string, Range>;

export type RangeName = keyof typeof RANGES;

/** The value (or the range's default when undefined) checked against the named range; errors name `field`. */
export function inRange(name: RangeName, value: unknown, field: string = name): number {
  const r: Range = RANGES[name];
  return checkNumber(field, value === undefined ? r.default : value, r.lo, r.hi, {
    loOpen: r.loOpen,
    hiOpen: r.hiOpen,
  });
}

/** The JSON-Schema fragment of a named range (finite numbers only: JSON has no Infinity). */
export function schemaOf(name: RangeName): Record<string, unknown> {
  const r: Range = RANGES[name],
    out: Record<string, unknown> = { type: 'number', description: r.description };
  if (Number.isFinite(r.lo)) out[r.loOpen ? 'exclusiveMinimum' : 'minimum'] = r.lo;
  if (Number.isFinite(r.hi)) out[r.hiOpen ? 'exclusiveMaximum' : 'maximum'] = r.hi;
  return out;
}
