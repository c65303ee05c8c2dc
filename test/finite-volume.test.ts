import { describe, expect, it } from 'vitest';
import { KellerSegel, type KellerSegelOptions } from '../src/models/keller-segel/model.js';
import { ValidationError } from '../src/errors.js';
import { backends, relErr } from './helpers.js';

const TWO_PI = 2 * Math.PI;

/** Runs to tEnd and returns the worst min ρ / max ρ over every accepted step, the mass drift and the outcome. */
async function watch(m: KellerSegel, run: Parameters<KellerSegel['solve']>[0]) {
  let worst = Infinity,
    drift = 0,
    mass0 = NaN;
  const r = await m.solve({
    ...run,
    observers: [
      (d) => {
        mass0 = Number.isNaN(mass0) ? d.mass : mass0;
        worst = Math.min(worst, d.minRho / d.maxRho);
        drift = Math.max(drift, Math.abs(d.mass - mass0) / mass0);
      },
    ],
  });
  return { r, worst, drift };
}

/** L1 distance between a grid function on n points and one on 2n points (injection at shared nodes), per unit length. */
function l1ToFiner(coarse: Float64Array, fine: Float64Array): number {
  let s = 0;
  for (let i = 0; i < coarse.length; i++) s += Math.abs(fine[2 * i] - coarse[i]);
  return s / coarse.length;
}

/** The browser demo's defaults (web/worker.js). */
const demo: KellerSegelOptions = {
  grid: { n: [128, 128], L: [20, 20] },
  alpha: 1.5,
  chi: 3,
  chemical: { type: 'parabolic', D: 1, beta: 1, mu: 1 },
  initial: { rho: { type: 'constant', value: 1, noise: 0.05, seed: 1 } },
};
const fluxLimited: KellerSegelOptions = {
  grid: { n: [64, 64], L: [20, 20] },
  alpha: 1.8,
  chi: 3,
  chemical: { type: 'parabolic', D: 1, beta: 1, mu: 0.2 },
  flux: { type: 'limited', ystar: 0.5 },
  initial: { rho: { type: 'constant', value: 1, noise: 0.1, seed: 11 } },
};
const bump3d: KellerSegelOptions = {
  grid: { n: [16, 16, 16] },
  alpha: 1.5,
  chi: 2,
  chemical: { type: 'elliptic' },
  initial: { rho: { type: 'gaussian', mass: 200, width: 0.4, background: 0.01 } },
};

