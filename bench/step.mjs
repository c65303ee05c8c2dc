// The 2-D parabolic–elliptic ETDRK4 step against its FFT floor and against the numpy + scipy.fft
// script of the same scheme (bench/ks_numpy.py), side by side in one run, one thread each (and
// ours again on every core, checked to give bitwise the one-thread result):
//   * ours: the best single step of KellerSegel.solve with fixed steps (20 real 2-D transforms in
//     the four nonlinear evaluations; the density monitor's transform of the accepted state is
//     the next step's first);
//   * FFT floor: 20 × our own real 2-D transform (the best forward+inverse pair, halved);
//   * numpy: the script's best single step from the same initial density; its final density is
//     checked against ours (the run stops with an error if they disagree beyond 1e-9 relative).
// Timed in five rounds of (ours, floor, numpy), so each ratio compares neighbouring seconds of
// this shared machine; the table shows the median round.
// Skipped with a note when python3 with numpy is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend, Grid, KellerSegel, decodeNpy, encodeNpy } from '../dist/index.js';
import { bestOf, medianOf } from './harness.mjs';

export const stepRows = [];

const options = (n) => ({
  discretisation: 'spectral',
  grid: { n: [n, n] },
  alpha: 1.5,
  diffusion: 1,
  chemical: { type: 'elliptic' },
  chi: 1,
  initial: { rho: { type: 'constant', value: 1, noise: 0.1 } },
});

/** Runs the numpy script from rho0 for `steps` steps; returns its timing and final density. */
export function numpyStep(rho0, n, steps, dt, repeats = 3) {
  const dir = mkdtempSync(join(tmpdir(), 'fractaxis-numpy-'));
  writeFileSync(join(dir, 'rho0.npy'), encodeNpy(rho0, [n, n]));
  const out = execFileSync(
    'python3',
    [
      new URL('./ks_numpy.py', import.meta.url).pathname,
      join(dir, 'rho0.npy'),
      join(dir, 'out.npy'),
      String(steps),
      String(dt),
      '1.5',
      '1',
      '1',
      String(repeats),
    ],
    { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } },
  );
  const r = JSON.parse(out.trim().split('\n').at(-1));
  return { ...r, rho: decodeNpy(readFileSync(join(dir, 'out.npy'))).data };
}

/**
 * The best single step, in seconds, of `steps` fixed steps of m from its current state (an observer
 * sees each accepted step). Also the threads bench's step timer.
 */
export async function bestStep(m, steps, dt) {
  const m0 = m.steps;
  let best = Infinity,
    last = NaN;
  const observers = [
    (d) => {
      // The first call reports the starting state; each later one ends a step.
      const now = performance.now();
      if (d.step > m0) best = Math.min(best, (now - last) / 1e3);
      last = now;
    },
  ];
  await m.solve({ tEnd: m.time + steps * dt, dt, maxDensity: Infinity, observers });
  return best;
}

export async function benchStep(wasm) {
  if (spawnSync('python3', ['-c', 'import numpy']).status !== 0) {
    process.stderr.write('step: skipped (needs python3 with numpy)\n');
    return;
  }
  const T = availableParallelism(),
    wasmT = await createBackend('wasm', { threads: T });
  for (const n of [256, 512]) {
    const steps = 10,
      dt = 1e-3;
    const m = new KellerSegel(wasm, options(n)),
      mT = new KellerSegel(wasmT, options(n));
    const rho0 = m.density();
    const cp = m.checkpoint();
    const g = new Grid(wasm, { n: [n, n] }),
      x = wasm.fromArray('x', rho0),
      s = g.spectralField();
    // Five rounds, each timing ours, the floor and the numpy script one after the other, so that
    // each ratio compares measurements from the same few seconds of this shared machine; the
    // table shows the median round.
    // A warm-up run of each first: V8 optimises wasm in the background, on the same two cores.
    // Each timing runs the same steps from the same initial state.
    const fromStart = (model) => {
      model.restore(cp);
      return bestStep(model, steps, dt);
    };
    await fromStart(m);
    await fromStart(mT);
    const rounds = [];
    let mine, py;
    for (let r = 0; r < 5; r++) {
      const ours = await fromStart(m),
        oursT = await fromStart(mT);
      mine = m.density();
      if (!mT.density().every((v, i) => Object.is(v, mine[i])))
        throw new Error(`step ${n}²: ${T} threads give another result than one`);
      // The best of 10 forward+inverse pairs.
      const pair = bestOf(() => {
        wasm.rfft(g.shape, x, s);
        wasm.irfft(g.shape, s, x);
      }, 10);
      py = numpyStep(rho0, n, steps, dt, 1);
      rounds.push({ ours, oursT, floor: 20 * (pair / 2), numpy: py.perStep });
    }
    m.dispose();
    mT.dispose();
    let diff = 0,
      top = 0;
    for (let i = 0; i < mine.length; i++) {
      diff = Math.max(diff, Math.abs(mine[i] - py.rho[i]));
      top = Math.max(top, Math.abs(mine[i]));
    }
    if (!(diff / top < 1e-9))
      throw new Error(`step ${n}²: the numpy script's solution differs from ours by ${diff / top}`);
    const median = (f) => medianOf(rounds, f);
    const ours = median((r) => r.ours),
      floor = median((r) => r.floor),
      numpy = median((r) => r.numpy);
    const overFloor = median((r) => r.ours / r.floor),
      numpyOverOurs = median((r) => r.numpy / r.ours),
      oursT = median((r) => r.oursT),
      numpyOverOursT = median((r) => r.numpy / r.oursT);
    stepRows.push({
      n,
      T,
      ours,
      oursT,
      numpy,
      fft: py.fft,
      floor,
      overFloor,
      numpyOverOurs,
      numpyOverOursT,
      diff: diff / top,
    });
    process.stderr.write(
      `step ${n}²: ours ÷ floor ${overFloor.toFixed(2)}, numpy ÷ ours ${numpyOverOurs.toFixed(2)} (1 thread), ${numpyOverOursT.toFixed(2)} (${T} threads) (median of 5 rounds)\n`,
    );
  }
}

export function stepTable() {
  if (stepRows.length === 0) return '';
  const f = (s) => `${(s * 1e3).toFixed(2)} ms`;
  return [
    '',
    `| 2-D parabolic–elliptic ETDRK4 step (α = 1.5) | fractaxis wasm, 1 thread | FFT floor (20 × our transform, 1 thread) | numpy + scipy.fft (1 thread) | ours ÷ floor | numpy ÷ ours | fractaxis wasm, ${stepRows[0].T} threads | numpy ÷ ours (${stepRows[0].T} threads) | same solution (max rel. diff) |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...stepRows.map(
      (r) =>
        `| ${r.n}² | ${f(r.ours)} | ${f(r.floor)} | ${f(r.numpy)}${r.fft === 'scipy' ? '' : ' (numpy.fft)'} | **${r.overFloor.toFixed(2)}×** | **${r.numpyOverOurs.toFixed(2)}×** | ${f(r.oursT)} | **${r.numpyOverOursT.toFixed(2)}×** | ${r.diff.toExponential(1)} |`,
    ),
  ].join('\n');
}
