// Every registered stepper on a problem with an exact solution, on both backends: the observed
// order must be the scheme's order within ±0.2. A new scheme is a table entry plus a row here.
import { describe, expect, it } from 'vitest';
import type { Backend, Field } from '../src/backend/index.js';
import { EtdStepper, SCHEMES, type Scheme, type StiffProblem } from '../src/integrate/etd.js';
import { StrangStepper, type SplitProblem } from '../src/integrate/strang.js';
import type { Stepper } from '../src/integrate/run.js';
import { IMEX_SCHEMES, sbdf1, sbdf2 } from '../src/integrate/imex.js';
import { backends } from './helpers.js';

/**
 * Stiff + nonlinear, one real mode: u′ = λu + u² with λ = −1, u(0) = 0.5. Bernoulli:
 * u(t) = λ / ((λ/u0 + 1) e^{−λt} − 1).
 */
function bernoulli(be: Backend): { problem: StiffProblem; u0: number; exact: (t: number) => number } {
  const lambda = -1,
    u0 = 0.5;
  const problem: StiffProblem = {
    backend: be,
    linear: [Float64Array.of(lambda)],
    nonlinear: (_t, u, out) => {
      const a = u[0].data,
        o = out[0].data;
      o[0] = a[0] * a[0] - a[1] * a[1];
      o[1] = 2 * a[0] * a[1];
    },
  };
  return { problem, u0, exact: (t) => lambda / ((lambda / u0 + 1) * Math.exp(-lambda * t) - 1) };
}

/**
 * Split, non-commuting linear parts: u′ = A u + B u, A = diag(−1, −3) (exact flow), B = rotation
 * [[0, 1], [−1, 0]] advanced exactly too; the exact solution is e^{t(A+B)} u0. The only error is the
 * splitting's, second order for Strang.
 */
function rotation(be: Backend): {
  problem: SplitProblem;
  u0: [number, number];
  exact: (t: number) => [number, number];
} {
  const problem: SplitProblem = {
    backend: be,
    linearFlow: async (h, u, out) => {
      out[0].data[0] = Math.exp(-h) * u[0].data[0];
      out[0].data[1] = Math.exp(-3 * h) * u[0].data[1];
    },
    explicitFlow: async (_t, h, u, out) => {
      const [x, y] = u[0].data,
        c = Math.cos(h),
        s = Math.sin(h);
      out[0].data[0] = c * x + s * y;
      out[0].data[1] = -s * x + c * y;
    },
  };
  // e^{tM}, M = [[−1, 1], [−1, −3]]: double eigenvalue −2, M + 2I = N with N² = 0, so e^{tM} = e^{−2t}(I + tN).
  const exact = (t: number): [number, number] => {
    const e = Math.exp(-2 * t),
      [x, y] = [1, 0.5];
    return [e * (x + t * (x + y)), e * (y + t * (-x - y))];
  };
  return { problem, u0: [1, 0.5], exact };
}

async function errorAt(
  be: Backend,
  stepper: Stepper,
  u0: number[],
  T: number,
  n: number,
  exact: number[],
): Promise<number> {
  let u: Field[] = [be.fromArray('u', [...u0])],
    out: Field[] = [be.alloc(2)];
  for (let i = 0; i < n; i++) {
    await stepper.step(i * (T / n), T / n, u, out);
    [u, out] = [out, u];
  }
  return Math.hypot(u[0].data[0] - exact[0], u[0].data[1] - exact[1]);
}

describe.each(backends)('every registered stepper converges at its order ($kind)', (be) => {
  it.each(Object.keys(SCHEMES) as Scheme[])('%s (ETD table) on u′ = −u + u²', async (scheme) => {
    const { problem, u0, exact } = bernoulli(be);
    const stepper = new EtdStepper(problem, scheme);
    const T = 2,
      ns = scheme === 'etdrk4' ? [4, 8, 16] : [16, 32, 64];
    const errs: number[] = [];
    for (const n of ns) errs.push(await errorAt(be, stepper, [u0, 0], T, n, [exact(T), 0]));
    for (let i = 1; i < errs.length; i++)
      expect(
        Math.abs(Math.log2(errs[i - 1] / errs[i]) - SCHEMES[scheme].order),
        `errors ${errs}`,
      ).toBeLessThan(0.2);
  });

  it('strang (splitting) on u′ = (A + B)u with A, B not commuting', async () => {
    const { problem, u0, exact } = rotation(be);
    const stepper = new StrangStepper(problem, [be.alloc(2)]);
    const T = 1,
      errs: number[] = [];
    for (const n of [8, 16, 32]) errs.push(await errorAt(be, stepper, u0, T, n, exact(T)));
    for (let i = 1; i < errs.length; i++)
      expect(Math.abs(Math.log2(errs[i - 1] / errs[i]) - stepper.order), `errors ${errs}`).toBeLessThan(0.2);
  });

  it.each(Object.keys(IMEX_SCHEMES) as (keyof typeof IMEX_SCHEMES)[])(
    '%s (SBDF table, variable steps) on u′ = −u + u², −u implicit',
    (scheme) => {
      // Steps alternate between 0.7h and 1.3h, so the variable-step weights of SBDF2 are exercised.
      const lambda = -1,
        u0 = 0.5,
        T = 2;
      const exact = lambda / ((lambda / u0 + 1) * Math.exp(-lambda * T) - 1);
      const errs = [32, 64, 128].map((n) => {
        let u = u0,
          uPrev = 0,
          hPrev = 0;
        for (let i = 0; i < n; i++) {
          const h = (T / n) * (i === n - 1 && n % 2 === 1 ? 1 : i % 2 === 0 ? 0.7 : 1.3);
          const {
            a0,
            b: [b1, b2],
            c: [c1, c2],
          } = scheme === 'bdf2' && hPrev > 0 ? sbdf2(h / hPrev) : sbdf1();
          const next = (b1 * u + b2 * uPrev + h * (c1 * u * u + c2 * uPrev * uPrev)) / (a0 - h * lambda);
          [uPrev, u, hPrev] = [u, next, h];
        }
        return Math.abs(u - exact);
      });
      for (let i = 1; i < errs.length; i++)
        expect(
          Math.abs(Math.log2(errs[i - 1] / errs[i]) - IMEX_SCHEMES[scheme].order),
          `errors ${errs}`,
        ).toBeLessThan(0.2);
    },
  );
});
