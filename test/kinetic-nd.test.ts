// The kinetic model in 2-D and 3-D: direction sets against the exact kinetic decay rate, isotropy,
// mass, the generalised operator, rank-M turning kernels, refusals, and the limit study's rate.
import { describe, expect, it } from 'vitest';
import { Kinetic, type KineticOptions } from '../src/models/kinetic/model.js';
import { limitStudy, limitStudyScenario } from '../src/studies/limit.js';
import { generalisedDiffusion, generalisedOrder, sensitivityFromSeparable } from '../src/coefficients.js';
import { smoothEquilibriumConstant } from '../src/velocity.js';
import { ValidationError } from '../src/errors.js';
import { turningKernel } from '../src/laws.js';
import { backends, decayRates, slope } from './helpers.js';

/**
 * The exact decay rate λ_ε of the Fourier mode k of the relaxation model, from the 1-D dispersion
 * relation (the 1-D marginal of the N-D Student law is the 1-D Student law with the same γ):
 * ∫ F1(u) (b² − zδ)/(z² + b²) du = 0, b = εku, z = 1 − δ, λ = δ/ε^{1+γ}, with F1 = c_{1,γ}(1+u²)^{−(γ+2)/2}.
 * Independent of the library's velocity grids: double-exponential quadrature u = exp(π/2 sinh t).
 */
