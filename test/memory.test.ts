import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/backend/index.js';
import { MemoryLimitError, ValidationError } from '../src/errors.js';
import { KellerSegel, type KellerSegelOptions } from '../src/models/keller-segel/model.js';
import { Kinetic, type KineticOptions } from '../src/models/kinetic/model.js';
import { backends } from './helpers.js';

const aggregation = (n: number): KellerSegelOptions => ({
  grid: { n: [n, n] },
  alpha: 1.5,
  chemical: { type: 'elliptic', mu: 1 },
  chi: 2,
  initial: { rho: (x, y) => 1 + 0.2 * Math.cos(x) * Math.cos(y) },
});

/** max ρ after 20 steps of a small aggregation run: the reference a corrupted arena would miss. */
async function maxAfterRun(be: Awaited<ReturnType<typeof createBackend>>): Promise<number> {
  const m = new KellerSegel(be, aggregation(32));
  const r = await m.solve({ tEnd: 0.1, dt: 0.005 });
  m.dispose();
  return r.max;
}

describe('the wasm arena cannot wrap', () => {
  it("a field beyond wasm32's 4 GiB is refused with MemoryLimitError before the arena moves; other models stay exact", async () => {
    const be = await createBackend('wasm');
    const reference = await maxAfterRun(be);
    const model = new KellerSegel(be, aggregation(32)); // a live model holding memory during the failure
    const available = be.memoryAvailable();
    for (const length of [2 ** 29, 6e8, 2 ** 40]) {
      expect(() => be.alloc(length)).toThrow(MemoryLimitError);
      expect(be.memoryAvailable()).toBe(available);
    }
    expect(() => be.alloc(2 ** 29)).toThrow(/needs 4 GiB/);
    const r = await model.solve({ tEnd: 0.1, dt: 0.005 });
    expect(r.max).toBe(reference);
    expect(await maxAfterRun(be)).toBe(reference);
  });

  it('a 2–4 GiB request (32-bit byte arithmetic used to wrap negative) either fits or is refused, and the arena stays consistent', async () => {
    const be = await createBackend('wasm');
    const reference = await maxAfterRun(be);
    const available = be.memoryAvailable();
    try {
      const big = be.alloc(3e8); // 2.4 GB
      expect(be.memoryAvailable()).toBe(available - 2.4e9);
      be.release(big);
    } catch (e) {
      expect(e).toBeInstanceOf(MemoryLimitError);
      expect(be.memoryAvailable()).toBe(available);
    }
    expect(await maxAfterRun(be)).toBe(reference);
  });

  it.each(backends)(
    'lengths that are not non-negative integers are refused naming the length ($kind)',
    (be) => {
      for (const bad of [-1, 1.5, NaN, 2 ** 60, '8' as unknown as number])
        expect(() => be.alloc(bad)).toThrow(ValidationError);
    },
  );
});

describe('backends refuse fields they do not own', () => {
  it('a field of another wasm backend, a js field on wasm and a wasm field on js are refused by every kernel', async () => {
    const a = await createBackend('wasm'),
      b = await createBackend('wasm'),
      js = await createBackend('js');
    const fa = a.alloc(8),
      fb = b.alloc(8),
      fj = js.alloc(8);
    expect(() => a.axpy(fa, 1, fb)).toThrow(/another backend/);
    expect(() => a.scale(fj, 2)).toThrow(/another backend/);
    expect(() => js.stats(fa, new Float64Array(4))).toThrow(/another backend/);
    expect(() => a.copy(fa, fb)).toThrow(/another backend/);
    expect(() => a.release(fb)).toThrow(/another backend/);
    expect(() => a.sumSquares(fa)).not.toThrow();
  });

  it.each(backends)('a released field is refused, and a second release is refused ($kind)', (be) => {
    const f = be.alloc(16),
      part = f.slice(0, 8);
    be.release(f);
    expect(() => be.scale(f, 2)).toThrow(/released/);
    expect(() => be.scale(part, 2)).toThrow(/released/);
    expect(() => be.release(f)).toThrow(/released/);
  });
});

