import { describe, expect, it } from 'vitest';
import { Kinetic, type KineticOptions } from '../src/models/kinetic/model.js';
import { limitStudy, limitStudyScenario } from '../src/studies/limit.js';
import { fractionalDiffusion, generalisedDiffusion, generalisedOrder } from '../src/coefficients.js';
import { NumericalError, ValidationError } from '../src/errors.js';
import { backends, decayRates, relErr, slope } from './helpers.js';

const modes = (x: number) => 1 + 0.1 * Math.cos(x) + 0.1 * Math.cos(2 * x) + 0.1 * Math.cos(4 * x);

describe.each(backends)('kinetic model on the $kind backend', (be) => {
  it.each([0.5, 0.3])(
    'γ = %s: mode decay rates match σ_ε(k) (gap ∝ ε^{1+γ}) and tend to Dρ|k|^{γ+1} (gap ∝ ε^{1−γ})',
    async (gamma) => {
      const epsList = [1e-2, 1e-3, 1e-4, 1e-5];
      const gapSigma: number[] = [],
        gapLimit: number[] = [];
      for (const eps of epsList) {
        const m = new Kinetic(be, {
          grid: { n: [16] },
          gamma,
          eps,
          velocity: { vmax: 1e14 },
          initial: { rho: modes },
        });
        const D = fractionalDiffusion(1, gamma, m.velocity.K0);
        const [mu1, mu2] = await decayRates(m, [[1], [2]]);
        gapSigma.push(Math.abs(mu1 - m.velocity.sigma(eps, 1)) / m.velocity.sigma(eps, 1));
        gapLimit.push(Math.abs(mu1 - D) / D);
        expect(Math.abs(mu2 - m.velocity.sigma(eps, 2)) / m.velocity.sigma(eps, 2)).toBeLessThan(
          2e-2 * (eps / 1e-2) ** (1 + gamma) + 1e-9,
        );
      }
      const pSigma = slope(epsList, gapSigma),
        pLimit = slope(epsList, gapLimit);
      console.log(
        `γ = ${gamma}: |μ−σ_ε|/σ_ε = ${gapSigma.map((e) => e.toExponential(2))} (slope ${pSigma.toFixed(3)}); |μ−Dρ|/Dρ = ${gapLimit.map((e) => e.toExponential(2))} (slope ${pLimit.toFixed(3)})`,
      );
      expect(Math.abs(pSigma - (1 + gamma))).toBeLessThan(0.1);
      expect(Math.abs(pLimit - (1 - gamma))).toBeLessThan(0.1);
      expect(gapLimit.at(-1)!).toBeLessThan(5e-3);
    },
  );

  it.each([0.1, 0.2])(
    'generalised operator, β = %s: decay exponent matches r = 1 + γ/(1−β) within 0.05 and the rate tends to D|k|^r',
    async (beta) => {
      const gamma = 0.5,
        r = generalisedOrder(gamma, beta);
      const m = new Kinetic(be, {
        grid: { n: [16] },
        gamma,
        eps: 1e-5,
        collision: { type: 'generalised', beta, nu0: 1 },
        velocity: { vmax: 1e16 },
        initial: { rho: modes },
      });
      const ks = [1, 2, 4];
      const mu = await decayRates(
        m,
        ks.map((k) => [k]),
      );
      const exponent = slope(ks, mu);
      const D = generalisedDiffusion(1, gamma, beta, m.velocity.K0, 1);
      console.log(
        `β = ${beta}: r = ${r.toFixed(4)}, measured exponent ${exponent.toFixed(4)}, μ(1)/D = ${(mu[0] / D).toFixed(4)}`,
      );
      expect(Math.abs(exponent - r)).toBeLessThan(0.05);
      expect(Math.abs(mu[0] / D - 1)).toBeLessThan(0.03);
    },
  );

  it('is asymptotic preserving: at fixed dt and grids, stable for ε from 1 to 1e-6 and ρ_ε approaches the limit', async () => {
    const base: Omit<KineticOptions, 'eps'> = {
      grid: { n: [64] },
      gamma: 0.5,
      velocity: { vmax: 1e16 },
      initial: { rho: { type: 'gaussian', mass: 2, width: 0.4, background: 0.3 } },
    };
    const res = await limitStudy(be, {
      kinetic: base,
      epsilons: [1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-6],
      tEnd: 0.5,
      dt: 0.05,
    });
    for (const row of res.rows) {
      expect(Number.isFinite(row.l1)).toBe(true);
      expect(row.maxRho).toBeLessThan(2); // no growth: initial max ≈ 2.3 decays
    }
    const errs = res.rows.map((r) => r.relL1);
    for (let i = 1; i < errs.length; i++) expect(errs[i]).toBeLessThan(errs[i - 1]);
    // What remains at ε = 1e-6 is the O(dt) error of backward Euler against the ETDRK4 reference.
    expect(errs.at(-1)!).toBeLessThan(2e-2);
  });

  it('conserves mass to 1e-10 with turning, a chemical and a kernel with ∫a ≠ 0 (R = 0)', async () => {
    const m = new Kinetic(be, {
      grid: { n: [32] },
      gamma: 0.5,
      eps: 0.05,
      chemical: { D: 1, beta: 1, mu: 0.5 },
      turning: {
        kernel: {
          a: (v) => [v[0] / (1 + v[0] ** 2) ** 2 + 0.2 / (1 + v[0] ** 2)],
          b: (v) => 1 / (1 + 0.1 * v[0] ** 2),
          c: (S) => 1 / (1 + S),
        },
        flux: { type: 'limited', ystar: 0.5 },
      },
      initial: { rho: { type: 'gaussian', mass: 3, width: 0.5, background: 0.2 }, S: (x) => Math.cos(x) + 1 },
    });
    const r = await m.solve({ tEnd: 1, dt: 0.01 });
    const m0 = r.diagnostics[0].mass;
    for (const d of r.diagnostics) expect(Math.abs(d.mass - m0) / m0).toBeLessThan(1e-10);
  });

  it('keeps f ≥ 0 for homogeneous data (the implicit relaxation is a convex combination) and follows logistic growth', async () => {
    const rho0 = 0.1,
      r = 1;
    const m = new Kinetic(be, {
      grid: { n: [8] },
      gamma: 0.5,
      eps: 1e-3,
      growth: { type: 'logistic', r },
      velocity: { perDecade: 4, vmin: 1e-4, vmax: 1e10 },
      initial: { rho: rho0 },
    });
    const res = await m.solve({
      tEnd: 2,
      dt: 0.01,
      observers: [
        (_, k) => {
          for (let j = 0; j < k.velocity.size; j += 7)
            expect(Math.min(...k.distribution(j))).toBeGreaterThanOrEqual(0);
        },
      ],
    });
    const t = 2,
      e = Math.exp(r * t),
      exact = (rho0 * e) / (1 - rho0 + rho0 * e);
    expect(Math.abs(res.diagnostics.at(-1)!.maxRho - exact) / exact).toBeLessThan(2e-2); // first order in dt
  });

  it('resumes from a checkpoint bit for bit', async () => {
    const o: KineticOptions = {
      grid: { n: [32] },
      gamma: 0.4,
      eps: 0.01,
      chemical: { D: 1 },
      turning: { kernel: { a: (v) => [v[0] / (1 + v[0] ** 2) ** 2] } },
      growth: { type: 'logistic', r: 0.5 },
      velocity: { perDecade: 4, vmin: 1e-4, vmax: 1e10 },
      initial: { rho: modes },
    };
    const whole = new Kinetic(be, o);
    await whole.solve({ tEnd: 0.3, dt: 0.01 });
    const a = new Kinetic(be, o);
    await a.solve({ tEnd: 0.3, dt: 0.01, maxSteps: 13 });
    const b = new Kinetic(be, o);
    b.restore(structuredClone(a.checkpoint()));
    await b.solve({ tEnd: 0.3, dt: 0.01 });
    expect(b.time).toBe(whole.time);
    expect(Array.from(b.density())).toEqual(Array.from(whole.density()));
    expect(Array.from(b.signal()!)).toEqual(Array.from(whole.signal()!));
  });
});

