// What kinetic configurations cost: velocities (and the direction cap M), memory before
// allocation (Kinetic.memoryEstimate) and the wasm time of one step with turning and a chemical.
// Prints the Markdown table shown in the README. Run: npm run build && node scripts/kinetic-cost.mjs
import { Kinetic, createBackend, turningKernel } from '../dist/index.js';
const be = await createBackend('wasm');
const rows = [];
const cfgs = [
  [[32, 32], 1e-2, 1e-3],
  [[32, 32], 1e-4, 1e-3],
  [[64, 64], 1e-2, 1e-3],
  [[128, 128], 1e-2, 1e-3],
  [[64, 64], 1e-2, 1e-5],
  [[8, 8, 8], 1e-2, 1e-3],
  [[16, 16, 16], 1e-2, 1e-3],
  [[16, 16, 16], 1e-2, 1e-4],
  [[32, 32, 32], 1e-2, 1e-3],
];
console.log('| grid | ε | directionTolerance | velocities (M) | memory | wasm time per step |');
console.log('|---|---|---|---:|---:|---:|');
for (const [n, eps, tol] of cfgs) {
  const dim = n.length;
  const o = {
    grid: { n },
    gamma: 0.5,
    eps,
    directionTolerance: tol,
    chemical: { D: 1, mu: 1 },
    turning: { kernel: turningKernel(1, dim) },
    initial: { rho: { type: 'gaussian', mass: 2, width: 0.5, background: 0.5 }, S: 0 },
  };
  const est = Kinetic.memoryEstimate(o);
  let line = `| ${n.join('×')} | ${eps} | ${tol} | ${est.velocities}`;
  try {
    const m = new Kinetic(be, o);
    line += ` (${m.velocity.directions}) | ${(est.bytes / 2 ** 20).toFixed(0)} MiB`;
    await m.solve({ tEnd: 1e9, dt: 1e-3, maxSteps: 1 });
    const t0 = performance.now();
    await m.solve({ tEnd: 1e9, dt: 1e-3, maxSteps: 3 });
    line += ` | ${((performance.now() - t0) / 3).toFixed(0)} ms |`;
    m.dispose();
  } catch (e) {
    line += ` | ${(est.bytes / 2 ** 30).toFixed(1)} GiB | refused (${e.constructor.name}) |`;
  }
  console.log(line);
}
