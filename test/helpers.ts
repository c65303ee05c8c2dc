import { createBackend, type Backend } from '../src/backend/index.js';
import type { Kinetic } from '../src/models/kinetic/model.js';
import { seededNoise } from '../src/models/initial.js';

/** Both backends, for tests that run one table against each. */
export const backends: Backend[] = [await createBackend('wasm'), await createBackend('js')];

export function randomArray(n: number, seed: number): Float64Array {
  const r = seededNoise(seed);
  return Float64Array.from({ length: n }, r);
}

/** max |a - b| / max |b| */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / (den || 1);
}

/** Direct O(n^2) complex DFT (sign -1 forward), in long double-ish accuracy via compensated angles. */
export function directDft(x: ArrayLike<number>, n: number, stride = 1, offset = 0, sign = -1): Float64Array {
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    let re = 0,
      im = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a),
        s = Math.sin(a);
      const i = 2 * (offset + j * stride);
      re += x[i] * c - x[i + 1] * s;
      im += x[i] * s + x[i + 1] * c;
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}

/** Least-squares slope of log y against log x. */
export function slope(x: number[], y: number[]): number {
  const lx = x.map(Math.log),
    ly = y.map(Math.log),
    n = x.length;
  const mx = lx.reduce((a, b) => a + b) / n,
    my = ly.reduce((a, b) => a + b) / n;
  let num = 0,
    den = 0;
  for (let i = 0; i < n; i++) {
    num += (lx[i] - mx) * (ly[i] - my);
    den += (lx[i] - mx) ** 2;
  }
  return num / den;
}

/** The Fourier coefficient Σ_x ρ(x) e^{−ik·x} on a box of side 2π per axis. */
export function fourierCoefficient(rho: Float64Array, n: number[], k: number[]): [number, number] {
  const [nx, ny = 1, nz = 1] = n;
  let re = 0,
    im = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const phase = 2 * Math.PI * ((k[0] * x) / nx + ((k[1] ?? 0) * y) / ny + ((k[2] ?? 0) * z) / nz);
        const v = rho[(z * ny + y) * nx + x];
        re += v * Math.cos(phase);
        im -= v * Math.sin(phase);
      }
  return [re, im];
}

/**
 * Decay rates of Fourier modes of ρ: backward Euler maps the operator's slowest eigenvalue μ to
 * 1/(1 + dt μ), so μ = (ρ̂^n/ρ̂^{n+1} − 1)/dt is the velocity-discrete model's exact rate once the
 * fast modes (rates ~ε^{−1−γ}) are gone.
 */
export async function decayRates(m: Kinetic, ks: number[][], dt = 0.01, steps = 40): Promise<number[]> {
  const n = m.grid.shape.slice(0, m.grid.dim);
  await m.solve({ tEnd: 1e9, dt, maxSteps: steps });
  const a = ks.map((k) => fourierCoefficient(m.density(), n, k));
  await m.solve({ tEnd: 1e9, dt, maxSteps: 1 });
  const b = ks.map((k) => fourierCoefficient(m.density(), n, k));
  return ks.map((_, i) => {
    const [ar, ai] = a[i],
      [br, bi] = b[i];
    return ((ar * br + ai * bi) / (br * br + bi * bi) - 1) / dt;
  });
}
