import { describe, expect, it } from 'vitest';
import { KellerSegel as Model, type KellerSegelOptions } from '../src/models/keller-segel/model.js';
import type { Backend } from '../src/backend/index.js';
import { NumericalError, ValidationError } from '../src/errors.js';
import { backends, relErr } from './helpers.js';

const TWO_PI = 2 * Math.PI;

/** This file tests the spectral discretisation (finite volumes: finite-volume.test.ts). */
class KellerSegel extends Model {
  constructor(be: Backend, o: KellerSegelOptions) {
    super(be, { discretisation: 'spectral', ...o });
  }
}
const smooth2d = (x: number, y: number) => 1 + 0.3 * Math.cos(x) * Math.sin(y) + 0.2 * Math.sin(2 * x + y);
/** A parabolic chemical, receptor χ(S) and logistic growth: every term of the spectral step. */
const receptorLogistic = (n: number[]): KellerSegelOptions => ({
  grid: { n },
  alpha: 1.6,
  chemical: { type: 'parabolic', D: 1, mu: 0.2 },
  chi: { type: 'receptor', chi0: 2, K: 0.5 },
  growth: { type: 'logistic', r: 0.5 },
  initial: { rho: smooth2d },
});

/** Amplitude of the real Fourier mode (jx, jy) of a 2-D field on an n×n grid. */
function modeAmplitude(f: Float64Array, n: number, jx: number, jy: number): number {
  let s = 0;
  for (let b = 0; b < n; b++)
    for (let a = 0; a < n; a++) s += f[b * n + a] * Math.cos((TWO_PI * (jx * a + jy * b)) / n);
  return (2 * s) / (n * n);
}

