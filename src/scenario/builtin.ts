// Built-in scenarios, runnable by name: `fractaxis run aggregation-2d`.
import type { Scenario } from './validate.js';

/** The built-in scenarios by name (`fractaxis list`). */
export const builtinScenarios: Record<string, Scenario> = {
  'aggregation-2d': {
    name: 'aggregation-2d',
    description:
      '2-D parabolic–elliptic fractional Keller–Segel (α = 1.5, screened chemical): a noisy uniform population aggregates into spots, which merge and blow up.',
    model: {
      type: 'keller-segel',
      grid: { n: [256, 256] },
      alpha: 1.5,
      chemical: { type: 'elliptic', D: 1, beta: 1, mu: 10 },
      chi: 20,
      initial: { rho: { type: 'constant', value: 1, noise: 0.05, seed: 7 } },
    },
    run: { tEnd: 3, dt: 1e-2, maxDensity: 25, snapshots: 30 },
  },
  'blow-up-2d': {
    name: 'blow-up-2d',
    description:
      '2-D parabolic–elliptic fractional Keller–Segel (α = 1.5): a supercritical bump collapses; `fractaxis blowup blow-up-2d --grids 32,64,128,256 --levels 40,80,160` estimates the blow-up time.',
    model: {
      type: 'keller-segel',
      grid: { n: [128, 128] },
      alpha: 1.5,
      chemical: { type: 'elliptic', D: 1, beta: 1, mu: 0 },
      chi: 1,
      initial: { rho: { type: 'gaussian', mass: 40, width: 0.6, background: 0.5 } },
    },
    run: { tEnd: 0.2, dt: 0.0025, maxDensity: 160, snapshots: 10 },
  },
  'chemotaxis-1d': {
    name: 'chemotaxis-1d',
    description: '1-D fractional Keller–Segel with constant χ and a parabolic chemical (γ = 0.5).',
    model: {
      type: 'keller-segel',
      grid: { n: [1024], L: [20] },
      gamma: 0.5,
      chemical: { type: 'parabolic', D: 1, beta: 1, mu: 0.5 },
      chi: 1.2,
      initial: { rho: { type: 'gaussian', mass: 6, width: 1.5, background: 0.2 } },
    },
    run: { tEnd: 5, dt: 5e-3, snapshots: 10 },
  },
  'logistic-patterns-2d': {
    name: 'logistic-patterns-2d',
    description:
      '2-D fractional Keller–Segel with logistic growth rρ(1−ρ): aggregation saturates into a stationary spot pattern.',
    model: {
      type: 'keller-segel',
      grid: { n: [128, 128], L: [32, 32] },
      alpha: 1.6,
      chemical: { type: 'parabolic', D: 1, beta: 1, mu: 1 },
      chi: 4,
      growth: { type: 'logistic', r: 0.5 },
      initial: { rho: { type: 'constant', value: 1, noise: 0.05, seed: 3 } },
    },
    run: { tEnd: 30, dt: 0.05, snapshots: 10 },
  },
  'flux-limited-2d': {
    name: 'flux-limited-2d',
    description:
      '2-D flux-limited drift (y* = 0.5): strong chemotaxis with a bounded flux aggregates without blowing up.',
    model: {
      type: 'keller-segel',
      grid: { n: [256, 256], L: [20, 20] },
      alpha: 1.8,
      chemical: { type: 'parabolic', D: 1, beta: 1, mu: 0.2 },
      chi: 3,
      flux: { type: 'limited', ystar: 0.5 },
      initial: { rho: { type: 'constant', value: 1, noise: 0.1, seed: 11 } },
    },
    run: { tEnd: 20, dt: 0.05, snapshots: 10 },
  },
  'kinetic-limit-1d': {
    name: 'kinetic-limit-1d',
    description:
      'Kinetic run-and-tumble model (γ = 0.5, ε = 1e-3) with chemotaxis, compared with its fractional Keller–Segel limit for ε = 1e-1, 1e-2, 1e-3.',
    model: {
      type: 'kinetic',
      grid: { n: [128] },
      gamma: 0.5,
      eps: 1e-3,
      velocity: { vmax: 1e14 },
      chemical: { D: 1, beta: 1, mu: 1 },
      turning: { chi: Math.PI / 2 },
      initial: {
        rho: { type: 'gaussian', mass: 4, width: 0.5, background: 0.5 },
        S: { type: 'gaussian', mass: 1, width: 1, background: 0 },
      },
      compare: { epsilons: [1e-1, 1e-2, 1e-3] },
    },
    run: { tEnd: 0.5, dt: 2e-3, snapshots: 5 },
  },
  'kinetic-limit-2d': {
    name: 'kinetic-limit-2d',
    description:
      '2-D kinetic run-and-tumble model (γ = 0.5, ε = 1e-3, velocities chosen for a 1e-3 symbol error) with chemotaxis, beside its fractional Keller–Segel limit; ε = 1e-1, 1e-2, 1e-3.',
    model: {
      type: 'kinetic',
      grid: { n: [32, 32] },
      gamma: 0.5,
      eps: 1e-3,
      chemical: { D: 1, beta: 1, mu: 1 },
      turning: { chi: Math.PI / 2 },
      initial: {
        rho: { type: 'gaussian', mass: 4, width: 0.5, background: 0.5 },
        S: { type: 'gaussian', mass: 1, width: 1, background: 0 },
      },
      compare: { epsilons: [1e-1, 1e-2, 1e-3] },
    },
    run: { tEnd: 0.5, dt: 2e-3, snapshots: 5 },
  },
  'kinetic-limit-3d': {
    name: 'kinetic-limit-3d',
    description:
      '3-D kinetic run-and-tumble model (γ = 0.5, ε = 1e-3, 8³, product Gauss direction sets for a 1e-3 symbol error) with chemotaxis, beside its fractional Keller–Segel limit; ε = 1e-1, 1e-2, 1e-3 (about a minute).',
    model: {
      type: 'kinetic',
      grid: { n: [8, 8, 8] },
      gamma: 0.5,
      eps: 1e-3,
      chemical: { D: 1, beta: 1, mu: 1 },
      turning: { chi: Math.PI / 2 },
      initial: {
        rho: { type: 'gaussian', mass: 4, width: 1, background: 0.5 },
        S: { type: 'gaussian', mass: 1, width: 1.5, background: 0 },
      },
      compare: { epsilons: [1e-1, 1e-2, 1e-3] },
    },
    run: { tEnd: 0.5, dt: 2e-3, snapshots: 5 },
  },
};