describe.each(backends)('models give their memory back ($kind)', (be) => {
  it("building and disposing 100 Keller–Segel models leaves the backend's memory where the first left it", async () => {
    const first = new KellerSegel(be, aggregation(64));
    await first.solve({ tEnd: 0.01, dt: 0.005, adaptive: true });
    first.dispose();
    const settled = be.memoryBytes();
    for (let i = 0; i < 100; i++) {
      const m = new KellerSegel(be, aggregation(64));
      await m.solve({ tEnd: 0.01, dt: 0.005, adaptive: true });
      m.dispose();
    }
    expect(be.memoryBytes()).toBe(settled);
  });

  it('a kinetic model disposes too, and a model refused for a bad option leaks nothing', async () => {
    const opts = { grid: { n: [32] }, gamma: 0.5, eps: 0.1, initial: { rho: 1 } };
    new Kinetic(be, opts).dispose();
    const settled = be.memoryBytes();
    for (let i = 0; i < 20; i++) {
      new Kinetic(be, opts).dispose();
      expect(() => new KellerSegel(be, { ...aggregation(64), initial: { rho: () => NaN } })).toThrow(
        ValidationError,
      );
    }
    expect(be.memoryBytes()).toBe(settled);
  });

  it('a disposed model refuses to run; dispose twice is harmless', async () => {
    const m = new KellerSegel(be, aggregation(16));
    m.dispose();
    m.dispose();
    await expect(m.solve({ tEnd: 0.1, dt: 0.01 })).rejects.toThrow(/disposed/);
  });
});

describe.each(backends)('guarded models ($kind)', (be) => {
  it('a second solve() and restore() during a solve are refused; the running solve finishes normally', async () => {
    const m = new KellerSegel(be, aggregation(32));
    const cp = m.checkpoint();
    const running = m.solve({ tEnd: 0.2, dt: 0.005, yieldEveryMs: 0 });
    await expect(m.solve({ tEnd: 0.3, dt: 0.005 })).rejects.toThrow(/in progress/);
    expect(() => m.restore(cp)).toThrow(/in progress/);
    expect(() => m.dispose()).toThrow(/in progress/);
    expect((await running).status).toBe('done');
    m.restore(cp);
    expect(m.time).toBe(0);
    m.dispose();
  });
});

describe('memory known in advance', () => {
  const configs: [
    number[],
    'parabolic' | 'elliptic',
    'spectral' | 'finite-volume',
    boolean,
    KellerSegelOptions['chi'],
  ][] = [
    [[64, 64], 'parabolic', 'spectral', false, 1],
    [[64, 64], 'parabolic', 'spectral', true, 1],
    [[64, 64], 'elliptic', 'spectral', true, { type: 'receptor', chi0: 1, K: 1 }],
    [[64, 64], 'parabolic', 'finite-volume', false, 1],
    [[64, 64], 'elliptic', 'finite-volume', true, { type: 'receptor', chi0: 1, K: 1 }],
    [[32, 32, 32], 'parabolic', 'spectral', true, 1],
    [[32, 32, 32], 'elliptic', 'finite-volume', false, 1],
    [[1024], 'parabolic', 'spectral', true, 1],
    // Column passes over 1 MB: the wasm backend's column-block buffers (one per thread) count too.
    [[512, 512], 'elliptic', 'spectral', false, 1],
  ];
  it.each(configs)(
    '%j %s %s adaptive=%s: the estimate is within 5 percent of the arena growth of a real run',
    async (n, chemical, discretisation, adaptive, chi) => {
      const be = await createBackend('wasm');
      const opts: KellerSegelOptions = {
        grid: { n },
        alpha: 1.5,
        chemical: chemical === 'parabolic' ? { type: 'parabolic', D: 1 } : { type: 'elliptic', mu: 1 },
        chi,
        discretisation,
        initial: { rho: { type: 'constant', value: 1, noise: 0.1 } },
      };
      const before = be.memoryAvailable();
      const m = new KellerSegel(be, opts);
      // Fixed steps: a shorter last step (0.005) to land on tEnd, so the run holds the tables of two
      // step sizes, as the estimate allows for.
      await m.solve({ tEnd: 0.205, dt: 0.01, adaptive: adaptive ? { rtol: 1e-3 } : false });
      const used = before - be.memoryAvailable();
      const estimate = KellerSegel.memoryEstimate(opts, adaptive ? 'adaptive' : 'fixed').bytes;
      expect(Math.abs(estimate / used - 1)).toBeLessThan(0.05);
    },
  );

  it("a configuration beyond wasm32's 4 GiB is refused up front, at once, with the figure (after trying one ETD table instead of two)", async () => {
    const be = await createBackend('wasm');
    const t0 = performance.now();
    expect(
      () =>
        new KellerSegel(be, {
          grid: { n: [512, 512, 256] },
          alpha: 1.5,
          chemical: { type: 'parabolic', D: 1 },
          chi: 1,
          discretisation: 'spectral',
          initial: { rho: 1 },
        }),
    ).toThrow(
      /512×512×256 \(spectral, parabolic; 26 doubles per grid point\): needs 13\.\d+ GiB but only 4 GiB can be allocated/,
    );
    expect(performance.now() - t0).toBeLessThan(100);
    expect(be.memoryAvailable()).toBeGreaterThan(4 * 2 ** 30 - 2 ** 20); // nothing was allocated
  });
});

