// Kernel threads: every kernel a thread team cuts (rows, planes, stage slices with barriers,
// points) gives bitwise the one-thread result, on sizes large enough to be cut; whole model runs
// too; the team really ran (spied); bad thread counts are refused naming the option; and an idle
// team never keeps a process alive.
import { describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import { createBackend, type Backend, type Field } from '../src/backend/index.js';
import { ThreadTeam } from '../src/backend/threads.js';
import { ValidationError } from '../src/errors.js';
import { Grid } from '../src/grid.js';
import { KellerSegel, type KellerSegelOptions } from '../src/models/keller-segel/model.js';
import { Kinetic, type KineticOptions } from '../src/models/kinetic/model.js';
import { randomArray } from './helpers.js';

const one = await createBackend('wasm', { threads: 1 });
const teams = [await createBackend('wasm', { threads: 2 }), await createBackend('wasm', { threads: 3 })];

const copy = (f: Field) => Float64Array.from(f.data);
const vec = (be: Backend, n: number, seed: number) => be.fromArray('x', randomArray(n, seed));

/** A kernel use on one backend, with the data it wrote read back. */
type Case = (be: Backend) => Float64Array[];

const cases: Record<string, { kernels: string[]; run: Case }> = {
  '2-D real FFT 512 × 256 and back (rows cut, columns in stage slices)': {
    kernels: ['rfftRows', 'fftBatch', 'irfftRows'],
    run: (be) => {
      const real = vec(be, 512 * 256, 1),
        spec = be.alloc(2 * 257 * 256),
        back = be.alloc(512 * 256);
      be.rfft([512, 256, 1], real, spec);
      const s = copy(spec);
      be.irfft([512, 256, 1], spec, back);
      return [s, copy(back)];
    },
  },
  '3-D real FFT 64 × 48 × 40 and back (whole planes per thread)': {
    kernels: ['rfftRows', 'fftBatch', 'irfftRows'],
    run: (be) => {
      const n = 64 * 48 * 40,
        real = vec(be, n, 2),
        spec = be.alloc(2 * 33 * 48 * 40),
        back = be.alloc(n);
      be.rfft([64, 48, 40], real, spec);
      const s = copy(spec);
      be.irfft([64, 48, 40], spec, back);
      return [s, copy(back)];
    },
  },
  '3-D real FFT 64³ and back, repeated (z-passes whole and in column blocks while the backend times both)': {
    kernels: ['rfftRows', 'fftBatch', 'fftColumns', 'irfftRows'],
    run: (be) => {
      const n = 64 ** 3,
        real = vec(be, n, 12),
        spec = be.alloc(2 * 33 * 64 * 64),
        back = be.alloc(n),
        out: Float64Array[] = [];
      for (let k = 0; k < 4; k++) {
        be.rfft([64, 64, 64], real, spec);
        out.push(copy(spec));
        be.irfft([64, 64, 64], spec, back);
        out.push(copy(back));
      }
      return out;
    },
  },
  'mixed radix 2-D 480 × 360 (radix 3 and 5 stages sliced, odd slice widths)': {
    kernels: ['fftBatch'],
    run: (be) => {
      const real = vec(be, 480 * 360, 3),
        spec = be.alloc(2 * 241 * 360);
      be.rfft([480, 360, 1], real, spec);
      return [copy(spec)];
    },
  },
  '1-D complex 2^16 and 3·5·2^12 (one transform sliced stage by stage)': {
    kernels: ['fftBatch'],
    run: (be) => {
      const a = vec(be, 2 * 65536, 4),
        b = vec(be, 2 * 61440, 5);
      be.fft(a, a, 65536);
      be.fft(b, b, 61440, true);
      return [copy(a), copy(b)];
    },
  },
  'gradients, mode products, drift flux, pointwise passes and blocked reductions on 512²': {
    kernels: [
      'symbolGradient',
      'modeMulSum',
      'driftFlux',
      'scale',
      'axpy',
      'mul',
      'modeScale',
      'entropySum',
      'stats',
    ],
    run: (be) => {
      const g = new Grid(be, { n: [512, 512], L: [3, 5] });
      const M = 2 * g.nModes,
        src = vec(be, M, 6),
        dst = be.alloc(M),
        c = vec(be, g.nModes, 7),
        c2 = vec(be, g.nModes, 8);
      be.gradient(src, dst, g, 1);
      be.scaledGradient(src, dst, c, g, 0);
      be.subtractGradient(dst, src, g, 1, false);
      const sum = be.alloc(M);
      be.modeMulSum(sum, [
        [c, src],
        [c2, dst],
      ]);
      be.modeScale(src, c2);
      const n = 512 * 512,
        rho = vec(be, n, 9),
        grad = vec(be, 2 * n, 10),
        flux = be.alloc(2 * n),
        chi = be.fromArray('chi', [1, 0.2, 0.2, 2]);
      be.driftFlux(rho, grad, flux, 2, chi, null, true, 0.3);
      const y = vec(be, n, 11);
      be.scale(y, 1.5);
      be.axpy(y, -0.25, rho);
      const z = be.alloc(n);
      be.mul(z, y, rho);
      y.data[7] = NaN; // the monitor's count of non-finite entries
      const st = new Float64Array(4);
      be.stats(y, st);
      return [
        copy(dst),
        copy(sum),
        copy(src),
        copy(flux),
        copy(y),
        copy(z),
        st,
        Float64Array.of(be.entropySum(rho)),
      ];
    },
  },
};

describe('every cut kernel gives bitwise the one-thread result', () => {
  for (const [name, { kernels, run }] of Object.entries(cases))
    it(name, () => {
      const want = run(one);
      for (const be of teams) {
        const spy = vi.spyOn(ThreadTeam.prototype, 'run');
        const got = run(be);
        const ran = new Set(spy.mock.calls.map((c) => c[0]));
        spy.mockRestore();
        for (const k of kernels) expect(ran, `${be.threads} threads ran ${k}`).toContain(k);
        got.forEach((g, i) => expect(Buffer.from(g.buffer).equals(Buffer.from(want[i].buffer))).toBe(true));
      }
    });
});

describe('whole runs on 1, 2 and 3 threads are bitwise the same', () => {
  const bump = (x: number, y: number, z = Math.PI) =>
    1 + 0.5 * Math.exp(-((x - Math.PI) ** 2 + (y - Math.PI) ** 2 + (z - Math.PI) ** 2));
  const runs: Record<string, KellerSegelOptions> = {
    '2-D 256² spectral, parabolic–elliptic (ETDRK4)': {
      grid: { n: [256, 256] },
      alpha: 1.5,
      chi: 1,
      chemical: { type: 'elliptic' },
      discretisation: 'spectral',
      initial: { rho: bump },
    },
    '3-D 48³ spectral, parabolic chemical with logistic growth': {
      grid: { n: [48, 48, 48] },
      alpha: 1.6,
      chi: 2,
      chemical: { type: 'parabolic', D: 1, mu: 0.3 },
      growth: { type: 'logistic', r: 1 },
      discretisation: 'spectral',
      initial: { rho: bump },
    },
  };
  for (const [name, o] of Object.entries(runs))
    it(
      name,
      async () => {
        const result = async (be: Backend) => {
          const m = new KellerSegel(be, o);
          const r = await m.solve({ tEnd: 0.02, dt: 0.005, adaptive: true });
          const out = {
            r: { status: r.status, steps: r.steps },
            rho: Float64Array.from(m.density()),
            S: Float64Array.from(m.signal()),
          };
          m.dispose();
          return out;
        };
        const want = await result(one);
        for (const be of teams) {
          const got = await result(be);
          expect(got.r).toEqual(want.r);
          expect(Buffer.from(got.rho.buffer).equals(Buffer.from(want.rho.buffer))).toBe(true);
          expect(Buffer.from(got.S.buffer).equals(Buffer.from(want.S.buffer))).toBe(true);
        }
      },
      60_000,
    );
});

describe('the kinetic model on 1, 2 and 3 threads', () => {
  it('a 2-D run with chemotaxis (two turning sources) is bitwise the same, its velocity kernels cut by mode rows', async () => {
    const opts: KineticOptions = {
      grid: { n: [32, 32] },
      gamma: 0.5,
      eps: 0.1,
      chemical: { D: 1 },
      turning: {
        kernel: {
          a: (v: readonly number[]) => [
            v[0] / (1 + v[0] ** 2 + v[1] ** 2) ** 2,
            v[1] / (1 + v[0] ** 2 + v[1] ** 2) ** 2,
          ],
        },
      },
      initial: { rho: (x: number, y: number) => 1 + 0.3 * Math.cos(x) * Math.sin(y) },
      scheme: 'bdf2',
    };
    const result = async (be: Backend) => {
      const m = new Kinetic(be, opts);
      await m.solve({ tEnd: 0.05, dt: 0.01 });
      const out = [Float64Array.from(m.density()), Float64Array.from(m.signal() ?? [])];
      m.dispose();
      return out;
    };
    const want = await result(one);
    for (const be of teams) {
      const spy = vi.spyOn(ThreadTeam.prototype, 'run');
      const got = await result(be);
      const ran = new Set(spy.mock.calls.map((c) => c[0]));
      spy.mockRestore();
      for (const k of ['kineticRelax', 'kineticDinv', 'velocityMoment']) expect(ran).toContain(k);
      got.forEach((g, i) => expect(Buffer.from(g.buffer).equals(Buffer.from(want[i].buffer))).toBe(true));
    }
  }, 60_000);
});

/**
 * Kills this test process if not disarmed within `ms`: a hang in a kernel blocks the event loop,
 * so no test timeout could end it, and the run would wait for ever.
 */
function hangWatchdog(ms: number) {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const w = new Worker(
    `const { workerData } = require('node:worker_threads');
     if (Atomics.wait(new Int32Array(workerData.sab), 0, 0, ${ms}) === 'timed-out') {
       console.error('a kernel call hung: killing the test process');
       process.kill(process.pid, 'SIGKILL');
     }`,
    { eval: true, workerData: { sab: flag.buffer } },
  );
  w.unref();
  return () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
}

describe('a part that traps', () => {
  // Thread 1's part (a worker) or thread 0's (the caller) of a transform sliced stage by stage
  // reads from an address past the memory (3 GiB; the backend holds far less); the others wait
  // for it at the barriers.
  it.each([
    [1, /kernel 'fftBatch' failed on a worker thread/],
    [0, /out of bounds/],
  ])(
    'on thread %i: the call throws instead of hanging at a barrier, and the team runs on',
    (bad, message) => {
      const be = teams[0],
        n = 65536;
      const run = ThreadTeam.prototype.run;
      const spy = vi.spyOn(ThreadTeam.prototype, 'run').mockImplementation(function (
        this: ThreadTeam,
        name,
        parts,
        sync,
      ) {
        const broken = parts.map((p, t) => (t === bad ? [0xc0000000, ...p.slice(1)] : p));
        return run.call(this, name, name === 'fftBatch' ? broken : parts, sync);
      });
      const disarm = hangWatchdog(30_000);
      try {
        const x = vec(be, 2 * n, 7);
        expect(() => be.fft(x, x, n)).toThrow(message);
        expect(spy).toHaveBeenCalledWith('fftBatch', expect.anything(), expect.any(Number));
      } finally {
        disarm();
        spy.mockRestore();
      }
      const x = vec(be, 2 * n, 8),
        y = vec(one, 2 * n, 8);
      be.fft(x, x, n);
      one.fft(y, y, n);
      expect(
        Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength).equals(
          Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength),
        ),
      ).toBe(true);
    },
  );
});

describe('thread counts', () => {
  it('a bad count is refused naming threads and the accepted range', async () => {
    for (const bad of [0, 1.5, -2, 1000, NaN])
      await expect(createBackend('wasm', { threads: bad })).rejects.toThrow(ValidationError);
    await expect(createBackend('wasm', { threads: 0 })).rejects.toThrow(/threads.*1 to 256/);
  });

  it('the default is every core; js runs on one', async () => {
    const { availableParallelism } = await import('node:os');
    expect((await createBackend('wasm')).threads).toBe(availableParallelism());
    expect((await createBackend('js', { threads: 4 })).threads).toBe(1);
    expect(teams.map((b) => b.threads)).toEqual([2, 3]);
  });

  it('a process whose backend has an idle team exits by itself', () => {
    const dist = resolve(__dirname, '..', 'dist', 'index.js');
    const script = `const { createBackend } = await import(${JSON.stringify(dist)});
      const be = await createBackend('wasm', { threads: 2 });
      const f = be.alloc(2 * 65536); be.fft(f, f, 65536); console.log('ok', be.threads);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(r.stdout.toString().trim()).toBe('ok 2');
  });
});