describe.each(backends)('finite volumes on the $kind backend', (be) => {
  it.each([
    [
      "the demo's aggregation (128², parabolic, α = 1.5, χ = 3) through its collapse",
      demo,
      { tEnd: 22, dt: 0.04 },
    ],
    ['the flux-limited-2d scenario (limited flux, α = 1.8)', fluxLimited, { tEnd: 10, dt: 0.05 }],
    ['a concentrated 3-D bump (elliptic, mass 200)', bump3d, { tEnd: 0.05, dt: 0.005 }],
  ] as const)(
    '%s: min ρ ≥ −1e-12 max ρ at every step, mass conserved to 1e-12',
    async (_name, options, run) => {
      const m = new KellerSegel(be, options);
      const { r, worst, drift } = await watch(m, { ...run, maxDensity: Infinity });
      expect(r.status).toBe('done');
      expect(worst).toBeGreaterThanOrEqual(-1e-12);
      expect(drift).toBeLessThan(1e-12);
      expect(r.max).toBeGreaterThan(1.5 * r.diagnostics[0].maxRho); // it did aggregate
      m.dispose();
    },
  );

  it('the discrete fractional-heat semigroup is positive (kernel entries ≥ 0) and matches exp(−Dρ|k|^α t) to O(h²) at low k', async () => {
    const D = 0.8,
      alpha = 1.3,
      T = 0.3;
    // Kernel: the flow of a unit mass in one cell, chemotaxis off.
    for (const n of [16, 64]) {
      const delta = new Float64Array(n * n);
      delta[0] = (n * n) / (TWO_PI * TWO_PI);
      const m = new KellerSegel(be, {
        grid: { n: [n, n] },
        alpha,
        diffusion: D,
        chi: 0,
        chemical: { type: 'elliptic' },
        initial: { rho: delta },
      });
      await m.solve({ tEnd: T, dt: T / 3 });
      const rho = m.density();
      expect(Math.min(...rho)).toBeGreaterThanOrEqual(-1e-14 * Math.max(...rho));
      m.dispose();
    }
    // Decay of the mode cos(x) against the exact rate: the error falls by 4 per halving of h.
    const errors = [16, 32, 64].map(async (n) => {
      const m = new KellerSegel(be, {
        grid: { n: [n] },
        alpha,
        diffusion: D,
        chi: 0,
        chemical: { type: 'elliptic' },
        initial: { rho: (x) => 1 + 0.5 * Math.cos(x) },
      });
      await m.solve({ tEnd: T, dt: T });
      const amplitude = m.density()[0] - 1;
      m.dispose();
      return Math.abs(amplitude / (0.5 * Math.exp(-D * T)) - 1);
    });
    const [e16, e32, e64] = await Promise.all(errors);
    console.log(
      `${be.kind}: semigroup vs exp(−Dρ|k|^α t), relative errors ${[e16, e32, e64].map((e) => e.toExponential(2)).join(', ')} for n = 16, 32, 64`,
    );
    expect(Math.log2(e16 / e32)).toBeGreaterThan(1.9);
    expect(Math.log2(e32 / e64)).toBeGreaterThan(1.9);
    expect(e64).toBeLessThan(1e-3);
  });

  it('second order in space and time on a smooth problem (dt ∝ h), against the spectral solution: observed orders 2 ± 0.3', async () => {
    const options = (n: number, discretisation: 'spectral' | 'finite-volume'): KellerSegelOptions => ({
      grid: { n: [n, n] },
      alpha: 1.6,
      chi: 1.5,
      chemical: { type: 'parabolic', D: 1, beta: 1, mu: 0.5 },
      discretisation,
      growth: { type: 'logistic', r: 0.3 },
      initial: {
        rho: (x, y) => 1 + 0.4 * Math.cos(x) * Math.sin(y),
        S: (x, y) => 0.5 + 0.3 * Math.sin(x + y),
      },
    });
    const T = 0.5;
    const reference = new KellerSegel(be, options(64, 'spectral'));
    await reference.solve({ tEnd: T, dt: 1e-3, scheme: 'etdrk4' });
    const ref = reference.density();
    const errors: number[] = [];
    for (const n of [16, 32, 64]) {
      const m = new KellerSegel(be, options(n, 'finite-volume'));
      await m.solve({ tEnd: T, dt: 0.8 / n });
      const rho = m.density(),
        step = 64 / n;
      let e = 0;
      for (let j = 0; j < n; j++)
        for (let i = 0; i < n; i++) e = Math.max(e, Math.abs(rho[j * n + i] - ref[step * (j * 64 + i)]));
      errors.push(e);
      m.dispose();
    }
    const orders = [Math.log2(errors[0] / errors[1]), Math.log2(errors[1] / errors[2])];
    console.log(
      `${be.kind}: max errors ${errors.map((e) => e.toExponential(2)).join(', ')} for n = 16, 32, 64; observed orders ${orders.map((p) => p.toFixed(2)).join(', ')}`,
    );
    for (const p of orders) expect(Math.abs(p - 2)).toBeLessThan(0.3);
  });

  it.each([1.5, 1.2])(
    '1-D, α = %s, mass 50 concentrated in width 0.05 (χ = 1, elliptic, μ = 0): finite volumes stay bounded, non-negative and converge under refinement; spectral says it cannot resolve it',
    async (alpha) => {
      const options = (n: number, discretisation: 'spectral' | 'finite-volume'): KellerSegelOptions => ({
        grid: { n: [n] },
        alpha,
        chi: 1,
        chemical: { type: 'elliptic', mu: 0 },
        discretisation,
        initial: { rho: { type: 'gaussian', mass: 50, width: 0.05, background: 0 } },
      });
      const run = { tEnd: 0.02, dt: 1e-3 };
      const spectral = new KellerSegel(be, options(4096, 'spectral'));
      const s = await spectral.solve(run);
      expect(['under-resolved', 'unstable']).toContain(s.status);
      spectral.dispose();
      const finals: Float64Array[] = [];
      for (const n of [1024, 2048, 4096]) {
        const m = new KellerSegel(be, options(n, 'finite-volume'));
        const { r, worst, drift } = await watch(m, run);
        expect(r.status).toBe('done');
        expect(worst).toBeGreaterThanOrEqual(-1e-12);
        expect(drift).toBeLessThan(1e-12);
        expect(r.max).toBeLessThan(1e4);
        finals.push(m.density());
        m.dispose();
      }
      const d1 = l1ToFiner(finals[0], finals[1]),
        d2 = l1ToFiner(finals[1], finals[2]);
      console.log(
        `${be.kind}: α = ${alpha}: spectral ${s.status} at t = ${s.t}; finite volumes L1 differences ${d1.toExponential(3)} (1024→2048), ${d2.toExponential(3)} (2048→4096)`,
      );
      expect(d2).toBeLessThan(0.6 * d1);
    },
  );

  it('logistic and non-local growth of a constant state follow their ODEs (exact flow; non-local mass at the midpoint)', async () => {
    const r = 0.8,
      rho0 = 0.2,
      T = 2;
    const m = new KellerSegel(be, {
      grid: { n: [16, 16] },
      alpha: 1.5,
      chemical: { type: 'parabolic', D: 1 },
      chi: 1,
      growth: { type: 'logistic', r },
      initial: { rho: rho0 },
    });
    await m.solve({ tEnd: T, dt: 0.1 });
    const exact = (rho0 * Math.exp(r * T)) / (1 - rho0 + rho0 * Math.exp(r * T));
    for (const v of m.density()) expect(Math.abs(v - exact) / exact).toBeLessThan(1e-13);
    const a0 = 1,
      a1 = 0.5,
      a2 = 0.05,
      area = TWO_PI * TWO_PI;
    const nl = new KellerSegel(be, {
      grid: { n: [16, 16] },
      alpha: 1.5,
      chemical: { type: 'elliptic' },
      chi: 1,
      growth: { type: 'nonlocal', a0, a1, a2 },
      initial: { rho: rho0 },
    });
    await nl.solve({ tEnd: 1, dt: 0.01 });
    // ρ′ = ρ(a0 + (a1 − a2|Ω|)ρ): logistic form with p = a0, q = a1 − a2|Ω|.
    const q = a1 - a2 * area,
      e = Math.exp(a0),
      exactNl = (rho0 * e) / (1 - (q * rho0 * (e - 1)) / a0);
    expect(Math.abs(nl.density()[0] - exactNl) / exactNl).toBeLessThan(1e-5);
  });

  it('resumes from a checkpoint bit for bit (adaptive, parabolic, receptor χ, logistic growth)', async () => {
    const opts: KellerSegelOptions = {
      grid: { n: [16, 16] },
      alpha: 1.6,
      chemical: { type: 'parabolic', D: 1, mu: 0.2 },
      chi: { type: 'receptor', chi0: 2, K: 0.5 },
      growth: { type: 'logistic', r: 0.5 },
      initial: { rho: (x, y) => 1 + 0.3 * Math.cos(x) * Math.sin(y) },
    };
    const run = { tEnd: 1, dt: 0.05, adaptive: { rtol: 1e-5 } };
    const whole = new KellerSegel(be, opts);
    await whole.solve(run);
    const first = new KellerSegel(be, opts);
    expect(
      (await first.solve({ ...run, observers: [(d) => (d.step === 5 ? 'stop' : undefined)] })).status,
    ).toBe('stopped');
    const second = new KellerSegel(be, opts);
    second.restore(structuredClone(first.checkpoint()));
    await second.solve(run);
    expect(second.time).toBe(whole.time);
    expect(Array.from(second.density())).toEqual(Array.from(whole.density()));
    expect(Array.from(second.signal())).toEqual(Array.from(whole.signal()));
    const spectral = new KellerSegel(be, { ...opts, discretisation: 'spectral' });
    expect(() => spectral.restore(first.checkpoint())).toThrow(
      /checkpoint.discretisation: got "finite-volume"/,
    );
  });

  it('user functions (χ(S), G(ρ, S)) run through the same laws; NaN from one stops with the function named', async () => {
    const base: KellerSegelOptions = {
      grid: { n: [32] },
      alpha: 1.5,
      chemical: { type: 'parabolic', D: 1, G: (r, s) => r - 0.5 * s },
      chi: (S) => 2 / (1 + S),
      flux: { type: 'limited', ystar: 0.1 },
      initial: { rho: (x) => 1 + 0.5 * Math.cos(x), S: 0.5 },
    };
    const ok = await new KellerSegel(be, base).solve({ tEnd: 0.5, dt: 0.01 });
    expect(ok.status).toBe('done');
    await expect(
      new KellerSegel(be, { ...base, chi: (S) => (S > 0.6 ? NaN : 1) }).solve({ tEnd: 1, dt: 0.01 }),
    ).rejects.toThrow(/chi\(S\) returned NaN at grid point \d+ .* at t = /);
  });
});