describe.each(backends)('fractional Keller–Segel on the $kind backend', (be) => {
  it('conserves mass to 1e-10 relative over 400 steps when Γ = 0 (parabolic, α = 1.4, anisotropic χ)', async () => {
    const m = new KellerSegel(be, {
      grid: { n: [32, 32] },
      alpha: 1.4,
      chemical: { type: 'parabolic', D: 1, beta: 1, mu: 0.1 },
      chi: [
        [1.2, 0.2],
        [0.1, 0.8],
      ],
      initial: { rho: smooth2d, S: (x, y) => Math.sin(x + y) },
    });
    const r = await m.solve({ tEnd: 2, dt: 0.005 });
    expect(r.status).toBe('done');
    expect(r.steps).toBe(400);
    const m0 = r.diagnostics[0].mass;
    for (const d of r.diagnostics) expect(Math.abs(d.mass - m0) / m0).toBeLessThan(1e-10);
  });

  it('fractional heat with a chemical that diffuses and decays matches the exact per-mode solution', async () => {
    const D = 0.7,
      alpha = 1.3,
      DS = 0.5,
      mu = 0.4,
      beta = 2,
      T = 1.5;
    const m = new KellerSegel(be, {
      grid: { n: [32], L: [TWO_PI * 2] },
      alpha,
      diffusion: D,
      chemical: { type: 'parabolic', D: DS, beta, mu },
      chi: 0,
      initial: { rho: (x) => 1 + Math.cos(x) + 0.5 * Math.cos(1.5 * x), S: (x) => Math.cos(x) },
    });
    await m.solve({ tEnd: T, dt: 0.01 });
    const exact = (x: number) => {
      let s = (beta * 1 * (1 - Math.exp(-mu * T))) / mu; // k = 0: S' = -μS + β
      for (const [k, a, s0] of [
        [1, 1, 1],
        [1.5, 0.5, 0],
      ]) {
        const lr = D * k ** alpha,
          ls = DS * k * k + mu;
        s +=
          (s0 * Math.exp(-ls * T) + (beta * a * (Math.exp(-lr * T) - Math.exp(-ls * T))) / (ls - lr)) *
          Math.cos(k * x);
      }
      return s;
    };
    const xs = m.grid.coordinates(0);
    expect(relErr(m.signal(), xs.map(exact))).toBeLessThan(1e-10);
    expect(
      relErr(
        m.density(),
        xs.map(
          (x) =>
            1 + Math.exp(-D * T) * Math.cos(x) + 0.5 * Math.exp(-D * 1.5 ** alpha * T) * Math.cos(1.5 * x),
        ),
      ),
    ).toBeLessThan(1e-12);
  });

  it.each([
    [1, 1],
    [2, 1],
    [3, 2],
  ])(
    'linearised parabolic–elliptic KS: mode (%i, %i) grows/decays at λ(k) = −Dρ|k|^α + χρ0β|k|²/(DS|k|²+μ)',
    async (jx, jy) => {
      const n = 32,
        D = 1,
        alpha = 1.5,
        chi = 3,
        rho0 = 2,
        beta = 1.5,
        DS = 1.2,
        mu = 0.5,
        delta = 1e-7,
        T = 0.5;
      const m = new KellerSegel(be, {
        grid: { n: [n, n] },
        alpha,
        diffusion: D,
        chemical: { type: 'elliptic', D: DS, beta, mu },
        chi,
        initial: { rho: { type: 'cosine', mean: rho0, amplitude: delta, mode: [jx, jy] } },
      });
      await m.solve({ tEnd: T, dt: 0.01 });
      const k2 = jx * jx + jy * jy;
      const lambda = -D * k2 ** (alpha / 2) + (chi * rho0 * beta * k2) / (DS * k2 + mu);
      const measured = Math.log(modeAmplitude(m.density(), n, jx, jy) / delta) / T;
      expect(Math.abs(measured - lambda)).toBeLessThan(1e-5 * Math.max(1, Math.abs(lambda)));
    },
  );

  it('logistic growth of a constant state follows ρ(t) = ρ0 e^{rt} / (1 − ρ0 + ρ0 e^{rt})', async () => {
    const r = 1.3,
      rho0 = 0.05;
    const m = new KellerSegel(be, {
      grid: { n: [16, 16] },
      alpha: 1.5,
      chemical: { type: 'parabolic', D: 1 },
      chi: 1,
      growth: { type: 'logistic', r },
      initial: { rho: rho0 },
    });
    const res = await m.solve({ tEnd: 4, dt: 0.02 });
    for (const d of res.diagnostics) {
      const e = Math.exp(r * d.t),
        exact = (rho0 * e) / (1 - rho0 + rho0 * e);
      expect(Math.abs(d.maxRho - exact) / exact, `t = ${d.t}`).toBeLessThan(1e-8);
    }
  });

  it('the non-local model keeps a constant state on its ODE ρ′ = ρ(a0 + a1ρ − a2|Ω|ρ)', async () => {
    const a0 = 0.8,
      a1 = 0.5,
      a2 = 0.02,
      rho0 = 0.3,
      area = 4 * Math.PI * Math.PI;
    const m = new KellerSegel(be, {
      grid: { n: [16, 16] },
      gamma: 0.5,
      chemical: { type: 'elliptic' },
      chi: 1,
      growth: { type: 'nonlocal', a0, a1, a2 },
      initial: { rho: rho0 },
    });
    const res = await m.solve({ tEnd: 3, dt: 0.01 });
    const a = a0,
      b = a1 - a2 * area;
    for (const d of res.diagnostics) {
      const e = Math.exp(a * d.t),
        exact = (a * rho0 * e) / (a + b * rho0 * (1 - e));
      expect(Math.abs(d.maxRho - exact) / exact, `t = ${d.t}`).toBeLessThan(1e-8);
      expect(Math.abs(d.mass - exact * area) / (exact * area)).toBeLessThan(1e-8);
    }
  });

  it("2-D parabolic–elliptic aggregation: a concentrated bump the spectral grid cannot follow ends 'under-resolved', keeping the last resolved state", async () => {
    const m = new KellerSegel(be, {
      grid: { n: [64, 64] },
      alpha: 1.5,
      chemical: { type: 'elliptic' },
      chi: 1,
      initial: { rho: { type: 'gaussian', mass: 60, width: 0.25, background: 0.1 } },
    });
    const res = await m.solve({ tEnd: 5, dt: 1e-3, adaptive: { rtol: 1e-4, atol: 1e-6 } });
    expect(res.status).toBe('under-resolved');
    expect(res.t).toBeGreaterThan(0);
    expect(res.t).toBeLessThan(5);
    expect(res.reason).toMatch(/min density .* max density .* no longer resolves/);
    const rho = m.density();
    expect(rho.every(Number.isFinite)).toBe(true); // the last resolved state
    expect(Math.min(...rho)).toBeGreaterThanOrEqual(-1e-3 * Math.max(...rho));
    expect(res.max).toBeGreaterThan(1.1 * res.diagnostics[0].maxRho); // it was aggregating
  });

  it("a fixed step too large for the explicit drift ends 'unstable' with a stable step suggested, not 'blow-up'", async () => {
    const m = new KellerSegel(be, {
      grid: { n: [64] },
      alpha: 1.5,
      chemical: { type: 'elliptic' },
      chi: 50,
      initial: { rho: (x) => 1 + 0.5 * Math.cos(x) },
    });
    const res = await m.solve({ tEnd: 5, dt: 0.5, maxDensity: Infinity, resolution: { action: 'warn' } });
    expect(res.status).toBe('unstable');
    expect(res.reason).toMatch(/a step below [0-9.e-]+ .* should be stable/);
    expect(m.density().every(Number.isFinite)).toBe(true);
  });

  it('2-D parabolic–elliptic: a small, spread-out mass decays to the constant state and the free energy decreases (α = 2)', async () => {
    const m = new KellerSegel(be, {
      grid: { n: [32, 32] },
      alpha: 2,
      chemical: { type: 'elliptic' },
      chi: 1,
      initial: { rho: { type: 'gaussian', mass: 2, width: 1.2, background: 0.05 } },
    });
    const res = await m.solve({ tEnd: 12, dt: 0.02 });
    expect(res.status).toBe('done');
    const last = res.diagnostics.at(-1)!,
      mean = last.mass / (4 * Math.PI * Math.PI);
    expect((last.maxRho - last.minRho) / mean).toBeLessThan(1e-3);
    for (let i = 1; i < res.diagnostics.length; i++)
      expect(res.diagnostics[i].energy!).toBeLessThanOrEqual(res.diagnostics[i - 1].energy! + 1e-12);
  });

  it('resumes from a checkpoint bit for bit (adaptive, interrupted mid-run by an observer)', async () => {
    const opts = receptorLogistic([16, 16]);
    const run = { tEnd: 1, dt: 0.05, adaptive: { rtol: 1e-7 } };
    const whole = new KellerSegel(be, opts);
    await whole.solve(run);
    const first = new KellerSegel(be, opts);
    const part = await first.solve({ ...run, observers: [(d) => (d.step === 7 ? 'stop' : undefined)] });
    expect(part.status).toBe('stopped');
    const cp = structuredClone(first.checkpoint());
    const second = new KellerSegel(be, opts);
    second.restore(cp);
    await second.solve(run);
    expect(second.time).toBe(whole.time);
    expect(Array.from(second.density())).toEqual(Array.from(whole.density()));
    expect(Array.from(second.signal())).toEqual(Array.from(whole.signal()));
  });

  it("a step starts from the monitor's ρ(x) of its state (one inverse transform fewer), with results bitwise those of transforming again", async () => {
    // Without the reuse: the monitor no longer hands its ρ(x) on, so every stage transforms.
    const noReuse = (m: KellerSegel) => {
      (m as unknown as { spectral: { densityHeld(f: unknown): void } }).spectral.densityHeld = () => {};
      return m;
    };
    const cases: [KellerSegelOptions, { tEnd: number; dt: number; adaptive?: { rtol: number } }][] = [
      [
        {
          grid: { n: [16, 16] },
          alpha: 1.5,
          chemical: { type: 'elliptic' },
          chi: 2,
          initial: { rho: smooth2d },
        },
        { tEnd: 0.2, dt: 0.01 },
      ],
      [
        receptorLogistic([16, 12]),
        // dt far too large to start with: rejected steps, whose candidates the monitor never sees
        { tEnd: 0.5, dt: 0.4, adaptive: { rtol: 1e-6 } },
      ],
    ];
    for (const [opts, run] of cases) {
      const ref = noReuse(new KellerSegel(be, opts));
      const r0 = await ref.solve(run);
      const m = new KellerSegel(be, opts);
      // Observers that rewrite the model's real work fields between the monitor and the next step.
      const r1 = await m.solve({
        ...run,
        observers: [(_, model) => void (model.density(), model.signal(), model.diagnostics())],
      });
      expect([r1.steps, r1.rejected]).toEqual([r0.steps, r0.rejected]);
      if (run.adaptive) expect(r1.rejected).toBeGreaterThan(0);
      expect(Array.from(m.density())).toEqual(Array.from(ref.density()));
      expect(Array.from(m.signal())).toEqual(Array.from(ref.signal()));
      // A state restored in place after a solve: the next solve starts from its own ρ(x).
      const cp = structuredClone(ref.checkpoint());
      const back = new KellerSegel(be, opts);
      await back.solve({ ...run, tEnd: run.tEnd / 2 });
      back.restore(cp);
      await back.solve({ ...run, tEnd: run.tEnd + 0.1 });
      await ref.solve({ ...run, tEnd: run.tEnd + 0.1 });
      expect(Array.from(back.density())).toEqual(Array.from(ref.density()));
    }
    // The 2-D parabolic–elliptic ETDRK4 step: 4 stages × (ρ, ∂xS, ∂yS) inverse transforms and nothing more.
    const m = new KellerSegel(be, cases[0][0]);
    await m.solve({ tEnd: 0.02, dt: 0.01 });
    const irfft = be.irfft.bind(be);
    let inverses = 0;
    be.irfft = (...a: Parameters<Backend['irfft']>) => {
      inverses++;
      irfft(...a);
    };
    try {
      await m.solve({ tEnd: 0.07, dt: 0.01 });
    } finally {
      be.irfft = irfft;
      delete (be as Partial<Backend>).irfft;
    }
    // At the start of the solve, its initial diagnostics and its monitor transform once each; then 12 per step.
    expect(inverses).toBe(2 + 5 * 12);
  });

  it('flux-limited and function-χ runs work and stop with a clear error when a user function returns NaN', async () => {
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
    const bad = new KellerSegel(be, { ...base, chi: (S) => (S > 0.6 ? NaN : 1) });
    await expect(bad.solve({ tEnd: 1, dt: 0.01 })).rejects.toThrow(NumericalError);
    await expect(
      new KellerSegel(be, { ...base, chi: (S) => (S > 0.6 ? NaN : 1) }).solve({ tEnd: 1, dt: 0.01 }),
    ).rejects.toThrow(/chi\(S\) returned NaN at grid point \d+ .* at t = /);
  });

  it('observers can stop a run and AbortSignal aborts it', async () => {
    const m = new KellerSegel(be, {
      grid: { n: [16] },
      alpha: 1.5,
      chemical: { type: 'elliptic' },
      chi: 1,
      initial: { rho: 1 },
    });
    const ac = new AbortController();
    let calls = 0;
    const r = await m.solve({
      tEnd: 10,
      dt: 0.01,
      signal: ac.signal,
      observers: [
        () => {
          if (++calls === 5) ac.abort('user');
        },
      ],
    });
    expect(r.status).toBe('aborted');
    expect(r.steps).toBe(4);
  });
});

