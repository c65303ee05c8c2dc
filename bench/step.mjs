// The 2-D parabolic–elliptic ETDRK4 step against its FFT floor and against the numpy + scipy.fft
// script of the same scheme (bench/ks_numpy.py), side by side in one run, one thread each:
//   * ours: KellerSegel.solve with fixed steps (20 real 2-D transforms per step in the four
//     nonlinear evaluations, plus the run's monitor and energy diagnostic: 22), per step;
//   * FFT floor: 20 × our own real 2-D transform (half a forward+inverse pair), per step;
//   * numpy: the script's step from the same initial density; its final density is checked
//     against ours (the run stops with an error if they disagree beyond 1e-9 relative).
// Skipped with a note when python3 with numpy is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Benchmark from 'benchmark';
import { Grid, KellerSegel, decodeNpy, encodeNpy } from '../dist/index.js';

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

export async function benchStep(wasm) {
  if (spawnSync('python3', ['-c', 'import numpy']).status !== 0) {
    process.stderr.write('step: skipped (needs python3 with numpy)\n');
    return;
  }
  for (const n of [256, 512]) {
    const steps = 10,
      dt = 1e-3;
    const m = new KellerSegel(wasm, options(n));
    const rho0 = m.density();
    // Ours: best of three runs of `steps` steps, each from the same initial state.
    const cp = m.checkpoint();
    let ours = Infinity;
    for (let r = 0; r < 3; r++) {
      m.restore(cp);
      const t0 = performance.now();
      await m.solve({ tEnd: steps * dt, dt, maxDensity: Infinity });
      ours = Math.min(ours, (performance.now() - t0) / 1e3 / steps);
    }
    const mine = m.density();
    m.dispose();
    const py = numpyStep(rho0, n, steps, dt);
    let diff = 0,
      top = 0;
    for (let i = 0; i < mine.length; i++) {
      diff = Math.max(diff, Math.abs(mine[i] - py.rho[i]));
      top = Math.max(top, Math.abs(mine[i]));
    }
    if (!(diff / top < 1e-9))
      throw new Error(`step ${n}²: the numpy script's solution differs from ours by ${diff / top}`);
    // The FFT floor: 20 real transforms at our own speed (a forward+inverse pair is two).
    const g = new Grid(wasm, { n: [n, n] }),
      x = wasm.fromArray('x', rho0),
      s = g.spectralField();
    let pair = NaN;
    new Benchmark.Suite()
      .add('pair', () => {
        wasm.rfft(g.shape, x, s);
        wasm.irfft(g.shape, s, x);
      })
      .on('cycle', (e) => (pair = e.target.stats.mean))
      .run({ async: false });
    const floor = 20 * (pair / 2);
    stepRows.push({ n, ours, numpy: py.perStep, fft: py.fft, floor, diff: diff / top });
    process.stderr.write(
      `step ${n}²: ours ${(ours * 1e3).toFixed(2)} ms, ${py.fft} ${(py.perStep * 1e3).toFixed(2)} ms, floor ${(floor * 1e3).toFixed(2)} ms\n`,
    );
  }
}

export function stepTable() {
  if (stepRows.length === 0) return '';
  const f = (s) => `${(s * 1e3).toFixed(2)} ms`;
  return [
    '',
    '| 2-D parabolic–elliptic ETDRK4 step (α = 1.5, one thread) | fractaxis wasm (solve) | FFT floor (20 × our transform) | numpy + scipy.fft | ours ÷ floor | numpy ÷ ours | same solution (max rel. diff) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...stepRows.map(
      (r) =>
        `| ${r.n}² | ${f(r.ours)} | ${f(r.floor)} | ${f(r.numpy)}${r.fft === 'scipy' ? '' : ' (numpy.fft)'} | **${(r.ours / r.floor).toFixed(2)}×** | **${(r.numpy / r.ours).toFixed(2)}×** | ${r.diff.toExponential(1)} |`,
    ),
  ].join('\n');
}
