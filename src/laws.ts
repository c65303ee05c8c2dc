// Physical laws shared by both models and the scenario format (SCIENCE.md §3): growth Γ, the
// chemotactic flux Q, and the turning kernel the scenarios use. Each law is validated here once,
// with the field named in the error; the Keller–Segel and kinetic models both read this module.
import { ValidationError, checkNumber } from './errors.js';
import type { SeparableKernel } from './coefficients.js';

/** Γ(ρ): none, logistic rρ(1 − ρ), or non-local ρ(a0 + a1ρ − a2∫ρ) with a0, a1 ≥ 0. */
export type Growth =
  | { type: 'none' }
  | { type: 'logistic'; r: number }
  | { type: 'nonlocal'; a0: number; a1: number; a2: number };

/** Q: linear (Q(y) = y) or the limiter of SCIENCE.md §3 with threshold ystar (0 = mean curvature). */
export type Flux = { type: 'linear' } | { type: 'limited'; ystar: number };

/** Validates a growth law (the kinetic model chooses R so that ∫R(ρF) is the same Γ). */
export function checkGrowth(g: Growth = { type: 'none' }, field = 'growth'): Growth {
  if (g.type === 'logistic') checkNumber(`${field}.r`, g.r, -Infinity, Infinity);
  else if (g.type === 'nonlocal') {
    checkNumber(`${field}.a0`, g.a0, 0, Infinity);
    checkNumber(`${field}.a1`, g.a1, 0, Infinity);
    checkNumber(`${field}.a2`, g.a2, -Infinity, Infinity);
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
  if (f.type === 'limited') checkNumber(`${field}.ystar`, f.ystar, 0, Infinity, { hiOpen: true });
  else if (f.type !== 'linear')
    throw new ValidationError(`${field}.type`, (f as { type: unknown }).type, "'linear' or 'limited'");
  return f;
}

/**
 * The 1-D turning kernel a(v) = (2χ/π) v/(1+v²)², whose limit sensitivity is exactly χ
 * (∫ v²/(1+v²)² dv = π/2): what a scenario's `turning.chi` means. χ = π/2 gives a(v) = v/(1+v²)².
 */
export function turningKernel(chi: number): SeparableKernel {
  const s = (2 * chi) / Math.PI;
  return { a: (v) => [(s * v[0]) / (1 + v[0] * v[0]) ** 2] };
}