describe('flux limiter Q', () => {
  const be = backends[0];
  const Q = (y: number, ystar: number) => {
    const rho = be.fromArray('rho', [1]),
      g = be.fromArray('g', [y]),
      f = be.alloc(1),
      chi = be.fromArray('chi', [1]);
    be.driftFlux(rho, g, f, 1, chi, null, true, ystar);
    return f.data[0];
  };
  it('equals y below y*, is continuous at y*, bounded by y* + 1, and odd', () => {
    for (const ystar of [0, 0.3, 2]) {
      for (let y = 0; y <= ystar; y += ystar / 7 || 1) if (y <= ystar) expect(Q(y, ystar)).toBe(y);
      expect(Math.abs(Q(ystar * (1 + 1e-9) + 1e-12, ystar) - ystar)).toBeLessThan(1e-8);
      for (const y of [ystar + 0.5, ystar + 10, 1e6]) {
        expect(Math.abs(Q(y, ystar))).toBeLessThan(ystar + 1);
        expect(Q(-y, ystar)).toBe(-Q(y, ystar));
      }
      expect(Q(1e6, ystar)).toBeGreaterThan(Q(10, ystar)); // increasing
    }
    expect(Math.abs(Q(3, 0) - 3 / Math.sqrt(10))).toBeLessThan(1e-15); // mean curvature flux
  });
});