describe('finite-volume options name the field', () => {
  const [be] = backends;
  const ok: KellerSegelOptions = {
    grid: { n: [16] },
    alpha: 1.5,
    chemical: { type: 'elliptic' },
    chi: 1,
    initial: { rho: 1 },
  };
  it.each([
    [{ discretisation: 'fem' }, /discretisation: got "fem"; expected 'finite-volume' or 'spectral'/],
    [{ cfl: 0.7 }, /cfl: got 0.7; expected a finite number in \(0, 0.5\]/],
    [{ cfl: 0 }, /cfl: got 0/],
    [
      { cfl: 0.3, discretisation: 'spectral' },
      /cfl: got 0.3; expected nothing: cfl applies to discretisation 'finite-volume' only/,
    ],
  ])('%o', (patch, message) => {
    expect(() => new KellerSegel(be, { ...ok, ...patch } as KellerSegelOptions)).toThrow(ValidationError);
    expect(() => new KellerSegel(be, { ...ok, ...patch } as KellerSegelOptions)).toThrow(message);
  });
  it('the finite-volume scheme is Strang splitting; ETD schemes are refused with the accepted name', async () => {
    await expect(new KellerSegel(be, ok).solve({ tEnd: 1, dt: 0.1, scheme: 'etdrk4' })).rejects.toThrow(
      /scheme: got "etdrk4"; expected 'strang'/,
    );
  });
});