describe.each(backends)('the kinetic model on the shared Integrator ($kind)', (be) => {
  const o: KineticOptions = {
    grid: { n: [32] },
    gamma: 0.5,
    eps: 0.05,
    chemical: { D: 1, mu: 0.5 },
    turning: { kernel: { a: (v) => [v[0] / (1 + v[0] ** 2) ** 2] } },
    velocity: { perDecade: 4, vmin: 1e-4, vmax: 1e10 },
    initial: { rho: modes },
    scheme: 'bdf2',
  };
  it('adaptive steps (step doubling over the SBDF2 state, history included) meet their tolerance', async () => {
    const ref = new Kinetic(be, o);
    await ref.solve({ tEnd: 0.5, dt: 2e-4 });
    const m = new Kinetic(be, o);
    const r = await m.solve({ tEnd: 0.5, dt: 0.05, adaptive: { rtol: 1e-6, atol: 1e-9 } });
    expect(r.status).toBe('done');
    expect(m.time).toBe(0.5);
    const a = m.density(),
      b = ref.density();
    const err = Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / Math.max(...b);
    expect(err).toBeLessThan(1e-4);
    expect(r.steps).toBeLessThan(250); // fewer than the reference's 2500
    ref.dispose();
    m.dispose();
  });
  it('lands on the requested times and refuses a scheme other than its own, naming it', async () => {
    const m = new Kinetic(be, o);
    const seen: number[] = [];
    await m.solve({ tEnd: 0.1, dt: 0.03, landAt: [0.05], observers: [(d) => void seen.push(d.t)] });
    expect(seen).toContain(0.05);
    expect(seen.at(-1)).toBe(0.1);
    await expect(m.solve({ tEnd: 0.2, dt: 0.01, scheme: 'euler' })).rejects.toThrow(/scheme.*'bdf2'/);
    m.dispose();
  });
});

