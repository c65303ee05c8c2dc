// One thread against every core, side by side in one run: the same transforms and solver steps on
// a wasm backend with threads: 1 and one with the machine's cores (bitwise the same results,
// checked here too). Timed in rounds that alternate the two, best op of each per round; the table
// shows the median round's times and the median of the per-round ratios, so a busy second on this
// shared machine lands on both sides or on neither.
import { availableParallelism } from 'node:os';
import { createBackend, KellerSegel } from '../dist/index.js';
import { quadrature, relaxBytes } from './kinetic.mjs';
import { bestStep } from './step.mjs';
import { bestOf, medianOf } from './harness.mjs';

export const threadRows = [];

const ROUNDS = 9;

/**
 * Rounds of [one-thread seconds, T-thread seconds], after a warm-up of each op: V8 first runs wasm
 * in its baseline tier and optimises hot functions in the background, on the same two cores.
 */
function rounds(ops, reps) {
  for (const op of ops) bestOf(op, 2 * reps);
  const out = [];
  for (let r = 0; r < ROUNDS; r++) out.push(ops.map((op) => bestOf(op, reps)));
  return out;
}

/** Records one row from rounds of [one-thread seconds, T-thread seconds]. */
function record(label, rounds, T) {
  const median = (f) => medianOf(rounds, f);
  const row = {
    label,
    one: median((r) => r[0]),
    many: median((r) => r[1]),
    speedup: median((r) => r[0] / r[1]),
    T,
  };
  threadRows.push(row);
  process.stderr.write(`threads ${label}: ${row.speedup.toFixed(2)}× on ${T} threads\n`);
}

/** The kinetic relaxation kernel (implicit step over every velocity and mode) on both backends. */
function relaxRow(label, n, nv, backends, T) {
  const ops = backends.map((be) => quadrature(be, n, nv, 2));
  record(`${label} (${(relaxBytes(n, nv) / 1e9).toFixed(2)} GB moved)`, rounds(ops, 5), T);
}

/** A real 2-D/3-D forward+inverse pair on both backends; refuses to report if the results differ. */
function transformRow(label, shape, backends, T) {
  const n = shape.reduce((a, b) => a * b, 1),
    spec = 2 * (shape[0] / 2 + 1) * (n / shape[0]);
  const fields = backends.map((be) => {
    const x = be.fromArray(
      'x',
      Float64Array.from({ length: n }, (_, i) => Math.sin(0.37 * i) + (i % 7)),
    );
    return { be, x, s: be.alloc(spec), y: be.alloc(n) };
  });
  const op =
    ({ be, x, s, y }) =>
    () => {
      be.rfft(shape, x, s);
      be.irfft(shape, s, y);
    };
  const timed = rounds(fields.map(op), 10);
  const [a, b] = fields.map((f) => f.y.data);
  if (!a.every((v, i) => Object.is(v, b[i])))
    throw new Error(`threads ${label}: results differ between 1 and ${T} threads`);
  record(label, timed, T);
}

const ks = (shape) => ({
  discretisation: 'spectral',
  grid: { n: shape },
  alpha: 1.5,
  chemical: { type: 'elliptic' },
  chi: 1,
  initial: { rho: { type: 'constant', value: 1, noise: 0.1 } },
});

/** Fixed ETDRK4 steps of the parabolic–elliptic model on both backends (best single step per round). */
async function stepRow(label, shape, backends, T) {
  const models = backends.map((be) => new KellerSegel(be, ks(shape)));
  // The best single step of 4 more steps of each model.
  const fourSteps = (m) => bestStep(m, 4, 1e-3);
  for (const m of models) await fourSteps(m); // warm-up (see rounds)
  const timed = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = [];
    for (const m of models) round.push(await fourSteps(m));
    timed.push(round);
  }
  const [a, b] = models.map((m) => m.density());
  if (!a.every((v, i) => Object.is(v, b[i])))
    throw new Error(`threads ${label}: runs differ between 1 and ${T} threads`);
  models.forEach((m) => m.dispose());
  record(label, timed, T);
}

export async function benchThreads() {
  const T = availableParallelism();
  if (T < 2) {
    process.stderr.write('threads: skipped (one core)\n');
    return;
  }
  const backends = [await createBackend('wasm', { threads: 1 }), await createBackend('wasm', { threads: T })];
  transformRow('2-D real fwd+inv 256×256', [256, 256, 1], backends, T);
  transformRow('2-D real fwd+inv 512×512', [512, 512, 1], backends, T);
  transformRow('2-D real fwd+inv 1024×1024', [1024, 1024, 1], backends, T);
  transformRow('3-D real fwd+inv 64×64×64', [64, 64, 64], backends, T);
  transformRow('3-D real fwd+inv 128×128×128', [128, 128, 128], backends, T);
  relaxRow('kinetic relaxation 2-D 64², Nv = 2048, 2 sources', [64, 64], 2048, backends, T);
  relaxRow('kinetic relaxation 3-D 16³, Nv = 4096, 2 sources', [16, 16, 16], 4096, backends, T);
  await stepRow('2-D parabolic–elliptic ETDRK4 step 256²', [256, 256], backends, T);
  await stepRow('2-D parabolic–elliptic ETDRK4 step 512²', [512, 512], backends, T);
  await stepRow('3-D parabolic–elliptic ETDRK4 step 64³', [64, 64, 64], backends, T);
}

export function threadTable() {
  if (threadRows.length === 0) return '';
  const f = (s) => (s >= 0.01 ? `${(s * 1e3).toFixed(1)} ms` : `${(s * 1e3).toFixed(2)} ms`);
  const T = threadRows[0].T;
  return [
    '',
    `| wasm, bitwise the same on both | 1 thread | ${T} threads | speed-up |`,
    '|---|---:|---:|---:|',
    ...threadRows.map((r) => `| ${r.label} | ${f(r.one)} | ${f(r.many)} | **${r.speedup.toFixed(2)}×** |`),
  ].join('\n');
}