describe('bad options name the field', () => {
  const be = backends[0];
  const ok: KellerSegelOptions = {
    grid: { n: [16, 16] },
    alpha: 1.5,
    chemical: { type: 'elliptic' },
    chi: 1,
    initial: { rho: 1 },
  };
  it.each([
    [
      { grid: { n: [16, 16], L: [-1, 2] } },
      /grid.L\[0\]: got -1; expected a finite number in \(0, Infinity\)/,
    ],
    [{ alpha: 2.5 }, /alpha: got 2.5; expected a finite number in \(0, 2\]/],
    [{ alpha: undefined, gamma: 1 }, /gamma: got 1; expected a finite number in \(0, 1\)/],
    [{ alpha: 1.5, gamma: 0.5 }, /alpha\/gamma: .* expected exactly one of alpha/],
    [{ grid: { n: [42, 16] } }, /grid.n\[0\]: got 42; expected an even size 2\^a·3\^b·5\^c/],
    [
      { chemical: { type: 'hyperbolic' } },
      /chemical.type: got "hyperbolic"; expected 'parabolic' or 'elliptic'/,
    ],
    [{ chi: [[1, 0]] }, /chi: .* expected a 2×2 matrix/],
    [{ growth: { type: 'logistic', r: NaN } }, /growth.r: got NaN/],
    [
      { flux: { type: 'limited', ystar: -1 } },
      /flux.ystar: got -1; expected a finite number in \[0, Infinity\)/,
    ],
    [
      { initial: { rho: (x: number) => (x > 1 ? NaN : 1) } },
      /initial.rho\(1\.178, 0\.000\): got NaN; expected a finite number/,
    ],
    [{ initial: { rho: [1, 2, 3] } }, /initial.rho.length: got 3; expected exactly 256/],
  ])('%j', (patch, message) => {
    expect(() => new KellerSegel(be, { ...ok, ...patch } as KellerSegelOptions)).toThrow(ValidationError);
    expect(() => new KellerSegel(be, { ...ok, ...patch } as KellerSegelOptions)).toThrow(message);
  });
  it('run options: negative dt and unknown scheme', async () => {
    await expect(new KellerSegel(be, ok).solve({ tEnd: 1, dt: -0.1 })).rejects.toThrow(/dt: got -0.1/);
    await expect(
      new KellerSegel(be, ok).solve({ tEnd: 1, dt: 0.1, scheme: 'rk45' as never }),
    ).rejects.toThrow(/scheme: got "rk45"; expected 'etdrk4' or 'etdrk2'/);
  });
});