describe('kinetic bad input names the field', () => {
  const be = backends[0];
  const ok: KineticOptions = { grid: { n: [16] }, gamma: 0.5, eps: 0.01, initial: { rho: 1 } };
  it.each([
    [{ gamma: 1.2 }, /velocity.gamma: got 1.2; expected a finite number in \(0, 1\)/],
    [{ eps: 0 }, /eps: got 0; expected a finite number in \(0, 1\]/],
    [
      { eps: 1e-4, velocity: { vmax: 1e6 } },
      /velocity.vmax: got 1000000; expected at least .*too coarse for eps = 0.0001/,
    ],
    [
      { collision: { type: 'generalised', beta: 0.7 } },
      /beta: got 0.7; expected a finite number in \[0, 0.5\)/,
    ],
    [{ turning: { kernel: { a: () => [1] } } }, /turning: .* expected a chemical field/],
    [
      { chemical: { D: 1 }, turning: { kernel: { a: (v: number[]) => [v[0] > 10 ? NaN : 0] } } },
      /turning.kernel.a\(.*\)\[0\]: got NaN/,
    ],
    [
      { velocity: { equilibrium: { type: 'custom', F: () => 0.1, K0: 0.1 } } },
      /velocity.equilibrium: .* declared tail/,
    ],
  ])('%j', (patch, message) => {
    expect(() => new Kinetic(be, { ...ok, ...patch } as KineticOptions)).toThrow(ValidationError);
    expect(() => new Kinetic(be, { ...ok, ...patch } as KineticOptions)).toThrow(message);
  });
  it('NaN from the sensitivity c(S) during a run stops with a NumericalError naming it', async () => {
    const m = new Kinetic(be, {
      ...ok,
      chemical: { D: 1 },
      turning: { kernel: { a: (v) => [v[0] / (1 + v[0] ** 2) ** 2], c: (S) => (S > 0.5 ? NaN : 1) } },
      initial: { rho: 1, S: (x) => Math.cos(x) },
    });
    await expect(m.solve({ tEnd: 1, dt: 0.01 })).rejects.toThrow(NumericalError);
  });
});

