// Property-based fuzzing of the scenario and options space (fast-check, fixed seed, bounded sizes
// and a time budget; FUZZ_RUNS=5000 for a longer run). Every input must end in a ValidationError
// that names a field, or in a run whose status is one of the documented ones with a finite state:
// never a raw TypeError/RangeError, a hang or a NaN.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValidationError, NumericalError, MemoryLimitError } from '../src/errors.js';
import { buildModel, validateScenario, type Scenario } from '../src/scenario/validate.js';
import { KellerSegel, type KellerSegelOptions } from '../src/models/keller-segel/model.js';
import { backends } from './helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const STATUSES = ['done', 'blow-up', 'under-resolved', 'unstable', 'step-too-small', 'stopped', 'aborted'];

/** Numbers users really type, and the ones that break code: edges, non-finite values, wrong types. */
const anyNumber = fc.oneof(
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.integer({ min: -3, max: 40 }),
  fc.constantFrom(0, 1, 0.5, 2, -1, 1e-300, 5e-324, 1e300, 1e308, Infinity, -Infinity, NaN),
  fc.constantFrom(null, '1', undefined, true, [], {}),
) as fc.Arbitrary<unknown>;
/** A valid scenario (small grids), then 0–2 mutations that put an arbitrary value at an arbitrary path. */
const pow2 = fc.constantFrom(2, 4, 8, 16);
const validModel = fc.oneof(
  fc.record({
    type: fc.constant('keller-segel'),
    grid: fc.oneof(
      fc.tuple(pow2).map((n) => ({ n })),
      fc.tuple(pow2, pow2).map((n) => ({ n, L: [5, 5] })),
      fc.tuple(fc.constantFrom(2, 4), fc.constantFrom(2, 4), fc.constantFrom(2, 4)).map((n) => ({ n })),
    ),
    alpha: fc.double({ min: 0.05, max: 2, noNaN: true }),
    discretisation: fc.constantFrom('finite-volume', 'spectral'),
    chemical: fc.oneof(
      fc.record({ type: fc.constant('parabolic'), D: fc.constantFrom(0.5, 1), mu: fc.constantFrom(0, 1) }),
      fc.record({ type: fc.constant('elliptic'), mu: fc.constantFrom(0, 1, 10) }),
    ),
    chi: fc.oneof(
      fc.double({ min: -5, max: 30, noNaN: true }),
      fc.record({ type: fc.constant('receptor'), chi0: fc.constantFrom(1, 5), K: fc.constantFrom(0.1, 1) }),
    ),
    growth: fc.constantFrom(
      { type: 'none' },
      { type: 'logistic', r: 1 },
      { type: 'nonlocal', a0: 1, a1: 0.5, a2: 0.1 },
    ),
    flux: fc.constantFrom({ type: 'linear' }, { type: 'limited', ystar: 0.5 }),
    initial: fc.record({
      rho: fc.oneof(
        fc.constant({ type: 'constant', value: 1, noise: 0.1 }),
        fc.constant({ type: 'gaussian', mass: 20, width: 0.3, background: 0.1 }),
        fc.constant(0),
        fc.constant(2),
      ),
    }),
  }),
  fc.record({
    type: fc.constant('kinetic'),
    grid: fc.tuple(fc.constantFrom(4, 8, 16)).map((n) => ({ n })),
    gamma: fc.constantFrom(0.3, 0.5, 0.7),
    eps: fc.constantFrom(1, 0.1, 0.01),
    scheme: fc.constantFrom('euler', 'bdf2'),
    chemical: fc.constant({ D: 1 }),
    turning: fc.record({ chi: fc.constantFrom(0, 1, 3) }),
    initial: fc.constant({ rho: { type: 'gaussian', mass: 2, width: 0.5, background: 0.2 } }),
  }),
);
const validRun = fc.record({
  tEnd: fc.constantFrom(0.01, 0.1, 1, 100),
  dt: fc.constantFrom(1e-3, 0.01, 0.1, 1),
  snapshots: fc.constantFrom(1, 3),
});
const PATHS = [
  'model.type',
  'model.grid.n',
  'model.grid.n.0',
  'model.grid.L',
  'model.grid.L.0',
  'model.alpha',
  'model.gamma',
  'model.eps',
  'model.diffusion',
  'model.difusion',
  'model.discretisation',
  'model.cfl',
  'model.chemical',
  'model.chemical.type',
  'model.chemical.D',
  'model.chemical.mu',
  'model.chemical.beta',
  'model.chi',
  'model.chi.K',
  'model.growth.r',
  'model.growth.type',
  'model.flux.ystar',
  'model.initial.rho',
  'model.initial.rho.mass',
  'model.initial.rho.width',
  'model.initial.rho.noise',
  'model.initial.S',
  'model.velocity',
  'model.velocity.vmax',
  'model.scheme',
  'model.turning.chi',
  'run.tEnd',
  'run.dt',
  'run.maxDensity',
  'run.snapshots',
  'run.scheme',
  'run.adaptive',
  'run.adaptive.rtol',
  'run.resolution',
  'extra',
];
const mutation = fc.record({ path: fc.constantFrom(...PATHS), value: anyNumber });
const scenarios = fc
  .tuple(validModel, validRun, fc.array(mutation, { maxLength: 2 }))
  .map(([model, run, mutations]) => {
    const s = structuredClone({ model, run }) as Record<string, unknown>;
    for (const { path, value } of mutations) {
      const keys = path.split('.');
      let o = s as Record<string, unknown>;
      for (const k of keys.slice(0, -1)) {
        if (!o[k] || typeof o[k] !== 'object') o[k] = {};
        o = o[k] as Record<string, unknown>;
      }
      o[keys.at(-1)!] = value;
    }
    return s;
  });

