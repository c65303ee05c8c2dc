// Kinetic benchmarks: the velocity-quadrature kernel (implicit AP relaxation over Nv velocities
// and Nx/2+1 modes) and one full kinetic step with turning and a chemical, wasm vs js.
import { Grid, Kinetic } from '../dist/index.js';
import { compare, compareSlow } from './harness.mjs';

function quadrature(be, nx, nv) {
  const g = new Grid(be, { n: [nx] }),
    M2 = 2 * g.nModes;
  const arr = (n, f) =>
    be.fromArray(
      'x',
      Float64Array.from({ length: n }, (_, i) => f(i)),
    );
  const v = {
    size: nv,
    vx: arr(nv, (j) => (j - nv / 2) * 0.37),
    vy: arr(nv, () => 0),
    w: arr(nv, () => 1 / nv),
    nu: arr(nv, () => 1),
    F: arr(nv, () => 1),
  };
  const f = arr(nv * M2, (i) => Math.sin(i)),
    dinv = arr(M2, (i) => 1 / (1 + i)),
    num = be.alloc(M2),
    rho = be.alloc(M2);
  return () => be.kineticRelax(f, v, g, [], 10, 0.1, 1, dinv, num, rho);
}

export async function benchKinetic(wasm, js) {
  for (const nv of [512, 1024, 2048, 4096]) {
    compare(
      'kinetic velocity quadrature',
      `Nx = 1024, Nv = ${nv}`,
      { wasm: quadrature(wasm, 1024, nv), js: quadrature(js, 1024, nv) },
      0.5,
    );
  }
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
}