describe.each(backends)('grids of sizes 2^a·3^b·5^c ($kind)', (be) => {
  it.each(['finite-volume', 'spectral'] as const)(
    '%s on 96 × 60: mass conserved to 1e-12, no negative density, the same result on both backends',
    async (discretisation) => {
      const run = async (backend: typeof be) => {
        const m = new KellerSegel(backend, {
          grid: { n: [96, 60], L: [12, 7.5] },
          alpha: 1.5,
          chi: 2,
          chemical: { type: 'parabolic', D: 1, mu: 0.5 },
          discretisation,
          initial: { rho: { type: 'gaussian', mass: 8, width: 1.2, background: 0.3 } },
        });
        const r = await m.solve({ tEnd: 0.2, dt: 0.01 });
        const rho = m.density();
        m.dispose();
        return { r, rho };
      };
      const { r, rho } = await run(be);
      expect(r.status).toBe('done');
      const d = r.diagnostics;
      expect(Math.abs(d.at(-1)!.mass - d[0].mass) / d[0].mass).toBeLessThan(1e-12);
      expect(Math.min(...rho)).toBeGreaterThanOrEqual(0);
      const other = await run(backends.find((b) => b !== be)!);
      expect(relErr(rho, other.rho)).toBeLessThan(1e-12);
    },
  );
});