describe('time integration order', () => {
  const be = backends[0];
  const opts: KellerSegelOptions = {
    grid: { n: [32] },
    alpha: 1.5,
    chemical: { type: 'parabolic', D: 0.5, mu: 0.3 },
    chi: 1.5,
    growth: { type: 'logistic', r: 1 },
    initial: {
      rho: (x) => 0.6 + 0.3 * Math.cos(x) + 0.1 * Math.sin(2 * x),
      S: (x) => 0.5 + 0.2 * Math.sin(x),
    },
  };
  const solveWith = async (scheme: 'etdrk2' | 'etdrk4', dt: number) => {
    const m = new KellerSegel(be, opts);
    await m.solve({ tEnd: 1, dt, scheme });
    return m.density();
  };
  it.each([
    ['etdrk2', 2],
    ['etdrk4', 4],
  ] as const)('%s converges with observed order within ±0.2 of %i', async (scheme, order) => {
    const ref = await solveWith('etdrk4', 1 / 1024);
    const dts = scheme === 'etdrk2' ? [1 / 16, 1 / 32, 1 / 64] : [1 / 4, 1 / 8, 1 / 16];
    const errs: number[] = [];
    for (const dt of dts) errs.push(relErr(await solveWith(scheme, dt), ref));
    const orders = errs.slice(1).map((e, i) => Math.log2(errs[i] / e));
    for (const p of orders) expect(Math.abs(p - order), `errors ${errs}`).toBeLessThan(0.2);
  });
  it('adaptive stepping meets its tolerance: error shrinks with rtol and takes fewer steps than needed at fixed dt', async () => {
    const ref = await solveWith('etdrk4', 1 / 1024);
    const errs: number[] = [];
    for (const rtol of [1e-5, 1e-8]) {
      const m = new KellerSegel(be, opts);
      const r = await m.solve({ tEnd: 1, dt: 0.1, adaptive: { rtol, atol: 0 } });
      errs.push(relErr(m.density(), ref));
      expect(errs.at(-1)!).toBeLessThan(100 * rtol);
      expect(r.steps).toBeLessThan(200);
    }
    expect(errs[1]).toBeLessThan(errs[0]);
  });
});