/** Builds and runs (at most 40 steps, 2 s) whatever validates; returns what happened. */
async function exercise(input: unknown, be: (typeof backends)[number]): Promise<string> {
  let scenario: Scenario;
  try {
    scenario = validateScenario(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as Error).message).toMatch(/^[\w.$[\]()]+.*: got .*; expected /);
    return 'refused by schema';
  }
  let m: ReturnType<typeof buildModel>;
  try {
    m = buildModel(be, scenario);
  } catch (e) {
    expect([ValidationError, MemoryLimitError].some((c) => e instanceof c)).toBe(true);
    return 'refused by model';
  }
  try {
    const stop = AbortSignal.timeout(2000),
      r = scenario.run;
    const res =
      m instanceof KellerSegel
        ? await m.solve({
            tEnd: r.tEnd,
            dt: r.dt,
            scheme: r.scheme,
            adaptive: r.adaptive,
            maxDensity: r.maxDensity,
            maxSteps: 40,
            signal: stop,
          })
        : await m.solve({ tEnd: r.tEnd, dt: r.dt, maxDensity: r.maxDensity, maxSteps: 40, signal: stop });
    expect(STATUSES).toContain(res.status);
    expect(m.density().every(Number.isFinite)).toBe(true);
    return res.status;
  } catch (e) {
    expect([ValidationError, NumericalError].some((c) => e instanceof c)).toBe(true);
    return 'refused by solve';
  } finally {
    m.dispose();
  }
}

describe.each(backends)('fuzzing on the $kind backend', (be) => {
  it(`${RUNS} generated scenarios: a named refusal or a finite result, never a raw error`, async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(scenarios, async (input) => {
        const o = await exercise(input, be);
        outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      }),
      { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: 60_000 },
    );
    console.log(`${be.kind}: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  });

  it('library options: unknown fields get a "did you mean", non-finite numbers are refused by name', () => {
    const ok: KellerSegelOptions = {
      grid: { n: [8] },
      alpha: 1.5,
      chemical: { type: 'elliptic' },
      chi: 1,
      initial: { rho: 1 },
    };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ difusion: 2 }, /^difusion: got 2; expected no such option \(did you mean 'diffusion'\?\)/],
      [{ chemical: { type: 'elliptic', mue: 1 } }, /chemical\.mue: .*did you mean 'mu'/],
      [
        { initial: { rho: [1, 1, null, 1, 1, 1, 1, 1] } },
        /initial\.rho\[2\]: got null; expected a finite number/,
      ],
      [{ grid: { n: [8, 8], L: [1e308, 1e308] } }, /grid\.L: .*cell volume/],
      [{ chemical: { type: 'elliptic', mu: 5e-324 } }, /chemical: .*initial chemical S is finite/],
    ];
    for (const [patch, message] of cases)
      expect(() => new KellerSegel(be, { ...ok, ...patch } as KellerSegelOptions)).toThrow(message);
  });

  it('solve options: maxDensity NaN is refused; a zero density is a valid start', async () => {
    const m = new KellerSegel(be, {
      grid: { n: [8] },
      alpha: 1.5,
      chemical: { type: 'elliptic' },
      chi: 1,
      initial: { rho: 0 },
    });
    await expect(m.solve({ tEnd: 1, dt: 0.1, maxDensity: NaN })).rejects.toThrow(/maxDensity: got NaN/);
    expect((await m.solve({ tEnd: 1, dt: 0.1 })).status).toBe('done');
  });
});

describe('abort is honoured within a long step', () => {
  it('an abort 150 ms into a step of many CFL substeps returns within 0.5 s with the state from before the step', async () => {
    const [be] = backends;
    const m = new KellerSegel(be, {
      grid: { n: [256, 256] },
      alpha: 1.5,
      chemical: { type: 'elliptic' },
      chi: 30,
      initial: { rho: { type: 'gaussian', mass: 50, width: 0.3, background: 0.5 } },
    });
    const before = m.density();
    const stop = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      stop.abort('test');
    }, 150);
    const r = await m.solve({ tEnd: 10, dt: 10, signal: stop.signal, maxDensity: Infinity });
    expect(r.status).toBe('aborted');
    expect(performance.now() - abortedAt).toBeLessThan(500);
    expect(m.time).toBe(0);
    expect(Array.from(m.density())).toEqual(Array.from(before));
  });

  it.each(['spectral', 'finite-volume'] as const)(
    '%s, 512², adaptive: the event loop turns at least every 0.5 s during a run (Ctrl-C and pages stay live)',
    async (discretisation) => {
      const [be] = backends;
      const m = new KellerSegel(be, {
        grid: { n: [512, 512] },
        alpha: 1.5,
        chemical: { type: 'parabolic', D: 1 },
        chi: 1,
        discretisation,
        initial: { rho: { type: 'constant', value: 1, noise: 0.1 } },
      });
      let last = performance.now(),
        worst = 0;
      const timer = setInterval(() => {
        const t = performance.now();
        worst = Math.max(worst, t - last);
        last = t;
      }, 5);
      const stop = new AbortController();
      setTimeout(() => stop.abort('test'), 1500);
      const r = await m.solve({ tEnd: 10, dt: 1e-3, adaptive: true, signal: stop.signal });
      clearInterval(timer);
      expect(r.status).toBe('aborted');
      expect(worst).toBeLessThan(500);
      m.dispose();
    },
  );
});
