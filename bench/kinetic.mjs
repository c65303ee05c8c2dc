// Kinetic benchmarks: the velocity-quadrature kernel (implicit AP relaxation over Nv velocities
// and Nx/2+1 modes) and one full kinetic step with turning and a chemical, wasm vs js.
import { Grid, Kinetic } from '../dist/index.js';
import { compare, compareSlow } from './harness.mjs';

/** The relaxation kernel on a grid of shape n with nv velocities (3-D directions) and `sources` explicit sources. */
export function quadrature(be, n, nv, sources = 0) {
  const g = new Grid(be, { n }),
    M2 = 2 * g.nModes;
  const arr = (len, f) =>
    be.fromArray(
      'x',
      Float64Array.from({ length: len }, (_, i) => f(i)),
    );
  const v = {
    size: nv,
    vx: arr(nv, (j) => (j - nv / 2) * 0.37),
    vy: arr(nv, (j) => Math.sin(j)),
    vz: arr(nv, (j) => Math.cos(j)),
    w: arr(nv, () => 1 / nv),
    nu: arr(nv, () => 1),
    F: arr(nv, () => 1),
  };
  const f = arr(nv * M2, (i) => Math.sin(i)),
    dinv = arr(M2, (i) => 1 / (1 + i)),
    num = be.alloc(M2),
    rho = be.alloc(M2);
  const src = Array.from({ length: sources }, (_, s) => [
    arr(nv, (j) => Math.cos(j + s)),
    arr(M2, (i) => Math.sin(i + s)),
  ]);
  return () => be.kineticRelax(f, v, g, src, 10, 0.1, 1, dinv, num, rho);
}

/** Bytes one kineticRelax moves through memory: f read (pass 1), read and written (pass 2). */
export const relaxBytes = (n, nv) => 48 * nv * (n[0] / 2 + 1) * (n[1] ?? 1) * (n[2] ?? 1);

export async function benchKinetic(wasm, js) {
  // The machine's streaming bandwidth in the same run: y += a x over 2^23 doubles (24 bytes per element).
  const stream = (be) => {
    const x = be.fromArray('x', new Float64Array(2 ** 23).fill(1)),
      y = be.alloc(2 ** 23);
    return () => be.axpy(y, 0.5, x);
  };
  compare(
    'memory bandwidth',
    'axpy, 2^23 doubles (y += a x)',
    { wasm: stream(wasm), js: stream(js) },
    0.5,
    24 * 2 ** 23,
  );
  for (const nv of [512, 4096]) {
    compare(
      'kinetic velocity quadrature',
      `1-D Nx = 1024, Nv = ${nv}`,
      { wasm: quadrature(wasm, [1024], nv), js: quadrature(js, [1024], nv) },
      0.5,
      relaxBytes([1024], nv),
    );
  }
  compare(
    'kinetic velocity quadrature',
    '2-D 64², Nv = 1000, 2 sources',
    { wasm: quadrature(wasm, [64, 64], 1000, 2), js: quadrature(js, [64, 64], 1000, 2) },
    0.5,
    relaxBytes([64, 64], 1000),
  );
  compare(
    'kinetic velocity quadrature',
    '3-D 16³, Nv = 2000, 3 sources',
    { wasm: quadrature(wasm, [16, 16, 16], 2000, 3), js: quadrature(js, [16, 16, 16], 2000, 3) },
    0.5,
    relaxBytes([16, 16, 16], 2000),
  );
  const opts = {
    grid: { n: [1024] },
    gamma: 0.5,
    eps: 1e-3,
    chemical: { D: 1, mu: 1 },
    turning: { kernel: { a: (v) => [v[0] / (1 + v[0] * v[0]) ** 2] } },
    initial: { rho: { type: 'gaussian', mass: 2, width: 0.3, background: 0.5 } },
  };
  const step = (be) => async () => {
    const m = new Kinetic(be, opts);
    // Ten steps through solve(): the model's whole loop (step, checks, last good state).
    return () => m.solve({ tEnd: m.time + 0.01, dt: 1e-3 });
  };
  await compareSlow(
    'kinetic full step',
    'Nx = 1024, Nv = 321, turning + chemical, ×10',
    { wasm: step(wasm), js: step(js) },
    10,
  );
  // A 2-D step with velocities chosen for the box (directionTolerance 1e-3) and a rank-one kernel.
  const opts2 = {
    grid: { n: [32, 32] },
    gamma: 0.5,
    eps: 1e-2,
    chemical: { D: 1, mu: 1 },
    turning: { kernel: { a: (v) => v.map((x) => x / (1 + v[0] * v[0] + v[1] * v[1]) ** 2.5) } },
    initial: { rho: { type: 'gaussian', mass: 2, width: 0.5, background: 0.5 } },
  };
  const step2 = (be) => async () => {
    const m = new Kinetic(be, opts2);
    return () => m.solve({ tEnd: m.time + 0.01, dt: 1e-3 });
  };
  const nv2 = Kinetic.memoryEstimate(opts2).velocities;
  await compareSlow(
    'kinetic full step',
    `2-D 32², Nv = ${nv2}, turning + chemical, ×10`,
    { wasm: step2(wasm), js: step2(js) },
    3,
  );
}