describe.each(backends)('3-D fractional Keller–Segel on the $kind backend', (be) => {
  it('linearised growth rate of mode (1, 1, 1) matches λ(k) and mass is conserved', async () => {
    const n = 16,
      D = 1,
      alpha = 1.2,
      chi = 2,
      rho0 = 1.5,
      beta = 1,
      DS = 1,
      mu = 0.3,
      delta = 1e-7,
      T = 0.4;
    const m = new KellerSegel(be, {
      grid: { n: [n, n, n] },
      alpha,
      diffusion: D,
      chemical: { type: 'elliptic', D: DS, beta, mu },
      chi,
      initial: { rho: { type: 'cosine', mean: rho0, amplitude: delta, mode: [1, 1, 1] } },
    });
    const r = await m.solve({ tEnd: T, dt: 0.01 });
    const k2 = 3,
      lambda = -D * k2 ** (alpha / 2) + (chi * rho0 * beta * k2) / (DS * k2 + mu);
    const rho = m.density();
    let s = 0;
    for (let c = 0; c < n; c++)
      for (let b = 0; b < n; b++)
        for (let a = 0; a < n; a++) s += rho[(c * n + b) * n + a] * Math.cos((2 * Math.PI * (a + b + c)) / n);
    const measured = Math.log((2 * s) / n ** 3 / delta) / T;
    expect(Math.abs(measured - lambda)).toBeLessThan(1e-5 * Math.max(1, Math.abs(lambda)));
    for (const d of r.diagnostics)
      expect(Math.abs(d.mass - r.diagnostics[0].mass) / r.diagnostics[0].mass).toBeLessThan(1e-12);
  });
});
