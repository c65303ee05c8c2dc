// End-to-end benchmarks: whole solver runs on each backend.
import { KellerSegel } from '../dist/index.js';
import { compareSlow } from './harness.mjs';

const ks2d = (n, discretisation = 'spectral') => ({
  discretisation,
  grid: { n: [n, n] },
  alpha: 1.5,
  chemical: { type: 'parabolic', D: 1, mu: 0.1 },
  chi: 1,
  growth: { type: 'logistic', r: 1 },
  initial: { rho: { type: 'constant', value: 1, noise: 0.1 } },
});
const ks3d = (n, discretisation = 'spectral') => ({
  discretisation,
  grid: { n: [n, n, n] },
  alpha: 1.2,
  chemical: { type: 'elliptic' },
  chi: 1,
  initial: { rho: { type: 'constant', value: 1, noise: 0.1 } },
});

/** A fresh model per timed op; the op is `steps` fixed steps (ETDRK4 or Strang; model build not timed). */
function maker(be, opts, steps, dt) {
  return async () => {
    let m = new KellerSegel(be, opts);
    return async () => {
      await m.solve({ tEnd: m.time + steps * dt, dt, maxDensity: Infinity });
    };
  };
}

export async function benchModels(wasm, js) {
  await compareSlow(
    'fractional KS end to end',
    '2-D 512², 100 ETDRK4 steps',
    { wasm: maker(wasm, ks2d(512), 100, 1e-3), js: maker(js, ks2d(512), 100, 1e-3) },
    1,
  );
  await compareSlow(
    'fractional KS end to end',
    '3-D 64³, 20 ETDRK4 steps',
    { wasm: maker(wasm, ks3d(64), 20, 1e-3), js: maker(js, ks3d(64), 20, 1e-3) },
    1,
  );
  await compareSlow(
    'fractional KS end to end',
    '2-D 512², 20 finite-volume steps',
    {
      wasm: maker(wasm, ks2d(512, 'finite-volume'), 20, 1e-3),
      js: maker(js, ks2d(512, 'finite-volume'), 20, 1e-3),
    },
    1,
  );
  await compareSlow(
    'fractional KS end to end',
    '3-D 64³, 20 finite-volume steps',
    {
      wasm: maker(wasm, ks3d(64, 'finite-volume'), 20, 1e-3),
      js: maker(js, ks3d(64, 'finite-volume'), 20, 1e-3),
    },
    1,
  );
}