describe('the measured ε → 0 limit with chemotaxis (the limit-study example)', () => {
  it.each([0.5, 0.3])(
    'γ = %s: ‖ρ_ε − ρ‖_L1 decreases monotonically for ε = 1e-1, 1e-2, 1e-3',
    async (gamma) => {
      const { rows } = await limitStudy(backends[0], {
        ...limitStudyScenario(gamma),
        epsilons: [1e-1, 1e-2, 1e-3],
      });
      console.log(`γ = ${gamma}: ` + rows.map((r) => `ε=${r.eps}: ${r.relL1.toExponential(3)}`).join(', '));
      for (let i = 1; i < rows.length; i++) expect(rows[i].relL1).toBeLessThan(rows[i - 1].relL1);
      expect(rows.at(-1)!.relL1).toBeLessThan(0.05);
    },
  );
});

describe('2-D kinetic model (2-D x, polar velocity grid)', () => {
  it('conserves mass with turning and decays modes at the 2-D symbol σ_ε(|k|), isotropically', async () => {
    const be = backends[0];
    const m = new Kinetic(be, {
      grid: { n: [16, 16] },
      gamma: 0.5,
      eps: 1e-2,
      velocity: { vmax: 1e10 },
      chemical: { D: 1, mu: 1 },
      turning: {
        kernel: {
          a: (v) => [v[0] / (1 + v[0] ** 2 + v[1] ** 2) ** 2.5, v[1] / (1 + v[0] ** 2 + v[1] ** 2) ** 2.5],
        },
      },
      initial: {
        rho: (x, y) => 1 + 0.2 * Math.cos(x) + 0.2 * Math.cos(y) + 0.1 * Math.cos(x + y),
        S: (x, y) => Math.sin(x) * Math.cos(y),
      },
    });
    const r = await m.solve({ tEnd: 0.3, dt: 0.01 });
    for (const d of r.diagnostics)
      expect(Math.abs(d.mass - r.diagnostics[0].mass) / r.diagnostics[0].mass).toBeLessThan(1e-10);
    // Without turning: decay rates of modes (1,0), (0,1), (1,1).
    const p = new Kinetic(be, {
      grid: { n: [16, 16] },
      gamma: 0.5,
      eps: 1e-2,
      velocity: { vmax: 1e10 },
      initial: { rho: (x, y) => 1 + 0.2 * Math.cos(x) + 0.2 * Math.cos(y) + 0.1 * Math.cos(x + y) },
    });
    const [r10, r01, r11] = await decayRates(p, [
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(Math.abs(r10 - r01) / r10).toBeLessThan(1e-12);
    expect(Math.abs(r10 - p.velocity.sigma(1e-2, 1)) / r10).toBeLessThan(2e-2);
    expect(Math.abs(r11 - p.velocity.sigma(1e-2, Math.SQRT2)) / r11).toBeLessThan(2e-2);
  });
});

describe.each(backends)('kinetic numerical failure on the $kind backend', (be) => {
  it.each(['euler', 'bdf2'] as const)(
    "%s: a step that turns non-finite ends 'unstable' with the last good state kept, never NaN",
    async (scheme) => {
      const m = new Kinetic(be, {
        grid: { n: [16] },
        gamma: 0.5,
        eps: 0.1,
        chemical: { D: 1 },
        growth: { type: 'logistic', r: 1e6 },
        scheme,
        velocity: { perDecade: 4, vmin: 1e-4, vmax: 1e10 },
        initial: { rho: (x) => 1 + 0.5 * Math.cos(x) },
      });
      let last: { t: number; rho: number[] } = { t: 0, rho: Array.from(m.density()) };
      const r = await m.solve({
        tEnd: 1,
        dt: 0.1,
        maxDensity: Infinity,
        // Negative density comes first (under-resolved): go on to the non-finite step itself.
        resolution: { action: 'warn' },
        observers: [
          (d, model) => {
            last = { t: d.t, rho: Array.from(model.density()) };
          },
        ],
      });
      expect(r.status).toBe('unstable');
      expect(r.reason).toMatch(/non-finite values at t = .*\(last good state: t = .*max density/);
      expect(m.time).toBe(last.t);
      expect(Array.from(m.density())).toEqual(last.rho);
      expect(m.checkpoint().state.every((s) => s.every(Number.isFinite))).toBe(true);
    },
  );

  it('a user function returning NaN midway stops with a NumericalError and the model keeps the state from before that step', async () => {
    const m = new Kinetic(be, {
      grid: { n: [16] },
      gamma: 0.5,
      eps: 0.1,
      chemical: { D: 1, beta: 5 },
      velocity: { perDecade: 4, vmin: 1e-4, vmax: 1e10 },
      turning: { kernel: { a: (v) => [v[0] / (1 + v[0] ** 2) ** 2], c: (S) => (S > 0.3 ? NaN : 1) } },
      initial: { rho: 1, S: 0 },
    });
    let last: { t: number; rho: number[] } = { t: 0, rho: Array.from(m.density()) };
    await expect(
      m.solve({
        tEnd: 1,
        dt: 0.01,
        observers: [
          (d, model) => {
            last = { t: d.t, rho: Array.from(model.density()) };
          },
        ],
      }),
    ).rejects.toThrow(/turning.kernel.c\(S\) returned NaN/);
    expect(last.t).toBeGreaterThan(0);
    expect(m.time).toBe(last.t);
    expect(Array.from(m.density())).toEqual(last.rho);
  });
});

describe.each(backends)('kinetic IMEX-BDF2 on the $kind backend', (be) => {
  const opts = (eps: number, scheme: 'euler' | 'bdf2'): KineticOptions => ({
    grid: { n: [32] },
    gamma: 0.5,
    eps,
    scheme,
    velocity: { perDecade: 4, vmin: 1e-4, vmax: 1e10 },
    chemical: { D: 1, mu: 1 },
    turning: { kernel: { a: (v) => [(2 * v[0]) / (1 + v[0] ** 2) ** 2] } },
    growth: { type: 'logistic', r: 1 },
    initial: { rho: (x) => 0.5 + 0.3 * Math.cos(x) + 0.1 * Math.sin(2 * x), S: (x) => 0.3 * Math.cos(x) },
  });
  const density = async (o: KineticOptions, dt: number) => {
    const m = new Kinetic(be, o);
    await m.solve({ tEnd: 0.5, dt });
    return m.density();
  };
  it.each([[1e-1], [1e-4]])(
    'ε = %s: observed order 2 for bdf2 and 1 for euler (uniform in ε: asymptotic preserving)',
    async (eps) => {
      for (const [scheme, order] of [
        ['bdf2', 2],
        ['euler', 1],
      ] as const) {
        const ref = await density(opts(eps, scheme), 0.05 / 128);
        const errs: number[] = [];
        for (const dt of [0.05, 0.025, 0.0125]) errs.push(relErr(await density(opts(eps, scheme), dt), ref));
        for (let i = 1; i < errs.length; i++)
          expect(Math.abs(Math.log2(errs[i - 1] / errs[i]) - order), `${scheme}: ${errs}`).toBeLessThan(0.2);
      }
    },
  );
  it('conserves mass to 1e-10 and resumes bit for bit (the history is in the checkpoint)', async () => {
    const o = { ...opts(1e-2, 'bdf2'), growth: undefined };
    const whole = new Kinetic(be, o);
    const r = await whole.solve({ tEnd: 0.3, dt: 0.01 });
    for (const d of r.diagnostics)
      expect(Math.abs(d.mass - r.diagnostics[0].mass) / r.diagnostics[0].mass).toBeLessThan(1e-10);
    const a = new Kinetic(be, opts(1e-2, 'bdf2')),
      w = new Kinetic(be, opts(1e-2, 'bdf2'));
    await w.solve({ tEnd: 0.3, dt: 0.01 });
    await a.solve({ tEnd: 0.3, dt: 0.01, maxSteps: 11 });
    const b = new Kinetic(be, opts(1e-2, 'bdf2'));
    b.restore(structuredClone(a.checkpoint()));
    await b.solve({ tEnd: 0.3, dt: 0.01 });
    expect(Array.from(b.density())).toEqual(Array.from(w.density()));
    expect(Array.from(b.signal()!)).toEqual(Array.from(w.signal()!));
  });
});