describe('the kinetic model knows its memory before allocating', () => {
  const turning = { kernel: { a: (v: readonly number[]) => v.map((x) => x / (1 + x * x) ** 2) } };
  const configs: KineticOptions[] = [
    { grid: { n: [256] }, gamma: 0.5, eps: 0.05, initial: { rho: 1 } },
    {
      grid: { n: [256] },
      gamma: 0.5,
      eps: 0.05,
      chemical: { D: 1 },
      turning,
      growth: { type: 'logistic', r: 1 },
      scheme: 'bdf2',
      initial: { rho: 1 },
    },
    {
      grid: { n: [32, 32] },
      gamma: 0.5,
      eps: 0.1,
      chemical: { D: 1 },
      turning,
      scheme: 'bdf2',
      initial: { rho: 1 },
    },
    {
      grid: { n: [4, 4, 4] },
      gamma: 0.5,
      eps: 0.1,
      chemical: { D: 1 },
      turning: { kernel: [turning.kernel, { ...turning.kernel, a: (v) => [0.1, ...v.slice(1)] }] },
      growth: { type: 'logistic', r: 1 },
      scheme: 'bdf2',
      initial: { rho: 1 },
    },
  ];
  const cases = configs.flatMap((o) =>
    [false, true].map(
      (adaptive) =>
        [
          `${o.grid.n.join('×')} ${o.scheme ?? 'euler'}${o.turning ? ' turning' : ''}${Array.isArray(o.turning?.kernel) ? ' (rank 2)' : ''}${adaptive ? ' adaptive' : ''}`,
          o,
          adaptive,
        ] as const,
    ),
  );
  it.each(cases)(
    '%s: the estimate is within 5 percent of the arena growth of a run',
    async (_name, o, adaptive) => {
      const be = await createBackend('wasm');
      const before = be.memoryAvailable();
      const m = new Kinetic(be, o);
      await m.solve({ tEnd: 0.03, dt: 0.01, adaptive: adaptive ? { rtol: 1e-3 } : false });
      const used = before - be.memoryAvailable();
      const estimate = Kinetic.memoryEstimate(o, adaptive ? 'adaptive' : 'fixed').bytes;
      expect(Math.abs(estimate / used - 1)).toBeLessThan(0.05);
      m.dispose();
    },
  );
  it('a configuration beyond 4 GiB is refused at once with the figure, nothing allocated', async () => {
    const be = await createBackend('wasm');
    const t0 = performance.now();
    expect(
      () => new Kinetic(be, { grid: { n: [512, 512] }, gamma: 0.5, eps: 0.1, initial: { rho: 1 } }),
    ).toThrow(
      /a kinetic model on 512×512 with \d+ velocities .*: needs [\d.]+ GiB but only 4 GiB can be allocated/,
    );
    expect(performance.now() - t0).toBeLessThan(500);
    expect(be.memoryAvailable()).toBeGreaterThan(4 * 2 ** 30 - 2 ** 20);
  });
});