function exactRate(gamma: number, eps: number, k: number): number {
  const c = smoothEquilibriumConstant(1, gamma),
    p = (gamma + 2) / 2,
    h = 1 / 128;
  const G = (d: number) => {
    const z = 1 - d;
    let s = 0;
    for (let t = -4.5; t <= 4.5; t += h) {
      const u = Math.exp((Math.PI / 2) * Math.sinh(t)),
        du = u * (Math.PI / 2) * Math.cosh(t),
        b = eps * k * u;
      s += 2 * c * Math.pow(1 + u * u, -p) * ((b * b - z * d) / (z * z + b * b)) * du;
    }
    return s * h;
  };
  let lo = 0,
    hi = 0.5;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (G(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2 / Math.pow(eps, 1 + gamma);
}

const modes2 = (x: number, y: number) => 1 + 0.1 * Math.cos(x) + 0.1 * Math.cos(y) + 0.1 * Math.cos(x + y);
const modes3 = (x: number, y: number, z: number) =>
  1 + 0.1 * Math.cos(x) + 0.1 * Math.cos(y) + 0.1 * Math.cos(x + y + z);

/**
 * One direction set chosen for `tol` on a 4² or 4³ box: the decay rates of the modes along x, along
 * y and along the diagonal against λ_ε. Asserts the x ↔ y symmetry of the set (the two axes agree
 * to round-off) and isotropy and accuracy to the tolerance (axis and diagonal within tol); returns
 * the larger of the two errors.
 */
async function directionSetError(dim: 2 | 3, eps: number, tol: number): Promise<number> {
  const m = new Kinetic(backends[0], {
    grid: { n: dim === 2 ? [4, 4] : [4, 4, 4] },
    gamma: 0.5,
    eps,
    directionTolerance: tol,
    tailTolerance: 1e-9,
    initial: { rho: dim === 2 ? modes2 : modes3 },
  });
  const axes =
    dim === 2
      ? [
          [1, 0],
          [0, 1],
          [1, 1],
        ]
      : [
          [1, 0, 0],
          [0, 1, 0],
          [1, 1, 1],
        ];
  const [rx, ry, rd] = await decayRates(m, axes);
  const ea = Math.abs(rx / exactRate(0.5, eps, 1) - 1),
    ed = Math.abs(rd / exactRate(0.5, eps, Math.sqrt(dim)) - 1);
  console.log(
    `${dim}-D ε = ${eps}, directionTolerance ${tol}: ${m.velocity.size} velocities (M = ${m.velocity.directions}); |μ/λ_ε − 1| = ${ea.toExponential(2)} (axis), ${ed.toExponential(2)} (diagonal)`,
  );
  expect(Math.abs(rx - ry) / rx).toBeLessThan(1e-12);
  expect(ea).toBeLessThan(tol);
  expect(ed).toBeLessThan(tol);
  m.dispose();
  return Math.max(ea, ed);
}

describe('2-D kinetic decay rates against the exact 1-D kinetic rate λ_ε (Student equilibrium, γ = 0.5)', () => {
  it.each([1e-2, 1e-4])(
    'ε = %s: refining directionTolerance 1e-3 → 1e-5 → 1e-7 brings every mode to λ_ε (finally within 1e-6), isotropically',
    async (eps) => {
      const errors: number[] = [];
      for (const tol of [1e-3, 1e-5, 1e-7]) errors.push(await directionSetError(2, eps, tol));
      expect(errors[1]).toBeLessThan(errors[0] / 10);
      expect(errors[2]).toBeLessThan(1e-6);
    },
  );
});

describe('3-D kinetic decay rates against the exact 1-D kinetic rate λ_ε (γ = 0.5)', () => {
  it.each([1e-2, 1e-4])(
    'ε = %s: on a 4³ box, tolerance 1e-3 and 1e-4 bound the axis and diagonal rates (isotropy)',
    async (eps) => {
      const errors: number[] = [];
      for (const tol of [1e-3, 1e-4]) errors.push(await directionSetError(3, eps, tol));
      expect(errors[1]).toBeLessThan(errors[0] / 4);
    },
  );

  it.each([1e-2, 1e-4])(
    'ε = %s: the mode k = (1, 0, 0) reaches λ_ε within 1e-6 at directionTolerance 5e-7',
    async (eps) => {
      const m = new Kinetic(backends[0], {
        grid: { n: [4, 2, 2] },
        gamma: 0.5,
        eps,
        directionTolerance: 5e-7,
        tailTolerance: 1e-8,
        initial: { rho: (x) => 1 + 0.1 * Math.cos(x) },
      });
      const [r] = await decayRates(m, [[1, 0, 0]]);
      const e = Math.abs(r / exactRate(0.5, eps, 1) - 1);
      console.log(
        `3-D ε = ${eps}, directionTolerance 5e-7: ${m.velocity.size} velocities (M = ${m.velocity.directions}); |μ/λ_ε − 1| = ${e.toExponential(2)}`,
      );
      expect(e).toBeLessThan(1e-6);
      m.dispose();
    },
    120_000,
  );
});

describe.each(backends)('the 2-D/3-D kinetic model on the $kind backend', (be) => {
  const rankTwo: KineticOptions['turning'] = {
    kernel: [
      { a: (v) => v.map((x) => x / (1 + v.reduce((s, y) => s + y * y, 0)) ** 2.5) },
      {
        a: (v) => v.map((x) => (0.5 * x) / (1 + v.reduce((s, y) => s + y * y, 0)) ** 3),
        b: (v) => 1 / (1 + 0.1 * v[0] * v[0]),
        c: (S) => 1 / (1 + S * S),
      },
    ],
  };
  it.each([
    [[16, 16], 'euler'],
    [[8, 8, 8], 'bdf2'],
  ] as const)(
    '%j %s: mass is conserved to 1e-12 with chemotaxis by a rank-2 turning kernel',
    async (n, scheme) => {
      const m = new Kinetic(be, {
        grid: { n: [...n] },
        gamma: 0.5,
        eps: 1e-2,
        scheme,
        chemical: { D: 1, mu: 1 },
        turning: rankTwo,
        initial: {
          rho: (x, y) => 1 + 0.3 * Math.cos(x) * Math.sin(y),
          S: (x, y, z = 0) => Math.sin(x) * Math.cos(y) + 0.5 * Math.cos(z),
        },
      });
      const r = await m.solve({ tEnd: 0.05, dt: 0.01 });
      expect(r.status).toBe('done');
      for (const d of r.diagnostics)
        expect(Math.abs(d.mass - r.diagnostics[0].mass) / r.diagnostics[0].mass).toBeLessThan(1e-12);
      m.dispose();
    },
  );

  it('a 3-D BDF2 run with a rank-2 kernel resumes from a checkpoint bit for bit; another velocity resolution is refused', async () => {
    const o: KineticOptions = {
      grid: { n: [4, 4, 4] },
      gamma: 0.5,
      eps: 0.1,
      scheme: 'bdf2',
      chemical: { D: 1, mu: 1 },
      turning: rankTwo,
      growth: { type: 'logistic', r: 0.5 },
      initial: { rho: (x, y, z) => 1 + 0.3 * Math.cos(x) * Math.sin(y + z), S: (x) => Math.sin(x) },
    };
    const whole = new Kinetic(be, o);
    await whole.solve({ tEnd: 0.05, dt: 0.01 });
    const a = new Kinetic(be, o);
    await a.solve({ tEnd: 0.05, dt: 0.01, maxSteps: 2 });
    const b = new Kinetic(be, o);
    b.restore(structuredClone(a.checkpoint()));
    await b.solve({ tEnd: 0.05, dt: 0.01 });
    expect(b.time).toBe(whole.time);
    expect(Array.from(b.density())).toEqual(Array.from(whole.density()));
    expect(Array.from(b.signal()!)).toEqual(Array.from(whole.signal()!));
    const other = new Kinetic(be, { ...o, directionTolerance: 1e-4 });
    expect(() => other.restore(a.checkpoint())).toThrow(/another|different|belongs/i);
    for (const m of [whole, a, b, other]) m.dispose();
  });

  it('a kernel split into two separable terms gives the single-term result (to round-off) and the same limit χ', async () => {
    const g = (v: readonly number[]) => 1 / (1 + v.reduce((s, y) => s + y * y, 0)) ** 2.5;
    const base: Omit<KineticOptions, 'turning'> = {
      grid: { n: [16, 16] },
      gamma: 0.5,
      eps: 3e-2,
      chemical: { D: 1, mu: 1 },
      initial: { rho: (x, y) => 1 + 0.3 * Math.cos(x + y), S: (x, y) => Math.sin(x) + Math.cos(2 * y) },
    };
    const one = new Kinetic(be, { ...base, turning: { kernel: { a: (v) => v.map((x) => 1.5 * x * g(v)) } } });
    const two = new Kinetic(be, {
      ...base,
      turning: {
        kernel: [{ a: (v) => v.map((x) => x * g(v)) }, { a: (v) => v.map((x) => 0.5 * x * g(v)) }],
      },
    });
    for (const m of [one, two]) await m.solve({ tEnd: 0.1, dt: 0.01 });
    const a = one.density(),
      b = two.density();
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    expect(d).toBeLessThan(1e-12);
    const chiOne = one.limit().chi as number[][],
      chiTwo = two.limit().chi as number[][];
    expect(Math.abs(chiTwo[0][0] / chiOne[0][0] - 1)).toBeLessThan(1e-13);
    expect(Math.abs(chiOne[0][1])).toBeLessThan(1e-12 * chiOne[0][0]);
    one.dispose();
    two.dispose();
  });
});

describe('the generalised collision operator in 2-D', () => {
  it.each([0.1, 0.2])(
    'β = %s: decay exponent r = 1 + γ/(1−β) within 0.05 and μ(1) → D of the closed form',
    async (beta) => {
      const gamma = 0.5,
        r = generalisedOrder(gamma, beta);
      const m = new Kinetic(backends[0], {
        grid: { n: [16, 16] },
        gamma,
        eps: 1e-5,
        collision: { type: 'generalised', beta, nu0: 1 },
        initial: { rho: (x) => 1 + 0.1 * Math.cos(x) + 0.1 * Math.cos(2 * x) + 0.1 * Math.cos(4 * x) },
      });
      const ks = [1, 2, 4];
      const mu = await decayRates(
        m,
        ks.map((k) => [k, 0]),
      );
      const D = generalisedDiffusion(2, gamma, beta, m.velocity.K0, 1);
      console.log(
        `2-D β = ${beta}: r = ${r.toFixed(4)}, measured exponent ${slope(ks, mu).toFixed(4)}, μ(1)/D = ${(mu[0] / D).toFixed(4)}, ${m.velocity.size} velocities`,
      );
      expect(Math.abs(slope(ks, mu) - r)).toBeLessThan(0.05);
      expect(Math.abs(mu[0] / D - 1)).toBeLessThan(0.03);
      const lim = m.limit();
      expect(lim.alpha).toBeCloseTo(r, 14);
      expect(lim.diffusion).toBe(D);
      m.dispose();
    },
  );

  it('with chemotaxis its limit has χ = ∫ v ⊗ a/ν dv (the 1/ν weight), and ρ_ε approaches that limit as ε → 0', async () => {
    const be = backends[0];
    const col = { type: 'generalised' as const, beta: 0.2, nu0: 1 };
    const scenario = limitStudyScenario(0.5, 1);
    const kinetic = { ...scenario.kinetic, grid: { n: [64] }, collision: col, velocity: { vmax: 1e16 } };
    const m = new Kinetic(be, { ...kinetic, eps: 1e-2 });
    const chi = m.limit().chi as number;
    const kernel = turningKernel(Math.PI / 2);
    const direct = sensitivityFromSeparable(kernel, m.velocity, 0, m.nu)[0];
    const relaxation = sensitivityFromSeparable(kernel, m.velocity)[0];
    expect(chi).toBe(direct);
    // ν ≥ 1 grows with |v|: the generalised χ is smaller than the relaxation one.
    expect(chi).toBeLessThan(relaxation);
    m.dispose();
    const { rows } = await limitStudy(be, { ...scenario, kinetic, epsilons: [1e-1, 1e-2, 1e-3] });
    console.log(
      'generalised β = 0.2 with chemotaxis: ' +
        rows.map((r) => `ε=${r.eps}: ${r.relL1.toExponential(3)}`).join(', '),
    );
    for (let i = 1; i < rows.length; i++) expect(rows[i].relL1).toBeLessThan(rows[i - 1].relL1);
    expect(rows.at(-1)!.relL1).toBeLessThan(0.05);
  });
});

describe('the 2-D limit study with chemotaxis', () => {
  it('‖ρ_ε − ρ‖_L1 falls like ε^{1−γ} (γ = 0.5): observed rate within ±0.1 over ε = 1e-1 … 1e-3', async () => {
    const epsilons = [1e-1, 1e-2, 1e-3];
    const { rows } = await limitStudy(backends[0], { ...limitStudyScenario(0.5, 2), epsilons });
    const rate = slope(
      epsilons,
      rows.map((r) => r.relL1),
    );
    console.log(
      '2-D γ = 0.5: ' +
        rows.map((r) => `ε=${r.eps}: ${r.relL1.toExponential(3)}`).join(', ') +
        `; rate ${rate.toFixed(3)}`,
    );
    expect(Math.abs(rate - 0.5)).toBeLessThan(0.1);
  }, 120_000);
});

describe('2-D/3-D kinetic bad input names the field and what is needed', () => {
  const be = backends[0];
  it('a direction set too coarse for ε is refused with the number of directions needed', () => {
    const o: KineticOptions = {
      grid: { n: [32, 32] },
      gamma: 0.5,
      eps: 1e-2,
      velocity: { directions: 8 },
      initial: { rho: 1 },
    };
    const err = (() => {
      try {
        new Kinetic(be, o);
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('not refused');
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.field).toBe('velocity.directions');
    const need = Number(/at least (\d+)/.exec(err.message)![1]);
    expect(need).toBeGreaterThan(8);
    // The number it names is enough.
    const m = new Kinetic(be, { ...o, velocity: { directions: need } });
    expect(m.velocity.directions).toBe(need);
    m.dispose();
  });
  it('a direction count that is not a multiple of 4, an unreachable tolerance, a bad rank-M term', () => {
    const base: KineticOptions = { grid: { n: [8, 8, 8] }, gamma: 0.5, eps: 0.1, initial: { rho: 1 } };
    expect(() => new Kinetic(be, { ...base, velocity: { directions: 30 } })).toThrow(
      /velocity.directions.*multiple of 4/,
    );
    expect(() => new Kinetic(be, { ...base, directionTolerance: 0 })).toThrow(/directionTolerance/);
    expect(
      () =>
        new Kinetic(be, {
          ...base,
          chemical: { D: 1 },
          turning: { kernel: [{ a: (v) => v }, { a: 3 as unknown as () => number[] }] },
        }),
    ).toThrow(/turning\.kernel\[1\]\.a/);
  });
  it('a 3-D configuration that cannot fit is refused before anything is allocated, with its figure', () => {
    expect(
      () =>
        new Kinetic(be, {
          grid: { n: [64, 64, 64] },
          gamma: 0.5,
          eps: 1e-2,
          directionTolerance: 1e-5,
          initial: { rho: 1 },
        }),
    ).toThrow(/velocities.*needs .* but only/);
  });
});
